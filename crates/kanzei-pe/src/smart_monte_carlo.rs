//! Monte Carlo over SMART's elasticities (MODELS.md §8).
//!
//! Each product's import-demand and substitution elasticities are drawn independently:
//! Em ~ N(Em, sd_Em²) truncated to Em < 0, Es ~ N(Es, sd_Es²) truncated to Es > 0 (values
//! beyond the bound are redrawn; after 1,000 redraws the draw fails and is reported). The
//! standard deviations come from the caller, who states where each came from (a published
//! standard error, or the spread of alternative published estimates). Export supply is not
//! drawn. Each draw re-runs SMART over every cell into a buffer owned by the thread and adds
//! the cells into groups, so a draw allocates nothing; draw k uses
//! `Rng::for_draw(seed, k)`, so results do not depend on the number of threads.

use kanzei_core::draws::Rng;
use rayon::prelude::*;

use crate::smart::{simulate_into, SmartCell, SmartConfig, SmartElasticities, SmartInput};

/// The spread of one product's elasticities (standard deviations; 0 holds it fixed).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ElasticitySpread {
    /// sd of Em.
    pub em_sd: f64,
    /// sd of Es.
    pub es_sd: f64,
}

/// Per draw: for each group, `[imports_after, trade_creation, trade_diversion, revenue]`
/// (USD), then the totals `[imports_after, revenue]` over every cell.
pub const GROUP_FIELDS: usize = 4;

/// Runs `draws` draws. `group_of_cell[c]` is the group of cell c (`u32::MAX`: in no
/// group). Returns one flat vector per draw (see [`GROUP_FIELDS`]) or why it failed.
pub fn smart_draws(
    input: &SmartInput<'_>,
    spread: &[ElasticitySpread],
    group_of_cell: &[u32],
    n_groups: usize,
    config: &SmartConfig,
    draws: usize,
    seed: u64,
) -> Vec<Result<Vec<f64>, String>> {
    (0..draws)
        .into_par_iter()
        .map_init(
            || (Vec::<SmartCell>::new(), Vec::<SmartElasticities>::with_capacity(input.elasticities.len())),
            |(cells, drawn), k| {
                let mut rng = Rng::for_draw(seed, k as u64);
                drawn.clear();
                for (e, s) in input.elasticities.iter().zip(spread) {
                    let em = if s.em_sd > 0.0 {
                        -rng.normal_above(-e.em, s.em_sd, 0.0).ok_or("no Em below 0 in 1,000 redraws")?.0
                    } else {
                        e.em
                    };
                    let es = if s.es_sd > 0.0 { rng.normal_above(e.es, s.es_sd, 0.0).ok_or("no Es above 0 in 1,000 redraws")?.0 } else { e.es };
                    drawn.push(SmartElasticities { em, es, ex: e.ex });
                }
                let run = SmartInput { elasticities: drawn, ..*input };
                simulate_into(&run, config, cells).map_err(|e| e.to_string())?;
                let mut out = vec![0.0; n_groups * GROUP_FIELDS + 2];
                for (cell, &g) in cells.iter().zip(group_of_cell) {
                    if g != u32::MAX {
                        let base = g as usize * GROUP_FIELDS;
                        out[base] += cell.imports_after_usd;
                        out[base + 1] += cell.trade_creation_usd;
                        out[base + 2] += cell.trade_diversion_usd;
                        out[base + 3] += cell.revenue_after_usd;
                    }
                    out[n_groups * GROUP_FIELDS] += cell.imports_after_usd;
                    out[n_groups * GROUP_FIELDS + 1] += cell.revenue_after_usd;
                }
                Ok(out)
            },
        )
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smart::{simulate, SmartData};

    #[test]
    fn zero_spread_reproduces_the_point_and_draws_are_reproducible() {
        // The worked example of `smart`: A (M 100, 10% → 10%), B (M 50, 10% → 21%).
        let mut data = SmartData::new();
        data.push_product(SmartElasticities { em: -1.5, es: 2.0, ex: f64::INFINITY }, [(100.0, 0.10, 0.10), (50.0, 0.10, 0.21)]);
        let input = data.as_input();
        let config = SmartConfig::default();
        let point = simulate(&input, &config).unwrap();
        let fixed = smart_draws(&input, &[ElasticitySpread { em_sd: 0.0, es_sd: 0.0 }], &[0, 1], 2, &config, 3, 7);
        for d in &fixed {
            let d = d.as_ref().unwrap();
            assert!((d[0] - point.cells[0].imports_after_usd).abs() < 1e-12);
            assert!((d[4] - point.cells[1].imports_after_usd).abs() < 1e-12);
            assert!((d[8] - (point.cells[0].imports_after_usd + point.cells[1].imports_after_usd)).abs() < 1e-12);
        }
        let spread = [ElasticitySpread { em_sd: 0.5, es_sd: 1.0 }];
        let a = smart_draws(&input, &spread, &[0, 1], 2, &config, 50, 7);
        let b = smart_draws(&input, &spread, &[0, 1], 2, &config, 50, 7);
        assert_eq!(a, b);
        let b_after: Vec<f64> = a.iter().map(|d| d.as_ref().unwrap()[4]).collect();
        let lo = b_after.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = b_after.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // B's imports after: 36.62 at the point; a larger |Em| or Es lowers them.
        assert!(lo < 36.0 && hi > 37.0, "{lo} .. {hi}");
    }
}
