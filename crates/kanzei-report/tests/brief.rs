//! The U.S.–Japan brief built from the embedded data on two dates: the trade picture does not
//! depend on the date, the tariff and effects sections do, and in the way the enacted
//! schedule says (before the March 2025 measures Japan pays its 2024 rates; after the
//! agreement it pays about 15%).

use kanzei_data::Store;
use kanzei_report::brief::{build, Brief, BriefOptions, BriefSpec};
use kanzei_report::document::{to_html, to_markdown, to_text, Block, Section};

fn brief(date: &str, ge: bool) -> Brief {
    let options = BriefOptions { date: Some(date.parse().unwrap()), general_equilibrium: ge, ..BriefOptions::default() };
    let mut stages = Vec::new();
    let spec = BriefSpec::shipped("us-japan-2025").unwrap();
    let b = build(&Store::embedded(), &spec, &options, &mut |s| stages.push(s.to_string())).unwrap_or_else(|e| panic!("brief on {date}: {e}"));
    assert!(stages.len() >= 10, "progress is reported per stage: {stages:?}");
    b
}

fn section<'a>(b: &'a Brief, id: &str) -> &'a Section {
    b.document.sections.iter().find(|s| s.id == id).unwrap_or_else(|| panic!("no section {id}"))
}

fn num(b: &Brief, path: &[&str]) -> f64 {
    let mut v = &b.summary;
    for p in path {
        v = &v[*p];
    }
    v.as_f64().unwrap_or_else(|| panic!("{path:?} is not a number: {v}"))
}

#[test]
fn two_dates_change_tariffs_and_effects_but_not_trade() {
    let early = brief("2025-03-01", true);
    let late = brief("2025-11-17", true);

    // Trade facts are 2024 data: identical.
    assert_eq!(section(&early, "trade"), section(&late, "trade"));
    assert!((num(&late, &["trade", "total_usd"]) - 227_949.4e6).abs() < 0.1e6);
    assert!((num(&late, &["trade", "balance_usd"]) + 68_467.8e6).abs() < 0.1e6);
    assert_eq!(num(&late, &["trade", "deficit_rank"]), 7.0);

    // Tariffs: on March 1, 2025 nothing new applies to Japan (steel and aluminium start on
    // March 12, autos on April 3), so its rate is the 2024 regime's; on November 17 the
    // agreement's 15% floor, the auto deal and the metals duties give about 15.5%.
    let etr = |b: &Brief| num(b, &["tariffs", "etr_pct"]);
    let base = |b: &Brief| num(b, &["tariffs", "baseline_etr_pct"]);
    assert!((etr(&early) - base(&early)).abs() < 0.01, "{} vs {}", etr(&early), base(&early));
    assert!((1.3..1.7).contains(&base(&late)), "2024 regime on Japan: {}", base(&late));
    assert!((15.0..16.5).contains(&etr(&late)), "Japan on 2025-11-17: {}", etr(&late));
    assert_ne!(section(&early, "tariffs"), section(&late, "tariffs"));
    // The what-ifs: exempting Japan returns it to the 2024 regime; 24% instead of the deal raises it.
    let whatif = |b: &Brief, i: usize| b.summary["tariffs"]["what_ifs"][i]["etr_pct"].as_f64().unwrap();
    assert!((whatif(&late, 1) - base(&late)).abs() < 0.2, "japan-exempt: {}", whatif(&late, 1));
    assert!(whatif(&late, 2) > etr(&late) + 5.0, "japan-24pct: {}", whatif(&late, 2));

    // Effects: before any measure on Japan its car sales can only gain (diversion from the
    // February duties on China), and little; after, they fall.
    let cars = |b: &Brief| {
        assert_eq!(b.summary["effects"]["smart"]["product"], "8703");
        let rows = b.summary["effects"]["smart"]["groups"].as_array().unwrap();
        let jp = rows.iter().find(|r| r["exporter"] == "JPN").unwrap();
        jp["imports_after_usd"].as_f64().unwrap() - jp["imports_before_usd"].as_f64().unwrap()
    };
    assert!((0.0..1e9).contains(&cars(&early)), "SMART on 2025-03-01: {}", cars(&early));
    assert!(cars(&late) < -1e9, "SMART on 2025-11-17: {}", cars(&late));
    let welfare = |b: &Brief, i: usize| b.summary["effects"]["ge"]["real_income_pct_us_tariffs"][i].as_f64().unwrap();
    // General equilibrium (countries JPN, USA, CHN, CAN, MEX, KOR): on November 17 Japan loses
    // real income, Canada and Mexico lose more, and the U.S. change stays within ±1%
    // (Ignatenko et al. 2025; Rodríguez-Clare, Ulate and Vásquez 2025).
    assert!(welfare(&late, 0) < 0.0 && welfare(&late, 3) < welfare(&late, 0) && welfare(&late, 4) < welfare(&late, 0));
    assert!(welfare(&late, 1).abs() < 1.0, "U.S. real income: {}", welfare(&late, 1));
    assert!((welfare(&early, 0) - welfare(&late, 0)).abs() > 0.01, "GE unchanged by the date");
    // Bands (issue 12): 30 θ draws by default, the same draws for both runs; each shown
    // country's band is non-degenerate and holds the point estimate, and SMART's band
    // holds Japan's car sales change.
    let ge = &late.summary["effects"]["ge"];
    assert_eq!(ge["draws"]["succeeded"][0], 30, "{}", ge["draws"]);
    for i in 0..6 {
        let at = |key: &str| ge[key][i].as_f64().unwrap_or_else(|| panic!("{key}[{i}]: {}", ge[key][i]));
        let (lo, mid, hi) = (at("real_income_pct_us_tariffs_p5"), at("real_income_pct_us_tariffs_p50"), at("real_income_pct_us_tariffs_p95"));
        assert!(lo < mid && mid < hi && lo <= welfare(&late, i) && welfare(&late, i) <= hi, "country {i}: {lo} {mid} {hi} vs {}", welfare(&late, i));
    }
    let jp = late.summary["effects"]["smart"]["groups"].as_array().unwrap().iter().find(|r| r["exporter"] == "JPN").unwrap().clone();
    let (lo, hi, point) = (jp["imports_after_usd_p5"].as_f64().unwrap(), jp["imports_after_usd_p95"].as_f64().unwrap(), jp["imports_after_usd"].as_f64().unwrap());
    assert!(lo < hi && lo <= point && point <= hi, "SMART band {lo}..{hi} vs {point}");
    // The charts draw them as whiskers.
    let ge_chart = late.document.chart_files().into_iter().find(|(name, _)| name.contains("ge-real-income")).unwrap().1;
    assert_eq!(ge_chart.matches("class=\"error\"").count(), 6 * 2 * 3, "one whisker and two caps per bar");
    assert_ne!(section(&early, "effects"), section(&late, "effects"));

    // The document states its date and renders in every format; the HTML has no script and no URL.
    assert_eq!(late.document.metadata.date, "2025-11-17");
    let html = to_html(&late.document).unwrap();
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    assert!(html.contains("2025-11-17"));
    let md = to_markdown(&late.document).unwrap();
    for (name, _) in late.document.chart_files() {
        assert!(md.contains(name), "markdown links {name}");
    }
    let text = to_text(&late.document, 100).unwrap();
    assert!(text.contains("$227.9 bn") && text.contains("7th largest"), "{text}");
    let charts = late.document.sections.iter().flat_map(|s| &s.blocks).filter(|b| matches!(b, Block::Chart(_))).count();
    // Twelve charts, plus the collected-vs-statutory chart of the who-pays section (issue 11).
    assert_eq!(charts, 13);
    let who = &late.summary["who_pays"];
    let (all, japan) = (who["pce_price_change_pct"].as_f64().unwrap(), who["partner_pce_price_change_pct"].as_f64().unwrap());
    assert!(all > 0.5 && japan > 0.0 && japan < all / 5.0, "PCE {all}, of which Japan {japan}");
    assert_eq!(who["collected"].as_array().unwrap().len(), 24, "2024-01…2025-12");
    // The headline contract of brief.json.
    assert_eq!(late.summary["partner"], "JPN");
    let h = &late.summary["headline"];
    assert!((h["exports_usd"].as_f64().unwrap() - 79_740.8e6).abs() < 0.1e6 && (h["imports_usd"].as_f64().unwrap() - 148_208.6e6).abs() < 0.1e6);
    assert_eq!(h["deficit_rank"], 7);
    assert!((h["etr_pct"].as_f64().unwrap() - etr(&late)).abs() < 1e-12 && h["duties_usd"].as_f64().unwrap() > 2e10);
}
