//! Parse, open the database once, dispatch, and report errors as `error:`/`hint:` lines with
//! their exit codes. Shared by the binary and by `demo`, which runs the very commands it prints.

use std::ffi::OsString;

use clap::parser::ValueSource;
use clap::FromArgMatches;

use crate::cli::{self, Cli, Command, PatchTestCommand, TreatmentCommand};
use crate::db::{self, Db};
use crate::error::{Error, Result};
use crate::output::{self, Output};
use crate::{cmd, time};

/// A parsed command line, and whether `--db` was typed on it (rather than taken from
/// `INKGUARD_DB`): the demo never uses a database it was not explicitly given.
pub struct Invocation {
    pub cli: Cli,
    pub db_on_command_line: bool,
}

/// Parses a command line. A usage error is clap's error (exit 2 when printed with `exit`).
pub fn parse<I, T>(args: I) -> std::result::Result<Invocation, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let matches = cli::command().try_get_matches_from(args)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    // `--as` names who writes a record: a command that writes none refuses it rather than
    // silently dropping it (from INKGUARD_USER it is simply not used).
    let mut path: Vec<&str> = Vec::new();
    let mut leaf = &matches;
    while let Some((name, m)) = leaf.subcommand() {
        path.push(name);
        leaf = m;
    }
    if matches.value_source("actor") == Some(ValueSource::CommandLine) && !cli::writes(&path) {
        let command = path.join(" ");
        return Err(cli::command().error(
            clap::error::ErrorKind::ArgumentConflict,
            format!(
                "`{command}` writes no record, so it takes no --as\n\nhint: leave --as out; it names who writes a record, for commands such as `treatment record`"
            ),
        ));
    }
    let db_on_command_line = matches.value_source("db") == Some(ValueSource::CommandLine)
        || matches
            .subcommand()
            .is_some_and(|(_, m)| m.value_source("db") == Some(ValueSource::CommandLine));
    if matches.get_one::<cli::Format>("format") == Some(&cli::Format::Csv)
        && !cli::offers_csv(&path)
    {
        let command = path.join(" ");
        let html = if command == "patch-test report" {
            ", html"
        } else {
            ""
        };
        return Err(cli::command().error(
            clap::error::ErrorKind::InvalidValue,
            format!(
                "`{command}` has no CSV output\n\n\
hint: use --format table or json{html}; the commands that print CSV are lists such as \
`client list`, `product list` and `safe-list`"
            ),
        ));
    }
    // A `--lot` belongs to the `--product` before it: only the raw matches know the order.
    let target = match &mut cli.command {
        Command::PatchTest(PatchTestCommand::Apply { items, .. }) => {
            Some((items, ["patch-test", "apply"]))
        }
        Command::Treatment(TreatmentCommand::Record { items, .. }) => {
            Some((items, ["treatment", "record"]))
        }
        _ => None,
    };
    if let Some((items, [group, command])) = target {
        if let Some(m) = matches
            .subcommand_matches(group)
            .and_then(|m| m.subcommand_matches(command))
        {
            *items = cli::ordered_items(m).map_err(|message| {
                cli::command().error(clap::error::ErrorKind::ArgumentConflict, message)
            })?;
        }
    }
    Ok(Invocation {
        cli,
        db_on_command_line,
    })
}

/// Runs a parsed command and returns its exit code, printing any error and its hints.
pub fn run(invocation: Invocation) -> i32 {
    match execute(invocation) {
        Ok(code) => code,
        Err(e) if output::is_broken_pipe(&e) => 0,
        Err(e) => {
            report(&e.diagnosed());
            1
        }
    }
}

/// Prints an error as `error: ...` and `hint: ...` lines on stderr.
pub fn report(e: &Error) {
    output::eprint_safe(&format!("error: {e}"));
    for hint in e.hints() {
        output::eprint_safe(&format!("hint: {hint}"));
    }
}

fn execute(invocation: Invocation) -> Result<i32> {
    let Invocation {
        cli,
        db_on_command_line,
    } = invocation;
    let out = Output::new(cli.global.format);
    match &cli.command {
        Command::Completions { shell } => return cmd::help::completions(&out, *shell),
        Command::Man { command, dir } => return cmd::help::man(&out, command, dir.as_deref()),
        Command::Demo => {
            let path = cli.global.db.clone().filter(|_| db_on_command_line);
            return cmd::demo::run(path);
        }
        _ => {}
    }
    if out.format == cli::Format::Html
        && !matches!(
            cli.command,
            Command::PatchTest(PatchTestCommand::Report { .. })
        )
    {
        return Err(Error::invalid_with_hint(
            "--format html is only for patch-test report",
            "use --format table, json or csv",
        ));
    }
    let path = cli.global.db.clone().unwrap_or_else(db::default_path);
    let actor = cli
        .global
        .actor
        .clone()
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(login_name);
    // Checked before anything is opened; a time without an offset is read in the clinic's zone.
    let clock = time::Clock::from_env()?;
    db::busy_timeout()?;
    let now = clock.now_with(|| db::zone_of(&path))?;
    if let Command::Init = cli.command {
        let (_, report) = Db::init(&path, actor, now).map_err(|e| match e {
            Error::Sql(source) => Error::Database {
                path: path.clone(),
                source,
            },
            other => other,
        })?;
        cmd::init::print(&out, &report)?;
        return Ok(0);
    }
    let mut db = Db::open(&path, actor, now)?;
    let mut command = cli.command;
    // `-` for standard input wherever a FILE is read; kept until the command is done.
    let _stdin = read_stdin_files(&mut command)?;
    // A database error names the file it happened in.
    cmd::dispatch(&mut db, &out, command).map_err(|e| match e {
        Error::Sql(source) => Error::Database { path, source },
        other => other,
    })
}

/// Replaces a FILE argument `-` by a copy of standard input (`files::Input`), which it returns
/// to be kept until the command is done. `recall import` reads `-` itself, in one pass.
fn read_stdin_files(command: &mut Command) -> Result<Option<crate::files::Input>> {
    let file = match command {
        Command::Import(
            cli::ImportCommand::Catalog { options, .. }
            | cli::ImportCommand::Substances { options },
        ) => &mut options.file,
        Command::Series(cli::SeriesCommand::Import { file, .. }) => file,
        _ => return Ok(None),
    };
    if !crate::files::is_stdin(file) {
        return Ok(None);
    }
    let input = crate::files::Input::open(file)?;
    *file = input.path().to_path_buf();
    Ok(Some(input))
}

/// The login name, for `--as` when neither the flag nor `INKGUARD_USER` says.
fn login_name() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}
