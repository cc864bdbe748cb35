//! The trade-flow record.
//!
//! A [`TradeFlow`] says who reported what: reporter, partner, direction, product, period,
//! value, currency and the valuation basis. The basis matters: U.S. *general imports*
//! (Census FT-900) and *imports for consumption* (the HS10 files) differ by goods entering
//! bonded warehouses and free-trade zones (Japan 2024: $148.2bn vs $151.3bn); exports are
//! valued F.A.S., Japan's imports C.I.F. Comparing numbers of different bases is a
//! definition error, not a discrepancy, and kanzei keeps the basis on every value so it can
//! say so.

use std::fmt;

use serde::Serialize;

use crate::area::AreaCode;
use crate::hs::HsCode;

/// Direction of a flow, from the reporter's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FlowDirection {
    /// Goods entering the reporter.
    Imports,
    /// Goods leaving the reporter.
    Exports,
}

impl fmt::Display for FlowDirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FlowDirection::Imports => "imports",
            FlowDirection::Exports => "exports",
        })
    }
}

/// How a value was measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueBasis {
    /// U.S. general imports, customs value (Census FT-900).
    GeneralImportsCustoms,
    /// U.S. imports for consumption, customs value (Census HS10 API, `CON_VAL`).
    ConsumptionImportsCustoms,
    /// U.S. total exports (domestic + foreign), free alongside ship.
    TotalExportsFas,
    /// Exports valued free on board (Japan MOF).
    ExportsFob,
    /// Imports valued cost, insurance and freight (Japan MOF).
    ImportsCif,
    /// Calculated duties collected (Census `CAL_DUT`).
    CalculatedDuty,
}

impl ValueBasis {
    /// A sentence-length description for footnotes.
    pub fn describe(self) -> &'static str {
        match self {
            ValueBasis::GeneralImportsCustoms => "general imports, customs value",
            ValueBasis::ConsumptionImportsCustoms => "imports for consumption, customs value",
            ValueBasis::TotalExportsFas => "total exports (domestic + foreign), F.A.S. value",
            ValueBasis::ExportsFob => "exports, F.O.B. value",
            ValueBasis::ImportsCif => "imports, C.I.F. value",
            ValueBasis::CalculatedDuty => "calculated duties",
        }
    }
}

/// Currency of a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Currency {
    /// U.S. dollars.
    USD,
    /// Japanese yen.
    JPY,
}

/// The period a value covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Period {
    /// A calendar year.
    Year(i32),
    /// A calendar month (year, 1–12).
    Month(i32, u8),
    /// The first `n` months of a year (year-to-date).
    YearToDate(i32, u8),
}

impl Period {
    /// The calendar year.
    pub fn year(self) -> i32 {
        match self {
            Period::Year(y) | Period::Month(y, _) | Period::YearToDate(y, _) => y,
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(y) => write!(f, "{y}"),
            Period::Month(y, m) => write!(f, "{y}-{m:02}"),
            Period::YearToDate(y, m) => write!(f, "{y} Jan–{}", month_abbrev(*m)),
        }
    }
}

fn month_abbrev(month: u8) -> &'static str {
    const NAMES: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    NAMES.get(usize::from(month.saturating_sub(1))).copied().unwrap_or("?")
}

/// What was traded.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Product {
    /// All goods.
    Total,
    /// An HS code at any length.
    Hs(HsCode),
    /// A national commodity group outside the HS (Japan MOF "Motor Vehicles").
    Commodity {
        /// The classification, e.g. `mof-principal`.
        scheme: String,
        /// The group label as published.
        label: String,
    },
}

/// One reported trade value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TradeFlow {
    /// Who reports (USA for Census, JPN for MOF).
    pub reporter: AreaCode,
    /// The partner (country, group or aggregate).
    pub partner: AreaCode,
    /// Imports or exports, from the reporter's side.
    pub direction: FlowDirection,
    /// What was traded.
    pub product: Product,
    /// When.
    pub period: Period,
    /// The value, in `currency` (units, not millions).
    pub value: f64,
    /// Currency of `value`.
    pub currency: Currency,
    /// How `value` was measured.
    pub basis: ValueBasis,
}
