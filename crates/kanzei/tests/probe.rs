//! Issue 16: the reliability probe's cases, one table. Each row runs the built binary on a
//! bad input (a flag that does not apply, a value outside its domain, a scenario or claims
//! file with a fault) and states the exit code and a piece of the message the user must see.
//! Before issue 16 every one of these exited 0 with a wrong or empty answer, or blamed the
//! wrong thing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// One probe: arguments, expected exit code, text that must appear on stdout or stderr, and
/// text that must not.
struct Case {
    args: Vec<String>,
    code: i32,
    expect: &'static str,
    absent: &'static str,
}

fn case(args: &[&str], code: i32, expect: &'static str) -> Case {
    Case { args: args.iter().map(|a| a.to_string()).collect(), code, expect, absent: "\u{0}" }
}

/// A scenario extending us-2025 with one measure of these exporters and products.
fn measure(exporters: &str, products: &str) -> String {
    format!(
        "schema = 1\nid = \"probe\"\nextends = \"us-2025\"\ntitle = \"probe\"\n\n[[measure]]\nid = \"probe-measure\"\n\
         authority = \"other\"\nlegal = \"probe\"\nexporters = {exporters}\nproducts = {products}\nrate_pct = 25\neffective = \"2025-06-01\"\n"
    )
}

/// Writes the probe's input files and returns the folder.
fn inputs() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("probe");
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("no-exporters.toml", measure("[]", "[\"8703\"]").into_bytes()),
        ("no-products.toml", measure("[\"JPN\"]", "[]").into_bytes()),
        ("chapter-77.toml", measure("[\"JPN\"]", "[\"77\"]").into_bytes()),
        ("importer.toml", measure("[\"USA\"]", "[\"8703\"]").into_bytes()),
        ("aggregate.toml", measure("[\"WLD\"]", "[\"8703\"]").into_bytes()),
        ("rate-string.toml", measure("[\"JPN\"]", "[\"8703\"]").replace("rate_pct = 25", "rate_pct = \"25\"").into_bytes()),
        ("control.toml", b"schema = 1\nid = \"x\x01\"\n".to_vec()),
        ("latin1.toml", b"schema = 1\nid = \"caf\xe9\"\n".to_vec()),
        ("latin1-claims.toml", b"schema = 1\ntitle = \"caf\xe9\"\n".to_vec()),
        (
            "partial-year.toml",
            b"schema = 1\ntitle = \"probe\"\n\n[[claim]]\nid = \"d\"\ntext = \"t\"\nvalue = 10\nunit = \"usd_bn\"\nquery = \"census.deficit(partner=JPN, year=2025)\"\ntolerance = \"5%\"\n".to_vec(),
        ),
        ("flows.csv", b"exporter,A,B\nA,0,100\nB,80,0\n".to_vec()),
        ("t0.csv", b"exporter,A,B\nA,1,1.1\nB,1.1,1\n".to_vec()),
        ("t1-huge.csv", b"exporter,A,B\nA,1,1e300\nB,1.1,1\n".to_vec()),
        ("t1.csv", b"exporter,A,B\nA,1,1.2\nB,1.1,1\n".to_vec()),
        ("elasticities.csv", b"region,import_demand_Em,export_supply_Ex,substitution_Es\nA,-1.25,1.5,5\nB,-1.25,1.5,5\n".to_vec()),
        ("elasticities-extreme.csv", b"region,import_demand_Em,export_supply_Ex,substitution_Es\nA,-1.25,1.5,1e6\nB,-1.25,1.5,5\n".to_vec()),
    ];
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    dir
}

fn cases(dir: &Path) -> Vec<Case> {
    let f = |name: &str| dir.join(name).display().to_string();
    let (flows, t0, t1, t1_huge, e, e_extreme) =
        (f("flows.csv"), f("t0.csv"), f("t1.csv"), f("t1-huge.csv"), f("elasticities.csv"), f("elasticities-extreme.csv"));
    fn with(extra: &[&'static str]) -> Vec<&'static str> {
        ["ge", "gravity", "--cost-change", "pta:CAN-JPN,JPN-CAN=1", "--sigma"].into_iter().chain(extra.iter().copied()).collect()
    }
    let mut out = vec![
        // Solvers: domains up front, non-convergence with a hint naming a real option.
        case(&with(&["1.0000001"]), 2, "σ = 1.0000001 is out of range; the elasticity of substitution must be finite and at least 1.01"),
        case(&with(&["1.001"]), 2, "invalid value '1.001' for '--sigma <SIGMA>'"),
        case(&with(&["1.01", "--exact"]), 1, "full-endowment factory-gate prices did not converge"),
        case(&with(&["1.02", "--exact"]), 1, "try a larger σ (`GravityConfig::sigma`, `kanzei ge gravity --sigma`)"),
        case(&["pe", "gsim", "--flows", &flows, "--t0", &t0, "--t1", &t1_huge, "--elasticities", &e], 1, "1e300 is not a tariff power kanzei accepts; T = 1 + t must lie between 0.5 and 11"),
        case(&["pe", "gsim", "--nonlinear", "--flows", &flows, "--t0", &t0, "--t1", &t1, "--elasticities", &e_extreme], 1, "Es = 1e6 is out of range; the substitution elasticity must lie between 0 and 100"),
        // No-ops: warned by `tariff check`, refused by `--strict`.
        case(&["tariff", "check", &f("no-exporters.toml")], 0, "warning: measure `probe-measure` (PATH): `exporters = []` names no exporter"),
        case(&["tariff", "check", "--strict", &f("no-exporters.toml")], 1, "`exporters = []` names no exporter, so the measure matches nothing"),
        case(&["tariff", "check", &f("no-products.toml")], 0, "`products = []` names no product"),
        case(&["tariff", "check", &f("chapter-77.toml")], 0, "matches no 2024 trade: no USA imports in 2024 from its exporters under its products"),
        case(&["tariff", "check", "--strict", &f("chapter-77.toml")], 1, "matches no 2024 trade"),
        case(&["tariff", "check", &f("importer.toml")], 0, "`exporters` names the importer USA itself"),
        case(&["tariff", "check", &f("aggregate.toml")], 0, "`exporters` lists WLD (World), a statistical aggregate, not a country or group"),
        // Flags that would be ignored.
        case(&["tariff", "rates", "--scenario", "us-2025", "--compare-census"], 1, "--compare-census compares with the duty U.S. Census calculated on 2024 imports, so it needs a date in 2024"),
        case(&["ge", "cp", "--data", "cp1993", "--countries", "XXX"], 1, "--countries: `XXX` not in the model; expected some of ARG"),
        case(&["ge", "cp", "--data", "cp1993", "--with", "retaliation/china-2025"], 1, "--with retaliation/china-2025: retaliation scenarios apply to tariff scenarios on --data wiod2011"),
        case(&["ge", "cp", "--data", "wiod2011", "--with", "us-2025"], 1, "--with us-2025: `us-2025` is a scenario of U.S. imports"),
        // Dates.
        case(&["tariff", "rates", "--date", "1900-01-01", "--top", "1", "--format", "csv"], 0, "warning: 1900-01-01 is before 2024-01-01, the first day kanzei's tariff law describes"),
        case(&["tariff", "rates", "--date", "0000-01-01"], 1, "--date: `0000-01-01` is out of range: the year must be between 1900 and 2100"),
        case(&["tariff", "exposure", "JPN", "--date", "2025-02-30"], 1, "--date: `2025-02-30` is not a date: expected YYYY-MM-DD"),
        // Messages that blame the right thing, in words.
        case(&["tariff", "rates", "--baseline", "nope"], 1, "key `--baseline`: no scenario `nope`"),
        case(&["tariff", "check", &f("rate-string.toml")], 1, "line 12, key `measure[0].rate_pct`: expected a number of percent such as 25 or \"25%\", or a rate table such as { table = \"reciprocal-2025-08-07\", default = 10, JPN = 15 }; got \"25\": a rate written as text needs its percent sign (\"25%\"), or write the number 25"),
        case(&["tariff", "check", &f("control.toml")], 1, "line 2, key `id`: invalid basic string (the line holds the control character U+0001"),
        case(&["tariff", "check", &f("latin1.toml")], 1, "line 2, key `id`: byte 20 (0xE9) is not UTF-8"),
        case(&["claims", "check", &f("latin1-claims.toml")], 1, ":2: key `title`: byte 23 (0xE9) is not UTF-8"),
        case(&["claims", "check", &f("partial-year.toml")], 0, "Census has only 2025 Jan–Feb so far, a partial year; a claim about the year 2025 cannot be checked against it"),
    ];
    out.push(Case { absent: "nafta", ..case(&["ge", "cp", "--data", "wiod2011", "--with", "retaliation/mexico-2025"], 1, "key `--with`: no scenario `retaliation/mexico-2025`") });
    out
}

/// Runs one case; `None` if it behaves, else what went wrong.
fn run(case: &Case, dir: &Path) -> Option<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_kanzei")).args(&case.args).output().expect("the kanzei binary runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // Messages name files by the path given; the table writes PATH for the probe's folder.
    let expect = case.expect.replace("PATH", &dir.join("no-exporters.toml").display().to_string());
    let code = out.status.code().unwrap_or(-1);
    let ok = code == case.code && text.contains(&expect) && !text.contains(case.absent) && !text.contains("panicked");
    (!ok).then(|| format!("kanzei {}\n  exit {code} (expected {})\n  expected to see: {expect}\n  got: {text}", case.args.join(" "), case.code))
}

#[test]
fn every_probe_case_fails_loudly_or_warns() {
    let dir = inputs();
    let cases = cases(&dir);
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    // Two workers: the cases are independent processes, and the machine has two cores.
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                while let Some(case) = cases.get(next.fetch_add(1, Ordering::SeqCst)) {
                    if let Some(failure) = run(case, &dir) {
                        failures.lock().unwrap().push(failure);
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of {} probe cases misbehave:\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

/// Under an address-space cap far below what a brief needs (about 1 GB of address space for
/// `brief JPN --no-ge`), with `RUST_BACKTRACE=1` as in the probe: before issue 16 the binary
/// panicked inside faer, or aborted (exit 134) and hung capturing a backtrace. Now: exit 1,
/// one `error: out of memory` line with the size asked for, a hint, no panic, no backtrace,
/// no partial brief folder, and promptly (the 60 s timeout catches a hang).
#[cfg(target_os = "linux")]
#[test]
fn out_of_memory_is_a_plain_error_not_a_panic_or_a_hang() {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("oom-brief");
    let _ = std::fs::remove_dir_all(&out_dir);
    let script = format!(
        "ulimit -v 300000 && exec timeout 60 '{}' brief JPN --no-ge --out '{}'",
        env!("CARGO_BIN_EXE_kanzei"),
        out_dir.display()
    );
    let out = Command::new("sh").arg("-c").arg(&script).env("RUST_BACKTRACE", "1").output().expect("sh runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "exit status {:?}; stderr:\n{stderr}", out.status);
    // The allocator's words ("an allocation of N MiB failed") or, when the first thing memory
    // runs out for is a thread's stack, the panic hook's ("failed to spawn thread: …").
    assert!(stderr.starts_with("error: out of memory: an allocation of ") || stderr.starts_with("error: out of memory: failed to spawn thread"), "{stderr}");
    assert!(stderr.contains("hint: the command needs more memory than this process may use"), "{stderr}");
    assert!(!stderr.contains("panicked") && !stderr.contains("stack backtrace"), "{stderr}");
    assert!(!out_dir.join("brief.html").exists(), "a partial brief was left in {}", out_dir.display());
    // The allocator exits at once, so a run stopped while writing leaves its temporary folder;
    // the next brief written beside it removes it when its process is gone. Stand one in.
    let parent = out_dir.parent().expect("a parent folder");
    let dead_pid = (1..4_000_000u32).rev().find(|p| !Path::new(&format!("/proc/{p}")).exists()).expect("a free pid");
    std::fs::create_dir_all(parent.join(format!(".kanzei-brief-{dead_pid}-JPN"))).unwrap();
    let temporaries = || -> Vec<String> {
        std::fs::read_dir(parent)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".kanzei-brief-"))
            .collect()
    };
    let out = Command::new(env!("CARGO_BIN_EXE_kanzei")).args(["brief", "JPN", "--no-ge", "--draws", "0", "--out"]).arg(&out_dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out_dir.join("brief.html").exists());
    assert!(temporaries().is_empty(), "left behind: {:?}", temporaries());
}
