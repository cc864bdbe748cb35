//! Observed vs modelled (Japan only): the models' predictions for Japan's exports to the
//! United States beside what Japan's customs statistics (MOF) recorded for each complete year
//! after 2024, by the commodity groups the models can be mapped to.
//!
//! Mapping: SMART runs on one HS heading (the spec's `pe_product`), so it speaks for MOF's
//! `(Car)` group when that heading is 8703 (passenger cars) and for nothing else; the
//! Caliendo–Parro solve gives Japan's exports to the U.S. by WIOD sector, so WIOD c15 (transport
//! equipment) stands for motor vehicles, cars and parts, c12 (basic metals and fabricated metal)
//! for iron and steel products, and all sectors for the total. Where no model maps, the model
//! value is `null`.

use kanzei_core::FlowDirection;
use serde_json::{json, Value};

use super::fmt::pct;
use super::{code, key_figure, table, BriefError, Ctx, Out};
use crate::document::{Block, Callout, CalloutKind, Section};

/// MOF export groups held against the models: (label, MOF group, SMART heading, WIOD sector;
/// `"all"` is every sector).
const ITEMS: [(&str, &str, Option<&str>, &str); 5] = [
    ("Total", "Grand Total", None, "all"),
    ("Motor vehicles", "Motor Vehicles", None, "c15"),
    ("Cars", "(Car)", Some("8703"), "c15"),
    ("Parts of motor vehicles", "Parts Of Motor Vehicles", None, "c15"),
    ("Iron and steel products", "Iron And Steel Products", None, "c12"),
];

/// The last year before the tariffs.
const BASE_YEAR: i32 = 2024;

/// SMART's change in U.S. imports of the product from the partner, percent, read from the
/// effects section's `brief.json` (so the section comes after `effects`), if it ran on `heading`.
fn smart_change(out: &Out, partner: &str, heading: &str) -> Option<f64> {
    let smart = out.json.get("effects")?.get("smart")?;
    if smart.get("product")?.as_str()? != heading {
        return None;
    }
    let g = smart.get("groups")?.as_array()?.iter().find(|g| g["exporter"] == partner)?;
    let (before, after) = (g["imports_before_usd"].as_f64()?, g["imports_after_usd"].as_f64()?);
    (before > 0.0).then(|| 100.0 * (after / before - 1.0))
}

/// Caliendo–Parro's change in the partner's exports to the U.S. in a WIOD sector (or all),
/// percent, at producer prices, if general equilibrium ran.
fn ge_change(ctx: &Ctx<'_, '_>, sector: &str) -> Option<f64> {
    if !ctx.options.general_equilibrium {
        return None;
    }
    let eq = &ctx.engine.ge().ok()?.only.equilibrium;
    let partner = ctx.partner.code.as_str();
    if sector == "all" {
        return eq.trade_change("USA", partner).ok()?.change_pct;
    }
    let n = eq.country_codes.len();
    let (us, jp) = (eq.country_codes.iter().position(|c| c == "USA")?, eq.country_codes.iter().position(|c| c == partner)?);
    let j = eq.sector_names.iter().position(|s| s == sector)?;
    let idx = (j * n + us) * n + jp;
    let base = eq.flows_base[idx];
    (base > 0.0).then(|| 100.0 * (eq.flows_new[idx] / base - 1.0))
}

/// One item in one year: MOF's change in yen and in dollars, and the models' numbers.
fn row(ctx: &Ctx<'_, '_>, out: &Out, item: (&str, &str, Option<&str>, &str), year: i32) -> Result<Value, BriefError> {
    let (label, group, heading, sector) = item;
    let mof = ctx.store.japan_mof()?;
    let weo = ctx.store.weo()?;
    let usa = code("USA");
    let value = |y: i32| mof.value(FlowDirection::Exports, usa, group, y).unwrap_or(f64::NAN) * 1e9;
    let (before, after) = (value(year - 1), value(year));
    let (rate_before, rate_after) = (weo.implied_rate("JPN", year - 1)?, weo.implied_rate("JPN", year)?);
    let smart = heading.and_then(|h| smart_change(out, ctx.partner.code.as_str(), h));
    let ge = ge_change(ctx, sector);
    let (model, model_change) = match (smart, ge) {
        (Some(v), _) => (Some("smart"), Some(v)),
        (None, Some(v)) => (Some("ge"), Some(v)),
        _ => (None, None),
    };
    Ok(json!({
        "item": label,
        "mof_group": group,
        "year": year,
        "base_year": year - 1,
        "value_jpy": after,
        "base_value_jpy": before,
        "change_pct_jpy": 100.0 * (after / before - 1.0),
        "change_pct_usd": 100.0 * ((after / rate_after) / (before / rate_before) - 1.0),
        "jpy_per_usd": [rate_before, rate_after],
        "rate_is_projection": weo.is_projection("JPN", "NGDPD", year),
        "model_change_pct": model_change,
        "model": model,
        "smart_change_pct": smart,
        "ge_change_pct": ge,
        "ge_sector": if sector == "all" { "all sectors" } else { sector },
    }))
}

/// A change in percent with its sign and one decimal ("−4.3%", "+0.2%").
fn change(v: f64) -> String {
    if v > 0.05 {
        format!("+{v:.1}%")
    } else {
        pct(v, 1)
    }
}

/// A change for the table, or a dash.
fn cell(v: &Value) -> String {
    v.as_f64().map_or("—".into(), change)
}

/// Yen as "¥21,295 bn".
fn yen_bn(v: &Value) -> String {
    v.as_f64().map_or("—".into(), |v| format!("¥{} bn", crate::svg::format_number(v / 1e9, 0)))
}

/// A month's name.
fn month(m: u8) -> &'static str {
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"].get(usize::from(m).saturating_sub(1)).copied().unwrap_or("?")
}

/// The section.
pub(crate) fn section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let mof = ctx.store.japan_mof()?;
    let years = mof.years();
    let complete: Vec<i32> = years.iter().filter(|(y, m)| **y > BASE_YEAR && **m == 12).map(|(y, _)| *y).collect();
    let mut s = Section::new("observed", "Observed vs modelled: Japan's exports to the United States");
    let mut rows = Vec::new();
    for &year in &complete {
        for item in ITEMS {
            rows.push(row(ctx, out, item, year)?);
        }
    }
    let get = |item: &str, key: &str| rows.iter().find(|r| r["item"] == item).and_then(|r| r[key].as_f64()).unwrap_or(f64::NAN);
    if let Some(&year) = complete.first() {
        let cars = rows.iter().find(|r| r["item"] == "Cars");
        let cars_model = cars.and_then(|r| Some(format!("{}: {}", if r["model"] == "smart" { "SMART" } else { "general equilibrium" }, change(r["model_change_pct"].as_f64()?))));
        s.push(Block::KeyFigures(vec![
            key_figure(change(get("Total", "change_pct_jpy")), &format!("Japan's exports to the U.S., {year}, in yen (MOF)"), Some(format!("{} in dollars", change(get("Total", "change_pct_usd")))), "mof"),
            key_figure(change(get("Cars", "change_pct_jpy")), &format!("Japan's car exports to the U.S., {year}, in yen (MOF)"), cars_model, "mof"),
        ]));
        s.push(Block::paragraph(&format!(
            "Japan's customs statistics record what happened. In {year} Japan's exports to the United States changed by {} in yen (¥{:.2} tn to ¥{:.2} tn) and {} in dollars at each year's rate; motor vehicles by {}, cars by {}, parts by {}, iron and steel products by {}[^mof]. SMART, on the scenario's rates on {}, puts the change in U.S. imports of Japanese cars at {}; general equilibrium puts Japan's exports of transport equipment to the U.S. at {} and all its exports to the U.S. at {}.",
            change(get("Total", "change_pct_jpy")),
            get("Total", "base_value_jpy") / 1e12,
            get("Total", "value_jpy") / 1e12,
            change(get("Total", "change_pct_usd")),
            change(get("Motor vehicles", "change_pct_jpy")),
            change(get("Cars", "change_pct_jpy")),
            change(get("Parts of motor vehicles", "change_pct_jpy")),
            change(get("Iron and steel products", "change_pct_jpy")),
            ctx.date,
            rows.iter().find(|r| r["item"] == "Cars").map_or("—".into(), |r| cell(&r["smart_change_pct"])),
            rows.iter().find(|r| r["item"] == "Cars").map_or("—".into(), |r| cell(&r["ge_change_pct"])),
            rows.iter().find(|r| r["item"] == "Total").map_or("—".into(), |r| cell(&r["ge_change_pct"])),
        )));
    }
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                format!("{} ({})", r["item"].as_str().unwrap_or_default(), r["year"]),
                yen_bn(&r["base_value_jpy"]),
                yen_bn(&r["value_jpy"]),
                cell(&r["change_pct_jpy"]),
                cell(&r["change_pct_usd"]),
                cell(&r["smart_change_pct"]),
                format!("{} ({})", cell(&r["ge_change_pct"]), r["ge_sector"].as_str().unwrap_or_default()),
            ]
        })
        .collect();
    s.push(table(
        "Japan's exports to the United States: recorded (MOF) and modelled",
        &["Item (year)", "Year before", "Year", "Change, yen", "Change, dollars", "SMART", "General equilibrium (WIOD sector)"],
        table_rows,
        Some(format!(
            "Dollars at each year's yen rate implied by IMF WEO GDP (the latest year's is an IMF estimate). SMART speaks for {}; general equilibrium for WIOD sectors: c15 transport equipment, c12 basic metals and fabricated metal. A dash: no model maps.",
            ITEMS.iter().filter_map(|(label, _, heading, _)| heading.map(|h| format!("{} only (HS {h}, when the brief's SMART product)", label.to_lowercase()))).collect::<Vec<_>>().join(", ")
        )),
        &["mof"],
    ));
    let partial: Vec<String> = years.iter().filter(|(y, m)| **y > BASE_YEAR && **m < 12).map(|(y, m)| format!("January–{} {y}", month(*m))).collect();
    s.push(Block::Callout(Callout::new(
        CalloutKind::Caveat,
        Some("Reading the comparison"),
        &format!(
            "The models and the statistics measure different things. MOF values are yen prices times volumes: an exporter that cuts its prices to absorb part of a tariff loses value faster than volume, and the yen's moves change the dollar figures. The models compare the tariff regime on {} with the 2024 regime, all else equal; in the year observed the tariffs applied only from their dates (see What happened next), and other shocks moved trade too (demand, the exchange rate, production shifted between countries). General equilibrium is a long-run comparison on the 2011 input–output structure, not a forecast. {}",
            ctx.date,
            if partial.is_empty() {
                String::new()
            } else {
                format!("The MOF data also hold {}, but no quarter of the year before to compare with, so no change is shown for it.", partial.join(", "))
            }
        ),
    )));
    if let Some(&year) = complete.first() {
        out.set("observed_year", f64::from(year));
        out.set("observed_total_pct", get("Total", "change_pct_jpy"));
        out.set("observed_cars_pct", get("Cars", "change_pct_jpy"));
    }
    out.json.insert("observed".into(), json!(rows));
    Ok(s)
}
