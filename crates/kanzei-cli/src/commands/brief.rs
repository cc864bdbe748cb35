//! `kanzei brief`: build the U.S.–Japan brief — HTML, Markdown, SVG charts and a terminal
//! summary — with every number recomputed and every claim checked.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use kanzei_data::Store;
use kanzei_report::brief::{self, BriefOptions};
use kanzei_report::document;

/// What `brief` prints on standard output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BriefFormat {
    /// A terminal summary: key figures, claims, sources.
    Text,
    /// The whole brief as Markdown (charts referenced as SVG files in --out).
    Md,
    /// The whole brief as one self-contained HTML file.
    Html,
    /// Headline numbers, claims and timings as JSON (plain units).
    Json,
}

/// Arguments of `brief`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  kanzei brief us-japan-2025                          writes brief-us-japan-2025/ and prints a summary\n  kanzei brief us-japan-2025 --date 2026-06-30 --out /tmp/brief\n  kanzei brief us-japan-2025 --format json --no-ge\n  kanzei brief us-japan-2025 --format html > brief.html\n\nThe output folder gets brief.html (self-contained, opens offline), brief.md, one SVG per\nchart and brief.json.")]
pub struct BriefArgs {
    /// Which brief (kanzei ships `us-japan-2025`).
    #[arg(default_value = "us-japan-2025")]
    pub name: String,
    /// Folder to write brief.html, brief.md, brief.json and the charts into.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Date the tariffs are evaluated on (YYYY-MM-DD).
    #[arg(long, default_value = brief::DEFAULT_DATE)]
    pub date: String,
    /// U.S. tariff scenario (a shipped id, see `kanzei tariff rates --help`).
    #[arg(long, default_value = "us-2025")]
    pub scenario: String,
    /// Scenario the changes are measured against.
    #[arg(long, default_value = "us-2024-baseline")]
    pub baseline: String,
    /// Skip the general-equilibrium section (the slowest model).
    #[arg(long)]
    pub no_ge: bool,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = BriefFormat::Text)]
    pub format: BriefFormat,
    /// Terminal width for the text summary.
    #[arg(long, default_value_t = 100)]
    pub width: usize,
}

/// Runs `brief`.
pub fn run(args: BriefArgs, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    if args.name != "us-japan-2025" {
        anyhow::bail!("no brief named `{}`\n\nhint: the briefs kanzei ships: us-japan-2025", args.name);
    }
    let date = args
        .date
        .parse()
        .map_err(|e: kanzei_tariff::date::DateError| anyhow::anyhow!("--date: {e}"))?;
    let options = BriefOptions {
        date,
        scenario: args.scenario.clone(),
        baseline: args.baseline.clone(),
        general_equilibrium: !args.no_ge,
        kanzei_version: env!("CARGO_PKG_VERSION").into(),
    };
    let started = Instant::now();
    let bar = ProgressBar::new(12);
    bar.set_style(
        ProgressStyle::with_template("{spinner} building the brief [{bar:20}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let built = brief::build(store, &options, &mut |stage| {
        bar.inc(1);
        bar.set_message(stage.to_string());
    });
    bar.finish_and_clear();
    let built = built?;
    let html = document::to_html(&built.document)?;
    let markdown = document::to_markdown(&built.document)?;
    let summary = serde_json::json!({
        "summary": built.summary,
        "claims": built.claims,
        "timings_seconds": built.timings.iter().map(|(s, t)| serde_json::json!({"stage": s, "seconds": t})).collect::<Vec<_>>(),
    });
    let dir = args.out.clone().unwrap_or_else(|| PathBuf::from(format!("brief-{}", args.name)));
    std::fs::create_dir_all(&dir).map_err(|e| anyhow::anyhow!("cannot create output folder `{}`: {e}", dir.display()))?;
    let write = |name: &str, text: &str| -> anyhow::Result<()> {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))
    };
    write("brief.html", &html)?;
    write("brief.md", &markdown)?;
    write("brief.json", &serde_json::to_string_pretty(&summary)?)?;
    let charts = built.document.chart_files();
    for (name, svg) in &charts {
        write(name, svg)?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    match args.format {
        BriefFormat::Text => {
            write!(out, "{}", document::to_text(&built.document, args.width)?)?;
        }
        BriefFormat::Md => write!(out, "{markdown}")?,
        BriefFormat::Html => write!(out, "{html}")?,
        BriefFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?,
    }
    eprintln!(
        "wrote {}/brief.html, brief.md, brief.json and {} charts in {:.2} s",
        dir.display(),
        charts.len(),
        elapsed
    );
    Ok(())
}
