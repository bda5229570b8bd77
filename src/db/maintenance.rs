//! The file-level operations of `backup`, `doctor` and `client erase`: a consistent copy,
//! SQLite's own checks, and the rewrite that wipes erased values from the file.

use rusqlite::Connection;

/// Copies the live database into the empty file `target` in one step (`VACUUM INTO` reads one
/// consistent snapshot; in WAL mode writers go on meanwhile).
pub fn copy_into(conn: &Connection, target: &str) -> rusqlite::Result<()> {
    conn.execute("VACUUM INTO ?1", [target]).map(|_| ())
}

/// Makes a copy a rollback-journal database on its own: no WAL file beside it.
pub fn make_standalone(copy: &Connection) -> rusqlite::Result<()> {
    let _: String = copy.query_row("PRAGMA journal_mode=DELETE", [], |r| r.get(0))?;
    Ok(())
}

pub fn page_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA page_count", [], |r| r.get(0))
}

/// SQLite's integrity check: the problems it names (none when `ok`).
pub fn integrity(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows.into_iter().filter(|r| r != "ok").collect())
}

/// Formulations whose stored `empty` flag disagrees with their ingredient rows (changed
/// outside inkguard), one sentence each: the safe list reads the flag.
pub fn emptiness_problems(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT f.id, f.empty FROM formulations f
         WHERE f.empty != NOT EXISTS (SELECT 1 FROM ingredients i WHERE i.formulation_id = f.id)",
    )?;
    let rows = stmt
        .query_map([], |r| {
            let (id, empty): (i64, bool) = r.try_into()?;
            Ok(format!(
                "formulation {id} is marked as declaring {} but {}",
                if empty { "nothing" } else { "ingredients" },
                if empty {
                    "has ingredient rows"
                } else {
                    "has none"
                }
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Rows that point at a missing row, one sentence each.
pub fn foreign_key_problems(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
    let rows = stmt
        .query_map([], |r| {
            let table: String = r.get(0)?;
            let rowid: Option<i64> = r.get(1)?;
            let parent: String = r.get(2)?;
            Ok(format!(
                "{table} row {} points at a missing {parent}",
                rowid.unwrap_or(0)
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Has SQLite overwrite deleted content with zeros, for an erasure.
pub fn secure_delete(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "secure_delete", true)
}

/// Turns the memory map off for this connection: an import reads indexes all over the file,
/// and through the map every page it touched would count as its memory.
pub fn no_memory_map(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "mmap_size", 0)
}
