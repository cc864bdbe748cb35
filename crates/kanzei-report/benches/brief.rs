//! Briefs as `kanzei brief` builds them.
//!
//! * `brief/japan/with_ge`: the shipped U.S.–Japan brief, every section and model, from a
//!   store whose datasets are already decoded (a second build in one process): tariff
//!   compilation and timelines, WIOD value added, SMART, two Caliendo–Parro solves on WIOD 2011
//!   (on a second thread), the claims check.
//! * `brief/japan/cold`: the same from a fresh store, decoding the embedded snapshot first
//!   (one CLI run, less process start and file writes).
//! * `brief/partner/{KOR,EU27}/no_ge` and `.../with_ge`: a default partner brief built from a
//!   decoded store (engine included). Budget (issue 10): < 1 s without GE, < 3 s with GE.
//! * `brief/partner_on_engine/KOR`: one more brief on an engine already loaded — what each
//!   partner costs in `kanzei brief --all`.
//! * `brief/render/html|markdown`: rendering the built document.

#![expect(missing_docs, reason = "criterion_group! generates an undocumented `pub fn benches`")]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use kanzei_data::Store;
use kanzei_report::brief::{build, build_with, BriefOptions, BriefSpec, Engine};
use kanzei_report::document::{to_html, to_markdown};

fn brief(c: &mut Criterion) {
    let options = BriefOptions::default();
    let no_ge = BriefOptions { general_equilibrium: false, ..BriefOptions::default() };
    let japan = BriefSpec::shipped("us-japan-2025").expect("shipped");
    let mut group = c.benchmark_group("brief");
    group.sample_size(10).measurement_time(Duration::from_secs(30)).warm_up_time(Duration::from_secs(3));
    let store = Store::embedded();
    let built = build(&store, &japan, &options, &mut |_| {}).expect("the brief builds");
    group.bench_function("japan/with_ge", |b| b.iter(|| build(&store, &japan, &options, &mut |_| {}).expect("builds")));
    group.bench_function("japan/cold", |b| b.iter(|| build(&Store::embedded(), &japan, &options, &mut |_| {}).expect("builds")));
    for partner in ["KOR", "EU27"] {
        let spec = BriefSpec::for_partner(partner);
        group.bench_function(format!("partner/{partner}/no_ge"), |b| b.iter(|| build(&store, &spec, &no_ge, &mut |_| {}).expect("builds")));
        group.bench_function(format!("partner/{partner}/with_ge"), |b| b.iter(|| build(&store, &spec, &options, &mut |_| {}).expect("builds")));
    }
    let engine = Engine::new(&store, "us-2025", "us-2024-baseline", None).expect("engine");
    let kor = BriefSpec::for_partner("KOR");
    group.bench_function("partner_on_engine/KOR", |b| b.iter(|| build_with(&engine, &kor, &no_ge, &mut |_| {}).expect("builds")));
    group.bench_function("render/html", |b| b.iter(|| to_html(&built.document).expect("renders")));
    group.bench_function("render/markdown", |b| b.iter(|| to_markdown(&built.document).expect("renders")));
    group.finish();
}

criterion_group!(benches, brief);
criterion_main!(benches);
