//! Consumer prices through BEA's 2017 IO tables (issue 11): the published matrix's
//! identities, the model's null and locality properties on the real tables, the mapping
//! coverage of 2024 imports, and what customs collected (Census NAICS6, 2024–2025).

use std::sync::OnceLock;

use kanzei_data::us_io::{Month, UsIo};
use kanzei_data::Store;
use kanzei_mrio::{category_prices, BridgeRow, Margins, PriceModel};
use kanzei_report::collected::{self, CollectedBy};
use kanzei_report::prices::{self, BeaTariffs, MappingReport, PriceOptions, TariffChange};
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::library::{vocabulary, Library};

fn store() -> &'static Store {
    static STORE: OnceLock<Store> = OnceLock::new();
    STORE.get_or_init(Store::embedded)
}

fn io() -> std::sync::Arc<UsIo> {
    store().us_io().expect("embedded BEA tables")
}

fn data() -> &'static TariffData {
    static DATA: OnceLock<TariffData> = OnceLock::new();
    DATA.get_or_init(|| TariffData::load(store()).expect("tariff data"))
}

fn tariffs(delta_tau: Vec<f64>) -> BeaTariffs {
    let n = delta_tau.len();
    BeaTariffs { delta_tau, value_usd: vec![1.0; n], coverage: MappingReport::default(), label: "test".into() }
}

#[test]
fn the_published_total_requirements_pass_their_identities() {
    let io = io();
    let n = io.n();
    assert_eq!(n, 402, "BEA 2017 detail: 402 commodities");
    for i in 0..n {
        assert!(io.l(i, i) >= 1.0, "{}: diagonal {} < 1", io.commodities[i].code, io.l(i, i));
    }
    // Non-negative up to BEA's five published negatives (≥ −0.003) in the rows and columns of
    // used goods (S00402), federal government (S00600) and the rest-of-world adjustment (S00900).
    let negatives: Vec<(String, String, f64)> = (0..n * n)
        .filter(|k| io.total_requirements[*k] < 0.0)
        .map(|k| (io.commodities[k / n].code.clone(), io.commodities[k % n].code.clone(), io.total_requirements[k]))
        .collect();
    assert_eq!(negatives.len(), 5, "{negatives:?}");
    assert!(negatives.iter().all(|(r, c, v)| *v >= -0.003 && (r.starts_with('S') || c.starts_with('S'))), "{negatives:?}");
    // The direct requirements recovered from L: A = I − L⁻¹ has column sums below 1 for every
    // produced commodity (value added is positive); BEA's special commodities (S…: government
    // enterprises, scrap, used goods, noncomparable imports) are accounting rows, listed.
    let model = prices::price_model(&io).unwrap();
    let a = model.direct_requirements();
    for j in 0..n {
        let col: f64 = (0..n).map(|i| a[i * n + j]).sum();
        let code = &io.commodities[j].code;
        if !code.starts_with('S') {
            assert!((0.0..1.0).contains(&col), "{code}: column sum of A {col}");
        }
    }
}

#[test]
fn no_tariff_change_moves_no_price() {
    let io = io();
    let model = prices::price_model(&io).unwrap();
    let r = prices::price_effects(&io, &model, &tariffs(vec![0.0; io.n()]), &PriceOptions::default()).unwrap();
    assert_eq!(r.pce_price_change_pct, 0.0);
    assert!(r.categories.iter().all(|c| c.price_change_pct == 0.0));
    assert_eq!(r.household_cost_usd, 0.0);
}

#[test]
fn a_commodity_no_industry_uses_moves_only_the_categories_that_buy_it() {
    // Every commodity of the 2017 table has some intermediate use, so take the real table and
    // remove the intermediate uses of dolls, toys and games (row 339930 of L off the
    // diagonal): a tariff on it must then move its own price and only the PCE categories that
    // buy it.
    let io = io();
    let n = io.n();
    let i = io.index("339930").expect("toys in BEA 2017");
    let mut l = io.total_requirements.clone();
    for j in (0..n).filter(|&j| j != i) {
        l[i * n + j] = 0.0;
    }
    let real = prices::price_model(&io).unwrap();
    let model = PriceModel::new(n, l, real.import_share().to_vec()).unwrap();
    let mut dt = vec![0.0; n];
    dt[i] = 0.25;
    let dp = model.propagate(&model.shock(&dt, 1.0).unwrap());
    assert!((dp[i] - 0.25 * model.import_share()[i] * io.l(i, i)).abs() < 1e-12);
    assert!((0..n).all(|j| j == i || dp[j] == 0.0));
    let r = prices::price_effects(&io, &model, &tariffs(dt), &PriceOptions::default()).unwrap();
    let mut moved = 0;
    for c in &r.categories {
        let buys = io.pce.iter().any(|p| p.line == c.nipa_line && p.commodity == i);
        assert_eq!(c.price_change_pct > 0.0, buys, "{} ({})", c.category, c.nipa_line);
        moved += usize::from(buys);
    }
    assert!((1..20).contains(&moved), "{moved} categories buy toys");
}

#[test]
fn import_content_of_pce_is_near_the_sf_fed_estimate() {
    // A uniform 100% price rise of every import gives the import content of each dollar of
    // PCE. Hale, Hobijn, Nechio & Wilson (2019), FRBSF Economic Letter 2019-01: 10.7% of PCE in
    // 2017 ("$10.70 out of every $100"), from BEA's import matrices.
    let io = io();
    let model = prices::price_model(&io).unwrap();
    let uniform = tariffs(vec![1.0; io.n()]);
    let dollars = prices::price_effects(&io, &model, &uniform, &PriceOptions::default()).unwrap().pce_price_change_pct;
    let percent = prices::price_effects(&io, &model, &uniform, &PriceOptions { margins: Margins::ConstantPercent, ..PriceOptions::default() })
        .unwrap()
        .pce_price_change_pct;
    // kanzei 11.7% with margins in dollars: the 2017 import shares over supply at basic prices
    // and the import-proportionality assumption differ from their import matrices; 20.8% in
    // percent margins (the margins' own dollar value inflated) is an upper bound.
    assert!((dollars - 10.7).abs() < 1.5, "{dollars}");
    assert!(percent > dollars);
}

#[test]
fn margins_in_percent_never_lower_a_category_price() {
    let io = io();
    let model = prices::price_model(&io).unwrap();
    let dp: Vec<f64> = (0..io.n()).map(|i| 0.1 * model.import_share()[i]).collect();
    let bridge: Vec<BridgeRow> = io.pce.iter().map(|r| BridgeRow { category: r.line as usize, commodity: r.commodity, producers: r.producers_musd, purchasers: r.purchasers_musd }).collect();
    let (d, _) = category_prices(&bridge, 400, &dp, Margins::ConstantDollars);
    let (p, _) = category_prices(&bridge, 400, &dp, Margins::ConstantPercent);
    assert!(d.iter().zip(&p).all(|(d, p)| *p >= *d - 1e-15));
}

#[test]
fn scenario_imports_map_to_bea_commodities() {
    let vocab = vocabulary(data().registry, &data().inputs);
    let library = Library::shipped();
    let scenario = library.load("us-2025", &vocab).unwrap();
    let baseline = library.load("us-2024-baseline", &vocab).unwrap();
    let date = "2025-09-04".parse().unwrap();
    let io = io();
    let t = prices::scenario_tariffs(&io, data(), &scenario, &baseline, date).unwrap();
    let c = &t.coverage;
    // Every dollar of 2024 imports is counted once: $3,251.2 bn (Census, all partners).
    assert!((c.value_in_usd / 1e9 - 3251.15).abs() < 0.1, "{}", c.value_in_usd);
    // Outside chapters 98–99 (goods returned, special provisions), ≥ 99% finds a commodity of
    // its own (chapter 97, works of art, is the rest).
    let special: f64 = c.spread_usd.iter().filter(|(k, _)| k.starts_with("chapters 98")).map(|(_, v)| v).sum();
    let mapped: f64 = c.mapped_usd.values().sum();
    let goods_pct = 100.0 * mapped / (c.value_in_usd - special);
    assert!(goods_pct >= 99.0, "{goods_pct:.3}% of goods imports mapped");
    assert!((special / 1e9 - 126.5).abs() < 0.5, "{special}");
    // The spread keeps the weights whole.
    assert!((t.value_usd.iter().sum::<f64>() - c.value_in_usd).abs() < 1.0);
}

#[test]
fn collected_duties_equal_the_census_naics_sums() {
    // SOURCE.md checks of bea_io_2017_pce_bridge_us_imports_naics_2025 (Census NAICS6 data):
    // 2024 2.3425%; 2025 imports $3,393.5 bn, duties $260.8 bn, 7.69%; October 2025 10.91%.
    let monthly = store().naics_monthly().unwrap();
    let m = |t: &str| Month::parse(t).unwrap();
    let y2024 = collected::collected(&monthly, m("2024-01"), m("2024-12"), CollectedBy::Month).unwrap();
    assert!((y2024.rate_pct - 2.3425).abs() < 0.00005, "{}", y2024.rate_pct);
    let y2025 = collected::collected(&monthly, m("2025-01"), m("2025-12"), CollectedBy::Month).unwrap();
    assert!((y2025.imports_usd / 1e9 - 3393.5).abs() < 0.05 && (y2025.duties_usd / 1e9 - 260.8).abs() < 0.05);
    assert!((y2025.rate_pct - 7.69).abs() < 0.005);
    let october = y2025.rows.iter().find(|r| r.key == "2025-10").unwrap();
    assert!((october.rate_pct - 10.91).abs() < 0.005, "{}", october.rate_pct);
    let by_sector = collected::collected(&monthly, m("2025-01"), m("2025-12"), CollectedBy::Naics2).unwrap();
    assert!((by_sector.duties_usd - y2025.duties_usd).abs() < 1.0);
    // The 2024 NAICS totals equal the tariff engine's 2024 cells (Census HS10/HS2).
    let mut with_check = y2024.clone();
    collected::reconcile_2024(&mut with_check, &monthly, data());
    assert!(with_check.reconciliation[0].contains("2.3425%; the tariff engine's 2024 HS10/HS2 cells: imports $3251.2 bn, duty $76.16 bn, 2.3425%"), "{}", with_check.reconciliation[0]);
}

#[test]
fn statutory_beside_collected_for_2025() {
    let vocab = vocabulary(data().registry, &data().inputs);
    let scenario = Library::shipped().load("us-2025", &vocab).unwrap();
    let monthly = store().naics_monthly().unwrap();
    let m = |t: &str| Month::parse(t).unwrap();
    let mut r = collected::collected(&monthly, m("2025-01"), m("2025-12"), CollectedBy::Month).unwrap();
    collected::add_statutory(&mut r, data(), &scenario).unwrap();
    // The statutory rate runs above the collected one from April 2025 (substitution,
    // exemptions claimed at entry, payment lags): the gap the Budget Lab and the issue cite.
    for row in r.rows.iter().filter(|row| row.key.as_str() >= "2025-04") {
        assert!(row.gap_pp.unwrap() > 3.0, "{}: gap {:?}", row.key, row.gap_pp);
    }
    // Regression pin (kanzei's own output, 2026-12-05): October 2025 statutory 17.41%.
    let october = r.rows.iter().find(|row| row.key == "2025-10").unwrap();
    assert!((october.statutory_pct.unwrap() - 17.41).abs() < 0.01, "{:?}", october.statutory_pct);
    // A grouping by code has no month to compare with.
    let mut by_code = collected::collected(&monthly, m("2025-01"), m("2025-12"), CollectedBy::Naics2).unwrap();
    assert!(collected::add_statutory(&mut by_code, data(), &scenario).is_err());
    // The brief reads the statutory path off a longer daily series (2024-01-01 to 2026-12-31,
    // shared with its tariff timeline): the same months to the bit as a pass over the months.
    let compiled = data().compile_on(&scenario, &data().us_cells);
    let longer = kanzei_tariff::analysis::timeline(&compiled, &data().us_cells, "2024-01-01".parse().unwrap(), "2026-12-31".parse().unwrap(), None);
    let mut from_longer = collected::collected(&monthly, m("2025-01"), m("2025-12"), CollectedBy::Month).unwrap();
    collected::add_statutory_days(&mut from_longer, &longer, &scenario.id).unwrap();
    for (a, b) in r.rows.iter().zip(&from_longer.rows) {
        assert_eq!(a.statutory_pct.map(f64::to_bits), b.statutory_pct.map(f64::to_bits), "{}", a.key);
    }
    // A series that misses days of the months is refused, not averaged over fewer days.
    let short: Vec<_> = longer.iter().filter(|p| p.date >= "2025-03-01".parse().unwrap()).cloned().collect();
    let err = collected::add_statutory_days(&mut from_longer, &short, &scenario.id).unwrap_err().to_string();
    assert!(err.contains("2025-01-01"), "{err}");
}

#[test]
fn us_2025_on_the_budget_lab_date() {
    let vocab = vocabulary(data().registry, &data().inputs);
    let library = Library::shipped();
    let scenario = library.load("us-2025", &vocab).unwrap();
    let baseline = library.load("us-2024-baseline", &vocab).unwrap();
    let change = TariffChange::Scenario { scenario: &scenario, baseline: &baseline, date: "2025-09-04".parse().unwrap(), partner: None };
    let r = prices::prices(store(), data(), &change, &PriceOptions::default()).unwrap();
    // The Budget Lab's 17.4% − 2.4% (State of U.S. Tariffs, 4 September 2025): 15.0 pp.
    assert!((r.tariff_change_pp - 15.0).abs() < 0.5, "{}", r.tariff_change_pp);
    // Goods carry the effect: core goods above PCE goods above all PCE above services.
    assert!(r.core_goods_price_change_pct > r.pce_goods_price_change_pct && r.pce_goods_price_change_pct > r.pce_price_change_pct && r.pce_price_change_pct > r.services_price_change_pct);
    // Regression pins (kanzei's own output, 2026-12-05): PCE +1.28%, household $1,931.
    assert!((r.pce_price_change_pct - 1.28).abs() < 0.01, "{}", r.pce_price_change_pct);
    assert!((r.household_cost_usd - 1931.0).abs() < 15.0, "{}", r.household_cost_usd);
    // After SMART's substitution between sources the rate change and the price effect are
    // smaller (the Budget Lab: 1.7% → 1.4%); regression pin 0.99%.
    let post = prices::prices(store(), data(), &change, &PriceOptions { substitution: true, ..PriceOptions::default() }).unwrap().post_substitution.unwrap();
    assert!(post.tariff_change_pp < r.tariff_change_pp && post.pce_price_change_pct < r.pce_price_change_pct);
    assert!((post.pce_price_change_pct - 0.99).abs() < 0.01, "{}", post.pce_price_change_pct);
    // Half the pass-through, half the effect (the model is linear in ρ).
    let half = prices::prices(store(), data(), &change, &PriceOptions { pass_through: 0.5, ..PriceOptions::default() }).unwrap();
    assert!((half.pce_price_change_pct - r.pce_price_change_pct / 2.0).abs() < 1e-9);
}

#[test]
fn partner_effects_add_up_to_the_whole_regime() {
    // The model is linear in Δτ and Δτ is linear in each cell's change: the tariffs on China's
    // goods plus those on everyone else's give the whole regime's price effect.
    let vocab = vocabulary(data().registry, &data().inputs);
    let library = Library::shipped();
    let (scenario, baseline) = (library.load("us-2025", &vocab).unwrap(), library.load("us-2024-baseline", &vocab).unwrap());
    let date = "2025-09-04".parse().unwrap();
    let (cells, compiled) = data().compile(&scenario);
    let base = kanzei_tariff::engine::Compiled::new(&baseline, &cells, &data().schedule, &data().inputs);
    let (new, old) = (compiled.evaluate(date).total_pct, base.evaluate(date).total_pct);
    let io = io();
    let chn = kanzei_core::AreaCode::new("CHN").unwrap();
    let mut others: Vec<_> = cells.cells.iter().map(|c| c.exporter).filter(|e| *e != chn).collect();
    others.sort();
    others.dedup();
    let all = prices::tariffs_from_rates(&io, &cells, &new, &old, None, "all".into()).unwrap();
    let china = prices::tariffs_from_rates(&io, &cells, &new, &old, Some(&[chn]), "CHN".into()).unwrap();
    let rest = prices::tariffs_from_rates(&io, &cells, &new, &old, Some(&others), "rest".into()).unwrap();
    let model = prices::price_model(&io).unwrap();
    let effect = |t: &BeaTariffs| prices::price_effects(&io, &model, t, &PriceOptions::default()).unwrap().pce_price_change_pct;
    let (a, c, r) = (effect(&all), effect(&china), effect(&rest));
    assert!((a - c - r).abs() < 1e-9, "{a} ≠ {c} + {r}");
    assert!(c > 0.2 && c < a, "China's share {c} of {a}");
}
