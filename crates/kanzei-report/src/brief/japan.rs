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
    let (balance, imports) = (headline.balance_usd, headline.imports_usd);
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
            "{} and {} supplied {} of Japan's LNG; the United States was the {} largest supplier with {} (by value, MOF).",
            suppliers.first().map_or(String::new(), |x| short_name(ctx.registry(), x.0.as_str())),
            suppliers.get(1).map_or(String::new(), |x| short_name(ctx.registry(), x.0.as_str())),
            pct(share_pct(top2, world), 0),
            ordinal(us_rank as i64),
            pct(share_pct(from_us, world), 1)
        ),
        &["mof"],
    ));
    let pledge = ctx.claim("investment-pledge");
    s.push(Block::Callout(Callout::new(
        CalloutKind::Note,
        Some("The investment pledge"),
        &format!(
            "The bulletin cites a pledge of {} of Japanese investment in the United States. It is a stated parameter, not data kanzei can check: {}. For scale, it equals {:.0} years of the {YEAR} goods deficit and {:.1} years of U.S. imports from Japan.",
            pledge.and_then(|p| p.asserted.clone()).unwrap_or_else(|| "$1 tn".into()),
            pledge.and_then(|p| p.reason.clone()).unwrap_or_default(),
            1e12 / -balance,
            1e12 / imports,
        ),
    )));
    out.set("lng_bound_share_pct", share_pct(bound, -balance));
    out.json.insert(
        "offsets".into(),
        json!({"japan_lng_imports_usd": to_usd(world), "us_lng_to_japan_usd": to_usd(from_us), "us_share_pct": share_pct(from_us, world), "us_rank_by_value": us_rank, "all_lng_from_us_bound_usd": bound}),
    );
    Ok(s)
}

/// A defence-spending path: share of GDP in a fiscal year.
struct Path {
    label: &'static str,
    share: fn(i32) -> f64,
}

/// The paths the ledger prices: 1.6% held; 2% reached by FY2027; 3% reached by 2030 (the
/// bulletin's stated parameters, ramping linearly from 1.6% in 2024).
const PATHS: [Path; 3] = [
    Path { label: "1.6% held", share: |_| 1.6 },
    Path { label: "2% by 2027", share: |y| if y >= 2027 { 2.0 } else { 1.6 + 0.4 * (y - 2024) as f64 / 3.0 } },
    Path { label: "3% by 2030", share: |y| 1.6 + 1.4 * (y - 2024) as f64 / 6.0 },
];

/// Japan's defence spending paths in yen and dollars on IMF WEO GDP, and host-nation support.
pub(crate) fn ledger_section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let weo = ctx.store.weo()?;
    out.footnote(Footnote::from_source("weo", &weo.source("NGDP_FY (GDP, fiscal year, yen), NGDP and NGDPD", "2024–2030")));
    let mut s = Section::new("alliance", "Alliance ledger: what the defence targets cost");
    let mut rows = Vec::new();
    let mut paths: [Vec<(ChartDate, f64)>; 3] = Default::default();
    let mut ledger = Vec::new();
    for year in 2024..=2030 {
        let Ok(gdp) = weo.value_units("JPN", "NGDP_FY", year).or_else(|_| weo.value_units("JPN", "NGDP", year)) else { continue };
        let Ok(rate) = weo.implied_rate("JPN", year) else { continue };
        let projected = weo.is_projection("JPN", "NGDP_FY", year) || weo.is_projection("JPN", "NGDP", year);
        let shares: Vec<f64> = PATHS.iter().map(|p| (p.share)(year)).collect();
        let yen: Vec<f64> = shares.iter().map(|sh| gdp * sh / 100.0).collect();
        for (k, c) in yen.iter().enumerate() {
            paths[k].push((ChartDate::new(year, 1, 1).expect("valid"), c / rate / 1e9));
        }
        rows.push(vec![
            format!("{year}{}", if projected { " (p)" } else { "" }),
            format!("¥{:.0} tn", gdp / 1e12),
            format!("{rate:.1}"),
            format!("¥{:.1} tn · {}", yen[0] / 1e12, bn(yen[0] / rate)),
            format!("{:.2}% · ¥{:.1} tn · {}", shares[1], yen[1] / 1e12, bn(yen[1] / rate)),
            format!("{:.2}% · ¥{:.1} tn · {}", shares[2], yen[2] / 1e12, bn(yen[2] / rate)),
        ]);
        ledger.push(json!({"fiscal_year": year, "gdp_jpy": gdp, "jpy_per_usd": rate, "projected": projected, "at_1_6_pct_usd": yen[0] / rate, "path_2pct_usd": yen[1] / rate, "path_3pct_usd": yen[2] / rate}));
    }
    let hns = ctx.claim("host-nation-support").and_then(|c| c.asserted_value).unwrap_or(f64::NAN);
    let gap = |year: i64, key: &str| ledger.iter().find(|r| r["fiscal_year"] == year).map_or(f64::NAN, |r| r[key].as_f64().unwrap_or(f64::NAN) - r["at_1_6_pct_usd"].as_f64().unwrap_or(f64::NAN));
    let balance = out.get("balance_usd");
    s.push(Block::paragraph(&format!(
        "The security side of the ledger is made of stated parameters: defence spending of 1.6% of GDP in 2024, 2% by 2027, pressure toward 3%, host-nation support of about {} a year. kanzei prices them on the IMF's GDP path[^weo]. Reaching 2% in fiscal 2027 means spending about {} more that year than holding 1.6%; a 3% path reached by 2030 adds about {} in 2030 — against a 2024 goods deficit of {} and duties on Japanese goods of {} a year under scenario {} on {}.",
        bn(hns),
        bn(gap(2027, "path_2pct_usd")),
        bn(gap(2030, "path_3pct_usd")),
        bn(-balance),
        bn(out.get("duties_usd")),
        ctx.scenario().id,
        ctx.date
    )));
    let mut chart = LineChart::new(
        ChartText::new("Japan's defence spending under three paths, 2024–2030", "Japan's defence spending in billions of dollars under three paths: 1.6% of GDP held, 2% reached by 2027, and 3% reached by 2030, on IMF WEO GDP (projections after 2024).")
            .with_subtitle("Billions of dollars at the WEO-implied yen rate; fiscal-year GDP")
            .with_source("Source: IMF WEO October 2025 (GDP); paths are the bulletin's stated parameters."),
        PATHS.iter().zip(paths).map(|(p, pts)| LineSeries::new(p.label, pts, LineShape::Linear)).collect(),
        vec![],
        ValueFormat::UsdBn { decimals: 0 },
    );
    chart.axis_label = Some("$ bn".into());
    s.push(figure(chart.render()?, "defence-paths.svg", "Years after 2024 use IMF projections of GDP and of the yen rate; a weaker or stronger yen moves the dollar figures, not the yen ones.".into(), &["weo"]));
    s.push(table(
        "Defence spending paths in yen and dollars",
        &["Fiscal year", "GDP", "¥ per $", "At 1.6%", "2% by 2027", "3% by 2030"],
        rows,
        Some("(p): IMF projection. Paths ramp linearly from 1.6% in 2024. The targets are stated parameters, listed below with their sources.".into()),
        &["weo"],
    ));
    if let Some(block) = claims_block(&ctx.claims, "security", "The bulletin's security figures: stated parameters") {
        s.push(block);
    }
    out.json.insert("alliance".into(), json!(ledger));
    Ok(s)
}
