//! Monte Carlo draws (issue 12; targets on 2 cores: 1,000 Caliendo–Parro draws < 60 s,
//! 10,000 SMART draws < 10 s, 1,000 gravity draws < 2 s). Each bench runs a small batch;
//! multiply by the batch ratio for the targets (the draws are independent and parallel).
//!
//! * `draws/cp_wiod_20`: 20 θ draws of us-2025 on WIOD 2011, warm-started from the point.
//! * `draws/smart_100`: 100 draws of Em and Es over every HS10 × partner cell (the point run
//!   and its elasticity resolution included once per iteration).
//! * `draws/gravity_1000`: 1,000 draws of the cost coefficients on gegravity's sample.

#![expect(missing_docs, reason = "criterion_group! generates an undocumented `pub fn benches`")]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use kanzei_data::Store;
use kanzei_ge::caliendo_parro::SolverConfig;
use kanzei_report::{gravity_draws, runs, theta_sets};
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::library::{vocabulary, Library};

fn bench(c: &mut Criterion) {
    let store = Store::embedded();
    let data = TariffData::load(&store).expect("tariff data");
    let vocab = vocabulary(data.registry, &data.inputs);
    let library = Library::shipped();
    let (scenario, baseline) = (library.load("us-2025", &vocab).expect("us-2025"), library.load("us-2024-baseline", &vocab).expect("baseline"));
    let date = "2025-11-17".parse().expect("date");
    let set = theta_sets::wiod_theta_set(&store, "kanzei", None).expect("θ set");
    let run = runs::cp_wiod_theta(&store, &data, &[scenario.clone()], &baseline, date, &SolverConfig::default(), &set.theta).expect("point");
    let panel = store.gegravity_sample().expect("sample");
    let spec = runs::GravitySpec {
        year: 2006,
        coefficients: runs::GEGRAVITY_COEFFICIENTS.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
        sigma: 5.0,
        reference: "DEU".into(),
        change: ("pta".into(), vec![("CAN", "JPN"), ("JPN", "CAN")], 1.0),
        variant: kanzei_ge::gravity::FullEndowment::Gegravity,
    };
    let se: Vec<(String, f64)> = runs::GEGRAVITY_STANDARD_ERRORS.iter().map(|(n, v)| (n.to_string(), *v)).collect();
    let mut group = c.benchmark_group("draws");
    group.sample_size(10).measurement_time(Duration::from_secs(20));
    group.bench_function("cp_wiod_20", |b| b.iter(|| theta_sets::cp_bands(&run, &set, 20, 7, &SolverConfig::for_draws()).expect("draws")));
    let options = runs::SmartOptions { draws: 100, seed: 7, ..runs::SmartOptions::default() };
    group.bench_function("smart_100", |b| b.iter(|| runs::smart_us_with(&store, &data, &scenario, &baseline, date, &options).expect("draws")));
    group.bench_function("gravity_1000", |b| b.iter(|| gravity_draws::gravity_bands(&panel, &spec, &se, 1000, 7).expect("draws")));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
