//! The U.S.–Japan brief: the bulletin's analysis as a program.
//!
//! [`build`] recomputes every number from the store and the shipped scenarios and returns a
//! [`Document`] (rendered by [`crate::document`]) plus the checked claims and a JSON summary.
//! Sections, in order:
//!
//! 1. **Trade**: totals, balance and rank (Census FT-900), the largest deficits, the balance
//!    with Japan since 2015;
//! 2. **Exposure**: U.S. imports from Japan by HS chapter (Census HS10) beside Japan's exports
//!    to the U.S. by MOF commodity group; the bulletin's economy claims, checked;
//! 3. **Tariffs**: Japan's effective rate through 2025–26 with the events that moved it, the
//!    rate on the brief's date by legal authority for Japan and its competitors, and the
//!    `what-if/japan-exempt` and `what-if/japan-24pct` scenarios;
//! 4. **Third countries**: Japanese value added in U.S. imports from Mexico, Canada and others
//!    and what the scenario puts on it (WIOD 2011 Leontief); where Toyota builds;
//! 5. **Effects**: SMART diversion in passenger cars (HS 8703) and Caliendo–Parro welfare
//!    with and without Chinese and Canadian retaliation (WIOD 2011);
//! 6. **Offsets**: U.S. LNG in Japan's LNG imports and the bound on what a switch could do to
//!    the deficit; the investment pledge beside the trade data;
//! 7. **Alliance ledger**: defence spending paths in yen and dollars on IMF WEO GDP;
//!    host-nation support and the paths' targets as stated parameters.
//!
//! Nothing here reads files: the store and the shipped claims file are the only inputs.

use std::collections::BTreeMap;
use std::time::Instant;

use kanzei_core::{AreaCode, FlowDirection, HsCode};
use kanzei_data::{DataError, Store};
use kanzei_ge::caliendo_parro::SolverConfig;
use kanzei_pe::smart::SmartConfig;
use kanzei_tariff::analysis::{self, TariffData};
use kanzei_tariff::date::Date;
use kanzei_tariff::scenario::Scenario;
use serde_json::json;
use thiserror::Error;

use crate::claims::{self, CheckedClaim, Evaluator};
use crate::document::{
    Block, Callout, CalloutKind, ClaimRow, ClaimsTable, Document, Figure, Footnote, KeyFigure, Metadata, Section, Table, Verdict,
};
use crate::facts::{ordinal, share_pct, trade_facts};
use crate::runs::{self, SmartBy};
use crate::svg::{
    Bar, ChartDate, ChartText, ColumnChart, EventMarker, GroupedBarChart, HBarChart, LineChart, LineSeries, LineShape, Series,
    StackedBarChart, ValueFormat,
};

/// What to build the brief with.
#[derive(Clone, Debug)]
pub struct BriefOptions {
    /// The date tariffs are evaluated on.
    pub date: Date,
    /// The U.S. tariff scenario (a shipped id).
    pub scenario: String,
    /// The scenario the changes are measured against.
    pub baseline: String,
    /// Run the general-equilibrium model (the slowest part).
    pub general_equilibrium: bool,
    /// kanzei's version, stated in the report.
    pub kanzei_version: String,
}

/// The default evaluation date: every 2025 measure and the Japan agreement in force, before
/// the February 2026 ruling on the IEEPA duties.
pub const DEFAULT_DATE: &str = "2025-11-17";

impl Default for BriefOptions {
    fn default() -> BriefOptions {
        BriefOptions {
            date: DEFAULT_DATE.parse().expect("valid date"),
            scenario: "us-2025".into(),
            baseline: "us-2024-baseline".into(),
            general_equilibrium: true,
            kanzei_version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Why the brief could not be built.
#[derive(Debug, Error)]
pub enum BriefError {
    /// Data missing or malformed.
    #[error(transparent)]
    Data(#[from] DataError),
    /// A model run failed.
    #[error(transparent)]
    Run(#[from] runs::RunError),
    /// The claims file is malformed.
    #[error(transparent)]
    Claims(#[from] claims::ClaimsError),
    /// A chart could not be drawn.
    #[error("chart: {0}")]
    Chart(#[from] crate::svg::ChartError),
    /// A scenario could not be loaded.
    #[error("{0}")]
    Scenario(String),
}

/// A built brief.
#[derive(Clone, Debug)]
pub struct Brief {
    /// The document, ready to render.
    pub document: Document,
    /// The claims with their verdicts.
    pub claims: Vec<CheckedClaim>,
    /// Headline numbers in plain units.
    pub summary: serde_json::Value,
    /// Seconds spent per stage.
    pub timings: Vec<(String, f64)>,
}

struct Timer {
    start: Instant,
    stages: Vec<(String, f64)>,
}

impl Timer {
    fn lap(&mut self, stage: &str, progress: &mut dyn FnMut(&str)) {
        let now = Instant::now();
        self.stages.push((stage.to_string(), now.duration_since(self.start).as_secs_f64()));
        self.start = now;
        progress(stage);
    }
}

fn bn(v: f64) -> String {
    let sign = if v < 0.0 { "−" } else { "" };
    let a = v.abs() / 1e9;
    if a >= 0.95 {
        format!("{sign}${a:.1} bn")
    } else {
        format!("{sign}${:.0} m", v.abs() / 1e6)
    }
}

fn pct(v: f64, d: usize) -> String {
    let s = format!("{:.d$}%", v.abs(), d = d);
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("−{s}")
    } else {
        s
    }
}

fn signed_pct(v: f64) -> String {
    if v > 0.0005 {
        format!("+{v:.2}%")
    } else {
        pct(v, 2)
    }
}

fn pp(v: f64) -> String {
    let s = format!("{:.1} pp", v.abs());
    if v < -0.05 {
        format!("−{s}")
    } else if v > 0.05 {
        format!("+{s}")
    } else {
        s
    }
}



fn code(s: &str) -> AreaCode {
    AreaCode::new(s).expect("static ISO3 code")
}

fn figure(svg: String, file_name: &str, caption: String, footnotes: &[&str]) -> Block {
    Block::Chart(Figure { svg, caption, file_name: file_name.into(), footnotes: footnotes.iter().map(|s| s.to_string()).collect() })
}

fn table(caption: &str, headers: &[&str], rows: Vec<Vec<String>>, note: Option<String>, footnotes: &[&str]) -> Block {
    let mut t = Table::new(headers.iter().map(|h| h.to_string()).collect(), rows);
    t.caption = Some(caption.into());
    t.note = note;
    t.footnotes = footnotes.iter().map(|s| s.to_string()).collect();
    Block::Table(t)
}

fn key_figure(value: String, label: &str, detail: Option<String>, footnote: &str) -> KeyFigure {
    let mut k = KeyFigure::new(value, label, footnote);
    k.detail = detail;
    k
}

/// The footnote key for a claim's source.
fn claim_footnote(row: &CheckedClaim) -> Vec<String> {
    match row.source.as_ref().map(|s| s.dataset.as_str()) {
        Some("census_ft900_country") => vec!["census".into()],
        Some("japan_mof_trade") => vec!["mof".into()],
        Some(d) if d.starts_with("us_imports") => vec!["hs10".into()],
        Some("tariff_tables") => vec!["tables".into()],
        Some("kanzei_tariff") => vec!["scenario".into()],
        Some("imf_weo") => vec!["weo".into()],
        Some("toyota_results") => vec!["toyota".into()],
        _ => vec![],
    }
}

fn claims_block(rows: &[CheckedClaim], section: &str, caption: &str) -> Block {
    Block::Claims(ClaimsTable {
        caption: Some(caption.into()),
        rows: rows
            .iter()
            .filter(|r| r.section == section)
            .map(|r| ClaimRow {
                claim: r.text.clone(),
                asserted: r.asserted.clone().unwrap_or_default(),
                recomputed: r.recomputed.clone(),
                verdict: r.verdict,
                note: match r.verdict {
                    Verdict::Confirmed => r.detail.clone(),
                    _ => r.reason.clone(),
                },
                footnotes: claim_footnote(r),
            })
            .collect(),
    })
}

/// A scenario from the shipped library.
fn load_scenario(data: &TariffData, id: &str) -> Result<Scenario, BriefError> {
    let library = kanzei_tariff::library::Library::shipped();
    let vocab = kanzei_tariff::library::vocabulary(data.registry, &data.inputs);
    library.load(id, &vocab).map_err(|e| BriefError::Scenario(format!("{}:{}: {}: {}", e.file, e.line, e.key, e.message)))
}

/// Builds the brief. `progress` is called with the name of each stage as it finishes.
pub fn build(store: &Store, options: &BriefOptions, progress: &mut dyn FnMut(&str)) -> Result<Brief, BriefError> {
    let mut timer = Timer { start: Instant::now(), stages: Vec::new() };
    let date = options.date;
    let data = TariffData::load(store)?;
    let scenario = load_scenario(&data, &options.scenario)?;
    let baseline = load_scenario(&data, &options.baseline)?;
    if scenario.importer != code("USA") {
        return Err(BriefError::Scenario(format!("the brief needs a U.S. tariff scenario; `{}` is a scenario for {}", scenario.id, scenario.importer)));
    }
    // Compile the scenario and the baseline once; the tariff, value-added and general-
    // equilibrium sections all evaluate these.
    let (cells, compiled) = data.compile(&scenario);
    let base_compiled = kanzei_tariff::engine::Compiled::new(&baseline, &cells, &data.schedule, &data.inputs);
    let sector_new = runs::compiled_sector_tariffs(store, &cells, &compiled, date)?;
    let sector_old = runs::compiled_sector_tariffs(store, &cells, &base_compiled, date)?;
    let prepared = Prepared { cells, compiled, base_compiled, sector_new, sector_old };
    timer.lap("data", progress);
    // General equilibrium is the slowest part and independent of the rest: solve it on a
    // second thread while the other sections are built.
    std::thread::scope(|scope| {
        let ge = options.general_equilibrium.then(|| scope.spawn(|| ge_runs(store, &data, &prepared, &scenario.id, date)));
        sections(store, options, &data, &scenario, &baseline, &prepared, ge, progress, &mut timer)
    })
}

/// The scenario and the baseline compiled on the 2024 U.S. import cells, and their tariffs by
/// WIOD region × sector on the brief's date.
struct Prepared {
    cells: kanzei_tariff::cells::CellSet,
    compiled: kanzei_tariff::engine::Compiled,
    base_compiled: kanzei_tariff::engine::Compiled,
    sector_new: kanzei_tariff::sectors::RegionSectorTariffs,
    sector_old: kanzei_tariff::sectors::RegionSectorTariffs,
}

type GeResult = Result<(runs::WiodGeRun, runs::WiodGeRun, f64), BriefError>;

/// The scenario alone and with Chinese and Canadian retaliation, in Caliendo–Parro on WIOD
/// 2011; returns both runs and the seconds spent.
fn ge_runs(store: &Store, data: &TariffData, prepared: &Prepared, scenario_id: &str, date: Date) -> GeResult {
    let started = Instant::now();
    let config = SolverConfig::default();
    let observed = runs::wiod_observed(store)?;
    let us = (scenario_id.to_string(), prepared.sector_new.clone());
    let mut with = vec![us.clone()];
    for id in ["retaliation/china-2025", "retaliation/canada-2025"] {
        let s = load_scenario(data, id)?;
        with.push((s.id.clone(), runs::scenario_sector_tariffs(store, data, &s, date)?));
    }
    let only = runs::cp_wiod_with(observed.clone(), &prepared.sector_old, &[us], &config)?;
    let with = runs::cp_wiod_with(observed, &prepared.sector_old, &with, &config)?;
    Ok((only, with, started.elapsed().as_secs_f64()))
}

#[allow(clippy::too_many_arguments)]
fn sections(
    store: &Store,
    options: &BriefOptions,
    data: &TariffData,
    scenario: &Scenario,
    baseline: &Scenario,
    prepared: &Prepared,
    ge: Option<std::thread::ScopedJoinHandle<'_, GeResult>>,
    progress: &mut dyn FnMut(&str),
    timer: &mut Timer,
) -> Result<Brief, BriefError> {
    let date = options.date;
    let registry = store.registry();
    let jpn = code("JPN");
    let usa = code("USA");
    let wld = code("WLD");
    let census = store.census_country()?;
    let hs10 = store.us_imports_hs10()?;
    let mof = store.japan_mof()?;
    let weo = store.weo()?;
    let exports = store.us_exports()?;

    let mut footnotes: Vec<Footnote> = Vec::new();
    let facts = trade_facts(store, "JPN", 2024)?;
    let fact = |id: &str| facts.get(id).map_or(0.0, |f| f.value);
    let census_src = census.source("2024");
    footnotes.push(Footnote::from_source("census", &census_src));
    let mut hs10_note = Footnote::from_source("hs10", &hs10.source());
    hs10_note.note = Some("Imports for consumption by HTS line, summed to chapters; duties are calculated duties.".into());
    footnotes.push(hs10_note);
    let mut mof_note = Footnote::from_source("mof", &mof.source("2024"));
    let rate_2024 = weo.implied_rate("JPN", 2024)?;
    mof_note.note = Some(format!("Converted to dollars at ¥{rate_2024:.2} per dollar, the 2024 rate implied by IMF WEO GDP in yen and dollars."));
    footnotes.push(mof_note);

    // ---- 1. Trade -----------------------------------------------------------------------
    let mut trade = Section::new("trade", "Trade: a $228 billion relationship, a $68 billion deficit");
    let total = fact("us_jpn_total_trade_usd");
    let balance = fact("us_jpn_balance_usd");
    let rank = fact("us_jpn_deficit_rank");
    let ahead: Vec<String> = facts.largest_deficits.iter().take(rank as usize - 1).map(|(_, n, _)| n.clone()).collect();
    trade.push(Block::KeyFigures(vec![
        key_figure(bn(total), "U.S.–Japan goods trade, 2024", Some(format!("exports {} · imports {}", bn(fact("us_jpn_exports_usd")), bn(fact("us_jpn_imports_usd")))), "census"),
        key_figure(bn(balance), "U.S. goods balance with Japan", Some(format!("{} largest U.S. deficit", ordinal(rank as i64))), "census"),
        key_figure(pct(fact("jpn_us_share_pct"), 1), "U.S. share of Japan's exports", Some("Japan's customs statistics".into()), "mof"),
    ]));
    trade.push(Block::paragraph(&format!(
        "In 2024 the United States exported {} of goods to Japan and imported {}, a deficit of {}[^census]. It was the {} largest U.S. bilateral deficit, after {}. Japan is the United States' {} largest goods trading partner by total trade.",
        bn(fact("us_jpn_exports_usd")),
        bn(fact("us_jpn_imports_usd")),
        bn(-balance),
        ordinal(rank as i64),
        join_names(&ahead),
        ordinal(total_trade_rank(store, jpn, 2024)? as i64),
    )));
    let bars: Vec<Bar> = facts
        .largest_deficits
        .iter()
        .take(10)
        .map(|(c, name, b)| if *c == jpn { Bar::highlighted(name.clone(), -b / 1e9) } else { Bar::new(name.clone(), -b / 1e9) })
        .collect();
    let mut chart = HBarChart::new(
        ChartText::new("The ten largest U.S. goods deficits, 2024", "Bilateral goods deficits of the United States in 2024, billions of dollars, largest first; Japan highlighted.")
            .with_subtitle("U.S. imports less exports, billions of dollars")
            .with_source("Source: U.S. Census Bureau, FT-900 country data."),
        bars,
        ValueFormat::UsdBn { decimals: 1 },
    );
    chart.axis_label = Some("$ bn".into());
    trade.push(figure(chart.render()?, "fig-01-largest-deficits.svg", format!("Japan's deficit is the {} largest; China's is about {:.0} times as large.", ordinal(rank as i64), facts.largest_deficits[0].2 / balance), &["census"]));
    let (_, last_year) = census.year_range().unwrap_or((2015, 2024));
    let series = census.series(jpn, 2015, last_year, registry)?;
    let full: Vec<_> = series.iter().filter(|p| !p.partial).collect();
    let partial = series.iter().find(|p| p.partial);
    let cols: Vec<Bar> = full.iter().map(|p| Bar::new(p.year.to_string(), p.balance_usd / 1e9)).collect();
    let first = full.first().map_or(0.0, |p| p.balance_usd);
    let worst = full.iter().min_by(|a, b| a.balance_usd.total_cmp(&b.balance_usd));
    let mut col = ColumnChart::new(
        ChartText::new(
            format!("U.S. goods balance with Japan, 2015–{}", full.last().map_or(2024, |p| p.year)),
            "U.S. goods trade balance with Japan by year, billions of dollars; negative values are U.S. deficits.",
        )
        .with_subtitle("Exports less imports, billions of dollars")
        .with_source("Source: U.S. Census Bureau, FT-900 country data."),
        cols,
        ValueFormat::UsdBn { decimals: 0 },
    );
    col.axis_label = Some("$ bn".into());
    footnotes.push(Footnote::from_source("census-series", &census.source(&format!("2015–{last_year}"))));
    trade.push(figure(
        col.render()?,
        "fig-02-balance-since-2015.svg",
        format!(
            "The deficit was {} in 2015 and widest in {} at {}.{}",
            bn(-first),
            worst.map_or(0, |p| p.year),
            bn(-worst.map_or(0.0, |p| p.balance_usd)),
            partial.map_or(String::new(), |p| format!(" In {} the balance was {}.", p.period, bn(p.balance_usd)))
        ),
        &["census-series"],
    ));
    timer.lap("trade", progress);

    // ---- claims -------------------------------------------------------------------------
    let claims_file = claims::parse(claims::US_JAPAN_2025.0, claims::US_JAPAN_2025.1)?;
    let evaluator = Evaluator::with_tariff_data(store, data);
    let checked = claims::check(&claims_file, &evaluator)?;
    let tally = claims::tally(&checked);
    timer.lap("claims", progress);

    // ---- 2. Exposure --------------------------------------------------------------------
    let mut exposure_s = Section::new("exposure", "Exposure: what Japan sells the United States");
    let codes = registry.resolve("JPN").map_err(DataError::from)?.census_codes.clone();
    let (imp_total, duty_total) = hs10.total(&codes);
    let mut chapters: Vec<(HsCode, (f64, f64))> = hs10.by_product(&codes, 2).into_iter().collect();
    chapters.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0));
    let mut rows = Vec::new();
    let mut shown = 0.0;
    for (ch, (v, d)) in chapters.iter().take(8) {
        let name = exports.chapter_names.get(ch).cloned().unwrap_or_default();
        rows.push(vec![ch.to_string(), short(&sentence_case(&name), 48), bn(*v), pct(share_pct(*v, imp_total), 1), pct(share_pct(*d, *v), 1)]);
        shown += v;
    }
    let rest_duty: f64 = chapters.iter().skip(8).map(|c| c.1 .1).sum();
    rows.push(vec!["".into(), format!("{} other chapters", chapters.len().saturating_sub(8)), bn(imp_total - shown), pct(share_pct(imp_total - shown, imp_total), 1), pct(share_pct(rest_duty, imp_total - shown), 1)]);
    rows.push(vec!["".into(), "All goods".into(), bn(imp_total), "100.0%".into(), pct(share_pct(duty_total, imp_total), 1)]);
    let hs87 = chapters.iter().find(|c| c.0.to_string() == "87").map_or(0.0, |c| c.1 .0);
    exposure_s.push(Block::paragraph(&format!(
        "Seen from the U.S. side, vehicles and parts (HS 87) were {} of the {} the United States imported from Japan for consumption in 2024[^hs10]; the top eight chapters make up {}. Before 2025 these goods paid an average duty of {}.",
        pct(share_pct(hs87, imp_total), 1),
        bn(imp_total),
        pct(share_pct(shown, imp_total), 0),
        pct(share_pct(duty_total, imp_total), 2)
    )));
    exposure_s.push(table(
        "U.S. imports from Japan by HS chapter, 2024",
        &["HS", "Chapter", "Imports", "Share", "Duty paid"],
        rows,
        Some("Duty paid: calculated duties over customs value, 2024.".into()),
        &["hs10"],
    ));
    // Japan's side.
    let mof_us: Vec<(&str, f64)> = mof
        .by_commodity(FlowDirection::Exports, usa, 2024)
        .into_iter()
        .filter(|(g, _)| kanzei_data::japan_mof::commodity_level(g) == kanzei_data::japan_mof::CommodityLevel::Item)
        .collect();
    let mut items = mof_us.clone();
    items.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mof_total_us = mof.value(FlowDirection::Exports, usa, "Grand Total", 2024).unwrap_or(0.0);
    let mof_bars: Vec<Bar> = items
        .iter()
        .take(10)
        .map(|(g, v)| {
            let usd = v * 1e9 / rate_2024 / 1e9;
            if g.contains("Motor Vehicles") {
                Bar::highlighted(g.to_string(), usd)
            } else {
                Bar::new(g.to_string(), usd)
            }
        })
        .collect();
    let mv_us = mof.value(FlowDirection::Exports, usa, "Motor Vehicles", 2024).unwrap_or(0.0);
    let parts_us = mof.value(FlowDirection::Exports, usa, "Parts Of Motor Vehicles", 2024).unwrap_or(0.0);
    let mut mchart = HBarChart::new(
        ChartText::new("Japan's exports to the United States by commodity group, 2024", "Japan's 2024 exports to the United States by MOF commodity item, billions of dollars at the WEO-implied yen rate; motor vehicles and parts highlighted.")
            .with_subtitle("Japan's customs statistics (f.o.b.), billions of dollars")
            .with_source("Source: Ministry of Finance Japan, Trade Statistics; IMF WEO for the yen rate."),
        mof_bars,
        ValueFormat::UsdBn { decimals: 1 },
    );
    mchart.axis_label = Some("$ bn".into());
    exposure_s.push(figure(
        mchart.render()?,
        "fig-03-japan-exports-to-us.svg",
        format!(
            "Seen from Japan, motor vehicles and their parts were {} of its ¥{:.1} tn of exports to the United States ({} at ¥{:.0}/$).",
            pct(share_pct(mv_us + parts_us, mof_total_us), 1),
            mof_total_us / 1e3,
            bn(mof_total_us * 1e9 / rate_2024),
            rate_2024
        ),
        &["mof"],
    ));
    let claim_value = |id: &str| checked.iter().find(|c| c.id == id).and_then(|c| c.recomputed_value).unwrap_or(f64::NAN);
    exposure_s.push(Block::paragraph(&format!(
        "The two views differ by basis: U.S. imports are valued at the U.S. border in the year they arrive, Japan's exports f.o.b. when they leave. Both say the same thing about concentration. Motor vehicles, parts and motorcycles were {} of *all* Japan's exports in 2024 and the United States took {} of Japan's motor-vehicle exports by value[^mof]. Iron and steel and aluminium (HS 72 and 76) were {} of U.S. imports from Japan, {} with steel articles (HS 73)[^hs10].",
        pct(claim_value("autos-share"), 1),
        pct(claim_value("autos-us-share"), 1),
        pct(share_pct(hs10.value_in_chapters(&codes, &["72", "76"]), imp_total), 1),
        pct(claim_value("steel-aluminium-share"), 1),
    )));
    let economy: Vec<&CheckedClaim> = checked.iter().filter(|c| c.section == "economy").collect();
    let count = |v: Verdict| economy.iter().filter(|c| c.verdict == v).count();
    exposure_s.push(Block::paragraph(&format!(
        "The bulletin's economic claims, recomputed: {} confirmed, {} differ, {} without data, {} stated parameters.",
        count(Verdict::Confirmed),
        count(Verdict::Differs),
        count(Verdict::NoData),
        count(Verdict::StatedParameter)
    )));
    exposure_s.push(claims_block(&checked, "economy", "The bulletin's economic claims against the data"));
    timer.lap("exposure", progress);

    // ---- 3. Tariffs ---------------------------------------------------------------------
    let (cells, compiled, base_compiled) = (&prepared.cells, &prepared.compiled, &prepared.base_compiled);
    let names = exports.chapter_names.clone();
    let from = Date::new(2025, 1, 1).expect("valid");
    let to = Date::new(2026, 12, 31).expect("valid");
    let mut lines = analysis::timelines(compiled, cells, from, to, &[Some(jpn), None]);
    let all_line = lines.pop().unwrap_or_default();
    let jp_line = lines.pop().unwrap_or_default();
    timer.lap("tariff timeline", progress);
    let mut tariffs = Section::new("tariffs", "Tariffs: what Japan pays, date by date");
    footnotes.push(Footnote {
        key: "scenario".into(),
        dataset: format!("kanzei scenario {} ({}), baseline {}", scenario.id, scenario.title, baseline.id),
        year: "2025–26".into(),
        basis: "applied rates by HTS line and partner (USITC HTS 2025 MFN, preferences, USMCA shares, every 2025–26 measure), weighted by 2024 U.S. imports, before substitution".into(),
        note: Some("Scenario files: scenarios/ in the kanzei repository; kanzei tariff explain shows how any line's rate is built.".into()),
    });
    footnotes.push(Footnote {
        key: "tables".into(),
        dataset: "Executive Orders 14257 (April 2, 2025, Annex I) and 14326 (July 31, 2025, Annex I), as tabulated by The Budget Lab at Yale".into(),
        year: "2025".into(),
        basis: "country rates, percent ad valorem".into(),
        note: None,
    });
    let on = |points: &[analysis::TimelinePoint], d: Date| points.iter().find(|p| p.date == d).map_or(f64::NAN, |p| p.etr_pct);
    let etr_date = if date >= from && date <= to {
        on(&jp_line, date)
    } else {
        analysis::timeline(compiled, cells, date, date, Some(jpn)).first().map_or(f64::NAN, |p| p.etr_pct)
    };
    let exp_jp = analysis::exposure(compiled, cells, date, jpn, registry, &names);
    let base_jp = analysis::exposure(base_compiled, cells, date, jpn, registry, &names);
    let peak = jp_line.iter().max_by(|a, b| a.etr_pct.total_cmp(&b.etr_pct)).expect("non-empty timeline");
    tariffs.push(Block::KeyFigures(vec![
        key_figure(pct(exp_jp.etr_pct, 1), &format!("Effective U.S. tariff on Japan, {date}"), Some(format!("{} before 2025", pct(base_jp.etr_pct, 1))), "scenario"),
        key_figure(bn(exp_jp.revenue_usd), "Duties on a year of 2024 imports from Japan", Some(format!("+{} over the 2024 regime", bn(exp_jp.revenue_usd - base_jp.revenue_usd))), "scenario"),
        key_figure(pct(exp_jp.share_hit_pct, 0), "Share of imports from Japan facing new duties", Some(format!("peak rate {} on {}", pct(peak.etr_pct, 1), peak.date)), "scenario"),
    ]));
    // Events that moved Japan's rate by at least 0.1 pp.
    let mut events = Vec::new();
    for e in &scenario.events {
        if e.date < from || e.date > to {
            continue;
        }
        let before = on(&jp_line, e.date.add_days(-1));
        let after = on(&jp_line, e.date);
        if (after - before).abs() >= 0.1 || (e.date == from) {
            events.push(EventMarker::new(e.date, short(&e.label, 34)));
        }
    }
    let step = |points: &[analysis::TimelinePoint]| -> Vec<(ChartDate, f64)> {
        let mut out: Vec<(ChartDate, f64)> = Vec::new();
        let mut last = f64::NAN;
        for p in points {
            if (p.etr_pct - last).abs() > 1e-9 || out.is_empty() {
                out.push((p.date, p.etr_pct));
                last = p.etr_pct;
            }
        }
        out
    };
    let mut line = LineChart::new(
        ChartText::new(
            "Effective U.S. tariff rate on imports from Japan, 2025–26",
            format!("Daily import-weighted U.S. tariff rate on goods from Japan and from all partners under scenario {}, 2025–26, percent; events that moved Japan's rate are marked; the brief's date is {date}.", scenario.id),
        )
        .with_subtitle("Duties over 2024 import values, percent, before substitution")
        .with_source(format!("Source: kanzei scenario {} on USITC HTS 2025 and Census 2024 imports.", scenario.id)),
        vec![LineSeries::new("Japan", step(&jp_line), LineShape::Step), LineSeries::new("All partners", step(&all_line), LineShape::Step)],
        events,
        ValueFormat::Percent { decimals: 1 },
    );
    line.x_start = ChartDate::new(2025, 1, 1);
    line.x_end = ChartDate::new(2026, 12, 31);
    line.series[0].color = Some(crate::svg::palette::HIGHLIGHT.into());
    line.series[1].color = Some(crate::svg::palette::PRIMARY.into());
    if date >= from && date <= to {
        line.events.push(EventMarker::new(date, format!("Brief date: {}", date.long())));
    }
    tariffs.push(figure(
        line.render()?,
        "fig-04-japan-tariff-timeline.svg",
        format!(
            "Japan's rate rose from {} to a peak of {} on {}, and stood at {} on {date}; the all-partner rate on that date was {}.",
            pct(on(&jp_line, from), 1),
            pct(peak.etr_pct, 1),
            peak.date,
            pct(etr_date, 1),
            pct(if date >= from && date <= to { on(&all_line, date) } else { f64::NAN }, 1)
        ),
        &["scenario"],
    ));
    // By authority: Japan and its competitors in the U.S. market.
    let peers = ["JPN", "KOR", "DEU", "MEX", "CAN", "CHN"];
    let mut by_auth: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut peer_names = Vec::new();
    let mut peer_exp = Vec::new();
    for (i, p) in peers.iter().enumerate() {
        let e = analysis::exposure(compiled, cells, date, code(p), registry, &names);
        peer_names.push(short_name(registry, p));
        for a in &e.by_authority {
            by_auth.entry(a.key.clone()).or_insert_with(|| vec![0.0; peers.len()])[i] = a.contribution_pp;
        }
        peer_exp.push(e);
    }
    let order = ["base", "s232", "ieepa-reciprocal", "ieepa-fentanyl", "s301", "s122", "s201", "ieepa-other"];
    let mut series_list: Vec<Series> = Vec::new();
    for key in order.iter().map(|s| s.to_string()).chain(by_auth.keys().filter(|k| !order.contains(&k.as_str())).cloned()) {
        if let Some(vals) = by_auth.get(&key) {
            if vals.iter().any(|v| v.abs() > 1e-9) {
                series_list.push(Series::new(authority_label(&key), vals.clone()));
            }
        }
    }
    let stacked = StackedBarChart::new(
        ChartText::new(
            format!("Where the rate comes from, {date}"),
            format!("Effective U.S. tariff rate on {date} by legal authority, percentage points, for Japan and five competitors in the U.S. market."),
        )
        .with_subtitle("Points of each partner's effective rate, by legal authority")
        .with_source(format!("Source: kanzei scenario {} on 2024 U.S. imports.", scenario.id)),
        peer_names.clone(),
        series_list,
        ValueFormat::Percent { decimals: 1 },
    );
    tariffs.push(figure(
        stacked.render()?,
        "fig-05-rate-by-authority.svg",
        format!(
            "On {date} Japan's rate of {} compares with {} for Korea, {} for Germany, {} for Mexico, {} for Canada and {} for China.",
            pct(peer_exp[0].etr_pct, 1),
            pct(peer_exp[1].etr_pct, 1),
            pct(peer_exp[2].etr_pct, 1),
            pct(peer_exp[3].etr_pct, 1),
            pct(peer_exp[4].etr_pct, 1),
            pct(peer_exp[5].etr_pct, 1)
        ),
        &["scenario"],
    ));
    let auth_rows: Vec<Vec<String>> = exp_jp
        .by_authority
        .iter()
        .map(|a| vec![authority_label(&a.key), bn(a.imports_usd), pct(a.etr_pct, 1), bn(a.revenue_usd), format!("{:.1}", a.contribution_pp)])
        .collect();
    tariffs.push(table(
        &format!("U.S. duties on imports from Japan by legal authority, {date}"),
        &["Authority", "Imports covered", "Rate on them", "Duties", "Points of ETR"],
        auth_rows,
        Some("Duties at 2024 import values; a line can be covered by more than one authority.".into()),
        &["scenario"],
    ));
    // What-ifs.
    // The what-ifs change only Japan's measures: compile them on Japan's cells alone.
    let japan_cells = kanzei_tariff::cells::CellSet {
        importer: cells.importer,
        year: cells.year,
        cells: cells.cells.iter().filter(|c| c.exporter == jpn).copied().collect(),
        proxies: cells.proxies.clone(),
        coverage: cells.coverage.clone(),
    };
    let mut whatif_rows = Vec::new();
    let mut whatifs_json = Vec::new();
    for (id, label) in [
        (scenario.id.as_str(), "As enacted"),
        ("what-if/japan-exempt", "Japan exempt from the 2025 measures"),
        ("what-if/japan-24pct", "Japan at the April 2 rate of 24%, no deal"),
    ] {
        let s = if id == scenario.id { scenario.clone() } else { load_scenario(data, id)? };
        let e = if id == scenario.id {
            analysis::exposure(compiled, cells, date, jpn, registry, &names)
        } else {
            let comp = kanzei_tariff::engine::Compiled::new(&s, &japan_cells, &data.schedule, &data.inputs);
            analysis::exposure(&comp, &japan_cells, date, jpn, registry, &names)
        };
        whatif_rows.push(vec![label.to_string(), format!("`{id}`").replace('`', ""), pct(e.etr_pct, 1), bn(e.revenue_usd), pp(e.etr_pct - exp_jp.etr_pct)]);
        whatifs_json.push(json!({"scenario": id, "etr_pct": e.etr_pct, "revenue_usd": e.revenue_usd}));
    }
    timer.lap("tariff what-ifs", progress);
    tariffs.push(table(
        &format!("What-ifs for Japan on {date}"),
        &["Case", "Scenario", "Japan's rate", "Duties", "vs enacted"],
        whatif_rows,
        Some("Static: 2024 imports at each scenario's rates. The what-if files extend the enacted scenario and change only Japan's measures.".into()),
        &["scenario"],
    ));
    timer.lap("tariffs", progress);

    // ---- 4. Third countries -------------------------------------------------------------
    let mut third = Section::new("third-countries", "Third countries: Japanese value built in Mexico and Canada");
    let va = runs::va_at_risk_with(&runs::wiod_model(store)?, "JPN", &scenario.id, date, &prepared.sector_new, &prepared.sector_old)?;
    let wiod = store.wiod_2011()?;
    let mut wiod_note = Footnote::from_source("wiod", &wiod.source);
    wiod_note.note = Some("Value added per dollar of each exporter-sector's output from the 2011 Leontief inverse, applied to 2024 U.S. imports mapped HS → ISIC Rev.3 → WIOD sectors.".into());
    footnotes.push(wiod_note);
    let route = |c: &str| va.routes.iter().find(|r| r.exporter == c);
    let direct = route("JPN");
    let indirect: Vec<_> = va.routes.iter().filter(|r| !r.direct).collect();
    let indirect_va: f64 = indirect.iter().map(|r| r.origin_va_usd).sum();
    let nafta_va: f64 = ["MEX", "CAN"].iter().filter_map(|c| route(c)).map(|r| r.origin_va_usd).sum();
    let nafta_extra: f64 = ["MEX", "CAN"].iter().filter_map(|c| route(c)).map(|r| r.extra_duty_on_origin_va_usd).sum();
    third.push(Block::KeyFigures(vec![
        key_figure(bn(va.total_origin_va_usd), "Japanese value added in U.S. imports", Some(format!("{} of it via third countries", bn(indirect_va))), "wiod"),
        key_figure(bn(nafta_va), "… in U.S. imports from Mexico and Canada", Some(format!("extra duty on it: {}", bn(nafta_extra))), "wiod"),
        key_figure(bn(va.total_extra_duty_usd), &format!("Extra U.S. duty on Japanese value added, {date}"), Some("all routes, static".into()), "wiod"),
    ]));
    let mut va_rows = Vec::new();
    for r in va.routes.iter().take(8) {
        va_rows.push(vec![
            short_name(registry, &r.exporter),
            bn(r.imports_usd),
            bn(r.origin_va_usd),
            pct(share_pct(r.origin_va_usd, r.imports_usd), 2),
            bn(r.origin_va_hit_usd),
            bn(r.extra_duty_on_origin_va_usd),
        ]);
    }
    third.push(Block::paragraph(&format!(
        "Japanese firms reach the U.S. market from inside North America. Tracing value added through the world input–output table, {} of Japanese value added entered the United States in 2024 goods, {} of it embedded in goods shipped from third countries; Mexico and Canada carried {}[^wiod]. Under scenario {} on {date}, {} of Japanese value added sat in sectors whose U.S. tariff rose.",
        bn(va.total_origin_va_usd),
        pct(share_pct(indirect_va, va.total_origin_va_usd), 0),
        bn(nafta_va),
        scenario.id,
        bn(va.total_origin_va_hit_usd),
    )));
    third.push(table(
        "Japanese value added in U.S. imports, by the country that ships it",
        &["Shipped from", "U.S. imports", "Japanese VA", "VA share", "VA facing higher tariffs", "Extra duty on it"],
        va_rows,
        Some(format!(
            "2024 U.S. imports; WIOD 2011 production structure. Direct exports from Japan: {} of value added.",
            direct.map_or("—".into(), |d| bn(d.origin_va_usd))
        )),
        &["wiod", "scenario"],
    ));
    // Toyota.
    let (toyota, _) = store.autos()?;
    footnotes.push(Footnote::from_source("toyota", &kanzei_data::autos::ToyotaResults::source(2024)));
    let prod = toyota.by_country("production", 2024);
    let japan_prod = toyota.get("production", "Japan", "", 2024).unwrap_or(0.0);
    let mut tbars: Vec<Bar> = vec![Bar::new("Japan", japan_prod / 1e6)];
    for (row, units) in prod.iter().take(11) {
        let label = row.country.clone();
        if ["U.S.", "Canada", "Mexico"].contains(&label.as_str()) {
            tbars.push(Bar::highlighted(label, units / 1e6));
        } else {
            tbars.push(Bar::new(label, units / 1e6));
        }
    }
    tbars.sort_by(|a, b| b.value.total_cmp(&a.value));
    let mut tchart = HBarChart::new(
        ChartText::new("Where Toyota builds its vehicles, 2024", "Toyota and Lexus vehicle production by country in 2024, millions of vehicles; United States, Canada and Mexico highlighted.")
            .with_subtitle("Vehicles produced, millions (Toyota and Lexus)")
            .with_source("Source: Toyota Motor Corporation, production, sales and export results."),
        tbars,
        ValueFormat::Number { decimals: 2 },
    );
    tchart.axis_label = Some("million vehicles".into());
    let us_sales = toyota.get("sales", "North America", "U.S. (incl. Hawaii)", 2024).unwrap_or(0.0);
    let us_prod = toyota.get("production", "North America", "U.S.", 2024).unwrap_or(0.0);
    let can_prod = toyota.get("production", "North America", "Canada", 2024).unwrap_or(0.0);
    let mex_prod = toyota.get("production", "North America", "Mexico", 2024).unwrap_or(0.0);
    let jp_to_us = toyota.get("exports", "North America", "U.S. (incl. Hawaii)", 2024).unwrap_or(0.0);
    third.push(figure(
        tchart.render()?,
        "fig-06-toyota-production.svg",
        format!(
            "Toyota sold {:.2} million vehicles in the United States in 2024. It built {:.2} million there, {:.2} million in Canada and {:.2} million in Mexico, and shipped {:.2} million from Japan to the United States. Its Canadian and Mexican plants, exposed to the tariffs on those countries, produced {} vehicles than Toyota exported from Japan to the U.S.",
            us_sales / 1e6,
            us_prod / 1e6,
            can_prod / 1e6,
            mex_prod / 1e6,
            jp_to_us / 1e6,
            if can_prod + mex_prod > jp_to_us { format!("{:.0}% more", share_pct(can_prod + mex_prod - jp_to_us, jp_to_us)) } else { format!("{:.0}% fewer", share_pct(jp_to_us - can_prod - mex_prod, jp_to_us)) }
        ),
        &["toyota"],
    ));
    timer.lap("third countries", progress);

    // ---- 5. Effects ---------------------------------------------------------------------
    let mut effects = Section::new("effects", "Effects: diversion in autos and welfare in general equilibrium");
    let h8703 = HsCode::parse("8703").expect("valid");
    let smart = runs::smart_us(store, data, scenario, baseline, date, SmartBy::Partner, Some(h8703), &SmartConfig::default())?;
    footnotes.push(Footnote {
        key: "smart".into(),
        dataset: "SMART partial equilibrium (Jammes and Olarreaga 2005) on 2024 U.S. imports of HS 8703 by HTS line and partner; elasticities from Hauk (2012), Broda and Weinstein (2006) and Fontagné, Guimbard and Orefice (2022)".into(),
        year: date.to_string(),
        basis: "import demand and substitution elasticities per HTS line; the EU as one exporter".into(),
        note: None,
    });
    let pick = ["JPN", "KOR", "MEX", "EU27", "CAN", "GBR"];
    let groups: Vec<&runs::SmartGroup> = pick.iter().filter_map(|k| smart.groups.iter().find(|g| g.key == *k)).collect();
    let mut cat = Vec::new();
    let mut creation = Vec::new();
    let mut diversion = Vec::new();
    let mut srows = Vec::new();
    for g in &groups {
        let name = short_name(registry, &g.key);
        cat.push(name.clone());
        creation.push(g.trade_creation_usd / 1e9);
        diversion.push(g.trade_diversion_usd / 1e9);
        srows.push(vec![
            name,
            bn(g.imports_before_usd),
            pct(g.rate_before_pct, 1),
            pct(g.rate_after_pct, 1),
            bn(g.trade_creation_usd),
            bn(g.trade_diversion_usd),
            bn(g.imports_after_usd - g.imports_before_usd),
        ]);
    }
    let mut gchart = GroupedBarChart::new(
        ChartText::new(
            format!("Passenger cars: who loses and who gains the U.S. market, {date}"),
            "SMART partial-equilibrium change in U.S. imports of passenger cars (HS 8703) by exporter, billions of dollars, split into trade creation (lost to higher prices) and trade diversion (won from other suppliers).",
        )
        .with_subtitle("Change in U.S. imports of HS 8703 against the 2024 regime, $ bn")
        .with_source("Source: kanzei SMART on 2024 Census HS10 imports; elasticities Hauk (2012), Broda–Weinstein (2006)."),
        cat,
        vec![Series::new("Trade creation", creation), Series::new("Trade diversion", diversion)],
        ValueFormat::UsdBn { decimals: 1 },
    );
    gchart.highlight_categories = vec![short_name(registry, "JPN")];
    gchart.axis_label = Some("$ bn".into());
    let jp_smart = groups.iter().find(|g| g.key == "JPN");
    let cars_before: f64 = smart.groups.iter().map(|g| g.imports_before_usd).sum();
    let cars_after: f64 = smart.groups.iter().map(|g| g.imports_after_usd).sum();
    let cars_rate = |f: fn(&runs::SmartGroup) -> f64| share_pct(smart.groups.iter().map(|g| g.imports_before_usd * f(g) / 100.0).sum(), cars_before);
    let cars_rate_before = cars_rate(|g| g.rate_before_pct);
    let cars_rate_after = cars_rate(|g| g.rate_after_pct);
    // Japan against its two largest Asian and North American rivals, in words the numbers choose.
    let net = |k: &str| groups.iter().find(|g| g.key == k).map(|g| (g.imports_after_usd - g.imports_before_usd, format!("{} ({} in 2024)", pct(g.rate_after_pct, 1), pct(g.rate_before_pct, 1))));
    let rivals = match (net("JPN"), net("KOR"), net("MEX")) {
        (Some((jp, jr)), Some((kr, krr)), Some((mx, mxr))) => {
            let relation = if jp > kr && jp > mx {
                "a smaller change than Korea's"
            } else if jp < kr && jp < mx {
                "a larger fall than Korea's"
            } else {
                "against Korea's"
            };
            format!(
                "{} ({}) or Mexico's ({}), with Japanese cars paying {} against {} for Korean and {} for Mexican ones",
                relation,
                bn(kr),
                bn(mx),
                jr,
                krr,
                mxr
            )
        }
        _ => String::from("Korea's and Mexico's are in the table below"),
    };
    effects.push(Block::paragraph(&format!(
        "In passenger cars, where Japan's exposure is greatest, the question is relative: every major supplier faces new duties, so what matters is Japan's rate against its rivals'. With the average U.S. duty on imported cars going from {} to {} on {date}, SMART puts U.S. car imports at {} after substitution against {} in 2024. Japan's sales change by {}, {}[^smart].",
        pct(cars_rate_before, 1),
        pct(cars_rate_after, 1),
        bn(cars_after),
        bn(cars_before),
        jp_smart.map_or("—".into(), |g| bn(g.imports_after_usd - g.imports_before_usd)),
        rivals
    )));
    effects.push(figure(gchart.render()?, "fig-07-autos-diversion.svg", "Trade creation is always a loss for the supplier whose price rises; diversion goes to suppliers whose tariff rose less than the market's.".into(), &["smart"]));
    effects.push(table(
        &format!("U.S. imports of passenger cars (HS 8703) under {} on {date}", scenario.id),
        &["Exporter", "2024 imports", "Rate before", "Rate after", "Creation", "Diversion", "Net change"],
        srows,
        Some("Rates are import-weighted over 2024 HS 8703 lines. The EU is one exporter, rated as Germany (EU measures are uniform across members).".into()),
        &["smart", "scenario"],
    ));
    timer.lap("pe smart", progress);
    let mut ge_json = serde_json::Value::Null;
    if let Some(handle) = ge {
        let result = handle.join().unwrap_or_else(|_| Err(BriefError::Scenario("the general-equilibrium thread panicked".into())));
        footnotes.push(Footnote {
            key: "ge".into(),
            dataset: "Caliendo, L. and Parro, F. (2015), \"Estimates of the Trade and Welfare Effects of NAFTA\", Review of Economic Studies 82(1), solved by kanzei on the WIOD 2011 world input–output table".into(),
            year: date.to_string(),
            basis: "exact change in real income (percent), with the paper's terms-of-trade and volume-of-trade decomposition; sectoral trade elasticities θ from Caliendo–Parro, services set to 5".into(),
            note: Some("Tariffs from the scenarios mapped to WIOD sectors; trade deficits held at 2011 shares of world GDP.".into()),
        });
        match result {
            Ok((only, with, seconds)) => {
                timer.stages.push(("ge (parallel)".into(), seconds));
                let countries = ["JPN", "USA", "CHN", "CAN", "MEX", "KOR"];
                let pick = |eq: &kanzei_ge::caliendo_parro::Equilibrium, f: fn(&kanzei_ge::caliendo_parro::CountryWelfare) -> f64| -> Vec<f64> {
                    countries.iter().map(|c| eq.country(c).map_or(f64::NAN, f)).collect()
                };
                // Ŵ_n: the exact real-income change; the paper's ToT + VoT is its first-order
                // decomposition (CP 2015, eq. 15).
                let a = pick(&only.equilibrium, |w| w.real_income_pct);
                let b = pick(&with.equilibrium, |w| w.real_income_pct);
                let tot = pick(&only.equilibrium, |w| w.tot_pct);
                let vot = pick(&only.equilibrium, |w| w.vot_pct);
                let rw = pick(&only.equilibrium, |w| w.real_wage_pct);
                let labels: Vec<String> = countries.iter().map(|c| short_name(registry, c)).collect();
                let mut wchart = GroupedBarChart::new(
                    ChartText::new(
                        "Change in real income, general equilibrium",
                        format!("Caliendo–Parro change in real income, percent, under {} on {date}, with and without Chinese and Canadian retaliation.", scenario.id),
                    )
                    .with_subtitle("Percent change in real income, long run")
                    .with_source("Source: kanzei Caliendo–Parro (2015) on WIOD 2011."),
                    labels.clone(),
                    vec![Series::new("U.S. tariffs only", a.clone()), Series::new("With Chinese and Canadian retaliation", b.clone())],
                    ValueFormat::Percent { decimals: 2 },
                );
                wchart.highlight_categories = vec![labels[0].clone()];
                let wrows: Vec<Vec<String>> = (0..countries.len())
                    .map(|i| vec![labels[i].clone(), signed_pct(a[i]), signed_pct(tot[i]), signed_pct(vot[i]), signed_pct(rw[i]), signed_pct(b[i])])
                    .collect();
                effects.push(Block::paragraph(&format!(
                    "In general equilibrium (Caliendo–Parro on the 2011 world input–output table) the tariffs change Japan's real income by {} and that of the United States by {}; with Chinese and Canadian retaliation the changes become {} and {}[^ge]. Canada and Mexico lose most ({} and {}). The paper's first-order decomposition credits the United States with a terms-of-trade gain of {} and a volume-of-trade change of {}; the exact change in real income, which this brief reports, also counts the higher prices U.S. buyers pay. The two solves take {} and {} iterations.",
                    signed_pct(a[0]),
                    signed_pct(a[1]),
                    signed_pct(b[0]),
                    signed_pct(b[1]),
                    signed_pct(a[3]),
                    signed_pct(a[4]),
                    signed_pct(tot[1]),
                    signed_pct(vot[1]),
                    only.equilibrium.report.iterations,
                    with.equilibrium.report.iterations
                )));
                effects.push(figure(wchart.render()?, "fig-08-ge-real-income.svg", "Negative values are losses of real income. Japan does not retaliate in either case.".into(), &["ge"]));
                effects.push(table(
                    "Change in real income by country, percent",
                    &["Country", "U.S. tariffs", "Terms of trade", "Volume of trade", "Real wage", "With retaliation"],
                    wrows,
                    Some(format!("Terms and volume of trade: the first-order decomposition of CP (2015); for countries without tariffs in the baseline the volume term is zero. {}", with.notes.join(" "))),
                    &["ge", "wiod"],
                ));
                ge_json = json!({
                    "countries": countries,
                    "real_income_pct_us_tariffs": a,
                    "real_income_pct_with_retaliation": b,
                    "terms_of_trade_pct": tot,
                    "volume_of_trade_pct": vot,
                    "real_wage_pct": rw,
                    "iterations": [only.equilibrium.report.iterations, with.equilibrium.report.iterations],
                });
            }
            Err(e) => {
                effects.push(Block::Callout(Callout::new(
                    CalloutKind::Caveat,
                    Some("General equilibrium not shown"),
                    &format!("The Caliendo–Parro solve on WIOD 2011 did not finish: {}. The partial-equilibrium results above stand on their own.", e.to_string().replace('*', "\\*")),
                )));
                ge_json = json!({ "error": e.to_string() });
            }
        }
        timer.lap("ge", progress);
    }

    let mut effect_figures = vec![key_figure(
        jp_smart.map_or("—".into(), |g| bn(g.imports_after_usd - g.imports_before_usd)),
        "Change in U.S. imports of Japanese cars (SMART)",
        Some(format!("of {} in 2024", jp_smart.map_or("—".into(), |g| bn(g.imports_before_usd)))),
        "smart",
    )];
    if let Some(w) = ge_json.get("real_income_pct_us_tariffs").and_then(|v| v.as_array()) {
        let r = ge_json.get("real_income_pct_with_retaliation").and_then(|v| v.as_array());
        let at = |a: &Vec<serde_json::Value>, i: usize| a.get(i).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
        effect_figures.push(key_figure(signed_pct(at(w, 0)), "Japan's real income (general equilibrium)", r.map(|r| format!("{} with retaliation", signed_pct(at(r, 0)))), "ge"));
        effect_figures.push(key_figure(signed_pct(at(w, 1)), "U.S. real income (general equilibrium)", r.map(|r| format!("{} with retaliation", signed_pct(at(r, 1)))), "ge"));
    }
    effects.blocks.insert(0, Block::KeyFigures(effect_figures));

    // ---- 6. Offsets ---------------------------------------------------------------------
    let mut offsets = Section::new("offsets", "Offsets: LNG and the investment pledge");
    let lng_world = mof.value(FlowDirection::Imports, wld, "Lng", 2024).unwrap_or(0.0);
    let lng_us = mof.value(FlowDirection::Imports, usa, "Lng", 2024).unwrap_or(0.0);
    let mut suppliers = mof.partners(FlowDirection::Imports, "Lng", 2024);
    suppliers.retain(|(p, _)| *p != wld);
    suppliers.sort_by(|a, b| b.1.total_cmp(&a.1));
    let to_usd = |jpy_bn: f64| jpy_bn * 1e9 / rate_2024;
    let bound = to_usd(lng_world - lng_us);
    offsets.push(Block::KeyFigures(vec![
        key_figure(bn(to_usd(lng_world)), "Japan's LNG imports, 2024", Some(format!("¥{:.1} tn", lng_world / 1e3)), "mof"),
        key_figure(pct(share_pct(lng_us, lng_world), 1), "U.S. share of Japan's LNG imports", Some(bn(to_usd(lng_us))), "mof"),
        key_figure(pct(share_pct(bound, -balance), 0), "Of the deficit, if all Japan's LNG came from the U.S.", Some(format!("upper bound: {}", bn(bound))), "mof"),
    ]));
    let lbars: Vec<Bar> = suppliers
        .iter()
        .take(8)
        .map(|(p, v)| {
            let name = short_name(registry, p.as_str());
            if *p == usa {
                Bar::highlighted(name, to_usd(*v) / 1e9)
            } else {
                Bar::new(name, to_usd(*v) / 1e9)
            }
        })
        .collect();
    let mut lchart = HBarChart::new(
        ChartText::new("Where Japan buys its LNG, 2024", "Japan's 2024 imports of liquefied natural gas by supplier, billions of dollars; the United States highlighted.")
            .with_subtitle("Japan's LNG imports by supplier, $ bn (c.i.f.)")
            .with_source("Source: Ministry of Finance Japan, Trade Statistics; IMF WEO for the yen rate."),
        lbars,
        ValueFormat::UsdBn { decimals: 1 },
    );
    lchart.axis_label = Some("$ bn".into());
    let us27 = exports
        .lines
        .iter()
        .filter(|l| l.partner == jpn && l.year == 2024 && l.chapter.to_string() == "27")
        .map(|l| l.value_usd)
        .sum::<f64>();
    footnotes.push(Footnote::from_source("us-exports", &exports.source("2024")));
    offsets.push(Block::paragraph(&format!(
        "Unlike China and Canada, Japan did not retaliate; it offered more purchases of U.S. energy, and investment. LNG is the largest lever. Japan imported {} of LNG in 2024, {} of it from the United States ({})[^mof]. Even if Japan bought *all* its LNG from the United States at 2024 prices, U.S. exports would rise by at most {}, {} of the {} deficit — and long-term contracts with other suppliers make the real figure far smaller. U.S. exports of all mineral fuels (HS 27) to Japan were {} in 2024[^us-exports].",
        bn(to_usd(lng_world)),
        bn(to_usd(lng_us)),
        pct(share_pct(lng_us, lng_world), 1),
        bn(bound),
        pct(share_pct(bound, -balance), 0),
        bn(-balance),
        bn(us27)
    )));
    let us_rank = suppliers.iter().position(|(p, _)| *p == usa).map_or(0, |i| i + 1);
    let top2: f64 = suppliers.iter().take(2).map(|s| s.1).sum();
    offsets.push(figure(
        lchart.render()?,
        "fig-09-japan-lng-suppliers.svg",
        format!(
            "{} and {} supplied {} of Japan's LNG; the United States was the {} largest supplier with {}.",
            suppliers.first().map_or(String::new(), |s| short_name(registry, s.0.as_str())),
            suppliers.get(1).map_or(String::new(), |s| short_name(registry, s.0.as_str())),
            pct(share_pct(top2, lng_world), 0),
            ordinal(us_rank as i64),
            pct(share_pct(lng_us, lng_world), 1)
        ),
        &["mof"],
    ));
    let pledge = checked.iter().find(|c| c.id == "investment-pledge");
    offsets.push(Block::Callout(Callout::new(
        CalloutKind::Note,
        Some("The investment pledge"),
        &format!(
            "The bulletin cites a pledge of {} of Japanese investment in the United States. It is a stated parameter, not data kanzei can check: {}. For scale, it equals {:.0} years of the 2024 goods deficit and {:.1} years of U.S. imports from Japan.",
            pledge.and_then(|p| p.asserted.clone()).unwrap_or_else(|| "$1 tn".into()),
            pledge.and_then(|p| p.reason.clone()).unwrap_or_default(),
            1e12 / -balance,
            1e12 / fact("us_jpn_imports_usd"),
        ),
    )));
    timer.lap("offsets", progress);

    // ---- 7. Alliance ledger -------------------------------------------------------------
    let mut ledger = Section::new("alliance", "Alliance ledger: what the defence targets cost");
    footnotes.push(Footnote::from_source("weo", &weo.source("NGDP_FY (GDP, fiscal year, yen), NGDP and NGDPD", "2024–2030")));
    let mut lrows = Vec::new();
    let mut paths: [Vec<(ChartDate, f64)>; 3] = Default::default();
    let mut ledger_json = Vec::new();
    for year in 2024..=2030 {
        let Ok(gdp_fy) = weo.value_units("JPN", "NGDP_FY", year).or_else(|_| weo.value_units("JPN", "NGDP", year)) else { continue };
        let Ok(rate) = weo.implied_rate("JPN", year) else { continue };
        let projected = weo.is_projection("JPN", "NGDP_FY", year) || weo.is_projection("JPN", "NGDP", year);
        let p16 = 1.6;
        let p2 = if year >= 2027 { 2.0 } else { 1.6 + 0.4 * (year - 2024) as f64 / 3.0 };
        let p3 = 1.6 + 1.4 * (year - 2024) as f64 / 6.0;
        let cells: Vec<f64> = [p16, p2, p3].iter().map(|s| gdp_fy * s / 100.0).collect();
        for (k, c) in cells.iter().enumerate() {
            paths[k].push((ChartDate::new(year, 1, 1).expect("valid"), c / rate / 1e9));
        }
        lrows.push(vec![
            format!("{year}{}", if projected { " (p)" } else { "" }),
            format!("¥{:.0} tn", gdp_fy / 1e12),
            format!("{rate:.1}"),
            format!("¥{:.1} tn · {}", cells[0] / 1e12, bn(cells[0] / rate)),
            format!("{:.2}% · ¥{:.1} tn · {}", p2, cells[1] / 1e12, bn(cells[1] / rate)),
            format!("{:.2}% · ¥{:.1} tn · {}", p3, cells[2] / 1e12, bn(cells[2] / rate)),
        ]);
        ledger_json.push(json!({"fiscal_year": year, "gdp_jpy": gdp_fy, "jpy_per_usd": rate, "projected": projected, "at_1_6_pct_usd": cells[0] / rate, "path_2pct_usd": cells[1] / rate, "path_3pct_usd": cells[2] / rate}));
    }
    let hns = checked.iter().find(|c| c.id == "host-nation-support").and_then(|c| c.asserted_value).unwrap_or(2e9);
    let diff_2027 = ledger_json.iter().find(|r| r["fiscal_year"] == 2027).map(|r| r["path_2pct_usd"].as_f64().unwrap_or(0.0) - r["at_1_6_pct_usd"].as_f64().unwrap_or(0.0)).unwrap_or(0.0);
    let diff_2030 = ledger_json.iter().find(|r| r["fiscal_year"] == 2030).map(|r| r["path_3pct_usd"].as_f64().unwrap_or(0.0) - r["at_1_6_pct_usd"].as_f64().unwrap_or(0.0)).unwrap_or(0.0);
    ledger.push(Block::paragraph(&format!(
        "The security side of the ledger is made of stated parameters: defence spending of 1.6% of GDP in 2024, 2% by 2027, pressure toward 3%, host-nation support of about {} a year. kanzei prices them on the IMF's GDP path[^weo]. Reaching 2% in fiscal 2027 means spending about {} more that year than holding 1.6%; a 3% path reached by 2030 adds about {} in 2030 — against a 2024 goods deficit of {} and duties on Japanese goods of {} a year under scenario {} on {date}.",
        bn(hns),
        bn(diff_2027),
        bn(diff_2030),
        bn(-balance),
        bn(exp_jp.revenue_usd),
        scenario.id
    )));
    let mut dchart = LineChart::new(
        ChartText::new("Japan's defence spending under three paths, 2024–2030", "Japan's defence spending in billions of dollars under three paths: 1.6% of GDP held, 2% reached by 2027, and 3% reached by 2030, on IMF WEO GDP (projections after 2024).")
            .with_subtitle("Billions of dollars at the WEO-implied yen rate; fiscal-year GDP")
            .with_source("Source: IMF WEO October 2025 (GDP); paths are the bulletin's stated parameters."),
        vec![
            LineSeries::new("1.6% held", paths[0].clone(), LineShape::Linear),
            LineSeries::new("2% by 2027", paths[1].clone(), LineShape::Linear),
            LineSeries::new("3% by 2030", paths[2].clone(), LineShape::Linear),
        ],
        vec![],
        ValueFormat::UsdBn { decimals: 0 },
    );
    dchart.axis_label = Some("$ bn".into());
    ledger.push(figure(dchart.render()?, "fig-10-defence-paths.svg", "Years after 2024 use IMF projections of GDP and of the yen rate; a weaker or stronger yen moves the dollar figures, not the yen ones.".into(), &["weo"]));
    ledger.push(table(
        "Defence spending paths in yen and dollars",
        &["Fiscal year", "GDP", "¥ per $", "At 1.6%", "2% by 2027", "3% by 2030"],
        lrows,
        Some("(p): IMF projection. Paths ramp linearly from 1.6% in 2024. The targets are stated parameters, listed below with their sources.".into()),
        &["weo"],
    ));
    ledger.push(claims_block(&checked, "security", "The bulletin's security figures: stated parameters"));
    timer.lap("alliance", progress);

    // ---- Summary ------------------------------------------------------------------------
    let mut summary_s = Section::new("summary", "Summary");
    summary_s.push(Block::Callout(Callout::new(
        CalloutKind::KeyPoint,
        None,
        &format!(
            "Japan sold the United States {} of goods in 2024 and bought {}; the {} deficit is the {} largest. On {date} U.S. duties on Japanese goods average {} under scenario {} (against {} in 2024), {} a year at 2024 volumes. Japanese value added also reaches the U.S. through Mexico and Canada ({}). Even a complete switch of Japan's LNG purchases to U.S. suppliers would close at most {} of the deficit.",
            bn(fact("us_jpn_imports_usd")),
            bn(fact("us_jpn_exports_usd")),
            bn(-balance),
            ordinal(rank as i64),
            pct(exp_jp.etr_pct, 1),
            scenario.id,
            pct(base_jp.etr_pct, 1),
            bn(exp_jp.revenue_usd),
            bn(nafta_va),
            pct(share_pct(bound, -balance), 0)
        ),
    )));
    summary_s.push(Block::paragraph(&format!(
        "Of the bulletin's {} quantitative claims, kanzei recomputed {} from data: {} confirmed, {} differ (by definition or basis, explained in the tables), {} have no data. {} are stated parameters — policy figures reported as given, with their reasons.",
        checked.len(),
        tally[0] + tally[1] + tally[2],
        tally[0],
        tally[1],
        tally[2],
        tally[3]
    )));
    let mut method = Section::new("method", "How this brief was made");
    method.push(Block::paragraph(&format!(
        "Every number above is recomputed by kanzei {} from the data it ships (or the official files given with `--data`) when the brief is built; nothing is typed in by hand except the stated parameters, which are listed with their reasons. Tariffs are evaluated on {date} under scenario `{}` against `{}`. Rebuild with `kanzei brief us-japan-2025 --date YYYY-MM-DD`; check the claims alone with `kanzei claims check us-japan-2025`.",
        options.kanzei_version, scenario.id, baseline.id
    ).replace('`', "")));
    method.push(Block::Callout(Callout::new(
        CalloutKind::Caveat,
        Some("Limits"),
        "Tariff rates are static (2024 import weights) unless stated; SMART covers passenger cars only; general equilibrium uses the 2011 world input–output structure and is a long-run comparison, not a forecast; Japanese value added in third-country goods assumes 2011 production structures hold for 2024 trade.",
    )));

    let document = Document {
        title: "Tariffs and the U.S.–Japan alliance, 2025–26".into(),
        subtitle: Some("What Japan sells the United States, what it pays, who else pays, and what the offsets are worth — every number recomputed from official data.".into()),
        metadata: Metadata {
            kanzei_version: options.kanzei_version.clone(),
            scenario: format!("{} (baseline {})", scenario.id, baseline.id),
            date: date.to_string(),
            data_source: format!("U.S. Census Bureau, USITC, Japan MOF, IMF WEO, WIOD 2011, Toyota — {}", store.source()),
        },
        sections: vec![summary_s, trade, exposure_s, tariffs, third, effects, offsets, ledger, method],
        footnotes,
    };
    document.validate().map_err(|e| BriefError::Scenario(format!("internal: {e}")))?;
    let summary = json!({
        "date": date.to_string(),
        "scenario": scenario.id,
        "baseline": baseline.id,
        "kanzei_version": options.kanzei_version,
        "trade": {
            "total_usd": total,
            "exports_usd": fact("us_jpn_exports_usd"),
            "imports_usd": fact("us_jpn_imports_usd"),
            "balance_usd": balance,
            "deficit_rank": rank,
        },
        "tariffs": {
            "japan_etr_pct": exp_jp.etr_pct,
            "japan_etr_2024_regime_pct": base_jp.etr_pct,
            "japan_duties_usd": exp_jp.revenue_usd,
            "japan_peak_etr_pct": peak.etr_pct,
            "japan_peak_date": peak.date.to_string(),
            "what_ifs": whatifs_json,
        },
        "third_countries": {
            "japanese_va_in_us_imports_usd": va.total_origin_va_usd,
            "via_mexico_canada_usd": nafta_va,
            "va_facing_higher_tariffs_usd": va.total_origin_va_hit_usd,
            "extra_duty_on_japanese_va_usd": va.total_extra_duty_usd,
        },
        "effects": {
            "smart_hs8703": smart.groups.iter().filter(|g| pick.contains(&g.key.as_str())).map(|g| json!({"exporter": g.key, "imports_before_usd": g.imports_before_usd, "imports_after_usd": g.imports_after_usd, "trade_creation_usd": g.trade_creation_usd, "trade_diversion_usd": g.trade_diversion_usd})).collect::<Vec<_>>(),
            "ge": ge_json,
        },
        "offsets": {
            "japan_lng_imports_usd": to_usd(lng_world),
            "us_lng_to_japan_usd": to_usd(lng_us),
            "us_share_pct": share_pct(lng_us, lng_world),
            "all_lng_from_us_bound_usd": bound,
        },
        "alliance": ledger_json,
        "claims": { "confirmed": tally[0], "differs": tally[1], "no_data": tally[2], "stated": tally[3] },
    });
    timer.lap("document", progress);
    Ok(Brief { document, claims: checked, summary, timings: std::mem::take(&mut timer.stages) })
}

/// The partner's rank among U.S. partners by total trade.
fn total_trade_rank(store: &Store, partner: AreaCode, year: i32) -> Result<usize, DataError> {
    let table = store.census_country()?.balance(year, store.registry())?;
    let mut totals: Vec<(AreaCode, f64)> = table.partners.iter().map(|p| (p.partner, p.total_usd)).collect();
    totals.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(totals.iter().position(|p| p.0 == partner).map_or(0, |i| i + 1))
}

/// A country's name short enough for a chart label.
fn short_name(registry: &kanzei_core::AreaRegistry, code_: &str) -> String {
    match code_ {
        "USA" => "United States".into(),
        "KOR" => "Korea".into(),
        "EU27" => "EU".into(),
        "RoW" | "ROW" => "Rest of world".into(),
        other => AreaCode::new(other).and_then(|c| registry.get(c)).map_or_else(|| other.to_string(), |a| a.name.clone()),
    }
}

fn join_names(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// "VEHICLES, OTHER THAN RAILWAY" → "Vehicles, other than railway".
fn sentence_case(text: &str) -> String {
    if text.chars().any(|c| c.is_lowercase()) {
        return text.to_string();
    }
    let lower = text.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map_or(String::new(), |first| first.to_uppercase().chain(chars).collect())
}

fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

fn authority_label(key: &str) -> String {
    match key {
        "base" => "MFN (base)",
        "s232" => "Section 232",
        "s301" => "Section 301",
        "s201" => "Section 201",
        "s122" => "Section 122",
        "ieepa-fentanyl" => "IEEPA fentanyl",
        "ieepa-reciprocal" => "IEEPA reciprocal",
        "ieepa-other" => "IEEPA other",
        "retaliation" => "Retaliation",
        other => other,
    }
    .to_string()
}
