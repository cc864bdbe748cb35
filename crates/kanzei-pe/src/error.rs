//! The error type of the partial-equilibrium models.
//!
//! Model inputs are in-memory tables, so errors name the table, the product or matrix
//! cell, the offending value and what would have been valid. Loaders in `kanzei-data`
//! report file, line and column before the data ever reach a model.

/// Everything that can go wrong setting up or solving a partial-equilibrium model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PeError {
    /// Two inputs that must have matching lengths do not.
    #[error("{model} input: `{name}` has {found} entries, expected {expected} ({why})")]
    Shape {
        /// "SMART" or "GSIM".
        model: &'static str,
        /// The input whose length is wrong.
        name: &'static str,
        /// The length it should have.
        expected: usize,
        /// The length it has.
        found: usize,
        /// Why that length is required.
        why: &'static str,
    },
    /// A value is outside its valid range (a negative flow, a tariff power <= 0, an
    /// elasticity of the wrong sign).
    #[error("{location}: {message}")]
    Invalid {
        /// Where: the model, table and cell (`GSIM tariff_power_t0, exporter `US`, importer `EU``).
        location: String,
        /// What is wrong and what would be valid.
        message: String,
    },
    /// The linearised market-clearing system has no unique solution.
    #[error("GSIM market-clearing system is singular: no usable pivot in column {column} (exporter `{exporter}`), largest candidate {pivot:e}; an exporter with zero export supply elasticity and no exports, or duplicated rows, make world prices undetermined")]
    Singular {
        /// Column (exporter index) where elimination broke down.
        column: usize,
        /// That exporter's name.
        exporter: String,
        /// The largest pivot candidate found.
        pivot: f64,
    },
    /// An iterative solve stopped before meeting its tolerance.
    #[error("{model} did not converge: {reason} after {iterations} iterations; market-clearing residual {residual:e} (tolerance {tolerance:e})\n\nhint: {hint}")]
    NoConvergence {
        /// Which model or solver.
        model: &'static str,
        /// Why it stopped.
        reason: String,
        /// Iterations done.
        iterations: usize,
        /// Largest absolute residual at the last iterate.
        residual: f64,
        /// The tolerance asked for.
        tolerance: f64,
        /// What to try, naming options that exist.
        hint: &'static str,
    },
}

impl PeError {
    /// Shorthand for [`PeError::Invalid`].
    pub(crate) fn invalid(location: impl Into<String>, message: impl Into<String>) -> PeError {
        PeError::Invalid { location: location.into(), message: message.into() }
    }
}
