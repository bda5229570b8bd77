//! Groups as `group list|show` give them, the look-ups of `group add|add-member`, and
//! `group set`'s one change.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;
use crate::ids::{GroupId, SubstanceId};

#[derive(Serialize)]
pub struct GroupView {
    pub key: String,
    pub name: String,
    pub relation: String,
    pub on_match: String,
    pub note: Option<String>,
    pub source: String,
    /// The parent moieties (same-hapten groups): names holding one make inferred members.
    pub parents: Vec<String>,
    pub members: Vec<Member>,
}

#[derive(Serialize)]
pub struct Member {
    pub key: String,
    pub name: String,
    /// Whether the membership is inferred from the name (a parent moiety), not listed.
    pub inferred: bool,
}

/// A group with its members, listed ones first.
pub fn view(conn: &Connection, id: GroupId) -> Result<GroupView> {
    let mut view = conn.query_row(
        "SELECT key, name, relation, on_match, note, source, parents FROM groups WHERE id = ?1",
        [id],
        |r| {
            Ok(GroupView {
                key: r.get(0)?,
                name: r.get(1)?,
                relation: r.get(2)?,
                on_match: r.get(3)?,
                note: r.get(4)?,
                source: r.get(5)?,
                parents: crate::ident::moiety::split_parents(
                    &r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                ),
                members: Vec::new(),
            })
        },
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.key, s.name, m.inferred FROM group_members m JOIN substances s ON s.id = m.substance_id
         WHERE m.group_id = ?1 ORDER BY m.inferred, s.name",
    )?;
    view.members = stmt
        .query_map([id], |r| {
            Ok(Member {
                key: r.get(0)?,
                name: r.get(1)?,
                inferred: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(view)
}

/// Every group, by key.
pub fn all(conn: &Connection) -> Result<Vec<GroupView>> {
    let ids: Vec<GroupId> = conn
        .prepare("SELECT id FROM groups ORDER BY key")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter().map(|id| view(conn, id)).collect()
}

/// The group with this exact key, if any.
pub fn by_key(conn: &Connection, key: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT id FROM groups WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

/// The keys of a group and a substance.
pub fn keys(conn: &Connection, group: GroupId, substance: SubstanceId) -> Result<(String, String)> {
    Ok(conn.query_row(
        "SELECT g.key, s.key FROM groups g, substances s WHERE g.id = ?1 AND s.id = ?2",
        params![group, substance],
        |r| r.try_into(),
    )?)
}

/// Sets what a match of the group does; returns its key and the `on_match` it had.
pub fn set_on_match(conn: &Connection, group: GroupId, on_match: &str) -> Result<(String, String)> {
    let (key, before): (String, String) = conn.query_row(
        "SELECT key, on_match FROM groups WHERE id = ?1",
        [group],
        |r| r.try_into(),
    )?;
    conn.execute(
        "UPDATE groups SET on_match = ?2 WHERE id = ?1",
        params![group, on_match],
    )?;
    Ok((key, before))
}
