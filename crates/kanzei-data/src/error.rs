//! The data crate's error type.

use std::path::PathBuf;

use kanzei_core::UnknownArea;

/// Everything that can go wrong reading data. Messages name the file, line and column,
/// and say what would have been valid.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be opened or read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path tried.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// None of the files a dataset can be read from exists in the data directory.
    #[error("no file for dataset `{dataset}` in `{dir}`: looked for {tried}\n\nhint: point --data at a folder laid out like ../shared/data/raw (see docs/data.md), or omit --data to use the embedded snapshot")]
    MissingFile {
        /// Dataset id.
        dataset: String,
        /// Directory searched.
        dir: PathBuf,
        /// Relative paths tried, comma-separated.
        tried: String,
    },
    /// The header row is not what the format requires.
    #[error("`{file}` line {line}: header is missing column `{column}`; expected columns: {expected}")]
    Header {
        /// File name.
        file: String,
        /// Line of the header (1-based).
        line: u64,
        /// The first missing column.
        column: String,
        /// All required columns.
        expected: String,
    },
    /// A data row is malformed.
    #[error("`{file}` line {line}, column `{column}`: {message}")]
    Malformed {
        /// File name.
        file: String,
        /// 1-based line number.
        line: u64,
        /// Column name.
        column: String,
        /// What was wrong and what would be valid.
        message: String,
    },
    /// A row has the wrong number of fields.
    #[error("`{file}` line {line}: expected {expected} fields, found {found} (truncated or misquoted row?)")]
    FieldCount {
        /// File name.
        file: String,
        /// 1-based line number.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// The CSV itself could not be parsed (bad quoting, invalid UTF-8).
    #[error("`{file}` line {line}: {message}")]
    Csv {
        /// File name.
        file: String,
        /// 1-based line number, 0 when unknown.
        line: u64,
        /// The parser's message.
        message: String,
    },
    /// A year outside the data was asked for.
    #[error("{dataset} has no data for {year}; it has {available}")]
    YearNotAvailable {
        /// Dataset description.
        dataset: String,
        /// The year asked for.
        year: i32,
        /// The years that exist, e.g. "1985–2025 (2025: Jan–Feb only)".
        available: String,
    },
    /// An area the registry does not know.
    #[error(transparent)]
    UnknownArea(#[from] UnknownArea),
    /// A request the data cannot answer (e.g. exports at HS6).
    #[error("{message}")]
    NotAvailable {
        /// What is missing and what is available instead.
        message: String,
    },
    /// More of a file's value was set aside (unknown partner codes, negative values) than
    /// may be left out without the user's say-so.
    #[error(
        "{dataset}: {pct:.4}% of the value read was set aside, above the {limit_pct}% limit: {reasons}\n\nhint: correct those rows, or pass --allow-set-aside (before the command) to go on without them"
    )]
    SetAside {
        /// Dataset and file.
        dataset: String,
        /// Share of the value read that was set aside, percent.
        pct: f64,
        /// The limit, percent.
        limit_pct: f64,
        /// Each reason with its rows, value and an example.
        reasons: String,
    },
    /// A derived binary table (the pre-indexed tariff data) could not be decoded.
    #[error("{0}\n\nhint: the pre-indexed tariff data is derived from the snapshot; regenerate it with `kanzei data index` (see docs/data.md)")]
    Binary(#[from] kanzei_core::bin::BinError),
    /// A reconciliation failed during a snapshot build.
    #[error("reconciliation failed for {what}: {detail}")]
    Reconciliation {
        /// What was reconciled.
        what: String,
        /// The numbers.
        detail: String,
    },
}

impl DataError {
    /// Wraps an IO error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> DataError {
        DataError::Io { path: path.into(), source }
    }
}
