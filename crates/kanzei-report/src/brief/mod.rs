//! Briefs: a partner's trade, tariffs and their effects as one document, for any U.S. partner.
//!
//! A brief is data: a [`spec::BriefSpec`] names the partner, the scenario, the date and the
//! sections. [`build`] recomputes every number from the store and the shipped scenarios and
//! returns a [`Document`] (rendered by [`crate::document`]), the checked claims if the spec has
//! a claims file, and `brief.json`'s summary in plain units.
//!
//! The common sections ([`trade`], [`exposure`], [`tariffs`], [`value_added`], [`effects`],
//! and the summary and method in [`closing`]) are one function each and name no country;
//! partner-specific sections ([`japan`]) use data kanzei has for one partner only. An
//! [`Engine`] holds what every brief on the same scenario and date shares (compiled tariffs,
//! sector tariffs, the value-added model, the general-equilibrium solves), so
//! `kanzei brief --all` pays for them once.
//!
//! Nothing here reads files: the store, the shipped specs and claims, and the text the CLI
//! reads from a user's spec are the only inputs.

mod closing;
mod effects;
mod exposure;
pub(crate) mod fmt;
mod japan;
mod observed;
pub mod spec;
mod tariffs;
mod trade;
mod value_added;
mod what_next;
mod who_pays;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use kanzei_core::{AreaCode, AreaKind, HsCode};
use kanzei_data::{DataError, Store};
use kanzei_ge::caliendo_parro::SolverConfig;
use kanzei_tariff::analysis::{Exposure, TariffData, TimelinePoint};
use kanzei_tariff::cells::CellSet;
use kanzei_tariff::date::Date;
use kanzei_tariff::engine::Compiled;
use kanzei_tariff::scenario::Scenario;
use serde_json::{json, Value};
use thiserror::Error;

use crate::claims::{self, CheckedClaim, Evaluator};
use crate::document::{Block, ClaimRow, ClaimsTable, Document, Figure, Footnote, KeyFigure, Metadata, Section, Table, Verdict};
use crate::runs;
pub use spec::{BriefSpec, SectionKind};

/// What to build a brief with, beyond its spec: command-line overrides.
#[derive(Clone, Debug)]
pub struct BriefOptions {
    /// The date tariffs are evaluated on; `None`: the spec's date, else the last dated event
    /// of the scenario.
    pub date: Option<Date>,
    /// Override the spec's U.S. tariff scenario.
    pub scenario: Option<String>,
    /// Override the spec's baseline.
    pub baseline: Option<String>,
    /// Run the general-equilibrium model (the slowest part).
    pub general_equilibrium: bool,
    /// Monte Carlo draws behind the models' 90% bands (0: point estimates only).
    pub draws: usize,
    /// Seed of the draws.
    pub seed: u64,
    /// kanzei's version, stated in the report.
    pub kanzei_version: String,
}

impl Default for BriefOptions {
    fn default() -> BriefOptions {
        BriefOptions {
            date: None,
            scenario: None,
            baseline: None,
            general_equilibrium: true,
            draws: BRIEF_DRAWS,
            seed: 1,
            kanzei_version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Draws behind a brief's bands by default: enough for a stable 90% band at a fraction of
/// the brief's time (each Caliendo–Parro draw re-solves the model from the point estimate).
pub const BRIEF_DRAWS: usize = 30;

/// Why a brief could not be built.
#[derive(Debug, Error)]
pub enum BriefError {
    /// Data missing or malformed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A model run failed.
    #[error(transparent)]
    Run(#[from] runs::RunError),
    /// The claims file is malformed.
    #[error(transparent)]
    Claims(#[from] claims::ClaimsError),
    /// The spec file is malformed.
    #[error(transparent)]
    Spec(#[from] spec::SpecError),
    /// A chart could not be drawn.
    #[error("chart: {0}")]
    Chart(#[from] crate::svg::ChartError),
    /// A scenario could not be loaded, or does not fit the brief.
    #[error("{0}")]
    Scenario(String),
}

/// A built brief.
#[derive(Clone, Debug)]
pub struct Brief {
    /// The spec's name.
    pub name: String,
    /// The document, ready to render.
    pub document: Document,
    /// The claims with their verdicts (empty without a claims file).
    pub claims: Vec<CheckedClaim>,
    /// `brief.json`: partner, scenario, date, headline and each section's numbers, plain units.
    pub summary: Value,
    /// Warnings (e.g. a date past the scenario's last known event).
    pub warnings: Vec<String>,
    /// Seconds spent per stage.
    pub timings: Vec<(String, f64)>,
}

/// The two general-equilibrium solves every brief shows: the scenario alone, and with
/// Chinese and Canadian retaliation.
pub(crate) struct GeRuns {
    pub(crate) only: runs::WiodGeRun,
    pub(crate) with: runs::WiodGeRun,
    pub(crate) seconds: f64,
    /// θ draws of both runs (same draws), when the brief asks for bands.
    pub(crate) bands: Option<(crate::theta_sets::CpBands, crate::theta_sets::CpBands)>,
}

/// What every brief on one scenario, baseline and date shares: loaded data, the compiled
/// scenario and baseline, their tariffs by WIOD sector, the value-added model and the
/// general-equilibrium solves (computed on first use, once).
pub struct Engine<'s> {
    store: &'s Store,
    data: Arc<TariffData>,
    scenario: Scenario,
    baseline: Scenario,
    date: Date,
    /// The date came from the scenario's last event rather than the user or the spec.
    date_is_default: bool,
    compiled: Compiled,
    base_compiled: Compiled,
    /// The scenario's and the baseline's tariffs by WIOD region × sector on the date
    /// (value added and general equilibrium), computed on first use.
    sectors: OnceLock<Result<SectorTariffs, String>>,
    /// The scenario's and the baseline's evaluations on the brief's date ([`Engine::evaluation`]).
    evaluations: [OnceLock<kanzei_tariff::engine::Evaluation>; 2],
    /// All partners' daily rate over [`TIMELINE_START`]..[`Engine::timeline_end`]
    /// ([`Engine::all_timeline`]).
    all_timeline: OnceLock<Vec<TimelinePoint>>,
    /// Exposures on the brief's date by (baseline?, partner) ([`Engine::exposure`]).
    exposures: std::sync::Mutex<BTreeMap<(bool, AreaCode), ExposureCell>>,
    chapter_names: BTreeMap<HsCode, String>,
    va_model: OnceLock<Result<kanzei_mrio::ValueAddedModel, String>>,
    ge: OnceLock<Result<GeRuns, String>>,
    load_seconds: f64,
    /// Monte Carlo draws for the model bands (0: none) and their seed.
    draws: (usize, u64),
}

/// The first day of the brief's daily timelines (the collected duties start in January 2024).
pub(crate) const TIMELINE_START: Date = match Date::new(2024, 1, 1) {
    Some(d) => d,
    None => panic!("2024-01-01 is a date"),
};

/// An exposure computed once, shared by the sections that read it.
type ExposureCell = Arc<OnceLock<Arc<Exposure>>>;

/// The last date a scenario says anything about ([`Scenario::coverage_end`]): a brief's
/// default date, after which it warns.
pub fn last_event_date(scenario: &Scenario) -> Option<Date> {
    scenario.coverage_end()
}

fn load_scenario(data: &TariffData, id: &str) -> Result<Scenario, BriefError> {
    let library = kanzei_tariff::library::Library::shipped();
    let vocab = kanzei_tariff::library::vocabulary(data.registry, &data.inputs);
    library.load(id, &vocab).map_err(|e| BriefError::Scenario(format!("{}:{}: {}: {}", e.file, e.line, e.key, e.message)))
}

impl<'s> Engine<'s> {
    /// Loads the data and compiles `scenario` and `baseline`; `date: None` evaluates on the
    /// scenario's last dated event.
    pub fn new(store: &'s Store, scenario: &str, baseline: &str, date: Option<Date>) -> Result<Engine<'s>, BriefError> {
        let started = Instant::now();
        let data = Arc::new(TariffData::load(store)?);
        let mut engine = Engine::with_data(store, data, scenario, baseline, date)?;
        engine.load_seconds = started.elapsed().as_secs_f64();
        Ok(engine)
    }

    /// [`Engine::new`] on tariff data already loaded from `store` (a long-running caller
    /// such as `kanzei serve` shares one copy between its engines).
    pub fn with_data(store: &'s Store, data: Arc<TariffData>, scenario: &str, baseline: &str, date: Option<Date>) -> Result<Engine<'s>, BriefError> {
        let scenario = load_scenario(&data, scenario)?;
        let baseline = load_scenario(&data, baseline)?;
        Engine::check_importers(&scenario, &baseline)?;
        // Both are U.S. scenarios: they compile on the data's own U.S. cells, sharing their
        // code table; the baseline on a second thread beside the scenario's single-threaded
        // stages.
        let (compiled, base_compiled) = std::thread::scope(|scope| {
            let base = scope.spawn(|| data.compile_on(&baseline, &data.us_cells));
            let compiled = data.compile_on(&scenario, &data.us_cells);
            (compiled, base.join().expect("compiling does not panic"))
        });
        Engine::with_compiled(store, data, compiled, base_compiled, date)
    }

    /// [`Engine::with_data`] on a scenario and a baseline already compiled on the data's U.S.
    /// cells (`kanzei serve` keeps its compiles; a clone of one shares its tables).
    pub fn with_compiled(store: &'s Store, data: Arc<TariffData>, compiled: Compiled, base_compiled: Compiled, date: Option<Date>) -> Result<Engine<'s>, BriefError> {
        let started = Instant::now();
        let (scenario, baseline) = (compiled.scenario.clone(), base_compiled.scenario.clone());
        Engine::check_importers(&scenario, &baseline)?;
        if compiled.len() != data.us_cells.cells.len() || base_compiled.len() != data.us_cells.cells.len() {
            return Err(BriefError::Scenario("a brief's scenario and baseline must be compiled on the data's U.S. cells".into()));
        }
        let (date, date_is_default) = match date {
            Some(d) => (d, false),
            None => (
                last_event_date(&scenario).ok_or_else(|| BriefError::Scenario(format!("scenario `{}` has no dated events; give --date", scenario.id)))?,
                true,
            ),
        };
        let chapter_names = store.us_exports()?.chapter_names.clone();
        Ok(Engine {
            store,
            data,
            scenario,
            baseline,
            date,
            date_is_default,
            compiled,
            base_compiled,
            sectors: OnceLock::new(),
            evaluations: Default::default(),
            all_timeline: OnceLock::new(),
            exposures: Default::default(),
            chapter_names,
            va_model: OnceLock::new(),
            ge: OnceLock::new(),
            load_seconds: started.elapsed().as_secs_f64(),
            draws: (0, 1),
        })
    }

    fn check_importers(scenario: &Scenario, baseline: &Scenario) -> Result<(), BriefError> {
        for s in [scenario, baseline] {
            if s.importer.as_str() != "USA" {
                return Err(BriefError::Scenario(format!("a brief needs U.S. tariff scenarios; `{}` is a scenario for {}", s.id, s.importer)));
            }
        }
        Ok(())
    }

    /// The U.S. import cells the scenario and baseline are compiled on (the data's own).
    pub(crate) fn cells(&self) -> &CellSet {
        &self.data.us_cells
    }

    /// The same engine with `draws` Monte Carlo draws (seed `seed`) behind the models'
    /// 90% bands; 0 leaves the bands out.
    pub fn with_draws(mut self, draws: usize, seed: u64) -> Engine<'s> {
        self.draws = (draws, seed);
        self
    }

    /// Draws and seed for the bands.
    pub(crate) fn draws(&self) -> (usize, u64) {
        self.draws
    }

    /// The evaluation date.
    pub fn date(&self) -> Date {
        self.date
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The loaded tariff data.
    pub fn data(&self) -> &TariffData {
        &self.data
    }

    /// Partners with HS10 detail in the 2024 U.S. import data (the 50 largest and EU27).
    pub fn hs10_partners(&self) -> Result<Vec<AreaCode>, BriefError> {
        let hs10 = self.store.us_imports_hs10()?;
        let registry = self.store.registry();
        let mut out: Vec<(AreaCode, f64)> = Vec::new();
        for area in registry.areas() {
            if !matches!(area.kind, AreaKind::Country | AreaKind::Group) || area.census_codes.is_empty() {
                continue;
            }
            if area.census_codes.iter().any(|c| hs10.has_partner(*c)) {
                out.push((area.code, hs10.total(&area.census_codes).0));
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1));
        Ok(out.into_iter().map(|(c, _)| c).collect())
    }

    /// The scenario's and the baseline's sector tariffs, computed on first call (other callers
    /// wait).
    pub(crate) fn sectors(&self) -> Result<&SectorTariffs, BriefError> {
        self.sectors
            .get_or_init(|| {
                let new = runs::evaluated_sector_tariffs(self.store, self.cells(), self.evaluation()).map_err(|e| e.to_string())?;
                let old = runs::evaluated_sector_tariffs(self.store, self.cells(), self.base_evaluation()).map_err(|e| e.to_string())?;
                Ok(SectorTariffs { new, old })
            })
            .as_ref()
            .map_err(|e| BriefError::Scenario(format!("sector tariffs: {e}")))
    }

    /// The scenario evaluated on the brief's date, once: sections read it rather than each
    /// evaluating ~200k cells again (and filling ~15 MB of fresh memory).
    pub(crate) fn evaluation(&self) -> &kanzei_tariff::engine::Evaluation {
        self.evaluations[0].get_or_init(|| self.compiled.evaluate(self.date))
    }

    /// The baseline evaluated on the brief's date, once.
    pub(crate) fn base_evaluation(&self) -> &kanzei_tariff::engine::Evaluation {
        self.evaluations[1].get_or_init(|| self.base_compiled.evaluate(self.date))
    }

    /// The last day of the brief's timelines: 31 December of the year of the later of the
    /// brief's date and the scenario's last event, and not before the end of 2025.
    pub(crate) fn timeline_end(&self) -> Date {
        let last = last_event_date(&self.scenario).unwrap_or(self.date).max(self.date);
        Date::new(last.year().max(2025), 12, 31).expect("31 December is a date")
    }

    /// All partners' daily rate under the scenario from [`TIMELINE_START`] to
    /// [`Engine::timeline_end`], computed once: the tariff timeline and the collected-vs-statutory
    /// path both read it (each made its own pass over the schedule, ~8% of a brief's CPU). A
    /// day's rate does not depend on where the pass started (`Compiled::advance` equals a fresh
    /// evaluation exactly), so a slice of it is what a pass over the slice gives.
    pub(crate) fn all_timeline(&self) -> &[TimelinePoint] {
        self.all_timeline.get_or_init(|| kanzei_tariff::analysis::timeline(&self.compiled, self.cells(), TIMELINE_START, self.timeline_end(), None))
    }

    /// A partner's daily rate over the days of [`Engine::all_timeline`] (on `cells`, where a
    /// group's members are labelled as the group), and all partners': in one pass when the
    /// latter is not computed yet.
    pub(crate) fn partner_timeline(&self, partner: AreaCode, cells: &CellSet) -> (Vec<TimelinePoint>, &[TimelinePoint]) {
        let mut own = None;
        let all = self.all_timeline.get_or_init(|| {
            let mut lines = kanzei_tariff::analysis::timelines(&self.compiled, cells, TIMELINE_START, self.timeline_end(), &[Some(partner), None]);
            let all = lines.pop().unwrap_or_default();
            own = lines.pop();
            all
        });
        let own = own.unwrap_or_else(|| kanzei_tariff::analysis::timeline(&self.compiled, cells, TIMELINE_START, self.timeline_end(), Some(partner)));
        (own, all)
    }

    /// A partner's exposure on the brief's date under the scenario (or, `baseline`, the
    /// baseline), computed once: several sections read the same one, and for a group of
    /// partners evaluated on HS2 proxies (EU27) each took tens of milliseconds of hit shares.
    /// A section asking for one being computed waits for it.
    pub(crate) fn exposure(&self, partner: AreaCode, baseline: bool) -> Arc<Exposure> {
        let cell = Arc::clone(self.exposures.lock().unwrap_or_else(|e| e.into_inner()).entry((baseline, partner)).or_default());
        let exposure = cell.get_or_init(|| {
            let (compiled, eval) = if baseline { (&self.base_compiled, self.base_evaluation()) } else { (&self.compiled, self.evaluation()) };
            Arc::new(kanzei_tariff::analysis::exposure_in(compiled, eval, self.cells(), partner, self.data.registry, &self.chapter_names))
        });
        Arc::clone(exposure)
    }

    pub(crate) fn va_model(&self) -> Result<&kanzei_mrio::ValueAddedModel, BriefError> {
        self.va_model
            .get_or_init(|| runs::wiod_model(self.store).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| BriefError::Scenario(format!("value-added model: {e}")))
    }

    /// The general-equilibrium solves, computed on first call (other callers wait).
    pub(crate) fn ge(&self) -> Result<&GeRuns, String> {
        self.ge.get_or_init(|| self.solve_ge().map_err(|e| e.to_string())).as_ref().map_err(|e| e.clone())
    }

    fn solve_ge(&self) -> Result<GeRuns, BriefError> {
        let started = Instant::now();
        let config = SolverConfig::default();
        let observed = runs::wiod_observed(self.store)?;
        let sectors = self.sectors()?;
        let us = (self.scenario.id.clone(), sectors.new.clone());
        let mut with = vec![us.clone()];
        for id in RETALIATION {
            let s = load_scenario(&self.data, id)?;
            with.push((s.id.clone(), runs::scenario_sector_tariffs(self.store, &self.data, &s, self.date)?));
        }
        let only = runs::cp_wiod_with(observed.clone(), &sectors.old, &[us], &config)?;
        let with = runs::cp_wiod_with(observed, &sectors.old, &with, &config)?;
        let bands = match self.draws {
            (0, _) => None,
            (draws, seed) => {
                let set = crate::theta_sets::wiod_theta_set(self.store, "kanzei", None)?;
                let config = SolverConfig::for_draws();
                Some((crate::theta_sets::cp_bands(&only, &set, draws, seed, &config)?, crate::theta_sets::cp_bands(&with, &set, draws, seed, &config)?))
            }
        };
        Ok(GeRuns { only, with, seconds: started.elapsed().as_secs_f64(), bands })
    }
}

/// Tariffs by WIOD region × sector: the scenario's (`new`) and the baseline's (`old`).
pub(crate) struct SectorTariffs {
    pub(crate) new: kanzei_tariff::sectors::RegionSectorTariffs,
    pub(crate) old: kanzei_tariff::sectors::RegionSectorTariffs,
}

/// The retaliation scenarios the general-equilibrium section adds.
pub(crate) const RETALIATION: [&str; 2] = ["retaliation/china-2025", "retaliation/canada-2025"];

/// The partner a brief is about.
pub(crate) struct Partner {
    pub(crate) code: AreaCode,
    pub(crate) name: String,
    /// Short name for charts ("Korea", "EU").
    pub(crate) short: String,
    /// Member countries (the partner itself for a country).
    pub(crate) members: Vec<AreaCode>,
    pub(crate) is_group: bool,
    pub(crate) census_codes: Vec<u16>,
}

/// Everything a section reads.
pub(crate) struct Ctx<'a, 's> {
    pub(crate) store: &'s Store,
    pub(crate) engine: &'a Engine<'s>,
    pub(crate) spec: &'a BriefSpec,
    pub(crate) options: &'a BriefOptions,
    pub(crate) partner: Partner,
    /// U.S. import cells with the partner's members labelled as the partner (for a group).
    pub(crate) cells: Cow<'a, CellSet>,
    pub(crate) claims: Vec<CheckedClaim>,
    /// The document the claims file checks (its `source` and `source_date`), if any.
    pub(crate) source_doc: Option<SourceDoc>,
    pub(crate) date: Date,
}

/// The document a brief's claims file checks.
pub(crate) struct SourceDoc {
    /// Its citation (author, title, series, publisher, date).
    pub(crate) citation: String,
    /// Its date, `YYYY-MM-DD`.
    pub(crate) date: Option<String>,
}

impl Ctx<'_, '_> {
    pub(crate) fn registry(&self) -> &'static kanzei_core::AreaRegistry {
        self.engine.data.registry
    }
    pub(crate) fn scenario(&self) -> &Scenario {
        &self.engine.scenario
    }
    pub(crate) fn baseline(&self) -> &Scenario {
        &self.engine.baseline
    }
    pub(crate) fn compiled(&self) -> &Compiled {
        &self.engine.compiled
    }
    pub(crate) fn chapter_names(&self) -> &BTreeMap<HsCode, String> {
        &self.engine.chapter_names
    }
    pub(crate) fn claim(&self, id: &str) -> Option<&CheckedClaim> {
        self.claims.iter().find(|c| c.id == id)
    }
    pub(crate) fn claim_value(&self, id: &str) -> f64 {
        self.claim(id).and_then(|c| c.recomputed_value).unwrap_or(f64::NAN)
    }
    /// A claim's asserted value in base units (a stated parameter's value).
    pub(crate) fn asserted(&self, id: &str) -> f64 {
        self.claim(id).and_then(|c| c.asserted_value).unwrap_or(f64::NAN)
    }
    /// Whether a claim is known on the brief's date: every claim but a `later` one dated after it.
    pub(crate) fn known(&self, claim: &CheckedClaim) -> bool {
        claim.origin != claims::Origin::Later || claim.as_of.as_deref().is_some_and(|d| claims::as_of_start(d) <= self.date.to_string())
    }
    /// The `later` claims dated on or before the brief's date, in date order.
    pub(crate) fn developments(&self) -> Vec<&CheckedClaim> {
        let mut out: Vec<&CheckedClaim> = self.claims.iter().filter(|c| c.origin == claims::Origin::Later && self.known(c)).collect();
        out.sort_by_key(|c| claims::as_of_start(c.as_of.as_deref().unwrap_or_default()));
        out
    }
    /// A stated parameter's value, source and date for `brief.json`.
    pub(crate) fn parameter_json(&self, id: &str) -> Value {
        match self.claim(id) {
            Some(c) => json!({"id": c.id, "value": c.asserted_value, "unit": c.base_unit, "text": c.text, "source": c.reference, "as_of": c.as_of, "origin": c.origin}),
            None => Value::Null,
        }
    }
}

/// What sections produce besides their blocks: footnotes (once per key), the JSON summary
/// and named numbers the summary section reads.
pub(crate) struct Out {
    pub(crate) footnotes: Vec<Footnote>,
    pub(crate) json: serde_json::Map<String, Value>,
    pub(crate) numbers: BTreeMap<&'static str, f64>,
    pub(crate) stages: Vec<(String, f64)>,
    lap: Instant,
}

impl Out {
    fn new() -> Out {
        Out { footnotes: Vec::new(), json: serde_json::Map::new(), numbers: BTreeMap::new(), stages: Vec::new(), lap: Instant::now() }
    }

    /// Adds what another section's build produced, as if that section had been built here.
    fn absorb(&mut self, part: Out) {
        for f in part.footnotes {
            self.footnote(f);
        }
        self.json.extend(part.json);
        self.numbers.extend(part.numbers);
        self.stages.extend(part.stages);
    }

    pub(crate) fn footnote(&mut self, f: Footnote) {
        if !self.footnotes.iter().any(|g| g.key == f.key) {
            self.footnotes.push(f);
        }
    }
    pub(crate) fn set(&mut self, key: &'static str, value: f64) {
        self.numbers.insert(key, value);
    }
    pub(crate) fn get(&self, key: &str) -> f64 {
        self.numbers.get(key).copied().unwrap_or(f64::NAN)
    }
    fn lap(&mut self, stage: &str, progress: &mut dyn FnMut(&str)) {
        let now = Instant::now();
        self.stages.push((stage.to_string(), now.duration_since(self.lap).as_secs_f64()));
        self.lap = now;
        progress(stage);
    }
}

pub(crate) fn code(s: &str) -> AreaCode {
    AreaCode::new(s).expect("static ISO3 code")
}

pub(crate) fn figure(svg: String, file_name: &str, caption: String, footnotes: &[&str]) -> Block {
    Block::Chart(Figure { svg, caption, file_name: file_name.into(), footnotes: footnotes.iter().map(|s| s.to_string()).collect() })
}

/// A horizontal bar chart in billions of dollars, the kind most sections draw.
pub(crate) fn usd_bn_bars(text: crate::svg::ChartText, bars: Vec<crate::svg::Bar>) -> Result<String, crate::svg::ChartError> {
    let mut chart = crate::svg::HBarChart::new(text, bars, crate::svg::ValueFormat::UsdBn { decimals: 1 });
    chart.axis_label = Some("$ bn".into());
    chart.render()
}

pub(crate) fn table(caption: &str, headers: &[&str], rows: Vec<Vec<String>>, note: Option<String>, footnotes: &[&str]) -> Block {
    let mut t = Table::new(headers.iter().map(|h| h.to_string()).collect(), rows);
    t.caption = Some(caption.into());
    t.note = note;
    t.footnotes = footnotes.iter().map(|s| s.to_string()).collect();
    Block::Table(t)
}

pub(crate) fn key_figure(value: String, label: &str, detail: Option<String>, footnote: &str) -> KeyFigure {
    let mut k = KeyFigure::new(value, label, footnote);
    k.detail = detail;
    k
}

/// The footnote key for a claim's source.
fn claim_footnote(row: &CheckedClaim) -> Vec<String> {
    match row.source.as_ref().map(|s| s.dataset.as_str()) {
        Some("census_ft900_country") => vec!["census".into()],
        Some("japan_mof_trade") => vec!["mof".into()],
        Some(d) if d.starts_with("us_imports") => vec!["hs10".into()],
        Some("tariff_tables") => vec!["tables".into()],
        Some("kanzei_tariff") => vec!["scenario".into()],
        Some("imf_weo") => vec!["weo".into()],
        Some("toyota_results") => vec!["toyota".into()],
        _ => vec![],
    }
}

/// A claim as the brief prints it: a bulletin claim with its sentence and paragraph the first
/// time that sentence appears (`previous_quote` is the one printed last).
fn claim_cell(r: &CheckedClaim, previous_quote: &mut Option<String>) -> String {
    match (&r.quote, r.paragraph) {
        (Some(q), Some(p)) if previous_quote.as_ref() != Some(q) => {
            *previous_quote = Some(q.clone());
            format!("{} — the bulletin, ¶{p}: “{q}”", r.text)
        }
        _ => r.text.clone(),
    }
}

/// The claims of one claims-file section known on the brief's date (bulletin and derived ones;
/// later developments are in "What happened next") as a table, or nothing if it has none.
pub(crate) fn claims_block(ctx: &Ctx<'_, '_>, section: &str, caption: &str) -> Option<Block> {
    let mut previous_quote = None;
    let rows: Vec<ClaimRow> = ctx
        .claims
        .iter()
        .filter(|r| r.section == section && r.origin != claims::Origin::Later)
        .map(|r| ClaimRow {
            claim: claim_cell(r, &mut previous_quote),
            asserted: r.asserted.clone().unwrap_or_default(),
            recomputed: r.recomputed.clone(),
            verdict: r.verdict,
            note: match r.verdict {
                Verdict::Confirmed => r.detail.clone(),
                _ => r.reason.clone(),
            },
            footnotes: claim_footnote(r),
        })
        .collect();
    (!rows.is_empty()).then(|| Block::Claims(ClaimsTable { caption: Some(caption.into()), rows }))
}

/// Resolves `partner` and labels its members' cells as the partner for a group.
fn partner_of<'a>(engine: &'a Engine<'_>, partner: &str) -> Result<(Partner, Cow<'a, CellSet>), BriefError> {
    let registry = engine.data.registry;
    let area = registry.resolve(partner).map_err(DataError::from)?;
    match area.kind {
        AreaKind::Country | AreaKind::Group => {}
        _ => {
            return Err(BriefError::Scenario(format!(
                "`{}` ({}) is a statistical aggregate, not a partner a brief can be about; give a country (KOR) or a group (EU27)",
                area.code, area.name
            )))
        }
    }
    if area.code.as_str() == "USA" {
        return Err(BriefError::Scenario("a brief is about a U.S. partner; `USA` is the importer".into()));
    }
    let is_group = area.kind == AreaKind::Group;
    let members = registry.expand(area.code);
    let cells = if is_group {
        let mut c = engine.cells().clone();
        for cell in &mut c.cells {
            if members.contains(&cell.exporter) {
                cell.exporter = area.code;
            }
        }
        Cow::Owned(c)
    } else {
        Cow::Borrowed(engine.cells())
    };
    if !cells.cells.iter().any(|c| c.exporter == area.code) {
        return Err(BriefError::Scenario(format!("the 2024 U.S. import data have no goods from {} ({}); no brief can be built", area.code, area.name)));
    }
    Ok((
        Partner {
            code: area.code,
            name: area.name.clone(),
            short: fmt::short_name(registry, area.code.as_str()),
            members,
            is_group,
            census_codes: area.census_codes.clone(),
        },
        cells,
    ))
}

/// Builds one brief: loads the data and compiles the scenarios ([`Engine::new`]), then
/// [`build_with`]. `progress` is called with the name of each stage as it finishes.
pub fn build(store: &Store, spec: &BriefSpec, options: &BriefOptions, progress: &mut dyn FnMut(&str)) -> Result<Brief, BriefError> {
    let date = match (options.date, &spec.date) {
        (Some(d), _) => Some(d),
        (None, Some(d)) => Some(d.parse().map_err(|e: kanzei_tariff::date::DateError| BriefError::Scenario(format!("brief `{}`: date: {e}", spec.name)))?),
        (None, None) => None,
    };
    let engine = Engine::new(
        store,
        options.scenario.as_deref().unwrap_or(&spec.scenario),
        options.baseline.as_deref().unwrap_or(&spec.baseline),
        date,
    )?
    .with_draws(options.draws, options.seed);
    progress("data");
    // General equilibrium is the slowest part and independent of the rest.
    // The sector tariffs (value added, GE) come next: both go on a second thread while the
    // other sections are built; the sections that need them wait for them.
    std::thread::scope(|scope| {
        let needs_sectors = spec.sections.iter().any(|k| matches!(k, SectionKind::ValueAdded | SectionKind::Effects));
        if needs_sectors {
            let ge = options.general_equilibrium && spec.sections.contains(&SectionKind::Effects);
            let engine = &engine;
            let who_pays = spec.sections.contains(&SectionKind::WhoPays);
            scope.spawn(move || {
                let _ = engine.sectors();
                if ge {
                    let _ = engine.ge();
                } else if who_pays {
                    // Without general equilibrium this thread is free: decode the input–output
                    // tables the who-pays section needs (the store keeps them).
                    let _ = engine.store.us_io();
                }
            });
        }
        build_with(&engine, spec, options, progress)
    })
}

/// Builds a brief on a loaded [`Engine`] (whose scenario, baseline and date it uses).
pub fn build_with(engine: &Engine<'_>, spec: &BriefSpec, options: &BriefOptions, progress: &mut dyn FnMut(&str)) -> Result<Brief, BriefError> {
    let store = engine.store;
    let (partner, cells) = partner_of(engine, &spec.partner)?;
    for kind in &spec.sections {
        if let Some(only) = kind.only_for() {
            if partner.code.as_str() != only {
                return Err(BriefError::Scenario(format!(
                    "brief `{}`: section `{}` needs data kanzei has for {only} only; {} is not {only}",
                    spec.name,
                    kind.name(),
                    partner.code
                )));
            }
        }
    }
    let mut out = Out::new();
    out.stages.push(("data".into(), engine.load_seconds));
    let mut claims = Vec::new();
    let mut source_doc = None;
    if let Some((file, text)) = &spec.claims {
        let data = &engine.data;
        let claims_file = claims::parse(file, text)?;
        claims = claims::check(&claims_file, &Evaluator::with_tariff_data(store, data))?;
        source_doc = claims_file.source.clone().map(|citation| SourceDoc { citation, date: claims_file.source_date.clone() });
        if claims.iter().any(|c| c.source.as_ref().is_some_and(|s| s.dataset == "tariff_tables")) {
            out.footnote(Footnote {
                key: "tables".into(),
                dataset: "Executive Orders 14257 (April 2, 2025, Annex I) and 14326 (July 31, 2025, Annex I), as tabulated by The Budget Lab at Yale".into(),
                year: "2025".into(),
                basis: "country rates, percent ad valorem".into(),
                note: None,
            });
        }
        out.lap("claims", progress);
    }
    let mut warnings = Vec::new();
    if let Some(last) = last_event_date(&engine.scenario) {
        if engine.date > last {
            warnings.push(format!(
                "{} is after the last dated event of scenario {} ({last}); no later policy change is known to it",
                engine.date, engine.scenario.id
            ));
        }
    }
    let ctx = Ctx { store, engine, spec, options, partner, cells, claims, source_doc, date: engine.date };
    let mut sections = build_sections(&ctx, &mut out, progress)?;
    // Summary and method read what the other sections found; they go where the spec puts them.
    let mut ordered = Vec::new();
    for kind in &spec.sections {
        match kind {
            SectionKind::Summary => ordered.push(closing::summary_section(&ctx, &out)),
            SectionKind::Method => ordered.push(closing::method_section(&ctx, &out)),
            _ => {
                if let Some(i) = sections.iter().position(|(k, _)| k == kind) {
                    ordered.push(sections.remove(i).1);
                }
            }
        }
    }
    number_figures(&mut ordered);
    let document = Document {
        title: closing::title(&ctx),
        subtitle: Some(closing::subtitle(&ctx)),
        metadata: Metadata {
            kanzei_version: options.kanzei_version.clone(),
            scenario: format!("{} (baseline {})", engine.scenario.id, engine.baseline.id),
            date: if engine.date_is_default { format!("{} (the last dated event of the scenario)", engine.date) } else { engine.date.to_string() },
            data_source: format!("U.S. Census Bureau, USITC, IMF WEO, WIOD 2011{} — {}", closing::extra_sources(&ctx), store.source()),
        },
        sections: ordered,
        footnotes: std::mem::take(&mut out.footnotes),
    };
    document.validate().map_err(|e| BriefError::Scenario(format!("internal: {e}")))?;
    let summary = closing::summary_json(&ctx, &out, &warnings);
    out.lap("document", progress);
    Ok(Brief { name: spec.name.clone(), document, claims: ctx.claims, summary, warnings, timings: out.stages })
}

/// A section built on its own: its blocks and what it produced beside them.
type Built = Result<(Section, Out), BriefError>;

/// One section's blocks (its footnotes, JSON and numbers go to `out`).
fn run_section(ctx: &Ctx<'_, '_>, kind: SectionKind, out: &mut Out) -> Result<Section, BriefError> {
    match kind {
        SectionKind::Summary | SectionKind::Method => unreachable!("summary and method are built last, from the other sections"),
        SectionKind::Trade => trade::section(ctx, out),
        SectionKind::Exposure => exposure::section(ctx, out),
        SectionKind::Tariffs => tariffs::section(ctx, out),
        SectionKind::ValueAdded => value_added::section(ctx, out),
        SectionKind::Effects => effects::section(ctx, out),
        SectionKind::WhoPays => who_pays::section(ctx, out),
        SectionKind::JapanExports => japan::exports_section(ctx, out),
        SectionKind::ToyotaProduction => japan::toyota_section(ctx, out),
        SectionKind::LngOffsets => japan::lng_section(ctx, out),
        SectionKind::AllianceLedger => japan::ledger_section(ctx, out),
        SectionKind::Observed => observed::section(ctx, out),
        SectionKind::WhatNext => what_next::section(ctx, out),
    }
}

/// The sections of the spec but summary and method, in spec order. Sections that read no
/// other section's output are built first, each into its own [`Out`]: on two threads, the
/// slowest first, or, when general equilibrium runs beside them, on this thread in spec order
/// with effects last. Then, in spec order, each one's output joins `out` (so footnotes come in
/// the order a one-by-one build gives them) and the sections that read earlier ones
/// ([`SectionKind::reads_earlier_sections`]) are built in their turn.
fn build_sections(ctx: &Ctx<'_, '_>, out: &mut Out, progress: &mut dyn FnMut(&str)) -> Result<Vec<(SectionKind, Section)>, BriefError> {
    let kinds: Vec<SectionKind> = ctx.spec.sections.iter().copied().filter(|k| !matches!(k, SectionKind::Summary | SectionKind::Method)).collect();
    // With general equilibrium, its solves (on their own thread and rayon's) are the slowest
    // path: the sections then build on this thread alone rather than take a core from them,
    // and effects, which waits for the solves, comes last.
    let ge = ctx.options.general_equilibrium && kinds.contains(&SectionKind::Effects);
    let mut early: Vec<SectionKind> = kinds.iter().copied().filter(|k| !k.reads_earlier_sections()).collect();
    if ge {
        // In spec order otherwise: value added, early, finds rayon's threads free of the solves.
        early.sort_by_key(|k| *k == SectionKind::Effects);
    } else {
        early.sort_by_key(|k| std::cmp::Reverse(k.cost()));
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let done: std::sync::Mutex<Vec<(SectionKind, Built)>> = std::sync::Mutex::new(Vec::new());
    let work = || loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let Some(&kind) = early.get(i) else { break };
        let mut part = Out::new();
        let result = run_section(ctx, kind, &mut part).map(|section| {
            part.lap(kind.name(), &mut |_| {});
            (section, part)
        });
        done.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((kind, result));
    };
    std::thread::scope(|scope| {
        if !ge {
            scope.spawn(work);
        }
        work();
    });
    let mut done = done.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    out.lap = Instant::now();
    let mut sections = Vec::new();
    for kind in kinds {
        let section = match done.iter().position(|(k, _)| *k == kind) {
            Some(i) => {
                let (section, part) = done.swap_remove(i).1?;
                out.absorb(part);
                progress(kind.name());
                section
            }
            None => {
                out.lap = Instant::now();
                let section = run_section(ctx, kind, out)?;
                out.lap(kind.name(), progress);
                section
            }
        };
        sections.push((kind, section));
    }
    Ok(sections)
}

/// Gives every chart a file name numbered in document order: `fig-01-<slug>.svg`.
fn number_figures(sections: &mut [Section]) {
    let mut n = 0;
    for block in sections.iter_mut().flat_map(|s| s.blocks.iter_mut()) {
        if let Block::Chart(f) = block {
            n += 1;
            f.file_name = format!("fig-{n:02}-{}", f.file_name);
        }
    }
}

/// The numbers of `brief.json` that every brief has.
pub(crate) fn headline_json(ctx: &Ctx<'_, '_>, out: &Out) -> Value {
    let rank = out.get("deficit_rank");
    json!({
        "exports_usd": out.get("exports_usd"),
        "imports_usd": out.get("imports_usd"),
        "balance_usd": out.get("balance_usd"),
        "deficit_rank": if rank.is_finite() { json!(rank as u64) } else { Value::Null },
        "etr_pct": out.get("etr_pct"),
        "baseline_etr_pct": out.get("baseline_etr_pct"),
        "duties_usd": out.get("duties_usd"),
        "imports_for_consumption_usd": out.get("imports_consumption_usd"),
        "partner_name": ctx.partner.name,
    })
}
