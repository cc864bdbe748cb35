//! Hashes what the pre-indexed tariff data (`data/tariff_index.bin`, see `src/index.rs`) is
//! derived from — the snapshot files and the code that reads, derives and encodes them — into
//! `KANZEI_INDEX_INPUTS` (Rust files without their comment lines). An index whose header holds
//! another hash is not used.

use std::path::Path;

/// Relative to the workspace root.
const INPUTS: &[&str] = &[
    "data/areas.tsv",
    "data/us_imports_hs10_2024.csv.gz",
    "data/us_imports_hs2_2024.csv.gz",
    "data/us_exports_hs2.csv.gz",
    "data/hts_2025.csv.gz",
    "data/tariff_meta.csv.gz",
    "data/tariff_lists.csv.gz",
    "data/tariff_tables.csv.gz",
    "data/tariff_shares.csv.gz",
    "data/tariff_exports_hit.csv.gz",
    "crates/kanzei-core/src/area.rs",
    "crates/kanzei-core/src/bin.rs",
    "crates/kanzei-core/src/coverage.rs",
    "crates/kanzei-core/src/hs.rs",
    "crates/kanzei-data/src/hts.rs",
    "crates/kanzei-data/src/read.rs",
    "crates/kanzei-data/src/snapshot.rs",
    "crates/kanzei-data/src/store.rs",
    "crates/kanzei-data/src/tariff_inputs.rs",
    "crates/kanzei-data/src/us_exports.rs",
    "crates/kanzei-data/src/us_imports.rs",
    "crates/kanzei-tariff/src/assumptions.rs",
    "crates/kanzei-tariff/src/cells.rs",
    "crates/kanzei-tariff/src/codes.rs",
    "crates/kanzei-tariff/src/index.rs",
    "crates/kanzei-tariff/src/rate.rs",
    "crates/kanzei-tariff/src/schedule.rs",
    "crates/kanzei-tariff/src/tariff_data.rs",
];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    // FNV-1a, 64 bits, over each file's name and bytes.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for rel in INPUTS {
        let path = root.join(rel);
        println!("cargo:rerun-if-changed={}", path.display());
        let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        if rel.ends_with(".rs") {
            // Comment lines (docs included) change no derived table: left out, so editing them
            // does not make the shipped index stale.
            let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{} is not UTF-8: {e}", path.display()));
            bytes = text.lines().filter(|l| !l.trim_start().starts_with("//")).flat_map(|l| l.bytes().chain([b'\n'])).collect();
        }
        feed(rel.as_bytes());
        feed(&(bytes.len() as u64).to_le_bytes());
        feed(&bytes);
    }
    println!("cargo:rustc-env=KANZEI_INDEX_INPUTS={hash:016x}");
}
