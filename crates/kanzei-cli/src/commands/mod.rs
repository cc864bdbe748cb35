//! One module per top-level command.

pub mod brief;
pub mod data;
pub mod tariff;
pub mod trade;
