//! The vocabulary every other kanzei crate speaks.
//!
//! * [`area`]: countries, groups (EU-27, USMCA) and statistical aggregates, with the
//!   [`AreaRegistry`] that maps ISO3 codes, Census Schedule C codes and names onto one
//!   another and resolves what a user typed ("Japn" → "did you mean JPN Japan?").
//! * [`hs`]: the validated Harmonized System code [`HsCode`] (2, 4, 6, 8 or 10 digits, with a
//!   vintage tag and the prefix hierarchy).
//! * [`flow`]: the [`TradeFlow`] record, which works for any reporter, not only the U.S.
//! * [`coverage`]: the [`Coverage`] report every load and every join returns, so no trade value
//!   is ever dropped without being counted and explained.
//! * [`provenance`]: [`SourceRef`], the citation that travels with every number.
//! * [`date`]: the calendar [`Date`] that tariff law and chart axes are written in.
//! * [`io_table`]: [`MrioTable`], an input–output table as plain vectors, the form data
//!   loaders produce and the value-added model takes.
//! * [`elasticity`]: [`ElasticityKind`] (Em, Es, Ex) and its sign convention, shared by the
//!   elasticity tables and the partial-equilibrium models.
//!
//! This crate does no IO beyond parsing text handed to it; the built-in area registry is
//! compiled in from `data/areas.tsv`, which `kanzei data build` derives from the Census
//! Schedule C list.
//!
//! ```
//! use kanzei_core::{AreaRegistry, HsCode};
//! let registry = AreaRegistry::builtin();
//! assert_eq!(registry.resolve("japan").unwrap().code.as_str(), "JPN");
//! let err = registry.resolve("Japn").unwrap_err();
//! assert!(err.to_string().contains("did you mean JPN (Japan)"));
//! let car = HsCode::parse("8703.23.01.90").unwrap();
//! assert_eq!(car.chapter().to_string(), "87");
//! ```

pub mod area;
pub mod bin;
pub mod coverage;
pub mod date;
pub mod draws;
pub mod elasticity;
pub mod flow;
pub mod fxhash;
pub mod hs;
pub mod io_table;
pub mod provenance;
pub mod text;

pub use area::{Area, AreaCode, AreaKind, AreaRegistry, UnknownArea};
pub use coverage::{Coverage, Rejection};
pub use date::{Date, DateError};
pub use elasticity::ElasticityKind;
pub use flow::{Currency, FlowDirection, Period, Product, TradeFlow, ValueBasis};
pub use hs::{HsCode, HsCodeError, HsVintage};
pub use io_table::{ExtensionTable, MrioTable};
pub use provenance::SourceRef;
