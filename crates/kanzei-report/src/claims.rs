//! Claims as data: a TOML file of quantitative statements, each with the query that
//! recomputes it from kanzei's data and a tolerance, checked into a verdict.
//!
//! ```toml
//! schema = 1
//! title = "U.S.–Japan alliance bulletin, 2025"
//!
//! [[claim]]
//! id = "trade-total"
//! section = "economy"
//! text = "U.S.–Japan goods trade was $228 billion in 2024"
//! value = 228
//! unit = "usd_bn"
//! query = "census.total_trade(partner=JPN, year=2024)"
//! tolerance = "1%"
//! if_differs = "Census basis (general imports, exports f.a.s.)"
//!
//! [[claim]]
//! id = "hns-yen"
//! text = "The special measures agreement for FY2022–26 budgets about ¥211 billion a year"
//! value = 211
//! unit = "jpy_bn"
//! stated = "a budget figure; kanzei holds no defence budget data"
//! reference = "Special measures agreement of January 2022"
//! as_of = "2022-01-07"
//! ```
//!
//! Every claim has an `origin`: `bulletin` (the source document makes it; it carries the
//! sentence as `quote` and its `paragraph`, which [`verify_quotes`] finds in the document's
//! text), `later` (a development after the document's `source_date`, with `as_of` and
//! `reference`) or `derived` (the default: kanzei's own figure or a parameter from another
//! source; a stated one needs `reference` and `as_of`).
//!
//! A claim with `query` gets [`Verdict::Confirmed`] when the recomputed value lies within
//! the tolerance of the asserted one, [`Verdict::Differs`] otherwise (with the difference and
//! the claim's `if_differs` reason), or [`Verdict::NoData`] when the data hold no value for
//! the query (a year not yet published). A claim with `stated` is a
//! [`Verdict::StatedParameter`]: an assumption or policy figure kanzei reports as given, with
//! the reason it cannot be recomputed.
//!
//! Tolerances: `"2%"` (relative to the asserted value), `"0.5pp"` (absolute, percent
//! claims only), or a bare number (absolute, in the claim's unit). Rank claims default to an
//! exact match.
//!
//! Errors name the file, line and claim: an unknown query or parameter, a unit whose
//! dimension differs from the query's (asserting `usd_bn` for a percent query), a malformed
//! tolerance, a claim with neither `query` nor `stated`, duplicate ids. The query vocabulary
//! is [`QUERIES`]; `kanzei claims queries` prints it.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::fmt;

use kanzei_core::{AreaCode, FlowDirection, HsCode, SourceRef};
use kanzei_data::{DataError, Store};
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::date::Date;
use kanzei_tariff::scenario::Scenario;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use toml::Spanned;

use crate::document::Verdict;
use crate::facts::share_pct;

/// The claims-file schema this module reads.
pub const SCHEMA_VERSION: i64 = 1;

/// What a value measures; a claim's unit and its query must agree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// U.S. dollars.
    Usd,
    /// Japanese yen.
    Jpy,
    /// Percent.
    Pct,
    /// A 1-based rank.
    Rank,
    /// A count (vehicles).
    Count,
}

impl Dimension {
    fn name(self) -> &'static str {
        match self {
            Dimension::Usd => "U.S. dollars",
            Dimension::Jpy => "yen",
            Dimension::Pct => "percent",
            Dimension::Rank => "a rank",
            Dimension::Count => "a count",
        }
    }

    fn units(self) -> Vec<&'static str> {
        UNITS.iter().filter(|u| u.1 == self).map(|u| u.0).collect()
    }
}

/// Claim units: name, dimension, scale to the base unit.
const UNITS: &[(&str, Dimension, f64)] = &[
    ("usd", Dimension::Usd, 1.0),
    ("usd_m", Dimension::Usd, 1e6),
    ("usd_bn", Dimension::Usd, 1e9),
    ("usd_tn", Dimension::Usd, 1e12),
    ("jpy", Dimension::Jpy, 1.0),
    ("jpy_bn", Dimension::Jpy, 1e9),
    ("jpy_tn", Dimension::Jpy, 1e12),
    ("pct", Dimension::Pct, 1.0),
    ("rank", Dimension::Rank, 1.0),
    ("count", Dimension::Count, 1.0),
    ("count_m", Dimension::Count, 1e6),
];

/// A claim's unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unit {
    /// Its name in the file (`usd_bn`).
    pub name: &'static str,
    /// What it measures.
    pub dimension: Dimension,
    /// Base units per unit (1e9 for `usd_bn`).
    pub scale: f64,
}

impl Unit {
    /// Looks a unit up by name.
    pub fn parse(name: &str) -> Option<Unit> {
        UNITS.iter().find(|u| u.0 == name).map(|&(name, dimension, scale)| Unit { name, dimension, scale })
    }

    /// A value in this unit for people: "$228 bn", "20%", "7th", "¥4.9 tn".
    pub fn display(&self, value: f64) -> String {
        let sign = if value < 0.0 { "−" } else { "" };
        let v = value.abs();
        let num = |v: f64| {
            if (v == v.round() && v.abs() < 1e6) || v >= 100.0 {
                format!("{v:.0}")
            } else if v >= 10.0 {
                format!("{v:.1}")
            } else {
                format!("{v:.2}").trim_end_matches('0').trim_end_matches('.').to_string()
            }
        };
        match self.name {
            "usd" => format!("{sign}${}", crate::svg::format_number(v, 0)),
            "usd_m" => format!("{sign}${} m", num(v)),
            "usd_bn" => format!("{sign}${} bn", num(v)),
            "usd_tn" => format!("{sign}${} tn", num(v)),
            "jpy" => format!("{sign}¥{}", crate::svg::format_number(v, 0)),
            "jpy_bn" => format!("{sign}¥{} bn", num(v)),
            "jpy_tn" => format!("{sign}¥{} tn", num(v)),
            "pct" => format!("{sign}{}%", num(v)),
            "rank" => crate::facts::ordinal(value.round() as i64),
            "count_m" => format!("{sign}{} m", num(v)),
            _ => format!("{sign}{}", crate::svg::format_number(v, 0)),
        }
    }
}

/// How close a recomputed value must be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tolerance {
    /// Within this percent of the asserted value.
    Relative(f64),
    /// Within this many of the claim's unit (percentage points for percent claims).
    Absolute(f64),
}

impl Tolerance {
    /// Parses `"2%"`, `"0.5pp"` or a number.
    fn parse(value: &toml::Value, unit: Unit) -> Result<Tolerance, String> {
        let bad = |what: &str| {
            format!(
                "tolerance {what} is not valid; write a relative tolerance as a string like \"2%\", an absolute one in the claim's unit as a number like 0.5{}",
                if unit.dimension == Dimension::Pct { ", or percentage points as \"0.5pp\"" } else { "" }
            )
        };
        let finite_non_negative = |x: f64, what: &str| if x.is_finite() && x >= 0.0 { Ok(x) } else { Err(bad(what)) };
        match value {
            toml::Value::Integer(i) => Ok(Tolerance::Absolute(finite_non_negative(*i as f64, &i.to_string())?)),
            toml::Value::Float(f) => Ok(Tolerance::Absolute(finite_non_negative(*f, &f.to_string())?)),
            toml::Value::String(s) => {
                let t = s.trim();
                let quoted = format!("\"{s}\"");
                if let Some(p) = t.strip_suffix('%') {
                    let x: f64 = p.trim().parse().map_err(|_| bad(&quoted))?;
                    Ok(Tolerance::Relative(finite_non_negative(x, &quoted)?))
                } else if let Some(p) = t.strip_suffix("pp") {
                    if unit.dimension != Dimension::Pct {
                        return Err(format!("tolerance \"{s}\" is in percentage points but the claim's unit is `{}`; use \"2%\" or a number", unit.name));
                    }
                    let x: f64 = p.trim().parse().map_err(|_| bad(&quoted))?;
                    Ok(Tolerance::Absolute(finite_non_negative(x, &quoted)?))
                } else {
                    let x: f64 = t.parse().map_err(|_| bad(&quoted))?;
                    Ok(Tolerance::Absolute(finite_non_negative(x, &quoted)?))
                }
            }
            other => Err(bad(&format!("of type {}", other.type_str()))),
        }
    }

    /// The largest allowed |recomputed − asserted|, in the claim's unit.
    fn bound(self, asserted: f64) -> f64 {
        match self {
            Tolerance::Relative(p) => asserted.abs() * p / 100.0,
            Tolerance::Absolute(a) => a,
        }
    }

    fn describe(self, unit: Unit) -> String {
        match self {
            Tolerance::Relative(p) => format!("±{p}%"),
            Tolerance::Absolute(a) if unit.dimension == Dimension::Pct => format!("±{a} pp"),
            Tolerance::Absolute(a) if unit.dimension == Dimension::Rank && a == 0.0 => "exact".into(),
            Tolerance::Absolute(a) => format!("±{}", unit.display(a)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

/// A query kanzei can answer: its name, what it returns, its parameters (name, default).
#[derive(Clone, Copy, Debug)]
pub struct QuerySpec {
    /// `census.deficit`.
    pub name: &'static str,
    /// What the value measures.
    pub dimension: Dimension,
    /// Parameters; `None` marks a required one.
    pub params: &'static [(&'static str, Option<&'static str>)],
    /// What it computes.
    pub help: &'static str,
}

/// Every query a claims file may use.
pub const QUERIES: &[QuerySpec] = &[
    QuerySpec { name: "census.total_trade", dimension: Dimension::Usd, params: &[("partner", None), ("year", None)], help: "U.S. exports plus general imports with a partner (Census FT-900 country file)" },
    QuerySpec { name: "census.exports", dimension: Dimension::Usd, params: &[("partner", None), ("year", None)], help: "U.S. exports to a partner (f.a.s.)" },
    QuerySpec { name: "census.imports", dimension: Dimension::Usd, params: &[("partner", None), ("year", None)], help: "U.S. general imports from a partner (customs value)" },
    QuerySpec { name: "census.balance", dimension: Dimension::Usd, params: &[("partner", None), ("year", None)], help: "U.S. exports minus imports with a partner (negative: U.S. deficit)" },
    QuerySpec { name: "census.deficit", dimension: Dimension::Usd, params: &[("partner", None), ("year", None)], help: "U.S. deficit with a partner, as a positive number (negative if a surplus)" },
    QuerySpec { name: "census.deficit_rank", dimension: Dimension::Rank, params: &[("partner", None), ("year", None)], help: "rank of the partner among U.S. bilateral deficits (countries only; aggregates never ranked)" },
    QuerySpec { name: "us_imports.chapter_share", dimension: Dimension::Pct, params: &[("partner", None), ("chapters", None)], help: "share of HS chapters (\"72+73+76\") in U.S. imports for consumption from a partner, 2024 (HS10 file)" },
    QuerySpec { name: "us_imports.chapter_value", dimension: Dimension::Usd, params: &[("partner", None), ("chapters", None)], help: "U.S. imports for consumption of HS chapters from a partner, 2024" },
    QuerySpec { name: "mof.goods_share", dimension: Dimension::Pct, params: &[("flow", Some("exports")), ("goods", None), ("partner", Some("WLD")), ("year", None)], help: "share of MOF commodity groups (\"Motor Vehicles+Parts Of Motor Vehicles\") in Japan's trade with a partner (WLD: the world)" },
    QuerySpec { name: "mof.partner_share", dimension: Dimension::Pct, params: &[("flow", Some("exports")), ("goods", Some("Grand Total")), ("partner", None), ("year", None)], help: "a partner's share of Japan's exports or imports of MOF commodity groups" },
    QuerySpec { name: "mof.value", dimension: Dimension::Jpy, params: &[("flow", Some("exports")), ("goods", Some("Grand Total")), ("partner", Some("WLD")), ("year", None)], help: "Japan's trade in MOF commodity groups with a partner, yen" },
    QuerySpec { name: "mof.value_usd", dimension: Dimension::Usd, params: &[("flow", Some("exports")), ("goods", Some("Grand Total")), ("partner", Some("WLD")), ("year", None)], help: "the same in dollars at the yen rate implied by IMF WEO GDP (NGDP / NGDPD)" },
    QuerySpec { name: "mof.partner_rank", dimension: Dimension::Rank, params: &[("flow", Some("total")), ("goods", Some("Grand Total")), ("partner", None), ("year", None)], help: "a partner's rank among the countries Japan trades MOF commodity groups with (flow: exports, imports or total; groups such as the EU not ranked)" },
    QuerySpec { name: "weo.gdp_usd", dimension: Dimension::Usd, params: &[("country", None), ("year", None)], help: "GDP in current dollars (IMF WEO NGDPD; projections after the last actual year)" },
    QuerySpec { name: "weo.gdp_jpy", dimension: Dimension::Jpy, params: &[("country", Some("JPN")), ("year", None), ("basis", Some("calendar")), ("pct", Some("100"))], help: "Japan's GDP in yen (IMF WEO NGDP; basis=fiscal for NGDP_FY), or pct percent of it" },
    QuerySpec { name: "weo.jpy_in_usd", dimension: Dimension::Usd, params: &[("jpy_bn", None), ("year", None)], help: "a yen amount (billions) in dollars at the year's rate implied by IMF WEO GDP (NGDP / NGDPD), e.g. a budget stated in yen" },
    QuerySpec { name: "tariff.table_rate", dimension: Dimension::Pct, params: &[("table", None), ("partner", None)], help: "a rate from a published table (reciprocal-2025-04-02, reciprocal-2025-08-07)" },
    QuerySpec { name: "tariff.etr", dimension: Dimension::Pct, params: &[("scenario", None), ("partner", None), ("date", None)], help: "a partner's effective U.S. tariff rate on a date (2024 import weights, before substitution)" },
    QuerySpec { name: "tariff.line_rate", dimension: Dimension::Pct, params: &[("scenario", None), ("partner", None), ("hs10", None), ("date", None)], help: "the applied U.S. rate on one HTS line from a partner on a date (MFN and all measures)" },
    QuerySpec { name: "toyota.units", dimension: Dimension::Count, params: &[("table", None), ("country", None), ("year", None)], help: "Toyota vehicles by table (sales, production, exports) and country as Toyota names it" },
    QuerySpec { name: "toyota.share", dimension: Dimension::Pct, params: &[("table", None), ("country", None), ("of", None), ("year", None)], help: "one Toyota figure as a share of another (\"Worldwide production\")" },
];

/// A parsed query: `name(key=value, …)`.
#[derive(Clone, Debug)]
pub struct Query {
    /// The spec it calls.
    pub spec: &'static QuerySpec,
    /// Arguments, defaults filled in, in the spec's order.
    pub args: Vec<(&'static str, String)>,
}

impl Query {
    /// Parses and checks against [`QUERIES`].
    pub fn parse(text: &str) -> Result<Query, String> {
        let text = text.trim();
        let open = text.find('(').ok_or_else(|| format!("query `{text}` has no argument list; write it as `name(key=value, …)`"))?;
        if !text.ends_with(')') {
            return Err(format!("query `{text}` does not end with `)`"));
        }
        let name = text[..open].trim();
        let spec = QUERIES.iter().find(|q| q.name == name).ok_or_else(|| {
            let near = kanzei_core::text::closest(name, QUERIES.iter().map(|q| q.name));
            format!(
                "unknown query `{name}`{}; known queries: {}",
                near.map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default(),
                QUERIES.iter().map(|q| q.name).collect::<Vec<_>>().join(", ")
            )
        })?;
        let body = &text[open + 1..text.len() - 1];
        let mut given: Vec<(String, String)> = Vec::new();
        for part in split_args(body)? {
            let (k, v) = part.split_once('=').ok_or_else(|| format!("argument `{part}` of `{name}` is not `key=value`"))?;
            let k = k.trim().to_string();
            let v = v.trim();
            let v = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(v).to_string();
            if !spec.params.iter().any(|p| p.0 == k) {
                return Err(format!("`{name}` has no parameter `{k}`; its parameters: {}", describe_params(spec)));
            }
            if given.iter().any(|g| g.0 == k) {
                return Err(format!("parameter `{k}` of `{name}` is given twice"));
            }
            given.push((k, v));
        }
        let mut args = Vec::new();
        for &(p, default) in spec.params {
            match given.iter().find(|g| g.0 == p).map(|g| g.1.clone()).or(default.map(str::to_string)) {
                Some(v) => args.push((p, v)),
                None => return Err(format!("`{name}` needs `{p}`; its parameters: {}", describe_params(spec))),
            }
        }
        Ok(Query { spec, args })
    }

    fn arg(&self, name: &str) -> &str {
        self.args.iter().find(|a| a.0 == name).map_or("", |a| a.1.as_str())
    }

    fn year(&self) -> Result<i32, String> {
        let y = self.arg("year");
        y.parse::<i32>().ok().filter(|y| (1900..=2100).contains(y)).ok_or_else(|| format!("`year={y}` is not a year (e.g. 2024)"))
    }
}

impl PartialEq for Query {
    fn eq(&self, other: &Query) -> bool {
        self.spec.name == other.spec.name && self.args == other.args
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<String> = self.args.iter().map(|(k, v)| if v.contains([' ', ',', '+']) { format!("{k}=\"{v}\"") } else { format!("{k}={v}") }).collect();
        write!(f, "{}({})", self.spec.name, args.join(", "))
    }
}

fn describe_params(spec: &QuerySpec) -> String {
    spec.params
        .iter()
        .map(|(p, d)| match d {
            Some(d) => format!("{p} (default {d})"),
            None => format!("{p} (required)"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits `a=1, goods="X, Y", c=2` at top-level commas.
fn split_args(body: &str) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in body.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            ',' if !quoted => {
                parts.push(std::mem::take(&mut current));
            }
            _ => current.push(c),
        }
    }
    if quoted {
        return Err(format!("unbalanced quote in `({body})`"));
    }
    parts.push(current);
    Ok(parts.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect())
}

/// A recomputed value with where it comes from.
#[derive(Clone, Debug, Serialize)]
pub struct Answer {
    /// In base units (USD, yen, percent, rank, vehicles).
    pub value: f64,
    /// The source.
    pub source: SourceRef,
    /// How it was computed, in words ("79.7 bn exports + 148.2 bn imports").
    pub detail: String,
}

/// Why a query has no answer.
#[derive(Clone, Debug)]
enum Unanswered {
    /// The data hold no value (a year not published, a partner not in a file).
    NoData(String),
    /// The query's arguments are wrong (unknown partner, bad date): the file's fault.
    Invalid(String),
}

impl From<DataError> for Unanswered {
    fn from(e: DataError) -> Unanswered {
        match e {
            DataError::YearNotAvailable { .. } | DataError::NotAvailable { .. } => Unanswered::NoData(e.to_string()),
            DataError::UnknownArea(u) => Unanswered::Invalid(u.to_string().replace('\n', " ")),
            other => Unanswered::NoData(other.to_string()),
        }
    }
}

/// Answers queries, loading data once.
pub struct Evaluator<'a> {
    store: &'a Store,
    borrowed: Option<&'a TariffData>,
    tariff: OnceCell<Result<TariffData, String>>,
    scenarios: std::cell::RefCell<HashMap<String, Scenario>>,
}

impl<'a> Evaluator<'a> {
    /// An evaluator over a store.
    pub fn new(store: &'a Store) -> Evaluator<'a> {
        Evaluator { store, borrowed: None, tariff: OnceCell::new(), scenarios: Default::default() }
    }

    /// An evaluator reusing tariff data already loaded.
    pub fn with_tariff_data(store: &'a Store, data: &'a TariffData) -> Evaluator<'a> {
        Evaluator { store, borrowed: Some(data), tariff: OnceCell::new(), scenarios: Default::default() }
    }

    fn tariff_data(&self) -> Result<&TariffData, Unanswered> {
        if let Some(data) = self.borrowed {
            return Ok(data);
        }
        self.tariff
            .get_or_init(|| TariffData::load(self.store).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| Unanswered::NoData(e.clone()))
    }

    fn scenario(&self, id: &str) -> Result<Scenario, Unanswered> {
        if let Some(s) = self.scenarios.borrow().get(id) {
            return Ok(s.clone());
        }
        let data = self.tariff_data()?;
        let library = kanzei_tariff::library::Library::shipped();
        let vocab = kanzei_tariff::library::vocabulary(data.registry, &data.inputs);
        let s = library.load(id, &vocab).map_err(|e| Unanswered::Invalid(e.message))?;
        self.scenarios.borrow_mut().insert(id.to_string(), s.clone());
        Ok(s)
    }

    fn area(&self, text: &str) -> Result<&'static kanzei_core::Area, Unanswered> {
        self.store.registry().resolve(text).map_err(|e| Unanswered::Invalid(e.to_string().replace('\n', " ")))
    }

    fn answer(&self, q: &Query) -> Result<Answer, Unanswered> {
        let invalid = Unanswered::Invalid;
        match q.spec.name {
            "census.total_trade" | "census.exports" | "census.imports" | "census.balance" | "census.deficit" | "census.deficit_rank" => {
                let year = q.year().map_err(invalid)?;
                let area = self.area(q.arg("partner"))?;
                let census = self.store.census_country()?;
                let table = census.balance(year, self.store.registry())?;
                if !matches!(table.period, kanzei_core::Period::Year(_)) {
                    // A claim about a year is about all twelve months; a year-to-date sum is
                    // not an answer to it.
                    return Err(Unanswered::NoData(format!(
                        "Census has only {} so far, a partial year; a claim about the year {year} cannot be checked against it",
                        table.period
                    )));
                }
                let source = census.source(&table.period.to_string());
                let row = table.get(area.code).ok_or_else(|| Unanswered::NoData(format!("Census reports no {year} trade with {} ({})", area.name, area.code)))?;
                let bn = |v: f64| format!("${:.1} bn", v / 1e9);
                let (value, detail) = match q.spec.name {
                    "census.total_trade" => (row.total_usd, format!("exports {} + imports {}", bn(row.exports_usd), bn(row.imports_usd))),
                    "census.exports" => (row.exports_usd, "exports f.a.s.".into()),
                    "census.imports" => (row.imports_usd, "general imports, customs value".into()),
                    "census.balance" => (row.balance_usd, format!("exports {} − imports {}", bn(row.exports_usd), bn(row.imports_usd))),
                    "census.deficit" => (-row.balance_usd, format!("imports {} − exports {}", bn(row.imports_usd), bn(row.exports_usd))),
                    _ => {
                        let rank = table.deficit_rank(area.code).ok_or_else(|| Unanswered::NoData(format!("the U.S. had a surplus with {} in {year}; it has no deficit rank", area.name)))?;
                        let ahead: Vec<&str> = table.partners.iter().take(rank.saturating_sub(1)).map(|p| p.partner.as_str()).collect();
                        (rank as f64, if ahead.is_empty() { "largest deficit".into() } else { format!("after {}", ahead.join(", ")) })
                    }
                };
                Ok(Answer { value, source, detail })
            }
            "us_imports.chapter_share" | "us_imports.chapter_value" => {
                let area = self.area(q.arg("partner"))?;
                let chapters = parse_chapters(q.arg("chapters")).map_err(invalid)?;
                let hs10 = self.store.us_imports_hs10()?;
                let codes = area.census_codes.clone();
                if !codes.iter().any(|c| hs10.has_partner(*c)) {
                    return Err(Unanswered::NoData(format!("the 2024 HS10 file has no detail for {} ({}); it covers 50 partners and the EU", area.name, area.code)));
                }
                let (total, _) = hs10.total(&codes);
                let mut parts = Vec::new();
                for ch in &chapters {
                    parts.push(format!("HS {ch} ${:.2} bn", hs10.value_in_chapters(&codes, &[ch.as_str()]) / 1e9));
                }
                let value = hs10.value_in_chapters(&codes, &chapters.iter().map(String::as_str).collect::<Vec<_>>());
                let detail = format!("{} of ${:.1} bn", parts.join(" + "), total / 1e9);
                let value = if q.spec.name.ends_with("share") { share_pct(value, total) } else { value };
                Ok(Answer { value, source: hs10.source(), detail })
            }
            "mof.partner_rank" => self.mof_rank(q),
            "mof.goods_share" | "mof.partner_share" | "mof.value" | "mof.value_usd" => {
                let year = q.year().map_err(invalid)?;
                let flow = match q.arg("flow") {
                    "exports" => FlowDirection::Exports,
                    "imports" => FlowDirection::Imports,
                    other => return Err(Unanswered::Invalid(format!("`flow={other}` is not valid; use exports or imports"))),
                };
                let mof = self.store.japan_mof()?;
                mof.check_year(year)?;
                let partner = match q.arg("partner") {
                    "WLD" | "wld" | "World" | "world" => AreaCode::new("WLD").expect("valid"),
                    other => self.area(other)?.code,
                };
                let world = AreaCode::new("WLD").expect("valid");
                let goods: Vec<&str> = q.arg("goods").split('+').map(str::trim).collect();
                let known: Vec<&str> = {
                    let mut k: Vec<&str> = mof.by_commodity(flow, world, year).into_iter().map(|(g, _)| g).collect();
                    k.sort_unstable();
                    k.dedup();
                    k
                };
                for g in &goods {
                    if !known.contains(g) {
                        let near = kanzei_core::text::closest(g, known.iter().copied());
                        return Err(Unanswered::Invalid(format!(
                            "MOF has no commodity group `{g}` for {} in {year}{}; groups include: {}",
                            q.arg("flow"),
                            near.map(|n| format!(" (did you mean `{n}`?)")).unwrap_or_default(),
                            known.iter().take(40).copied().collect::<Vec<_>>().join(", ")
                        )));
                    }
                }
                let sum = |p: AreaCode, gs: &[&str]| gs.iter().map(|g| mof.value(flow, p, g, year).unwrap_or(0.0)).sum::<f64>();
                let source = mof.source(&year.to_string());
                let label = goods.join(" + ");
                let pname = if partner == world { "the world".to_string() } else { partner.to_string() };
                match q.spec.name {
                    "mof.goods_share" => {
                        let part = sum(partner, &goods);
                        let total = sum(partner, &["Grand Total"]);
                        if total == 0.0 {
                            return Err(Unanswered::NoData(format!("MOF reports no {year} {} with {pname}", q.arg("flow"))));
                        }
                        Ok(Answer { value: share_pct(part, total), source, detail: format!("{label} ¥{:.2} tn of ¥{:.2} tn with {pname}", part / 1e3, total / 1e3) })
                    }
                    "mof.partner_share" => {
                        let part = sum(partner, &goods);
                        let total = sum(world, &goods);
                        if total == 0.0 {
                            return Err(Unanswered::NoData(format!("MOF reports no {year} {} of {label}", q.arg("flow"))));
                        }
                        Ok(Answer { value: share_pct(part, total), source, detail: format!("¥{:.2} tn to {pname} of ¥{:.2} tn ({label})", part / 1e3, total / 1e3) })
                    }
                    "mof.value" => Ok(Answer { value: sum(partner, &goods) * 1e9, source, detail: format!("{label}, {pname}") }),
                    _ => {
                        let weo = self.store.weo()?;
                        let rate = weo.implied_rate("JPN", year)?;
                        Ok(Answer { value: sum(partner, &goods) * 1e9 / rate, source, detail: format!("{label}, {pname}, at ¥{rate:.2}/$ (IMF WEO NGDP/NGDPD)") })
                    }
                }
            }
            "weo.gdp_usd" | "weo.gdp_jpy" => {
                let year = q.year().map_err(invalid)?;
                let area = self.area(q.arg("country"))?;
                let weo = self.store.weo()?;
                let concept = match (q.spec.name, q.arg("basis")) {
                    ("weo.gdp_usd", _) => "NGDPD",
                    (_, "calendar") => "NGDP",
                    (_, "fiscal") => "NGDP_FY",
                    (_, other) => return Err(Unanswered::Invalid(format!("`basis={other}` is not valid; use calendar or fiscal"))),
                };
                if q.spec.name == "weo.gdp_jpy" && area.code.as_str() != "JPN" {
                    return Err(Unanswered::Invalid(format!("weo.gdp_jpy is Japan's GDP in yen; for {} use weo.gdp_usd", area.code)));
                }
                let share: f64 = q.arg("pct").parse().ok().filter(|p: &f64| p.is_finite() && *p > 0.0).ok_or_else(|| Unanswered::Invalid(format!("`pct={}` is not a positive number", q.arg("pct"))))?;
                let value = weo.value_units(area.code.as_str(), concept, year)? * share / 100.0;
                let projected = weo.is_projection(area.code.as_str(), concept, year);
                let of = if share == 100.0 { String::new() } else { format!("{share}% of ") };
                Ok(Answer {
                    value,
                    source: weo.source(concept, &year.to_string()),
                    detail: format!("{of}{concept} {year}{}", if projected { " (IMF projection)" } else { "" }),
                })
            }
            "weo.jpy_in_usd" => {
                let year = q.year().map_err(invalid)?;
                let jpy_bn: f64 = q.arg("jpy_bn").parse().ok().filter(|v: &f64| v.is_finite()).ok_or_else(|| Unanswered::Invalid(format!("`jpy_bn={}` is not a number", q.arg("jpy_bn"))))?;
                let weo = self.store.weo()?;
                let rate = weo.implied_rate("JPN", year)?;
                Ok(Answer { value: jpy_bn * 1e9 / rate, source: weo.source("NGDP / NGDPD (implied yen rate)", &year.to_string()), detail: format!("¥{jpy_bn} bn at ¥{rate:.2}/$") })
            }
            "tariff.table_rate" => {
                let data = self.tariff_data()?;
                let area = self.area(q.arg("partner"))?;
                let id = q.arg("table");
                let table = data.inputs.tables.get(id).ok_or_else(|| {
                    Unanswered::Invalid(format!("no rate table `{id}`; tables: {}", data.inputs.tables.keys().cloned().collect::<Vec<_>>().join(", ")))
                })?;
                let rate = table.rates.get(&area.code).ok_or_else(|| Unanswered::NoData(format!("table `{id}` has no rate for {} ({})", area.name, area.code)))?;
                Ok(Answer {
                    value: *rate,
                    source: SourceRef {
                        dataset: "tariff_tables".into(),
                        publisher: "The White House; The Budget Lab at Yale".into(),
                        citation: format!("{} ({})", table.title, table.legal),
                        basis: "rate set by the order, percent ad valorem, stacked on MFN".into(),
                        period: id.trim_start_matches("reciprocal-").into(),
                    },
                    detail: table.title.clone(),
                })
            }
            "tariff.etr" => {
                let data = self.tariff_data()?;
                let area = self.area(q.arg("partner"))?;
                let date: Date = q.arg("date").parse().map_err(|_| Unanswered::Invalid(format!("`date={}` is not a valid date; write YYYY-MM-DD (e.g. 2025-10-01)", q.arg("date"))))?;
                let scenario = self.scenario(q.arg("scenario"))?;
                let (cells, compiled) = data.compile(&scenario);
                let points = kanzei_tariff::analysis::timeline(&compiled, &cells, date, date, Some(area.code));
                let p = points.first().ok_or_else(|| Unanswered::NoData("empty timeline".into()))?;
                let value: f64 = cells.cells.iter().filter(|c| c.exporter == area.code).map(|c| c.value_usd).sum();
                if value == 0.0 {
                    return Err(Unanswered::NoData(format!("no 2024 U.S. imports from {} in kanzei's tariff cells", area.code)));
                }
                Ok(Answer {
                    value: p.etr_pct,
                    source: tariff_source(&scenario, date),
                    detail: format!("{} on {date}, 2024 imports ${:.1} bn", scenario.id, value / 1e9),
                })
            }
            "tariff.line_rate" => {
                let data = self.tariff_data()?;
                let area = self.area(q.arg("partner"))?;
                let date: Date = q.arg("date").parse().map_err(|_| Unanswered::Invalid(format!("`date={}` is not a valid date; write YYYY-MM-DD (e.g. 2025-10-01)", q.arg("date"))))?;
                let code = HsCode::parse(q.arg("hs10")).map_err(|e| Unanswered::Invalid(format!("`hs10`: {e}")))?;
                if code.len() != 10 {
                    return Err(Unanswered::Invalid(format!("`hs10={}` has {} digits; give a 10-digit HTS line (e.g. 8703230140)", q.arg("hs10"), code.len())));
                }
                let hts = self.store.hts()?;
                let code22 = code.with_vintage(kanzei_core::HsVintage::Hs2022);
                if hts.get(code22).is_none() && !data.us_cells.cells.iter().any(|c| c.code == code22) {
                    return Err(Unanswered::Invalid(format!("`hs10={code}` is not a line of the HTS 2025 and has no 2024 imports; `kanzei tariff explain` lists the lines under its prefix")));
                }
                let scenario = self.scenario(q.arg("scenario"))?;
                let e = kanzei_tariff::analysis::explain(data, &scenario, area.code, code, date, String::new());
                let applied: Vec<String> = e.steps.iter().filter(|s| s.contribution_pp.abs() > 1e-9).map(|s| format!("{} {:+.1}", s.measure, s.contribution_pp)).collect();
                Ok(Answer {
                    value: e.total_pct,
                    source: tariff_source(&scenario, date),
                    detail: format!("base {:.1}%{}{}", e.base_pct, if applied.is_empty() { "" } else { "; " }, applied.join(", ")),
                })
            }
            "toyota.units" | "toyota.share" => {
                let year = q.year().map_err(invalid)?;
                let (toyota, _) = self.store.autos()?;
                let table = q.arg("table");
                if !["sales", "production", "exports"].contains(&table) {
                    return Err(Unanswered::Invalid(format!("`table={table}` is not valid; use sales, production or exports")));
                }
                let find = |name: &str| -> Result<f64, Unanswered> {
                    let rows: Vec<_> = toyota.rows.iter().filter(|r| r.table == table && (r.country == name || (r.country.is_empty() && r.region == name))).collect();
                    match rows.iter().find(|r| r.year == year) {
                        Some(r) => Ok(r.units),
                        None if rows.is_empty() => {
                            let mut names: Vec<&str> = toyota.rows.iter().filter(|r| r.table == table && r.year == year).map(|r| if r.country.is_empty() { r.region.as_str() } else { r.country.as_str() }).collect();
                            names.dedup();
                            Err(Unanswered::Invalid(format!("Toyota's {table} table has no `{name}`; names: {}", names.join(", "))))
                        }
                        None => Err(Unanswered::NoData(format!("Toyota's {table} table has no {year} figure for {name}"))),
                    }
                };
                let units = find(q.arg("country"))?;
                let source = kanzei_data::autos::ToyotaResults::source(year);
                if q.spec.name == "toyota.units" {
                    return Ok(Answer { value: units, source, detail: format!("{table}, {}", q.arg("country")) });
                }
                let of = find(q.arg("of"))?;
                if of == 0.0 {
                    return Err(Unanswered::NoData(format!("Toyota's {table} for {} is zero in {year}", q.arg("of"))));
                }
                Ok(Answer { value: share_pct(units, of), source, detail: format!("{units:.0} of {of:.0} vehicles") })
            }
            other => Err(Unanswered::Invalid(format!("query `{other}` has no implementation"))),
        }
    }
}

impl Evaluator<'_> {
    /// `mof.partner_rank`: the partner's rank among countries by Japan's exports, imports or
    /// both of the groups.
    fn mof_rank(&self, q: &Query) -> Result<Answer, Unanswered> {
        let year = q.year().map_err(Unanswered::Invalid)?;
        let flows: &[FlowDirection] = match q.arg("flow") {
            "exports" => &[FlowDirection::Exports],
            "imports" => &[FlowDirection::Imports],
            "total" => &[FlowDirection::Exports, FlowDirection::Imports],
            other => return Err(Unanswered::Invalid(format!("`flow={other}` is not valid; use exports, imports or total"))),
        };
        let mof = self.store.japan_mof()?;
        mof.check_year(year)?;
        let partner = self.area(q.arg("partner"))?.code;
        let registry = self.store.registry();
        let mut totals: HashMap<AreaCode, f64> = HashMap::new();
        for &flow in flows {
            for g in q.arg("goods").split('+').map(str::trim) {
                for (p, v) in mof.partners(flow, g, year) {
                    if registry.get(p).is_some_and(|a| a.kind == kanzei_core::AreaKind::Country) {
                        *totals.entry(p).or_default() += v;
                    }
                }
            }
        }
        let mut ranked: Vec<(AreaCode, f64)> = totals.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.as_str().cmp(b.0.as_str())));
        let rank = ranked.iter().position(|(p, _)| *p == partner).ok_or_else(|| Unanswered::NoData(format!("MOF reports no {year} {} of {} with {partner}", q.arg("flow"), q.arg("goods"))))? + 1;
        let ahead: Vec<String> = ranked.iter().take(rank - 1).map(|(p, v)| format!("{p} ¥{:.2} tn", v / 1e3)).collect();
        let detail = format!("¥{:.2} tn{}", ranked[rank - 1].1 / 1e3, if ahead.is_empty() { ", the largest".into() } else { format!(", after {}", ahead.join(", ")) });
        Ok(Answer { value: rank as f64, source: mof.source(&year.to_string()), detail })
    }
}

fn tariff_source(scenario: &Scenario, date: Date) -> SourceRef {
    SourceRef {
        dataset: "kanzei_tariff".into(),
        publisher: "kanzei tariff engine on USITC HTS 2025 and U.S. Census 2024 imports".into(),
        citation: format!("kanzei scenario `{}` ({})", scenario.id, scenario.title),
        basis: "applied rate, percent ad valorem, 2024 import weights, before substitution".into(),
        period: date.to_string(),
    }
}

fn parse_chapters(text: &str) -> Result<Vec<String>, String> {
    let out: Vec<String> = text.split('+').map(|c| c.trim().to_string()).collect();
    for c in &out {
        if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_digit()) || c == "00" || c.as_str() > "99" {
            return Err(format!("`chapters`: `{c}` is not a 2-digit HS chapter; write chapters joined by + (\"72+73+76\")"));
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// The file
// ---------------------------------------------------------------------------------------------

/// A claims file that cannot be used, with the place.
#[derive(Clone, Debug, Error, PartialEq)]
#[error("{file}:{line}: {claim}{message}")]
pub struct ClaimsError {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// "claim `trade-total`: " or "".
    pub claim: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    schema: Spanned<i64>,
    title: Option<String>,
    source: Option<String>,
    source_date: Option<Spanned<String>>,
    #[serde(default)]
    claim: Vec<Spanned<RawClaim>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    id: Spanned<String>,
    text: String,
    section: Option<String>,
    value: Option<Spanned<f64>>,
    unit: Option<Spanned<String>>,
    query: Option<Spanned<String>>,
    tolerance: Option<Spanned<toml::Value>>,
    stated: Option<String>,
    if_differs: Option<String>,
    note: Option<String>,
    origin: Option<Spanned<String>>,
    quote: Option<String>,
    paragraph: Option<usize>,
    as_of: Option<Spanned<String>>,
    reference: Option<String>,
}

/// Where a claim comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The source document makes it; the claim carries the sentence (`quote`) and its
    /// `paragraph`.
    Bulletin,
    /// A development after the source document's date, with the date (`as_of`) and its legal
    /// or published source (`reference`).
    Later,
    /// kanzei's own figure or a parameter from another published source, used to check or
    /// extend the document (the default).
    Derived,
}

impl Origin {
    const NAMES: [&'static str; 3] = ["bulletin", "later", "derived"];

    fn parse(text: &str) -> Option<Origin> {
        match text {
            "bulletin" => Some(Origin::Bulletin),
            "later" => Some(Origin::Later),
            "derived" => Some(Origin::Derived),
            _ => None,
        }
    }

    /// Its name in the file.
    pub fn name(self) -> &'static str {
        match self {
            Origin::Bulletin => "bulletin",
            Origin::Later => "later",
            Origin::Derived => "derived",
        }
    }
}

/// How a claim is checked.
#[derive(Clone, Debug, PartialEq)]
pub enum Check {
    /// Recompute with a query.
    Query {
        /// The query.
        query: Query,
        /// The tolerance.
        tolerance: Tolerance,
        /// The likely reason if it differs.
        if_differs: Option<String>,
    },
    /// Reported as given.
    Stated {
        /// Why it cannot be recomputed.
        reason: String,
    },
}

/// One claim.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// Id, unique in the file.
    pub id: String,
    /// Line of the `[[claim]]` in the file.
    pub line: usize,
    /// The section of the source document (`economy`, `security`).
    pub section: String,
    /// The claim in words.
    pub text: String,
    /// The asserted value in `unit`.
    pub value: Option<f64>,
    /// Its unit.
    pub unit: Option<Unit>,
    /// How it is checked.
    pub check: Check,
    /// A remark shown with the verdict.
    pub note: Option<String>,
    /// Where it comes from.
    pub origin: Origin,
    /// A bulletin claim's sentence, verbatim.
    pub quote: Option<String>,
    /// The paragraph of the source document the quote is in (the lead paragraph is 1).
    pub paragraph: Option<usize>,
    /// The date the claim holds from (`YYYY-MM-DD`, `YYYY-MM` or `YYYY`).
    pub as_of: Option<String>,
    /// Its legal or published source.
    pub reference: Option<String>,
}

/// A parsed claims file.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimsFile {
    /// File name as given.
    pub file: String,
    /// Title.
    pub title: String,
    /// The document the claims come from.
    pub source: Option<String>,
    /// That document's date (`YYYY-MM-DD`); `later` claims must be after it.
    pub source_date: Option<String>,
    /// The claims in file order.
    pub claims: Vec<Claim>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].bytes().filter(|&b| b == b'\n').count() + 1
}

/// `YYYY-MM-DD` (or, unless `full`, `YYYY-MM` or `YYYY`) with a valid month and day.
fn is_date(text: &str, full: bool) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    let number = |s: &str, len: usize| (s.len() == len && s.chars().all(|c| c.is_ascii_digit())).then(|| s.parse::<u32>().unwrap_or(0));
    match parts.as_slice() {
        [y, m, d] => number(y, 4).is_some() && number(m, 2).is_some_and(|m| (1..=12).contains(&m)) && number(d, 2).is_some_and(|d| (1..=31).contains(&d)),
        [y, m] if !full => number(y, 4).is_some() && number(m, 2).is_some_and(|m| (1..=12).contains(&m)),
        [y] if !full => number(y, 4).is_some(),
        _ => false,
    }
}

/// The first day an `as_of` date covers (`2025-06` → `2025-06-01`), for comparing with a
/// full date.
pub fn as_of_start(as_of: &str) -> String {
    match as_of.len() {
        4 => format!("{as_of}-01-01"),
        7 => format!("{as_of}-01"),
        _ => as_of.to_string(),
    }
}

/// A claim's origin, with the fields it requires: a bulletin claim quotes the document and
/// names the paragraph; a later one is dated after the document and has a reference; a stated
/// parameter that is not the document's own has a reference and a date. Errors carry the
/// offset of the field at fault when there is one.
fn origin_of(c: &RawClaim, source_date: Option<&str>, stated: bool) -> Result<Origin, (Option<usize>, String)> {
    let origin = match &c.origin {
        None => Origin::Derived,
        Some(o) => Origin::parse(o.get_ref()).ok_or_else(|| (Some(o.span().start), format!("unknown origin `{}`; expected one of: {}", o.get_ref(), Origin::NAMES.join(", "))))?,
    };
    if let Some(d) = &c.as_of {
        if !is_date(d.get_ref(), false) {
            return Err((Some(d.span().start), format!("as_of `{}` is not a date; write YYYY-MM-DD, YYYY-MM or YYYY", d.get_ref())));
        }
    }
    let has_quote = c.quote.as_deref().is_some_and(|q| !q.trim().is_empty());
    match origin {
        Origin::Bulletin if !has_quote || c.paragraph.is_none() => {
            return Err((None, "a `bulletin` claim needs `quote` (the document's sentence, verbatim) and `paragraph` (its number, the lead paragraph being 1)".into()))
        }
        Origin::Bulletin => {}
        _ if has_quote || c.paragraph.is_some() => return Err((None, format!("`quote` and `paragraph` belong to `bulletin` claims; this one is `{}`", origin.name()))),
        Origin::Later => {
            let Some(d) = &c.as_of else { return Err((None, "a `later` claim needs `as_of`, the date it holds from".into())) };
            if c.reference.is_none() {
                return Err((None, "a `later` claim needs `reference`, its legal or published source".into()));
            }
            if let Some(source) = source_date {
                if as_of_start(d.get_ref()).as_str() <= source {
                    return Err((Some(d.span().start), format!("as_of `{}` is not after the document's date ({source}); a development the document knew is a `bulletin` or `derived` claim", d.get_ref())));
                }
            }
        }
        Origin::Derived if stated && (c.reference.is_none() || c.as_of.is_none()) => {
            return Err((None, "a stated parameter that is not the document's own needs `reference` (its source) and `as_of` (its date)".into()))
        }
        Origin::Derived => {}
    }
    Ok(origin)
}

/// Parses a claims file as read: bytes that are not UTF-8 are an error naming the line and
/// byte offset; otherwise as [`parse`].
pub fn parse_bytes(file: &str, bytes: &[u8]) -> Result<ClaimsFile, ClaimsError> {
    let text = kanzei_tariff::toml_text::decode(bytes).map_err(|l| ClaimsError {
        file: file.into(),
        line: l.line,
        claim: String::new(),
        message: if l.key.is_empty() { l.message } else { format!("key `{}`: {}", l.key, l.message) },
    })?;
    parse(file, text)
}

/// Parses a claims file; every error names the file, line and claim.
pub fn parse(file: &str, text: &str) -> Result<ClaimsFile, ClaimsError> {
    let err = |line: usize, claim: &str, message: String| ClaimsError {
        file: file.into(),
        line,
        claim: if claim.is_empty() { String::new() } else { format!("claim `{claim}`: ") },
        message,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        // Name the claim the error sits in, if any.
        let claim = e
            .span()
            .and_then(|s| {
                let before = &text[..s.start.min(text.len())];
                let start = before.rfind("[[claim]]")?;
                let block = &text[start..s.start.min(text.len())];
                block.lines().find_map(|l| l.trim().strip_prefix("id").map(|r| r.trim_start_matches([' ', '=']).trim().trim_matches('"').to_string()))
            })
            .unwrap_or_default();
        let located = kanzei_tariff::toml_text::locate(text, e.span(), e.message());
        let mut message = located.message;
        if message.contains("unknown field") {
            message.push_str(" (a claim has: id, text, section, value, unit, query, tolerance, stated, if_differs, note, origin, quote, paragraph, as_of, reference)");
        }
        if !located.key.is_empty() {
            message = format!("key `{}`: {message}", located.key);
        }
        err(line, &claim, message)
    })?;
    if *raw.schema.get_ref() != SCHEMA_VERSION {
        return Err(err(line_of(text, raw.schema.span().start), "", format!("schema {} is not supported; this kanzei reads claims schema {SCHEMA_VERSION}", raw.schema.get_ref())));
    }
    let source_date = match &raw.source_date {
        Some(d) if !is_date(d.get_ref(), true) => {
            return Err(err(line_of(text, d.span().start), "", format!("source_date `{}` is not a date; write YYYY-MM-DD (e.g. 2025-03-11)", d.get_ref())))
        }
        Some(d) => Some(d.get_ref().clone()),
        None => None,
    };
    let mut claims: Vec<Claim> = Vec::new();
    for spanned in raw.claim {
        let line = line_of(text, spanned.span().start);
        let c = spanned.into_inner();
        let id = c.id.get_ref().trim().to_string();
        if id.is_empty() || !id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_') {
            return Err(err(line_of(text, c.id.span().start), &id, "ids are non-empty ASCII letters, digits, `-` and `_`".into()));
        }
        if let Some(prev) = claims.iter().find(|p| p.id == id) {
            return Err(err(line, &id, format!("the id is used twice (first on line {}); ids must be unique", prev.line)));
        }
        let unit = match &c.unit {
            Some(u) => Some(Unit::parse(u.get_ref()).ok_or_else(|| {
                err(line_of(text, u.span().start), &id, format!("unknown unit `{}`; units: {}", u.get_ref(), UNITS.iter().map(|u| u.0).collect::<Vec<_>>().join(", ")))
            })?),
            None => None,
        };
        let value = c.value.as_ref().map(|v| *v.get_ref());
        if value.is_some_and(|v| !v.is_finite()) {
            return Err(err(line, &id, "`value` must be a finite number".into()));
        }
        let check = match (&c.query, &c.stated) {
            (Some(_), Some(_)) => return Err(err(line, &id, "give either `query` (recomputed) or `stated` (a parameter reported as given, with the reason), not both".into())),
            (None, None) => return Err(err(line, &id, "needs `query` (how kanzei recomputes it) or `stated` (why it is a parameter kanzei reports as given)".into())),
            (None, Some(reason)) => {
                if reason.trim().is_empty() {
                    return Err(err(line, &id, "`stated` must say why the claim is reported as given".into()));
                }
                Check::Stated { reason: reason.trim().to_string() }
            }
            (Some(q), None) => {
                let qline = line_of(text, q.span().start);
                let query = Query::parse(q.get_ref()).map_err(|m| err(qline, &id, m))?;
                let Some(unit) = unit else {
                    return Err(err(line, &id, format!("needs `unit`: the query returns {}; units for it: {}", query.spec.dimension.name(), query.spec.dimension.units().join(", "))));
                };
                if value.is_none() {
                    return Err(err(line, &id, "needs `value`: the number the claim asserts, in `unit`".into()));
                }
                if unit.dimension != query.spec.dimension {
                    let uline = c.unit.as_ref().map_or(line, |u| line_of(text, u.span().start));
                    return Err(err(
                        uline,
                        &id,
                        format!(
                            "unit `{}` is {} but `{}` returns {}; use one of: {}",
                            unit.name,
                            unit.dimension.name(),
                            query.spec.name,
                            query.spec.dimension.name(),
                            query.spec.dimension.units().join(", ")
                        ),
                    ));
                }
                let tolerance = match &c.tolerance {
                    Some(t) => Tolerance::parse(t.get_ref(), unit).map_err(|m| err(line_of(text, t.span().start), &id, m))?,
                    None if unit.dimension == Dimension::Rank => Tolerance::Absolute(0.0),
                    None => {
                        return Err(err(
                            line,
                            &id,
                            "needs `tolerance`: how close the data must come, relative (\"2%\") or absolute in the claim's unit (0.5)".into(),
                        ))
                    }
                };
                Check::Query { query, tolerance, if_differs: c.if_differs.clone() }
            }
        };
        if c.tolerance.is_some() && matches!(check, Check::Stated { .. }) {
            return Err(err(line, &id, "a stated parameter has no `tolerance`; remove it or give a `query`".into()));
        }
        let origin = origin_of(&c, source_date.as_deref(), matches!(check, Check::Stated { .. })).map_err(|(offset, m)| err(offset.map_or(line, |o| line_of(text, o)), &id, m))?;
        let as_of = c.as_of.map(Spanned::into_inner);
        claims.push(Claim {
            id,
            line,
            section: c.section.unwrap_or_else(|| "general".into()),
            text: c.text,
            value,
            unit,
            check,
            note: c.note,
            origin,
            quote: c.quote.map(|q| q.trim().to_string()),
            paragraph: c.paragraph,
            as_of,
            reference: c.reference,
        });
    }
    if claims.is_empty() {
        return Err(err(1, "", "the file has no [[claim]] tables".into()));
    }
    Ok(ClaimsFile { file: file.into(), title: raw.title.unwrap_or_else(|| file.into()), source: raw.source, source_date, claims })
}

// ---------------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------------

/// A claim with its verdict.
#[derive(Clone, Debug, Serialize)]
pub struct CheckedClaim {
    /// Id.
    pub id: String,
    /// Section of the source document.
    pub section: String,
    /// The claim in words.
    pub text: String,
    /// The claim's unit (`usd_bn`).
    pub unit: Option<String>,
    /// The base unit of `*_value` fields (`USD`, `JPY`, `pct`, `rank`, `count`).
    pub base_unit: Option<String>,
    /// Asserted, in base units.
    pub asserted_value: Option<f64>,
    /// Recomputed, in base units.
    pub recomputed_value: Option<f64>,
    /// Asserted, for people ("$68 bn").
    pub asserted: Option<String>,
    /// Recomputed, for people ("$68.5 bn").
    pub recomputed: Option<String>,
    /// Recomputed − asserted, in the claim's unit.
    pub difference: Option<f64>,
    /// The same relative to the asserted value, percent.
    pub difference_pct: Option<f64>,
    /// The tolerance ("±2%").
    pub tolerance: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why it differs, why there is no data, or why it is a stated parameter.
    pub reason: Option<String>,
    /// The query, with defaults filled in.
    pub query: Option<String>,
    /// How the value was computed.
    pub detail: Option<String>,
    /// Where the recomputed value comes from.
    pub source: Option<SourceRef>,
    /// A remark from the file.
    pub note: Option<String>,
    /// Where the claim comes from.
    pub origin: Origin,
    /// A bulletin claim's sentence, verbatim.
    pub quote: Option<String>,
    /// The paragraph the quote is in, as the file states it.
    pub paragraph: Option<usize>,
    /// The date the claim holds from.
    pub as_of: Option<String>,
    /// Its legal or published source (a bulletin claim: the file's `source`).
    pub reference: Option<String>,
    /// Whether the quote was found in that paragraph of the source text: `None` until
    /// [`verify_quotes`] is given the text.
    pub quote_found: Option<bool>,
    /// The paragraph the quote was found in, if anywhere.
    pub found_in_paragraph: Option<usize>,
}

/// Checks every claim. Query errors that are the file's fault (an unknown partner, a bad
/// date, an unknown scenario or commodity group) are [`ClaimsError`]s naming the claim.
pub fn check(file: &ClaimsFile, evaluator: &Evaluator<'_>) -> Result<Vec<CheckedClaim>, ClaimsError> {
    let mut out = Vec::new();
    for claim in &file.claims {
        let base_unit = claim.unit.map(|u| match u.dimension {
            Dimension::Usd => "USD",
            Dimension::Jpy => "JPY",
            Dimension::Pct => "pct",
            Dimension::Rank => "rank",
            Dimension::Count => "count",
        });
        let mut row = CheckedClaim {
            id: claim.id.clone(),
            section: claim.section.clone(),
            text: claim.text.clone(),
            unit: claim.unit.map(|u| u.name.to_string()),
            base_unit: base_unit.map(str::to_string),
            asserted_value: claim.value.zip(claim.unit).map(|(v, u)| v * u.scale),
            recomputed_value: None,
            asserted: claim.value.zip(claim.unit).map(|(v, u)| u.display(v)).or_else(|| claim.value.map(|v| v.to_string())),
            recomputed: None,
            difference: None,
            difference_pct: None,
            tolerance: None,
            verdict: Verdict::StatedParameter,
            reason: None,
            query: None,
            detail: None,
            source: None,
            note: claim.note.clone(),
            origin: claim.origin,
            quote: claim.quote.clone(),
            paragraph: claim.paragraph,
            as_of: claim.as_of.clone().or_else(|| (claim.origin == Origin::Bulletin).then(|| file.source_date.clone()).flatten()),
            reference: claim.reference.clone().or_else(|| (claim.origin == Origin::Bulletin).then(|| file.source.clone()).flatten()),
            quote_found: None,
            found_in_paragraph: None,
        };
        match &claim.check {
            Check::Stated { reason } => row.reason = Some(reason.clone()),
            Check::Query { query, tolerance, if_differs } => {
                let unit = claim.unit.expect("checked at parse");
                let asserted = claim.value.expect("checked at parse");
                row.query = Some(query.to_string());
                row.tolerance = Some(tolerance.describe(unit));
                match evaluator.answer(query) {
                    Ok(a) => {
                        let recomputed = a.value / unit.scale;
                        let diff = recomputed - asserted;
                        row.recomputed_value = Some(a.value);
                        row.recomputed = Some(unit.display(round_for_display(recomputed, unit)));
                        row.difference = Some(diff);
                        row.difference_pct = (asserted != 0.0).then(|| 100.0 * diff / asserted.abs());
                        row.detail = Some(a.detail);
                        row.source = Some(a.source);
                        if diff.abs() <= tolerance.bound(asserted) + 1e-9 * asserted.abs().max(1.0) {
                            row.verdict = Verdict::Confirmed;
                        } else {
                            row.verdict = Verdict::Differs;
                            let by = match unit.dimension {
                                Dimension::Pct => format!("{:+.1} pp", diff),
                                Dimension::Rank => format!("{:+.0} places", diff),
                                _ => format!("{}{} ({:+.1}%)", if diff < 0.0 { "−" } else { "+" }, unit.display(round_for_display(diff.abs(), unit)), row.difference_pct.unwrap_or(0.0)),
                            };
                            let by = by.replacen('-', "−", 1);
                            row.reason = Some(match if_differs {
                                Some(r) => format!("off by {by}, outside {}: {}", tolerance.describe(unit), r.trim()),
                                None => format!("off by {by}, outside {}", tolerance.describe(unit)),
                            });
                        }
                    }
                    Err(Unanswered::NoData(reason)) => {
                        row.verdict = Verdict::NoData;
                        row.reason = Some(reason);
                    }
                    Err(Unanswered::Invalid(message)) => {
                        return Err(ClaimsError { file: file.file.clone(), line: claim.line, claim: format!("claim `{}`: ", claim.id), message: format!("`{query}`: {message}") });
                    }
                }
            }
        }
        out.push(row);
    }
    Ok(out)
}

fn round_for_display(v: f64, unit: Unit) -> f64 {
    match unit.dimension {
        Dimension::Rank => v.round(),
        _ if v.abs() >= 100.0 => (v * 10.0).round() / 10.0,
        _ if v.abs() >= 10.0 => (v * 10.0).round() / 10.0,
        _ => (v * 100.0).round() / 100.0,
    }
}

/// Text for comparing quotes: whitespace collapsed, Markdown escapes (`\$`) and underline tags
/// (`<u>`, `</u>`) of the plain-text source removed, typographic quotes and apostrophes made
/// plain.
pub fn normalise_quote(text: &str) -> String {
    let cleaned = text.replace("<u>", "").replace("</u>", "").replace(['\u{2018}', '\u{2019}'], "'").replace(['\u{201c}', '\u{201d}'], "\"");
    let mut out = String::with_capacity(cleaned.len());
    let mut chars = cleaned.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(|n| n.is_ascii_punctuation()) {
            continue;
        }
        out.push(c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The paragraphs of a plain-text document, normalised ([`normalise_quote`]), the lead
/// paragraph first. Blocks are separated by blank lines; the header before the first block that
/// ends a sentence is skipped, running headers (blocks without a lower-case letter, such as
/// "PISM BULLETIN") are dropped, and a block that does not end a sentence continues in the
/// next (a paragraph split by a page break).
pub fn paragraphs(text: &str) -> Vec<String> {
    let ends_sentence = |b: &str| b.trim_end().ends_with(['.', '!', '?', '"', ')']);
    let text = text.replace("\r\n", "\n");
    let blocks: Vec<String> = text.split("\n\n").map(normalise_quote).filter(|b| !b.is_empty()).collect();
    let start = blocks.iter().position(|b| ends_sentence(b)).unwrap_or(blocks.len());
    let mut out: Vec<String> = Vec::new();
    let mut open = false;
    for block in &blocks[start..] {
        if !block.chars().any(char::is_lowercase) {
            continue;
        }
        match out.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(block);
            }
            _ => out.push(block.clone()),
        }
        open = !ends_sentence(block);
    }
    out
}

/// Looks up every bulletin claim's quote in `source_text` (the document, plain text): sets
/// `found_in_paragraph` to the paragraph it occurs in and `quote_found` to whether that is the
/// paragraph the claim names. Returns the ids of the quotes not found where stated.
pub fn verify_quotes(rows: &mut [CheckedClaim], source_text: &str) -> Vec<String> {
    let paras = paragraphs(source_text);
    let mut missing = Vec::new();
    for row in rows.iter_mut().filter(|r| r.origin == Origin::Bulletin) {
        let quote = normalise_quote(row.quote.as_deref().unwrap_or_default());
        row.found_in_paragraph = if quote.is_empty() { None } else { paras.iter().position(|p| p.contains(&quote)).map(|i| i + 1) };
        let found = row.found_in_paragraph.is_some() && row.found_in_paragraph == row.paragraph;
        row.quote_found = Some(found);
        if !found {
            missing.push(row.id.clone());
        }
    }
    missing
}

/// Counts by verdict: confirmed, differs, no data, stated.
pub fn tally(rows: &[CheckedClaim]) -> [usize; 4] {
    let mut t = [0; 4];
    for r in rows {
        t[match r.verdict {
            Verdict::Confirmed => 0,
            Verdict::Differs => 1,
            Verdict::NoData => 2,
            Verdict::StatedParameter => 3,
        }] += 1;
    }
    t
}

/// The claims file shipped with the U.S.–Japan brief.
pub const US_JAPAN_2025: (&str, &str) = ("briefs/us-japan-2025/claims.toml", include_str!("../../../briefs/us-japan-2025/claims.toml"));

#[cfg(test)]
mod tests {
    use super::*;

    fn one(body: &str) -> String {
        format!("schema = 1\n\n[[claim]]\n{body}\n")
    }

    #[test]
    fn tolerance_forms() {
        let pct = Unit::parse("pct").unwrap();
        let bn = Unit::parse("usd_bn").unwrap();
        assert_eq!(Tolerance::parse(&toml::Value::String("2%".into()), bn).unwrap(), Tolerance::Relative(2.0));
        assert_eq!(Tolerance::parse(&toml::Value::String("0.5pp".into()), pct).unwrap(), Tolerance::Absolute(0.5));
        assert_eq!(Tolerance::parse(&toml::Value::Float(1.5), bn).unwrap(), Tolerance::Absolute(1.5));
        assert!(Tolerance::parse(&toml::Value::String("0.5pp".into()), bn).unwrap_err().contains("percentage points"));
        assert!(Tolerance::parse(&toml::Value::String("two percent".into()), bn).unwrap_err().contains("\"2%\""));
        assert!(Tolerance::parse(&toml::Value::Float(-1.0), bn).is_err());
        assert!((Tolerance::Relative(2.0).bound(68.0) - 1.36).abs() < 1e-12);
    }

    #[test]
    fn query_parse_fills_defaults_and_rejects_typos() {
        let q = Query::parse("mof.goods_share(goods=\"Motor Vehicles+Parts Of Motor Vehicles\", year=2024)").unwrap();
        assert_eq!(q.arg("flow"), "exports");
        assert_eq!(q.arg("partner"), "WLD");
        assert_eq!(q.arg("goods"), "Motor Vehicles+Parts Of Motor Vehicles");
        let e = Query::parse("census.deficitt(partner=JPN, year=2024)").unwrap_err();
        assert!(e.contains("did you mean `census.deficit`"), "{e}");
        let e = Query::parse("census.deficit(partner=JPN)").unwrap_err();
        assert!(e.contains("needs `year`"), "{e}");
        let e = Query::parse("census.deficit(partner=JPN, year=2024, basis=cif)").unwrap_err();
        assert!(e.contains("no parameter `basis`"), "{e}");
        assert!(Query::parse("census.deficit").unwrap_err().contains("no argument list"));
    }

    /// Issue 16: Census has Jan–Feb 2025 only; a claim about the year 2025 is `no data`,
    /// never the two-month sum presented as annual.
    #[test]
    fn a_partial_year_is_no_data() {
        let store = Store::embedded();
        let evaluator = Evaluator::new(&store);
        let query = Query::parse("census.deficit(partner=JPN, year=2025)").unwrap();
        match evaluator.answer(&query) {
            Err(Unanswered::NoData(message)) => assert_eq!(
                message,
                "Census has only 2025 Jan–Feb so far, a partial year; a claim about the year 2025 cannot be checked against it"
            ),
            Err(Unanswered::Invalid(message)) => panic!("invalid: {message}"),
            Ok(answer) => panic!("answered {} ({})", answer.value, answer.detail),
        }
        let full = evaluator.answer(&Query::parse("census.deficit(partner=JPN, year=2024)").unwrap()).ok().unwrap();
        assert!(full.value > 0.0);
    }

    #[test]
    fn file_errors_name_the_claim_and_line() {
        let e = parse("c.toml", &one("id = \"a\"\ntext = \"t\"\nvalue = 1\nunit = \"usd_bn\"\nquery = \"census.nope(partner=JPN, year=2024)\"\ntolerance = \"1%\"")).unwrap_err();
        assert_eq!((e.line, e.claim.as_str()), (8, "claim `a`: "));
        assert!(e.message.contains("unknown query `census.nope`"), "{e}");
        let e = parse("c.toml", &one("id = \"b\"\ntext = \"t\"\nvalue = 1\nunit = \"usd_bn\"\nquery = \"census.deficit_rank(partner=JPN, year=2024)\"")).unwrap_err();
        assert!(e.to_string().contains("claim `b`: unit `usd_bn` is U.S. dollars but `census.deficit_rank` returns a rank; use one of: rank"), "{e}");
        let e = parse("c.toml", &one("id = \"c\"\ntext = \"t\"\nvalue = 1\nunit = \"usd_bn\"\nquery = \"census.deficit(partner=JPN, year=2024)\"\ntolerance = \"about 2\"")).unwrap_err();
        assert_eq!(e.line, 9);
        assert!(e.to_string().contains("claim `c`: tolerance \"about 2\" is not valid"), "{e}");
        let e = parse("c.toml", &one("id = \"d\"\ntext = \"t\"\nvalue = 1")).unwrap_err();
        assert!(e.message.contains("needs `query`"), "{e}");
        let e = parse("c.toml", &one("id = \"e\"\ntext = \"t\"\nvalu = 1\nstated = \"x\"")).unwrap_err();
        assert!(e.to_string().contains("claim `e`: key `claim[0].valu`: unknown field `valu`"), "{e}");
        let e = parse("c.toml", "schema = 2\n[[claim]]\nid = \"x\"\ntext = \"t\"\nstated = \"s\"\n").unwrap_err();
        assert!(e.message.contains("schema 2 is not supported"), "{e}");
        let e = parse("c.toml", &format!("{}\n[[claim]]\nid = \"a\"\ntext = \"u\"\nstated = \"s\"\n", one("id = \"a\"\ntext = \"t\"\nstated = \"s\"\nreference = \"r\"\nas_of = \"2024\""))).unwrap_err();
        assert!(e.message.contains("used twice (first on line 3)"), "{e}");
    }

    #[test]
    fn origins_require_their_fields() {
        let file = |body: &str| parse("c.toml", &format!("schema = 1\nsource_date = \"2025-03-11\"\n\n[[claim]]\nid = \"x\"\ntext = \"t\"\n{body}\n"));
        let e = file("origin = \"bulletin\"\nstated = \"s\"").unwrap_err();
        assert!(e.to_string().contains("claim `x`: a `bulletin` claim needs `quote`"), "{e}");
        let e = file("origin = \"later\"\nstated = \"s\"\nas_of = \"2025-03-01\"\nreference = \"EO\"").unwrap_err();
        assert!(e.message.contains("as_of `2025-03-01` is not after the document's date (2025-03-11)"), "{e}");
        assert_eq!(e.line, 9);
        let e = file("origin = \"later\"\nstated = \"s\"\nas_of = \"2025-04-02\"").unwrap_err();
        assert!(e.message.contains("needs `reference`"), "{e}");
        let e = file("stated = \"s\"").unwrap_err();
        assert!(e.message.contains("needs `reference` (its source) and `as_of`"), "{e}");
        let e = file("origin = \"derived\"\nquote = \"q\"\nparagraph = 1\nstated = \"s\"\nreference = \"r\"\nas_of = \"2024\"").unwrap_err();
        assert!(e.message.contains("belong to `bulletin` claims"), "{e}");
        let e = file("origin = \"blog\"\nstated = \"s\"").unwrap_err();
        assert!(e.message.contains("unknown origin `blog`; expected one of: bulletin, later, derived"), "{e}");
        let e = file("origin = \"later\"\nstated = \"s\"\nas_of = \"June 2025\"\nreference = \"r\"").unwrap_err();
        assert!(e.message.contains("as_of `June 2025` is not a date"), "{e}");
        let ok = file("origin = \"later\"\nstated = \"s\"\nas_of = \"2025-06\"\nreference = \"r\"").unwrap();
        assert_eq!((ok.claims[0].origin, ok.source_date.as_deref()), (Origin::Later, Some("2025-03-11")));
        assert_eq!(as_of_start("2025-06"), "2025-06-01");
    }

    #[test]
    fn paragraphs_join_page_breaks_and_skip_headers() {
        let text = "NO. 1, 1 MARCH 2025\n\nTitle Of It\n\nAuthor Name\n\nLead \\$5 sentence.\n\nA paragraph split by a\n\nPISM BULLETIN\n\npage break, with <u>markup</u>.\n\nLast   one.";
        let p = paragraphs(text);
        assert_eq!(p, vec!["Lead $5 sentence.", "A paragraph split by a page break, with markup.", "Last one."]);
        assert_eq!(normalise_quote("it\u{2019}s  \\$2\n bn"), "it's $2 bn");
    }

    #[test]
    fn units_display() {
        assert_eq!(Unit::parse("usd_bn").unwrap().display(68.0), "$68 bn");
        assert_eq!(Unit::parse("usd_bn").unwrap().display(68.54), "$68.5 bn");
        assert_eq!(Unit::parse("pct").unwrap().display(1.5), "1.5%");
        assert_eq!(Unit::parse("rank").unwrap().display(7.0), "7th");
        assert_eq!(Unit::parse("jpy_tn").unwrap().display(-4.25), "−¥4.25 tn");
    }
}
