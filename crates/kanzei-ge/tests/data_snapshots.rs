//! The compact snapshot forms of the CP 1993 data and the gegravity sample read back
//! bit for bit, and give the same model results as the raw files.

// Tests print the numbers they check, for the record.
#![allow(clippy::print_stdout)]

mod common;

use kanzei_data::cp2015::Cp2015Data;
use kanzei_data::gravity_data::GravityPanel;

#[test]
fn cp2015_snapshot_round_trips_exactly() {
    let Some(data) = common::cp_data() else { return };
    let text = data.to_snapshot();
    let again = Cp2015Data::from_snapshot("caliendo_parro_2015.txt", &text).unwrap();
    assert_eq!(again, data);
    // Coverage: 19,220 bilateral cells of 1993 trade.
    assert_eq!(data.coverage.rows_kept, 620 * 31);
    assert!(text.len() < 1_100_000, "{} bytes", text.len());
    // A corrupted value is reported at its line in the snapshot.
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(lines[2].starts_with("0\t"), "{}", &lines[2][..20]);
    lines[2].replace_range(0..1, "x");
    let err = Cp2015Data::from_snapshot("cp.txt", &lines.join("\n")).unwrap_err();
    assert_eq!(err.to_string(), "`cp.txt (section xbilat1993.txt)` line 3, column `#1`: `x` is not a number");
}

#[test]
fn cp2015_snapshot_errors_name_the_section_and_line() {
    let err = Cp2015Data::from_snapshot("cp.txt", "# header\n[B.txt 40 31]\n1\n").unwrap_err();
    assert_eq!(err.to_string(), "`cp.txt` line 2, column `#1`: section `B.txt` where `xbilat1993.txt` was expected");
    let err = Cp2015Data::from_snapshot("cp.txt", "[xbilat1993.txt 620 31]\n1\t2\n").unwrap_err();
    assert_eq!(err.to_string(), "`cp.txt` line 2, column `#1`: 1 sections; expected 7");
}

#[test]
fn gegravity_sample_snapshot_round_trips_exactly() {
    let Some(raw) = common::raw_dir() else { return };
    let panel = GravityPanel::load(&raw.join("gegravity_sample/sample_data_set.dlm")).unwrap();
    assert_eq!(panel.rows.len(), 900);
    assert_eq!(panel.columns, vec!["Y", "E", "pta", "contiguity", "common_language", "lndist", "international"]);
    let again = GravityPanel::parse("sample_data_set.dlm", panel.to_snapshot_csv().as_bytes()).unwrap();
    assert_eq!(again.rows, panel.rows);
}
