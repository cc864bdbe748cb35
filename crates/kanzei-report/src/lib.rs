//! kanzei's reports.
//!
//! * [`facts`]: the numbers a brief states, each computed from data and carrying its
//!   [`kanzei_core::SourceRef`]: the U.S.–partner trade picture ([`facts::trade_facts`]).
//!
//! This crate turns library results into documents; it reads data only through
//! [`kanzei_data::Store`] and never touches files directly.

pub mod facts;
pub mod runs;
pub mod theta_sets;
pub mod smart_sets;
pub mod gsim_draws;
pub mod gravity_draws;
pub mod validate;
pub mod svg;
pub mod document;
pub mod claims;
pub mod brief;
pub mod prices;
pub mod collected;
