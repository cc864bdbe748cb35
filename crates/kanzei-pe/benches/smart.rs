//! SMART over a market the size of the U.S. one: ~20,000 HS10 products and ~200,000
//! product × partner cells.
//!
//! * `smart/synthetic/20000x200k/<rule>`: a synthetic workload shaped like the 2024 U.S.
//!   HS10 import table (18,673 products, 209,616 cells, 1–50 partners per product, median 9),
//!   from a fixed-seed generator.
//! * `smart/us_imports_2024_hs10/<rule>`: the real 2024 HS10 × partner cells from the
//!   embedded snapshot, with synthetic initial and final tariffs (the tariff engine is not
//!   part of this crate), so the cell structure and value distribution are the real ones.
//!
//! The input tables are built outside the timed loop; the loop is one full `simulate_into`
//! with a reused output buffer.

#![expect(missing_docs, reason = "criterion_group! generates an undocumented `pub fn benches`")]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use kanzei_pe::smart::{simulate_into, CreationRule, DiversionRule, SmartCell, SmartConfig, SmartData, SmartElasticities};

/// xorshift64*: a fixed-seed generator, enough for a reproducible workload.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const RATE_INCREASES: [f64; 8] = [0.0, 0.0, 0.10, 0.15, 0.25, 0.25, 0.50, 1.45];

fn elasticities(rng: &mut Rng) -> SmartElasticities {
    SmartElasticities { em: -3.0 * rng.uniform(), es: 1.0 + 9.0 * rng.uniform(), ex: f64::INFINITY }
}

fn synthetic() -> SmartData {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut data = SmartData::new();
    for _ in 0..20_000 {
        // Partners per product: a skewed draw on 1..=50 with mean ~10 (real: 11.2).
        let n = (1.0 + 49.0 * rng.uniform().powf(4.0)) as usize;
        let e = elasticities(&mut rng);
        let cells: Vec<(f64, f64, f64)> = (0..n)
            .map(|_| {
                let m = (10.0 + 12.0 * rng.uniform()).exp();
                let t0 = 0.2 * rng.uniform() * rng.uniform();
                let t1 = t0 + RATE_INCREASES[(rng.next() % 8) as usize];
                (m, t0, t1)
            })
            .collect();
        data.push_product(e, cells);
    }
    data
}

fn us_imports() -> Option<SmartData> {
    let store = kanzei_data::Store::embedded();
    let table = store.us_imports_hs10().ok()?;
    let mut lines: Vec<_> = table.lines.iter().collect();
    lines.sort_by_key(|l| (l.hs, l.census_code));
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut data = SmartData::new();
    let mut idx = 0;
    while idx < lines.len() {
        let mut end = idx + 1;
        while end < lines.len() && lines[end].hs == lines[idx].hs {
            end += 1;
        }
        let e = elasticities(&mut rng);
        let cells: Vec<(f64, f64, f64)> = lines[idx..end]
            .iter()
            .map(|l| {
                let t0 = if l.value_usd > 0.0 { l.duty_usd / l.value_usd } else { 0.0 };
                (l.value_usd.max(0.0), t0, t0 + RATE_INCREASES[(rng.next() % 8) as usize])
            })
            .collect();
        data.push_product(e, cells);
        idx = end;
    }
    Some(data)
}

fn bench(c: &mut Criterion) {
    let rules = [
        ("linear_laird_yeats", SmartConfig::default()),
        ("constant_elasticity_ces", SmartConfig { creation: CreationRule::ConstantElasticity, diversion: DiversionRule::Ces }),
    ];
    let mut group = c.benchmark_group("smart");
    group.sample_size(30);
    let mut buffer: Vec<SmartCell> = Vec::new();
    let synthetic = synthetic();
    let label = format!("synthetic/{}x{}k", synthetic.elasticities.len(), synthetic.imports_usd.len() / 1000);
    for (name, config) in rules {
        group.bench_function(format!("{label}/{name}"), |b| {
            b.iter(|| simulate_into(black_box(&synthetic.as_input()), &config, &mut buffer).unwrap())
        });
    }
    if let Some(real) = us_imports() {
        let label = format!("us_imports_2024_hs10/{}x{}k", real.elasticities.len(), real.imports_usd.len() / 1000);
        for (name, config) in rules {
            group.bench_function(format!("{label}/{name}"), |b| {
                b.iter(|| simulate_into(black_box(&real.as_input()), &config, &mut buffer).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
