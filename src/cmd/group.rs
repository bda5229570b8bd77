//! `group list|show|add|add-member|set`.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::cli::{GroupCommand, OnMatch, Relation};
use crate::db::substances;
use crate::db::{audit, Db};
use crate::error::{Error, Result};
use crate::output::{opt, Output, Table};

use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: GroupCommand) -> Result<Exit> {
    match command {
        GroupCommand::List => list(db, out),
        GroupCommand::Show { name } => show(db, out, &name),
        GroupCommand::Add {
            key,
            name,
            relation,
            on_match,
            note,
        } => add(db, out, &key, &name, relation, on_match, note),
        GroupCommand::AddMember { group, substance } => add_member(db, out, &group, &substance),
        GroupCommand::Set { group, on_match } => set(db, out, &group, on_match),
    }
}

fn relation_str(r: Relation) -> &'static str {
    match r {
        Relation::SameHapten => "same-hapten",
        Relation::CrossReactive => "cross-reactive",
        Relation::ChemicalFamily => "chemical-family",
        Relation::CoSensitisation => "co-sensitisation",
    }
}

fn on_match_str(m: OnMatch) -> &'static str {
    match m {
        OnMatch::Block => "block",
        OnMatch::Caution => "caution",
        OnMatch::Note => "note",
    }
}

/// The default `on_match` of a relation (SPEC 2).
fn default_on_match(r: Relation) -> OnMatch {
    match r {
        Relation::SameHapten => OnMatch::Block,
        Relation::CrossReactive | Relation::ChemicalFamily => OnMatch::Caution,
        Relation::CoSensitisation => OnMatch::Note,
    }
}

#[derive(Serialize)]
struct GroupView {
    key: String,
    name: String,
    relation: String,
    on_match: String,
    note: Option<String>,
    source: String,
    members: Vec<Member>,
}

#[derive(Serialize)]
struct Member {
    key: String,
    name: String,
}

fn group_view(db: &Db, id: i64) -> Result<GroupView> {
    let conn = &db.conn;
    let mut view = conn.query_row(
        "SELECT key, name, relation, on_match, note, source FROM groups WHERE id = ?1",
        [id],
        |r| {
            Ok(GroupView {
                key: r.get(0)?,
                name: r.get(1)?,
                relation: r.get(2)?,
                on_match: r.get(3)?,
                note: r.get(4)?,
                source: r.get(5)?,
                members: Vec::new(),
            })
        },
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT s.key, s.name FROM group_members m JOIN substances s ON s.id = m.substance_id
         WHERE m.group_id = ?1 ORDER BY s.name",
    )?;
    view.members = stmt
        .query_map([id], |r| {
            Ok(Member {
                key: r.get(0)?,
                name: r.get(1)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(view)
}

fn list(db: &Db, out: &Output) -> Result<Exit> {
    let ids: Vec<i64> = db
        .conn
        .prepare("SELECT id FROM groups ORDER BY key")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let views = ids
        .into_iter()
        .map(|id| group_view(db, id))
        .collect::<Result<Vec<_>>>()?;
    let mut table = Table::new(&["key", "name", "relation", "on match", "members"]);
    for g in &views {
        table.row(vec![
            g.key.clone(),
            g.name.clone(),
            g.relation.clone(),
            g.on_match.clone(),
            g.members.len().to_string(),
        ]);
    }
    out.records(&views, &table)?;
    Ok(0)
}

fn show(db: &Db, out: &Output, name: &str) -> Result<Exit> {
    let id = substances::resolve_group(&db.conn, name)?;
    let g = group_view(db, id)?;
    let mut text = format!(
        "{} ({})\n  relation     {}\n  on match     {}\n  note         {}\n  source       {}\n  members:\n",
        g.name, g.key, g.relation, g.on_match, opt(g.note.as_ref()), g.source
    );
    for m in &g.members {
        text.push_str(&format!("    {} ({})\n", m.name, m.key));
    }
    out.document(&g, &text)?;
    Ok(0)
}

fn add(
    db: &mut Db,
    out: &Output,
    key: &str,
    name: &str,
    relation: Relation,
    on_match: Option<OnMatch>,
    note: Option<String>,
) -> Result<Exit> {
    let key = crate::ident::name::slug(key);
    let exists: Option<i64> = db
        .conn
        .query_row("SELECT id FROM groups WHERE key = ?1", [&key], |r| r.get(0))
        .optional()?;
    if exists.is_some() {
        return Err(Error::invalid_with_hint(
            format!("a group with the key {key:?} exists already"),
            format!("see it with: inkguard group show {key}"),
        ));
    }
    let on_match = on_match.unwrap_or(default_on_match(relation));
    let (actor, at) = (db.actor.clone(), db.stamp());
    let tx = db.write()?;
    tx.execute(
        "INSERT INTO groups (key, name, relation, on_match, note, source) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![key, name, relation_str(relation), on_match_str(on_match), note, format!("added by {actor}")],
    )?;
    let detail = serde_json::json!({"group": key, "relation": relation_str(relation), "on_match": on_match_str(on_match)});
    audit::append(&tx, &actor, &at, "group add", None, &detail)?;
    tx.commit()?;
    out.document(
        &detail,
        &format!(
            "added group {key} ({}, on match: {})",
            relation_str(relation),
            on_match_str(on_match)
        ),
    )?;
    Ok(0)
}

fn add_member(db: &mut Db, out: &Output, group: &str, substance: &str) -> Result<Exit> {
    let gid = substances::resolve_group(&db.conn, group)?;
    let sid = substances::resolve_one(&db.conn, substance)?;
    let (actor, at) = (db.actor.clone(), db.stamp());
    let tx = db.write()?;
    let added = tx.execute(
        "INSERT OR IGNORE INTO group_members (group_id, substance_id) VALUES (?1, ?2)",
        [gid, sid],
    )?;
    let (gkey, skey): (String, String) = tx.query_row(
        "SELECT g.key, s.key FROM groups g, substances s WHERE g.id = ?1 AND s.id = ?2",
        [gid, sid],
        |r| r.try_into(),
    )?;
    let detail = serde_json::json!({"group": gkey, "substance": skey, "added": added > 0});
    if added > 0 {
        audit::append(&tx, &actor, &at, "group add-member", None, &detail)?;
    }
    tx.commit()?;
    let text = if added > 0 {
        format!("{skey} is now a member of {gkey}")
    } else {
        format!("{skey} was already a member of {gkey}")
    };
    out.document(&detail, &text)?;
    Ok(0)
}

fn set(db: &mut Db, out: &Output, group: &str, on_match: OnMatch) -> Result<Exit> {
    let gid = substances::resolve_group(&db.conn, group)?;
    let (actor, at) = (db.actor.clone(), db.stamp());
    let tx = db.write()?;
    let (key, before): (String, String) = tx.query_row(
        "SELECT key, on_match FROM groups WHERE id = ?1",
        [gid],
        |r| r.try_into(),
    )?;
    tx.execute(
        "UPDATE groups SET on_match = ?2 WHERE id = ?1",
        params![gid, on_match_str(on_match)],
    )?;
    let detail =
        serde_json::json!({"group": key, "on_match": on_match_str(on_match), "was": before});
    audit::append(&tx, &actor, &at, "group set", None, &detail)?;
    tx.commit()?;
    out.document(
        &detail,
        &format!("{key}: on match {before} -> {}", on_match_str(on_match)),
    )?;
    Ok(0)
}
