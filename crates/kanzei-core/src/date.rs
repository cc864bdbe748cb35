//! Calendar dates without a time zone: what tariff law is written in and what a chart's time
//! axis counts in.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// A proleptic Gregorian calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, if it exists.
    pub const fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if month < 1 || month > 12 || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// Day of month.
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The date `n` days later (earlier if negative).
    pub fn add_days(self, n: i64) -> Date {
        Date::from_days_since_epoch(self.days_since_epoch() + n)
    }

    /// Days from `self` to `other` (positive if `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.days_since_epoch() - self.days_since_epoch()
    }

    /// "Apr 2025".
    pub fn month_year(self) -> String {
        format!("{} {}", MONTH_ABBREV[usize::from(self.month - 1)], self.year)
    }

    /// "5 Apr 2025".
    pub fn long(self) -> String {
        format!("{} {} {}", self.day, MONTH_ABBREV[usize::from(self.month - 1)], self.year)
    }
}

/// English month abbreviations, January first.
pub const MONTH_ABBREV: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// The years a written date may fall in. Trade data and tariff law begin long after 1900;
/// a year outside is a typo (`0000-01-01`, `20255-01-01` cut short), never a question.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Why text is not a date.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// Not YYYY-MM-DD, or no such day (2025-02-30).
    #[error("`{0}` is not a date: expected YYYY-MM-DD, e.g. 2025-04-09")]
    Format(String),
    /// A real date outside [`YEARS`].
    #[error("`{0}` is out of range: the year must be between 1900 and 2100")]
    Year(String),
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(text: &str) -> Result<Date, DateError> {
        let err = || DateError::Format(text.to_string());
        let parts: Vec<&str> = text.trim().split('-').collect();
        if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
            return Err(err());
        }
        let year = parts[0].parse().map_err(|_| err())?;
        let month = parts[1].parse().map_err(|_| err())?;
        let day = parts[2].parse().map_err(|_| err())?;
        let date = Date::new(year, month, day).ok_or_else(err)?;
        if !YEARS.contains(&year) {
            return Err(DateError::Year(text.to_string()));
        }
        Ok(date)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_arithmetic() {
        let d: Date = "2025-04-09".parse().unwrap();
        assert_eq!(d.to_string(), "2025-04-09");
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        assert_eq!(d.add_days(1).to_string(), "2025-04-10");
        assert_eq!("2024-02-28".parse::<Date>().unwrap().add_days(1).to_string(), "2024-02-29");
        assert_eq!("2025-01-01".parse::<Date>().unwrap().days_until("2026-01-01".parse().unwrap()), 365);
        assert_eq!((d.month_year(), d.long()), ("Apr 2025".to_string(), "9 Apr 2025".to_string()));
        for n in [-800_000i64, -1, 0, 1, 20_000, 60_000] {
            assert_eq!(Date::from_days_since_epoch(n).days_since_epoch(), n);
        }
    }

    #[test]
    fn bad_dates() {
        assert_eq!("2025-02-30".parse::<Date>().unwrap_err().to_string(), "`2025-02-30` is not a date: expected YYYY-MM-DD, e.g. 2025-04-09");
        assert!("2025-4-9".parse::<Date>().is_err());
        assert!("April 9".parse::<Date>().is_err());
        assert_eq!("0000-01-01".parse::<Date>().unwrap_err().to_string(), "`0000-01-01` is out of range: the year must be between 1900 and 2100");
        assert_eq!("2101-01-01".parse::<Date>().unwrap_err().to_string(), "`2101-01-01` is out of range: the year must be between 1900 and 2100");
        assert_eq!("1900-01-01".parse::<Date>().unwrap().to_string(), "1900-01-01");
    }
}
