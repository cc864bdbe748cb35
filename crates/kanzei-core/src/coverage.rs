//! Coverage accounting: what went into a load or a join, what came out, and why the rest
//! did not.
//!
//! Silently dropping trade value is the worst bug in this field, so every loader and every
//! join in kanzei returns a [`Coverage`]: rows and value read, rows and value kept, and each
//! rejected row counted under a reason with its value. [`Coverage::reconciles`] checks that
//! `value_in = value_kept + Σ rejected value`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Rows and value set aside for one reason.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rejection {
    /// Why, in words ("aggregate row (not a country)", "2025 is partial").
    pub reason: String,
    /// How many rows.
    pub rows: u64,
    /// Their value, in the coverage's unit.
    pub value: f64,
    /// The first such row, for the user to look at (e.g. "line 12: CTY_CODE 0003").
    pub example: Option<String>,
}

/// The accounting of one load or join.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// What was loaded or joined ("census_ft900_country", "hs10 → hs2 reconciliation").
    pub name: String,
    /// The file or table it came from.
    pub source: String,
    /// Unit of the value columns ("USD", "USD millions", "JPY billions").
    pub unit: String,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Rows kept.
    pub rows_kept: u64,
    /// Sum of the value column over all rows read.
    pub value_in: f64,
    /// Sum over kept rows.
    pub value_kept: f64,
    /// Rows set aside, grouped by reason.
    pub rejected: Vec<Rejection>,
}

impl Coverage {
    /// An empty report.
    pub fn new(name: impl Into<String>, source: impl Into<String>, unit: impl Into<String>) -> Coverage {
        Coverage {
            name: name.into(),
            source: source.into(),
            unit: unit.into(),
            rows_read: 0,
            rows_kept: 0,
            value_in: 0.0,
            value_kept: 0.0,
            rejected: Vec::new(),
        }
    }

    /// Counts a kept row.
    pub fn keep(&mut self, value: f64) {
        self.rows_read += 1;
        self.rows_kept += 1;
        self.value_in += value;
        self.value_kept += value;
    }

    /// Counts a rejected row under `reason`.
    pub fn reject(&mut self, reason: &str, value: f64, example: impl FnOnce() -> String) {
        self.rows_read += 1;
        self.value_in += value;
        if let Some(existing) = self.rejected.iter_mut().find(|r| r.reason == reason) {
            existing.rows += 1;
            existing.value += value;
        } else {
            self.rejected.push(Rejection {
                reason: reason.to_string(),
                rows: 1,
                value,
                example: Some(example()),
            });
        }
    }

    /// Rows rejected, all reasons.
    pub fn rows_rejected(&self) -> u64 {
        self.rejected.iter().map(|r| r.rows).sum()
    }

    /// Value rejected, all reasons.
    pub fn value_rejected(&self) -> f64 {
        self.rejected.iter().map(|r| r.value).sum()
    }

    /// Kept value as a percentage of value read (100 when nothing was read).
    pub fn kept_value_pct(&self) -> f64 {
        if self.value_in == 0.0 {
            100.0
        } else {
            100.0 * self.value_kept / self.value_in
        }
    }

    /// Whether rows and value add up: read = kept + rejected, within a relative `tolerance`
    /// of the value read (floating-point sums of many rows are not exact).
    pub fn reconciles(&self, tolerance: f64) -> bool {
        let rows_ok = self.rows_read == self.rows_kept + self.rows_rejected();
        let gap = (self.value_in - self.value_kept - self.value_rejected()).abs();
        rows_ok && gap <= tolerance * self.value_in.abs().max(1.0)
    }

    /// The share of value accounted for, kept plus rejected, in percent. A reconciled
    /// report gives 100.000.
    pub fn accounted_value_pct(&self) -> f64 {
        if self.value_in == 0.0 {
            100.0
        } else {
            100.0 * (self.value_kept + self.value_rejected()) / self.value_in
        }
    }
}

impl fmt::Display for Coverage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} ({}): {} rows read, {} kept; value {:.1} in, {:.1} kept ({:.3}%), {}",
            self.name,
            self.source,
            self.rows_read,
            self.rows_kept,
            self.value_in,
            self.value_kept,
            self.kept_value_pct(),
            self.unit
        )?;
        for r in &self.rejected {
            write!(f, "  set aside: {} rows, value {:.1}: {}", r.rows, r.value, r.reason)?;
            if let Some(example) = &r.example {
                write!(f, " (e.g. {example})")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_and_rejects_add_up() {
        let mut cov = Coverage::new("test", "memory", "USD");
        cov.keep(10.0);
        cov.keep(5.5);
        cov.reject("aggregate", 100.0, || "line 2".into());
        cov.reject("aggregate", 1.0, || "line 3".into());
        cov.reject("zero value", 0.0, || "line 4".into());
        assert_eq!(cov.rows_read, 5);
        assert_eq!(cov.rows_kept, 2);
        assert_eq!(cov.rows_rejected(), 3);
        assert_eq!(cov.rejected[0].rows, 2);
        assert_eq!(cov.rejected[0].example.as_deref(), Some("line 2"));
        assert!(cov.reconciles(1e-12));
        assert!((cov.kept_value_pct() - 100.0 * 15.5 / 116.5).abs() < 1e-12);
        assert!((cov.accounted_value_pct() - 100.0).abs() < 1e-12);
    }

    #[test]
    fn tampering_breaks_reconciliation() {
        let mut cov = Coverage::new("test", "memory", "USD");
        cov.keep(10.0);
        cov.value_kept -= 1.0;
        assert!(!cov.reconciles(1e-9));
    }
}
