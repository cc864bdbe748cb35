//! Shared setup for the engine tests: the embedded data, loaded once per test binary.

#![allow(dead_code)]

use std::sync::OnceLock;

use kanzei_data::Store;
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::library::{vocabulary, Library};
use kanzei_core::AreaCode;
use kanzei_tariff::cells::CellSet;
use kanzei_tariff::engine::Compiled;
use kanzei_tariff::Scenario;

pub fn data() -> &'static TariffData {
    static DATA: OnceLock<TariffData> = OnceLock::new();
    DATA.get_or_init(|| TariffData::load(&Store::embedded()).expect("embedded data loads"))
}

pub fn scenario(id: &str) -> Scenario {
    let data = data();
    Library::shipped().load(id, &vocabulary(data.registry, &data.inputs)).expect("shipped scenario parses")
}

pub fn scenario_text(text: &str) -> Scenario {
    let data = data();
    Library::shipped().load_text("test.toml", text, &vocabulary(data.registry, &data.inputs)).expect("test scenario parses")
}

/// The import-weighted applied rate on `date` (YYYY-MM-DD), percent, for one exporter or all.
pub fn etr(compiled: &Compiled, cells: &CellSet, date: &str, partner: Option<&str>) -> f64 {
    let e = compiled.evaluate(date.parse().expect("a valid date"));
    let p = partner.map(|p| AreaCode::new(p).expect("a valid code"));
    let (mut num, mut den) = (0.0, 0.0);
    for (c, r) in cells.cells.iter().zip(&e.total_pct) {
        if p.is_none_or(|p| c.exporter == p) {
            num += c.value_usd * r;
            den += c.value_usd;
        }
    }
    num / den
}
