//! The foreign keys of an import, checked at once: an import turns SQLite's row-by-row
//! enforcement off for its load (`enforce_references`) and, before it commits, checks every
//! reference it wrote with one query per reference over its distinct values
//! (`Marks::check_references`).

use rusqlite::{Connection, OptionalExtension};

use crate::error::{Error, Result};

/// Whether SQLite enforces foreign keys row by row on this connection. Only outside a
/// transaction (inside one SQLite ignores the pragma): an import turns it off before it begins
/// and checks what it wrote with `Marks::check_references` before it commits.
pub fn enforce_references(conn: &Connection, on: bool) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", on)?;
    Ok(())
}

/// The references an import writes, as (table, column, parent table): every foreign key of the
/// tables it adds rows to (a test holds this list to the schema's).
const REFERENCES: [(&str, &str, &str); 9] = [
    ("products", "supplier_id", "suppliers"),
    ("formulations", "product_id", "products"),
    ("ingredients", "formulation_id", "formulations"),
    ("ingredients", "substance_id", "substances"),
    ("lots", "product_id", "products"),
    ("lots", "formulation_id", "formulations"),
    ("identifiers", "substance_id", "substances"),
    ("substances", "merged_into", "substances"),
    ("import_batch_changes", "batch_id", "import_batches"),
];

/// The tables without rowid an import writes: checked whole (they are small).
const CHECKED_WHOLE: [&str; 1] = ["group_members"];

/// The last row of each table an import adds rows to, taken when it begins: the rows after
/// these marks are the ones it wrote.
pub struct Marks(Vec<(&'static str, i64)>);

impl Marks {
    pub fn take(conn: &Connection) -> Result<Marks> {
        let mut tables: Vec<&'static str> = REFERENCES.iter().map(|r| r.0).collect();
        tables.dedup();
        let mut marks = Vec::with_capacity(tables.len());
        for table in tables {
            marks.push((table, last_row(conn, table)?));
        }
        Ok(Marks(marks))
    }

    /// One set-based check that every reference written since the marks exists: the
    /// import's foreign keys, checked at once instead of row by row, and once per distinct
    /// value (an import writes 220,000 ingredient rows but names some 13,000 substances). When
    /// most of a table is new (a first large import), the distinct values come from a
    /// covering index, in order, so that each parent is looked up page after page; else only
    /// the new rows are read (`NOT INDEXED`: by rowid, from the mark), so that a small import
    /// into a large catalog does not read the whole index. An `Err` names the first value that
    /// points at nothing (the import must then roll back).
    pub fn check_references(&self, conn: &Connection) -> Result<()> {
        for (table, mark) in &self.0 {
            let newest = last_row(conn, table)?;
            if newest <= *mark {
                continue;
            }
            let source = if (newest - mark) * 2 > newest {
                table.to_string()
            } else {
                format!("{table} NOT INDEXED")
            };
            for (_, column, parent) in REFERENCES.iter().filter(|r| r.0 == *table) {
                let sql = format!(
                    "SELECT quote(v) FROM (SELECT DISTINCT {column} AS v FROM {source} WHERE rowid > ?1)
                     WHERE v IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = v)
                     LIMIT 1"
                );
                let value: Option<String> =
                    conn.query_row(&sql, [mark], |r| r.get(0)).optional()?;
                if let Some(value) = value {
                    return Err(Error::invalid_with_hint(
                        format!("the import would leave {table} rows pointing at {parent} id {value} ({table}.{column}), which does not exist: nothing was written"),
                        "this is a fault of inkguard, not of the file: report it with the file",
                    ));
                }
            }
        }
        for table in CHECKED_WHOLE {
            let sql = format!("PRAGMA foreign_key_check({table})");
            let missing: Option<(String, String)> = conn
                .query_row(&sql, [], |r| Ok((r.get(0)?, r.get(2)?)))
                .optional()?;
            if let Some((table, parent)) = missing {
                return Err(Error::invalid_with_hint(
                    format!("the import would leave a row of {table} pointing at a missing row of {parent}: nothing was written"),
                    "this is a fault of inkguard, not of the file: report it with the file",
                ));
            }
        }
        Ok(())
    }
}

/// The rowid of a table's last row (0 when it has none).
fn last_row(conn: &Connection, table: &str) -> Result<i64> {
    let sql = format!("SELECT ifnull(max(rowid), 0) FROM {table}");
    Ok(conn.query_row(&sql, [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_check_covers_every_foreign_key_of_the_tables_an_import_writes() {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) =
            crate::db::Db::init(&dir.path().join("t.db"), "t".into(), chrono::Utc::now()).unwrap();
        let mut tables: Vec<&str> = REFERENCES.iter().map(|r| r.0).collect();
        tables.dedup();
        for table in tables {
            let mut stmt = db
                .conn
                .prepare("SELECT \"table\", \"from\", ifnull(\"to\", 'id') FROM pragma_foreign_key_list(?1)")
                .unwrap();
            let keys: Vec<(String, String, String)> = stmt
                .query_map([table], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            for (parent, column, to) in keys {
                assert_eq!(to, "id", "{table}.{column}");
                assert!(
                    REFERENCES.contains(&(table, column.as_str(), parent.as_str())),
                    "{table}.{column} -> {parent} is not checked"
                );
            }
        }
    }

    #[test]
    fn a_reference_to_a_missing_row_fails_the_check_and_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) =
            crate::db::Db::init(&dir.path().join("t.db"), "t".into(), chrono::Utc::now()).unwrap();
        enforce_references(&db.conn, false).unwrap();
        let marks = Marks::take(&db.conn).unwrap();
        marks.check_references(&db.conn).unwrap();
        let substance: i64 = db
            .conn
            .query_row("SELECT min(id) FROM substances", [], |r| r.get(0))
            .unwrap();
        db.conn
            .execute(
                "INSERT INTO ingredients (formulation_id, position, name_as_declared, substance_id)
                 VALUES (4242, 1, 'Aqua', ?1)",
                [substance],
            )
            .unwrap();
        let err = marks.check_references(&db.conn).unwrap_err().to_string();
        assert!(err.contains("ingredients rows"), "{err}");
        assert!(err.contains("formulations id 4242"), "{err}");
        assert!(err.contains("ingredients.formulation_id"), "{err}");
        // Rows from before the marks are not the import's to answer for.
        Marks::take(&db.conn)
            .unwrap()
            .check_references(&db.conn)
            .unwrap();
    }

    /// A few new rows after many old ones are read by rowid from the mark (not the whole
    /// index), and a value that is not even a number is named as it is.
    #[test]
    fn a_small_import_into_a_large_table_is_checked_and_names_any_value() {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) =
            crate::db::Db::init(&dir.path().join("t.db"), "t".into(), chrono::Utc::now()).unwrap();
        enforce_references(&db.conn, false).unwrap();
        let add = |formulation: &str| {
            db.conn
                .execute(
                    &format!(
                        "INSERT INTO ingredients (formulation_id, position, name_as_declared, substance_id)
                         VALUES ({formulation}, 1, 'Aqua', (SELECT min(id) FROM substances))"
                    ),
                    [],
                )
                .unwrap();
        };
        for _ in 0..10 {
            add("4242"); // before the marks: not this import's
        }
        let marks = Marks::take(&db.conn).unwrap();
        marks.check_references(&db.conn).unwrap();
        add("'x'");
        let err = marks.check_references(&db.conn).unwrap_err().to_string();
        assert!(err.contains("formulations id 'x'"), "{err}");
    }
}
