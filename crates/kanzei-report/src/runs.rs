//! Runs of the models on kanzei's data: the glue between the data crate's tables and the
//! model crates' input types, so the CLI and the brief call one function per question.

use std::collections::BTreeMap;

use kanzei_core::{AreaCode, HsCode, HsVintage};
use kanzei_data::cp2015::{Cp2015Data, TariffYear};
use kanzei_data::elasticities::{Resolved, Resolver, ResolverConfig};
use kanzei_data::{DataError, Store};
use kanzei_ge::caliendo_parro::{solve, Baseline, Equilibrium, ObservedEconomy, Problem, Residuals, Shock, SolverConfig};
use kanzei_ge::gravity::{CostCoefficients, FullEndowment, GravityConfig, GravityInputs, GravityModel, GravityResults};
use kanzei_mrio::{Mrio, ValueAddedModel};
use kanzei_pe::elasticity::{Elasticity, ElasticityKind, ElasticityPanel, ElasticitySource, ProductElasticities};
use kanzei_pe::gsim::{solve_linear, GsimData, GsimProblem, GsimSolution};
use kanzei_pe::smart::{simulate, SmartConfig, SmartData, SmartTotals};
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::engine::Compiled;
use kanzei_tariff::{Date, Scenario};
use serde::Serialize;

/// Errors from any layer a run touches.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// Data could not be loaded.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A general-equilibrium model failed (e.g. did not converge).
    #[error(transparent)]
    Ge(#[from] kanzei_ge::GeError),
    /// A partial-equilibrium model failed.
    #[error(transparent)]
    Pe(#[from] kanzei_pe::PeError),
    /// An input–output computation failed.
    #[error(transparent)]
    Mrio(#[from] kanzei_mrio::MrioError),
    /// A scenario is invalid.
    #[error(transparent)]
    Scenario(#[from] kanzei_tariff::ScenarioError),
    /// The request does not make sense for the data.
    #[error("{0}")]
    Invalid(String),
}

/// CP (2015)'s observed economy with 1993 tariffs.
pub fn cp1993_observed(data: &Cp2015Data) -> ObservedEconomy {
    ObservedEconomy {
        countries: data.countries(),
        sectors: data.sectors(),
        tradable: data.tradable(),
        theta: data.theta(),
        trade_flows: data.trade_flows_usd(),
        tariffs: data.tariff_rates(TariffYear::Y1993),
        gross_output: data.gross_output_usd(),
        value_added_share: data.value_added_share(),
        input_shares: data.input_shares(),
        final_demand_shares: None,
    }
}

/// Caliendo & Parro (2015)'s NAFTA experiment: the 1993 baseline rebalanced to zero
/// deficits, then tariffs among Canada, Mexico and the U.S. set to their 2005 values.
pub fn cp_nafta(store: &Store, config: &SolverConfig) -> Result<Equilibrium, RunError> {
    let data = store.cp2015()?;
    let (observed, _) = Baseline::from_observed(&cp1993_observed(&data))?;
    let (baseline, _) = observed.with_zero_deficits(config)?;
    let shock = Shock::tariffs_among(&baseline, &data.tariff_rates(TariffYear::Y2005), &["CAN", "MEX", "USA"])?;
    Ok(solve(&baseline, &shock, config)?)
}

/// gegravity's documented cost coefficients for its sample (OneSectorGE example).
pub const GEGRAVITY_COEFFICIENTS: [(&str, f64); 5] =
    [("lndist", -0.3764), ("contiguity", 0.8850), ("pta", 0.4823), ("common_language", 0.0392), ("international", -3.4224)];

/// Standard errors of [`GEGRAVITY_COEFFICIENTS`] as gegravity's docstring example gives
/// them (`ste`), for Monte Carlo draws.
pub const GEGRAVITY_STANDARD_ERRORS: [(&str, f64); 5] =
    [("lndist", 0.072), ("contiguity", 0.131), ("pta", 0.109), ("common_language", 0.084), ("international", 0.215)];

/// A one-sector gravity counterfactual on a panel: set a cost variable to a value for some
/// directed pairs (e.g. `pta` = 1 for CAN→JPN and JPN→CAN).
pub struct GravitySpec<'a> {
    /// Year of the cross-section.
    pub year: i32,
    /// Cost variables and coefficients.
    pub coefficients: Vec<(String, f64)>,
    /// Elasticity of substitution σ.
    pub sigma: f64,
    /// Reference importer (normalisation).
    pub reference: String,
    /// The change: (variable, pairs (exporter, importer), new value).
    pub change: (String, Vec<(&'a str, &'a str)>, f64),
    /// Full-endowment variant.
    pub variant: FullEndowment,
}

/// Runs a gravity counterfactual.
pub fn gravity(panel: &kanzei_data::gravity_data::GravityPanel, spec: &GravitySpec<'_>) -> Result<GravityResults, RunError> {
    let (inputs, counterfactual, config) = gravity_inputs(panel, spec)?;
    let coefficients = CostCoefficients(spec.coefficients.clone());
    let base_power = inputs.trade_cost_power(&coefficients)?;
    let model = GravityModel::new(&inputs, base_power, &config)?;
    let new_power = counterfactual.trade_cost_power(&coefficients)?;
    Ok(model.simulate(&new_power, spec.variant)?)
}

/// The baseline and counterfactual cost variables of a gravity spec, and its config.
pub fn gravity_inputs(
    panel: &kanzei_data::gravity_data::GravityPanel,
    spec: &GravitySpec<'_>,
) -> Result<(GravityInputs, GravityInputs, GravityConfig), RunError> {
    let totals = panel.country_totals(spec.year, "Y", "E")?;
    let mut cost_variables = Vec::new();
    for (name, _) in &spec.coefficients {
        cost_variables.push((name.clone(), panel.pair_matrix(spec.year, &totals.countries, name)?));
    }
    let inputs = GravityInputs { countries: totals.countries, output: totals.output, expenditure: totals.expenditure, cost_variables };
    let config = GravityConfig { sigma: spec.sigma, reference_importer: spec.reference.clone(), ..GravityConfig::default() };
    let mut counterfactual = inputs.clone();
    counterfactual.set_cost_variable(&spec.change.0, &spec.change.1, spec.change.2)?;
    Ok((inputs, counterfactual, config))
}

/// GSIM on a set of inputs (linear form, the published equations).
pub fn gsim(inputs: &kanzei_data::elasticities::gsim_input::GsimInputs) -> Result<GsimSolution, RunError> {
    gsim_with(inputs, false)
}

/// GSIM in the published linear form, or (with `nonlinear`) the nonlinear form by Newton.
pub fn gsim_with(inputs: &kanzei_data::elasticities::gsim_input::GsimInputs, nonlinear: bool) -> Result<GsimSolution, RunError> {
    let data = GsimData {
        exporters: inputs.exporters.clone(),
        importers: inputs.importers.clone(),
        flows: inputs.flows.clone(),
        t0: inputs.t0.clone(),
        t1: inputs.t1.clone(),
        em: inputs.em.clone(),
        es: inputs.es.clone(),
        ex: inputs.ex.clone(),
    };
    let problem = GsimProblem::new(data)?;
    if nonlinear {
        Ok(kanzei_pe::gsim::solve_nonlinear(&problem, &kanzei_pe::gsim::NewtonOptions::default())?)
    } else {
        Ok(solve_linear(&problem)?)
    }
}

/// The WIOD 2011 value-added model (Leontief factorised once).
pub fn wiod_model(store: &Store) -> Result<ValueAddedModel, RunError> {
    let loaded = store.wiod_2011()?;
    Ok(ValueAddedModel::new(Mrio::new(loaded.table.clone())?)?)
}

fn to_model(kind: ElasticityKind, r: &Resolved) -> Result<Elasticity, RunError> {
    let source = ElasticitySource {
        set: r.set.clone(),
        code: r.source_code.clone(),
        vintage: r.vintage.clone(),
        level: r.level.label().into(),
        flags: r.flags.clone(),
    };
    Ok(Elasticity::new(kind, r.value, source)?)
}

/// How to group SMART results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmartBy {
    /// By exporter.
    Partner,
    /// By HS chapter.
    Hs2,
    /// By HS6 subheading.
    Hs6,
}

/// One group of SMART results.
#[derive(Clone, Debug, Serialize)]
pub struct SmartGroup {
    /// Partner, chapter or HS6.
    pub key: String,
    /// Name.
    pub name: String,
    /// 2024 imports, USD.
    pub imports_before_usd: f64,
    /// Imports after substitution, USD.
    pub imports_after_usd: f64,
    /// Trade creation (negative: imports lost to higher prices), USD.
    pub trade_creation_usd: f64,
    /// Trade diversion (gains from other sources' higher tariffs), USD.
    pub trade_diversion_usd: f64,
    /// Tariff revenue after substitution, USD.
    pub revenue_usd: f64,
    /// Static revenue (new rates on 2024 imports), USD.
    pub revenue_static_usd: f64,
    /// Applied rate before (baseline), percent of 2024 imports.
    pub rate_before_pct: f64,
    /// Applied rate after (scenario), percent of 2024 imports.
    pub rate_after_pct: f64,
}

/// The elasticities behind a product's result.
#[derive(Clone, Debug, Serialize)]
pub struct SmartDrivers {
    /// The product (the largest HS10 line under the prefix).
    pub product: String,
    /// Import demand elasticity Em.
    pub em: f64,
    /// Where Em comes from.
    pub em_source: String,
    /// Substitution elasticity Es.
    pub es: f64,
    /// Where Es comes from.
    pub es_source: String,
}

/// SMART on the U.S. market for a scenario and date.
#[derive(Clone, Debug, Serialize)]
pub struct SmartRun {
    /// Scenario.
    pub scenario: String,
    /// Baseline the initial tariffs come from.
    pub baseline: String,
    /// Date.
    pub date: Date,
    /// Market.
    pub market: String,
    /// ETR at the baseline's rates, percent.
    pub etr_base_pct: f64,
    /// Pre-substitution ETR (scenario rates, 2024 weights), percent.
    pub etr_pre_pct: f64,
    /// Post-substitution ETR (scenario rates, SMART imports), percent.
    pub etr_post_pct: f64,
    /// Totals.
    pub imports_before_usd: f64,
    /// Imports after.
    pub imports_after_usd: f64,
    /// Revenue after substitution.
    pub revenue_usd: f64,
    /// Static revenue.
    pub revenue_static_usd: f64,
    /// Groups, largest change first.
    pub groups: Vec<SmartGroup>,
    /// Share of 2024 value whose import-demand elasticity came from each level (HS10 exact,
    /// HS6, HS4, HS2, default, override).
    pub em_coverage_pct: BTreeMap<String, f64>,
    /// Same for the substitution elasticity.
    pub es_coverage_pct: BTreeMap<String, f64>,
    /// Cells whose imports would have gone negative and were set to zero.
    pub clamped_cells: usize,
    /// For a run reported for one product prefix: the elasticities of its largest line.
    pub drivers: Option<SmartDrivers>,
    /// What the run covers and how the EU is treated.
    pub notes: Vec<String>,
    /// The elasticity set used.
    pub elasticity_set: String,
    /// Monte Carlo bands, when draws were asked for.
    pub bands: Option<crate::smart_sets::SmartBands>,
}

/// SMART on every HS10 × partner cell of 2024 U.S. imports: initial tariffs from a baseline
/// scenario, final tariffs from a scenario, both on the same date; elasticities resolved per
/// HS10 line with their provenance. The EU is one exporter (its aggregate HS10 file, rated
/// as Germany: EU measures are uniform across members); partners with only HS2 data are
/// left out of the market (reported).
pub fn smart_us(
    store: &Store,
    data: &TariffData,
    scenario: &Scenario,
    baseline: &Scenario,
    date: Date,
    by: SmartBy,
    filter: Option<HsCode>,
    config: &SmartConfig,
) -> Result<SmartRun, RunError> {
    let options = SmartOptions { by, filter, config: *config, ..SmartOptions::default() };
    smart_us_with(store, data, scenario, baseline, date, &options)
}

/// What a SMART run on the U.S. market is asked for beyond scenario and date.
#[derive(Clone, Debug)]
pub struct SmartOptions {
    /// Grouping of the results.
    pub by: SmartBy,
    /// Only products under this prefix in the groups.
    pub filter: Option<HsCode>,
    /// Creation and diversion rules.
    pub config: SmartConfig,
    /// The elasticity set (`smart_sets`).
    pub set: crate::smart_sets::SmartSet,
    /// Monte Carlo draws (0: none) and their seed.
    pub draws: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for SmartOptions {
    fn default() -> SmartOptions {
        SmartOptions {
            by: SmartBy::Partner,
            filter: None,
            config: SmartConfig::default(),
            set: crate::smart_sets::SmartSet::default(),
            draws: 0,
            seed: 1,
        }
    }
}

/// [`smart_us`] with an elasticity set and Monte Carlo draws.
pub fn smart_us_with(
    store: &Store,
    data: &TariffData,
    scenario: &Scenario,
    baseline: &Scenario,
    date: Date,
    options: &SmartOptions,
) -> Result<SmartRun, RunError> {
    smart_us_on(store, data, scenario, baseline, date, options, None)
}

/// The scenario's and baseline's rates on `date` for SMART's cells (all HS10): from `known`
/// where it has the same exporter and line, the rest compiled (scenario and baseline on the
/// same cells, one code table for both; one date, so only the measures in force on it,
/// `Scenario::in_force_on`).
fn smart_rates(
    cells: &kanzei_tariff::cells::CellSet,
    data: &TariffData,
    scenario: &Scenario,
    baseline: &Scenario,
    date: Date,
    known: Option<KnownRates<'_>>,
) -> (Vec<f64>, Vec<f64>) {
    let (scenario, baseline) = (scenario.in_force_on(date), baseline.in_force_on(date));
    let compile = |cells: &kanzei_tariff::cells::CellSet| {
        let codes = kanzei_tariff::engine::CodeTable::new(cells, &data.schedule, &data.inputs);
        let new = Compiled::with_codes(&scenario, cells, &data.inputs, &codes).evaluate(date).total_pct;
        let old = Compiled::with_codes(&baseline, cells, &data.inputs, &codes).evaluate(date).total_pct;
        (new, old)
    };
    let Some(known) = known else { return compile(cells) };
    let key = |c: &kanzei_tariff::cells::Cell| (c.exporter, c.code.with_vintage(HsVintage::Unspecified));
    let at: kanzei_tariff::fxhash::FxHashMap<_, usize> = known
        .cells
        .cells
        .iter()
        .enumerate()
        .filter(|(_, c)| c.granularity == kanzei_tariff::cells::Granularity::Hs10)
        .map(|(i, c)| (key(c), i))
        .collect();
    let (mut new, mut old) = (vec![f64::NAN; cells.cells.len()], vec![f64::NAN; cells.cells.len()]);
    let mut missing = Vec::new();
    for (i, c) in cells.cells.iter().enumerate() {
        match at.get(&key(c)) {
            Some(&j) => (new[i], old[i]) = (known.new[j], known.old[j]),
            None => missing.push(i),
        }
    }
    if !missing.is_empty() {
        let rest = kanzei_tariff::cells::CellSet { cells: missing.iter().map(|&i| cells.cells[i]).collect(), ..cells.clone_empty() };
        let (rest_new, rest_old) = compile(&rest);
        for (k, &i) in missing.iter().enumerate() {
            (new[i], old[i]) = (rest_new[k], rest_old[k]);
        }
    }
    (new, old)
}

/// Rates already evaluated on the brief's date for the scenario (`new`) and baseline (`old`)
/// on a cell set (the U.S. cells): a SMART run takes an HS10 line's rates from the cell of
/// the same exporter and line instead of compiling its own cells (a cell's rate depends on
/// its exporter and code alone), and compiles only the lines the set lacks.
pub struct KnownRates<'a> {
    /// The cells the rates are for.
    pub cells: &'a kanzei_tariff::cells::CellSet,
    /// The scenario's total rate per cell, percent.
    pub new: &'a [f64],
    /// The baseline's total rate per cell, percent.
    pub old: &'a [f64],
}

/// [`smart_us_with`], with rates known for some cells ([`KnownRates`]).
pub fn smart_us_on(
    store: &Store,
    data: &TariffData,
    scenario: &Scenario,
    baseline: &Scenario,
    date: Date,
    options: &SmartOptions,
    known: Option<KnownRates<'_>>,
) -> Result<SmartRun, RunError> {
    let (by, filter, config) = (options.by, options.filter, &options.config);
    if scenario.importer.as_str() != "USA" {
        return Err(RunError::Invalid(format!("SMART here models the U.S. market; {} is a scenario for {}", scenario.id, scenario.importer)));
    }
    let hs10 = store.us_imports_hs10()?;
    let registry = data.registry;
    let eu = AreaCode::new("EU27").expect("valid");
    let deu = AreaCode::new("DEU").expect("valid");
    let eu_members = registry.expand(eu);
    // Cells: every HS10 line, the EU aggregate standing for its members; members with their
    // own HS10 file are inside the aggregate and left out to avoid counting them twice.
    let mut lines: Vec<(HsCode, AreaCode, AreaCode, f64)> = Vec::new();
    for l in &hs10.lines {
        let (label, rate_as) = if l.census_code == 3 {
            (eu, deu)
        } else {
            match registry.by_census(l.census_code) {
                Some(a) if eu_members.contains(&a.code) => continue,
                Some(a) => (a.code, a.code),
                None => continue,
            }
        };
        lines.push((l.hs.with_vintage(HsVintage::Hs2022), label, rate_as, l.value_usd));
    }
    lines.sort_by_key(|a| (a.0, a.1));
    let cells = kanzei_tariff::cells::CellSet {
        importer: scenario.importer,
        year: 2024,
        cells: lines
            .iter()
            .map(|(code, _, rate_as, value)| kanzei_tariff::cells::Cell {
                exporter: *rate_as,
                code: *code,
                value_usd: *value,
                duty_usd: None,
                granularity: kanzei_tariff::cells::Granularity::Hs10,
                proxy: None,
            })
            .collect(),
        proxies: Default::default(),
        coverage: kanzei_core::Coverage::new("smart cells", "us_imports_hs10", "USD"),
    };
    let (rate_new, rate_old) = smart_rates(&cells, data, scenario, baseline, date, known);
    let tables = store.elasticities()?;
    let resolver = Resolver::new(&tables, options.set.overrides.as_ref(), ResolverConfig { substitution: options.set.substitution, ..ResolverConfig::default() });
    let spreads = crate::smart_sets::Spreads::new(&tables, options.set.overrides.as_ref());
    let mut spread = Vec::new();
    let mut smart = SmartData::new();
    let mut panel = ElasticityPanel::new();
    let mut em_cov: BTreeMap<String, f64> = BTreeMap::new();
    let mut es_cov: BTreeMap<String, f64> = BTreeMap::new();
    let mut idx = 0;
    while idx < lines.len() {
        let mut end = idx + 1;
        while end < lines.len() && lines[end].0 == lines[idx].0 {
            end += 1;
        }
        let resolved = resolver.resolve(lines[idx].0);
        let em = resolved.get(ElasticityKind::ImportDemand);
        let es = resolved.get(ElasticityKind::Substitution);
        let value: f64 = lines[idx..end].iter().map(|l| l.3).sum();
        *em_cov.entry(em.level.label().to_string()).or_insert(0.0) += value;
        *es_cov.entry(es.level.label().to_string()).or_insert(0.0) += value;
        let product = ProductElasticities {
            em: to_model(ElasticityKind::ImportDemand, em)?,
            es: to_model(ElasticityKind::Substitution, es)?,
            ex: to_model(ElasticityKind::ExportSupply, resolved.get(ElasticityKind::ExportSupply))?,
        };
        if options.draws > 0 {
            spread.push(spreads.of(lines[idx].0, em, es));
        }
        let p = panel.push(&product);
        let cells_iter = (idx..end).map(|i| (lines[i].3, rate_old[i] / 100.0, rate_new[i] / 100.0));
        smart.push_product(panel.values[p], cells_iter);
        idx = end;
    }
    let outcome = simulate(&smart.as_input(), config)?;
    let total_value: f64 = lines.iter().map(|l| l.3).sum();
    for v in em_cov.values_mut() {
        *v *= 100.0 / total_value;
    }
    for v in es_cov.values_mut() {
        *v *= 100.0 / total_value;
    }
    // Groups.
    let mut groups: BTreeMap<String, (String, SmartTotals, f64, f64)> = BTreeMap::new();
    let chapter_names = store.us_exports().map(|e| e.chapter_names.clone()).unwrap_or_default();
    let in_filter = |code: HsCode| filter.is_none_or(|f| f.with_vintage(HsVintage::Unspecified).is_prefix_of(code.with_vintage(HsVintage::Unspecified)));
    for (i, cell) in outcome.cells.iter().enumerate() {
        let (code, label, _, value) = lines[i];
        if !in_filter(code) {
            continue;
        }
        let key = smart_group_key(by, code, label);
        let name = match by {
            SmartBy::Partner => registry.get(label).map_or_else(|| label.to_string(), |a| a.name.clone()),
            SmartBy::Hs2 => chapter_names.get(&code.chapter()).cloned().unwrap_or_default(),
            SmartBy::Hs6 => String::new(),
        };
        let entry = groups.entry(key).or_insert_with(|| (name, SmartTotals::default(), 0.0, 0.0));
        entry.1.add(cell);
        entry.2 += value * rate_old[i] / 100.0;
        entry.3 += value * rate_new[i] / 100.0;
    }
    let bands = if options.draws > 0 {
        let keys: Vec<&String> = groups.keys().collect();
        let group_of_cell: Vec<u32> = lines
            .iter()
            .map(|(code, label, _, _)| {
                if !in_filter(*code) {
                    return u32::MAX;
                }
                let key = smart_group_key(by, *code, *label);
                keys.binary_search(&&key).map_or(u32::MAX, |g| g as u32)
            })
            .collect();
        Some(crate::smart_sets::smart_bands(&smart, &spread, &group_of_cell, &keys, config, options.draws, options.seed, &spreads)?)
    } else {
        None
    };
    let mut out: Vec<SmartGroup> = groups
        .into_iter()
        .map(|(key, (name, t, old, new))| SmartGroup {
            key,
            name,
            imports_before_usd: t.imports_before_usd,
            imports_after_usd: t.imports_after_usd,
            trade_creation_usd: t.trade_creation_usd,
            trade_diversion_usd: t.trade_diversion_usd,
            revenue_usd: t.revenue_after_usd,
            revenue_static_usd: t.revenue_static_usd,
            rate_before_pct: 100.0 * old / t.imports_before_usd.max(1.0),
            rate_after_pct: 100.0 * new / t.imports_before_usd.max(1.0),
        })
        .collect();
    out.sort_by(|a, b| (a.imports_after_usd - a.imports_before_usd).total_cmp(&(b.imports_after_usd - b.imports_before_usd)));
    let drivers = match filter {
        Some(_) => {
            let mut by_line: BTreeMap<HsCode, f64> = BTreeMap::new();
            for l in lines.iter().filter(|l| in_filter(l.0)) {
                *by_line.entry(l.0).or_insert(0.0) += l.3;
            }
            by_line.into_iter().max_by(|a, b| a.1.total_cmp(&b.1)).map(|(code, _)| {
                let r = resolver.resolve(code);
                let (em, es) = (r.get(ElasticityKind::ImportDemand), r.get(ElasticityKind::Substitution));
                SmartDrivers {
                    product: code.to_string(),
                    em: em.value,
                    em_source: format!("{} {} ({})", em.set, em.source_code, em.level.label()),
                    es: es.value,
                    es_source: format!("{} {} ({})", es.set, es.source_code, es.level.label()),
                }
            })
        }
        None => None,
    };
    let totals = outcome.totals();
    let hs2_only: f64 = store.us_imports_hs2()?.lines.iter().filter(|l| l.census_code != 3).map(|l| l.value_usd).sum::<f64>() - total_value;
    Ok(SmartRun {
        scenario: scenario.id.clone(),
        baseline: baseline.id.clone(),
        date,
        market: "USA".into(),
        etr_base_pct: totals.etr_base_pct(),
        etr_pre_pct: totals.etr_pre_pct(),
        etr_post_pct: totals.etr_post_pct(),
        imports_before_usd: totals.imports_before_usd,
        imports_after_usd: totals.imports_after_usd,
        revenue_usd: totals.revenue_after_usd,
        revenue_static_usd: totals.revenue_static_usd,
        groups: out,
        em_coverage_pct: em_cov,
        es_coverage_pct: es_cov,
        clamped_cells: outcome.stats.n_clamped_cells,
        drivers,
        elasticity_set: options.set.name.clone(),
        bands,
        notes: vec![
            format!(
                "Market: 2024 U.S. imports at HS10 from 50 partners and the EU ({:.1} $bn); {:.1} $bn from partners with HS2 data only are outside the model.",
                total_value / 1e9,
                hs2_only / 1e9
            ),
            "The EU is one exporter (its aggregate HS10 file), rated with Germany's preference use; EU measures are the same for every member.".into(),
            "Initial tariffs: the baseline scenario on the same date; final tariffs: the scenario. Export supply is infinite unless overridden (world prices fixed).".into(),
        ],
    })
}

/// The group a SMART cell reports under.
fn smart_group_key(by: SmartBy, code: HsCode, label: AreaCode) -> String {
    match by {
        SmartBy::Partner => label.to_string(),
        SmartBy::Hs2 => code.chapter().to_string(),
        SmartBy::Hs6 => code.prefix(6).unwrap_or(code).to_string(),
    }
}

/// What building a WIOD baseline changed, for the report.
#[derive(Clone, Debug, Default, Serialize)]
pub struct WiodBaselineNotes {
    /// Final-use cells (supplier row × region × category) that were negative — inventory
    /// drawdowns in WIOD's `INVEN` column — and were set to zero before rebalancing.
    pub negative_final_use_cells: usize,
    /// Their total value, USD millions (negative).
    pub negative_final_use_value: f64,
    /// Gross output after rebalancing minus gross output as published, summed over all
    /// country-sectors, USD millions.
    pub output_change_total: f64,
    /// The same in percent of world gross output as published.
    pub output_change_total_pct: f64,
    /// The largest change in one country-sector's gross output from rebalancing, percent
    /// of its published output (cells with at least 1 $M of output).
    pub output_change_max_pct: f64,
    /// The country-sector where that change happened (`REGION_SECTOR`).
    pub output_change_max_cell: String,
    /// Neumann iterations the rebalancing took.
    pub rebalancing_iterations: usize,
    /// Country-sectors with zero published gross output (kept: their row and column are
    /// empty, value-added share 1).
    pub zero_output_cells: usize,
    /// Country-sectors whose intermediate purchases exceed their gross output (value added
    /// would be negative; the share is clamped to 0, which breaks the identity there).
    pub negative_value_added_cells: usize,
    /// Country-sectors with no intermediate purchases, given their own sector as sole input.
    pub no_intermediates: usize,
    /// Cells where [`Baseline::from_observed`] raised gross output to exports (CP's step
    /// 3); zero once the table is rebalanced.
    pub gross_output_raised: usize,
    /// Cells where a derived final-demand share came out negative and was clipped (CP's
    /// step 6); zero once negative final use is removed.
    pub alpha_clipped: usize,
    /// θ values replaced, with the reason.
    pub theta_overrides: Vec<String>,
}

/// θ that Caliendo & Parro used for autos and other transport equipment in their NAFTA
/// application (`T.txt`: 8.22); WIOD's c15 combines both, and the mapped CP full-sample
/// estimate for it (0.37, "other transport") would make transport equipment nearly
/// insensitive to prices.
pub const THETA_TRANSPORT_EQUIPMENT: f64 = 8.22;

/// θ for the service sectors c17–c35. The mapped θ file gives them 100, "a device to make
/// them effectively non-traded", but in exact hat algebra a large θ does the opposite of
/// freezing trade: it makes trade shares hypersensitive, π̂ = (relative cost change)^{−θ},
/// so a 1% change in relative costs moves them by a factor e^{±1}. WIOD's services are
/// traded (20% of world trade in the 2011 table; Luxembourg's service exports are 1.3
/// times its value added, Ireland's 0.46). With θ = 100, a 1% rise in Luxembourg's wage
/// moves its trade balance by about θ × (service exports + imports) × 1% ≈ 2.3 times its
/// value added, so the wage update (step 0.5 × excess / value added) overshoots a
/// hundredfold, and the solver with the file's values did not converge (issue 5). The
/// code that ships the θ file, TradMod.jl's `PREPARE_DATA.jl` (the Costinot &
/// Rodríguez-Clare 2014 multi-sector model on WIOD), itself replaces every service
/// sector's θ by 5 before solving; kanzei does the same. (The solver now converges with
/// θ = 100 too, but that equilibrium is driven by services trade: U.S. real income under
/// `us-2025` −0.50% instead of −0.14%.)
pub const THETA_SERVICES: f64 = 5.0;

/// The θ file's placeholder for non-traded sectors (see [`THETA_SERVICES`]).
const THETA_NON_TRADED_DEVICE: f64 = 100.0;

/// Neumann iterations allowed when rebalancing the WIOD table.
const MAX_REBALANCING_ITERATIONS: usize = 10_000;

/// The WIOD 2011 table as Caliendo–Parro's observed economy (41 regions × 35 sectors).
/// Baseline tariffs are set by the caller (zero here).
///
/// Construction (all flows in USD):
/// 1. **Negative final use removed, table rebalanced** (Costinot & Rodríguez-Clare 2014,
///    as in TradMod.jl's `PREPARE_DATA.jl`): final-use cells below zero (inventory
///    drawdowns) are set to zero, and gross output is recomputed from the Leontief system
///    with the published technical coefficients, x' = A x' + F⁺ (A = Z diag(x)⁻¹, solved
///    by Neumann iteration from the published x), so Z' = A diag(x') and every row adds
///    up exactly: x' = Z'1 + F⁺1. Value-added and input shares are those of the published
///    table (A is unchanged). Without this, the model's goods-market identity fails
///    wherever final use is negative (a negative derived α has to be clipped) and the
///    published rows add up only to integer rounding, so a zero shock would not return
///    the baseline.
/// 2. Flows: sector j of exporter i bought by importer n = Σ_k Z'_{(i,j),(n,k)} + Σ_c
///    F⁺_{(i,j),(n,c)} (intermediate + final use); gross output x'.
/// 3. Value-added shares 1 − Σ_r Z_{r,(n,j)} / x_{(n,j)}; input shares by input sector
///    (summed over supplying countries) within intermediate purchases.
/// 4. Final-demand shares are **derived** from the goods-market identity, CP's step 6
///    (`final_demand_shares: None`). On the rebalanced table and without tariffs the
///    derived shares equal WIOD's final-use shares exactly; with tariffs they also absorb
///    tariff payments, so the baseline in levels is an equilibrium of the model.
/// 5. θ: the CP/CRC mapping, with c15 set to [`THETA_TRANSPORT_EQUIPMENT`] and services to
///    [`THETA_SERVICES`].
pub fn wiod_observed(store: &Store) -> Result<(ObservedEconomy, WiodBaselineNotes), RunError> {
    let loaded = store.wiod_2011()?;
    let thetas = store.wiod_thetas()?;
    wiod_observed_from(&loaded.table, &thetas.theta)
}

/// [`wiod_observed`] on a loaded table and θ by sector (c1 first).
pub fn wiod_observed_from(
    t: &kanzei_data::mrio::MrioTable,
    thetas: &[f64],
) -> Result<(ObservedEconomy, WiodBaselineNotes), RunError> {
    let n = t.regions.len();
    let j_count = t.sectors.len();
    let nj = n * j_count;
    let n_cat = t.final_demand_categories.len();
    let fd_cols = n * n_cat;
    let x = t.x.clone().ok_or_else(|| RunError::Invalid("the WIOD table has no gross output".into()))?;
    if t.z.len() != nj * nj || t.y.len() != nj * fd_cols || x.len() != nj || thetas.len() != j_count {
        return Err(RunError::Invalid(format!(
            "the WIOD table has {} intermediate, {} final-use, {} output and {} θ values; expected {} × {}, {} × {}, {} and {j_count}",
            t.z.len(),
            t.y.len(),
            x.len(),
            thetas.len(),
            nj,
            nj,
            nj,
            fd_cols,
            nj
        )));
    }
    let mut notes = WiodBaselineNotes::default();
    // Step 1: F⁺ and its row sums.
    let mut final_use = t.y.clone();
    for v in final_use.iter_mut() {
        if *v < 0.0 {
            notes.negative_final_use_cells += 1;
            notes.negative_final_use_value += *v;
            *v = 0.0;
        }
    }
    let final_row: Vec<f64> = (0..nj).map(|r| final_use[r * fd_cols..(r + 1) * fd_cols].iter().sum()).collect();
    // Column sums of Z (intermediate purchases) and zero-output columns.
    let mut purchases = vec![0.0; nj];
    for r in 0..nj {
        for (c, p) in purchases.iter_mut().enumerate() {
            *p += t.z[r * nj + c];
        }
    }
    for c in 0..nj {
        if x[c] <= 0.0 {
            notes.zero_output_cells += 1;
            if purchases[c] != 0.0 {
                return Err(RunError::Invalid(format!(
                    "WIOD industry {} has zero gross output but buys {} $M of inputs; technical coefficients are undefined",
                    t.industry_label(c),
                    purchases[c]
                )));
            }
        } else if purchases[c] > x[c] {
            notes.negative_value_added_cells += 1;
        }
    }
    // x' = A x' + F⁺ by Neumann iteration from x; (A x')_r = Σ_c Z_rc (x'_c / x_c).
    let mut output = x.clone();
    let mut scale = vec![0.0; nj];
    let mut next = vec![0.0; nj];
    let output_floor = x.iter().fold(0.0_f64, |a, &b| a.max(b)) * 1e-15;
    loop {
        for c in 0..nj {
            scale[c] = if x[c] > 0.0 { output[c] / x[c] } else { 0.0 };
        }
        let mut change = 0.0_f64;
        // (Z scale)_r for four rows at a time: four independent sums, each added in column
        // order from −0.0 as `Iterator::sum` does, so the result is the same to the bit while
        // the additions of one row no longer wait on each other's latency alone.
        let mut r = 0;
        while r < nj {
            let rows = (nj - r).min(4);
            let mut acc = [-0.0_f64; 4];
            if rows == 4 {
                let z = [&t.z[r * nj..(r + 1) * nj], &t.z[(r + 1) * nj..(r + 2) * nj], &t.z[(r + 2) * nj..(r + 3) * nj], &t.z[(r + 3) * nj..(r + 4) * nj]];
                for (c, s) in scale.iter().enumerate() {
                    acc[0] += z[0][c] * s;
                    acc[1] += z[1][c] * s;
                    acc[2] += z[2][c] * s;
                    acc[3] += z[3][c] * s;
                }
            } else {
                for (q, a) in acc.iter_mut().take(rows).enumerate() {
                    *a = t.z[(r + q) * nj..(r + q + 1) * nj].iter().zip(&scale).map(|(z, s)| z * s).sum::<f64>();
                }
            }
            for (q, a) in acc.iter().take(rows).enumerate() {
                let v = a + final_row[r + q];
                change = change.max((v - output[r + q]).abs() / v.abs().max(output_floor));
                next[r + q] = v;
            }
            r += rows;
        }
        std::mem::swap(&mut output, &mut next);
        notes.rebalancing_iterations += 1;
        if change <= 1e-14 {
            break;
        }
        if !change.is_finite() || notes.rebalancing_iterations >= MAX_REBALANCING_ITERATIONS {
            return Err(RunError::Invalid(format!(
                "rebalancing the WIOD table (x = A x + F⁺) did not converge: largest relative change {change:.3e} after {} iterations",
                notes.rebalancing_iterations
            )));
        }
    }
    notes.output_change_total_pct = 100.0 * (output.iter().sum::<f64>() / x.iter().sum::<f64>() - 1.0);
    for c in 0..nj {
        scale[c] = if x[c] > 0.0 { output[c] / x[c] } else { 0.0 };
        notes.output_change_total += output[c] - x[c];
        if x[c] >= 1.0 {
            let pct = 100.0 * (output[c] / x[c] - 1.0);
            if pct.abs() > notes.output_change_max_pct.abs() {
                notes.output_change_max_pct = pct;
                notes.output_change_max_cell = t.industry_label(c);
            }
        }
    }
    // Step 2: flows, sector j of exporter i bought by importer m, J x N x N.
    let mut flows = vec![0.0; j_count * n * n];
    for i in 0..n {
        for j in 0..j_count {
            let row = i * j_count + j;
            for m in 0..n {
                let mut v = 0.0;
                for k in 0..j_count {
                    let col = m * j_count + k;
                    v += t.z[row * nj + col] * scale[col];
                }
                for c in 0..n_cat {
                    v += final_use[row * fd_cols + m * n_cat + c];
                }
                flows[(j * n + m) * n + i] = v;
            }
        }
    }
    // Step 3: value-added shares and input shares (by input sector, summed over supplying
    // countries); both are the published table's, since A is unchanged.
    let mut va_share = vec![0.0; nj];
    let mut input_shares = vec![0.0; n * j_count * j_count];
    for m in 0..n {
        for jj in 0..j_count {
            let col = m * j_count + jj;
            let mut by_input = vec![0.0; j_count];
            for i in 0..n {
                for (k, b) in by_input.iter_mut().enumerate() {
                    *b += t.z[(i * j_count + k) * nj + col];
                }
            }
            let total: f64 = by_input.iter().sum();
            va_share[col] = if x[col] > 0.0 { (1.0 - total / x[col]).clamp(0.0, 1.0) } else { 1.0 };
            if total > 0.0 {
                for k in 0..j_count {
                    input_shares[(m * j_count + k) * j_count + jj] = by_input[k] / total;
                }
            } else {
                notes.no_intermediates += 1;
                input_shares[(m * j_count + jj) * j_count + jj] = 1.0;
            }
        }
    }
    // Step 5: θ.
    let mut theta = thetas.to_vec();
    if let Some(c15) = t.sectors.iter().position(|s| s == "c15") {
        notes.theta_overrides.push(format!(
            "c15 transport equipment: θ {} (CP full-sample \"other transport\") replaced by {THETA_TRANSPORT_EQUIPMENT}, the value CP used for autos and other transport in their NAFTA application",
            theta[c15]
        ));
        theta[c15] = THETA_TRANSPORT_EQUIPMENT;
    }
    let services: Vec<&str> =
        t.sectors.iter().zip(&theta).filter(|(_, &th)| th >= THETA_NON_TRADED_DEVICE).map(|(s, _)| s.as_str()).collect();
    if !services.is_empty() {
        notes.theta_overrides.push(format!(
            "{} ({} service sectors): θ {THETA_NON_TRADED_DEVICE} (the θ file's device for \"non-traded\") replaced by {THETA_SERVICES}, as TradMod.jl (Costinot & Rodríguez-Clare 2014's model on WIOD) does before solving: WIOD's services are traded, and θ = 100 would make that trade explode at the smallest cost change",
            if services.len() > 2 { format!("{}–{}", services[0], services[services.len() - 1]) } else { services.join(", ") },
            services.len()
        ));
        for th in theta.iter_mut() {
            if *th >= THETA_NON_TRADED_DEVICE {
                *th = THETA_SERVICES;
            }
        }
    }
    // Flows in USD; gross output as their sum over buyers, added up in the order
    // `Baseline::from_observed` adds up exports, so that a country-sector without domestic
    // sales does not show exports above output by a rounding error (x' equals this sum to
    // the rebalancing tolerance).
    let trade_flows: Vec<f64> = flows.iter().map(|v| v * 1e6).collect();
    let mut gross_output = vec![0.0; nj];
    for j in 0..j_count {
        for m in 0..n {
            for i in 0..n {
                gross_output[i * j_count + j] += trade_flows[(j * n + m) * n + i];
            }
        }
    }
    let observed = ObservedEconomy {
        countries: t.regions.clone(),
        sectors: t.sectors.clone(),
        tradable: vec![true; j_count],
        theta,
        trade_flows,
        tariffs: vec![0.0; j_count * n * n],
        gross_output,
        value_added_share: va_share,
        input_shares,
        final_demand_shares: None,
    };
    Ok((observed, notes))
}

/// Import-weighted tariffs of a scenario on a date by WIOD exporter region × sector, for the
/// scenario's importer, with the mapping coverage.
pub fn scenario_sector_tariffs(
    store: &Store,
    data: &TariffData,
    scenario: &Scenario,
    date: Date,
) -> Result<kanzei_tariff::sectors::RegionSectorTariffs, RunError> {
    let (cells, compiled) = data.compile(scenario);
    compiled_sector_tariffs(store, &cells, &compiled, date)
}

/// The same from a scenario already compiled on its cells (saves the compilation when the
/// caller has it, as the brief does).
pub fn compiled_sector_tariffs(
    store: &Store,
    cells: &kanzei_tariff::cells::CellSet,
    compiled: &kanzei_tariff::engine::Compiled,
    date: Date,
) -> Result<kanzei_tariff::sectors::RegionSectorTariffs, RunError> {
    evaluated_sector_tariffs(store, cells, &compiled.evaluate(date))
}

/// [`compiled_sector_tariffs`] on an evaluation already made.
pub fn evaluated_sector_tariffs(
    store: &Store,
    cells: &kanzei_tariff::cells::CellSet,
    evaluation: &kanzei_tariff::engine::Evaluation,
) -> Result<kanzei_tariff::sectors::RegionSectorTariffs, RunError> {
    let map = store.hs_to_wiod()?;
    let tariffs = kanzei_tariff::sectors::sector_tariffs(cells, evaluation, &map).map_err(|e| RunError::Invalid(e.to_string()))?;
    Ok(tariffs.to_wiod_regions())
}

/// A tariff scenario (and retaliation scenarios) in Caliendo–Parro on WIOD 2011.
#[derive(Clone, Debug, Serialize)]
pub struct WiodGeRun {
    /// The equilibrium.
    #[serde(skip)]
    pub equilibrium: Equilibrium,
    /// The baseline the changes are taken from (WIOD 2011 with the baseline scenario's
    /// tariffs); itself an equilibrium of the model (see `baseline_residuals`).
    #[serde(skip)]
    pub baseline: Baseline,
    /// The shock that was solved (new tariffs).
    #[serde(skip)]
    pub shock: Shock,
    /// Scenarios applied: (importer, scenario id).
    pub applied: Vec<(String, String)>,
    /// Share of each importer's base-year trade value whose tariffs were mapped to WIOD
    /// sectors, percent.
    pub mapped_value_pct: Vec<(String, f64)>,
    /// How the baseline was built.
    pub baseline_notes: WiodBaselineNotes,
    /// The equilibrium conditions (10)-(14) evaluated at the baseline itself (ŵ = 1, no
    /// shock): all zero up to rounding when the baseline is an equilibrium, so a zero
    /// shock returns it.
    pub baseline_residuals: Residuals,
    /// Wall-clock time of the equilibrium solve, seconds (data loading and baseline
    /// construction excluded).
    pub solve_seconds: f64,
    /// Plain-language caveats.
    pub notes: Vec<String>,
}

/// Largest equilibrium residual the WIOD baseline may have at ŵ = 1 with no shock. The
/// rebalanced table satisfies the model's identities exactly in exact arithmetic; what is
/// left is floating-point rounding in sums over 1,435 industries (about 1e-13 here).
pub const WIOD_BASELINE_TOLERANCE: f64 = 1e-9;

/// Runs `scenarios` (a U.S. scenario and optional retaliation scenarios) against
/// `baselines` (the 2024 regime for the U.S.; none for retaliators) on the same date, in
/// Caliendo–Parro on the WIOD 2011 table. Tariffs enter as changes from the baseline rates;
/// trade deficits stay at their 2011 shares of world GDP.
///
/// The baseline is built by [`wiod_observed`] and [`Baseline::from_observed`] with the
/// baseline scenario's U.S. tariffs, and checked to be an equilibrium of the model (every
/// condition's residual at ŵ = 1 at most [`WIOD_BASELINE_TOLERANCE`]) before the shock is
/// solved, so the results are the effect of the tariff change alone.
pub fn cp_wiod(
    store: &Store,
    data: &TariffData,
    scenarios: &[Scenario],
    baseline: &Scenario,
    date: Date,
    config: &SolverConfig,
) -> Result<WiodGeRun, RunError> {
    let (base, applied) = sector_tariffs_of(store, data, scenarios, baseline, date)?;
    cp_wiod_with(wiod_observed(store)?, &base, &applied, config)
}

/// The baseline's and each scenario's (id, tariffs by WIOD region × sector) on `date`.
type ScenarioSectorTariffs = (kanzei_tariff::sectors::RegionSectorTariffs, Vec<(String, kanzei_tariff::sectors::RegionSectorTariffs)>);

fn sector_tariffs_of(store: &Store, data: &TariffData, scenarios: &[Scenario], baseline: &Scenario, date: Date) -> Result<ScenarioSectorTariffs, RunError> {
    let base = scenario_sector_tariffs(store, data, baseline, date)?;
    let applied = scenarios
        .iter()
        .map(|scenario| Ok((scenario.id.clone(), scenario_sector_tariffs(store, data, scenario, date)?)))
        .collect::<Result<Vec<_>, RunError>>()?;
    Ok((base, applied))
}

/// [`cp_wiod`] with θ by sector from a parameter set (`theta_sets`) instead of the
/// default mapping.
pub fn cp_wiod_theta(
    store: &Store,
    data: &TariffData,
    scenarios: &[Scenario],
    baseline: &Scenario,
    date: Date,
    config: &SolverConfig,
    theta: &[f64],
) -> Result<WiodGeRun, RunError> {
    let (base, applied) = sector_tariffs_of(store, data, scenarios, baseline, date)?;
    let (mut observed, notes) = wiod_observed(store)?;
    if theta.len() != observed.theta.len() {
        return Err(RunError::Invalid(format!("{} θ values for {} WIOD sectors", theta.len(), observed.theta.len())));
    }
    observed.theta = theta.to_vec();
    cp_wiod_with((observed, notes), &base, &applied, config)
}

/// [`cp_wiod`] from its parts: the WIOD economy ([`wiod_observed`]), the baseline's sector
/// tariffs and each scenario's (id, sector tariffs), in the order they apply.
pub fn cp_wiod_with(
    (mut observed, mut baseline_notes): (ObservedEconomy, WiodBaselineNotes),
    base: &kanzei_tariff::sectors::RegionSectorTariffs,
    scenarios: &[(String, kanzei_tariff::sectors::RegionSectorTariffs)],
    config: &SolverConfig,
) -> Result<WiodGeRun, RunError> {
    let n = observed.countries.len();
    let j_count = observed.sectors.len();
    let region_idx = |code: &str| observed.countries.iter().position(|c| c == code);
    let sector_idx = |code: &str| observed.sectors.iter().position(|s| s == code);
    let mut new_tariffs = vec![0.0; j_count * n * n];
    let mut applied = Vec::new();
    let mut mapped = Vec::new();
    let fill = |target: &mut Vec<f64>, t: &kanzei_tariff::sectors::RegionSectorTariffs| -> Result<(), RunError> {
        let importer = t.importer.code().to_string();
        let m = region_idx(&importer).ok_or_else(|| RunError::Invalid(format!("importer {importer} is not a WIOD region")))?;
        for row in &t.rows {
            let (Some(i), Some(j)) = (region_idx(row.exporter.code()), sector_idx(&row.sector.code())) else { continue };
            if i != m {
                target[(j * n + m) * n + i] = row.rate_pct / 100.0;
            }
        }
        Ok(())
    };
    // Baseline: the 2024 regime on U.S. imports (other importers at zero: no data).
    let mut base_tariffs = vec![0.0; j_count * n * n];
    fill(&mut base_tariffs, base)?;
    new_tariffs.clone_from(&base_tariffs);
    for (id, t) in scenarios {
        let importer = t.importer.code().to_string();
        if let Some(m) = region_idx(&importer) {
            // The scenario replaces this importer's rates.
            for j in 0..j_count {
                for i in 0..n {
                    new_tariffs[(j * n + m) * n + i] = 0.0;
                }
            }
        }
        fill(&mut new_tariffs, t)?;
        let total = t.coverage.coverage.value_in;
        mapped.push((importer.clone(), if total > 0.0 { 100.0 * t.coverage.coverage.value_kept / total } else { 100.0 }));
        applied.push((importer, id.clone()));
    }
    observed.tariffs = base_tariffs;
    let (built, build) = Baseline::from_observed(&observed)?;
    baseline_notes.gross_output_raised = build.gross_output_raised.len();
    baseline_notes.alpha_clipped = build.alpha_clipped.len();
    // The baseline must be an equilibrium: the conditions at ŵ = ĉ = P̂ = 1, π' = π, X' = X.
    let baseline_residuals = {
        let problem = Problem::new(&built, &Shock::none())?;
        let ones_n = vec![1.0; n];
        let ones_nj = vec![1.0; n * j_count];
        problem.residuals(&ones_n, &ones_nj, &ones_nj, &built.pi, &built.expenditure)
    };
    let worst = baseline_residuals.max_equilibrium();
    if worst.is_nan() || worst > WIOD_BASELINE_TOLERANCE {
        return Err(RunError::Invalid(format!(
            "the WIOD baseline is not an equilibrium of the model: largest residual {worst:.3e} (tolerance {WIOD_BASELINE_TOLERANCE:.0e}); {baseline_residuals:?}; {} gross outputs raised, {} final-demand shares clipped",
            baseline_notes.gross_output_raised,
            baseline_notes.alpha_clipped
        )));
    }
    let shock = Shock { tariffs: Some(new_tariffs), ..Shock::none() };
    let started = std::time::Instant::now();
    let equilibrium = solve(&built, &shock, config)?;
    let solve_seconds = started.elapsed().as_secs_f64();
    Ok(WiodGeRun {
        equilibrium,
        baseline: built,
        shock,
        applied,
        mapped_value_pct: mapped,
        baseline_notes,
        baseline_residuals,
        solve_seconds,
        notes: vec![
            "Baseline: the WIOD 2011 world input–output table (41 regions × 35 sectors), negative final use (inventory drawdowns) set to zero and output rebalanced through the Leontief system (Costinot & Rodríguez-Clare 2014), with U.S. tariffs at the 2024 regime's rates on the same date; other countries' tariffs are not in the data and are held at zero. Final-demand shares are derived from the goods-market identity (CP step 6), so the baseline is an equilibrium of the model.".into(),
            "Tariffs by sector are import-weighted over 2024 trade (HS → ISIC Rev.3 → WIOD sectors); trade deficits are held at their 2011 share of world GDP.".into(),
            "A long-run comparison of equilibria, not a forecast: 2011 production structure, 2024 trade weights, 2025–26 tariffs.".into(),
        ],
    })
}

/// An origin's value added in U.S. imports by route, and what a scenario puts on it.
#[derive(Clone, Debug, Serialize)]
pub struct VaAtRiskRoute {
    /// Exporter (WIOD region).
    pub exporter: String,
    /// Whether the exporter is the origin itself.
    pub direct: bool,
    /// U.S. imports from the exporter, 2024, USD (mapped to WIOD sectors).
    pub imports_usd: f64,
    /// The origin's value added in them, USD (WIOD 2011 value-added shares × 2024 imports).
    pub origin_va_usd: f64,
    /// Of which in sectors whose U.S. tariff rose, USD.
    pub origin_va_hit_usd: f64,
    /// The extra duty on the origin's value added (its share of the duty increase), USD.
    pub extra_duty_on_origin_va_usd: f64,
}

/// Value added at risk.
#[derive(Clone, Debug, Serialize)]
pub struct VaAtRisk {
    /// Origin.
    pub origin: String,
    /// Scenario.
    pub scenario: String,
    /// Date.
    pub date: Date,
    /// Routes, largest value at risk first.
    pub routes: Vec<VaAtRiskRoute>,
    /// Totals: VA in U.S. imports, of which hit, extra duty.
    pub total_origin_va_usd: f64,
    /// Total hit.
    pub total_origin_va_hit_usd: f64,
    /// Total extra duty.
    pub total_extra_duty_usd: f64,
}

/// The origin's value added in U.S. imports (2024 values, WIOD 2011 value-added content per
/// dollar of each exporter-sector's output) and the part facing higher U.S. tariffs under a
/// scenario than under the baseline.
pub fn va_at_risk(store: &Store, data: &TariffData, origin: &str, scenario: &Scenario, baseline: &Scenario, date: Date) -> Result<VaAtRisk, RunError> {
    let new = scenario_sector_tariffs(store, data, scenario, date)?;
    let old = scenario_sector_tariffs(store, data, baseline, date)?;
    va_at_risk_with(&wiod_model(store)?, origin, &scenario.id, date, &new, &old)
}

/// [`va_at_risk`] from its parts: the WIOD value-added model ([`wiod_model`]) and the sector
/// tariffs of the scenario (`new`) and the baseline (`old`) on `date`.
pub fn va_at_risk_with(
    model: &ValueAddedModel,
    origin: &str,
    scenario_id: &str,
    date: Date,
    new: &kanzei_tariff::sectors::RegionSectorTariffs,
    old: &kanzei_tariff::sectors::RegionSectorTariffs,
) -> Result<VaAtRisk, RunError> {
    va_at_risk_of(model, &[origin], origin, scenario_id, date, new, old)
}

/// [`va_at_risk_with`] for several origin regions taken together (a group such as the EU):
/// their combined value added, with every member's own exports counted as direct.
pub fn va_at_risk_of(
    model: &ValueAddedModel,
    origins: &[&str],
    label: &str,
    scenario_id: &str,
    date: Date,
    new: &kanzei_tariff::sectors::RegionSectorTariffs,
    old: &kanzei_tariff::sectors::RegionSectorTariffs,
) -> Result<VaAtRisk, RunError> {
    let mrio = model.mrio();
    let regions = mrio.regions().to_vec();
    let sectors = mrio.sectors().to_vec();
    let mut os = Vec::new();
    for origin in origins {
        os.push(regions.iter().position(|r| r == origin).ok_or_else(|| {
            RunError::Invalid(format!("`{origin}` is not a WIOD region; regions: {}", regions.join(", ")))
        })?);
    }
    let n_sec = sectors.len();
    // m[(e,s)] = the origins' value added per dollar of (e, s) output: L' (v ∘ 1_origins).
    let mut v_origin = vec![0.0; model.v().len()];
    for &o in &os {
        for s in 0..n_sec {
            v_origin[o * n_sec + s] = model.v()[o * n_sec + s];
        }
    }
    let m = model.leontief().solve_transpose(&v_origin)?;
    let mut routes = Vec::new();
    for (e, region) in regions.iter().enumerate() {
        if region == "USA" {
            continue;
        }
        let mut route = VaAtRiskRoute {
            exporter: region.clone(),
            direct: os.contains(&e),
            imports_usd: 0.0,
            origin_va_usd: 0.0,
            origin_va_hit_usd: 0.0,
            extra_duty_on_origin_va_usd: 0.0,
        };
        for row in new.rows.iter().filter(|r| r.exporter.code() == *region) {
            let Some(s) = sectors.iter().position(|x| *x == row.sector.code()) else { continue };
            let share = m[e * n_sec + s];
            let old_row = old.get(row.exporter, row.sector);
            let old_rate = old_row.map_or(0.0, |r| r.rate_pct);
            let old_revenue = old_row.map_or(0.0, |r| r.tariff_revenue_usd);
            route.imports_usd += row.value_usd;
            route.origin_va_usd += share * row.value_usd;
            if row.rate_pct > old_rate + 1e-9 {
                route.origin_va_hit_usd += share * row.value_usd;
            }
            route.extra_duty_on_origin_va_usd += share * (row.tariff_revenue_usd - old_revenue);
        }
        if route.origin_va_usd > 0.0 {
            routes.push(route);
        }
    }
    routes.sort_by(|a, b| b.origin_va_hit_usd.total_cmp(&a.origin_va_hit_usd));
    Ok(VaAtRisk {
        origin: label.into(),
        scenario: scenario_id.to_string(),
        date,
        total_origin_va_usd: routes.iter().map(|r| r.origin_va_usd).sum(),
        total_origin_va_hit_usd: routes.iter().map(|r| r.origin_va_hit_usd).sum(),
        total_extra_duty_usd: routes.iter().map(|r| r.extra_duty_on_origin_va_usd).sum(),
        routes,
    })
}
