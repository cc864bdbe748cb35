//! `kanzei tariff collected`: what U.S. customs collected, month by month or by NAICS code,
//! beside a scenario's statutory rate.

use clap::{Args, ValueEnum};
use kanzei_data::us_io::Month;
use kanzei_data::Store;
use kanzei_report::collected::{self, CollectedBy, CollectedReport};
use kanzei_tariff::analysis::TariffData;
use serde_json::json;

use crate::output::{Cell, Column, Grid, Report};
use crate::FormatArg;

/// `--by` of `tariff collected`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CollectedByArg {
    /// One row per month.
    Month,
    /// One row per NAICS 2-digit sector.
    Naics2,
    /// One row per NAICS6 code.
    Naics6,
}

/// Arguments of `tariff collected`.
#[derive(Debug, Args)]
pub struct CollectedArgs {
    /// First month (YYYY-MM).
    #[arg(long, default_value = "2024-01")]
    pub from: String,
    /// Last month (YYYY-MM).
    #[arg(long, default_value = "2025-12")]
    pub to: String,
    /// Grouping.
    #[arg(long, value_enum, default_value_t = CollectedByArg::Month)]
    pub by: CollectedByArg,
    /// A scenario whose statutory rate (daily ETR averaged over each month) is shown beside
    /// the collected rate (with `--by month`).
    #[arg(long)]
    pub scenario: Option<String>,
    /// Rows to print (table format; JSON and CSV carry all).
    #[arg(long)]
    pub top: Option<usize>,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

fn month(text: &str, flag: &str) -> anyhow::Result<Month> {
    Month::parse(text).map_err(|e| anyhow::anyhow!("--{flag}: {e}"))
}

/// `tariff collected`.
pub fn collected(data: &TariffData, store: &Store, args: &CollectedArgs) -> anyhow::Result<Report> {
    let (from, to) = (month(&args.from, "from")?, month(&args.to, "to")?);
    let by = match args.by {
        CollectedByArg::Month => CollectedBy::Month,
        CollectedByArg::Naics2 => CollectedBy::Naics2,
        CollectedByArg::Naics6 => CollectedBy::Naics6,
    };
    let monthly = store.naics_monthly()?;
    let mut result = collected::collected(&monthly, from, to, by)?;
    if let Some(spec) = &args.scenario {
        let scenario = super::tariff::load_scenario(spec, data)?;
        collected::add_statutory(&mut result, data, &scenario)?;
    }
    collected::reconcile_2024(&mut result, &monthly, data);
    Ok(report(&result, args.top))
}

fn report(result: &CollectedReport, top: Option<usize>) -> Report {
    let mut json = json!(result);
    if let Some(object) = json.as_object_mut() {
        object.remove("rows");
    }
    let mut report = Report::new(json);
    let month_view = result.by == CollectedBy::Month;
    let statutory = result.scenario.is_some();
    let mut columns = if month_view { vec![Column::text("month")] } else { vec![Column::text("naics"), Column::text("description").width(44)] };
    columns.extend([Column::usd("imports"), Column::usd("duties"), Column::pct("rate", 2)]);
    if statutory {
        columns.extend([Column::pct("statutory", 2), Column::pp("gap", 2)]);
    }
    let title = format!(
        "U.S. duties collected, {} to {}{}",
        result.from,
        result.to,
        result.scenario.as_ref().map_or_else(String::new, |s| format!(", beside {s}'s statutory rate (daily ETR on 2024 weights, averaged over the month)"))
    );
    let mut grid = Grid::new(Some(title), columns);
    for r in &result.rows {
        let mut row = vec![Cell::Text(r.key.clone())];
        if !month_view {
            row.push(Cell::Text(r.description.clone()));
        }
        row.extend([Cell::Num(r.imports_usd), Cell::Num(r.duties_usd), Cell::Num(r.rate_pct)]);
        if statutory {
            row.push(r.statutory_pct.map_or(Cell::Empty, Cell::Num));
            row.push(r.gap_pp.map_or(Cell::Empty, Cell::Num));
        }
        grid.push(row);
    }
    grid.table_limit = top;
    report.grids.push(grid);
    report.table_key = if month_view { "months" } else { "groups" };
    report.notes.push(format!(
        "Total {}…{}: imports ${:.1} bn, duties ${:.1} bn, collected rate {:.2}% ({} NAICS6 × month rows).",
        result.from,
        result.to,
        result.imports_usd / 1e9,
        result.duties_usd / 1e9,
        result.rate_pct,
        result.naics_rows
    ));
    report.notes.extend(result.reconciliation.iter().cloned());
    report.notes.push("Source: U.S. Census Bureau, imports for consumption and calculated duties by NAICS6 (via tradewartracker/tariffs-inflation). Calculated duty is what customs assessed at entry; IEEPA refunds after the 2026 Supreme Court ruling are not netted out.".into());
    if statutory {
        report.notes.push("The statutory rate uses 2024 import weights (no substitution) and the law in force each day; collected duty reflects actual entries, exemptions claimed, timing of payment and evasion.".into());
    }
    report
}
