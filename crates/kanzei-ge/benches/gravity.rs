//! Criterion bench of the one-sector gravity GE on gegravity's sample (30 countries):
//! `gravity/gegravity_sample_30` builds the model (baseline resistances) and simulates the
//! CAN-JPN PTA counterfactual in gegravity's formulation, the same work gegravity's
//! `build_baseline` + `define_experiment` + `simulate` do. Needs `../shared/data/raw`.

#![allow(clippy::print_stderr)]
// `criterion_group!` generates an undocumented function.
#![allow(missing_docs)]

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use kanzei_data::gravity_data::GravityPanel;
use kanzei_ge::gravity::{CostCoefficients, FullEndowment, GravityConfig, GravityInputs, GravityModel};

const COST_VARIABLES: [(&str, f64); 5] = [
    ("lndist", -0.3764),
    ("contiguity", 0.8850),
    ("pta", 0.4823),
    ("common_language", 0.0392),
    ("international", -3.4224),
];

fn benches(c: &mut Criterion) {
    let path = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/raw/gegravity_sample/sample_data_set.dlm"
    ));
    if !path.is_file() {
        eprintln!("skipped: ../shared/data/raw not present");
        return;
    }
    let panel = GravityPanel::load(&path).expect("sample parses");
    let totals = panel.country_totals(2006, "Y", "E").expect("totals");
    let inputs = GravityInputs {
        cost_variables: COST_VARIABLES
            .iter()
            .map(|(n, _)| (n.to_string(), panel.pair_matrix(2006, &totals.countries, n).expect("pairs")))
            .collect(),
        countries: totals.countries,
        output: totals.output,
        expenditure: totals.expenditure,
    };
    let coefficients = CostCoefficients(COST_VARIABLES.iter().map(|(n, b)| (n.to_string(), *b)).collect());
    let config = GravityConfig { sigma: 5.0, reference_importer: "DEU".into(), ..GravityConfig::default() };
    let mut experiment = inputs.clone();
    experiment.set_cost_variable("pta", &[("CAN", "JPN"), ("JPN", "CAN")], 1.0).expect("pta");
    c.bench_function("gravity/gegravity_sample_30", |b| {
        b.iter(|| {
            let model = GravityModel::new(&inputs, inputs.trade_cost_power(&coefficients).unwrap(), &config).unwrap();
            model.simulate(&experiment.trade_cost_power(&coefficients).unwrap(), FullEndowment::Gegravity).unwrap()
        })
    });
}

criterion_group!(gravity, benches);
criterion_main!(gravity);
