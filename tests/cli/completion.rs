//! Shell completion from the database (issue #15): the scripts of `inkguard completions SHELL`
//! call `INKGUARD_COMPLETE=SHELL inkguard -- WORDS...` on every Tab; these tests make that call
//! as the shells do and check what comes back for each argument position.

use std::path::Path;

use crate::support::{example, Work};

/// Two clients; Farbwerk's pigments (codes unique) and one numbing cream sold by two suppliers
/// (its code NP-5 is ambiguous, so only `SUPPLIER/NP-5` names it).
fn clinic() -> Work {
    let w = Work::new();
    let farbwerk = example("farbwerk_de_windows1252.csv");
    w.import_path(&farbwerk, "Farbwerk", &["--encoding", "windows-1252"]);
    w.import_path(&example("numbing_cream.tsv"), "Numbco", &[]);
    w.import_path(&example("numbing_cream.tsv"), "Dermaco", &[]);
    w.run(&["client", "add", "C-0042", "--name", "Alex Example"])
        .ok();
    w.run(&["client", "add", "C-0107", "--name", "Sam Example"])
        .ok();
    w
}

/// What bash's completion function asks for: the words, the index of the one under the cursor.
/// Returns the candidates, after checking the exit code and that nothing went to stderr.
fn complete_env(w: &Work, words: &[&str], env: &[(&str, &str)]) -> Vec<String> {
    let index = (words.len() - 1).to_string();
    let mut args = vec!["--"];
    args.extend_from_slice(words);
    let mut cmd = w.command(&args);
    cmd.env("INKGUARD_COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", &index)
        .env("_CLAP_IFS", "\n");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("inkguard runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{words:?}\n{stdout}\n{stderr}");
    assert_eq!(stderr, "", "completion is silent on stderr: {words:?}");
    stdout
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

fn complete(w: &Work, words: &[&str]) -> Vec<String> {
    complete_env(w, words, &[])
}

fn values(found: &[String]) -> Vec<&str> {
    found
        .iter()
        .map(String::as_str)
        .filter(|v| !v.starts_with('-'))
        .collect()
}

#[test]
fn client_codes_complete_wherever_a_client_is_taken() {
    let w = clinic();
    for words in [
        &["inkguard", "check", ""][..],
        &["inkguard", "safe-list", ""],
        &["inkguard", "client", "show", ""],
        &["inkguard", "client", "erase", ""],
        &["inkguard", "sensitivity", "add", ""],
        &["inkguard", "patch-test", "apply", ""],
        &["inkguard", "treatment", "record", ""],
        &["inkguard", "reaction", "list", ""],
        &["inkguard", "audit", "log", "--client", ""],
    ] {
        assert_eq!(
            values(&complete(&w, words)),
            ["C-0042", "C-0107"],
            "{words:?}"
        );
    }
}

#[test]
fn client_codes_complete_by_prefix_without_case() {
    let w = clinic();
    assert_eq!(complete(&w, &["inkguard", "check", "c-01"]), ["C-0107"]);
    assert!(complete(&w, &["inkguard", "check", "X"]).is_empty());
}

#[test]
fn products_complete_by_code_or_supplier_slash_code() {
    let w = clinic();
    let found = complete(&w, &["inkguard", "check", "C-0042", ""]);
    let found = values(&found);
    assert!(found.contains(&"FW-101"), "{found:?}");
    // NP-5 is sold by two suppliers: only SUPPLIER/CODE names it.
    assert!(found.contains(&"Dermaco/NP-5"), "{found:?}");
    assert!(found.contains(&"Numbco/NP-5"), "{found:?}");
    assert!(!found.contains(&"NP-5"), "{found:?}");
    assert_eq!(
        complete(&w, &["inkguard", "screen", "numb"]),
        ["Numbco/NP-5"]
    );
    assert_eq!(
        complete(&w, &["inkguard", "product", "show", "fw-1"]),
        ["FW-101"]
    );
    assert_eq!(
        complete(
            &w,
            &["inkguard", "trace", "--lot", "X", "--product", "fw-10"]
        ),
        ["FW-101"]
    );
}

#[test]
fn lots_complete_for_the_product_already_typed() {
    let w = clinic();
    let fw101 = complete(&w, &["inkguard", "check", "C-0042", "FW-101", "--lot", ""]);
    assert!(fw101.contains(&"FW25-001".to_string()), "{fw101:?}");
    assert!(!fw101.contains(&"NP-2504".to_string()), "{fw101:?}");
    let np5 = complete(
        &w,
        &[
            "inkguard",
            "treatment",
            "record",
            "C-0042",
            "--product",
            "FW-101",
            "--lot",
            "FW25-001",
            "--product",
            "Numbco/NP-5",
            "--lot",
            "",
        ],
    );
    assert_eq!(np5, ["NP-2504"]);
    // No product typed yet: every lot.
    let any = complete(&w, &["inkguard", "trace", "--lot", ""]);
    assert!(any.contains(&"FW25-001".to_string()) && any.contains(&"NP-2504".to_string()));
    assert_eq!(
        complete(
            &w,
            &["inkguard", "lot", "flag", "FW-101", "--lot", "fw25-00"]
        ),
        ["FW25-001"]
    );
}

#[test]
fn the_database_of_db_on_the_command_line_is_the_one_completed() {
    let w = clinic();
    let other = Work::new();
    other
        .run(&["client", "add", "Z-9", "--name", "Zed Example"])
        .ok();
    let db = other.db();
    let found = complete(&w, &["inkguard", "--db", db.to_str().unwrap(), "check", ""]);
    assert_eq!(values(&found), ["Z-9"]);
}

#[test]
fn a_missing_database_completes_nothing_and_creates_nothing() {
    let w = Work::empty();
    let found = complete(&w, &["inkguard", "check", ""]);
    assert!(values(&found).is_empty(), "{found:?}");
    assert!(!w.db().exists());
    // Commands and flags still complete.
    assert!(complete(&w, &["inkguard", "chec"]).contains(&"check".to_string()));
}

#[test]
fn a_bad_database_completes_nothing_quietly() {
    let w = Work::empty();
    std::fs::write(w.db(), "not a database").unwrap();
    assert!(values(&complete(&w, &["inkguard", "check", ""])).is_empty());
    let dir = w.path("a-folder");
    std::fs::create_dir(&dir).unwrap();
    let found = complete_env(
        &w,
        &["inkguard", "client", "show", ""],
        &[("INKGUARD_DB", dir.to_str().unwrap())],
    );
    assert!(values(&found).is_empty(), "{found:?}");
}

#[test]
fn completing_writes_no_file_beside_the_database() {
    let w = clinic();
    // A closed database in WAL mode: no -wal, no -shm until someone opens it for writing.
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;")
        .unwrap();
    conn.execute_batch("PRAGMA journal_mode=WAL;").unwrap();
    drop(conn);
    let before: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(!w.path("clinic.db-wal").exists());
    let found = complete(&w, &["inkguard", "check", ""]);
    assert_eq!(values(&found), ["C-0042", "C-0107"]);
    let mut after: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let mut before = before;
    before.sort();
    after.sort();
    assert_eq!(before, after);
}

#[test]
fn completion_scripts_call_inkguard_back() {
    let w = Work::empty();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let run = w.run(&["completions", shell]);
        run.ok();
        assert!(
            run.stdout.contains("INKGUARD_COMPLETE"),
            "{shell}: {}",
            run.stdout
        );
    }
}

#[test]
fn the_bash_script_completes_client_codes_when_sourced() {
    let Ok(bash) = which_bash() else {
        eprintln!("skipped: bash is absent");
        return;
    };
    let w = clinic();
    let script = w.path("inkguard.bash");
    let text = w.run(&["completions", "bash"]).ok().stdout.clone();
    std::fs::write(&script, text).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_inkguard"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new(bash)
        .arg("-c")
        .arg(
            r#"source "$1"
COMP_WORDS=(inkguard check C-0042 FW-101 --lot "")
COMP_CWORD=5
_clap_complete_inkguard inkguard "" --lot
printf '%s\n' "${COMPREPLY[@]}"
COMP_WORDS=(inkguard client show c-0)
COMP_CWORD=3
_clap_complete_inkguard inkguard c-0 show
printf '%s\n' "${COMPREPLY[@]}""#,
        )
        .arg("bash")
        .arg(&script)
        .env("PATH", path)
        .env("INKGUARD_DB", w.db())
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        ["FW25-001", "C-0042", "C-0107"],
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn which_bash() -> Result<&'static str, ()> {
    ["/bin/bash", "/usr/bin/bash"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .ok_or(())
}

#[test]
fn values_with_spaces_come_quoted_for_bash_as_the_word_was_begun() {
    let w = Work::new();
    w.import_path(&example("numbing_cream.tsv"), "Derma Supply", &[]);
    w.import_path(&example("numbing_cream.tsv"), "Numbco", &[]);
    assert_eq!(
        complete(&w, &["inkguard", "screen", "derma"]),
        ["Derma\\ Supply/NP-5"]
    );
    assert_eq!(
        complete(&w, &["inkguard", "screen", "'Derma S"]),
        ["'Derma Supply/NP-5"]
    );
    assert_eq!(
        complete(&w, &["inkguard", "screen", "Derma\\ Supply/"]),
        ["Derma\\ Supply/NP-5"]
    );
    // The product typed in quotes scopes the lot.
    assert_eq!(
        complete(
            &w,
            &[
                "inkguard",
                "check",
                "C-1",
                "'Derma Supply/NP-5'",
                "--lot",
                ""
            ]
        ),
        ["NP-2504"]
    );
    // Fish quotes values itself, and shows the description after a tab.
    let mut cmd = w.command(&["--", "inkguard", "screen", "derma"]);
    let out = cmd.env("INKGUARD_COMPLETE", "fish").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Derma Supply/NP-5\tNumb Pro 5\n"
    );
}

#[test]
fn a_database_locked_by_a_writer_is_completed_quietly_and_at_once() {
    let w = clinic();
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute_batch("PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE;")
        .unwrap();
    let started = std::time::Instant::now();
    // Exit 0 and nothing on stderr are checked by `complete`; what is offered may be nothing.
    complete(&w, &["inkguard", "check", ""]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    conn.execute_batch("ROLLBACK;").unwrap();
}
