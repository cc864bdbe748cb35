//! Satellite-account multipliers and footprints, defined exactly as pymrio 0.7
//! (`pymrio.tools.iomath`: `calc_S`, `calc_S_Y`, `calc_M`, `calc_accounts`;
//! `Extension.calc_system` for the regional aggregates), so results can be checked
//! against pymrio to 1e-9.
//!
//! For an extension with factor use `F` (k × N) and final-demand factor use `F_Y`:
//!
//! | pymrio | here | definition |
//! |---|---|---|
//! | `S` | [`ExtensionAccounts::s`] | `F·diag(x)⁻¹`, 0 where `x = 0` (Miller & Blair 2009, ch. 10, direct impact coefficients) |
//! | `S_Y` | [`ExtensionAccounts::s_y`] | `F_Y·diag(1'Y)⁻¹`, 0 where a column of Y sums to 0 |
//! | `M` | [`ExtensionAccounts::m`] | `S·L` (Miller & Blair 2009, ch. 10, total impact multipliers) |
//! | `D_cba` | [`ExtensionAccounts::d_cba`] | column (r, s): `Σ_i M_(i,s) · Y_agg[(i,s), r]`, the footprint of region r's final demand for product s |
//! | `D_pba` | [`ExtensionAccounts::d_pba`] | `S·diag(L·Y_agg·1)`, production-based |
//! | `D_imp` | [`ExtensionAccounts::d_imp`] | as `D_cba`, counting only factor use outside the consuming region |
//! | `D_exp` | [`ExtensionAccounts::d_exp`] | `S·diag(x_exp)`, `x_exp` = output for other regions' final demand |
//! | `D_*_reg` | `*_reg` | columns summed by region; `F_Y` by region added to cba and pba |
//! | `D_*_cap` | `*_cap` | `*_reg` divided by population |
//!
//! `Y_agg` is final demand summed over categories (N × R). Consumption-based accounting:
//! Miller & Blair (2009), section 10.2; pymrio documentation, "Terminology".
//!
//! References: Stadler, K. (2021) "Pymrio – A Python Based Multi-Regional Input-Output
//! Analysis Toolbox", *Journal of Open Research Software* 9(1); Miller & Blair (2009) ch. 10.

use faer::Mat;
use rayon::prelude::*;

use crate::error::MrioError;
use crate::table::{Extension, Mrio};

/// All accounts of one extension.
#[derive(Clone, Debug)]
pub struct ExtensionAccounts {
    /// Extension name.
    pub name: String,
    /// Row labels.
    pub rows: Vec<String>,
    /// `S`, k × N.
    pub s: Mat<f64>,
    /// `S_Y`, k × R·K, when the extension has `F_Y`.
    pub s_y: Option<Mat<f64>>,
    /// `M = S·L`, k × N.
    pub m: Mat<f64>,
    /// `D_cba`, k × N (columns: consuming region × product).
    pub d_cba: Mat<f64>,
    /// `D_pba`, k × N (columns: producing industry).
    pub d_pba: Mat<f64>,
    /// `D_imp`, k × N (columns: consuming region × product).
    pub d_imp: Mat<f64>,
    /// `D_exp`, k × N (columns: producing industry).
    pub d_exp: Mat<f64>,
    /// `D_cba_reg`, k × R.
    pub d_cba_reg: Mat<f64>,
    /// `D_pba_reg`, k × R.
    pub d_pba_reg: Mat<f64>,
    /// `D_imp_reg`, k × R.
    pub d_imp_reg: Mat<f64>,
    /// `D_exp_reg`, k × R.
    pub d_exp_reg: Mat<f64>,
    /// Per-capita accounts (cba, pba, imp, exp), k × R each, when the table has population.
    pub per_capita: Option<[Mat<f64>; 4]>,
}

fn scale_columns(f: &Mat<f64>, divisor: &[f64]) -> Mat<f64> {
    // pymrio `calc_A`: multiply by 1/divisor, with 1/0 set to 0.
    let recip: Vec<f64> = divisor.iter().map(|&d| if d == 0.0 { 0.0 } else { 1.0 / d }).collect();
    Mat::from_fn(f.nrows(), f.ncols(), |i, j| f[(i, j)] * recip[j])
}

fn sum_columns_by_region(d: &Mat<f64>, n_regions: usize, width: usize) -> Mat<f64> {
    Mat::from_fn(d.nrows(), n_regions, |f, r| (r * width..(r + 1) * width).map(|j| d[(f, j)]).sum())
}

/// Computes every pymrio account of `extension`, given the full Leontief inverse `l`.
pub fn extension_accounts(mrio: &Mrio, l: &Mat<f64>, extension: &Extension) -> Result<ExtensionAccounts, MrioError> {
    let n = mrio.n_industries();
    let n_regions = mrio.n_regions();
    let n_sectors = mrio.n_sectors();
    let n_cat = mrio.final_demand_categories().len();
    if l.nrows() != n || l.ncols() != n {
        return Err(MrioError::Shape {
            what: "L".into(),
            expected: format!("{n} × {n}"),
            found: format!("{} × {}", l.nrows(), l.ncols()),
        });
    }
    let k = extension.f.nrows();
    // S = F·diag(x)⁻¹ (pymrio calc_S).
    let s = scale_columns(&extension.f, mrio.x());
    // S_Y = F_Y·diag(1'Y)⁻¹ (pymrio calc_S_Y with y = Y.sum(axis=0)).
    let s_y = extension.f_y.as_ref().map(|f_y| {
        let y_col_sums: Vec<f64> = (0..mrio.y().ncols()).map(|c| mrio.y().col_as_slice(c).iter().sum()).collect();
        scale_columns(f_y, &y_col_sums)
    });
    // M = S·L (pymrio calc_M).
    let m = &s * l;
    let y_agg = mrio.final_demand_by_region();
    // x_diag[:, (r, s)] = Σ_i L[:, (i, s)] · Y_agg[(i, s), r]  (pymrio calc_accounts).
    let mut x_diag = Mat::<f64>::zeros(n, n);
    {
        let columns: Vec<Vec<f64>> = (0..n)
            .into_par_iter()
            .map(|col| {
                let (r, sec) = (col / n_sectors, col % n_sectors);
                let mut out = vec![0.0; n];
                for i in 0..n_regions {
                    let src = i * n_sectors + sec;
                    let weight = y_agg[(src, r)];
                    if weight != 0.0 {
                        for (o, &lv) in out.iter_mut().zip(l.col_as_slice(src)) {
                            *o += lv * weight;
                        }
                    }
                }
                out
            })
            .collect();
        for (col, values) in columns.into_iter().enumerate() {
            x_diag.col_as_slice_mut(col).copy_from_slice(&values);
        }
    }
    // D_cba = S·x_diag.
    let d_cba = &s * &x_diag;
    // x_tot = x_diag·1; D_pba = S·diag(x_tot).
    let mut x_tot = vec![0.0; n];
    // x_trade: x_diag with the consuming region's own rows zeroed; x_exp = x_trade·1.
    let mut x_trade = x_diag.clone();
    for col in 0..n {
        let r = col / n_sectors;
        let values = x_trade.col_as_slice_mut(col);
        for (acc, v) in x_tot.iter_mut().zip(values.iter()) {
            *acc += v;
        }
        for v in &mut values[r * n_sectors..(r + 1) * n_sectors] {
            *v = 0.0;
        }
    }
    let mut x_exp = vec![0.0; n];
    for col in 0..n {
        for (acc, v) in x_exp.iter_mut().zip(x_trade.col_as_slice(col)) {
            *acc += v;
        }
    }
    let d_pba = Mat::from_fn(k, n, |f, j| s[(f, j)] * x_tot[j]);
    let d_imp = &s * &x_trade;
    let d_exp = Mat::from_fn(k, n, |f, j| s[(f, j)] * x_exp[j]);
    let f_y_agg = extension.f_y.as_ref().map(|f_y| sum_columns_by_region(f_y, n_regions, n_cat));
    let add_f_y = |mut d: Mat<f64>| {
        if let Some(fy) = &f_y_agg {
            for f in 0..k {
                for r in 0..n_regions {
                    d[(f, r)] += fy[(f, r)];
                }
            }
        }
        d
    };
    let d_cba_reg = add_f_y(sum_columns_by_region(&d_cba, n_regions, n_sectors));
    let d_pba_reg = add_f_y(sum_columns_by_region(&d_pba, n_regions, n_sectors));
    let d_imp_reg = sum_columns_by_region(&d_imp, n_regions, n_sectors);
    let d_exp_reg = sum_columns_by_region(&d_exp, n_regions, n_sectors);
    let per_capita = mrio.population().map(|pop| {
        let per = |d: &Mat<f64>| Mat::from_fn(k, n_regions, |f, r| d[(f, r)] / pop[r]);
        [per(&d_cba_reg), per(&d_pba_reg), per(&d_imp_reg), per(&d_exp_reg)]
    });
    Ok(ExtensionAccounts {
        name: extension.name.clone(),
        rows: extension.rows.clone(),
        s,
        s_y,
        m,
        d_cba,
        d_pba,
        d_imp,
        d_exp,
        d_cba_reg,
        d_pba_reg,
        d_imp_reg,
        d_exp_reg,
        per_capita,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leontief::Leontief;
    use crate::table::tests::small_table;
    use crate::table::ExtensionTable;

    #[test]
    fn footprints_of_value_added_add_up_to_world_value_added() {
        let mut table = small_table();
        let mrio0 = Mrio::new(table.clone()).unwrap();
        table.extensions.push(ExtensionTable {
            name: "factor_inputs".into(),
            rows: vec!["Value Added".into()],
            units: vec!["USD millions".into()],
            f: mrio0.value_added(),
            f_y: None,
        });
        let mrio = Mrio::new(table).unwrap();
        let l = Leontief::new(&mrio).unwrap().inverse();
        let acc = extension_accounts(&mrio, &l, mrio.extension("factor_inputs").unwrap()).unwrap();
        // Residual value added: every unit of final demand is a unit of value added,
        // so M = 1 and each region's footprint equals its final demand.
        for j in 0..4 {
            assert!((acc.m[(0, j)] - 1.0).abs() < 1e-12);
        }
        let y_agg = mrio.final_demand_by_region();
        for r in 0..2 {
            let demand: f64 = (0..4).map(|i| y_agg[(i, r)]).sum();
            assert!((acc.d_cba_reg[(0, r)] - demand).abs() < 1e-9 * demand);
        }
        // Production-based accounts reproduce F when x = L·Y·1.
        for j in 0..4 {
            assert!((acc.d_pba[(0, j)] - mrio.value_added()[j]).abs() < 1e-9 * mrio.x()[j]);
        }
        // Imports + domestic = footprint; world exports of factor content = world imports.
        let imp: f64 = (0..2).map(|r| acc.d_imp_reg[(0, r)]).sum();
        let exp: f64 = (0..2).map(|r| acc.d_exp_reg[(0, r)]).sum();
        assert!((imp - exp).abs() < 1e-9 * imp);
    }
}
