//! Shared helpers for the integration tests: where the shared raw data is, and the
//! conversion from kanzei-data's plain table to kanzei-mrio's (the same glue the CLI uses).

#![allow(dead_code)]
// Tests report skips and measured numbers on stderr.
#![allow(clippy::print_stderr)]

use std::path::PathBuf;

use kanzei_mrio::Mrio;

/// `<workspace root>/../shared/data/raw`, or `None` (after printing the skip notice) when
/// it is absent.
pub fn shared_raw() -> Option<PathBuf> {
    kanzei_data::testing::shared_raw(env!("CARGO_MANIFEST_DIR"))
}

/// `bench/reference/<name>` in the repository.
pub fn reference_dir(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/reference")).join(name)
}

/// Loads WIOD 2011 from the derived CSVs in the shared folder.
pub fn wiod_2011() -> Option<(kanzei_data::mrio::LoadedMrio, Mrio)> {
    let raw = shared_raw()?;
    let dir = raw.join("wiod_2013_release/derived_csv_2011");
    let loaded = kanzei_data::mrio::load_wiod_csv(&dir, 2011, &kanzei_data::mrio::MrioLoadOptions::wiod())
        .expect("WIOD 2011 loads");
    let mrio = Mrio::new(loaded.table.clone()).expect("WIOD 2011 is a valid table");
    Some((loaded, mrio))
}
