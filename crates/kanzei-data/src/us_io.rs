//! The U.S. input–output system for consumer prices, and what U.S. customs collected.
//!
//! Two datasets from `bea_io_2017_pce_bridge_us_imports_naics_2025/` (BEA and Census via
//! tradewartracker/tariffs-inflation, MIT):
//!
//! * [`UsIo`]: BEA's 2017 benchmark detail tables — the commodity-by-commodity **total
//!   requirements** matrix `L` (402 × 402, producer prices), the supply table's totals per
//!   commodity (output, imports), the **PCE bridge** (PCE category × commodity at producers'
//!   value plus transport, wholesale and retail margins) — and the maps from trade codes to
//!   BEA detail commodities: HS10 → BEA (the Budget Lab tracker's
//!   `metal_content_shares_bea_hs10.csv`, which carries each line's NAICS and BEA code) and
//!   NAICS → BEA (BEA's published concordance, by longest prefix).
//! * [`NaicsMonthly`]: U.S. imports for consumption and calculated duties by NAICS6, monthly
//!   2020-01…2025-12, all countries.
//!
//! Units: BEA tables in USD millions (`*_musd`, as published); Census values in USD.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::Read;
use std::path::Path;

use kanzei_core::{Coverage, HsCode};
use serde::Serialize;

use crate::error::DataError;
use crate::read::{self, Table, TableOptions};

/// The raw folder of both datasets.
pub const RAW_DIR: &str = "bea_io_2017_pce_bridge_us_imports_naics_2025";
/// The Budget Lab file that maps HS10 lines to NAICS and BEA detail codes.
pub const HS10_BEA_FILE: &str = "budgetlab_tariff_rate_tracker/resources/metal_content_shares_bea_hs10.csv";

/// BEA detail industries that are not commodities, with the commodity their output is
/// published under (BEA concordance workbook, notes ‡ and **): (industry, commodity, note).
pub const ALIASES: &[(&str, &str, &str)] = &[(
    "331314",
    "331313",
    "BEA concordance note ‡: the output of secondary smelting and alloying of aluminum is reported as alumina refining and primary aluminum production",
)];

/// Census NAICS-based special codes with a BEA special commodity (concordance note ††):
/// (NAICS prefix, BEA commodity, what).
pub const SPECIAL_NAICS: &[(&str, &str, &str)] = &[("91", "S00401", "waste and scrap → Scrap"), ("93", "S00402", "used or second-hand merchandise → Used and secondhand goods")];

/// One BEA detail commodity with its 2017 supply totals.
#[derive(Clone, Debug, PartialEq)]
pub struct BeaCommodity {
    /// BEA detail code (e.g. `336111`, `33131B`, `S00401`).
    pub code: String,
    /// BEA's description.
    pub description: String,
    /// Total commodity output, USD millions.
    pub output_musd: f64,
    /// Imports (CIF), USD millions.
    pub imports_musd: f64,
    /// Total supply at basic prices (output + imports + CIF/FOB adjustment), USD millions.
    pub supply_basic_musd: f64,
}

/// One row of the PCE bridge: a commodity inside a PCE category.
#[derive(Clone, Debug, PartialEq)]
pub struct PceBridgeRow {
    /// NIPA line of the category (Table 2.4.5U).
    pub line: u16,
    /// PCE category.
    pub category: String,
    /// Index of the commodity in [`UsIo::commodities`].
    pub commodity: usize,
    /// Producers' value, USD millions.
    pub producers_musd: f64,
    /// Transport costs, USD millions.
    pub transport_musd: f64,
    /// Wholesale margin, USD millions.
    pub wholesale_musd: f64,
    /// Retail margin, USD millions.
    pub retail_musd: f64,
    /// Purchasers' value, USD millions.
    pub purchasers_musd: f64,
}

/// An HS10 line's codes in the Budget Lab table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hs10Bea {
    /// NAICS code of the line (6 digits; `9800`… for special provisions).
    pub naics: String,
    /// BEA detail code as published (`NA` for special provisions).
    pub bea: String,
}

/// How an HS10 line found its BEA commodity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BeaLevel {
    /// The line's own BEA detail code in the Budget Lab table.
    Hs10Exact,
    /// The line's BEA industry is published under another commodity ([`ALIASES`]).
    Alias,
    /// Waste and scrap or used goods ([`SPECIAL_NAICS`]).
    SpecialNaics,
    /// The line is not in the table (a code of another vintage): the most common commodity
    /// of the table's lines under the same HS8 prefix.
    Hs8Sibling,
    /// … under the same HS6 prefix.
    Hs6Sibling,
    /// … under the same HS4 prefix.
    Hs4Sibling,
    /// … in the same chapter.
    Hs2Sibling,
}

impl BeaLevel {
    /// Label for reports.
    pub fn label(self) -> &'static str {
        match self {
            BeaLevel::Hs10Exact => "HS10 line's own BEA code",
            BeaLevel::Alias => "BEA industry published under another commodity",
            BeaLevel::SpecialNaics => "scrap / used goods special commodity",
            BeaLevel::Hs8Sibling => "most common commodity of the HS8 siblings",
            BeaLevel::Hs6Sibling => "most common commodity of the HS6 siblings",
            BeaLevel::Hs4Sibling => "most common commodity of the HS4 siblings",
            BeaLevel::Hs2Sibling => "most common commodity of the chapter",
        }
    }
}

/// Why an HS10 line has no BEA commodity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BeaUnmapped {
    /// Chapters 98–99 (U.S. goods returned, special classification provisions): no
    /// commodity of their own in BEA's tables.
    SpecialProvision,
    /// Neither the line nor any line of its chapter is in the table.
    NoMatch,
}

impl BeaUnmapped {
    /// Label for reports.
    pub fn label(self) -> &'static str {
        match self {
            BeaUnmapped::SpecialProvision => "chapters 98–99 special provisions (goods returned, temporary imports): no BEA commodity",
            BeaUnmapped::NoMatch => "no line of the chapter in the HS10 → BEA table",
        }
    }
}

/// BEA 2017 detail IO tables and the code maps.
#[derive(Clone, Debug, Default)]
pub struct UsIo {
    /// The commodities of the total-requirements matrix, in its order.
    pub commodities: Vec<BeaCommodity>,
    /// Total requirements `L`, row-major: `l[i * n + j]` = output of commodity `i` per dollar
    /// of final demand for commodity `j`.
    pub total_requirements: Vec<f64>,
    /// The PCE bridge.
    pub pce: Vec<PceBridgeRow>,
    /// HS10 → NAICS and BEA detail code.
    pub hs10: HashMap<HsCode, Hs10Bea>,
    /// NAICS prefix (2–6 digits) → BEA detail commodity indices (BEA's concordance; a prefix
    /// listed under several commodities names all of them).
    pub naics: BTreeMap<String, Vec<usize>>,
    /// Load accounting, one per table.
    pub coverage: Vec<Coverage>,
    /// HS8/HS6/HS4 prefix → the most common commodity of the table's lines under it (built
    /// on first use).
    siblings: std::sync::OnceLock<HashMap<HsCode, usize>>,
    /// Commodity code → index (built on first use, once the commodities are complete).
    by_code: std::sync::OnceLock<HashMap<String, usize>>,
}

impl UsIo {
    /// The BEA commodity of an HS10 line, and how it was found.
    pub fn hs10_commodity(&self, code: HsCode) -> Result<(usize, BeaLevel), BeaUnmapped> {
        let code = code.with_vintage(kanzei_core::HsVintage::Unspecified);
        if let Some(entry) = self.hs10.get(&code) {
            if let Some(idx) = self.index(&entry.bea) {
                return Ok((idx, BeaLevel::Hs10Exact));
            }
            if let Some(idx) = self.commodity_of(&entry.bea) {
                return Ok((idx, BeaLevel::Alias));
            }
            if let Some((_, [idx, ..])) = SPECIAL_NAICS.iter().find(|s| entry.naics.starts_with(s.0)).and_then(|_| self.naics_to_bea(&entry.naics)) {
                return Ok((*idx, BeaLevel::SpecialNaics));
            }
        }
        if matches!(code.chapter_number(), 98 | 99) {
            return Err(BeaUnmapped::SpecialProvision);
        }
        let siblings = self.siblings.get_or_init(|| self.sibling_majorities());
        for (len, level) in [(8, BeaLevel::Hs8Sibling), (6, BeaLevel::Hs6Sibling), (4, BeaLevel::Hs4Sibling), (2, BeaLevel::Hs2Sibling)] {
            if let Some(idx) = code.prefix(len).and_then(|p| siblings.get(&p)) {
                return Ok((*idx, level));
            }
        }
        Err(BeaUnmapped::NoMatch)
    }

    fn sibling_majorities(&self) -> HashMap<HsCode, usize> {
        let mut counts: HashMap<HsCode, BTreeMap<usize, u32>> = HashMap::new();
        for (code, entry) in &self.hs10 {
            let Some(idx) = self.commodity_of(&entry.bea) else { continue };
            for len in [8, 6, 4, 2] {
                if let Some(p) = code.prefix(len) {
                    *counts.entry(p).or_default().entry(idx).or_insert(0) += 1;
                }
            }
        }
        // Most lines wins; ties go to the lower commodity index (deterministic).
        counts.into_iter().filter_map(|(p, c)| c.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(idx, _)| (p, idx))).collect()
    }

    /// Number of commodities.
    pub fn n(&self) -> usize {
        self.commodities.len()
    }

    /// The index of a BEA detail commodity code.
    pub fn index(&self, code: &str) -> Option<usize> {
        let by_code = self.by_code.get_or_init(|| self.commodities.iter().enumerate().map(|(i, c)| (c.code.clone(), i)).collect());
        by_code.get(code).copied()
    }

    /// The commodity a BEA detail code's output is published under: itself, or the
    /// commodity of an [`ALIASES`] entry (BEA industries that are not commodities).
    pub fn commodity_of(&self, code: &str) -> Option<usize> {
        let target = ALIASES.iter().find(|a| a.0 == code).map_or(code, |a| a.1);
        self.index(target)
    }

    /// `L_ij`.
    pub fn l(&self, i: usize, j: usize) -> f64 {
        self.total_requirements[i * self.n() + j]
    }

    /// BEA detail commodities of a NAICS code by longest prefix, with the prefix matched.
    pub fn naics_to_bea(&self, naics: &str) -> Option<(&str, &[usize])> {
        let digits = naics.bytes().take_while(u8::is_ascii_digit).count().min(6);
        (2..=digits).rev().find_map(|len| {
            let prefix = &naics[..len];
            self.naics.get_key_value(prefix).map(|(k, v)| (k.as_str(), v.as_slice()))
        })
    }
}

/// A calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    /// Year.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
}

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Result<Month, String> {
        let bad = || format!("`{text}` is not a month: expected YYYY-MM, e.g. 2025-10");
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        if !(1..=12).contains(&month) || !(1900..=2100).contains(&year) {
            return Err(bad());
        }
        Ok(Month { year, month })
    }

    /// The month's first day as a tariff date's `YYYY-MM-DD` text.
    pub fn first_day(&self) -> String {
        format!("{self}-01")
    }

    /// The next month.
    pub fn next(&self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { year: self.year, month: self.month + 1 }
        }
    }

    /// Days in the month.
    pub fn days(&self) -> u8 {
        match self.month {
            4 | 6 | 9 | 11 => 30,
            2 if (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0 => 29,
            2 => 28,
            _ => 31,
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// One NAICS6 × month of U.S. imports.
#[derive(Clone, Debug, PartialEq)]
pub struct NaicsMonth {
    /// NAICS code (6 digits).
    pub naics: String,
    /// Month.
    pub month: Month,
    /// Imports for consumption, customs value, USD.
    pub imports_usd: f64,
    /// Calculated duty, USD.
    pub duty_usd: f64,
}

/// U.S. imports and calculated duties by NAICS6 and month.
#[derive(Clone, Debug)]
pub struct NaicsMonthly {
    /// Rows, sorted by month then NAICS.
    pub rows: Vec<NaicsMonth>,
    /// NAICS6 → Census description.
    pub descriptions: BTreeMap<String, String>,
    /// Load accounting (value = imports, USD).
    pub coverage: Coverage,
}

impl NaicsMonthly {
    fn empty(name: &str, source: &str) -> NaicsMonthly {
        NaicsMonthly { rows: Vec::new(), descriptions: BTreeMap::new(), coverage: Coverage::new(name, source, "USD (imports)") }
    }

    /// First and last month.
    pub fn span(&self) -> Option<(Month, Month)> {
        Some((self.rows.first()?.month, self.rows.last()?.month))
    }
}

// ---------------------------------------------------------------------------------------
// Raw files.

/// Loads the BEA tables and code maps from the raw folder.
pub fn load_io_raw(raw: &Path) -> Result<UsIo, DataError> {
    let dir = raw.join(RAW_DIR);
    let tr_file = format!("{RAW_DIR}/derived_cxc_total_requirements_2017.csv");
    let supply_file = format!("{RAW_DIR}/derived_supply_2017_commodity_totals.csv");
    let pce_file = format!("{RAW_DIR}/derived_pce_bridge_2017_detail.csv");
    let conc_file = format!("{RAW_DIR}/derived_bea_naics_concordance_naics_codes.csv");
    let mut io = UsIo::default();
    let (codes, entries, tr_cov) = read_total_requirements(&tr_file, read::open(&dir.join("derived_cxc_total_requirements_2017.csv"))?)?;
    read_supply(&mut io, &supply_file, read::open(&dir.join("derived_supply_2017_commodity_totals.csv"))?, &codes)?;
    fill_matrix(&mut io, &entries);
    io.coverage.push(tr_cov);
    read_pce_bridge(&mut io, &pce_file, read::open(&dir.join("derived_pce_bridge_2017_detail.csv"))?)?;
    read_naics_concordance(&mut io, &conc_file, read::open(&dir.join("derived_bea_naics_concordance_naics_codes.csv"))?)?;
    read_hs10_bea(&mut io, HS10_BEA_FILE, read::open(&raw.join(HS10_BEA_FILE))?)?;
    Ok(io)
}

type Entries = Vec<(String, String, f64)>;

fn read_total_requirements<R: Read>(file: &str, source: R) -> Result<(Vec<String>, Entries, Coverage), DataError> {
    let mut table = Table::new(file, source, TableOptions::default())?;
    let cols = table.require(&["commodity_row", "commodity_col", "total_requirement"])?;
    let mut coverage = Coverage::new("bea_total_requirements_2017", file, "coefficients");
    let mut entries = Vec::new();
    let mut codes = std::collections::BTreeSet::new();
    while let Some(row) = table.next_row()? {
        let value = row.f64(cols[2])?;
        // BEA's published inverse has five tiny negatives (≥ −0.003, in the rows and columns
        // of used goods, government and the rest-of-world adjustment); kept as published.
        if value < -0.01 {
            return Err(row.error(cols[2], format!("total requirement {value} is negative beyond BEA's rounding of special commodities (≥ −0.01)")));
        }
        coverage.keep(value);
        codes.insert(row.str(cols[0]).to_string());
        codes.insert(row.str(cols[1]).to_string());
        entries.push((row.str(cols[0]).to_string(), row.str(cols[1]).to_string(), value));
    }
    Ok((codes.into_iter().collect(), entries, coverage))
}

/// Supply totals: one per matrix commodity, in the file's order (the matrix takes it).
fn read_supply<R: Read>(io: &mut UsIo, file: &str, source: R, codes: &[String]) -> Result<(), DataError> {
    let mut table = Table::new(file, source, TableOptions::default())?;
    let cols = table.require(&["commodity", "description", "total_commodity_output_musd", "imports_cif_musd", "total_supply_basic_musd"])?;
    let mut coverage = Coverage::new("bea_supply_2017", file, "USD millions (imports)");
    // The total row is a check, not data.
    let mut total_imports = None;
    while let Some(row) = table.next_row_loose()? {
        let code = row.str(cols[0]).to_string();
        let imports = row.opt_f64(cols[3]).ok().flatten().unwrap_or(0.0);
        if code == "T017" {
            total_imports = Some((imports, row.line()));
            continue;
        }
        if codes.binary_search(&code).is_err() {
            coverage.reject("not a commodity of the total-requirements matrix (note or title)", imports, || format!("line {}: {code}", row.line()));
            continue;
        }
        coverage.keep(imports);
        io.commodities.push(BeaCommodity {
            code,
            description: row.str(cols[1]).to_string(),
            output_musd: row.opt_f64(cols[2])?.unwrap_or(0.0),
            imports_musd: imports,
            supply_basic_musd: row.opt_f64(cols[4])?.unwrap_or(0.0),
        });
    }
    if io.commodities.len() != codes.len() {
        let missing: Vec<&String> = codes.iter().filter(|c| !io.commodities.iter().any(|x| &x.code == *c)).take(5).collect();
        return Err(DataError::Reconciliation {
            what: file.into(),
            detail: format!("{} commodities in the matrix, {} in the supply table; missing e.g. {missing:?}", codes.len(), io.commodities.len()),
        });
    }
    let sum: f64 = io.commodities.iter().map(|c| c.imports_musd).sum();
    match total_imports {
        // Published in whole millions: "detail may not add to total due to rounding".
        Some((total, _)) if (sum - total).abs() <= 0.5 * io.commodities.len() as f64 => {}
        Some((total, line)) => {
            return Err(DataError::Reconciliation { what: file.into(), detail: format!("imports sum to {sum} over the commodities but the total row (line {line}) says {total}") })
        }
        None => return Err(DataError::Reconciliation { what: file.into(), detail: "no total row T017 to reconcile against".into() }),
    }
    io.coverage.push(coverage);
    Ok(())
}

fn fill_matrix(io: &mut UsIo, entries: &Entries) {
    let index: HashMap<&str, usize> = io.commodities.iter().enumerate().map(|(i, c)| (c.code.as_str(), i)).collect();
    let n = io.commodities.len();
    io.total_requirements = vec![0.0; n * n];
    for (r, c, v) in entries {
        // Both codes were collected from the entries, and read_supply checked each has a row.
        if let (Some(&i), Some(&j)) = (index.get(r.as_str()), index.get(c.as_str())) {
            io.total_requirements[i * n + j] = *v;
        }
    }
}

fn read_pce_bridge<R: Read>(io: &mut UsIo, file: &str, source: R) -> Result<(), DataError> {
    let mut table = Table::new(file, source, TableOptions::default())?;
    let names = [
        "nipa_line",
        "pce_category",
        "commodity",
        "producers_value_musd",
        "transportation_costs_musd",
        "wholesale_margin_musd",
        "retail_margin_musd",
        "purchasers_value_musd",
    ];
    let cols = table.require(&names)?;
    let mut coverage = Coverage::new("bea_pce_bridge_2017", file, "USD millions (purchasers' value)");
    while let Some(row) = table.next_row()? {
        let purchasers = row.f64(cols[7])?;
        let code = row.str(cols[2]);
        let Some(commodity) = io.index(code) else {
            coverage.reject("commodity not in the total-requirements matrix", purchasers, || format!("line {}: {code}", row.line()));
            continue;
        };
        let line = row.i64(cols[0])?;
        let line = u16::try_from(line).map_err(|_| row.error(cols[0], format!("NIPA line {line} is out of range")))?;
        let r = PceBridgeRow {
            line,
            category: row.str(cols[1]).to_string(),
            commodity,
            producers_musd: row.f64(cols[3])?,
            transport_musd: row.f64(cols[4])?,
            wholesale_musd: row.f64(cols[5])?,
            retail_musd: row.f64(cols[6])?,
            purchasers_musd: purchasers,
        };
        let sum = r.producers_musd + r.transport_musd + r.wholesale_musd + r.retail_musd;
        if (sum - r.purchasers_musd).abs() > 2.0 {
            return Err(row.error(cols[7], format!("purchasers' value {purchasers} ≠ producers' value + margins {sum}")));
        }
        coverage.keep(purchasers);
        io.pce.push(r);
    }
    io.coverage.push(coverage);
    Ok(())
}

/// BEA's concordance workbook as CSV: title rows, then `Sector, …, Detail, Description, …,
/// Related 2017 NAICS Codes, Description`. NAICS cells are digit prefixes, `23*`-style
/// wildcards or `n.a.`.
fn read_naics_concordance<R: Read>(io: &mut UsIo, file: &str, source: R) -> Result<(), DataError> {
    let mut table = Table::new(file, source, TableOptions { skip_lines: 4, ..TableOptions::default() })?;
    let cols = table.require(&["Detail", "Related 2017 NAICS Codes"])?;
    let mut coverage = Coverage::new("bea_naics_concordance", file, "rows");
    while let Some(row) = table.next_row_loose()? {
        let detail = row.str(cols[0]);
        let naics = row.str(cols[1]).trim().trim_end_matches('*');
        if detail.is_empty() {
            coverage.reject("no BEA detail code (blank or note row)", 1.0, || format!("line {}", row.line()));
            continue;
        }
        let Some(idx) = io.commodity_of(detail) else {
            coverage.reject("BEA detail code not in the total-requirements matrix", 1.0, || format!("line {}: {detail}", row.line()));
            continue;
        };
        if naics.len() < 2 || naics.len() > 6 || !naics.bytes().all(|b| b.is_ascii_digit()) {
            coverage.reject("no NAICS code (n.a.: government, owner-occupied housing, special codes)", 1.0, || {
                format!("line {}: {detail} `{}`", row.line(), row.str(cols[1]))
            });
            continue;
        }
        coverage.keep(1.0);
        let list = io.naics.entry(naics.to_string()).or_default();
        if !list.contains(&idx) {
            list.push(idx);
        }
    }
    for (prefix, code, _) in SPECIAL_NAICS {
        if let Some(idx) = io.index(code) {
            io.naics.entry((*prefix).to_string()).or_default().push(idx);
        }
    }
    io.coverage.push(coverage);
    Ok(())
}

fn read_hs10_bea<R: Read>(io: &mut UsIo, file: &str, source: R) -> Result<(), DataError> {
    let mut table = Table::new(file, source, TableOptions::default())?;
    let cols = table.require(&["hs10", "naics", "bea_detail_code"])?;
    let mut coverage = Coverage::new("hs10_bea", file, "rows");
    while let Some(row) = table.next_row()? {
        let code = HsCode::parse(row.str(cols[0])).map_err(|e| row.error(cols[0], e.to_string()))?;
        if code.len() != 10 {
            return Err(row.error(cols[0], format!("`{}` is not an HS10 code", row.str(cols[0]))));
        }
        coverage.keep(1.0);
        io.hs10.insert(code, Hs10Bea { naics: row.str(cols[1]).to_string(), bea: row.str(cols[2]).to_string() });
    }
    io.coverage.push(coverage);
    Ok(())
}

/// A Census NAICS6 commodity code: six characters, at least two leading digits, any
/// trailing characters `X` (`11211X`, `1121XX`).
pub fn is_census_naics6(code: &str) -> bool {
    let digits = code.bytes().take_while(u8::is_ascii_digit).count();
    code.len() == 6 && digits >= 2 && code.bytes().skip(digits).all(|b| b == b'X')
}

/// Loads the monthly NAICS6 imports from the raw folder.
pub fn load_monthly_raw(raw: &Path) -> Result<NaicsMonthly, DataError> {
    let name = "derived_us_imports_naics6_monthly_2020_2025.csv";
    let file = format!("{RAW_DIR}/{name}");
    let mut table = Table::new(&file, read::open(&raw.join(RAW_DIR).join(name))?, TableOptions::default())?;
    let cols = table.require(&["country", "imports_usd", "calculated_duty_usd", "naics", "naics_description", "month", "level"])?;
    let mut out = NaicsMonthly::empty("us_imports_naics6_monthly", &file);
    while let Some(row) = table.next_row()? {
        let imports = row.f64(cols[1])?;
        let duty = row.f64(cols[2])?;
        let naics = row.str(cols[3]);
        if row.str(cols[6]) != "NA6" || row.str(cols[0]) != "TOTAL FOR ALL COUNTRIES" {
            out.coverage.reject("not an all-countries NAICS6 row", imports, || format!("line {}", row.line()));
            continue;
        }
        // Census writes some aggregated codes with trailing X (`11211X` cattle, `31131X` sugars).
        if !is_census_naics6(naics) {
            out.coverage.reject("not a 6-character NAICS code (digits, optionally ending in X)", imports, || format!("line {}: `{naics}`", row.line()));
            continue;
        }
        if imports < 0.0 || duty < 0.0 {
            return Err(row.error(if imports < 0.0 { cols[1] } else { cols[2] }, "negative imports or duty"));
        }
        let month = Month::parse(row.str(cols[5])).map_err(|e| row.error(cols[5], e))?;
        out.coverage.keep(imports);
        out.descriptions.entry(naics.to_string()).or_insert_with(|| row.str(cols[4]).to_string());
        out.rows.push(NaicsMonth { naics: naics.to_string(), month, imports_usd: imports, duty_usd: duty });
    }
    out.rows.sort_by(|a, b| (a.month, &a.naics).cmp(&(b.month, &b.naics)));
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Snapshot form: sections `### name` each holding a CSV.

/// Snapshot file of [`UsIo`].
pub const IO_SNAPSHOT: &str = "bea_io_2017.txt.gz";
/// Snapshot file of [`NaicsMonthly`].
pub const MONTHLY_SNAPSHOT: &str = "us_imports_naics6_monthly.txt.gz";

/// Writes [`UsIo`] in kanzei's snapshot form (matrix entries by index, zeros dropped).
pub fn io_to_snapshot(io: &UsIo) -> String {
    use crate::snapshot::csv_field;
    let mut out = String::from("### commodities\ncode,description,output_musd,imports_musd,supply_basic_musd\n");
    for c in &io.commodities {
        out += &format!("{},{},{},{},{}\n", c.code, csv_field(&c.description), c.output_musd, c.imports_musd, c.supply_basic_musd);
    }
    out += "### total_requirements\ni,j,l\n";
    let n = io.n();
    for (k, v) in io.total_requirements.iter().enumerate() {
        if *v != 0.0 {
            out += &format!("{},{},{v}\n", k / n, k % n);
        }
    }
    out += "### pce_bridge\nline,category,commodity,producers_musd,transport_musd,wholesale_musd,retail_musd,purchasers_musd\n";
    for r in &io.pce {
        out += &format!(
            "{},{},{},{},{},{},{},{}\n",
            r.line,
            csv_field(&r.category),
            r.commodity,
            r.producers_musd,
            r.transport_musd,
            r.wholesale_musd,
            r.retail_musd,
            r.purchasers_musd
        );
    }
    out += "### naics\nnaics,commodity\n";
    for (naics, list) in &io.naics {
        for idx in list {
            out += &format!("{naics},{idx}\n");
        }
    }
    out += "### hs10\nhs10,naics,bea\n";
    let mut hs10: Vec<_> = io.hs10.iter().collect();
    hs10.sort_by_key(|(code, _)| **code);
    for (code, m) in hs10 {
        out += &format!("{code},{},{}\n", m.naics, m.bea);
    }
    out
}

fn sections(name: &str, text: &str) -> Result<HashMap<String, String>, DataError> {
    let mut out: HashMap<String, String> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(section) = line.strip_prefix("### ") {
            current = Some(section.to_string());
            out.insert(section.to_string(), String::new());
        } else if let Some(section) = &current {
            let body = out.get_mut(section).expect("inserted when the section began");
            body.push_str(line);
            body.push('\n');
        } else {
            return Err(DataError::Reconciliation { what: name.into(), detail: "text before the first `### section`".into() });
        }
    }
    Ok(out)
}

fn section<'a>(name: &str, all: &'a HashMap<String, String>, key: &str) -> Result<&'a str, DataError> {
    all.get(key).map(String::as_str).ok_or_else(|| DataError::Reconciliation { what: name.into(), detail: format!("no `### {key}` section") })
}

/// Reads [`UsIo`] back from its snapshot form (coverage comes from the manifest).
pub fn io_from_snapshot(name: &str, text: &str) -> Result<UsIo, DataError> {
    let all = sections(name, text)?;
    let mut io = UsIo::default();
    let file = format!("{name} (commodities)");
    let mut t = Table::new(&file, section(name, &all, "commodities")?.as_bytes(), TableOptions::default())?;
    let c = t.require(&["code", "description", "output_musd", "imports_musd", "supply_basic_musd"])?;
    while let Some(row) = t.next_row()? {
        io.commodities.push(BeaCommodity {
            code: row.str(c[0]).into(),
            description: row.str(c[1]).into(),
            output_musd: row.f64(c[2])?,
            imports_musd: row.f64(c[3])?,
            supply_basic_musd: row.f64(c[4])?,
        });
    }
    let n = io.n();
    io.total_requirements = vec![0.0; n * n];
    let file = format!("{name} (total_requirements)");
    let mut t = Table::new(&file, section(name, &all, "total_requirements")?.as_bytes(), TableOptions::default())?;
    let c = t.require(&["i", "j", "l"])?;
    while let Some(row) = t.next_row()? {
        let (i, j) = (index_in(&row, c[0], n)?, index_in(&row, c[1], n)?);
        io.total_requirements[i * n + j] = row.f64(c[2])?;
    }
    read_pce_snapshot(&mut io, name, section(name, &all, "pce_bridge")?)?;
    let file = format!("{name} (naics)");
    let mut t = Table::new(&file, section(name, &all, "naics")?.as_bytes(), TableOptions::default())?;
    let c = t.require(&["naics", "commodity"])?;
    while let Some(row) = t.next_row()? {
        let idx = index_in(&row, c[1], n)?;
        io.naics.entry(row.str(c[0]).to_string()).or_default().push(idx);
    }
    let file = format!("{name} (hs10)");
    let mut t = Table::new(&file, section(name, &all, "hs10")?.as_bytes(), TableOptions::default())?;
    let c = t.require(&["hs10", "naics", "bea"])?;
    while let Some(row) = t.next_row()? {
        let code = HsCode::parse(row.str(c[0])).map_err(|e| row.error(c[0], e.to_string()))?;
        io.hs10.insert(code, Hs10Bea { naics: row.str(c[1]).into(), bea: row.str(c[2]).into() });
    }
    Ok(io)
}

fn read_pce_snapshot(io: &mut UsIo, name: &str, body: &str) -> Result<(), DataError> {
    let file = format!("{name} (pce_bridge)");
    let n = io.n();
    let mut t = Table::new(&file, body.as_bytes(), TableOptions::default())?;
    let c = t.require(&["line", "category", "commodity", "producers_musd", "transport_musd", "wholesale_musd", "retail_musd", "purchasers_musd"])?;
    while let Some(row) = t.next_row()? {
        let line = row.i64(c[0])?;
        io.pce.push(PceBridgeRow {
            line: u16::try_from(line).map_err(|_| row.error(c[0], "NIPA line out of range"))?,
            category: row.str(c[1]).into(),
            commodity: index_in(&row, c[2], n)?,
            producers_musd: row.f64(c[3])?,
            transport_musd: row.f64(c[4])?,
            wholesale_musd: row.f64(c[5])?,
            retail_musd: row.f64(c[6])?,
            purchasers_musd: row.f64(c[7])?,
        });
    }
    Ok(())
}

fn index_in(row: &read::Row<'_>, col: usize, n: usize) -> Result<usize, DataError> {
    let v = row.i64(col)?;
    usize::try_from(v).ok().filter(|&i| i < n).ok_or_else(|| row.error(col, format!("index {v} is outside 0..{n}")))
}

/// Writes [`NaicsMonthly`] in kanzei's snapshot form.
pub fn monthly_to_snapshot(m: &NaicsMonthly) -> String {
    use crate::snapshot::csv_field;
    let mut out = String::from("### naics\nnaics,description\n");
    for (code, d) in &m.descriptions {
        out += &format!("{code},{}\n", csv_field(d));
    }
    out += "### months\nnaics,month,imports_usd,duty_usd\n";
    for r in &m.rows {
        out += &format!("{},{},{},{}\n", r.naics, r.month, r.imports_usd, r.duty_usd);
    }
    out
}

/// Reads [`NaicsMonthly`] back from its snapshot form.
pub fn monthly_from_snapshot(name: &str, text: &str) -> Result<NaicsMonthly, DataError> {
    let all = sections(name, text)?;
    let mut out = NaicsMonthly::empty("us_imports_naics6_monthly", name);
    let file = format!("{name} (naics)");
    let mut t = Table::new(&file, section(name, &all, "naics")?.as_bytes(), TableOptions::default())?;
    let c = t.require(&["naics", "description"])?;
    while let Some(row) = t.next_row()? {
        out.descriptions.insert(row.str(c[0]).into(), row.str(c[1]).into());
    }
    let file = format!("{name} (months)");
    let mut t = Table::new(&file, section(name, &all, "months")?.as_bytes(), TableOptions::default())?;
    let c = t.require(&["naics", "month", "imports_usd", "duty_usd"])?;
    while let Some(row) = t.next_row()? {
        let imports = row.f64(c[2])?;
        out.coverage.keep(imports);
        out.rows.push(NaicsMonth {
            naics: row.str(c[0]).into(),
            month: Month::parse(row.str(c[1])).map_err(|e| row.error(c[1], e))?,
            imports_usd: imports,
            duty_usd: row.f64(c[3])?,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_parse_and_step() {
        let m = Month::parse("2025-12").unwrap();
        assert_eq!(m.next().to_string(), "2026-01");
        assert_eq!(Month::parse("2024-02").unwrap().days(), 29);
        for bad in ["2025-13", "2025-1", "0000-01", "25-01", "2025/01"] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn naics_longest_prefix() {
        let mut io = UsIo::default();
        io.naics.insert("3361".into(), vec![1]);
        io.naics.insert("33611".into(), vec![2]);
        assert_eq!(io.naics_to_bea("336111").unwrap().1, &[2]);
        assert_eq!(io.naics_to_bea("336211").map(|x| x.0), None);
        assert_eq!(io.naics_to_bea("336199").unwrap().0, "3361");
        assert_eq!(io.naics_to_bea("33611X").unwrap().0, "33611");
    }

    #[test]
    fn census_naics_codes() {
        for ok in ["336111", "11211X", "1121XX"] {
            assert!(is_census_naics6(ok), "{ok}");
        }
        for bad in ["3361", "X11211", "11X21X", "3361111"] {
            assert!(!is_census_naics6(bad), "{bad}");
        }
    }
}
