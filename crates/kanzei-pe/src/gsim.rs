//! GSIM: the global multi-market partial-equilibrium model of Francois & Hall (2003).
//!
//! One product, exporters `v` and importing markets `r`. `M_vr` is the flow from `v` to
//! `r` at world prices, `T_vr = 1 + t_vr` the tariff power `r` applies to `v` (initial
//! `T0`, final `T1`). Each market has an import demand elasticity `Em_r <= 0` and a
//! substitution elasticity `Es_r >= 0` between sources; each exporter an export supply
//! elasticity `Ex_v >= 0`. The unknowns are the exporters' world prices `P*_v`.
//!
//! # Assumptions
//! * Partial equilibrium, one product; national product differentiation (Armington).
//! * Each exporter sells one variety at one world price to every market (no pricing to
//!   market); its supply to the world responds to that price with elasticity `Ex_v`.
//! * Composite demand in each market responds to the composite price with `Em_r`; the
//!   split between sources to relative internal prices with `Es_r`.
//!
//! # Equations (Francois & Hall 2003, section 2; `MODELS.md` §3)
//! * Import shares at internal prices: `θ_vr = M_vr T0_vr / Σ_k M_kr T0_kr`.
//! * Export shares at world prices: `φ_vr = M_vr / Σ_s M_vs`.
//! * Own-price elasticity `N_vr,vr = θ_vr Em_r − (1 − θ_vr) Es_r`; cross-price elasticity
//!   `N_vr,kr = θ_kr (Em_r + Es_r)`.
//! * Import change (proportional): `M̂_vr = N_vr,vr (T̂_vr + P̂*_v) + Σ_{k≠v} N_vr,kr (T̂_kr + P̂*_k)`,
//!   with `T̂ = T1/T0 − 1`.
//! * Market clearing for each exporter: `Σ_r φ_vr M̂_vr = Ex_v P̂*_v`.
//!
//! In this form the system is linear in `P̂*`; [`GsimProblem::linear_system`] assembles
//! it and [`solve_linear`] solves it directly (LU with partial pivoting). The residual of
//! the market-clearing conditions is then evaluated term by term from the equations above,
//! independently of the assembled matrix, and reported.
//!
//! The nonlinear variant ([`solve_nonlinear`]) keeps the same behaviour in levels: a CES
//! composite price `P̂_r^(1−Es) = Σ_v θ_vr (T̂f_vr P̂*f_v)^(1−Es)` (factors `f = 1 + change`),
//! composite demand `Q̂_r = P̂_r^Em`, variety demand `M̂f_vr = Q̂_r (P̂_vr/P̂_r)^(−Es)` and
//! supply `X̂f_v = P̂*f_v^Ex`; differentiating it at the base gives the linear system
//! above. It is solved by Newton's method in `ln P̂*f` with an analytic Jacobian and
//! backtracking.
//!
//! # Welfare
//! * Producer surplus (Francois & Hall): `ΔPS_v = P̂*_v X_v (1 + ½ Ex_v P̂*_v)`, `X_v = Σ_r M_vr`.
//! * Consumer surplus: `ΔCS_r = −E_r (ΔP_r + ½ Em_r ΔP_r²)`, with `E_r = Σ_v M_vr T0_vr` and
//!   `ΔP_r = Σ_v θ_vr ((1 + P̂*_v) T1_vr/T0_vr − 1)` the composite internal price change: the
//!   area under a linear demand curve with elasticity `Em_r` at the base point. (Some
//!   transcriptions of the GSIM workbook write the quadratic term as
//!   `½ ΔP² E sign(ΔP) Em`; the two agree when prices fall and differ by the sign of the
//!   triangle when they rise.)
//! * Tariff revenue: `ΔR_r = Σ_v M1_vr (T1_vr − 1) − M_vr (T0_vr − 1)`, where
//!   `M1_vr = M_vr (1 + M̂_vr)(1 + P̂*_v)` is the new flow at the new world price.
//! * The nonlinear variant integrates the constant-elasticity curves exactly:
//!   `ΔCS_r = −E_r (P̂f_r^(1+Em) − 1)/(1 + Em)` and `ΔPS_v = X_v (P̂*f_v^(1+Ex) − 1)/(1 + Ex)`.
//!
//! Exporters with no exports, or with infinite `Ex`, have their world price fixed
//! (`P̂*_v = 0`).
//!
//! # References
//! * Francois, J. & Hall, H.K. (2003) "Global Simulation Analysis of Industry-Level Trade
//!   Policy", version 3.0, World Bank WITS (GSIM paper and workbook).
//! * UNCTAD & WTO (2012) *A Practical Guide to Trade Policy Analysis*, ch. 5.
//! * Jammes, O. & Olarreaga, M. (2005) "Explaining SMART and GSIM", World Bank.

// Matrix code here indexes by the paper's v (exporter), r (importer) and k.
#![expect(clippy::needless_range_loop, reason = "loops follow the paper's indices v, r, k over row-major matrices")]

use serde::Serialize;

use crate::dense;
use crate::error::PeError;

/// The tariff powers `T = 1 + t` kanzei accepts: a tariff from −50% (an import subsidy) to
/// 1,000%. Outside it the proportional changes `T1/T0 − 1` leave the range where the linear
/// equations mean anything (a power of 1e300 gave a market-clearing residual of 7e283).
pub const TARIFF_POWER_RANGE: (f64, f64) = (0.5, 11.0);

/// The largest `|Em|` and `Es` accepted. Published estimates (Kee, Nicita & Olarreaga 2008;
/// Broda & Weinstein 2006) stay well below; beyond it the CES terms of the nonlinear form
/// overflow.
pub const MAX_DEMAND_ELASTICITY: f64 = 100.0;

/// The largest finite `Ex` accepted (WITS uses 99 for "infinite"); `inf` fixes the price.
pub const MAX_SUPPLY_ELASTICITY: f64 = 10_000.0;

/// The largest market-clearing residual a direct (linear) solve may leave: the residual is
/// a proportional change, so anything above round-off means the solve broke down.
pub const LINEAR_TOLERANCE: f64 = 1e-8;

/// A value as a person would write it: `1.08`, but `1e300` rather than 301 digits.
fn short(value: f64) -> String {
    if value.is_finite() && value != 0.0 && !(1e-4..1e6).contains(&value.abs()) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

/// What to try when the linear solve breaks down.
const LINEAR_HINT: &str = "check the inputs for near-duplicate exporters or extreme tariff changes (`kanzei pe gsim --flows/--t0/--t1/--elasticities`)";

/// What to try when Newton does not converge.
const NEWTON_HINT: &str = "large tariff changes with large elasticities push the CES terms out of range: try the published linear form \
    (`kanzei pe gsim` without `--nonlinear`, `solve_linear`), smaller elasticities in `--elasticities`, or more steps (`NewtonOptions::max_iterations`)";

/// The inputs of one GSIM product market.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GsimData {
    /// Exporter names (rows of the matrices).
    pub exporters: Vec<String>,
    /// Importer names (columns of the matrices).
    pub importers: Vec<String>,
    /// `M_vr`, row-major by exporter (`flows[v * n_importers + r]`), at world prices.
    pub flows: Vec<f64>,
    /// Initial tariff powers `T0_vr = 1 + t0_vr`, same layout.
    pub t0: Vec<f64>,
    /// Final tariff powers `T1_vr`, same layout.
    pub t1: Vec<f64>,
    /// Import demand elasticity `Em_r <= 0` per importer.
    pub em: Vec<f64>,
    /// Substitution elasticity `Es_r >= 0` per importer.
    pub es: Vec<f64>,
    /// Export supply elasticity `Ex_v >= 0` per exporter (infinite fixes the world price).
    pub ex: Vec<f64>,
}

impl GsimData {
    /// Number of exporters.
    pub fn n_exporters(&self) -> usize {
        self.exporters.len()
    }

    /// Number of importers.
    pub fn n_importers(&self) -> usize {
        self.importers.len()
    }

    fn cell_location(&self, table: &str, idx: usize) -> String {
        let n_r = self.n_importers();
        format!("GSIM {table}, exporter `{}`, importer `{}`", self.exporters[idx / n_r], self.importers[idx % n_r])
    }

    /// Checks shapes, non-negative flows, positive tariff powers and elasticity signs.
    pub fn validate(&self) -> Result<(), PeError> {
        let (n_v, n_r) = (self.n_exporters(), self.n_importers());
        let matrix = "exporters × importers, row-major by exporter";
        for (name, len) in [("flows", self.flows.len()), ("t0", self.t0.len()), ("t1", self.t1.len())] {
            if len != n_v * n_r {
                return Err(PeError::Shape { model: "GSIM", name, expected: n_v * n_r, found: len, why: matrix });
            }
        }
        for (name, len) in [("em", self.em.len()), ("es", self.es.len())] {
            if len != n_r {
                return Err(PeError::Shape { model: "GSIM", name, expected: n_r, found: len, why: "one per importer" });
            }
        }
        if self.ex.len() != n_v {
            return Err(PeError::Shape { model: "GSIM", name: "ex", expected: n_v, found: self.ex.len(), why: "one per exporter" });
        }
        for (idx, &m) in self.flows.iter().enumerate() {
            if !(m.is_finite() && m >= 0.0) {
                return Err(PeError::invalid(
                    self.cell_location("flows", idx),
                    format!("{m} is not a valid flow; flows must be finite and >= 0"),
                ));
            }
        }
        for (name, table) in [("tariff power t0", &self.t0), ("tariff power t1", &self.t1)] {
            for (idx, &t) in table.iter().enumerate() {
                if !(t.is_finite() && (TARIFF_POWER_RANGE.0..=TARIFF_POWER_RANGE.1).contains(&t)) {
                    return Err(PeError::invalid(
                        self.cell_location(name, idx),
                        format!(
                            "{} is not a tariff power kanzei accepts; T = 1 + t must lie between {} and {} \
                             (a tariff from -50% to 1,000%; a 10% tariff is 1.10)",
                            short(t),
                            TARIFF_POWER_RANGE.0,
                            TARIFF_POWER_RANGE.1
                        ),
                    ));
                }
            }
        }
        for r in 0..n_r {
            let location = || format!("GSIM elasticities, importer `{}`", self.importers[r]);
            let (em, es) = (self.em[r], self.es[r]);
            if !(em.is_finite() && em <= 0.0) {
                return Err(PeError::invalid(
                    location(),
                    format!("Em = {em} has the wrong sign; the import demand elasticity must be finite and <= 0"),
                ));
            }
            if em < -MAX_DEMAND_ELASTICITY {
                return Err(PeError::invalid(
                    location(),
                    format!("Em = {} is out of range; the import demand elasticity must lie between -{MAX_DEMAND_ELASTICITY} and 0", short(em)),
                ));
            }
            if !(es.is_finite() && es >= 0.0) {
                return Err(PeError::invalid(
                    location(),
                    format!("Es = {es} has the wrong sign; the substitution elasticity must be finite and >= 0"),
                ));
            }
            if es > MAX_DEMAND_ELASTICITY {
                return Err(PeError::invalid(
                    location(),
                    format!("Es = {} is out of range; the substitution elasticity must lie between 0 and {MAX_DEMAND_ELASTICITY}", short(es)),
                ));
            }
        }
        for v in 0..n_v {
            let ex = self.ex[v];
            if ex.is_nan() || ex < 0.0 {
                return Err(PeError::invalid(
                    format!("GSIM elasticities, exporter `{}`", self.exporters[v]),
                    format!("Ex = {ex} has the wrong sign; the export supply elasticity must be >= 0"),
                ));
            }
            if ex.is_finite() && ex > MAX_SUPPLY_ELASTICITY {
                return Err(PeError::invalid(
                    format!("GSIM elasticities, exporter `{}`", self.exporters[v]),
                    format!(
                        "Ex = {} is out of range; the export supply elasticity must lie between 0 and \
                         {MAX_SUPPLY_ELASTICITY}, or be `inf` for a fixed world price",
                        short(ex)
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The equilibrium conditions of a GSIM market, calibrated to the base data: shares,
/// elasticities and tariff changes. Holds no solver state.
#[derive(Clone, Debug)]
pub struct GsimProblem {
    data: GsimData,
    /// `θ_vr`, import shares at internal prices.
    theta: Vec<f64>,
    /// `φ_vr`, export shares at world prices.
    phi: Vec<f64>,
    /// `X_v = Σ_r M_vr`.
    exports: Vec<f64>,
    /// `E_r = Σ_v M_vr T0_vr`.
    expenditure: Vec<f64>,
    /// `T1/T0`, the tariff-power factor per cell.
    tariff_factor: Vec<f64>,
    /// Exporters whose world price is held fixed (no exports, or infinite `Ex`).
    fixed: Vec<bool>,
}

impl GsimProblem {
    /// Validates the data and computes the base shares.
    pub fn new(data: GsimData) -> Result<GsimProblem, PeError> {
        data.validate()?;
        let (n_v, n_r) = (data.n_exporters(), data.n_importers());
        let mut expenditure = vec![0.0; n_r];
        let mut exports = vec![0.0; n_v];
        for v in 0..n_v {
            for r in 0..n_r {
                let idx = v * n_r + r;
                expenditure[r] += data.flows[idx] * data.t0[idx];
                exports[v] += data.flows[idx];
            }
        }
        let mut theta = vec![0.0; n_v * n_r];
        let mut phi = vec![0.0; n_v * n_r];
        for v in 0..n_v {
            for r in 0..n_r {
                let idx = v * n_r + r;
                // Francois & Hall (2003): θ_vr = M_vr T_vr / Σ_k M_kr T_kr; φ_vr = M_vr / Σ_s M_vs.
                if expenditure[r] > 0.0 {
                    theta[idx] = data.flows[idx] * data.t0[idx] / expenditure[r];
                }
                if exports[v] > 0.0 {
                    phi[idx] = data.flows[idx] / exports[v];
                }
            }
        }
        let tariff_factor = data.t1.iter().zip(&data.t0).map(|(t1, t0)| t1 / t0).collect();
        let fixed = (0..n_v).map(|v| exports[v] == 0.0 || data.ex[v].is_infinite()).collect();
        Ok(GsimProblem { data, theta, phi, exports, expenditure, tariff_factor, fixed })
    }

    /// The base data.
    pub fn data(&self) -> &GsimData {
        &self.data
    }

    /// `θ_vr`, row-major by exporter.
    pub fn import_shares(&self) -> &[f64] {
        &self.theta
    }

    /// `φ_vr`, row-major by exporter.
    pub fn export_shares(&self) -> &[f64] {
        &self.phi
    }

    fn n(&self) -> (usize, usize) {
        (self.data.n_exporters(), self.data.n_importers())
    }

    /// Own-price elasticity `N_vr,vr = θ_vr Em_r − (1 − θ_vr) Es_r` (Francois & Hall 2003).
    pub fn own_price_elasticity(&self, v: usize, r: usize) -> f64 {
        let theta = self.theta[v * self.data.n_importers() + r];
        theta * self.data.em[r] - (1.0 - theta) * self.data.es[r]
    }

    /// Cross-price elasticity of any other variety's demand in `r` to the price of `k`:
    /// `N_vr,kr = θ_kr (Em_r + Es_r)` (Francois & Hall 2003).
    pub fn cross_price_elasticity(&self, k: usize, r: usize) -> f64 {
        self.theta[k * self.data.n_importers() + r] * (self.data.em[r] + self.data.es[r])
    }

    /// Proportional import changes `M̂_vr` for world price changes `p_star` (linear form),
    /// written into `out` (row-major by exporter).
    pub fn import_changes(&self, p_star: &[f64], out: &mut [f64]) {
        let (n_v, n_r) = self.n();
        for r in 0..n_r {
            for v in 0..n_v {
                // M̂_vr = N_vr,vr (T̂_vr + P̂*_v) + Σ_{k≠v} N_vr,kr (T̂_kr + P̂*_k).
                let mut change = self.own_price_elasticity(v, r) * (self.tariff_factor[v * n_r + r] - 1.0 + p_star[v]);
                for k in (0..n_v).filter(|&k| k != v) {
                    change += self.cross_price_elasticity(k, r) * (self.tariff_factor[k * n_r + r] - 1.0 + p_star[k]);
                }
                out[v * n_r + r] = change;
            }
        }
    }

    /// Market-clearing excess demand `F_v = Σ_r φ_vr M̂_vr − Ex_v P̂*_v` (linear form); zero at
    /// the equilibrium. Fixed exporters contribute `F_v = P̂*_v`.
    pub fn residual(&self, p_star: &[f64], out: &mut [f64]) {
        let (n_v, n_r) = self.n();
        let mut changes = vec![0.0; n_v * n_r];
        self.import_changes(p_star, &mut changes);
        for v in 0..n_v {
            out[v] = if self.fixed[v] {
                p_star[v]
            } else {
                // Francois & Hall (2003): Σ_r φ_vr M̂_vr = Ex_v P̂*_v.
                let demand: f64 = (0..n_r).map(|r| self.phi[v * n_r + r] * changes[v * n_r + r]).sum();
                demand - self.data.ex[v] * p_star[v]
            };
        }
    }

    /// The market-clearing conditions as `A P̂* = b` (row-major `A`, `n_exporters²`).
    pub fn linear_system(&self) -> (Vec<f64>, Vec<f64>) {
        let (n_v, n_r) = self.n();
        let mut a = vec![0.0; n_v * n_v];
        let mut b = vec![0.0; n_v];
        let zeros = vec![0.0; n_v];
        // F(P̂*) is affine, F = A P̂* + F(0), so b = −F(0).
        self.residual(&zeros, &mut b);
        for value in &mut b {
            *value = -*value;
        }
        for v in 0..n_v {
            if self.fixed[v] {
                a[v * n_v + v] = 1.0;
                continue;
            }
            for k in 0..n_v {
                let mut coefficient = 0.0;
                for r in 0..n_r {
                    let elasticity =
                        if k == v { self.own_price_elasticity(v, r) } else { self.cross_price_elasticity(k, r) };
                    coefficient += self.phi[v * n_r + r] * elasticity;
                }
                if k == v {
                    coefficient -= self.data.ex[v];
                }
                a[v * n_v + k] = coefficient;
            }
        }
        (a, b)
    }

    /// Nonlinear variant: internal prices, composite prices and volume ratios at world price
    /// factors `exp(y_v)`. Writes `M̂f_vr` (volume ratio new/old) into `volume` and the
    /// current expenditure shares `s_vr` into `shares`; returns composite price factors.
    fn nonlinear_state(&self, y: &[f64], volume: &mut [f64], shares: &mut [f64]) -> Vec<f64> {
        let (n_v, n_r) = self.n();
        let mut composite = vec![1.0; n_r];
        for r in 0..n_r {
            let (em, es) = (self.data.em[r], self.data.es[r]);
            let rho = 1.0 - es;
            // CES composite price: P̂_r^(1−Es) = Σ_v θ_vr P̂_vr^(1−Es); Cobb–Douglas when Es = 1.
            let mut sum = 0.0;
            for v in 0..n_v {
                let idx = v * n_r + r;
                if self.theta[idx] > 0.0 {
                    let log_price = self.tariff_factor[idx].ln() + y[v];
                    let term = if rho.abs() < 1e-12 { self.theta[idx] * log_price } else { self.theta[idx] * (rho * log_price).exp() };
                    shares[idx] = term;
                    sum += term;
                } else {
                    shares[idx] = 0.0;
                }
            }
            let log_composite = if rho.abs() < 1e-12 { sum } else { sum.ln() / rho };
            composite[r] = log_composite.exp();
            for v in 0..n_v {
                let idx = v * n_r + r;
                if self.theta[idx] > 0.0 {
                    let log_price = self.tariff_factor[idx].ln() + y[v];
                    // Expenditure share at current prices: θ P̂^(1−Es) / P̂_r^(1−Es).
                    shares[idx] = if rho.abs() < 1e-12 { self.theta[idx] } else { shares[idx] / sum };
                    // M̂f_vr = P̂_r^Em (P̂_vr / P̂_r)^(−Es).
                    volume[idx] = (em * log_composite - es * (log_price - log_composite)).exp();
                } else {
                    volume[idx] = 1.0;
                }
            }
        }
        composite
    }

    /// Nonlinear market clearing in `y = ln(1 + P̂*)`: `F_v = Σ_r φ_vr M̂f_vr − exp(Ex_v y_v)`,
    /// and its Jacobian `∂F_v/∂y_k = Σ_r φ_vr M̂f_vr ((Em_r + Es_r) s_kr − Es_r δ_vk) − δ_vk Ex_v exp(Ex_v y_v)`.
    fn nonlinear_residual(&self, y: &[f64], f: &mut [f64], jacobian: Option<&mut [f64]>) {
        let (n_v, n_r) = self.n();
        let mut volume = vec![0.0; n_v * n_r];
        let mut shares = vec![0.0; n_v * n_r];
        self.nonlinear_state(y, &mut volume, &mut shares);
        for v in 0..n_v {
            f[v] = if self.fixed[v] {
                y[v]
            } else {
                let demand: f64 = (0..n_r).map(|r| self.phi[v * n_r + r] * volume[v * n_r + r]).sum();
                demand - (self.data.ex[v] * y[v]).exp()
            };
        }
        if let Some(jac) = jacobian {
            for v in 0..n_v {
                for k in 0..n_v {
                    jac[v * n_v + k] = if self.fixed[v] {
                        if k == v { 1.0 } else { 0.0 }
                    } else {
                        let mut d = 0.0;
                        for r in 0..n_r {
                            let idx = v * n_r + r;
                            let (em, es) = (self.data.em[r], self.data.es[r]);
                            let own = if k == v { es } else { 0.0 };
                            d += self.phi[idx] * volume[idx] * ((em + es) * shares[k * n_r + r] - own);
                        }
                        if k == v {
                            d -= self.data.ex[v] * (self.data.ex[v] * y[v]).exp();
                        }
                        d
                    };
                }
            }
        }
    }
}

/// Why a solve stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StopReason {
    /// The linear system was solved directly (LU with partial pivoting and one refinement step).
    DirectSolve,
    /// Newton's method met the residual tolerance.
    Converged,
}

/// How a solve went.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SolveReport {
    /// Newton iterations (1 for a direct solve).
    pub iterations: usize,
    /// Largest absolute market-clearing residual at the solution, evaluated from the
    /// equilibrium conditions.
    pub residual: f64,
    /// Why the solver stopped.
    pub stop: StopReason,
}

/// Which form of the model was solved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum GsimForm {
    /// The published linear (proportional-change) equations.
    Linear,
    /// The CES / constant-elasticity levels form, solved by Newton.
    Nonlinear,
}

/// Results for one exporter.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GsimExporterResult {
    /// Exporter name.
    pub exporter: String,
    /// `P̂*_v`, proportional change of the world price.
    pub world_price_change: f64,
    /// `X_v`, base exports at world prices.
    pub exports_before: f64,
    /// Exports after, at the new world price.
    pub exports_after: f64,
    /// `ΔPS_v`.
    pub producer_surplus: f64,
}

/// Results for one importing market.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GsimMarketResult {
    /// Importer name.
    pub importer: String,
    /// Proportional change of the composite internal price.
    pub composite_price_change: f64,
    /// Base imports at world prices.
    pub imports_before: f64,
    /// Imports after, at the new world prices.
    pub imports_after: f64,
    /// `ΔCS_r`.
    pub consumer_surplus: f64,
    /// `Σ_v M_vr (T0_vr − 1)`.
    pub revenue_before: f64,
    /// `Σ_v M1_vr (T1_vr − 1)`.
    pub revenue_after: f64,
    /// `revenue_after − revenue_before`.
    pub revenue_change: f64,
}

/// Net welfare of a region that is both exporter and importer (matched by name).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionWelfare {
    /// Region name.
    pub region: String,
    /// `ΔPS` (zero if the region does not export).
    pub producer_surplus: f64,
    /// `ΔCS` (zero if the region does not import).
    pub consumer_surplus: f64,
    /// `ΔR`.
    pub revenue_change: f64,
    /// Sum of the three.
    pub net: f64,
}

/// A solved GSIM market.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GsimSolution {
    /// Which form was solved.
    pub form: GsimForm,
    /// `P̂*_v` per exporter.
    pub world_price_change: Vec<f64>,
    /// `M̂_vr`, proportional volume change per cell (row-major by exporter).
    pub import_change: Vec<f64>,
    /// `M1_vr`, flows after at the new world prices.
    pub flows_after: Vec<f64>,
    /// Per exporter.
    pub exporters: Vec<GsimExporterResult>,
    /// Per importing market.
    pub markets: Vec<GsimMarketResult>,
    /// Iterations, residual, stop reason.
    pub report: SolveReport,
}

impl GsimSolution {
    /// Welfare by region, joining exporter and importer results by name (exporters first,
    /// then importers that do not export).
    pub fn welfare_by_region(&self) -> Vec<RegionWelfare> {
        let mut out: Vec<RegionWelfare> = self
            .exporters
            .iter()
            .map(|e| RegionWelfare {
                region: e.exporter.clone(),
                producer_surplus: e.producer_surplus,
                consumer_surplus: 0.0,
                revenue_change: 0.0,
                net: 0.0,
            })
            .collect();
        for m in &self.markets {
            let slot = match out.iter().position(|w| w.region == m.importer) {
                Some(idx) => idx,
                None => {
                    out.push(RegionWelfare {
                        region: m.importer.clone(),
                        producer_surplus: 0.0,
                        consumer_surplus: 0.0,
                        revenue_change: 0.0,
                        net: 0.0,
                    });
                    out.len() - 1
                }
            };
            out[slot].consumer_surplus += m.consumer_surplus;
            out[slot].revenue_change += m.revenue_change;
        }
        for w in &mut out {
            w.net = w.producer_surplus + w.consumer_surplus + w.revenue_change;
        }
        out
    }
}

/// Solves the published linear GSIM system directly.
pub fn solve_linear(problem: &GsimProblem) -> Result<GsimSolution, PeError> {
    let (a, b) = problem.linear_system();
    let p_star = dense::solve(&a, &b).map_err(|s| PeError::Singular {
        column: s.column,
        exporter: problem.data.exporters[s.column].clone(),
        pivot: s.pivot,
    })?;
    let (n_v, n_r) = problem.n();
    let mut residual = vec![0.0; n_v];
    problem.residual(&p_star, &mut residual);
    let residual = residual.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let mut import_change = vec![0.0; n_v * n_r];
    problem.import_changes(&p_star, &mut import_change);
    if residual.is_nan() || residual > LINEAR_TOLERANCE {
        return Err(PeError::NoConvergence {
            model: "GSIM (linear, direct solve)",
            reason: "the market-clearing residual of the direct solve is above round-off".into(),
            iterations: 1,
            residual,
            tolerance: LINEAR_TOLERANCE,
            hint: LINEAR_HINT,
        });
    }
    let report = SolveReport { iterations: 1, residual, stop: StopReason::DirectSolve };
    checked(assemble(problem, GsimForm::Linear, p_star, import_change, report), LINEAR_TOLERANCE)
}

/// Options of the Newton solve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct NewtonOptions {
    /// Stop when the largest absolute market-clearing residual is at most this.
    pub tolerance: f64,
    /// Give up after this many Newton steps.
    pub max_iterations: usize,
}

impl Default for NewtonOptions {
    fn default() -> NewtonOptions {
        NewtonOptions { tolerance: 1e-12, max_iterations: 100 }
    }
}

/// Solves the nonlinear (CES, constant-elasticity) variant by Newton's method in
/// `ln(1 + P̂*)`, starting from the base (`P̂* = 0`), halving steps that do not reduce the
/// residual.
pub fn solve_nonlinear(problem: &GsimProblem, options: &NewtonOptions) -> Result<GsimSolution, PeError> {
    let (n_v, n_r) = problem.n();
    let norm = |f: &[f64]| f.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let mut y = vec![0.0; n_v];
    let mut f = vec![0.0; n_v];
    let mut jacobian = vec![0.0; n_v * n_v];
    let mut trial = vec![0.0; n_v];
    let mut f_trial = vec![0.0; n_v];
    problem.nonlinear_residual(&y, &mut f, Some(&mut jacobian));
    let mut residual = norm(&f);
    let mut iterations = 0;
    while residual > options.tolerance {
        if iterations == options.max_iterations {
            return Err(PeError::NoConvergence {
                model: "GSIM (nonlinear, Newton)",
                reason: "iteration limit reached".into(),
                iterations,
                residual,
                tolerance: options.tolerance,
                hint: NEWTON_HINT,
            });
        }
        iterations += 1;
        let minus_f: Vec<f64> = f.iter().map(|v| -v).collect();
        let step = dense::solve(&jacobian, &minus_f).map_err(|s| PeError::Singular {
            column: s.column,
            exporter: problem.data.exporters[s.column].clone(),
            pivot: s.pivot,
        })?;
        let mut lambda = 1.0;
        loop {
            for v in 0..n_v {
                trial[v] = y[v] + lambda * step[v];
            }
            problem.nonlinear_residual(&trial, &mut f_trial, None);
            let trial_residual = norm(&f_trial);
            if trial_residual.is_finite() && (trial_residual < residual || trial_residual <= options.tolerance) {
                break;
            }
            lambda *= 0.5;
            if lambda < 1e-10 {
                return Err(PeError::NoConvergence {
                    model: "GSIM (nonlinear, Newton)",
                    reason: "line search could not reduce the residual".into(),
                    iterations,
                    residual,
                    tolerance: options.tolerance,
                    hint: NEWTON_HINT,
                });
            }
        }
        y.copy_from_slice(&trial);
        problem.nonlinear_residual(&y, &mut f, Some(&mut jacobian));
        residual = norm(&f);
    }
    let mut volume = vec![0.0; n_v * n_r];
    let mut shares = vec![0.0; n_v * n_r];
    problem.nonlinear_state(&y, &mut volume, &mut shares);
    let p_star: Vec<f64> = y.iter().map(|yv| yv.exp() - 1.0).collect();
    let import_change = volume.iter().map(|m| m - 1.0).collect();
    let report = SolveReport { iterations, residual, stop: StopReason::Converged };
    checked(assemble(problem, GsimForm::Nonlinear, p_star, import_change, report), options.tolerance)
}

/// A solution whose prices, flows or welfare are not finite is a failed solve, not a result.
fn checked(solution: GsimSolution, tolerance: f64) -> Result<GsimSolution, PeError> {
    let exporter_values = solution.exporters.iter().flat_map(|e| {
        [(&e.exporter, "world price change", e.world_price_change), (&e.exporter, "producer surplus", e.producer_surplus), (&e.exporter, "exports after", e.exports_after)]
    });
    let market_values = solution.markets.iter().flat_map(|m| {
        [(&m.importer, "consumer surplus", m.consumer_surplus), (&m.importer, "revenue change", m.revenue_change), (&m.importer, "imports after", m.imports_after)]
    });
    let Some((region, what, value)) = exporter_values.chain(market_values).find(|(_, _, v)| !v.is_finite()) else {
        return Ok(solution);
    };
    Err(PeError::NoConvergence {
        model: if solution.form == GsimForm::Linear { "GSIM (linear, direct solve)" } else { "GSIM (nonlinear, Newton)" },
        reason: format!("the {what} of `{region}` is {value}, not a finite number"),
        iterations: solution.report.iterations,
        residual: solution.report.residual,
        tolerance,
        hint: if solution.form == GsimForm::Linear { LINEAR_HINT } else { NEWTON_HINT },
    })
}

/// Flows after, welfare and per-exporter / per-market summaries from a solution.
fn assemble(
    problem: &GsimProblem,
    form: GsimForm,
    p_star: Vec<f64>,
    import_change: Vec<f64>,
    report: SolveReport,
) -> GsimSolution {
    let data = &problem.data;
    let (n_v, n_r) = problem.n();
    let flows_after: Vec<f64> = (0..n_v * n_r)
        .map(|idx| data.flows[idx] * (1.0 + import_change[idx]) * (1.0 + p_star[idx / n_r]))
        .collect();
    let exporters = (0..n_v)
        .map(|v| {
            let x = problem.exports[v];
            let (p, ex) = (p_star[v], data.ex[v]);
            let producer_surplus = match form {
                // Francois & Hall (2003): ΔPS_v = P̂*_v X_v (1 + ½ Ex_v P̂*_v).
                GsimForm::Linear => p * x * (1.0 + 0.5 * ex * p),
                GsimForm::Nonlinear if ex.is_infinite() => 0.0,
                GsimForm::Nonlinear => x * ((1.0 + p).powf(1.0 + ex) - 1.0) / (1.0 + ex),
            };
            GsimExporterResult {
                exporter: data.exporters[v].clone(),
                world_price_change: p,
                exports_before: x,
                exports_after: (0..n_r).map(|r| flows_after[v * n_r + r]).sum(),
                producer_surplus,
            }
        })
        .collect();
    let markets = (0..n_r)
        .map(|r| {
            let e = problem.expenditure[r];
            let em = data.em[r];
            let mut composite_price_change = 0.0;
            let (mut imports_before, mut imports_after, mut revenue_before, mut revenue_after) = (0.0, 0.0, 0.0, 0.0);
            for v in 0..n_v {
                let idx = v * n_r + r;
                imports_before += data.flows[idx];
                imports_after += flows_after[idx];
                revenue_before += data.flows[idx] * (data.t0[idx] - 1.0);
                revenue_after += flows_after[idx] * (data.t1[idx] - 1.0);
                if form == GsimForm::Linear {
                    composite_price_change += problem.theta[idx] * ((1.0 + p_star[v]) * problem.tariff_factor[idx] - 1.0);
                }
            }
            let consumer_surplus = match form {
                GsimForm::Linear => {
                    let dp = composite_price_change;
                    -e * (dp + 0.5 * em * dp * dp)
                }
                GsimForm::Nonlinear => {
                    let y: Vec<f64> = p_star.iter().map(|p| (1.0 + p).ln()).collect();
                    let mut volume = vec![0.0; n_v * n_r];
                    let mut shares = vec![0.0; n_v * n_r];
                    let composite = problem.nonlinear_state(&y, &mut volume, &mut shares)[r];
                    composite_price_change = composite - 1.0;
                    if (1.0 + em).abs() < 1e-12 {
                        -e * composite.ln()
                    } else {
                        -e * (composite.powf(1.0 + em) - 1.0) / (1.0 + em)
                    }
                }
            };
            GsimMarketResult {
                importer: data.importers[r].clone(),
                composite_price_change,
                imports_before,
                imports_after,
                consumer_surplus,
                revenue_before,
                revenue_after,
                revenue_change: revenue_after - revenue_before,
            }
        })
        .collect();
    GsimSolution { form, world_price_change: p_star, import_change, flows_after, exporters, markets, report }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_by_two(t1_ba: f64) -> GsimData {
        GsimData {
            exporters: vec!["A".into(), "B".into()],
            importers: vec!["A".into(), "B".into()],
            flows: vec![0.0, 100.0, 50.0, 0.0],
            t0: vec![1.0, 1.1, 1.2, 1.0],
            t1: vec![1.0, 1.1, t1_ba, 1.0],
            em: vec![-1.0, -1.0],
            es: vec![3.0, 3.0],
            ex: vec![2.0, 2.0],
        }
    }

    /// One flow per exporter, so each market has a single source: θ = φ = 1 on the flow
    /// cell, N_own = Em = −1, and B's clearing condition is −(T̂ + p_B) = 2 p_B.
    /// Cutting A's tariff on B from 1.2 to 1.08 gives T̂ = 0.9 − 1 = −0.1, so
    /// p_B = 0.1/3 = 0.0333…, and A's price does not move.
    #[test]
    fn single_source_markets_by_hand() {
        let problem = GsimProblem::new(two_by_two(1.08)).unwrap();
        let solution = solve_linear(&problem).unwrap();
        assert!((solution.world_price_change[1] - 0.1 / 3.0).abs() < 1e-15);
        assert!(solution.world_price_change[0].abs() < 1e-15);
        assert!(solution.report.residual < 1e-15);
        // Producer surplus of B: p X (1 + ½ Ex p) = (1/30)·50·(1 + 1/30).
        let ps = solution.exporters[1].producer_surplus;
        assert!((ps - 50.0 / 30.0 * (1.0 + 1.0 / 30.0)).abs() < 1e-12);
    }

    #[test]
    fn no_tariff_change_means_no_price_change() {
        let problem = GsimProblem::new(two_by_two(1.2)).unwrap();
        for solution in [solve_linear(&problem).unwrap(), solve_nonlinear(&problem, &NewtonOptions::default()).unwrap()] {
            assert!(solution.world_price_change.iter().all(|p| p.abs() < 1e-15));
            assert!(solution.markets.iter().all(|m| m.consumer_surplus.abs() < 1e-12));
        }
    }

    #[test]
    fn nonlinear_agrees_with_linear_for_small_shocks() {
        // A 0.1% tariff cut: the two forms differ only at second order.
        let problem = GsimProblem::new(two_by_two(1.2 * 0.999)).unwrap();
        let linear = solve_linear(&problem).unwrap();
        let nonlinear = solve_nonlinear(&problem, &NewtonOptions::default()).unwrap();
        let (pl, pn) = (linear.world_price_change[1], nonlinear.world_price_change[1]);
        assert!((pl - pn).abs() < 1e-3 * pl.abs(), "{pl} vs {pn}");
        assert!(nonlinear.report.residual <= 1e-12);
    }

    #[test]
    fn bad_data_have_exact_messages() {
        let mut data = two_by_two(1.08);
        data.flows[1] = -5.0;
        assert_eq!(
            GsimProblem::new(data).unwrap_err().to_string(),
            "GSIM flows, exporter `A`, importer `B`: -5 is not a valid flow; flows must be finite and >= 0"
        );
        let mut data = two_by_two(1.08);
        data.t1[2] = 0.0;
        assert_eq!(
            GsimProblem::new(data).unwrap_err().to_string(),
            "GSIM tariff power t1, exporter `B`, importer `A`: 0 is not a tariff power kanzei accepts; T = 1 + t must lie between 0.5 and 11 (a tariff from -50% to 1,000%; a 10% tariff is 1.10)"
        );
        let mut data = two_by_two(1.08);
        data.t1[1] = 1e300;
        assert_eq!(
            GsimProblem::new(data).unwrap_err().to_string(),
            "GSIM tariff power t1, exporter `A`, importer `B`: 1e300 is not a tariff power kanzei accepts; T = 1 + t must lie between 0.5 and 11 (a tariff from -50% to 1,000%; a 10% tariff is 1.10)"
        );
        let mut data = two_by_two(1.08);
        data.es[0] = 1e6;
        assert_eq!(
            GsimProblem::new(data).unwrap_err().to_string(),
            "GSIM elasticities, importer `A`: Es = 1e6 is out of range; the substitution elasticity must lie between 0 and 100"
        );
        let mut data = two_by_two(1.08);
        data.em[0] = -1e6;
        assert_eq!(
            GsimProblem::new(data).unwrap_err().to_string(),
            "GSIM elasticities, importer `A`: Em = -1e6 is out of range; the import demand elasticity must lie between -100 and 0"
        );
        let mut data = two_by_two(1.08);
        data.ex[1] = 1e9;
        assert_eq!(
            GsimProblem::new(data).unwrap_err().to_string(),
            "GSIM elasticities, exporter `B`: Ex = 1e9 is out of range; the export supply elasticity must lie between 0 and 10000, or be `inf` for a fixed world price"
        );
        let mut data = two_by_two(1.08);
        data.em[1] = 1.25;
        assert_eq!(
            GsimProblem::new(data).unwrap_err().to_string(),
            "GSIM elasticities, importer `B`: Em = 1.25 has the wrong sign; the import demand elasticity must be finite and <= 0"
        );
        let mut data = two_by_two(1.08);
        data.ex[0] = -1.5;
        assert_eq!(
            GsimProblem::new(data).unwrap_err().to_string(),
            "GSIM elasticities, exporter `A`: Ex = -1.5 has the wrong sign; the export supply elasticity must be >= 0"
        );
        let mut data = two_by_two(1.08);
        data.t0.pop();
        assert_eq!(
            GsimProblem::new(data).unwrap_err().to_string(),
            "GSIM input: `t0` has 3 entries, expected 4 (exporters × importers, row-major by exporter)"
        );
    }

    #[test]
    fn zero_supply_elasticity_and_no_exports_is_fixed_not_singular() {
        // Exporter C sells nothing: its price is pinned instead of making A singular.
        let data = GsimData {
            exporters: vec!["A".into(), "C".into()],
            importers: vec!["B".into()],
            flows: vec![10.0, 0.0],
            t0: vec![1.1, 1.1],
            t1: vec![1.0, 1.0],
            em: vec![-1.0],
            es: vec![2.0],
            ex: vec![1.0, 0.0],
        };
        let solution = solve_linear(&GsimProblem::new(data).unwrap()).unwrap();
        assert_eq!(solution.world_price_change[1], 0.0);
        assert!(solution.world_price_change[0] > 0.0);
    }

    /// A NaN in the welfare is reported as a failed solve naming the region and quantity.
    #[test]
    fn a_non_finite_solution_is_an_error() {
        let problem = GsimProblem::new(two_by_two(1.08)).unwrap();
        let mut solution = solve_linear(&problem).unwrap();
        solution.markets[1].consumer_surplus = f64::INFINITY;
        solution.report.residual = 0.0;
        assert_eq!(
            checked(solution, LINEAR_TOLERANCE).unwrap_err().to_string(),
            "GSIM (linear, direct solve) did not converge: the consumer surplus of `B` is inf, not a finite number after 1 iterations; market-clearing residual 0e0 (tolerance 1e-8)\n\nhint: check the inputs for near-duplicate exporters or extreme tariff changes (`kanzei pe gsim --flows/--t0/--t1/--elasticities`)"
        );
    }
}
