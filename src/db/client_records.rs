//! The reads of `client list|show|export` (the client's own data, treatments and reactions)
//! and `client erase`'s one change.

use rusqlite::{params, Connection};
use serde::Serialize;

use crate::error::Result;
use crate::ids::{ClientId, TreatmentId};

/// A client as `client list` shows one.
#[derive(Serialize)]
pub struct ClientListItem {
    pub code: String,
    pub name: Option<String>,
    pub born: Option<String>,
    pub sensitivities: i64,
    pub erased: bool,
}

/// Every client by code, with the number of sensitivities in force.
pub fn list(conn: &Connection) -> Result<Vec<ClientListItem>> {
    let mut stmt = conn.prepare(
        "SELECT c.code, c.name, c.born, c.erased_at IS NOT NULL,
                (SELECT count(*) FROM sensitivities s WHERE s.client_id = c.id
                   AND NOT EXISTS (SELECT 1 FROM sensitivity_retractions r WHERE r.sensitivity_id = s.id))
         FROM clients c ORDER BY c.code",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(ClientListItem {
            code: r.get(0)?,
            name: r.get(1)?,
            born: r.get(2)?,
            erased: r.get(3)?,
            sensitivities: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A client's personal data (all `None` once erased) and when it was erased.
pub struct Personal {
    pub name: Option<String>,
    pub born: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub note: Option<String>,
    pub erased_at: Option<String>,
}

pub fn personal(conn: &Connection, client: ClientId) -> Result<Personal> {
    Ok(conn.query_row(
        "SELECT name, born, phone, email, note, erased_at FROM clients WHERE id = ?1",
        [client],
        |r| {
            Ok(Personal {
                name: r.get(0)?,
                born: r.get(1)?,
                phone: r.get(2)?,
                email: r.get(3)?,
                note: r.get(4)?,
                erased_at: r.get(5)?,
            })
        },
    )?)
}

/// When the client's personal data was erased, if it was.
pub fn erased_at(conn: &Connection, client: ClientId) -> Result<Option<String>> {
    Ok(conn.query_row(
        "SELECT erased_at FROM clients WHERE id = ?1",
        [client],
        |r| r.get(0),
    )?)
}

/// Erases a client's personal data, keeping the code and every clinical record.
pub fn erase(conn: &Connection, client: ClientId, at: &str) -> Result<()> {
    conn.execute(
        "UPDATE clients SET name = NULL, born = NULL, phone = NULL, email = NULL, note = NULL, erased_at = ?2 WHERE id = ?1",
        params![client, at],
    )?;
    Ok(())
}

#[derive(Serialize)]
pub struct TreatmentSummary {
    pub id: i64,
    pub at: String,
    pub area: Option<String>,
    pub items: Vec<TreatmentItem>,
    pub override_reason: Option<String>,
}

#[derive(Serialize)]
pub struct TreatmentItem {
    pub product: String,
    pub lot: String,
}

#[derive(Serialize)]
pub struct ReactionSummary {
    pub id: i64,
    pub treatment: TreatmentId,
    pub onset: String,
    pub symptoms: String,
    pub severity: String,
}

/// A client's treatments by time, each with the products and lots used.
pub fn treatments(conn: &Connection, client: ClientId) -> Result<Vec<TreatmentSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, area, override FROM treatments WHERE client_id = ?1 ORDER BY at, id",
    )?;
    let rows: Vec<(i64, String, Option<String>, Option<String>)> = stmt
        .query_map([client], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut items_stmt = conn.prepare_cached(
        "SELECT s.name || '/' || p.code, l.lot FROM treatment_items ti JOIN lots l ON l.id = ti.lot_id
         JOIN products p ON p.id = l.product_id JOIN suppliers s ON s.id = p.supplier_id
         WHERE ti.treatment_id = ?1 ORDER BY p.code, l.lot",
    )?;
    let mut out = Vec::new();
    for (id, at, area, override_reason) in rows {
        let items = items_stmt
            .query_map([id], |r| {
                Ok(TreatmentItem {
                    product: r.get(0)?,
                    lot: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        out.push(TreatmentSummary {
            id,
            at,
            area,
            items,
            override_reason,
        });
    }
    Ok(out)
}

/// A client's reactions by onset.
pub fn reactions(conn: &Connection, client: ClientId) -> Result<Vec<ReactionSummary>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, treatment_id, onset, symptoms, severity FROM reactions WHERE client_id = ?1 ORDER BY onset, id",
    )?;
    let rows = stmt.query_map([client], |r| {
        Ok(ReactionSummary {
            id: r.get(0)?,
            treatment: r.get(1)?,
            onset: r.get(2)?,
            symptoms: r.get(3)?,
            severity: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
