//! The base schedule: MFN (column 1 general) rates from the HTS, as ad valorem equivalents,
//! and the preferences partners actually used.
//!
//! * Ad valorem rates are read from the HTS text. Specific and compound duties (¢/kg, $/doz.)
//!   have no rate in percent; kanzei estimates an ad valorem equivalent (AVE) per HS10 line
//!   from what Census calculated in 2024 on imports from partners that paid MFN there (no
//!   preference use in the chapter, not China), and says when it could not.
//! * Preferences: USMCA-qualifying shares by HS10 for Canada and Mexico; for every other
//!   partner, the share of a chapter's 2024 imports that entered under a preference (Yale
//!   Budget Lab's `mfn_exemption_shares`). The base rate of a cell is MFN × (1 − share).
//!
//! The HTS is the 2025 basic edition; 2024 trade codes it no longer has fall back to their
//! longest prefix that it does have, and the value evaluated that way is reported.

use crate::fxhash::FxHashMap as HashMap;

use kanzei_core::{AreaCode, HsCode, HsVintage};
use kanzei_data::hts::Hts;
use kanzei_data::tariff_inputs::TariffInputs;
use kanzei_data::us_imports::UsImports;
use kanzei_core::AreaRegistry;
use serde::Serialize;

use crate::rate::{parse_duty, Duty, DutyKind};

/// Where an MFN rate in percent came from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MfnSource {
    /// Read from the HTS text (ad valorem or free).
    Hts,
    /// Specific or compound duty: AVE estimated from 2024 calculated duties.
    Ave2024,
    /// Specific or compound duty with no 2024 imports to estimate from: only the ad valorem
    /// part (often 0) is counted.
    AdValoremPartOnly,
    /// The code is not in the 2025 HTS at any length.
    NotInSchedule,
}

impl MfnSource {
    /// The name used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            MfnSource::Hts => "hts",
            MfnSource::Ave2024 => "ave-2024",
            MfnSource::AdValoremPartOnly => "ad-valorem-part-only",
            MfnSource::NotInSchedule => "not-in-schedule",
        }
    }
}

/// The MFN rate of a product.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MfnRate {
    /// Rate in percent (ad valorem or AVE).
    pub pct: f64,
    /// How it was obtained.
    pub source: MfnSource,
    /// The HTS line that carries the rate (may be a parent of the code asked).
    pub line: Option<HsCode>,
    /// The rate as printed.
    pub text: String,
}

/// MFN rates for every HTS line, with AVEs.
#[derive(Clone, Debug)]
pub struct Schedule {
    rated: HashMap<HsCode, Duty>,
    text: HashMap<HsCode, String>,
    ave_by_hs10: HashMap<HsCode, f64>,
    ave_by_line: HashMap<HsCode, f64>,
}

/// A partner that paid MFN on a chapter in 2024: preference use under 5% and not China,
/// whose Section 301 duties would be mistaken for MFN.
fn pays_mfn(inputs: &TariffInputs, partner: AreaCode, chapter: u8) -> bool {
    partner.as_str() != "CHN" && inputs.preference_share.get(&(partner, chapter)).copied().unwrap_or(0.0) < 0.05
        && !matches!(partner.as_str(), "CAN" | "MEX")
}

impl Schedule {
    /// Builds the schedule from the HTS and 2024 imports (for AVEs).
    pub fn build(hts: &Hts, hs10: &UsImports, inputs: &TariffInputs, registry: &AreaRegistry) -> Schedule {
        let mut rated = HashMap::default();
        let mut text = HashMap::default();
        for line in &hts.lines {
            let Some(code) = line.code else { continue };
            let duty = parse_duty(&line.general);
            if duty.kind != DutyKind::Blank {
                rated.insert(code.with_vintage(HsVintage::Hs2022), duty);
                text.insert(code.with_vintage(HsVintage::Hs2022), line.general.clone());
            }
        }
        let mut schedule = Schedule { rated, text, ave_by_hs10: HashMap::default(), ave_by_line: HashMap::default() };
        // AVE estimation for lines with a specific component.
        let mut by_hs10: HashMap<HsCode, (f64, f64)> = HashMap::default();
        let mut by_line: HashMap<HsCode, (f64, f64)> = HashMap::default();
        for l in &hs10.lines {
            if l.census_code == 3 || l.value_usd <= 0.0 {
                continue;
            }
            let Some((line, duty)) = schedule.lookup(l.hs) else { continue };
            if !duty.has_specific() {
                continue;
            }
            let Some(area) = registry.by_census(l.census_code) else { continue };
            if !pays_mfn(inputs, area.code, l.hs.chapter_number()) {
                continue;
            }
            let e = by_hs10.entry(l.hs).or_insert((0.0, 0.0));
            e.0 += l.duty_usd;
            e.1 += l.value_usd;
            let e = by_line.entry(line).or_insert((0.0, 0.0));
            e.0 += l.duty_usd;
            e.1 += l.value_usd;
        }
        schedule.ave_by_hs10 = by_hs10.into_iter().filter(|(_, (_, v))| *v > 0.0).map(|(k, (d, v))| (k, 100.0 * d / v)).collect();
        schedule.ave_by_line = by_line.into_iter().filter(|(_, (_, v))| *v > 0.0).map(|(k, (d, v))| (k, 100.0 * d / v)).collect();
        schedule
    }

    /// The HTS line carrying the rate for a code: the code itself or its longest rated prefix.
    fn lookup(&self, code: HsCode) -> Option<(HsCode, Duty)> {
        let code = code.with_vintage(HsVintage::Hs2022);
        for len in [10, 8, 6, 4] {
            if let Some(prefix) = code.prefix(len) {
                if let Some(duty) = self.rated.get(&prefix) {
                    return Some((prefix, *duty));
                }
            }
        }
        None
    }

    /// The MFN rate of an HS10 (or shorter) code.
    pub fn mfn(&self, code: HsCode) -> MfnRate {
        let code = code.with_vintage(HsVintage::Hs2022);
        let Some((line, duty)) = self.lookup(code) else {
            return MfnRate { pct: 0.0, source: MfnSource::NotInSchedule, line: None, text: String::new() };
        };
        let text = self.text.get(&line).cloned().unwrap_or_default();
        if !duty.has_specific() {
            return MfnRate { pct: duty.ad_valorem_pct, source: MfnSource::Hts, line: Some(line), text };
        }
        if let Some(ave) = self.ave_by_hs10.get(&code).or_else(|| self.ave_by_line.get(&line)) {
            return MfnRate { pct: *ave, source: MfnSource::Ave2024, line: Some(line), text };
        }
        MfnRate { pct: duty.ad_valorem_pct, source: MfnSource::AdValoremPartOnly, line: Some(line), text }
    }

    /// Share of a cell's value that enters under a preference, and from what.
    pub fn preference_share(inputs: &TariffInputs, exporter: AreaCode, code: HsCode, usmca_year: i32) -> (f64, &'static str) {
        if matches!(exporter.as_str(), "CAN" | "MEX") && code.len() == 10 {
            let shares = if usmca_year == 2025 { &inputs.usmca_share_2025 } else { &inputs.usmca_share };
            if let Some(share) = shares.get(&(exporter, code.with_vintage(HsVintage::Unspecified))) {
                let why = if usmca_year == 2025 {
                    "USMCA-claim share of 2025 imports of this HS10 line"
                } else {
                    "USMCA-claim share of 2024 imports of this HS10 line"
                };
                return (*share, why);
            }
        }
        match inputs.preference_share.get(&(exporter, code.chapter_number())) {
            Some(share) => (*share, "share of the chapter's 2024 imports entering under a preference"),
            None => (0.0, "no preference use recorded"),
        }
    }
}

// The binary form of the pre-indexed snapshot (`kanzei_core::bin`).
kanzei_core::bin_struct!(Schedule { rated, text, ave_by_hs10, ave_by_line });
kanzei_core::bin_enum!(MfnSource { Hts, Ave2024, AdValoremPartOnly, NotInSchedule });
