//! U.S. trade in goods by country (Census FT-900 `country.csv` / `country.xlsx` layout).
//!
//! Columns: `year, CTY_CODE, CTYNAME, IJAN … IDEC, IYR, EJAN … EDEC, EYR`, in millions of
//! U.S. dollars; imports are *general imports, customs value*, exports are *total exports,
//! F.A.S. value*. Codes below 1000 are aggregates and are never ranked as countries. The
//! current year is partial: only the months published so far are filled.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use kanzei_core::{AreaCode, AreaKind, AreaRegistry, Coverage, Period, SourceRef};
use serde::Serialize;

use crate::error::DataError;
use crate::read::{Table, TableOptions};

/// One row: a partner in a year.
#[derive(Clone, Debug, PartialEq)]
pub struct CountryYear {
    /// Calendar year.
    pub year: i32,
    /// Census Schedule C code.
    pub census_code: u16,
    /// The name Census printed.
    pub name: String,
    /// Monthly general imports, $ millions.
    pub imports_monthly_musd: [f64; 12],
    /// Annual general imports (`IYR`), $ millions.
    pub imports_musd: f64,
    /// Monthly total exports, $ millions.
    pub exports_monthly_musd: [f64; 12],
    /// Annual total exports (`EYR`), $ millions.
    pub exports_musd: f64,
}

/// The whole country table.
#[derive(Clone, Debug)]
pub struct CountryTrade {
    /// All rows, file order.
    pub rows: Vec<CountryYear>,
    /// Load accounting (value = imports + exports, $ millions).
    pub coverage: Coverage,
    /// Months reported per year (12 for complete years).
    pub months: BTreeMap<i32, u8>,
    index: HashMap<(i32, u16), usize>,
}

const MONTHS: [&str; 12] = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];

/// Converts $ millions to whole dollars without float noise (79,740.8 → 79,740,800,000).
/// Census values carry at most six decimals of millions, i.e. whole dollars.
pub fn musd_to_usd(musd: f64) -> f64 {
    (musd * 1e6).round()
}

impl CountryTrade {
    /// Parses the Census layout from any reader.
    pub fn parse<R: Read>(file: &str, source: R) -> Result<CountryTrade, DataError> {
        let mut table = Table::new(file, source, TableOptions::default())?;
        // CTYNAME is optional: kanzei's snapshot drops it (the registry has the names).
        let name_col = table.position("CTYNAME");
        let mut wanted: Vec<String> = vec!["year".into(), "CTY_CODE".into()];
        wanted.extend(MONTHS.iter().map(|m| format!("I{m}")));
        wanted.push("IYR".into());
        wanted.extend(MONTHS.iter().map(|m| format!("E{m}")));
        wanted.push("EYR".into());
        let wanted_refs: Vec<&str> = wanted.iter().map(String::as_str).collect();
        let cols = table.require(&wanted_refs)?;
        let mut coverage = Coverage::new("census_ft900_country", file, "USD millions (imports + exports)");
        let mut rows = Vec::new();
        let mut index = HashMap::new();
        while let Some(row) = table.next_row()? {
            let year = row.year(cols[0])?;
            let census_code = row.census_code(cols[1])?;
            let mut imports_monthly_musd = [0.0; 12];
            let mut exports_monthly_musd = [0.0; 12];
            for m in 0..12 {
                imports_monthly_musd[m] = row.f64(cols[2 + m])?;
                exports_monthly_musd[m] = row.f64(cols[15 + m])?;
            }
            let imports_musd = row.f64(cols[14])?;
            let exports_musd = row.f64(cols[27])?;
            // The annual column must be the sum of the months (to the published 0.1).
            let month_sum: f64 = imports_monthly_musd.iter().sum();
            if (month_sum - imports_musd).abs() > 0.15 + 1e-6 * imports_musd.abs() {
                return Err(row.error(
                    cols[14],
                    format!("IYR {imports_musd} is not the sum of the months ({month_sum:.1})"),
                ));
            }
            let month_sum: f64 = exports_monthly_musd.iter().sum();
            if (month_sum - exports_musd).abs() > 0.15 + 1e-6 * exports_musd.abs() {
                return Err(row.error(
                    cols[27],
                    format!("EYR {exports_musd} is not the sum of the months ({month_sum:.1})"),
                ));
            }
            if index.insert((year, census_code), rows.len()).is_some() {
                return Err(row.error(cols[1], format!("code {census_code} appears twice for {year}")));
            }
            coverage.keep(imports_musd + exports_musd);
            rows.push(CountryYear {
                year,
                census_code,
                name: name_col.map(|c| row.str(c).to_string()).unwrap_or_default(),
                imports_monthly_musd,
                imports_musd,
                exports_monthly_musd,
                exports_musd,
            });
        }
        let months = months_reported(&rows);
        Ok(CountryTrade { rows, coverage, months, index })
    }

    /// Writes the table in the Census column layout without names (kanzei's snapshot
    /// form); values are written in the shortest form that reads back exactly.
    pub fn to_snapshot_csv(&self) -> String {
        let mut out = String::from("year,CTY_CODE");
        for m in MONTHS {
            out.push_str(&format!(",I{m}"));
        }
        out.push_str(",IYR");
        for m in MONTHS {
            out.push_str(&format!(",E{m}"));
        }
        out.push_str(",EYR\n");
        for row in &self.rows {
            out.push_str(&format!("{},{}", row.year, row.census_code));
            for v in row.imports_monthly_musd.iter().chain([&row.imports_musd]) {
                out.push_str(&format!(",{}", v));
            }
            for v in row.exports_monthly_musd.iter().chain([&row.exports_musd]) {
                out.push_str(&format!(",{}", v));
            }
            out.push('\n');
        }
        out
    }

    /// Source reference for footnotes.
    pub fn source(&self, period: &str) -> SourceRef {
        SourceRef {
            dataset: "census_ft900_country".into(),
            publisher: "U.S. Census Bureau".into(),
            citation: "U.S. Census Bureau, U.S. International Trade in Goods and Services (FT-900), trade by country".into(),
            basis: "exports: total exports, F.A.S.; imports: general imports, customs value; Census basis".into(),
            period: period.into(),
        }
    }

    /// First and last year present.
    pub fn year_range(&self) -> Option<(i32, i32)> {
        Some((*self.months.keys().next()?, *self.months.keys().next_back()?))
    }

    /// "1985–2025 (2025: Jan–Feb only)".
    pub fn describe_years(&self) -> String {
        let Some((first, last)) = self.year_range() else { return "no years".into() };
        let partial: Vec<String> = self
            .months
            .iter()
            .filter(|(_, &m)| m < 12)
            .map(|(y, &m)| format!("{}", Period::YearToDate(*y, m)))
            .collect();
        if partial.is_empty() {
            format!("{first}–{last}")
        } else {
            format!("{first}–{last} (partial: {})", partial.join(", "))
        }
    }

    /// The period a year's annual columns cover.
    pub fn period(&self, year: i32) -> Result<Period, DataError> {
        match self.months.get(&year) {
            Some(12) => Ok(Period::Year(year)),
            Some(&m) => Ok(Period::YearToDate(year, m)),
            None => Err(DataError::YearNotAvailable {
                dataset: "Census FT-900 trade by country".into(),
                year,
                available: self.describe_years(),
            }),
        }
    }

    /// The row for a Census code in a year.
    pub fn get(&self, year: i32, census_code: u16) -> Option<&CountryYear> {
        self.index.get(&(year, census_code)).map(|&idx| &self.rows[idx])
    }

    /// U.S. trade with every *country* in a year, largest deficit first, with the
    /// accounting of what was set aside (aggregates, codes the registry does not know) and
    /// the reconciliation of the country sum against the "World" row.
    pub fn balance(&self, year: i32, registry: &AreaRegistry) -> Result<BalanceTable, DataError> {
        let period = self.period(year)?;
        let mut coverage =
            Coverage::new(format!("countries in {year}"), "census_ft900_country", "USD millions (imports + exports)");
        let mut by_area: BTreeMap<AreaCode, PartnerBalance> = BTreeMap::new();
        let mut world = None;
        let mut non_country_sum = (0.0, 0.0);
        for row in self.rows.iter().filter(|r| r.year == year) {
            let value = row.imports_musd + row.exports_musd;
            let area = registry.by_census(row.census_code);
            match area {
                Some(area) if area.kind == AreaKind::Country => {
                    coverage.keep(value);
                    let entry = by_area.entry(area.code).or_insert_with(|| PartnerBalance {
                        partner: area.code,
                        name: area.name.clone(),
                        exports_usd: 0.0,
                        imports_usd: 0.0,
                        balance_usd: 0.0,
                        total_usd: 0.0,
                    });
                    entry.exports_usd += musd_to_usd(row.exports_musd);
                    entry.imports_usd += musd_to_usd(row.imports_musd);
                }
                Some(area) => {
                    if row.census_code == 15 {
                        world = Some((musd_to_usd(row.exports_musd), musd_to_usd(row.imports_musd)));
                    }
                    let reason = match area.kind {
                        AreaKind::Group | AreaKind::Aggregate => "aggregate or group row (never ranked as a country)",
                        AreaKind::Historical => "historical country (no longer exists)",
                        _ => "value Census could not allocate to a country",
                    };
                    if matches!(area.kind, AreaKind::Historical | AreaKind::Unallocated) {
                        non_country_sum.0 += musd_to_usd(row.exports_musd);
                        non_country_sum.1 += musd_to_usd(row.imports_musd);
                    }
                    coverage.reject(reason, value, || format!("{} {}", row.census_code, row.name));
                }
                None => {
                    coverage.reject("Census code not in the area registry", value, || {
                        format!("{} {}", row.census_code, row.name)
                    });
                }
            }
        }
        let mut partners: Vec<PartnerBalance> = by_area
            .into_values()
            .map(|mut p| {
                p.balance_usd = p.exports_usd - p.imports_usd;
                p.total_usd = p.exports_usd + p.imports_usd;
                p
            })
            .collect();
        partners.sort_by(|a, b| a.balance_usd.total_cmp(&b.balance_usd).then(a.partner.cmp(&b.partner)));
        let sum_exports: f64 = partners.iter().map(|p| p.exports_usd).sum::<f64>() + non_country_sum.0;
        let sum_imports: f64 = partners.iter().map(|p| p.imports_usd).sum::<f64>() + non_country_sum.1;
        let world_check = world.map(|(exports, imports)| WorldCheck {
            world_exports_usd: exports,
            world_imports_usd: imports,
            sum_exports_usd: sum_exports,
            sum_imports_usd: sum_imports,
        });
        Ok(BalanceTable { year, period, partners, world: world_check, coverage })
    }

    /// The balance with one area (a country, or a group summed over its members; a group
    /// with its own Census row, like the EU, uses that row) over a range of years.
    pub fn series(
        &self,
        area: AreaCode,
        from: i32,
        to: i32,
        registry: &AreaRegistry,
    ) -> Result<Vec<SeriesPoint>, DataError> {
        for year in [from, to] {
            self.period(year)?;
        }
        let Some(found) = registry.get(area) else {
            return Err(registry.resolve(area.as_str()).err().map_or_else(
                || DataError::NotAvailable { message: format!("{area} is not in the registry") },
                DataError::UnknownArea,
            ));
        };
        let codes: Vec<u16> = if !found.census_codes.is_empty() {
            found.census_codes.clone()
        } else {
            found
                .members
                .iter()
                .filter_map(|m| registry.get(*m))
                .flat_map(|a| a.census_codes.iter().copied())
                .collect()
        };
        if codes.is_empty() {
            return Err(DataError::NotAvailable {
                message: format!("{} ({}) has no Census country code, so Census reports no trade with it", found.code, found.name),
            });
        }
        let mut points = Vec::new();
        for year in from..=to {
            let period = self.period(year)?;
            let mut exports = 0.0;
            let mut imports = 0.0;
            let mut present = false;
            for &code in &codes {
                if let Some(row) = self.get(year, code) {
                    exports += musd_to_usd(row.exports_musd);
                    imports += musd_to_usd(row.imports_musd);
                    present = true;
                }
            }
            points.push(SeriesPoint {
                year,
                period: period.to_string(),
                partial: !matches!(period, Period::Year(_)),
                reported: present,
                exports_usd: exports,
                imports_usd: imports,
                balance_usd: exports - imports,
                total_usd: exports + imports,
            });
        }
        Ok(points)
    }
}

fn months_reported(rows: &[CountryYear]) -> BTreeMap<i32, u8> {
    // A month counts as reported when world (or, failing that, any) trade is non-zero.
    let mut months: BTreeMap<i32, u8> = BTreeMap::new();
    for row in rows {
        let last = (0..12)
            .rev()
            .find(|&m| row.imports_monthly_musd[m] != 0.0 || row.exports_monthly_musd[m] != 0.0)
            .map_or(0, |m| m as u8 + 1);
        let entry = months.entry(row.year).or_insert(0);
        *entry = (*entry).max(last);
    }
    months
}

/// U.S. trade with one partner.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartnerBalance {
    /// ISO3 code.
    pub partner: AreaCode,
    /// Name.
    pub name: String,
    /// U.S. exports to the partner, USD.
    pub exports_usd: f64,
    /// U.S. general imports from the partner, USD.
    pub imports_usd: f64,
    /// Exports minus imports, USD (negative = U.S. deficit).
    pub balance_usd: f64,
    /// Exports plus imports, USD.
    pub total_usd: f64,
}

/// The country sum against the World row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WorldCheck {
    /// The World (not seasonally adjusted) row's exports.
    pub world_exports_usd: f64,
    /// The World row's imports.
    pub world_imports_usd: f64,
    /// Countries + historical + unallocated rows, exports.
    pub sum_exports_usd: f64,
    /// Same, imports.
    pub sum_imports_usd: f64,
}

/// Balances with every country in a year.
#[derive(Clone, Debug, Serialize)]
pub struct BalanceTable {
    /// Calendar year.
    pub year: i32,
    /// Full year or year-to-date.
    pub period: Period,
    /// Countries, largest deficit first.
    pub partners: Vec<PartnerBalance>,
    /// Country sum vs World row.
    pub world: Option<WorldCheck>,
    /// What was kept and set aside.
    pub coverage: Coverage,
}

impl BalanceTable {
    /// 1-based rank of a partner among U.S. deficits (only partners with a deficit rank).
    pub fn deficit_rank(&self, partner: AreaCode) -> Option<usize> {
        self.partners
            .iter()
            .filter(|p| p.balance_usd < 0.0)
            .position(|p| p.partner == partner)
            .map(|idx| idx + 1)
    }

    /// The row for a partner.
    pub fn get(&self, partner: AreaCode) -> Option<&PartnerBalance> {
        self.partners.iter().find(|p| p.partner == partner)
    }
}

/// One year of a partner's series.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SeriesPoint {
    /// Calendar year.
    pub year: i32,
    /// "2024" or "2025 Jan–Feb".
    pub period: String,
    /// Whether the year is incomplete.
    pub partial: bool,
    /// Whether Census had a row for the partner that year.
    pub reported: bool,
    /// U.S. exports, USD.
    pub exports_usd: f64,
    /// U.S. general imports, USD.
    pub imports_usd: f64,
    /// Exports minus imports, USD.
    pub balance_usd: f64,
    /// Exports plus imports, USD.
    pub total_usd: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> String {
        let mut h = vec!["year".to_string(), "CTY_CODE".into(), "CTYNAME".into()];
        h.extend(MONTHS.iter().map(|m| format!("I{m}")));
        h.push("IYR".into());
        h.extend(MONTHS.iter().map(|m| format!("E{m}")));
        h.push("EYR".into());
        h.join(",")
    }

    fn line(year: i32, code: u16, name: &str, imp: f64, exp: f64) -> String {
        let mut f = vec![year.to_string(), code.to_string(), format!("\"{name}\"")];
        f.extend(std::iter::repeat_n(format!("{}", imp / 12.0), 12));
        f.push(imp.to_string());
        f.extend(std::iter::repeat_n(format!("{}", exp / 12.0), 12));
        f.push(exp.to_string());
        f.join(",")
    }

    #[test]
    fn money_conversion_is_exact_to_the_published_decimal() {
        assert_eq!(musd_to_usd(79740.8), 79_740_800_000.0);
        assert_eq!(musd_to_usd(180549.80000000002), 180_549_800_000.0);
    }

    #[test]
    fn aggregates_are_set_aside_and_counted() {
        let text = format!(
            "{}\n{}\n{}\n{}\n",
            header(),
            line(2024, 15, "World, Not Seasonally Adjusted", 120.0, 60.0),
            line(2024, 5880, "Japan", 100.0, 50.0),
            line(2024, 5700, "China", 20.0, 10.0)
        );
        let table = CountryTrade::parse("country.csv", text.as_bytes()).unwrap();
        let registry = AreaRegistry::builtin();
        let balance = table.balance(2024, registry).unwrap();
        assert_eq!(balance.partners.len(), 2);
        assert_eq!(balance.partners[0].partner.as_str(), "JPN");
        assert_eq!(balance.deficit_rank(AreaCode::new("CHN").unwrap()), Some(2));
        assert_eq!(balance.coverage.rows_rejected(), 1);
        assert!(balance.coverage.reconciles(1e-12));
        let world = balance.world.unwrap();
        assert_eq!(world.world_imports_usd, world.sum_imports_usd);
    }

    #[test]
    fn unknown_year_names_the_years_that_exist() {
        let text = format!("{}\n{}\n", header(), line(2024, 5880, "Japan", 12.0, 12.0));
        let table = CountryTrade::parse("country.csv", text.as_bytes()).unwrap();
        let err = table.balance(1999, AreaRegistry::builtin()).unwrap_err();
        assert_eq!(err.to_string(), "Census FT-900 trade by country has no data for 1999; it has 2024–2024");
    }

    #[test]
    fn annual_column_must_equal_the_months() {
        let mut bad = line(2024, 5880, "Japan", 12.0, 12.0);
        bad = bad.replacen(",12,", ",13,", 1);
        let text = format!("{}\n{}\n", header(), bad);
        let err = CountryTrade::parse("country.csv", text.as_bytes()).unwrap_err();
        assert!(err.to_string().starts_with("`country.csv` line 2, column `IYR`: IYR 13 is not the sum"), "{err}");
    }
}
