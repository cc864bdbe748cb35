//! Issue 12, part 4: "Japan at 10%" by a two-line `[[patch]]` of the shipped `us-2025`
//! (`scenarios/examples/japan-10pct.toml`), evaluated as `kanzei tariff rates --by partner`
//! evaluates it.

mod common;

use std::collections::BTreeMap;

use kanzei_tariff::analysis::{self, GroupBy};
use kanzei_tariff::engine::{slot_name, N_SLOTS};
use kanzei_tariff::scenario::RateSpec;
use kanzei_tariff::Date;

const JAPAN_10: &str = include_str!("../../../scenarios/examples/japan-10pct.toml");

fn nov17() -> Date {
    "2025-11-17".parse().unwrap()
}

/// On 2025-11-17 the only reciprocal measure in force for Japan is
/// `ieepa-reciprocal-japan-floor`, "15% inclusive of MFN" (stacking `floor`): on the share s
/// of a line's value it covers it adds max(0, 15 − base) × s. The patch makes that
/// max(0, 10 − base) × s and changes nothing else, so on each line the reciprocal
/// contribution scales by max(0, 10 − base) / (15 − base): 5 points less where the base is
/// under 10%, down to 0 where it is 10–15%. Japan's ETR goes from 15.12% to 13.05%, not 5
/// points lower: cars and parts pay Section 232, on which the floor does not stack
/// (`not_with`), and the exempt lists pay no reciprocal duty. The test rebuilds 13.05% line
/// by line from us-2025's own evaluation.
#[test]
fn issue_12_japan_at_10pct_by_a_two_line_patch() {
    let data = common::data();
    let parent = common::scenario("us-2025");
    let child = common::scenario_text(JAPAN_10);
    // The patched measure keeps all but its rate; every other measure is the parent's.
    assert_eq!(child.measures.len(), parent.measures.len());
    for (p, c) in parent.measures.iter().zip(&child.measures) {
        assert_eq!(p.id, c.id);
        if c.id == "ieepa-reciprocal-japan-floor" {
            assert_eq!((&p.rate, &c.rate), (&RateSpec::Flat(15.0), &RateSpec::Flat(10.0)));
            assert_eq!((p.authority, p.stacking, p.effective, p.expires), (c.authority, c.stacking, c.effective, c.expires));
            assert_eq!((&p.legal, &p.exporters, &p.products, &p.exclude), (&c.legal, &c.exporters, &c.products, &c.exclude));
        } else {
            assert_eq!(format!("{:?}", p.rate), format!("{:?}", c.rate), "{}", c.id);
        }
    }

    let (cells, parent_compiled) = data.compile(&parent);
    let (_, child_compiled) = data.compile(&child);
    let names = BTreeMap::new();
    let japan_etr = |compiled| {
        let report = analysis::rates(compiled, &cells, nov17(), None, GroupBy::Partner, data.registry, &names);
        report.groups.iter().find(|g| g.key == "JPN").map(|g| g.etr_pct).expect("Japan is a partner")
    };
    let (etr_15, etr_10) = (japan_etr(&parent_compiled), japan_etr(&child_compiled));
    assert!((etr_15 - 15.12).abs() < 0.01, "{etr_15}");
    assert!((etr_10 - 13.05).abs() < 0.01, "{etr_10}");

    // The same number line by line from the parent's evaluation.
    let reciprocal = (0..N_SLOTS).find(|&s| slot_name(s) == "ieepa-reciprocal").unwrap();
    let (before, after) = (parent_compiled.evaluate(nov17()), child_compiled.evaluate(nov17()));
    let (mut value, mut duty, mut lines_lowered) = (0.0, 0.0, 0);
    for (i, cell) in cells.cells.iter().enumerate() {
        if cell.exporter.as_str() != "JPN" {
            assert_eq!(before.total_pct[i], after.total_pct[i]);
            continue;
        }
        let base = parent_compiled.base_pct(i);
        let r15 = before.by_slot[i][reciprocal];
        let r10 = if base < 15.0 { r15 * (10.0 - base).max(0.0) / (15.0 - base) } else { 0.0 };
        assert!((after.by_slot[i][reciprocal] - r10).abs() < 1e-9, "{} {}: {} vs {r10}", cell.exporter.as_str(), cell.code, after.by_slot[i][reciprocal]);
        for s in (0..N_SLOTS).filter(|&s| s != reciprocal) {
            assert_eq!(before.by_slot[i][s], after.by_slot[i][s], "{} {}", cell.code, slot_name(s));
        }
        lines_lowered += usize::from(r10 < r15 - 1e-12);
        value += cell.value_usd;
        duty += cell.value_usd * (before.total_pct[i] - r15 + r10);
    }
    assert!(lines_lowered > 1000, "{lines_lowered}");
    assert!((duty / value - etr_10).abs() < 1e-9, "{} vs {etr_10}", duty / value);
}
