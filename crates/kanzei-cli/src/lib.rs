//! The `kanzei` command line: argument definitions, dispatch, output formatting, and the
//! mapping of errors to exit codes. It computes nothing itself; every number comes from
//! the library crates.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub mod commands;
pub mod output;
pub mod serve;

use output::Format;

const AFTER_HELP: &str = "\
Examples:
  kanzei brief us-japan-2025                     the U.S.–Japan brief (HTML, Markdown, SVG)
  kanzei brief KOR                               a brief for any U.S. partner (ISO3, EU27 or a name)
  kanzei trade facts JPN                         a partner's trade facts, every number sourced
  kanzei trade balance --year 2024 --top 10      largest U.S. deficits
  kanzei trade partner JPN --by hs2              what the U.S. imports from Japan
  kanzei trade partner WLD --reporter JPN --by commodity
  kanzei trade series JPN --from 2015 --to 2024
  kanzei tariff rates --scenario us-2025 --date 2025-11-17 --by partner
  kanzei tariff explain --partner JPN --hs10 8703230140 --date 2025-10-01
  kanzei va exports --exporter MEX --importer USA --sector c15
  kanzei ge cp --data cp1993 --scenario nafta
  kanzei pe smart --scenario us-2025 --date 2025-11-17 --by partner
  kanzei validate                                every published reproduction, checked
  kanzei claims check us-japan-2025              the bulletin's numbers, recomputed
  kanzei data info                               datasets, years, units, coverage
  kanzei serve                                   a local web app and JSON API on http://127.0.0.1:8080/

Data: by default kanzei reads the snapshot compiled into it. Use --data DIR to read a
folder of official files laid out like ../shared/data/raw (see docs/data.md).";

/// kanzei (関税): who pays a tariff, from official data.
#[derive(Debug, Parser)]
#[command(name = "kanzei", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Read official files from this folder instead of the embedded snapshot (give it before
    /// the command: `kanzei --data DIR trade balance`).
    #[arg(long, value_name = "DIR")]
    pub data: Option<PathBuf>,

    /// Go on when a loader set aside more than 0.01% of a file's value (unknown partner
    /// codes, negative values); each reason is then a warning (give it before the command).
    #[arg(long)]
    pub allow_set_aside: bool,

    #[command(subcommand)]
    /// The command.
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Trade facts from official statistics: balances, products, series.
    #[command(subcommand)]
    Trade(commands::trade::TradeCommand),
    /// Build, inspect and list the data kanzei uses.
    #[command(subcommand)]
    Data(commands::data::DataCommand),
    /// Tariff scenarios: effective rates, revenue, exposure, timelines, explanations.
    #[command(subcommand)]
    Tariff(commands::tariff::TariffCommand),
    /// Value added by origin in trade (world input–output tables).
    #[command(subcommand)]
    Va(commands::va::VaCommand),
    /// General equilibrium: Caliendo–Parro (2015), one-sector structural gravity.
    #[command(subcommand)]
    Ge(commands::ge::GeCommand),
    /// Partial equilibrium at product level: SMART, GSIM, elasticities.
    #[command(subcommand)]
    Pe(commands::pe::PeCommand),
    /// Who pays: a tariff change carried through the U.S. input–output system to consumer
    /// prices (PCE, goods, core goods, categories) and household cost.
    Prices(commands::prices::PricesArgs),
    /// Run every published reproduction kanzei has and compare.
    Validate(commands::validate::ValidateArgs),
    /// A partner brief (any U.S. partner, or a named brief such as us-japan-2025): HTML, Markdown and SVG charts, every number recomputed and
    /// every claim checked.
    Brief(commands::brief::BriefArgs),
    /// Check quantitative claims against the data (a TOML claims file).
    #[command(subcommand)]
    Claims(commands::claims::ClaimsCommand),
    /// A local web app and JSON API: partner view, comparison, scenario editor (docs/server.md).
    Serve(serve::ServeArgs),
}

/// `--format table|json|csv`, shared by every data command.
#[derive(Debug, Clone, clap::Args)]
pub struct FormatArg {
    /// Output format: an aligned table with sources, one JSON object (plain units), or
    /// the main table as CSV.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Exit code of a command stopped by an internal failure (a panic), as Rust's own.
const EXIT_INTERNAL: u8 = 101;

/// Whether a panic message reports a failed allocation (faer, `Vec` growth and `try_reserve`
/// callers word it this way) or a thread that could not be started for want of memory (its
/// stack is an allocation too: under an address-space cap `std::thread` panics with
/// "failed to spawn thread").
fn is_allocation_failure(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    ["memory allocation", "allocation failed", "capacity overflow", "out of memory", "alloc error", "allocerror", "tryreserveerror", "failed to spawn thread"]
        .iter()
        .any(|k| m.contains(k))
}

/// The hint under every out-of-memory error (the allocator wrapper of the `kanzei` binary
/// prints it too).
pub const OUT_OF_MEMORY_HINT: &str = "hint: the command needs more memory than this process may use (see `ulimit -v` or the \
     container's memory limit); `brief --no-ge`, fewer `--draws` or a smaller `--countries` set need less";

/// Set by the panic hook when the panic was a failed allocation: the command then exits 1,
/// as when the allocator itself reports it, not 101 (a bug).
static OUT_OF_MEMORY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Replaces the panic hook: an allocation failure gets one plain `error:` line and a hint,
/// with no backtrace (capturing one allocates, and under a memory cap that hung the process
/// when `RUST_BACKTRACE` was set); any other panic is reported as a bug, through Rust's own
/// hook so `RUST_BACKTRACE` still works.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        if is_allocation_failure(&message) {
            OUT_OF_MEMORY.store(true, std::sync::atomic::Ordering::SeqCst);
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: out of memory: {message}\n\n{OUT_OF_MEMORY_HINT}");
            return;
        }
        // The message first, on its own: Rust's hook below may fail to print it when memory
        // is short (a backtrace allocates).
        let _ = writeln!(std::io::stderr(), "error: kanzei stopped on an internal error (a bug; please report it with the command that caused it): {message}");
        default(info);
    }));
}

/// Runs the CLI and returns the exit code: 0 success, 1 error, 2 usage error, 101 an
/// internal failure (out of memory, or a bug).
pub fn main() -> ExitCode {
    install_panic_hook();
    match std::panic::catch_unwind(main_inner) {
        Ok(code) => code,
        Err(_) if OUT_OF_MEMORY.load(std::sync::atomic::Ordering::SeqCst) => ExitCode::from(1),
        Err(_) => ExitCode::from(EXIT_INTERNAL),
    }
}

fn main_inner() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`kanzei … | head`) is not an error worth reporting.
            if err.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) {
                return ExitCode::SUCCESS;
            }
            let mut stderr = std::io::stderr().lock();
            // A scenario file may have several errors, one line each: each gets its `error:`.
            let text = err.to_string();
            let scenario = err.chain().find_map(|e| e.downcast_ref::<kanzei_tariff::ScenarioError>()).filter(|e| e.to_string() == text);
            match scenario {
                Some(_) => text.lines().for_each(|line| {
                    let _ = writeln!(stderr, "error: {line}");
                }),
                None => {
                    let _ = writeln!(stderr, "error: {err}");
                }
            }
            for cause in err.chain().skip(1) {
                let _ = writeln!(stderr, "  caused by: {cause}");
            }
            ExitCode::from(1)
        }
    }
}

/// Runs a parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let store = match &cli.data {
        Some(dir) => kanzei_data::Store::raw(dir),
        None => kanzei_data::Store::embedded(),
    }
    .allow_set_aside(cli.allow_set_aside);
    if let Command::Serve(args) = cli.command {
        // The server's threads share the store for as long as the process runs.
        let store: &'static kanzei_data::Store = Box::leak(Box::new(store));
        return serve::run(args, store, &mut std::io::stdout());
    }
    let mut stdout = std::io::stdout().lock();
    let result = run_with(cli.command, &store, &mut stdout);
    let mut stderr = std::io::stderr().lock();
    for warning in store.warnings() {
        let _ = writeln!(stderr, "warning: {warning}");
    }
    result
}

/// Runs a command on a given store, writing to `out`. Tests use it to run many commands on
/// one store, which loads each dataset once.
pub fn run_with(command: Command, store: &kanzei_data::Store, out: &mut dyn Write) -> anyhow::Result<()> {
    match command {
        Command::Trade(cmd) => commands::trade::run(cmd, store, out),
        Command::Data(cmd) => commands::data::run(cmd, store, out),
        Command::Tariff(cmd) => commands::tariff::run(cmd, store, out),
        Command::Va(cmd) => commands::va::run(cmd, store, out),
        Command::Ge(cmd) => commands::ge::run(cmd, store, out),
        Command::Pe(cmd) => commands::pe::run(cmd, store, out),
        Command::Prices(args) => commands::prices::run(args, store, out),
        Command::Validate(args) => commands::validate::run(args, store, out),
        Command::Brief(args) => commands::brief::run(args, store, out),
        Command::Claims(cmd) => commands::claims::run(cmd, store, out),
        Command::Serve(_) => anyhow::bail!("`serve` runs through `kanzei_cli::run`, which keeps the store for the server's lifetime"),
    }
}
