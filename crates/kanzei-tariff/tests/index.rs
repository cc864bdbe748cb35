//! The pre-indexed tariff data (`data/tariff_index.bin`, `kanzei_tariff::index`) against a
//! fresh derive from the embedded CSVs: the shipped file must be current byte for byte, and
//! the tables it decodes to must give the same rates.

use kanzei_data::Store;
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::index;
use kanzei_tariff::library::Library;

const REGENERATE: &str = "regenerate it: `cargo run --release -- data index`, then rebuild";

#[test]
fn shipped_index_is_current() {
    assert!(
        index::embedded_is_current(),
        "data/tariff_index.bin was derived from other files or by other code (this build's inputs hash is {}); {REGENERATE}",
        index::INPUTS_HASH
    );
    let fresh = index::derive_current(&Store::embedded()).expect("the snapshot derives");
    assert!(fresh == index::embedded_bytes(), "data/tariff_index.bin differs from a fresh derive of the snapshot; {REGENERATE}");
}

#[test]
fn decoded_index_encodes_to_the_same_bytes() {
    let decoded = index::embedded().expect("the index decodes").expect("the index is current");
    let coverage = [decoded.hs10_coverage.clone(), decoded.hs2_coverage.clone()];
    let data = TariffData::load(&Store::embedded()).expect("loads");
    assert_eq!(data.us_cells.cells.len(), decoded.us_cells.cells.len());
    assert!(index::encode(&data, &coverage) == index::embedded_bytes(), "decoding then encoding changed the bytes");
}

#[test]
fn rates_from_the_index_equal_rates_derived_from_the_csvs() {
    // Otherwise `load` derives from the CSVs too and the comparison says nothing.
    assert!(index::embedded_is_current(), "{REGENERATE}");
    let store = Store::embedded();
    let from_index = TariffData::load(&store).expect("loads");
    let (derived, _) = TariffData::derive(&Store::embedded()).expect("derives");
    let vocab = kanzei_tariff::library::vocabulary(from_index.registry, &from_index.inputs);
    let scenario = Library::shipped().load("us-2025", &vocab).expect("us-2025 loads");
    let date = "2025-11-17".parse().expect("a date");
    let a = from_index.compile_on(&scenario, &from_index.us_cells).evaluate(date);
    let b = derived.compile_on(&scenario, &derived.us_cells).evaluate(date);
    assert_eq!(a.total_pct.len(), b.total_pct.len());
    // Exactly equal, cell by cell: the same tables, not nearly the same.
    assert!(a.total_pct.iter().zip(&b.total_pct).all(|(x, y)| x.to_bits() == y.to_bits()));
    let total: f64 = from_index.us_cells.cells.iter().map(|c| c.value_usd).sum();
    // 2024 U.S. imports for consumption in the HS10 and HS2 cells (regression pin of the
    // snapshot's total, which `data info` reconciles with Census).
    assert!(total > 3.0e12 && total < 3.5e12, "{total}");
}
