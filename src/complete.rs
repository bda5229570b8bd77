//! Shell completion from the database: client codes, products and lots, beside the commands
//! and flags clap knows. The scripts `inkguard completions SHELL` prints call the binary back
//! on every Tab (`INKGUARD_COMPLETE=bash inkguard -- WORDS...`, clap_complete's dynamic
//! completion); the binary answers from `cli::command()` with value completers attached to
//! every CLIENT, PRODUCT and LOT argument. Completing never writes and never fails loudly: a
//! missing, locked or damaged database completes nothing.

use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::sync::Arc;

use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::{CompleteEnv, EnvCompleter};

use crate::cli;
use crate::db::{self, complete as query};

/// The variable that makes `inkguard` answer a completion request instead of running a
/// command. Its own name rather than clap's `COMPLETE`, which another program may use.
pub const VAR: &str = "INKGUARD_COMPLETE";

/// What a completer may complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Client,
    Product,
    Lot,
}

/// The arguments completed from the database, by command path and argument id. The arguments
/// that name something new (`client add CODE`, `lot add PRODUCT LOT`'s LOT) are left out.
pub const COMPLETED: &[(&str, &str, Kind)] = &[
    ("check", "client", Kind::Client),
    ("check", "product", Kind::Product),
    ("check", "lot", Kind::Lot),
    ("safe-list", "client", Kind::Client),
    ("screen", "product", Kind::Product),
    ("compliance", "product", Kind::Product),
    ("trace", "product", Kind::Product),
    ("trace", "lot", Kind::Lot),
    ("product show", "product", Kind::Product),
    ("lot add", "product", Kind::Product),
    ("lot list", "product", Kind::Product),
    ("lot flag", "product", Kind::Product),
    ("lot flag", "lot", Kind::Lot),
    ("client show", "code", Kind::Client),
    ("client export", "code", Kind::Client),
    ("client erase", "code", Kind::Client),
    ("sensitivity add", "client", Kind::Client),
    ("sensitivity list", "client", Kind::Client),
    ("patch-test apply", "client", Kind::Client),
    ("patch-test apply", "product", Kind::Product),
    ("patch-test apply", "lot", Kind::Lot),
    ("patch-test list", "client", Kind::Client),
    ("treatment record", "client", Kind::Client),
    ("treatment record", "product", Kind::Product),
    ("treatment record", "lot", Kind::Lot),
    ("treatment list", "client", Kind::Client),
    ("reaction record", "client", Kind::Client),
    ("reaction list", "client", Kind::Client),
    ("recall confirm", "product", Kind::Product),
    ("recall confirm", "lot", Kind::Lot),
    ("audit log", "client", Kind::Client),
];

/// What the words typed before the cursor say: the database to read and, for a `--lot`, the
/// product it belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    pub db: Option<PathBuf>,
    pub product: Option<String>,
    /// Bash inserts a value as it is printed: it must come quoted for the shell.
    pub bash: bool,
}

impl Context {
    /// Reads the words before the cursor (`words[0]` is the program) as the command would:
    /// `--db`, else `INKGUARD_DB`, else the default path; the last `--product` (or PRODUCT)
    /// typed. Words that do not parse yet leave the database at its default.
    pub fn of(words: &[OsString]) -> Context {
        let parsed = (0..2).find_map(|drop| {
            let end = words.len().checked_sub(drop)?;
            cli::command()
                .ignore_errors(true)
                .try_get_matches_from(&words[..end])
                .ok()
        });
        let Some(matches) = parsed else {
            return Context {
                db: Some(db_path(None)),
                ..Context::default()
            };
        };
        let mut db = None;
        let mut product = None;
        let mut level = Some(&matches);
        while let Some(m) = level {
            if let Ok(Some(path)) = m.try_get_one::<PathBuf>("db") {
                db = Some(path.clone());
            }
            if let Ok(Some(mut values)) = m.try_get_many::<String>("product") {
                product = values.next_back().cloned();
            }
            level = m.subcommand().map(|(_, sub)| sub);
        }
        Context {
            db: Some(db_path(db)),
            product,
            bash: false,
        }
    }

    /// The values for the word under the cursor as the shell passed it (quotes and all):
    /// matched without its quotes, and for bash written back the way it was begun, with
    /// a quote or with backslashes.
    fn values(&self, kind: Kind, current: &OsStr) -> Vec<CompletionCandidate> {
        let typed = current.to_string_lossy();
        let plain = unquote(current.to_owned()).to_string_lossy().into_owned();
        let quote = typed.chars().next().filter(|c| matches!(c, '\'' | '"'));
        self.candidates(kind, &plain)
            .into_iter()
            .map(|c| {
                let value = match (self.bash, quote) {
                    (false, _) => c.value,
                    (true, Some(q)) => format!("{q}{}", c.value),
                    (true, None) => shell_escape(&c.value),
                };
                CompletionCandidate::new(value).help(c.help.map(|h| safe_help(&h).into()))
            })
            .collect()
    }

    /// The candidates of a kind that start with `current`; none when the database cannot be
    /// read.
    pub fn candidates(&self, kind: Kind, current: &str) -> Vec<query::Candidate> {
        let Some(conn) = self.db.as_deref().and_then(query::open) else {
            return Vec::new();
        };
        let found = match kind {
            Kind::Client => query::clients(&conn, current),
            Kind::Product => query::products(&conn, current),
            Kind::Lot => query::lots(&conn, self.product.as_deref(), current),
        };
        found.unwrap_or_default()
    }
}

/// The database as every command resolves it (`--db`, `INKGUARD_DB`, the default path).
fn db_path(given: Option<PathBuf>) -> PathBuf {
    given
        .or_else(|| {
            std::env::var_os("INKGUARD_DB")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(db::default_path)
}

/// The command line with a database completer on every argument of `COMPLETED`.
pub fn command_with_completers(context: Arc<Context>) -> clap::Command {
    let mut root = cli::command();
    for &(path, arg, kind) in COMPLETED {
        let context = Arc::clone(&context);
        let completer =
            ArgValueCompleter::new(move |current: &OsStr| context.values(kind, current));
        root = with_arg(root, &path.split(' ').collect::<Vec<_>>(), arg, completer);
    }
    root
}

/// A value as bash must see it typed: characters special to the shell behind a backslash.
fn shell_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if c.is_whitespace() || "'\"\\$`()&;|<>!*?[]{}~#".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Descriptions come from stored text: only its first line, without control characters.
fn safe_help(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

fn with_arg(
    cmd: clap::Command,
    path: &[&str],
    arg: &str,
    completer: ArgValueCompleter,
) -> clap::Command {
    match path.split_first() {
        // `mut_args` keeps the arguments in order: `mut_arg` moves the one it changes to the
        // end, which renumbers the positionals (CLIENT would become the second).
        None => cmd.mut_args(|a| {
            if a.get_id() == arg {
                a.add(completer.clone())
            } else {
                a
            }
        }),
        Some((name, rest)) => {
            // `mut_subcommands`, not `mut_subcommand`, for the same reason: order.
            let (name, rest) = (name.to_string(), rest.to_vec());
            cmd.mut_subcommands(move |sc| {
                if sc.get_name() == name {
                    with_arg(sc, &rest, arg, completer.clone())
                } else {
                    sc
                }
            })
        }
    }
}

/// Answers a completion request when `INKGUARD_COMPLETE` is set, and exits; returns at once
/// otherwise. Called first thing by the binary, before anything is printed.
pub fn answer_if_asked() {
    let Some(shell) = std::env::var_os(VAR).filter(|v| !v.is_empty() && v != "0") else {
        return;
    };
    let words = words_before_cursor(std::env::args_os().collect());
    let mut context = Context::of(&words);
    context.bash = shell == "bash";
    let context = Arc::new(context);
    // A failure to answer (an unknown shell, a closed pipe) completes nothing, quietly: a
    // message would land in the middle of the user's command line.
    let env = CompleteEnv::with_factory(move || command_with_completers(Arc::clone(&context)))
        .var(VAR)
        .bin("inkguard");
    let cwd = std::env::current_dir().ok();
    let _ = env.try_complete(std::env::args_os(), cwd.as_deref());
    std::process::exit(0);
}

/// The words of a request (`inkguard -- inkguard check C-0`) up to, not including, the word
/// under the cursor (`_CLAP_COMPLETE_INDEX` where the shell says, else the last word).
fn words_before_cursor(args: Vec<OsString>) -> Vec<OsString> {
    let mut words: Vec<OsString> = match args.iter().position(|a| a == "--") {
        Some(i) => args[i + 1..].to_vec(),
        None => Vec::new(),
    };
    let index = std::env::var("_CLAP_COMPLETE_INDEX")
        .ok()
        .and_then(|i| i.parse::<usize>().ok())
        .unwrap_or(words.len().saturating_sub(1));
    words.truncate(index.max(1));
    words.into_iter().map(unquote).collect()
}

/// A word as bash and zsh pass it, quotes and all (`'Farbwerk GmbH/FW-101'`), as the command
/// will receive it: enough for `--db` and the product of a `--lot`.
fn unquote(word: OsString) -> OsString {
    let Some(text) = word.to_str() else {
        return word;
    };
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '\\') | (Some('"'), '\\') => out.extend(chars.next()),
            (_, c) => out.push(c),
        }
    }
    out.into()
}

/// The script `inkguard completions SHELL` prints: it asks `inkguard` itself on every Tab.
pub fn registration(shell: clap_complete::Shell) -> String {
    use clap_complete::env::{Bash, Elvish, Fish, Powershell, Zsh};
    let completer: &dyn EnvCompleter = match shell {
        clap_complete::Shell::Zsh => &Zsh,
        clap_complete::Shell::Fish => &Fish,
        clap_complete::Shell::Elvish => &Elvish,
        clap_complete::Shell::PowerShell => &Powershell,
        _ => &Bash,
    };
    let mut buffer = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = completer.write_registration(VAR, "inkguard", "inkguard", "inkguard", &mut buffer);
    String::from_utf8_lossy(&buffer).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<OsString> {
        line.split(' ').map(OsString::from).collect()
    }

    #[test]
    fn every_completed_argument_exists() {
        let mut cmd = command_with_completers(Arc::new(Context::default()));
        cmd.build();
        for &(path, arg, _) in COMPLETED {
            let mut sc = &cmd;
            for name in path.split(' ') {
                sc = sc.find_subcommand(name).expect(path);
            }
            assert!(
                sc.get_arguments()
                    .any(|a| a.get_id() == arg && a.get::<ArgValueCompleter>().is_some()),
                "{path} {arg}"
            );
        }
    }

    #[test]
    fn completers_leave_commands_and_positionals_in_their_order() {
        let mut plain = cli::command();
        let mut completed = command_with_completers(Arc::new(Context::default()));
        plain.build();
        completed.build();
        fn positionals(cmd: &clap::Command, path: &str, out: &mut Vec<String>) {
            for a in cmd.get_positionals() {
                out.push(format!("{path} {} {:?}", a.get_id(), a.get_index()));
            }
            for sc in cmd.get_subcommands() {
                positionals(sc, &format!("{path} {}", sc.get_name()), out);
            }
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        positionals(&plain, "inkguard", &mut a);
        positionals(&completed, "inkguard", &mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn the_lot_belongs_to_the_last_product_typed() {
        let c = Context::of(&words(
            "inkguard treatment record C-1 --product FW-101 --lot A --product NP-5 --lot",
        ));
        assert_eq!(c.product.as_deref(), Some("NP-5"));
        let c = Context::of(&words("inkguard check C-1 Farbwerk/FW-101 --lot"));
        assert_eq!(c.product.as_deref(), Some("Farbwerk/FW-101"));
    }

    #[test]
    fn words_are_read_without_their_shell_quotes() {
        assert_eq!(
            unquote("'Farbwerk GmbH/FW-101'".into()),
            "Farbwerk GmbH/FW-101"
        );
        assert_eq!(
            unquote(r#"Farbwerk\ GmbH/"FW-101""#.into()),
            "Farbwerk GmbH/FW-101"
        );
        assert_eq!(unquote("C-0042".into()), "C-0042");
    }

    #[test]
    fn bash_gets_values_escaped_as_typed() {
        assert_eq!(
            shell_escape("Farbwerk GmbH/FW-101"),
            "Farbwerk\\ GmbH/FW-101"
        );
        assert_eq!(shell_escape("C-0042"), "C-0042");
    }

    #[test]
    fn db_on_the_command_line_comes_first() {
        let c = Context::of(&words("inkguard check --db /x/clinic.db C-1"));
        assert_eq!(c.db, Some(PathBuf::from("/x/clinic.db")));
        let c = Context::of(&words("inkguard --db /y.db check"));
        assert_eq!(c.db, Some(PathBuf::from("/y.db")));
    }
}
