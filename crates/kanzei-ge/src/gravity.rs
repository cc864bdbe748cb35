//! One-sector structural gravity in general equilibrium (Anderson & van Wincoop 2003;
//! Yotov, Piermartini, Monteiro & Larch 2016, ch. 2; Larch & Yotov 2016; gegravity).
//!
//! # The model
//! Trade from exporter i to importer j is
//! X_ij = E_j (Y_i/Y) t_ij^{1−σ} / (P_j^{1−σ} Π_i^{1−σ}),
//! with output Y_i, expenditure E_j, bilateral trade costs t_ij, and the inward and outward
//! multilateral resistances (Yotov et al. 2016, eqs. (1-1)–(1-3)):
//!
//! P_j^{1−σ} = Σ_i t_ij^{1−σ} (Y_i/Y) / Π_i^{1−σ},  Π_i^{1−σ} = Σ_j t_ij^{1−σ} (E_j/E) / P_j^{1−σ},
//!
//! normalised by P_ref = 1 for a reference importer. As in gegravity, output shares use
//! world output Y = Σ Y_i and expenditure shares world expenditure E = Σ E_j. Trade costs
//! come from a gravity regression: t_ij^{1−σ} = exp(Σ_k β_k x_ij^k) for cost variables x^k
//! (distance, contiguity, an RTA dummy, ...) and coefficients β_k, which the caller supplies
//! (estimated elsewhere, e.g. by PPML).
//!
//! # Counterfactuals (Yotov et al. 2016, ch. 2, "GE analysis")
//! Given new trade costs t'_ij:
//! * **Conditional GE** ([`CountryResult::conditional_imr`], `conditional_omr`): the
//!   multilateral resistances with Y and E unchanged.
//! * **Full endowment GE**: factory-gate prices p_i change, Y'_i = p_i Y_i and
//!   E'_j = φ_j Y'_j with φ_j = E_j/Y_j fixed. From Y_i = (γ_i p_i Π_i)^{1−σ} Y, the price
//!   condition in changes is p_i^{1−σ} = (s'_i Π_i^{1−σ}) / (s_i Π'_i^{1−σ}) with output
//!   shares s_i = Y_i/Y. Two variants ([`FullEndowment`]):
//!   - [`FullEndowment::Exact`]: the resistances and the price condition use the new shares
//!     s'_i = Y'_i/Y' and E'_j/E', solved jointly (the fixed point the guide's Stata code
//!     iterates to);
//!   - [`FullEndowment::Gegravity`]: gegravity 0.3's `OneSectorGE` system, which keeps the
//!     baseline shares in the resistances and in the price condition, so the full-GE
//!     resistances equal the conditional ones and p_i = Π_i/Π'_i. kanzei reproduces it for
//!     parity; it is a first-order simplification of the exact system.
//!
//! Reported as gegravity reports them ([`CountryResult`], [`BilateralResult`]): factory-gate
//! price, IMR and OMR (levels and changes), terms of trade p_i/P_i, real GDP Y_i/P_i, the
//! welfare statistic (E_i/P_i)/(E'_i/P'_i), output, expenditure, modelled foreign exports and
//! imports, intranational trade, and every bilateral flow.
//!
//! # Solver
//! The resistance system is solved by Newton's method in logs (unknowns ln(1/P_j^{1−σ}),
//! j ≠ ref, and ln(1/Π_i^{1−σ})), with an analytic Jacobian and faer's LU; it converges in a
//! handful of steps where the classic fixed-point (RAS) iteration needs hundreds. The exact
//! full-endowment prices are found by Anderson-accelerated iteration on p around it.
//!
//! # References
//! * Anderson, J. E. & van Wincoop, E. (2003), "Gravity with Gravitas", AER 93(1).
//! * Yotov, Y. V., Piermartini, R., Monteiro, J.-A. & Larch, M. (2016), *An Advanced Guide
//!   to Trade Policy Analysis: The Structural Gravity Model*, WTO/UNCTAD, ch. 2.
//! * Larch, M. & Yotov, Y. V. (2016), "General Equilibrium Trade Policy Analysis with
//!   Structural Gravity", WTO Working Paper ERSD-2016-08.
//! * Herman, P. (2021), "gegravity: General Equilibrium Gravity Modeling in Python", USITC
//!   Economics Working Paper 2021-04-B (gegravity 0.3).

use faer::linalg::solvers::Solve;
use faer::Mat;

use crate::anderson::Anderson;
use crate::error::GeError;

/// Country-level data and trade-cost variables for a gravity model.
#[derive(Clone, Debug, PartialEq)]
pub struct GravityInputs {
    /// Country codes (N). Results come back in this order.
    pub countries: Vec<String>,
    /// Output Y_i (N).
    pub output: Vec<f64>,
    /// Expenditure E_j (N).
    pub expenditure: Vec<f64>,
    /// Cost variables by name, each exporter x importer (N x N, `[i * N + j]`).
    pub cost_variables: Vec<(String, Vec<f64>)>,
}

/// Gravity coefficients β_k by cost-variable name.
#[derive(Clone, Debug, PartialEq)]
pub struct CostCoefficients(pub Vec<(String, f64)>);

/// Which full-endowment system to solve.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum FullEndowment {
    /// New output and expenditure shares in the resistances and the price condition.
    Exact,
    /// gegravity 0.3's system: baseline shares throughout.
    Gegravity,
}

/// The smallest σ kanzei accepts. The resistances are powers 1/(σ−1) of the solved ratios,
/// so as σ → 1 they overflow: at σ = 1.001 on gegravity's sample every IMR is NaN or
/// infinite. From 1.01 up the approximate (gegravity) solve stays finite; the exact solve
/// may still fail there, and then says so.
pub const MIN_SIGMA: f64 = 1.01;

/// Solver settings.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GravityConfig {
    /// σ, the elasticity of substitution (at least [`MIN_SIGMA`]).
    pub sigma: f64,
    /// The reference importer (P = 1), by code.
    pub reference_importer: String,
    /// Newton stops when the largest equation residual is at or below this.
    pub tolerance: f64,
    /// Newton steps allowed per resistance solve.
    pub max_iterations: usize,
    /// Outer iterations allowed for the exact full-endowment prices.
    pub max_price_iterations: usize,
}

impl Default for GravityConfig {
    fn default() -> GravityConfig {
        GravityConfig {
            sigma: 5.0,
            reference_importer: String::new(),
            tolerance: 1e-13,
            max_iterations: 100,
            max_price_iterations: 1000,
        }
    }
}

/// Inward and outward multilateral resistances, P_j and Π_i (levels, not powers).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Resistances {
    /// P_j (N); 1 for the reference importer.
    pub imr: Vec<f64>,
    /// Π_i (N).
    pub omr: Vec<f64>,
    /// Newton steps taken.
    pub iterations: usize,
    /// Largest residual of the resistance equations at the solution.
    pub residual: f64,
}

/// One country's results, as gegravity's `country_results` columns.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CountryResult {
    /// Country code.
    pub country: String,
    /// Factory-gate price change, percent (baseline prices are 1).
    pub factory_gate_price_change_pct: f64,
    /// Counterfactual factory-gate price p_i.
    pub factory_gate_price: f64,
    /// Baseline IMR P_i.
    pub baseline_imr: f64,
    /// Conditional-GE IMR.
    pub conditional_imr: f64,
    /// Full-GE IMR P'_i.
    pub experiment_imr: f64,
    /// IMR change, percent.
    pub imr_change_pct: f64,
    /// Baseline OMR Π_i.
    pub baseline_omr: f64,
    /// Conditional-GE OMR.
    pub conditional_omr: f64,
    /// Full-GE OMR Π'_i.
    pub experiment_omr: f64,
    /// OMR change, percent.
    pub omr_change_pct: f64,
    /// Terms of trade p_i/P_i, change in percent.
    pub terms_of_trade_change_pct: f64,
    /// Real GDP Y_i/P_i, change in percent.
    pub gdp_change_pct: f64,
    /// Welfare statistic (E_i/P_i)/(E'_i/P'_i) (Arkolakis et al. 2012; Yotov et al. 2016).
    pub welfare_statistic: f64,
    /// Y_i.
    pub baseline_output: f64,
    /// Y'_i = p_i Y_i.
    pub experiment_output: f64,
    /// Output change, percent.
    pub output_change_pct: f64,
    /// E_i.
    pub baseline_expenditure: f64,
    /// E'_i = φ_i Y'_i.
    pub experiment_expenditure: f64,
    /// Expenditure change, percent.
    pub expenditure_change_pct: f64,
    /// Modelled baseline exports to other countries.
    pub baseline_foreign_exports: f64,
    /// Counterfactual exports to other countries.
    pub experiment_foreign_exports: f64,
    /// Change, percent.
    pub foreign_exports_change_pct: f64,
    /// Modelled baseline imports from other countries.
    pub baseline_foreign_imports: f64,
    /// Counterfactual imports from other countries.
    pub experiment_foreign_imports: f64,
    /// Change, percent.
    pub foreign_imports_change_pct: f64,
    /// Modelled baseline intranational trade X_ii.
    pub baseline_intranational_trade: f64,
    /// Counterfactual intranational trade.
    pub experiment_intranational_trade: f64,
    /// Change, percent.
    pub intranational_trade_change_pct: f64,
}

/// One bilateral flow, as gegravity's `bilateral_results`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct BilateralResult {
    /// Exporter code.
    pub exporter: String,
    /// Importer code.
    pub importer: String,
    /// Modelled baseline trade X_ij.
    pub baseline_trade: f64,
    /// Counterfactual trade X'_ij.
    pub experiment_trade: f64,
    /// Change, percent.
    pub trade_change_pct: f64,
}

/// A solved counterfactual.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct GravityResults {
    /// The full-endowment variant solved.
    pub variant: FullEndowment,
    /// Per country, in input order.
    pub countries: Vec<CountryResult>,
    /// Every ordered pair (exporter-major, input order), domestic flows included.
    pub bilateral: Vec<BilateralResult>,
    /// Newton steps of the conditional solve.
    pub conditional_iterations: usize,
    /// Outer iterations of the full-endowment solve (1 for [`FullEndowment::Gegravity`]).
    pub full_ge_iterations: usize,
    /// Largest residual over the full-GE equations (resistances and prices).
    pub max_residual: f64,
}

/// A baseline gravity model: data, trade costs, and solved baseline resistances.
#[derive(Clone, Debug)]
pub struct GravityModel {
    countries: Vec<String>,
    output: Vec<f64>,
    expenditure: Vec<f64>,
    /// t_ij^{1−σ}, exporter x importer.
    cost_power: Vec<f64>,
    config: GravityConfig,
    reference: usize,
    baseline: Resistances,
    /// Baseline 1/P_j^{1−σ} and 1/Π_i^{1−σ}.
    baseline_ratios: (Vec<f64>, Vec<f64>),
}

impl GravityInputs {
    /// t_ij^{1−σ} = exp(Σ_k β_k x_ij^k) (exporter x importer), gegravity's
    /// `_create_trade_costs`. Every coefficient must name a cost variable.
    pub fn trade_cost_power(&self, coefficients: &CostCoefficients) -> Result<Vec<f64>, GeError> {
        let nn = self.countries.len();
        let mut log_cost = vec![0.0; nn * nn];
        for (name, beta) in &coefficients.0 {
            let Some((_, values)) = self.cost_variables.iter().find(|(n, _)| n == name) else {
                return Err(GeError::UnknownName {
                    kind: "cost variable",
                    name: name.clone(),
                    valid: self.cost_variables.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", "),
                });
            };
            if values.len() != nn * nn {
                return Err(GeError::Shape {
                    what: format!("cost variable {name}"),
                    found: values.len(),
                    expected: nn * nn,
                    layout: format!("exporters x importers = {nn} x {nn}"),
                });
            }
            for (lc, x) in log_cost.iter_mut().zip(values) {
                *lc += beta * x;
            }
        }
        for (idx, lc) in log_cost.iter().enumerate() {
            if !lc.is_finite() {
                return Err(GeError::InvalidValue {
                    what: "trade costs".into(),
                    cell: format!("exporter {}, importer {}", self.countries[idx / nn], self.countries[idx % nn]),
                    value: *lc,
                    valid: "Σ β x must be finite (missing cost data?)".into(),
                });
            }
        }
        Ok(log_cost.into_iter().map(f64::exp).collect())
    }

    /// Sets a cost variable for the given ordered pairs (e.g. an RTA dummy to 1 for both
    /// directions of a pair), for building a counterfactual.
    pub fn set_cost_variable(&mut self, variable: &str, pairs: &[(&str, &str)], value: f64) -> Result<(), GeError> {
        let nn = self.countries.len();
        let index = |code: &str| {
            self.countries.iter().position(|c| c == code).ok_or_else(|| GeError::UnknownName {
                kind: "country",
                name: code.to_string(),
                valid: self.countries.join(", "),
            })
        };
        let mut cells = Vec::with_capacity(pairs.len());
        for (exporter, importer) in pairs {
            cells.push(index(exporter)? * nn + index(importer)?);
        }
        let names = self.cost_variables.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ");
        let Some((_, values)) = self.cost_variables.iter_mut().find(|(n, _)| n == variable) else {
            return Err(GeError::UnknownName { kind: "cost variable", name: variable.to_string(), valid: names });
        };
        for cell in cells {
            values[cell] = value;
        }
        Ok(())
    }
}

/// The resistance equations at given shares and costs, in log form, for Newton.
struct ResistanceSystem<'a> {
    n: usize,
    reference: usize,
    /// t_ij^{1−σ}.
    cost_power: &'a [f64],
    /// Output shares s_i.
    output_share: &'a [f64],
    /// Expenditure shares e_j.
    expenditure_share: &'a [f64],
}

impl ResistanceSystem<'_> {
    /// Residuals F_j = ln a_j + ln Σ_i t_ij s_i b_i (j ≠ ref; a_ref = 1) and
    /// G_i = ln b_i + ln Σ_j t_ij e_j a_j, with a = 1/P^{1−σ}, b = 1/Π^{1−σ}.
    fn residuals(&self, a: &[f64], b: &[f64], out: &mut [f64]) {
        let n = self.n;
        let mut row = 0;
        for j in 0..n {
            if j == self.reference {
                continue;
            }
            let sum: f64 = (0..n).map(|i| self.cost_power[i * n + j] * self.output_share[i] * b[i]).sum();
            out[row] = a[j].ln() + sum.ln();
            row += 1;
        }
        for i in 0..n {
            let sum: f64 = (0..n).map(|j| self.cost_power[i * n + j] * self.expenditure_share[j] * a[j]).sum();
            out[row] = b[i].ln() + sum.ln();
            row += 1;
        }
    }

    /// Newton in (ln a_{−ref}, ln b) from the given start; returns steps and residual.
    fn solve(&self, a: &mut [f64], b: &mut [f64], config: &GravityConfig, what: &'static str) -> Result<(usize, f64), GeError> {
        let n = self.n;
        let dim = 2 * n - 1;
        a[self.reference] = 1.0;
        let mut f = vec![0.0; dim];
        let mut trial = vec![0.0; dim];
        let (mut a_try, mut b_try) = (a.to_vec(), b.to_vec());
        self.residuals(a, b, &mut f);
        let mut norm = f.iter().map(|v| v.abs()).fold(0.0, f64::max);
        let mut steps = 0;
        while norm > config.tolerance {
            if steps >= config.max_iterations || !norm.is_finite() {
                return Err(GeError::NotConverged {
                    solver: what,
                    iterations: steps,
                    residual: norm,
                    tolerance: config.tolerance,
                    reason: if norm.is_finite() { "the Newton step limit was reached".into() } else { "the residual is not finite".into() },
                    hint: RESISTANCE_HINT,
                });
            }
            // Jacobian of (F, G) in (ln a_{−ref}, ln b).
            let mut jac = Mat::<f64>::zeros(dim, dim);
            let col_a = |j: usize| if j < self.reference { j } else { j - 1 };
            let mut row = 0;
            for j in 0..n {
                if j == self.reference {
                    continue;
                }
                jac[(row, col_a(j))] = 1.0;
                let sum: f64 = (0..n).map(|i| self.cost_power[i * n + j] * self.output_share[i] * b[i]).sum();
                for i in 0..n {
                    jac[(row, n - 1 + i)] += self.cost_power[i * n + j] * self.output_share[i] * b[i] / sum;
                }
                row += 1;
            }
            for i in 0..n {
                jac[(row, n - 1 + i)] += 1.0;
                let sum: f64 = (0..n).map(|j| self.cost_power[i * n + j] * self.expenditure_share[j] * a[j]).sum();
                for j in 0..n {
                    if j != self.reference {
                        jac[(row, col_a(j))] += self.cost_power[i * n + j] * self.expenditure_share[j] * a[j] / sum;
                    }
                }
                row += 1;
            }
            let rhs = Mat::<f64>::from_fn(dim, 1, |r, _| -f[r]);
            let delta = jac.partial_piv_lu().solve(&rhs);
            // Backtracking on the max-norm keeps the first steps from far starts safe.
            let mut scale = 1.0;
            loop {
                for j in 0..n {
                    a_try[j] = if j == self.reference { 1.0 } else { a[j] * (scale * delta[(col_a(j), 0)]).exp() };
                }
                for i in 0..n {
                    b_try[i] = b[i] * (scale * delta[(n - 1 + i, 0)]).exp();
                }
                self.residuals(&a_try, &b_try, &mut trial);
                let trial_norm = trial.iter().map(|v| v.abs()).fold(0.0, f64::max);
                if trial_norm < norm || scale < 1e-4 {
                    a.copy_from_slice(&a_try);
                    b.copy_from_slice(&b_try);
                    f.copy_from_slice(&trial);
                    norm = trial_norm;
                    break;
                }
                scale *= 0.5;
            }
            steps += 1;
        }
        Ok((steps, norm))
    }
}

fn shares(values: &[f64]) -> Vec<f64> {
    let total: f64 = values.iter().sum();
    values.iter().map(|v| v / total).collect()
}

fn pct(new: f64, base: f64) -> f64 {
    100.0 * (new - base) / base
}

impl GravityModel {
    /// Builds the model and solves the baseline resistances. `cost_power` is t_ij^{1−σ}
    /// (exporter x importer), e.g. from [`GravityInputs::trade_cost_power`].
    pub fn new(inputs: &GravityInputs, cost_power: Vec<f64>, config: &GravityConfig) -> Result<GravityModel, GeError> {
        let nn = inputs.countries.len();
        if nn < 2 {
            return Err(GeError::Inconsistent {
                what: "gravity model".into(),
                detail: format!("{nn} countries; a gravity model needs at least 2"),
            });
        }
        for (what, values) in [("output", &inputs.output), ("expenditure", &inputs.expenditure)] {
            if values.len() != nn {
                return Err(GeError::Shape { what: what.into(), found: values.len(), expected: nn, layout: "countries".into() });
            }
            for (n, v) in values.iter().enumerate() {
                if !(v.is_finite() && *v > 0.0) {
                    return Err(GeError::InvalidValue {
                        what: what.into(),
                        cell: format!("country {}", inputs.countries[n]),
                        value: *v,
                        valid: "must be finite and positive".into(),
                    });
                }
            }
        }
        check_cost_power(&inputs.countries, &cost_power)?;
        check_sigma(config.sigma)?;
        let reference = inputs.countries.iter().position(|c| *c == config.reference_importer).ok_or_else(|| GeError::UnknownName {
            kind: "reference importer",
            name: config.reference_importer.clone(),
            valid: inputs.countries.join(", "),
        })?;
        let output_share = shares(&inputs.output);
        let expenditure_share = shares(&inputs.expenditure);
        let system = ResistanceSystem {
            n: nn,
            reference,
            cost_power: &cost_power,
            output_share: &output_share,
            expenditure_share: &expenditure_share,
        };
        let (mut a, mut b) = (vec![1.0; nn], vec![1.0; nn]);
        let (iterations, residual) = system.solve(&mut a, &mut b, config, "baseline multilateral resistances")?;
        let baseline = resistances_from_ratios(&a, &b, config.sigma, iterations, residual);
        Ok(GravityModel {
            countries: inputs.countries.clone(),
            output: inputs.output.clone(),
            expenditure: inputs.expenditure.clone(),
            cost_power,
            config: config.clone(),
            reference,
            baseline,
            baseline_ratios: (a, b),
        })
    }

    /// The baseline resistances.
    pub fn baseline(&self) -> &Resistances {
        &self.baseline
    }

    /// Baseline t_ij^{1−σ}.
    pub fn cost_power(&self) -> &[f64] {
        &self.cost_power
    }

    /// Conditional and full-endowment GE for new trade costs t'_ij^{1−σ}.
    pub fn simulate(&self, new_cost_power: &[f64], variant: FullEndowment) -> Result<GravityResults, GeError> {
        check_cost_power(&self.countries, new_cost_power)?;
        let nn = self.countries.len();
        let sigma = self.config.sigma;
        let output_share = shares(&self.output);
        let expenditure_share = shares(&self.expenditure);
        let (a0, b0) = &self.baseline_ratios;
        // Conditional GE: new costs, baseline Y and E.
        let conditional_system = ResistanceSystem {
            n: nn,
            reference: self.reference,
            cost_power: new_cost_power,
            output_share: &output_share,
            expenditure_share: &expenditure_share,
        };
        let (mut a_c, mut b_c) = (a0.clone(), b0.clone());
        let (conditional_iterations, _) =
            conditional_system.solve(&mut a_c, &mut b_c, &self.config, "conditional multilateral resistances")?;
        let conditional = resistances_from_ratios(&a_c, &b_c, sigma, conditional_iterations, 0.0);
        // Full endowment.
        let phi: Vec<f64> = (0..nn).map(|i| self.expenditure[i] / self.output[i]).collect();
        let (a1, b1, price, full_ge_iterations, max_residual) = match variant {
            FullEndowment::Gegravity => {
                // Resistances with baseline shares are the conditional ones;
                // p_i^{1−σ} = b'_i / b_i.
                let price: Vec<f64> = (0..nn).map(|i| (b_c[i] / b0[i]).powf(1.0 / (1.0 - sigma))).collect();
                let mut f = vec![0.0; 2 * nn - 1];
                conditional_system.residuals(&a_c, &b_c, &mut f);
                let residual = f.iter().map(|v| v.abs()).fold(0.0, f64::max);
                (a_c.clone(), b_c.clone(), price, 1, residual)
            }
            FullEndowment::Exact => self.solve_exact(new_cost_power, &a_c, &b_c, &phi)?,
        };
        // Outcomes.
        let experiment_output: Vec<f64> = (0..nn).map(|i| price[i] * self.output[i]).collect();
        let experiment_expenditure: Vec<f64> = (0..nn).map(|i| phi[i] * experiment_output[i]).collect();
        let experiment_output_share = shares(&experiment_output);
        let experiment = resistances_from_ratios(&a1, &b1, sigma, full_ge_iterations, max_residual);
        let mut bilateral = Vec::with_capacity(nn * nn);
        let mut flows = vec![(0.0, 0.0); nn * nn];
        for i in 0..nn {
            for j in 0..nn {
                let idx = i * nn + j;
                // X_ij = E_j (Y_i/Y) t_ij^{1−σ} (1/P_j^{1−σ}) (1/Π_i^{1−σ}).
                let base = self.expenditure[j] * output_share[i] * self.cost_power[idx] * a0[j] * b0[i];
                let new = experiment_expenditure[j] * experiment_output_share[i] * new_cost_power[idx] * a1[j] * b1[i];
                flows[idx] = (base, new);
                bilateral.push(BilateralResult {
                    exporter: self.countries[i].clone(),
                    importer: self.countries[j].clone(),
                    baseline_trade: base,
                    experiment_trade: new,
                    trade_change_pct: pct(new, base),
                });
            }
        }
        let countries = (0..nn)
            .map(|c| {
                let (mut fx0, mut fx1, mut fm0, mut fm1) = (0.0, 0.0, 0.0, 0.0);
                for k in 0..nn {
                    if k != c {
                        fx0 += flows[c * nn + k].0;
                        fx1 += flows[c * nn + k].1;
                        fm0 += flows[k * nn + c].0;
                        fm1 += flows[k * nn + c].1;
                    }
                }
                let (intra0, intra1) = flows[c * nn + c];
                let (p0, p1) = (self.baseline.imr[c], experiment.imr[c]);
                CountryResult {
                    country: self.countries[c].clone(),
                    factory_gate_price_change_pct: 100.0 * (price[c] - 1.0),
                    factory_gate_price: price[c],
                    baseline_imr: p0,
                    conditional_imr: conditional.imr[c],
                    experiment_imr: p1,
                    imr_change_pct: pct(p1, p0),
                    baseline_omr: self.baseline.omr[c],
                    conditional_omr: conditional.omr[c],
                    experiment_omr: experiment.omr[c],
                    omr_change_pct: pct(experiment.omr[c], self.baseline.omr[c]),
                    terms_of_trade_change_pct: pct(price[c] / p1, 1.0 / p0),
                    gdp_change_pct: pct(experiment_output[c] / p1, self.output[c] / p0),
                    welfare_statistic: (self.expenditure[c] / p0) / (experiment_expenditure[c] / p1),
                    baseline_output: self.output[c],
                    experiment_output: experiment_output[c],
                    output_change_pct: pct(experiment_output[c], self.output[c]),
                    baseline_expenditure: self.expenditure[c],
                    experiment_expenditure: experiment_expenditure[c],
                    expenditure_change_pct: pct(experiment_expenditure[c], self.expenditure[c]),
                    baseline_foreign_exports: fx0,
                    experiment_foreign_exports: fx1,
                    foreign_exports_change_pct: pct(fx1, fx0),
                    baseline_foreign_imports: fm0,
                    experiment_foreign_imports: fm1,
                    foreign_imports_change_pct: pct(fm1, fm0),
                    baseline_intranational_trade: intra0,
                    experiment_intranational_trade: intra1,
                    intranational_trade_change_pct: pct(intra1, intra0),
                }
            })
            .collect();
        let results = GravityResults { variant, countries, bilateral, conditional_iterations, full_ge_iterations, max_residual };
        check_finite(&results, self.config.tolerance)?;
        Ok(results)
    }

    /// The exact full-endowment system: iterate p ← [s'(p) b'(p) / (s b)]^{1/(1−σ)}, where
    /// b'(p) solves the resistances at output shares s'(p) ∝ p_i Y_i and expenditure shares
    /// ∝ φ_j p_j Y_j; Anderson-accelerated in ln p.
    #[allow(clippy::type_complexity)]
    fn solve_exact(
        &self,
        new_cost_power: &[f64],
        a_start: &[f64],
        b_start: &[f64],
        phi: &[f64],
    ) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>, usize, f64), GeError> {
        let nn = self.countries.len();
        let sigma = self.config.sigma;
        let output_share = shares(&self.output);
        let (_, b0) = &self.baseline_ratios;
        let (mut a, mut b) = (a_start.to_vec(), b_start.to_vec());
        let mut log_p: Vec<f64> = vec![0.0; nn];
        let mut mapped = vec![0.0; nn];
        let mut next = vec![0.0; nn];
        let mut accel = Anderson::new(6);
        let mut iterations = 0;
        loop {
            let p: Vec<f64> = log_p.iter().map(|v| v.exp()).collect();
            let y_new: Vec<f64> = (0..nn).map(|i| p[i] * self.output[i]).collect();
            let e_new: Vec<f64> = (0..nn).map(|i| phi[i] * y_new[i]).collect();
            let (s_new, e_share) = (shares(&y_new), shares(&e_new));
            let system = ResistanceSystem {
                n: nn,
                reference: self.reference,
                cost_power: new_cost_power,
                output_share: &s_new,
                expenditure_share: &e_share,
            };
            system.solve(&mut a, &mut b, &self.config, "full-GE multilateral resistances")?;
            for i in 0..nn {
                // (1−σ) ln p_i = ln s'_i + ln b'_i − ln s_i − ln b_i.
                mapped[i] = (s_new[i].ln() + b[i].ln() - output_share[i].ln() - b0[i].ln()) / (1.0 - sigma);
            }
            let change = mapped.iter().zip(&log_p).map(|(m, l)| (m - l).abs()).fold(0.0, f64::max);
            if change <= self.config.tolerance {
                let price: Vec<f64> = mapped.iter().map(|v| v.exp()).collect();
                return Ok((a, b, price, iterations + 1, change));
            }
            iterations += 1;
            if iterations >= self.config.max_price_iterations || !change.is_finite() {
                return Err(GeError::NotConverged {
                    solver: "full-endowment factory-gate prices",
                    iterations,
                    residual: change,
                    tolerance: self.config.tolerance,
                    reason: if change.is_finite() { "the iteration limit was reached".into() } else { "the price change is not finite".into() },
                    hint: EXACT_HINT,
                });
            }
            accel.step(&log_p, &mapped, &mut next);
            log_p.copy_from_slice(&next);
        }
    }
}

/// What to try when the resistances do not solve: σ near 1 or extreme cost changes.
const RESISTANCE_HINT: &str = "check that every country has positive output and expenditure and finite trade costs; \
    a σ near 1 makes the resistances overflow, so try a larger σ (`GravityConfig::sigma`, `kanzei ge gravity --sigma`)";

/// What to try when the exact full-endowment prices do not converge.
const EXACT_HINT: &str = "the exact price map is unstable for σ near 1 or large cost changes: try a larger σ \
    (`GravityConfig::sigma`, `kanzei ge gravity --sigma`), or gegravity's approximation \
    (`FullEndowment::Gegravity`, `kanzei ge gravity` without `--exact`)";

/// σ must be finite and at least [`MIN_SIGMA`].
fn check_sigma(sigma: f64) -> Result<(), GeError> {
    if sigma.is_finite() && sigma >= MIN_SIGMA {
        return Ok(());
    }
    Err(GeError::InvalidValue {
        what: "gravity config".into(),
        cell: "sigma".into(),
        value: sigma,
        valid: format!(
            "the elasticity of substitution must be finite and at least {MIN_SIGMA} \
             (the resistances are powers 1/(σ−1), which overflow as σ → 1); typical values are 4 to 8"
        ),
    })
}

/// Every reported number must be finite: a NaN or an infinity is a failed solve, not a result.
fn check_finite(results: &GravityResults, tolerance: f64) -> Result<(), GeError> {
    let country_values = results.countries.iter().flat_map(|c| {
        [
            (&c.country, "factory-gate price", c.factory_gate_price),
            (&c.country, "experiment IMR", c.experiment_imr),
            (&c.country, "experiment OMR", c.experiment_omr),
            (&c.country, "conditional IMR", c.conditional_imr),
            (&c.country, "conditional OMR", c.conditional_omr),
            (&c.country, "real GDP change", c.gdp_change_pct),
            (&c.country, "welfare statistic", c.welfare_statistic),
            (&c.country, "foreign exports change", c.foreign_exports_change_pct),
            (&c.country, "foreign imports change", c.foreign_imports_change_pct),
        ]
    });
    let bilateral_values = results.bilateral.iter().map(|b| (&b.exporter, "bilateral trade", b.experiment_trade));
    let Some((country, what, value)) = country_values.chain(bilateral_values).find(|(_, _, v)| !v.is_finite()) else {
        return Ok(());
    };
    Err(GeError::NotConverged {
        solver: "structural gravity counterfactual",
        iterations: results.full_ge_iterations,
        residual: results.max_residual,
        tolerance,
        reason: format!("the {what} of {country} is {value}, not a finite number"),
        hint: RESISTANCE_HINT,
    })
}

fn check_cost_power(countries: &[String], cost_power: &[f64]) -> Result<(), GeError> {
    let nn = countries.len();
    if cost_power.len() != nn * nn {
        return Err(GeError::Shape {
            what: "trade costs t^(1-sigma)".into(),
            found: cost_power.len(),
            expected: nn * nn,
            layout: format!("exporters x importers = {nn} x {nn}"),
        });
    }
    for (idx, v) in cost_power.iter().enumerate() {
        if !(v.is_finite() && *v > 0.0) {
            return Err(GeError::InvalidValue {
                what: "trade costs t^(1-sigma)".into(),
                cell: format!("exporter {}, importer {}", countries[idx / nn], countries[idx % nn]),
                value: *v,
                valid: "must be finite and positive".into(),
            });
        }
    }
    Ok(())
}

fn resistances_from_ratios(a: &[f64], b: &[f64], sigma: f64, iterations: usize, residual: f64) -> Resistances {
    // a = 1/P^{1−σ} → P = a^{1/(σ−1)}.
    let power = 1.0 / (sigma - 1.0);
    Resistances {
        imr: a.iter().map(|v| v.powf(power)).collect(),
        omr: b.iter().map(|v| v.powf(power)).collect(),
        iterations,
        residual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three_countries() -> GravityInputs {
        let distance = vec![0.0, 1.0, 2.0, 1.0, 0.0, 1.5, 2.0, 1.5, 0.0];
        let international = vec![0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0];
        GravityInputs {
            countries: vec!["A".into(), "B".into(), "C".into()],
            output: vec![100.0, 50.0, 30.0],
            expenditure: vec![90.0, 60.0, 30.0],
            cost_variables: vec![("dist".into(), distance), ("intl".into(), international), ("rta".into(), vec![0.0; 9])],
        }
    }

    fn coefficients() -> CostCoefficients {
        CostCoefficients(vec![("dist".into(), -0.8), ("intl".into(), -2.0), ("rta".into(), 0.5)])
    }

    /// The resistances satisfy their defining equations, and the exact full-endowment
    /// equilibrium clears each country's market in changes.
    #[test]
    fn resistances_and_prices_satisfy_their_equations() {
        let inputs = three_countries();
        let config = GravityConfig { sigma: 5.0, reference_importer: "B".into(), ..GravityConfig::default() };
        let model = GravityModel::new(&inputs, inputs.trade_cost_power(&coefficients()).unwrap(), &config).unwrap();
        let r = model.baseline();
        assert_eq!(r.imr[1], 1.0);
        let (y, e) = (shares(&inputs.output), shares(&inputs.expenditure));
        let t = model.cost_power();
        for j in 0..3 {
            let p: f64 = (0..3).map(|i| t[i * 3 + j] * y[i] / r.omr[i].powf(-4.0)).sum();
            if j != 1 {
                assert!((r.imr[j].powf(-4.0) / p - 1.0).abs() < 1e-12);
            }
            let pi: f64 = (0..3).map(|k| t[j * 3 + k] * e[k] / r.imr[k].powf(-4.0)).sum();
            assert!((r.omr[j].powf(-4.0) / pi - 1.0).abs() < 1e-12);
        }
        let mut cf = inputs.clone();
        cf.set_cost_variable("rta", &[("A", "C"), ("C", "A")], 1.0).unwrap();
        let exact = model.simulate(&cf.trade_cost_power(&coefficients()).unwrap(), FullEndowment::Exact).unwrap();
        // Sales of each exporter equal its new output scaled by world expenditure/output.
        let world_ratio = exact.countries.iter().map(|c| c.experiment_expenditure).sum::<f64>()
            / exact.countries.iter().map(|c| c.experiment_output).sum::<f64>();
        for (i, c) in exact.countries.iter().enumerate() {
            let sales: f64 = exact.bilateral[i * 3..i * 3 + 3].iter().map(|b| b.experiment_trade).sum();
            assert!((sales / (c.experiment_output * world_ratio) - 1.0).abs() < 1e-11, "{}", c.country);
        }
        // The RTA members gain, and their bilateral trade rises.
        assert!(exact.countries[0].gdp_change_pct > 0.0 && exact.countries[2].gdp_change_pct > 0.0);
        assert!(exact.bilateral[2].trade_change_pct > 0.0);
        // A zero shock changes nothing.
        let zero = model.simulate(model.cost_power(), FullEndowment::Exact).unwrap();
        assert!(zero.countries.iter().all(|c| c.gdp_change_pct.abs() < 1e-10));
    }

    #[test]
    fn errors_name_the_variable_and_the_valid_names() {
        let inputs = three_countries();
        let err = inputs.trade_cost_power(&CostCoefficients(vec![("pta".into(), 1.0)])).unwrap_err();
        assert_eq!(err.to_string(), "unknown cost variable `pta`; expected one of dist, intl, rta");
        let config = GravityConfig { reference_importer: "ZZZ".into(), ..GravityConfig::default() };
        let err = GravityModel::new(&inputs, vec![1.0; 9], &config).unwrap_err();
        assert_eq!(err.to_string(), "unknown reference importer `ZZZ`; expected one of A, B, C");
    }

    #[test]
    fn sigma_near_one_is_refused_with_the_valid_range() {
        let inputs = three_countries();
        let config = GravityConfig { sigma: 1.0000001, reference_importer: "B".into(), ..GravityConfig::default() };
        let err = GravityModel::new(&inputs, vec![1.0; 9], &config).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`gravity config` (sigma): 1.0000001 is invalid; the elasticity of substitution must be finite and at least 1.01 \
             (the resistances are powers 1/(σ−1), which overflow as σ → 1); typical values are 4 to 8"
        );
        let at_minimum = GravityConfig { sigma: MIN_SIGMA, ..config };
        assert!(GravityModel::new(&inputs, vec![1.0; 9], &at_minimum).is_ok());
    }

    /// A NaN anywhere in the results is a failed solve that names the country and the quantity.
    #[test]
    fn a_non_finite_result_is_not_converged() {
        let inputs = three_countries();
        let config = GravityConfig { sigma: 5.0, reference_importer: "B".into(), ..GravityConfig::default() };
        let model = GravityModel::new(&inputs, inputs.trade_cost_power(&coefficients()).unwrap(), &config).unwrap();
        let mut results = model.simulate(model.cost_power(), FullEndowment::Gegravity).unwrap();
        assert_eq!(check_finite(&results, 1e-13), Ok(()));
        results.countries[2].experiment_imr = f64::NAN;
        let err = check_finite(&results, 1e-13).unwrap_err().to_string();
        assert!(err.starts_with("structural gravity counterfactual did not converge: stopped after 1 iterations"), "{err}");
        assert!(err.contains("the experiment IMR of C is NaN, not a finite number"), "{err}");
        assert!(err.contains("hint: ") && err.contains("`kanzei ge gravity --sigma`"), "{err}");
    }
}
