//! `kanzei ge …`: general-equilibrium models (Caliendo–Parro; one-sector gravity).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use kanzei_data::Store;
use kanzei_ge::caliendo_parro::{Equilibrium, SolverConfig};
use kanzei_ge::gravity::FullEndowment;
use kanzei_report::runs;
use serde_json::json;

use crate::output::{Cell, Column, Grid, Report};
use crate::FormatArg;

/// `kanzei ge` subcommands.
#[derive(Debug, Subcommand)]
pub enum GeCommand {
    /// Caliendo–Parro (2015) multi-sector GE with input–output links.
    #[command(after_help = "Examples:\n  kanzei ge cp --data cp1993 --scenario nafta\n  kanzei ge cp --data wiod2011 --scenario us-2025 --date 2025-11-17 --with retaliation/china-2025\n  kanzei ge cp --data wiod2011 --scenario us-2025 --draws 200 --seed 7 --format json")]
    Cp(CpArgs),
    /// One-sector structural gravity GE (Anderson–van Wincoop; as gegravity reports it).
    #[command(after_help = "Examples:\n  kanzei ge gravity --cost-change pta:CAN-JPN,JPN-CAN=1\n  kanzei ge gravity --data my_panel.csv --year 2006 --sigma 5 --cost-change pta:MEX-USA,USA-MEX=1 --exact\n  kanzei ge gravity --cost-change pta:CAN-JPN,JPN-CAN=1 --draws 1000 --seed 7 --format json")]
    Gravity(GravityArgs),
}

/// Arguments of `ge cp`.
#[derive(Debug, Args)]
pub struct CpArgs {
    /// Baseline data: cp1993 (the paper's 31 × 40 NAFTA data) or wiod2011 (41 × 35).
    #[arg(long, default_value = "cp1993")]
    pub data: String,
    /// Experiment: `nafta` on cp1993 (the default there); a U.S. tariff scenario id or file on
    /// wiod2011 (default us-2025).
    #[arg(long)]
    pub scenario: Option<String>,
    /// Date of the tariff scenario (wiod2011 only; default 2025-11-17).
    #[arg(long)]
    pub date: Option<String>,
    /// Retaliation scenarios to add (wiod2011 only): scenarios of other importers against U.S.
    /// goods, e.g. retaliation/china-2025.
    #[arg(long = "with")]
    pub with: Vec<String>,
    /// Show only these countries in the table (all of them in CSV and JSON).
    #[arg(long, value_delimiter = ',')]
    pub countries: Vec<String>,
    /// Trade elasticities θ (wiod2011): `kanzei` (default: CP 2015 full sample, CRC mapping),
    /// `cp2015-99` (CP's NAFTA values), or a CSV file `sector,theta[,se]`.
    #[arg(long, value_name = "NAME|FILE")]
    pub elasticities: Option<String>,
    /// Monte Carlo draws of θ from its sampling distribution (wiod2011); adds p5/p50/p95
    /// beside every country result. 0: the point estimate alone.
    #[arg(long, default_value_t = 0)]
    pub draws: usize,
    /// Seed of the draws: the same seed gives the same bands on any number of threads.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// `--sigma`: a finite number of at least [`kanzei_ge::gravity::MIN_SIGMA`], refused as a usage
/// error before any data are read.
fn parse_sigma(text: &str) -> Result<f64, String> {
    let sigma: f64 = text.trim().parse().map_err(|_| format!("`{text}` is not a number; expected σ ≥ 1.01, e.g. 5"))?;
    if sigma.is_finite() && sigma >= kanzei_ge::gravity::MIN_SIGMA {
        return Ok(sigma);
    }
    Err(format!(
        "σ = {text} is out of range; the elasticity of substitution must be finite and at least {} \
         (the resistances are powers 1/(σ−1), which overflow as σ → 1); typical values are 4 to 8",
        kanzei_ge::gravity::MIN_SIGMA
    ))
}

/// Arguments of `ge gravity`.
#[derive(Debug, Args)]
pub struct GravityArgs {
    /// Gravity panel CSV (gegravity layout: exporter, importer, year, trade, Y, E, cost
    /// variables); default: gegravity's 30-country 2006 sample, embedded.
    #[arg(long, value_name = "FILE")]
    pub data: Option<PathBuf>,
    /// Year of the cross-section.
    #[arg(long, default_value_t = 2006)]
    pub year: i32,
    /// The change: `VARIABLE:EXP-IMP[,EXP-IMP…]=VALUE`, e.g. `pta:CAN-JPN,JPN-CAN=1`.
    #[arg(long)]
    pub cost_change: String,
    /// Cost coefficients `name=value,…`; default: gegravity's documented example values.
    #[arg(long, value_delimiter = ',', conflicts_with = "elasticities")]
    pub coefficients: Vec<String>,
    /// Cost coefficients as a parameter set: `gegravity-sample` (the default: gegravity's
    /// documented values and standard errors) or a CSV file `variable,coefficient[,se]`.
    #[arg(long, value_name = "NAME|FILE")]
    pub elasticities: Option<String>,
    /// Elasticity of substitution σ (at least 1.01; typical values 4 to 8).
    #[arg(long, default_value_t = 5.0, value_parser = parse_sigma)]
    pub sigma: f64,
    /// Reference importer for the normalisation.
    #[arg(long, default_value = "DEU")]
    pub reference: String,
    /// Monte Carlo draws of the cost coefficients from N(β, se²); adds mean, sd and
    /// p5/p50/p95 beside every country result. 0: the point estimate alone.
    #[arg(long, default_value_t = 0)]
    pub draws: usize,
    /// Seed of the draws (same seed, same bands, any number of threads).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Standard errors of the coefficients `name=se,…` for --draws; default: gegravity's
    /// documented values for its sample (0 holds a coefficient fixed).
    #[arg(long, value_delimiter = ',')]
    pub standard_errors: Vec<String>,
    /// Solve the full-endowment GE exactly (goods markets clear) instead of gegravity's
    /// approximation (baseline output shares).
    #[arg(long)]
    pub exact: bool,
    #[command(flatten)]
    /// Output format.
    pub format: FormatArg,
}

/// Runs a `ge` subcommand.
pub fn run(cmd: GeCommand, store: &Store, out: &mut dyn Write) -> anyhow::Result<()> {
    match cmd {
        GeCommand::Cp(args) => crate::commands::tariff::emit(&cp(store, &args)?, args.format.format, out)?,
        GeCommand::Gravity(args) => gravity(store, &args)?.write(args.format.format, out)?,
    }
    Ok(())
}

/// Renders a CP equilibrium.
pub fn cp_report(
    eq: &Equilibrium,
    title: String,
    countries: &[String],
    notes: Vec<String>,
    bands: Option<&kanzei_report::theta_sets::CpBands>,
) -> Report {
    let trade: Vec<_> = eq
        .trade
        .iter()
        .filter(|t| t.importer != t.exporter)
        .map(|t| json!({"importer": t.importer, "exporter": t.exporter, "change_pct": t.change_pct}))
        .collect();
    let mut report = Report::new(json!({
        "countries": eq.countries,
        "bilateral": eq.bilateral,
        "trade": trade,
        "sectors": eq.sectors,
        "iterations": eq.report.iterations,
        "max_residual": eq.report.max_residual,
        "report": eq.report,
    }));
    if let Some(b) = bands {
        // The same bands on the `countries` rows as on the `table` rows.
        if let Some(rows) = report.json.get_mut("countries").and_then(|v| v.as_array_mut()) {
            for (row, band) in rows.iter_mut().zip(&b.countries) {
                for (name, q) in [("welfare_pct", band.welfare_pct), ("tot_pct", band.tot_pct), ("vot_pct", band.vot_pct), ("real_wage_pct", band.real_wage_pct), ("real_income_pct", band.real_income_pct)] {
                    row[format!("{name}_p5")] = json!(q.p5);
                    row[format!("{name}_p50")] = json!(q.p50);
                    row[format!("{name}_p95")] = json!(q.p95);
                }
            }
        }
    }
    let mut columns = vec![
        Column::text("country"),
        Column::pct("welfare", 3),
        Column::pct("tot", 3),
        Column::pct("vot", 3),
        Column::pct("real_wage", 3),
        Column::pct("real_income", 3),
    ];
    // With draws, every quantity gets p5/p50/p95 (CSV and JSON); the table shows real
    // income's band.
    const BANDED: [&str; 5] = ["welfare", "tot", "vot", "real_wage", "real_income"];
    if bands.is_some() {
        for name in BANDED {
            for stat in ["p5", "p50", "p95"] {
                let column = Column::pct(name, 3).band(stat);
                columns.push(if name == "real_income" && stat != "p50" { column } else { column.csv_only() });
            }
        }
    }
    let mut grid = Grid::new(Some(title), columns);
    let band_of = |country: &str| bands.and_then(|b| b.countries.iter().find(|c| c.country == country));
    for c in &eq.countries {
        // The table shows the countries asked for; CSV and JSON have them all.
        let shown =
            countries.is_empty() || countries.iter().any(|x| x.eq_ignore_ascii_case(&c.country));
        let mut row = vec![
            Cell::Text(c.country.clone()),
            Cell::Num(c.welfare_pct),
            Cell::Num(c.tot_pct),
            Cell::Num(c.vot_pct),
            Cell::Num(c.real_wage_pct),
            Cell::Num(c.real_income_pct),
        ];
        if bands.is_some() {
            let b = band_of(&c.country);
            for name in BANDED {
                let band = b.map(|b| match name {
                    "welfare" => b.welfare_pct,
                    "tot" => b.tot_pct,
                    "vot" => b.vot_pct,
                    "real_wage" => b.real_wage_pct,
                    _ => b.real_income_pct,
                });
                for stat in [band.map(|x| x.p5), band.map(|x| x.p50), band.map(|x| x.p95)] {
                    row.push(stat.map_or(Cell::Empty, Cell::Num));
                }
            }
        }
        if shown {
            grid.push(row);
        } else {
            grid.push_hidden_in_table(row);
        }
    }
    report.grids.push(grid);
    report.notes.push(format!(
        "Solved in {} iterations; largest equilibrium residual {:.1e}.",
        eq.report.iterations, eq.report.max_residual
    ));
    report.notes.push("welfare = terms of trade + volume of trade (first-order decomposition, CP 2015 section 5, as in their Table 2); real_income = exact change in real income (income over the consumer price index).".into());
    report.notes.extend(notes);
    report
}

fn cp(store: &Store, args: &CpArgs) -> anyhow::Result<Report> {
    match args.data.as_str() {
        "cp1993" => {
            check_cp1993_args(args)?;
            let mut countries = args.countries.clone();
            if countries.is_empty() {
                countries = vec!["MEX".into(), "CAN".into(), "USA".into()];
            }
            let eq = runs::cp_nafta(store, &SolverConfig::default())?;
            check_countries(&eq, &countries)?;
            Ok(cp_report(
                &eq,
                "Caliendo & Parro (2015) NAFTA: welfare effects of the tariff changes, 1993 → 2005 (% change)".into(),
                &countries,
                vec!["Baseline: CP's 1993 data (31 regions × 40 sectors), rebalanced to zero aggregate deficits first, as the paper does. Table 2 reports Mexico 1.31 / Canada −0.06 / U.S. 0.08; `kanzei validate` checks every figure.".into()],
                None,
            ))
        }
        "wiod2011" => crate::commands::ge_wiod::run(store, args),
        other => anyhow::bail!("no GE baseline `{other}`\n\nhint: --data cp1993 or --data wiod2011"),
    }
}

/// On cp1993 the experiment is fixed: `--scenario` other than `nafta`, `--date` and `--with`
/// would be ignored, so they are errors.
fn check_cp1993_args(args: &CpArgs) -> anyhow::Result<()> {
    if args.scenario.as_deref().is_some_and(|s| s != "nafta") {
        anyhow::bail!("on --data cp1993 the experiment is `nafta` (2005 tariffs among CAN, MEX, USA)\n\nhint: tariff scenarios run on --data wiod2011");
    }
    if let Some(w) = args.with.first() {
        anyhow::bail!(
            "--with {w}: retaliation scenarios apply to tariff scenarios on --data wiod2011; on --data cp1993 the experiment is `nafta` alone\n\nhint: kanzei ge cp --data wiod2011 --scenario us-2025 --with {w}"
        );
    }
    if let Some(d) = &args.date {
        anyhow::bail!("--date {d}: on --data cp1993 the experiment is `nafta` (1993 → 2005 tariffs), which has no date\n\nhint: dates apply to tariff scenarios on --data wiod2011");
    }
    if args.draws > 0 || args.elasticities.is_some() {
        anyhow::bail!("--draws and --elasticities run on --data wiod2011; on --data cp1993 the NAFTA replication uses the paper's θ (T.txt) as published\n\nhint: kanzei ge cp --data wiod2011 --scenario us-2025 --draws 200 --seed 7");
    }
    Ok(())
}

/// `--countries` must name countries of the model: an unknown one would leave its row out
/// of the table without a word.
pub fn check_countries(eq: &Equilibrium, countries: &[String]) -> anyhow::Result<()> {
    let known: Vec<&str> = eq.countries.iter().map(|c| c.country.as_str()).collect();
    let unknown: Vec<&String> = countries.iter().filter(|c| !known.iter().any(|k| k.eq_ignore_ascii_case(c))).collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = unknown.iter().map(|c| format!("`{c}`")).collect();
    anyhow::bail!("--countries: {} not in the model; expected some of {}", names.join(", "), known.join(", "))
}

/// A `--cost-change`: the variable, the (exporter, importer) pairs, the new value.
type CostChange = (String, Vec<(String, String)>, f64);

fn parse_change(text: &str) -> anyhow::Result<CostChange> {
    let err = || anyhow::anyhow!("--cost-change `{text}` is not `VARIABLE:EXP-IMP[,EXP-IMP…]=VALUE` (e.g. pta:CAN-JPN,JPN-CAN=1)");
    let (var, rest) = text.split_once(':').ok_or_else(err)?;
    let (pairs, value) = rest.rsplit_once('=').ok_or_else(err)?;
    let value: f64 = value.trim().parse().map_err(|_| err())?;
    let mut out = Vec::new();
    for pair in pairs.split(',') {
        let (e, i) = pair.trim().split_once('-').ok_or_else(err)?;
        out.push((e.trim().to_uppercase(), i.trim().to_uppercase()));
    }
    Ok((var.trim().to_string(), out, value))
}

/// Coefficients (and standard errors, if the file has the column) from a CSV
/// `variable,coefficient[,se]` with a header.
type CoefficientFile = (Vec<(String, f64)>, Option<Vec<(String, f64)>>);

fn read_coefficient_file(path: &str) -> anyhow::Result<CoefficientFile> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("--elasticities {path}: {e}"))?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let header: Vec<String> = lines.next().map(|(_, h)| h.split(',').map(|c| c.trim().to_ascii_lowercase()).collect()).unwrap_or_default();
    let has_se = match header.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["variable", "coefficient"] => false,
        ["variable", "coefficient", "se"] => true,
        _ => anyhow::bail!("{path} line 1: header `{}`; expected `variable,coefficient` or `variable,coefficient,se`", header.join(",")),
    };
    let (mut coefficients, mut se) = (Vec::new(), Vec::new());
    for (idx, line) in lines {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let at = |i: usize, field: &str| -> anyhow::Result<f64> {
            f.get(i)
                .and_then(|v| v.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| anyhow::anyhow!("{path} line {}, field `{field}`: `{}`; expected a number", idx + 1, f.get(i).copied().unwrap_or("")))
        };
        if f.len() != header.len() {
            anyhow::bail!("{path} line {}: {} fields; expected {}", idx + 1, f.len(), header.len());
        }
        coefficients.push((f[0].to_string(), at(1, "coefficient")?));
        if has_se {
            se.push((f[0].to_string(), at(2, "se")?));
        }
    }
    if coefficients.is_empty() {
        anyhow::bail!("{path}: no coefficients after the header");
    }
    Ok((coefficients, has_se.then_some(se)))
}

/// `name=value,…` pairs of a flag.
fn parse_pairs(flag: &str, items: &[String]) -> anyhow::Result<Vec<(String, f64)>> {
    items
        .iter()
        .map(|kv| {
            let (k, v) = kv.split_once('=').ok_or_else(|| anyhow::anyhow!("{flag} `{kv}` is not `name=value`"))?;
            Ok((k.trim().to_string(), v.trim().parse::<f64>().map_err(|_| anyhow::anyhow!("{flag} `{kv}`: `{v}` is not a number"))?))
        })
        .collect()
}

fn gravity(store: &Store, args: &GravityArgs) -> anyhow::Result<Report> {
    let panel = match &args.data {
        Some(path) => kanzei_data::gravity_data::GravityPanel::load(path).with_context(|| format!("reading {}", path.display()))?,
        None => (*store.gegravity_sample()?).clone(),
    };
    let file_set = match args.elasticities.as_deref() {
        None | Some("gegravity-sample") => None,
        Some(path) if Path::new(path).is_file() => Some(read_coefficient_file(path)?),
        Some(other) => anyhow::bail!(
            "--elasticities `{other}` is not a coefficient set for ge gravity; expected gegravity-sample or a CSV file `variable,coefficient[,se]`"
        ),
    };
    let coefficients: Vec<(String, f64)> = match &file_set {
        Some((c, _)) => c.clone(),
        None if args.coefficients.is_empty() => runs::GEGRAVITY_COEFFICIENTS.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
        None => parse_pairs("--coefficients", &args.coefficients)?,
    };
    let (var, pairs, value) = parse_change(&args.cost_change)?;
    let pair_refs: Vec<(&str, &str)> = pairs.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let variant = if args.exact { FullEndowment::Exact } else { FullEndowment::Gegravity };
    let spec = runs::GravitySpec { year: args.year, coefficients: coefficients.clone(), sigma: args.sigma, reference: args.reference.clone(), change: (var.clone(), pair_refs, value), variant };
    let results = runs::gravity(&panel, &spec)?;
    let bands = if args.draws > 0 {
        let se: Vec<(String, f64)> = match &file_set {
            _ if !args.standard_errors.is_empty() => parse_pairs("--standard-errors", &args.standard_errors)?,
            Some((_, Some(se))) => se.clone(),
            Some((_, None)) => anyhow::bail!("--draws: {} has no `se` column; add one or give --standard-errors name=se,…", args.elasticities.as_deref().unwrap_or_default()),
            None if args.coefficients.is_empty() => runs::GEGRAVITY_STANDARD_ERRORS.iter().map(|(n, v)| (n.to_string(), *v)).collect(),
            None => Vec::new(),
        };
        Some(kanzei_report::gravity_draws::gravity_bands(&panel, &spec, &se, args.draws, args.seed)?)
    } else {
        None
    };
    let mut report = Report::new(json!({
        "experiment": {"variable": var, "pairs": pairs, "value": value, "sigma": args.sigma, "reference_importer": args.reference, "coefficients": coefficients, "full_endowment": if args.exact {"exact"} else {"gegravity"}},
        "countries": results.countries,
        "bilateral": results.bilateral,
        "conditional_iterations": results.conditional_iterations,
        "full_ge_iterations": results.full_ge_iterations,
    }));
    let mut rows: Vec<_> = results.countries.iter().collect();
    rows.sort_by(|a, b| b.gdp_change_pct.abs().total_cmp(&a.gdp_change_pct.abs()));
    let mut grid = Grid::new(
        Some(format!(
            "Structural gravity: {var} = {value} for {} (σ = {})",
            pairs
                .iter()
                .map(|(a, b)| format!("{a}→{b}"))
                .collect::<Vec<_>>()
                .join(", "),
            args.sigma
        )),
        vec![
            Column::text("country"),
            Column::pct("real_gdp_change", 4),
            Column::pct("factory_gate_price_change", 4),
            Column::pct("imr_change", 4),
            Column::pct("omr_change", 4),
            Column::pct("foreign_exports_change", 3),
        ],
    );
    if bands.is_some() {
        grid.columns.push(Column::pct("real_gdp_change", 4).band("p5"));
        grid.columns.push(Column::pct("real_gdp_change", 4).band("p95"));
    }
    grid.table_limit = Some(15);
    for c in &rows {
        let mut row = vec![
            Cell::Text(c.country.clone()),
            Cell::Num(c.gdp_change_pct),
            Cell::Num(c.factory_gate_price_change_pct),
            Cell::Num(c.imr_change_pct),
            Cell::Num(c.omr_change_pct),
            Cell::Num(c.foreign_exports_change_pct),
        ];
        if let Some(b) = &bands {
            let gdp = b.countries.iter().find(|x| x.country == c.country).and_then(|x| x.quantities.iter().find(|(n, _)| *n == "gdp_change_pct"));
            row.push(gdp.map_or(Cell::Empty, |(_, s)| Cell::Num(s.band.p5)));
            row.push(gdp.map_or(Cell::Empty, |(_, s)| Cell::Num(s.band.p95)));
        }
        grid.push(row);
    }
    report.grids.push(grid);
    if let Some(b) = &bands {
        attach_gravity_bands(&mut report, b);
    }
    report.notes.push(format!(
        "{} countries; full-endowment GE {} (`--exact` clears goods markets exactly; the default reproduces gegravity 0.3).",
        results.countries.len(),
        if args.exact { "solved exactly" } else { "as gegravity computes it" }
    ));
    Ok(report)
}

/// Gravity bands: `*_mean`, `*_sd`, `*_p5`, `*_p50`, `*_p95` on every `countries` row, the
/// draw summary under `draws`.
fn attach_gravity_bands(report: &mut Report, bands: &kanzei_report::gravity_draws::GravityBands) {
    if let Some(rows) = report.json.get_mut("countries").and_then(|v| v.as_array_mut()) {
        for row in rows.iter_mut() {
            let Some(b) = row.get("country").and_then(|c| c.as_str()).and_then(|c| bands.countries.iter().find(|x| x.country == c)) else { continue };
            for (name, s) in &b.quantities {
                for (stat, value) in [("mean", s.mean), ("sd", s.sd), ("p5", s.band.p5), ("p50", s.band.p50), ("p95", s.band.p95)] {
                    row[format!("{name}_{stat}")] = json!(value);
                }
            }
        }
    }
    let s = &bands.summary;
    report.json["draws"] = json!({
        "draws": s.draws, "seed": s.seed, "succeeded": s.succeeded, "failed": s.failed, "failures": s.failures,
        "distribution": s.distribution,
    });
    report.notes.push(format!(
        "90% bands from {} draws of the cost coefficients (seed {}, {:.2} s): {} solved, {} failed and excluded; {}. JSON `countries` rows carry mean, sd and p5/p50/p95 of each result.",
        s.draws, s.seed, bands.seconds, s.succeeded, s.failed, s.distribution.join("; ")
    ));
}
