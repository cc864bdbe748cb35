//! End to end on real data: every 2024 U.S. HS10 × partner cell (embedded snapshot),
//! elasticities resolved from the staged sets with their provenance, SMART under a
//! uniform 10-point tariff increase on every partner. This is the path the scenario
//! command takes; `to_model` is the glue between the data crate's resolver and the model
//! crate's types (the two crates do not depend on each other).
#![expect(clippy::print_stderr, reason = "the tests report the numbers they check")]


use kanzei_data::elasticities::{ElasticityTables, Resolved, Resolver, ResolverConfig};
use kanzei_pe::elasticity::{Elasticity, ElasticityKind, ElasticityPanel, ElasticitySource, ProductElasticities};
use kanzei_pe::smart::{simulate, SmartConfig, SmartData};

fn to_model(kind: ElasticityKind, r: &Resolved) -> Elasticity {
    let source = ElasticitySource {
        set: r.set.clone(),
        code: r.source_code.clone(),
        vintage: r.vintage.clone(),
        level: r.level.label().into(),
        flags: r.flags.clone(),
    };
    Elasticity::new(kind, r.value, source).expect("the resolver hands out values in the models' sign convention")
}

#[test]
fn smart_over_every_us_hs10_partner_cell() {
    let Some(raw) = kanzei_data::testing::shared_raw(env!("CARGO_MANIFEST_DIR")) else { return };
    let tables = ElasticityTables::load_raw(&raw).unwrap();
    let resolver = Resolver::new(&tables, None, ResolverConfig::default());
    let store = kanzei_data::Store::embedded();
    let imports = store.us_imports_hs10().unwrap();
    let mut lines: Vec<_> = imports.lines.iter().filter(|l| l.census_code != 3).collect();
    lines.sort_by_key(|l| (l.hs, l.census_code));

    let mut data = SmartData::new();
    let mut panel = ElasticityPanel::new();
    let mut idx = 0;
    while idx < lines.len() {
        let mut end = idx + 1;
        while end < lines.len() && lines[end].hs == lines[idx].hs {
            end += 1;
        }
        let resolved = resolver.resolve(lines[idx].hs);
        let product = ProductElasticities {
            em: to_model(ElasticityKind::ImportDemand, resolved.get(ElasticityKind::ImportDemand)),
            es: to_model(ElasticityKind::Substitution, resolved.get(ElasticityKind::Substitution)),
            ex: to_model(ElasticityKind::ExportSupply, resolved.get(ElasticityKind::ExportSupply)),
        };
        let p = panel.push(&product);
        let cells = lines[idx..end].iter().map(|l| {
            let t0 = if l.value_usd > 0.0 { l.duty_usd / l.value_usd } else { 0.0 };
            (l.value_usd, t0, t0 + 0.10)
        });
        assert_eq!(data.push_product(panel.values[p], cells), p);
        idx = end;
    }
    let out = simulate(&data.as_input(), &SmartConfig::default()).unwrap();
    let totals = out.totals();
    eprintln!(
        "{} products, {} cells; imports {:.1} bn → {:.1} bn; creation {:.1} bn; ETR base {:.2}%, pre {:.2}%, post {:.2}%; {} clamped cells; {} distinct elasticity sources",
        out.stats.n_products,
        out.stats.n_cells,
        totals.imports_before_usd / 1e9,
        totals.imports_after_usd / 1e9,
        totals.trade_creation_usd / 1e9,
        totals.etr_base_pct(),
        totals.etr_pre_pct(),
        totals.etr_post_pct(),
        out.stats.n_clamped_cells,
        panel.sources.len()
    );
    // Static arithmetic: ten points on top of the base rate, on base weights.
    assert!((totals.etr_pre_pct() - totals.etr_base_pct() - 10.0).abs() < 1e-9);
    // Diversion only reallocates, product by product.
    for w in data.product_offsets.windows(2) {
        let base: f64 = out.cells[w[0]..w[1]].iter().map(|c| c.imports_before_usd).sum();
        let td: f64 = out.cells[w[0]..w[1]].iter().map(|c| c.trade_diversion_usd).sum();
        assert!(td.abs() <= 1e-9 * base.max(1.0));
    }
    // Every demand elasticity is <= 0 and every tariff rises, so imports fall.
    assert!(totals.trade_creation_usd < 0.0);
    assert!(totals.imports_after_usd < totals.imports_before_usd);
    assert!(totals.revenue_after_usd < totals.revenue_static_usd);
}
