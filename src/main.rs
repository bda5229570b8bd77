//! The `inkguard` binary: parse, open the database once, dispatch, map errors to exit codes.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use inkguard::cli::{self, Cli, Command, PatchTestCommand, TreatmentCommand};
use inkguard::db::{self, Db};
use inkguard::error::Error;
use inkguard::output::{self, Output};
use inkguard::{cmd, time};

fn main() -> ExitCode {
    let cli = parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) if output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for hint in e.hints() {
                eprintln!("hint: {hint}");
            }
            ExitCode::from(1)
        }
    }
}

/// Parses the command line; usage errors exit with 2 (clap's own exit).
fn parse() -> Cli {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // A `--lot` belongs to the `--product` before it: only the raw matches know the order.
    let (items, path) = match &mut cli.command {
        Command::PatchTest(PatchTestCommand::Apply { items, .. }) => {
            (items, ["patch-test", "apply"])
        }
        Command::Treatment(TreatmentCommand::Record { items, .. }) => {
            (items, ["treatment", "record"])
        }
        _ => return cli,
    };
    if let Some(m) = matches
        .subcommand_matches(path[0])
        .and_then(|m| m.subcommand_matches(path[1]))
    {
        *items = cli::ordered_items(m).unwrap_or_else(|message| {
            Cli::command()
                .error(clap::error::ErrorKind::ArgumentConflict, message)
                .exit()
        });
    }
    cli
}

fn run(cli: Cli) -> Result<i32, Error> {
    let path = cli.global.db.clone().unwrap_or_else(db::default_path);
    let actor = cli
        .global
        .actor
        .clone()
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(login_name);
    let now = time::now_from_env()?;
    let out = Output::new(cli.global.format);
    if let Command::Init = cli.command {
        let (_, report) = Db::init(&path, actor, now)?;
        cmd::init::print(&out, &report)?;
        return Ok(0);
    }
    let mut db = Db::open(&path, actor, now)?;
    cmd::dispatch(&mut db, &out, cli.command)
}

/// The login name, for `--as` when neither the flag nor `INKGUARD_USER` says.
fn login_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}
