//! The read stage of `import catalog`: the header found and reported, then every row parsed
//! into a declaration keyed by its product and handed on. Where the rows go is the caller's
//! choice: straight to the applier when the file's products stand together in key order
//! (`Stream`), else into the staging table (see `super::run`).

use super::apply::Applier;
use super::report::{Mapped, Rejected};
use super::{group, header, parse, CatalogImport};
use crate::db::catalog::Kind;
use crate::error::Result;
use crate::ident;

use super::super::headers::Field;

/// A product's key: its supplier and code, normalised (the staging table's order).
pub type Key = (String, String);

/// Whether the reading went to the end or stopped for the staged path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    Done,
    /// The rows cannot be applied as they come: read the file again through the stage.
    Restage,
}

/// Reads the file: finds the header, parses every row and hands it to `each` with its key.
/// `each` returning `false`, or a row without a product when `stop_on_reject`, stops the
/// reading with `Read::Restage`.
pub fn rows(
    job: &CatalogImport,
    source: &mut super::super::CsvSource,
    applier: &mut Applier,
    stop_on_reject: bool,
    mut each: impl FnMut(&mut Applier, Key, parse::RowDecl) -> Result<bool>,
) -> Result<Read> {
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
    let header_line = super::super::line_of(&record);
    if !map.ignored.is_empty() {
        applier.warnings.warn(
            header_line,
            "columns-not-used",
            format!("columns not used: {}", super::few(&map.ignored)),
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
    // The previous row's key, by the raw cells: the rows of a product repeat its supplier and
    // code, so their keys are normalised once per product, not once per row.
    let mut last: Option<(String, String, Key)> = None;
    while super::super::next_record(source, &mut record)? {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        applier.report.rows += 1;
        let line = super::super::line_of(&record);
        let cells: Vec<&str> = record.iter().collect();
        let row = parse::Cells {
            cells: &cells,
            map: &map,
        };
        let (supplier, code) = match parse::product_of(&row, job.supplier.as_deref()) {
            Ok(found) => found,
            Err(reason) => {
                // A row without a product belongs to no product: it fails on its own.
                applier.report.rejected.push(Rejected { line, reason });
                if stop_on_reject {
                    return Ok(Read::Restage);
                }
                continue;
            }
        };
        let key = match &last {
            Some((s, c, key)) if *s == supplier && *c == code => key.clone(),
            _ => {
                let key = (
                    ident::normalize_name(&supplier),
                    crate::db::catalog::code_norm(&code),
                );
                last = Some((supplier.clone(), code.clone(), key.clone()));
                key
            }
        };
        let decl = parse::row(&row, line, (supplier, code), label, &mut applier.memo);
        if !each(applier, key, decl)? {
            return Ok(Read::Restage);
        }
    }
    Ok(Read::Done)
}

/// Applies products as their rows come, for a file whose products stand together in the
/// order of their keys: then the order of application is the staged path's, and so is every
/// id, count and warning. Says `false` (read again through the stage) at the first row out of
/// that order, or at the first rejected product when rejected rows stop the import.
#[derive(Default)]
pub struct Stream {
    key: Option<Key>,
    rows: Vec<parse::RowDecl>,
}

impl Stream {
    pub fn push(&mut self, applier: &mut Applier, key: Key, row: parse::RowDecl) -> Result<bool> {
        match &self.key {
            Some(k) if *k == key => {
                self.rows.push(row);
                return Ok(true);
            }
            Some(k) if *k > key => return Ok(false),
            _ => {}
        }
        if !self.flush(applier)? {
            return Ok(false);
        }
        self.key = Some(key);
        self.rows.push(row);
        Ok(true)
    }

    /// Applies the product whose rows are held.
    pub fn flush(&mut self, applier: &mut Applier) -> Result<bool> {
        if self.rows.is_empty() {
            return Ok(true);
        }
        let rows = std::mem::take(&mut self.rows);
        applier.product(group::assemble(rows, applier.label))?;
        Ok(applier.job.skip_invalid || applier.report.rejected.is_empty())
    }
}
