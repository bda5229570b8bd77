//! One module per command group, each with the same `run(db, out, command)` signature: turn the
//! command line into a plan, call the library, print the result. No verdict or import logic
//! lives here.

pub mod audit;
pub mod check;
pub mod client;
pub mod compliance;
pub mod demo;
pub mod export;
pub mod group;
pub mod help;
pub mod import;
pub mod import_view;
pub mod init;
pub mod lot;
pub mod ops;
pub mod patch_report;
pub mod patch_schedule;
pub mod patch_series;
pub mod patch_test;
pub mod patch_view;
pub mod policy;
pub mod product;
pub mod reaction;
pub mod recall;
pub mod sensitivity;
pub mod series;
pub mod substance;
pub mod treatment;
pub mod user;
pub mod verdict_text;

use crate::cli::{Command, ReactionCommand};
use crate::db::Db;
use crate::error::Result;
use crate::output::Output;

/// What a command asks `main` to exit with.
pub type Exit = i32;

pub fn dispatch(db: &mut Db, out: &Output, command: Command) -> Result<Exit> {
    match command {
        Command::Init | Command::Demo | Command::Completions { .. } | Command::Man { .. } => {
            unreachable!("handled before the database is opened")
        }
        Command::Substance(c) => substance::run(db, out, c),
        Command::Group(c) => group::run(db, out, c),
        Command::Import(c) => import::run(db, out, c),
        Command::Export(c) => export::run(db, out, c),
        Command::Product(c) => product::run(db, out, c),
        Command::Lot(c) => lot::run(db, out, c),
        Command::Client(c) => client::run(db, out, c),
        Command::Sensitivity(c) => sensitivity::run(db, out, c),
        Command::PatchTest(c) => patch_test::run(db, out, c),
        Command::Series(c) => series::run(db, out, c),
        Command::Policy(c) => policy::run(db, out, c),
        Command::Check {
            client,
            product,
            lot,
            details,
        } => check::check(db, out, &client, &product, lot.as_deref(), details),
        Command::SafeList {
            client,
            supplier,
            kind,
            include_caution,
        } => check::safe_list(
            db,
            out,
            &client,
            supplier.as_deref(),
            kind.as_deref(),
            include_caution,
        ),
        Command::Screen { product, details } => check::screen(db, out, &product, details),
        Command::Treatment(c) => treatment::run(db, out, c),
        Command::Reaction(ReactionCommand::List { client }) => reaction::list(db, out, &client),
        Command::Reaction(c) => treatment::reaction(db, out, c),
        Command::Recall(c) => recall::run(db, out, c),
        Command::Trace { product, lot } => treatment::trace(db, out, &product, &lot),
        Command::Compliance { product } => compliance::run(db, out, product.as_deref()),
        Command::Audit(c) => audit::run(db, out, c),
        Command::Backup { file, force } => ops::backup(db, out, &file, force),
        Command::Doctor => ops::doctor(db, out),
        Command::Serve { listen } => crate::serve::run(db, &listen),
        Command::User(c) => user::run(db, out, c),
    }
}

/// Prints one line to standard error.
pub fn note(message: impl AsRef<str>) {
    crate::output::eprint_safe(message.as_ref());
}
