//! Reads over the substances and their names: `substance list`, the keys commands report
//! substances by, the index an import resolves names with; and marking one verified.

use rusqlite::Connection;

use crate::error::Result;
use crate::ids::SubstanceId;

/// The substances (merged ones followed to where they went) one of whose names holds
/// `norm`, a normalised text, anywhere.
pub fn ids_with_name_part(conn: &Connection, norm: &str) -> Result<Vec<SubstanceId>> {
    let mut stmt =
        conn.prepare("SELECT DISTINCT substance_id FROM identifiers WHERE instr(norm, ?1) > 0")?;
    let ids: Vec<SubstanceId> = stmt
        .query_map([norm], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter()
        .map(|id| super::substances::follow_merges(conn, id))
        .collect()
}

/// Every substance not merged into another.
pub fn unmerged_ids(conn: &Connection) -> Result<Vec<SubstanceId>> {
    let mut stmt = conn.prepare("SELECT id FROM substances WHERE merged_into IS NULL")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// A substance's key, name, whether it is verified, and its source.
pub fn summary(conn: &Connection, id: SubstanceId) -> Result<(String, String, bool, String)> {
    let mut stmt =
        conn.prepare_cached("SELECT key, name, verified, source FROM substances WHERE id = ?1")?;
    Ok(stmt.query_row([id], |r| r.try_into())?)
}

/// A substance's key.
pub fn key(conn: &Connection, id: SubstanceId) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT key FROM substances WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// A substance's name.
pub fn name(conn: &Connection, id: SubstanceId) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT name FROM substances WHERE id = ?1")?
        .query_row([id], |r| r.get(0))?)
}

/// The unverified substances not merged into another, by name.
pub fn unverified_names(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM substances WHERE verified = 0 AND merged_into IS NULL ORDER BY name",
    )?;
    let names = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(names)
}

/// Every substance not merged into another: (id, name, verified).
pub fn unmerged(conn: &Connection) -> Result<Vec<(SubstanceId, String, bool)>> {
    let mut stmt =
        conn.prepare("SELECT id, name, verified FROM substances WHERE merged_into IS NULL")?;
    let rows = stmt
        .query_map([], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Every identifier of the substances not merged into another: (substance, kind, norm). With
/// `numbers_only`, only CAS, EC and Colour Index numbers.
pub fn unmerged_identifiers(
    conn: &Connection,
    numbers_only: bool,
) -> Result<Vec<(SubstanceId, String, String)>> {
    let mut stmt = conn.prepare(if numbers_only {
        "SELECT i.substance_id, i.kind, i.norm FROM identifiers i
         JOIN substances s ON s.id = i.substance_id
         WHERE s.merged_into IS NULL AND i.kind IN ('cas', 'ec', 'ci')"
    } else {
        "SELECT i.substance_id, i.kind, i.norm FROM identifiers i
         JOIN substances s ON s.id = i.substance_id WHERE s.merged_into IS NULL"
    })?;
    let rows = stmt
        .query_map([], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Marks a substance verified (a reference list names it).
pub fn mark_verified(conn: &Connection, id: SubstanceId) -> Result<()> {
    conn.prepare_cached("UPDATE substances SET verified = 1 WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}
