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
    if let Some(fast) = Prepared::new(input, config) {
        // Products whose tariffs do not change (τ = 0 for every source) give the same
        // result whatever the elasticities: added once, and not drawn.
        let mut fixed = vec![0.0; n_groups * GROUP_FIELDS + 2];
        let mut moving = Vec::new();
        for (p, e) in input.elasticities.iter().enumerate() {
            if fast.products[p].3 {
                moving.push(p);
            } else {
                fast.product(p, e.em, e.es, group_of_cell, n_groups, &mut fixed);
            }
        }
        return (0..draws)
            .into_par_iter()
            .map(|k| {
                let mut rng = Rng::for_draw(seed, k as u64);
                let mut out = fixed.clone();
                for &p in &moving {
                    // Es matters only where relative prices move; elsewhere it is not drawn.
                    let mut s = spread[p];
                    if !fast.products[p].2 {
                        s.es_sd = 0.0;
                    }
                    let (em, es) = draw_pair(&mut rng, &input.elasticities[p], &s)?;
                    fast.product(p, em, es, group_of_cell, n_groups, &mut out);
                }
                Ok(out)
            })
            .collect();
    }
    (0..draws)
        .into_par_iter()
        .map_init(
            || (Vec::<SmartCell>::new(), Vec::<SmartElasticities>::with_capacity(input.elasticities.len())),
            |(cells, drawn), k| {
                let mut rng = Rng::for_draw(seed, k as u64);
                drawn.clear();
                for (e, s) in input.elasticities.iter().zip(spread) {
                    let (em, es) = draw_pair(&mut rng, e, s)?;
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

/// One product's Em and Es, in that order from the stream.
fn draw_pair(rng: &mut Rng, e: &SmartElasticities, s: &ElasticitySpread) -> Result<(f64, f64), String> {
    let em = if s.em_sd > 0.0 { -rng.normal_above(-e.em, s.em_sd, 0.0).ok_or("no Em below 0 in 1,000 redraws")?.0 } else { e.em };
    let es = if s.es_sd > 0.0 { rng.normal_above(e.es, s.es_sd, 0.0).ok_or("no Es above 0 in 1,000 redraws")?.0 } else { e.es };
    Ok((em, es))
}

/// The WITS specification (linear creation, Laird–Yeats diversion) with infinite export
/// supply, prepared once: world prices do not move (p* = 0), so each source's domestic
/// price factor ρ_k = (1 + t¹_k)/(1 + t⁰_k) and its diversion term r_k = ρ_max/ρ_k − 1 do
/// not depend on the elasticities, and a draw needs per cell only
/// TC_k = M_k·Em·τ_k, TD_k = M_k·(ΣM·(1 + Es·r_k)/(ΣM + Es·Σ M_j r_j) − 1) and the clamp at
/// zero — the same arithmetic as `smart::simulate`, in closed form.
struct Prepared {
    /// Per cell: M_k, τ_k, r_k, t¹_k.
    cells: Vec<[f64; 4]>,
    /// Per product: ΣM over cells with M > 0, Σ M_k r_k, whether relative prices move, and
    /// whether any tariff changes (if not, the elasticities do not matter).
    products: Vec<(f64, f64, bool, bool)>,
    offsets: Vec<usize>,
}

impl Prepared {
    /// `None` when the fast path does not apply (another rule, a finite Ex, or input the
    /// general path should reject with its own message).
    fn new(input: &SmartInput<'_>, config: &SmartConfig) -> Option<Prepared> {
        if *config != SmartConfig::default() || input.check_shape().is_err() || input.elasticities.iter().any(|e| e.ex.is_finite()) {
            return None;
        }
        let mut cells = Vec::with_capacity(input.n_cells());
        let mut products = Vec::with_capacity(input.n_products());
        for w in input.product_offsets.windows(2) {
            let (mut total, mut rho_min, mut rho_max) = (0.0, f64::INFINITY, 0.0_f64);
            for k in w[0]..w[1] {
                let (m, t0, t1) = (input.imports_usd[k], input.t0[k], input.t1[k]);
                if !(m.is_finite() && m >= 0.0 && t0.is_finite() && t1.is_finite() && t0 > -1.0 && t1 > -1.0) {
                    return None;
                }
                let rho = (1.0 + t1) / (1.0 + t0);
                if m > 0.0 {
                    total += m;
                    rho_min = rho_min.min(rho);
                    rho_max = rho_max.max(rho);
                }
            }
            let mut r_sum = 0.0;
            let mut changes = false;
            for k in w[0]..w[1] {
                let (m, t0, t1) = (input.imports_usd[k], input.t0[k], input.t1[k]);
                let rho = (1.0 + t1) / (1.0 + t0);
                let r = rho_max / rho - 1.0;
                r_sum += m * r;
                changes |= rho != 1.0;
                cells.push([m, rho - 1.0, r, t1]);
            }
            products.push((total, r_sum, total > 0.0 && rho_max > rho_min, changes));
        }
        Some(Prepared { cells, products, offsets: input.product_offsets.to_vec() })
    }

    /// Adds one product's cells, with its drawn Em and Es, into the draw's totals.
    fn product(&self, p: usize, em: f64, es: f64, group_of_cell: &[u32], n_groups: usize, out: &mut [f64]) {
        let (total, r_sum, moves, _) = self.products[p];
        let diverts = moves && es > 0.0;
        let scale = if diverts { total / (total + es * r_sum) } else { 0.0 };
        let (mut all_after, mut all_revenue) = (0.0, 0.0);
        let range = self.offsets[p]..self.offsets[p + 1];
        for (&[m, tau, r, t1], &g) in self.cells[range.clone()].iter().zip(&group_of_cell[range]) {
            let tc = m * em * tau;
            // With M = 0 both terms vanish, as in `smart::simulate`'s `m > 0` guard.
            let td = if diverts { scale * m * (1.0 + es * r) - m } else { 0.0 };
            let after = (m + tc + td).max(0.0);
            let revenue = t1 * after;
            if g != u32::MAX {
                let base = g as usize * GROUP_FIELDS;
                out[base] += after;
                out[base + 1] += tc;
                out[base + 2] += td;
                out[base + 3] += revenue;
            }
            all_after += after;
            all_revenue += revenue;
        }
        out[n_groups * GROUP_FIELDS] += all_after;
        out[n_groups * GROUP_FIELDS + 1] += all_revenue;
    }
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
        // The closed form agrees with the general path (a finite Ex forces it) draw by draw.
        let mut general = data.clone();
        general.elasticities[0].ex = 1e300;
        let c = smart_draws(&general.as_input(), &spread, &[0, 1], 2, &config, 50, 7);
        for (x, y) in a.iter().zip(&c) {
            for (u, v) in x.as_ref().unwrap().iter().zip(y.as_ref().unwrap()) {
                assert!((u - v).abs() < 1e-9 * u.abs().max(1.0), "{u} vs {v}");
            }
        }
        let b_after: Vec<f64> = a.iter().map(|d| d.as_ref().unwrap()[4]).collect();
        let lo = b_after.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = b_after.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        // B's imports after: 36.62 at the point; a larger |Em| or Es lowers them.
        assert!(lo < 36.0 && hi > 37.0, "{lo} .. {hi}");
    }
}
