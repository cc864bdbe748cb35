//! Trade: the partner's goods trade with the United States in 2024, the balance and its rank,
//! and its history (Census FT-900).

use kanzei_data::census_country::{musd_to_usd, BalanceTable};
use kanzei_data::DataError;
use serde_json::json;

use super::fmt::{bn, join_names, pct};
use super::{usd_bn_bars, figure, key_figure, BriefError, Ctx, Out};
use crate::document::{Block, Footnote, Section};
use crate::facts::{ordinal, share_pct};
use crate::svg::{Bar, ChartText, ColumnChart, ValueFormat};

/// The year of the trade data the brief describes.
pub(crate) const TRADE_YEAR: i32 = 2024;

/// Exports, imports, balance (USD) and the deficit's rank among U.S. bilateral deficits of
/// countries (aggregates excluded; `None` for a surplus). A group's figures are Census's own
/// row for it where it publishes one, else the sum of its members.
pub(crate) struct Headline {
    pub(crate) exports_usd: f64,
    pub(crate) imports_usd: f64,
    pub(crate) balance_usd: f64,
    pub(crate) deficit_rank: Option<usize>,
    pub(crate) countries_ranked: usize,
    /// Countries with a larger deficit, largest first.
    pub(crate) ahead: Vec<String>,
}

pub(crate) fn headline(ctx: &Ctx<'_, '_>) -> Result<Headline, BriefError> {
    let census = ctx.store.census_country()?;
    headline_from(ctx, &census.balance(TRADE_YEAR, ctx.registry())?)
}

fn headline_from(ctx: &Ctx<'_, '_>, table: &BalanceTable) -> Result<Headline, BriefError> {
    let census = ctx.store.census_country()?;
    let (exports_usd, imports_usd) = if let Some(row) = table.get(ctx.partner.code) {
        (row.exports_usd, row.imports_usd)
    } else if let Some(row) = ctx.partner.census_codes.iter().find_map(|c| census.get(TRADE_YEAR, *c)) {
        (musd_to_usd(row.exports_musd), musd_to_usd(row.imports_musd))
    } else if ctx.partner.is_group {
        let rows: Vec<_> = ctx.partner.members.iter().filter_map(|m| table.get(*m)).collect();
        (rows.iter().map(|r| r.exports_usd).sum(), rows.iter().map(|r| r.imports_usd).sum())
    } else {
        return Err(DataError::NotAvailable { message: format!("Census reports no {TRADE_YEAR} trade with {} ({})", ctx.partner.code, ctx.partner.name) }.into());
    };
    let balance_usd = exports_usd - imports_usd;
    let ahead: Vec<String> = table
        .partners
        .iter()
        .filter(|p| p.balance_usd < balance_usd && p.partner != ctx.partner.code)
        .map(|p| p.name.clone())
        .collect();
    Ok(Headline {
        exports_usd,
        imports_usd,
        balance_usd,
        deficit_rank: (balance_usd < 0.0).then_some(ahead.len() + 1),
        countries_ranked: table.partners.len(),
        ahead,
    })
}

/// The trade section.
pub(crate) fn section(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Section, BriefError> {
    let p = &ctx.partner;
    let census = ctx.store.census_country()?;
    out.footnote(Footnote::from_source("census", &census.source(&TRADE_YEAR.to_string())));
    let table = census.balance(TRADE_YEAR, ctx.registry())?;
    let h = headline_from(ctx, &table)?;
    let total = h.exports_usd + h.imports_usd;
    out.set("exports_usd", h.exports_usd);
    out.set("imports_usd", h.imports_usd);
    out.set("balance_usd", h.balance_usd);
    if let Some(r) = h.deficit_rank {
        out.set("deficit_rank", r as f64);
    }
    let balance_words = match h.deficit_rank {
        Some(r) => format!("{} largest U.S. deficit", ordinal(r as i64)),
        None => "a U.S. surplus".into(),
    };
    let title = if h.balance_usd < 0.0 {
        format!("Trade: a {} relationship, a {} deficit", bn(total).replace(" bn", " billion"), bn(-h.balance_usd).replace(" bn", " billion"))
    } else {
        format!("Trade: a {} relationship, a {} U.S. surplus", bn(total).replace(" bn", " billion"), bn(h.balance_usd).replace(" bn", " billion"))
    };
    let mut s = Section::new("trade", &title);
    s.push(Block::KeyFigures(vec![
        key_figure(bn(total), &format!("U.S.–{} goods trade, {TRADE_YEAR}", p.short), Some(format!("exports {} · imports {}", bn(h.exports_usd), bn(h.imports_usd))), "census"),
        key_figure(bn(h.balance_usd), &format!("U.S. goods balance with {}", p.short), Some(balance_words.clone()), "census"),
        key_figure(pct(share_pct(h.imports_usd, table.partners.iter().map(|p| p.imports_usd).sum()), 1), &format!("{}'s share of U.S. goods imports", p.short), Some(format!("{TRADE_YEAR}, general imports")), "census"),
    ]));
    let rank_sentence = match h.deficit_rank {
        Some(1) => format!("It was the largest U.S. bilateral deficit among the {} countries Census reports.", h.countries_ranked),
        Some(r) => format!(
            "It was the {} largest U.S. bilateral deficit, after {}.",
            ordinal(r as i64),
            if r <= 8 { join_names(&h.ahead) } else { format!("{} and {} other countries", join_names(&h.ahead[..5]), r - 6) }
        ),
        None => "The United States ran a surplus with it.".into(),
    };
    s.push(Block::paragraph(&format!(
        "In {TRADE_YEAR} the United States exported {} of goods to {} and imported {}, a balance of {}[^census]. {rank_sentence}{}",
        bn(h.exports_usd),
        p.name,
        bn(h.imports_usd),
        bn(h.balance_usd),
        if p.is_group { format!(" The figures are Census's own for the group ({} members).", p.members.len()) } else { String::new() },
    )));
    s.push(deficits_chart(ctx, &table, &h)?);
    s.push(history_chart(ctx, out)?);
    out.json.insert(
        "trade".into(),
        json!({"year": TRADE_YEAR, "total_usd": total, "exports_usd": h.exports_usd, "imports_usd": h.imports_usd, "balance_usd": h.balance_usd, "deficit_rank": h.deficit_rank, "countries_ranked": h.countries_ranked}),
    );
    Ok(s)
}

/// The ten largest deficits, the partner (or its members) highlighted; the partner's own bar
/// is added when it is not among them.
fn deficits_chart(ctx: &Ctx<'_, '_>, table: &BalanceTable, h: &Headline) -> Result<Block, BriefError> {
    let p = &ctx.partner;
    let mut bars: Vec<Bar> = table
        .partners
        .iter()
        .take(10)
        .map(|r| if p.members.contains(&r.partner) || r.partner == p.code { Bar::highlighted(r.name.clone(), -r.balance_usd / 1e9) } else { Bar::new(r.name.clone(), -r.balance_usd / 1e9) })
        .collect();
    let shown = table.partners.iter().take(10).any(|r| r.partner == p.code);
    if !shown {
        bars.push(Bar::highlighted(p.short.clone(), -h.balance_usd / 1e9));
        bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    }
    let chart = usd_bn_bars(
        ChartText::new(
            format!("The largest U.S. goods deficits and {}, {TRADE_YEAR}", p.short),
            format!("Bilateral goods deficits of the United States in {TRADE_YEAR}, billions of dollars, largest first; {} highlighted.", p.name),
        )
        .with_subtitle("U.S. imports less exports, billions of dollars")
        .with_source("Source: U.S. Census Bureau, FT-900 country data."),
        bars,
    )?;
    let largest = table.partners.first().map_or(f64::NAN, |r| r.balance_usd);
    let caption = match h.deficit_rank {
        Some(r) if r > 1 => format!("{}'s deficit is the {} largest; the largest is about {:.0} times as large.", p.short, ordinal(r as i64), largest / h.balance_usd),
        Some(_) => format!("{}'s deficit is the largest.", p.short),
        None => format!("The United States has a surplus of {} with {}.", bn(h.balance_usd), p.short),
    };
    Ok(figure(chart, "largest-deficits.svg", caption, &["census"]))
}

/// The balance since 2015 as columns.
fn history_chart(ctx: &Ctx<'_, '_>, out: &mut Out) -> Result<Block, BriefError> {
    let census = ctx.store.census_country()?;
    let p = &ctx.partner;
    let (_, last_year) = census.year_range().unwrap_or((2015, TRADE_YEAR));
    let series = census.series(p.code, 2015, last_year, ctx.registry())?;
    let full: Vec<_> = series.iter().filter(|x| !x.partial).collect();
    let partial = series.iter().find(|x| x.partial);
    let cols: Vec<Bar> = full.iter().map(|x| Bar::new(x.year.to_string(), x.balance_usd / 1e9)).collect();
    let first = full.first().map_or(f64::NAN, |x| x.balance_usd);
    let worst = full.iter().min_by(|a, b| a.balance_usd.total_cmp(&b.balance_usd));
    let first_year = full.first().map_or(2015, |x| x.year);
    let last_full = full.last().map_or(TRADE_YEAR, |x| x.year);
    let mut col = ColumnChart::new(
        ChartText::new(
            format!("U.S. goods balance with {}, {first_year}–{last_full}", p.short),
            format!("U.S. goods trade balance with {} by year, billions of dollars; negative values are U.S. deficits.", p.name),
        )
        .with_subtitle("Exports less imports, billions of dollars")
        .with_source("Source: U.S. Census Bureau, FT-900 country data."),
        cols,
        ValueFormat::UsdBn { decimals: 0 },
    );
    col.axis_label = Some("$ bn".into());
    out.footnote(Footnote::from_source("census-series", &census.source(&format!("{first_year}–{last_year}"))));
    let caption = match worst {
        Some(w) if w.balance_usd < 0.0 => format!("The balance was {} in {first_year}; the deficit was widest in {} at {}.", bn(first), w.year, bn(-w.balance_usd)),
        _ => format!("The balance was {} in {first_year}.", bn(first)),
    };
    let caption = format!("{caption}{}", partial.map_or(String::new(), |x| format!(" In {} the balance was {}.", x.period, bn(x.balance_usd))));
    Ok(figure(col.render()?, "balance-history.svg", caption, &["census-series"]))
}
