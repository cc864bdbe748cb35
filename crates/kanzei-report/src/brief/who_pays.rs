//! Who pays: the U.S. consumer-price effect of the tariffs on the partner's goods and of the
//! whole regime (BEA 2017 input–output, as `kanzei prices`), and what customs collected
//! month by month against the scenario's statutory path (as `kanzei tariff collected`).

use kanzei_data::us_io::{Month, UsIo};
use serde_json::json;

use super::fmt::{pct, signed_pct};
use super::{figure, key_figure, table, BriefError, Ctx, Out};
use crate::collected::{self, CollectedBy, CollectedReport};
use crate::document::{Block, Footnote, Section};
use crate::prices::{self, PriceOptions, PriceReport};
use crate::runs::RunError;
use crate::svg::{palette, ChartText, EventMarker, LineChart, LineSeries, LineShape, ValueFormat};

/// The price effects of the whole regime and of the partner's tariffs alone, on the brief's date.
fn price_runs(ctx: &Ctx<'_, '_>, io: &UsIo) -> Result<(PriceReport, PriceReport), BriefError> {
    let model = prices::price_model(io)?;
    let new = &ctx.engine.evaluation().total_pct;
    let old = &ctx.engine.base_evaluation().total_pct;
    let (scenario, baseline) = (&ctx.scenario().id, &ctx.baseline().id);
    let label = format!("scenario {scenario} against {baseline} on {}", ctx.date);
    let all = prices::tariffs_from_rates(io, &ctx.cells, new, old, None, label.clone())?;
    let partner = prices::tariffs_from_rates(io, &ctx.cells, new, old, Some(&[ctx.partner.code]), format!("{label}, {} only", ctx.partner.code))?;
    let options = PriceOptions::default();
    Ok((prices::price_effects(io, &model, &all, &options)?, prices::price_effects(io, &model, &partner, &options)?))
}

/// Collected duty by month from January 2024 to the last month of data, beside the
/// scenario's statutory rate.
fn collected_path(ctx: &Ctx<'_, '_>) -> Result<CollectedReport, BriefError> {
    let monthly = ctx.store.naics_monthly()?;
    let (_, last) = monthly.span().ok_or_else(|| RunError::Invalid("no collected duties".into()))?;
    let first = Month { year: 2024, month: 1 };
    let mut report = collected::collected(&monthly, first, last, CollectedBy::Month)?;
    // The statutory path from the engine's daily rates (shared with the tariff timeline) when
    // they span the collected months, else computed for them.
    let (start, end) = collected::statutory_days(&report)?;
    let all = ctx.engine.all_timeline();
    if collected::covers(all, start, end) {
        collected::add_statutory_days(&mut report, all, &ctx.scenario().id)?;
    } else {
        collected::add_statutory_compiled(&mut report, ctx.compiled(), ctx.engine.cells(), &ctx.scenario().id)?;
    }
    Ok(report)
}

fn month_date(key: &str) -> Option<kanzei_tariff::date::Date> {
    let m = Month::parse(key).ok()?;
    kanzei_tariff::date::Date::new(m.year, m.month, 15)
}

fn collected_chart(ctx: &Ctx<'_, '_>, path: &CollectedReport) -> Result<Block, BriefError> {
    let points = |f: &dyn Fn(&collected::CollectedRow) -> Option<f64>| -> Vec<_> { path.rows.iter().filter_map(|r| Some((month_date(&r.key)?, f(r)?))).collect() };
    let collected = points(&|r| Some(r.rate_pct));
    let statutory = points(&|r| r.statutory_pct);
    let mut chart = LineChart::new(
        ChartText::new(
            format!("U.S. tariff rate: collected by customs vs statutory, {}–{}", path.from, path.to),
            format!(
                "Monthly calculated duties over imports for consumption (Census, by NAICS6) and the monthly average of scenario {}'s daily statutory rate on 2024 import weights, {} to {}, percent.",
                ctx.scenario().id,
                path.from,
                path.to
            ),
        )
        .with_subtitle("Percent of imports, all partners")
        .with_source("Source: U.S. Census Bureau, imports and calculated duties by NAICS6; kanzei scenario on USITC HTS and Census 2024 imports."),
        vec![LineSeries::new("Statutory (scenario)", statutory, LineShape::Linear), LineSeries::new("Collected", collected, LineShape::Linear)],
        Vec::<EventMarker>::new(),
        ValueFormat::Percent { decimals: 1 },
    );
    chart.series[0].color = Some(palette::PRIMARY.into());
    chart.series[1].color = Some(palette::HIGHLIGHT.into());
    let peak = path.rows.iter().max_by(|a, b| a.rate_pct.total_cmp(&b.rate_pct));
    let caption = match peak {
        Some(p) => format!(
            "Collected duty peaked at {} of imports in {} against a statutory {}; the gap is substitution, exemptions claimed at entry, timing and evasion.",
            pct(p.rate_pct, 2),
            p.key,
            pct(p.statutory_pct.unwrap_or(f64::NAN), 1)
        ),
        None => "No months of collected duties.".into(),
    };
    Ok(figure(chart.render()?, "collected-vs-statutory.svg", caption, &["census-naics", "scenario"]))
}

/// The Supreme Court's IEEPA ruling (tradewartracker POLICY_2026.md): duties collected under
/// IEEPA became refundable; a brief dated earlier does not know of it.
const IEEPA_RULING: (i32, u8, u8) = (2026, 2, 20);

fn footnotes(ctx: &Ctx<'_, '_>, out: &mut Out) {
    let ruling = kanzei_tariff::date::Date::new(IEEPA_RULING.0, IEEPA_RULING.1, IEEPA_RULING.2);
    let refunds = if ruling.is_some_and(|r| ctx.date >= r) {
        "Duty as assessed at entry: IEEPA duties refunded after the February 2026 Supreme Court ruling are not netted out."
    } else {
        "Duty as assessed at entry."
    };
    out.footnote(Footnote {
        key: "bea-io".into(),
        dataset: "U.S. Bureau of Economic Analysis, Input–Output Accounts, 2017 benchmark (detail): total requirements, supply table, PCE bridge".into(),
        year: "2017".into(),
        basis: "402 commodities; producer prices; PCE categories at purchasers' value".into(),
        note: Some("Price effects by the Leontief price model Δp = L′(m ∘ ρΔτ) with full pass-through and margins fixed in dollars; short run, before substitution (docs/prices.md).".into()),
    });
    out.footnote(Footnote {
        key: "census-naics".into(),
        dataset: "U.S. Census Bureau, U.S. imports for consumption and calculated duties by NAICS6".into(),
        year: "2024–2025, monthly".into(),
        basis: "customs value; calculated duty as assessed at entry".into(),
        note: Some(refunds.into()),
    });
}

/// The who-pays section.
pub(crate) fn section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    footnotes(ctx, out);
    let io = ctx.store.us_io()?;
    let (all, partner) = price_runs(ctx, &io)?;
    let path = collected_path(ctx)?;
    let p = &ctx.partner;
    let mut s = Section::new("who-pays", "Who pays: U.S. prices and what customs collected");
    let last = path.rows.last();
    s.push(Block::KeyFigures(vec![
        key_figure(signed_pct(all.pce_price_change_pct), "U.S. consumer prices (PCE), all 2025–26 tariffs", Some(format!("core goods {}", signed_pct(all.core_goods_price_change_pct))), "bea-io"),
        key_figure(format!("${:.0}", all.household_cost_usd), "Cost per household a year, all tariffs", Some(format!("{} of it from tariffs on {}", format_usd(partner.household_cost_usd), p.short)), "bea-io"),
        key_figure(
            last.map_or("—".into(), |r| pct(r.rate_pct, 1)),
            &format!("Duty collected, {}", last.map_or(String::new(), |r| r.key.clone())),
            last.and_then(|r| r.statutory_pct).map(|s| format!("statutory {}", pct(s, 1))),
            "census-naics",
        ),
    ]));
    s.push(Block::paragraph(&format!(
        "Carried through the U.S. input–output system, the tariffs of scenario {} in force on {} raise U.S. consumer prices by {} (goods {}, core goods {}), about ${:.0} a year per household[^bea-io]. The tariffs on goods from {} alone account for {} of the price level, ${:.0} per household. These are short-run, pre-substitution figures with full pass-through to import prices; observed pass-through to core-goods prices in 2025 was lower, and `kanzei prices --pass-through` scales them. What customs collected ran below the statutory rate throughout 2025: {} of imports over the year, against a statutory path that averaged {} from April[^census-naics].",
        ctx.scenario().id,
        ctx.date,
        signed_pct(all.pce_price_change_pct),
        signed_pct(all.pce_goods_price_change_pct),
        signed_pct(all.core_goods_price_change_pct),
        all.household_cost_usd,
        p.name,
        signed_pct(partner.pce_price_change_pct),
        partner.household_cost_usd,
        pct(collected_rate(&path, "2025"), 2),
        pct(mean_statutory_from(&path, "2025-04"), 1),
    )));
    s.push(collected_chart(ctx, &path)?);
    s.push(groups_table(&all, &partner, p.short.as_str()));
    out.json.insert(
        "who_pays".into(),
        json!({
            "pce_price_change_pct": all.pce_price_change_pct,
            "pce_goods_price_change_pct": all.pce_goods_price_change_pct,
            "core_goods_price_change_pct": all.core_goods_price_change_pct,
            "household_cost_usd": all.household_cost_usd,
            "partner_pce_price_change_pct": partner.pce_price_change_pct,
            "partner_household_cost_usd": partner.household_cost_usd,
            "pass_through": all.pass_through,
            "mapped_import_value_pct": all.coverage.mapped_pct(),
            "collected": path.rows.iter().map(|r| json!({"month": r.key, "rate_pct": r.rate_pct, "statutory_pct": r.statutory_pct, "duties_usd": r.duties_usd})).collect::<Vec<_>>(),
        }),
    );
    out.set("pce_price_change_pct", all.pce_price_change_pct);
    out.set("household_cost_usd", all.household_cost_usd);
    Ok(s)
}

fn format_usd(v: f64) -> String {
    format!("${v:.0}")
}

/// Collected rate over the months whose key starts with `prefix`.
fn collected_rate(path: &CollectedReport, prefix: &str) -> f64 {
    let (d, m) = path.rows.iter().filter(|r| r.key.starts_with(prefix)).fold((0.0, 0.0), |a, r| (a.0 + r.duties_usd, a.1 + r.imports_usd));
    if m > 0.0 {
        100.0 * d / m
    } else {
        f64::NAN
    }
}

/// Mean statutory rate over the months from `first` on.
fn mean_statutory_from(path: &CollectedReport, first: &str) -> f64 {
    let v: Vec<f64> = path.rows.iter().filter(|r| r.key.as_str() >= first).filter_map(|r| r.statutory_pct).collect();
    v.iter().sum::<f64>() / v.len() as f64
}

fn groups_table(all: &PriceReport, partner: &PriceReport, short: &str) -> Block {
    let mut rows: Vec<_> = all.named.iter().zip(&partner.named).collect();
    rows.sort_by(|a, b| b.0.price_change_pct.total_cmp(&a.0.price_change_pct));
    let on_partner = format!("Tariffs on {short}");
    table(
        "Consumer prices by product group: all tariffs, and the tariffs on the partner's goods",
        &["Group", "All tariffs", on_partner.as_str(), "Share of PCE"],
        rows.iter().take(10).map(|(a, p)| vec![a.name.to_string(), signed_pct(a.price_change_pct), signed_pct(p.price_change_pct), pct(a.pce_weight_pct, 1)]).collect(),
        Some("Short run, before substitution, full pass-through; margins fixed in dollars.".into()),
        &["bea-io"],
    )
}
