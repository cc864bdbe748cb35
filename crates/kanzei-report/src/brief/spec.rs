//! Brief specifications: which partner, scenario, date and sections a brief has, as data.
//!
//! A spec is a small TOML file (schema 1, documented in `docs/briefs.md`). kanzei ships the
//! named briefs under `briefs/<name>/brief.toml` (compiled in); for any other partner
//! [`BriefSpec::for_partner`] gives the default spec: the common sections, the shipped U.S.
//! scenario, dated at the last event the scenario knows.

use serde::Deserialize;
use thiserror::Error;

/// The spec schema this kanzei reads.
pub const SCHEMA_VERSION: u32 = 1;

/// The briefs kanzei ships: (name, spec file, spec text, claims file, claims text).
pub const SHIPPED: &[ShippedBrief] = &[ShippedBrief {
    name: "us-japan-2025",
    spec_file: "briefs/us-japan-2025/brief.toml",
    spec: include_str!("../../../../briefs/us-japan-2025/brief.toml"),
    claims: Some(crate::claims::US_JAPAN_2025),
}];

/// A brief shipped with kanzei.
#[derive(Clone, Copy, Debug)]
pub struct ShippedBrief {
    /// Its name (`kanzei brief NAME`).
    pub name: &'static str,
    /// The spec's path in the repository.
    pub spec_file: &'static str,
    /// The spec's text.
    pub spec: &'static str,
    /// The claims file (path, text), if any.
    pub claims: Option<(&'static str, &'static str)>,
}

/// A section a brief can have. The common ones name no country; the partner-specific ones
/// need data kanzei has for one partner only (Japan's customs statistics, Toyota's results).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SectionKind {
    /// Key points in words, drawn from the other sections.
    Summary,
    /// Trade with the partner: totals, balance, rank, history (Census FT-900).
    Trade,
    /// U.S. imports from the partner by HS chapter, with 2024 duties and the scenario's rate.
    Exposure,
    /// The partner's rate through the scenario's timeline, by legal authority, beside its
    /// competitors, and any what-ifs.
    Tariffs,
    /// The partner's value added in U.S. imports by the country that ships it (WIOD 2011).
    ValueAdded,
    /// SMART diversion in the partner's largest product and Caliendo–Parro welfare.
    Effects,
    /// U.S. consumer prices and household cost (BEA IO), collected vs statutory duties.
    WhoPays,
    /// How the brief was made, its limits and sources.
    Method,
    /// Japan's own customs statistics: its exports to the U.S. by commodity group (MOF).
    JapanExports,
    /// Where Toyota builds its vehicles.
    ToyotaProduction,
    /// Japan's LNG imports and the investment pledge as offsets.
    LngOffsets,
    /// Japan's defence spending paths and host-nation support.
    AllianceLedger,
    /// The models' predictions for Japan's exports to the U.S. beside what the MOF data
    /// recorded (observed vs modelled).
    Observed,
    /// The claims file's `later` developments dated on or before the brief's date, with their
    /// legal sources and the partner's rate on each date.
    WhatNext,
}

impl SectionKind {
    /// Whether the section reads what sections before it in the spec found (the alliance
    /// ledger quotes the trade balance and duties; observed reads the SMART results), so it is
    /// built after them rather than beside them.
    pub fn reads_earlier_sections(self) -> bool {
        matches!(self, SectionKind::AllianceLedger | SectionKind::Observed)
    }

    /// A rough rank of how long the section takes to build, for starting the slow ones first.
    pub fn cost(self) -> u8 {
        match self {
            SectionKind::Effects => 5,
            SectionKind::Tariffs | SectionKind::WhoPays => 4,
            SectionKind::ValueAdded => 3,
            SectionKind::Exposure => 2,
            _ => 1,
        }
    }
}

/// Every section kind with its name in a spec file.
pub const SECTION_NAMES: &[(&str, SectionKind)] = &[
    ("summary", SectionKind::Summary),
    ("trade", SectionKind::Trade),
    ("exposure", SectionKind::Exposure),
    ("tariffs", SectionKind::Tariffs),
    ("value-added", SectionKind::ValueAdded),
    ("effects", SectionKind::Effects),
    ("who-pays", SectionKind::WhoPays),
    ("method", SectionKind::Method),
    ("japan-exports", SectionKind::JapanExports),
    ("toyota-production", SectionKind::ToyotaProduction),
    ("lng-offsets", SectionKind::LngOffsets),
    ("alliance-ledger", SectionKind::AllianceLedger),
    ("observed", SectionKind::Observed),
    ("what-next", SectionKind::WhatNext),
];

/// The sections of a brief that does not list its own, in order.
pub const DEFAULT_SECTIONS: &[SectionKind] = &[
    SectionKind::Summary,
    SectionKind::Trade,
    SectionKind::Exposure,
    SectionKind::Tariffs,
    SectionKind::ValueAdded,
    SectionKind::Effects,
    SectionKind::WhoPays,
    SectionKind::Method,
];

impl SectionKind {
    /// The name used in spec files.
    pub fn name(self) -> &'static str {
        SECTION_NAMES.iter().find(|(_, k)| *k == self).map_or("?", |(n, _)| n)
    }

    /// Sections that only make sense for one partner: (kind, partner).
    pub fn only_for(self) -> Option<&'static str> {
        match self {
            SectionKind::JapanExports | SectionKind::ToyotaProduction | SectionKind::LngOffsets | SectionKind::AllianceLedger | SectionKind::Observed => Some("JPN"),
            _ => None,
        }
    }
}

/// A what-if scenario shown beside the enacted one.
#[derive(Clone, Debug, PartialEq)]
pub struct WhatIf {
    /// Shipped scenario id.
    pub scenario: String,
    /// Label in the table.
    pub label: String,
}

/// What a brief contains.
#[derive(Clone, Debug, PartialEq)]
pub struct BriefSpec {
    /// Name (output folder `brief-NAME`).
    pub name: String,
    /// Title; default "U.S. tariffs and {partner}".
    pub title: Option<String>,
    /// Subtitle.
    pub subtitle: Option<String>,
    /// The partner: an ISO3 code, a group (`EU27`) or a name kanzei resolves.
    pub partner: String,
    /// U.S. tariff scenario (shipped id).
    pub scenario: String,
    /// Scenario the changes are measured against.
    pub baseline: String,
    /// Evaluation date; `None`: the last dated event of the scenario.
    pub date: Option<String>,
    /// Sections in order.
    pub sections: Vec<SectionKind>,
    /// Claims file (path as written, text), checked and shown in the brief.
    pub claims: Option<(String, String)>,
    /// Competitors shown beside the partner; empty: the partner's five largest rivals in
    /// U.S. imports of its main products.
    pub peers: Vec<String>,
    /// HS heading for the SMART section; `None`: the partner's largest heading.
    pub pe_product: Option<String>,
    /// What-if scenarios.
    pub what_ifs: Vec<WhatIf>,
}

/// A spec file that cannot be read: file, line and key.
#[derive(Clone, Debug, Error, PartialEq)]
#[error("{file}:{line}: {key}{message}")]
pub struct SpecError {
    /// File.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Key (with ": " appended when present).
    pub key: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    schema: toml::Spanned<u32>,
    name: Option<String>,
    title: Option<String>,
    subtitle: Option<String>,
    partner: toml::Spanned<String>,
    #[serde(default = "default_scenario")]
    scenario: String,
    #[serde(default = "default_baseline")]
    baseline: String,
    date: Option<toml::Spanned<String>>,
    sections: Option<Vec<toml::Spanned<String>>>,
    claims: Option<String>,
    #[serde(default)]
    peers: Vec<String>,
    pe_product: Option<toml::Spanned<String>>,
    #[serde(default)]
    what_if: Vec<RawWhatIf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhatIf {
    scenario: String,
    label: String,
}

fn default_scenario() -> String {
    "us-2025".into()
}

fn default_baseline() -> String {
    "us-2024-baseline".into()
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl BriefSpec {
    /// The default brief for a partner: the common sections on the shipped scenario.
    pub fn for_partner(partner: &str) -> BriefSpec {
        BriefSpec {
            name: format!("us-{}", partner.to_ascii_lowercase()),
            title: None,
            subtitle: None,
            partner: partner.to_string(),
            scenario: default_scenario(),
            baseline: default_baseline(),
            date: None,
            sections: DEFAULT_SECTIONS.to_vec(),
            claims: None,
            peers: Vec::new(),
            pe_product: None,
            what_ifs: Vec::new(),
        }
    }

    /// A shipped brief by name.
    pub fn shipped(name: &str) -> Option<BriefSpec> {
        let s = SHIPPED.iter().find(|s| s.name == name)?;
        let mut spec = BriefSpec::parse(s.spec_file, s.spec).expect("shipped brief specs parse (tested)");
        spec.claims = s.claims.map(|(f, t)| (f.to_string(), t.to_string()));
        Some(spec)
    }

    /// Parses a spec file. `claims` in the file is returned as written; the caller reads it
    /// (see [`BriefSpec::claims_path`]) and sets [`BriefSpec::claims`].
    pub fn parse(file: &str, text: &str) -> Result<BriefSpec, SpecError> {
        let err = |line: usize, key: &str, message: String| SpecError {
            file: file.to_string(),
            line,
            key: if key.is_empty() { String::new() } else { format!("`{key}`: ") },
            message,
        };
        let raw: RawSpec = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_of(text, s.start));
            let message = e.message().to_string();
            let key = message.split('`').nth(1).unwrap_or("").to_string();
            err(line, if message.contains("unknown field") { "" } else { &key }, format!("{message}{}", if message.contains("unknown field") { "" } else { "" }))
        })?;
        if *raw.schema.get_ref() != SCHEMA_VERSION {
            return Err(err(line_of(text, raw.schema.span().start), "schema", format!("schema {} is not supported; this kanzei reads brief schema {SCHEMA_VERSION}", raw.schema.get_ref())));
        }
        let partner = raw.partner.get_ref().trim().to_string();
        if partner.is_empty() {
            return Err(err(line_of(text, raw.partner.span().start), "partner", "is empty; give an ISO3 code (KOR), a group (EU27) or a name (Korea)".into()));
        }
        let sections = match raw.sections {
            None => DEFAULT_SECTIONS.to_vec(),
            Some(list) => {
                let mut out = Vec::new();
                for s in list {
                    let name = s.get_ref().as_str();
                    let Some((_, kind)) = SECTION_NAMES.iter().find(|(n, _)| *n == name) else {
                        let hint = kanzei_core::text::closest(name, SECTION_NAMES.iter().map(|(n, _)| *n))
                            .map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
                        return Err(err(
                            line_of(text, s.span().start),
                            "sections",
                            format!("unknown section `{name}`{hint}; sections: {}", SECTION_NAMES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")),
                        ));
                    };
                    if out.contains(kind) {
                        return Err(err(line_of(text, s.span().start), "sections", format!("section `{name}` is listed twice")));
                    }
                    out.push(*kind);
                }
                out
            }
        };
        if let Some(d) = &raw.date {
            if d.get_ref().parse::<kanzei_tariff::date::Date>().is_err() {
                return Err(err(line_of(text, d.span().start), "date", format!("`{}` is not a date; use YYYY-MM-DD", d.get_ref())));
            }
        }
        if let Some(p) = &raw.pe_product {
            let code = p.get_ref();
            if code.len() != 4 || !code.chars().all(|c| c.is_ascii_digit()) {
                return Err(err(line_of(text, p.span().start), "pe_product", format!("`{code}` is not an HS heading; give four digits (e.g. 8703)")));
            }
        }
        Ok(BriefSpec {
            name: raw.name.unwrap_or_else(|| format!("us-{}", partner.to_ascii_lowercase())),
            title: raw.title,
            subtitle: raw.subtitle,
            partner,
            scenario: raw.scenario,
            baseline: raw.baseline,
            date: raw.date.map(|d| d.into_inner()),
            sections,
            claims: raw.claims.map(|c| (c, String::new())),
            peers: raw.peers,
            pe_product: raw.pe_product.map(|p| p.into_inner()),
            what_ifs: raw.what_if.into_iter().map(|w| WhatIf { scenario: w.scenario, label: w.label }).collect(),
        })
    }

    /// The claims file named in the spec, as written (relative to the spec's folder).
    pub fn claims_path(&self) -> Option<&str> {
        self.claims.as_ref().map(|(p, _)| p.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_specs_parse() {
        for s in SHIPPED {
            let spec = BriefSpec::shipped(s.name).unwrap();
            assert_eq!(spec.name, s.name);
            assert!(spec.sections.contains(&SectionKind::Trade));
        }
        let jp = BriefSpec::shipped("us-japan-2025").unwrap();
        assert_eq!(jp.partner, "JPN");
        assert!(jp.claims.as_ref().is_some_and(|(_, t)| t.contains("[[claim]]")));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = BriefSpec::parse("b.toml", "schema = 1\npartner = \"KOR\"\nsections = [\"trade\", \"tarifs\"]\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.to_string().starts_with("b.toml:3: `sections`: unknown section `tarifs` (did you mean `tariffs`?)"), "{e}");
        let e = BriefSpec::parse("b.toml", "schema = 1\npartner = \"KOR\"\ndate = \"2025-02-30\"\n").unwrap_err();
        assert_eq!((e.line, e.key.as_str()), (3, "`date`: "));
        let e = BriefSpec::parse("b.toml", "schema = 1\npartner = \"KOR\"\ncolour = 1\n").unwrap_err();
        assert!(e.to_string().contains("b.toml:3") && e.to_string().contains("colour"), "{e}");
        let e = BriefSpec::parse("b.toml", "schema = 2\npartner = \"KOR\"\n").unwrap_err();
        assert!(e.to_string().contains("schema 2 is not supported"), "{e}");
        let e = BriefSpec::parse("b.toml", "schema = 1\npartner = \"KOR\"\npe_product = \"87\"\n").unwrap_err();
        assert!(e.to_string().contains("four digits"), "{e}");
    }

    #[test]
    fn defaults_are_the_common_sections() {
        let s = BriefSpec::parse("b.toml", "schema = 1\npartner = \"Korea\"\n").unwrap();
        assert_eq!(s.sections, DEFAULT_SECTIONS);
        assert_eq!((s.scenario.as_str(), s.baseline.as_str(), s.date.as_deref()), ("us-2025", "us-2024-baseline", None));
        assert_eq!(s, BriefSpec { name: "us-korea".into(), partner: "Korea".into(), ..BriefSpec::for_partner("Korea") });
    }
}
