//! The `inkguard` binary: parse, run, exit with the command's code (0 success, 1 error,
//! 2 usage, 3 CAUTION, 4 BLOCKED).

use std::process::ExitCode;

/// mimalloc keeps the memory it was given instead of asking the kernel for fresh zeroed pages
/// at each growth: a third of a 20,000-product safe list went to page faults with the system
/// allocator (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // A shell asking for completions (the scripts of `inkguard completions`) is answered first.
    inkguard::complete::answer_if_asked();
    let invocation = inkguard::app::parse(std::env::args_os()).unwrap_or_else(|e| e.exit());
    ExitCode::from(inkguard::app::run(invocation).clamp(0, 255) as u8)
}
