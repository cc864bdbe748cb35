//! Shared helpers for the integration tests: locating ../shared/data/raw and mapping the
//! CP 1993 files into the model's input type (the same glue the CLI uses).

// Tests print the numbers they check, for the record.
#![allow(clippy::print_stdout)]

#![allow(dead_code)]

use std::path::PathBuf;

use kanzei_data::cp2015::{Cp2015Data, TariffYear};
use kanzei_ge::caliendo_parro::ObservedEconomy;

/// `<workspace>/../shared/data/raw`, or `None` (after printing the skip notice) when absent.
pub fn raw_dir() -> Option<PathBuf> {
    kanzei_data::testing::shared_raw(env!("CARGO_MANIFEST_DIR"))
}

/// The CP 1993 data, or `None` when the raw folder is absent.
pub fn cp_data() -> Option<Cp2015Data> {
    let dir = raw_dir()?.join("caliendo_parro_2015");
    Some(Cp2015Data::load(&dir).expect("CP 1993 files parse"))
}

/// CP's observed economy with 1993 tariffs.
pub fn cp1993_observed(data: &Cp2015Data) -> ObservedEconomy {
    ObservedEconomy {
        countries: data.countries(),
        sectors: data.sectors(),
        tradable: data.tradable(),
        theta: data.theta(),
        trade_flows: data.trade_flows_usd(),
        tariffs: data.tariff_rates(TariffYear::Y1993),
        gross_output: data.gross_output_usd(),
        value_added_share: data.value_added_share(),
        input_shares: data.input_shares(),
        final_demand_shares: None,
    }
}
