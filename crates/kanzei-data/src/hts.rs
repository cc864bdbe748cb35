//! The USITC Harmonized Tariff Schedule (basic edition CSV export): the product tree with
//! descriptions and the rate columns.
//!
//! Columns: `HTS Number, Indent, Description, Unit of Quantity, General Rate of Duty,
//! Special Rate of Duty, Column 2 Rate of Duty, Quota Quantity, Additional Duties`.
//! `HTS Number` is dotted (`8703.23.01.90`) and blank on text-only rows ("Other:"); the
//! tree is given by `Indent`. Rates are text ("2.5%", "Free", "0.9¢/kg").

use std::collections::HashMap;
use std::io::Read;

use kanzei_core::{Coverage, HsCode, HsVintage};

use crate::error::DataError;
use crate::read::{Table, TableOptions};

/// One line of the schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct HtsLine {
    /// The code, if the line has one.
    pub code: Option<HsCode>,
    /// Tree depth.
    pub indent: u8,
    /// Description as printed.
    pub description: String,
    /// General (MFN, column 1) rate text.
    pub general: String,
    /// Special (preference) rate text with programme codes.
    pub special: String,
    /// Column 2 rate text.
    pub column2: String,
}

/// The schedule.
#[derive(Clone, Debug)]
pub struct Hts {
    /// Lines in schedule order.
    pub lines: Vec<HtsLine>,
    /// Load accounting (value = lines).
    pub coverage: Coverage,
    by_code: HashMap<HsCode, usize>,
}

impl Hts {
    /// Parses the USITC CSV export.
    pub fn parse<R: Read>(file: &str, source: R) -> Result<Hts, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let cols = table.require(&[
            "HTS Number",
            "Indent",
            "Description",
            "General Rate of Duty",
            "Special Rate of Duty",
            "Column 2 Rate of Duty",
        ])?;
        let mut coverage = Coverage::new("hts", file, "lines");
        let mut lines = Vec::new();
        while let Some(row) = table.next_row()? {
            let code_text = row.str(cols[0]);
            let code = if code_text.is_empty() {
                None
            } else {
                Some(
                    HsCode::parse_vintage(code_text, HsVintage::Hs2022)
                        .map_err(|e| row.error(cols[0], e.to_string()))?,
                )
            };
            let indent = row.i64(cols[1])?;
            let indent = u8::try_from(indent).map_err(|_| row.error(cols[1], format!("indent {indent} out of range")))?;
            coverage.keep(1.0);
            lines.push(HtsLine {
                code,
                indent,
                description: row.str(cols[2]).to_string(),
                general: row.str(cols[3]).to_string(),
                special: row.str(cols[4]).to_string(),
                column2: row.str(cols[5]).to_string(),
            });
        }
        Ok(Hts::from_lines(lines, coverage))
    }

    /// Builds the index over lines.
    pub fn from_lines(lines: Vec<HtsLine>, coverage: Coverage) -> Hts {
        let mut by_code = HashMap::new();
        for (idx, line) in lines.iter().enumerate() {
            if let Some(code) = line.code {
                by_code.entry(code).or_insert(idx);
            }
        }
        Hts { lines, coverage, by_code }
    }

    /// The line for a code.
    pub fn get(&self, code: HsCode) -> Option<&HtsLine> {
        self.by_code.get(&code.with_vintage(HsVintage::Hs2022)).map(|&i| &self.lines[i])
    }

    /// A readable description: the line's own text, prefixed by its ancestors' texts when
    /// the line alone is ambiguous ("Other", "New").
    pub fn describe(&self, code: HsCode) -> Option<String> {
        let code = code.with_vintage(HsVintage::Hs2022);
        let idx = match self.by_code.get(&code) {
            Some(&idx) => idx,
            // A 6-digit subheading often has no line of its own: use its first child.
            None => self.lines.iter().position(|l| l.code.is_some_and(|c| code.is_prefix_of(c)))?,
        };
        let mut parts = vec![self.lines[idx].description.trim_end_matches(':').to_string()];
        let mut indent = self.lines[idx].indent;
        let mut cursor = idx;
        // Walk up while the text is short and generic, at most three levels.
        while indent > 0 && parts.len() < 4 && parts[0].len() < 40 {
            cursor = (0..cursor).rev().find(|&i| self.lines[i].indent < indent)?;
            indent = self.lines[cursor].indent;
            parts.insert(0, self.lines[cursor].description.trim_end_matches(':').to_string());
        }
        Some(parts.join(": "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "\u{feff}HTS Number,Indent,Description,Unit of Quantity,General Rate of Duty,Special Rate of Duty,Column 2 Rate of Duty,Quota Quantity,Additional Duties\n\"8703\",\"0\",\"Motor cars:\",\"\",\"\",\"\",\"\",\"\",\"\"\n\"8703.23.01\",\"2\",\"Of a cylinder capacity exceeding 1,500 cc but not exceeding 3,000 cc\",\"\",\"2.5%\",\"Free (A+,KR)\",\"10%\",\"\",\"\"\n\"8703.23.01.90\",\"3\",\"Other\",\"[\"\"No.\"\"]\",\"\",\"\",\"\",\"\",\"\"\n";

    #[test]
    fn tree_descriptions() {
        let hts = Hts::parse("hts.csv", SAMPLE.as_bytes()).unwrap();
        assert_eq!(hts.lines.len(), 3);
        let line = hts.get(HsCode::parse("87032301").unwrap()).unwrap();
        assert_eq!(line.general, "2.5%");
        let text = hts.describe(HsCode::parse("8703230190").unwrap()).unwrap();
        assert_eq!(text, "Of a cylinder capacity exceeding 1,500 cc but not exceeding 3,000 cc: Other");
        assert_eq!(hts.describe(HsCode::parse("870323").unwrap()).unwrap(), "Of a cylinder capacity exceeding 1,500 cc but not exceeding 3,000 cc");
    }
}
