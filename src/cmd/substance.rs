//! `substance list|show|alias|merge`.

use serde::Serialize;

use crate::cli::SubstanceCommand;
use crate::db::substances::{self, IdKind};
use crate::db::Db;
use crate::db::{groups, substance_list, substance_merge};
use crate::error::{Error, Result};
use crate::ident;
use crate::ids::SubstanceId;
use crate::output::{opt, Output, Table};

use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: SubstanceCommand) -> Result<Exit> {
    match command {
        SubstanceCommand::List { search, unverified } => {
            list(db, out, search.as_deref(), unverified)
        }
        SubstanceCommand::Show { name } => show(db, out, &name),
        SubstanceCommand::Alias { name, alias } => add_alias(db, out, &name, &alias),
        SubstanceCommand::Merge { from, into } => merge(db, out, &from, &into),
    }
}

#[derive(Serialize)]
struct ListItem {
    key: String,
    name: String,
    cas: Vec<String>,
    ci: Vec<String>,
    verified: bool,
    source: String,
}

fn list(db: &Db, out: &Output, search: Option<&str>, unverified: bool) -> Result<Exit> {
    let conn = &db.conn;
    let mut ids: Vec<SubstanceId> = match search {
        Some(text) => {
            let norm = ident::normalize_name(text);
            let mut found = substances::lookup(conn, text)?;
            for id in substance_list::ids_with_name_part(conn, &norm)? {
                if !found.contains(&id) {
                    found.push(id);
                }
            }
            found
        }
        None => substance_list::unmerged_ids(conn)?,
    };
    let mut items = Vec::with_capacity(ids.len());
    ids.sort_unstable();
    for id in ids {
        let (key, name, verified, source) = substance_list::summary(conn, id)?;
        if unverified && verified {
            continue;
        }
        items.push(ListItem {
            cas: substances::identifiers_of(conn, id, IdKind::Cas)?,
            ci: substances::identifiers_of(conn, id, IdKind::Ci)?,
            key,
            name,
            verified,
            source,
        });
    }
    items.sort_by_key(|i| i.name.to_lowercase());
    let mut table = Table::new(&["key", "name", "cas", "ci", "verified"]);
    for i in &items {
        table.row(vec![
            i.key.clone(),
            i.name.clone(),
            i.cas.join(", "),
            i.ci.join(", "),
            if i.verified { "yes" } else { "NO" }.into(),
        ]);
    }
    out.records(&items, &table)?;
    Ok(0)
}

fn show(db: &Db, out: &Output, name: &str) -> Result<Exit> {
    let id = substances::resolve_one(&db.conn, name)?;
    let v = substances::view(&db.conn, id)?;
    let mut text = format!("{} ({})\n", v.name, v.key);
    let mut line = |label: &str, values: &[String]| {
        if !values.is_empty() {
            text.push_str(&format!("  {label:<13}{}\n", values.join(", ")));
        }
    };
    line("CAS", &v.cas);
    line("EC", &v.ec);
    line("Colour Index", &v.ci);
    line("INCI", &v.inci);
    line("synonyms", &v.synonyms);
    line("category", &v.category.iter().cloned().collect::<Vec<_>>());
    line(
        "groups",
        &v.groups
            .iter()
            .map(|g| format!("{} ({}, on match: {})", g.key, g.relation, g.on_match))
            .collect::<Vec<_>>(),
    );
    line(
        "restrictions",
        &v.restrictions
            .iter()
            .map(|r| match r.limit_mg_per_kg {
                Some(l) => format!("{}: at most {l} mg/kg in tattoo/PMU inks", r.jurisdiction),
                None => format!(
                    "{}: {} from {}",
                    r.jurisdiction,
                    r.rule,
                    opt(r.applies_from.as_ref())
                ),
            })
            .collect::<Vec<_>>(),
    );
    line("note", &v.note.iter().cloned().collect::<Vec<_>>());
    line("source", std::slice::from_ref(&v.source));
    if !v.verified {
        text.push_str("  UNVERIFIED: created by an import because nothing known matched; merge it into a known substance with `inkguard substance merge`\n");
    }
    out.document(&v, &text)?;
    Ok(0)
}

fn add_alias(db: &mut Db, out: &Output, name: &str, alias: &str) -> Result<Exit> {
    if ident::normalize_name(alias).is_empty() {
        return Err(Error::invalid(
            "the alias is empty: give a name with letters or digits",
        ));
    }
    let id = substances::resolve_one(&db.conn, name)?;
    let taken = substances::lookup(&db.conn, alias)?;
    if let Some(other) = taken.iter().find(|t| **t != id) {
        return Err(Error::invalid_with_hint(
            format!(
                "{alias:?} already names {}",
                substances::label(&db.conn, *other)?
            ),
            "an alias must not make a name ambiguous; choose another",
        ));
    }
    let (kind, value) = alias_kind(alias);
    let actor = db.actor.clone();
    let tx = db.begin()?;
    let added = substances::add_identifier(&tx, id, kind, &value, &format!("alias by {actor}"))?;
    let key = substance_list::key(&tx, id)?;
    // A new name may hold a group's parent (`Nickel gluconate`).
    groups::refresh_inferred(&tx, &[id])?;
    // A name already known writes nothing, so there is no event to append.
    if added {
        tx.commit(
            "substance alias",
            None,
            &serde_json::json!({"substance": key, "alias": alias}),
        )?;
    } else {
        tx.rollback()?;
    }
    let message = if added {
        format!("{key} is now also known as {alias:?}")
    } else {
        format!("{key} is already known as {alias:?}")
    };
    out.document(
        &serde_json::json!({"substance": key, "alias": alias, "added": added}),
        &message,
    )?;
    Ok(0)
}

/// An alias that is a number (`CAS 1234-56-6`, `1234-56-6`, `EC 215-609-9`, `CI 77499`) is
/// stored as that number, so that imports and look-ups find it as one; anything else is a
/// synonym.
fn alias_kind(alias: &str) -> (IdKind, String) {
    let t = alias.trim();
    let lower = t.to_ascii_lowercase();
    let bare = [
        "cas no.", "cas no", "cas-nr.", "cas", "ec no.", "ec no", "ec", "einecs",
    ]
    .iter()
    .find(|p| lower.starts_with(*p) && t.is_char_boundary(p.len()))
    .map_or(t, |p| t[p.len()..].trim_start_matches([' ', ':', '.']));
    if let Ok(cas) = ident::Cas::parse(bare) {
        return (IdKind::Cas, cas.to_string());
    }
    if let Ok(ec) = ident::Ec::parse(bare) {
        return (IdKind::Ec, ec.to_string());
    }
    if let Ok(ci) = ident::ColourIndex::parse(t) {
        return (IdKind::Ci, ci.to_string());
    }
    (IdKind::Synonym, t.to_string())
}

fn merge(db: &mut Db, out: &Output, from: &str, into: &str) -> Result<Exit> {
    let conn = &db.conn;
    let from_id = substances::resolve_one(conn, from)?;
    let into_id = substances::resolve_one(conn, into)?;
    if from_id == into_id {
        return Err(Error::invalid(format!(
            "{from:?} and {into:?} are the same substance"
        )));
    }
    let from_verified = crate::db::clinical::substance_verified(conn, from_id)?;
    if from_verified {
        return Err(Error::invalid_with_hint(
            format!("{} is a known substance, not an unverified one", substances::label(conn, from_id)?),
            "merge moves an unverified substance (see `inkguard substance list --unverified`) into a known one",
        ));
    }
    let tx = db.begin()?;
    let merged = substance_merge::merge(&tx, from_id, into_id)?;
    let (keys, ingredients) = ((merged.from, merged.into), merged.ingredients);
    let detail = serde_json::json!({"from": keys.0, "into": keys.1, "ingredients": ingredients});
    tx.commit("substance merge", None, &detail)?;
    out.document(
        &detail,
        &format!(
            "merged {} into {}: {ingredients} ingredient rows follow",
            keys.0, keys.1
        ),
    )?;
    Ok(0)
}
