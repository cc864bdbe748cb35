//! Cross-source reconciliation and load coverage on the embedded snapshot: every dollar
//! read is either kept or set aside with a reason, and sources that measure the same thing
//! agree.

use kanzei_core::{AreaCode, FlowDirection};
use kanzei_data::us_imports::reconcile_hs10_hs2;
use kanzei_data::Store;

#[test]
fn japan_hs10_sums_equal_the_hs2_file_chapter_by_chapter() {
    let store = Store::embedded();
    let hs10 = store.us_imports_hs10().unwrap();
    let hs2 = store.us_imports_hs2().unwrap();
    let cells = reconcile_hs10_hs2(&hs10, &hs2);
    let japan: Vec<_> = cells.iter().filter(|c| c.census_code == 5880).collect();
    assert_eq!(japan.len(), 98, "Japan trades in 98 chapters");
    for cell in &japan {
        // Both files are Census integer dollars for the same concept: exact equality.
        assert_eq!(cell.hs10_sum_usd, cell.hs2_usd, "chapter {}", cell.chapter);
        assert_eq!(cell.hs10_duty_usd, cell.hs2_duty_usd, "chapter {} duty", cell.chapter);
    }
    // And across all 51 HS10 partners, no chapter differs.
    assert!(cells.iter().all(|c| c.difference_usd() == 0.0));
    // Japan's total, imports for consumption: 151.34 $B (SOURCE.md); HS87 52.13 $B.
    let (total, _) = hs10.total(&[5880]);
    assert!((total / 1e9 - 151.34).abs() < 0.005, "{total}");
    let by2 = hs10.by_product(&[5880], 2);
    let hs87 = by2.iter().find(|(k, _)| k.to_string() == "87").unwrap().1 .0;
    assert!((hs87 / 1e9 - 52.13).abs() < 0.005, "{hs87}");
}

#[test]
fn every_load_in_the_snapshot_build_reconciles_to_100_percent_of_value() {
    let store = Store::embedded();
    let reports = store.coverage_reports().unwrap();
    assert!(reports.len() >= 7);
    for cov in &reports {
        assert!(cov.reconciles(1e-12), "{cov}");
        assert!((cov.accounted_value_pct() - 100.0).abs() < 1e-9, "{cov}");
    }
    // Trade datasets keep everything: nothing was set aside when the snapshot was built.
    for id in ["census_ft900_country", "us_imports_hs10", "us_imports_hs2", "us_exports_hs2", "japan_mof_trade"] {
        let cov = reports.iter().find(|c| c.name == id).unwrap();
        assert_eq!(cov.rows_rejected(), 0, "{cov}");
        assert_eq!(format!("{:.3}", cov.kept_value_pct()), "100.000");
    }
}

#[test]
fn japan_mof_2024_exports_and_motor_vehicle_shares() {
    let store = Store::embedded();
    let mof = store.japan_mof().unwrap();
    let world = AreaCode::new("WLD").unwrap();
    let usa = AreaCode::new("USA").unwrap();
    let ex = |g: &str, p| mof.value(FlowDirection::Exports, p, g, 2024).unwrap();
    let total = ex("Grand Total", world);
    // MOF's published 2024 total: ¥107.09 trillion.
    assert!((total - 107_087.5).abs() < 0.1, "{total}");
    // The nine sections sum to the grand total.
    let sections: f64 = kanzei_data::japan_mof::MOF_SECTIONS.iter().map(|s| ex(s, world)).sum();
    assert!((sections - total).abs() < 1e-6 * total);
    let mv = ex("Motor Vehicles", world);
    let group = mv + ex("Parts Of Motor Vehicles", world) + ex("Motorcycles, Autocycles", world);
    assert!((100.0 * mv / total - 16.7).abs() < 0.05);
    assert!((100.0 * group / total - 20.9).abs() < 0.05);
    assert!((100.0 * ex("Motor Vehicles", usa) / mv - 33.6).abs() < 0.05);
    // 2026 is partial and says so.
    let err = mof.check_year(2026).unwrap_err();
    assert!(err.to_string().contains("cover January to month 3 only"), "{err}");
}

#[test]
fn dataweb_exports_to_japan_2024() {
    let store = Store::embedded();
    let exports = store.us_exports().unwrap();
    let jpn = AreaCode::new("JPN").unwrap();
    let chapters = exports.by_chapter(&[jpn], 2024);
    let total: f64 = chapters.values().sum();
    // SOURCE.md: exports to Japan 2024 = 78.98 $bn; HS27 11.91 $bn.
    assert!((total / 1e9 - 78.98).abs() < 0.005, "{total}");
    let hs27 = chapters.iter().find(|(k, _)| k.to_string() == "27").unwrap().1;
    assert!((hs27 / 1e9 - 11.91).abs() < 0.005);
    // All-zero 2025 column is not data.
    assert!(exports.check_year(2025).is_err());
    assert!((exports.total(2024) / 1e9 - 2061.69).abs() < 0.005);
}

#[test]
fn weo_japan_gdp_and_implied_yen_rate() {
    let store = Store::embedded();
    let weo = store.weo().unwrap();
    assert_eq!(weo.value("JPN", "NGDPD", 2024).unwrap(), 4019.382);
    // 2023: 140.49, 2024: 151.37, 2025: 147.68 JPY per USD (SOURCE.md).
    for (year, rate) in [(2023, 140.49), (2024, 151.37), (2025, 147.68)] {
        assert!((weo.implied_rate("JPN", year).unwrap() - rate).abs() < 0.005, "{year}");
    }
    assert!(weo.is_projection("JPN", "NGDPD", 2027));
    assert!(!weo.is_projection("JPN", "NGDPD", 2023));
}
