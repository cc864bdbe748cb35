//! Wall-clock timings for `bench/ge_vs_peers.sh`: the CP NAFTA solve and the gegravity
//! sample counterfactual, each run several times, printing the median in seconds as
//! `name seconds` lines. (Criterion benches in `benches/` measure the same work with
//! statistics; this is the quick side-by-side form.)
//!
//! Usage: `cargo run --release -p kanzei-ge --example ge_timing [RAW_DIR]`

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use kanzei_data::cp2015::{Cp2015Data, TariffYear};
use kanzei_data::gravity_data::GravityPanel;
use kanzei_ge::caliendo_parro::{solve, Baseline, ObservedEconomy, Shock, SolverConfig};
use kanzei_ge::gravity::{CostCoefficients, FullEndowment, GravityConfig, GravityInputs, GravityModel};

fn median_seconds(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn main() {
    let raw = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/raw"))
    });
    // Caliendo-Parro 1993, NAFTA.
    let data = Cp2015Data::load(&raw.join("caliendo_parro_2015")).expect("CP files parse");
    let observed = ObservedEconomy {
        countries: data.countries(),
        sectors: data.sectors(),
        tradable: data.tradable(),
        theta: data.theta(),
        trade_flows: data.trade_flows_usd(),
        tariffs: data.tariff_rates(TariffYear::Y1993),
        gross_output: data.gross_output_usd(),
        value_added_share: data.value_added_share(),
        input_shares: data.input_shares(),
        final_demand_shares: None,
    };
    let config = SolverConfig::default();
    let (observed, _) = Baseline::from_observed(&observed).expect("baseline");
    let (baseline, _) = observed.with_zero_deficits(&config).expect("zero-deficit baseline");
    let shock = Shock::tariffs_among(&baseline, &data.tariff_rates(TariffYear::Y2005), &["CAN", "MEX", "USA"]).unwrap();
    let eq = solve(&baseline, &shock, &config).expect("NAFTA solves");
    let mex = eq.country("MEX").unwrap();
    println!("# CP NAFTA: MEX welfare {:.2}% ({} outer iterations, residual {:.1e})", mex.welfare_pct, eq.report.iterations, eq.report.max_residual);
    let t = median_seconds(11, || {
        solve(&baseline, &shock, &config).unwrap();
    });
    println!("caliendo_parro_nafta_solve {t:.6}");
    let t = median_seconds(11, || {
        let (b, _) = observed.with_zero_deficits(&config).unwrap();
        solve(&b, &shock, &config).unwrap();
    });
    println!("caliendo_parro_zero_deficit_plus_nafta {t:.6}");
    // gegravity sample, CAN-JPN PTA.
    let panel = GravityPanel::load(&raw.join("gegravity_sample/sample_data_set.dlm")).expect("sample parses");
    let names = ["lndist", "contiguity", "pta", "common_language", "international"];
    let betas = [-0.3764, 0.8850, 0.4823, 0.0392, -3.4224];
    let totals = panel.country_totals(2006, "Y", "E").unwrap();
    let inputs = GravityInputs {
        cost_variables: names.iter().map(|n| (n.to_string(), panel.pair_matrix(2006, &totals.countries, n).unwrap())).collect(),
        countries: totals.countries,
        output: totals.output,
        expenditure: totals.expenditure,
    };
    let coefficients = CostCoefficients(names.iter().zip(betas).map(|(n, b)| (n.to_string(), b)).collect());
    let gconfig = GravityConfig { sigma: 5.0, reference_importer: "DEU".into(), ..GravityConfig::default() };
    let mut experiment = inputs.clone();
    experiment.set_cost_variable("pta", &[("CAN", "JPN"), ("JPN", "CAN")], 1.0).unwrap();
    let t = median_seconds(101, || {
        let model = GravityModel::new(&inputs, inputs.trade_cost_power(&coefficients).unwrap(), &gconfig).unwrap();
        model.simulate(&experiment.trade_cost_power(&coefficients).unwrap(), FullEndowment::Gegravity).unwrap();
    });
    println!("gravity_gegravity_sample_30 {t:.6}");
}
