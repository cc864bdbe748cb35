//! `kanzei._kanzei`: the compiled half of the Python package `kanzei`.
//!
//! It does as little as it can. A [`Session`] holds a `kanzei_data::Store` (each dataset is
//! loaded once, on first use) and, once a tariff command has needed it, the `TariffData`
//! built from it. [`Session::run_json`] runs one CLI command, given as its argument list
//! without the program name, and returns what `kanzei … --format json` would print, so the
//! Python functions return exactly the CLI's numbers. [`Session::sweep_rates`] is the one
//! entry point that is not a CLI command: it compiles a scenario text once and evaluates it
//! on many dates, for `kanzei.sweep`. The pure-Python layer (`kanzei/__init__.py`) builds
//! the argument lists and turns the JSON rows into `pyarrow.Table`s; no Arrow code is
//! compiled here (the `arrow` crate would roughly double the wheel's build time for tables
//! that are a few thousand rows at most).
//!
//! The GIL is released while a command runs. Errors: a scenario problem becomes
//! `_ScenarioError(message, file, line, key, detail)` (the Python layer re-raises it as
//! `kanzei.ScenarioError`), a bad argument `UsageError` with clap's message, anything else
//! `KanzeiError` with the CLI's `error: … caused by: …` text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Context;

use clap::Parser;
use kanzei_cli::commands::tariff::{self, ByArg, RatesArgs, TariffCommand};
use kanzei_cli::output::Format;
use kanzei_cli::{Cli, Command};
use kanzei_data::Store;
use kanzei_tariff::analysis::{self, GroupBy, TariffData};
use kanzei_tariff::cells::CellSet;
use kanzei_tariff::engine::{ChangeIndex, Compiled};
use kanzei_tariff::library::{vocabulary, Library};
use kanzei_tariff::scenario::ScenarioError;
use kanzei_tariff::{Date, Scenario};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

pyo3::create_exception!(_kanzei, KanzeiError, PyException, "An error from kanzei, with the CLI's message.");
pyo3::create_exception!(_kanzei, UsageError, KanzeiError, "A bad argument (clap's message, as the CLI prints it).");
pyo3::create_exception!(
    _kanzei,
    _ScenarioError,
    KanzeiError,
    "A scenario problem: args are (message, file, line, key, detail)."
);

/// What a failed command reports, before it becomes a Python exception (built with the GIL
/// released, so it holds no Python objects).
enum Failure {
    Usage(String),
    Scenario(ScenarioError),
    Other(String),
}

impl From<anyhow::Error> for Failure {
    fn from(err: anyhow::Error) -> Failure {
        if let Some(scenario) = err.chain().find_map(|e| e.downcast_ref::<ScenarioError>()) {
            return Failure::Scenario(scenario.clone());
        }
        let mut text = format!("{err}");
        for cause in err.chain().skip(1) {
            text.push_str(&format!("\n  caused by: {cause}"));
        }
        Failure::Other(text)
    }
}

impl From<Failure> for PyErr {
    fn from(failure: Failure) -> PyErr {
        match failure {
            Failure::Usage(text) => UsageError::new_err(text),
            Failure::Scenario(e) => _ScenarioError::new_err((e.to_string(), e.file, e.line, e.key, e.message)),
            Failure::Other(text) => KanzeiError::new_err(text),
        }
    }
}

/// A sweep's rows as columns (the Python layer makes them a `pyarrow.Table` without a
/// dict per row): per date, the `ALL` total then the groups, largest revenue first.
#[derive(Default, serde::Serialize)]
struct SweepColumns {
    date: Vec<String>,
    key: Vec<String>,
    name: Vec<String>,
    imports_usd: Vec<f64>,
    etr_pct: Vec<f64>,
    revenue_usd: Vec<f64>,
    contribution_pp: Vec<f64>,
}

impl SweepColumns {
    fn push(&mut self, date: &str, row: analysis::RateGroup) {
        self.date.push(date.to_string());
        self.key.push(row.key);
        self.name.push(row.name);
        self.imports_usd.push(row.imports_usd);
        self.etr_pct.push(row.etr_pct);
        self.revenue_usd.push(row.revenue_usd);
        self.contribution_pp.push(row.contribution_pp);
    }
}

/// A scenario compiled against its importer's cells (compiling `us-2025` takes most of a
/// second; evaluating it on a date, milliseconds).
struct CompiledScenario {
    scenario: Scenario,
    cells: CellSet,
    compiled: Compiled,
}

/// How many compiled scenarios a session keeps (each holds the 2024 cells, tens of MB).
const COMPILED_CACHE: usize = 8;

/// How many full compiles a session keeps as templates for rate-only sweep variants.
const SWEEP_TEMPLATES: usize = 4;

/// How many dates' rates a sweep template keeps (1.6 MB each).
const SWEEP_DATES: usize = 64;

/// A full compile kept for sweeps: variants that differ from it only in rates are made from
/// it, and its total rates on each date swept are kept, so a variant evaluates only the cells
/// its changed measures reach ([`Compiled::cells_differing_from`]).
struct SweepTemplate {
    compiled: Compiled,
    index: ChangeIndex,
    totals: Mutex<HashMap<Date, Arc<Vec<f64>>>>,
}

impl SweepTemplate {
    /// The template's total rate of every cell on `date`, percent.
    fn totals(&self, date: Date) -> Arc<Vec<f64>> {
        if let Some(hit) = self.totals.lock().expect("totals lock").get(&date) {
            return hit.clone();
        }
        let totals = Arc::new(self.compiled.evaluate(date).total_pct);
        let mut kept = self.totals.lock().expect("totals lock");
        if kept.len() >= SWEEP_DATES {
            kept.clear();
        }
        kept.insert(date, totals.clone());
        totals
    }
}

/// Loaded data shared by every call: the store, once needed the tariff inputs, and the
/// last few scenarios `tariff rates` compiled.
#[pyclass(frozen, module = "kanzei._kanzei")]
pub struct Session {
    store: Store,
    tariff_data: OnceLock<Result<TariffData, String>>,
    chapter_names: OnceLock<std::collections::BTreeMap<kanzei_core::HsCode, String>>,
    compiled: Mutex<HashMap<String, Arc<CompiledScenario>>>,
    /// U.S. scenarios sweeps compiled in full: a later variant that differs from one only in
    /// rates reuses its compile ([`Compiled::with_rates`]).
    sweep_templates: Mutex<Vec<Arc<SweepTemplate>>>,
    /// The U.S. cells grouped by partner and by chapter, for sweeps.
    cell_groups: [OnceLock<analysis::CellGroups>; 2],
}

impl Session {
    fn tariff_data(&self) -> Result<&TariffData, Failure> {
        self.tariff_data
            .get_or_init(|| TariffData::load(&self.store).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| Failure::Other(e.clone()))
    }

    /// A scenario (id or file, as the CLI's `--scenario` takes it) compiled, from the cache
    /// when the same id or the same file content was compiled before.
    fn compiled(&self, data: &TariffData, spec: &str) -> Result<Arc<CompiledScenario>, Failure> {
        let path = Path::new(spec);
        let key = if spec.ends_with(".toml") || path.is_file() {
            // A file is keyed by its content too, so an edited file is compiled again.
            format!("{spec}\0{}", std::fs::read_to_string(path).unwrap_or_default())
        } else {
            spec.to_string()
        };
        if let Some(hit) = self.compiled.lock().expect("cache lock").get(&key) {
            return Ok(hit.clone());
        }
        let scenario = tariff::load_scenario(spec, data)?;
        let (cells, compiled) = data.compile(&scenario);
        let entry = Arc::new(CompiledScenario { scenario, cells, compiled });
        let mut cache = self.compiled.lock().expect("cache lock");
        if cache.len() >= COMPILED_CACHE {
            cache.clear();
        }
        cache.insert(key, entry.clone());
        Ok(entry)
    }

    /// `tariff rates` on cached compiled scenarios: the CLI's `tariff::rates` JSON (the
    /// analysis result and `warnings`) without its `table` (the same rows as `groups`).
    /// Only for the arguments it covers; [`Session::run`] sends the others to the CLI.
    fn rates_cached(&self, data: &TariffData, args: &RatesArgs) -> Result<String, Failure> {
        let entry = self.compiled(data, &args.scenario)?;
        let scenario = &entry.scenario;
        let default_date = if scenario.id == "us-2024-baseline" { "2024-07-01" } else { "2025-11-17" };
        let date: Date = args.date.as_deref().unwrap_or(default_date).parse().context("--date")?;
        let baseline = if args.baseline == "none" || args.baseline == scenario.id || scenario.importer.as_str() != "USA" {
            None
        } else {
            Some(self.compiled(data, &args.baseline)?)
        };
        let by = match args.by {
            ByArg::Partner => GroupBy::Partner,
            ByArg::Hs2 => GroupBy::Hs2,
            ByArg::Authority => GroupBy::Authority,
        };
        let names = self.chapter_names();
        let baseline_here;
        let baseline = match &baseline {
            None => None,
            Some(b) if b.scenario.importer == scenario.importer => Some(&b.compiled),
            Some(b) => {
                baseline_here = Compiled::new(&b.scenario, &entry.cells, &data.schedule, &data.inputs);
                Some(&baseline_here)
            }
        };
        let result = analysis::rates(&entry.compiled, &entry.cells, date, baseline, by, data.registry, names);
        let mut json = serde_json::json!(result);
        json["warnings"] = serde_json::json!(tariff::date_warnings(scenario, &[date]));
        Ok(json.to_string())
    }

    fn chapter_names(&self) -> &std::collections::BTreeMap<kanzei_core::HsCode, String> {
        self.chapter_names.get_or_init(|| self.store.us_exports().map(|e| e.chapter_names.clone()).unwrap_or_default())
    }

    fn run(&self, args: Vec<String>) -> Result<String, Failure> {
        let cli = Cli::try_parse_from(std::iter::once("kanzei".to_string()).chain(args))
            .map_err(|e| Failure::Usage(e.render().to_string()))?;
        let mut out: Vec<u8> = Vec::new();
        match cli.command {
            // The CLI's baseline is compiled against the scenario's cells; the cached one
            // against its own, the same cells when both are U.S. import scenarios.
            Command::Tariff(TariffCommand::Rates(a)) if a.compare.is_none() && !a.compare_census && a.top.is_none() => {
                let data = self.tariff_data()?;
                return self.rates_cached(data, &a);
            }
            // Tariff commands take the TariffData this session keeps, instead of building
            // it again as `kanzei_cli::run_with` does for each command.
            Command::Tariff(cmd) if !matches!(cmd, TariffCommand::Lists(_)) => {
                let data = self.tariff_data()?;
                let report = match &cmd {
                    TariffCommand::Rates(a) => tariff::rates(data, &self.store, a)?,
                    TariffCommand::Exposure(a) => tariff::exposure(data, &self.store, a)?,
                    TariffCommand::Timeline(a) => tariff::timeline(data, a)?,
                    TariffCommand::Explain(a) => tariff::explain(data, &self.store, a)?,
                    TariffCommand::Check(a) => tariff::check(data, a)?,
                    TariffCommand::Collected(a) => kanzei_cli::commands::collected::collected(data, &self.store, a)?,
                    TariffCommand::Lists(_) => unreachable!("matched above"),
                };
                report.write(Format::Json, &mut out).map_err(anyhow::Error::from)?;
            }
            command => kanzei_cli::run_with(command, &self.store, &mut out)?,
        }
        String::from_utf8(out).map_err(|e| Failure::Other(format!("output is not UTF-8: {e}")))
    }

    /// A U.S. scenario compiled for a sweep, and the template it was made from: a template
    /// it differs from only in rates ([`Compiled::with_rates`]), else a full compile that
    /// becomes a template itself.
    fn sweep_compile(&self, data: &TariffData, scenario: &Scenario) -> (Compiled, Arc<SweepTemplate>) {
        let templates: Vec<Arc<SweepTemplate>> = self.sweep_templates.lock().expect("template lock").clone();
        for t in templates {
            if let Some(reused) = t.compiled.with_rates(scenario, &data.us_cells, &data.inputs) {
                return (reused, t);
            }
        }
        let compiled = data.compile_on(scenario, &data.us_cells);
        let index = compiled.change_index();
        // The clone shares the compile's tables (entries included): it differs from its
        // template nowhere.
        let template = Arc::new(SweepTemplate { compiled: compiled.clone(), index, totals: Mutex::new(HashMap::new()) });
        let mut kept = self.sweep_templates.lock().expect("template lock");
        if kept.len() >= SWEEP_TEMPLATES {
            kept.remove(0);
        }
        kept.push(template.clone());
        (compiled, template)
    }

    /// The U.S. cells grouped `by` partner or chapter (made once per session).
    fn cell_groups(&self, data: &TariffData, by: GroupBy) -> &analysis::CellGroups {
        let slot = usize::from(by == GroupBy::Hs2);
        self.cell_groups[slot].get_or_init(|| analysis::CellGroups::new(&data.us_cells, by, data.registry, self.chapter_names()))
    }

    fn sweep(&self, file: &str, text: &str, dates: &[String], by: &str) -> Result<String, Failure> {
        let data = self.tariff_data()?;
        let by = match by {
            "partner" => GroupBy::Partner,
            "hs2" => GroupBy::Hs2,
            "authority" => GroupBy::Authority,
            other => return Err(Failure::Usage(format!("`{other}` is not a grouping: expected one of `partner`, `hs2`, `authority`"))),
        };
        let vocab = vocabulary(data.registry, &data.inputs);
        let library = Library::shipped();
        let scenario = if file.is_empty() { library.load(text, &vocab) } else { library.load_text(file, text, &vocab) };
        let scenario = scenario.map_err(Failure::Scenario)?;
        let mut columns = SweepColumns::default();
        let mut dated = Vec::with_capacity(dates.len());
        for text in dates {
            dated.push((text.as_str(), text.parse::<Date>().map_err(|e| Failure::Usage(format!("date `{text}`: {e}")))?));
        }
        // A U.S. scenario grouped by partner or chapter: compiled on the data's own cells, or
        // made from a template that differs from it only in rates, whose rates on each date
        // are kept; only the cells the changed measures reach are evaluated again.
        if scenario.importer.as_str() == "USA" && by != GroupBy::Authority {
            let cells = &data.us_cells;
            let (compiled, template) = self.sweep_compile(data, &scenario);
            let differing = compiled.cells_differing_from(&template.compiled, &template.index);
            let groups = self.cell_groups(data, by);
            for (text, date) in dated {
                let mut totals = template.totals(date).as_ref().clone();
                compiled.totals_into(&differing, date, &mut totals);
                let (total, rows) = groups.rows(cells, &totals);
                for row in std::iter::once(total).chain(rows) {
                    columns.push(text, row);
                }
            }
        } else {
            // Otherwise `tariff rates`' own path on each date (no baseline); a U.S. scenario on
            // the data's own cells (no copy).
            let owned;
            let (cells, compiled) = if scenario.importer.as_str() == "USA" {
                (&data.us_cells, data.compile_on(&scenario, &data.us_cells))
            } else {
                let (c, compiled) = data.compile(&scenario);
                owned = c;
                (&owned, compiled)
            };
            for (text, date) in dated {
                let report = analysis::rates(&compiled, cells, date, None, by, data.registry, self.chapter_names());
                let total = analysis::all_row(by, report.imports_usd, report.revenue_usd);
                for row in std::iter::once(total).chain(report.groups) {
                    columns.push(text, row);
                }
            }
        }
        Ok(serde_json::json!({ "scenario": scenario.id, "columns": columns }).to_string())
    }
}

#[pymethods]
impl Session {
    /// A session on the embedded snapshot, or on a folder of official files (`data`, like
    /// the CLI's `--data DIR`).
    #[new]
    #[pyo3(signature = (data = None))]
    fn new(data: Option<PathBuf>) -> Session {
        let store = match data {
            Some(dir) => Store::raw(dir),
            None => Store::embedded(),
        };
        Session { store, tariff_data: OnceLock::new(), chapter_names: OnceLock::new(), compiled: Mutex::new(HashMap::new()), sweep_templates: Mutex::new(Vec::new()), cell_groups: Default::default() }
    }

    /// Runs a CLI command (arguments without the program name, `--format json` included
    /// where the command takes it) and returns what it prints.
    fn run_json(&self, py: Python<'_>, args: Vec<String>) -> PyResult<String> {
        py.allow_threads(|| self.run(args)).map_err(PyErr::from)
    }

    /// Compiles scenario `text` (named `file` in error messages; an empty `file` makes
    /// `text` a shipped scenario id) once, or reuses an earlier compile that differs from it
    /// only in rates, and evaluates its rates on each date, grouped `by` partner, hs2 or
    /// authority, without a baseline. Returns JSON `{scenario, columns}`: per date the
    /// `ALL` total then the groups, as columns `date, key, name, imports_usd, etr_pct,
    /// revenue_usd, contribution_pp`.
    fn sweep_rates(&self, py: Python<'_>, file: String, text: String, dates: Vec<String>, by: String) -> PyResult<String> {
        py.allow_threads(|| self.sweep(&file, &text, &dates, &by)).map_err(PyErr::from)
    }

    /// Builds the tariff inputs now (otherwise the first tariff call does).
    fn warm(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| self.tariff_data().map(|_| ())).map_err(PyErr::from)
    }
}

/// The module `kanzei._kanzei`.
#[pymodule]
fn _kanzei(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Session>()?;
    m.add("KanzeiError", m.py().get_type::<KanzeiError>())?;
    m.add("UsageError", m.py().get_type::<UsageError>())?;
    m.add("_ScenarioError", m.py().get_type::<_ScenarioError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
