//! `kanzei prices`: who pays — a tariff change carried through the U.S. input–output
//! system to consumer prices and household cost.

use anyhow::Context;
use clap::{Args, ValueEnum};
use kanzei_data::us_io::Month;
use kanzei_data::Store;
use kanzei_mrio::Margins;
use kanzei_report::prices::{self, HouseholdParams, PriceOptions, PriceReport, TariffChange, PASS_THROUGH};
use kanzei_tariff::analysis::TariffData;
use kanzei_tariff::Date;
use serde_json::json;

use crate::output::{Cell, Column, Grid, Report};
use crate::FormatArg;

/// `--by` of `prices`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PricesBy {
    /// Named groups (new vehicles, apparel, footwear, furniture, appliances, …).
    Group,
    /// Every PCE category of the 2017 bridge.
    Category,
    /// BEA detail commodities with a tariff change: shock and producer-price change.
    Commodity,
}

/// `--margins`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MarginsArg {
    /// Margins constant in dollars (default).
    Dollars,
    /// Margins constant in percent of the producer price.
    Percent,
}

/// Arguments of `prices`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  kanzei prices --scenario us-2025 --date 2025-09-04\n  kanzei prices --scenario us-2025 --date 2025-11-17 --by category --top 20\n  kanzei prices --tariffs collected:2025-10\n  kanzei prices --scenario us-2025 --partner CHN\n  kanzei prices --scenario us-2025 --pass-through budgetlab2025 --format json")]
pub struct PricesArgs {
    /// Scenario id or file (default us-2025).
    #[arg(long)]
    pub scenario: Option<String>,
    /// Date (YYYY-MM-DD; default 2025-11-17).
    #[arg(long)]
    pub date: Option<String>,
    /// Baseline the change is measured from.
    #[arg(long, default_value = "us-2024-baseline")]
    pub baseline: String,
    /// Only the tariffs on this partner's goods (ISO3, EU27 or a name): what that part of the
    /// regime costs U.S. consumers.
    #[arg(long)]
    pub partner: Option<String>,
    /// Tariff change from duties actually collected instead of a scenario:
    /// `collected:YYYY-MM` (that month's collected rate by NAICS6 against 2024's).
    #[arg(long)]
    pub tariffs: Option<String>,
    /// Pass-through to import prices: a number in [0, 2] or a published estimate
    /// (full, arw2019, cavallo2021, budgetlab2025).
    #[arg(long, default_value = "full")]
    pub pass_through: String,
    /// Distribution margins.
    #[arg(long, value_enum, default_value_t = MarginsArg::Dollars)]
    pub margins: MarginsArg,
    /// Nominal PCE, USD per year, for the household cost (default $20.0 tn, BEA).
    #[arg(long)]
    pub pce_usd: Option<f64>,
    /// Number of households for the household cost (default 132,737,146, ACS 2024).
    #[arg(long)]
    pub households: Option<f64>,
    /// Also compute the effect after substitution between sources (SMART on the same
    /// scenario, baseline and date).
    #[arg(long)]
    pub substitution: bool,
    /// SMART's elasticity set for --substitution: `default`, `hauk`, `protee`, or an
    /// override file `hs,kind,value,note`.
    #[arg(long, value_name = "NAME|FILE")]
    pub elasticities: Option<String>,
    /// Table rows.
    #[arg(long, value_enum, default_value_t = PricesBy::Group)]
    pub by: PricesBy,
    /// Rows to print (table format; JSON and CSV carry all).
    #[arg(long)]
    pub top: Option<usize>,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Runs `prices`.
pub fn run(args: PricesArgs, store: &Store, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    // The input–output tables (~50 ms to decode) load beside the tariff data; the store keeps
    // them for the price model.
    let (data, io) = std::thread::scope(|scope| {
        let io = scope.spawn(|| store.us_io().map(drop));
        (TariffData::load(store), io.join().expect("loading the snapshot does not panic"))
    });
    let data = data?;
    io?;
    let options = options(&args)?;
    let result = match &args.tariffs {
        Some(spec) => {
            if args.scenario.is_some() || args.date.is_some() || args.partner.is_some() {
                anyhow::bail!("--tariffs {spec} takes the tariff change from collected duties (all partners together); --scenario, --date and --partner do not apply (give one or the other)");
            }
            let month = collected_month(spec)?;
            prices::prices(store, &data, &TariffChange::Collected { month, base_year: 2024 }, &options)?
        }
        None => {
            let scenario = super::tariff::load_scenario(args.scenario.as_deref().unwrap_or("us-2025"), &data)?;
            let baseline = super::tariff::load_scenario(&args.baseline, &data).context("--baseline")?;
            let date: Date = args.date.as_deref().unwrap_or("2025-11-17").parse().context("--date")?;
            let partner = match &args.partner {
                Some(p) => Some(data.registry.resolve(p).map_err(kanzei_data::DataError::UnknownArea).context("--partner")?.code),
                None => None,
            };
            prices::prices(store, &data, &TariffChange::Scenario { scenario: &scenario, baseline: &baseline, date, partner }, &options)?
        }
    };
    super::tariff::emit(&report(&result, args.by, args.top), args.format.format, out)
}

fn collected_month(spec: &str) -> anyhow::Result<Month> {
    let Some(text) = spec.strip_prefix("collected:") else {
        anyhow::bail!("--tariffs `{spec}`: expected collected:YYYY-MM, e.g. collected:2025-10");
    };
    Month::parse(text).map_err(|e| anyhow::anyhow!("--tariffs: {e}"))
}

fn options(args: &PricesArgs) -> anyhow::Result<PriceOptions> {
    let pass_through = match PASS_THROUGH.iter().find(|p| p.0 == args.pass_through) {
        Some(p) => p.1,
        None => args.pass_through.parse::<f64>().ok().filter(|v| (0.0..=2.0).contains(v)).with_context(|| {
            let names: Vec<&str> = PASS_THROUGH.iter().map(|p| p.0).collect();
            format!("--pass-through `{}`: give a number in [0, 2] or one of {}", args.pass_through, names.join(", "))
        })?,
    };
    let mut household = HouseholdParams::default();
    if let Some(pce) = args.pce_usd {
        anyhow::ensure!(pce > 0.0 && pce.is_finite(), "--pce-usd must be a positive number of dollars, got {pce}");
        household.pce_usd = pce;
        household.sources[0] = format!("PCE ${pce:.0}: given with --pce-usd");
    }
    if let Some(h) = args.households {
        anyhow::ensure!(h >= 1.0 && h.is_finite(), "--households must be at least 1, got {h}");
        household.households = h;
        household.sources[1] = format!("{h:.0} households: given with --households");
    }
    let margins = match args.margins {
        MarginsArg::Dollars => Margins::ConstantDollars,
        MarginsArg::Percent => Margins::ConstantPercent,
    };
    if args.elasticities.is_some() && !args.substitution {
        anyhow::bail!("--elasticities sets SMART's elasticities for --substitution; add --substitution");
    }
    let elasticities = crate::commands::pe::smart_set(args.elasticities.as_deref())?;
    Ok(PriceOptions { pass_through, margins, household, substitution: args.substitution, elasticities })
}

fn report(result: &PriceReport, by: PricesBy, top: Option<usize>) -> Report {
    let mut report = Report::new(json!(result));
    let mut grid = match by {
        PricesBy::Group => {
            report.table_key = "named";
            let mut grid = Grid::new(Some(format!("Consumer prices: {}", result.tariffs)), vec![Column::text("name"), Column::pct("price_change", 2), Column::pct("pce_weight", 2)]);
            for g in &result.named {
                grid.push(vec![Cell::Text(g.name.into()), Cell::Num(g.price_change_pct), Cell::Num(g.pce_weight_pct)]);
            }
            grid
        }
        PricesBy::Category => {
            report.table_key = "categories";
            let mut grid = Grid::new(
                Some(format!("PCE categories, largest price change first: {}", result.tariffs)),
                vec![Column::count("nipa_line"), Column::text("category").width(48), Column::text("group"), Column::pct("price_change", 2), Column::pct("pce_weight", 3)],
            );
            let mut rows: Vec<_> = result.categories.iter().collect();
            rows.sort_by(|a, b| b.price_change_pct.total_cmp(&a.price_change_pct));
            for c in rows {
                grid.push(vec![Cell::Int(i64::from(c.nipa_line)), Cell::Text(c.category.clone()), Cell::Text(c.group.into()), Cell::Num(c.price_change_pct), Cell::Num(c.pce_weight_pct)]);
            }
            grid
        }
        PricesBy::Commodity => {
            report.table_key = "commodities";
            let mut grid = Grid::new(
                Some(format!("BEA commodities, largest producer-price change first: {}", result.tariffs)),
                vec![
                    Column::text("code"),
                    Column::text("description").width(44),
                    Column::pct("import_share", 1),
                    Column::pp("tariff_change", 2),
                    Column::usd("import_value"),
                    Column::pct("producer_price_change", 2),
                ],
            );
            for c in &result.commodities {
                grid.push(vec![
                    Cell::Text(c.code.clone()),
                    Cell::Text(c.description.clone()),
                    Cell::Num(c.import_share_pct),
                    Cell::Num(c.tariff_change_pp),
                    Cell::Num(c.import_value_usd),
                    Cell::Num(c.producer_price_change_pct),
                ]);
            }
            grid
        }
    };
    grid.table_limit = top;
    report.grids.push(grid);
    report.notes = notes(result);
    report
}

fn notes(r: &PriceReport) -> Vec<String> {
    let mut out = vec![
        format!(
            "Price level (PCE) {:+.2}%; goods {:+.2}%, core goods {:+.2}%, food at home {:+.2}%, energy goods {:+.2}%, services {:+.2}% — pass-through {}, margins {}.",
            r.pce_price_change_pct,
            r.pce_goods_price_change_pct,
            r.core_goods_price_change_pct,
            r.food_price_change_pct,
            r.energy_goods_price_change_pct,
            r.services_price_change_pct,
            r.pass_through,
            match r.margins {
                Margins::ConstantDollars => "constant in dollars",
                Margins::ConstantPercent => "constant in percent",
            }
        ),
        format!(
            "Household cost ${:.0} a year (PCE per household ${:.0}); import-weighted tariff change {:+.2} pp.",
            r.household_cost_usd,
            r.household.pce_per_household_usd(),
            r.tariff_change_pp
        ),
        format!(
            "Coverage: {} rows, ${:.1} bn; {:.2}% mapped to a BEA commodity of its own ({}); spread over the mapped mix: {}.",
            r.coverage.rows,
            r.coverage.value_in_usd / 1e9,
            r.coverage.mapped_pct(),
            r.coverage.mapped_usd.iter().map(|(k, v)| format!("{k} ${:.1} bn", v / 1e9)).collect::<Vec<_>>().join("; "),
            if r.coverage.spread_usd.is_empty() {
                "none".to_string()
            } else {
                r.coverage.spread_usd.iter().map(|(k, v)| format!("{k} ${:.1} bn", v / 1e9)).collect::<Vec<_>>().join("; ")
            }
        ),
    ];
    if let Some(p) = &r.post_substitution {
        out.push(format!(
            "After substitution (SMART): tariff change {:+.2} pp, price level {:+.2}%, core goods {:+.2}%, household cost ${:.0} — {}.",
            p.tariff_change_pp, p.pce_price_change_pct, p.core_goods_price_change_pct, p.household_cost_usd, p.tariffs
        ));
    }
    out.extend(r.notes.iter().cloned());
    out.extend(r.household.sources.iter().cloned());
    out.push("Sources: BEA 2017 benchmark IO (total requirements, supply table, PCE bridge); Census 2024 imports by HS10 / NAICS6; HS10 → BEA map from the Budget Lab tariff-rate tracker.".into());
    out
}
