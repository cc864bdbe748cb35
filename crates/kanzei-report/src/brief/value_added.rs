//! Value added: the partner's value added in U.S. imports by the country that ships it, and
//! what the scenario puts on it (WIOD 2011 Leontief inverse on 2024 U.S. imports).

use serde_json::json;

use super::fmt::{bn, pct, short_name};
use super::{usd_bn_bars, figure, key_figure, table, BriefError, Ctx, Out};
use crate::document::{Block, Callout, CalloutKind, Footnote, Section};
use crate::facts::share_pct;
use crate::runs;
use crate::svg::{Bar, ChartText};

/// Third countries whose route is reported on its own in the headline: the USMCA partners.
const USMCA_ROUTES: [&str; 2] = ["MEX", "CAN"];

/// The value-added section.
pub(crate) fn section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let p = &ctx.partner;
    let date = ctx.date;
    let mut s = Section::new("third-countries", &format!("Third countries: value added from {} in U.S. imports", p.short));
    let model = ctx.engine.va_model()?;
    let regions = model.mrio().regions().to_vec();
    let origins: Vec<&str> = p.members.iter().map(|m| m.as_str()).filter(|m| regions.iter().any(|r| r == m)).collect();
    let missing: Vec<&str> = p.members.iter().map(|m| m.as_str()).filter(|m| !regions.iter().any(|r| r == m)).collect();
    if origins.is_empty() {
        s.push(Block::Callout(Callout::new(
            CalloutKind::Caveat,
            Some("Not in the world input–output table"),
            &format!(
                "{} is not one of the 40 countries of WIOD 2011, the world input–output table kanzei uses to trace value added; its value added is in WIOD's rest of the world. This section needs a newer or larger table (OECD ICIO: `kanzei va` reads it with `--data`).",
                p.name
            ),
        )));
        out.json.insert("value_added".into(), json!({"available": false, "reason": format!("{} is not a WIOD 2011 region", p.code)}));
        return Ok(s);
    }
    let sectors = ctx.engine.sectors()?;
    let va = runs::va_at_risk_of(model, &origins, p.code.as_str(), &ctx.scenario().id, date, &sectors.new, &sectors.old)?;
    let wiod = ctx.store.wiod_2011()?;
    let mut note = Footnote::from_source("wiod", &wiod.source);
    note.note = Some("Value added per dollar of each exporter-sector's output from the 2011 Leontief inverse, applied to 2024 U.S. imports mapped HS → ISIC Rev.3 → WIOD sectors.".into());
    out.footnote(note);
    let indirect: Vec<_> = va.routes.iter().filter(|r| !r.direct).collect();
    let indirect_va: f64 = indirect.iter().map(|r| r.origin_va_usd).sum();
    let direct_va: f64 = va.routes.iter().filter(|r| r.direct).map(|r| r.origin_va_usd).sum();
    let usmca: Vec<_> = indirect.iter().filter(|r| USMCA_ROUTES.contains(&r.exporter.as_str())).collect();
    let usmca_va: f64 = usmca.iter().map(|r| r.origin_va_usd).sum();
    let usmca_extra: f64 = usmca.iter().map(|r| r.extra_duty_on_origin_va_usd).sum();
    let usmca_names: Vec<String> = usmca.iter().map(|r| short_name(ctx.registry(), &r.exporter)).collect();
    out.set("va_total_usd", va.total_origin_va_usd);
    out.set("va_indirect_usd", indirect_va);
    out.set("va_usmca_usd", usmca_va);
    let usmca_label = if usmca_names.is_empty() { "Mexico and Canada".to_string() } else { super::fmt::join_names(&usmca_names) };
    s.push(Block::KeyFigures(vec![
        key_figure(bn(va.total_origin_va_usd), &format!("Value added from {} in U.S. imports", p.short), Some(format!("{} of it via third countries", bn(indirect_va))), "wiod"),
        key_figure(bn(usmca_va), &format!("… in U.S. imports from {usmca_label}"), Some(format!("extra duty on it: {}", bn(usmca_extra))), "wiod"),
        key_figure(bn(va.total_extra_duty_usd), &format!("Extra U.S. duty on {}'s value added, {date}", p.short), Some("all routes, static".into()), "wiod"),
    ]));
    s.push(Block::paragraph(&format!(
        "Tracing value added through the world input–output table, {} of value added from {} entered the United States in 2024 goods, {} of it embedded in goods shipped from third countries; {} carried {}[^wiod]. Under scenario {} on {date}, {} of it sat in sectors whose U.S. tariff rose.{}",
        bn(va.total_origin_va_usd),
        p.name,
        pct(share_pct(indirect_va, va.total_origin_va_usd), 0),
        usmca_label,
        bn(usmca_va),
        ctx.scenario().id,
        bn(va.total_origin_va_hit_usd),
        if missing.is_empty() { String::new() } else { format!(" Members not in WIOD 2011 ({}) are left out.", missing.join(", ")) }
    )));
    let rows: Vec<Vec<String>> = va
        .routes
        .iter()
        .take(8)
        .map(|r| {
            vec![
                short_name(ctx.registry(), &r.exporter),
                bn(r.imports_usd),
                bn(r.origin_va_usd),
                pct(share_pct(r.origin_va_usd, r.imports_usd), 2),
                bn(r.origin_va_hit_usd),
                bn(r.extra_duty_on_origin_va_usd),
            ]
        })
        .collect();
    s.push(table(
        &format!("Value added from {} in U.S. imports, by the country that ships it", p.short),
        &["Shipped from", "U.S. imports", &format!("{} VA", p.short), "VA share", "VA facing higher tariffs", "Extra duty on it"],
        rows,
        Some(format!("2024 U.S. imports; WIOD 2011 production structure. Direct exports: {} of value added.", bn(direct_va))),
        &["wiod", "scenario"],
    ));
    let mut routes = va.routes.clone();
    routes.sort_by(|a, b| b.origin_va_usd.total_cmp(&a.origin_va_usd));
    let bars: Vec<Bar> = routes
        .iter()
        .take(10)
        .map(|r| {
            let name = short_name(ctx.registry(), &r.exporter);
            if r.direct {
                Bar::highlighted(name, r.origin_va_usd / 1e9)
            } else {
                Bar::new(name, r.origin_va_usd / 1e9)
            }
        })
        .collect();
    let chart = usd_bn_bars(
        ChartText::new(
            format!("Where value added from {} enters the United States", p.short),
            format!("Value added from {} in 2024 U.S. imports by the country that ships the goods, billions of dollars; direct exports highlighted.", p.name),
        )
        .with_subtitle("Value added by route, billions of dollars")
        .with_source("Source: kanzei on WIOD 2011 (Leontief inverse) and 2024 Census imports."),
        bars,
    )?;
    s.push(figure(
        chart,
        "value-added-routes.svg",
        format!("{} of {}'s value added in U.S. imports arrives through third countries.", pct(share_pct(indirect_va, va.total_origin_va_usd), 0), p.short),
        &["wiod"],
    ));
    out.json.insert(
        "value_added".into(),
        json!({
            "available": true,
            "origin_regions": origins,
            "va_in_us_imports_usd": va.total_origin_va_usd,
            "via_third_countries_usd": indirect_va,
            "via_usmca_partners_usd": usmca_va,
            "va_facing_higher_tariffs_usd": va.total_origin_va_hit_usd,
            "extra_duty_on_va_usd": va.total_extra_duty_usd,
            "routes": va.routes,
        }),
    );
    Ok(s)
}
