//! Server-rendered pages: the partner view, the comparison of partners and the scenario
//! editor. Every number on a page comes from the same API functions (`api::run` on an
//! argument list the CLI would accept), so a page and `/api/…` cannot disagree. Pages work
//! without JavaScript; `app.js` only swaps the partner view in place when the date moves.
//! No page loads anything from another host.

use std::fmt::Write as _;
use std::sync::Arc;

use clap::Parser;
use kanzei_report::svg::{escape, ChartText, EventMarker, LineChart, LineSeries, LineShape, ValueFormat};
use kanzei_tariff::library::SHIPPED;
use serde_json::Value;

use super::api;
use super::http::{parse_query, percent_encode, truncate, Request, Response};
use super::{lock, State};
use crate::Cli;

const APP_CSS: &str = include_str!("app.css");
const APP_JS: &str = include_str!("app.js");

/// Answers a page request.
pub fn route(state: &Arc<State>, request: &Request) -> Response {
    let get = request.method == "GET";
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", "/app.css") => Response::new(200, "text/css; charset=utf-8", APP_CSS),
        ("GET", "/app.js") => Response::new(200, "text/javascript; charset=utf-8", APP_JS),
        ("GET", "/") => Response::html(index(state)),
        ("GET", "/partner") => cached_page(state, request, partner_page),
        ("GET", "/partner/chart.svg") => page(state, request, partner_chart),
        ("GET", "/compare") => page(state, request, |s, q| compare(s, q, Output::Html)),
        ("GET", "/compare.svg") => page(state, request, |s, q| compare(s, q, Output::Svg)),
        ("GET", "/compare.csv") => page(state, request, |s, q| compare(s, q, Output::Csv)),
        ("GET", "/editor") => page(state, request, |s, q| editor(s, q, None)),
        ("POST", "/editor") | ("POST", "/editor/download") => {
            let mut form = match form_body(request) {
                Ok(f) => f,
                Err(r) => return r,
            };
            // A button's `formaction` puts `what` in the query.
            form.extend(request.query.iter().cloned());
            let download = request.path == "/editor/download";
            let state2 = Arc::clone(state);
            state.compute(move |_| if download { editor_download(&state2, &form) } else { editor(&state2, &[], Some(&form)) })
        }
        (_, "/" | "/partner" | "/compare" | "/compare.svg" | "/compare.csv" | "/partner/chart.svg" | "/app.css" | "/app.js") if !get => {
            let mut r = Response::error(405, &format!("{} takes GET", request.path));
            r.headers.push(("Allow".into(), "GET".into()));
            r
        }
        _ => error_page(404, &format!("no page `{}`", truncate(&request.path, 60))),
    }
}

/// A page computed within a computation slot.
fn page(state: &Arc<State>, request: &Request, render: impl FnOnce(&State, &[(String, String)]) -> Response + Send + 'static) -> Response {
    let query = request.query.clone();
    state.compute(move |s| render(s, &query))
}

/// A page whose rendering is kept (by its query) for the next request of the same URL.
fn cached_page(state: &Arc<State>, request: &Request, render: fn(&State, &[(String, String)]) -> Response) -> Response {
    let key = format!("{}?{:?}", request.path, request.query);
    if let Some(hit) = lock(&state.pages).get(&key) {
        return hit;
    }
    let query = request.query.clone();
    let response = state.compute(move |s| render(s, &query));
    if response.status == 200 {
        lock(&state.pages).insert(key, response.clone());
    }
    response
}

fn form_body(request: &Request) -> Result<Vec<(String, String)>, Response> {
    let text = std::str::from_utf8(&request.body).map_err(|_| Response::error(400, "the form is not UTF-8"))?;
    parse_query(text).map_err(|e| Response::error(400, &e))
}

fn param<'q>(query: &'q [(String, String)], key: &str) -> Option<&'q str> {
    query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
}

/// Checks that a page got only parameters it knows.
fn only(query: &[(String, String)], known: &[&str]) -> Result<(), Response> {
    match query.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        Some((k, _)) => Err(error_page(400, &format!("unknown parameter `{}`: expected one of {}", truncate(k, 40), known.join(", ")))),
        None => Ok(()),
    }
}

/// Runs a CLI command (argument list without the program name) through the API and parses
/// its JSON; a failure becomes an error page with the API's message.
fn api_json(state: &State, args: &[String], body: Option<&[u8]>) -> Result<Value, Response> {
    let cli = Cli::try_parse_from(std::iter::once("kanzei".to_string()).chain(args.iter().cloned()))
        .map_err(|e| error_page(400, e.render().to_string().trim_end()))?;
    let response = api::run(state, cli.command, body).unwrap_or_else(|r| r);
    let value: Value = serde_json::from_slice(&response.body).map_err(|e| error_page(500, &format!("internal error: {e}")))?;
    if response.status != 200 {
        return Err(error_page(response.status, value["error"].as_str().unwrap_or("error")));
    }
    Ok(value)
}

fn shell(title: &str, head_extra: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} · kanzei</title>\n<link rel=\"icon\" href=\"data:,\">\n<link rel=\"stylesheet\" href=\"/app.css\">\n{head_extra}</head>\n<body>\n\
         <nav class=\"app-nav\"><a href=\"/\">kanzei</a> <a href=\"/partner\">Partner</a> <a href=\"/compare\">Compare</a> <a href=\"/editor\">Scenario editor</a> <a href=\"/api/lists\">API</a></nav>\n\
         <main class=\"app\">\n{body}\n</main>\n<script src=\"/app.js\"></script>\n</body>\n</html>\n",
        escape(title)
    )
}

/// An HTML error page with `status`.
pub fn error_page(status: u16, message: &str) -> Response {
    let body = format!("<h1>Error {status}</h1>\n<p class=\"error\" id=\"error\">{}</p>\n<p><a href=\"/\">Start page</a></p>", escape(message));
    Response::new(status, "text/html; charset=utf-8", shell("Error", "", &body))
}

fn index(state: &State) -> String {
    let mut body = String::from("<h1>kanzei: who pays a tariff</h1>\n<p>Every number here is the CLI's: the same commands, the data embedded in the binary.</p>\n<ul>\n");
    body.push_str("<li><a href=\"/partner?partner=JPN\">Partner view</a>: one U.S. partner on one date — the brief's sections.</li>\n");
    body.push_str("<li><a href=\"/compare?partners=JPN,KOR,EU27,MEX,CHN\">Compare</a>: several partners' effective tariff rate over time.</li>\n");
    body.push_str("<li><a href=\"/editor\">Scenario editor</a>: change a shipped scenario's TOML; see its rates and the difference from the base.</li>\n");
    body.push_str("<li>JSON API: <code>/api/rates</code>, <code>/api/timeline</code>, <code>/api/exposure</code>, <code>/api/explain</code>, <code>/api/check</code>, <code>/api/brief</code>, <code>/api/lists</code> (docs/server.md).</li>\n</ul>\n");
    let _ = write!(body, "{}", partner_form(state, "", "", &[]));
    shell("kanzei", "", &body)
}

fn partner_datalist(state: &State) -> String {
    let mut s = String::from("<datalist id=\"partners\">");
    for a in state.store.registry().areas() {
        let _ = write!(s, "<option value=\"{}\">{}</option>", escape(a.code.as_str()), escape(&a.name));
    }
    s.push_str("</datalist>");
    s
}

fn partner_form(state: &State, partner: &str, date: &str, event_dates: &[String]) -> String {
    let mut s = format!(
        "<form class=\"controls\" method=\"get\" action=\"/partner\" id=\"partner-form\">\n<label>Partner <input name=\"partner\" list=\"partners\" value=\"{}\" placeholder=\"JPN, EU27, Korea\" required></label>\n{}\n\
         <label>Date <input type=\"date\" name=\"date\" id=\"date\" value=\"{}\" min=\"2024-01-01\" max=\"2027-12-31\"></label>\n",
        escape(partner),
        partner_datalist(state),
        escape(date)
    );
    if !event_dates.is_empty() {
        let index = event_dates.iter().position(|d| d.as_str() >= date).unwrap_or(event_dates.len() - 1);
        let _ = writeln!(
            s,
            "<label>Events <input type=\"range\" id=\"date-slider\" min=\"0\" max=\"{}\" value=\"{index}\" data-dates=\"{}\"></label>",
            event_dates.len() - 1,
            escape(&event_dates.join(","))
        );
    }
    s.push_str("<button type=\"submit\">Show</button>\n</form>\n");
    s
}

fn fmt_bn(usd: f64) -> String {
    format!("${:.1} bn", usd / 1e9)
}

/// `/partner?partner=JPN&date=2025-11-17[&scenario=…][&fragment=1]`.
fn partner_page(state: &State, query: &[(String, String)]) -> Response {
    if let Err(r) = only(query, &["partner", "date", "scenario", "fragment"]) {
        return r;
    }
    let Some(partner) = param(query, "partner") else {
        return Response::html(shell("Partner", "", &format!("<h1>Partner view</h1>\n{}", partner_form(state, "", "", &[]))));
    };
    let scenario = param(query, "scenario").unwrap_or("us-2025");
    if let Err(r) = api::check_scenario_id("scenario", scenario) {
        return error_page(400, &String::from_utf8_lossy(&r.body));
    }
    let prepared = match api::prepared_shipped(state, scenario) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut event_dates: Vec<String> = prepared.scenario.events.iter().map(|e| e.date.to_string()).collect();
    event_dates.sort();
    event_dates.dedup();
    let default_date = kanzei_report::brief::last_event_date(&prepared.scenario).map(|d| d.to_string()).unwrap_or_else(|| "2025-11-17".into());
    let date = param(query, "date").map(str::to_string).unwrap_or(default_date);
    let exposure = match api_json(state, &["tariff".into(), "exposure".into(), format!("--scenario={scenario}"), format!("--date={date}"), "--format=json".into(), "--".into(), partner.into()], None) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let code = exposure["partner"].as_str().unwrap_or(partner).to_string();
    let name = exposure["name"].as_str().unwrap_or(&code).to_string();
    let mut view = String::new();
    let _ = write!(
        view,
        "<section class=\"headline\" data-partner=\"{}\" data-date=\"{}\">\n<h1>{} on {}</h1>\n<p class=\"scenario\">Scenario <code>{}</code> · U.S. tariffs as of {}</p>\n<div class=\"numbers\">\n\
         <div><span class=\"value\" id=\"etr\">{:.2}%</span><span class=\"label\">Effective U.S. tariff rate (<a href=\"{source}\">source</a>)</span></div>\n\
         <div><span class=\"value\" id=\"duties\">{}</span><span class=\"label\">Duties on a year of 2024 imports (<a href=\"{source}\">source</a>)</span></div>\n\
         <div><span class=\"value\" id=\"imports\">{}</span><span class=\"label\">U.S. imports for consumption, 2024 (customs value: the tariff base; <a href=\"{source}\">source</a>)</span></div>\n\
         <div><span class=\"value\" id=\"share-hit\">{:.1}%</span><span class=\"label\">Share facing a measure beyond MFN (<a href=\"{source}\">source</a>)</span></div>\n</div>\n</section>\n",
        escape(&code),
        escape(&date),
        escape(&name),
        escape(&date),
        escape(scenario),
        escape(&date),
        exposure["etr_pct"].as_f64().unwrap_or(f64::NAN),
        fmt_bn(exposure["revenue_usd"].as_f64().unwrap_or(f64::NAN)),
        fmt_bn(exposure["imports_usd"].as_f64().unwrap_or(f64::NAN)),
        exposure["share_hit_pct"].as_f64().unwrap_or(f64::NAN),
        source = format_args!("/api/exposure?partner={}&amp;date={}&amp;scenario={}", percent_encode(&code), percent_encode(&date), percent_encode(scenario)),
    );
    // The brief's sections for this partner on this date (general equilibrium without bands).
    let brief_args = brief_argv(&code, &date, scenario);
    let brief = Cli::try_parse_from(&brief_args).ok().and_then(|cli| match cli.command {
        crate::Command::Brief(args) => Some(api::build_brief(state, &args)),
        _ => None,
    });
    match brief {
        Some(Ok(built)) => match kanzei_report::document::to_html(&built.document) {
            Ok(html) => {
                let query = format!("partner={}&date={}&scenario={}", percent_encode(&code), percent_encode(&date), percent_encode(scenario));
                view.push_str("<div class=\"brief\">\n");
                view.push_str(&brief_body(&html, &built.document, &query));
                view.push_str("</div>\n");
            }
            Err(e) => {
                let _ = write!(view, "<p class=\"error\">The brief could not be rendered: {}</p>", escape(&e.to_string()));
            }
        },
        Some(Err(r)) => {
            let message: Value = serde_json::from_slice(&r.body).unwrap_or_default();
            let _ = write!(view, "<p class=\"note\">No brief for {code}: {}</p>", escape(message["error"].as_str().unwrap_or("")));
        }
        None => {}
    }
    if param(query, "fragment").is_some() {
        return Response::html(view);
    }
    let style = brief_style();
    let body = format!("{}\n<div id=\"view\">\n{view}</div>", partner_form(state, &code, &date, &event_dates));
    Response::html(shell(&format!("{name}, {date}"), &style, &body))
}

fn brief_argv(code: &str, date: &str, scenario: &str) -> Vec<String> {
    ["kanzei", "brief", "--draws=0", &format!("--date={date}"), &format!("--scenario={scenario}"), "--format=json", "--", code].iter().map(|s| s.to_string()).collect()
}

/// The CSS of the brief's HTML, for pages that embed its sections.
fn brief_style() -> String {
    let html = kanzei_report::document::to_html(&kanzei_report::document::sample_document()).unwrap_or_default();
    match (html.find("<style>"), html.find("</style>")) {
        (Some(a), Some(b)) if a < b => format!("{}\n", &html[a..b + 8]),
        _ => String::new(),
    }
}

/// The page part of a brief's HTML, with "download SVG" and "download data" under each chart.
fn brief_body(html: &str, document: &kanzei_report::document::Document, query: &str) -> String {
    let start = html.find("<body>").map_or(0, |i| i + 6);
    let end = html.rfind("</body>").unwrap_or(html.len());
    let mut body = html[start..end].to_string();
    for (file, _) in document.chart_files() {
        let marker = format!("data-file=\"{}\"", escape(file));
        let Some(at) = body.find(&marker) else { continue };
        let Some(close) = body[at..].find("</figure>").map(|i| at + i) else { continue };
        let links = format!(
            "<p class=\"downloads\"><a href=\"/partner/chart.svg?{query}&amp;file={f}\" download=\"{f}\">download SVG</a> · <a href=\"/api/brief?name={name}&amp;date={date}&amp;draws=0\" download>download data (brief.json)</a></p>\n",
            f = percent_encode(file),
            name = query.split('&').next().unwrap_or("").trim_start_matches("partner="),
            date = query.split('&').nth(1).unwrap_or("").trim_start_matches("date="),
        );
        body.insert_str(close, &links);
    }
    body
}

/// `/partner/chart.svg?partner=…&date=…&file=…`: one chart of the partner's brief.
fn partner_chart(state: &State, query: &[(String, String)]) -> Response {
    if let Err(r) = only(query, &["partner", "date", "scenario", "file"]) {
        return r;
    }
    let (Some(partner), Some(date), Some(file)) = (param(query, "partner"), param(query, "date"), param(query, "file")) else {
        return Response::error(400, "give `partner`, `date` and `file` (a chart's file name from the partner page)");
    };
    let scenario = param(query, "scenario").unwrap_or("us-2025");
    let args = match Cli::try_parse_from(brief_argv(partner, date, scenario)).map(|c| c.command) {
        Ok(crate::Command::Brief(args)) => args,
        Ok(_) => return Response::error(400, "not a brief"),
        Err(e) => return Response::error(400, e.render().to_string().trim_end()),
    };
    let built = match api::build_brief(state, &args) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let charts = built.document.chart_files();
    match charts.iter().find(|(name, _)| *name == file) {
        Some((name, svg)) => Response::new(200, "image/svg+xml", svg.to_string()).attachment(name),
        None => {
            let names: Vec<&str> = charts.iter().map(|(n, _)| *n).collect();
            Response::error(404, &format!("no chart `{}` in this brief: expected one of {}", truncate(file, 60), names.join(", ")))
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Output {
    Html,
    Svg,
    Csv,
}

/// `/compare?partners=JPN,KOR,EU27&scenario=us-2025&from=…&to=…`: the ETR path of several
/// partners (each `tariff timeline --partner P`), as a page, its chart or its data.
fn compare(state: &State, query: &[(String, String)], output: Output) -> Response {
    if let Err(r) = only(query, &["partners", "scenario", "from", "to"]) {
        return r;
    }
    let partners: Vec<String> = param(query, "partners").unwrap_or("JPN,KOR,EU27,MEX,CHN").split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    if partners.len() > 12 {
        return error_page(400, &format!("{} partners: compare at most 12", partners.len()));
    }
    let scenario = param(query, "scenario").unwrap_or("us-2025");
    if let Err(r) = api::check_scenario_id("scenario", scenario) {
        return r;
    }
    let from = param(query, "from").unwrap_or("2025-01-01");
    let to = param(query, "to").unwrap_or("2026-08-19");
    let mut lines = Vec::new();
    for p in &partners {
        let args = ["tariff", "timeline", &format!("--scenario={scenario}"), &format!("--from={from}"), &format!("--to={to}"), &format!("--partner={p}"), "--format=json"];
        match api_json(state, &args.map(String::from), None) {
            Ok(v) => lines.push((p.clone(), v)),
            Err(r) => return r,
        }
    }
    let events: Vec<(String, String)> = lines.first().map_or(Vec::new(), |(_, v)| {
        v["events"].as_array().cloned().unwrap_or_default().iter().map(|e| (e["date"].as_str().unwrap_or("").to_string(), e["label"].as_str().unwrap_or("").to_string())).collect()
    });
    let series_of = |v: &Value| -> Vec<(kanzei_tariff::Date, f64)> {
        v["points"].as_array().map_or(Vec::new(), |ps| ps.iter().filter_map(|p| Some((p["date"].as_str()?.parse().ok()?, p["etr_pct"].as_f64()?))).collect())
    };
    if output == Output::Csv {
        let mut csv = String::from("date");
        for (p, v) in &lines {
            let _ = write!(csv, ",{}_etr_pct", v["partner"].as_str().unwrap_or(p));
        }
        csv.push('\n');
        let columns: Vec<Vec<(kanzei_tariff::Date, f64)>> = lines.iter().map(|(_, v)| series_of(v)).collect();
        for (i, (date, _)) in columns.first().map(|c| c.as_slice()).unwrap_or_default().iter().enumerate() {
            let _ = write!(csv, "{date}");
            for c in &columns {
                let _ = write!(csv, ",{}", c.get(i).map_or(String::new(), |(_, v)| v.to_string()));
            }
            csv.push('\n');
        }
        return Response::new(200, "text/csv; charset=utf-8", csv).attachment("compare.csv");
    }
    let (Ok(from_date), Ok(to_date)) = (from.parse::<kanzei_tariff::Date>(), to.parse::<kanzei_tariff::Date>()) else {
        return error_page(400, "`from` and `to` must be dates (YYYY-MM-DD)");
    };
    let series: Vec<LineSeries> = lines.iter().map(|(p, v)| LineSeries::new(v["partner"].as_str().unwrap_or(p), series_of(v), LineShape::Step)).collect();
    let markers: Vec<EventMarker> = events
        .iter()
        .filter_map(|(d, l)| Some(EventMarker::new(d.parse().ok()?, truncate(l, 30))))
        .filter(|e| e.date > from_date && e.date <= to_date)
        .take(6)
        .collect();
    let mut chart = LineChart::new(
        ChartText::new(
            format!("Effective U.S. tariff rate by partner, {from} to {to}"),
            format!("Daily import-weighted U.S. tariff rate on goods from {} under scenario {scenario}, percent.", partners.join(", ")),
        )
        .with_subtitle("Duties over 2024 import values, percent, before substitution")
        .with_source(format!("Source: kanzei scenario {scenario} on USITC HTS 2025 and Census 2024 imports.")),
        series,
        markers,
        ValueFormat::Percent { decimals: 1 },
    );
    chart.x_start = Some(from_date);
    chart.x_end = Some(to_date);
    let svg = match chart.render() {
        Ok(svg) => svg,
        Err(e) => return error_page(400, &format!("the chart cannot be drawn: {e}")),
    };
    if output == Output::Svg {
        return Response::new(200, "image/svg+xml", svg).attachment("compare.svg");
    }
    let qs = format!("partners={}&scenario={}&from={}&to={}", percent_encode(&partners.join(",")), percent_encode(scenario), percent_encode(from), percent_encode(to));
    let mut body = format!(
        "<h1>Compare partners</h1>\n<form class=\"controls\" method=\"get\" action=\"/compare\">\n<label>Partners <input name=\"partners\" value=\"{}\"></label>\n\
         <label>From <input type=\"date\" name=\"from\" value=\"{}\"></label>\n<label>To <input type=\"date\" name=\"to\" value=\"{}\"></label>\n<button type=\"submit\">Show</button>\n</form>\n\
         <figure class=\"chart\" id=\"compare-chart\">{svg}\n<p class=\"downloads\"><a href=\"/compare.svg?{q}\" download=\"compare.svg\">download SVG</a> · <a href=\"/compare.csv?{q}\" download=\"compare.csv\">download data (CSV)</a></p></figure>\n",
        escape(&partners.join(",")),
        escape(from),
        escape(to),
        q = escape(&qs),
    );
    body.push_str("<table class=\"grid\" id=\"compare-table\">\n<thead><tr><th>Partner</th><th>ETR on first day</th><th>ETR on last day</th><th>Peak ETR</th><th>Duties a year at last day</th><th>U.S. imports 2024</th><th>Share facing a measure beyond MFN, last day</th></tr></thead>\n<tbody>\n");
    for (p, v) in &lines {
        let points = v["points"].as_array().cloned().unwrap_or_default();
        let first = points.first().and_then(|x| x["etr_pct"].as_f64()).unwrap_or(f64::NAN);
        let last = points.last().and_then(|x| x["etr_pct"].as_f64()).unwrap_or(f64::NAN);
        let peak = points.iter().filter_map(|x| x["etr_pct"].as_f64()).fold(f64::NAN, f64::max);
        let revenue = points.last().and_then(|x| x["revenue_usd"].as_f64()).unwrap_or(f64::NAN);
        let code = v["partner"].as_str().unwrap_or(p);
        // Exposure on the last day (`tariff exposure P --date TO`).
        let args = ["tariff", "exposure", &format!("--scenario={scenario}"), &format!("--date={to}"), "--format=json", "--", code];
        let exposure = match api_json(state, &args.map(String::from), None) {
            Ok(v) => v,
            Err(r) => return r,
        };
        let _ = writeln!(
            body,
            "<tr><td><a href=\"/partner?partner={}&amp;date={}\">{}</a></td><td>{first:.2}%</td><td>{last:.2}%</td><td>{peak:.2}%</td><td>{}</td><td>{}</td><td>{:.1}%</td></tr>",
            percent_encode(code),
            percent_encode(to),
            escape(code),
            fmt_bn(revenue),
            fmt_bn(exposure["imports_usd"].as_f64().unwrap_or(f64::NAN)),
            exposure["share_hit_pct"].as_f64().unwrap_or(f64::NAN)
        );
    }
    body.push_str("</tbody></table>\n<p class=\"note\">Each line is <code>kanzei tariff timeline --partner P</code> (JSON: <code>/api/timeline</code>); imports and the share hit are <code>kanzei tariff exposure P --date TO</code> (<code>/api/exposure</code>).</p>\n");
    Response::html(shell("Compare", "", &body))
}

fn shipped_text(id: &str) -> Option<&'static str> {
    SHIPPED.iter().find(|(i, _, _)| *i == id).map(|(_, _, t)| *t)
}

/// A TOML basic string holding `text` (quotes, backslashes and control characters escaped).
fn toml_str(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comma-separated list as a TOML array of strings.
fn toml_list(text: &str) -> String {
    let items: Vec<String> = text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(toml_str).collect();
    format!("[{}]", items.join(", "))
}

/// The measure form's fields: (name, label, default).
const MEASURE_FIELDS: &[(&str, &str, &str)] = &[
    ("exporters", "Exporters (ISO3, EU27, comma-separated)", "JPN"),
    ("products", "Products (all, or HS codes)", "all"),
    ("rate_pct", "Rate, %", "10"),
    ("stacking", "Stacking (add, max, floor, replace)", "add"),
    ("authority", "Authority", "ieepa-reciprocal"),
    ("effective", "Effective", "2025-11-01"),
    ("expires", "Expires (optional)", ""),
];

/// What the editor starts with: a scenario that extends `base` with one measure from the
/// form's fields (their defaults without them). The values go in as TOML text; the
/// validator judges them when the scenario runs, with line and key.
fn what_if_template(base: &str, query: &[(String, String)]) -> String {
    let field = |name: &str| {
        let default = MEASURE_FIELDS.iter().find(|(n, _, _)| *n == name).map_or("", |(_, _, d)| *d);
        query.iter().find(|(k, _)| k == name).map_or(default, |(_, v)| v.as_str()).trim().to_string()
    };
    let products = field("products");
    let products = if products == "all" { "\"all\"".to_string() } else { toml_list(&products) };
    let rate = field("rate_pct");
    let rate = if rate.parse::<f64>().is_ok_and(f64::is_finite) { rate } else { toml_str(&rate) };
    let expires = field("expires");
    let expires = if expires.is_empty() { String::new() } else { format!("expires = {}\n", toml_str(&expires)) };
    format!(
        "# A what-if on top of the shipped scenario `{base}`: change the measure below (rate, dates,\n\
         # exporters, products), add others, `remove = [\"measure-id\"]` some of {base}'s, or paste a\n\
         # whole scenario. Format: docs/scenarios.md; {base} itself: /editor?base={base}&full=1\n\
         schema = 1\n\
         id = \"my-what-if\"\n\
         extends = {}\n\
         title = \"My what-if on {base}\"\n\
         \n\
         [[measure]]\n\
         id = \"my-measure\"\n\
         authority = {}\n\
         legal = \"hypothetical\"\n\
         exporters = {}\n\
         products = {products}\n\
         rate_pct = {rate}\n\
         stacking = {}\n\
         effective = {}\n{expires}",
        toml_str(base),
        toml_str(&field("authority")),
        toml_list(&field("exporters")),
        toml_str(&field("stacking")),
        toml_str(&field("effective")),
    )
}

/// The editor's rates: `tariff rates --by partner` on the form's TOML against its base.
fn editor_rates(state: &State, form: &[(String, String)]) -> Result<(Value, String, String), Response> {
    let toml = param(form, "toml").unwrap_or("");
    let base = param(form, "base").unwrap_or("us-2025");
    api::check_scenario_id("baseline", base)?;
    let date = param(form, "date").unwrap_or("2025-11-17");
    let args: Vec<String> = ["tariff", "rates", "--by=partner", &format!("--date={date}"), &format!("--baseline={base}"), "--format=json"].iter().map(|s| s.to_string()).collect();
    let cli = Cli::try_parse_from(std::iter::once("kanzei".to_string()).chain(args)).map_err(|e| Response::error(400, e.render().to_string().trim_end()))?;
    let response = api::run(state, cli.command, Some(toml.as_bytes())).unwrap_or_else(|r| r);
    if response.status != 200 {
        return Err(response);
    }
    let value: Value = serde_json::from_slice(&response.body).map_err(|e| Response::error(500, &e.to_string()))?;
    Ok((value, base.to_string(), date.to_string()))
}

/// `/editor`: a shipped scenario's TOML to edit; on POST, its errors inline or its rates and
/// the difference from the base.
fn editor(state: &State, query: &[(String, String)], form: Option<&[(String, String)]>) -> Response {
    let source = form.unwrap_or(query);
    let base = param(source, "base").unwrap_or("us-2025");
    if let Err(r) = api::check_scenario_id("baseline", base) {
        return r;
    }
    let date = param(source, "date").unwrap_or("2025-11-17");
    let toml = match form {
        Some(f) => param(f, "toml").unwrap_or("").to_string(),
        None if param(query, "full").is_some() => shipped_text(base).map(|t| t.to_string()).unwrap_or_default(),
        None => what_if_template(base, query),
    };
    let mut results = String::new();
    let mut status = 200;
    if let Some(form) = form {
        match editor_rates(state, form) {
            Ok((v, base, date)) => {
                if v["baseline_etr_pct"].is_null() {
                    let _ = writeln!(
                        results,
                        "<p class=\"note\" id=\"no-base\">This scenario's id is the base's (<code>{}</code>), so there is no difference to show: give it an id of its own and <code>extends = \"{}\"</code>.</p>",
                        escape(&base),
                        escape(&base)
                    );
                }
                for w in v["warnings"].as_array().cloned().unwrap_or_default() {
                    let _ = writeln!(results, "<p class=\"note warning\">warning: {}</p>", escape(w.as_str().unwrap_or("")));
                }
                let _ = write!(
                    results,
                    "<section id=\"results\">\n<h2>Results on {}</h2>\n<p class=\"numbers\"><span id=\"result-etr\">{:.2}%</span> effective U.S. tariff rate under <code>{}</code>; <span id=\"base-etr\">{:.2}%</span> under the base <code>{}</code> (difference {:+.2} pp); duties {} a year at 2024 volumes.</p>\n\
                     <table class=\"grid\"><thead><tr><th>Partner</th><th class=\"text\">Name</th><th>Imports 2024</th><th>ETR</th><th>Base ETR</th><th>Difference</th></tr></thead><tbody>\n",
                    escape(&date),
                    v["etr_pct"].as_f64().unwrap_or(f64::NAN),
                    escape(v["scenario"].as_str().unwrap_or("")),
                    v["baseline_etr_pct"].as_f64().unwrap_or(f64::NAN),
                    escape(&base),
                    v["etr_pct"].as_f64().unwrap_or(f64::NAN) - v["baseline_etr_pct"].as_f64().unwrap_or(f64::NAN),
                    fmt_bn(v["revenue_usd"].as_f64().unwrap_or(f64::NAN)),
                );
                let mut groups = v["groups"].as_array().cloned().unwrap_or_default();
                groups.sort_by(|a, b| {
                    let d = |g: &Value| g["change_pp"].as_f64().unwrap_or(0.0).abs();
                    d(b).total_cmp(&d(a))
                });
                for g in groups.iter().take(25) {
                    let _ = writeln!(
                        results,
                        "<tr><td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{:.2}%</td><td>{:.2}%</td><td>{:+.2} pp</td></tr>",
                        escape(g["key"].as_str().unwrap_or("")),
                        escape(g["name"].as_str().unwrap_or("")),
                        fmt_bn(g["imports_usd"].as_f64().unwrap_or(f64::NAN)),
                        g["etr_pct"].as_f64().unwrap_or(f64::NAN),
                        g["baseline_etr_pct"].as_f64().unwrap_or(f64::NAN),
                        g["change_pp"].as_f64().unwrap_or(f64::NAN)
                    );
                }
                results.push_str("</tbody></table>\n<p class=\"note\">The 25 partners whose rate differs most from the base. The whole table: download CSV or JSON.</p>\n</section>\n");
            }
            Err(r) => {
                // A scenario with errors is a page rendered as asked, its errors inline: 200
                // (a 4xx document is a console error in the browser). The API answers 400.
                if r.status != 400 {
                    status = r.status;
                }
                let v: Value = serde_json::from_slice(&r.body).unwrap_or_default();
                results.push_str("<section id=\"errors\" class=\"errors\">\n<h2>The scenario has errors</h2>\n<ul>\n");
                match v["errors"].as_array() {
                    Some(errors) => {
                        for e in errors {
                            let _ = writeln!(
                                results,
                                "<li class=\"scenario-error\" data-line=\"{}\"><b>line {}</b>, key <code>{}</code>: {}</li>",
                                e["line"],
                                e["line"],
                                escape(e["key"].as_str().unwrap_or("")),
                                escape(e["message"].as_str().unwrap_or(""))
                            );
                        }
                    }
                    None => {
                        let _ = writeln!(results, "<li class=\"scenario-error\">{}</li>", escape(v["error"].as_str().unwrap_or("error")));
                    }
                }
                results.push_str("</ul>\n</section>\n");
            }
        }
    }
    let mut fields = String::new();
    for (name, label, default) in MEASURE_FIELDS {
        let value = param(query, name).unwrap_or(default);
        let _ = write!(fields, " <label>{label} <input name=\"{name}\" value=\"{}\" size=\"12\"></label>", escape(value));
    }
    let mut options = String::new();
    for (id, _, _) in SHIPPED {
        let _ = write!(options, "<option value=\"{id}\"{}>{id}</option>", if *id == base { " selected" } else { "" });
    }
    let body = format!(
        "<h1>Scenario editor</h1>\n<p>Start from a shipped scenario (<a href=\"/editor?base=us-2025\">us-2025</a>), change measures — rate, dates, exporters, products — \
         and run it. Errors are those of <code>kanzei tariff check</code>; the format is docs/scenarios.md.</p>\n\
         <form method=\"get\" action=\"/editor\" class=\"controls\" id=\"measure-form\"><label>Start from <select name=\"base\">{options}</select></label>{fields} <button type=\"submit\">Write the scenario</button></form>\n\
         <form method=\"post\" action=\"/editor\" class=\"editor\" id=\"editor-form\">\n<input type=\"hidden\" name=\"base\" value=\"{}\">\n\
         <label>Date <input type=\"date\" name=\"date\" value=\"{}\"></label>\n<textarea name=\"toml\" id=\"toml\" rows=\"28\" spellcheck=\"false\">{}</textarea>\n\
         <p><button type=\"submit\" id=\"run\">Run</button> \
         <button type=\"submit\" formaction=\"/editor/download?what=toml\" id=\"download-toml\">download scenario</button> \
         <button type=\"submit\" formaction=\"/editor/download?what=csv\" id=\"download-csv\">download CSV</button> \
         <button type=\"submit\" formaction=\"/editor/download?what=json\" id=\"download-json\">download JSON</button></p>\n</form>\n{results}",
        escape(base),
        escape(date),
        escape(&toml),
        fields = fields,
    );
    let mut response = Response::html(shell("Scenario editor", "", &body));
    response.status = status;
    response
}

/// `POST /editor/download?what=toml|csv|json`: the form's scenario, or its rates as CSV or JSON.
fn editor_download(state: &State, form: &[(String, String)]) -> Response {
    // The form's `formaction` query arrives as part of the path's query; the body has the rest.
    let what = param(form, "what").unwrap_or("json");
    let toml = param(form, "toml").unwrap_or("");
    match what {
        "toml" => match api::parse_body(state, toml.as_bytes()) {
            Ok(s) => Response::new(200, "application/toml", toml.to_string()).attachment(&format!("{}.toml", s.id.replace('/', "-"))),
            Err(r) => r,
        },
        "csv" | "json" => {
            let base = param(form, "base").unwrap_or("us-2025");
            if let Err(r) = api::check_scenario_id("baseline", base) {
                return r;
            }
            let date = param(form, "date").unwrap_or("2025-11-17");
            let args = ["kanzei", "tariff", "rates", "--by=partner", &format!("--date={date}"), &format!("--baseline={base}"), &format!("--format={what}")];
            let cli = match Cli::try_parse_from(args) {
                Ok(c) => c,
                Err(e) => return Response::error(400, e.render().to_string().trim_end()),
            };
            let crate::Command::Tariff(crate::commands::tariff::TariffCommand::Rates(rates_args)) = cli.command else {
                return Response::error(400, "not a rates command");
            };
            let data = match state.tariff_data() {
                Ok(d) => d,
                Err(e) => return Response::error(503, &e.to_string()),
            };
            let (key, prepared) = match api::prepared_body(state, toml.as_bytes()) {
                Ok(p) => p,
                Err(r) => return r,
            };
            let baseline = if base == "none" || base == prepared.scenario.id || prepared.scenario.importer.as_str() != "USA" {
                None
            } else {
                match api::baseline_for(state, &key, &prepared, base) {
                    Ok(b) => Some(b),
                    Err(r) => return r,
                }
            };
            let report = match crate::commands::tariff::rates_prepared(data, state.store, &rates_args, &prepared, baseline.as_deref()) {
                Ok(r) => r,
                Err(e) => return api::error_response(&e),
            };
            let mut out = Vec::new();
            let format = if what == "csv" { crate::output::Format::Csv } else { crate::output::Format::Json };
            if let Err(e) = report.write(format, &mut out) {
                return Response::error(500, &e.to_string());
            }
            let name = format!("{}-rates.{what}", prepared.scenario.id.replace('/', "-"));
            Response::new(200, if what == "csv" { "text/csv; charset=utf-8" } else { "application/json" }, out).attachment(&name)
        }
        other => Response::error(400, &format!("`what` is `{}`: expected one of toml, csv, json", truncate(other, 20))),
    }
}
