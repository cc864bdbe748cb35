//! Scenario files: a declarative statement of tariff law over time.
//!
//! A scenario is TOML (schema 1, documented in `docs/scenarios.md`): an importer, a base
//! schedule (MFN column 1 from the HTS, with preferences as used), and a list of measures,
//! each with its authority, legal source, exporters, products, exclusions, rate, stacking
//! rule, partial exemption and dates. A scenario can `extends` another and override
//! measures by id, `remove` them, change some of their fields with `[[patch]]` (`id` plus,
//! say, `rate_pct = 10`), or add `[[exemption]]`s — that is how what-ifs are written.
//!
//! Parsing is strict: unknown keys, unknown authorities, HS codes of the wrong length,
//! unknown countries or lists, rates that are not a number of percent, and dates out of
//! order are errors that name the file, line and key, and list the valid choices (with a
//! "did you mean" where a name is near one that exists). Every error of a file is reported,
//! up to [`MAX_ERRORS`], in one [`ScenarioError`]; only a TOML syntax error stops at the
//! first.

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

impl AppliesTo {
    /// The metals (steel, aluminum, copper) whose content lists a measure of this kind puts a
    /// line on: a line without a metal-content estimate splits its flat share between them
    /// (`engine::ListedMetals`).
    pub fn metals(self) -> [bool; 3] {
        match self {
            AppliesTo::SteelContent => [true, false, false],
            AppliesTo::AluminumContent => [false, true, false],
            AppliesTo::CopperContent => [false, false, true],
            AppliesTo::MetalContent | AppliesTo::NonMetalContent => [true, true, false],
            AppliesTo::All | AppliesTo::NonUsmca | AppliesTo::UsmcaNonUsContent => [false; 3],
        }
    }

    /// Whether a measure of this kind lists lines under a metal ([`AppliesTo::metals`]).
    pub fn names_metal(self) -> bool {
        self.metals().contains(&true)
    }
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
    /// Whether `other` matches the same products, exporters and dates and stacks the same
    /// way: the two differ at most in their rate and their texts (id, legal source, note,
    /// file), so the cells and shares they reach are the same.
    pub fn same_reach(&self, other: &Measure) -> bool {
        self.authority == other.authority
            && self.exporters == other.exporters
            && self.products == other.products
            && self.within == other.within
            && self.exclude == other.exclude
            && self.value_share == other.value_share
            && self.stacking == other.stacking
            && self.applies_to == other.applies_to
            && self.not_with == other.not_with
            && self.excluded_by == other.excluded_by
            && self.effective == other.effective
            && self.expires == other.expires
    }

    /// Whether the measure is in force on a date.
    pub fn in_force(&self, date: Date) -> bool {
        self.effective <= date && self.expires.is_none_or(|e| date < e)
    }
}

/// Exporters taken out of some authorities' measures from a date (what-ifs).
#[derive(Clone, Debug, PartialEq, Serialize)]
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

    /// The scenario with only the measures in force on `date`, in the same order, and the
    /// metal-content measures of any date: all a one-date evaluation needs, with less to
    /// compile. On `date` its rates equal the whole scenario's bit for bit: a cell's rate adds
    /// the contributions of the measures in force, in scenario order, and skips the others
    /// (MODELS.md §1); a measure's coverage and share depend on that measure alone, except
    /// that a line without a metal-content estimate splits its flat share between the metals
    /// whose content measures list it (`engine::ListedMetals`), in force or not — so those
    /// measures are kept (inactive on `date`). On any other date its rates are not the
    /// scenario's.
    pub fn in_force_on(&self, date: Date) -> Scenario {
        Scenario {
            id: self.id.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            importer: self.importer,
            lineage: self.lineage.clone(),
            base: self.base.clone(),
            measures: self.measures.iter().filter(|m| m.in_force(date) || m.applies_to.names_metal()).cloned().collect(),
            exemptions: self.exemptions.clone(),
            events: self.events.clone(),
        }
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
#[derive(Clone, Debug, PartialEq, Serialize)]
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
//
// The file is parsed once by toml's own parser (`toml_edit`), which keeps the byte span of
// every key and value. Each key is then read on its own, so that a bad value in one measure
// is reported and the reading goes on: a file's errors come back together (up to
// [`MAX_ERRORS`]), not one per run. Only a TOML syntax error stops at the first.

type Span = std::ops::Range<usize>;

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

/// Keys of the top level of a file.
const FILE_KEYS: &[&str] =
    &["schema", "id", "title", "description", "importer", "extends", "remove", "base", "measure", "patch", "exemption", "event"];
/// Keys of `[base]`.
const BASE_KEYS: &[&str] = &["mfn", "preferences", "specific_duty_ave", "usmca_share_year", "usmca_carve_out"];
/// Keys of a `[[measure]]`.
const MEASURE_KEYS: &[&str] = &[
    "id",
    "authority",
    "legal",
    "note",
    "exporters",
    "products",
    "within",
    "exclude",
    "value_share",
    "rate_pct",
    "stacking",
    "applies_to",
    "not_with",
    "excluded_by",
    "effective",
    "expires",
];
/// Keys a `[[patch]]` may set: a measure's, but for `authority` (a patched measure keeps its
/// parent's authority, which decides where its duty is counted).
const PATCH_KEYS: &[&str] = &[
    "id",
    "legal",
    "note",
    "exporters",
    "products",
    "within",
    "exclude",
    "value_share",
    "rate_pct",
    "stacking",
    "applies_to",
    "not_with",
    "excluded_by",
    "effective",
    "expires",
];
const EXEMPTION_KEYS: &[&str] = &["exporters", "authorities", "effective", "new_measures_only", "note"];
const EVENT_KEYS: &[&str] = &["date", "label"];
/// Every key of any table, for telling a misspelt key from a missing one.
const ALL_KEYS: &[&str] = &[
    "schema", "id", "title", "description", "importer", "extends", "remove", "base", "measure", "patch", "exemption", "event", "authority",
    "legal", "note", "exporters", "products", "within", "exclude", "value_share", "rate_pct", "stacking", "applies_to", "not_with",
    "excluded_by", "effective", "expires", "authorities", "new_measures_only", "date", "label",
];

/// What `rate_pct` accepts, for its error messages.
const RATE_EXPECTED: &str = "expected a number of percent such as 25 or \"25%\", or a rate table such as { table = \"reciprocal-2025-08-07\", default = 10, JPN = 15 }";

/// One table of a file (the top level, `[base]`, one `[[measure]]`, …) with its dotted key.
struct RawTable<'t> {
    /// Dotted key of the table (`measure[2]`), empty at the top level.
    key: String,
    /// Where the table starts (its header), for keys it lacks.
    span: Span,
    table: &'t dyn toml_edit::TableLike,
}

impl<'t> RawTable<'t> {
    fn path(&self, name: &str) -> String {
        if self.key.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.key)
        }
    }

    fn has(&self, name: &str) -> bool {
        self.table.get(name).is_some()
    }

    /// A key's item and the span of its value (else of the key, else of the table).
    fn item(&self, name: &str) -> Option<(Span, &'t toml_edit::Item)> {
        let (key, item) = self.table.get_key_value(name)?;
        Some((item.span().or_else(|| key.span()).unwrap_or_else(|| self.span.clone()), item))
    }

    /// Reads a key as `T`; `None` when it is absent or not a `T` (then an error is recorded).
    fn get<T: serde::de::DeserializeOwned>(&self, ctx: &Ctx<'_>, name: &str) -> Option<Spanned<T>> {
        use serde::de::IntoDeserializer;
        let (span, item) = self.item(name)?;
        let value = item.clone().into_value().ok()?;
        match T::deserialize(value.into_deserializer()) {
            Ok(v) => Some(Spanned::new(span, v)),
            Err(e) => {
                ctx.toml_error(e.span().unwrap_or(span), self.path(name), e.message());
                None
            }
        }
    }

    /// Like [`RawTable::get`], and an error naming what the table needs when absent.
    fn required<T: serde::de::DeserializeOwned>(&self, ctx: &Ctx<'_>, name: &str, needs: &str) -> Option<Spanned<T>> {
        if !self.has(name) {
            if self.misspelled(name, ALL_KEYS) {
                return None;
            }
            ctx.push(self.span.clone(), self.path(name), format!("missing field `{name}`; {needs}"));
            return None;
        }
        self.get(ctx, name)
    }

    /// An error for every key not in `valid`; `special` gives the message for a key that is
    /// known but not allowed here.
    fn check_keys(&self, ctx: &Ctx<'_>, valid: &[&str], special: &dyn Fn(&str) -> Option<String>) {
        for (name, _) in self.table.iter() {
            if valid.contains(&name) {
                continue;
            }
            let span = self.table.get_key_value(name).and_then(|(k, _)| k.span()).unwrap_or_else(|| self.span.clone());
            let message = special(name).unwrap_or_else(|| {
                let hint = closest_key(name, valid).map(|c| format!("; did you mean `{c}`?")).unwrap_or_default();
                format!("unknown field `{name}`, expected one of {}{hint}", join_choices(valid.iter().copied()))
            });
            ctx.push(span, self.path(name), message);
        }
    }

    /// Whether a key not in `valid` looks like a misspelling of `name` (then `name` is not
    /// also reported missing).
    fn misspelled(&self, name: &str, valid: &[&str]) -> bool {
        self.table.iter().any(|(k, _)| !valid.contains(&k) && closest_key(k, valid) == Some(name))
    }

    /// The tables of `[[name]]` (or `name = [{ … }, …]`).
    fn tables(&self, ctx: &Ctx<'_>, name: &str) -> Vec<RawTable<'t>> {
        let Some((span, item)) = self.item(name) else { return vec![] };
        let at = |i: usize, t: &'t dyn toml_edit::TableLike, s: Option<Span>| RawTable {
            key: format!("{name}[{i}]"),
            span: s.unwrap_or_else(|| span.clone()),
            table: t,
        };
        match item {
            toml_edit::Item::ArrayOfTables(array) => {
                array.iter().enumerate().map(|(i, t)| at(i, t as &dyn toml_edit::TableLike, t.span())).collect()
            }
            toml_edit::Item::Value(toml_edit::Value::Array(array)) if array.iter().all(|v| v.is_inline_table()) => array
                .iter()
                .enumerate()
                .filter_map(|(i, v)| v.as_inline_table().map(|t| at(i, t as &dyn toml_edit::TableLike, t.span())))
                .collect(),
            _ => {
                ctx.push(span, name, format!("expected `[[{name}]]` tables"));
                vec![]
            }
        }
    }

    /// The table `[name]` (or `name = { … }`).
    fn table(&self, ctx: &Ctx<'_>, name: &str) -> Option<RawTable<'t>> {
        let (span, item) = self.item(name)?;
        match item.as_table_like() {
            Some(table) => Some(RawTable { key: name.to_string(), span, table }),
            None => {
                ctx.push(span, name, format!("expected a `[{name}]` table"));
                None
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Errors.

/// At most this many errors of one file are listed; the rest are counted.
pub const MAX_ERRORS: usize = 20;

/// A scenario file problem, located: the first error of the file in its fields, and any
/// further errors of the same file in `more` (in line order).
///
/// Its `Display` is one line per error, the first as `` `file` line N, key `k`: message ``.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.lines().join("\n"))]
pub struct ScenarioError {
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// Dotted key path (`measure[3].authority`).
    pub key: String,
    /// What is wrong and what would be valid.
    pub message: String,
    /// Further errors in the file after this one, in line order (at most [`MAX_ERRORS`] − 1).
    pub more: Vec<ScenarioError>,
    /// Errors beyond [`MAX_ERRORS`]: counted, not listed.
    pub not_listed: usize,
}

impl ScenarioError {
    /// One located error.
    pub fn new(file: impl Into<String>, line: usize, key: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError { file: file.into(), line, key: key.into(), message: message.into(), more: vec![], not_listed: 0 }
    }

    /// This error and the further ones, each as one located error.
    pub fn errors(&self) -> impl Iterator<Item = &ScenarioError> {
        std::iter::once(self).chain(self.more.iter())
    }

    /// How many errors the file has, listed or not.
    pub fn count(&self) -> usize {
        1 + self.more.len() + self.not_listed
    }

    /// `` `file` line N, key `k`: message `` for this error alone.
    fn headline(&self) -> String {
        let key = if self.key.is_empty() { String::new() } else { format!(", key `{}`", self.key) };
        format!("`{}` line {}{key}: {}", self.file, self.line, self.message)
    }

    /// One line per error, and a last line counting those not listed.
    fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self.errors().map(ScenarioError::headline).collect();
        if self.not_listed > 0 {
            out.push(format!("`{}`: {} more errors not listed (kanzei lists the first {MAX_ERRORS} of a file)", self.file, self.not_listed));
        }
        out
    }

    /// The errors of one file as one error: the first in line order, the others in `more`.
    fn collect(mut errors: Vec<ScenarioError>) -> Option<ScenarioError> {
        errors.sort_by_key(|e| e.line);
        errors.dedup();
        let total = errors.len();
        let mut iter = errors.into_iter();
        let mut first = iter.next()?;
        first.more = iter.by_ref().take(MAX_ERRORS - 1).collect();
        first.not_listed = total.saturating_sub(MAX_ERRORS);
        Some(first)
    }
}

struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    /// Errors found so far that do not stop the reading.
    errors: std::cell::RefCell<Vec<ScenarioError>>,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a str, text: &'a str) -> Ctx<'a> {
        Ctx { file, text, errors: Default::default() }
    }

    fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].bytes().filter(|&b| b == b'\n').count() + 1
    }

    fn error(&self, span: Span, key: impl Into<String>, message: impl Into<String>) -> ScenarioError {
        ScenarioError::new(self.file, self.line_of(span.start), key, message)
    }

    fn err<T>(&self, span: Span, key: impl Into<String>, message: impl Into<String>) -> Result<T, ScenarioError> {
        Err(self.error(span, key, message))
    }

    /// Records an error and goes on reading.
    fn push(&self, span: Span, key: impl Into<String>, message: impl Into<String>) {
        self.errors.borrow_mut().push(self.error(span, key, message));
    }

    /// Records an error of toml's, in plain words (`toml_text`), under `key`.
    fn toml_error(&self, span: Span, key: String, message: &str) {
        let located = crate::toml_text::locate(self.text, Some(span), message);
        self.errors.borrow_mut().push(ScenarioError::new(self.file, located.line, key, located.message));
    }

    /// The value, or `None` with the error recorded.
    fn keep<T>(&self, result: Result<T, ScenarioError>) -> Option<T> {
        result.map_err(|e| self.errors.borrow_mut().push(e)).ok()
    }

    fn n_errors(&self) -> usize {
        self.errors.borrow().len()
    }

    /// Every error recorded, and `last`, as one error (for a problem that stops the reading).
    fn fail(&self, last: ScenarioError) -> ScenarioError {
        self.errors.borrow_mut().push(last);
        self.stop()
    }

    /// Every error recorded, as one error, when the reading cannot go on.
    fn stop(&self) -> ScenarioError {
        ScenarioError::collect(self.errors.take()).unwrap_or_else(|| ScenarioError::new(self.file, 1, "", "the file could not be read"))
    }

    /// The scenario, or every error recorded.
    fn finish<T>(&self, value: T) -> Result<T, ScenarioError> {
        match ScenarioError::collect(self.errors.take()) {
            Some(e) => Err(e),
            None => Ok(value),
        }
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

/// The valid key a misspelt one most likely meant: one it is the start of (`rate` for
/// `rate_pct`), else the nearest by edit distance.
fn closest_key<'v>(name: &str, valid: &[&'v str]) -> Option<&'v str> {
    let lower = name.to_ascii_lowercase();
    let mut starts = valid.iter().filter(|v| lower.len() >= 3 && v.starts_with(lower.as_str()));
    match (starts.next(), starts.next()) {
        (Some(only), None) => Some(only),
        _ => kanzei_core::text::closest(name, valid.iter().copied()),
    }
}

/// "did you mean `x`?" for a name among `known`: the nearest by edit distance, else the
/// names that contain it (at most five); `None` when nothing is near.
fn did_you_mean<'a>(name: &str, known: impl Iterator<Item = &'a str> + Clone) -> Option<String> {
    if let Some(best) = kanzei_core::text::closest(name, known.clone()) {
        return Some(format!("did you mean `{best}`?"));
    }
    let lower = name.to_ascii_lowercase();
    let containing: Vec<&str> = known.filter(|k| !lower.is_empty() && k.to_ascii_lowercase().contains(&lower)).collect();
    match containing.len() {
        0 => None,
        1..=5 => Some(format!("did you mean {}?", join_choices(containing).replace("`, `", "` or `"))),
        _ => None,
    }
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
    Err(ScenarioError::new(
        file,
        1,
        "",
        format!(
            "the file is {:.1} MiB, over the {} MiB limit for a scenario file; split it, or use `extends` and product lists (`kanzei tariff lists`) instead of repeating measures",
            len as f64 / (1 << 20) as f64,
            MAX_SCENARIO_BYTES >> 20
        ),
    ))
}

/// Parses a scenario file's bytes: text that is not UTF-8 is an error naming the line and
/// byte offset.
pub fn parse_bytes(file: &str, bytes: &[u8], vocab: &Vocabulary<'_>, library: &dyn ScenarioLibrary) -> Result<Scenario, ScenarioError> {
    check_size(file, bytes.len())?;
    let text = crate::toml_text::decode(bytes).map_err(|l| ScenarioError::new(file, l.line, l.key, l.message))?;
    parse(file, text, vocab, library)
}

/// Parses a scenario file and its ancestors. A file with several errors gets them all (up
/// to [`MAX_ERRORS`]) in one [`ScenarioError`]; a TOML syntax error stops at the first.
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
    let ctx = Ctx::new(file, text);
    let doc = toml_edit::ImDocument::parse(text).map_err(|err| {
        let located = crate::toml_text::locate(text, err.span(), err.message());
        ScenarioError::new(file, located.line, located.key, located.message)
    })?;
    let root = RawTable { key: String::new(), span: 0..0, table: doc.as_table() };
    root.check_keys(&ctx, FILE_KEYS, &|_| None);
    let schema = root.required::<i64>(&ctx, "schema", "this kanzei reads `schema = 1`");
    let id = root.required::<String>(&ctx, "id", "a scenario needs an id such as \"my-what-if\"");
    let title = root.get::<String>(&ctx, "title");
    let description = root.get::<String>(&ctx, "description");
    let importer = root.get::<String>(&ctx, "importer");
    let extends = root.get::<String>(&ctx, "extends");
    let remove = root.get::<Vec<Spanned<String>>>(&ctx, "remove");
    // Without the right schema the rest cannot be trusted to mean what this kanzei reads.
    let Some(schema) = schema else { return Err(ctx.stop()) };
    if *schema.get_ref() != SCHEMA_VERSION {
        let e = ctx.error(schema.span(), "schema", format!("schema {} is not supported; this kanzei reads schema {SCHEMA_VERSION}", schema.get_ref()));
        return Err(ctx.fail(e));
    }
    let mut scenario = match &extends {
        Some(parent) => {
            if depth > 8 {
                let e = ctx.error(parent.span(), "extends", "scenarios extend each other in a cycle or too deeply (more than 8 levels)");
                return Err(ctx.fail(e));
            }
            let Some((parent_file, parent_text)) = library.source(parent.get_ref()) else {
                let ids = library.ids();
                let hint = did_you_mean(parent.get_ref(), ids.iter().map(String::as_str)).map(|h| format!("{h} ")).unwrap_or_default();
                let e = ctx.error(
                    parent.span(),
                    "extends",
                    format!("no scenario `{}`; {hint}known scenarios: {}", parent.get_ref(), join_choices(ids.iter().map(String::as_str))),
                );
                return Err(ctx.fail(e));
            };
            // An error in the parent is the parent file's, reported as it is.
            parse_depth(&parent_file, &parent_text, vocab, library, depth + 1)?
        }
        None => {
            let Some(importer) = &importer else {
                let e = ctx.error(0..0, "importer", "a scenario without `extends` must name its `importer` (ISO3, e.g. \"USA\")");
                return Err(ctx.fail(e));
            };
            let area = match vocab.registry.resolve(importer.get_ref()) {
                Ok(area) => area,
                Err(e) => return Err(ctx.fail(ctx.error(importer.span(), "importer", e.to_string().replace('\n', " ")))),
            };
            // A group (EU27, USMCA) is evaluated as the sum of its members; a statistical
            // aggregate or a historical area has no tariff schedule and no trade of its own.
            if !matches!(area.kind, kanzei_core::AreaKind::Country | kanzei_core::AreaKind::Group) {
                let e = ctx.error(
                    importer.span(),
                    "importer",
                    format!(
                        "`{}` ({}) is not a country or a group of countries and cannot be an importer; give an ISO3 code (e.g. \"CAN\") or a group such as \"EU27\"",
                        importer.get_ref(),
                        area.name
                    ),
                );
                return Err(ctx.fail(e));
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
    if let (Some(importer), Some(_)) = (&importer, &extends) {
        match vocab.registry.resolve(importer.get_ref()) {
            Ok(area) if area.code != scenario.importer => {
                ctx.push(importer.span(), "importer", format!("the parent scenario's importer is {}; a child cannot change it", scenario.importer))
            }
            Ok(_) => {}
            Err(e) => ctx.push(importer.span(), "importer", e.to_string()),
        }
    }
    scenario.id = id.map(|i| i.into_inner()).unwrap_or_default();
    if let Some(title) = title.filter(|t| !t.get_ref().is_empty()) {
        scenario.title = title.into_inner();
    }
    if let Some(description) = description.filter(|d| !d.get_ref().is_empty()) {
        scenario.description = description.into_inner();
    }
    scenario.lineage.push(file.to_string());
    if let Some(base) = root.table(&ctx, "base") {
        read_base(&ctx, &base, &mut scenario.base);
    }
    let parent_id = extends.as_ref().map(|e| e.get_ref().clone());
    let removed: Vec<Spanned<String>> = remove.map(Spanned::into_inner).unwrap_or_default();
    for id in &removed {
        let before = scenario.measures.len();
        scenario.measures.retain(|m| m.id != *id.get_ref());
        if scenario.measures.len() == before {
            ctx.push(id.span(), "remove", no_measure_message(id.get_ref(), "to remove", &scenario, parent_id.as_deref()));
        }
    }
    // Indexes by id keep this linear in the number of measures (a scan per measure made 64k
    // measures take 35 s).
    let mut position: HashMap<String, usize> = scenario.measures.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
    let raw_measures = root.tables(&ctx, "measure");
    let restated: HashMap<String, usize> = raw_measures
        .iter()
        .enumerate()
        .filter_map(|(i, t)| t.table.get("id").and_then(|v| v.as_str()).map(|id| (id.trim().to_string(), i)))
        .collect();
    let raw_patches = root.tables(&ctx, "patch");
    if !raw_patches.is_empty() && extends.is_none() {
        ctx.push(raw_patches[0].span.clone(), "patch[0]", "`[[patch]]` changes a parent's measure, and this scenario has no `extends`");
    } else {
        let mut patched: HashMap<String, usize> = HashMap::new();
        for (idx, raw_patch) in raw_patches.iter().enumerate() {
            apply_patch(&ctx, idx, raw_patch, vocab, PatchTarget { scenario: &mut scenario, position: &position, parent_id: parent_id.as_deref() }, |id| {
                if let Some(&m) = restated.get(id) {
                    return Some(format!(
                        "measure `{id}` is also restated in this file (`measure[{m}]`); patch it or restate it, not both"
                    ));
                }
                if removed.iter().any(|r| r.get_ref() == id) {
                    return Some(format!("measure `{id}` is removed by `remove` in this file, so there is nothing to patch"));
                }
                patched.insert(id.to_string(), idx).map(|first| format!("measure `{id}` is already patched by `patch[{first}]`; put the changes in one patch"))
            });
        }
    }
    let mut seen_ids: HashSet<String> = HashSet::new();
    for (idx, raw_measure) in raw_measures.iter().enumerate() {
        let Some(measure) = validate_measure(&ctx, idx, raw_measure, vocab) else { continue };
        if !seen_ids.insert(measure.id.clone()) {
            let span = raw_measure.item("id").map_or_else(|| raw_measure.span.clone(), |(s, _)| s);
            ctx.push(span, format!("measure[{idx}].id"), format!("measure id `{}` is used twice in this file", measure.id));
            continue;
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
    for raw_ex in root.tables(&ctx, "exemption") {
        if let Some(exemption) = read_exemption(&ctx, &raw_ex, vocab) {
            scenario.exemptions.push(exemption);
        }
    }
    for raw_event in root.tables(&ctx, "event") {
        raw_event.check_keys(&ctx, EVENT_KEYS, &|_| None);
        let date = raw_event.required::<String>(&ctx, "date", "an event needs a `date` and a `label`");
        let label = raw_event.required::<String>(&ctx, "label", "an event needs a `date` and a `label`");
        let date = date.and_then(|d| ctx.keep(ctx.date(&d, &raw_event.path("date"))));
        if let (Some(date), Some(label)) = (date, label) {
            scenario.events.push(Event { date, label: label.into_inner() });
        }
    }
    scenario.events.sort_by_key(|e| e.date);
    ctx.finish(scenario)
}

/// "no measure `x` to remove; did you mean `y`?" (or the parent's measures when nothing is near).
fn no_measure_message(id: &str, what: &str, scenario: &Scenario, parent: Option<&str>) -> String {
    let known = scenario.measures.iter().map(|m| m.id.as_str());
    let parent = parent.map(|p| format!(" in `{p}`")).unwrap_or_default();
    match did_you_mean(id, known.clone()) {
        Some(hint) => format!("no measure `{id}` {what}{parent}; {hint}"),
        None => format!("no measure `{id}` {what}{parent}; the parent has {}", join_choices(known)),
    }
}

fn read_base(ctx: &Ctx<'_>, raw: &RawTable<'_>, base: &mut BaseSpec) {
    raw.check_keys(ctx, BASE_KEYS, &|_| None);
    if let Some(v) = raw.get::<bool>(ctx, "mfn") {
        base.mfn = v.into_inner();
    }
    if let Some(v) = raw.get::<bool>(ctx, "preferences") {
        base.preferences = v.into_inner();
    }
    if let Some(v) = raw.get::<bool>(ctx, "specific_duty_ave") {
        base.specific_duty_ave = v.into_inner();
    }
    if let Some(v) = raw.get::<i64>(ctx, "usmca_share_year") {
        if matches!(*v.get_ref(), 2024 | 2025) {
            base.usmca_share_year = *v.get_ref() as i32;
        } else {
            ctx.push(v.span(), "base.usmca_share_year", format!("{} has no USMCA shares; expected 2024 or 2025", v.get_ref()));
        }
    }
    if let Some(v) = raw.get::<bool>(ctx, "usmca_carve_out") {
        base.usmca_carve_out = v.into_inner();
    }
}

fn read_exemption(ctx: &Ctx<'_>, raw: &RawTable<'_>, vocab: &Vocabulary<'_>) -> Option<Exemption> {
    raw.check_keys(ctx, EXEMPTION_KEYS, &|_| None);
    let needs = "an exemption needs `exporters` and `effective`";
    let n_errors = ctx.n_errors();
    let mut exporters = Vec::new();
    for e in raw.required::<Vec<Spanned<String>>>(ctx, "exporters", needs).map(Spanned::into_inner).unwrap_or_default() {
        exporters.extend(ctx.keep(resolve_exporter(ctx, &e, &raw.path("exporters"), vocab)).unwrap_or_default());
    }
    let mut authorities = Vec::new();
    for a in raw.get::<Vec<Spanned<String>>>(ctx, "authorities").map(Spanned::into_inner).unwrap_or_default() {
        authorities.extend(ctx.keep(parse_authority(ctx, &a, &raw.path("authorities"))));
    }
    let effective = raw.required::<String>(ctx, "effective", needs).and_then(|d| ctx.keep(ctx.date(&d, &raw.path("effective"))));
    let new_measures_only = raw.get::<bool>(ctx, "new_measures_only").is_some_and(Spanned::into_inner);
    let note = raw.get::<String>(ctx, "note").map(Spanned::into_inner).unwrap_or_default();
    if ctx.n_errors() > n_errors {
        return None;
    }
    Some(Exemption { exporters, authorities, effective: effective?, new_measures_only, note })
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

fn check_list(ctx: &Ctx<'_>, span: Span, key: &str, list: &str, vocab: &Vocabulary<'_>) -> Result<(), ScenarioError> {
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

/// The fields of a `[[measure]]` or `[[patch]]` other than `id` and `authority`, each `Some`
/// when present and valid (an invalid one is recorded as an error and left `None`).
#[derive(Default)]
struct MeasureFields {
    legal: Option<String>,
    note: Option<String>,
    exporters: Option<ExporterSet>,
    products: Option<ProductSet>,
    within: Option<Vec<ProductItem>>,
    exclude: Option<Vec<Exclusion>>,
    value_share: Option<f64>,
    rate: Option<RateSpec>,
    stacking: Option<Stacking>,
    applies_to: Option<AppliesTo>,
    not_with: Option<Vec<Authority>>,
    excluded_by: Option<Vec<Authority>>,
    effective: Option<Spanned<Date>>,
    expires: Option<Spanned<Date>>,
}

/// Reads every measure field `raw` has. A list field is kept only if all its entries are valid.
fn read_fields(ctx: &Ctx<'_>, raw: &RawTable<'_>, vocab: &Vocabulary<'_>) -> MeasureFields {
    let key = |k: &str| raw.path(k);
    // Each entry of a list, each checked; `None` if any fails.
    fn all<T>(ctx: &Ctx<'_>, results: impl Iterator<Item = Result<T, ScenarioError>>) -> Option<Vec<T>> {
        let mut ok = true;
        let mut out = Vec::new();
        for r in results {
            match ctx.keep(r) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
    let exporters = raw.get::<RawExporters>(ctx, "exporters").and_then(|spanned| {
        let span = spanned.span();
        let resolve = |list: &[String], k: &str| -> Option<Vec<AreaCode>> {
            all(ctx, list.iter().map(|e| resolve_exporter(ctx, &Spanned::new(span.clone(), e.clone()), &key(k), vocab))).map(|v| v.concat())
        };
        match spanned.into_inner() {
            RawExporters::One(text) if text == "all" => Some(ExporterSet::All),
            RawExporters::One(text) => resolve(&[text], "exporters").map(ExporterSet::Only),
            RawExporters::Many(list) => resolve(&list, "exporters").map(ExporterSet::Only),
            RawExporters::Except { all_except } => resolve(&all_except, "exporters.all_except").map(ExporterSet::AllExcept),
        }
    });
    let products = raw.get::<RawProducts>(ctx, "products").and_then(|spanned| {
        let span = spanned.span();
        match spanned.get_ref() {
            RawProducts::One(text) if text == "all" => Some(ProductSet::All),
            RawProducts::One(text) => ctx
                .keep(HsCode::parse(text).or_else(|e| ctx.err(span, key("products"), format!("{e}; or use \"all\""))))
                .map(|code| ProductSet::Items(vec![ProductItem::Prefix(code)])),
            RawProducts::List { list } => {
                ctx.keep(check_list(ctx, span, &key("products"), list, vocab)).map(|()| ProductSet::Items(vec![ProductItem::List(list.clone())]))
            }
            RawProducts::Many(items) => all(
                ctx,
                items.iter().map(|item| parse_product_item(ctx, &Spanned::new(span.clone(), clone_item(item)), &key("products"), vocab)),
            )
            .map(ProductSet::Items),
        }
    });
    let within = raw
        .get::<Vec<Spanned<RawProductItem>>>(ctx, "within")
        .and_then(|items| all(ctx, items.get_ref().iter().map(|item| parse_product_item(ctx, item, &key("within"), vocab))));
    let exclude = raw.get::<Vec<Spanned<RawExclusion>>>(ctx, "exclude").and_then(|items| {
        all(
            ctx,
            items.get_ref().iter().map(|item| {
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
                Ok(Exclusion { item: parsed, from })
            }),
        )
    });
    let value_share = raw.get::<f64>(ctx, "value_share").and_then(|v| {
        if (0.0..=1.0).contains(v.get_ref()) {
            Some(*v.get_ref())
        } else {
            ctx.push(v.span(), key("value_share"), format!("{} is not a share between 0 and 1", v.get_ref()));
            None
        }
    });
    let stacking = raw.get::<String>(ctx, "stacking").and_then(|s| {
        let found = STACKINGS.iter().find(|(n, _)| n == s.get_ref()).map(|(_, v)| *v);
        if found.is_none() {
            ctx.push(
                s.span(),
                key("stacking"),
                format!("`{}` is not a stacking rule; expected one of {}", s.get_ref(), join_choices(STACKINGS.iter().map(|(n, _)| *n))),
            );
        }
        found
    });
    let applies_to = raw.get::<String>(ctx, "applies_to").and_then(|s| {
        let found = APPLIES_TO.iter().find(|(n, _)| n == s.get_ref()).map(|(_, v)| *v);
        if found.is_none() {
            ctx.push(
                s.span(),
                key("applies_to"),
                format!("`{}` is not a value share; expected one of {}", s.get_ref(), join_choices(APPLIES_TO.iter().map(|(n, _)| *n))),
            );
        }
        found
    });
    let authorities = |name: &str| {
        raw.get::<Vec<Spanned<String>>>(ctx, name).and_then(|list| all(ctx, list.get_ref().iter().map(|a| parse_authority(ctx, a, &key(name)))))
    };
    let date = |name: &str| {
        raw.get::<String>(ctx, name).and_then(|d| ctx.keep(ctx.date(&d, &key(name))).map(|date| Spanned::new(d.span(), date)))
    };
    MeasureFields {
        legal: raw.get::<String>(ctx, "legal").map(Spanned::into_inner),
        note: raw.get::<String>(ctx, "note").map(Spanned::into_inner),
        exporters,
        products,
        within,
        exclude,
        value_share,
        rate: read_rate(ctx, raw, vocab),
        stacking,
        applies_to,
        not_with: authorities("not_with"),
        excluded_by: authorities("excluded_by"),
        effective: date("effective"),
        expires: date("expires"),
    }
}

/// A rate in percent: a number, or text such as `"35%"` or `" 35 % "` (the percent sign
/// required, so that a unit is never guessed). The error is what follows "got …" in the
/// message, given the value as written (`source`).
fn rate_number(value: &toml_edit::Value, source: &str) -> Result<f64, String> {
    match value {
        toml_edit::Value::Integer(v) => Ok(*v.value() as f64),
        toml_edit::Value::Float(v) => Ok(*v.value()),
        toml_edit::Value::String(s) => {
            let text = s.value().trim();
            if let Some(Ok(v)) = text.strip_suffix('%').map(|n| n.trim().parse::<f64>()) {
                return Ok(v);
            }
            match text.parse::<f64>() {
                Ok(_) => Err(format!("got {source}: a rate written as text needs its percent sign (\"{text}%\"), or write the number {text}")),
                Err(_) => Err(format!("got {source}")),
            }
        }
        _ => Err(format!("got {source}")),
    }
}

fn read_rate(ctx: &Ctx<'_>, raw: &RawTable<'_>, vocab: &Vocabulary<'_>) -> Option<RateSpec> {
    let (span, item) = raw.item("rate_pct")?;
    let key = raw.path("rate_pct");
    let rate = |span: Span, key: &str, value: &toml_edit::Value, expected: &str| -> Option<f64> {
        match rate_number(value, ctx.text.get(span.clone()).unwrap_or("").trim()) {
            Ok(v) => ctx.keep(check_rate(ctx, span, key, v)).map(|()| v),
            Err(got) => {
                ctx.push(span, key, format!("{expected}; {got}"));
                None
            }
        }
    };
    if let Some(table) = item.as_table_like() {
        let n_errors = ctx.n_errors();
        let (mut name, mut default, mut overrides) = (None, None, BTreeMap::new());
        for (entry, value_item) in table.iter() {
            let entry_key = format!("{key}.{entry}");
            let entry_span = value_item.span().unwrap_or_else(|| span.clone());
            let Some(value) = value_item.as_value() else {
                ctx.push(entry_span, entry_key, "expected a number of percent such as 15 or \"15%\", or `table = \"<name>\"`");
                continue;
            };
            match entry {
                "table" => match value.as_str() {
                    Some(t) if vocab.tables.iter().any(|known| known == t) => name = Some(t.to_string()),
                    Some(t) => {
                        let hint = did_you_mean(t, vocab.tables.iter().map(String::as_str)).map(|h| format!("{h} ")).unwrap_or_default();
                        ctx.push(
                            entry_span,
                            entry_key,
                            format!("no rate table `{t}`; {hint}known tables: {}", join_choices(vocab.tables.iter().map(String::as_str))),
                        );
                    }
                    None => {
                        let got = ctx.text.get(entry_span.clone()).unwrap_or("").trim().to_string();
                        ctx.push(entry_span, entry_key, format!("expected the name of a rate table (`kanzei tariff lists`); got {got}"));
                    }
                },
                "default" => default = rate(entry_span, &entry_key, value, "expected a number of percent such as 10 or \"10%\""),
                exporter => {
                    let Some(v) = rate(entry_span.clone(), &entry_key, value, "expected a number of percent such as 15 or \"15%\"") else { continue };
                    if let Some(codes) = ctx.keep(resolve_exporter(ctx, &Spanned::new(entry_span, exporter.to_string()), &entry_key, vocab)) {
                        for code in codes {
                            overrides.insert(code, v);
                        }
                    }
                }
            }
        }
        return (ctx.n_errors() == n_errors).then_some(RateSpec::ByExporter { table: name, overrides, default });
    }
    match item.as_value() {
        Some(value) => rate(span, &key, value, RATE_EXPECTED).map(RateSpec::Flat),
        None => {
            ctx.push(span, key, RATE_EXPECTED);
            None
        }
    }
}

const MEASURE_NEEDS: &str = "a measure needs `id`, `authority`, `exporters`, `products`, `rate_pct` and `effective` (to change some fields of a parent's measure, use `[[patch]]` with its `id`)";

fn validate_measure(ctx: &Ctx<'_>, idx: usize, raw: &RawTable<'_>, vocab: &Vocabulary<'_>) -> Option<Measure> {
    let n_errors = ctx.n_errors();
    raw.check_keys(ctx, MEASURE_KEYS, &|_| None);
    let key = |k: &str| format!("measure[{idx}].{k}");
    let id = raw.required::<String>(ctx, "id", MEASURE_NEEDS).and_then(|id| {
        let text = id.get_ref().trim().to_string();
        if text.is_empty() || text.contains(char::is_whitespace) {
            ctx.push(id.span(), key("id"), "a measure id is a non-empty word such as `s232-steel-2025`");
            return None;
        }
        Some(text)
    });
    let authority = raw.required::<String>(ctx, "authority", MEASURE_NEEDS).and_then(|a| ctx.keep(parse_authority(ctx, &a, &key("authority"))));
    for name in ["exporters", "products", "rate_pct", "effective"] {
        if !raw.has(name) && !raw.misspelled(name, MEASURE_KEYS) {
            ctx.push(raw.span.clone(), key(name), format!("missing field `{name}`; {MEASURE_NEEDS}"));
        }
    }
    let fields = read_fields(ctx, raw, vocab);
    if let (Some(effective), Some(expires)) = (&fields.effective, &fields.expires) {
        check_dates(ctx, *effective.get_ref(), expires, &key("expires"));
    }
    if ctx.n_errors() > n_errors {
        return None;
    }
    Some(Measure {
        id: id?,
        authority: authority?,
        legal: fields.legal.unwrap_or_default(),
        note: fields.note.unwrap_or_default(),
        exporters: fields.exporters?,
        products: fields.products?,
        within: fields.within.unwrap_or_default(),
        exclude: fields.exclude.unwrap_or_default(),
        value_share: fields.value_share.unwrap_or(1.0),
        rate: fields.rate?,
        stacking: fields.stacking.unwrap_or(Stacking::Add),
        applies_to: fields.applies_to.unwrap_or(AppliesTo::All),
        not_with: fields.not_with.unwrap_or_default(),
        excluded_by: fields.excluded_by.unwrap_or_default(),
        effective: fields.effective?.into_inner(),
        expires: fields.expires.map(Spanned::into_inner),
        defined_in: ctx.file.to_string(),
    })
}

fn check_dates(ctx: &Ctx<'_>, effective: Date, expires: &Spanned<Date>, key: &str) {
    let date = *expires.get_ref();
    if date <= effective {
        ctx.push(expires.span(), key, format!("expires {date} is not after effective {effective}; dates are out of order"));
    }
}

/// What a patch changes: the scenario built so far and where each measure id is in it.
struct PatchTarget<'s> {
    scenario: &'s mut Scenario,
    position: &'s HashMap<String, usize>,
    parent_id: Option<&'s str>,
}

/// Applies `[[patch]]` number `idx` to the parent's measure with its id. `conflict` says why
/// an id that exists may still not be patched (restated or removed in the file, or patched
/// twice).
fn apply_patch(
    ctx: &Ctx<'_>,
    idx: usize,
    raw: &RawTable<'_>,
    vocab: &Vocabulary<'_>,
    target: PatchTarget<'_>,
    conflict: impl FnOnce(&str) -> Option<String>,
) {
    let key = |k: &str| format!("patch[{idx}].{k}");
    raw.check_keys(ctx, PATCH_KEYS, &|name| {
        (name == "authority").then(|| {
            format!(
                "`authority` cannot be patched: a patched measure keeps its parent's authority (restate the measure with `[[measure]]` and the same id to change it); a patch may set {}",
                join_choices(PATCH_KEYS.iter().copied())
            )
        })
    });
    let Some(id) = raw.required::<String>(
        ctx,
        "id",
        "a patch names the parent's measure it changes by `id`, and sets one or more of its fields",
    ) else {
        return;
    };
    let fields = read_fields(ctx, raw, vocab);
    if let Some(why) = conflict(id.get_ref().trim()) {
        ctx.push(id.span(), key("id"), why);
        return;
    }
    let Some(&slot) = target.position.get(id.get_ref().trim()) else {
        ctx.push(id.span(), key("id"), no_measure_message(id.get_ref(), "to patch", target.scenario, target.parent_id));
        return;
    };
    if raw.table.iter().all(|(name, _)| name == "id") {
        ctx.push(id.span(), key("id"), format!("the patch changes nothing; give one or more of {}", join_choices(PATCH_KEYS[1..].iter().copied())));
        return;
    }
    let measure = &mut target.scenario.measures[slot];
    let effective = fields.effective.as_ref().map_or(measure.effective, |e| *e.get_ref());
    match (&fields.expires, measure.expires) {
        (Some(expires), _) => check_dates(ctx, effective, expires, &key("expires")),
        (None, Some(expires)) if expires <= effective => {
            let span = fields.effective.as_ref().map_or_else(|| id.span(), |e| e.span());
            ctx.push(span, key("effective"), format!("effective {effective} is not before the measure's expires {expires}; dates are out of order"));
        }
        _ => {}
    }
    // Fields not given keep the parent's values, as do the authority and the legal source.
    let MeasureFields { legal, note, exporters, products, within, exclude, value_share, rate, stacking, applies_to, not_with, excluded_by, effective, expires } =
        fields;
    fn set<T>(target: &mut T, value: Option<T>) {
        if let Some(v) = value {
            *target = v;
        }
    }
    set(&mut measure.legal, legal);
    set(&mut measure.note, note);
    set(&mut measure.exporters, exporters);
    set(&mut measure.products, products);
    set(&mut measure.within, within);
    set(&mut measure.exclude, exclude);
    set(&mut measure.value_share, value_share);
    set(&mut measure.rate, rate);
    set(&mut measure.stacking, stacking);
    set(&mut measure.applies_to, applies_to);
    set(&mut measure.not_with, not_with);
    set(&mut measure.excluded_by, excluded_by);
    set(&mut measure.effective, effective.map(Spanned::into_inner));
    if let Some(expires) = expires {
        measure.expires = Some(expires.into_inner());
    }
    // The file that last changed it: `tariff check` lints it with this file's measures.
    measure.defined_in = ctx.file.to_string();
}

fn check_rate(ctx: &Ctx<'_>, span: Span, key: &str, value: f64) -> Result<(), ScenarioError> {
    if !(0.0..=1000.0).contains(&value) || !value.is_finite() {
        return ctx.err(span, key, format!("{value} is not a tariff rate in percent (0 to 1000)"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parent with one measure to patch, and a test library that knows it.
    const PARENT: &str = r#"schema = 1
id = "parent"
importer = "USA"

[[measure]]
id = "reciprocal-japan-floor"
authority = "ieepa-reciprocal"
legal = "EO 14345"
note = "15% inclusive of MFN"
exporters = ["JPN"]
products = "all"
exclude = ["98"]
rate_pct = 15
stacking = "floor"
not_with = ["s232"]
effective = "2025-08-07"
expires = "2026-02-24"

[[measure]]
id = "s232-autos"
authority = "s232"
exporters = "all"
products = ["8703"]
rate_pct = 25
effective = "2025-04-03"
"#;

    struct TestLibrary;

    impl ScenarioLibrary for TestLibrary {
        fn source(&self, id: &str) -> Option<(String, String)> {
            (id == "parent").then(|| ("parent.toml".to_string(), PARENT.to_string()))
        }
        fn ids(&self) -> Vec<String> {
            vec!["parent".to_string()]
        }
    }

    fn check(text: &str) -> Result<Scenario, ScenarioError> {
        let vocab = Vocabulary {
            registry: AreaRegistry::builtin(),
            lists: vec!["s232-auto-parts".to_string()],
            tables: vec!["reciprocal-2025-08-07".to_string()],
        };
        parse("child.toml", text, &vocab, &TestLibrary)
    }

    fn error(text: &str) -> String {
        check(text).map(|_| String::new()).unwrap_or_else(|e| e.to_string())
    }

    const CHILD: &str = "schema = 1\nid = \"child\"\nextends = \"parent\"\n";

    fn measure(text: &str) -> String {
        format!("{CHILD}\n[[measure]]\nid = \"m\"\nauthority = \"other\"\nexporters = [\"JPN\"]\nproducts = \"all\"\neffective = \"2025-01-01\"\n{text}\n")
    }

    #[test]
    fn a_patch_changes_the_fields_it_names_and_keeps_the_rest() {
        let parent = check(PARENT).unwrap();
        let child = check(&format!("{CHILD}\n[[patch]]\nid = \"reciprocal-japan-floor\"\nrate_pct = 10\n")).unwrap();
        assert_eq!(child.measures.len(), parent.measures.len());
        let (before, after) = (&parent.measures[0], &child.measures[0]);
        assert_eq!(after.rate, RateSpec::Flat(10.0));
        assert_eq!(before.rate, RateSpec::Flat(15.0));
        assert_eq!((after.authority, after.stacking), (Authority::IeepaReciprocal, Stacking::Floor));
        assert_eq!((&after.legal, &after.note, &after.exporters, &after.products), (&before.legal, &before.note, &before.exporters, &before.products));
        assert_eq!((&after.exclude, &after.not_with, after.effective, after.expires), (&before.exclude, &before.not_with, before.effective, before.expires));
        assert_eq!(after.defined_in, "child.toml");
        assert_eq!(child.measures[1].defined_in, "parent.toml");
        // Dates, exporters, products and the note too.
        let child = check(&format!(
            "{CHILD}\n[[patch]]\nid = \"reciprocal-japan-floor\"\nexporters = [\"JPN\", \"KOR\"]\nproducts = [\"87\"]\nnote = \"n\"\neffective = \"2025-09-01\"\nexpires = \"2025-12-01\"\n"
        ))
        .unwrap();
        let m = &child.measures[0];
        assert_eq!(m.exporters, ExporterSet::Only(vec![AreaCode::new("JPN").unwrap(), AreaCode::new("KOR").unwrap()]));
        assert_eq!(m.products, ProductSet::Items(vec![ProductItem::Prefix(HsCode::parse("87").unwrap())]));
        assert_eq!((m.note.as_str(), m.effective.to_string(), m.expires.map(|d| d.to_string())), ("n", "2025-09-01".into(), Some("2025-12-01".into())));
        assert_eq!(m.rate, RateSpec::Flat(15.0));
    }

    #[test]
    fn a_patch_of_a_measure_the_parent_lacks_suggests_the_near_one() {
        assert_eq!(
            error(&format!("{CHILD}\n[[patch]]\nid = \"japan-floor\"\nrate_pct = 10\n")),
            "`child.toml` line 6, key `patch[0].id`: no measure `japan-floor` to patch in `parent`; did you mean `reciprocal-japan-floor`?"
        );
        assert_eq!(
            error(&format!("{CHILD}\n[[patch]]\nid = \"s232-auto\"\nrate_pct = 10\n")),
            "`child.toml` line 6, key `patch[0].id`: no measure `s232-auto` to patch in `parent`; did you mean `s232-autos`?"
        );
    }

    #[test]
    fn a_patch_names_its_unknown_keys_and_refuses_the_authority() {
        let err = error(&format!("{CHILD}\n[[patch]]\nid = \"s232-autos\"\nrate = 10\n"));
        assert_eq!(
            err,
            "`child.toml` line 7, key `patch[0].rate`: unknown field `rate`, expected one of `id`, `legal`, `note`, `exporters`, `products`, `within`, `exclude`, `value_share`, `rate_pct`, `stacking`, `applies_to`, `not_with`, `excluded_by`, `effective`, `expires`; did you mean `rate_pct`?"
        );
        let err = error(&format!("{CHILD}\n[[patch]]\nid = \"s232-autos\"\nauthority = \"other\"\n"));
        assert!(err.starts_with("`child.toml` line 7, key `patch[0].authority`: `authority` cannot be patched: a patched measure keeps its parent's authority"), "{err}");
        assert_eq!(
            error(&format!("{CHILD}\n[[patch]]\nid = \"s232-autos\"\n")),
            "`child.toml` line 6, key `patch[0].id`: the patch changes nothing; give one or more of `legal`, `note`, `exporters`, `products`, `within`, `exclude`, `value_share`, `rate_pct`, `stacking`, `applies_to`, `not_with`, `excluded_by`, `effective`, `expires`"
        );
    }

    #[test]
    fn a_patch_needs_a_parent_and_does_not_mix_with_a_restatement_or_removal() {
        let err = error("schema = 1\nid = \"x\"\nimporter = \"USA\"\n\n[[patch]]\nid = \"m\"\nrate_pct = 10\n");
        assert_eq!(err, "`child.toml` line 5, key `patch[0]`: `[[patch]]` changes a parent's measure, and this scenario has no `extends`");
        let err = error(&format!("{CHILD}remove = [\"s232-autos\"]\n\n[[patch]]\nid = \"s232-autos\"\nrate_pct = 10\n"));
        assert_eq!(err, "`child.toml` line 7, key `patch[0].id`: measure `s232-autos` is removed by `remove` in this file, so there is nothing to patch");
        let text = format!(
            "{CHILD}\n[[patch]]\nid = \"s232-autos\"\nrate_pct = 10\n\n[[measure]]\nid = \"s232-autos\"\nauthority = \"s232\"\nexporters = \"all\"\nproducts = [\"8703\"]\nrate_pct = 30\neffective = \"2025-04-03\"\n"
        );
        assert_eq!(
            error(&text),
            "`child.toml` line 6, key `patch[0].id`: measure `s232-autos` is also restated in this file (`measure[0]`); patch it or restate it, not both"
        );
        let err = error(&format!("{CHILD}\n[[patch]]\nid = \"reciprocal-japan-floor\"\neffective = \"2026-03-01\"\n"));
        assert_eq!(
            err,
            "`child.toml` line 7, key `patch[0].effective`: effective 2026-03-01 is not before the measure's expires 2026-02-24; dates are out of order"
        );
    }

    #[test]
    fn rates_are_numbers_or_text_with_a_percent_sign() {
        for (written, expected) in [("35", 35.0), ("35.5", 35.5), ("\"35%\"", 35.0), ("\" 35 % \"", 35.0), ("\"7.5%\"", 7.5)] {
            let s = check(&measure(&format!("rate_pct = {written}"))).unwrap_or_else(|e| panic!("{written}: {e}"));
            assert_eq!(s.measures.last().unwrap().rate, RateSpec::Flat(expected), "{written}");
        }
        let s = check(&measure("rate_pct = { table = \"reciprocal-2025-08-07\", default = \"10%\", JPN = \"15 %\" }")).unwrap();
        let RateSpec::ByExporter { table, overrides, default } = &s.measures.last().unwrap().rate else { panic!("a table") };
        assert_eq!((table.as_deref(), *default, overrides[&AreaCode::new("JPN").unwrap()]), (Some("reciprocal-2025-08-07"), Some(10.0), 15.0));
    }

    #[test]
    fn a_bad_rate_says_what_a_rate_may_be() {
        let expected = "expected a number of percent such as 25 or \"25%\", or a rate table such as { table = \"reciprocal-2025-08-07\", default = 10, JPN = 15 }";
        assert_eq!(error(&measure("rate_pct = \"two\"")), format!("`child.toml` line 11, key `measure[0].rate_pct`: {expected}; got \"two\""));
        assert_eq!(error(&measure("rate_pct = true")), format!("`child.toml` line 11, key `measure[0].rate_pct`: {expected}; got true"));
        assert_eq!(
            error(&measure("rate_pct = \"25\"")),
            format!("`child.toml` line 11, key `measure[0].rate_pct`: {expected}; got \"25\": a rate written as text needs its percent sign (\"25%\"), or write the number 25")
        );
        assert_eq!(error(&measure("rate_pct = \"-5%\"")), "`child.toml` line 11, key `measure[0].rate_pct`: -5 is not a tariff rate in percent (0 to 1000)");
        assert_eq!(
            error(&measure("rate_pct = { default = 10, JPN = \"x\" }")),
            "`child.toml` line 11, key `measure[0].rate_pct.JPN`: expected a number of percent such as 15 or \"15%\"; got \"x\""
        );
        assert_eq!(
            error(&measure("rate_pct = { table = \"reciprocal-2025-08-70\" }")),
            "`child.toml` line 11, key `measure[0].rate_pct.table`: no rate table `reciprocal-2025-08-70`; did you mean `reciprocal-2025-08-07`? known tables: `reciprocal-2025-08-07`"
        );
    }

    #[test]
    fn every_error_of_a_file_is_reported_in_line_order() {
        let text = format!(
            "{CHILD}remove = [\"s232-auto\"]\n\n[[measure]]\nid = \"a\"\nauthority = \"other\"\nexporters = [\"JPN\"]\nproducts = \"all\"\nrate_pct = \"two\"\neffective = \"2025-01-01\"\n\n\
             [[measure]]\nid = \"b\"\nauthority = \"other\"\nexporters = [\"Japn\"]\nproducts = \"all\"\nrate_pct = 10\neffective = \"2025-01-01\"\n"
        );
        let err = check(&text).unwrap_err();
        let found: Vec<(usize, &str)> = err.errors().map(|e| (e.line, e.key.as_str())).collect();
        assert_eq!(found, [(4, "remove"), (11, "measure[0].rate_pct"), (17, "measure[1].exporters")]);
        assert_eq!((err.count(), err.line, err.key.as_str()), (3, 4, "remove"));
        assert_eq!(err.message, "no measure `s232-auto` to remove in `parent`; did you mean `s232-autos`?");
        let lines: Vec<String> = err.to_string().lines().map(String::from).collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[2], "`child.toml` line 17, key `measure[1].exporters`: `Japn` is not a known country or group; did you mean JPN (Japan)?");
        // Several errors in one measure, each with its key.
        let err = check(&measure("rate_pct = 10\nstacking = \"sideways\"\nexpires = \"2024-01-01\"")).unwrap_err();
        let keys: Vec<&str> = err.errors().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["measure[0].stacking", "measure[0].expires"]);
    }

    #[test]
    fn errors_past_the_limit_are_counted() {
        let mut text = CHILD.to_string();
        for i in 0..MAX_ERRORS + 5 {
            text.push_str(&format!("\n[[measure]]\nid = \"m{i}\"\nauthority = \"nope\"\nexporters = \"all\"\nproducts = \"all\"\nrate_pct = 1\neffective = \"2025-01-01\"\n"));
        }
        let err = check(&text).unwrap_err();
        assert_eq!((err.more.len(), err.not_listed, err.count()), (MAX_ERRORS - 1, 5, MAX_ERRORS + 5));
        assert_eq!(err.to_string().lines().last(), Some("`child.toml`: 5 more errors not listed (kanzei lists the first 20 of a file)"));
    }

    #[test]
    fn a_measure_missing_fields_names_them_and_points_to_patch() {
        let err = check(&format!("{CHILD}\n[[measure]]\nid = \"reciprocal-japan-floor\"\nrate_pct = 10\n")).unwrap_err();
        let keys: Vec<&str> = err.errors().map(|e| e.key.as_str()).collect();
        assert_eq!(keys, ["measure[0].authority", "measure[0].exporters", "measure[0].products", "measure[0].effective"]);
        assert_eq!(err.line, 5);
        assert!(err.message.starts_with("missing field `authority`; a measure needs `id`, `authority`"), "{}", err.message);
        assert!(err.message.ends_with("use `[[patch]]` with its `id`)"), "{}", err.message);
    }

    #[test]
    fn a_value_of_the_wrong_shape_says_what_the_key_takes() {
        assert_eq!(
            error(&format!("{CHILD}\n[[measure]]\nid = \"m\"\nauthority = \"other\"\nexporters = 5\nproducts = \"all\"\nrate_pct = 1\neffective = \"2025-01-01\"\n")),
            "`child.toml` line 8, key `measure[0].exporters`: `5` is not valid here: expected \"all\", a list of ISO3 codes or groups such as [\"JPN\", \"EU27\"], or { all_except = [\"CAN\", \"MEX\"] }"
        );
        assert_eq!(
            error(&format!("{CHILD}\n[base]\nmfn = \"yes\"\n")),
            "`child.toml` line 6, key `base.mfn`: invalid type: string \"yes\", expected a boolean"
        );
    }

    #[test]
    fn a_syntax_error_stops_at_the_first() {
        let err = check(&format!("{CHILD}remove = [\n\n[[measure]]\nid = \"a\"\nauthority = \"nope\"\n")).unwrap_err();
        // The parser finds the unclosed `remove = [` where `[[measure]]` cannot go on it; the
        // unknown authority after it is not reached.
        assert_eq!((err.count(), err.line), (1, 6), "{err}");
    }
}
