//! A newcomer's first ten minutes: the demo, every command and output the README shows,
//! help on every command, completions, the man page, and snapshots of help and of the main error
//! messages.

use std::path::Path;
use std::process::Command;

use crate::support::{fixture, Work};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_demo_ends_with_a_blocked_verdict_and_a_refused_treatment_and_ignores_inkguard_db() {
    let w = Work::empty();
    let elsewhere = w.path("real-clinic.db");
    let out = Command::new(env!("CARGO_BIN_EXE_inkguard"))
        .arg("demo")
        .current_dir(w.dir.path())
        .env("INKGUARD_DB", &elsewhere)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!elsewhere.exists(), "the demo must not touch $INKGUARD_DB");
    assert!(w.path("inkguard-demo.db").exists());
    let order = [
        "CLEAR for client C-0042",
        "CAUTION for client C-0042",
        "BLOCKED for client C-0042",
        "would be CLEAR",
        "$ inkguard treatment record",
    ];
    let mut at = 0;
    for needle in order {
        let found = stdout[at..]
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing or out of order:\n{stdout}"));
        at += found + needle.len();
    }
    let tail = &stdout[at..];
    assert!(
        tail.contains("BLOCKED") && tail.contains("(exit 4: BLOCKED)"),
        "ends with a refused treatment:\n{tail}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("refused, nothing was written"));
    // Every command it printed can be repeated: it made the files it named.
    assert!(w
        .path("inkguard-demo-examples/farbwerk_de_windows1252.csv")
        .exists());
    // Again: a fresh database each time, not an error.
    let again = Command::new(env!("CARGO_BIN_EXE_inkguard"))
        .arg("demo")
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    assert!(again.status.success());
    // An explicit --db that exists is refused.
    let w2 = Work::new();
    w2.run(&["--db", w2.db().to_str().unwrap(), "demo"])
        .code(1)
        .stderr_has("exists already");
}

/// A fenced block of README.md: its info string (`sh`, `sh no-run`, `text`), its lines (indent
/// removed) and the line of the README its first line is on.
struct Block {
    info: String,
    lines: Vec<String>,
    first_line: usize,
}

/// Every fenced block of README.md, in order; fences may be indented (inside a list item).
fn readme_blocks() -> Vec<Block> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (number, line) in readme.lines().enumerate() {
        let trimmed = line.trim();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    open = Some(Block {
                        info: info.trim().to_string(),
                        lines: Vec::new(),
                        first_line: number + 2,
                    });
                }
            }
            Some(mut block) => {
                if trimmed == "```" {
                    blocks.push(block);
                } else {
                    block.lines.push(trimmed.to_string());
                    open = Some(block);
                }
            }
        }
    }
    assert!(open.is_none(), "README.md ends inside a fenced block");
    blocks
}

/// One `inkguard` command of a README `sh` block, with the exit code it expects.
struct Step {
    command: String,
    expected: i32,
    line: usize,
}

/// The commands the README shows, in order, under one rule:
///
/// - every ```` ```sh ```` block runs, in file order, on one database (the tour's, since the tour
///   is the first block that runs), so each later section builds on the tour's world;
/// - a block whose info string is ```` ```sh no-run ```` is skipped: set-up (`cargo`), a server
///   that does not return (`serve`), a password prompt, tools outside inkguard (fuzzing);
/// - in a block that runs, a line is blank, a `#` comment, an `export` (the test sets `PATH`,
///   `INKGUARD_DB` and `INKGUARD_NOW` itself, and checks the tour's `INKGUARD_NOW`) or an
///   `inkguard` command; anything else fails the test, so a new block is either runnable or
///   marked `no-run`;
/// - a command expects exit 0 unless its trailing comment (after two spaces and `#`) says
///   `exit N`, as `# BLOCKED: exit 4` does.
fn readme_steps() -> Vec<Step> {
    let mut steps = Vec::new();
    for block in readme_blocks() {
        let mut words = block.info.split_whitespace();
        if words.next() != Some("sh") {
            continue;
        }
        match words.next() {
            None => {}
            Some("no-run") => continue,
            Some(other) => panic!(
                "README.md line {}: unknown fence option {other:?} (`sh` or `sh no-run`)",
                block.first_line
            ),
        }
        for (offset, line) in block.lines.iter().enumerate() {
            let line_number = block.first_line + offset;
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(assignments) = line.strip_prefix("export ") {
                if let Some(now) = assignments
                    .split_whitespace()
                    .find_map(|a| a.strip_prefix("INKGUARD_NOW="))
                {
                    assert_eq!(
                        now, TOUR_NOW,
                        "README.md line {line_number}: the tour's INKGUARD_NOW"
                    );
                }
                continue;
            }
            assert!(
                line.starts_with("inkguard "),
                "README.md line {line_number}: {line:?} is not an inkguard command; \
                 a block the test suite cannot run is fenced ```sh no-run"
            );
            let (command, comment) = line.split_once("  #").unwrap_or((line, ""));
            let expected = comment
                .split("exit ")
                .nth(1)
                .map(|rest| {
                    rest.split(|c: char| !c.is_ascii_digit())
                        .next()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| {
                            panic!("README.md line {line_number}: `exit` without a code")
                        })
                })
                .unwrap_or(0);
            steps.push(Step {
                command: command.trim().to_string(),
                expected,
                line: line_number,
            });
        }
    }
    steps
}

/// The fixed "now" the tour exports.
const TOUR_NOW: &str = "2026-11-23T10:00:00Z";

/// An output the README shows: the lines after `$ inkguard ...` in a `text` block, up to a blank
/// line or a `#` comment.
struct Shown {
    command: String,
    output: Vec<String>,
    line: usize,
}

fn readme_outputs() -> Vec<Shown> {
    let mut shown = Vec::new();
    for block in readme_blocks().into_iter().filter(|b| b.info == "text") {
        let mut current: Option<Shown> = None;
        for (offset, line) in block.lines.iter().enumerate() {
            if let Some(command) = line.strip_prefix("$ ") {
                shown.extend(current.take());
                current = Some(Shown {
                    command: command.to_string(),
                    output: Vec::new(),
                    line: block.first_line + offset,
                });
            } else if line.is_empty() || line.starts_with('#') {
                shown.extend(current.take());
            } else if let Some(open) = current.as_mut() {
                open.output.push(line.clone());
            }
        }
        shown.extend(current);
    }
    shown
}

/// The README, run: every command of its `sh` blocks (by the rule of [`readme_steps`]) with the
/// exit code it notes, and every output it shows after `$ inkguard ...` equal to what that
/// command printed when it ran. Runs in a work folder (with `examples/` linked in, and `HOME`
/// pointing there), so a README command that writes a file writes nothing in the repository.
#[test]
fn every_command_of_the_readme_runs_with_the_exit_code_it_notes_and_prints_what_it_shows() {
    let steps = readme_steps();
    assert!(
        steps.len() >= 40,
        "too few README commands found: {}",
        steps.len()
    );
    let w = Work::empty();
    std::os::unix::fs::symlink(repo().join("examples"), w.path("examples")).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_inkguard"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut printed: Vec<(String, String, String)> = Vec::new();
    for step in &steps {
        let out = Command::new("sh")
            .arg("-c")
            .arg(&step.command)
            .current_dir(w.dir.path())
            .env("PATH", &path)
            .env("HOME", w.dir.path())
            .env("XDG_DATA_HOME", w.path("data"))
            .env("INKGUARD_DB", w.db())
            .env("INKGUARD_NOW", TOUR_NOW)
            .env("NO_COLOR", "1")
            .env_remove("INKGUARD_USER")
            .env_remove("INKGUARD_BUSY_TIMEOUT")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(step.expected),
            "README.md line {}: $ {}\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
            step.line,
            step.command
        );
        printed.push((step.command.clone(), stdout, stderr));
    }
    let shown = readme_outputs();
    assert!(
        !shown.is_empty(),
        "the README shows no output after `$ inkguard`"
    );
    let lines =
        |text: &str| -> Vec<String> { text.lines().map(|l| l.trim().to_string()).collect() };
    for s in shown {
        let (_, stdout, stderr) = printed
            .iter()
            .find(|(command, _, _)| *command == s.command)
            .unwrap_or_else(|| {
                panic!(
                    "README.md line {}: `{}` is shown with its output but no sh block runs it",
                    s.line, s.command
                )
            });
        let both = format!("{stdout}{stderr}");
        assert!(
            s.output == lines(stdout) || s.output == lines(&both),
            "README.md line {}: $ {}\n--- shown\n{}\n--- printed (stdout)\n{stdout}\n--- stderr\n{stderr}",
            s.line,
            s.command,
            s.output.join("\n")
        );
    }
}

/// Every subcommand path: `["check"]`, `["import", "catalog"]`, ...
fn command_paths() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands() {
            let mut path = prefix.clone();
            path.push(sub.get_name().to_string());
            out.push(path.clone());
            walk(sub, path, out);
        }
    }
    let mut out = Vec::new();
    walk(&inkguard::cli::command(), Vec::new(), &mut out);
    out
}

#[test]
fn every_command_and_flag_has_help() {
    fn check(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        if cmd.get_about().is_none() {
            missing.push(format!("command `{path}`"));
        }
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if arg.get_help().is_none() && !arg.is_hide_set() {
                missing.push(format!("`{path}` argument `{id}`"));
            }
        }
        for sub in cmd.get_subcommands() {
            check(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    check(&inkguard::cli::command(), "inkguard", &mut missing);
    assert!(missing.is_empty(), "without help: {missing:#?}");
    inkguard::cli::command().debug_assert();
}

#[test]
fn completions_and_the_man_page_come_out() {
    let w = Work::empty();
    w.run(&["completions", "bash"])
        .ok()
        .stdout_has("_clap_complete_inkguard()")
        .stdout_has("INKGUARD_COMPLETE=\"bash\"");
    w.run(&["completions", "zsh"])
        .ok()
        .stdout_has("#compdef inkguard");
    w.run(&["completions", "fish"])
        .ok()
        .stdout_has("complete --keep-order --exclusive --command inkguard");
    w.run(&["man"])
        .ok()
        .stdout_has(".TH inkguard")
        .stdout_has("patch\\-test");
    w.run(&["completions", "tcsh"]).code(2);
}

#[test]
fn output_has_no_colour_codes_when_not_a_terminal() {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["client", "add", "C-1", "--name", "A"]).ok();
    let run = w.run_env(&["check", "C-1", "PL-1"], &[("NO_COLOR", "")]);
    run.code(3);
    assert!(!run.stdout.contains('\u{1b}'), "{:?}", run.stdout);
}

/// On a terminal (a pseudo-terminal from util-linux `script`) the verdict is coloured, unless
/// `NO_COLOR` is set. Skipped where `script` is missing.
#[test]
fn verdicts_are_coloured_on_a_terminal_unless_no_color() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux script is not installed");
        return;
    }
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["client", "add", "C-1", "--name", "A"]).ok();
    let on_terminal = |no_color: bool| {
        let mut cmd = Command::new("script");
        cmd.args([
            "-qec",
            &format!("{} check C-1 PL-1", env!("CARGO_BIN_EXE_inkguard")),
            "/dev/null",
        ])
        .env("INKGUARD_DB", w.db())
        .env_remove("NO_COLOR");
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8_lossy(&cmd.output().unwrap().stdout).into_owned()
    };
    let coloured = on_terminal(false);
    assert!(
        coloured.contains("\u{1b}[33mCAUTION\u{1b}[0m"),
        "{coloured:?}"
    );
    let plain = on_terminal(true);
    assert!(
        plain.contains("CAUTION") && !plain.contains('\u{1b}'),
        "{plain:?}"
    );
}

#[test]
fn records_print_as_csv_wherever_they_print() {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["client", "add", "C-1", "--name", "A"]).ok();
    for (args, header) in [
        (
            vec!["product", "list"],
            "supplier,code,name,shade,kind,formulation",
        ),
        (
            vec!["substance", "list", "--search", "nickel"],
            "key,name,cas,ci,verified",
        ),
        (vec!["group", "list"], "key,name,relation,on match,members"),
        (
            vec!["lot", "list", "PL-1"],
            "lot,expires,formulation,flagged",
        ),
        (vec!["client", "list"], "code,name,born,sensitivities"),
        (
            vec!["sensitivity", "list", "C-1"],
            "id,target,kind,source,certainty,retracted,evidence,standing",
        ),
        (
            vec!["safe-list", "C-1"],
            "supplier,code,name,shade,kind,verdict,patch_test,reasons",
        ),
        (vec!["policy", "show"], "key,value,default"),
        (vec!["audit", "log"], "id,at,actor,command,client,detail"),
    ] {
        let mut full = args.clone();
        full.extend(["--format", "csv"]);
        let run = w.run(&full);
        run.ok();
        assert!(run.stdout.starts_with(header), "{args:?}: {}", run.stdout);
    }
}

#[test]
fn help_of_every_command_matches_its_snapshot() {
    let w = Work::empty();
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("tests/cli/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!("help", w.run(&["--help"]).ok().stdout);
        for path in command_paths() {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push("--help");
            let run = w.run(&args);
            run.ok();
            insta::assert_snapshot!(format!("help-{}", path.join("-")), run.stdout);
        }
    });
}

#[test]
fn the_main_error_messages_match_their_snapshots() {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["client", "add", "C-0042", "--name", "A"]).ok();
    let work = w.dir.path().to_str().unwrap().to_string();
    let stderr = |args: &[&str]| w.run(args).stderr.replace(&work, "[WORK]");
    let missing = Work::empty();
    let bad_rows = fixture("bad_rows.csv");
    let german = fixture("de_farbwerk_semicolon_1252.csv");
    let odd = fixture("odd_headers.csv");
    let cases: Vec<(&str, String)> = vec![
        (
            "no-database",
            missing
                .run(&["product", "list"])
                .stderr
                .replace(missing.dir.path().to_str().unwrap(), "[WORK]"),
        ),
        (
            "unknown-substance",
            stderr(&["substance", "show", "nikel sulfate"]),
        ),
        (
            "ambiguous-substance",
            stderr(&["substance", "show", "iron oxides"]),
        ),
        ("unknown-client", stderr(&["check", "C-42", "PL-1"])),
        (
            "unknown-product",
            stderr(&["check", "C-0042", "Plain Blak"]),
        ),
        (
            "unknown-lot",
            stderr(&["check", "C-0042", "PL-1", "--lot", "PL1-X"]),
        ),
        (
            "bad-rows",
            stderr(&[
                "import",
                "catalog",
                bad_rows.to_str().unwrap(),
                "--supplier",
                "Bad",
            ]),
        ),
        (
            "not-utf8",
            stderr(&[
                "import",
                "catalog",
                german.to_str().unwrap(),
                "--supplier",
                "Farbwerk",
            ])
            .replace(german.parent().unwrap().to_str().unwrap(), "[FIXTURES]"),
        ),
        (
            "unknown-headers",
            stderr(&[
                "import",
                "catalog",
                odd.to_str().unwrap(),
                "--supplier",
                "Odd",
            ])
            .replace(odd.parent().unwrap().to_str().unwrap(), "[FIXTURES]"),
        ),
        (
            "bad-grade",
            stderr(&["patch-test", "read", "1", "--grade", "5"]),
        ),
        (
            "bad-policy",
            stderr(&["policy", "set", "suspected", "maybe"]),
        ),
        ("blocked-treatment", {
            w.add_sensitivity("C-0042", "nickel", "physician");
            stderr(&[
                "treatment",
                "record",
                "C-0042",
                "--product",
                "NI-1",
                "--lot",
                "NI-L1",
            ])
        }),
    ];
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(repo().join("tests/cli/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (name, text) in cases {
            insta::assert_snapshot!(format!("error-{name}"), text);
        }
    });
}
