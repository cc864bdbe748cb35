//! Multi-regional input-output (MRIO) analysis for kanzei: who adds the value that
//! crosses a border.
//!
//! * [`table`]: [`Mrio`], a checked table (intermediate use `Z`, final demand `Y`, output
//!   `x`, value added, satellite accounts) built from a loader's plain [`MrioTable`], and
//!   the accounting-identity check [`Mrio::check_identity`].
//! * [`leontief`]: `A = Z·diag(x)⁻¹`, the LU-factored [`Leontief`] model (solves, columns,
//!   full inverse), value-added coefficients and multipliers.
//! * [`footprint`]: pymrio-compatible multipliers and consumption/production accounts
//!   ([`extension_accounts`]).
//! * [`analysis`]: [`ValueAddedModel`], the entry point for the CLI's questions (value added
//!   by origin in a flow, exposure, decomposition), answered with LU solves.
//! * [`prices`]: the Leontief price model (`Δp = L′(m ∘ ρΔτ)`) for tariffs to producer and
//!   consumer prices on one country's commodity-by-commodity table.
//! * [`decompose`]: bilateral gross exports, value added by origin in any demand vector,
//!   an origin's exposure through an importer's suppliers, and the Borin & Mancini (2019)
//!   source-based decomposition of bilateral gross exports.
//!
//! The crate reads no files: `kanzei-data` parses WIOD, OECD ICIO and pymrio text tables
//! into the plain form, and this crate takes it from there.
//!
//! ```
//! use kanzei_mrio::{Leontief, Mrio, MrioTable, IdentityTolerance};
//! let table = MrioTable {
//!     regions: vec!["JPN".into(), "USA".into()],
//!     sectors: vec!["goods".into()],
//!     final_demand_categories: vec!["hh".into()],
//!     unit: "USD millions".into(),
//!     z: vec![20.0, 10.0, 5.0, 30.0],
//!     y: vec![60.0, 10.0, 5.0, 60.0],
//!     ..MrioTable::default()
//! };
//! let mrio = Mrio::new(table).unwrap();
//! assert!(mrio.check_identity(IdentityTolerance::floating_point()).passes());
//! let leontief = Leontief::new(&mrio).unwrap();
//! let v = kanzei_mrio::value_added_coefficients(&mrio, leontief.a());
//! let exports = kanzei_mrio::gross_exports(&mrio);
//! // Japan's exports to the USA: 10 intermediate + 10 final.
//! assert_eq!(exports[(0, 1)], 20.0);
//! let e = [exports[(0, 1)], 0.0];
//! let va = kanzei_mrio::va_by_origin(&leontief, &v, &e).unwrap();
//! // Every dollar of exports is someone's value added.
//! assert!((va.iter().sum::<f64>() - 20.0).abs() < 1e-12);
//! ```
//!
//! References: Leontief, W. (1936) *Review of Economics and Statistics* 18(3); Miller, R.
//! E. & Blair, P. D. (2009) *Input-Output Analysis*, 2nd ed.; Johnson, R. C. & Noguera,
//! G. (2012) *Journal of International Economics* 86(2); Koopman, R., Wang, Z. & Wei,
//! S.-J. (2014) *American Economic Review* 104(2); Borin, A. & Mancini, M. (2019) World
//! Bank Policy Research Working Paper 8804.

pub mod analysis;
pub mod decompose;
pub mod error;
pub mod footprint;
pub mod leontief;
pub mod prices;
pub mod table;

pub use analysis::{OriginShare, VaInExports, ValueAddedModel};
pub use decompose::{
    decompose_bilateral, exposure, gross_exports, sum_by_region, va_by_origin, va_by_origin_country_in_all_bilateral_exports,
    va_in_all_bilateral_exports,
    BilateralDecomposition, BorinMancini, ExporterCoefficients, Exposure, ExposureRoute,
};
pub use error::MrioError;
pub use footprint::{extension_accounts, ExtensionAccounts};
pub use prices::{category_prices, weighted_mean, BridgeRow, Margins, PriceError, PriceModel};
pub use leontief::{technical_coefficients, value_added_coefficients, value_added_multipliers, Leontief};
pub use table::{Extension, ExtensionTable, IdentityGap, IdentityReport, IdentityTolerance, Mrio, MrioTable};
