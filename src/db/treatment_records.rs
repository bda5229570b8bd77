//! The reads of `treatment sheet` and `reaction list|record`, and the reaction's write.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;
use crate::ids::{ClientId, FormulationId, ProductId, TreatmentId};

/// A treatment's client code, time and area, if the treatment exists.
pub fn header(
    conn: &Connection,
    id: TreatmentId,
) -> Result<Option<(String, String, Option<String>)>> {
    Ok(conn
        .query_row(
            "SELECT c.code, t.at, t.area FROM treatments t JOIN clients c ON c.id = t.client_id WHERE t.id = ?1",
            [id],
            |r| r.try_into(),
        )
        .optional()?)
}

/// A treatment's client id and time, if the treatment exists.
pub fn owner(conn: &Connection, id: TreatmentId) -> Result<Option<(ClientId, String)>> {
    Ok(conn
        .query_row(
            "SELECT client_id, at FROM treatments WHERE id = ?1",
            [id],
            |r| r.try_into(),
        )
        .optional()?)
}

/// A lot a treatment used: (product id, lot, expiry, formulation id).
pub type SheetItem = (ProductId, String, Option<String>, FormulationId);

/// The lots a treatment used, by product code and lot.
pub fn sheet_items(conn: &Connection, id: TreatmentId) -> Result<Vec<SheetItem>> {
    let mut stmt = conn.prepare(
        "SELECT p.id, l.lot, l.expires, l.formulation_id FROM treatment_items ti JOIN lots l ON l.id = ti.lot_id
         JOIN products p ON p.id = l.product_id WHERE ti.treatment_id = ?1 ORDER BY p.code, l.lot",
    )?;
    let items = stmt
        .query_map([id], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    Ok(items)
}

/// The lots a treatment used, by product code: (`SUPPLIER/CODE`, lot, formulation id).
pub fn lots_used(
    conn: &Connection,
    id: TreatmentId,
) -> Result<Vec<(String, String, FormulationId)>> {
    let mut stmt = conn.prepare(
        "SELECT s.name || '/' || p.code, l.lot, l.formulation_id FROM treatment_items ti JOIN lots l ON l.id = ti.lot_id
         JOIN products p ON p.id = l.product_id JOIN suppliers s ON s.id = p.supplier_id
         WHERE ti.treatment_id = ?1 ORDER BY p.code",
    )?;
    let lots = stmt
        .query_map([id], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    Ok(lots)
}

/// A reaction to record.
pub struct NewReaction<'a> {
    pub client: ClientId,
    pub treatment: TreatmentId,
    pub onset: &'a str,
    pub symptoms: &'a str,
    pub severity: &'a str,
    pub recorded_at: &'a str,
    pub actor: &'a str,
}

/// Writes a reaction; returns its id.
pub fn insert_reaction(conn: &Connection, r: &NewReaction) -> Result<i64> {
    conn.execute(
        "INSERT INTO reactions (client_id, treatment_id, onset, symptoms, severity, recorded_at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![r.client, r.treatment, r.onset, r.symptoms, r.severity, r.recorded_at, r.actor],
    )?;
    Ok(conn.last_insert_rowid())
}

/// A reaction as `reaction list` shows it.
#[derive(Debug, Serialize)]
pub struct ReactionRow {
    pub id: i64,
    pub treatment: TreatmentId,
    pub treated_at: String,
    pub onset: String,
    pub severity: String,
    pub symptoms: String,
    /// `SUPPLIER/CODE lot LOT`, one per lot used.
    pub lots: Vec<String>,
}

/// A client's reactions by onset, each with the treatment it followed and the lots used then.
pub fn reactions_of_client(conn: &Connection, client: ClientId) -> Result<Vec<ReactionRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.treatment_id, t.at, r.onset, r.severity, r.symptoms,
                (SELECT group_concat(s.name || '/' || p.code || ' lot ' || l.lot, char(10))
                 FROM treatment_items ti JOIN lots l ON l.id = ti.lot_id
                 JOIN products p ON p.id = l.product_id JOIN suppliers s ON s.id = p.supplier_id
                 WHERE ti.treatment_id = r.treatment_id)
         FROM reactions r JOIN treatments t ON t.id = r.treatment_id
         WHERE r.client_id = ?1 ORDER BY r.onset, r.id",
    )?;
    let rows = stmt
        .query_map([client], |r| {
            let lots: Option<String> = r.get(6)?;
            Ok(ReactionRow {
                id: r.get(0)?,
                treatment: r.get(1)?,
                treated_at: r.get(2)?,
                onset: r.get(3)?,
                severity: r.get(4)?,
                symptoms: r.get(5)?,
                lots: lots
                    .map(|l| l.lines().map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
