//! The `kanzei` binary: everything lives in `kanzei-cli`.

fn main() -> std::process::ExitCode {
    kanzei_cli::main()
}
