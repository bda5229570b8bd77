//! Tamper evidence for the records themselves, not only for the log: every audit event claims
//! the clinical rows its transaction wrote, each with the hash of a canonical text of the row
//! (`audit_rows`), and the event's own hash covers a digest of that list. `audit verify`
//! recomputes every claimed row and names the rows changed, deleted, or present without an
//! event that claimed them.
//!
//! Which rows an event claims: those of the clinical tables that no earlier event claimed,
//! except those already unclaimed when its write transaction began (`Db::begin` notes them in
//! `temp.audit_unclaimed`), so that a row slipped in by hand between two commands is never
//! claimed by the next command and stays reported. The one change the schema allows to a
//! clinical row (`substance merge` moving patch-test items) is claimed again by the merge's
//! event (`reclaim`); a row is checked against its latest claim.

use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::Result;

/// The clinical tables (SPEC 8) and how a problem names one of their rows. `treatment_items`
/// (no rowid of its own) is part of its treatment's canonical text.
pub const CLINICAL: &[(&str, &str)] = &[
    ("sensitivities", "sensitivity"),
    ("sensitivity_retractions", "retraction of sensitivity"),
    ("patch_tests", "patch test"),
    ("patch_test_items", "patch test item"),
    ("irradiations", "irradiation"),
    ("item_relevance", "relevance"),
    ("readings", "reading"),
    ("treatments", "treatment"),
    ("reactions", "reaction"),
    ("lot_flags", "lot flag"),
    ("recalls", "recall"),
    ("recall_lots", "recall lot"),
    ("recall_matches", "recall match"),
    ("series", "series"),
    ("series_allergens", "series allergen"),
];

/// One claimed row: table, rowid, hash of its canonical text.
pub type Claim = (String, i64, String);

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The canonical text of one row, hashed: every column in table order, typed and
/// length-prefixed; a treatment includes its lots. `None` when the row does not exist.
pub fn row_hash(conn: &Connection, table: &str, rowid: i64) -> Result<Option<String>> {
    debug_assert!(CLINICAL.iter().any(|(t, _)| *t == table));
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE rowid = ?1"))?;
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let mut rows = stmt.query([rowid])?;
    let Some(row) = rows.next()? else {
        return Ok(None);
    };
    let mut h = Sha256::new();
    h.update(table.as_bytes());
    for (i, name) in names.iter().enumerate() {
        let value = row.get_ref(i)?;
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        match value {
            ValueRef::Null => h.update(b"n"),
            ValueRef::Integer(v) => {
                h.update(b"i");
                h.update(v.to_le_bytes());
            }
            ValueRef::Real(v) => {
                h.update(b"r");
                h.update(v.to_bits().to_le_bytes());
            }
            ValueRef::Text(t) => {
                h.update(b"t");
                h.update((t.len() as u64).to_le_bytes());
                h.update(t);
            }
            ValueRef::Blob(b) => {
                h.update(b"b");
                h.update((b.len() as u64).to_le_bytes());
                h.update(b);
            }
        }
    }
    drop(rows);
    if table == "treatments" {
        let mut stmt = conn.prepare_cached(
            "SELECT lot_id FROM treatment_items WHERE treatment_id = ?1 ORDER BY lot_id",
        )?;
        let lots: Vec<i64> = stmt
            .query_map([rowid], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        h.update(b"lots");
        for lot in lots {
            h.update(lot.to_le_bytes());
        }
    }
    Ok(Some(hex(&h.finalize())))
}

/// Notes the rows no event has claimed as the write transaction begins: the event that ends
/// this transaction does not claim them. Call right after `BEGIN`.
pub fn mark_unclaimed(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS audit_unclaimed (tbl TEXT NOT NULL, row_id INTEGER NOT NULL);
         DELETE FROM temp.audit_unclaimed;
         CREATE TEMP TABLE IF NOT EXISTS audit_reclaim (tbl TEXT NOT NULL, row_id INTEGER NOT NULL);
         DELETE FROM temp.audit_reclaim;",
    )?;
    for (table, _) in CLINICAL {
        conn.execute(
            &format!(
                "INSERT INTO temp.audit_unclaimed (tbl, row_id)
                 SELECT ?1, rowid FROM {table} t WHERE NOT EXISTS
                   (SELECT 1 FROM audit_rows a WHERE a.tbl = ?1 AND a.row_id = t.rowid)"
            ),
            [table],
        )?;
    }
    Ok(())
}

/// Rows this transaction changed in the one way the schema allows (`substance merge` moving
/// patch-test items): the event that ends it claims them again, with their new hashes.
pub fn reclaim(conn: &Connection, table: &str, ids: &[i64]) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS audit_reclaim (tbl TEXT NOT NULL, row_id INTEGER NOT NULL);",
    )?;
    let mut stmt =
        conn.prepare_cached("INSERT INTO temp.audit_reclaim (tbl, row_id) VALUES (?1, ?2)")?;
    for id in ids {
        stmt.execute(params![table, id])?;
    }
    Ok(())
}

fn temp_exists(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM temp.sqlite_schema WHERE name = ?1",
            [name],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false))
}

/// The rows this transaction wrote: unclaimed by any event, and not already unclaimed when it
/// began (when `mark_unclaimed` was called; every unclaimed row otherwise); and the rows it
/// `reclaim`ed.
pub fn new_rows(conn: &Connection) -> Result<Vec<Claim>> {
    let marked = temp_exists(conn, "audit_unclaimed")?;
    let mut again: std::collections::BTreeSet<(String, i64)> = Default::default();
    if temp_exists(conn, "audit_reclaim")? {
        let mut stmt = conn.prepare("SELECT tbl, row_id FROM temp.audit_reclaim")?;
        again = stmt
            .query_map([], |r| r.try_into())?
            .collect::<rusqlite::Result<_>>()?;
        conn.execute("DELETE FROM temp.audit_reclaim", [])?;
    }
    let mut claims = Vec::new();
    for (table, _) in CLINICAL {
        let before = if marked {
            "AND NOT EXISTS (SELECT 1 FROM temp.audit_unclaimed u WHERE u.tbl = ?1 AND u.row_id = t.rowid)"
        } else {
            ""
        };
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT rowid FROM {table} t WHERE NOT EXISTS
               (SELECT 1 FROM audit_rows a WHERE a.tbl = ?1 AND a.row_id = t.rowid) {before}
             ORDER BY rowid"
        ))?;
        let mut ids: std::collections::BTreeSet<i64> = stmt
            .query_map([table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.extend(again.iter().filter(|(t, _)| t == table).map(|(_, id)| *id));
        for id in ids {
            if let Some(hash) = row_hash(conn, table, id)? {
                claims.push((table.to_string(), id, hash));
            }
        }
    }
    Ok(claims)
}

/// The digest of an event's claims, which its hash covers; `None` when it claims no row.
pub fn digest(claims: &[Claim]) -> Option<String> {
    if claims.is_empty() {
        return None;
    }
    let mut h = Sha256::new();
    for (table, id, hash) in claims {
        h.update((table.len() as u64).to_le_bytes());
        h.update(table.as_bytes());
        h.update(id.to_le_bytes());
        h.update(hash.as_bytes());
    }
    Some(hex(&h.finalize()))
}

/// Stores an event's claims.
pub fn store(conn: &Connection, event: i64, claims: &[Claim]) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO audit_rows (event_id, tbl, row_id, hash) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (table, id, hash) in claims {
        stmt.execute(params![event, table, id, hash])?;
    }
    Ok(())
}

/// The claims of one event, in the order they were made.
pub fn claims_of(conn: &Connection, event: i64) -> Result<Vec<Claim>> {
    // Ordered as `CLINICAL` lists the tables, as they were claimed.
    let mut stmt = conn.prepare_cached(
        "SELECT tbl, row_id, hash FROM audit_rows WHERE event_id = ?1 ORDER BY tbl, row_id",
    )?;
    let mut claims: Vec<Claim> = stmt
        .query_map([event], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    let order = |t: &str| {
        CLINICAL
            .iter()
            .position(|(c, _)| *c == t)
            .unwrap_or(usize::MAX)
    };
    claims.sort_by(|a, b| order(&a.0).cmp(&order(&b.0)).then(a.1.cmp(&b.1)));
    Ok(claims)
}

/// How a problem names a row: "reading #12".
pub fn label(table: &str, id: i64) -> String {
    let name = CLINICAL
        .iter()
        .find(|(t, _)| *t == table)
        .map_or(table, |(_, l)| l);
    format!("{name} #{id}")
}

/// Compares every claimed row (by its latest claim) with the record, and finds rows no event
/// claimed.
pub fn check(conn: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT event_id, tbl, row_id, hash FROM audit_rows a
         WHERE event_id = (SELECT max(event_id) FROM audit_rows b
                           WHERE b.tbl = a.tbl AND b.row_id = a.row_id)
         ORDER BY event_id",
    )?;
    let claims: Vec<(i64, String, i64, String)> = stmt
        .query_map([], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    for (event, table, id, hash) in claims {
        if !CLINICAL.iter().any(|(t, _)| *t == table) {
            problems.push(format!(
                "event #{event} claims a row of {table:?}, which is not a clinical table"
            ));
            continue;
        }
        match row_hash(conn, &table, id)? {
            None => problems.push(format!(
                "{} was deleted (written by event #{event})",
                label(&table, id)
            )),
            Some(now) if now != hash => problems.push(format!(
                "{} was changed after event #{event} wrote it",
                label(&table, id)
            )),
            Some(_) => {}
        }
    }
    for (table, _) in CLINICAL {
        let mut stmt = conn.prepare(&format!(
            "SELECT rowid FROM {table} t WHERE NOT EXISTS
               (SELECT 1 FROM audit_rows a WHERE a.tbl = ?1 AND a.row_id = t.rowid) ORDER BY rowid"
        ))?;
        let ids: Vec<i64> = stmt
            .query_map([table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in ids {
            problems.push(format!(
                "{} was added without its event (no audit event wrote it)",
                label(table, id)
            ));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::audit;

    /// A new database with two substances (one unverified), a client and a patch test with an
    /// item of the unverified substance, written by one event.
    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::migrate(&conn).unwrap();
        conn.execute_batch(
            "INSERT INTO substances (id, key, name, verified, source, created_at) VALUES
               (901, 'mystery-red', 'Mystery red', 0, 'test', 't'),
               (902, 'pigment-red-5', 'Pigment Red 5', 1, 'test', 't');
             INSERT INTO clients (id, code, created_at, actor, code_norm) VALUES (1, 'C-1', 't', 'me', 'c1');
             INSERT INTO patch_tests (id, client_id, applied_at, actor) VALUES (1, 1, 't', 'me');
             INSERT INTO patch_test_items (id, test_id, item, substance_id) VALUES (1, 1, 1, 901);",
        )
        .unwrap();
        event(&conn);
        conn
    }

    fn event(conn: &Connection) {
        audit::append(
            conn,
            "me",
            "2026-01-01T00:00:00Z",
            "test",
            None,
            &serde_json::json!({}),
        )
        .unwrap();
    }

    #[test]
    fn an_event_claims_the_rows_written_before_it_and_they_verify() {
        let conn = db();
        assert_eq!(claims_of(&conn, 1).unwrap().len(), 2);
        assert!(check(&conn).unwrap().is_empty());
    }

    #[test]
    fn a_merge_moves_items_of_an_unverified_substance_and_the_record_still_verifies() {
        let conn = db();
        conn.execute_batch(
            "UPDATE patch_test_items SET substance_id = 902 WHERE substance_id = 901;
             UPDATE substances SET merged_into = 902 WHERE id = 901;",
        )
        .unwrap();
        // Changed until the merge's event claims the item again.
        assert_eq!(check(&conn).unwrap().len(), 1);
        reclaim(&conn, "patch_test_items", &[1]).unwrap();
        event(&conn);
        assert!(check(&conn).unwrap().is_empty(), "{:?}", check(&conn));
        // From a known substance, or any other column: refused.
        assert!(conn
            .execute("UPDATE patch_test_items SET substance_id = 901", [])
            .is_err());
        assert!(conn
            .execute("UPDATE patch_test_items SET vehicle = 'pet.'", [])
            .is_err());
    }

    #[test]
    fn a_row_unclaimed_when_a_write_begins_is_not_claimed_by_its_event() {
        let conn = db();
        conn.execute(
            "INSERT INTO patch_tests (id, client_id, applied_at, actor) VALUES (2, 1, 't', 'x')",
            [],
        )
        .unwrap();
        mark_unclaimed(&conn).unwrap();
        conn.execute(
            "INSERT INTO patch_tests (id, client_id, applied_at, actor) VALUES (3, 1, 't', 'me')",
            [],
        )
        .unwrap();
        event(&conn);
        assert_eq!(
            check(&conn).unwrap(),
            vec!["patch test #2 was added without its event (no audit event wrote it)"]
        );
        // Without a mark (init after an upgrade), the event claims every unclaimed row.
        conn.execute("DROP TABLE temp.audit_unclaimed", []).unwrap();
        event(&conn);
        assert!(check(&conn).unwrap().is_empty());
    }
}
