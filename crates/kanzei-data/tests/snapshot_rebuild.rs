//! Rebuilds the snapshot from the official files and checks it is the committed one.
//! Needs `../shared/data/raw` (present in CI); skipped with a message otherwise.

use std::path::PathBuf;

use kanzei_data::snapshot::{build, embedded_manifest};
use kanzei_data::Store;

fn raw_dir() -> Option<PathBuf> {
    kanzei_data::testing::shared_raw(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn rebuild_reproduces_the_committed_snapshot_byte_for_byte() {
    let Some(raw) = raw_dir() else { return };
    let out = tempfile::tempdir().unwrap();
    let manifest = build(&raw, out.path(), &mut |_| {}).unwrap();
    let committed = embedded_manifest().unwrap();
    for entry in &committed.datasets {
        let rebuilt = manifest.dataset(&entry.id).unwrap_or_else(|| panic!("{} missing from rebuild", entry.id));
        assert_eq!(rebuilt.inputs, entry.inputs, "{}: the raw inputs changed", entry.id);
        assert_eq!(rebuilt.outputs, entry.outputs, "{}: the snapshot is stale; run `kanzei data build`", entry.id);
    }
    let size: u64 = manifest.datasets.iter().flat_map(|d| &d.outputs).map(|o| o.bytes).sum();
    assert!(size < 20_000_000, "snapshot is {size} bytes; keep it under 20 MB");
}

#[test]
fn raw_and_embedded_loads_agree() {
    let Some(raw) = raw_dir() else { return };
    let from_raw = Store::raw(&raw);
    let embedded = Store::embedded();
    let a = from_raw.census_country().unwrap();
    let b = embedded.census_country().unwrap();
    assert_eq!(a.rows.len(), b.rows.len());
    assert_eq!(a.coverage.value_kept, b.coverage.value_kept);
    let a = from_raw.us_imports_hs10().unwrap();
    let b = embedded.us_imports_hs10().unwrap();
    assert_eq!(a.lines, b.lines);
    let a = from_raw.us_imports_hs2().unwrap();
    let b = embedded.us_imports_hs2().unwrap();
    assert_eq!(a.coverage.value_kept, b.coverage.value_kept);
    let a = from_raw.japan_mof().unwrap();
    let b = embedded.japan_mof().unwrap();
    assert_eq!(a.lines, b.lines);
    let a = from_raw.us_exports().unwrap();
    let b = embedded.us_exports().unwrap();
    assert_eq!(a.lines.len(), b.lines.len());
    assert_eq!(a.total(2024), b.total(2024));
}

#[test]
fn a_folder_without_the_files_gets_a_clear_error() {
    let empty = tempfile::tempdir().unwrap();
    let err = Store::raw(empty.path()).census_country().unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("no file for dataset `census_ft900_country` in `"), "{text}");
    assert!(text.contains("looked for `census_ft900_country/country.csv` or `census_ft900_country/country_from_xlsx.csv`"), "{text}");
}
