//! Sections that need data kanzei has for Japan only: its own customs statistics (MOF), Toyota's
//! production results, its LNG imports, and its defence and host-nation-support ledger. Each is
//! named in a spec's `sections` (see `briefs/us-japan-2025/brief.toml`); the spec parser
//! rejects them for any other partner.

use kanzei_core::FlowDirection;
use serde_json::json;

use super::fmt::{bn, pct, short_name};
use super::{usd_bn_bars, claims_block, code, figure, key_figure, table, BriefError, Ctx, Out};
use crate::document::{Block, Callout, CalloutKind, Footnote, Section};
use crate::facts::{ordinal, share_pct};
use crate::svg::{Bar, ChartDate, ChartText, HBarChart, LineChart, LineSeries, LineShape, ValueFormat};

/// The year of Japan's trade data shown.
const YEAR: i32 = 2024;

/// Yen per dollar in `year`, implied by IMF WEO GDP in yen and dollars.
fn yen_rate(ctx: &Ctx<'_, '_>, out: &mut Out, year: i32) -> Result<f64, BriefError> {
    let weo = ctx.store.weo()?;
    let rate = weo.implied_rate("JPN", year)?;
    let mut mof_note = Footnote::from_source("mof", &ctx.store.japan_mof()?.source(&year.to_string()));
    mof_note.note = Some(format!("Converted to dollars at ¥{rate:.2} per dollar, the {year} rate implied by IMF WEO GDP in yen and dollars."));
    out.footnote(mof_note);
    Ok(rate)
}

/// Japan's exports to the U.S. by MOF commodity group, and the concentration claims.
pub(crate) fn exports_section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let mof = ctx.store.japan_mof()?;
    let usa = code("USA");
    let rate = yen_rate(ctx, out, YEAR)?;
    let mut s = Section::new("japan-exports", "Japan's side: its exports to the United States");
    let mut items: Vec<(&str, f64)> = mof
        .by_commodity(FlowDirection::Exports, usa, YEAR)
        .into_iter()
        .filter(|(g, _)| kanzei_data::japan_mof::commodity_level(g) == kanzei_data::japan_mof::CommodityLevel::Item)
        .collect();
    items.sort_by(|a, b| b.1.total_cmp(&a.1));
    let total_us = mof.value(FlowDirection::Exports, usa, "Grand Total", YEAR).unwrap_or(f64::NAN);
    let world = mof.value(FlowDirection::Exports, code("WLD"), "Grand Total", YEAR).unwrap_or(f64::NAN);
    let bars: Vec<Bar> = items
        .iter()
        .take(10)
        .map(|(g, v)| if g.contains("Motor Vehicles") { Bar::highlighted(g.to_string(), v / rate) } else { Bar::new(g.to_string(), v / rate) })
        .collect();
    let mv = mof.value(FlowDirection::Exports, usa, "Motor Vehicles", YEAR).unwrap_or(0.0);
    let parts = mof.value(FlowDirection::Exports, usa, "Parts Of Motor Vehicles", YEAR).unwrap_or(0.0);
    s.push(Block::KeyFigures(vec![
        key_figure(pct(share_pct(total_us, world), 1), "U.S. share of Japan's exports", Some("Japan's customs statistics".into()), "mof"),
        key_figure(format!("¥{:.1} tn", total_us / 1e3), &format!("Japan's exports to the United States, {YEAR}"), Some(bn(total_us * 1e9 / rate)), "mof"),
        key_figure(pct(share_pct(mv + parts, total_us), 1), "Motor vehicles and parts in them", None, "mof"),
    ]));
    let chart = usd_bn_bars(
        ChartText::new(
            format!("Japan's exports to the United States by commodity group, {YEAR}"),
            format!("Japan's {YEAR} exports to the United States by MOF commodity item, billions of dollars at the WEO-implied yen rate; motor vehicles and parts highlighted."),
        )
        .with_subtitle("Japan's customs statistics (f.o.b.), billions of dollars")
        .with_source("Source: Ministry of Finance Japan, Trade Statistics; IMF WEO for the yen rate."),
        bars,
    )?;
    s.push(figure(
        chart,
        "japan-exports-to-us.svg",
        format!(
            "Seen from Japan, motor vehicles and their parts were {} of its ¥{:.1} tn of exports to the United States ({} at ¥{:.0}/$).",
            pct(share_pct(mv + parts, total_us), 1),
            total_us / 1e3,
            bn(total_us * 1e9 / rate),
            rate
        ),
        &["mof"],
    ));
    let hs10 = ctx.store.us_imports_hs10()?;
    let codes = &ctx.partner.census_codes;
    let (imp_total, _) = hs10.total(codes);
    s.push(Block::paragraph(&format!(
        "The two views differ by basis: U.S. imports are valued at the U.S. border in the year they arrive, Japan's exports f.o.b. when they leave. Both say the same thing about concentration. Motor vehicles, parts and motorcycles were {} of *all* Japan's exports in {YEAR} and the United States took {} of Japan's motor-vehicle exports by value[^mof]. Iron and steel and aluminium (HS 72 and 76) were {} of U.S. imports from Japan, {} with steel articles (HS 73)[^hs10].",
        pct(ctx.claim_value("autos-share"), 1),
        pct(ctx.claim_value("autos-us-share"), 1),
        pct(share_pct(hs10.value_in_chapters(codes, &["72", "76"]), imp_total), 1),
        pct(ctx.claim_value("steel-aluminium-share"), 1),
    )));
    out.json.insert("japan_exports".into(), json!({"year": YEAR, "to_us_jpy": total_us * 1e9, "to_us_usd": total_us * 1e9 / rate, "us_share_pct": share_pct(total_us, world), "jpy_per_usd": rate}));
    Ok(s)
}

/// Where Toyota builds its vehicles.
pub(crate) fn toyota_section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let (toyota, _) = ctx.store.autos()?;
    out.footnote(Footnote::from_source("toyota", &kanzei_data::autos::ToyotaResults::source(YEAR)));
    let mut s = Section::new("toyota", "Where Japanese cars sold in the United States are built");
    let japan = toyota.get("production", "Japan", "", YEAR).unwrap_or(0.0);
    let mut bars: Vec<Bar> = vec![Bar::new("Japan", japan / 1e6)];
    for (row, units) in toyota.by_country("production", YEAR).iter().take(11) {
        let label = row.country.clone();
        if ["U.S.", "Canada", "Mexico"].contains(&label.as_str()) {
            bars.push(Bar::highlighted(label, units / 1e6));
        } else {
            bars.push(Bar::new(label, units / 1e6));
        }
    }
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    let mut chart = HBarChart::new(
        ChartText::new(format!("Where Toyota builds its vehicles, {YEAR}"), format!("Toyota and Lexus vehicle production by country in {YEAR}, millions of vehicles; United States, Canada and Mexico highlighted."))
            .with_subtitle("Vehicles produced, millions (Toyota and Lexus)")
            .with_source("Source: Toyota Motor Corporation, production, sales and export results."),
        bars,
        ValueFormat::Number { decimals: 2 },
    );
    chart.axis_label = Some("million vehicles".into());
    let get = |kind: &str, region: &str, country: &str| toyota.get(kind, region, country, YEAR).unwrap_or(0.0);
    let (sales, us, can, mex, shipped) = (
        get("sales", "North America", "U.S. (incl. Hawaii)"),
        get("production", "North America", "U.S."),
        get("production", "North America", "Canada"),
        get("production", "North America", "Mexico"),
        get("exports", "North America", "U.S. (incl. Hawaii)"),
    );
    s.push(figure(
        chart.render()?,
        "toyota-production.svg",
        format!(
            "Toyota sold {:.2} million vehicles in the United States in {YEAR}. It built {:.2} million there, {:.2} million in Canada and {:.2} million in Mexico, and shipped {:.2} million from Japan to the United States. Its Canadian and Mexican plants, exposed to the tariffs on those countries, produced {} vehicles than Toyota exported from Japan to the U.S.",
            sales / 1e6,
            us / 1e6,
            can / 1e6,
            mex / 1e6,
            shipped / 1e6,
            if can + mex > shipped { format!("{:.0}% more", share_pct(can + mex - shipped, shipped)) } else { format!("{:.0}% fewer", share_pct(shipped - can - mex, shipped)) }
        ),
        &["toyota"],
    ));
    out.json.insert("toyota".into(), json!({"year": YEAR, "us_sales_units": sales, "us_production_units": us, "canada_production_units": can, "mexico_production_units": mex, "japan_to_us_exports_units": shipped}));
    Ok(s)
}

/// Japan's LNG imports by supplier, the bound on what a switch to U.S. LNG could do to the
/// deficit, and the investment pledge.
pub(crate) fn lng_section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let mof = ctx.store.japan_mof()?;
    let (usa, wld, jpn) = (code("USA"), code("WLD"), code("JPN"));
    let rate = yen_rate(ctx, out, YEAR)?;
    let headline = super::trade::headline(ctx)?;
    let balance = headline.balance_usd;
    let mut s = Section::new("offsets", "Offsets: LNG and the investment pledge");
    let world = mof.value(FlowDirection::Imports, wld, "Lng", YEAR).unwrap_or(0.0);
    let from_us = mof.value(FlowDirection::Imports, usa, "Lng", YEAR).unwrap_or(0.0);
    let mut suppliers = mof.partners(FlowDirection::Imports, "Lng", YEAR);
    suppliers.retain(|(p, _)| *p != wld);
    suppliers.sort_by(|a, b| b.1.total_cmp(&a.1));
    let to_usd = |jpy_bn: f64| jpy_bn * 1e9 / rate;
    let bound = to_usd(world - from_us);
    s.push(Block::KeyFigures(vec![
        key_figure(bn(to_usd(world)), &format!("Japan's LNG imports, {YEAR}"), Some(format!("¥{:.1} tn", world / 1e3)), "mof"),
        key_figure(pct(share_pct(from_us, world), 1), "U.S. share of Japan's LNG imports", Some(bn(to_usd(from_us))), "mof"),
        key_figure(pct(share_pct(bound, -balance), 0), "Of the deficit, if all Japan's LNG came from the U.S.", Some(format!("upper bound: {}", bn(bound))), "mof"),
    ]));
    let exports = ctx.store.us_exports()?;
    let us27: f64 = exports.lines.iter().filter(|l| l.partner == jpn && l.year == YEAR && l.chapter.to_string() == "27").map(|l| l.value_usd).sum();
    out.footnote(Footnote::from_source("us-exports", &exports.source(&YEAR.to_string())));
    s.push(Block::paragraph(&format!(
        "Unlike China and Canada, Japan did not retaliate; it offered more purchases of U.S. energy, and investment. LNG is the largest lever. Japan imported {} of LNG in {YEAR}, {} of it from the United States ({})[^mof]. Even if Japan bought *all* its LNG from the United States at {YEAR} prices, U.S. exports would rise by at most {}, {} of the {} deficit — and long-term contracts with other suppliers make the real figure far smaller. U.S. exports of all mineral fuels (HS 27) to Japan were {} in {YEAR}[^us-exports].",
        bn(to_usd(world)),
        bn(to_usd(from_us)),
        pct(share_pct(from_us, world), 1),
        bn(bound),
        pct(share_pct(bound, -balance), 0),
        bn(-balance),
        bn(us27)
    )));
    let bars: Vec<Bar> = suppliers
        .iter()
        .take(8)
        .map(|(p, v)| {
            let name = short_name(ctx.registry(), p.as_str());
            if *p == usa {
                Bar::highlighted(name, to_usd(*v) / 1e9)
            } else {
                Bar::new(name, to_usd(*v) / 1e9)
            }
        })
        .collect();
    let chart = usd_bn_bars(
        ChartText::new(format!("Where Japan buys its LNG, {YEAR}"), format!("Japan's {YEAR} imports of liquefied natural gas by supplier, billions of dollars; the United States highlighted."))
            .with_subtitle("Japan's LNG imports by supplier, $ bn (c.i.f.)")
            .with_source("Source: Ministry of Finance Japan, Trade Statistics; IMF WEO for the yen rate."),
        bars,
    )?;
    let us_rank = suppliers.iter().position(|(p, _)| *p == usa).map_or(0, |i| i + 1);
    let top2: f64 = suppliers.iter().take(2).map(|x| x.1).sum();
    s.push(figure(
        chart,
        "japan-lng-suppliers.svg",
        format!(
            "{} and {} supplied {} of Japan's LNG; by value the United States was the {} largest supplier with {} (MOF value data). By volume it ranks {} with about {} (published volume data in tonnes, a stated parameter: MOF's data in kanzei hold values only).",
            suppliers.first().map_or(String::new(), |x| short_name(ctx.registry(), x.0.as_str())),
            suppliers.get(1).map_or(String::new(), |x| short_name(ctx.registry(), x.0.as_str())),
            pct(share_pct(top2, world), 0),
            ordinal(us_rank as i64),
            pct(share_pct(from_us, world), 1),
            ordinal(ctx.asserted("lng-rank-volume") as i64),
            pct(ctx.asserted("lng-share-volume"), 1),
        ),
        &["mof"],
    ));
    s.push(pledge_callout(ctx));
    if let Some(block) = claims_block(ctx, "offsets", "The pledge and LNG: the bulletin's figures and the parameters kanzei adds") {
        s.push(block);
    }
    out.set("lng_bound_share_pct", share_pct(bound, -balance));
    out.json.insert(
        "offsets".into(),
        json!({
            "japan_lng_imports_usd": to_usd(world),
            "us_lng_to_japan_usd": to_usd(from_us),
            "us_share_pct": share_pct(from_us, world),
            "us_rank_by_value": us_rank,
            "us_rank_by_volume": ctx.parameter_json("lng-rank-volume"),
            "us_share_by_volume": ctx.parameter_json("lng-share-volume"),
            "all_lng_from_us_bound_usd": bound,
            "pledge": pledge_json(ctx),
            "investment_vehicle": if ctx.claim("investment-vehicle").is_some_and(|c| ctx.known(c)) { ctx.parameter_json("investment-vehicle") } else { serde_json::Value::Null },
        }),
    );
    Ok(s)
}

/// The $1 tn pledge as a stock target: the 2023 position it starts from and what it adds.
fn pledge_numbers(ctx: &Ctx<'_, '_>) -> (f64, f64, f64) {
    let target = ctx.asserted("investment-pledge");
    let position = ctx.asserted("investment-position-2023");
    (target, position, target - position)
}

fn pledge_json(ctx: &Ctx<'_, '_>) -> serde_json::Value {
    let (target, position, added) = pledge_numbers(ctx);
    let pledge = ctx.claim("investment-pledge");
    json!({
        "target_usd": target,
        "position_2023_usd": position,
        "added_usd": added,
        "basis": "a target for the stock of Japanese direct investment in the United States",
        "source": pledge.and_then(|c| c.reference.clone()),
        "as_of": pledge.and_then(|c| c.as_of.clone()),
        "parameters": [ctx.parameter_json("investment-pledge"), ctx.parameter_json("investment-position-2023")],
    })
}

/// The pledge, corrected: a stock target, what it adds, and the later $550 bn vehicle when the
/// brief's date knows it.
fn pledge_callout(ctx: &Ctx<'_, '_>) -> Block {
    let (target, position, added) = pledge_numbers(ctx);
    let position_source = ctx.claim("investment-position-2023").and_then(|c| c.reference.clone()).unwrap_or_default();
    let vehicle = ctx.claim("investment-vehicle").filter(|c| ctx.known(c)).map_or(String::new(), |c| {
        format!(
            " A different instrument came later ({}): {} — {}.",
            c.as_of.clone().unwrap_or_default(),
            c.text,
            c.reference.clone().unwrap_or_default()
        )
    });
    Block::Callout(Callout::new(
        CalloutKind::Note,
        Some("The investment pledge"),
        &format!(
            "The bulletin reports Ishiba's pledge of {} (¶{}). It is a target for the *stock* of Japanese investment in the United States, not new money: the direct investment position was {} at the end of 2023 ({position_source}; the bulletin's ¶{} rounds it to {}), so reaching the target adds about {}.{vehicle}",
            ctx.claim("investment-pledge").and_then(|c| c.asserted.clone()).unwrap_or_else(|| bn(target)),
            ctx.claim("investment-pledge").and_then(|c| c.paragraph).unwrap_or_default(),
            bn(position),
            ctx.claim("investment-position").and_then(|c| c.paragraph).unwrap_or_default(),
            ctx.claim("investment-position").and_then(|c| c.asserted.clone()).unwrap_or_default(),
            bn(added),
        ),
    ))
}

/// A defence-spending path on Japan's definition: a share of FY2022 GDP, ramping linearly from
/// the 2024 level (claim `defence-2024`) to a target (claim `target`) reached in fiscal year `by`.
struct Path {
    /// What the path is, before its target ("Japan's plan").
    name: &'static str,
    target: &'static str,
    by: i32,
}

/// Japan's plan (claim `defence-2027`, by FY2027) and the level the bulletin expects Washington to
/// press for (claim `defence-3pct`), reached by FY2030 for pricing.
const PATHS: [Path; 2] = [Path { name: "Japan's plan", target: "defence-2027", by: 2027 }, Path { name: "U.S. pressure", target: "defence-3pct", by: 2030 }];

/// The fiscal year Japan's defence target is measured against (National Security Strategy,
/// December 2022).
const BASE_FY: i32 = 2022;

/// The fiscal years of the current special measures agreement on host-nation support
/// (FY2022–FY2026; it expires at the end of FY2026, 31 March 2027).
const SMA_YEARS: (i32, i32) = (2022, 2026);

impl Path {
    /// "Japan's plan: 2% by FY2027", the share from the claims file.
    fn label(&self, ctx: &Ctx<'_, '_>) -> String {
        format!("{}: {} by FY{}", self.name, pct(ctx.asserted(self.target), 0), self.by)
    }

    /// The share of FY2022 GDP in `year`, percent.
    fn share(&self, ctx: &Ctx<'_, '_>, year: i32) -> f64 {
        let (start, target) = (ctx.asserted("defence-2024"), ctx.asserted(self.target));
        if year >= self.by {
            target
        } else {
            start + (target - start) * (year - 2024).max(0) as f64 / (self.by - 2024) as f64
        }
    }
}

/// Japan's GDP in fiscal year `year` (IMF WEO NGDP_FY, else NGDP), yen.
fn fiscal_gdp(ctx: &Ctx<'_, '_>, year: i32) -> Result<f64, BriefError> {
    let weo = ctx.store.weo()?;
    Ok(weo.value_units("JPN", "NGDP_FY", year).or_else(|_| weo.value_units("JPN", "NGDP", year))?)
}

/// One fiscal year of the defence ledger: each path in yen and dollars on Japan's definition,
/// with the same-year ratio beside it.
fn defence_year(ctx: &Ctx<'_, '_>, year: i32, base_gdp: f64) -> Result<serde_json::Value, BriefError> {
    let weo = ctx.store.weo()?;
    let gdp = fiscal_gdp(ctx, year)?;
    let rate = weo.implied_rate("JPN", year)?;
    let paths: Vec<serde_json::Value> = PATHS
        .iter()
        .map(|p| {
            let share = p.share(ctx, year);
            let jpy = base_gdp * share / 100.0;
            json!({"path": p.label(ctx), "share_of_fy2022_gdp_pct": share, "jpy": jpy, "usd": jpy / rate, "same_year_gdp_pct": 100.0 * jpy / gdp})
        })
        .collect();
    Ok(json!({"fiscal_year": year, "gdp_jpy": gdp, "jpy_per_usd": rate, "projected": weo.is_projection("JPN", "NGDP", year), "paths": paths}))
}

/// A path's cell in the ledger table: share of FY2022 GDP · yen · dollars · same-year ratio.
fn path_cell(p: &serde_json::Value) -> String {
    let f = |k: &str| p[k].as_f64().unwrap_or(f64::NAN);
    format!("{:.2}% · ¥{:.1} tn · {} · {:.2}% same-year", f("share_of_fy2022_gdp_pct"), f("jpy") / 1e12, bn(f("usd")), f("same_year_gdp_pct"))
}

/// Host-nation support under the current agreement, converted at each year's rate.
fn host_nation_support(ctx: &Ctx<'_, '_>) -> Result<serde_json::Value, BriefError> {
    let weo = ctx.store.weo()?;
    let jpy = ctx.asserted("hns-agreement");
    let mut by_year = Vec::new();
    for year in SMA_YEARS.0..=SMA_YEARS.1 {
        let rate = weo.implied_rate("JPN", year)?;
        by_year.push(json!({"fiscal_year": year, "jpy_per_usd": rate, "usd": jpy / rate, "rate_is_projection": weo.is_projection("JPN", "NGDPD", year)}));
    }
    let agreement = ctx.claim("hns-agreement");
    Ok(json!({
        "jpy_per_year": jpy,
        "fiscal_years": [SMA_YEARS.0, SMA_YEARS.1],
        "expires": format!("{}-03-31", SMA_YEARS.1 + 1),
        "source": agreement.and_then(|c| c.reference.clone()),
        "as_of": agreement.and_then(|c| c.as_of.clone()),
        "by_year": by_year,
        "bulletin_usd": ctx.asserted("host-nation-support"),
        "cost_share": ctx.parameter_json("host-nation-share"),
    }))
}

/// Japan's defence spending paths on its own definition (FY2022 GDP) in yen and dollars, the
/// same-year ratio beside them, and host-nation support under the current agreement.
pub(crate) fn ledger_section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let weo = ctx.store.weo()?;
    out.footnote(Footnote::from_source("weo", &weo.source("NGDP_FY (GDP, fiscal year, yen), NGDP and NGDPD", "2022–2030")));
    let mut s = Section::new("alliance", "Alliance ledger: what the defence targets cost");
    let base_gdp = fiscal_gdp(ctx, BASE_FY)?;
    let years: Vec<serde_json::Value> = (2024..=2030).map(|y| defence_year(ctx, y, base_gdp)).collect::<Result<_, _>>()?;
    let hns = host_nation_support(ctx)?;
    s.push(defence_paragraph(ctx, out, &years, base_gdp));
    s.push(hns_paragraph(ctx, &hns));
    s.push(defence_chart(ctx, &years)?);
    let rows: Vec<Vec<String>> = years
        .iter()
        .map(|y| {
            let mut row = vec![
                format!("{}{}", y["fiscal_year"], if y["projected"] == true { " (p)" } else { "" }),
                format!("¥{:.0} tn", y["gdp_jpy"].as_f64().unwrap_or(f64::NAN) / 1e12),
                format!("{:.1}", y["jpy_per_usd"].as_f64().unwrap_or(f64::NAN)),
            ];
            row.extend(y["paths"].as_array().into_iter().flatten().map(path_cell));
            row
        })
        .collect();
    s.push(table(
        &format!("Defence spending paths on Japan's definition (share of FY{BASE_FY} GDP), with the same-year ratio"),
        &["Fiscal year", "Same-year GDP", "¥ per $", &PATHS[0].label(ctx), &PATHS[1].label(ctx)],
        rows,
        Some(format!("(p): IMF projection. Japan measures its target against FY{BASE_FY} GDP (¥{:.1} tn); the same-year ratio divides the same yen by that year's GDP. Paths ramp linearly from the 2024 level. The targets are stated parameters, listed below with their sources.", base_gdp / 1e12)),
        &["weo"],
    ));
    if let Some(block) = claims_block(ctx, "security", "The bulletin's security figures and the parameters kanzei adds") {
        s.push(block);
    }
    let target = ctx.claim("defence-target-yen");
    let parameters: Vec<serde_json::Value> =
        ["defence-2024", "defence-2027", "defence-3pct", "defence-us-ask", "defence-2pct-reached"].iter().filter(|id| ctx.claim(id).is_some_and(|c| ctx.known(c))).map(|id| ctx.parameter_json(id)).collect();
    out.json.insert(
        "alliance".into(),
        json!({
            "defence": {
                "basis": format!("share of FY{BASE_FY} GDP (Japan's definition), with the same-year ratio"),
                "base_fiscal_year": BASE_FY,
                "base_gdp_jpy": base_gdp,
                "target_jpy": target.and_then(|c| c.recomputed_value),
                "source": target.and_then(|c| c.reference.clone()),
                "as_of": target.and_then(|c| c.as_of.clone()),
                "parameters": parameters,
                "by_year": years,
            },
            "host_nation_support": hns,
        }),
    );
    Ok(s)
}

/// The defence paragraph: the target in yen on Japan's base, what reaching it costs, and the
/// later developments the brief's date knows.
fn defence_paragraph(ctx: &Ctx<'_, '_>, out: &Out, years: &[serde_json::Value], base_gdp: f64) -> Block {
    let at = |year: i64, path: usize, key: &str| years.iter().find(|y| y["fiscal_year"] == year).and_then(|y| y["paths"][path][key].as_f64()).unwrap_or(f64::NAN);
    let first = |path: usize, key: &str| years.first().and_then(|y| y["paths"][path][key].as_f64()).unwrap_or(f64::NAN);
    let later: Vec<String> = ["defence-us-ask", "defence-2pct-reached"]
        .iter()
        .filter_map(|id| ctx.claim(id).filter(|c| ctx.known(c)))
        .map(|c| format!("{} ({})", c.text, c.as_of.clone().unwrap_or_default()))
        .collect();
    Block::paragraph(&format!(
        "Japan measures its defence target against the GDP of fiscal {BASE_FY} (¥{:.1} tn): {} of it is ¥{:.1} tn[^weo]. On that base the bulletin's {} for 2024 is ¥{:.1} tn ({}); divided by 2024's larger GDP the same yen are {}. Japan's plan means ¥{:.1} tn ({}) in fiscal {}; the {} path means ¥{:.1} tn ({}) by {} — against a 2024 goods deficit of {} and duties on Japanese goods of {} a year under scenario {} on {}.{}",
        base_gdp / 1e12,
        pct(ctx.asserted(PATHS[0].target), 0),
        ctx.claim_value("defence-target-yen") / 1e12,
        pct(ctx.asserted("defence-2024"), 1),
        first(0, "jpy") / 1e12,
        bn(first(0, "usd")),
        pct(first(0, "same_year_gdp_pct"), 2),
        at(PATHS[0].by.into(), 0, "jpy") / 1e12,
        bn(at(PATHS[0].by.into(), 0, "usd")),
        PATHS[0].by,
        pct(ctx.asserted(PATHS[1].target), 0),
        at(PATHS[1].by.into(), 1, "jpy") / 1e12,
        bn(at(PATHS[1].by.into(), 1, "usd")),
        PATHS[1].by,
        bn(-out.get("balance_usd")),
        bn(out.get("duties_usd")),
        ctx.scenario().id,
        ctx.date,
        if later.is_empty() { String::new() } else { format!(" Since the bulletin: {}.", later.join("; ")) },
    ))
}

/// Host-nation support: the agreement's yen at each year's rate against the bulletin's dollars.
fn hns_paragraph(ctx: &Ctx<'_, '_>, hns: &serde_json::Value) -> Block {
    let usd: Vec<f64> = hns["by_year"].as_array().into_iter().flatten().filter_map(|y| y["usd"].as_f64()).collect();
    let (lo, hi) = usd.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
    Block::paragraph(&format!(
        "Host-nation support is budgeted in yen: the special measures agreement for FY{}–{} provides about ¥{:.0} bn a year and expires on {}. At each year's rate that is {} to {} a year — {} at 2024's rate — not the bulletin's {}. The bulletin's {} cost share is {}",
        SMA_YEARS.0,
        SMA_YEARS.1 % 100,
        hns["jpy_per_year"].as_f64().unwrap_or(f64::NAN) / 1e9,
        hns["expires"].as_str().unwrap_or_default(),
        bn(lo),
        bn(hi),
        bn(ctx.claim_value("host-nation-support")),
        ctx.claim("host-nation-support").and_then(|c| c.asserted.clone()).unwrap_or_default(),
        pct(ctx.asserted("host-nation-share"), 0),
        ctx.claim("host-nation-share").and_then(|c| c.reason.clone()).unwrap_or_default().trim_end_matches('.').to_string() + ".",
    ))
}

/// The chart: each path in dollars on Japan's definition.
fn defence_chart(ctx: &Ctx<'_, '_>, years: &[serde_json::Value]) -> Result<Block, BriefError> {
    let series: Vec<LineSeries> = PATHS
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let points = years
                .iter()
                .filter_map(|y| Some((ChartDate::new(y["fiscal_year"].as_i64()? as i32, 1, 1)?, y["paths"][k]["usd"].as_f64()? / 1e9)))
                .collect();
            LineSeries::new(p.label(ctx), points, LineShape::Linear)
        })
        .collect();
    let mut chart = LineChart::new(
        ChartText::new(
            format!("Japan's defence spending on its own definition, 2024–{}", PATHS[1].by),
            format!("Japan's defence spending in billions of dollars on two paths, as shares of FY{BASE_FY} GDP: {} and {}, at IMF WEO yen rates (projections after 2024).", PATHS[0].label(ctx), PATHS[1].label(ctx)),
        )
        .with_subtitle(format!("Billions of dollars at the WEO-implied yen rate; shares of FY{BASE_FY} GDP"))
            .with_source("Source: IMF WEO October 2025 (GDP, yen rate); targets are the bulletin's stated parameters on Japan's definition."),
        series,
        vec![],
        ValueFormat::UsdBn { decimals: 0 },
    );
    chart.axis_label = Some("$ bn".into());
    Ok(figure(chart.render()?, "defence-paths.svg", format!("On Japan's definition the yen amounts are fixed by FY{BASE_FY} GDP; only the yen rate moves the dollar figures."), &["weo"]))
}
