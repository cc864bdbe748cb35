//! `kanzei validate`: every published result kanzei reproduces, checked.

use std::io::Write;

use clap::Args;
use kanzei_data::Store;
use serde_json::json;

use crate::output::{Cell, Column, Grid, Report};
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
        Some(format!(
            "Published results reproduced by kanzei {}: {} of {} pass",
            env!("CARGO_PKG_VERSION"),
            checks.len() - failed,
            checks.len()
        )),
        // The unit of the four numbers differs by check; `item` states it ("MEX welfare, %").
        vec![
            Column::text("reproduction"),
            Column::text("item"),
            Column::number("published", 4),
            Column::number("kanzei", 4),
            Column::number("difference", 4),
            Column::number("tolerance", 4),
            Column::text("result"),
        ],
    );
    for c in &checks {
        grid.push(vec![
            Cell::Text(c.reproduction.clone()),
            Cell::Text(c.item.clone()),
            Cell::Num(c.published),
            Cell::Num(c.ours),
            Cell::Num(c.difference),
            Cell::Num(c.tolerance),
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
