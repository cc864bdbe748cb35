//! Issue 10, part 3: no silent defaults in the tariff engine. Each test asserts a real number
//! on the embedded 2024 data; the values before the fix are in the comments.

mod common;

use std::collections::BTreeMap;

use kanzei_core::{AreaCode, HsCode, HsVintage};
use kanzei_tariff::analysis::{self, GroupBy};
use kanzei_tariff::assumptions::{Assumption, ALL};
use kanzei_tariff::cells::Granularity;
use kanzei_tariff::scenario::AppliesTo;
use kanzei_tariff::schedule::MfnSource;
use kanzei_tariff::Date;

fn area(code: &str) -> AreaCode {
    AreaCode::new(code).unwrap()
}

fn nov17() -> Date {
    "2025-11-17".parse().unwrap()
}

fn hs(code: &str) -> HsCode {
    HsCode::parse(code).unwrap().with_vintage(HsVintage::Hs2022)
}

/// Was 50.00%: 0.5 steel and 0.5 aluminum content assumed for a line missing from the BEA
/// table. Its HS8 siblings (3004.90.92.xx, BEA industry 325412) have 0.0012 steel and 0.0005
/// aluminum, so the line pays 0.09%, like its sibling 3004.90.92.15.
#[test]
fn issue_10_swiss_pharmaceutical_line_without_a_metal_row_pays_its_siblings_rate() {
    let data = common::data();
    let s = common::scenario("us-2025");
    let e = analysis::explain(data, &s, area("CHE"), hs("3004909221"), nov17(), String::new());
    let sibling = analysis::explain(data, &s, area("CHE"), hs("3004909215"), nov17(), String::new());
    assert!(e.total_pct <= 5.0, "{}", e.total_pct);
    assert!((e.total_pct - sibling.total_pct).abs() < 0.01, "{} vs {}", e.total_pct, sibling.total_pct);
    assert!((e.total_pct - 0.09).abs() < 0.01, "{}", e.total_pct);
    let metal_steps: Vec<_> = e.steps.iter().filter(|s| s.contribution_pp > 0.0).collect();
    assert_eq!(metal_steps.len(), 2);
    for step in metal_steps {
        assert_eq!(step.assumptions, vec!["metal-content-sibling".to_string()]);
        let basis = step.share_basis.as_deref().unwrap();
        assert!(basis.contains("mean of the 26 lines under 3004.90.92"), "{basis}");
    }
    assert_eq!(e.assumptions, vec!["metal-content-sibling".to_string()]);
    assert!((e.imports_2024_usd - 2_422.7e6).abs() < 0.1e6, "{}", e.imports_2024_usd);
}

/// On 2025-11-17, before the fix: ETR 16.41%, Section 232 $193.4 bn, IEEPA reciprocal
/// $156.0 bn, chapter 30 at 9.58% ($20.8 bn). After: 15.45%, $174.3 bn, $144.9 bn, 0.86%.
#[test]
fn issue_10_section_232_and_reciprocal_totals_on_2025_11_17() {
    let data = common::data();
    let (cells, compiled) = data.compile(&common::scenario("us-2025"));
    let names = BTreeMap::new();
    let by_authority = analysis::rates(&compiled, &cells, nov17(), None, GroupBy::Authority, data.registry, &names);
    let revenue = |key: &str| by_authority.groups.iter().find(|g| g.key == key).map(|g| g.revenue_usd).unwrap();
    let (s232, reciprocal) = (revenue("s232"), revenue("ieepa-reciprocal"));
    eprintln!("ETR {:.2}%; s232 ${:.1} bn; ieepa-reciprocal ${:.1} bn", by_authority.etr_pct, s232 / 1e9, reciprocal / 1e9);
    assert!((by_authority.etr_pct - 15.45).abs() < 0.05, "{}", by_authority.etr_pct);
    assert!((s232 / 1e9 - 174.3).abs() < 1.0, "{s232}");
    assert!((reciprocal / 1e9 - 144.9).abs() < 1.0, "{reciprocal}");
    let by_chapter = analysis::rates(&compiled, &cells, nov17(), None, GroupBy::Hs2, data.registry, &names);
    let ch30 = by_chapter.groups.iter().find(|g| g.key == "30").unwrap();
    assert!(ch30.etr_pct < 1.0 && ch30.revenue_usd < 2.0e9, "{} {}", ch30.etr_pct, ch30.revenue_usd);
    // Japan changes only in chapter 30 (was 15.48%).
    let by_partner = analysis::rates(&compiled, &cells, nov17(), None, GroupBy::Partner, data.registry, &names);
    let japan = by_partner.groups.iter().find(|g| g.key == "JPN").unwrap();
    assert!((japan.etr_pct - 15.12).abs() < 0.01, "{}", japan.etr_pct);
}

/// The rules reported cover every cell that needed one, checked against the data directly
/// rather than against the engine's own flags.
#[test]
fn issue_10_assumptions_cover_every_cell_that_used_a_fallback() {
    let data = common::data();
    let scenario = common::scenario("us-2025");
    let (cells, compiled) = data.compile(&scenario);
    let eval = compiled.evaluate(nov17());
    let report = analysis::rates(&compiled, &cells, nov17(), None, GroupBy::Partner, data.registry, &BTreeMap::new());
    // The report's counts are the sums of the per-cell flags.
    for rule in ALL {
        let (n, value) = cells
            .cells
            .iter()
            .zip(&eval.assumptions)
            .filter(|(_, a)| a.contains(rule))
            .fold((0usize, 0.0), |(n, v), (c, _)| (n + 1, v + c.value_usd));
        let reported = report.assumptions.iter().find(|a| a.rule == rule.name());
        assert_eq!(reported.map_or(0, |a| a.cells), n, "{}", rule.name());
        assert!((reported.map_or(0.0, |a| a.value_usd) - value).abs() < 1.0, "{}", rule.name());
    }
    // Independently: every proxy cell, every MFN rate not read from the HTS, every metal
    // share that added duty without the line's own BEA row is flagged.
    let metal_kinds = [AppliesTo::SteelContent, AppliesTo::AluminumContent, AppliesTo::CopperContent];
    let mut checked_metal = 0;
    for (i, cell) in cells.cells.iter().enumerate() {
        let used = eval.assumptions[i];
        if cell.granularity == Granularity::Hs2Proxy {
            assert!(used.contains(Assumption::Hs2ProxyMix), "{cell:?}");
            continue;
        }
        match data.schedule.mfn(cell.code).source {
            MfnSource::Ave2024 => assert!(used.contains(Assumption::MfnAve2024), "{cell:?}"),
            MfnSource::AdValoremPartOnly => assert!(used.contains(Assumption::MfnAdValoremPartOnly), "{cell:?}"),
            MfnSource::NotInSchedule => assert!(used.contains(Assumption::MfnNotInSchedule), "{cell:?}"),
            MfnSource::Hts => {}
        }
        let primary = matches!(cell.code.chapter_number(), 72 | 73 | 74 | 76);
        let has_row = data.inputs.metal.contains_key(&cell.code.with_vintage(HsVintage::Unspecified));
        if primary || has_row {
            continue;
        }
        // Section 232 duty owed where every Section 232 measure in force on the cell is a
        // metal-content one: that duty rests on the line's metal content.
        let s232_in_force: Vec<AppliesTo> = compiled
            .cell_entries(i)
            .iter()
            .filter(|&&(mi, _, _, exempt, _)| {
                let m = &scenario.measures[mi];
                m.authority.as_str() == "s232" && m.in_force(nov17()) && exempt.is_none_or(|d| d > nov17())
            })
            .map(|&(mi, ..)| scenario.measures[mi].applies_to)
            .collect();
        let metal_paid = !s232_in_force.is_empty()
            && s232_in_force.iter().all(|a| metal_kinds.contains(a))
            && eval.by_slot[i][1 + kanzei_tariff::scenario::AUTHORITIES.iter().position(|(n, _)| *n == "s232").unwrap()] > 0.0;
        if metal_paid {
            checked_metal += 1;
            assert!(used.contains(Assumption::MetalContentSibling) || used.contains(Assumption::MetalContentFlat), "{cell:?}");
        }
    }
    assert!(checked_metal > 100, "{checked_metal}");
    assert!(report.assumptions.iter().any(|a| a.rule == "metal-content-sibling" && a.cells >= checked_metal));
}

/// Germany has no HS10 data: its chapters borrow the EU mix. Before the fix, the solar
/// safeguard "hit" all $11.2 bn of its chapter 85 and Section 232 $141.0 bn of $160.2 bn
/// (94.1% of value hit). Now only the mix's matched lines count: the two solar lines are
/// $13 M, Section 232 $69.9 bn, 70.0% hit.
#[test]
fn issue_10_germany_share_hit_uses_the_proxy_mix() {
    let data = common::data();
    let (cells, compiled) = data.compile(&common::scenario("us-2025"));
    let e = analysis::exposure(&compiled, &cells, nov17(), area("DEU"), data.registry, &BTreeMap::new());
    let hit = |key: &str| e.by_authority.iter().find(|g| g.key == key).map_or(0.0, |g| g.imports_usd);
    eprintln!("DEU: {:.1}% hit; s232 ${:.1} bn, s201 ${:.1} M", e.share_hit_pct, hit("s232") / 1e9, hit("s201") / 1e6);
    assert!((e.imports_usd / 1e9 - 160.2).abs() < 0.1);
    assert!((e.share_hit_pct - 70.0).abs() < 0.5, "{}", e.share_hit_pct);
    assert!(hit("s201") < 50e6, "{}", hit("s201"));
    assert!((hit("s232") / 1e9 - 69.9).abs() < 0.5, "{}", hit("s232"));
    // A rate on hit above the EU's 15% floor would mean value hit was undercounted.
    let reciprocal = e.by_authority.iter().find(|g| g.key == "ieepa-reciprocal").unwrap();
    assert!(reciprocal.etr_pct <= 15.0 + 1e-9, "{}", reciprocal.etr_pct);
}

/// Was "ETR 0.00% on 0 $M": the EU27 importer had no cells. Now its cells are the sum of
/// the members' 2024 U.S. exports by chapter.
#[test]
fn issue_10_eu27_as_importer_evaluates_on_its_members_imports_from_the_us() {
    let data = common::data();
    let text = r#"schema = 1
id = "eu-test"
importer = "EU27"
title = "EU counter-tariffs"

[base]
mfn = false
preferences = false

[[measure]]
id = "eu-cars"
authority = "retaliation"
legal = "test"
exporters = ["USA"]
products = ["87"]
rate_pct = 25
effective = "2025-06-01"

[[measure]]
id = "eu-whiskey"
authority = "retaliation"
legal = "test"
exporters = ["USA"]
products = ["2208"]
rate_pct = 50
effective = "2025-06-01"
"#;
    let scenario = common::scenario_text(text);
    let (cells, compiled) = data.compile(&scenario);
    let members: f64 = cells.cells.iter().map(|c| c.value_usd).sum();
    let germany = data.exports.by_chapter(&[area("DEU")], 2024).values().sum::<f64>();
    assert!(members > 300e9 && members > 3.0 * germany, "{members} {germany}");
    let report = analysis::rates(&compiled, &cells, nov17(), None, GroupBy::Hs2, data.registry, &BTreeMap::new());
    let ch87 = report.groups.iter().find(|g| g.key == "87").unwrap();
    assert!((ch87.etr_pct - 25.0).abs() < 1e-9, "{}", ch87.etr_pct);
    assert!(report.etr_pct > 1.0, "{}", report.etr_pct);
    // Heading 2208 is part of chapter 22, and EU exports are known by chapter only: the whole
    // chapter is taken (an upper bound), and the report says so.
    let rule = report.assumptions.iter().find(|a| a.rule == "hs2-export-whole-chapter").unwrap();
    assert_eq!(rule.cells, 1);
    let ch22 = report.groups.iter().find(|g| g.key == "22").unwrap();
    assert!((rule.value_usd - ch22.imports_usd).abs() < 1.0);
}

/// General equilibrium takes one importer's tariffs to one WIOD region: a group importer is
/// an error naming it, not the rest of the world's tariffs.
#[test]
fn issue_10_sector_tariffs_of_a_group_importer_are_an_error() {
    let data = common::data();
    let text = "schema = 1\nid = \"eu\"\nimporter = \"EU27\"\n\n[base]\nmfn = false\npreferences = false\n\n[[measure]]\nid = \"m\"\nauthority = \"retaliation\"\nexporters = [\"USA\"]\nproducts = [\"87\"]\nrate_pct = 25\neffective = \"2025-06-01\"\n";
    let (cells, compiled) = data.compile(&common::scenario_text(text));
    let map = kanzei_data::Store::embedded().hs_to_wiod().expect("embedded concordance");
    let err = kanzei_tariff::sectors::sector_tariffs(&cells, &compiled.evaluate(nov17()), &map).unwrap_err().to_string();
    assert!(err.starts_with("the importer `EU27` is a group; sector tariffs map one importer to one WIOD region"), "{err}");
}

#[test]
fn issue_10_a_statistical_aggregate_is_not_an_importer() {
    let data = common::data();
    let text = "schema = 1\nid = \"t\"\nimporter = \"ATP\"\n";
    let err = kanzei_tariff::library::Library::shipped()
        .load_text("my.toml", text, &kanzei_tariff::library::vocabulary(data.registry, &data.inputs))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "`my.toml` line 3, key `importer`: `ATP` (Advanced Technology Products) is not a country or a group of countries and cannot be an importer; give an ISO3 code (e.g. \"CAN\") or a group such as \"EU27\""
    );
}

/// Was "no 2024 imports of the line" while `trade partner EU27 --by hs10` shows $12.07 bn.
/// EU members have no HS10 data: each member's line value is its chapter 30 value times the
/// line's share of the EU mix, and those add up to the EU aggregate's HS10 row.
#[test]
fn issue_10_explain_finds_the_line_for_a_group() {
    let data = common::data();
    let s = common::scenario("us-2025");
    let e = analysis::explain(data, &s, area("EU27"), hs("3004909215"), nov17(), String::new());
    eprintln!("EU27 3004.90.92.15: ${:.2} bn at {:.2}%", e.imports_2024_usd / 1e9, e.total_pct);
    assert!((e.imports_2024_usd / 1e9 - 12.07).abs() < 0.01, "{}", e.imports_2024_usd);
    assert_eq!(e.members.len(), 27);
    assert!(e.members.iter().all(|m| (m.total_pct - e.total_pct).abs() < 0.01));
    assert!(e.assumptions.contains(&"hs2-proxy-mix".to_string()));
    assert_eq!(e.partner, area("EU27"));
    assert_eq!(e.steps_for, area("IRL"));
}
