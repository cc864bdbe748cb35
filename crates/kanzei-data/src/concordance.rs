//! From HS products to the industries of an input–output table: the HS → ISIC Rev.3
//! concordances of the R package `concordance`, a fixed ISIC Rev.3 → WIOD 2013 sector map,
//! and [`HsToWiod`], which maps any HS code (and any trade value) to the 35 WIOD sectors
//! with a [`MappingCoverage`] saying how every dollar was mapped.
//!
//! # The concordance files
//!
//! `../shared/data/raw/concordance_hs_isic/derived_csv/` holds CSV exports of the package's
//! tables (Liao, Kim, Miyano & Zhang, `concordance` 2.1.0, built from UN/WITS correspondence
//! tables). Each links an HS 6-digit subheading to an ISIC Rev.3 class, with the coarser
//! levels repeated:
//!
//! | file | [`ConcordanceTable`] | columns |
//! |---|---|---|
//! | `hs6_isic3.csv` | HS 2022 (5,613 rows, one per HS6) | `HS6_6d, HS6_4d, HS6_2d, ISIC3_4d, ISIC3_3d, ISIC3_2d, ISIC3_1d` |
//! | `hs0_isic3.csv` | HS 1988/92 (5,018 rows, one per HS6) | `HS0_6d, HS0_4d, HS0_2d, ISIC3_…` |
//! | `hs_isic3.csv` | all vintages combined (6,891 rows, 6,881 HS6) | `HS_6d, HS_4d, HS_2d, ISIC3_…` |
//!
//! Two cases need a rule:
//! * **No industry.** 80 HS2022 subheadings (94 combined) carry ISIC `9999` (or, for
//!   `999999`, nothing) with empty division and section: waste and scrap (7204, 7404,
//!   4707, 6309), by-products (bran, bones, feathers, slag), vessels for breaking up (8908)
//!   and `999999`. The loader keeps them as "listed without an industry"; [`HsToWiod`] maps
//!   them through the heading's or chapter's majority sector like a missing code, and
//!   counts them under their own reason.
//! * **Many-to-many.** In the combined table ten HS6 codes have two ISIC classes, because
//!   a code was reused across HS vintages for different goods (`852491`: recorded media in
//!   HS2007, display modules in HS2022). The tables carry no weights, so each class gets an
//!   equal share. Only four of them straddle two WIOD sectors (`030719`, `848510`, `852491`,
//!   `852499`). The HS2022 and HS1992 tables are one-to-one.
//!
//! # ISIC Rev.3 → WIOD 2013
//!
//! The WIOD 2013 release classifies industries by NACE Rev.1 = ISIC Rev.3 at the level of
//! divisions and groups of divisions (Timmer ed., 2012, *The World Input-Output Database
//! (WIOD): Contents, Sources and Methods*, WIOD Working Paper 10, whose sector list gives the
//! 35 industries by NACE code, `AtB` … `P`; wiod.org: "Release 2013 … 35 sectors … ISIC
//! Rev. 3"). [`WiodSector::isic_divisions`]
//! holds the map, which is the one the `concordance` package itself uses for its WIOD
//! tables (`insongkim/concordance`, `data-raw/clean-upstream.R`, `WIOT2013_n`):
//! c1 = 01, 02, 05; c2 = 10–14; c3 = 15–16; c4 = 17–18; c5 = 19; c6 = 20; c7 = 21–22;
//! c8 = 23; c9 = 24; c10 = 25; c11 = 26; c12 = 27–28; c13 = 29; c14 = 30–33; c15 = 34–35;
//! c16 = 36–37; c17 = 40–41; c18 = 45; c19 = 50; c20 = 51; c21 = 52; c22 = 55; c23 = 60;
//! c24 = 61; c25 = 62; c26 = 63; c27 = 64; c28 = 65–67; c29 = 70; c30 = 71–74; c31 = 75;
//! c32 = 80; c33 = 85; c34 = 90–93; c35 = 95. Division 99 (extraterritorial bodies) has no
//! WIOD sector.
//!
//! # Mapping rules of [`HsToWiod::map`]
//!
//! 1. Chapters 98 and 99 are **unmapped** and counted: in U.S. data they are special
//!    classification provisions (9801 American goods returned, 9802 assembly abroad, 9817
//!    special-use goods) and Census low-value estimates (9999.95), goods without a product
//!    identity. Putting them into c16 (manufacturing n.e.c.) would have added $89.6 bn of
//!    2024 U.S. imports (3.4% of the HS10 partners' total) to a sector of $151 bn; leaving
//!    them out keeps the sector weights those of identified goods, and the coverage says
//!    how much was left out.
//! 2. The HS6 prefix is looked up in the table of the code's vintage (HS2022 → `hs6_isic3`,
//!    HS1992 → `hs0_isic3`), else in the combined table, else in whichever table is loaded.
//! 3. A code the table lacks (a national code such as U.S. `291800`, a code newer than the
//!    table), a code listed without an industry, or a code given at HS4/HS2 only goes to
//!    the **majority sector of its heading**, else of its chapter: the WIOD sector holding
//!    most of the heading's (chapter's) coded HS6 lines, ties to the lower sector number.
//!    The tables carry no trade values, so the majority is by count of subheadings.
//! 4. A chapter with no coded line at all is unmapped.
//!
//! ```
//! use kanzei_data::concordance::{ConcordanceTable, HsToWiod, MatchLevel, WiodSector};
//! use kanzei_core::{HsCode, HsVintage};
//! let text = "HS6_6d,HS6_4d,HS6_2d,ISIC3_4d,ISIC3_3d,ISIC3_2d,ISIC3_1d\n\
//!             870323,8703,87,3410,341,34,D\n870120,8701,87,2921,292,29,D\n";
//! let table = kanzei_data::concordance::Concordance::parse("hs6_isic3.csv", text.as_bytes()).unwrap();
//! assert_eq!(table.table, ConcordanceTable::Hs2022);
//! let map = HsToWiod::new(vec![table]).unwrap();
//! let car = HsCode::parse_vintage("8703230190", HsVintage::Hs2022).unwrap();
//! let mapping = map.map(car).unwrap();
//! assert_eq!(mapping.level, MatchLevel::Hs6Exact);
//! assert_eq!(mapping.shares, &[(WiodSector::parse("c15").unwrap(), 1.0)]);
//! ```

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::str::FromStr;

use kanzei_core::{AreaCode, Coverage, HsCode, HsVintage, Rejection, SourceRef};
use serde::{Serialize, Serializer};

use crate::error::DataError;
use crate::read::{self, Table, TableOptions};

// ---------------------------------------------------------------------------------------------
// WIOD vocabulary

/// Number of WIOD 2013 industries.
pub const N_WIOD_SECTORS: usize = 35;

/// One of the 35 industries of the WIOD 2013 release, `c1` … `c35`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WiodSector(u8);

/// Per sector: WIOD's NACE/ISIC label, the ISIC Rev.3 divisions, and the name.
const SECTOR_TABLE: [(&str, &[u8], &str); N_WIOD_SECTORS] = [
    ("AtB", &[1, 2, 5], "Agriculture, Hunting, Forestry and Fishing"),
    ("C", &[10, 11, 12, 13, 14], "Mining and Quarrying"),
    ("15t16", &[15, 16], "Food, Beverages and Tobacco"),
    ("17t18", &[17, 18], "Textiles and Textile Products"),
    ("19", &[19], "Leather, Leather and Footwear"),
    ("20", &[20], "Wood and Products of Wood and Cork"),
    ("21t22", &[21, 22], "Pulp, Paper, Paper, Printing and Publishing"),
    ("23", &[23], "Coke, Refined Petroleum and Nuclear Fuel"),
    ("24", &[24], "Chemicals and Chemical Products"),
    ("25", &[25], "Rubber and Plastics"),
    ("26", &[26], "Other Non-Metallic Mineral"),
    ("27t28", &[27, 28], "Basic Metals and Fabricated Metal"),
    ("29", &[29], "Machinery, Nec"),
    ("30t33", &[30, 31, 32, 33], "Electrical and Optical Equipment"),
    ("34t35", &[34, 35], "Transport Equipment"),
    ("36t37", &[36, 37], "Manufacturing, Nec; Recycling"),
    ("E", &[40, 41], "Electricity, Gas and Water Supply"),
    ("F", &[45], "Construction"),
    ("50", &[50], "Sale, Maintenance and Repair of Motor Vehicles and Motorcycles; Retail Sale of Fuel"),
    ("51", &[51], "Wholesale Trade and Commission Trade, Except of Motor Vehicles and Motorcycles"),
    ("52", &[52], "Retail Trade, Except of Motor Vehicles and Motorcycles; Repair of Household Goods"),
    ("H", &[55], "Hotels and Restaurants"),
    ("60", &[60], "Inland Transport"),
    ("61", &[61], "Water Transport"),
    ("62", &[62], "Air Transport"),
    ("63", &[63], "Other Supporting and Auxiliary Transport Activities; Activities of Travel Agencies"),
    ("64", &[64], "Post and Telecommunications"),
    ("J", &[65, 66, 67], "Financial Intermediation"),
    ("70", &[70], "Real Estate Activities"),
    ("71t74", &[71, 72, 73, 74], "Renting of M&Eq and Other Business Activities"),
    ("L", &[75], "Public Admin and Defence; Compulsory Social Security"),
    ("M", &[80], "Education"),
    ("N", &[85], "Health and Social Work"),
    ("O", &[90, 91, 92, 93], "Other Community, Social and Personal Services"),
    ("P", &[95], "Private Households with Employed Persons"),
];

/// Text that is not a WIOD sector code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownWiodSector {
    /// The text as given.
    pub input: String,
}

impl fmt::Display for UnknownWiodSector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a WIOD 2013 sector: expected c1 … c35 (e.g. c15, Transport Equipment)",
            self.input
        )
    }
}

impl std::error::Error for UnknownWiodSector {}

impl From<UnknownWiodSector> for DataError {
    fn from(err: UnknownWiodSector) -> DataError {
        DataError::NotAvailable { message: err.to_string() }
    }
}

impl WiodSector {
    /// All 35 sectors in order.
    pub fn all() -> impl Iterator<Item = WiodSector> {
        (1..=N_WIOD_SECTORS as u8).map(WiodSector)
    }

    /// The sector with number 1–35.
    pub fn new(number: u8) -> Option<WiodSector> {
        (1..=N_WIOD_SECTORS as u8).contains(&number).then_some(WiodSector(number))
    }

    /// Parses `c15` (case-insensitive).
    pub fn parse(text: &str) -> Result<WiodSector, UnknownWiodSector> {
        let trimmed = text.trim();
        trimmed
            .strip_prefix(['c', 'C'])
            .filter(|digits| !digits.starts_with('0') && digits.chars().all(|c| c.is_ascii_digit()))
            .and_then(|digits| digits.parse::<u8>().ok())
            .and_then(WiodSector::new)
            .ok_or_else(|| UnknownWiodSector { input: text.to_string() })
    }

    /// The sector number, 1–35.
    pub fn number(self) -> u8 {
        self.0
    }

    /// The 0-based position (column of a WIOD table within a country block).
    pub fn index(self) -> usize {
        usize::from(self.0) - 1
    }

    /// The code WIOD tables use, `c15`.
    pub fn code(self) -> String {
        format!("c{}", self.0)
    }

    /// WIOD's NACE Rev.1 label (`34t35`).
    pub fn nace(self) -> &'static str {
        SECTOR_TABLE[self.index()].0
    }

    /// The ISIC Rev.3 divisions the sector consists of.
    pub fn isic_divisions(self) -> &'static [u8] {
        SECTOR_TABLE[self.index()].1
    }

    /// The WIOD industry name.
    pub fn name(self) -> &'static str {
        SECTOR_TABLE[self.index()].2
    }

    /// The sector of an ISIC Rev.3 division (`None` for division 99 and non-divisions).
    pub fn of_isic_division(division: u8) -> Option<WiodSector> {
        SECTOR_TABLE
            .iter()
            .position(|(_, divisions, _)| divisions.contains(&division))
            .map(|idx| WiodSector(idx as u8 + 1))
    }
}

impl fmt::Display for WiodSector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "c{}", self.0)
    }
}

impl fmt::Debug for WiodSector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WiodSector(c{})", self.0)
    }
}

impl FromStr for WiodSector {
    type Err = UnknownWiodSector;
    fn from_str(text: &str) -> Result<WiodSector, UnknownWiodSector> {
        WiodSector::parse(text)
    }
}

impl Serialize for WiodSector {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The 41 regions of the WIOD 2013 release, in the tables' order: 40 countries and the rest
/// of the world. WIOD writes Romania `ROM` (ISO 3166: `ROU`) and the rest of the world `RoW`.
pub const WIOD_REGIONS: [&str; 41] = [
    "AUS", "AUT", "BEL", "BGR", "BRA", "CAN", "CHN", "CYP", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR",
    "GRC", "HUN", "IDN", "IND", "IRL", "ITA", "JPN", "KOR", "LTU", "LUX", "LVA", "MEX", "MLT", "NLD", "POL", "PRT",
    "ROM", "RUS", "SVK", "SVN", "SWE", "TUR", "TWN", "USA", "RoW",
];

/// One of the 41 WIOD 2013 regions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WiodRegion(u8);

/// Text that is not a WIOD region code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownWiodRegion {
    /// The text as given.
    pub input: String,
}

impl fmt::Display for UnknownWiodRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not a WIOD 2013 region: expected one of {}", self.input, WIOD_REGIONS.join(", "))
    }
}

impl std::error::Error for UnknownWiodRegion {}

impl WiodRegion {
    /// The rest of the world.
    pub const ROW: WiodRegion = WiodRegion(40);

    /// All 41 regions in table order.
    pub fn all() -> impl Iterator<Item = WiodRegion> {
        (0..WIOD_REGIONS.len() as u8).map(WiodRegion)
    }

    /// Parses a WIOD region code (`JPN`, `ROM`, `RoW`; case-insensitive).
    pub fn parse(text: &str) -> Result<WiodRegion, UnknownWiodRegion> {
        let trimmed = text.trim();
        WIOD_REGIONS
            .iter()
            .position(|code| code.eq_ignore_ascii_case(trimmed))
            .map(|idx| WiodRegion(idx as u8))
            .ok_or_else(|| UnknownWiodRegion { input: text.to_string() })
    }

    /// The region of a country given by its ISO3 code: one of the 40 WIOD countries
    /// (`ROU` → `ROM`), otherwise the rest of the world.
    pub fn of_iso3(code: AreaCode) -> WiodRegion {
        let text = if code.as_str() == "ROU" { "ROM" } else { code.as_str() };
        match WiodRegion::parse(text) {
            Ok(region) if region != WiodRegion::ROW => region,
            _ => WiodRegion::ROW,
        }
    }

    /// The 0-based position in [`WIOD_REGIONS`].
    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    /// The WIOD code (`ROM`, `RoW`).
    pub fn code(self) -> &'static str {
        WIOD_REGIONS[self.index()]
    }
}

impl fmt::Display for WiodRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for WiodRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WiodRegion({})", self.code())
    }
}

impl Serialize for WiodRegion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

// ---------------------------------------------------------------------------------------------
// The concordance files

/// Which HS → ISIC Rev.3 table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConcordanceTable {
    /// `hs6_isic3`: HS 2022 subheadings.
    Hs2022,
    /// `hs0_isic3`: HS 1988/92 subheadings.
    Hs1992,
    /// `hs_isic3`: every HS vintage's subheadings together.
    Combined,
}

impl ConcordanceTable {
    /// Every table, in the order [`HsToWiod::load_raw`] reads them.
    pub const ALL: [ConcordanceTable; 3] = [ConcordanceTable::Hs2022, ConcordanceTable::Combined, ConcordanceTable::Hs1992];

    /// The file in `concordance_hs_isic/derived_csv/`.
    pub fn file_name(self) -> &'static str {
        match self {
            ConcordanceTable::Hs2022 => "hs6_isic3.csv",
            ConcordanceTable::Hs1992 => "hs0_isic3.csv",
            ConcordanceTable::Combined => "hs_isic3.csv",
        }
    }

    /// The prefix of the HS columns (`HS6` → `HS6_6d`).
    fn column_prefix(self) -> &'static str {
        match self {
            ConcordanceTable::Hs2022 => "HS6",
            ConcordanceTable::Hs1992 => "HS0",
            ConcordanceTable::Combined => "HS",
        }
    }

    /// The id used in the snapshot (`hs2022`, `hs1992`, `combined`).
    pub fn id(self) -> &'static str {
        match self {
            ConcordanceTable::Hs2022 => "hs2022",
            ConcordanceTable::Hs1992 => "hs1992",
            ConcordanceTable::Combined => "combined",
        }
    }

    fn from_id(id: &str) -> Option<ConcordanceTable> {
        ConcordanceTable::ALL.into_iter().find(|t| t.id() == id)
    }

    /// The table for codes of a vintage, if there is one for exactly that vintage.
    fn for_vintage(vintage: HsVintage) -> Option<ConcordanceTable> {
        match vintage {
            HsVintage::Hs2022 => Some(ConcordanceTable::Hs2022),
            HsVintage::Hs1992 => Some(ConcordanceTable::Hs1992),
            _ => None,
        }
    }

    /// A label for messages ("HS2022 concordance").
    pub fn label(self) -> &'static str {
        match self {
            ConcordanceTable::Hs2022 => "HS2022 concordance",
            ConcordanceTable::Hs1992 => "HS1992 concordance",
            ConcordanceTable::Combined => "combined-vintage concordance",
        }
    }
}

/// An ISIC Rev.3 class (4 digits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct IsicClass(pub u16);

impl IsicClass {
    /// The division (first two digits).
    pub fn division(self) -> u8 {
        (self.0 / 100) as u8
    }
}

impl fmt::Display for IsicClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.0)
    }
}

/// The ISIC Rev.3 section letter of a division, `None` if the number is not a division.
pub fn isic3_section(division: u8) -> Option<char> {
    Some(match division {
        1 | 2 => 'A',
        5 => 'B',
        10..=14 => 'C',
        15..=37 => 'D',
        40 | 41 => 'E',
        45 => 'F',
        50..=52 => 'G',
        55 => 'H',
        60..=64 => 'I',
        65..=67 => 'J',
        70..=74 => 'K',
        75 => 'L',
        80 => 'M',
        85 => 'N',
        90..=93 => 'O',
        95 => 'P',
        99 => 'Q',
        _ => return None,
    })
}

/// One row of a concordance file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConcordanceLine {
    /// The HS subheading.
    pub hs6: HsCode,
    /// Its ISIC Rev.3 class, `None` where the file says `9999` (no industry).
    pub isic: Option<IsicClass>,
    /// 1-based line in the file.
    pub line: u64,
}

/// One HS → ISIC Rev.3 file as read.
#[derive(Clone, Debug)]
pub struct Concordance {
    /// Which table (from the header: `HS6_…`, `HS0_…` or `HS_…`).
    pub table: ConcordanceTable,
    /// Rows in file order (exact duplicates dropped).
    pub lines: Vec<ConcordanceLine>,
    /// Load accounting; the value of a row is 1 (unit "rows"), rows without an industry
    /// and duplicates are set aside under their reasons.
    pub coverage: Coverage,
}

impl Concordance {
    /// Reads one file; which table it is comes from the header.
    pub fn load(path: &Path) -> Result<Concordance, DataError> {
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        Concordance::parse(&name, read::open(path)?)
    }

    /// Parses one file. Every row is checked: the HS columns must be one code at three
    /// lengths, the ISIC columns one class at four (or `9999` with empty division and
    /// section), and the section letter must be the division's.
    pub fn parse<R: Read>(file: &str, source: R) -> Result<Concordance, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        let kind = [ConcordanceTable::Hs2022, ConcordanceTable::Hs1992, ConcordanceTable::Combined]
            .into_iter()
            .find(|t| table.position(&format!("{}_6d", t.column_prefix())).is_some())
            .ok_or_else(|| DataError::Header {
                file: file.to_string(),
                line: 1,
                column: "HS6_6d".into(),
                expected: "HS6_6d (or HS0_6d, HS_6d), HS6_4d, HS6_2d, ISIC3_4d, ISIC3_3d, ISIC3_2d, ISIC3_1d".into(),
            })?;
        let p = kind.column_prefix();
        let (c6, c4, c2) = (format!("{p}_6d"), format!("{p}_4d"), format!("{p}_2d"));
        let cols = table.require(&[&c6, &c4, &c2, "ISIC3_4d", "ISIC3_3d", "ISIC3_2d", "ISIC3_1d"])?;
        let mut coverage = Coverage::new(format!("concordance {}", kind.id()), file, "rows");
        let mut lines = Vec::new();
        let mut seen: HashMap<(u64, Option<IsicClass>), u64> = HashMap::new();
        while let Some(row) = table.next_row()? {
            let hs_text = row.str(cols[0]);
            if hs_text.len() != 6 || !hs_text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(row.error(cols[0], format!("`{hs_text}` is not an HS subheading: expected 6 digits")));
            }
            let hs6 = HsCode::parse(hs_text).map_err(|e| row.error(cols[0], e.to_string()))?;
            for (col, len) in [(cols[1], 4), (cols[2], 2)] {
                let text = row.str(col);
                if text != &hs_text[..len] {
                    return Err(row.error(col, format!("`{text}` is not the first {len} digits of `{hs_text}`")));
                }
            }
            let class_text = row.str(cols[3]);
            // `9999` (with group `999`) or an empty class (`999999`) means no industry.
            let isic = if class_text == "9999" || class_text.is_empty() {
                for col in [cols[5], cols[6]] {
                    if !row.str(col).is_empty() {
                        return Err(row.error(col, format!("`{}` given for ISIC class `{class_text}` (no industry); expected an empty field", row.str(col))));
                    }
                }
                None
            } else {
                let class = (class_text.len() == 4 && class_text.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| class_text.parse::<u16>().ok())
                    .flatten()
                    .map(IsicClass)
                    .ok_or_else(|| row.error(cols[3], format!("`{class_text}` is not an ISIC Rev.3 class: expected 4 digits, or 9999 or nothing for no industry")))?;
                let division = class.division();
                let Some(section) = isic3_section(division) else {
                    return Err(row.error(cols[3], format!("`{class_text}` is not an ISIC Rev.3 class: {division:02} is not a division (01–99)")));
                };
                for (col, len) in [(cols[4], 3), (cols[5], 2)] {
                    let text = row.str(col);
                    if text != &class_text[..len] {
                        return Err(row.error(col, format!("`{text}` is not the first {len} digits of ISIC class `{class_text}`")));
                    }
                }
                let letter = row.str(cols[6]);
                if letter != section.to_string() {
                    return Err(row.error(cols[6], format!("`{letter}` is not the section of ISIC division {division:02}: expected `{section}`")));
                }
                Some(class)
            };
            let line = row.line();
            if let Some(first) = seen.get(&(hs6.value(), isic)) {
                coverage.reject("duplicate of an earlier row", 1.0, || format!("line {line} repeats line {first}"));
                continue;
            }
            seen.insert((hs6.value(), isic), line);
            match isic {
                Some(_) => coverage.keep(1.0),
                None => coverage.reject(
                    "ISIC 9999: listed without an industry (waste, scrap, by-products); mapped through its heading or chapter",
                    1.0,
                    || format!("line {line}: {hs_text}"),
                ),
            }
            lines.push(ConcordanceLine { hs6, isic, line });
        }
        Ok(Concordance { table: kind, lines, coverage })
    }
}

// ---------------------------------------------------------------------------------------------
// HS → WIOD

/// How a code found its sector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchLevel {
    /// Its HS6 subheading is in the concordance with an industry.
    Hs6Exact,
    /// The majority sector of its HS4 heading.
    Hs4Majority,
    /// The majority sector of its HS2 chapter.
    Hs2Majority,
}

/// Why a code needed a fallback.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FallbackReason {
    /// The HS6 subheading is not in the table (national code, newer or older vintage).
    NotInConcordance,
    /// The table lists the subheading with ISIC 9999 (no industry).
    NoIndustry,
    /// The code has fewer than 6 digits (a chapter or heading cell).
    ShorterThanHs6,
}

impl FallbackReason {
    /// The reason in words, as it appears in coverage reports.
    pub fn describe(self) -> &'static str {
        match self {
            FallbackReason::NotInConcordance => "HS6 not in the concordance (national or newer code): majority sector of its heading or chapter",
            FallbackReason::NoIndustry => "HS6 listed without an ISIC industry (waste, scrap, by-products): majority sector of its heading or chapter",
            FallbackReason::ShorterThanHs6 => "code known only at HS4 or HS2: majority sector of its heading or chapter",
        }
    }
}

/// Why a code has no sector.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UnmappedReason {
    /// HS chapter 98.
    Chapter98,
    /// HS chapter 99.
    Chapter99,
    /// No line of the chapter has an industry in the concordance.
    ChapterWithoutIndustry,
}

impl UnmappedReason {
    /// The reason in words, as it appears in coverage reports.
    pub fn describe(self) -> &'static str {
        match self {
            UnmappedReason::Chapter98 => "HS chapter 98: special classification provisions (American goods returned, assembly abroad, special-use goods); no product identity",
            UnmappedReason::Chapter99 => "HS chapter 99: temporary provisions and Census low-value estimates; no product identity",
            UnmappedReason::ChapterWithoutIndustry => "no line of the chapter has an ISIC industry in the concordance",
        }
    }
}

/// Where one code goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SectorMapping<'a> {
    /// How it was found.
    pub level: MatchLevel,
    /// Why a fallback was needed (`None` at [`MatchLevel::Hs6Exact`]).
    pub fallback: Option<FallbackReason>,
    /// Sectors and shares (summing to 1; one sector except for the combined table's
    /// many-to-many codes).
    pub shares: &'a [(WiodSector, f64)],
}

/// A mapped subheading, or one the table lists without an industry.
#[derive(Clone, Debug, PartialEq)]
enum Entry {
    Sectors(Vec<(WiodSector, f64)>),
    NoIndustry,
}

/// One table compiled to WIOD sectors.
#[derive(Clone, Debug, PartialEq)]
struct CompiledTable {
    table: ConcordanceTable,
    hs6: HashMap<u32, Entry>,
    hs4_majority: HashMap<u16, Vec<(WiodSector, f64)>>,
    hs2_majority: HashMap<u8, Vec<(WiodSector, f64)>>,
}

impl CompiledTable {
    fn from_entries(table: ConcordanceTable, hs6: HashMap<u32, Entry>) -> CompiledTable {
        let mut heading: BTreeMap<u16, [f64; N_WIOD_SECTORS]> = BTreeMap::new();
        let mut chapter: BTreeMap<u8, [f64; N_WIOD_SECTORS]> = BTreeMap::new();
        for (code, entry) in &hs6 {
            let Entry::Sectors(shares) = entry else { continue };
            for (sector, share) in shares {
                heading.entry((code / 100) as u16).or_insert([0.0; N_WIOD_SECTORS])[sector.index()] += share;
                chapter.entry((code / 10_000) as u8).or_insert([0.0; N_WIOD_SECTORS])[sector.index()] += share;
            }
        }
        CompiledTable {
            table,
            hs6,
            hs4_majority: heading.into_iter().map(|(k, counts)| (k, vec![(majority(&counts), 1.0)])).collect(),
            hs2_majority: chapter.into_iter().map(|(k, counts)| (k, vec![(majority(&counts), 1.0)])).collect(),
        }
    }
}

/// The sector with the most lines; ties go to the lower sector number.
fn majority(counts: &[f64; N_WIOD_SECTORS]) -> WiodSector {
    let mut best = 0;
    for (idx, count) in counts.iter().enumerate() {
        // Counts are sums of 1 and 1/2: compare with a tolerance so that 1.5 + 0.5 ties 2.
        if *count > counts[best] + 1e-9 {
            best = idx;
        }
    }
    WiodSector(best as u8 + 1)
}

/// Rows and value at one mapping level.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct LevelTotal {
    /// Rows (codes, cells or cell pieces) mapped at this level.
    pub rows: u64,
    /// Their value.
    pub value: f64,
}

impl LevelTotal {
    fn add(&mut self, value: f64) {
        self.rows += 1;
        self.value += value;
    }
}

/// The accounting of one mapping run: every row's value is mapped at one level or
/// unmapped under a reason.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MappingCoverage {
    /// Value in; value mapped (kept, at any level); unmapped value set aside by reason.
    pub coverage: Coverage,
    /// Mapped through the code's own HS6 subheading.
    pub hs6_exact: LevelTotal,
    /// Mapped through the majority sector of the HS4 heading.
    pub hs4_fallback: LevelTotal,
    /// Mapped through the majority sector of the HS2 chapter.
    pub hs2_fallback: LevelTotal,
    /// Why the fallbacks were needed, with rows and value (mapped value, not set aside).
    pub fallback_reasons: Vec<Rejection>,
}

impl MappingCoverage {
    /// An empty report.
    pub fn new(name: impl Into<String>, source: impl Into<String>, unit: impl Into<String>) -> MappingCoverage {
        MappingCoverage {
            coverage: Coverage::new(name, source, unit),
            hs6_exact: LevelTotal::default(),
            hs4_fallback: LevelTotal::default(),
            hs2_fallback: LevelTotal::default(),
            fallback_reasons: Vec::new(),
        }
    }

    /// Counts one row of `value` with its mapping outcome.
    pub fn record(&mut self, outcome: &Result<SectorMapping<'_>, UnmappedReason>, value: f64, example: impl FnOnce() -> String) {
        match outcome {
            Ok(mapping) => {
                self.coverage.keep(value);
                match mapping.level {
                    MatchLevel::Hs6Exact => self.hs6_exact.add(value),
                    MatchLevel::Hs4Majority => self.hs4_fallback.add(value),
                    MatchLevel::Hs2Majority => self.hs2_fallback.add(value),
                }
                if let Some(reason) = mapping.fallback {
                    let text = reason.describe();
                    match self.fallback_reasons.iter_mut().find(|r| r.reason == text) {
                        Some(existing) => {
                            existing.rows += 1;
                            existing.value += value;
                        }
                        None => self.fallback_reasons.push(Rejection { reason: text.into(), rows: 1, value, example: Some(example()) }),
                    }
                }
            }
            Err(reason) => self.coverage.reject(reason.describe(), value, example),
        }
    }

    /// Value mapped at any level.
    pub fn mapped_value(&self) -> f64 {
        self.coverage.value_kept
    }

    /// Value left unmapped.
    pub fn unmapped_value(&self) -> f64 {
        self.coverage.value_rejected()
    }

    /// Share of the value in mapped at a level, percent (100 × level / value in).
    pub fn level_pct(&self, level: MatchLevel) -> f64 {
        let value = match level {
            MatchLevel::Hs6Exact => self.hs6_exact.value,
            MatchLevel::Hs4Majority => self.hs4_fallback.value,
            MatchLevel::Hs2Majority => self.hs2_fallback.value,
        };
        pct(value, self.coverage.value_in)
    }

    /// Share of the value in left unmapped, percent.
    pub fn unmapped_pct(&self) -> f64 {
        pct(self.unmapped_value(), self.coverage.value_in)
    }

    /// Whether the levels add up to the value mapped and, with the unmapped value, to the
    /// value in, within a relative `tolerance`.
    pub fn reconciles(&self, tolerance: f64) -> bool {
        let levels = self.hs6_exact.value + self.hs4_fallback.value + self.hs2_fallback.value;
        let rows = self.hs6_exact.rows + self.hs4_fallback.rows + self.hs2_fallback.rows;
        self.coverage.reconciles(tolerance)
            && rows == self.coverage.rows_kept
            && (levels - self.coverage.value_kept).abs() <= tolerance * self.coverage.value_in.abs().max(1.0)
    }
}

impl fmt::Display for MappingCoverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.coverage)?;
        writeln!(
            f,
            "  mapped at HS6 {:.3}%, HS4 majority {:.3}%, HS2 majority {:.3}%; unmapped {:.3}%",
            self.level_pct(MatchLevel::Hs6Exact),
            self.level_pct(MatchLevel::Hs4Majority),
            self.level_pct(MatchLevel::Hs2Majority),
            self.unmapped_pct()
        )?;
        for r in &self.fallback_reasons {
            write!(f, "  fallback: {} rows, value {:.1}: {}", r.rows, r.value, r.reason)?;
            if let Some(example) = &r.example {
                write!(f, " (e.g. {example})")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole == 0.0 {
        0.0
    } else {
        100.0 * part / whole
    }
}

/// Values summed by WIOD sector, with the accounting.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SectorValues {
    /// Value per sector (sectors with no value are absent).
    pub by_sector: BTreeMap<WiodSector, f64>,
    /// How every row was mapped.
    pub coverage: MappingCoverage,
}

impl SectorValues {
    /// The value of one sector (0 if absent).
    pub fn get(&self, sector: WiodSector) -> f64 {
        self.by_sector.get(&sector).copied().unwrap_or(0.0)
    }
}

/// HS codes → WIOD 2013 sectors, from one or more concordance tables.
#[derive(Clone, Debug, PartialEq)]
pub struct HsToWiod {
    tables: Vec<CompiledTable>,
    /// How each concordance file loaded (empty when read from the snapshot).
    pub load_coverage: Vec<Coverage>,
}

impl HsToWiod {
    /// Compiles concordance tables; a table may appear once.
    pub fn new(concordances: Vec<Concordance>) -> Result<HsToWiod, DataError> {
        let mut tables: Vec<CompiledTable> = Vec::new();
        let mut load_coverage = Vec::new();
        for concordance in concordances {
            if tables.iter().any(|t| t.table == concordance.table) {
                return Err(DataError::NotAvailable {
                    message: format!("the {} was given twice ({})", concordance.table.label(), concordance.coverage.source),
                });
            }
            // Collect each subheading's classes, then give each class an equal share and
            // add the shares up by WIOD sector.
            let mut classes: BTreeMap<u32, Vec<Option<IsicClass>>> = BTreeMap::new();
            for line in &concordance.lines {
                classes.entry(line.hs6.value() as u32).or_default().push(line.isic);
            }
            let mut hs6 = HashMap::with_capacity(classes.len());
            for (code, list) in classes {
                let coded: Vec<IsicClass> = list.iter().flatten().copied().collect();
                let sectors: Vec<WiodSector> = coded.iter().filter_map(|c| WiodSector::of_isic_division(c.division())).collect();
                if sectors.is_empty() {
                    hs6.insert(code, Entry::NoIndustry);
                    continue;
                }
                let mut shares: BTreeMap<WiodSector, f64> = BTreeMap::new();
                for sector in &sectors {
                    *shares.entry(*sector).or_insert(0.0) += 1.0 / sectors.len() as f64;
                }
                hs6.insert(code, Entry::Sectors(shares.into_iter().collect()));
            }
            tables.push(CompiledTable::from_entries(concordance.table, hs6));
            load_coverage.push(concordance.coverage);
        }
        if tables.is_empty() {
            return Err(DataError::NotAvailable { message: "no concordance table given: load at least hs6_isic3.csv".into() });
        }
        tables.sort_by_key(|t| t.table);
        Ok(HsToWiod { tables, load_coverage })
    }

    /// Reads `hs6_isic3.csv` and `hs_isic3.csv` from `<raw>/concordance_hs_isic/derived_csv/`
    /// (the HS1992 table is not needed: the combined table holds HS1992 codes too).
    pub fn load_raw(raw: &Path) -> Result<HsToWiod, DataError> {
        let dir = raw.join("concordance_hs_isic/derived_csv");
        let tables = [ConcordanceTable::Hs2022, ConcordanceTable::Combined]
            .into_iter()
            .map(|t| Concordance::load(&dir.join(t.file_name())))
            .collect::<Result<Vec<_>, _>>()?;
        HsToWiod::new(tables)
    }

    /// The tables loaded.
    pub fn tables(&self) -> Vec<ConcordanceTable> {
        self.tables.iter().map(|t| t.table).collect()
    }

    fn table_for(&self, vintage: HsVintage) -> &CompiledTable {
        let own = ConcordanceTable::for_vintage(vintage);
        own.and_then(|t| self.tables.iter().find(|c| c.table == t))
            .or_else(|| self.tables.iter().find(|c| c.table == ConcordanceTable::Combined))
            .unwrap_or(&self.tables[0])
    }

    /// The table a code of this vintage is looked up in.
    pub fn table_used(&self, vintage: HsVintage) -> ConcordanceTable {
        self.table_for(vintage).table
    }

    /// The WIOD sector(s) of an HS code of 2 to 10 digits (rules in the module doc).
    pub fn map(&self, code: HsCode) -> Result<SectorMapping<'_>, UnmappedReason> {
        match code.chapter_number() {
            98 => return Err(UnmappedReason::Chapter98),
            99 => return Err(UnmappedReason::Chapter99),
            _ => {}
        }
        let table = self.table_for(code.vintage());
        let reason = match code.prefix(6) {
            Some(hs6) => match table.hs6.get(&(hs6.value() as u32)) {
                Some(Entry::Sectors(shares)) => {
                    return Ok(SectorMapping { level: MatchLevel::Hs6Exact, fallback: None, shares });
                }
                Some(Entry::NoIndustry) => FallbackReason::NoIndustry,
                None => FallbackReason::NotInConcordance,
            },
            None => FallbackReason::ShorterThanHs6,
        };
        if let Some(shares) = code.prefix(4).and_then(|h| table.hs4_majority.get(&(h.value() as u16))) {
            return Ok(SectorMapping { level: MatchLevel::Hs4Majority, fallback: Some(reason), shares });
        }
        if let Some(shares) = table.hs2_majority.get(&code.chapter_number()) {
            return Ok(SectorMapping { level: MatchLevel::Hs2Majority, fallback: Some(reason), shares });
        }
        Err(UnmappedReason::ChapterWithoutIndustry)
    }

    /// Maps `(code, value)` rows and sums the values by sector; `name` and `source` label
    /// the coverage report, whose rows are the items.
    pub fn map_values<I>(&self, name: &str, source: &str, unit: &str, items: I) -> SectorValues
    where
        I: IntoIterator<Item = (HsCode, f64)>,
    {
        let mut coverage = MappingCoverage::new(name, source, unit);
        let mut by_sector: BTreeMap<WiodSector, f64> = BTreeMap::new();
        for (code, value) in items {
            let outcome = self.map(code);
            if let Ok(mapping) = &outcome {
                for (sector, share) in mapping.shares {
                    *by_sector.entry(*sector).or_insert(0.0) += value * share;
                }
            }
            coverage.record(&outcome, value, || code.to_string());
        }
        SectorValues { by_sector, coverage }
    }

    /// Source reference for footnotes.
    pub fn source(&self) -> SourceRef {
        SourceRef {
            dataset: "concordance_hs_wiod".into(),
            publisher: "Liao, Kim, Miyano & Zhang, R package `concordance` 2.1.0 (from UN/WITS correspondence tables); WIOD 2013 sector definitions".into(),
            citation: "concordance 2.1.0 (hs6_isic3, hs_isic3); Timmer (ed., 2012), WIOD Working Paper 10".into(),
            basis: "HS6 → ISIC Rev.3 class → WIOD 2013 sector (ISIC divisions)".into(),
            period: "HS 1992–2022".into(),
        }
    }

    /// The compact snapshot form: `table,hs6,wiod` with `wiod` one sector (`c15`), shares
    /// (`c1=0.5;c3=0.5`) or `none` (listed without an industry). The majority fallbacks are
    /// recomputed on reading, so the file holds only the subheadings.
    pub fn to_snapshot_csv(&self) -> String {
        let mut csv = String::from("table,hs6,wiod\n");
        for table in &self.tables {
            let mut codes: Vec<(&u32, &Entry)> = table.hs6.iter().collect();
            codes.sort_by_key(|(code, _)| **code);
            for (code, entry) in codes {
                let wiod = match entry {
                    Entry::NoIndustry => "none".to_string(),
                    Entry::Sectors(shares) if shares.len() == 1 => shares[0].0.to_string(),
                    Entry::Sectors(shares) => shares.iter().map(|(s, w)| format!("{s}={w}")).collect::<Vec<_>>().join(";"),
                };
                csv.push_str(&format!("{},{code:06},{wiod}\n", table.table.id()));
            }
        }
        csv
    }

    /// Reads [`to_snapshot_csv`](Self::to_snapshot_csv) back.
    pub fn from_snapshot_csv(file: &str, text: &str) -> Result<HsToWiod, DataError> {
        let mut table = Table::new(file, text.as_bytes(), TableOptions::default())?;
        let cols = table.require(&["table", "hs6", "wiod"])?;
        let mut entries: BTreeMap<ConcordanceTable, HashMap<u32, Entry>> = BTreeMap::new();
        while let Some(row) = table.next_row()? {
            let id = row.str(cols[0]);
            let kind = ConcordanceTable::from_id(id)
                .ok_or_else(|| row.error(cols[0], format!("`{id}` is not a concordance table: expected hs2022, hs1992 or combined")))?;
            let hs_text = row.str(cols[1]);
            let code = (hs_text.len() == 6)
                .then(|| hs_text.parse::<u32>().ok())
                .flatten()
                .ok_or_else(|| row.error(cols[1], format!("`{hs_text}` is not an HS subheading: expected 6 digits")))?;
            let wiod = row.str(cols[2]);
            let entry = if wiod == "none" {
                Entry::NoIndustry
            } else {
                let mut shares = Vec::new();
                for part in wiod.split(';') {
                    let (sector, share) = match part.split_once('=') {
                        Some((s, w)) => (s, w.parse::<f64>().ok().filter(|w| *w > 0.0 && *w <= 1.0)),
                        None => (part, Some(1.0)),
                    };
                    let sector = WiodSector::parse(sector).map_err(|e| row.error(cols[2], e.to_string()))?;
                    let share = share.ok_or_else(|| row.error(cols[2], format!("`{part}`: the share must be a number in (0, 1]")))?;
                    shares.push((sector, share));
                }
                let total: f64 = shares.iter().map(|(_, w)| w).sum();
                if (total - 1.0).abs() > 1e-9 {
                    return Err(row.error(cols[2], format!("`{wiod}`: shares sum to {total}, expected 1")));
                }
                Entry::Sectors(shares)
            };
            if entries.entry(kind).or_default().insert(code, entry).is_some() {
                return Err(row.error(cols[1], format!("`{hs_text}` appears twice in table {id}")));
            }
        }
        if entries.is_empty() {
            return Err(DataError::NotAvailable { message: format!("`{file}` has no rows") });
        }
        let tables = entries.into_iter().map(|(kind, hs6)| CompiledTable::from_entries(kind, hs6)).collect();
        Ok(HsToWiod { tables, load_coverage: Vec::new() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "HS6_6d,HS6_4d,HS6_2d,ISIC3_4d,ISIC3_3d,ISIC3_2d,ISIC3_1d\n";

    fn map_of(rows: &str) -> HsToWiod {
        let text = format!("{HEADER}{rows}");
        HsToWiod::new(vec![Concordance::parse("t.csv", text.as_bytes()).unwrap()]).unwrap()
    }

    fn hs(text: &str) -> HsCode {
        HsCode::parse_vintage(text, HsVintage::Hs2022).unwrap()
    }

    fn c(n: u8) -> WiodSector {
        WiodSector::new(n).unwrap()
    }

    #[test]
    fn every_isic_division_maps_to_exactly_one_sector_and_back() {
        let mut seen = 0;
        for division in 0..=99u8 {
            let sector = WiodSector::of_isic_division(division);
            match isic3_section(division) {
                Some('Q') | None => assert!(sector.is_none(), "{division}"),
                Some(_) => {
                    let sector = sector.unwrap_or_else(|| panic!("division {division} has no sector"));
                    assert!(sector.isic_divisions().contains(&division));
                    seen += 1;
                }
            }
        }
        // ISIC Rev.3 has 60 divisions; all but 99 (extraterritorial bodies) are in WIOD.
        assert_eq!(seen, 59);
        assert_eq!(WiodSector::of_isic_division(34), Some(c(15)));
        assert_eq!(WiodSector::of_isic_division(35), Some(c(15)));
        assert_eq!(WiodSector::of_isic_division(5), Some(c(1)));
        assert_eq!(WiodSector::of_isic_division(95), Some(c(35)));
        assert_eq!(c(15).nace(), "34t35");
        assert_eq!(c(15).name(), "Transport Equipment");
    }

    #[test]
    fn sector_codes_parse_and_unknown_codes_say_what_is_valid() {
        assert_eq!(WiodSector::parse("c15").unwrap(), c(15));
        assert_eq!(WiodSector::parse("C1").unwrap(), c(1));
        assert_eq!(c(35).to_string(), "c35");
        for bad in ["c36", "c0", "c05", "15", "cx", ""] {
            assert!(WiodSector::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            WiodSector::parse("c36").unwrap_err().to_string(),
            "`c36` is not a WIOD 2013 sector: expected c1 … c35 (e.g. c15, Transport Equipment)"
        );
    }

    #[test]
    fn regions_use_wiod_codes() {
        let rou = AreaCode::new("ROU").unwrap();
        assert_eq!(WiodRegion::of_iso3(rou).code(), "ROM");
        assert_eq!(WiodRegion::of_iso3(AreaCode::new("TWN").unwrap()).code(), "TWN");
        assert_eq!(WiodRegion::of_iso3(AreaCode::new("VNM").unwrap()), WiodRegion::ROW);
        // "ROW" as an ISO-like code is not a country: it is still the rest of the world.
        assert_eq!(WiodRegion::of_iso3(AreaCode::new("ROW").unwrap()), WiodRegion::ROW);
        assert_eq!(WiodRegion::ROW.code(), "RoW");
        assert_eq!(WiodRegion::all().count(), 41);
        assert!(WiodRegion::parse("XYZ").unwrap_err().to_string().starts_with("`XYZ` is not a WIOD 2013 region: expected one of AUS, AUT"));
    }

    #[test]
    fn fallbacks_follow_the_majority_of_the_heading_then_the_chapter() {
        let map = map_of(
            "870120,8701,87,2921,292,29,D\n870121,8701,87,2921,292,29,D\n870130,8701,87,3410,341,34,D\n\
             870323,8703,87,3410,341,34,D\n870324,8703,87,3410,341,34,D\n890800,8908,89,9999,999,,\n",
        );
        // Exact.
        let m = map.map(hs("8701200000")).unwrap();
        assert_eq!((m.level, m.shares), (MatchLevel::Hs6Exact, &[(c(13), 1.0)][..]));
        // 870190 is not listed: heading 8701 has two c13 lines and one c15 line.
        let m = map.map(hs("870190")).unwrap();
        assert_eq!((m.level, m.fallback, m.shares), (MatchLevel::Hs4Majority, Some(FallbackReason::NotInConcordance), &[(c(13), 1.0)][..]));
        // 870400 is not listed and neither is its heading: chapter 87 has three c15, two c13.
        let m = map.map(hs("870400")).unwrap();
        assert_eq!((m.level, m.shares), (MatchLevel::Hs2Majority, &[(c(15), 1.0)][..]));
        // A chapter cell.
        let m = map.map(hs("87")).unwrap();
        assert_eq!((m.level, m.fallback), (MatchLevel::Hs2Majority, Some(FallbackReason::ShorterThanHs6)));
        // Listed without an industry, and nothing else in chapter 89.
        assert_eq!(map.map(hs("890800")).unwrap_err(), UnmappedReason::ChapterWithoutIndustry);
        assert_eq!(map.map(hs("9801001098")).unwrap_err(), UnmappedReason::Chapter98);
        assert_eq!(map.map(hs("9999950000")).unwrap_err(), UnmappedReason::Chapter99);
    }

    #[test]
    fn ties_go_to_the_lower_sector_and_many_to_many_rows_split_equally() {
        let text = "HS_6d,HS_4d,HS_2d,ISIC3_4d,ISIC3_3d,ISIC3_2d,ISIC3_1d\n\
                    030719,0307,03,0500,050,05,B\n030719,0307,03,1512,151,15,D\n852842,8528,85,3000,300,30,D\n852842,8528,85,3230,323,32,D\n";
        let table = Concordance::parse("hs_isic3.csv", text.as_bytes()).unwrap();
        assert_eq!(table.table, ConcordanceTable::Combined);
        let map = HsToWiod::new(vec![table]).unwrap();
        assert_eq!(map.map(hs("030719")).unwrap().shares, &[(c(1), 0.5), (c(3), 0.5)]);
        // Two ISIC classes in one WIOD sector: one share.
        assert_eq!(map.map(hs("852842")).unwrap().shares, &[(c(14), 1.0)]);
        // Heading 0307 has half a line in c1 and half in c3: the tie goes to c1.
        assert_eq!(map.map(hs("030799")).unwrap().shares, &[(c(1), 1.0)]);
    }

    #[test]
    fn values_reconcile_to_the_dollar() {
        let map = map_of("870323,8703,87,3410,341,34,D\n720449,7204,72,9999,999,,\n720839,7208,72,2710,271,27,D\n");
        let values = map.map_values(
            "test",
            "memory",
            "USD",
            [(hs("8703230190"), 1000.0), (hs("7204490000"), 30.0), (hs("9801001098"), 7.0), (hs("8703240000"), 5.0)],
        );
        assert_eq!(values.get(c(15)), 1005.0);
        assert_eq!(values.get(c(12)), 30.0);
        let cov = &values.coverage;
        assert_eq!(cov.coverage.value_in, 1042.0);
        assert_eq!(cov.mapped_value() + cov.unmapped_value(), 1042.0);
        assert_eq!((cov.hs6_exact.value, cov.hs4_fallback.value, cov.hs2_fallback.value), (1000.0, 5.0, 30.0));
        assert_eq!(cov.fallback_reasons[0].reason, FallbackReason::NoIndustry.describe());
        assert_eq!(cov.coverage.rejected[0].reason, UnmappedReason::Chapter98.describe());
        assert!(cov.reconciles(0.0));
    }

    #[test]
    fn malformed_rows_name_file_line_and_column() {
        let bad = |row: &str| Concordance::parse("hs6_isic3.csv", format!("{HEADER}870323,8703,87,3410,341,34,D\n{row}\n").as_bytes()).unwrap_err().to_string();
        assert_eq!(bad("87032X,8703,87,3410,341,34,D"), "`hs6_isic3.csv` line 3, column `HS6_6d`: `87032X` is not an HS subheading: expected 6 digits");
        assert_eq!(bad("870324,8704,87,3410,341,34,D"), "`hs6_isic3.csv` line 3, column `HS6_4d`: `8704` is not the first 4 digits of `870324`");
        assert_eq!(bad("870324,8703,87,341,341,34,D"), "`hs6_isic3.csv` line 3, column `ISIC3_4d`: `341` is not an ISIC Rev.3 class: expected 4 digits, or 9999 or nothing for no industry");
        assert_eq!(bad("870324,8703,87,0310,031,03,A"), "`hs6_isic3.csv` line 3, column `ISIC3_4d`: `0310` is not an ISIC Rev.3 class: 03 is not a division (01–99)");
        assert_eq!(bad("870324,8703,87,3410,341,35,D"), "`hs6_isic3.csv` line 3, column `ISIC3_2d`: `35` is not the first 2 digits of ISIC class `3410`");
        assert_eq!(bad("870324,8703,87,3410,341,34,C"), "`hs6_isic3.csv` line 3, column `ISIC3_1d`: `C` is not the section of ISIC division 34: expected `D`");
        assert_eq!(bad("870324,8703,87,9999,999,34,D"), "`hs6_isic3.csv` line 3, column `ISIC3_2d`: `34` given for ISIC class `9999` (no industry); expected an empty field");
        assert_eq!(bad("870324,8703,87,3410"), "`hs6_isic3.csv` line 3: expected 7 fields, found 4 (truncated or misquoted row?)");
        let err = Concordance::parse("x.csv", "code,isic\n".as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`x.csv` line 1: header is missing column `HS6_6d`; expected columns: HS6_6d (or HS0_6d, HS_6d), HS6_4d, HS6_2d, ISIC3_4d, ISIC3_3d, ISIC3_2d, ISIC3_1d"
        );
    }

    #[test]
    fn snapshot_round_trips_and_rejects_bad_sectors() {
        let map = map_of("870323,8703,87,3410,341,34,D\n720449,7204,72,9999,999,,\n");
        let csv = map.to_snapshot_csv();
        assert_eq!(csv, "table,hs6,wiod\nhs2022,720449,none\nhs2022,870323,c15\n");
        let back = HsToWiod::from_snapshot_csv("hs_wiod.csv", &csv).unwrap();
        assert_eq!(back.tables, map.tables);
        let err = HsToWiod::from_snapshot_csv("hs_wiod.csv", "table,hs6,wiod\nhs2022,870323,c36\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`hs_wiod.csv` line 2, column `wiod`: `c36` is not a WIOD 2013 sector: expected c1 … c35 (e.g. c15, Transport Equipment)"
        );
        let err = HsToWiod::from_snapshot_csv("hs_wiod.csv", "table,hs6,wiod\nhs2022,030719,c1=0.5;c3=0.4\n").unwrap_err();
        assert_eq!(err.to_string(), "`hs_wiod.csv` line 2, column `wiod`: `c1=0.5;c3=0.4`: shares sum to 0.9, expected 1");
    }
}
