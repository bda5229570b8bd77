//! A newcomer's first ten minutes: the demo, the README tour, help on every command,
//! completions, the man page, and snapshots of help and of the main error messages.

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

/// Splits the README's tour, and the sections that go on from it, into commands with the exit
/// code each expects.
fn tour_commands() -> Vec<(String, i32)> {
    let mut commands = block_commands("## A tour");
    commands.extend(block_commands("### When a recall comes"));
    commands
}

/// The commands of the first `sh` block under a heading, with the exit code each expects.
fn block_commands(heading: &str) -> Vec<(String, i32)> {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let tour = &readme[readme
        .find(heading)
        .unwrap_or_else(|| panic!("README has {heading:?}"))..];
    let block = tour
        .split("```sh")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    block
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("inkguard "))
        .map(|line| {
            let expected = line
                .split_once('#')
                .and_then(|(_, comment)| comment.split("exit ").nth(1))
                .and_then(|rest| rest.trim().chars().next())
                .and_then(|c| c.to_digit(10))
                .map_or(0, |d| d as i32);
            let command = line.split_once("  #").map_or(line, |(c, _)| c).trim();
            (command.to_string(), expected)
        })
        .collect()
}

#[test]
fn every_command_of_the_readme_tour_runs_with_the_exit_code_it_notes() {
    let commands = tour_commands();
    assert!(commands.len() >= 15, "{commands:?}");
    let w = Work::empty();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_inkguard"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    for (command, expected) in commands {
        let out = Command::new("sh")
            .arg("-c")
            .arg(&command)
            .current_dir(repo())
            .env("PATH", &path)
            .env("INKGUARD_DB", w.db())
            .env("INKGUARD_NOW", "2026-11-23T10:00:00Z")
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(expected),
            "$ {command}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
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
            w.run(&[
                "sensitivity",
                "add",
                "C-0042",
                "nickel",
                "--source",
                "physician",
            ])
            .ok();
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
