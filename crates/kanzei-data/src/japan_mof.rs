//! Japan Ministry of Finance trade statistics: exports and imports by area × principal
//! commodity, annual, billion yen (exports F.O.B., imports C.I.F.).
//!
//! Layout (`derived_trade_year.csv`, the annual sums of MOF's monthly summary CSVs):
//! `ex_im, area, goods, year, value_bn_jpy`. Areas are MOF's abbreviated labels ("R Korea",
//! "Thailnd"), resolved through the area registry; `Grand Total` is the world. Goods are
//! MOF principal-commodity groups (SITC-based, **not HS**): nine sections (Foodstuff … Others)
//! that sum to the grand total, items within them, and sub-items in parentheses that are
//! part of the line above them and must never be added to it.

use std::collections::BTreeMap;
use std::io::Read;

use kanzei_core::{AreaCode, AreaRegistry, Coverage, FlowDirection, SourceRef};
use serde::Serialize;

use crate::error::DataError;
use crate::read::{Table, TableOptions};

/// MOF's nine top-level commodity sections; they sum to the grand total.
pub const MOF_SECTIONS: [&str; 9] = [
    "Foodstuff",
    "Raw Materials",
    "Mineral Fuels",
    "Chemicals",
    "Manufactured Goods",
    "Machinery",
    "Electrical Machinery",
    "Transport Equipment",
    "Others",
];

/// The label MOF uses for all goods.
pub const MOF_TOTAL: &str = "Grand Total";

/// Years that are incomplete in the staged data: (year, months). The source's SOURCE.md
/// states that 2026 covers January–March only; annual sums cannot reveal it themselves.
pub const MOF_PARTIAL_YEARS: &[(i32, u8)] = &[(2026, 3)];

/// Where a commodity label sits in MOF's hierarchy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommodityLevel {
    /// All goods.
    Total,
    /// One of the nine sections.
    Section,
    /// An item within a section.
    Item,
    /// A parenthesised sub-item of the line above it.
    SubItem,
}

/// Classifies a MOF commodity label.
pub fn commodity_level(label: &str) -> CommodityLevel {
    if label == MOF_TOTAL {
        CommodityLevel::Total
    } else if MOF_SECTIONS.contains(&label) {
        CommodityLevel::Section
    } else if label.starts_with('(') {
        CommodityLevel::SubItem
    } else {
        CommodityLevel::Item
    }
}

/// One value.
#[derive(Clone, Debug, PartialEq)]
pub struct MofLine {
    /// Exports or imports, from Japan's side.
    pub direction: FlowDirection,
    /// Partner (`WLD` for the grand total, `EU27` for the EU).
    pub partner: AreaCode,
    /// Commodity label as MOF prints it.
    pub goods: String,
    /// Calendar year.
    pub year: i32,
    /// Billion yen.
    pub value_bn_jpy: f64,
}

/// The MOF table.
#[derive(Clone, Debug)]
pub struct JapanTrade {
    /// All lines.
    pub lines: Vec<MofLine>,
    /// Load accounting (value in billion yen).
    pub coverage: Coverage,
}

impl JapanTrade {
    /// Source reference for footnotes.
    pub fn source(&self, period: &str) -> SourceRef {
        SourceRef {
            dataset: "japan_mof_trade".into(),
            publisher: "Ministry of Finance, Japan (Japan Customs)".into(),
            citation: "Ministry of Finance, Trade Statistics of Japan, value by area and principal commodity".into(),
            basis: "exports F.O.B., imports C.I.F., customs basis, billion yen".into(),
            period: period.into(),
        }
    }

    /// Parses the MOF layout.
    pub fn parse<R: Read>(file: &str, source: R, registry: &AreaRegistry) -> Result<JapanTrade, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let cols = table.require(&["ex_im", "area", "goods", "year", "value_bn_jpy"])?;
        let mut coverage = Coverage::new("japan_mof_trade", file, "JPY billions");
        let world = AreaCode::new("WLD").expect("valid code");
        let mut lines = Vec::new();
        while let Some(row) = table.next_row()? {
            let direction = match row.str(cols[0]) {
                "export" => FlowDirection::Exports,
                "import" => FlowDirection::Imports,
                other => return Err(row.error(cols[0], format!("`{other}` is neither `export` nor `import`"))),
            };
            let year = row.year(cols[3])?;
            let value_bn_jpy = row.f64(cols[4])?;
            let area_label = row.str(cols[1]);
            let partner = if area_label == MOF_TOTAL {
                world
            } else if let Some(area) = registry.lookup(area_label) {
                area.code
            } else {
                coverage.reject("MOF area label not in the area registry", value_bn_jpy, || {
                    format!("line {}: {area_label}", row.line())
                });
                continue;
            };
            coverage.keep(value_bn_jpy);
            lines.push(MofLine { direction, partner, goods: row.str(cols[2]).to_string(), year, value_bn_jpy });
        }
        Ok(JapanTrade { lines, coverage })
    }

    /// Years present, with the number of months each covers.
    pub fn years(&self) -> BTreeMap<i32, u8> {
        let mut out = BTreeMap::new();
        for line in &self.lines {
            let months = MOF_PARTIAL_YEARS.iter().find(|(y, _)| *y == line.year).map_or(12, |(_, m)| *m);
            out.insert(line.year, months);
        }
        out
    }

    /// Checks a year exists and is complete.
    pub fn check_year(&self, year: i32) -> Result<(), DataError> {
        let years = self.years();
        match years.get(&year) {
            Some(12) => Ok(()),
            Some(m) => Err(DataError::NotAvailable {
                message: format!("Japan MOF data for {year} cover January to month {m} only; choose a complete year"),
            }),
            None => Err(DataError::YearNotAvailable {
                dataset: "Japan MOF trade by area and commodity".into(),
                year,
                available: match (years.keys().next(), years.keys().next_back()) {
                    (Some(a), Some(b)) => format!("{a}–{b} (2026: Jan–Mar only)"),
                    _ => "no years".into(),
                },
            }),
        }
    }

    /// Value of one cell, billion yen.
    pub fn value(&self, direction: FlowDirection, partner: AreaCode, goods: &str, year: i32) -> Option<f64> {
        self.lines
            .iter()
            .find(|l| l.direction == direction && l.partner == partner && l.goods == goods && l.year == year)
            .map(|l| l.value_bn_jpy)
    }

    /// All commodity lines for a partner and year, in billion yen.
    pub fn by_commodity(&self, direction: FlowDirection, partner: AreaCode, year: i32) -> Vec<(&str, f64)> {
        let mut out: Vec<(&str, f64)> = self
            .lines
            .iter()
            .filter(|l| l.direction == direction && l.partner == partner && l.year == year)
            .map(|l| (l.goods.as_str(), l.value_bn_jpy))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }

    /// Partners that report a value for a commodity in a year.
    pub fn partners(&self, direction: FlowDirection, goods: &str, year: i32) -> Vec<(AreaCode, f64)> {
        let mut out: Vec<(AreaCode, f64)> = self
            .lines
            .iter()
            .filter(|l| l.direction == direction && l.goods == goods && l.year == year)
            .map(|l| (l.partner, l.value_bn_jpy))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(commodity_level("Grand Total"), CommodityLevel::Total);
        assert_eq!(commodity_level("Transport Equipment"), CommodityLevel::Section);
        assert_eq!(commodity_level("Motor Vehicles"), CommodityLevel::Item);
        assert_eq!(commodity_level("(Car)"), CommodityLevel::SubItem);
    }

    #[test]
    fn parses_and_resolves_mof_area_labels() {
        let text = "ex_im,area,goods,year,value_bn_jpy\nexport,Grand Total,Grand Total,2024,100\nexport,R Korea,Grand Total,2024,6\nexport,Thailnd,Grand Total,2024,4\nexport,Atlantis,Grand Total,2024,1\n";
        let t = JapanTrade::parse("mof.csv", text.as_bytes(), AreaRegistry::builtin()).unwrap();
        assert_eq!(t.lines.len(), 3);
        assert_eq!(t.lines[1].partner.as_str(), "KOR");
        assert_eq!(t.lines[2].partner.as_str(), "THA");
        assert_eq!(t.coverage.rows_rejected(), 1);
        assert!(t.coverage.reconciles(1e-12));
        let err = JapanTrade::parse("mof.csv", "ex_im,area,goods,year,value_bn_jpy\nexprt,USA,Grand Total,2024,1\n".as_bytes(), AreaRegistry::builtin()).unwrap_err();
        assert_eq!(err.to_string(), "`mof.csv` line 2, column `ex_im`: `exprt` is neither `export` nor `import`");
    }
}
