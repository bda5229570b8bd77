//! `import catalog`, `import substances`, `import history` and `import undo`: options into
//! plans, reports onto the screen (`import_view`), `--report FILE`, the supplier's saved
//! settings (`--save-map`) and the undoing of a batch.

use std::io::Read;
use std::path::Path;

use crate::cli::{ImportCommand, ImportOptions};
use crate::db::catalog::Kind;
use crate::db::import::{self as dbi, SupplierSettings};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::import::catalog::{self, report, settings, CatalogImport};
use crate::import::headers::Mapping;
use crate::import::substances::{self, SubstanceImport};
use crate::import::{self as imp, ReadOptions};
use crate::output::{Output, Table};

use super::import_view as view;
use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: ImportCommand) -> Result<Exit> {
    // An import reads indexes all over the file: through the memory map every page it touched
    // would count as its memory, and memory must stay flat however large the catalog.
    crate::db::maintenance::no_memory_map(&db.conn)?;
    match command {
        ImportCommand::Catalog {
            options,
            supplier,
            kind,
            save_map,
            report: report_file,
            force,
            quiet,
        } => {
            if let Some(path) = &report_file {
                check_report_path(path, force, &db.path, &options.file)?;
            }
            let given = SupplierSettings {
                maps: options.maps.clone(),
                delimiter: options.delimiter.clone(),
                encoding: options.encoding.clone(),
                kind: kind.clone(),
            };
            let saved = match &supplier {
                Some(s) => dbi::load_settings(&db.conn, s)?,
                None => None,
            };
            let (effective, used) = settings::merge(&given, saved.as_ref())?;
            let read = ImportOptions {
                maps: effective.maps.clone(),
                delimiter: effective.delimiter.clone(),
                encoding: effective.encoding.clone(),
                ..options
            };
            let (read, maps) = read_options(&read)?;
            let kind = effective
                .kind
                .as_deref()
                .map(|k| {
                    Kind::parse(k).ok_or_else(|| {
                        Error::invalid_with_hint(
                            format!("--kind {k:?} is not a kind of product"),
                            "use pigment, anaesthetic, aftercare or other",
                        )
                    })
                })
                .transpose()?;
            let job = CatalogImport {
                read,
                supplier,
                dry_run: options.dry_run,
                skip_invalid: options.skip_invalid,
                maps,
                kind,
                save: save_map.then_some(effective),
            };
            let (mut report, outcome) = catalog::run(db, &job)?;
            report.saved_settings_used = used;
            // Written whatever the outcome: the details matter most when rows were invalid.
            if let Some(path) = &report_file {
                report::write_csv(&report, path)?;
            }
            let shown = view::Shown {
                quiet,
                report_file: report_file.as_deref(),
            };
            out.document(&report, &view::catalog(&report, &shown))?;
            outcome.map(|()| 0)
        }
        ImportCommand::Substances { options } => {
            let (read, maps) = read_options(&options)?;
            let job = SubstanceImport {
                read,
                dry_run: options.dry_run,
                skip_invalid: options.skip_invalid,
                maps,
            };
            let (report, outcome) = substances::run(db, &job)?;
            out.document(&report, &view::substances(&report))?;
            outcome.map(|()| 0)
        }
        ImportCommand::History => history(db, out),
        ImportCommand::Undo { batch } => undo(db, out, batch),
    }
}

fn read_options(o: &ImportOptions) -> Result<(ReadOptions, Vec<Mapping>)> {
    let read = ReadOptions {
        file: o.file.clone(),
        delimiter: o
            .delimiter
            .as_deref()
            .map(imp::parse_delimiter)
            .transpose()?,
        encoding: o.encoding.as_deref().map(imp::parse_encoding).transpose()?,
        progress: true,
    };
    let maps = o
        .maps
        .iter()
        .map(|m| Mapping::parse(m))
        .collect::<Result<_>>()?;
    Ok((read, maps))
}

/// `--report FILE` may not write over an existing file without `--force`, and never over a
/// database or the file being imported. Checked before the import starts.
fn check_report_path(path: &Path, force: bool, db: &Path, input: &Path) -> Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if same(path, db) || is_database(path) {
        return Err(Error::invalid_with_hint(
            format!("--report {}: that file is a database", path.display()),
            "name a new file for the report, e.g. --report import-report.csv",
        ));
    }
    if same(path, input) {
        return Err(Error::invalid_with_hint(
            format!(
                "--report {}: that is the file being imported",
                path.display()
            ),
            "name a new file for the report, e.g. --report import-report.csv",
        ));
    }
    if path.exists() && !force {
        return Err(Error::invalid_with_hint(
            format!("--report {}: the file exists", path.display()),
            "name a new file, or add --force to write over it",
        ));
    }
    Ok(())
}

/// Whether a file starts with SQLite's header.
fn is_database(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0")
}

/// `import history`: every batch, oldest first.
fn history(db: &Db, out: &Output) -> Result<Exit> {
    let rows = dbi::batches(&db.conn)?;
    let mut table = Table::new(&[
        "batch", "file", "sha256", "at", "actor", "supplier", "counts", "undone",
    ]);
    for b in &rows {
        let sha = if out.format == crate::cli::Format::Csv {
            b.sha256.clone()
        } else {
            b.sha256.chars().take(12).collect()
        };
        table.row(vec![
            b.id.to_string(),
            b.file.clone(),
            sha,
            out.time(&b.at, db.zone),
            b.actor.clone(),
            b.supplier.clone().unwrap_or_default(),
            view::counts(&b.counts),
            b.undone_at
                .as_deref()
                .map(|at| out.time(at, db.zone))
                .unwrap_or_default(),
        ]);
    }
    out.records(&rows, &table)?;
    Ok(0)
}

/// `import undo BATCH`: all or nothing, refused while anything points at what it added.
fn undo(db: &mut Db, out: &Output, batch: i64) -> Result<Exit> {
    let at = db.stamp();
    let actor = db.actor.clone();
    let zone = db.zone;
    let tx = db.begin()?;
    let row = dbi::batch(&tx, batch)?.ok_or_else(|| {
        Error::invalid_with_hint(
            format!("no import batch {batch}"),
            "list the imports with: inkguard import history",
        )
    })?;
    if let Some(when) = &row.undone_at {
        return Err(Error::invalid_with_hint(
            format!(
                "batch {batch} ({}) was already undone at {}",
                row.file,
                crate::time::show_stamp(when, zone)
            ),
            "list the imports with: inkguard import history",
        ));
    }
    let blockers = dbi::undo_blockers(&tx, batch)?;
    if !blockers.is_empty() {
        const SHOWN: usize = 10;
        let mut named = blockers[..blockers.len().min(SHOWN)].join("; ");
        if blockers.len() > SHOWN {
            named.push_str(&format!("; and {} more", blockers.len() - SHOWN));
        }
        return Err(Error::Invalid {
            message: format!(
                "batch {batch} ({}) cannot be undone, nothing was changed: {named}",
                row.file
            ),
            hints: vec![
                "records point at what it added: import a corrected file instead (a changed ingredient list makes a new formulation and keeps the old one)".into(),
                "undo later imports of the same products first when one is named".into(),
            ],
        });
    }
    let counts = dbi::undo_batch(&tx, batch, &at, &actor)?;
    let detail = serde_json::json!({
        "batch": batch,
        "file": row.file,
        "sha256": row.sha256,
        "removed": &counts,
    });
    tx.commit("import undo", None, &detail)?;
    let human = format!(
        "batch {batch} ({}) undone: {}, {}, {} removed; {} restored\n",
        row.file,
        view::plural(counts.products, "product"),
        view::plural(counts.formulations, "formulation"),
        view::plural(counts.lots, "lot"),
        view::plural(counts.restored, "change"),
    );
    out.document(&detail, &human)?;
    Ok(0)
}
