//! Briefs for any U.S. partner, from the default spec, on one shared engine: the headline
//! holds Census FT-900's published 2024 totals, the deficit ranks are Census's order, every
//! brief has its charts and sections, and partner-specific sections are refused elsewhere.
//!
//! References: U.S. Census Bureau, FT-900 country data, 2024 annual imports (IYR) and exports
//! (EYR) in $ millions, as published in `census_ft900_country/country.xlsx` (values typed
//! from the file to 0.1 $M; Census's own European Union row for EU27).

use kanzei_data::Store;
use kanzei_report::brief::{build_with, BriefOptions, BriefSpec, Engine, SectionKind};
use kanzei_report::document::Block;

/// (partner, imports $M, exports $M, deficit rank among countries).
const FT900_2024: [(&str, f64, f64, Option<u64>); 10] = [
    ("KOR", 131_549.2, 65_541.8, Some(8)),
    ("DEU", 160_436.5, 75_612.9, Some(5)),
    ("MEX", 505_850.6, 334_041.4, Some(2)),
    ("VNM", 136_561.2, 13_098.2, Some(3)),
    ("CHN", 438_947.4, 143_545.7, Some(1)),
    // The EU's deficit ($235.6 bn) would rank between China's and Mexico's.
    ("EU27", 605_760.4, 370_189.2, Some(2)),
    ("CAN", 412_695.7, 349_359.9, None),
    ("IND", 87_416.4, 41_752.7, None),
    ("CHE", 63_425.3, 24_962.0, None),
    ("TWN", 116_264.0, 42_336.9, Some(6)),
];

#[test]
fn every_partner_brief_holds_census_and_has_its_sections() {
    let store = Store::embedded();
    let engine = Engine::new(&store, "us-2025", "us-2024-baseline", Some("2025-11-17".parse().unwrap())).unwrap();
    let options = BriefOptions { general_equilibrium: false, ..BriefOptions::default() };
    for (partner, imports_m, exports_m, rank) in FT900_2024 {
        let b = build_with(&engine, &BriefSpec::for_partner(partner), &options, &mut |_| {}).unwrap_or_else(|e| panic!("{partner}: {e}"));
        let h = &b.summary["headline"];
        let num = |k: &str| h[k].as_f64().unwrap_or_else(|| panic!("{partner}: headline.{k} = {}", h[k]));
        assert!((num("imports_usd") / 1e6 - imports_m).abs() <= 0.1, "{partner} imports {} vs FT-900 {imports_m}", num("imports_usd") / 1e6);
        assert!((num("exports_usd") / 1e6 - exports_m).abs() <= 0.1, "{partner} exports {} vs FT-900 {exports_m}", num("exports_usd") / 1e6);
        assert!((num("balance_usd") - (num("exports_usd") - num("imports_usd"))).abs() < 1.0);
        if let Some(r) = rank {
            assert_eq!(h["deficit_rank"].as_u64(), Some(r), "{partner} deficit rank");
        }
        // Rates: above the baseline's on 2025-11-17 for every partner, below 60%.
        assert!(num("etr_pct") > num("baseline_etr_pct") && num("etr_pct") < 60.0, "{partner}: {} vs {}", num("etr_pct"), num("baseline_etr_pct"));
        assert!(num("duties_usd") > 0.0);
        assert_eq!(b.summary["partner"], partner);
        assert_eq!(b.summary["date"], "2025-11-17");
        let charts = b.document.sections.iter().flat_map(|s| &s.blocks).filter(|x| matches!(x, Block::Chart(_))).count();
        assert!(charts >= 5, "{partner}: {charts} charts");
        for id in ["summary", "trade", "exposure", "tariffs", "third-countries", "effects", "method"] {
            assert!(b.document.sections.iter().any(|s| s.id == id), "{partner}: no section {id}");
        }
        // No country is written into the common sections: Japan appears in no other brief's text
        // except as a competitor or a GE country.
        let text = kanzei_report::document::to_text(&b.document, 100).unwrap();
        assert!(!text.contains("Japan's LNG") && !text.contains("Toyota"), "{partner}: Japan-only text leaked");
        // The exposure by chapter adds up to the imports for consumption.
        let chapters: f64 = b.summary["exposure"]["chapters"].as_array().unwrap().iter().map(|c| c["imports_usd"].as_f64().unwrap()).sum();
        assert!((chapters - num("imports_for_consumption_usd")).abs() < 1.0);
    }
}

#[test]
fn groups_and_partner_specific_sections() {
    let store = Store::embedded();
    let engine = Engine::new(&store, "us-2025", "us-2024-baseline", Some("2025-11-17".parse().unwrap())).unwrap();
    let options = BriefOptions { general_equilibrium: false, ..BriefOptions::default() };
    // The EU's rate lies between its members' lowest and highest, weighted by their trade.
    let eu = build_with(&engine, &BriefSpec::for_partner("EU27"), &options, &mut |_| {}).unwrap();
    let etr = |b: &kanzei_report::brief::Brief| b.summary["headline"]["etr_pct"].as_f64().unwrap();
    let members: Vec<f64> = ["DEU", "IRL", "ITA", "FRA"].iter().map(|p| etr(&build_with(&engine, &BriefSpec::for_partner(p), &options, &mut |_| {}).unwrap())).collect();
    let (lo, hi) = members.iter().fold((f64::MAX, f64::MIN), |a, &v| (a.0.min(v), a.1.max(v)));
    assert!(etr(&eu) > lo - 3.0 && etr(&eu) < hi + 3.0, "EU {} vs members {members:?}", etr(&eu));
    assert_eq!(eu.summary["value_added"]["available"], true);
    // A name resolves like a code.
    let by_name = build_with(&engine, &BriefSpec::for_partner("Korea"), &options, &mut |_| {}).unwrap();
    assert_eq!(by_name.summary["partner"], "KOR");
    // Japan-only sections are refused for another partner, naming the section.
    let spec = BriefSpec { sections: vec![SectionKind::Trade, SectionKind::LngOffsets], ..BriefSpec::for_partner("KOR") };
    let err = build_with(&engine, &spec, &options, &mut |_| {}).unwrap_err().to_string();
    assert!(err.contains("lng-offsets") && err.contains("JPN"), "{err}");
    // Aggregates and unknown partners are errors with a hint.
    let err = build_with(&engine, &BriefSpec::for_partner("WLD"), &options, &mut |_| {}).unwrap_err().to_string();
    assert!(err.contains("aggregate"), "{err}");
    let err = build_with(&engine, &BriefSpec::for_partner("Japn"), &options, &mut |_| {}).unwrap_err().to_string();
    assert!(err.contains("did you mean JPN"), "{err}");
}

#[test]
fn default_date_is_the_scenarios_last_event() {
    let store = Store::embedded();
    let engine = Engine::new(&store, "us-2025", "us-2024-baseline", None).unwrap();
    let last = kanzei_report::brief::last_event_date(engine.scenario()).unwrap();
    assert_eq!(engine.date(), last);
    let options = BriefOptions { general_equilibrium: false, ..BriefOptions::default() };
    let b = build_with(&engine, &BriefSpec::for_partner("VNM"), &options, &mut |_| {}).unwrap();
    assert_eq!(b.summary["date"], last.to_string());
    assert_eq!(b.summary["date_is_last_event"], true);
    assert!(b.warnings.is_empty());
    // Vietnam is not a WIOD 2011 region: the value-added section says so instead of a number.
    assert_eq!(b.summary["value_added"]["available"], false);
    // A date after the last event warns.
    let later = Engine::new(&store, "us-2025", "us-2024-baseline", Some(last.add_days(30))).unwrap();
    let b = build_with(&later, &BriefSpec::for_partner("VNM"), &options, &mut |_| {}).unwrap();
    assert!(b.warnings.iter().any(|w| w.contains(&last.to_string())), "{:?}", b.warnings);
}
