//! A small document model for briefs, rendered to one self-contained HTML file, Markdown
//! and a terminal summary.
//!
//! A [`Document`] has a title, [`Metadata`] (kanzei version, scenario, date, data source),
//! [`Section`]s of [`Block`]s and a list of [`Footnote`]s (numbered sources: dataset, year,
//! basis). Blocks are paragraphs with inline emphasis and footnote references
//! ([`parse_inline`]), a row of [`KeyFigure`]s, a [`Table`], a chart ([`Figure`], an SVG
//! from [`crate::svg`] and the file name it is saved under), a [`Callout`], and a
//! [`ClaimsTable`] of claims with their asserted and recomputed values and a [`Verdict`].
//!
//! Renderers:
//! * [`to_html`]: one file with inline CSS (print styles included), inline SVG charts, a table
//!   of contents and numbered sources; no `<script>`, no external URL, no network needed;
//! * [`to_markdown`]: GitHub-flavoured Markdown with charts as images next to the file
//!   ([`Document::chart_files`] lists the SVGs to write);
//! * [`to_text`]: a terminal summary (key figures, claims, sources) wrapped to a width.
//!
//! Footnotes are numbered in order of first reference; sources never referenced are listed
//! after them. Each renderer first runs [`Document::validate`], so a reference to an unknown
//! footnote, a duplicate section id, a ragged table or a bad chart file name is a
//! [`DocumentError`] naming the place, never a broken link. This module writes no files.

use std::collections::HashMap;
use std::fmt::Write as _;

use kanzei_core::SourceRef;
use thiserror::Error;

use crate::svg::escape;

/// A brief: title, metadata, sections and sources.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// Title ("Tariffs and the U.S.–Japan alliance, 2025–26").
    pub title: String,
    /// Standfirst under the title.
    pub subtitle: Option<String>,
    /// How and from what the brief was made.
    pub metadata: Metadata,
    /// The body, in reading order.
    pub sections: Vec<Section>,
    /// Sources; referenced from text by [`Footnote::key`].
    pub footnotes: Vec<Footnote>,
}

/// How a document was made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    /// kanzei's version (`env!("CARGO_PKG_VERSION")` of the binary).
    pub kanzei_version: String,
    /// Scenario name (`us-japan-2025`).
    pub scenario: String,
    /// The date the tariff schedule is evaluated on (`2026-06-30`).
    pub date: String,
    /// The data in one line ("U.S. Census Bureau, Japan MOF, IMF WEO, OECD TiVA").
    pub data_source: String,
}

/// A numbered section.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// Anchor id: lower-case ASCII letters, digits and `-` (`trade`, `third-countries`).
    pub id: String,
    /// Heading.
    pub heading: String,
    /// Content.
    pub blocks: Vec<Block>,
}

impl Section {
    /// A section with no blocks yet.
    pub fn new(id: impl Into<String>, heading: impl Into<String>) -> Section {
        Section {
            id: id.into(),
            heading: heading.into(),
            blocks: Vec::new(),
        }
    }

    /// Adds a block.
    pub fn push(&mut self, block: Block) -> &mut Section {
        self.blocks.push(block);
        self
    }
}

/// One piece of a section.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A paragraph; build it with [`Block::paragraph`].
    Paragraph(Vec<Inline>),
    /// A row of big numbers with labels.
    KeyFigures(Vec<KeyFigure>),
    /// A table of text and numbers.
    Table(Table),
    /// A chart.
    Chart(Figure),
    /// A boxed note.
    Callout(Callout),
    /// Claims with their verdicts.
    Claims(ClaimsTable),
}

impl Block {
    /// A paragraph from light markup: `*emphasis*`, `**strong**`, `[^key]` footnote
    /// references, `\` escapes the next character (see [`parse_inline`]).
    pub fn paragraph(markup: &str) -> Block {
        Block::Paragraph(parse_inline(markup))
    }
}

/// Inline text.
#[derive(Clone, Debug, PartialEq)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Emphasis (italic).
    Emphasis(String),
    /// Strong (bold).
    Strong(String),
    /// A reference to the footnote with this key.
    FootnoteRef(String),
}

/// Parses light inline markup: `**strong**`, `*emphasis*`, `[^key]` (a footnote reference;
/// keys are ASCII letters, digits, `-`, `_`, `.`), and `\x` for a literal `x`. A marker
/// without its closing partner is kept as text.
pub fn parse_inline(markup: &str) -> Vec<Inline> {
    let chars: Vec<char> = markup.chars().collect();
    let mut out: Vec<Inline> = Vec::new();
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut Vec<Inline>| {
        if !text.is_empty() {
            out.push(Inline::Text(std::mem::take(text)));
        }
    };
    let find = |from: usize, pattern: &[char]| -> Option<usize> {
        (from..chars.len().saturating_sub(pattern.len() - 1))
            .find(|&i| chars[i..i + pattern.len()] == *pattern)
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            text.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '*' && chars.get(i + 1) == Some(&'*') {
            if let Some(end) = find(i + 2, &['*', '*']).filter(|&e| e > i + 2) {
                flush(&mut text, &mut out);
                out.push(Inline::Strong(chars[i + 2..end].iter().collect()));
                i = end + 2;
                continue;
            }
        } else if c == '*' {
            if let Some(end) = find(i + 1, &['*']).filter(|&e| e > i + 1) {
                flush(&mut text, &mut out);
                out.push(Inline::Emphasis(chars[i + 1..end].iter().collect()));
                i = end + 1;
                continue;
            }
        } else if c == '[' && chars.get(i + 1) == Some(&'^') {
            if let Some(end) = find(i + 2, &[']']) {
                let key: String = chars[i + 2..end].iter().collect();
                if !key.is_empty() && key.chars().all(is_key_char) {
                    flush(&mut text, &mut out);
                    out.push(Inline::FootnoteRef(key));
                    i = end + 1;
                    continue;
                }
            }
        }
        text.push(c);
        i += 1;
    }
    flush(&mut text, &mut out);
    out
}

fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// A big number with its label.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyFigure {
    /// The number as displayed ("$227.9 bn").
    pub value: String,
    /// What it is ("U.S.–Japan goods trade, 2024").
    pub label: String,
    /// A short second line ("7th largest U.S. deficit").
    pub detail: Option<String>,
    /// Footnote keys.
    pub footnotes: Vec<String>,
}

impl KeyFigure {
    /// A figure with one source.
    pub fn new(
        value: impl Into<String>,
        label: impl Into<String>,
        footnote: impl Into<String>,
    ) -> KeyFigure {
        KeyFigure {
            value: value.into(),
            label: label.into(),
            detail: None,
            footnotes: vec![footnote.into()],
        }
    }
}

/// Column alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
    /// Short codes and marks.
    Center,
}

/// A table. Cells are plain text.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// Caption above the table ("U.S. imports from Japan by HS chapter, 2024").
    pub caption: Option<String>,
    /// Column headers.
    pub headers: Vec<String>,
    /// Rows, each with one cell per header.
    pub rows: Vec<Vec<String>>,
    /// Alignment per column; empty means numeric columns right, others left.
    pub align: Vec<Align>,
    /// A note under the table.
    pub note: Option<String>,
    /// Footnote keys (sources of the table).
    pub footnotes: Vec<String>,
}

impl Table {
    /// A table with automatic alignment and no caption, note or sources.
    pub fn new(headers: Vec<String>, rows: Vec<Vec<String>>) -> Table {
        Table {
            caption: None,
            headers,
            rows,
            align: Vec::new(),
            note: None,
            footnotes: Vec::new(),
        }
    }

    /// The alignment of each column: [`Table::align`] if given, otherwise right for columns
    /// whose non-empty cells all read as numbers ("$68.5 bn", "−1.2%", "1,234"), left else.
    /// Columns of bare digits ("87", "8703", "2024") are codes or years and stay left.
    pub fn alignments(&self) -> Vec<Align> {
        if !self.align.is_empty() {
            return self.align.clone();
        }
        (0..self.headers.len())
            .map(|c| {
                let cells: Vec<&str> = self
                    .rows
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|s| s.trim())
                    .filter(|s| !is_blank_cell(s))
                    .collect();
                let codes = cells.iter().all(|s| s.chars().all(|c| c.is_ascii_digit()));
                if !cells.is_empty() && !codes && cells.iter().all(|s| looks_numeric(s)) {
                    Align::Right
                } else {
                    Align::Left
                }
            })
            .collect()
    }
}

fn is_blank_cell(s: &str) -> bool {
    matches!(s, "" | "—" | "–" | "-" | "n/a" | "..")
}

/// Whether a cell reads as a number once signs, currency, units and separators are removed.
fn looks_numeric(s: &str) -> bool {
    let mut t = s.trim();
    for prefix in ["≈", "~", "+", "−", "-", "$", "¥", "€", "£", "US$"] {
        t = t.trim_start_matches(prefix).trim_start();
    }
    for suffix in [
        "%", " bn", "bn", " tn", "tn", " m", " pp", "pp", "×", "x", " ¥/$", "st", "nd", "rd", "th",
    ] {
        if let Some(rest) = t.strip_suffix(suffix) {
            t = rest.trim_end();
            break;
        }
    }
    let t: String = t.chars().filter(|c| *c != ',').collect();
    !t.is_empty() && t.parse::<f64>().is_ok()
}

/// A chart with its caption.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The chart: a standalone SVG document from [`crate::svg`].
    pub svg: String,
    /// Caption under the chart (what to read from it).
    pub caption: String,
    /// File name the SVG is saved under next to the report (`fig-1-deficits.svg`).
    pub file_name: String,
    /// Footnote keys.
    pub footnotes: Vec<String>,
}

/// What kind of boxed note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CalloutKind {
    /// A neutral note (method, definitions).
    Note,
    /// The point to take away.
    KeyPoint,
    /// A caveat or limitation.
    Caveat,
}

impl CalloutKind {
    fn label(self) -> &'static str {
        match self {
            CalloutKind::Note => "Note",
            CalloutKind::KeyPoint => "Key point",
            CalloutKind::Caveat => "Caveat",
        }
    }

    fn class(self) -> &'static str {
        match self {
            CalloutKind::Note => "note",
            CalloutKind::KeyPoint => "key-point",
            CalloutKind::Caveat => "caveat",
        }
    }
}

/// A boxed note.
#[derive(Clone, Debug, PartialEq)]
pub struct Callout {
    /// Kind (sets the label and colour).
    pub kind: CalloutKind,
    /// Optional title after the kind's label.
    pub title: Option<String>,
    /// Body.
    pub text: Vec<Inline>,
}

impl Callout {
    /// A callout from light markup (see [`parse_inline`]).
    pub fn new(kind: CalloutKind, title: Option<&str>, markup: &str) -> Callout {
        Callout {
            kind,
            title: title.map(str::to_string),
            text: parse_inline(markup),
        }
    }
}

/// The outcome of checking a claim against data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The recomputed value is within the claim's tolerance.
    Confirmed,
    /// The recomputed value is outside the tolerance.
    Differs,
    /// kanzei has no data to recompute it.
    NoData,
    /// Not a data claim: an assumption or policy parameter, stated as given.
    StatedParameter,
}

impl Verdict {
    /// The label shown on the badge.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Confirmed => "Confirmed",
            Verdict::Differs => "Differs",
            Verdict::NoData => "No data",
            Verdict::StatedParameter => "Stated parameter",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::Differs => "differs",
            Verdict::NoData => "no-data",
            Verdict::StatedParameter => "stated",
        }
    }
}

/// One checked claim.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimRow {
    /// The claim as the source states it.
    pub claim: String,
    /// The value asserted ("$68 bn").
    pub asserted: String,
    /// The value kanzei recomputed, if any ("$68.5 bn").
    pub recomputed: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why it differs, or why it is a stated parameter.
    pub note: Option<String>,
    /// Footnote keys for the recomputed value.
    pub footnotes: Vec<String>,
}

/// A table of checked claims.
#[derive(Clone, Debug, PartialEq)]
pub struct ClaimsTable {
    /// Caption above the table.
    pub caption: Option<String>,
    /// The claims.
    pub rows: Vec<ClaimRow>,
}

/// A numbered source.
#[derive(Clone, Debug, PartialEq)]
pub struct Footnote {
    /// Key used in references (`census-ft900-2024`).
    pub key: String,
    /// The dataset, cited ("U.S. Census Bureau, FT-900 U.S. International Trade in Goods").
    pub dataset: String,
    /// Period covered ("2024", "2015–2024").
    pub year: String,
    /// Basis or definition ("goods, Census basis, nominal U.S. dollars").
    pub basis: String,
    /// Anything else a reader needs ("Japan's MOF reports exports f.o.b. in yen").
    pub note: Option<String>,
}

impl Footnote {
    /// A footnote from a [`SourceRef`]: its citation, period and basis.
    pub fn from_source(key: impl Into<String>, source: &SourceRef) -> Footnote {
        Footnote {
            key: key.into(),
            dataset: source.citation.clone(),
            year: source.period.clone(),
            basis: source.basis.clone(),
            note: None,
        }
    }

    /// "dataset, year; basis. note"
    pub fn text(&self) -> String {
        let mut out = self.dataset.trim_end_matches('.').to_string();
        if !self.year.is_empty() {
            let _ = write!(out, ", {}", self.year);
        }
        if !self.basis.is_empty() {
            let _ = write!(out, "; {}", self.basis.trim_end_matches('.'));
        }
        out.push('.');
        if let Some(note) = &self.note {
            let _ = write!(out, " {}", note.trim());
        }
        out
    }
}

/// Why a document cannot be rendered.
#[derive(Clone, Debug, Error, PartialEq)]
#[non_exhaustive]
pub enum DocumentError {
    /// A reference names no footnote.
    #[error("{location}: footnote `{key}` is not defined; defined footnotes: {known}")]
    UnknownFootnote {
        /// Where the reference is.
        location: String,
        /// The key referenced.
        key: String,
        /// The keys that exist, quoted.
        known: String,
    },
    /// Two footnotes share a key.
    #[error(
        "footnote `{key}` is defined twice (entries {first} and {second}); keys must be unique"
    )]
    DuplicateFootnote {
        /// The key.
        key: String,
        /// 1-based position of the first definition.
        first: usize,
        /// 1-based position of the second.
        second: usize,
    },
    /// A section id is not usable as an anchor.
    #[error("section {position} (`{heading}`): id `{id}` is invalid; {reason}")]
    BadSectionId {
        /// 1-based section number.
        position: usize,
        /// Its heading.
        heading: String,
        /// The id.
        id: String,
        /// What a valid id looks like.
        reason: String,
    },
    /// A table row has the wrong number of cells.
    #[error("{location}: row {row} has {found} cells but the table has {expected} columns")]
    RaggedTable {
        /// Where the table is.
        location: String,
        /// 1-based row.
        row: usize,
        /// Cells in the row.
        found: usize,
        /// Headers.
        expected: usize,
    },
    /// A figure cannot be saved or inlined as given.
    #[error("{location}: {reason}")]
    BadFigure {
        /// Where the figure is.
        location: String,
        /// What is wrong and what would be valid.
        reason: String,
    },
}

/// Footnote numbers in order of first reference, then the unreferenced.
struct Notes<'a> {
    ordered: Vec<&'a Footnote>,
    number: HashMap<&'a str, usize>,
    referenced: Vec<bool>,
}

impl Document {
    /// Checks everything the renderers rely on; see [`DocumentError`].
    pub fn validate(&self) -> Result<(), DocumentError> {
        self.notes().map(|_| ())
    }

    /// The charts to write next to the HTML or Markdown file: (file name, standalone SVG).
    pub fn chart_files(&self) -> Vec<(&str, &str)> {
        self.figures()
            .map(|(_, f)| (f.file_name.as_str(), f.svg.as_str()))
            .collect()
    }

    fn figures(&self) -> impl Iterator<Item = (usize, &Figure)> {
        self.sections
            .iter()
            .flat_map(|s| s.blocks.iter())
            .filter_map(|b| match b {
                Block::Chart(f) => Some(f),
                _ => None,
            })
            .enumerate()
            .map(|(i, f)| (i + 1, f))
    }

    fn notes(&self) -> Result<Notes<'_>, DocumentError> {
        let mut by_key: HashMap<&str, usize> = HashMap::new();
        for (i, f) in self.footnotes.iter().enumerate() {
            if let Some(first) = by_key.insert(f.key.as_str(), i) {
                return Err(DocumentError::DuplicateFootnote {
                    key: f.key.clone(),
                    first: first + 1,
                    second: i + 1,
                });
            }
        }
        let known = || {
            self.footnotes
                .iter()
                .map(|f| format!("`{}`", f.key))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut ordered: Vec<&Footnote> = Vec::new();
        let mut number: HashMap<&str, usize> = HashMap::new();
        let mut visit = |key: &str, location: &dyn Fn() -> String| -> Result<(), DocumentError> {
            let Some(&idx) = by_key.get(key) else {
                return Err(DocumentError::UnknownFootnote {
                    location: location(),
                    key: key.to_string(),
                    known: if self.footnotes.is_empty() {
                        "none".into()
                    } else {
                        known()
                    },
                });
            };
            let footnote = &self.footnotes[idx];
            if !number.contains_key(footnote.key.as_str()) {
                ordered.push(footnote);
                number.insert(footnote.key.as_str(), ordered.len());
            }
            Ok(())
        };

        let mut ids: Vec<&str> = Vec::new();
        let mut files: Vec<&str> = Vec::new();
        let mut figure_no = 0;
        for (si, section) in self.sections.iter().enumerate() {
            check_section_id(si + 1, section, &ids)?;
            ids.push(section.id.as_str());
            for (bi, block) in section.blocks.iter().enumerate() {
                let location = || {
                    format!(
                        "section `{}`, block {} ({})",
                        section.id,
                        bi + 1,
                        block_kind(block)
                    )
                };
                match block {
                    Block::Paragraph(inlines) => visit_inlines(inlines, &mut visit, &location)?,
                    Block::Callout(callout) => visit_inlines(&callout.text, &mut visit, &location)?,
                    Block::KeyFigures(figures) => {
                        for f in figures {
                            for key in &f.footnotes {
                                visit(key, &location)?;
                            }
                        }
                    }
                    Block::Table(table) => {
                        for (ri, row) in table.rows.iter().enumerate() {
                            if row.len() != table.headers.len() {
                                return Err(DocumentError::RaggedTable {
                                    location: location(),
                                    row: ri + 1,
                                    found: row.len(),
                                    expected: table.headers.len(),
                                });
                            }
                        }
                        if !table.align.is_empty() && table.align.len() != table.headers.len() {
                            return Err(DocumentError::RaggedTable {
                                location: format!("{}, alignments", location()),
                                row: 0,
                                found: table.align.len(),
                                expected: table.headers.len(),
                            });
                        }
                        for key in &table.footnotes {
                            visit(key, &location)?;
                        }
                    }
                    Block::Chart(figure) => {
                        figure_no += 1;
                        let location = || {
                            format!(
                                "section `{}`, block {} (figure {figure_no})",
                                section.id,
                                bi + 1
                            )
                        };
                        check_figure(figure, &files, &location)?;
                        files.push(figure.file_name.as_str());
                        for key in &figure.footnotes {
                            visit(key, &location)?;
                        }
                    }
                    Block::Claims(claims) => {
                        for row in &claims.rows {
                            for key in &row.footnotes {
                                visit(key, &location)?;
                            }
                        }
                    }
                }
            }
        }
        let n_referenced = ordered.len();
        for f in &self.footnotes {
            if !number.contains_key(f.key.as_str()) {
                ordered.push(f);
                number.insert(f.key.as_str(), ordered.len());
            }
        }
        let referenced = (0..ordered.len()).map(|i| i < n_referenced).collect();
        Ok(Notes {
            ordered,
            number,
            referenced,
        })
    }
}

fn block_kind(block: &Block) -> &'static str {
    match block {
        Block::Paragraph(_) => "paragraph",
        Block::KeyFigures(_) => "key figures",
        Block::Table(_) => "table",
        Block::Chart(_) => "chart",
        Block::Callout(_) => "callout",
        Block::Claims(_) => "claims table",
    }
}

fn visit_inlines(
    inlines: &[Inline],
    visit: &mut impl FnMut(&str, &dyn Fn() -> String) -> Result<(), DocumentError>,
    location: &dyn Fn() -> String,
) -> Result<(), DocumentError> {
    for inline in inlines {
        if let Inline::FootnoteRef(key) = inline {
            visit(key, location)?;
        }
    }
    Ok(())
}

/// Ids the renderers use themselves.
const RESERVED_IDS: [&str; 3] = ["contents", "sources", "top"];

fn check_section_id(
    position: usize,
    section: &Section,
    seen: &[&str],
) -> Result<(), DocumentError> {
    let id = section.id.as_str();
    let bad = |reason: &str| DocumentError::BadSectionId {
        position,
        heading: section.heading.clone(),
        id: id.to_string(),
        reason: reason.to_string(),
    };
    let valid_chars = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && id.starts_with(|c: char| c.is_ascii_lowercase());
    if !valid_chars {
        return Err(bad("use lower-case ASCII letters, digits and `-`, starting with a letter (`third-countries`)"));
    }
    if RESERVED_IDS.contains(&id)
        || id.starts_with("fn-")
        || id.starts_with("fnref-")
        || id.starts_with("fig-")
    {
        return Err(bad("`contents`, `sources`, `top` and ids starting `fn-`, `fnref-` or `fig-` are used by the renderer"));
    }
    if seen.contains(&id) {
        return Err(bad("another section already has it"));
    }
    Ok(())
}

fn check_figure(
    figure: &Figure,
    files: &[&str],
    location: &dyn Fn() -> String,
) -> Result<(), DocumentError> {
    let bad = |reason: String| DocumentError::BadFigure {
        location: location(),
        reason,
    };
    let name = figure.file_name.as_str();
    let stem_ok = name.strip_suffix(".svg").is_some_and(|stem| {
        !stem.is_empty()
            && stem
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    });
    if !stem_ok || name.starts_with('.') {
        return Err(bad(format!(
            "file name `{name}` is invalid; use ASCII letters, digits, `-`, `_` and `.` ending in `.svg` (`fig-1-deficits.svg`)"
        )));
    }
    if files.contains(&name) {
        return Err(bad(format!(
            "file name `{name}` is used by an earlier figure; each chart needs its own file"
        )));
    }
    let svg = figure.svg.trim();
    if !svg.starts_with("<svg") || !svg.ends_with("</svg>") {
        return Err(bad(
            "the chart is not an SVG document (it must start with `<svg` and end with `</svg>`)"
                .into(),
        ));
    }
    let lower = svg.to_ascii_lowercase();
    if lower.contains("<script") || lower.contains("<foreignobject") || has_event_handler(&lower) {
        return Err(bad(
            "the chart contains a script; charts must be static SVG".into(),
        ));
    }
    if lower.contains("href=") {
        return Err(bad(
            "the chart links to another resource (`href=`); charts must be self-contained".into(),
        ));
    }
    Ok(())
}

/// Whether the markup has an event-handler attribute (` onload=`, ` onclick=` …).
fn has_event_handler(lower: &str) -> bool {
    lower.match_indices(" on").any(|(i, _)| {
        let rest = &lower[i + 3..];
        let name_len = rest.chars().take_while(|c| c.is_ascii_lowercase()).count();
        name_len > 0 && rest[name_len..].trim_start().starts_with('=')
    })
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

const CSS: &str = r#"
:root {
  --ink: #1a1a1a; --muted: #5b6470; --rule: #d9dde3; --rule-strong: #1a1a1a;
  --navy: #0f2d4a; --accent: #1f4e79; --hl: #c4452b; --panel: #f4f6f9;
  --sans: "Helvetica Neue", Helvetica, Arial, "Liberation Sans", "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  --serif: Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, "Liberation Serif", "DejaVu Serif", serif;
}
* { box-sizing: border-box; }
html { font-size: 17px; -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink); font-family: var(--serif); line-height: 1.62; }
.page { max-width: 860px; margin: 0 auto; padding: 40px 44px 56px; }
.masthead { border-top: 7px solid var(--navy); padding-top: 18px; margin-bottom: 26px; }
.kicker { font: 700 0.72rem/1.2 var(--sans); letter-spacing: 0.14em; text-transform: uppercase; color: var(--hl); margin: 0; }
h1 { font-family: var(--sans); font-size: 2.25rem; line-height: 1.14; letter-spacing: -0.012em; color: var(--navy); margin: 0.35em 0 0.3em; text-wrap: balance; }
.subtitle { font-size: 1.17rem; line-height: 1.45; color: #3d4550; margin: 0 0 1.1em; }
.meta { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0; padding: 10px 0; border-top: 1px solid var(--rule); border-bottom: 1px solid var(--rule); font: 0.76rem/1.4 var(--sans); color: var(--muted); }
.meta div { display: flex; gap: 6px; }
.meta dt { font-weight: 700; color: var(--ink); }
.meta dd { margin: 0; }
nav.toc { margin: 0 0 36px; padding: 16px 22px 14px; background: var(--panel); border-left: 3px solid var(--accent); font-family: var(--sans); }
nav.toc .toc-title { font-size: 0.72rem; letter-spacing: 0.12em; text-transform: uppercase; color: var(--muted); margin: 0 0 6px; font-weight: 700; }
nav.toc ol { margin: 0; padding: 0; list-style: none; columns: 2; column-gap: 32px; font-size: 0.9rem; }
nav.toc li { margin: 3px 0; break-inside: avoid; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
nav.toc .n { display: inline-block; min-width: 1.6em; color: var(--hl); font-weight: 700; }
section.body-section { margin-top: 44px; }
h2 { font-family: var(--sans); font-size: 1.45rem; line-height: 1.25; color: var(--navy); margin: 0 0 0.7em; padding-bottom: 0.35em; border-bottom: 1px solid var(--rule); }
h2 .n { color: var(--hl); margin-right: 0.55em; font-weight: 700; }
p { margin: 0 0 1em; }
em { font-style: italic; }
strong { font-weight: 700; }
.key-figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(165px, 1fr)); margin: 1.4em 0 1.8em; border-top: 2px solid var(--rule-strong); border-bottom: 1px solid var(--rule); }
.kf { padding: 14px 18px 16px 0; }
.kf + .kf { padding-left: 18px; border-left: 1px solid var(--rule); }
.kf-value { font: 700 1.95rem/1.1 var(--sans); color: var(--accent); font-variant-numeric: tabular-nums; letter-spacing: -0.01em; }
.kf-label { font: 0.8rem/1.38 var(--sans); color: var(--ink); margin-top: 0.45em; }
.kf-detail { font: 0.74rem/1.35 var(--sans); color: var(--muted); margin-top: 0.25em; }
figure.chart { margin: 2em 0 2.2em; padding: 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart .fig-label { font: 700 0.72rem/1.2 var(--sans); letter-spacing: 0.12em; text-transform: uppercase; color: var(--hl); margin: 0 0 8px; padding-top: 10px; border-top: 2px solid var(--rule-strong); }
/* Charts are 720 units wide with 20 units of padding inside: widen them so their text lines up with the column. */
figure.chart svg { display: block; width: calc(100% * 720 / 680); max-width: none; height: auto; margin-left: calc(-100% * 20 / 680); }
figure.chart figcaption { font: 0.82rem/1.45 var(--sans); color: #3d4550; margin-top: 8px; padding-top: 8px; border-top: 1px solid var(--rule); }
.table-wrap { margin: 1.6em 0 2em; overflow-x: auto; break-inside: avoid; page-break-inside: avoid; }
table { width: 100%; border-collapse: collapse; font: 0.83rem/1.4 var(--sans); font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; font-weight: 700; font-size: 0.9rem; color: var(--ink); padding-bottom: 8px; }
caption .t-label { color: var(--hl); text-transform: uppercase; letter-spacing: 0.1em; font-size: 0.72rem; margin-right: 0.6em; }
thead th { text-align: left; vertical-align: bottom; font-weight: 700; padding: 7px 10px; border-top: 2px solid var(--rule-strong); border-bottom: 1px solid var(--rule-strong); }
tbody td { padding: 7px 10px; border-bottom: 1px solid var(--rule); vertical-align: top; }
tbody tr:last-child td { border-bottom: 1px solid var(--rule-strong); }
th.r, td.r { text-align: right; white-space: nowrap; }
th.c, td.c { text-align: center; }
.table-note { font: 0.76rem/1.4 var(--sans); color: var(--muted); margin-top: 6px; }
table.claims td.claim { width: 36%; }
table.claims td.note { color: var(--muted); font-size: 0.78rem; min-width: 12em; }
.badge { display: inline-block; padding: 2px 9px; border-radius: 999px; font: 700 0.68rem/1.5 var(--sans); letter-spacing: 0.05em; text-transform: uppercase; white-space: nowrap; border: 1px solid transparent; }
.badge.confirmed { background: #e4f2e9; color: #1c6a3c; border-color: #b9dcc6; }
.badge.differs { background: #fdeedd; color: #8f4a00; border-color: #f1c993; }
.badge.no-data { background: #eeeff1; color: #4f5660; border-color: #d3d6db; }
.badge.stated { background: #e6edf6; color: #1f4e79; border-color: #c0d0e4; }
.callout { margin: 1.6em 0; padding: 13px 18px 13px 16px; border-left: 4px solid var(--accent); background: var(--panel); font: 0.9rem/1.55 var(--sans); break-inside: avoid; }
.callout p { margin: 0; }
.callout .c-label { font-weight: 700; color: var(--accent); margin-right: 0.35em; }
.callout.key-point { border-left-color: var(--hl); background: #fbf1ee; }
.callout.key-point .c-label { color: var(--hl); }
.callout.caveat { border-left-color: #b7791f; background: #fdf7ec; }
.callout.caveat .c-label { color: #8f5a0f; }
sup.fnref { font: 700 0.68em/0 var(--sans); margin-left: 1px; }
sup.fnref a { color: var(--hl); text-decoration: none; }
sup.fnref a:hover { text-decoration: underline; }
section.sources { margin-top: 52px; }
section.sources h2 { font-size: 1.1rem; }
ol.footnotes { margin: 0; padding-left: 1.7em; font: 0.8rem/1.5 var(--sans); color: #333a43; }
ol.footnotes li { margin: 0 0 5px; padding-left: 4px; }
ol.footnotes li:target { background: #fff7d6; }
.fn-dataset { font-weight: 700; color: var(--ink); }
a.fn-back { color: var(--muted); text-decoration: none; margin-left: 4px; }
footer.colophon { margin-top: 40px; padding-top: 12px; border-top: 1px solid var(--rule); font: 0.74rem/1.5 var(--sans); color: var(--muted); }
@media (max-width: 640px) {
  html { font-size: 16px; }
  .page { padding: 24px 18px 40px; }
  h1 { font-size: 1.75rem; }
  nav.toc ol { columns: 1; }
  .kf + .kf { border-left: none; padding-left: 0; }
}
@media print {
  @page { size: A4; margin: 16mm 15mm 18mm; }
  html { font-size: 10.5pt; }
  .page { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  nav.toc { background: none; border-left: 2px solid var(--accent); }
  .badge, .callout, .kf-value, figure.chart svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2, caption, .fig-label { break-after: avoid; page-break-after: avoid; }
  figure.chart, .table-wrap, .callout, .key-figures { break-inside: avoid; page-break-inside: avoid; }
  a.fn-back { display: none; }
  ol.footnotes li:target { background: none; }
}
"#;

struct Html<'a> {
    out: String,
    notes: &'a Notes<'a>,
    /// References written so far per footnote number, for unique anchor ids.
    ref_counts: HashMap<usize, usize>,
    /// Figures and captioned tables numbered so far.
    figure_no: usize,
    table_no: usize,
}

impl Html<'_> {
    fn fnrefs(&mut self, keys: &[String]) {
        for (i, key) in keys.iter().enumerate() {
            if i > 0 {
                // Keep adjacent references apart: ⁹,⁶ not ⁹⁶.
                self.out.push_str(r#"<sup class="fnsep">,</sup>"#);
            }
            self.fnref(key);
        }
    }

    fn fnref(&mut self, key: &str) {
        let n = self.notes.number[key];
        let count = self.ref_counts.entry(n).or_insert(0);
        *count += 1;
        let _ = write!(
            self.out,
            r##"<sup class="fnref"><a href="#fn-{n}" id="fnref-{n}-{count}">{n}</a></sup>"##
        );
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for inline in inlines {
            match inline {
                Inline::Text(t) => self.out.push_str(&escape(t)),
                Inline::Emphasis(t) => {
                    let _ = write!(self.out, "<em>{}</em>", escape(t));
                }
                Inline::Strong(t) => {
                    let _ = write!(self.out, "<strong>{}</strong>", escape(t));
                }
                Inline::FootnoteRef(key) => self.fnref(key),
            }
        }
    }
}

/// The document as one self-contained HTML file.
pub fn to_html(doc: &Document) -> Result<String, DocumentError> {
    let notes = doc.notes()?;
    let mut h = Html {
        out: String::with_capacity(64 * 1024),
        notes: &notes,
        ref_counts: HashMap::new(),
        figure_no: 0,
        table_no: 0,
    };
    let title = escape(&doc.title);
    let heading = heading_text(&doc.title);
    let _ = write!(
        h.out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"kanzei {}\">\n<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<div class=\"page\" id=\"top\">\n",
        escape(&doc.metadata.kanzei_version)
    );
    h.masthead(doc, &heading);
    h.contents(doc);
    for (si, section) in doc.sections.iter().enumerate() {
        h.section(si + 1, section);
    }
    h.sources();
    h.out.push_str("</main>\n");
    h.colophon(doc);
    h.out.push_str("</div>\n</body>\n</html>\n");
    Ok(h.out)
}

impl Html<'_> {
    /// The masthead: kicker, title, subtitle and the metadata list.
    fn masthead(&mut self, doc: &Document, heading: &str) {
        self.out
            .push_str("<header class=\"masthead\">\n<p class=\"kicker\">kanzei brief</p>\n");
        let _ = writeln!(self.out, "<h1>{heading}</h1>");
        if let Some(subtitle) = &doc.subtitle {
            let _ = writeln!(self.out, "<p class=\"subtitle\">{}</p>", escape(subtitle));
    }
    let m = &doc.metadata;
    self.out.push_str("<dl class=\"meta\">\n");
    for (label, value) in [
        ("Scenario", &m.scenario),
        ("Tariffs as of", &m.date),
        ("Data", &m.data_source),
        ("kanzei", &m.kanzei_version),
    ] {
        if !value.is_empty() {
            let _ = writeln!(
                self.out,
                "<div><dt>{label}</dt><dd>{}</dd></div>",
                escape(value)
            );
        }
    }
    self.out.push_str("</dl>\n</header>\n");
    }

    /// The table of contents.
    fn contents(&mut self, doc: &Document) {
        self.out.push_str("<nav class=\"toc\" id=\"contents\" aria-label=\"Contents\">\n<p class=\"toc-title\">Contents</p>\n<ol>\n");
        for (i, s) in doc.sections.iter().enumerate() {
            let _ = writeln!(
                self.out,
                "<li><a href=\"#{}\"><span class=\"n\">{}</span>{}</a></li>",
                s.id,
                i + 1,
                escape(&s.heading)
            );
    }
    if !self.notes.ordered.is_empty() {
        self.out.push_str(
            "<li><a href=\"#sources\"><span class=\"n\">&#8226;</span>Notes and sources</a></li>\n",
        );
    }
    self.out.push_str("</ol>\n</nav>\n<main>\n");
    }

    /// One section and its blocks.
    fn section(&mut self, number: usize, section: &Section) {
        let _ = writeln!(
            self.out,
            "<section class=\"body-section\" id=\"{}\">\n<h2><span class=\"n\">{}</span>{}</h2>",
            section.id,
            number,
            heading_text(&section.heading)
        );
        for block in &section.blocks {
            match block {
                Block::Paragraph(inlines) => {
                    self.out.push_str("<p>");
                    self.inlines(inlines);
                    self.out.push_str("</p>\n");
                }
                Block::KeyFigures(figures) => self.key_figures(figures),
                Block::Table(table) => self.table(table),
                Block::Chart(figure) => self.chart(figure),
                Block::Callout(callout) => self.callout(callout),
                Block::Claims(claims) => self.claims(claims),
            }
        }
        self.out.push_str("</section>\n");
    }

    /// A row of key figures.
    fn key_figures(&mut self, figures: &[KeyFigure]) {
        self.out.push_str("<div class=\"key-figures\">\n");
        for f in figures {
            let _ = write!(
                self.out,
                "<div class=\"kf\"><div class=\"kf-value\">{}</div><div class=\"kf-label\">{}",
                escape(&f.value),
                escape(&f.label)
            );
            self.fnrefs(&f.footnotes);
            self.out.push_str("</div>");
            if let Some(detail) = &f.detail {
                let _ =
                    write!(self.out, "<div class=\"kf-detail\">{}</div>", escape(detail));
            }
            self.out.push_str("</div>\n");
        }
        self.out.push_str("</div>\n");
    }

    /// A numbered table with its note and sources.
    fn table(&mut self, table: &Table) {
        let align = table.alignments();
        let class = |a: Align| match a {
            Align::Left => "",
            Align::Right => " class=\"r\"",
            Align::Center => " class=\"c\"",
        };
        self.out.push_str("<div class=\"table-wrap\">\n<table>\n");
        if let Some(caption) = &table.caption {
            self.table_no += 1;
            let _ = write!(
                self.out,
                "<caption><span class=\"t-label\">Table {}</span>{}",
                    self.table_no,
                escape(caption)
            );
            self.fnrefs(&table.footnotes);
            self.out.push_str("</caption>\n");
        }
        self.out.push_str("<thead><tr>");
        for (c, header) in table.headers.iter().enumerate() {
            let _ = write!(
                self.out,
                "<th scope=\"col\"{}>{}</th>",
                class(align[c]),
                escape(header)
            );
        }
        self.out.push_str("</tr></thead>\n<tbody>\n");
        for row in &table.rows {
            self.out.push_str("<tr>");
            for (c, cell) in row.iter().enumerate() {
                let _ = write!(self.out, "<td{}>{}</td>", class(align[c]), escape(cell));
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</tbody>\n</table>\n");
        let sources_in_note = table.caption.is_none() && !table.footnotes.is_empty();
        if table.note.is_some() || sources_in_note {
            self.out.push_str("<p class=\"table-note\">");
            if let Some(note) = &table.note {
                self.out.push_str(&escape(note));
            }
            if sources_in_note {
                self.out.push_str(if table.note.is_some() {
                    " Sources:"
                } else {
                    "Sources:"
                });
                self.fnrefs(&table.footnotes);
            }
            self.out.push_str("</p>\n");
        }
        self.out.push_str("</div>\n");
    }

    /// A numbered figure with the SVG inline.
    fn chart(&mut self, figure: &Figure) {
        self.figure_no += 1;
        let figure_no = self.figure_no;
        let _ = write!(
            self.out,
            "<figure class=\"chart\" id=\"fig-{figure_no}\" data-file=\"{}\">\n<p class=\"fig-label\">Figure {figure_no}</p>\n",
            escape(&figure.file_name)
        );
        self.out.push_str(&inline_svg(&figure.svg));
        self.out.push_str("\n<figcaption>");
        self.out.push_str(&escape(&figure.caption));
        self.fnrefs(&figure.footnotes);
        self.out.push_str("</figcaption>\n</figure>\n");
    }

    /// A callout box.
    fn callout(&mut self, callout: &Callout) {
        let _ = write!(
            self.out,
            "<aside class=\"callout {}\"><p><span class=\"c-label\">{}",
            callout.kind.class(),
            callout.kind.label()
        );
        if let Some(title) = &callout.title {
            let _ = write!(self.out, ": {}", escape(title));
        }
        self.out.push_str(".</span> ");
        self.inlines(&callout.text);
        self.out.push_str("</p></aside>\n");
    }

    /// The claims table with its verdict summary.
    fn claims(&mut self, claims: &ClaimsTable) {
        self.out
            .push_str("<div class=\"table-wrap\">\n<table class=\"claims\">\n");
        if let Some(caption) = &claims.caption {
            self.table_no += 1;
            let _ = writeln!(
                self.out,
                "<caption><span class=\"t-label\">Table {}</span>{}</caption>",
                    self.table_no,
                escape(caption)
            );
        }
        self.out.push_str(
            "<thead><tr><th scope=\"col\">Claim</th><th scope=\"col\" class=\"r\">Asserted</th>\
             <th scope=\"col\" class=\"r\">Recomputed</th><th scope=\"col\">Verdict</th><th scope=\"col\">Note</th></tr></thead>\n<tbody>\n",
        );
        for row in &claims.rows {
            let _ = write!(
                self.out,
                "<tr><td class=\"claim\">{}</td><td class=\"r\">{}</td><td class=\"r\">{}",
                escape(&row.claim),
                escape(&row.asserted),
                escape(row.recomputed.as_deref().unwrap_or("—"))
            );
            self.fnrefs(&row.footnotes);
            let _ = writeln!(
                self.out,
                "</td><td><span class=\"badge {}\">{}</span></td><td class=\"note\">{}</td></tr>",
                row.verdict.class(),
                row.verdict.label(),
                escape(row.note.as_deref().unwrap_or(""))
            );
        }
        self.out.push_str("</tbody>\n</table>\n");
        let _ = writeln!(
            self.out,
            "<p class=\"table-note\">{}</p>",
            escape(&verdict_summary(&claims.rows))
        );
        self.out.push_str("</div>\n");
    }

    /// Notes and sources, each with a link back to its first reference.
    fn sources(&mut self) {
        if !self.notes.ordered.is_empty() {
            self.out.push_str("<section class=\"sources\" id=\"sources\">\n<h2>Notes and sources</h2>\n<ol class=\"footnotes\">\n");
            for (i, f) in self.notes.ordered.iter().enumerate() {
                let n = i + 1;
                let _ = write!(
                    self.out,
                    "<li id=\"fn-{n}\"><span class=\"fn-dataset\">{}</span>",
                    escape(f.dataset.trim_end_matches('.'))
                );
                let rest = f.text();
                let rest = rest
                    .strip_prefix(f.dataset.trim_end_matches('.'))
                    .unwrap_or(&rest);
                self.out.push_str(&escape(rest));
                if self.notes.referenced[i] {
                    let _ = write!(self.out, " <a class=\"fn-back\" href=\"#fnref-{n}-1\" aria-label=\"Back to reference {n}\">&#8617;</a>");
                }
                self.out.push_str("</li>\n");
            }
            self.out.push_str("</ol>\n</section>\n");
    }
    }

    /// The colophon under the notes.
    fn colophon(&mut self, doc: &Document) {
        let m = &doc.metadata;
        let _ = writeln!(
            self.out,
            "<footer class=\"colophon\">Made with kanzei {} from scenario <strong>{}</strong> with tariffs as of {}. \
             Every number is recomputed from the data listed under Notes and sources; rerunning the same command on the same data gives the same report.</footer>",
            escape(&m.kanzei_version),
            escape(&m.scenario),
            escape(&m.date)
        );
    }
}

/// Escaped heading text in which an en dash between two words or numbers ("U.S.–Japan",
/// "2025–26") is followed by a word joiner, so browsers do not break the line after it.
fn heading_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        out.push(c);
        let joined = |j: Option<&char>| j.is_some_and(|c| !c.is_whitespace());
        if c == '–' && i > 0 && joined(chars.get(i - 1)) && joined(chars.get(i + 1)) {
            out.push('\u{2060}');
        }
    }
    escape(&out)
}

/// The SVG as an element inside HTML: the HTML parser supplies the SVG namespace, so the
/// `xmlns` attribute (a URL) is dropped to keep the page free of URLs; `role="img"` (an ARIA
/// attribute, not SVG 1.1, so absent from the standalone files) makes screen readers announce
/// the chart as one image named by its `<title>`.
fn inline_svg(svg: &str) -> String {
    svg.trim()
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
        .replacen("<svg ", "<svg role=\"img\" ", 1)
}

fn verdict_summary(rows: &[ClaimRow]) -> String {
    let count = |v: Verdict| rows.iter().filter(|r| r.verdict == v).count();
    let parts: Vec<String> = [
        Verdict::Confirmed,
        Verdict::Differs,
        Verdict::NoData,
        Verdict::StatedParameter,
    ]
    .into_iter()
    .filter(|v| count(*v) > 0)
    .map(|v| {
        let n = count(v);
        match v {
            Verdict::Confirmed => format!("{n} confirmed"),
            Verdict::Differs => format!("{n} {}", if n == 1 { "differs" } else { "differ" }),
            Verdict::NoData => format!("{n} without data"),
            Verdict::StatedParameter => format!(
                "{n} stated {}",
                if n == 1 { "parameter" } else { "parameters" }
            ),
        }
    })
    .collect();
    format!(
        "{} {}: {}.",
        rows.len(),
        if rows.len() == 1 { "claim" } else { "claims" },
        parts.join(", ")
    )
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

/// Escapes Markdown punctuation that would otherwise format text; `$` too, which GitHub
/// reads as the start of a formula ("$68 bn … $228 bn").
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(
            ch,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|' | '$' | '~'
        ) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

fn md_refs(notes: &Notes<'_>, keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("[^{}]", notes.number[k.as_str()]))
        .collect()
}

fn md_inlines(notes: &Notes<'_>, inlines: &[Inline]) -> String {
    let mut out = String::new();
    for inline in inlines {
        match inline {
            Inline::Text(t) => out.push_str(&md_escape(t)),
            Inline::Emphasis(t) => {
                let _ = write!(out, "*{}*", md_escape(t));
            }
            Inline::Strong(t) => {
                let _ = write!(out, "**{}**", md_escape(t));
            }
            Inline::FootnoteRef(key) => {
                let _ = write!(out, "[^{}]", notes.number[key.as_str()]);
            }
        }
    }
    out
}

/// The document as GitHub-flavoured Markdown. Charts are images referring to
/// [`Figure::file_name`] in the same folder; write them with [`Document::chart_files`].
pub fn to_markdown(doc: &Document) -> Result<String, DocumentError> {
    let notes = doc.notes()?;
    let mut out = String::with_capacity(16 * 1024);
    let _ = writeln!(out, "# {}\n", md_escape(&doc.title));
    if let Some(subtitle) = &doc.subtitle {
        let _ = writeln!(out, "*{}*\n", md_escape(subtitle));
    }
    let m = &doc.metadata;
    let meta: Vec<String> = [
        ("Scenario", &m.scenario),
        ("Tariffs as of", &m.date),
        ("Data", &m.data_source),
        ("kanzei", &m.kanzei_version),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("**{k}:** {}", md_escape(v)))
    .collect();
    let _ = writeln!(out, "{}\n", meta.join(" · "));
    out.push_str("## Contents\n\n");
    for (i, s) in doc.sections.iter().enumerate() {
        let _ = writeln!(out, "{}. [{}](#{})", i + 1, md_escape(&s.heading), s.id);
    }
    if !notes.ordered.is_empty() {
        let _ = writeln!(
            out,
            "{}. [Notes and sources](#sources)",
            doc.sections.len() + 1
        );
    }
    out.push('\n');

    let mut figure_no = 0;
    let mut table_no = 0;
    for (si, section) in doc.sections.iter().enumerate() {
        let _ = writeln!(
            out,
            "<a id=\"{}\"></a>\n\n## {}. {}\n",
            section.id,
            si + 1,
            md_escape(&section.heading)
        );
        for block in &section.blocks {
            match block {
                Block::Paragraph(inlines) => {
                    let _ = writeln!(out, "{}\n", md_inlines(&notes, inlines));
                }
                Block::KeyFigures(figures) => {
                    for f in figures {
                        let _ = write!(
                            out,
                            "- **{}** — {}{}",
                            md_escape(&f.value),
                            md_escape(&f.label),
                            md_refs(&notes, &f.footnotes)
                        );
                        if let Some(detail) = &f.detail {
                            let _ = write!(out, " ({})", md_escape(detail));
                        }
                        out.push('\n');
                    }
                    out.push('\n');
                }
                Block::Table(table) => {
                    if let Some(caption) = &table.caption {
                        table_no += 1;
                        let _ = writeln!(
                            out,
                            "**Table {table_no}. {}**{}\n",
                            md_escape(caption),
                            md_refs(&notes, &table.footnotes)
                        );
                    }
                    let align = table.alignments();
                    md_table(&mut out, &table.headers, &align, &table.rows);
                    match (
                        &table.note,
                        table.caption.is_none() && !table.footnotes.is_empty(),
                    ) {
                        (Some(note), true) => {
                            let _ = writeln!(
                                out,
                                "*{}* Sources:{}\n",
                                md_escape(note),
                                md_refs(&notes, &table.footnotes)
                            );
                        }
                        (Some(note), false) => {
                            let _ = writeln!(out, "*{}*\n", md_escape(note));
                        }
                        (None, true) => {
                            let _ =
                                writeln!(out, "Sources:{}\n", md_refs(&notes, &table.footnotes));
                        }
                        (None, false) => {}
                    }
                }
                Block::Chart(figure) => {
                    figure_no += 1;
                    let _ = writeln!(
                        out,
                        "![Figure {figure_no}: {}]({})\n\n*Figure {figure_no}. {}*{}\n",
                        md_escape(&svg_title(&figure.svg).unwrap_or_default()),
                        figure.file_name,
                        md_escape(&figure.caption),
                        md_refs(&notes, &figure.footnotes)
                    );
                }
                Block::Callout(callout) => {
                    let title = callout
                        .title
                        .as_ref()
                        .map(|t| format!(": {}", md_escape(t)))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "> **{}{title}.** {}\n",
                        callout.kind.label(),
                        md_inlines(&notes, &callout.text)
                    );
                }
                Block::Claims(claims) => {
                    if let Some(caption) = &claims.caption {
                        table_no += 1;
                        let _ = writeln!(out, "**Table {table_no}. {}**\n", md_escape(caption));
                    }
                    let headers: Vec<String> =
                        ["Claim", "Asserted", "Recomputed", "Verdict", "Note"]
                            .map(String::from)
                            .to_vec();
                    let align = [
                        Align::Left,
                        Align::Right,
                        Align::Right,
                        Align::Left,
                        Align::Left,
                    ];
                    let rows: Vec<Vec<String>> = claims
                        .rows
                        .iter()
                        .map(|r| {
                            vec![
                                r.claim.clone(),
                                r.asserted.clone(),
                                r.recomputed.clone().unwrap_or_else(|| "—".into()),
                                r.verdict.label().to_string(),
                                r.note.clone().unwrap_or_default(),
                            ]
                        })
                        .collect();
                    // Footnote references go after the escaped recomputed value.
                    let refs: Vec<String> = claims
                        .rows
                        .iter()
                        .map(|r| md_refs(&notes, &r.footnotes))
                        .collect();
                    md_table_with_suffix(&mut out, &headers, &align, &rows, |row, col| {
                        if col == 2 {
                            refs[row].clone()
                        } else {
                            String::new()
                        }
                    });
                    let _ = writeln!(out, "*{}*\n", verdict_summary(&claims.rows));
                }
            }
        }
    }
    if !notes.ordered.is_empty() {
        out.push_str("<a id=\"sources\"></a>\n\n## Notes and sources\n\n");
        for (i, f) in notes.ordered.iter().enumerate() {
            let _ = writeln!(out, "[^{}]: {}", i + 1, md_escape(&f.text()));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "---\n\n*Made with kanzei {} from scenario {} with tariffs as of {}.*",
        md_escape(&m.kanzei_version),
        md_escape(&m.scenario),
        md_escape(&m.date)
    );
    Ok(out)
}

fn md_table(out: &mut String, headers: &[String], align: &[Align], rows: &[Vec<String>]) {
    md_table_with_suffix(out, headers, align, rows, |_, _| String::new());
}

fn md_table_with_suffix(
    out: &mut String,
    headers: &[String],
    align: &[Align],
    rows: &[Vec<String>],
    suffix: impl Fn(usize, usize) -> String,
) {
    let cell = |s: &str| md_escape(s).replace('\n', " ");
    let _ = writeln!(
        out,
        "| {} |",
        headers
            .iter()
            .map(|h| cell(h))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    let rule: Vec<&str> = align
        .iter()
        .map(|a| match a {
            Align::Left => "---",
            Align::Right => "---:",
            Align::Center => ":---:",
        })
        .collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for (ri, row) in rows.iter().enumerate() {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(ci, c)| format!("{}{}", cell(c), suffix(ri, ci)))
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// The text of the first `<title>` of an SVG, unescaped.
fn svg_title(svg: &str) -> Option<String> {
    let start = svg.find("<title>")? + "<title>".len();
    let end = start + svg[start..].find("</title>")?;
    Some(
        svg[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&"),
    )
}

// ---------------------------------------------------------------------------------------------
// Terminal summary
// ---------------------------------------------------------------------------------------------

fn display_width(s: &str) -> usize {
    s.chars().count()
}

/// Wraps at spaces to `width` characters; words longer than `width` are split.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(4);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while display_width(&word) > width {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        if current.is_empty() {
            current = word;
        } else if display_width(&current) + 1 + display_width(&word) <= width {
            current.push(' ');
            current.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut current, word));
        }
    }
    if !current.is_empty() || lines.is_empty() {
        lines.push(current);
    }
    lines
}

fn pad(s: &str, width: usize, right: bool) -> String {
    let fill = " ".repeat(width.saturating_sub(display_width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

fn text_inlines(notes: &Notes<'_>, inlines: &[Inline]) -> String {
    inlines
        .iter()
        .map(|i| match i {
            Inline::Text(t) | Inline::Emphasis(t) | Inline::Strong(t) => t.clone(),
            Inline::FootnoteRef(key) => format!("[{}]", notes.number[key.as_str()]),
        })
        .collect()
}

fn text_refs(notes: &Notes<'_>, keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("[{}]", notes.number[k.as_str()]))
        .collect()
}

/// A terminal summary `width` characters wide (at least 40): title and metadata, each
/// section's key figures and key-point callouts, the claims tables, chart files and sources.
/// Paragraphs, tables and charts are left to the HTML and Markdown.
pub fn to_text(doc: &Document, width: usize) -> Result<String, DocumentError> {
    let notes = doc.notes()?;
    let width = width.max(40);
    let mut out = String::new();
    for line in wrap(&doc.title.to_uppercase(), width) {
        let _ = writeln!(out, "{line}");
    }
    if let Some(subtitle) = &doc.subtitle {
        for line in wrap(subtitle, width) {
            let _ = writeln!(out, "{line}");
        }
    }
    let m = &doc.metadata;
    let meta = format!(
        "Scenario {} · tariffs as of {} · kanzei {}",
        m.scenario, m.date, m.kanzei_version
    );
    for line in wrap(&meta, width) {
        let _ = writeln!(out, "{line}");
    }
    if !m.data_source.is_empty() {
        for line in wrap(&format!("Data: {}", m.data_source), width) {
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = writeln!(out, "{}", "═".repeat(width));

    for (si, section) in doc.sections.iter().enumerate() {
        let has_content = section.blocks.iter().any(|b| {
            matches!(b, Block::KeyFigures(_) | Block::Claims(_))
                || matches!(b, Block::Callout(c) if c.kind == CalloutKind::KeyPoint)
        });
        if !has_content {
            continue;
        }
        let _ = writeln!(out, "\n{}. {}", si + 1, section.heading);
        let _ = writeln!(
            out,
            "{}",
            "─".repeat(display_width(&section.heading) + 2 + (si + 1).to_string().len())
        );
        for block in &section.blocks {
            match block {
                Block::KeyFigures(figures) => {
                    let value_w = figures
                        .iter()
                        .map(|f| display_width(&f.value))
                        .max()
                        .unwrap_or(0)
                        .min(width / 3);
                    for f in figures {
                        let mut label = format!("{}{}", f.label, text_refs(&notes, &f.footnotes));
                        if let Some(detail) = &f.detail {
                            let _ = write!(label, " — {detail}");
                        }
                        let label_w = width.saturating_sub(value_w + 4).max(10);
                        for (i, line) in wrap(&label, label_w).into_iter().enumerate() {
                            let value = if i == 0 { f.value.as_str() } else { "" };
                            let _ = writeln!(out, "  {}  {line}", pad(value, value_w, true));
                        }
                    }
                }
                Block::Callout(c) if c.kind == CalloutKind::KeyPoint => {
                    let text = text_inlines(&notes, &c.text);
                    for (i, line) in wrap(&text, width - 4).into_iter().enumerate() {
                        let _ = writeln!(out, "  {} {line}", if i == 0 { "▸" } else { " " });
                    }
                }
                Block::Claims(claims) => text_claims(&mut out, &notes, claims, width),
                _ => {}
            }
        }
    }

    let files = doc.chart_files();
    if !files.is_empty() {
        let _ = writeln!(out, "\nCharts");
        for line in wrap(
            &files
                .iter()
                .map(|(name, _)| *name)
                .collect::<Vec<_>>()
                .join(", "),
            width - 2,
        ) {
            let _ = writeln!(out, "  {line}");
        }
    }
    if !notes.ordered.is_empty() {
        let _ = writeln!(out, "\nSources");
        let num_w = notes.ordered.len().to_string().len() + 2;
        for (i, f) in notes.ordered.iter().enumerate() {
            for (j, line) in wrap(&f.text(), width.saturating_sub(num_w + 3))
                .into_iter()
                .enumerate()
            {
                let label = if j == 0 {
                    format!("[{}]", i + 1)
                } else {
                    String::new()
                };
                let _ = writeln!(out, "  {} {line}", pad(&label, num_w, true));
            }
        }
    }
    Ok(out)
}

fn text_claims(out: &mut String, notes: &Notes<'_>, claims: &ClaimsTable, width: usize) {
    let _ = writeln!(out);
    if let Some(caption) = &claims.caption {
        for line in wrap(caption, width - 2) {
            let _ = writeln!(out, "  {line}");
        }
    }
    let recomputed: Vec<String> = claims
        .rows
        .iter()
        .map(|r| {
            format!(
                "{}{}",
                r.recomputed.as_deref().unwrap_or("—"),
                text_refs(notes, &r.footnotes)
            )
        })
        .collect();
    let asserted_w = claims
        .rows
        .iter()
        .map(|r| display_width(&r.asserted))
        .chain([8])
        .max()
        .unwrap_or(8)
        .min(16);
    let recomputed_w = recomputed
        .iter()
        .map(|r| display_width(r))
        .chain([10])
        .max()
        .unwrap_or(10)
        .min(18);
    let verdict_w = claims
        .rows
        .iter()
        .map(|r| display_width(r.verdict.label()))
        .chain([7])
        .max()
        .unwrap_or(7);
    let longest_claim = claims
        .rows
        .iter()
        .map(|r| display_width(&r.claim))
        .max()
        .unwrap_or(0)
        .max(5);
    let claim_w = width
        .saturating_sub(2 + asserted_w + recomputed_w + verdict_w + 6)
        .max(12)
        .min(longest_claim);
    let _ = writeln!(
        out,
        "  {}  {}  {}  Verdict",
        pad("Claim", claim_w, false),
        pad("Asserted", asserted_w, true),
        pad("Recomputed", recomputed_w, true),
    );
    let _ = writeln!(
        out,
        "  {}",
        "─".repeat(claim_w + asserted_w + recomputed_w + verdict_w + 6)
    );
    for (row, recomputed) in claims.rows.iter().zip(&recomputed) {
        let claim_lines = wrap(&row.claim, claim_w);
        let asserted = wrap(&row.asserted, asserted_w);
        let recomputed = wrap(recomputed, recomputed_w);
        let n = claim_lines.len().max(asserted.len()).max(recomputed.len());
        for i in 0..n {
            let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
            let verdict = if i == 0 { row.verdict.label() } else { "" };
            let line = format!(
                "  {}  {}  {}  {}",
                pad(&get(&claim_lines), claim_w, false),
                pad(&get(&asserted), asserted_w, true),
                pad(&get(&recomputed), recomputed_w, true),
                verdict
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
        if let Some(note) = &row.note {
            for line in wrap(note, claim_w.saturating_sub(2).max(10)) {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    for line in wrap(&verdict_summary(&claims.rows), width - 2) {
        let _ = writeln!(out, "  {line}");
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

/// A document with every block type and chart type, for tests (this module's and
/// `tests/browser.rs`) and as an example of the API. Its numbers are illustrative
/// placeholders close to the 2024 data, not computed: a brief must build its own.
#[doc(hidden)]
pub fn sample_document() -> Document {
    use crate::svg::{
        Bar, ChartDate, ChartText, ColumnChart, DotPlot, EventMarker, GroupedBarChart, HBarChart,
        LineChart, LineSeries, LineShape, Series, StackedBarChart, ValueFormat,
    };
    let d = |y, m, day| ChartDate::new(y, m, day).expect("valid date");
    let source_census = "Source: U.S. Census Bureau, FT-900 (2024), goods, Census basis.";

    let deficits = HBarChart {
        axis_label: Some("US$ billion".into()),
        ..HBarChart::new(
            ChartText::new(
                "Japan has the 7th-largest U.S. goods deficit",
                "U.S. goods trade balance with its ten largest deficit partners in 2024.",
            )
            .with_subtitle("U.S. goods trade balance by partner, 2024, US$ billion")
            .with_source(source_census),
            vec![
                Bar::new("China", -295.4),
                Bar::new("European Union", -235.6),
                Bar::new("Mexico", -171.8),
                Bar::new("Vietnam", -123.5),
                Bar::new("Ireland", -86.7),
                Bar::new("Germany", -84.8),
                Bar::highlighted("Japan", -68.5),
                Bar::new("Korea, South", -66.0),
                Bar::new("Canada", -63.3),
            ],
            ValueFormat::UsdBn { decimals: 1 },
        )
    };
    let balance = ColumnChart {
        axis_label: Some("US$ billion".into()),
        ..ColumnChart::new(
            ChartText::new(
                "The deficit with Japan has hovered near $70 bn for a decade",
                "U.S. goods balance with Japan, 2015–2024.",
            )
            .with_subtitle("U.S. goods trade balance with Japan, US$ billion")
            .with_source(source_census),
            [
                (2015, -68.6),
                (2016, -68.8),
                (2017, -68.8),
                (2018, -67.2),
                (2019, -69.0),
                (2020, -55.4),
                (2021, -60.2),
                (2022, -67.9),
                (2023, -71.2),
                (2024, -68.5),
            ]
            .iter()
            .map(|(y, v)| {
                if *y == 2024 {
                    Bar::highlighted(y.to_string(), *v)
                } else {
                    Bar::new(y.to_string(), *v)
                }
            })
            .collect(),
            ValueFormat::Number { decimals: 1 },
        )
    };
    let mut japan = LineSeries::new(
        "Japan",
        vec![
            (d(2025, 1, 1), 1.5),
            (d(2025, 3, 12), 2.6),
            (d(2025, 4, 3), 6.9),
            (d(2025, 4, 5), 11.6),
            (d(2025, 8, 7), 16.4),
            (d(2025, 9, 16), 14.8),
        ],
        LineShape::Step,
    );
    japan.color = Some(crate::svg::palette::HIGHLIGHT.into());
    let mut all = LineSeries::new(
        "All partners",
        vec![
            (d(2025, 1, 1), 2.4),
            (d(2025, 3, 4), 5.3),
            (d(2025, 4, 9), 24.8),
            (d(2025, 5, 14), 14.9),
            (d(2025, 8, 7), 17.3),
            (d(2026, 6, 30), 16.6),
        ],
        LineShape::Step,
    );
    all.color = Some(crate::svg::palette::PRIMARY.into());
    let mut tariff = LineChart::new(
        ChartText::new("Japan's effective U.S. tariff rate rose sevenfold in 2025", "Calculated duty over import value on U.S. imports from Japan at 2024 trade weights.")
            .with_subtitle("Effective tariff rate, percent, at 2024 import weights")
            .with_source("Source: kanzei tariff engine on USITC HTS and Federal Register actions; 2024 U.S. imports for consumption."),
        vec![japan, all],
        vec![
            EventMarker::new(d(2025, 3, 12), "Steel & aluminium 25%"),
            EventMarker::new(d(2025, 4, 3), "Autos 25% (s. 232)"),
            EventMarker::new(d(2025, 4, 5), "10% baseline"),
            EventMarker::new(d(2025, 8, 7), "Reciprocal 15%"),
            EventMarker::new(d(2025, 9, 16), "Autos cut to 15%"),
        ],
        ValueFormat::Percent { decimals: 1 },
    );
    tariff.x_start = Some(d(2025, 1, 1));
    tariff.x_end = Some(d(2026, 6, 30));
    let exposure = StackedBarChart {
        axis_label: Some("US$ billion of 2024 imports".into()),
        ..StackedBarChart::new(
            ChartText::new("Most imports from Japan face the reciprocal tariff", "2024 U.S. imports from Japan by the legal authority of the tariff in force on 30 June 2026.")
                .with_subtitle("U.S. imports from Japan by tariff authority in force on 30 Jun 2026, US$ billion")
                .with_source("Source: kanzei tariff engine; U.S. Census Bureau imports for consumption, 2024."),
            vec!["Japan".into(), "Korea".into(), "Mexico".into()],
            vec![
                Series::new("Section 232 (autos, metals)", vec![62.1, 48.3, 95.0]),
                Series::new("IEEPA reciprocal", vec![71.4, 52.2, 20.1]),
                Series::new("Exempt or MFN only", vec![14.6, 31.0, 390.7]),
            ],
            ValueFormat::Number { decimals: 0 },
        )
    };
    let mut welfare = GroupedBarChart::new(
        ChartText::new(
            "Retaliation deepens losses for everyone but leaves Japan's nearly unchanged",
            "Change in real income under the 2025 tariffs, with and without retaliation.",
        )
        .with_subtitle("Change in real income, percent (Caliendo–Parro model, 2014 base)")
        .with_source(
            "Source: kanzei GE model (Caliendo & Parro 2015) on its 31-country, 40-sector data.",
        ),
        [
            "Japan",
            "United States",
            "China",
            "Canada",
            "Mexico",
            "Korea",
        ]
        .map(String::from)
        .to_vec(),
        vec![
            Series::new(
                "No retaliation",
                vec![-0.12, 0.08, -0.35, -0.90, -1.41, -0.20],
            ),
            Series::new(
                "China and Canada retaliate",
                vec![-0.13, -0.21, -0.41, -1.10, -1.58, -0.22],
            ),
        ],
        ValueFormat::Percent { decimals: 2 },
    );
    welfare.highlight_categories = vec!["Japan".into()];
    let dots = DotPlot::new(
        ChartText::new(
            "Tariffs on Japan's main exports, before and after",
            "Effective rate by product group, 2024 and 30 June 2026.",
        )
        .with_subtitle("Effective tariff rate, percent")
        .with_source("Source: kanzei tariff engine; 2024 import weights."),
        vec![
            "Passenger cars (8703)".into(),
            "Vehicle parts (8708)".into(),
            "Machinery (84)".into(),
            "Electrical (85)".into(),
            "Steel (72–73)".into(),
        ],
        vec![
            Series::new("2024", vec![2.5, 1.9, 0.9, 1.1, 0.4]),
            Series::new("Jun 2026", vec![15.0, 15.0, 15.4, 15.3, 50.0]),
        ],
        ValueFormat::Percent { decimals: 0 },
    );

    let figure =
        |svg: Result<String, crate::svg::ChartError>, caption: &str, file: &str, note: &str| {
            Block::Chart(Figure {
                svg: svg.expect("sample chart renders"),
                caption: caption.into(),
                file_name: file.into(),
                footnotes: vec![note.into()],
            })
        };

    let mut trade = Section::new("trade", "Trade: the numbers behind the deficit");
    trade
        .push(Block::KeyFigures(vec![
            KeyFigure::new("$227.9 bn", "U.S.–Japan goods trade, 2024", "census"),
            KeyFigure { detail: Some("7th largest U.S. deficit".into()), ..KeyFigure::new("−$68.5 bn", "U.S. goods balance with Japan", "census") },
            KeyFigure::new("34.4%", "Vehicles and parts in U.S. imports from Japan", "hs10"),
            KeyFigure::new("1.5%", "Average U.S. duty on imports from Japan, 2024", "hs10"),
        ]))
        .push(Block::paragraph(
            "The United States bought **$148.2 bn** of goods from Japan in 2024 and sold it $79.7 bn[^census]. The gap, *$68.5 bn*, \
             ranks seventh among U.S. bilateral deficits — close to the bulletin's $68 bn — and has barely moved in ten years[^census]. \
             Escaping check: AT&T <b>not bold</b> \"quoted\".",
        ))
        .push(figure(deficits.render(), "Japan's deficit is a quarter of China's and close to Korea's and Canada's.", "fig-1-deficits.svg", "census"))
        .push(figure(balance.render(), "Only the pandemic year broke the pattern.", "fig-2-balance.svg", "census"))
        .push(sample_chapter_table());

    let mut tariffs = Section::new("tariffs", "Tariffs: what Japan pays at the U.S. border");
    tariffs
        .push(Block::paragraph("Japan's effective rate climbed in steps through 2025[^engine]."))
        .push(figure(tariff.render(), "Each step is a proclamation or executive order; the rate is held at 2024 trade weights.", "fig-3-tariff-timeline.svg", "engine"))
        .push(figure(exposure.render(), "Section 232 covers autos and metals; IEEPA covers most of the rest.", "fig-4-exposure.svg", "engine"))
        .push(figure(dots.render(), "Steel faces 50%; cars and parts 15% under the July 2025 deal.", "fig-5-products.svg", "engine"))
        .push(Block::Callout(Callout::new(
            CalloutKind::KeyPoint,
            None,
            "At 2024 weights the deal's 15% ceiling leaves Japan's average rate *below* the all-partner average[^engine].",
        )));

    let mut effects = Section::new("effects", "Effects: who gains and who loses");
    effects
        .push(figure(
            welfare.render(),
            "Welfare is the equivalent variation in real income.",
            "fig-6-welfare.svg",
            "cp2015",
        ))
        .push(Block::Callout(Callout::new(
            CalloutKind::Caveat,
            Some("Model data"),
            "The GE model runs on 2014 data and does not see 2024's trade pattern[^cp2015].",
        )));

    Document {
        title: "Tariffs and the U.S.–Japan alliance, 2025–26".into(),
        subtitle: Some("What the data say about trade, tariffs and the costs of retaliation — every number recomputed".into()),
        metadata: Metadata {
            kanzei_version: "0.1.0".into(),
            scenario: "us-japan-2025".into(),
            date: "2026-06-30".into(),
            data_source: "U.S. Census Bureau; Japan MOF; IMF WEO; USITC HTS".into(),
        },
        sections: vec![trade, tariffs, effects, sample_claims()],
        footnotes: sample_footnotes(),
    }
}


/// The sample's table of U.S. imports from Japan by chapter.
fn sample_chapter_table() -> Block {
    Block::Table(Table {
        caption: Some("U.S. imports from Japan by HS chapter, 2024".into()),
        note: Some("Imports for consumption, customs value.".into()),
        footnotes: vec!["hs10".into()],
        ..Table::new(
            vec!["HS".into(), "Chapter".into(), "US$ bn".into(), "Share".into()],
            vec![
                vec!["87".into(), "Vehicles other than railway".into(), "51.0".into(), "34.4%".into()],
                vec!["84".into(), "Nuclear reactors, boilers, machinery".into(), "33.1".into(), "22.3%".into()],
                vec!["85".into(), "Electrical machinery and equipment".into(), "15.6".into(), "10.5%".into()],
                vec!["90".into(), "Optical, photographic, medical instruments".into(), "8.9".into(), "6.0%".into()],
                vec!["—".into(), "All other".into(), "39.6".into(), "26.8%".into()],
            ],
        )
    })
}

/// The sample's claims section: one row per verdict.
fn sample_claims() -> Section {
    let mut claims = Section::new("claims", "Claims checked");
    claims.push(Block::Claims(ClaimsTable {
        caption: Some("The bulletin's quantitative claims, recomputed".into()),
        rows: vec![
            ClaimRow {
                claim: "U.S.–Japan goods trade was $228 bn".into(),
                asserted: "$228 bn".into(),
                recomputed: Some("$227.9 bn".into()),
                verdict: Verdict::Confirmed,
                note: None,
                footnotes: vec!["census".into()],
            },
            ClaimRow {
                claim: "The U.S. deficit with Japan was $68 bn, the 7th largest".into(),
                asserted: "$68 bn".into(),
                recomputed: Some("$68.5 bn".into()),
                verdict: Verdict::Confirmed,
                note: None,
                footnotes: vec!["census".into()],
            },
            ClaimRow {
                claim: "Autos are about 20% of Japan's exports".into(),
                asserted: "20%".into(),
                recomputed: Some("17.3%".into()),
                verdict: Verdict::Differs,
                note: Some("MOF motor vehicles only; with parts 21.9%".into()),
                footnotes: vec!["mof".into()],
            },
            ClaimRow {
                claim: "Japan pledged $1 trillion of investment in the U.S.".into(),
                asserted: "$1 tn".into(),
                recomputed: None,
                verdict: Verdict::NoData,
                note: Some("No investment flow data in kanzei".into()),
                footnotes: vec![],
            },
            ClaimRow {
                claim: "Host-nation support is about $2 bn a year".into(),
                asserted: "$2 bn".into(),
                recomputed: None,
                verdict: Verdict::StatedParameter,
                note: Some("Budget figure, not trade data".into()),
                footnotes: vec![],
            },
        ],
    }));
    claims
}

/// The sample's footnotes.
fn sample_footnotes() -> Vec<Footnote> {
    vec![
        Footnote { key: "census".into(), dataset: "U.S. Census Bureau, FT-900 U.S. International Trade in Goods and Services".into(), year: "2024".into(), basis: "goods, Census basis, nominal U.S. dollars".into(), note: None },
        Footnote { key: "hs10".into(), dataset: "U.S. Census Bureau, U.S. imports for consumption by HS10".into(), year: "2024".into(), basis: "customs value; duty = calculated duty".into(), note: None },
        Footnote { key: "engine".into(), dataset: "kanzei tariff engine over USITC HTS 2025 revisions".into(), year: "2025–26".into(), basis: "duty over customs value at 2024 weights".into(), note: Some("Stacking rules per EO 14289.".into()) },
        Footnote { key: "cp2015".into(), dataset: "Caliendo & Parro (2015) replication data".into(), year: "2014".into(), basis: "31 countries, 40 sectors".into(), note: None },
        Footnote { key: "mof".into(), dataset: "Ministry of Finance Japan, Trade Statistics".into(), year: "2024".into(), basis: "exports f.o.b., yen".into(), note: None },
        Footnote { key: "weo".into(), dataset: "IMF World Economic Outlook database".into(), year: "October 2025".into(), basis: "NGDP, NGDPD".into(), note: None },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks that every element outside comments is closed in order; returns the element
    /// names seen, or the first mismatch.
    fn check_balanced(html: &str) -> Result<Vec<String>, String> {
        const VOID: [&str; 6] = ["meta", "br", "img", "hr", "link", "input"];
        let mut stack: Vec<String> = Vec::new();
        let mut seen = Vec::new();
        let mut rest = html;
        // The <style> body contains no '<'.
        while let Some(start) = rest.find('<') {
            rest = &rest[start + 1..];
            if rest.starts_with("!--") {
                let end = rest.find("-->").ok_or("unterminated comment")?;
                rest = &rest[end + 3..];
                continue;
            }
            let end = rest.find('>').ok_or("unterminated tag")?;
            let tag = &rest[..end];
            rest = &rest[end + 1..];
            if tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("</{name}> closes nothing"))?;
                if open != name.trim() {
                    return Err(format!("</{name}> closes <{open}>"));
                }
                continue;
            }
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            seen.push(name.clone());
            if tag.ends_with('/') || VOID.contains(&name.as_str()) {
                continue;
            }
            stack.push(name);
        }
        if stack.is_empty() {
            Ok(seen)
        } else {
            Err(format!("unclosed: {stack:?}"))
        }
    }

    #[test]
    fn inline_markup_parses_emphasis_strong_refs_and_escapes() {
        assert_eq!(
            parse_inline(r"A **strong** and *em* claim[^census-2024] \*not em\* [^bad key] *open"),
            vec![
                Inline::Text("A ".into()),
                Inline::Strong("strong".into()),
                Inline::Text(" and ".into()),
                Inline::Emphasis("em".into()),
                Inline::Text(" claim".into()),
                Inline::FootnoteRef("census-2024".into()),
                Inline::Text(" *not em* [^bad key] *open".into()),
            ]
        );
    }

    #[test]
    fn html_is_self_contained_balanced_and_has_every_chart() {
        let doc = sample_document();
        let html = to_html(&doc).unwrap();
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(!html.to_ascii_lowercase().contains("<script"));
        assert!(!html.contains(" src=") && !html.contains("<link"));
        let seen = check_balanced(&html).unwrap();
        for tag in [
            "html", "head", "body", "header", "nav", "main", "section", "figure", "table",
            "footer", "svg",
        ] {
            assert!(seen.iter().any(|s| s == tag), "{tag}");
        }
        let files = doc.chart_files();
        assert_eq!(files.len(), 6);
        assert_eq!(html.matches("<svg role=\"img\" version=\"1.1\" ").count(), 6);
        // Each chart's body is inlined verbatim (only the namespace attribute is dropped).
        for (_, svg) in files {
            let body = &svg[svg.find("<title>").unwrap()..];
            assert!(html.contains(body));
        }
        for i in 1..=6 {
            assert!(html.contains(&format!("<figure class=\"chart\" id=\"fig-{i}\"")));
        }
        // Every section in the contents, in order.
        let toc: Vec<usize> = [
            "href=\"#trade\"",
            "href=\"#tariffs\"",
            "href=\"#effects\"",
            "href=\"#claims\"",
            "href=\"#sources\"",
        ]
        .iter()
        .map(|h| html.find(h).unwrap())
        .collect();
        assert!(toc.windows(2).all(|w| w[0] < w[1]));
        // Escaping in text.
        assert!(html.contains("AT&amp;T &lt;b&gt;not bold&lt;/b&gt; &quot;quoted&quot;"));
        // Verdict badges.
        for (class, label) in [
            ("confirmed", "Confirmed"),
            ("differs", "Differs"),
            ("no-data", "No data"),
            ("stated", "Stated parameter"),
        ] {
            assert!(
                html.contains(&format!("<span class=\"badge {class}\">{label}</span>")),
                "{class}"
            );
        }
        assert!(
            html.contains("5 claims: 2 confirmed, 1 differs, 1 without data, 1 stated parameter.")
        );
        assert!(html.contains("@media print"));
        // En dashes inside words do not break the title.
        assert!(
            html.contains("<h1>Tariffs and the U.S.–\u{2060}Japan alliance, 2025–\u{2060}26</h1>")
        );
        assert!(html.contains("<title>Tariffs and the U.S.–Japan alliance, 2025–26</title>"));
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference_and_every_reference_resolves() {
        let doc = sample_document();
        let html = to_html(&doc).unwrap();
        // census is referenced first, then hs10, engine, cp2015, mof; weo never (listed last).
        let order = [
            "U.S. Census Bureau, FT-900",
            "U.S. Census Bureau, U.S. imports for consumption",
            "kanzei tariff engine",
            "Caliendo &amp; Parro",
            "Ministry of Finance Japan",
            "IMF World Economic Outlook",
        ];
        for (i, dataset) in order.iter().enumerate() {
            let li = format!(
                "<li id=\"fn-{}\"><span class=\"fn-dataset\">{dataset}",
                i + 1
            );
            assert!(html.contains(&li), "{li}");
        }
        // Every reference points at a listed note, every referenced note links back to its
        // first reference, and the unreferenced one has no back link.
        let mut n_refs = 0;
        for part in html.split("<sup class=\"fnref\"><a href=\"#fn-").skip(1) {
            let n: usize = part[..part.find('"').unwrap()].parse().unwrap();
            assert!((1..=6).contains(&n));
            assert!(html.contains(&format!("<li id=\"fn-{n}\">")));
            n_refs += 1;
        }
        assert_eq!(n_refs, 19);
        for n in 1..=5 {
            assert!(html.contains(&format!("id=\"fnref-{n}-1\"")));
            assert!(html.contains(&format!("href=\"#fnref-{n}-1\"")));
        }
        assert!(!html.contains("fnref-6-"));
        // Reference ids are unique.
        let ids: Vec<&str> = html
            .split("id=\"fnref-")
            .skip(1)
            .map(|p| &p[..p.find('"').unwrap()])
            .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(ids.len(), unique.len());
    }

    #[test]
    fn unknown_footnotes_and_bad_structure_are_errors_naming_the_place() {
        let mut doc = sample_document();
        doc.sections[1].blocks[0] = Block::paragraph("See[^census-2023].");
        assert_eq!(
            to_html(&doc).unwrap_err().to_string(),
            "section `tariffs`, block 1 (paragraph): footnote `census-2023` is not defined; defined footnotes: `census`, `hs10`, `engine`, `cp2015`, `mof`, `weo`"
        );
        let mut doc = sample_document();
        doc.sections[2].id = "Effects".into();
        assert_eq!(
            doc.validate().unwrap_err().to_string(),
            "section 3 (`Effects: who gains and who loses`): id `Effects` is invalid; use lower-case ASCII letters, digits and `-`, starting with a letter (`third-countries`)"
        );
        let mut doc = sample_document();
        doc.sections[3].id = "trade".into();
        assert!(doc
            .validate()
            .unwrap_err()
            .to_string()
            .ends_with("id `trade` is invalid; another section already has it"));
        let mut doc = sample_document();
        doc.footnotes.push(doc.footnotes[0].clone());
        assert_eq!(
            doc.validate().unwrap_err().to_string(),
            "footnote `census` is defined twice (entries 1 and 7); keys must be unique"
        );
        let mut doc = sample_document();
        if let Block::Table(t) = &mut doc.sections[0].blocks[4] {
            t.rows[2].pop();
        }
        assert_eq!(
            doc.validate().unwrap_err().to_string(),
            "section `trade`, block 5 (table): row 3 has 3 cells but the table has 4 columns"
        );
        let mut doc = sample_document();
        if let Block::Chart(f) = &mut doc.sections[1].blocks[2] {
            f.file_name = "../fig.svg".into();
        }
        assert_eq!(
            doc.validate().unwrap_err().to_string(),
            "section `tariffs`, block 3 (figure 4): file name `../fig.svg` is invalid; use ASCII letters, digits, `-`, `_` and `.` ending in `.svg` (`fig-1-deficits.svg`)"
        );
        let mut doc = sample_document();
        if let Block::Chart(f) = &mut doc.sections[1].blocks[2] {
            f.svg = f.svg.replace("<title>", "<script>alert(1)</script><title>");
        }
        assert!(doc
            .validate()
            .unwrap_err()
            .to_string()
            .contains("charts must be static SVG"));
    }

    #[test]
    fn table_alignment_detects_numeric_columns() {
        let doc = sample_document();
        let Block::Table(t) = &doc.sections[0].blocks[4] else {
            panic!("sample table")
        };
        // HS codes are digits but not quantities; chapter names are text.
        assert_eq!(
            t.alignments(),
            vec![Align::Left, Align::Left, Align::Right, Align::Right]
        );
        for s in ["$68.5 bn", "−1.2%", "1,234", "≈ 3 pp", "7th", "¥4.1 tn"] {
            assert!(looks_numeric(s), "{s}");
        }
        for s in ["Japan", "HS 87", "2025–26"] {
            assert!(!looks_numeric(s), "{s}");
        }
    }

    #[test]
    fn markdown_refers_to_chart_files_and_resolves_footnotes() {
        let doc = sample_document();
        let md = to_markdown(&doc).unwrap();
        for (file, _) in doc.chart_files() {
            assert!(md.contains(&format!("]({file})")), "{file}");
        }
        assert!(md.contains(
            "![Figure 1: Japan has the 7th-largest U.S. goods deficit](fig-1-deficits.svg)"
        ));
        assert!(md.contains("- **\\$227.9 bn** — U.S.–Japan goods trade, 2024[^1]"));
        assert!(md.contains("| HS | Chapter | US\\$ bn | Share |\n| --- | --- | ---: | ---: |"));
        assert!(md.contains("| Autos are about 20% of Japan's exports | 20% | 17.3%[^5] | Differs | MOF motor vehicles only; with parts 21.9% |"));
        assert!(md.contains("AT&T \\<b\\>not bold\\</b\\>"));
        // Every [^n] used has a definition.
        for n in 1..=6 {
            assert!(md.contains(&format!("\n[^{n}]: ")), "{n}");
        }
        assert!(!md.contains("[^7]"));
        assert!(!md.contains("http"));
    }

    #[test]
    fn text_summary_fits_the_width_and_lists_claims() {
        let doc = sample_document();
        for width in [60, 100] {
            let text = to_text(&doc, width).unwrap();
            for line in text.lines() {
                assert!(
                    line.chars().count() <= width,
                    "{width}: `{line}` is {} wide",
                    line.chars().count()
                );
            }
            assert!(text.contains("$227.9 bn  U.S.–Japan goods trade, 2024[1]"));
            assert!(text.contains("Confirmed") && text.contains("Stated parameter"));
            // Long lines wrap; compare with whitespace collapsed.
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat
                .contains("5 claims: 2 confirmed, 1 differs, 1 without data, 1 stated parameter."));
            assert!(flat.contains("fig-6-welfare.svg"));
            assert!(flat
                .contains("[6] IMF World Economic Outlook database, October 2025; NGDP, NGDPD."));
        }
    }

    #[test]
    fn rendering_is_deterministic() {
        let doc = sample_document();
        assert_eq!(to_html(&doc).unwrap(), to_html(&doc).unwrap());
        assert_eq!(to_markdown(&doc).unwrap(), to_markdown(&doc).unwrap());
    }
}
