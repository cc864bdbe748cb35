//! A SMART run that takes its lines' rates from an evaluation of the U.S. cells
//! (`runs::smart_us_on` with `KnownRates`, as the brief does) equals one that compiles its
//! own cells (`runs::smart_us_with`): a cell's rate depends on its exporter and HS10 line
//! alone, and the lines the U.S. cells lack are compiled.

use kanzei_core::HsCode;
use kanzei_data::Store;
use kanzei_report::runs::{self, KnownRates, SmartBy, SmartOptions};
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::library::{vocabulary, Library};

/// The run as JSON without its timings (which differ from run to run).
fn without_seconds(mut v: serde_json::Value) -> serde_json::Value {
    match &mut v {
        serde_json::Value::Object(map) => {
            map.remove("seconds");
            for x in map.values_mut() {
                *x = without_seconds(x.take());
            }
        }
        serde_json::Value::Array(items) => {
            for x in items.iter_mut() {
                *x = without_seconds(x.take());
            }
        }
        _ => {}
    }
    v
}

#[test]
fn smart_with_known_rates_equals_smart_on_its_own_compile() {
    let store = Store::embedded();
    let data = TariffData::load(&store).unwrap();
    let vocab = vocabulary(data.registry, &data.inputs);
    let library = Library::shipped();
    let scenario = library.load("us-2025", &vocab).unwrap();
    let baseline = library.load("us-2024-baseline", &vocab).unwrap();
    let date = "2025-11-17".parse().unwrap();
    let new = data.compile_on(&scenario, &data.us_cells).evaluate(date).total_pct;
    let old = data.compile_on(&baseline, &data.us_cells).evaluate(date).total_pct;
    for (filter, draws) in [(None, 0), (Some("8703"), 10), (Some("3004"), 10)] {
        let options = SmartOptions { by: SmartBy::Partner, filter: filter.map(|f| HsCode::parse(f).unwrap()), draws, ..SmartOptions::default() };
        let own = runs::smart_us_with(&store, &data, &scenario, &baseline, date, &options).unwrap();
        let known = KnownRates { cells: &data.us_cells, new: &new, old: &old };
        let reused = runs::smart_us_on(&store, &data, &scenario, &baseline, date, &options, Some(known)).unwrap();
        assert!(!own.groups.is_empty());
        // Equal to the last bit: the same rates, not nearly the same.
        assert_eq!(
            without_seconds(serde_json::to_value(&own).unwrap()),
            without_seconds(serde_json::to_value(&reused).unwrap()),
            "filter {filter:?}, {draws} draws"
        );
    }
}
