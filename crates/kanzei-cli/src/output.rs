//! Output in the three formats every data command supports.
//!
//! A command builds one [`Report`]: a JSON value (plain units: USD, not millions; percent
//! fields named `*_pct`), one or more [`Grid`]s for people, and notes (sources, coverage).
//! `--format table` prints the grids and notes; `csv` prints the first grid with raw
//! numbers; `json` prints the JSON value with the first grid's rows added under
//! [`Report::table_key`] (`"table"` unless the command names another).
//!
//! A grid's columns are declared once, as a [`Column`] with a [`Unit`]. The unit decides
//! the CSV header and JSON key (`exports` in U.S. dollars is `exports_usd`, raw dollars),
//! the table header (`exports_musd`, because the table shows millions) and how values are
//! shown, so a header can no longer say millions while the values are dollars.

use std::collections::BTreeSet;
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

/// What a column's numbers measure. CSV and JSON carry raw values in this unit under a key
/// with its suffix; the table may scale them (dollars to millions) and then says so in
/// its header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Text; no suffix.
    Text,
    /// U.S. dollars: `_usd`, raw dollars (rounded to cents) in CSV and JSON; the table
    /// shows millions under `_musd`.
    Usd,
    /// Japanese yen: `_jpy`, raw yen in CSV and JSON; the table shows billions under `_bnjpy`.
    Jpy,
    /// Percent (12.5 means 12.5%): `_pct`.
    Pct,
    /// Percentage points: `_pp`.
    Pp,
    /// A share from 0 to 1: `_share`.
    Share,
    /// A count of things: `_count`.
    Count,
    /// A number without a unit (a rank, a year, an elasticity, iterations) or whose unit
    /// another column of the row states; no suffix. Use it sparingly: the CSV/JSON
    /// agreement test keeps an explicit list of the names allowed to have no unit.
    Number,
}

impl Unit {
    /// Suffix of the CSV header and JSON key.
    pub fn key_suffix(self) -> &'static str {
        match self {
            Unit::Text | Unit::Number => "",
            Unit::Usd => "_usd",
            Unit::Jpy => "_jpy",
            Unit::Pct => "_pct",
            Unit::Pp => "_pp",
            Unit::Share => "_share",
            Unit::Count => "_count",
        }
    }

    /// Suffix of the table header: the unit the table shows.
    pub fn table_suffix(self) -> &'static str {
        match self {
            Unit::Usd => "_musd",
            Unit::Jpy => "_bnjpy",
            other => other.key_suffix(),
        }
    }

    /// Divisor from the raw value to the value the table shows.
    fn table_scale(self) -> f64 {
        match self {
            Unit::Usd => 1e6,
            Unit::Jpy => 1e9,
            _ => 1.0,
        }
    }

    fn numeric(self) -> bool {
        self != Unit::Text
    }
}

/// A column: its name without unit, its unit, and how the table shows it.
#[derive(Clone, Debug)]
pub struct Column {
    /// Name without the unit suffix (`exports`).
    pub name: String,
    /// What the numbers measure.
    pub unit: Unit,
    /// Decimals in the table (CSV and JSON are not rounded, except dollars and yen to cents).
    pub decimals: usize,
    /// Longest text the table shows before cutting it with "…" (CSV and JSON are whole).
    pub table_width: Option<usize>,
    /// Whether the table shows it (CSV and JSON always do).
    pub in_table: bool,
    /// A statistic of the quantity after the unit (`p5` gives `real_income_pct_p5`): the
    /// Monte Carlo bands.
    pub statistic: Option<&'static str>,
}

impl Column {
    /// A column of `unit` with `decimals` in the table.
    pub fn new(name: impl Into<String>, unit: Unit, decimals: usize) -> Column {
        Column {
            name: name.into(),
            unit,
            decimals,
            table_width: None,
            in_table: true,
            statistic: None,
        }
    }

    /// The same quantity's percentile `statistic` (`p5`, `p50`, `p95`) over draws.
    pub fn band(mut self, statistic: &'static str) -> Column {
        self.statistic = Some(statistic);
        self
    }

    /// Text.
    pub fn text(name: &str) -> Column {
        Column::new(name, Unit::Text, 0)
    }

    /// U.S. dollars (table: millions with one decimal).
    pub fn usd(name: &str) -> Column {
        Column::new(name, Unit::Usd, 1)
    }

    /// Japanese yen (table: billions with one decimal).
    pub fn jpy(name: &str) -> Column {
        Column::new(name, Unit::Jpy, 1)
    }

    /// Percent.
    pub fn pct(name: &str, decimals: usize) -> Column {
        Column::new(name, Unit::Pct, decimals)
    }

    /// Percentage points.
    pub fn pp(name: &str, decimals: usize) -> Column {
        Column::new(name, Unit::Pp, decimals)
    }

    /// A share from 0 to 1.
    pub fn share(name: &str, decimals: usize) -> Column {
        Column::new(name, Unit::Share, decimals)
    }

    /// A count.
    pub fn count(name: &str) -> Column {
        Column::new(name, Unit::Count, 0)
    }

    /// A number without a unit (see [`Unit::Number`]).
    pub fn number(name: &str, decimals: usize) -> Column {
        Column::new(name, Unit::Number, decimals)
    }

    /// Cuts text longer than `width` characters in the table.
    pub fn width(mut self, width: usize) -> Column {
        self.table_width = Some(width);
        self
    }

    /// Leaves the column out of the table: for raw values the table shows in another
    /// column in words ("$227.9 bn").
    pub fn csv_only(mut self) -> Column {
        self.in_table = false;
        self
    }

    /// The CSV header and JSON key: name and unit suffix.
    pub fn key(&self) -> String {
        match self.statistic {
            Some(stat) => format!("{}{}_{stat}", self.name, self.unit.key_suffix()),
            None => format!("{}{}", self.name, self.unit.key_suffix()),
        }
    }

    /// The table header: name and the suffix of the unit the table shows.
    pub fn table_header(&self) -> String {
        match self.statistic {
            Some(stat) => format!("{}{}_{stat}", self.name, self.unit.table_suffix()),
            None => format!("{}{}", self.name, self.unit.table_suffix()),
        }
    }
}

/// A value in a grid; its column says what it measures and how to show it.
#[derive(Clone, Debug)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A number in its column's unit.
    Num(f64),
    /// An integer in its column's unit.
    Int(i64),
    /// Nothing.
    Empty,
}

impl Cell {
    fn human(&self, column: &Column) -> String {
        match self {
            Cell::Text(s) => match column.table_width {
                Some(w) => truncate(s, w),
                None => s.clone(),
            },
            Cell::Num(v) => group_thousands(v / column.unit.table_scale(), column.decimals),
            Cell::Int(v) if column.unit.table_scale() == 1.0 => group_thousands(*v as f64, 0),
            Cell::Int(v) => group_thousands(*v as f64 / column.unit.table_scale(), column.decimals),
            Cell::Empty => String::new(),
        }
    }

    fn raw_number(&self, column: &Column) -> Option<f64> {
        match self {
            Cell::Num(v) if matches!(column.unit, Unit::Usd | Unit::Jpy) => Some(round_cents(*v)),
            Cell::Num(v) => Some(*v),
            _ => None,
        }
    }

    fn raw(&self, column: &Column) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Num(_) => format!("{}", self.raw_number(column).unwrap_or(f64::NAN)),
            Cell::Int(v) => v.to_string(),
            Cell::Empty => String::new(),
        }
    }

    fn json(&self, column: &Column) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Num(_) => self
                .raw_number(column)
                .map_or(Value::Null, |v| serde_json::json!(v)),
            Cell::Int(v) => Value::from(*v),
            Cell::Empty => Value::Null,
        }
    }
}

fn round_cents(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Shortens text to `max` characters with an ellipsis.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
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
    let mut out = if negative {
        format!("-{grouped}")
    } else {
        grouped
    };
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
    /// Columns, each with its unit.
    pub columns: Vec<Column>,
    /// Rows: every row goes to CSV and JSON.
    pub rows: Vec<Vec<Cell>>,
    /// Show only the first N rows in the table (CSV and JSON have them all).
    pub table_limit: Option<usize>,
    /// Rows left out of the table (CSV and JSON have them).
    pub hidden_in_table: BTreeSet<usize>,
}

impl Grid {
    /// A grid with columns.
    pub fn new(title: impl Into<Option<String>>, columns: Vec<Column>) -> Grid {
        Grid {
            title: title.into(),
            columns,
            ..Grid::default()
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(
            row.len(),
            self.columns.len(),
            "a row has one cell per column"
        );
        self.rows.push(row);
    }

    /// Adds a row that CSV and JSON have but the table leaves out.
    pub fn push_hidden_in_table(&mut self, row: Vec<Cell>) {
        self.hidden_in_table.insert(self.rows.len());
        self.push(row);
    }

    /// The CSV headers (the JSON keys).
    pub fn keys(&self) -> Vec<String> {
        self.columns.iter().map(Column::key).collect()
    }

    /// The rows as JSON objects keyed by [`Column::key`], raw values.
    pub fn json_rows(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|row| {
                    let object: serde_json::Map<String, Value> = self
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(column, cell)| (column.key(), cell.json(column)))
                        .collect();
                    Value::Object(object)
                })
                .collect(),
        )
    }

    /// The rows the table shows.
    fn table_rows(&self) -> impl Iterator<Item = &Vec<Cell>> {
        self.rows
            .iter()
            .enumerate()
            .filter(|(idx, _)| !self.hidden_in_table.contains(idx))
            .map(|(_, row)| row)
            .take(self.table_limit.unwrap_or(usize::MAX))
    }
}

/// Everything a command prints.
#[derive(Clone, Debug)]
pub struct Report {
    /// JSON form, without the main table (added under `table_key` when written).
    pub json: Value,
    /// Tables for people (the first is the CSV table).
    pub grids: Vec<Grid>,
    /// Lines printed under the tables: sources, coverage, caveats.
    pub notes: Vec<String>,
    /// The JSON key under which the first grid's rows are written: `"table"` unless a
    /// command's JSON already has that array under another name (`"rows"`).
    pub table_key: &'static str,
}

impl Report {
    /// A report with a JSON value and nothing else yet.
    pub fn new(json: Value) -> Report {
        Report {
            json,
            grids: vec![],
            notes: vec![],
            table_key: "table",
        }
    }

    /// The JSON value written by `--format json`: the command's value with the first
    /// grid's rows, keyed like the CSV headers, under [`Report::table_key`].
    pub fn json_value(&self) -> Value {
        let mut json = self.json.clone();
        if let (Some(grid), Some(object)) = (self.grids.first(), json.as_object_mut()) {
            object.insert(self.table_key.to_string(), grid.json_rows());
        }
        json
    }

    /// Writes in the chosen format.
    pub fn write(&self, format: Format, out: &mut dyn Write) -> std::io::Result<()> {
        match format {
            Format::Json => {
                serde_json::to_writer_pretty(&mut *out, &self.json_value())?;
                writeln!(out)
            }
            Format::Csv => {
                let Some(grid) = self.grids.first() else {
                    return Ok(());
                };
                writeln!(
                    out,
                    "{}",
                    grid.keys()
                        .iter()
                        .map(|h| csv_escape(h))
                        .collect::<Vec<_>>()
                        .join(",")
                )?;
                for row in &grid.rows {
                    let fields: Vec<String> = grid
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(column, c)| csv_escape(&c.raw(column)))
                        .collect();
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
    table
        .load_preset(presets::UTF8_BORDERS_ONLY)
        .set_content_arrangement(ContentArrangement::Disabled);
    let shown: Vec<usize> = (0..grid.columns.len())
        .filter(|&idx| grid.columns[idx].in_table)
        .collect();
    table.set_header(
        shown
            .iter()
            .map(|&idx| TableCell::new(grid.columns[idx].table_header())),
    );
    for row in grid.table_rows() {
        table.add_row(
            shown
                .iter()
                .map(|&idx| (&grid.columns[idx], &row[idx]))
                .map(|(column, c)| {
                    let cell = TableCell::new(c.human(column));
                    if column.unit.numeric() {
                        cell.set_alignment(CellAlignment::Right)
                    } else {
                        cell
                    }
                }),
        );
    }
    // Right-align headers of numeric columns.
    for (idx, column) in shown.iter().map(|&idx| &grid.columns[idx]).enumerate() {
        if column.unit.numeric() {
            if let Some(table_column) = table.column_mut(idx) {
                table_column.set_cell_alignment(CellAlignment::Right);
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

    fn sample() -> Report {
        let mut report = Report::new(serde_json::json!({"a_usd": 1.5e9}));
        let mut grid = Grid::new(
            None,
            vec![
                Column::text("name").width(6),
                Column::usd("value"),
                Column::pct("share", 1),
            ],
        );
        grid.push(vec![
            Cell::Text("Japan, the".into()),
            Cell::Num(79_740_800_000.004),
            Cell::Num(34.44),
        ]);
        grid.push_hidden_in_table(vec![
            Cell::Text("Korea".into()),
            Cell::Num(1e6),
            Cell::Empty,
        ]);
        report.grids.push(grid);
        report
    }

    fn written(report: &Report, format: Format) -> String {
        let mut buf = Vec::new();
        report.write(format, &mut buf).unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn one_declaration_names_the_csv_header_the_json_key_and_the_table_header() {
        let report = sample();
        assert_eq!(
            written(&report, Format::Csv),
            "name,value_usd,share_pct\n\"Japan, the\",79740800000,34.44\nKorea,1000000,\n"
        );
        let json: Value = serde_json::from_str(&written(&report, Format::Json)).unwrap();
        assert_eq!(json["a_usd"], 1.5e9);
        assert_eq!(
            json["table"][0],
            serde_json::json!({"name": "Japan, the", "value_usd": 79_740_800_000.0, "share_pct": 34.44})
        );
        assert_eq!(json["table"][1]["share_pct"], Value::Null);
        let table = written(&report, Format::Table);
        assert!(
            table.contains("value_musd") && table.contains("share_pct"),
            "{table}"
        );
        assert!(
            table.contains("79,740.8") && table.contains("34.4") && table.contains("Japan…"),
            "{table}"
        );
        assert!(
            !table.contains("Korea"),
            "hidden rows stay out of the table: {table}"
        );
    }

    #[test]
    fn units_have_distinct_suffixes() {
        assert_eq!(Column::jpy("value").key(), "value_jpy");
        assert_eq!(Column::jpy("value").table_header(), "value_bnjpy");
        assert_eq!(Column::pp("change", 2).key(), "change_pp");
        assert_eq!(Column::share("applies", 3).key(), "applies_share");
        assert_eq!(Column::count("rows_kept").key(), "rows_kept_count");
        assert_eq!(Column::number("rank", 0).key(), "rank");
    }
}
