//! Countries, groups and statistical aggregates.
//!
//! An [`Area`] is anything a trade statistic can be reported for: a country (ISO3 code), a
//! group defined by its members (`EU27`, `USMCA`), a statistical aggregate that a publisher
//! reports as a row of its own (Census "Pacific Rim", "World, Not Seasonally Adjusted"), a
//! historical country (USSR, Netherlands Antilles), or an unallocated bucket (Census
//! "Unidentified Countries"). Only [`AreaKind::Country`] areas may be ranked against each
//! other; the others would double-count.
//!
//! The [`AreaRegistry`] is built from a tab-separated table (`data/areas.tsv`, derived by
//! `kanzei data build` from the Census Schedule C country list, the Census–ISO3 maps and the
//! EU member list) with columns `code, kind, name, iso2, census_codes, members, aliases`;
//! list-valued columns are separated by `;`.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Serialize, Serializer};

use crate::text::{edit_distance, normalize_key};

/// A short area identifier: an ISO 3166 alpha-3 code for countries (`JPN`), or a group
/// code (`EU27`, `WLD`). At most 8 ASCII upper-case letters, digits or underscores.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AreaCode {
    bytes: [u8; 8],
    len: u8,
}

impl AreaCode {
    /// Builds a code from text, upper-casing it. Returns `None` if it is empty, longer than
    /// 8 characters, or holds anything but ASCII letters, digits and `_`.
    pub fn new(text: &str) -> Option<AreaCode> {
        let text = text.trim();
        if text.is_empty() || text.len() > 8 {
            return None;
        }
        let mut bytes = [0u8; 8];
        for (slot, byte) in bytes.iter_mut().zip(text.bytes()) {
            if !(byte.is_ascii_alphanumeric() || byte == b'_') {
                return None;
            }
            *slot = byte.to_ascii_uppercase();
        }
        Some(AreaCode { bytes, len: text.len() as u8 })
    }

    /// A code from its bytes as [`AreaCode::as_str`] gives them (upper-case ASCII letters,
    /// digits and `_`, 1–8 of them); `None` for anything else.
    #[inline]
    pub fn from_ascii(text: &[u8]) -> Option<AreaCode> {
        if text.is_empty() || text.len() > 8 || !text.iter().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_') {
            return None;
        }
        let mut bytes = [0u8; 8];
        bytes[..text.len()].copy_from_slice(text);
        Some(AreaCode { bytes, len: text.len() as u8 })
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // The constructor only admits ASCII, so this cannot fail.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or("")
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AreaCode({})", self.as_str())
    }
}

impl Serialize for AreaCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// What kind of area a row describes; decides whether it may be ranked among countries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AreaKind {
    /// A country or territory with its own ISO code.
    Country,
    /// A group defined by its members (EU-27, USMCA).
    Group,
    /// A statistical aggregate a publisher reports as its own row (Census regions, World).
    Aggregate,
    /// A country that no longer exists (USSR, Czechoslovakia), present in old data.
    Historical,
    /// Value the publisher could not allocate to a country.
    Unallocated,
}

impl AreaKind {
    fn parse(text: &str) -> Option<AreaKind> {
        Some(match text {
            "country" => AreaKind::Country,
            "group" => AreaKind::Group,
            "aggregate" => AreaKind::Aggregate,
            "historical" => AreaKind::Historical,
            "unallocated" => AreaKind::Unallocated,
            _ => return None,
        })
    }

    /// The name used in `areas.tsv`.
    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::Country => "country",
            AreaKind::Group => "group",
            AreaKind::Aggregate => "aggregate",
            AreaKind::Historical => "historical",
            AreaKind::Unallocated => "unallocated",
        }
    }
}

/// One row of the registry.
#[derive(Clone, Debug, Serialize)]
pub struct Area {
    /// ISO3 for countries, a group code otherwise.
    pub code: AreaCode,
    /// What kind of area this is.
    pub kind: AreaKind,
    /// Display name, e.g. "Japan", "Korea, South".
    pub name: String,
    /// ISO 3166 alpha-2, where one exists.
    pub iso2: Option<String>,
    /// Census Schedule C codes that report this area (old codes included).
    pub census_codes: Vec<u16>,
    /// Member codes, for groups.
    pub members: Vec<AreaCode>,
    /// Other names publishers use ("South Korea", "R Korea", "KOREA, SOUTH").
    pub aliases: Vec<String>,
}

/// A user typed an area the registry does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownArea {
    /// What the user typed.
    pub input: String,
    /// Up to three close matches, as `(code, name)`.
    pub suggestions: Vec<(String, String)>,
}

impl fmt::Display for UnknownArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a known country or group", self.input)?;
        match self.suggestions.as_slice() {
            [] => write!(
                f,
                "\n\nhint: use an ISO3 code (JPN), a Census code (5880), a name (Japan) or a group (EU27, USMCA); `kanzei data areas` lists them"
            ),
            [(code, name)] => write!(f, "\n\nhint: did you mean {code} ({name})?"),
            many => {
                let list: Vec<String> =
                    many.iter().map(|(code, name)| format!("{code} ({name})")).collect();
                write!(f, "\n\nhint: did you mean one of {}?", list.join(", "))
            }
        }
    }
}

impl std::error::Error for UnknownArea {}

/// A malformed line in an area table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaTableError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for AreaTableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "area table, line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for AreaTableError {}

/// Maps codes and names to [`Area`]s.
#[derive(Clone, Debug)]
pub struct AreaRegistry {
    areas: Vec<Area>,
    by_code: HashMap<AreaCode, usize>,
    by_census: crate::fxhash::FxHashMap<u16, usize>,
    by_key: HashMap<String, usize>,
}

/// The header line of `areas.tsv`.
pub const AREA_TABLE_HEADER: &str = "code\tkind\tname\tiso2\tcensus_codes\tmembers\taliases";

static BUILTIN: OnceLock<AreaRegistry> = OnceLock::new();

impl AreaRegistry {
    /// The registry compiled into kanzei (`data/areas.tsv`).
    pub fn builtin() -> &'static AreaRegistry {
        BUILTIN.get_or_init(|| {
            AreaRegistry::from_tsv(include_str!("../../../data/areas.tsv"))
                .unwrap_or_else(|err| panic!("the built-in data/areas.tsv is invalid: {err}"))
        })
    }

    /// Parses an area table (see the module documentation for the layout).
    pub fn from_tsv(text: &str) -> Result<AreaRegistry, AreaTableError> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, header)) if header.trim_end() == AREA_TABLE_HEADER => {}
            Some((_, header)) => {
                return Err(AreaTableError {
                    line: 1,
                    message: format!("header is `{header}`, expected `{AREA_TABLE_HEADER}`"),
                })
            }
            None => return Err(AreaTableError { line: 1, message: "empty table".into() }),
        }
        let mut areas = Vec::new();
        for (idx, line) in lines {
            let line_no = idx + 1;
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            if fields.len() != 7 {
                return Err(AreaTableError {
                    line: line_no,
                    message: format!("expected 7 tab-separated fields, found {}", fields.len()),
                });
            }
            let code = AreaCode::new(fields[0]).ok_or_else(|| AreaTableError {
                line: line_no,
                message: format!("`{}` is not a valid area code", fields[0]),
            })?;
            let kind = AreaKind::parse(fields[1]).ok_or_else(|| AreaTableError {
                line: line_no,
                message: format!(
                    "kind `{}` is not one of country, group, aggregate, historical, unallocated",
                    fields[1]
                ),
            })?;
            let mut census_codes = Vec::new();
            for part in split_list(fields[4]) {
                census_codes.push(part.parse::<u16>().map_err(|_| AreaTableError {
                    line: line_no,
                    message: format!("census code `{part}` is not a number"),
                })?);
            }
            let mut members = Vec::new();
            for part in split_list(fields[5]) {
                members.push(AreaCode::new(part).ok_or_else(|| AreaTableError {
                    line: line_no,
                    message: format!("member `{part}` is not a valid area code"),
                })?);
            }
            areas.push(Area {
                code,
                kind,
                name: fields[2].to_string(),
                iso2: (!fields[3].is_empty()).then(|| fields[3].to_string()),
                census_codes,
                members,
                aliases: split_list(fields[6]).map(str::to_string).collect(),
            });
        }
        AreaRegistry::from_areas(areas).map_err(|message| AreaTableError { line: 0, message })
    }

    /// Builds a registry from rows, checking that codes and Census codes are unique.
    pub fn from_areas(areas: Vec<Area>) -> Result<AreaRegistry, String> {
        let mut by_code = HashMap::new();
        let mut by_census = crate::fxhash::FxHashMap::default();
        let mut by_key = HashMap::new();
        for (idx, area) in areas.iter().enumerate() {
            if by_code.insert(area.code, idx).is_some() {
                return Err(format!("area code {} appears twice", area.code));
            }
            for &census in &area.census_codes {
                if let Some(other) = by_census.insert(census, idx) {
                    return Err(format!(
                        "Census code {census} is given to both {} and {}",
                        areas[other].code, area.code
                    ));
                }
            }
        }
        // Names and aliases: a country's own names win over aggregates that happen to share
        // them, and the first row wins among equals.
        for (idx, area) in areas.iter().enumerate() {
            for name in std::iter::once(&area.name).chain(&area.aliases) {
                let key = normalize_key(name);
                if key.is_empty() {
                    continue;
                }
                by_key.entry(key).or_insert(idx);
            }
        }
        // ISO2 codes resolve exactly ("JP") but never outrank a name.
        for (idx, area) in areas.iter().enumerate() {
            if let Some(iso2) = &area.iso2 {
                by_key.entry(normalize_key(iso2)).or_insert(idx);
            }
        }
        for area in &areas {
            for member in &area.members {
                if !by_code.contains_key(member) {
                    return Err(format!("group {} has unknown member {member}", area.code));
                }
            }
        }
        Ok(AreaRegistry { areas, by_code, by_census, by_key })
    }

    /// Every area, in table order.
    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// Looks up an exact code (`JPN`, `EU27`).
    pub fn get(&self, code: AreaCode) -> Option<&Area> {
        self.by_code.get(&code).map(|&idx| &self.areas[idx])
    }

    /// Looks up a Census Schedule C code (5880 → Japan).
    pub fn by_census(&self, census_code: u16) -> Option<&Area> {
        self.by_census.get(&census_code).map(|&idx| &self.areas[idx])
    }

    /// Looks up a name or alias exactly (after normalisation), without suggestions.
    pub fn by_name(&self, name: &str) -> Option<&Area> {
        self.by_key.get(&normalize_key(name)).map(|&idx| &self.areas[idx])
    }

    /// Resolves what a user typed: a code, a Census code, a name or an alias, in any case.
    /// Near misses come back as an [`UnknownArea`] error with suggestions.
    pub fn resolve(&self, input: &str) -> Result<&Area, UnknownArea> {
        let trimmed = input.trim();
        self.lookup(trimmed)
            .ok_or_else(|| UnknownArea { input: trimmed.to_string(), suggestions: self.suggest(trimmed) })
    }

    /// Exact lookup without suggestions: a code (`USA`), a Census code (`5880`), or a
    /// name or alias after normalisation. Loaders use this on publishers' labels.
    pub fn lookup(&self, text: &str) -> Option<&Area> {
        let trimmed = text.trim();
        if let Some(area) = AreaCode::new(trimmed).and_then(|code| self.get(code)) {
            return Some(area);
        }
        if let Ok(census) = trimmed.parse::<u16>() {
            if let Some(area) = self.by_census(census) {
                return Some(area);
            }
        }
        self.by_name(trimmed)
    }

    /// Up to three areas whose code or names are close to `input`.
    pub fn suggest(&self, input: &str) -> Vec<(String, String)> {
        let key = normalize_key(input);
        if key.is_empty() {
            return Vec::new();
        }
        let mut scored: Vec<(usize, usize)> = Vec::new();
        for (idx, area) in self.areas.iter().enumerate() {
            let code_key = area.code.as_str().to_ascii_lowercase();
            let mut best = edit_distance(&key, &code_key);
            for name in std::iter::once(&area.name).chain(&area.aliases) {
                let name_key = normalize_key(name);
                let mut distance = edit_distance(&key, &name_key);
                // A typed prefix of a long name ("switz") is a strong hint.
                if key.len() >= 4 && name_key.starts_with(&key) {
                    distance = distance.min(1);
                }
                best = best.min(distance);
            }
            // Allow about one typo per four characters, at least one.
            let allowed = (key.len() / 4).max(1);
            if best <= allowed {
                // Countries first among equals: they are what users usually mean.
                let rank = best * 10 + usize::from(area.kind != AreaKind::Country);
                scored.push((rank, idx));
            }
        }
        scored.sort();
        scored
            .into_iter()
            .take(3)
            .map(|(_, idx)| (self.areas[idx].code.to_string(), self.areas[idx].name.clone()))
            .collect()
    }

    /// The member countries of a group, or the area itself for a country.
    pub fn expand(&self, code: AreaCode) -> Vec<AreaCode> {
        match self.get(code) {
            Some(area) if !area.members.is_empty() => area.members.clone(),
            Some(area) => vec![area.code],
            None => Vec::new(),
        }
    }

    /// Whether `country` is a member of `group` (or is the group itself).
    pub fn is_member(&self, country: AreaCode, group: AreaCode) -> bool {
        country == group || self.get(group).is_some_and(|g| g.members.contains(&country))
    }
}

fn split_list(field: &str) -> impl Iterator<Item = &str> {
    field.split(';').map(str::trim).filter(|part| !part.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> AreaCode {
        AreaCode::new(text).unwrap()
    }

    #[test]
    fn area_code_rules() {
        assert_eq!(code("jpn").as_str(), "JPN");
        assert!(AreaCode::new("").is_none());
        assert!(AreaCode::new("TOO_LONG_X").is_none());
        assert!(AreaCode::new("J-N").is_none());
    }

    #[test]
    fn builtin_resolves_codes_census_codes_names_and_aliases() {
        let registry = AreaRegistry::builtin();
        assert_eq!(registry.resolve("JPN").unwrap().name, "Japan");
        assert_eq!(registry.resolve("jpn").unwrap().code, code("JPN"));
        assert_eq!(registry.resolve("5880").unwrap().code, code("JPN"));
        assert_eq!(registry.resolve("japan").unwrap().code, code("JPN"));
        assert_eq!(registry.resolve("Korea, South").unwrap().code, code("KOR"));
        assert_eq!(registry.resolve("South Korea").unwrap().code, code("KOR"));
        assert_eq!(registry.by_census(5700).unwrap().code, code("CHN"));
        assert_eq!(registry.by_census(1220).unwrap().code, code("CAN"));
    }

    #[test]
    fn near_misses_get_suggestions() {
        let registry = AreaRegistry::builtin();
        let err = registry.resolve("Japn").unwrap_err();
        assert_eq!(err.suggestions[0], ("JPN".to_string(), "Japan".to_string()));
        assert_eq!(err.to_string(), "`Japn` is not a known country or group\n\nhint: did you mean JPN (Japan)?");
        let err = registry.resolve("Zzyzx").unwrap_err();
        assert!(err.suggestions.is_empty());
        assert!(err.to_string().contains("hint: use an ISO3 code"));
    }

    #[test]
    fn groups_and_aggregates() {
        let registry = AreaRegistry::builtin();
        let eu = registry.get(code("EU27")).unwrap();
        assert_eq!(eu.kind, AreaKind::Group);
        assert_eq!(eu.members.len(), 27);
        assert!(registry.is_member(code("DEU"), code("EU27")));
        assert!(!registry.is_member(code("GBR"), code("EU27")));
        assert_eq!(registry.expand(code("USMCA")).len(), 3);
        // Census aggregates are reported as rows but are never countries.
        for census in [4u16, 7, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22] {
            let area = registry.by_census(census).unwrap();
            assert_ne!(area.kind, AreaKind::Country, "census code {census} is an aggregate");
        }
        assert_eq!(registry.by_census(3).unwrap().code, code("EU27"));
    }

    #[test]
    fn malformed_table_lines_are_named() {
        let text = format!("{AREA_TABLE_HEADER}\nJPN\tcountry\tJapan\tJP\t5880\t\t\nXXX\tplanet\tMars\t\t\t\t\n");
        let err = AreaRegistry::from_tsv(&text).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.contains("kind `planet`"));
    }
}
