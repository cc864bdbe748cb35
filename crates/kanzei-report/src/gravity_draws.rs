//! Monte Carlo bands for a gravity counterfactual: cost coefficients drawn from their
//! sampling distribution (`kanzei_ge::gravity_monte_carlo`), every country's results
//! summarised by mean, standard deviation and p5/p50/p95 over the draws that solved, as
//! gegravity's `MonteCarloGE` summarises them.

use kanzei_core::draws::{Band, DrawSummary};
use kanzei_ge::gravity::CountryResult;
use kanzei_ge::gravity_monte_carlo::{gravity_draws, CoefficientDistribution};
use serde::Serialize;

use crate::runs::{gravity_inputs, GravitySpec, RunError};

/// Reads one result of a country.
pub type Field = fn(&CountryResult) -> f64;

/// The country results that get bands, by JSON name (all in percent, except the welfare
/// statistic, a ratio).
pub const BANDED: [(&str, Field); 8] = [
    ("welfare_statistic", |c| c.welfare_statistic),
    ("gdp_change_pct", |c| c.gdp_change_pct),
    ("terms_of_trade_change_pct", |c| c.terms_of_trade_change_pct),
    ("factory_gate_price_change_pct", |c| c.factory_gate_price_change_pct),
    ("foreign_exports_change_pct", |c| c.foreign_exports_change_pct),
    ("foreign_imports_change_pct", |c| c.foreign_imports_change_pct),
    ("imr_change_pct", |c| c.imr_change_pct),
    ("omr_change_pct", |c| c.omr_change_pct),
];

/// One quantity's summary over draws.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Summary {
    /// Mean.
    pub mean: f64,
    /// Standard deviation (n − 1).
    pub sd: f64,
    /// Percentiles.
    #[serde(flatten)]
    pub band: Band,
}

impl Summary {
    fn of(values: &mut [f64]) -> Summary {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = if values.len() > 1 { (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt() } else { 0.0 };
        Summary { mean, sd, band: Band::of(values) }
    }
}

/// Bands of one country.
#[derive(Clone, Debug, Serialize)]
pub struct CountryBands {
    /// Country code.
    pub country: String,
    /// Per banded quantity ([`BANDED`] order): its name and summary.
    pub quantities: Vec<(&'static str, Summary)>,
}

/// A gravity Monte Carlo run.
#[derive(Clone, Debug, Serialize)]
pub struct GravityBands {
    /// Draws, seed, failures, distribution.
    pub summary: DrawSummary,
    /// Per country, in the panel's order.
    pub countries: Vec<CountryBands>,
    /// Wall-clock seconds for the draws.
    pub seconds: f64,
}

/// Draws the coefficients of `spec` (standard errors `se` by name, independent) `draws`
/// times and solves each.
pub fn gravity_bands(
    panel: &kanzei_data::gravity_data::GravityPanel,
    spec: &GravitySpec<'_>,
    se: &[(String, f64)],
    draws: usize,
    seed: u64,
) -> Result<GravityBands, RunError> {
    let (base, counterfactual, config) = gravity_inputs(panel, spec)?;
    let names: Vec<String> = spec.coefficients.iter().map(|(n, _)| n.clone()).collect();
    let mean: Vec<f64> = spec.coefficients.iter().map(|(_, v)| *v).collect();
    let mut sds = Vec::with_capacity(names.len());
    let mut distribution_notes = Vec::new();
    for name in &names {
        match se.iter().find(|(n, _)| n == name) {
            Some((_, s)) if s.is_finite() && *s >= 0.0 => {
                sds.push(*s);
                distribution_notes.push(format!("{name}: N({}, {s}²)", spec.coefficients.iter().find(|(n, _)| n == name).map_or(0.0, |c| c.1)));
            }
            Some((_, s)) => return Err(RunError::Invalid(format!("--standard-errors {name}={s}: a standard error is a finite number ≥ 0"))),
            None => {
                return Err(RunError::Invalid(format!(
                    "no standard error for the coefficient `{name}`; give it with --standard-errors {name}=VALUE (0 holds it fixed)"
                )))
            }
        }
    }
    if let Some((unknown, _)) = se.iter().find(|(n, _)| !names.contains(n)) {
        return Err(RunError::Invalid(format!("--standard-errors {unknown}: not a coefficient of this run; expected some of {}", names.join(", "))));
    }
    distribution_notes.push("coefficients drawn independently (the sample's published standard errors; no covariance is given)".into());
    let distribution = CoefficientDistribution::independent(names, mean, &sds)?;
    let started = std::time::Instant::now();
    let outcomes = gravity_draws(&base, &counterfactual, &distribution, &config, spec.variant, draws, seed);
    let seconds = started.elapsed().as_secs_f64();
    let results: Vec<Result<&kanzei_ge::gravity::GravityResults, String>> =
        outcomes.iter().map(|d| d.results.as_ref().map_err(Clone::clone)).collect();
    let summary = DrawSummary::from_outcomes(seed, &results, distribution_notes);
    let ok: Vec<&kanzei_ge::gravity::GravityResults> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    let countries = base
        .countries
        .iter()
        .enumerate()
        .map(|(i, country)| CountryBands {
            country: country.clone(),
            quantities: BANDED
                .iter()
                .map(|(name, f)| {
                    let mut values: Vec<f64> = ok.iter().map(|r| f(&r.countries[i])).collect();
                    (*name, Summary::of(&mut values))
                })
                .collect(),
        })
        .collect();
    Ok(GravityBands { summary, countries, seconds })
}
