//! Evaluating a scenario: the applied rate of every cell on a date, and what follows from it.
//!
//! [`Compiled::new`] matches each measure against each cell once (exporters, products,
//! exclusions, exemptions, the value share it applies to), so that [`Compiled::evaluate`]
//! on a date is a pass over the cells adding up the measures in force. Rates stack in the
//! scenario's order, per cell (MODELS.md §1):
//!
//! * base: MFN (ad valorem or AVE) × (1 − preference share);
//! * `add`: + rate × share;
//! * `floor`: + max(0, rate − base) × share ("15% inclusive of MFN");
//! * `max`: the authority's contribution becomes max(itself, rate × share) (overlapping lists
//!   of one authority do not add up);
//! * `replace`: + (rate − total so far) × share;
//!
//! where *share* is the part of the cell's value the measure covers (metal content,
//! non-USMCA share, the proxy mix of an HS2 cell), reduced by the share already covered by
//! any authority the measure does `not_with` (measures with `not_with` are applied after
//! the others). The effective tariff rate of a set of cells is Σ rate × value / Σ value
//! (pre-substitution), and static revenue is Σ rate × value.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::fxhash::{FxHashMap as FastMap, FxHashSet as FastSet};

use kanzei_core::{AreaCode, HsCode, HsVintage};
use kanzei_data::tariff_inputs::TariffInputs;

use crate::cells::{Cell, CellSet, Granularity};
use crate::date::Date;
use crate::scenario::{AppliesTo, Authority, ExporterSet, Measure, ProductItem, ProductSet, RateSpec, Scenario, Stacking, AUTHORITIES};

/// Whether a list or prefix fully contains a code (for exclusions: an HS6 cell is not
/// excluded because one HS10 line under it is).
fn contains_fully(matcher: &Matcher<'_>, item: &ProductItem, code: HsCode) -> bool {
    match item {
        ProductItem::Prefix(p) => p.len() <= code.len() && matcher.item_covers(item, code),
        ProductItem::List(name) => matcher.lists.get(name.as_str()).is_some_and(|l| {
            [2, 4, 6, 8, 10].iter().any(|&len| len <= code.len() && code.prefix(len).is_some_and(|p| l.exact.contains(&(len as u8, p.value()))))
        }),
    }
}
use crate::schedule::{MfnRate, Schedule};

/// U.S. content assumed in USMCA-qualifying vehicles (Budget Lab `us_auto_content_share`).
pub const US_AUTO_CONTENT_SHARE: f64 = 0.4;

/// Metal share assumed for a derivative product with no BEA content estimate (Budget Lab
/// `metal_content.flat_share`).
pub const FLAT_METAL_SHARE: f64 = 0.5;

/// Slot of the base rate in per-authority arrays; authorities follow in [`AUTHORITIES`] order.
pub const BASE_SLOT: usize = 0;
/// Number of slots: base + one per authority.
pub const N_SLOTS: usize = 1 + AUTHORITIES.len();

fn slot(authority: Authority) -> usize {
    1 + AUTHORITIES.iter().position(|(_, a)| *a == authority).unwrap_or(AUTHORITIES.len() - 1)
}

/// The name of a slot ("base", "s232", …).
pub fn slot_name(idx: usize) -> &'static str {
    if idx == BASE_SLOT {
        "base"
    } else {
        AUTHORITIES[idx - 1].0
    }
}

/// Fast membership tests for a product list.
struct ListIndex {
    exact: FastSet<(u8, u64)>,
    /// Every prefix of every code, for cells coarser than the list (HS6 cells vs HS8 lists).
    ancestors: FastSet<(u8, u64)>,
}

impl ListIndex {
    fn new(codes: &[HsCode]) -> ListIndex {
        let mut exact = FastSet::default();
        let mut ancestors = FastSet::default();
        for code in codes {
            exact.insert((code.len() as u8, code.value()));
            for len in [2, 4, 6, 8] {
                if len < code.len() {
                    if let Some(p) = code.prefix(len) {
                        ancestors.insert((len as u8, p.value()));
                    }
                }
            }
        }
        ListIndex { exact, ancestors }
    }

    /// Whether a code is covered: one of its prefixes is listed, or (for codes shorter than
    /// the listed ones) something under it is listed.
    fn covers(&self, code: HsCode) -> bool {
        for len in [2, 4, 6, 8, 10] {
            if len > code.len() {
                break;
            }
            if let Some(p) = code.prefix(len) {
                if self.exact.contains(&(len as u8, p.value())) {
                    return true;
                }
            }
        }
        code.len() < 10 && self.ancestors.contains(&(code.len() as u8, code.value()))
    }
}

/// One measure as the engine uses it.
#[derive(Clone, Debug)]
struct MeasureRt {
    authority: Authority,
    stacking: Stacking,
    effective: Date,
    expires: Option<Date>,
    not_with: Vec<usize>,
    excluded_by: Vec<usize>,
    late: bool,
}

/// A measure matched to a cell.
#[derive(Clone, Copy, Debug)]
struct Entry {
    measure: u32,
    rate_pct: f64,
    share: f64,
    exempt_from: Option<Date>,
}

/// A scenario matched against a cell set.
pub struct Compiled {
    /// The scenario.
    pub scenario: Scenario,
    measures: Vec<MeasureRt>,
    base_pct: Vec<f64>,
    /// Whether a cell is an HS2 chapter with a proxy mix (coverage there is a value share of
    /// lines, so "goods under an authority" can only be approximated by that share).
    proxy_cell: Vec<bool>,
    start: Vec<u32>,
    entries: Vec<Entry>,
    /// Dates on which something changes, sorted.
    pub breakpoints: Vec<Date>,
    /// Value of cells whose MFN rate came from each source.
    pub mfn_sources: BTreeMap<String, f64>,
}

/// Rates of every cell on a date.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The date.
    pub date: Date,
    /// Total applied rate per cell, percent.
    pub total_pct: Vec<f64>,
    /// Per cell: base and each authority's contribution, percent.
    pub by_slot: Vec<[f64; N_SLOTS]>,
}

struct Matcher<'a> {
    lists: HashMap<&'a str, ListIndex>,
}

impl<'a> Matcher<'a> {
    fn new(scenario: &Scenario, inputs: &'a TariffInputs) -> Matcher<'a> {
        let mut names: BTreeSet<&str> = BTreeSet::new();
        for m in &scenario.measures {
            if let ProductSet::Items(items) = &m.products {
                for item in items {
                    if let ProductItem::List(name) = item {
                        names.insert(name);
                    }
                }
            }
            for ex in &m.exclude {
                if let ProductItem::List(name) = &ex.item {
                    names.insert(name);
                }
            }
            for item in &m.within {
                if let ProductItem::List(name) = item {
                    names.insert(name);
                }
            }
        }
        let mut lists = HashMap::new();
        for (name, list) in &inputs.lists {
            if names.contains(name.as_str()) {
                lists.insert(name.as_str(), ListIndex::new(&list.codes));
            }
        }
        Matcher { lists }
    }

    fn item_covers(&self, item: &ProductItem, code: HsCode) -> bool {
        match item {
            ProductItem::Prefix(p) => {
                if p.len() <= code.len() {
                    p.with_vintage(HsVintage::Unspecified).is_prefix_of(code.with_vintage(HsVintage::Unspecified))
                } else {
                    code.with_vintage(HsVintage::Unspecified).is_prefix_of(p.with_vintage(HsVintage::Unspecified))
                }
            }
            ProductItem::List(name) => self.lists.get(name.as_str()).is_some_and(|l| l.covers(code)),
        }
    }

}

/// The share of a line's value a measure applies to.
pub fn applies_share(applies_to: AppliesTo, exporter: AreaCode, code: HsCode, inputs: &TariffInputs, base: &crate::scenario::BaseSpec) -> f64 {
    let usmca_year = base.usmca_share_year;
    if applies_to == AppliesTo::All {
        return 1.0;
    }
    let key = code.with_vintage(HsVintage::Unspecified);
    let chapter = code.chapter_number();
    let metal = inputs.metal.get(&key);
    let steel = || match chapter {
        72 | 73 => 1.0,
        _ => metal.map_or(FLAT_METAL_SHARE, |m| m.steel),
    };
    let aluminum = || match chapter {
        76 => 1.0,
        _ => metal.map_or(FLAT_METAL_SHARE, |m| m.aluminum),
    };
    let usmca = || {
        if base.usmca_carve_out && matches!(exporter.as_str(), "CAN" | "MEX") {
            let shares = if usmca_year == 2025 { &inputs.usmca_share_2025 } else { &inputs.usmca_share };
            shares.get(&(exporter, key)).copied().unwrap_or(0.0)
        } else {
            0.0
        }
    };
    match applies_to {
        AppliesTo::All => 1.0,
        AppliesTo::SteelContent => steel(),
        AppliesTo::AluminumContent => aluminum(),
        AppliesTo::CopperContent => match chapter {
            74 => 1.0,
            _ => metal.map_or(FLAT_METAL_SHARE, |m| m.copper),
        },
        AppliesTo::MetalContent => (steel() + aluminum()).min(1.0),
        AppliesTo::NonMetalContent => (1.0 - (steel() + aluminum()).min(1.0)).max(0.0),
        AppliesTo::NonUsmca => 1.0 - usmca(),
        AppliesTo::UsmcaNonUsContent => {
            let u = usmca();
            (1.0 - u) + u * (1.0 - US_AUTO_CONTENT_SHARE)
        }
    }
}

/// The rate a measure sets for an exporter, if any.
pub fn measure_rate(m: &Measure, exporter: AreaCode, inputs: &TariffInputs) -> Option<f64> {
    match &m.rate {
        RateSpec::Flat(r) => Some(*r),
        RateSpec::ByExporter { table, overrides, default } => overrides
            .get(&exporter)
            .copied()
            .or_else(|| table.as_ref().and_then(|t| inputs.tables.get(t)).and_then(|t| t.rates.get(&exporter).copied()))
            .or(*default),
    }
}

fn exporter_matches(m: &Measure, exporter: AreaCode) -> bool {
    match &m.exporters {
        ExporterSet::All => true,
        set => set.contains(exporter),
    }
}

/// The base rate of a cell: MFN × (1 − preference share), percent; and the MFN used.
pub fn base_rate(scenario: &Scenario, cell: &Cell, schedule: &Schedule, cells: &CellSet, inputs: &TariffInputs) -> (f64, MfnRate) {
    if !scenario.base.mfn {
        return (0.0, MfnRate { pct: 0.0, source: crate::schedule::MfnSource::Hts, line: None, text: "not modelled".into() });
    }
    let mfn = match (cell.granularity, cell.proxy) {
        (Granularity::Hs2Proxy, Some(proxy)) => {
            let lines = &cells.proxies[&(proxy, cell.code.chapter_number())];
            let pct: f64 = lines.iter().map(|(code, w)| w * schedule.mfn(*code).pct).sum();
            MfnRate { pct, source: crate::schedule::MfnSource::Hts, line: None, text: "chapter average over the proxy mix".into() }
        }
        _ => schedule.mfn(cell.code),
    };
    let mut pct = mfn.pct;
    if !scenario.base.specific_duty_ave && mfn.source == crate::schedule::MfnSource::Ave2024 {
        pct = 0.0;
    }
    if scenario.base.preferences {
        let (share, _) = Schedule::preference_share(inputs, cell.exporter, cell.code, scenario.base.usmca_share_year);
        pct *= 1.0 - share;
    }
    (pct, mfn)
}

impl Compiled {
    /// Matches a scenario to cells.
    pub fn new(scenario: &Scenario, cells: &CellSet, schedule: &Schedule, inputs: &TariffInputs) -> Compiled {
        let matcher = Matcher::new(scenario, inputs);
        let measures: Vec<MeasureRt> = scenario
            .measures
            .iter()
            .map(|m| MeasureRt {
                authority: m.authority,
                stacking: m.stacking,
                effective: m.effective,
                expires: m.expires,
                not_with: m.not_with.iter().map(|a| slot(*a)).collect(),
                excluded_by: m.excluded_by.iter().map(|a| slot(*a)).collect(),
                late: !m.not_with.is_empty() || !m.excluded_by.is_empty(),
            })
            .collect();
        // Product coverage per measure per distinct code, and per proxy chapter.
        let mut codes: Vec<HsCode> = cells.cells.iter().map(|c| c.code).collect();
        for lines in cells.proxies.values() {
            codes.extend(lines.iter().map(|(c, _)| *c));
        }
        codes.sort();
        codes.dedup();
        let code_idx: FastMap<HsCode, usize> = codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        // For each distinct code, the measures (in scenario order) whose products cover it.
        // Product items recur across measures (the Annex II exclusions, the auto prefixes), so
        // each item's mask over the codes is computed once.
        let mut masks: HashMap<(bool, String), Vec<bool>> = HashMap::new();
        let item_key = |item: &ProductItem| match item {
            ProductItem::Prefix(p) => format!("prefix:{p}"),
            ProductItem::List(l) => format!("list:{l}"),
        };
        let mut mask_of = |item: &ProductItem, fully: bool| -> Vec<bool> {
            masks
                .entry((fully, item_key(item)))
                .or_insert_with(|| {
                    codes
                        .iter()
                        .map(|c| if fully { contains_fully(&matcher, item, *c) } else { matcher.item_covers(item, *c) })
                        .collect()
                })
                .clone()
        };
        // Dated exclusions: per measure, the first date each code is excluded (if ever).
        let mut dated_exclusion: Vec<Option<Vec<Option<Date>>>> = Vec::with_capacity(scenario.measures.len());
        for m in &scenario.measures {
            let dated: Vec<&crate::scenario::Exclusion> = m.exclude.iter().filter(|ex| ex.from.is_some()).collect();
            if dated.is_empty() {
                dated_exclusion.push(None);
                continue;
            }
            let mut first: Vec<Option<Date>> = vec![None; codes.len()];
            for ex in dated {
                for (slot, hit) in first.iter_mut().zip(mask_of(&ex.item, true)) {
                    if hit {
                        *slot = Some(slot.map_or(ex.from.expect("dated"), |d: Date| d.min(ex.from.expect("dated"))));
                    }
                }
            }
            dated_exclusion.push(Some(first));
        }
        let mut covering: Vec<Vec<u32>> = vec![Vec::new(); codes.len()];
        for (mi, m) in scenario.measures.iter().enumerate() {
            let mut covered = match &m.products {
                ProductSet::All => vec![true; codes.len()],
                ProductSet::Items(items) => {
                    let mut acc = vec![false; codes.len()];
                    for item in items {
                        for (a, b) in acc.iter_mut().zip(mask_of(item, false)) {
                            *a |= b;
                        }
                    }
                    acc
                }
            };
            if !m.within.is_empty() {
                let mut within = vec![false; codes.len()];
                for item in &m.within {
                    for (a, b) in within.iter_mut().zip(mask_of(item, false)) {
                        *a |= b;
                    }
                }
                for (a, b) in covered.iter_mut().zip(within) {
                    *a &= b;
                }
            }
            for ex in m.exclude.iter().filter(|ex| ex.from.is_none()) {
                for (a, b) in covered.iter_mut().zip(mask_of(&ex.item, true)) {
                    *a &= !b;
                }
            }
            for (ci, is_covered) in covered.into_iter().enumerate() {
                if is_covered {
                    covering[ci].push(mi as u32);
                }
            }
        }

        // HS2 proxy cells: the MFN average and each measure's coverage depend only on the
        // proxy and the chapter (the partner-specific USMCA shares concern Canada and Mexico,
        // which have HS10 cells), so compute them once per (proxy, chapter).
        let mut proxy_mfn: HashMap<(crate::cells::Proxy, u8), f64> = HashMap::new();
        let mut proxy_share: HashMap<(crate::cells::Proxy, u8), Vec<(u32, f64)>> = HashMap::new();
        let no_exporter = AreaCode::new("XXX").expect("valid");
        for (&(proxy, chapter), lines) in &cells.proxies {
            proxy_mfn.insert((proxy, chapter), lines.iter().map(|(code, w)| w * schedule.mfn(*code).pct).sum());
            let mut shares: BTreeMap<u32, f64> = BTreeMap::new();
            for (code, w) in lines {
                for &mi in &covering[code_idx[code]] {
                    let m = &scenario.measures[mi as usize];
                    *shares.entry(mi).or_insert(0.0) += w * applies_share(m.applies_to, no_exporter, *code, inputs, &scenario.base);
                }
            }
            proxy_share.insert((proxy, chapter), shares.into_iter().filter(|(_, s)| *s > 0.0).collect());
        }
        // Rates by exporter, once per measure (None: the measure skips the exporter).
        let mut exporters: Vec<AreaCode> = cells.cells.iter().map(|c| c.exporter).collect();
        exporters.sort();
        exporters.dedup();
        let exporter_idx: FastMap<AreaCode, usize> = exporters.iter().enumerate().map(|(i, e)| (*e, i)).collect();
        let rate_for: Vec<Vec<Option<f64>>> = scenario
            .measures
            .iter()
            .map(|m| {
                exporters
                    .iter()
                    .map(|e| if exporter_matches(m, *e) { measure_rate(m, *e, inputs) } else { None })
                    .collect()
            })
            .collect();
        let mut base_pct = Vec::with_capacity(cells.cells.len());
        let mut start = Vec::with_capacity(cells.cells.len() + 1);
        let mut entries = Vec::new();
        let mut mfn_sources: BTreeMap<String, f64> = BTreeMap::new();
        for cell in &cells.cells {
            start.push(entries.len() as u32);
            let (base, mfn) = match (cell.granularity, cell.proxy) {
                (Granularity::Hs2Proxy, Some(proxy)) if scenario.base.mfn => {
                    let mut pct = proxy_mfn.get(&(proxy, cell.code.chapter_number())).copied().unwrap_or(0.0);
                    if scenario.base.preferences {
                        pct *= 1.0 - Schedule::preference_share(inputs, cell.exporter, cell.code, scenario.base.usmca_share_year).0;
                    }
                    (pct, MfnRate { pct, source: crate::schedule::MfnSource::Hts, line: None, text: String::new() })
                }
                _ => base_rate(scenario, cell, schedule, cells, inputs),
            };
            base_pct.push(base);
            let source = mfn.source.as_str().to_string();
            *mfn_sources.entry(source).or_insert(0.0) += cell.value_usd;
            let ex = exporter_idx[&cell.exporter];
            let ci = code_idx[&cell.code];
            let proxy_list = match (cell.granularity, cell.proxy) {
                (Granularity::Hs2Proxy, Some(proxy)) => proxy_share.get(&(proxy, cell.code.chapter_number())),
                _ => None,
            };
            let candidates: Box<dyn Iterator<Item = (u32, Option<f64>)>> = match proxy_list {
                Some(list) => Box::new(list.iter().map(|&(mi, share)| (mi, Some(share)))),
                None if cell.granularity == Granularity::Hs2Proxy => Box::new(std::iter::empty()),
                None => Box::new(covering[ci].iter().map(|&mi| (mi, None))),
            };
            for (mi32, proxy_value) in candidates {
                let mi = mi32 as usize;
                let m = &scenario.measures[mi];
                let Some(rate_pct) = rate_for[mi][ex] else { continue };
                let covered = match proxy_value {
                    Some(share) => share,
                    None => applies_share(m.applies_to, cell.exporter, cell.code, inputs, &scenario.base),
                };
                let share = m.value_share * covered;
                if share <= 0.0 {
                    continue;
                }
                let excluded = dated_exclusion[mi].as_ref().and_then(|dates| dates[ci]);
                let exempt_from = scenario
                    .exemptions
                    .iter()
                    .filter(|e| {
                        e.exporters.contains(&cell.exporter)
                            && (e.authorities.is_empty() || e.authorities.contains(&m.authority))
                            && (!e.new_measures_only || m.effective >= e.effective)
                    })
                    .map(|e| e.effective)
                    .chain(excluded)
                    .min();
                entries.push(Entry { measure: mi32, rate_pct, share, exempt_from });
            }
        }
        start.push(entries.len() as u32);
        let mut breakpoints: BTreeSet<Date> = BTreeSet::new();
        for m in &scenario.measures {
            breakpoints.insert(m.effective);
            if let Some(e) = m.expires {
                breakpoints.insert(e);
            }
        }
        for e in &scenario.exemptions {
            breakpoints.insert(e.effective);
        }
        for m in &scenario.measures {
            breakpoints.extend(m.exclude.iter().filter_map(|ex| ex.from));
        }
        Compiled {
            scenario: scenario.clone(),
            measures,
            proxy_cell: cells.cells.iter().map(|c| c.granularity == Granularity::Hs2Proxy).collect(),
            base_pct,
            start,
            entries,
            breakpoints: breakpoints.into_iter().collect(),
            mfn_sources,
        }
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.base_pct.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.base_pct.is_empty()
    }

    /// Rates of every cell on a date.
    pub fn evaluate(&self, date: Date) -> Evaluation {
        let active: Vec<bool> =
            self.measures.iter().map(|m| m.effective <= date && m.expires.is_none_or(|e| date < e)).collect();
        let n = self.base_pct.len();
        let mut total_pct = Vec::with_capacity(n);
        let mut by_slot = Vec::with_capacity(n);
        for cell in 0..n {
            let base = self.base_pct[cell];
            let mut slots = [0.0; N_SLOTS];
            slots[BASE_SLOT] = base;
            let mut total = base;
            let mut covered = [0.0f64; N_SLOTS];
            let entries = &self.entries[self.start[cell] as usize..self.start[cell + 1] as usize];
            for pass_late in [false, true] {
                for e in entries {
                    let m = &self.measures[e.measure as usize];
                    if m.late != pass_late || !active[e.measure as usize] || e.exempt_from.is_some_and(|d| d <= date) {
                        continue;
                    }
                    let mut blocked = m.not_with.iter().map(|&s| covered[s]).fold(0.0, f64::max);
                    for &s in &m.excluded_by {
                        if covered[s] > 0.0 {
                            blocked = blocked.max(if self.proxy_cell[cell] { covered[s] } else { 1.0 });
                        }
                    }
                    let share = e.share * (1.0 - blocked);
                    if share <= 0.0 {
                        continue;
                    }
                    // MODELS.md §1: add, floor (inclusive of base), max, replace.
                    let s = slot(m.authority);
                    let contribution = match m.stacking {
                        Stacking::Add => e.rate_pct * share,
                        Stacking::Floor => (e.rate_pct - base).max(0.0) * share,
                        Stacking::Max => (e.rate_pct * share - slots[s]).max(0.0),
                        Stacking::Replace => (e.rate_pct - total) * share,
                    };
                    slots[s] += contribution;
                    total += contribution;
                    covered[s] = match m.stacking {
                        Stacking::Add => (covered[s] + share).min(1.0),
                        _ => covered[s].max(share),
                    };
                }
            }
            total_pct.push(total);
            by_slot.push(slots);
        }
        Evaluation { date, total_pct, by_slot }
    }

    /// The measures matched to one cell, for explanations: (measure index, rate, share, exempt from).
    pub fn cell_entries(&self, cell: usize) -> Vec<(usize, f64, f64, Option<Date>)> {
        self.entries[self.start[cell] as usize..self.start[cell + 1] as usize]
            .iter()
            .map(|e| (e.measure as usize, e.rate_pct, e.share, e.exempt_from))
            .collect()
    }

    /// The base rate of a cell.
    pub fn base_pct(&self, cell: usize) -> f64 {
        self.base_pct[cell]
    }
}
