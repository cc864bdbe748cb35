//! The pre-indexed tariff data: what [`TariffData::derive`] makes of the embedded snapshot
//! (the U.S. import cells and their code table, the base schedule, the tariff inputs, U.S.
//! exports, and the coverage of the two import tables), in the binary form of [`kanzei_core::bin`],
//! LZ4-compressed, shipped as `data/tariff_index.bin` and embedded in the binary.
//!
//! Deriving those tables from the CSVs takes ~150 ms on two cores (most of what a one-shot
//! `tariff rates` spent before compiling); decoding them takes ~30 ms.
//! It is a cache, never a source:
//! - its header holds [`INPUTS_HASH`], a hash of the snapshot files it is derived from and of
//!   the code that derives and encodes it (computed by `build.rs`); an index written by other
//!   code or from other files is not used, and [`TariffData::load`] derives instead — slower,
//!   never different;
//! - `kanzei data index` rewrites it ([`derive_current`]), and the test
//!   `shipped_index_is_current` holds the shipped file byte for byte against a fresh derive,
//!   so a stale index fails CI.

use kanzei_core::bin::{Bin, BinError, Reader, Writer};
use kanzei_core::Coverage;
use kanzei_data::tariff_inputs::TariffInputs;
use kanzei_data::us_exports::UsExports;
use kanzei_data::{DataError, Store};
use std::sync::Arc;

use crate::cells::CellSet;
use crate::engine::CodeTable;
use crate::schedule::Schedule;
use crate::tariff_data::TariffData;

/// The file name in `data/`.
pub const FILE: &str = "tariff_index.bin";

/// The first bytes of the file (format 1).
const MAGIC: &[u8; 8] = b"KANZEIX1";

/// Hash of the files the index is derived from and of the code that derives it (`build.rs`).
pub const INPUTS_HASH: &str = env!("KANZEI_INDEX_INPUTS");

/// The embedded file.
static EMBEDDED: &[u8] = include_bytes!("../../../data/tariff_index.bin");

/// The decoded tables.
pub struct Index {
    /// U.S. import cells.
    pub us_cells: CellSet,
    /// The base schedule.
    pub schedule: Schedule,
    /// Lists, tables, shares.
    pub inputs: Arc<TariffInputs>,
    /// U.S. exports.
    pub exports: Arc<UsExports>,
    /// The code table of the U.S. cells.
    pub us_codes: CodeTable,
    /// Coverage of the HS10 imports table as loaded.
    pub hs10_coverage: Coverage,
    /// Coverage of the HS2 imports table as loaded.
    pub hs2_coverage: Coverage,
}

/// The file's bytes for derived tables: magic, [`INPUTS_HASH`], then two LZ4-compressed
/// sections (each with its compressed and uncompressed size), decoded on two threads: the
/// cells, and the rest.
pub fn encode(data: &TariffData, coverage: &[Coverage; 2]) -> Vec<u8> {
    let mut cells = Writer::new();
    data.us_cells.put(&mut cells);
    data.us_code_table().put(&mut cells);
    coverage[0].put(&mut cells);
    coverage[1].put(&mut cells);
    let mut rest = Writer::new();
    data.schedule.put(&mut rest);
    data.inputs.as_ref().put(&mut rest);
    data.exports.as_ref().put(&mut rest);
    let mut w = Writer::new();
    w.raw(MAGIC);
    INPUTS_HASH.to_string().put(&mut w);
    for section in [cells, rest] {
        let compressed = lz4_flex::compress_prepend_size(&section.into_bytes());
        w.len(compressed.len());
        w.raw(&compressed);
    }
    w.into_bytes()
}

/// The hash an index file was made with (and a reader after it), or an error if it is not
/// an index file.
fn header<'a>(file: &'a str, bytes: &'a [u8]) -> Result<(String, Reader<'a>), BinError> {
    let mut r = Reader::new(file, bytes);
    if r.take(MAGIC.len())? != MAGIC {
        return Err(r.error("not a kanzei tariff index (format 1)"));
    }
    Ok((String::get(&mut r)?, r))
}

/// The hash an index file was made with, or an error if it is not an index file.
pub fn inputs_hash_of(file: &str, bytes: &[u8]) -> Result<String, BinError> {
    header(file, bytes).map(|(hash, _)| hash)
}

/// Decompresses one section and decodes it with `decode`, which must read all of it.
fn section<T>(file: &str, compressed: &[u8], decode: impl FnOnce(&mut Reader<'_>) -> Result<T, BinError>) -> Result<T, BinError> {
    let body = lz4_flex::decompress_size_prepended(compressed).map_err(|e| BinError { file: file.to_string(), offset: 0, message: format!("LZ4: {e}") })?;
    let mut r = Reader::new(file, &body);
    let out = decode(&mut r)?;
    r.finish()?;
    Ok(out)
}

/// Decodes an index file; `None` when it was made from other inputs or by other code.
pub fn decode(file: &str, bytes: &[u8]) -> Result<Option<Index>, BinError> {
    let (hash, mut r) = header(file, bytes)?;
    if hash != INPUTS_HASH {
        return Ok(None);
    }
    let n = r.len(1)?;
    let cells_bytes = r.take(n)?;
    let n = r.len(1)?;
    let rest_bytes = r.take(n)?;
    r.finish()?;
    let (cells, rest) = std::thread::scope(|scope| {
        let cells = scope.spawn(|| section(file, cells_bytes, |r| Ok((CellSet::get(r)?, CodeTable::get(r)?, Coverage::get(r)?, Coverage::get(r)?))));
        let rest = section(file, rest_bytes, |r| Ok((Schedule::get(r)?, TariffInputs::get(r)?, UsExports::get(r)?)));
        (cells.join().expect("decoding does not panic"), rest)
    });
    let ((us_cells, us_codes, hs10_coverage, hs2_coverage), (schedule, inputs, exports)) = (cells?, rest?);
    Ok(Some(Index { us_cells, us_codes, schedule, inputs: Arc::new(inputs), exports: Arc::new(exports), hs10_coverage, hs2_coverage }))
}

/// The embedded index, if it is current (see [`decode`]).
pub fn embedded() -> Result<Option<Index>, DataError> {
    Ok(decode(FILE, EMBEDDED)?)
}

/// Whether the embedded index was made from this build's inputs by this build's code.
pub fn embedded_is_current() -> bool {
    inputs_hash_of(FILE, EMBEDDED).is_ok_and(|h| h == INPUTS_HASH)
}

/// The bytes of an index derived afresh from the embedded snapshot (what `kanzei data index`
/// writes).
pub fn derive_current(store: &Store) -> Result<Vec<u8>, DataError> {
    let (data, coverage) = TariffData::derive(store)?;
    Ok(encode(&data, &coverage))
}

/// The embedded file's bytes.
pub fn embedded_bytes() -> &'static [u8] {
    EMBEDDED
}
