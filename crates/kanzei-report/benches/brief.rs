//! The whole U.S.–Japan brief, models included, as `kanzei brief us-japan-2025` builds it.
//!
//! * `brief/build/with_ge`: every section from a store whose datasets are already decoded
//!   (what a second build in one process costs): tariff compilation and timelines, WIOD value
//!   added at risk, SMART on HS 8703, two Caliendo–Parro solves on WIOD 2011 (on a second
//!   thread), the claims check.
//! * `brief/build/cold`: the same from a fresh store, decoding the embedded snapshot first
//!   (what one CLI run costs, less process start and file writes).
//! * `brief/render/html|markdown`: rendering the built document.
//!
//! The budget is 5 s on this machine (2 cores, release) for the cold build.

#![expect(missing_docs, reason = "criterion_group! generates an undocumented `pub fn benches`")]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use kanzei_data::Store;
use kanzei_report::brief::{build, BriefOptions};
use kanzei_report::document::{to_html, to_markdown};

fn brief(c: &mut Criterion) {
    let options = BriefOptions::default();
    let mut group = c.benchmark_group("brief");
    group.sample_size(10).measurement_time(Duration::from_secs(40)).warm_up_time(Duration::from_secs(5));
    let store = Store::embedded();
    let built = build(&store, &options, &mut |_| {}).expect("the brief builds");
    group.bench_function("build/with_ge", |b| b.iter(|| build(&store, &options, &mut |_| {}).expect("the brief builds")));
    group.bench_function("build/cold", |b| b.iter(|| build(&Store::embedded(), &options, &mut |_| {}).expect("the brief builds")));
    group.bench_function("render/html", |b| b.iter(|| to_html(&built.document).expect("renders")));
    group.bench_function("render/markdown", |b| b.iter(|| to_markdown(&built.document).expect("renders")));
    group.finish();
}

criterion_group!(benches, brief);
criterion_main!(benches);
