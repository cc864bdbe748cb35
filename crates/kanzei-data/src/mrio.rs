//! Multi-regional input-output tables: the WIOD 2013-release CSV layout, the OECD ICIO CSV
//! layout, pymrio's tab-separated text layout, and kanzei's compact WIOD snapshot.
//!
//! Every loader returns a [`LoadedMrio`]: the table as plain row-major vectors
//! ([`MrioTable`], the same fields as `kanzei_mrio::MrioTable`, which the model crate
//! turns into its checked `Mrio`), a [`Coverage`] (rows = industry rows, value = their
//! intermediate plus final use; columns that cannot be attributed to a region are set
//! aside and counted), and an [`IdentityCheck`] of `intermediate + final use = output`
//! under a stated tolerance. A table whose identity fails beyond tolerance is an error
//! unless [`MrioLoadOptions::reject_identity_failures`] is off; malformed input is a
//! [`DataError`] naming file, line and column.
//!
//! Layouts:
//! * **WIOD 2013 release** (`derived_csv_2011/wiot2011_{inter,final,output}.csv`): first
//!   column `row` holds `ISO3_cNN` labels; `inter` is N × N with the same labels as
//!   columns, `final` has columns `ISO3_{CONS_h,CONS_np,CONS_g,GFCF,INVEN}`, `output` one
//!   column. USD millions, integers. Value added is the residual `x − Z'1`.
//! * **OECD ICIO** (the `ICIO20xx_YYYY.csv` files, also parsed by pymrio's `parse_oecd`):
//!   one CSV, first column the row labels. Rows and columns `CTRY_INDUSTRY` (split at the
//!   first `_`, since 2023-release industry codes such as `A01_02` contain underscores);
//!   final-demand columns `CTRY_HFCE`, `_NPISH`, `_GGFC`, `_GFCF`, `_INVNT`, `_DPABR`
//!   (also `NPS`, `INV`, `DIRP`, `NONRES`, `P33`, `FD`); a total column `OUT` (2021+) or
//!   `TOTAL` (2016/2018); rows `TLS`/`TAXSUB` (taxes less subsidies), `VA`/`VALU` (value
//!   added), and `OUT`/`OUTPUT`. TLS and VA rows become the `factor_inputs` extension;
//!   the model's value added is the residual `x − Z'1` (= VA + TLS), so decompositions
//!   add up to gross exports. Columns with no region (e.g. a statistical discrepancy
//!   `DISC`) are set aside in the coverage. USD millions.
//! * **pymrio text** (`IOSystem.save_all(..., table_format="txt")` and the pymrio test
//!   MRIO): tab-separated, column headers in the first rows (region; sector or category),
//!   row labels in the first columns (region, sector, unit for `Z` and `Y`; name[,
//!   compartment], unit for extensions). The number of header rows and label columns is
//!   read from the file (leading empty fields).
//!
//! References: Timmer, M. P. et al. (2015) "An Illustrated User Guide to the World
//! Input–Output Database", *Review of International Economics* 23 (WIOD); OECD (2023)
//! Inter-Country Input-Output tables, <https://oe.cd/icio>; Stadler, K. (2021) pymrio,
//! *Journal of Open Research Software* 9(1).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use kanzei_core::{Coverage, SourceRef};
use serde::{Deserialize, Serialize};

use crate::error::DataError;
use crate::read::{self, parse_number, Table, TableOptions};

pub use kanzei_core::io_table::{ExtensionTable, MrioTable};

/// One row of the identity check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowGap {
    /// `REGION_SECTOR`.
    pub industry: String,
    /// Where the row is (`wiot2011_inter.csv line 1039`).
    pub location: String,
    /// Σ Z.
    pub intermediate_use: f64,
    /// Σ Y.
    pub final_use: f64,
    /// Published output.
    pub output: f64,
    /// intermediate + final − output.
    pub gap: f64,
}

/// `intermediate + final use = output`, row by row, under `|gap| <= abs + rel·|x|`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdentityCheck {
    /// Absolute tolerance, in the table's unit.
    pub abs_tolerance: f64,
    /// Relative tolerance.
    pub rel_tolerance: f64,
    /// Why this tolerance.
    pub tolerance_basis: String,
    /// Rows checked.
    pub n_rows: usize,
    /// Largest |gap|.
    pub max_abs_gap: f64,
    /// Where it is.
    pub max_gap_industry: String,
    /// Rows beyond tolerance, worst first.
    pub failures: Vec<RowGap>,
}

impl IdentityCheck {
    /// Whether every row is within tolerance.
    pub fn passes(&self) -> bool {
        self.failures.is_empty()
    }
}

/// A loaded table with its accounting.
#[derive(Clone, Debug)]
pub struct LoadedMrio {
    /// The table.
    pub table: MrioTable,
    /// Rows and value read and kept.
    pub coverage: Coverage,
    /// The accounting identity.
    pub identity: IdentityCheck,
    /// Citation.
    pub source: SourceRef,
}

/// How strictly a loader checks the accounting identity.
#[derive(Clone, Debug, PartialEq)]
pub struct MrioLoadOptions {
    /// Absolute tolerance, in the table's unit.
    pub abs_tolerance: f64,
    /// Relative tolerance (fraction of output).
    pub rel_tolerance: f64,
    /// Why this tolerance (printed with the check).
    pub tolerance_basis: String,
    /// Whether a failure beyond tolerance is an error (else it is only reported).
    pub reject_identity_failures: bool,
}

impl MrioLoadOptions {
    /// WIOD 2013: every cell is rounded to USD 1 million, so a row of 1,435 intermediate
    /// and 205 final cells plus its output can be off by at most 0.5 · 1,641 = 820.5.
    pub fn wiod() -> MrioLoadOptions {
        MrioLoadOptions::rounding(41 * 35 + 41 * 5 + 1)
    }

    /// Whole-unit rounding of `cells_per_row` cells: `|gap| <= 0.5 · cells_per_row`.
    pub fn rounding(cells_per_row: usize) -> MrioLoadOptions {
        MrioLoadOptions {
            abs_tolerance: 0.5 * cells_per_row as f64,
            rel_tolerance: 0.0,
            tolerance_basis: format!("every cell rounded to a whole unit: 0.5 × {cells_per_row} cells per row"),
            reject_identity_failures: true,
        }
    }

    /// OECD ICIO: published with decimals; allow 1e-6 of output plus 0.01 for the
    /// rounding of small rows.
    pub fn oecd_icio() -> MrioLoadOptions {
        MrioLoadOptions {
            abs_tolerance: 0.01,
            rel_tolerance: 1e-6,
            tolerance_basis: "published with decimals: 0.01 + 1e-6 of output".into(),
            reject_identity_failures: true,
        }
    }

    /// pymrio text: output is computed from the flows, so the identity holds to rounding.
    pub fn pymrio() -> MrioLoadOptions {
        MrioLoadOptions {
            abs_tolerance: 1e-9,
            rel_tolerance: 1e-12,
            tolerance_basis: "output computed as Z·1 + Y·1: floating-point rounding only".into(),
            reject_identity_failures: true,
        }
    }
}

/// Source reference for WIOD.
pub fn wiod_source(year: i32) -> SourceRef {
    SourceRef {
        dataset: "wiod_2013_release".into(),
        publisher: "World Input-Output Database (Timmer et al. 2015), via the R package wiod 0.4.0".into(),
        citation: "Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. & de Vries, G. J. (2015), Review of International Economics 23: 575-605".into(),
        basis: "world input-output table, USD millions, current prices, 41 regions × 35 industries".into(),
        period: year.to_string(),
    }
}

fn split_label(label: &str) -> Option<(&str, &str)> {
    let (a, b) = label.split_once('_')?;
    (!a.is_empty() && !b.is_empty()).then_some((a, b))
}

/// Regions and sectors from `REGION_SECTOR` labels laid out region-major with the same
/// sectors in the same order for every region.
fn grid_from_labels(
    file: &str,
    labels: &[(u64, String)],
    what: &str,
) -> Result<(Vec<String>, Vec<String>), DataError> {
    let mut regions: Vec<String> = Vec::new();
    let mut sectors: Vec<String> = Vec::new();
    for (line, label) in labels {
        let Some((region, sector)) = split_label(label) else {
            return Err(DataError::Malformed {
                file: file.into(),
                line: *line,
                column: what.into(),
                message: format!("`{label}` is not a REGION_SECTOR label (expected e.g. `MEX_c15`)"),
            });
        };
        if regions.last().map(String::as_str) != Some(region) {
            if regions.iter().any(|r| r == region) {
                return Err(DataError::Malformed {
                    file: file.into(),
                    line: *line,
                    column: what.into(),
                    message: format!("region `{region}` appears again after other regions; rows must be grouped by region"),
                });
            }
            regions.push(region.to_string());
        }
        if regions.len() == 1 {
            sectors.push(sector.to_string());
        }
    }
    let n_sectors = sectors.len();
    if n_sectors == 0 || labels.len() != regions.len() * n_sectors {
        let (line, label) = labels.last().cloned().unwrap_or((1, String::new()));
        return Err(DataError::Malformed {
            file: file.into(),
            line,
            column: what.into(),
            message: format!(
                "{} labels for {} regions do not form a region × sector grid of {} sectors each (last label `{label}`)",
                labels.len(),
                regions.len(),
                n_sectors
            ),
        });
    }
    for (i, (line, label)) in labels.iter().enumerate() {
        let want = format!("{}_{}", regions[i / n_sectors], sectors[i % n_sectors]);
        if *label != want {
            return Err(DataError::Malformed {
                file: file.into(),
                line: *line,
                column: what.into(),
                message: format!("`{label}` where `{want}` was expected: every region must list the same sectors in the same order"),
            });
        }
    }
    Ok((regions, sectors))
}

fn identity_check(
    table: &MrioTable,
    output: &[f64],
    locations: &dyn Fn(usize) -> String,
    options: &MrioLoadOptions,
) -> IdentityCheck {
    let n = table.n_industries();
    let n_fd = table.y.len() / n.max(1);
    let mut failures = Vec::new();
    let (mut max_abs_gap, mut max_idx) = (0.0_f64, 0);
    for (i, &out) in output.iter().enumerate().take(n) {
        let inter: f64 = table.z[i * n..(i + 1) * n].iter().sum();
        let fin: f64 = table.y[i * n_fd..(i + 1) * n_fd].iter().sum();
        let gap = inter + fin - out;
        if gap.abs() > max_abs_gap {
            max_abs_gap = gap.abs();
            max_idx = i;
        }
        if gap.abs() > options.abs_tolerance + options.rel_tolerance * out.abs() {
            failures.push(RowGap {
                industry: table.industry_label(i),
                location: locations(i),
                intermediate_use: inter,
                final_use: fin,
                output: out,
                gap,
            });
        }
    }
    failures.sort_by(|a, b| b.gap.abs().total_cmp(&a.gap.abs()));
    IdentityCheck {
        abs_tolerance: options.abs_tolerance,
        rel_tolerance: options.rel_tolerance,
        tolerance_basis: options.tolerance_basis.clone(),
        n_rows: n,
        max_abs_gap,
        max_gap_industry: if n > 0 { table.industry_label(max_idx) } else { String::new() },
        failures,
    }
}

fn enforce(check: &IdentityCheck, file: &str, options: &MrioLoadOptions) -> Result<(), DataError> {
    if check.passes() || !options.reject_identity_failures {
        return Ok(());
    }
    let worst = check
        .failures
        .iter()
        .take(5)
        .map(|g| {
            format!(
                "`{}` ({}): use {} + {} = {} vs output {} (gap {})",
                g.industry,
                g.location,
                g.intermediate_use,
                g.final_use,
                g.intermediate_use + g.final_use,
                g.output,
                g.gap
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Err(DataError::Reconciliation {
        what: format!("`{file}`: intermediate + final use = output"),
        detail: format!(
            "{} of {} rows beyond |gap| <= {} + {}·|x| ({}); worst: {worst}",
            check.failures.len(),
            check.n_rows,
            check.abs_tolerance,
            check.rel_tolerance,
            check.tolerance_basis
        ),
    })
}

fn coverage_for(name: &str, source: &str, table: &MrioTable) -> Coverage {
    let mut coverage = Coverage::new(name, source, table.unit.clone());
    let n = table.n_industries();
    let n_fd = table.y.len() / n.max(1);
    for i in 0..n {
        let value: f64 = table.z[i * n..(i + 1) * n].iter().sum::<f64>() + table.y[i * n_fd..(i + 1) * n_fd].iter().sum::<f64>();
        coverage.keep(value);
    }
    coverage
}

/// A labelled numeric matrix read from a CSV with a header row and a label column.
struct LabelledCsv {
    file: String,
    columns: Vec<String>,
    rows: Vec<(u64, String)>,
    values: Vec<f64>,
}

fn read_labelled_csv<R: Read>(file: &str, source: R) -> Result<LabelledCsv, DataError> {
    let mut table = Table::new(file, source, TableOptions::default())?;
    let columns: Vec<String> = table.headers().iter().skip(1).cloned().collect();
    if columns.is_empty() {
        return Err(DataError::Csv { file: file.into(), line: 1, message: "the header has no value columns".into() });
    }
    let mut rows = Vec::new();
    let mut values = Vec::new();
    while let Some(row) = table.next_row()? {
        rows.push((row.line(), row.str(0).to_string()));
        for c in 1..row.len() {
            values.push(row.f64(c)?);
        }
    }
    Ok(LabelledCsv { file: file.into(), columns, rows, values })
}

fn same_labels(a: &LabelledCsv, b_file: &str, b_rows: &[(u64, String)]) -> Result<(), DataError> {
    if a.rows.len() != b_rows.len() {
        return Err(DataError::Malformed {
            file: b_file.into(),
            line: b_rows.last().map_or(1, |r| r.0),
            column: "row".into(),
            message: format!("{} rows, but `{}` has {}; the files must list the same industries", b_rows.len(), a.file, a.rows.len()),
        });
    }
    for ((_, want), (line, got)) in a.rows.iter().zip(b_rows) {
        if want != got {
            return Err(DataError::Malformed {
                file: b_file.into(),
                line: *line,
                column: "row".into(),
                message: format!("`{got}` where `{}` has `{want}`; the files must list the same industries in the same order", a.file),
            });
        }
    }
    Ok(())
}

/// Parses the WIOD 2013-release CSV layout from three readers. `names` are the file
/// names used in messages (inter, final, output).
pub fn parse_wiod_csv<R1: Read, R2: Read, R3: Read>(
    names: [&str; 3],
    inter: R1,
    final_demand: R2,
    output: R3,
    year: i32,
    options: &MrioLoadOptions,
) -> Result<LoadedMrio, DataError> {
    let inter = read_labelled_csv(names[0], inter)?;
    let (regions, sectors) = grid_from_labels(names[0], &inter.rows, "row")?;
    let n = regions.len() * sectors.len();
    // Columns must be the same industries as the rows.
    for (j, label) in inter.columns.iter().enumerate() {
        let want = &inter.rows.get(j).map(|r| r.1.as_str()).unwrap_or("");
        if label != want {
            return Err(DataError::Malformed {
                file: names[0].into(),
                line: 1,
                column: label.clone(),
                message: format!("column {} should be `{want}`: the columns must be the row industries in row order", j + 2),
            });
        }
    }
    if inter.columns.len() != n {
        return Err(DataError::FieldCount { file: names[0].into(), line: 1, expected: n + 1, found: inter.columns.len() + 1 });
    }
    let fin = read_labelled_csv(names[1], final_demand)?;
    same_labels(&inter, names[1], &fin.rows)?;
    let (categories, fd_map) = final_demand_columns(names[1], &fin.columns, &regions)?;
    let n_fd = regions.len() * categories.len();
    let mut y = vec![0.0; n * n_fd];
    for i in 0..n {
        for (c, &dst) in fd_map.iter().enumerate() {
            if let Some(dst) = dst {
                y[i * n_fd + dst] = fin.values[i * fin.columns.len() + c];
            }
        }
    }
    let out = read_labelled_csv(names[2], output)?;
    same_labels(&inter, names[2], &out.rows)?;
    if out.columns.len() != 1 {
        return Err(DataError::FieldCount { file: names[2].into(), line: 1, expected: 2, found: out.columns.len() + 1 });
    }
    let x = out.values.clone();
    let table = MrioTable {
        regions,
        sectors,
        final_demand_categories: categories,
        unit: "USD millions".into(),
        z: inter.values,
        y,
        x: Some(x.clone()),
        value_added: None,
        extensions: Vec::new(),
        population: None,
    };
    let lines: Vec<u64> = out.rows.iter().map(|r| r.0).collect();
    let identity = identity_check(&table, &x, &|i| format!("{} line {}", names[2], lines[i]), options);
    enforce(&identity, names[2], options)?;
    let coverage = coverage_for("wiod_2013_release", &names.join(", "), &table);
    Ok(LoadedMrio { table, coverage, identity, source: wiod_source(year) })
}

/// Final-demand columns `REGION_CATEGORY` (or legacy `CATEGORY_REGION`): the category
/// list (in the first region's order) and, for each file column, its position in the
/// region-major layout, or `None` for a column with no region.
fn final_demand_columns(
    file: &str,
    columns: &[String],
    regions: &[String],
) -> Result<(Vec<String>, Vec<Option<usize>>), DataError> {
    let mut parsed: Vec<Option<(usize, String)>> = Vec::with_capacity(columns.len());
    for label in columns {
        let entry = split_label(label).and_then(|(a, b)| {
            if let Some(r) = regions.iter().position(|x| x == a) {
                Some((r, b.to_string()))
            } else {
                regions.iter().position(|x| x == b).map(|r| (r, a.to_string()))
            }
        });
        parsed.push(entry);
    }
    let first_region = parsed.iter().flatten().map(|(r, _)| *r).min();
    let categories: Vec<String> = parsed
        .iter()
        .flatten()
        .filter(|(r, _)| Some(*r) == first_region)
        .map(|(_, c)| c.clone())
        .collect();
    if categories.is_empty() {
        return Err(DataError::Header {
            file: file.into(),
            line: 1,
            column: columns.first().cloned().unwrap_or_default(),
            expected: "final-demand columns labelled REGION_CATEGORY with regions from the row labels".into(),
        });
    }
    let k = categories.len();
    let mut seen = vec![false; regions.len() * k];
    let mut map = Vec::with_capacity(columns.len());
    for (label, entry) in columns.iter().zip(&parsed) {
        match entry {
            None => map.push(None),
            Some((r, cat)) => {
                let Some(c) = categories.iter().position(|x| x == cat) else {
                    return Err(DataError::Malformed {
                        file: file.into(),
                        line: 1,
                        column: label.clone(),
                        message: format!("`{cat}` is not one of the first region's final-demand categories: {}", categories.join(", ")),
                    });
                };
                let slot = r * k + c;
                if seen[slot] {
                    return Err(DataError::Malformed {
                        file: file.into(),
                        line: 1,
                        column: label.clone(),
                        message: "this region × category appears twice".into(),
                    });
                }
                seen[slot] = true;
                map.push(Some(slot));
            }
        }
    }
    if let Some(slot) = seen.iter().position(|s| !s) {
        return Err(DataError::Header {
            file: file.into(),
            line: 1,
            column: format!("{}_{}", regions[slot / k], categories[slot % k]),
            expected: format!("a column for every region × category ({} × {})", regions.len(), k),
        });
    }
    Ok((categories, map))
}

/// Loads `wiot{year}_inter.csv`, `_final.csv` and `_output.csv` from `dir` (the
/// `derived_csv_YYYY` folder).
pub fn load_wiod_csv(dir: &Path, year: i32, options: &MrioLoadOptions) -> Result<LoadedMrio, DataError> {
    let names = [format!("wiot{year}_inter.csv"), format!("wiot{year}_final.csv"), format!("wiot{year}_output.csv")];
    let open = |name: &str| read::open(&dir.join(name));
    parse_wiod_csv(
        [&names[0], &names[1], &names[2]],
        open(&names[0])?,
        open(&names[1])?,
        open(&names[2])?,
        year,
        options,
    )
}

const OECD_FD_CODES: &[&str] = &["HFCE", "NPISH", "NPS", "GGFC", "GFCF", "INVNT", "INV", "DIRP", "DPABR", "NONRES", "P33", "FD"];

fn is_oecd_factor_row(label: &str) -> bool {
    matches!(label, "TLS" | "VA") || label.contains("VALU") || label.contains("TAX")
}

/// Parses an OECD ICIO CSV (see the module docs for the layout).
pub fn parse_oecd_icio<R: Read>(file: &str, source: R, year: i32, options: &MrioLoadOptions) -> Result<LoadedMrio, DataError> {
    let csv = read_labelled_csv(file, source)?;
    let ncols = csv.columns.len();
    // Classify columns.
    let total_col = csv.columns.iter().position(|c| c == "OUT" || c == "TOTAL");
    let is_fd = |label: &str| {
        split_label(label).is_some_and(|(a, b)| OECD_FD_CODES.contains(&a) || OECD_FD_CODES.contains(&b))
            || OECD_FD_CODES.contains(&label)
            || label == "DISC"
    };
    let industry_cols: Vec<usize> = (0..ncols).filter(|&c| Some(c) != total_col && !is_fd(&csv.columns[c])).collect();
    let fd_cols: Vec<usize> = (0..ncols).filter(|&c| Some(c) != total_col && is_fd(&csv.columns[c])).collect();
    // Classify rows.
    let out_row = csv.rows.iter().position(|(_, l)| l == "OUT" || l == "OUTPUT");
    let factor_rows: Vec<usize> = (0..csv.rows.len()).filter(|&r| is_oecd_factor_row(&csv.rows[r].1)).collect();
    let industry_rows: Vec<usize> =
        (0..csv.rows.len()).filter(|&r| Some(r) != out_row && !factor_rows.contains(&r)).collect();
    let row_labels: Vec<(u64, String)> = industry_rows.iter().map(|&r| csv.rows[r].clone()).collect();
    let (regions, sectors) = grid_from_labels(file, &row_labels, "row label")?;
    let n = regions.len() * sectors.len();
    if industry_cols.len() != n {
        return Err(DataError::Header {
            file: file.into(),
            line: 1,
            column: industry_cols.get(n).map_or_else(|| "(missing)".to_string(), |&c| csv.columns[c].clone()),
            expected: format!("{n} industry columns matching the {n} industry rows, then final-demand columns and `OUT`"),
        });
    }
    for (j, &c) in industry_cols.iter().enumerate() {
        if csv.columns[c] != row_labels[j].1 {
            return Err(DataError::Malformed {
                file: file.into(),
                line: 1,
                column: csv.columns[c].clone(),
                message: format!("should be `{}`: the industry columns must be the row industries in row order", row_labels[j].1),
            });
        }
    }
    let fd_labels: Vec<String> = fd_cols.iter().map(|&c| csv.columns[c].clone()).collect();
    let (categories, fd_map) = final_demand_columns(file, &fd_labels, &regions)?;
    let n_fd = regions.len() * categories.len();
    let at = |r: usize, c: usize| csv.values[r * ncols + c];
    let mut z = vec![0.0; n * n];
    let mut y = vec![0.0; n * n_fd];
    let mut set_aside = vec![0.0; n];
    for (i, &r) in industry_rows.iter().enumerate() {
        for (j, &c) in industry_cols.iter().enumerate() {
            z[i * n + j] = at(r, c);
        }
        for (f, &c) in fd_cols.iter().enumerate() {
            match fd_map[f] {
                Some(slot) => y[i * n_fd + slot] = at(r, c),
                None => set_aside[i] += at(r, c),
            }
        }
    }
    let x: Vec<f64> = match (total_col, out_row) {
        (Some(c), _) => industry_rows.iter().map(|&r| at(r, c)).collect(),
        (None, Some(r)) => industry_cols.iter().map(|&c| at(r, c)).collect(),
        (None, None) => {
            return Err(DataError::Header {
                file: file.into(),
                line: 1,
                column: "OUT".into(),
                expected: "an output column `OUT`/`TOTAL` or an output row `OUT`/`OUTPUT`".into(),
            })
        }
    };
    let mut extensions = Vec::new();
    if !factor_rows.is_empty() {
        let mut f = Vec::with_capacity(factor_rows.len() * n);
        let mut f_y = vec![0.0; factor_rows.len() * n_fd];
        for (k, &r) in factor_rows.iter().enumerate() {
            f.extend(industry_cols.iter().map(|&c| at(r, c)));
            for (fi, &c) in fd_cols.iter().enumerate() {
                if let Some(slot) = fd_map[fi] {
                    f_y[k * n_fd + slot] = at(r, c);
                }
            }
        }
        extensions.push(ExtensionTable {
            name: "factor_inputs".into(),
            rows: factor_rows.iter().map(|&r| csv.rows[r].1.clone()).collect(),
            units: vec!["USD millions".into(); factor_rows.len()],
            f,
            f_y: Some(f_y),
        });
    }
    let table = MrioTable {
        regions,
        sectors,
        final_demand_categories: categories,
        unit: "USD millions".into(),
        z,
        y,
        x: Some(x.clone()),
        value_added: None,
        extensions,
        population: None,
    };
    // The identity includes columns set aside (they are part of the published output).
    let mut check_table = table.clone();
    if set_aside.iter().any(|&v| v != 0.0) {
        for (i, extra) in set_aside.iter().enumerate() {
            check_table.y[i * n_fd] += extra;
        }
    }
    let identity = identity_check(&check_table, &x, &|i| format!("line {}", row_labels[i].0), options);
    enforce(&identity, file, options)?;
    let mut coverage = coverage_for("oecd_icio", file, &table);
    for (f, &c) in fd_cols.iter().enumerate() {
        if fd_map[f].is_none() {
            let value: f64 = industry_rows.iter().map(|&r| at(r, c)).sum();
            coverage.reject("final-demand column with no region (statistical discrepancy)", value, || {
                format!("column `{}`", csv.columns[c])
            });
        }
    }
    Ok(LoadedMrio {
        table,
        coverage,
        identity,
        source: SourceRef {
            dataset: "oecd_icio".into(),
            publisher: "OECD".into(),
            citation: "OECD Inter-Country Input-Output Tables, https://oe.cd/icio".into(),
            basis: "inter-country input-output table, USD millions".into(),
            period: year.to_string(),
        },
    })
}

/// Loads an OECD ICIO CSV file (gzipped or not).
pub fn load_oecd_icio(path: &Path, year: i32, options: &MrioLoadOptions) -> Result<LoadedMrio, DataError> {
    let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    parse_oecd_icio(&name, read::open(path)?, year, options)
}

/// A pymrio text table: column headers (one list per header row), row labels (one list
/// per label column), values row-major.
struct PymrioText {
    file: String,
    col_headers: Vec<Vec<String>>,
    row_labels: Vec<Vec<String>>,
    row_lines: Vec<u64>,
    values: Vec<f64>,
}

impl PymrioText {
    fn ncols(&self) -> usize {
        self.col_headers.first().map_or(0, Vec::len)
    }

    fn column_key(&self, c: usize, levels: usize) -> Vec<&str> {
        self.col_headers.iter().take(levels).map(|h| h[c].as_str()).collect()
    }
}

fn parse_pymrio_text(file: &str, text: &str) -> Result<PymrioText, DataError> {
    let lines: Vec<(u64, Vec<&str>)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i as u64 + 1, l.trim_end_matches('\r').split('\t').collect()))
        .collect();
    let Some((_, first)) = lines.first() else {
        return Err(DataError::Csv { file: file.into(), line: 1, message: "the file is empty".into() });
    };
    let n_label_cols = first.iter().take_while(|f| f.trim().is_empty()).count();
    let n_header_rows = lines.iter().take_while(|(_, f)| f[0].trim().is_empty()).count();
    if n_label_cols == 0 || n_header_rows == 0 || n_header_rows == lines.len() {
        return Err(DataError::Csv {
            file: file.into(),
            line: 1,
            message: "not a pymrio text table: expected header rows starting with empty label cells, then data rows".into(),
        });
    }
    let width = first.len();
    let ncols = width - n_label_cols;
    let mut col_headers = Vec::new();
    for (line, fields) in &lines[..n_header_rows] {
        if fields.len() != width {
            return Err(DataError::FieldCount { file: file.into(), line: *line, expected: width, found: fields.len() });
        }
        col_headers.push(fields[n_label_cols..].iter().map(|s| s.trim().to_string()).collect());
    }
    let mut row_labels = Vec::new();
    let mut row_lines = Vec::new();
    let mut values = Vec::with_capacity((lines.len() - n_header_rows) * ncols);
    for (line, fields) in &lines[n_header_rows..] {
        if fields.len() != width {
            return Err(DataError::FieldCount { file: file.into(), line: *line, expected: width, found: fields.len() });
        }
        row_labels.push(fields[..n_label_cols].iter().map(|s| s.trim().to_string()).collect());
        row_lines.push(*line);
        for (c, field) in fields[n_label_cols..].iter().enumerate() {
            let value = parse_number(field).ok_or_else(|| DataError::Malformed {
                file: file.into(),
                line: *line,
                column: col_headers.iter().map(|h: &Vec<String>| h[c].as_str()).collect::<Vec<_>>().join("|"),
                message: format!("`{}` is not a number", field.trim()),
            })?;
            values.push(value);
        }
    }
    Ok(PymrioText { file: file.into(), col_headers, row_labels, row_lines, values })
}

/// The files of a pymrio text MRIO.
#[derive(Clone, Debug, PartialEq)]
pub struct PymrioFiles {
    /// Intermediate flows.
    pub z: String,
    /// Final demand.
    pub y: String,
    /// Extensions: (name, F file, optional F_Y file).
    pub extensions: Vec<(String, String, Option<String>)>,
    /// Population file (one header row of regions, one data row).
    pub population: Option<String>,
}

impl PymrioFiles {
    /// The file names of pymrio's test MRIO (`pymrio/mrio_models/test_mrio`), as
    /// `pymrio.load_test()` reads them.
    pub fn test_mrio() -> PymrioFiles {
        PymrioFiles {
            z: "trade_flows_Z.txt".into(),
            y: "finald_demand_Y.txt".into(),
            extensions: vec![
                ("factor_inputs".into(), "factor_input.txt".into(), None),
                ("emissions".into(), "emissions.txt".into(), Some("FDemissions.txt".into())),
            ],
            population: Some("population.txt".into()),
        }
    }
}

fn check_columns(table: &PymrioText, levels: usize, want: &[Vec<String>], against: &str) -> Result<(), DataError> {
    if table.ncols() != want.len() {
        return Err(DataError::FieldCount {
            file: table.file.clone(),
            line: 1,
            expected: want.len() + table.row_labels.first().map_or(0, Vec::len),
            found: table.ncols() + table.row_labels.first().map_or(0, Vec::len),
        });
    }
    for (c, key) in want.iter().enumerate() {
        let got = table.column_key(c, levels);
        if got.iter().zip(key).any(|(a, b)| a != b) || table.col_headers.len() < levels {
            return Err(DataError::Malformed {
                file: table.file.clone(),
                line: 1,
                column: got.join("|"),
                message: format!("column {} should be `{}`: the columns must be {against} in order", c + 1, key.join("|")),
            });
        }
    }
    Ok(())
}

/// Loads a pymrio text MRIO from `dir`.
pub fn load_pymrio_text(dir: &Path, files: &PymrioFiles, options: &MrioLoadOptions) -> Result<LoadedMrio, DataError> {
    let read = |name: &str| -> Result<PymrioText, DataError> { parse_pymrio_text(name, &read::read_to_string(&dir.join(name))?) };
    let z = read(&files.z)?;
    if z.row_labels[0].len() < 2 || z.col_headers.len() < 2 {
        return Err(DataError::Csv {
            file: z.file.clone(),
            line: 1,
            message: "Z needs two header rows (region, sector) and at least two label columns (region, sector[, unit])".into(),
        });
    }
    let row_labels: Vec<(u64, String)> =
        z.row_labels.iter().zip(&z.row_lines).map(|(l, &line)| (line, format!("{}_{}", l[0], l[1]))).collect();
    // Region and sector names may themselves contain `_`; check the grid on the raw pairs.
    let mut regions: Vec<String> = Vec::new();
    for l in &z.row_labels {
        if regions.last() != Some(&l[0]) {
            regions.push(l[0].clone());
        }
    }
    let n_sectors = z.row_labels.iter().take_while(|l| l[0] == regions[0]).count();
    let sectors: Vec<String> = z.row_labels[..n_sectors].iter().map(|l| l[1].clone()).collect();
    let n = regions.len() * n_sectors;
    for (i, l) in z.row_labels.iter().enumerate() {
        if i >= n || l[0] != regions[i / n_sectors] || l[1] != sectors[i % n_sectors] {
            return Err(DataError::Malformed {
                file: z.file.clone(),
                line: z.row_lines[i],
                column: "region|sector".into(),
                message: format!("`{}|{}` breaks the region × sector grid ({} regions × {} sectors)", l[0], l[1], regions.len(), n_sectors),
            });
        }
    }
    let industry_keys: Vec<Vec<String>> = z.row_labels.iter().map(|l| vec![l[0].clone(), l[1].clone()]).collect();
    check_columns(&z, 2, &industry_keys, &format!("the rows of `{}`", z.file))?;
    let unit = if z.row_labels[0].len() >= 3 { z.row_labels[0][2].clone() } else { String::new() };
    // Final demand.
    let y_text = read(&files.y)?;
    for (i, l) in y_text.row_labels.iter().enumerate() {
        if i >= n || l.len() < 2 || l[0] != industry_keys[i][0] || l[1] != industry_keys[i][1] {
            return Err(DataError::Malformed {
                file: y_text.file.clone(),
                line: y_text.row_lines[i],
                column: "region|sector".into(),
                message: format!("`{}` where `{}` lists `{}`: the rows must match Z", l.join("|"), z.file, row_labels.get(i).map_or("(nothing)", |r| r.1.as_str())),
            });
        }
    }
    if y_text.row_labels.len() != n {
        return Err(DataError::Malformed {
            file: y_text.file.clone(),
            line: y_text.row_lines.last().copied().unwrap_or(1),
            column: "region|sector".into(),
            message: format!("{} rows; Z has {n}", y_text.row_labels.len()),
        });
    }
    let fd_labels: Vec<String> = (0..y_text.ncols()).map(|c| y_text.column_key(c, 2).join("_")).collect();
    // pymrio's final-demand columns are (region, category); category names may contain `_`.
    let mut categories: Vec<String> = Vec::new();
    let mut y_map = Vec::with_capacity(fd_labels.len());
    for c in 0..y_text.ncols() {
        let key = y_text.column_key(c, 2);
        let Some(r) = regions.iter().position(|x| x == key[0]) else {
            return Err(DataError::Malformed {
                file: y_text.file.clone(),
                line: 1,
                column: key.join("|"),
                message: format!("`{}` is not a region of Z; expected one of {}", key[0], regions.join(", ")),
            });
        };
        if r == 0 {
            categories.push(key[1].to_string());
        }
        y_map.push((r, key[1].to_string()));
    }
    let k = categories.len();
    let n_fd = regions.len() * k;
    if y_text.ncols() != n_fd {
        return Err(DataError::Header {
            file: y_text.file.clone(),
            line: 1,
            column: fd_labels.last().cloned().unwrap_or_default(),
            expected: format!("{} regions × {k} categories = {n_fd} columns", regions.len()),
        });
    }
    let mut slots = Vec::with_capacity(n_fd);
    for (c, (r, cat)) in y_map.iter().enumerate() {
        let Some(pos) = categories.iter().position(|x| x == cat) else {
            return Err(DataError::Malformed {
                file: y_text.file.clone(),
                line: 2,
                column: fd_labels[c].clone(),
                message: format!("`{cat}` is not one of the first region's categories: {}", categories.join(", ")),
            });
        };
        slots.push(r * k + pos);
    }
    let mut y = vec![0.0; n * n_fd];
    for i in 0..n {
        for (c, &slot) in slots.iter().enumerate() {
            y[i * n_fd + slot] = y_text.values[i * n_fd + c];
        }
    }
    let fd_keys: Vec<Vec<String>> = y_map.iter().map(|(r, cat)| vec![regions[*r].clone(), cat.clone()]).collect();
    // Extensions.
    let mut extensions = Vec::new();
    for (name, f_file, f_y_file) in &files.extensions {
        let f = read(f_file)?;
        check_columns(&f, 2, &industry_keys, &format!("the rows of `{}`", z.file))?;
        let label_cols = f.row_labels[0].len();
        let rows: Vec<String> = f.row_labels.iter().map(|l| l[..label_cols.saturating_sub(1).max(1)].join("|")).collect();
        let units: Vec<String> =
            f.row_labels.iter().map(|l| if label_cols >= 2 { l[label_cols - 1].clone() } else { String::new() }).collect();
        let f_y = match f_y_file {
            Some(file) => {
                let fy = read(file)?;
                check_columns(&fy, 2, &fd_keys, &format!("the columns of `{}`", y_text.file))?;
                let fy_rows: Vec<String> =
                    fy.row_labels.iter().map(|l| l[..l.len().saturating_sub(1).max(1)].join("|")).collect();
                if fy_rows != rows {
                    return Err(DataError::Malformed {
                        file: fy.file.clone(),
                        line: fy.row_lines[0],
                        column: "rows".into(),
                        message: format!("rows {} do not match `{}` rows {}", fy_rows.join(", "), f.file, rows.join(", ")),
                    });
                }
                let mut out = vec![0.0; rows.len() * n_fd];
                for r in 0..rows.len() {
                    for (c, &slot) in slots.iter().enumerate() {
                        out[r * n_fd + slot] = fy.values[r * n_fd + c];
                    }
                }
                Some(out)
            }
            None => None,
        };
        extensions.push(ExtensionTable { name: name.clone(), rows, units, f: f.values, f_y });
    }
    let population = match &files.population {
        Some(name) => {
            let text = read::read_to_string(&dir.join(name))?;
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
            let data: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
            let mut pop = vec![f64::NAN; regions.len()];
            for (c, label) in header.iter().enumerate().skip(1) {
                if let Some(r) = regions.iter().position(|x| x == label.trim()) {
                    pop[r] = data.get(c).and_then(|v| parse_number(v)).ok_or_else(|| DataError::Malformed {
                        file: name.clone(),
                        line: 2,
                        column: label.trim().into(),
                        message: format!("`{}` is not a number", data.get(c).unwrap_or(&"")),
                    })?;
                }
            }
            if let Some(r) = pop.iter().position(|p| p.is_nan()) {
                return Err(DataError::Header { file: name.clone(), line: 1, column: regions[r].clone(), expected: format!("a column per region: {}", regions.join(", ")) });
            }
            Some(pop)
        }
        None => None,
    };
    let mut table = MrioTable {
        regions,
        sectors,
        final_demand_categories: categories,
        unit,
        z: z.values,
        y,
        x: None,
        value_added: None,
        extensions,
        population,
    };
    // pymrio calc_x: x = Z·1 + Y·1.
    let x: Vec<f64> = (0..n)
        .map(|i| table.z[i * n..(i + 1) * n].iter().sum::<f64>() + table.y[i * n_fd..(i + 1) * n_fd].iter().sum::<f64>())
        .collect();
    let identity = identity_check(&table, &x, &|i| format!("{} line {}", z.file, z.row_lines[i]), options);
    enforce(&identity, &z.file, options)?;
    table.x = None;
    let coverage = coverage_for("pymrio_text", &dir.display().to_string(), &table);
    Ok(LoadedMrio {
        table,
        coverage,
        identity,
        source: SourceRef {
            dataset: "pymrio_text".into(),
            publisher: "pymrio text format".into(),
            citation: "Stadler, K. (2021) Pymrio, Journal of Open Research Software 9(1)".into(),
            basis: "multi-regional input-output table".into(),
            period: String::new(),
        },
    })
}

const SNAPSHOT_MAGIC: &str = "# kanzei wiod snapshot v1";

/// Writes a WIOD table (integer USD millions) in kanzei's compact snapshot form: a gzip
/// of a text file with the labels once, then one line per industry with its Z row, Y row
/// and output as integers. Errors if a value is not a whole number.
pub fn wiod_to_snapshot(table: &MrioTable, year: i32) -> Result<Vec<u8>, DataError> {
    let n = table.n_industries();
    let n_fd = table.y.len() / n.max(1);
    let x = table.x.as_ref().ok_or_else(|| DataError::NotAvailable {
        message: "the WIOD snapshot needs published gross output; this table has none".into(),
    })?;
    let mut text = String::with_capacity(2 * 1024 * 1024);
    text.push_str(SNAPSHOT_MAGIC);
    text.push('\n');
    text.push_str(&format!("year\t{year}\nunit\t{}\n", table.unit));
    text.push_str(&format!("regions\t{}\n", table.regions.join("\t")));
    text.push_str(&format!("sectors\t{}\n", table.sectors.join("\t")));
    text.push_str(&format!("final_demand\t{}\n", table.final_demand_categories.join("\t")));
    let push = |text: &mut String, value: f64, what: &dyn Fn() -> String| -> Result<(), DataError> {
        if value.fract() != 0.0 || value.abs() > 9.0e15 {
            return Err(DataError::NotAvailable {
                message: format!("{} is {value}; the WIOD snapshot stores whole USD millions", what()),
            });
        }
        if value != 0.0 {
            text.push_str(&format!("{}", value as i64));
        }
        Ok(())
    };
    for (i, &output) in x.iter().enumerate().take(n) {
        for j in 0..n {
            if j > 0 {
                text.push(',');
            }
            push(&mut text, table.z[i * n + j], &|| format!("Z[{}, {}]", table.industry_label(i), table.industry_label(j)))?;
        }
        for c in 0..n_fd {
            text.push(',');
            push(&mut text, table.y[i * n_fd + c], &|| format!("Y[{}, {c}]", table.industry_label(i)))?;
        }
        text.push(',');
        push(&mut text, output, &|| format!("x[{}]", table.industry_label(i)))?;
        text.push('\n');
    }
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(text.as_bytes()).and_then(|_| encoder.finish()).map_err(|err| DataError::NotAvailable {
        message: format!("cannot compress the WIOD snapshot: {err}"),
    })
}

/// Reads what [`wiod_to_snapshot`] wrote. `name` is used in messages.
pub fn wiod_from_snapshot(name: &str, bytes: &[u8], options: &MrioLoadOptions) -> Result<LoadedMrio, DataError> {
    let text = read::gunzip(name, bytes)?;
    let mut lines = text.lines().enumerate().map(|(i, l)| (i as u64 + 1, l));
    let bad = |line: u64, column: &str, message: String| DataError::Malformed { file: name.into(), line, column: column.into(), message };
    let mut header: HashMap<&str, (u64, Vec<&str>)> = HashMap::new();
    match lines.next() {
        Some((_, SNAPSHOT_MAGIC)) => {}
        other => return Err(bad(1, "header", format!("expected `{SNAPSHOT_MAGIC}`, found `{}`", other.map_or("", |l| l.1)))),
    }
    for key in ["year", "unit", "regions", "sectors", "final_demand"] {
        let (line, content) = lines.next().ok_or_else(|| bad(0, key, "the snapshot ends in its header".into()))?;
        let mut fields = content.split('\t');
        if fields.next() != Some(key) {
            return Err(bad(line, key, format!("expected the `{key}` header line")));
        }
        header.insert(key, (line, fields.collect()));
    }
    let year: i32 = header["year"].1.first().and_then(|y| y.parse().ok()).ok_or_else(|| bad(header["year"].0, "year", "not a year".into()))?;
    let strings = |key: &str| header[key].1.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (regions, sectors, categories) = (strings("regions"), strings("sectors"), strings("final_demand"));
    let n = regions.len() * sectors.len();
    let n_fd = regions.len() * categories.len();
    let mut z = Vec::with_capacity(n * n);
    let mut y = Vec::with_capacity(n * n_fd);
    let mut x = Vec::with_capacity(n);
    let mut row_lines = Vec::with_capacity(n);
    for (line, content) in lines {
        if content.is_empty() {
            continue;
        }
        let fields: Vec<&str> = content.split(',').collect();
        if fields.len() != n + n_fd + 1 {
            return Err(DataError::FieldCount { file: name.into(), line, expected: n + n_fd + 1, found: fields.len() });
        }
        for (c, field) in fields.iter().enumerate() {
            let value = if field.is_empty() {
                0.0
            } else {
                field.parse::<i64>().map_err(|_| bad(line, &format!("#{}", c + 1), format!("`{field}` is not a whole number")))? as f64
            };
            if c < n {
                z.push(value);
            } else if c < n + n_fd {
                y.push(value);
            } else {
                x.push(value);
            }
        }
        row_lines.push(line);
    }
    if x.len() != n {
        return Err(bad(row_lines.last().copied().unwrap_or(0), "rows", format!("{} industry rows; the header promises {n}", x.len())));
    }
    let table = MrioTable {
        regions,
        sectors,
        final_demand_categories: categories,
        unit: header["unit"].1.first().unwrap_or(&"").to_string(),
        z,
        y,
        x: Some(x.clone()),
        value_added: None,
        extensions: Vec::new(),
        population: None,
    };
    let identity = identity_check(&table, &x, &|i| format!("{name} line {}", row_lines[i]), options);
    enforce(&identity, name, options)?;
    let coverage = coverage_for("wiod_2013_release", name, &table);
    Ok(LoadedMrio { table, coverage, identity, source: wiod_source(year) })
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTER: &str = "row,AAA_c1,AAA_c2,BBB_c1,BBB_c2\nAAA_c1,10,5,3,0\nAAA_c2,2,8,1,4\nBBB_c1,0,1,20,6\nBBB_c2,3,0,5,9\n";
    const FINAL: &str = "row,AAA_CONS_h,AAA_GFCF,BBB_CONS_h,BBB_GFCF\nAAA_c1,50,10,7,0\nAAA_c2,30,0,5,-2\nBBB_c1,4,0,60,12\nBBB_c2,1,1,40,5\n";
    const OUTPUT: &str = "row,output\nAAA_c1,85\nAAA_c2,48\nBBB_c1,103\nBBB_c2,64\n";

    fn wiod(inter: &str, fin: &str, out: &str) -> Result<LoadedMrio, DataError> {
        parse_wiod_csv(
            ["inter.csv", "final.csv", "output.csv"],
            inter.as_bytes(),
            fin.as_bytes(),
            out.as_bytes(),
            2011,
            &MrioLoadOptions::rounding(9),
        )
    }

    #[test]
    fn wiod_layout_loads_with_coverage_and_identity() {
        let loaded = wiod(INTER, FINAL, OUTPUT).unwrap();
        let t = &loaded.table;
        assert_eq!(t.regions, vec!["AAA", "BBB"]);
        assert_eq!(t.sectors, vec!["c1", "c2"]);
        assert_eq!(t.final_demand_categories, vec!["CONS_h", "GFCF"]);
        assert_eq!(t.z[4 + 3], 4.0);
        assert_eq!(t.y[4 + 3], -2.0);
        assert_eq!(loaded.coverage.rows_kept, 4);
        // AAA_c1: 18 + 67 = 85 exactly; AAA_c2: 15 + 33 = 48; BBB_c1: 27 + 76 = 103; BBB_c2: 17 + 47 = 64.
        assert_eq!(loaded.coverage.value_kept, 85.0 + 48.0 + 103.0 + 64.0);
        assert!(loaded.identity.passes());
        assert_eq!(loaded.identity.max_abs_gap, 0.0);
    }

    #[test]
    fn wiod_identity_failure_names_file_and_line() {
        let out = OUTPUT.replace("BBB_c1,103", "BBB_c1,120");
        let err = wiod(INTER, FINAL, &out).unwrap_err();
        assert_eq!(
            err.to_string(),
            "reconciliation failed for `output.csv`: intermediate + final use = output: 1 of 4 rows beyond |gap| <= 4.5 + 0·|x| (every cell rounded to a whole unit: 0.5 × 9 cells per row); worst: `BBB_c1` (output.csv line 4): use 27 + 76 = 103 vs output 120 (gap -17)"
        );
    }

    #[test]
    fn wiod_malformed_input_names_file_line_column() {
        let inter = INTER.replace("AAA_c2,2,8", "AAA_c2,2,x8");
        assert_eq!(wiod(&inter, FINAL, OUTPUT).unwrap_err().to_string(), "`inter.csv` line 3, column `AAA_c2`: `x8` is not a number");
        let inter = INTER.replace("\nBBB_c1,0", "\nBBB_c3,0");
        assert_eq!(
            wiod(&inter, FINAL, OUTPUT).unwrap_err().to_string(),
            "`inter.csv` line 4, column `row`: `BBB_c3` where `BBB_c1` was expected: every region must list the same sectors in the same order"
        );
        let fin = FINAL.replace("BBB_GFCF", "BBB_XYZ");
        assert_eq!(
            wiod(INTER, &fin, OUTPUT).unwrap_err().to_string(),
            "`final.csv` line 1, column `BBB_XYZ`: `XYZ` is not one of the first region's final-demand categories: CONS_h, GFCF"
        );
    }

    #[test]
    fn snapshot_round_trips() {
        let loaded = wiod(INTER, FINAL, OUTPUT).unwrap();
        let bytes = wiod_to_snapshot(&loaded.table, 2011).unwrap();
        let back = wiod_from_snapshot("wiod.gz", &bytes, &MrioLoadOptions::rounding(9)).unwrap();
        assert_eq!(back.table, loaded.table);
        assert_eq!(back.source.period, "2011");
        let mut fractional = loaded.table.clone();
        fractional.z[1] = 5.5;
        assert_eq!(
            wiod_to_snapshot(&fractional, 2011).unwrap_err().to_string(),
            "Z[AAA_c1, AAA_c2] is 5.5; the WIOD snapshot stores whole USD millions"
        );
    }

    /// A two-country, two-industry table in the official OECD ICIO 2023 CSV layout
    /// (`V1` corner, `CTRY_INDUSTRY` labels with underscores in industry codes, final
    /// demand `CTRY_HFCE` …, total column `OUT`, rows `TLS`, `VA`, `OUT`).
    pub(crate) const ICIO: &str = "\
V1,AUS_A01_02,AUS_C29,USA_A01_02,USA_C29,AUS_HFCE,AUS_GFCF,USA_HFCE,USA_GFCF,OUT
AUS_A01_02,10.5,20,1,2,40,6.5,3,0,83
AUS_C29,5,30,0.5,8,50,10,12,4.5,120
USA_A01_02,2,1,60,25,5,0,150,20,263
USA_C29,3,9,30,90,7,2,200,60,401
TLS,1,2,3,4,5,1,20,6,42
VA,61.5,58,168.5,272,0,0,0,0,560
OUT,83,120,263,401,0,0,0,0,867
";

    #[test]
    fn oecd_icio_layout_loads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ICIO2023_2020.csv");
        std::fs::write(&path, ICIO).unwrap();
        let loaded = load_oecd_icio(&path, 2020, &MrioLoadOptions::oecd_icio()).unwrap();
        assert_eq!(loaded.coverage.source, "ICIO2023_2020.csv");
        let t = &loaded.table;
        assert_eq!(t.regions, vec!["AUS", "USA"]);
        assert_eq!(t.sectors, vec!["A01_02", "C29"]);
        assert_eq!(t.final_demand_categories, vec!["HFCE", "GFCF"]);
        assert_eq!(t.x.as_deref(), Some(&[83.0, 120.0, 263.0, 401.0][..]));
        assert_eq!(t.z[1], 20.0);
        assert_eq!(t.y[4 + 2], 12.0);
        let ext = &t.extensions[0];
        assert_eq!(ext.rows, vec!["TLS", "VA"]);
        assert_eq!(ext.f[4..], [61.5, 58.0, 168.5, 272.0]);
        assert!(loaded.identity.passes(), "{:?}", loaded.identity);
        assert_eq!(loaded.coverage.rows_kept, 4);
    }

    #[test]
    fn oecd_icio_discrepancy_column_is_set_aside_and_counted() {
        let text = ICIO
            .replace("USA_GFCF,OUT", "USA_GFCF,DISC,OUT")
            .replace("0,83\n", "0,1,84\n")
            .replace("4.5,120\n", "4.5,0,120\n")
            .replace("20,263\n", "20,0,263\n")
            .replace("60,401\n", "60,0,401\n")
            .replace("6,42\n", "6,0,42\n")
            .replace("0,560\n", "0,0,560\n")
            .replace("0,867\n", "0,0,867\n");
        let loaded = parse_oecd_icio("icio.csv", text.as_bytes(), 2020, &MrioLoadOptions::oecd_icio()).unwrap();
        assert_eq!(loaded.coverage.rejected.len(), 1);
        assert_eq!(loaded.coverage.rejected[0].value, 1.0);
        assert!(loaded.coverage.reconciles(1e-12));
        assert!(loaded.identity.passes());
    }

    #[test]
    fn pymrio_text_layout_loads_and_names_bad_cells() {
        let dir = tempfile::tempdir().unwrap();
        let z = "\t\t\tr1\tr1\tr2\tr2\n\t\t\ta\tb\ta\tb\nr1\ta\tM\t1\t2\t3\t4\nr1\tb\tM\t0\t1\t0\t1\nr2\ta\tM\t2\t0\t5\t1\nr2\tb\tM\t1\t1\t1\t1\n";
        let y = "\t\t\tr1\tr2\n\t\t\thh\thh\nr1\ta\tM\t10\t2\nr1\tb\tM\t5\t1\nr2\ta\tM\t1\t20\nr2\tb\tM\t0\t8\n";
        let f = "\t\tr1\tr1\tr2\tr2\n\t\ta\tb\ta\tb\nValue Added\tM\t7\t3\t9\t4\n";
        std::fs::write(dir.path().join("Z.txt"), z).unwrap();
        std::fs::write(dir.path().join("Y.txt"), y).unwrap();
        std::fs::write(dir.path().join("F.txt"), f).unwrap();
        let files = PymrioFiles {
            z: "Z.txt".into(),
            y: "Y.txt".into(),
            extensions: vec![("factor_inputs".into(), "F.txt".into(), None)],
            population: None,
        };
        let loaded = load_pymrio_text(dir.path(), &files, &MrioLoadOptions::pymrio()).unwrap();
        let t = &loaded.table;
        assert_eq!((t.regions.clone(), t.sectors.clone()), (vec!["r1".to_string(), "r2".into()], vec!["a".to_string(), "b".into()]));
        assert_eq!(t.unit, "M");
        assert_eq!(t.y, vec![10.0, 2.0, 5.0, 1.0, 1.0, 20.0, 0.0, 8.0]);
        assert_eq!(t.extensions[0].rows, vec!["Value Added"]);
        assert_eq!(t.extensions[0].units, vec!["M"]);
        std::fs::write(dir.path().join("Y.txt"), y.replace("\t20\n", "\t2O\n")).unwrap();
        let err = load_pymrio_text(dir.path(), &files, &MrioLoadOptions::pymrio()).unwrap_err();
        assert_eq!(err.to_string(), "`Y.txt` line 5, column `r2|hh`: `2O` is not a number");
    }
}
