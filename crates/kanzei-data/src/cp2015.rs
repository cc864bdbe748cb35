//! Caliendo & Parro (2015) NAFTA replication data (`../shared/data/raw/caliendo_parro_2015`).
//!
//! The original package's `Equilibrium` text files, tab-separated numeric matrices without
//! headers (layouts from the dataset's SOURCE.md, checked numerically):
//!
//! | file | shape | content |
//! |---|---|---|
//! | `xbilat1993.txt` | 620 x 31 | trade 1993, thousands of USD, net of tariffs; row (j−1)·31+n = sector j, **importer** n; column = **exporter** i; 20 tradable sectors |
//! | `tariffs1993.txt`, `tariffs2005.txt` | 620 x 31 | applied tariffs in percent, same layout |
//! | `IO.txt` | 1240 x 40 | per country a 40 x 40 block, rows = input k, columns = using sector j; columns sum to 1 |
//! | `B.txt` | 40 x 31 | value-added share of gross output, sector x country |
//! | `GO.txt` | 40 x 31 | gross output in USD, sector x country |
//! | `T.txt` | 20 | θ of the tradable sectors (non-tradables use 8.22 in CP's code) |
//!
//! [`Cp2015Data`] keeps the files' values as read and hands them out in the layouts the
//! GE crate's `ObservedEconomy` wants (see the methods); the unit conversions of CP's
//! `script.m` (thousands to dollars, percent to fractions) happen there and are named in
//! each method. [`Cp2015Data::to_snapshot`] / [`Cp2015Data::from_snapshot`] are a compact
//! single-file form for kanzei's embedded snapshot that reads back bit for bit.

use std::path::Path;

use kanzei_core::Coverage;

use crate::error::DataError;
use crate::read;

/// The 31 regions, in the files' order (CAN = 5, MEX = 20, USA = 30, counting from 1).
pub const COUNTRIES: [&str; 31] = [
    "ARG", "AUS", "AUT", "BRA", "CAN", "CHL", "CHN", "DNK", "FIN", "FRA", "DEU", "GRC", "HUN", "IND", "IDN", "IRL",
    "ITA", "JPN", "KOR", "MEX", "NLD", "NZL", "NOR", "PRT", "ZAF", "ESP", "SWE", "TUR", "GBR", "USA", "ROW",
];

/// The 40 sectors: 20 tradables, then 20 non-tradables.
pub const SECTORS: [&str; 40] = [
    "Agriculture", "Mining", "Food", "Textile", "Wood", "Paper", "Petroleum", "Chemicals", "Plastic", "Minerals",
    "Basic metals", "Metal products", "Machinery n.e.c.", "Office", "Electrical", "Communication", "Medical", "Auto",
    "Other Transport", "Other", "Electricity", "Construction", "Retail", "Hotels", "Land Transport", "Water Transport",
    "Air Transport", "Aux Transport", "Post", "Finance", "Real Estate", "Renting Mach.", "Computer", "R&D",
    "Other Business", "Public", "Education", "Health", "Other services", "Private",
];

/// Number of tradable sectors (the first 20).
pub const N_TRADABLE: usize = 20;

/// θ that CP's code gives the non-tradable sectors.
pub const NONTRADABLE_THETA: f64 = 8.22;

const N: usize = 31;
const J: usize = 40;

/// The files, by role, with their shapes (rows, columns).
pub const FILES: [(&str, usize, usize); 7] = [
    ("xbilat1993.txt", N_TRADABLE * N, N),
    ("tariffs1993.txt", N_TRADABLE * N, N),
    ("tariffs2005.txt", N_TRADABLE * N, N),
    ("IO.txt", N * J, J),
    ("B.txt", J, N),
    ("GO.txt", J, N),
    ("T.txt", N_TRADABLE, 1),
];

/// Which tariff file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TariffYear {
    /// `tariffs1993.txt`, the baseline.
    Y1993,
    /// `tariffs2005.txt`, the NAFTA counterfactual's source.
    Y2005,
}

/// The CP 1993 data as read.
#[derive(Clone, Debug, PartialEq)]
pub struct Cp2015Data {
    /// `xbilat1993.txt` (620 x 31, row-major), thousands of USD.
    pub xbilat_kusd: Vec<f64>,
    /// `tariffs1993.txt` (620 x 31), percent.
    pub tariffs_1993_pct: Vec<f64>,
    /// `tariffs2005.txt` (620 x 31), percent.
    pub tariffs_2005_pct: Vec<f64>,
    /// `IO.txt` (1240 x 40).
    pub io: Vec<f64>,
    /// `B.txt` (40 x 31).
    pub value_added_share_by_sector: Vec<f64>,
    /// `GO.txt` (40 x 31), USD.
    pub gross_output_usd_by_sector: Vec<f64>,
    /// `T.txt` (20).
    pub theta_tradable: Vec<f64>,
    /// Load accounting (value = 1993 trade, thousands of USD).
    pub coverage: Coverage,
}

/// Parses a headerless whitespace-separated numeric matrix of the given shape.
fn parse_matrix(file: &str, text: &str, rows: usize, cols: usize) -> Result<Vec<f64>, DataError> {
    let mut values = Vec::with_capacity(rows * cols);
    let mut row = 0;
    for (line_idx, line) in text.lines().enumerate() {
        let line_no = line_idx as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        if row == rows {
            return Err(DataError::Malformed {
                file: file.into(),
                line: line_no,
                column: "#1".into(),
                message: format!("expected {rows} rows of numbers; this is row {}", row + 1),
            });
        }
        let mut count = 0;
        for (col, field) in line.split_whitespace().enumerate() {
            let value = read::parse_number(field).ok_or_else(|| DataError::Malformed {
                file: file.into(),
                line: line_no,
                column: format!("#{}", col + 1),
                message: format!("`{field}` is not a number"),
            })?;
            count += 1;
            if count <= cols {
                values.push(value);
            }
        }
        if count != cols {
            return Err(DataError::FieldCount { file: file.into(), line: line_no, expected: cols, found: count });
        }
        row += 1;
    }
    if row != rows {
        return Err(DataError::Malformed {
            file: file.into(),
            line: text.lines().count() as u64,
            column: "#1".into(),
            message: format!("the file ends after {row} rows; expected {rows} rows of {cols} numbers"),
        });
    }
    Ok(values)
}

fn check_nonnegative(file: &str, values: &[f64], cols: usize, what: &str) -> Result<(), DataError> {
    match values.iter().position(|v| *v < 0.0) {
        None => Ok(()),
        Some(idx) => Err(DataError::Malformed {
            file: file.into(),
            line: (idx / cols) as u64 + 1,
            column: format!("#{}", idx % cols + 1),
            message: format!("{} is negative; {what} must be >= 0", values[idx]),
        }),
    }
}

impl Cp2015Data {
    /// Reads the seven files from `dir`.
    pub fn load(dir: &Path) -> Result<Cp2015Data, DataError> {
        let mut texts = Vec::with_capacity(FILES.len());
        for (name, _, _) in FILES {
            texts.push(read::read_to_string(&dir.join(name))?);
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        Cp2015Data::parse(&refs)
    }

    /// Parses the files' texts, in the order of [`FILES`].
    pub fn parse(texts: &[&str]) -> Result<Cp2015Data, DataError> {
        if texts.len() != FILES.len() {
            return Err(DataError::NotAvailable {
                message: format!("Caliendo-Parro data needs {} files, got {}", FILES.len(), texts.len()),
            });
        }
        let mut matrices = Vec::with_capacity(FILES.len());
        for ((name, rows, cols), text) in FILES.iter().zip(texts) {
            matrices.push(parse_matrix(name, text, *rows, *cols)?);
        }
        Cp2015Data::from_matrices(matrices)
    }

    /// Checks and assembles the seven matrices (in the order of [`FILES`]).
    fn from_matrices(mut matrices: Vec<Vec<f64>>) -> Result<Cp2015Data, DataError> {
        let theta_tradable = matrices.pop().unwrap_or_default();
        let gross_output_usd_by_sector = matrices.pop().unwrap_or_default();
        let value_added_share_by_sector = matrices.pop().unwrap_or_default();
        let io = matrices.pop().unwrap_or_default();
        let tariffs_2005_pct = matrices.pop().unwrap_or_default();
        let tariffs_1993_pct = matrices.pop().unwrap_or_default();
        let xbilat_kusd = matrices.pop().unwrap_or_default();
        check_nonnegative("xbilat1993.txt", &xbilat_kusd, N, "trade flows")?;
        check_nonnegative("tariffs1993.txt", &tariffs_1993_pct, N, "tariffs")?;
        check_nonnegative("tariffs2005.txt", &tariffs_2005_pct, N, "tariffs")?;
        check_nonnegative("GO.txt", &gross_output_usd_by_sector, N, "gross output")?;
        if let Some(idx) = value_added_share_by_sector.iter().position(|v| !(0.0..=1.0).contains(v)) {
            return Err(DataError::Malformed {
                file: "B.txt".into(),
                line: (idx / N) as u64 + 1,
                column: format!("#{}", idx % N + 1),
                message: format!("{} is not a share; value-added shares lie in [0, 1]", value_added_share_by_sector[idx]),
            });
        }
        if let Some(idx) = theta_tradable.iter().position(|v| v.is_nan() || *v <= 0.0) {
            return Err(DataError::Malformed {
                file: "T.txt".into(),
                line: idx as u64 + 1,
                column: "#1".into(),
                message: format!("{} is not a trade elasticity; θ must be positive", theta_tradable[idx]),
            });
        }
        let mut coverage =
            Coverage::new("caliendo_parro_2015", "xbilat1993.txt", "1993 trade, thousands of USD (20 tradable sectors)");
        for (idx, &v) in xbilat_kusd.iter().enumerate() {
            // The diagonal is zero by construction: domestic sales come from GO.
            let (row, col) = (idx / N, idx % N);
            if row % N == col && v != 0.0 {
                return Err(DataError::Malformed {
                    file: "xbilat1993.txt".into(),
                    line: row as u64 + 1,
                    column: format!("#{}", col + 1),
                    message: format!("{v} on the diagonal (importer = exporter); domestic sales must be 0 here"),
                });
            }
            coverage.keep(v);
        }
        Ok(Cp2015Data {
            xbilat_kusd,
            tariffs_1993_pct,
            tariffs_2005_pct,
            io,
            value_added_share_by_sector,
            gross_output_usd_by_sector,
            theta_tradable,
            coverage,
        })
    }

    /// Country codes (31).
    pub fn countries(&self) -> Vec<String> {
        COUNTRIES.iter().map(|c| c.to_string()).collect()
    }

    /// Sector names (40).
    pub fn sectors(&self) -> Vec<String> {
        SECTORS.iter().map(|s| s.to_string()).collect()
    }

    /// Whether each sector is tradable (40).
    pub fn tradable(&self) -> Vec<bool> {
        (0..J).map(|j| j < N_TRADABLE).collect()
    }

    /// θ for all 40 sectors: `T.txt`, then [`NONTRADABLE_THETA`] (CP's `script.m`).
    pub fn theta(&self) -> Vec<f64> {
        let mut theta = self.theta_tradable.clone();
        theta.resize(J, NONTRADABLE_THETA);
        theta
    }

    /// Trade flows in USD net of tariffs (`xbilat` × 1000, CP's step 1), sector x importer x
    /// exporter = 40 x 31 x 31, `[(j·31 + n)·31 + i]`; zero for non-tradables.
    pub fn trade_flows_usd(&self) -> Vec<f64> {
        let mut flows = vec![0.0; J * N * N];
        for (idx, v) in self.xbilat_kusd.iter().enumerate() {
            // The file's row (j, n) and column i map to the same linear index.
            flows[idx] = v * 1000.0;
        }
        flows
    }

    /// Tariffs as fractions (percent / 100), 40 x 31 x 31 like [`Self::trade_flows_usd`];
    /// zero for non-tradables.
    pub fn tariff_rates(&self, year: TariffYear) -> Vec<f64> {
        let source = match year {
            TariffYear::Y1993 => &self.tariffs_1993_pct,
            TariffYear::Y2005 => &self.tariffs_2005_pct,
        };
        let mut rates = vec![0.0; J * N * N];
        for (idx, v) in source.iter().enumerate() {
            rates[idx] = v / 100.0;
        }
        rates
    }

    /// Gross output in USD, country x sector = 31 x 40, `[n·40 + j]`.
    pub fn gross_output_usd(&self) -> Vec<f64> {
        transpose(&self.gross_output_usd_by_sector, J, N)
    }

    /// Value-added shares, country x sector = 31 x 40.
    pub fn value_added_share(&self) -> Vec<f64> {
        transpose(&self.value_added_share_by_sector, J, N)
    }

    /// Input shares of intermediate purchases, country x input x user = 31 x 40 x 40,
    /// `[(n·40 + k)·40 + j]` (the file's own order).
    pub fn input_shares(&self) -> Vec<f64> {
        self.io.clone()
    }

    /// The compact single-file form: a header line, then each file as a `[name rows cols]`
    /// line followed by its values, one row per line, tab-separated, each value in the
    /// shortest decimal form that reads back to the same `f64`.
    pub fn to_snapshot(&self) -> String {
        let mut out = String::from("# kanzei snapshot of caliendo_parro_2015 v1\n");
        let parts: [&Vec<f64>; 7] = [
            &self.xbilat_kusd,
            &self.tariffs_1993_pct,
            &self.tariffs_2005_pct,
            &self.io,
            &self.value_added_share_by_sector,
            &self.gross_output_usd_by_sector,
            &self.theta_tradable,
        ];
        for ((name, rows, cols), values) in FILES.iter().zip(parts) {
            out.push_str(&format!("[{name} {rows} {cols}]\n"));
            for row in values.chunks(*cols) {
                let line: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
                out.push_str(&line.join("\t"));
                out.push('\n');
            }
        }
        out
    }

    /// Reads [`Self::to_snapshot`]'s form; `name` is used in error messages.
    pub fn from_snapshot(name: &str, text: &str) -> Result<Cp2015Data, DataError> {
        let mut sections: Vec<(usize, String)> = Vec::new();
        let mut current: Option<String> = None;
        let mut start_line = 0;
        for (idx, line) in text.lines().enumerate() {
            if line.starts_with('#') {
                continue;
            }
            if let Some(header) = line.strip_prefix('[') {
                if let Some(body) = current.take() {
                    sections.push((start_line, body));
                }
                let expected = FILES.get(sections.len()).map(|f| f.0).unwrap_or("(none)");
                let file = header.split_whitespace().next().unwrap_or("");
                if file != expected {
                    return Err(DataError::Malformed {
                        file: name.into(),
                        line: idx as u64 + 1,
                        column: "#1".into(),
                        message: format!("section `{file}` where `{expected}` was expected"),
                    });
                }
                current = Some(String::new());
                start_line = idx + 1;
                continue;
            }
            match current.as_mut() {
                Some(body) => {
                    body.push_str(line);
                    body.push('\n');
                }
                None => {
                    return Err(DataError::Malformed {
                        file: name.into(),
                        line: idx as u64 + 1,
                        column: "#1".into(),
                        message: "data before the first `[file rows cols]` section".into(),
                    })
                }
            }
        }
        if let Some(body) = current.take() {
            sections.push((start_line, body));
        }
        if sections.len() != FILES.len() {
            return Err(DataError::Malformed {
                file: name.into(),
                line: text.lines().count() as u64,
                column: "#1".into(),
                message: format!("{} sections; expected {}", sections.len(), FILES.len()),
            });
        }
        // Sections are parsed under the snapshot's name, with line numbers offset to the
        // snapshot's own lines.
        let mut parsed = Vec::with_capacity(FILES.len());
        for ((file, rows, cols), (start, body)) in FILES.iter().zip(&sections) {
            let values = parse_matrix(file, body, *rows, *cols).map_err(|err| match err {
                DataError::Malformed { line, column, message, .. } => DataError::Malformed {
                    file: format!("{name} (section {file})"),
                    line: line + *start as u64,
                    column,
                    message,
                },
                DataError::FieldCount { line, expected, found, .. } => DataError::FieldCount {
                    file: format!("{name} (section {file})"),
                    line: line + *start as u64,
                    expected,
                    found,
                },
                other => other,
            })?;
            parsed.push(values);
        }
        Cp2015Data::from_matrices(parsed)
    }
}

fn transpose(values: &[f64], rows: usize, cols: usize) -> Vec<f64> {
    let mut out = vec![0.0; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = values[r * cols + c];
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matrix_errors_name_file_line_and_column() {
        let err = parse_matrix("B.txt", "1\t2\n3\tx\n", 2, 2).unwrap_err();
        assert_eq!(err.to_string(), "`B.txt` line 2, column `#2`: `x` is not a number");
        let err = parse_matrix("B.txt", "1\t2\n3\n", 2, 2).unwrap_err();
        assert_eq!(err.to_string(), "`B.txt` line 2: expected 2 fields, found 1 (truncated or misquoted row?)");
        let err = parse_matrix("B.txt", "1\t2\n", 2, 2).unwrap_err();
        assert_eq!(err.to_string(), "`B.txt` line 1, column `#1`: the file ends after 1 rows; expected 2 rows of 2 numbers");
    }

    #[test]
    fn transpose_is_sector_major_to_country_major() {
        // 2 sectors x 3 countries.
        let by_sector = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        assert_eq!(transpose(&by_sector, 2, 3), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }
}
