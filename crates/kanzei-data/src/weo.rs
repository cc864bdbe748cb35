//! IMF World Economic Outlook (October 2025): GDP in U.S. dollars and national currency,
//! growth, population and other macro series by area and year, with the year after which
//! values are IMF projections.
//!
//! Two layouts are read:
//! * the long layout of the IMF data portal export (`unit, ref_area, freq, scale, concept,
//!   year, value`, values already divided by 10^scale), optionally with the series-notes
//!   file (`ref_area, concept, …, lastactualdate`);
//! * the classic WEO "by countries" tab-delimited download (`WEO Country Code, ISO, WEO
//!   Subject Code, …, Units, Scale, …, 1980 … 2030, Estimates Start After`).
//!
//! Values are stored as published (e.g. NGDPD in billions of USD); [`Weo::value_usd`]
//! converts to units.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use kanzei_core::{Coverage, SourceRef};

use crate::error::DataError;
use crate::read::{is_missing_marker, parse_number, Table, TableOptions};

/// The concepts kanzei keeps in its snapshot.
pub const WEO_CONCEPTS: &[&str] = &[
    "NGDPD",       // GDP, current prices, USD (billions)
    "NGDP",        // GDP, current prices, national currency (billions)
    "NGDP_FY",     // GDP, fiscal year, national currency (Japan's defence budget is fiscal-year)
    "NGDP_RPCH",   // real GDP growth, %
    "NGDPDPC",     // GDP per capita, USD
    "PPPGDP",      // GDP, PPP international dollars (billions)
    "LP",          // population (millions)
    "PCPIPCH",     // inflation, average consumer prices, %
    "BCA",         // current account, USD (billions)
    "BCA_NGDPD",   // current account, % of GDP
    "GGX_NGDP",    // general government expenditure, % of GDP
    "GGXWDG_NGDP", // general government gross debt, % of GDP
];

/// One series: an area's concept over years.
#[derive(Clone, Debug, PartialEq)]
pub struct WeoSeries {
    /// Unit code (`USD`, `XDC` national currency, `PT` percent, …).
    pub unit: String,
    /// Power of ten the values are expressed in (9 = billions).
    pub scale: i32,
    /// Year → value, in `unit × 10^scale`.
    pub values: BTreeMap<i32, f64>,
    /// Last year of actual data; later years are IMF projections.
    pub last_actual_year: Option<i32>,
}

/// The WEO table.
#[derive(Clone, Debug, Default)]
pub struct Weo {
    /// (area, concept) → series.
    pub series: HashMap<(String, String), WeoSeries>,
    /// Load accounting (value = count of observations, since units differ).
    pub coverage: Option<Coverage>,
}

impl Weo {
    /// Source reference.
    pub fn source(&self, concept: &str, period: &str) -> SourceRef {
        SourceRef {
            dataset: "imf_weo".into(),
            publisher: "International Monetary Fund".into(),
            citation: "IMF, World Economic Outlook database, October 2025".into(),
            basis: format!("{concept}; values after the last actual year are IMF projections"),
            period: period.into(),
        }
    }

    /// Parses the long layout, keeping only `concepts` (all if empty).
    pub fn parse_long<R: Read>(file: &str, source: R, concepts: &[&str]) -> Result<Weo, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let cols = table.require(&["unit", "ref_area", "scale", "concept", "year", "value"])?;
        // kanzei's snapshot adds each series' last actual year as a column.
        let last_col = table.position("last_actual_year");
        // Coverage counts observations: the series have different units, so a value sum
        // would mean nothing.
        let mut coverage = Coverage::new("imf_weo", file, "observations");
        let mut weo = Weo::default();
        while let Some(row) = table.next_row()? {
            let concept = row.str(cols[3]);
            if !concepts.is_empty() && !concepts.contains(&concept) {
                coverage.reject("concept not kept in kanzei's WEO subset", 1.0, || concept.to_string());
                continue;
            }
            let year = row.year(cols[4])?;
            let Some(value) = row.opt_f64(cols[5])? else {
                coverage.reject("no value (blank)", 1.0, || format!("line {}", row.line()));
                continue;
            };
            let scale = row.f64(cols[2])? as i32;
            let key = (row.str(cols[1]).to_string(), concept.to_string());
            let series = weo.series.entry(key).or_insert_with(|| WeoSeries {
                unit: row.str(cols[0]).to_string(),
                scale,
                values: BTreeMap::new(),
                last_actual_year: None,
            });
            series.values.insert(year, value);
            if let Some(col) = last_col {
                if !row.str(col).is_empty() {
                    series.last_actual_year = Some(row.year(col)?);
                }
            }
            coverage.keep(1.0);
        }
        weo.coverage = Some(coverage);
        Ok(weo)
    }

    /// Adds `lastactualdate` from the series-notes file (`ref_area, concept, …,
    /// lastactualdate`).
    pub fn attach_notes<R: Read>(&mut self, file: &str, source: R) -> Result<(), DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let cols = table.require(&["ref_area", "concept", "lastactualdate"])?;
        while let Some(row) = table.next_row()? {
            let key = (row.str(cols[0]).to_string(), row.str(cols[1]).to_string());
            if let Some(series) = self.series.get_mut(&key) {
                let text = row.str(cols[2]);
                // "2024" or "2024-12-31" or "FY2023/24": take the first four digits.
                series.last_actual_year = text.get(..4).and_then(|y| y.parse().ok());
            }
        }
        Ok(())
    }

    /// Parses the classic tab-delimited WEO download.
    pub fn parse_classic<R: Read>(file: &str, source: R, concepts: &[&str]) -> Result<Weo, DataError> {
        let mut table = Table::new(file, source, TableOptions { delimiter: b'\t', skip_lines: 0 })?;
        let cols = table.require(&["ISO", "WEO Subject Code", "Units", "Scale", "Estimates Start After"])?;
        let year_cols: Vec<(usize, i32)> = table
            .headers()
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.parse::<i32>().ok().filter(|y| (1900..=2100).contains(y)).map(|y| (i, y)))
            .collect();
        let mut coverage = Coverage::new("imf_weo", file, "observations");
        let mut weo = Weo::default();
        while let Some(row) = table.next_row_loose()? {
            // The file ends with a source note line that has one field.
            if row.len() < cols.iter().max().copied().unwrap_or(0) + 1 {
                continue;
            }
            let concept = row.str(cols[1]);
            if !concepts.is_empty() && !concepts.contains(&concept) {
                continue;
            }
            let (unit, scale) = classic_unit(row.str(cols[2]), row.str(cols[3]));
            let mut values = BTreeMap::new();
            for &(idx, year) in &year_cols {
                let text = row.str(idx);
                if is_missing_marker(text) || text == "n/a" || text == "--" {
                    continue;
                }
                let value = parse_number(text).ok_or_else(|| row.error(idx, format!("`{text}` is not a number")))?;
                values.insert(year, value);
                coverage.keep(1.0);
            }
            let last_actual_year = row.str(cols[4]).get(..4).and_then(|y| y.parse().ok());
            weo.series.insert(
                (row.str(cols[0]).to_string(), concept.to_string()),
                WeoSeries { unit, scale, values, last_actual_year },
            );
        }
        weo.coverage = Some(coverage);
        Ok(weo)
    }

    /// Writes kanzei's snapshot form: the long layout plus `last_actual_year`, sorted.
    pub fn to_snapshot_csv(&self) -> String {
        let mut keys: Vec<&(String, String)> = self.series.keys().collect();
        keys.sort();
        let mut out = String::from("unit,ref_area,freq,scale,concept,year,value,last_actual_year\n");
        for key in keys {
            let series = &self.series[key];
            let last = series.last_actual_year.map_or_else(String::new, |y| y.to_string());
            for (year, value) in &series.values {
                out.push_str(&format!(
                    "{},{},A,{},{},{},{},{}\n",
                    series.unit, key.0, series.scale, key.1, year, value, last
                ));
            }
        }
        out
    }

    /// A series.
    pub fn get(&self, area: &str, concept: &str) -> Option<&WeoSeries> {
        self.series.get(&(area.to_string(), concept.to_string()))
    }

    /// A value as published (e.g. billions for NGDPD).
    pub fn value(&self, area: &str, concept: &str, year: i32) -> Result<f64, DataError> {
        let series = self.get(area, concept).ok_or_else(|| DataError::NotAvailable {
            message: format!("IMF WEO has no series {concept} for {area}"),
        })?;
        series.values.get(&year).copied().ok_or_else(|| DataError::YearNotAvailable {
            dataset: format!("IMF WEO {concept} for {area}"),
            year,
            available: match (series.values.keys().next(), series.values.keys().next_back()) {
                (Some(a), Some(b)) => format!("{a}–{b}"),
                _ => "no years".into(),
            },
        })
    }

    /// A value in units (USD, not billions).
    pub fn value_units(&self, area: &str, concept: &str, year: i32) -> Result<f64, DataError> {
        let scale = self.get(area, concept).map_or(0, |s| s.scale);
        Ok(self.value(area, concept, year)? * 10f64.powi(scale))
    }

    /// Whether a year's value is an IMF projection.
    pub fn is_projection(&self, area: &str, concept: &str, year: i32) -> bool {
        self.get(area, concept).and_then(|s| s.last_actual_year).is_some_and(|last| year > last)
    }

    /// National currency per U.S. dollar implied by GDP in both currencies (NGDP / NGDPD),
    /// the conversion kanzei uses for yen values and says so.
    pub fn implied_rate(&self, area: &str, year: i32) -> Result<f64, DataError> {
        let local = self.value_units(area, "NGDP", year)?;
        let usd = self.value_units(area, "NGDPD", year)?;
        Ok(local / usd)
    }
}

fn classic_unit(units: &str, scale: &str) -> (String, i32) {
    let unit = match units {
        "U.S. dollars" => "USD",
        "National currency" => "XDC",
        "Percent change" | "Percent of GDP" | "Percent" => "PT",
        "Persons" => "na",
        _ => units,
    };
    let scale = match scale {
        "Billions" => 9,
        "Millions" => 6,
        "Thousands" => 3,
        _ => 0,
    };
    (unit.to_string(), scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_layout_and_implied_rate() {
        let text = "unit,ref_area,freq,scale,concept,year,value\nUSD,JPN,A,9.0,NGDPD,2024,4019.382\nXDC,JPN,A,9.0,NGDP,2024,608398.9\nPT,JPN,A,0,LUR,2024,2.5\n";
        let weo = Weo::parse_long("weo.csv", text.as_bytes(), &["NGDPD", "NGDP"]).unwrap();
        let rate = weo.implied_rate("JPN", 2024).unwrap();
        assert!((rate - 151.366).abs() < 0.001, "{rate}");
        assert_eq!(weo.value_units("JPN", "NGDPD", 2024).unwrap(), 4019.382e9);
        let cov = weo.coverage.as_ref().unwrap();
        assert_eq!((cov.rows_read, cov.rows_kept), (3, 2));
        let err = weo.value("JPN", "NGDPD", 1970).unwrap_err();
        assert_eq!(err.to_string(), "IMF WEO NGDPD for JPN has no data for 1970; it has 2024–2024");
    }

    #[test]
    fn classic_tab_layout() {
        let text = "WEO Country Code\tISO\tWEO Subject Code\tCountry\tSubject Descriptor\tUnits\tScale\t2024\t2025\tEstimates Start After\n158\tJPN\tNGDPD\tJapan\tGDP\tU.S. dollars\tBillions\t\"4,019.382\"\tn/a\t2024\nInternational Monetary Fund, World Economic Outlook Database, October 2025\n";
        let weo = Weo::parse_classic("WEOOct2025all.xls", text.as_bytes(), &[]).unwrap();
        assert_eq!(weo.value_units("JPN", "NGDPD", 2024).unwrap(), 4019.382e9);
        assert!(weo.value("JPN", "NGDPD", 2025).is_err());
        assert!(weo.is_projection("JPN", "NGDPD", 2025));
    }
}
