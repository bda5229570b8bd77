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
