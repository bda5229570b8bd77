//! The audit trail: every writing command appends one event, chained to the one before by a
//! SHA-256 hash, so that an edit of any earlier event breaks the chain at that event. Events
//! name clients by their code and never hold personal data.

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use super::records;
use crate::error::Result;

/// The hash before the first event.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Appends an event in the caller's transaction. The event claims the clinical rows the
/// transaction wrote (see `records`): their hashes go to `audit_rows` and their digest into the
/// event's own hash, so that no later edit of those rows goes unnoticed. Only the write door
/// (`Write::commit`) and `init` call it: outside `db` no event can be written apart from its
/// write.
pub(super) fn append(
    conn: &Connection,
    actor: &str,
    at: &str,
    command: &str,
    client: Option<&str>,
    detail: &serde_json::Value,
) -> Result<i64> {
    let (prev, prev_at): (String, Option<String>) = conn
        .query_row(
            "SELECT hash, at FROM audit_events ORDER BY id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, Some(r.get(1)?))),
        )
        .optional()?
        .unwrap_or_else(|| (GENESIS.to_string(), None));
    // A command's clock was read before it waited for the write lock: a writer that waited
    // behind another (at most the busy timeout) is dated when that one was, so that event times
    // do not run backwards. A clock further behind is kept, and `verify` reports it.
    let at = match (prev_at, instant(at)) {
        (Some(p), Ok(mine)) => match instant(&p) {
            Ok(theirs) if mine < theirs && theirs - mine <= waited_at_most() => p,
            _ => at.to_string(),
        },
        _ => at.to_string(),
    };
    let at = at.as_str();
    let detail = detail.to_string();
    let claims = records::new_rows(conn)?;
    let rows = records::digest(&claims);
    let hash = event_hash(&prev, at, actor, command, client, &detail, rows.as_deref());
    conn.execute(
        "INSERT INTO audit_events (at, actor, command, client, detail, prev_hash, hash, rows)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![at, actor, command, client, detail, prev, hash, rows],
    )?;
    let id = conn.last_insert_rowid();
    records::store(conn, id, &claims)?;
    Ok(id)
}

/// The hash of one event: every field, each prefixed by its length so that no two different
/// events can be written as the same bytes. The digest of the rows it claims is a seventh
/// field when there is one (events written before rows were claimed have none).
pub fn event_hash(
    prev: &str,
    at: &str,
    actor: &str,
    command: &str,
    client: Option<&str>,
    detail: &str,
    rows: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    let mut fields = vec![prev, at, actor, command, client.unwrap_or("\u{0}"), detail];
    fields.extend(rows);
    for field in fields {
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

/// The chain's head: how many events, and the hash of the last. Kept elsewhere (on paper, by
/// mail), it shows a later removal of the newest events or a rewrite of the whole chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Head {
    pub events: usize,
    pub hash: String,
}

impl std::fmt::Display for Head {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.events, self.hash)
    }
}

/// The shortest hash prefix `--expect` accepts.
const MIN_EXPECT_HEX: usize = 12;

impl Head {
    /// Reads a head as `audit verify` prints it, `COUNT:HASH`; the hash may be shortened to its
    /// first 12 or more characters.
    pub fn parse(text: &str) -> Result<Head> {
        let bad = || {
            crate::error::Error::invalid_with_hint(
                format!("{text:?} is not an audit head"),
                "write it as `audit verify` prints it: COUNT:HASH, e.g. 42:9f86d081884c7d65 (12 or more characters of the hash)",
            )
        };
        let (count, hash) = text.trim().split_once(':').ok_or_else(bad)?;
        let events = count.trim().parse::<usize>().map_err(|_| bad())?;
        let hash = hash.trim().to_ascii_lowercase();
        if hash.len() < MIN_EXPECT_HEX
            || hash.len() > 64
            || !hash.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(bad());
        }
        Ok(Head { events, hash })
    }
}

/// The current head.
pub fn head(conn: &Connection) -> Result<Head> {
    let (events, hash): (i64, Option<String>) = conn.query_row(
        "SELECT count(*), (SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1) FROM audit_events",
        [],
        |r| r.try_into(),
    )?;
    Ok(Head {
        events: events.max(0) as usize,
        hash: hash.unwrap_or_else(|| GENESIS.to_string()),
    })
}

/// What `audit verify` found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Verification {
    pub events: usize,
    pub head: String,
    /// The first event whose hash does not match.
    pub broken: Option<Broken>,
    /// Events dated before the event before them.
    pub time_reversals: Vec<String>,
    /// Records changed, deleted or added without their event, and events whose list of rows
    /// was changed.
    pub records: Vec<String>,
    /// What a head kept elsewhere (`--expect`) says, when it does not match.
    pub expect: Option<String>,
    pub intact: bool,
}

/// Verifies everything: the chain, event times, the records against the rows each event
/// claimed, and the head kept elsewhere when given.
pub fn verify_all(conn: &Connection, expect: Option<&Head>) -> Result<Verification> {
    let (events, broken) = verify(conn)?;
    let mut time_reversals = Vec::new();
    let mut records = Vec::new();
    {
        let mut stmt = conn.prepare("SELECT id, at, rows FROM audit_events ORDER BY id")?;
        let mut rows = stmt.query([])?;
        let mut last: Option<(i64, String)> = None;
        while let Some(r) = rows.next()? {
            let (id, at, digest): (i64, String, Option<String>) = (r.get(0)?, r.get(1)?, r.get(2)?);
            if let Some((prev_id, prev_at)) = &last {
                if instant(&at) < instant(prev_at) {
                    time_reversals.push(format!(
                        "event #{id} ({at}) is dated before event #{prev_id} ({prev_at}): event times ran backwards"
                    ));
                }
            }
            let claims = records::claims_of(conn, id)?;
            if records::digest(&claims) != digest {
                records.push(format!(
                    "the list of rows event #{id} wrote was changed (rows added to it or removed from it)"
                ));
            }
            last = Some((id, at));
        }
    }
    records.extend(records::check(conn)?);
    let now = head(conn)?;
    let expect = match expect {
        None => None,
        Some(kept) => check_expected(conn, &now, kept)?,
    };
    let intact =
        broken.is_none() && time_reversals.is_empty() && records.is_empty() && expect.is_none();
    Ok(Verification {
        events,
        head: now.to_string(),
        broken,
        time_reversals,
        records,
        expect,
        intact,
    })
}

/// The longest a writer may have waited for the write lock: the busy timeout, and a minute for
/// the command's work before it asked.
fn waited_at_most() -> chrono::Duration {
    let timeout = crate::db::busy_timeout().unwrap_or(std::time::Duration::from_secs(30));
    chrono::Duration::from_std(timeout).unwrap_or(chrono::Duration::zero())
        + chrono::Duration::seconds(60)
}

/// A time stamp as an instant, for ordering; text that is not one orders as itself.
fn instant(at: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| at.to_string())
}

/// Compares the chain with a head kept elsewhere: the event at that count must still carry
/// that hash.
fn check_expected(conn: &Connection, now: &Head, kept: &Head) -> Result<Option<String>> {
    if now.events < kept.events {
        return Ok(Some(format!(
            "the chain has {} events, the head kept elsewhere says {}: the newest {} event(s) were removed",
            now.events,
            kept.events,
            kept.events - now.events
        )));
    }
    let at_count: Option<String> = if kept.events == 0 {
        Some(GENESIS.to_string())
    } else {
        conn.query_row(
            "SELECT hash FROM audit_events ORDER BY id LIMIT 1 OFFSET ?1",
            [kept.events as i64 - 1],
            |r| r.get(0),
        )
        .optional()?
    };
    match at_count {
        Some(hash) if hash.starts_with(&kept.hash) => Ok(None),
        _ => Ok(Some(format!(
            "event number {} no longer has the hash kept elsewhere ({}): the chain up to it was rewritten",
            kept.events, kept
        ))),
    }
}

/// Recomputes the chain: every event's `prev_hash` must be the hash of the event before it,
/// and its `hash` the hash of its own fields. Returns how many events were checked and the
/// first that does not match.
pub fn verify(conn: &Connection) -> Result<(usize, Option<Broken>)> {
    let mut stmt = conn.prepare(
        "SELECT id, at, actor, command, client, detail, prev_hash, hash, rows FROM audit_events ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_string();
    let mut count = 0;
    while let Some(r) = rows.next()? {
        count += 1;
        let (id, at, actor, command, client, detail, prev_hash, hash, rows): (
            i64,
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            String,
            Option<String>,
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
        let expected = event_hash(
            &prev,
            &at,
            &actor,
            &command,
            client.as_deref(),
            &detail,
            rows.as_deref(),
        );
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
