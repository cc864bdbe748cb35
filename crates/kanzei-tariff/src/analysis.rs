//! What users ask of an evaluated scenario: effective rates and revenue by partner, chapter
//! or authority; a partner's exposure; the daily timeline; the explanation of one rate; and
//! the comparison of the 2024 baseline with what Census actually collected.

use std::collections::BTreeMap;

use kanzei_core::{AreaCode, AreaRegistry, HsCode, HsVintage};
use kanzei_data::tariff_inputs::TariffInputs;
use serde::Serialize;

use crate::cells::{Cell, CellSet, Granularity};
use crate::date::Date;
use crate::engine::{base_rate, measure_rate, slot_name, Compiled, Evaluation, BASE_SLOT, N_SLOTS};
use crate::scenario::Scenario;
use crate::schedule::{MfnRate, Schedule};

pub use crate::tariff_data::TariffData;

/// How to group results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// By exporter (for U.S. imports: the partner).
    Partner,
    /// By HS chapter.
    Hs2,
    /// By legal authority (and the base schedule).
    Authority,
}

/// One group of results.
#[derive(Clone, Debug, Serialize)]
pub struct RateGroup {
    /// Partner code, chapter, or authority.
    pub key: String,
    /// Partner or chapter name, or the authority described.
    pub name: String,
    /// Base-year value, USD (for an authority: the value it applies to).
    pub imports_usd: f64,
    /// Effective tariff rate, percent (for an authority: its revenue over the value it hits).
    pub etr_pct: f64,
    /// Static revenue at base-year values, USD.
    pub revenue_usd: f64,
    /// Points of the overall ETR this group accounts for.
    pub contribution_pp: f64,
    /// The baseline scenario's ETR on the same cells, percent.
    pub baseline_etr_pct: Option<f64>,
    /// ETR change against the baseline, percentage points.
    pub change_pp: Option<f64>,
}

/// `kanzei tariff rates`.
#[derive(Clone, Debug, Serialize)]
pub struct RatesReport {
    /// Scenario id.
    pub scenario: String,
    /// Scenario title.
    pub title: String,
    /// Evaluation date.
    pub date: Date,
    /// Importer.
    pub importer: AreaCode,
    /// Base-year trade value of all cells, USD.
    pub imports_usd: f64,
    /// Import-weighted applied rate (pre-substitution), percent.
    pub etr_pct: f64,
    /// Static revenue, USD.
    pub revenue_usd: f64,
    /// Baseline scenario id.
    pub baseline_scenario: Option<String>,
    /// Baseline ETR on the same date, percent.
    pub baseline_etr_pct: Option<f64>,
    /// Baseline revenue, USD.
    pub baseline_revenue_usd: Option<f64>,
    /// Groups.
    pub groups: Vec<RateGroup>,
    /// Value evaluated at each granularity (HS10 cells vs HS2 chapters with a proxy mix).
    pub value_by_granularity: BTreeMap<String, f64>,
    /// Value by the source of its MFN rate (HTS ad valorem, 2024 AVE of a specific duty, …).
    pub mfn_sources: BTreeMap<String, f64>,
    /// The rules for missing data behind the rates on this date: cells and value per rule.
    pub assumptions: Vec<AssumptionUse>,
}

/// How many cells, and how much value, a rule for missing data was used on.
#[derive(Clone, Debug, Serialize)]
pub struct AssumptionUse {
    /// Rule name (see `docs/scenarios.md`).
    pub rule: String,
    /// What the rule does.
    pub description: String,
    /// Where the rule or its stand-in data come from.
    pub source: String,
    /// Cells whose rate on the date used the rule.
    pub cells: usize,
    /// Their base-year value, USD.
    pub value_usd: f64,
}

/// The rules for missing data an evaluation used, with cells and value; rules not used are left out.
pub fn assumption_uses(cells: &CellSet, eval: &Evaluation) -> Vec<AssumptionUse> {
    // One pass over the cells, counting each rule by its bit (`AssumptionSet` bit k is
    // `assumptions::ALL[k]`).
    let mut tally = [(0usize, 0.0f64); crate::assumptions::ALL.len()];
    for (c, used) in cells.cells.iter().zip(&eval.assumptions) {
        let mut bits = used.0;
        while bits != 0 {
            let k = bits.trailing_zeros() as usize;
            tally[k].0 += 1;
            tally[k].1 += c.value_usd;
            bits &= bits - 1;
        }
    }
    crate::assumptions::ALL
        .iter()
        .zip(tally)
        .filter(|(_, (n, _))| *n > 0)
        .map(|(rule, (n, value))| AssumptionUse {
            rule: rule.name().into(),
            description: rule.description().into(),
            source: rule.source().into(),
            cells: n,
            value_usd: value,
        })
        .collect()
}

fn etr(revenue: f64, value: f64) -> f64 {
    if value == 0.0 {
        0.0
    } else {
        100.0 * revenue / value
    }
}

fn describe_authority(name: &str) -> &'static str {
    match name {
        "base" => "MFN column 1 after preferences",
        "s232" => "Section 232 (national security)",
        "s301" => "Section 301 (China; Brazil and forced labour from Jul 2026)",
        "s201" => "Section 201 (safeguards)",
        "s122" => "Section 122 (balance of payments)",
        "s338" => "Section 338 (Canada, from Aug 2026)",
        "ieepa-fentanyl" => "IEEPA fentanyl duties",
        "ieepa-reciprocal" => "IEEPA reciprocal duties",
        "ieepa-other" => "IEEPA country duties (Brazil, India)",
        "retaliation" => "Counter-tariffs on U.S. goods",
        _ => "Other",
    }
}

/// Rates by group on a date, with an optional baseline evaluated on the same cells.
pub fn rates(
    compiled: &Compiled,
    cells: &CellSet,
    date: Date,
    baseline: Option<&Compiled>,
    by: GroupBy,
    registry: &AreaRegistry,
    chapter_names: &BTreeMap<HsCode, String>,
) -> RatesReport {
    let eval = compiled.evaluate(date);
    let base_eval = baseline.map(|b| b.evaluate(date));
    let eval = &eval;
    let base_eval = base_eval.as_ref();
    let total_value = cells.total_value();
    let revenue: f64 = cells.cells.iter().zip(&eval.total_pct).map(|(c, r)| c.value_usd * r / 100.0).sum();
    let baseline_revenue = base_eval.map(|e| cells.cells.iter().zip(&e.total_pct).map(|(c, r)| c.value_usd * r / 100.0).sum::<f64>());
    let with_base = base_eval.is_some();
    let mut out: Vec<RateGroup> = match by {
        GroupBy::Partner | GroupBy::Hs2 => {
            let groups = CellGroups::new(cells, by, registry, chapter_names);
            let sums = groups.sums(cells, &eval.total_pct, base_eval.map(|b| b.total_pct.as_slice()));
            groups.names.into_iter().zip(sums).map(|((key, name), (value, rev, base_rev))| group_row(key, name, value, rev, base_rev, total_value, by, with_base)).collect()
        }
        GroupBy::Authority => {
            let hit: Vec<(f64, [f64; N_SLOTS])> = (0..cells.cells.len()).map(|i| compiled.hit_shares(cells, eval, i)).collect();
            let mut out = Vec::new();
            for s in 0..N_SLOTS {
                let mut value = 0.0;
                let mut rev = 0.0;
                let mut base_rev = 0.0;
                for (idx, cell) in cells.cells.iter().enumerate() {
                    let c = eval.by_slot[idx][s];
                    if c.abs() > 1e-12 {
                        value += cell.value_usd * hit[idx].1[s];
                        rev += cell.value_usd * c / 100.0;
                    }
                    if let Some(b) = &base_eval {
                        base_rev += cell.value_usd * b.by_slot[idx][s] / 100.0;
                    }
                }
                if value > 0.0 || base_rev.abs() > 0.0 {
                    let (key, name) = (slot_name(s).to_string(), describe_authority(slot_name(s)).to_string());
                    out.push(group_row(key, name, value, rev, base_rev, total_value, by, with_base));
                }
            }
            out
        }
    };
    sort_groups(&mut out);
    RatesReport {
        scenario: compiled.scenario.id.clone(),
        title: compiled.scenario.title.clone(),
        date,
        importer: compiled.scenario.importer,
        imports_usd: total_value,
        etr_pct: etr(revenue, total_value),
        revenue_usd: revenue,
        baseline_scenario: baseline.map(|b| b.scenario.id.clone()),
        baseline_etr_pct: baseline_revenue.map(|r| etr(r, total_value)),
        baseline_revenue_usd: baseline_revenue,
        groups: out,
        value_by_granularity: cells.value_by_granularity(),
        mfn_sources: compiled.mfn_sources.clone(),
        assumptions: assumption_uses(cells, eval),
    }
}

/// One group's row: its ETR, its contribution to the total, and with a baseline the change.
#[allow(clippy::too_many_arguments)]
fn group_row(key: String, name: String, value: f64, rev: f64, base_rev: f64, total_value: f64, by: GroupBy, with_base: bool) -> RateGroup {
    let (baseline_etr, change) = match (with_base, by) {
        (true, GroupBy::Authority) => (Some(etr(base_rev, total_value)), Some(etr(rev - base_rev, total_value))),
        (true, _) => (Some(etr(base_rev, value)), Some(etr(rev, value) - etr(base_rev, value))),
        (false, _) => (None, None),
    };
    RateGroup {
        key,
        name,
        imports_usd: value,
        etr_pct: etr(rev, value),
        revenue_usd: rev,
        contribution_pp: etr(rev, total_value),
        baseline_etr_pct: baseline_etr,
        change_pp: change,
    }
}

/// Largest revenue first, then by key.
fn sort_groups(rows: &mut [RateGroup]) {
    rows.sort_by(|a, b| b.revenue_usd.total_cmp(&a.revenue_usd).then(a.key.cmp(&b.key)));
}

/// Cells grouped by partner or by chapter, made once for many evaluations of the same cells
/// (a sweep): each cell's group, and each group's key and name.
pub struct CellGroups {
    by: GroupBy,
    of_cell: Vec<u32>,
    names: Vec<(String, String)>,
    total_value: f64,
}

impl CellGroups {
    /// Groups `cells` by partner or chapter ([`GroupBy::Authority`] is taken as partner:
    /// authorities are not a partition of cells).
    pub fn new(cells: &CellSet, by: GroupBy, registry: &AreaRegistry, chapter_names: &BTreeMap<HsCode, String>) -> CellGroups {
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        enum Key {
            Partner(AreaCode),
            Chapter(HsCode),
        }
        let by = if by == GroupBy::Hs2 { GroupBy::Hs2 } else { GroupBy::Partner };
        let mut index: crate::fxhash::FxHashMap<Key, u32> = Default::default();
        let mut keys = Vec::new();
        let of_cell = cells
            .cells
            .iter()
            .map(|cell| {
                let key = match by {
                    GroupBy::Hs2 => Key::Chapter(cell.code.chapter().with_vintage(HsVintage::Hs2022)),
                    _ => Key::Partner(cell.exporter),
                };
                *index.entry(key).or_insert_with(|| {
                    keys.push(key);
                    keys.len() as u32 - 1
                })
            })
            .collect();
        // Named once per group: a key and name string per cell cost more than the sums.
        let names = keys
            .into_iter()
            .map(|key| match key {
                Key::Partner(p) => (p.to_string(), registry.get(p).map_or_else(|| p.to_string(), |a| a.name.clone())),
                Key::Chapter(ch) => (ch.to_string(), chapter_names.get(&ch).cloned().unwrap_or_default()),
            })
            .collect();
        CellGroups { by, of_cell, names, total_value: cells.total_value() }
    }

    /// Per group: value, revenue and the baseline's revenue, USD, each summed in cell order,
    /// from each cell's total rate (`Evaluation::total_pct`) and the baseline's.
    pub fn sums(&self, cells: &CellSet, total_pct: &[f64], base: Option<&[f64]>) -> Vec<(f64, f64, f64)> {
        let mut sums = vec![(0.0, 0.0, 0.0); self.names.len()];
        for (idx, (cell, &g)) in cells.cells.iter().zip(&self.of_cell).enumerate() {
            let entry = &mut sums[g as usize];
            entry.0 += cell.value_usd;
            entry.1 += cell.value_usd * total_pct[idx] / 100.0;
            if let Some(b) = base {
                entry.2 += cell.value_usd * b[idx] / 100.0;
            }
        }
        sums
    }

    /// The total ([`all_row`]) and the groups' rows from each cell's total rate
    /// (`Evaluation::total_pct`), largest revenue first, without a baseline: [`rates`]' totals
    /// and groups without the rest of its report.
    pub fn rows(&self, cells: &CellSet, total_pct: &[f64]) -> (RateGroup, Vec<RateGroup>) {
        let revenue: f64 = cells.cells.iter().zip(total_pct).map(|(c, r)| c.value_usd * r / 100.0).sum();
        let mut rows: Vec<RateGroup> = self
            .names
            .iter()
            .zip(self.sums(cells, total_pct, None))
            .map(|((key, name), (value, rev, base_rev))| group_row(key.clone(), name.clone(), value, rev, base_rev, self.total_value, self.by, false))
            .collect();
        sort_groups(&mut rows);
        (all_row(self.by, self.total_value, revenue), rows)
    }
}

/// The total row of a sweep or table of rates by group: key `ALL`, named "All partners" (by
/// partner) or "All", its ETR also its contribution.
pub fn all_row(by: GroupBy, imports_usd: f64, revenue_usd: f64) -> RateGroup {
    let all = if by == GroupBy::Partner { "All partners" } else { "All" };
    group_row("ALL".into(), all.into(), imports_usd, revenue_usd, 0.0, imports_usd, by, false)
}

/// One partner's modelled 2024 rate beside what Census collected.
#[derive(Clone, Debug, Serialize)]
pub struct CensusComparison {
    /// Partner.
    pub partner: String,
    /// Name.
    pub name: String,
    /// 2024 imports for consumption, USD.
    pub imports_usd: f64,
    /// Census calculated duty / value, percent.
    pub census_etr_pct: f64,
    /// kanzei's baseline ETR, percent.
    pub model_etr_pct: f64,
    /// Model minus Census, points.
    pub gap_pp: f64,
    /// Share of the partner's value whose MFN rate is a specific-duty AVE, percent.
    pub specific_duty_value_pct: f64,
    /// Likely reasons for a gap, in words.
    pub note: String,
}

/// Compares a baseline evaluation with Census calculated duties, overall and for the
/// largest partners.
pub fn compare_census(compiled: &Compiled, cells: &CellSet, date: Date, schedule: &Schedule, registry: &AreaRegistry, top: usize) -> (f64, f64, Vec<CensusComparison>) {
    let eval = compiled.evaluate(date);
    let mut by: BTreeMap<AreaCode, (f64, f64, f64, f64)> = BTreeMap::new();
    for (idx, cell) in cells.cells.iter().enumerate() {
        let e = by.entry(cell.exporter).or_insert((0.0, 0.0, 0.0, 0.0));
        e.0 += cell.value_usd;
        e.1 += cell.duty_usd.unwrap_or(0.0);
        e.2 += cell.value_usd * eval.total_pct[idx] / 100.0;
        if cell.granularity == Granularity::Hs10 && schedule.mfn(cell.code).source == crate::schedule::MfnSource::Ave2024 {
            e.3 += cell.value_usd;
        }
    }
    let total_value: f64 = by.values().map(|v| v.0).sum();
    let total_duty: f64 = by.values().map(|v| v.1).sum();
    let total_model: f64 = by.values().map(|v| v.2).sum();
    let mut rows: Vec<CensusComparison> = by
        .into_iter()
        .map(|(code, (value, duty, model, specific))| {
            let census = etr(duty, value);
            let modelled = etr(model, value);
            let gap = modelled - census;
            let mut reasons = Vec::new();
            if gap.abs() >= 0.25 {
                if gap < 0.0 && matches!(code.as_str(), "CHN") {
                    reasons.push("Section 301 lists are HS8 and some duties (exclusions expired, overlaps) differ at HS10");
                }
                if gap > 0.0 && matches!(code.as_str(), "CHN") {
                    reasons.push("Section 301 product exclusions (9903.88.69/.70) are not modelled");
                }
                if 100.0 * specific / value.max(1.0) > 5.0 {
                    reasons.push("specific duties valued at a 2024 average AVE");
                }
                if gap > 0.0 {
                    reasons.push("preference use recorded by chapter, not by line (under-use or over-use within chapters)");
                } else {
                    reasons.push("duties not modelled (2018 steel/aluminum quota overruns, AD/CVD-linked lines) or preferences counted where not claimed");
                }
            }
            CensusComparison {
                partner: code.to_string(),
                name: registry.get(code).map_or_else(|| code.to_string(), |a| a.name.clone()),
                imports_usd: value,
                census_etr_pct: census,
                model_etr_pct: modelled,
                gap_pp: gap,
                specific_duty_value_pct: 100.0 * specific / value.max(1.0),
                note: reasons.join("; "),
            }
        })
        .collect();
    rows.sort_by(|a, b| b.imports_usd.total_cmp(&a.imports_usd));
    rows.truncate(top);
    (etr(total_duty, total_value), etr(total_model, total_value), rows)
}

/// The per-partner series [`compare_published`] holds kanzei against: tradewartracker's own
/// modelled 2025 increase by partner × HS2 chapter (`2025_tariff_increase`, percentage points,
/// in the `data-hs2` files of their 2025-08-06 update) on top of the 2024 calculated duty rate.
/// The update carries the August 7, 2025 country rates and India's Russian-oil duty announced on
/// August 6 (in force August 27), so the date to compare on is 2025-08-27.
pub const TRADEWARTRACKER_AS_OF: &str = "2025-08-06";
/// The policy date the tradewartracker series describes (see [`TRADEWARTRACKER_AS_OF`]).
pub const TRADEWARTRACKER_POLICY_DATE: &str = "2025-08-27";

/// One partner's rate in kanzei beside an independently published modelled rate.
#[derive(Clone, Debug, Serialize)]
pub struct PublishedComparison {
    /// Partner (ISO3).
    pub partner: String,
    /// Name.
    pub name: String,
    /// 2024 imports for consumption in the published series' weights, USD.
    pub imports_usd: f64,
    /// The published ETR: 2024 calculated duty plus the modelled increase, over 2024 imports,
    /// percent.
    pub published_etr_pct: f64,
    /// kanzei's ETR on the date, percent (its own 2024 weights: HS10 or HS2 proxy cells).
    pub model_etr_pct: f64,
    /// kanzei minus published, points.
    pub gap_pp: f64,
    /// The chapter that differs most (computed) and known modelling differences, in words.
    pub note: String,
}

/// Known modelling differences between kanzei and tradewartracker's August 2025 rates for a
/// partner, each read off their `data-hs2` files (the chapter increases they assign), so a gap
/// is explained, not hidden. Empty where none is documented.
fn tradewartracker_gap_note(partner: &str, registry: &AreaRegistry) -> &'static str {
    let eu = AreaCode::new("EU27").is_some_and(|eu| AreaCode::new(partner).is_some_and(|p| registry.is_member(p, eu)));
    match partner {
        "JPN" | "KOR" => "tradewartracker puts the announced 15% on cars (in force Sep 16 for Japan, Nov 1 for Korea) and +15 on every chapter; kanzei: 25% on cars on this date, and 15% inclusive of MFN",
        "MEX" | "CAN" => "USMCA vehicles: kanzei charges 25% on their non-U.S. content (60% of value); tradewartracker puts much less on chapter 87 (Mexico +0.9 points)",
        "GBR" => "tradewartracker keeps +23 points on UK vehicles (chapter 87); kanzei applies the UK deal (7.5% within the quota from Jun 30); it also taxes pharmaceuticals (chapter 30) and chapter 98, which kanzei exempts",
        "IRL" | "CHE" | "IND" | "SGP" | "BEL" | "NLD" | "DNK" => {
            "tradewartracker taxes pharmaceuticals (chapter 30) and chapter 98 at the country rate; kanzei exempts them (Annex II; U.S. goods returned)"
        }
        _ if eu => "tradewartracker adds 15 points on every chapter, pharmaceuticals and chapter 98 included; kanzei: 15% inclusive of MFN, Annex II and chapter 98 exempt",
        _ => "",
    }
}

/// Holds kanzei's per-partner ETR on `date` against tradewartracker's published per-partner
/// modelled rates (see [`TRADEWARTRACKER_AS_OF`]): rows for the `top` partners by 2024 imports
/// that appear in both, largest first, and the overall rates over those partners (published,
/// kanzei). `hs2` is the HS2 import table with its `modelled_increase_pp`.
pub fn compare_published(
    compiled: &Compiled,
    cells: &CellSet,
    date: Date,
    hs2: &kanzei_data::us_imports::UsImports,
    registry: &AreaRegistry,
    top: usize,
) -> (f64, f64, Vec<PublishedComparison>) {
    // Published: Σ (duty + value × increase) / Σ value per country (aggregates such as the EU
    // row are skipped; its members have their own files).
    let mut published: BTreeMap<AreaCode, (f64, f64)> = BTreeMap::new();
    // Duty by partner × chapter on each side, to name the chapter that differs most.
    let mut by_chapter: BTreeMap<(AreaCode, u8), (f64, f64)> = BTreeMap::new();
    for line in &hs2.lines {
        let Some(area) = registry.by_census(line.census_code) else { continue };
        if area.kind != kanzei_core::AreaKind::Country {
            continue;
        }
        let Some(increase) = hs2.modelled_increase_pp.get(&(line.census_code, line.hs)) else { continue };
        let duty = line.duty_usd + line.value_usd * increase / 100.0;
        let entry = published.entry(area.code).or_insert((0.0, 0.0));
        entry.0 += line.value_usd;
        entry.1 += duty;
        by_chapter.entry((area.code, line.hs.chapter_number())).or_insert((0.0, 0.0)).0 += duty;
    }
    let eval = compiled.evaluate(date);
    let mut model: BTreeMap<AreaCode, (f64, f64)> = BTreeMap::new();
    for (idx, cell) in cells.cells.iter().enumerate() {
        let duty = cell.value_usd * eval.total_pct[idx] / 100.0;
        let entry = model.entry(cell.exporter).or_insert((0.0, 0.0));
        entry.0 += cell.value_usd;
        entry.1 += duty;
        by_chapter.entry((cell.exporter, cell.code.chapter_number())).or_insert((0.0, 0.0)).1 += duty;
    }
    let mut rows: Vec<PublishedComparison> = published
        .iter()
        .filter(|(_, (value, _))| *value > 0.0)
        .filter_map(|(code, (value, duty))| {
            let (m_value, m_duty) = model.get(code)?;
            let published_etr = etr(*duty, *value);
            let model_etr = etr(*m_duty, *m_value);
            // The chapter whose duty differs most, in points of the partner's rate.
            let largest = by_chapter
                .range((*code, 0)..=(*code, u8::MAX))
                .map(|((_, chapter), (p, m))| (*chapter, 100.0 * (m - p) / value))
                .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
            let mut note = match largest {
                Some((chapter, pp)) if pp.abs() >= 0.5 => format!("largest chapter difference: HS{chapter:02} {pp:+.1} pp"),
                _ => String::new(),
            };
            let known = tradewartracker_gap_note(code.as_str(), registry);
            if !known.is_empty() {
                note = if note.is_empty() { known.to_string() } else { format!("{note}; {known}") };
            }
            Some(PublishedComparison {
                partner: code.to_string(),
                name: registry.get(*code).map_or_else(|| code.to_string(), |a| a.name.clone()),
                imports_usd: *value,
                published_etr_pct: published_etr,
                model_etr_pct: model_etr,
                gap_pp: model_etr - published_etr,
                note,
            })
        })
        .collect();
    rows.sort_by(|a, b| b.imports_usd.total_cmp(&a.imports_usd));
    let (mut value, mut pub_duty, mut model_duty) = (0.0, 0.0, 0.0);
    for r in &rows {
        value += r.imports_usd;
        pub_duty += r.imports_usd * r.published_etr_pct / 100.0;
        model_duty += r.imports_usd * r.model_etr_pct / 100.0;
    }
    rows.truncate(top);
    (etr(pub_duty, value), etr(model_duty, value), rows)
}

/// A partner's exposure on a date.
#[derive(Clone, Debug, Serialize)]
pub struct Exposure {
    /// Partner.
    pub partner: AreaCode,
    /// Name.
    pub name: String,
    /// Date.
    pub date: Date,
    /// The partner's base-year exports to the importer, USD.
    pub imports_usd: f64,
    /// ETR, percent.
    pub etr_pct: f64,
    /// Static revenue, USD.
    pub revenue_usd: f64,
    /// Value facing at least one measure beyond the base schedule, USD.
    pub value_hit_usd: f64,
    /// That value as a share of all, percent.
    pub share_hit_pct: f64,
    /// By authority: value it applies to, revenue, points of the partner's ETR.
    pub by_authority: Vec<RateGroup>,
    /// By chapter.
    pub by_chapter: Vec<RateGroup>,
}

/// The exporters an area stands for: a group's members, or the area itself.
pub fn members_of(area: AreaCode, registry: &AreaRegistry) -> Vec<AreaCode> {
    match registry.get(area) {
        Some(a) if !a.members.is_empty() => a.members.clone(),
        _ => vec![area],
    }
}

/// The exposure of one exporter, or of a group's members together (EU27).
///
/// The value hit counts, for an HS2 proxy cell, only the value share of its mix's lines that
/// a measure matches ([`Compiled::hit_shares`]), not the whole chapter.
pub fn exposure(compiled: &Compiled, cells: &CellSet, date: Date, partner: AreaCode, registry: &AreaRegistry, chapter_names: &BTreeMap<HsCode, String>) -> Exposure {
    exposure_in(compiled, &compiled.evaluate(date), cells, partner, registry, chapter_names)
}

/// [`exposure`] on an evaluation of `compiled` already made (a brief reads several partners'
/// exposures on one date from one evaluation).
pub fn exposure_in(compiled: &Compiled, eval: &Evaluation, cells: &CellSet, partner: AreaCode, registry: &AreaRegistry, chapter_names: &BTreeMap<HsCode, String>) -> Exposure {
    let date = eval.date;
    let members = members_of(partner, registry);
    let idx: Vec<usize> = (0..cells.cells.len()).filter(|&i| members.contains(&cells.cells[i].exporter)).collect();
    let hit_shares: BTreeMap<usize, (f64, [f64; N_SLOTS])> = idx.iter().map(|&i| (i, compiled.hit_shares(cells, &eval, i))).collect();
    let value: f64 = idx.iter().map(|&i| cells.cells[i].value_usd).sum();
    let revenue: f64 = idx.iter().map(|&i| cells.cells[i].value_usd * eval.total_pct[i] / 100.0).sum();
    let hit: f64 = idx.iter().map(|&i| cells.cells[i].value_usd * hit_shares[&i].0).sum();
    let mut by_authority = Vec::new();
    for s in 0..N_SLOTS {
        let v: f64 = idx.iter().filter(|&&i| eval.by_slot[i][s].abs() > 1e-12).map(|&i| cells.cells[i].value_usd * hit_shares[&i].1[s]).sum();
        let r: f64 = idx.iter().map(|&i| cells.cells[i].value_usd * eval.by_slot[i][s] / 100.0).sum();
        if v > 0.0 {
            by_authority.push(RateGroup {
                key: slot_name(s).into(),
                name: describe_authority(slot_name(s)).into(),
                imports_usd: v,
                etr_pct: etr(r, v),
                revenue_usd: r,
                contribution_pp: etr(r, value),
                baseline_etr_pct: None,
                change_pp: None,
            });
        }
    }
    by_authority.sort_by(|a, b| b.revenue_usd.total_cmp(&a.revenue_usd));
    let mut chapters: BTreeMap<HsCode, (f64, f64)> = BTreeMap::new();
    for &i in &idx {
        let e = chapters.entry(cells.cells[i].code.chapter().with_vintage(HsVintage::Hs2022)).or_insert((0.0, 0.0));
        e.0 += cells.cells[i].value_usd;
        e.1 += cells.cells[i].value_usd * eval.total_pct[i] / 100.0;
    }
    let mut by_chapter: Vec<RateGroup> = chapters
        .into_iter()
        .map(|(ch, (v, r))| RateGroup {
            key: ch.to_string(),
            name: chapter_names.get(&ch).cloned().unwrap_or_default(),
            imports_usd: v,
            etr_pct: etr(r, v),
            revenue_usd: r,
            contribution_pp: etr(r, value),
            baseline_etr_pct: None,
            change_pp: None,
        })
        .collect();
    by_chapter.sort_by(|a, b| b.imports_usd.total_cmp(&a.imports_usd));
    Exposure {
        partner,
        name: registry.get(partner).map_or_else(|| partner.to_string(), |a| a.name.clone()),
        date,
        imports_usd: value,
        etr_pct: etr(revenue, value),
        revenue_usd: revenue,
        value_hit_usd: hit,
        share_hit_pct: etr(hit, value),
        by_authority,
        by_chapter,
    }
}

/// One day of a timeline.
#[derive(Clone, Debug, Serialize)]
pub struct TimelinePoint {
    /// Date.
    pub date: Date,
    /// ETR, percent.
    pub etr_pct: f64,
    /// Static annual revenue at base-year values, USD.
    pub revenue_usd: f64,
    /// Points of the ETR by authority (and base).
    pub by_authority_pp: BTreeMap<String, f64>,
}

/// Daily ETR from `from` to `to` (inclusive), optionally for one exporter. Evaluates once
/// per stretch of days on which nothing changes.
pub fn timeline(compiled: &Compiled, cells: &CellSet, from: Date, to: Date, partner: Option<AreaCode>) -> Vec<TimelinePoint> {
    timelines(compiled, cells, from, to, &[partner]).pop().unwrap_or_default()
}

/// Daily ETR timelines for several selections at once (`None`: all exporters), sharing one
/// evaluation of the schedule per stretch of days on which nothing changes.
pub fn timelines(compiled: &Compiled, cells: &CellSet, from: Date, to: Date, partners: &[Option<AreaCode>]) -> Vec<Vec<TimelinePoint>> {
    let selections: Vec<Option<Vec<AreaCode>>> = partners.iter().map(|p| p.map(|p| vec![p])).collect();
    timelines_of(compiled, cells, from, to, &selections)
}

/// Daily ETR from `from` to `to` for one exporter or a group's members together (EU27), or
/// all exporters (`None`).
pub fn timeline_of_area(compiled: &Compiled, cells: &CellSet, from: Date, to: Date, partner: Option<AreaCode>, registry: &AreaRegistry) -> Vec<TimelinePoint> {
    let selection = partner.map(|p| members_of(p, registry));
    timelines_of(compiled, cells, from, to, &[selection]).pop().unwrap_or_default()
}

fn timelines_of(compiled: &Compiled, cells: &CellSet, from: Date, to: Date, partners: &[Option<Vec<AreaCode>>]) -> Vec<Vec<TimelinePoint>> {
    let selections: Vec<(Vec<usize>, f64)> = partners
        .iter()
        .map(|partner| {
            let idx: Vec<usize> =
                (0..cells.cells.len()).filter(|&i| partner.as_ref().is_none_or(|p| p.contains(&cells.cells[i].exporter))).collect();
            let value = idx.iter().map(|&i| cells.cells[i].value_usd).sum();
            (idx, value)
        })
        .collect();
    let summarise = |eval: &Evaluation, idx: &[usize], value: f64| -> (f64, f64, BTreeMap<String, f64>) {
        let mut slots = [0.0; N_SLOTS];
        let mut revenue = 0.0;
        for &i in idx {
            let v = cells.cells[i].value_usd;
            revenue += v * eval.total_pct[i] / 100.0;
            // Most slots of a cell are zero: skipped, which leaves each sum exactly as it was.
            for (slot, &b) in slots.iter_mut().zip(&eval.by_slot[i]) {
                if b != 0.0 {
                    *slot += v * b / 100.0;
                }
            }
        }
        let by: BTreeMap<String, f64> =
            (0..N_SLOTS).filter(|&s| slots[s].abs() > 0.0).map(|s| (slot_name(s).to_string(), etr(slots[s], value))).collect();
        (etr(revenue, value), revenue, by)
    };
    let mut out: Vec<Vec<TimelinePoint>> = vec![Vec::new(); partners.len()];
    let mut day = from;
    let mut current: Vec<(f64, f64, BTreeMap<String, f64>)> = Vec::new();
    let mut next_change = from;
    // One full evaluation, then each breakpoint re-evaluates only the cells it can change.
    let index = compiled.change_index();
    let mut eval: Option<Evaluation> = None;
    while day <= to {
        if current.is_empty() || day >= next_change {
            let eval = match eval.as_mut() {
                None => eval.insert(compiled.evaluate(day)),
                Some(e) => {
                    compiled.advance(e, day, &index);
                    e
                }
            };
            current = selections.iter().map(|(idx, value)| summarise(eval, idx, *value)).collect();
            next_change = compiled.breakpoints.iter().copied().find(|b| *b > day).unwrap_or(to.add_days(1));
        }
        for (series, (e, r, by)) in out.iter_mut().zip(&current) {
            series.push(TimelinePoint { date: day, etr_pct: *e, revenue_usd: *r, by_authority_pp: by.clone() });
        }
        day = day.add_days(1);
    }
    out
}

/// One step of an explanation.
#[derive(Clone, Debug, Serialize)]
pub struct ExplainStep {
    /// Measure id.
    pub measure: String,
    /// Authority.
    pub authority: String,
    /// Legal source.
    pub legal: String,
    /// Rate the measure sets, percent.
    pub rate_pct: Option<f64>,
    /// How it stacks.
    pub stacking: String,
    /// Share of the value it covers.
    pub share: f64,
    /// Points it adds on the date.
    pub contribution_pp: f64,
    /// applied / not in force / exempt / excluded / not for this exporter / not this product.
    pub status: String,
    /// In force from, until.
    pub effective: Date,
    /// First day no longer in force.
    pub expires: Option<Date>,
    /// Rules for missing data behind the share (e.g. `metal-content-sibling`).
    pub assumptions: Vec<String>,
    /// How the share was found, when it is not the whole value.
    pub share_basis: Option<String>,
}

/// One member of a group in a group's explanation.
#[derive(Clone, Debug, Serialize)]
pub struct MemberRate {
    /// Member.
    pub partner: AreaCode,
    /// Its 2024 imports of the line, USD.
    pub imports_2024_usd: f64,
    /// How those imports are known.
    pub imports_basis: String,
    /// Its applied rate on the line, percent.
    pub total_pct: f64,
}

/// Why a rate is what it is.
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// Scenario.
    pub scenario: String,
    /// Exporter (or group).
    pub partner: AreaCode,
    /// Product.
    pub hs10: String,
    /// Description.
    pub description: String,
    /// Date.
    pub date: Date,
    /// MFN line used.
    pub mfn: MfnRate,
    /// Preference share applied to MFN, and where it comes from.
    pub preference_share: f64,
    /// Source of the preference share.
    pub preference_source: String,
    /// Base rate after preferences, percent.
    pub base_pct: f64,
    /// 2024 imports of this line from the partner, USD (0 if none); for a group, its members'.
    pub imports_2024_usd: f64,
    /// How those imports are known: an HS10 cell, or a chapter's value times the line's share
    /// of the proxy mix.
    pub imports_basis: String,
    /// Measures that could apply, in evaluation order (for a group: those of its member with
    /// the largest imports of the line).
    pub steps: Vec<ExplainStep>,
    /// Whose steps they are: the partner, or for a group the member with the largest imports.
    pub steps_for: AreaCode,
    /// The applied rate, percent; for a group, the member-import-weighted mean.
    pub total_pct: f64,
    /// Rules for missing data behind the rate (base and measures that added duty).
    pub assumptions: Vec<String>,
    /// For a group: each member's imports and rate.
    pub members: Vec<MemberRate>,
}

/// A partner's 2024 imports of one line: its HS10 cell, or its chapter's HS2 proxy cell times
/// the line's weight in the proxy mix.
fn line_imports(cells: &CellSet, partner: AreaCode, code: HsCode) -> (f64, String) {
    if let Some(c) = cells.cells.iter().find(|c| c.exporter == partner && c.code == code && c.granularity == Granularity::Hs10) {
        return (c.value_usd, "HS10 imports for consumption, 2024".into());
    }
    let chapter = code.chapter();
    let proxy_cell = cells.cells.iter().find(|c| {
        c.exporter == partner && c.granularity == Granularity::Hs2Proxy && c.code.chapter() == chapter
    });
    if let Some(c) = proxy_cell {
        if let Some(proxy) = c.proxy {
            let weight = cells
                .proxies
                .get(&(proxy, code.chapter_number()))
                .and_then(|lines| lines.iter().find(|(l, _)| *l == code).map(|(_, w)| *w))
                .unwrap_or(0.0);
            return (
                c.value_usd * weight,
                format!(
                    "estimated: chapter {} imports {:.1} $M × the line's share {:.4} of the {} mix (hs2-proxy-mix)",
                    chapter,
                    c.value_usd / 1e6,
                    weight,
                    match proxy {
                        crate::cells::Proxy::EuResidual => "EU residual",
                        crate::cells::Proxy::AllHs10Partners => "all-HS10-partners",
                    }
                ),
            );
        }
    }
    (0.0, "no 2024 imports of the line in the data".into())
}

/// Explains the rate of one exporter × HS10 line on a date. For a group (EU27), each member
/// is explained and the rate is the mean weighted by members' 2024 imports of the line; the
/// steps shown are those of the member with the largest imports.
pub fn explain(data: &TariffData, scenario: &Scenario, partner: AreaCode, code: HsCode, date: Date, description: String) -> Explanation {
    let code = code.with_vintage(HsVintage::Hs2022);
    let members = members_of(partner, data.registry);
    if members.len() == 1 && members[0] == partner {
        return explain_one(data, scenario, partner, code, date, description);
    }
    let mut parts: Vec<Explanation> = members.iter().map(|m| explain_one(data, scenario, *m, code, date, description.clone())).collect();
    let total_value: f64 = parts.iter().map(|e| e.imports_2024_usd).sum();
    let total_pct = if total_value > 0.0 {
        parts.iter().map(|e| e.total_pct * e.imports_2024_usd).sum::<f64>() / total_value
    } else {
        parts.iter().map(|e| e.total_pct).sum::<f64>() / parts.len().max(1) as f64
    };
    let member_rates: Vec<MemberRate> = parts
        .iter()
        .map(|e| MemberRate { partner: e.partner, imports_2024_usd: e.imports_2024_usd, imports_basis: e.imports_basis.clone(), total_pct: e.total_pct })
        .collect();
    let mut assumptions: Vec<String> = parts.iter().flat_map(|e| e.assumptions.iter().cloned()).collect();
    assumptions.sort();
    assumptions.dedup();
    let lead = parts
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.imports_2024_usd.total_cmp(&b.1.imports_2024_usd).then(b.0.cmp(&a.0)))
        .map_or(0, |(i, _)| i);
    let mut out = parts.swap_remove(lead);
    let lead_member = out.partner;
    out.partner = partner;
    out.imports_2024_usd = total_value;
    out.imports_basis = format!(
        "sum over {} members ({} with imports of the line); steps shown for {lead_member}",
        member_rates.len(),
        member_rates.iter().filter(|m| m.imports_2024_usd > 0.0).count(),
    );
    out.total_pct = total_pct;
    out.assumptions = assumptions;
    out.members = member_rates;
    out
}

fn explain_one(data: &TariffData, scenario: &Scenario, partner: AreaCode, code: HsCode, date: Date, description: String) -> Explanation {
    let (imports, imports_basis) = line_imports(&data.us_cells, partner, code);
    let cell = Cell { exporter: partner, code, value_usd: imports, duty_usd: None, granularity: Granularity::Hs10, proxy: None };
    let cells = CellSet {
        importer: scenario.importer,
        year: 2024,
        cells: vec![cell],
        proxies: Default::default(),
        coverage: kanzei_core::Coverage::new("explain", "one cell", "USD"),
    };
    let compiled = Compiled::new(scenario, &cells, &data.schedule, &data.inputs);
    let eval = compiled.evaluate(date);
    let (base_pct, mfn) = base_rate(scenario, &cell, &data.schedule, &cells, &data.inputs);
    let (pref_share, pref_source) = if scenario.base.preferences {
        Schedule::preference_share(&data.inputs, partner, code, scenario.base.usmca_share_year)
    } else {
        (0.0, "preferences not modelled in this scenario")
    };
    let metal = crate::engine::MetalIndex::new(&data.inputs);
    let entries = compiled.cell_entries(0);
    // Re-run the stacking step by step to attribute contributions to measures.
    let mut steps = Vec::new();
    let mut total = base_pct;
    let mut slots = [0.0f64; N_SLOTS];
    slots[BASE_SLOT] = base_pct;
    let mut covered = [0.0f64; N_SLOTS];
    let mut order: Vec<usize> = (0..scenario.measures.len()).collect();
    order.sort_by_key(|&mi| !scenario.measures[mi].not_with.is_empty() || !scenario.measures[mi].excluded_by.is_empty());
    for mi in order {
        let m = &scenario.measures[mi];
        let entry = entries.iter().find(|e| e.0 == mi);
        let exporter_ok = m.exporters.contains(partner);
        let rate = measure_rate(m, partner, &data.inputs);
        let (status, share, contribution) = match entry {
            None if !exporter_ok => ("not for this exporter".to_string(), 0.0, 0.0),
            None if rate.is_none() => ("no rate for this exporter".to_string(), 0.0, 0.0),
            None => ("does not cover this product".to_string(), 0.0, 0.0),
            Some(&(_, rate_pct, share, exempt_from, _)) => {
                if !m.in_force(date) {
                    (if date < m.effective { "not yet in force" } else { "expired" }.to_string(), share, 0.0)
                } else if exempt_from.is_some_and(|d| d <= date) {
                    (format!("excluded from {}", exempt_from.map(|d| d.to_string()).unwrap_or_default()), share, 0.0)
                } else {
                    let slot = 1 + crate::scenario::AUTHORITIES.iter().position(|(_, a)| *a == m.authority).unwrap_or(0);
                    let slot_of = |a: &crate::scenario::Authority| 1 + crate::scenario::AUTHORITIES.iter().position(|(_, x)| x == a).unwrap_or(0);
                    let mut blocked = m.not_with.iter().map(|a| covered[slot_of(a)]).fold(0.0, f64::max);
                    if m.excluded_by.iter().any(|a| covered[slot_of(a)] > 0.0) {
                        blocked = 1.0;
                    }
                    let eff = share * (1.0 - blocked);
                    let c = match m.stacking {
                        crate::scenario::Stacking::Add => rate_pct * eff,
                        crate::scenario::Stacking::Floor => (rate_pct - base_pct).max(0.0) * eff,
                        crate::scenario::Stacking::Max => (rate_pct * eff - slots[slot]).max(0.0),
                        crate::scenario::Stacking::Replace => (rate_pct - total) * eff,
                    };
                    slots[slot] += c;
                    total += c;
                    if eff > 0.0 {
                        covered[slot] = match m.stacking {
                            crate::scenario::Stacking::Add => (covered[slot] + eff).min(1.0),
                            _ => covered[slot].max(eff),
                        };
                    }
                    let status = if blocked >= 1.0 - 1e-12 {
                        let names: Vec<&str> = m.not_with.iter().chain(&m.excluded_by).map(|a| a.as_str()).collect();
                        format!("not owed on goods under {}", names.join(", "))
                    } else if c.abs() < 1e-12 {
                        "applies, adds nothing (rate already reached)".to_string()
                    } else {
                        "applied".to_string()
                    };
                    (status, eff, c)
                }
            }
        };
        // Only show measures that concern this exporter and product.
        let Some(&(_, _, _, _, used)) = entry else { continue };
        steps.push(ExplainStep {
            measure: m.id.clone(),
            authority: m.authority.as_str().into(),
            legal: m.legal.clone(),
            rate_pct: rate,
            stacking: format!("{:?}", m.stacking).to_lowercase(),
            share,
            contribution_pp: contribution,
            status,
            effective: m.effective,
            expires: m.expires,
            assumptions: used.rules().map(|r| r.name().to_string()).collect(),
            share_basis: share_basis(m.applies_to, code, &metal, &data.inputs, used),
        });
    }
    debug_assert!((total - eval.total_pct[0]).abs() < 1e-9, "explanation {total} != evaluation {}", eval.total_pct[0]);
    let mut assumptions: Vec<String> = eval.assumptions[0].rules().map(|r| r.name().to_string()).collect();
    if imports_basis.contains("hs2-proxy-mix") {
        assumptions.push(crate::assumptions::Assumption::Hs2ProxyMix.name().to_string());
    }
    assumptions.sort();
    assumptions.dedup();
    Explanation {
        scenario: scenario.id.clone(),
        partner,
        hs10: code.to_string(),
        description,
        date,
        mfn,
        preference_share: pref_share,
        preference_source: pref_source.into(),
        base_pct,
        imports_2024_usd: imports,
        imports_basis,
        steps,
        steps_for: partner,
        total_pct: eval.total_pct[0],
        assumptions,
        members: Vec::new(),
    }
}

/// How a measure's share of a line's value was found, in words (metal content, USMCA share).
fn share_basis(
    applies_to: crate::scenario::AppliesTo,
    code: HsCode,
    metal: &crate::engine::MetalIndex,
    inputs: &TariffInputs,
    used: crate::assumptions::AssumptionSet,
) -> Option<String> {
    use crate::assumptions::Assumption;
    use crate::scenario::AppliesTo;
    let chapter = code.chapter_number();
    match applies_to {
        AppliesTo::SteelContent | AppliesTo::AluminumContent | AppliesTo::CopperContent | AppliesTo::MetalContent | AppliesTo::NonMetalContent => {
            let primary = match applies_to {
                AppliesTo::SteelContent => matches!(chapter, 72 | 73),
                AppliesTo::AluminumContent => chapter == 76,
                AppliesTo::CopperContent => chapter == 74,
                _ => false,
            };
            if primary {
                return Some(format!("chapter {chapter:02} pays on full value"));
            }
            if used.contains(Assumption::MetalContentFlat) {
                return Some(format!(
                    "no metal-content estimate for the line or any prefix: metal-content-flat ({}% of value is metal, split over the metals whose lists name the line; Budget Lab flat_share)",
                    100.0 * crate::engine::FLAT_METAL_SHARE
                ));
            }
            metal.estimate(code, inputs).map(|e| {
                let shares = format!("steel {:.4}, aluminum {:.4}, copper {:.4}", e.steel, e.aluminum, e.copper);
                match e.from_prefix {
                    Some((prefix, n)) => format!(
                        "line not in the BEA metal-content table: metal-content-sibling, mean of the {n} lines under {} ({shares})",
                        prefix.dotted()
                    ),
                    None => format!("BEA metal content of the line ({shares})"),
                }
            })
        }
        AppliesTo::NonUsmca | AppliesTo::UsmcaNonUsContent if used.contains(Assumption::UsmcaShareChapter) => {
            Some("no USMCA-claim share for the line: usmca-share-chapter (the chapter's 2024 preference share)".into())
        }
        _ => None,
    }
}
