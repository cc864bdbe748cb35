//! Issue 16: a bounded, seeded mutation test of the two user-written file formats. Each
//! shipped scenario file (`scenarios/`) and the shipped claims file
//! (`briefs/us-japan-2025/claims.toml`) is mutated at random — bytes inserted, deleted,
//! flipped; lines dropped, doubled, swapped; values replaced by hostile ones; the file cut
//! short — and parsed through the library, as `kanzei tariff check` and `kanzei claims check`
//! do. Whatever the input, parsing must not panic, and every error must carry a line inside
//! the file and a non-empty message free of serde's internals.
//!
//! The generator is a xorshift PRNG with a fixed seed, so a failure names the case number and
//! reproduces exactly. To explore further: `KANZEI_FUZZ_SEED=7 KANZEI_FUZZ_CASES=10000 cargo test -j 1
//! -p kanzei-report --test fuzz -- --nocapture` (80,000 cases, about 35 s); `KANZEI_FUZZ_SHOW=1`
//! prints every error message.

use std::panic::{catch_unwind, AssertUnwindSafe};

use kanzei_core::AreaRegistry;
use kanzei_data::Store;
use kanzei_report::claims;
use kanzei_tariff::library::{vocabulary, Library, SHIPPED};

/// Cases per file: 8 files × 320 = 2,560 cases.
const CASES_PER_FILE: usize = 320;

/// xorshift64* (Vigna 2016): tiny, fast and good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values that have broken parsers before: wrong types, out-of-range numbers and dates,
/// aggregates, empty sets, control characters and bytes that are not UTF-8.
const HOSTILE_VALUES: &[&[u8]] = &[
    b"\"25\"", b"-1", b"1e300", b"nan", b"inf", b"0", b"99999999999999999999", b"\"\"", b"[]", b"{}",
    b"\"all\"", b"[\"WLD\"]", b"[\"USA\"]", b"[\"77\"]", b"\"0000-01-01\"", b"\"2025-02-30\"", b"\"1899-12-31\"",
    b"\"XXX\"", b"true", b"{ list = \"nope\" }", b"{ table = \"nope\", default = 10 }", b"\"\x01\"", b"\"caf\xe9\"",
    b"[[", b"\"\"\"", b"'", b"= =",
];

/// Fragments inserted at line starts: headers, broken syntax, duplicated keys.
const HOSTILE_LINES: &[&[u8]] = &[
    b"[[measure]]\n", b"[base]\n", b"[[claim]]\n", b"[[exemption]]\n", b"= =\n", b"id = \"dup\"\n", b"schema = 2\n",
    b"extends = \"us-2025\"\n", b"extends = \"retaliation/china-2025\"\n", b"rate_pct = \"25\"\n", b"\x01\n", b"\xff\xfe\n",
    b"products = [\n", b"query = \"census.deficit(partner=JPN, year=2025)\"\n", b"unit = \"usd_bn\"\n", b"remove = [\"nope\"]\n",
];

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    std::iter::once(0).chain(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1)).filter(|&i| i < bytes.len()).collect()
}

fn line_range(bytes: &[u8], start: usize) -> std::ops::Range<usize> {
    let end = bytes[start..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| start + i + 1);
    start..end
}

/// One random mutation of `bytes`.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>) {
    let len = bytes.len();
    match rng.below(10) {
        0 => {
            let at = rng.below(len);
            let n = 1 + rng.below(20);
            bytes.drain(at..(at + n).min(len));
        }
        1 => {
            let at = rng.below(len + 1);
            let byte = *rng.pick(&[0x00, 0x01, 0x0b, b'"', b'[', b']', b'{', b'}', b'=', b'\n', b'#', 0xe9, 0xff, b'\\']);
            bytes.insert(at, byte);
        }
        2 => {
            let at = rng.below(len);
            bytes[at] ^= 1 << rng.below(8);
        }
        3 | 4 => {
            // Replace the value after an `=` with a hostile one.
            let equals: Vec<usize> = bytes.iter().enumerate().filter(|(_, b)| **b == b'=').map(|(i, _)| i).collect();
            if let Some(&at) = equals.get(rng.below(equals.len())) {
                let end = bytes[at..].iter().position(|b| *b == b'\n').map_or(len, |i| at + i);
                let value = *rng.pick(HOSTILE_VALUES);
                bytes.splice(at + 1..end, [b" ".as_slice(), value].concat());
            }
        }
        5 => {
            let starts = line_starts(bytes);
            let at = *rng.pick(&starts);
            let line = *rng.pick(HOSTILE_LINES);
            bytes.splice(at..at, line.iter().copied());
        }
        6 => {
            let starts = line_starts(bytes);
            let range = line_range(bytes, *rng.pick(&starts));
            bytes.drain(range);
        }
        7 => {
            let starts = line_starts(bytes);
            let range = line_range(bytes, *rng.pick(&starts));
            let line = bytes[range.clone()].to_vec();
            bytes.splice(range.start..range.start, line);
        }
        8 => {
            let starts = line_starts(bytes);
            let (a, b) = (line_range(bytes, *rng.pick(&starts)), line_range(bytes, *rng.pick(&starts)));
            if a.end <= b.start {
                let (first, second) = (bytes[a.clone()].to_vec(), bytes[b.clone()].to_vec());
                bytes.splice(b, first);
                bytes.splice(a, second);
            }
        }
        _ => bytes.truncate(rng.below(len)),
    }
    if bytes.is_empty() {
        bytes.push(b'\n');
    }
}

/// A parse outcome: `Ok` or the error's line and message.
enum Outcome {
    Parsed,
    Error { line: usize, message: String, shown: String },
}

fn check(outcome: Outcome, bytes: &[u8], what: &str) -> Result<(), String> {
    let Outcome::Error { line, message, shown } = outcome else { return Ok(()) };
    let n_lines = bytes.iter().filter(|b| **b == b'\n').count() + 1;
    if line == 0 || line > n_lines {
        return Err(format!("{what}: line {line} is outside the file's {n_lines} lines: {shown}"));
    }
    if message.trim().is_empty() {
        return Err(format!("{what}: empty message: {shown}"));
    }
    if message.contains("untagged enum") || message.contains("did not match any variant") {
        return Err(format!("{what}: serde internals in the message: {shown}"));
    }
    Ok(())
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[test]
// The test prints its case count and timing (and, asked to, every message) for the record.
#[allow(clippy::print_stdout)]
fn mutated_scenario_and_claims_files_never_panic_and_always_say_where() {
    let started = std::time::Instant::now();
    let seed = env_or("KANZEI_FUZZ_SEED", 0x5EED_0016);
    let cases = env_or("KANZEI_FUZZ_CASES", CASES_PER_FILE as u64) as usize;
    let store = Store::embedded();
    let inputs = store.tariff_inputs().unwrap();
    let vocab = vocabulary(AreaRegistry::builtin(), &inputs);
    let library = Library::shipped();
    let mut files: Vec<(&str, &str, bool)> = SHIPPED.iter().map(|(_, file, text)| (*file, *text, true)).collect();
    files.push((claims::US_JAPAN_2025.0, claims::US_JAPAN_2025.1, false));
    let mut failures = Vec::new();
    let (mut n_cases, mut n_errors) = (0, 0);
    for (file_idx, (file, text, is_scenario)) in files.iter().enumerate() {
        for case in 0..cases {
            let mut rng = Rng(seed ^ ((file_idx as u64) << 32) ^ (case as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
            let mut bytes = text.as_bytes().to_vec();
            for _ in 0..1 + rng.below(3) {
                mutate(&mut rng, &mut bytes);
            }
            let what = format!("{file} case {case}");
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                if *is_scenario {
                    match library.load_bytes(file, &bytes, &vocab) {
                        Ok(_) => Outcome::Parsed,
                        Err(e) => Outcome::Error { line: e.line, message: e.message.clone(), shown: e.to_string() },
                    }
                } else {
                    match claims::parse_bytes(file, &bytes) {
                        Ok(_) => Outcome::Parsed,
                        Err(e) => Outcome::Error { line: e.line, message: e.message.clone(), shown: e.to_string() },
                    }
                }
            }));
            n_cases += 1;
            match outcome {
                Err(_) => failures.push(format!("{what}: panicked on {:?}", String::from_utf8_lossy(&bytes))),
                Ok(outcome) => {
                    if let (Outcome::Error { shown, .. }, true) = (&outcome, std::env::var("KANZEI_FUZZ_SHOW").is_ok()) {
                        println!("{what}: {shown}");
                    }
                    n_errors += usize::from(matches!(outcome, Outcome::Error { .. }));
                    if let Err(failure) = check(outcome, &bytes, &what) {
                        failures.push(failure);
                    }
                }
            }
        }
    }
    println!("{n_cases} cases ({n_errors} errors) in {:.2} s, seed {seed:#x}", started.elapsed().as_secs_f64());
    assert!(n_cases >= 2_000, "only {n_cases} cases");
    assert!(failures.is_empty(), "{} of {n_cases} cases fail:\n{}", failures.len(), failures.iter().take(20).cloned().collect::<Vec<_>>().join("\n"));
}
