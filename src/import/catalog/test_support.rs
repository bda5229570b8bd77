//! For the tests of `import catalog` in-process: a file's text imported into a new database,
//! as supplier Acme.

use super::{run, CatalogImport, CatalogReport};
use crate::db::Db;
use crate::error::Result;
use crate::import::ReadOptions;

/// A new database, kept with its folder.
pub struct Imported {
    pub db: Db,
    _dir: tempfile::TempDir,
}

/// Imports `text` (a CSV file's whole text) into a new database: the database, and the
/// report and outcome as `run` gives them.
pub fn import_text(
    text: &str,
    skip_invalid: bool,
) -> (Imported, Result<(CatalogReport, Result<()>)>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.csv");
    std::fs::write(&file, text).unwrap();
    let (mut db, _) =
        Db::init(&dir.path().join("t.db"), "test".into(), chrono::Utc::now()).unwrap();
    let job = CatalogImport {
        read: ReadOptions {
            file,
            ..ReadOptions::default()
        },
        supplier: Some("Acme".into()),
        skip_invalid,
        ..CatalogImport::default()
    };
    let result = run(&mut db, &job);
    (Imported { db, _dir: dir }, result)
}

/// The report of an import that must have succeeded.
pub fn succeeded(result: Result<(CatalogReport, Result<()>)>) -> CatalogReport {
    let (report, outcome) = result.unwrap();
    outcome.unwrap();
    report
}
