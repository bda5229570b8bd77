//! Tamper evidence for the records themselves, not only for the log: every audit event claims
//! the clinical rows its transaction wrote, each with the hash of a canonical text of the row
//! (`audit_rows`), and the event's own hash covers a digest of that list. `audit verify`
//! recomputes every claimed row and names the rows changed, deleted, or present without an
//! event that claimed them.
//!
//! Which rows an event claims: those of the clinical tables that no earlier event claimed,
//! except those already unclaimed when its write transaction began (`Db::write` notes them in
//! `temp.audit_unclaimed`), so that a row slipped in by hand between two commands is never
//! claimed by the next command and stays reported.

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
/// length-prefixed. A patch-test item's substance follows `merged_into` (a merge moves an
/// unverified substance's items to the known one); a treatment includes its lots. `None` when
/// the row does not exist.
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
        let mut value = row.get_ref(i)?;
        let merged;
        if table == "patch_test_items" && name == "substance_id" {
            if let ValueRef::Integer(id) = value {
                merged = final_substance(conn, id)?;
                value = ValueRef::Integer(merged);
            }
        }
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

/// A substance after following `merged_into` (a few steps at most).
fn final_substance(conn: &Connection, mut id: i64) -> Result<i64> {
    let mut stmt = conn.prepare_cached("SELECT merged_into FROM substances WHERE id = ?1")?;
    for _ in 0..16 {
        match stmt
            .query_row([id], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten()
        {
            Some(next) if next != id => id = next,
            _ => break,
        }
    }
    Ok(id)
}

/// Notes the rows no event has claimed as the write transaction begins: the event that ends
/// this transaction does not claim them. Call right after `BEGIN`.
pub fn mark_unclaimed(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS audit_unclaimed (tbl TEXT NOT NULL, row_id INTEGER NOT NULL);
         DELETE FROM temp.audit_unclaimed;",
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

/// The rows this transaction wrote: unclaimed by any event, and not already unclaimed when it
/// began (when `mark_unclaimed` was called; every unclaimed row otherwise).
pub fn new_rows(conn: &Connection) -> Result<Vec<Claim>> {
    let marked: bool = conn
        .query_row(
            "SELECT 1 FROM temp.sqlite_schema WHERE name = 'audit_unclaimed'",
            [],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
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
        let ids: Vec<i64> = stmt
            .query_map([table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
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

/// Compares every claimed row with the record, and finds rows no event claimed.
pub fn check(conn: &Connection) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    let mut stmt =
        conn.prepare("SELECT event_id, tbl, row_id, hash FROM audit_rows ORDER BY event_id")?;
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
