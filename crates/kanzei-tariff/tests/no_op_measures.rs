//! Issue 16: a measure that parses but changes no rate is found and named, and the shipped
//! scenarios have none.

mod common;

use kanzei_tariff::lint::no_op_measures;

fn findings(exporters: &str, products: &str) -> Vec<String> {
    let text = format!(
        "schema = 1\nid = \"t\"\nextends = \"us-2025\"\n\n[[measure]]\nid = \"m\"\nauthority = \"other\"\n\
         exporters = {exporters}\nproducts = {products}\nrate_pct = 25\neffective = \"2025-06-01\"\n"
    );
    let scenario = common::scenario_text(&text);
    let (cells, compiled) = common::data().compile(&scenario);
    no_op_measures(&compiled, &cells, common::data().registry, Some("test.toml")).into_iter().map(|n| format!("{}: {}", n.measure, n.message)).collect()
}

#[test]
fn empty_exporters_or_products_match_nothing() {
    assert_eq!(
        findings("[]", "[\"8703\"]"),
        ["m: `exporters = []` names no exporter, so the measure matches nothing; use \"all\" or list ISO3 codes or groups such as [\"JPN\", \"EU27\"]"]
    );
    assert_eq!(
        findings("[\"JPN\"]", "[]"),
        ["m: `products = []` names no product, so the measure matches nothing; use \"all\", HS prefixes or { list = \"…\" }"]
    );
}

#[test]
fn the_importer_or_an_aggregate_as_exporter() {
    assert_eq!(findings("[\"USA\"]", "[\"8703\"]"), ["m: `exporters` names the importer USA itself; a country levies no duty on its own goods, so drop it"]);
    assert_eq!(
        findings("[\"WLD\"]", "[\"8703\"]"),
        ["m: `exporters` lists WLD (World), a statistical aggregate, not a country or group; use \"all\" for every exporter, or name countries or groups such as EU27"]
    );
}

#[test]
fn a_chapter_without_trade_matches_nothing() {
    // HS chapter 77 is reserved for future use: no 2024 trade.
    assert_eq!(
        findings("[\"JPN\"]", "[\"77\"]"),
        ["m: matches no 2024 trade: no USA imports in 2024 from its exporters under its products, so it changes no rate; check `exporters` and `products`"]
    );
    assert!(findings("[\"JPN\"]", "[\"8703\"]").is_empty());
}

#[test]
fn shipped_scenarios_have_no_no_op_measures() {
    for id in ["us-2024-baseline", "us-2025", "what-if/japan-exempt", "what-if/japan-24pct", "what-if/no-usmca-carve-out", "retaliation/china-2025", "retaliation/canada-2025"] {
        let scenario = common::scenario(id);
        let (cells, compiled) = common::data().compile(&scenario);
        assert_eq!(no_op_measures(&compiled, &cells, common::data().registry, None), [], "{id}");
    }
}
