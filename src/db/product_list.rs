//! The reads of `product list|show` and `export` beyond the catalog's look-ups: the product
//! list, supplier names, a product's supplier, and the restrictions of a substance.

use rusqlite::Connection;
use serde::Serialize;

use super::catalog::Kind;
use crate::error::Result;

/// A product as `product list` shows one, with its supplier's id for filtering.
pub struct ListRow {
    pub supplier: String,
    pub code: String,
    pub name: String,
    pub shade: Option<String>,
    pub kind: Kind,
    /// The current formulation's version.
    pub formulation: Option<i64>,
    pub supplier_id: i64,
}

/// Every product, by supplier and code.
pub fn products(conn: &Connection) -> Result<Vec<ListRow>> {
    let mut stmt = conn.prepare(
        "SELECT s.name, p.code, p.name, p.shade, p.kind,
                (SELECT max(version) FROM formulations f WHERE f.product_id = p.id), p.supplier_id
         FROM products p JOIN suppliers s ON s.id = p.supplier_id ORDER BY s.name, p.code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ListRow {
            supplier: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            shade: r.get(3)?,
            kind: r.get(4)?,
            formulation: r.get(5)?,
            supplier_id: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every supplier's name, sorted.
pub fn supplier_names(conn: &Connection) -> Result<Vec<String>> {
    let names = conn
        .prepare("SELECT name FROM suppliers ORDER BY name")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

/// The supplier of a product.
pub fn supplier_of(conn: &Connection, product: crate::ids::ProductId) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT supplier_id FROM products WHERE id = ?1")?
        .query_row([product], |r| r.get(0))?)
}

/// A restriction of a substance, as `product show` lists it.
#[derive(Serialize)]
pub struct Restriction {
    pub substance: String,
    pub jurisdiction: String,
    pub rule: String,
    pub limit_mg_per_kg: Option<f64>,
    pub applies_from: Option<String>,
    pub label_statement: Option<String>,
}

/// The restrictions of the substance with key `key` (named `substance`), by jurisdiction and
/// rule.
pub fn restrictions(conn: &Connection, key: &str, substance: &str) -> Result<Vec<Restriction>> {
    let mut stmt = conn.prepare_cached(
        "SELECT jurisdiction, rule, limit_mg_per_kg, applies_from, label_statement FROM restrictions
         WHERE substance_id = (SELECT id FROM substances WHERE key = ?1) ORDER BY jurisdiction, rule",
    )?;
    let rows = stmt.query_map([key], |r| {
        Ok(Restriction {
            substance: substance.to_string(),
            jurisdiction: r.get(0)?,
            rule: r.get(1)?,
            limit_mg_per_kg: r.get(2)?,
            applies_from: r.get(3)?,
            label_statement: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
