//! SMART's elasticities as named sets, their sampling spread, and Monte Carlo bands
//! (issue 12; MODELS.md §8).
//!
//! # Sets (`--elasticities` on `pe smart`)
//! | name | Em (import demand) | Es (substitution) |
//! |---|---|---|
//! | `default` | Hauk (2012) | Broda & Weinstein (2006) |
//! | `hauk` | Hauk (2012) | Hauk (2012) |
//! | `protee` | Hauk (2012) | Fontagné, Guimbard & Orefice (2022), ProTEE |
//! | a CSV file | overrides `hs,kind,value,note` on top of `default` | |
//!
//! Hauk is the only staged U.S. import-demand set, so Em is Hauk's in every named set; each
//! value is resolved down the chain documented in `kanzei_data::elasticities` (exact HS10,
//! HS6, HS4 and HS2 medians, default).
//!
//! # Spread for draws
//! * **Em**: Hauk's published standard error (`sedemandprice`) where the value is one of
//!   Hauk's estimates (exact HS10 or HS6). For medians and defaults, which have none, the
//!   median relative standard error of Hauk's usable estimates times |Em| (computed from
//!   the table, reported in the run's distribution notes). User overrides are held fixed.
//! * **Es**: Hauk's standard error where the set is `hauk` and the value is an exact
//!   estimate; otherwise the standard deviation of the three sets' values for the product
//!   (Broda–Weinstein, Hauk, ProTEE, each resolved down its own chain): the spread of
//!   alternative published estimates. Overrides are held fixed.
//! * Ex is not drawn (infinite by default: world prices fixed).

use kanzei_core::draws::{Band, DrawSummary};
use kanzei_core::HsCode;
use kanzei_data::elasticities::{ElasticityKind, ElasticityOverrides, ElasticityTables, Level, Resolved, Resolver, ResolverConfig, SubstitutionSet, TableId};
use kanzei_pe::smart::{SmartConfig, SmartData};
use kanzei_pe::smart_monte_carlo::{smart_draws, ElasticitySpread, GROUP_FIELDS};
use serde::Serialize;

use crate::runs::RunError;

/// The names `--elasticities` takes for `pe smart`.
pub const SMART_SET_NAMES: [&str; 3] = ["default", "hauk", "protee"];

/// A SMART elasticity set.
#[derive(Clone, Debug)]
pub struct SmartSet {
    /// Name (or the override file's path).
    pub name: String,
    /// Which set supplies Es.
    pub substitution: SubstitutionSet,
    /// User overrides (a file).
    pub overrides: Option<ElasticityOverrides>,
}

impl Default for SmartSet {
    fn default() -> SmartSet {
        SmartSet { name: "default".into(), substitution: SubstitutionSet::BrodaWeinstein, overrides: None }
    }
}

impl SmartSet {
    /// A named set, or an override file the caller read (`file_text`).
    pub fn parse(name: &str, file_text: Option<&str>) -> Result<SmartSet, RunError> {
        let substitution = match (name, file_text) {
            ("default" | "broda-weinstein", None) => SubstitutionSet::BrodaWeinstein,
            ("hauk", None) => SubstitutionSet::Hauk,
            ("protee", None) => SubstitutionSet::Protee,
            (path, Some(text)) => {
                let overrides = ElasticityOverrides::parse(path, text.as_bytes())?;
                return Ok(SmartSet { name: path.into(), substitution: SubstitutionSet::BrodaWeinstein, overrides: Some(overrides) });
            }
            (other, None) => {
                return Err(RunError::Invalid(format!(
                    "--elasticities `{other}` is not an elasticity set for SMART; expected {} or an override file `hs,kind,value,note`{}",
                    SMART_SET_NAMES.join(", "),
                    kanzei_core::text::closest(other, SMART_SET_NAMES.iter().copied()).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default()
                )))
            }
        };
        Ok(SmartSet { name: name.into(), substitution, overrides: None })
    }

    /// A citable description.
    pub fn describe(&self) -> String {
        match (&self.overrides, self.substitution) {
            (Some(_), _) => format!("{}: user overrides on the default set (Em Hauk 2012, Es Broda & Weinstein 2006)", self.name),
            (None, SubstitutionSet::BrodaWeinstein) => "default: Em Hauk (2012), Es Broda & Weinstein (2006)".into(),
            (None, SubstitutionSet::Hauk) => "hauk: Em and Es Hauk (2012)".into(),
            (None, SubstitutionSet::Protee) => "protee: Em Hauk (2012), Es Fontagné, Guimbard & Orefice (2022) ProTEE".into(),
        }
    }
}

/// What the spreads need: one resolver per substitution set and Hauk's pooled relative
/// standard error.
pub struct Spreads<'a> {
    alternatives: [Resolver<'a>; 3],
    /// Median of se/|value| over Hauk's usable import-demand estimates.
    pub em_relative_se: f64,
    /// Products whose Em spread used the pooled relative standard error.
    pub em_pooled: std::cell::Cell<usize>,
}

impl<'a> Spreads<'a> {
    /// Resolvers for the three substitution sets (with the run's overrides, so an
    /// overridden value is an override in each).
    pub fn new(tables: &'a ElasticityTables, overrides: Option<&'a ElasticityOverrides>) -> Spreads<'a> {
        let resolver = |substitution| Resolver::new(tables, overrides, ResolverConfig { substitution, ..ResolverConfig::default() });
        let mut relative: Vec<f64> = [TableId::HaukEmHs10, TableId::HaukEmHs6]
            .iter()
            .filter_map(|id| tables.table(*id))
            .flat_map(|t| t.entries.iter())
            .filter(|e| e.flags.usable() && e.se.is_finite() && e.value != 0.0)
            .map(|e| e.se / e.value.abs())
            .collect();
        relative.sort_by(f64::total_cmp);
        let em_relative_se = if relative.is_empty() { 0.0 } else { relative[relative.len() / 2] };
        Spreads {
            alternatives: [resolver(SubstitutionSet::BrodaWeinstein), resolver(SubstitutionSet::Hauk), resolver(SubstitutionSet::Protee)],
            em_relative_se,
            em_pooled: std::cell::Cell::new(0),
        }
    }

    /// The spread of one product's resolved Em and Es.
    pub fn of(&self, code: HsCode, em: &Resolved, es: &Resolved) -> ElasticitySpread {
        let em_sd = match (em.level, em.se) {
            (Level::Override, _) => 0.0,
            (_, Some(se)) => se,
            _ => {
                self.em_pooled.set(self.em_pooled.get() + 1);
                self.em_relative_se * em.value.abs()
            }
        };
        let es_sd = match (es.level, es.se) {
            (Level::Override, _) => 0.0,
            (_, Some(se)) => se,
            _ => {
                let values: Vec<f64> = self.alternatives.iter().map(|r| r.resolve_kind(code, ElasticityKind::Substitution).value).collect();
                let mean = values.iter().sum::<f64>() / 3.0;
                (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 2.0).sqrt()
            }
        };
        ElasticitySpread { em_sd, es_sd }
    }
}

/// One group's bands (USD).
#[derive(Clone, Debug, Serialize)]
pub struct GroupBands {
    /// Group key (partner code, chapter, HS6).
    pub key: String,
    /// Imports after.
    pub imports_after_usd: Band,
    /// Trade creation.
    pub trade_creation_usd: Band,
    /// Trade diversion.
    pub trade_diversion_usd: Band,
    /// Revenue after substitution.
    pub revenue_usd: Band,
}

/// A SMART Monte Carlo run.
#[derive(Clone, Debug, Serialize)]
pub struct SmartBands {
    /// Draws, seed, failures, distribution.
    pub summary: DrawSummary,
    /// Per group.
    pub groups: Vec<GroupBands>,
    /// All cells: imports after, USD.
    pub imports_after_usd: Band,
    /// All cells: revenue after substitution, USD.
    pub revenue_usd: Band,
    /// Post-substitution ETR, percent.
    pub etr_post_pct: Band,
    /// Wall-clock seconds of the draws.
    pub seconds: f64,
}

/// Runs the draws and summarises them by group.
#[allow(clippy::too_many_arguments)]
pub fn smart_bands(
    smart: &SmartData,
    spread: &[ElasticitySpread],
    group_of_cell: &[u32],
    keys: &[&String],
    config: &SmartConfig,
    draws: usize,
    seed: u64,
    spreads: &Spreads<'_>,
) -> Result<SmartBands, RunError> {
    let started = std::time::Instant::now();
    let outcomes = smart_draws(&smart.as_input(), spread, group_of_cell, keys.len(), config, draws, seed);
    let seconds = started.elapsed().as_secs_f64();
    let distribution = vec![
        format!("Em: Hauk's published standard error where the value is one of Hauk's estimates; otherwise {:.3} × |Em|, the median relative standard error of Hauk's usable estimates ({} products); N(Em, sd²) truncated to Em < 0", spreads.em_relative_se, spreads.em_pooled.get()),
        "Es: Hauk's standard error for an exact Hauk value under `hauk`; otherwise the standard deviation of Broda–Weinstein's, Hauk's and ProTEE's values for the product; N(Es, sd²) truncated to Es > 0".into(),
        "Ex not drawn; user overrides held fixed; draws independent across products and kinds (no source gives a covariance)".into(),
    ];
    let summary = DrawSummary::from_outcomes(seed, &outcomes, distribution);
    let ok: Vec<&Vec<f64>> = outcomes.iter().filter_map(|o| o.as_ref().ok()).collect();
    let band = |index: usize| {
        let mut values: Vec<f64> = ok.iter().map(|d| d[index]).collect();
        Band::of(&mut values)
    };
    let n = keys.len();
    let groups = keys
        .iter()
        .enumerate()
        .map(|(g, key)| GroupBands {
            key: (*key).clone(),
            imports_after_usd: band(g * GROUP_FIELDS),
            trade_creation_usd: band(g * GROUP_FIELDS + 1),
            trade_diversion_usd: band(g * GROUP_FIELDS + 2),
            revenue_usd: band(g * GROUP_FIELDS + 3),
        })
        .collect();
    let mut etr: Vec<f64> = ok.iter().map(|d| 100.0 * d[n * GROUP_FIELDS + 1] / d[n * GROUP_FIELDS].max(1.0)).collect();
    Ok(SmartBands {
        summary,
        groups,
        imports_after_usd: band(n * GROUP_FIELDS),
        revenue_usd: band(n * GROUP_FIELDS + 1),
        etr_post_pct: Band::of(&mut etr),
        seconds,
    })
}
