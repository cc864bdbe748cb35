//! Monte Carlo bands for GSIM (MODELS.md §8). GSIM's inputs carry no standard errors and
//! kanzei stages no alternative estimates for a user's regions, so the spread is the user's
//! stated assumption: every elasticity is drawn from N(value, (r·|value|)²) with the
//! relative standard error r given on the command line (`--relative-se`), truncated to its
//! sign (Em < 0, Es > 0, Ex > 0; an infinite Ex stays infinite). The run reports r as the
//! distribution, so the band is never mistaken for an estimated one.

use kanzei_core::draws::{Band, DrawSummary, Rng};
use kanzei_data::elasticities::gsim_input::GsimInputs;
use rayon::prelude::*;
use serde::Serialize;

use crate::runs::{gsim_with, RunError};

/// One region's bands, in the units of the flows matrix (world price change in percent).
#[derive(Clone, Debug, Serialize)]
pub struct RegionBands {
    /// Region.
    pub region: String,
    /// World price change of its exports, percent.
    pub world_price_change_pct: Band,
    /// Net welfare.
    pub net_welfare: Band,
    /// Producer surplus.
    pub producer_surplus: Band,
    /// Consumer surplus.
    pub consumer_surplus: Band,
    /// Tariff revenue change.
    pub revenue_change: Band,
}

/// A GSIM Monte Carlo run.
#[derive(Clone, Debug, Serialize)]
pub struct GsimBands {
    /// Draws, seed, failures, distribution.
    pub summary: DrawSummary,
    /// Per exporting region, in the input order.
    pub regions: Vec<RegionBands>,
}

fn draw_signed(rng: &mut Rng, value: f64, relative_se: f64, negative: bool) -> Option<f64> {
    if !value.is_finite() || value == 0.0 || relative_se == 0.0 {
        return Some(value);
    }
    let sd = relative_se * value.abs();
    rng.normal_above(value.abs(), sd, 0.0).map(|(v, _)| if negative { -v } else { v })
}

/// Solves GSIM `draws` times with every elasticity drawn around its value.
pub fn gsim_bands(inputs: &GsimInputs, nonlinear: bool, relative_se: f64, draws: usize, seed: u64) -> Result<GsimBands, RunError> {
    if !(relative_se.is_finite() && relative_se > 0.0 && relative_se <= 2.0) {
        return Err(RunError::Invalid(format!("--relative-se {relative_se}: expected a relative standard error above 0 and at most 2 (e.g. 0.25 for ±25%)")));
    }
    let outcomes: Vec<Result<Vec<[f64; 5]>, String>> = (0..draws)
        .into_par_iter()
        .map(|k| {
            let mut rng = Rng::for_draw(seed, k as u64);
            let mut drawn = inputs.clone();
            for v in drawn.em.iter_mut() {
                *v = draw_signed(&mut rng, *v, relative_se, true).ok_or("no Em below 0 in 1,000 redraws")?;
            }
            for v in drawn.es.iter_mut() {
                *v = draw_signed(&mut rng, *v, relative_se, false).ok_or("no Es above 0 in 1,000 redraws")?;
            }
            for v in drawn.ex.iter_mut() {
                *v = draw_signed(&mut rng, *v, relative_se, false).ok_or("no Ex above 0 in 1,000 redraws")?;
            }
            let solution = gsim_with(&drawn, nonlinear).map_err(|e| e.to_string())?;
            let welfare = solution.welfare_by_region();
            Ok(solution
                .exporters
                .iter()
                .zip(&welfare)
                .map(|(e, w)| [100.0 * e.world_price_change, w.net, w.producer_surplus, w.consumer_surplus, w.revenue_change])
                .collect())
        })
        .collect();
    let summary = DrawSummary::from_outcomes(
        seed,
        &outcomes,
        vec![format!("every Em, Es and Ex drawn from N(value, ({relative_se}·|value|)²), truncated to its sign, independently: the user's stated relative standard error (--relative-se), not an estimate")],
    );
    let ok: Vec<&Vec<[f64; 5]>> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    let band = |r: usize, q: usize| {
        let mut values: Vec<f64> = ok.iter().map(|d| d[r][q]).collect();
        Band::of(&mut values)
    };
    let regions = inputs
        .exporters
        .iter()
        .enumerate()
        .map(|(r, region)| RegionBands {
            region: region.clone(),
            world_price_change_pct: band(r, 0),
            net_welfare: band(r, 1),
            producer_surplus: band(r, 2),
            consumer_surplus: band(r, 3),
            revenue_change: band(r, 4),
        })
        .collect();
    Ok(GsimBands { summary, regions })
}
