//! `import catalog`: supplier ingredient files into products, formulations and lots (SPEC 3),
//! as a pipeline of stages with one job each:
//!
//! 1. read (`read`): records decoded and checked (`super::open`, lines counted, unclosed quotes
//!    found), the header found;
//! 2. parse (`parse`, no database): each row into a declaration keyed by its product. When the
//!    file's products stand together in key order (the usual export), a thread of its own
//!    reads, parses and groups the rows (`read::Reader`, `read::Group`) and hands each product
//!    to the writer as soon as its last row is read, so that parsing overlaps writing; else every row is staged in a TEMP table
//!    (memory stays flat and a product's rows may stand anywhere) and read back by product.
//!    Both give the same order of products, hence the same catalog, ids and report;
//! 3. group (`group`, no database): a product's rows into one declaration;
//! 4. resolve, plan and apply (`apply`): identities resolved, diffed against the catalog by
//!    fingerprint, written through `db::import` in the import's one transaction and recorded
//!    as a batch (`import history`, `import undo`).
//!
//! An invalid row fails the whole import (nothing written) unless `--skip-invalid`, which
//! leaves out exactly the products that have an invalid row. `--dry-run` rolls back.

pub mod apply;
pub mod checks;
pub mod dates;
mod finish;
pub mod group;
pub mod header;
mod items;
pub mod memo;
pub mod parse;
mod product_checks;
#[cfg(test)]
mod proptests;
pub mod read;
pub mod report;
pub mod settings;
#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod test_support;

use std::io::Read as _;

use sha2::{Digest, Sha256};

use super::headers::Mapping;
use super::ReadOptions;
use crate::db::catalog::Kind;
use crate::db::import::{self as dbi, SupplierSettings};
use crate::db::{references, Db};
use crate::error::{Error, Result};
pub use report::{CatalogReport, Mapped, ProductCounts, Rejected, SubstanceCounts, Unverified};

/// A checked `import catalog` command.
#[derive(Debug, Clone, Default)]
pub struct CatalogImport {
    pub read: ReadOptions,
    pub supplier: Option<String>,
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub maps: Vec<Mapping>,
    pub kind: Option<Kind>,
    /// `--save-map`: keep these settings for the supplier's later imports.
    pub save: Option<SupplierSettings>,
}

/// Runs the import. `Err(ImportRejected)` (with the report filled in) when rows were invalid
/// and nothing was written.
///
/// Foreign keys are not enforced row by row during the import (SQLite ignores the pragma
/// inside a transaction, so it is turned off before the transaction begins and on again after
/// it ends); instead one set-based check of every reference the import wrote runs before it
/// commits, and a violation rolls the whole import back.
pub fn run(db: &mut Db, job: &CatalogImport) -> Result<(CatalogReport, Result<()>)> {
    super::keep_memory_flat(&job.read.file);
    references::enforce_references(&db.conn, false)?;
    dbi::import_page_cache(&db.conn)?;
    // First as the rows come; a file whose products do not stand together in key order (or
    // with rejected rows that stop the import) is read again through the stage, in a new
    // transaction, as if the first attempt had never been.
    let result = match import(db, job, true) {
        Ok(None) => import(db, job, false),
        other => other,
    };
    let restored = references::enforce_references(&db.conn, true);
    let result = result?.ok_or_else(|| Error::invalid("the staged import did not finish"))?;
    restored?;
    Ok(result)
}

/// One attempt: `stream` as the rows come (`None` when the file must be staged), else staged.
fn import(
    db: &mut Db,
    job: &CatalogImport,
    stream: bool,
) -> Result<Option<(CatalogReport, Result<()>)>> {
    let sha256 = file_hash(&job.read.file)?;
    let file_len = std::fs::metadata(&job.read.file).map_or(0, |m| m.len());
    let file_name = super::display_name(&job.read.file);
    let at = db.stamp();
    let actor = db.actor.clone();
    let now = db.now;
    let tx = db.begin()?;
    let marks = references::Marks::take(&tx)?;
    let new_batch = dbi::NewBatch {
        supplier: job.supplier.as_deref(),
        file: &file_name,
        sha256: &sha256,
        at: &at,
        actor: &actor,
    };
    let world = crate::db::facts::load_world(&tx, now)?;
    let mut applier = apply::Applier::new(&tx, job, &file_name, &at, world)?;
    let index = if stream {
        match streamed(&tx, job, &mut applier, &new_batch, file_len)? {
            Some(index) => index,
            None => return Ok(None), // dropping the transaction rolls it back
        }
    } else {
        staged(&tx, job, &mut applier, &new_batch)?
    };
    dbi::restore_index(&tx, index)?;
    let batch = applier.batch;
    let mut report = applier.finish()?;
    let mut saved = false;
    if report.rejected.is_empty() || job.skip_invalid {
        if let (Some(save), Some(supplier)) = (&job.save, &job.supplier) {
            dbi::save_settings(&tx, supplier, save, &at)?;
            saved = true;
        }
    }
    let counts = serde_json::json!({
        "products": &report.products,
        "formulations": report.formulations,
        "lots": report.lots,
        "rejected": report.rejected.len(),
    });
    if let Some(batch) = batch {
        dbi::set_batch_counts(&tx, batch, &counts.to_string())?;
    }
    let mut detail = counts;
    detail["file"] = file_name.clone().into();
    detail["sha256"] = sha256.into();
    detail["batch"] = batch.into();
    if saved {
        detail["settings_saved"] = serde_json::to_value(&job.save).unwrap_or_default();
    }
    let ending = super::Ending {
        command: "import catalog",
        file: &file_name,
        rejected: report.rejected.len(),
        skip_invalid: job.skip_invalid,
        dry_run: job.dry_run,
        skip_hint: "or add --skip-invalid to import the products whose rows are all valid",
    };
    if !job.dry_run && (report.rejected.is_empty() || job.skip_invalid) {
        marks.check_references(&tx)?;
    }
    let (written, outcome) = super::conclude(tx, ending, detail)?;
    report.dry_run = job.dry_run;
    report.written = written;
    report.batch = batch.filter(|_| written);
    report.settings_saved = saved && written;
    Ok(Some((report, outcome)))
}

/// What the reading thread hands the writer, in the file's order.
enum Msg {
    Header(read::Header),
    Product(group::ProductDecl),
    Rejected(report::Rejected),
    /// The products cannot be applied as they come (a product out of key order, or a
    /// rejected row that stops the import): read the file again through the stage.
    Restage,
}

/// Products read ahead of the writer at most: memory stays flat whatever the file's size.
const READ_AHEAD: usize = 256;

/// The reading thread's stack: a main thread's usual 8 MiB (a spawned thread gets 2 MiB).
const READ_STACK: usize = 8 << 20;

/// Applies the products as their rows come: one thread reads and parses the file and groups
/// its rows into products (`read::Group`), this one resolves and writes them, so that the
/// parsing of a product overlaps the writing of the one before. `None` when the file must be
/// read again through the stage; else the SQL of the index suspended for the load.
fn streamed(
    conn: &rusqlite::Connection,
    job: &CatalogImport,
    applier: &mut apply::Applier,
    new_batch: &dbi::NewBatch,
    file_len: u64,
) -> Result<Option<Option<String>>> {
    if !job.dry_run {
        applier.batch = Some(dbi::begin_batch(conn, new_batch)?);
    }
    // Rejected rows without --skip-invalid send the import to the staged path, which only
    // checks: so here every valid product is written.
    applier.write = true;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel(READ_AHEAD);
        let reading = std::thread::Builder::new()
            .name("import-read".into())
            // The stack the main thread has, on which the reading ran before it had a thread.
            .stack_size(READ_STACK)
            .spawn_scoped(scope, move || read_ahead(job, &tx))
            .map_err(|e| Error::invalid(format!("could not start the reading thread: {e}")))?;
        // Dropping the receiver (when the writer stops early) stops the reader at its next send.
        let applied = apply_as_read(conn, job, applier, rx, file_len);
        let read = reading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        match applied? {
            None => Ok(None),
            Some(index) => {
                let (rows, lines) = read?;
                applier.report.rows = rows;
                applier.report.lines = lines;
                Ok(Some(index))
            }
        }
    })
}

/// The reading thread: the header, then each product as soon as its last row is read.
/// Returns the rows and lines read.
fn read_ahead(job: &CatalogImport, tx: &std::sync::mpsc::SyncSender<Msg>) -> Result<(u64, u64)> {
    let mut source = super::open(&job.read)?;
    let read = (|| {
        let (mut reader, header) = read::Reader::start(job, &mut source)?;
        let mut group = read::Group::new(reader.label);
        let send = |msg| tx.send(msg).is_ok();
        let mut going = send(Msg::Header(header));
        while going {
            going = match reader.next(&mut source)? {
                None => {
                    if let Some(product) = group.finish() {
                        send(Msg::Product(product));
                    }
                    false
                }
                // Rejected rows stop the import unless --skip-invalid: the staged path checks.
                Some(read::Row::Rejected(r)) => {
                    let sent = send(Msg::Rejected(r));
                    if sent && !job.skip_invalid {
                        send(Msg::Restage);
                    }
                    sent && job.skip_invalid
                }
                Some(read::Row::Of(key, row)) => match group.push(key, row) {
                    read::Grouped::Held => true,
                    read::Grouped::Complete(product) => send(Msg::Product(product)),
                    read::Grouped::OutOfOrder => {
                        send(Msg::Restage);
                        false
                    }
                },
            };
        }
        Ok::<_, Error>(reader.rows)
    })();
    source.progress.finish_and_clear();
    Ok((read?, source.lines()))
}

/// The writer's side of `streamed`: the products applied in the order they were read.
fn apply_as_read(
    conn: &rusqlite::Connection,
    job: &CatalogImport,
    applier: &mut apply::Applier,
    rx: std::sync::mpsc::Receiver<Msg>,
    file_len: u64,
) -> Result<Option<Option<String>>> {
    let mut index: Option<Option<String>> = None;
    for msg in rx {
        match msg {
            Msg::Header(header) => header.apply(applier),
            Msg::Rejected(r) => applier.report.rejected.push(r),
            Msg::Restage => return Ok(None),
            Msg::Product(product) => {
                if index.is_none() {
                    // How many ingredient rows the file will add is known only at its end:
                    // guessed from its size (about 100 bytes an ingredient row, 30 an item
                    // of a label).
                    let adding = file_len / if applier.label { 30 } else { 100 };
                    index = Some(dbi::suspend_index(conn, adding)?);
                }
                applier.product(product)?;
                if !(job.skip_invalid || applier.report.rejected.is_empty()) {
                    return Ok(None);
                }
            }
        }
    }
    Ok(Some(index.flatten()))
}

/// The staged path: every row staged (keyed by product, so that a product's rows may stand
/// anywhere), then the products applied in the order of their keys. Returns the SQL of the
/// index suspended for the load.
fn staged(
    conn: &rusqlite::Connection,
    job: &CatalogImport,
    applier: &mut apply::Applier,
    new_batch: &dbi::NewBatch,
) -> Result<Option<String>> {
    let mut source = super::open(&job.read)?;
    dbi::stage_open(conn)?;
    let read = (|| {
        let (mut reader, header) = read::Reader::start(job, &mut source)?;
        header.apply(applier);
        while let Some(row) = reader.next(&mut source)? {
            match row {
                read::Row::Rejected(r) => applier.report.rejected.push(r),
                read::Row::Of(key, row) => {
                    let data = serde_json::to_string(&row)
                        .map_err(|e| Error::invalid(format!("line {}: {e}", row.line)))?;
                    dbi::stage_row(conn, reader.rows, &key.0, &key.1, &data)?;
                }
            }
        }
        applier.report.rows = reader.rows;
        Ok::<_, Error>(())
    })();
    source.progress.finish_and_clear();
    read?;
    applier.report.lines = source.lines();
    if !job.dry_run {
        applier.batch = Some(dbi::begin_batch(conn, new_batch)?);
    }
    // With invalid rows and no --skip-invalid nothing will be written: only check.
    applier.write = applier.report.rejected.is_empty() || job.skip_invalid;
    let label = applier.label;
    // About how many ingredient rows the import may add: a label row declares about a dozen.
    let adding = applier.report.rows * if label { 12 } else { 1 };
    let index = if applier.write {
        dbi::suspend_index(conn, adding)?
    } else {
        None
    };
    dbi::staged_products(conn, |rows| {
        let rows: Vec<parse::RowDecl> = rows
            .iter()
            .map(|r| serde_json::from_str(r))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::invalid(format!("staged row: {e}")))?;
        applier.product(group::assemble(rows, label))
    })?;
    Ok(index)
}

/// The SHA-256 of the file's bytes, for the batch.
fn file_hash(path: &std::path::Path) -> Result<String> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(io)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Up to ten names, then how many more: a header row can have thousands of columns.
pub(super) fn few(names: &[String]) -> String {
    match names.len() {
        0..=10 => names.join(", "),
        n => format!("{} and {} more", names[..10].join(", "), n - 10),
    }
}
