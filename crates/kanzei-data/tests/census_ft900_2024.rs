//! The Census FT-900 country file, 2024, as the brief quotes it. Expected values are the
//! published Census figures ($ millions, one decimal), not outputs of kanzei.

use kanzei_core::AreaCode;
use kanzei_data::Store;

fn code(text: &str) -> AreaCode {
    AreaCode::new(text).unwrap()
}

#[test]
fn japan_2024_matches_census_to_the_published_decimal() {
    let store = Store::embedded();
    let census = store.census_country().unwrap();
    let table = census.balance(2024, store.registry()).unwrap();
    let japan = table.get(code("JPN")).unwrap();
    // Census country.xlsx, 2024, CTY_CODE 5880, as published to one decimal of $ millions:
    // exports 79,740.8; imports 148,208.6; balance −68,467.7; total 227,949.4. The file
    // carries more decimals; kanzei keeps them, so compare to the published rounding.
    let m = |usd: f64| usd / 1e6;
    assert!((m(japan.exports_usd) - 79_740.8).abs() < 0.05, "{}", japan.exports_usd);
    assert!((m(japan.imports_usd) - 148_208.6).abs() < 0.05, "{}", japan.imports_usd);
    assert!((m(japan.balance_usd) + 68_467.7).abs() < 0.05, "{}", japan.balance_usd);
    assert!((m(japan.total_usd) - 227_949.4).abs() < 0.05, "{}", japan.total_usd);
    assert_eq!(format!("{:.1}", m(japan.exports_usd)), "79740.8");
    assert_eq!(format!("{:.1}", m(japan.imports_usd)), "148208.6");
}

#[test]
fn largest_2024_deficits_in_census_order() {
    let store = Store::embedded();
    let census = store.census_country().unwrap();
    let table = census.balance(2024, store.registry()).unwrap();
    let order: Vec<&str> = table.partners.iter().take(10).map(|p| p.partner.as_str()).collect();
    assert_eq!(order, ["CHN", "MEX", "VNM", "IRL", "DEU", "TWN", "JPN", "KOR", "CAN", "IND"]);
    assert_eq!(table.deficit_rank(code("JPN")), Some(7));
    // China's deficit, Census: -295,401.6 $M (exports 143,545.7 − imports 438,947.4).
    assert_eq!(format!("{:.1}", table.partners[0].balance_usd / 1e6), "-295401.6");
    // No aggregate is ever ranked: the EU, Pacific Rim and World rows are set aside.
    for p in &table.partners {
        assert_eq!(store.registry().get(p.partner).unwrap().kind, kanzei_core::AreaKind::Country, "{}", p.partner);
    }
    assert_eq!(table.coverage.rows_rejected(), 15);
    assert!(table.coverage.reconciles(1e-12));
}

#[test]
fn countries_sum_to_the_world_row_within_the_published_revision_gap() {
    let store = Store::embedded();
    let census = store.census_country().unwrap();
    let world = census.balance(2024, store.registry()).unwrap().world.unwrap();
    // World, not seasonally adjusted, 2024: imports 3,267,460.6; exports 2,065,131.1 ($M).
    assert_eq!(format!("{:.1}", world.world_imports_usd / 1e6), "3267460.6");
    assert_eq!(format!("{:.1}", world.world_exports_usd / 1e6), "2065131.1");
    // The country detail and the World row come from different Census revisions and
    // differ by less than 0.02% of the total; kanzei reports the gap rather than hiding it.
    assert!((world.world_imports_usd - world.sum_imports_usd).abs() < 2e-4 * world.world_imports_usd);
    assert!((world.world_exports_usd - world.sum_exports_usd).abs() < 2e-4 * world.world_exports_usd);
}

#[test]
fn japan_balance_series_2015_2024() {
    let store = Store::embedded();
    let census = store.census_country().unwrap();
    let points = census.series(code("JPN"), 2015, 2024, store.registry()).unwrap();
    // Census, balance with Japan, $ millions (rounded to the million as SOURCE.md lists them).
    let published = [-69_058.0, -68_753.0, -68_808.0, -67_064.0, -69_111.0, -55_476.0, -60_070.0, -67_777.0, -71_555.0, -68_468.0];
    for (point, expected) in points.iter().zip(published) {
        assert!((point.balance_usd / 1e6 - expected).abs() <= 0.5, "{}: {} vs {expected}", point.year, point.balance_usd / 1e6);
        assert!(!point.partial);
    }
}

#[test]
fn partial_year_and_missing_years_are_explicit() {
    let store = Store::embedded();
    let census = store.census_country().unwrap();
    assert_eq!(census.period(2025).unwrap().to_string(), "2025 Jan–Feb");
    let err = census.balance(1970, store.registry()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Census FT-900 trade by country has no data for 1970; it has 1985–2025 (partial: 2025 Jan–Feb)"
    );
}
