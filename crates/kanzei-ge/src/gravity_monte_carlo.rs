//! Monte Carlo over gravity cost coefficients (MODELS.md §8; as gegravity's
//! `MonteCarloGE`, Herman 2021, section 4).
//!
//! The cost coefficients β_k of t_ij^{1−σ} = exp(Σ_k β_k x_ij^k) come from a gravity
//! regression with a sampling distribution: β ~ N(β̂, V). Each draw recomputes baseline and
//! counterfactual trade costs with the drawn β, re-solves the baseline resistances and the
//! counterfactual, and keeps every country's results; bands are percentiles over the draws
//! that solved. V is the regression's covariance when the caller has it (correlated draws
//! through its Cholesky factor), else diag(se²) from the reported standard errors. Draw k
//! uses `Rng::for_draw(seed, k)`, so results do not depend on the number of threads.

use kanzei_core::draws::Rng;
use rayon::prelude::*;

use crate::error::GeError;
use crate::gravity::{CostCoefficients, FullEndowment, GravityConfig, GravityInputs, GravityModel, GravityResults};

/// The sampling distribution of the cost coefficients.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct CoefficientDistribution {
    /// Variable names, in the order of `mean`.
    pub names: Vec<String>,
    /// Point estimates β̂.
    pub mean: Vec<f64>,
    /// Lower-triangular Cholesky factor of the covariance, row-major K × K.
    pub cholesky: Vec<f64>,
}

impl CoefficientDistribution {
    /// Independent coefficients with standard errors `se`.
    pub fn independent(names: Vec<String>, mean: Vec<f64>, se: &[f64]) -> Result<CoefficientDistribution, GeError> {
        let k = mean.len();
        let mut cov = vec![0.0; k * k];
        for (i, s) in se.iter().enumerate() {
            cov[i * k + i] = s * s;
        }
        CoefficientDistribution::correlated(names, mean, &cov)
    }

    /// Coefficients with covariance `cov` (row-major K × K, symmetric positive semi-definite).
    pub fn correlated(names: Vec<String>, mean: Vec<f64>, cov: &[f64]) -> Result<CoefficientDistribution, GeError> {
        let k = mean.len();
        if names.len() != k || cov.len() != k * k {
            return Err(GeError::Shape { what: "coefficient covariance".into(), found: cov.len(), expected: k * k, layout: "K × K".into() });
        }
        // Cholesky–Banachiewicz; a zero pivot (a fixed coefficient) gives a zero column.
        let mut l = vec![0.0; k * k];
        for i in 0..k {
            for j in 0..=i {
                let sum: f64 = (0..j).map(|p| l[i * k + p] * l[j * k + p]).sum();
                if i == j {
                    let d = cov[i * k + i] - sum;
                    if !(d.is_finite() && d >= -1e-12 * cov[i * k + i].abs().max(1e-300)) {
                        return Err(GeError::InvalidValue {
                            what: "coefficient covariance".into(),
                            cell: format!("{} (row {})", names[i], i + 1),
                            value: d,
                            valid: "a covariance matrix is symmetric positive semi-definite".into(),
                        });
                    }
                    l[i * k + i] = d.max(0.0).sqrt();
                } else {
                    let pivot = l[j * k + j];
                    l[i * k + j] = if pivot > 0.0 { (cov[i * k + j] - sum) / pivot } else { 0.0 };
                }
            }
        }
        Ok(CoefficientDistribution { names, mean, cholesky: l })
    }

    /// One draw: β̂ + L z with z standard normal.
    pub fn draw(&self, rng: &mut Rng) -> Vec<f64> {
        let k = self.mean.len();
        let z: Vec<f64> = (0..k).map(|_| rng.normal()).collect();
        (0..k).map(|i| self.mean[i] + (0..=i).map(|j| self.cholesky[i * k + j] * z[j]).sum::<f64>()).collect()
    }
}

/// One draw's coefficients and results (or why it failed).
#[derive(Clone, Debug)]
pub struct GravityDraw {
    /// β drawn, in the distribution's order.
    pub coefficients: Vec<f64>,
    /// The counterfactual, or the failure.
    pub results: Result<GravityResults, String>,
}

/// Solves the counterfactual (`baseline` → `counterfactual` cost variables) for `draws`
/// draws of the coefficients, in parallel.
pub fn gravity_draws(
    baseline: &GravityInputs,
    counterfactual: &GravityInputs,
    distribution: &CoefficientDistribution,
    config: &GravityConfig,
    variant: FullEndowment,
    draws: usize,
    seed: u64,
) -> Vec<GravityDraw> {
    (0..draws)
        .into_par_iter()
        .map(|k| {
            let mut rng = Rng::for_draw(seed, k as u64);
            let beta = distribution.draw(&mut rng);
            let coefficients = CostCoefficients(distribution.names.iter().cloned().zip(beta.iter().copied()).collect());
            let results = (|| {
                let base = baseline.trade_cost_power(&coefficients)?;
                let model = GravityModel::new(baseline, base, config)?;
                let new = counterfactual.trade_cost_power(&coefficients)?;
                model.simulate(&new, variant)
            })()
            .map_err(|e| e.to_string());
            GravityDraw { coefficients: beta, results }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn correlated_draws_have_the_covariance_asked_for() {
        // Var(β1) = 4, Var(β2) = 1, Cov = 1.2 (correlation 0.6).
        let d = CoefficientDistribution::correlated(vec!["a".into(), "b".into()], vec![1.0, -2.0], &[4.0, 1.2, 1.2, 1.0]).unwrap();
        let n = 100_000;
        let mut rng = Rng::seeded(3);
        let draws: Vec<Vec<f64>> = (0..n).map(|_| d.draw(&mut rng)).collect();
        let mean = |i: usize| draws.iter().map(|x| x[i]).sum::<f64>() / n as f64;
        let (m0, m1) = (mean(0), mean(1));
        let cov = |i: usize, j: usize, mi: f64, mj: f64| draws.iter().map(|x| (x[i] - mi) * (x[j] - mj)).sum::<f64>() / (n - 1) as f64;
        assert!((m0 - 1.0).abs() < 0.03 && (m1 + 2.0).abs() < 0.015, "{m0} {m1}");
        // Sampling sd of a variance estimate ≈ σ²√(2/n): 0.018 for 4, 0.0045 for 1.
        assert!((cov(0, 0, m0, m0) - 4.0).abs() < 0.08, "{}", cov(0, 0, m0, m0));
        assert!((cov(1, 1, m1, m1) - 1.0).abs() < 0.02);
        assert!((cov(0, 1, m0, m1) - 1.2).abs() < 0.04);
        let err = CoefficientDistribution::correlated(vec!["a".into(), "b".into()], vec![0.0, 0.0], &[1.0, 2.0, 2.0, 1.0]).unwrap_err();
        assert!(err.to_string().contains("positive semi-definite"), "{err}");
    }
}
