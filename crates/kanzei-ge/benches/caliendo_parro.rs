//! Criterion benches of the Caliendo-Parro solver on the CP 1993 data (31 countries x 40
//! sectors): `caliendo_parro/31x40` is the NAFTA counterfactual on the zero-deficit
//! baseline (the solve behind CP Table 2); `caliendo_parro/31x40_zero_deficit` is the
//! baseline step itself. Needs `../shared/data/raw`; without it the benches print a notice
//! and measure nothing.

#![allow(clippy::print_stderr)]
// `criterion_group!` generates an undocumented function.
#![allow(missing_docs)]

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use kanzei_data::cp2015::{Cp2015Data, TariffYear};
use kanzei_ge::caliendo_parro::{solve, Baseline, ObservedEconomy, Shock, SolverConfig};

fn cp_observed() -> Option<(Cp2015Data, Baseline)> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/raw/caliendo_parro_2015"));
    if !dir.is_dir() {
        eprintln!("skipped: ../shared/data/raw not present");
        return None;
    }
    let data = Cp2015Data::load(&dir).expect("CP files parse");
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
    let (baseline, _) = Baseline::from_observed(&observed).expect("CP baseline builds");
    Some((data, baseline))
}

fn benches(c: &mut Criterion) {
    let Some((data, observed)) = cp_observed() else { return };
    let config = SolverConfig::default();
    let (baseline, _) = observed.with_zero_deficits(&config).expect("zero-deficit baseline");
    let shock = Shock::tariffs_among(&baseline, &data.tariff_rates(TariffYear::Y2005), &["CAN", "MEX", "USA"])
        .expect("NAFTA shock");
    let mut group = c.benchmark_group("caliendo_parro");
    group.sample_size(20);
    group.bench_function("31x40", |b| b.iter(|| solve(&baseline, &shock, &config).expect("solves")));
    group.bench_function("31x40_zero_deficit", |b| {
        b.iter(|| observed.with_zero_deficits(&config).expect("solves"))
    });
    group.finish();
}

criterion_group!(caliendo_parro, benches);
criterion_main!(caliendo_parro);
