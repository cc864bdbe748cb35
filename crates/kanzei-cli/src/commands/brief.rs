//! `kanzei brief`: build a partner brief — HTML, Markdown, SVG charts, `brief.json` and a
//! terminal summary — for any U.S. partner, a shipped named brief, or a spec file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use kanzei_data::Store;
use kanzei_report::brief::spec::SHIPPED;
use kanzei_report::brief::{self, Brief, BriefOptions, BriefSpec, Engine};
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
    /// brief.json: partner, scenario, date, headline numbers and each section's numbers.
    Json,
}

/// Arguments of `brief`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  kanzei brief KOR                                    Korea: writes brief-us-kor/ and prints a summary\n  kanzei brief EU27 --no-ge --format json             the EU as one partner; brief.json on stdout\n  kanzei brief Vietnam --date 2025-08-07 --out /tmp/vnm\n  kanzei brief us-japan-2025                          the shipped U.S.–Japan brief (with claims)\n  kanzei brief my-brief.toml                          a spec file (format: docs/briefs.md)\n  kanzei brief --all --no-ge --out briefs-out         every partner with HTS-line data\n\nThe output folder gets brief.html (self-contained, opens offline), brief.md, one SVG per\nchart and brief.json. Without --date the brief is dated at the last event the scenario\nknows (a named brief may fix its own date).")]
pub struct BriefArgs {
    /// A partner (ISO3 code, EU27 or a name), a shipped brief (us-japan-2025) or a spec file (.toml).
    #[arg(default_value = "us-japan-2025")]
    pub name: String,
    /// Build the default brief for every partner with HTS-line data into --out/<code>/.
    #[arg(long, conflicts_with = "name")]
    pub all: bool,
    /// With --all: only these partners (comma-separated codes or names).
    #[arg(long, value_delimiter = ',', requires = "all")]
    pub only: Vec<String>,
    /// Folder to write brief.html, brief.md, brief.json and the charts into.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Date the tariffs are evaluated on (YYYY-MM-DD); default: the spec's, else the scenario's last dated event.
    #[arg(long)]
    pub date: Option<String>,
    /// U.S. tariff scenario (a shipped id, see `kanzei tariff rates --help`); default: the spec's.
    #[arg(long)]
    pub scenario: Option<String>,
    /// Scenario the changes are measured against; default: the spec's.
    #[arg(long)]
    pub baseline: Option<String>,
    /// Skip the general-equilibrium part of the effects section (the slowest model).
    #[arg(long)]
    pub no_ge: bool,
    /// Monte Carlo draws behind the 90% bands of the model results (SMART and
    /// Caliendo–Parro); 0 prints point estimates only.
    #[arg(long, default_value_t = kanzei_report::brief::BRIEF_DRAWS)]
    pub draws: usize,
    /// Seed of the draws.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = BriefFormat::Text)]
    pub format: BriefFormat,
    /// Terminal width for the text summary.
    #[arg(long, default_value_t = 100)]
    pub width: usize,
}

/// Finds the spec: a file, a shipped brief, or a partner's default brief.
fn resolve_spec(name: &str, store: &Store) -> anyhow::Result<BriefSpec> {
    let path = Path::new(name);
    if name.ends_with(".toml") || path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("cannot read brief spec `{}`: {e}", path.display()))?;
        let mut spec = BriefSpec::parse(name, &text)?;
        if let Some(rel) = spec.claims_path().map(str::to_string) {
            let claims_path = path.parent().unwrap_or(Path::new(".")).join(&rel);
            let text = std::fs::read_to_string(&claims_path).map_err(|e| anyhow::anyhow!("{name}: claims file `{}`: {e}", claims_path.display()))?;
            spec.claims = Some((claims_path.display().to_string(), text));
        }
        return Ok(spec);
    }
    if let Some(spec) = BriefSpec::shipped(name) {
        return Ok(spec);
    }
    match store.registry().resolve(name) {
        Ok(area) => Ok(BriefSpec::for_partner(area.code.as_str())),
        Err(e) => {
            let shipped: Vec<&str> = SHIPPED.iter().map(|s| s.name).collect();
            let hint = kanzei_core::text::closest(name, shipped.iter().copied()).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
            anyhow::bail!(
                "no brief named `{name}`{hint}, and {e}\n\nhint: give a partner (KOR, EU27, Korea), a shipped brief ({}) or a spec file (.toml, see docs/briefs.md)",
                shipped.join(", ")
            )
        }
    }
}

/// The brief options the flags give (also what `kanzei serve` starts from).
pub(crate) fn options(args: &BriefArgs) -> anyhow::Result<BriefOptions> {
    let date = match &args.date {
        Some(d) => Some(d.parse().map_err(|e: kanzei_tariff::date::DateError| anyhow::anyhow!("--date: {e}"))?),
        None => None,
    };
    Ok(BriefOptions {
        date,
        scenario: args.scenario.clone(),
        baseline: args.baseline.clone(),
        general_equilibrium: !args.no_ge,
        draws: args.draws,
        seed: args.seed,
        kanzei_version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// What `brief.json` holds.
pub fn brief_json(built: &Brief) -> serde_json::Value {
    let mut v = built.summary.clone();
    if let Some(map) = v.as_object_mut() {
        if !built.claims.is_empty() {
            map.insert("claims_checked".into(), serde_json::to_value(&built.claims).unwrap_or_default());
        }
        map.insert(
            "timings_seconds".into(),
            built.timings.iter().map(|(s, t)| serde_json::json!({"stage": s, "seconds": t})).collect::<Vec<_>>().into(),
        );
    }
    v
}

/// Removes temporary brief folders (`.kanzei-brief-PID-name`) in `parent` left by a run that
/// was stopped before it could clean up (killed, or out of memory: the allocator exits at
/// once), when no process with that PID runs any more. Only where `/proc` tells (Linux).
fn remove_stale_temporaries(parent: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(".kanzei-brief-")) else { continue };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes a brief's files into `dir`: first into a temporary folder beside it, then moved in,
/// so a failure leaves no partial brief.
fn write_brief(dir: &Path, built: &Brief) -> anyhow::Result<(String, String, usize)> {
    let html = document::to_html(&built.document)?;
    let markdown = document::to_markdown(&built.document)?;
    let json = serde_json::to_string_pretty(&brief_json(built))?;
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| anyhow::anyhow!("cannot create `{}`: {e}", parent.display()))?;
    remove_stale_temporaries(parent);
    let tmp = parent.join(format!(".kanzei-brief-{}-{}", std::process::id(), built.name));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| -> anyhow::Result<usize> {
        std::fs::create_dir_all(&tmp).map_err(|e| anyhow::anyhow!("cannot create `{}`: {e}", tmp.display()))?;
        let write = |name: &str, text: &str| -> anyhow::Result<()> {
            let path = tmp.join(name);
            std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("cannot write `{}`: {e}", path.display()))
        };
        write("brief.html", &html)?;
        write("brief.md", &markdown)?;
        write("brief.json", &json)?;
        let charts = built.document.chart_files();
        for (name, svg) in &charts {
            write(name, svg)?;
        }
        std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create output folder `{}`: {e}", dir.display()))?;
        for entry in std::fs::read_dir(&tmp)? {
            let entry = entry?;
            let to = dir.join(entry.file_name());
            std::fs::rename(entry.path(), &to).map_err(|e| anyhow::anyhow!("cannot move into `{}`: {e}", to.display()))?;
        }
        Ok(charts.len())
    })();
    let _ = std::fs::remove_dir_all(&tmp);
    Ok((html, markdown, result?))
}

fn bar(len: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar()).progress_chars("=> "));
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// Runs `brief`.
pub fn run(args: BriefArgs, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    if args.all {
        return run_all(&args, store, out);
    }
    let spec = resolve_spec(&args.name, store)?;
    let options = options(&args)?;
    let started = Instant::now();
    let progress = bar((spec.sections.len() + 3) as u64, "{spinner} building the brief [{bar:20}] {msg}");
    let built = brief::build(store, &spec, &options, &mut |stage| {
        progress.inc(1);
        progress.set_message(stage.to_string());
    });
    progress.finish_and_clear();
    let built = built?;
    for w in &built.warnings {
        eprintln!("warning: {w}");
    }
    let dir = args.out.clone().unwrap_or_else(|| PathBuf::from(format!("brief-{}", built.name)));
    let (html, markdown, charts) = write_brief(&dir, &built)?;
    let elapsed = started.elapsed().as_secs_f64();
    match args.format {
        BriefFormat::Text => write!(out, "{}", document::to_text(&built.document, args.width)?)?,
        BriefFormat::Md => write!(out, "{markdown}")?,
        BriefFormat::Html => write!(out, "{html}")?,
        BriefFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&brief_json(&built))?)?,
    }
    eprintln!("wrote {}/brief.html, brief.md, brief.json and {charts} charts in {elapsed:.2} s", dir.display());
    Ok(())
}

/// `brief --all`: one engine (data, compiled scenarios, value-added model, general
/// equilibrium) shared by every partner's brief.
fn run_all(args: &BriefArgs, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    if matches!(args.format, BriefFormat::Md | BriefFormat::Html) {
        anyhow::bail!("--all writes one folder per partner; --format md|html prints one brief (use text or json)");
    }
    let started = Instant::now();
    let options = options(args)?;
    let root = args.out.clone().unwrap_or_else(|| PathBuf::from("briefs-all"));
    let base = BriefSpec::for_partner("USA");
    let engine = Engine::new(
        store,
        options.scenario.as_deref().unwrap_or(&base.scenario),
        options.baseline.as_deref().unwrap_or(&base.baseline),
        options.date,
    )?
    .with_draws(options.draws, options.seed);
    let mut partners = engine.hs10_partners()?;
    if !args.only.is_empty() {
        let wanted: Vec<kanzei_core::AreaCode> = args.only.iter().map(|p| store.registry().resolve(p).map(|a| a.code)).collect::<Result<_, _>>()?;
        partners.retain(|p| wanted.contains(p));
    }
    let progress = bar(partners.len() as u64, "{spinner} briefs [{bar:30}] {pos}/{len} {msg}");
    let mut rows = Vec::new();
    let mut failed = Vec::new();
    for p in &partners {
        progress.set_message(p.to_string());
        let spec = BriefSpec::for_partner(p.as_str());
        match brief::build_with(&engine, &spec, &options, &mut |_| {}) {
            Ok(built) => {
                let dir = root.join(p.as_str().to_ascii_lowercase());
                write_brief(&dir, &built)?;
                rows.push(built.summary.clone());
            }
            Err(e) => failed.push(format!("{p}: {e}")),
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    if let Some(last) = brief::last_event_date(engine.scenario()) {
        if engine.date() > last {
            eprintln!("warning: {} is after the last dated event of scenario {} ({last})", engine.date(), engine.scenario().id);
        }
    }
    match args.format {
        BriefFormat::Json => {
            let list: Vec<_> = rows.iter().map(|r| serde_json::json!({"partner": r["partner"], "partner_name": r["partner_name"], "date": r["date"], "headline": r["headline"]})).collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&serde_json::json!({"scenario": engine.scenario().id, "date": engine.date().to_string(), "briefs": list, "failed": failed}))?)?;
        }
        _ => {
            writeln!(out, "{:<6} {:<36} {:>12} {:>12} {:>8} {:>12}", "code", "partner", "imports $bn", "balance $bn", "ETR %", "duties $bn")?;
            for r in &rows {
                let h = &r["headline"];
                let f = |k: &str| h[k].as_f64().unwrap_or(f64::NAN);
                writeln!(
                    out,
                    "{:<6} {:<36} {:>12.1} {:>12.1} {:>8.2} {:>12.2}",
                    r["partner"].as_str().unwrap_or(""),
                    r["partner_name"].as_str().unwrap_or(""),
                    f("imports_usd") / 1e9,
                    f("balance_usd") / 1e9,
                    f("etr_pct"),
                    f("duties_usd") / 1e9
                )?;
            }
        }
    }
    for f in &failed {
        eprintln!("error: {f}");
    }
    eprintln!("wrote {} briefs under {} in {:.1} s", rows.len(), root.display(), started.elapsed().as_secs_f64());
    if !failed.is_empty() {
        anyhow::bail!("{} of {} briefs failed", failed.len(), partners.len());
    }
    Ok(())
}
