//! General-equilibrium trade models for kanzei.
//!
//! Two models, each in its own module, each taking in-memory tables (this crate reads no
//! files; `kanzei-data` parses the file formats and the CLI hands the tables over):
//!
//! | module | model | main entry point |
//! |---|---|---|
//! | [`caliendo_parro`] | Caliendo & Parro (2015): N countries x J sectors, input-output links, tariffs, exact hat algebra | [`caliendo_parro::solve`] |
//! | [`gravity`] | one-sector structural gravity (Anderson & van Wincoop 2003; Yotov et al. 2016, ch. 2; gegravity) | [`gravity::GravityModel::simulate`] |
//!
//! Monte Carlo over each model's parameters lives beside it: [`caliendo_parro::monte_carlo`]
//! draws θ^j, [`gravity_monte_carlo`] the cost coefficients (as gegravity's `MonteCarloGE`).
//!
//! Each model separates its *problem* (the equilibrium conditions, written as functions a
//! reviewer can check against the paper's equations) from its *solver* (the loop that finds
//! a point satisfying them). A solve reports its iterations and residual; a solve that does
//! not reach its tolerance is an [`GeError::NotConverged`] carrying those numbers.
//!
//! ```
//! use kanzei_ge::caliendo_parro::{solve, Baseline, Shock, SolverConfig};
//!
//! // A two-country, one-sector economy (sector is tradable, no intermediates).
//! let baseline = Baseline::example_two_country();
//! // Country B raises a 10% tariff on imports from A.
//! let mut shock = Shock::none();
//! shock.set_tariff(&baseline, "Goods", "B", "A", 0.10).unwrap();
//! let eq = solve(&baseline, &shock, &SolverConfig::default()).unwrap();
//! let b = &eq.countries[1];
//! assert!(b.tot_pct > 0.0, "the tariff improves B's terms of trade");
//! assert!(eq.report.max_residual < 1e-10);
//! ```

// Loops index arrays by the paper's subscripts (n, i, j, k) so that each line reads like
// its equation; iterator chains would hide that.
#![allow(clippy::needless_range_loop)]

pub mod caliendo_parro;
pub mod error;
pub mod gravity;
pub mod gravity_monte_carlo;

mod anderson;

pub use error::GeError;
