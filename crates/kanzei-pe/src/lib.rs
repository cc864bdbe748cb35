//! Product-level partial-equilibrium models of trade policy.
//!
//! * [`smart`]: SMART, one importing market and its exporters, product by product
//!   (Laird & Yeats 1986, as in the World Bank's WITS): trade creation, trade diversion,
//!   world price change with finite export supply, tariff revenue before and after
//!   substitution, consumer surplus. Flat inputs and outputs, built to run over every
//!   U.S. HS10 × partner cell at once.
//! * [`gsim`]: GSIM, many exporters and many importing markets for one product
//!   (Francois & Hall 2003): world prices that clear every exporter's market, with the
//!   welfare split into consumer surplus, producer surplus and tariff revenue; the
//!   published linear system and a nonlinear CES variant solved by Newton.
//! * [`elasticity`]: elasticities that carry their provenance (set, code, vintage,
//!   fallback level, flags) up to the moment a model takes the plain number.
//! * [`error`]: [`PeError`], whose messages name the product or matrix cell.
//!
//! Like every kanzei model crate this one reads no files: the tables come from
//! `kanzei-data` (`kanzei_data::elasticities` resolves elasticities and reads GSIM CSV
//! inputs) or from the caller.
//!
//! ```
//! use kanzei_pe::gsim::{solve_linear, GsimData, GsimProblem};
//! // Two regions, each importing only from the other; A cuts its tariff on B from 20% to 8%.
//! let data = GsimData {
//!     exporters: vec!["A".into(), "B".into()],
//!     importers: vec!["A".into(), "B".into()],
//!     flows: vec![0.0, 100.0, 50.0, 0.0],
//!     t0: vec![1.0, 1.1, 1.2, 1.0],
//!     t1: vec![1.0, 1.1, 1.08, 1.0],
//!     em: vec![-1.0, -1.0],
//!     es: vec![3.0, 3.0],
//!     ex: vec![2.0, 2.0],
//! };
//! let solution = solve_linear(&GsimProblem::new(data).unwrap()).unwrap();
//! // B's clearing condition: −(−0.1 + p) = 2p, so B's world price rises by 1/30.
//! assert!((solution.world_price_change[1] - 1.0 / 30.0).abs() < 1e-15);
//! assert!(solution.report.residual < 1e-12);
//! ```

mod dense;
pub mod elasticity;
pub mod error;
pub mod gsim;
pub mod smart;
pub mod smart_monte_carlo;

pub use error::PeError;
