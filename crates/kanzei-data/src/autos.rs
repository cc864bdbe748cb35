//! Automobile statistics for the brief's "third countries" section: Toyota's production,
//! sales and exports by country (company results) and OICA world motor-vehicle production by
//! country.
//!
//! * Toyota, "Production, Sales and Export Results" (`derived_toyota_by_country_region_long.csv`:
//!   `table, region, country, period, units`; calendar years are the periods `2007`…`2023`
//!   and `2024 Cumulative Total`; fiscal years, half-years and months are set aside and
//!   counted). Units are vehicles, Toyota and Lexus.
//! * OICA (`oica_production_country_year.csv`: `country, year, production`; country names
//!   may carry footnote text in quotes, which is stripped and reported).

use std::io::Read;
use std::path::Path;

use kanzei_core::{Coverage, SourceRef};
use serde::Serialize;

use crate::error::DataError;
use crate::read::{self, Table, TableOptions};

/// One Toyota figure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToyotaRow {
    /// `sales`, `production` or `exports`.
    pub table: String,
    /// Region as Toyota prints it ("North America").
    pub region: String,
    /// Country ("Canada"; empty for the region's subtotal).
    pub country: String,
    /// Calendar year.
    pub year: i32,
    /// Vehicles.
    pub units: f64,
}

/// Toyota's results by country.
#[derive(Clone, Debug)]
pub struct ToyotaResults {
    /// Rows, calendar years only.
    pub rows: Vec<ToyotaRow>,
    /// Load accounting (value = vehicles).
    pub coverage: Coverage,
}

impl ToyotaResults {
    /// Source reference.
    pub fn source(year: i32) -> SourceRef {
        SourceRef {
            dataset: "toyota_results".into(),
            publisher: "Toyota Motor Corporation".into(),
            citation: "Toyota Motor Corporation, Production, Sales and Export Results (December 2024 and calendar 2024)".into(),
            basis: "vehicles, Toyota and Lexus, calendar year".into(),
            period: year.to_string(),
        }
    }

    /// Parses the long layout (also kanzei's snapshot form, which keeps the same columns
    /// with the year in `period`).
    pub fn parse<R: Read>(file: &str, source: R) -> Result<ToyotaResults, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let cols = table.require(&["table", "region", "country", "period", "units"])?;
        let mut coverage = Coverage::new("toyota_results", file, "vehicles");
        let mut rows = Vec::new();
        while let Some(row) = table.next_row()? {
            let period = row.str(cols[3]);
            let units = row.opt_f64(cols[4])?.unwrap_or(0.0);
            let year = if period.len() == 4 {
                period.parse::<i32>().ok()
            } else {
                period.strip_suffix(" Cumulative Total").and_then(|y| y.parse::<i32>().ok())
            };
            let Some(year) = year else {
                coverage.reject("not a calendar year (fiscal year, half-year or month)", units, || format!("line {}: {period}", row.line()));
                continue;
            };
            coverage.keep(units);
            rows.push(ToyotaRow {
                table: row.str(cols[0]).to_string(),
                region: row.str(cols[1]).to_string(),
                country: row.str(cols[2]).to_string(),
                year,
                units,
            });
        }
        Ok(ToyotaResults { rows, coverage })
    }

    /// Writes the kept rows in the same layout (the year as the period).
    pub fn to_snapshot_csv(&self) -> String {
        let mut out = String::from("table,region,country,period,units\n");
        for r in &self.rows {
            out.push_str(&format!(
                "{},{},{},{},{}\n",
                r.table,
                crate::snapshot::csv_field(&r.region),
                crate::snapshot::csv_field(&r.country),
                r.year,
                r.units
            ));
        }
        out
    }

    /// A figure: table (`production`…), country (as Toyota names it; "" for the region
    /// subtotal), region (needed for subtotals), year.
    pub fn get(&self, table: &str, region: &str, country: &str, year: i32) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.table == table && r.year == year && r.country == country && (region.is_empty() || r.region == region))
            .map(|r| r.units)
    }

    /// Countries of a table and year with their units, largest first.
    pub fn by_country(&self, table: &str, year: i32) -> Vec<(&ToyotaRow, f64)> {
        let mut out: Vec<(&ToyotaRow, f64)> =
            self.rows.iter().filter(|r| r.table == table && r.year == year && !r.country.is_empty()).map(|r| (r, r.units)).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        out
    }
}

/// OICA production by country.
#[derive(Clone, Debug)]
pub struct OicaProduction {
    /// (country as OICA names it, cleaned; year; vehicles).
    pub rows: Vec<(String, i32, f64)>,
    /// Load accounting.
    pub coverage: Coverage,
}

impl OicaProduction {
    /// Source reference.
    pub fn source(year: i32) -> SourceRef {
        SourceRef {
            dataset: "oica_production".into(),
            publisher: "OICA (International Organization of Motor Vehicle Manufacturers)".into(),
            citation: "OICA, World motor vehicle production by country/region and type".into(),
            basis: "all motor vehicles (some countries cars or LCV only)".into(),
            period: year.to_string(),
        }
    }

    /// Parses `country, year, production`.
    pub fn parse<R: Read>(file: &str, source: R) -> Result<OicaProduction, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let cols = table.require(&["country", "year", "production"])?;
        let mut coverage = Coverage::new("oica_production", file, "vehicles");
        let mut rows = Vec::new();
        while let Some(row) = table.next_row()? {
            let raw = row.str(cols[0]);
            let year = row.year(cols[1])?;
            let value = row.opt_f64(cols[2])?.unwrap_or(0.0);
            // Footnotes ride along in the name ("CHINA \"cars only\""); region rows start with "-".
            let name = raw.split('"').next().unwrap_or(raw).trim().trim_start_matches("- ").to_string();
            coverage.keep(value);
            rows.push((name, year, value));
        }
        Ok(OicaProduction { rows, coverage })
    }

    /// Writes the cleaned rows.
    pub fn to_snapshot_csv(&self) -> String {
        let mut out = String::from("country,year,production\n");
        for (c, y, v) in &self.rows {
            out.push_str(&format!("{},{y},{v}\n", crate::snapshot::csv_field(c)));
        }
        out
    }

    /// Production of a country (OICA's upper-case name, e.g. "JAPAN", "USA") in a year.
    pub fn get(&self, country: &str, year: i32) -> Option<f64> {
        self.rows.iter().find(|(c, y, _)| c.eq_ignore_ascii_case(country) && *y == year).map(|(_, _, v)| *v)
    }
}

/// Loads both from the raw folder.
pub fn load_raw(raw: &Path) -> Result<(ToyotaResults, OicaProduction), DataError> {
    let t = "autos_toyota_oica_us_imports/derived_toyota_by_country_region_long.csv";
    let o = "autos_toyota_oica_us_imports/oica_production_country_year.csv";
    Ok((ToyotaResults::parse(t, read::open(&raw.join(t))?)?, OicaProduction::parse(o, read::open(&raw.join(o))?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_years_kept_others_counted() {
        let text = "table,region,country,period,units\nproduction,North America,Canada,2024 Cumulative Total,533587.0\nproduction,North America,Canada,FY2023,500000\nsales,Asia,Japan,Sep.2024,10\n";
        let t = ToyotaResults::parse("t.csv", text.as_bytes()).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.get("production", "North America", "Canada", 2024), Some(533_587.0));
        assert_eq!(t.coverage.rows_rejected(), 2);
        assert!(t.coverage.reconciles(1e-12));
        let o = OicaProduction::parse("o.csv", "country,year,production\n\"CHINA \"\"cars only\"\"\",2024,1\nJAPAN,2024,8234681\n".as_bytes()).unwrap();
        assert_eq!(o.get("japan", 2024), Some(8_234_681.0));
        assert_eq!(o.rows[0].0, "CHINA");
    }
}
