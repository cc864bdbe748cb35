//! Issue 14, "The U.S.–Japan brief, audited": the brief names the bulletin and quotes it,
//! knows only the developments its date reaches (the 2026 IEEPA ruling and the Section 122
//! surcharge appear when built after 2026-02-20, not on 2025-11-17), holds the models against
//! Japan's 2025 customs statistics, and gives every ledger parameter a source and a date.
//!
//! Published figures asserted here: Japan MOF, exports to the U.S. 2024 ¥21,294.8 bn and 2025
//! ¥20,374.4 bn (−4.3%), cars ¥5,900.7 bn → ¥5,262.5 bn (−10.8%), parts −10.7%, iron and steel
//! products −16.4%, motor vehicles −11.4% (derived_trade_year.csv of the MOF folder, summed by
//! hand); IMF WEO October 2025: Japan's FY2022 GDP ¥560,606.9 bn, 2024 implied rate ¥151.37/$.

use kanzei_data::Store;
use kanzei_report::brief::{build, Brief, BriefOptions, BriefSpec};
use kanzei_report::document::to_markdown;
use serde_json::Value;

fn brief(date: Option<&str>, ge: bool) -> Brief {
    let options = BriefOptions { date: date.map(|d| d.parse().unwrap()), general_equilibrium: ge, ..BriefOptions::default() };
    let spec = BriefSpec::shipped("us-japan-2025").unwrap();
    build(&Store::embedded(), &spec, &options, &mut |_| {}).unwrap_or_else(|e| panic!("brief on {date:?}: {e}"))
}

fn observed<'a>(b: &'a Brief, item: &str, year: i64) -> &'a Value {
    b.summary["observed"].as_array().unwrap().iter().find(|r| r["item"] == item && r["year"] == year).unwrap_or_else(|| panic!("no observed row {item} {year}"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn observed_changes_are_japans_customs_statistics_beside_the_models() {
    let b = brief(Some("2025-11-17"), false);
    // Japan MOF, 2025 against 2024, in yen.
    for (item, expected) in [("Total", -4.32), ("Cars", -10.82), ("Parts of motor vehicles", -10.74), ("Iron and steel products", -16.43), ("Motor vehicles", -11.37)] {
        let got = f(&observed(&b, item, 2025)["change_pct_jpy"]);
        assert!((got - expected).abs() < 0.01, "{item}: {got}");
    }
    let total = observed(&b, "Total", 2025);
    assert_eq!(format!("{:.1}", f(&total["change_pct_jpy"])), "-4.3");
    assert_eq!(format!("{:.1}", f(&observed(&b, "Cars", 2025)["change_pct_jpy"])), "-10.8");
    assert!((f(&total["base_value_jpy"]) / 1e9 - 21_294.78).abs() < 0.01 && (f(&total["value_jpy"]) / 1e9 - 20_374.43).abs() < 0.01);
    // Dollars at each year's WEO-implied rate: the yen weakened less than exports fell.
    assert!(f(&total["change_pct_usd"]) > f(&total["change_pct_jpy"]));
    // Without general equilibrium only SMART (cars, HS 8703) maps; the rest is null.
    let cars = observed(&b, "Cars", 2025);
    assert_eq!(cars["model"], "smart");
    assert!(f(&cars["model_change_pct"]) < 0.0, "SMART on 2025-11-17: {}", cars["model_change_pct"]);
    assert!(total["model_change_pct"].is_null() && observed(&b, "Parts of motor vehicles", 2025)["model_change_pct"].is_null());
    // Only complete years: 2026 holds January–March only and has no row.
    assert!(b.summary["observed"].as_array().unwrap().iter().all(|r| r["year"] == 2025));
}

#[test]
fn the_brief_knows_what_its_date_reaches() {
    let early = brief(Some("2025-11-17"), false);
    let current = brief(None, true);
    let text = |b: &Brief| to_markdown(&b.document).unwrap().replace("\\$", "$").replace("\\_", "_");
    let (early_text, current_text) = (text(&early), text(&current));
    // The default date is the scenario's last dated event, after the ruling.
    assert_eq!((current.summary["date"].as_str(), current.summary["date_is_last_event"].as_bool()), (Some("2026-08-19"), Some(true)));
    for needle in ["Supreme Court", "Section 122", "refund"] {
        assert!(current_text.contains(needle), "the current brief mentions {needle}");
        assert!(!early_text.contains(needle), "the brief of 2025-11-17 does not mention {needle}");
    }
    let ids = |b: &Brief| b.summary["what_next"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&early), ["reciprocal-april", "autos-tariff-232", "defence-us-ask", "steel-tariff", "nippon-steel-completed", "reciprocal-deal", "investment-vehicle", "autos-tariff-deal", "defence-2pct-reached"]);
    assert!(ids(&current).iter().any(|i| i == "ieepa-ruling") && ids(&current).iter().any(|i| i == "canada-338") && ids(&current).len() == 16);
    // The bulletin is named in the opening and the method, and quoted with its paragraph.
    for t in [&early_text, &current_text] {
        for needle in ["PISM Bulletin No. 30 (2531)", "Oskar Pietrewicz", "11 March 2025", "Polish Institute of International Affairs"] {
            assert!(t.matches(needle).count() >= 2, "{needle} in the opening and the method");
        }
        assert!(t.contains("the bulletin, ¶5: “According to U.S. data, U.S. merchandise trade with Japan amounted to $228 billion in 2024"), "quotes printed");
        assert!(!t.contains("years of the 2024 goods deficit"), "no scaling of the pledge by the deficit");
        assert!(t.contains("its exports to the United States fell 4.3% in yen in 2025 (cars fell 10.8%)"), "the summary says what happened");
    }
    // The $550 bn vehicle is dated 2025-09-04: known to both; the ruling only to the current one.
    assert!(early.summary["offsets"]["investment_vehicle"]["value"].as_f64() == Some(550e9));
    // With general equilibrium every MOF group maps to a model.
    let rows = current.summary["observed"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["model_change_pct"].is_number()), "{rows:?}");
    assert!(rows.iter().all(|r| r["ge_change_pct"].is_number()));
}

#[test]
fn ledger_parameters_carry_source_and_date() {
    let b = brief(Some("2025-11-17"), false);
    let has_source = |v: &Value, what: &str| {
        assert!(v["source"].as_str().is_some_and(|s| s.len() > 10), "{what}: source");
        assert!(v["as_of"].as_str().is_some_and(|s| s.len() >= 4), "{what}: as_of");
    };
    // The pledge: a stock target from the $783.3 bn 2023 position (BEA), so about $217 bn added.
    let pledge = &b.summary["offsets"]["pledge"];
    has_source(pledge, "pledge");
    assert_eq!((f(&pledge["target_usd"]), f(&pledge["position_2023_usd"])), (1e12, 783.3e9));
    assert!((f(&pledge["added_usd"]) - 216.7e9).abs() < 1e6);
    for p in pledge["parameters"].as_array().unwrap() {
        has_source(p, "pledge parameter");
    }
    has_source(&b.summary["offsets"]["investment_vehicle"], "the $550 bn vehicle");
    // Defence on Japan's definition: 2% of FY2022 GDP (¥560.6 tn) is ¥11.2 tn; 1.6% of it in
    // FY2024 is ¥8.97 tn, 1.47% of FY2024 GDP (¥608.4 tn).
    let defence = &b.summary["alliance"]["defence"];
    has_source(defence, "defence target");
    assert_eq!(f(&defence["base_gdp_jpy"]), 560_606.9e9);
    assert!((f(&defence["target_jpy"]) / 1e12 - 11.212).abs() < 0.001);
    let fy2024 = &defence["by_year"][0];
    assert_eq!(fy2024["fiscal_year"], 2024);
    let plan = &fy2024["paths"][0];
    assert!((f(&plan["jpy"]) / 1e12 - 8.970).abs() < 0.001, "{plan}");
    assert!((f(&plan["same_year_gdp_pct"]) - 1.4743).abs() < 0.001, "{plan}");
    for p in defence["parameters"].as_array().unwrap() {
        has_source(p, "defence parameter");
    }
    // Host-nation support: ¥211 bn a year under the FY2022–26 agreement, expiring 2027-03-31;
    // $1.39 bn at 2024's rate (¥151.37/$).
    let hns = &b.summary["alliance"]["host_nation_support"];
    has_source(hns, "host-nation support");
    assert_eq!((f(&hns["jpy_per_year"]), hns["expires"].as_str()), (211e9, Some("2027-03-31")));
    let y2024 = hns["by_year"].as_array().unwrap().iter().find(|y| y["fiscal_year"] == 2024).unwrap();
    assert!((f(&y2024["usd"]) / 1e9 - 1.394).abs() < 0.001, "{y2024}");
    // LNG: the basis of each rank is stated.
    assert_eq!(b.summary["offsets"]["us_rank_by_value"], 4);
    assert_eq!(b.summary["offsets"]["us_rank_by_volume"]["value"], 3.0);
    has_source(&b.summary["offsets"]["us_rank_by_volume"], "LNG volume rank");
}
