//! Invariants of the stacking law, on random rates and real cells: a zero-rate measure
//! changes nothing; adding an `add` measure never lowers a rate; a floor never raises a rate
//! whose base is already above it.

mod common;

use proptest::prelude::*;

fn scenario_with(measure: &str) -> kanzei_tariff::Scenario {
    common::scenario_text(&format!(
        "schema = 1\nid = \"prop\"\nextends = \"us-2025\"\n\n[[measure]]\nid = \"prop-measure\"\nauthority = \"other\"\nexporters = [\"JPN\", \"CHN\", \"MEX\", \"DEU\"]\nproducts = [\"87\", \"72\", \"85\", \"01\"]\neffective = \"2025-01-01\"\n{measure}\n"
    ))
}

fn rates(scenario: &kanzei_tariff::Scenario, date: &str) -> Vec<f64> {
    let data = common::data();
    let (_, compiled) = data.compile(scenario);
    compiled.evaluate(date.parse().unwrap()).total_pct
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]

    #[test]
    fn zero_rate_measures_change_nothing(stacking in prop::sample::select(vec!["add", "max", "floor"]), day in 0i64..500) {
        let date = kanzei_tariff::Date::new(2025, 1, 1).unwrap().add_days(day).to_string();
        let base = rates(&common::scenario("us-2025"), &date);
        let with = rates(&scenario_with(&format!("rate_pct = 0\nstacking = \"{stacking}\"")), &date);
        prop_assert_eq!(base, with);
    }

    #[test]
    fn adding_an_add_measure_never_lowers_a_rate(rate in 0.0f64..150.0, day in 0i64..500) {
        let date = kanzei_tariff::Date::new(2025, 1, 1).unwrap().add_days(day).to_string();
        let base = rates(&common::scenario("us-2025"), &date);
        let with = rates(&scenario_with(&format!("rate_pct = {rate}")), &date);
        for (b, w) in base.iter().zip(&with) {
            prop_assert!(w >= b);
        }
    }

    #[test]
    fn floors_never_raise_a_rate_whose_base_is_above_them(floor in 0.0f64..30.0) {
        // A floor-only scenario on the 2024 base: cells whose MFN base is at or above the
        // floor keep exactly their base.
        let data = common::data();
        let s = common::scenario_text(&format!(
            "schema = 1\nid = \"f\"\nimporter = \"USA\"\n\n[[measure]]\nid = \"floor\"\nauthority = \"ieepa-reciprocal\"\nexporters = \"all\"\nproducts = \"all\"\nrate_pct = {floor}\nstacking = \"floor\"\neffective = \"2025-01-01\"\n"
        ));
        let (cells, compiled) = data.compile(&s);
        let e = compiled.evaluate("2025-06-01".parse().unwrap());
        for i in 0..cells.cells.len() {
            let base = compiled.base_pct(i);
            if base >= floor {
                prop_assert!((e.total_pct[i] - base).abs() < 1e-12);
            } else {
                prop_assert!((e.total_pct[i] - floor).abs() < 1e-9);
            }
        }
    }
}
