//! The writes of `import catalog`, its staging tables, its batches (`import history`, `import
//! undo`) and the per-supplier settings (`--save-map`). Nothing in `src/import/` writes SQL.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ident;

use super::catalog::{code_norm, Kind};

/// The staging table (ordered by its key, so that reading it back needs no sort): one row per parsed file row, in file order, keyed by product, so that a
/// product's rows may stand anywhere and memory stays flat.
pub fn stage_open(conn: &Connection) -> Result<()> {
    // On disk (SQLite's temporary file), not in memory: a file of any length stays flat.
    conn.pragma_update(None, "temp_store", "FILE")?;
    conn.pragma_update(Some("temp"), "cache_size", -2048)?;
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS import_rows (
             supplier TEXT NOT NULL, code TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
             PRIMARY KEY (supplier, code, seq)) WITHOUT ROWID;
         DELETE FROM temp.import_rows;",
    )?;
    Ok(())
}

/// Stages a row; `seq` keeps the file's order within a product.
pub fn stage_row(
    conn: &Connection,
    seq: u64,
    supplier_norm: &str,
    code_norm: &str,
    data: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO temp.import_rows (supplier, code, seq, data) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![supplier_norm, code_norm, seq as i64, data])?;
    Ok(())
}

/// Calls `each` with the staged rows of one product at a time (in file order), products in
/// the order of their keys: the same order however the file's rows are arranged.
pub fn staged_products(
    conn: &Connection,
    mut each: impl FnMut(Vec<String>) -> Result<()>,
) -> Result<()> {
    let mut stmt = conn.prepare(
        "SELECT supplier, code, data FROM temp.import_rows ORDER BY supplier, code, seq",
    )?;
    let mut rows = stmt.query([])?;
    let mut key: Option<(String, String)> = None;
    let mut group: Vec<String> = Vec::new();
    while let Some(row) = rows.next()? {
        let k: (String, String) = (row.get(0)?, row.get(1)?);
        if key.as_ref() != Some(&k) {
            if !group.is_empty() {
                each(std::mem::take(&mut group))?;
            }
            key = Some(k);
        }
        group.push(row.get(2)?);
    }
    if !group.is_empty() {
        each(group)?;
    }
    conn.execute_batch("DELETE FROM temp.import_rows")?;
    Ok(())
}

/// The index of ingredients by substance (for the safe list) costs an import a random insert
/// into a second B-tree per ingredient row; building it once after the rows are in costs a
/// fraction of that. An import that adds many rows compared with those already held drops it
/// here and `restore_index` builds it again, inside the import's transaction (a rollback
/// brings it back as it was). Returns the index's SQL when it was dropped.
pub fn suspend_index(conn: &Connection, adding: u64) -> Result<Option<String>> {
    const INDEX: &str = "ingredients_by_substance";
    let held: i64 = conn.query_row("SELECT ifnull(max(rowid), 0) FROM ingredients", [], |r| {
        r.get(0)
    })?;
    if adding < 20_000 || (adding as i64) < held / 2 {
        return Ok(None);
    }
    let sql: Option<String> = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?1",
            [INDEX],
            |r| r.get(0),
        )
        .optional()?;
    if sql.is_some() {
        conn.execute_batch(&format!("DROP INDEX {INDEX}"))?;
    }
    Ok(sql)
}

/// Builds the index `suspend_index` dropped, with the very SQL it had.
pub fn restore_index(conn: &Connection, sql: Option<String>) -> Result<()> {
    if let Some(sql) = sql {
        conn.execute_batch(&sql)?;
    }
    Ok(())
}

/// SQLite's page cache for an import's connection: 2 MiB (SQLite's default) instead of the
/// 32 MiB a reader is given. An import appends; what it revisits are the upper levels of the
/// trees it writes and looks products up in. Measured on 20,000 products: the same CPU time
/// as with 32 MiB (1.5 s), 30 MiB less peak memory.
pub fn import_page_cache(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "cache_size", -2048)?;
    Ok(())
}

pub fn insert_product(
    conn: &Connection,
    supplier: i64,
    code: &str,
    name: &str,
    shade: Option<&str>,
    kind: Kind,
    at: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO products (supplier_id, code, code_norm, name, name_norm, shade, kind, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        supplier,
        code,
        code_norm(code),
        name,
        ident::normalize_name(name),
        shade,
        kind.as_str(),
        at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A product's name, shade and kind (as before an import changed them, for undo).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ProductFields {
    pub name: String,
    pub shade: Option<String>,
    pub kind: Kind,
}

pub fn update_product(conn: &Connection, id: super::ProductId, f: &ProductFields) -> Result<()> {
    conn.prepare_cached(
        "UPDATE products SET name = ?2, name_norm = ?3, shade = ?4, kind = ?5 WHERE id = ?1",
    )?
    .execute(params![
        id,
        f.name,
        ident::normalize_name(&f.name),
        f.shade,
        f.kind.as_str()
    ])?;
    Ok(())
}

/// Writes a formulation; `empty` when it declares no ingredient row (`formulations.empty`).
pub fn insert_formulation(
    conn: &Connection,
    product: super::ProductId,
    version: i64,
    fingerprint: &str,
    at: &str,
    source: &str,
    empty: bool,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO formulations (product_id, version, fingerprint, imported_at, source, empty)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![product, version, fingerprint, at, source, empty])?;
    Ok(conn.last_insert_rowid())
}

/// One ingredient row to write.
pub struct IngredientInsert<'a> {
    pub position: i64,
    pub name: &'a str,
    pub substance: super::SubstanceId,
    pub concentration_text: Option<&'a str>,
    pub min_percent: Option<f64>,
    pub max_percent: Option<f64>,
    pub function: Option<&'a str>,
    pub may_contain: bool,
    pub cas: Option<&'a str>,
    pub ec: Option<&'a str>,
    pub ci: Option<&'a str>,
    pub doubt: Option<&'a str>,
}

const COLUMNS: usize = 13;
const ROWS: usize = 16;

fn ingredient_sql(n: usize) -> String {
    let one = format!("({})", ["?"; COLUMNS].join(", "));
    format!(
        "INSERT INTO ingredients (formulation_id, position, name_as_declared, substance_id,
           concentration_text, min_percent, max_percent, function, may_contain,
           declared_cas, declared_ec, declared_ci, doubt) VALUES {}",
        vec![one.as_str(); n].join(", ")
    )
}

/// Writes a formulation's ingredients, up to 16 rows a statement.
pub fn insert_ingredients(
    conn: &Connection,
    formulation: super::FormulationId,
    rows: &[IngredientInsert],
) -> Result<()> {
    for chunk in rows.chunks(ROWS) {
        let mut stmt = conn.prepare_cached(&ingredient_sql(chunk.len()))?;
        for (k, i) in chunk.iter().enumerate() {
            let at = k * COLUMNS;
            stmt.raw_bind_parameter(at + 1, formulation)?;
            stmt.raw_bind_parameter(at + 2, i.position)?;
            stmt.raw_bind_parameter(at + 3, i.name)?;
            stmt.raw_bind_parameter(at + 4, i.substance)?;
            stmt.raw_bind_parameter(at + 5, i.concentration_text)?;
            stmt.raw_bind_parameter(at + 6, i.min_percent)?;
            stmt.raw_bind_parameter(at + 7, i.max_percent)?;
            stmt.raw_bind_parameter(at + 8, i.function)?;
            stmt.raw_bind_parameter(at + 9, i.may_contain)?;
            stmt.raw_bind_parameter(at + 10, i.cas)?;
            stmt.raw_bind_parameter(at + 11, i.ec)?;
            stmt.raw_bind_parameter(at + 12, i.ci)?;
            stmt.raw_bind_parameter(at + 13, i.doubt)?;
        }
        stmt.raw_execute()?;
    }
    Ok(())
}

pub fn set_lot_expiry(conn: &Connection, lot: super::LotId, expires: Option<&str>) -> Result<()> {
    conn.prepare_cached("UPDATE lots SET expires = ?2 WHERE id = ?1")?
        .execute(params![lot, expires])?;
    Ok(())
}

// ---- Batches -------------------------------------------------------------------------------

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
                update_product(conn, super::ProductId(id), &fields)?;
                counts.restored += 1;
            }
            "lot-expiry" => {
                set_lot_expiry(conn, super::LotId(id), before.as_deref())?;
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

// ---- Per-supplier settings -----------------------------------------------------------------

/// What `--save-map` keeps for a supplier.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct SupplierSettings {
    pub maps: Vec<String>,
    pub delimiter: Option<String>,
    pub encoding: Option<String>,
    pub kind: Option<String>,
}

pub fn load_settings(conn: &Connection, supplier: &str) -> Result<Option<SupplierSettings>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT settings FROM supplier_settings WHERE supplier_norm = ?1",
            [ident::normalize_name(supplier)],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

pub fn save_settings(
    conn: &Connection,
    supplier: &str,
    settings: &SupplierSettings,
    at: &str,
) -> Result<()> {
    let text = serde_json::to_string(settings)
        .map_err(|e| Error::invalid(format!("settings of {supplier:?}: {e}")))?;
    conn.execute(
        "INSERT INTO supplier_settings (supplier_norm, supplier, settings, saved_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (supplier_norm) DO UPDATE SET supplier = ?2, settings = ?3, saved_at = ?4",
        params![ident::normalize_name(supplier), supplier.trim(), text, at],
    )?;
    Ok(())
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
