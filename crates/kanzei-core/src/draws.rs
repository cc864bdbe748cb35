//! Monte Carlo plumbing shared by every model: a seeded random stream per draw, normal and
//! truncated-normal variates, and the 90% band (p5, p50, p95) of a set of draws.
//!
//! # Reproducibility
//! Draw `k` of a run with seed `s` always uses the same stream, [`Rng::for_draw`]`(s, k)`,
//! whichever thread computes it and in whatever order, so results are identical for a seed
//! across thread counts. The generator is xoshiro256++ (Blackman & Vigna 2021), seeded
//! through SplitMix64 as its authors recommend; it is written out here (forty lines) rather
//! than taken from a crate so that a seed's numbers can never change with a dependency.
//!
//! Normal variates use the ziggurat method (Marsaglia & Tsang 2000; Doornik 2005).
//!
//! # Percentiles
//! [`Band::of`] uses linear interpolation between order statistics (Hyndman & Fan 1996,
//! definition 7; numpy's and R's default), so a reference computed with `numpy.percentile`
//! on the same draws agrees to rounding.
//!
//! # References
//! * Blackman, D. & Vigna, S. (2021), "Scrambled Linear Pseudorandom Number Generators",
//!   ACM Transactions on Mathematical Software 47(4).
//! * Marsaglia, G. & Tsang, W. W. (2000), "The Ziggurat Method for Generating Random
//!   Variables", Journal of Statistical Software 5(8).
//! * Doornik, J. A. (2005), "An Improved Ziggurat Method to Generate Normal Random
//!   Samples", working paper, University of Oxford.
//! * Hyndman, R. J. & Fan, Y. (1996), "Sample Quantiles in Statistical Packages",
//!   The American Statistician 50(4).

use serde::Serialize;

/// SplitMix64 (Steele, Lea & Flood 2014): the seeding generator.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A xoshiro256++ stream.
#[derive(Clone, Debug)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A stream from a raw state (the reference test vectors use `[1, 2, 3, 4]`). A state
    /// of all zeros is replaced by SplitMix64's output for zero, since xoshiro would stay
    /// at zero forever.
    pub fn from_state(s: [u64; 4]) -> Rng {
        if s == [0; 4] {
            return Rng::seeded(0);
        }
        Rng { s }
    }

    /// A stream seeded from one number through SplitMix64.
    pub fn seeded(seed: u64) -> Rng {
        let mut state = seed;
        let s = [splitmix64(&mut state), splitmix64(&mut state), splitmix64(&mut state), splitmix64(&mut state)];
        Rng { s }
    }

    /// The stream of draw `draw` in a run seeded `seed`: independent of threads and order.
    pub fn for_draw(seed: u64, draw: u64) -> Rng {
        let mut mix = draw;
        let key = splitmix64(&mut mix);
        Rng::seeded(seed ^ key)
    }

    /// Next 64 random bits (xoshiro256++).
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal: the ziggurat method (Marsaglia & Tsang 2000, in Doornik's 2005
    /// form, 128 layers), which returns from one 64-bit draw and a comparison about 98% of
    /// the time; the rest fall back to the exact density test or the tail algorithm.
    pub fn normal(&mut self) -> f64 {
        let z = ziggurat();
        loop {
            let bits = self.next_u64();
            let i = (bits & 0x7f) as usize;
            // 53 bits above the layer index: u uniform on [−1, 1).
            let u = 2.0 * ((bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)) - 1.0;
            if u.abs() < z.ratio[i] {
                return u * z.x[i];
            }
            if i == 0 {
                return self.normal_tail(u < 0.0);
            }
            let x = u * z.x[i];
            let f0 = (-0.5 * (z.x[i] * z.x[i] - x * x)).exp();
            let f1 = (-0.5 * (z.x[i + 1] * z.x[i + 1] - x * x)).exp();
            if f1 + self.uniform() * (f0 - f1) < 1.0 {
                return x;
            }
        }
    }

    /// The normal tail beyond the ziggurat's base, |z| > R (Marsaglia 1964).
    fn normal_tail(&mut self, negative: bool) -> f64 {
        loop {
            let x = (1.0 - self.uniform()).ln() / ZIGGURAT_R;
            let y = (1.0 - self.uniform()).ln();
            if -2.0 * y >= x * x {
                return if negative { x - ZIGGURAT_R } else { ZIGGURAT_R - x };
            }
        }
    }

    /// N(mean, sd²) truncated below at `floor` by redrawing; returns the value and the
    /// number of redraws. Gives up after 1,000 redraws (a floor far in the upper tail) and
    /// returns `None`, which the caller reports as a failed draw.
    pub fn normal_above(&mut self, mean: f64, sd: f64, floor: f64) -> Option<(f64, u32)> {
        for redraws in 0..1000u32 {
            let value = mean + sd * self.normal();
            if value > floor {
                return Some((value, redraws));
            }
        }
        None
    }
}

/// Start of the normal tail for 128 ziggurat layers, and the area of each layer.
const ZIGGURAT_R: f64 = 3.442_619_855_899;
const ZIGGURAT_V: f64 = 9.912_563_035_262_17e-3;

/// The ziggurat's layer edges x_i and ratios x_{i+1}/x_i.
struct Ziggurat {
    x: [f64; 129],
    ratio: [f64; 128],
}

fn ziggurat() -> &'static Ziggurat {
    static TABLE: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut x = [0.0; 129];
        let mut f = (-0.5 * ZIGGURAT_R * ZIGGURAT_R).exp();
        x[0] = ZIGGURAT_V / f;
        x[1] = ZIGGURAT_R;
        for i in 2..128 {
            x[i] = (-2.0 * (ZIGGURAT_V / x[i - 1] + f).ln()).sqrt();
            f = (-0.5 * x[i] * x[i]).exp();
        }
        x[128] = 0.0;
        let mut ratio = [0.0; 128];
        for i in 0..128 {
            ratio[i] = x[i + 1] / x[i];
        }
        Ziggurat { x, ratio }
    })
}

/// Percentile `p` (0–100) of sorted values, linear interpolation (Hyndman–Fan 7).
pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p / 100.0;
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
        }
    }
}

/// The 90% band of a quantity over the successful draws, beside its point estimate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Band {
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl Band {
    /// The band of `values` (sorted in place; NaN sorts last and is never present in
    /// callers' input, which exclude failed draws).
    pub fn of(values: &mut [f64]) -> Band {
        values.sort_by(f64::total_cmp);
        Band { p5: percentile_sorted(values, 5.0), p50: percentile_sorted(values, 50.0), p95: percentile_sorted(values, 95.0) }
    }

    /// Bands of many quantities: `draws[d][q]` is quantity `q` in draw `d`.
    pub fn of_columns(draws: &[Vec<f64>]) -> Vec<Band> {
        let quantities = draws.first().map_or(0, Vec::len);
        let mut column = Vec::with_capacity(draws.len());
        (0..quantities)
            .map(|q| {
                column.clear();
                column.extend(draws.iter().map(|d| d[q]));
                Band::of(&mut column)
            })
            .collect()
    }
}

/// What a Monte Carlo run did, for every report that shows bands.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DrawSummary {
    /// Draws requested.
    pub draws: usize,
    /// Seed.
    pub seed: u64,
    /// Draws that solved and enter the bands.
    pub succeeded: usize,
    /// Draws excluded because the model did not converge (or a parameter could not be
    /// drawn), with the first few reasons.
    pub failed: usize,
    /// Up to five failure messages, `draw k: reason`.
    pub failures: Vec<String>,
    /// How the parameters were drawn, one line per parameter family.
    pub distribution: Vec<String>,
}

impl DrawSummary {
    /// A summary from the outcome of each draw (`Err` carries the reason).
    pub fn from_outcomes<T>(seed: u64, outcomes: &[Result<T, String>], distribution: Vec<String>) -> DrawSummary {
        let failures: Vec<String> = outcomes
            .iter()
            .enumerate()
            .filter_map(|(k, o)| o.as_ref().err().map(|e| format!("draw {k}: {e}")))
            .collect();
        DrawSummary {
            draws: outcomes.len(),
            seed,
            succeeded: outcomes.len() - failures.len(),
            failed: failures.len(),
            failures: failures.into_iter().take(5).collect(),
            distribution,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro256pp_matches_the_reference_vector() {
        // First outputs of the authors' xoshiro256plusplus.c from state {1, 2, 3, 4}; the
        // first is rotl(1 + 4, 23) + 1 = 41943041 by hand. Reproduced by
        // bench/reference/draws/xoshiro_vector.py (pure Python).
        let mut rng = Rng::from_state([1, 2, 3, 4]);
        let got: Vec<u64> = (0..6).map(|_| rng.next_u64()).collect();
        assert_eq!(got, XOSHIRO_VECTOR);
    }

    const XOSHIRO_VECTOR: [u64; 6] =
        [41_943_041, 58_720_359, 3_588_806_011_781_223, 3_591_011_842_654_386, 9_228_616_714_210_784_205, 9_973_669_472_204_895_162];

    #[test]
    fn normals_have_unit_variance_and_streams_are_independent_of_order() {
        let n = 200_000;
        let mut rng = Rng::seeded(7);
        let (mut sum, mut sum2) = (0.0, 0.0);
        for _ in 0..n {
            let z = rng.normal();
            sum += z;
            sum2 += z * z;
        }
        let mean = sum / n as f64;
        let var = sum2 / n as f64 - mean * mean;
        // Shape: P(|z| < 1) = 0.682689, P(z > 2) = 0.022750, P(z < −3.5) = 0.000233 (the
        // tail algorithm's region); sampling sd √(p(1−p)/n): 0.0010, 0.00033, 0.000034.
        let mut rng = Rng::seeded(11);
        let zs: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
        let share = |f: &dyn Fn(f64) -> bool| zs.iter().filter(|z| f(**z)).count() as f64 / n as f64;
        assert!((share(&|z| z.abs() < 1.0) - 0.682689).abs() < 0.004);
        assert!((share(&|z| z > 2.0) - 0.022750).abs() < 0.0014);
        assert!((share(&|z| z < -3.5) - 0.000233).abs() < 0.00014);
        // Standard errors: mean 1/√n ≈ 0.0022, variance √(2/n) ≈ 0.0032; four of each.
        assert!(mean.abs() < 0.009, "mean {mean}");
        assert!((var - 1.0).abs() < 0.013, "variance {var}");
        let a: Vec<u64> = (0..3).map(|k| Rng::for_draw(7, k).next_u64()).collect();
        let b: Vec<u64> = (0..3).rev().map(|k| Rng::for_draw(7, k).next_u64()).collect();
        assert_eq!(a, b.into_iter().rev().collect::<Vec<_>>());
        assert_ne!(Rng::for_draw(7, 0).next_u64(), Rng::for_draw(8, 0).next_u64());
        assert_ne!(Rng::for_draw(7, 0).next_u64(), Rng::for_draw(7, 1).next_u64());
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 50, 95]) = [1.2, 3.0, 8.8].
        let band = Band::of(&mut [10.0, 3.0, 1.0, 4.0, 2.0]);
        assert!((band.p5 - 1.2).abs() < 1e-12 && band.p50 == 3.0 && (band.p95 - 8.8).abs() < 1e-12, "{band:?}");
        let cols = Band::of_columns(&[vec![1.0, 5.0], vec![3.0, 5.0]]);
        assert_eq!(cols[0].p50, 2.0);
        assert_eq!(cols[1], Band { p5: 5.0, p50: 5.0, p95: 5.0 });
    }

    #[test]
    fn truncated_normal_respects_the_floor_and_reports_redraws() {
        let mut rng = Rng::seeded(1);
        let mut redrawn = 0;
        for _ in 0..10_000 {
            let (v, r) = rng.normal_above(0.37, 1.13, 0.1).unwrap();
            assert!(v > 0.1);
            redrawn += r;
        }
        // P(N(0.37, 1.13²) ≤ 0.1) = Φ(−0.239) ≈ 0.406, so about 0.406/0.594 ≈ 0.68 redraws
        // per accepted value.
        let per = redrawn as f64 / 10_000.0;
        assert!((per - 0.684).abs() < 0.05, "{per}");
        assert!(Rng::seeded(1).normal_above(0.0, 1.0, 50.0).is_none());
    }
}
