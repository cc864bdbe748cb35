//! The HS → ISIC Rev.3 concordances as staged in `../shared/data/raw/concordance_hs_isic`
//! (row counts and many-to-many cases as in its SOURCE.md and the files themselves), and
//! the HS → WIOD 2013 mapping applied to the real 2024 U.S. import table: Japan's transport
//! equipment, the share of value mapped at each level, and reconciliation to the dollar.
#![expect(clippy::print_stderr, reason = "the tests report the numbers they check")]

use std::io::Write;
use std::path::PathBuf;

use flate2::write::GzEncoder;
use flate2::Compression;
use kanzei_core::{HsCode, HsVintage};
use kanzei_data::concordance::{
    Concordance, ConcordanceTable, FallbackReason, HsToWiod, MatchLevel, UnmappedReason, WiodSector,
};
use kanzei_data::Store;

fn raw() -> Option<PathBuf> {
    kanzei_data::testing::shared_raw(env!("CARGO_MANIFEST_DIR"))
}

fn c(text: &str) -> WiodSector {
    WiodSector::parse(text).unwrap()
}

fn hs(text: &str) -> HsCode {
    HsCode::parse_vintage(text, HsVintage::Hs2022).unwrap()
}

/// Census Schedule C code of Japan.
const JAPAN: u16 = 5880;

#[test]
fn staged_tables_have_their_documented_rows() {
    let Some(raw) = raw() else { return };
    let dir = raw.join("concordance_hs_isic/derived_csv");
    // SOURCE.md: hs6_isic3 5,613 rows, hs0_isic3 5,018, hs_isic3 6,891 (6,881 HS6).
    for (table, rows, no_industry) in
        [(ConcordanceTable::Hs2022, 5_613, 80), (ConcordanceTable::Hs1992, 5_018, 76), (ConcordanceTable::Combined, 6_891, 94)]
    {
        let concordance = Concordance::load(&dir.join(table.file_name())).unwrap();
        eprint!("{}", concordance.coverage);
        assert_eq!(concordance.table, table);
        assert_eq!(concordance.coverage.rows_read, rows);
        assert_eq!(concordance.lines.len() as u64, rows, "no exact duplicates");
        assert_eq!(concordance.coverage.rows_rejected(), no_industry);
        assert!(concordance.coverage.reconciles(0.0));
        let mut codes: Vec<u64> = concordance.lines.iter().map(|l| l.hs6.value()).collect();
        codes.sort_unstable();
        codes.dedup();
        let expected_codes = if table == ConcordanceTable::Combined { 6_881 } else { rows as usize };
        assert_eq!(codes.len(), expected_codes, "{table:?}");
    }
    let map = HsToWiod::load_raw(&raw).unwrap();
    assert_eq!(map.tables(), vec![ConcordanceTable::Hs2022, ConcordanceTable::Combined]);
    assert_eq!(map.table_used(HsVintage::Hs2022), ConcordanceTable::Hs2022);
    assert_eq!(map.table_used(HsVintage::Hs2007), ConcordanceTable::Combined);
    // The combined table's many-to-many codes: a code reused across vintages gets equal
    // shares of its classes. 852491 was recorded media (ISIC 2213, c7) in HS2007 and is
    // display modules (ISIC 3220, c14) in HS2022.
    let old = HsCode::parse_vintage("852491", HsVintage::Hs2007).unwrap();
    assert_eq!(map.map(old).unwrap().shares, &[(c("c7"), 0.5), (c("c14"), 0.5)]);
    assert_eq!(map.map(hs("852491")).unwrap().shares, &[(c("c14"), 1.0)]);
    // Cars, tractors (ISIC 2921 agricultural machinery, c13), vehicle engines (3410, c15).
    assert_eq!(map.map(hs("8703230190")).unwrap().shares, &[(c("c15"), 1.0)]);
    assert_eq!(map.map(hs("8701920000")).unwrap().shares, &[(c("c13"), 1.0)]);
    assert_eq!(map.map(hs("8407340000")).unwrap().shares, &[(c("c15"), 1.0)]);
    // Ferrous scrap has no industry and neither has its heading: chapter 72 (basic iron and
    // steel) decides.
    let scrap = map.map(hs("7204490000")).unwrap();
    assert_eq!((scrap.level, scrap.fallback, scrap.shares), (MatchLevel::Hs2Majority, Some(FallbackReason::NoIndustry), &[(c("c12"), 1.0)][..]));
    // U.S. statistical code 2918.00 is not an HS2022 subheading: heading 2918 is chemicals.
    let national = map.map(hs("2918000000")).unwrap();
    assert_eq!((national.level, national.shares), (MatchLevel::Hs4Majority, &[(c("c9"), 1.0)][..]));
    assert_eq!(map.map(hs("9801001098")).unwrap_err(), UnmappedReason::Chapter98);
}

#[test]
fn japan_2024_transport_equipment_holds_chapters_86_to_89() {
    let Some(raw) = raw() else { return };
    let map = HsToWiod::load_raw(&raw).unwrap();
    let imports = Store::embedded().us_imports_hs10().unwrap();
    let japan: Vec<(HsCode, f64)> =
        imports.lines.iter().filter(|l| l.census_code == JAPAN).map(|l| (l.hs, l.value_usd)).collect();
    let total: f64 = japan.iter().map(|(_, v)| v).sum();
    let values = map.map_values("U.S. imports from Japan 2024 → WIOD", "us_imports_hs10", "USD", japan.iter().copied());
    let cov = &values.coverage;
    eprint!("{cov}");
    for sector in WiodSector::all() {
        if values.get(sector) > 0.0 {
            eprintln!("  {sector:>3} {:>8.3} bn  {}", values.get(sector) / 1e9, sector.name());
        }
    }

    // Every dollar is accounted for. The values are whole dollars and the sums stay far
    // below 2^53, so the floating-point sums are exact.
    assert_eq!(cov.coverage.value_in, total);
    assert_eq!(cov.mapped_value() + cov.unmapped_value(), total);
    assert_eq!(values.by_sector.values().sum::<f64>(), cov.mapped_value());
    assert!(cov.reconciles(0.0));

    // Unmapped is exactly chapters 98 and 99 (American goods returned and the like).
    let special: f64 = japan.iter().filter(|(code, _)| code.chapter_number() >= 98).map(|(_, v)| v).sum();
    assert_eq!(cov.unmapped_value(), special);
    // Japan's 2024 total is $151.3 bn (Census, imports for consumption), chapter 98/99
    // $6.5 bn (4.3%), and 95.6% maps through its own HS6 subheading.
    assert!((total / 1e9 - 151.34).abs() < 0.01, "{}", total / 1e9);
    assert!((cov.unmapped_pct() - 4.28).abs() < 0.01, "{}", cov.unmapped_pct());
    assert!(cov.level_pct(MatchLevel::Hs6Exact) > 95.5, "{}", cov.level_pct(MatchLevel::Hs6Exact));

    // c15 against its definition in HS terms. ISIC 34 (motor vehicles, bodies, parts and
    // engines) and 35 (other transport equipment) cover chapters 86–89 except tractors
    // (8701, 871620: ISIC 2921 agricultural machinery; 870130: 2924 construction), works
    // trucks (8709: 2915 lifting and handling), tanks (8710: 2927 weapons), baby carriages
    // (8715: 3699), parachutes (8804: 1721 made-up textiles) and small drones (8806.21–.24,
    // .91–.94: 3230; passenger drones and drones over 150 kg stay in 3530). They
    // also include the vehicle and aircraft engines of chapter 84: 8407.10 and 8409.10
    // (aircraft piston engines, 3530), 8407.31–.34 and 8408.20 (vehicle engines, 3410),
    // 8409.91/.99 (engine parts, 3430), 8411.11/.12/.91 (turbojets, 3530), 8412.10 (reaction
    // engines, 3530).
    let outside_c15 = [
        "8701", "871620", "8709", "8710", "8715", "8804", "880621", "880622", "880623", "880624", "880691", "880692", "880693", "880694",
    ];
    let engines = ["840710", "840731", "840732", "840733", "840734", "840820", "840910", "840991", "840999", "841111", "841112", "841191", "841210"];
    let starts = |code: &HsCode, prefixes: &[&str]| prefixes.iter().any(|p| code.to_string().starts_with(p));
    let expected_c15: f64 = japan
        .iter()
        .filter(|(code, _)| {
            ((86..=89).contains(&code.chapter_number()) && !starts(code, &outside_c15)) || starts(code, &engines)
        })
        .map(|(_, v)| v)
        .sum();
    assert_eq!(values.get(c("c15")), expected_c15);
    // HS 87 alone is about $52 bn of Japan's exports to the U.S. (cars, 8703: $41.9 bn).
    let hs87: f64 = japan.iter().filter(|(code, _)| code.chapter_number() == 87).map(|(_, v)| v).sum();
    assert!((hs87 / 1e9 - 52.13).abs() < 0.01, "{}", hs87 / 1e9);
    // c15 = $57.2 bn: HS87 less $1.0 bn of tractors, plus $4.2 bn of engines and $1.8 bn of
    // chapters 86, 88 and 89.
    assert!((values.get(c("c15")) / 1e9 - 57.16).abs() < 0.01, "{}", values.get(c("c15")) / 1e9);
    assert!(values.get(c("c15")) > hs87);
    // Machinery (c13) and electrical and optical equipment (c14) come next, and c15 is the
    // largest sector.
    let largest = values.by_sector.iter().max_by(|a, b| a.1.total_cmp(b.1)).unwrap();
    assert_eq!(*largest.0, c("c15"));
}

#[test]
fn all_2024_us_hs10_imports_map_with_reported_coverage() {
    let Some(raw) = raw() else { return };
    let map = HsToWiod::load_raw(&raw).unwrap();
    let imports = Store::embedded().us_imports_hs10().unwrap();
    // The EU aggregate (Census code 0003) repeats its members: leave it out.
    let lines = imports.lines.iter().filter(|l| l.census_code != 3).map(|l| (l.hs, l.value_usd));
    let values = map.map_values("U.S. imports 2024, 50 partners with HS10 detail → WIOD", "us_imports_hs10", "USD", lines);
    let cov = &values.coverage;
    eprint!("{cov}");
    assert!(cov.reconciles(1e-12));
    // $2,619.5 bn in these 50 partners' HS10 lines; 96.28% maps through its own HS6,
    // 0.30% through a heading or chapter (waste, scrap, by-products, one U.S. code), and the
    // 3.42% of chapters 98 and 99 ($64.4 bn of American goods returned, $19.4 bn of
    // low-value estimates, ...) stays unmapped.
    assert!((cov.coverage.value_in / 1e9 - 2619.49).abs() < 0.01);
    assert!((cov.level_pct(MatchLevel::Hs6Exact) - 96.28).abs() < 0.01, "{}", cov.level_pct(MatchLevel::Hs6Exact));
    let fallback = cov.level_pct(MatchLevel::Hs4Majority) + cov.level_pct(MatchLevel::Hs2Majority);
    assert!((fallback - 0.30).abs() < 0.01, "{fallback}");
    assert!((cov.unmapped_pct() - 3.42).abs() < 0.01, "{}", cov.unmapped_pct());
    let reasons: Vec<&str> = cov.coverage.rejected.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons.contains(&UnmappedReason::Chapter98.describe()));
    assert!(reasons.contains(&UnmappedReason::Chapter99.describe()));
}

#[test]
fn snapshot_form_is_small_and_reads_back_identically() {
    let Some(raw) = raw() else { return };
    let map = HsToWiod::load_raw(&raw).unwrap();
    let csv = map.to_snapshot_csv();
    let back = HsToWiod::from_snapshot_csv("hs_wiod.csv.gz", &csv).unwrap();
    // Same mapping for every subheading, heading and chapter of both tables.
    for line in csv.lines().skip(1) {
        let mut fields = line.split(',');
        let vintage = match fields.next().unwrap() {
            "hs2022" => HsVintage::Hs2022,
            _ => HsVintage::Hs2007,
        };
        let code = HsCode::parse_vintage(fields.next().unwrap(), vintage).unwrap();
        for len in [6, 4, 2] {
            let prefix = code.prefix(len).unwrap();
            assert_eq!(map.map(prefix), back.map(prefix), "{prefix}");
        }
    }
    assert_eq!(back.to_snapshot_csv(), csv);
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(csv.as_bytes()).unwrap();
    let bytes = encoder.finish().unwrap().len();
    eprintln!("hs_wiod.csv.gz: {} rows, {bytes} bytes", csv.lines().count() - 1);
    // 5,613 + 6,881 subheadings; a few tens of kilobytes compressed.
    assert_eq!(csv.lines().count() - 1, 5_613 + 6_881);
    assert!(bytes < 48 * 1024, "{bytes}");
}

#[test]
fn bad_input_is_reported_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hs6_isic3.csv");
    std::fs::write(
        &path,
        "HS6_6d,HS6_4d,HS6_2d,ISIC3_4d,ISIC3_3d,ISIC3_2d,ISIC3_1d\n870323,8703,87,3410,341,34,D\n870324,8703,87,341O,341,34,D\n",
    )
    .unwrap();
    let err = Concordance::load(&path).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`hs6_isic3.csv` line 3, column `ISIC3_4d`: `341O` is not an ISIC Rev.3 class: expected 4 digits, or 9999 or nothing for no industry"
    );
    // A folder without the concordance says which file it looked for.
    let err = HsToWiod::load_raw(dir.path()).unwrap_err();
    assert!(err.to_string().starts_with("cannot read `"), "{err}");
    assert!(err.to_string().contains("concordance_hs_isic/derived_csv/hs6_isic3.csv`"), "{err}");
    // Unknown WIOD sectors.
    for bad in ["c36", "c0", "C015", "34t35"] {
        assert_eq!(
            WiodSector::parse(bad).unwrap_err().to_string(),
            format!("`{bad}` is not a WIOD 2013 sector: expected c1 … c35 (e.g. c15, Transport Equipment)")
        );
    }
}
