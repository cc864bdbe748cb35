//! The GE crate's error type.
//!
//! Every message says what is wrong, where (the matrix and cell, by country and sector
//! names), and what would be valid. Non-convergence carries the iteration count and the
//! residual the solver had reached, so a caller can decide whether to retry with a
//! different [`crate::caliendo_parro::SolverConfig`] or [`crate::gravity::GravityConfig`].

/// Everything that can go wrong building or solving a GE model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GeError {
    /// An input array does not have the length its dimensions require.
    #[error("`{what}` has {found} values; expected {expected} ({layout})")]
    Shape {
        /// Name of the input.
        what: String,
        /// Number of values found.
        found: usize,
        /// Number required.
        expected: usize,
        /// The layout, e.g. "sectors x importers x exporters = 40 x 31 x 31".
        layout: String,
    },
    /// A value is outside its valid range.
    #[error("`{what}` ({cell}): {value} is invalid; {valid}")]
    InvalidValue {
        /// Name of the input.
        what: String,
        /// The cell, e.g. "importer MEX, exporter USA, sector Textile".
        cell: String,
        /// The offending value.
        value: f64,
        /// What would be valid.
        valid: String,
    },
    /// A consistency condition across inputs fails.
    #[error("{what}: {detail}")]
    Inconsistent {
        /// What was checked.
        what: String,
        /// The numbers, and what would be valid.
        detail: String,
    },
    /// A name (country, sector) is not in the model.
    #[error("unknown {kind} `{name}`; expected one of {valid}")]
    UnknownName {
        /// "country" or "sector".
        kind: &'static str,
        /// The name given.
        name: String,
        /// The names the model has, comma-separated.
        valid: String,
    },
    /// The solver stopped before meeting its tolerance.
    #[error(
        "{solver} did not converge: stopped after {iterations} iterations with residual {residual:.3e} \
         (tolerance {tolerance:.1e}); {reason}\n\nhint: {hint}"
    )]
    NotConverged {
        /// Which loop ("Caliendo-Parro wage loop", "multilateral resistances", ...).
        solver: &'static str,
        /// Iterations done.
        iterations: usize,
        /// The residual reached (the solver's own convergence measure).
        residual: f64,
        /// The tolerance asked for.
        tolerance: f64,
        /// Why it stopped.
        reason: String,
        /// What to try.
        hint: &'static str,
    },
}
