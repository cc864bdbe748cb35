//! Calendar dates: tariff law is written in them. The type lives in `kanzei-core`, shared
//! with the charts' time axes; this module keeps its path for the tariff engine's users.

pub use kanzei_core::date::{Date, DateError};
