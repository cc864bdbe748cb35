//! Measures that parse but do nothing: a measure with no exporters or no products, one that
//! names the importer or a statistical aggregate as an exporter, or one that matches no
//! base-year trade. `kanzei tariff check` prints these as warnings (and `--strict` fails on
//! them): the scenario is valid, but the measure changes no rate, which is rarely what its
//! author meant.

use kanzei_core::{AreaKind, AreaRegistry};

use crate::cells::CellSet;
use crate::engine::Compiled;
use crate::scenario::{ExporterSet, Measure, ProductSet};

/// One measure that does nothing, and why.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct NoOp {
    /// The measure's id.
    pub measure: String,
    /// The scenario file that defined it.
    pub defined_in: String,
    /// What is wrong, in a sentence that names the key and what would be valid.
    pub message: String,
}

/// Every measure of `compiled`'s scenario defined in `file` (or all of them with `None`) that
/// cannot change a rate, in scenario order; at most one finding per measure.
pub fn no_op_measures(compiled: &Compiled, cells: &CellSet, registry: &AreaRegistry, file: Option<&str>) -> Vec<NoOp> {
    let matched = matched_value_by_measure(compiled, cells);
    let scenario = &compiled.scenario;
    scenario
        .measures
        .iter()
        .enumerate()
        .filter(|(_, m)| file.is_none_or(|f| m.defined_in == f))
        .filter_map(|(idx, m)| {
            let message = static_problem(m, cells, registry).or_else(|| no_trade(matched[idx], cells))?;
            Some(NoOp { measure: m.id.clone(), defined_in: m.defined_in.clone(), message })
        })
        .collect()
}

/// Problems visible from the measure alone: empty sets, the importer, an aggregate.
fn static_problem(m: &Measure, cells: &CellSet, registry: &AreaRegistry) -> Option<String> {
    if let ExporterSet::Only(list) = &m.exporters {
        if list.is_empty() {
            return Some("`exporters = []` names no exporter, so the measure matches nothing; use \"all\" or list ISO3 codes or groups such as [\"JPN\", \"EU27\"]".into());
        }
        if list.contains(&cells.importer) {
            return Some(format!(
                "`exporters` names the importer {} itself; a country levies no duty on its own goods, so drop it",
                cells.importer
            ));
        }
        let aggregate = list.iter().filter_map(|c| registry.get(*c)).find(|a| a.kind == AreaKind::Aggregate);
        if let Some(area) = aggregate {
            return Some(format!(
                "`exporters` lists {} ({}), a statistical aggregate, not a country or group; use \"all\" for every exporter, or name countries or groups such as EU27",
                area.code, area.name
            ));
        }
    }
    if matches!(&m.products, ProductSet::Items(items) if items.is_empty()) {
        return Some("`products = []` names no product, so the measure matches nothing; use \"all\", HS prefixes or { list = \"…\" }".into());
    }
    None
}

/// A measure whose exporters and products meet no base-year trade.
fn no_trade(matched_usd: f64, cells: &CellSet) -> Option<String> {
    (matched_usd <= 0.0).then(|| {
        format!(
            "matches no {} trade: no {} imports in {} from its exporters under its products, so it changes no rate; check `exporters` and `products`",
            cells.year, cells.importer, cells.year
        )
    })
}

/// Per measure (scenario order): the base-year value of the cells it matches, in USD,
/// weighted by the share of each cell it covers.
pub fn matched_value_by_measure(compiled: &Compiled, cells: &CellSet) -> Vec<f64> {
    let mut out = vec![0.0; compiled.scenario.measures.len()];
    for (idx, cell) in cells.cells.iter().enumerate() {
        for (measure, _, share, _, _) in compiled.cell_entries(idx) {
            out[measure] += cell.value_usd * share;
        }
    }
    out
}
