//! "What happened next": the claims file's `later` developments dated on or before the brief's
//! date, each with its legal source, the value kanzei checks it against, and the partner's
//! effective U.S. rate on the day. A development after the brief's date is left out, so a brief
//! dated before the Supreme Court's IEEPA ruling does not know of it.

use kanzei_tariff::date::Date;
use serde_json::json;

use super::fmt::pct;
use super::{table, BriefError, Ctx, Out};
use crate::claims::{self, CheckedClaim};
use crate::document::{Block, Section, Verdict};

/// The partner's effective U.S. rate on `as_of` (a full date), 2024 weights.
fn etr_on(ctx: &Ctx<'_, '_>, as_of: &str) -> Option<f64> {
    let date: Date = as_of.parse().ok()?;
    let points = kanzei_tariff::analysis::timeline(ctx.compiled(), &ctx.cells, date, date, Some(ctx.partner.code));
    points.first().map(|p| p.etr_pct)
}

/// What kanzei found for a development: the recomputed value and verdict, or "stated".
fn checked(c: &CheckedClaim) -> String {
    match (c.verdict, &c.recomputed) {
        (Verdict::StatedParameter, _) => c.asserted.clone().map_or_else(|| "as stated".into(), |a| format!("{a} (stated)")),
        (v, Some(r)) => format!("{r} ({})", v.label().to_lowercase()),
        (v, None) => v.label().to_lowercase(),
    }
}

/// The section.
pub(crate) fn section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let mut s = Section::new("what-next", "What happened next");
    out.footnote(super::tariffs::scenario_footnote(ctx));
    let shown = ctx.developments();
    let n_later = ctx.claims.iter().filter(|c| c.origin == claims::Origin::Later).count();
    let since = ctx.source_doc.as_ref().and_then(|d| d.date.clone()).map_or_else(|| "the document".to_string(), |d| format!("the bulletin ({d})"));
    s.push(Block::paragraph(&format!(
        "These are developments after {since}, not claims the bulletin made, dated on or before the brief's date, {}: {} of the {n_later} in the claims file{}. Each carries its legal or published source; tariff figures are checked against the scenario, and the last column is {}'s effective U.S. rate on the day (2024 import weights)[^scenario].",
        ctx.date,
        shown.len(),
        if shown.len() < n_later { " (the others come after the brief's date and are left out)" } else { "" },
        ctx.partner.short,
    )));
    let mut rows = Vec::new();
    let mut json_rows = Vec::new();
    for c in &shown {
        let as_of = c.as_of.clone().unwrap_or_default();
        let etr = etr_on(ctx, &as_of);
        rows.push(vec![as_of.clone(), c.text.clone(), checked(c), c.reference.clone().unwrap_or_default(), etr.map_or("—".into(), |e| pct(e, 1))]);
        json_rows.push(json!({"id": c.id, "as_of": as_of, "text": c.text, "source": c.reference, "asserted_value": c.asserted_value, "recomputed_value": c.recomputed_value, "verdict": c.verdict, "etr_pct": etr}));
    }
    if !rows.is_empty() {
        s.push(table(
            &format!("Developments after the bulletin, to {}", ctx.date),
            &["Date", "Development", "kanzei", "Source", &format!("{} ETR that day", ctx.partner.short)],
            rows,
            Some("“stated”: reported as given with its source; other values are recomputed from the scenario (applied rates on one HTS line or a published table).".into()),
            &["scenario"],
        ));
    }
    out.json.insert("what_next".into(), json!(json_rows));
    Ok(s)
}
