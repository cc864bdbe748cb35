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
//!
//! Where a share or a base rate needs data the inputs lack (a line missing from the metal
//! content table, a USMCA share, a proxy's product mix…), the rule used is one of the named
//! [`Assumption`]s; each cell records them, and [`Evaluation::assumptions`] holds those behind
//! its rate on the date.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::fxhash::{FxHashMap as FastMap, FxHashSet as FastSet};

use kanzei_core::{AreaCode, HsCode, HsVintage};
use kanzei_data::tariff_inputs::TariffInputs;

use crate::assumptions::{Assumption, AssumptionSet};
use crate::cells::{Cell, CellSet, Granularity, Proxy};
use crate::codes::{mfn_text_unread, BaseTable, CodeFacts, CodeIndex};
pub use crate::codes::{CodeTable, MetalEstimate, MetalIndex};
use crate::date::Date;
use crate::scenario::{AppliesTo, Authority, BaseSpec, ExporterSet, Measure, ProductItem, ProductSet, RateSpec, Scenario, Stacking, AUTHORITIES};

use crate::schedule::{MfnRate, Schedule};

/// U.S. content assumed in USMCA-qualifying vehicles (Budget Lab `us_auto_content_share`).
pub const US_AUTO_CONTENT_SHARE: f64 = 0.4;

/// Total metal share assumed for a derivative product with no BEA content estimate at any
/// prefix (Budget Lab `metal_content.flat_share`, "fallback for unmatched derivatives"); split
/// over the metals whose lists name the line.
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

/// One measure as the engine uses it.
#[derive(Clone, Debug)]
struct MeasureRt {
    authority: Authority,
    /// The slot of its authority ([`slot`]).
    slot: usize,
    stacking: Stacking,
    effective: Date,
    expires: Option<Date>,
    not_with: Vec<usize>,
    excluded_by: Vec<usize>,
    late: bool,
}

/// A measure matched to a cell (24 bytes: a compile holds about a million of them).
#[derive(Clone, Copy, Debug)]
struct Entry {
    measure: u32,
    /// Index of its rate in [`Compiled::rates`] (one per measure and exporter it reaches).
    rate: u32,
    share: f64,
    /// Rules for missing data the share needed.
    assumptions: AssumptionSet,
    /// 0, or 1 + the index of the entry's [`EntryExtra`] (few entries have one).
    extra: u32,
}

/// What some entries have beside the rest: a date from which the measure stops applying to
/// the cell, and shares cut on dates.
#[derive(Clone, Copy, Debug)]
struct EntryExtra {
    exempt_from: Option<Date>,
    /// For an HS2 proxy cell: the range of `share_cuts` holding the share of the mix's lines
    /// the measure stops covering on a date (dated exclusions of lines within the chapter).
    cuts: (u32, u32),
}

/// One HS10 line of a proxy mix, for the share of a proxy cell's value a measure matches.
#[derive(Clone, Debug)]
struct ProxyLine {
    weight: f64,
    mfn_pct: f64,
    code_idx: u32,
    /// The range of [`ProxyMix::measures`] holding the measures (scenario order) that cover
    /// the line, with the share of its value each covers.
    measures: (u32, u32),
}

/// The lines of one (proxy, chapter) mix and, in one list, the measures covering each (a
/// list per line was ~100k small allocations per compile).
#[derive(Clone, Debug, Default)]
struct ProxyMix {
    lines: Vec<ProxyLine>,
    measures: Vec<(u32, f64)>,
}

impl ProxyMix {
    /// The measures covering `line`, with their shares.
    fn measures_of(&self, line: &ProxyLine) -> &[(u32, f64)] {
        &self.measures[line.measures.0 as usize..line.measures.1 as usize]
    }
}

/// A scenario matched against a cell set. The tables that do not depend on measures' rates
/// are shared (`Arc`), so [`Compiled::with_rates`] copies only the small rate table.
#[derive(Clone)]
pub struct Compiled {
    /// The scenario.
    pub scenario: Scenario,
    measures: Vec<MeasureRt>,
    base_pct: Arc<Vec<f64>>,
    /// Whether a cell is an HS2 chapter with a proxy mix (coverage there is a value share of
    /// lines, so "goods under an authority" can only be approximated by that share).
    proxy_cell: Arc<Vec<bool>>,
    start: Arc<Vec<u32>>,
    entries: Arc<Vec<Entry>>,
    /// Every measure's rate for each exporter it reaches, in blocks per measure
    /// (`rate_start`); entries index it, so a variant differing only in rates shares them.
    rates: Vec<f64>,
    rate_start: Arc<Vec<u32>>,
    /// The cells' exporters, sorted (the order of dense rate blocks).
    exporters: Arc<Vec<AreaCode>>,
    /// Dates on which something changes, sorted.
    pub breakpoints: Vec<Date>,
    /// Value of cells whose MFN rate came from each source.
    pub mfn_sources: BTreeMap<String, f64>,
    /// Per cell: the rules for missing data its base rate used.
    base_assumptions: Arc<Vec<AssumptionSet>>,
    /// Per (proxy, chapter): the mix's lines and the measures covering each.
    proxy_lines: Arc<FastMap<(Proxy, u8), ProxyMix>>,
    /// Per (proxy, chapter): the MFN average over the mix.
    proxy_mfn: Arc<FastMap<(Proxy, u8), f64>>,
    /// Per measure: the first date each code is excluded (dated exclusions), by code index.
    dated_exclusion: Arc<Vec<Option<Vec<Option<Date>>>>>,
    /// (date, share) pairs: from the date, an entry's share falls by the share (see `EntryExtra::cuts`).
    share_cuts: Arc<Vec<(Date, f64)>>,
    /// The entries' exemption dates and cuts, for entries that have any (`Entry::extra`).
    extras: Arc<Vec<EntryExtra>>,
}

/// Which cells each measure reaches and which cells have dated exemptions or exclusions
/// ([`Compiled::change_index`]).
pub struct ChangeIndex {
    cells_of_measure: Vec<Vec<u32>>,
    /// (date, cell), sorted.
    dated: Vec<(Date, u32)>,
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
    /// Per cell: the rules for missing data behind its rate on this date (base rate and the
    /// measures that added duty).
    pub assumptions: Vec<AssumptionSet>,
}

/// Which metals' derivative measures cover a line (for splitting the flat share).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListedMetals {
    /// A steel-content measure covers the line.
    pub steel: bool,
    /// An aluminum-content measure covers the line.
    pub aluminum: bool,
    /// A copper-content measure covers the line.
    pub copper: bool,
}

impl ListedMetals {
    fn count(self) -> usize {
        usize::from(self.steel) + usize::from(self.aluminum) + usize::from(self.copper)
    }

    /// The metals named by measures of these kinds.
    pub fn of<'a>(kinds: impl Iterator<Item = &'a AppliesTo>) -> ListedMetals {
        let mut out = ListedMetals::default();
        for k in kinds {
            let [steel, aluminum, copper] = k.metals();
            out.steel |= steel;
            out.aluminum |= aluminum;
            out.copper |= copper;
        }
        out
    }
}

/// What a line's measure share depends on besides the measure: the line's metal content and
/// which metals' lists name it.
#[derive(Clone, Copy, Debug)]
pub struct LineContext {
    /// The line's metal content ([`MetalIndex::estimate`]), if the table has it or lines
    /// under one of its prefixes.
    pub metal: Option<MetalEstimate>,
    /// Metals whose derivative measures cover the line.
    pub listed: ListedMetals,
}

/// The share of a line's value a measure applies to, and the rules for missing data it used.
///
/// Metal content follows the Budget Lab tracker's `bea` method: chapters 72/73 (steel), 76
/// (aluminum) and 74 (copper) pay on full value; a derivative pays on its BEA content share;
/// a line missing from the table takes its prefix siblings' mean
/// ([`Assumption::MetalContentSibling`]); with no estimate at any prefix, the tracker's
/// `flat_share` of 0.5 is the line's *total* metal content, split evenly over the metals whose
/// lists name it ([`Assumption::MetalContentFlat`]), so a line on two lists is not charged
/// twice on half its value each.
pub fn applies_share(
    applies_to: AppliesTo,
    exporter: AreaCode,
    code: HsCode,
    inputs: &TariffInputs,
    base: &crate::scenario::BaseSpec,
    line: LineContext,
) -> (f64, AssumptionSet) {
    let usmca_year = base.usmca_share_year;
    if applies_to == AppliesTo::All {
        return (1.0, AssumptionSet::EMPTY);
    }
    let mut used = AssumptionSet::EMPTY;
    let key = code.with_vintage(HsVintage::Unspecified);
    let chapter = code.chapter_number();
    let estimate = line.metal;
    let flat = FLAT_METAL_SHARE / line.listed.count().max(1) as f64;
    let mut content = |primary: bool, pick: fn(&MetalEstimate) -> f64| -> f64 {
        if primary {
            return 1.0;
        }
        match &estimate {
            Some(e) => {
                if let Some(rule) = e.rule {
                    used.insert(rule);
                }
                pick(e)
            }
            None => {
                used.insert(Assumption::MetalContentFlat);
                flat
            }
        }
    };
    let share = match applies_to {
        AppliesTo::All => 1.0,
        AppliesTo::SteelContent => content(matches!(chapter, 72 | 73), |e| e.steel),
        AppliesTo::AluminumContent => content(chapter == 76, |e| e.aluminum),
        AppliesTo::CopperContent => content(chapter == 74, |e| e.copper),
        AppliesTo::MetalContent | AppliesTo::NonMetalContent => {
            let steel = content(matches!(chapter, 72 | 73), |e| e.steel);
            let aluminum = content(chapter == 76, |e| e.aluminum);
            let metal = (steel + aluminum).min(1.0);
            if applies_to == AppliesTo::MetalContent {
                metal
            } else {
                (1.0 - metal).max(0.0)
            }
        }
        AppliesTo::NonUsmca | AppliesTo::UsmcaNonUsContent => {
            let u = if base.usmca_carve_out && matches!(exporter.as_str(), "CAN" | "MEX") {
                let shares = if usmca_year == 2025 { &inputs.usmca_share_2025 } else { &inputs.usmca_share };
                match shares.get(&(exporter, key)) {
                    Some(s) => *s,
                    None => {
                        used.insert(Assumption::UsmcaShareChapter);
                        inputs.preference_share.get(&(exporter, chapter)).copied().unwrap_or(0.0)
                    }
                }
            } else {
                0.0
            };
            if applies_to == AppliesTo::NonUsmca {
                1.0 - u
            } else {
                (1.0 - u) + u * (1.0 - US_AUTO_CONTENT_SHARE)
            }
        }
    };
    (share, used)
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
    (base_from_mfn(&scenario.base, cell, mfn.pct, mfn.source, inputs), mfn)
}

/// The base rate from a cell's MFN rate (MODELS.md §1): 0 for an AVE the scenario does not
/// count, times (1 − preference share) when preferences are modelled. [`base_rate`] and the
/// compile's cell stage both use it.
fn base_from_mfn(spec: &BaseSpec, cell: &Cell, mfn_pct: f64, source: crate::schedule::MfnSource, inputs: &TariffInputs) -> f64 {
    let mut pct = mfn_pct;
    if !spec.specific_duty_ave && source == crate::schedule::MfnSource::Ave2024 {
        pct = 0.0;
    }
    if spec.preferences {
        let (share, _) = Schedule::preference_share(inputs, cell.exporter, cell.code, spec.usmca_share_year);
        pct *= 1.0 - share;
    }
    pct
}

/// The rules for missing data behind a cell's base rate: how its MFN rate was found, whether
/// its product mix is a proxy's, and whether a preference share had to be stood in for.
/// `has_preference_rows` says whether the partner has any row in the preference table.
pub fn base_assumptions_of(
    scenario: &Scenario,
    cell: &Cell,
    mfn: &MfnRate,
    inputs: &TariffInputs,
    has_preference_rows: impl Fn(AreaCode) -> bool,
) -> AssumptionSet {
    let mut used = AssumptionSet::EMPTY;
    if cell.granularity == Granularity::Hs2Proxy {
        used.insert(Assumption::Hs2ProxyMix);
    }
    if !scenario.base.mfn {
        return used;
    }
    used |= mfn_assumptions(&scenario.base, mfn.source, mfn_text_unread(mfn.source, &mfn.text));
    used |= preference_assumptions(&scenario.base, cell, mfn.pct, inputs, has_preference_rows);
    used
}

/// The rules behind an MFN rate: how it was found (AVE, ad valorem part only, not in the
/// schedule) and whether its text could not be read.
fn mfn_assumptions(spec: &BaseSpec, source: crate::schedule::MfnSource, text_unread: bool) -> AssumptionSet {
    let mut used = AssumptionSet::EMPTY;
    match source {
        crate::schedule::MfnSource::Ave2024 if spec.specific_duty_ave => used.insert(Assumption::MfnAve2024),
        crate::schedule::MfnSource::AdValoremPartOnly => used.insert(Assumption::MfnAdValoremPartOnly),
        crate::schedule::MfnSource::NotInSchedule => used.insert(Assumption::MfnNotInSchedule),
        _ => {}
    }
    if text_unread {
        used.insert(Assumption::MfnRateTextUnread);
    }
    used
}

/// The rule behind a cell's preference share, if one was stood in for: the chapter share for
/// a Canadian or Mexican line with no USMCA-claim share, or zero for a chapter of a partner
/// with preference rows but none for it.
fn preference_assumptions(
    spec: &BaseSpec,
    cell: &Cell,
    mfn_pct: f64,
    inputs: &TariffInputs,
    has_preference_rows: impl Fn(AreaCode) -> bool,
) -> AssumptionSet {
    let mut used = AssumptionSet::EMPTY;
    if spec.preferences && mfn_pct > 0.0 {
        let chapter = cell.code.chapter_number();
        let usmca_partner = matches!(cell.exporter.as_str(), "CAN" | "MEX");
        if usmca_partner && cell.code.len() == 10 {
            let shares = if spec.usmca_share_year == 2025 { &inputs.usmca_share_2025 } else { &inputs.usmca_share };
            if !shares.contains_key(&(cell.exporter, cell.code.with_vintage(HsVintage::Unspecified))) {
                used.insert(Assumption::UsmcaShareChapter);
            }
        } else if !inputs.preference_share.contains_key(&(cell.exporter, chapter)) && has_preference_rows(cell.exporter) {
            used.insert(Assumption::PreferenceShareZero);
        }
    }
    used
}

impl CodeTable {
    /// The base table of `cells` (the cells this table was built for) under `spec`, built on
    /// first use (the two halves of the cells on two threads) and kept; a compile that asks
    /// while another builds it waits for it.
    fn base_for(&self, spec: &BaseSpec, cells: &CellSet, inputs: &TariffInputs) -> Arc<BaseTable> {
        let slot = {
            let mut bases = self.bases.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match bases.iter().find(|(s, _)| s == spec) {
                Some((_, slot)) => Arc::clone(slot),
                None => {
                    let slot = Arc::new(std::sync::OnceLock::new());
                    bases.push((spec.clone(), Arc::clone(&slot)));
                    slot
                }
            }
        };
        Arc::clone(slot.get_or_init(|| Arc::new(self.base_table(spec, cells, inputs))))
    }

    /// Builds the base table (see [`CodeTable::base_for`]).
    fn base_table(&self, spec: &BaseSpec, cells: &CellSet, inputs: &TariffInputs) -> BaseTable {
        // The MFN rate of an HS2 proxy cell: the average over its mix's lines, by value.
        let proxy_mfn: FastMap<(Proxy, u8), f64> = cells
            .proxies
            .iter()
            .map(|(&key, lines)| (key, lines.iter().fold(0.0, |acc, (code, w)| acc + w * self.facts[self.index.code_idx[code]].mfn_pct)))
            .collect();
        let pref_partners: FastSet<AreaCode> = inputs.preference_share.keys().map(|(p, _)| *p).collect();
        let run = |range: std::ops::Range<usize>| {
            let mut pct = Vec::with_capacity(range.len());
            let mut used_all = Vec::with_capacity(range.len());
            let mut mfn_value: [Option<f64>; 4] = [None; 4];
            for c in range {
                let cell = &cells.cells[c];
                let (p, source, used) = self.base_of(spec, cell, self.cell_code[c] as usize, &proxy_mfn, inputs, &pref_partners);
                pct.push(p);
                used_all.push(used);
                let value = &mut mfn_value[source as usize];
                *value = Some(value.unwrap_or(0.0) + cell.value_usd);
            }
            (pct, used_all, mfn_value)
        };
        let n = cells.cells.len();
        let ((mut pct, mut used, mut mfn_value), second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| run(n / 2..n));
            (run(0..n / 2), second.join().expect("the base table does not panic"))
        });
        pct.extend(second.0);
        used.extend(second.1);
        for (mine, theirs) in mfn_value.iter_mut().zip(second.2) {
            if let Some(v) = theirs {
                *mine = Some(mine.unwrap_or(0.0) + v);
            }
        }
        BaseTable { pct: Arc::new(pct), assumptions: Arc::new(used), mfn_value, proxy_mfn: Arc::new(proxy_mfn) }
    }

    /// A cell's base rate (MFN × (1 − preference share), as [`base_rate`] gives it), the
    /// source of its MFN rate, and the rules behind it (as [`base_assumptions_of`]).
    fn base_of(
        &self,
        spec: &BaseSpec,
        cell: &Cell,
        ci: usize,
        proxy_mfn: &FastMap<(Proxy, u8), f64>,
        inputs: &TariffInputs,
        pref_partners: &FastSet<AreaCode>,
    ) -> (f64, crate::schedule::MfnSource, AssumptionSet) {
        let mut used = AssumptionSet::EMPTY;
        if cell.granularity == Granularity::Hs2Proxy {
            used.insert(Assumption::Hs2ProxyMix);
        }
        if !spec.mfn {
            return (0.0, crate::schedule::MfnSource::Hts, used);
        }
        let (mfn_pct, source) = match (cell.granularity, cell.proxy) {
            (Granularity::Hs2Proxy, Some(proxy)) => (proxy_mfn.get(&(proxy, cell.code.chapter_number())).copied().unwrap_or(0.0), crate::schedule::MfnSource::Hts),
            _ => {
                let facts = &self.facts[ci];
                used |= mfn_assumptions(spec, facts.mfn_source, facts.mfn_text_unread);
                (facts.mfn_pct, facts.mfn_source)
            }
        };
        let pct = base_from_mfn(spec, cell, mfn_pct, source, inputs);
        used |= preference_assumptions(spec, cell, mfn_pct, inputs, |p| pref_partners.contains(&p));
        (pct, source, used)
    }
}

/// Which measures cover each distinct product code of a cell set (stage 1 of
/// [`Compiled::new`]).
struct Coverage<'i> {
    /// The code table's index of each code (borrowed, not copied per compile).
    code_idx: &'i FastMap<HsCode, usize>,
    /// For each distinct code, the measures (in scenario order) whose products cover it.
    covering: Vec<Vec<u32>>,
    /// Per measure: the first date each code is excluded (if ever), for measures with dated
    /// exclusions.
    dated_exclusion: Vec<Option<Vec<Option<Date>>>>,
    /// (code, measure) pairs where the measure names only part of an HS2 code's chapter; the
    /// flag: whether a product prefix (not only a list) reaches into the chapter.
    hs2_partial: FastMap<(u32, u32), bool>,
}

/// A product item as a map key (the same prefix or list recurs across measures).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum ItemKey<'a> {
    Prefix(u8, u64),
    List(&'a str),
}

impl<'a> ItemKey<'a> {
    fn of(item: &'a ProductItem) -> ItemKey<'a> {
        match item {
            ProductItem::Prefix(p) => ItemKey::Prefix(p.len() as u8, p.value()),
            ProductItem::List(l) => ItemKey::List(l.as_str()),
        }
    }
}

impl<'i> Coverage<'i> {
    /// Stage 1: each measure's covered codes, from sparse per-item matches (union of its
    /// products, intersected with `within`, less undated exclusions), so the cost follows
    /// the codes each measure names rather than measures × codes.
    fn build<'s>(scenario: &'s Scenario, index: &'i CodeIndex, inputs: &TariffInputs) -> Coverage<'i> {
        let codes = &index.codes;
        let n = codes.len();
        let mut matches: FastMap<(bool, ItemKey<'s>), Vec<u32>> = FastMap::default();
        let mut matches_of = |item: &'s ProductItem, fully: bool| -> Vec<u32> {
            matches.entry((fully, ItemKey::of(item))).or_insert_with(|| index.item_matches(item, fully, inputs)).clone()
        };
        let mut dated_exclusion: Vec<Option<Vec<Option<Date>>>> = Vec::with_capacity(scenario.measures.len());
        for m in &scenario.measures {
            let dated: Vec<&crate::scenario::Exclusion> = m.exclude.iter().filter(|ex| ex.from.is_some()).collect();
            if dated.is_empty() {
                dated_exclusion.push(None);
                continue;
            }
            let mut first: Vec<Option<Date>> = vec![None; n];
            for ex in dated {
                let from = ex.from.expect("dated");
                for ci in matches_of(&ex.item, true) {
                    let slot = &mut first[ci as usize];
                    *slot = Some(slot.map_or(from, |d: Date| d.min(from)));
                }
            }
            dated_exclusion.push(Some(first));
        }
        let mut covering: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut hs2_partial: FastMap<(u32, u32), bool> = FastMap::default();
        // Per code, the last (stamp) a set marked it: membership tests without clearing.
        let mut mark: Vec<u32> = vec![0; n];
        let mut stamp = 0u32;
        let mut next_stamp = || {
            stamp += 1;
            stamp
        };
        for (mi, m) in scenario.measures.iter().enumerate() {
            let mut covered: Vec<u32> = match &m.products {
                ProductSet::All => (0..n as u32).collect(),
                ProductSet::Items(items) => {
                    let s = next_stamp();
                    let mut acc = Vec::new();
                    for item in items {
                        for ci in matches_of(item, false) {
                            if mark[ci as usize] != s {
                                mark[ci as usize] = s;
                                acc.push(ci);
                            }
                        }
                    }
                    acc
                }
            };
            if !m.within.is_empty() {
                let s = next_stamp();
                for item in &m.within {
                    for ci in matches_of(item, false) {
                        mark[ci as usize] = s;
                    }
                }
                covered.retain(|&ci| mark[ci as usize] == s);
            }
            let undated: Vec<&crate::scenario::Exclusion> = m.exclude.iter().filter(|ex| ex.from.is_none()).collect();
            if !undated.is_empty() {
                let s = next_stamp();
                for ex in undated {
                    for ci in matches_of(&ex.item, true) {
                        mark[ci as usize] = s;
                    }
                }
                covered.retain(|&ci| mark[ci as usize] != s);
            }
            for ci in covered {
                // A chapter cell of U.S. exports is covered in full only by items that contain
                // the whole chapter.
                if codes[ci as usize].len() == 2 {
                    if let Some(by_prefix) = partial_chapter(m, &mut |item, fully| matches_of(item, fully).binary_search(&ci).is_ok()) {
                        hs2_partial.insert((ci, mi as u32), by_prefix);
                    }
                }
                covering[ci as usize].push(mi as u32);
            }
        }
        Coverage { code_idx: &index.code_idx, covering, dated_exclusion, hs2_partial }
    }
}

/// For a measure covering an HS2 code: `None` if its items contain the whole chapter, else
/// whether a product prefix (not only a list) reaches into it. A list's lines are carved out of
/// a remainder as HS6 cells (the list files give the exports each line had), so a list alone
/// does not reach it; a heading named by prefix (8703) has no HS6 cells and does, in part.
/// `covers(item, fully)` says whether the item covers the chapter (in full).
fn partial_chapter<'s>(m: &'s Measure, covers: &mut dyn FnMut(&'s ProductItem, bool) -> bool) -> Option<bool> {
    let mut whole = |items: &'s [ProductItem]| items.iter().any(|item| covers(item, true));
    let products_whole = match &m.products {
        ProductSet::All => true,
        ProductSet::Items(items) => whole(items),
    };
    if products_whole && (m.within.is_empty() || whole(&m.within)) {
        return None;
    }
    Some(match &m.products {
        ProductSet::All => true,
        ProductSet::Items(items) => items.iter().any(|item| matches!(item, ProductItem::Prefix(_)) && covers(item, false)),
    })
}

/// HS2 proxy cells (stage 2): each measure's coverage depends only on the proxy and the
/// chapter (the partner-specific USMCA shares concern Canada and Mexico, which have HS10
/// cells), so it is computed once per (proxy, chapter); the mix's MFN average is the base
/// table's ([`BaseTable`]).
#[derive(Default)]
struct ProxyTables {
    share: FastMap<(Proxy, u8), Vec<(u32, f64, AssumptionSet)>>,
    /// Per (proxy, chapter) and measure: the share of the mix excluded from each date.
    cuts: FastMap<(Proxy, u8, u32), BTreeMap<Date, f64>>,
    lines: FastMap<(Proxy, u8), ProxyMix>,
}

/// A proxy mix of a cell set: its (proxy, chapter) and its lines with their weights.
type Mix<'a> = (&'a (Proxy, u8), &'a Vec<(HsCode, f64)>);

impl ProxyTables {
    /// The tables of every (proxy, chapter).
    /// (Each (proxy, chapter) is independent of the others: half of them on a second thread,
    /// split by line count.)
    fn build(scenario: &Scenario, cells: &CellSet, inputs: &TariffInputs, cov: &Coverage, facts: &[CodeFacts], listed: &[ListedMetals]) -> ProxyTables {
        let mut keys: Vec<Mix<'_>> = cells.proxies.iter().collect();
        keys.sort_unstable_by_key(|(k, _)| **k);
        let total: usize = keys.iter().map(|(_, lines)| lines.len()).sum();
        let (mut acc, mut split) = (0, keys.len());
        for (i, (_, lines)) in keys.iter().enumerate() {
            if acc * 2 >= total {
                split = i;
                break;
            }
            acc += lines.len();
        }
        let run = |part: &[Mix<'_>]| {
            let mut t = ProxyTables::default();
            for (key, lines) in part {
                t.add(**key, lines, scenario, inputs, cov, facts, listed);
            }
            t
        };
        let (first, second) = keys.split_at(split);
        let (mut t, other) = std::thread::scope(|scope| {
            let other = scope.spawn(|| run(second));
            (run(first), other.join().expect("the proxy tables do not panic"))
        });
        t.share.extend(other.share);
        t.cuts.extend(other.cuts);
        t.lines.extend(other.lines);
        t
    }

    /// One (proxy, chapter): each measure's value share of the mix
    /// (summed per measure in a dense array, in scenario order), the dated cuts, and the lines.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        (proxy, chapter): (Proxy, u8),
        lines: &[(HsCode, f64)],
        scenario: &Scenario,
        inputs: &TariffInputs,
        cov: &Coverage,
        facts: &[CodeFacts],
        listed: &[ListedMetals],
    ) {
        let no_exporter = AreaCode::new("XXX").expect("valid");
        let mut acc: Vec<(f64, AssumptionSet)> = vec![(0.0, AssumptionSet::EMPTY); scenario.measures.len()];
        let mut touched: Vec<u32> = Vec::new();
        let mut mix = ProxyMix { lines: Vec::with_capacity(lines.len()), measures: Vec::new() };
        for (code, w) in lines {
            let ci = cov.code_idx[code];
            let line_mfn = facts[ci].mfn_pct;
            let context = LineContext { metal: facts[ci].metal, listed: listed[ci] };
            let first = mix.measures.len() as u32;
            for &mi in &cov.covering[ci] {
                let m = &scenario.measures[mi as usize];
                let (share, used) = applies_share(m.applies_to, no_exporter, *code, inputs, &scenario.base, context);
                if share * m.value_share > 0.0 {
                    mix.measures.push((mi, share * m.value_share));
                    let e = &mut acc[mi as usize];
                    if e.0 == 0.0 && e.1 == AssumptionSet::EMPTY {
                        touched.push(mi);
                    }
                    e.0 += w * share;
                    e.1 |= used;
                    if let Some(from) = cov.dated_exclusion[mi as usize].as_ref().and_then(|d| d[ci]) {
                        *self.cuts.entry((proxy, chapter, mi)).or_default().entry(from).or_insert(0.0) += w * share;
                    }
                }
            }
            let measures = (first, mix.measures.len() as u32);
            mix.lines.push(ProxyLine { weight: *w, mfn_pct: line_mfn, code_idx: ci as u32, measures });
        }
        touched.sort_unstable();
        touched.dedup();
        self.share.insert((proxy, chapter), touched.iter().map(|&mi| (mi, acc[mi as usize].0, acc[mi as usize].1)).filter(|(_, s, _)| *s > 0.0).collect());
        self.lines.insert((proxy, chapter), mix);
    }
}

/// The per-cell part of a compiled scenario (stage 4), built for a chunk of cells; chunks
/// are built on separate threads and joined in order ([`CellPart::concat`]).
#[derive(Default)]
struct CellPart {
    start: Vec<u32>,
    entries: Vec<Entry>,
    extras: Vec<EntryExtra>,
    share_cuts: Vec<(Date, f64)>,
}

impl CellPart {
    /// The parts one after the other, each one's entry, extra and cut offsets shifted, in
    /// lists of the exact total size (each element copied once), with the closing `start`.
    fn concat(parts: &[CellPart]) -> CellPart {
        let total = |f: fn(&CellPart) -> usize| parts.iter().map(f).sum::<usize>();
        let mut out = CellPart {
            start: Vec::with_capacity(total(|p| p.start.len()) + 1),
            entries: Vec::with_capacity(total(|p| p.entries.len())),
            extras: Vec::with_capacity(total(|p| p.extras.len())),
            share_cuts: Vec::with_capacity(total(|p| p.share_cuts.len())),
        };
        for part in parts {
            let (entries0, extras0, cuts0) = (out.entries.len() as u32, out.extras.len() as u32, out.share_cuts.len() as u32);
            out.start.extend(part.start.iter().map(|s| s + entries0));
            out.entries.extend(part.entries.iter().map(|&e| Entry { extra: if e.extra == 0 { 0 } else { e.extra + extras0 }, ..e }));
            out.extras.extend(part.extras.iter().map(|&x| EntryExtra { cuts: (x.cuts.0 + cuts0, x.cuts.1 + cuts0), ..x }));
            out.share_cuts.extend_from_slice(&part.share_cuts);
        }
        out.start.push(out.entries.len() as u32);
        out
    }
}

/// Cells per chunk of the cell stage. A chunk's entry list is sized from the entries per
/// cell of the chunk before, and the chunks are copied once into the final lists: one list of
/// a million entries grown by doubling was copied again and again into fresh pages (realloc
/// and first-touch page faults were a sixth of a one-shot `tariff rates`).
const CELL_CHUNK: usize = 16_384;

/// The MFN sources in the order of their discriminants (`MfnSource as usize`).
const MFN_SOURCES: [crate::schedule::MfnSource; 4] = [
    crate::schedule::MfnSource::Hts,
    crate::schedule::MfnSource::Ave2024,
    crate::schedule::MfnSource::AdValoremPartOnly,
    crate::schedule::MfnSource::NotInSchedule,
];

/// Everything the per-cell stage reads.
struct CellStage<'a> {
    scenario: &'a Scenario,
    cells: &'a CellSet,
    inputs: &'a TariffInputs,
    cov: &'a Coverage<'a>,
    proxies: &'a ProxyTables,
    facts: &'a [CodeFacts],
    listed: &'a [ListedMetals],
    /// Per cell: its code's and its exporter's index ([`CodeTable`]).
    cell_code: &'a [u32],
    cell_exporter: &'a [u32],
    /// Per exporter (by index): the scenario's exemptions naming it.
    exemptions_of: Vec<Vec<usize>>,
    /// Per measure: its rate for each exporter (by index).
    rate_for: Vec<ExporterRates>,
    /// Per measure: where its rates start in [`Compiled::rates`].
    rate_start: Vec<u32>,
    /// Per measure: whether it applies after the others (`not_with` or `excluded_by`).
    late: Vec<bool>,
    /// Per code: the covering measures that name exporters broadly (all, all but some, or
    /// more than a few), in scenario order.
    broad: Vec<Vec<u32>>,
    /// Per (code, exporter): the covering measures that name a few exporters
    /// ([`SPARSE_EXPORTERS`]), this one among them, in scenario order.
    narrow: NarrowCovering,
}

/// A measure naming at most this many exporters keeps their rates in a short list, and its
/// coverage is indexed by code and exporter ([`split_by_exporter`]); more, a row over every
/// exporter.
const SPARSE_EXPORTERS: usize = 4;

/// One measure's rate for each exporter of the cells (by index; None: the measure skips the
/// exporter), stored by the shape of its exporter set so that many narrow measures (a file of
/// thousands naming one partner each) do not hold a row over every exporter.
enum ExporterRates {
    /// The same for every exporter (every exporter, one flat rate).
    Uniform(Option<f64>),
    /// Only these few exporters ([`SPARSE_EXPORTERS`]), sorted by index.
    Sparse(Vec<(u32, f64)>),
    /// A rate or none for each exporter.
    Dense(Vec<Option<f64>>),
}

impl ExporterRates {
    fn of(m: &Measure, exporters: &[AreaCode], inputs: &TariffInputs) -> ExporterRates {
        let rate = |e: AreaCode| if exporter_matches(m, e) { measure_rate(m, e, inputs) } else { None };
        match (&m.exporters, &m.rate) {
            (ExporterSet::All, RateSpec::Flat(r)) => ExporterRates::Uniform(Some(*r)),
            (ExporterSet::Only(list), _) if list.len() <= SPARSE_EXPORTERS => {
                let mut rates: Vec<(u32, f64)> = exporters
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| list.contains(e))
                    .filter_map(|(i, e)| rate(*e).map(|r| (i as u32, r)))
                    .collect();
                rates.sort_by_key(|(i, _)| *i);
                ExporterRates::Sparse(rates)
            }
            _ => ExporterRates::Dense(exporters.iter().map(|e| rate(*e)).collect()),
        }
    }

    /// Where exporter `ex`'s rate is in [`ExporterRates::values`]; None: the measure skips it.
    fn slot(&self, ex: usize) -> Option<u32> {
        match self {
            ExporterRates::Uniform(r) => r.map(|_| 0),
            ExporterRates::Sparse(rates) => rates.binary_search_by_key(&(ex as u32), |(i, _)| *i).ok().map(|k| k as u32),
            ExporterRates::Dense(rates) => rates[ex].map(|_| ex as u32),
        }
    }

    /// The rates in slot order (a skipped exporter's slot of a dense row holds NaN, never read).
    fn values(&self) -> Vec<f64> {
        match self {
            ExporterRates::Uniform(r) => r.iter().copied().collect(),
            ExporterRates::Sparse(rates) => rates.iter().map(|(_, r)| *r).collect(),
            ExporterRates::Dense(rates) => rates.iter().map(|r| r.unwrap_or(f64::NAN)).collect(),
        }
    }

    /// Whether `other` reaches the same exporters through the same slots (only the values
    /// may differ).
    fn same_slots(&self, other: &ExporterRates) -> bool {
        match (self, other) {
            (ExporterRates::Uniform(a), ExporterRates::Uniform(b)) => a.is_some() == b.is_some(),
            (ExporterRates::Sparse(a), ExporterRates::Sparse(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.0 == y.0),
            (ExporterRates::Dense(a), ExporterRates::Dense(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.is_some() == y.is_some()),
            _ => false,
        }
    }
}

/// Each measure's rate for each exporter of the cells (`exporters`, sorted).
fn exporter_rates(scenario: &Scenario, exporters: &[AreaCode], inputs: &TariffInputs) -> Vec<ExporterRates> {
    scenario.measures.iter().map(|m| ExporterRates::of(m, exporters, inputs)).collect()
}

/// The measures' rates in one table, a block per measure: the values and each block's start.
fn rate_table(rate_for: &[ExporterRates]) -> (Vec<f64>, Vec<u32>) {
    let (mut rates, mut start) = (Vec::new(), Vec::with_capacity(rate_for.len()));
    for r in rate_for {
        start.push(rates.len() as u32);
        rates.extend(r.values());
    }
    (rates, start)
}

/// (code, exporter) → the covering measures naming a few exporters, this one among them.
/// Kept as (exporter, code, measure) triples sorted, with where each exporter's run starts,
/// found by binary search on the code within the exporter's run: one allocation, where a map
/// of lists cost a list per (code, exporter) for measures on all goods of a few partners (and a
/// search over all ~600k triples of us-2025 per cell was a third of the cell stage).
struct NarrowCovering {
    triples: Vec<(u32, u32, u32)>,
    /// Per exporter (by index), where its triples start; one more entry for the end.
    starts: Vec<u32>,
}

impl NarrowCovering {
    /// The triples of exporter `ex` and code `ci` (measures in scenario order).
    fn get(&self, ex: u32, ci: u32) -> &[(u32, u32, u32)] {
        let run = &self.triples[self.starts[ex as usize] as usize..self.starts[ex as usize + 1] as usize];
        let lo = run.partition_point(|t| t.1 < ci);
        let hi = lo + run[lo..].partition_point(|t| t.1 == ci);
        &run[lo..hi]
    }
}

/// Splits each code's covering measures into those naming exporters broadly (one list per
/// code) and those naming a few (one list per code and exporter), so a cell only visits the
/// measures that can reach its exporter: a file of thousands of measures on one partner's
/// goods does not make every other partner's cells of those goods scan them.
fn split_by_exporter(covering: &[Vec<u32>], rate_for: &[ExporterRates], exporters: usize) -> (Vec<Vec<u32>>, NarrowCovering) {
    // Counted first: us-2025 has ~600k triples, and a list grown by doubling copied them again and again.
    let n_narrow = covering.iter().flatten().map(|&mi| if let ExporterRates::Sparse(rates) = &rate_for[mi as usize] { rates.len() } else { 0 }).sum();
    let mut narrow: Vec<(u32, u32, u32)> = Vec::with_capacity(n_narrow);
    let broad = covering
        .iter()
        .enumerate()
        .map(|(ci, measures)| {
            let mut broad = Vec::with_capacity(measures.len());
            for &mi in measures {
                match &rate_for[mi as usize] {
                    ExporterRates::Sparse(rates) => {
                        for &(ex, _) in rates {
                            narrow.push((ex, ci as u32, mi));
                        }
                    }
                    _ => broad.push(mi),
                }
            }
            broad
        })
        .collect();
    // Pushed in (code, measure) order: a stable counting sort by exporter makes them sorted
    // by (exporter, code, measure) in linear time (a comparison sort of ~600k triples for
    // us-2025 took ~30 ms).
    let mut start = vec![0usize; exporters + 1];
    for t in &narrow {
        start[t.0 as usize + 1] += 1;
    }
    for e in 0..exporters {
        start[e + 1] += start[e];
    }
    let starts: Vec<u32> = start.iter().map(|&s| s as u32).collect();
    let mut sorted = vec![(0, 0, 0); narrow.len()];
    for t in narrow {
        let slot = &mut start[t.0 as usize];
        sorted[*slot] = t;
        *slot += 1;
    }
    (broad, NarrowCovering { triples: sorted, starts })
}

impl CellStage<'_> {
    /// The cells `range`, in order, in chunks of [`CELL_CHUNK`] cells.
    fn run(&self, range: std::ops::Range<usize>) -> Vec<CellPart> {
        let (mut candidates, mut covering) = (Vec::new(), Vec::new());
        let mut parts = Vec::with_capacity(range.len().div_ceil(CELL_CHUNK));
        // Entries per cell: a first guess (us-2025 has about five), then the last chunk's.
        let mut per_cell = 8.0;
        for lo in range.clone().step_by(CELL_CHUNK) {
            let hi = (lo + CELL_CHUNK).min(range.end);
            let expected = ((hi - lo) as f64 * per_cell * 1.25) as usize + 16;
            let mut part = CellPart { start: Vec::with_capacity(hi - lo), entries: Vec::with_capacity(expected), ..CellPart::default() };
            for c in lo..hi {
                self.cell(c, &mut part, &mut candidates, &mut covering);
            }
            per_cell = part.entries.len() as f64 / (hi - lo) as f64;
            parts.push(part);
        }
        parts
    }

    /// The measures covering code `ci` that can reach exporter `ex`, in scenario order: the
    /// broad list, merged with the exporter's narrow list when it has one (into `buf`).
    fn covering<'s>(&'s self, ci: usize, ex: usize, buf: &'s mut Vec<u32>) -> &'s [u32] {
        let broad = &self.broad[ci];
        let narrow = self.narrow.get(ex as u32, ci as u32);
        if narrow.is_empty() {
            return broad;
        }
        buf.clear();
        let (mut i, mut j) = (0, 0);
        while i < broad.len() || j < narrow.len() {
            if j == narrow.len() || (i < broad.len() && broad[i] < narrow[j].2) {
                buf.push(broad[i]);
                i += 1;
            } else {
                buf.push(narrow[j].2);
                j += 1;
            }
        }
        buf
    }

    /// The candidate measures of a cell, each with its share when the cell's kind fixes it
    /// (into `out`, cleared first).
    fn candidates(&self, cell: &Cell, ci: usize, covering: &[u32], out: &mut Vec<(u32, Option<(f64, AssumptionSet)>)>) {
        out.clear();
        match (cell.granularity, cell.proxy) {
            (Granularity::Hs2Proxy, Some(proxy)) => {
                if let Some(list) = self.proxies.share.get(&(proxy, cell.code.chapter_number())) {
                    out.extend(list.iter().map(|&(mi, share, used)| (mi, Some((share, used)))));
                }
            }
            (Granularity::Hs2Proxy, None) => {}
            // The remainder of a chapter is, by construction, what the HS6 cells beside it do
            // not hold: a measure naming only part of the chapter does not reach it. A heading
            // named by prefix reaches it in part, with an unknown share: taken as all of it (an
            // upper bound), and the cell records the rule.
            (Granularity::Hs2Remainder, _) => out.extend(covering.iter().filter_map(|&mi| match self.cov.hs2_partial.get(&(ci as u32, mi)) {
                None => Some((mi, None)),
                Some(true) => Some((mi, Some((1.0, Assumption::Hs2ExportWholeChapter.bit())))),
                Some(false) => None,
            })),
            // A chapter with no HS6 detail: a measure naming part of it is taken to cover all
            // of it (an upper bound), and the cell records the rule.
            (Granularity::Hs2Whole, _) => out.extend(
                covering
                    .iter()
                    .map(|&mi| (mi, self.cov.hs2_partial.contains_key(&(ci as u32, mi)).then_some((1.0, Assumption::Hs2ExportWholeChapter.bit())))),
            ),
            _ => out.extend(covering.iter().map(|&mi| (mi, None))),
        }
    }

    /// The first date a measure stops applying to a cell: an exemption of its exporter or a
    /// dated exclusion of its product.
    fn exempt_from(&self, ex: usize, m: &Measure, mi: usize, ci: usize) -> Option<Date> {
        let excluded = self.cov.dated_exclusion[mi].as_ref().and_then(|dates| dates[ci]);
        self.exemptions_of[ex]
            .iter()
            .map(|&i| &self.scenario.exemptions[i])
            .filter(|e| {
                (e.authorities.is_empty() || e.authorities.contains(&m.authority))
                    && (!e.new_measures_only || m.effective >= e.effective)
            })
            .map(|e| e.effective)
            .chain(excluded)
            .min()
    }


    /// One cell: its base rate and the entries of the measures that reach it.
    fn cell(&self, c: usize, part: &mut CellPart, candidates: &mut Vec<(u32, Option<(f64, AssumptionSet)>)>, buf: &mut Vec<u32>) {
        let cell = &self.cells.cells[c];
        let (scenario, inputs) = (self.scenario, self.inputs);
        part.start.push(part.entries.len() as u32);
        let ci = self.cell_code[c] as usize;
        let ex = self.cell_exporter[c] as usize;
        self.candidates(cell, ci, self.covering(ci, ex, buf), candidates);
        for &(mi32, proxy_value) in candidates.iter() {
            let mi = mi32 as usize;
            let m = &scenario.measures[mi];
            let Some(rate) = self.rate_for[mi].slot(ex) else { continue };
            let (covered, used) = proxy_value.unwrap_or_else(|| {
                applies_share(m.applies_to, cell.exporter, cell.code, inputs, &scenario.base, LineContext { metal: self.facts[ci].metal, listed: self.listed[ci] })
            });
            let share = m.value_share * covered;
            if share <= 0.0 {
                continue;
            }
            let exempt_from = self.exempt_from(ex, m, mi, ci);
            let cut_start = part.share_cuts.len() as u32;
            if let (Granularity::Hs2Proxy, Some(proxy)) = (cell.granularity, cell.proxy) {
                if let Some(cuts) = self.proxies.cuts.get(&(proxy, cell.code.chapter_number(), mi32)) {
                    part.share_cuts.extend(cuts.iter().map(|(d, s)| (*d, m.value_share * s)));
                }
            }
            let cuts = (cut_start, part.share_cuts.len() as u32);
            let extra = if exempt_from.is_some() || cuts.0 != cuts.1 {
                part.extras.push(EntryExtra { exempt_from, cuts });
                part.extras.len() as u32
            } else {
                0
            };
            part.entries.push(Entry { measure: mi32, rate: self.rate_start[mi] + rate, share, assumptions: used, extra });
        }
        // Measures with `not_with`/`excluded_by` apply after the others (MODELS.md §1): stored
        // in that order (each group in scenario order), `evaluate` makes one pass.
        let start = *part.start.last().expect("pushed above") as usize;
        part.entries[start..].sort_by_key(|e| self.late[e.measure as usize]);
    }
}

/// The dates on which anything in a scenario can change a rate.
fn breakpoints(scenario: &Scenario) -> Vec<Date> {
    let mut out: BTreeSet<Date> = BTreeSet::new();
    for m in &scenario.measures {
        out.insert(m.effective);
        out.extend(m.expires);
        out.extend(m.exclude.iter().filter_map(|ex| ex.from));
    }
    out.extend(scenario.exemptions.iter().map(|e| e.effective));
    out.into_iter().collect()
}

impl Compiled {
    /// Matches a scenario to cells: which measures cover each product code, the HS2 proxy
    /// tables, then each cell's base rate and entries (on two threads), then the breakpoints.
    pub fn new(scenario: &Scenario, cells: &CellSet, schedule: &Schedule, inputs: &TariffInputs) -> Compiled {
        Compiled::with_codes(scenario, cells, inputs, &CodeTable::new(cells, schedule, inputs))
    }

    /// [`Compiled::new`] with the cell set's [`CodeTable`] built beforehand.
    ///
    /// # Panics
    /// If `codes` was built for a cell set of another shape.
    pub fn with_codes(scenario: &Scenario, cells: &CellSet, inputs: &TariffInputs, codes: &CodeTable) -> Compiled {
        assert!(codes.fits(cells), "the code table was built for another cell set ({} cells, not {})", codes.cells, cells.cells.len());
        let measures: Vec<MeasureRt> = scenario
            .measures
            .iter()
            .map(|m| MeasureRt {
                authority: m.authority,
                slot: slot(m.authority),
                stacking: m.stacking,
                effective: m.effective,
                expires: m.expires,
                not_with: m.not_with.iter().map(|a| slot(*a)).collect(),
                excluded_by: m.excluded_by.iter().map(|a| slot(*a)).collect(),
                late: !m.not_with.is_empty() || !m.excluded_by.is_empty(),
            })
            .collect();
        let base = codes.base_for(&scenario.base, cells, inputs);
        let cov = Coverage::build(scenario, &codes.index, inputs);
        let facts = &codes.facts;
        let listed: Vec<ListedMetals> =
            cov.covering.iter().map(|ms| ListedMetals::of(ms.iter().map(|&mi| &scenario.measures[mi as usize].applies_to))).collect();
        let proxies = ProxyTables::build(scenario, cells, inputs, &cov, facts, &listed);
        let rate_for = exporter_rates(scenario, &codes.exporters, inputs);
        let (rates, rate_start) = rate_table(&rate_for);
        let exporter_idx: FastMap<AreaCode, usize> = codes.exporters.iter().enumerate().map(|(i, e)| (*e, i)).collect();
        let (broad, narrow) = split_by_exporter(&cov.covering, &rate_for, codes.exporters.len());
        let mut exemptions_of = vec![Vec::new(); exporter_idx.len()];
        for (i, e) in scenario.exemptions.iter().enumerate() {
            for exporter in &e.exporters {
                if let Some(&ex) = exporter_idx.get(exporter) {
                    if !exemptions_of[ex].contains(&i) {
                        exemptions_of[ex].push(i);
                    }
                }
            }
        }
        let stage = CellStage {
            scenario,
            cells,
            inputs,
            cov: &cov,
            proxies: &proxies,
            facts,
            listed: &listed,
            cell_code: &codes.cell_code,
            cell_exporter: &codes.cell_exporter,
            rate_for,
            rate_start: rate_start.clone(),
            late: measures.iter().map(|m| m.late).collect(),
            exemptions_of,
            broad,
            narrow,
        };
        let n = cells.cells.len();
        let part = std::thread::scope(|scope| {
            let stage = &stage;
            let second = scope.spawn(move || stage.run(n / 2..n));
            let mut parts = stage.run(0..n / 2);
            parts.extend(second.join().expect("the cell stage does not panic"));
            CellPart::concat(&parts)
        });
        Compiled {
            scenario: scenario.clone(),
            measures,
            proxy_cell: Arc::new(cells.cells.iter().map(|c| c.granularity == Granularity::Hs2Proxy).collect()),
            base_pct: Arc::clone(&base.pct),
            start: Arc::new(part.start),
            entries: Arc::new(part.entries),
            rates,
            rate_start: Arc::new(rate_start),
            exporters: Arc::new(codes.exporters.clone()),
            breakpoints: breakpoints(scenario),
            mfn_sources: MFN_SOURCES.iter().zip(base.mfn_value).filter_map(|(s, v)| Some((s.as_str().to_string(), v?))).collect(),
            base_assumptions: Arc::clone(&base.assumptions),
            proxy_lines: Arc::new(proxies.lines),
            proxy_mfn: Arc::clone(&base.proxy_mfn),
            dated_exclusion: Arc::new(cov.dated_exclusion),
            share_cuts: Arc::new(part.share_cuts),
            extras: Arc::new(part.extras),
        }
    }

    /// This compiled scenario with the measures of `scenario` when `scenario` differs from
    /// the one compiled only in measures' rates (and texts: ids, titles, notes): the cells
    /// and shares each measure reaches are the same, so the entries are shared and only the
    /// changed measures' blocks of the rate table are rewritten, in about 0.1 ms where a
    /// compile takes 130–190 ms (sweeps over a rate).
    /// `None` when anything else differs, or when a new rate table names an exporter the old
    /// one skipped (or the reverse): then only a full compile is right.
    ///
    /// `cells` must be the cells this was compiled on.
    pub fn with_rates(&self, scenario: &Scenario, cells: &CellSet, inputs: &TariffInputs) -> Option<Compiled> {
        let old = &self.scenario;
        if cells.cells.len() != self.len()
            || old.importer != scenario.importer
            || old.base != scenario.base
            || old.exemptions != scenario.exemptions
            || old.measures.len() != scenario.measures.len()
            || old.measures.iter().zip(&scenario.measures).any(|(a, b)| !a.same_reach(b))
        {
            return None;
        }
        let mut out = self.clone();
        out.scenario = scenario.clone();
        // A changed measure's new rates go into its block of the rate table when they reach
        // the same exporters through the same slots (the entries index the slots).
        for (mi, (a, b)) in old.measures.iter().zip(&scenario.measures).enumerate() {
            if a.rate == b.rate {
                continue;
            }
            let (was, now) = (ExporterRates::of(a, &self.exporters, inputs), ExporterRates::of(b, &self.exporters, inputs));
            if !was.same_slots(&now) {
                return None;
            }
            let start = self.rate_start[mi] as usize;
            for (k, v) in now.values().into_iter().enumerate() {
                out.rates[start + k] = v;
            }
        }
        Some(out)
    }

    /// Number of cells.
    pub fn len(&self) -> usize {
        self.base_pct.len()
    }

    /// Whether there are no cells.
    pub fn is_empty(&self) -> bool {
        self.base_pct.is_empty()
    }

    /// Per measure: whether it is in force on `date`.
    fn active_on(&self, date: Date) -> Vec<bool> {
        self.scenario.measures.iter().map(|m| m.in_force(date)).collect()
    }

    /// Rates of every cell on a date.
    pub fn evaluate(&self, date: Date) -> Evaluation {
        let active = self.active_on(date);
        let n = self.base_pct.len();
        // Cells are independent: the two halves on two threads, each writing its part of the
        // outputs in place (appending one half to the other copied ~20 MB per date).
        let mut total_pct = vec![0.0; n];
        let mut by_slot = vec![[0.0; N_SLOTS]; n];
        let mut assumptions = vec![AssumptionSet::EMPTY; n];
        let fill = |first: usize, total: &mut [f64], slots: &mut [[f64; N_SLOTS]], used: &mut [AssumptionSet]| {
            for (k, ((t, s), u)) in total.iter_mut().zip(slots.iter_mut()).zip(used.iter_mut()).enumerate() {
                (*t, *s, *u) = self.evaluate_cell(first + k, date, &active);
            }
        };
        let mid = n / 2;
        let (total_a, total_b) = total_pct.split_at_mut(mid);
        let (slots_a, slots_b) = by_slot.split_at_mut(mid);
        let (used_a, used_b) = assumptions.split_at_mut(mid);
        std::thread::scope(|scope| {
            scope.spawn(|| fill(mid, total_b, slots_b, used_b));
            fill(0, total_a, slots_a, used_a);
        });
        Evaluation { date, total_pct, by_slot, assumptions }
    }

    /// One cell's rate on `date` (MODELS.md §1): total, per slot, and the rules behind it.
    fn evaluate_cell(&self, cell: usize, date: Date, active: &[bool]) -> (f64, [f64; N_SLOTS], AssumptionSet) {
        let mut used = self.base_assumptions[cell];
        let base = self.base_pct[cell];
        let mut slots = [0.0; N_SLOTS];
        slots[BASE_SLOT] = base;
        let mut total = base;
        let mut covered = [0.0f64; N_SLOTS];
        // Entries are stored early measures first, then late ones (see `CellStage::cell`).
        let entries = &self.entries[self.start[cell] as usize..self.start[cell + 1] as usize];
        for e in entries {
            let m = &self.measures[e.measure as usize];
            if !active[e.measure as usize] || self.exempt_from(e).is_some_and(|d| d <= date) {
                continue;
            }
            let mut blocked = m.not_with.iter().map(|&s| covered[s]).fold(0.0, f64::max);
            for &s in &m.excluded_by {
                if covered[s] > 0.0 {
                    blocked = blocked.max(if self.proxy_cell[cell] { covered[s] } else { 1.0 });
                }
            }
            let share = self.share_on(e, date) * (1.0 - blocked);
            if share <= 0.0 {
                continue;
            }
            // MODELS.md §1: add, floor (inclusive of base), max, replace.
            let (s, rate) = (m.slot, self.rates[e.rate as usize]);
            let contribution = match m.stacking {
                Stacking::Add => rate * share,
                Stacking::Floor => (rate - base).max(0.0) * share,
                Stacking::Max => (rate * share - slots[s]).max(0.0),
                Stacking::Replace => (rate - total) * share,
            };
            slots[s] += contribution;
            total += contribution;
            if contribution.abs() > 1e-12 {
                used |= e.assumptions;
            }
            covered[s] = match m.stacking {
                Stacking::Add => (covered[s] + share).min(1.0),
                _ => covered[s].max(share),
            };
        }
        (total, slots, used)
    }

    /// The cells whose rates can differ from `template`'s on some date, for a compile made
    /// from it by [`Compiled::with_rates`]: those a measure with other rates reaches (sorted).
    /// Every other cell has the same entries and rates, so its rate is the template's. A
    /// compile not made from `template` differs everywhere (every cell is returned).
    pub fn cells_differing_from(&self, template: &Compiled, index: &ChangeIndex) -> Vec<u32> {
        if !Arc::ptr_eq(&self.entries, &template.entries) || self.rates.len() != template.rates.len() {
            return (0..self.len() as u32).collect();
        }
        let mut out: Vec<u32> = Vec::new();
        for (mi, cells) in index.cells_of_measure.iter().enumerate() {
            let lo = self.rate_start[mi] as usize;
            let hi = self.rate_start.get(mi + 1).map_or(self.rates.len(), |&h| h as usize);
            // Bit equality: a dense block's skipped exporters hold NaN in both.
            if self.rates[lo..hi].iter().zip(&template.rates[lo..hi]).any(|(a, b)| a.to_bits() != b.to_bits()) {
                out.extend_from_slice(cells);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The total rate of each cell of `cells` on `date`, percent, written into `totals`
    /// (indexed by cell; other cells untouched).
    pub fn totals_into(&self, cells: &[u32], date: Date, totals: &mut [f64]) {
        let active = self.active_on(date);
        for &c in cells {
            totals[c as usize] = self.evaluate_cell(c as usize, date, &active).0;
        }
    }

    /// Which cells can change rate on which dates: what [`Compiled::advance`] needs to
    /// re-evaluate only those (built with one pass over the entries).
    pub fn change_index(&self) -> ChangeIndex {
        let mut cells_of_measure: Vec<Vec<u32>> = vec![Vec::new(); self.measures.len()];
        let mut dated: Vec<(Date, u32)> = Vec::new();
        for cell in 0..self.len() {
            for e in &self.entries[self.start[cell] as usize..self.start[cell + 1] as usize] {
                let cells = &mut cells_of_measure[e.measure as usize];
                if cells.last() != Some(&(cell as u32)) {
                    cells.push(cell as u32);
                }
                dated.extend(self.exempt_from(e).map(|d| (d, cell as u32)));
                dated.extend(self.cuts_of(e).iter().map(|(d, _)| (*d, cell as u32)));
            }
        }
        dated.sort_unstable();
        ChangeIndex { cells_of_measure, dated }
    }

    /// Moves `eval` to `date`, re-evaluating only the cells whose rate can differ between its
    /// date and `date`: those with an entry whose measure starts or ends in between, or whose
    /// exemption or dated exclusion falls in between ([`Compiled::change_index`]). Every other
    /// cell's rate depends on neither date, so the result equals `evaluate(date)` exactly.
    pub fn advance(&self, eval: &mut Evaluation, date: Date, index: &ChangeIndex) {
        let (lo, hi) = if eval.date <= date { (eval.date, date) } else { (date, eval.date) };
        let between = |d: Date| lo < d && d <= hi;
        let mut stamp = vec![false; self.len()];
        let mut changed: Vec<u32> = Vec::new();
        let mut mark = |cell: u32| {
            if !std::mem::replace(&mut stamp[cell as usize], true) {
                changed.push(cell);
            }
        };
        for (m, cells) in self.measures.iter().zip(&index.cells_of_measure) {
            if between(m.effective) || m.expires.is_some_and(between) {
                cells.iter().for_each(|&c| mark(c));
            }
        }
        let first = index.dated.partition_point(|(d, _)| *d <= lo);
        for &(d, cell) in &index.dated[first..] {
            if d > hi {
                break;
            }
            mark(cell);
        }
        if changed.len() * 2 > self.len() {
            *eval = self.evaluate(date);
            return;
        }
        let active = self.active_on(date);
        for &cell in &changed {
            let c = cell as usize;
            (eval.total_pct[c], eval.by_slot[c], eval.assumptions[c]) = self.evaluate_cell(c, date, &active);
        }
        eval.date = date;
    }

    /// The measures matched to one cell, for explanations: (measure index, rate, share, exempt
    /// from, rules for missing data behind the share).
    pub fn cell_entries(&self, cell: usize) -> Vec<(usize, f64, f64, Option<Date>, AssumptionSet)> {
        self.entries[self.start[cell] as usize..self.start[cell + 1] as usize]
            .iter()
            .map(|e| (e.measure as usize, self.rates[e.rate as usize], e.share, self.exempt_from(e), e.assumptions))
            .collect()
    }

    /// The rules for missing data behind a cell's base rate.
    pub fn base_assumptions(&self, cell: usize) -> AssumptionSet {
        self.base_assumptions[cell]
    }

    /// The share of a cell's value that faces duty beyond the base schedule on the evaluated
    /// date: in total, and per slot (the base slot is 1 where the base rate is not 0).
    ///
    /// An HS10 cell is hit or not. An HS2 proxy cell is hit on the value share of its mix's
    /// lines that a measure in force matches (with a rate for the exporter, not exempt, not
    /// excluded, not blocked by an authority it does not stack with, and for a `floor`
    /// measure, a rate above the line's base), so a measure on two lines of a chapter does
    /// not count the whole chapter as hit.
    pub fn hit_shares(&self, cells: &CellSet, eval: &Evaluation, cell: usize) -> (f64, [f64; N_SLOTS]) {
        let c = &cells.cells[cell];
        let mut per_slot = [0.0; N_SLOTS];
        per_slot[BASE_SLOT] = if eval.by_slot[cell][BASE_SLOT].abs() > 1e-12 { 1.0 } else { 0.0 };
        let mix = match (c.granularity, c.proxy) {
            (Granularity::Hs2Proxy, Some(proxy)) => self.proxy_lines.get(&(proxy, c.code.chapter_number())),
            _ => None,
        };
        let Some(mix) = mix else {
            let mut any = false;
            for (s, slot) in per_slot.iter_mut().enumerate().skip(1) {
                if eval.by_slot[cell][s] > 1e-12 {
                    *slot = 1.0;
                    any = true;
                }
            }
            return (if any { 1.0 } else { 0.0 }, per_slot);
        };
        let date = eval.date;
        let entries = &self.entries[self.start[cell] as usize..self.start[cell + 1] as usize];
        let chapter_mfn = self.proxy_mfn.get(&(c.proxy.expect("proxy cell"), c.code.chapter_number())).copied().unwrap_or(0.0);
        let preference_factor = if chapter_mfn > 0.0 { self.base_pct[cell] / chapter_mfn } else { 1.0 };
        let mut any_hit = 0.0;
        for line in &mix.lines {
            // The share of the line's value each authority covers, as in `evaluate` for an
            // HS10 cell: `not_with` leaves the uncovered share, `excluded_by` blocks the line.
            let mut covered = [0.0f64; N_SLOTS];
            for pass_late in [false, true] {
                for &(mi, line_share) in mix.measures_of(line) {
                    let m = &self.measures[mi as usize];
                    if m.late != pass_late || m.effective > date || m.expires.is_some_and(|e| date >= e) {
                        continue;
                    }
                    let Some(entry) = entries.iter().find(|e| e.measure == mi) else { continue };
                    let line_excluded = self.dated_exclusion[mi as usize].as_ref().and_then(|d| d[line.code_idx as usize]);
                    if self.exempt_from(entry).into_iter().chain(line_excluded).any(|d| d <= date) {
                        continue;
                    }
                    if m.excluded_by.iter().any(|&s| covered[s] > 0.0) {
                        continue;
                    }
                    let blocked = m.not_with.iter().map(|&s| covered[s]).fold(0.0, f64::max);
                    let share = line_share * (1.0 - blocked);
                    let adds = share > 1e-12
                        && match m.stacking {
                            Stacking::Floor => self.rates[entry.rate as usize] > line.mfn_pct * preference_factor,
                            _ => self.rates[entry.rate as usize] > 0.0,
                        };
                    if adds {
                        let s = slot(m.authority);
                        covered[s] = match m.stacking {
                            Stacking::Add => (covered[s] + share).min(1.0),
                            _ => covered[s].max(share),
                        };
                    }
                }
            }
            let covered: [bool; N_SLOTS] = covered.map(|c| c > 0.0);
            let mut hit = false;
            for s in 1..N_SLOTS {
                if covered[s] {
                    per_slot[s] += line.weight;
                    hit = true;
                }
            }
            if hit {
                any_hit += line.weight;
            }
        }
        (any_hit.min(1.0), per_slot.map(|v| v.min(1.0)))
    }

    /// An entry's share on a date: for an HS2 proxy cell, less the share of the mix's lines
    /// excluded by then.
    fn share_on(&self, e: &Entry, date: Date) -> f64 {
        if e.extra == 0 {
            return e.share;
        }
        let cut: f64 = self.cuts_of(e).iter().filter(|(d, _)| *d <= date).map(|(_, s)| s).sum();
        (e.share - cut).max(0.0)
    }

    /// The first date an entry's measure stops applying to its cell (an exemption or a dated
    /// exclusion), if any.
    fn exempt_from(&self, e: &Entry) -> Option<Date> {
        if e.extra == 0 {
            None
        } else {
            self.extras[e.extra as usize - 1].exempt_from
        }
    }

    /// An entry's share cuts (proxy cells).
    fn cuts_of(&self, e: &Entry) -> &[(Date, f64)] {
        if e.extra == 0 {
            return &[];
        }
        let (lo, hi) = self.extras[e.extra as usize - 1].cuts;
        &self.share_cuts[lo as usize..hi as usize]
    }

    /// The base rate of a cell.
    pub fn base_pct(&self, cell: usize) -> f64 {
        self.base_pct[cell]
    }
}
