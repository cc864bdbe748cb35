//! `kanzei trade facts`: a partner's trade facts, every number with its source.

use std::io::Write;

use clap::Args;
use kanzei_data::Store;
use kanzei_report::facts::{ordinal, trade_facts};
use serde_json::json;

use crate::output::{Cell, Column, Grid, Report};
use crate::FormatArg;

/// Arguments of `trade facts`.
#[derive(Debug, Args)]
pub struct FactsArgs {
    /// U.S. partner (ISO3 code or name).
    #[arg(default_value = "JPN")]
    pub partner: String,
    /// Year of the trade facts.
    #[arg(long, default_value_t = 2024)]
    pub year: i32,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Runs `trade facts`.
pub fn run(args: FactsArgs, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    let facts = trade_facts(store, &args.partner, args.year)?;
    let mut report = Report::new(json!(facts));
    let mut grid = Grid::new(
        Some(format!(
            "U.S.–{} trade, {} — every number with its source",
            facts.partner_name, facts.year
        )),
        // A fact's unit varies by row (USD, JPY, pct, rank), so the raw value has its unit
        // beside it; the table shows the value in words and a footnote number.
        vec![
            Column::text("id").csv_only(),
            Column::text("fact"),
            Column::number("value", 0).csv_only(),
            Column::text("unit").csv_only(),
            Column::text("display"),
            Column::text("note"),
            Column::text("source").csv_only(),
        ],
    );
    let mut sources: Vec<String> = Vec::new();
    for fact in &facts.facts {
        let note = fact.source.footnote();
        let idx = sources.iter().position(|s| *s == note).unwrap_or_else(|| {
            sources.push(note.clone());
            sources.len() - 1
        });
        grid.push(vec![
            Cell::Text(fact.id.clone()),
            Cell::Text(fact.label.clone()),
            Cell::Num(fact.value),
            Cell::Text(fact.unit.clone()),
            Cell::Text(fact.display()),
            Cell::Text(format!("[{}]", idx + 1)),
            Cell::Text(note),
        ]);
    }
    report.grids.push(grid);
    let mut deficits = Grid::new(
        Some(format!("Largest U.S. goods deficits, {}", facts.year)),
        vec![
            Column::text("rank"),
            Column::text("partner"),
            Column::usd("balance"),
        ],
    );
    for (idx, (code, name, balance)) in facts.largest_deficits.iter().enumerate() {
        deficits.push(vec![
            Cell::Text(ordinal(idx as i64 + 1)),
            Cell::Text(format!("{name} ({code})")),
            Cell::Num(*balance),
        ]);
    }
    report.grids.push(deficits);
    if !facts.top_chapters.is_empty() {
        let mut chapters = Grid::new(
            Some(format!(
                "What the U.S. imports from {} (top chapters, imports for consumption)",
                facts.partner_name
            )),
            vec![
                Column::text("hs2"),
                Column::text("description").width(60),
                Column::usd("value"),
                Column::pct("share", 1),
            ],
        );
        for (code, name, value, share) in &facts.top_chapters {
            chapters.push(vec![
                Cell::Text(code.clone()),
                Cell::Text(name.clone()),
                Cell::Num(*value),
                Cell::Num(*share),
            ]);
        }
        report.grids.push(chapters);
    }
    report.notes.push("Sources:".into());
    for (idx, s) in sources.iter().enumerate() {
        report.notes.push(format!("  [{}] {s}", idx + 1));
    }
    report.notes.push(format!("Data: {}.", store.source()));
    report.write(args.format.format, out)?;
    Ok(())
}
