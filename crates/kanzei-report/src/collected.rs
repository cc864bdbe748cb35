//! What U.S. customs collected: calculated duties over imports for consumption by month
//! or NAICS code (Census, by NAICS6, 2020–2025), beside a scenario's statutory rate on the
//! same days (`kanzei tariff collected`).
//!
//! The collected rate of a period is `Σ duty / Σ imports` over its NAICS6 rows. The
//! statutory rate of a month is the mean over its days of the scenario's daily effective
//! rate (2024 import weights, [`kanzei_tariff::analysis::timeline`]). The two differ by
//! more than timing: collected duty falls with substitution away from high-tariff goods,
//! exemptions claimed at entry (USMCA, in-transit goods), duty drawback, under-collection
//! and enforcement lags, and IEEPA refunds after the 2026 ruling are not netted out.

use std::collections::BTreeMap;

use kanzei_data::us_io::{Month, NaicsMonthly};
use kanzei_tariff::analysis::{timeline, TariffData, TimelinePoint};
use kanzei_tariff::cells::CellSet;
use kanzei_tariff::engine::Compiled;
use kanzei_tariff::date::Date;
use kanzei_tariff::Scenario;
use serde::Serialize;

use crate::runs::RunError;

/// How to group the collected duties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CollectedBy {
    /// One row per month.
    Month,
    /// One row per NAICS 2-digit sector over the range.
    Naics2,
    /// One row per NAICS6 code over the range.
    Naics6,
}

/// One row: a month or a NAICS code.
#[derive(Clone, Debug, Serialize)]
pub struct CollectedRow {
    /// `YYYY-MM` or the NAICS code.
    pub key: String,
    /// NAICS description (empty for months).
    pub description: String,
    /// Imports for consumption, USD.
    pub imports_usd: f64,
    /// Calculated duty, USD.
    pub duties_usd: f64,
    /// Collected rate, percent.
    pub rate_pct: f64,
    /// The scenario's statutory rate averaged over the month's days, percent.
    pub statutory_pct: Option<f64>,
    /// Statutory minus collected, percentage points.
    pub gap_pp: Option<f64>,
}

/// Collected duties over a range.
#[derive(Clone, Debug, Serialize)]
pub struct CollectedReport {
    /// First month.
    pub from: String,
    /// Last month.
    pub to: String,
    /// Grouping.
    pub by: CollectedBy,
    /// Scenario compared, if any.
    pub scenario: Option<String>,
    /// Rows.
    pub rows: Vec<CollectedRow>,
    /// Imports over the range, USD.
    pub imports_usd: f64,
    /// Duties over the range, USD.
    pub duties_usd: f64,
    /// Collected rate over the range, percent.
    pub rate_pct: f64,
    /// NAICS6 rows summed.
    pub naics_rows: usize,
    /// Checks against the 2024 HS10 data the tariff engine uses.
    pub reconciliation: Vec<String>,
}

/// The months the data cover, checked against a requested range.
fn checked_range(monthly: &NaicsMonthly, from: Month, to: Month) -> Result<(), RunError> {
    let (first, last) = monthly.span().ok_or_else(|| RunError::Invalid("the NAICS monthly imports are empty".into()))?;
    if from < first || to > last || from > last || to < first {
        return Err(RunError::Invalid(format!("the collected duties cover {first}…{last}; {from}…{to} reaches outside (give --from and --to within it)")));
    }
    if from > to {
        return Err(RunError::Invalid(format!("--from {from} is after --to {to}")));
    }
    Ok(())
}

fn rate(duty: f64, imports: f64) -> f64 {
    if imports > 0.0 {
        100.0 * duty / imports
    } else {
        0.0
    }
}

/// Sums imports and duties over `from..=to` by the grouping.
pub fn collected(monthly: &NaicsMonthly, from: Month, to: Month, by: CollectedBy) -> Result<CollectedReport, RunError> {
    checked_range(monthly, from, to)?;
    let mut groups: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut naics_rows = 0;
    for r in monthly.rows.iter().filter(|r| r.month >= from && r.month <= to) {
        let key = match by {
            CollectedBy::Month => r.month.to_string(),
            CollectedBy::Naics2 => r.naics[..2].to_string(),
            CollectedBy::Naics6 => r.naics.clone(),
        };
        let e = groups.entry(key).or_insert((0.0, 0.0));
        e.0 += r.imports_usd;
        e.1 += r.duty_usd;
        naics_rows += 1;
    }
    let describe = |key: &str| match by {
        CollectedBy::Month => String::new(),
        CollectedBy::Naics2 => naics2_name(key).to_string(),
        CollectedBy::Naics6 => monthly.descriptions.get(key).cloned().unwrap_or_default(),
    };
    let mut rows: Vec<CollectedRow> = groups
        .into_iter()
        .map(|(key, (imports, duty))| CollectedRow {
            description: describe(&key),
            key,
            imports_usd: imports,
            duties_usd: duty,
            rate_pct: rate(duty, imports),
            statutory_pct: None,
            gap_pp: None,
        })
        .collect();
    if by != CollectedBy::Month {
        rows.sort_by(|a, b| b.duties_usd.total_cmp(&a.duties_usd));
    }
    let imports_usd = rows.iter().map(|r| r.imports_usd).sum();
    let duties_usd = rows.iter().map(|r| r.duties_usd).sum();
    Ok(CollectedReport {
        from: from.to_string(),
        to: to.to_string(),
        by,
        scenario: None,
        rows,
        imports_usd,
        duties_usd,
        rate_pct: rate(duties_usd, imports_usd),
        naics_rows,
        reconciliation: Vec::new(),
    })
}

/// Adds the scenario's statutory rate, averaged over each month's days, beside each month.
pub fn add_statutory(report: &mut CollectedReport, data: &TariffData, scenario: &Scenario) -> Result<(), RunError> {
    if report.by != CollectedBy::Month {
        return Err(RunError::Invalid("a scenario's statutory rate is compared month by month; use --by month with --scenario".into()));
    }
    if scenario.importer.as_str() != "USA" {
        return Err(RunError::Invalid(format!("collected duties are U.S. customs data; `{}` sets tariffs of {}", scenario.id, scenario.importer)));
    }
    let (cells, compiled) = data.compile(scenario);
    add_statutory_compiled(report, &compiled, &cells, &scenario.id)
}

/// [`add_statutory`] for a scenario already compiled on the U.S. import cells.
pub fn add_statutory_compiled(report: &mut CollectedReport, compiled: &Compiled, cells: &CellSet, scenario_id: &str) -> Result<(), RunError> {
    let (start, end) = statutory_days(report)?;
    let days = timeline(compiled, cells, start, end, None);
    add_statutory_days(report, &days, scenario_id)
}

/// The first and last day of the report's months.
pub fn statutory_days(report: &CollectedReport) -> Result<(Date, Date), RunError> {
    let first = Month::parse(&report.from).map_err(RunError::Invalid)?;
    let last = Month::parse(&report.to).map_err(RunError::Invalid)?;
    Ok((month_day(first, 1)?, month_day(last, last.days())?))
}

/// [`add_statutory`] from the scenario's daily rate over all partners, already computed
/// (`days` must hold every day of the report's months, [`statutory_days`]; the days outside
/// them are not read).
pub fn add_statutory_days(report: &mut CollectedReport, days: &[TimelinePoint], scenario_id: &str) -> Result<(), RunError> {
    let (start, end) = statutory_days(report)?;
    if !covers(days, start, end) {
        let span = days.first().zip(days.last()).map_or_else(|| "no days".to_string(), |(a, b)| format!("{} to {}", a.date, b.date));
        return Err(RunError::Invalid(format!("the daily rates given run {span}; the report's months need {start} to {end}")));
    }
    let mut by_month: BTreeMap<String, (f64, u32)> = BTreeMap::new();
    for p in days.iter().filter(|p| p.date >= start && p.date <= end) {
        let e = by_month.entry(format!("{:04}-{:02}", p.date.year(), p.date.month())).or_insert((0.0, 0));
        e.0 += p.etr_pct;
        e.1 += 1;
    }
    for row in &mut report.rows {
        if let Some((sum, n)) = by_month.get(&row.key) {
            let statutory = sum / f64::from(*n);
            row.statutory_pct = Some(statutory);
            row.gap_pp = Some(statutory - row.rate_pct);
        }
    }
    report.scenario = Some(scenario_id.to_string());
    Ok(())
}

/// Whether a daily timeline holds every day from `start` to `end` (its points are consecutive days).
pub fn covers(days: &[TimelinePoint], start: Date, end: Date) -> bool {
    days.first().is_some_and(|p| p.date <= start) && days.last().is_some_and(|p| p.date >= end)
}

fn month_day(m: Month, day: u8) -> Result<Date, RunError> {
    Date::new(m.year, m.month, day).ok_or_else(|| RunError::Invalid(format!("{m}-{day:02} is not a date")))
}

/// Holds 2024's NAICS totals against the 2024 HS10 cells the tariff engine uses.
pub fn reconcile_2024(report: &mut CollectedReport, monthly: &NaicsMonthly, data: &TariffData) {
    let (imports, duty) = monthly.rows.iter().filter(|r| r.month.year == 2024).fold((0.0, 0.0), |a, r| (a.0 + r.imports_usd, a.1 + r.duty_usd));
    let cells = &data.us_cells.cells;
    let cell_imports: f64 = cells.iter().map(|c| c.value_usd).sum();
    let cell_duty: f64 = cells.iter().filter_map(|c| c.duty_usd).sum();
    report.reconciliation.push(format!(
        "2024 by NAICS6: imports ${:.1} bn, duty ${:.2} bn, collected rate {:.4}%; the tariff engine's 2024 HS10/HS2 cells: imports ${:.1} bn, duty ${:.2} bn, {:.4}% (imports differ by {:+.3}%)",
        imports / 1e9,
        duty / 1e9,
        rate(duty, imports),
        cell_imports / 1e9,
        cell_duty / 1e9,
        rate(cell_duty, cell_imports),
        100.0 * (imports - cell_imports) / cell_imports
    ));
}

/// NAICS 2-digit sector names (2017 NAICS; Census special codes 91–99).
fn naics2_name(code: &str) -> &'static str {
    match code {
        "11" => "Agriculture, forestry, fishing and hunting",
        "21" => "Mining, quarrying, and oil and gas extraction",
        "31" => "Manufacturing: food, beverages, textiles, apparel, leather",
        "32" => "Manufacturing: wood, paper, petroleum, chemicals, plastics, minerals",
        "33" => "Manufacturing: metals, machinery, electronics, vehicles, furniture, other",
        "91" => "Waste and scrap",
        "93" => "Used or second-hand merchandise",
        "98" => "Goods returned (exports for Canada only)",
        "99" => "Other special classification provisions",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kanzei_data::us_io::NaicsMonth;

    fn monthly() -> NaicsMonthly {
        let rows = vec![
            NaicsMonth { naics: "336111".into(), month: Month::parse("2025-01").unwrap(), imports_usd: 100.0, duty_usd: 2.5 },
            NaicsMonth { naics: "111110".into(), month: Month::parse("2025-01").unwrap(), imports_usd: 100.0, duty_usd: 0.5 },
            NaicsMonth { naics: "336111".into(), month: Month::parse("2025-02").unwrap(), imports_usd: 50.0, duty_usd: 12.5 },
        ];
        let mut m = kanzei_data::us_io::monthly_from_snapshot("t", "### naics\nnaics,description\n### months\nnaics,month,imports_usd,duty_usd\n").unwrap();
        m.rows = rows;
        m
    }

    #[test]
    fn months_and_codes_sum_the_same_rows() {
        let m = monthly();
        let (a, b) = (Month::parse("2025-01").unwrap(), Month::parse("2025-02").unwrap());
        let by_month = collected(&m, a, b, CollectedBy::Month).unwrap();
        assert_eq!(by_month.rows.len(), 2);
        assert!((by_month.rows[0].rate_pct - 1.5).abs() < 1e-12);
        assert!((by_month.rows[1].rate_pct - 25.0).abs() < 1e-12);
        let by_code = collected(&m, a, b, CollectedBy::Naics2).unwrap();
        assert_eq!(by_code.duties_usd, by_month.duties_usd);
        assert!((by_code.rate_pct - 100.0 * 15.5 / 250.0).abs() < 1e-12);
    }

    #[test]
    fn a_range_outside_the_data_is_an_error() {
        let m = monthly();
        let err = collected(&m, Month::parse("2024-12").unwrap(), Month::parse("2025-02").unwrap(), CollectedBy::Month).unwrap_err();
        assert!(err.to_string().contains("2025-01…2025-02"), "{err}");
    }
}
