//! The writes of `import catalog`, its staging tables, its batches (`import history`, `import
//! undo`: in `import_batches.rs`) and the per-supplier settings (`--save-map`). Nothing in
//! `src/import/` writes SQL.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ident;

use super::catalog::{code_norm, Kind};

#[path = "import_batches.rs"]
mod batches;
pub use batches::*;

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
