//! What kanzei knows about each dataset: publisher, licence, citation, unit, where the raw
//! files live in a data directory, and which snapshot file holds the derived copy.

/// Static facts about one dataset.
#[derive(Clone, Copy, Debug)]
pub struct DatasetInfo {
    /// kanzei's id.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Original publisher.
    pub publisher: &'static str,
    /// Licence or terms.
    pub licence: &'static str,
    /// How to cite.
    pub citation: &'static str,
    /// Unit and basis of the values.
    pub unit: &'static str,
    /// Raw input files, relative to the data directory (a trailing `/` means every CSV in
    /// the folder). The first existing alternative among `a|b` is used.
    pub inputs: &'static [&'static str],
    /// Snapshot file(s) in `data/`.
    pub snapshot: &'static [&'static str],
    /// What the snapshot keeps, drops or aggregates.
    pub derivation: &'static str,
}

/// Every dataset in the snapshot.
pub const DATASETS: &[DatasetInfo] = &[
    DatasetInfo {
        id: "areas",
        title: "Area registry (countries, groups, aggregates)",
        publisher: "U.S. Census Bureau (Schedule C); ISO 3166 codes via the Federal Reserve Bank of Atlanta and Yale Budget Lab maps",
        licence: "U.S. government work (public domain); maps MIT",
        citation: "U.S. Census Bureau, Schedule C – Country codes",
        unit: "codes",
        inputs: &[
            "budgetlab_tariff_etrs/resources/census_country_codes.txt",
            "budgetlab_tariff_etrs/resources/census_to_iso3.csv",
            "tradewartracker_trade_war_redux_2025/data/CensusCountryMapping_FRBAtl_short.csv",
            "tradewartracker_trade_war_redux_2025/data/eu-list.csv",
            "census_ft900_country/country_from_xlsx.csv|census_ft900_country/country.csv",
        ],
        snapshot: &["areas.tsv"],
        derivation: "One row per area: ISO3 (or group code), kind, name, ISO2, Census codes (old codes of the same country merged), EU-27 and USMCA members, the Census regional aggregates, and the spellings other publishers use (USITC DataWeb, Japan MOF).",
    },
    DatasetInfo {
        id: "census_ft900_country",
        title: "U.S. trade in goods by country, 1985–2025",
        publisher: "U.S. Census Bureau, Foreign Trade Division",
        licence: "U.S. government work, public domain",
        citation: "U.S. Census Bureau, U.S. International Trade in Goods and Services (FT-900), \"U.S. Trade in Goods by Country\" (country.xlsx / country.csv)",
        unit: "USD millions; imports = general imports, customs value; exports = total exports, F.A.S.",
        inputs: &["census_ft900_country/country.csv|census_ft900_country/country_from_xlsx.csv"],
        snapshot: &["census_ft900_country.csv.gz"],
        derivation: "All rows and months kept; names dropped (the registry has them); values rewritten to the published one decimal.",
    },
    DatasetInfo {
        id: "us_imports_hs10",
        title: "U.S. imports for consumption 2024 by HS10, 50 largest partners and the EU",
        publisher: "U.S. Census Bureau (international trade API), compiled by tradewartracker (MIT)",
        licence: "Census data public domain; compilation MIT",
        citation: "U.S. Census Bureau, International Trade API, imports by HS10 (CON_VAL_YR, CAL_DUT_YR), December 2024 year-to-date",
        unit: "USD; imports for consumption, customs value; calculated duties",
        inputs: &["tradewartracker_trade_war_redux_2025/derived_us_imports_2024_hs10_by_country.csv.gz"],
        snapshot: &["us_imports_hs10_2024.csv.gz", "hs10_descriptions.csv.gz"],
        derivation: "Partner code, HS10, value and duty kept for every row; short descriptions moved to a separate table (one per HS10).",
    },
    DatasetInfo {
        id: "us_imports_hs2",
        title: "U.S. imports for consumption 2024 by HS2, every partner",
        publisher: "U.S. Census Bureau, compiled by tradewartracker (MIT)",
        licence: "Census data public domain; compilation MIT",
        citation: "U.S. Census Bureau, International Trade API, imports by HS2, 2024",
        unit: "USD; imports for consumption, customs value; calculated duties",
        inputs: &["tradewartracker_trade_war_redux_2025/data-hs2/"],
        snapshot: &["us_imports_hs2_2024.csv.gz"],
        derivation: "The 226 per-partner files stacked; the authors' modelled 2025 tariff column dropped.",
    },
    DatasetInfo {
        id: "us_exports_hs2",
        title: "U.S. total exports by HS2 and partner, 2020–2024",
        publisher: "U.S. International Trade Commission, DataWeb (from U.S. Census Bureau data)",
        licence: "U.S. government work, public domain",
        citation: "USITC DataWeb, U.S. total exports (FAS value) by HTS2 and country",
        unit: "USD; total exports (domestic + foreign), F.A.S.",
        inputs: &["usitc_dataweb_hts2_by_country_2020_2025/DataWeb-Query-Export__FAS_Value.csv"],
        snapshot: &["us_exports_hs2.csv.gz", "hs2_chapters.csv.gz"],
        derivation: "Country names resolved to ISO3; long format; the all-zero 2025 column dropped (query made in August 2025).",
    },
    DatasetInfo {
        id: "japan_mof_trade",
        title: "Japan exports and imports by area and principal commodity, 2009–2026",
        publisher: "Ministry of Finance, Japan (Japan Customs); annual sums by Mitsuo Shiota (jp-trade, MIT)",
        licence: "Government of Japan Standard Terms of Use (CC BY 4.0 compatible)",
        citation: "Ministry of Finance, Trade Statistics of Japan, value by area and principal commodity",
        unit: "JPY billions; exports F.O.B., imports C.I.F.; 2026 is January–March only",
        inputs: &["japan_mof_trade_by_area_goods/derived_trade_year.csv"],
        snapshot: &["japan_mof_trade.csv.gz"],
        derivation: "MOF area labels resolved to ISO3 (Grand Total → WLD, EU → EU27); all rows kept.",
    },
    DatasetInfo {
        id: "imf_weo",
        title: "IMF World Economic Outlook, October 2025 (subset of concepts)",
        publisher: "International Monetary Fund",
        licence: "IMF terms: free reuse with attribution",
        citation: "IMF, World Economic Outlook database, October 2025",
        unit: "as published (NGDPD: USD billions; NGDP: national currency billions; PT: percent)",
        inputs: &[
            "imf_weo_2025oct/derived_weo_2510_long.csv.gz",
            "imf_weo_2025oct/derived_weo_2510_series_notes.csv.gz",
        ],
        snapshot: &["imf_weo.csv.gz"],
        derivation: "Twelve concepts kept (GDP in USD, national currency and fiscal year, growth, per capita, PPP, population, inflation, current account, government spending and debt) for all 210 areas, with each series' last actual year.",
    },
    DatasetInfo {
        id: "hts",
        title: "Harmonized Tariff Schedule of the United States, 2025 basic edition",
        publisher: "U.S. International Trade Commission",
        licence: "U.S. government work, public domain",
        citation: "USITC, Harmonized Tariff Schedule of the United States (2025), basic edition",
        unit: "rate text as printed",
        inputs: &["budgetlab_tariff_etrs/resources/hts_2025_basic_edition.csv"],
        snapshot: &["hts_2025.csv.gz"],
        derivation: "Code, indent, description and the general, special and column 2 rate columns kept; unit of quantity, quota and additional-duty columns dropped.",
    },
    DatasetInfo {
        id: "tariff_inputs",
        title: "U.S. tariff law inputs: HS product lists, rate tables, USMCA, metal-content and preference shares, exports hit by retaliation",
        publisher: "Yale Budget Lab (tariff-rate-tracker, MIT) and tradewartracker (MIT), transcribing the HTSUS Chapter 99, Federal Register, Executive Orders, Proclamations and the Canadian and Chinese retaliation notices; USITC DataWeb and BEA for the shares",
        licence: "MIT (compilations); underlying legal texts and U.S. government data public domain",
        citation: "The Budget Lab at Yale, tariff-rate-tracker (2026); tradewartracker, trade-war-redux-2025 (2025)",
        unit: "HS codes; rates in percent; shares 0–1; exports in USD",
        inputs: &[
            "budgetlab_tariff_rate_tracker/resources/",
            "tradewartracker_trade_war_redux_2025/tariff-lists/",
            "onecampaign_tariff_turbulence_simulator/src/data/inputs/tariffs/",
            "tradewartracker_trade_war_redux_2025/data/canada-US-exports-030425.csv",
            "tradewartracker_trade_war_redux_2025/data/canada-steel-US-exports-031225.csv",
            "tradewartracker_trade_war_redux_2025/data/china-10-percent-US-exports-030425.csv",
            "tradewartracker_trade_war_redux_2025/data/china-15-percent-US-exports-030425.csv",
        ],
        snapshot: &["tariff_meta.csv.gz", "tariff_lists.csv.gz", "tariff_tables.csv.gz", "tariff_shares.csv.gz", "tariff_exports_hit.csv.gz"],
        derivation: "Each named list (see `kanzei tariff lists`) is the code column of one file, filtered where a file holds several lists; codes that lost a leading zero are padded, invalid codes counted. Rate tables resolved to ISO3 (the EU row expanded to its members). USMCA shares (2024 and 2025), BEA metal-content shares (HS10) and preference shares (HS2 × partner) kept as published.",
    },
];

/// Looks up a dataset by id.
pub fn dataset(id: &str) -> Option<&'static DatasetInfo> {
    DATASETS.iter().find(|d| d.id == id)
}
