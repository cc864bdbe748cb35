//! The tariff engine on `us-2025` over every HS10 × partner cell of 2024 U.S. imports
//! (~200,000 HS10 cells and ~11,000 HS2 cells): compiling the scenario against the cells,
//! evaluating one date, and the daily timeline over 2025–26.
//! Run: `cargo bench -p kanzei-tariff --bench engine`.

use criterion::{criterion_group, criterion_main, Criterion};
use kanzei_data::Store;
use kanzei_tariff::analysis::{timeline, TariffData};
use kanzei_tariff::engine::Compiled;
use kanzei_tariff::library::{vocabulary, Library};

fn bench(c: &mut Criterion) {
    let data = TariffData::load(&Store::embedded()).unwrap();
    let scenario = Library::shipped().load("us-2025", &vocabulary(data.registry, &data.inputs)).unwrap();
    let cells = data.cells_for(scenario.importer);
    let mut group = c.benchmark_group("tariff");
    group.sample_size(10);
    group.bench_function("load_data/embedded", |b| b.iter(|| TariffData::load(&Store::embedded()).unwrap().us_cells.cells.len()));
    group.bench_function("compile/us2025_all_cells", |b| {
        b.iter(|| Compiled::new(&scenario, &cells, &data.schedule, &data.inputs).len())
    });
    let compiled = Compiled::new(&scenario, &cells, &data.schedule, &data.inputs);
    let date = "2025-11-17".parse().unwrap();
    group.bench_function("evaluate/us2025_one_date", |b| b.iter(|| compiled.evaluate(date).total_pct.len()));
    let (from, to) = ("2025-01-01".parse().unwrap(), "2026-12-31".parse().unwrap());
    group.bench_function("timeline/us2025_daily_2025_2026", |b| b.iter(|| timeline(&compiled, &cells, from, to, None).len()));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
