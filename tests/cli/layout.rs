//! Rules of the source layout that a test can hold: all SQL lives in `src/db/` (STYLE "All SQL
//! in `db/`, every write through one door"), so a statement written in `src/cmd/` or
//! `src/import/` again fails here.

use std::path::{Path, PathBuf};

/// Files that still hold SQL, until their owner moves it into `src/db/`.
const NOT_YET_MOVED: &[&str] = &[];

/// What marks SQL or a direct use of the connection in Rust source.
const SQL_SIGNS: &[&str] = &[
    "\"INSERT",
    "\"UPDATE",
    "\"DELETE",
    "\"SELECT",
    "\"WITH",
    "\"PRAGMA",
    ".execute(",
    "execute_batch",
    ".prepare(",
    "prepare_cached",
    "query_row",
    "query_map",
    "pragma_update",
    "last_insert_rowid",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_sql_outside_src_db() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src/cmd", "src/import"] {
        rust_files(&root.join(dir), &mut files);
    }
    assert!(files.len() > 20, "the source tree was not found");
    let mut found = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // Test code (a `#[cfg(test)]` block, or a test module's file: `proptests.rs`,
        // `stream_tests.rs`) may set up and read a database by hand.
        if NOT_YET_MOVED.contains(&name.as_str()) || name.ends_with("tests.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            if let Some(sign) = SQL_SIGNS.iter().find(|s| line.contains(*s)) {
                found.push(format!("{name}:{}: {sign}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "SQL belongs in src/db/ (a function there, called from here):\n{}",
        found.join("\n")
    );
}
