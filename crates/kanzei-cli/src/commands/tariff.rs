//! `kanzei tariff …`: evaluate scenarios — rates, exposure, timelines, explanations, checks.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use kanzei_core::{AreaCode, HsCode, HsVintage};
use kanzei_data::Store;
use kanzei_tariff::analysis::{self, GroupBy, TariffData};
use kanzei_tariff::library::{vocabulary, Library, SHIPPED};
use kanzei_tariff::{Date, Scenario};
use serde_json::json;

use crate::output::{group_thousands, Cell, Column, Format, Grid, Report};
use crate::FormatArg;

/// `kanzei tariff` subcommands.
#[derive(Debug, Subcommand)]
pub enum TariffCommand {
    /// Effective tariff rate and revenue on a date, by partner, chapter or authority.
    #[command(after_help = "Examples:\n  kanzei tariff rates --scenario us-2025 --date 2025-11-17 --by partner\n  kanzei tariff rates --scenario us-2025 --date 2025-04-10 --by authority\n  kanzei tariff rates --scenario us-2024-baseline --compare-census\n  kanzei tariff rates --scenario us-2025 --compare tradewartracker\n  kanzei tariff rates --scenario my-what-if.toml --date 2025-11-17")]
    Rates(RatesArgs),
    /// A partner's exposure: its U.S. imports by authority and chapter, and the share hit.
    #[command(after_help = "Example:\n  kanzei tariff exposure JPN --scenario us-2025 --date 2025-11-17")]
    Exposure(ExposureArgs),
    /// The daily effective rate over a period.
    #[command(after_help = "Example:\n  kanzei tariff timeline --scenario us-2025 --from 2025-01-01 --to 2026-06-30 --partner JPN")]
    Timeline(TimelineArgs),
    /// Why a rate is what it is: the stack of measures on one partner × HS10 line.
    #[command(after_help = "Example:\n  kanzei tariff explain --partner JPN --hs10 8703230140 --date 2025-10-01")]
    Explain(ExplainArgs),
    /// What customs collected: duties / imports by month or NAICS code (Census, 2020–2025),
    /// beside a scenario's statutory rate.
    #[command(after_help = "Examples:\n  kanzei tariff collected --from 2025-01 --to 2025-12\n  kanzei tariff collected --from 2025-01 --to 2025-12 --scenario us-2025\n  kanzei tariff collected --from 2025-10 --to 2025-10 --by naics6 --top 20")]
    Collected(super::collected::CollectedArgs),
    /// Validate a scenario file and summarise it.
    #[command(after_help = "Example:\n  kanzei tariff check my-what-if.toml")]
    Check(CheckArgs),
    /// The shipped scenarios, product lists and rate tables scenarios can use.
    #[command(after_help = "Examples:\n  kanzei tariff lists\n  kanzei tariff lists --format json")]
    Lists(ListsArgs),
}

/// `--by`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ByArg {
    /// By partner (exporter).
    Partner,
    /// By HS chapter.
    Hs2,
    /// By legal authority.
    Authority,
}

/// `--compare`: published per-partner series kanzei can be held against.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CompareArg {
    /// tradewartracker's modelled 2025 increase by partner × chapter (2025-08-06 update,
    /// describing the law of 2025-08-27) on top of the 2024 calculated duty.
    Tradewartracker,
}

/// Arguments of `tariff rates`.
#[derive(Debug, Args)]
pub struct RatesArgs {
    /// Scenario id (see `kanzei tariff lists`) or a path to a scenario file.
    #[arg(long, default_value = "us-2025")]
    pub scenario: String,
    /// Date (YYYY-MM-DD). Default: 2025-11-17 (2024-07-01 for the 2024 baseline).
    #[arg(long)]
    pub date: Option<String>,
    /// Grouping.
    #[arg(long, value_enum, default_value_t = ByArg::Partner)]
    pub by: ByArg,
    /// Baseline to compare with (a scenario id or file); `none` for no baseline.
    #[arg(long, default_value = "us-2024-baseline")]
    pub baseline: String,
    /// Compare with what Census collected in 2024 (for the 2024 baseline).
    #[arg(long)]
    pub compare_census: bool,
    /// Compare each partner's ETR with an independently published per-partner series
    /// (default date: the date the series describes).
    #[arg(long, value_enum)]
    pub compare: Option<CompareArg>,
    /// Show only the first N groups.
    #[arg(long)]
    pub top: Option<usize>,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `tariff exposure`.
#[derive(Debug, Args)]
pub struct ExposureArgs {
    /// Partner (ISO3 code or name).
    pub partner: String,
    /// Scenario id or file.
    #[arg(long, default_value = "us-2025")]
    pub scenario: String,
    /// Date.
    #[arg(long, default_value = "2025-11-17")]
    pub date: String,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `tariff timeline`.
#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Scenario id or file.
    #[arg(long, default_value = "us-2025")]
    pub scenario: String,
    /// First day.
    #[arg(long, default_value = "2025-01-01")]
    pub from: String,
    /// Last day.
    #[arg(long, default_value = "2026-06-30")]
    pub to: String,
    /// Only this partner.
    #[arg(long)]
    pub partner: Option<String>,
    /// Print only the days on which the rate changes (table format).
    #[arg(long)]
    pub changes_only: bool,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `tariff explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Partner.
    #[arg(long)]
    pub partner: String,
    /// HS10 line (dots allowed).
    #[arg(long)]
    pub hs10: String,
    /// Date.
    #[arg(long, default_value = "2025-11-17")]
    pub date: String,
    /// Scenario id or file.
    #[arg(long, default_value = "us-2025")]
    pub scenario: String,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `tariff check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario file.
    pub file: String,
    /// Fail (exit 1) on a measure that changes no rate: no exporters, no products, the
    /// importer or an aggregate as exporter, or no 2024 trade matched.
    #[arg(long)]
    pub strict: bool,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `tariff lists`.
#[derive(Debug, Args)]
pub struct ListsArgs {
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

fn parse_date(text: &str, what: &str) -> anyhow::Result<Date> {
    text.parse::<Date>().map_err(|e| anyhow::anyhow!("--{what}: {e}"))
}

/// Loads a scenario by id or from a file, given with `--scenario`.
pub fn load_scenario(spec: &str, data: &TariffData) -> anyhow::Result<Scenario> {
    load_scenario_as("--scenario", spec, data)
}

/// Loads a scenario by id or from a file given with `option` (`--baseline`, `--with`), so an
/// unknown id blames the option the user typed.
pub fn load_scenario_as(option: &str, spec: &str, data: &TariffData) -> anyhow::Result<Scenario> {
    load_scenario_inner(spec, data).map_err(|e| match e.downcast::<kanzei_tariff::ScenarioError>() {
        Ok(mut e) if e.file == "<command line>" => {
            e.key = option.to_string();
            e.into()
        }
        Ok(e) => e.into(),
        Err(e) => e,
    })
}

fn load_scenario_inner(spec: &str, data: &TariffData) -> anyhow::Result<Scenario> {
    let library = Library::shipped();
    let vocab = vocabulary(data.registry, &data.inputs);
    let path = Path::new(spec);
    if spec.ends_with(".toml") || (path.exists() && path.is_file()) {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read scenario file `{spec}`"))?;
        return Ok(library.load_bytes(spec, &bytes, &vocab)?);
    }
    Ok(library.load(spec, &vocab)?)
}

fn resolve(data: &TariffData, text: &str) -> anyhow::Result<AreaCode> {
    Ok(data.registry.resolve(text).map_err(kanzei_data::DataError::UnknownArea)?.code)
}

fn chapter_names(store: &Store) -> BTreeMap<HsCode, String> {
    store.us_exports().map(|e| e.chapter_names.clone()).unwrap_or_default()
}

/// Runs a `tariff` subcommand.
pub fn run(cmd: TariffCommand, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    if let TariffCommand::Lists(args) = &cmd {
        return lists(store)?.write(args.format.format, out).map_err(Into::into);
    }
    let data = TariffData::load(store)?;
    let (report, format) = match cmd {
        TariffCommand::Rates(args) => (rates(&data, store, &args)?, args.format.format),
        TariffCommand::Exposure(args) => (exposure(&data, store, &args)?, args.format.format),
        TariffCommand::Timeline(args) => (timeline(&data, &args)?, args.format.format),
        TariffCommand::Explain(args) => (explain(&data, store, &args)?, args.format.format),
        TariffCommand::Check(args) => (check(&data, &args)?, args.format.format),
        TariffCommand::Collected(args) => (super::collected::collected(&data, store, &args)?, args.format.format),
        TariffCommand::Lists(_) => unreachable!("handled above"),
    };
    emit(&report, format, out)
}

/// At most this many warnings are printed on stderr; the rest are counted (a generated file
/// of thousands of measures on goods a partner does not sell gave one line each).
const MAX_PRINTED_WARNINGS: usize = 25;

/// Writes a report whose JSON may carry `warnings`: in JSON they stay in the object, all of
/// them; for tables and CSV they go to stderr as `warning: …` lines (the first
/// [`MAX_PRINTED_WARNINGS`], then a count), so stdout stays data.
pub fn emit(report: &Report, format: Format, out: &mut dyn Write) -> anyhow::Result<()> {
    if format != Format::Json {
        if let Some(warnings) = report.json.get("warnings").and_then(|w| w.as_array()) {
            let mut stderr = std::io::stderr().lock();
            let texts: Vec<&str> = warnings.iter().filter_map(|w| w.as_str()).collect();
            for w in texts.iter().take(MAX_PRINTED_WARNINGS) {
                writeln!(stderr, "warning: {w}")?;
            }
            if texts.len() > MAX_PRINTED_WARNINGS {
                writeln!(stderr, "warning: … and {} more (`--format json` lists every warning)", texts.len() - MAX_PRINTED_WARNINGS)?;
            }
        }
    }
    report.write(format, out)?;
    Ok(())
}

/// Warnings for dates past the last dated event of a scenario (nothing later is known), to
/// be carried in a report's JSON as `warnings`.
pub fn date_warnings(scenario: &Scenario, dates: &[Date]) -> Vec<String> {
    let mut out: Vec<String> = dates.iter().filter_map(|d| scenario.coverage_warning(*d)).collect();
    out.dedup();
    out
}

/// Puts `warnings` into a report's JSON object (see [`emit`]).
pub fn attach_warnings(report: &mut Report, warnings: Vec<String>) {
    if let Some(object) = report.json.as_object_mut() {
        object.insert("warnings".into(), json!(warnings));
    }
}

/// One warning per measure of the scenario that changes no rate (see [`kanzei_tariff::lint`]).
fn no_op_warnings(data: &TariffData, scenario: &Scenario) -> Vec<String> {
    let (cells, compiled) = data.compile(scenario);
    kanzei_tariff::lint::no_op_measures(&compiled, &cells, data.registry, None)
        .into_iter()
        .map(|n| format!("measure `{}` ({}): {}", n.measure, n.defined_in, n.message))
        .collect()
}

/// `--compare-census` holds modelled rates against the duty U.S. Census calculated on 2024
/// imports, so it applies only to U.S. imports on a date in 2024; elsewhere the comparison
/// would set one year's law against another year's collections.
fn check_compare_census(scenario: &Scenario, date: Date) -> anyhow::Result<()> {
    if scenario.importer.as_str() != "USA" {
        anyhow::bail!(
            "--compare-census compares with the duty U.S. Census calculated on 2024 imports; `{}` is a scenario of {} imports",
            scenario.id,
            scenario.importer
        );
    }
    if date.year() != 2024 {
        anyhow::bail!(
            "--compare-census compares with the duty U.S. Census calculated on 2024 imports, so it needs a date in 2024; \
             {date} is the law of {}\n\nhint: use --date 2024-07-01 (the default for --scenario us-2024-baseline), or drop --compare-census",
            date.year()
        );
    }
    Ok(())
}

/// A scenario compiled against its importer's 2024 cells: what `rates`, `exposure` and
/// `timeline` evaluate. Compiling `us-2025` takes most of a second and evaluating it on a
/// date milliseconds, so a long-running caller (`kanzei serve`) keeps these and calls the
/// `*_prepared` functions, which give the same report as the CLI. A U.S. import scenario
/// borrows the data's cells instead of copying them (they are most of its memory).
pub struct Prepared<'d> {
    /// The scenario as parsed.
    pub scenario: Scenario,
    /// Its importer's exporter × product cells.
    pub cells: std::borrow::Cow<'d, kanzei_tariff::cells::CellSet>,
    /// The scenario's measures matched to the cells.
    pub compiled: kanzei_tariff::engine::Compiled,
}

impl<'d> Prepared<'d> {
    /// Compiles `scenario` on `data` (as `TariffData::compile` does).
    pub fn new(data: &'d TariffData, scenario: Scenario) -> Prepared<'d> {
        if scenario.importer.as_str() == "USA" {
            let compiled = data.compile_on(&scenario, &data.us_cells);
            return Prepared { scenario, cells: std::borrow::Cow::Borrowed(&data.us_cells), compiled };
        }
        let (cells, compiled) = data.compile(&scenario);
        Prepared { scenario, cells: std::borrow::Cow::Owned(cells), compiled }
    }

    /// [`Prepared::new`] for evaluating one date only: the compile holds only the measures in
    /// force on `date` ([`Scenario::in_force_on`]; the same rates on that date, for less
    /// work), `scenario` the whole scenario.
    pub fn on_date(data: &'d TariffData, scenario: Scenario, date: Date) -> Prepared<'d> {
        let Prepared { cells, compiled, .. } = Prepared::new(data, scenario.in_force_on(date));
        Prepared { scenario, cells, compiled }
    }

    /// A baseline compiled against this scenario's cells (as `tariff rates` does).
    pub fn baseline(&self, data: &TariffData, baseline: &Scenario) -> kanzei_tariff::engine::Compiled {
        data.compile_on(baseline, &self.cells)
    }
}

/// The baseline `tariff rates` holds a scenario against: none for `--baseline none`, the
/// scenario itself, or a scenario of another importer than the U.S.
pub fn rates_baseline(data: &TariffData, scenario: &Scenario, baseline: &str) -> anyhow::Result<Option<Scenario>> {
    if baseline == "none" || baseline == scenario.id || scenario.importer.as_str() != "USA" {
        return Ok(None);
    }
    Ok(Some(load_scenario_as("--baseline", baseline, data)?))
}

/// `tariff rates`.
pub fn rates(data: &TariffData, store: &Store, args: &RatesArgs) -> anyhow::Result<Report> {
    let scenario = load_scenario(&args.scenario, data)?;
    let date = rates_date(args, &scenario)?;
    // Load (and so check) the baseline before the slow compile.
    let baseline_scenario = rates_baseline(data, &scenario, &args.baseline)?;
    // One date is evaluated: only the measures in force on it are compiled (the same rates,
    // `Scenario::in_force_on`); `Prepared` keeps the whole scenario for the date's warnings.
    let baseline_scenario = baseline_scenario.map(|b| b.in_force_on(date));
    // A baseline exists only for a U.S. scenario, so both compile on the data's U.S. cells (as
    // `Prepared::baseline` does): the baseline on a second thread, beside the scenario's
    // single-threaded stages.
    let (prepared, baseline) = std::thread::scope(|scope| {
        let baseline = baseline_scenario.as_ref().map(|b| scope.spawn(move || data.compile_on(b, &data.us_cells)));
        let prepared = Prepared::on_date(data, scenario, date);
        (prepared, baseline.map(|h| h.join().expect("compiling does not panic")))
    });
    rates_prepared(data, store, args, &prepared, baseline.as_ref())
}

/// The date `tariff rates` evaluates on, checked against `--compare-census`.
fn rates_date(args: &RatesArgs, scenario: &Scenario) -> anyhow::Result<Date> {
    let default_date = if args.compare.is_some() {
        analysis::TRADEWARTRACKER_POLICY_DATE
    } else if scenario.id == "us-2024-baseline" {
        "2024-07-01"
    } else {
        "2025-11-17"
    };
    let date = parse_date(args.date.as_deref().unwrap_or(default_date), "date")?;
    if args.compare_census {
        check_compare_census(scenario, date)?;
    }
    Ok(date)
}

/// `tariff rates` on a compiled scenario and baseline (see [`Prepared`]); `args.scenario`
/// and `args.baseline` are not read.
pub fn rates_prepared(
    data: &TariffData,
    store: &Store,
    args: &RatesArgs,
    prepared: &Prepared<'_>,
    baseline: Option<&kanzei_tariff::engine::Compiled>,
) -> anyhow::Result<Report> {
    let Prepared { scenario, cells, compiled } = prepared;
    let (scenario, cells, compiled) = (scenario, cells, compiled);
    let date = rates_date(args, scenario)?;
    let by = match args.by {
        ByArg::Partner => GroupBy::Partner,
        ByArg::Hs2 => GroupBy::Hs2,
        ByArg::Authority => GroupBy::Authority,
    };
    let names = chapter_names(store);
    let mut result = analysis::rates(compiled, cells, date, baseline, by, data.registry, &names);
    let total_groups = result.groups.len();
    if let Some(n) = args.top {
        result.groups.truncate(n);
    }
    let mut json = json!(result);
    let mut report_notes = Vec::new();
    let mut census_grid = None;
    if args.compare_census {
        let (census_etr, model_etr, rows) = analysis::compare_census(compiled, cells, date, &data.schedule, data.registry, 15);
        json["census_comparison"] = json!({ "census_etr_pct": census_etr, "model_etr_pct": model_etr, "partners": rows });
        let mut grid = Grid::new(
            Some(format!(
                "Modelled {} on {date} vs Census calculated duty, 2024 (15 largest partners)",
                scenario.id
            )),
            vec![
                Column::text("partner"),
                Column::text("name"),
                Column::usd("imports"),
                Column::pct("census_etr", 2),
                Column::pct("model_etr", 2),
                Column::pp("gap", 2),
                Column::text("note"),
            ],
        );
        for r in &rows {
            grid.push(vec![
                Cell::Text(r.partner.clone()),
                Cell::Text(r.name.clone()),
                Cell::Num(r.imports_usd),
                Cell::Num(r.census_etr_pct),
                Cell::Num(r.model_etr_pct),
                Cell::Num(r.gap_pp),
                Cell::Text(r.note.clone()),
            ]);
        }
        census_grid = Some(grid);
        report_notes.push(format!(
            "All partners: Census calculated duty {census_etr:.3}% of 2024 imports; kanzei's {} {model_etr:.3}% (gap {:+.3} pp).",
            scenario.id,
            model_etr - census_etr
        ));
    }
    let mut published_grid = None;
    if let Some(CompareArg::Tradewartracker) = args.compare {
        if scenario.importer.as_str() != "USA" {
            anyhow::bail!("--compare tradewartracker holds U.S. import rates against a U.S. series; `{}` is a scenario of {}", scenario.id, scenario.importer);
        }
        let hs2 = store.us_imports_hs2()?;
        let top = args.top.unwrap_or(20);
        let (published_etr, model_etr, rows) = analysis::compare_published(compiled, cells, date, &hs2, data.registry, top);
        json["published_comparison"] = json!({
            "source": "tradewartracker, trade-war-redux-2025, data-hs2 `2025_tariff_increase` (update of 2025-08-06)",
            "as_of": analysis::TRADEWARTRACKER_AS_OF,
            "policy_date": analysis::TRADEWARTRACKER_POLICY_DATE,
            "published_etr_pct": published_etr,
            "model_etr_pct": model_etr,
            "partners": rows,
        });
        let mut grid = Grid::new(
            Some(format!(
                "{} on {date} vs tradewartracker's published per-partner rates (update of {}, law of {})",
                scenario.id,
                analysis::TRADEWARTRACKER_AS_OF,
                analysis::TRADEWARTRACKER_POLICY_DATE
            )),
            vec![
                Column::text("partner"),
                Column::text("name"),
                Column::usd("imports"),
                Column::pct("published_etr", 2),
                Column::pct("model_etr", 2),
                Column::pp("gap", 2),
                Column::text("known_gap"),
            ],
        );
        for r in &rows {
            grid.push(vec![
                Cell::Text(r.partner.clone()),
                Cell::Text(crate::commands::trade::truncate(&r.name, 30)),
                Cell::Num(r.imports_usd),
                Cell::Num(r.published_etr_pct),
                Cell::Num(r.model_etr_pct),
                Cell::Num(r.gap_pp),
                Cell::Text(r.note.clone()),
            ]);
        }
        published_grid = Some(grid);
        report_notes.push(format!(
            "Partners in both: tradewartracker {published_etr:.2}%, kanzei {model_etr:.2}% (gap {:+.2} pp), weighted by tradewartracker's 2024 imports.",
            model_etr - published_etr
        ));
        if date.to_string() != analysis::TRADEWARTRACKER_POLICY_DATE {
            report_notes.push(format!(
                "The published series describes the law of {}; comparing on {date} mixes in later or earlier actions.",
                analysis::TRADEWARTRACKER_POLICY_DATE
            ));
        }
    }
    let mut report = Report::new(json);
    let key_header = match by {
        GroupBy::Partner => "partner",
        GroupBy::Hs2 => "hs2",
        GroupBy::Authority => "authority",
    };
    let mut columns = vec![
        Column::text(key_header),
        Column::text("name").width(40),
        Column::usd("imports"),
        Column::pct("etr", 2),
        Column::usd("revenue"),
        Column::pp("contribution", 2),
    ];
    if result.baseline_etr_pct.is_some() {
        columns.extend([Column::pct("baseline_etr", 2), Column::pp("change", 2)]);
    }
    let mut grid = Grid::new(
        Some(format!(
            "{} — {} on {date}: ETR {:.2}% on {} $M of {} imports (pre-substitution), revenue {} $M{}",
            scenario.id,
            scenario.title,
            result.etr_pct,
            group_thousands(result.imports_usd / 1e6, 0),
            result.importer,
            group_thousands(result.revenue_usd / 1e6, 0),
            result.baseline_etr_pct.map_or_else(String::new, |b| format!("; baseline {} {b:.2}%", result.baseline_scenario.clone().unwrap_or_default()))
        )),
        columns,
    );
    for g in &result.groups {
        let mut row = vec![
            Cell::Text(g.key.clone()),
            Cell::Text(g.name.clone()),
            Cell::Num(g.imports_usd),
            Cell::Num(g.etr_pct),
            Cell::Num(g.revenue_usd),
            Cell::Num(g.contribution_pp),
        ];
        if result.baseline_etr_pct.is_some() {
            row.push(g.baseline_etr_pct.map_or(Cell::Empty, Cell::Num));
            row.push(g.change_pp.map_or(Cell::Empty, Cell::Num));
        }
        grid.push(row);
    }
    report.grids.push(grid);
    if let Some(g) = census_grid {
        report.grids.push(g);
    }
    if let Some(g) = published_grid {
        report.grids.push(g);
    }
    report.notes.extend(report_notes);
    if result.groups.len() < total_groups {
        report.notes.push(format!("Showing {} of {total_groups} groups (--top).", result.groups.len()));
    }
    let gran: Vec<String> = result
        .value_by_granularity
        .iter()
        .map(|(k, v)| format!("{k} {:.1}%", 100.0 * v / result.imports_usd.max(1.0)))
        .collect();
    report.notes.push(format!("Evaluated at: {} of value.", gran.join(", ")));
    let mfn: Vec<String> = result.mfn_sources.iter().map(|(k, v)| format!("{k} {:.1}%", 100.0 * v / result.imports_usd.max(1.0))).collect();
    report.notes.push(format!("MFN rates from: {}.", mfn.join(", ")));
    report.notes.push("ETR = Σ applied rate × 2024 value / Σ 2024 value (pre-substitution); revenue is static, at 2024 values.".into());
    if result.assumptions.is_empty() {
        report.notes.push("Rules for missing data: none used on this date.".into());
    } else {
        report.notes.push(format!(
            "Rules for missing data behind these rates on {date} (cells, 2024 value; docs/scenarios.md \"Rules for missing data\"):"
        ));
        for a in &result.assumptions {
            report.notes.push(format!(
                "  {}: {} cells, {} $M ({:.1}% of value) — {}",
                a.rule,
                group_thousands(a.cells as f64, 0),
                group_thousands(a.value_usd / 1e6, 0),
                100.0 * a.value_usd / result.imports_usd.max(1.0),
                a.description
            ));
        }
    }
    attach_warnings(&mut report, date_warnings(scenario, &[date]));
    Ok(report)
}

/// `tariff exposure`.
pub fn exposure(data: &TariffData, store: &Store, args: &ExposureArgs) -> anyhow::Result<Report> {
    let scenario = load_scenario(&args.scenario, data)?;
    let date = parse_date(&args.date, "date")?;
    resolve(data, &args.partner)?;
    exposure_prepared(data, store, args, &Prepared::on_date(data, scenario, date))
}

/// `tariff exposure` on a compiled scenario (see [`Prepared`]); `args.scenario` is not read.
pub fn exposure_prepared(data: &TariffData, store: &Store, args: &ExposureArgs, prepared: &Prepared<'_>) -> anyhow::Result<Report> {
    let Prepared { scenario, cells, compiled } = prepared;
    let date = parse_date(&args.date, "date")?;
    let partner = resolve(data, &args.partner)?;
    let members = analysis::members_of(partner, data.registry);
    if !cells.cells.iter().any(|c| members.contains(&c.exporter)) {
        anyhow::bail!("{partner} has no {} imports in kanzei's 2024 data", scenario.importer);
    }
    let e = analysis::exposure(compiled, cells, date, partner, data.registry, &chapter_names(store));
    let mut report = Report::new(json!(e));
    let mut grid = Grid::new(
        Some(format!(
            "{} exposure under {} on {date}: {} $M of 2024 imports, ETR {:.2}%, {} $M revenue; {:.1}% of value faces a measure beyond MFN",
            e.name,
            scenario.id,
            group_thousands(e.imports_usd / 1e6, 0),
            e.etr_pct,
            group_thousands(e.revenue_usd / 1e6, 0),
            e.share_hit_pct
        )),
        vec![
            Column::text("authority"),
            Column::text("description"),
            Column::usd("value_hit"),
            Column::pct("rate_on_hit", 2),
            Column::usd("revenue"),
            Column::pp("contribution", 2),
        ],
    );
    for g in &e.by_authority {
        grid.push(vec![
            Cell::Text(g.key.clone()),
            Cell::Text(g.name.clone()),
            Cell::Num(g.imports_usd),
            Cell::Num(g.etr_pct),
            Cell::Num(g.revenue_usd),
            Cell::Num(g.contribution_pp),
        ]);
    }
    report.grids.push(grid);
    let mut chapters = Grid::new(
        Some("By chapter (largest first)".into()),
        vec![
            Column::text("hs2"),
            Column::text("description").width(50),
            Column::usd("imports"),
            Column::pct("etr", 2),
            Column::usd("revenue"),
        ],
    );
    for g in e.by_chapter.iter().take(15) {
        chapters.push(vec![
            Cell::Text(g.key.clone()),
            Cell::Text(g.name.clone()),
            Cell::Num(g.imports_usd),
            Cell::Num(g.etr_pct),
            Cell::Num(g.revenue_usd),
        ]);
    }
    report.grids.push(chapters);
    report.notes.push("value_hit = 2024 value of lines where the authority adds duty; rates are pre-substitution.".into());
    attach_warnings(&mut report, date_warnings(scenario, &[date]));
    Ok(report)
}

/// `tariff timeline`.
pub fn timeline(data: &TariffData, args: &TimelineArgs) -> anyhow::Result<Report> {
    let scenario = load_scenario(&args.scenario, data)?;
    timeline_args(data, args)?;
    timeline_prepared(data, args, &Prepared::new(data, scenario))
}

/// Checks `tariff timeline`'s dates and partner; returns them.
fn timeline_args(data: &TariffData, args: &TimelineArgs) -> anyhow::Result<(Date, Date, Option<AreaCode>)> {
    let from = parse_date(&args.from, "from")?;
    let to = parse_date(&args.to, "to")?;
    if to < from {
        anyhow::bail!("--to {to} is before --from {from}");
    }
    let partner = match &args.partner {
        Some(p) => Some(resolve(data, p)?),
        None => None,
    };
    Ok((from, to, partner))
}

/// `tariff timeline` on a compiled scenario (see [`Prepared`]); `args.scenario` is not read.
pub fn timeline_prepared(data: &TariffData, args: &TimelineArgs, prepared: &Prepared<'_>) -> anyhow::Result<Report> {
    let Prepared { scenario, cells, compiled } = prepared;
    let (from, to, partner) = timeline_args(data, args)?;
    let points = analysis::timeline_of_area(compiled, cells, from, to, partner, data.registry);
    let mut report = Report::new(json!({
        "scenario": scenario.id,
        "partner": partner,
        "from": from,
        "to": to,
        "points": points,
        "events": scenario.events,
    }));
    let mut authorities: Vec<String> = points.iter().flat_map(|p| p.by_authority_pp.keys().cloned()).collect();
    authorities.sort();
    authorities.dedup();
    let mut columns = vec![Column::text("date"), Column::pct("etr", 2)];
    columns.extend(
        authorities
            .iter()
            .map(|a| Column::new(a.clone(), crate::output::Unit::Pp, 2)),
    );
    let title = format!(
        "Daily ETR, {} {}, {from} to {to}{}",
        scenario.id,
        partner.map_or_else(|| "all partners".to_string(), |p| p.to_string()),
        if args.changes_only { " (days on which it changes)" } else { "" }
    );
    let mut grid = Grid::new(Some(title), columns);
    let mut last: Option<f64> = None;
    for p in &points {
        if args.changes_only && last.is_some_and(|l| (l - p.etr_pct).abs() < 1e-9) {
            continue;
        }
        last = Some(p.etr_pct);
        let mut row = vec![Cell::Text(p.date.to_string()), Cell::Num(p.etr_pct)];
        for a in &authorities {
            row.push(Cell::Num(p.by_authority_pp.get(a).copied().unwrap_or(0.0)));
        }
        grid.push(row);
    }
    report.grids.push(grid);
    for e in &scenario.events {
        if e.date >= from && e.date <= to {
            report.notes.push(format!("{}  {}", e.date, e.label));
        }
    }
    // The period's end may be past the scenario's last event, its start before kanzei's law.
    let dates = if from < kanzei_tariff::scenario::FIRST_DAY { vec![from, to] } else { vec![to] };
    attach_warnings(&mut report, date_warnings(scenario, &dates));
    Ok(report)
}

/// `tariff explain`.
pub fn explain(data: &TariffData, store: &Store, args: &ExplainArgs) -> anyhow::Result<Report> {
    let scenario = load_scenario(&args.scenario, data)?;
    let date = parse_date(&args.date, "date")?;
    let partner = resolve(data, &args.partner)?;
    let code = HsCode::parse(&args.hs10).map_err(|e| anyhow::anyhow!("--hs10: {e}"))?;
    if code.len() != 10 {
        anyhow::bail!("--hs10: `{}` has {} digits; give a 10-digit HTS statistical line (e.g. 8703230140)", args.hs10, code.len());
    }
    // A code the schedule does not have would silently get no MFN rate: say so, with the
    // lines that do exist under its longest known prefix.
    let hts = store.hts()?;
    let code22 = code.with_vintage(HsVintage::Hs2022);
    let known = hts.get(code22).is_some() || code22.prefix(8).is_some_and(|p| hts.get(p).is_some());
    let traded = data.us_cells.cells.iter().any(|c| c.code == code22);
    if !known && !traded {
        let mut siblings: Vec<String> = Vec::new();
        for len in [8, 6, 4] {
            let Some(prefix) = code22.prefix(len) else { continue };
            siblings = hts
                .lines
                .iter()
                .filter_map(|l| l.code)
                .filter(|c| c.len() == 10 && prefix.is_prefix_of(*c))
                .take(8)
                .map(|c| c.to_string())
                .collect();
            if !siblings.is_empty() {
                break;
            }
        }
        anyhow::bail!(
            "`{}` is not a line of the 2025 HTS and has no 2024 imports\n\nhint: lines under the same heading: {}",
            args.hs10,
            if siblings.is_empty() { "none found".to_string() } else { siblings.join(", ") }
        );
    }
    let description = crate::commands::trade::describe_hs(store, code22);
    let e = analysis::explain(data, &scenario, partner, code, date, description);
    let mut report = Report::new(json!(e));
    let mut grid = Grid::new(
        Some(format!(
            "{} from {}, {} under {} on {date}: {:.2}%",
            e.hs10,
            partner,
            crate::commands::trade::truncate(&e.description, 60),
            scenario.id,
            e.total_pct
        )),
        vec![
            Column::text("measure"),
            Column::text("authority"),
            Column::pct("rate", 2),
            Column::text("stacking"),
            Column::share("applies", 3),
            Column::pp("adds", 2),
            Column::text("status"),
            Column::text("in_force"),
            Column::text("legal").width(70),
        ],
    );
    grid.push(vec![
        Cell::Text("base: MFN".into()),
        Cell::Text("mfn".into()),
        Cell::Num(e.mfn.pct),
        Cell::Text("base".into()),
        Cell::Num(1.0 - e.preference_share),
        Cell::Num(e.base_pct),
        Cell::Text(format!("{} ({})", e.mfn.source.as_str(), e.mfn.text)),
        Cell::Text(String::new()),
        Cell::Text(format!(
            "HTS {} column 1; preference share {:.3}: {}",
            e.mfn.line.map(|l| l.dotted()).unwrap_or_default(),
            e.preference_share,
            e.preference_source
        )),
    ]);
    for s in &e.steps {
        grid.push(vec![
            Cell::Text(s.measure.clone()),
            Cell::Text(s.authority.clone()),
            s.rate_pct.map_or(Cell::Empty, Cell::Num),
            Cell::Text(s.stacking.clone()),
            Cell::Num(s.share),
            Cell::Num(s.contribution_pp),
            Cell::Text(s.status.clone()),
            Cell::Text(format!(
                "{} → {}",
                s.effective,
                s.expires.map_or_else(|| "".to_string(), |d| d.to_string())
            )),
            Cell::Text(s.legal.clone()),
        ]);
    }
    report.grids.push(grid);
    if e.members.is_empty() {
        report.notes.push(format!("Applied rate: {:.2}% = base {:.2}% + measures.", e.total_pct, e.base_pct));
    } else {
        let lead = e.steps_for;
        report.notes.push(format!(
            "Applied rate for {partner}: {:.2}%, the members' rates weighted by their 2024 imports of the line (steps above: {lead}).",
            e.total_pct
        ));
        let mut members = Grid::new(Some(format!("{partner} members")), vec![Column::text("member"), Column::usd("imports"), Column::pct("rate", 2), Column::text("imports_basis")]);
        let mut rows: Vec<&kanzei_tariff::analysis::MemberRate> = e.members.iter().filter(|m| m.imports_2024_usd > 0.0).collect();
        rows.sort_by(|a, b| b.imports_2024_usd.total_cmp(&a.imports_2024_usd));
        for m in rows {
            members.push(vec![
                Cell::Text(m.partner.to_string()),
                Cell::Num(m.imports_2024_usd),
                Cell::Num(m.total_pct),
                Cell::Text(crate::commands::trade::truncate(&m.imports_basis, 90)),
            ]);
        }
        report.grids.push(members);
    }
    for s in &e.steps {
        if let Some(basis) = &s.share_basis {
            report.notes.push(format!("Share of {}: {basis}.", s.measure));
        }
    }
    if !e.assumptions.is_empty() {
        report.notes.push(format!("Rules for missing data used: {} (docs/scenarios.md).", e.assumptions.join(", ")));
    }
    if e.imports_2024_usd > 0.0 {
        report.notes.push(format!(
            "2024 imports of this line from {partner}: {} $M ({}).",
            group_thousands(e.imports_2024_usd / 1e6, 1),
            e.imports_basis
        ));
    } else {
        report.notes.push(format!("No 2024 imports of this line from {partner} in the data; the rate is the law's, not weighted by trade."));
    }
    attach_warnings(&mut report, date_warnings(&scenario, &[date]));
    Ok(report)
}

/// `tariff check`.
pub fn check(data: &TariffData, args: &CheckArgs) -> anyhow::Result<Report> {
    let scenario = load_scenario_as("FILE", &args.file, data)?;
    check_loaded(data, scenario, &args.file, args.strict)
}

/// `tariff check` on a scenario already parsed (and so validated) from `file`.
pub fn check_loaded(data: &TariffData, scenario: Scenario, file: &str, strict: bool) -> anyhow::Result<Report> {
    let mut grid = Grid::new(
        Some(format!(
            "{}: {} ({} measures; lineage {})",
            scenario.id,
            scenario.title,
            scenario.measures.len(),
            scenario.lineage.join(" → ")
        )),
        vec![
            Column::text("measure"),
            Column::text("authority"),
            Column::text("exporters"),
            Column::text("stacking"),
            Column::text("effective"),
            Column::text("expires"),
            Column::text("defined_in"),
        ],
    );
    for m in &scenario.measures {
        let exporters = match &m.exporters {
            kanzei_tariff::scenario::ExporterSet::All => "all".to_string(),
            kanzei_tariff::scenario::ExporterSet::Only(v) => format!("{} exporter(s)", v.len()),
            kanzei_tariff::scenario::ExporterSet::AllExcept(v) => format!("all but {}", v.len()),
        };
        grid.push(vec![
            Cell::Text(m.id.clone()),
            Cell::Text(m.authority.as_str().into()),
            Cell::Text(exporters),
            Cell::Text(format!("{:?}", m.stacking).to_lowercase()),
            Cell::Text(m.effective.to_string()),
            Cell::Text(m.expires.map(|d| d.to_string()).unwrap_or_default()),
            Cell::Text(m.defined_in.clone()),
        ]);
    }
    let no_ops = no_op_warnings(data, &scenario);
    if strict && !no_ops.is_empty() {
        anyhow::bail!("`{file}`: {} (--strict)", no_ops.join("; "));
    }
    let mut report = Report::new(json!({ "valid": true, "scenario": scenario }));
    report.grids.push(grid);
    report.notes.push(if no_ops.is_empty() {
        "The scenario is valid.".into()
    } else {
        format!("The scenario is valid, but {} measure(s) change no rate (see the warnings; --strict fails on them).", no_ops.len())
    });
    attach_warnings(&mut report, no_ops);
    Ok(report)
}

/// `tariff lists`.
pub fn lists(store: &Store) -> anyhow::Result<Report> {
    let inputs = store.tariff_inputs()?;
    let mut grid = Grid::new(
        Some("Product lists scenarios can name (`products = { list = \"…\" }`)".into()),
        vec![
            Column::text("kind"),
            Column::text("id"),
            Column::count("entries"),
            Column::text("title"),
            Column::text("legal"),
        ],
    );
    for (id, file, _) in SHIPPED {
        grid.push(vec![Cell::Text("scenario".into()), Cell::Text((*id).into()), Cell::Empty, Cell::Text((*file).into()), Cell::Empty]);
    }
    for l in inputs.lists.values() {
        grid.push(vec![
            Cell::Text("list".into()),
            Cell::Text(l.id.clone()),
            Cell::Int(l.codes.len() as i64),
            Cell::Text(l.title.clone()),
            Cell::Text(l.legal.clone()),
        ]);
    }
    for t in inputs.tables.values() {
        grid.push(vec![
            Cell::Text("table".into()),
            Cell::Text(t.id.clone()),
            Cell::Int(t.rates.len() as i64),
            Cell::Text(t.title.clone()),
            Cell::Text(t.legal.clone()),
        ]);
    }
    let report_json = json!({
        "scenarios": SHIPPED.iter().map(|(id, file, _)| json!({"id": id, "file": file})).collect::<Vec<_>>(),
        "lists": inputs.lists.values().map(|l| json!({"id": l.id, "title": l.title, "legal": l.legal, "source": l.source, "codes": l.codes.len()})).collect::<Vec<_>>(),
        "tables": inputs.tables.values().collect::<Vec<_>>(),
    });
    let mut report = Report::new(report_json);
    report.grids.push(grid);
    Ok(report)
}
