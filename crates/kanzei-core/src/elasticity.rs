//! Which trade elasticity a number is, and the sign convention the models use:
//! `Em <= 0` (import demand), `Es >= 0` (substitution), `Ex >= 0` (export supply, infinite
//! allowed). Shared by the elasticity tables (`kanzei-data`) and the partial-equilibrium
//! models (`kanzei-pe`), which do not depend on each other.

use std::fmt;

use serde::Serialize;

/// Which elasticity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ElasticityKind {
    /// `Em`, import demand elasticity (<= 0).
    ImportDemand,
    /// `Es`, elasticity of substitution between sources (>= 0).
    Substitution,
    /// `Ex`, export supply elasticity (>= 0, infinite allowed).
    ExportSupply,
}

impl ElasticityKind {
    /// All kinds, in model order.
    pub const ALL: [ElasticityKind; 3] =
        [ElasticityKind::ImportDemand, ElasticityKind::Substitution, ElasticityKind::ExportSupply];

    /// The symbol used in the papers and in kanzei's code: `Em`, `Es`, `Ex`.
    pub fn symbol(self) -> &'static str {
        match self {
            ElasticityKind::ImportDemand => "Em",
            ElasticityKind::Substitution => "Es",
            ElasticityKind::ExportSupply => "Ex",
        }
    }

    /// A name for tables and files: `import_demand`, `substitution`, `export_supply`.
    pub fn name(self) -> &'static str {
        match self {
            ElasticityKind::ImportDemand => "import_demand",
            ElasticityKind::Substitution => "substitution",
            ElasticityKind::ExportSupply => "export_supply",
        }
    }

    /// Parses a name or symbol (`import_demand`, `em`, `Em`, ...).
    pub fn parse(text: &str) -> Option<ElasticityKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "import_demand" | "em" => Some(ElasticityKind::ImportDemand),
            "substitution" | "es" => Some(ElasticityKind::Substitution),
            "export_supply" | "ex" => Some(ElasticityKind::ExportSupply),
            _ => None,
        }
    }

    /// Checks the sign convention; the message says what would be valid.
    pub fn check(self, value: f64) -> Result<(), String> {
        let ok = match self {
            ElasticityKind::ImportDemand => value.is_finite() && value <= 0.0,
            ElasticityKind::Substitution => value.is_finite() && value >= 0.0,
            ElasticityKind::ExportSupply => value >= 0.0,
        };
        if ok {
            return Ok(());
        }
        let rule = match self {
            ElasticityKind::ImportDemand => "an import demand elasticity (Em) must be finite and <= 0",
            ElasticityKind::Substitution => "a substitution elasticity (Es) must be finite and >= 0",
            ElasticityKind::ExportSupply => "an export supply elasticity (Ex) must be >= 0 (`inf` for infinitely elastic supply)",
        };
        if value.is_nan() {
            Err(format!("NaN is not a number; {rule}"))
        } else {
            Err(format!("{value} has the wrong sign; {rule}"))
        }
    }
}

impl fmt::Display for ElasticityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
