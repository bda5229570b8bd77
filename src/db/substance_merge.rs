//! `substance merge`: an unverified substance moved into a known one, in the caller's write
//! transaction. Its names go to the target, ingredient rows and patch-test items follow it
//! (the items claimed again by the merge's event), and it keeps a `merged_into` that
//! sensitivities follow when read: clinical records are never edited otherwise.

use rusqlite::{params, Connection};

use super::{groups, records};
use crate::error::Result;
use crate::ids::SubstanceId;

/// What a merge did: the keys of both substances and how many ingredient rows follow.
pub struct Merged {
    pub from: String,
    pub into: String,
    pub ingredients: usize,
}

/// Merges `from` into `into`. The caller checked that `from` is unverified and not `into`.
pub fn merge(conn: &Connection, from: SubstanceId, into: SubstanceId) -> Result<Merged> {
    conn.execute(
        "INSERT OR IGNORE INTO identifiers (substance_id, kind, value, norm, source)
         SELECT ?2, kind, value, norm, source FROM identifiers WHERE substance_id = ?1",
        params![from, into],
    )?;
    conn.execute("DELETE FROM identifiers WHERE substance_id = ?1", [from])?;
    // An ingredient that already declares the target at the same place needs no second row.
    conn.execute(
        "DELETE FROM ingredients WHERE substance_id = ?1 AND EXISTS (
           SELECT 1 FROM ingredients o WHERE o.formulation_id = ingredients.formulation_id
             AND o.position = ingredients.position AND o.substance_id = ?2)",
        params![from, into],
    )?;
    let ingredients = conn.execute(
        "UPDATE ingredients SET substance_id = ?2 WHERE substance_id = ?1",
        params![from, into],
    )?;
    groups::move_members(conn, from, into)?;
    let items: Vec<i64> = conn
        .prepare("SELECT id FROM patch_test_items WHERE substance_id = ?1")?
        .query_map([from], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute(
        "UPDATE patch_test_items SET substance_id = ?2 WHERE substance_id = ?1",
        params![from, into],
    )?;
    // The merge's event claims the moved items again, with their new content.
    records::reclaim(conn, "patch_test_items", &items)?;
    // Sensitivities are never edited: they follow `merged_into` when read.
    conn.execute(
        "UPDATE substances SET merged_into = ?2 WHERE id = ?1",
        params![from, into],
    )?;
    // `into` now holds `from`'s names; `from`, merged, holds none.
    groups::refresh_inferred(conn, &[from, into])?;
    let (from, into): (String, String) = conn.query_row(
        "SELECT f.key, i.key FROM substances f, substances i WHERE f.id = ?1 AND i.id = ?2",
        params![from, into],
        |r| r.try_into(),
    )?;
    Ok(Merged {
        from,
        into,
        ingredients,
    })
}
