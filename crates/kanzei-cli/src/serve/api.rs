//! The JSON API: `/api/rates`, `/api/timeline`, `/api/exposure`, `/api/explain`,
//! `/api/check`, `/api/brief`, `/api/lists`.
//!
//! Each route mirrors one CLI command. Query parameters are the command's option names
//! (`by`, `date`, `compare-census`; `_` may stand for `-`), a flag takes `true`/`false`, and
//! the command's positional argument has its own name (`partner` for `exposure`, `name` for
//! `brief`). The parameters become an argument list that [`crate::Cli`] parses, so a bad
//! value gets clap's message, and the command functions build the same `Report` as the CLI,
//! written as `--format json` writes it. A scenario is a shipped id or, with `POST`, the
//! TOML text of the body, checked by the validator of `tariff check`; nothing names a file.

use std::hash::{Hash, Hasher};
use std::sync::Arc;

use clap::Parser;
use kanzei_report::brief::{self, BriefSpec, Engine};
use kanzei_tariff::library::{vocabulary, Library, SHIPPED};
use kanzei_tariff::ScenarioError;

use super::http::{truncate, Request, Response};
use super::{lock, State};
use crate::commands::brief::BriefArgs;
use crate::commands::tariff::{self, Prepared, TariffCommand};
use crate::output::Format;
use crate::{Cli, Command};

/// Largest `draws` a brief request may ask for (each Caliendo–Parro draw re-solves the model).
pub const MAX_DRAWS: usize = 200;

/// One API route: the CLI command it runs and the parameters it takes.
pub struct RouteSpec {
    /// The path (`/api/rates`).
    pub path: &'static str,
    /// The CLI words (`tariff rates`).
    pub command: &'static [&'static str],
    /// Options that take a value.
    pub options: &'static [&'static str],
    /// Options without a value (flags).
    pub flags: &'static [&'static str],
    /// The positional argument's parameter name.
    pub positional: Option<&'static str>,
    /// Whether a POST body may carry the scenario.
    pub body_scenario: bool,
    /// Whether the command takes `--format`.
    pub format: bool,
}

/// Every API route.
pub const ROUTES: &[RouteSpec] = &[
    RouteSpec {
        path: "/api/rates",
        command: &["tariff", "rates"],
        options: &["scenario", "date", "by", "baseline", "compare", "top"],
        flags: &["compare-census"],
        positional: None,
        body_scenario: true,
        format: true,
    },
    RouteSpec {
        path: "/api/timeline",
        command: &["tariff", "timeline"],
        options: &["scenario", "from", "to", "partner"],
        flags: &["changes-only"],
        positional: None,
        body_scenario: true,
        format: true,
    },
    RouteSpec {
        path: "/api/exposure",
        command: &["tariff", "exposure"],
        options: &["scenario", "date"],
        flags: &[],
        positional: Some("partner"),
        body_scenario: true,
        format: true,
    },
    RouteSpec {
        path: "/api/explain",
        command: &["tariff", "explain"],
        options: &["scenario", "partner", "hs10", "date"],
        flags: &[],
        positional: None,
        body_scenario: false,
        format: true,
    },
    RouteSpec {
        path: "/api/check",
        command: &["tariff", "check"],
        options: &[],
        flags: &["strict"],
        positional: None,
        body_scenario: true,
        format: true,
    },
    RouteSpec {
        path: "/api/brief",
        command: &["brief"],
        options: &["date", "scenario", "baseline", "draws", "seed"],
        flags: &["no-ge"],
        positional: Some("name"),
        body_scenario: false,
        format: false,
    },
    RouteSpec { path: "/api/lists", command: &["tariff", "lists"], options: &[], flags: &[], positional: None, body_scenario: false, format: true },
];

/// Answers an `/api/…` request.
pub fn route(state: &Arc<State>, request: &Request) -> Response {
    let Some(spec) = ROUTES.iter().find(|r| r.path == request.path) else {
        let paths: Vec<&str> = ROUTES.iter().map(|r| r.path).collect();
        return Response::error(404, &format!("no API route `{}`: expected one of {}", truncate(&request.path, 60), paths.join(", ")));
    };
    let post_ok = spec.body_scenario;
    let method_ok = match request.method.as_str() {
        "GET" => spec.path != "/api/check",
        "POST" => post_ok,
        _ => false,
    };
    if !method_ok {
        let allow = match (spec.path, post_ok) {
            ("/api/check", _) => "POST",
            (_, true) => "GET, POST",
            _ => "GET",
        };
        let mut r = Response::error(405, &format!("{} takes {allow}, not {}", spec.path, truncate(&request.method, 10)));
        r.headers.push(("Allow".into(), allow.into()));
        return r;
    }
    let body = if request.method == "POST" { Some(request.body.clone()) } else { None };
    let argv = match cli_args(spec, &request.query, body.is_some()) {
        Ok(argv) => argv,
        Err(r) => return r,
    };
    let cli = match Cli::try_parse_from(&argv) {
        Ok(cli) => cli,
        Err(e) => return Response::error(400, e.render().to_string().trim_end()),
    };
    let key = match &body {
        Some(b) => format!("{argv:?} body:{:016x}:{}", hash_of(b), b.len()),
        None => format!("{argv:?}"),
    };
    if let Some(hit) = lock(&state.responses).get(&key) {
        return hit;
    }
    let response = state.compute(move |state| match run(state, cli.command, body.as_deref()) {
        Ok(r) => r,
        Err(r) => r,
    });
    if response.status == 200 {
        lock(&state.responses).insert(key, response.clone());
    }
    response
}

fn hash_of(bytes: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// The CLI argument list for `query` on route `spec` (program name first), or a 400.
pub fn cli_args(spec: &RouteSpec, query: &[(String, String)], has_body: bool) -> Result<Vec<String>, Response> {
    let mut argv: Vec<String> = std::iter::once("kanzei").chain(spec.command.iter().copied()).map(String::from).collect();
    let mut positional = None;
    let mut seen: Vec<String> = Vec::new();
    for (raw_key, value) in query {
        let key = raw_key.replace('_', "-");
        if seen.contains(&key) {
            return Err(Response::error(400, &format!("parameter `{}` is given twice", truncate(&key, 40))));
        }
        seen.push(key.clone());
        if spec.positional == Some(key.as_str()) || (spec.positional == Some("name") && key == "partner") {
            positional = Some(value.clone());
        } else if spec.options.contains(&key.as_str()) {
            if key == "scenario" && has_body {
                return Err(Response::error(400, "give the scenario either as `scenario=` (a shipped id) or as the POST body (TOML), not both"));
            }
            if key == "scenario" || key == "baseline" {
                check_scenario_id(&key, value)?;
            }
            argv.push(format!("--{key}={value}"));
        } else if spec.flags.contains(&key.as_str()) {
            match value.as_str() {
                "" | "true" | "1" | "yes" | "on" => argv.push(format!("--{key}")),
                "false" | "0" | "no" | "off" => {}
                other => {
                    return Err(Response::error(400, &format!("`{key}` is a flag: expected `true` or `false`, not `{}`", truncate(other, 40))));
                }
            }
        } else {
            let mut known: Vec<String> = spec.options.iter().chain(spec.flags.iter()).map(|s| format!("`{s}`")).collect();
            if let Some(p) = spec.positional {
                known.push(format!("`{p}`"));
            }
            let hint = if key == "format" { " (the API always answers JSON)".to_string() } else { String::new() };
            return Err(Response::error(
                400,
                &format!("unknown parameter `{}` for {}{hint}: expected one of {}", truncate(&key, 40), spec.path, known.join(", ")),
            ));
        }
    }
    if spec.format {
        argv.push("--format=json".into());
    }
    if spec.path == "/api/check" {
        // `tariff check` wants a file name; the body is parsed instead (see `run`).
        argv.push("scenario.toml".into());
    }
    if spec.path == "/api/exposure" && positional.is_none() {
        return Err(Response::error(400, "/api/exposure needs `partner` (an ISO3 code, EU27 or a name)"));
    }
    if let Some(p) = positional {
        argv.push("--".into());
        argv.push(p);
    }
    Ok(argv)
}

/// A `scenario` or `baseline` parameter must be a shipped id (`none` for a baseline):
/// request input never names a file.
pub fn check_scenario_id(key: &str, value: &str) -> Result<(), Response> {
    if SHIPPED.iter().any(|(id, _, _)| *id == value) || (key == "baseline" && value == "none") {
        return Ok(());
    }
    let ids: Vec<String> = SHIPPED.iter().map(|(id, _, _)| format!("`{id}`")).collect();
    let hint = kanzei_core::text::closest(value, SHIPPED.iter().map(|(id, _, _)| *id)).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"));
    Err(Response::error(
        400,
        &format!(
            "`{}` is not a shipped scenario id{hint}: expected one of {}{}; a scenario of your own goes as TOML in the body of a POST",
            truncate(value, 60),
            ids.join(", "),
            if key == "baseline" { " or `none`" } else { "" }
        ),
    ))
}

/// A failed command as a response: a scenario error is 400 with each error's file, line,
/// key and message; any other error of the command is 400 with the CLI's message (the
/// data are compiled in, so what fails is the request's input).
pub fn error_response(err: &anyhow::Error) -> Response {
    if let Some(scenario) = err.chain().find_map(|e| e.downcast_ref::<ScenarioError>()) {
        return scenario_error(scenario);
    }
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        text.push_str(&format!("\n  caused by: {cause}"));
    }
    Response::error(400, &text)
}

/// A scenario error as 400 JSON: `error` (the CLI's text) and `errors` (file, line, key, message).
pub fn scenario_error(e: &ScenarioError) -> Response {
    let errors: Vec<serde_json::Value> = e
        .errors()
        .map(|e| serde_json::json!({ "file": e.file, "line": e.line, "key": e.key, "message": e.message }))
        .collect();
    let body = serde_json::json!({ "status": 400, "error": e.to_string(), "errors": errors, "not_listed": e.not_listed });
    Response::new(400, "application/json", body.to_string())
}

fn data_unavailable(e: anyhow::Error) -> Response {
    Response::error(503, &format!("the tariff data could not be loaded: {e}"))
}

/// A shipped scenario compiled, from the cache when it was compiled before.
pub fn prepared_shipped(state: &State, id: &str) -> Result<Arc<Prepared<'static>>, Response> {
    if let Some(hit) = lock(&state.prepared).get(&id.to_string()) {
        return Ok(hit);
    }
    check_scenario_id("scenario", id)?;
    let data = state.tariff_data().map_err(data_unavailable)?;
    let scenario = tariff::load_scenario(id, data).map_err(|e| error_response(&e))?;
    let prepared = Arc::new(Prepared::new(data, scenario));
    lock(&state.prepared).insert(id.to_string(), Arc::clone(&prepared));
    Ok(prepared)
}

/// A scenario from TOML text (a POST body), validated as `tariff check` validates a file,
/// compiled; cached under the text's hash. Returns the cache key with it.
pub fn prepared_body(state: &State, body: &[u8]) -> Result<(String, Arc<Prepared<'static>>), Response> {
    let key = format!("body:{:016x}:{}", hash_of(body), body.len());
    if let Some(hit) = lock(&state.prepared).get(&key) {
        return Ok((key, hit));
    }
    let scenario = parse_body(state, body)?;
    let data = state.tariff_data().map_err(data_unavailable)?;
    let prepared = Arc::new(Prepared::new(data, scenario));
    lock(&state.prepared).insert(key.clone(), Arc::clone(&prepared));
    Ok((key, prepared))
}

/// Parses a POST body as a scenario file named `scenario.toml`.
pub fn parse_body(state: &State, body: &[u8]) -> Result<kanzei_tariff::Scenario, Response> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Response::error(400, "the body is empty: POST a scenario's TOML (see docs/scenarios.md)"));
    }
    let data = state.tariff_data().map_err(data_unavailable)?;
    let vocab = vocabulary(data.registry, &data.inputs);
    Library::shipped().load_bytes("scenario.toml", body, &vocab).map_err(|e| scenario_error(&e))
}

/// A baseline compiled against the cells of the scenario cached under `key`.
pub fn baseline_for(state: &State, key: &str, prepared: &Prepared<'_>, id: &str) -> Result<Arc<kanzei_tariff::engine::Compiled>, Response> {
    let cache_key = (key.to_string(), id.to_string());
    if let Some(hit) = lock(&state.baselines).get(&cache_key) {
        return Ok(hit);
    }
    let data = state.tariff_data().map_err(data_unavailable)?;
    let scenario = tariff::load_scenario_as("--baseline", id, data).map_err(|e| error_response(&e))?;
    let compiled = Arc::new(prepared.baseline(data, &scenario));
    lock(&state.baselines).insert(cache_key, Arc::clone(&compiled));
    Ok(compiled)
}

/// The scenario a request names (`scenario` option, default us-2025) or carries (body).
fn prepared_for(state: &State, scenario_option: &str, body: Option<&[u8]>) -> Result<(String, Arc<Prepared<'static>>), Response> {
    match body {
        Some(body) => prepared_body(state, body),
        None => prepared_shipped(state, scenario_option).map(|p| (scenario_option.to_string(), p)),
    }
}

fn json_of(report: anyhow::Result<crate::output::Report>) -> Result<Response, Response> {
    let report = report.map_err(|e| error_response(&e))?;
    let mut out = Vec::new();
    report.write(Format::Json, &mut out).map_err(|e| Response::error(500, &format!("cannot write JSON: {e}")))?;
    Ok(Response::json(out))
}

/// Runs a parsed command the way the CLI does, on the server's caches.
pub fn run(state: &State, command: Command, body: Option<&[u8]>) -> Result<Response, Response> {
    let store = state.store;
    match command {
        Command::Tariff(TariffCommand::Rates(args)) => {
            let data = state.tariff_data().map_err(data_unavailable)?;
            let (key, prepared) = prepared_for(state, &args.scenario, body)?;
            let scenario = &prepared.scenario;
            // The CLI's rule for the baseline (`tariff::rates_baseline`), on the cache.
            let baseline = if args.baseline == "none" || args.baseline == scenario.id || scenario.importer.as_str() != "USA" {
                None
            } else {
                Some(baseline_for(state, &key, &prepared, &args.baseline)?)
            };
            json_of(tariff::rates_prepared(data, store, &args, &prepared, baseline.as_deref()))
        }
        Command::Tariff(TariffCommand::Timeline(args)) => {
            let data = state.tariff_data().map_err(data_unavailable)?;
            let (_, prepared) = prepared_for(state, &args.scenario, body)?;
            json_of(tariff::timeline_prepared(data, &args, &prepared))
        }
        Command::Tariff(TariffCommand::Exposure(args)) => {
            let data = state.tariff_data().map_err(data_unavailable)?;
            let (_, prepared) = prepared_for(state, &args.scenario, body)?;
            json_of(tariff::exposure_prepared(data, store, &args, &prepared))
        }
        Command::Tariff(TariffCommand::Explain(args)) => {
            let data = state.tariff_data().map_err(data_unavailable)?;
            json_of(tariff::explain(data, store, &args))
        }
        Command::Tariff(TariffCommand::Check(args)) => {
            let data = state.tariff_data().map_err(data_unavailable)?;
            let scenario = parse_body(state, body.unwrap_or_default())?;
            json_of(tariff::check_loaded(data, scenario, "scenario.toml", args.strict))
        }
        Command::Tariff(TariffCommand::Lists(_)) => json_of(tariff::lists(store)),
        Command::Brief(args) => {
            let built = build_brief(state, &args)?;
            let text = serde_json::to_string_pretty(&crate::commands::brief::brief_json(&built)).map_err(|e| Response::error(500, &e.to_string()))?;
            Ok(Response::json(text + "\n"))
        }
        _ => Err(Response::error(404, "this command has no API route")),
    }
}

/// The brief spec a request's `name` stands for: a shipped brief or a partner's default
/// brief. Unlike the CLI, never a spec file.
pub fn brief_spec(state: &State, name: &str) -> Result<BriefSpec, Response> {
    if let Some(spec) = BriefSpec::shipped(name) {
        return Ok(spec);
    }
    match state.store.registry().resolve(name) {
        Ok(area) => Ok(BriefSpec::for_partner(area.code.as_str())),
        Err(e) => Err(Response::error(400, &format!("no brief named `{}`, and {e}; give a partner (KOR, EU27, Korea) or a shipped brief", truncate(name, 60)))),
    }
}

/// Builds a brief on a cached engine (one per scenario, baseline, date, draws and seed).
pub fn build_brief(state: &State, args: &BriefArgs) -> Result<brief::Brief, Response> {
    if args.all || args.out.is_some() {
        return Err(Response::error(400, "the API builds one brief and writes no files"));
    }
    if args.draws > MAX_DRAWS {
        return Err(Response::error(400, &format!("`draws` is {}; the server allows at most {MAX_DRAWS}", args.draws)));
    }
    for (key, value) in [("scenario", &args.scenario), ("baseline", &args.baseline)] {
        if let Some(v) = value {
            check_scenario_id(key, v)?;
        }
    }
    let spec = brief_spec(state, &args.name)?;
    // The CLI's options from the same flags; without `date`, the spec's date.
    let mut options = crate::commands::brief::options(args).map_err(|e| Response::error(400, &e.to_string()))?;
    if options.date.is_none() {
        if let Some(d) = &spec.date {
            options.date = Some(d.parse::<kanzei_tariff::Date>().map_err(|e| Response::error(400, &format!("--date: {e}")))?);
        }
    }
    let date = options.date;
    let scenario = options.scenario.clone().unwrap_or_else(|| spec.scenario.clone());
    let baseline = options.baseline.clone().unwrap_or_else(|| spec.baseline.clone());
    let key = format!("{scenario}|{baseline}|{date:?}|{}|{}", options.draws, options.seed);
    let cached = lock(&state.engines).get(&key);
    let engine = match cached {
        Some(engine) => engine,
        None => {
            let data = state.tariff_data().map_err(data_unavailable)?;
            // The server's own compiles of the scenario and baseline (cached for `/api/rates`
            // and the pages); the engine's clones share their tables.
            let prepared = prepared_shipped(state, &scenario)?;
            let base_compiled = baseline_for(state, &scenario, &prepared, &baseline)?;
            let engine = Engine::with_compiled(state.store, Arc::clone(data), prepared.compiled.clone(), (*base_compiled).clone(), date)
                .map_err(|e| Response::error(400, &e.to_string()))?;
            let engine = Arc::new(engine.with_draws(options.draws, options.seed));
            lock(&state.engines).insert(key, Arc::clone(&engine));
            engine
        }
    };
    brief::build_with(&engine, &spec, &options, &mut |_| {}).map_err(|e| Response::error(400, &e.to_string()))
}
