//! One module per top-level command.

pub mod brief;
pub mod claims;
pub mod collected;
pub mod data;
pub mod facts;
pub mod ge;
pub mod ge_wiod;
pub mod pe;
pub mod prices;
pub mod tariff;
pub mod trade;
pub mod va;
pub mod va_risk;
pub mod validate;
