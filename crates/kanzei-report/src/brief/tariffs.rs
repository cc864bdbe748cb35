//! Tariffs: the partner's effective rate through the scenario's timeline with the events that
//! moved it, the rate on the brief's date by legal authority beside its competitors, and any
//! what-if scenarios the spec names.

use std::collections::BTreeMap;

use kanzei_core::AreaCode;
use kanzei_tariff::analysis::{self, Exposure, TimelinePoint};
use kanzei_tariff::cells::CellSet;
use kanzei_tariff::date::Date;
use kanzei_tariff::engine::Compiled;
use serde_json::json;

use super::fmt::{authority_label, bn, pct, pp, short};
use super::{figure, key_figure, load_scenario, table, BriefError, Ctx, Out};
use crate::document::{Block, Footnote, Section};
use crate::svg::{palette, ChartDate, ChartText, EventMarker, LineChart, LineSeries, LineShape, Series, StackedBarChart, ValueFormat};

/// The legal authorities in the order charts stack them.
const AUTHORITY_ORDER: [&str; 9] = ["base", "s232", "ieepa-reciprocal", "ieepa-fentanyl", "s301", "s122", "s338", "s201", "ieepa-other"];

/// The timeline's window: 2025 to the end of the year of the later of the brief's date and
/// the scenario's last event ([`super::Engine::timeline_end`]).
fn window(ctx: &Ctx<'_, '_>) -> (Date, Date) {
    (Date::new(2025, 1, 1).expect("valid"), ctx.engine.timeline_end())
}

/// The points of a daily timeline from `from` to `to`.
fn days_in(line: &[TimelinePoint], (from, to): (Date, Date)) -> Vec<TimelinePoint> {
    line.iter().filter(|p| p.date >= from && p.date <= to).cloned().collect()
}

/// The partner's five largest rivals in U.S. imports of its three largest chapters, unless
/// the spec names them.
fn peers(ctx: &Ctx<'_, '_>) -> Result<Vec<AreaCode>, BriefError> {
    if !ctx.spec.peers.is_empty() {
        return ctx
            .spec
            .peers
            .iter()
            .map(|p| Ok(ctx.registry().resolve(p).map_err(kanzei_data::DataError::from)?.code))
            .collect();
    }
    let rows = super::exposure::chapters(ctx);
    let top: Vec<_> = rows.iter().take(3).map(|r| r.chapter).collect();
    let mut by: BTreeMap<AreaCode, f64> = BTreeMap::new();
    for c in &ctx.engine.cells().cells {
        if ctx.partner.members.contains(&c.exporter) || c.exporter == ctx.partner.code {
            continue;
        }
        if top.contains(&c.code.chapter().with_vintage(kanzei_core::HsVintage::Hs2022)) {
            *by.entry(c.exporter).or_default() += c.value_usd;
        }
    }
    let mut v: Vec<(AreaCode, f64)> = by.into_iter().collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(v.into_iter().take(5).map(|(c, _)| c).collect())
}

/// Steps of a daily timeline: the first day and every day the rate changes.
fn steps(points: &[TimelinePoint]) -> Vec<(ChartDate, f64)> {
    let mut out: Vec<(ChartDate, f64)> = Vec::new();
    let mut last = f64::NAN;
    for p in points {
        if (p.etr_pct - last).abs() > 1e-9 || out.is_empty() {
            out.push((p.date, p.etr_pct));
            last = p.etr_pct;
        }
    }
    out
}

fn on(points: &[TimelinePoint], d: Date) -> f64 {
    points.iter().find(|p| p.date == d).map_or(f64::NAN, |p| p.etr_pct)
}

/// The tariffs section.
/// The footnote for rates computed from the scenario.
pub(crate) fn scenario_footnote(ctx: &Ctx<'_, '_>) -> Footnote {
    let scenario = ctx.scenario();
    Footnote {
        key: "scenario".into(),
        dataset: format!("kanzei scenario {} ({}), baseline {}", scenario.id, scenario.title, ctx.baseline().id),
        year: "2025–26".into(),
        basis: "applied rates by HTS line and partner (USITC HTS 2025 MFN, preferences, USMCA shares, every 2025–26 measure), weighted by 2024 U.S. imports, before substitution".into(),
        note: Some("Scenario files: scenarios/ in the kanzei repository; kanzei tariff explain shows how any line's rate is built.".into()),
    }
}

pub(crate) fn section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let p = &ctx.partner;
    let date = ctx.date;
    out.footnote(scenario_footnote(ctx));
    let (from, to) = window(ctx);
    let (line, all_line) = ctx.engine.partner_timeline(p.code, &ctx.cells);
    let (line, all_line) = (days_in(&line, (from, to)), days_in(all_line, (from, to)));
    let exp = ctx.engine.exposure(p.code, false);
    let base = ctx.engine.exposure(p.code, true);
    out.set("etr_pct", exp.etr_pct);
    out.set("baseline_etr_pct", base.etr_pct);
    out.set("duties_usd", exp.revenue_usd);
    out.set("baseline_duties_usd", base.revenue_usd);
    out.set("share_hit_pct", exp.share_hit_pct);
    let peak = line.iter().max_by(|a, b| a.etr_pct.total_cmp(&b.etr_pct)).cloned();
    let mut s = Section::new("tariffs", &format!("Tariffs: what {} pays, date by date", p.short));
    s.push(Block::KeyFigures(vec![
        key_figure(pct(exp.etr_pct, 1), &format!("Effective U.S. tariff on {}, {date}", p.short), Some(format!("{} under the baseline", pct(base.etr_pct, 1))), "scenario"),
        key_figure(bn(exp.revenue_usd), &format!("Duties on a year of 2024 imports from {}", p.short), Some(format!("{} over the baseline", bn(exp.revenue_usd - base.revenue_usd))), "scenario"),
        key_figure(
            pct(exp.share_hit_pct, 0),
            &format!("Share of imports from {} facing new duties", p.short),
            peak.as_ref().map(|pk| format!("peak rate {} on {}", pct(pk.etr_pct, 1), pk.date)),
            "scenario",
        ),
    ]));
    s.push(timeline_chart(ctx, &line, &all_line, (from, to))?);
    let peer_codes = peers(ctx)?;
    let (stack, peer_json) = authority_chart(ctx, &exp, &peer_codes)?;
    s.push(stack);
    let auth_rows: Vec<Vec<String>> = exp
        .by_authority
        .iter()
        .map(|a| vec![authority_label(&a.key), bn(a.imports_usd), pct(a.etr_pct, 1), bn(a.revenue_usd), format!("{:.1}", a.contribution_pp)])
        .collect();
    s.push(table(
        &format!("U.S. duties on imports from {} by legal authority, {date}", p.short),
        &["Authority", "Imports covered", "Rate on them", "Duties", "Points of ETR"],
        auth_rows,
        Some("Duties at 2024 import values; a line can be covered by more than one authority.".into()),
        &["scenario"],
    ));
    let whatifs = what_ifs(ctx, &exp)?;
    if let Some(block) = whatifs.0 {
        s.push(block);
    }
    out.json.insert(
        "tariffs".into(),
        json!({
            "etr_pct": exp.etr_pct,
            "baseline_etr_pct": base.etr_pct,
            "duties_usd": exp.revenue_usd,
            "baseline_duties_usd": base.revenue_usd,
            "share_hit_pct": exp.share_hit_pct,
            "value_hit_usd": exp.value_hit_usd,
            "peak_etr_pct": peak.as_ref().map(|p| p.etr_pct),
            "peak_date": peak.as_ref().map(|p| p.date.to_string()),
            "by_authority": exp.by_authority.iter().map(|a| json!({"authority": a.key, "imports_usd": a.imports_usd, "etr_pct": a.etr_pct, "revenue_usd": a.revenue_usd, "contribution_pp": a.contribution_pp})).collect::<Vec<_>>(),
            "peers": peer_json,
            "what_ifs": whatifs.1,
            "timeline": steps(&line).iter().map(|(d, v)| json!({"date": d.to_string(), "etr_pct": v})).collect::<Vec<_>>(),
        }),
    );
    Ok(s)
}

fn timeline_chart(ctx: &Ctx<'_, '_>, line: &[TimelinePoint], all_line: &[TimelinePoint], (from, to): (Date, Date)) -> Result<Block, BriefError> {
    let p = &ctx.partner;
    let date = ctx.date;
    let scenario = ctx.scenario();
    // Events that moved the partner's rate by at least 0.1 pp.
    let mut events = Vec::new();
    for e in &scenario.events {
        if e.date < from || e.date > to {
            continue;
        }
        let moved = (on(line, e.date) - on(line, e.date.add_days(-1))).abs() >= 0.1;
        if moved || e.date == from {
            events.push(EventMarker::new(e.date, short(&e.label, 34)));
        }
    }
    let years = if from.year() == to.year() { from.year().to_string() } else { format!("{}–{}", from.year(), to.year() % 100) };
    let mut chart = LineChart::new(
        ChartText::new(
            format!("Effective U.S. tariff rate on imports from {}, {years}", p.short),
            format!("Daily import-weighted U.S. tariff rate on goods from {} and from all partners under scenario {}, {years}, percent; events that moved the rate are marked; the brief's date is {date}.", p.name, scenario.id),
        )
        .with_subtitle("Duties over 2024 import values, percent, before substitution")
        .with_source(format!("Source: kanzei scenario {} on USITC HTS 2025 and Census 2024 imports.", scenario.id)),
        vec![LineSeries::new(&p.short, steps(line), LineShape::Step), LineSeries::new("All partners", steps(all_line), LineShape::Step)],
        events,
        ValueFormat::Percent { decimals: 1 },
    );
    chart.x_start = Some(from);
    chart.x_end = Some(to);
    chart.series[0].color = Some(palette::HIGHLIGHT.into());
    chart.series[1].color = Some(palette::PRIMARY.into());
    if date >= from && date <= to {
        chart.events.push(EventMarker::new(date, format!("Brief date: {}", date.long())));
    }
    let peak = line.iter().max_by(|a, b| a.etr_pct.total_cmp(&b.etr_pct));
    let caption = format!(
        "{}'s rate rose from {} to a peak of {} on {}, and stood at {} on {date}; the all-partner rate on that date was {}.",
        p.short,
        pct(on(line, from), 1),
        pct(peak.map_or(f64::NAN, |x| x.etr_pct), 1),
        peak.map_or(String::new(), |x| x.date.to_string()),
        pct(on(line, date), 1),
        pct(on(all_line, date), 1),
    );
    Ok(figure(chart.render()?, "tariff-timeline.svg", caption, &["scenario"]))
}

/// The rate by legal authority for the partner and its peers, stacked.
fn authority_chart(ctx: &Ctx<'_, '_>, exp: &Exposure, peer_codes: &[AreaCode]) -> Result<(Block, Vec<serde_json::Value>), BriefError> {
    let date = ctx.date;
    let mut exps: Vec<(String, Exposure)> = vec![(ctx.partner.short.clone(), exp.clone())];
    for c in peer_codes {
        exps.push((super::fmt::short_name(ctx.registry(), c.as_str()), Exposure::clone(&ctx.engine.exposure(*c, false))));
    }
    let mut by_auth: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for (i, (_, e)) in exps.iter().enumerate() {
        for a in &e.by_authority {
            by_auth.entry(a.key.clone()).or_insert_with(|| vec![0.0; exps.len()])[i] = a.contribution_pp;
        }
    }
    let mut series: Vec<Series> = Vec::new();
    let keys = AUTHORITY_ORDER.iter().map(|s| s.to_string()).chain(by_auth.keys().filter(|k| !AUTHORITY_ORDER.contains(&k.as_str())).cloned());
    for key in keys {
        if let Some(vals) = by_auth.get(&key) {
            if vals.iter().any(|v| v.abs() > 1e-9) {
                series.push(Series::new(authority_label(&key), vals.clone()));
            }
        }
    }
    let names: Vec<String> = exps.iter().map(|(n, _)| n.clone()).collect();
    let chart = StackedBarChart::new(
        ChartText::new(
            format!("Where the rate comes from, {date}"),
            format!("Effective U.S. tariff rate on {date} by legal authority, percentage points, for {} and {} competitors in the U.S. market.", ctx.partner.name, peer_codes.len()),
        )
        .with_subtitle("Points of each partner's effective rate, by legal authority")
        .with_source(format!("Source: kanzei scenario {} on 2024 U.S. imports.", ctx.scenario().id)),
        names.clone(),
        series,
        ValueFormat::Percent { decimals: 1 },
    );
    let others: Vec<String> = exps.iter().skip(1).map(|(n, e)| format!("{} for {n}", pct(e.etr_pct, 1))).collect();
    let caption = format!("On {date} {}'s rate of {} compares with {}.", ctx.partner.short, pct(exp.etr_pct, 1), super::fmt::join_names(&others));
    let json = exps.iter().skip(1).zip(peer_codes).map(|((n, e), c)| json!({"partner": c.as_str(), "name": n, "etr_pct": e.etr_pct, "duties_usd": e.revenue_usd})).collect();
    Ok((figure(chart.render()?, "rate-by-authority.svg", caption, &["scenario"]), json))
}

/// The spec's what-if scenarios, evaluated on the partner's cells alone (they change only its
/// measures).
fn what_ifs(ctx: &Ctx<'_, '_>, exp: &Exposure) -> Result<(Option<Block>, Vec<serde_json::Value>), BriefError> {
    if ctx.spec.what_ifs.is_empty() {
        return Ok((None, Vec::new()));
    }
    let p = &ctx.partner;
    let data = ctx.engine.data();
    let own = CellSet {
        importer: ctx.engine.cells().importer,
        year: ctx.engine.cells().year,
        cells: ctx.engine.cells().cells.iter().filter(|c| p.members.contains(&c.exporter)).copied().collect(),
        proxies: ctx.engine.cells().proxies.clone(),
        coverage: ctx.engine.cells().coverage.clone(),
    };
    let mut rows = vec![vec!["As enacted".to_string(), ctx.scenario().id.clone(), pct(exp.etr_pct, 1), bn(exp.revenue_usd), pp(0.0)]];
    let mut json = vec![json!({"scenario": ctx.scenario().id, "label": "As enacted", "etr_pct": exp.etr_pct, "revenue_usd": exp.revenue_usd})];
    for w in &ctx.spec.what_ifs {
        let s = load_scenario(data, &w.scenario)?;
        let compiled = Compiled::new(&s, &own, &data.schedule, &data.inputs);
        let e = analysis::exposure(&compiled, &own, ctx.date, p.code, ctx.registry(), ctx.chapter_names());
        rows.push(vec![w.label.clone(), w.scenario.clone(), pct(e.etr_pct, 1), bn(e.revenue_usd), pp(e.etr_pct - exp.etr_pct)]);
        json.push(json!({"scenario": w.scenario, "label": w.label, "etr_pct": e.etr_pct, "revenue_usd": e.revenue_usd}));
    }
    let block = table(
        &format!("What-ifs for {} on {}", p.short, ctx.date),
        &["Case", "Scenario", &format!("{}'s rate", p.short), "Duties", "vs enacted"],
        rows,
        Some("Static: 2024 imports at each scenario's rates. The what-if files extend the enacted scenario and change only this partner's measures.".into()),
        &["scenario"],
    );
    Ok((Some(block), json))
}
