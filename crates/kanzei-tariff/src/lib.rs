//! kanzei's tariff engine.
//!
//! * [`scenario`]: declarative scenario files (TOML) — measures with authority, legal
//!   source, exporters, products, rate, stacking rule, partial exemption and dates; what-ifs
//!   `extends` a scenario and override it.
//! * [`schedule`]: the base schedule — MFN column 1 from the HTS with ad valorem equivalents
//!   for specific duties, and preferences as used in 2024.
//! * [`cells`]: the exporter × product cells with base-year values a scenario is evaluated on.
//! * [`engine`]: matching measures to cells and evaluating applied rates on a date.
//! * [`analysis`]: effective rates, revenue, exposure, timelines and explanations.
//! * [`assumptions`]: the named rules used where data are missing, recorded per cell.
//! * [`library`]: the scenarios kanzei ships.
//! * [`toml_text`]: TOML errors as line, key and plain words; file bytes that are not UTF-8.
//! * [`lint`]: measures that parse but change no rate (no exporters, no products, no trade).

pub mod analysis;
pub mod assumptions;
pub mod cells;
mod codes;
pub mod date;
pub mod engine;
pub mod index;
pub use kanzei_core::fxhash;
pub mod library;
pub mod lint;
pub mod rate;
pub mod scenario;
pub mod schedule;
pub mod sectors;
pub mod tariff_data;
pub mod toml_text;

pub use date::Date;
pub use scenario::{Authority, Scenario, ScenarioError};
