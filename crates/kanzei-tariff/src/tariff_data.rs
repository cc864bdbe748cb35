//! [`TariffData`]: everything the engine reads, loaded once — the U.S. import cells, the
//! base schedule, the tariff inputs and U.S. exports — and the compiles on them.

use std::sync::Arc;

use kanzei_core::{AreaCode, AreaRegistry, Coverage};
use kanzei_data::tariff_inputs::TariffInputs;
use kanzei_data::us_exports::UsExports;
use kanzei_data::{DataError, DataSource, Store};

use crate::cells::CellSet;
use crate::engine::{CodeTable, Compiled};
use crate::scenario::Scenario;
use crate::schedule::Schedule;

/// Everything the engine reads, loaded once.
pub struct TariffData {
    /// U.S. import cells (2024).
    pub us_cells: CellSet,
    /// The base schedule.
    pub schedule: Schedule,
    /// Lists, tables, shares.
    pub inputs: Arc<TariffInputs>,
    /// U.S. exports (for retaliation cells).
    pub exports: Arc<UsExports>,
    /// Area registry.
    pub registry: &'static AreaRegistry,
    /// The code table of `us_cells`, built on first use ([`TariffData::compile_on`]).
    us_codes: std::sync::OnceLock<CodeTable>,
}

impl TariffData {
    /// Loads from a store: for the embedded snapshot, from its pre-indexed form
    /// ([`crate::index`], a few milliseconds) when that was derived from the same files by
    /// the same code, else (and for `--data DIR`) derived from the tables
    /// ([`TariffData::derive`]).
    pub fn load(store: &Store) -> Result<TariffData, DataError> {
        if *store.source() == DataSource::Embedded {
            if let Some(index) = crate::index::embedded()? {
                // The embedded tables set nothing aside, but the limit is checked as for a derive.
                store.check_set_aside(&index.hs10_coverage)?;
                store.check_set_aside(&index.hs2_coverage)?;
                store.provide(&index.inputs, &index.exports);
                let data = TariffData::from_parts(index.us_cells, index.schedule, index.inputs, index.exports, store.registry());
                let _ = data.us_codes.set(index.us_codes);
                return Ok(data);
            }
        }
        TariffData::derive(store).map(|(data, _)| data)
    }

    /// Derives the tariff data from the store's tables (HS10 and HS2 imports, HTS, tariff
    /// inputs, exports), returning the coverage of the two import tables beside them (the
    /// pre-indexed form keeps both; see [`crate::index::encode`]).
    pub fn derive(store: &Store) -> Result<(TariffData, [Coverage; 2]), DataError> {
        // The HS10 imports are the largest table: decoded on one thread while the other
        // decodes the rest (the store caches each table, so the order does not matter).
        let (hs10, rest) = std::thread::scope(|scope| {
            let rest = scope.spawn(|| -> Result<_, DataError> {
                Ok((store.us_imports_hs2()?, store.hts()?, store.tariff_inputs()?, store.us_exports()?))
            });
            let hs10 = store.us_imports_hs10();
            (hs10, rest.join().expect("loading the snapshot does not panic"))
        });
        let (hs10, (hs2, hts, inputs, exports)) = (hs10?, rest?);
        // Rows the loaders set aside (unknown partner, negative value) are missing from
        // every rate: an error above the limit unless the user allowed it.
        store.check_set_aside(&hs10.coverage)?;
        store.check_set_aside(&hs2.coverage)?;
        let registry = store.registry();
        // Independent of each other: the cells on a second thread while the schedule is built.
        let (us_cells, schedule) = std::thread::scope(|scope| {
            let cells = scope.spawn(|| CellSet::us_imports(&hs10, &hs2, registry));
            let schedule = Schedule::build(&hts, &hs10, &inputs, registry);
            (cells.join().expect("building the cells does not panic"), schedule)
        });
        let data = TariffData::from_parts(us_cells, schedule, inputs, exports, registry);
        Ok((data, [hs10.coverage.clone(), hs2.coverage.clone()]))
    }

    fn from_parts(us_cells: CellSet, schedule: Schedule, inputs: Arc<TariffInputs>, exports: Arc<UsExports>, registry: &'static AreaRegistry) -> TariffData {
        TariffData { us_cells, schedule, inputs, exports, registry, us_codes: Default::default() }
    }

    /// The cells of a scenario's importer. Another importer's cells are U.S. exports to it; a
    /// group importer (EU27) is expanded into its members (the United States left out of a
    /// group that includes it, such as USMCA), whose exports are summed.
    pub fn cells_for(&self, importer: AreaCode) -> CellSet {
        if importer.as_str() == "USA" {
            self.us_cells.clone()
        } else {
            let members: Vec<AreaCode> = crate::analysis::members_of(importer, self.registry).into_iter().filter(|m| m.as_str() != "USA").collect();
            CellSet::us_exports_to(importer, &members, &self.exports, &self.inputs)
        }
    }

    /// Compiles a scenario against its importer's cells.
    pub fn compile(&self, scenario: &Scenario) -> (CellSet, Compiled) {
        if scenario.importer.as_str() == "USA" {
            return (self.us_cells.clone(), self.compile_on(scenario, &self.us_cells));
        }
        let cells = self.cells_for(scenario.importer);
        let compiled = Compiled::new(scenario, &cells, &self.schedule, &self.inputs);
        (cells, compiled)
    }

    /// The code table of the U.S. cells, built on first use and kept.
    pub(crate) fn us_code_table(&self) -> &CodeTable {
        self.us_codes.get_or_init(|| CodeTable::new(&self.us_cells, &self.schedule, &self.inputs))
    }

    /// Compiles a scenario against `cells`; on `us_cells` itself (the same value, not a
    /// copy) with their code table built once and kept, so a scenario and its baseline,
    /// or every scenario `kanzei serve` compiles, share it.
    pub fn compile_on(&self, scenario: &Scenario, cells: &CellSet) -> Compiled {
        if std::ptr::eq(cells, &self.us_cells) {
            let codes = self.us_code_table();
            Compiled::with_codes(scenario, cells, &self.inputs, codes)
        } else {
            Compiled::new(scenario, cells, &self.schedule, &self.inputs)
        }
    }
}
