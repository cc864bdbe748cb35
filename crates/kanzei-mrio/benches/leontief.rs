//! Criterion benches on the full WIOD 2011 table (1435 industries):
//! `leontief/wiod2011_1435` (A, LU of I − A, full inverse) and
//! `va_by_origin/wiod2011_all_bilateral` (value added by origin industry in all 41 × 41
//! bilateral gross-export flows, given L). Needs `../shared/data/raw`; without it the
//! benches print a notice and measure nothing.

// The skip notice goes to stderr; criterion's macros generate undocumented functions.
#![allow(clippy::print_stderr, missing_docs)]

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use kanzei_data::mrio::{load_wiod_csv, MrioLoadOptions};
use kanzei_mrio::{gross_exports, va_in_all_bilateral_exports, value_added_coefficients, Leontief, Mrio, MrioTable};

fn wiod_2011() -> Option<Mrio> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/raw/wiod_2013_release/derived_csv_2011"));
    if !dir.is_dir() {
        eprintln!("skipped: ../shared/data/raw not present");
        return None;
    }
    let t = load_wiod_csv(&dir, 2011, &MrioLoadOptions::wiod()).expect("WIOD 2011 loads").table;
    Some(
        Mrio::new(MrioTable {
            regions: t.regions,
            sectors: t.sectors,
            final_demand_categories: t.final_demand_categories,
            unit: t.unit,
            z: t.z,
            y: t.y,
            x: t.x,
            ..MrioTable::default()
        })
        .expect("valid table"),
    )
}

fn benches(c: &mut Criterion) {
    let Some(mrio) = wiod_2011() else { return };
    c.bench_function("leontief/wiod2011_1435", |b| {
        b.iter(|| {
            let leontief = Leontief::new(&mrio).unwrap();
            leontief.inverse()
        })
    });
    let leontief = Leontief::new(&mrio).unwrap();
    let l = leontief.inverse();
    let v = value_added_coefficients(&mrio, leontief.a());
    let exports = gross_exports(&mrio);
    c.bench_function("va_by_origin/wiod2011_all_bilateral", |b| {
        b.iter(|| va_in_all_bilateral_exports(&mrio, &l, &v, &exports))
    });
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(20);
    targets = benches
}
criterion_main!(group);
