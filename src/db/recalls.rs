//! Recalls: stored alerts, the lots read from them, what they meant for the catalog, and the
//! clients treated with a lot (for `recall`, `lot flag` and `trace`).

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;
use crate::recall::matching::{CatalogLot, CatalogProduct};

/// A client treated with a lot, with what is needed to call them.
#[derive(Debug, Clone, Serialize)]
pub struct Treated {
    pub client: String,
    pub treatment: super::TreatmentId,
    pub at: String,
    pub area: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub erased: bool,
}

/// Every treatment with a lot, oldest first.
pub fn treated_with_lot(conn: &Connection, lot: super::LotId) -> Result<Vec<Treated>> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.code, t.id, t.at, t.area, c.name, c.phone, c.email, c.erased_at IS NOT NULL
         FROM treatment_items ti JOIN treatments t ON t.id = ti.treatment_id
         JOIN clients c ON c.id = t.client_id
         WHERE ti.lot_id = ?1 ORDER BY t.at, c.code",
    )?;
    let rows = stmt.query_map([lot], |r| {
        Ok(Treated {
            client: r.get(0)?,
            treatment: r.get(1)?,
            at: r.get(2)?,
            area: r.get(3)?,
            name: r.get(4)?,
            phone: r.get(5)?,
            email: r.get(6)?,
            erased: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every product with its lots, for matching an alert.
pub fn catalog(conn: &Connection) -> Result<Vec<CatalogProduct>> {
    let mut products: Vec<CatalogProduct> = conn
        .prepare_cached(
            "SELECT p.id, s.name, p.code, p.name FROM products p
             JOIN suppliers s ON s.id = p.supplier_id ORDER BY s.name, p.code",
        )?
        .query_map([], |r| {
            Ok(CatalogProduct {
                id: r.get(0)?,
                supplier: r.get(1)?,
                code: r.get(2)?,
                name: r.get(3)?,
                lots: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let index: std::collections::HashMap<super::ProductId, usize> = products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let mut stmt = conn.prepare_cached("SELECT id, product_id, lot FROM lots ORDER BY id")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let product: super::ProductId = r.get(1)?;
        if let Some(&i) = index.get(&product) {
            products[i].lots.push(CatalogLot {
                id: r.get(0)?,
                lot: r.get(2)?,
            });
        }
    }
    Ok(products)
}

/// An alert as stored (its latest version).
#[derive(Debug, Clone, Serialize)]
pub struct StoredAlert {
    #[serde(skip)]
    pub id: i64,
    pub alert: String,
    pub version: i64,
    pub product: Option<String>,
    pub name: Option<String>,
    pub brand: Option<String>,
    pub batch_text: String,
    pub hazard: Option<String>,
    pub measure: Option<String>,
    #[serde(skip)]
    pub fingerprint: String,
    pub source: String,
    pub imported_at: String,
    pub actor: String,
}

const ALERT_COLUMNS: &str = "id, alert, version, product, name, brand, batch_text, hazard, \
     measure, fingerprint, source, imported_at, actor FROM recalls";

fn alert_row(r: &rusqlite::Row) -> rusqlite::Result<StoredAlert> {
    Ok(StoredAlert {
        id: r.get(0)?,
        alert: r.get(1)?,
        version: r.get(2)?,
        product: r.get(3)?,
        name: r.get(4)?,
        brand: r.get(5)?,
        batch_text: r.get(6)?,
        hazard: r.get(7)?,
        measure: r.get(8)?,
        fingerprint: r.get(9)?,
        source: r.get(10)?,
        imported_at: r.get(11)?,
        actor: r.get(12)?,
    })
}

/// The latest version of an alert, by its normalised number.
pub fn latest(conn: &Connection, alert_norm: &str) -> Result<Option<StoredAlert>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ALERT_COLUMNS} WHERE alert_norm = ?1 ORDER BY version DESC LIMIT 1"
        ))?
        .query_row([alert_norm], alert_row)
        .optional()?)
}

/// The latest version of every alert, newest import first.
pub fn list(conn: &Connection) -> Result<Vec<StoredAlert>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {ALERT_COLUMNS} r WHERE version = (SELECT max(version) FROM recalls WHERE alert_norm = r.alert_norm)
         ORDER BY imported_at DESC, id DESC"
    ))?;
    let rows = stmt.query_map([], alert_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A new version of an alert.
pub struct NewAlert<'a> {
    pub alert: &'a str,
    pub alert_norm: &'a str,
    pub version: i64,
    pub product: Option<&'a str>,
    pub name: Option<&'a str>,
    pub brand: Option<&'a str>,
    pub batch_text: &'a str,
    pub hazard: Option<&'a str>,
    pub measure: Option<&'a str>,
    pub fingerprint: &'a str,
    pub source: &'a str,
    pub at: &'a str,
    pub actor: &'a str,
}

pub fn insert_alert(conn: &Connection, a: &NewAlert) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO recalls (alert, alert_norm, version, product, name, brand, batch_text, hazard,
                              measure, fingerprint, source, imported_at, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        a.alert,
        a.alert_norm,
        a.version,
        a.product,
        a.name,
        a.brand,
        a.batch_text,
        a.hazard,
        a.measure,
        a.fingerprint,
        a.source,
        a.at,
        a.actor
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn insert_lot(conn: &Connection, recall: i64, text: &str, truncated: bool) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO recall_lots (recall_id, lot_text, lot_key, truncated) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![
        recall,
        text,
        crate::ident::lot_key(text),
        truncated
    ])?;
    Ok(conn.last_insert_rowid())
}

/// The lots read from an alert version: (id, text, truncated).
pub fn lots(conn: &Connection, recall: i64) -> Result<Vec<(i64, String, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, lot_text, truncated FROM recall_lots WHERE recall_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([recall], |r| r.try_into())?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// What kind of record a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Found certain and flagged by the import.
    Matched,
    /// Listed for a person to confirm; not flagged.
    Ambiguous,
    /// Flagged by a person with `recall confirm`.
    Confirmed,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Matched => "matched",
            Status::Ambiguous => "ambiguous",
            Status::Confirmed => "confirmed",
        }
    }

    /// A stored status; an unknown one fails loudly rather than reading as a milder one.
    fn from_stored(text: &str) -> rusqlite::Result<Status> {
        match text {
            "matched" => Ok(Status::Matched),
            "ambiguous" => Ok(Status::Ambiguous),
            "confirmed" => Ok(Status::Confirmed),
            other => Err(rusqlite::Error::InvalidColumnType(
                0,
                format!("recall_matches.status {other:?}"),
                rusqlite::types::Type::Text,
            )),
        }
    }
}

/// A new match record.
pub struct NewMatch<'a> {
    pub recall: i64,
    pub recall_lot: Option<i64>,
    pub lot: super::LotId,
    pub status: Status,
    pub reason: Option<&'a str>,
    pub flag: Option<i64>,
    pub at: &'a str,
    pub actor: &'a str,
}

pub fn insert_match(conn: &Connection, m: &NewMatch) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO recall_matches (recall_id, recall_lot_id, lot_id, status, reason, lot_flag_id, at, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        m.recall,
        m.recall_lot,
        m.lot,
        m.status.as_str(),
        m.reason,
        m.flag,
        m.at,
        m.actor
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A match as shown, with its product and lot.
#[derive(Debug, Clone, Serialize)]
pub struct MatchRow {
    #[serde(skip)]
    pub lot_id: super::LotId,
    pub supplier: String,
    pub code: String,
    pub product: String,
    pub lot: String,
    /// The lot as the alert wrote it (`None` for a confirmation).
    pub alert_lot: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    pub at: String,
}

/// Every match recorded for an alert (all its versions), oldest first.
pub fn matches(conn: &Connection, alert_norm: &str) -> Result<Vec<MatchRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.lot_id, s.name, p.code, p.name, l.lot, rl.lot_text, m.status, m.reason, m.at
         FROM recall_matches m JOIN recalls r ON r.id = m.recall_id
         JOIN lots l ON l.id = m.lot_id JOIN products p ON p.id = l.product_id
         JOIN suppliers s ON s.id = p.supplier_id
         LEFT JOIN recall_lots rl ON rl.id = m.recall_lot_id
         WHERE r.alert_norm = ?1 ORDER BY m.id",
    )?;
    let rows = stmt.query_map([alert_norm], |r| {
        Ok(MatchRow {
            lot_id: r.get(0)?,
            supplier: r.get(1)?,
            code: r.get(2)?,
            product: r.get(3)?,
            lot: r.get(4)?,
            alert_lot: r.get(5)?,
            status: Status::from_stored(&r.get::<_, String>(6)?)?,
            reason: r.get(7)?,
            at: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
