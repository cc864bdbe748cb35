//! `explain` for four lines, checked against the law as kanzei reads it (HTSUS Chapter 99,
//! 2026 Rev. 6, and the proclamations cited in the scenario).

mod common;

use kanzei_core::{AreaCode, HsCode};
use kanzei_tariff::analysis::explain;

fn rate(partner: &str, hs10: &str, date: &str) -> kanzei_tariff::analysis::Explanation {
    let data = common::data();
    explain(data, &common::scenario("us-2025"), AreaCode::new(partner).unwrap(), HsCode::parse(hs10).unwrap(), date.parse().unwrap(), String::new())
}

#[test]
fn japanese_car_pays_15_percent_after_the_deal() {
    // 8703.23.01 MFN 2.5% (HTS). From Sep 16, 2025, 9903.94.41: passenger vehicles of Japan
    // with column-1 rate below 15% pay 15% in lieu of MFN + 25% (EO 14345; 90 FR 44638). The
    // reciprocal floor does not apply to 232 goods (note 2(v)(x)).
    let e = rate("JPN", "8703230140", "2025-10-01");
    assert!((e.total_pct - 15.0).abs() < 1e-9, "{}", e.total_pct);
    assert_eq!(e.mfn.text, "2.5%");
    let floor = e.steps.iter().find(|s| s.measure == "ieepa-reciprocal-japan-floor").unwrap();
    assert_eq!(floor.contribution_pp, 0.0);
    // Before the deal (Apr 3 – Sep 15): MFN 2.5% + 232 25% = 27.5% (9903.94.01).
    let before = rate("JPN", "8703230140", "2025-07-01");
    assert!((before.total_pct - (before.base_pct + 25.0)).abs() < 1e-9, "{}", before.total_pct);
    assert!((before.base_pct - 2.5).abs() < 0.01);
    // A Japanese light truck (8704.31.01, MFN 25% ≥ 15%) pays MFN only: 9903.94.40.
    let truck = rate("JPN", "8704310120", "2025-10-01");
    assert!((truck.total_pct - truck.base_pct).abs() < 1e-9);
}

#[test]
fn chinese_hot_rolled_steel_stacks_to_95_percent() {
    // 7208.39.00: MFN free; 232 steel 50% (Proclamation 10947, from Jun 4, 2025); Section 301
    // 25% (9903.91.01 from Sep 27, 2024); China fentanyl 20% (9903.01.24); no reciprocal on
    // 232 steel (note 2(v)(vi)). 95% on Oct 1, 2025; 85% after the Nov 10 fentanyl cut; 75%
    // after the IEEPA ruling (Section 122 does not apply to 232 goods, 9903.03.06).
    assert!((rate("CHN", "7208390015", "2025-10-01").total_pct - 95.0).abs() < 1e-9);
    assert!((rate("CHN", "7208390015", "2025-11-20").total_pct - 85.0).abs() < 1e-9);
    assert!((rate("CHN", "7208390015", "2026-03-01").total_pct - 75.0).abs() < 1e-9);
}

#[test]
fn mexican_usmca_brake_part_pays_only_on_its_non_qualifying_share() {
    // 8708.30.50.90, MFN 2.5%. USMCA-qualifying parts: no 232 (9903.94.06) and no fentanyl
    // (9903.01.04; and note 33(f)(3) for 232 parts); the non-qualifying share pays MFN + 25%
    // (9903.94.05) and no fentanyl (a 232 good). Rate = (1 − s)(2.5 + 25) with s the 2025
    // USMCA-claim share of the line.
    let e = rate("MEX", "8708305090", "2025-10-01");
    let s = e.preference_share;
    assert!(s > 0.5 && s < 1.0, "USMCA share {s}");
    assert!((e.total_pct - (1.0 - s) * 27.5).abs() < 1e-9, "{} vs {}", e.total_pct, (1.0 - s) * 27.5);
    let fentanyl = e.steps.iter().find(|st| st.measure == "ieepa-fentanyl-mexico-25").unwrap();
    assert_eq!(fentanyl.contribution_pp, 0.0);
    assert!(fentanyl.status.starts_with("not owed on goods under s232"));
}

#[test]
fn canadian_aluminum_article_pays_50_percent_and_no_fentanyl() {
    // 7610.10.00 aluminum doors and windows: 232 aluminum 50% from Jun 4, 2025 (chapter 76
    // counted as 100% aluminum); not subject to the Canada fentanyl duty (CH99 note 19(h):
    // 9903.85.04/.07/.08 goods "shall not be subject to … 9903.01.10"); no reciprocal for
    // Canada. MFN 5.7% applies to the share not claiming USMCA.
    let e = rate("CAN", "7610100010", "2025-10-01");
    assert!((e.total_pct - 50.0 - e.base_pct).abs() < 1e-9, "{}", e.total_pct);
    assert!(e.base_pct < 0.5, "USMCA-claimed, so little MFN: {}", e.base_pct);
    // From Apr 6, 2026 the metals annex puts 7610.10 in Annex I-A: 50% on full value.
    let annex = rate("CAN", "7610100010", "2026-04-10");
    assert!((annex.total_pct - 50.0 - annex.base_pct).abs() < 1e-9);
}
