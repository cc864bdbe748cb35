//! The data the tariff engine needs besides trade values: named HS product lists (Section
//! 232 steel derivatives, Annex II exemptions, Section 301 lists, retaliation lists…), named
//! rate tables (reciprocal rates by country), and shares that turn a legal rate into an
//! effective one (USMCA-qualifying share by HS10, metal content by HS10, preference use by
//! chapter and partner), plus the U.S. exports that retaliation lists hit.
//!
//! Every list comes from a file in the raw data folder, transcribed from the legal text by
//! its publisher (Yale Budget Lab, tradewartracker); [`LIST_SOURCES`] says which file, which
//! column, and which legal act. Codes that are not valid HS codes are counted, never dropped
//! silently.

use std::collections::BTreeMap;

// The engine looks these up once per cell: the Fx hash, not SipHash.
use kanzei_core::fxhash::FxHashMap as HashMap;
use std::io::Read;
use std::path::Path;

use kanzei_core::{AreaCode, AreaRegistry, Coverage, HsCode};
use serde::Serialize;

use crate::error::DataError;
use crate::read::{self, Table, TableOptions};

/// Where a named product list comes from.
#[derive(Clone, Copy, Debug)]
pub struct ListSource {
    /// The id scenarios use (`s232-auto-parts`).
    pub id: &'static str,
    /// File, relative to the raw data folder.
    pub file: &'static str,
    /// Column holding the codes: a header name, or `#n` (0-based) for files without a header.
    pub column: &'static str,
    /// Keep only rows where each of these columns equals its value.
    pub filters: &'static [(&'static str, &'static str)],
    /// What the list is.
    pub title: &'static str,
    /// The legal act it transcribes.
    pub legal: &'static str,
}

macro_rules! list {
    ($id:expr, $file:expr, $col:expr, $title:expr, $legal:expr) => {
        ListSource { id: $id, file: $file, column: $col, filters: &[], title: $title, legal: $legal }
    };
    ($id:expr, $file:expr, $col:expr, [$(($fc:expr, $fv:expr)),+], $title:expr, $legal:expr) => {
        ListSource { id: $id, file: $file, column: $col, filters: &[$(($fc, $fv)),+], title: $title, legal: $legal }
    };
}

/// Every named list kanzei ships.
pub const LIST_SOURCES: &[ListSource] = &[
    // Section 232.
    list!("s232-steel-derivatives-2025", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "steel-tariffs.csv"), "HTSUS", "Section 232 steel derivative articles added 2025", "Proclamation 10896 (Feb 10, 2025), annex; HTSUS 9903.81.89–93"),
    list!("s232-aluminum-derivatives-2025", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "alu-tariffs.csv"), "HTSUS", "Section 232 aluminum derivative articles added 2025", "Proclamation 10895 (Feb 10, 2025), annex; HTSUS 9903.85.07–08"),
    list!("s232-aluminum-derivatives-2025-03-12", "budgetlab_tariff_rate_tracker/resources/s232_derivative_products.csv", "hts_prefix", [("derivative_type", "aluminum"), ("effective_date", "")], "Section 232 aluminum derivatives in force from Mar 12, 2025", "Proclamation 10895; HTSUS 9903.85.04, .07, .08"),
    list!("s232-steel-derivatives-2025-08-18", "budgetlab_tariff_rate_tracker/resources/s232_derivative_products.csv", "hts_prefix", [("derivative_type", "steel"), ("effective_date", "2025-08-18")], "Section 232 steel derivatives added by the inclusions process (Aug 18, 2025)", "BIS inclusions, FR 2025-15819; HTSUS 9903.81.91"),
    list!("s232-aluminum-derivatives-2025-08-18", "budgetlab_tariff_rate_tracker/resources/s232_derivative_products.csv", "hts_prefix", [("derivative_type", "aluminum"), ("effective_date", "2025-08-18")], "Section 232 aluminum derivatives added by the inclusions process (Aug 18, 2025)", "BIS inclusions, FR 2025-15819; HTSUS 9903.85.08"),
    list!("s232-autos", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "auto-tariffs.csv"), "HTSUS", "Section 232 automobiles and light trucks and parts (Annex I)", "Proclamation 10908 (Mar 26, 2025); HTSUS 9903.94.01–06"),
    list!("s232-auto-parts", "budgetlab_tariff_rate_tracker/resources/s232_auto_parts.txt", "#0", "Section 232 automobile parts (Annex I parts list)", "Proclamation 10908, Annex I; HTSUS 9903.94.05"),
    list!("s232-mhd-parts", "budgetlab_tariff_rate_tracker/resources/s232_mhd_parts.txt", "#0", "Section 232 medium- and heavy-duty vehicle parts", "Proclamation 10984 (Oct 17, 2025); HTSUS 9903.74"),
    list!("s232-copper", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "copper-list.csv"), "HTSUS", "Section 232 semi-finished copper and derivatives", "Proclamation 10962 (Jul 30, 2025); HTSUS 9903.78.01"),
    list!("s232-semiconductors", "budgetlab_tariff_rate_tracker/resources/s232_semi_products.csv", "hts10", "Section 232 semiconductors (2026)", "HTSUS 9903.79.01"),
    list!("s232-annex-1a-2026", "budgetlab_tariff_rate_tracker/resources/s232_annex_products.csv", "hts_prefix", [("annex", "1a")], "April 2026 metals annex I-A (50%)", "Proclamation of Apr 2026; HTSUS 9903.82"),
    list!("s232-annex-1b-2026", "budgetlab_tariff_rate_tracker/resources/s232_annex_products.csv", "hts_prefix", [("annex", "1b")], "April 2026 metals annex I-B (25%)", "Proclamation of Apr 2026; HTSUS 9903.82"),
    list!("s232-annex-2-2026", "budgetlab_tariff_rate_tracker/resources/s232_annex_products.csv", "hts_prefix", [("annex", "2")], "April 2026 metals annex II (removed from 232)", "Proclamation of Apr 2026; HTSUS 9903.82"),
    list!("s232-annex-3-2026", "budgetlab_tariff_rate_tracker/resources/s232_annex_products.csv", "hts_prefix", [("annex", "3")], "April 2026 metals annex III (15% floor, temporary)", "Proclamation of Apr 2026; HTSUS 9903.82"),
    // IEEPA exemptions.
    list!("ieepa-annex-ii-2025-04-02", "onecampaign_tariff_turbulence_simulator/src/data/inputs/tariffs/exemptions_04_02_2025.json", "codes", "IEEPA reciprocal Annex II exemptions (April 2, 2025), 1,039 HS8", "EO 14257, Annex II; HTSUS 9903.01.32"),
    list!("ieepa-annex-ii-2025-04-02-twt", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "annex-II-exemptions.csv"), "HTSUS", "IEEPA reciprocal Annex II exemptions (April 2, 2025), tradewartracker's HS10 subset", "EO 14257, Annex II; HTSUS 9903.01.32"),
    list!("ieepa-annex-ii-2025-11-14", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "annex-II-exemptions-nov14.csv"), "HTSUS", "IEEPA reciprocal exemptions incl. the Nov 14, 2025 agricultural additions", "EO 14360 (Nov 14, 2025), Annex"),
    list!("ieepa-exempt-budgetlab", "budgetlab_tariff_rate_tracker/resources/ieepa_exempt_products.csv", "hts10", "IEEPA reciprocal exempt products (Annex II, as amended), HS10", "EO 14257 Annex II as amended; HTSUS 9903.01.32"),
    list!("ieepa-electronics-2025-04-11", "onecampaign_tariff_turbulence_simulator/src/data/inputs/tariffs/exemptions_04_11_2025.json", "codes", "Electronics exempted from reciprocal tariffs (April 11, 2025; retroactive to April 5)", "Memorandum of Apr 11, 2025 clarifying EO 14257; HTSUS 9903.01.32"),
    list!("ieepa-electronics-2025-04-11-twt", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "consumer_electronics_EO14257_apr11.csv"), "HTSUS", "Electronics exempted from reciprocal tariffs (April 11, 2025), tradewartracker's HS10 list", "Memorandum of Apr 11, 2025 clarifying EO 14257; HTSUS 9903.01.32"),
    list!("fentanyl-energy-ca", "budgetlab_tariff_rate_tracker/resources/fentanyl_carveout_products.csv", "hts8", [("category", "energy_ca")], "Canadian energy resources at the reduced fentanyl rate", "EO 14193 as amended; HTSUS 9903.01.13"),
    list!("fentanyl-potash-ca", "budgetlab_tariff_rate_tracker/resources/fentanyl_carveout_products.csv", "hts8", [("category", "potash_ca")], "Canadian potash at the reduced fentanyl rate", "EO 14231 (Mar 6, 2025); HTSUS 9903.01.15"),
    list!("fentanyl-potash-mx", "budgetlab_tariff_rate_tracker/resources/fentanyl_carveout_products.csv", "hts8", [("category", "potash_mx")], "Mexican potash at the reduced fentanyl rate", "EO 14232 (Mar 6, 2025); HTSUS 9903.01.05"),
    // Floors: products exempt from the 15% deal floors.
    list!("floor-exempt-eu", "budgetlab_tariff_rate_tracker/resources/floor_exempt_products.csv", "hts8", [("country_group", "eu")], "Products exempt from the EU 15% floor (aircraft, generic pharma, unavailable resources)", "EO 14346 annexes; HTSUS 9903.02.19–22"),
    list!("floor-exempt-japan", "budgetlab_tariff_rate_tracker/resources/floor_exempt_products.csv", "hts8", [("country_group", "japan")], "Products exempt from the Japan 15% floor (civil aircraft)", "EO 14345 (Sep 4, 2025), Annex II; HTSUS 9903.02.73"),
    list!("floor-exempt-korea", "budgetlab_tariff_rate_tracker/resources/floor_exempt_products.csv", "hts8", [("country_group", "korea")], "Products exempt from the Korea 15% floor (civil aircraft)", "HTSUS 9903.02.79–81 (Nov 2025)"),
    list!("floor-exempt-swiss", "budgetlab_tariff_rate_tracker/resources/floor_exempt_products.csv", "hts8", [("country_group", "swiss")], "Products exempt from the Swiss 15% floor", "FR 2025-23316; HTSUS 9903.02.82–86"),
    // Section 301 (China).
    list!("s301-list-1", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "1")], "Section 301 China list 1 (25%)", "83 FR 28710; HTSUS 9903.88.01"),
    list!("s301-list-2", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "2")], "Section 301 China list 2 (25%)", "83 FR 40823; HTSUS 9903.88.02"),
    list!("s301-list-3", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "3")], "Section 301 China list 3 (25%)", "83 FR 47974, 84 FR 20459; HTSUS 9903.88.03"),
    list!("s301-list-3-addl", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "3_addl")], "Section 301 China list 3 additions (25%)", "HTSUS 9903.88.04"),
    list!("s301-list-4a", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "4A")], "Section 301 China list 4A (7.5%)", "84 FR 43304, 85 FR 3741; HTSUS 9903.88.15"),
    list!("s301-2024-25pct", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "biden_25")], "Section 301 four-year review increases to 25% (Sep 27, 2024)", "89 FR 76581; HTSUS 9903.91.01, .04, .06, .11"),
    list!("s301-2024-50pct", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "biden_50")], "Section 301 four-year review increases to 50% (Sep 27, 2024)", "89 FR 76581; HTSUS 9903.91.02, .05, .07"),
    list!("s301-2024-100pct", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "biden_100")], "Section 301 four-year review increase to 100%: electric vehicles (Sep 27, 2024)", "89 FR 76581; HTSUS 9903.91.03, .08"),
    list!("s301-2025-25pct", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "biden_25_jan25")], "Section 301 increases to 25% effective Jan 1, 2025", "89 FR 76581; HTSUS 9903.91.04"),
    list!("s301-2025-50pct", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "biden_50_jan25")], "Section 301 increases to 50% effective Jan 1, 2025 (semiconductors, wafers, polysilicon)", "89 FR 76581; HTSUS 9903.91.05"),
    list!("s301-2026-increases", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "biden_jan26")], "Section 301 increases effective Jan 1, 2026", "89 FR 76581; HTSUS 9903.91.06–08"),
    list!("s301-cranes", "budgetlab_tariff_rate_tracker/resources/s301_product_lists.csv", "hts8", [("list", "cranes_301")], "Section 301 ship-to-shore cranes (100%, Oct 2025)", "USTR Section 301 ships action; HTSUS 9903.91.xx"),
    // Section 122 (2026).
    list!("s122-exempt", "budgetlab_tariff_rate_tracker/resources/s122_exempt_products.csv", "hts8", "Products exempt from the Section 122 surcharge", "Proclamation of Feb 2026 under Trade Act §122; HTSUS 9903.03"),
    // Brazil EO.
    list!("brazil-exempt-2025-08-06", "budgetlab_tariff_rate_tracker/resources/country_eo_exempt_products.csv", "hts10", [("effective_date_start", "2025-08-06")], "Products exempt from the Brazil 40% IEEPA duty (EO 14323, Annex I)", "EO 14323 (Jul 30, 2025), Annex I; HTSUS 9903.01.80"),
    list!("brazil-exempt-2025-11-13", "budgetlab_tariff_rate_tracker/resources/country_eo_exempt_products.csv", "hts10", [("effective_date_start", "2025-11-13")], "Agricultural products exempt from the Brazil 40% IEEPA duty from Nov 13, 2025", "EO of Nov 20, 2025 modifying EO 14323 (retroactive to Nov 13, 2025)"),

    // The July–August 2026 actions (see tradewartracker_trade_war_redux_2025/POLICY_2026.md).
    list!("brazil-301-exempt-flat", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "brazil-301-exemptions.csv"), "HTSUS", [("category", "flat")], "Subheadings exempt from the Section 301 duty on Brazil (Annex, listed subheadings)", "USTR notice of action on Brazil (Jul 15, 2026), U.S. note 50; HTSUS 9903"),
    list!("brazil-301-exempt-named", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "brazil-301-exemptions.csv"), "HTSUS", [("category", "named")], "Named articles exempt from the Section 301 duty on Brazil", "USTR notice of action on Brazil (Jul 15, 2026), U.S. note 50"),
    list!("brazil-301-exempt-pharma", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "brazil-301-exemptions.csv"), "HTSUS", [("category", "pharma")], "Pharmaceutical-application codes exempt from the Section 301 duty on Brazil (conditional on end use)", "USTR notice of action on Brazil (Jul 15, 2026), U.S. note 50"),
    list!("brazil-301-exempt-aircraft", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "brazil-301-exemptions.csv"), "HTSUS", [("category", "aircraft")], "Civil-aircraft codes exempt from the Section 301 duty on Brazil (conditional on end use)", "USTR notice of action on Brazil (Jul 15, 2026), U.S. note 50"),
    list!("s122-exempt-products-twt", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "section122-product-exemptions.csv"), "hts_code", "Section 122 product exemptions without the civil-aircraft lines (tradewartracker); the proxy for Annex II Part A of the 2026 forced-labour Section 301 action", "Proclamation of Feb 20, 2026 under Trade Act §122, Annex; HTSUS 9903.03"),
    list!("s122-exempt-specific-twt", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "section122-specific-exemptions.csv"), "hts_code", "Section 122 specific-article exemptions (tradewartracker)", "Proclamation of Feb 20, 2026 under Trade Act §122, Annex; HTSUS 9903.03"),
    list!("canada-338-alcohol", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "canada-338-alcohol.csv"), "HTSUS", "Section 338 on Canada: alcoholic beverages and some wood and paper (+50%)", "Proclamation of Jul 20, 2026 under Tariff Act of 1930 §338, U.S. note 51; HTSUS 9903.03.12"),
    list!("canada-338-dairy", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "canada-338-dairy.csv"), "HTSUS", "Section 338 on Canada: dairy, sugars and caseins (+50%)", "Proclamation of Jul 20, 2026 under Tariff Act of 1930 §338, U.S. note 51; HTSUS 9903.03.13"),
    list!("canada-338-autos", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "canada-338-autos.csv"), "HTSUS", "Section 338 on Canada: motor-vehicle-retaliation basket, 56 chapters (+50%)", "Proclamation of Jul 20, 2026 under Tariff Act of 1930 §338, U.S. note 51; HTSUS 9903.03.14"),
    list!("canada-338-aircraft-exempt", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "canada-338-aircraft-exempt.csv"), "HTSUS", "Civil aircraft carved out of the three Section 338 actions on Canada", "Proclamations of Jul 20, 2026, U.S. note 51"),
    list!("s201-solar", "budgetlab_tariff_rate_tracker/resources/s201_solar_products.csv", "hts10", "Section 201 safeguard on crystalline silicon photovoltaic cells and modules", "Proclamation 9693 (Jan 23, 2018); extension Proclamation 10339 (Feb 4, 2022); HTSUS 9903.45.21–29"),
    // Retaliation against the United States.
    list!("canada-2025-03-04", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "canada-march-list.csv"), "#0", "Canada's counter-tariffs on C$30 billion of U.S. goods (25%)", "Canada, United States Surtax Order (2025), effective Mar 4, 2025"),
    list!("canada-steel-aluminum-2025-03-13", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "canada-steel-list.csv"), "#0", "Canada's counter-tariffs on U.S. steel, aluminum and other goods (25%)", "Canada, United States Surtax Order (Steel and Aluminum 2025), effective Mar 13, 2025"),
    list!("canada-2025-c125b", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "canada-125b-list.csv"), "#0", "Canada's proposed second list (C$125 billion), not implemented", "Department of Finance Canada, Mar 2025 (proposed)"),
    list!("china-2025-03-10-15pct", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "china-15-percent-030425.csv"), "#1", "China's 15% counter-tariffs on U.S. chicken, wheat, corn, cotton", "State Council Tariff Commission announcement No. 2 of 2025, effective Mar 10, 2025"),
    list!("china-2025-03-10-10pct", concat!("tradewartracker_trade_war_redux_2025/tariff-lists/", "china-10-percent-030425.csv"), "#1", "China's 10% counter-tariffs on U.S. soybeans, sorghum, pork, beef, and other farm goods", "State Council Tariff Commission announcement No. 2 of 2025, effective Mar 10, 2025"),
];

/// Rate tables: (id, file, country column, rate column, title, legal).
pub const TABLE_SOURCES: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "reciprocal-2025-04-02",
        "tradewartracker_trade_war_redux_2025/tariff-lists/reciprocal-tariffs-annex-I.csv",
        "CTY_NAME",
        "tariff_rate",
        "IEEPA reciprocal country rates, Annex I of EO 14257 (April 2, 2025)",
        "EO 14257, Annex I; HTSUS 9903.01.43–76",
    ),
    (
        "reciprocal-2025-08-07",
        "tradewartracker_trade_war_redux_2025/tariff-lists/clean-august-7-tariffs.csv",
        "country_name",
        "rtariff-aug",
        "IEEPA reciprocal country rates of EO 14326 (effective Aug 7, 2025)",
        "EO 14326 (Jul 31, 2025), Annex I; HTSUS 9903.02.02–71",
    ),
];

/// A named list of HS codes.
#[derive(Clone, Debug, Serialize)]
pub struct ProductList {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Legal act.
    pub legal: String,
    /// Source file.
    pub source: String,
    /// Codes (any length).
    pub codes: Vec<HsCode>,
}

/// A named table of rates by exporter, percent.
#[derive(Clone, Debug, Serialize)]
pub struct RateTable {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Legal act.
    pub legal: String,
    /// Source file.
    pub source: String,
    /// Exporter → rate, percent.
    pub rates: BTreeMap<AreaCode, f64>,
}

/// Metal content of an HS10 line, shares of customs value (BEA input–output based).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct MetalContent {
    /// Steel.
    pub steel: f64,
    /// Aluminum.
    pub aluminum: f64,
    /// Copper.
    pub copper: f64,
}

/// U.S. exports hit by a retaliation list (HS6, 2024, USD), as compiled with the list.
#[derive(Clone, Debug, Serialize)]
pub struct ExportsHit {
    /// Which list file.
    pub id: String,
    /// Importer retaliating.
    pub importer: AreaCode,
    /// HS6 → U.S. exports 2024, USD.
    pub exports_usd: BTreeMap<HsCode, f64>,
}

/// Everything besides trade values the tariff engine reads.
#[derive(Clone, Debug, Default)]
pub struct TariffInputs {
    /// Named product lists.
    pub lists: BTreeMap<String, ProductList>,
    /// Named rate tables.
    pub tables: BTreeMap<String, RateTable>,
    /// (partner, HS10) → share of 2024 imports claiming USMCA preference.
    pub usmca_share: HashMap<(AreaCode, HsCode), f64>,
    /// (partner, HS10) → share of 2025 imports claiming USMCA preference (claims rose once
    /// USMCA status exempted goods from the 2025 duties).
    pub usmca_share_2025: HashMap<(AreaCode, HsCode), f64>,
    /// HS10 → metal content shares.
    pub metal: HashMap<HsCode, MetalContent>,
    /// (partner, chapter) → share of imports entering under a preference (MFN not paid).
    pub preference_share: HashMap<(AreaCode, u8), f64>,
    /// U.S. exports hit by retaliation lists, by importer.
    pub exports_hit: Vec<ExportsHit>,
    /// One coverage report per input file.
    pub coverage: Vec<Coverage>,
}

fn code_column(table: &Table<Box<dyn Read>>, spec: &str) -> Result<usize, DataError> {
    if let Some(idx) = spec.strip_prefix('#') {
        return Ok(idx.parse().unwrap_or(0));
    }
    Ok(table.require(&[spec])?[0])
}

/// Reads one list from the raw folder.
pub fn load_list(raw: &Path, spec: &ListSource) -> Result<(ProductList, Coverage), DataError> {
    let path = raw.join(spec.file);
    if spec.file.ends_with(".json") {
        return load_json_list(&path, spec);
    }
    let headerless = spec.column.starts_with('#');
    // Budget Lab files open with `#` comment lines; they are documentation, not rows.
    let text: String = read::read_to_string(&path)?
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let source: Box<dyn Read> = if headerless {
        // Prepend a synthetic header so the table reader can be used unchanged.
        let first = text.lines().next().unwrap_or("");
        let n = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(first.as_bytes())
            .records()
            .next()
            .and_then(Result::ok)
            .map_or(1, |r| r.len());
        let header: Vec<String> = (0..n).map(|i| format!("#{i}")).collect();
        Box::new(std::io::Cursor::new(format!("{}\n{}", header.join(","), text)))
    } else {
        Box::new(std::io::Cursor::new(text))
    };
    let mut table = Table::new(spec.file, source, TableOptions::default())?;
    let col = code_column(&table, spec.column)?;
    let mut filters = Vec::new();
    for (column, value) in spec.filters {
        filters.push((table.require(&[column])?[0], *value));
    }
    let mut coverage = Coverage::new(format!("list {}", spec.id), spec.file, "codes");
    let mut codes = Vec::new();
    loop {
        let row = match table.next_row_loose()? {
            Some(row) => row,
            None => break,
        };
        if filters.iter().any(|(fcol, value)| row.str(*fcol) != *value) {
            continue;
        }
        let text = row.str(col);
        let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
        // Numeric columns lose one leading zero: a 7- or 9-digit code is padded.
        let parsed = if digits.len() % 2 == 1 {
            HsCode::parse(&format!("0{digits}"))
        } else {
            HsCode::parse(&digits)
        };
        match parsed {
            Ok(code) => {
                coverage.keep(1.0);
                codes.push(code);
            }
            Err(err) => coverage.reject("not an HS code", 1.0, || format!("line {}: {err}", row.line())),
        }
    }
    codes.sort();
    codes.dedup();
    let list = ProductList {
        id: spec.id.into(),
        title: spec.title.into(),
        legal: spec.legal.into(),
        source: spec.file.into(),
        codes,
    };
    Ok((list, coverage))
}

/// A JSON list (`{"name": …, "source": …, "codes": ["8471", …]}`, the ONE Campaign layout).
fn load_json_list(path: &Path, spec: &ListSource) -> Result<(ProductList, Coverage), DataError> {
    let text = read::read_to_string(path)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| DataError::Csv {
        file: spec.file.into(),
        line: e.line() as u64,
        message: format!("not JSON: {e}"),
    })?;
    let Some(items) = value.get(spec.column).and_then(|v| v.as_array()) else {
        return Err(DataError::Header {
            file: spec.file.into(),
            line: 1,
            column: spec.column.into(),
            expected: format!("a JSON object with an array `{}`", spec.column),
        });
    };
    let mut coverage = Coverage::new(format!("list {}", spec.id), spec.file, "codes");
    let mut codes = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let text = item.as_str().unwrap_or("").trim();
        match HsCode::parse(text) {
            Ok(code) => {
                coverage.keep(1.0);
                codes.push(code);
            }
            Err(err) => coverage.reject("not an HS code", 1.0, || format!("item {idx}: {err}")),
        }
    }
    codes.sort();
    codes.dedup();
    let list = ProductList { id: spec.id.into(), title: spec.title.into(), legal: spec.legal.into(), source: spec.file.into(), codes };
    Ok((list, coverage))
}

/// Loads every input from the raw folder.
pub fn load_raw(raw: &Path, registry: &AreaRegistry) -> Result<TariffInputs, DataError> {
    let mut inputs = TariffInputs::default();
    for spec in LIST_SOURCES {
        let (list, coverage) = load_list(raw, spec)?;
        inputs.coverage.push(coverage);
        inputs.lists.insert(list.id.clone(), list);
    }
    for &(id, file, country_col, rate_col, title, legal) in TABLE_SOURCES {
        let mut table = Table::new(file, read::open(&raw.join(file))?, TableOptions::default())?;
        let cols = table.require(&[country_col, rate_col])?;
        let mut coverage = Coverage::new(format!("table {id}"), file, "countries");
        let mut rates = BTreeMap::new();
        while let Some(row) = table.next_row()? {
            let who = row.str(cols[0]);
            let rate_text = row.str(cols[1]).trim_end_matches('%');
            let rate = crate::read::parse_number(rate_text)
                .ok_or_else(|| row.error(cols[1], format!("`{rate_text}` is not a rate")))?;
            match registry.lookup(who) {
                Some(area) => {
                    coverage.keep(1.0);
                    // A group row (the EU) sets the rate of each member.
                    if area.members.is_empty() {
                        rates.insert(area.code, rate);
                    } else {
                        for member in &area.members {
                            rates.insert(*member, rate);
                        }
                    }
                }
                None => coverage.reject("country not in the area registry", 1.0, || format!("line {}: {who}", row.line())),
            }
        }
        inputs.coverage.push(coverage);
        inputs.tables.insert(
            id.into(),
            RateTable { id: id.into(), title: title.into(), legal: legal.into(), source: file.into(), rates },
        );
    }
    // USMCA shares, 2024 and 2025.
    for (year, file) in [
        (2024, "budgetlab_tariff_rate_tracker/resources/usmca_product_shares_2024.csv"),
        (2025, "budgetlab_tariff_rate_tracker/resources/usmca_product_shares_2025.csv"),
    ] {
        let mut table = Table::new(file, read::open(&raw.join(file))?, TableOptions::default())?;
        let cols = table.require(&["hts10", "cty_code", "usmca_share"])?;
        let mut coverage = Coverage::new(format!("usmca_share_{year}"), file, "rows");
        while let Some(row) = table.next_row()? {
            let code = HsCode::parse(row.str(cols[0])).map_err(|e| row.error(cols[0], e.to_string()))?;
            let census = row.census_code(cols[1])?;
            let share = row.f64(cols[2])?;
            if !(0.0..=1.0 + 1e-9).contains(&share) {
                return Err(row.error(cols[2], format!("{share} is not a share between 0 and 1")));
            }
            match registry.by_census(census) {
                Some(area) => {
                    coverage.keep(1.0);
                    let map = if year == 2024 { &mut inputs.usmca_share } else { &mut inputs.usmca_share_2025 };
                    map.insert((area.code, code), share.min(1.0));
                }
                None => coverage.reject("Census code not in the registry", 1.0, || format!("line {}", row.line())),
            }
        }
        inputs.coverage.push(coverage);
    }
    // Metal content.
    let file = "budgetlab_tariff_rate_tracker/resources/metal_content_shares_bea_hs10.csv";
    let mut table = Table::new(file, read::open(&raw.join(file))?, TableOptions::default())?;
    let cols = table.require(&["hs10", "steel_share", "aluminum_share", "copper_share"])?;
    let mut coverage = Coverage::new("metal_content", file, "rows");
    while let Some(row) = table.next_row()? {
        let code = HsCode::parse(row.str(cols[0])).map_err(|e| row.error(cols[0], e.to_string()))?;
        let content = MetalContent { steel: row.f64(cols[1])?, aluminum: row.f64(cols[2])?, copper: row.f64(cols[3])? };
        coverage.keep(1.0);
        inputs.metal.insert(code, content);
    }
    inputs.coverage.push(coverage);
    // Preference use by chapter.
    let file = "budgetlab_tariff_rate_tracker/resources/mfn_exemption_shares.csv";
    let mut table = Table::new(file, read::open(&raw.join(file))?, TableOptions::default())?;
    let cols = table.require(&["hs2", "cty_code", "exemption_share"])?;
    let mut coverage = Coverage::new("preference_share", file, "rows");
    while let Some(row) = table.next_row()? {
        let chapter = HsCode::parse_padded(row.str(cols[0]), 2).map_err(|e| row.error(cols[0], e.to_string()))?;
        let census = row.census_code(cols[1])?;
        let share = row.f64(cols[2])?;
        match registry.by_census(census) {
            Some(area) => {
                coverage.keep(1.0);
                inputs.preference_share.insert((area.code, chapter.chapter_number()), share.clamp(0.0, 1.0));
            }
            None => coverage.reject("Census code not in the registry", 1.0, || format!("line {}", row.line())),
        }
    }
    inputs.coverage.push(coverage);
    // U.S. exports hit by retaliation lists.
    for (id, importer, file) in [
        ("canada-2025-03-04", "CAN", "tradewartracker_trade_war_redux_2025/data/canada-US-exports-030425.csv"),
        ("canada-steel-aluminum-2025-03-13", "CAN", "tradewartracker_trade_war_redux_2025/data/canada-steel-US-exports-031225.csv"),
        ("china-2025-03-10-10pct", "CHN", "tradewartracker_trade_war_redux_2025/data/china-10-percent-US-exports-030425.csv"),
        ("china-2025-03-10-15pct", "CHN", "tradewartracker_trade_war_redux_2025/data/china-15-percent-US-exports-030425.csv"),
    ] {
        let mut table = Table::new(file, read::open(&raw.join(file))?, TableOptions::default())?;
        let cols = table.require(&["exports", "hs-code"])?;
        let mut coverage = Coverage::new(format!("exports hit by {id}"), file, "USD");
        let mut exports_usd = BTreeMap::new();
        while let Some(row) = table.next_row()? {
            let value = row.f64(cols[0])?;
            match HsCode::parse_padded(row.str(cols[1]), 6) {
                Ok(code) if code.len() == 6 => {
                    coverage.keep(value);
                    *exports_usd.entry(code).or_insert(0.0) += value;
                }
                _ => coverage.reject("not an HS6 code", value, || format!("line {}: {}", row.line(), row.str(cols[1]))),
            }
        }
        inputs.coverage.push(coverage);
        inputs.exports_hit.push(ExportsHit {
            id: id.into(),
            importer: AreaCode::new(importer).expect("valid"),
            exports_usd,
        });
    }
    Ok(inputs)
}

/// Snapshot file names for the tariff inputs.
pub const SNAPSHOT_FILES: [&str; 5] =
    ["tariff_meta.csv.gz", "tariff_lists.csv.gz", "tariff_tables.csv.gz", "tariff_shares.csv.gz", "tariff_exports_hit.csv.gz"];

/// Writes kanzei's snapshot form: one CSV text per file in [`SNAPSHOT_FILES`] order.
pub fn to_snapshot(inputs: &TariffInputs) -> [String; 5] {
    use crate::snapshot::csv_field;
    let mut meta = String::from("kind,id,title,legal,source\n");
    let mut lists = String::from("list,code\n");
    for list in inputs.lists.values() {
        meta.push_str(&format!("list,{},{},{},{}\n", list.id, csv_field(&list.title), csv_field(&list.legal), list.source));
        for code in &list.codes {
            lists.push_str(&format!("{},{}\n", list.id, code));
        }
    }
    let mut tables = String::from("table,exporter,rate_pct\n");
    for table in inputs.tables.values() {
        meta.push_str(&format!("table,{},{},{},{}\n", table.id, csv_field(&table.title), csv_field(&table.legal), table.source));
        for (exporter, rate) in &table.rates {
            tables.push_str(&format!("{},{},{}\n", table.id, exporter, rate));
        }
    }
    let mut shares = String::from("kind,partner,code,share\n");
    let mut usmca: Vec<_> = inputs.usmca_share.iter().collect();
    usmca.sort_by(|a, b| a.0.cmp(b.0));
    for ((partner, code), share) in usmca {
        shares.push_str(&format!("usmca,{partner},{code},{share}\n"));
    }
    let mut usmca: Vec<_> = inputs.usmca_share_2025.iter().collect();
    usmca.sort_by(|a, b| a.0.cmp(b.0));
    for ((partner, code), share) in usmca {
        shares.push_str(&format!("usmca2025,{partner},{code},{share}\n"));
    }
    let mut metal: Vec<_> = inputs.metal.iter().collect();
    metal.sort_by(|a, b| a.0.cmp(b.0));
    for (code, m) in metal {
        shares.push_str(&format!("metal,,{code},{};{};{}\n", m.steel, m.aluminum, m.copper));
    }
    let mut pref: Vec<_> = inputs.preference_share.iter().collect();
    pref.sort_by(|a, b| a.0.cmp(b.0));
    for ((partner, chapter), share) in pref {
        shares.push_str(&format!("preference,{partner},{chapter:02},{share}\n"));
    }
    let mut hit = String::from("list,importer,hs6,exports_usd\n");
    for e in &inputs.exports_hit {
        for (code, value) in &e.exports_usd {
            hit.push_str(&format!("{},{},{},{}\n", e.id, e.importer, code, value));
        }
    }
    [meta, lists, tables, shares, hit]
}

/// Reads the snapshot form back (texts in [`SNAPSHOT_FILES`] order).
pub fn from_snapshot(texts: &[String; 5]) -> Result<TariffInputs, DataError> {
    let mut inputs = TariffInputs::default();
    let [meta, lists, tables, shares, hit] = texts;
    let mut t = Table::new(SNAPSHOT_FILES[0], meta.as_bytes(), TableOptions::default())?;
    let c = t.require(&["kind", "id", "title", "legal", "source"])?;
    while let Some(row) = t.next_row()? {
        let (id, title, legal, source) =
            (row.str(c[1]).to_string(), row.str(c[2]).to_string(), row.str(c[3]).to_string(), row.str(c[4]).to_string());
        if row.str(c[0]) == "list" {
            inputs.lists.insert(id.clone(), ProductList { id, title, legal, source, codes: vec![] });
        } else {
            inputs.tables.insert(id.clone(), RateTable { id, title, legal, source, rates: BTreeMap::new() });
        }
    }
    let mut t = Table::new(SNAPSHOT_FILES[1], lists.as_bytes(), TableOptions::default())?;
    let c = t.require(&["list", "code"])?;
    while let Some(row) = t.next_row()? {
        let code = HsCode::parse(row.str(c[1])).map_err(|e| row.error(c[1], e.to_string()))?;
        let list = inputs.lists.get_mut(row.str(c[0])).ok_or_else(|| row.error(c[0], "list not in tariff_meta"))?;
        list.codes.push(code);
    }
    let mut t = Table::new(SNAPSHOT_FILES[2], tables.as_bytes(), TableOptions::default())?;
    let c = t.require(&["table", "exporter", "rate_pct"])?;
    while let Some(row) = t.next_row()? {
        let exporter = AreaCode::new(row.str(c[1])).ok_or_else(|| row.error(c[1], "not an area code"))?;
        let rate = row.f64(c[2])?;
        let table = inputs.tables.get_mut(row.str(c[0])).ok_or_else(|| row.error(c[0], "table not in tariff_meta"))?;
        table.rates.insert(exporter, rate);
    }
    let mut t = Table::new(SNAPSHOT_FILES[3], shares.as_bytes(), TableOptions::default())?;
    let c = t.require(&["kind", "partner", "code", "share"])?;
    while let Some(row) = t.next_row()? {
        let code = HsCode::parse(row.str(c[2])).map_err(|e| row.error(c[2], e.to_string()))?;
        match row.str(c[0]) {
            "usmca" | "usmca2025" => {
                let partner = AreaCode::new(row.str(c[1])).ok_or_else(|| row.error(c[1], "not an area code"))?;
                let map = if row.str(c[0]) == "usmca" { &mut inputs.usmca_share } else { &mut inputs.usmca_share_2025 };
                map.insert((partner, code), row.f64(c[3])?);
            }
            "metal" => {
                let parts: Vec<f64> = row.str(c[3]).split(';').filter_map(crate::read::parse_number).collect();
                if parts.len() != 3 {
                    return Err(row.error(c[3], "expected steel;aluminum;copper shares"));
                }
                inputs.metal.insert(code, MetalContent { steel: parts[0], aluminum: parts[1], copper: parts[2] });
            }
            "preference" => {
                let partner = AreaCode::new(row.str(c[1])).ok_or_else(|| row.error(c[1], "not an area code"))?;
                inputs.preference_share.insert((partner, code.chapter_number()), row.f64(c[3])?);
            }
            other => return Err(row.error(c[0], format!("`{other}` is not usmca, usmca2025, metal or preference"))),
        }
    }
    let mut t = Table::new(SNAPSHOT_FILES[4], hit.as_bytes(), TableOptions::default())?;
    let c = t.require(&["list", "importer", "hs6", "exports_usd"])?;
    while let Some(row) = t.next_row()? {
        let id = row.str(c[0]).to_string();
        let importer = AreaCode::new(row.str(c[1])).ok_or_else(|| row.error(c[1], "not an area code"))?;
        let code = HsCode::parse(row.str(c[2])).map_err(|e| row.error(c[2], e.to_string()))?;
        let value = row.f64(c[3])?;
        if inputs.exports_hit.last().is_none_or(|e| e.id != id) {
            inputs.exports_hit.push(ExportsHit { id: id.clone(), importer, exports_usd: BTreeMap::new() });
        }
        if let Some(last) = inputs.exports_hit.last_mut() {
            last.exports_usd.insert(code, value);
        }
    }
    Ok(inputs)
}

// The binary form of the pre-indexed snapshot (`kanzei_core::bin`).
kanzei_core::bin_struct!(ProductList { id, title, legal, source, codes });
kanzei_core::bin_struct!(RateTable { id, title, legal, source, rates });
kanzei_core::bin_struct!(MetalContent { steel, aluminum, copper });
kanzei_core::bin_struct!(ExportsHit { id, importer, exports_usd });
kanzei_core::bin_struct!(TariffInputs { lists, tables, usmca_share, usmca_share_2025, metal, preference_share, exports_hit, coverage });
