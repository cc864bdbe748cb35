//! Reading the HTS rate columns.
//!
//! The general (MFN, column 1) column holds text such as `Free`, `2.5%`, `0.9¢/kg`,
//! `$1.035/kg` or `1.5¢/kg + 4%`. The special column lists preference rates with the
//! programmes that grant them: `Free (A+,AU,B,BH,CL,CO,D,E,IL,JO,KR,MA,OM,P,PA,PE,S,SG)`,
//! sometimes several groups: `Free (A*,AU,…) 3.2% (KR)`.

use std::collections::BTreeMap;

use serde::Serialize;

/// The kind of a duty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DutyKind {
    /// Free.
    Free,
    /// A percentage of customs value.
    AdValorem,
    /// An amount per unit (¢/kg, $/doz.).
    Specific,
    /// A specific amount plus a percentage.
    Compound,
    /// Text kanzei does not parse ("The rate applicable to …").
    Other,
    /// No rate on this line (it inherits from its parent).
    Blank,
}

/// A parsed rate.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Duty {
    /// What kind.
    pub kind: DutyKind,
    /// The ad valorem part in percent (0 for free or purely specific duties).
    pub ad_valorem_pct: f64,
}

impl Duty {
    /// Whether part of the duty is per unit, so its ad valorem equivalent depends on prices.
    pub fn has_specific(self) -> bool {
        matches!(self.kind, DutyKind::Specific | DutyKind::Compound | DutyKind::Other)
    }
}

/// Parses a general-column rate.
pub fn parse_duty(text: &str) -> Duty {
    let text = strip_footnotes(text.trim());
    if text.is_empty() {
        return Duty { kind: DutyKind::Blank, ad_valorem_pct: 0.0 };
    }
    if text.eq_ignore_ascii_case("free") {
        return Duty { kind: DutyKind::Free, ad_valorem_pct: 0.0 };
    }
    let mut ad_valorem = None;
    let mut specific = false;
    let mut other = false;
    for part in text.split('+') {
        let part = part.trim();
        if let Some(number) = part.strip_suffix('%') {
            match number.trim().parse::<f64>() {
                Ok(v) => ad_valorem = Some(ad_valorem.unwrap_or(0.0) + v),
                Err(_) => other = true,
            }
        } else if part.contains('¢') || part.starts_with('$') {
            specific = true;
        } else {
            other = true;
        }
    }
    let kind = match (ad_valorem, specific, other) {
        (_, _, true) => DutyKind::Other,
        (Some(_), true, false) => DutyKind::Compound,
        (None, true, false) => DutyKind::Specific,
        (Some(_), false, false) => DutyKind::AdValorem,
        (None, false, false) => DutyKind::Other,
    };
    Duty { kind, ad_valorem_pct: ad_valorem.unwrap_or(0.0) }
}

/// Removes trailing footnote markers such as `1/`.
fn strip_footnotes(text: &str) -> &str {
    let mut end = text.len();
    let bytes = text.as_bytes();
    while end >= 2 && bytes[end - 1] == b'/' && bytes[end - 2].is_ascii_digit() {
        end -= 2;
        while end > 0 && bytes[end - 1].is_ascii_digit() {
            end -= 1;
        }
    }
    text[..end].trim()
}

/// Parses the special column into programme code → duty.
pub fn parse_special(text: &str) -> BTreeMap<String, Duty> {
    let mut out = BTreeMap::new();
    let mut rest = text.trim();
    while let Some(open) = rest.find('(') {
        let Some(close) = rest[open..].find(')').map(|c| open + c) else { break };
        let duty = parse_duty(&rest[..open]);
        for code in rest[open + 1..close].split(',') {
            let code = code.trim();
            if !code.is_empty() {
                out.insert(code.to_string(), duty);
            }
        }
        rest = rest[close + 1..].trim_start_matches([',', ';', ' ']);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn general_rates() {
        assert_eq!(parse_duty("Free"), Duty { kind: DutyKind::Free, ad_valorem_pct: 0.0 });
        assert_eq!(parse_duty("2.5%"), Duty { kind: DutyKind::AdValorem, ad_valorem_pct: 2.5 });
        assert_eq!(parse_duty("6.8%1/").ad_valorem_pct, 6.8);
        assert_eq!(parse_duty("0.9¢/kg").kind, DutyKind::Specific);
        assert_eq!(parse_duty("$1.035/kg").kind, DutyKind::Specific);
        let compound = parse_duty("1.5¢/kg + 4%");
        assert_eq!(compound.kind, DutyKind::Compound);
        assert_eq!(compound.ad_valorem_pct, 4.0);
        assert_eq!(parse_duty("").kind, DutyKind::Blank);
        assert_eq!(parse_duty("The rate applicable to the article").kind, DutyKind::Other);
    }

    #[test]
    fn special_rates() {
        let s = parse_special("Free (A+,AU,B,BH,CL,CO,D,E,IL,JO,KR,MA,OM,P,PA,PE,S,SG)");
        assert_eq!(s.len(), 18);
        assert_eq!(s["KR"].kind, DutyKind::Free);
        let s = parse_special("Free (A*,AU,BH,CL,CO,D,E,IL,JO,MA,OM,P,PA,PE,S,SG) 3.2% (KR)");
        assert_eq!(s["KR"], Duty { kind: DutyKind::AdValorem, ad_valorem_pct: 3.2 });
        assert_eq!(s["S"].kind, DutyKind::Free);
        assert!(parse_special("").is_empty());
    }
}

// The binary form of the pre-indexed snapshot (`kanzei_core::bin`).
kanzei_core::bin_enum!(DutyKind { Free, AdValorem, Specific, Compound, Other, Blank });
kanzei_core::bin_struct!(Duty { kind, ad_valorem_pct });
