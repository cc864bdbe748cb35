//! The parts of a brief written from the other sections' numbers: title, summary, method and
//! `brief.json`.

use serde_json::{json, Value};

use super::fmt::{bn, pct, signed_pct};
use super::{headline_json, Ctx, Out, SectionKind};
use crate::claims;
use crate::document::{Block, Callout, CalloutKind, Section};
use crate::facts::{ordinal, share_pct};

/// The document title: the spec's, else "U.S. tariffs and {partner}, {years}".
pub(crate) fn title(ctx: &Ctx<'_, '_>) -> String {
    // The 2025 measures to the brief's date: "2025" for a date in 2025, "2025–26" after.
    let years = match ctx.date.year() {
        y if y <= 2025 => y.to_string(),
        y => format!("2025–{}", y % 100),
    };
    ctx.spec.title.clone().unwrap_or_else(|| format!("U.S. tariffs and {}, {years}", ctx.partner.short))
}

/// The subtitle.
pub(crate) fn subtitle(ctx: &Ctx<'_, '_>) -> String {
    ctx.spec.subtitle.clone().unwrap_or_else(|| {
        format!("What {} sells the United States, what it pays, who else pays, and what it does to trade and welfare — every number recomputed from official data.", ctx.partner.short)
    })
}

/// Sources named in the metadata beyond the ones every brief uses.
pub(crate) fn extra_sources(ctx: &Ctx<'_, '_>) -> String {
    let mut extra = Vec::new();
    if ctx.spec.sections.iter().any(|k| matches!(k, SectionKind::JapanExports | SectionKind::LngOffsets)) {
        extra.push("Japan MOF");
    }
    if ctx.spec.sections.contains(&SectionKind::ToyotaProduction) {
        extra.push("Toyota");
    }
    extra.iter().map(|e| format!(", {e}")).collect()
}

/// The summary: key points in words from what the sections found.
pub(crate) fn summary_section(ctx: &Ctx<'_, '_>, out: &Out) -> Section {
    let p = &ctx.partner;
    let mut s = Section::new("summary", "Summary");
    let mut points = Vec::new();
    let (ex, im, bal) = (out.get("exports_usd"), out.get("imports_usd"), out.get("balance_usd"));
    if ex.is_finite() {
        let rank = out.get("deficit_rank");
        let balance = if bal < 0.0 && rank.is_finite() {
            format!("the {} deficit is the {} largest", bn(-bal), ordinal(rank as i64))
        } else {
            format!("the United States has a surplus of {}", bn(bal))
        };
        points.push(format!("{} sold the United States {} of goods in 2024 and bought {}; {balance}.", p.short, bn(im), bn(ex)));
    }
    if out.get("etr_pct").is_finite() {
        points.push(format!(
            "On {} U.S. duties on goods from {} average {} under scenario {} (against {} under {}), {} a year at 2024 volumes.",
            ctx.date,
            p.short,
            pct(out.get("etr_pct"), 1),
            ctx.scenario().id,
            pct(out.get("baseline_etr_pct"), 1),
            ctx.baseline().id,
            bn(out.get("duties_usd"))
        ));
    }
    if out.get("va_indirect_usd").is_finite() {
        points.push(format!(
            "Value added from {} also reaches the U.S. through third countries ({}, of which {} through Mexico and Canada).",
            p.short,
            bn(out.get("va_indirect_usd")),
            bn(out.get("va_usmca_usd"))
        ));
    }
    if out.get("ge_partner_pct").is_finite() {
        points.push(format!(
            "In general equilibrium its real income changes by {} ({} with Chinese and Canadian retaliation).",
            signed_pct(out.get("ge_partner_pct")),
            signed_pct(out.get("ge_partner_retaliation_pct"))
        ));
    }
    if out.get("observed_total_pct").is_finite() {
        points.push(format!(
            "Japan's own statistics show its exports to the United States {} in yen in {} (cars {}); the models' predictions are set beside them.",
            change_words(out.get("observed_total_pct")),
            out.get("observed_year"),
            change_words(out.get("observed_cars_pct")),
        ));
    }
    if out.get("lng_bound_share_pct").is_finite() {
        points.push(format!("Even a complete switch of Japan's LNG purchases to U.S. suppliers would close at most {} of the deficit.", pct(out.get("lng_bound_share_pct"), 0)));
    }
    if let Some(doc) = &ctx.source_doc {
        s.push(Block::paragraph(&format!("This brief regenerates and fact-checks {}. Sentences in quotation marks are the bulletin's own, with the paragraph they are in; what happened after it is marked as such, with dates and legal sources.", doc.citation)));
    }
    s.push(Block::Callout(Callout::new(CalloutKind::KeyPoint, None, &points.join(" "))));
    if let Some(p) = claims_paragraph(ctx) {
        s.push(p);
    }
    if let Some(last) = super::last_event_date(ctx.scenario()) {
        if ctx.date > last {
            s.push(Block::Callout(Callout::new(
                CalloutKind::Caveat,
                Some("After the last known event"),
                &format!("The brief's date, {}, is after the last dated event of scenario {} ({last}); tariffs are those in force on {last}, and no later change is known to kanzei.", ctx.date, ctx.scenario().id),
            )));
        }
    }
    s
}

/// "fell 4.3%" or "rose 1.2%".
fn change_words(v: f64) -> String {
    if v < 0.0 {
        format!("fell {}", pct(-v, 1))
    } else {
        format!("rose {}", pct(v, 1))
    }
}

/// The claims tally: the bulletin's own claims, and the developments since it.
fn claims_paragraph(ctx: &Ctx<'_, '_>) -> Option<Block> {
    if ctx.claims.is_empty() {
        return None;
    }
    let bulletin: Vec<claims::CheckedClaim> = ctx.claims.iter().filter(|c| c.origin == claims::Origin::Bulletin).cloned().collect();
    let t = claims::tally(&bulletin);
    let later = ctx.developments();
    let span = match (later.first(), later.last()) {
        (Some(a), Some(b)) => format!(" ({} to {})", a.as_of.clone().unwrap_or_default(), b.as_of.clone().unwrap_or_default()),
        _ => String::new(),
    };
    Some(Block::paragraph(&format!(
        "Of the bulletin's {} quantitative claims, kanzei recomputed {} from data: {} confirmed, {} differ (by definition or basis, explained in the tables), {} have no data; {} are figures kanzei holds no data for, reported as given. {} developments after the bulletin{span} are set out under “What happened next”.",
        bulletin.len(),
        t[0] + t[1] + t[2],
        t[0],
        t[1],
        t[2],
        t[3],
        later.len(),
    )))
}

/// How the brief was made and its limits.
pub(crate) fn method_section(ctx: &Ctx<'_, '_>, out: &Out) -> Section {
    let _ = out;
    let mut s = Section::new("method", "How this brief was made");
    s.push(Block::paragraph(
        &format!(
            "Every number above is recomputed by kanzei {} from the data it ships (or the official files given with `--data`) when the brief is built; nothing is typed in by hand except stated parameters, which are listed with their reasons. Tariffs are evaluated on {}{} under scenario `{}` against `{}`. Rebuild with `kanzei brief {} --date YYYY-MM-DD`{}.",
            ctx.options.kanzei_version,
            ctx.date,
            if ctx.engine.date_is_default { ", the last dated event the scenario knows," } else { "" },
            ctx.scenario().id,
            ctx.baseline().id,
            if super::spec::SHIPPED.iter().any(|b| b.name == ctx.spec.name) { ctx.spec.name.clone() } else { ctx.partner.code.to_string() },
            if ctx.claims.is_empty() { String::new() } else { format!("; check the claims alone with `kanzei claims check {}`", ctx.spec.name) }
        )
        .replace('`', ""),
    ));
    if let Some(doc) = &ctx.source_doc {
        s.push(Block::paragraph(&format!(
            "The document checked is {}. Every claim has an origin: the bulletin's own (quoted verbatim with its paragraph; `kanzei claims check {} --source FILE` finds each quote in the bulletin's text), a later development (dated, with its legal source, shown only when the brief's date reaches it) or a figure kanzei derives or takes from another published source to check the bulletin (with its source and date).",
            doc.citation,
            ctx.spec.name
        )
        .replace('`', "")));
    }
    s.push(Block::Callout(Callout::new(
        CalloutKind::Caveat,
        Some("Limits"),
        "Tariff rates are static (2024 import weights) unless stated; SMART covers one product heading; general equilibrium uses the 2011 world input–output structure and is a long-run comparison, not a forecast; value added in third-country goods assumes 2011 production structures hold for 2024 trade.",
    )));
    s
}

/// `brief.json`: partner, scenario, date, headline and each section's numbers.
pub(crate) fn summary_json(ctx: &Ctx<'_, '_>, out: &Out, warnings: &[String]) -> Value {
    let mut v = json!({
        "brief": ctx.spec.name,
        "partner": ctx.partner.code.as_str(),
        "partner_name": ctx.partner.name,
        "scenario": ctx.scenario().id,
        "baseline": ctx.baseline().id,
        "date": ctx.date.to_string(),
        "date_is_last_event": ctx.engine.date_is_default,
        "kanzei_version": ctx.options.kanzei_version,
        "headline": headline_json(ctx, out),
        "warnings": warnings,
    });
    let map = v.as_object_mut().expect("object");
    if let Some(doc) = &ctx.source_doc {
        map.insert("source_document".into(), json!({"citation": doc.citation, "date": doc.date}));
    }
    for (k, val) in &out.json {
        map.insert(k.clone(), val.clone());
    }
    if !ctx.claims.is_empty() {
        let t = claims::tally(&ctx.claims);
        let by_origin = |o: claims::Origin| ctx.claims.iter().filter(|c| c.origin == o).count();
        map.insert(
            "claims".into(),
            json!({ "confirmed": t[0], "differs": t[1], "no_data": t[2], "stated": t[3], "bulletin": by_origin(claims::Origin::Bulletin), "later": by_origin(claims::Origin::Later), "derived": by_origin(claims::Origin::Derived) }),
        );
    }
    let _ = share_pct;
    v
}
