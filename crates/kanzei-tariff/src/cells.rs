//! The cells a scenario is evaluated on: (exporter, product) pairs with their base-year
//! trade value, for one importer.
//!
//! For U.S. imports, partners with HS10 detail (the 50 largest and the EU aggregate) get one
//! cell per HS10 line; the other partners get one cell per HS2 chapter, whose product mix is
//! *assumed* to be that of a proxy: for EU members without their own HS10 file, the EU
//! aggregate less the members that have one; for everyone else, all HS10 partners together.
//! Measures that cover part of a chapter then cover the proxy's share of it. The share of
//! value evaluated each way is reported.
//!
//! For another importer's retaliation against the U.S., cells are U.S. exports: HS6 lines
//! where the retaliation list files give the U.S. exports hit, and the rest of each HS2
//! chapter (USITC DataWeb) as a remainder cell. An importer without list files (the EU) has
//! whole-chapter cells only; a group importer is the sum of its members.

use std::collections::{BTreeMap, HashMap};

use kanzei_core::bin::{Bin, BinError, Reader, Writer};
use kanzei_core::fxhash::{FxHashMap, FxHashSet};

use kanzei_core::{AreaCode, AreaKind, AreaRegistry, Coverage, HsCode, HsVintage};
use kanzei_data::tariff_inputs::TariffInputs;
use kanzei_data::us_exports::UsExports;
use kanzei_data::us_imports::UsImports;
use serde::Serialize;

/// How a cell's product is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Granularity {
    /// An HS10 statistical line.
    Hs10,
    /// An HS2 chapter whose product mix is taken from a proxy.
    Hs2Proxy,
    /// An HS6 subheading (U.S. exports hit by retaliation).
    Hs6,
    /// What is left of an HS2 chapter after the HS6 lines (U.S. exports).
    Hs2Remainder,
    /// A whole HS2 chapter of U.S. exports to an importer with no HS6 detail (no retaliation
    /// list files with the exports they hit, e.g. the EU).
    Hs2Whole,
}

/// Which product mix an HS2 cell borrows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Proxy {
    /// The EU aggregate less the EU members with their own HS10 data.
    EuResidual,
    /// All partners with HS10 data.
    AllHs10Partners,
}

/// One exporter × product.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Cell {
    /// Exporter.
    pub exporter: AreaCode,
    /// Product (HS10, HS6 or HS2 depending on granularity).
    pub code: HsCode,
    /// Base-year value, USD.
    pub value_usd: f64,
    /// Duty the importer's customs actually calculated in the base year, USD (U.S. imports).
    pub duty_usd: Option<f64>,
    /// How the product is known.
    pub granularity: Granularity,
    /// For HS2 proxy cells: whose mix.
    pub proxy: Option<Proxy>,
}

/// The cells of one importer.
#[derive(Clone, Debug)]
pub struct CellSet {
    /// Importer.
    pub importer: AreaCode,
    /// Base year of the values.
    pub year: i32,
    /// Cells.
    pub cells: Vec<Cell>,
    /// Proxy mixes: (proxy, chapter) → HS10 lines with weights summing to 1.
    pub proxies: HashMap<(Proxy, u8), Vec<(HsCode, f64)>>,
    /// How the cells were assembled (value = USD).
    pub coverage: Coverage,
}

impl CellSet {
    /// A cell set of the same importer and year with no cells, proxy mixes or coverage rows.
    pub fn clone_empty(&self) -> CellSet {
        CellSet { importer: self.importer, year: self.year, cells: Vec::new(), proxies: HashMap::new(), coverage: Coverage::new(self.coverage.name.clone(), self.coverage.source.clone(), self.coverage.unit.clone()) }
    }

    /// Total value.
    pub fn total_value(&self) -> f64 {
        self.cells.iter().map(|c| c.value_usd).sum()
    }

    /// Value by granularity.
    pub fn value_by_granularity(&self) -> BTreeMap<String, f64> {
        // Summed per granularity in cell order (the same sums as one map entry per cell),
        // named once per granularity.
        let mut sums: Vec<(Granularity, f64)> = Vec::new();
        for c in &self.cells {
            match sums.iter_mut().find(|(g, _)| *g == c.granularity) {
                Some((_, v)) => *v += c.value_usd,
                None => sums.push((c.granularity, c.value_usd)),
            }
        }
        sums.into_iter().map(|(g, v)| (serde_json_name(g), v)).collect()
    }

    /// U.S. imports 2024: HS10 cells for partners with HS10 data, HS2 proxy cells for the
    /// rest; the EU aggregate is used only as a proxy (its members are counted one by one).
    pub fn us_imports(hs10: &UsImports, hs2: &UsImports, registry: &AreaRegistry) -> CellSet {
        let mut coverage = Coverage::new("tariff cells: U.S. imports 2024", "us_imports_hs10 + us_imports_hs2", "USD");
        let hs10_partners: Vec<u16> = hs10.partners();
        let eu = registry.get(AreaCode::new("EU27").expect("valid")).cloned();
        let eu_members: Vec<AreaCode> = eu.as_ref().map(|e| e.members.clone()).unwrap_or_default();
        let mut cells = Vec::with_capacity(hs10.lines.len() + hs2.lines.len());

        // Proxies: EU residual and all HS10 country partners, per chapter. Summed in hash maps
        // (each key's additions in file order, as before) and sorted once.
        let mut world: FxHashMap<(u8, HsCode), f64> = FxHashMap::default();
        let mut eu_total: FxHashMap<(u8, HsCode), f64> = FxHashMap::default();
        let mut eu_members_hs10: FxHashMap<(u8, HsCode), f64> = FxHashMap::default();
        let eu_member_codes: FxHashSet<u16> =
            hs10_partners.iter().copied().filter(|c| registry.by_census(*c).is_some_and(|a| eu_members.contains(&a.code))).collect();
        for line in &hs10.lines {
            let key = (line.hs.chapter_number(), line.hs);
            if line.census_code == 3 {
                *eu_total.entry(key).or_insert(0.0) += line.value_usd;
                continue;
            }
            *world.entry(key).or_insert(0.0) += line.value_usd;
            if eu_member_codes.contains(&line.census_code) {
                *eu_members_hs10.entry(key).or_insert(0.0) += line.value_usd;
            }
        }
        let world: BTreeMap<(u8, HsCode), f64> = world.into_iter().collect();
        let eu_total: BTreeMap<(u8, HsCode), f64> = eu_total.into_iter().collect();
        let mut eu_residual = eu_total.clone();
        for (key, v) in &eu_members_hs10 {
            if let Some(slot) = eu_residual.get_mut(key) {
                *slot -= v;
            }
        }
        let proxies = build_proxies(&world, &eu_residual);

        // HS10 cells for partners with HS10 detail (the EU aggregate is only a proxy).
        for line in &hs10.lines {
            if line.census_code == 3 {
                continue;
            }
            if let Some(area) = registry.by_census(line.census_code).filter(|a| a.kind == AreaKind::Country) {
                cells.push(Cell {
                    exporter: area.code,
                    code: line.hs,
                    value_usd: line.value_usd,
                    duty_usd: Some(line.duty_usd),
                    granularity: Granularity::Hs10,
                    proxy: None,
                });
            }
        }
        // The accounting runs over the HS2 file, which has every partner: a partner with
        // HS10 detail is kept through its HS10 cells (which sum to its HS2 rows exactly, as
        // the snapshot build checks), the others as HS2 proxy cells.
        for line in &hs2.lines {
            if line.census_code == 3 {
                coverage.reject("EU aggregate row (members are counted individually)", line.value_usd, || "CTY_CODE 0003".into());
                continue;
            }
            let Some(area) = registry.by_census(line.census_code) else {
                coverage.reject("partner code not in the registry", line.value_usd, || line.census_code.to_string());
                continue;
            };
            if area.kind != AreaKind::Country {
                coverage.reject("partner is not a country", line.value_usd, || area.name.clone());
                continue;
            }
            coverage.keep(line.value_usd);
            if hs10_partners.binary_search(&line.census_code).is_ok() {
                continue;
            }
            let chapter = line.hs.chapter_number();
            let mut proxy = if eu_members.contains(&area.code) { Proxy::EuResidual } else { Proxy::AllHs10Partners };
            if !proxies.contains_key(&(proxy, chapter)) {
                proxy = Proxy::AllHs10Partners;
            }
            cells.push(Cell {
                exporter: area.code,
                code: line.hs,
                value_usd: line.value_usd,
                duty_usd: Some(line.duty_usd),
                granularity: Granularity::Hs2Proxy,
                proxy: proxies.contains_key(&(proxy, chapter)).then_some(proxy),
            });
        }
        CellSet { importer: AreaCode::new("USA").expect("valid"), year: 2024, cells, proxies, coverage }
    }

    /// U.S. exports 2024 to a retaliating importer: HS6 cells where the retaliation files
    /// give the exports hit, HS2 remainder cells for the rest of each chapter. A group
    /// (EU27) is the sum of its members' exports (`members`; the importer itself for a country).
    pub fn us_exports_to(importer: AreaCode, members: &[AreaCode], exports: &UsExports, inputs: &TariffInputs) -> CellSet {
        let usa = AreaCode::new("USA").expect("valid");
        let mut coverage = Coverage::new(format!("tariff cells: U.S. exports 2024 to {importer}"), "us_exports_hs2 + retaliation exports files", "USD");
        let chapters = exports.by_chapter(members, 2024);
        let mut hs6: BTreeMap<HsCode, f64> = BTreeMap::new();
        for member in members {
            let mut of_member: BTreeMap<HsCode, f64> = BTreeMap::new();
            for hit in inputs.exports_hit.iter().filter(|h| h.importer == *member) {
                for (code, value) in &hit.exports_usd {
                    // Lists overlap (the same HS6 can appear in two files): keep one value.
                    of_member.entry(code.with_vintage(HsVintage::Hs2022)).or_insert(*value);
                }
            }
            for (code, value) in of_member {
                *hs6.entry(code).or_insert(0.0) += value;
            }
        }
        let has_detail = inputs.exports_hit.iter().any(|h| members.contains(&h.importer));
        let mut cells = Vec::new();
        let mut hs6_by_chapter: BTreeMap<u8, f64> = BTreeMap::new();
        for (code, value) in &hs6 {
            *hs6_by_chapter.entry(code.chapter_number()).or_insert(0.0) += value;
            cells.push(Cell { exporter: usa, code: *code, value_usd: *value, duty_usd: None, granularity: Granularity::Hs6, proxy: None });
        }
        for (chapter, value) in &chapters {
            let listed = hs6_by_chapter.get(&chapter.chapter_number()).copied().unwrap_or(0.0);
            let remainder = value - listed;
            coverage.keep(*value);
            if remainder > 0.0 {
                cells.push(Cell {
                    exporter: usa,
                    code: *chapter,
                    value_usd: remainder,
                    duty_usd: None,
                    granularity: if has_detail { Granularity::Hs2Remainder } else { Granularity::Hs2Whole },
                    proxy: None,
                });
            } else if remainder < -1.0 {
                // The list files' HS6 values exceed the DataWeb chapter total: different
                // vintages of the same Census data. The HS6 values are kept; report the gap.
                coverage.reject("HS6 exports hit exceed the chapter total (sources differ)", remainder, || format!("chapter {chapter}"));
            }
        }
        CellSet { importer, year: 2024, cells, proxies: HashMap::new(), coverage }
    }
}

fn build_proxies(
    world: &BTreeMap<(u8, HsCode), f64>,
    eu_residual: &BTreeMap<(u8, HsCode), f64>,
) -> HashMap<(Proxy, u8), Vec<(HsCode, f64)>> {
    let mut out: HashMap<(Proxy, u8), Vec<(HsCode, f64)>> = HashMap::new();
    for (proxy, source) in [(Proxy::AllHs10Partners, world), (Proxy::EuResidual, eu_residual)] {
        let mut totals: BTreeMap<u8, f64> = BTreeMap::new();
        for ((chapter, _), v) in source {
            if *v > 0.0 {
                *totals.entry(*chapter).or_insert(0.0) += v;
            }
        }
        for ((chapter, code), v) in source {
            let total = totals.get(chapter).copied().unwrap_or(0.0);
            if *v > 0.0 && total > 0.0 {
                out.entry((proxy, *chapter)).or_default().push((*code, v / total));
            }
        }
    }
    out
}

fn serde_json_name(g: Granularity) -> String {
    match g {
        Granularity::Hs10 => "hs10",
        Granularity::Hs2Proxy => "hs2-proxy",
        Granularity::Hs6 => "hs6",
        Granularity::Hs2Remainder => "hs2-remainder",
        Granularity::Hs2Whole => "hs2",
    }
    .to_string()
}

// The binary form of the pre-indexed snapshot (`kanzei_core::bin`).
kanzei_core::bin_enum!(Granularity { Hs10, Hs2Proxy, Hs6, Hs2Remainder, Hs2Whole });
kanzei_core::bin_enum!(Proxy { EuResidual, AllHs10Partners });

impl Bin for CellSet {
    /// The cells' exporters once, then each cell with its exporter's position among them.
    fn put(&self, w: &mut Writer) {
        self.importer.put(w);
        self.year.put(w);
        let mut exporters: Vec<AreaCode> = self.cells.iter().map(|c| c.exporter).collect::<FxHashSet<_>>().into_iter().collect();
        exporters.sort_unstable();
        let position: FxHashMap<AreaCode, u16> = exporters.iter().enumerate().map(|(i, e)| (*e, i as u16)).collect();
        exporters.put(w);
        w.len(self.cells.len());
        for c in &self.cells {
            position[&c.exporter].put(w);
            c.code.put(w);
            c.value_usd.put(w);
            c.duty_usd.put(w);
            c.granularity.put(w);
            c.proxy.put(w);
        }
        self.proxies.put(w);
        self.coverage.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        let importer = AreaCode::get(r)?;
        let year = i32::get(r)?;
        let exporters = Vec::<AreaCode>::get(r)?;
        let n = r.len(20)?;
        let mut cells = Vec::with_capacity(n);
        for _ in 0..n {
            let e = u16::get(r)?;
            let exporter = *exporters.get(usize::from(e)).ok_or_else(|| r.error(format!("exporter {e} of {}", exporters.len())))?;
            cells.push(Cell {
                exporter,
                code: Bin::get(r)?,
                value_usd: Bin::get(r)?,
                duty_usd: Bin::get(r)?,
                granularity: Bin::get(r)?,
                proxy: Bin::get(r)?,
            });
        }
        Ok(CellSet { importer, year, cells, proxies: Bin::get(r)?, coverage: Bin::get(r)? })
    }
}
