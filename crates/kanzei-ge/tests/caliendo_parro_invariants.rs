//! Model invariants of the Caliendo-Parro solver, on the CP 1993 data (when present) and
//! on random small economies (proptest):
//! * a zero shock returns the baseline exactly;
//! * a solved equilibrium satisfies every equilibrium condition (10)-(14) and labour-market
//!   clearing to tolerance;
//! * real outcomes do not depend on the numeraire;
//! * the iterative and direct (LU) expenditure solves, and the accelerated and damped wage
//!   updates, reach the same equilibrium.

// Tests print the numbers they check, for the record.
#![allow(clippy::print_stdout)]

mod common;

use kanzei_data::cp2015::TariffYear;
use kanzei_ge::caliendo_parro::{
    solve, Baseline, Equilibrium, ExpenditureSolve, Numeraire, ObservedEconomy, Shock, SolverConfig, WageUpdate,
};
use proptest::prelude::*;

/// The CP zero-deficit baseline and the NAFTA shock.
fn cp_nafta() -> Option<(Baseline, Shock)> {
    let data = common::cp_data()?;
    let (observed, _) = Baseline::from_observed(&common::cp1993_observed(&data)).unwrap();
    let (baseline, _) = observed.with_zero_deficits(&SolverConfig::default()).unwrap();
    let shock = Shock::tariffs_among(&baseline, &data.tariff_rates(TariffYear::Y2005), &["CAN", "MEX", "USA"]).unwrap();
    Some((baseline, shock))
}

fn max_rel_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs() / x.abs().max(y.abs()).max(1e-300)).fold(0.0, f64::max)
}

fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

fn assert_same_real_outcomes(a: &Equilibrium, b: &Equilibrium, tolerance: f64) {
    let pi_diff = max_abs_diff(&a.pi_new, &b.pi_new);
    assert!(pi_diff < tolerance, "trade shares differ by {pi_diff}");
    for (x, y) in a.countries.iter().zip(&b.countries) {
        for (name, u, v) in [
            ("real wage", x.real_wage_pct, y.real_wage_pct),
            ("real income", x.real_income_pct, y.real_income_pct),
            ("welfare", x.welfare_pct, y.welfare_pct),
            ("ToT", x.tot_pct, y.tot_pct),
            ("VoT", x.vot_pct, y.vot_pct),
        ] {
            assert!((u - v).abs() < 100.0 * tolerance, "{} {name}: {u} vs {v}", x.country);
        }
    }
    for (x, y) in a.trade.iter().zip(&b.trade) {
        assert!((x.new - y.new).abs() <= tolerance * x.new.abs().max(1.0), "{}<-{}", x.importer, x.exporter);
    }
    // Relative wages are real: ŵ_n/ŵ_0 is the same in any numeraire.
    for n in 1..a.w_hat.len() {
        let (ra, rb) = (a.w_hat[n] / a.w_hat[0], b.w_hat[n] / b.w_hat[0]);
        assert!((ra - rb).abs() < tolerance, "relative wage {n}");
    }
}

#[test]
fn cp_zero_shock_returns_the_baseline_exactly() {
    let Some((baseline, _)) = cp_nafta() else { return };
    let eq = solve(&baseline, &Shock::none(), &SolverConfig::default()).unwrap();
    // The baseline is itself an equilibrium: the first evaluation meets the tolerance.
    assert_eq!(eq.report.iterations, 0);
    assert!(eq.w_hat.iter().all(|w| (w - 1.0).abs() < 1e-12), "w_hat {:?}", eq.w_hat);
    assert!(eq.p_hat.iter().all(|p| (p - 1.0).abs() < 1e-12));
    assert!(max_abs_diff(&eq.pi_new, &baseline.pi) < 1e-12);
    assert!(max_rel_diff(&eq.expenditure_new, &baseline.expenditure) < 1e-10);
    for c in &eq.countries {
        assert!(c.welfare_pct.abs() < 1e-9 && c.real_wage_pct.abs() < 1e-9, "{c:?}");
    }
}

#[test]
fn cp_nafta_equilibrium_satisfies_every_condition() {
    let Some((baseline, shock)) = cp_nafta() else { return };
    let config = SolverConfig::default();
    let eq = solve(&baseline, &shock, &config).unwrap();
    let r = eq.report.residuals;
    println!("{r:?}");
    assert!(r.input_cost < 1e-12, "(10) {}", r.input_cost);
    assert!(r.price_index < 1e-12, "(11) {}", r.price_index);
    assert!(r.trade_shares < 1e-12, "(12) {}", r.trade_shares);
    assert!(r.goods_market < 1e-11, "(13) {}", r.goods_market);
    assert!(r.trade_balance <= config.tolerance, "(14) {}", r.trade_balance);
    // Labour markets clear where cost shares sum to one; CP's India and Turkey public
    // administration sectors report no intermediates, which leaves a gap of ~1e-7.
    assert!(r.labor_market < 1e-6, "labour {}", r.labor_market);
    // Walras: world exports equal world imports, so the excesses sum to zero.
    let world: f64 = eq.trade.iter().map(|t| t.new).sum::<f64>();
    assert!(world > 0.0);
}

/// Gives every sector whose cost shares fall short of one the missing share as value
/// added (CP's India and Turkey public administration report no intermediates).
fn with_constant_returns(mut baseline: Baseline) -> Baseline {
    let d = baseline.dims();
    for n in 0..d.n_countries {
        for j in 0..d.n_sectors {
            let inputs: f64 = (0..d.n_sectors).map(|k| baseline.gamma_io[d.nkj(n, k, j)]).sum();
            baseline.gamma_va[d.nj(n, j)] = 1.0 - inputs;
        }
    }
    baseline
}

#[test]
fn cp_nafta_does_not_depend_on_the_numeraire() {
    let Some((baseline, shock)) = cp_nafta() else { return };
    let by_country = SolverConfig { numeraire: Numeraire::Country("USA".into()), ..SolverConfig::default() };
    // With constant returns everywhere the model is homogeneous of degree one in nominal
    // variables, and the numeraire changes nothing real.
    // Solved to 1e-12 so that the comparison at 1e-10 tests the model, not the tolerance.
    let tight = SolverConfig { tolerance: 1e-12, ..SolverConfig::default() };
    let crs = with_constant_returns(baseline.clone());
    let world = solve(&crs, &shock, &tight).unwrap();
    let usa = solve(&crs, &shock, &SolverConfig { tolerance: 1e-12, ..by_country.clone() }).unwrap();
    // The numeraires really differ: U.S. wages are fixed in one and not the other.
    let us = baseline.country_index("USA").unwrap();
    assert_eq!(usa.w_hat[us], 1.0);
    assert!((world.w_hat[us] - 1.0).abs() > 1e-4, "{}", world.w_hat[us]);
    assert_same_real_outcomes(&world, &usa, 1e-10);
    // CP's data as published breaks homogeneity in two non-tradable sectors (costs
    // ŵ^β with β < 1 and no inputs), so the numeraire moves trade shares by about 1e-8.
    let world = solve(&baseline, &shock, &SolverConfig::default()).unwrap();
    let usa = solve(&baseline, &shock, &by_country).unwrap();
    assert_same_real_outcomes(&world, &usa, 1e-7);
}

#[test]
fn cp_nafta_direct_expenditure_solve_agrees() {
    let Some((baseline, shock)) = cp_nafta() else { return };
    let iterative = solve(&baseline, &shock, &SolverConfig::default()).unwrap();
    let config = SolverConfig { expenditure: ExpenditureSolve::Direct, ..SolverConfig::default() };
    let direct = solve(&baseline, &shock, &config).unwrap();
    assert_eq!(direct.report.expenditure_iterations, 0);
    assert_same_real_outcomes(&iterative, &direct, 1e-8);
}

#[test]
fn not_converging_is_an_error_with_iterations_and_residual() {
    let baseline = Baseline::example_two_country();
    let mut shock = Shock::none();
    shock.set_tariff(&baseline, "Goods", "B", "A", 0.5).unwrap();
    let config = SolverConfig { max_iterations: 2, ..SolverConfig::default() };
    let message = solve(&baseline, &shock, &config).unwrap_err().to_string();
    assert!(
        message.starts_with("Caliendo-Parro wage loop (eq. 14) did not converge: stopped after 2 iterations with residual "),
        "{message}"
    );
    assert!(
        message.ends_with(
            "(tolerance 1.0e-10); the iteration limit was reached\n\nhint: raise `SolverConfig::max_iterations`, lower the step of `SolverConfig::wage_update`, or switch between `WageUpdate::Anderson` and `WageUpdate::Damped` (library; `kanzei ge cp` uses the defaults); from the CLI, check the scenario's tariffs (`--scenario`, `--with`)"
        ),
        "{message}"
    );
}

/// The two-country example against its closed form: with one sector, no intermediates
/// and no tariffs, B's 10% tariff on A moves trade shares by
/// π'_BA/π'_BB = (π_BA/π_BB) (1.1 ŵ_A/ŵ_B)^{−θ}.
#[test]
fn two_country_tariff_matches_the_gravity_closed_form() {
    let baseline = Baseline::example_two_country();
    let mut shock = Shock::none();
    shock.set_tariff(&baseline, "Goods", "B", "A", 0.10).unwrap();
    let eq = solve(&baseline, &shock, &SolverConfig::default()).unwrap();
    let ratio = eq.pi_new[2] / eq.pi_new[3];
    let expected = (0.3 / 0.7) * (1.1 * eq.w_hat[0] / eq.w_hat[1]).powf(-4.0);
    assert!((ratio / expected - 1.0).abs() < 1e-12, "{ratio} vs {expected}");
    // A's terms of trade worsen, B's improve; B's tariff revenue appears.
    assert!(eq.countries[0].tot_pct < 0.0 && eq.countries[1].tot_pct > 0.0);
    assert!(eq.countries[1].tariff_revenue_new > 0.0 && eq.countries[1].tariff_revenue_base == 0.0);
}

/// A random small economy with constant returns (IO columns sum to one).
fn economy() -> impl Strategy<Value = ObservedEconomy> {
    (2usize..=4, 1usize..=3).prop_flat_map(|(nn, jj)| {
        (
            prop::collection::vec(0.0f64..50.0, jj * nn * nn),
            prop::collection::vec(0.0f64..0.3, jj * nn * nn),
            prop::collection::vec(50.0f64..500.0, nn * jj),
            prop::collection::vec(0.2f64..0.9, nn * jj),
            prop::collection::vec(0.01f64..1.0, nn * jj * jj),
            prop::collection::vec(1.5f64..10.0, jj),
        )
            .prop_map(move |(flows, tariffs, gross_output, beta, io, theta)| {
                let mut tariffs = tariffs;
                let mut io = io;
                for j in 0..jj {
                    for n in 0..nn {
                        tariffs[(j * nn + n) * nn + n] = 0.0;
                    }
                }
                // Columns of each country's IO block sum to one.
                for n in 0..nn {
                    for j in 0..jj {
                        let sum: f64 = (0..jj).map(|k| io[(n * jj + k) * jj + j]).sum();
                        for k in 0..jj {
                            io[(n * jj + k) * jj + j] /= sum;
                        }
                    }
                }
                ObservedEconomy {
                    countries: (0..nn).map(|n| format!("C{n}")).collect(),
                    sectors: (0..jj).map(|j| format!("S{j}")).collect(),
                    tradable: vec![true; jj],
                    theta,
                    trade_flows: flows,
                    tariffs,
                    gross_output,
                    value_added_share: beta,
                    input_shares: io,
                    final_demand_shares: Some(vec![1.0 / jj as f64; nn * jj]),
                }
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn random_economies_satisfy_the_invariants(obs in economy(), change in prop::collection::vec(-0.2f64..0.5, 64)) {
        let config = SolverConfig::default();
        let (observed, _) = Baseline::from_observed(&obs).unwrap();
        let (baseline, _) = observed.with_zero_deficits(&config).unwrap();
        // Zero shock returns the baseline. The rebalanced baseline is an equilibrium only to
        // the solver's tolerance, so a couple of polishing iterations are allowed; the
        // solution must still be the baseline.
        let zero = solve(&baseline, &Shock::none(), &config).unwrap();
        prop_assert!(zero.report.iterations <= 3, "{} iterations", zero.report.iterations);
        prop_assert!(zero.w_hat.iter().all(|w| (w - 1.0).abs() < 1e-9));
        prop_assert!(max_abs_diff(&zero.pi_new, &baseline.pi) < 1e-10);
        prop_assert!(max_rel_diff(&zero.expenditure_new, &baseline.expenditure) < 1e-10);
        // A random tariff shock: every condition holds, labour markets included.
        let tariffs: Vec<f64> = baseline.tau.iter().enumerate().map(|(idx, t)| {
            let d = baseline.dims();
            let (n, i) = ((idx / d.n_countries) % d.n_countries, idx % d.n_countries);
            if n == i { 0.0 } else { (t + change[idx % change.len()]).max(0.0) }
        }).collect();
        let shock = Shock { tariffs: Some(tariffs), ..Shock::none() };
        let eq = solve(&baseline, &shock, &config).unwrap();
        let r = eq.report.residuals;
        prop_assert!(r.max_equilibrium() <= config.tolerance, "{:?}", r);
        prop_assert!(r.labor_market < 1e-9, "{:?}", r);
        // Numeraire independence, and the damped update agrees with the accelerated one.
        let other = SolverConfig { numeraire: Numeraire::Country("C1".into()), ..SolverConfig::default() };
        assert_same_real_outcomes(&eq, &solve(&baseline, &shock, &other).unwrap(), 1e-8);
        let damped = SolverConfig { wage_update: WageUpdate::Damped { step: 0.2 }, max_iterations: 100_000, ..SolverConfig::default() };
        assert_same_real_outcomes(&eq, &solve(&baseline, &shock, &damped).unwrap(), 1e-7);
    }
}
