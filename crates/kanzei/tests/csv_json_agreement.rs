//! Issue 10, part 4 ("units in every header"): every command that prints data says the same
//! thing in CSV and JSON, and every number's column names its unit.
//!
//! Each case runs one command twice, `--format csv` and `--format json`, on the embedded
//! snapshot, and checks that
//! - the JSON array holding the CSV table (`table` unless the case names another key) has
//!   one object per CSV row, keyed exactly by the CSV headers;
//! - the values agree row by row (numbers to a relative 1e-9; text exactly; empty = null);
//! - every numeric column ends in a unit suffix (`_usd`, `_pct`, …) or is one of the
//!   unitless names in [`UNITLESS`];
//! - dollar columns hold dollars: `_usd` values are plain dollars and any `_musd` column has
//!   magnitudes of millions (China's 2024 U.S. imports are checked against Census FT-900).

use std::process::Command;

use clap::Parser;
use kanzei_cli::Cli;
use kanzei_data::Store;

use serde_json::Value;

/// Suffixes that name a unit.
const UNIT_SUFFIXES: &[&str] = &["_usd", "_musd", "_jpy", "_pct", "_pp", "_share", "_count"];

/// Numeric columns allowed without a unit suffix, and why.
const UNITLESS: &[(&str, &str)] = &[
    ("rank", "a position"),
    ("year", "a calendar year"),
    ("elasticity", "pe elasticities: a dimensionless elasticity"),
    ("published", "validate: the unit is stated in `item`"),
    ("kanzei", "validate: the unit is stated in `item`"),
    ("difference", "validate: the unit is stated in `item`"),
    ("tolerance", "validate: the unit is stated in `item`"),
    (
        "value",
        "trade facts: the row's `unit` column states it (USD, JPY, pct, rank)",
    ),
    (
        "producer_surplus",
        "pe gsim: in the units of the user's flows matrix",
    ),
    (
        "consumer_surplus",
        "pe gsim: in the units of the user's flows matrix",
    ),
    (
        "revenue_change",
        "pe gsim: in the units of the user's flows matrix",
    ),
    (
        "net_welfare",
        "pe gsim: in the units of the user's flows matrix",
    ),
];

/// One command: its arguments (without `--format`) and the JSON key of its CSV table.
struct Case {
    args: &'static [&'static str],
    json_key: &'static str,
}

const fn case(args: &'static [&'static str], json_key: &'static str) -> Case {
    Case { args, json_key }
}

/// Every data-printing command with representative options. `brief` prints documents, not
/// a table, and `data build` writes files; `ge cp --data wiod2011` (minutes) shares its
/// renderer with the cp1993 case.
const CASES: &[Case] = &[
    case(&["trade", "balance", "--year", "2024"], "partners"),
    case(&["trade", "partner", "CHN", "--by", "hs2"], "rows"),
    case(
        &["trade", "partner", "JPN", "--by", "hs10", "--top", "50"],
        "rows",
    ),
    case(&["trade", "partner", "JPN", "--flow", "exports"], "rows"),
    case(
        &[
            "trade",
            "partner",
            "WLD",
            "--reporter",
            "JPN",
            "--by",
            "commodity",
        ],
        "rows",
    ),
    case(
        &["trade", "series", "JPN", "--from", "2015", "--to", "2024"],
        "table",
    ),
    case(&["trade", "facts", "JPN"], "table"),
    case(&["data", "info"], "table"),
    case(&["data", "areas", "--kind", "group"], "table"),
    case(
        &[
            "tariff",
            "rates",
            "--scenario",
            "us-2025",
            "--date",
            "2025-11-17",
            "--by",
            "partner",
            "--top",
            "20",
        ],
        "table",
    ),
    case(&["tariff", "rates", "--by", "authority"], "table"),
    case(
        &[
            "tariff",
            "rates",
            "--scenario",
            "us-2024-baseline",
            "--baseline",
            "none",
            "--by",
            "hs2",
        ],
        "table",
    ),
    case(&["tariff", "exposure", "JPN"], "table"),
    case(
        &[
            "tariff",
            "timeline",
            "--from",
            "2025-04-01",
            "--to",
            "2025-04-15",
            "--partner",
            "CHN",
        ],
        "table",
    ),
    case(
        &[
            "tariff",
            "explain",
            "--partner",
            "JPN",
            "--hs10",
            "8703.23.01.40",
            "--date",
            "2025-10-01",
        ],
        "table",
    ),
    case(
        &[
            "tariff",
            "check",
            "../../scenarios/what-if/japan-24pct.toml",
        ],
        "table",
    ),
    case(&["tariff", "lists"], "table"),
    case(&["tariff", "collected", "--from", "2025-01", "--to", "2025-12", "--scenario", "us-2025"], "months"),
    case(&["tariff", "collected", "--from", "2025-10", "--to", "2025-10", "--by", "naics6"], "groups"),
    case(&["prices", "--scenario", "us-2025", "--date", "2025-09-04"], "named"),
    case(&["prices", "--tariffs", "collected:2025-10", "--by", "category"], "categories"),
    case(&["prices", "--by", "commodity"], "commodities"),
    case(
        &[
            "va",
            "exports",
            "--exporter",
            "MEX",
            "--importer",
            "USA",
            "--sector",
            "c15",
        ],
        "va_by_origin",
    ),
    case(
        &["va", "exposure", "--origin", "JPN", "--importer", "USA"],
        "routes",
    ),
    case(
        &["va", "decompose", "--exporter", "JPN", "--importer", "USA"],
        "table",
    ),
    case(&["va", "at-risk", "--origin", "JPN"], "table"),
    case(
        &["ge", "cp", "--data", "cp1993", "--scenario", "nafta"],
        "table",
    ),
    case(
        &["ge", "gravity", "--cost-change", "pta:CAN-JPN,JPN-CAN=1"],
        "table",
    ),
    case(&["pe", "smart", "--by", "partner", "--top", "10"], "table"),
    // Bands (issue 12): percentile columns in CSV and JSON alike.
    case(&["pe", "smart", "--by", "hs2", "--top", "5", "--draws", "4", "--seed", "7"], "table"),
    case(&["ge", "cp", "--data", "wiod2011", "--draws", "3", "--seed", "7"], "table"),
    case(&["ge", "gravity", "--cost-change", "pta:CAN-JPN,JPN-CAN=1", "--draws", "20"], "table"),
    case(&["pe", "gsim", "--draws", "20", "--relative-se", "0.2"], "table"),
    case(&["pe", "gsim"], "table"),
    case(&["pe", "elasticities", "--hs6", "870323"], "table"),
    case(&["validate"], "table"),
    case(&["claims", "check", "us-japan-2025"], "table"),
    case(&["claims", "queries"], "table"),
];

/// Runs `kanzei ARGS --format FORMAT` in this process on a shared store, so each dataset
/// is decompressed once for all cases (the binary itself is run in `cli.rs`).
fn run(store: &Store, args: &[&str], format: &str) -> Vec<u8> {
    let mut argv = vec!["kanzei"];
    argv.extend(args);
    argv.extend(["--format", format]);
    let cli = Cli::try_parse_from(argv).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let mut out = Vec::new();
    kanzei_cli::run_with(cli.command, store, &mut out).unwrap_or_else(|e| panic!("{args:?} --format {format}: {e:#}"));
    out
}

/// The CSV table: headers and rows of fields.
fn csv_table(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .expect("a CSV header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (headers, rows)
}

fn has_unit(name: &str) -> bool {
    // A Monte Carlo percentile names its quantity's unit before the statistic:
    // `real_income_pct_p5`, `net_welfare_p95`.
    let name = ["_p5", "_p50", "_p95"].iter().find_map(|s| name.strip_suffix(s)).unwrap_or(name);
    UNIT_SUFFIXES.iter().any(|s| name.ends_with(s)) || UNITLESS.iter().any(|(n, _)| *n == name)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Runs a case and returns the CSV headers with the JSON rows (already checked to agree).
fn check_case(store: &Store, case: &Case) -> (Vec<String>, Vec<Value>) {
    let what = case.args.join(" ");
    let (headers, csv_rows) = csv_table(&run(store, case.args, "csv"));
    let json: Value = serde_json::from_slice(&run(store, case.args, "json"))
        .unwrap_or_else(|e| panic!("{what}: JSON: {e}"));
    let json_rows = json[case.json_key]
        .as_array()
        .unwrap_or_else(|| panic!("{what}: no array `{}` in the JSON", case.json_key))
        .clone();
    assert!(!csv_rows.is_empty(), "{what}: the CSV has no rows");
    assert_eq!(
        csv_rows.len(),
        json_rows.len(),
        "{what}: CSV rows vs JSON `{}` entries",
        case.json_key
    );
    let mut numeric = vec![false; headers.len()];
    for (idx, (csv_row, json_row)) in csv_rows.iter().zip(&json_rows).enumerate() {
        let object = json_row
            .as_object()
            .unwrap_or_else(|| panic!("{what}: row {idx} is not an object"));
        let mut keys: Vec<&String> = object.keys().collect();
        let mut expected: Vec<&String> = headers.iter().collect();
        keys.sort();
        expected.sort();
        assert_eq!(
            keys, expected,
            "{what}: row {idx}: JSON keys vs CSV headers"
        );
        for (col, (header, field)) in headers.iter().zip(csv_row).enumerate() {
            let value = &object[header];
            match value {
                // JSON has no infinity: an infinite elasticity (SMART's export supply) is
                // `inf` in CSV and null in JSON; anything else null is empty in CSV.
                Value::Null => assert!(
                    field.is_empty() || field.parse::<f64>().is_ok_and(|v| !v.is_finite()),
                    "{what}: row {idx} `{header}`: JSON null, CSV `{field}`"
                ),
                Value::Number(n) => {
                    numeric[col] = true;
                    let csv_value: f64 = field.parse().unwrap_or_else(|_| {
                        panic!("{what}: row {idx} `{header}`: CSV `{field}` is not a number")
                    });
                    let json_value = n.as_f64().expect("a finite number");
                    assert!(
                        close(csv_value, json_value),
                        "{what}: row {idx} `{header}`: CSV {csv_value} vs JSON {json_value}"
                    );
                }
                Value::String(s) => assert_eq!(field, s, "{what}: row {idx} `{header}`"),
                other => panic!("{what}: row {idx} `{header}`: unexpected JSON {other}"),
            }
        }
    }
    for (header, is_numeric) in headers.iter().zip(&numeric) {
        if *is_numeric {
            assert!(has_unit(header), "{what}: numeric column `{header}` names no unit (expected one of {UNIT_SUFFIXES:?})");
        }
        if header.ends_with("_musd") {
            // Millions of dollars: nothing kanzei prints is beyond $100 trillion.
            for row in &json_rows {
                if let Some(v) = row[header].as_f64() {
                    assert!(v.abs() < 1e8, "{what}: `{header}` = {v} is not in millions");
                }
            }
        }
    }
    (headers, json_rows)
}

fn find<'a>(rows: &'a [Value], key: &str, value: &str) -> &'a Value {
    rows.iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row with {key} = {value}"))
}

#[test]
fn csv_and_json_agree_and_every_number_names_its_unit() {
    let store = Store::embedded();
    for case in CASES {
        let (headers, rows) = check_case(&store, case);
        match case.args {
            ["trade", "balance", ..] => {
                // Census FT-900 (exhibit 14), 2024: U.S. goods imports from China $438.9 bn.
                assert!(headers.contains(&"imports_usd".to_string()), "{headers:?}");
                let china = find(&rows, "partner", "CHN");
                let imports = china["imports_usd"].as_f64().unwrap();
                assert!(
                    (imports / 1e9 - 438.9).abs() < 0.1,
                    "China imports {imports} are not $438.9 bn in dollars"
                );
            }
            ["trade", "partner", "CHN", ..] => {
                // HS10 lines (imports for consumption) sum to $429.4 bn, in dollars.
                let total: f64 = rows.iter().map(|r| r["value_usd"].as_f64().unwrap()).sum();
                assert!(
                    (total / 1e9 - 429.4).abs() < 0.1,
                    "China HS2 total {total} is not $429.4 bn in dollars"
                );
            }
            ["tariff", "collected", _, "2025-01", ..] => {
                // Census NAICS6 (SOURCE.md checks): October 2025 collected 10.91%, in dollars.
                let october = find(&rows, "month", "2025-10");
                assert!((october["rate_pct"].as_f64().unwrap() - 10.91).abs() < 0.005);
                assert!((october["duties_usd"].as_f64().unwrap() / 1e9 - 30.03).abs() < 0.01, "{october}");
                assert!(october["statutory_pct"].as_f64().is_some());
            }
            _ => {}
        }
    }
}

#[test]
fn the_table_header_says_millions_and_shows_millions() {
    let out = Command::new(env!("CARGO_BIN_EXE_kanzei"))
        .args(["trade", "balance", "--top", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("imports_musd"), "{text}");
    // China, 2024: 438,9xx.x $M (Census FT-900).
    assert!(text.contains("438,9"), "{text}");
    assert!(!text.contains("imports_usd"), "{text}");
}

#[test]
fn unitless_names_are_not_units_in_disguise() {
    for (name, why) in UNITLESS {
        assert!(
            !UNIT_SUFFIXES.iter().any(|s| name.ends_with(s)),
            "{name}: {why}"
        );
    }
}
