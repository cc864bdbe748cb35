//! Who pays: tariff changes carried through the U.S. input–output system to consumer
//! prices and household cost (`kanzei prices`).
//!
//! Glue between the data and the price model ([`kanzei_mrio::prices`], `MODELS.md` §7):
//!
//! 1. **Tariff change by BEA commodity** `Δτ_i`, import-weighted, from one of two sources:
//!    * a scenario against its baseline on a date: every 2024 U.S. import cell's rate change
//!      (HS2 proxy cells split over their proxy lines), HS10 → BEA detail through the Budget
//!      Lab's line table ([`UsIo::hs10_commodity`], with sibling fallbacks), weighted by 2024
//!      import value;
//!    * the **collected** rate of a month against 2024's: calculated duty / imports by NAICS6,
//!      NAICS6 → BEA by BEA's concordance (longest prefix), weighted by the month's imports.
//!
//!    Value with no BEA commodity (chapters 98–99, NAICS 98/99: goods returned and special
//!    provisions) is spread over the mapped value's commodity mix — a fallback reported
//!    with its value.
//! 2. **Model**: `Δp = L′(m ∘ ρΔτ)`, then purchasers' prices of the 2017 PCE categories
//!    (margins constant in dollars or in percent), aggregated with PCE weights to all PCE,
//!    goods, core goods (goods less food and energy), services and named groups.
//! 3. **Household cost**: the PCE price change × nominal PCE per household (stated
//!    parameters with sources, overridable).

use std::collections::BTreeMap;

use kanzei_core::{AreaCode, HsCode, HsVintage};
use kanzei_data::us_io::{BeaUnmapped, Month, NaicsMonthly, UsIo};
use kanzei_data::Store;
use kanzei_mrio::{category_prices, weighted_mean, BridgeRow, Margins, PriceModel};
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::cells::{CellSet, Proxy};
use kanzei_tariff::fxhash::FxHashMap;
use kanzei_tariff::date::Date;
use kanzei_tariff::Scenario;
use serde::Serialize;

use crate::runs::RunError;

/// Where the tariff change comes from.
#[derive(Clone, Debug)]
pub enum TariffChange<'a> {
    /// A scenario against a baseline on a date (statutory rates on 2024 import weights).
    Scenario {
        /// The scenario.
        scenario: &'a Scenario,
        /// The baseline.
        baseline: &'a Scenario,
        /// The date.
        date: Date,
        /// Only the tariffs on this partner's goods (a group: its members).
        partner: Option<AreaCode>,
    },
    /// The collected rate of a month against the collected rate of a base year.
    Collected {
        /// The month.
        month: Month,
        /// The base year (2024 by default).
        base_year: i32,
    },
}

/// Average nominal consumption per household: the stated parameters of the household cost.
#[derive(Clone, Debug, Serialize)]
pub struct HouseholdParams {
    /// Nominal personal consumption expenditures, USD per year.
    pub pce_usd: f64,
    /// Number of households.
    pub households: f64,
    /// Where the two numbers come from and what dollars they are in.
    pub sources: Vec<String>,
}

impl Default for HouseholdParams {
    fn default() -> HouseholdParams {
        HouseholdParams {
            pce_usd: 20.0e12,
            households: 132_737_146.0,
            sources: vec![
                "PCE $20.0 trillion: BEA, Personal Income and Outlays, September 2024 (seasonally adjusted annual rate; 2024 dollars)".into(),
                "132,737,146 households: U.S. Census Bureau, American Community Survey 2024 1-year estimates, table DP02 (total households)".into(),
            ],
        }
    }
}

impl HouseholdParams {
    /// PCE per household, USD.
    pub fn pce_per_household_usd(&self) -> f64 {
        self.pce_usd / self.households
    }
}

/// Options of a price run.
#[derive(Clone, Debug)]
pub struct PriceOptions {
    /// Pass-through of tariffs to import prices (1 = full).
    pub pass_through: f64,
    /// Margins.
    pub margins: Margins,
    /// Household parameters.
    pub household: HouseholdParams,
    /// Also compute the effect after substitution between sources (SMART).
    pub substitution: bool,
    /// The elasticity set SMART's substitution uses (`smart_sets`).
    pub elasticities: crate::smart_sets::SmartSet,
}

impl Default for PriceOptions {
    fn default() -> PriceOptions {
        PriceOptions {
            pass_through: 1.0,
            margins: Margins::ConstantDollars,
            household: HouseholdParams::default(),
            substitution: false,
            elasticities: crate::smart_sets::SmartSet::default(),
        }
    }
}

/// Published pass-through estimates a user can choose with `--pass-through NAME`.
pub const PASS_THROUGH: &[(&str, f64, &str)] = &[
    ("full", 1.0, "full pass-through to import prices (the Budget Lab's short-run assumption; MODELS.md §7 default)"),
    ("arw2019", 1.0, "Amiti, Redding & Weinstein (2019), JEP 33(4): complete pass-through of the 2018 tariffs to U.S. import prices"),
    ("cavallo2021", 0.95, "Cavallo, Gopinath, Neiman & Tang (2021), AER: Insights 3(1): near-complete pass-through at the border (about 95%) for the 2018–19 tariffs on non-Chinese-retaliated goods"),
    ("budgetlab2025", 0.61, "The Budget Lab at Yale, Tracking the Economic Effects of Tariffs (2025–26): observed pass-through to core-goods prices between 40% and 76% (midpoint 61% here, LP-trend method 51%)"),
];

/// One PCE category.
#[derive(Clone, Debug, Serialize)]
pub struct CategoryPrice {
    /// NIPA line (Table 2.4.5U).
    pub nipa_line: u16,
    /// Category.
    pub category: String,
    /// Group: `goods`, `food`, `energy_goods`, `services`.
    pub group: &'static str,
    /// Purchasers'-price change, percent.
    pub price_change_pct: f64,
    /// Share of 2017 PCE, percent.
    pub pce_weight_pct: f64,
}

/// A named group of categories (new vehicles, apparel, …).
#[derive(Clone, Debug, Serialize)]
pub struct NamedPrice {
    /// Name.
    pub name: &'static str,
    /// PCE-weighted price change, percent.
    pub price_change_pct: f64,
    /// Share of 2017 PCE, percent.
    pub pce_weight_pct: f64,
}

/// One BEA commodity's shock and producer-price change.
#[derive(Clone, Debug, Serialize)]
pub struct CommodityPrice {
    /// BEA detail code.
    pub code: String,
    /// Description.
    pub description: String,
    /// Import share of supply (2017), percent.
    pub import_share_pct: f64,
    /// Import-weighted tariff change, percentage points.
    pub tariff_change_pp: f64,
    /// Import value the change is weighted over, USD.
    pub import_value_usd: f64,
    /// Producer-price change, percent (direct and through inputs).
    pub producer_price_change_pct: f64,
}

/// How the import value found its BEA commodities.
#[derive(Clone, Debug, Default, Serialize)]
pub struct MappingReport {
    /// What was mapped (HS10 cells or NAICS6 rows).
    pub what: String,
    /// Value in, USD.
    pub value_in_usd: f64,
    /// Value mapped to a commodity by each route, USD.
    pub mapped_usd: BTreeMap<String, f64>,
    /// Value with no commodity of its own, by reason, USD; spread over the mapped mix.
    pub spread_usd: BTreeMap<String, f64>,
    /// Rows (cells, proxy pieces or NAICS rows) read.
    pub rows: usize,
}

impl MappingReport {
    fn mapped_total(&self) -> f64 {
        self.mapped_usd.values().sum()
    }

    /// Share of the value mapped to a commodity of its own, percent.
    pub fn mapped_pct(&self) -> f64 {
        pct(self.mapped_total(), self.value_in_usd)
    }
}

/// The U.S. price effect of a tariff change.
#[derive(Clone, Debug, Serialize)]
pub struct PriceReport {
    /// What was compared (scenario vs baseline on a date, or a month's collected rate).
    pub tariffs: String,
    /// Import-weighted tariff change over all mapped imports, percentage points.
    pub tariff_change_pp: f64,
    /// Pass-through to import prices.
    pub pass_through: f64,
    /// Margins assumption.
    pub margins: Margins,
    /// All PCE, percent.
    pub pce_price_change_pct: f64,
    /// PCE goods, percent.
    pub pce_goods_price_change_pct: f64,
    /// Core goods (goods less food and energy goods), percent.
    pub core_goods_price_change_pct: f64,
    /// Food at home, percent.
    pub food_price_change_pct: f64,
    /// Energy goods, percent.
    pub energy_goods_price_change_pct: f64,
    /// PCE services, percent.
    pub services_price_change_pct: f64,
    /// Household cost per year, USD.
    pub household_cost_usd: f64,
    /// The parameters behind it.
    pub household: HouseholdParams,
    /// Named groups.
    pub named: Vec<NamedPrice>,
    /// Every PCE category.
    pub categories: Vec<CategoryPrice>,
    /// Commodities with a tariff change, largest producer-price change first.
    pub commodities: Vec<CommodityPrice>,
    /// How import value was mapped to BEA commodities.
    pub coverage: MappingReport,
    /// Assumptions and caveats.
    pub notes: Vec<String>,
    /// The same after substitution between sources (SMART), when asked for.
    pub post_substitution: Option<PostSubstitution>,
}

/// The price effect after substitution between sources.
#[derive(Clone, Debug, Serialize)]
pub struct PostSubstitution {
    /// What was compared.
    pub tariffs: String,
    /// Import-weighted tariff change after substitution, percentage points.
    pub tariff_change_pp: f64,
    /// All PCE, percent.
    pub pce_price_change_pct: f64,
    /// Core goods, percent.
    pub core_goods_price_change_pct: f64,
    /// Household cost per year, USD.
    pub household_cost_usd: f64,
    /// Import value in SMART's market, USD.
    pub market_value_usd: f64,
}

impl PostSubstitution {
    /// From a price report computed on substituted tariffs.
    pub fn of(r: &PriceReport) -> PostSubstitution {
        PostSubstitution {
            tariffs: r.tariffs.clone(),
            tariff_change_pp: r.tariff_change_pp,
            pce_price_change_pct: r.pce_price_change_pct,
            core_goods_price_change_pct: r.core_goods_price_change_pct,
            household_cost_usd: r.household_cost_usd,
            market_value_usd: r.coverage.value_in_usd,
        }
    }
}

/// Tariff change per BEA commodity (fraction) with the import value behind it (USD).
#[derive(Clone, Debug)]
pub struct BeaTariffs {
    /// `Δτ_i`.
    pub delta_tau: Vec<f64>,
    /// Weight of each commodity, USD.
    pub value_usd: Vec<f64>,
    /// Mapping coverage.
    pub coverage: MappingReport,
    /// Description of the source.
    pub label: String,
}

/// Accumulates value and Δτ·value per commodity, and what could not be mapped.
struct Accumulator {
    value: Vec<f64>,
    dtau_value: Vec<f64>,
    spread: BTreeMap<String, (f64, f64)>,
    coverage: MappingReport,
}

impl Accumulator {
    fn new(n: usize, what: String) -> Accumulator {
        Accumulator { value: vec![0.0; n], dtau_value: vec![0.0; n], spread: BTreeMap::new(), coverage: MappingReport { what, ..MappingReport::default() } }
    }

    fn add(&mut self, target: Result<(usize, &str), &str>, value: f64, dtau: f64) {
        self.coverage.rows += 1;
        self.coverage.value_in_usd += value;
        match target {
            Ok((idx, route)) => {
                self.value[idx] += value;
                self.dtau_value[idx] += value * dtau;
                *self.coverage.mapped_usd.entry(route.to_string()).or_insert(0.0) += value;
            }
            Err(reason) => {
                let e = self.spread.entry(reason.to_string()).or_insert((0.0, 0.0));
                e.0 += value;
                e.1 += value * dtau;
            }
        }
    }

    /// Spreads the unmapped value over the mapped commodity mix and returns Δτ per commodity.
    fn finish(mut self, label: String) -> BeaTariffs {
        let mapped: f64 = self.value.iter().sum();
        for (reason, (value, dtau_value)) in &self.spread {
            if mapped > 0.0 {
                for i in 0..self.value.len() {
                    let share = self.value[i] / mapped;
                    self.dtau_value[i] += dtau_value * share;
                }
            }
            self.coverage.spread_usd.insert(reason.clone(), *value);
        }
        let spread_total: f64 = self.spread.values().map(|v| v.0).sum();
        let scale = if mapped > 0.0 { 1.0 + spread_total / mapped } else { 1.0 };
        let value_usd: Vec<f64> = self.value.iter().map(|v| v * scale).collect();
        let delta_tau = self.dtau_value.iter().zip(&value_usd).map(|(dv, v)| if *v > 0.0 { dv / v } else { 0.0 }).collect();
        BeaTariffs { delta_tau, value_usd, coverage: self.coverage, label }
    }
}

/// Tariff changes by BEA commodity from a scenario against its baseline on a date.
pub fn scenario_tariffs(io: &UsIo, data: &TariffData, scenario: &Scenario, baseline: &Scenario, date: Date) -> Result<BeaTariffs, RunError> {
    scenario_tariffs_on(io, data, scenario, baseline, date, None)
}

/// [`scenario_tariffs`] for the goods of one partner only (a group: its members), every
/// other cell's change set to zero.
pub fn scenario_tariffs_on(io: &UsIo, data: &TariffData, scenario: &Scenario, baseline: &Scenario, date: Date, partner: Option<AreaCode>) -> Result<BeaTariffs, RunError> {
    if scenario.importer.as_str() != "USA" || baseline.importer.as_str() != "USA" {
        return Err(RunError::Invalid(format!(
            "the price model is the U.S. input–output system; `{}` sets tariffs of {} (use a U.S. scenario such as us-2025)",
            if scenario.importer.as_str() != "USA" { &scenario.id } else { &baseline.id },
            if scenario.importer.as_str() != "USA" { scenario.importer } else { baseline.importer }
        )));
    }
    // Both on the data's own U.S. cells, so the two compiles share their code table; the
    // baseline (and its evaluation) on a second thread beside the scenario's single-threaded
    // stages. One date: only the measures in force on it are compiled (the same rates,
    // `Scenario::in_force_on`).
    let cells = &data.us_cells;
    let (new, old) = std::thread::scope(|scope| {
        let old = scope.spawn(|| data.compile_on(&baseline.in_force_on(date), cells).evaluate(date).total_pct);
        let new = data.compile_on(&scenario.in_force_on(date), cells).evaluate(date).total_pct;
        (new, old.join().expect("compiling does not panic"))
    });
    let members = partner.map(|p| kanzei_tariff::analysis::members_of(p, data.registry));
    let on = partner.map_or_else(String::new, |p| format!(", tariffs on {p} only"));
    let label = format!("scenario {} against {} on {date} (statutory rates on 2024 import weights{on})", scenario.id, baseline.id);
    tariffs_from_rates(io, cells, &new, &old, members.as_deref(), label)
}

/// Tariff changes by BEA commodity from two evaluations of the same cells (percent per
/// cell); with `only`, the change on those exporters' cells alone (every cell still weighs).
pub fn tariffs_from_rates(io: &UsIo, cells: &CellSet, new: &[f64], old: &[f64], only: Option<&[AreaCode]>, label: String) -> Result<BeaTariffs, RunError> {
    if new.len() != cells.cells.len() || old.len() != cells.cells.len() {
        return Err(RunError::Invalid(format!("{} and {} cell rates for {} cells", new.len(), old.len(), cells.cells.len())));
    }
    // Value and Δτ·value per HS10 line first, then one lookup each. An HS2 proxy cell is its
    // mix's lines in proportion (weights summing to 1): the cells of one mix are summed first
    // and spread over its lines once (~11k proxy cells share ~200 mixes).
    let mut lines: FxHashMap<HsCode, (f64, f64)> = FxHashMap::default();
    let mut mixes: FxHashMap<(Proxy, u8), (f64, f64)> = FxHashMap::default();
    for (c, cell) in cells.cells.iter().enumerate() {
        let dtau = if only.is_none_or(|p| p.contains(&cell.exporter)) { (new[c] - old[c]) / 100.0 } else { 0.0 };
        let e = match cell.proxy {
            Some(proxy) => mixes.entry((proxy, cell.code.chapter_number())).or_insert((0.0, 0.0)),
            None => lines.entry(cell.code.with_vintage(HsVintage::Unspecified)).or_insert((0.0, 0.0)),
        };
        e.0 += cell.value_usd;
        e.1 += cell.value_usd * dtau;
    }
    let mut mixes: Vec<_> = mixes.into_iter().collect();
    mixes.sort_unstable_by_key(|(key, _)| *key);
    for (key @ (proxy, chapter), (value, dtau_value)) in mixes {
        let mix = cells
            .proxies
            .get(&key)
            .ok_or_else(|| RunError::Invalid(format!("HS2 proxy cells of chapter {chapter} name a proxy mix ({proxy:?}) the cell set does not hold")))?;
        for (code, w) in mix {
            let e = lines.entry(code.with_vintage(HsVintage::Unspecified)).or_insert((0.0, 0.0));
            e.0 += value * w;
            e.1 += dtau_value * w;
        }
    }
    let mut acc = Accumulator::new(io.n(), "HS10 lines of 2024 U.S. imports (HS2 proxy cells split over their proxy lines)".into());
    let mut sorted: Vec<_> = lines.into_iter().collect();
    sorted.sort_by_key(|(code, _)| *code);
    for (code, (value, dtau_value)) in sorted {
        let target = io.hs10_commodity(code).map(|(idx, level)| (idx, level.label())).map_err(BeaUnmapped::label);
        acc.add(target, value, if value > 0.0 { dtau_value / value } else { 0.0 });
    }
    Ok(acc.finish(label))
}

/// Tariff changes by BEA commodity after substitution: SMART (`kanzei pe smart`) on the same
/// scenario, baseline and date, by HS6; each subheading's change is the post-substitution
/// rate (revenue after / imports after) less the baseline rate, weighted by 2024 imports.
/// SMART's market is the HS10 partners and the EU (partners with HS2 data only are outside
/// it and outside these weights, reported in the label).
pub fn substituted_tariffs(io: &UsIo, run: &crate::runs::SmartRun) -> BeaTariffs {
    let mut acc = Accumulator::new(io.n(), "HS6 subheadings of SMART's market (2024 HS10 partners and the EU)".into());
    for g in &run.groups {
        let Ok(code) = HsCode::parse(&g.key) else { continue };
        let after = if g.imports_after_usd > 0.0 { g.revenue_usd / g.imports_after_usd } else { g.rate_after_pct / 100.0 };
        let dtau = after - g.rate_before_pct / 100.0;
        let target = io.hs10_commodity(code).map(|(idx, level)| (idx, level.label())).map_err(BeaUnmapped::label);
        acc.add(target, g.imports_before_usd, dtau);
    }
    acc.finish(format!(
        "scenario {} against {} on {} after substitution (SMART, post-substitution ETR {:.2}%)",
        run.scenario, run.baseline, run.date, run.etr_post_pct
    ))
}

/// Tariff changes by BEA commodity from the collected rate of a month against a base year.
pub fn collected_tariffs(io: &UsIo, monthly: &NaicsMonthly, month: Month, base_year: i32) -> Result<BeaTariffs, RunError> {
    let mut base: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for r in monthly.rows.iter().filter(|r| r.month.year == base_year) {
        let e = base.entry(r.naics.as_str()).or_insert((0.0, 0.0));
        e.0 += r.imports_usd;
        e.1 += r.duty_usd;
    }
    if base.is_empty() {
        return Err(RunError::Invalid(format!("no collected duties for the base year {base_year}; the NAICS data cover {}", span_text(monthly))));
    }
    let rows: Vec<_> = monthly.rows.iter().filter(|r| r.month == month).collect();
    if rows.is_empty() {
        return Err(RunError::Invalid(format!("no collected duties for {month}; the NAICS data cover {}", span_text(monthly))));
    }
    let mut acc = Accumulator::new(io.n(), format!("NAICS6 imports of {month}"));
    for r in rows {
        let rate = |imports: f64, duty: f64| if imports > 0.0 { duty / imports } else { 0.0 };
        let before = base.get(r.naics.as_str()).map_or(0.0, |(i, d)| rate(*i, *d));
        let dtau = rate(r.imports_usd, r.duty_usd) - before;
        match io.naics_to_bea(&r.naics) {
            Some((_, list)) => {
                // A NAICS prefix under several commodities is split by their 2017 imports.
                let total: f64 = list.iter().map(|&i| io.commodities[i].imports_musd.max(0.0)).sum();
                for &i in list {
                    let share = if total > 0.0 { io.commodities[i].imports_musd.max(0.0) / total } else { 1.0 / list.len() as f64 };
                    acc.add(Ok((i, "NAICS → BEA concordance (longest prefix)")), r.imports_usd * share, dtau);
                }
            }
            None => acc.add(Err("NAICS 98/99 goods returned and special provisions: no BEA commodity"), r.imports_usd, dtau),
        }
    }
    Ok(acc.finish(format!("collected rate of {month} against {base_year}'s (calculated duty / imports by NAICS6)")))
}

fn span_text(monthly: &NaicsMonthly) -> String {
    monthly.span().map_or_else(|| "no months".into(), |(a, b)| format!("{a}…{b}"))
}

/// PCE groups by NIPA line (Table 2.4.5U; the 2017 bridge): food and beverages off
/// premises, gasoline and other energy goods; goods are lines below 150.
fn group_of(line: u16) -> &'static str {
    match line {
        77..=103 => "food",
        115..=119 => "energy_goods",
        0..=149 => "goods",
        _ => "services",
    }
}

/// Named groups of PCE categories by NIPA line (Table 2.4.5U).
pub const NAMED_GROUPS: &[(&str, &[u16])] = &[
    ("New vehicles", &[7, 8, 9]),
    ("Motor vehicle parts and accessories", &[21, 22]),
    ("Furniture and furnishings", &[25, 26, 27, 28]),
    ("Household appliances", &[30, 31]),
    ("Dishes, cookware and tools", &[33, 34, 36, 37]),
    ("Televisions, video and audio equipment", &[41, 42, 43]),
    ("Computers, software and accessories", &[49, 50]),
    ("Sporting equipment", &[52]),
    ("Jewelry and watches", &[64, 65]),
    ("Telephones and communication equipment", &[71]),
    ("Apparel", &[106, 107, 108, 110, 111]),
    ("Footwear", &[112]),
    ("Pharmaceutical products", &[122]),
    ("Toys, games and hobbies", &[127]),
    ("Food at home", &[77, 78, 80, 81, 82, 83, 84, 86, 87, 88, 89, 91, 92, 93, 94, 95, 97, 98, 100, 101, 102, 103]),
    ("Gasoline and other energy goods", &[115, 116, 118, 119]),
];

/// The price model of the U.S. 2017 table.
pub fn price_model(io: &UsIo) -> Result<PriceModel, RunError> {
    let shares = io
        .commodities
        .iter()
        .map(|c| if c.supply_basic_musd > 0.0 { (c.imports_musd / c.supply_basic_musd).clamp(0.0, 1.0) } else { 0.0 })
        .collect();
    PriceModel::new(io.n(), io.total_requirements.clone(), shares).map_err(|e| RunError::Invalid(e.to_string()))
}

/// Runs the price model on tariff changes by BEA commodity.
pub fn price_effects(io: &UsIo, model: &PriceModel, tariffs: &BeaTariffs, options: &PriceOptions) -> Result<PriceReport, RunError> {
    let e = model.shock(&tariffs.delta_tau, options.pass_through).map_err(|e| RunError::Invalid(e.to_string()))?;
    let dp = model.propagate(&e);
    let (lines, bridge) = bridge_rows(io);
    let (change, weights) = category_prices(&bridge, lines.len(), &dp, options.margins);
    let total_w: f64 = weights.iter().sum();
    let categories: Vec<CategoryPrice> = lines
        .iter()
        .enumerate()
        .map(|(k, (line, name))| CategoryPrice {
            nipa_line: *line,
            category: name.clone(),
            group: group_of(*line),
            price_change_pct: 100.0 * change[k],
            pce_weight_pct: pct(weights[k], total_w),
        })
        .collect();
    let mean_of = |pred: &dyn Fn(&CategoryPrice) -> bool| 100.0 * weighted_mean(&change, &weights, (0..lines.len()).filter(|&k| pred(&categories[k])));
    let pce = mean_of(&|_| true);
    let named = NAMED_GROUPS
        .iter()
        .map(|(name, members)| {
            let ks: Vec<usize> = (0..lines.len()).filter(|&k| members.contains(&lines[k].0)).collect();
            NamedPrice { name, price_change_pct: 100.0 * weighted_mean(&change, &weights, ks.iter().copied()), pce_weight_pct: pct(ks.iter().map(|&k| weights[k]).sum(), total_w) }
        })
        .collect();
    let mapped_value: f64 = tariffs.value_usd.iter().sum();
    let tariff_change_pp = 100.0 * tariffs.delta_tau.iter().zip(&tariffs.value_usd).map(|(d, v)| d * v).sum::<f64>() / mapped_value.max(1.0);
    Ok(PriceReport {
        tariffs: tariffs.label.clone(),
        tariff_change_pp,
        pass_through: options.pass_through,
        margins: options.margins,
        pce_price_change_pct: pce,
        pce_goods_price_change_pct: mean_of(&|c| c.group != "services"),
        core_goods_price_change_pct: mean_of(&|c| c.group == "goods"),
        food_price_change_pct: mean_of(&|c| c.group == "food"),
        energy_goods_price_change_pct: mean_of(&|c| c.group == "energy_goods"),
        services_price_change_pct: mean_of(&|c| c.group == "services"),
        household_cost_usd: pce / 100.0 * options.household.pce_per_household_usd(),
        household: options.household.clone(),
        named,
        categories,
        commodities: commodity_rows(io, model, tariffs, &dp),
        coverage: tariffs.coverage.clone(),
        notes: notes(options),
        post_substitution: None,
    })
}

/// The bridge's categories (line, name) in line order and its rows by category index.
fn bridge_rows(io: &UsIo) -> (Vec<(u16, String)>, Vec<BridgeRow>) {
    let mut lines: Vec<(u16, String)> = Vec::new();
    let mut rows = Vec::with_capacity(io.pce.len());
    for r in &io.pce {
        let k = match lines.iter().position(|(l, _)| *l == r.line) {
            Some(k) => k,
            None => {
                lines.push((r.line, r.category.clone()));
                lines.len() - 1
            }
        };
        rows.push(BridgeRow { category: k, commodity: r.commodity, producers: r.producers_musd, purchasers: r.purchasers_musd });
    }
    (lines, rows)
}

fn commodity_rows(io: &UsIo, model: &PriceModel, tariffs: &BeaTariffs, dp: &[f64]) -> Vec<CommodityPrice> {
    let mut rows: Vec<CommodityPrice> = (0..io.n())
        .filter(|&i| tariffs.delta_tau[i] != 0.0 || dp[i].abs() > 1e-12)
        .map(|i| CommodityPrice {
            code: io.commodities[i].code.clone(),
            description: io.commodities[i].description.clone(),
            import_share_pct: 100.0 * model.import_share()[i],
            tariff_change_pp: 100.0 * tariffs.delta_tau[i],
            import_value_usd: tariffs.value_usd[i],
            producer_price_change_pct: 100.0 * dp[i],
        })
        .collect();
    rows.sort_by(|a, b| b.producer_price_change_pct.total_cmp(&a.producer_price_change_pct));
    rows
}

fn notes(options: &PriceOptions) -> Vec<String> {
    vec![
        "Leontief price model on BEA's 2017 detail commodity-by-commodity total requirements (402 commodities): Δp = L′(m ∘ ρΔτ) (MODELS.md §7; Miller & Blair 2009, ch. 2.6).".into(),
        "Import shares m are 2017's (supply table: imports / supply at basic prices); each use of a commodity is assumed to have the same import share (import proportionality).".into(),
        "Costs are passed forward in full by U.S. producers and retailers; no substitution between sources or products (the 2017 basket): a short-run, pre-substitution upper bound for the given pass-through.".into(),
        match options.margins {
            Margins::ConstantDollars => "Transport, wholesale and retail margins held constant in dollars (the default); `--margins percent` holds them constant in percent, which raises purchasers' price changes.".into(),
            Margins::ConstantPercent => "Transport, wholesale and retail margins held constant in percent of the producer price.".into(),
        },
        format!(
            "Household cost = PCE price change × PCE per household (${:.0}); PCE includes imputed and third-party-paid items (owner-occupied rent, employer health insurance), so it exceeds cash spending.",
            options.household.pce_per_household_usd()
        ),
    ]
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole == 0.0 {
        0.0
    } else {
        100.0 * part / whole
    }
}

/// Loads the U.S. IO tables and runs the price model for a tariff change; with
/// `options.substitution` and a scenario, also after SMART's substitution.
pub fn prices(store: &Store, data: &TariffData, change: &TariffChange<'_>, options: &PriceOptions) -> Result<PriceReport, RunError> {
    let mut report = prices_pre(store, data, change, options)?;
    if let (true, TariffChange::Scenario { scenario, baseline, date, partner: None }) = (options.substitution, change) {
        let io = store.us_io()?;
        let smart = crate::runs::SmartOptions { by: crate::runs::SmartBy::Hs6, set: options.elasticities.clone(), ..crate::runs::SmartOptions::default() };
        let run = crate::runs::smart_us_with(store, data, scenario, baseline, *date, &smart)?;
        let post = price_effects(&io, &price_model(&io)?, &substituted_tariffs(&io, &run), options)?;
        report.post_substitution = Some(PostSubstitution::of(&post));
    } else if options.substitution {
        return Err(RunError::Invalid("substitution needs a scenario for all partners (not --tariffs collected:…, which already reflects what was bought, nor --partner)".into()));
    }
    Ok(report)
}

fn prices_pre(store: &Store, data: &TariffData, change: &TariffChange<'_>, options: &PriceOptions) -> Result<PriceReport, RunError> {
    let io = store.us_io()?;
    let tariffs = match change {
        TariffChange::Scenario { scenario, baseline, date, partner } => scenario_tariffs_on(&io, data, scenario, baseline, *date, *partner)?,
        TariffChange::Collected { month, base_year } => {
            let monthly = store.naics_monthly()?;
            collected_tariffs(&io, &monthly, *month, *base_year)?
        }
    };
    let model = price_model(&io)?;
    price_effects(&io, &model, &tariffs, options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_follow_nipa_lines() {
        assert_eq!(group_of(7), "goods");
        assert_eq!(group_of(80), "food");
        assert_eq!(group_of(115), "energy_goods");
        assert_eq!(group_of(170), "services");
    }

    #[test]
    fn unmapped_value_is_spread_over_the_mix() {
        let mut acc = Accumulator::new(2, "test".into());
        acc.add(Ok((0, "exact")), 300.0, 0.10);
        acc.add(Ok((1, "exact")), 100.0, 0.0);
        acc.add(Err("special"), 100.0, 0.20);
        let t = acc.finish("t".into());
        // The 100 of special value joins the mix 3:1 with its 20% change.
        assert!((t.value_usd[0] - 375.0).abs() < 1e-9 && (t.value_usd[1] - 125.0).abs() < 1e-9);
        assert!((t.delta_tau[0] - (30.0 + 15.0) / 375.0).abs() < 1e-12);
        assert!((t.delta_tau[1] - 5.0 / 125.0).abs() < 1e-12);
        assert_eq!(t.coverage.spread_usd["special"], 100.0);
        assert!((t.coverage.mapped_pct() - 80.0).abs() < 1e-12);
    }
}
