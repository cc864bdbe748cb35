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

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::fxhash::{FxHashMap as FastMap, FxHashSet as FastSet};

use kanzei_core::{AreaCode, HsCode, HsVintage};
use kanzei_data::tariff_inputs::TariffInputs;

use crate::assumptions::{Assumption, AssumptionSet};
use crate::cells::{Cell, CellSet, Granularity, Proxy};
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
    /// Rules for missing data the share needed.
    assumptions: AssumptionSet,
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
    /// Measures (scenario order) that cover the line, with the share of its value each covers.
    measures: Vec<(u32, f64)>,
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
    /// Per cell: the rules for missing data its base rate used.
    base_assumptions: Vec<AssumptionSet>,
    /// Per (proxy, chapter): the mix's lines and the measures covering each.
    proxy_lines: HashMap<(Proxy, u8), Vec<ProxyLine>>,
    /// Per (proxy, chapter): the MFN average over the mix.
    proxy_mfn: HashMap<(Proxy, u8), f64>,
    /// Per measure: the first date each code is excluded (dated exclusions), by code index.
    dated_exclusion: Vec<Option<Vec<Option<Date>>>>,
    /// (date, share) pairs: from the date, an entry's share falls by the share (see `Entry::cuts`).
    share_cuts: Vec<(Date, f64)>,
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
            match k {
                AppliesTo::SteelContent => out.steel = true,
                AppliesTo::AluminumContent => out.aluminum = true,
                AppliesTo::CopperContent => out.copper = true,
                AppliesTo::MetalContent | AppliesTo::NonMetalContent => {
                    out.steel = true;
                    out.aluminum = true;
                }
                _ => {}
            }
        }
        out
    }
}

/// What a line's measure share depends on besides the measure: the line's metal content and
/// which metals' lists name it.
#[derive(Clone, Copy, Debug)]
pub struct LineContext<'a> {
    /// The metal-content table with its prefix means.
    pub metal: &'a MetalIndex,
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
    line: LineContext<'_>,
) -> (f64, AssumptionSet) {
    let usmca_year = base.usmca_share_year;
    if applies_to == AppliesTo::All {
        return (1.0, AssumptionSet::EMPTY);
    }
    let mut used = AssumptionSet::EMPTY;
    let key = code.with_vintage(HsVintage::Unspecified);
    let chapter = code.chapter_number();
    let estimate = line.metal.estimate(code, inputs);
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
    match mfn.source {
        crate::schedule::MfnSource::Ave2024 if scenario.base.specific_duty_ave => used.insert(Assumption::MfnAve2024),
        crate::schedule::MfnSource::AdValoremPartOnly => used.insert(Assumption::MfnAdValoremPartOnly),
        crate::schedule::MfnSource::NotInSchedule => used.insert(Assumption::MfnNotInSchedule),
        _ => {}
    }
    // Only lines with a per-unit part reach the AVE: among them, text that is not ¢ or $.
    let valued_as_specific = matches!(mfn.source, crate::schedule::MfnSource::Ave2024 | crate::schedule::MfnSource::AdValoremPartOnly);
    if valued_as_specific && crate::rate::parse_duty(&mfn.text).kind == crate::rate::DutyKind::Other {
        used.insert(Assumption::MfnRateTextUnread);
    }
    if scenario.base.preferences && mfn.pct > 0.0 {
        let chapter = cell.code.chapter_number();
        let usmca_partner = matches!(cell.exporter.as_str(), "CAN" | "MEX");
        if usmca_partner && cell.code.len() == 10 {
            let shares = if scenario.base.usmca_share_year == 2025 { &inputs.usmca_share_2025 } else { &inputs.usmca_share };
            if !shares.contains_key(&(cell.exporter, cell.code.with_vintage(HsVintage::Unspecified))) {
                used.insert(Assumption::UsmcaShareChapter);
            }
        } else if !inputs.preference_share.contains_key(&(cell.exporter, chapter)) && has_preference_rows(cell.exporter) {
            used.insert(Assumption::PreferenceShareZero);
        }
    }
    used
}

/// Which measures cover each distinct product code of a cell set (stage 1 of
/// [`Compiled::new`]).
struct Coverage {
    code_idx: FastMap<HsCode, usize>,
    /// For each distinct code, the measures (in scenario order) whose products cover it.
    covering: Vec<Vec<u32>>,
    /// Per measure: the first date each code is excluded (if ever), for measures with dated
    /// exclusions.
    dated_exclusion: Vec<Option<Vec<Option<Date>>>>,
    /// (code, measure) pairs where the measure names only part of an HS2 code's chapter; the
    /// flag: whether a product prefix (not only a list) reaches into the chapter.
    hs2_partial: FastMap<(u32, u32), bool>,
}

impl Coverage {
    fn build(scenario: &Scenario, cells: &CellSet, matcher: &Matcher<'_>) -> Coverage {
        let mut codes: Vec<HsCode> = cells.cells.iter().map(|c| c.code).collect();
        for lines in cells.proxies.values() {
            codes.extend(lines.iter().map(|(c, _)| *c));
        }
        codes.sort();
        codes.dedup();
        let code_idx: FastMap<HsCode, usize> = codes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
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
                        .map(|c| if fully { contains_fully(matcher, item, *c) } else { matcher.item_covers(item, *c) })
                        .collect()
                })
                .clone()
        };
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
        let hs2_codes: Vec<usize> = (0..codes.len()).filter(|&ci| codes[ci].len() == 2).collect();
        let mut hs2_partial: FastMap<(u32, u32), bool> = FastMap::default();
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
            // A chapter cell of U.S. exports is covered in full only by items that contain the
            // whole chapter.
            for &ci in &hs2_codes {
                if covered[ci] {
                    if let Some(by_prefix) = partial_chapter(matcher, m, codes[ci]) {
                        hs2_partial.insert((ci as u32, mi as u32), by_prefix);
                    }
                }
            }
            for (ci, is_covered) in covered.into_iter().enumerate() {
                if is_covered {
                    covering[ci].push(mi as u32);
                }
            }
        }
        Coverage { code_idx, covering, dated_exclusion, hs2_partial }
    }
}

/// For a measure covering an HS2 code: `None` if its items contain the whole chapter, else
/// whether a product prefix (not only a list) reaches into it. A list's lines are carved out of
/// a remainder as HS6 cells (the list files give the exports each line had), so a list alone
/// does not reach it; a heading named by prefix (8703) has no HS6 cells and does, in part.
fn partial_chapter(matcher: &Matcher<'_>, m: &Measure, chapter: HsCode) -> Option<bool> {
    let whole = |items: &[ProductItem]| items.iter().any(|item| contains_fully(matcher, item, chapter));
    let products_whole = match &m.products {
        ProductSet::All => true,
        ProductSet::Items(items) => whole(items),
    };
    if products_whole && (m.within.is_empty() || whole(&m.within)) {
        return None;
    }
    Some(match &m.products {
        ProductSet::All => true,
        ProductSet::Items(items) => items.iter().any(|item| matches!(item, ProductItem::Prefix(_)) && matcher.item_covers(item, chapter)),
    })
}

/// HS2 proxy cells (stage 2): the MFN average and each measure's coverage depend only on the
/// proxy and the chapter (the partner-specific USMCA shares concern Canada and Mexico, which
/// have HS10 cells), so they are computed once per (proxy, chapter).
#[derive(Default)]
struct ProxyTables {
    mfn: HashMap<(Proxy, u8), f64>,
    share: HashMap<(Proxy, u8), Vec<(u32, f64, AssumptionSet)>>,
    /// Per (proxy, chapter) and measure: the share of the mix excluded from each date.
    cuts: HashMap<(Proxy, u8, u32), BTreeMap<Date, f64>>,
    lines: HashMap<(Proxy, u8), Vec<ProxyLine>>,
}

impl ProxyTables {
    fn build(scenario: &Scenario, cells: &CellSet, schedule: &Schedule, inputs: &TariffInputs, cov: &Coverage, metal: &MetalIndex, listed: &[ListedMetals]) -> ProxyTables {
        let mut t = ProxyTables::default();
        let no_exporter = AreaCode::new("XXX").expect("valid");
        for (&(proxy, chapter), lines) in &cells.proxies {
            let mut mfn_avg = 0.0;
            let mut shares: BTreeMap<u32, (f64, AssumptionSet)> = BTreeMap::new();
            let mut line_rows = Vec::with_capacity(lines.len());
            for (code, w) in lines {
                let line_mfn = schedule.mfn(*code).pct;
                mfn_avg += w * line_mfn;
                let ci = cov.code_idx[code];
                let context = LineContext { metal, listed: listed[ci] };
                let mut line_measures = Vec::new();
                for &mi in &cov.covering[ci] {
                    let m = &scenario.measures[mi as usize];
                    let (share, used) = applies_share(m.applies_to, no_exporter, *code, inputs, &scenario.base, context);
                    if share * m.value_share > 0.0 {
                        line_measures.push((mi, share * m.value_share));
                        let e = shares.entry(mi).or_insert((0.0, AssumptionSet::EMPTY));
                        e.0 += w * share;
                        e.1 |= used;
                        if let Some(from) = cov.dated_exclusion[mi as usize].as_ref().and_then(|d| d[ci]) {
                            *t.cuts.entry((proxy, chapter, mi)).or_default().entry(from).or_insert(0.0) += w * share;
                        }
                    }
                }
                line_rows.push(ProxyLine { weight: *w, mfn_pct: line_mfn, code_idx: ci as u32, measures: line_measures });
            }
            t.mfn.insert((proxy, chapter), mfn_avg);
            t.share.insert((proxy, chapter), shares.into_iter().filter(|(_, (s, _))| *s > 0.0).map(|(mi, (s, a))| (mi, s, a)).collect());
            t.lines.insert((proxy, chapter), line_rows);
        }
        t
    }
}

/// The per-cell part of a compiled scenario (stage 4), built for a run of cells; runs are
/// built on separate threads and appended in order.
#[derive(Default)]
struct CellPart {
    base_pct: Vec<f64>,
    base_assumptions: Vec<AssumptionSet>,
    start: Vec<u32>,
    entries: Vec<Entry>,
    share_cuts: Vec<(Date, f64)>,
    mfn_sources: BTreeMap<&'static str, f64>,
}

impl CellPart {
    /// Appends `other`, shifting its entry and cut offsets.
    fn append(&mut self, other: CellPart) {
        let (entries0, cuts0) = (self.entries.len() as u32, self.share_cuts.len() as u32);
        self.base_pct.extend(other.base_pct);
        self.base_assumptions.extend(other.base_assumptions);
        self.start.extend(other.start.into_iter().map(|s| s + entries0));
        self.entries.extend(other.entries.into_iter().map(|mut e| {
            e.cuts = (e.cuts.0 + cuts0, e.cuts.1 + cuts0);
            e
        }));
        self.share_cuts.extend(other.share_cuts);
        for (k, v) in other.mfn_sources {
            *self.mfn_sources.entry(k).or_insert(0.0) += v;
        }
    }
}

/// Everything the per-cell stage reads.
struct CellStage<'a> {
    scenario: &'a Scenario,
    cells: &'a CellSet,
    schedule: &'a Schedule,
    inputs: &'a TariffInputs,
    cov: &'a Coverage,
    proxies: &'a ProxyTables,
    metal: &'a MetalIndex,
    listed: &'a [ListedMetals],
    pref_partners: FastSet<AreaCode>,
    exporter_idx: FastMap<AreaCode, usize>,
    /// Rates by measure and exporter (None: the measure skips the exporter).
    rate_for: Vec<Vec<Option<f64>>>,
}

/// Each measure's rate for each exporter of the cells (None: the measure skips the
/// exporter), with the exporters' index.
fn exporter_rates(scenario: &Scenario, cells: &CellSet, inputs: &TariffInputs) -> (FastMap<AreaCode, usize>, Vec<Vec<Option<f64>>>) {
    let mut exporters: Vec<AreaCode> = cells.cells.iter().map(|c| c.exporter).collect();
    exporters.sort();
    exporters.dedup();
    let rate_for = scenario
        .measures
        .iter()
        .map(|m| exporters.iter().map(|e| if exporter_matches(m, *e) { measure_rate(m, *e, inputs) } else { None }).collect())
        .collect();
    (exporters.iter().enumerate().map(|(i, e)| (*e, i)).collect(), rate_for)
}

impl CellStage<'_> {
    /// The cells `range`, in order.
    fn run(&self, range: std::ops::Range<usize>) -> CellPart {
        let mut part = CellPart::default();
        for cell in &self.cells.cells[range] {
            self.cell(cell, &mut part);
        }
        part
    }

    /// The candidate measures of a cell, each with its share when the cell's kind fixes it.
    fn candidates(&self, cell: &Cell, ci: usize) -> Vec<(u32, Option<(f64, AssumptionSet)>)> {
        let covering = &self.cov.covering[ci];
        match (cell.granularity, cell.proxy) {
            (Granularity::Hs2Proxy, Some(proxy)) => self
                .proxies
                .share
                .get(&(proxy, cell.code.chapter_number()))
                .map_or_else(Vec::new, |list| list.iter().map(|&(mi, share, used)| (mi, Some((share, used)))).collect()),
            (Granularity::Hs2Proxy, None) => Vec::new(),
            // The remainder of a chapter is, by construction, what the HS6 cells beside it do
            // not hold: a measure naming only part of the chapter does not reach it. A heading
            // named by prefix reaches it in part, with an unknown share: taken as all of it (an
            // upper bound), and the cell records the rule.
            (Granularity::Hs2Remainder, _) => covering
                .iter()
                .filter_map(|&mi| match self.cov.hs2_partial.get(&(ci as u32, mi)) {
                    None => Some((mi, None)),
                    Some(true) => Some((mi, Some((1.0, Assumption::Hs2ExportWholeChapter.bit())))),
                    Some(false) => None,
                })
                .collect(),
            // A chapter with no HS6 detail: a measure naming part of it is taken to cover all
            // of it (an upper bound), and the cell records the rule.
            (Granularity::Hs2Whole, _) => covering
                .iter()
                .map(|&mi| (mi, self.cov.hs2_partial.contains_key(&(ci as u32, mi)).then_some((1.0, Assumption::Hs2ExportWholeChapter.bit()))))
                .collect(),
            _ => covering.iter().map(|&mi| (mi, None)).collect(),
        }
    }

    /// The first date a measure stops applying to a cell: an exemption of its exporter or a
    /// dated exclusion of its product.
    fn exempt_from(&self, cell: &Cell, m: &Measure, mi: usize, ci: usize) -> Option<Date> {
        let excluded = self.cov.dated_exclusion[mi].as_ref().and_then(|dates| dates[ci]);
        self.scenario
            .exemptions
            .iter()
            .filter(|e| {
                e.exporters.contains(&cell.exporter)
                    && (e.authorities.is_empty() || e.authorities.contains(&m.authority))
                    && (!e.new_measures_only || m.effective >= e.effective)
            })
            .map(|e| e.effective)
            .chain(excluded)
            .min()
    }

    /// One cell: its base rate and the entries of the measures that reach it.
    fn cell(&self, cell: &Cell, part: &mut CellPart) {
        let (scenario, inputs) = (self.scenario, self.inputs);
        part.start.push(part.entries.len() as u32);
        let (base, mfn) = match (cell.granularity, cell.proxy) {
            (Granularity::Hs2Proxy, Some(proxy)) if scenario.base.mfn => {
                let mut pct = self.proxies.mfn.get(&(proxy, cell.code.chapter_number())).copied().unwrap_or(0.0);
                if scenario.base.preferences {
                    pct *= 1.0 - Schedule::preference_share(inputs, cell.exporter, cell.code, scenario.base.usmca_share_year).0;
                }
                (pct, MfnRate { pct, source: crate::schedule::MfnSource::Hts, line: None, text: String::new() })
            }
            _ => base_rate(scenario, cell, self.schedule, self.cells, inputs),
        };
        part.base_pct.push(base);
        part.base_assumptions.push(base_assumptions_of(scenario, cell, &mfn, inputs, |p| self.pref_partners.contains(&p)));
        *part.mfn_sources.entry(mfn.source.as_str()).or_insert(0.0) += cell.value_usd;
        let ex = self.exporter_idx[&cell.exporter];
        let ci = self.cov.code_idx[&cell.code];
        for (mi32, proxy_value) in self.candidates(cell, ci) {
            let mi = mi32 as usize;
            let m = &scenario.measures[mi];
            let Some(rate_pct) = self.rate_for[mi][ex] else { continue };
            let (covered, used) = proxy_value.unwrap_or_else(|| {
                applies_share(m.applies_to, cell.exporter, cell.code, inputs, &scenario.base, LineContext { metal: self.metal, listed: self.listed[ci] })
            });
            let share = m.value_share * covered;
            if share <= 0.0 {
                continue;
            }
            let exempt_from = self.exempt_from(cell, m, mi, ci);
            let cut_start = part.share_cuts.len() as u32;
            if let (Granularity::Hs2Proxy, Some(proxy)) = (cell.granularity, cell.proxy) {
                if let Some(cuts) = self.proxies.cuts.get(&(proxy, cell.code.chapter_number(), mi32)) {
                    part.share_cuts.extend(cuts.iter().map(|(d, s)| (*d, m.value_share * s)));
                }
            }
            let cuts = (cut_start, part.share_cuts.len() as u32);
            part.entries.push(Entry { measure: mi32, rate_pct, share, exempt_from, assumptions: used, cuts });
        }
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
        let cov = Coverage::build(scenario, cells, &matcher);
        let metal = MetalIndex::new(inputs);
        let listed: Vec<ListedMetals> =
            cov.covering.iter().map(|ms| ListedMetals::of(ms.iter().map(|&mi| &scenario.measures[mi as usize].applies_to))).collect();
        let proxies = ProxyTables::build(scenario, cells, schedule, inputs, &cov, &metal, &listed);
        let (exporter_idx, rate_for) = exporter_rates(scenario, cells, inputs);
        let stage = CellStage {
            scenario,
            cells,
            schedule,
            inputs,
            cov: &cov,
            proxies: &proxies,
            metal: &metal,
            listed: &listed,
            pref_partners: inputs.preference_share.keys().map(|(p, _)| *p).collect(),
            exporter_idx,
            rate_for,
        };
        let n = cells.cells.len();
        let mut part = std::thread::scope(|scope| {
            let stage = &stage;
            let second = scope.spawn(move || stage.run(n / 2..n));
            let mut first = stage.run(0..n / 2);
            first.append(second.join().expect("the cell stage does not panic"));
            first
        });
        part.start.push(part.entries.len() as u32);
        Compiled {
            scenario: scenario.clone(),
            measures,
            proxy_cell: cells.cells.iter().map(|c| c.granularity == Granularity::Hs2Proxy).collect(),
            base_pct: part.base_pct,
            start: part.start,
            entries: part.entries,
            breakpoints: breakpoints(scenario),
            mfn_sources: part.mfn_sources.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            base_assumptions: part.base_assumptions,
            proxy_lines: proxies.lines,
            proxy_mfn: proxies.mfn,
            dated_exclusion: cov.dated_exclusion,
            share_cuts: part.share_cuts,
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
        // Cells are independent: the two halves on two threads.
        let run = |range: std::ops::Range<usize>| {
            let mut out = (Vec::with_capacity(range.len()), Vec::with_capacity(range.len()), Vec::with_capacity(range.len()));
            for cell in range {
                let (total, slots, used) = self.evaluate_cell(cell, date, &active);
                out.0.push(total);
                out.1.push(slots);
                out.2.push(used);
            }
            out
        };
        let (total_pct, by_slot, assumptions) = std::thread::scope(|scope| {
            let second = scope.spawn(|| run(n / 2..n));
            let mut first = run(0..n / 2);
            let second = second.join().expect("evaluation does not panic");
            first.0.extend(second.0);
            first.1.extend(second.1);
            first.2.extend(second.2);
            first
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
                let share = self.share_on(e, date) * (1.0 - blocked);
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
                if contribution.abs() > 1e-12 {
                    used |= e.assumptions;
                }
                covered[s] = match m.stacking {
                    Stacking::Add => (covered[s] + share).min(1.0),
                    _ => covered[s].max(share),
                };
            }
        }
        (total, slots, used)
    }

    /// The measures matched to one cell, for explanations: (measure index, rate, share, exempt
    /// from, rules for missing data behind the share).
    pub fn cell_entries(&self, cell: usize) -> Vec<(usize, f64, f64, Option<Date>, AssumptionSet)> {
        self.entries[self.start[cell] as usize..self.start[cell + 1] as usize]
            .iter()
            .map(|e| (e.measure as usize, e.rate_pct, e.share, e.exempt_from, e.assumptions))
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
        let lines = match (c.granularity, c.proxy) {
            (Granularity::Hs2Proxy, Some(proxy)) => self.proxy_lines.get(&(proxy, c.code.chapter_number())),
            _ => None,
        };
        let Some(lines) = lines else {
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
        for line in lines {
            // The share of the line's value each authority covers, as in `evaluate` for an
            // HS10 cell: `not_with` leaves the uncovered share, `excluded_by` blocks the line.
            let mut covered = [0.0f64; N_SLOTS];
            for pass_late in [false, true] {
                for &(mi, line_share) in &line.measures {
                    let m = &self.measures[mi as usize];
                    if m.late != pass_late || m.effective > date || m.expires.is_some_and(|e| date >= e) {
                        continue;
                    }
                    let Some(entry) = entries.iter().find(|e| e.measure == mi) else { continue };
                    let line_excluded = self.dated_exclusion[mi as usize].as_ref().and_then(|d| d[line.code_idx as usize]);
                    if entry.exempt_from.into_iter().chain(line_excluded).any(|d| d <= date) {
                        continue;
                    }
                    if m.excluded_by.iter().any(|&s| covered[s] > 0.0) {
                        continue;
                    }
                    let blocked = m.not_with.iter().map(|&s| covered[s]).fold(0.0, f64::max);
                    let share = line_share * (1.0 - blocked);
                    let adds = share > 1e-12
                        && match m.stacking {
                            Stacking::Floor => entry.rate_pct > line.mfn_pct * preference_factor,
                            _ => entry.rate_pct > 0.0,
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
        let cuts = &self.share_cuts[e.cuts.0 as usize..e.cuts.1 as usize];
        let cut: f64 = cuts.iter().filter(|(d, _)| *d <= date).map(|(_, s)| s).sum();
        (e.share - cut).max(0.0)
    }

    /// The base rate of a cell.
    pub fn base_pct(&self, cell: usize) -> f64 {
        self.base_pct[cell]
    }
}
