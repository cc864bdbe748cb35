//! Snapshot load + `trade balance`: what `kanzei trade balance --year 2024` does after
//! process start. Run: `cargo bench -p kanzei-data --bench trade_balance`.

use criterion::{criterion_group, criterion_main, Criterion};
use kanzei_data::Store;

fn bench(c: &mut Criterion) {
    c.bench_function("trade_balance/snapshot_load_and_rank_2024", |b| {
        b.iter(|| {
            // A fresh store each time: decompress, parse and rank from scratch.
            let store = Store::embedded();
            let census = store.census_country().unwrap();
            let table = census.balance(2024, store.registry()).unwrap();
            std::hint::black_box(table.partners.len())
        })
    });
    let store = Store::embedded();
    let census = store.census_country().unwrap();
    c.bench_function("trade_balance/rank_2024_loaded", |b| {
        b.iter(|| std::hint::black_box(census.balance(2024, store.registry()).unwrap().partners.len()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
