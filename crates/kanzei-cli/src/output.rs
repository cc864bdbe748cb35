//! Output in the three formats every data command supports.
//!
//! A command builds one [`Report`]: a JSON value (plain units: USD, not millions; percent
//! fields named `*_pct`), one or more [`Grid`]s for people, and notes (sources, coverage).
//! `--format table` prints the grids and notes, `csv` prints the first grid with raw
//! numbers, `json` prints the JSON value.

use std::io::Write;

use clap::ValueEnum;
use comfy_table::{presets, Cell as TableCell, CellAlignment, ContentArrangement, Table};
use serde_json::Value;

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned table with sources and notes.
    #[default]
    Table,
    /// One JSON object, plain units.
    Json,
    /// The main table as CSV, raw numbers.
    Csv,
}

/// A value in a grid, formatted for people in tables and raw in CSV.
#[derive(Clone, Debug)]
pub enum Cell {
    /// Text.
    Text(String),
    /// U.S. dollars shown in millions with one decimal ("79,740.8"); raw dollars in CSV.
    UsdMillions(f64),
    /// U.S. dollars shown in billions with two decimals.
    UsdBillions(f64),
    /// A percentage with the given decimals.
    Pct(f64, usize),
    /// A plain number with the given decimals.
    Num(f64, usize),
    /// An integer.
    Int(i64),
    /// Nothing.
    Empty,
}

impl Cell {
    fn human(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::UsdMillions(v) => group_thousands(v / 1e6, 1),
            Cell::UsdBillions(v) => group_thousands(v / 1e9, 2),
            Cell::Pct(v, d) => format!("{v:.d$}", d = *d),
            Cell::Num(v, d) => group_thousands(*v, *d),
            Cell::Int(v) => group_thousands(*v as f64, 0),
            Cell::Empty => String::new(),
        }
    }

    fn raw(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::UsdMillions(v) | Cell::UsdBillions(v) => format!("{}", round_cents(*v)),
            Cell::Pct(v, _) | Cell::Num(v, _) => format!("{v}"),
            Cell::Int(v) => v.to_string(),
            Cell::Empty => String::new(),
        }
    }

    fn numeric(&self) -> bool {
        !matches!(self, Cell::Text(_) | Cell::Empty)
    }
}

fn round_cents(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Formats with thousands separators: 1234567.89 → "1,234,567.9" (1 decimal).
pub fn group_thousands(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int_part, frac) = match text.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.to_string())),
        None => (text.clone(), None),
    };
    let mut grouped = String::new();
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let negative = value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let mut out = if negative { format!("-{grouped}") } else { grouped };
    if let Some(f) = frac {
        out.push('.');
        out.push_str(&f);
    }
    out
}

/// A titled table.
#[derive(Clone, Debug, Default)]
pub struct Grid {
    /// Title printed above the table.
    pub title: Option<String>,
    /// Column headers (CSV headers too; keep them machine-friendly).
    pub headers: Vec<String>,
    /// Rows.
    pub rows: Vec<Vec<Cell>>,
}

impl Grid {
    /// A grid with headers.
    pub fn new(title: impl Into<Option<String>>, headers: &[&str]) -> Grid {
        Grid { title: title.into(), headers: headers.iter().map(|h| h.to_string()).collect(), rows: vec![] }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

/// Everything a command prints.
#[derive(Clone, Debug)]
pub struct Report {
    /// JSON form.
    pub json: Value,
    /// Tables for people (the first is the CSV table).
    pub grids: Vec<Grid>,
    /// Lines printed under the tables: sources, coverage, caveats.
    pub notes: Vec<String>,
}

impl Report {
    /// A report with a JSON value and nothing else yet.
    pub fn new(json: Value) -> Report {
        Report { json, grids: vec![], notes: vec![] }
    }

    /// Writes in the chosen format.
    pub fn write(&self, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, &self.json)?;
                writeln!(out)
            }
            Format::Csv => {
                let Some(grid) = self.grids.first() else { return Ok(()) };
                writeln!(out, "{}", grid.headers.iter().map(|h| csv_escape(h)).collect::<Vec<_>>().join(","))?;
                for row in &grid.rows {
                    let fields: Vec<String> = row.iter().map(|c| csv_escape(&c.raw())).collect();
                    writeln!(out, "{}", fields.join(","))?;
                }
                Ok(())
            }
            Format::Table => {
                for (idx, grid) in self.grids.iter().enumerate() {
                    if idx > 0 {
                        writeln!(out)?;
                    }
                    if let Some(title) = &grid.title {
                        writeln!(out, "{title}")?;
                    }
                    writeln!(out, "{}", render_table(grid))?;
                }
                for note in &self.notes {
                    writeln!(out, "{note}")?;
                }
                Ok(())
            }
        }
    }
}

fn render_table(grid: &Grid) -> String {
    let mut table = Table::new();
    table.load_preset(presets::UTF8_BORDERS_ONLY).set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(grid.headers.iter().map(TableCell::new));
    for row in &grid.rows {
        table.add_row(row.iter().map(|c| {
            let cell = TableCell::new(c.human());
            if c.numeric() {
                cell.set_alignment(CellAlignment::Right)
            } else {
                cell
            }
        }));
    }
    // Right-align headers of numeric columns.
    if let Some(first) = grid.rows.first() {
        for (idx, c) in first.iter().enumerate() {
            if c.numeric() {
                if let Some(column) = table.column_mut(idx) {
                    column.set_cell_alignment(CellAlignment::Right);
                }
            }
        }
    }
    table.to_string()
}

fn csv_escape(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(group_thousands(79740.8, 1), "79,740.8");
        assert_eq!(group_thousands(-68467.75, 1), "-68,467.8");
        assert_eq!(group_thousands(-0.01, 1), "0.0");
        assert_eq!(group_thousands(999.0, 0), "999");
        assert_eq!(group_thousands(1000.0, 0), "1,000");
    }

    #[test]
    fn csv_is_raw_and_json_is_plain() {
        let mut report = Report::new(serde_json::json!({"a_usd": 1.5e9}));
        let mut grid = Grid::new(None, &["name", "value_usd"]);
        grid.push(vec![Cell::Text("Japan, the".into()), Cell::UsdMillions(79_740_800_000.0)]);
        report.grids.push(grid);
        let mut buf = Vec::new();
        report.write(Format::Csv, &mut buf).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), "name,value_usd\n\"Japan, the\",79740800000\n");
        let mut buf = Vec::new();
        report.write(Format::Table, &mut buf).unwrap();
        assert!(String::from_utf8(buf).unwrap().contains("79,740.8"));
    }
}
