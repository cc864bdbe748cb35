//! A small dense linear solver: LU factorisation with partial (row) pivoting and one step
//! of iterative refinement.
//!
//! GSIM systems have one unknown per exporter (tens, at most a few hundred), so a
//! textbook Doolittle elimination is fast and keeps the dependency list short. Matrices
//! are row-major `n × n` slices.
//!
//! References: Golub, G. & Van Loan, C. (2013) *Matrix Computations*, 4th ed.,
//! algorithms 3.4.1 (Gaussian elimination with partial pivoting) and 3.5.4 (iterative
//! refinement).

/// Elimination broke down: no pivot candidate in `column` exceeds the singularity threshold.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SingularColumn {
    /// The column (0-based) where elimination broke down.
    pub column: usize,
    /// The largest absolute pivot candidate found there.
    pub pivot: f64,
}

/// An LU factorisation `P A = L U` of a square matrix, stored in place (unit lower
/// triangle below the diagonal, `U` on and above it).
#[derive(Clone, Debug)]
pub(crate) struct Lu {
    n: usize,
    lu: Vec<f64>,
    /// `perm[i]` is the original row now in position `i`.
    perm: Vec<usize>,
}

impl Lu {
    /// Factorises `a` (row-major, `n × n`). A pivot is accepted when its magnitude exceeds
    /// `n · ε · max|a_ij|`; below that the matrix is treated as singular.
    pub(crate) fn factor(a: &[f64], n: usize) -> Result<Lu, SingularColumn> {
        debug_assert_eq!(a.len(), n * n);
        let mut lu = a.to_vec();
        let mut perm: Vec<usize> = (0..n).collect();
        let scale = a.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let threshold = (n as f64) * f64::EPSILON * scale.max(f64::MIN_POSITIVE);
        for col in 0..n {
            // Partial pivoting: the largest entry in this column at or below the diagonal.
            let (mut best_row, mut best) = (col, lu[col * n + col].abs());
            for row in col + 1..n {
                let candidate = lu[row * n + col].abs();
                if candidate > best {
                    best = candidate;
                    best_row = row;
                }
            }
            if best <= threshold || !best.is_finite() {
                return Err(SingularColumn { column: col, pivot: best });
            }
            if best_row != col {
                for k in 0..n {
                    lu.swap(col * n + k, best_row * n + k);
                }
                perm.swap(col, best_row);
            }
            let pivot = lu[col * n + col];
            for row in col + 1..n {
                let factor = lu[row * n + col] / pivot;
                lu[row * n + col] = factor;
                if factor != 0.0 {
                    for k in col + 1..n {
                        lu[row * n + k] -= factor * lu[col * n + k];
                    }
                }
            }
        }
        Ok(Lu { n, lu, perm })
    }

    /// Solves `A x = b` with the factorisation; `b` is overwritten with `x`.
    pub(crate) fn solve_in_place(&self, b: &mut [f64]) {
        let n = self.n;
        let permuted: Vec<f64> = self.perm.iter().map(|&row| b[row]).collect();
        b.copy_from_slice(&permuted);
        // Forward substitution with the unit lower triangle.
        for row in 0..n {
            let dot: f64 = self.lu[row * n..row * n + row].iter().zip(&b[..row]).map(|(l, x)| l * x).sum();
            b[row] -= dot;
        }
        // Back substitution with U.
        for row in (0..n).rev() {
            let dot: f64 = self.lu[row * n + row + 1..(row + 1) * n].iter().zip(&b[row + 1..]).map(|(u, x)| u * x).sum();
            b[row] = (b[row] - dot) / self.lu[row * n + row];
        }
    }
}

/// `out = A x` for a row-major `n × n` matrix.
pub(crate) fn mat_vec(a: &[f64], x: &[f64], out: &mut [f64]) {
    let n = x.len();
    for (row, value) in out.iter_mut().enumerate() {
        *value = a[row * n..(row + 1) * n].iter().zip(x).map(|(aij, xj)| aij * xj).sum();
    }
}

/// Solves `A x = b` by LU with partial pivoting followed by one refinement step
/// (`r = b − A x`, `A d = r`, `x += d`), which recovers most digits lost to rounding in
/// badly scaled systems.
pub(crate) fn solve(a: &[f64], b: &[f64]) -> Result<Vec<f64>, SingularColumn> {
    let n = b.len();
    let lu = Lu::factor(a, n)?;
    let mut x = b.to_vec();
    lu.solve_in_place(&mut x);
    let mut ax = vec![0.0; n];
    mat_vec(a, &x, &mut ax);
    let mut correction: Vec<f64> = b.iter().zip(&ax).map(|(bi, axi)| bi - axi).collect();
    lu.solve_in_place(&mut correction);
    for (xi, di) in x.iter_mut().zip(&correction) {
        *xi += di;
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solves_a_system_that_needs_pivoting() {
        // The (0, 0) entry is zero, so elimination without row exchange fails.
        // x = (1, 2, 3): row 0: 0·1 + 2·2 + 1·3 = 7; row 1: 1 + 1·2 + 1·3 = 6;
        // row 2: 2·1 + 1·2 + 0·3 = 4.
        let a = [0.0, 2.0, 1.0, 1.0, 1.0, 1.0, 2.0, 1.0, 0.0];
        let x = solve(&a, &[7.0, 6.0, 4.0]).unwrap();
        for (got, want) in x.iter().zip([1.0, 2.0, 3.0]) {
            assert!((got - want).abs() < 1e-14, "{x:?}");
        }
    }

    #[test]
    fn reports_the_singular_column() {
        // Row 1 is twice row 0.
        let a = [1.0, 2.0, 2.0, 4.0];
        let err = solve(&a, &[1.0, 2.0]).unwrap_err();
        assert_eq!(err.column, 1);
        assert!(err.pivot < 1e-12);
    }

    #[test]
    fn hilbert_residual_is_small_after_refinement() {
        // The 6 × 6 Hilbert matrix (condition number ~1.5e7) with b = A·1.
        let n = 6;
        let a: Vec<f64> = (0..n * n).map(|k| 1.0 / ((k / n + k % n + 1) as f64)).collect();
        let ones = vec![1.0; n];
        let mut b = vec![0.0; n];
        mat_vec(&a, &ones, &mut b);
        let x = solve(&a, &b).unwrap();
        let mut ax = vec![0.0; n];
        mat_vec(&a, &x, &mut ax);
        let residual = ax.iter().zip(&b).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max);
        assert!(residual < 1e-14, "residual {residual:e}");
        // The solution itself is accurate to roughly ε · κ.
        assert!(x.iter().all(|v| (v - 1.0).abs() < 1e-8), "{x:?}");
    }
}
