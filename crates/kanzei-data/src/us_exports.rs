//! U.S. total exports by HS2 chapter × partner (USITC DataWeb export, F.A.S. value).
//!
//! DataWeb's CSV export: two title lines, then `Data Type, HTS Number, Description,
//! Country, <year>…`, then a `Total:` line with comma-formatted sums. Countries are
//! DataWeb names ("South Korea"), resolved through the area registry; a name the registry
//! does not know is set aside and counted, never dropped silently. Years that are all zero
//! (a query made before the year ended) are reported as unavailable.

use std::collections::BTreeMap;
use std::io::Read;

use kanzei_core::{AreaCode, AreaRegistry, Coverage, HsCode, HsVintage, SourceRef};

use crate::error::DataError;
use crate::read::{parse_number, Table, TableOptions};

/// One partner × chapter × year value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExportLine {
    /// Partner country.
    pub partner: AreaCode,
    /// HS chapter.
    pub chapter: HsCode,
    /// Calendar year.
    pub year: i32,
    /// Total exports, F.A.S., USD.
    pub value_usd: f64,
}

/// The exports table.
#[derive(Clone, Debug)]
pub struct UsExports {
    /// All cells with a non-empty year.
    pub lines: Vec<ExportLine>,
    /// Chapter descriptions as DataWeb prints them.
    pub chapter_names: BTreeMap<HsCode, String>,
    /// Years with data.
    pub years: Vec<i32>,
    /// Load accounting (value = sum over kept years, USD).
    pub coverage: Coverage,
    /// The file's own `Total:` line per year, for reconciliation.
    pub file_totals: BTreeMap<i32, f64>,
}

impl UsExports {
    /// Source reference for footnotes.
    pub fn source(&self, period: &str) -> SourceRef {
        SourceRef {
            dataset: "us_exports_hs2".into(),
            publisher: "U.S. International Trade Commission (DataWeb), from U.S. Census Bureau data".into(),
            citation: "USITC DataWeb, U.S. total exports by HTS chapter and country".into(),
            basis: "total exports (domestic + foreign), F.A.S. value".into(),
            period: period.into(),
        }
    }

    /// Parses the DataWeb layout, resolving country names with `registry`.
    pub fn parse<R: Read>(file: &str, source: R, registry: &AreaRegistry) -> Result<UsExports, DataError> {
        let mut table = Table::new(file, source, TableOptions { delimiter: b',', skip_lines: 2 })?;
        let cols = table.require(&["Data Type", "HTS Number", "Description", "Country"])?;
        let year_cols: Vec<(usize, i32)> = table
            .headers()
            .iter()
            .enumerate()
            .filter_map(|(idx, h)| h.parse::<i32>().ok().filter(|y| (1900..=2100).contains(y)).map(|y| (idx, y)))
            .collect();
        if year_cols.is_empty() {
            return Err(DataError::Header {
                file: file.to_string(),
                line: 3,
                column: "<year>".into(),
                expected: "Data Type, HTS Number, Description, Country, 2020, 2021, …".into(),
            });
        }
        let mut coverage = Coverage::new("us_exports_hs2", file, "USD (total exports, F.A.S.)");
        let mut raw_lines: Vec<ExportLine> = Vec::new();
        let mut chapter_names = BTreeMap::new();
        let mut file_totals = BTreeMap::new();
        let mut year_sums: BTreeMap<i32, f64> = BTreeMap::new();
        while let Some(row) = table.next_row_loose()? {
            let kind = row.str(cols[0]);
            if kind.starts_with("Total") {
                // `Total: ,,,,"1,429,995,404,019",…`: the year columns hold the sums.
                for &(idx, year) in &year_cols {
                    if let Some(v) = parse_number(row.str(idx)) {
                        file_totals.insert(year, v);
                    }
                }
                continue;
            }
            if row.len() != table_len(&year_cols, &cols) {
                return Err(DataError::FieldCount {
                    file: file.to_string(),
                    line: row.line(),
                    expected: table_len(&year_cols, &cols),
                    found: row.len(),
                });
            }
            let mut values = Vec::with_capacity(year_cols.len());
            for &(idx, year) in &year_cols {
                values.push((year, row.f64(idx)?));
            }
            let row_value: f64 = values.iter().map(|(_, v)| v).sum();
            if kind != "FAS Value" {
                coverage.reject("data type is not `FAS Value`", row_value, || format!("line {}: {kind}", row.line()));
                continue;
            }
            let chapter = HsCode::parse_padded(row.str(cols[1]), 2)
                .map_err(|e| row.error(cols[1], e.to_string()))?;
            if chapter.len() != 2 {
                return Err(row.error(cols[1], format!("`{}` is not a 2-digit chapter", row.str(cols[1]))));
            }
            let chapter = chapter.with_vintage(HsVintage::Hs2022);
            chapter_names.entry(chapter).or_insert_with(|| row.str(cols[2]).to_string());
            let country = row.str(cols[3]);
            let Some(area) = registry.lookup(country) else {
                coverage.reject("country name not in the area registry", row_value, || {
                    format!("line {}: {country}", row.line())
                });
                continue;
            };
            coverage.keep(row_value);
            for (year, value_usd) in values {
                *year_sums.entry(year).or_insert(0.0) += value_usd;
                raw_lines.push(ExportLine { partner: area.code, chapter, year, value_usd });
            }
        }
        // A year whose every value is zero was queried before it ended: not data.
        let empty_years: Vec<i32> = year_sums.iter().filter(|(_, &s)| s == 0.0).map(|(&y, _)| y).collect();
        let lines: Vec<ExportLine> = raw_lines.into_iter().filter(|l| !empty_years.contains(&l.year)).collect();
        let years = year_sums.keys().copied().filter(|y| !empty_years.contains(y)).collect();
        Ok(UsExports { lines, chapter_names, years, coverage, file_totals })
    }

    /// Checks that a year is present.
    pub fn check_year(&self, year: i32) -> Result<(), DataError> {
        if self.years.contains(&year) {
            Ok(())
        } else {
            let available = match (self.years.first(), self.years.last()) {
                (Some(a), Some(b)) => format!("{a}–{b}"),
                _ => "no years".into(),
            };
            Err(DataError::YearNotAvailable { dataset: "USITC DataWeb U.S. exports by HS2".into(), year, available })
        }
    }

    /// Exports to one partner in a year, by chapter.
    pub fn by_chapter(&self, partners: &[AreaCode], year: i32) -> BTreeMap<HsCode, f64> {
        let mut out = BTreeMap::new();
        for line in self.lines.iter().filter(|l| l.year == year && partners.contains(&l.partner)) {
            *out.entry(line.chapter).or_insert(0.0) += line.value_usd;
        }
        out
    }

    /// Sum of all partners for a year.
    pub fn total(&self, year: i32) -> f64 {
        self.lines.iter().filter(|l| l.year == year).map(|l| l.value_usd).sum()
    }
}

fn table_len(year_cols: &[(usize, i32)], cols: &[usize]) -> usize {
    year_cols.iter().map(|(i, _)| i + 1).chain(cols.iter().map(|i| i + 1)).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Total Exports|Annual Data,,,,,,\nData Row Count,3,,,,,\nData Type,HTS Number,Description,Country,2023,2024,2025\nFAS Value,01,LIVE ANIMALS,Japan,10.00,20.00,0.00\nFAS Value,27,MINERAL FUELS,South Korea,5.00,7.00,0.00\nFAS Value,27,MINERAL FUELS,Atlantis,1.00,1.00,0.00\nTotal: ,,,,\"16\",\"28\",0\n";

    #[test]
    fn parses_dataweb_and_sets_aside_unknown_names() {
        let t = UsExports::parse("dw.csv", SAMPLE.as_bytes(), AreaRegistry::builtin()).unwrap();
        assert_eq!(t.years, vec![2023, 2024]);
        assert_eq!(t.lines.len(), 4);
        assert_eq!(t.coverage.rows_rejected(), 1);
        assert_eq!(t.coverage.rejected[0].reason, "country name not in the area registry");
        assert!(t.coverage.reconciles(1e-12));
        assert_eq!(t.file_totals[&2024], 28.0);
        assert_eq!(t.total(2024) + 1.0, t.file_totals[&2024]);
        let err = t.check_year(2025).unwrap_err();
        assert_eq!(err.to_string(), "USITC DataWeb U.S. exports by HS2 has no data for 2025; it has 2023–2024");
    }
}

// The binary form of the pre-indexed snapshot (`kanzei_core::bin`).
kanzei_core::bin_struct!(ExportLine { partner, chapter, year, value_usd });
kanzei_core::bin_struct!(UsExports { lines, chapter_names, years, coverage, file_totals });
