//! The tariff engine on `us-2025` over every HS10 × partner cell of 2024 U.S. imports
//! (~200,000 HS10 cells and ~11,000 HS2 cells): compiling the scenario against the cells,
//! evaluating one date, and the daily timeline over 2025–26.
//! Also parsing and compiling generated scenarios of 16,000 and 64,000 bare measures
//! (issue 16: parsing was quadratic in the number of measures; on 2 shared cores the test
//! profile measured parse 0.23 s → 1.6 s and compile 1.8 s → 9.2 s from 16k to 64k; with
//! sparse item matching and per-exporter covering lists, `tariff rates` on a 64k file takes
//! 2.3 s end to end in release, see `bench/compile_scaling.sh`).
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
    // What a second compile on the same cells costs (a scenario's baseline, `kanzei serve`,
    // sweeps): the code table is built once and kept by `TariffData`.
    data.compile_on(&scenario, &data.us_cells);
    group.bench_function("compile/us2025_shared_code_table", |b| b.iter(|| data.compile_on(&scenario, &data.us_cells).len()));
    let date = "2025-11-17".parse().unwrap();
    // One date's compile (`tariff rates`, `tariff exposure`, `prices`): the measures in force.
    let on_date = scenario.in_force_on(date);
    group.bench_function("compile/us2025_in_force_2025_11_17", |b| b.iter(|| data.compile_on(&on_date, &data.us_cells).len()));
    let compiled = Compiled::new(&scenario, &cells, &data.schedule, &data.inputs);
    group.bench_function("evaluate/us2025_one_date", |b| b.iter(|| compiled.evaluate(date).total_pct.len()));
    let (from, to) = ("2025-01-01".parse().unwrap(), "2026-12-31".parse().unwrap());
    group.bench_function("timeline/us2025_daily_2025_2026", |b| b.iter(|| timeline(&compiled, &cells, from, to, None).len()));
    let vocab = vocabulary(data.registry, &data.inputs);
    for n in [16_000, 64_000] {
        let text = many_measures(n);
        group.bench_function(format!("parse/{}k_measures", n / 1000), |b| {
            b.iter(|| Library::shipped().load_text("big.toml", &text, &vocab).unwrap().measures.len())
        });
        let big = Library::shipped().load_text("big.toml", &text, &vocab).unwrap();
        group.bench_function(format!("compile/{}k_measures", n / 1000), |b| {
            b.iter(|| Compiled::new(&big, &cells, &data.schedule, &data.inputs).len())
        });
    }
    group.finish();
}

/// A scenario extending us-2025 with `n` bare measures on Japanese goods, rates and
/// headings varying.
fn many_measures(n: usize) -> String {
    let headings = ["8703", "8704", "7208", "7601", "8471", "8517", "9403", "6403", "3004", "2709"];
    let mut text = String::from("schema = 1\nid = \"big\"\nextends = \"us-2025\"\ntitle = \"big\"\n");
    for i in 0..n {
        text.push_str(&format!(
            "\n[[measure]]\nid = \"m{i}\"\nauthority = \"other\"\nexporters = [\"JPN\"]\nproducts = [\"{}\"]\nrate_pct = {}\neffective = \"2025-06-01\"\n",
            headings[i % headings.len()],
            1 + i % 50
        ));
    }
    text
}

criterion_group!(benches, bench);
criterion_main!(benches);
