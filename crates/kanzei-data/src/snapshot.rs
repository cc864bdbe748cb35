//! kanzei's embedded snapshot: how it is built from the official files, how it is read
//! back, and its manifest.
//!
//! `kanzei data build --raw DIR` calls [`build`], which loads every dataset from `DIR`
//! with full coverage accounting, reconciles sources against each other, writes compact
//! gzip CSVs into `data/`, reads them back to check the round trip, and writes
//! `data/manifest.json` (checksums, coverage, reconciliations) and `data/PROVENANCE.md`.
//! The binary embeds the files with `include_bytes!`, so a fresh checkout needs no setup.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;
use kanzei_core::{AreaCode, AreaRegistry, Coverage, FlowDirection, HsCode, HsVintage};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::areas_build::{build_registry, registry_to_tsv};
use crate::catalog::{self, DATASETS};
use crate::census_country::CountryTrade;
use crate::error::DataError;
use crate::hts::Hts;
use crate::japan_mof::{JapanTrade, MofLine};
use crate::read::{self, Table, TableOptions};
use crate::store::{find_input, find_input_at, load_hs10_raw, load_hs2_raw, load_weo_raw};
use crate::us_exports::{ExportLine, UsExports};
use crate::us_imports::{reconcile_hs10_hs2, UsImports};
use crate::weo::Weo;

/// The files compiled into the binary.
const EMBEDDED: &[(&str, &[u8])] = &[
    ("manifest.json", include_bytes!("../../../data/manifest.json")),
    ("census_ft900_country.csv.gz", include_bytes!("../../../data/census_ft900_country.csv.gz")),
    ("us_imports_hs10_2024.csv.gz", include_bytes!("../../../data/us_imports_hs10_2024.csv.gz")),
    ("hs10_descriptions.csv.gz", include_bytes!("../../../data/hs10_descriptions.csv.gz")),
    ("us_imports_hs2_2024.csv.gz", include_bytes!("../../../data/us_imports_hs2_2024.csv.gz")),
    ("us_exports_hs2.csv.gz", include_bytes!("../../../data/us_exports_hs2.csv.gz")),
    ("hs2_chapters.csv.gz", include_bytes!("../../../data/hs2_chapters.csv.gz")),
    ("japan_mof_trade.csv.gz", include_bytes!("../../../data/japan_mof_trade.csv.gz")),
    ("imf_weo.csv.gz", include_bytes!("../../../data/imf_weo.csv.gz")),
    ("hts_2025.csv.gz", include_bytes!("../../../data/hts_2025.csv.gz")),
    ("tariff_meta.csv.gz", include_bytes!("../../../data/tariff_meta.csv.gz")),
    ("tariff_lists.csv.gz", include_bytes!("../../../data/tariff_lists.csv.gz")),
    ("tariff_tables.csv.gz", include_bytes!("../../../data/tariff_tables.csv.gz")),
    ("tariff_shares.csv.gz", include_bytes!("../../../data/tariff_shares.csv.gz")),
    ("tariff_exports_hit.csv.gz", include_bytes!("../../../data/tariff_exports_hit.csv.gz")),
    ("elasticities.csv.gz", include_bytes!("../../../data/elasticities.csv.gz")),
    ("caliendo_parro_2015.txt.gz", include_bytes!("../../../data/caliendo_parro_2015.txt.gz")),
    ("gegravity_sample.csv.gz", include_bytes!("../../../data/gegravity_sample.csv.gz")),
    ("wiod_2011.txt.gz", include_bytes!("../../../data/wiod_2011.txt.gz")),
    ("gsim_4region.txt.gz", include_bytes!("../../../data/gsim_4region.txt.gz")),
    ("wiod_thetas.csv.gz", include_bytes!("../../../data/wiod_thetas.csv.gz")),
    ("cp2015_theta_estimates.csv.gz", include_bytes!("../../../data/cp2015_theta_estimates.csv.gz")),
    ("hs_wiod.csv.gz", include_bytes!("../../../data/hs_wiod.csv.gz")),
    ("toyota_results.csv.gz", include_bytes!("../../../data/toyota_results.csv.gz")),
    ("oica_production.csv.gz", include_bytes!("../../../data/oica_production.csv.gz")),
    ("bea_io_2017.txt.gz", include_bytes!("../../../data/bea_io_2017.txt.gz")),
    ("us_imports_naics6_monthly.txt.gz", include_bytes!("../../../data/us_imports_naics6_monthly.txt.gz")),
];

/// The four GSIM example files, in the order `gsim_input::parse` takes them.
pub const GSIM_FILES: [&str; 4] =
    ["trade_flows_M.csv", "tariff_power_initial_T0.csv", "tariff_power_final_T1_US_EU_FTA.csv", "elasticities.csv"];

/// The raw bytes of an embedded file.
pub fn embedded_bytes(name: &str) -> Result<&'static [u8], DataError> {
    EMBEDDED.iter().find(|(n, _)| *n == name).map(|(_, b)| *b).ok_or_else(|| DataError::NotAvailable {
        message: format!("the embedded snapshot has no file `{name}`; run `kanzei data build --raw <dir>`"),
    })
}

/// An embedded file as text (gunzipped if `*.gz`).
pub fn embedded_text(name: &str) -> Result<String, DataError> {
    let bytes = embedded_bytes(name)?;
    if name.ends_with(".gz") {
        read::gunzip(name, bytes)
    } else {
        String::from_utf8(bytes.to_vec()).map_err(|_| DataError::Csv {
            file: name.into(),
            line: 0,
            message: "not UTF-8".into(),
        })
    }
}

/// The embedded manifest.
pub fn embedded_manifest() -> Result<Manifest, DataError> {
    let text = embedded_text("manifest.json")?;
    serde_json::from_str(&text).map_err(|err| DataError::Csv {
        file: "manifest.json".into(),
        line: err.line() as u64,
        message: err.to_string(),
    })
}

/// A file and its checksum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSum {
    /// Path (relative to the raw folder for inputs, to `data/` for outputs).
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

/// One dataset in the manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Dataset id (see the catalog).
    pub id: String,
    /// Raw inputs with checksums.
    pub inputs: Vec<FileSum>,
    /// Snapshot files with checksums.
    pub outputs: Vec<FileSum>,
    /// Rows in the snapshot.
    pub rows: u64,
    /// Years covered, in words.
    pub years: String,
    /// Coverage of the load from the official files.
    pub coverage: Vec<Coverage>,
}

/// A cross-source check run during the build.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Reconciliation {
    /// What was compared.
    pub what: String,
    /// Whether it passed its stated tolerance.
    pub ok: bool,
    /// The numbers, in words.
    pub detail: String,
}

/// `data/manifest.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// kanzei version that built it.
    pub kanzei_version: String,
    /// Datasets.
    pub datasets: Vec<ManifestEntry>,
    /// Cross-source reconciliations.
    pub reconciliations: Vec<Reconciliation>,
}

impl Manifest {
    /// A dataset's entry.
    pub fn dataset(&self, id: &str) -> Option<&ManifestEntry> {
        self.datasets.iter().find(|d| d.id == id)
    }
}

/// Progress events for a UI.
#[derive(Clone, Debug)]
pub enum BuildEvent {
    /// A dataset starts.
    Start {
        /// Dataset id.
        id: &'static str,
        /// Position (1-based) and count.
        step: usize,
        /// Number of datasets.
        of: usize,
    },
    /// A dataset is done.
    Done {
        /// Dataset id.
        id: &'static str,
        /// Rows written.
        rows: u64,
    },
}

/// What a dataset step wrote: rows, the years it covers, and its load coverage.
struct Built {
    rows: u64,
    years: String,
    coverage: Vec<Coverage>,
}

/// What the steps share: folders, the area registry once built, the HS10 lines (the HS2 step
/// reconciles against them) and the reconciliations found so far.
struct BuildCtx<'a> {
    raw: &'a Path,
    out: &'a Path,
    registry: Option<AreaRegistry>,
    hs10: Option<UsImports>,
    reconciliations: Vec<Reconciliation>,
}

impl BuildCtx<'_> {
    fn registry(&self) -> Result<&AreaRegistry, DataError> {
        self.registry.as_ref().ok_or_else(|| DataError::NotAvailable { message: "the area registry is built first".into() })
    }
}

type Step = fn(&mut BuildCtx<'_>) -> Result<Built, DataError>;

/// The dataset steps in build order (areas first: every later loader resolves names through
/// them). Each writes its snapshot files, reads them back and records reconciliations.
const STEPS: &[(&str, Step)] = &[
    ("areas", step_areas),
    ("census_ft900_country", step_census_ft900_country),
    ("us_imports_hs10", step_us_imports_hs10),
    ("us_imports_hs2", step_us_imports_hs2),
    ("us_exports_hs2", step_us_exports_hs2),
    ("japan_mof_trade", step_japan_mof_trade),
    ("imf_weo", step_imf_weo),
    ("hts", step_hts),
    ("tariff_inputs", step_tariff_inputs),
    ("elasticities", step_elasticities),
    ("caliendo_parro_2015", step_caliendo_parro_2015),
    ("gegravity_sample", step_gegravity_sample),
    ("wiod_2011", step_wiod_2011),
    ("concordance_hs_wiod", step_concordance_hs_wiod),
    ("autos", step_autos),
    ("wiod_thetas", step_wiod_thetas),
    ("gsim_4region", step_gsim_4region),
    ("bea_io_2017", step_bea_io_2017),
    ("us_imports_naics6_monthly", step_us_imports_naics6_monthly),
];

/// Builds the snapshot from `raw` into `out`, one step per dataset.
pub fn build(raw: &Path, out: &Path, progress: &mut dyn FnMut(BuildEvent)) -> Result<Manifest, DataError> {
    std::fs::create_dir_all(out).map_err(|e| DataError::io(out, e))?;
    debug_assert_eq!(STEPS.len(), DATASETS.len(), "every catalogued dataset has a build step");
    let mut ctx = BuildCtx { raw, out, registry: None, hs10: None, reconciliations: Vec::new() };
    let mut datasets = Vec::new();
    for (step, (id, run)) in STEPS.iter().enumerate() {
        progress(BuildEvent::Start { id, step: step + 1, of: STEPS.len() });
        let built = run(&mut ctx)?;
        datasets.push(entry(raw, out, id, built.rows, built.years, built.coverage)?);
        progress(BuildEvent::Done { id, rows: built.rows });
    }
    let manifest = Manifest { kanzei_version: env!("CARGO_PKG_VERSION").into(), datasets, reconciliations: ctx.reconciliations };
    let json = serde_json::to_string_pretty(&manifest).map_err(|e| DataError::Reconciliation {
        what: "manifest".into(),
        detail: e.to_string(),
    })?;
    write_plain(out, "manifest.json", &(json + "\n"))?;
    write_plain(out, "PROVENANCE.md", &provenance_markdown(&manifest))?;
    Ok(manifest)
}

/// The area registry: every later loader resolves names through it; it must read back as written.
fn step_areas(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let (registry, notes) = build_registry(ctx.raw)?;
    for note in notes {
        ctx.reconciliations.push(Reconciliation { what: "area registry inputs".into(), ok: true, detail: note });
    }
    let tsv = registry_to_tsv(&registry);
    // The registry must read back as written.
    let reread = AreaRegistry::from_tsv(&tsv)
        .map_err(|e| DataError::Reconciliation { what: "areas.tsv round trip".into(), detail: e.to_string() })?;
    write_plain(ctx.out, "areas.tsv", &tsv)?;
    ctx.registry = Some(registry);
    Ok(Built { rows: reread.areas().len() as u64, years: "n/a".into(), coverage: vec![] })
}

/// Census FT-900, with the sum of countries held against the World row each year.
fn step_census_ft900_country(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let path = find_input(ctx.raw, "census_ft900_country")?;
    let census = CountryTrade::parse(&rel(ctx.raw, &path), read::open(&path)?)?;
    let csv = census.to_snapshot_csv();
    write_gz(ctx.out, "census_ft900_country.csv.gz", &csv)?;
    let back = CountryTrade::parse("census_ft900_country.csv.gz", csv.as_bytes())?;
    check_round_trip("census_ft900_country", &census.coverage, &back.coverage)?;
    for year in census.months.keys().copied().filter(|y| *y >= 1992) {
        let table = census.balance(year, ctx.registry()?)?;
        if let Some(world) = &table.world {
            let gap_i = world.world_imports_usd - world.sum_imports_usd;
            let gap_e = world.world_exports_usd - world.sum_exports_usd;
            // Census publishes country detail and the world row separately; they agree to
            // rounding for 1992–2023, and differ by a few hundred million in the latest
            // revision year. Flag anything above 0.05% of the world total.
            let ok = gap_i.abs() <= 5e-4 * world.world_imports_usd && gap_e.abs() <= 5e-4 * world.world_exports_usd;
            if !ok || gap_i.abs() > 1e6 || gap_e.abs() > 1e6 {
                ctx.reconciliations.push(Reconciliation {
                    what: format!("Census {year}: sum of countries vs World row"),
                    ok,
                    detail: format!(
                        "imports: world − countries = {:+.1} $M; exports: {:+.1} $M",
                        gap_i / 1e6,
                        gap_e / 1e6
                    ),
                });
            }
        }
    }
    let years = census.describe_years();
    Ok(Built { rows: census.rows.len() as u64, years: years, coverage: vec![census.coverage.clone()] })
}

/// U.S. imports 2024 by HS10 line and partner, and the line descriptions.
fn step_us_imports_hs10(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let hs10 = load_hs10_raw(ctx.raw)?;
    let mut csv = String::from("CTY_CODE,I_COMMODITY,CON_VAL_YR,CAL_DUT_YR\n");
    for line in &hs10.lines {
        csv.push_str(&format!("{:04},{},{},{}\n", line.census_code, line.hs, line.value_usd, line.duty_usd));
    }
    write_gz(ctx.out, "us_imports_hs10_2024.csv.gz", &csv)?;
    let mut descriptions: Vec<(&HsCode, &String)> = hs10.descriptions.iter().collect();
    descriptions.sort();
    let mut desc_csv = String::from("hs,description\n");
    for (code, text) in descriptions {
        desc_csv.push_str(&format!("{},{}\n", code, csv_field(text)));
    }
    write_gz(ctx.out, "hs10_descriptions.csv.gz", &desc_csv)?;
    let back = UsImports::parse_hs10_csv("us_imports_hs10_2024.csv.gz", csv.as_bytes(), 2024)?;
    check_round_trip("us_imports_hs10", &hs10.coverage, &back.coverage)?;
    let built = Built { rows: hs10.lines.len() as u64, years: "2024".into(), coverage: vec![hs10.coverage.clone()] };
    ctx.hs10 = Some(hs10);
    Ok(built)
}

/// U.S. imports 2024 by HS2 chapter and partner, reconciled with the HS10 lines.
fn step_us_imports_hs2(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let hs2 = load_hs2_raw(ctx.raw)?;
    let mut csv = String::from("CTY_CODE,HS2,2024_imports,2024_duty,2025_tariff_increase\n");
    for line in &hs2.lines {
        let increase = hs2.modelled_increase_pp.get(&(line.census_code, line.hs)).map_or_else(String::new, |v| v.to_string());
        csv.push_str(&format!("{:04},{},{},{},{increase}\n", line.census_code, line.hs, line.value_usd, line.duty_usd));
    }
    write_gz(ctx.out, "us_imports_hs2_2024.csv.gz", &csv)?;
    let back = UsImports::parse_hs2_csv("us_imports_hs2_2024.csv.gz", csv.as_bytes(), 2024)?;
    check_round_trip("us_imports_hs2", &hs2.coverage, &back.coverage)?;
    if back.modelled_increase_pp != hs2.modelled_increase_pp {
        return Err(DataError::Reconciliation { what: "us_imports_hs2 round trip".into(), detail: "the modelled 2025 increases differ after reading back".into() });
    }
    let hs10 = ctx.hs10.as_ref().ok_or_else(|| DataError::NotAvailable { message: "the HS10 step runs before the HS2 step".into() })?;
    let cells = reconcile_hs10_hs2(hs10, &hs2);
    let worst = cells.iter().map(|c| c.difference_usd().abs()).fold(0.0, f64::max);
    let differing = cells.iter().filter(|c| c.difference_usd().abs() > 0.5).count();
    ctx.reconciliations.push(Reconciliation {
        what: "U.S. imports 2024: HS10 lines summed to chapters vs the HS2 files, every partner with HS10 data".into(),
        ok: differing == 0,
        detail: format!(
            "{} partner × chapter cells compared; {differing} differ by more than $0.50; largest difference ${worst:.0}",
            cells.len()
        ),
    });
    Ok(Built { rows: hs2.lines.len() as u64, years: "2024".into(), coverage: vec![hs2.coverage.clone()] })
}

/// U.S. exports by HS2 chapter and partner, held against the file's Total lines.
fn step_us_exports_hs2(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let path = find_input(ctx.raw, "us_exports_hs2")?;
    let exports = UsExports::parse(&rel(ctx.raw, &path), read::open(&path)?, ctx.registry()?)?;
    let csv = exports_to_csv(&exports);
    write_gz(ctx.out, "us_exports_hs2.csv.gz", &csv)?;
    let mut chapters = String::from("hs,description\n");
    for (code, name) in &exports.chapter_names {
        chapters.push_str(&format!("{},{}\n", code, csv_field(name)));
    }
    write_gz(ctx.out, "hs2_chapters.csv.gz", &chapters)?;
    for year in &exports.years {
        if let Some(file_total) = exports.file_totals.get(year) {
            let ours = exports.total(*year);
            let set_aside: f64 = exports.coverage.value_rejected();
            ctx.reconciliations.push(Reconciliation {
                what: format!("USITC DataWeb exports {year}: sum of rows vs the file's Total line"),
                ok: (ours - file_total).abs() <= 1.0 + set_aside,
                detail: format!("rows {ours:.0} USD, Total line {file_total:.0} USD"),
            });
        }
    }
    let years = format!("{}–{}", exports.years.first().unwrap_or(&0), exports.years.last().unwrap_or(&0));
    Ok(Built { rows: exports.lines.len() as u64, years: years, coverage: vec![exports.coverage.clone()] })
}

/// Japan MOF trade by area and commodity.
fn step_japan_mof_trade(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let path = find_input(ctx.raw, "japan_mof_trade")?;
    let mof = JapanTrade::parse(&rel(ctx.raw, &path), read::open(&path)?, ctx.registry()?)?;
    let mut csv = String::from("direction,partner,goods,year,value_bn_jpy\n");
    for l in &mof.lines {
        csv.push_str(&format!("{},{},{},{},{}\n", l.direction, l.partner, csv_field(&l.goods), l.year, l.value_bn_jpy));
    }
    write_gz(ctx.out, "japan_mof_trade.csv.gz", &csv)?;
    let back = parse_mof_snapshot("japan_mof_trade.csv.gz", &csv)?;
    check_round_trip("japan_mof_trade", &mof.coverage, &back.coverage)?;
    Ok(Built { rows: mof.lines.len() as u64, years: "2009–2026 (2026: Jan–Mar)".into(), coverage: vec![mof.coverage.clone()] })
}

/// IMF WEO October 2025.
fn step_imf_weo(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let weo = load_weo_raw(ctx.raw)?;
    let csv = weo.to_snapshot_csv();
    write_gz(ctx.out, "imf_weo.csv.gz", &csv)?;
    let back = Weo::parse_long("imf_weo.csv.gz", csv.as_bytes(), &[])?;
    let kept = weo.coverage.as_ref().map_or(0, |c| c.rows_kept);
    if back.coverage.as_ref().map_or(0, |c| c.rows_kept) != kept {
        return Err(DataError::Reconciliation { what: "imf_weo round trip".into(), detail: "observation counts differ".into() });
    }
    Ok(Built { rows: kept, years: "1980–2030 (projections after each series' last actual year)".into(), coverage: weo.coverage.clone().into_iter().collect() })
}

/// The HTS 2025 basic edition.
fn step_hts(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let path = find_input(ctx.raw, "hts")?;
    let hts = Hts::parse(&rel(ctx.raw, &path), read::open(&path)?)?;
    let mut csv = String::from("HTS Number,Indent,Description,General Rate of Duty,Special Rate of Duty,Column 2 Rate of Duty\n");
    for l in &hts.lines {
        let code = l.code.map_or_else(String::new, |c| c.dotted());
        csv.push_str(&format!(
            "{},{},{},{},{},{}\n",
            code,
            l.indent,
            csv_field(&l.description),
            csv_field(&l.general),
            csv_field(&l.special),
            csv_field(&l.column2)
        ));
    }
    write_gz(ctx.out, "hts_2025.csv.gz", &csv)?;
    let back = Hts::parse("hts_2025.csv.gz", csv.as_bytes())?;
    check_round_trip("hts", &hts.coverage, &back.coverage)?;
    Ok(Built { rows: hts.lines.len() as u64, years: "2025 basic edition".into(), coverage: vec![hts.coverage.clone()] })
}

/// Tariff law inputs: lists, USMCA and preference shares, metal content.
fn step_tariff_inputs(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let inputs = crate::tariff_inputs::load_raw(ctx.raw, ctx.registry()?)?;
    let texts = crate::tariff_inputs::to_snapshot(&inputs);
    for (name, text) in crate::tariff_inputs::SNAPSHOT_FILES.iter().zip(&texts) {
        write_gz(ctx.out, name, text)?;
    }
    let back = crate::tariff_inputs::from_snapshot(&texts)?;
    let codes = |t: &crate::tariff_inputs::TariffInputs| t.lists.values().map(|l| l.codes.len()).sum::<usize>();
    if codes(&back) != codes(&inputs) || back.usmca_share.len() != inputs.usmca_share.len() || back.metal.len() != inputs.metal.len() {
        return Err(DataError::Reconciliation { what: "tariff_inputs round trip".into(), detail: "counts differ after reading back".into() });
    }
    let rows = (codes(&inputs) + inputs.usmca_share.len() + inputs.metal.len() + inputs.preference_share.len()) as u64;
    Ok(Built { rows: rows, years: "2024–2026 (legal acts); shares 2024".into(), coverage: inputs.coverage.clone() })
}

/// Trade elasticities (Hauk, Broda–Weinstein, Fontagné–Guimbard–Orefice).
fn step_elasticities(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let tables = crate::elasticities::ElasticityTables::load_raw(ctx.raw)?;
    let csv = tables.to_snapshot_checked("elasticities.csv.gz")?;
    write_gz(ctx.out, "elasticities.csv.gz", &csv)?;
    let rows = tables.n_entries() as u64;
    Ok(Built { rows: rows, years: "HTS 1989–2001, HS6 1978–2001, HS2007".into(), coverage: tables.coverage() })
}

/// Caliendo–Parro 1993 data.
fn step_caliendo_parro_2015(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let cp = crate::cp2015::Cp2015Data::load(&ctx.raw.join("caliendo_parro_2015"))?;
    let text = cp.to_snapshot();
    write_gz(ctx.out, "caliendo_parro_2015.txt.gz", &text)?;
    if crate::cp2015::Cp2015Data::from_snapshot("caliendo_parro_2015.txt.gz", &text)? != cp {
        return Err(DataError::Reconciliation { what: "caliendo_parro_2015 round trip".into(), detail: "values differ".into() });
    }
    Ok(Built { rows: 31 * 40, years: "1993 (tariffs 1993 and 2005)".into(), coverage: vec![] })
}

/// The gegravity sample.
fn step_gegravity_sample(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let panel = crate::gravity_data::GravityPanel::load(&ctx.raw.join("gegravity_sample/sample_data_set.dlm"))?;
    let csv = panel.to_snapshot_csv();
    write_gz(ctx.out, "gegravity_sample.csv.gz", &csv)?;
    let back = crate::gravity_data::GravityPanel::parse("gegravity_sample.csv.gz", csv.as_bytes())?;
    if back.rows.len() != panel.rows.len() {
        return Err(DataError::Reconciliation { what: "gegravity_sample round trip".into(), detail: "row counts differ".into() });
    }
    Ok(Built { rows: panel.rows.len() as u64, years: "2006".into(), coverage: vec![panel.coverage.clone()] })
}

/// The WIOD 2011 world input–output table.
fn step_wiod_2011(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let wiod = crate::mrio::load_wiod_csv(&ctx.raw.join("wiod_2013_release/derived_csv_2011"), 2011, &crate::mrio::MrioLoadOptions::wiod())?;
    let bytes = crate::mrio::wiod_to_snapshot(&wiod.table, 2011)?;
    {
        let path = ctx.out.join("wiod_2011.txt.gz");
        std::fs::write(&path, &bytes).map_err(|e| DataError::io(&path, e))?;
    }
    let back = crate::mrio::wiod_from_snapshot("wiod_2011.txt.gz", &bytes, &crate::mrio::MrioLoadOptions::wiod())?;
    if back.table != wiod.table {
        return Err(DataError::Reconciliation { what: "wiod_2011 round trip".into(), detail: "values differ".into() });
    }
    let n = wiod.table.regions.len() * wiod.table.sectors.len();
    Ok(Built { rows: n as u64, years: "2011".into(), coverage: vec![wiod.coverage.clone()] })
}

/// HS → ISIC Rev.3 → WIOD sectors.
fn step_concordance_hs_wiod(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let map = crate::concordance::HsToWiod::load_raw(ctx.raw)?;
    let csv = map.to_snapshot_csv();
    write_gz(ctx.out, "hs_wiod.csv.gz", &csv)?;
    if crate::concordance::HsToWiod::from_snapshot_csv("hs_wiod.csv.gz", &csv)?.to_snapshot_csv() != csv {
        return Err(DataError::Reconciliation { what: "concordance_hs_wiod round trip".into(), detail: "tables differ after reading back".into() });
    }
    let rows = (csv.lines().count() - 1) as u64;
    Ok(Built { rows: rows, years: "HS 1992–2022".into(), coverage: map.load_coverage.clone() })
}

/// Toyota's results by country and OICA production.
fn step_autos(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let (toyota, oica) = crate::autos::load_raw(ctx.raw)?;
    let t_csv = toyota.to_snapshot_csv();
    let o_csv = oica.to_snapshot_csv();
    write_gz(ctx.out, "toyota_results.csv.gz", &t_csv)?;
    write_gz(ctx.out, "oica_production.csv.gz", &o_csv)?;
    let back = crate::autos::ToyotaResults::parse("toyota_results.csv.gz", t_csv.as_bytes())?;
    if back.rows != toyota.rows {
        return Err(DataError::Reconciliation { what: "toyota_results round trip".into(), detail: "rows differ".into() });
    }
    let rows = (toyota.rows.len() + oica.rows.len()) as u64;
    Ok(Built { rows: rows, years: "2007–2024 (Toyota), 2019–2024 (OICA)".into(), coverage: vec![toyota.coverage.clone(), oica.coverage.clone()] })
}

/// θ for the WIOD sectors.
fn step_wiod_thetas(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let thetas = crate::ge_inputs::load_wiod_thetas(ctx.raw)?;
    let csv = crate::ge_inputs::to_snapshot(&thetas);
    write_gz(ctx.out, "wiod_thetas.csv.gz", &csv)?;
    if crate::ge_inputs::from_snapshot("wiod_thetas.csv.gz", &csv)?.theta != thetas.theta {
        return Err(DataError::Reconciliation { what: "wiod_thetas round trip".into(), detail: "values differ".into() });
    }
    // CP's θ re-estimated with standard errors, for Monte Carlo draws.
    let estimates = crate::ge_inputs::load_cp_thetas(ctx.raw)?;
    let csv = crate::ge_inputs::cp_thetas_to_snapshot(&estimates);
    write_gz(ctx.out, "cp2015_theta_estimates.csv.gz", &csv)?;
    if crate::ge_inputs::cp_thetas_from_snapshot("cp2015_theta_estimates.csv.gz", &csv)?.rows != estimates.rows {
        return Err(DataError::Reconciliation { what: "cp2015_theta_estimates round trip".into(), detail: "values differ".into() });
    }
    Ok(Built { rows: 35 + estimates.rows.len() as u64, years: "CP (2015) estimates".into(), coverage: vec![thetas.coverage.clone(), estimates.coverage] })
}

/// BEA's 2017 IO tables and the code maps; the matrix and the bridge must read back exactly.
fn step_bea_io_2017(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    use crate::us_io;
    let io = us_io::load_io_raw(ctx.raw)?;
    let text = us_io::io_to_snapshot(&io);
    write_gz(ctx.out, us_io::IO_SNAPSHOT, &text)?;
    let back = us_io::io_from_snapshot(us_io::IO_SNAPSHOT, &text)?;
    if back.total_requirements != io.total_requirements || back.pce != io.pce || back.commodities != io.commodities || back.hs10 != io.hs10 {
        return Err(DataError::Reconciliation { what: "bea_io_2017 round trip".into(), detail: "tables differ after reading back".into() });
    }
    let rows = (io.commodities.len() + io.pce.len() + io.hs10.len()) as u64;
    Ok(Built { rows, years: "2017 (benchmark)".into(), coverage: io.coverage })
}

/// Monthly imports and duties by NAICS6, reconciled by total through the round trip.
fn step_us_imports_naics6_monthly(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    use crate::us_io;
    let monthly = us_io::load_monthly_raw(ctx.raw)?;
    let text = us_io::monthly_to_snapshot(&monthly);
    write_gz(ctx.out, us_io::MONTHLY_SNAPSHOT, &text)?;
    let back = us_io::monthly_from_snapshot(us_io::MONTHLY_SNAPSHOT, &text)?;
    if back.rows != monthly.rows {
        return Err(DataError::Reconciliation { what: "us_imports_naics6_monthly round trip".into(), detail: "rows differ after reading back".into() });
    }
    let years = monthly.span().map_or_else(String::new, |(a, b)| format!("{a}…{b}"));
    Ok(Built { rows: monthly.rows.len() as u64, years, coverage: vec![monthly.coverage] })
}

/// The GSIM 4-region example: the four small CSVs in one file, one section each.
fn step_gsim_4region(ctx: &mut BuildCtx<'_>) -> Result<Built, DataError> {
    let mut text = String::new();
    for name in GSIM_FILES {
        text.push_str(&format!("### {name}\n"));
        text.push_str(read::read_to_string(&ctx.raw.join("gsim_4region_example").join(name))?.trim_end());
        text.push('\n');
    }
    write_gz(ctx.out, "gsim_4region.txt.gz", &text)?;
    let inputs = parse_gsim_sections(&text)?;
    Ok(Built { rows: inputs.exporters.len() as u64, years: "example".into(), coverage: vec![] })
}

fn rel(raw: &Path, path: &Path) -> String {
    path.strip_prefix(raw).unwrap_or(path).display().to_string()
}

fn check_round_trip(id: &str, original: &Coverage, back: &Coverage) -> Result<(), DataError> {
    let value_ok = (original.value_kept - back.value_kept).abs() <= 1e-9 * original.value_kept.abs().max(1.0);
    if original.rows_kept != back.rows_kept || !value_ok {
        return Err(DataError::Reconciliation {
            what: format!("{id} snapshot round trip"),
            detail: format!(
                "kept {} rows worth {} from the official files, read back {} rows worth {}",
                original.rows_kept, original.value_kept, back.rows_kept, back.value_kept
            ),
        });
    }
    Ok(())
}

fn entry(raw: &Path, out: &Path, id: &str, rows: u64, years: String, coverage: Vec<Coverage>) -> Result<ManifestEntry, DataError> {
    let info = catalog::dataset(id).ok_or_else(|| DataError::NotAvailable { message: format!("unknown dataset {id}") })?;
    let mut inputs = Vec::new();
    for (idx, spec) in info.inputs.iter().enumerate() {
        let Ok(path) = find_input_at(raw, id, idx) else {
            // Optional second inputs (WEO notes) may be absent.
            if idx > 0 {
                continue;
            }
            return Err(DataError::MissingFile { dataset: id.into(), dir: raw.into(), tried: (*spec).into() });
        };
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
                .map_err(|e| DataError::io(&path, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            files.sort();
            // One checksum over the folder: the files' checksums in name order.
            let mut hasher = Sha256::new();
            let mut bytes = 0;
            for file in &files {
                let sum = file_sum(raw, file)?;
                hasher.update(sum.path.as_bytes());
                hasher.update(sum.sha256.as_bytes());
                bytes += sum.bytes;
            }
            inputs.push(FileSum { path: format!("{} ({} files)", rel(raw, &path), files.len()), bytes, sha256: hex(&hasher.finalize()) });
        } else {
            inputs.push(file_sum(raw, &path)?);
        }
    }
    let mut outputs = Vec::new();
    for name in info.snapshot {
        outputs.push(file_sum(out, &out.join(name))?);
    }
    Ok(ManifestEntry { id: id.into(), inputs, outputs, rows, years, coverage })
}

fn file_sum(base: &Path, path: &Path) -> Result<FileSum, DataError> {
    let bytes = std::fs::read(path).map_err(|e| DataError::io(path, e))?;
    Ok(FileSum { path: rel(base, path), bytes: bytes.len() as u64, sha256: hex(&Sha256::digest(&bytes)) })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn write_plain(out: &Path, name: &str, text: &str) -> Result<(), DataError> {
    let path = out.join(name);
    std::fs::write(&path, text).map_err(|e| DataError::io(&path, e))
}

fn write_gz(out: &Path, name: &str, text: &str) -> Result<(), DataError> {
    let path = out.join(name);
    // mtime 0 and no file name in the header, so identical inputs give identical bytes.
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(text.as_bytes()).map_err(|e| DataError::io(&path, e))?;
    let bytes = encoder.finish().map_err(|e| DataError::io(&path, e))?;
    std::fs::write(&path, bytes).map_err(|e| DataError::io(&path, e))
}

/// Quotes a CSV field when needed.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn exports_to_csv(exports: &UsExports) -> String {
    let mut lines: Vec<&ExportLine> = exports.lines.iter().collect();
    lines.sort_by(|a, b| (a.partner, a.chapter, a.year).cmp(&(b.partner, b.chapter, b.year)));
    let mut csv = String::from("partner,hs2,year,value_usd\n");
    for l in lines {
        csv.push_str(&format!("{},{},{},{}\n", l.partner, l.chapter, l.year, l.value_usd));
    }
    csv
}

/// Reads `hs,description` into a map.
pub fn read_descriptions(file: &str, text: &str, into: &mut HashMap<HsCode, String>) -> Result<(), DataError> {
    let mut table = Table::new(file, text.as_bytes(), TableOptions::default())?;
    let cols = table.require(&["hs", "description"])?;
    while let Some(row) = table.next_row()? {
        let code = HsCode::parse_vintage(row.str(cols[0]), HsVintage::Hs2022).map_err(|e| row.error(cols[0], e.to_string()))?;
        into.insert(code, row.str(cols[1]).to_string());
    }
    Ok(())
}

/// Reads the embedded tariff inputs.
pub fn read_tariff_inputs() -> Result<crate::tariff_inputs::TariffInputs, DataError> {
    let mut texts: [String; 5] = Default::default();
    for (slot, name) in texts.iter_mut().zip(crate::tariff_inputs::SNAPSHOT_FILES) {
        *slot = embedded_text(name)?;
    }
    crate::tariff_inputs::from_snapshot(&texts)
}

/// Reads the embedded Caliendo–Parro data.
pub fn read_cp2015() -> Result<crate::cp2015::Cp2015Data, DataError> {
    crate::cp2015::Cp2015Data::from_snapshot("caliendo_parro_2015.txt.gz", &embedded_text("caliendo_parro_2015.txt.gz")?)
}

/// Reads the embedded gegravity sample.
pub fn read_gegravity_sample() -> Result<crate::gravity_data::GravityPanel, DataError> {
    crate::gravity_data::GravityPanel::parse("gegravity_sample.csv.gz", embedded_text("gegravity_sample.csv.gz")?.as_bytes())
}

/// Splits the GSIM sections and parses them.
pub fn parse_gsim_sections(text: &str) -> Result<crate::elasticities::gsim_input::GsimInputs, DataError> {
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("### ") {
            sections.push((name.to_string(), String::new()));
        } else if let Some(last) = sections.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    let get = |name: &str| {
        sections.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).ok_or_else(|| DataError::NotAvailable {
            message: format!("gsim_4region.txt.gz has no section `{name}`"),
        })
    };
    let (f, t0, t1, e) = (get(GSIM_FILES[0])?, get(GSIM_FILES[1])?, get(GSIM_FILES[2])?, get(GSIM_FILES[3])?);
    crate::elasticities::gsim_input::parse(
        (GSIM_FILES[0], f.as_bytes()),
        (GSIM_FILES[1], t0.as_bytes()),
        (GSIM_FILES[2], t1.as_bytes()),
        (GSIM_FILES[3], e.as_bytes()),
    )
}

/// Reads the embedded GSIM example.
pub fn read_gsim_example() -> Result<crate::elasticities::gsim_input::GsimInputs, DataError> {
    parse_gsim_sections(&embedded_text("gsim_4region.txt.gz")?)
}

/// Reads the embedded HS → WIOD 2013 sector map.
pub fn read_hs_to_wiod() -> Result<crate::concordance::HsToWiod, DataError> {
    crate::concordance::HsToWiod::from_snapshot_csv("hs_wiod.csv.gz", &embedded_text("hs_wiod.csv.gz")?)
}

/// Reads the embedded Toyota and OICA tables.
pub fn read_autos() -> Result<(crate::autos::ToyotaResults, crate::autos::OicaProduction), DataError> {
    let t = crate::autos::ToyotaResults::parse("toyota_results.csv.gz", embedded_text("toyota_results.csv.gz")?.as_bytes())?;
    let o = crate::autos::OicaProduction::parse("oica_production.csv.gz", embedded_text("oica_production.csv.gz")?.as_bytes())?;
    Ok((t, o))
}

/// Reads the embedded exports.
pub fn read_exports() -> Result<UsExports, DataError> {
    let name = "us_exports_hs2.csv.gz";
    let text = embedded_text(name)?;
    let mut table = Table::new(name, text.as_bytes(), TableOptions::default())?;
    let cols = table.require(&["partner", "hs2", "year", "value_usd"])?;
    let mut coverage = Coverage::new("us_exports_hs2", name, "USD (total exports, F.A.S.)");
    let mut lines = Vec::new();
    let mut years = std::collections::BTreeSet::new();
    while let Some(row) = table.next_row()? {
        let partner = AreaCode::new(row.str(cols[0])).ok_or_else(|| row.error(cols[0], "not an area code"))?;
        let chapter = HsCode::parse_vintage(row.str(cols[1]), HsVintage::Hs2022).map_err(|e| row.error(cols[1], e.to_string()))?;
        let year = row.year(cols[2])?;
        let value_usd = row.f64(cols[3])?;
        coverage.keep(value_usd);
        years.insert(year);
        lines.push(ExportLine { partner, chapter, year, value_usd });
    }
    let mut chapter_names = BTreeMap::new();
    let mut map = HashMap::new();
    read_descriptions("hs2_chapters.csv.gz", &embedded_text("hs2_chapters.csv.gz")?, &mut map)?;
    chapter_names.extend(map);
    Ok(UsExports { lines, chapter_names, years: years.into_iter().collect(), coverage, file_totals: BTreeMap::new() })
}

/// Reads the embedded MOF table.
pub fn read_mof() -> Result<JapanTrade, DataError> {
    let name = "japan_mof_trade.csv.gz";
    parse_mof_snapshot(name, &embedded_text(name)?)
}

fn parse_mof_snapshot(name: &str, text: &str) -> Result<JapanTrade, DataError> {
    let mut table = Table::new(name, text.as_bytes(), TableOptions::default())?;
    let cols = table.require(&["direction", "partner", "goods", "year", "value_bn_jpy"])?;
    let mut coverage = Coverage::new("japan_mof_trade", name, "JPY billions");
    let mut lines = Vec::new();
    while let Some(row) = table.next_row()? {
        let direction = match row.str(cols[0]) {
            "exports" => FlowDirection::Exports,
            "imports" => FlowDirection::Imports,
            other => return Err(row.error(cols[0], format!("`{other}` is neither `exports` nor `imports`"))),
        };
        let partner = AreaCode::new(row.str(cols[1])).ok_or_else(|| row.error(cols[1], "not an area code"))?;
        let value_bn_jpy = row.f64(cols[4])?;
        coverage.keep(value_bn_jpy);
        lines.push(MofLine { direction, partner, goods: row.str(cols[2]).to_string(), year: row.year(cols[3])?, value_bn_jpy });
    }
    Ok(JapanTrade { lines, coverage })
}

/// What PROVENANCE.md says of the one derived binary file beside the snapshot.
const DERIVED_INDEX_NOTE: &str = "## `tariff_index.bin`: the tariff data, pre-indexed (derived, not a source)\n\n\
The U.S. import cells, base schedule, tariff inputs and U.S. exports that `kanzei` derives from \
`us_imports_hs10_2024`, `us_imports_hs2_2024`, `hts_2025`, the `tariff_*` files and `us_exports_hs2` \
above, in a binary form (LZ4-compressed) that loads in milliseconds. Written by `kanzei data index` \
from the embedded snapshot after `kanzei data build` and a rebuild; its header holds a hash of those \
files and of the code that derives it, and an index with another hash is not used (the tables are \
derived from the CSVs instead). The test `shipped_index_is_current` holds it byte for byte against a \
fresh derive.\n\n";

/// `data/PROVENANCE.md`, generated from the catalog and the manifest.
pub fn provenance_markdown(manifest: &Manifest) -> String {
    let mut md = String::new();
    md.push_str("# Provenance of kanzei's embedded data snapshot\n\n");
    md.push_str("Generated by `kanzei data build --raw <dir>` (kanzei ");
    md.push_str(&manifest.kanzei_version);
    md.push_str("). Do not edit by hand: rebuild instead. Every file in `data/` is derived by kanzei's own code\n");
    md.push_str("from the official files listed below; none is a copy. The checksums identify the exact inputs.\n\n");
    for entry in &manifest.datasets {
        let Some(info) = catalog::dataset(&entry.id) else { continue };
        md.push_str(&format!("## `{}`: {}\n\n", info.id, info.title));
        md.push_str(&format!("- **Publisher:** {}\n", info.publisher));
        md.push_str(&format!("- **Licence / terms:** {}\n", info.licence));
        md.push_str(&format!("- **Cite as:** {}\n", info.citation));
        md.push_str(&format!("- **Unit and basis:** {}\n", info.unit));
        md.push_str(&format!("- **Years:** {}; **rows in snapshot:** {}\n", entry.years, entry.rows));
        md.push_str(&format!("- **Derivation:** {}\n", info.derivation));
        md.push_str("- **Inputs (relative to the raw data folder):**\n");
        for input in &entry.inputs {
            md.push_str(&format!("  - `{}` ({} bytes, sha256 `{}`)\n", input.path, input.bytes, input.sha256));
        }
        md.push_str("- **Snapshot files:**\n");
        for output in &entry.outputs {
            md.push_str(&format!("  - `{}` ({} bytes, sha256 `{}`)\n", output.path, output.bytes, output.sha256));
        }
        for cov in &entry.coverage {
            md.push_str(&format!(
                "- **Coverage:** {} rows read, {} kept; value {:.1} read, {:.1} kept ({:.3}%) [{}]\n",
                cov.rows_read,
                cov.rows_kept,
                cov.value_in,
                cov.value_kept,
                cov.kept_value_pct(),
                cov.unit
            ));
            for r in &cov.rejected {
                md.push_str(&format!(
                    "  - set aside: {} rows, value {:.1}: {}{}\n",
                    r.rows,
                    r.value,
                    r.reason,
                    r.example.as_ref().map_or_else(String::new, |e| format!(" (e.g. {e})"))
                ));
            }
        }
        md.push('\n');
    }
    md.push_str(DERIVED_INDEX_NOTE);
    md.push_str("## Reconciliations run during the build\n\n");
    md.push_str("| check | result | detail |\n|---|---|---|\n");
    for r in &manifest.reconciliations {
        md.push_str(&format!("| {} | {} | {} |\n", r.what, if r.ok { "pass" } else { "**differs**" }, r.detail));
    }
    md
}
