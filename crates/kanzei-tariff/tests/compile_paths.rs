//! The compile's fast paths give the rates of the plain rule: a scenario compiled with the
//! data's shared code table equals one compiled from scratch on a copy of the cells, and
//! measures naming one or a few exporters (kept apart from broad ones per code and exporter)
//! still stack in scenario order.

mod common;

use kanzei_tariff::engine::Compiled;

#[test]
fn the_shared_code_table_gives_the_same_rates_as_a_fresh_compile() {
    let data = common::data();
    let date = "2025-11-17".parse().unwrap();
    for id in ["us-2025", "us-2024-baseline"] {
        let scenario = common::scenario(id);
        let shared = data.compile_on(&scenario, &data.us_cells).evaluate(date);
        let copy = data.us_cells.clone();
        let fresh = Compiled::new(&scenario, &copy, &data.schedule, &data.inputs).evaluate(date);
        assert_eq!(shared.total_pct, fresh.total_pct, "{id}");
        assert_eq!(shared.assumptions, fresh.assumptions, "{id}");
    }
}

/// Three measures on Japanese cars, in this order: +10% on every exporter, a replace to 5%
/// for Japan alone, then +1% on every exporter. In order, a Japanese 8703 line pays 5 + 1 = 6%
/// whatever its base; were the Japan-only measure applied last, it would pay 5%.
#[test]
fn a_single_exporter_measure_keeps_its_place_in_the_stack() {
    let data = common::data();
    let s = common::scenario_text(
        "schema = 1\nid = \"order\"\nimporter = \"USA\"\n\n\
         [[measure]]\nid = \"all-10\"\nauthority = \"other\"\nexporters = \"all\"\nproducts = [\"8703\"]\nrate_pct = 10\neffective = \"2025-01-01\"\n\n\
         [[measure]]\nid = \"jpn-replace-5\"\nauthority = \"other\"\nexporters = [\"JPN\"]\nproducts = [\"8703\"]\nrate_pct = 5\nstacking = \"replace\"\neffective = \"2025-01-01\"\n\n\
         [[measure]]\nid = \"all-1\"\nauthority = \"other\"\nexporters = \"all\"\nproducts = [\"8703\"]\nrate_pct = 1\neffective = \"2025-01-01\"\n",
    );
    let (cells, compiled) = data.compile(&s);
    let e = compiled.evaluate("2025-06-01".parse().unwrap());
    let (mut japan, mut korea) = (0, 0);
    for (c, cell) in cells.cells.iter().enumerate() {
        if cell.code.len() != 10 || !cell.code.to_string().starts_with("8703") {
            continue;
        }
        match cell.exporter.as_str() {
            "JPN" => {
                japan += 1;
                assert!((e.total_pct[c] - 6.0).abs() < 1e-9, "JPN {}: {}", cell.code, e.total_pct[c]);
            }
            "KOR" => {
                korea += 1;
                let expected = compiled.base_pct(c) + 11.0;
                assert!((e.total_pct[c] - expected).abs() < 1e-9, "KOR {}: {} vs {expected}", cell.code, e.total_pct[c]);
            }
            _ => {}
        }
    }
    // 2024 U.S. imports of cars had dozens of Japanese and Korean HS10 lines.
    assert!(japan >= 10 && korea >= 10, "{japan} Japanese and {korea} Korean 8703 lines");
}

/// `advance` re-evaluates only the cells a change can reach; at every breakpoint of us-2025
/// (and jumping back to the first), it must equal a full evaluation exactly.
#[test]
fn advancing_an_evaluation_equals_evaluating_from_scratch() {
    let data = common::data();
    let scenario = common::scenario("us-2025");
    let compiled = data.compile_on(&scenario, &data.us_cells);
    let index = compiled.change_index();
    let first: kanzei_tariff::Date = "2025-01-01".parse().unwrap();
    let mut eval = compiled.evaluate(first);
    let mut dates: Vec<kanzei_tariff::Date> = compiled.breakpoints.iter().copied().filter(|d| *d > first).collect();
    assert!(dates.len() >= 20, "us-2025 has {} breakpoints after {first}", dates.len());
    dates.push(first);
    for date in dates {
        compiled.advance(&mut eval, date, &index);
        let fresh = compiled.evaluate(date);
        assert_eq!(eval.date, date);
        assert_eq!(eval.total_pct, fresh.total_pct, "{date}");
        assert_eq!(eval.by_slot, fresh.by_slot, "{date}");
        assert_eq!(eval.assumptions, fresh.assumptions, "{date}");
    }
}
