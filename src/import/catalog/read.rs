//! The read stage of `import catalog`: the header found and reported, then every row parsed
//! into a declaration keyed by its product. Where the rows go is the caller's choice: grouped
//! into products as they come when the file's products stand together in key order
//! (`Group`, on a thread of its own beside the writer), else into the staging table (see
//! `super::run`). Nothing here touches the database.

use super::apply::Applier;
use super::group::{self, ProductDecl};
use super::memo::Memo;
use super::report::{Mapped, Rejected};
use super::{header, parse, CatalogImport};
use crate::db::catalog::Kind;
use crate::error::Result;
use crate::ident;

use super::super::headers::{ColumnMap, Field};
use super::super::CsvSource;

/// A product's key: its supplier and code, normalised (the staging table's order).
pub type Key = (String, String);

/// What the header says, for the report: found before any row is read.
#[derive(Debug)]
pub struct Header {
    encoding: String,
    delimiter: String,
    file: String,
    layout: &'static str,
    label: bool,
    mapping: Vec<Mapped>,
    kind_assumed: bool,
    /// Warnings about the header: (line, kind, message).
    warnings: Vec<(u64, &'static str, String)>,
}

impl Header {
    /// Fills in the report and the warnings the header gives (before any product's).
    pub fn apply(self, applier: &mut Applier) {
        let report = &mut applier.report;
        report.encoding = self.encoding;
        report.delimiter = self.delimiter;
        report.file = self.file;
        report.layout = self.layout;
        report.mapping = self.mapping;
        if self.kind_assumed {
            report.kind_assumed = Some(Kind::Pigment.as_str().into());
        }
        applier.label = self.label;
        for (line, kind, message) in self.warnings {
            applier.warnings.warn(line, kind, message);
        }
    }
}

/// One row read: a product's row with its key, or a row that belongs to no product.
// Unboxed: every row is one of these, moved once; a box would be an allocation per row.
#[allow(clippy::large_enum_variant)]
pub enum Row {
    Of(Key, parse::RowDecl),
    Rejected(Rejected),
}

/// Reads a file's rows after its header, one at a time.
pub struct Reader<'j> {
    job: &'j CatalogImport,
    map: ColumnMap,
    pub label: bool,
    record: csv::StringRecord,
    memo: Memo,
    /// The previous row's key, by the raw cells: the rows of a product repeat its supplier and
    /// code, so their keys are normalised once per product, not once per row.
    last: Option<(String, String, Key)>,
    /// Rows read (not counting blank ones).
    pub rows: u64,
}

impl<'j> Reader<'j> {
    /// Finds the header: the reader of the rows after it, and what it says for the report.
    pub fn start(job: &'j CatalogImport, source: &mut CsvSource) -> Result<(Self, Header)> {
        let mut record = csv::StringRecord::new();
        let (map, layout, headers) = header::find(source, &mut record, &job.maps)?;
        let label = layout == header::Layout::Label;
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
        let header_line = super::super::line_of(&record);
        let mut warnings = Vec::new();
        if !map.ignored.is_empty() {
            warnings.push((
                header_line,
                "columns-not-used",
                format!("columns not used: {}", super::few(&map.ignored)),
            ));
        }
        let kind_assumed = !map.has(Field::Kind) && job.kind.is_none();
        if kind_assumed {
            warnings.push((
                header_line,
                "kind-assumed",
                "the file has no kind column: new products are taken as pigments (give --kind aftercare, anaesthetic or other if they are not)".into(),
            ));
        }
        let header = Header {
            encoding: source.info.encoding.clone(),
            delimiter: source.info.delimiter.clone(),
            file: source.info.file.clone(),
            layout: layout.describe(),
            label,
            mapping,
            kind_assumed,
            warnings,
        };
        let reader = Reader {
            job,
            map,
            label,
            record,
            memo: Memo::default(),
            last: None,
            rows: 0,
        };
        Ok((reader, header))
    }

    /// The next row, parsed; `None` at the end of the file.
    pub fn next(&mut self, source: &mut CsvSource) -> Result<Option<Row>> {
        loop {
            if !super::super::next_record(source, &mut self.record)? {
                return Ok(None);
            }
            if self.record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            self.rows += 1;
            let line = super::super::line_of(&self.record);
            let cells: Vec<&str> = self.record.iter().collect();
            let row = parse::Cells {
                cells: &cells,
                map: &self.map,
            };
            let (supplier, code) = match parse::product_of(&row, self.job.supplier.as_deref()) {
                Ok(found) => found,
                // A row without a product belongs to no product: it fails on its own.
                Err(reason) => return Ok(Some(Row::Rejected(Rejected { line, reason }))),
            };
            let key = match &self.last {
                Some((s, c, key)) if *s == supplier && *c == code => key.clone(),
                _ => {
                    let key = (
                        ident::normalize_name(&supplier),
                        crate::db::catalog::code_norm(&code),
                    );
                    self.last = Some((supplier.clone(), code.clone(), key.clone()));
                    key
                }
            };
            let decl = parse::row(&row, line, (supplier, code), self.label, &mut self.memo);
            return Ok(Some(Row::Of(key, decl)));
        }
    }
}

/// What `Group::push` did with a row.
// Unboxed: a product is moved once from here to the writer.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Grouped {
    /// The row belongs to the product being gathered.
    Held,
    /// The row starts the next product: the one before it is complete.
    Complete(ProductDecl),
    /// The row's product comes before the one being gathered: the file's products do not
    /// stand together in key order, and it must be read through the stage.
    OutOfOrder,
}

/// Gathers products as their rows come, for a file whose products stand together in the
/// order of their keys: then the order in which they complete is the staged path's, and so is
/// every id, count and warning of the import.
pub struct Group {
    label: bool,
    key: Option<Key>,
    rows: Vec<parse::RowDecl>,
}

impl Group {
    pub fn new(label: bool) -> Self {
        Group {
            label,
            key: None,
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, key: Key, row: parse::RowDecl) -> Grouped {
        match &self.key {
            Some(k) if *k == key => {
                self.rows.push(row);
                return Grouped::Held;
            }
            Some(k) if *k > key => return Grouped::OutOfOrder,
            _ => {}
        }
        let done = self.finish();
        self.key = Some(key);
        self.rows.push(row);
        done.map_or(Grouped::Held, Grouped::Complete)
    }

    /// The product whose rows are held, complete (at the end of the file).
    pub fn finish(&mut self) -> Option<ProductDecl> {
        (!self.rows.is_empty()).then(|| group::assemble(std::mem::take(&mut self.rows), self.label))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, code: &str) -> (Key, parse::RowDecl) {
        let decl = parse::RowDecl {
            line,
            supplier: "S".into(),
            code: code.into(),
            items: vec![parse::ItemDecl {
                name: "Aqua".into(),
                cas: vec![],
                ec: vec![],
                ci: vec![],
                concentration: None,
                function: None,
                may_contain: false,
            }],
            ..parse::RowDecl::default()
        };
        (("s".into(), code.to_lowercase()), decl)
    }

    #[test]
    fn products_complete_when_the_next_key_begins_and_at_the_end() {
        let mut g = Group::new(false);
        let (k, r) = row(2, "A");
        assert!(matches!(g.push(k, r), Grouped::Held));
        let (k, r) = row(3, "A");
        assert!(matches!(g.push(k, r), Grouped::Held));
        let (k, r) = row(4, "B");
        match g.push(k, r) {
            Grouped::Complete(p) => assert_eq!((p.code.as_str(), p.items.len()), ("A", 2)),
            other => panic!("{other:?}"),
        }
        assert_eq!(g.finish().map(|p| p.code), Some("B".into()));
        assert!(g.finish().is_none());
    }

    #[test]
    fn a_key_that_comes_back_or_goes_back_is_out_of_order() {
        let mut g = Group::new(false);
        for (line, code) in [(2, "B"), (3, "C")] {
            let (k, r) = row(line, code);
            g.push(k, r);
        }
        let (k, r) = row(4, "A");
        assert!(matches!(g.push(k, r), Grouped::OutOfOrder));
        let (k, r) = row(5, "B");
        assert!(matches!(g.push(k, r), Grouped::OutOfOrder));
    }
}
