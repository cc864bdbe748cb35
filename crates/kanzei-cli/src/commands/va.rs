//! `kanzei va …`: value added by origin in trade, from world input–output tables.

use std::io::Write;

use clap::{Args, Subcommand};
use kanzei_data::Store;
use kanzei_report::runs;
use serde_json::json;

use crate::output::{Cell, Column, Grid, Report, Unit};
use crate::FormatArg;

/// `kanzei va` subcommands.
#[derive(Debug, Subcommand)]
pub enum VaCommand {
    /// Gross exports and the value added in them by origin country.
    #[command(after_help = "Example:\n  kanzei va exports --table wiod2011 --exporter MEX --importer USA --sector c15")]
    Exports(ExportsArgs),
    /// An origin's value added in an importer's imports from each exporter (direct and via third countries).
    #[command(after_help = "Example:\n  kanzei va exposure --table wiod2011 --origin JPN --importer USA")]
    Exposure(ExposureArgs),
    /// Bilateral decomposition of gross exports: domestic VA, foreign VA by origin, double counting (Borin & Mancini 2019).
    #[command(after_help = "Example:\n  kanzei va decompose --exporter JPN --importer USA")]
    Decompose(DecomposeArgs),
    /// The origin's value added in U.S. imports hit by a tariff scenario, by route.
    #[command(name = "at-risk", after_help = "Example:\n  kanzei va at-risk --origin JPN --scenario us-2025 --date 2025-11-17")]
    AtRisk(AtRiskArgs),
}

/// Arguments of `va exports`.
#[derive(Debug, Args)]
pub struct ExportsArgs {
    /// Input–output table (wiod2011).
    #[arg(long, default_value = "wiod2011")]
    pub table: String,
    /// Exporter (WIOD region code).
    #[arg(long)]
    pub exporter: String,
    /// Importer.
    #[arg(long)]
    pub importer: String,
    /// Sector (c1…c35); all sectors when omitted.
    #[arg(long)]
    pub sector: Option<String>,
    /// Show only the first N origins.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `va exposure`.
#[derive(Debug, Args)]
pub struct ExposureArgs {
    /// Input–output table.
    #[arg(long, default_value = "wiod2011")]
    pub table: String,
    /// Origin of the value added.
    #[arg(long)]
    pub origin: String,
    /// Importer.
    #[arg(long)]
    pub importer: String,
    /// Show only the first N routes.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `va decompose`.
#[derive(Debug, Args)]
pub struct DecomposeArgs {
    /// Input–output table.
    #[arg(long, default_value = "wiod2011")]
    pub table: String,
    /// Exporter.
    #[arg(long)]
    pub exporter: String,
    /// Importer.
    #[arg(long)]
    pub importer: String,
    /// Sector; all when omitted.
    #[arg(long)]
    pub sector: Option<String>,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `va at-risk`.
#[derive(Debug, Args)]
pub struct AtRiskArgs {
    /// Origin of the value added.
    #[arg(long)]
    pub origin: String,
    /// Tariff scenario.
    #[arg(long, default_value = "us-2025")]
    pub scenario: String,
    /// Date.
    #[arg(long, default_value = "2025-11-17")]
    pub date: String,
    /// Baseline scenario (value "hit" = facing a rate above it).
    #[arg(long, default_value = "us-2024-baseline")]
    pub baseline: String,
    /// Show only the first N routes.
    #[arg(long, default_value_t = 15)]
    pub top: usize,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

fn check_table(table: &str) -> anyhow::Result<()> {
    if table != "wiod2011" {
        anyhow::bail!("no input–output table `{table}`\n\nhint: --table wiod2011 (WIOD 2013 release, 2011); OECD ICIO and pymrio tables load with the library's loaders");
    }
    Ok(())
}

/// Runs a `va` subcommand.
pub fn run(cmd: VaCommand, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        VaCommand::Exports(args) => exports(store, &args)?.write(args.format.format, out)?,
        VaCommand::Exposure(args) => exposure(store, &args)?.write(args.format.format, out)?,
        VaCommand::Decompose(args) => decompose(store, &args)?.write(args.format.format, out)?,
        VaCommand::AtRisk(args) => crate::commands::tariff::emit(&crate::commands::va_risk::at_risk(store, &args)?, args.format.format, out)?,
    }
    Ok(())
}

fn exports(store: &Store, args: &ExportsArgs) -> anyhow::Result<Report> {
    check_table(&args.table)?;
    let model = runs::wiod_model(store)?;
    let va = model.va_in_exports(&args.exporter.to_uppercase(), &args.importer.to_uppercase(), args.sector.as_deref())?;
    let mut origins = va.by_origin.clone();
    origins.sort_by(|a, b| b.va.total_cmp(&a.va));
    let mut report = Report::new(json!({
        "table": args.table,
        "exporter": va.exporter,
        "importer": va.importer,
        "sector": va.sector,
        "gross_exports_usd": va.gross_exports * 1e6,
    }));
    let mut grid = Grid::new(
        Some(format!(
            "Value added in {}'s {}exports to {} (WIOD 2011): gross exports {:.0} $M",
            va.exporter,
            va.sector.as_ref().map(|s| format!("{s} ")).unwrap_or_default(),
            va.importer,
            va.gross_exports
        )),
        vec![
            Column::text("origin"),
            Column::usd("va"),
            Column::pct("share", 2),
        ],
    );
    // WIOD is in millions of dollars; CSV and JSON carry dollars like every other command.
    grid.table_limit = Some(args.top);
    for o in &origins {
        grid.push(vec![
            Cell::Text(o.origin.clone()),
            Cell::Num(o.va * 1e6),
            Cell::Num(o.share_pct),
        ]);
    }
    report.grids.push(grid);
    report.table_key = "va_by_origin";
    report.notes.push("VA by origin = diag(v) L e (Leontief); v = 1 − column sums of A (the residual includes net taxes and margins). WIOD values are current USD millions of 2011.".into());
    Ok(report)
}

fn exposure(store: &Store, args: &ExposureArgs) -> anyhow::Result<Report> {
    check_table(&args.table)?;
    let model = runs::wiod_model(store)?;
    let e = model.exposure(&args.origin.to_uppercase(), &args.importer.to_uppercase())?;
    let mut routes = e.routes.clone();
    routes.sort_by(|a, b| b.origin_va.total_cmp(&a.origin_va));
    let mut report = Report::new(json!({
        "table": args.table,
        "origin": e.origin,
        "importer": e.importer,
        "total_origin_va_usd": e.total_origin_va * 1e6,
        "total_imports_usd": e.total_imports * 1e6,
    }));
    let mut grid = Grid::new(
        Some(format!(
            "{}'s value added in {}'s imports, by exporter (WIOD 2011): {:.0} $M of {:.0} $M",
            e.origin, e.importer, e.total_origin_va, e.total_imports
        )),
        vec![
            Column::text("exporter"),
            Column::text("route"),
            Column::new("gross_exports", Unit::Usd, 0),
            Column::usd("origin_va"),
            Column::pct("share", 2),
        ],
    );
    grid.table_limit = Some(args.top);
    for r in &routes {
        grid.push(vec![
            Cell::Text(r.exporter.clone()),
            Cell::Text(if r.direct {
                "direct".into()
            } else {
                "via third country".into()
            }),
            Cell::Num(r.gross_exports * 1e6),
            Cell::Num(r.origin_va * 1e6),
            Cell::Num(r.share_pct),
        ]);
    }
    report.grids.push(grid);
    report.table_key = "routes";
    Ok(report)
}

fn decompose(store: &Store, args: &DecomposeArgs) -> anyhow::Result<Report> {
    check_table(&args.table)?;
    let model = runs::wiod_model(store)?;
    let d = model.decompose(&args.exporter.to_uppercase(), &args.importer.to_uppercase(), args.sector.as_deref())?;
    let foreign: Vec<_> = d
        .origins
        .iter()
        .zip(d.foreign_va_by_origin.iter().zip(&d.foreign_double_counting_by_origin))
        .filter(|(_, (va, dc))| **va != 0.0 || **dc != 0.0)
        .map(|(o, (va, dc))| json!({"origin": o, "va_usd": va * 1e6, "double_counting_usd": dc * 1e6}))
        .collect();
    let total = d.gross_exports;
    let mut report = Report::new(json!({
        "table": args.table,
        "exporter": d.exporter,
        "importer": d.importer,
        "sector": d.sector,
        "gross_exports_usd": total * 1e6,
        "domestic_va_usd": d.domestic_va * 1e6,
        "domestic_double_counting_usd": d.domestic_double_counting * 1e6,
        "foreign_va_usd": d.foreign_va() * 1e6,
        "foreign_double_counting_usd": d.foreign_double_counting() * 1e6,
        "foreign_by_origin": foreign,
        "method": "Borin & Mancini (2019), source-based",
    }));
    let mut grid = Grid::new(
        Some(format!(
            "{}'s gross exports to {} decomposed (WIOD 2011, Borin & Mancini 2019 source-based)",
            d.exporter, d.importer
        )),
        vec![
            Column::text("component"),
            Column::usd("value"),
            Column::pct("share", 2),
        ],
    );
    for (name, v) in [
        ("domestic value added", d.domestic_va),
        ("domestic double counting", d.domestic_double_counting),
        ("foreign value added", d.foreign_va()),
        ("foreign double counting", d.foreign_double_counting()),
        ("gross exports", total),
    ] {
        grid.push(vec![
            Cell::Text(name.into()),
            Cell::Num(v * 1e6),
            Cell::Num(100.0 * v / total),
        ]);
    }
    report.grids.push(grid);
    let mut origins: Vec<(&String, f64)> = d.origins.iter().zip(&d.foreign_va_by_origin).map(|(o, v)| (o, *v)).collect();
    origins.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut top = Grid::new(
        Some("Foreign value added by origin (largest)".into()),
        vec![
            Column::text("origin"),
            Column::usd("va"),
            Column::pct("share_of_exports", 2),
        ],
    );
    for (o, v) in origins.iter().take(8) {
        top.push(vec![
            Cell::Text((*o).clone()),
            Cell::Num(*v * 1e6),
            Cell::Num(100.0 * v / total),
        ]);
    }
    report.grids.push(top);
    report.notes.push(format!("The parts sum to gross exports: {:.6} $M difference.", d.domestic_va + d.domestic_double_counting + d.foreign_va() + d.foreign_double_counting() - total));
    Ok(report)
}
