//! The rules the engine applies when a cell's evaluation needs data that are missing, each
//! with a name, what it does and where it comes from (`docs/scenarios.md`, "Rules for missing
//! data").
//!
//! No rate is silently defaulted: every cell records which of these rules it used (a bit set,
//! [`AssumptionSet`]), the evaluation carries them per cell on a date, and `kanzei tariff rates`
//! reports the number of cells and the 2024 value behind each rule.

use serde::Serialize;

/// A rule used because some input was missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Assumption {
    /// A derivative line with no row in the BEA metal-content table takes the mean shares of
    /// the table's lines under its longest prefix that has any (HS8, HS6, HS4, then HS2).
    MetalContentSibling,
    /// No metal-content estimate even at the chapter: the Budget Lab flat share (0.5 of value is
    /// metal), split evenly over the metals whose derivative lists name the line.
    MetalContentFlat,
    /// A Canadian or Mexican HS10 line with no USMCA-claim share: the chapter's 2024 share of
    /// imports entering under a preference stands in for it.
    UsmcaShareChapter,
    /// A partner with recorded preference use in some chapters but none in this one (with a
    /// non-zero MFN rate): the preference share is taken as 0.
    PreferenceShareZero,
    /// An HS2 chapter of a partner without HS10 data: the product mix is a proxy's.
    Hs2ProxyMix,
    /// A specific or compound MFN duty valued at its 2024 ad valorem equivalent.
    MfnAve2024,
    /// A specific or compound MFN duty with no 2024 imports to value it: only the ad valorem part.
    MfnAdValoremPartOnly,
    /// A code not in the 2025 HTS at any length: MFN 0.
    MfnNotInSchedule,
    /// HTS rate text kanzei cannot read (not `Free`, a percent, or ¢/$ per unit terms): valued
    /// like a specific duty, at its 2024 AVE or its readable ad valorem part.
    MfnRateTextUnread,
    /// U.S. exports to an importer known only by chapter: a measure naming part of a chapter
    /// is taken to cover all of it (an upper bound).
    Hs2ExportWholeChapter,
}

/// Every rule, in report order.
pub const ALL: [Assumption; 10] = [
    Assumption::MetalContentSibling,
    Assumption::MetalContentFlat,
    Assumption::UsmcaShareChapter,
    Assumption::PreferenceShareZero,
    Assumption::Hs2ProxyMix,
    Assumption::MfnAve2024,
    Assumption::MfnAdValoremPartOnly,
    Assumption::MfnNotInSchedule,
    Assumption::MfnRateTextUnread,
    Assumption::Hs2ExportWholeChapter,
];

impl Assumption {
    /// The rule's name in output.
    pub fn name(self) -> &'static str {
        match self {
            Assumption::MetalContentSibling => "metal-content-sibling",
            Assumption::MetalContentFlat => "metal-content-flat",
            Assumption::UsmcaShareChapter => "usmca-share-chapter",
            Assumption::PreferenceShareZero => "preference-share-zero",
            Assumption::Hs2ProxyMix => "hs2-proxy-mix",
            Assumption::MfnAve2024 => "mfn-ave-2024",
            Assumption::MfnAdValoremPartOnly => "mfn-ad-valorem-part-only",
            Assumption::MfnNotInSchedule => "mfn-not-in-schedule",
            Assumption::MfnRateTextUnread => "mfn-rate-text-unread",
            Assumption::Hs2ExportWholeChapter => "hs2-export-whole-chapter",
        }
    }

    /// What the rule does, in a sentence.
    pub fn description(self) -> &'static str {
        match self {
            Assumption::MetalContentSibling => {
                "derivative line missing from the BEA metal-content table: mean shares of the table's lines under its longest listed prefix (HS8, HS6, HS4, HS2)"
            }
            Assumption::MetalContentFlat => {
                "no metal-content estimate at any prefix: 50% of value is metal, split evenly over the metals whose derivative lists name the line"
            }
            Assumption::UsmcaShareChapter => {
                "Canadian/Mexican HS10 line with no USMCA-claim share: the chapter's 2024 preference share"
            }
            Assumption::PreferenceShareZero => {
                "partner with preference use recorded in other chapters but not this one: preference share 0 (full MFN)"
            }
            Assumption::Hs2ProxyMix => "partner without HS10 data: the chapter's product mix is the proxy's (EU residual or all HS10 partners)",
            Assumption::MfnAve2024 => "specific or compound MFN duty: 2024 ad valorem equivalent from Census calculated duty",
            Assumption::MfnAdValoremPartOnly => "specific MFN duty with no 2024 imports to value it: ad valorem part only",
            Assumption::MfnNotInSchedule => "code not in the 2025 HTS at any length: MFN 0",
            Assumption::MfnRateTextUnread => {
                "HTS rate text kanzei cannot read (not Free, a percent, or ¢/$ per unit): valued like a specific duty (2024 AVE, or its readable ad valorem part)"
            }
            Assumption::Hs2ExportWholeChapter => {
                "U.S. exports known only by chapter: a measure naming part of a chapter covers all of it (upper bound)"
            }
        }
    }

    /// Where the rule (or the data it stands in for) comes from.
    pub fn source(self) -> &'static str {
        match self {
            Assumption::MetalContentSibling => {
                "Budget Lab tariff-rate-tracker, metal_content method 'bea' (resources/metal_content_shares_bea_hs10.csv: shares are per BEA detail industry)"
            }
            Assumption::MetalContentFlat => "Budget Lab tariff-rate-tracker, config/policy_params.yaml metal_content.flat_share = 0.50 (fallback for unmatched derivatives)",
            Assumption::UsmcaShareChapter => "Budget Lab resources/mfn_exemption_shares.csv (usmca_product_shares_2024/2025.csv lack the line)",
            Assumption::PreferenceShareZero => "Budget Lab resources/mfn_exemption_shares.csv has no row for the partner and chapter",
            Assumption::Hs2ProxyMix => "Trade War Tracker HS10 imports by partner (proxy) and USITC HS2 imports (value)",
            Assumption::MfnAve2024 => "USITC HTS 2025 column 1; Census 2024 calculated duty",
            Assumption::MfnAdValoremPartOnly => "USITC HTS 2025 column 1",
            Assumption::MfnNotInSchedule => "USITC HTS 2025 basic edition",
            Assumption::MfnRateTextUnread => "USITC HTS 2025 column 1, rate as printed",
            Assumption::Hs2ExportWholeChapter => "USITC DataWeb U.S. exports by HS2 and partner (no HS6 detail for the importer)",
        }
    }

    /// The rule's bit in an [`AssumptionSet`].
    pub fn bit(self) -> AssumptionSet {
        AssumptionSet(1 << (ALL.iter().position(|a| *a == self).expect("every rule is in ALL") as u16))
    }
}

/// A set of rules a cell used, as bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AssumptionSet(pub u16);

impl AssumptionSet {
    /// No rule.
    pub const EMPTY: AssumptionSet = AssumptionSet(0);

    /// Whether the set holds a rule.
    pub fn contains(self, rule: Assumption) -> bool {
        self.0 & rule.bit().0 != 0
    }

    /// Adds a rule.
    pub fn insert(&mut self, rule: Assumption) {
        self.0 |= rule.bit().0;
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The rules in the set, in report order.
    pub fn rules(self) -> impl Iterator<Item = Assumption> {
        ALL.into_iter().filter(move |a| self.contains(*a))
    }
}

impl std::ops::BitOr for AssumptionSet {
    type Output = AssumptionSet;
    fn bitor(self, other: AssumptionSet) -> AssumptionSet {
        AssumptionSet(self.0 | other.0)
    }
}

impl std::ops::BitOrAssign for AssumptionSet {
    fn bitor_assign(&mut self, other: AssumptionSet) {
        self.0 |= other.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_its_own_bit_and_a_distinct_name() {
        let mut seen = AssumptionSet::EMPTY;
        for rule in ALL {
            assert!(!seen.contains(rule), "{} shares a bit", rule.name());
            seen.insert(rule);
        }
        assert_eq!(seen.rules().count(), ALL.len());
        let mut names: Vec<&str> = ALL.iter().map(|a| a.name()).collect();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}

// The binary form of the pre-indexed tariff data (`kanzei_core::bin`).
impl kanzei_core::bin::Bin for Assumption {
    /// Its position in [`ALL`].
    fn put(&self, w: &mut kanzei_core::bin::Writer) {
        (ALL.iter().position(|a| a == self).expect("ALL lists every rule") as u8).put(w);
    }
    fn get(r: &mut kanzei_core::bin::Reader<'_>) -> Result<Self, kanzei_core::bin::BinError> {
        let i = u8::get(r)?;
        ALL.get(usize::from(i)).copied().ok_or_else(|| r.error(format!("{i} is not an assumption")))
    }
}
