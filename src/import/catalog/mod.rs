//! `import catalog`: supplier ingredient files into products, formulations and lots (SPEC 3),
//! as a pipeline of stages with one job each:
//!
//! 1. read: records decoded and checked (`super::open`, lines counted, unclosed quotes found);
//! 2. parse (`parse`, no database): each row into a declaration, staged in a TEMP table so that
//!    memory stays flat and a product's rows may stand anywhere in the file;
//! 3. group (`group`, no database): a product's staged rows into one declaration;
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
pub mod parse;
#[cfg(test)]
mod proptests;
pub mod report;
pub mod settings;

use std::io::Read;

use sha2::{Digest, Sha256};

use super::headers::{Field, Mapping};
use super::ReadOptions;
use crate::db::catalog::Kind;
use crate::db::import::{self as dbi, SupplierSettings};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ident;
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
pub fn run(db: &mut Db, job: &CatalogImport) -> Result<(CatalogReport, Result<()>)> {
    let sha256 = file_hash(&job.read.file)?;
    let mut source = super::open(&job.read)?;
    let file_name = super::display_name(&job.read.file);
    let at = db.stamp();
    let actor = db.actor.clone();
    let now = db.now;
    let tx = db.begin()?;
    let world = crate::db::facts::load_world(&tx, now)?;
    let mut applier = apply::Applier::new(&tx, job, &file_name, &at, world)?;
    let read = stage(&tx, job, &mut source, &mut applier);
    source.progress.finish_and_clear();
    read?;
    applier.report.lines = source.lines();
    if !job.dry_run {
        let batch = dbi::NewBatch {
            supplier: job.supplier.as_deref(),
            file: &file_name,
            sha256: &sha256,
            at: &at,
            actor: &actor,
        };
        applier.batch = Some(dbi::begin_batch(&tx, &batch)?);
    }
    // With invalid rows and no --skip-invalid nothing will be written: only check.
    applier.write = applier.report.rejected.is_empty() || job.skip_invalid;
    let label = applier.label;
    // About how many ingredient rows the import may add: a label row declares about a dozen.
    let adding = applier.report.rows * if label { 12 } else { 1 };
    let index = if applier.write {
        dbi::suspend_index(&tx, adding)?
    } else {
        None
    };
    dbi::staged_products(&tx, |rows| {
        let rows: Vec<parse::RowDecl> = rows
            .iter()
            .map(|r| serde_json::from_str(r))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| Error::invalid(format!("staged row: {e}")))?;
        applier.product(group::assemble(rows, label))
    })?;
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
    let (written, outcome) = super::conclude(tx, ending, detail)?;
    report.dry_run = job.dry_run;
    report.written = written;
    report.batch = batch.filter(|_| written);
    report.settings_saved = saved && written;
    Ok((report, outcome))
}

/// Reads the file: finds the header, parses every row and stages it.
fn stage(
    conn: &rusqlite::Connection,
    job: &CatalogImport,
    source: &mut super::CsvSource,
    applier: &mut apply::Applier,
) -> Result<()> {
    let report = &mut applier.report;
    report.encoding = source.info.encoding.clone();
    report.delimiter = source.info.delimiter.clone();
    report.file = source.info.file.clone();
    let mut record = csv::StringRecord::new();
    let (map, layout, headers) = header::find(source, &mut record, &job.maps)?;
    let label = layout == header::Layout::Label;
    applier.label = label;
    applier.report.layout = layout.describe();
    let mut mapping: Vec<Mapped> = map
        .columns
        .iter()
        .map(|(field, column)| Mapped {
            field: field.key(),
            column: column + 1,
            header: headers.get(*column).cloned().unwrap_or_default(),
        })
        .collect();
    mapping.sort_by_key(|m| m.column);
    applier.report.mapping = mapping;
    let header_line = super::line_of(&record);
    if !map.ignored.is_empty() {
        applier.warnings.warn(
            header_line,
            "columns-not-used",
            format!("columns not used: {}", few(&map.ignored)),
        );
    }
    if !map.has(Field::Kind) && job.kind.is_none() {
        applier.report.kind_assumed = Some(Kind::Pigment.as_str().into());
        applier.warnings.warn(
            header_line,
            "kind-assumed",
            "the file has no kind column: new products are taken as pigments (give --kind aftercare, anaesthetic or other if they are not)".into(),
        );
    }
    dbi::stage_open(conn)?;
    while super::next_record(source, &mut record)? {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        applier.report.rows += 1;
        let line = super::line_of(&record);
        let cells: Vec<&str> = record.iter().collect();
        let cells = parse::Cells {
            cells: &cells,
            map: &map,
        };
        let (supplier, code) = match parse::product_of(&cells, job.supplier.as_deref()) {
            Ok(found) => found,
            Err(reason) => {
                // A row without a product belongs to no product: it fails on its own.
                applier.report.rejected.push(Rejected { line, reason });
                continue;
            }
        };
        let keys = (
            ident::normalize_name(&supplier),
            crate::db::catalog::code_norm(&code),
        );
        let row = parse::row(&cells, line, supplier, code, label);
        let data =
            serde_json::to_string(&row).map_err(|e| Error::invalid(format!("line {line}: {e}")))?;
        dbi::stage_row(conn, applier.report.rows, &keys.0, &keys.1, &data)?;
    }
    Ok(())
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
fn few(names: &[String]) -> String {
    match names.len() {
        0..=10 => names.join(", "),
        n => format!("{} and {} more", names[..10].join(", "), n - 10),
    }
}
