//! Scenario files: a declarative statement of tariff law over time.
//!
//! A scenario is TOML (schema 1, documented in `docs/scenarios.md`): an importer, a base
//! schedule (MFN column 1 from the HTS, with preferences as used), and a list of measures,
//! each with its authority, legal source, exporters, products, exclusions, rate, stacking
//! rule, partial exemption and dates. A scenario can `extends` another and override
//! measures by id, `remove` them, or add `[[exemption]]`s — that is how what-ifs are written.
//!
//! Parsing is strict: unknown keys, unknown authorities, HS codes of the wrong length,
//! unknown countries or lists, and dates out of order are errors that name the file, line
//! and key, and list the valid choices.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use kanzei_core::{AreaCode, AreaRegistry, HsCode};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::date::Date;

/// The schema version this code reads.
pub const SCHEMA_VERSION: i64 = 1;

/// Legal authorities a measure can rest on. The engine groups results by these.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Authority {
    /// Section 232 of the Trade Expansion Act of 1962 (national security).
    #[serde(rename = "s232")]
    S232,
    /// Section 301 of the Trade Act of 1974 (unfair practices; China).
    #[serde(rename = "s301")]
    S301,
    /// Section 201 of the Trade Act of 1974 (safeguards).
    #[serde(rename = "s201")]
    S201,
    /// Section 122 of the Trade Act of 1974 (balance of payments, 150 days).
    #[serde(rename = "s122")]
    S122,
    /// Section 338 of the Tariff Act of 1930 (duties on a country that discriminates against
    /// U.S. commerce; Canada, 2026).
    #[serde(rename = "s338")]
    S338,
    /// IEEPA duties on fentanyl and migration (Canada, Mexico, China).
    #[serde(rename = "ieepa-fentanyl")]
    IeepaFentanyl,
    /// IEEPA "reciprocal" duties.
    #[serde(rename = "ieepa-reciprocal")]
    IeepaReciprocal,
    /// Other IEEPA duties (Brazil, India's Russian-oil duty).
    #[serde(rename = "ieepa-other")]
    IeepaOther,
    /// Another country's counter-tariffs on U.S. goods.
    #[serde(rename = "retaliation")]
    Retaliation,
    /// Anything else.
    #[serde(rename = "other")]
    Other,
}

/// Every authority with its name in scenario files.
pub const AUTHORITIES: &[(&str, Authority)] = &[
    ("s232", Authority::S232),
    ("s301", Authority::S301),
    ("s201", Authority::S201),
    ("s122", Authority::S122),
    ("s338", Authority::S338),
    ("ieepa-fentanyl", Authority::IeepaFentanyl),
    ("ieepa-reciprocal", Authority::IeepaReciprocal),
    ("ieepa-other", Authority::IeepaOther),
    ("retaliation", Authority::Retaliation),
    ("other", Authority::Other),
];

impl Authority {
    /// The name used in scenario files and output.
    pub fn as_str(self) -> &'static str {
        AUTHORITIES.iter().find(|(_, a)| *a == self).map_or("other", |(n, _)| n)
    }

    fn parse(text: &str) -> Option<Authority> {
        AUTHORITIES.iter().find(|(n, _)| *n == text).map(|(_, a)| *a)
    }
}

impl fmt::Display for Authority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a measure combines with the rate already built up for a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stacking {
    /// Adds its rate.
    Add,
    /// Sets the total to its rate on the value it covers (base and earlier measures replaced).
    Replace,
    /// Raises its authority's contribution to its rate if that is lower (overlapping lists
    /// of one authority: Section 301 lists 1 and 3, 232 programmes), instead of adding.
    Max,
    /// Tops the base rate up to its rate, "inclusive of MFN": adds max(0, rate − base).
    Floor,
}

const STACKINGS: &[(&str, Stacking)] =
    &[("add", Stacking::Add), ("replace", Stacking::Replace), ("max", Stacking::Max), ("floor", Stacking::Floor)];

/// Which part of a cell's customs value a measure applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppliesTo {
    /// All of it.
    All,
    /// The steel content (Section 232 derivatives).
    SteelContent,
    /// The aluminum content.
    AluminumContent,
    /// The copper content.
    CopperContent,
    /// Steel plus aluminum content.
    MetalContent,
    /// Everything but the steel and aluminum content (what IEEPA duties hit on derivatives).
    NonMetalContent,
    /// Goods not claiming USMCA preference (share by HS10 from 2024 entries).
    NonUsmca,
    /// USMCA-qualifying goods pay on their non-U.S. content only (autos: 40% U.S. content
    /// assumed as in the Budget Lab parameters), others on their full value.
    UsmcaNonUsContent,
}

const APPLIES_TO: &[(&str, AppliesTo)] = &[
    ("all", AppliesTo::All),
    ("steel-content", AppliesTo::SteelContent),
    ("aluminum-content", AppliesTo::AluminumContent),
    ("copper-content", AppliesTo::CopperContent),
    ("metal-content", AppliesTo::MetalContent),
    ("non-metal-content", AppliesTo::NonMetalContent),
    ("non-usmca", AppliesTo::NonUsmca),
    ("usmca-non-us-content", AppliesTo::UsmcaNonUsContent),
];

/// Products a measure covers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ProductSet {
    /// Every product.
    All,
    /// HS prefixes and named lists.
    Items(Vec<ProductItem>),
}

/// One entry of a product set.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ProductItem {
    /// An HS prefix of any length.
    Prefix(HsCode),
    /// A named list (see `kanzei tariff lists`).
    List(String),
}

/// A product exclusion, possibly from a date on (Annex II additions of Nov 13, 2025).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Exclusion {
    /// What is excluded.
    pub item: ProductItem,
    /// From when (`None`: for the whole life of the measure).
    pub from: Option<Date>,
}

/// Exporters a measure covers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ExporterSet {
    /// Every exporter.
    All,
    /// These exporters (groups expanded).
    Only(Vec<AreaCode>),
    /// Every exporter except these.
    AllExcept(Vec<AreaCode>),
}

impl ExporterSet {
    /// Whether the set contains an exporter.
    pub fn contains(&self, exporter: AreaCode) -> bool {
        match self {
            ExporterSet::All => true,
            ExporterSet::Only(list) => list.contains(&exporter),
            ExporterSet::AllExcept(list) => !list.contains(&exporter),
        }
    }
}

/// A measure's rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum RateSpec {
    /// One rate for every exporter, percent.
    Flat(f64),
    /// Rates by exporter: a named table, overrides, and a default for exporters not listed.
    ByExporter {
        /// Named table the rates come from.
        table: Option<String>,
        /// Exporter-specific rates, percent (override the table).
        overrides: BTreeMap<AreaCode, f64>,
        /// Rate for exporters in neither, percent; `None` means the measure skips them.
        default: Option<f64>,
    },
}

/// One measure, validated.
#[derive(Clone, Debug, Serialize)]
pub struct Measure {
    /// Unique id within the scenario.
    pub id: String,
    /// Authority.
    pub authority: Authority,
    /// Legal source (EO, proclamation, FR citation, HTS heading).
    pub legal: String,
    /// Free-text note.
    pub note: String,
    /// Exporters covered.
    pub exporters: ExporterSet,
    /// Products covered.
    pub products: ProductSet,
    /// Products the measure is restricted to (intersection with `products`; empty = no
    /// restriction).
    pub within: Vec<ProductItem>,
    /// Products excluded, each from a date (`None` = always).
    pub exclude: Vec<Exclusion>,
    /// A fixed fraction of value the measure applies to (multiplies `applies_to`).
    pub value_share: f64,
    /// Rate.
    pub rate: RateSpec,
    /// Stacking rule.
    pub stacking: Stacking,
    /// Part of value the measure applies to.
    pub applies_to: AppliesTo,
    /// Authorities whose coverage this measure does not stack on: it applies only to the
    /// value share they leave uncovered (reciprocal duties on a derivative's non-metal content).
    pub not_with: Vec<Authority>,
    /// Authorities whose goods this measure does not apply to at all: any coverage by them
    /// removes the whole good (Canada/Mexico fentanyl duties on Section 232 goods).
    pub excluded_by: Vec<Authority>,
    /// First day in force.
    pub effective: Date,
    /// First day no longer in force (exclusive).
    pub expires: Option<Date>,
    /// Which scenario file defined it.
    pub defined_in: String,
}

impl Measure {
    /// Whether the measure is in force on a date.
    pub fn in_force(&self, date: Date) -> bool {
        self.effective <= date && self.expires.is_none_or(|e| date < e)
    }
}

/// Exporters taken out of some authorities' measures from a date (what-ifs).
#[derive(Clone, Debug, Serialize)]
pub struct Exemption {
    /// Exporters.
    pub exporters: Vec<AreaCode>,
    /// Authorities (all when empty).
    pub authorities: Vec<Authority>,
    /// From.
    pub effective: Date,
    /// Only measures taking effect on or after `effective` (the exporter keeps paying what it
    /// paid before, e.g. the 2018 steel duties).
    pub new_measures_only: bool,
    /// Why.
    pub note: String,
}

/// The first day kanzei's tariff law describes: scenarios build on the regime of 2024
/// (`us-2024-baseline`) and are evaluated on 2024 trade, so an earlier date has no law of
/// its own in kanzei.
pub const FIRST_DAY: Date = match Date::new(2024, 1, 1) {
    Some(d) => d,
    None => panic!("2024-01-01 is a date"),
};

impl Scenario {
    /// The last date on which anything in the scenario is known to change: the latest
    /// measure start or end, dated exclusion, exemption or timeline event. Evaluating a later
    /// date repeats that day's law; nothing after it is known. Callers that want "the latest
    /// law the scenario knows" (the brief's default date) use this. `None` for a scenario
    /// with nothing dated.
    pub fn coverage_end(&self) -> Option<Date> {
        let measures = self.measures.iter().flat_map(|m| {
            std::iter::once(m.effective).chain(m.expires).chain(m.exclude.iter().filter_map(|ex| ex.from))
        });
        measures
            .chain(self.exemptions.iter().map(|e| e.effective))
            .chain(self.events.iter().map(|e| e.date))
            .max()
    }

    /// A warning when `date` is before [`FIRST_DAY`] (the law before 2024 is not modelled:
    /// the rates shown are the 2024 regime's) or after [`Scenario::coverage_end`] (the rates
    /// are those of the last known day, and any later action is missing). `None` in between.
    pub fn coverage_warning(&self, date: Date) -> Option<String> {
        if date < FIRST_DAY {
            return Some(format!(
                "{date} is before {FIRST_DAY}, the first day kanzei's tariff law describes (the base is the 2025 MFN schedule with 2024 \
                 preference use, on 2024 trade); the law of {} is not modelled: the rates shown are that base plus the measures of \
                 scenario `{}` in force on {date}",
                date.year(),
                self.id
            ));
        }
        let end = self.coverage_end()?;
        (date > end).then(|| {
            format!(
                "{date} is after the last dated event of scenario `{}` ({end}); no event after {end} is known, so the rates shown are the law of {end}",
                self.id
            )
        })
    }
}

/// A dated annotation for timelines.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// Date.
    pub date: Date,
    /// Label.
    pub label: String,
}

/// How the base schedule is built.
#[derive(Clone, Debug, Serialize)]
pub struct BaseSpec {
    /// Whether MFN column 1 applies (false: measures only, e.g. retaliation without the
    /// importer's own schedule).
    pub mfn: bool,
    /// Whether preferences (USMCA, FTAs) reduce MFN as used in 2024.
    pub preferences: bool,
    /// Whether specific duties get an ad valorem equivalent from 2024 collections.
    pub specific_duty_ave: bool,
    /// Which year's USMCA-claim shares split Canadian and Mexican trade into qualifying and
    /// non-qualifying goods (2024, or 2025 when claims rose to escape the 2025 duties).
    pub usmca_share_year: i32,
    /// Whether USMCA-qualifying goods get the 2025 carve-outs (`applies_to = "non-usmca"`
    /// and `"usmca-non-us-content"`); `false` makes those measures apply to all value.
    pub usmca_carve_out: bool,
}

/// A validated scenario, with its parents merged in.
#[derive(Clone, Debug, Serialize)]
pub struct Scenario {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Importer.
    pub importer: AreaCode,
    /// Chain of files, root first.
    pub lineage: Vec<String>,
    /// Base schedule.
    pub base: BaseSpec,
    /// Measures, in evaluation order.
    pub measures: Vec<Measure>,
    /// Exemptions.
    pub exemptions: Vec<Exemption>,
    /// Timeline annotations.
    pub events: Vec<Event>,
}

// ---------------------------------------------------------------------------------------
// Raw file forms.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    schema: Spanned<i64>,
    id: Spanned<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    importer: Option<Spanned<String>>,
    extends: Option<Spanned<String>>,
    #[serde(default)]
    remove: Vec<Spanned<String>>,
    base: Option<RawBase>,
    #[serde(default, rename = "measure")]
    measures: Vec<RawMeasure>,
    #[serde(default, rename = "exemption")]
    exemptions: Vec<RawExemption>,
    #[serde(default, rename = "event")]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBase {
    mfn: Option<bool>,
    preferences: Option<bool>,
    specific_duty_ave: Option<bool>,
    usmca_share_year: Option<Spanned<i64>>,
    usmca_carve_out: Option<bool>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExporters {
    One(String),
    Many(Vec<String>),
    Except { all_except: Vec<String> },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawProductItem {
    Code(String),
    List { list: String },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawExclusion {
    Code(String),
    List { list: String, from: Option<String> },
    DatedCode { code: String, from: Option<String> },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawProducts {
    One(String),
    Many(Vec<RawProductItem>),
    List { list: String },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRate {
    Flat(f64),
    Table(BTreeMap<String, RawRateValue>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRateValue {
    Number(f64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    id: Spanned<String>,
    authority: Spanned<String>,
    #[serde(default)]
    legal: String,
    #[serde(default)]
    note: String,
    exporters: Spanned<RawExporters>,
    products: Spanned<RawProducts>,
    #[serde(default)]
    within: Vec<Spanned<RawProductItem>>,
    #[serde(default)]
    exclude: Vec<Spanned<RawExclusion>>,
    value_share: Option<Spanned<f64>>,
    rate_pct: Spanned<RawRate>,
    stacking: Option<Spanned<String>>,
    applies_to: Option<Spanned<String>>,
    #[serde(default)]
    not_with: Vec<Spanned<String>>,
    #[serde(default)]
    excluded_by: Vec<Spanned<String>>,
    effective: Spanned<String>,
    expires: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExemption {
    exporters: Vec<Spanned<String>>,
    #[serde(default)]
    authorities: Vec<Spanned<String>>,
    effective: Spanned<String>,
    #[serde(default)]
    new_measures_only: bool,
    #[serde(default)]
    note: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    date: Spanned<String>,
    label: String,
}

// ---------------------------------------------------------------------------------------
// Errors.

/// A scenario file problem, located.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{file}` line {line}{}: {message}", if key.is_empty() { String::new() } else { format!(", key `{key}`") })]
pub struct ScenarioError {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Dotted key path (`measure[3].authority`).
    pub key: String,
    /// What is wrong and what would be valid.
    pub message: String,
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].bytes().filter(|&b| b == b'\n').count() + 1
    }

    fn err<T>(&self, span: std::ops::Range<usize>, key: impl Into<String>, message: impl Into<String>) -> Result<T, ScenarioError> {
        Err(ScenarioError { file: self.file.into(), line: self.line_of(span.start), key: key.into(), message: message.into() })
    }

    fn date(&self, value: &Spanned<String>, key: &str) -> Result<Date, ScenarioError> {
        value.get_ref().parse::<Date>().or_else(|e| self.err(value.span(), key, e.to_string()))
    }
}

/// What a scenario may refer to: the lists and tables that exist, and the registry.
pub struct Vocabulary<'a> {
    /// Area registry for exporters.
    pub registry: &'a AreaRegistry,
    /// Names of the product lists.
    pub lists: Vec<String>,
    /// Names of the rate tables.
    pub tables: Vec<String>,
}

/// A set of scenario texts that `extends` can refer to by id.
pub trait ScenarioLibrary {
    /// The (file name, text) of a scenario id, if known.
    fn source(&self, id: &str) -> Option<(String, String)>;
    /// Ids available, for error messages.
    fn ids(&self) -> Vec<String>;
}

fn join_choices<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
}

/// The largest scenario file kanzei reads: 16 MiB, some 30,000 to 80,000 measures (the
/// shipped `us-2025.toml` has 81 measures in 43 kB, 534 bytes each with its legal citations;
/// a bare measure is about 125 bytes). Parsing is linear (30k bare measures in 0.5 s) but
/// compiling against 2024 trade takes seconds per 10,000 measures, so a file beyond this is
/// refused with a clear error rather than left to run for minutes.
pub const MAX_SCENARIO_BYTES: usize = 16 << 20;

fn check_size(file: &str, len: usize) -> Result<(), ScenarioError> {
    if len <= MAX_SCENARIO_BYTES {
        return Ok(());
    }
    Err(ScenarioError {
        file: file.into(),
        line: 1,
        key: String::new(),
        message: format!(
            "the file is {:.1} MiB, over the {} MiB limit for a scenario file; split it, or use `extends` and product lists (`kanzei tariff lists`) instead of repeating measures",
            len as f64 / (1 << 20) as f64,
            MAX_SCENARIO_BYTES >> 20
        ),
    })
}

/// Parses a scenario file's bytes: text that is not UTF-8 is an error naming the line and
/// byte offset.
pub fn parse_bytes(file: &str, bytes: &[u8], vocab: &Vocabulary<'_>, library: &dyn ScenarioLibrary) -> Result<Scenario, ScenarioError> {
    check_size(file, bytes.len())?;
    let text = crate::toml_text::decode(bytes)
        .map_err(|l| ScenarioError { file: file.into(), line: l.line, key: l.key, message: l.message })?;
    parse(file, text, vocab, library)
}

/// Parses a scenario file and its ancestors.
pub fn parse(file: &str, text: &str, vocab: &Vocabulary<'_>, library: &dyn ScenarioLibrary) -> Result<Scenario, ScenarioError> {
    parse_depth(file, text, vocab, library, 0)
}

fn parse_depth(
    file: &str,
    text: &str,
    vocab: &Vocabulary<'_>,
    library: &dyn ScenarioLibrary,
    depth: usize,
) -> Result<Scenario, ScenarioError> {
    check_size(file, text.len())?;
    let ctx = Ctx { file, text };
    let raw: RawScenario = toml::from_str(text).map_err(|err| {
        // toml's message is the first line of its Display; keep it without the snippet.
        let located = crate::toml_text::locate(text, err.span(), err.message());
        ScenarioError { file: file.into(), line: located.line, key: located.key, message: located.message }
    })?;
    if *raw.schema.get_ref() != SCHEMA_VERSION {
        return ctx.err(raw.schema.span(), "schema", format!("schema {} is not supported; this kanzei reads schema {SCHEMA_VERSION}", raw.schema.get_ref()));
    }
    let mut scenario = match &raw.extends {
        Some(parent) => {
            if depth > 8 {
                return ctx.err(parent.span(), "extends", "scenarios extend each other in a cycle or too deeply (more than 8 levels)");
            }
            let Some((parent_file, parent_text)) = library.source(parent.get_ref()) else {
                let ids = library.ids();
                return ctx.err(
                    parent.span(),
                    "extends",
                    format!("no scenario `{}`; known scenarios: {}", parent.get_ref(), join_choices(ids.iter().map(String::as_str))),
                );
            };
            parse_depth(&parent_file, &parent_text, vocab, library, depth + 1)?
        }
        None => {
            let Some(importer) = &raw.importer else {
                return ctx.err(0..0, "importer", "a scenario without `extends` must name its `importer` (ISO3, e.g. \"USA\")");
            };
            let area = vocab
                .registry
                .resolve(importer.get_ref())
                .or_else(|e| ctx.err(importer.span(), "importer", e.to_string().replace('\n', " ")))?;
            // A group (EU27, USMCA) is evaluated as the sum of its members; a statistical
            // aggregate or a historical area has no tariff schedule and no trade of its own.
            if !matches!(area.kind, kanzei_core::AreaKind::Country | kanzei_core::AreaKind::Group) {
                return ctx.err(
                    importer.span(),
                    "importer",
                    format!(
                        "`{}` ({}) is not a country or a group of countries and cannot be an importer; give an ISO3 code (e.g. \"CAN\") or a group such as \"EU27\"",
                        importer.get_ref(),
                        area.name
                    ),
                );
            }
            Scenario {
                id: String::new(),
                title: String::new(),
                description: String::new(),
                importer: area.code,
                lineage: vec![],
                base: BaseSpec { mfn: true, preferences: true, specific_duty_ave: true, usmca_share_year: 2024, usmca_carve_out: true },
                measures: vec![],
                exemptions: vec![],
                events: vec![],
            }
        }
    };
    if let (Some(importer), Some(_)) = (&raw.importer, &raw.extends) {
        let area = vocab.registry.resolve(importer.get_ref()).or_else(|e| ctx.err(importer.span(), "importer", e.to_string()))?;
        if area.code != scenario.importer {
            return ctx.err(importer.span(), "importer", format!("the parent scenario's importer is {}; a child cannot change it", scenario.importer));
        }
    }
    scenario.id = raw.id.get_ref().clone();
    if !raw.title.is_empty() {
        scenario.title = raw.title.clone();
    }
    if !raw.description.is_empty() {
        scenario.description = raw.description.clone();
    }
    scenario.lineage.push(file.to_string());
    if let Some(base) = &raw.base {
        if let Some(v) = base.mfn {
            scenario.base.mfn = v;
        }
        if let Some(v) = base.preferences {
            scenario.base.preferences = v;
        }
        if let Some(v) = base.specific_duty_ave {
            scenario.base.specific_duty_ave = v;
        }
        if let Some(v) = &base.usmca_share_year {
            if !matches!(*v.get_ref(), 2024 | 2025) {
                return ctx.err(v.span(), "base.usmca_share_year", format!("{} has no USMCA shares; expected 2024 or 2025", v.get_ref()));
            }
            scenario.base.usmca_share_year = *v.get_ref() as i32;
        }
        if let Some(v) = base.usmca_carve_out {
            scenario.base.usmca_carve_out = v;
        }
    }
    for id in &raw.remove {
        let before = scenario.measures.len();
        scenario.measures.retain(|m| m.id != *id.get_ref());
        if scenario.measures.len() == before {
            let known: Vec<&str> = scenario.measures.iter().map(|m| m.id.as_str()).collect();
            return ctx.err(id.span(), "remove", format!("no measure `{}` to remove; the parent has {}", id.get_ref(), join_choices(known)));
        }
    }
    // Indexes by id keep this loop linear in the number of measures (a scan per measure made
    // 64k measures take 35 s).
    let mut seen_ids: HashSet<String> = HashSet::new();
    let mut position: HashMap<String, usize> = scenario.measures.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
    for (idx, raw_measure) in raw.measures.iter().enumerate() {
        let measure = validate_measure(&ctx, idx, raw_measure, vocab)?;
        if !seen_ids.insert(measure.id.clone()) {
            return ctx.err(raw_measure.id.span(), format!("measure[{idx}].id"), format!("measure id `{}` is used twice in this file", measure.id));
        }
        // A measure with a parent's id replaces it in place.
        match position.get(&measure.id) {
            Some(&slot) => scenario.measures[slot] = measure,
            None => {
                position.insert(measure.id.clone(), scenario.measures.len());
                scenario.measures.push(measure);
            }
        }
    }
    for (idx, raw_ex) in raw.exemptions.iter().enumerate() {
        let key = format!("exemption[{idx}]");
        let mut exporters = Vec::new();
        for e in &raw_ex.exporters {
            exporters.extend(resolve_exporter(&ctx, e, &format!("{key}.exporters"), vocab)?);
        }
        let mut authorities = Vec::new();
        for a in &raw_ex.authorities {
            authorities.push(parse_authority(&ctx, a, &format!("{key}.authorities"))?);
        }
        scenario.exemptions.push(Exemption {
            exporters,
            authorities,
            effective: ctx.date(&raw_ex.effective, &format!("{key}.effective"))?,
            new_measures_only: raw_ex.new_measures_only,
            note: raw_ex.note.clone(),
        });
    }
    for (idx, raw_event) in raw.events.iter().enumerate() {
        scenario.events.push(Event { date: ctx.date(&raw_event.date, &format!("event[{idx}].date"))?, label: raw_event.label.clone() });
    }
    scenario.events.sort_by_key(|e| e.date);
    Ok(scenario)
}

fn parse_authority(ctx: &Ctx<'_>, value: &Spanned<String>, key: &str) -> Result<Authority, ScenarioError> {
    Authority::parse(value.get_ref()).map_or_else(
        || {
            ctx.err(
                value.span(),
                key,
                format!("`{}` is not an authority; expected one of {}", value.get_ref(), join_choices(AUTHORITIES.iter().map(|(n, _)| *n))),
            )
        },
        Ok,
    )
}

fn resolve_exporter(ctx: &Ctx<'_>, value: &Spanned<String>, key: &str, vocab: &Vocabulary<'_>) -> Result<Vec<AreaCode>, ScenarioError> {
    match vocab.registry.resolve(value.get_ref()) {
        Ok(area) if !area.members.is_empty() => Ok(area.members.clone()),
        Ok(area) => Ok(vec![area.code]),
        Err(e) => ctx.err(value.span(), key, e.to_string().replace("\n\nhint: ", "; ")),
    }
}

fn clone_item(item: &RawProductItem) -> RawProductItem {
    match item {
        RawProductItem::Code(c) => RawProductItem::Code(c.clone()),
        RawProductItem::List { list } => RawProductItem::List { list: list.clone() },
    }
}

fn parse_product_item(ctx: &Ctx<'_>, item: &Spanned<RawProductItem>, key: &str, vocab: &Vocabulary<'_>) -> Result<ProductItem, ScenarioError> {
    match item.get_ref() {
        RawProductItem::Code(text) => HsCode::parse(text).map(ProductItem::Prefix).or_else(|e| ctx.err(item.span(), key, e.to_string())),
        RawProductItem::List { list } => check_list(ctx, item.span(), key, list, vocab).map(|()| ProductItem::List(list.clone())),
    }
}

fn check_list(ctx: &Ctx<'_>, span: std::ops::Range<usize>, key: &str, list: &str, vocab: &Vocabulary<'_>) -> Result<(), ScenarioError> {
    if vocab.lists.iter().any(|l| l == list) {
        return Ok(());
    }
    let near: Vec<&str> = vocab
        .lists
        .iter()
        .filter(|l| kanzei_core::text::edit_distance(l, list) <= 3 || l.contains(list))
        .map(String::as_str)
        .collect();
    let hint = if near.is_empty() { "run `kanzei tariff lists` for the names".to_string() } else { format!("did you mean {}?", join_choices(near)) };
    ctx.err(span, key, format!("no product list `{list}`; {hint}"))
}

fn validate_measure(ctx: &Ctx<'_>, idx: usize, raw: &RawMeasure, vocab: &Vocabulary<'_>) -> Result<Measure, ScenarioError> {
    let key = |k: &str| format!("measure[{idx}].{k}");
    let id = raw.id.get_ref().trim().to_string();
    if id.is_empty() || id.contains(char::is_whitespace) {
        return ctx.err(raw.id.span(), key("id"), "a measure id is a non-empty word such as `s232-steel-2025`");
    }
    let authority = parse_authority(ctx, &raw.authority, &key("authority"))?;
    let exporters = match raw.exporters.get_ref() {
        RawExporters::One(text) if text == "all" => ExporterSet::All,
        RawExporters::One(text) => {
            let spanned = Spanned::new(raw.exporters.span(), text.clone());
            ExporterSet::Only(resolve_exporter(ctx, &spanned, &key("exporters"), vocab)?)
        }
        RawExporters::Many(list) => {
            let mut out = Vec::new();
            for e in list {
                let spanned = Spanned::new(raw.exporters.span(), e.clone());
                out.extend(resolve_exporter(ctx, &spanned, &key("exporters"), vocab)?);
            }
            ExporterSet::Only(out)
        }
        RawExporters::Except { all_except } => {
            let mut out = Vec::new();
            for e in all_except {
                let spanned = Spanned::new(raw.exporters.span(), e.clone());
                out.extend(resolve_exporter(ctx, &spanned, &key("exporters.all_except"), vocab)?);
            }
            ExporterSet::AllExcept(out)
        }
    };
    let products = match raw.products.get_ref() {
        RawProducts::One(text) if text == "all" => ProductSet::All,
        RawProducts::One(text) => {
            let code = HsCode::parse(text).or_else(|e| ctx.err(raw.products.span(), key("products"), format!("{e}; or use \"all\"")))?;
            ProductSet::Items(vec![ProductItem::Prefix(code)])
        }
        RawProducts::List { list } => {
            check_list(ctx, raw.products.span(), &key("products"), list, vocab)?;
            ProductSet::Items(vec![ProductItem::List(list.clone())])
        }
        RawProducts::Many(items) => {
            let mut out = Vec::new();
            for item in items {
                let spanned = Spanned::new(raw.products.span(), clone_item(item));
                out.push(parse_product_item(ctx, &spanned, &key("products"), vocab)?);
            }
            ProductSet::Items(out)
        }
    };
    let mut within = Vec::new();
    for item in &raw.within {
        within.push(parse_product_item(ctx, item, &key("within"), vocab)?);
    }
    let mut exclude = Vec::new();
    for item in &raw.exclude {
        let span = item.span();
        let (product, from) = match item.get_ref() {
            RawExclusion::Code(code) => (RawProductItem::Code(code.clone()), None),
            RawExclusion::List { list, from } => (RawProductItem::List { list: list.clone() }, from.clone()),
            RawExclusion::DatedCode { code, from } => (RawProductItem::Code(code.clone()), from.clone()),
        };
        let parsed = parse_product_item(ctx, &Spanned::new(span.clone(), product), &key("exclude"), vocab)?;
        let from = match from {
            Some(text) => Some(ctx.date(&Spanned::new(span, text), &key("exclude.from"))?),
            None => None,
        };
        exclude.push(Exclusion { item: parsed, from });
    }
    let value_share = match &raw.value_share {
        Some(v) if !(0.0..=1.0).contains(v.get_ref()) => {
            return ctx.err(v.span(), key("value_share"), format!("{} is not a share between 0 and 1", v.get_ref()));
        }
        Some(v) => *v.get_ref(),
        None => 1.0,
    };
    let rate = match raw.rate_pct.get_ref() {
        RawRate::Flat(v) => {
            check_rate(ctx, raw.rate_pct.span(), &key("rate_pct"), *v)?;
            RateSpec::Flat(*v)
        }
        RawRate::Table(map) => {
            let mut table = None;
            let mut default = None;
            let mut overrides = BTreeMap::new();
            let span = raw.rate_pct.span();
            for (name, value) in map {
                match (name.as_str(), value) {
                    ("table", RawRateValue::Text(t)) => {
                        if !vocab.tables.contains(t) {
                            return ctx.err(span, key("rate_pct.table"), format!("no rate table `{t}`; known tables: {}", join_choices(vocab.tables.iter().map(String::as_str))));
                        }
                        table = Some(t.clone());
                    }
                    ("default", RawRateValue::Number(v)) => {
                        check_rate(ctx, span.clone(), &key("rate_pct.default"), *v)?;
                        default = Some(*v);
                    }
                    (other, RawRateValue::Number(v)) => {
                        check_rate(ctx, span.clone(), &key(&format!("rate_pct.{other}")), *v)?;
                        let spanned = Spanned::new(span.clone(), other.to_string());
                        for code in resolve_exporter(ctx, &spanned, &key(&format!("rate_pct.{other}")), vocab)? {
                            overrides.insert(code, *v);
                        }
                    }
                    (other, _) => {
                        return ctx.err(span, key(&format!("rate_pct.{other}")), "expected a number (percent), or `table = \"<name>\"`");
                    }
                }
            }
            RateSpec::ByExporter { table, overrides, default }
        }
    };
    let stacking = match &raw.stacking {
        None => Stacking::Add,
        Some(s) => STACKINGS.iter().find(|(n, _)| n == s.get_ref()).map(|(_, v)| *v).map_or_else(
            || ctx.err(s.span(), key("stacking"), format!("`{}` is not a stacking rule; expected one of {}", s.get_ref(), join_choices(STACKINGS.iter().map(|(n, _)| *n)))),
            Ok,
        )?,
    };
    let applies_to = match &raw.applies_to {
        None => AppliesTo::All,
        Some(s) => APPLIES_TO.iter().find(|(n, _)| n == s.get_ref()).map(|(_, v)| *v).map_or_else(
            || ctx.err(s.span(), key("applies_to"), format!("`{}` is not a value share; expected one of {}", s.get_ref(), join_choices(APPLIES_TO.iter().map(|(n, _)| *n)))),
            Ok,
        )?,
    };
    let mut not_with = Vec::new();
    for a in &raw.not_with {
        not_with.push(parse_authority(ctx, a, &key("not_with"))?);
    }
    let mut excluded_by = Vec::new();
    for a in &raw.excluded_by {
        excluded_by.push(parse_authority(ctx, a, &key("excluded_by"))?);
    }
    let effective = ctx.date(&raw.effective, &key("effective"))?;
    let expires = match &raw.expires {
        Some(e) => {
            let date = ctx.date(e, &key("expires"))?;
            if date <= effective {
                return ctx.err(e.span(), key("expires"), format!("expires {date} is not after effective {effective}; dates are out of order"));
            }
            Some(date)
        }
        None => None,
    };
    Ok(Measure {
        id,
        authority,
        legal: raw.legal.clone(),
        note: raw.note.clone(),
        exporters,
        products,
        within,
        exclude,
        value_share,
        rate,
        stacking,
        applies_to,
        not_with,
        excluded_by,
        effective,
        expires,
        defined_in: ctx.file.to_string(),
    })
}

fn check_rate(ctx: &Ctx<'_>, span: std::ops::Range<usize>, key: &str, value: f64) -> Result<(), ScenarioError> {
    if !(0.0..=1000.0).contains(&value) || !value.is_finite() {
        return ctx.err(span, key, format!("{value} is not a tariff rate in percent (0 to 1000)"));
    }
    Ok(())
}
