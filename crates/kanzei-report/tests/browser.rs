//! The HTML brief in a real browser: Debian's headless Chromium loads the sample document
//! (every block type, every chart type) and the real U.S.–Japan brief built from the embedded
//! data, each from a file, with the network features off.
//!
//! Checks: (a) a 1280 × 2400 screenshot is written and is far from blank; (b) the page logs no
//! console message at all (it has no script, so any message is a browser complaint such as a
//! blocked or missing resource); a control page that does log proves the detector sees
//! messages in this Chromium version; (c) the DOM Chromium parsed has every chart as an
//! `<svg>` with drawn content (bars, lines, dots) and no URL.
//!
//! Without `/usr/bin/chromium` the test prints "skipped: /usr/bin/chromium not present" and
//! passes; `.ci/run` installs it (`apt-get install -y chromium`). The files stay in
//! `target/tmp/browser/{sample,us-japan-2025}/` for a look: `sample.*` and `brief.*` (html, md, txt, png) and the charts.

#![allow(clippy::print_stdout)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use kanzei_report::brief::{BriefOptions, BriefSpec, Engine};
use kanzei_report::document::{sample_document, to_html, to_markdown, to_text, Block, Document};

const CHROMIUM: &str = "/usr/bin/chromium";

/// A blank 1280 × 2400 page screenshots to about 14 kB; the sample brief to several times
/// that. Half of what the brief gives here is a safe floor that a blank or unstyled page
/// cannot reach.
const MIN_SCREENSHOT_BYTES: u64 = 60_000;

/// Chromium's flags for a closed machine: no sandbox (root), no GPU, and none of the
/// background connections that the network would refuse.
const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

struct Run {
    stdout: String,
    stderr: String,
}

/// Runs Chromium on `page` with `extra` flags and a fresh profile, for at most two minutes.
fn chromium(dir: &Path, name: &str, page: &Path, extra: &[String]) -> Run {
    let profile = dir.join(format!("profile-{name}"));
    let _ = fs::remove_dir_all(&profile);
    fs::create_dir_all(&profile).unwrap();
    let stdout_path = dir.join(format!("{name}.stdout"));
    let stderr_path = dir.join(format!("{name}.stderr"));
    let mut child = Command::new(CHROMIUM)
        .args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout_path).unwrap())
        .stderr(fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium ({name}) did not finish within 120 s; stderr in {}",
                stderr_path.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = fs::remove_dir_all(&profile);
    let run = Run {
        stdout: fs::read_to_string(&stdout_path).unwrap(),
        stderr: fs::read_to_string(&stderr_path).unwrap(),
    };
    assert!(
        status.success(),
        "chromium ({name}) exited with {status}; stderr:\n{}",
        tail(&run.stderr)
    );
    run
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Console messages in Chromium's log (`…:INFO:CONSOLE:12] "message", source: …`; older
/// versions write `CONSOLE(12)`).
fn console_messages(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE:") || l.contains(":CONSOLE("))
        .collect()
}

/// The `<svg>…</svg>` elements of a DOM dump.
fn svg_elements(dom: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = dom;
    while let Some(start) = rest.find("<svg") {
        let Some(len) = rest[start..].find("</svg>") else {
            break;
        };
        out.push(&rest[start..start + len + "</svg>".len()]);
        rest = &rest[start + len..];
    }
    out
}

/// A folder of its own for each test (they run in parallel).
fn setup(name: &str) -> Option<PathBuf> {
    if !Path::new(CHROMIUM).exists() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but {CHROMIUM} is missing: .ci/run installs it");
        println!("skipped: /usr/bin/chromium not present");
        return None;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser").join(name);
    fs::create_dir_all(&dir).unwrap();
    Some(dir)
}

/// The detector sees console messages in this Chromium: a control page that logs one.
fn control(dir: &Path) {
    let control = dir.join("control.html");
    fs::write(&control, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>control</title></head><body><p>control</p><script>console.error(\"kanzei-control-error\")</script></body></html>\n").unwrap();
    let run = chromium(dir, "control", &control, &["--enable-logging=stderr".into(), "--v=1".into(), "--dump-dom".into()]);
    let messages = console_messages(&run.stderr);
    assert!(
        messages.iter().any(|m| m.contains("kanzei-control-error")),
        "the console detector missed the control page's error; Chromium's log format changed? stderr:\n{}",
        tail(&run.stderr)
    );
}

/// Writes `doc` as `{stem}.html` (and .md, .txt, charts) into `dir`, loads it in Chromium and
/// checks (b) no console message, (c) every chart drawn, (a) a screenshot far from blank.
fn check_in_browser(dir: &Path, stem: &str, doc: &Document, n_charts: usize) {
    let html = to_html(doc).unwrap();
    let page = dir.join(format!("{stem}.html"));
    fs::write(&page, &html).unwrap();
    fs::write(dir.join(format!("{stem}.md")), to_markdown(doc).unwrap()).unwrap();
    fs::write(dir.join(format!("{stem}.txt")), to_text(doc, 100).unwrap()).unwrap();
    for (name, svg) in doc.chart_files() {
        fs::write(dir.join(name), svg).unwrap();
    }
    let charts = doc.sections.iter().flat_map(|s| &s.blocks).filter(|b| matches!(b, Block::Chart(_))).count();
    assert_eq!(charts, n_charts);

    // (b) + (c): the page logs nothing and its charts have content.
    let run = chromium(dir, &format!("{stem}-dom"), &page, &["--enable-logging=stderr".into(), "--v=1".into(), "--dump-dom".into()]);
    let messages = console_messages(&run.stderr);
    assert!(messages.is_empty(), "console messages on {stem}:\n{}", messages.join("\n"));
    let dom = &run.stdout;
    assert!(
        // The title as rendered (dashes get a word joiner so they do not break a line).
        dom.contains(&format!("<h1>{}</h1>", doc.title.replace('–', "–\u{2060}"))),
        "DOM dump:\n{}",
        &dom[..dom.len().min(2000)]
    );
    assert!(!dom.contains("http://") && !dom.contains("https://"), "a URL in the parsed page");
    let svgs = svg_elements(dom);
    assert_eq!(svgs.len(), n_charts, "charts in the parsed DOM");
    for (i, svg) in svgs.iter().enumerate() {
        let marks = ["<rect class=\"bar\"", "<path class=\"series\"", "<circle class=\"dot\""].iter().map(|m| svg.matches(m).count()).sum::<usize>();
        assert!(marks > 0, "{stem}: chart {} has no bars, lines or dots:\n{svg}", i + 1);
        assert!(svg.contains("<text") && svg.contains("<title>"), "{stem}: chart {} has no text or title", i + 1);
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{stem}: chart {} has a non-number", i + 1);
    }

    // (a) The screenshot.
    let png = dir.join(format!("{stem}.png"));
    let _ = fs::remove_file(&png);
    chromium(
        dir,
        &format!("{stem}-screenshot"),
        &page,
        &[format!("--screenshot={}", png.display()), "--window-size=1280,2400".into(), "--hide-scrollbars".into()],
    );
    let bytes = fs::read(&png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2400));
    assert!(bytes.len() as u64 > MIN_SCREENSHOT_BYTES, "screenshot {} is only {} bytes: the page looks blank", png.display(), bytes.len());
    println!("screenshot: {} ({} bytes)", png.display(), bytes.len());
}

#[test]
fn sample_document_renders_in_chromium_without_errors() {
    let Some(dir) = setup("sample") else { return };
    control(&dir);
    check_in_browser(&dir, "sample", &sample_document(), 6);
}

/// The real brief, built from the embedded data with every model.
#[test]
fn us_japan_brief_renders_in_chromium_without_errors() {
    let Some(dir) = setup("us-japan-2025") else { return };
    control(&dir);
    let spec = BriefSpec::shipped("us-japan-2025").unwrap();
    let brief = kanzei_report::brief::build(&kanzei_data::Store::embedded(), &spec, &BriefOptions::default(), &mut |_| {}).unwrap();
    check_in_browser(&dir, "brief", &brief.document, 13);
}

/// Partner briefs built from the default spec (every common section, general equilibrium
/// included) for partners of every kind: HS10 data (KOR, MEX, VNM, CHN), an EU member
/// evaluated with an HS2 proxy (DEU) and a group (EU27). Vietnam is not a WIOD region, so its
/// brief has no value-added chart.
#[test]
fn partner_briefs_render_in_chromium_without_errors() {
    let Some(dir) = setup("partners") else { return };
    control(&dir);
    let store = kanzei_data::Store::embedded();
    let engine = Engine::new(&store, "us-2025", "us-2024-baseline", None).unwrap();
    for (partner, charts) in [("KOR", 9), ("DEU", 9), ("MEX", 9), ("VNM", 8), ("CHN", 9), ("EU27", 9)] {
        let brief = kanzei_report::brief::build_with(&engine, &BriefSpec::for_partner(partner), &BriefOptions::default(), &mut |_| {})
            .unwrap_or_else(|e| panic!("{partner}: {e}"));
        check_in_browser(&dir, &format!("brief-{}", partner.to_ascii_lowercase()), &brief.document, charts);
    }
}
