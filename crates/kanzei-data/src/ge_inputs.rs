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

/// Caliendo & Parro's (2015) sectors in the order of the estimation file's sector index
/// (`DATA_OUT_100.csv`, 19 sectors). The names follow the paper's Table 1; the order is
/// established by the point estimates, which equal the paper's full-sample column (see
/// `bench/reference/cp2015_theta/README.md`).
pub const CP_ESTIMATION_SECTORS: [&str; 19] = [
    "Agriculture",
    "Mining",
    "Food",
    "Textile",
    "Wood",
    "Paper",
    "Petroleum",
    "Chemicals",
    "Plastic",
    "Minerals",
    "Basic metals",
    "Metal products",
    "Machinery n.e.c.",
    "Office",
    "Electrical",
    "Communication",
    "Auto",
    "Other Transport",
    "Other",
];

/// One sector's θ estimate re-derived from CP's estimation data.
#[derive(Clone, Debug, PartialEq)]
pub struct ThetaEstimate {
    /// Sector index in the estimation file (1-based).
    pub index: usize,
    /// Sector name ([`CP_ESTIMATION_SECTORS`]).
    pub sector: String,
    /// Observations used (finite y and x).
    pub rows_used: usize,
    /// Observations dropped (a non-finite log ratio: a zero flow in the triple).
    pub rows_dropped: usize,
    /// θ̂ = −b from y = b·x + ε without constant (CP 2015, eq. (28)).
    pub theta: f64,
    /// Homoskedastic OLS standard error.
    pub se_ols: f64,
    /// Heteroskedasticity-robust (White/HC1) standard error: the one draws use.
    pub se_hc1: f64,
}

/// θ estimates for every sector of the estimation file.
#[derive(Clone, Debug, PartialEq)]
pub struct ThetaEstimates {
    /// In sector-index order.
    pub rows: Vec<ThetaEstimate>,
    /// Load accounting (rows of the estimation file).
    pub coverage: Coverage,
}

/// Re-estimates θ by sector from CP's `DATA_OUT_100.csv` (no header; columns: sector index,
/// y = log ratio of trade triples, x = log ratio of tariff triples, then 16 country dummies
/// that the regression through the origin does not use): θ̂ = −Σxy/Σx², with OLS and HC1
/// standard errors. Rows with a non-finite y or x are set aside, counted per sector.
pub fn estimate_cp_thetas(file: &str, text: &str) -> Result<ThetaEstimates, DataError> {
    let mut coverage = Coverage::new("cp2015_theta_estimates", file, "regression rows");
    let mut by_sector: Vec<Vec<(f64, f64)>> = vec![Vec::new(); CP_ESTIMATION_SECTORS.len()];
    let mut dropped = vec![0usize; CP_ESTIMATION_SECTORS.len()];
    for (idx, line) in text.lines().enumerate() {
        let line_no = idx as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() < 3 {
            return Err(DataError::FieldCount { file: file.into(), line: line_no, expected: 19, found: fields.len() });
        }
        let bad = |column: &str, message: String| DataError::Malformed { file: file.into(), line: line_no, column: column.into(), message };
        let sector: usize = fields[0]
            .parse::<f64>()
            .ok()
            .filter(|v| v.fract() == 0.0 && *v >= 1.0 && *v <= CP_ESTIMATION_SECTORS.len() as f64)
            .map(|v| v as usize)
            .ok_or_else(|| bad("sector", format!("`{}` is not a sector index 1–{}", fields[0], CP_ESTIMATION_SECTORS.len())))?;
        // MATLAB writes NaN and Inf for log ratios of zero flows.
        let y = fields[1].parse::<f64>().map_err(|_| bad("y", format!("`{}` is not a number", fields[1])))?;
        let x = fields[2].parse::<f64>().map_err(|_| bad("x", format!("`{}` is not a number", fields[2])))?;
        if y.is_finite() && x.is_finite() {
            by_sector[sector - 1].push((x, y));
            coverage.keep(1.0);
        } else {
            dropped[sector - 1] += 1;
            // CP's regression drops these too (a zero flow has no log).
            coverage.reject("log ratio not finite (a zero trade flow in the triple)", 1.0, || format!("line {line_no}: sector {sector}"));
        }
    }
    let mut rows = Vec::new();
    for (j, obs) in by_sector.iter().enumerate() {
        if obs.len() < 2 {
            return Err(DataError::Malformed {
                file: file.into(),
                line: 0,
                column: "sector".into(),
                message: format!("sector {} ({}) has {} usable rows; at least 2 are needed", j + 1, CP_ESTIMATION_SECTORS[j], obs.len()),
            });
        }
        let sxx: f64 = obs.iter().map(|(x, _)| x * x).sum();
        let sxy: f64 = obs.iter().map(|(x, y)| x * y).sum();
        let b = sxy / sxx;
        let n = obs.len() as f64;
        let ssr: f64 = obs.iter().map(|(x, y)| (y - b * x).powi(2)).sum();
        let meat: f64 = obs.iter().map(|(x, y)| (x * (y - b * x)).powi(2)).sum();
        rows.push(ThetaEstimate {
            index: j + 1,
            sector: CP_ESTIMATION_SECTORS[j].into(),
            rows_used: obs.len(),
            rows_dropped: dropped[j],
            theta: -b,
            se_ols: (ssr / (n - 1.0) / sxx).sqrt(),
            se_hc1: (n / (n - 1.0) * meat).sqrt() / sxx,
        });
    }
    Ok(ThetaEstimates { rows, coverage })
}

/// Loads and estimates from the raw folder.
pub fn load_cp_thetas(raw: &Path) -> Result<ThetaEstimates, DataError> {
    let rel = "caliendo_parro_2015/elasticity_estimation/DATA_OUT_100.csv";
    estimate_cp_thetas(rel, &read::read_to_string(&raw.join(rel))?)
}

/// Snapshot form of the estimates.
pub fn cp_thetas_to_snapshot(t: &ThetaEstimates) -> String {
    let mut out = String::from("index,sector,rows_used,rows_dropped,theta,se_ols,se_hc1\n");
    for r in &t.rows {
        out.push_str(&format!("{},{},{},{},{},{},{}\n", r.index, r.sector, r.rows_used, r.rows_dropped, r.theta, r.se_ols, r.se_hc1));
    }
    out
}

/// Reads the snapshot form.
pub fn cp_thetas_from_snapshot(file: &str, text: &str) -> Result<ThetaEstimates, DataError> {
    let mut coverage = Coverage::new("cp2015_theta_estimates", file, "sectors");
    let mut rows = Vec::new();
    for (idx, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let bad = |message: String| DataError::Malformed { file: file.into(), line: idx as u64 + 1, column: "row".into(), message };
        if f.len() != 7 {
            return Err(DataError::FieldCount { file: file.into(), line: idx as u64 + 1, expected: 7, found: f.len() });
        }
        let int = |s: &str| s.parse::<usize>().map_err(|_| bad(format!("`{s}` is not a count")));
        let num = |s: &str| s.parse::<f64>().map_err(|_| bad(format!("`{s}` is not a number")));
        rows.push(ThetaEstimate {
            index: int(f[0])?,
            sector: f[1].into(),
            rows_used: int(f[2])?,
            rows_dropped: int(f[3])?,
            theta: num(f[4])?,
            se_ols: num(f[5])?,
            se_hc1: num(f[6])?,
        });
        coverage.keep(1.0);
    }
    Ok(ThetaEstimates { rows, coverage })
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
