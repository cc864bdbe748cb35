//! Charts as standalone SVG 1.1, written by hand.
//!
//! Every chart type is a plain struct of public fields with a `render` method that returns one
//! complete SVG document (`<svg xmlns=… version="1.1" viewBox=…>`) or a [`ChartError`] naming the
//! chart and the bad value. The output is meant to be saved as a `.svg` file and also inlined into
//! the HTML brief ([`crate::document`]):
//!
//! * [`HBarChart`]: horizontal bars, negative values supported, any bar highlighted
//!   (U.S. bilateral balances with Japan in the accent colour);
//! * [`ColumnChart`]: vertical bars over categories or years (the balance since 2015);
//! * [`LineChart`]: several series over dates, straight or stepped, with dated
//!   [`EventMarker`]s drawn as vertical rules whose labels are stacked so they never overlap
//!   (Japan's effective tariff rate through 2025–26);
//! * [`StackedBarChart`]: horizontal bars split into segments (exposure by legal authority);
//! * [`GroupedBarChart`]: vertical bars in groups (welfare change with and without retaliation);
//! * [`DotPlot`]: rows of dots on one axis joined by a rule (before/after comparisons).
//!
//! Conventions: a visible title, subtitle and source line inside the graphic; `<title>` and
//! `<desc>` for screen readers (the description lists the data); fonts from the system stack
//! [`FONT_STACK`]; colours from [`palette`]; axes on "nice" ticks of 1, 2 or 5 × 10^k
//! ([`nice_ticks`]). Output is deterministic: coordinates are written with one decimal, numbers
//! with a fixed number of decimals, and nothing depends on hash order or the clock.
//!
//! Bars are `<rect class="bar">`, legend swatches `<rect class="swatch">`, series lines
//! `<path class="series">` and event rules `<line class="event">`, so tests (and readers of
//! the file) can count them.

use std::fmt::Write as _;

use thiserror::Error;

/// The system font stack used for all chart text (Arial metrics first; Liberation Sans and
/// DejaVu Sans on Linux).
pub const FONT_STACK: &str =
    "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

/// Default width of a chart in SVG user units (pixels at 100 %).
pub const DEFAULT_WIDTH: f64 = 720.0;

/// The publication palette: restrained blues and greys with one warm accent.
pub mod palette {
    /// Main text.
    pub const INK: &str = "#1a1a1a";
    /// Secondary text: subtitles, tick labels, sources.
    pub const MUTED: &str = "#5b6470";
    /// Grid lines.
    pub const GRID: &str = "#e2e5e9";
    /// Axis and zero lines.
    pub const AXIS: &str = "#6f7782";
    /// Background of standalone files.
    pub const BACKGROUND: &str = "#ffffff";
    /// Bars when nothing is highlighted.
    pub const PRIMARY: &str = "#1f4e79";
    /// Bars that are not highlighted when one is.
    pub const NEUTRAL: &str = "#a9b8c8";
    /// The highlighted bar (Japan).
    pub const HIGHLIGHT: &str = "#c4452b";
    /// Event rules and their labels.
    pub const EVENT: &str = "#8a5a44";
    /// Series colours, in order of use.
    pub const SERIES: [&str; 7] = [
        "#1f4e79", "#c4452b", "#5e9c76", "#d9a03f", "#7a5c99", "#6fa3cf", "#8c8c8c",
    ];
}

/// Why a chart could not be drawn.
#[derive(Clone, Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum ChartError {
    /// A value is NaN or infinite.
    #[error("chart `{chart}`: {what} is {value}; chart values must be finite numbers")]
    NonFinite {
        /// Chart title.
        chart: String,
        /// Which value ("bar 3 (`Japan`)").
        what: String,
        /// The value as Rust prints it (`NaN`, `inf`).
        value: String,
    },
    /// Nothing to draw.
    #[error("chart `{chart}` has no {what}; give at least one")]
    Empty {
        /// Chart title.
        chart: String,
        /// What is missing ("bars", "series").
        what: String,
    },
    /// A series has a different number of values than there are categories.
    #[error(
        "chart `{chart}`: series `{series}` has {found} values but there are {expected} categories"
    )]
    LengthMismatch {
        /// Chart title.
        chart: String,
        /// Series name.
        series: String,
        /// Values in the series.
        found: usize,
        /// Categories in the chart.
        expected: usize,
    },
    /// Any other invalid input, explained.
    #[error("chart `{chart}`: {reason}")]
    Invalid {
        /// Chart title.
        chart: String,
        /// What is wrong and what would be valid.
        reason: String,
    },
}

// ---------------------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------------------

/// How values are written on labels.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueFormat {
    /// A plain number with thousands separators: `1,234.5`.
    Number {
        /// Decimals shown.
        decimals: usize,
    },
    /// A value already in percent: `15.0%`.
    Percent {
        /// Decimals shown.
        decimals: usize,
    },
    /// A value in billions of U.S. dollars: `$68.5 bn`, `−$295.4 bn`.
    UsdBn {
        /// Decimals shown.
        decimals: usize,
    },
    /// A number followed by a unit: `12.3 pp`, `4.1 ¥ tn`.
    Unit {
        /// Decimals shown.
        decimals: usize,
        /// The unit, written after a thin space.
        unit: String,
    },
}

impl ValueFormat {
    /// Formats `value` for a data label.
    pub fn format(&self, value: f64) -> String {
        match self {
            ValueFormat::Number { decimals } => format_number(value, *decimals),
            ValueFormat::Percent { decimals } => format_percent(value, *decimals),
            ValueFormat::UsdBn { decimals } => format_usd_bn(value, *decimals),
            ValueFormat::Unit { decimals, unit } => {
                format!("{} {unit}", format_number(value, *decimals))
            }
        }
    }

    /// Formats an axis tick: percent keeps its sign, other formats give the bare number
    /// (the unit is in the axis label).
    pub fn format_tick(&self, value: f64, decimals: usize) -> String {
        match self {
            ValueFormat::Percent { .. } => format_percent(value, decimals),
            _ => format_number(value, decimals),
        }
    }
}

/// `value` with `decimals` decimals, thousands separators and a true minus sign (U+2212);
/// never writes `−0`.
///
/// `format_number(-1234567.891, 1)` is `−1,234,567.9`.
pub fn format_number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return format!("{value}");
    }
    let text = format!("{:.*}", decimals, value.abs());
    let is_zero = text.bytes().all(|b| b == b'0' || b == b'.');
    let (int_part, frac_part) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + 4);
    if value < 0.0 && !is_zero {
        out.push('−');
    }
    let n_digits = int_part.len();
    for (i, ch) in int_part.chars().enumerate() {
        if i > 0 && (n_digits - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(frac) = frac_part {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// A value in percent: `format_percent(15.04, 1)` is `15.0%`.
pub fn format_percent(value: f64, decimals: usize) -> String {
    format!("{}%", format_number(value, decimals))
}

/// A value in billions of dollars: `format_usd_bn(-68.46, 1)` is `−$68.5 bn`.
pub fn format_usd_bn(value: f64, decimals: usize) -> String {
    let number = format_number(value, decimals);
    match number.strip_prefix('−') {
        Some(abs) => format!("−${abs} bn"),
        None => format!("${number} bn"),
    }
}

/// Escapes text for XML and HTML content and attribute values: `&`, `<`, `>`, `"` and `'`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0; drop them rather than emit an
            // invalid file.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Axis ticks on a "nice" step.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticks {
    /// Tick values from low to high; the first is ≤ the data minimum, the last ≥ the maximum.
    pub values: Vec<f64>,
    /// Distance between ticks: 1, 2 or 5 × 10^k.
    pub step: f64,
    /// Decimals needed to write the ticks exactly.
    pub decimals: usize,
}

impl Ticks {
    /// Lowest tick.
    pub fn low(&self) -> f64 {
        self.values[0]
    }

    /// Highest tick.
    pub fn high(&self) -> f64 {
        self.values[self.values.len() - 1]
    }
}

/// Ticks covering `[low, high]` with a step of 1, 2 or 5 × 10^k, at most about
/// `max_ticks` of them (never fewer than two).
///
/// `nice_ticks(-295.4, 0.0, 6)` gives −300, −200, −100, 0 (a step of 50 would need seven
/// ticks). Non-finite inputs are treated as 0; callers validate data before asking for ticks.
pub fn nice_ticks(low: f64, high: f64, max_ticks: usize) -> Ticks {
    let low = if low.is_finite() { low } else { 0.0 };
    let high = if high.is_finite() { high } else { 0.0 };
    let (mut low, mut high) = if low <= high {
        (low, high)
    } else {
        (high, low)
    };
    if high - low < 1e-12 {
        // One value: make a unit range around it so the axis has somewhere to go.
        let pad = if low.abs() > 1e-12 {
            low.abs() * 0.5
        } else {
            1.0
        };
        if low >= 0.0 {
            high = low + pad;
            if low > 0.0 {
                low = 0.0;
            }
        } else {
            low -= pad;
            high = high.max(0.0);
        }
    }
    let max_ticks = max_ticks.max(2);
    let raw_step = (high - low) / (max_ticks - 1) as f64;
    let magnitude = 10f64.powf(raw_step.log10().floor());
    let mut step = magnitude;
    for factor in [1.0, 2.0, 5.0, 10.0] {
        step = factor * magnitude;
        let n = ((high / step).ceil() - (low / step).floor()) as usize + 1;
        if n <= max_ticks {
            break;
        }
    }
    // Tolerate rounding noise: 0.30000000000000004 / 0.1 must not add a tick.
    let first = (low / step + 1e-9).floor() as i64;
    let last = (high / step - 1e-9).ceil() as i64;
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    let scale = 10f64.powi(decimals as i32);
    let values = (first..=last)
        .map(|i| {
            let v = ((i as f64 * step) * scale).round() / scale;
            if v == 0.0 {
                0.0
            } else {
                v
            }
        })
        .collect();
    Ticks {
        values,
        step,
        decimals,
    }
}

/// Estimated width in pixels of `text` set in the chart font at `size` px (Arial /
/// Liberation Sans advance widths; bold adds 6 %). Used to lay out labels, so it errs wide.
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let em: f64 = text
        .chars()
        .map(|ch| match ch {
            'i' | 'j' | 'l' | '\'' | '|' | '!' | '.' | ',' | ':' | ';' => 0.24,
            ' ' | 'f' | 't' | 'I' | '[' | ']' | '(' | ')' | '/' => 0.29,
            'r' | '-' | '"' => 0.34,
            '0'..='9' | '$' | '#' | '?' | '_' | '–' | '¥' | '€' | '£' => 0.56,
            'm' | 'M' | 'W' | '%' | '—' => 0.9,
            'w' => 0.74,
            'A'..='Z' => 0.68,
            'a'..='z' => 0.53,
            '−' | '+' | '=' | '<' | '>' | '×' => 0.59,
            '&' => 0.67,
            _ => 0.62,
        })
        .sum();
    em * size * if bold { 1.06 } else { 1.0 }
}

/// Splits `text` into lines no wider than `max_width` at `size` px, breaking at spaces.
pub fn wrap_text(text: &str, max_width: f64, size: f64, bold: bool) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() {
            word.to_string()
        } else {
            format!("{current} {word}")
        };
        if !current.is_empty() && text_width(&candidate, size, bold) > max_width {
            lines.push(std::mem::take(&mut current));
            current = word.to_string();
        } else {
            current = candidate;
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

/// Shortens `text` with an ellipsis so it fits `max_width`.
fn truncate_to_width(text: &str, max_width: f64, size: f64, bold: bool) -> String {
    if text_width(text, size, bold) <= max_width {
        return text.to_string();
    }
    let mut out = String::new();
    for ch in text.chars() {
        let candidate = format!("{out}{ch}…");
        if text_width(&candidate, size, bold) > max_width {
            break;
        }
        out.push(ch);
    }
    format!("{}…", out.trim_end())
}

/// A coordinate with one decimal, without a trailing `.0` and never `-0`.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r:.1}");
    match s.strip_suffix(".0") {
        Some(int) => int.to_string(),
        None => s,
    }
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/// A calendar date on a chart's time axis: kanzei's one [`kanzei_core::Date`], so tariff
/// timelines plot without conversion.
pub use kanzei_core::date::Date as ChartDate;

/// Months since year 0, for month ticks.
fn month_index(d: ChartDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month()) - 1
}

// ---------------------------------------------------------------------------------------------
// Shared pieces
// ---------------------------------------------------------------------------------------------

/// The words around a chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChartText {
    /// Visible title and the SVG `<title>`.
    pub title: String,
    /// Visible subtitle, usually the unit and period ("Goods balance, 2024, US$ billion").
    pub subtitle: Option<String>,
    /// Sentence for screen readers, put before the data listing in `<desc>`.
    pub description: String,
    /// Source line under the chart ("Source: U.S. Census Bureau, FT-900.").
    pub source: Option<String>,
}

impl ChartText {
    /// A title and a description; no subtitle or source.
    pub fn new(title: impl Into<String>, description: impl Into<String>) -> ChartText {
        ChartText {
            title: title.into(),
            subtitle: None,
            description: description.into(),
            source: None,
        }
    }

    /// Sets the subtitle.
    pub fn with_subtitle(mut self, subtitle: impl Into<String>) -> ChartText {
        self.subtitle = Some(subtitle.into());
        self
    }

    /// Sets the source line.
    pub fn with_source(mut self, source: impl Into<String>) -> ChartText {
        self.source = Some(source.into());
        self
    }
}

/// One labelled value.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// Category label.
    pub label: String,
    /// Value.
    pub value: f64,
    /// Drawn in [`palette::HIGHLIGHT`] with a bold label.
    pub highlight: bool,
}

impl Bar {
    /// A plain bar.
    pub fn new(label: impl Into<String>, value: f64) -> Bar {
        Bar {
            label: label.into(),
            value,
            highlight: false,
        }
    }

    /// A highlighted bar.
    pub fn highlighted(label: impl Into<String>, value: f64) -> Bar {
        Bar {
            label: label.into(),
            value,
            highlight: true,
        }
    }
}

/// A named series of values, one per category.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// One value per category.
    pub values: Vec<f64>,
    /// Colour (`#rrggbb`); `None` takes the next from [`palette::SERIES`].
    pub color: Option<String>,
    /// Error bars: one (low, high) interval per category, drawn as a whisker with caps
    /// (the 90% band of a Monte Carlo run).
    pub errors: Option<Vec<(f64, f64)>>,
}

impl Series {
    /// A series with the palette's colour.
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Series {
        Series {
            name: name.into(),
            values,
            color: None,
            errors: None,
        }
    }

    /// The same series with error bars (low, high) per category.
    pub fn with_errors(mut self, errors: Vec<(f64, f64)>) -> Series {
        self.errors = Some(errors);
        self
    }
}

const PAD_X: f64 = 20.0;
const TITLE_SIZE: f64 = 17.0;
const SUBTITLE_SIZE: f64 = 13.0;
const LABEL_SIZE: f64 = 12.5;
const TICK_SIZE: f64 = 11.5;
const SOURCE_SIZE: f64 = 11.0;

#[derive(Clone, Copy, PartialEq)]
enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn as_str(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

#[derive(Clone, Copy)]
struct Font {
    size: f64,
    bold: bool,
    fill: &'static str,
    anchor: Anchor,
}

impl Font {
    fn new(size: f64, fill: &'static str, anchor: Anchor) -> Font {
        Font {
            size,
            bold: false,
            fill,
            anchor,
        }
    }

    fn bold(mut self) -> Font {
        self.bold = true;
        self
    }
}

/// SVG elements being collected; the header and size are written by [`Canvas::finish`].
struct Canvas {
    width: f64,
    body: String,
}

impl Canvas {
    fn new(width: f64) -> Canvas {
        Canvas {
            width,
            body: String::new(),
        }
    }

    fn rect(&mut self, class: &str, x: f64, y: f64, w: f64, h: f64, fill: &str) {
        let _ = writeln!(
            self.body,
            r#"<rect class="{class}" x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0)),
            escape(fill)
        );
    }

    fn line(
        &mut self,
        class: &str,
        (x1, y1): (f64, f64),
        (x2, y2): (f64, f64),
        stroke: &str,
        width: f64,
        dash: Option<&str>,
    ) {
        let dash = dash
            .map(|d| format!(r#" stroke-dasharray="{d}""#))
            .unwrap_or_default();
        let _ = writeln!(
            self.body,
            r#"<line class="{class}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{dash}/>"#,
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            escape(stroke),
            num(width)
        );
    }

    fn text(&mut self, x: f64, y: f64, content: &str, font: Font) {
        let weight = if font.bold {
            r#" font-weight="700""#
        } else {
            ""
        };
        let anchor = if font.anchor == Anchor::Start {
            String::new()
        } else {
            format!(r#" text-anchor="{}""#, font.anchor.as_str())
        };
        let _ = writeln!(
            self.body,
            r#"<text x="{}" y="{}" font-size="{}" fill="{}"{weight}{anchor}>{}</text>"#,
            num(x),
            num(y),
            num(font.size),
            font.fill,
            escape(content)
        );
    }

    fn rotated_text(&mut self, x: f64, y: f64, angle: f64, content: &str, font: Font) {
        let weight = if font.bold {
            r#" font-weight="700""#
        } else {
            ""
        };
        let _ = writeln!(
            self.body,
            r#"<text x="{x}" y="{y}" font-size="{}" fill="{}"{weight} text-anchor="{}" transform="rotate({} {x} {y})">{}</text>"#,
            num(font.size),
            font.fill,
            font.anchor.as_str(),
            num(angle),
            escape(content),
            x = num(x),
            y = num(y),
        );
    }

    fn circle(&mut self, class: &str, cx: f64, cy: f64, r: f64, fill: &str) {
        let _ = writeln!(
            self.body,
            r#"<circle class="{class}" cx="{}" cy="{}" r="{}" fill="{}" stroke="{}" stroke-width="1"/>"#,
            num(cx),
            num(cy),
            num(r),
            escape(fill),
            palette::BACKGROUND
        );
    }

    fn path(&mut self, class: &str, d: &str, stroke: &str, width: f64) {
        let _ = writeln!(
            self.body,
            r#"<path class="{class}" d="{d}" fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round" stroke-linecap="round"/>"#,
            escape(stroke),
            num(width)
        );
    }

    /// Title and subtitle at the top; returns the y where the chart body may start.
    fn header(&mut self, text: &ChartText) -> f64 {
        let max_w = self.width - 2.0 * PAD_X;
        let mut y = 10.0;
        for line in wrap_text(&text.title, max_w, TITLE_SIZE, true) {
            y += TITLE_SIZE * 1.3;
            self.text(
                PAD_X,
                y,
                &line,
                Font::new(TITLE_SIZE, palette::INK, Anchor::Start).bold(),
            );
        }
        if let Some(subtitle) = &text.subtitle {
            y += 3.0;
            for line in wrap_text(subtitle, max_w, SUBTITLE_SIZE, false) {
                y += SUBTITLE_SIZE * 1.35;
                self.text(
                    PAD_X,
                    y,
                    &line,
                    Font::new(SUBTITLE_SIZE, palette::MUTED, Anchor::Start),
                );
            }
        }
        y + 12.0
    }

    /// Legend swatches in rows from `y`; returns the y under the legend.
    fn legend(&mut self, items: &[(String, String)], y: f64) -> f64 {
        let size = LABEL_SIZE;
        let mut x = PAD_X;
        let mut row_y = y;
        for (name, color) in items {
            let w = 14.0 + 6.0 + text_width(name, size, false) + 18.0;
            if x > PAD_X && x + w > self.width - PAD_X {
                x = PAD_X;
                row_y += 20.0;
            }
            self.rect("swatch", x, row_y, 14.0, 10.0, color);
            let _ = writeln!(
                self.body,
                r#"<text x="{}" y="{}" font-size="{}" fill="{}">{}</text>"#,
                num(x + 20.0),
                num(row_y + 9.5),
                num(size),
                palette::INK,
                escape(name)
            );
            x += w;
        }
        row_y + 24.0
    }

    /// Source line(s) from `y`; returns the total height of the graphic.
    fn footer(&mut self, source: Option<&str>, y: f64) -> f64 {
        let mut y = y;
        if let Some(source) = source {
            y += 6.0;
            for line in wrap_text(source, self.width - 2.0 * PAD_X, SOURCE_SIZE, false) {
                y += SOURCE_SIZE * 1.35;
                self.text(
                    PAD_X,
                    y,
                    &line,
                    Font::new(SOURCE_SIZE, palette::MUTED, Anchor::Start),
                );
            }
        }
        y + 14.0
    }

    fn finish(self, text: &ChartText, data_desc: &str, height: f64) -> String {
        let description = match (text.description.trim(), data_desc.trim()) {
            ("", d) => d.to_string(),
            (t, "") => t.to_string(),
            (t, d) => format!("{t} {d}"),
        };
        let mut out = String::with_capacity(self.body.len() + 600);
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="{font}">"#,
            w = num(self.width),
            h = num(height.ceil()),
            font = escape(FONT_STACK)
        );
        let _ = writeln!(out, "<title>{}</title>", escape(&text.title));
        let _ = writeln!(out, "<desc>{}</desc>", escape(&description));
        let _ = writeln!(
            out,
            r#"<rect class="background" x="0" y="0" width="{}" height="{}" fill="{}"/>"#,
            num(self.width),
            num(height.ceil()),
            palette::BACKGROUND
        );
        out.push_str(&self.body);
        out.push_str("</svg>\n");
        out
    }
}

fn check_finite(chart: &str, what: impl FnOnce() -> String, value: f64) -> Result<(), ChartError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ChartError::NonFinite {
            chart: chart.to_string(),
            what: what(),
            value: format!("{value}"),
        })
    }
}

fn check_width(chart: &str, width: f64) -> Result<(), ChartError> {
    if width.is_finite() && (240.0..=4000.0).contains(&width) {
        Ok(())
    } else {
        Err(ChartError::Invalid {
            chart: chart.to_string(),
            reason: format!("width {width} is outside 240–4000"),
        })
    }
}

fn series_color(series: &Series, idx: usize) -> String {
    series
        .color
        .clone()
        .unwrap_or_else(|| palette::SERIES[idx % palette::SERIES.len()].to_string())
}

fn check_series(chart: &str, categories: usize, series: &[Series]) -> Result<(), ChartError> {
    if series.is_empty() {
        return Err(ChartError::Empty {
            chart: chart.to_string(),
            what: "series".into(),
        });
    }
    for s in series {
        if s.values.len() != categories {
            return Err(ChartError::LengthMismatch {
                chart: chart.to_string(),
                series: s.name.clone(),
                found: s.values.len(),
                expected: categories,
            });
        }
        for (i, v) in s.values.iter().enumerate() {
            check_finite(chart, || format!("series `{}` value {}", s.name, i + 1), *v)?;
        }
        if let Some(errors) = &s.errors {
            if errors.len() != categories {
                return Err(ChartError::LengthMismatch {
                    chart: chart.to_string(),
                    series: format!("{} (error bars)", s.name),
                    found: errors.len(),
                    expected: categories,
                });
            }
            for (i, (lo, hi)) in errors.iter().enumerate() {
                check_finite(chart, || format!("series `{}` error bar {} low", s.name, i + 1), *lo)?;
                check_finite(chart, || format!("series `{}` error bar {} high", s.name, i + 1), *hi)?;
                if lo > hi {
                    return Err(ChartError::Invalid { chart: chart.to_string(), reason: format!("series `{}` error bar {}: low {lo} above high {hi}", s.name, i + 1) });
                }
            }
        }
        if let Some(color) = &s.color {
            check_color(chart, color)?;
        }
    }
    Ok(())
}

fn check_color(chart: &str, color: &str) -> Result<(), ChartError> {
    let ok = color.len() == 7
        && color.starts_with('#')
        && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(())
    } else {
        Err(ChartError::Invalid {
            chart: chart.to_string(),
            reason: format!("colour `{color}` is not of the form #rrggbb"),
        })
    }
}

/// A linear map from a value domain to pixels.
#[derive(Clone, Copy)]
struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
}

impl Scale {
    fn at(&self, v: f64) -> f64 {
        if (self.d1 - self.d0).abs() < f64::EPSILON {
            return self.r0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// Vertical value axis: grid lines and tick labels left of the plot, a darker zero line.
fn draw_y_axis(
    canvas: &mut Canvas,
    ticks: &Ticks,
    scale: Scale,
    x0: f64,
    x1: f64,
    format: &ValueFormat,
) {
    for &t in &ticks.values {
        let y = scale.at(t);
        let (stroke, width) = if t == 0.0 {
            (palette::AXIS, 1.0)
        } else {
            (palette::GRID, 1.0)
        };
        canvas.line("grid", (x0, y), (x1, y), stroke, width, None);
        canvas.text(
            x0 - 8.0,
            y + 4.0,
            &format.format_tick(t, ticks.decimals),
            Font::new(TICK_SIZE, palette::MUTED, Anchor::End),
        );
    }
}

/// Horizontal value axis: vertical grid lines, tick labels under `bottom`.
fn draw_x_axis(
    canvas: &mut Canvas,
    ticks: &Ticks,
    scale: Scale,
    top: f64,
    bottom: f64,
    format: &ValueFormat,
) {
    for &t in &ticks.values {
        let x = scale.at(t);
        let stroke = if t == 0.0 {
            palette::AXIS
        } else {
            palette::GRID
        };
        canvas.line("grid", (x, top), (x, bottom), stroke, 1.0, None);
        canvas.text(
            x,
            bottom + 16.0,
            &format.format_tick(t, ticks.decimals),
            Font::new(TICK_SIZE, palette::MUTED, Anchor::Middle),
        );
    }
}

fn y_tick_label_width(ticks: &Ticks, format: &ValueFormat) -> f64 {
    ticks
        .values
        .iter()
        .map(|t| text_width(&format.format_tick(*t, ticks.decimals), TICK_SIZE, false))
        .fold(0.0, f64::max)
}

fn data_listing(labels: &[String], values: &[f64], format: &ValueFormat) -> String {
    labels
        .iter()
        .zip(values)
        .map(|(l, v)| format!("{l}: {}", format.format(*v)))
        .collect::<Vec<_>>()
        .join("; ")
}

// ---------------------------------------------------------------------------------------------
// Horizontal bars
// ---------------------------------------------------------------------------------------------

/// Horizontal bars, one per category, from a zero line; negative values extend left.
#[derive(Clone, Debug, PartialEq)]
pub struct HBarChart {
    /// Title, subtitle, description, source.
    pub text: ChartText,
    /// The bars, top to bottom.
    pub bars: Vec<Bar>,
    /// How the value labels are written.
    pub format: ValueFormat,
    /// Unit under the axis ("US$ billion"), if any.
    pub axis_label: Option<String>,
    /// Width in SVG units ([`DEFAULT_WIDTH`]).
    pub width: f64,
}

impl HBarChart {
    /// A chart of `bars` with the default width and no axis label.
    pub fn new(text: ChartText, bars: Vec<Bar>, format: ValueFormat) -> HBarChart {
        HBarChart {
            text,
            bars,
            format,
            axis_label: None,
            width: DEFAULT_WIDTH,
        }
    }

    /// The SVG document.
    pub fn render(&self) -> Result<String, ChartError> {
        let chart = self.text.title.as_str();
        check_width(chart, self.width)?;
        if self.bars.is_empty() {
            return Err(ChartError::Empty {
                chart: chart.into(),
                what: "bars".into(),
            });
        }
        for (i, bar) in self.bars.iter().enumerate() {
            check_finite(
                chart,
                || format!("bar {} (`{}`)", i + 1, bar.label),
                bar.value,
            )?;
        }
        let mut canvas = Canvas::new(self.width);
        let top = canvas.header(&self.text);

        let any_highlight = self.bars.iter().any(|b| b.highlight);
        let label_w = self
            .bars
            .iter()
            .map(|b| text_width(&b.label, LABEL_SIZE, b.highlight))
            .fold(0.0, f64::max)
            .min(self.width * 0.34);
        let value_labels: Vec<String> = self
            .bars
            .iter()
            .map(|b| self.format.format(b.value))
            .collect();
        let width_of = |negative: bool| {
            self.bars
                .iter()
                .zip(&value_labels)
                .filter(|(b, _)| (b.value < 0.0) == negative)
                .map(|(b, l)| text_width(l, LABEL_SIZE, b.highlight))
                .fold(0.0, f64::max)
        };
        let (neg_w, pos_w) = (width_of(true), width_of(false));
        let min = self.bars.iter().map(|b| b.value).fold(0.0, f64::min);
        let max = self.bars.iter().map(|b| b.value).fold(0.0, f64::max);
        let ticks = nice_ticks(min, max, 6);

        let label_right = PAD_X + label_w;
        let x0 = label_right + 12.0 + if min < 0.0 { neg_w + 6.0 } else { 0.0 };
        let x1 = self.width
            - PAD_X
            - if max > 0.0 || min == 0.0 {
                pos_w + 6.0
            } else {
                8.0
            };
        let scale = Scale {
            d0: ticks.low(),
            d1: ticks.high(),
            r0: x0,
            r1: x1,
        };

        let row_h = 26.0;
        let bar_h = 17.0;
        let plot_top = top + 2.0;
        let plot_bottom = plot_top + row_h * self.bars.len() as f64;
        draw_x_axis(
            &mut canvas,
            &ticks,
            scale,
            plot_top,
            plot_bottom,
            &self.format,
        );
        let zero = scale.at(0.0);
        for (i, (bar, value_label)) in self.bars.iter().zip(&value_labels).enumerate() {
            let y_mid = plot_top + row_h * (i as f64 + 0.5);
            let x_end = scale.at(bar.value);
            let fill = if bar.highlight {
                palette::HIGHLIGHT
            } else if any_highlight {
                palette::NEUTRAL
            } else {
                palette::PRIMARY
            };
            canvas.rect(
                "bar",
                zero.min(x_end),
                y_mid - bar_h / 2.0,
                (x_end - zero).abs(),
                bar_h,
                fill,
            );
            let mut font = Font::new(LABEL_SIZE, palette::INK, Anchor::End);
            if bar.highlight {
                font = font.bold();
            }
            let label = truncate_to_width(&bar.label, label_w, LABEL_SIZE, bar.highlight);
            canvas.text(label_right, y_mid + 4.3, &label, font);
            let value_font = Font {
                anchor: if bar.value < 0.0 {
                    Anchor::End
                } else {
                    Anchor::Start
                },
                ..font
            };
            let x_label = if bar.value < 0.0 {
                x_end - 5.0
            } else {
                x_end + 5.0
            };
            canvas.text(x_label, y_mid + 4.3, value_label, value_font);
        }
        // Redraw the zero line over the bars.
        canvas.line(
            "zero",
            (zero, plot_top),
            (zero, plot_bottom),
            palette::AXIS,
            1.0,
            None,
        );
        let mut bottom = plot_bottom + 22.0;
        if let Some(axis_label) = &self.axis_label {
            bottom += 14.0;
            canvas.text(
                x1,
                bottom,
                axis_label,
                Font::new(TICK_SIZE, palette::MUTED, Anchor::End),
            );
        }
        let height = canvas.footer(self.text.source.as_deref(), bottom);
        let labels: Vec<String> = self.bars.iter().map(|b| b.label.clone()).collect();
        let values: Vec<f64> = self.bars.iter().map(|b| b.value).collect();
        let desc = format!(
            "Bar chart. {}.",
            data_listing(&labels, &values, &self.format)
        );
        Ok(canvas.finish(&self.text, &desc, height))
    }
}

// ---------------------------------------------------------------------------------------------
// Columns and grouped columns
// ---------------------------------------------------------------------------------------------

/// Vertical bars over categories (years, countries); negative values hang below zero.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnChart {
    /// Title, subtitle, description, source.
    pub text: ChartText,
    /// The bars, left to right.
    pub bars: Vec<Bar>,
    /// How value and tick labels are written.
    pub format: ValueFormat,
    /// Unit above the value axis ("US$ billion"), if any.
    pub axis_label: Option<String>,
    /// Write each bar's value at its end.
    pub show_values: bool,
    /// Width in SVG units ([`DEFAULT_WIDTH`]).
    pub width: f64,
}

impl ColumnChart {
    /// A chart of `bars` with values shown, the default width and no axis label.
    pub fn new(text: ChartText, bars: Vec<Bar>, format: ValueFormat) -> ColumnChart {
        ColumnChart {
            text,
            bars,
            format,
            axis_label: None,
            show_values: true,
            width: DEFAULT_WIDTH,
        }
    }

    /// The SVG document.
    pub fn render(&self) -> Result<String, ChartError> {
        let chart = self.text.title.as_str();
        check_width(chart, self.width)?;
        if self.bars.is_empty() {
            return Err(ChartError::Empty {
                chart: chart.into(),
                what: "bars".into(),
            });
        }
        for (i, bar) in self.bars.iter().enumerate() {
            check_finite(
                chart,
                || format!("bar {} (`{}`)", i + 1, bar.label),
                bar.value,
            )?;
        }
        let categories: Vec<String> = self.bars.iter().map(|b| b.label.clone()).collect();
        let values: Vec<f64> = self.bars.iter().map(|b| b.value).collect();
        let series = [Series::new("", values.clone())];
        let highlights: Vec<bool> = self.bars.iter().map(|b| b.highlight).collect();
        let mut canvas = Canvas::new(self.width);
        let top = canvas.header(&self.text);
        let bottom = draw_columns(
            &mut canvas,
            ColumnLayout {
                top,
                categories: &categories,
                series: &series,
                highlights: &highlights,
                format: &self.format,
                axis_label: self.axis_label.as_deref(),
                show_values: self.show_values,
                single: true,
            },
        );
        let height = canvas.footer(self.text.source.as_deref(), bottom);
        let desc = format!(
            "Column chart. {}.",
            data_listing(&categories, &values, &self.format)
        );
        Ok(canvas.finish(&self.text, &desc, height))
    }
}

/// Vertical bars in groups: one group per category, one bar per series, with a legend.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupedBarChart {
    /// Title, subtitle, description, source.
    pub text: ChartText,
    /// Category labels, left to right.
    pub categories: Vec<String>,
    /// Series, each with one value per category.
    pub series: Vec<Series>,
    /// Categories whose label is bold and whose group sits on a tinted band (Japan).
    pub highlight_categories: Vec<String>,
    /// How value and tick labels are written.
    pub format: ValueFormat,
    /// Unit above the value axis, if any.
    pub axis_label: Option<String>,
    /// Write each bar's value at its end.
    pub show_values: bool,
    /// Width in SVG units ([`DEFAULT_WIDTH`]).
    pub width: f64,
}

impl GroupedBarChart {
    /// A chart with values shown, nothing highlighted, the default width and no axis label.
    pub fn new(
        text: ChartText,
        categories: Vec<String>,
        series: Vec<Series>,
        format: ValueFormat,
    ) -> GroupedBarChart {
        GroupedBarChart {
            text,
            categories,
            series,
            highlight_categories: Vec::new(),
            format,
            axis_label: None,
            show_values: true,
            width: DEFAULT_WIDTH,
        }
    }

    /// The SVG document.
    pub fn render(&self) -> Result<String, ChartError> {
        let chart = self.text.title.as_str();
        check_width(chart, self.width)?;
        if self.categories.is_empty() {
            return Err(ChartError::Empty {
                chart: chart.into(),
                what: "categories".into(),
            });
        }
        check_series(chart, self.categories.len(), &self.series)?;
        for h in &self.highlight_categories {
            if !self.categories.contains(h) {
                return Err(ChartError::Invalid {
                    chart: chart.into(),
                    reason: format!(
                        "highlighted category `{h}` is not one of the categories ({})",
                        self.categories.join(", ")
                    ),
                });
            }
        }
        let mut canvas = Canvas::new(self.width);
        let mut top = canvas.header(&self.text);
        let legend: Vec<(String, String)> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), series_color(s, i)))
            .collect();
        top = canvas.legend(&legend, top - 4.0);
        let highlights: Vec<bool> = self
            .categories
            .iter()
            .map(|c| self.highlight_categories.contains(c))
            .collect();
        let bottom = draw_columns(
            &mut canvas,
            ColumnLayout {
                top,
                categories: &self.categories,
                series: &self.series,
                highlights: &highlights,
                format: &self.format,
                axis_label: self.axis_label.as_deref(),
                show_values: self.show_values,
                single: false,
            },
        );
        let height = canvas.footer(self.text.source.as_deref(), bottom);
        let desc = format!(
            "Grouped bar chart. {}.",
            self.series
                .iter()
                .map(|s| format!(
                    "{}: {}",
                    s.name,
                    data_listing(&self.categories, &s.values, &self.format)
                ))
                .collect::<Vec<_>>()
                .join(". ")
        );
        Ok(canvas.finish(&self.text, &desc, height))
    }
}

struct ColumnLayout<'a> {
    top: f64,
    categories: &'a [String],
    series: &'a [Series],
    highlights: &'a [bool],
    format: &'a ValueFormat,
    axis_label: Option<&'a str>,
    show_values: bool,
    /// One series drawn as a plain column chart (highlight colours the bar itself).
    single: bool,
}

/// Draws (grouped) columns under `top`; returns the y under the category labels.
fn draw_columns(canvas: &mut Canvas, layout: ColumnLayout<'_>) -> f64 {
    let ColumnLayout {
        top,
        categories,
        series,
        highlights,
        format,
        axis_label,
        show_values,
        single,
    } = layout;
    let all = series.iter().flat_map(|s| {
        s.values.iter().copied().chain(s.errors.iter().flatten().flat_map(|(lo, hi)| [*lo, *hi]))
    });
    let (min, max) = all.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let ticks = nice_ticks(min, max, 6);
    let mut plot_top = top + 4.0;
    if let Some(label) = axis_label {
        canvas.text(
            PAD_X,
            plot_top + 8.0,
            label,
            Font::new(TICK_SIZE, palette::MUTED, Anchor::Start),
        );
        plot_top += 22.0;
    }
    let plot_h = 250.0;
    let x0 = PAD_X + y_tick_label_width(&ticks, format) + 10.0;
    let x1 = canvas.width - PAD_X;
    // Leave room for value labels beyond the outermost bars.
    let value_room = if show_values { 16.0 } else { 0.0 };
    let room_top = if show_values && max > 0.0 {
        value_room
    } else {
        0.0
    };
    let room_bottom = if show_values && min < 0.0 {
        value_room
    } else {
        0.0
    };
    let scale = Scale {
        d0: ticks.low(),
        d1: ticks.high(),
        r0: plot_top + plot_h - room_bottom,
        r1: plot_top + room_top,
    };
    let plot_bottom = plot_top + plot_h;
    draw_y_axis(canvas, &ticks, scale, x0, x1, format);

    let n = categories.len() as f64;
    let band = (x1 - x0) / n;
    let n_series = series.len() as f64;
    let group_w = band * if single { 0.68 } else { 0.8 };
    let gap = if n_series > 1.0 {
        (group_w * 0.06).min(4.0)
    } else {
        0.0
    };
    let bar_w = (group_w - gap * (n_series - 1.0)) / n_series;
    let value_size = if bar_w < 34.0 { 10.0 } else { 11.0 };
    let zero = scale.at(0.0);
    let any_highlight = highlights.iter().any(|h| *h);
    for (ci, &highlight) in highlights.iter().enumerate() {
        let band_x = x0 + band * ci as f64;
        if highlight && !single {
            canvas.rect(
                "band",
                band_x + 2.0,
                plot_top,
                band - 4.0,
                plot_h,
                "#f3ede4",
            );
        }
        let group_x = band_x + (band - group_w) / 2.0;
        for (si, s) in series.iter().enumerate() {
            let v = s.values[ci];
            let x = group_x + si as f64 * (bar_w + gap);
            let y = scale.at(v);
            let fill = if single {
                if highlight {
                    palette::HIGHLIGHT.to_string()
                } else if any_highlight {
                    palette::NEUTRAL.to_string()
                } else {
                    palette::PRIMARY.to_string()
                }
            } else {
                series_color(s, si)
            };
            canvas.rect("bar", x, zero.min(y), bar_w, (y - zero).abs(), &fill);
            // The error bar, and the end of the bar or whisker the value label sits beyond.
            let mut end = y;
            if let Some((lo, hi)) = s.errors.as_ref().map(|e| e[ci]) {
                let (y_lo, y_hi) = (scale.at(lo), scale.at(hi));
                let cx = x + bar_w / 2.0;
                let cap = (bar_w * 0.3).min(6.0);
                canvas.line("error", (cx, y_lo), (cx, y_hi), palette::INK, 1.2, None);
                canvas.line("error", (cx - cap, y_lo), (cx + cap, y_lo), palette::INK, 1.2, None);
                canvas.line("error", (cx - cap, y_hi), (cx + cap, y_hi), palette::INK, 1.2, None);
                end = if v < 0.0 { y.max(y_lo).max(y_hi) } else { y.min(y_lo).min(y_hi) };
            }
            if show_values {
                let label_y = if v < 0.0 {
                    end + value_size + 3.0
                } else {
                    end - 4.0
                };
                let mut font = Font::new(value_size, palette::INK, Anchor::Middle);
                if highlight {
                    font = font.bold();
                }
                canvas.text(x + bar_w / 2.0, label_y, &format.format(v), font);
            }
        }
    }
    canvas.line("zero", (x0, zero), (x1, zero), palette::AXIS, 1.0, None);

    // Category labels: horizontal if they fit the band, otherwise rotated.
    let widest = categories
        .iter()
        .map(|c| text_width(c, LABEL_SIZE, true))
        .fold(0.0, f64::max);
    let mut bottom = plot_bottom + 18.0;
    if widest <= band - 4.0 {
        for (ci, category) in categories.iter().enumerate() {
            let mut font = Font::new(LABEL_SIZE, palette::INK, Anchor::Middle);
            if highlights[ci] {
                font = font.bold();
            }
            canvas.text(
                x0 + band * (ci as f64 + 0.5),
                plot_bottom + 18.0,
                category,
                font,
            );
        }
        bottom += 8.0;
    } else {
        let max_len = 150.0;
        for (ci, category) in categories.iter().enumerate() {
            let mut font = Font::new(LABEL_SIZE, palette::INK, Anchor::End);
            if highlights[ci] {
                font = font.bold();
            }
            let label = truncate_to_width(category, max_len, LABEL_SIZE, highlights[ci]);
            canvas.rotated_text(
                x0 + band * (ci as f64 + 0.5) + 4.0,
                plot_bottom + 12.0,
                -40.0,
                &label,
                font,
            );
        }
        bottom += widest.min(max_len) * 0.65 + 4.0;
    }
    bottom
}

// ---------------------------------------------------------------------------------------------
// Stacked horizontal bars
// ---------------------------------------------------------------------------------------------

/// Horizontal bars split into segments, one segment per series; values must be ≥ 0.
#[derive(Clone, Debug, PartialEq)]
pub struct StackedBarChart {
    /// Title, subtitle, description, source.
    pub text: ChartText,
    /// Row labels, top to bottom.
    pub categories: Vec<String>,
    /// Segments, left to right, each with one value per row.
    pub series: Vec<Series>,
    /// How segment, total and tick labels are written.
    pub format: ValueFormat,
    /// Write each bar's total at its end.
    pub show_totals: bool,
    /// Unit under the axis, if any.
    pub axis_label: Option<String>,
    /// Width in SVG units ([`DEFAULT_WIDTH`]).
    pub width: f64,
}

impl StackedBarChart {
    /// A chart with totals shown, the default width and no axis label.
    pub fn new(
        text: ChartText,
        categories: Vec<String>,
        series: Vec<Series>,
        format: ValueFormat,
    ) -> StackedBarChart {
        StackedBarChart {
            text,
            categories,
            series,
            format,
            show_totals: true,
            axis_label: None,
            width: DEFAULT_WIDTH,
        }
    }

    /// The SVG document.
    pub fn render(&self) -> Result<String, ChartError> {
        let chart = self.text.title.as_str();
        check_width(chart, self.width)?;
        if self.categories.is_empty() {
            return Err(ChartError::Empty {
                chart: chart.into(),
                what: "categories".into(),
            });
        }
        check_series(chart, self.categories.len(), &self.series)?;
        for s in &self.series {
            if let Some((i, v)) = s.values.iter().enumerate().find(|(_, v)| **v < 0.0) {
                return Err(ChartError::Invalid {
                    chart: chart.into(),
                    reason: format!(
                        "series `{}` is negative for `{}` ({}); stacked segments must be >= 0",
                        s.name,
                        self.categories[i],
                        format_number(*v, 2)
                    ),
                });
            }
        }
        let mut canvas = Canvas::new(self.width);
        let top = canvas.header(&self.text);
        let legend: Vec<(String, String)> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), series_color(s, i)))
            .collect();
        let top = canvas.legend(&legend, top - 4.0);

        let totals: Vec<f64> = (0..self.categories.len())
            .map(|ci| self.series.iter().map(|s| s.values[ci]).sum())
            .collect();
        let total_labels: Vec<String> = totals.iter().map(|t| self.format.format(*t)).collect();
        let label_w = self
            .categories
            .iter()
            .map(|c| text_width(c, LABEL_SIZE, false))
            .fold(0.0, f64::max)
            .min(self.width * 0.3);
        let total_w = if self.show_totals {
            total_labels
                .iter()
                .map(|l| text_width(l, LABEL_SIZE, true))
                .fold(0.0, f64::max)
                + 8.0
        } else {
            0.0
        };
        let max_total = totals.iter().copied().fold(0.0, f64::max);
        let ticks = nice_ticks(0.0, max_total, 6);
        let label_right = PAD_X + label_w;
        let x0 = label_right + 12.0;
        let x1 = self.width - PAD_X - total_w;
        let scale = Scale {
            d0: ticks.low(),
            d1: ticks.high(),
            r0: x0,
            r1: x1,
        };
        let row_h = 32.0;
        let bar_h = 21.0;
        let plot_top = top;
        let plot_bottom = plot_top + row_h * self.categories.len() as f64;
        draw_x_axis(
            &mut canvas,
            &ticks,
            scale,
            plot_top,
            plot_bottom,
            &self.format,
        );
        for (ci, category) in self.categories.iter().enumerate() {
            let y_mid = plot_top + row_h * (ci as f64 + 0.5);
            let label = truncate_to_width(category, label_w, LABEL_SIZE, false);
            canvas.text(
                label_right,
                y_mid + 4.3,
                &label,
                Font::new(LABEL_SIZE, palette::INK, Anchor::End),
            );
            let mut acc = 0.0;
            for (si, s) in self.series.iter().enumerate() {
                let v = s.values[ci];
                let xa = scale.at(acc);
                let xb = scale.at(acc + v);
                canvas.rect(
                    "bar",
                    xa,
                    y_mid - bar_h / 2.0,
                    xb - xa,
                    bar_h,
                    &series_color(s, si),
                );
                let text = self.format.format(v);
                if v > 0.0 && text_width(&text, 10.5, true) + 8.0 < xb - xa {
                    let font = Font {
                        size: 10.5,
                        bold: true,
                        fill: "#ffffff",
                        anchor: Anchor::Middle,
                    };
                    canvas.text((xa + xb) / 2.0, y_mid + 3.8, &text, font);
                }
                acc += v;
            }
            if self.show_totals {
                canvas.text(
                    scale.at(acc) + 6.0,
                    y_mid + 4.3,
                    &total_labels[ci],
                    Font::new(LABEL_SIZE, palette::INK, Anchor::Start).bold(),
                );
            }
        }
        canvas.line(
            "zero",
            (x0, plot_top),
            (x0, plot_bottom),
            palette::AXIS,
            1.0,
            None,
        );
        let mut bottom = plot_bottom + 22.0;
        if let Some(axis_label) = &self.axis_label {
            bottom += 14.0;
            canvas.text(
                x1,
                bottom,
                axis_label,
                Font::new(TICK_SIZE, palette::MUTED, Anchor::End),
            );
        }
        let height = canvas.footer(self.text.source.as_deref(), bottom);
        let desc = format!(
            "Stacked bar chart. {}.",
            self.categories
                .iter()
                .enumerate()
                .map(|(ci, c)| {
                    let parts: Vec<String> = self
                        .series
                        .iter()
                        .map(|s| format!("{} {}", s.name, self.format.format(s.values[ci])))
                        .collect();
                    format!("{c}: {} (total {})", parts.join(", "), total_labels[ci])
                })
                .collect::<Vec<_>>()
                .join("; ")
        );
        Ok(canvas.finish(&self.text, &desc, height))
    }
}

// ---------------------------------------------------------------------------------------------
// Dot plot
// ---------------------------------------------------------------------------------------------

/// Rows of dots on one horizontal axis, one dot per series, joined by a grey rule from the
/// smallest to the largest (a "dumbbell" when there are two series).
#[derive(Clone, Debug, PartialEq)]
pub struct DotPlot {
    /// Title, subtitle, description, source.
    pub text: ChartText,
    /// Row labels, top to bottom.
    pub categories: Vec<String>,
    /// Series, each with one value per row.
    pub series: Vec<Series>,
    /// How value and tick labels are written.
    pub format: ValueFormat,
    /// Start the axis at zero even when all values are far from it.
    pub from_zero: bool,
    /// Width in SVG units ([`DEFAULT_WIDTH`]).
    pub width: f64,
}

impl DotPlot {
    /// A dot plot with the axis from zero and the default width.
    pub fn new(
        text: ChartText,
        categories: Vec<String>,
        series: Vec<Series>,
        format: ValueFormat,
    ) -> DotPlot {
        DotPlot {
            text,
            categories,
            series,
            format,
            from_zero: true,
            width: DEFAULT_WIDTH,
        }
    }

    /// The SVG document.
    pub fn render(&self) -> Result<String, ChartError> {
        let chart = self.text.title.as_str();
        check_width(chart, self.width)?;
        if self.categories.is_empty() {
            return Err(ChartError::Empty {
                chart: chart.into(),
                what: "categories".into(),
            });
        }
        check_series(chart, self.categories.len(), &self.series)?;
        let mut canvas = Canvas::new(self.width);
        let top = canvas.header(&self.text);
        let legend: Vec<(String, String)> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| (s.name.clone(), series_color(s, i)))
            .collect();
        let top = canvas.legend(&legend, top - 4.0);
        let all = self.series.iter().flat_map(|s| s.values.iter().copied());
        let (mut min, mut max) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if self.from_zero {
            min = min.min(0.0);
            max = max.max(0.0);
        }
        let ticks = nice_ticks(min, max, 7);
        let label_w = self
            .categories
            .iter()
            .map(|c| text_width(c, LABEL_SIZE, false))
            .fold(0.0, f64::max)
            .min(self.width * 0.34);
        let label_right = PAD_X + label_w;
        let x0 = label_right + 18.0;
        let x1 = self.width - PAD_X - 12.0;
        let scale = Scale {
            d0: ticks.low(),
            d1: ticks.high(),
            r0: x0,
            r1: x1,
        };
        let row_h = 26.0;
        let plot_top = top;
        let plot_bottom = plot_top + row_h * self.categories.len() as f64;
        draw_x_axis(
            &mut canvas,
            &ticks,
            scale,
            plot_top,
            plot_bottom,
            &self.format,
        );
        for (ci, category) in self.categories.iter().enumerate() {
            let y = plot_top + row_h * (ci as f64 + 0.5);
            if ci % 2 == 0 {
                canvas.line("row", (x0, y), (x1, y), "#f0f2f4", 1.0, Some("1 3"));
            }
            let label = truncate_to_width(category, label_w, LABEL_SIZE, false);
            canvas.text(
                label_right,
                y + 4.3,
                &label,
                Font::new(LABEL_SIZE, palette::INK, Anchor::End),
            );
            let (lo, hi) = self
                .series
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
                    (lo.min(s.values[ci]), hi.max(s.values[ci]))
                });
            canvas.line(
                "range",
                (scale.at(lo), y),
                (scale.at(hi), y),
                "#b8c0c9",
                2.5,
                None,
            );
            for (si, s) in self.series.iter().enumerate() {
                canvas.circle("dot", scale.at(s.values[ci]), y, 6.0, &series_color(s, si));
            }
        }
        let height = canvas.footer(self.text.source.as_deref(), plot_bottom + 26.0);
        let desc = format!(
            "Dot plot. {}.",
            self.series
                .iter()
                .map(|s| format!(
                    "{}: {}",
                    s.name,
                    data_listing(&self.categories, &s.values, &self.format)
                ))
                .collect::<Vec<_>>()
                .join(". ")
        );
        Ok(canvas.finish(&self.text, &desc, height))
    }
}

// ---------------------------------------------------------------------------------------------
// Lines over dates with events
// ---------------------------------------------------------------------------------------------

/// How a series joins its points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineShape {
    /// Straight segments between points.
    Linear,
    /// A value holds until the next point (tariff rates in force), and the last value holds to
    /// the end of the axis.
    Step,
}

/// One line over dates.
#[derive(Clone, Debug, PartialEq)]
pub struct LineSeries {
    /// Legend label.
    pub name: String,
    /// (date, value) in increasing date order.
    pub points: Vec<(ChartDate, f64)>,
    /// Straight or stepped.
    pub shape: LineShape,
    /// Colour (`#rrggbb`); `None` takes the next from [`palette::SERIES`].
    pub color: Option<String>,
}

impl LineSeries {
    /// A series with the palette's colour.
    pub fn new(
        name: impl Into<String>,
        points: Vec<(ChartDate, f64)>,
        shape: LineShape,
    ) -> LineSeries {
        LineSeries {
            name: name.into(),
            points,
            shape,
            color: None,
        }
    }
}

/// A dated event drawn as a dashed vertical rule with a short label above the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct EventMarker {
    /// When.
    pub date: ChartDate,
    /// Short label ("Apr 5: 10% baseline").
    pub label: String,
}

impl EventMarker {
    /// An event.
    pub fn new(date: ChartDate, label: impl Into<String>) -> EventMarker {
        EventMarker {
            date,
            label: label.into(),
        }
    }
}

/// Several series over a date axis, with annotated events.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChart {
    /// Title, subtitle, description, source.
    pub text: ChartText,
    /// The lines.
    pub series: Vec<LineSeries>,
    /// Annotated dates; each must lie on the axis.
    pub events: Vec<EventMarker>,
    /// How value and tick labels are written.
    pub format: ValueFormat,
    /// Start the value axis at zero.
    pub y_from_zero: bool,
    /// First date of the axis; `None` takes the earliest point.
    pub x_start: Option<ChartDate>,
    /// Last date of the axis; `None` takes the latest point.
    pub x_end: Option<ChartDate>,
    /// Write each series' last value at the right end of its line.
    pub label_last_value: bool,
    /// Unit above the value axis, if any.
    pub axis_label: Option<String>,
    /// Width in SVG units ([`DEFAULT_WIDTH`]).
    pub width: f64,
}

impl LineChart {
    /// A chart from zero with last values labelled, the default width, and the axis spanning
    /// the data.
    pub fn new(
        text: ChartText,
        series: Vec<LineSeries>,
        events: Vec<EventMarker>,
        format: ValueFormat,
    ) -> LineChart {
        LineChart {
            text,
            series,
            events,
            format,
            y_from_zero: true,
            x_start: None,
            x_end: None,
            label_last_value: true,
            axis_label: None,
            width: DEFAULT_WIDTH,
        }
    }

    fn validate(&self) -> Result<(ChartDate, ChartDate), ChartError> {
        let chart = self.text.title.as_str();
        check_width(chart, self.width)?;
        if self.series.is_empty() {
            return Err(ChartError::Empty {
                chart: chart.into(),
                what: "series".into(),
            });
        }
        for s in &self.series {
            if s.points.is_empty() {
                return Err(ChartError::Empty {
                    chart: chart.into(),
                    what: format!("points in series `{}`", s.name),
                });
            }
            for (i, (date, v)) in s.points.iter().enumerate() {
                check_finite(chart, || format!("series `{}` on {date}", s.name), *v)?;
                if i > 0 && *date <= s.points[i - 1].0 {
                    return Err(ChartError::Invalid {
                        chart: chart.into(),
                        reason: format!(
                            "series `{}`: point {} ({date}) is not after point {} ({}); dates must increase",
                            s.name,
                            i + 1,
                            i,
                            s.points[i - 1].0
                        ),
                    });
                }
            }
            if let Some(color) = &s.color {
                check_color(chart, color)?;
            }
        }
        let first = self
            .series
            .iter()
            .map(|s| s.points[0].0)
            .min()
            .expect("series checked non-empty");
        let last = self
            .series
            .iter()
            .map(|s| s.points[s.points.len() - 1].0)
            .max()
            .expect("series checked non-empty");
        let start = self.x_start.unwrap_or(first);
        let end = self.x_end.unwrap_or(last);
        if start >= end {
            return Err(ChartError::Invalid {
                chart: chart.into(),
                reason: format!(
                    "the date axis runs from {start} to {end}; it must end after it starts"
                ),
            });
        }
        for e in &self.events {
            if e.date < start || e.date > end {
                return Err(ChartError::Invalid {
                    chart: chart.into(),
                    reason: format!(
                        "event `{}` on {} is outside the date axis {start} to {end}",
                        e.label, e.date
                    ),
                });
            }
        }
        Ok((start, end))
    }

    /// The SVG document.
    pub fn render(&self) -> Result<String, ChartError> {
        let (start, end) = self.validate()?;
        let mut canvas = Canvas::new(self.width);
        let mut top = canvas.header(&self.text);
        let colors: Vec<String> = self
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.color
                    .clone()
                    .unwrap_or_else(|| palette::SERIES[i % palette::SERIES.len()].to_string())
            })
            .collect();
        if self.series.len() > 1 {
            let legend: Vec<(String, String)> = self
                .series
                .iter()
                .zip(&colors)
                .map(|(s, c)| (s.name.clone(), c.clone()))
                .collect();
            top = canvas.legend(&legend, top - 4.0);
        }

        // Value axis.
        let all = self
            .series
            .iter()
            .flat_map(|s| s.points.iter().map(|p| p.1));
        let (mut min, mut max) = all.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        if self.y_from_zero {
            min = min.min(0.0);
            max = max.max(0.0);
        }
        let ticks = nice_ticks(min, max, 6);
        let x0 = PAD_X + y_tick_label_width(&ticks, &self.format) + 10.0;
        let last_labels: Vec<String> = self
            .series
            .iter()
            .map(|s| self.format.format(s.points[s.points.len() - 1].1))
            .collect();
        let end_room = if self.label_last_value {
            last_labels
                .iter()
                .map(|l| text_width(l, LABEL_SIZE, true))
                .fold(0.0, f64::max)
                + 10.0
        } else {
            0.0
        };
        let x1 = self.width - PAD_X - end_room.max(8.0);
        let t0 = start.days_since_epoch() as f64;
        let t1 = end.days_since_epoch() as f64;
        let xs = Scale {
            d0: t0,
            d1: t1,
            r0: x0,
            r1: x1,
        };

        if let Some(label) = &self.axis_label {
            canvas.text(
                PAD_X,
                top + 8.0,
                label,
                Font::new(TICK_SIZE, palette::MUTED, Anchor::Start),
            );
            top += 18.0;
        }

        // Event labels in rows above the plot, nearest row first.
        let placements = place_event_labels(
            &self.events,
            |d| xs.at(d.days_since_epoch() as f64),
            PAD_X,
            self.width - PAD_X,
        );
        let n_rows = placements.iter().map(|p| p.row + 1).max().unwrap_or(0);
        let row_h = 15.0;
        let plot_top = top + n_rows as f64 * row_h + if n_rows > 0 { 8.0 } else { 0.0 };
        let plot_h = 250.0;
        let plot_bottom = plot_top + plot_h;
        let ys = Scale {
            d0: ticks.low(),
            d1: ticks.high(),
            r0: plot_bottom,
            r1: plot_top,
        };
        draw_y_axis(&mut canvas, &ticks, ys, x0, x1, &self.format);

        // Date axis: month ticks on a step that keeps at most about eight labels.
        let span_months = month_index(end) - month_index(start);
        let step = [1, 2, 3, 6, 12, 24, 60, 120]
            .into_iter()
            .find(|s| span_months / s <= 6)
            .unwrap_or(240);
        let mut m = month_index(start) + if start.day() == 1 { 0 } else { 1 };
        let mut first_tick = true;
        while m <= month_index(end) {
            let (year, month) = ((m.div_euclid(12)) as i32, (m.rem_euclid(12) + 1) as u8);
            let aligned = if step < 12 {
                i64::from(month - 1) % step == 0
            } else {
                month == 1 && i64::from(year) % (step / 12) == 0
            };
            if aligned {
                let date = ChartDate::new(year, month, 1).expect("the first of a month 1–12 exists");
                let x = xs.at(date.days_since_epoch() as f64);
                canvas.line(
                    "tick",
                    (x, plot_bottom),
                    (x, plot_bottom + 5.0),
                    palette::AXIS,
                    1.0,
                    None,
                );
                let label = if step >= 12 {
                    year.to_string()
                } else if month == 1 || first_tick {
                    date.month_year()
                } else {
                    kanzei_core::date::MONTH_ABBREV[usize::from(month - 1)].to_string()
                };
                canvas.text(
                    x,
                    plot_bottom + 19.0,
                    &label,
                    Font::new(TICK_SIZE, palette::MUTED, Anchor::Middle),
                );
                first_tick = false;
            }
            m += 1;
        }

        // Events: rules and labels.
        for (event, placement) in self.events.iter().zip(&placements) {
            let x = xs.at(event.date.days_since_epoch() as f64);
            let label_y = plot_top - 8.0 - placement.row as f64 * row_h;
            canvas.line(
                "event",
                (x, label_y + 3.0),
                (x, plot_bottom),
                palette::EVENT,
                1.0,
                Some("3 3"),
            );
            let anchor = if placement.anchor_end {
                Anchor::End
            } else {
                Anchor::Start
            };
            let text_x = if placement.anchor_end {
                x - 4.0
            } else {
                x + 4.0
            };
            canvas.text(
                text_x,
                label_y,
                &event.label,
                Font::new(EVENT_SIZE, palette::EVENT, anchor),
            );
        }

        // Lines.
        for (s, color) in self.series.iter().zip(&colors) {
            let mut d = String::new();
            for (i, (date, v)) in s.points.iter().enumerate() {
                let x = xs.at(date.days_since_epoch() as f64).clamp(x0, x1);
                let y = ys.at(*v);
                if i == 0 {
                    let _ = write!(d, "M{} {}", num(x), num(y));
                } else if s.shape == LineShape::Step {
                    let _ = write!(d, " H{} V{}", num(x), num(y));
                } else {
                    let _ = write!(d, " L{} {}", num(x), num(y));
                }
            }
            if s.shape == LineShape::Step {
                let _ = write!(d, " H{}", num(x1));
            }
            canvas.path("series", &d, color, 2.5);
        }

        // Last values, nudged apart vertically so they do not overlap.
        if self.label_last_value {
            let mut ends: Vec<(f64, usize)> = self
                .series
                .iter()
                .enumerate()
                .map(|(i, s)| (ys.at(s.points[s.points.len() - 1].1), i))
                .collect();
            ends.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let mut previous = f64::NEG_INFINITY;
            for (y, i) in ends {
                let y = y.max(previous + 14.0);
                previous = y;
                let s = &self.series[i];
                let x_end = if s.shape == LineShape::Step {
                    x1
                } else {
                    xs.at(s.points[s.points.len() - 1].0.days_since_epoch() as f64)
                };
                let _ = writeln!(
                    canvas.body,
                    r#"<text x="{}" y="{}" font-size="{}" fill="{}" font-weight="700">{}</text>"#,
                    num(x_end + 6.0),
                    num(y + 4.3),
                    num(LABEL_SIZE),
                    escape(&colors[i]),
                    escape(&last_labels[i])
                );
            }
        }

        let height = canvas.footer(self.text.source.as_deref(), plot_bottom + 30.0);
        let mut desc = format!(
            "Line chart from {} to {}. {}.",
            start.long(),
            end.long(),
            self.series
                .iter()
                .map(|s| {
                    let points: Vec<String> = s
                        .points
                        .iter()
                        .map(|(d, v)| format!("{} {}", d.long(), self.format.format(*v)))
                        .collect();
                    format!("{}: {}", s.name, points.join(", "))
                })
                .collect::<Vec<_>>()
                .join(". ")
        );
        if !self.events.is_empty() {
            let events: Vec<String> = self
                .events
                .iter()
                .map(|e| format!("{}: {}", e.date.long(), e.label))
                .collect();
            let _ = write!(desc, " Events: {}.", events.join("; "));
        }
        Ok(canvas.finish(&self.text, &desc, height))
    }
}

const EVENT_SIZE: f64 = 11.0;

/// Where an event label goes: a row above the plot (0 is nearest) and which side of its rule.
#[derive(Clone, Copy, Debug, PartialEq)]
struct LabelPlacement {
    row: usize,
    anchor_end: bool,
}

/// Puts event labels in rows so that no two labels overlap and no label is crossed by the
/// rule of another event (a rule runs from its label down to the plot, so it crosses every
/// row below its own).
///
/// A label sits right of its rule, or left of it when it would pass the right edge. If a
/// label spans another event's date, that event must be placed first so the spanning label
/// can climb above it; otherwise later events come first. Each label then takes the lowest
/// row where it fits, so close events climb as a staircase. A label that fits nowhere (only
/// with labels longer than the chart is wide) goes in a new row on top.
fn place_event_labels(
    events: &[EventMarker],
    x_of: impl Fn(ChartDate) -> f64,
    left_limit: f64,
    right_limit: f64,
) -> Vec<LabelPlacement> {
    // Horizontal space kept between two labels in a row, and between a rule and text.
    const GAP: f64 = 8.0;
    const RULE_MARGIN: f64 = 1.5;
    const MAX_ROWS: usize = 8;
    let n = events.len();
    let xs: Vec<f64> = events.iter().map(|e| x_of(e.date)).collect();
    let sides: Vec<bool> = (0..n)
        .map(|i| {
            let w = text_width(&events[i].label, EVENT_SIZE, false);
            xs[i] + 4.0 + w > right_limit && xs[i] - 4.0 - w >= left_limit
        })
        .collect();
    let extents: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let w = text_width(&events[i].label, EVENT_SIZE, false);
            if sides[i] {
                (xs[i] - 4.0 - w, xs[i] - 4.0)
            } else {
                (xs[i] + 4.0, xs[i] + 4.0 + w)
            }
        })
        .collect();
    let spans = |i: usize, j: usize| {
        xs[j] > extents[i].0 - RULE_MARGIN && xs[j] < extents[i].1 + RULE_MARGIN
    };

    // Order: an event spanned by another's label comes before it; otherwise latest first.
    let mut order = Vec::with_capacity(n);
    let mut done = vec![false; n];
    let mut by_date: Vec<usize> = (0..n).collect();
    by_date.sort_by_key(|&i| (std::cmp::Reverse(events[i].date), i));
    while order.len() < n {
        let ready = by_date
            .iter()
            .copied()
            .find(|&i| !done[i] && (0..n).all(|j| j == i || done[j] || !spans(i, j)));
        // A cycle (two labels spanning each other's dates): take the latest remaining.
        let next = ready.unwrap_or_else(|| {
            by_date
                .iter()
                .copied()
                .find(|&i| !done[i])
                .expect("some event remains")
        });
        done[next] = true;
        order.push(next);
    }

    // Placed labels: (row, text start, text end, rule x).
    let mut placed: Vec<(usize, f64, f64, f64)> = Vec::new();
    let mut result = vec![
        LabelPlacement {
            row: 0,
            anchor_end: false
        };
        n
    ];
    for i in order {
        let (x, (a, b)) = (xs[i], extents[i]);
        let fits = |row: usize| {
            placed.iter().all(|&(r, pa, pb, px)| {
                if r == row {
                    b + GAP <= pa || pb + GAP <= a
                } else if r < row {
                    // This label's rule passes through row r.
                    !(x > pa - RULE_MARGIN && x < pb + RULE_MARGIN)
                } else {
                    // That label's rule passes through this row.
                    !(px > a - RULE_MARGIN && px < b + RULE_MARGIN)
                }
            })
        };
        let row = (0..MAX_ROWS)
            .find(|&row| fits(row))
            .unwrap_or_else(|| placed.iter().map(|p| p.0 + 1).max().unwrap_or(0));
        placed.push((row, a, b, x));
        result[i] = LabelPlacement {
            row,
            anchor_end: sides[i],
        };
    }
    result
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u8, d: u8) -> ChartDate {
        ChartDate::new(y, m, d).unwrap()
    }

    fn count(haystack: &str, needle: &str) -> usize {
        haystack.matches(needle).count()
    }

    /// The structural checks every chart must pass.
    fn assert_valid_svg(svg: &str) {
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\""),
            "{svg}"
        );
        assert!(svg.ends_with("</svg>\n"));
        assert!(svg.contains("viewBox=\"0 0 "));
        assert_eq!(count(svg, "<title>"), 1);
        assert_eq!(count(svg, "<desc>"), 1);
        for bad in ["NaN", "inf", "-0 ", "\"-0\""] {
            assert!(!svg.contains(bad), "`{bad}` in {svg}");
        }
        // Every element is closed: self-closing or with a matching end tag.
        for tag in ["text", "title", "desc", "svg"] {
            assert_eq!(
                count(svg, &format!("<{tag} ")) + count(svg, &format!("<{tag}>")),
                count(svg, &format!("</{tag}>")),
                "{tag}"
            );
        }
        for element in svg.split('<').skip(1) {
            let name: String = element
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            if ["rect", "line", "path", "circle"].contains(&name.as_str()) {
                assert!(element.trim_end().ends_with("/>"), "unclosed <{element}");
            }
        }
        // No coordinate is negative beyond the canvas and the height is positive.
        let height: f64 = attr(svg, "height").parse().unwrap();
        assert!(height > 50.0);
    }

    fn attr(svg: &str, name: &str) -> String {
        let key = format!(" {name}=\"");
        let start = svg.find(&key).unwrap() + key.len();
        svg[start..].split('"').next().unwrap().to_string()
    }

    /// `(fill, width)` of each `<rect class="bar">`, in order.
    fn bars_of(svg: &str) -> Vec<(String, f64, f64, f64)> {
        svg.lines()
            .filter(|l| l.starts_with("<rect class=\"bar\""))
            .map(|l| {
                (
                    attr(l, "fill"),
                    attr(l, "x").parse().unwrap(),
                    attr(l, "width").parse().unwrap(),
                    attr(l, "height").parse().unwrap(),
                )
            })
            .collect()
    }

    #[test]
    fn numbers_have_separators_true_minus_and_no_negative_zero() {
        assert_eq!(format_number(-1_234_567.891, 1), "−1,234,567.9");
        assert_eq!(format_number(999.95, 1), "1,000.0");
        assert_eq!(format_number(12.0, 0), "12");
        assert_eq!(format_number(-0.04, 1), "0.0");
        assert_eq!(format_number(100_000.0, 0), "100,000");
        assert_eq!(format_percent(15.04, 1), "15.0%");
        assert_eq!(format_usd_bn(-68.46, 1), "−$68.5 bn");
        assert_eq!(format_usd_bn(227.94, 1), "$227.9 bn");
        assert_eq!(
            ValueFormat::Unit {
                decimals: 2,
                unit: "pp".into()
            }
            .format(1.234),
            "1.23 pp"
        );
    }

    #[test]
    fn escape_covers_markup_characters() {
        assert_eq!(
            escape(r#"AT&T <b> "q" 'a'"#),
            "AT&amp;T &lt;b&gt; &quot;q&quot; &#39;a&#39;"
        );
        assert_eq!(escape("bell\u{7}"), "bell");
    }

    #[test]
    fn ticks_are_nice_and_cover_the_data() {
        let t = nice_ticks(-295.4, 0.0, 6);
        assert_eq!(t.values, vec![-300.0, -200.0, -100.0, 0.0]);
        assert_eq!(t.step, 100.0);
        // Seven ticks of 5 would be too many for six; four of 10 are not.
        assert_eq!(nice_ticks(0.0, 27.5, 6).values, vec![0.0, 10.0, 20.0, 30.0]);
        assert_eq!(
            nice_ticks(0.0, 27.5, 7).values,
            vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0]
        );
        let t = nice_ticks(-0.31, 0.12, 6);
        assert_eq!(t.values, vec![-0.4, -0.3, -0.2, -0.1, 0.0, 0.1, 0.2]);
        assert_eq!(t.decimals, 1);
        let t = nice_ticks(0.0, 0.0, 6);
        assert_eq!(t.values, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        for (lo, hi) in [(3.0, 1234.0), (-17.0, 4.0), (0.001, 0.0093), (-1e9, 2e9)] {
            let t = nice_ticks(lo, hi, 6);
            assert!(t.low() <= lo && t.high() >= hi, "{lo} {hi} {t:?}");
            assert!(t.values.len() <= 7 && t.values.len() >= 2, "{t:?}");
            let mantissa = t.step / 10f64.powf(t.step.log10().floor());
            assert!(
                [1.0, 2.0, 5.0].iter().any(|m| (m - mantissa).abs() < 1e-9),
                "{t:?}"
            );
        }
    }

    fn deficits() -> HBarChart {
        let bars = vec![
            Bar::new("China", -295.4),
            Bar::new("European Union", -235.6),
            Bar::new("Mexico", -171.8),
            Bar::new("Vietnam", -123.5),
            Bar::highlighted("Japan", -68.5),
            Bar::new("Bosnia & <Herzegovina>", 0.2),
        ];
        let text = ChartText::new(
            "Largest U.S. goods deficits, 2024",
            "U.S. goods balance by partner.",
        )
        .with_subtitle("US$ billion, Census basis")
        .with_source("Source: U.S. Census Bureau, FT-900 (2024).");
        HBarChart {
            axis_label: Some("US$ billion".into()),
            ..HBarChart::new(text, bars, ValueFormat::UsdBn { decimals: 1 })
        }
    }

    #[test]
    fn hbar_has_one_bar_per_value_and_highlights_japan() {
        let svg = deficits().render().unwrap();
        assert_valid_svg(&svg);
        let bars = bars_of(&svg);
        assert_eq!(bars.len(), 6);
        assert_eq!(bars[4].0, palette::HIGHLIGHT);
        assert!(bars
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || b.0 == palette::NEUTRAL));
        // Bar lengths are proportional to the values: China / Japan = 295.4 / 68.5.
        let ratio = bars[0].2 / bars[4].2;
        assert!((ratio - 295.4 / 68.5).abs() < 0.02, "{ratio}");
        // Negative bars end at the zero line (x + width is the same for all of them).
        let zero_x = bars[0].1 + bars[0].2;
        assert!((bars[3].1 + bars[3].2 - zero_x).abs() < 0.11);
        // The positive bar starts there.
        assert!((bars[5].1 - zero_x).abs() < 0.11);
        assert!(svg.contains(">−$295.4 bn</text>"));
        assert!(
            svg.contains(r#"font-weight="700" text-anchor="end">Japan</text>"#),
            "{svg}"
        );
        assert!(svg.contains("Bosnia &amp; &lt;Herzegovina&gt;"));
        assert!(!svg.contains("<Herzegovina>"));
        assert!(svg.contains("<desc>U.S. goods balance by partner. Bar chart. China: −$295.4 bn;"));
        assert!(svg.contains(">Source: U.S. Census Bureau, FT-900 (2024).</text>"));
        assert!(svg.contains(">−300</text>") && svg.contains(">0</text>"));
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(deficits().render().unwrap(), deficits().render().unwrap());
    }

    #[test]
    fn non_finite_values_are_errors_naming_the_bar() {
        let mut chart = deficits();
        chart.bars[2].value = f64::NAN;
        assert_eq!(
            chart.render().unwrap_err().to_string(),
            "chart `Largest U.S. goods deficits, 2024`: bar 3 (`Mexico`) is NaN; chart values must be finite numbers"
        );
        chart.bars.clear();
        assert_eq!(
            chart.render().unwrap_err().to_string(),
            "chart `Largest U.S. goods deficits, 2024` has no bars; give at least one"
        );
    }

    #[test]
    fn columns_handle_negative_values_and_rotate_long_labels() {
        let years = [
            (2015, -69.4),
            (2016, -69.0),
            (2017, -69.2),
            (2018, -67.6),
            (2019, -69.9),
            (2020, -55.3),
            (2021, -60.8),
            (2022, -68.2),
            (2023, -71.6),
            (2024, -68.5),
        ];
        let bars: Vec<Bar> = years
            .iter()
            .map(|(y, v)| {
                if *y == 2024 {
                    Bar::highlighted(y.to_string(), *v)
                } else {
                    Bar::new(y.to_string(), *v)
                }
            })
            .collect();
        let chart = ColumnChart::new(
            ChartText::new("U.S. goods balance with Japan", ""),
            bars,
            ValueFormat::Number { decimals: 1 },
        );
        let svg = chart.render().unwrap();
        assert_valid_svg(&svg);
        let bars = bars_of(&svg);
        assert_eq!(bars.len(), 10);
        assert_eq!(bars[9].0, palette::HIGHLIGHT);
        assert!(svg.contains(">−71.6</text>"));
        assert!(!svg.contains("rotate("));
        // Heights proportional to |value|.
        assert!((bars[5].3 / bars[8].3 - 55.3 / 71.6).abs() < 0.01);

        let long = ColumnChart::new(
            ChartText::new("Long labels", ""),
            (0..8)
                .map(|i| Bar::new(format!("Machinery and mechanical appliances {i}"), i as f64))
                .collect(),
            ValueFormat::Percent { decimals: 0 },
        );
        let svg = long.render().unwrap();
        assert_valid_svg(&svg);
        assert_eq!(count(&svg, "rotate(-40 "), 8);
    }

    #[test]
    fn error_bars_are_whiskers_inside_the_axis_and_bad_ones_are_refused() {
        let categories: Vec<String> = ["A", "B"].map(String::from).to_vec();
        // B's band reaches −2.0, below every bar: the axis must extend to it.
        let series = vec![Series::new("s", vec![-0.5, -1.0]).with_errors(vec![(-0.7, -0.3), (-2.0, -0.8)])];
        let chart = GroupedBarChart::new(ChartText::new("t", "d"), categories.clone(), series, ValueFormat::Percent { decimals: 1 });
        let svg = chart.render().unwrap();
        assert_valid_svg(&svg);
        assert_eq!(count(&svg, "class=\"error\""), 6, "a whisker and two caps per bar");
        assert!(svg.contains(">−2.0%<") || svg.contains(">−2%<") || svg.contains(">−2.5%<"), "axis reaches the band: {svg}");
        let bad = GroupedBarChart::new(
            ChartText::new("t", "d"),
            categories.clone(),
            vec![Series::new("s", vec![-0.5, -1.0]).with_errors(vec![(-0.3, -0.7), (-2.0, -0.8)])],
            ValueFormat::Percent { decimals: 1 },
        );
        assert!(bad.render().unwrap_err().to_string().contains("error bar 1: low -0.3 above high -0.7"));
        let short = GroupedBarChart::new(
            ChartText::new("t", "d"),
            categories,
            vec![Series::new("s", vec![-0.5, -1.0]).with_errors(vec![(-0.7, -0.3)])],
            ValueFormat::Percent { decimals: 1 },
        );
        assert!(short.render().is_err());
    }

    #[test]
    fn grouped_bars_have_series_times_categories_rects_and_a_legend() {
        let categories: Vec<String> = [
            "Japan",
            "United States",
            "China",
            "Canada",
            "Mexico",
            "Korea",
        ]
        .map(String::from)
        .to_vec();
        let series = vec![
            Series::new("No retaliation", vec![-0.12, 0.08, -0.35, -0.9, -1.4, -0.2]),
            Series::new(
                "With retaliation",
                vec![-0.15, -0.21, -0.41, -1.1, -1.6, -0.22],
            ),
        ];
        let mut chart = GroupedBarChart::new(
            ChartText::new("Welfare change", "Real income change."),
            categories,
            series,
            ValueFormat::Percent { decimals: 2 },
        );
        chart.highlight_categories = vec!["Japan".into()];
        let svg = chart.render().unwrap();
        assert_valid_svg(&svg);
        let bars = bars_of(&svg);
        assert_eq!(bars.len(), 12);
        assert_eq!(count(&svg, "class=\"swatch\""), 2);
        assert_eq!(bars[0].0, palette::SERIES[0]);
        assert_eq!(bars[1].0, palette::SERIES[1]);
        assert_eq!(count(&svg, "class=\"band\""), 1);
        assert!(svg.contains(">No retaliation</text>") && svg.contains(">−1.60%</text>"));

        chart.series[1].values.pop();
        assert_eq!(
            chart.render().unwrap_err().to_string(),
            "chart `Welfare change`: series `With retaliation` has 5 values but there are 6 categories"
        );
        chart.series[1].values.push(0.0);
        chart.highlight_categories = vec!["Japn".into()];
        assert!(chart
            .render()
            .unwrap_err()
            .to_string()
            .contains("highlighted category `Japn` is not one of the categories"));
    }

    #[test]
    fn stacked_bars_segment_per_value_and_reject_negatives() {
        let categories = vec!["Japan".to_string(), "Korea".to_string(), "EU".to_string()];
        let series = vec![
            Series::new("Section 232", vec![40.4, 30.0, 80.0]),
            Series::new("IEEPA reciprocal", vec![90.0, 60.0, 300.0]),
            Series::new("Exempt", vec![18.0, 0.0, 150.0]),
        ];
        let mut chart = StackedBarChart::new(
            ChartText::new("Exposure by authority", ""),
            categories,
            series,
            ValueFormat::UsdBn { decimals: 0 },
        );
        let svg = chart.render().unwrap();
        assert_valid_svg(&svg);
        assert_eq!(bars_of(&svg).len(), 9);
        assert_eq!(count(&svg, "class=\"swatch\""), 3);
        assert!(svg.contains(">$148 bn</text>"), "total for Japan");
        // Segments of a row are contiguous.
        let bars = bars_of(&svg);
        assert!((bars[0].1 + bars[0].2 - bars[1].1).abs() < 0.11);
        chart.series[2].values[1] = -1.0;
        assert_eq!(
            chart.render().unwrap_err().to_string(),
            "chart `Exposure by authority`: series `Exempt` is negative for `Korea` (−1.00); stacked segments must be >= 0"
        );
    }

    #[test]
    fn dot_plot_has_a_dot_per_value() {
        let chart = DotPlot::new(
            ChartText::new("Tariff before and after", ""),
            vec!["Cars".into(), "Parts".into(), "Steel".into()],
            vec![
                Series::new("2024", vec![2.5, 1.8, 0.0]),
                Series::new("2026", vec![15.0, 15.0, 50.0]),
            ],
            ValueFormat::Percent { decimals: 0 },
        );
        let svg = chart.render().unwrap();
        assert_valid_svg(&svg);
        assert_eq!(count(&svg, "<circle class=\"dot\""), 6);
        assert_eq!(count(&svg, "class=\"range\""), 3);
    }

    fn tariff_chart() -> LineChart {
        let japan = LineSeries::new(
            "Japan",
            vec![
                (date(2025, 1, 1), 1.5),
                (date(2025, 3, 12), 2.6),
                (date(2025, 4, 3), 6.8),
                (date(2025, 4, 5), 11.4),
                (date(2025, 8, 7), 15.2),
                (date(2025, 9, 16), 14.1),
            ],
            LineShape::Step,
        );
        let world = LineSeries::new(
            "All partners",
            vec![
                (date(2025, 1, 1), 2.4),
                (date(2025, 4, 9), 22.0),
                (date(2025, 5, 14), 13.0),
                (date(2026, 6, 30), 16.5),
            ],
            LineShape::Linear,
        );
        let events = vec![
            EventMarker::new(date(2025, 3, 12), "Steel & aluminium 25%"),
            EventMarker::new(date(2025, 4, 3), "Autos 25%"),
            EventMarker::new(date(2025, 4, 5), "10% baseline"),
            EventMarker::new(date(2025, 8, 7), "15% deal rate"),
            EventMarker::new(date(2025, 9, 16), "Autos to 15%"),
            EventMarker::new(date(2026, 6, 30), "Today"),
        ];
        let mut chart = LineChart::new(
            ChartText::new(
                "Japan's effective U.S. tariff rate",
                "Duty over import value.",
            ),
            vec![japan, world],
            events,
            ValueFormat::Percent { decimals: 1 },
        );
        chart.x_start = Some(date(2025, 1, 1));
        chart.x_end = Some(date(2026, 6, 30));
        chart
    }

    #[test]
    fn line_chart_draws_series_events_and_month_ticks() {
        let svg = tariff_chart().render().unwrap();
        assert_valid_svg(&svg);
        assert_eq!(count(&svg, "<path class=\"series\""), 2);
        assert_eq!(count(&svg, "<line class=\"event\""), 6);
        assert_eq!(count(&svg, "class=\"swatch\""), 2);
        // 18 months → quarterly ticks, years written on January.
        for label in [
            ">Jan 2025<",
            ">Apr<",
            ">Jul<",
            ">Oct<",
            ">Jan 2026<",
            ">Apr<",
        ] {
            assert!(svg.contains(label), "{label}");
        }
        assert!(svg.contains(">Steel &amp; aluminium 25%</text>"));
        // Step series end at the right edge: the path ends with an H command.
        let step_path = svg
            .lines()
            .find(|l| l.starts_with("<path class=\"series\""))
            .unwrap();
        assert!(attr(step_path, "d").contains(" H") && attr(step_path, "d").contains(" V"));
        // The last values are labelled.
        assert!(svg.contains(">14.1%</text>") && svg.contains(">16.5%</text>"));
        assert!(svg.contains("Events: 12 Mar 2025: Steel &amp; aluminium 25%;"));
    }

    #[test]
    fn event_labels_never_overlap_nor_sit_on_a_rule() {
        let chart = tariff_chart();
        let x_of = |d: ChartDate| {
            60.0 + (d.days_since_epoch() - date(2025, 1, 1).days_since_epoch()) as f64
        };
        let placements = place_event_labels(&chart.events, x_of, 20.0, 620.0);
        // 3 Apr and 5 Apr are two days apart: they cannot share a row.
        assert_ne!(placements[1].row, placements[2].row);
        let boxes: Vec<(usize, f64, f64, f64)> = chart
            .events
            .iter()
            .zip(&placements)
            .map(|(e, p)| {
                let x = x_of(e.date);
                let w = text_width(&e.label, EVENT_SIZE, false);
                let (a, b) = if p.anchor_end {
                    (x - 4.0 - w, x - 4.0)
                } else {
                    (x + 4.0, x + 4.0 + w)
                };
                (p.row, a, b, x)
            })
            .collect();
        for (i, &(ri, ai, bi, xi)) in boxes.iter().enumerate() {
            assert!(ri < 8, "label {i} in row {ri}");
            assert!(
                ai >= 20.0 && bi <= 620.0 + 1e-9,
                "label {i} leaves the chart: {ai}..{bi}"
            );
            for (j, &(rj, aj, bj, _)) in boxes.iter().enumerate() {
                if i == j {
                    continue;
                }
                if ri == rj {
                    assert!(
                        bi <= aj || bj <= ai,
                        "labels {i} and {j} overlap in row {ri}"
                    );
                }
                if rj < ri {
                    assert!(!(xi > aj && xi < bj), "rule {i} crosses label {j}");
                }
            }
        }
        // The last event ("Today", 15 px from the right edge) is placed left of its rule, the
        // others right of theirs; the three events of March–April climb a staircase.
        assert!(placements[5].anchor_end);
        assert!(placements[..5].iter().all(|p| !p.anchor_end));
        assert_eq!(
            placements.iter().map(|p| p.row).collect::<Vec<_>>(),
            vec![2, 1, 0, 1, 0, 0]
        );
    }

    #[test]
    fn line_chart_rejects_events_off_the_axis_and_unsorted_points() {
        let mut chart = tariff_chart();
        chart
            .events
            .push(EventMarker::new(date(2024, 11, 5), "Election"));
        assert_eq!(
            chart.render().unwrap_err().to_string(),
            "chart `Japan's effective U.S. tariff rate`: event `Election` on 2024-11-05 is outside the date axis 2025-01-01 to 2026-06-30"
        );
        let mut chart = tariff_chart();
        chart.series[0].points.swap(1, 2);
        assert_eq!(
            chart.render().unwrap_err().to_string(),
            "chart `Japan's effective U.S. tariff rate`: series `Japan`: point 3 (2025-03-12) is not after point 2 (2025-04-03); dates must increase"
        );
        let mut chart = tariff_chart();
        chart.series[1].points[0].1 = f64::INFINITY;
        assert!(chart
            .render()
            .unwrap_err()
            .to_string()
            .contains("series `All partners` on 2025-01-01 is inf"));
    }

    #[test]
    fn dates_count_days_like_the_calendar() {
        assert_eq!(date(1970, 1, 1).days_since_epoch(), 0);
        assert_eq!(date(2025, 1, 1).days_since_epoch(), 20_089);
        assert_eq!(
            date(2026, 6, 30).days_since_epoch() - date(2025, 1, 1).days_since_epoch(),
            545
        );
        assert!(ChartDate::new(2025, 2, 29).is_none());
        assert!(ChartDate::new(2024, 2, 29).is_some());
        assert_eq!(date(2025, 4, 5).long(), "5 Apr 2025");
    }

    #[test]
    fn long_titles_wrap_and_raise_the_height() {
        let short = deficits();
        let mut long = deficits();
        long.text.title = "A very long chart title that goes on and on about bilateral balances and what they do and do not mean for policy".into();
        let h_short: f64 = attr(&short.render().unwrap(), "height").parse().unwrap();
        let svg = long.render().unwrap();
        let h_long: f64 = attr(&svg, "height").parse().unwrap();
        assert!(h_long > h_short + 15.0, "{h_short} {h_long}");
        assert!(
            count(
                &svg,
                "font-size=\"17\" fill=\"#1a1a1a\" font-weight=\"700\""
            ) >= 2
        );
    }
}
