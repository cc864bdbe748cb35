//! Shared setup for the engine tests: the embedded data, loaded once per test binary.

#![allow(dead_code)]

use std::sync::OnceLock;

use kanzei_data::Store;
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::library::{vocabulary, Library};
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
