//! Tariffs to consumer prices: the Leontief price model on a single-country input–output
//! table, and the bridge from producer prices to the purchasers' prices of consumption
//! categories.
//!
//! For commodities `i = 1..n`:
//!
//! * `m_i` — import share of the commodity's supply (imports / total supply at basic prices),
//! * `Δτ_i` — import-weighted change in the tariff on the commodity's imports (a fraction),
//! * `ρ` — pass-through of tariffs to import prices (1 = full),
//! * `L` — commodity-by-commodity total requirements, `L = (I − A)⁻¹`.
//!
//! The first-round cost push on every user of commodity `i` is `e_i = m_i ρ Δτ_i` (the
//! imported part of each dollar of `i` costs `ρΔτ_i` more). Carried through all rounds of
//! domestic production, the producer-price change of commodity `j` is
//!
//! ```text
//! Δp_j = Σ_i e_i L_ij          i.e.  Δp = L′ e                 (price dual; Miller & Blair 2009, eq. 2.36)
//! ```
//!
//! A consumption category `k` buys commodity `i` at producers' value `b_ik`, plus transport,
//! wholesale and retail margins. With margins constant in dollars,
//! `Δp_k = Σ_i b_ik Δp_i / Σ_i purchasers_ik`; with margins constant in percent of the
//! producer price, `Δp_k = Σ_i b_ik Δp_i / Σ_i b_ik`. Aggregates weight categories by
//! purchasers' value.
//!
//! Assumptions (stated in every report that uses this module): import proportionality (each
//! use of a commodity has the same import share `m_i`); costs fully passed forward by domestic
//! producers (fixed value added per unit, no markup response); no substitution (fixed
//! technical coefficients and basket); a first-order change in the duty-exclusive price.
//!
//! References: `../shared/MODELS.md` §7; Miller, R. E. & Blair, P. D. (2009),
//! *Input–Output Analysis*, 2nd ed., ch. 2.6 (the price model); Amiti, Redding & Weinstein
//! (2019), JEP 33(4), and Cavallo, Gopinath, Neiman & Tang (2021), AER: Insights 3(1), on
//! pass-through.

use faer::linalg::solvers::DenseSolveCore;
use faer::Mat;
use serde::Serialize;

/// Why a price computation cannot run.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PriceError {
    /// Vectors and the matrix disagree in size.
    #[error("{what} has {found} entries, the total-requirements matrix has {n} commodities")]
    Size {
        /// Which input.
        what: &'static str,
        /// Entries found.
        found: usize,
        /// Commodities.
        n: usize,
    },
    /// A parameter is outside its domain.
    #[error("{what} = {value} is outside {range}")]
    Domain {
        /// Which parameter.
        what: &'static str,
        /// Its value.
        value: f64,
        /// The valid range.
        range: &'static str,
    },
}

/// How distribution margins respond to a change in producer prices.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Margins {
    /// Transport, wholesale and retail margins keep their dollar value (default).
    #[default]
    ConstantDollars,
    /// Margins keep their percentage of the producer price.
    ConstantPercent,
}

/// A total-requirements matrix with the import share of each commodity's supply.
#[derive(Clone, Debug)]
pub struct PriceModel {
    n: usize,
    /// `L`, row-major.
    l: Vec<f64>,
    /// `m_i`.
    import_share: Vec<f64>,
}

impl PriceModel {
    /// Checks sizes and that `0 ≤ m_i ≤ 1`.
    pub fn new(n: usize, total_requirements: Vec<f64>, import_share: Vec<f64>) -> Result<PriceModel, PriceError> {
        if total_requirements.len() != n * n {
            return Err(PriceError::Size { what: "the total-requirements matrix", found: total_requirements.len(), n: n * n });
        }
        if import_share.len() != n {
            return Err(PriceError::Size { what: "the import shares", found: import_share.len(), n });
        }
        if let Some(&bad) = import_share.iter().find(|m| !(0.0..=1.0).contains(*m)) {
            return Err(PriceError::Domain { what: "an import share", value: bad, range: "[0, 1]" });
        }
        Ok(PriceModel { n, l: total_requirements, import_share })
    }

    /// Number of commodities.
    pub fn n(&self) -> usize {
        self.n
    }

    /// `m_i`.
    pub fn import_share(&self) -> &[f64] {
        &self.import_share
    }

    /// First-round cost push `e_i = m_i ρ Δτ_i` (fractions).
    pub fn shock(&self, delta_tau: &[f64], pass_through: f64) -> Result<Vec<f64>, PriceError> {
        if delta_tau.len() != self.n {
            return Err(PriceError::Size { what: "the tariff changes", found: delta_tau.len(), n: self.n });
        }
        if !(0.0..=2.0).contains(&pass_through) {
            return Err(PriceError::Domain { what: "pass-through", value: pass_through, range: "[0, 2] (1 = full pass-through)" });
        }
        Ok(delta_tau.iter().zip(&self.import_share).map(|(dt, m)| m * pass_through * dt).collect())
    }

    /// Producer-price changes `Δp = L′ e` (fractions), for a first-round shock `e`.
    pub fn propagate(&self, e: &[f64]) -> Vec<f64> {
        let mut dp = vec![0.0; self.n];
        for (i, &ei) in e.iter().enumerate() {
            if ei == 0.0 {
                continue;
            }
            let row = &self.l[i * self.n..(i + 1) * self.n];
            for (d, &lij) in dp.iter_mut().zip(row) {
                *d += ei * lij;
            }
        }
        dp
    }

    /// Direct requirements recovered from the total requirements: `A = I − L⁻¹`
    /// (row-major), for checking a published inverse.
    pub fn direct_requirements(&self) -> Vec<f64> {
        let n = self.n;
        let l = Mat::<f64>::from_fn(n, n, |i, j| self.l[i * n + j]);
        let inv = l.partial_piv_lu().inverse();
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                a[i * n + j] = f64::from(u8::from(i == j)) - inv[(i, j)];
            }
        }
        a
    }
}

/// One commodity inside a consumption category (PCE bridge row).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BridgeRow {
    /// Category index.
    pub category: usize,
    /// Commodity index.
    pub commodity: usize,
    /// Producers' value.
    pub producers: f64,
    /// Purchasers' value (producers' value + margins).
    pub purchasers: f64,
}

/// Purchasers'-price change of each of `n_categories` categories (fractions), and each
/// category's purchasers' value.
pub fn category_prices(bridge: &[BridgeRow], n_categories: usize, dp: &[f64], margins: Margins) -> (Vec<f64>, Vec<f64>) {
    let mut cost = vec![0.0; n_categories];
    let mut base = vec![0.0; n_categories];
    let mut purchasers = vec![0.0; n_categories];
    for r in bridge {
        cost[r.category] += r.producers * dp[r.commodity];
        purchasers[r.category] += r.purchasers;
        base[r.category] += match margins {
            Margins::ConstantDollars => r.purchasers,
            Margins::ConstantPercent => r.producers,
        };
    }
    let change = cost.iter().zip(&base).map(|(c, b)| if *b == 0.0 { 0.0 } else { c / b }).collect();
    (change, purchasers)
}

/// Weighted mean of `values` over the indices `members` (0 when the weights sum to 0).
pub fn weighted_mean(values: &[f64], weights: &[f64], members: impl IntoIterator<Item = usize>) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for k in members {
        num += values[k] * weights[k];
        den += weights[k];
    }
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two commodities: 1 uses 0.5 of 0 per dollar; L = (I − A)⁻¹.
    fn two() -> PriceModel {
        // A = [[0, 0.5], [0, 0]] (column j = user): L = [[1, 0.5], [0, 1]].
        PriceModel::new(2, vec![1.0, 0.5, 0.0, 1.0], vec![0.4, 0.0]).unwrap()
    }

    #[test]
    fn cost_push_reaches_users() {
        let m = two();
        let e = m.shock(&[0.10, 0.0], 1.0).unwrap();
        assert!((e[0] - 0.04).abs() < 1e-12);
        let dp = m.propagate(&e);
        // Commodity 0 rises by its own import share × 10%; commodity 1 by half that.
        assert!((dp[0] - 0.04).abs() < 1e-12);
        assert!((dp[1] - 0.02).abs() < 1e-12);
        let a = m.direct_requirements();
        assert!((a[1] - 0.5).abs() < 1e-12 && a[0].abs() < 1e-12);
    }

    #[test]
    fn margins_dilute_in_dollars_not_in_percent() {
        let bridge = [BridgeRow { category: 0, commodity: 0, producers: 60.0, purchasers: 100.0 }];
        let (dollars, w) = category_prices(&bridge, 1, &[0.1, 0.0], Margins::ConstantDollars);
        let (percent, _) = category_prices(&bridge, 1, &[0.1, 0.0], Margins::ConstantPercent);
        assert!((dollars[0] - 0.06).abs() < 1e-12);
        assert!((percent[0] - 0.10).abs() < 1e-12);
        assert_eq!(w, vec![100.0]);
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert!(PriceModel::new(2, vec![1.0; 3], vec![0.0; 2]).is_err());
        assert!(PriceModel::new(1, vec![1.0], vec![1.5]).is_err());
        assert!(two().shock(&[0.1, 0.0], -0.5).is_err());
        assert!(two().shock(&[0.1], 1.0).is_err());
    }
}
