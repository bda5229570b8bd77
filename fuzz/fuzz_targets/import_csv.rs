//! Bytes in, an import report or a clear error out: never a panic. Runs the whole catalog import
//! (decoding, delimiter sniffing, headers, rows, resolution) as a dry run on one database.
#![no_main]

use std::sync::OnceLock;

use inkguard::db::Db;
use inkguard::import::catalog::{self, CatalogImport};
use inkguard::import::ReadOptions;
use libfuzzer_sys::fuzz_target;

static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let dir = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        Db::init(&dir.path().join("fuzz.db"), "fuzz".into(), chrono::Utc::now()).unwrap();
        dir
    });
    let file = dir.path().join("input.csv");
    std::fs::write(&file, data).unwrap();
    let mut db = Db::open(&dir.path().join("fuzz.db"), "fuzz".into(), chrono::Utc::now()).unwrap();
    let job = CatalogImport {
        read: ReadOptions { file, ..ReadOptions::default() },
        supplier: Some("Fuzz".into()),
        dry_run: true,
        ..CatalogImport::default()
    };
    let _ = catalog::run(&mut db, &job);
});
