//! `kanzei validate`: every published result kanzei reproduces, checked.

use std::io::Write;

use clap::Args;
use kanzei_data::Store;
use serde_json::json;

use crate::output::{Cell, Grid, Report};
use crate::FormatArg;

/// Arguments of `validate`.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  kanzei validate\n  kanzei validate --format json")]
pub struct ValidateArgs {
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Runs `validate`; fails (exit 1) when a check fails.
pub fn run(args: ValidateArgs, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    let checks = kanzei_report::validate::run_all(store);
    let failed = checks.iter().filter(|c| !c.pass).count();
    let mut report = Report::new(json!({ "checks": checks, "passed": checks.len() - failed, "failed": failed }));
    let mut grid = Grid::new(
        Some(format!("Published results reproduced by kanzei {}: {} of {} pass", env!("CARGO_PKG_VERSION"), checks.len() - failed, checks.len())),
        &["reproduction", "item", "published", "kanzei", "difference", "tolerance", "result"],
    );
    for c in &checks {
        grid.push(vec![
            Cell::Text(c.reproduction.clone()),
            Cell::Text(c.item.clone()),
            Cell::Num(c.published, 4),
            Cell::Num(c.ours, 4),
            Cell::Num(c.difference, 4),
            Cell::Num(c.tolerance, 4),
            Cell::Text(if c.pass { "pass".into() } else { "FAIL".into() }),
        ]);
    }
    report.grids.push(grid);
    report.notes.push("Sources of the published values: `--format json` (field `source`).".into());
    report.write(args.format.format, out)?;
    if failed > 0 {
        anyhow::bail!("{failed} of {} checks failed", checks.len());
    }
    Ok(())
}
