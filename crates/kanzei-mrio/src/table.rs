//! The multi-regional input-output table: labels, flows, output, satellite accounts, and
//! the accounting identity that ties them together.
//!
//! Notation (Miller & Blair 2009, ch. 3): `R` regions, `S` sectors, `N = R·S` industries
//! ordered region-major (`region 0 sector 0, region 0 sector 1, …`), `K` final-demand
//! categories per region.
//!
//! | symbol | Rust | shape | meaning |
//! |---|---|---|---|
//! | `Z` | [`Mrio::z`] | N × N | intermediate use, supplier rows, user columns |
//! | `Y` | [`Mrio::y`] | N × R·K | final demand, columns region-major (`region r, category k` at `r·K + k`) |
//! | `x` | [`Mrio::x`] | N | gross output |
//! | `w` | [`Mrio::value_added`] | N | value added (a VA row when the table has one, else `x − Z'1`) |
//! | `F`, `F_Y` | [`Extension`] | k × N, k × R·K | satellite accounts (pymrio's "extensions") |
//!
//! The accounting identity (Miller & Blair 2009, sect. 2.2) is `Z·1 + Y·1 = x`, row by row.
//! Published tables hold it only up to rounding, so [`Mrio::check_identity`] takes a
//! stated [`IdentityTolerance`] and lists every row that fails.
//!
//! References: Leontief, W. (1936) "Quantitative input and output relations in the
//! economic system of the United States", *Review of Economics and Statistics* 18(3);
//! Miller, R. E. & Blair, P. D. (2009) *Input-Output Analysis: Foundations and
//! Extensions*, 2nd ed., Cambridge University Press.

use faer::Mat;
use serde::{Deserialize, Serialize};

use crate::error::MrioError;

pub use kanzei_core::io_table::{ExtensionTable, MrioTable};

/// A satellite account (pymrio "extension"): factor inputs or stressors by industry, and
/// optionally by final-demand column.
#[derive(Clone, Debug)]
pub struct Extension {
    /// Name.
    pub name: String,
    /// Row labels.
    pub rows: Vec<String>,
    /// Unit of each row.
    pub units: Vec<String>,
    /// `F`, rows × N.
    pub f: Mat<f64>,
    /// `F_Y`, rows × R·K.
    pub f_y: Option<Mat<f64>>,
}

/// A checked multi-regional input-output table.
#[derive(Clone, Debug)]
pub struct Mrio {
    regions: Vec<String>,
    sectors: Vec<String>,
    final_demand_categories: Vec<String>,
    unit: String,
    z: Mat<f64>,
    y: Mat<f64>,
    x: Vec<f64>,
    x_given: bool,
    value_added_row: Option<Vec<f64>>,
    extensions: Vec<Extension>,
    population: Option<Vec<f64>>,
}

/// How far a row may miss `Z·1 + Y·1 = x` and still pass: `|gap| <= abs + rel·|x|`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityTolerance {
    /// Absolute slack, in the table's unit.
    pub abs: f64,
    /// Relative slack, as a fraction of the row's output.
    pub rel: f64,
}

impl IdentityTolerance {
    /// `|gap| <= abs + rel·|x|`.
    pub fn new(abs: f64, rel: f64) -> IdentityTolerance {
        IdentityTolerance { abs, rel }
    }

    /// The worst case for a table whose every cell was rounded to a whole unit: each of
    /// the `cells_per_row` cells of a row (intermediate, final and the output itself) is
    /// off by at most 0.5, so the row identity can be off by `0.5 · cells_per_row`.
    /// For WIOD 2013 (1435 + 205 + 1 cells) that is 820.5 USD millions; the published
    /// 2011 table's largest gap is 108.
    pub fn integer_rounding(cells_per_row: usize) -> IdentityTolerance {
        IdentityTolerance { abs: 0.5 * cells_per_row as f64, rel: 0.0 }
    }

    /// Floating-point slack for a table whose output was computed from its flows.
    pub fn floating_point() -> IdentityTolerance {
        IdentityTolerance { abs: 1e-9, rel: 1e-9 }
    }

    fn allows(&self, gap: f64, output: f64) -> bool {
        gap.abs() <= self.abs + self.rel * output.abs()
    }
}

/// One row's identity check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityGap {
    /// Row index (industry index).
    pub index: usize,
    /// `REGION_SECTOR`.
    pub industry: String,
    /// Σ_j Z_ij.
    pub intermediate_use: f64,
    /// Σ_c Y_ic.
    pub final_use: f64,
    /// x_i.
    pub output: f64,
    /// intermediate + final − output.
    pub gap: f64,
}

/// The result of checking `Z·1 + Y·1 = x`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityReport {
    /// The tolerance applied.
    pub tolerance: IdentityTolerance,
    /// Rows checked.
    pub n_rows: usize,
    /// Largest |gap| over all rows.
    pub max_abs_gap: f64,
    /// The industry with the largest |gap|.
    pub max_gap_industry: String,
    /// Rows beyond tolerance, worst first.
    pub failures: Vec<IdentityGap>,
}

impl IdentityReport {
    /// Whether every row is within tolerance.
    pub fn passes(&self) -> bool {
        self.failures.is_empty()
    }

    /// `Ok(self)` when every row passes, else [`MrioError::IdentityFails`] naming the
    /// five worst rows.
    pub fn into_result(self) -> Result<IdentityReport, MrioError> {
        if self.passes() {
            return Ok(self);
        }
        let worst = self
            .failures
            .iter()
            .take(5)
            .map(|g| {
                format!(
                    "`{}`: use {} + {} = {} vs output {} (gap {})",
                    g.industry,
                    g.intermediate_use,
                    g.final_use,
                    g.intermediate_use + g.final_use,
                    g.output,
                    g.gap
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        Err(MrioError::IdentityFails {
            n_failing: self.failures.len(),
            n_rows: self.n_rows,
            abs_tolerance: self.tolerance.abs,
            rel_tolerance: self.tolerance.rel,
            worst,
        })
    }
}

fn check_labels(what: &str, labels: &[String]) -> Result<(), MrioError> {
    if labels.is_empty() {
        return Err(MrioError::Labels { what: what.into(), message: "none given; a table needs at least one".into() });
    }
    for (i, label) in labels.iter().enumerate() {
        if label.trim().is_empty() {
            return Err(MrioError::Labels { what: what.into(), message: format!("label #{} is empty", i + 1) });
        }
        if labels[..i].contains(label) {
            return Err(MrioError::Labels { what: what.into(), message: format!("`{label}` appears twice") });
        }
    }
    Ok(())
}

fn shape_error(what: &str, expected: String, found: usize, row_len: usize) -> MrioError {
    MrioError::Shape {
        what: what.into(),
        expected,
        found: if row_len > 0 && found % row_len == 0 {
            format!("{} values ({} rows of {row_len})", found, found / row_len)
        } else {
            format!("{found} values")
        },
    }
}

impl Mrio {
    /// Checks a table and stores it in column-major matrices.
    ///
    /// Errors: empty or repeated labels, sizes that do not match the labels, non-finite
    /// values, negative gross output ([`MrioError::NegativeOutput`]). The accounting
    /// identity is *not* enforced here; call [`Mrio::check_identity`].
    pub fn new(table: MrioTable) -> Result<Mrio, MrioError> {
        check_labels("regions", &table.regions)?;
        check_labels("sectors", &table.sectors)?;
        check_labels("final-demand categories", &table.final_demand_categories)?;
        let n_regions = table.regions.len();
        let n_sectors = table.sectors.len();
        let n = n_regions * n_sectors;
        let n_fd = n_regions * table.final_demand_categories.len();
        let dims = format!("{n_regions} regions × {n_sectors} sectors");
        if table.z.len() != n * n {
            return Err(shape_error("Z", format!("{n} × {n} = {} values ({dims})", n * n), table.z.len(), n));
        }
        if table.y.len() != n * n_fd {
            return Err(shape_error(
                "Y",
                format!(
                    "{n} × {n_fd} = {} values ({dims}; {n_regions} regions × {} final-demand categories)",
                    n * n_fd,
                    table.final_demand_categories.len()
                ),
                table.y.len(),
                n_fd,
            ));
        }
        let mut mrio = Mrio {
            z: Mat::from_fn(n, n, |i, j| table.z[i * n + j]),
            y: Mat::from_fn(n, n_fd, |i, c| table.y[i * n_fd + c]),
            x: Vec::new(),
            x_given: table.x.is_some(),
            value_added_row: None,
            extensions: Vec::new(),
            population: None,
            regions: table.regions,
            sectors: table.sectors,
            final_demand_categories: table.final_demand_categories,
            unit: table.unit,
        };
        mrio.check_finite("Z", &mrio.z, |m, j| m.industry_label(j))?;
        mrio.check_finite("Y", &mrio.y, |m, c| m.final_demand_label(c))?;
        let x = match table.x {
            Some(x) => {
                if x.len() != n {
                    return Err(shape_error("x", format!("{n} values ({dims})"), x.len(), 0));
                }
                x
            }
            // pymrio `calc_x`: x = Z·1 + Y·1.
            None => (0..n).map(|i| mrio.intermediate_use(i) + mrio.final_use(i)).collect(),
        };
        for (i, &value) in x.iter().enumerate() {
            if !value.is_finite() {
                return Err(MrioError::NotFinite {
                    matrix: "x".into(),
                    row: mrio.industry_label(i),
                    column: "output".into(),
                    value,
                });
            }
            if value < 0.0 {
                return Err(MrioError::NegativeOutput { industry: mrio.industry_label(i), value });
            }
        }
        mrio.x = x;
        if let Some(va) = table.value_added {
            if va.len() != n {
                return Err(shape_error("value added", format!("{n} values ({dims})"), va.len(), 0));
            }
            if let Some((i, &value)) = va.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(MrioError::NotFinite {
                    matrix: "value added".into(),
                    row: "VA".into(),
                    column: mrio.industry_label(i),
                    value,
                });
            }
            mrio.value_added_row = Some(va);
        }
        if let Some(pop) = table.population {
            if pop.len() != n_regions {
                return Err(shape_error("population", format!("{n_regions} values (one per region)"), pop.len(), 0));
            }
            mrio.population = Some(pop);
        }
        for ext in table.extensions {
            mrio.add_extension(ext)?;
        }
        Ok(mrio)
    }

    fn check_finite(
        &self,
        name: &str,
        m: &Mat<f64>,
        col_label: impl Fn(&Mrio, usize) -> String,
    ) -> Result<(), MrioError> {
        for j in 0..m.ncols() {
            for (i, &value) in m.col_as_slice(j).iter().enumerate() {
                if !value.is_finite() {
                    return Err(MrioError::NotFinite {
                        matrix: name.into(),
                        row: self.industry_label(i),
                        column: col_label(self, j),
                        value,
                    });
                }
            }
        }
        Ok(())
    }

    /// Adds a satellite account, checking its sizes.
    pub fn add_extension(&mut self, ext: ExtensionTable) -> Result<(), MrioError> {
        let n = self.n_industries();
        let n_fd = self.y.ncols();
        let k = ext.rows.len();
        let what = format!("F of extension `{}`", ext.name);
        if k == 0 || ext.units.len() != k {
            return Err(MrioError::Labels {
                what: format!("extension `{}`", ext.name),
                message: format!("{} row labels and {} units; expected one unit per row and at least one row", k, ext.units.len()),
            });
        }
        if ext.f.len() != k * n {
            return Err(shape_error(&what, format!("{k} × {n} = {} values", k * n), ext.f.len(), n));
        }
        let f = Mat::from_fn(k, n, |r, j| ext.f[r * n + j]);
        let f_y = match ext.f_y {
            Some(f_y) => {
                if f_y.len() != k * n_fd {
                    return Err(shape_error(
                        &format!("F_Y of extension `{}`", ext.name),
                        format!("{k} × {n_fd} = {} values", k * n_fd),
                        f_y.len(),
                        n_fd,
                    ));
                }
                Some(Mat::from_fn(k, n_fd, |r, c| f_y[r * n_fd + c]))
            }
            None => None,
        };
        if self.extensions.iter().any(|e| e.name == ext.name) {
            return Err(MrioError::Labels { what: "extensions".into(), message: format!("`{}` appears twice", ext.name) });
        }
        self.extensions.push(Extension { name: ext.name, rows: ext.rows, units: ext.units, f, f_y });
        Ok(())
    }

    /// Region codes.
    pub fn regions(&self) -> &[String] {
        &self.regions
    }

    /// Sector codes.
    pub fn sectors(&self) -> &[String] {
        &self.sectors
    }

    /// Final-demand categories (per region).
    pub fn final_demand_categories(&self) -> &[String] {
        &self.final_demand_categories
    }

    /// Unit of monetary values.
    pub fn unit(&self) -> &str {
        &self.unit
    }

    /// `R`.
    pub fn n_regions(&self) -> usize {
        self.regions.len()
    }

    /// `S`.
    pub fn n_sectors(&self) -> usize {
        self.sectors.len()
    }

    /// `N = R·S`.
    pub fn n_industries(&self) -> usize {
        self.regions.len() * self.sectors.len()
    }

    /// `Z`, N × N.
    pub fn z(&self) -> &Mat<f64> {
        &self.z
    }

    /// `Y`, N × R·K.
    pub fn y(&self) -> &Mat<f64> {
        &self.y
    }

    /// `x`, N.
    pub fn x(&self) -> &[f64] {
        &self.x
    }

    /// Whether `x` came with the table (else it was computed as `Z·1 + Y·1`).
    pub fn output_was_given(&self) -> bool {
        self.x_given
    }

    /// Satellite accounts.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// A satellite account by name.
    pub fn extension(&self, name: &str) -> Result<&Extension, MrioError> {
        self.extensions.iter().find(|e| e.name == name).ok_or_else(|| MrioError::UnknownExtension {
            name: name.into(),
            valid: if self.extensions.is_empty() {
                "none".into()
            } else {
                self.extensions.iter().map(|e| e.name.as_str()).collect::<Vec<_>>().join(", ")
            },
        })
    }

    /// Population by region, if the table has it.
    pub fn population(&self) -> Option<&[f64]> {
        self.population.as_deref()
    }

    /// Index of a region code (exact match, then case-insensitive).
    pub fn region_index(&self, code: &str) -> Result<usize, MrioError> {
        let code = code.trim();
        self.regions
            .iter()
            .position(|r| r == code)
            .or_else(|| self.regions.iter().position(|r| r.eq_ignore_ascii_case(code)))
            .ok_or_else(|| MrioError::UnknownRegion { code: code.into(), valid: self.regions.join(", ") })
    }

    /// Index of a sector code (exact match, then case-insensitive).
    pub fn sector_index(&self, code: &str) -> Result<usize, MrioError> {
        let code = code.trim();
        self.sectors
            .iter()
            .position(|s| s == code)
            .or_else(|| self.sectors.iter().position(|s| s.eq_ignore_ascii_case(code)))
            .ok_or_else(|| MrioError::UnknownSector { code: code.into(), valid: self.sectors.join(", ") })
    }

    /// Industry index of (region, sector): `region · S + sector`.
    pub fn industry_index(&self, region: usize, sector: usize) -> usize {
        region * self.n_sectors() + sector
    }

    /// `REGION_SECTOR` label of industry `i`.
    pub fn industry_label(&self, i: usize) -> String {
        let s = self.n_sectors();
        format!("{}_{}", self.regions[i / s], self.sectors[i % s])
    }

    /// `REGION_CATEGORY` label of final-demand column `c`.
    pub fn final_demand_label(&self, c: usize) -> String {
        let k = self.final_demand_categories.len();
        format!("{}_{}", self.regions[c / k], self.final_demand_categories[c % k])
    }

    /// Σ_j Z_ij.
    pub fn intermediate_use(&self, i: usize) -> f64 {
        (0..self.z.ncols()).map(|j| self.z[(i, j)]).sum()
    }

    /// Σ_c Y_ic.
    pub fn final_use(&self, i: usize) -> f64 {
        (0..self.y.ncols()).map(|c| self.y[(i, c)]).sum()
    }

    /// Value added by industry: the table's VA row if it has one, else the residual
    /// `w_j = x_j − Σ_i Z_ij` (Miller & Blair 2009, sect. 2.2, the column identity), which
    /// for WIOD also contains net product taxes and international transport margins.
    pub fn value_added(&self) -> Vec<f64> {
        match &self.value_added_row {
            Some(va) => va.clone(),
            None => (0..self.n_industries())
                .map(|j| self.x[j] - self.z.col_as_slice(j).iter().sum::<f64>())
                .collect(),
        }
    }

    /// Whether value added comes from a published VA row.
    pub fn has_value_added_row(&self) -> bool {
        self.value_added_row.is_some()
    }

    /// Final demand summed over categories, by destination region: N × R
    /// (pymrio's `Y_agg`).
    pub fn final_demand_by_region(&self) -> Mat<f64> {
        let k = self.final_demand_categories.len();
        let n = self.n_industries();
        let mut out = Mat::<f64>::zeros(n, self.n_regions());
        for r in 0..self.n_regions() {
            for c in 0..k {
                let src = self.y.col_as_slice(r * k + c);
                let dst = out.col_as_slice_mut(r);
                for i in 0..n {
                    dst[i] += src[i];
                }
            }
        }
        out
    }

    /// Checks `Z·1 + Y·1 = x` row by row (Miller & Blair 2009, sect. 2.2). Never fails;
    /// see [`IdentityReport::into_result`].
    pub fn check_identity(&self, tolerance: IdentityTolerance) -> IdentityReport {
        let n = self.n_industries();
        // Row sums of column-major matrices: accumulate column by column.
        let mut inter = vec![0.0; n];
        for j in 0..n {
            for (acc, v) in inter.iter_mut().zip(self.z.col_as_slice(j)) {
                *acc += v;
            }
        }
        let mut fin = vec![0.0; n];
        for c in 0..self.y.ncols() {
            for (acc, v) in fin.iter_mut().zip(self.y.col_as_slice(c)) {
                *acc += v;
            }
        }
        let mut failures = Vec::new();
        let mut max_abs_gap = 0.0_f64;
        let mut max_idx = 0;
        for i in 0..n {
            let gap = inter[i] + fin[i] - self.x[i];
            if gap.abs() > max_abs_gap {
                max_abs_gap = gap.abs();
                max_idx = i;
            }
            if !tolerance.allows(gap, self.x[i]) {
                failures.push(IdentityGap {
                    index: i,
                    industry: self.industry_label(i),
                    intermediate_use: inter[i],
                    final_use: fin[i],
                    output: self.x[i],
                    gap,
                });
            }
        }
        failures.sort_by(|a, b| b.gap.abs().total_cmp(&a.gap.abs()));
        IdentityReport {
            tolerance,
            n_rows: n,
            max_abs_gap,
            max_gap_industry: self.industry_label(max_idx),
            failures,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Miller & Blair (2009), Table 2.3 style two-region, two-sector example with made-up
    /// but consistent numbers: x = Z·1 + Y·1 holds exactly.
    pub(crate) fn small_table() -> MrioTable {
        MrioTable {
            regions: vec!["AAA".into(), "BBB".into()],
            sectors: vec!["s1".into(), "s2".into()],
            final_demand_categories: vec!["hh".into()],
            unit: "USD millions".into(),
            z: vec![
                150.0, 500.0, 50.0, 25.0, //
                200.0, 100.0, 25.0, 75.0, //
                40.0, 25.0, 200.0, 300.0, //
                10.0, 60.0, 100.0, 50.0,
            ],
            y: vec![
                1000.0, 275.0, //
                600.0, 100.0, //
                200.0, 1235.0, //
                80.0, 700.0,
            ],
            x: None,
            value_added: None,
            extensions: Vec::new(),
            population: None,
        }
    }

    #[test]
    fn output_is_computed_and_identity_holds() {
        let mrio = Mrio::new(small_table()).unwrap();
        assert_eq!(mrio.x(), &[2000.0, 1100.0, 2000.0, 1000.0]);
        let report = mrio.check_identity(IdentityTolerance::floating_point());
        assert!(report.passes());
        assert_eq!(report.max_abs_gap, 0.0);
        // w = x − Z'1: 2000 − 400, 1100 − 685, 2000 − 375, 1000 − 450.
        assert_eq!(mrio.value_added(), vec![1600.0, 415.0, 1625.0, 550.0]);
    }

    #[test]
    fn identity_failures_are_listed_worst_first() {
        let mut table = small_table();
        table.x = Some(vec![2000.0, 1090.0, 2030.0, 1000.0]);
        let mrio = Mrio::new(table).unwrap();
        let report = mrio.check_identity(IdentityTolerance::new(5.0, 0.0));
        assert_eq!(report.failures.len(), 2);
        assert_eq!(report.failures[0].industry, "BBB_s1");
        assert_eq!(report.failures[0].gap, -30.0);
        assert_eq!(report.failures[1].industry, "AAA_s2");
        let err = report.into_result().unwrap_err();
        assert_eq!(
            err.to_string(),
            "accounting identity intermediate + final use = output fails for 2 of 4 rows beyond tolerance |gap| <= 5 + 0·|x|; worst: `BBB_s1`: use 565 + 1435 = 2000 vs output 2030 (gap -30); `AAA_s2`: use 400 + 700 = 1100 vs output 1090 (gap 10)"
        );
    }

    #[test]
    fn negative_output_and_bad_shapes_are_errors() {
        let mut table = small_table();
        table.x = Some(vec![2000.0, -5.0, 2000.0, 1000.0]);
        assert_eq!(
            Mrio::new(table).unwrap_err().to_string(),
            "gross output `x` of `AAA_s2` is -5; output must be >= 0 (a negative output usually means a sign error or a misaligned row in the source table)"
        );
        let mut table = small_table();
        table.z.pop();
        assert_eq!(
            Mrio::new(table).unwrap_err().to_string(),
            "`Z` has 15 values; expected 4 × 4 = 16 values (2 regions × 2 sectors)"
        );
        let mut table = small_table();
        table.y[3] = f64::NAN;
        assert_eq!(
            Mrio::new(table).unwrap_err().to_string(),
            "`Y` row `AAA_s2`, column `BBB_hh`: NaN is not a finite number"
        );
        let mut table = small_table();
        table.sectors[1] = "s1".into();
        assert_eq!(Mrio::new(table).unwrap_err().to_string(), "sectors: `s1` appears twice");
    }

    #[test]
    fn unknown_codes_list_valid_ones() {
        let mrio = Mrio::new(small_table()).unwrap();
        assert_eq!(mrio.region_index("bbb").unwrap(), 1);
        assert_eq!(mrio.sector_index("s2").unwrap(), 1);
        assert_eq!(mrio.region_index("XXX").unwrap_err().to_string(), "unknown region `XXX`; expected one of AAA, BBB");
        assert_eq!(mrio.sector_index("c99").unwrap_err().to_string(), "unknown sector `c99`; expected one of s1, s2");
        assert_eq!(mrio.extension("emissions").unwrap_err().to_string(), "unknown extension `emissions`; the table has none");
    }
}
