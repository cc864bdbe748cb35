//! Trade elasticities from the literature, with their provenance, and the resolver that
//! picks the values the partial-equilibrium models use for a U.S. HS10 code.
//!
//! # Sets
//! | table | source | code | vintage | value used by the models |
//! |---|---|---|---|---|
//! | `bw_hts10` | Broda & Weinstein (2006), `ElasticitiesBrodaWeinstein90-01_HTS` | HTS10 | HTS 1990–2001 | `Es = σ` |
//! | `hauk_em_hs10`, `hauk_em_hs6` | Hauk (2012), `hs10elasticities`, `hs6elasticities` | HS10, HS6 | HTS 1989–2001; HS6 1978–2001 | `Em = −impliedelasticity` |
//! | `hauk_es_hs10`, `hauk_es_hs6` | Hauk (2012), `hs10substitution`, `hs6substitution2` | HS10, HS6 | 1989–2001 | `Es = impliedsigma` |
//! | `protee_hs6` | Fontagné, Guimbard & Orefice (2022), CEPII ProTEE 0.1 | HS6 | HS2007 | `Es = −sigma` |
//!
//! Hauk's readme defines `impliedelasticity` as "own-price elasticity of demand for imports
//! in sector as implied by demandprice" and `impliedsigma` likewise for substitution; in the
//! files both equal `1 − demandprice`, so `impliedelasticity` is the magnitude of a demand
//! elasticity (positive when the sign is right, which the file's `positive` dummy records).
//! ProTEE's `sigma` is the elasticity of bilateral imports (valued before the tariff) to the
//! tariff factor `1 + t`, which under CES demand is `−σ`. Codes in the Broda–Weinstein and
//! Hauk CSVs were stored as numbers, so leading zeros are restored (`101110010.0` →
//! `0101110010`).
//!
//! # Flags
//! Each value keeps the publisher's flags and kanzei's: wrong sign (Hauk `positive = 0`,
//! a non-positive σ, a non-negative ProTEE value; never used), not significant at 10%
//! (Hauk `sigat10per = 0`; used, flagged), σ ≤ 1 (below the CES bound; used, flagged),
//! ProTEE `zero` and `positive` (their meaning is not documented in the staged copy; the
//! values look imputed; used, flagged), missing (blank), and conflicting duplicate rows
//! (neither used).
//!
//! # Resolution
//! [`Resolver::resolve`] takes a U.S. code of any length (HS2022-based HTS) and returns, for
//! `Em`, `Es` and `Ex`, one value with the set, code, vintage, level and flags it came from,
//! plus the trail of every step tried and why it was passed over. The chain for each kind:
//! 1. a user override for the code or its longest overriding prefix ([`ElasticityOverrides`]);
//! 2. the exact HS10 in the set's HS10 table;
//! 3. the HS6: the set's HS6 table, or the median of its HS10 values under that HS6;
//! 4. the median of the set's values under the HS4;
//! 5. the median under the HS2;
//! 6. the documented default ([`Defaults`]): `Em = −1.25` (the GSIM illustration of
//!    Francois & Hall), `Es = 1.5` (WITS SMART's default substitution elasticity),
//!    `Ex = ∞` (WITS SMART's default, written there as 99).
//!
//! Medians rather than means because these sets have heavy tails (Broda–Weinstein σ
//! reaches 4,302 for one HTS line; Hauk's demand elasticities run from −151 to +48).
//!
//! # Vintages
//! No HS2007↔HS2022 (or HTS 1990s↔HTS 2025) correlation table is staged. Codes are
//! therefore matched by their digits, and every such match carries the flag
//! "vintage mismatch assumed stable"; when the digits do not exist in the source, the
//! chain moves up a level. [`Resolver::resolve_all`] reports how much import value each
//! level and set covers, so the reader sees how much rests on exact matches.

pub mod gsim_input;

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use kanzei_core::{Coverage, HsCode, SourceRef};
use serde::Serialize;

use crate::error::DataError;
use crate::read::{self, Table, TableOptions};

pub use kanzei_core::elasticity::ElasticityKind;

/// One staged table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum TableId {
    /// Broda & Weinstein (2006) σ by U.S. HTS10, 1990–2001.
    BwHts10,
    /// Hauk (2012) U.S. import demand, HS10 (1989–2001).
    HaukEmHs10,
    /// Hauk (2012) U.S. import demand, HS6 (1978–2001).
    HaukEmHs6,
    /// Hauk (2012) substitution among U.S. import varieties, HS10 (1989–2001).
    HaukEsHs10,
    /// Hauk (2012) substitution among U.S. import varieties, HS6 (1989–2001, `substitution2`).
    HaukEsHs6,
    /// Fontagné, Guimbard & Orefice (2022), CEPII ProTEE 0.1, HS6 (HS2007).
    ProteeHs6,
}

impl TableId {
    /// Every table.
    pub const ALL: [TableId; 6] =
        [TableId::BwHts10, TableId::HaukEmHs10, TableId::HaukEmHs6, TableId::HaukEsHs10, TableId::HaukEsHs6, TableId::ProteeHs6];

    /// The name used in the snapshot.
    pub fn id(self) -> &'static str {
        match self {
            TableId::BwHts10 => "bw_hts10",
            TableId::HaukEmHs10 => "hauk_em_hs10",
            TableId::HaukEmHs6 => "hauk_em_hs6",
            TableId::HaukEsHs10 => "hauk_es_hs10",
            TableId::HaukEsHs6 => "hauk_es_hs6",
            TableId::ProteeHs6 => "protee_hs6",
        }
    }

    /// Parses [`TableId::id`].
    pub fn from_id(text: &str) -> Option<TableId> {
        TableId::ALL.into_iter().find(|t| t.id() == text)
    }

    /// The kind of elasticity the table holds.
    pub fn kind(self) -> ElasticityKind {
        match self {
            TableId::HaukEmHs10 | TableId::HaukEmHs6 => ElasticityKind::ImportDemand,
            _ => ElasticityKind::Substitution,
        }
    }

    /// Code length.
    pub fn digits(self) -> usize {
        match self {
            TableId::BwHts10 | TableId::HaukEmHs10 | TableId::HaukEsHs10 => 10,
            _ => 6,
        }
    }

    /// A citable label for result tables.
    pub fn set_label(self) -> &'static str {
        match self {
            TableId::BwHts10 => "Broda & Weinstein (2006), U.S. σ by HTS10",
            TableId::HaukEmHs10 => "Hauk (2012), U.S. import demand, HS10",
            TableId::HaukEmHs6 => "Hauk (2012), U.S. import demand, HS6",
            TableId::HaukEsHs10 => "Hauk (2012), U.S. substitution, HS10",
            TableId::HaukEsHs6 => "Hauk (2012), U.S. substitution, HS6",
            TableId::ProteeHs6 => "Fontagné, Guimbard & Orefice (2022), CEPII ProTEE 0.1, HS6",
        }
    }

    /// The nomenclature and period of the codes.
    pub fn vintage(self) -> &'static str {
        match self {
            TableId::BwHts10 => "HTS 1990–2001",
            TableId::HaukEmHs10 | TableId::HaukEsHs10 => "HTS 1989–2001",
            TableId::HaukEmHs6 => "HS6 1978–2001",
            TableId::HaukEsHs6 => "HS6 1989–2001",
            TableId::ProteeHs6 => "HS2007",
        }
    }

    /// The staged file, relative to the raw data folder.
    pub fn raw_path(self) -> &'static str {
        match self {
            TableId::BwHts10 => "broda_weinstein_elasticities/derived_csv/ElasticitiesBrodaWeinstein90-01_HTS.csv",
            TableId::HaukEmHs10 => "hauk_2012_us_trade_elasticities/derived_csv/imports/hs10imports/hs10elasticities.csv",
            TableId::HaukEmHs6 => "hauk_2012_us_trade_elasticities/derived_csv/imports/hs6imports/hs6elasticities.csv",
            TableId::HaukEsHs10 => "hauk_2012_us_trade_elasticities/derived_csv/imports/hs10imports/hs10substitution.csv",
            TableId::HaukEsHs6 => "hauk_2012_us_trade_elasticities/derived_csv/imports/hs6imports/hs6substitution2.csv",
            TableId::ProteeHs6 => "cepii_protee_fgo2022_elasticities/ProTEE_0_1.csv",
        }
    }

    /// Source reference for footnotes.
    pub fn source(self) -> SourceRef {
        let (publisher, citation) = match self {
            TableId::BwHts10 => (
                "C. Broda and D. Weinstein (Columbia University), via the R package concordance",
                "Broda, C. & Weinstein, D. (2006) \"Globalization and the Gains from Variety\", QJE 121(2)",
            ),
            TableId::ProteeHs6 => (
                "CEPII",
                "Fontagné, L., Guimbard, H. & Orefice, G. (2022) \"Product-Level Trade Elasticities\", JIE 137, 103593",
            ),
            _ => (
                "W. Hauk (BillHauk/tradeelasticityestimates)",
                "Hauk, W. (2012) \"U.S. Import and Export Elasticities: A Panel Data Approach\", Empirical Economics",
            ),
        };
        SourceRef {
            dataset: self.id().into(),
            publisher: publisher.into(),
            citation: citation.into(),
            basis: format!("{} elasticity, {}", self.kind().name(), self.vintage()),
            period: self.vintage().into(),
        }
    }
}

/// Flags on one value (a bit set). Serialises as its letters (see [`Flags::letters`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(u16);

impl Serialize for Flags {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.letters())
    }
}

impl Flags {
    /// The source marks the value as having the wrong sign, or its sign is wrong for the
    /// kind. Never used.
    pub const WRONG_SIGN: Flags = Flags(1);
    /// Hauk: not significantly different from zero at 10% (`sigat10per = 0`). Used, flagged.
    pub const NOT_SIGNIFICANT: Flags = Flags(2);
    /// A substitution elasticity at or below 1, the CES lower bound. Used, flagged.
    pub const BELOW_CES_BOUND: Flags = Flags(4);
    /// ProTEE `zero = 1`. Used, flagged.
    pub const PROTEE_ZERO: Flags = Flags(8);
    /// ProTEE `positive = 1`. Used, flagged.
    pub const PROTEE_POSITIVE: Flags = Flags(16);
    /// No value in the source. Never used.
    pub const MISSING: Flags = Flags(32);
    /// The code appears more than once with different values. Never used.
    pub const DUPLICATE: Flags = Flags(64);

    const LETTERS: [(Flags, char, &'static str); 7] = [
        (Flags::WRONG_SIGN, 'W', "wrong sign in source"),
        (Flags::NOT_SIGNIFICANT, 'N', "not significant at 10% (Hauk sigat10per = 0)"),
        (Flags::BELOW_CES_BOUND, 'B', "σ <= 1, below the CES bound"),
        (Flags::PROTEE_ZERO, 'Z', "ProTEE flag `zero` = 1 (meaning undocumented in the staged copy; value looks imputed)"),
        (Flags::PROTEE_POSITIVE, 'P', "ProTEE flag `positive` = 1 (meaning undocumented in the staged copy; value looks imputed)"),
        (Flags::MISSING, 'M', "no value in source"),
        (Flags::DUPLICATE, 'D', "code appears twice in source with different values"),
    ];

    /// No flags.
    pub fn empty() -> Flags {
        Flags(0)
    }

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Sets the flags of `other`.
    pub fn insert(&mut self, other: Flags) {
        self.0 |= other.0;
    }

    /// Whether a value with these flags may be used.
    pub fn usable(self) -> bool {
        self.0 & (Flags::WRONG_SIGN.0 | Flags::MISSING.0 | Flags::DUPLICATE.0) == 0
    }

    /// Whether no flag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Compact letters for the snapshot (`WN`).
    pub fn letters(self) -> String {
        Flags::LETTERS.iter().filter(|(f, _, _)| self.contains(*f)).map(|(_, c, _)| *c).collect()
    }

    /// Parses [`Flags::letters`].
    pub fn from_letters(text: &str) -> Option<Flags> {
        let mut flags = Flags::empty();
        for ch in text.chars() {
            let (flag, _, _) = Flags::LETTERS.iter().find(|(_, c, _)| *c == ch)?;
            flags.insert(*flag);
        }
        Some(flags)
    }

    /// Each flag in words.
    pub fn describe(self) -> Vec<String> {
        Flags::LETTERS.iter().filter(|(f, _, _)| self.contains(*f)).map(|(_, _, d)| (*d).to_string()).collect()
    }
}

/// One published value.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// The code's digits as an integer (`0101110010` → 101110010); the table fixes the length.
    pub code: u64,
    /// The number as published (`σ`, `impliedelasticity`, `impliedsigma` or ProTEE `sigma`);
    /// NaN when missing.
    pub published: f64,
    /// The value in the models' sign convention; NaN when missing.
    pub value: f64,
    /// Flags.
    pub flags: Flags,
    /// The published standard error of the estimate (Hauk's `sedemandprice`, the SE of
    /// `demandprice`, hence of the implied elasticity `1 − demandprice`); NaN where the
    /// source gives none (Broda–Weinstein, ProTEE).
    pub se: f64,
}

impl Entry {
    /// Converts a published number into the models' convention and sets the sign flags.
    /// `flags` carries the source's own flags (Hauk `positive`, ProTEE `zero`/`positive`).
    pub fn from_published(table: TableId, code: u64, published: Option<f64>, mut flags: Flags) -> Entry {
        let Some(published) = published else {
            flags.insert(Flags::MISSING);
            return Entry { code, published: f64::NAN, value: f64::NAN, flags, se: f64::NAN };
        };
        let value = match table {
            TableId::HaukEmHs10 | TableId::HaukEmHs6 => -published,
            TableId::ProteeHs6 => -published,
            TableId::BwHts10 | TableId::HaukEsHs10 | TableId::HaukEsHs6 => published,
        };
        if table.kind().check(value).is_err() || (table.kind() == ElasticityKind::Substitution && value == 0.0) {
            flags.insert(Flags::WRONG_SIGN);
        } else if table.kind() == ElasticityKind::Substitution && value <= 1.0 {
            flags.insert(Flags::BELOW_CES_BOUND);
        }
        Entry { code, published, value, flags, se: f64::NAN }
    }

    /// The code as an [`HsCode`] of `digits` digits (the table's length).
    pub fn hs(&self, digits: usize) -> Result<HsCode, kanzei_core::HsCodeError> {
        HsCode::parse(&format!("{:0width$}", self.code, width = digits))
    }
}

/// One staged table, sorted by code, one entry per code.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ElasticityTable {
    /// Which table.
    pub id: TableId,
    /// Entries sorted by code.
    pub entries: Vec<Entry>,
    /// Rows read, kept and set aside (value column = row count).
    pub coverage: Coverage,
}

impl ElasticityTable {
    /// The entry for exact digits.
    pub fn get(&self, code: u64) -> Option<&Entry> {
        self.entries.binary_search_by_key(&code, |e| e.code).ok().map(|idx| &self.entries[idx])
    }

    /// How many entries carry each flag, in words.
    pub fn flag_counts(&self) -> Vec<(String, usize)> {
        Flags::LETTERS
            .iter()
            .map(|(flag, _, words)| ((*words).to_string(), self.entries.iter().filter(|e| e.flags.contains(*flag)).count()))
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    /// Sorts rows by code and resolves repeated codes: identical repeats are dropped,
    /// conflicting ones become one entry flagged [`Flags::DUPLICATE`] with no value.
    fn finish(id: TableId, mut rows: Vec<(Entry, u64)>, mut coverage: Coverage) -> ElasticityTable {
        rows.sort_by_key(|(entry, line)| (entry.code, *line));
        let mut entries: Vec<Entry> = Vec::with_capacity(rows.len());
        let mut idx = 0;
        while idx < rows.len() {
            let mut end = idx + 1;
            while end < rows.len() && rows[end].0.code == rows[idx].0.code {
                end += 1;
            }
            let first = rows[idx].0;
            let group = &rows[idx..end];
            let same = group.iter().all(|(e, _)| e.published.to_bits() == first.published.to_bits() && e.flags == first.flags);
            if group.len() == 1 || same {
                entries.push(first);
                for (_, line) in &group[1..] {
                    coverage.move_to_rejected("repeated row with the same value", *line);
                }
            } else {
                let mut flags = first.flags;
                flags.insert(Flags::DUPLICATE);
                entries.push(Entry { code: first.code, published: f64::NAN, value: f64::NAN, flags, se: f64::NAN });
                let values: Vec<String> = group.iter().map(|(e, _)| format!("{}", e.published)).collect();
                for (_, line) in group {
                    coverage.move_to_rejected(
                        &format!("code repeated with different values ({}); neither used", values.join(" vs ")),
                        *line,
                    );
                }
            }
            idx = end;
        }
        ElasticityTable { id, entries, coverage }
    }
}

/// Rejection bookkeeping for [`Coverage`] where the value column is a row count.
trait RowCoverage {
    /// A row already counted as kept is set aside under `reason` instead.
    fn move_to_rejected(&mut self, reason: &str, line: u64);
}

impl RowCoverage for Coverage {
    fn move_to_rejected(&mut self, reason: &str, line: u64) {
        self.rows_read -= 1;
        self.rows_kept -= 1;
        self.value_in -= 1.0;
        self.value_kept -= 1.0;
        self.reject(reason, 1.0, || format!("line {line}"));
    }
}

/// Parses a code column of a numeric export: `101110010.0` → `0101110010`.
fn numeric_code(text: &str, digits: usize) -> Result<u64, String> {
    let trimmed = text.trim();
    let integer = trimmed.strip_suffix(".0").unwrap_or(trimmed);
    let code = HsCode::parse_padded(integer, digits).map_err(|e| e.to_string())?;
    if code.len() != digits {
        return Err(format!("`{integer}` has {} digits; this column holds HS{digits} codes", code.len()));
    }
    Ok(code.value())
}

fn dummy(row: &crate::read::Row<'_>, idx: usize) -> Result<Option<bool>, DataError> {
    Ok(row.opt_f64(idx)?.map(|v| v != 0.0))
}

/// Parses one staged table from a reader; `file` names it in messages.
///
/// Codes that are not valid codes of the table's length are set aside in the coverage
/// (Hauk's HS6 files contain `9999`, which is not an HS6 code); malformed numbers are
/// errors naming the file, line and column.
pub fn parse_table<R: Read>(id: TableId, file: &str, source: R) -> Result<ElasticityTable, DataError> {
    let mut table = Table::new(file, source, TableOptions::default())?;
    let (code_col, value_col) = match id {
        TableId::BwHts10 => ("hts10", "sigma_1990_2001"),
        TableId::HaukEmHs10 => ("hs10", "impliedelasticity"),
        TableId::HaukEmHs6 => ("hs6", "impliedelasticity"),
        TableId::HaukEsHs10 => ("hs10", "impliedsigma"),
        TableId::HaukEsHs6 => ("hs6", "impliedsigma"),
        TableId::ProteeHs6 => ("HS6", "sigma"),
    };
    let cols = table.require(&[code_col, value_col])?;
    let se_col: Option<usize> = match id {
        TableId::HaukEmHs10 | TableId::HaukEmHs6 | TableId::HaukEsHs10 | TableId::HaukEsHs6 => Some(table.require(&["sedemandprice"])?[0]),
        _ => None,
    };
    let extra: Vec<usize> = match id {
        TableId::HaukEmHs10 | TableId::HaukEmHs6 => table.require(&["positive", "sigat10per"])?,
        TableId::ProteeHs6 => table.require(&["zero", "positive"])?,
        _ => Vec::new(),
    };
    let mut coverage = Coverage::new(id.id(), file, "rows (value = row count)");
    let mut rows = Vec::new();
    while let Some(row) = table.next_row()? {
        let code = match numeric_code(row.str(cols[0]), id.digits()) {
            Ok(code) => code,
            Err(message) => {
                coverage.reject(&format!("not an HS{} code", id.digits()), 1.0, || format!("line {}: {message}", row.line()));
                continue;
            }
        };
        let published = row.opt_f64(cols[1])?;
        let mut flags = Flags::empty();
        match id {
            TableId::HaukEmHs10 | TableId::HaukEmHs6 => {
                // Hauk: `positive` = 1 when the implied elasticity has the right sign;
                // `sigat10per` = 1 when it is also significant at 10%.
                if dummy(&row, extra[0])? == Some(false) {
                    flags.insert(Flags::WRONG_SIGN);
                }
                if dummy(&row, extra[1])? == Some(false) {
                    flags.insert(Flags::NOT_SIGNIFICANT);
                }
            }
            TableId::ProteeHs6 => {
                if dummy(&row, extra[0])? == Some(true) {
                    flags.insert(Flags::PROTEE_ZERO);
                }
                if dummy(&row, extra[1])? == Some(true) {
                    flags.insert(Flags::PROTEE_POSITIVE);
                }
            }
            _ => {}
        }
        coverage.keep(1.0);
        let mut entry = Entry::from_published(id, code, published, flags);
        if let Some(col) = se_col {
            entry.se = row.opt_f64(col)?.filter(|v| v.is_finite() && *v >= 0.0).unwrap_or(f64::NAN);
        }
        rows.push((entry, row.line()));
    }
    Ok(ElasticityTable::finish(id, rows, coverage))
}

/// All staged tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ElasticityTables {
    /// The tables, in [`TableId::ALL`] order where present.
    pub tables: Vec<ElasticityTable>,
}

impl ElasticityTables {
    /// Reads every table from a raw data folder laid out like `../shared/data/raw`.
    pub fn load_raw(raw: &Path) -> Result<ElasticityTables, DataError> {
        let mut tables = Vec::new();
        for id in TableId::ALL {
            let path = raw.join(id.raw_path());
            if !path.exists() {
                return Err(DataError::MissingFile {
                    dataset: id.id().into(),
                    dir: raw.to_path_buf(),
                    tried: format!("`{}`", id.raw_path()),
                });
            }
            tables.push(parse_table(id, id.raw_path(), read::open(&path)?)?);
        }
        Ok(ElasticityTables { tables })
    }

    /// One table.
    pub fn table(&self, id: TableId) -> Option<&ElasticityTable> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// The compact snapshot form: `table,code,published,flags`, one row per entry, codes
    /// with their leading zeros, published numbers in shortest round-trip form (empty when
    /// missing), flags as letters (see [`Flags::letters`]). About 52,000 rows; under 0.6 MB
    /// gzipped.
    pub fn to_snapshot_csv(&self) -> String {
        let mut out = String::from("table,code,published,flags,se\n");
        for table in &self.tables {
            let width = table.id.digits();
            for e in &table.entries {
                let published = if e.published.is_nan() { String::new() } else { format!("{}", e.published) };
                let se = if e.se.is_nan() { String::new() } else { format!("{}", e.se) };
                out.push_str(&format!("{},{:0width$},{},{},{se}\n", table.id.id(), e.code, published, e.flags.letters()));
            }
        }
        out
    }

    /// [`ElasticityTables::to_snapshot_csv`], read back and compared entry by entry (code,
    /// flags and value, bit for bit) before it is returned: what a snapshot build writes.
    pub fn to_snapshot_checked(&self, name: &str) -> Result<String, DataError> {
        let csv = self.to_snapshot_csv();
        let back = ElasticityTables::from_snapshot_csv(name, &csv)?;
        for table in &self.tables {
            let same = back.table(table.id).is_some_and(|other| {
                other.entries.len() == table.entries.len()
                    && table.entries.iter().zip(&other.entries).all(|(a, b)| {
                        a.code == b.code
                            && a.flags == b.flags
                            && (a.se.to_bits() == b.se.to_bits() || (a.se.is_nan() && b.se.is_nan()))
                            && (a.value.to_bits() == b.value.to_bits() || (a.value.is_nan() && b.value.is_nan()))
                    })
            });
            if !same {
                return Err(DataError::Reconciliation {
                    what: format!("{name} round trip"),
                    detail: format!("table {} does not read back as written", table.id.id()),
                });
            }
        }
        Ok(csv)
    }

    /// Entries over all tables.
    pub fn n_entries(&self) -> usize {
        self.tables.iter().map(|t| t.entries.len()).sum()
    }

    /// The load coverage of every table.
    pub fn coverage(&self) -> Vec<Coverage> {
        self.tables.iter().map(|t| t.coverage.clone()).collect()
    }

    /// Reads [`ElasticityTables::to_snapshot_csv`] back. Coverage is rebuilt from the rows
    /// (the raw-file coverage is recorded in the snapshot manifest).
    pub fn from_snapshot_csv(file: &str, text: &str) -> Result<ElasticityTables, DataError> {
        let mut table = Table::new(file, text.as_bytes(), TableOptions::default())?;
        let cols = table.require(&["table", "code", "published", "flags", "se"])?;
        let mut by_table: Vec<(TableId, Vec<Entry>, Coverage)> = Vec::new();
        while let Some(row) = table.next_row()? {
            let name = row.str(cols[0]);
            let id = TableId::from_id(name).ok_or_else(|| {
                row.error(
                    cols[0],
                    format!(
                        "`{name}` is not an elasticity table; expected one of {}",
                        TableId::ALL.map(|t| t.id()).join(", ")
                    ),
                )
            })?;
            let code = numeric_code(row.str(cols[1]), id.digits()).map_err(|m| row.error(cols[1], m))?;
            let published = row.opt_f64(cols[2])?;
            let letters = row.str(cols[3]);
            let flags = Flags::from_letters(letters)
                .ok_or_else(|| row.error(cols[3], format!("`{letters}` is not a flag string; expected letters from WNBZPMD")))?;
            // Recompute the value; keep the stored flags (they include the source's own).
            let mut entry = Entry::from_published(id, code, published, flags);
            entry.flags = flags;
            entry.se = row.opt_f64(cols[4])?.unwrap_or(f64::NAN);
            if flags.contains(Flags::DUPLICATE) {
                entry.value = f64::NAN;
            }
            let slot = match by_table.iter().position(|(t, _, _)| *t == id) {
                Some(idx) => idx,
                None => {
                    by_table.push((id, Vec::new(), Coverage::new(id.id(), file, "rows (value = row count)")));
                    by_table.len() - 1
                }
            };
            by_table[slot].1.push(entry);
            by_table[slot].2.keep(1.0);
        }
        let tables = by_table
            .into_iter()
            .map(|(id, mut entries, coverage)| {
                entries.sort_by_key(|e| e.code);
                ElasticityTable { id, entries, coverage }
            })
            .collect();
        Ok(ElasticityTables { tables })
    }
}

/// One user override.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Override {
    /// The code it applies to, with all its descendants.
    pub code: HsCode,
    /// Which elasticity.
    pub kind: ElasticityKind,
    /// The value (models' sign convention).
    pub value: f64,
    /// The user's note (a citation, a reason).
    pub note: String,
    /// Where it was read: `file line N`.
    pub origin: String,
}

/// A user override file: CSV with columns `hs,kind,value,note`.
///
/// `hs` is a code of 2 to 10 digits (the override applies to it and to every longer code
/// under it; the longest matching override wins), `kind` one of `import_demand`/`em`,
/// `substitution`/`es`, `export_supply`/`ex`, `value` a number in the models' sign
/// convention (`inf` allowed for `export_supply`), `note` free text.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ElasticityOverrides {
    /// The overrides in file order.
    pub entries: Vec<Override>,
}

impl ElasticityOverrides {
    /// Parses an override file.
    pub fn parse<R: Read>(file: &str, source: R) -> Result<ElasticityOverrides, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let cols = table.require(&["hs", "kind", "value", "note"])?;
        let mut entries: Vec<Override> = Vec::new();
        while let Some(row) = table.next_row()? {
            let hs_text = row.str(cols[0]);
            let code = HsCode::parse(hs_text).map_err(|e| row.error(cols[0], e.to_string()))?;
            let kind_text = row.str(cols[1]);
            let kind = ElasticityKind::parse(kind_text).ok_or_else(|| {
                row.error(
                    cols[1],
                    format!("`{kind_text}` is not an elasticity kind; expected one of import_demand (em), substitution (es), export_supply (ex)"),
                )
            })?;
            let value_text = row.str(cols[2]);
            let value = match value_text.to_ascii_lowercase().as_str() {
                "inf" | "infinity" | "+inf" => f64::INFINITY,
                _ => row.f64(cols[2])?,
            };
            kind.check(value).map_err(|message| row.error(cols[2], message))?;
            if let Some(previous) = entries.iter().find(|o| o.code == code && o.kind == kind) {
                return Err(row.error(
                    cols[0],
                    format!("{code} {} is already overridden ({}); keep one row per code and kind", kind.name(), previous.origin),
                ));
            }
            entries.push(Override {
                code,
                kind,
                value,
                note: row.str(cols[3]).to_string(),
                origin: format!("{file} line {}", row.line()),
            });
        }
        Ok(ElasticityOverrides { entries })
    }

    /// The most specific override of `kind` covering `code`.
    pub fn find(&self, code: HsCode, kind: ElasticityKind) -> Option<&Override> {
        self.entries
            .iter()
            .filter(|o| o.kind == kind && o.code.len() <= code.len() && code.prefix(o.code.len()).is_some_and(|p| p.value() == o.code.value()))
            .max_by_key(|o| o.code.len())
    }
}

/// The values used when every step of a chain fails.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Defaults {
    /// Default `Em`: −1.25, the value of the GSIM illustration (Francois & Hall 2003).
    pub em: f64,
    /// Default `Es`: 1.5, WITS SMART's default substitution elasticity.
    pub es: f64,
    /// Default `Ex`: infinite, WITS SMART's default (written 99 there).
    pub ex: f64,
}

impl Default for Defaults {
    fn default() -> Defaults {
        Defaults { em: -1.25, es: 1.5, ex: f64::INFINITY }
    }
}

/// Which published set supplies `Es`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub enum SubstitutionSet {
    /// Broda & Weinstein (2006) σ by HTS10 (the default).
    #[default]
    BrodaWeinstein,
    /// Fontagné, Guimbard & Orefice (2022), ProTEE HS6.
    Protee,
    /// Hauk (2012) substitution, HS10 and HS6.
    Hauk,
}

/// Resolver options.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct ResolverConfig {
    /// The set for `Es` (`Em` always comes from Hauk 2012, the only staged U.S. import
    /// demand set; `Ex` from overrides or the default).
    pub substitution: SubstitutionSet,
    /// The defaults at the end of every chain.
    pub defaults: Defaults,
}

/// How a value was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Level {
    /// A user override.
    Override,
    /// The exact HS10 code.
    Hs10,
    /// The HS6 (a native HS6 value, or the median of HS10 values under it).
    Hs6,
    /// The median of the set's values under the HS4.
    Hs4Median,
    /// The median of the set's values under the HS2.
    Hs2Median,
    /// The documented default.
    Default,
}

impl Level {
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Level::Override => "override",
            Level::Hs10 => "exact HS10",
            Level::Hs6 => "HS6",
            Level::Hs4Median => "HS4 median",
            Level::Hs2Median => "HS2 median",
            Level::Default => "default",
        }
    }
}

/// One resolved elasticity with everything about where it came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Resolved {
    /// Which elasticity.
    pub kind: ElasticityKind,
    /// The value (models' sign convention).
    pub value: f64,
    /// The set ("Hauk (2012), U.S. import demand, HS6", "user override", "default").
    pub set: String,
    /// The table, when the value came from one.
    pub table: Option<TableId>,
    /// The code the value is attached to in the source (or the prefix a median is over).
    pub source_code: String,
    /// That code's nomenclature.
    pub vintage: String,
    /// How it was found.
    pub level: Level,
    /// Flags in words: the source's flags, the vintage assumption, median sizes, notes.
    pub flags: Vec<String>,
    /// The source's flags on the value used (empty for overrides, medians and defaults).
    pub source_flags: Flags,
    /// Every step tried before this one and why it was passed over.
    pub trail: Vec<String>,
    /// The published standard error of the value, when it is one source estimate with one
    /// (Hauk's exact HS10 or HS6 values); `None` for medians, overrides and defaults.
    pub se: Option<f64>,
}

/// The three elasticities for one code.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ResolvedProduct {
    /// The code asked for.
    pub code: HsCode,
    /// `Em`.
    pub em: Resolved,
    /// `Es`.
    pub es: Resolved,
    /// `Ex`.
    pub ex: Resolved,
}

impl ResolvedProduct {
    /// The resolved elasticity of one kind.
    pub fn get(&self, kind: ElasticityKind) -> &Resolved {
        match kind {
            ElasticityKind::ImportDemand => &self.em,
            ElasticityKind::Substitution => &self.es,
            ElasticityKind::ExportSupply => &self.ex,
        }
    }
}

/// A median over the usable values under a prefix.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Median {
    value: f64,
    n: usize,
    n_flagged: usize,
}

/// Index over one table: exact lookup plus medians at the coarser levels.
#[derive(Clone, Debug)]
struct TableIndex {
    /// `(prefix length, prefix digits)` → median of usable values.
    medians: HashMap<(usize, u64), Median>,
}

impl TableIndex {
    fn build(table: &ElasticityTable) -> TableIndex {
        let digits = table.id.digits();
        let mut groups: HashMap<(usize, u64), (Vec<f64>, usize)> = HashMap::new();
        for entry in table.entries.iter().filter(|e| e.flags.usable()) {
            for level in [6, 4, 2].into_iter().filter(|&l| l < digits) {
                let prefix = entry.code / 10u64.pow((digits - level) as u32);
                let slot = groups.entry((level, prefix)).or_default();
                slot.0.push(entry.value);
                if !entry.flags.is_empty() {
                    slot.1 += 1;
                }
            }
        }
        let medians = groups
            .into_iter()
            .map(|(key, (mut values, n_flagged))| {
                values.sort_by(f64::total_cmp);
                let n = values.len();
                let value = if n % 2 == 1 { values[n / 2] } else { 0.5 * (values[n / 2 - 1] + values[n / 2]) };
                (key, Median { value, n, n_flagged })
            })
            .collect();
        TableIndex { medians }
    }
}

/// Resolves codes to the elasticities the models use. Build once, query many times.
#[derive(Clone, Debug)]
pub struct Resolver<'a> {
    tables: &'a ElasticityTables,
    overrides: Option<&'a ElasticityOverrides>,
    config: ResolverConfig,
    indexes: HashMap<TableId, TableIndex>,
}

/// One step of a chain: a table consulted at a level.
#[derive(Clone, Copy, Debug)]
enum Step {
    Exact(TableId),
    Median(TableId, usize),
}

const VINTAGE_FLAG: &str = "vintage mismatch assumed stable: code matched to the HS2022-based HTS by its digits, no concordance applied";

impl<'a> Resolver<'a> {
    /// A resolver over staged tables and optional user overrides.
    pub fn new(tables: &'a ElasticityTables, overrides: Option<&'a ElasticityOverrides>, config: ResolverConfig) -> Resolver<'a> {
        let indexes = tables.tables.iter().map(|t| (t.id, TableIndex::build(t))).collect();
        Resolver { tables, overrides, config, indexes }
    }

    fn chain(kind: ElasticityKind, substitution: SubstitutionSet) -> Vec<(Level, Step)> {
        use TableId::*;
        match kind {
            ElasticityKind::ImportDemand => vec![
                (Level::Hs10, Step::Exact(HaukEmHs10)),
                (Level::Hs6, Step::Exact(HaukEmHs6)),
                (Level::Hs4Median, Step::Median(HaukEmHs6, 4)),
                (Level::Hs2Median, Step::Median(HaukEmHs6, 2)),
            ],
            ElasticityKind::Substitution => match substitution {
                SubstitutionSet::BrodaWeinstein => vec![
                    (Level::Hs10, Step::Exact(BwHts10)),
                    (Level::Hs6, Step::Median(BwHts10, 6)),
                    (Level::Hs4Median, Step::Median(BwHts10, 4)),
                    (Level::Hs2Median, Step::Median(BwHts10, 2)),
                ],
                SubstitutionSet::Protee => vec![
                    (Level::Hs6, Step::Exact(ProteeHs6)),
                    (Level::Hs4Median, Step::Median(ProteeHs6, 4)),
                    (Level::Hs2Median, Step::Median(ProteeHs6, 2)),
                ],
                SubstitutionSet::Hauk => vec![
                    (Level::Hs10, Step::Exact(HaukEsHs10)),
                    (Level::Hs6, Step::Exact(HaukEsHs6)),
                    (Level::Hs4Median, Step::Median(HaukEsHs6, 4)),
                    (Level::Hs2Median, Step::Median(HaukEsHs6, 2)),
                ],
            },
            ElasticityKind::ExportSupply => Vec::new(),
        }
    }

    /// The three elasticities for a code (any length; HS2022-based U.S. HTS).
    pub fn resolve(&self, code: HsCode) -> ResolvedProduct {
        ResolvedProduct {
            code,
            em: self.resolve_kind(code, ElasticityKind::ImportDemand),
            es: self.resolve_kind(code, ElasticityKind::Substitution),
            ex: self.resolve_kind(code, ElasticityKind::ExportSupply),
        }
    }

    /// One elasticity for a code.
    pub fn resolve_kind(&self, code: HsCode, kind: ElasticityKind) -> Resolved {
        self.resolve_with(code, kind, self.config.substitution, true)
    }

    fn resolve_with(&self, code: HsCode, kind: ElasticityKind, substitution: SubstitutionSet, use_overrides: bool) -> Resolved {
        let mut trail = Vec::new();
        if let Some(o) = self.overrides.filter(|_| use_overrides).and_then(|set| set.find(code, kind)) {
            let mut flags = vec![format!("override from {}", o.origin)];
            if !o.note.is_empty() {
                flags.push(format!("note: {}", o.note));
            }
            return Resolved {
                kind,
                value: o.value,
                set: "user override".into(),
                table: None,
                source_code: o.code.to_string(),
                vintage: "as given by the user".into(),
                level: Level::Override,
                flags,
                source_flags: Flags::empty(),
                trail,
                se: None,
            };
        }
        for (level, step) in Resolver::chain(kind, substitution) {
            match step {
                Step::Exact(id) => {
                    let digits = id.digits();
                    let label = id.set_label();
                    let Some(prefix) = code.prefix(digits) else {
                        trail.push(format!("{label}: `{code}` has {} digits, fewer than the table's {digits}", code.len()));
                        continue;
                    };
                    let Some(table) = self.tables.table(id) else {
                        trail.push(format!("{label}: table not loaded"));
                        continue;
                    };
                    let shown = format!("{:0digits$}", prefix.value());
                    match table.get(prefix.value()) {
                        None => trail.push(format!("{label}: no entry for {shown} ({})", id.vintage())),
                        Some(entry) if !entry.flags.usable() => trail.push(format!(
                            "{label}: {shown} not used ({})",
                            entry.flags.describe().join("; ")
                        )),
                        Some(entry) => {
                            let mut flags = entry.flags.describe();
                            flags.push(VINTAGE_FLAG.into());
                            return Resolved {
                                kind,
                                value: entry.value,
                                set: label.into(),
                                table: Some(id),
                                source_code: shown,
                                vintage: id.vintage().into(),
                                level,
                                flags,
                                source_flags: entry.flags,
                                trail,
                                se: Some(entry.se).filter(|v| v.is_finite()),
                            };
                        }
                    }
                }
                Step::Median(id, len) => {
                    let label = id.set_label();
                    let Some(prefix) = code.prefix(len) else {
                        trail.push(format!("{label}: `{code}` has fewer than {len} digits"));
                        continue;
                    };
                    let shown = format!("{:0len$}", prefix.value());
                    match self.indexes.get(&id).and_then(|index| index.medians.get(&(len, prefix.value()))) {
                        None => trail.push(format!("{label}: no usable value under HS{len} {shown}")),
                        Some(median) => {
                            let mut flags = vec![format!(
                                "median of {} usable {} values under {shown}{}",
                                median.n,
                                id.vintage(),
                                if median.n_flagged > 0 { format!(" ({} of them flagged)", median.n_flagged) } else { String::new() }
                            )];
                            flags.push(VINTAGE_FLAG.into());
                            return Resolved {
                                kind,
                                value: median.value,
                                set: label.into(),
                                table: Some(id),
                                source_code: shown,
                                vintage: id.vintage().into(),
                                level,
                                flags,
                                source_flags: Flags::empty(),
                                trail,
                                se: None,
                            };
                        }
                    }
                }
            }
        }
        let (value, why) = match kind {
            ElasticityKind::ImportDemand => (self.config.defaults.em, "kanzei default (the GSIM illustration of Francois & Hall 2003 uses −1.25)"),
            ElasticityKind::Substitution => (self.config.defaults.es, "kanzei default (WITS SMART's default substitution elasticity is 1.5)"),
            ElasticityKind::ExportSupply => (
                self.config.defaults.ex,
                "kanzei default (WITS SMART assumes infinitely elastic export supply; no export supply set is staged)",
            ),
        };
        Resolved {
            kind,
            value,
            set: "default".into(),
            table: None,
            source_code: String::new(),
            vintage: String::new(),
            level: Level::Default,
            flags: vec![why.into()],
            source_flags: Flags::empty(),
            trail,
            se: None,
        }
    }

    /// Every set's value for a code, each at the best level its own chain reaches (no
    /// defaults), for showing alternatives beside the chosen value.
    pub fn alternatives(&self, code: HsCode) -> Vec<Resolved> {
        let mut out = vec![self.resolve_with(code, ElasticityKind::ImportDemand, self.config.substitution, false)];
        for set in [SubstitutionSet::BrodaWeinstein, SubstitutionSet::Protee, SubstitutionSet::Hauk] {
            out.push(self.resolve_with(code, ElasticityKind::Substitution, set, false));
        }
        out.retain(|r| r.level != Level::Default);
        out
    }

    /// Resolves many codes, each with a weight (import value, USD), and reports how much
    /// value every level and set covers per kind.
    pub fn resolve_all(&self, codes: &[(HsCode, f64)]) -> (Vec<ResolvedProduct>, FallbackReport) {
        let mut rows: Vec<FallbackRow> = Vec::new();
        let mut resolved = Vec::with_capacity(codes.len());
        let total_value: f64 = codes.iter().map(|(_, v)| v).sum();
        for &(code, value) in codes {
            let product = self.resolve(code);
            for kind in ElasticityKind::ALL {
                let r = product.get(kind);
                let flagged = !r.source_flags.is_empty();
                let slot = match rows.iter().position(|row| row.kind == kind && row.level == r.level && row.set == r.set) {
                    Some(idx) => idx,
                    None => {
                        rows.push(FallbackRow { kind, level: r.level, set: r.set.clone(), n_codes: 0, value_usd: 0.0, flagged_value_usd: 0.0 });
                        rows.len() - 1
                    }
                };
                rows[slot].n_codes += 1;
                rows[slot].value_usd += value;
                if flagged {
                    rows[slot].flagged_value_usd += value;
                }
            }
            resolved.push(product);
        }
        rows.sort_by(|a, b| (a.kind, a.level, &a.set).cmp(&(b.kind, b.level, &b.set)));
        (resolved, FallbackReport { n_codes: codes.len(), total_value_usd: total_value, rows })
    }
}

/// Value covered by one (kind, level, set).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FallbackRow {
    /// Which elasticity.
    pub kind: ElasticityKind,
    /// Level reached.
    pub level: Level,
    /// Set used.
    pub set: String,
    /// Codes resolved here.
    pub n_codes: usize,
    /// Their import value, USD.
    pub value_usd: f64,
    /// Of which carrying a source flag (not significant, σ <= 1, ProTEE flags), USD.
    pub flagged_value_usd: f64,
}

/// How much value each fallback level covers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FallbackReport {
    /// Codes resolved.
    pub n_codes: usize,
    /// Their total import value, USD.
    pub total_value_usd: f64,
    /// One row per kind, level and set.
    pub rows: Vec<FallbackRow>,
}

impl FallbackReport {
    /// The share of value (percent) resolved at `level` for `kind`, any set.
    pub fn value_share_pct(&self, kind: ElasticityKind, level: Level) -> f64 {
        let value: f64 = self.rows.iter().filter(|r| r.kind == kind && r.level == level).map(|r| r.value_usd).sum();
        if self.total_value_usd == 0.0 { 0.0 } else { 100.0 * value / self.total_value_usd }
    }
}

impl fmt::Display for FallbackReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "elasticity fallback coverage: {} codes, {:.1} USD", self.n_codes, self.total_value_usd)?;
        for row in &self.rows {
            let share = if self.total_value_usd == 0.0 { 0.0 } else { 100.0 * row.value_usd / self.total_value_usd };
            writeln!(
                f,
                "  {} {:<10} {:>6} codes {:>7.3}% of value (flagged {:.3}%)  {}",
                row.kind.symbol(),
                row.level.label(),
                row.n_codes,
                share,
                if self.total_value_usd == 0.0 { 0.0 } else { 100.0 * row.flagged_value_usd / self.total_value_usd },
                row.set
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables() -> ElasticityTables {
        let bw = "hts10,sigma_1990_2001\n101110010,108.18641\n8703230000,2.5\n8703240000,4.5\n8703100000,0.9\n2103204020,66.7\n2103204020,5.47\n";
        let hauk10 = "hs10,impliedelasticity,positive,sigat10per,sedemandprice\n8703230000.0,1.5,1.0,1.0,0.4\n8703240000.0,-0.7,0.0,0.0,0.9\n101110010.0,0.55,1.0,0.0,0.15486974\n";
        let hauk6 = "hs6,impliedelasticity,positive,sigat10per,sedemandprice\n870323.0,1.2,1.0,1.0,0.3\n870324.0,0.8,1.0,0.0,\n870332.0,2.0,1.0,1.0,0.5\n9999.0,1.0,1.0,1.0,0.1\n";
        let protee = "HS6,zero,positive,sigma\n870323,0,0,-9.41\n870324,1,0,-7.44\n010110,1,0,\n";
        ElasticityTables {
            tables: vec![
                parse_table(TableId::BwHts10, "bw.csv", bw.as_bytes()).unwrap(),
                parse_table(TableId::HaukEmHs10, "h10.csv", hauk10.as_bytes()).unwrap(),
                parse_table(TableId::HaukEmHs6, "h6.csv", hauk6.as_bytes()).unwrap(),
                parse_table(TableId::ProteeHs6, "protee.csv", protee.as_bytes()).unwrap(),
            ],
        }
    }

    fn code(text: &str) -> HsCode {
        HsCode::parse(text).unwrap()
    }

    #[test]
    fn hauk_standard_errors_are_kept_and_reach_exact_resolutions_only() {
        let t = tables();
        let h10 = t.table(TableId::HaukEmHs10).unwrap();
        // Hauk's `sedemandprice` for 0101110010 as published (hs10elasticities.csv line 2).
        assert_eq!(h10.get(101110010).unwrap().se, 0.15486974);
        assert!(t.table(TableId::HaukEmHs6).unwrap().get(870324).unwrap().se.is_nan());
        assert!(t.table(TableId::BwHts10).unwrap().get(8703230000).unwrap().se.is_nan());
        let back = ElasticityTables::from_snapshot_csv("s.csv", &t.to_snapshot_checked("s.csv").unwrap()).unwrap();
        assert_eq!(back.table(TableId::HaukEmHs10).unwrap().get(8703230000).unwrap().se, 0.4);
        let resolver = Resolver::new(&t, None, ResolverConfig::default());
        assert_eq!(resolver.resolve(code("8703230000")).em.se, Some(0.4));
        // 8703231000 is not in the HS10 table: Hauk's HS6 value 870323 and its se.
        assert_eq!(resolver.resolve(code("8703231000")).em.se, Some(0.3));
        // Medians and defaults carry none.
        assert_eq!(resolver.resolve(code("8703990000")).em.se, None);
    }

    #[test]
    fn parsing_restores_zeros_converts_signs_and_flags() {
        let t = tables();
        let bw = t.table(TableId::BwHts10).unwrap();
        assert_eq!(bw.entries[0].code, 101110010);
        assert_eq!(bw.entries[0].hs(10).unwrap().to_string(), "0101110010");
        let dup = bw.get(2103204020).unwrap();
        assert!(dup.flags.contains(Flags::DUPLICATE) && dup.value.is_nan());
        assert_eq!(bw.coverage.rows_read, 6);
        assert_eq!(bw.coverage.rows_kept, 4);
        assert!(bw.coverage.reconciles(1e-12));
        assert!(bw.get(8703100000).unwrap().flags.contains(Flags::BELOW_CES_BOUND));
        let h10 = t.table(TableId::HaukEmHs10).unwrap();
        assert_eq!(h10.get(8703230000).unwrap().value, -1.5);
        assert!(h10.get(8703240000).unwrap().flags.contains(Flags::WRONG_SIGN));
        assert!(h10.get(101110010).unwrap().flags.contains(Flags::NOT_SIGNIFICANT));
        let h6 = t.table(TableId::HaukEmHs6).unwrap();
        assert_eq!(h6.coverage.rejected[0].reason, "not an HS6 code");
        assert_eq!(h6.coverage.rejected[0].example.as_deref(), Some("line 5: `9999` has 4 digits; this column holds HS6 codes"));
        let protee = t.table(TableId::ProteeHs6).unwrap();
        assert_eq!(protee.get(870323).unwrap().value, 9.41);
        assert!(protee.get(870324).unwrap().flags.contains(Flags::PROTEE_ZERO));
        assert!(protee.get(10110).unwrap().flags.contains(Flags::MISSING));
    }

    #[test]
    fn the_chain_falls_back_and_says_why() {
        let t = tables();
        let resolver = Resolver::new(&t, None, ResolverConfig::default());
        // Exact HS10 in both Hauk and Broda–Weinstein.
        let p = resolver.resolve(code("8703230000"));
        assert_eq!((p.em.value, p.em.level), (-1.5, Level::Hs10));
        assert_eq!((p.es.value, p.es.level), (2.5, Level::Hs10));
        assert!(p.es.flags.iter().any(|f| f.starts_with("vintage mismatch assumed stable")));
        assert_eq!(p.ex.level, Level::Default);
        assert!(p.ex.value.is_infinite());
        // Hauk HS10 has the wrong sign → HS6 (flagged not significant).
        let p = resolver.resolve(code("8703240000"));
        assert_eq!((p.em.value, p.em.level), (-0.8, Level::Hs6));
        assert_eq!(p.em.trail, vec!["Hauk (2012), U.S. import demand, HS10: 8703240000 not used (wrong sign in source; not significant at 10% (Hauk sigat10per = 0))"]);
        assert!(p.em.flags.contains(&"not significant at 10% (Hauk sigat10per = 0)".to_string()));
        // Not in any HS10 or HS6 table → HS4 median of 8703: Hauk HS6 values −1.2, −0.8, −2.0 → −1.2;
        // Broda–Weinstein HTS10 under 8703: 2.5, 4.5, 0.9 → 2.5.
        let p = resolver.resolve(code("8703800000"));
        assert_eq!((p.em.value, p.em.level), (-1.2, Level::Hs4Median));
        assert_eq!((p.es.value, p.es.level), (2.5, Level::Hs4Median));
        assert_eq!(p.es.flags[0], "median of 3 usable HTS 1990–2001 values under 8703 (1 of them flagged)");
        // Nothing in chapter 99 → defaults, with the whole trail.
        let p = resolver.resolve(code("9903880100"));
        assert_eq!((p.em.value, p.em.level), (-1.25, Level::Default));
        assert_eq!((p.es.value, p.es.level), (1.5, Level::Default));
        assert_eq!(p.es.trail.len(), 4);
        // ProTEE as the substitution set: Es = −σ.
        let protee = Resolver::new(&t, None, ResolverConfig { substitution: SubstitutionSet::Protee, ..ResolverConfig::default() });
        let p = protee.resolve(code("8703230190"));
        assert_eq!((p.es.value, p.es.level, p.es.source_code.as_str()), (9.41, Level::Hs6, "870323"));
        // A missing ProTEE value is reported and skipped.
        let p = protee.resolve(code("0101100000"));
        assert_eq!(p.es.trail[0], "Fontagné, Guimbard & Orefice (2022), CEPII ProTEE 0.1, HS6: 010110 not used (ProTEE flag `zero` = 1 (meaning undocumented in the staged copy; value looks imputed); no value in source)");
    }

    #[test]
    fn overrides_win_and_bad_rows_are_named() {
        let text = "hs,kind,value,note\n8703,es,3.0,autos: Head & Mayer\n870323,em,-2,test\n87,ex,inf,\n";
        let overrides = ElasticityOverrides::parse("over.csv", text.as_bytes()).unwrap();
        let t = tables();
        let resolver = Resolver::new(&t, Some(&overrides), ResolverConfig::default());
        let p = resolver.resolve(code("8703230000"));
        assert_eq!((p.es.value, p.es.level), (3.0, Level::Override));
        assert_eq!((p.em.value, p.em.source_code.as_str()), (-2.0, "870323"));
        assert!(p.ex.value.is_infinite() && p.ex.level == Level::Override);
        assert_eq!(p.es.flags, vec!["override from over.csv line 2", "note: autos: Head & Mayer"]);
        let bad = |body: &str| {
            ElasticityOverrides::parse("over.csv", format!("hs,kind,value,note\n{body}\n").as_bytes()).unwrap_err().to_string()
        };
        assert_eq!(bad("8703,em,1.5,x"), "`over.csv` line 2, column `value`: 1.5 has the wrong sign; an import demand elasticity (Em) must be finite and <= 0");
        assert_eq!(bad("8703,sigma,1.5,x"), "`over.csv` line 2, column `kind`: `sigma` is not an elasticity kind; expected one of import_demand (em), substitution (es), export_supply (ex)");
        assert_eq!(bad("87031,es,1.5,x"), "`over.csv` line 2, column `hs`: `87031` is not an HS code: it has 5 digits, expected 2, 4, 6, 8 or 10");
        assert_eq!(bad("8703,es,abc,x"), "`over.csv` line 2, column `value`: `abc` is not a number");
        assert_eq!(
            bad("8703,es,2,x\n8703,es,3,y"),
            "`over.csv` line 3, column `hs`: 8703 substitution is already overridden (over.csv line 2); keep one row per code and kind"
        );
    }

    #[test]
    fn snapshot_round_trips() {
        let t = tables();
        let csv = t.to_snapshot_checked("elasticities.csv").unwrap();
        assert!(csv.contains("bw_hts10,0101110010,108.18641,,\n"));
        assert!(csv.contains("bw_hts10,2103204020,,D,\n"));
        assert!(csv.contains("hauk_em_hs10,0101110010,0.55,N,0.15486974\n"), "{csv}");
        let back = ElasticityTables::from_snapshot_csv("elasticities.csv", &csv).unwrap();
        for table in &t.tables {
            let other = back.table(table.id).unwrap();
            assert_eq!(table.entries.len(), other.entries.len());
            for (a, b) in table.entries.iter().zip(&other.entries) {
                assert_eq!(a.code, b.code);
                assert_eq!(a.flags, b.flags);
                assert!(a.value.to_bits() == b.value.to_bits() || (a.value.is_nan() && b.value.is_nan()));
            }
        }
        let err = ElasticityTables::from_snapshot_csv("e.csv", "table,code,published,flags,se\nbw,0101,1,,\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`e.csv` line 2, column `table`: `bw` is not an elasticity table; expected one of bw_hts10, hauk_em_hs10, hauk_em_hs6, hauk_es_hs10, hauk_es_hs6, protee_hs6"
        );
    }

    #[test]
    fn fallback_report_adds_up() {
        let t = tables();
        let resolver = Resolver::new(&t, None, ResolverConfig::default());
        let codes = [(code("8703230000"), 100.0), (code("8703240000"), 50.0), (code("9903880100"), 10.0)];
        let (resolved, report) = resolver.resolve_all(&codes);
        assert_eq!(resolved.len(), 3);
        for kind in ElasticityKind::ALL {
            let total: f64 = report.rows.iter().filter(|r| r.kind == kind).map(|r| r.value_usd).sum();
            assert_eq!(total, 160.0);
        }
        assert!((report.value_share_pct(ElasticityKind::ImportDemand, Level::Hs10) - 62.5).abs() < 1e-12);
        // 8703240000 falls to HS6 870324, which is flagged not significant.
        let hs6 = report.rows.iter().find(|r| r.kind == ElasticityKind::ImportDemand && r.level == Level::Hs6).unwrap();
        assert_eq!(hs6.flagged_value_usd, 50.0);
    }
}
