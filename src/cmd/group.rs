//! `group list|show|add|add-member|set`.

use crate::cli::GroupCommand;
use crate::db::group_views::{self, Member};
use crate::db::Db;
use crate::db::{groups, substances};
use crate::error::{Error, Result};
use crate::output::{opt, Output, Table};
use crate::screening::{Level, Relation};

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
            parents,
        } => add(
            db,
            out,
            &NewGroupArgs {
                key: &key,
                name: &name,
                relation,
                on_match,
                note: note.as_deref(),
                parents: parents.as_deref(),
            },
        ),
        GroupCommand::AddMember { group, substance } => add_member(db, out, &group, &substance),
        GroupCommand::Set { group, on_match } => set(db, out, &group, on_match),
    }
}

/// The default `on_match` of a relation (SPEC 2).
fn default_on_match(r: Relation) -> Level {
    match r {
        Relation::SameHapten => Level::Block,
        Relation::CrossReactive | Relation::ChemicalFamily => Level::Caution,
        Relation::CoSensitisation => Level::Note,
    }
}

fn list(db: &Db, out: &Output) -> Result<Exit> {
    let views = group_views::all(&db.conn)?;
    let mut table = Table::new(&["key", "name", "relation", "on match", "members", "inferred"]);
    for g in &views {
        let inferred = g.members.iter().filter(|m| m.inferred).count();
        table.row(vec![
            g.key.clone(),
            g.name.clone(),
            g.relation.clone(),
            g.on_match.clone(),
            (g.members.len() - inferred).to_string(),
            inferred.to_string(),
        ]);
    }
    out.records(&views, &table)?;
    Ok(0)
}

fn show(db: &Db, out: &Output, name: &str) -> Result<Exit> {
    let id = substances::resolve_group(&db.conn, name)?;
    let g = group_views::view(&db.conn, id)?;
    let mut text = format!(
        "{} ({})\n  relation     {}\n  on match     {}\n  note         {}\n  source       {}\n",
        g.name,
        g.key,
        g.relation,
        g.on_match,
        opt(g.note.as_ref()),
        g.source
    );
    if !g.parents.is_empty() {
        text.push_str(&format!("  parents      {}\n", g.parents.join(", ")));
    }
    text.push_str("  members:\n");
    for m in g.members.iter().filter(|m| !m.inferred) {
        text.push_str(&format!("    {} ({})\n", m.name, m.key));
    }
    let inferred: Vec<&Member> = g.members.iter().filter(|m| m.inferred).collect();
    if !inferred.is_empty() {
        text.push_str(&format!(
            "  inferred members ({}, from a name that holds a parent):\n",
            inferred.len()
        ));
        for m in inferred {
            text.push_str(&format!("    {} ({}) inferred\n", m.name, m.key));
        }
    }
    out.document(&g, &text)?;
    Ok(0)
}

/// `group add` as typed.
struct NewGroupArgs<'a> {
    key: &'a str,
    name: &'a str,
    relation: Relation,
    on_match: Option<Level>,
    note: Option<&'a str>,
    parents: Option<&'a str>,
}

fn add(db: &mut Db, out: &Output, args: &NewGroupArgs) -> Result<Exit> {
    let key = crate::ident::name::slug(args.key);
    let exists = group_views::by_key(&db.conn, &key)?;
    if exists.is_some() {
        return Err(Error::invalid_with_hint(
            format!("a group with the key {key:?} exists already"),
            format!("see it with: inkguard group show {key}"),
        ));
    }
    let parents = args.parents.map(crate::ident::moiety::split_parents);
    if parents.as_ref().is_some_and(Vec::is_empty) {
        return Err(Error::invalid_with_hint(
            format!(
                "--parents {:?} names no parent moiety",
                args.parents.unwrap_or("")
            ),
            "give words separated by ;, e.g. --parents \"palladium;palladous\"",
        ));
    }
    let parents = parents.map(|p| p.join(";"));
    let relation = args.relation.as_str();
    let on_match = args
        .on_match
        .unwrap_or(default_on_match(args.relation))
        .as_str();
    let actor = db.actor.clone();
    let tx = db.begin()?;
    groups::insert(
        &tx,
        &groups::NewGroup {
            key: &key,
            name: args.name,
            relation,
            on_match,
            note: args.note,
            source: &format!("added by {actor}"),
            parents: parents.as_deref(),
        },
    )?;
    let inferred = groups::refresh_all_inferred(&tx)?;
    let detail = serde_json::json!({"group": key, "relation": relation, "on_match": on_match,
        "parents": parents, "inferred_members": inferred});
    tx.commit("group add", None, &detail)?;
    let mut text = format!("added group {key} ({relation}, on match: {on_match})");
    if parents.is_some() {
        text.push_str(&format!(
            "; {inferred} inferred members (see: inkguard group show {key})"
        ));
    }
    out.document(&detail, &text)?;
    Ok(0)
}

fn add_member(db: &mut Db, out: &Output, group: &str, substance: &str) -> Result<Exit> {
    let gid = substances::resolve_group(&db.conn, group)?;
    let sid = substances::resolve_one(&db.conn, substance)?;
    let tx = db.begin()?;
    let change = groups::add_member(&tx, gid, sid)?;
    let (gkey, skey) = group_views::keys(&tx, gid, sid)?;
    let added = change != groups::MemberChange::AlreadyListed;
    let detail = serde_json::json!({"group": gkey, "substance": skey, "added": added,
        "was_inferred": change == groups::MemberChange::NowListed});
    // A member already listed writes nothing, so there is no event to append.
    if added {
        tx.commit("group add-member", None, &detail)?;
    } else {
        tx.rollback()?;
    }
    let text = match change {
        groups::MemberChange::Added => format!("{skey} is now a member of {gkey}"),
        groups::MemberChange::NowListed => {
            format!("{skey} was an inferred member of {gkey}; it is now listed")
        }
        groups::MemberChange::AlreadyListed => format!("{skey} was already a member of {gkey}"),
    };
    out.document(&detail, &text)?;
    Ok(0)
}

fn set(db: &mut Db, out: &Output, group: &str, on_match: Level) -> Result<Exit> {
    let gid = substances::resolve_group(&db.conn, group)?;
    let tx = db.begin()?;
    let (key, before) = group_views::set_on_match(&tx, gid, on_match.as_str())?;
    let detail = serde_json::json!({"group": key, "on_match": on_match.as_str(), "was": before});
    tx.commit("group set", None, &detail)?;
    out.document(
        &detail,
        &format!("{key}: on match {before} -> {}", on_match.as_str()),
    )?;
    Ok(0)
}
