//! `kanzei va at-risk`: an origin's value added in U.S. imports facing higher tariffs.

use kanzei_data::Store;
use kanzei_report::runs;
use kanzei_tariff::analysis::TariffData;
use serde_json::json;

use crate::commands::tariff::load_scenario;
use crate::commands::va::AtRiskArgs;
use crate::output::{Cell, Column, Grid, Report};

/// Runs `va at-risk`.
pub fn at_risk(store: &Store, args: &AtRiskArgs) -> anyhow::Result<Report> {
    let data = TariffData::load(store)?;
    let scenario = load_scenario(&args.scenario, &data)?;
    let baseline = crate::commands::tariff::load_scenario_as("--baseline", &args.baseline, &data)?;
    let date = args.date.parse::<kanzei_tariff::Date>().map_err(|e| anyhow::anyhow!("--date: {e}"))?;
    let origin = args.origin.to_uppercase();
    let r = runs::va_at_risk(store, &data, &origin, &scenario, &baseline, date)?;
    let mut report = Report::new(json!(r));
    let mut grid = Grid::new(
        Some(format!(
            "{origin}'s value added in U.S. imports under {} on {date}: {:.1} $bn in all, {:.1} $bn facing higher tariffs; extra duty on it {:.2} $bn",
            scenario.id,
            r.total_origin_va_usd / 1e9,
            r.total_origin_va_hit_usd / 1e9,
            r.total_extra_duty_usd / 1e9
        )),
        vec![
            Column::text("route"),
            Column::text("kind"),
            Column::usd("us_imports"),
            Column::usd("origin_va"),
            Column::usd("origin_va_hit"),
            Column::usd("extra_duty"),
        ],
    );
    grid.table_limit = Some(args.top);
    for route in &r.routes {
        grid.push(vec![
            Cell::Text(route.exporter.clone()),
            Cell::Text(if route.direct {
                "direct".into()
            } else {
                "via third country".into()
            }),
            Cell::Num(route.imports_usd),
            Cell::Num(route.origin_va_usd),
            Cell::Num(route.origin_va_hit_usd),
            Cell::Num(route.extra_duty_on_origin_va_usd),
        ]);
    }
    report.grids.push(grid);
    report.notes.push("Origin value added = WIOD 2011 value-added content per dollar of each exporter-sector's output (Leontief: L' (v ∘ 1_origin)) × 2024 U.S. imports mapped HS → ISIC Rev.3 → WIOD sectors. \"Facing higher tariffs\": the sector's import-weighted U.S. rate is above the baseline's.".into());
    crate::commands::tariff::attach_warnings(&mut report, crate::commands::tariff::date_warnings(&scenario, &[date]));
    Ok(report)
}
