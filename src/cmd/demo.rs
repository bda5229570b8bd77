//! `demo`: builds a demonstration database from the example supplier files and walks through
//! the tool's job, printing each command before its output. The commands are parsed and run by
//! the same code as the command line, so what is printed is what runs.

use std::path::{Path, PathBuf};

use chrono::Duration;

use crate::error::{shell_quote, Error, Result};
use crate::{app, time};

use super::Exit;

/// The example files, compiled in so that the demo runs from anywhere.
const EXAMPLES: [(&str, &[u8]); 3] = [
    (
        "farbwerk_de_windows1252.csv",
        include_bytes!("../../examples/farbwerk_de_windows1252.csv"),
    ),
    (
        "lumen_labels_bom.csv",
        include_bytes!("../../examples/lumen_labels_bom.csv"),
    ),
    (
        "numbing_cream.tsv",
        include_bytes!("../../examples/numbing_cream.tsv"),
    ),
];

const DEFAULT_DB: &str = "inkguard-demo.db";

pub fn run(db: Option<PathBuf>) -> Result<Exit> {
    let path =
        match db {
            Some(p) if p.exists() => return Err(Error::invalid_with_hint(
                format!("{} exists already", p.display()),
                "the demo makes a new database: name a file that does not exist, or leave out --db",
            )),
            Some(p) => p,
            None => {
                // Ours by name: made anew each time.
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{DEFAULT_DB}{suffix}"));
                }
                PathBuf::from(DEFAULT_DB)
            }
        };
    let examples = example_files()?;
    let file = |name: &str| {
        examples
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| p.display().to_string())
            .unwrap_or_default()
    };
    let now = time::now_from_env()?;
    let applied = time::stamp(now - Duration::days(3));
    let read = time::stamp(now);
    let db = path.display().to_string();

    println!("# inkguard demo: a clinic's catalog, a client, a patch test and three verdicts.");
    println!(
        "# The database is {db}. To repeat any command below: export INKGUARD_DB={}",
        shell_quote(&db)
    );
    let steps: Vec<(&str, Vec<String>)> = vec![
        ("Create the database and load the built-in reference.", args(&["init"])),
        (
            "Import a German supplier's file: semicolons, Windows-1252, decimal commas, one row per ingredient.",
            args(&["import", "catalog", &file("farbwerk_de_windows1252.csv"), "--supplier", "Farbwerk GmbH", "--encoding", "windows-1252"]),
        ),
        (
            "Import a label-style file: one row per product with the whole declaration, May contain included.",
            args(&["import", "catalog", &file("lumen_labels_bom.csv"), "--supplier", "Lumen Pigments"]),
        ),
        ("Import a numbing cream (tab-separated).", args(&["import", "catalog", &file("numbing_cream.tsv"), "--supplier", "Numb Pro"])),
        ("A client, who says she reacts to hair dye (PPD).", args(&["client", "add", "C-0042", "--name", "Alex Example"])),
        ("", args(&["sensitivity", "add", "C-0042", "PPD", "--source", "declared"])),
        (
            "Three days ago: a patch test of nickel sulphate and of the product planned for her lips.",
            args(&["patch-test", "apply", "C-0042", "--substance", "nickel sulphate", "--product", "Rose Petal", "--lot", "RP-2501", "--at", &applied]),
        ),
        ("Today's reading, D3: nickel is strongly positive, the lip pigment negative.", args(&["patch-test", "read", "1", "--item", "1", "--grade", "++", "--at", &read])),
        ("", args(&["patch-test", "read", "1", "--item", "2", "--grade=-", "--at", &read])),
        ("The lip pigment, tested negative: CLEAR.", args(&["check", "C-0042", "Rose Petal", "--lot", "RP-2501"])),
        ("The numbing cream holds benzocaine, which often cross-reacts with PPD: CAUTION.", args(&["check", "C-0042", "Numb Pro 5"])),
        ("The black declares a nickel impurity; she tested positive to nickel sulphate: BLOCKED.", args(&["check", "C-0042", "FW-101", "--lot", "FW25-001"])),
        ("Everything that would be CLEAR for her once patch-tested, and what needs care.", args(&["safe-list", "C-0042", "--include-caution"])),
        ("Recording a treatment runs the check first: the black is refused, and nothing is written.", args(&["treatment", "record", "C-0042", "--product", "FW-101", "--lot", "FW25-001", "--area", "left forearm"])),
    ];
    for (comment, command) in steps {
        println!();
        if !comment.is_empty() {
            println!("# {comment}");
        }
        println!(
            "$ inkguard {}",
            command
                .iter()
                .map(|a| shell_quote(a))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let mut full = vec!["inkguard".to_string(), "--db".to_string(), db.clone()];
        full.extend(command);
        let code = match app::parse(&full) {
            Ok(invocation) => app::run(invocation),
            Err(e) => {
                return Err(Error::invalid(format!(
                    "the demo's own command does not parse: {e}"
                )));
            }
        };
        match code {
            0 => {}
            3 => println!("(exit 3: CAUTION)"),
            4 => println!("(exit 4: BLOCKED)"),
            other => {
                return Err(Error::invalid(format!(
                    "a demo step failed with exit {other}"
                )))
            }
        }
    }
    println!();
    println!(
        "# The demo database stays: export INKGUARD_DB={} and try `inkguard client show C-0042`.",
        shell_quote(&db)
    );
    Ok(0)
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The example files: `examples/NAME` when this is the repository (so the printed commands can
/// be repeated as they are), else copies in `inkguard-demo-examples/`.
fn example_files() -> Result<Vec<(&'static str, PathBuf)>> {
    let mut files = Vec::new();
    for (name, bytes) in EXAMPLES {
        let in_repo = Path::new("examples").join(name);
        if std::fs::read(&in_repo).is_ok_and(|b| b == bytes) {
            files.push((name, in_repo));
            continue;
        }
        let dir = PathBuf::from("inkguard-demo-examples");
        let copy = dir.join(name);
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&copy, bytes))
            .map_err(|source| Error::Io {
                path: copy.clone(),
                source,
            })?;
        files.push((name, copy));
    }
    Ok(files)
}
