//! Caliendo & Parro (2015), Table 2: welfare effects of NAFTA's tariff reductions.
//!
//! The baseline is built as the paper builds it: CP's `script.m` steps on the 1993 data,
//! then the zero-aggregate-deficit equilibrium as the base year; the experiment sets the
//! tariffs among Canada, Mexico and the U.S. to their 2005 values, all other tariffs at 1993.
//! The published table has two decimals, so each number must round to the published one:
//! |ours − published| ≤ 0.005 (plus 1e-9 for the rounding boundary).

// Tests print the numbers they check, for the record.
#![allow(clippy::print_stdout)]

mod common;

use kanzei_data::cp2015::TariffYear;
use kanzei_ge::caliendo_parro::{solve, Baseline, Shock, SolverConfig};

use kanzei_ge::caliendo_parro::published::{TABLE_2, TWO_DECIMALS};

#[test]
fn table_2_welfare_effects_of_nafta() {
    let Some(data) = common::cp_data() else { return };
    let config = SolverConfig::default();
    let (observed, _) = Baseline::from_observed(&common::cp1993_observed(&data)).unwrap();
    let (baseline, zero_deficit) = observed.with_zero_deficits(&config).unwrap();
    assert!(zero_deficit.report.trade_balance_residual <= config.tolerance);
    let shock = Shock::tariffs_among(&baseline, &data.tariff_rates(TariffYear::Y2005), &["CAN", "MEX", "USA"]).unwrap();
    let eq = solve(&baseline, &shock, &config).unwrap();
    for row in &TABLE_2 {
        let c = eq.country(row.country).unwrap();
        println!(
            "{}: total {:.4} (paper {:.2}), ToT {:.4} ({:.2}), VoT {:.4} ({:.2}), real wage {:.4} ({:.2}); exact real income {:.4}",
            row.country, c.welfare_pct, row.welfare_pct, c.tot_pct, row.tot_pct, c.vot_pct, row.vot_pct, c.real_wage_pct, row.real_wage_pct, c.real_income_pct
        );
    }
    println!("report: {:?}", eq.report);
    for row in &TABLE_2 {
        let c = eq.country(row.country).unwrap();
        assert!((c.welfare_pct - row.welfare_pct).abs() <= TWO_DECIMALS, "{} total {}", row.country, c.welfare_pct);
        assert!((c.tot_pct - row.tot_pct).abs() <= TWO_DECIMALS, "{} ToT {}", row.country, c.tot_pct);
        assert!((c.vot_pct - row.vot_pct).abs() <= TWO_DECIMALS, "{} VoT {}", row.country, c.vot_pct);
        assert!((c.real_wage_pct - row.real_wage_pct).abs() <= TWO_DECIMALS, "{} real wage {}", row.country, c.real_wage_pct);
    }
}

/// The abstract's trade effects: "intra-bloc trade increases by 118% for Mexico, 11% for
/// Canada and 41% for the U.S." — each member's imports from the other two, all sectors,
/// at producer prices (the replication code's `gimp_all_oN_*`), to the published integer.
#[test]
fn abstract_intra_bloc_trade_growth() {
    let Some(data) = common::cp_data() else { return };
    let config = SolverConfig::default();
    let (observed, _) = Baseline::from_observed(&common::cp1993_observed(&data)).unwrap();
    let (baseline, _) = observed.with_zero_deficits(&config).unwrap();
    let members = ["CAN", "MEX", "USA"];
    let shock = Shock::tariffs_among(&baseline, &data.tariff_rates(TariffYear::Y2005), &members).unwrap();
    let eq = solve(&baseline, &shock, &config).unwrap();
    for (country, published) in [("MEX", 118.0), ("CAN", 11.0), ("USA", 41.0)] {
        let (mut base, mut new) = (0.0, 0.0);
        for partner in members.iter().filter(|p| **p != country) {
            let t = eq.trade_change(country, partner).unwrap();
            base += t.base;
            new += t.new;
        }
        let growth = 100.0 * (new / base - 1.0);
        println!("{country}: imports from NAFTA partners {growth:+.2}% (paper {published}%)");
        assert!((growth - published).abs() <= 0.5, "{country}: {growth}");
    }
}

