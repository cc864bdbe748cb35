//! Value added in trade: bilateral gross exports, value added by origin embodied in any
//! demand vector, an origin country's exposure through an importer's suppliers, and the
//! Borin & Mancini (2019) source-based decomposition of bilateral gross exports.
//!
//! # Notation
//! Countries `s` (exporter), `r` (importer), `t` (origin of value added); `B = L =
//! (I − A)⁻¹` the global Leontief inverse; `B_ts` its (t, s) block (S × S); `v` the
//! value-added coefficients, `v_t` their block for country t.
//!
//! * Gross exports of s to r by sector (Koopman, Wang & Wei 2014, sect. I.A):
//!   `e_sr = A_sr·x_r + y_sr = Z_sr·1 + Y_sr·1`, intermediate plus final.
//! * Value added by origin industry embodied in a vector `e` of gross exports or final
//!   demand (Johnson & Noguera 2012, sect. 2, value added by source; Koopman, Wang & Wei 2014,
//!   sect. I, the value-added share matrix `VB = diag(v)·B`):
//!   `diag(v)·L·e`. Its total equals `1'e` because `v'L = 1'`.
//!
//! # Borin & Mancini (2019), exporting-country perspective, source-based
//! Let `A^{s*}` be `A` with country s's export blocks `A_sj (j ≠ s)` set to zero and
//! `B^{s*} = (I − A^{s*})⁻¹` ("extraction"). Then for each exporting sector k of s:
//!
//! | term | definition |
//! |---|---|
//! | DVA | `v_s·B^{s*}_ss·e_sr` = `v_s·L_ss·e_sr`, `L_ss = (I − A_ss)⁻¹` the local inverse |
//! | DDC | `v_s·(B_ss − L_ss)·e_sr`: domestic VA already counted in an earlier export of s |
//! | FVA_t | `v_t·B^{s*}_ts·e_sr`, origin t ≠ s |
//! | FDC_t | `v_t·(B_ts − B^{s*}_ts)·e_sr` |
//!
//! and `DVA + DDC + Σ_t (FVA_t + FDC_t) = v'·B_·s·e_sr = 1'e_sr`: the four parts add up
//! to gross exports exactly (to rounding) for every pair and every sector, because
//! `v'B = 1'` when `v = 1 − 1'A`. This is the Borin & Mancini (2019) decomposition from
//! the exporting-country perspective, source-based variant (value added is recorded the
//! first time it leaves its country), the one used for TiVA-style bilateral indicators.
//! The terms match R `exvatools::make_exvadec(method = "bm_src")` (DVA = `Vs·Bx_ss·EXGR`,
//! DDC = `Vs·(B_ss − Bx_ss)·EXGR`, FVA = `Σ Vt·Bx_ts·EXGR`, FDC = `Σ Vt·(B_ts − Bx_ts)·EXGR`,
//! `Bx` the extraction inverse), whose code was read to confirm them.
//!
//! `B^{s*}_ts` is not formed by inverting a new matrix per exporter. From
//! `(I − A)·B = I`, column block s gives `B_{−s,s} = (I − A_{−s,−s})⁻¹·A_{−s,s}·B_ss`,
//! while block-triangular inversion of `I − A^{s*}` gives
//! `B^{s*}_{−s,s} = (I − A_{−s,−s})⁻¹·A_{−s,s}·L_ss`. Hence
//! `B^{s*}_ts = B_ts·B_ss⁻¹·L_ss`, which needs only S × S work per exporter. A unit test
//! checks this identity against the explicit extraction inverse.
//!
//! Assumptions: the exporting-country perspective (double counting measured against
//! country s's own export flows); value added as the residual `x − Z'1` unless the table
//! has a VA row (then the parts sum to `v'B_·s·e`, which differs from gross exports by
//! the taxes and margins the VA row leaves out).
//!
//! References: Leontief (1936); Miller & Blair (2009); Johnson, R. C. & Noguera, G. (2012)
//! "Accounting for intermediates: Production sharing and trade in value added", *Journal
//! of International Economics* 86(2); Koopman, R., Wang, Z. & Wei, S.-J. (2014) "Tracing
//! value-added and double counting in gross exports", *American Economic Review*
//! 104(2); Borin, A. & Mancini, M. (2019) "Measuring What Matters in Global Value Chains
//! and Value-Added Trade", World Bank Policy Research Working Paper 8804.

use faer::linalg::solvers::Solve;
use faer::Mat;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::MrioError;
use crate::leontief::Leontief;
use crate::table::Mrio;

/// Bilateral gross exports `e_sr` by exporting industry (N × R): entry
/// `[(s, k), r]` is sector k of s's sales to r, intermediate (`Σ_{j∈r} Z`) plus final
/// (`Σ_{c∈r} Y`); zero where r = s (Koopman, Wang & Wei 2014, sect. I.A; pymrio
/// `calc_gross_trade` `bilat_flows`).
pub fn gross_exports(mrio: &Mrio) -> Mat<f64> {
    let n = mrio.n_industries();
    let n_sectors = mrio.n_sectors();
    let n_cat = mrio.final_demand_categories().len();
    let (z, y) = (mrio.z(), mrio.y());
    let columns: Vec<Vec<f64>> = (0..mrio.n_regions())
        .into_par_iter()
        .map(|r| {
            let mut col = vec![0.0; n];
            for j in r * n_sectors..(r + 1) * n_sectors {
                for (c, v) in col.iter_mut().zip(z.col_as_slice(j)) {
                    *c += v;
                }
            }
            for fd in r * n_cat..(r + 1) * n_cat {
                for (c, v) in col.iter_mut().zip(y.col_as_slice(fd)) {
                    *c += v;
                }
            }
            // Sales inside the importer's own country are not exports.
            for c in &mut col[r * n_sectors..(r + 1) * n_sectors] {
                *c = 0.0;
            }
            col
        })
        .collect();
    Mat::from_fn(n, mrio.n_regions(), |i, r| columns[r][i])
}

/// `diag(v)·L·e`: value added by origin industry embodied in `e` (gross exports or final
/// demand), by one LU solve (Johnson & Noguera 2012, sect. 2; Koopman, Wang & Wei 2014,
/// sect. I, `VB·e`).
pub fn va_by_origin(leontief: &Leontief, v: &[f64], e: &[f64]) -> Result<Vec<f64>, MrioError> {
    let le = leontief.solve(e)?;
    Ok(le.iter().zip(v).map(|(a, b)| a * b).collect())
}

/// Sums an N-vector by region (R values).
pub fn sum_by_region(mrio: &Mrio, values: &[f64]) -> Vec<f64> {
    let s = mrio.n_sectors();
    (0..mrio.n_regions()).map(|r| values[r * s..(r + 1) * s].iter().sum()).collect()
}

/// Value added by origin **country** in every bilateral gross-export flow, without the
/// full inverse: an R × R² matrix whose entry (c, s·R + r) is the value added of country
/// c's industries embodied in s's gross exports to r, Σ_{k∈c} v_k (L e_sr)_k.
///
/// With V the N × R matrix holding v_k in column c for k ∈ c, the entries are V'·L·E =
/// Y'·E where (I − A)'·Y = V: R transposed solves against the LU of I − A (Miller & Blair
/// 2009, ch. 6, multipliers) instead of N for the inverse, then an R × N by N × R² product.
/// Equal to [`va_in_all_bilateral_exports`] summed over each country's industries.
pub fn va_by_origin_country_in_all_bilateral_exports(mrio: &Mrio, leontief: &Leontief, v: &[f64], exports: &Mat<f64>) -> Result<Mat<f64>, MrioError> {
    let n = mrio.n_industries();
    let n_regions = mrio.n_regions();
    let n_sectors = mrio.n_sectors();
    let rhs = Mat::from_fn(n, n_regions, |k, c| if k / n_sectors == c { v[k] } else { 0.0 });
    let y = leontief.solve_transpose_matrix(rhs)?;
    // e_sr lives on s's industries only: exporter by exporter, Y_s' (R × S) · E_s (S × R).
    let mut out = Mat::<f64>::zeros(n_regions, n_regions * n_regions);
    for s in 0..n_regions {
        let rows = s * n_sectors;
        let mut block = Mat::<f64>::zeros(n_regions, n_regions);
        faer::linalg::matmul::matmul(
            block.as_mut(),
            faer::Accum::Replace,
            y.as_ref().subrows(rows, n_sectors).transpose(),
            exports.as_ref().subrows(rows, n_sectors),
            1.0,
            faer::Par::Seq,
        );
        for r in 0..n_regions {
            for c in 0..n_regions {
                out[(c, s * n_regions + r)] = block[(c, r)];
            }
        }
    }
    Ok(out)
}

/// Value added by origin industry in every bilateral gross-export flow, from the full
/// inverse `l`: an N × R² matrix whose column `s·R + r` is `diag(v)·L·e_sr`, where `e_sr`
/// is column r of [`gross_exports`] restricted to s's industries (zero for r = s).
///
/// Computed exporter by exporter as `diag(v)·L_{·s}·E_s` (N × S times S × R), in parallel.
pub fn va_in_all_bilateral_exports(mrio: &Mrio, l: &Mat<f64>, v: &[f64], exports: &Mat<f64>) -> Mat<f64> {
    let n = mrio.n_industries();
    let n_regions = mrio.n_regions();
    let n_sectors = mrio.n_sectors();
    let mut out = Mat::<f64>::zeros(n, n_regions * n_regions);
    let blocks: Vec<Mat<f64>> = (0..n_regions)
        .into_par_iter()
        .map(|s| {
            let cols = s * n_sectors..(s + 1) * n_sectors;
            // L_{·s}·E_s, then scale rows by v.
            let l_s = l.as_ref().subcols(cols.start, n_sectors);
            let e_s = exports.as_ref().subrows(cols.start, n_sectors);
            let mut block = Mat::<f64>::zeros(n, n_regions);
            faer::linalg::matmul::matmul(block.as_mut(), faer::Accum::Replace, l_s, e_s, 1.0, faer::Par::Seq);
            for r in 0..n_regions {
                for (x, &vi) in block.col_as_slice_mut(r).iter_mut().zip(v) {
                    *x *= vi;
                }
            }
            block
        })
        .collect();
    for (s, block) in blocks.into_iter().enumerate() {
        for r in 0..n_regions {
            out.col_as_slice_mut(s * n_regions + r).copy_from_slice(block.col_as_slice(r));
        }
    }
    out
}

/// One exporter's row in an [`Exposure`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExposureRoute {
    /// Exporting region.
    pub exporter: String,
    /// Whether the exporter is the origin itself (its own value added in its own exports)
    /// rather than a third country carrying the origin's value added.
    pub direct: bool,
    /// Gross exports of the exporter to the importer.
    pub gross_exports: f64,
    /// The origin's value added in them.
    pub origin_va: f64,
    /// `100 · origin_va / gross_exports` (0 when there are no exports).
    pub share_pct: f64,
    /// The origin's value added by the exporter's sector (S values).
    pub origin_va_by_sector: Vec<f64>,
}

/// An origin country's value added in an importer's imports from each exporter.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    /// Origin of the value added.
    pub origin: String,
    /// Importing region.
    pub importer: String,
    /// One row per exporter other than the importer, in table order.
    pub routes: Vec<ExposureRoute>,
    /// Σ origin_va over routes.
    pub total_origin_va: f64,
    /// Σ gross exports over routes (the importer's total imports in the table).
    pub total_imports: f64,
}

/// The origin's value added in `importer`'s imports from each exporter, direct (the
/// origin's own exports) and through third countries: for exporter i,
/// `Σ_{o∈origin} v_o [L·e_{i→d}]_o` (Johnson & Noguera 2012, sect. 2, restricted to one
/// origin). Needs one transposed LU solve: `m' = (v∘1_origin)'·L`, then `m'·e_{i→d}`.
pub fn exposure(
    mrio: &Mrio,
    leontief: &Leontief,
    v: &[f64],
    exports: &Mat<f64>,
    origin: &str,
    importer: &str,
) -> Result<Exposure, MrioError> {
    let o = mrio.region_index(origin)?;
    let d = mrio.region_index(importer)?;
    if o == d {
        return Err(MrioError::Invalid {
            message: format!(
                "origin and importer are both `{}`; exposure is the origin's value added in another country's imports",
                mrio.regions()[o]
            ),
        });
    }
    let n_sectors = mrio.n_sectors();
    let mut masked = vec![0.0; mrio.n_industries()];
    masked[o * n_sectors..(o + 1) * n_sectors].copy_from_slice(&v[o * n_sectors..(o + 1) * n_sectors]);
    // m' = (v ∘ 1_origin)'·L: the origin's value added per unit of each industry's output
    // delivered to final or export use.
    let m = leontief.solve_transpose(&masked)?;
    let mut routes = Vec::new();
    for i in 0..mrio.n_regions() {
        if i == d {
            continue;
        }
        let rows = i * n_sectors..(i + 1) * n_sectors;
        let by_sector: Vec<f64> = rows.clone().map(|k| m[k] * exports[(k, d)]).collect();
        let gross: f64 = rows.map(|k| exports[(k, d)]).sum();
        let va: f64 = by_sector.iter().sum();
        routes.push(ExposureRoute {
            exporter: mrio.regions()[i].clone(),
            direct: i == o,
            gross_exports: gross,
            origin_va: va,
            share_pct: if gross == 0.0 { 0.0 } else { 100.0 * va / gross },
            origin_va_by_sector: by_sector,
        });
    }
    Ok(Exposure {
        origin: mrio.regions()[o].clone(),
        importer: mrio.regions()[d].clone(),
        total_origin_va: routes.iter().map(|r| r.origin_va).sum(),
        total_imports: routes.iter().map(|r| r.gross_exports).sum(),
        routes,
    })
}

/// Per-unit Borin & Mancini coefficients of one exporting country: multiply by a sector's
/// gross exports to get that sector's decomposition.
#[derive(Clone, Debug)]
pub struct ExporterCoefficients {
    /// Exporter index.
    pub exporter: usize,
    /// DVA per unit, by exporting sector: `v_s'·L_ss` (S).
    pub dva: Vec<f64>,
    /// DDC per unit: `v_s'·(B_ss − L_ss)` (S).
    pub ddc: Vec<f64>,
    /// FVA per unit by origin t (rows) and exporting sector (columns): `v_t'·B^{s*}_ts`
    /// (R × S; row s is zero).
    pub fva: Mat<f64>,
    /// FDC per unit: `v_t'·(B_ts − B^{s*}_ts)` (R × S; row s is zero).
    pub fdc: Mat<f64>,
}

impl ExporterCoefficients {
    /// Coefficients of exporter `s` from `l_cols = L_{·s}` (N × S, e.g.
    /// [`Leontief::columns`] or a slice of the full inverse), `A` and `v`.
    pub fn new(mrio: &Mrio, a: &Mat<f64>, v: &[f64], s: usize, l_cols: faer::MatRef<'_, f64>) -> ExporterCoefficients {
        let n_regions = mrio.n_regions();
        let n_sectors = mrio.n_sectors();
        let off = s * n_sectors;
        // L_ss = (I − A_ss)⁻¹, the local (domestic) Leontief inverse.
        let i_minus_a_ss =
            Mat::from_fn(n_sectors, n_sectors, |i, j| (if i == j { 1.0 } else { 0.0 }) - a[(off + i, off + j)]);
        let l_ss = {
            let mut id = Mat::<f64>::identity(n_sectors, n_sectors);
            i_minus_a_ss.partial_piv_lu().solve_in_place(id.as_mut());
            id
        };
        // Q_s = B_ss⁻¹·L_ss, so that B^{s*}_ts = B_ts·Q_s.
        let b_ss = l_cols.subrows(off, n_sectors).to_owned();
        let mut q = l_ss.clone();
        b_ss.partial_piv_lu().solve_in_place(q.as_mut());
        // vb[t, k] = Σ_{o∈t} v_o B_(o, (s,k)): value added of country t per unit of s's sector k.
        let vb = Mat::from_fn(n_regions, n_sectors, |t, k| {
            let col = l_cols.col(k);
            (t * n_sectors..(t + 1) * n_sectors).map(|o| v[o] * col[o]).sum::<f64>()
        });
        // dva_k = Σ_i v_(s,i) L_ss[i, k].
        let dva: Vec<f64> =
            (0..n_sectors).map(|k| (0..n_sectors).map(|i| v[off + i] * l_ss[(i, k)]).sum()).collect();
        let ddc: Vec<f64> = (0..n_sectors).map(|k| vb[(s, k)] - dva[k]).collect();
        // fva[t, ·] = vb[t, ·]·Q_s for t ≠ s.
        let mut fva = &vb * &q;
        let mut fdc = Mat::from_fn(n_regions, n_sectors, |t, k| vb[(t, k)] - fva[(t, k)]);
        for k in 0..n_sectors {
            fva[(s, k)] = 0.0;
            fdc[(s, k)] = 0.0;
        }
        ExporterCoefficients { exporter: s, dva, ddc, fva, fdc }
    }
}

/// The Borin & Mancini (2019) source-based decomposition of one bilateral flow (all
/// sectors, or one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BilateralDecomposition {
    /// Exporting region.
    pub exporter: String,
    /// Importing region.
    pub importer: String,
    /// The exporting sector, or `None` for all sectors.
    pub sector: Option<String>,
    /// Gross exports.
    pub gross_exports: f64,
    /// Domestic value added (DVA).
    pub domestic_va: f64,
    /// Domestic double counting (DDC).
    pub domestic_double_counting: f64,
    /// Foreign value added by origin region (R values, zero for the exporter).
    pub foreign_va_by_origin: Vec<f64>,
    /// Foreign double counting by origin region (R values, zero for the exporter).
    pub foreign_double_counting_by_origin: Vec<f64>,
    /// Region codes, aligned with the two vectors above.
    pub origins: Vec<String>,
}

impl BilateralDecomposition {
    /// Σ FVA.
    pub fn foreign_va(&self) -> f64 {
        self.foreign_va_by_origin.iter().sum()
    }

    /// Σ FDC.
    pub fn foreign_double_counting(&self) -> f64 {
        self.foreign_double_counting_by_origin.iter().sum()
    }

    /// DVA + DDC + FVA + FDC, which equals gross exports.
    pub fn total(&self) -> f64 {
        self.domestic_va + self.domestic_double_counting + self.foreign_va() + self.foreign_double_counting()
    }
}

/// Borin & Mancini coefficients for every exporter, from the full inverse.
#[derive(Clone, Debug)]
pub struct BorinMancini {
    exporters: Vec<ExporterCoefficients>,
}

impl BorinMancini {
    /// Coefficients of all exporters (parallel over exporters), given the full inverse `l`.
    pub fn new(mrio: &Mrio, a: &Mat<f64>, v: &[f64], l: &Mat<f64>) -> BorinMancini {
        let n_sectors = mrio.n_sectors();
        let exporters = (0..mrio.n_regions())
            .into_par_iter()
            .map(|s| ExporterCoefficients::new(mrio, a, v, s, l.as_ref().subcols(s * n_sectors, n_sectors)))
            .collect();
        BorinMancini { exporters }
    }

    /// Coefficients of one exporter only, from `S` column solves (no full inverse).
    pub fn for_exporter(mrio: &Mrio, leontief: &Leontief, v: &[f64], exporter: &str) -> Result<ExporterCoefficients, MrioError> {
        let s = mrio.region_index(exporter)?;
        let n_sectors = mrio.n_sectors();
        let cols = leontief.columns(s * n_sectors..(s + 1) * n_sectors);
        Ok(ExporterCoefficients::new(mrio, leontief.a(), v, s, cols.as_ref()))
    }

    /// The coefficients of exporter index `s`.
    pub fn exporter(&self, s: usize) -> &ExporterCoefficients {
        &self.exporters[s]
    }
}

/// Decomposes exporter → importer gross exports (one sector or all) with the exporter's
/// coefficients. `exports` is [`gross_exports`].
pub fn decompose_bilateral(
    mrio: &Mrio,
    coefficients: &ExporterCoefficients,
    exports: &Mat<f64>,
    importer: &str,
    sector: Option<&str>,
) -> Result<BilateralDecomposition, MrioError> {
    let s = coefficients.exporter;
    let r = mrio.region_index(importer)?;
    if r == s {
        return Err(MrioError::Invalid {
            message: format!("exporter and importer are both `{}`; a bilateral flow needs two regions", mrio.regions()[s]),
        });
    }
    let n_sectors = mrio.n_sectors();
    let sectors: Vec<usize> = match sector {
        Some(code) => vec![mrio.sector_index(code)?],
        None => (0..n_sectors).collect(),
    };
    let n_regions = mrio.n_regions();
    let mut out = BilateralDecomposition {
        exporter: mrio.regions()[s].clone(),
        importer: mrio.regions()[r].clone(),
        sector: sector.map(|_| mrio.sectors()[sectors[0]].clone()),
        gross_exports: 0.0,
        domestic_va: 0.0,
        domestic_double_counting: 0.0,
        foreign_va_by_origin: vec![0.0; n_regions],
        foreign_double_counting_by_origin: vec![0.0; n_regions],
        origins: mrio.regions().to_vec(),
    };
    for &k in &sectors {
        let e = exports[(s * n_sectors + k, r)];
        out.gross_exports += e;
        out.domestic_va += coefficients.dva[k] * e;
        out.domestic_double_counting += coefficients.ddc[k] * e;
        for t in 0..n_regions {
            out.foreign_va_by_origin[t] += coefficients.fva[(t, k)] * e;
            out.foreign_double_counting_by_origin[t] += coefficients.fdc[(t, k)] * e;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leontief::{value_added_coefficients, Leontief};
    use crate::table::{Mrio, MrioTable};

    /// A 3-region, 2-sector table with two-way trade in intermediates, so that double
    /// counting is non-zero.
    fn three_region_table() -> MrioTable {
        let z = vec![
            30.0, 12.0, 8.0, 3.0, 5.0, 2.0, //
            10.0, 25.0, 4.0, 6.0, 1.0, 3.0, //
            6.0, 2.0, 40.0, 15.0, 7.0, 4.0, //
            3.0, 5.0, 9.0, 20.0, 2.0, 6.0, //
            4.0, 1.0, 5.0, 2.0, 35.0, 10.0, //
            2.0, 3.0, 1.0, 4.0, 8.0, 22.0,
        ];
        let y = vec![
            60.0, 10.0, 5.0, //
            40.0, 8.0, 6.0, //
            7.0, 70.0, 9.0, //
            5.0, 50.0, 4.0, //
            6.0, 8.0, 80.0, //
            3.0, 5.0, 45.0,
        ];
        MrioTable {
            regions: vec!["AAA".into(), "BBB".into(), "CCC".into()],
            sectors: vec!["s1".into(), "s2".into()],
            final_demand_categories: vec!["fd".into()],
            unit: "USD millions".into(),
            z,
            y,
            ..MrioTable::default()
        }
    }

    #[test]
    fn extraction_shortcut_matches_explicit_inverse() {
        let mrio = Mrio::new(three_region_table()).unwrap();
        let leontief = Leontief::new(&mrio).unwrap();
        let a = leontief.a().clone();
        let v = value_added_coefficients(&mrio, &a);
        let l = leontief.inverse();
        let bm = BorinMancini::new(&mrio, &a, &v, &l);
        for s in 0..3 {
            // A^{s*}: zero s's export blocks, then invert explicitly.
            let a_star = Mat::from_fn(6, 6, |i, j| if i / 2 == s && j / 2 != s { 0.0 } else { a[(i, j)] });
            let b_star = Leontief::from_coefficients(a_star, |j| j.to_string()).unwrap().inverse();
            let coef = bm.exporter(s);
            for k in 0..2 {
                let col = s * 2 + k;
                let dva: f64 = (0..2).map(|i| v[s * 2 + i] * b_star[(s * 2 + i, col)]).sum();
                assert!((coef.dva[k] - dva).abs() < 1e-14, "dva {s} {k}");
                for t in (0..3).filter(|&t| t != s) {
                    let fva: f64 = (0..2).map(|i| v[t * 2 + i] * b_star[(t * 2 + i, col)]).sum();
                    assert!((coef.fva[(t, k)] - fva).abs() < 1e-14, "fva {s} {t} {k}");
                }
            }
            // Column solves give the same coefficients as the full inverse.
            let single = BorinMancini::for_exporter(&mrio, &leontief, &v, &mrio.regions()[s]).unwrap();
            for k in 0..2 {
                assert!((single.ddc[k] - coef.ddc[k]).abs() < 1e-14);
            }
        }
    }

    #[test]
    fn country_origins_without_the_inverse_equal_the_industry_result_summed() {
        let mrio = Mrio::new(three_region_table()).unwrap();
        let leontief = Leontief::new(&mrio).unwrap();
        let v = value_added_coefficients(&mrio, leontief.a());
        let e = gross_exports(&mrio);
        let full = va_in_all_bilateral_exports(&mrio, &leontief.inverse(), &v, &e);
        let by_country = va_by_origin_country_in_all_bilateral_exports(&mrio, &leontief, &v, &e).unwrap();
        assert_eq!((by_country.nrows(), by_country.ncols()), (3, 9));
        for col in 0..9 {
            for c in 0..3 {
                let summed: f64 = (0..2).map(|k| full[(c * 2 + k, col)]).sum();
                assert!((by_country[(c, col)] - summed).abs() < 1e-12 * summed.abs().max(1.0), "origin {c}, flow {col}");
            }
            // Every origin together: all the value added in the flow, which is its gross value.
            let total: f64 = (0..3).map(|c| by_country[(c, col)]).sum();
            let gross: f64 = (0..2).map(|k| e[((col / 3) * 2 + k, col % 3)]).sum();
            assert!((total - gross).abs() < 1e-9 * gross.max(1.0), "flow {col}: {total} vs {gross}");
        }
    }

    #[test]
    fn decomposition_sums_to_gross_exports_and_double_counting_is_positive() {
        let mrio = Mrio::new(three_region_table()).unwrap();
        let leontief = Leontief::new(&mrio).unwrap();
        let v = value_added_coefficients(&mrio, leontief.a());
        let l = leontief.inverse();
        let bm = BorinMancini::new(&mrio, leontief.a(), &v, &l);
        let e = gross_exports(&mrio);
        // AAA_s1 → BBB: Z to BBB's industries (8 + 3) + Y to BBB (10) = 21.
        assert_eq!(e[(0, 1)], 21.0);
        assert_eq!(e[(0, 0)], 0.0);
        for s in 0..3 {
            for r in (0..3).filter(|&r| r != s) {
                let d = decompose_bilateral(&mrio, bm.exporter(s), &e, &mrio.regions()[r], None).unwrap();
                assert!((d.total() - d.gross_exports).abs() < 1e-12 * d.gross_exports);
                assert!(d.domestic_double_counting > 0.0 && d.foreign_double_counting() > 0.0);
                assert_eq!(d.foreign_va_by_origin[s], 0.0);
            }
        }
        let err = decompose_bilateral(&mrio, bm.exporter(0), &e, "AAA", None).unwrap_err();
        assert_eq!(err.to_string(), "exporter and importer are both `AAA`; a bilateral flow needs two regions");
    }

    #[test]
    fn va_by_origin_and_exposure_agree_with_the_full_inverse() {
        let mrio = Mrio::new(three_region_table()).unwrap();
        let leontief = Leontief::new(&mrio).unwrap();
        let v = value_added_coefficients(&mrio, leontief.a());
        let l = leontief.inverse();
        let e = gross_exports(&mrio);
        let all = va_in_all_bilateral_exports(&mrio, &l, &v, &e);
        // BBB → CCC by solve.
        let mut e_bc = vec![0.0; 6];
        e_bc[2] = e[(2, 2)];
        e_bc[3] = e[(3, 2)];
        let va = va_by_origin(&leontief, &v, &e_bc).unwrap();
        for i in 0..6 {
            assert!((va[i] - all[(i, 3 + 2)]).abs() < 1e-12);
        }
        assert!((va.iter().sum::<f64>() - e_bc.iter().sum::<f64>()).abs() < 1e-12);
        // AAA's value added in CCC's imports from BBB equals the AAA rows above.
        let exp = exposure(&mrio, &leontief, &v, &e, "AAA", "CCC").unwrap();
        assert_eq!(exp.routes.len(), 2);
        assert!(exp.routes[0].direct && !exp.routes[1].direct);
        assert!((exp.routes[1].origin_va - (va[0] + va[1])).abs() < 1e-12);
        assert_eq!(
            exposure(&mrio, &leontief, &v, &e, "AAA", "aaa").unwrap_err().to_string(),
            "origin and importer are both `AAA`; exposure is the origin's value added in another country's imports"
        );
    }
}
