//! Effects: SMART trade creation and diversion in the partner's largest product heading, and
//! Caliendo–Parro real income with and without Chinese and Canadian retaliation.

use kanzei_core::{AreaCode, HsCode};
use kanzei_ge::caliendo_parro::{CountryWelfare, Equilibrium};
use kanzei_pe::smart::SmartConfig;
use serde_json::{json, Value};

use super::fmt::{bn, pct, short_name, signed_pct};
use super::{code, figure, key_figure, table, BriefError, Ctx, GeRuns, Out};
use crate::document::{Block, Callout, CalloutKind, Footnote, KeyFigure, Section};
use crate::facts::share_pct;
use crate::runs::{self, SmartBy, SmartGroup};
use crate::svg::{ChartText, GroupedBarChart, Series, ValueFormat};

/// The exporter SMART knows the partner as: itself when Census publishes its HS10 lines, the
/// EU aggregate for an EU member without them (SMART has the EU as one exporter), else none.
fn smart_key(ctx: &Ctx<'_, '_>) -> Result<Option<(String, Vec<u16>)>, BriefError> {
    let hs10 = ctx.store.us_imports_hs10()?;
    let p = &ctx.partner;
    let eu = code("EU27");
    if p.code == eu || (ctx.registry().is_member(p.code, eu) && !p.census_codes.iter().any(|c| hs10.has_partner(*c))) {
        let codes = ctx.registry().get(eu).map(|a| a.census_codes.clone()).unwrap_or_default();
        return Ok(Some(("EU27".into(), codes)));
    }
    if p.census_codes.iter().any(|c| hs10.has_partner(*c)) {
        return Ok(Some((p.code.to_string(), p.census_codes.clone())));
    }
    Ok(None)
}

/// The spec's product, else the partner's largest HS4 heading in 2024 U.S. imports.
fn product(ctx: &Ctx<'_, '_>, census_codes: &[u16]) -> Result<HsCode, BriefError> {
    if let Some(p) = &ctx.spec.pe_product {
        return HsCode::parse(p).map_err(|e| BriefError::Scenario(format!("brief `{}`: pe_product: {e}", ctx.spec.name)));
    }
    let hs10 = ctx.store.us_imports_hs10()?;
    let by4 = hs10.by_product(census_codes, 4);
    by4.into_iter().max_by(|a, b| a.1 .0.total_cmp(&b.1 .0)).map(|(c, _)| c).ok_or_else(|| BriefError::Scenario("no HS10 imports".into()))
}

/// A chart-sized product name: the HTS description's first clause, cut at a word boundary.
fn product_label(description: &str) -> String {
    let text = super::fmt::sentence_case(description);
    let clause = text.split([',', ';', ':']).next().unwrap_or(&text).trim();
    if clause.chars().count() <= 40 {
        return clause.to_string();
    }
    let mut out = String::new();
    for word in clause.split_whitespace() {
        if out.chars().count() + word.chars().count() + 1 > 38 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    format!("{out}…")
}

/// The effects section.
pub(crate) fn section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let mut s = Section::new("effects", "Effects: diversion in the largest product and welfare in general equilibrium");
    let mut figures = Vec::new();
    let smart_json = smart_part(ctx, out, &mut s, &mut figures)?;
    let ge_json = if ctx.options.general_equilibrium { ge_part(ctx, out, &mut s, &mut figures)? } else { Value::Null };
    s.blocks.insert(0, Block::KeyFigures(figures));
    out.json.insert("effects".into(), json!({"smart": smart_json, "ge": ge_json}));
    Ok(s)
}

fn smart_part(ctx: &Ctx<'_, '_>, out: &mut Out, s: &mut Section, figures: &mut Vec<KeyFigure>) -> Result<Value, BriefError> {
    let p = &ctx.partner;
    let date = ctx.date;
    let Some((key, codes)) = smart_key(ctx)? else {
        s.push(Block::Callout(Callout::new(
            CalloutKind::Caveat,
            Some("No product-level model"),
            &format!("Census publishes U.S. imports from {} by HS chapter only, so SMART, which needs HTS lines, leaves it out of the market (its trade is in the chapter totals above).", p.name),
        )));
        return Ok(json!({"available": false, "reason": "no HS10 import data for the partner"}));
    };
    let heading = product(ctx, &codes)?;
    let (draws, seed) = ctx.engine.draws();
    let options = runs::SmartOptions { by: SmartBy::Partner, filter: Some(heading), config: SmartConfig::default(), draws, seed, ..runs::SmartOptions::default() };
    // The brief's compiles give the rates of most of SMART's lines.
    let (new, old) = (&ctx.engine.evaluation().total_pct, &ctx.engine.base_evaluation().total_pct);
    let known = runs::KnownRates { cells: ctx.engine.cells(), new, old };
    let smart = runs::smart_us_on(ctx.store, ctx.engine.data(), ctx.scenario(), ctx.baseline(), date, &options, Some(known))?;
    let group_band = |key: &str| smart.bands.as_ref().and_then(|b| b.groups.iter().find(|g| g.key == key));
    out.footnote(Footnote {
        key: "smart".into(),
        dataset: format!("SMART partial equilibrium (Jammes and Olarreaga 2005) on 2024 U.S. imports of HS {heading} by HTS line and partner; elasticities from Hauk (2012), Broda and Weinstein (2006) and Fontagné, Guimbard and Orefice (2022)"),
        year: date.to_string(),
        basis: "import demand and substitution elasticities per HTS line; the EU as one exporter".into(),
        note: None,
    });
    let heading_name = ctx.store.hts()?.describe(heading).map(|d| product_label(&d)).unwrap_or_else(|| format!("HS {heading}"));
    // The partner and the five largest other suppliers.
    let mut groups: Vec<&SmartGroup> = smart.groups.iter().collect();
    groups.sort_by(|a, b| b.imports_before_usd.total_cmp(&a.imports_before_usd));
    let own = smart.groups.iter().find(|g| g.key == key);
    let mut shown: Vec<&SmartGroup> = own.into_iter().collect();
    shown.extend(groups.iter().filter(|g| g.key != key).take(5).copied());
    let label = |g: &SmartGroup| short_name(ctx.registry(), &g.key);
    let before: f64 = smart.groups.iter().map(|g| g.imports_before_usd).sum();
    let after: f64 = smart.groups.iter().map(|g| g.imports_after_usd).sum();
    let avg = |f: fn(&SmartGroup) -> f64| share_pct(smart.groups.iter().map(|g| g.imports_before_usd * f(g) / 100.0).sum(), before);
    let band_cell = |g: &SmartGroup| {
        group_band(&g.key).map_or("—".into(), |b| format!("{} to {}", bn(b.imports_after_usd.p5 - g.imports_before_usd), bn(b.imports_after_usd.p95 - g.imports_before_usd)))
    };
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|g| {
            let mut row = vec![label(g), bn(g.imports_before_usd), pct(g.rate_before_pct, 1), pct(g.rate_after_pct, 1), bn(g.trade_creation_usd), bn(g.trade_diversion_usd), bn(g.imports_after_usd - g.imports_before_usd)];
            if smart.bands.is_some() {
                row.push(band_cell(g));
            }
            row
        })
        .collect();
    let change = own.map_or(f64::NAN, |g| g.imports_after_usd - g.imports_before_usd);
    out.set("smart_change_usd", change);
    // The band of the change: imports after, less the fixed 2024 imports, draw by draw.
    let change_band = own.and_then(|g| group_band(&g.key).map(|b| (b.imports_after_usd.p5 - g.imports_before_usd, b.imports_after_usd.p95 - g.imports_before_usd)));
    let band_text = |band: Option<(f64, f64)>| band.map_or(String::new(), |(lo, hi)| format!("; 90% band {} to {}", bn(lo), bn(hi)));
    figures.push(key_figure(
        bn(change),
        &format!("Change in U.S. imports of {} from {} (SMART)", heading_name.to_lowercase(), if key == p.code.as_str() { p.short.clone() } else { short_name(ctx.registry(), &key) }),
        Some(format!("of {} in 2024{}", own.map_or("—".into(), |g| bn(g.imports_before_usd)), band_text(change_band))),
        "smart",
    ));
    s.push(Block::paragraph(&format!(
        "In {} (HS {heading}), {}'s largest export heading to the United States{}, every supplier faces the scenario's duties, so what matters is each one's rate against its rivals'. With the average U.S. duty on the heading going from {} to {} on {date}, SMART puts U.S. imports at {} after substitution against {} in 2024. {}'s sales change by {}: {} from higher prices (trade creation) and {} from shifts between suppliers (diversion)[^smart].",
        heading_name.to_lowercase(),
        p.short,
        if ctx.spec.pe_product.is_some() { " named in the brief's spec" } else { "" },
        pct(avg(|g| g.rate_before_pct), 1),
        pct(avg(|g| g.rate_after_pct), 1),
        bn(after),
        bn(before),
        if key == p.code.as_str() { p.short.clone() } else { format!("The EU's (of which {})", p.short) },
        bn(change),
        own.map_or("—".into(), |g| bn(g.trade_creation_usd)),
        own.map_or("—".into(), |g| bn(g.trade_diversion_usd)),
    )));
    if let (Some((lo, hi)), Some(b)) = (change_band, &smart.bands) {
        s.push(Block::paragraph(&format!(
            "Drawing the import-demand and substitution elasticities {} times from their published standard errors, or from the spread of the three published sets where no standard error exists, puts the change between {} and {} (90% band){}.",
            b.summary.succeeded,
            bn(lo),
            bn(hi),
            if b.summary.failed > 0 { format!("; {} draws failed and are left out", b.summary.failed) } else { String::new() }
        )));
    }
    let mut chart = GroupedBarChart::new(
        ChartText::new(
            format!("{}: who loses and who gains the U.S. market, {date}", heading_name),
            format!("SMART partial-equilibrium change in U.S. imports of HS {heading} by exporter, billions of dollars, split into trade creation (lost to higher prices) and trade diversion (won from other suppliers)."),
        )
        .with_subtitle(format!(
            "Change in U.S. imports of HS {heading} against the baseline, $ bn{}",
            smart.bands.as_ref().map_or(String::new(), |b| format!("; whiskers: 90% band over {} elasticity draws", b.summary.succeeded))
        ))
        .with_source("Source: kanzei SMART on 2024 Census HS10 imports; elasticities Hauk (2012), Broda–Weinstein (2006)."),
        shown.iter().map(|g| label(g)).collect(),
        {
            let mut creation = Series::new("Trade creation", shown.iter().map(|g| g.trade_creation_usd / 1e9).collect());
            let mut diversion = Series::new("Trade diversion", shown.iter().map(|g| g.trade_diversion_usd / 1e9).collect());
            if smart.bands.is_some() {
                let errors = |f: fn(&crate::smart_sets::GroupBands) -> kanzei_core::draws::Band, point: fn(&SmartGroup) -> f64| -> Vec<(f64, f64)> {
                    shown.iter().map(|g| group_band(&g.key).map_or((point(g) / 1e9, point(g) / 1e9), |b| (f(b).p5 / 1e9, f(b).p95 / 1e9))).collect()
                };
                creation = creation.with_errors(errors(|b| b.trade_creation_usd, |g| g.trade_creation_usd));
                diversion = diversion.with_errors(errors(|b| b.trade_diversion_usd, |g| g.trade_diversion_usd));
            }
            vec![creation, diversion]
        },
        ValueFormat::UsdBn { decimals: 1 },
    );
    chart.highlight_categories = own.map(|g| vec![label(g)]).unwrap_or_default();
    chart.axis_label = Some("$ bn".into());
    s.push(figure(chart.render()?, "pe-diversion.svg", "Trade creation is always a loss for the supplier whose price rises; diversion goes to suppliers whose tariff rose less than the market's.".into(), &["smart"]));
    s.push(table(
        &format!("U.S. imports of HS {heading} under {} on {date}", ctx.scenario().id),
        &if smart.bands.is_some() {
            vec!["Exporter", "2024 imports", "Rate before", "Rate after", "Creation", "Diversion", "Net change", "90% band"]
        } else {
            vec!["Exporter", "2024 imports", "Rate before", "Rate after", "Creation", "Diversion", "Net change"]
        },
        rows,
        Some("Rates are import-weighted over 2024 lines of the heading. The EU is one exporter, rated as Germany (EU measures are uniform across members).".into()),
        &["smart", "scenario"],
    ));
    Ok(json!({
        "available": true,
        "product": heading.to_string(),
        "exporter_key": key,
        "imports_before_usd": before,
        "imports_after_usd": after,
        "groups": shown.iter().map(|g| {
            let mut row = json!({"exporter": g.key, "imports_before_usd": g.imports_before_usd, "imports_after_usd": g.imports_after_usd, "trade_creation_usd": g.trade_creation_usd, "trade_diversion_usd": g.trade_diversion_usd, "rate_before_pct": g.rate_before_pct, "rate_after_pct": g.rate_after_pct});
            if let Some(b) = group_band(&g.key) {
                for (name, band) in [("imports_after_usd", b.imports_after_usd), ("trade_creation_usd", b.trade_creation_usd), ("trade_diversion_usd", b.trade_diversion_usd)] {
                    row[format!("{name}_p5")] = json!(band.p5);
                    row[format!("{name}_p50")] = json!(band.p50);
                    row[format!("{name}_p95")] = json!(band.p95);
                }
            }
            row
        }).collect::<Vec<_>>(),
        "draws": smart.bands.as_ref().map(|b| json!({"draws": b.summary.draws, "seed": b.summary.seed, "succeeded": b.summary.succeeded, "failed": b.summary.failed, "distribution": b.summary.distribution})),
        "elasticity_set": smart.elasticity_set,
    }))
}

/// A country's (or, for a group, its members' income-weighted) welfare numbers.
fn welfare(eq: &Equilibrium, members: &[&str], f: fn(&CountryWelfare) -> f64) -> f64 {
    let rows: Vec<&CountryWelfare> = members.iter().filter_map(|m| eq.country(m).ok()).collect();
    let w: f64 = rows.iter().map(|r| r.income_base).sum();
    if rows.is_empty() || w <= 0.0 {
        return f64::NAN;
    }
    rows.iter().map(|r| r.income_base * f(r)).sum::<f64>() / w
}

/// The 90% band of a country's (or group's income-weighted) real-income change, taken draw
/// by draw from a Monte Carlo run of `eq`.
fn welfare_band(eq: &Equilibrium, bands: &crate::theta_sets::CpBands, members: &[&str]) -> Option<kanzei_core::draws::Band> {
    let idx: Vec<(usize, f64)> = members
        .iter()
        .filter_map(|m| eq.countries.iter().position(|c| c.country == *m).map(|i| (i, eq.countries[i].income_base)))
        .collect();
    let w: f64 = idx.iter().map(|(_, w)| w).sum();
    if idx.is_empty() || w <= 0.0 || bands.real_income_draws.is_empty() {
        return None;
    }
    let mut values: Vec<f64> = bands.real_income_draws.iter().map(|d| idx.iter().map(|(i, wi)| wi * d[*i]).sum::<f64>() / w).collect();
    Some(kanzei_core::draws::Band::of(&mut values))
}

/// The countries the welfare chart shows: the partner first, then the United States, China,
/// Canada, Mexico and Japan or Korea, six in all.
fn ge_countries(ctx: &Ctx<'_, '_>, regions: &[String]) -> Vec<(String, Vec<String>)> {
    let p = &ctx.partner;
    let mut list: Vec<(String, Vec<String>)> = Vec::new();
    let own: Vec<String> = p.members.iter().map(|m| m.to_string()).filter(|m| regions.contains(m)).collect();
    if !own.is_empty() {
        list.push((p.short.clone(), own));
    }
    for c in ["USA", "CHN", "CAN", "MEX", "JPN", "KOR", "DEU"] {
        if list.len() >= 6 {
            break;
        }
        let code = AreaCode::new(c).expect("valid");
        if p.members.contains(&code) {
            continue;
        }
        list.push((short_name(ctx.registry(), c), vec![c.to_string()]));
    }
    list
}

fn ge_part(ctx: &Ctx<'_, '_>, out: &mut Out, s: &mut Section, figures: &mut Vec<KeyFigure>) -> Result<Value, BriefError> {
    let p = &ctx.partner;
    let date = ctx.date;
    out.footnote(Footnote {
        key: "ge".into(),
        dataset: "Caliendo, L. and Parro, F. (2015), \"Estimates of the Trade and Welfare Effects of NAFTA\", Review of Economic Studies 82(1), solved by kanzei on the WIOD 2011 world input–output table".into(),
        year: date.to_string(),
        basis: "exact change in real income (percent), with the paper's terms-of-trade and volume-of-trade decomposition; sectoral trade elasticities θ from Caliendo–Parro, services set to 5".into(),
        note: Some("Tariffs from the scenarios mapped to WIOD sectors; trade deficits held at 2011 shares of world GDP.".into()),
    });
    let mut wiod_note = Footnote::from_source("wiod", &ctx.store.wiod_2011()?.source);
    wiod_note.note = Some("The general-equilibrium baseline: WIOD 2011 trade, value added and input–output shares.".into());
    out.footnote(wiod_note);
    let runs: &GeRuns = match ctx.engine.ge() {
        Ok(r) => r,
        Err(e) => {
            s.push(Block::Callout(Callout::new(
                CalloutKind::Caveat,
                Some("General equilibrium not shown"),
                &format!("The Caliendo–Parro solve on WIOD 2011 did not finish: {}. The partial-equilibrium results above stand on their own.", e.replace('*', "\\*")),
            )));
            return Ok(json!({ "error": e }));
        }
    };
    out.stages.push(("ge (shared)".into(), runs.seconds));
    let regions: Vec<String> = runs.only.equilibrium.countries.iter().map(|c| c.country.clone()).collect();
    let countries = ge_countries(ctx, &regions);
    let pick = |eq: &Equilibrium, f: fn(&CountryWelfare) -> f64| -> Vec<f64> {
        countries.iter().map(|(_, m)| welfare(eq, &m.iter().map(|x| x.as_str()).collect::<Vec<_>>(), f)).collect()
    };
    // Ŵ_n: the exact real-income change; ToT + VoT is its first-order decomposition (CP 2015, eq. 15).
    let a = pick(&runs.only.equilibrium, |w| w.real_income_pct);
    let b = pick(&runs.with.equilibrium, |w| w.real_income_pct);
    let tot = pick(&runs.only.equilibrium, |w| w.tot_pct);
    let vot = pick(&runs.only.equilibrium, |w| w.vot_pct);
    let rw = pick(&runs.only.equilibrium, |w| w.real_wage_pct);
    let labels: Vec<String> = countries.iter().map(|(n, _)| n.clone()).collect();
    let partner_in = countries.first().is_some_and(|(n, _)| *n == p.short);
    let us = labels.iter().position(|l| l == "United States").unwrap_or(0);
    // 90% bands over θ draws (the same draws for both runs), per shown country or group.
    let band_of = |eq: &Equilibrium, b: &crate::theta_sets::CpBands| -> Vec<Option<kanzei_core::draws::Band>> {
        countries.iter().map(|(_, m)| welfare_band(eq, b, &m.iter().map(|x| x.as_str()).collect::<Vec<_>>())).collect()
    };
    let (band_a, band_b) = match &runs.bands {
        Some((bo, bw)) => (band_of(&runs.only.equilibrium, bo), band_of(&runs.with.equilibrium, bw)),
        None => (vec![None; countries.len()], vec![None; countries.len()]),
    };
    let band_text = |band: Option<kanzei_core::draws::Band>| band.map_or(String::new(), |b| format!(" [{} to {}]", signed_pct(b.p5), signed_pct(b.p95)));
    // "90% band −0.21% to −0.07%; −0.40% with retaliation [−0.5% to −0.3%]".
    let secondary = |own: Option<kanzei_core::draws::Band>, retaliation: f64, retaliation_band: Option<kanzei_core::draws::Band>| {
        let with = format!("{} with retaliation{}", signed_pct(retaliation), band_text(retaliation_band));
        match own {
            Some(b) => format!("90% band {} to {}; {with}", signed_pct(b.p5), signed_pct(b.p95)),
            None => with,
        }
    };
    if partner_in {
        out.set("ge_partner_pct", a[0]);
        out.set("ge_partner_retaliation_pct", b[0]);
        figures.push(key_figure(
            signed_pct(a[0]),
            &format!("{}'s real income (general equilibrium)", p.short),
            Some(secondary(band_a[0], b[0], band_b[0])),
            "ge",
        ));
    }
    out.set("ge_us_pct", a[us]);
    figures.push(key_figure(
        signed_pct(a[us]),
        "U.S. real income (general equilibrium)",
        Some(secondary(band_a[us], b[us], band_b[us])),
        "ge",
    ));
    let mut chart = GroupedBarChart::new(
        ChartText::new(
            "Change in real income, general equilibrium",
            format!("Caliendo–Parro change in real income, percent, under {} on {date}, with and without Chinese and Canadian retaliation.", ctx.scenario().id),
        )
        .with_subtitle(match &runs.bands {
            Some((bo, _)) => format!("Percent change in real income, long run; whiskers: 90% band over {} θ draws", bo.summary.succeeded),
            None => "Percent change in real income, long run".to_string(),
        })
        .with_source("Source: kanzei Caliendo–Parro (2015) on WIOD 2011."),
        labels.clone(),
        {
            let mut only = Series::new("U.S. tariffs only", a.clone());
            let mut with = Series::new("With Chinese and Canadian retaliation", b.clone());
            let errors = |bands: &[Option<kanzei_core::draws::Band>], point: &[f64]| -> Vec<(f64, f64)> {
                bands.iter().zip(point).map(|(b, v)| b.map_or((*v, *v), |b| (b.p5.min(*v), b.p95.max(*v)))).collect()
            };
            if runs.bands.is_some() {
                only = only.with_errors(errors(&band_a, &a));
                with = with.with_errors(errors(&band_b, &b));
            }
            vec![only, with]
        },
        ValueFormat::Percent { decimals: 2 },
    );
    if partner_in {
        chart.highlight_categories = vec![labels[0].clone()];
    }
    let partner_sentence = if partner_in {
        format!(
            "the tariffs change {}'s real income by {} and that of the United States by {}; with Chinese and Canadian retaliation the changes become {} and {}",
            p.short,
            signed_pct(a[0]),
            signed_pct(a[us]),
            signed_pct(b[0]),
            signed_pct(b[us])
        )
    } else {
        format!(
            "{} is inside WIOD's rest of the world and not shown; the tariffs change U.S. real income by {} ({} with Chinese and Canadian retaliation)",
            p.name,
            signed_pct(a[us]),
            signed_pct(b[us])
        )
    };
    let worst = (0..labels.len()).filter(|&i| i != us).min_by(|&i, &j| a[i].total_cmp(&a[j]));
    s.push(Block::paragraph(&format!(
        "In general equilibrium (Caliendo–Parro on the 2011 world input–output table) {partner_sentence}[^ge]. Of the countries shown, {} loses most ({}). The paper's first-order decomposition credits the United States with a terms-of-trade change of {} and a volume-of-trade change of {}; the exact change in real income, which this brief reports, also counts the higher prices U.S. buyers pay. The two solves take {} and {} iterations.",
        worst.map_or("—".into(), |i| labels[i].clone()),
        worst.map_or("—".into(), |i| signed_pct(a[i])),
        signed_pct(tot[us]),
        signed_pct(vot[us]),
        runs.only.equilibrium.report.iterations,
        runs.with.equilibrium.report.iterations
    )));
    if let Some((bo, _)) = &runs.bands {
        s.push(Block::paragraph(&format!(
            "The trade elasticities θ are estimates: drawing them {} times from Caliendo and Parro's published standard errors (held fixed for services; see the method notes) and solving again gives the 90% bands in brackets and the error bars below{}.",
            bo.summary.succeeded,
            if bo.summary.failed > 0 { format!("; {} draws did not converge and are left out", bo.summary.failed) } else { String::new() }
        )));
    }
    s.push(figure(chart.render()?, "ge-real-income.svg", format!("Negative values are losses of real income. {} does not retaliate in either case.", if p.code.as_str() == "CHN" || p.code.as_str() == "CAN" { "Only China and Canada retaliate;".to_string() } else { p.short.clone() }), &["ge"]));
    let cell = |v: f64, band: Option<kanzei_core::draws::Band>| format!("{}{}", signed_pct(v), band_text(band));
    let rows: Vec<Vec<String>> = (0..labels.len()).map(|i| vec![labels[i].clone(), cell(a[i], band_a[i]), signed_pct(tot[i]), signed_pct(vot[i]), signed_pct(rw[i]), cell(b[i], band_b[i])]).collect();
    s.push(table(
        if runs.bands.is_some() { "Change in real income by country, percent [90% band]" } else { "Change in real income by country, percent" },
        &["Country", "U.S. tariffs", "Terms of trade", "Volume of trade", "Real wage", "With retaliation"],
        rows,
        Some(format!(
            "Terms and volume of trade: the first-order decomposition of CP (2015); for countries without tariffs in the baseline the volume term is zero.{} {}",
            if p.is_group { " A group's figures are its members' weighted by baseline income." } else { "" },
            runs.with.notes.join(" ")
        )),
        &["ge", "wiod"],
    ));
    Ok(json!({
        "countries": countries.iter().map(|(n, m)| json!({"name": n, "regions": m})).collect::<Vec<_>>(),
        "real_income_pct_us_tariffs": a,
        "real_income_pct_with_retaliation": b,
        "terms_of_trade_pct": tot,
        "volume_of_trade_pct": vot,
        "real_wage_pct": rw,
        "iterations": [runs.only.equilibrium.report.iterations, runs.with.equilibrium.report.iterations],
        "real_income_pct_us_tariffs_p5": band_a.iter().map(|b| b.map(|b| b.p5)).collect::<Vec<_>>(),
        "real_income_pct_us_tariffs_p50": band_a.iter().map(|b| b.map(|b| b.p50)).collect::<Vec<_>>(),
        "real_income_pct_us_tariffs_p95": band_a.iter().map(|b| b.map(|b| b.p95)).collect::<Vec<_>>(),
        "real_income_pct_with_retaliation_p5": band_b.iter().map(|b| b.map(|b| b.p5)).collect::<Vec<_>>(),
        "real_income_pct_with_retaliation_p50": band_b.iter().map(|b| b.map(|b| b.p50)).collect::<Vec<_>>(),
        "real_income_pct_with_retaliation_p95": band_b.iter().map(|b| b.map(|b| b.p95)).collect::<Vec<_>>(),
        "draws": runs.bands.as_ref().map(|(bo, bw)| json!({"draws": bo.summary.draws, "seed": bo.summary.seed, "succeeded": [bo.summary.succeeded, bw.summary.succeeded], "failed": [bo.summary.failed, bw.summary.failed], "distribution": bo.summary.distribution, "seconds": bo.seconds + bw.seconds})),
    }))
}
