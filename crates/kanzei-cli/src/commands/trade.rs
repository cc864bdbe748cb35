//! `kanzei trade …`: balances, products and series from official statistics.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};
use kanzei_core::{AreaCode, AreaKind, FlowDirection};
use kanzei_data::japan_mof::{commodity_level, CommodityLevel};
use kanzei_data::Store;
use serde_json::json;

use crate::output::{Cell, Column, Grid, Report};
use crate::FormatArg;

/// `kanzei trade` subcommands.
#[derive(Debug, Subcommand)]
pub enum TradeCommand {
    /// U.S. goods balance with every partner country, largest deficit first.
    #[command(after_help = "Example:\n  kanzei trade balance --year 2024 --top 10\n  kanzei trade balance --year 2024 --format json")]
    Balance(BalanceArgs),
    /// What a reporter trades with a partner, by product.
    #[command(after_help = "Examples:\n  kanzei trade partner JPN --by hs2                      U.S. imports from Japan by chapter\n  kanzei trade partner JPN --by hs10 --top 20\n  kanzei trade partner JPN --by hs2 --flow exports       U.S. exports to Japan\n  kanzei trade partner WLD --reporter JPN --by commodity Japan's exports by MOF group\n  kanzei trade partner USA --reporter JPN --by commodity Japan's exports to the U.S.")]
    Partner(PartnerArgs),
    /// A partner's trade balance with the U.S. over time.
    #[command(after_help = "Example:\n  kanzei trade series JPN --from 2015 --to 2024")]
    Series(SeriesArgs),
    /// A partner's trade facts, every number with its source (Census, and MOF for Japan).
    #[command(after_help = "Examples:\n  kanzei trade facts JPN\n  kanzei trade facts KOR --format json")]
    Facts(crate::commands::facts::FactsArgs),
}

/// Arguments of `trade balance`.
#[derive(Debug, Args)]
pub struct BalanceArgs {
    /// Calendar year (Census FT-900: 1985–2025; 2025 is partial).
    #[arg(long, default_value_t = 2024)]
    pub year: i32,
    /// Show only the first N partners.
    #[arg(long)]
    pub top: Option<usize>,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Product breakdowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProductLevel {
    /// HS chapters (2 digits).
    Hs2,
    /// HS headings (4 digits).
    Hs4,
    /// HS subheadings (6 digits).
    Hs6,
    /// U.S. statistical lines (10 digits).
    Hs10,
    /// Japan MOF principal commodity groups (reporter JPN).
    Commodity,
}

impl ProductLevel {
    fn digits(self) -> Option<usize> {
        match self {
            ProductLevel::Hs2 => Some(2),
            ProductLevel::Hs4 => Some(4),
            ProductLevel::Hs6 => Some(6),
            ProductLevel::Hs10 => Some(10),
            ProductLevel::Commodity => None,
        }
    }
}

/// Flow direction on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FlowArg {
    /// Goods entering the reporter.
    Imports,
    /// Goods leaving the reporter.
    Exports,
}

/// Arguments of `trade partner`.
#[derive(Debug, Args)]
pub struct PartnerArgs {
    /// Partner: ISO3 code, Census code, name, or group (EU27, WLD for the world).
    pub partner: String,
    /// Reporting country: USA (Census, USITC) or JPN (Japan MOF).
    #[arg(long, default_value = "USA")]
    pub reporter: String,
    /// Calendar year.
    #[arg(long, default_value_t = 2024)]
    pub year: i32,
    /// Product level: hs2, hs4, hs6, hs10 (U.S. imports), or commodity (Japan MOF).
    #[arg(long, value_enum)]
    pub by: Option<ProductLevel>,
    /// Imports or exports, from the reporter's side. Default: imports for USA, exports for JPN.
    #[arg(long, value_enum)]
    pub flow: Option<FlowArg>,
    /// Show only the first N rows (by value).
    #[arg(long)]
    pub top: Option<usize>,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Arguments of `trade series`.
#[derive(Debug, Args)]
pub struct SeriesArgs {
    /// Partner: ISO3 code, Census code, name, or group.
    pub partner: String,
    /// First year.
    #[arg(long, default_value_t = 2015)]
    pub from: i32,
    /// Last year.
    #[arg(long, default_value_t = 2024)]
    pub to: i32,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Runs a `trade` subcommand.
pub fn run(cmd: TradeCommand, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        TradeCommand::Balance(args) => {
            let report = balance(store, args.year, args.top)?;
            report.write(args.format.format, out)?;
        }
        TradeCommand::Partner(args) => {
            let report = partner(store, &args)?;
            report.write(args.format.format, out)?;
        }
        TradeCommand::Facts(args) => crate::commands::facts::run(args, store, out)?,
        TradeCommand::Series(args) => {
            let report = series(store, &args.partner, args.from, args.to)?;
            report.write(args.format.format, out)?;
        }
    }
    Ok(())
}

/// `trade balance`.
pub fn balance(store: &Store, year: i32, top: Option<usize>) -> anyhow::Result<Report> {
    let census = store.census_country()?;
    let table = census.balance(year, store.registry())?;
    let shown = top.unwrap_or(table.partners.len()).min(table.partners.len());
    let source = census.source(&table.period.to_string());
    let partners: Vec<_> = table.partners.iter().take(shown).collect();
    let mut report = Report::new(json!({
        "year": year,
        "period": table.period.to_string(),
        "reporter": "USA",
        "source": source,
        "partners_total": table.partners.len(),
        "coverage": table.coverage,
        "world_check": table.world,
    }));
    let mut grid = Grid::new(
        Some(format!(
            "U.S. goods trade by partner, {} (largest deficit first)",
            table.period
        )),
        vec![
            Column::number("rank", 0),
            Column::text("partner"),
            Column::text("name"),
            Column::usd("exports"),
            Column::usd("imports"),
            Column::usd("balance"),
            Column::usd("total"),
        ],
    );
    for (idx, p) in partners.iter().enumerate() {
        grid.push(vec![
            Cell::Int(idx as i64 + 1),
            Cell::Text(p.partner.to_string()),
            Cell::Text(p.name.clone()),
            Cell::Num(p.exports_usd),
            Cell::Num(p.imports_usd),
            Cell::Num(p.balance_usd),
            Cell::Num(p.total_usd),
        ]);
    }
    report.grids.push(grid);
    // The grid has every field of a partner's balance, and its rank.
    report.table_key = "partners";
    report.notes.push(format!("Source: {}.", source.footnote()));
    report.notes.push(format!(
        "Coverage: {} rows for {}; {} country rows kept as {} countries; {} rows set aside ({}).",
        table.coverage.rows_read,
        year,
        table.coverage.rows_kept,
        table.partners.len(),
        table.coverage.rows_rejected(),
        table
            .coverage
            .rejected
            .iter()
            .map(|r| format!("{} {}", r.rows, r.reason))
            .collect::<Vec<_>>()
            .join("; ")
    ));
    if let Some(w) = &table.world {
        report.notes.push(format!(
            "Check: countries sum to imports {:.1} / exports {:.1} $M; the World row says {:.1} / {:.1} $M.",
            w.sum_imports_usd / 1e6,
            w.sum_exports_usd / 1e6,
            w.world_imports_usd / 1e6,
            w.world_exports_usd / 1e6
        ));
    }
    if shown < table.partners.len() {
        report.notes.push(format!("Showing {shown} of {} partners (--top).", table.partners.len()));
    }
    Ok(report)
}

fn resolve(store: &Store, text: &str) -> anyhow::Result<&'static kanzei_core::Area> {
    Ok(store.registry().resolve(text).map_err(kanzei_data::DataError::UnknownArea)?)
}

/// `trade partner`.
pub fn partner(store: &Store, args: &PartnerArgs) -> anyhow::Result<Report> {
    let reporter = resolve(store, &args.reporter)?;
    match reporter.code.as_str() {
        "USA" => us_partner(store, args),
        "JPN" => japan_partner(store, args),
        other => anyhow::bail!(
            "kanzei has trade-by-product data reported by USA (Census, USITC) and JPN (Japan MOF), not by {other}\n\nhint: use --reporter USA or --reporter JPN"
        ),
    }
}

fn us_partner(store: &Store, args: &PartnerArgs) -> anyhow::Result<Report> {
    let area = resolve(store, &args.partner)?;
    let flow = args.flow.unwrap_or(FlowArg::Imports);
    let by = args.by.unwrap_or(ProductLevel::Hs2);
    let Some(digits) = by.digits() else {
        anyhow::bail!("--by commodity is Japan MOF's classification; use it with --reporter JPN\n\nhint: for U.S. data use --by hs2, hs4, hs6 or hs10");
    };
    let registry = store.registry();
    let mut rows: Vec<(kanzei_core::HsCode, f64, Option<f64>)>;
    let (basis, dataset_note, source);
    match flow {
        FlowArg::Imports => {
            if args.year != 2024 {
                anyhow::bail!(kanzei_data::DataError::YearNotAvailable {
                    dataset: "U.S. imports by HS product (Census API)".into(),
                    year: args.year,
                    available: "2024".into(),
                });
            }
            let hs10 = store.us_imports_hs10()?;
            // The EU has its own HS10 file (code 3); other groups sum their members.
            let codes: Vec<u16> = if !area.census_codes.is_empty() {
                area.census_codes.clone()
            } else {
                area.members.iter().filter_map(|m| registry.get(*m)).flat_map(|a| a.census_codes.clone()).collect()
            };
            let has_hs10 = codes.iter().all(|c| hs10.has_partner(*c)) && !codes.is_empty();
            if has_hs10 {
                let sums = hs10.by_product(&codes, digits);
                rows = sums.into_iter().map(|(code, (v, d))| (code, v, Some(d))).collect();
                source = hs10.source();
                dataset_note = format!("HS10 lines summed to {digits} digits");
            } else if digits == 2 {
                let hs2 = store.us_imports_hs2()?;
                if !codes.iter().any(|c| hs2.has_partner(*c)) {
                    anyhow::bail!("no U.S. import data for {} ({}) in 2024", area.code, area.name);
                }
                let sums = hs2.by_product(&codes, 2);
                rows = sums.into_iter().map(|(code, (v, d))| (code, v, Some(d))).collect();
                source = hs2.source();
                dataset_note = "HS2 file (this partner has no HS10 detail)".into();
            } else {
                anyhow::bail!(
                    "U.S. imports at HS{digits} exist for the 50 largest partners and the EU; {} ({}) has HS2 detail only\n\nhint: use --by hs2, or --by hs{digits} with EU27 (which includes Germany, Ireland and Italy)",
                    area.code,
                    area.name
                );
            }
            basis = "imports for consumption, customs value";
        }
        FlowArg::Exports => {
            let exports = store.us_exports()?;
            exports.check_year(args.year)?;
            if digits != 2 {
                anyhow::bail!("U.S. exports are available by HS2 chapter only (USITC DataWeb)\n\nhint: use --by hs2 with --flow exports");
            }
            let members = if area.members.is_empty() { vec![area.code] } else { area.members.clone() };
            rows = exports.by_chapter(&members, args.year).into_iter().map(|(c, v)| (c, v, None)).collect();
            source = exports.source(&args.year.to_string());
            basis = "total exports, F.A.S. value";
            dataset_note = "USITC DataWeb".into();
        }
    }
    let total: f64 = rows.iter().map(|r| r.1).sum();
    let total_duty: Option<f64> = rows.iter().map(|r| r.2).sum();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let n_rows = rows.len();
    let shown = args.top.unwrap_or(n_rows).min(n_rows);
    let describe = |code: kanzei_core::HsCode| -> String { describe_hs(store, code) };
    let flow_word = if flow == FlowArg::Imports {
        "imports"
    } else {
        "exports"
    };
    let mut report = Report::new(json!({
        "reporter": "USA",
        "partner": area.code,
        "partner_name": area.name,
        "year": args.year,
        "flow": flow_word,
        "basis": basis,
        "level": format!("hs{digits}"),
        "total_usd": total,
        "duty_usd": total_duty,
        "rows_total": n_rows,
        "source": source,
    }));
    let mut columns = vec![
        Column::text("code"),
        Column::text("description").width(60),
        Column::usd("value"),
        Column::pct("share", 1),
    ];
    if flow == FlowArg::Imports {
        columns.extend([Column::usd("duty"), Column::pct("duty_rate", 2)]);
    }
    let mut grid = Grid::new(
        Some(format!(
            "U.S. {flow_word} {} {} {}, by HS{digits} ({basis})",
            if flow == FlowArg::Imports {
                "from"
            } else {
                "to"
            },
            area.name,
            args.year
        )),
        columns,
    );
    // CSV and JSON have every row (or --top); the table stops at 40 unless --top asks.
    let table_rows = if args.top.is_none() && n_rows > 40 {
        40
    } else {
        shown
    };
    grid.table_limit = Some(table_rows);
    for (code, value, duty) in rows.iter().take(shown) {
        let mut cells = vec![
            Cell::Text(code.to_string()),
            Cell::Text(describe(*code)),
            Cell::Num(*value),
            Cell::Num(pct(*value, total)),
        ];
        if let Some(d) = duty {
            cells.push(Cell::Num(*d));
            cells.push(Cell::Num(pct(*d, *value)));
        }
        grid.push(cells);
    }
    report.grids.push(grid);
    report.table_key = "rows";
    let mut total_line = format!(
        "Total: {} $M",
        crate::output::group_thousands(total / 1e6, 1)
    );
    if let Some(d) = total_duty {
        total_line.push_str(&format!(
            "; calculated duty {} $M ({:.2}% of value)",
            crate::output::group_thousands(d / 1e6, 1),
            pct(d, total)
        ));
    }
    report.notes.push(total_line);
    report.notes.push(format!("Source: {} — {dataset_note}.", source.footnote()));
    if table_rows < n_rows {
        report.notes.push(format!(
            "Showing {table_rows} of {n_rows} rows; use --top N, or --format csv / json for all of them."
        ));
    }
    Ok(report)
}

fn japan_partner(store: &Store, args: &PartnerArgs) -> anyhow::Result<Report> {
    let by = args.by.unwrap_or(ProductLevel::Commodity);
    if by != ProductLevel::Commodity {
        anyhow::bail!(
            "Japan's trade in kanzei comes from MOF's area × principal-commodity tables, which are not HS-coded\n\nhint: use --by commodity (or --reporter USA for HS detail from U.S. data)"
        );
    }
    let world = AreaCode::new("WLD").expect("valid");
    let area = if args.partner.eq_ignore_ascii_case("WLD") || args.partner.eq_ignore_ascii_case("world") {
        store.registry().get(world).expect("WLD is in the registry")
    } else {
        resolve(store, &args.partner)?
    };
    let flow = args.flow.unwrap_or(FlowArg::Exports);
    let direction = if flow == FlowArg::Exports { FlowDirection::Exports } else { FlowDirection::Imports };
    let mof = store.japan_mof()?;
    mof.check_year(args.year)?;
    let weo = store.weo()?;
    let rate = weo.implied_rate("JPN", args.year)?;
    let lines = mof.by_commodity(direction, area.code, args.year);
    if lines.is_empty() {
        let listed: Vec<String> = mof
            .partners(direction, "Grand Total", args.year)
            .iter()
            .map(|(c, _)| c.to_string())
            .collect();
        anyhow::bail!(
            "Japan MOF does not report {} ({}) as an area\n\nhint: areas with data in {}: {}",
            area.code,
            area.name,
            args.year,
            listed.join(", ")
        );
    }
    let total_bn = mof.value(direction, area.code, "Grand Total", args.year).unwrap_or(0.0);
    let mut rows: Vec<(&str, f64)> = lines.into_iter().filter(|(g, _)| *g != "Grand Total").collect();
    rows.sort_by(|a, b| level_rank(a.0).cmp(&level_rank(b.0)).then(b.1.total_cmp(&a.1)));
    let shown = args.top.unwrap_or(rows.len()).min(rows.len());
    let flow_word = if flow == FlowArg::Exports {
        "exports"
    } else {
        "imports"
    };
    // Headline shares the brief relies on: autos and metals in Japan's exports.
    let get = |g: &str, p: AreaCode| mof.value(direction, p, g, args.year).unwrap_or(0.0);
    let mv = get("Motor Vehicles", area.code);
    let mv_group = mv + get("Parts Of Motor Vehicles", area.code) + get("Motorcycles, Autocycles", area.code);
    let steel = get("Iron And Steel Products", area.code);
    let mut highlights = json!({
        "motor_vehicles_share_pct": pct(mv, total_bn),
        "motor_vehicles_parts_motorcycles_share_pct": pct(mv_group, total_bn),
        "iron_and_steel_products_share_pct": pct(steel, total_bn),
    });
    let usa = AreaCode::new("USA").expect("valid");
    if area.code == world && direction == FlowDirection::Exports {
        highlights["us_share_of_motor_vehicles_pct"] = json!(pct(get("Motor Vehicles", usa), mv));
        highlights["us_share_of_cars_pct"] = json!(pct(get("(Car)", usa), get("(Car)", world)));
        highlights["us_share_of_all_exports_pct"] = json!(pct(get("Grand Total", usa), total_bn));
    }
    let source = mof.source(&args.year.to_string());
    let mut report = Report::new(json!({
        "reporter": "JPN",
        "partner": area.code,
        "partner_name": area.name,
        "year": args.year,
        "flow": flow_word,
        "basis": if flow == FlowArg::Exports { "exports, F.O.B." } else { "imports, C.I.F." },
        "jpy_per_usd": rate,
        "exchange_rate_source": "IMF WEO October 2025: NGDP / NGDPD for Japan (implied annual average)",
        "total_jpy": total_bn * 1e9,
        "total_usd": total_bn * 1e9 / rate,
        "highlights": highlights,
        "rows_total": rows.len(),
        "source": source,
    }));
    let mut grid = Grid::new(
        Some(format!(
            "Japan's {flow_word} {} {}, {} by MOF principal commodity",
            if flow == FlowArg::Exports {
                "to"
            } else {
                "from"
            },
            area.name,
            args.year
        )),
        vec![
            Column::text("commodity"),
            Column::text("level"),
            Column::jpy("value"),
            Column::usd("value"),
            Column::pct("share", 1),
        ],
    );
    for (goods, bn) in rows.iter().take(shown) {
        grid.push(vec![
            Cell::Text((*goods).to_string()),
            Cell::Text(format!("{:?}", commodity_level(goods)).to_lowercase()),
            Cell::Num(bn * 1e9),
            Cell::Num(bn * 1e9 / rate),
            Cell::Num(pct(*bn, total_bn)),
        ]);
    }
    report.grids.push(grid);
    report.table_key = "rows";
    report.notes.push(format!(
        "Total: ¥{:.1} bn = ${:.1} bn at {:.2} JPY/USD (IMF WEO Oct 2025, NGDP/NGDPD for Japan, {}).",
        total_bn,
        total_bn / rate,
        rate,
        args.year
    ));
    report.notes.push(format!(
        "Motor vehicles: {:.1}% of the total; with parts and motorcycles (≈ HS 87): {:.1}%; iron and steel products: {:.1}%.",
        pct(mv, total_bn),
        pct(mv_group, total_bn),
        pct(steel, total_bn)
    ));
    if area.code == world && direction == FlowDirection::Exports {
        report.notes.push(format!(
            "The U.S. takes {:.1}% of Japan's motor-vehicle exports by value ({:.1}% of cars) and {:.1}% of all exports.",
            pct(get("Motor Vehicles", usa), mv),
            pct(get("(Car)", usa), get("(Car)", world)),
            pct(get("Grand Total", usa), total_bn)
        ));
    }
    report.notes.push("Sections sum to the total; items belong to a section; parenthesised sub-items are part of the item above them and must not be added to it.".into());
    report.notes.push(format!("Source: {}.", source.footnote()));
    Ok(report)
}

fn level_rank(goods: &str) -> u8 {
    match commodity_level(goods) {
        CommodityLevel::Total => 0,
        CommodityLevel::Section => 1,
        CommodityLevel::Item => 2,
        CommodityLevel::SubItem => 3,
    }
}

/// `trade series`.
pub fn series(store: &Store, partner: &str, from: i32, to: i32) -> anyhow::Result<Report> {
    if from > to {
        anyhow::bail!("--from {from} is after --to {to}");
    }
    let area = resolve(store, partner)?;
    if area.kind == AreaKind::Aggregate && area.census_codes.is_empty() {
        anyhow::bail!("{} is an aggregate without a Census row", area.code);
    }
    let census = store.census_country()?;
    let points = census.series(area.code, from, to, store.registry())?;
    let source = census.source(&format!("{from}–{to}"));
    let mut report = Report::new(json!({
        "reporter": "USA",
        "partner": area.code,
        "partner_name": area.name,
        "from": from,
        "to": to,
        "points": points,
        "source": source,
    }));
    let mut grid = Grid::new(
        Some(format!("U.S. goods trade with {}, {from}–{to}", area.name)),
        vec![
            Column::number("year", 0),
            Column::text("period"),
            Column::usd("exports"),
            Column::usd("imports"),
            Column::usd("balance"),
            Column::usd("total"),
        ],
    );
    for p in &points {
        grid.push(vec![
            Cell::Int(p.year.into()),
            Cell::Text(p.period.clone()),
            Cell::Num(p.exports_usd),
            Cell::Num(p.imports_usd),
            Cell::Num(p.balance_usd),
            Cell::Num(p.total_usd),
        ]);
    }
    report.grids.push(grid);
    if points.iter().any(|p| p.partial) {
        report.notes.push("Partial years cover only the months Census had published when the file was made.".into());
    }
    report.notes.push(format!("Source: {}.", source.footnote()));
    Ok(report)
}

/// A description for an HS code: Census short description for HS10, DataWeb chapter name
/// for HS2, HTS text otherwise.
pub fn describe_hs(store: &Store, code: kanzei_core::HsCode) -> String {
    if code.len() == 2 {
        if let Ok(exports) = store.us_exports() {
            if let Some(name) = exports.chapter_names.get(&code) {
                return name.clone();
            }
        }
    }
    if code.len() == 10 {
        if let Ok(hs10) = store.us_imports_hs10() {
            if let Some(text) = hs10.descriptions.get(&code) {
                return text.clone();
            }
        }
    }
    store.hts().ok().and_then(|hts| hts.describe(code)).unwrap_or_default()
}

/// `part / whole × 100`, 0 when the whole is 0.
pub fn pct(part: f64, whole: f64) -> f64 {
    if whole == 0.0 {
        0.0
    } else {
        100.0 * part / whole
    }
}

pub use crate::output::truncate;
