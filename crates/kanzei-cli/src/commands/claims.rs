//! `kanzei claims`: check a claims file against the data, list the query vocabulary.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use kanzei_data::Store;
use kanzei_report::claims::{self, Evaluator, QUERIES};
use kanzei_report::document::Verdict;
use serde_json::json;

use crate::output::{Cell, Column, Grid, Report};
use crate::FormatArg;

/// `kanzei claims …`
#[derive(Debug, Subcommand)]
pub enum ClaimsCommand {
    /// Recompute every claim of a claims file and give each a verdict.
    #[command(after_help = "Examples:\n  kanzei claims check briefs/us-japan-2025/claims.toml\n  kanzei claims check us-japan-2025 --format json\n  kanzei claims check us-japan-2025 --source ../shared/reference/pism-bulletin-30-2025.txt\n  kanzei claims check my-claims.toml --strict\n\nA claims file is TOML (schema 1): each [[claim]] has id, text, value, unit and either\nquery + tolerance (recomputed) or stated (a parameter reported as given, with its reason).\nSee `kanzei claims queries` for the queries and briefs/us-japan-2025/claims.toml for an example.")]
    Check(CheckArgs),
    /// List the queries a claims file may use, with their parameters and units.
    #[command(after_help = "Example:\n  kanzei claims queries --format csv")]
    Queries(FormatArg),
}

/// Arguments of `claims check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A claims file, or `us-japan-2025` for the one shipped with the brief.
    pub file: String,
    /// Exit with status 3 if any claim differs or has no data, or (with --source) a bulletin
    /// quote is not found in its paragraph.
    #[arg(long)]
    pub strict: bool,
    /// The source document as plain text: every `origin = "bulletin"` claim's quote must occur
    /// in the paragraph it names (whitespace and markup normalised).
    #[arg(long, value_name = "FILE")]
    pub source: Option<PathBuf>,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Runs `claims`.
pub fn run(cmd: ClaimsCommand, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        ClaimsCommand::Check(args) => check(args, store, out),
        ClaimsCommand::Queries(format) => {
            let mut grid = Grid::new(
                Some("Queries a claims file may use".to_string()),
                vec![
                    Column::text("query"),
                    Column::text("returns"),
                    Column::text("parameters"),
                    Column::text("what"),
                ],
            );
            for q in QUERIES {
                let params: Vec<String> = q.params.iter().map(|(p, d)| d.map_or_else(|| p.to_string(), |d| format!("{p}={d}"))).collect();
                grid.push(vec![Cell::Text(q.name.into()), Cell::Text(format!("{:?}", q.dimension).to_lowercase()), Cell::Text(params.join(", ")), Cell::Text(q.help.into())]);
            }
            let json = json!({"queries": QUERIES.iter().map(|q| json!({"query": q.name, "dimension": q.dimension, "params": q.params.iter().map(|(p, d)| json!({"name": p, "default": d})).collect::<Vec<_>>(), "help": q.help})).collect::<Vec<_>>()});
            let mut report = Report::new(json);
            report.grids.push(grid);
            report.write(format.format, out)?;
            Ok(())
        }
    }
}

fn check(args: CheckArgs, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    let (name, bytes) = if args.file == "us-japan-2025" {
        (claims::US_JAPAN_2025.0.to_string(), claims::US_JAPAN_2025.1.as_bytes().to_vec())
    } else {
        let path = PathBuf::from(&args.file);
        let bytes = std::fs::read(&path).map_err(|e| {
            anyhow::anyhow!("cannot read claims file `{}`: {e}\n\nhint: give a path to a .toml claims file, or `us-japan-2025` for the shipped one", path.display())
        })?;
        (args.file.clone(), bytes)
    };
    let file = claims::parse_bytes(&name, &bytes)?;
    let evaluator = Evaluator::new(store);
    let mut rows = claims::check(&file, &evaluator)?;
    let missing = match &args.source {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("cannot read source text `{}`: {e}\n\nhint: give the document the claims quote, as plain text", path.display())
            })?;
            Some(claims::verify_quotes(&mut rows, &text))
        }
        None => None,
    };
    let [confirmed, differs, no_data, stated] = claims::tally(&rows);
    let n_bulletin = rows.iter().filter(|r| r.origin == claims::Origin::Bulletin).count();
    let mut report = Report::new(json!({
        "file": name,
        "title": file.title,
        "source": file.source,
        "source_date": file.source_date,
        "source_text": args.source.as_ref().map(|p| p.display().to_string()),
        "confirmed": confirmed,
        "differs": differs,
        "no_data": no_data,
        "stated": stated,
        "bulletin_claims": n_bulletin,
        "quotes_not_found": missing,
        "claims": rows,
    }));
    let mut grid = Grid::new(
        Some(format!("{} — {} claims", file.title, rows.len())),
        vec![
            Column::text("id"),
            Column::text("origin"),
            Column::text("claim").width(70),
            Column::text("asserted"),
            Column::text("recomputed"),
            Column::text("verdict"),
            Column::text("detail"),
        ],
    );
    for r in &rows {
        let why = match r.verdict {
            Verdict::Confirmed => r.detail.clone().unwrap_or_default(),
            _ => r.reason.clone().unwrap_or_default(),
        };
        let origin = match (r.origin, r.paragraph, r.quote_found) {
            (claims::Origin::Bulletin, Some(p), Some(false)) => format!("bulletin ¶{p} (quote not found)"),
            (claims::Origin::Bulletin, Some(p), _) => format!("bulletin ¶{p}"),
            (claims::Origin::Later, _, _) => format!("later {}", r.as_of.as_deref().unwrap_or_default()),
            (o, _, _) => o.name().to_string(),
        };
        grid.push(vec![
            Cell::Text(r.id.clone()),
            Cell::Text(origin),
            Cell::Text(r.text.clone()),
            Cell::Text(r.asserted.clone().unwrap_or_default()),
            Cell::Text(r.recomputed.clone().unwrap_or_else(|| "—".into())),
            Cell::Text(r.verdict.label().to_lowercase()),
            Cell::Text(why),
        ]);
    }
    report.grids.push(grid);
    report.notes.push(format!("{confirmed} confirmed, {differs} differ, {no_data} without data, {stated} stated parameters."));
    match (&missing, &args.source) {
        (Some(m), Some(path)) if m.is_empty() => report.notes.push(format!("All {n_bulletin} bulletin quotes found in their paragraphs of {}.", path.display())),
        (Some(m), Some(path)) => report.notes.push(format!("{} of {n_bulletin} bulletin quotes not found in their paragraphs of {}: {}.", m.len(), path.display(), m.join(", "))),
        _ if n_bulletin > 0 => report.notes.push(format!("{n_bulletin} bulletin quotes not verified; give the document with --source FILE.")),
        _ => {}
    }
    let mut sources: Vec<String> = Vec::new();
    for r in &rows {
        if let Some(s) = &r.source {
            let f = s.footnote();
            if !sources.contains(&f) {
                sources.push(f);
            }
        }
    }
    if !sources.is_empty() {
        report.notes.push("Sources:".into());
        for s in &sources {
            report.notes.push(format!("  {s}"));
        }
    }
    report.notes.push(format!("Data: {}.", store.source()));
    report.write(args.format.format, out)?;
    if args.strict && (differs + no_data > 0 || missing.as_ref().is_some_and(|m| !m.is_empty())) {
        out.flush()?;
        std::process::exit(3);
    }
    Ok(())
}
