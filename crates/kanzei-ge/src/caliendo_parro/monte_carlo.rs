//! Monte Carlo over the trade elasticities θ^j (MODELS.md §8).
//!
//! Caliendo & Parro (2015, section 4) estimate θ^j sector by sector, by a regression through
//! the origin of log trade ratios on log tariff ratios (their eq. (28), triple differences);
//! the estimates are independent across sectors, so each θ^j is drawn on its own:
//!
//! * where the estimate has a standard error s^j: θ^j ~ N(θ̂^j, (s^j)²), truncated below at
//!   [`THETA_FLOOR`] by redrawing (the Fréchet dispersion must be positive; the redraws are
//!   counted and reported);
//! * where it has none but alternative published values exist: the same with s^j the
//!   standard deviation of the alternatives ([`ThetaSpread::Alternatives`]);
//! * otherwise θ^j is held at its value ([`ThetaSpread::Fixed`]) and the report says so.
//!
//! Each draw solves the model from the point estimate's equilibrium (a warm start) with the
//! same shock; a draw that does not converge is excluded from the bands and counted. Draw
//! k always uses the stream `Rng::for_draw(seed, k)`, so a seed gives the same bands on any
//! number of threads.

use kanzei_core::draws::Rng;
use rayon::prelude::*;

use super::{solve_from, Baseline, CountryWelfare, Equilibrium, Shock, SolverConfig};
use crate::error::GeError;

/// Smallest θ a draw may take; values at or below it are redrawn.
pub const THETA_FLOOR: f64 = 0.1;

/// How one sector's θ varies across draws.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ThetaSpread {
    /// Held at its value.
    Fixed,
    /// The estimate's standard error.
    StdError {
        /// Standard error.
        se: f64,
    },
    /// The standard deviation of alternative published values.
    Alternatives {
        /// Their standard deviation.
        sd: f64,
        /// The values.
        values: Vec<f64>,
    },
}

impl ThetaSpread {
    /// The standard deviation drawn with, if any.
    pub fn sd(&self) -> Option<f64> {
        match self {
            ThetaSpread::Fixed => None,
            ThetaSpread::StdError { se } => Some(*se),
            ThetaSpread::Alternatives { sd, .. } => Some(*sd),
        }
    }

    /// Spread from alternatives: their sample standard deviation (n − 1).
    pub fn from_alternatives(values: &[f64]) -> ThetaSpread {
        let n = values.len() as f64;
        if values.len() < 2 {
            return ThetaSpread::Fixed;
        }
        let mean = values.iter().sum::<f64>() / n;
        let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        ThetaSpread::Alternatives { sd, values: values.to_vec() }
    }
}

/// The distribution of θ by sector, in the baseline's sector order.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct ThetaDistribution {
    /// Point values θ̂^j (J).
    pub point: Vec<f64>,
    /// Spread per sector (J).
    pub spread: Vec<ThetaSpread>,
}

impl ThetaDistribution {
    /// One draw of θ for every sector; also the number of redraws below the floor. `None`
    /// when a sector's floor lies so far in the tail that 1,000 redraws did not clear it.
    pub fn draw(&self, rng: &mut Rng) -> Option<(Vec<f64>, u32)> {
        let mut redraws = 0;
        let mut theta = Vec::with_capacity(self.point.len());
        for (point, spread) in self.point.iter().zip(&self.spread) {
            match spread.sd() {
                Some(sd) if sd > 0.0 => {
                    let (value, r) = rng.normal_above(*point, sd, THETA_FLOOR)?;
                    redraws += r;
                    theta.push(value);
                }
                _ => theta.push(*point),
            }
        }
        Some((theta, redraws))
    }
}

/// One draw's outcome.
#[derive(Clone, Debug)]
pub struct ThetaDraw {
    /// θ drawn (J).
    pub theta: Vec<f64>,
    /// Redraws below [`THETA_FLOOR`] it took.
    pub redraws: u32,
    /// Country results, or why the draw failed.
    pub countries: Result<Vec<CountryWelfare>, String>,
    /// Wage iterations the solve took (0 when it failed).
    pub iterations: usize,
}

/// Solves the model for `draws` draws of θ from `distribution` with `shock`, each from the
/// point equilibrium `point` (solved with the baseline's own θ), in parallel.
pub fn theta_draws(
    baseline: &Baseline,
    shock: &Shock,
    config: &SolverConfig,
    point: &Equilibrium,
    distribution: &ThetaDistribution,
    draws: usize,
    seed: u64,
) -> Result<Vec<ThetaDraw>, GeError> {
    if distribution.point.len() != baseline.sectors.len() || distribution.spread.len() != baseline.sectors.len() {
        return Err(GeError::Shape {
            what: "θ distribution".into(),
            expected: baseline.sectors.len(),
            found: distribution.point.len().min(distribution.spread.len()),
            layout: "sectors".into(),
        });
    }
    let outcomes = (0..draws)
        .into_par_iter()
        .map(|k| {
            let mut rng = Rng::for_draw(seed, k as u64);
            let Some((theta, redraws)) = distribution.draw(&mut rng) else {
                return ThetaDraw {
                    theta: Vec::new(),
                    redraws: 0,
                    countries: Err(format!("no θ above {THETA_FLOOR} in 1,000 redraws")),
                    iterations: 0,
                };
            };
            let mut drawn = baseline.clone();
            // Non-traded sectors keep their θ: it does not enter a sector whose shares are
            // all domestic.
            drawn.theta.clone_from(&theta);
            match solve_from(&drawn, shock, config, Some(point)) {
                Ok(eq) => ThetaDraw { theta, redraws, iterations: eq.report.iterations, countries: Ok(eq.countries) },
                Err(e) => ThetaDraw { theta, redraws, iterations: 0, countries: Err(e.to_string()) },
            }
        })
        .collect();
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_from_alternatives_is_the_sample_sd() {
        // CP's values for transport equipment: 0.37 (other transport), 1.01 (autos), 8.22
        // (their NAFTA application): mean 3.2, sd √((2.83² + 2.19² + 5.02²)/2) = 4.36.
        let s = ThetaSpread::from_alternatives(&[0.37, 1.01, 8.22]);
        assert!((s.sd().unwrap() - 4.3596).abs() < 1e-3, "{s:?}");
        assert_eq!(ThetaSpread::from_alternatives(&[8.22]), ThetaSpread::Fixed);
    }

    #[test]
    fn draws_are_reproducible_and_bands_have_width_on_the_two_country_example() {
        let baseline = Baseline::example_two_country();
        let config = SolverConfig::default();
        let j = baseline.sectors.len();
        // A 10% tariff on A's imports from B: tau is (J x N x N) `[(j·N + n)·N + i]`.
        let mut tariffs = baseline.tau.clone();
        tariffs[1] = 0.10;
        let shock = Shock { tariffs: Some(tariffs), ..Shock::none() };
        let point = super::super::solve(&baseline, &shock, &config).unwrap();
        let distribution = ThetaDistribution {
            point: baseline.theta.clone(),
            spread: baseline.theta.iter().map(|t| ThetaSpread::StdError { se: 0.3 * t }).collect(),
        };
        let a = theta_draws(&baseline, &shock, &config, &point, &distribution, 40, 7).unwrap();
        let b = theta_draws(&baseline, &shock, &config, &point, &distribution, 40, 7).unwrap();
        assert_eq!(a.len(), 40);
        let welfare = |d: &[ThetaDraw]| -> Vec<f64> {
            d.iter().map(|x| x.countries.as_ref().unwrap()[0].real_income_pct).collect()
        };
        assert_eq!(welfare(&a), welfare(&b));
        let mut w = welfare(&a);
        let band = kanzei_core::draws::Band::of(&mut w);
        assert!(band.p5 < band.p50 && band.p50 < band.p95, "{band:?}");
        // θ enters: the point estimate lies inside the band.
        let p = point.countries[0].real_income_pct;
        assert!(band.p5 <= p && p <= band.p95, "{p} outside {band:?}");
        assert_eq!(a[0].theta.len(), j);
    }
}
