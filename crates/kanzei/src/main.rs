//! The `kanzei` binary: everything lives in `kanzei-cli`, except the allocator wrapper below.

#[allow(unsafe_code)]
mod oom;

#[global_allocator]
static ALLOCATOR: oom::ExitOnOom = oom::ExitOnOom;

fn main() -> std::process::ExitCode {
    kanzei_cli::main()
}
