//! [`Store`]: one place to ask for a dataset, whether it comes from the snapshot compiled
//! into the binary or from a folder of official files the user downloaded (`--data DIR`,
//! laid out like `../shared/data/raw`; see `docs/data.md`).
//!
//! Datasets load lazily on first use and are cached.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use kanzei_core::{AreaRegistry, Coverage};

use crate::census_country::CountryTrade;
use crate::catalog;
use crate::error::DataError;
use crate::hts::Hts;
use crate::japan_mof::JapanTrade;
use crate::read;
use crate::snapshot;
use crate::tariff_inputs::TariffInputs;
use crate::us_exports::UsExports;
use crate::us_imports::UsImports;
use crate::weo::{Weo, WEO_CONCEPTS};

/// Where data come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataSource {
    /// The snapshot compiled into the binary.
    Embedded,
    /// A folder of official files, laid out like `../shared/data/raw`.
    Raw(PathBuf),
}

impl std::fmt::Display for DataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DataSource::Embedded => write!(f, "embedded snapshot (kanzei {})", env!("CARGO_PKG_VERSION")),
            DataSource::Raw(dir) => write!(f, "official files in {}", dir.display()),
        }
    }
}

type Slot<T> = Mutex<Option<Arc<T>>>;

/// Lazily loaded datasets.
pub struct Store {
    source: DataSource,
    census_country: Slot<CountryTrade>,
    us_imports_hs10: Slot<UsImports>,
    us_imports_hs2: Slot<UsImports>,
    us_exports: Slot<UsExports>,
    japan_mof: Slot<JapanTrade>,
    weo: Slot<Weo>,
    hts: Slot<Hts>,
    tariff_inputs: Slot<TariffInputs>,
    elasticities: Slot<crate::elasticities::ElasticityTables>,
    cp2015: Slot<crate::cp2015::Cp2015Data>,
    gegravity_sample: Slot<crate::gravity_data::GravityPanel>,
    wiod_2011: Slot<crate::mrio::LoadedMrio>,
    hs_to_wiod: Slot<crate::concordance::HsToWiod>,
    us_io: Slot<crate::us_io::UsIo>,
    naics_monthly: Slot<crate::us_io::NaicsMonthly>,
    /// Whether rows set aside above the limit may be left out (`--allow-set-aside`).
    allow_set_aside: bool,
    /// Warnings about rows set aside, for the caller to show.
    warnings: Mutex<Vec<String>>,
}

fn cached<T>(slot: &Slot<T>, load: impl FnOnce() -> Result<T, DataError>) -> Result<Arc<T>, DataError> {
    let mut guard = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(value) = guard.as_ref() {
        return Ok(Arc::clone(value));
    }
    let value = Arc::new(load()?);
    *guard = Some(Arc::clone(&value));
    Ok(value)
}

impl Store {
    /// A store over the embedded snapshot.
    pub fn embedded() -> Store {
        Store::new(DataSource::Embedded)
    }

    /// A store over a folder of official files.
    pub fn raw(dir: impl Into<PathBuf>) -> Store {
        Store::new(DataSource::Raw(dir.into()))
    }

    /// A store over either source.
    pub fn new(source: DataSource) -> Store {
        Store {
            source,
            census_country: Mutex::new(None),
            us_imports_hs10: Mutex::new(None),
            us_imports_hs2: Mutex::new(None),
            us_exports: Mutex::new(None),
            japan_mof: Mutex::new(None),
            weo: Mutex::new(None),
            hts: Mutex::new(None),
            tariff_inputs: Mutex::new(None),
            elasticities: Mutex::new(None),
            cp2015: Mutex::new(None),
            gegravity_sample: Mutex::new(None),
            wiod_2011: Mutex::new(None),
            hs_to_wiod: Mutex::new(None),
            us_io: Mutex::new(None),
            naics_monthly: Mutex::new(None),
            allow_set_aside: false,
            warnings: Mutex::new(Vec::new()),
        }
    }

    /// Lets a load go on when more than [`crate::us_imports::SET_ASIDE_LIMIT_PCT`] of a
    /// file's value was set aside (each set-aside reason becomes a warning instead).
    pub fn allow_set_aside(mut self, allow: bool) -> Store {
        self.allow_set_aside = allow;
        self
    }

    /// Keeps tables decoded elsewhere (the pre-indexed tariff data, derived from this same
    /// snapshot) so that later requests for them are not decoded again; a table already
    /// loaded is kept as it is.
    pub fn provide(&self, inputs: &Arc<TariffInputs>, exports: &Arc<UsExports>) {
        fn keep<T>(slot: &Slot<T>, value: &Arc<T>) {
            let mut guard = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if guard.is_none() {
                *guard = Some(Arc::clone(value));
            }
        }
        keep(&self.tariff_inputs, inputs);
        keep(&self.us_exports, exports);
    }

    /// Checks the rows a load set aside against the limit (see
    /// [`crate::us_imports::check_set_aside`]); allowed ones are kept as warnings.
    pub fn check_set_aside(&self, coverage: &Coverage) -> Result<(), DataError> {
        let warnings = crate::us_imports::check_set_aside(coverage, self.allow_set_aside)?;
        let mut kept = self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for w in warnings {
            if !kept.contains(&w) {
                kept.push(w);
            }
        }
        Ok(())
    }

    /// Warnings recorded so far (rows set aside and let through).
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Where the data come from.
    pub fn source(&self) -> &DataSource {
        &self.source
    }

    /// The area registry (always the built-in one; it is derived with the snapshot).
    pub fn registry(&self) -> &'static AreaRegistry {
        AreaRegistry::builtin()
    }

    /// Census FT-900 trade by country.
    pub fn census_country(&self) -> Result<Arc<CountryTrade>, DataError> {
        cached(&self.census_country, || match &self.source {
            DataSource::Embedded => {
                let name = "census_ft900_country.csv.gz";
                CountryTrade::parse(name, snapshot::embedded_text(name)?.as_bytes())
            }
            DataSource::Raw(dir) => {
                let path = find_input(dir, "census_ft900_country")?;
                CountryTrade::parse(&path.display().to_string(), read::open(&path)?)
            }
        })
    }

    /// U.S. imports 2024 by HS10 (50 partners + EU).
    pub fn us_imports_hs10(&self) -> Result<Arc<UsImports>, DataError> {
        cached(&self.us_imports_hs10, || match &self.source {
            DataSource::Embedded => {
                let name = "us_imports_hs10_2024.csv.gz";
                let mut table = UsImports::parse_hs10_csv(name, snapshot::embedded_text(name)?.as_bytes(), 2024)?;
                let desc_name = "hs10_descriptions.csv.gz";
                snapshot::read_descriptions(desc_name, &snapshot::embedded_text(desc_name)?, &mut table.descriptions)?;
                table.set_aside_unknown_partners(self.registry());
                Ok(table)
            }
            DataSource::Raw(dir) => {
                let mut table = load_hs10_raw(dir)?;
                table.set_aside_unknown_partners(self.registry());
                Ok(table)
            }
        })
    }

    /// U.S. imports 2024 by HS2 (every partner).
    pub fn us_imports_hs2(&self) -> Result<Arc<UsImports>, DataError> {
        cached(&self.us_imports_hs2, || match &self.source {
            DataSource::Embedded => {
                let name = "us_imports_hs2_2024.csv.gz";
                let mut table = UsImports::parse_hs2_csv(name, snapshot::embedded_text(name)?.as_bytes(), 2024)?;
                table.set_aside_unknown_partners(self.registry());
                Ok(table)
            }
            DataSource::Raw(dir) => {
                let mut table = load_hs2_raw(dir)?;
                table.set_aside_unknown_partners(self.registry());
                Ok(table)
            }
        })
    }

    /// U.S. exports by HS2 (USITC DataWeb).
    pub fn us_exports(&self) -> Result<Arc<UsExports>, DataError> {
        cached(&self.us_exports, || match &self.source {
            DataSource::Embedded => snapshot::read_exports(),
            DataSource::Raw(dir) => {
                let path = find_input(dir, "us_exports_hs2")?;
                UsExports::parse(&path.display().to_string(), read::open(&path)?, self.registry())
            }
        })
    }

    /// Japan MOF trade by area and commodity.
    pub fn japan_mof(&self) -> Result<Arc<JapanTrade>, DataError> {
        cached(&self.japan_mof, || match &self.source {
            DataSource::Embedded => snapshot::read_mof(),
            DataSource::Raw(dir) => {
                let path = find_input(dir, "japan_mof_trade")?;
                JapanTrade::parse(&path.display().to_string(), read::open(&path)?, self.registry())
            }
        })
    }

    /// IMF WEO.
    pub fn weo(&self) -> Result<Arc<Weo>, DataError> {
        cached(&self.weo, || match &self.source {
            DataSource::Embedded => {
                let name = "imf_weo.csv.gz";
                Weo::parse_long(name, snapshot::embedded_text(name)?.as_bytes(), &[])
            }
            DataSource::Raw(dir) => load_weo_raw(dir),
        })
    }

    /// The HTS 2025.
    pub fn hts(&self) -> Result<Arc<Hts>, DataError> {
        cached(&self.hts, || match &self.source {
            DataSource::Embedded => {
                let name = "hts_2025.csv.gz";
                Hts::parse(name, snapshot::embedded_text(name)?.as_bytes())
            }
            DataSource::Raw(dir) => {
                let path = find_input(dir, "hts")?;
                Hts::parse(&path.display().to_string(), read::open(&path)?)
            }
        })
    }

    /// Tariff law inputs: product lists, rate tables, shares.
    pub fn tariff_inputs(&self) -> Result<Arc<TariffInputs>, DataError> {
        cached(&self.tariff_inputs, || match &self.source {
            DataSource::Embedded => snapshot::read_tariff_inputs(),
            DataSource::Raw(dir) => crate::tariff_inputs::load_raw(dir, self.registry()),
        })
    }

    /// Trade elasticities (Broda–Weinstein, Hauk, ProTEE) with flags.
    pub fn elasticities(&self) -> Result<Arc<crate::elasticities::ElasticityTables>, DataError> {
        use crate::elasticities::ElasticityTables;
        cached(&self.elasticities, || match &self.source {
            DataSource::Embedded => {
                let name = "elasticities.csv.gz";
                ElasticityTables::from_snapshot_csv(name, &snapshot::embedded_text(name)?)
            }
            DataSource::Raw(dir) => ElasticityTables::load_raw(dir),
        })
    }

    /// The Caliendo–Parro (2015) 1993 data.
    pub fn cp2015(&self) -> Result<Arc<crate::cp2015::Cp2015Data>, DataError> {
        cached(&self.cp2015, || match &self.source {
            DataSource::Embedded => snapshot::read_cp2015(),
            DataSource::Raw(dir) => crate::cp2015::Cp2015Data::load(&dir.join("caliendo_parro_2015")),
        })
    }

    /// The gegravity sample panel.
    pub fn gegravity_sample(&self) -> Result<Arc<crate::gravity_data::GravityPanel>, DataError> {
        cached(&self.gegravity_sample, || match &self.source {
            DataSource::Embedded => snapshot::read_gegravity_sample(),
            DataSource::Raw(dir) => crate::gravity_data::GravityPanel::load(&dir.join("gegravity_sample/sample_data_set.dlm")),
        })
    }

    /// θ for the WIOD sectors.
    pub fn wiod_thetas(&self) -> Result<crate::ge_inputs::WiodThetas, DataError> {
        match &self.source {
            DataSource::Embedded => crate::ge_inputs::from_snapshot("wiod_thetas.csv.gz", &snapshot::embedded_text("wiod_thetas.csv.gz")?),
            DataSource::Raw(dir) => crate::ge_inputs::load_wiod_thetas(dir),
        }
    }

    /// Caliendo & Parro's θ re-estimated by sector with standard errors.
    pub fn cp_theta_estimates(&self) -> Result<crate::ge_inputs::ThetaEstimates, DataError> {
        match &self.source {
            DataSource::Embedded => crate::ge_inputs::cp_thetas_from_snapshot(
                "cp2015_theta_estimates.csv.gz",
                &snapshot::embedded_text("cp2015_theta_estimates.csv.gz")?,
            ),
            DataSource::Raw(dir) => crate::ge_inputs::load_cp_thetas(dir),
        }
    }

    /// HS codes → WIOD 2013 sectors (HS → ISIC Rev.3 concordances).
    pub fn hs_to_wiod(&self) -> Result<Arc<crate::concordance::HsToWiod>, DataError> {
        cached(&self.hs_to_wiod, || match &self.source {
            DataSource::Embedded => snapshot::read_hs_to_wiod(),
            DataSource::Raw(dir) => crate::concordance::HsToWiod::load_raw(dir),
        })
    }

    /// BEA's 2017 detail IO tables, PCE bridge and the HS10/NAICS → BEA maps.
    pub fn us_io(&self) -> Result<Arc<crate::us_io::UsIo>, DataError> {
        use crate::us_io;
        cached(&self.us_io, || match &self.source {
            DataSource::Embedded => us_io::io_from_snapshot(us_io::IO_SNAPSHOT, &snapshot::embedded_text(us_io::IO_SNAPSHOT)?),
            DataSource::Raw(dir) => us_io::load_io_raw(dir),
        })
    }

    /// U.S. imports and calculated duties by NAICS6 and month, 2020–2025.
    pub fn naics_monthly(&self) -> Result<Arc<crate::us_io::NaicsMonthly>, DataError> {
        use crate::us_io;
        cached(&self.naics_monthly, || match &self.source {
            DataSource::Embedded => us_io::monthly_from_snapshot(us_io::MONTHLY_SNAPSHOT, &snapshot::embedded_text(us_io::MONTHLY_SNAPSHOT)?),
            DataSource::Raw(dir) => us_io::load_monthly_raw(dir),
        })
    }

    /// Toyota's results and OICA production.
    pub fn autos(&self) -> Result<(crate::autos::ToyotaResults, crate::autos::OicaProduction), DataError> {
        match &self.source {
            DataSource::Embedded => snapshot::read_autos(),
            DataSource::Raw(dir) => crate::autos::load_raw(dir),
        }
    }

    /// The GSIM 4-region US–EU FTA example.
    pub fn gsim_example(&self) -> Result<crate::elasticities::gsim_input::GsimInputs, DataError> {
        match &self.source {
            DataSource::Embedded => snapshot::read_gsim_example(),
            DataSource::Raw(dir) => crate::elasticities::gsim_input::read_dir(&dir.join("gsim_4region_example")),
        }
    }

    /// The WIOD 2011 world input–output table.
    pub fn wiod_2011(&self) -> Result<Arc<crate::mrio::LoadedMrio>, DataError> {
        let options = crate::mrio::MrioLoadOptions::wiod();
        cached(&self.wiod_2011, || match &self.source {
            DataSource::Embedded => {
                crate::mrio::wiod_from_snapshot("wiod_2011.txt.gz", snapshot::embedded_bytes("wiod_2011.txt.gz")?, &options)
            }
            DataSource::Raw(dir) => crate::mrio::load_wiod_csv(&dir.join("wiod_2013_release/derived_csv_2011"), 2011, &options),
        })
    }

    /// The coverage of every dataset as loaded from this source (embedded: the coverage
    /// recorded when the snapshot was built from the official files).
    pub fn coverage_reports(&self) -> Result<Vec<Coverage>, DataError> {
        match &self.source {
            DataSource::Embedded => Ok(snapshot::embedded_manifest()?.datasets.into_iter().flat_map(|d| d.coverage).collect()),
            DataSource::Raw(_) => Ok(vec![
                self.census_country()?.coverage.clone(),
                self.us_imports_hs10()?.coverage.clone(),
                self.us_imports_hs2()?.coverage.clone(),
                self.us_exports()?.coverage.clone(),
                self.japan_mof()?.coverage.clone(),
                self.weo()?.coverage.clone().unwrap_or_else(|| Coverage::new("imf_weo", "", "observations")),
                self.hts()?.coverage.clone(),
            ]
            .into_iter()
            .chain(self.tariff_inputs()?.coverage.iter().cloned())
            .chain(self.us_io()?.coverage.iter().cloned())
            .chain([self.naics_monthly()?.coverage.clone()])
            .collect()),
        }
    }
}

/// The first existing input file for a dataset (alternatives separated by `|`).
pub fn find_input(dir: &Path, dataset: &str) -> Result<PathBuf, DataError> {
    find_input_at(dir, dataset, 0)
}

/// Like [`find_input`], for the `index`-th input of the dataset.
pub fn find_input_at(dir: &Path, dataset: &str, index: usize) -> Result<PathBuf, DataError> {
    let info = catalog::dataset(dataset).ok_or_else(|| DataError::NotAvailable {
        message: format!("no dataset `{dataset}` in the catalog"),
    })?;
    let spec = info.inputs.get(index).copied().unwrap_or("");
    for alternative in spec.split('|') {
        let path = dir.join(alternative);
        if path.exists() {
            return Ok(path);
        }
    }
    Err(DataError::MissingFile {
        dataset: dataset.to_string(),
        dir: dir.to_path_buf(),
        tried: spec.split('|').map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" or "),
    })
}

/// HS10 imports from a data folder: the stacked CSV, a Census API CSV, or a Census API
/// JSON response (`us_imports_hs10_<year>.json`).
pub fn load_hs10_raw(dir: &Path) -> Result<UsImports, DataError> {
    for (name, json) in [("us_imports_hs10_2024.json", true), ("us_imports_hs10_2024.csv", false)] {
        let path = dir.join(name);
        if path.exists() {
            return if json {
                UsImports::parse_census_api_json(name, &read::read_to_string(&path)?, 2024)
            } else {
                UsImports::parse_hs10_csv(name, read::open(&path)?, 2024)
            };
        }
    }
    let path = find_input(dir, "us_imports_hs10")?;
    let table = UsImports::parse_hs10_csv(&path.display().to_string(), read::open(&path)?, 2024)?;
    table.check_unique()?;
    Ok(table)
}

/// HS2 imports from a folder of per-partner files.
pub fn load_hs2_raw(dir: &Path) -> Result<UsImports, DataError> {
    let folder = find_input(dir, "us_imports_hs2")?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map_err(|e| DataError::io(&folder, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let mut table = UsImports::empty(&folder.display().to_string(), 2024, 2);
    for file in files {
        let name = file.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        table.merge(UsImports::parse_hs2_csv(&name, read::open(&file)?, 2024)?)?;
    }
    table.check_unique()?;
    Ok(table)
}

/// WEO from a data folder: the long export (+ notes), or a classic tab-delimited download.
pub fn load_weo_raw(dir: &Path) -> Result<Weo, DataError> {
    for name in ["WEOOct2025all.xls", "WEOOct2025all.tsv"] {
        let path = dir.join("imf_weo_2025oct").join(name);
        if path.exists() {
            return Weo::parse_classic(name, read::open(&path)?, WEO_CONCEPTS);
        }
    }
    let path = find_input(dir, "imf_weo")?;
    let mut weo = Weo::parse_long(&path.display().to_string(), read::open(&path)?, WEO_CONCEPTS)?;
    if let Ok(notes) = find_input_at(dir, "imf_weo", 1) {
        weo.attach_notes(&notes.display().to_string(), read::open(&notes)?)?;
    }
    Ok(weo)
}
