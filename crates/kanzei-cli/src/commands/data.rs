//! `kanzei data …`: build the snapshot, describe the data, list areas.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use kanzei_core::AreaKind;
use kanzei_data::snapshot::{self, BuildEvent};
use kanzei_data::{catalog, DataSource, Store};
use serde_json::json;

use crate::output::{Cell, Column, Grid, Report};
use crate::FormatArg;

/// `kanzei data` subcommands.
#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Derive the embedded snapshot (data/) from a folder of official files.
    #[command(after_help = "Example:\n  kanzei data build --raw ../shared/data/raw\n\nRebuild the binary afterwards (cargo build) to embed the new snapshot.")]
    Build(BuildArgs),
    /// Derive the pre-indexed tariff data (data/tariff_index.bin) from the embedded snapshot.
    #[command(after_help = "Example:\n  kanzei data index\n\nRun it after `kanzei data build` (and cargo build), or after a change to the code that derives\nthe tariff data; rebuild kanzei afterwards to embed it. A stale index is never used: kanzei\nderives the tables instead (slower, the same numbers), and `data info` says so.")]
    Index(IndexArgs),
    /// List datasets with years, units, rows and load coverage.
    #[command(after_help = "Examples:\n  kanzei data info\n  kanzei --data ../shared/data/raw data info --format json")]
    Info(InfoArgs),
    /// List the countries, groups and aggregates kanzei knows.
    #[command(after_help = "Examples:\n  kanzei data areas --kind group\n  kanzei data areas --format csv")]
    Areas(AreasArgs),
}

/// Arguments of `data build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Folder of official files, laid out like ../shared/data/raw.
    #[arg(long, value_name = "DIR")]
    pub raw: PathBuf,
    /// Where to write the snapshot.
    #[arg(long, value_name = "DIR", default_value = "data")]
    pub out: PathBuf,
}

/// Arguments of `data index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Where to write the index.
    #[arg(long, value_name = "FILE", default_value = "data/tariff_index.bin")]
    pub out: PathBuf,
}

/// Arguments of `data info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Area kinds on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    /// Countries and territories.
    Country,
    /// Groups with members (EU27, USMCA).
    Group,
    /// Publisher aggregates (Census regions, World).
    Aggregate,
    /// Former countries.
    Historical,
    /// Unallocated value.
    Unallocated,
}

/// Arguments of `data areas`.
#[derive(Debug, Args)]
pub struct AreasArgs {
    /// Only this kind.
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Runs a `data` subcommand.
pub fn run(cmd: DataCommand, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        DataCommand::Build(args) => build(&args, out),
        DataCommand::Index(args) => index(&args, store, out),
        DataCommand::Info(args) => info(store)?.write(args.format.format, out).map_err(Into::into),
        DataCommand::Areas(args) => areas(store, args.kind)?.write(args.format.format, out).map_err(Into::into),
    }
}

fn build(args: &BuildArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let bar = ProgressBar::new(catalog::DATASETS.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let manifest = snapshot::build(&args.raw, &args.out, &mut |event| match event {
        BuildEvent::Start { id, .. } => bar.set_message(format!("loading {id}")),
        BuildEvent::Done { id, rows } => {
            bar.inc(1);
            bar.println(format!("  {id}: {rows} rows"));
        }
    })?;
    bar.finish_and_clear();
    writeln!(out, "Snapshot written to {} ({} datasets).", args.out.display(), manifest.datasets.len())?;
    let mut total_bytes = 0;
    for d in &manifest.datasets {
        total_bytes += d.outputs.iter().map(|o| o.bytes).sum::<u64>();
    }
    writeln!(out, "Snapshot size: {:.2} MB.", total_bytes as f64 / 1e6)?;
    for r in &manifest.reconciliations {
        writeln!(out, "  [{}] {}: {}", if r.ok { "pass" } else { "DIFF" }, r.what, r.detail)?;
    }
    writeln!(out, "Rebuild kanzei (cargo build --release) to embed it.")?;
    Ok(())
}

/// `data index`: derives the tariff data from the embedded snapshot and writes its binary form.
fn index(args: &IndexArgs, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    if *store.source() != DataSource::Embedded {
        anyhow::bail!("`data index` derives the index of the embedded snapshot; drop --data");
    }
    let bytes = kanzei_tariff::index::derive_current(store)?;
    let unchanged = std::fs::read(&args.out).is_ok_and(|old| old == bytes);
    std::fs::write(&args.out, &bytes).map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", args.out.display()))?;
    writeln!(
        out,
        "Wrote {} ({:.2} MB, inputs {}){}.",
        args.out.display(),
        bytes.len() as f64 / 1e6,
        kanzei_tariff::index::INPUTS_HASH,
        if unchanged { ", unchanged" } else { "; rebuild kanzei (cargo build --release) to embed it" }
    )?;
    Ok(())
}

/// `data info`.
pub fn info(store: &Store) -> anyhow::Result<Report> {
    let coverage = store.coverage_reports()?;
    let manifest = match store.source() {
        DataSource::Embedded => Some(snapshot::embedded_manifest()?),
        DataSource::Raw(_) => None,
    };
    let mut grid = Grid::new(
        Some(format!("Datasets ({})", store.source())),
        vec![
            Column::text("dataset"),
            Column::text("years"),
            Column::count("rows_kept"),
            Column::pct("value_kept", 3),
            Column::count("rows_set_aside"),
            Column::text("unit"),
        ],
    );
    let mut datasets = Vec::new();
    for info in catalog::DATASETS {
        let entry = manifest.as_ref().and_then(|m| m.dataset(info.id));
        let cov = coverage.iter().find(|c| c.name == info.id);
        let years = entry.map_or_else(|| "see source".to_string(), |e| e.years.clone());
        let rows = cov.map_or_else(|| entry.map_or(0, |e| e.rows), |c| c.rows_kept);
        grid.push(vec![
            Cell::Text(info.id.into()),
            Cell::Text(years.clone()),
            Cell::Int(rows as i64),
            cov.map_or(Cell::Empty, |c| Cell::Num(c.kept_value_pct())),
            cov.map_or(Cell::Empty, |c| Cell::Int(c.rows_rejected() as i64)),
            Cell::Text(info.unit.split(';').next().unwrap_or("").into()),
        ]);
        datasets.push(json!({
            "id": info.id,
            "title": info.title,
            "publisher": info.publisher,
            "licence": info.licence,
            "citation": info.citation,
            "unit": info.unit,
            "years": years,
            "rows": rows,
            "coverage": cov,
            "inputs": entry.map(|e| &e.inputs),
            "snapshot_files": entry.map(|e| &e.outputs),
        }));
    }
    let embedded = *store.source() == DataSource::Embedded;
    let index_current = kanzei_tariff::index::embedded_is_current();
    let mut report = Report::new(json!({
        "source": store.source().to_string(),
        "datasets": datasets,
        "reconciliations": manifest.as_ref().map(|m| &m.reconciliations),
        "tariff_index": embedded.then(|| json!({
            "file": format!("data/{}", kanzei_tariff::index::FILE),
            "bytes": kanzei_tariff::index::embedded_bytes().len(),
            "current": index_current,
            "inputs_hash": kanzei_tariff::index::INPUTS_HASH,
        })),
    }));
    report.grids.push(grid);
    for cov in &coverage {
        for r in &cov.rejected {
            report.notes.push(format!(
                "{}: set aside {} rows ({:.1} {}): {}{}",
                cov.name,
                r.rows,
                r.value,
                cov.unit,
                r.reason,
                r.example.as_ref().map_or_else(String::new, |e| format!(" (e.g. {e})"))
            ));
        }
        if !cov.reconciles(1e-9) {
            report.notes.push(format!("{}: rows or value do NOT reconcile: {cov}", cov.name));
        }
    }
    if let Some(m) = &manifest {
        report.notes.push("Reconciliations run when the snapshot was built:".into());
        for r in &m.reconciliations {
            report.notes.push(format!("  [{}] {}: {}", if r.ok { "pass" } else { "DIFF" }, r.what, r.detail));
        }
    }
    if embedded {
        report.notes.push(if index_current {
            format!("Tariff data load from their pre-indexed form (data/{}), derived from these files by this build.", kanzei_tariff::index::FILE)
        } else {
            format!(
                "The pre-indexed tariff data (data/{}) were derived from other files or by other code: tariff data are derived from the CSVs instead (slower, the same numbers); run `kanzei data index` and rebuild.",
                kanzei_tariff::index::FILE
            )
        });
    }
    report.notes.push("Publishers, licences, citations and input checksums: data/PROVENANCE.md (or --format json).".into());
    Ok(report)
}

/// `data areas`.
pub fn areas(store: &Store, kind: Option<KindArg>) -> anyhow::Result<Report> {
    let want = kind.map(|k| match k {
        KindArg::Country => AreaKind::Country,
        KindArg::Group => AreaKind::Group,
        KindArg::Aggregate => AreaKind::Aggregate,
        KindArg::Historical => AreaKind::Historical,
        KindArg::Unallocated => AreaKind::Unallocated,
    });
    let areas: Vec<_> = store
        .registry()
        .areas()
        .iter()
        .filter(|a| want.is_none_or(|k| a.kind == k))
        .collect();
    let mut grid = Grid::new(
        None,
        vec![
            Column::text("code"),
            Column::text("kind"),
            Column::text("name"),
            Column::text("iso2"),
            Column::text("census_codes"),
            Column::text("members"),
        ],
    );
    for a in &areas {
        grid.push(vec![
            Cell::Text(a.code.to_string()),
            Cell::Text(a.kind.as_str().into()),
            Cell::Text(a.name.clone()),
            Cell::Text(a.iso2.clone().unwrap_or_default()),
            Cell::Text(a.census_codes.iter().map(u16::to_string).collect::<Vec<_>>().join(" ")),
            Cell::Text(a.members.iter().map(|m| m.to_string()).collect::<Vec<_>>().join(" ")),
        ]);
    }
    let mut report = Report::new(json!({ "areas": areas }));
    report.grids.push(grid);
    report.notes.push(format!("{} areas. Derived from the Census Schedule C list; see data/PROVENANCE.md.", areas.len()));
    Ok(report)
}
