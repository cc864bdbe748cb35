//! Derives the area registry (`data/areas.tsv`) from the Census Schedule C country list,
//! the Census→ISO3 maps, the FT-900 country file (for historical codes and the names Census
//! prints), the EU member list, and the small hand-kept tables below (aggregates, codes no
//! map covers, and the spellings other publishers use).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use kanzei_core::area::AREA_TABLE_HEADER;
use kanzei_core::text::normalize_key;
use kanzei_core::{Area, AreaCode, AreaKind, AreaRegistry};

use crate::error::DataError;
use crate::read::{self, Table, TableOptions};

/// Census aggregate rows (codes below 1000): our code, kind and name. Code 3 is the EU,
/// which is a group with members rather than a mere aggregate.
const CENSUS_AGGREGATES: &[(u16, &str, &str)] = &[
    (4, "WLD_SA", "World, seasonally adjusted"),
    (5, "NAFTA_MX", "NAFTA with Mexico (consumption)"),
    (6, "NAFTA_CA", "NAFTA with Canada (consumption)"),
    (7, "ATP", "Advanced Technology Products"),
    (9, "X_SCAM", "South and Central America"),
    (10, "X_NAM", "North America"),
    (12, "X_EUR", "Europe"),
    (13, "X_AFR", "Africa"),
    (14, "X_PACRIM", "Pacific Rim"),
    (15, "WLD", "World"),
    (16, "X_ASIA", "Asia"),
    (17, "CAFTADR", "CAFTA-DR"),
    (18, "X_OCEAN", "Australia and Oceania"),
    (19, "X_SSA", "Sub-Saharan Africa"),
    (21, "USMCA_MX", "USMCA with Mexico (consumption)"),
    (22, "USMCA_CA", "USMCA with Canada (consumption)"),
];

/// Census codes that neither Census→ISO3 map covers: (code, area code, kind).
/// Old codes that were replaced by a new code for the same country map to that country.
const CENSUS_SUPPLEMENT: &[(u16, &str, AreaKind)] = &[
    (1610, "SPM", AreaKind::Country),
    (2771, "ANT", AreaKind::Historical),
    (4350, "CSK", AreaKind::Historical),
    (4610, "SUN", AreaKind::Historical),
    (4790, "YUG", AreaKind::Historical),
    (4799, "SCG", AreaKind::Historical),
    (4802, "SRB", AreaKind::Country),
    (4803, "XKX", AreaKind::Country),
    (5080, "ISR", AreaKind::Country),
    (5082, "PSE", AreaKind::Country),
    (5083, "PSE", AreaKind::Country),
    (5160, "X_NZONE", AreaKind::Historical),
    (6029, "HMD", AreaKind::Country),
    (6413, "WLF", AreaKind::Country),
    // Sudan before the 2011 split; kept under SDN as Census does in its successor code.
    (7320, "SDN", AreaKind::Country),
    (7370, "ESH", AreaKind::Country),
    (7740, "ETH", AreaKind::Country),
    (7810, "IOT", AreaKind::Country),
    (7905, "ATF", AreaKind::Country),
    (8220, "X_UNID", AreaKind::Unallocated),
    (8500, "X_INTORG", AreaKind::Unallocated),
    // U.S. territories: in Schedule C, but inside the U.S. customs territory (Puerto Rico,
    // U.S. Virgin Islands) or reported separately; no map covers them.
    (9030, "PRI", AreaKind::Country),
    (9110, "VIR", AreaKind::Country),
    (9350, "GUM", AreaKind::Country),
    (9510, "ASM", AreaKind::Country),
    (9610, "MNP", AreaKind::Country),
    (9800, "UMI", AreaKind::Country),
];

/// Names for areas whose Census names are awkward, keyed by area code.
const NAME_OVERRIDES: &[(&str, &str)] = &[
    ("PSE", "West Bank and Gaza"),
    ("KOR", "Korea, South"),
    ("PRK", "Korea, North"),
];

/// Areas with no Census code that other publishers report.
const EXTRA_AREAS: &[(&str, &str, &str)] = &[];

/// Spellings used by other publishers: (area code, alias). Japan MOF abbreviates area
/// names; USITC DataWeb uses its own; users type common short forms.
const ALIASES: &[(&str, &str)] = &[
    // USITC DataWeb
    ("CUW", "Curaçao"),
    ("CZE", "Czechia (Czech Republic)"),
    ("CZE", "Czechia"),
    ("CIV", "Côte d`Ivoire"),
    ("CIV", "Côte d'Ivoire"),
    ("COD", "Democratic Republic of the Congo"),
    ("SWZ", "Eswatini (Swaziland)"),
    ("PSE", "Gaza Strip"),
    ("PSE", "West Bank"),
    ("MMR", "Myanmar (Burma)"),
    ("MMR", "Myanmar"),
    ("PRK", "North Korea"),
    ("COG", "Republic of the Congo"),
    ("STP", "São Tomé and Príncipe"),
    ("KOR", "South Korea"),
    ("KOR", "Korea"),
    ("KOR", "Republic of Korea"),
    // Japan MOF area labels
    ("ARG", "Argent"),
    ("AUS", "Austral"),
    ("COL", "Colmbia"),
    ("HKG", "Hg Kong"),
    ("IDN", "Indnsia"),
    ("MYS", "Malysia"),
    ("NLD", "Nethlds"),
    ("NZL", "Newzeld"),
    ("PAK", "Pakistn"),
    ("PNG", "Pap Nga"),
    ("PHL", "Philpin"),
    ("PRT", "Portugl"),
    ("PRI", "Prtrico"),
    ("KOR", "R Korea"),
    ("ZAF", "S Afrca"),
    ("SGP", "Sngapor"),
    ("SAU", "Su Arab"),
    ("CHE", "Switzld"),
    ("THA", "Thailnd"),
    ("ARE", "U Arb E"),
    ("GBR", "U King"),
    ("VEN", "Venezla"),
    // Common short forms
    ("USA", "United States"),
    ("USA", "US"),
    ("USA", "U.S."),
    ("GBR", "UK"),
    ("GBR", "Britain"),
    ("GBR", "Great Britain"),
    ("RUS", "Russian Federation"),
    ("VNM", "Viet Nam"),
    ("TWN", "Chinese Taipei"),
    ("EU27", "EU"),
    ("EU27", "European Union"),
    ("EU27", "EU-27"),
    ("WLD", "World"),
];

/// Inputs the registry is derived from, relative to the raw data directory.
pub const AREA_INPUTS: &[&str] = &[
    "budgetlab_tariff_etrs/resources/census_country_codes.txt",
    "budgetlab_tariff_etrs/resources/census_to_iso3.csv",
    "tradewartracker_trade_war_redux_2025/data/CensusCountryMapping_FRBAtl_short.csv",
    "tradewartracker_trade_war_redux_2025/data/eu-list.csv",
    "census_ft900_country/country_from_xlsx.csv",
];

struct Draft {
    kind: AreaKind,
    name: String,
    iso2: Option<String>,
    census_codes: Vec<u16>,
    members: Vec<AreaCode>,
    aliases: Vec<String>,
}

/// Builds the registry from a raw data directory. Returns notes on inconsistencies found
/// in the inputs (and how they were resolved).
pub fn build_registry(raw: &Path) -> Result<(AreaRegistry, Vec<String>), DataError> {
    let mut notes = Vec::new();
    // 1. Schedule C: code → (name, ISO2).
    let schedule_path = raw.join(AREA_INPUTS[0]);
    let schedule_text = read::read_to_string(&schedule_path)?;
    let mut schedule: BTreeMap<u16, (String, Option<String>)> = BTreeMap::new();
    for line in schedule_text.lines() {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        if parts.len() == 3 {
            if let Ok(code) = parts[0].parse::<u16>() {
                let iso2 = (!parts[2].is_empty()).then(|| parts[2].to_string());
                schedule.insert(code, (parts[1].to_string(), iso2));
            }
        }
    }
    if schedule.len() < 200 {
        return Err(DataError::Csv {
            file: schedule_path.display().to_string(),
            line: 0,
            message: format!("expected the Schedule C list (about 240 codes), found {} codes", schedule.len()),
        });
    }

    // 2. Census → ISO3 maps.
    let mut iso3_of: HashMap<u16, AreaCode> = HashMap::new();
    let mut alias_by_code: HashMap<u16, Vec<String>> = HashMap::new();
    for (rel, code_col, iso_col, name_col) in [
        (AREA_INPUTS[2], "CTY_CODE", "ISO3", Some("country")),
        (AREA_INPUTS[1], "cty_code", "iso3", None),
    ] {
        let path = raw.join(rel);
        let mut table = Table::new(rel, read::open(&path)?, TableOptions::default())?;
        let mut wanted = vec![code_col, iso_col];
        wanted.extend(name_col);
        let cols = table.require(&wanted)?;
        while let Some(row) = table.next_row()? {
            // The FRB Atlanta map lists a few areas without a Census code (Palestine,
            // Kosovo); Census reports them under codes the supplement table maps.
            if row.str(cols[0]).is_empty() {
                continue;
            }
            let census = row.census_code(cols[0])?;
            let iso = AreaCode::new(row.str(cols[1]))
                .ok_or_else(|| row.error(cols[1], "not an ISO3 code"))?;
            iso3_of.entry(census).or_insert(iso);
            if let Some(&name_idx) = cols.get(2) {
                alias_by_code.entry(census).or_default().push(row.str(name_idx).to_string());
            }
        }
    }

    // 3. FT-900 names (latest per code).
    let ft_path = raw.join(AREA_INPUTS[4]);
    let mut ft_names: BTreeMap<u16, (i32, String)> = BTreeMap::new();
    {
        let mut table = Table::new(AREA_INPUTS[4], read::open(&ft_path)?, TableOptions::default())?;
        let cols = table.require(&["year", "CTY_CODE", "CTYNAME"])?;
        while let Some(row) = table.next_row()? {
            let year = row.year(cols[0])?;
            let code = row.census_code(cols[1])?;
            let entry = ft_names.entry(code).or_insert((year, row.str(cols[2]).to_string()));
            if year >= entry.0 {
                *entry = (year, row.str(cols[2]).to_string());
            }
        }
    }

    let supplement: HashMap<u16, (&str, AreaKind)> =
        CENSUS_SUPPLEMENT.iter().map(|&(c, a, k)| (c, (a, k))).collect();
    let aggregates: HashMap<u16, (&str, &str)> =
        CENSUS_AGGREGATES.iter().map(|&(c, a, n)| (c, (a, n))).collect();

    let mut drafts: BTreeMap<AreaCode, Draft> = BTreeMap::new();
    let mut order: Vec<AreaCode> = Vec::new();
    let mut all_codes: Vec<u16> = schedule.keys().copied().chain(ft_names.keys().copied()).collect();
    all_codes.sort_unstable();
    all_codes.dedup();
    for census in all_codes {
        if census == 3 || aggregates.contains_key(&census) {
            continue;
        }
        let (code, kind) = if let Some(&iso) = iso3_of.get(&census) {
            (iso, AreaKind::Country)
        } else if let Some(&(code, kind)) = supplement.get(&census) {
            (AreaCode::new(code).expect("supplement codes are valid"), kind)
        } else {
            return Err(DataError::Reconciliation {
                what: "area registry".into(),
                detail: format!(
                    "Census code {census} ({}) has no ISO3 code in the maps or the supplement table",
                    ft_names.get(&census).map_or("?", |(_, n)| n.as_str())
                ),
            });
        };
        let schedule_entry = schedule.get(&census);
        let ft_name = ft_names.get(&census).map(|(_, n)| n.clone());
        // Prefer the name Census prints in its trade tables (FT-900), then Schedule C's.
        let name = ft_name.clone().or_else(|| schedule_entry.map(|(n, _)| n.clone())).unwrap_or_default();
        let draft = drafts.entry(code).or_insert_with(|| {
            order.push(code);
            Draft {
                kind,
                name: name.clone(),
                iso2: None,
                census_codes: Vec::new(),
                members: Vec::new(),
                aliases: Vec::new(),
            }
        });
        draft.census_codes.push(census);
        if draft.iso2.is_none() {
            draft.iso2 = schedule_entry.and_then(|(_, iso2)| iso2.clone());
        }
        // The main (newest) code's name wins: Schedule C lists current codes.
        if schedule_entry.is_some() && draft.census_codes.len() > 1 {
            draft.name = name.clone();
        }
        draft.aliases.push(name);
        draft.aliases.extend(schedule_entry.map(|(n, _)| n.clone()));
        draft.aliases.extend(alias_by_code.remove(&census).unwrap_or_default());
    }

    for &(code, name, iso2) in EXTRA_AREAS {
        let code = AreaCode::new(code).expect("valid");
        order.push(code);
        drafts.insert(code, Draft {
            kind: AreaKind::Country,
            name: name.into(),
            iso2: Some(iso2.into()),
            census_codes: vec![],
            members: vec![],
            aliases: vec![],
        });
    }

    // 4. Groups: EU-27 (Census code 3) from the member list, USMCA by treaty. The list's
    // names are authoritative: two of its codes are wrong (Malta 4600 is 4730, Slovakia
    // 4371 is 4359), so members are resolved by name and code mismatches are reported.
    let mut code_by_name: HashMap<String, u16> = HashMap::new();
    for (code, (name, _)) in &schedule {
        code_by_name.insert(normalize_key(name), *code);
    }
    for (code, (_, name)) in &ft_names {
        code_by_name.entry(normalize_key(name)).or_insert(*code);
    }
    let eu_rel = AREA_INPUTS[3];
    let mut eu_members = Vec::new();
    {
        let mut table = Table::new(eu_rel, read::open(&raw.join(eu_rel))?, TableOptions::default())?;
        let cols = table.require(&["CTY_NAME", "CTY_CODE"])?;
        while let Some(row) = table.next_row()? {
            let listed = row.census_code(cols[1])?;
            let name = row.str(cols[0]);
            let census = code_by_name.get(&normalize_key(name)).copied().ok_or_else(|| {
                row.error(cols[0], format!("EU member `{name}` is not a Schedule C country name"))
            })?;
            if census != listed {
                notes.push(format!(
                    "{eu_rel} line {}: {name} is listed with Census code {listed}; Schedule C gives {census} (used)",
                    row.line()
                ));
            }
            let iso = iso3_of.get(&census).copied().ok_or_else(|| {
                row.error(cols[1], format!("EU member code {census} has no ISO3 code"))
            })?;
            eu_members.push(iso);
        }
    }
    if eu_members.len() != 27 {
        return Err(DataError::Reconciliation {
            what: "EU member list".into(),
            detail: format!("expected 27 members, found {}", eu_members.len()),
        });
    }
    let group = |name: &str, census: Vec<u16>, members: Vec<AreaCode>| Draft {
        kind: AreaKind::Group,
        name: name.into(),
        iso2: None,
        census_codes: census,
        members,
        aliases: vec![],
    };
    let eu = AreaCode::new("EU27").expect("valid");
    order.push(eu);
    drafts.insert(eu, group("European Union (27)", vec![3], eu_members));
    let usmca = AreaCode::new("USMCA").expect("valid");
    order.push(usmca);
    let usmca_members = ["USA", "CAN", "MEX"].iter().map(|c| AreaCode::new(c).expect("valid")).collect();
    drafts.insert(usmca, group("USMCA (United States, Mexico, Canada)", vec![], usmca_members));

    for &(census, code, name) in CENSUS_AGGREGATES {
        let code = AreaCode::new(code).expect("valid");
        order.push(code);
        let mut draft = group(name, vec![census], vec![]);
        draft.kind = AreaKind::Aggregate;
        draft.aliases.extend(ft_names.get(&census).map(|(_, n)| n.clone()));
        drafts.insert(code, draft);
    }

    for &(code, name) in NAME_OVERRIDES {
        if let Some(draft) = AreaCode::new(code).and_then(|c| drafts.get_mut(&c)) {
            draft.aliases.push(std::mem::replace(&mut draft.name, name.into()));
        }
    }
    for &(code, alias) in ALIASES {
        let code = AreaCode::new(code).expect("valid");
        let draft = drafts.get_mut(&code).ok_or_else(|| DataError::Reconciliation {
            what: "area aliases".into(),
            detail: format!("alias `{alias}` names unknown area {code}"),
        })?;
        draft.aliases.push(alias.into());
    }

    let mut areas = Vec::with_capacity(order.len());
    for code in order {
        let Some(mut draft) = drafts.remove(&code) else { continue };
        // Keep distinct aliases that differ from the name after normalisation.
        let name_key = normalize_key(&draft.name);
        let mut seen = vec![name_key];
        draft.aliases.retain(|alias| {
            let key = normalize_key(alias);
            if key.is_empty() || seen.contains(&key) {
                false
            } else {
                seen.push(key);
                true
            }
        });
        draft.census_codes.sort_unstable();
        areas.push(Area {
            code,
            kind: draft.kind,
            name: draft.name,
            iso2: draft.iso2,
            census_codes: draft.census_codes,
            members: draft.members,
            aliases: draft.aliases,
        });
    }
    let registry = AreaRegistry::from_areas(areas)
        .map_err(|detail| DataError::Reconciliation { what: "area registry".into(), detail })?;
    Ok((registry, notes))
}

/// Writes a registry as `areas.tsv` text.
pub fn registry_to_tsv(registry: &AreaRegistry) -> String {
    let mut out = String::from(AREA_TABLE_HEADER);
    out.push('\n');
    for area in registry.areas() {
        let census: Vec<String> = area.census_codes.iter().map(u16::to_string).collect();
        let members: Vec<&str> = area.members.iter().map(AreaCode::as_str).collect();
        let clean = |s: &str| s.replace(['\t', ';', '\n'], " ");
        let aliases: Vec<String> = area.aliases.iter().map(|a| clean(a)).collect();
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            area.code,
            area.kind.as_str(),
            clean(&area.name),
            area.iso2.as_deref().unwrap_or(""),
            census.join(";"),
            members.join(";"),
            aliases.join(";"),
        ));
    }
    out
}
