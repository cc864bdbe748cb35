//! Loaders for the official data kanzei works from, the coverage accounting that comes
//! with every load, and the embedded snapshot.
//!
//! Each official format has its own module that parses it from any reader and returns a
//! typed table carrying a [`kanzei_core::Coverage`]:
//!
//! | module | source | unit |
//! |---|---|---|
//! | [`census_country`] | Census FT-900 `country.csv` | USD millions |
//! | [`us_imports`] | Census API HS10 / HS2 imports with duties | USD |
//! | [`us_exports`] | USITC DataWeb exports by HS2 | USD |
//! | [`japan_mof`] | Japan MOF trade by area × commodity | JPY billions |
//! | [`weo`] | IMF World Economic Outlook | as published |
//! | [`hts`] | USITC Harmonized Tariff Schedule | rate text |
//! | [`us_io`] | BEA 2017 detail IO, PCE bridge; Census imports and duties by NAICS6, monthly | USD millions / USD |
//!
//! [`Store`] hands out datasets from either the snapshot compiled into the binary or a
//! folder of official files; [`snapshot::build`] derives the snapshot from such a folder.
//!
//! ```
//! let store = kanzei_data::Store::embedded();
//! let census = store.census_country().unwrap();
//! let japan = census.get(2024, 5880).unwrap();
//! assert_eq!(format!("{:.1}", japan.exports_musd), "79740.8");
//! ```

pub mod areas_build;
pub mod autos;
pub mod catalog;
pub mod census_country;
pub mod concordance;
pub mod cp2015;
pub mod elasticities;
pub mod error;
pub mod ge_inputs;
pub mod gravity_data;
pub mod hts;
pub mod japan_mof;
pub mod mrio;
pub mod read;
pub mod snapshot;
pub mod store;
pub mod tariff_inputs;
pub mod testing;
pub mod us_exports;
pub mod us_imports;
pub mod us_io;
pub mod weo;

pub use error::DataError;
pub use store::{DataSource, Store};
