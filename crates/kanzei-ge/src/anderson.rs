//! Anderson acceleration of a fixed-point iteration `x <- g(x)`.
//!
//! Type-II Anderson mixing with memory `m` (Walker & Ni 2011, eq. (2.1) with full
//! mixing): with residuals `f_k = g(x_k) - x_k` and the differences of the last `m`
//! residuals `ΔF` and images `ΔG`, solve `min_γ ||f_k - ΔF γ||₂` and step to
//! `x_{k+1} = g(x_k) - ΔG γ`. The least-squares problem is solved through its normal
//! equations with a small Tikhonov term (columns are few and are rescaled first), using
//! faer's partial-pivoting LU.
//!
//! The caller owns the safeguard: when the accelerated step makes things worse it calls
//! [`Anderson::reset`] and falls back to the plain step `g(x_k)`.
//!
//! References: Anderson, D. G. (1965), "Iterative procedures for nonlinear integral
//! equations", J. ACM 12(4). Walker, H. F. & Ni, P. (2011), "Anderson acceleration for
//! fixed-point iterations", SIAM J. Numer. Anal. 49(4).

use std::collections::VecDeque;

use faer::linalg::solvers::Solve;
use faer::Mat;

/// Anderson mixing state.
pub(crate) struct Anderson {
    memory: usize,
    /// The residual f and image g(x) of the last step.
    previous: Option<(Vec<f64>, Vec<f64>)>,
    delta_f: VecDeque<Vec<f64>>,
    delta_g: VecDeque<Vec<f64>>,
    /// `dots[a][b]` = ΔF_a · ΔF_b for b ≤ a, kept while the columns stay: a step computes
    /// only the new column's products (m of them) where recomputing the Gram matrix took
    /// m(m+1)/2 passes over the vectors. Each product is the one the full computation
    /// would make, so the results are the same to the bit.
    dots: VecDeque<Vec<f64>>,
    /// Buffers of dropped columns, reused.
    spare: Vec<Vec<f64>>,
}

impl Anderson {
    /// A new accelerator remembering `memory` differences (0 turns acceleration off).
    pub(crate) fn new(memory: usize) -> Anderson {
        Anderson { memory, previous: None, delta_f: VecDeque::new(), delta_g: VecDeque::new(), dots: VecDeque::new(), spare: Vec::new() }
    }

    /// Forgets the history (after a rejected step).
    pub(crate) fn reset(&mut self) {
        if let Some((f, g)) = self.previous.take() {
            self.spare.extend([f, g]);
        }
        self.spare.extend(self.delta_f.drain(..).chain(self.delta_g.drain(..)));
        self.dots.clear();
    }

    /// A buffer holding `values`.
    fn buffer(&mut self, values: impl Iterator<Item = f64>) -> Vec<f64> {
        let mut v = self.spare.pop().unwrap_or_default();
        v.clear();
        v.extend(values);
        v
    }

    /// Given the current iterate `x` and its image `gx = g(x)`, writes the next iterate.
    pub(crate) fn step(&mut self, x: &[f64], gx: &[f64], next: &mut [f64]) {
        let f = self.buffer(gx.iter().zip(x).map(|(g, x)| g - x));
        if let Some((mut f_prev, mut g_prev)) = self.previous.take() {
            // The differences f − f_prev and g − g_prev, written over the previous values.
            for (d, v) in f_prev.iter_mut().zip(&f) {
                *d = v - *d;
            }
            for (d, v) in g_prev.iter_mut().zip(gx) {
                *d = v - *d;
            }
            let row: Vec<f64> =
                self.delta_f.iter().chain(std::iter::once(&f_prev)).map(|c| f_prev.iter().zip(c).map(|(u, v)| u * v).sum::<f64>()).collect();
            self.delta_f.push_back(f_prev);
            self.delta_g.push_back(g_prev);
            self.dots.push_back(row);
            if self.delta_f.len() > self.memory {
                let (df, dg) = (self.delta_f.pop_front(), self.delta_g.pop_front());
                self.spare.extend(df.into_iter().chain(dg));
                self.dots.pop_front();
                for row in self.dots.iter_mut() {
                    row.remove(0);
                }
            }
        }
        let f_copy = self.buffer(f.iter().copied());
        self.previous = Some((f_copy, self.buffer(gx.iter().copied())));
        next.copy_from_slice(gx);
        let m = self.delta_f.len();
        if m == 0 || self.memory == 0 {
            self.spare.push(f);
            return;
        }
        // Normal equations (ΔFᵀΔF + λI) γ = ΔFᵀ f on columns scaled to unit norm.
        let norms: Vec<f64> = (0..m).map(|a| self.dots[a][a].sqrt()).collect();
        if norms.iter().any(|&n| n == 0.0 || !n.is_finite()) {
            self.spare.push(f);
            self.reset();
            return;
        }
        let mut gram = Mat::<f64>::zeros(m, m);
        let mut rhs = Mat::<f64>::zeros(m, 1);
        for a in 0..m {
            for b in 0..=a {
                let dot = self.dots[a][b] / (norms[a] * norms[b]);
                gram[(a, b)] = dot;
                gram[(b, a)] = dot;
            }
            gram[(a, a)] += 1e-10;
            rhs[(a, 0)] = self.delta_f[a].iter().zip(&f).map(|(u, v)| u * v).sum::<f64>() / norms[a];
        }
        self.spare.push(f);
        let gamma = gram.partial_piv_lu().solve(&rhs);
        for a in 0..m {
            let weight = gamma[(a, 0)] / norms[a];
            if !weight.is_finite() {
                next.copy_from_slice(gx);
                self.reset();
                return;
            }
            for (value, dg) in next.iter_mut().zip(&self.delta_g[a]) {
                *value -= weight * dg;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear contraction x = A x + b with spectral radius 0.95: plain iteration needs
    /// about 600 steps for 1e-12, Anderson with memory 5 converges in far fewer.
    #[test]
    fn accelerates_a_slow_linear_contraction() {
        let a = [[0.95, 0.0, 0.0], [0.1, 0.9, 0.0], [0.0, 0.2, 0.5]];
        let b = [1.0, 2.0, 3.0];
        let g = |x: &[f64]| -> Vec<f64> {
            (0..3).map(|i| (0..3).map(|k| a[i][k] * x[k]).sum::<f64>() + b[i]).collect()
        };
        // Exact fixed point: x0 = 1/0.05 = 20, x1 = (2 + 0.1*20)/0.1 = 40, x2 = (3 + 0.2*40)/0.5 = 22.
        let exact: [f64; 3] = [20.0, 40.0, 22.0];
        let mut accel = Anderson::new(5);
        let mut x = vec![0.0; 3];
        let mut next = vec![0.0; 3];
        let mut steps = 0;
        while (0..3).any(|i| (x[i] - exact[i]).abs() > 1e-10) {
            let gx = g(&x);
            accel.step(&x, &gx, &mut next);
            x.copy_from_slice(&next);
            steps += 1;
            assert!(steps < 50, "Anderson did not converge: {x:?}");
        }
        assert!(steps < 15, "took {steps} steps");
    }
}
