//! The Leontief quantity model: technical coefficients, the Leontief inverse, and
//! value-added coefficients.
//!
//! With `A = Z·diag(x)⁻¹` the output needed to deliver final demand `y` solves
//! `(I − A)·x = y` (Leontief 1936; Miller & Blair 2009, sect. 2.2), so
//! `x = L·y` with `L = (I − A)⁻¹`, the Leontief inverse (same section). [`Leontief`] factors `I − A` once with a
//! partial-pivoting LU (faer) and then either solves for given right-hand sides
//! ([`Leontief::solve`], [`Leontief::solve_transpose`], [`Leontief::columns`]) or forms
//! the full inverse when every entry is needed ([`Leontief::inverse`]).
//!
//! Assumptions and choices:
//! * Industries with zero output get a zero column in `A` (as pymrio's `calc_A`, which
//!   sets 1/0 to 0): they buy nothing, so they neither produce nor transmit demand.
//! * `I − A` is singular, and the model undefined, when some industry (or closed group of
//!   industries) uses at least its whole output as intermediate input. The LU pivots show
//!   this: a pivot below `N·ε·max|pivot|` is reported as [`MrioError::SingularLeontief`]
//!   naming the industry's column.
//! * Value-added coefficients are `v = 1' − 1'A` (Miller & Blair 2009, sect. 2.2: the
//!   column identity `x_j = Σ_i z_ij + w_j` divided by output) unless the table publishes a VA row, in which case `v_j = w_j / x_j`.
//!
//! References: Leontief, W. (1936) *Review of Economics and Statistics* 18(3), 105–125;
//! Miller, R. E. & Blair, P. D. (2009) *Input-Output Analysis*, 2nd ed., ch. 2–3.

use std::ops::Range;

use faer::linalg::solvers::{DenseSolveCore, PartialPivLu, Solve};
use faer::Mat;

use crate::error::MrioError;
use crate::table::Mrio;

/// `A = Z·diag(x)⁻¹`, with a zero column where `x_j = 0`
/// (Miller & Blair 2009, sect. 2.2, `a_ij = z_ij / x_j`; pymrio `calc_A`).
pub fn technical_coefficients(mrio: &Mrio) -> Mat<f64> {
    let z = mrio.z();
    let x = mrio.x();
    let n = mrio.n_industries();
    // pymrio sets 1/x to 0 where x = 0; so do we.
    let mut a = z.clone();
    for (j, &xj) in x.iter().enumerate().take(n) {
        let recip = if xj == 0.0 { 0.0 } else { 1.0 / xj };
        for value in a.col_as_slice_mut(j) {
            *value *= recip;
        }
    }
    a
}

/// Value-added coefficients `v` (value added per unit of output).
///
/// Without a VA row: `v_j = 1 − Σ_i A_ij` (Miller & Blair 2009, sect. 2.2: column identity / x_j), which is 1
/// for industries with zero output (their column of `A` is zero). With a VA row `w`:
/// `v_j = w_j / x_j`, and 0 where `x_j = 0`.
pub fn value_added_coefficients(mrio: &Mrio, a: &Mat<f64>) -> Vec<f64> {
    let n = mrio.n_industries();
    if mrio.has_value_added_row() {
        let w = mrio.value_added();
        let x = mrio.x();
        (0..n).map(|j| if x[j] == 0.0 { 0.0 } else { w[j] / x[j] }).collect()
    } else {
        (0..n).map(|j| 1.0 - a.col_as_slice(j).iter().sum::<f64>()).collect()
    }
}

/// `I − A` factored as `P(I − A) = LU`, ready for solves and the inverse.
pub struct Leontief {
    a: Mat<f64>,
    lu: PartialPivLu<f64>,
}

impl std::fmt::Debug for Leontief {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Leontief").field("n", &self.a.nrows()).finish()
    }
}

impl Leontief {
    /// Builds `A` from the table and factors `I − A`.
    pub fn new(mrio: &Mrio) -> Result<Leontief, MrioError> {
        let a = technical_coefficients(mrio);
        Leontief::from_coefficients(a, |j| mrio.industry_label(j))
    }

    /// Factors `I − A` for a given coefficient matrix; `label(j)` names column `j` in
    /// errors.
    pub fn from_coefficients(a: Mat<f64>, label: impl Fn(usize) -> String) -> Result<Leontief, MrioError> {
        let n = a.nrows();
        if a.ncols() != n {
            return Err(MrioError::Shape {
                what: "A".into(),
                expected: "a square matrix".into(),
                found: format!("{} × {}", a.nrows(), a.ncols()),
            });
        }
        // I − A, so that (I − A)·x = y (Miller & Blair 2009, sect. 2.2).
        let mut i_minus_a = a.clone();
        for j in 0..n {
            let col = i_minus_a.col_as_slice_mut(j);
            for value in col.iter_mut() {
                *value = -*value;
            }
            col[j] += 1.0;
        }
        let lu = i_minus_a.partial_piv_lu();
        // Partial pivoting permutes rows only, so pivot k belongs to column k of I − A.
        // After a zero pivot the remaining factors are NaN, so name the *first* pivot
        // below tolerance: that column is where elimination broke down.
        let u = lu.U();
        let pivots: Vec<f64> = (0..n).map(|k| u[(k, k)].abs()).collect();
        let max_pivot = pivots.iter().copied().filter(|p| p.is_finite()).fold(0.0_f64, f64::max);
        let tolerance = n as f64 * f64::EPSILON * max_pivot;
        if let Some(k) = pivots.iter().position(|&p| p.is_nan() || p <= tolerance || p.is_infinite()) {
            let pivot = if pivots[k].is_nan() { 0.0 } else { pivots[k] };
            return Err(MrioError::SingularLeontief { industry: label(k), pivot, max_pivot });
        }
        Ok(Leontief { a, lu })
    }

    /// `A`.
    pub fn a(&self) -> &Mat<f64> {
        &self.a
    }

    /// `N`.
    pub fn n(&self) -> usize {
        self.a.nrows()
    }

    /// `x = L·y`: solves `(I − A)·x = y` (Miller & Blair 2009, sect. 2.2) without forming L.
    pub fn solve(&self, y: &[f64]) -> Result<Vec<f64>, MrioError> {
        self.check_len("y", y.len())?;
        let mut rhs = Mat::from_fn(y.len(), 1, |i, _| y[i]);
        self.lu.solve_in_place(rhs.as_mut());
        Ok(rhs.col_as_slice(0).to_vec())
    }

    /// `m' = v'·L`: solves `(I − A)'·m = v`, the multiplier form (Miller & Blair 2009,
    /// ch. 6: total requirement of a row quantity per unit of final demand).
    pub fn solve_transpose(&self, v: &[f64]) -> Result<Vec<f64>, MrioError> {
        self.check_len("v", v.len())?;
        let mut rhs = Mat::from_fn(v.len(), 1, |i, _| v[i]);
        self.lu.solve_transpose_in_place(rhs.as_mut());
        Ok(rhs.col_as_slice(0).to_vec())
    }

    /// `L'·R`: solves `(I − A)'·M = R` for a right-hand-side matrix with N rows, the
    /// multiplier form for several row quantities at once (one column each).
    pub fn solve_transpose_matrix(&self, mut rhs: Mat<f64>) -> Result<Mat<f64>, MrioError> {
        self.check_len("right-hand side", rhs.nrows())?;
        self.lu.solve_transpose_in_place(rhs.as_mut());
        Ok(rhs)
    }

    /// `L·R` for a right-hand-side matrix with N rows.
    pub fn solve_matrix(&self, mut rhs: Mat<f64>) -> Result<Mat<f64>, MrioError> {
        self.check_len("right-hand side", rhs.nrows())?;
        self.lu.solve_in_place(rhs.as_mut());
        Ok(rhs)
    }

    /// Columns `cols` of `L` (N × |cols|), by solving against those columns of `I`;
    /// cheaper than [`Leontief::inverse`] when one region's industries suffice.
    pub fn columns(&self, cols: Range<usize>) -> Mat<f64> {
        let n = self.n();
        let start = cols.start;
        let mut rhs = Mat::from_fn(n, cols.len(), |i, j| if i == start + j { 1.0 } else { 0.0 });
        self.lu.solve_in_place(rhs.as_mut());
        rhs
    }

    /// The full Leontief inverse `L = (I − A)⁻¹` (Miller & Blair 2009, sect. 2.2).
    pub fn inverse(&self) -> Mat<f64> {
        self.lu.inverse()
    }

    fn check_len(&self, what: &str, len: usize) -> Result<(), MrioError> {
        if len != self.n() {
            return Err(MrioError::Shape {
                what: what.into(),
                expected: format!("{} values (one per industry)", self.n()),
                found: format!("{len} values"),
            });
        }
        Ok(())
    }
}

/// Value-added multipliers `v'·L`: value added generated in the whole world economy per
/// unit of final demand for each industry (Miller & Blair 2009, ch. 6, value-added multipliers). They are all
/// 1 when `v` is the residual `1 − 1'A`; with a published VA row they show how much of
/// a unit of final demand is value added rather than, e.g., taxes.
pub fn value_added_multipliers(leontief: &Leontief, v: &[f64]) -> Result<Vec<f64>, MrioError> {
    leontief.solve_transpose(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::tests::small_table;
    use crate::table::MrioTable;

    #[test]
    fn coefficients_inverse_and_solves_agree() {
        let mrio = Mrio::new(small_table()).unwrap();
        let leontief = Leontief::new(&mrio).unwrap();
        let a = leontief.a();
        assert_eq!(a[(0, 0)], 150.0 / 2000.0);
        assert_eq!(a[(0, 1)], 500.0 / 1100.0);
        // x = L·y reproduces output from total final demand.
        let y: Vec<f64> = (0..4).map(|i| mrio.final_use(i)).collect();
        let x = leontief.solve(&y).unwrap();
        for (got, want) in x.iter().zip(mrio.x()) {
            assert!((got - want).abs() < 1e-9 * want, "{got} vs {want}");
        }
        // The inverse's columns equal column solves; (I − A)·L = I.
        let l = leontief.inverse();
        let cols = leontief.columns(2..4);
        for i in 0..4 {
            for j in 0..2 {
                assert!((l[(i, j + 2)] - cols[(i, j)]).abs() < 1e-14);
            }
            for j in 0..4 {
                let mut acc = l[(i, j)];
                for k in 0..4 {
                    acc -= a[(i, k)] * l[(k, j)];
                }
                assert!((acc - if i == j { 1.0 } else { 0.0 }).abs() < 1e-14);
            }
        }
        // With residual value added, v'L = 1' (every unit of final demand is value added).
        let v = value_added_coefficients(&mrio, a);
        assert_eq!(v[0], 1600.0 / 2000.0);
        for m in value_added_multipliers(&leontief, &v).unwrap() {
            assert!((m - 1.0).abs() < 1e-14);
        }
    }

    #[test]
    fn zero_output_industry_gets_a_zero_column() {
        let mut table = small_table();
        // Make BBB_s2 produce nothing: clear its row and column.
        for k in 0..4 {
            table.z[3 * 4 + k] = 0.0;
            table.z[k * 4 + 3] = 0.0;
        }
        table.y[6] = 0.0;
        table.y[7] = 0.0;
        let mrio = Mrio::new(table).unwrap();
        assert_eq!(mrio.x()[3], 0.0);
        let leontief = Leontief::new(&mrio).unwrap();
        assert!(leontief.a().col_as_slice(3).iter().all(|&a| a == 0.0));
        assert_eq!(value_added_coefficients(&mrio, leontief.a())[3], 1.0);
    }

    #[test]
    fn singular_i_minus_a_is_an_error() {
        // Industry AAA_s2 uses exactly its whole output as inputs from itself: its column
        // of I − A is zero.
        let table = MrioTable {
            regions: vec!["AAA".into()],
            sectors: vec!["s1".into(), "s2".into()],
            final_demand_categories: vec!["hh".into()],
            unit: "USD millions".into(),
            z: vec![10.0, 0.0, 0.0, 50.0],
            y: vec![90.0, 0.0],
            x: Some(vec![100.0, 50.0]),
            ..MrioTable::default()
        };
        let mrio = Mrio::new(table).unwrap();
        let err = Leontief::new(&mrio).unwrap_err();
        assert_eq!(
            err.to_string(),
            "(I - A) is singular to working precision: LU pivot 0e0 in the column of `AAA_s2` (largest pivot 9e-1); an industry whose intermediate inputs (nearly) equal its output, or a closed loop of such industries, makes the Leontief inverse undefined\n\nhint: check that `AAA_s2`'s column of Z does not sum to its gross output"
        );
    }
}
