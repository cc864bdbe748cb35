//! Reproduction: the GSIM 4-region US–EU free trade agreement example (Francois & Hall
//! 2003 workbook; UNCTAD/WTO *Practical Guide to Trade Policy Analysis*, 2012, ch. 5).
//!
//! Inputs: `../shared/data/raw/gsim_4region_example` (flows, T0, T1 with US↔EU tariffs set
//! to 1, Em = −1.25, Ex = 1.5, Es = 5 for every region).
//!
//! Check values: the world price changes the example reports,
//! `(US, JP, EU, RW) = (0.0792, −0.0316, 0.0480, −0.0184)`. They are held back from the
//! staged data (`SOURCE.md`); kanzei's copy was found with the search tool in the public
//! R script "GSIM 4x4 model" from which the staged CSVs were transcribed, where they appear
//! as the comment `# reported prices  x <- c(0.0792, -0.0316, 0.0480, -0.0184)` next to
//! the numbers above (the script's repository is not identified, as in `SOURCE.md`). The
//! published figures are rounded to 4 decimals, so the tolerance is half a unit in the
//! fourth decimal.
#![expect(clippy::print_stderr, reason = "the tests report the numbers they check")]

use std::path::PathBuf;

use kanzei_data::elasticities::gsim_input;
use kanzei_pe::gsim::{solve_linear, solve_nonlinear, GsimData, GsimProblem, NewtonOptions, StopReason};

fn raw() -> Option<PathBuf> {
    Some(kanzei_data::testing::shared_raw(env!("CARGO_MANIFEST_DIR"))?.join("gsim_4region_example"))
}

fn data() -> Option<GsimData> {
    let dir = raw()?;
    let inputs = gsim_input::read_dir(&dir).unwrap();
    Some(GsimData {
        exporters: inputs.exporters,
        importers: inputs.importers,
        flows: inputs.flows,
        t0: inputs.t0,
        t1: inputs.t1,
        em: inputs.em,
        es: inputs.es,
        ex: inputs.ex,
    })
}

#[test]
fn world_price_changes_match_the_published_example() {
    let Some(data) = data() else { return };
    assert_eq!(data.exporters, ["US", "JP", "EU", "RW"]);
    let problem = GsimProblem::new(data).unwrap();
    let solution = solve_linear(&problem).unwrap();
    let published = [0.0792, -0.0316, 0.0480, -0.0184];
    eprintln!("world price changes: {:?}", solution.world_price_change);
    eprintln!("market-clearing residual: {:e} ({:?})", solution.report.residual, solution.report.stop);
    for (got, want) in solution.world_price_change.iter().zip(published) {
        assert!((got - want).abs() <= 0.5e-4, "got {got}, published {want}");
    }
    assert_eq!(solution.report.stop, StopReason::DirectSolve);
    assert!(solution.report.residual < 1e-10, "residual {:e}", solution.report.residual);
    for w in solution.welfare_by_region() {
        eprintln!(
            "{}: PS {:.2} CS {:.2} revenue {:.2} net {:.2}",
            w.region, w.producer_surplus, w.consumer_surplus, w.revenue_change, w.net
        );
    }
    // The FTA members' exporters gain, the outsiders' lose (terms of trade).
    let ps: Vec<f64> = solution.exporters.iter().map(|e| e.producer_surplus).collect();
    assert!(ps[0] > 0.0 && ps[2] > 0.0 && ps[1] < 0.0 && ps[3] < 0.0);
    // The US and EU remove their tariffs on each other: revenue falls in both.
    assert!(solution.markets[0].revenue_change < 0.0 && solution.markets[2].revenue_change < 0.0);
}

/// An independent evaluation of the published equations at the solution, written out
/// here rather than taken from the crate: θ, φ, N_own, N_cross and the clearing condition
/// `Σ_r φ_vr M̂_vr = Ex_v P̂*_v`.
#[test]
fn market_clearing_holds_when_evaluated_independently() {
    let Some(data) = data() else { return };
    let solution = solve_linear(&GsimProblem::new(data.clone()).unwrap()).unwrap();
    let n = 4;
    let m = |v: usize, r: usize| data.flows[v * n + r];
    let t0 = |v: usize, r: usize| data.t0[v * n + r];
    let t_hat = |v: usize, r: usize| data.t1[v * n + r] / data.t0[v * n + r] - 1.0;
    let p = &solution.world_price_change;
    for v in 0..n {
        let exports: f64 = (0..n).map(|r| m(v, r)).sum();
        let mut demand = 0.0;
        for r in 0..n {
            let spend: f64 = (0..n).map(|k| m(k, r) * t0(k, r)).sum();
            let theta = |k: usize| m(k, r) * t0(k, r) / spend;
            let (em, es) = (data.em[r], data.es[r]);
            let mut m_hat = (theta(v) * em - (1.0 - theta(v)) * es) * (t_hat(v, r) + p[v]);
            for k in (0..n).filter(|&k| k != v) {
                m_hat += theta(k) * (em + es) * (t_hat(k, r) + p[k]);
            }
            demand += m(v, r) / exports * m_hat;
        }
        let residual = demand - data.ex[v] * p[v];
        assert!(residual.abs() < 1e-12, "exporter {v}: residual {residual:e}");
    }
}

/// The nonlinear (CES levels) variant has no published figures. Two checks:
/// * an independent implementation (a separate numpy script: the levels equations written
///   out, Newton with a finite-difference Jacobian) gives
///   `P̂* = (0.12645993, −0.03229041, 0.07932931, −0.01732640)` for this example;
/// * shrinking the shock to 0.1% of the FTA (`T1 = T0 (T1/T0)^0.001`) makes the two forms
///   agree to first order, as they must, since the linear system is the nonlinear one
///   differentiated at the base.
///
/// With the full shock the forms differ a lot: Es = 5 and a 29% cut in the US tariff on EU
/// goods give a CES relative-demand response of 0.709^(−5) − 1 = +460% where the linear form
/// gives +145%.
#[test]
fn nonlinear_variant_converges_and_matches_the_linear_form_for_small_shocks() {
    let Some(data) = data() else { return };
    let problem = GsimProblem::new(data.clone()).unwrap();
    let nonlinear = solve_nonlinear(&problem, &NewtonOptions::default()).unwrap();
    eprintln!(
        "nonlinear: {:?}, {} Newton iterations, residual {:e}",
        nonlinear.world_price_change, nonlinear.report.iterations, nonlinear.report.residual
    );
    assert_eq!(nonlinear.report.stop, StopReason::Converged);
    assert!(nonlinear.report.residual <= 1e-12);
    let independent = [0.12645993, -0.03229041, 0.07932931, -0.01732640];
    for (got, want) in nonlinear.world_price_change.iter().zip(independent) {
        assert!((got - want).abs() < 1e-8, "got {got}, independent {want}");
    }

    let mut small = data;
    for (t1, t0) in small.t1.iter_mut().zip(&small.t0) {
        *t1 = t0 * (*t1 / t0).powf(1e-3);
    }
    let problem = GsimProblem::new(small).unwrap();
    let linear = solve_linear(&problem).unwrap();
    let nonlinear = solve_nonlinear(&problem, &NewtonOptions::default()).unwrap();
    for (l, nl) in linear.world_price_change.iter().zip(&nonlinear.world_price_change) {
        assert!((l - nl).abs() < 0.01 * l.abs(), "linear {l}, nonlinear {nl}");
    }
}
