//! The MRIO crate's error type.
//!
//! Every message says what is wrong, where (matrix, row and column label, or the code the
//! user typed) and what would be valid.

/// Everything that can go wrong building or using a multi-regional input-output table.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MrioError {
    /// A matrix or vector has the wrong size for the table's labels.
    #[error("`{what}` has {found}; expected {expected}")]
    Shape {
        /// Which matrix or vector (`Z`, `Y`, `x`, `F` of extension `emissions`, …).
        what: String,
        /// The size required by the labels, in words ("1435 × 1435 (41 regions × 35 sectors)").
        expected: String,
        /// The size given.
        found: String,
    },
    /// A label list is empty or repeats a label.
    #[error("{what}: {message}")]
    Labels {
        /// Which label list (`regions`, `sectors`, `final-demand categories`).
        what: String,
        /// What is wrong and what would be valid.
        message: String,
    },
    /// A cell holds NaN or ±∞.
    #[error("`{matrix}` row `{row}`, column `{column}`: {value} is not a finite number")]
    NotFinite {
        /// Matrix name.
        matrix: String,
        /// Row label.
        row: String,
        /// Column label.
        column: String,
        /// The value.
        value: f64,
    },
    /// Gross output is negative for some industry.
    #[error("gross output `x` of `{industry}` is {value}; output must be >= 0 (a negative output usually means a sign error or a misaligned row in the source table)")]
    NegativeOutput {
        /// The industry, `REGION_SECTOR`.
        industry: String,
        /// The output given or computed.
        value: f64,
    },
    /// The accounting identity Z·1 + Y·1 = x fails beyond tolerance.
    #[error("accounting identity intermediate + final use = output fails for {n_failing} of {n_rows} rows beyond tolerance |gap| <= {abs_tolerance} + {rel_tolerance}·|x|; worst: {worst}")]
    IdentityFails {
        /// Rows failing.
        n_failing: usize,
        /// Rows checked.
        n_rows: usize,
        /// Absolute tolerance, in the table's unit.
        abs_tolerance: f64,
        /// Relative tolerance, a fraction of output.
        rel_tolerance: f64,
        /// Up to five worst rows, `label: use 10 + 3 = 13 vs output 20 (gap -7)`.
        worst: String,
    },
    /// (I − A) cannot be inverted to working precision.
    #[error("(I - A) is singular to working precision: LU pivot {pivot:e} in the column of `{industry}` (largest pivot {max_pivot:e}); an industry whose intermediate inputs (nearly) equal its output, or a closed loop of such industries, makes the Leontief inverse undefined\n\nhint: check that `{industry}`'s column of Z does not sum to its gross output")]
    SingularLeontief {
        /// The industry whose column gave the smallest pivot.
        industry: String,
        /// That pivot.
        pivot: f64,
        /// The largest pivot, for scale.
        max_pivot: f64,
    },
    /// A region code the table does not have.
    #[error("unknown region `{code}`; expected one of {valid}")]
    UnknownRegion {
        /// What was asked for.
        code: String,
        /// The table's regions, comma-separated.
        valid: String,
    },
    /// A sector code the table does not have.
    #[error("unknown sector `{code}`; expected one of {valid}")]
    UnknownSector {
        /// What was asked for.
        code: String,
        /// The table's sectors, comma-separated.
        valid: String,
    },
    /// An extension (satellite account) name the table does not have.
    #[error("unknown extension `{name}`; the table has {valid}")]
    UnknownExtension {
        /// What was asked for.
        name: String,
        /// The extensions present, comma-separated, or "none".
        valid: String,
    },
    /// A request that does not make sense for the table (exporter = importer, …).
    #[error("{message}")]
    Invalid {
        /// What is wrong and what would be valid.
        message: String,
    },
}
