//! An import's batch (`import history`, `import undo`): the batch row, each change it made in
//! order, what blocks taking it back, and the undo itself.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::{set_lot_expiry, update_product, ProductFields};
use crate::db::{LotId, ProductId};
use crate::error::{Error, Result};

/// What a batch did to one row: `product`, `formulation`, `lot` (added), `product-update` and
/// `lot-expiry` (changed, with the value before).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Product,
    Formulation,
    Lot,
    ProductUpdate,
    LotExpiry,
}

impl Change {
    fn as_str(self) -> &'static str {
        match self {
            Change::Product => "product",
            Change::Formulation => "formulation",
            Change::Lot => "lot",
            Change::ProductUpdate => "product-update",
            Change::LotExpiry => "lot-expiry",
        }
    }
}

pub struct NewBatch<'a> {
    pub supplier: Option<&'a str>,
    pub file: &'a str,
    pub sha256: &'a str,
    pub at: &'a str,
    pub actor: &'a str,
}

pub fn begin_batch(conn: &Connection, b: &NewBatch) -> Result<i64> {
    conn.execute(
        "INSERT INTO import_batches (supplier, file, sha256, at, actor, counts) VALUES (?1, ?2, ?3, ?4, ?5, '{}')",
        params![b.supplier, b.file, b.sha256, b.at, b.actor],
    )?;
    Ok(conn.last_insert_rowid())
}

/// One change of a batch: what was done, to which row, and the value before.
pub type ChangeRecord = (Change, i64, Option<String>);

/// Change records written at most by one statement.
pub const CHANGE_ROWS: usize = 32;

/// Records a batch's changes in their order (`import undo` reverses them), up to
/// `CHANGE_ROWS` a statement: an import records three for each new product.
pub fn record_changes(conn: &Connection, batch: i64, changes: &[ChangeRecord]) -> Result<()> {
    for chunk in changes.chunks(CHANGE_ROWS) {
        let sql = format!(
            "INSERT INTO import_batch_changes (batch_id, change, row_id, before) VALUES {}",
            vec!["(?, ?, ?, ?)"; chunk.len()].join(", ")
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        for (k, (change, row, before)) in chunk.iter().enumerate() {
            let at = k * 4;
            stmt.raw_bind_parameter(at + 1, batch)?;
            stmt.raw_bind_parameter(at + 2, change.as_str())?;
            stmt.raw_bind_parameter(at + 3, row)?;
            stmt.raw_bind_parameter(at + 4, before.as_deref())?;
        }
        stmt.raw_execute()?;
    }
    Ok(())
}

pub fn set_batch_counts(conn: &Connection, batch: i64, counts: &str) -> Result<()> {
    conn.execute(
        "UPDATE import_batches SET counts = ?2 WHERE id = ?1",
        params![batch, counts],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct BatchRow {
    pub id: i64,
    pub supplier: Option<String>,
    pub file: String,
    pub sha256: String,
    pub at: String,
    pub actor: String,
    pub counts: serde_json::Value,
    pub undone_at: Option<String>,
}

pub fn batches(conn: &Connection) -> Result<Vec<BatchRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, supplier, file, sha256, at, actor, counts, undone_at FROM import_batches ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| {
        let counts: String = r.get(6)?;
        Ok(BatchRow {
            id: r.get(0)?,
            supplier: r.get(1)?,
            file: r.get(2)?,
            sha256: r.get(3)?,
            at: r.get(4)?,
            actor: r.get(5)?,
            counts: serde_json::from_str(&counts).unwrap_or(serde_json::Value::Null),
            undone_at: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn batch(conn: &Connection, id: i64) -> Result<Option<BatchRow>> {
    Ok(batches(conn)?.into_iter().find(|b| b.id == id))
}

/// What points at the rows a batch added (patch tests, treatments, flags, recalls, later lots
/// and formulations, later imports of the same products): one line each, for the refusal.
pub fn undo_blockers(conn: &Connection, batch: i64) -> Result<Vec<String>> {
    let sql = "
      WITH added(change, id) AS (SELECT change, row_id FROM import_batch_changes WHERE batch_id = ?1),
      -- The products each batch touched: added or changed, or through its formulations and lots.
      batch_products(batch_id, product) AS (
        SELECT c.batch_id, CASE
                 WHEN c.change IN ('product', 'product-update') THEN c.row_id
                 WHEN c.change = 'formulation' THEN (SELECT product_id FROM formulations WHERE id = c.row_id)
                 ELSE (SELECT product_id FROM lots WHERE id = c.row_id) END
          FROM import_batch_changes c WHERE c.batch_id >= ?1)
      SELECT 'patch test #' || pt.test_id || ' item ' || pt.item || ' uses product ' || p.code
        FROM patch_test_items pt JOIN products p ON p.id = pt.product_id
       WHERE pt.product_id IN (SELECT id FROM added WHERE change = 'product')
      UNION ALL
      SELECT 'patch test #' || pt.test_id || ' item ' || pt.item || ' uses a formulation of ' || p.code
        FROM patch_test_items pt JOIN formulations f ON f.id = pt.formulation_id JOIN products p ON p.id = f.product_id
       WHERE pt.formulation_id IN (SELECT id FROM added WHERE change = 'formulation')
      UNION ALL
      SELECT 'patch test #' || pt.test_id || ' item ' || pt.item || ' uses lot ' || l.lot || ' of ' || p.code
        FROM patch_test_items pt JOIN lots l ON l.id = pt.lot_id JOIN products p ON p.id = l.product_id
       WHERE pt.lot_id IN (SELECT id FROM added WHERE change = 'lot')
      UNION ALL
      SELECT 'treatment #' || ti.treatment_id || ' used lot ' || l.lot || ' of ' || p.code
        FROM treatment_items ti JOIN lots l ON l.id = ti.lot_id JOIN products p ON p.id = l.product_id
       WHERE ti.lot_id IN (SELECT id FROM added WHERE change = 'lot')
      UNION ALL
      SELECT 'lot ' || l.lot || ' of ' || p.code || ' is flagged'
        FROM lot_flags lf JOIN lots l ON l.id = lf.lot_id JOIN products p ON p.id = l.product_id
       WHERE lf.lot_id IN (SELECT id FROM added WHERE change = 'lot')
      UNION ALL
      SELECT 'sensitivity #' || s.id || ' names a formulation of ' || p.code
        FROM sensitivities s JOIN formulations f ON f.id = s.formulation_id JOIN products p ON p.id = f.product_id
       WHERE s.formulation_id IN (SELECT id FROM added WHERE change = 'formulation')
      UNION ALL
      SELECT 'lot ' || l.lot || ' of ' || p.code || ' (added later) belongs to a formulation this import added'
        FROM lots l JOIN products p ON p.id = l.product_id
       WHERE l.formulation_id IN (SELECT id FROM added WHERE change = 'formulation')
         AND l.id NOT IN (SELECT id FROM added WHERE change = 'lot')
      UNION ALL
      SELECT 'formulation ' || f.version || ' of ' || p.code || ' (imported later) belongs to a product this import added'
        FROM formulations f JOIN products p ON p.id = f.product_id
       WHERE f.product_id IN (SELECT id FROM added WHERE change = 'product')
         AND f.id NOT IN (SELECT id FROM added WHERE change = 'formulation')
      UNION ALL
      SELECT 'recall #' || rm.recall_id || ' names lot ' || l.lot || ' of ' || p.code
        FROM recall_matches rm JOIN lots l ON l.id = rm.lot_id JOIN products p ON p.id = l.product_id
       WHERE rm.lot_id IN (SELECT id FROM added WHERE change = 'lot')
      UNION ALL
      SELECT DISTINCT 'batch ' || later.batch_id || ' (imported later) changed product ' || p.code
        FROM batch_products later JOIN products p ON p.id = later.product
       WHERE later.batch_id > ?1
         AND later.batch_id IN (SELECT id FROM import_batches WHERE undone_at IS NULL)
         AND later.product IN (SELECT product FROM batch_products WHERE batch_id = ?1)";
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([batch], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Takes back what a batch did, newest change first; marks it undone. Counts of what was removed.
pub fn undo_batch(conn: &Connection, batch: i64, at: &str, actor: &str) -> Result<UndoCounts> {
    let changes: Vec<(String, i64, Option<String>)> = conn
        .prepare("SELECT change, row_id, before FROM import_batch_changes WHERE batch_id = ?1 ORDER BY rowid DESC")?
        .query_map([batch], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    let mut counts = UndoCounts::default();
    for (change, id, before) in changes {
        match change.as_str() {
            "lot" => {
                conn.execute("DELETE FROM lots WHERE id = ?1", [id])?;
                counts.lots += 1;
            }
            "formulation" => {
                conn.execute("DELETE FROM ingredients WHERE formulation_id = ?1", [id])?;
                conn.execute("DELETE FROM formulations WHERE id = ?1", [id])?;
                counts.formulations += 1;
            }
            "product" => {
                conn.execute("DELETE FROM products WHERE id = ?1", [id])?;
                counts.products += 1;
            }
            "product-update" => {
                let fields: ProductFields = serde_json::from_str(before.as_deref().unwrap_or(""))
                    .map_err(|e| {
                    Error::invalid(format!("batch {batch}: unreadable change: {e}"))
                })?;
                update_product(conn, ProductId(id), &fields)?;
                counts.restored += 1;
            }
            "lot-expiry" => {
                set_lot_expiry(conn, LotId(id), before.as_deref())?;
                counts.restored += 1;
            }
            other => {
                return Err(Error::invalid(format!(
                    "batch {batch}: unknown change {other:?}"
                )))
            }
        }
    }
    conn.execute(
        "UPDATE import_batches SET undone_at = ?2, undone_by = ?3 WHERE id = ?1",
        params![batch, at, actor],
    )?;
    Ok(counts)
}

#[derive(Debug, Default, Clone, Serialize)]
pub struct UndoCounts {
    pub products: usize,
    pub formulations: usize,
    pub lots: usize,
    /// Product fields and lot expiry dates put back as they were.
    pub restored: usize,
}
