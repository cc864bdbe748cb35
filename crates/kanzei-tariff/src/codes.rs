//! The code table of a cell set ([`CodeTable`]): its distinct product codes, an index of
//! their prefixes, and what every compile needs of each code (MFN rate, metal content).
//! It depends on the cells, the schedule and the tariff inputs only, so it is built once per
//! cell set — for the U.S. cells, once at all: it is part of the pre-indexed tariff data
//! ([`crate::index`]).

use std::sync::Arc;

use kanzei_core::bin::{Bin, BinError, Reader, Writer};
use kanzei_core::{AreaCode, HsCode, HsVintage};
use kanzei_data::tariff_inputs::TariffInputs;

use crate::assumptions::Assumption;
use crate::cells::{CellSet, Proxy};
use crate::fxhash::{FxHashMap as FastMap, FxHashSet as FastSet};
use crate::assumptions::AssumptionSet;
use crate::scenario::{BaseSpec, ProductItem};
use crate::schedule::Schedule;

/// Metal content of one line and how it was found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetalEstimate {
    /// Steel share of value (0–1).
    pub steel: f64,
    /// Aluminum share of value (0–1).
    pub aluminum: f64,
    /// Copper share of value (0–1).
    pub copper: f64,
    /// `None`: the line's own row in the BEA table; otherwise the rule used.
    pub rule: Option<Assumption>,
    /// For [`Assumption::MetalContentSibling`]: the prefix whose lines were averaged, and how many.
    pub from_prefix: Option<(HsCode, usize)>,
}

/// The BEA metal-content table with prefix means, for lines the table lacks.
///
/// The shares in `metal_content_shares_bea_hs10.csv` are those of the line's BEA detail
/// industry (HS10 → NAICS → BEA), so lines of one heading usually share them; a line missing
/// from the table (a code new in 2025, or one the crosswalk missed) takes the mean of the
/// lines under its longest prefix that has any: HS8, HS6, HS4, then the chapter.
#[derive(Debug)]
pub struct MetalIndex {
    prefix_sums: FastMap<(u8, u64), ([f64; 3], usize)>,
}

impl MetalIndex {
    /// Indexes the table.
    pub fn new(inputs: &TariffInputs) -> MetalIndex {
        let mut prefix_sums: FastMap<(u8, u64), ([f64; 3], usize)> = FastMap::default();
        for (code, m) in &inputs.metal {
            for len in [8usize, 6, 4, 2] {
                if let Some(p) = code.prefix(len) {
                    let e = prefix_sums.entry((len as u8, p.value())).or_insert(([0.0; 3], 0));
                    e.0[0] += m.steel;
                    e.0[1] += m.aluminum;
                    e.0[2] += m.copper;
                    e.1 += 1;
                }
            }
        }
        MetalIndex { prefix_sums }
    }

    /// The metal content of a line, if the table has it or lines under one of its prefixes.
    pub fn estimate(&self, code: HsCode, inputs: &TariffInputs) -> Option<MetalEstimate> {
        let key = code.with_vintage(HsVintage::Unspecified);
        if let Some(m) = inputs.metal.get(&key) {
            return Some(MetalEstimate { steel: m.steel, aluminum: m.aluminum, copper: m.copper, rule: None, from_prefix: None });
        }
        for len in [8usize, 6, 4, 2] {
            if len >= code.len() {
                continue;
            }
            let Some(p) = code.prefix(len) else { continue };
            if let Some((sums, n)) = self.prefix_sums.get(&(len as u8, p.value())) {
                let n_f = *n as f64;
                return Some(MetalEstimate {
                    steel: sums[0] / n_f,
                    aluminum: sums[1] / n_f,
                    copper: sums[2] / n_f,
                    rule: Some(Assumption::MetalContentSibling),
                    from_prefix: Some((p, *n)),
                });
            }
        }
        None
    }
}

/// Whether an MFN rate valued as specific (AVE or ad valorem part only) has text that is
/// neither ¢ nor $ (only lines with a per-unit part reach the AVE).
pub(crate) fn mfn_text_unread(source: crate::schedule::MfnSource, text: &str) -> bool {
    let valued_as_specific = matches!(source, crate::schedule::MfnSource::Ave2024 | crate::schedule::MfnSource::AdValoremPartOnly);
    valued_as_specific && crate::rate::parse_duty(text).kind == crate::rate::DutyKind::Other
}

/// What a compile needs of each distinct product code, whatever the scenario and exporter:
/// its MFN rate, how it was found, and its metal content.
pub(crate) struct CodeFacts {
    pub(crate) mfn_pct: f64,
    pub(crate) mfn_source: crate::schedule::MfnSource,
    pub(crate) mfn_text_unread: bool,
    pub(crate) metal: Option<MetalEstimate>,
}

/// The distinct product codes of a cell set with what every compile on it needs of them
/// (the code index and each code's MFN rate and metal content). It depends on the cells,
/// the schedule and the inputs only, so callers that compile several scenarios on one cell
/// set (a scenario and its baseline, `kanzei serve`, sweeps) build it once and pass it to
/// [`Compiled::with_codes`]; it remembers the size of the cell set it was built for.
pub struct CodeTable {
    pub(crate) index: CodeIndex,
    pub(crate) facts: Vec<CodeFacts>,
    /// Per cell: the index of its code.
    pub(crate) cell_code: Vec<u32>,
    /// The cells' exporters, sorted, and per cell the index of its exporter among them.
    pub(crate) exporters: Vec<AreaCode>,
    pub(crate) cell_exporter: Vec<u32>,
    pub(crate) cells: usize,
    pub(crate) proxy_lines: usize,
    /// The base rates of the cells under each base spec met so far ([`CodeTable::base_for`]).
    pub(crate) bases: std::sync::Mutex<Vec<(BaseSpec, BaseSlot)>>,
}

/// Where a base spec's table is kept once built (compiles that ask meanwhile wait on it).
pub(crate) type BaseSlot = Arc<std::sync::OnceLock<Arc<BaseTable>>>;

/// The base rate of every cell of a cell set under one [`BaseSpec`] (MFN × (1 − preference
/// share), MODELS.md §1), with the rules behind each and the value by MFN source. It depends
/// on the base spec, not on the measures, so a scenario and its baseline (and every scenario
/// `kanzei serve` compiles) share one.
pub(crate) struct BaseTable {
    pub(crate) pct: Arc<Vec<f64>>,
    pub(crate) assumptions: Arc<Vec<AssumptionSet>>,
    /// Value of cells by the source of their MFN rate (`MfnSource` as index), for sources met.
    pub(crate) mfn_value: [Option<f64>; 4],
    /// Per (proxy, chapter): the MFN rate of an HS2 proxy cell, its mix's lines averaged by value.
    pub(crate) proxy_mfn: Arc<FastMap<(Proxy, u8), f64>>,
}

impl CodeTable {
    /// Indexes the codes of `cells` and looks each one up once (MFN rate, metal content).
    pub fn new(cells: &CellSet, schedule: &Schedule, inputs: &TariffInputs) -> CodeTable {
        let index = CodeIndex::new(cells);
        let metal = MetalIndex::new(inputs);
        let facts = index
            .codes
            .iter()
            .map(|&code| {
                let mfn = schedule.mfn(code);
                CodeFacts {
                    mfn_pct: mfn.pct,
                    mfn_source: mfn.source,
                    mfn_text_unread: mfn_text_unread(mfn.source, &mfn.text),
                    metal: metal.estimate(code, inputs),
                }
            })
            .collect();
        let cell_code = cells.cells.iter().map(|c| index.code_idx[&c.code] as u32).collect();
        let distinct: FastSet<AreaCode> = cells.cells.iter().map(|c| c.exporter).collect();
        let mut exporters: Vec<AreaCode> = distinct.into_iter().collect();
        exporters.sort();
        let exporter_idx: FastMap<AreaCode, u32> = exporters.iter().enumerate().map(|(i, e)| (*e, i as u32)).collect();
        let cell_exporter = cells.cells.iter().map(|c| exporter_idx[&c.exporter]).collect();
        CodeTable {
            index,
            facts,
            cell_code,
            exporters,
            cell_exporter,
            cells: cells.cells.len(),
            proxy_lines: proxy_lines(cells),
            bases: Default::default(),
        }
    }

    /// Whether the table was built for a cell set of this shape (same number of cells and
    /// proxy-mix lines, same first, middle and last cell): a cheap guard against passing the
    /// table of another cell set.
    pub(crate) fn fits(&self, cells: &CellSet) -> bool {
        let n = cells.cells.len();
        let same = |c: usize| {
            let cell = &cells.cells[c];
            self.index.codes[self.cell_code[c] as usize] == cell.code && self.exporters[self.cell_exporter[c] as usize] == cell.exporter
        };
        self.cells == n && self.proxy_lines == proxy_lines(cells) && (n == 0 || (same(0) && same(n / 2) && same(n - 1)))
    }
}

pub(crate) fn proxy_lines(cells: &CellSet) -> usize {
    cells.proxies.values().map(Vec::len).sum()
}

/// The distinct product codes of a cell set (cells and proxy-mix lines) with, for each prefix
/// of each code, the codes under it: what `Coverage::build` (engine) matches product items against
/// without a pass over every code per item.
pub(crate) struct CodeIndex {
    pub(crate) codes: Vec<HsCode>,
    pub(crate) code_idx: FastMap<HsCode, usize>,
    /// (length, digits) of a code itself → its indices (one per vintage; vintage is ignored
    /// in matching, as in `item_covers`).
    pub(crate) exact: FastMap<(u8, u64), Vec<u32>>,
    /// (length, digits) of any prefix of a code (the code included) → the codes under it.
    pub(crate) under: FastMap<(u8, u64), Vec<u32>>,
}

/// The (length, digits) key of a code, vintage aside.
pub(crate) fn digits_key(code: HsCode) -> (u8, u64) {
    (code.len() as u8, code.value())
}

impl CodeIndex {
    pub(crate) fn new(cells: &CellSet) -> CodeIndex {
        // Deduplicated through a set first: a code has a cell per exporter.
        let distinct: FastSet<HsCode> = cells.cells.iter().map(|c| c.code).chain(cells.proxies.values().flatten().map(|(c, _)| *c)).collect();
        let mut codes: Vec<HsCode> = distinct.into_iter().collect();
        codes.sort_unstable();
        let code_idx: FastMap<HsCode, usize> = codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let mut exact: FastMap<(u8, u64), Vec<u32>> = FastMap::default();
        let mut under: FastMap<(u8, u64), Vec<u32>> = FastMap::default();
        for (i, code) in codes.iter().enumerate() {
            exact.entry(digits_key(*code)).or_default().push(i as u32);
            for len in [2, 4, 6, 8, 10] {
                if let Some(p) = code.prefix(len) {
                    under.entry(digits_key(p)).or_default().push(i as u32);
                }
            }
        }
        CodeIndex { codes, code_idx, exact, under }
    }

    /// The codes a prefix matches: those under it and, when fully is false, its ancestors
    /// among the codes (a chapter cell is reached by a heading inside it).
    pub(crate) fn prefix_matches(&self, p: HsCode, fully: bool, out: &mut Vec<u32>) {
        out.extend(self.under.get(&digits_key(p)).into_iter().flatten());
        if !fully {
            for len in [2, 4, 6, 8] {
                if len < p.len() {
                    out.extend(p.prefix(len).and_then(|a| self.exact.get(&digits_key(a))).into_iter().flatten());
                }
            }
        }
    }

    /// The codes an item matches (`fully`: contains in full, for exclusions), sorted.
    /// A prefix covers the codes under it and, unless `fully`, its ancestors among the codes;
    /// a list covers what its codes cover. Vintage tags are ignored.
    pub(crate) fn item_matches(&self, item: &ProductItem, fully: bool, inputs: &TariffInputs) -> Vec<u32> {
        let mut out = Vec::new();
        match item {
            ProductItem::Prefix(p) => self.prefix_matches(*p, fully, &mut out),
            ProductItem::List(name) => {
                for code in inputs.lists.get(name.as_str()).map(|l| l.codes.as_slice()).unwrap_or_default() {
                    self.prefix_matches(*code, fully, &mut out);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}


// The binary form of the pre-indexed tariff data (`kanzei_core::bin`).
kanzei_core::bin_struct!(MetalEstimate { steel, aluminum, copper, rule, from_prefix });
kanzei_core::bin_struct!(CodeFacts { mfn_pct, mfn_source, mfn_text_unread, metal });
kanzei_core::bin_struct!(CodeIndex { codes, code_idx, exact, under });

impl Bin for CodeTable {
    /// Every field but the cache of base tables, which starts empty.
    fn put(&self, w: &mut Writer) {
        self.index.put(w);
        self.facts.put(w);
        self.cell_code.put(w);
        self.exporters.put(w);
        self.cell_exporter.put(w);
        self.cells.put(w);
        self.proxy_lines.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Result<Self, BinError> {
        Ok(CodeTable {
            index: Bin::get(r)?,
            facts: Bin::get(r)?,
            cell_code: Bin::get(r)?,
            exporters: Bin::get(r)?,
            cell_exporter: Bin::get(r)?,
            cells: Bin::get(r)?,
            proxy_lines: Bin::get(r)?,
            bases: Default::default(),
        })
    }
}
