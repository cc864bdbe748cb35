//! The 2025–26 timeline against the Yale Budget Lab's published average effective tariff
//! rates (pre-substitution, all U.S. goods imports), and the what-ifs and retaliation
//! scenarios against the direction the law implies.
//!
//! Budget Lab, "State of U.S. tariffs": 18.0% as of Oct 17, 2025; "a bit less than 16.8%" as
//! of Nov 17, 2025. Their import weights and treatment details differ from kanzei's (USMCA
//! claim shares, Annex II scope), so agreement within about a point is what to expect.

mod common;

use common::etr;

use kanzei_tariff::engine::Compiled;


#[test]
fn etr_matches_the_budget_lab_published_figures() {
    let data = common::data();
    let (cells, c) = data.compile(&common::scenario("us-2025"));
    let oct = etr(&c, &cells, "2025-10-17", None);
    assert!((oct - 18.0).abs() < 1.0, "2025-10-17: {oct}");
    // Issue 10 lowered kanzei's Nov 17 rate from 16.41% to 15.45%: derivative lines missing
    // from the BEA metal-content table (most of 3004.90.92, pharmaceuticals on the Aug 18
    // inclusions list) take their siblings' content instead of 50% of value as metal (−0.6 pp),
    // and HS2 proxy chapters honour dated exclusions of their lines (−0.3 pp). The Budget Lab
    // tracker gives unmatched derivatives its flat 50% share, which is part of the gap.
    let nov = etr(&c, &cells, "2025-11-17", None);
    assert!(nov > 15.2 && nov < 16.8, "2025-11-17: {nov}");
    // The IEEPA ruling: Section 122 at 10% replaces IEEPA; the rate falls by about 4 points.
    let after = etr(&c, &cells, "2026-03-01", None);
    assert!(after < nov - 3.0 && after > 10.0, "2026-03-01: {after}");
    // The April 10, 2025 peak (China 125%) is the highest point of the year.
    let peak = etr(&c, &cells, "2025-04-10", None);
    assert!(peak > 22.0 && peak > oct, "2025-04-10: {peak}");
    // Before anything changed, the rate is the 2024 regime's.
    let jan = etr(&c, &cells, "2025-01-02", None);
    assert!((jan - 2.58).abs() < 0.1, "2025-01-02: {jan}");
}

#[test]
fn what_ifs_move_japan_in_the_right_direction() {
    let data = common::data();
    let (cells, actual) = data.compile(&common::scenario("us-2025"));
    let exempt = Compiled::new(&common::scenario("what-if/japan-exempt"), &cells, &data.schedule, &data.inputs);
    let at24 = Compiled::new(&common::scenario("what-if/japan-24pct"), &cells, &data.schedule, &data.inputs);
    let base = Compiled::new(&common::scenario("us-2024-baseline"), &cells, &data.schedule, &data.inputs);
    let d = "2025-11-17";
    let jp_actual = etr(&actual, &cells, d, Some("JPN"));
    let jp_exempt = etr(&exempt, &cells, d, Some("JPN"));
    let jp_24 = etr(&at24, &cells, d, Some("JPN"));
    let jp_base = etr(&base, &cells, d, Some("JPN"));
    // Exempt from every 2025 measure, Japan pays what it paid in 2024, less the 2018
    // aluminum duty, which the 2025 metals measures (from which it is exempt) replaced.
    assert!(jp_exempt <= jp_base && jp_base - jp_exempt < 0.02, "{jp_exempt} vs {jp_base}");
    // The deal (15% floor, 15% cars) is better for Japan than 24% plus 25% on cars.
    assert!(jp_24 > jp_actual + 5.0, "{jp_24} vs {jp_actual}");
    assert!(jp_actual > 14.0 && jp_actual < 17.0, "{jp_actual}");
    // Others are untouched by Japan's what-ifs.
    assert!((etr(&exempt, &cells, d, Some("KOR")) - etr(&actual, &cells, d, Some("KOR"))).abs() < 1e-12);
}

#[test]
fn no_usmca_carve_out_raises_canada_and_mexico_only() {
    let data = common::data();
    let (cells, actual) = data.compile(&common::scenario("us-2025"));
    let none = Compiled::new(&common::scenario("what-if/no-usmca-carve-out"), &cells, &data.schedule, &data.inputs);
    let d = "2025-11-17";
    for p in ["CAN", "MEX"] {
        let (a, n) = (etr(&actual, &cells, d, Some(p)), etr(&none, &cells, d, Some(p)));
        assert!(n > a + 5.0, "{p}: {n} vs {a}");
    }
    assert!((etr(&none, &cells, d, Some("JPN")) - etr(&actual, &cells, d, Some("JPN"))).abs() < 1e-12);
}

#[test]
fn retaliation_scenarios_follow_their_timelines() {
    let data = common::data();
    let (cells, china) = data.compile(&common::scenario("retaliation/china-2025"));
    assert_eq!(cells.importer.as_str(), "CHN");
    // U.S. exports to China, 2024 (USITC DataWeb): about $143 bn.
    assert!((cells.total_value() / 1e9 - 143.5).abs() < 2.0, "{}", cells.total_value() / 1e9);
    let april = etr(&china, &cells, "2025-04-20", None);
    assert!(april >= 125.0, "{april}");
    let june = etr(&china, &cells, "2025-06-01", None);
    assert!(june > 10.0 && june < 15.0, "{june}");
    let (cells, canada) = data.compile(&common::scenario("retaliation/canada-2025"));
    let march = etr(&canada, &cells, "2025-03-20", None);
    let october = etr(&canada, &cells, "2025-10-01", None);
    assert!(march > october && october > 0.0, "{march} {october}");
}
