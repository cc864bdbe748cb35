//! Trade elasticities θ for the 35 WIOD (2013 release) sectors: Caliendo & Parro's estimates
//! mapped onto WIOD industries by Costinot & Rodríguez-Clare's replication files
//! (`SECTORAL_TRADE_ELASTICITY.csv`: `sector_index<TAB>theta`, no header; services = 100,
//! a device to make them effectively non-traded).

use std::path::Path;

use kanzei_core::Coverage;

use crate::error::DataError;
use crate::read;

/// θ for c1..c35 with provenance.
#[derive(Clone, Debug, PartialEq)]
pub struct WiodThetas {
    /// θ by sector, c1 first.
    pub theta: Vec<f64>,
    /// Load accounting.
    pub coverage: Coverage,
}

/// Parses the tab-separated file.
pub fn parse_wiod_thetas(file: &str, text: &str) -> Result<WiodThetas, DataError> {
    let mut coverage = Coverage::new("wiod_thetas", file, "sectors");
    let mut theta = vec![f64::NAN; 35];
    for (idx, line) in text.lines().enumerate() {
        let line_no = idx as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(['\t', ',']).map(str::trim).collect();
        let bad = |column: &str, message: String| DataError::Malformed { file: file.into(), line: line_no, column: column.into(), message };
        if fields.len() != 2 {
            return Err(DataError::FieldCount { file: file.into(), line: line_no, expected: 2, found: fields.len() });
        }
        let sector: usize = fields[0].parse().map_err(|_| bad("sector_index", format!("`{}` is not a sector number 1–35", fields[0])))?;
        if !(1..=35).contains(&sector) {
            return Err(bad("sector_index", format!("{sector} is not a WIOD sector (1–35)")));
        }
        let value = read::parse_number(fields[1]).ok_or_else(|| bad("theta", format!("`{}` is not a number", fields[1])))?;
        if value <= 0.0 {
            return Err(bad("theta", format!("θ = {value} must be positive")));
        }
        theta[sector - 1] = value;
        coverage.keep(1.0);
    }
    if let Some(missing) = theta.iter().position(|t| t.is_nan()) {
        return Err(DataError::Malformed { file: file.into(), line: 0, column: "sector_index".into(), message: format!("sector {} has no θ", missing + 1) });
    }
    Ok(WiodThetas { theta, coverage })
}

/// Loads from the raw folder.
pub fn load_wiod_thetas(raw: &Path) -> Result<WiodThetas, DataError> {
    let rel = "crc2014_cp_thetas_wiod35/SECTORAL_TRADE_ELASTICITY.csv";
    parse_wiod_thetas(rel, &read::read_to_string(&raw.join(rel))?)
}

/// kanzei's snapshot form: `sector,theta` with a header.
pub fn to_snapshot(t: &WiodThetas) -> String {
    let mut out = String::from("sector,theta\n");
    for (j, v) in t.theta.iter().enumerate() {
        out.push_str(&format!("{},{}\n", j + 1, v));
    }
    out
}

/// Reads the snapshot form.
pub fn from_snapshot(file: &str, text: &str) -> Result<WiodThetas, DataError> {
    let body: String = text.lines().skip(1).map(|l| format!("{l}\n")).collect();
    parse_wiod_thetas(file, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let text: String = (1..=35).map(|j| format!("{j}\t{}.5\n", j)).collect();
        let t = parse_wiod_thetas("t.csv", &text).unwrap();
        assert_eq!(t.theta[14], 15.5);
        assert_eq!(from_snapshot("s", &to_snapshot(&t)).unwrap(), WiodThetas { coverage: Coverage { source: "s".into(), ..t.coverage.clone() }, ..t.clone() });
        let err = parse_wiod_thetas("t.csv", "36\t2\n").unwrap_err();
        assert_eq!(err.to_string(), "`t.csv` line 1, column `sector_index`: 36 is not a WIOD sector (1–35)");
        let err = parse_wiod_thetas("t.csv", "1\t-2\n").unwrap_err();
        assert_eq!(err.to_string(), "`t.csv` line 1, column `theta`: θ = -2 must be positive");
    }
}
