//! Trade facts for a U.S. partner, each with its source.

use kanzei_core::{AreaCode, FlowDirection, SourceRef};
use kanzei_data::{DataError, Store};
use serde::Serialize;

/// One number a report states.
#[derive(Clone, Debug, Serialize)]
pub struct Fact {
    /// Stable id (`us_jpn_total_trade_usd`).
    pub id: String,
    /// What it is, in words.
    pub label: String,
    /// The value in plain units (USD, percent, rank, yen).
    pub value: f64,
    /// Unit of `value` (`USD`, `pct`, `rank`, `JPY`).
    pub unit: String,
    /// Where it comes from.
    pub source: SourceRef,
}

impl Fact {
    fn new(id: &str, label: impl Into<String>, value: f64, unit: &str, source: &SourceRef) -> Fact {
        Fact { id: id.into(), label: label.into(), value, unit: unit.into(), source: source.clone() }
    }

    /// The value for people: "$227.9 bn", "34.4%", "7th".
    pub fn display(&self) -> String {
        match self.unit.as_str() {
            "USD" => {
                let sign = if self.value < 0.0 { "−" } else { "" };
                if self.value.abs() >= 1e9 {
                    format!("{sign}${:.1} bn", self.value.abs() / 1e9)
                } else {
                    format!("{sign}${:.1} m", self.value.abs() / 1e6)
                }
            }
            "JPY" => format!("¥{:.1} tn", self.value / 1e12),
            "pct" => format!("{:.1}%", self.value),
            "rank" => ordinal(self.value as i64),
            "JPY_per_USD" => format!("{:.2} ¥/$", self.value),
            _ => format!("{}", self.value),
        }
    }
}

/// English ordinal: 1st, 2nd, 7th, 11th, 23rd.
pub fn ordinal(n: i64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The trade picture of the U.S. with one partner in one year.
#[derive(Clone, Debug, Serialize)]
pub struct TradeFacts {
    /// Partner.
    pub partner: AreaCode,
    /// Partner name.
    pub partner_name: String,
    /// Year.
    pub year: i32,
    /// The facts, in reading order.
    pub facts: Vec<Fact>,
    /// The largest U.S. deficits that year: (code, name, balance USD).
    pub largest_deficits: Vec<(AreaCode, String, f64)>,
    /// U.S. imports from the partner by chapter: (chapter, description, USD, share %).
    pub top_chapters: Vec<(String, String, f64, f64)>,
}

impl TradeFacts {
    /// A fact by id.
    pub fn get(&self, id: &str) -> Option<&Fact> {
        self.facts.iter().find(|f| f.id == id)
    }
}

/// `part` as a percentage of `whole` (0 when `whole` is 0).
pub fn share_pct(part: f64, whole: f64) -> f64 {
    if whole == 0.0 {
        0.0
    } else {
        100.0 * part / whole
    }
}

/// Computes the trade facts for `partner` (an ISO3 code or name) in `year`.
pub fn trade_facts(store: &Store, partner: &str, year: i32) -> Result<TradeFacts, DataError> {
    let registry = store.registry();
    let area = registry.resolve(partner)?;
    let census = store.census_country()?;
    let balance = census.balance(year, registry)?;
    let period = balance.period.to_string();
    let ft900 = census.source(&period);
    let row = balance.get(area.code).ok_or_else(|| DataError::NotAvailable {
        message: format!("Census reports no {year} trade with {} ({})", area.code, area.name),
    })?;
    let key = area.code.as_str().to_ascii_lowercase();
    let mut facts = vec![
        Fact::new(&format!("us_{key}_total_trade_usd"), format!("U.S.–{} goods trade, {period}", area.name), row.total_usd, "USD", &ft900),
        Fact::new(&format!("us_{key}_exports_usd"), format!("U.S. exports to {}", area.name), row.exports_usd, "USD", &ft900),
        Fact::new(&format!("us_{key}_imports_usd"), format!("U.S. imports from {} (general imports)", area.name), row.imports_usd, "USD", &ft900),
        Fact::new(&format!("us_{key}_balance_usd"), format!("U.S. goods balance with {}", area.name), row.balance_usd, "USD", &ft900),
    ];
    if let Some(rank) = balance.deficit_rank(area.code) {
        facts.push(Fact::new(
            &format!("us_{key}_deficit_rank"),
            format!("Rank of the deficit with {} among U.S. bilateral deficits ({} countries ranked)", area.name, balance.partners.len()),
            rank as f64,
            "rank",
            &ft900,
        ));
    }
    let largest_deficits = balance
        .partners
        .iter()
        .take(10)
        .map(|p| (p.partner, p.name.clone(), p.balance_usd))
        .collect();

    // Product detail (imports for consumption, HS10 summed to chapters).
    let mut top_chapters = Vec::new();
    if year == 2024 {
        let hs10 = store.us_imports_hs10()?;
        let codes = area.census_codes.clone();
        if codes.iter().any(|c| hs10.has_partner(*c)) {
            let src = hs10.source();
            let (total, duty) = hs10.total(&codes);
            facts.push(Fact::new(&format!("us_{key}_imports_consumption_usd"), format!("U.S. imports for consumption from {}", area.name), total, "USD", &src));
            facts.push(Fact::new(&format!("us_{key}_duty_usd"), format!("Duties calculated on U.S. imports from {}", area.name), duty, "USD", &src));
            facts.push(Fact::new(&format!("us_{key}_duty_rate_pct"), format!("Average duty rate on U.S. imports from {} (duty / value)", area.name), share_pct(duty, total), "pct", &src));
            let chapters = hs10.by_product(&codes, 2);
            let by4 = hs10.by_product(&codes, 4);
            let chapter = |c: &str| chapters.iter().find(|(k, _)| k.to_string() == c).map_or(0.0, |(_, v)| v.0);
            let heading = |c: &str| by4.iter().find(|(k, _)| k.to_string() == c).map_or(0.0, |(_, v)| v.0);
            facts.push(Fact::new(&format!("us_{key}_hs87_share_pct"), "Vehicles and parts (HS 87) in U.S. imports", share_pct(chapter("87"), total), "pct", &src));
            facts.push(Fact::new(&format!("us_{key}_hs8703_usd"), "Passenger cars (HS 8703)", heading("8703"), "USD", &src));
            facts.push(Fact::new(&format!("us_{key}_hs8708_usd"), "Vehicle parts (HS 8708)", heading("8708"), "USD", &src));
            let metals = chapter("72") + chapter("73") + chapter("76");
            facts.push(Fact::new(&format!("us_{key}_steel_alu_share_pct"), "Iron and steel, steel articles, aluminium (HS 72, 73, 76) in U.S. imports", share_pct(metals, total), "pct", &src));
            let mut sorted: Vec<_> = chapters.into_iter().collect();
            sorted.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0));
            let names = store.us_exports().ok();
            for (code, (value, _)) in sorted.into_iter().take(10) {
                let name = names.as_ref().and_then(|e| e.chapter_names.get(&code).cloned()).unwrap_or_default();
                top_chapters.push((code.to_string(), name, value, share_pct(value, total)));
            }
        }
    }

    // The partner's own statistics, where kanzei has them (Japan MOF).
    if area.code.as_str() == "JPN" {
        let mof = store.japan_mof()?;
        if mof.check_year(year).is_ok() {
            let weo = store.weo()?;
            let rate = weo.implied_rate("JPN", year)?;
            let src = mof.source(&year.to_string());
            let world = AreaCode::new("WLD").expect("valid");
            let usa = AreaCode::new("USA").expect("valid");
            let ex = |g: &str, p: AreaCode| mof.value(FlowDirection::Exports, p, g, year).unwrap_or(0.0);
            let total = ex("Grand Total", world);
            let mv = ex("Motor Vehicles", world);
            let mv_group = mv + ex("Parts Of Motor Vehicles", world) + ex("Motorcycles, Autocycles", world);
            facts.push(Fact::new("jpn_exports_jpy", "Japan's total exports (MOF)", total * 1e9, "JPY", &src));
            facts.push(Fact::new("jpn_exports_usd", "Japan's total exports in dollars (WEO implied rate)", total * 1e9 / rate, "USD", &src));
            facts.push(Fact::new("jpy_per_usd", "Yen per dollar (IMF WEO NGDP / NGDPD)", rate, "JPY_per_USD", &weo.source("NGDP/NGDPD", &year.to_string())));
            facts.push(Fact::new("jpn_mv_share_pct", "Motor vehicles in Japan's exports", share_pct(mv, total), "pct", &src));
            facts.push(Fact::new("jpn_autos_share_pct", "Motor vehicles, parts and motorcycles (≈ HS 87) in Japan's exports", share_pct(mv_group, total), "pct", &src));
            facts.push(Fact::new("jpn_mv_us_share_pct", "U.S. share of Japan's motor-vehicle exports (value)", share_pct(ex("Motor Vehicles", usa), mv), "pct", &src));
            facts.push(Fact::new("jpn_steel_share_pct", "Iron and steel products in Japan's exports", share_pct(ex("Iron And Steel Products", world), total), "pct", &src));
            facts.push(Fact::new("jpn_us_share_pct", "U.S. share of Japan's total exports", share_pct(ex("Grand Total", usa), total), "pct", &src));
        }
    }

    Ok(TradeFacts { partner: area.code, partner_name: area.name.clone(), year, facts, largest_deficits, top_chapters })
}
