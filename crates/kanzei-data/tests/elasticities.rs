//! The staged elasticity sets, read from `../shared/data/raw`: row counts and values
//! against the publishers' files as described in each folder's `SOURCE.md`, the compact
//! snapshot form, and the resolver over the real 2024 U.S. HS10 import table.
#![expect(clippy::print_stderr, reason = "the tests report the numbers they check")]

use std::io::Write;
use std::path::PathBuf;

use flate2::write::GzEncoder;
use flate2::Compression;
use kanzei_core::HsCode;
use kanzei_data::elasticities::{
    ElasticityKind, ElasticityTables, Flags, Level, Resolver, ResolverConfig, SubstitutionSet, TableId,
};

fn raw() -> Option<PathBuf> {
    kanzei_data::testing::shared_raw(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn staged_tables_have_the_published_rows_and_values() {
    let Some(raw) = raw() else { return };
    let tables = ElasticityTables::load_raw(&raw).unwrap();
    let t = |id| tables.table(id).unwrap();
    for table in &tables.tables {
        assert!(table.coverage.reconciles(1e-12), "{}", table.coverage);
        eprint!("{}", table.coverage);
        eprintln!("  flags: {:?}", table.flag_counts());
    }
    // Broda–Weinstein: 13,972 rows; 2103204020 appears twice (66.70 and 5.47).
    let bw = t(TableId::BwHts10);
    assert_eq!(bw.coverage.rows_read, 13_972);
    assert_eq!(bw.entries.len(), 13_971);
    assert_eq!(bw.coverage.rows_kept, 13_970);
    assert!(bw.get(2103204020).unwrap().flags.contains(Flags::DUPLICATE));
    assert_eq!(bw.get(101110010).unwrap().value, 108.18641);
    // Hauk: impliedelasticity = 1 − demandprice; Em is its negative.
    let em10 = t(TableId::HaukEmHs10);
    assert_eq!(em10.coverage.rows_kept, 8_556);
    let e = em10.get(101110010).unwrap();
    assert_eq!((e.value, e.flags), (-0.55071425, Flags::empty()));
    assert_eq!(em10.entries.iter().filter(|e| e.flags.contains(Flags::WRONG_SIGN)).count(), 1_767);
    assert_eq!(t(TableId::HaukEmHs6).coverage.rows_kept, 4_259);
    assert_eq!(t(TableId::HaukEsHs10).coverage.rows_kept, 15_127);
    assert_eq!(t(TableId::HaukEsHs6).coverage.rows_kept, 4_695);
    // ProTEE: 5,050 products, 484 blank, flags zero = 1,880 and positive = 122 (SOURCE.md).
    let protee = t(TableId::ProteeHs6);
    assert_eq!(protee.coverage.rows_kept, 5_050);
    let count = |flag| protee.entries.iter().filter(|e| e.flags.contains(flag)).count();
    assert_eq!((count(Flags::MISSING), count(Flags::PROTEE_ZERO), count(Flags::PROTEE_POSITIVE)), (484, 1_880, 122));
    // SOURCE.md examples: 870323 −9.41, 870324 −7.44, 271111 (positive = 1) −66.3, 854231 (zero = 1) −28.1.
    assert!((protee.get(870323).unwrap().value - 9.41).abs() < 0.005);
    assert!((protee.get(870324).unwrap().value - 7.44).abs() < 0.005);
    let lng = protee.get(271111).unwrap();
    assert!((lng.value - 66.3).abs() < 0.05 && lng.flags.contains(Flags::PROTEE_POSITIVE));
    let chips = protee.get(854231).unwrap();
    assert!((chips.value - 28.1).abs() < 0.05 && chips.flags.contains(Flags::PROTEE_ZERO));
}

#[test]
fn snapshot_is_small_and_round_trips() {
    let Some(raw) = raw() else { return };
    let tables = ElasticityTables::load_raw(&raw).unwrap();
    let csv = tables.to_snapshot_checked("elasticities.csv.gz").unwrap();
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(csv.as_bytes()).unwrap();
    let gz = encoder.finish().unwrap();
    eprintln!("elasticities snapshot: {} rows, {} bytes, {} bytes gzipped", csv.lines().count() - 1, csv.len(), gz.len());
    assert!(gz.len() < 2_000_000);
    let back = ElasticityTables::from_snapshot_csv("elasticities.csv", &csv).unwrap();
    for table in &tables.tables {
        let other = back.table(table.id).unwrap();
        assert_eq!(table.entries.len(), other.entries.len(), "{}", table.id.id());
        for (a, b) in table.entries.iter().zip(&other.entries) {
            assert_eq!((a.code, a.flags), (b.code, b.flags));
            assert!(a.value.to_bits() == b.value.to_bits() || (a.value.is_nan() && b.value.is_nan()));
        }
    }
}

#[test]
fn resolver_covers_the_2024_us_import_table() {
    let Some(raw) = raw() else { return };
    let tables = ElasticityTables::load_raw(&raw).unwrap();
    let store = kanzei_data::Store::embedded();
    let imports = store.us_imports_hs10().unwrap();
    let all: Vec<u16> = imports.partners();
    let by_code: Vec<(HsCode, f64)> = imports.by_product(&all, 10).into_iter().map(|(code, (value, _))| (code, value)).collect();
    for set in [SubstitutionSet::BrodaWeinstein, SubstitutionSet::Protee, SubstitutionSet::Hauk] {
        let resolver = Resolver::new(&tables, None, ResolverConfig { substitution: set, ..ResolverConfig::default() });
        let (resolved, report) = resolver.resolve_all(&by_code);
        eprintln!("Es from {set:?}\n{report}");
        assert_eq!(resolved.len(), by_code.len());
        for kind in ElasticityKind::ALL {
            let share: f64 = [Level::Override, Level::Hs10, Level::Hs6, Level::Hs4Median, Level::Hs2Median, Level::Default]
                .into_iter()
                .map(|level| report.value_share_pct(kind, level))
                .sum();
            assert!((share - 100.0).abs() < 1e-9, "{kind}: {share}");
        }
        // Every value handed out respects the sign convention.
        for product in &resolved {
            for kind in ElasticityKind::ALL {
                kind.check(product.get(kind).value).unwrap();
            }
        }
        // Chapters 98 and 99 (special provisions) have no published elasticities; apart from
        // them the chains reach a published value for nearly all of the value.
        let default_share = report.value_share_pct(ElasticityKind::Substitution, Level::Default);
        assert!(default_share < 5.0, "{set:?}: {default_share}% of value on the default Es");
    }
    // The autos line the issue asks about, with its full provenance.
    let resolver = Resolver::new(&tables, None, ResolverConfig::default());
    let cars = resolver.resolve(HsCode::parse("8703230190").unwrap());
    for kind in ElasticityKind::ALL {
        let r = cars.get(kind);
        eprintln!("8703230190 {}: {} from {} {} ({}); flags {:?}; trail {:?}", kind.symbol(), r.value, r.set, r.source_code, r.level.label(), r.flags, r.trail);
    }
    for alt in resolver.alternatives(HsCode::parse("870323").unwrap()) {
        eprintln!("870323 alternative {}: {} from {} {} ({})", alt.kind.symbol(), alt.value, alt.set, alt.source_code, alt.level.label());
    }
}
