//! Consumer prices as `kanzei prices` computes them (issue 11; budget: < 300 ms end to end).
//!
//! * `prices/propagate`: `Δp = L′e` on BEA's 402 × 402 table (the model itself).
//! * `prices/effects`: the model plus purchasers' prices of the PCE categories, aggregates and
//!   named groups, from tariff changes already mapped to BEA commodities.
//! * `prices/map_scenario`: us-2025 against the 2024 baseline on 2025-09-04 on loaded data:
//!   both compilations, two evaluations, the HS10 → BEA mapping.
//! * `prices/collected`: the same from the collected duties of October 2025 (no compilation).
//! * `prices/cold`: `prices::prices` from a fresh store (decoding the snapshot first) — one CLI
//!   run less process start and printing.

#![expect(missing_docs, reason = "criterion_group! generates an undocumented `pub fn benches`")]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use kanzei_data::us_io::Month;
use kanzei_data::Store;
use kanzei_report::prices::{self, PriceOptions, TariffChange};
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::library::{vocabulary, Library};

fn bench(c: &mut Criterion) {
    let store = Store::embedded();
    let data = TariffData::load(&store).expect("tariff data");
    let io = store.us_io().expect("BEA tables");
    let model = prices::price_model(&io).expect("model");
    let vocab = vocabulary(data.registry, &data.inputs);
    let library = Library::shipped();
    let (scenario, baseline) = (library.load("us-2025", &vocab).expect("us-2025"), library.load("us-2024-baseline", &vocab).expect("baseline"));
    let date = "2025-09-04".parse().expect("date");
    let options = PriceOptions::default();
    let tariffs = prices::scenario_tariffs(&io, &data, &scenario, &baseline, date).expect("mapped");
    let e = model.shock(&tariffs.delta_tau, 1.0).expect("shock");
    let mut group = c.benchmark_group("prices");
    group.sample_size(20).measurement_time(Duration::from_secs(10));
    group.bench_function("propagate", |b| b.iter(|| model.propagate(&e)));
    group.bench_function("effects", |b| b.iter(|| prices::price_effects(&io, &model, &tariffs, &options).expect("runs")));
    group.bench_function("map_scenario", |b| b.iter(|| prices::scenario_tariffs(&io, &data, &scenario, &baseline, date).expect("maps")));
    let october = TariffChange::Collected { month: Month::parse("2025-10").expect("month"), base_year: 2024 };
    group.bench_function("collected", |b| b.iter(|| prices::prices(&store, &data, &october, &options).expect("runs")));
    group.sample_size(10);
    group.bench_function("cold", |b| {
        b.iter(|| {
            let fresh = Store::embedded();
            let data = TariffData::load(&fresh).expect("tariff data");
            let change = TariffChange::Scenario { scenario: &scenario, baseline: &baseline, date, partner: None };
            prices::prices(&fresh, &data, &change, &options).expect("runs")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
