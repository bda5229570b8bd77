//! The sensitivities of the record (SPEC 4): rows added by hand or raised by a positive
//! patch-test item or a reaction (the evidence columns), and their retractions. Rows are never
//! changed or deleted; a retraction is a row of its own. Which of them are in force is the
//! engine's judgement (`screening::standing`), not this module's.

use rusqlite::{params, Connection, OptionalExtension};

use super::clinical::TargetRef;
use crate::error::{Error, Result};
use crate::ids::{ClientId, GroupId, SensitivityId, SubstanceId};
use crate::screening::{Certainty, Raiser, Source, Target};

/// A sensitivity to write.
#[derive(Debug, Clone)]
pub struct NewSensitivity<'a> {
    pub client: ClientId,
    pub target: TargetRef,
    pub source: Source,
    pub certainty: Certainty,
    pub note: Option<&'a str>,
    /// The positive item or the reaction that raised it; `None` when added by hand.
    pub raised_by: Option<Raiser>,
}

/// Writes one sensitivity in the caller's write transaction; returns its id.
pub fn insert(
    conn: &Connection,
    s: &NewSensitivity,
    at: &str,
    actor: &str,
) -> Result<SensitivityId> {
    let (substance, group) = match s.target {
        TargetRef::Substance(id) => (Some(id), None),
        TargetRef::Group(id) => (None, Some(id)),
    };
    let (item_row, reaction) = match s.raised_by {
        None => (None, None),
        Some(Raiser::Reaction(id)) => (None, Some(id)),
        Some(Raiser::Item { test, item }) => {
            let row: i64 = conn
                .prepare_cached("SELECT id FROM patch_test_items WHERE test_id = ?1 AND item = ?2")?
                .query_row(params![test, item], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::NotFound {
                    what: "patch test item",
                    name: format!("item {item} of patch test {test}"),
                    suggestions: Vec::new(),
                })?;
            (Some(row), None)
        }
    };
    conn.prepare_cached(
        "INSERT INTO sensitivities (client_id, substance_id, group_id, source, certainty, note,
                                    evidence_test_item_id, evidence_reaction_id, recorded_at, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        s.client,
        substance,
        group,
        s.source.as_str(),
        s.certainty.as_str(),
        s.note,
        item_row,
        reaction,
        at,
        actor
    ])?;
    Ok(SensitivityId(conn.last_insert_rowid()))
}

/// A retraction as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Retraction {
    pub reason: String,
    pub at: String,
    pub by: String,
}

/// A sensitivity row as stored, its target followed through merges, its enums decoded (an
/// unknown stored value is an error, never a default).
#[derive(Debug, Clone)]
pub struct Row {
    pub id: SensitivityId,
    pub target: TargetRef,
    pub source: Source,
    pub certainty: Certainty,
    pub note: Option<String>,
    pub recorded_at: String,
    pub retraction: Option<Retraction>,
}

impl Row {
    /// The target as the engine names it.
    pub fn target(&self) -> Target {
        match self.target {
            TargetRef::Substance(id) => Target::Substance(id),
            TargetRef::Group(id) => Target::Group(id),
        }
    }
}

/// Every sensitivity of a client, retracted ones included, oldest first. Rows to a formulation
/// (no longer made: a positive test implies it) are left out, as the verdicts leave them out.
pub fn of_client(conn: &Connection, client: ClientId) -> Result<Vec<Row>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, COALESCE(m.merged_into, m.id), s.group_id, s.source, s.certainty, s.note,
                s.recorded_at, r.reason, r.retracted_at, r.actor
         FROM sensitivities s LEFT JOIN sensitivity_retractions r ON r.sensitivity_id = s.id
         LEFT JOIN substances m ON m.id = s.substance_id
         WHERE s.client_id = ?1 ORDER BY s.id",
    )?;
    type Stored = (
        SensitivityId,
        Option<SubstanceId>,
        Option<GroupId>,
        Source,
        Certainty,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let stored_rows: Vec<Stored> = stmt
        .query_map([client], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    let mut rows = Vec::new();
    for (id, substance, group, source, certainty, note, recorded_at, reason, at, by) in stored_rows
    {
        let target = match (substance, group) {
            (Some(s), _) => TargetRef::Substance(s),
            (None, Some(g)) => TargetRef::Group(g),
            (None, None) => continue,
        };
        rows.push(Row {
            id,
            target,
            source,
            certainty,
            note,
            recorded_at,
            retraction: reason.map(|reason| Retraction {
                reason,
                at: at.unwrap_or_default(),
                by: by.unwrap_or_default(),
            }),
        });
    }
    Ok(rows)
}

/// The client (by code) a sensitivity belongs to, and whether it is retracted already.
pub fn owner(conn: &Connection, id: SensitivityId) -> Result<Option<(String, bool)>> {
    Ok(conn
        .prepare_cached(
            "SELECT c.code, EXISTS (SELECT 1 FROM sensitivity_retractions r WHERE r.sensitivity_id = s.id)
             FROM sensitivities s JOIN clients c ON c.id = s.client_id WHERE s.id = ?1",
        )?
        .query_row([id], |r| r.try_into())
        .optional()?)
}

/// Records a retraction in the caller's write transaction.
pub fn retract(
    conn: &Connection,
    id: SensitivityId,
    reason: &str,
    at: &str,
    actor: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sensitivity_retractions (sensitivity_id, reason, retracted_at, actor) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![id, reason, at, actor])?;
    Ok(())
}
