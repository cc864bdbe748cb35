//! Number and text formatting shared by the brief's sections.

use kanzei_core::{AreaCode, AreaRegistry};

/// Dollars as "$12.3 bn" or "$450 m".
pub(crate) fn bn(v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let sign = if v < 0.0 { "−" } else { "" };
    let a = v.abs() / 1e9;
    if a >= 0.95 {
        format!("{sign}${a:.1} bn")
    } else {
        format!("{sign}${:.0} m", v.abs() / 1e6)
    }
}

/// A percentage with `d` decimals and a typographic minus.
pub(crate) fn pct(v: f64, d: usize) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    let s = format!("{:.d$}%", v.abs(), d = d);
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("−{s}")
    } else {
        s
    }
}

/// A percentage change with an explicit sign, two decimals.
pub(crate) fn signed_pct(v: f64) -> String {
    if v > 0.0005 {
        format!("+{v:.2}%")
    } else {
        pct(v, 2)
    }
}

/// A change in percentage points with its sign.
pub(crate) fn pp(v: f64) -> String {
    let s = format!("{:.1} pp", v.abs());
    if v < -0.05 {
        format!("−{s}")
    } else if v > 0.05 {
        format!("+{s}")
    } else {
        s
    }
}

/// A country's name short enough for a chart label.
pub(crate) fn short_name(registry: &AreaRegistry, code: &str) -> String {
    match code {
        "USA" => "United States".into(),
        "KOR" => "Korea".into(),
        "EU27" => "EU".into(),
        "RoW" | "ROW" => "Rest of world".into(),
        other => AreaCode::new(other).and_then(|c| registry.get(c)).map_or_else(|| other.to_string(), |a| a.name.clone()),
    }
}

/// "a", "a and b", "a, b and c".
pub(crate) fn join_names(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

/// "VEHICLES, OTHER THAN RAILWAY" → "Vehicles, other than railway".
pub(crate) fn sentence_case(text: &str) -> String {
    if text.chars().any(|c| c.is_lowercase()) {
        return text.to_string();
    }
    let lower = text.to_lowercase();
    let mut chars = lower.chars();
    chars.next().map_or(String::new(), |first| first.to_uppercase().chain(chars).collect())
}

/// `text` cut to `max` characters with an ellipsis.
pub(crate) fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The label of a legal-authority slot.
pub(crate) fn authority_label(key: &str) -> String {
    match key {
        "base" => "MFN (base)",
        "s232" => "Section 232",
        "s301" => "Section 301",
        "s201" => "Section 201",
        "s122" => "Section 122",
        "s338" => "Section 338",
        "ieepa-fentanyl" => "IEEPA fentanyl",
        "ieepa-reciprocal" => "IEEPA reciprocal",
        "ieepa-other" => "IEEPA other",
        "retaliation" => "Retaliation",
        other => other,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_state_units_and_signs() {
        assert_eq!(bn(-68_467.8e6), "−$68.5 bn");
        assert_eq!(bn(450e6), "$450 m");
        assert_eq!(bn(f64::NAN), "—");
        assert_eq!(pct(-0.04, 1), "0.0%");
        assert_eq!(pct(-1.25, 1), "−1.2%");
        assert_eq!(signed_pct(0.123), "+0.12%");
        assert_eq!(pp(-2.0), "−2.0 pp");
        assert_eq!(join_names(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(sentence_case("VEHICLES, OTHER"), "Vehicles, other");
        assert_eq!(short("abcdef", 4), "abc…");
    }
}
