//! Gravity panels: bilateral trade by exporter, importer and year, with country and pair
//! variables, for the structural gravity model.
//!
//! Reads any comma-separated panel with columns `exporter`, `importer`, `year`, `trade`
//! and any number of further numeric columns (empty cells are missing values, kept as
//! `None`):
//! * gegravity's `sample_data_set.dlm` (comma-separated despite the extension; 2006,
//!   30 countries: `trade, Y, E, pta, contiguity, common_language, lndist, international`);
//! * the Yotov et al. (2016) derived CSVs (`Chapter1Application1.csv`,
//!   `Chapter2Application2.csv`, `1_TradeWithoutBorder_noFE.csv`, ...), whose years are
//!   written `1986.0`.
//!
//! Trade is in the file's unit (millions of USD in both sources) and includes domestic
//! trade where exporter = importer. [`GravityPanel::to_snapshot_csv`] writes the compact
//! form for kanzei's snapshot; [`GravityPanel::parse`] reads it back.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::path::Path;

use kanzei_core::Coverage;

use crate::error::DataError;
use crate::read::{self, Table, TableOptions};

/// One observation.
#[derive(Clone, Debug, PartialEq)]
pub struct GravityRow {
    /// Exporter code.
    pub exporter: String,
    /// Importer code.
    pub importer: String,
    /// Year.
    pub year: i32,
    /// Trade value (file units).
    pub trade: f64,
    /// The further columns, in [`GravityPanel::columns`] order; `None` where empty.
    pub values: Vec<Option<f64>>,
    /// 1-based line in the file, for messages.
    pub line: u64,
}

/// A gravity panel.
#[derive(Clone, Debug, PartialEq)]
pub struct GravityPanel {
    /// File name used in messages.
    pub file: String,
    /// Names of the further numeric columns.
    pub columns: Vec<String>,
    /// All rows, file order.
    pub rows: Vec<GravityRow>,
    /// Load accounting (value = trade).
    pub coverage: Coverage,
}

/// Output and expenditure by country for one year.
#[derive(Clone, Debug, PartialEq)]
pub struct CountryTotals {
    /// Country codes, sorted.
    pub countries: Vec<String>,
    /// Output by country (from the exporter rows).
    pub output: Vec<f64>,
    /// Expenditure by country (from the importer rows).
    pub expenditure: Vec<f64>,
}

const KEY_COLUMNS: [&str; 4] = ["exporter", "importer", "year", "trade"];

impl GravityPanel {
    /// Reads a file (gunzipping `*.gz`).
    pub fn load(path: &Path) -> Result<GravityPanel, DataError> {
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        GravityPanel::parse(&name, read::open(path)?)
    }

    /// Parses a panel from any reader; `file` names it in messages.
    pub fn parse<R: Read>(file: &str, source: R) -> Result<GravityPanel, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let key = table.require(&KEY_COLUMNS)?;
        let extra: Vec<(usize, String)> = table
            .headers()
            .iter()
            .enumerate()
            .filter(|(idx, _)| !key.contains(idx))
            .map(|(idx, name)| (idx, name.clone()))
            .collect();
        let columns: Vec<String> = extra.iter().map(|(_, n)| n.clone()).collect();
        let mut coverage = Coverage::new("gravity_panel", file, "trade (file units)");
        let mut rows = Vec::new();
        let mut seen: HashMap<(String, String, i32), u64> = HashMap::new();
        while let Some(row) = table.next_row()? {
            let exporter = row.str(key[0]).to_string();
            let importer = row.str(key[1]).to_string();
            for (idx, code) in [(key[0], &exporter), (key[1], &importer)] {
                if code.is_empty() {
                    return Err(row.error(idx, "empty country code"));
                }
            }
            let year = row.year(key[2])?;
            let trade = row.f64(key[3])?;
            if trade < 0.0 {
                return Err(row.error(key[3], format!("{trade} is negative; trade must be >= 0")));
            }
            let mut values = Vec::with_capacity(extra.len());
            for (idx, _) in &extra {
                values.push(row.opt_f64(*idx)?);
            }
            if let Some(first) = seen.insert((exporter.clone(), importer.clone(), year), row.line()) {
                return Err(row.error(
                    key[0],
                    format!("{exporter} -> {importer} in {year} appears twice (first on line {first})"),
                ));
            }
            coverage.keep(trade);
            rows.push(GravityRow { exporter, importer, year, trade, values, line: row.line() });
        }
        Ok(GravityPanel { file: file.to_string(), columns, rows, coverage })
    }

    /// Position of a further column.
    pub fn column(&self, name: &str) -> Result<usize, DataError> {
        self.columns.iter().position(|c| c == name).ok_or_else(|| DataError::Header {
            file: self.file.clone(),
            line: 1,
            column: name.to_string(),
            expected: self.columns.join(", "),
        })
    }

    /// The years present, sorted.
    pub fn years(&self) -> Vec<i32> {
        self.rows.iter().map(|r| r.year).collect::<BTreeSet<_>>().into_iter().collect()
    }

    fn year_rows(&self, year: i32) -> Result<Vec<&GravityRow>, DataError> {
        let rows: Vec<&GravityRow> = self.rows.iter().filter(|r| r.year == year).collect();
        if rows.is_empty() {
            let years = self.years();
            return Err(DataError::YearNotAvailable {
                dataset: format!("gravity panel `{}`", self.file),
                year,
                available: match (years.first(), years.last()) {
                    (Some(a), Some(b)) => format!("{a}–{b}"),
                    _ => "no years".into(),
                },
            });
        }
        Ok(rows)
    }

    /// Countries (sorted) with output from `output_column` on exporter rows and
    /// expenditure from `expenditure_column` on importer rows. Each country's value must be
    /// the same on all its rows (as in gegravity's sample, where they repeat per row).
    pub fn country_totals(&self, year: i32, output_column: &str, expenditure_column: &str) -> Result<CountryTotals, DataError> {
        let (y_col, e_col) = (self.column(output_column)?, self.column(expenditure_column)?);
        let rows = self.year_rows(year)?;
        let mut output: BTreeMap<&str, (f64, u64)> = BTreeMap::new();
        let mut expenditure: BTreeMap<&str, (f64, u64)> = BTreeMap::new();
        for row in &rows {
            for (map, code, col, name) in [
                (&mut output, row.exporter.as_str(), y_col, output_column),
                (&mut expenditure, row.importer.as_str(), e_col, expenditure_column),
            ] {
                let value = row.values[col].ok_or_else(|| self.cell_error(row, name, "is empty; a value is needed".into()))?;
                match map.get(code) {
                    Some(&(first, first_line)) if (first - value).abs() > 1e-9 * first.abs().max(1.0) => {
                        return Err(self.cell_error(
                            row,
                            name,
                            format!("{value} differs from {first} on line {first_line} for {code}; a country's value must repeat"),
                        ))
                    }
                    Some(_) => {}
                    None => {
                        map.insert(code, (value, row.line));
                    }
                }
            }
        }
        let countries: Vec<String> = output.keys().chain(expenditure.keys()).map(|c| c.to_string()).collect::<BTreeSet<_>>().into_iter().collect();
        let mut out = CountryTotals { countries: countries.clone(), output: Vec::new(), expenditure: Vec::new() };
        for code in &countries {
            let y = output.get(code.as_str()).map(|v| v.0);
            let e = expenditure.get(code.as_str()).map(|v| v.0);
            match (y, e) {
                (Some(y), Some(e)) => {
                    out.output.push(y);
                    out.expenditure.push(e);
                }
                _ => {
                    return Err(DataError::NotAvailable {
                        message: format!(
                            "`{}`: {code} has no {} rows in {year}; every country must appear as exporter and importer",
                            self.file,
                            if y.is_none() { "exporter" } else { "importer" }
                        ),
                    })
                }
            }
        }
        Ok(out)
    }

    /// A column as an exporter x importer matrix over `countries` (`[i * N + j]`) for one
    /// year; `"trade"` gives the trade values. Every pair must be present with a value.
    pub fn pair_matrix(&self, year: i32, countries: &[String], column: &str) -> Result<Vec<f64>, DataError> {
        let col = if column == "trade" { None } else { Some(self.column(column)?) };
        let index: HashMap<&str, usize> = countries.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
        let nn = countries.len();
        let mut matrix = vec![None; nn * nn];
        for row in self.year_rows(year)? {
            let (Some(&i), Some(&j)) = (index.get(row.exporter.as_str()), index.get(row.importer.as_str())) else {
                continue;
            };
            let value = match col {
                None => row.trade,
                Some(c) => row.values[c].ok_or_else(|| self.cell_error(row, column, "is empty; a value is needed".into()))?,
            };
            matrix[i * nn + j] = Some(value);
        }
        matrix
            .iter()
            .enumerate()
            .map(|(idx, v)| {
                v.ok_or_else(|| DataError::NotAvailable {
                    message: format!(
                        "`{}`: no row for exporter {} and importer {} in {year}; the panel must be square",
                        self.file,
                        countries[idx / nn],
                        countries[idx % nn]
                    ),
                })
            })
            .collect()
    }

    fn cell_error(&self, row: &GravityRow, column: &str, message: String) -> DataError {
        DataError::Malformed { file: self.file.clone(), line: row.line, column: column.to_string(), message }
    }

    /// The panel as CSV with the same columns, values in the shortest form that reads back
    /// exactly (kanzei's snapshot form).
    pub fn to_snapshot_csv(&self) -> String {
        let mut out = KEY_COLUMNS.join(",");
        for c in &self.columns {
            out.push(',');
            out.push_str(c);
        }
        out.push('\n');
        for row in &self.rows {
            out.push_str(&format!("{},{},{},{}", row.exporter, row.importer, row.year, row.trade));
            for v in &row.values {
                out.push(',');
                if let Some(v) = v {
                    out.push_str(&format!("{v}"));
                }
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "exporter,importer,year,trade,Y,E,pta\n\
        A,A,2006,10,15,14,0\nA,B,2006,5,15,6,1\nB,A,2006,4,6,14,1\nB,B,2006,2,6,6,0\n";

    #[test]
    fn reads_totals_and_pair_matrices() {
        let panel = GravityPanel::parse("s.csv", SAMPLE.as_bytes()).unwrap();
        assert_eq!(panel.columns, vec!["Y", "E", "pta"]);
        let totals = panel.country_totals(2006, "Y", "E").unwrap();
        assert_eq!(totals.countries, vec!["A", "B"]);
        assert_eq!(totals.output, vec![15.0, 6.0]);
        assert_eq!(totals.expenditure, vec![14.0, 6.0]);
        assert_eq!(panel.pair_matrix(2006, &totals.countries, "pta").unwrap(), vec![0.0, 1.0, 1.0, 0.0]);
        assert_eq!(panel.pair_matrix(2006, &totals.countries, "trade").unwrap(), vec![10.0, 5.0, 4.0, 2.0]);
        let again = GravityPanel::parse("s.csv", panel.to_snapshot_csv().as_bytes()).unwrap();
        assert_eq!(again.rows, panel.rows);
    }

    #[test]
    fn errors_name_file_line_and_column() {
        let bad = SAMPLE.replace("B,A,2006,4,6,14,1", "B,A,2006,4,7,14,1");
        let panel = GravityPanel::parse("s.csv", bad.as_bytes()).unwrap();
        assert_eq!(
            panel.country_totals(2006, "Y", "E").unwrap_err().to_string(),
            "`s.csv` line 5, column `Y`: 6 differs from 7 on line 4 for B; a country's value must repeat"
        );
        let dup = format!("{SAMPLE}A,B,2006,1,15,6,1\n");
        assert_eq!(
            GravityPanel::parse("s.csv", dup.as_bytes()).unwrap_err().to_string(),
            "`s.csv` line 6, column `exporter`: A -> B in 2006 appears twice (first on line 3)"
        );
        let panel = GravityPanel::parse("s.csv", SAMPLE.as_bytes()).unwrap();
        assert_eq!(
            panel.country_totals(2007, "Y", "E").unwrap_err().to_string(),
            "gravity panel `s.csv` has no data for 2007; it has 2006–2006"
        );
    }
}
