//! Parity with gegravity 0.3 (`OneSectorGE`) on its sample data.
//!
//! Experiment: gegravity's documented example, a PTA between Canada and Japan (`pta` = 1
//! for CAN->JPN and JPN->CAN), σ = 5, reference importer DEU, with FIXED cost coefficients
//! (gegravity's docstring values; no estimation on either side):
//! lndist −0.3764, contiguity 0.8850, pta 0.4823, common_language 0.0392,
//! international −3.4224.
//!
//! The reference numbers in `bench/reference/gegravity_sample/` were written by gegravity
//! itself (`bench/gegravity_reference.py`, solver tolerance 1e-13). Every reported output
//! must agree to 1e-6 relative: |ours − theirs| ≤ 1e-6 · max(|ours|, |theirs|), with an
//! absolute floor of 1e-12 for values that are exactly zero (the reference importer's IMR
//! change).

// Tests print the numbers they check, for the record.
#![allow(clippy::print_stdout)]

mod common;

use std::collections::HashMap;
use std::path::PathBuf;

use kanzei_data::gravity_data::GravityPanel;
use kanzei_ge::gravity::{
    CostCoefficients, CountryResult, FullEndowment, GravityConfig, GravityInputs, GravityModel, GravityResults,
};

const COST_VARIABLES: [(&str, f64); 5] = [
    ("lndist", -0.3764),
    ("contiguity", 0.8850),
    ("pta", 0.4823),
    ("common_language", 0.0392),
    ("international", -3.4224),
];

fn reference_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/reference/gegravity_sample"))
}

/// Reads a reference CSV into rows of (header -> field).
fn read_csv(name: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(reference_dir().join(name)).expect("reference file present");
    let headers: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    reader
        .records()
        .map(|r| headers.iter().cloned().zip(r.unwrap().iter().map(str::to_string)).collect())
        .collect()
}

fn gegravity_inputs(panel: &GravityPanel) -> GravityInputs {
    let totals = panel.country_totals(2006, "Y", "E").unwrap();
    let cost_variables = COST_VARIABLES
        .iter()
        .map(|(name, _)| (name.to_string(), panel.pair_matrix(2006, &totals.countries, name).unwrap()))
        .collect();
    GravityInputs { countries: totals.countries, output: totals.output, expenditure: totals.expenditure, cost_variables }
}

fn solve_sample(panel: &GravityPanel, variant: FullEndowment) -> GravityResults {
    let inputs = gegravity_inputs(panel);
    let coefficients = CostCoefficients(COST_VARIABLES.iter().map(|(n, b)| (n.to_string(), *b)).collect());
    let config = GravityConfig { sigma: 5.0, reference_importer: "DEU".into(), ..GravityConfig::default() };
    let model = GravityModel::new(&inputs, inputs.trade_cost_power(&coefficients).unwrap(), &config).unwrap();
    let mut experiment = inputs.clone();
    experiment.set_cost_variable("pta", &[("CAN", "JPN"), ("JPN", "CAN")], 1.0).unwrap();
    model.simulate(&experiment.trade_cost_power(&coefficients).unwrap(), variant).unwrap()
}

fn close(ours: f64, theirs: f64) -> bool {
    (ours - theirs).abs() <= 1e-6 * ours.abs().max(theirs.abs()) || (ours - theirs).abs() <= 1e-12
}

fn country_fields(c: &CountryResult) -> Vec<(&'static str, f64)> {
    vec![
        ("factory gate price change (percent)", c.factory_gate_price_change_pct),
        ("baseline imr", c.baseline_imr),
        ("experiment imr", c.experiment_imr),
        ("imr change (percent)", c.imr_change_pct),
        ("baseline omr", c.baseline_omr),
        ("experiment omr", c.experiment_omr),
        ("omr change (percent)", c.omr_change_pct),
        ("terms of trade change (percent)", c.terms_of_trade_change_pct),
        ("GDP change (percent)", c.gdp_change_pct),
        ("welfare statistic", c.welfare_statistic),
        ("baseline output", c.baseline_output),
        ("experiment output", c.experiment_output),
        ("output change (percent)", c.output_change_pct),
        ("baseline expenditure", c.baseline_expenditure),
        ("experiment expenditure", c.experiment_expenditure),
        ("expenditure change (percent)", c.expenditure_change_pct),
        ("baseline modeled foreign exports", c.baseline_foreign_exports),
        ("experiment foreign exports", c.experiment_foreign_exports),
        ("foreign exports change (percent)", c.foreign_exports_change_pct),
        ("baseline modeled foreign imports", c.baseline_foreign_imports),
        ("experiment foreign imports", c.experiment_foreign_imports),
        ("foreign imports change (percent)", c.foreign_imports_change_pct),
        ("baseline modeled intranational trade", c.baseline_intranational_trade),
        ("experiment modeled intranational trade", c.experiment_intranational_trade),
        ("intranational trade change (percent)", c.intranational_trade_change_pct),
    ]
}

#[test]
fn all_reported_outputs_match_gegravity() {
    let Some(raw) = common::raw_dir() else { return };
    let panel = GravityPanel::load(&raw.join("gegravity_sample/sample_data_set.dlm")).unwrap();
    let ours = solve_sample(&panel, FullEndowment::Gegravity);
    let by_country: HashMap<&str, &CountryResult> = ours.countries.iter().map(|c| (c.country.as_str(), c)).collect();
    let mut compared = 0;
    let mut worst = 0.0f64;
    // Country table: every column gegravity exports.
    let table = read_csv("country_results.csv");
    assert_eq!(table.len(), 30);
    for row in &table {
        let code = row[""].as_str();
        let c = by_country[code];
        for (column, value) in country_fields(c) {
            let theirs: f64 = row[column].parse().unwrap();
            assert!(close(value, theirs), "{code} `{column}`: ours {value:e}, gegravity {theirs:e}");
            worst = worst.max((value - theirs).abs() / value.abs().max(theirs.abs()).max(1e-300));
            compared += 1;
        }
        assert_eq!(row.len(), country_fields(c).len() + 1, "gegravity reports a column kanzei does not compare");
    }
    // Conditional MRs and factory-gate prices.
    for row in read_csv("mr_terms.csv") {
        let c = by_country[row["country"].as_str()];
        for (column, value) in [
            ("conditional_imr", c.conditional_imr),
            ("conditional_omr", c.conditional_omr),
            ("experiment_factory_price", c.factory_gate_price),
        ] {
            let theirs: f64 = row[column].parse().unwrap();
            assert!(close(value, theirs), "{} `{column}`: ours {value:e}, gegravity {theirs:e}", c.country);
            compared += 1;
        }
    }
    // Bilateral table: all 900 flows.
    let flows: HashMap<(&str, &str), _> =
        ours.bilateral.iter().map(|b| ((b.exporter.as_str(), b.importer.as_str()), b)).collect();
    let bilateral = read_csv("bilateral_results.csv");
    assert_eq!(bilateral.len(), 900);
    for row in &bilateral {
        let b = flows[&(row["exporter"].as_str(), row["importer"].as_str())];
        for (column, value) in [
            ("baseline modeled trade", b.baseline_trade),
            ("experiment trade", b.experiment_trade),
            ("trade change (percent)", b.trade_change_pct),
        ] {
            let theirs: f64 = row[column].parse().unwrap();
            assert!(close(value, theirs), "{}->{} `{column}`: ours {value:e}, gegravity {theirs:e}", b.exporter, b.importer);
            worst = worst.max((value - theirs).abs() / value.abs().max(theirs.abs()).max(1e-300));
            compared += 1;
        }
    }
    println!("compared {compared} values; worst relative difference {worst:.2e}");
    assert_eq!(compared, 30 * 25 + 30 * 3 + 900 * 3);
}

/// Largest relative gap between each exporter's modelled sales Σ_j X'_ij and its new
/// output scaled to world expenditure, Y'_i · ΣE'/ΣY' (zero when goods markets clear).
fn market_clearing_gap(results: &GravityResults) -> f64 {
    let n = results.countries.len();
    let ratio = results.countries.iter().map(|c| c.experiment_expenditure).sum::<f64>()
        / results.countries.iter().map(|c| c.experiment_output).sum::<f64>();
    (0..n)
        .map(|i| {
            let sales: f64 = results.bilateral[i * n..(i + 1) * n].iter().map(|b| b.experiment_trade).sum();
            (sales / (results.countries[i].experiment_output * ratio) - 1.0).abs()
        })
        .fold(0.0, f64::max)
}

/// gegravity's full-GE system keeps baseline output shares in the resistances and the
/// price condition; the exact system updates them. The exact solution clears every goods
/// market (gap 3e-14), gegravity's leaves a gap of 0.2%; the members' real GDP gains agree
/// in sign and differ by 2% (CAN) and 7% (JPN) of their size.
#[test]
fn exact_full_endowment_clears_markets_and_is_close_to_gegravity() {
    let Some(raw) = common::raw_dir() else { return };
    let panel = GravityPanel::load(&raw.join("gegravity_sample/sample_data_set.dlm")).unwrap();
    let approx = solve_sample(&panel, FullEndowment::Gegravity);
    let exact = solve_sample(&panel, FullEndowment::Exact);
    let (gap_exact, gap_approx) = (market_clearing_gap(&exact), market_clearing_gap(&approx));
    println!("market-clearing gap: exact {gap_exact:.1e}, gegravity {gap_approx:.1e}");
    assert!(gap_exact < 1e-11, "{gap_exact}");
    assert!(gap_approx > 1e-6, "{gap_approx}");
    for code in ["CAN", "JPN"] {
        let a = approx.countries.iter().find(|c| c.country == code).unwrap();
        let e = exact.countries.iter().find(|c| c.country == code).unwrap();
        println!("{code}: real GDP gegravity {:.6}% exact {:.6}%", a.gdp_change_pct, e.gdp_change_pct);
        assert!(e.gdp_change_pct > 0.0 && a.gdp_change_pct > 0.0);
        // Same order of magnitude: CAN 0.445% vs 0.435%, JPN 0.053% vs 0.056%.
        assert!((a.gdp_change_pct / e.gdp_change_pct - 1.0).abs() < 0.1, "{code}");
    }
    assert!(exact.max_residual <= 1e-13);
}
