//! Caliendo–Parro trade elasticities θ as named parameter sets, their sampling
//! distributions, and the Monte Carlo bands of a WIOD run (issue 12; MODELS.md §8).
//!
//! # Sets (`--elasticities` on `ge cp --data wiod2011`)
//! | name | goods c1–c16 | c15 transport equipment | services c17–c35 |
//! |---|---|---|---|
//! | `kanzei` (default) | CP (2015) full-sample estimates as mapped to WIOD by Costinot & Rodríguez-Clare (2014) | 8.22 (CP's NAFTA value) | 5 (TradMod.jl) |
//! | `cp2015-99` | CP's 99%-sample estimates, the values of their NAFTA application (`T.txt`), mapped the same way | 8.22 | 5 |
//! | a CSV file | `sector,theta[,se]` rows for any of c1–c35; sectors not listed keep `kanzei`'s values | | |
//!
//! # Distributions
//! Each goods sector's θ is drawn from N(θ, se²) truncated at
//! [`kanzei_ge::caliendo_parro::monte_carlo::THETA_FLOOR`], with se the heteroskedasticity-
//! robust standard error of the CP sector it maps to, re-estimated from CP's estimation data
//! (`kanzei data build`; these equal the paper's Table 1 standard errors). CP estimate each
//! sector separately, so the draws are independent. `cp2015-99` has no standard errors of
//! its own; it uses the full-sample ones (stated in the run's notes). Transport equipment's
//! 8.22 has no standard error: it is drawn with the spread of CP's three values for it
//! (0.37 other transport, 1.01 autos, 8.22), σ = 4.36. Services (5, a modelling device,
//! not an estimate) are held fixed. A file's `se` column gives standard errors; without
//! it the file's values are held fixed.

use kanzei_core::draws::{Band, DrawSummary};
use kanzei_data::ge_inputs::ThetaEstimates;
use kanzei_data::Store;
use kanzei_ge::caliendo_parro::monte_carlo::{theta_draws, ThetaDistribution, ThetaSpread, THETA_FLOOR};
use kanzei_ge::caliendo_parro::SolverConfig;
use serde::Serialize;

use crate::runs::{RunError, WiodGeRun, THETA_SERVICES, THETA_TRANSPORT_EQUIPMENT};

/// WIOD goods sectors c1–c16 → CP estimation sector index (1-based, `CP_ESTIMATION_SECTORS`)
/// and CP's 20-sector index in `T.txt` (1-based), by the Costinot–Rodríguez-Clare mapping:
/// each CRC value equals the CP estimate of the sector named here.
const WIOD_TO_CP: [(&str, usize, usize); 16] = [
    ("c1", 1, 1),   // agriculture
    ("c2", 2, 2),   // mining
    ("c3", 3, 3),   // food
    ("c4", 4, 4),   // textiles
    ("c5", 4, 4),   // leather and footwear: textiles
    ("c6", 5, 5),   // wood
    ("c7", 6, 6),   // paper and printing
    ("c8", 7, 7),   // coke and refined petroleum
    ("c9", 8, 8),   // chemicals
    ("c10", 9, 9),  // rubber and plastics
    ("c11", 10, 10), // other non-metallic minerals
    ("c12", 11, 11), // basic and fabricated metals: basic metals
    ("c13", 13, 13), // machinery n.e.c.
    ("c14", 15, 15), // electrical and optical: electrical
    ("c15", 18, 19), // transport equipment: other transport (replaced by 8.22)
    ("c16", 19, 20), // manufacturing n.e.c.
];

/// CP's values for transport equipment: other transport and autos (full sample) and the
/// value of their NAFTA application.
const TRANSPORT_ALTERNATIVES: [f64; 3] = [0.37, 1.01, THETA_TRANSPORT_EQUIPMENT];

/// A θ set for the WIOD application.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ThetaSet {
    /// Name (`kanzei`, `cp2015-99`, or the file's path).
    pub name: String,
    /// Citation of the values.
    pub source: String,
    /// θ by sector, c1 first (35).
    pub theta: Vec<f64>,
    /// The sampling distribution, one entry per sector.
    pub spread: Vec<ThetaSpread>,
    /// One line per decision a reader should know about.
    pub notes: Vec<String>,
}

impl ThetaSet {
    /// The distribution to draw from.
    pub fn distribution(&self) -> ThetaDistribution {
        ThetaDistribution { point: self.theta.clone(), spread: self.spread.clone() }
    }

    /// One line per sector family for a run's `distribution`.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "θ set `{}` ({}); draws N(θ, se²) truncated at θ > {THETA_FLOOR} (redrawn), independent across sectors (CP estimate each sector separately)",
            self.name, self.source
        )];
        lines.extend(self.notes.iter().cloned());
        lines
    }
}

/// The names `--elasticities` takes for `ge cp --data wiod2011`.
pub const WIOD_SET_NAMES: [&str; 2] = ["kanzei", "cp2015-99"];

/// The set named `name`, or parsed from `file_text` when the name is a file the caller read.
pub fn wiod_theta_set(store: &Store, name: &str, file_text: Option<&str>) -> Result<ThetaSet, RunError> {
    let estimates = store.cp_theta_estimates()?;
    let mut set = kanzei_set(store, &estimates)?;
    match (name, file_text) {
        ("kanzei", None) => Ok(set),
        ("cp2015-99", None) => {
            let cp = store.cp2015()?;
            for (j, (_, _, t_index)) in WIOD_TO_CP.iter().enumerate() {
                if j != 14 {
                    set.theta[j] = cp.theta_tradable[t_index - 1];
                }
            }
            set.name = "cp2015-99".into();
            set.source = "Caliendo & Parro (2015), 99% sample, the θ of their NAFTA application (T.txt), mapped to WIOD as Costinot & Rodríguez-Clare (2014) map the full-sample values".into();
            set.notes.push("cp2015-99 has no standard errors of its own: each sector is drawn with the full-sample estimate's HC1 standard error".into());
            Ok(set)
        }
        (path, Some(text)) => {
            apply_file(&mut set, path, text)?;
            Ok(set)
        }
        (other, None) => Err(RunError::Invalid(format!(
            "--elasticities `{other}` is not a θ set for ge cp; expected {} or a CSV file `sector,theta[,se]`{}",
            WIOD_SET_NAMES.join(", "),
            kanzei_core::text::closest(other, WIOD_SET_NAMES.iter().copied()).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default()
        ))),
    }
}

/// kanzei's default: the CRC mapping with c15 and services replaced (see `runs`).
fn kanzei_set(store: &Store, estimates: &ThetaEstimates) -> Result<ThetaSet, RunError> {
    let crc = store.wiod_thetas()?;
    let mut theta = crc.theta.clone();
    let mut spread = vec![ThetaSpread::Fixed; theta.len()];
    for (j, (sector, est_index, _)) in WIOD_TO_CP.iter().enumerate() {
        let est = estimates.rows.iter().find(|r| r.index == *est_index).ok_or_else(|| {
            RunError::Invalid(format!("no CP θ estimate for sector index {est_index} (mapped from {sector})"))
        })?;
        spread[j] = ThetaSpread::StdError { se: est.se_hc1 };
    }
    theta[14] = THETA_TRANSPORT_EQUIPMENT;
    spread[14] = ThetaSpread::from_alternatives(&TRANSPORT_ALTERNATIVES);
    for t in theta.iter_mut().skip(16) {
        *t = THETA_SERVICES;
    }
    let chem = estimates.rows.iter().find(|r| r.index == 8).map_or(f64::NAN, |r| r.theta);
    let transport_sd = spread[14].sd().unwrap_or(0.0);
    Ok(ThetaSet {
        name: "kanzei".into(),
        source: "Caliendo & Parro (2015) full-sample estimates mapped to WIOD by Costinot & Rodríguez-Clare (2014); c15 8.22 and services 5 as in kanzei's default".into(),
        theta,
        spread,
        notes: vec![
            "goods c1–c16: se = HC1 standard error of the mapped CP sector, re-estimated from CP's estimation data (equal to the paper's Table 1)".into(),
            format!("c15 transport equipment: 8.22 has no standard error; drawn with the spread of CP's values for it (0.37 other transport, 1.01 autos, 8.22), sd {transport_sd:.2}"),
            format!("c9 chemicals: the mapped value is 4.75 while CP's estimation data give {chem:.2}; the draws are centred on 4.75 with that sector's standard error"),
            "services c17–c35: θ = 5, a modelling device (TradMod.jl), held fixed".into(),
        ],
    })
}

/// Overrides from a user CSV: `sector,theta[,se]` with a header.
fn apply_file(set: &mut ThetaSet, path: &str, text: &str) -> Result<(), RunError> {
    let bad = |line: usize, field: &str, message: String| RunError::Invalid(format!("{path} line {line}, field `{field}`: {message}"));
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let Some((_, header)) = lines.next() else {
        return Err(RunError::Invalid(format!("{path}: empty; expected a header `sector,theta[,se]` and rows such as `c9,4.75,1.77`")));
    };
    let cols: Vec<String> = header.split(',').map(|c| c.trim().to_ascii_lowercase()).collect();
    if cols.len() < 2 || cols[0] != "sector" || cols[1] != "theta" || (cols.len() == 3 && cols[2] != "se") || cols.len() > 3 {
        return Err(bad(1, "header", format!("`{header}`; expected `sector,theta` or `sector,theta,se`")));
    }
    let has_se = cols.len() == 3;
    let mut changed = Vec::new();
    for (idx, line) in lines {
        let line_no = idx + 1;
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() != cols.len() {
            return Err(bad(line_no, "row", format!("{} fields; expected {}", f.len(), cols.len())));
        }
        let j = f[0]
            .strip_prefix('c')
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| (1..=35).contains(n))
            .ok_or_else(|| bad(line_no, "sector", format!("`{}` is not a WIOD sector; expected c1 … c35", f[0])))?
            - 1;
        let theta: f64 = f[1].parse().ok().filter(|t: &f64| t.is_finite() && *t > 0.0).ok_or_else(|| bad(line_no, "theta", format!("`{}`; expected a positive number", f[1])))?;
        set.theta[j] = theta;
        set.spread[j] = if has_se {
            let se: f64 = f[2].parse().ok().filter(|s: &f64| s.is_finite() && *s >= 0.0).ok_or_else(|| bad(line_no, "se", format!("`{}`; expected a number ≥ 0", f[2])))?;
            if se > 0.0 { ThetaSpread::StdError { se } } else { ThetaSpread::Fixed }
        } else {
            ThetaSpread::Fixed
        };
        changed.push(f[0].to_string());
    }
    if changed.is_empty() {
        return Err(RunError::Invalid(format!("{path}: no rows after the header; expected rows such as `c9,4.75,1.77`")));
    }
    set.name = path.to_string();
    set.source = format!("{path}: {} sector(s) set by the user ({}); other sectors as in `kanzei`", changed.len(), changed.join(", "));
    if !has_se {
        set.notes.push(format!("{path} has no `se` column: its sectors are held fixed in draws"));
    }
    Ok(())
}

/// The 90% bands of one country's results.
#[derive(Clone, Debug, Serialize)]
pub struct CountryBands {
    /// Country code.
    pub country: String,
    /// Exact change in real income.
    pub real_income_pct: Band,
    /// Welfare (ToT + VoT).
    pub welfare_pct: Band,
    /// Terms of trade.
    pub tot_pct: Band,
    /// Volume of trade.
    pub vot_pct: Band,
    /// Real wage.
    pub real_wage_pct: Band,
}

/// A Monte Carlo run of a WIOD equilibrium over θ.
#[derive(Clone, Debug, Serialize)]
pub struct CpBands {
    /// What was drawn and what failed.
    pub summary: DrawSummary,
    /// Bands per country, in the equilibrium's order.
    pub countries: Vec<CountryBands>,
    /// Redraws below the θ floor, over all draws.
    pub theta_redraws: u64,
    /// Mean wage iterations per successful draw (warm-started from the point estimate).
    pub mean_iterations: f64,
    /// Wall-clock seconds for all draws.
    pub seconds: f64,
    /// Real income change by successful draw and country (equilibrium order), percent: for
    /// bands of aggregates (a group's income-weighted change) taken draw by draw.
    #[serde(skip)]
    pub real_income_draws: Vec<Vec<f64>>,
}

/// Draws θ `draws` times and solves `run`'s shock for each, from its point equilibrium.
pub fn cp_bands(run: &WiodGeRun, set: &ThetaSet, draws: usize, seed: u64, config: &SolverConfig) -> Result<CpBands, RunError> {
    let started = std::time::Instant::now();
    let outcomes = theta_draws(&run.baseline, &run.shock, config, &run.equilibrium, &set.distribution(), draws, seed)?;
    let seconds = started.elapsed().as_secs_f64();
    let results: Vec<Result<&Vec<kanzei_ge::caliendo_parro::CountryWelfare>, String>> =
        outcomes.iter().map(|d| d.countries.as_ref().map_err(Clone::clone)).collect();
    let summary = DrawSummary::from_outcomes(seed, &results, set.describe());
    let ok: Vec<&Vec<kanzei_ge::caliendo_parro::CountryWelfare>> = results.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
    let fields: [fn(&kanzei_ge::caliendo_parro::CountryWelfare) -> f64; 5] =
        [|c| c.real_income_pct, |c| c.welfare_pct, |c| c.tot_pct, |c| c.vot_pct, |c| c.real_wage_pct];
    let countries = run
        .equilibrium
        .countries
        .iter()
        .enumerate()
        .map(|(n, c)| {
            let mut bands = fields.iter().map(|f| {
                let mut values: Vec<f64> = ok.iter().map(|draw| f(&draw[n])).collect();
                Band::of(&mut values)
            });
            let mut next = || bands.next().expect("five fields");
            CountryBands {
                country: c.country.clone(),
                real_income_pct: next(),
                welfare_pct: next(),
                tot_pct: next(),
                vot_pct: next(),
                real_wage_pct: next(),
            }
        })
        .collect();
    let succeeded: Vec<&_> = outcomes.iter().filter(|d| d.countries.is_ok()).collect();
    Ok(CpBands {
        summary,
        countries,
        theta_redraws: outcomes.iter().map(|d| u64::from(d.redraws)).sum(),
        mean_iterations: if succeeded.is_empty() { 0.0 } else { succeeded.iter().map(|d| d.iterations as f64).sum::<f64>() / succeeded.len() as f64 },
        seconds,
        real_income_draws: ok.iter().map(|draw| draw.iter().map(|c| c.real_income_pct).collect()).collect(),
    })
}
