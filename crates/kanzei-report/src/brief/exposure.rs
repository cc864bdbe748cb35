//! Exposure: what the United States imports from the partner, by HS chapter, with the duty
//! paid in 2024 and the scenario's rate on the brief's date.

use std::collections::BTreeMap;

use kanzei_core::{HsCode, HsVintage};
use kanzei_tariff::cells::Granularity;
use serde_json::json;

use super::fmt::{bn, pct, sentence_case, short};
use super::{usd_bn_bars, claims_block, figure, key_figure, table, BriefError, Ctx, Out};
use crate::document::{Block, Footnote, Section};
use crate::facts::share_pct;
use crate::svg::{Bar, ChartText};

/// One chapter of the partner's exports to the U.S.
pub(crate) struct ChapterRow {
    pub(crate) chapter: HsCode,
    pub(crate) name: String,
    pub(crate) imports_usd: f64,
    pub(crate) duty_2024_usd: f64,
    pub(crate) rate_pct: f64,
}

/// The partner's 2024 U.S. imports by chapter, largest first, with the scenario's rate.
pub(crate) fn chapters(ctx: &Ctx<'_, '_>) -> Vec<ChapterRow> {
    let exp = ctx.engine.exposure(ctx.partner.code, false);
    let mut duty: BTreeMap<HsCode, f64> = BTreeMap::new();
    for c in ctx.cells.cells.iter().filter(|c| c.exporter == ctx.partner.code) {
        *duty.entry(c.code.chapter().with_vintage(HsVintage::Hs2022)).or_default() += c.duty_usd.unwrap_or(0.0);
    }
    exp.by_chapter
        .iter()
        .map(|g| {
            let chapter = HsCode::parse(&g.key).expect("chapter keys are HS codes").with_vintage(HsVintage::Hs2022);
            ChapterRow { name: g.name.clone(), imports_usd: g.imports_usd, duty_2024_usd: duty.get(&chapter).copied().unwrap_or(0.0), rate_pct: g.etr_pct, chapter }
        })
        .collect()
}

/// The exposure section.
pub(crate) fn section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let p = &ctx.partner;
    let date = ctx.date;
    let hs10 = ctx.store.us_imports_hs10()?;
    let mut hs10_note = Footnote::from_source("hs10", &hs10.source());
    hs10_note.note = Some("Imports for consumption by HTS line (HS2 chapter for partners without line detail), summed to chapters; duties are calculated duties.".into());
    out.footnote(hs10_note);
    let rows = chapters(ctx);
    let total: f64 = rows.iter().map(|r| r.imports_usd).sum();
    let duty: f64 = rows.iter().map(|r| r.duty_2024_usd).sum();
    out.set("imports_consumption_usd", total);
    let proxied: f64 = ctx.cells.cells.iter().filter(|c| c.exporter == p.code && c.granularity == Granularity::Hs2Proxy).map(|c| c.value_usd).sum();
    let mut s = Section::new("exposure", &format!("Exposure: what {} sells the United States", p.short));
    let top = rows.first();
    s.push(Block::KeyFigures(vec![
        key_figure(bn(total), &format!("U.S. imports for consumption from {}, 2024", p.short), Some(format!("{} chapters", rows.len())), "hs10"),
        key_figure(pct(share_pct(duty, total), 2), "Average duty paid in 2024", Some(format!("{} of calculated duties", bn(duty))), "hs10"),
        key_figure(
            top.map_or("—".into(), |t| pct(share_pct(t.imports_usd, total), 1)),
            &top.map_or("Largest chapter".into(), |t| format!("HS {} in the total", t.chapter)),
            top.map(|t| short(&sentence_case(&t.name), 40)),
            "hs10",
        ),
    ]));
    let top8: f64 = rows.iter().take(8).map(|r| r.imports_usd).sum();
    s.push(Block::paragraph(&format!(
        "The United States imported {} of goods from {} for consumption in 2024[^hs10]; {} ({}) was the largest chapter at {}, and the top eight chapters make up {}. Before 2025 these goods paid an average duty of {}; under scenario {} on {date} the same goods would pay {}.{}",
        bn(total),
        p.name,
        top.map_or("—".into(), |t| format!("HS {}", t.chapter)),
        top.map_or(String::new(), |t| short(&sentence_case(&t.name), 60).to_lowercase()),
        top.map_or("—".into(), |t| pct(share_pct(t.imports_usd, total), 1)),
        pct(share_pct(top8, total), 0),
        pct(share_pct(duty, total), 2),
        ctx.scenario().id,
        pct(share_pct(rows.iter().map(|r| r.imports_usd * r.rate_pct / 100.0).sum(), total), 1),
        if proxied > 0.0 {
            format!(
                " Census publishes {} of this value by chapter only; within those chapters kanzei assumes the product mix of a proxy (stated in `kanzei tariff rates`).",
                pct(share_pct(proxied, total), 0)
            )
        } else {
            String::new()
        }
    )));
    let mut trows = Vec::new();
    for r in rows.iter().take(8) {
        trows.push(vec![
            r.chapter.to_string(),
            short(&sentence_case(&r.name), 48),
            bn(r.imports_usd),
            pct(share_pct(r.imports_usd, total), 1),
            pct(share_pct(r.duty_2024_usd, r.imports_usd), 1),
            pct(r.rate_pct, 1),
        ]);
    }
    let rest: Vec<&ChapterRow> = rows.iter().skip(8).collect();
    let (rv, rd, rr) = rest.iter().fold((0.0, 0.0, 0.0), |a, r| (a.0 + r.imports_usd, a.1 + r.duty_2024_usd, a.2 + r.imports_usd * r.rate_pct / 100.0));
    if !rest.is_empty() {
        trows.push(vec!["".into(), format!("{} other chapters", rest.len()), bn(rv), pct(share_pct(rv, total), 1), pct(share_pct(rd, rv), 1), pct(share_pct(rr, rv), 1)]);
    }
    let all_rate: f64 = rows.iter().map(|r| r.imports_usd * r.rate_pct / 100.0).sum();
    trows.push(vec!["".into(), "All goods".into(), bn(total), "100.0%".into(), pct(share_pct(duty, total), 1), pct(share_pct(all_rate, total), 1)]);
    s.push(table(
        &format!("U.S. imports from {} by HS chapter, 2024", p.short),
        &["HS", "Chapter", "Imports", "Share", "Duty paid 2024", &format!("Rate {date}")],
        trows,
        Some(format!("Duty paid: calculated duties over customs value, 2024. Rate: scenario {} on 2024 import values, before substitution.", ctx.scenario().id)),
        &["hs10", "scenario"],
    ));
    let bars: Vec<Bar> = rows.iter().take(10).map(|r| Bar::new(format!("{} {}", r.chapter, short(&sentence_case(&r.name), 28)), r.imports_usd / 1e9)).collect();
    let chart = usd_bn_bars(
        ChartText::new(
            format!("What the United States imports from {}, 2024", p.short),
            format!("U.S. imports for consumption from {} in 2024 by HS chapter, billions of dollars, the ten largest chapters.", p.name),
        )
        .with_subtitle("Imports for consumption by HS chapter, billions of dollars")
        .with_source("Source: U.S. Census Bureau via USITC DataWeb / tradewartracker (HS10 and HS2 by partner)."),
        bars,
    )?;
    s.push(figure(
        chart,
        "imports-by-chapter.svg",
        format!("The ten largest chapters make up {} of U.S. imports from {}.", pct(share_pct(rows.iter().take(10).map(|r| r.imports_usd).sum(), total), 0), p.short),
        &["hs10"],
    ));
    if let Some(block) = claims_block(ctx, "economy", "The bulletin's economic claims against the data") {
        s.push(block);
    }
    out.json.insert(
        "exposure".into(),
        json!({
            "imports_for_consumption_usd": total,
            "duty_2024_usd": duty,
            "duty_2024_pct": share_pct(duty, total),
            "hs2_proxy_value_usd": proxied,
            "chapters": rows.iter().map(|r| json!({"chapter": r.chapter.to_string(), "name": r.name, "imports_usd": r.imports_usd, "duty_2024_usd": r.duty_2024_usd, "rate_pct": r.rate_pct})).collect::<Vec<_>>(),
        }),
    );
    Ok(s)
}
