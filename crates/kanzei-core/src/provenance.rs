//! Where a number came from.

use serde::Serialize;

/// The citation that travels with a number into tables, JSON and report footnotes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// kanzei's dataset id ("census_ft900_country").
    pub dataset: String,
    /// The publisher ("U.S. Census Bureau").
    pub publisher: String,
    /// How to cite it.
    pub citation: String,
    /// The valuation basis or definition, in words ("general imports, customs value").
    pub basis: String,
    /// The period covered ("2024").
    pub period: String,
}

impl SourceRef {
    /// One line for a footnote: "U.S. Census Bureau, FT-900 (2024; general imports, customs value)".
    pub fn footnote(&self) -> String {
        format!("{} ({}; {})", self.citation, self.period, self.basis)
    }
}
