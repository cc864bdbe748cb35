//! Harmonized System product codes.
//!
//! An [`HsCode`] holds 2, 4, 6, 8 or 10 digits (chapter, heading, subheading, U.S. tariff
//! line, U.S. statistical suffix) and the [`HsVintage`] of the nomenclature it belongs to.
//! Codes of different vintages are different codes: HS 2007 `8703.23` and HS 2022
//! `8703.23` need not cover the same goods, so joins across vintages must go through a
//! concordance, never through string equality.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};

/// Which edition of the nomenclature a code belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize)]
pub enum HsVintage {
    /// Not stated by the source.
    #[default]
    Unspecified,
    /// HS 1988/1992 (H0).
    Hs1992,
    /// HS 1996 (H1).
    Hs1996,
    /// HS 2002 (H2).
    Hs2002,
    /// HS 2007 (H3).
    Hs2007,
    /// HS 2012 (H4).
    Hs2012,
    /// HS 2017 (H5).
    Hs2017,
    /// HS 2022 (H6); the U.S. HTS of 2022–2026 is built on it.
    Hs2022,
}

impl HsVintage {
    /// The edition in force for U.S. HTS data of a calendar year.
    pub fn for_year(year: i32) -> HsVintage {
        match year {
            ..=1995 => HsVintage::Hs1992,
            1996..=2001 => HsVintage::Hs1996,
            2002..=2006 => HsVintage::Hs2002,
            2007..=2011 => HsVintage::Hs2007,
            2012..=2016 => HsVintage::Hs2012,
            2017..=2021 => HsVintage::Hs2017,
            _ => HsVintage::Hs2022,
        }
    }

    /// A short label ("HS2022").
    pub fn label(self) -> &'static str {
        match self {
            HsVintage::Unspecified => "HS (vintage unstated)",
            HsVintage::Hs1992 => "HS1992",
            HsVintage::Hs1996 => "HS1996",
            HsVintage::Hs2002 => "HS2002",
            HsVintage::Hs2007 => "HS2007",
            HsVintage::Hs2012 => "HS2012",
            HsVintage::Hs2017 => "HS2017",
            HsVintage::Hs2022 => "HS2022",
        }
    }
}

/// Why text is not an HS code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HsCodeError {
    /// The text as given.
    pub input: String,
    /// What was wrong with it.
    pub reason: HsCodeProblem,
}

/// The ways text can fail to be an HS code.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HsCodeProblem {
    /// Nothing but separators.
    Empty,
    /// A character that is not a digit (dots and spaces are allowed as separators).
    NotADigit(char),
    /// The number of digits is not 2, 4, 6, 8 or 10.
    WrongLength(usize),
}

impl fmt::Display for HsCodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` is not an HS code: ", self.input)?;
        match &self.reason {
            HsCodeProblem::Empty => write!(f, "it has no digits"),
            HsCodeProblem::NotADigit(ch) => {
                write!(f, "`{ch}` is not a digit (dots and spaces may separate digit groups)")
            }
            HsCodeProblem::WrongLength(n) => {
                write!(f, "it has {n} digits, expected 2, 4, 6, 8 or 10")
            }
        }
    }
}

impl std::error::Error for HsCodeError {}

/// A validated HS code of 2, 4, 6, 8 or 10 digits.
///
/// Ordering is by digits then length, so a chapter sorts before its headings.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HsCode {
    /// The digits as a number left-aligned to 10 digits (`87` → 8_700_000_000), so that
    /// prefixes compare numerically.
    padded: u64,
    len: u8,
    vintage: HsVintage,
}

const POW10: [u64; 11] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
];

impl HsCode {
    /// Parses `8703`, `8703.23`, `8703.23.01.90` or `8703230190`; vintage unspecified.
    pub fn parse(text: &str) -> Result<HsCode, HsCodeError> {
        let mut digits: u64 = 0;
        let mut len = 0usize;
        for ch in text.trim().chars() {
            match ch {
                '0'..='9' => {
                    len += 1;
                    if len <= 10 {
                        digits = digits * 10 + u64::from(ch as u8 - b'0');
                    }
                }
                '.' | ' ' => {}
                other => {
                    return Err(HsCodeError {
                        input: text.to_string(),
                        reason: HsCodeProblem::NotADigit(other),
                    })
                }
            }
        }
        match len {
            0 => Err(HsCodeError { input: text.to_string(), reason: HsCodeProblem::Empty }),
            2 | 4 | 6 | 8 | 10 => Ok(HsCode {
                padded: digits * POW10[10 - len],
                len: len as u8,
                vintage: HsVintage::Unspecified,
            }),
            n => Err(HsCodeError { input: text.to_string(), reason: HsCodeProblem::WrongLength(n) }),
        }
    }

    /// Parses and tags with a vintage.
    pub fn parse_vintage(text: &str, vintage: HsVintage) -> Result<HsCode, HsCodeError> {
        HsCode::parse(text).map(|code| code.with_vintage(vintage))
    }

    /// Parses a code whose leading zero was lost by a numeric column (Broda–Weinstein,
    /// Stata exports, spreadsheets): a code one digit short of `len` is left-padded with a
    /// zero (chapters 01–09 lose exactly one). Any other length is parsed as given, so a
    /// truncated code is still an error rather than silently padded.
    pub fn parse_padded(text: &str, len: usize) -> Result<HsCode, HsCodeError> {
        let trimmed = text.trim();
        if trimmed.len() + 1 == len && trimmed.chars().all(|c| c.is_ascii_digit()) {
            HsCode::parse(&format!("{trimmed:0>len$}"))
        } else {
            HsCode::parse(trimmed)
        }
    }

    /// The code of `len` digits (2, 4, 6, 8 or 10) whose value is `value` (the inverse of
    /// [`HsCode::value`]); `None` if `value` has more digits than `len`.
    #[inline]
    pub fn from_value(value: u64, len: usize) -> Option<HsCode> {
        if len == 0 || len > 10 || len % 2 != 0 || value >= POW10[len] {
            return None;
        }
        Some(HsCode { padded: value * POW10[10 - len], len: len as u8, vintage: HsVintage::Unspecified })
    }

    /// The same digits with another vintage tag.
    pub fn with_vintage(self, vintage: HsVintage) -> HsCode {
        HsCode { vintage, ..self }
    }

    /// Number of digits: 2, 4, 6, 8 or 10.
    pub fn len(self) -> usize {
        usize::from(self.len)
    }

    /// Always false: an HS code has at least two digits. Present for API symmetry.
    pub fn is_empty(self) -> bool {
        false
    }

    /// The vintage tag.
    pub fn vintage(self) -> HsVintage {
        self.vintage
    }

    /// The digits as an integer (`0106` → 106).
    pub fn value(self) -> u64 {
        self.padded / POW10[10 - self.len()]
    }

    /// The first `len` digits, if `len` is 2, 4, 6, 8 or 10 and not longer than this code.
    pub fn prefix(self, len: usize) -> Option<HsCode> {
        if len > self.len() || len % 2 != 0 || len == 0 {
            return None;
        }
        let cut = POW10[10 - len];
        Some(HsCode { padded: self.padded / cut * cut, len: len as u8, vintage: self.vintage })
    }

    /// The chapter (first two digits).
    pub fn chapter(self) -> HsCode {
        let cut = POW10[8];
        HsCode { padded: self.padded / cut * cut, len: 2, vintage: self.vintage }
    }

    /// The chapter number (1–99).
    pub fn chapter_number(self) -> u8 {
        (self.padded / POW10[8]) as u8
    }

    /// Whether this code is `other` or one of its ancestors (`87` is a prefix of
    /// `8703231950`). Vintages must match unless one is unspecified.
    pub fn is_prefix_of(self, other: HsCode) -> bool {
        if self.len > other.len {
            return false;
        }
        let compatible = self.vintage == other.vintage
            || self.vintage == HsVintage::Unspecified
            || other.vintage == HsVintage::Unspecified;
        compatible && other.prefix(self.len()).is_some_and(|p| p.padded == self.padded)
    }

    /// The code with digit groups separated by dots, as the HTS prints it (`8703.23.01.90`).
    pub fn dotted(self) -> String {
        let plain = self.to_string();
        let mut out = String::with_capacity(plain.len() + 3);
        for (idx, ch) in plain.chars().enumerate() {
            if idx >= 4 && idx % 2 == 0 {
                out.push('.');
            }
            out.push(ch);
        }
        out
    }
}

impl fmt::Display for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:0width$}", self.value(), width = self.len())
    }
}

impl fmt::Debug for HsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HsCode({self}, {})", self.vintage.label())
    }
}

impl FromStr for HsCode {
    type Err = HsCodeError;
    fn from_str(text: &str) -> Result<HsCode, HsCodeError> {
        HsCode::parse(text)
    }
}

impl Serialize for HsCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_dotted() {
        let code = HsCode::parse("8703.23.01.90").unwrap();
        assert_eq!(code.to_string(), "8703230190");
        assert_eq!(code.len(), 10);
        assert_eq!(code.dotted(), "8703.23.01.90");
        assert_eq!(HsCode::parse("0106").unwrap().to_string(), "0106");
        assert_eq!(HsCode::parse("0106").unwrap().value(), 106);
    }

    #[test]
    fn rejects_wrong_lengths_with_a_clear_message() {
        let err = HsCode::parse("87033").unwrap_err();
        assert_eq!(err.to_string(), "`87033` is not an HS code: it has 5 digits, expected 2, 4, 6, 8 or 10");
        let err = HsCode::parse("87033X").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`87033X` is not an HS code: `X` is not a digit (dots and spaces may separate digit groups)"
        );
        assert!(HsCode::parse("").is_err());
        assert!(HsCode::parse("123456789012").is_err());
    }

    #[test]
    fn prefix_hierarchy() {
        let car = HsCode::parse("8703231950").unwrap();
        assert_eq!(car.chapter().to_string(), "87");
        assert_eq!(car.chapter_number(), 87);
        assert_eq!(car.prefix(6).unwrap().to_string(), "870323");
        assert!(car.prefix(5).is_none());
        assert!(HsCode::parse("87").unwrap().is_prefix_of(car));
        assert!(HsCode::parse("870323").unwrap().is_prefix_of(car));
        assert!(!HsCode::parse("8704").unwrap().is_prefix_of(car));
        assert!(!car.is_prefix_of(HsCode::parse("87").unwrap()));
        // Chapter 87 and heading 8700 are different codes.
        assert_ne!(HsCode::parse("87").unwrap(), HsCode::parse("8700").unwrap());
    }

    #[test]
    fn vintages_do_not_mix() {
        let old = HsCode::parse_vintage("870323", HsVintage::Hs2007).unwrap();
        let new = HsCode::parse_vintage("8703230190", HsVintage::Hs2022).unwrap();
        assert!(!old.is_prefix_of(new));
        assert!(old.with_vintage(HsVintage::Hs2022).is_prefix_of(new));
        assert_eq!(HsVintage::for_year(2024), HsVintage::Hs2022);
    }

    #[test]
    fn leading_zeros_restored() {
        assert_eq!(HsCode::parse_padded("106140000", 10).unwrap().to_string(), "0106140000");
        assert_eq!(HsCode::parse_padded("1", 2).unwrap().to_string(), "01");
        assert!(HsCode::parse_padded("87032", 10).is_err());
    }
}
