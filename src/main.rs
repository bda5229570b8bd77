//! The `inkguard` binary: parse, run, exit with the command's code (0 success, 1 error,
//! 2 usage, 3 CAUTION, 4 BLOCKED).

use std::process::ExitCode;

fn main() -> ExitCode {
    let invocation = inkguard::app::parse(std::env::args_os()).unwrap_or_else(|e| e.exit());
    ExitCode::from(inkguard::app::run(invocation).clamp(0, 255) as u8)
}
