//! Conventions of the command line (issue #15): global flags, `--as` only where something is
//! written, `--format csv` everywhere or refused, `-` for standard input, quoted suggestions.

use crate::support::Work;

#[test]
fn global_flags_are_shown_once_on_the_top_level_help() {
    let w = Work::empty();
    let top = w.run(&["--help"]);
    top.ok()
        .stdout_has("--db")
        .stdout_has("--as")
        .stdout_has("--format");
    let check = w.run(&["check", "--help"]);
    check
        .ok()
        .stdout_has("Global options: --db PATH, --format FORMAT");
    for flag in ["--db <PATH>", "--as <NAME>", "--format <FORMAT>"] {
        assert!(!check.stdout.contains(flag), "check --help shows {flag}");
    }
    w.run(&["client", "add", "--help"])
        .ok()
        .stdout_has("--as <NAME>");
}

#[test]
fn a_command_that_writes_nothing_refuses_as() {
    let w = Work::new();
    w.run(&["client", "add", "C-1", "--name", "A"]).ok();
    w.run(&["check", "--as", "anna", "C-1", "X"])
        .code(2)
        .stderr_has("`check` writes no record, so it takes no --as");
    w.run(&["--as", "anna", "client", "list"])
        .code(2)
        .stderr_has("`client list` writes no record");
    // INKGUARD_USER (set by the test runner) does not count as typing --as.
    w.run(&["client", "list"]).ok();
}

#[test]
fn global_flags_are_accepted_before_and_after_the_command() {
    let w = Work::new();
    w.run(&["--as", "anna", "client", "add", "C-1", "--name", "A"])
        .ok();
    w.run(&["client", "add", "C-2", "--name", "B", "--as", "ben"])
        .ok();
    let log = w.run(&["--format", "json", "audit", "log"]).ok().json();
    let text = log.to_string();
    assert!(text.contains("anna") && text.contains("ben"), "{text}");
    w.run(&["client", "list", "--format", "json"]).ok().json();
}

/// Every leaf command of the help tree, with made-up values for its required arguments.
fn every_command() -> Vec<(Vec<String>, Vec<String>)> {
    fn walk(cmd: &clap::Command, path: Vec<String>, out: &mut Vec<(Vec<String>, Vec<String>)>) {
        if !cmd.has_subcommands() {
            let mut args = Vec::new();
            for arg in cmd.get_arguments().filter(|a| a.is_required_set()) {
                let value = arg
                    .get_possible_values()
                    .first()
                    .map_or("1".to_string(), |v| v.get_name().to_string());
                match arg.get_long() {
                    Some(long) => args.extend([format!("--{long}"), value]),
                    None => args.push(value),
                }
            }
            out.push((path, args));
            return;
        }
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            let mut p = path.clone();
            p.push(sub.get_name().to_string());
            walk(sub, p, out);
        }
    }
    let mut out = Vec::new();
    walk(&inkguard::cli::command(), Vec::new(), &mut out);
    out
}

/// Whether text is one CSV document: a header row and rows of its width, no table drawing.
fn is_csv(text: &str) -> bool {
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let Ok(header) = reader.headers().cloned() else {
        return false;
    };
    !header.is_empty()
        && !text.contains('│')
        && !text.contains("─")
        && reader
            .records()
            .all(|r| r.is_ok_and(|r| r.len() == header.len()))
}

#[test]
fn format_csv_is_printed_or_refused_by_every_command_never_ignored() {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["client", "add", "C-1", "--name", "A"]).ok();
    for (path, args) in every_command() {
        if path == ["serve"] || path == ["demo"] {
            // serve would listen, demo builds its own database: both are refused below.
            let mut full: Vec<&str> = path.iter().map(String::as_str).collect();
            full.extend(["--format", "csv"]);
            w.run(&full).code(2).stderr_has("has no CSV output");
            continue;
        }
        let mut full: Vec<&str> = path.iter().map(String::as_str).collect();
        full.extend(args.iter().map(String::as_str));
        full.extend(["--format", "csv"]);
        let run = w.run(&full);
        let offered =
            inkguard::cli::offers_csv(&path.iter().map(String::as_str).collect::<Vec<_>>());
        if offered {
            // The made-up values may name nothing (exit 1, an error on stderr); what prints is CSV.
            assert_ne!(run.code, 2, "{full:?}: {}", run.stderr);
            if run.code == 0 && !run.stdout.is_empty() {
                assert!(
                    is_csv(&run.stdout),
                    "{full:?} printed no CSV:\n{}",
                    run.stdout
                );
            }
        } else {
            run.code(2)
                .stderr_has("has no CSV output")
                .stderr_has("--format table or json");
            assert!(run.stdout.is_empty(), "{full:?}");
        }
    }
}

#[test]
fn the_lists_print_csv_with_a_header_row() {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["client", "add", "C-1", "--name", "A"]).ok();
    for args in [
        vec!["import", "history"],
        vec!["screen", "PL-1"],
        vec!["treatment", "list", "C-1"],
        vec!["recall", "list"],
        vec!["series", "list"],
        vec!["user", "list"],
        vec!["export", "catalog"],
    ] {
        let mut full = args.clone();
        full.extend(["--format", "csv"]);
        let run = w.run(&full);
        run.ok();
        assert!(
            run.stdout.is_empty() || is_csv(&run.stdout),
            "{args:?}: {}",
            run.stdout
        );
    }
}

/// Runs inkguard with a file's bytes on standard input.
fn run_with_stdin(w: &Work, args: &[&str], file: &std::path::Path) -> crate::support::Run {
    let mut cmd = w.command(args);
    cmd.stdin(std::fs::File::open(file).unwrap());
    crate::support::Run::of(args, cmd.output().unwrap())
}

#[test]
fn a_dash_reads_the_file_from_standard_input() {
    let w = Work::new();
    let catalog = crate::support::fixture("verdict_catalog.csv");
    let piped = run_with_stdin(
        &w,
        &[
            "import",
            "catalog",
            "-",
            "--supplier",
            "Inkworks",
            "--format",
            "json",
        ],
        &catalog,
    );
    piped.ok();
    let by_path = Work::new();
    by_path.import("verdict_catalog.csv", "Inkworks", &[]);
    assert_eq!(
        w.catalog(),
        by_path.catalog(),
        "the same catalog either way"
    );
    w.run(&["import", "history"])
        .ok()
        .stdout_has("standard input");

    let substances = crate::support::fixture("substances_plain.csv");
    run_with_stdin(&w, &["import", "substances", "-"], &substances).ok();

    let series = crate::support::example("european-baseline-series.csv");
    run_with_stdin(
        &w,
        &["series", "import", "-", "--name", "Baseline"],
        &series,
    )
    .ok();
    w.run(&["series", "show", "Baseline"])
        .ok()
        .stdout_has("from standard input");

    let alert = crate::support::example("safety_gate_alert.txt");
    run_with_stdin(&w, &["recall", "import", "-"], &alert).ok();
}

#[test]
fn every_command_has_a_man_page_with_exit_status_environment_and_existing_see_also() {
    let w = Work::empty();
    let page = w.run(&["man", "patch-test", "read"]);
    page.ok()
        .stdout_has(".TH inkguard-patch-test-read 1")
        .stdout_has(".SH \"EXIT STATUS\"")
        .stdout_has("INKGUARD_BUSY_TIMEOUT");
    w.run(&["man", "nothing"])
        .code(1)
        .stderr_has("no command `nothing`");
    let dir = w.path("man1");
    std::fs::create_dir(&dir).unwrap();
    w.run(&["man", "--dir", dir.to_str().unwrap()]).ok();
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "inkguard.1",
        "inkguard-check.1",
        "inkguard-patch-test-read.1",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} missing");
    }
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        for section in [
            ".SH \"EXIT STATUS\"",
            ".SH ENVIRONMENT",
            "INKGUARD_DB",
            "NO_COLOR",
        ] {
            assert!(text.contains(section), "{name} lacks {section}");
        }
        let see = text.split(".SH \"SEE ALSO\"").nth(1).unwrap_or("");
        for reference in see.split("\\fB").skip(1) {
            let page = reference.split("\\fR").next().unwrap();
            assert!(
                names.contains(&format!("{page}.1")),
                "{name} refers to {page}(1), which does not exist"
            );
        }
    }
}

/// Runs a suggested command line through `sh`, with this build's inkguard first on PATH.
fn run_suggestion(w: &Work, line: &str) -> std::process::Output {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_inkguard"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // The same environment as every run, with sh as the program.
    let sh = w.command(&[]);
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(line)
        .env("PATH", path)
        .current_dir(w.dir.path());
    for (k, v) in sh.get_envs() {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.output().unwrap()
}

#[test]
fn suggested_commands_run_when_pasted_even_with_a_space_in_the_supplier() {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Studio Supply", &[]);
    w.run(&["client", "add", "C-1", "--name", "A"]).ok();
    let check = w.run(&["check", "C-1", "PL-1"]);
    let suggestions: Vec<&str> = check
        .stdout
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("inkguard "))
        .collect();
    assert!(
        !suggestions.is_empty(),
        "no suggestion in:\n{}",
        check.stdout
    );
    for line in suggestions {
        assert!(line.contains("'Studio Supply/"), "not quoted: {line}");
        let out = run_suggestion(&w, line);
        assert!(
            out.status.success(),
            "{line}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
