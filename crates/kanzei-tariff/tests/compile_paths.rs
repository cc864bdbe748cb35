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

/// A child of us-2025 that only changes rates (a flat rate, and one exporter of a rate table)
/// reuses the parent's compile with new rates: at every breakpoint it equals a full compile.
/// A child that changes anything else (here an exporter list) is refused.
#[test]
fn a_rate_only_variant_reuses_the_compile_and_equals_a_fresh_one() {
    let data = common::data();
    let parent = data.compile_on(&common::scenario("us-2025"), &data.us_cells);
    let rates_only = common::scenario_text(
        "schema = 1\nid = \"rates\"\nextends = \"us-2025\"\n\n\
         [[patch]]\nid = \"ieepa-reciprocal-japan-floor\"\nrate_pct = 10\n",
    );
    let reused = parent.with_rates(&rates_only, &data.us_cells, &data.inputs).expect("only a rate differs");
    let fresh = data.compile_on(&rates_only, &data.us_cells);
    assert_eq!(reused.scenario.id, "rates");
    let mut dates = fresh.breakpoints.clone();
    dates.push("2025-11-17".parse().unwrap());
    let mut japan_changed = false;
    for date in dates {
        let (a, b) = (reused.evaluate(date), fresh.evaluate(date));
        assert_eq!(a.total_pct, b.total_pct, "{date}");
        assert_eq!(a.by_slot, b.by_slot, "{date}");
        assert_eq!(a.assumptions, b.assumptions, "{date}");
        japan_changed |= a.total_pct != parent.evaluate(date).total_pct;
    }
    assert!(japan_changed, "the 10% floor changes Japan's rates on some date");
    // Japan at 15% → 10% on 2025-11-17 (the worked example of scenarios/examples/japan-10pct.toml).
    let japan = common::etr(&reused, &data.us_cells, "2025-11-17", Some("JPN"));
    assert!((japan - common::etr(&fresh, &data.us_cells, "2025-11-17", Some("JPN"))).abs() < 1e-12);
    assert!(japan < common::etr(&parent, &data.us_cells, "2025-11-17", Some("JPN")) - 1.0, "Japan's ETR falls: {japan}");

    // Only the cells the Japan floor reaches can differ from the parent's: the parent's
    // rates there re-evaluated with the variant's give the fresh compile's rates everywhere.
    let index = parent.change_index();
    let differing = reused.cells_differing_from(&parent, &index);
    assert!(!differing.is_empty() && differing.len() < data.us_cells.cells.len() / 5, "{} cells", differing.len());
    assert!(differing.iter().all(|&c| data.us_cells.cells[c as usize].exporter.as_str() == "JPN"));
    for date in ["2025-04-10", "2025-11-17", "2026-01-01"] {
        let date = date.parse().unwrap();
        let mut totals = parent.evaluate(date).total_pct;
        reused.totals_into(&differing, date, &mut totals);
        assert_eq!(totals, fresh.evaluate(date).total_pct, "{date}");
    }
    assert_eq!(fresh.cells_differing_from(&parent, &index).len(), data.us_cells.cells.len(), "a separate compile differs everywhere");

    let other_exporters = common::scenario_text(
        "schema = 1\nid = \"reach\"\nextends = \"us-2025\"\n\n\
         [[patch]]\nid = \"ieepa-reciprocal-japan-floor\"\nexporters = [\"JPN\", \"KOR\"]\n",
    );
    assert!(parent.with_rates(&other_exporters, &data.us_cells, &data.inputs).is_none(), "another exporter set needs a compile");
}

/// `tariff rates` and `tariff exposure` compile only the measures in force on their date
/// (`Scenario::in_force_on`): on that date every cell's total, per-authority split, rules
/// used and hit shares must equal the whole scenario's, bit for bit. Dates: each phase of
/// the 2025–26 timeline (before and after the April 2025 and July 2026 switches, the day
/// after the last event), and a retaliation scenario on U.S. exports.
#[test]
fn compiling_only_the_measures_in_force_gives_the_same_rates_on_that_date() {
    let data = common::data();
    let dates = ["2024-07-01", "2025-02-04", "2025-04-05", "2025-04-09", "2025-04-10", "2025-08-07", "2025-11-17", "2026-02-24", "2026-07-24", "2026-08-19", "2026-12-04"];
    for id in ["us-2025", "us-2024-baseline", "retaliation/china-2025"] {
        let scenario = common::scenario(id);
        let (cells, whole) = data.compile(&scenario);
        for date in dates {
            let date = date.parse().unwrap();
            let part = scenario.in_force_on(date);
            assert!(part.measures.iter().all(|m| m.in_force(date) || m.applies_to.names_metal()));
            let (_, dated) = data.compile(&part);
            let (a, b) = (whole.evaluate(date), dated.evaluate(date));
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a.total_pct), bits(&b.total_pct), "{id} on {date}: total");
            assert!(a.by_slot.iter().zip(&b.by_slot).all(|(x, y)| bits(x) == bits(y)), "{id} on {date}: per authority");
            assert_eq!(a.assumptions, b.assumptions, "{id} on {date}: rules used");
            for i in 0..cells.cells.len() {
                let (x, y) = (whole.hit_shares(&cells, &a, i), dated.hit_shares(&cells, &b, i));
                assert!(x.0.to_bits() == y.0.to_bits() && bits(&x.1) == bits(&y.1), "{id} on {date}: hit shares of cell {i}");
            }
        }
        // Not a vacuous filter: us-2025 has measures out of force on some of these dates.
        if id == "us-2025" {
            let on = scenario.in_force_on("2025-11-17".parse().unwrap()).measures.len();
            assert!(on < scenario.measures.len(), "{on} of {}", scenario.measures.len());
        }
    }
}

/// A line without a metal-content estimate (here U.S. exports of chapter 84 to Canada, an HS2
/// cell) splits its flat share between the metals whose content measures list it, in force or
/// not. A one-date compile keeps those measures: dropping an aluminum-content measure that
/// expired before the date would double the steel-content measure's share of the chapter.
#[test]
fn a_one_date_compile_keeps_the_metal_lists_that_split_a_flat_share() {
    let data = common::data();
    let measure = |id: &str, kind: &str, expires: &str| {
        format!(
            "\n[[measure]]\nid = \"{id}\"\nauthority = \"retaliation\"\nexporters = [\"USA\"]\nproducts = \"84\"\nrate_pct = 25\n\
             applies_to = \"{kind}\"\neffective = \"2025-01-01\"\n{expires}"
        )
    };
    let text = format!(
        "schema = 1\nid = \"t\"\nimporter = \"CAN\"\ntitle = \"t\"\n\n[base]\nmfn = false\npreferences = false\n{}{}",
        measure("steel", "steel-content", ""),
        measure("aluminum", "aluminum-content", "expires = \"2025-03-01\"\n")
    );
    let scenario = common::scenario_text(&text);
    let date = "2025-06-01".parse().unwrap();
    let (_, whole) = data.compile(&scenario);
    let kept = scenario.in_force_on(date);
    assert_eq!(kept.measures.len(), 2, "the expired aluminum-content measure is kept");
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let (a, b) = (whole.evaluate(date), data.compile(&kept).1.evaluate(date));
    assert_eq!(bits(&a.total_pct), bits(&b.total_pct));
    assert!(a.total_pct.iter().any(|r| *r > 0.0), "the steel-content measure adds duty");
    // Not vacuous: with only the measures in force, the steel share of the chapter doubles.
    let mut naive = scenario.clone();
    naive.measures.retain(|m| m.in_force(date));
    let c = data.compile(&naive).1.evaluate(date);
    assert_ne!(bits(&a.total_pct), bits(&c.total_pct));
}
