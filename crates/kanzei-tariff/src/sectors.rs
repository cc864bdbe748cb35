//! Tariffs by input–output sector: an evaluated scenario aggregated from its HS cells to
//! (exporter, WIOD 2013 sector), import-weighted, for the sector tariffs of a
//! multi-sector GE model (Caliendo–Parro on WIOD) or value added at risk.
//!
//! [`sector_tariffs`] takes a [`CellSet`] and the [`Evaluation`] of a scenario compiled on
//! it, maps every cell's product to WIOD sectors with a
//! [`HsToWiod`], and sums per (exporter, sector)
//!
//! * value `X = Σ v_c` (base-year trade value of the cells, USD),
//! * tariff revenue `R = Σ v_c · τ_c / 100` (static, at base-year values),
//! * and the import-weighted rate `τ = 100 · R / X` (percent),
//!
//! the same pre-substitution weighting as the engine's effective tariff rates. The cells:
//!
//! * **HS10 and HS6 cells** map through their HS6 subheading (or a fallback, counted).
//! * **HS2 proxy cells** (U.S. partners without HS10 detail) are split over the proxy mix
//!   the [`CellSet`] holds for their chapter: proxy line `ℓ` with weight `w_ℓ` (Σ w_ℓ = 1)
//!   contributes value `w_ℓ · v_c` to the line's sector. The engine gives the whole cell one
//!   rate, so each piece carries the cell's rate: the chapter's sectors share its average.
//! * **HS2 remainder cells** (U.S. exports hit by retaliation that the lists do not name at
//!   HS6) have no product mix; they go to their chapter's majority sector, counted as HS2
//!   fallbacks.
//!
//! The [`MappingCoverage`] counts *pieces* as rows (one per HS10/HS6/HS2 cell, one per proxy
//! line of a proxy cell) and reconciles value in = mapped (by level) + unmapped (by
//! reason); chapters 98 and 99 stay unmapped (see `kanzei_data::concordance`).
//!
//! [`SectorTariffs::to_wiod_regions`] then maps exporters to the 41 WIOD regions (40
//! countries, `ROU` → `ROM`) and aggregates every other exporter into `RoW`, value-weighted.
//!
//! Assumptions: weights are base-year (2024) trade values, before any substitution; rates
//! are the engine's applied rates on the evaluation date; a proxy chapter's rate is uniform
//! across its sectors.
//!
//! References: `../shared/MODELS.md` §1 (effective rate = Σ rate × imports / Σ imports over
//! the cells asked for) and §5 (the Caliendo–Parro model takes tariffs τ_ni^j by importer n,
//! exporter i and sector j); Caliendo, L. & Parro, F. (2015), *Estimates of the Trade and
//! Welfare Effects of NAFTA*, Review of Economic Studies 82(1); Timmer, M. P. et al. (2015),
//! *An Illustrated User Guide to the World Input–Output Database*, Review of International
//! Economics 23.

use std::collections::BTreeMap;

use kanzei_core::{AreaCode, HsCode};
use kanzei_data::concordance::{HsToWiod, MappingCoverage, SectorMapping, UnmappedReason, WiodRegion, WiodSector, N_WIOD_SECTORS};
use serde::Serialize;

use crate::cells::{CellSet, Granularity, Proxy};
use crate::date::Date;
use crate::engine::Evaluation;
use crate::fxhash::FxHashMap;

/// What mapping a product code to WIOD sectors gives.
type MappingOutcome<'a> = Result<SectorMapping<'a>, UnmappedReason>;

/// Why sector tariffs cannot be computed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SectorError {
    /// The evaluation was not computed on these cells.
    #[error("the evaluation has {rates} cell rates but the cell set of {importer} has {cells} cells\n\nhint: evaluate the scenario compiled on this cell set (`Compiled::new(scenario, &cells, …).evaluate(date)`)")]
    Mismatch {
        /// Importer of the cell set.
        importer: AreaCode,
        /// Rates in the evaluation.
        rates: usize,
        /// Cells in the cell set.
        cells: usize,
    },
    /// The importer is a group (EU27): its members are separate WIOD regions, and one set of
    /// sector tariffs maps to one region.
    #[error("the importer `{importer}` is a group; sector tariffs map one importer to one WIOD region, and its members are separate regions\n\nhint: give one scenario per member (`importer = \"DEU\"`, `importer = \"FRA\"`, …), or use `kanzei tariff rates` for the group's totals")]
    GroupImporter {
        /// The group.
        importer: AreaCode,
    },
    /// An HS2 proxy cell names a proxy mix the cell set does not hold.
    #[error("cell {cell} ({exporter} chapter {chapter}) uses the {} product mix of chapter {chapter}, which the cell set does not hold", proxy_label(.proxy))]
    MissingProxy {
        /// Index of the cell.
        cell: usize,
        /// Its exporter.
        exporter: AreaCode,
        /// Its chapter.
        chapter: u8,
        /// The proxy named.
        proxy: Proxy,
    },
}

/// One exporter × sector.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SectorTariffRow {
    /// Exporter (ISO3).
    pub exporter: AreaCode,
    /// WIOD sector.
    pub sector: WiodSector,
    /// Base-year trade value, USD.
    pub value_usd: f64,
    /// Static tariff revenue at base-year values, USD.
    pub tariff_revenue_usd: f64,
    /// Import-weighted applied rate, percent (`100 · revenue / value`; 0 when value is 0).
    pub rate_pct: f64,
}

/// Import-weighted tariffs of one importer by exporter and WIOD sector.
#[derive(Clone, Debug, Serialize)]
pub struct SectorTariffs {
    /// Importer.
    pub importer: AreaCode,
    /// Evaluation date.
    pub date: Date,
    /// Rows sorted by exporter then sector; only pairs with value.
    pub rows: Vec<SectorTariffRow>,
    /// How the cells' value was mapped (unit USD; rows are mapping pieces).
    pub coverage: MappingCoverage,
    /// Revenue on the unmapped value, USD (chapters 98/99).
    pub unmapped_revenue_usd: f64,
}

fn proxy_label(proxy: &Proxy) -> &'static str {
    match proxy {
        Proxy::EuResidual => "EU-residual",
        Proxy::AllHs10Partners => "all-HS10-partners",
    }
}

fn rate(revenue: f64, value: f64) -> f64 {
    if value == 0.0 {
        0.0
    } else {
        100.0 * revenue / value
    }
}

/// Aggregates an evaluated scenario to (exporter, WIOD sector).
pub fn sector_tariffs(cells: &CellSet, evaluation: &Evaluation, map: &HsToWiod) -> Result<SectorTariffs, SectorError> {
    if evaluation.total_pct.len() != cells.cells.len() {
        return Err(SectorError::Mismatch { importer: cells.importer, rates: evaluation.total_pct.len(), cells: cells.cells.len() });
    }
    // Without this, a group importer would fall into the rest of the world (issue 10).
    if kanzei_core::AreaRegistry::builtin().get(cells.importer).is_some_and(|a| !a.members.is_empty()) {
        return Err(SectorError::GroupImporter { importer: cells.importer });
    }
    let mut coverage = MappingCoverage::new(
        format!("{} tariff cells → WIOD sectors", cells.importer),
        format!("tariff cells {} ({} cells)", cells.year, cells.cells.len()),
        "USD",
    );
    // Each proxy mix's lines are mapped once (a mix serves every partner with HS2 data only:
    // ~2M pieces, ~38k distinct lines), and sums go to a dense table by (exporter, sector):
    // the same additions in the same order as one map entry per (exporter, sector).
    let mut mixes: FxHashMap<(Proxy, u8), Vec<MappingOutcome<'_>>> = FxHashMap::default();
    for (&key, lines) in &cells.proxies {
        mixes.insert(key, lines.iter().map(|(code, _)| map.map(*code)).collect());
    }
    let mut exporter_slot: FxHashMap<AreaCode, usize> = FxHashMap::default();
    let mut exporters: Vec<AreaCode> = Vec::new();
    // Per (exporter slot, sector index): (value, revenue) once an entry exists.
    let mut sums: Vec<Option<(f64, f64)>> = Vec::new();
    let mut unmapped_revenue_usd = 0.0;
    for (idx, (cell, &rate_pct)) in cells.cells.iter().zip(&evaluation.total_pct).enumerate() {
        let slot = *exporter_slot.entry(cell.exporter).or_insert_with(|| {
            exporters.push(cell.exporter);
            sums.resize(exporters.len() * N_WIOD_SECTORS, None);
            exporters.len() - 1
        });
        let own = [(cell.code, 1.0)];
        let own_outcome;
        // The pieces of the cell: (code, weight), with their mappings.
        let (pieces, outcomes): (&[(HsCode, f64)], &[MappingOutcome<'_>]) = match (cell.granularity, cell.proxy) {
            (Granularity::Hs2Proxy, Some(proxy)) => {
                let chapter = cell.code.chapter_number();
                let missing = || SectorError::MissingProxy { cell: idx, exporter: cell.exporter, chapter, proxy };
                (cells.proxies.get(&(proxy, chapter)).ok_or_else(missing)?.as_slice(), mixes.get(&(proxy, chapter)).ok_or_else(missing)?.as_slice())
            }
            _ => {
                own_outcome = [map.map(cell.code)];
                (&own, &own_outcome)
            }
        };
        for ((code, weight), outcome) in pieces.iter().zip(outcomes) {
            let value = cell.value_usd * weight;
            let revenue = value * rate_pct / 100.0;
            match outcome {
                Ok(mapping) => {
                    for (sector, share) in mapping.shares {
                        let entry = sums[slot * N_WIOD_SECTORS + sector.index()].get_or_insert((0.0, 0.0));
                        entry.0 += value * share;
                        entry.1 += revenue * share;
                    }
                }
                Err(_) => unmapped_revenue_usd += revenue,
            }
            coverage.record(outcome, value, || {
                if cell.granularity == Granularity::Hs2Proxy && code.len() > 2 {
                    format!("{} chapter {} via proxy line {code}", cell.exporter, cell.code)
                } else {
                    format!("{} {code}", cell.exporter)
                }
            });
        }
    }
    let mut order: Vec<usize> = (0..exporters.len()).collect();
    order.sort_unstable_by_key(|&e| exporters[e]);
    let rows = order
        .into_iter()
        .flat_map(|e| WiodSector::all().map(move |sector| (e, sector)))
        .filter_map(|(e, sector)| {
            let (value_usd, tariff_revenue_usd) = sums[e * N_WIOD_SECTORS + sector.index()]?;
            Some(SectorTariffRow { exporter: exporters[e], sector, value_usd, tariff_revenue_usd, rate_pct: rate(tariff_revenue_usd, value_usd) })
        })
        .collect();
    Ok(SectorTariffs { importer: cells.importer, date: evaluation.date, rows, coverage, unmapped_revenue_usd })
}

impl SectorTariffs {
    /// The row of an exporter and sector.
    pub fn get(&self, exporter: AreaCode, sector: WiodSector) -> Option<&SectorTariffRow> {
        self.rows.iter().find(|r| r.exporter == exporter && r.sector == sector)
    }

    /// Value mapped to sectors, USD.
    pub fn mapped_value_usd(&self) -> f64 {
        self.rows.iter().map(|r| r.value_usd).sum()
    }

    /// Revenue on the mapped value, USD.
    pub fn mapped_revenue_usd(&self) -> f64 {
        self.rows.iter().map(|r| r.tariff_revenue_usd).sum()
    }

    /// Aggregates exporters to the 41 WIOD regions: the 40 WIOD countries as themselves
    /// (`ROU` as `ROM`), every other exporter into `RoW`; values and revenues add up, rates
    /// are recomputed from them (value-weighted).
    pub fn to_wiod_regions(&self) -> RegionSectorTariffs {
        let mut sums: BTreeMap<(WiodRegion, WiodSector), (f64, f64)> = BTreeMap::new();
        let mut rest: Vec<AreaCode> = Vec::new();
        for row in &self.rows {
            let region = WiodRegion::of_iso3(row.exporter);
            if region == WiodRegion::ROW && !rest.contains(&row.exporter) {
                rest.push(row.exporter);
            }
            let entry = sums.entry((region, row.sector)).or_insert((0.0, 0.0));
            entry.0 += row.value_usd;
            entry.1 += row.tariff_revenue_usd;
        }
        rest.sort();
        RegionSectorTariffs {
            importer: WiodRegion::of_iso3(self.importer),
            date: self.date,
            rows: sums
                .into_iter()
                .map(|((exporter, sector), (value_usd, tariff_revenue_usd))| RegionSectorRow {
                    exporter,
                    sector,
                    value_usd,
                    tariff_revenue_usd,
                    rate_pct: rate(tariff_revenue_usd, value_usd),
                })
                .collect(),
            rest_of_world: rest,
            coverage: self.coverage.clone(),
        }
    }
}

/// One WIOD region × sector.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegionSectorRow {
    /// Exporting region.
    pub exporter: WiodRegion,
    /// WIOD sector.
    pub sector: WiodSector,
    /// Base-year trade value, USD.
    pub value_usd: f64,
    /// Static tariff revenue, USD.
    pub tariff_revenue_usd: f64,
    /// Import-weighted rate, percent.
    pub rate_pct: f64,
}

/// Sector tariffs by WIOD region: the importer's row of the τ(n, i, j) array a
/// Caliendo–Parro model on WIOD needs (n = importer, i = exporter, j = sector).
#[derive(Clone, Debug, Serialize)]
pub struct RegionSectorTariffs {
    /// Importing region.
    pub importer: WiodRegion,
    /// Evaluation date.
    pub date: Date,
    /// Rows sorted by region (WIOD order) then sector.
    pub rows: Vec<RegionSectorRow>,
    /// The exporters aggregated into `RoW`.
    pub rest_of_world: Vec<AreaCode>,
    /// The mapping coverage of the underlying sector tariffs.
    pub coverage: MappingCoverage,
}

impl RegionSectorTariffs {
    /// The row of a region and sector.
    pub fn get(&self, exporter: WiodRegion, sector: WiodSector) -> Option<&RegionSectorRow> {
        self.rows.iter().find(|r| r.exporter == exporter && r.sector == sector)
    }

    /// The import-weighted rate (percent) of a region and sector; `None` where the importer
    /// has no trade in it (a model then needs another rule, e.g. the baseline rate).
    pub fn rate_pct(&self, exporter: WiodRegion, sector: WiodSector) -> Option<f64> {
        self.get(exporter, sector).map(|r| r.rate_pct)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use kanzei_core::{Coverage, HsVintage};
    use kanzei_data::concordance::{Concordance, MatchLevel};

    use super::*;
    use crate::cells::Cell;

    fn hs(text: &str) -> HsCode {
        HsCode::parse_vintage(text, HsVintage::Hs2022).unwrap()
    }

    fn area(text: &str) -> AreaCode {
        AreaCode::new(text).unwrap()
    }

    fn c(n: u8) -> WiodSector {
        WiodSector::new(n).unwrap()
    }

    fn map() -> HsToWiod {
        let text = "HS6_6d,HS6_4d,HS6_2d,ISIC3_4d,ISIC3_3d,ISIC3_2d,ISIC3_1d\n\
                    870323,8703,87,3410,341,34,D\n870120,8701,87,2921,292,29,D\n870840,8708,87,3430,343,34,D\n\
                    720839,7208,72,2710,271,27,D\n";
        HsToWiod::new(vec![Concordance::parse("hs6_isic3.csv", text.as_bytes()).unwrap()]).unwrap()
    }

    fn cell(exporter: &str, code: &str, value_usd: f64, granularity: Granularity, proxy: Option<Proxy>) -> Cell {
        Cell { exporter: area(exporter), code: hs(code), value_usd, duty_usd: None, granularity, proxy }
    }

    /// Three cells: a Japanese car at 15%, a Japanese tractor at 2.5%, and Romania's chapter
    /// 87 at 10% through a proxy of 3/4 cars and 1/4 tractors; plus a Romanian ch. 98 cell.
    fn case() -> (CellSet, Evaluation) {
        let mut proxies = HashMap::new();
        proxies.insert((Proxy::EuResidual, 87), vec![(hs("8703230190"), 0.75), (hs("8701200000"), 0.25)]);
        let cells = CellSet {
            importer: area("USA"),
            year: 2024,
            cells: vec![
                cell("JPN", "8703230190", 1000.0, Granularity::Hs10, None),
                cell("JPN", "8701200000", 200.0, Granularity::Hs10, None),
                cell("ROU", "87", 400.0, Granularity::Hs2Proxy, Some(Proxy::EuResidual)),
                cell("ROU", "98", 50.0, Granularity::Hs2Proxy, None),
            ],
            proxies,
            coverage: Coverage::new("test", "memory", "USD"),
        };
        let evaluation = Evaluation {
            date: Date::new(2025, 11, 17).unwrap(),
            total_pct: vec![15.0, 2.5, 10.0, 4.0],
            by_slot: vec![[0.0; crate::engine::N_SLOTS]; 4],
            assumptions: vec![crate::assumptions::AssumptionSet::EMPTY; 4],
        };
        (cells, evaluation)
    }

    #[test]
    fn rates_are_import_weighted_and_proxy_cells_split_over_their_mix() {
        let (cells, evaluation) = case();
        let t = sector_tariffs(&cells, &evaluation, &map()).unwrap();
        let jp = t.get(area("JPN"), c(15)).unwrap();
        assert_eq!((jp.value_usd, jp.tariff_revenue_usd, jp.rate_pct), (1000.0, 150.0, 15.0));
        let jp13 = t.get(area("JPN"), c(13)).unwrap();
        assert_eq!((jp13.value_usd, jp13.tariff_revenue_usd), (200.0, 5.0));
        // Romania's chapter 87: 300 to c15 and 100 to c13, both at the cell's 10%.
        let ro15 = t.get(area("ROU"), c(15)).unwrap();
        assert_eq!((ro15.value_usd, ro15.tariff_revenue_usd, ro15.rate_pct), (300.0, 30.0, 10.0));
        assert_eq!(t.get(area("ROU"), c(13)).unwrap().value_usd, 100.0);
        // Chapter 98 is unmapped, with its revenue.
        assert_eq!(t.coverage.unmapped_value(), 50.0);
        assert_eq!(t.unmapped_revenue_usd, 2.0);
        assert_eq!(t.coverage.coverage.value_in, 1650.0);
        assert_eq!(t.mapped_value_usd() + t.coverage.unmapped_value(), 1650.0);
        // Pieces: two HS10 cells, two proxy lines, one HS2 cell (chapter 98, HS2 level).
        assert_eq!(t.coverage.coverage.rows_read, 5);
        assert_eq!(t.coverage.hs6_exact.rows, 4);
        assert!(t.coverage.reconciles(0.0));
        assert_eq!(t.coverage.level_pct(MatchLevel::Hs6Exact), 100.0 * 1600.0 / 1650.0);
    }

    #[test]
    fn regions_aggregate_the_rest_of_the_world_by_value() {
        let (mut cells, mut evaluation) = case();
        cells.cells.push(cell("VNM", "8703230190", 100.0, Granularity::Hs10, None));
        cells.cells.push(cell("THA", "8703230190", 300.0, Granularity::Hs10, None));
        evaluation.total_pct.extend([20.0, 40.0]);
        evaluation.by_slot.extend([[0.0; crate::engine::N_SLOTS]; 2]);
        let regions = sector_tariffs(&cells, &evaluation, &map()).unwrap().to_wiod_regions();
        assert_eq!(regions.importer.code(), "USA");
        assert_eq!(regions.rest_of_world, vec![area("THA"), area("VNM")]);
        let row = regions.get(WiodRegion::ROW, c(15)).unwrap();
        // (100 × 20% + 300 × 40%) / 400 = 35%.
        assert_eq!((row.value_usd, row.tariff_revenue_usd, row.rate_pct), (400.0, 140.0, 35.0));
        assert_eq!(regions.rate_pct(WiodRegion::parse("ROM").unwrap(), c(15)), Some(10.0));
        assert_eq!(regions.rate_pct(WiodRegion::parse("JPN").unwrap(), c(1)), None);
    }

    #[test]
    fn mismatched_inputs_are_errors() {
        let (cells, mut evaluation) = case();
        evaluation.total_pct.pop();
        let err = sector_tariffs(&cells, &evaluation, &map()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the evaluation has 3 cell rates but the cell set of USA has 4 cells\n\nhint: evaluate the scenario compiled on this cell set (`Compiled::new(scenario, &cells, …).evaluate(date)`)"
        );
        let (mut cells, evaluation) = case();
        cells.proxies.clear();
        let err = sector_tariffs(&cells, &evaluation, &map()).unwrap_err();
        assert_eq!(err.to_string(), "cell 2 (ROU chapter 87) uses the EU-residual product mix of chapter 87, which the cell set does not hold");
    }
}
