//! Parity with pymrio 0.7 on its test MRIO (6 regions × 8 sectors, 7 final-demand
//! categories, extensions `factor_inputs` and `emissions`).
//!
//! The raw table comes from `../shared/data/raw/pymrio_test_mrio` through kanzei-data's
//! pymrio text loader; the expected values are `bench/reference/pymrio_test_mrio/*.csv`,
//! written by pymrio itself (`bench/pymrio_reference.py`: `pymrio.load_test().calc_all()`).
//!
//! Comparison: every entry must satisfy `|a − b| <= 1e-9 · max(|a|, |b|)`, relative to the
//! entry itself with no absolute floor, so near-zero entries are held to the same 1e-9
//! relative standard as large ones, and an entry that is exactly 0 in pymrio (zero
//! rows of `S`, zero flows in `A`) must be exactly 0 in kanzei. Measured on this table the
//! worst entry differs by 1.4e-15 relative (in `L`), so no floor is needed. Labels are
//! compared too.

// Tests report measured numbers on stderr.
#![allow(clippy::print_stderr)]

mod common;

use std::collections::HashMap;

use faer::Mat;
use kanzei_data::mrio::{load_pymrio_text, MrioLoadOptions, PymrioFiles};
use kanzei_mrio::{extension_accounts, Leontief, Mrio};

struct Reference {
    rows: Vec<String>,
    columns: Vec<String>,
    values: Vec<Vec<f64>>,
}

fn reference(name: &str) -> Reference {
    let path = common::reference_dir("pymrio_test_mrio").join(format!("{name}.csv"));
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let columns: Vec<String> = reader.headers().unwrap().iter().skip(1).map(str::to_string).collect();
    let mut rows = Vec::new();
    let mut values = Vec::new();
    for record in reader.records() {
        let record = record.unwrap();
        rows.push(record[0].to_string());
        values.push(record.iter().skip(1).map(|v| v.parse::<f64>().unwrap()).collect());
    }
    Reference { rows, columns, values }
}

/// Compares `got` with the reference; returns the worst relative difference.
fn compare(name: &str, got: &Mat<f64>, rows: &[String], columns: &[String]) -> f64 {
    let want = reference(name);
    assert_eq!(want.rows, rows, "{name}: row labels");
    assert_eq!(want.columns, columns, "{name}: column labels");
    assert_eq!((got.nrows(), got.ncols()), (want.rows.len(), want.columns.len()), "{name}: shape");
    let mut worst = 0.0_f64;
    for (i, row) in want.values.iter().enumerate() {
        for (j, &b) in row.iter().enumerate() {
            let a = got[(i, j)];
            let denom = a.abs().max(b.abs());
            // Both exactly zero: equal. Otherwise relative to the larger magnitude.
            let err = if denom == 0.0 { 0.0 } else { (a - b).abs() / denom };
            assert!(err <= 1e-9, "{name}[{}, {}]: kanzei {a:e} vs pymrio {b:e} (relative {err:e})", want.rows[i], want.columns[j]);
            worst = worst.max(err);
        }
    }
    worst
}

fn column(values: &[f64]) -> Mat<f64> {
    Mat::from_fn(values.len(), 1, |i, _| values[i])
}

#[test]
fn pymrio_test_mrio_x_a_l_multipliers_and_footprints() {
    let Some(raw) = common::shared_raw() else { return };
    let loaded =
        load_pymrio_text(&raw.join("pymrio_test_mrio"), &PymrioFiles::test_mrio(), &MrioLoadOptions::pymrio()).unwrap();
    assert_eq!(loaded.coverage.rows_kept, 48);
    assert!(loaded.identity.passes());
    let mrio = Mrio::new(loaded.table).unwrap();
    assert_eq!((mrio.n_regions(), mrio.n_sectors(), mrio.final_demand_categories().len()), (6, 8, 7));

    let industries: Vec<String> =
        (0..mrio.n_industries()).map(|i| format!("{}|{}", mrio.regions()[i / 8], mrio.sectors()[i % 8])).collect();
    let fd_columns: Vec<String> = (0..mrio.y().ncols())
        .map(|c| format!("{}|{}", mrio.regions()[c / 7], mrio.final_demand_categories()[c % 7]))
        .collect();
    let regions: Vec<String> = mrio.regions().to_vec();

    let leontief = Leontief::new(&mrio).unwrap();
    let l = leontief.inverse();
    let mut worst: HashMap<String, f64> = HashMap::new();
    worst.insert("x".into(), compare("x", &column(mrio.x()), &industries, &["indout".to_string()]));
    worst.insert("A".into(), compare("A", leontief.a(), &industries, &industries));
    worst.insert("L".into(), compare("L", &l, &industries, &industries));

    for ext in mrio.extensions() {
        let acc = extension_accounts(&mrio, &l, ext).unwrap();
        let rows = &acc.rows;
        let n = |key: &str| format!("{}_{key}", ext.name);
        let mut check = |key: &str, m: &Mat<f64>, cols: &[String]| {
            let name = n(key);
            let w = compare(&name, m, rows, cols);
            worst.insert(name, w);
        };
        check("S", &acc.s, &industries);
        if let Some(s_y) = &acc.s_y {
            check("S_Y", s_y, &fd_columns);
        }
        check("M", &acc.m, &industries);
        check("D_cba", &acc.d_cba, &industries);
        check("D_pba", &acc.d_pba, &industries);
        check("D_imp", &acc.d_imp, &industries);
        check("D_exp", &acc.d_exp, &industries);
        check("D_cba_reg", &acc.d_cba_reg, &regions);
        check("D_pba_reg", &acc.d_pba_reg, &regions);
        check("D_imp_reg", &acc.d_imp_reg, &regions);
        check("D_exp_reg", &acc.d_exp_reg, &regions);
        let cap = acc.per_capita.as_ref().expect("the test MRIO has population");
        check("D_cba_cap", &cap[0], &regions);
        check("D_pba_cap", &cap[1], &regions);
        check("D_imp_cap", &cap[2], &regions);
        check("D_exp_cap", &cap[3], &regions);
    }
    // 2 × 15 extension files (S_Y only for emissions) + x, A, L = 32 compared files.
    assert_eq!(worst.len(), 32);
    let mut names: Vec<_> = worst.iter().collect();
    names.sort_by(|a, b| a.0.cmp(b.0));
    for (name, w) in names {
        eprintln!("{name}: worst relative difference {w:.2e}");
    }
}
