//! The 2024 baseline scenario against what Census actually collected in 2024 (calculated
//! duty on imports for consumption). Census: $76.16 bn of duty on $3,251.15 bn, 2.343%.

mod common;

use kanzei_tariff::analysis::compare_census;
use kanzei_tariff::engine::Compiled;

#[test]
fn overall_etr_within_0_4_points_of_census() {
    let data = common::data();
    let scenario = common::scenario("us-2024-baseline");
    let (cells, compiled) = data.compile(&scenario);
    let (census, model, rows) = compare_census(&compiled, &cells, "2024-07-01".parse().unwrap(), &data.schedule, data.registry, 15);
    assert!((census - 2.343).abs() < 0.001, "Census ETR {census}");
    assert!((model - census).abs() < 0.4, "model {model} vs Census {census}");
    // The 15 largest partners: within 1 point, China within 2 (Section 301 detail).
    assert_eq!(rows.len(), 15);
    for r in &rows {
        let tolerance = if r.partner == "CHN" { 2.0 } else { 1.0 };
        assert!(r.gap_pp.abs() < tolerance, "{} {}: model {:.2}% vs Census {:.2}%", r.partner, r.name, r.model_etr_pct, r.census_etr_pct);
    }
    // Every dollar of the HS2 file is a cell (the EU aggregate row is set aside, not lost).
    assert!(cells.coverage.reconciles(1e-12));
    assert!((cells.total_value() / 1e9 - 3251.15).abs() < 0.01);
}

#[test]
fn japan_2024_matches_census_closely() {
    // Japan pays MFN only in 2024 (cars 2.5%); Census: 1.51%.
    let data = common::data();
    let scenario = common::scenario("us-2024-baseline");
    let (cells, compiled) = data.compile(&scenario);
    let (_, _, rows) = compare_census(&compiled, &cells, "2024-07-01".parse().unwrap(), &data.schedule, data.registry, 15);
    let japan = rows.iter().find(|r| r.partner == "JPN").unwrap();
    assert!((japan.census_etr_pct - 1.51).abs() < 0.01);
    assert!(japan.gap_pp.abs() < 0.1, "{japan:?}");
}

#[test]
fn zero_rate_baseline_keeps_only_mfn() {
    // A scenario with no measures is the base schedule: its ETR is below the baseline's,
    // which adds Section 301 and 232 on top.
    let data = common::data();
    let bare = common::scenario_text("schema = 1\nid = \"mfn-only\"\nimporter = \"USA\"\n");
    let (cells, bare_c) = data.compile(&bare);
    let full = Compiled::new(&common::scenario("us-2024-baseline"), &cells, &data.schedule, &data.inputs);
    let date = "2024-07-01".parse().unwrap();
    let etr = |c: &Compiled| {
        let e = c.evaluate(date);
        cells.cells.iter().zip(&e.total_pct).map(|(c, r)| c.value_usd * r).sum::<f64>() / cells.total_value()
    };
    let (b, f) = (etr(&bare_c), etr(&full));
    assert!(b > 1.0 && b < 1.3, "MFN-only ETR {b}");
    assert!(f > b + 1.0, "301 and 232 add more than a point: {f} vs {b}");
}
