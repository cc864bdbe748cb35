//! The shipped claims file checked against the embedded data: every claim gets a verdict
//! from data or is a stated parameter with its reason, and the recomputed values are the
//! published statistics (Census FT-900 2024, Japan MOF 2024, the 2025 executive orders).
//! Every `bulletin` claim's quote is found in the paragraph it names of PISM Bulletin No. 30
//! (2531) (`../shared/reference/pism-bulletin-30-2025.txt`), and none of the tariff facts the
//! bulletin could not know (it is dated 11 March 2025) is credited to it (issue 14).

use kanzei_data::Store;
use kanzei_report::claims::{self, CheckedClaim, Evaluator, Origin};
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
    assert_eq!(rows.len(), 49);
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
    assert_eq!(claims::tally(&rows), [25, 3, 0, 21]);
}

/// The bulletin, from `../shared/reference` (next to `../shared/data/raw`).
fn bulletin_text() -> Option<String> {
    let raw = kanzei_data::testing::shared_raw(env!("CARGO_MANIFEST_DIR"))?;
    Some(std::fs::read_to_string(raw.join("../../reference/pism-bulletin-30-2025.txt")).expect("the bulletin sits beside the data"))
}

#[test]
fn bulletin_claims_quote_the_bulletin_and_later_facts_are_not_its_claims() {
    let mut rows = checked();
    let origin = |id: &str| get(&rows, id).origin;
    // The tariff facts of issue 14 postdate the bulletin: later developments with dates and sources.
    for (id, date) in [("reciprocal-april", "2025-04-02"), ("reciprocal-deal", "2025-08-07"), ("autos-tariff-232", "2025-04-03"), ("autos-tariff-deal", "2025-09-16"), ("steel-tariff", "2025-06-04")] {
        assert_eq!(origin(id), Origin::Later, "{id}");
        assert_eq!(get(&rows, id).as_of.as_deref(), Some(date), "{id}");
        assert!(get(&rows, id).reference.as_deref().is_some_and(|r| r.contains("Order") || r.contains("Proclamation")), "{id}: legal source");
    }
    // Every claim the brief credits to the bulletin carries its sentence and paragraph.
    let bulletin: Vec<&CheckedClaim> = rows.iter().filter(|r| r.origin == Origin::Bulletin).collect();
    assert_eq!(bulletin.len(), 26);
    assert!(bulletin.iter().all(|r| r.quote.is_some() && r.paragraph.is_some() && r.as_of.as_deref() == Some("2025-03-11")));
    // The 2026 events are later developments too.
    for id in ["ieepa-ruling", "s122-surcharge", "forced-labour-301", "ieepa-refunds", "brazil-301", "canada-338"] {
        assert_eq!(origin(id), Origin::Later, "{id}");
    }
    let Some(text) = bulletin_text() else { return };
    let missing = claims::verify_quotes(&mut rows, &text);
    assert!(missing.is_empty(), "quotes not found in their paragraphs: {missing:?}");
    assert_eq!(claims::paragraphs(&text).len(), 14, "the lead and 13 paragraphs");
    assert_eq!(get(&rows, "host-nation-support").found_in_paragraph, Some(10));
    // A quote that is not the bulletin's is caught.
    rows.iter_mut().find(|r| r.id == "deficit").unwrap().quote = Some("The U.S. ran a $68 billion deficit with Japan.".into());
    assert_eq!(claims::verify_quotes(&mut rows, &text), vec!["deficit".to_string()]);
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
    assert_eq!(get(&rows, "autos-tariff-232").verdict, Verdict::Confirmed);
    // Japan MOF: the U.S. is Japan's 2nd trading partner after China (exports + imports,
    // 2024: China ¥44.2 tn, U.S. ¥34.0 tn) and its largest export market; by value it was the
    // 4th LNG supplier with 8.7% (¥543 bn of ¥6,233 bn; SOURCE.md of the MOF folder).
    assert_eq!((value("us-second-partner"), value("china-first-partner"), value("us-largest-export-market")), (2.0, 1.0, 1.0));
    assert_eq!(value("lng-rank-value"), 4.0);
    assert!((value("lng-share-value") - 8.71).abs() < 0.01, "{}", value("lng-share-value"));
    // Host-nation support: ¥211 bn at 2024's WEO-implied ¥151.37/$ is $1.39 bn, not $2 bn.
    assert!((value("host-nation-support") / 1e9 - 1.394).abs() < 0.002, "{}", value("host-nation-support"));
    assert_eq!(get(&rows, "host-nation-support").verdict, Verdict::Differs);
    // 2% of FY2022 GDP (IMF WEO NGDP_FY 2022 ¥560.6 tn) is ¥11.2 tn.
    assert!((value("defence-target-yen") / 1e12 - 11.21).abs() < 0.01, "{}", value("defence-target-yen"));
    // After the ruling: valves (1.5% MFN) pay MFN + 10% under Section 122, then the 12.5% cap;
    // cars stay at the 15% Section 232 deal rate.
    assert!((value("s122-surcharge") - 11.54).abs() < 0.01 && (value("forced-labour-301") - 12.5).abs() < 1e-9 && (value("autos-after-ruling") - 15.0).abs() < 1e-9);
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
