//! The shipped claims file checked against the embedded data: every claim gets a verdict
//! from data or is a stated parameter with its reason, and the recomputed values are the
//! published statistics (Census FT-900 2024, Japan MOF 2024, the 2025 executive orders).

use kanzei_data::Store;
use kanzei_report::claims::{self, CheckedClaim, Evaluator};
use kanzei_report::document::Verdict;

fn checked() -> Vec<CheckedClaim> {
    let file = claims::parse(claims::US_JAPAN_2025.0, claims::US_JAPAN_2025.1).expect("the shipped claims file parses");
    let store = Store::embedded();
    claims::check(&file, &Evaluator::new(&store)).expect("every shipped query is valid")
}

fn get<'a>(rows: &'a [CheckedClaim], id: &str) -> &'a CheckedClaim {
    rows.iter().find(|r| r.id == id).unwrap_or_else(|| panic!("no claim {id}"))
}

#[test]
fn every_claim_has_a_verdict_or_a_stated_reason() {
    let rows = checked();
    assert_eq!(rows.len(), 24);
    for r in &rows {
        match r.verdict {
            Verdict::StatedParameter => assert!(r.reason.as_deref().is_some_and(|s| s.len() > 20), "{}: stated without a reason", r.id),
            Verdict::NoData => panic!("{}: no data ({:?}) — every shipped query should reach the snapshot", r.id, r.reason),
            Verdict::Confirmed | Verdict::Differs => {
                assert!(r.recomputed_value.is_some() && r.source.is_some(), "{}: a verdict needs a value and its source", r.id);
            }
        }
        if r.verdict == Verdict::Differs {
            let reason = r.reason.as_deref().unwrap_or_default();
            assert!(reason.starts_with("off by ") && reason.contains(':'), "{}: a difference says by how much and why: {reason}", r.id);
        }
    }
    assert_eq!(claims::tally(&rows), [15, 3, 0, 6]);
}

#[test]
fn recomputed_values_are_the_published_statistics() {
    let rows = checked();
    let value = |id: &str| get(&rows, id).recomputed_value.unwrap();
    // Census FT-900, 2024: exports 79,740.8 + imports 148,208.6 ($ million, as published;
    // tolerance half a unit of the published rounding of each).
    assert!((value("trade-total") - 227_949.4e6).abs() < 0.1e6, "{}", value("trade-total"));
    assert!((value("deficit") - 68_467.8e6).abs() < 0.1e6, "{}", value("deficit"));
    for (id, rank) in [("deficit-rank-japan", 7.0), ("deficit-rank-china", 1.0), ("deficit-rank-taiwan", 6.0)] {
        assert_eq!(value(id), rank, "{id}");
    }
    // Japan MOF 2024: the U.S. takes 19.9% of exports, autos (HS 87 groups) 20.9%, the U.S.
    // 33.6% of motor-vehicle exports by value.
    assert!((value("us-share-of-japan-exports") - 19.88).abs() < 0.05, "{}", value("us-share-of-japan-exports"));
    assert!((value("autos-share") - 20.9).abs() < 0.05, "{}", value("autos-share"));
    assert!((value("autos-us-share") - 33.6).abs() < 0.05, "{}", value("autos-us-share"));
    // EO 14257 Annex I: Japan 24%; EO 14326: 15%.
    assert_eq!(value("reciprocal-april"), 24.0);
    assert_eq!(value("reciprocal-deal"), 15.0);
    // A Japanese car (HTS 8703.23.01.40): 2.5% MFN + 25% Section 232 before the deal (the MFN
    // part is 2.5% less the 0.13% of 2024 entries that paid no MFN duty); 15% all-in after.
    assert!((value("autos-tariff-232") - 27.5).abs() < 0.01, "{}", value("autos-tariff-232"));
    assert!((value("autos-tariff-deal") - 15.0).abs() < 1e-6, "{}", value("autos-tariff-deal"));
    assert_eq!(get(&rows, "autos-tariff-232").verdict, Verdict::Differs);
    assert!((get(&rows, "autos-tariff-232").difference.unwrap() - 2.5).abs() < 0.01);
}

#[test]
fn a_year_without_data_is_no_data_not_an_error() {
    let text = "schema = 1\n[[claim]]\nid = \"future\"\ntext = \"2030 deficit\"\nvalue = 70\nunit = \"usd_bn\"\nquery = \"census.deficit(partner=JPN, year=2030)\"\ntolerance = \"5%\"\n";
    let file = claims::parse("future.toml", text).unwrap();
    let store = Store::embedded();
    let rows = claims::check(&file, &Evaluator::new(&store)).unwrap();
    assert_eq!(rows[0].verdict, Verdict::NoData);
    assert!(rows[0].reason.as_deref().unwrap().contains("2030"), "{:?}", rows[0].reason);
}

#[test]
fn bad_arguments_are_errors_naming_the_claim() {
    let store = Store::embedded();
    let check = |query: &str, unit: &str| {
        let text = format!("schema = 1\n\n[[claim]]\nid = \"bad\"\ntext = \"t\"\nvalue = 1\nunit = \"{unit}\"\nquery = \"{query}\"\ntolerance = 1\n");
        let file = claims::parse("bad.toml", &text).unwrap();
        claims::check(&file, &Evaluator::new(&store)).unwrap_err().to_string()
    };
    let e = check("census.deficit(partner=Japn, year=2024)", "usd_bn");
    assert!(e.starts_with("bad.toml:3: claim `bad`: "), "{e}");
    assert!(e.contains("JPN"), "suggests Japan: {e}");
    let e = check("mof.goods_share(goods=Motor Vehicle, year=2024)", "pct");
    assert!(e.contains("did you mean `Motor Vehicles`"), "{e}");
    let e = check("tariff.line_rate(scenario=us-2025, partner=JPN, hs10=8703231950, date=2025-10-01)", "pct");
    assert!(e.contains("not a line of the HTS 2025"), "{e}");
    let e = check("tariff.etr(scenario=us-2026, partner=JPN, date=2025-10-01)", "pct");
    assert!(e.contains("no scenario `us-2026`"), "{e}");
    let e = check("tariff.etr(scenario=us-2025, partner=JPN, date=2025-13-01)", "pct");
    assert!(e.contains("`date=2025-13-01` is not a valid date"), "{e}");
}
