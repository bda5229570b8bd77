//! Groups and their members. A member is listed (curated, or added with `group add-member`) or
//! inferred: one of its names holds one of the group's parent moieties as a word (SPEC 2,
//! `ident::moiety`). Inferred rows are derived data: every command that adds substances or names
//! calls [`refresh_inferred`] (or [`refresh_all_inferred`]) for what it touched, in its own
//! transaction. A listed row is never turned into an inferred one.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::Result;
use crate::ident::moiety::{split_parents, Words};
use crate::ids::{GroupId, SubstanceId};

/// The groups that have parents, each with its parents cut into words.
struct Parents(Vec<(GroupId, Vec<Words>)>);

impl Parents {
    fn load(conn: &Connection) -> Result<Parents> {
        let mut stmt = conn.prepare_cached(
            "SELECT id, parents FROM groups WHERE parents IS NOT NULL AND trim(parents) != '' ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| <(GroupId, String)>::try_from(r))?;
        let mut groups = Vec::new();
        for row in rows {
            let (id, cell) = row?;
            let words: Vec<Words> = split_parents(&cell).iter().map(|p| Words::new(p)).collect();
            if !words.is_empty() {
                groups.push((id, words));
            }
        }
        Ok(Parents(groups))
    }

    /// The groups one of `names` belongs to by its parents.
    fn groups_of(&self, names: &[Words]) -> BTreeSet<GroupId> {
        self.0
            .iter()
            .filter(|(_, parents)| names.iter().any(|n| parents.iter().any(|p| n.holds(p))))
            .map(|(id, _)| *id)
            .collect()
    }
}

/// Brings the inferred memberships of these substances up to date with their names and the
/// groups' parents: adds the missing ones, removes those no name supports any more (a merged
/// substance has none). Listed memberships are left alone. Returns how many rows changed.
///
/// Call it, in the same transaction, after adding substances or names (an import that creates
/// unverified substances passes their ids).
pub fn refresh_inferred(conn: &Connection, substance_ids: &[SubstanceId]) -> Result<usize> {
    let parents = Parents::load(conn)?;
    let mut names_stmt = conn.prepare_cached(
        "SELECT s.name FROM substances s WHERE s.id = ?1 AND s.merged_into IS NULL
         UNION ALL
         SELECT i.value FROM identifiers i JOIN substances s ON s.id = i.substance_id
         WHERE i.substance_id = ?1 AND s.merged_into IS NULL
           AND i.kind IN ('name', 'inci', 'synonym')",
    )?;
    let mut done = BTreeSet::new();
    let mut changed = 0;
    for &id in substance_ids {
        if !done.insert(id) {
            continue;
        }
        let names: Vec<Words> = names_stmt
            .query_map([id], |r| r.get::<_, String>(0))?
            .map(|n| n.map(|n| Words::new(&n)))
            .collect::<rusqlite::Result<_>>()?;
        changed += sync(conn, id, &parents.groups_of(&names))?;
    }
    Ok(changed)
}

/// [`refresh_inferred`] for every substance: after a group's parents change, and at `init`.
pub fn refresh_all_inferred(conn: &Connection) -> Result<usize> {
    let parents = Parents::load(conn)?;
    let mut names: HashMap<SubstanceId, Vec<Words>> = HashMap::new();
    if !parents.0.is_empty() {
        let mut stmt = conn.prepare(
            "SELECT s.id, s.name FROM substances s WHERE s.merged_into IS NULL
             UNION ALL
             SELECT i.substance_id, i.value FROM identifiers i
             JOIN substances s ON s.id = i.substance_id
             WHERE s.merged_into IS NULL AND i.kind IN ('name', 'inci', 'synonym')",
        )?;
        let rows = stmt.query_map([], |r| <(SubstanceId, String)>::try_from(r))?;
        for row in rows {
            let (id, name) = row?;
            names.entry(id).or_default().push(Words::new(&name));
        }
    }
    let mut ids: BTreeSet<SubstanceId> = names.keys().copied().collect();
    let mut stmt =
        conn.prepare("SELECT DISTINCT substance_id FROM group_members WHERE inferred = 1")?;
    for id in stmt.query_map([], |r| r.get(0))? {
        ids.insert(id?);
    }
    let mut changed = 0;
    for id in ids {
        let want = names
            .get(&id)
            .map_or_else(BTreeSet::new, |n| parents.groups_of(n));
        changed += sync(conn, id, &want)?;
    }
    Ok(changed)
}

/// Makes the inferred rows of one substance exactly `want` (where not listed).
fn sync(conn: &Connection, id: SubstanceId, want: &BTreeSet<GroupId>) -> Result<usize> {
    let mut changed = 0;
    let have: Vec<GroupId> = conn
        .prepare_cached(
            "SELECT group_id FROM group_members WHERE substance_id = ?1 AND inferred = 1",
        )?
        .query_map([id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut delete = conn.prepare_cached(
        "DELETE FROM group_members WHERE group_id = ?1 AND substance_id = ?2 AND inferred = 1",
    )?;
    for group in have.iter().filter(|g| !want.contains(g)) {
        changed += delete.execute(params![group, id])?;
    }
    let mut insert = conn.prepare_cached(
        "INSERT OR IGNORE INTO group_members (group_id, substance_id, inferred) VALUES (?1, ?2, 1)",
    )?;
    for group in want.iter().filter(|g| !have.contains(g)) {
        changed += insert.execute(params![group, id])?;
    }
    Ok(changed)
}

/// What `group add-member` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    Added,
    /// It was an inferred member; now it is listed.
    NowListed,
    AlreadyListed,
}

/// Lists a substance as a member (an inferred member becomes listed).
pub fn add_member(
    conn: &Connection,
    group: GroupId,
    substance: SubstanceId,
) -> Result<MemberChange> {
    let before: Option<bool> = conn
        .prepare_cached(
            "SELECT inferred FROM group_members WHERE group_id = ?1 AND substance_id = ?2",
        )?
        .query_row(params![group, substance], |r| r.get(0))
        .optional()?;
    conn.prepare_cached(
        "INSERT INTO group_members (group_id, substance_id, inferred) VALUES (?1, ?2, 0)
         ON CONFLICT (group_id, substance_id) DO UPDATE SET inferred = 0",
    )?
    .execute(params![group, substance])?;
    Ok(match before {
        None => MemberChange::Added,
        Some(true) => MemberChange::NowListed,
        Some(false) => MemberChange::AlreadyListed,
    })
}

/// Moves the listed memberships of `from` to `into` (merge): a membership listed on either
/// stays listed. Inferred ones are not moved: refresh `into` afterwards, since it now has
/// `from`'s names, and `from` (merged) loses its own.
pub fn move_members(conn: &Connection, from: SubstanceId, into: SubstanceId) -> Result<()> {
    conn.execute(
        "INSERT INTO group_members (group_id, substance_id, inferred)
         SELECT group_id, ?2, 0 FROM group_members WHERE substance_id = ?1 AND inferred = 0
         ON CONFLICT (group_id, substance_id) DO UPDATE SET inferred = 0",
        params![from, into],
    )?;
    conn.execute("DELETE FROM group_members WHERE substance_id = ?1", [from])?;
    Ok(())
}

/// A new group. `parents` is the `;`-separated parent moieties, if any.
pub struct NewGroup<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub relation: &'a str,
    pub on_match: &'a str,
    pub note: Option<&'a str>,
    pub source: &'a str,
    pub parents: Option<&'a str>,
}

/// Inserts a group unless one has its key; returns whether it did. A group with parents gets
/// its inferred members at once.
pub fn insert(conn: &Connection, g: &NewGroup) -> Result<bool> {
    let parents = g
        .parents
        .map(|p| split_parents(p).join(";"))
        .filter(|p| !p.is_empty());
    let added = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO groups (key, name, relation, on_match, note, source, parents)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            g.key, g.name, g.relation, g.on_match, g.note, g.source, parents
        ])?;
    Ok(added > 0)
}

/// Gives a group its parents where it has none yet (a database made before groups had
/// parents); a group whose parents are set keeps them. Returns whether it changed.
pub fn set_parents_if_unset(conn: &Connection, key: &str, parents: &str) -> Result<bool> {
    let parents = split_parents(parents).join(";");
    if parents.is_empty() {
        return Ok(false);
    }
    let changed = conn
        .prepare_cached(
            "UPDATE groups SET parents = ?2 WHERE key = ?1 AND (parents IS NULL OR trim(parents) = '')",
        )?
        .execute(params![key, parents])?;
    Ok(changed > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::substances::{self, IdKind, NewRow};

    fn db() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::migrate(&conn).unwrap();
        crate::db::reference::load_builtin(&conn, "2026-01-01T00:00:00Z").unwrap();
        conn
    }

    fn new_substance(conn: &Connection, name: &str) -> SubstanceId {
        let row = NewRow {
            name,
            verified: false,
            category: None,
            note: None,
            source: "test",
        };
        substances::insert(conn, row, "2026-01-01T00:00:00Z").unwrap()
    }

    fn membership(conn: &Connection, group: &str, id: SubstanceId) -> Option<bool> {
        conn.query_row(
            "SELECT m.inferred FROM group_members m JOIN groups g ON g.id = m.group_id
             WHERE g.key = ?1 AND m.substance_id = ?2",
            params![group, id],
            |r| r.get(0),
        )
        .optional()
        .unwrap()
    }

    fn group_id(conn: &Connection, key: &str) -> GroupId {
        conn.query_row("SELECT id FROM groups WHERE key = ?1", [key], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_new_substance_named_after_a_parent_is_an_inferred_member() {
        let conn = db();
        let id = new_substance(&conn, "Nickel gluconate");
        assert_eq!(membership(&conn, "nickel-compounds", id), None);
        assert_eq!(refresh_inferred(&conn, &[id]).unwrap(), 1);
        assert_eq!(membership(&conn, "nickel-compounds", id), Some(true));
        assert_eq!(
            refresh_inferred(&conn, &[id, id]).unwrap(),
            0,
            "a second refresh changes nothing"
        );
    }

    #[test]
    fn a_synonym_can_make_a_member_and_a_merge_takes_it_away() {
        let conn = db();
        let id = new_substance(&conn, "Green 17");
        substances::add_identifier(&conn, id, IdKind::Synonym, "Chromium oxide hydrate", "t")
            .unwrap();
        refresh_inferred(&conn, &[id]).unwrap();
        assert_eq!(membership(&conn, "chromium-compounds", id), Some(true));
        conn.execute("UPDATE substances SET merged_into = 1 WHERE id = ?1", [id])
            .unwrap();
        refresh_inferred(&conn, &[id]).unwrap();
        assert_eq!(membership(&conn, "chromium-compounds", id), None);
    }

    #[test]
    fn a_listed_member_is_never_downgraded_and_add_member_lists_an_inferred_one() {
        let conn = db();
        let listed: SubstanceId = conn
            .query_row(
                "SELECT id FROM substances WHERE key = 'nickel-sulfate'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        refresh_all_inferred(&conn).unwrap();
        assert_eq!(membership(&conn, "nickel-compounds", listed), Some(false));
        let id = new_substance(&conn, "Nickel gluconate");
        refresh_inferred(&conn, &[id]).unwrap();
        let group = group_id(&conn, "nickel-compounds");
        assert_eq!(
            add_member(&conn, group, id).unwrap(),
            MemberChange::NowListed
        );
        assert_eq!(membership(&conn, "nickel-compounds", id), Some(false));
        assert_eq!(
            add_member(&conn, group, id).unwrap(),
            MemberChange::AlreadyListed
        );
        refresh_all_inferred(&conn).unwrap();
        assert_eq!(membership(&conn, "nickel-compounds", id), Some(false));
    }

    #[test]
    fn a_new_group_with_parents_finds_its_members() {
        let conn = db();
        let id = new_substance(&conn, "Palladium chloride");
        let g = NewGroup {
            key: "palladium",
            name: "Palladium compounds",
            relation: "same-hapten",
            on_match: "block",
            note: None,
            source: "test",
            parents: Some("palladium"),
        };
        assert!(insert(&conn, &g).unwrap());
        refresh_all_inferred(&conn).unwrap();
        assert_eq!(membership(&conn, "palladium", id), Some(true));
    }

    #[test]
    fn the_builtin_parents_make_the_curated_salts_members() {
        let conn = db();
        let ppd = new_substance(&conn, "p-Phenylenediamine sulfate");
        let meta = new_substance(&conn, "m-Phenylenediamine sulfate");
        let cobalt = new_substance(&conn, "Cobalt titanium oxide");
        refresh_inferred(&conn, &[ppd, meta, cobalt]).unwrap();
        assert_eq!(
            membership(&conn, "p-phenylenediamine-forms", ppd),
            Some(true)
        );
        assert_eq!(membership(&conn, "p-phenylenediamine-forms", meta), None);
        assert_eq!(membership(&conn, "cobalt-compounds", cobalt), Some(true));
    }
}
