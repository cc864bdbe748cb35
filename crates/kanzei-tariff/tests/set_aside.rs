//! Issue 16, acceptance: with `--data DIR`, Japan's HS10 row 8703230140 ($12.37 bn) given
//! the unknown Census country code 9999 used to vanish from every tariff result while the
//! load reported 100% kept. Now the loader sets it aside under a named reason, and the
//! tariff data refuse to load unless the user allows it.

use std::path::{Path, PathBuf};

use kanzei_data::Store;
use kanzei_tariff::analysis::TariffData;

/// A copy of the official-files folder (symlinks) whose HS10 table gives the row the code 9999.
fn folder_with_unknown_partner(raw: &Path) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("set_aside_raw");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(raw).unwrap() {
        let path = entry.unwrap().path();
        std::os::unix::fs::symlink(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    let name = "tradewartracker_trade_war_redux_2025/derived_us_imports_2024_hs10_by_country.csv.gz";
    let text = kanzei_data::read::gunzip(name, &std::fs::read(raw.join(name)).unwrap()).unwrap();
    let row = "5880,JAPAN,8703230140,";
    assert_eq!(text.matches(row).count(), 1);
    // A top-level `us_imports_hs10_2024.csv` takes the place of the derived table.
    std::fs::write(dir.join("us_imports_hs10_2024.csv"), text.replace(row, "9999,JAPAN,8703230140,")).unwrap();
    dir
}

fn total_musd(data: &TariffData) -> f64 {
    data.us_cells.cells.iter().map(|c| c.value_usd).sum::<f64>() / 1e6
}

#[test]
fn an_unknown_partner_row_is_set_aside_and_refused_unless_allowed() {
    let Some(raw) = kanzei_data::testing::shared_raw(env!("CARGO_MANIFEST_DIR")) else { return };
    let dir = folder_with_unknown_partner(&raw);
    let err = TariffData::load(&Store::raw(&dir)).err().expect("refused").to_string();
    assert!(
        err.starts_with("us_imports_hs10 (us_imports_hs10_2024.csv): 0.3846% of the value read was set aside, above the 0.01% limit: \
                         1 row(s), 12373053392 USD: unknown partner code (not in Census Schedule C) (e.g. CTY_CODE 9999, HS10 8703230140, value 12373053392 USD)"),
        "{err}"
    );
    // `data info` reads these coverage reports: the row is listed with its value.
    let reports = Store::raw(&dir).coverage_reports().unwrap();
    let hs10 = reports.iter().find(|c| c.name == "us_imports_hs10").unwrap();
    assert_eq!((hs10.rows_read, hs10.rows_kept, hs10.rejected.len()), (209_616, 209_615, 1));
    assert_eq!(hs10.rejected[0].value, 12_373_053_392.0);
    assert_eq!(format!("{:.3}", hs10.kept_value_pct()), "99.615");
    let store = Store::raw(&dir).allow_set_aside(true);
    let allowed = TariffData::load(&store).unwrap();
    assert_eq!(store.warnings().len(), 1, "{:?}", store.warnings());
    let full = TariffData::load(&Store::raw(&raw)).unwrap();
    // Regression pin (kanzei output; the probe measured the same two totals).
    assert_eq!(format!("{:.0} {:.0}", total_musd(&full), total_musd(&allowed)), "3251152 3238779");
}
