//! U.S. imports for consumption by partner and product, with calculated duties.
//!
//! Two granularities from the Census international trade API:
//! * HS10 × partner for the 50 largest partners and the EU (`CTY_CODE, I_COMMODITY,
//!   CON_VAL_YR, CAL_DUT_YR`; read from a CSV with those columns, from a Census API JSON
//!   response, or from the stacked `derived_us_imports_2024_hs10_by_country.csv.gz`);
//! * HS2 × every partner (`HS2, 2024_imports, 2024_duty, CTY_NAME, CTY_CODE`, one file per
//!   partner, as the tradewartracker export lays them out).
//!
//! Values are U.S. dollars, *imports for consumption, customs value*, which differ from the
//! FT-900 *general imports* by goods entering warehouses and zones.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use kanzei_core::{AreaRegistry, Coverage, HsCode, HsVintage, SourceRef};
use serde::Serialize;

use crate::error::DataError;
use crate::read::{Table, TableOptions};

/// One partner × product cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImportLine {
    /// Census Schedule C partner code (3 = the EU aggregate).
    pub census_code: u16,
    /// Product (HS10 or HS2).
    pub hs: HsCode,
    /// Imports for consumption, customs value, USD.
    pub value_usd: f64,
    /// Calculated duty, USD.
    pub duty_usd: f64,
}

/// A table of U.S. imports at one product level.
#[derive(Clone, Debug)]
pub struct UsImports {
    /// Calendar year of the values.
    pub year: i32,
    /// Product code length (10 or 2).
    pub level: usize,
    /// All cells.
    pub lines: Vec<ImportLine>,
    /// Short descriptions where the source gives them.
    pub descriptions: HashMap<HsCode, String>,
    /// Load accounting (value = imports, USD).
    pub coverage: Coverage,
    /// HS2 files only: the percentage points of additional 2025 duty tradewartracker's own
    /// model assigned to each partner × chapter (`2025_tariff_increase`, as of the authors'
    /// 2025-08-06 update). A published modelled rate, kept to check kanzei's per-partner
    /// rates against; empty cells in the source are absent here.
    pub modelled_increase_pp: HashMap<(u16, HsCode), f64>,
}

impl UsImports {
    /// Source reference for footnotes.
    pub fn source(&self) -> SourceRef {
        SourceRef {
            dataset: if self.level == 10 { "us_imports_hs10" } else { "us_imports_hs2" }.into(),
            publisher: "U.S. Census Bureau".into(),
            citation: "U.S. Census Bureau, international trade API (imports, HS), via tradewartracker".into(),
            basis: "imports for consumption, customs value; calculated duties".into(),
            period: self.year.to_string(),
        }
    }

    /// Census partner codes present.
    pub fn partners(&self) -> Vec<u16> {
        let mut codes: Vec<u16> = self.lines.iter().map(|l| l.census_code).collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    }

    /// Whether a partner has rows.
    pub fn has_partner(&self, census_code: u16) -> bool {
        self.lines.iter().any(|l| l.census_code == census_code)
    }

    /// Sums the given partners' lines to `level` digits (≤ the table's level).
    pub fn by_product(&self, census_codes: &[u16], level: usize) -> BTreeMap<HsCode, (f64, f64)> {
        let mut out: BTreeMap<HsCode, (f64, f64)> = BTreeMap::new();
        for line in self.lines.iter().filter(|l| census_codes.contains(&l.census_code)) {
            let Some(code) = line.hs.prefix(level) else { continue };
            let entry = out.entry(code).or_insert((0.0, 0.0));
            entry.0 += line.value_usd;
            entry.1 += line.duty_usd;
        }
        out
    }

    /// Value of the given partners' lines in the given HS chapters ("72", "76").
    pub fn value_in_chapters(&self, census_codes: &[u16], chapters: &[&str]) -> f64 {
        self.by_product(census_codes, 2).iter().filter(|(k, _)| chapters.contains(&k.to_string().as_str())).map(|(_, v)| v.0).sum()
    }

    /// Total value and duty for the given partners.
    pub fn total(&self, census_codes: &[u16]) -> (f64, f64) {
        self.lines
            .iter()
            .filter(|l| census_codes.contains(&l.census_code))
            .fold((0.0, 0.0), |acc, l| (acc.0 + l.value_usd, acc.1 + l.duty_usd))
    }

    /// Parses an HS10 CSV: either the Census API columns (`CTY_CODE, I_COMMODITY,
    /// CON_VAL_YR, CAL_DUT_YR`, optionally `I_COMMODITY_SDESC`) or the stacked layout
    /// (`CTY_CODE, HS10, con_val_usd, cal_dut_usd`, optionally `description`).
    pub fn parse_hs10_csv<R: Read>(file: &str, source: R, year: i32) -> Result<UsImports, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let (cols, desc) = if table.position("I_COMMODITY").is_some() {
            (
                table.require(&["CTY_CODE", "I_COMMODITY", "CON_VAL_YR", "CAL_DUT_YR"])?,
                table.position("I_COMMODITY_SDESC"),
            )
        } else {
            (table.require(&["CTY_CODE", "HS10", "con_val_usd", "cal_dut_usd"])?, table.position("description"))
        };
        let mut out = UsImports::empty(file, year, 10);
        while let Some(row) = table.next_row()? {
            let census_code = row.census_code(cols[0])?;
            let hs = parse_hs(row.str(cols[1]), 10)
                .map_err(|message| row.error(cols[1], message))?;
            let value_usd = row.f64(cols[2])?;
            let duty_usd = row.f64(cols[3])?;
            if let Some(d) = desc {
                let text = row.str(d);
                if !text.is_empty() {
                    out.descriptions.entry(hs).or_insert_with(|| text.to_string());
                }
            }
            let line = ImportLine { census_code, hs, value_usd, duty_usd };
            out.push_checked(line, || format!("`{file}` line {}", row.line()));
        }
        Ok(out)
    }

    /// Parses a Census international trade API JSON response: an array of arrays whose
    /// first element is the header (`["CTY_CODE","I_COMMODITY","CON_VAL_YR","CAL_DUT_YR",…]`).
    pub fn parse_census_api_json(file: &str, text: &str, year: i32) -> Result<UsImports, DataError> {
        let rows: Vec<Vec<serde_json::Value>> = serde_json::from_str(text).map_err(|err| DataError::Csv {
            file: file.to_string(),
            line: err.line() as u64,
            message: format!("not a Census API response (an array of arrays): {err}"),
        })?;
        let Some((header, body)) = rows.split_first() else {
            return Err(DataError::Csv { file: file.to_string(), line: 1, message: "empty response".into() });
        };
        let names: Vec<String> = header.iter().map(|v| v.as_str().unwrap_or("").to_string()).collect();
        let find = |col: &str| {
            names.iter().position(|n| n == col).ok_or_else(|| DataError::Header {
                file: file.to_string(),
                line: 1,
                column: col.to_string(),
                expected: "CTY_CODE, I_COMMODITY, CON_VAL_YR, CAL_DUT_YR".into(),
            })
        };
        let (cty, com, val, dut) = (find("CTY_CODE")?, find("I_COMMODITY")?, find("CON_VAL_YR")?, find("CAL_DUT_YR")?);
        let desc = names.iter().position(|n| n == "I_COMMODITY_SDESC");
        let mut out = UsImports::empty(file, year, 10);
        for (idx, row) in body.iter().enumerate() {
            // Element idx+1 of the outer array; report it as a "line" for the user.
            let line = idx as u64 + 2;
            let field = |col: usize, name: &str| -> Result<String, DataError> {
                match row.get(col) {
                    Some(serde_json::Value::String(s)) => Ok(s.clone()),
                    Some(serde_json::Value::Number(n)) => Ok(n.to_string()),
                    _ => Err(DataError::Malformed {
                        file: file.to_string(),
                        line,
                        column: name.to_string(),
                        message: "missing or not a string".into(),
                    }),
                }
            };
            let malformed = |column: &str, message: String| DataError::Malformed {
                file: file.to_string(),
                line,
                column: column.to_string(),
                message,
            };
            let cty_text = field(cty, "CTY_CODE")?;
            let census_code = cty_text
                .parse::<u16>()
                .map_err(|_| malformed("CTY_CODE", format!("`{cty_text}` is not a Census country code")))?;
            let hs = parse_hs(&field(com, "I_COMMODITY")?, 10).map_err(|m| malformed("I_COMMODITY", m))?;
            let value_text = field(val, "CON_VAL_YR")?;
            let value_usd = crate::read::parse_number(&value_text)
                .ok_or_else(|| malformed("CON_VAL_YR", format!("`{value_text}` is not a number")))?;
            let duty_text = field(dut, "CAL_DUT_YR")?;
            let duty_usd = crate::read::parse_number(&duty_text)
                .ok_or_else(|| malformed("CAL_DUT_YR", format!("`{duty_text}` is not a number")))?;
            if let Some(d) = desc.and_then(|d| row.get(d)).and_then(|v| v.as_str()) {
                out.descriptions.entry(hs).or_insert_with(|| d.to_string());
            }
            out.push_checked(ImportLine { census_code, hs, value_usd, duty_usd }, || format!("`{file}` element {line}"));
        }
        Ok(out)
    }

    /// Parses one HS2-by-partner file (`HS2, 2024_imports, 2024_duty, CTY_NAME, CTY_CODE`, and
    /// optionally tradewartracker's modelled `2025_tariff_increase`).
    /// Call repeatedly with [`UsImports::merge`] for a folder of partner files.
    pub fn parse_hs2_csv<R: Read>(file: &str, source: R, year: i32) -> Result<UsImports, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let value_col = format!("{year}_imports");
        let duty_col = format!("{year}_duty");
        let cols = table.require(&["HS2", &value_col, &duty_col, "CTY_CODE"])?;
        let increase_col = table.position(&format!("{}_tariff_increase", year + 1));
        let mut out = UsImports::empty(file, year, 2);
        while let Some(row) = table.next_row()? {
            let census_code = row.census_code(cols[3])?;
            let hs = parse_hs(row.str(cols[0]), 2).map_err(|message| row.error(cols[0], message))?;
            let value_usd = row.f64(cols[1])?;
            let duty_usd = row.f64(cols[2])?;
            if let Some(col) = increase_col {
                if !row.str(col).trim().is_empty() {
                    out.modelled_increase_pp.insert((census_code, hs), row.f64(col)?);
                }
            }
            let line = ImportLine { census_code, hs, value_usd, duty_usd };
            out.push_checked(line, || format!("`{file}` line {}", row.line()));
        }
        Ok(out)
    }

    /// An empty table.
    pub fn empty(source: &str, year: i32, level: usize) -> UsImports {
        let name = if level == 10 { "us_imports_hs10" } else { "us_imports_hs2" };
        UsImports {
            year,
            level,
            lines: Vec::new(),
            descriptions: HashMap::new(),
            coverage: Coverage::new(name, source, "USD (imports for consumption)"),
            modelled_increase_pp: HashMap::new(),
        }
    }

    /// Adds a line, counting it as kept.
    pub fn push(&mut self, line: ImportLine) {
        self.coverage.keep(line.value_usd);
        self.lines.push(line);
    }

    /// Adds a line read from `place` (`file` line N), or sets it aside when its value cannot
    /// be an import: negative, or not finite. Set-aside rows are counted in the coverage
    /// with their value; [`check_set_aside`] decides whether they may be left out.
    pub fn push_checked(&mut self, line: ImportLine, place: impl FnOnce() -> String) {
        if line.value_usd.is_finite() && line.value_usd >= 0.0 {
            return self.push(line);
        }
        let level = self.level_name();
        let example = || format!("{}: CTY_CODE {}, {level} {}, value {} USD", place(), line.census_code, line.hs, line.value_usd);
        let value = if line.value_usd.is_finite() { line.value_usd } else { 0.0 };
        self.coverage.reject(REASON_NEGATIVE, value, example);
    }

    fn level_name(&self) -> &'static str {
        if self.level == 10 { "HS10" } else { "HS2" }
    }

    /// Moves lines whose partner code the registry does not know (and that are not the EU
    /// aggregate, code 3) out of the table into the coverage's set-aside rows. Every later
    /// step joins partners through the registry, so such a line would otherwise vanish from
    /// every result while the load reported 100% kept.
    pub fn set_aside_unknown_partners(&mut self, registry: &AreaRegistry) {
        let (kept, unknown): (Vec<ImportLine>, Vec<ImportLine>) =
            self.lines.drain(..).partition(|l| l.census_code == 3 || registry.by_census(l.census_code).is_some());
        self.lines = kept;
        let level = self.level_name();
        for line in unknown {
            self.coverage.rows_read -= 1;
            self.coverage.rows_kept -= 1;
            self.coverage.value_in -= line.value_usd;
            self.coverage.value_kept -= line.value_usd;
            self.coverage.reject(REASON_UNKNOWN_PARTNER, line.value_usd, || {
                format!("CTY_CODE {}, {level} {}, value {} USD", line.census_code, line.hs, line.value_usd)
            });
        }
    }

    /// Appends another table of the same level (a folder of per-partner files); duplicate
    /// partner × product cells are an error.
    pub fn merge(&mut self, other: UsImports) -> Result<(), DataError> {
        if other.level != self.level || other.year != self.year {
            return Err(DataError::NotAvailable {
                message: format!("cannot merge {} (HS{} {}) into HS{} {}", other.coverage.source, other.level, other.year, self.level, self.year),
            });
        }
        self.coverage.rows_read += other.coverage.rows_read;
        self.coverage.rows_kept += other.coverage.rows_kept;
        self.coverage.value_in += other.coverage.value_in;
        self.coverage.value_kept += other.coverage.value_kept;
        self.coverage.rejected.extend(other.coverage.rejected);
        self.lines.extend(other.lines);
        self.modelled_increase_pp.extend(other.modelled_increase_pp);
        for (k, v) in other.descriptions {
            self.descriptions.entry(k).or_insert(v);
        }
        Ok(())
    }

    /// Checks that no partner × product cell appears twice.
    pub fn check_unique(&self) -> Result<(), DataError> {
        let mut seen = std::collections::HashSet::with_capacity(self.lines.len());
        for line in &self.lines {
            if !seen.insert((line.census_code, line.hs)) {
                return Err(DataError::Reconciliation {
                    what: format!("{} ({})", self.coverage.name, self.coverage.source),
                    detail: format!("partner {} × {} appears twice", line.census_code, line.hs),
                });
            }
        }
        Ok(())
    }
}

/// Why an import row is set aside: a negative (or non-finite) value.
pub const REASON_NEGATIVE: &str = "negative or non-finite value (imports cannot be negative)";

/// Why an import row is set aside: a partner code not in Census Schedule C.
pub const REASON_UNKNOWN_PARTNER: &str = "unknown partner code (not in Census Schedule C)";

/// The share of a file's value that may be set aside without `--allow-set-aside`: 0.01%.
pub const SET_ASIDE_LIMIT_PCT: f64 = 0.01;

/// Whether the rows set aside in `coverage` may be left out: an error naming the reasons
/// and their value when they exceed [`SET_ASIDE_LIMIT_PCT`] of the value read and `allow`
/// is false; otherwise a warning for each reason (empty when nothing was set aside).
pub fn check_set_aside(coverage: &Coverage, allow: bool) -> Result<Vec<String>, DataError> {
    let set_aside: f64 = coverage.rejected.iter().map(|r| r.value.abs()).sum();
    let total = coverage.value_kept.abs() + set_aside;
    let pct = if total > 0.0 { 100.0 * set_aside / total } else { 0.0 };
    let reasons: Vec<String> = coverage
        .rejected
        .iter()
        .map(|r| format!("{} row(s), {:.0} USD: {} (e.g. {})", r.rows, r.value, r.reason, r.example.as_deref().unwrap_or("-")))
        .collect();
    if pct > SET_ASIDE_LIMIT_PCT && !allow {
        return Err(DataError::SetAside {
            dataset: format!("{} ({})", coverage.name, coverage.source),
            pct,
            limit_pct: SET_ASIDE_LIMIT_PCT,
            reasons: reasons.join("; "),
        });
    }
    Ok(reasons.into_iter().map(|r| format!("{} ({}): set aside {r}", coverage.name, coverage.source)).collect())
}

fn parse_hs(text: &str, len: usize) -> Result<HsCode, String> {
    let code = HsCode::parse_padded(text, len).map_err(|e| e.to_string())?;
    if code.len() != len {
        return Err(format!("`{text}` has {} digits; this column holds HS{len} codes", code.len()));
    }
    Ok(code.with_vintage(HsVintage::Hs2022))
}

/// Per-chapter comparison of HS10 lines summed to HS2 against the HS2 table.
#[derive(Clone, Debug, Serialize)]
pub struct ChapterReconciliation {
    /// Census partner code.
    pub census_code: u16,
    /// Chapter.
    pub chapter: HsCode,
    /// Sum of HS10 lines, USD.
    pub hs10_sum_usd: f64,
    /// HS2 table value, USD.
    pub hs2_usd: f64,
    /// Sum of HS10 duties, USD.
    pub hs10_duty_usd: f64,
    /// HS2 table duty, USD.
    pub hs2_duty_usd: f64,
}

impl ChapterReconciliation {
    /// HS10 sum minus HS2 value.
    pub fn difference_usd(&self) -> f64 {
        self.hs10_sum_usd - self.hs2_usd
    }
}

/// Compares every chapter of every partner present in the HS10 table.
pub fn reconcile_hs10_hs2(hs10: &UsImports, hs2: &UsImports) -> Vec<ChapterReconciliation> {
    let mut cells: BTreeMap<(u16, HsCode), ChapterReconciliation> = BTreeMap::new();
    let partners = hs10.partners();
    for line in &hs10.lines {
        let chapter = line.hs.chapter();
        let cell = cells.entry((line.census_code, chapter)).or_insert_with(|| ChapterReconciliation {
            census_code: line.census_code,
            chapter,
            hs10_sum_usd: 0.0,
            hs2_usd: 0.0,
            hs10_duty_usd: 0.0,
            hs2_duty_usd: 0.0,
        });
        cell.hs10_sum_usd += line.value_usd;
        cell.hs10_duty_usd += line.duty_usd;
    }
    for line in hs2.lines.iter().filter(|l| partners.contains(&l.census_code)) {
        let cell = cells.entry((line.census_code, line.hs)).or_insert_with(|| ChapterReconciliation {
            census_code: line.census_code,
            chapter: line.hs,
            hs10_sum_usd: 0.0,
            hs2_usd: 0.0,
            hs10_duty_usd: 0.0,
            hs2_duty_usd: 0.0,
        });
        cell.hs2_usd += line.value_usd;
        cell.hs2_duty_usd += line.duty_usd;
    }
    cells.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16: a negative value and an unknown partner code are set aside with their
    /// value and an example, the coverage still reconciles, and leaving them out is an
    /// error above 0.01% of the value unless allowed.
    #[test]
    fn unknown_partners_and_negative_values_are_set_aside_not_dropped() {
        let text = "CTY_CODE,HS10,con_val_usd,cal_dut_usd\n5880,8703230140,1000000,25000\n9999,8703230140,500,0\n5880,8703240000,-5000000,0\n5880,0101210000,99999999,0\n";
        let mut t = UsImports::parse_hs10_csv("hs10.csv", text.as_bytes(), 2024).unwrap();
        t.set_aside_unknown_partners(AreaRegistry::builtin());
        assert_eq!(t.lines.len(), 2);
        let c = &t.coverage;
        assert_eq!((c.rows_read, c.rows_kept, c.rows_rejected()), (4, 2, 2));
        assert_eq!(c.value_kept, 100_999_999.0);
        assert!(c.reconciles(1e-12), "{c}");
        let negative = c.rejected.iter().find(|r| r.reason == REASON_NEGATIVE).unwrap();
        assert_eq!(negative.value, -5_000_000.0);
        assert_eq!(negative.example.as_deref(), Some("`hs10.csv` line 4: CTY_CODE 5880, HS10 8703240000, value -5000000 USD"));
        let unknown = c.rejected.iter().find(|r| r.reason == REASON_UNKNOWN_PARTNER).unwrap();
        assert_eq!((unknown.rows, unknown.value), (1, 500.0));
        let err = check_set_aside(c, false).unwrap_err().to_string();
        assert!(err.starts_with("us_imports_hs10 (hs10.csv): 4.7174% of the value read was set aside, above the 0.01% limit: 1 row(s), -5000000 USD: negative"), "{err}");
        assert!(err.ends_with("hint: correct those rows, or pass --allow-set-aside (before the command) to go on without them"), "{err}");
        let warnings = check_set_aside(c, true).unwrap();
        assert_eq!(warnings.len(), 2);
        assert!(warnings[1].contains("unknown partner code (not in Census Schedule C) (e.g. CTY_CODE 9999, HS10 8703230140, value 500 USD)"), "{warnings:?}");
        // Under the limit, rows set aside are let through, with a warning.
        let mut small = Coverage::new("t", "f", "USD");
        small.keep(1e9);
        small.reject(REASON_UNKNOWN_PARTNER, 1.0, || "x".into());
        assert_eq!(check_set_aside(&small, false).unwrap().len(), 1);
    }

    #[test]
    fn hs2_files_keep_the_modelled_increase_where_given() {
        // The tradewartracker layout: an empty increase (no trade) is absent, not zero; a bad
        // one is an error naming file, line and column.
        let text = "HS2,2024_imports,2024_duty,CTY_NAME,CTY_CODE,2025_tariff_increase,2024_tariff\n01,17384203.0,0.0,JAPAN,5880,15.0,0.0\n87,0.0,0.0,JAPAN,5880,,\n";
        let t = UsImports::parse_hs2_csv("hs2-tariff-5880.csv", text.as_bytes(), 2024).unwrap();
        assert_eq!(t.lines.len(), 2);
        assert_eq!(t.modelled_increase_pp.len(), 1);
        assert_eq!(t.modelled_increase_pp[&(5880, t.lines[0].hs)], 15.0);
        let plain = "HS2,2024_imports,2024_duty,CTY_CODE\n01,1.0,0.0,5880\n";
        assert!(UsImports::parse_hs2_csv("plain.csv", plain.as_bytes(), 2024).unwrap().modelled_increase_pp.is_empty());
        let bad = "HS2,2024_imports,2024_duty,CTY_CODE,2025_tariff_increase\n01,1.0,0.0,5880,fifteen\n";
        let err = UsImports::parse_hs2_csv("bad.csv", bad.as_bytes(), 2024).unwrap_err().to_string();
        assert!(err.contains("bad.csv") && err.contains("line 2"), "{err}");
    }

    #[test]
    fn reads_census_api_columns_and_the_stacked_layout() {
        let api = "CTY_CODE,CTY_NAME,I_COMMODITY,I_COMMODITY_SDESC,CON_VAL_YR,CAL_DUT_YR\n5880,JAPAN,8703230190,CARS,1000,25\n";
        let t = UsImports::parse_hs10_csv("api.csv", api.as_bytes(), 2024).unwrap();
        assert_eq!(t.lines[0].hs.to_string(), "8703230190");
        assert_eq!(t.descriptions[&t.lines[0].hs], "CARS");
        let stacked = "CTY_CODE,CTY_NAME,HS10,description,con_val_usd,cal_dut_usd\n0003,EUROPEAN UNION,0106140000,RABBITS,13239,0\n";
        let t = UsImports::parse_hs10_csv("stacked.csv", stacked.as_bytes(), 2024).unwrap();
        assert_eq!(t.lines[0].census_code, 3);
        assert_eq!(t.lines[0].hs.to_string(), "0106140000");
    }

    #[test]
    fn reads_census_api_json() {
        let json = r#"[["CTY_CODE","I_COMMODITY","CON_VAL_YR","CAL_DUT_YR","time"],["5880","8703230190","1000","25","2024-12"]]"#;
        let t = UsImports::parse_census_api_json("api.json", json, 2024).unwrap();
        assert_eq!(t.lines.len(), 1);
        assert_eq!(t.lines[0].value_usd, 1000.0);
        let bad = r#"[["CTY_CODE","I_COMMODITY","CON_VAL_YR","CAL_DUT_YR"],["5880","870323","1000","25"]]"#;
        let err = UsImports::parse_census_api_json("api.json", bad, 2024).unwrap_err();
        assert_eq!(err.to_string(), "`api.json` line 2, column `I_COMMODITY`: `870323` has 6 digits; this column holds HS10 codes");
    }

    #[test]
    fn wrong_length_codes_and_non_numbers_are_named() {
        let text = "CTY_CODE,I_COMMODITY,CON_VAL_YR,CAL_DUT_YR\n5880,87032,10,1\n";
        let err = UsImports::parse_hs10_csv("x.csv", text.as_bytes(), 2024).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`x.csv` line 2, column `I_COMMODITY`: `87032` is not an HS code: it has 5 digits, expected 2, 4, 6, 8 or 10"
        );
        let text = "CTY_CODE,I_COMMODITY,CON_VAL_YR,CAL_DUT_YR\n5880,8703230190,ten,1\n";
        let err = UsImports::parse_hs10_csv("x.csv", text.as_bytes(), 2024).unwrap_err();
        assert_eq!(err.to_string(), "`x.csv` line 2, column `CON_VAL_YR`: `ten` is not a number");
    }
}
