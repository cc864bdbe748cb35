//! Reading delimited text with locations: every value read knows its file, line and
//! column, so a malformed value becomes an error that names all three.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::error::DataError;

/// Opens a file, transparently gunzipping `*.gz`.
pub fn open(path: &Path) -> Result<Box<dyn Read>, DataError> {
    let file = File::open(path).map_err(|err| DataError::io(path, err))?;
    let reader = BufReader::with_capacity(1 << 16, file);
    if path.extension().is_some_and(|ext| ext == "gz") {
        Ok(Box::new(MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

/// Reads a whole file to a string (gunzipping `*.gz`).
pub fn read_to_string(path: &Path) -> Result<String, DataError> {
    let mut text = String::new();
    open(path)?.read_to_string(&mut text).map_err(|err| DataError::io(path, err))?;
    Ok(text)
}

/// Gunzips bytes (the embedded snapshot).
pub fn gunzip(name: &str, bytes: &[u8]) -> Result<String, DataError> {
    // The gzip trailer's last four bytes hold the uncompressed size (mod 2^32; of the last
    // member): reserved up front, the text is not copied as it grows. Capped so a corrupt
    // trailer cannot ask for more than the snapshot could hold.
    let size_hint = bytes.len().checked_sub(4).map_or(0, |at| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize);
    let mut text = String::with_capacity(size_hint.min(256 << 20));
    MultiGzDecoder::new(bytes).read_to_string(&mut text).map_err(|err| DataError::Csv {
        file: name.to_string(),
        line: 0,
        message: format!("cannot decompress: {err}"),
    })?;
    Ok(text)
}

/// A delimited table with a header row, read record by record.
pub struct Table<R: Read> {
    file: String,
    headers: Vec<String>,
    header_line: u64,
    reader: csv::Reader<R>,
    record: csv::StringRecord,
}

/// Options for [`Table::new`].
#[derive(Clone, Copy)]
pub struct TableOptions {
    /// Field delimiter.
    pub delimiter: u8,
    /// Lines to skip before the header (title lines).
    pub skip_lines: usize,
}

impl Default for TableOptions {
    fn default() -> TableOptions {
        TableOptions { delimiter: b',', skip_lines: 0 }
    }
}

impl<R: Read> Table<R> {
    /// Reads the header. `file` is the name used in error messages.
    pub fn new(file: &str, source: R, options: TableOptions) -> Result<Table<R>, DataError> {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(options.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(source);
        let mut record = csv::StringRecord::new();
        let mut header_line = 0;
        for _ in 0..=options.skip_lines {
            let more = reader.read_record(&mut record).map_err(|err| csv_error(file, &err))?;
            if !more {
                return Err(DataError::Csv {
                    file: file.to_string(),
                    line: header_line + 1,
                    message: "the file ends before its header row".into(),
                });
            }
            header_line = record.position().map_or(header_line + 1, |p| p.line());
        }
        let headers = record
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
            .collect();
        Ok(Table { file: file.to_string(), headers, header_line, reader, record })
    }

    /// The header names.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// The file name used in messages.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Positions of the required columns, or an error naming the first missing one.
    pub fn require(&self, columns: &[&str]) -> Result<Vec<usize>, DataError> {
        columns
            .iter()
            .map(|&column| {
                self.position(column).ok_or_else(|| DataError::Header {
                    file: self.file.clone(),
                    line: self.header_line,
                    column: column.to_string(),
                    expected: columns.join(", "),
                })
            })
            .collect()
    }

    /// Position of a column, if present.
    pub fn position(&self, column: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == column)
    }

    /// The next data row, or `None` at the end. Rows whose field count differs from the
    /// header are errors, except completely empty lines, which are skipped.
    pub fn next_row(&mut self) -> Result<Option<Row<'_>>, DataError> {
        loop {
            let more =
                self.reader.read_record(&mut self.record).map_err(|err| csv_error(&self.file, &err))?;
            if !more {
                return Ok(None);
            }
            let line = self.record.position().map_or(0, |p| p.line());
            if self.record.len() == 1 && self.record[0].trim().is_empty() {
                continue;
            }
            if self.record.len() != self.headers.len() {
                return Err(DataError::FieldCount {
                    file: self.file.clone(),
                    line,
                    expected: self.headers.len(),
                    found: self.record.len(),
                });
            }
            return Ok(Some(Row { file: &self.file, headers: &self.headers, line, record: &self.record }));
        }
    }

    /// Like [`next_row`](Self::next_row) but tolerates rows with a different field count,
    /// for formats with trailer lines ("Total:") that the caller recognises itself.
    pub fn next_row_loose(&mut self) -> Result<Option<Row<'_>>, DataError> {
        let more =
            self.reader.read_record(&mut self.record).map_err(|err| csv_error(&self.file, &err))?;
        if !more {
            return Ok(None);
        }
        let line = self.record.position().map_or(0, |p| p.line());
        Ok(Some(Row { file: &self.file, headers: &self.headers, line, record: &self.record }))
    }
}

fn csv_error(file: &str, err: &csv::Error) -> DataError {
    let line = err.position().map_or(0, |p| p.line());
    let message = match err.kind() {
        csv::ErrorKind::Utf8 { .. } => "the file is not valid UTF-8".to_string(),
        _ => err.to_string(),
    };
    DataError::Csv { file: file.to_string(), line, message }
}

/// One data row with its location.
pub struct Row<'a> {
    file: &'a str,
    headers: &'a [String],
    line: u64,
    record: &'a csv::StringRecord,
}

impl<'a> Row<'a> {
    /// 1-based line number in the file.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.record.len()
    }

    /// Whether the row has no fields.
    pub fn is_empty(&self) -> bool {
        self.record.is_empty()
    }

    /// The raw text of field `idx` (trimmed), empty if absent.
    pub fn str(&self, idx: usize) -> &'a str {
        self.record.get(idx).map_or("", str::trim)
    }

    fn column_name(&self, idx: usize) -> String {
        self.headers.get(idx).cloned().unwrap_or_else(|| format!("#{}", idx + 1))
    }

    /// An error about field `idx`.
    pub fn error(&self, idx: usize, message: impl Into<String>) -> DataError {
        DataError::Malformed {
            file: self.file.to_string(),
            line: self.line,
            column: self.column_name(idx),
            message: message.into(),
        }
    }

    /// A number; thousands separators (`1,234.5`) are accepted, empty is an error.
    pub fn f64(&self, idx: usize) -> Result<f64, DataError> {
        let text = self.str(idx);
        parse_number(text).ok_or_else(|| {
            self.error(idx, format!("`{text}` is not a number"))
        })
    }

    /// A number, or `None` when the field is empty or a publisher's missing marker
    /// (`NA`, `-`, `―`, `..`).
    pub fn opt_f64(&self, idx: usize) -> Result<Option<f64>, DataError> {
        let text = self.str(idx);
        if is_missing_marker(text) {
            return Ok(None);
        }
        self.f64(idx).map(Some)
    }

    /// An integer.
    pub fn i64(&self, idx: usize) -> Result<i64, DataError> {
        let text = self.str(idx);
        // Some exports write integers as `2024.0`.
        let trimmed = text.strip_suffix(".0").unwrap_or(text);
        trimmed.parse::<i64>().map_err(|_| self.error(idx, format!("`{text}` is not a whole number")))
    }

    /// A year between 1900 and 2100.
    pub fn year(&self, idx: usize) -> Result<i32, DataError> {
        let value = self.i64(idx)?;
        if (1900..=2100).contains(&value) {
            Ok(value as i32)
        } else {
            Err(self.error(idx, format!("`{value}` is not a plausible year (1900–2100)")))
        }
    }

    /// A Census Schedule C country code (0–9999, given as text with or without zeros).
    pub fn census_code(&self, idx: usize) -> Result<u16, DataError> {
        let text = self.str(idx);
        match text.parse::<u16>() {
            Ok(code) if code <= 9999 => Ok(code),
            _ => Err(self.error(idx, format!("`{text}` is not a Census country code (0–9999)"))),
        }
    }
}

/// Parses `1,234.5`, `-3`, `1e6`.
pub fn parse_number(text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let value = if text.contains(',') {
        text.replace(',', "").parse::<f64>().ok()?
    } else {
        text.parse::<f64>().ok()?
    };
    value.is_finite().then_some(value)
}

/// Whether a field is a publisher's "no value" marker.
pub fn is_missing_marker(text: &str) -> bool {
    matches!(text.trim(), "" | "NA" | "N/A" | "na" | "-" | "―" | "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_file_line_and_column() {
        let text = "year,value\n2024,1.5\n2025,abc\n";
        let mut table = Table::new("t.csv", text.as_bytes(), TableOptions::default()).unwrap();
        let cols = table.require(&["year", "value"]).unwrap();
        let row = table.next_row().unwrap().unwrap();
        assert_eq!(row.f64(cols[1]).unwrap(), 1.5);
        let row = table.next_row().unwrap().unwrap();
        let err = row.f64(cols[1]).unwrap_err();
        assert_eq!(err.to_string(), "`t.csv` line 3, column `value`: `abc` is not a number");
    }

    #[test]
    fn truncated_rows_and_missing_headers() {
        let text = "a,b,c\n1,2,3\n4,5\n";
        let mut table = Table::new("t.csv", text.as_bytes(), TableOptions::default()).unwrap();
        assert!(table.next_row().unwrap().is_some());
        let err = table.next_row().err().unwrap();
        assert_eq!(
            err.to_string(),
            "`t.csv` line 3: expected 3 fields, found 2 (truncated or misquoted row?)"
        );
        let err = table.require(&["a", "zz"]).unwrap_err();
        assert_eq!(err.to_string(), "`t.csv` line 1: header is missing column `zz`; expected columns: a, zz");
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("1,234.5"), Some(1234.5));
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("NaN"), None);
        assert!(is_missing_marker("―"));
    }
}
