//! `export catalog`: the current catalog as one-row-per-ingredient CSV that `import catalog`
//! reads back to the same catalog: the declared names, numbers and concentrations as imported,
//! a supplier column, and one row per lot of the current formulation.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use crate::cli::ExportCommand;
use crate::db::catalog as cat;
use crate::db::Db;
use crate::error::{Error, Result};
use crate::output::Output;

use super::Exit;

pub const HEADERS: [&str; 14] = [
    "supplier",
    "code",
    "name",
    "shade",
    "kind",
    "ingredient",
    "cas",
    "ec",
    "ci",
    "concentration",
    "function",
    "may_contain",
    "lot",
    "expiry",
];

pub fn run(db: &mut Db, _out: &Output, command: ExportCommand) -> Result<Exit> {
    let ExportCommand::Catalog {
        supplier,
        output,
        force,
    } = command;
    let supplier = supplier
        .map(|s| super::product::resolve_supplier(db, &s))
        .transpose()?;
    let result = match &output {
        Some(path) => {
            crate::files::check_target(path, force, &db.path)?;
            // Written beside the target and renamed into place when complete.
            let partial = crate::files::Partial::beside(path);
            let file = File::create(&partial.path).map_err(|source| Error::Io {
                path: path.clone(),
                source,
            })?;
            let mut buffered = BufWriter::new(file);
            let rows = write(db, supplier, &mut buffered).map_err(|e| io_to(e, path.clone()))?;
            buffered
                .into_inner()
                .map_err(|e| e.into_error())
                .and_then(|f| f.sync_all())
                .map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                })?;
            partial.finish().map(|()| rows)
        }
        None => write(db, supplier, io::stdout().lock())
            .map_err(|e| io_to(e, PathBuf::from("standard output"))),
    };
    let rows = result?;
    if let Some(path) = output {
        super::note(format!("wrote {rows} rows to {}", path.display()));
    }
    Ok(0)
}

fn io_to(e: ExportError, path: PathBuf) -> Error {
    match e {
        ExportError::Io(source) => Error::Io { path, source },
        ExportError::Db(e) => e,
    }
}

enum ExportError {
    Io(io::Error),
    Db(Error),
}

impl From<csv::Error> for ExportError {
    fn from(e: csv::Error) -> Self {
        ExportError::Io(e.into())
    }
}

impl From<Error> for ExportError {
    fn from(e: Error) -> Self {
        ExportError::Db(e)
    }
}

impl From<rusqlite::Error> for ExportError {
    fn from(e: rusqlite::Error) -> Self {
        ExportError::Db(e.into())
    }
}

fn write(db: &Db, supplier: Option<i64>, out: impl Write) -> Result<usize, ExportError> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADERS)?;
    let mut rows = 0;
    for p in cat::all_products(&db.conn)? {
        let sid = crate::db::product_list::supplier_of(&db.conn, p.id)?;
        if supplier.is_some_and(|s| s != sid) {
            continue;
        }
        let Some((fid, _, _)) = cat::current_formulation(&db.conn, p.id)? else {
            continue;
        };
        let head = [
            p.supplier.clone(),
            p.code.clone(),
            p.name.clone(),
            p.shade.clone().unwrap_or_default(),
            p.kind.as_str().to_string(),
        ];
        let mut last_position = None;
        for i in cat::ingredients(&db.conn, fid)? {
            // A declaration of several substances is one row, as it was declared.
            if last_position == Some(i.position) {
                continue;
            }
            last_position = Some(i.position);
            let mut record = head.to_vec();
            record.extend([
                i.name_as_declared,
                i.declared_cas.unwrap_or_default(),
                i.declared_ec.unwrap_or_default(),
                i.declared_ci.unwrap_or_default(),
                i.concentration_text.unwrap_or_default(),
                i.function.unwrap_or_default(),
                if i.may_contain {
                    "yes".into()
                } else {
                    String::new()
                },
                String::new(),
                String::new(),
            ]);
            w.write_record(&record)?;
            rows += 1;
        }
        for l in cat::lots(&db.conn, p.id)? {
            let current: i64 = cat::formulation_version(&db.conn, fid)?;
            if l.formulation != current {
                continue;
            }
            let mut record = head.to_vec();
            record.extend(std::iter::repeat_n(String::new(), 7));
            record.extend([l.lot, l.expires.unwrap_or_default()]);
            w.write_record(&record)?;
            rows += 1;
        }
    }
    w.flush().map_err(ExportError::Io)?;
    Ok(rows)
}
