//! The audit trail: every writing command appends one event, chained to the one before by a
//! SHA-256 hash, so that an edit of any earlier event breaks the chain at that event. Events
//! name clients by their code and never hold personal data.

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::Result;

/// The hash before the first event.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Appends an event in the caller's transaction.
pub fn append(
    conn: &Connection,
    actor: &str,
    at: &str,
    command: &str,
    client: Option<&str>,
    detail: &serde_json::Value,
) -> Result<i64> {
    let prev: String = conn
        .query_row(
            "SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    let detail = detail.to_string();
    let hash = event_hash(&prev, at, actor, command, client, &detail);
    conn.execute(
        "INSERT INTO audit_events (at, actor, command, client, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![at, actor, command, client, detail, prev, hash],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The hash of one event: every field, each prefixed by its length so that no two different
/// events can be written as the same bytes.
pub fn event_hash(
    prev: &str,
    at: &str,
    actor: &str,
    command: &str,
    client: Option<&str>,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    for field in [prev, at, actor, command, client.unwrap_or("\u{0}"), detail] {
        h.update((field.len() as u64).to_le_bytes());
        h.update(field.as_bytes());
    }
    h.finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
}

/// An event as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Event {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub command: String,
    pub client: Option<String>,
    pub detail: serde_json::Value,
    pub hash: String,
}

/// The events, oldest first, optionally only those about one client.
pub fn events(conn: &Connection, client: Option<&str>) -> Result<Vec<Event>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, at, actor, command, client, detail, hash FROM audit_events
         WHERE ?1 IS NULL OR client = ?1 COLLATE NOCASE ORDER BY id",
    )?;
    let rows = stmt.query_map([client], |r| {
        let detail: String = r.get(5)?;
        Ok(Event {
            id: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            command: r.get(3)?,
            client: r.get(4)?,
            detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
            hash: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The first event whose hash does not match, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Broken {
    pub id: i64,
    pub reason: String,
}

/// Recomputes the chain: every event's `prev_hash` must be the hash of the event before it,
/// and its `hash` the hash of its own fields. Returns how many events were checked and the
/// first that does not match.
pub fn verify(conn: &Connection) -> Result<(usize, Option<Broken>)> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, command, client, detail, prev_hash, hash FROM audit_events ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut count = 0;
    while let Some(r) = rows.next()? {
        count += 1;
        let (id, at, actor, command, client, detail, prev_hash, hash): (
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            String,
        ) = r.try_into()?;
        if prev_hash != prev {
            return Ok((
                count,
                Some(Broken {
                    id,
                    reason: "its link to the event before does not match: an event before it was removed or changed".into(),
                }),
            ));
        }
        let expected = event_hash(&prev, &at, &actor, &command, client.as_deref(), &detail);
        if hash != expected {
            return Ok((
                count,
                Some(Broken {
                    id,
                    reason:
                        "its content does not match its hash: it was changed after it was written"
                            .into(),
                }),
            ));
        }
        prev = hash;
    }
    Ok((count, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::migrate(&conn).unwrap();
        for i in 0..3 {
            append(
                &conn,
                "me",
                "2026-01-01T00:00:00Z",
                "test",
                Some("C-1"),
                &serde_json::json!({"n": i}),
            )
            .unwrap();
        }
        conn
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify(&db()).unwrap().0, 3);
        assert!(verify(&db()).unwrap().1.is_none());
    }

    #[test]
    fn the_triggers_refuse_edits_and_deletes() {
        let conn = db();
        assert!(conn
            .execute("UPDATE audit_events SET actor = 'x' WHERE id = 2", [])
            .is_err());
        assert!(conn
            .execute("DELETE FROM audit_events WHERE id = 2", [])
            .is_err());
    }

    #[test]
    fn an_edit_past_the_triggers_is_named_by_verify() {
        let conn = db();
        conn.execute_batch("DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor = 'x' WHERE id = 2;").unwrap();
        let (_, broken) = verify(&conn).unwrap();
        assert_eq!(broken.unwrap().id, 2);
    }

    #[test]
    fn a_removed_event_is_named_by_the_next() {
        let conn = db();
        conn.execute_batch(
            "DROP TRIGGER audit_events_no_delete; DELETE FROM audit_events WHERE id = 2;",
        )
        .unwrap();
        let (_, broken) = verify(&conn).unwrap();
        assert_eq!(broken.unwrap().id, 3);
    }
}
