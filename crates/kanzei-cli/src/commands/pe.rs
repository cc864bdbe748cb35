//! `kanzei pe …`: partial equilibrium at product level (SMART, GSIM) and the elasticities
//! they use.

use std::io::Write;

use anyhow::Context;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use kanzei_core::{HsCode, HsVintage};
use kanzei_data::elasticities::{ElasticityKind, Resolver, ResolverConfig};
use kanzei_data::Store;
use kanzei_pe::smart::SmartConfig;
use kanzei_report::runs::{self, SmartBy};
use kanzei_tariff::analysis::TariffData;
use serde_json::json;

use crate::commands::tariff::load_scenario;
use crate::output::{group_thousands, Cell, Column, Grid, Report};
use crate::FormatArg;

/// `kanzei pe` subcommands.
#[derive(Debug, Subcommand)]
pub enum PeCommand {
    /// SMART on the U.S. market for a tariff scenario: imports, creation, diversion, revenue
    /// after substitution, and the post-substitution ETR.
    #[command(after_help = "Examples:\n  kanzei pe smart --elasticities hauk --draws 500 --seed 7\n  kanzei pe smart --scenario us-2025 --date 2025-11-17 --market USA --by partner\n  kanzei pe smart --scenario us-2025 --date 2025-11-17 --by partner --hs 8703   # autos: who gains and loses")]
    Smart(SmartArgs),
    /// GSIM multi-market PE on a flows matrix, tariff powers and elasticities (CSV).
    #[command(after_help = "Examples:\n  kanzei pe gsim                                   # the 4-region US–EU FTA example\n  kanzei pe gsim --flows M.csv --t0 T0.csv --t1 T1.csv --elasticities E.csv\n  kanzei pe gsim --draws 500 --seed 7 --relative-se 0.25")]
    Gsim(GsimArgs),
    /// The elasticities the models would use for a product, with their sources.
    #[command(after_help = "Examples:\n  kanzei pe elasticities --hs6 870323\n  kanzei pe elasticities --hs10 8703230140 --elasticities hauk\n  kanzei pe elasticities --hs10 8703230140")]
    Elasticities(ElasticitiesArgs),
}

/// `--by` for SMART.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SmartByArg {
    /// By exporter.
    Partner,
    /// By HS chapter.
    Hs2,
    /// By HS6 subheading.
    Hs6,
}

/// Arguments of `pe smart`.
#[derive(Debug, Args)]
pub struct SmartArgs {
    /// Scenario id or file (final tariffs).
    #[arg(long, default_value = "us-2025")]
    pub scenario: String,
    /// Scenario giving the initial tariffs.
    #[arg(long, default_value = "us-2024-baseline")]
    pub baseline: String,
    /// Date.
    #[arg(long, default_value = "2025-11-17")]
    pub date: String,
    /// Importing market (USA).
    #[arg(long, default_value = "USA")]
    pub market: String,
    /// Grouping.
    #[arg(long, value_enum, default_value_t = SmartByArg::Partner)]
    pub by: SmartByArg,
    /// Report only products under this HS prefix (the market is still simulated in full).
    #[arg(long)]
    pub hs: Option<String>,
    /// Show only the first N groups (largest import losses first).
    #[arg(long)]
    pub top: Option<usize>,
    /// Elasticity set: `default` (Em Hauk 2012, Es Broda–Weinstein 2006), `hauk`, `protee`,
    /// or an override file `hs,kind,value,note`.
    #[arg(long, value_name = "NAME|FILE")]
    pub elasticities: Option<String>,
    /// Monte Carlo draws of Em and Es (published standard errors, else the spread of the
    /// alternative sets); adds p5/p50/p95 beside every group. 0: the point estimate alone.
    #[arg(long, default_value_t = 0)]
    pub draws: usize,
    /// Seed of the draws (same seed, same bands, any number of threads).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `pe gsim`.
#[derive(Debug, Args)]
pub struct GsimArgs {
    /// Trade flows M[i, j] (exporter rows, importer columns), CSV.
    #[arg(long)]
    pub flows: Option<PathBuf>,
    /// Initial tariff powers (1 + t), CSV.
    #[arg(long)]
    pub t0: Option<PathBuf>,
    /// Final tariff powers, CSV.
    #[arg(long)]
    pub t1: Option<PathBuf>,
    /// Elasticities (Em, Es, Ex by region), CSV.
    #[arg(long)]
    pub elasticities: Option<PathBuf>,
    /// Solve the nonlinear form by Newton instead of the published linear form.
    #[arg(long)]
    pub nonlinear: bool,
    /// Monte Carlo draws of every elasticity (needs --relative-se); adds p5/p50/p95.
    #[arg(long, default_value_t = 0)]
    pub draws: usize,
    /// Seed of the draws.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Relative standard error of every elasticity for --draws (0.25 = ±25%): your stated
    /// assumption, since GSIM inputs carry no standard errors.
    #[arg(long)]
    pub relative_se: Option<f64>,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `pe elasticities`.
#[derive(Debug, Args)]
pub struct ElasticitiesArgs {
    /// HS6 subheading.
    #[arg(long, conflicts_with = "hs10")]
    pub hs6: Option<String>,
    /// HS10 line.
    #[arg(long)]
    pub hs10: Option<String>,
    /// The set a run would use (`default`, `hauk`, `protee`, or an override file), shown
    /// first; every named set is listed below it.
    #[arg(long, value_name = "NAME|FILE")]
    pub elasticities: Option<String>,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// `--elasticities NAME|FILE` for SMART: a named set, or an override file read here.
pub(crate) fn smart_set(arg: Option<&str>) -> anyhow::Result<kanzei_report::smart_sets::SmartSet> {
    use kanzei_report::smart_sets::{SmartSet, SMART_SET_NAMES};
    Ok(match arg {
        None => SmartSet::default(),
        Some(name) if SMART_SET_NAMES.contains(&name) => SmartSet::parse(name, None)?,
        Some(path) if std::path::Path::new(path).is_file() => {
            let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("--elasticities {path}: {e}"))?;
            SmartSet::parse(path, Some(&text))?
        }
        Some(other) => SmartSet::parse(other, None)?,
    })
}

/// Runs a `pe` subcommand.
pub fn run(cmd: PeCommand, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        PeCommand::Smart(args) => crate::commands::tariff::emit(&smart(store, &args)?, args.format.format, out)?,
        PeCommand::Gsim(args) => gsim(store, &args)?.write(args.format.format, out)?,
        PeCommand::Elasticities(args) => elasticities(store, &args)?.write(args.format.format, out)?,
    }
    Ok(())
}

fn smart(store: &Store, args: &SmartArgs) -> anyhow::Result<Report> {
    if !args.market.eq_ignore_ascii_case("USA") {
        anyhow::bail!("SMART is run on the U.S. market (kanzei has HS10 import data for the U.S. only)\n\nhint: --market USA");
    }
    let data = TariffData::load(store)?;
    let scenario = load_scenario(&args.scenario, &data)?;
    let baseline = crate::commands::tariff::load_scenario_as("--baseline", &args.baseline, &data)?;
    let date = args.date.parse::<kanzei_tariff::Date>().map_err(|e| anyhow::anyhow!("--date: {e}"))?;
    let by = match args.by {
        SmartByArg::Partner => SmartBy::Partner,
        SmartByArg::Hs2 => SmartBy::Hs2,
        SmartByArg::Hs6 => SmartBy::Hs6,
    };
    let filter = match &args.hs {
        Some(text) => Some(HsCode::parse(text).map_err(|e| anyhow::anyhow!("--hs: {e}"))?),
        None => None,
    };
    let set = smart_set(args.elasticities.as_deref())?;
    let set_description = set.describe();
    let options = runs::SmartOptions { by, filter, config: SmartConfig::default(), set, draws: args.draws, seed: args.seed };
    let progress = (args.draws > 0).then(|| {
        let bar = indicatif::ProgressBar::new_spinner().with_message(format!("SMART: {} draws of the elasticities…", args.draws));
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar
    });
    let mut result = runs::smart_us_with(store, &data, &scenario, &baseline, date, &options)?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let total_groups = result.groups.len();
    if let Some(n) = args.top {
        result.groups.truncate(n);
    }
    let mut report = Report::new(json!(result));
    // The bands on the `groups` rows too, as `*_p5`/`*_p50`/`*_p95` beside each number.
    if let (Some(bands), Some(rows)) = (&result.bands, report.json.get_mut("groups").and_then(|g| g.as_array_mut())) {
        for row in rows {
            let Some(b) = row.get("key").and_then(|k| k.as_str()).and_then(|k| bands.groups.iter().find(|g| g.key == k)) else { continue };
            for (name, band) in [("imports_after_usd", b.imports_after_usd), ("trade_creation_usd", b.trade_creation_usd), ("trade_diversion_usd", b.trade_diversion_usd), ("revenue_usd", b.revenue_usd)] {
                row[format!("{name}_p5")] = json!(band.p5);
                row[format!("{name}_p50")] = json!(band.p50);
                row[format!("{name}_p95")] = json!(band.p95);
            }
        }
    }
    let mut grid = Grid::new(
        Some(format!(
            "SMART, U.S. market, {} vs {} on {date}{}: ETR {:.2}% before substitution, {:.2}% after (baseline {:.2}%)",
            scenario.id,
            baseline.id,
            filter.map(|f| format!(", HS {f}")).unwrap_or_default(),
            result.etr_pre_pct,
            result.etr_post_pct,
            result.etr_base_pct
        )),
        vec![
            Column::text("key"),
            Column::text("name").width(30),
            Column::usd("imports_before"),
            Column::usd("imports_after"),
            Column::pct("change", 2),
            Column::usd("creation"),
            Column::usd("diversion"),
            Column::pct("rate_before", 2),
            Column::pct("rate_after", 2),
            Column::usd("revenue"),
        ],
    );
    // With draws: p5/p50/p95 of imports after, creation, diversion and revenue (CSV and
    // JSON); the table shows imports after's p5 and p95.
    const BANDED: [&str; 4] = ["imports_after", "creation", "diversion", "revenue"];
    if result.bands.is_some() {
        for name in BANDED {
            for stat in ["p5", "p50", "p95"] {
                let column = Column::usd(name).band(stat);
                grid.columns.push(if name == "imports_after" && stat != "p50" { column } else { column.csv_only() });
            }
        }
    }
    for g in &result.groups {
        let mut row = vec![
            Cell::Text(g.key.clone()),
            Cell::Text(g.name.clone()),
            Cell::Num(g.imports_before_usd),
            Cell::Num(g.imports_after_usd),
            Cell::Num(100.0 * (g.imports_after_usd / g.imports_before_usd.max(1.0) - 1.0)),
            Cell::Num(g.trade_creation_usd),
            Cell::Num(g.trade_diversion_usd),
            Cell::Num(g.rate_before_pct),
            Cell::Num(g.rate_after_pct),
            Cell::Num(g.revenue_usd),
        ];
        if let Some(bands) = &result.bands {
            let b = bands.groups.iter().find(|b| b.key == g.key);
            for band in [b.map(|b| b.imports_after_usd), b.map(|b| b.trade_creation_usd), b.map(|b| b.trade_diversion_usd), b.map(|b| b.revenue_usd)] {
                for v in [band.map(|x| x.p5), band.map(|x| x.p50), band.map(|x| x.p95)] {
                    row.push(v.map_or(Cell::Empty, Cell::Num));
                }
            }
        }
        grid.push(row);
    }
    report.grids.push(grid);
    report.notes.push(format!("Elasticity set: {set_description}."));
    if let Some(b) = &result.bands {
        let s = &b.summary;
        report.notes.push(format!(
            "90% bands from {} draws (seed {}): {} solved, {} failed and excluded; post-substitution ETR {:.2}% [{:.2}, {:.2}]. {}",
            s.draws, s.seed, s.succeeded, s.failed, b.etr_post_pct.p50, b.etr_post_pct.p5, b.etr_post_pct.p95, s.distribution.join("; ")
        ));
    }
    report.notes.push(format!(
        "Imports {} → {} $M; revenue after substitution {} $M (static {} $M).",
        group_thousands(result.imports_before_usd / 1e6, 0),
        group_thousands(result.imports_after_usd / 1e6, 0),
        group_thousands(result.revenue_usd / 1e6, 0),
        group_thousands(result.revenue_static_usd / 1e6, 0)
    ));
    if let Some(d) = &result.drivers {
        report.notes.push(format!(
            "Drivers for HS {}: import demand elasticity {:.3} ({}); substitution elasticity {:.3} ({}).",
            d.product, d.em, d.em_source, d.es, d.es_source
        ));
    }
    let cov = |m: &std::collections::BTreeMap<String, f64>| m.iter().map(|(k, v)| format!("{k} {v:.1}%")).collect::<Vec<_>>().join(", ");
    report.notes.push(format!("Elasticity sources by value: Em {}; Es {}.", cov(&result.em_coverage_pct), cov(&result.es_coverage_pct)));
    if result.clamped_cells > 0 {
        report.notes.push(format!("{} cells whose imports would have turned negative were set to zero.", result.clamped_cells));
    }
    report.notes.extend(result.notes.iter().cloned());
    if result.groups.len() < total_groups {
        report.notes.push(format!("Showing {} of {total_groups} groups (--top).", result.groups.len()));
    }
    crate::commands::tariff::attach_warnings(&mut report, crate::commands::tariff::date_warnings(&scenario, &[date]));
    Ok(report)
}

fn gsim(store: &Store, args: &GsimArgs) -> anyhow::Result<Report> {
    let inputs = match (&args.flows, &args.t0, &args.t1, &args.elasticities) {
        (Some(f), Some(t0), Some(t1), Some(e)) => kanzei_data::elasticities::gsim_input::read_files(f, t0, t1, e)?,
        (None, None, None, None) => store.gsim_example()?,
        _ => anyhow::bail!("give all four of --flows, --t0, --t1 and --elasticities, or none (the 4-region example)"),
    };
    let solution = runs::gsim_with(&inputs, args.nonlinear).with_context(|| match (&args.flows, &args.t0, &args.t1, &args.elasticities) {
        (Some(f), Some(t0), Some(t1), Some(e)) => format!(
            "GSIM on --flows {} --t0 {} --t1 {} --elasticities {}{}",
            f.display(),
            t0.display(),
            t1.display(),
            e.display(),
            if args.nonlinear { " --nonlinear" } else { "" }
        ),
        _ => format!("GSIM on the 4-region example{}", if args.nonlinear { " --nonlinear" } else { "" }),
    })?;
    let welfare = solution.welfare_by_region();
    let bands = match (args.draws, args.relative_se) {
        (0, None) => None,
        (0, Some(_)) => anyhow::bail!("--relative-se applies to --draws; add --draws N (e.g. --draws 500)"),
        (_, None) => anyhow::bail!(
            "--draws needs --relative-se R: GSIM's inputs carry no standard errors, so the spread of the elasticities is your stated assumption (e.g. --relative-se 0.25 for ±25%)"
        ),
        (draws, Some(r)) => Some(kanzei_report::gsim_draws::gsim_bands(&inputs, args.nonlinear, r, draws, args.seed)?),
    };
    let mut report = Report::new(json!({
        "form": if args.nonlinear { "nonlinear" } else { "linear" },
        "exporters": solution.exporters,
        "markets": solution.markets,
        "welfare": welfare,
        "report": solution.report,
        "inputs": inputs.files,
    }));
    // Surpluses are in the units of the flows matrix, whatever they are; the JSON keeps
    // GSIM's proportional price change, the table and CSV show it in percent.
    let mut grid = Grid::new(
        Some(
            "GSIM: world price changes and welfare (surpluses in the units of the flows matrix)"
                .into(),
        ),
        vec![
            Column::text("region"),
            Column::pct("world_price_change", 4),
            Column::number("producer_surplus", 3),
            Column::number("consumer_surplus", 3),
            Column::number("revenue_change", 3),
            Column::number("net_welfare", 3),
        ],
    );
    if bands.is_some() {
        for (name, pct) in [("world_price_change", true), ("producer_surplus", false), ("consumer_surplus", false), ("revenue_change", false), ("net_welfare", false)] {
            for stat in ["p5", "p50", "p95"] {
                let column = if pct { Column::pct(name, 4) } else { Column::number(name, 3) }.band(stat);
                grid.columns.push(if name == "net_welfare" && stat != "p50" { column } else { column.csv_only() });
            }
        }
    }
    for (e, w) in solution.exporters.iter().zip(&welfare) {
        let mut row = vec![
            Cell::Text(e.exporter.clone()),
            Cell::Num(100.0 * e.world_price_change),
            Cell::Num(w.producer_surplus),
            Cell::Num(w.consumer_surplus),
            Cell::Num(w.revenue_change),
            Cell::Num(w.net),
        ];
        if let Some(b) = &bands {
            let r = b.regions.iter().find(|r| r.region == e.exporter);
            for band in [r.map(|r| r.world_price_change_pct), r.map(|r| r.producer_surplus), r.map(|r| r.consumer_surplus), r.map(|r| r.revenue_change), r.map(|r| r.net_welfare)] {
                for v in [band.map(|x| x.p5), band.map(|x| x.p50), band.map(|x| x.p95)] {
                    row.push(v.map_or(Cell::Empty, Cell::Num));
                }
            }
        }
        grid.push(row);
    }
    report.grids.push(grid);
    if let Some(b) = &bands {
        let s = &b.summary;
        report.json["draws"] = json!({"draws": s.draws, "seed": s.seed, "succeeded": s.succeeded, "failed": s.failed, "failures": s.failures, "distribution": s.distribution});
        report.notes.push(format!(
            "90% bands from {} draws (seed {}): {} solved, {} failed and excluded; {}.",
            s.draws, s.seed, s.succeeded, s.failed, s.distribution.join("; ")
        ));
    }
    report.notes.push(format!("Market-clearing residual {:.1e} after {} iteration(s).", solution.report.residual, solution.report.iterations));
    Ok(report)
}

fn elasticities(store: &Store, args: &ElasticitiesArgs) -> anyhow::Result<Report> {
    let text = args.hs6.as_deref().or(args.hs10.as_deref()).ok_or_else(|| anyhow::anyhow!("give --hs6 or --hs10"))?;
    let code = HsCode::parse(text).map_err(|e| anyhow::anyhow!("{e}"))?;
    let expected = if args.hs6.is_some() { 6 } else { 10 };
    if code.len() != expected {
        anyhow::bail!("`{text}` has {} digits; --hs{expected} takes {expected}", code.len());
    }
    let tables = store.elasticities()?;
    let chosen = smart_set(args.elasticities.as_deref())?;
    let resolver = Resolver::new(&tables, chosen.overrides.as_ref(), ResolverConfig { substitution: chosen.substitution, ..ResolverConfig::default() });
    let resolved = resolver.resolve(code.with_vintage(HsVintage::Hs2022));
    let kinds = [ElasticityKind::ImportDemand, ElasticityKind::Substitution, ElasticityKind::ExportSupply];
    let mut rows = Vec::new();
    let mut grid = Grid::new(
        Some(format!("Elasticities SMART would use for HS {code} with the set `{}`", chosen.name)),
        vec![
            Column::text("kind"),
            Column::number("elasticity", 3),
            Column::text("set"),
            Column::text("code_used"),
            Column::text("level"),
            Column::text("vintage"),
            Column::text("flags"),
        ],
    );
    for kind in kinds {
        let r = resolved.get(kind);
        grid.push(vec![
            Cell::Text(kind.name().into()),
            Cell::Num(r.value),
            Cell::Text(r.set.clone()),
            Cell::Text(r.source_code.clone()),
            Cell::Text(r.level.label().into()),
            Cell::Text(r.vintage.clone()),
            Cell::Text(r.flags.join("; ")),
        ]);
        rows.push(json!({"kind": kind.name(), "symbol": kind.symbol(), "value": r.value, "set": r.set, "code": r.source_code, "level": r.level.label(), "vintage": r.vintage, "flags": r.flags, "trail": r.trail}));
    }
    let (sets_grid, sets_json) = sets_table(&tables, code.with_vintage(HsVintage::Hs2022), &chosen.name)?;
    let mut report = Report::new(json!({ "code": code.to_string(), "elasticities": rows, "set_used": chosen.name, "sets": sets_json }));
    report.grids.push(grid);
    report.grids.push(sets_grid);
    for kind in kinds {
        let r = resolved.get(kind);
        if !r.trail.is_empty() {
            report.notes.push(format!("{}: {}", kind.name(), r.trail.join(" → ")));
        }
    }
    // Alternatives from every set, for comparison.
    let mut alt = Grid::new(
        Some("Published values in each set (exact code or its HS6)".into()),
        vec![
            Column::text("set"),
            Column::text("code"),
            Column::number("elasticity", 3),
            Column::text("flags"),
        ],
    );
    let mut prefixes: Vec<usize> = vec![10, 6];
    prefixes.retain(|d| *d <= code.len());
    for table in tables.tables.iter() {
        for &digits in &prefixes {
            if let Some(prefix) = code.prefix(digits) {
                if let Some(e) = table.get(prefix.value()) {
                    if table.id.digits() == prefix.len() {
                        alt.push(vec![
                            Cell::Text(table.id.set_label().into()),
                            Cell::Text(prefix.to_string()),
                            if e.published.is_finite() {
                                Cell::Num(e.published)
                            } else {
                                Cell::Empty
                            },
                            Cell::Text(e.flags.describe().join("; ")),
                        ]);
                    }
                }
            }
        }
    }
    if !alt.rows.is_empty() {
        report.grids.push(alt);
    }
    Ok(report)
}

/// What each named SMART set gives for a code, with the standard deviation Monte Carlo
/// draws would use (`kanzei_report::smart_sets`).
fn sets_table(tables: &kanzei_data::elasticities::ElasticityTables, code: HsCode, used: &str) -> anyhow::Result<(Grid, serde_json::Value)> {
    use kanzei_report::smart_sets::{SmartSet, Spreads, SMART_SET_NAMES};
    let spreads = Spreads::new(tables, None);
    let mut grid = Grid::new(
        Some(format!("What each set gives for HS {code} (sd: the spread draws use; `*` the set used above)")),
        vec![
            Column::text("set"),
            Column::number("em", 3),
            Column::text("em_level"),
            Column::number("em_sd", 3),
            Column::number("es", 3),
            Column::text("es_level"),
            Column::number("es_sd", 3),
        ],
    );
    let mut rows = Vec::new();
    for name in SMART_SET_NAMES {
        let set = SmartSet::parse(name, None)?;
        let r = Resolver::new(tables, None, ResolverConfig { substitution: set.substitution, ..ResolverConfig::default() }).resolve(code);
        let spread = spreads.of(code, &r.em, &r.es);
        let label = if name == used { format!("{name} *") } else { name.to_string() };
        grid.push(vec![
            Cell::Text(label),
            Cell::Num(r.em.value),
            Cell::Text(r.em.level.label().into()),
            Cell::Num(spread.em_sd),
            Cell::Num(r.es.value),
            Cell::Text(r.es.level.label().into()),
            Cell::Num(spread.es_sd),
        ]);
        rows.push(json!({"set": name, "description": set.describe(), "em": r.em.value, "em_level": r.em.level.label(), "em_sd": spread.em_sd, "es": r.es.value, "es_level": r.es.level.label(), "es_set": r.es.set, "es_sd": spread.es_sd}));
    }
    Ok((grid, json!(rows)))
}
