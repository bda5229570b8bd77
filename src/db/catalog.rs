//! Suppliers, products, formulations, ingredients and lots.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ident;
use crate::ids::{FormulationId, LotId, ProductId, SubstanceId};

/// What a product is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Pigment,
    Anaesthetic,
    Aftercare,
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Pigment => "pigment",
            Kind::Anaesthetic => "anaesthetic",
            Kind::Aftercare => "aftercare",
            Kind::Other => "other",
        }
    }

    /// Reads a kind as suppliers write it, in the catalog languages.
    pub fn parse(text: &str) -> Option<Kind> {
        let t = ident::normalize_name(text);
        let kind = match t.as_str() {
            "pigment" | "pigments" | "ink" | "inks" | "tattooink" | "tattoofarbe" | "farbe"
            | "pmupigment" | "smppigment" | "encre" | "tinta" | "inchiostro" | "pigmento"
            | "pigmentfarbe" | "colour" | "color" => Kind::Pigment,
            "anaesthetic" | "anesthetic" | "numbing" | "numbingcream" | "anaestheticcream"
            | "betaubung" | "betaubungscreme" | "anesthesique" | "anestesico" | "anestésico" => {
                Kind::Anaesthetic
            }
            "aftercare" | "aftercarebalm" | "pflege" | "nachpflege" | "soinapres" | "soin"
            | "cuidado" | "cuidadoposterior" | "curadopo" => Kind::Aftercare,
            "other" | "andere" | "sonstige" | "autre" | "otro" | "altro" => Kind::Other,
            _ => return None,
        };
        Some(kind)
    }
}

/// The stored lookup form of a product code: trimmed, lower case, inner spaces collapsed.
/// Codes keep their punctuation (`BK-01` and `BK01` are different articles).
pub fn code_norm(code: &str) -> String {
    code.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub fn supplier_id(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM suppliers WHERE norm = ?1")?
        .query_row([ident::normalize_name(name)], |r| r.get(0))
        .optional()?)
}

pub fn supplier_id_or_create(conn: &Connection, name: &str) -> Result<i64> {
    if let Some(id) = supplier_id(conn, name)? {
        return Ok(id);
    }
    conn.prepare_cached("INSERT INTO suppliers (name, norm) VALUES (?1, ?2)")?
        .execute(params![name.trim(), ident::normalize_name(name)])?;
    Ok(conn.last_insert_rowid())
}

/// A product row.
#[derive(Debug, Clone)]
pub struct ProductRow {
    pub id: ProductId,
    pub supplier: String,
    pub code: String,
    pub name: String,
    pub shade: Option<String>,
    pub kind: Kind,
}

const PRODUCT_COLUMNS: &str =
    "p.id, s.name, p.code, p.name, p.shade, p.kind FROM products p JOIN suppliers s ON s.id = p.supplier_id";

fn product_row(r: &rusqlite::Row) -> rusqlite::Result<ProductRow> {
    Ok(ProductRow {
        id: r.get(0)?,
        supplier: r.get(1)?,
        code: r.get(2)?,
        name: r.get(3)?,
        shade: r.get(4)?,
        kind: r.get(5)?,
    })
}

pub fn find_product(conn: &Connection, supplier: i64, code: &str) -> Result<Option<ProductRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {PRODUCT_COLUMNS} WHERE p.supplier_id = ?1 AND p.code_norm = ?2"
        ))?
        .query_row(params![supplier, code_norm(code)], product_row)
        .optional()?)
}

pub fn product_by_id(conn: &Connection, id: ProductId) -> Result<ProductRow> {
    Ok(conn
        .prepare_cached(&format!("SELECT {PRODUCT_COLUMNS} WHERE p.id = ?1"))?
        .query_row([id], product_row)?)
}

/// Finds the product a user means: `SUPPLIER/CODE` exactly, else every product whose code or
/// name the text is (code matches and name matches together, across suppliers: one product's
/// code and another's name make an ambiguity, never a silent pick), else forgivingly spelt codes
/// (`bk 01` for `BK-01`). Fails with the closest matches, or with the candidates as
/// `SUPPLIER/CODE` when several match.
pub fn resolve_product(conn: &Connection, text: &str) -> Result<ProductRow> {
    let t = text.trim();
    if let Some((supplier, code)) = t.split_once('/') {
        if let Some(sid) = supplier_id(conn, supplier)? {
            if let Some(p) = find_product(conn, sid, code)? {
                return Ok(p);
            }
        }
    }
    let (code, want) = (code_norm(t), ident::normalize_name(t));
    // The code of one product and the name of another are gathered together: both indexed.
    let mut found: Vec<ProductRow> = conn
        .prepare_cached(&format!(
            "SELECT {PRODUCT_COLUMNS} WHERE p.code_norm = ?1
             UNION SELECT {PRODUCT_COLUMNS} WHERE p.name_norm = ?2 AND ?2 <> ''"
        ))?
        .query_map(params![code, want], product_row)?
        .collect::<rusqlite::Result<_>>()?;
    // Every product is read only when nothing matched as typed: for the forgiving match and
    // for the suggestions.
    let all = if found.is_empty() {
        all_products(conn)?
    } else {
        Vec::new()
    };
    if found.is_empty() {
        // Forgiving: punctuation and case in codes do not matter when nothing matches as typed.
        found = all
            .iter()
            .filter(|p| {
                ident::normalize_name(&p.code) == want
                    || ident::normalize_name(&format!("{}/{}", p.supplier, p.code)) == want
            })
            .cloned()
            .collect();
    }
    found.sort_by(|a, b| (&a.supplier, &a.code).cmp(&(&b.supplier, &b.code)));
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => {
            let names: Vec<(String, String, String)> = all
                .iter()
                .flat_map(|p| {
                    let label = product_label(p);
                    [
                        (label.clone(), ident::normalize_name(&p.code), label.clone()),
                        (label.clone(), ident::normalize_name(&p.name), label),
                    ]
                })
                .collect();
            Err(Error::NotFound {
                what: "product",
                name: t.to_string(),
                suggestions: crate::db::substances::closest(
                    t,
                    names
                        .iter()
                        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())),
                    5,
                ),
            })
        }
        several => Err(Error::Ambiguous {
            what: "product",
            name: t.to_string(),
            candidates: several
                .iter()
                .map(|p| format!("{}/{}", p.supplier, p.code))
                .collect(),
        }),
    }
}

/// `SUPPLIER/CODE (name)` for messages.
pub fn product_label(p: &ProductRow) -> String {
    crate::screening::product_label(&p.supplier, &p.code, &p.name)
}

pub fn all_products(conn: &Connection) -> Result<Vec<ProductRow>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {PRODUCT_COLUMNS} ORDER BY s.name, p.code"))?;
    let rows = stmt.query_map([], product_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The newest formulation of a product: (id, version, fingerprint).
pub fn current_formulation(
    conn: &Connection,
    product: ProductId,
) -> Result<Option<(FormulationId, i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, version, fingerprint FROM formulations
             WHERE product_id = ?1 ORDER BY version DESC LIMIT 1",
        )?
        .query_row([product], |r| r.try_into())
        .optional()?)
}

/// A lot row: (id, formulation id, expiry).
pub fn find_lot(
    conn: &Connection,
    product: ProductId,
    lot: &str,
) -> Result<Option<(LotId, FormulationId, Option<String>)>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, formulation_id, expires FROM lots WHERE product_id = ?1 AND lot = ?2",
        )?
        .query_row(params![product, lot.trim()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

pub fn insert_lot(
    conn: &Connection,
    product: ProductId,
    formulation: FormulationId,
    lot: &str,
    expires: Option<&str>,
    at: &str,
) -> Result<LotId> {
    conn.prepare_cached(
        "INSERT INTO lots (product_id, formulation_id, lot, expires, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![product, formulation, lot.trim(), expires, at])?;
    Ok(LotId(conn.last_insert_rowid()))
}

/// Flags a lot: from now on it is BLOCKED for every client (`lot flag`, a recall). A flag is a
/// record of its own, never an edit of the lot. Returns the flag's id.
pub fn flag_lot(conn: &Connection, lot: LotId, reason: &str, at: &str, actor: &str) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO lot_flags (lot_id, reason, flagged_at, actor) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![lot, reason.trim(), at, actor])?;
    Ok(conn.last_insert_rowid())
}

/// The version number of a formulation.
pub fn formulation_version(conn: &Connection, formulation: FormulationId) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT version FROM formulations WHERE id = ?1")?
        .query_row([formulation], |r| r.get(0))?)
}

/// An ingredient row of a formulation with its substance.
#[derive(Debug, Clone, Serialize)]
pub struct IngredientRow {
    pub position: i64,
    pub substance_id: SubstanceId,
    pub substance_key: String,
    pub substance: String,
    pub name_as_declared: String,
    pub declared_cas: Option<String>,
    pub declared_ec: Option<String>,
    pub declared_ci: Option<String>,
    pub min_percent: Option<f64>,
    pub max_percent: Option<f64>,
    pub concentration_text: Option<String>,
    pub function: Option<String>,
    pub may_contain: bool,
    pub verified: bool,
    /// Why the declaration is in doubt (its name and numbers named different substances):
    /// `declared as "Benzocaine" with the CAS of Lidocaine`; `None` when it is not.
    pub doubt: Option<String>,
}

/// The ingredients of a formulation in declared order (several rows at one position when a
/// declaration names several substances).
pub fn ingredients(conn: &Connection, formulation: FormulationId) -> Result<Vec<IngredientRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.position, s.id, s.key, s.name, i.name_as_declared, i.declared_cas, i.declared_ec,
                i.declared_ci, i.min_percent, i.max_percent, i.concentration_text, i.function,
                i.may_contain, s.verified, i.doubt
         FROM ingredients i JOIN substances s ON s.id = i.substance_id
         WHERE i.formulation_id = ?1 ORDER BY i.position, i.id",
    )?;
    let rows = stmt.query_map([formulation], |r| {
        Ok(IngredientRow {
            position: r.get(0)?,
            substance_id: r.get(1)?,
            substance_key: r.get(2)?,
            substance: r.get(3)?,
            name_as_declared: r.get(4)?,
            declared_cas: r.get(5)?,
            declared_ec: r.get(6)?,
            declared_ci: r.get(7)?,
            min_percent: r.get(8)?,
            max_percent: r.get(9)?,
            concentration_text: r.get(10)?,
            function: r.get(11)?,
            may_contain: r.get(12)?,
            verified: r.get(13)?,
            doubt: r.get(14)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The formulations of a product, oldest first: (id, version, imported_at).
pub fn formulations(
    conn: &Connection,
    product: ProductId,
) -> Result<Vec<(FormulationId, i64, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, version, imported_at FROM formulations WHERE product_id = ?1 ORDER BY version",
    )?;
    let rows = stmt.query_map([product], |r| r.try_into())?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A lot as listed.
#[derive(Debug, Clone, Serialize)]
pub struct LotView {
    pub lot: String,
    pub expires: Option<String>,
    pub formulation: i64,
    pub flagged: bool,
    pub flag_reason: Option<String>,
    pub flagged_at: Option<String>,
}

pub fn lots(conn: &Connection, product: ProductId) -> Result<Vec<LotView>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.lot, l.expires, f.version,
                (SELECT reason FROM lot_flags WHERE lot_id = l.id ORDER BY id DESC LIMIT 1),
                (SELECT flagged_at FROM lot_flags WHERE lot_id = l.id ORDER BY id DESC LIMIT 1)
         FROM lots l JOIN formulations f ON f.id = l.formulation_id
         WHERE l.product_id = ?1 ORDER BY l.created_at, l.id",
    )?;
    let rows = stmt.query_map([product], |r| {
        let reason: Option<String> = r.get(3)?;
        Ok(LotView {
            lot: r.get(0)?,
            expires: r.get(1)?,
            formulation: r.get(2)?,
            flagged: reason.is_some(),
            flag_reason: reason,
            flagged_at: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
