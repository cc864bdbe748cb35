//! Times kanzei on the full WIOD 2011 table: the Leontief inverse, then value added by
//! origin industry in every bilateral gross-export flow (1435 × 41·41); and the
//! country-level answer (value added by origin country, 41 × 41·41) from the LU alone,
//! without the inverse. Used by `bench/va_vs_pymrio.sh`, which runs pymrio on the same
//! table and compares.
//!
//! ```text
//! cargo run --release -p kanzei-mrio --example va_wiod -- [WIOD_CSV_DIR] [OUT_DIR] [REPEATS]
//! ```
//!
//! Defaults: `../shared/data/raw/wiod_2013_release/derived_csv_2011`, `bench/out`, 5.
//! Writes `OUT_DIR/kanzei_L.f64`, `OUT_DIR/kanzei_va.f64` and `OUT_DIR/kanzei_va_country.f64`
//! (little-endian float64, column-major) and prints one JSON line with the timings in
//! seconds.

// An example is a command-line program: it prints its result.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use kanzei_data::mrio::{load_wiod_csv, MrioLoadOptions};
use kanzei_mrio::{gross_exports, va_by_origin_country_in_all_bilateral_exports, va_in_all_bilateral_exports, value_added_coefficients, Leontief, Mrio};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/data/raw/wiod_2013_release/derived_csv_2011"));
    let out_dir = args.get(2).map(PathBuf::from).unwrap_or_else(|| root.join("bench/out"));
    let repeats: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    let loaded = match load_wiod_csv(&dir, 2011, &MrioLoadOptions::wiod()) {
        Ok(loaded) => loaded,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::exit(1);
        }
    };
    let mrio = Mrio::new(loaded.table)
    .expect("valid table");

    let mut leontief_s = Vec::new();
    let mut va_s = Vec::new();
    let mut total_s = Vec::new();
    let mut result = None;
    for _ in 0..repeats {
        let start = Instant::now();
        // A = Z·diag(x)⁻¹, LU of I − A, L = (I − A)⁻¹.
        let leontief = Leontief::new(&mrio).expect("I - A is invertible");
        let l = leontief.inverse();
        let mid = Instant::now();
        // v = 1 − 1'A, e_sr for all pairs, diag(v)·L·e_sr for all pairs.
        let v = value_added_coefficients(&mrio, leontief.a());
        let exports = gross_exports(&mrio);
        let va = va_in_all_bilateral_exports(&mrio, &l, &v, &exports);
        let end = Instant::now();
        leontief_s.push((mid - start).as_secs_f64());
        va_s.push((end - mid).as_secs_f64());
        total_s.push((end - start).as_secs_f64());
        result = Some((l, va));
    }
    let (l, va) = result.expect("at least one repeat");
    // Country questions: the LU of I − A and 41 transposed solves, no inverse.
    let mut country_s = Vec::new();
    let mut country = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let leontief = Leontief::new(&mrio).expect("I - A is invertible");
        let v = value_added_coefficients(&mrio, leontief.a());
        let exports = gross_exports(&mrio);
        country = Some(va_by_origin_country_in_all_bilateral_exports(&mrio, &leontief, &v, &exports).expect("shapes agree"));
        country_s.push(start.elapsed().as_secs_f64());
    }
    let country = country.expect("at least one repeat");
    // The country result is the industry result summed over each origin's industries.
    let sectors = mrio.n_sectors();
    let mut worst: f64 = 0.0;
    for col in 0..va.ncols() {
        for c in 0..country.nrows() {
            let summed: f64 = (0..sectors).map(|k| va[(c * sectors + k, col)]).sum();
            worst = worst.max((country[(c, col)] - summed).abs() / summed.abs().max(1.0));
        }
    }
    std::fs::create_dir_all(&out_dir).expect("create output dir");
    let write = |name: &str, m: &faer::Mat<f64>| {
        let mut bytes = Vec::with_capacity(m.nrows() * m.ncols() * 8);
        for j in 0..m.ncols() {
            for &x in m.col_as_slice(j) {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
        }
        std::fs::File::create(out_dir.join(name)).and_then(|mut f| f.write_all(&bytes)).expect("write result");
    };
    write("kanzei_L.f64", &l);
    write("kanzei_va.f64", &va);
    write("kanzei_va_country.f64", &country);
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "{{\"tool\":\"kanzei\",\"repeats\":{repeats},\"leontief_s\":{:.6},\"va_all_bilateral_s\":{:.6},\"total_s\":{:.6},\"total_min_s\":{:.6},\"va_shape\":[{},{}],\"country_s\":{:.6},\"country_min_s\":{:.6},\"country_vs_industry_worst_rel\":{:e},\"threads\":{}}}",
        median(&mut leontief_s),
        median(&mut va_s),
        median(&mut total_s.clone()),
        total_s.iter().copied().fold(f64::INFINITY, f64::min),
        va.nrows(),
        va.ncols(),
        median(&mut country_s.clone()),
        country_s.iter().copied().fold(f64::INFINITY, f64::min),
        worst,
        rayon::current_num_threads()
    );
}
