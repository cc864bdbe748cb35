//! The solution loop: inner fixed point on prices, linear solve for expenditure, outer
//! update of wages on the trade-balance excess.

use super::baseline::{Baseline, Shock};
use super::problem::{Problem, Residuals};
use super::results::Equilibrium;
use crate::anderson::Anderson;
use crate::error::GeError;

/// How the outer loop updates wages from the trade-balance excess Z_n.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum WageUpdate {
    /// ŵ_n ← ŵ_n + step · Z_n / (w_n L_n), as CP's `equilibrium_LC.m` (its `vfactor`
    /// of −0.2 is step 0.2). Slow but simple.
    Damped {
        /// The step (CP: 0.2).
        step: f64,
    },
    /// The same map, Anderson-accelerated (type II, Walker & Ni 2011) with a safeguard:
    /// a step that more than doubles the excess is undone, the damped step is halved and
    /// taken instead (repeatedly, if it too more than doubles the excess).
    Anderson {
        /// The damped step inside the accelerated map.
        step: f64,
        /// How many past iterates the mixing uses.
        memory: usize,
    },
}

/// The price normalisation.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum Numeraire {
    /// World GDP is unchanged: Σ_n ŵ_n w_n L_n = Σ_n w_n L_n (CP's normalisation).
    WorldGdp,
    /// One country's wage is unchanged, ŵ_c = 1 (by country code).
    Country(String),
}

/// How equation (13) is solved for X' at given ŵ and π'.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ExpenditureSolve {
    /// Fixed-point iteration X ← A X + b from the previous solution (A is a contraction:
    /// every dollar spent returns less than a dollar of further demand).
    Iterative,
    /// Dense LU of (I − A), NJ x NJ, every outer iteration (the replication code's
    /// `OM^-1`); exact but O((NJ)^3).
    Direct,
}

/// Solver settings.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SolverConfig {
    /// Convergence: max_n |Z_n| / (w_n L_n) at or below this.
    pub tolerance: f64,
    /// Outer (wage) iterations allowed.
    pub max_iterations: usize,
    /// The wage update.
    pub wage_update: WageUpdate,
    /// The price normalisation.
    pub numeraire: Numeraire,
    /// Inner price loop: stop when max |Δ ln P̂| is at or below this.
    pub price_tolerance: f64,
    /// Inner price iterations allowed per outer iteration.
    pub max_price_iterations: usize,
    /// Anderson memory for the inner loops — prices (in logs) and the iterative
    /// expenditure solve (0: the plain fixed-point iterations of the replication code). The
    /// fixed points are the same; only the number of iterations changes.
    pub price_acceleration: usize,
    /// How (13) is solved.
    pub expenditure: ExpenditureSolve,
    /// Iterative expenditure solve: stop when max relative change is at or below this.
    pub expenditure_tolerance: f64,
    /// Iterative expenditure solve: iterations allowed per outer iteration.
    pub max_expenditure_iterations: usize,
}

impl Default for SolverConfig {
    fn default() -> SolverConfig {
        SolverConfig {
            tolerance: 1e-10,
            max_iterations: 2000,
            wage_update: WageUpdate::Anderson { step: 0.5, memory: 8 },
            numeraire: Numeraire::WorldGdp,
            price_tolerance: 1e-13,
            max_price_iterations: 20_000,
            price_acceleration: 5,
            expenditure: ExpenditureSolve::Iterative,
            expenditure_tolerance: 1e-13,
            max_expenditure_iterations: 20_000,
        }
    }
}

impl SolverConfig {
    /// The replication code's algorithm: plain damped update with step 0.2.
    pub fn replication_code() -> SolverConfig {
        SolverConfig { wage_update: WageUpdate::Damped { step: 0.2 }, max_iterations: 100_000, ..SolverConfig::default() }
    }
}

impl SolverConfig {
    /// Settings for Monte Carlo draws: the trade balance to 1e-8 of value added and the
    /// inner loops to 1e-11, enough for results to 1e-6 of a percentage point (bands are
    /// reported to three decimals), at about half the iterations of the defaults.
    pub fn for_draws() -> SolverConfig {
        SolverConfig { tolerance: 1e-8, price_tolerance: 1e-11, expenditure_tolerance: 1e-11, price_acceleration: 5, ..SolverConfig::default() }
    }
}

/// Why the solver stopped (a solve that returns `Ok` converged).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum StopReason {
    /// The trade-balance excess met the tolerance.
    Converged,
}

/// What the solve did.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SolveReport {
    /// Outer (wage) iterations.
    pub iterations: usize,
    /// Inner price iterations, summed over outer iterations.
    pub price_iterations: usize,
    /// Expenditure iterations, summed (0 with [`ExpenditureSolve::Direct`]).
    pub expenditure_iterations: usize,
    /// Steps rejected by the safeguard (each one halved the damped step).
    pub rejected_steps: usize,
    /// The final convergence measure, max_n |Z_n| / (w_n L_n).
    pub trade_balance_residual: f64,
    /// The largest residual over all equilibrium conditions (10)-(14) at the solution.
    pub max_residual: f64,
    /// Every condition's residual at the solution.
    pub residuals: Residuals,
    /// Why it stopped.
    pub stop_reason: StopReason,
}

/// Mutable state of the outer loop at one wage vector.
pub(crate) struct State {
    pub(crate) w_hat: Vec<f64>,
    pub(crate) c_hat: Vec<f64>,
    pub(crate) p_hat: Vec<f64>,
    pub(crate) pi_new: Vec<f64>,
    pub(crate) x_new: Vec<f64>,
    z: Vec<f64>,
    cost_power: Vec<f64>,
    p_next: Vec<f64>,
    x_next: Vec<f64>,
    scratch: Vec<f64>,
    /// ln P̂ and ln of the price loop's next P̂.
    log_p: Vec<f64>,
    log_p_next: Vec<f64>,
}

/// Solves the model for `shock` relative to `baseline`.
///
/// This is the function the CLI calls: the [`Equilibrium`] holds per-country welfare,
/// terms of trade, volume of trade and real wages, the bilateral and sectoral
/// decomposition, trade changes, and the solve report.
pub fn solve(baseline: &Baseline, shock: &Shock, config: &SolverConfig) -> Result<Equilibrium, GeError> {
    solve_from(baseline, shock, config, None)
}

/// [`solve`] starting from a nearby equilibrium's wages and prices (a warm start: a
/// Monte Carlo draw starts from the point estimate). The fixed point does not depend on
/// the start; only the iteration count does.
pub fn solve_from(baseline: &Baseline, shock: &Shock, config: &SolverConfig, start: Option<&Equilibrium>) -> Result<Equilibrium, GeError> {
    let problem = Problem::new(baseline, shock)?;
    let start = start.map(|eq| (eq.w_hat.as_slice(), eq.p_hat.as_slice(), eq.expenditure_new.as_slice()));
    let (state, report) = solve_problem_from(&problem, config, start)?;
    Ok(Equilibrium::new(&problem, &state, report))
}

fn check_config(config: &SolverConfig) -> Result<(), GeError> {
    let positive = |name: &str, v: f64| {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(GeError::InvalidValue {
                what: "solver config".into(),
                cell: name.into(),
                value: v,
                valid: "must be finite and positive".into(),
            })
        }
    };
    positive("tolerance", config.tolerance)?;
    positive("price_tolerance", config.price_tolerance)?;
    positive("expenditure_tolerance", config.expenditure_tolerance)?;
    match config.wage_update {
        WageUpdate::Damped { step } | WageUpdate::Anderson { step, .. } => positive("wage_update.step", step)?,
    }
    Ok(())
}

/// Runs the loop on a prepared problem; returns the converged state and the report.
pub(crate) fn solve_problem(problem: &Problem<'_>, config: &SolverConfig) -> Result<(State, SolveReport), GeError> {
    solve_problem_from(problem, config, None)
}

/// [`solve_problem`] from starting wages ŵ (N) and sector prices P̂ (N × J).
fn solve_problem_from(
    problem: &Problem<'_>,
    config: &SolverConfig,
    start: Option<(&[f64], &[f64], &[f64])>,
) -> Result<(State, SolveReport), GeError> {
    check_config(config)?;
    let baseline = problem.baseline();
    let d = problem.dims();
    let numeraire = match &config.numeraire {
        Numeraire::WorldGdp => None,
        Numeraire::Country(code) => Some(baseline.country_index(code)?),
    };
    // The damped step; the safeguard below halves it whenever it rejects a step.
    let (mut step, memory) = match config.wage_update {
        WageUpdate::Damped { step } => (step, 0),
        WageUpdate::Anderson { step, memory } => (step, memory),
    };
    let mut state = State {
        w_hat: vec![1.0; d.n_countries],
        c_hat: vec![1.0; d.country_sector_len()],
        p_hat: vec![1.0; d.country_sector_len()],
        pi_new: baseline.pi.clone(),
        x_new: baseline.expenditure.clone(),
        z: vec![0.0; d.n_countries],
        cost_power: vec![0.0; d.country_sector_len()],
        p_next: vec![0.0; d.country_sector_len()],
        x_next: vec![0.0; d.country_sector_len()],
        scratch: vec![0.0; d.country_sector_len()],
        log_p: vec![0.0; d.country_sector_len()],
        log_p_next: vec![0.0; d.country_sector_len()],
    };
    if let Some((w, p, x)) = start {
        let positive = |v: &f64| v.is_finite() && *v > 0.0;
        if w.len() == d.n_countries && p.len() == d.country_sector_len() && w.iter().chain(p).all(positive) {
            state.w_hat.copy_from_slice(w);
            state.p_hat.copy_from_slice(p);
        }
        if x.len() == state.x_new.len() && x.iter().all(|v| v.is_finite() && *v >= 0.0) {
            state.x_new.copy_from_slice(x);
        }
    }
    let mut report = SolveReport {
        iterations: 0,
        price_iterations: 0,
        expenditure_iterations: 0,
        rejected_steps: 0,
        trade_balance_residual: f64::INFINITY,
        max_residual: f64::INFINITY,
        residuals: Residuals::default(),
        stop_reason: StopReason::Converged,
    };
    let mut accel = Anderson::new(memory);
    let mut mapped = vec![0.0; d.n_countries];
    let mut next = vec![0.0; d.n_countries];
    let mut previous_residual = f64::INFINITY;
    let mut previous_w = state.w_hat.clone();
    loop {
        evaluate(problem, config, &mut state, &mut report)?;
        let residual =
            state.z.iter().zip(&baseline.value_added).map(|(z, va)| (z / va).abs()).fold(0.0, f64::max);
        if !residual.is_finite() {
            return Err(not_converged(report.iterations, residual, config, "the trade-balance excess is not finite".into()));
        }
        if residual <= config.tolerance {
            report.trade_balance_residual = residual;
            break;
        }
        if report.iterations >= config.max_iterations {
            return Err(not_converged(report.iterations, residual, config, "the iteration limit was reached".into()));
        }
        // Safeguard: a step that more than doubles the excess is undone and replaced by the
        // plain damped step from the previous point, with the step halved. The excess at
        // that point stays the reference, so a damped step that still more than doubles it
        // is undone in turn: a backtracking search along the damped direction. Stiff
        // problems need it (large θ on much trade: the damped map with step 0.5 overshoots
        // by an order of magnitude and Anderson mixing of its oscillating iterates
        // diverges); a solve that never rejects a step is unaffected.
        if memory > 0 && residual > 2.0 * previous_residual {
            report.rejected_steps += 1;
            step *= 0.5;
            accel.reset();
            state.w_hat.copy_from_slice(&previous_w);
            evaluate(problem, config, &mut state, &mut report)?;
            damped_map(problem, &state, step, numeraire, &mut mapped);
            state.w_hat.copy_from_slice(&mapped);
            report.iterations += 1;
            continue;
        }
        previous_residual = residual;
        previous_w.copy_from_slice(&state.w_hat);
        damped_map(problem, &state, step, numeraire, &mut mapped);
        if memory > 0 {
            accel.step(&state.w_hat, &mapped, &mut next);
            if next.iter().any(|w| !(w.is_finite() && *w > 0.0)) {
                report.rejected_steps += 1;
                accel.reset();
                next.copy_from_slice(&mapped);
            }
            normalize(problem, numeraire, &mut next);
            state.w_hat.copy_from_slice(&next);
        } else {
            state.w_hat.copy_from_slice(&mapped);
        }
        report.iterations += 1;
    }
    report.residuals = problem.residuals(&state.w_hat, &state.c_hat, &state.p_hat, &state.pi_new, &state.x_new);
    report.max_residual = report.residuals.max_equilibrium();
    check_solution(&state, &report, config)?;
    Ok((state, report))
}

/// The largest residual of any equilibrium condition (10)-(14) a converged solve may leave.
/// Each is relative (logs, shares, or a dollar gap over the flow), so a residual above it
/// means the wage loop met its own tolerance at a point that is not an equilibrium.
pub const EQUILIBRIUM_TOLERANCE: f64 = 1e-6;

/// A solve that met its tolerance must also be finite everywhere and satisfy every
/// equilibrium condition; otherwise it is reported as not converged.
fn check_solution(state: &State, report: &SolveReport, config: &SolverConfig) -> Result<(), GeError> {
    let vectors = [("ŵ", &state.w_hat), ("ĉ", &state.c_hat), ("P̂", &state.p_hat), ("π'", &state.pi_new), ("X'", &state.x_new)];
    let non_finite = vectors.iter().find_map(|(name, v)| v.iter().position(|x| !x.is_finite()).map(|idx| (name, idx, v[idx])));
    let reason = match non_finite {
        Some((name, idx, value)) => format!("{name}[{idx}] is {value}, not a finite number"),
        None if report.max_residual <= EQUILIBRIUM_TOLERANCE.max(config.tolerance) => return Ok(()),
        None => format!(
            "the trade balance met its tolerance but the equilibrium conditions do not hold: {:?}",
            report.residuals
        ),
    };
    Err(GeError::NotConverged {
        solver: "Caliendo-Parro equilibrium check (eqs. 10-14)",
        iterations: report.iterations,
        residual: report.max_residual,
        tolerance: EQUILIBRIUM_TOLERANCE.max(config.tolerance),
        reason,
        hint: "check the tariff changes and θ for extreme values (`kanzei ge cp --data`, `--scenario`); with the library, \
               tighten SolverConfig::tolerance or use ExpenditureSolve::Direct",
    })
}

/// The damped wage map ŵ_n + step · Z_n / (w_n L_n), normalised.
fn damped_map(problem: &Problem<'_>, state: &State, step: f64, numeraire: Option<usize>, out: &mut [f64]) {
    let va = &problem.baseline().value_added;
    for n in 0..out.len() {
        out[n] = state.w_hat[n] + step * state.z[n] / va[n];
        // Never let a wage fall below a tenth of its current value in one step.
        out[n] = out[n].max(0.1 * state.w_hat[n]);
    }
    normalize(problem, numeraire, out);
}

fn normalize(problem: &Problem<'_>, numeraire: Option<usize>, w_hat: &mut [f64]) {
    let factor = match numeraire {
        None => 1.0 / problem.world_gdp_factor(w_hat),
        Some(k) => 1.0 / w_hat[k],
    };
    for w in w_hat.iter_mut() {
        *w *= factor;
    }
}

/// Given ŵ in `state`, solves (10)-(11) for P̂ and ĉ, computes π' from (12), solves (13)
/// for X', and evaluates the excess of (14).
fn evaluate(problem: &Problem<'_>, config: &SolverConfig, state: &mut State, report: &mut SolveReport) -> Result<(), GeError> {
    // Inner loop: P̂ ← (11)((10)(ŵ, P̂)), optionally Anderson-accelerated in logs.
    let mut iterations = 0;
    let mut accel = (config.price_acceleration > 0).then(|| (Anderson::new(config.price_acceleration), vec![0.0; state.p_hat.len()]));
    loop {
        problem.input_costs(&state.w_hat, &state.p_hat, &mut state.c_hat);
        problem.price_indices_with(&state.c_hat, &mut state.p_next, &mut state.cost_power);
        // ln P̂ before and after the step, once each: for the change and for the acceleration.
        let (x, g) = (&mut state.log_p, &mut state.log_p_next);
        for k in 0..x.len() {
            x[k] = state.p_hat[k].ln();
            g[k] = state.p_next[k].ln();
        }
        let change = x.iter().zip(g.iter()).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        if let Some((anderson, next)) = accel.as_mut().filter(|_| change > config.price_tolerance && change.is_finite()) {
            anderson.step(x, g, next);
            if next.iter().all(|v| v.is_finite()) {
                for (p, v) in state.p_next.iter_mut().zip(next.iter()) {
                    *p = v.exp();
                }
            } else {
                anderson.reset();
            }
        }
        std::mem::swap(&mut state.p_hat, &mut state.p_next);
        iterations += 1;
        if change <= config.price_tolerance {
            break;
        }
        if !change.is_finite() || iterations >= config.max_price_iterations {
            report.price_iterations += iterations;
            return Err(GeError::NotConverged {
                solver: "Caliendo-Parro price loop (eqs. 10-11)",
                iterations,
                residual: change,
                tolerance: config.price_tolerance,
                reason: format!("at outer iteration {}", report.iterations),
                hint: "raise `SolverConfig::max_price_iterations` or `SolverConfig::price_tolerance` (library; `kanzei ge cp` uses the defaults); check for sectors whose intermediate shares sum to (almost) one",
            });
        }
    }
    report.price_iterations += iterations;
    // ĉ consistent with the final P̂.
    problem.input_costs(&state.w_hat, &state.p_hat, &mut state.c_hat);
    problem.trade_shares(&state.c_hat, &state.p_hat, &mut state.pi_new);
    let system = problem.expenditure_system(&state.w_hat, &state.pi_new);
    match config.expenditure {
        ExpenditureSolve::Direct => {
            state.x_new = system.solve_direct();
        }
        ExpenditureSolve::Iterative => {
            let mean = state.x_new.iter().sum::<f64>() / state.x_new.len() as f64;
            let floor = 1e-9 * mean.max(f64::MIN_POSITIVE);
            let mut iterations = 0;
            // The same acceleration as the price loop, on the linear map X ↦ (13)(X).
            let mut accel = (config.price_acceleration > 0).then(|| (Anderson::new(config.price_acceleration), vec![0.0; state.x_new.len()]));
            loop {
                system.apply(&state.x_new, &mut state.x_next, &mut state.scratch);
                let change = state
                    .x_new
                    .iter()
                    .zip(&state.x_next)
                    .map(|(a, b)| (a - b).abs() / b.abs().max(floor))
                    .fold(0.0, f64::max);
                if let Some((anderson, next)) = accel.as_mut().filter(|_| change > config.expenditure_tolerance && change.is_finite()) {
                    anderson.step(&state.x_new, &state.x_next, next);
                    if next.iter().all(|v| v.is_finite() && *v >= 0.0) {
                        state.x_next.copy_from_slice(next);
                    } else {
                        anderson.reset();
                    }
                }
                std::mem::swap(&mut state.x_new, &mut state.x_next);
                iterations += 1;
                if change <= config.expenditure_tolerance {
                    break;
                }
                if !change.is_finite() || iterations >= config.max_expenditure_iterations {
                    report.expenditure_iterations += iterations;
                    return Err(GeError::NotConverged {
                        solver: "Caliendo-Parro expenditure system (eq. 13)",
                        iterations,
                        residual: change,
                        tolerance: config.expenditure_tolerance,
                        reason: format!("at outer iteration {}", report.iterations),
                        hint: "set `SolverConfig::expenditure` to `ExpenditureSolve::Direct` (library; `kanzei ge cp` uses the iterative solve)",
                    });
                }
            }
            report.expenditure_iterations += iterations;
        }
    }
    problem.trade_balance_excess(&state.w_hat, &state.pi_new, &state.x_new, &mut state.z);
    Ok(())
}

fn not_converged(iterations: usize, residual: f64, config: &SolverConfig, reason: String) -> GeError {
    GeError::NotConverged {
        solver: "Caliendo-Parro wage loop (eq. 14)",
        iterations,
        residual,
        tolerance: config.tolerance,
        reason,
        hint: "raise `SolverConfig::max_iterations`, lower the step of `SolverConfig::wage_update`, or switch between `WageUpdate::Anderson` and `WageUpdate::Damped` (library; `kanzei ge cp` uses the defaults); from the CLI, check the scenario's tariffs (`--scenario`, `--with`)",
    }
}

#[cfg(test)]
// Tests print the numbers they check, for the record.
#[allow(clippy::print_stdout)]
mod tests {
    use super::*;

    /// A stiff economy: the two-country example with θ = 100, where B puts a 20% tariff on
    /// A. With θ that large a 1% change in relative wages moves trade shares by a factor
    /// e^{±1}, so the damped map with step 0.5 overshoots by an order of magnitude and
    /// Anderson mixing of its oscillating iterates diverges. The safeguard halves the
    /// step on every rejection until the iteration settles, and the solve reaches the
    /// equilibrium a tiny fixed step reaches in thousands of iterations.
    #[test]
    fn the_safeguard_halves_the_step_on_a_stiff_economy() {
        let mut baseline = Baseline::example_two_country();
        baseline.theta = vec![100.0];
        let mut shock = Shock::none();
        shock.set_tariff(&baseline, "Goods", "B", "A", 0.2).unwrap();
        let eq = solve(&baseline, &shock, &SolverConfig::default()).unwrap();
        println!("default: {} iterations, {} rejected", eq.report.iterations, eq.report.rejected_steps);
        assert!(eq.report.rejected_steps > 0);
        assert!(eq.report.max_residual < 1e-9, "{:?}", eq.report.residuals);
        let slow = SolverConfig { wage_update: WageUpdate::Damped { step: 0.001 }, max_iterations: 1_000_000, ..SolverConfig::default() };
        let reference = solve(&baseline, &shock, &slow).unwrap();
        println!("damped 0.001: {} iterations", reference.report.iterations);
        for (a, b) in eq.w_hat.iter().zip(&reference.w_hat) {
            assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        }
    }

    /// A NaN wage or a residual above the equilibrium tolerance is a failed solve, named.
    #[test]
    fn a_non_finite_or_unbalanced_solution_is_not_converged() {
        let baseline = Baseline::example_two_country();
        let mut shock = Shock::none();
        shock.set_tariff(&baseline, "Goods", "B", "A", 0.2).unwrap();
        let problem = Problem::new(&baseline, &shock).unwrap();
        let config = SolverConfig::default();
        let (mut state, mut report) = solve_problem(&problem, &config).unwrap();
        assert_eq!(check_solution(&state, &report, &config), Ok(()));
        report.max_residual = 1e-3;
        let err = check_solution(&state, &report, &config).unwrap_err().to_string();
        assert!(err.contains("residual 1.000e-3 (tolerance 1.0e-6); the trade balance met its tolerance but the equilibrium conditions do not hold"), "{err}");
        state.w_hat[1] = f64::NAN;
        let err = check_solution(&state, &report, &config).unwrap_err().to_string();
        assert!(err.starts_with("Caliendo-Parro equilibrium check (eqs. 10-14) did not converge"), "{err}");
        assert!(err.contains("ŵ[1] is NaN, not a finite number"), "{err}");
    }
}
