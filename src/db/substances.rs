//! Substances, their identifiers and groups: inserting them and finding them by any name or
//! number a user may type.

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::ident::{self, name::slug, Cas, ColourIndex, Ec};
use crate::ids::{GroupId, SubstanceId};

mod suggest;

pub use suggest::{closest, suggest, suggest_for};

/// The kinds of identifier, as stored in `identifiers.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdKind {
    Name,
    Inci,
    Synonym,
    Cas,
    Ec,
    Ci,
}

impl IdKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IdKind::Name => "name",
            IdKind::Inci => "inci",
            IdKind::Synonym => "synonym",
            IdKind::Cas => "cas",
            IdKind::Ec => "ec",
            IdKind::Ci => "ci",
        }
    }

    pub fn parse(s: &str) -> Option<IdKind> {
        Some(match s {
            "name" => IdKind::Name,
            "inci" => IdKind::Inci,
            "synonym" => IdKind::Synonym,
            "cas" => IdKind::Cas,
            "ec" => IdKind::Ec,
            "ci" => IdKind::Ci,
            _ => return None,
        })
    }

    pub fn is_name(self) -> bool {
        matches!(self, IdKind::Name | IdKind::Inci | IdKind::Synonym)
    }
}

/// The lookup key stored in `identifiers.norm` for a CI number: its five digits, or its key
/// above 99999 when it has a sub-number (`CI 42765:1` is `142765`; see `ColourIndex::number`).
pub fn ci_norm(ci: ColourIndex) -> String {
    format!("{:05}", ci.number())
}

/// A substance to insert.
#[derive(Debug, Clone, Copy)]
pub struct NewRow<'a> {
    pub name: &'a str,
    pub verified: bool,
    pub category: Option<&'a str>,
    pub note: Option<&'a str>,
    pub source: &'a str,
}

/// Inserts a substance under a key made unique from its name, and its preferred name as an
/// identifier. Returns its id.
pub fn insert(conn: &Connection, row: NewRow, at: &str) -> Result<SubstanceId> {
    let base = slug(row.name);
    let mut key = base.clone();
    let mut n = 1;
    let mut exists = conn.prepare_cached("SELECT 1 FROM substances WHERE key = ?1")?;
    while exists.exists([&key])? {
        n += 1;
        key = format!("{base}-{n}");
    }
    conn.prepare_cached(
        "INSERT INTO substances (key, name, verified, category, note, source, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        key,
        row.name,
        row.verified,
        row.category,
        row.note,
        row.source,
        at
    ])?;
    let id = SubstanceId(conn.last_insert_rowid());
    add_identifier(conn, id, IdKind::Name, row.name, row.source)?;
    Ok(id)
}

/// Adds an identifier unless the substance already has it. `value` must already be valid for
/// its kind (numbers canonical). Returns whether a row was added.
pub fn add_identifier(
    conn: &Connection,
    substance: SubstanceId,
    kind: IdKind,
    value: &str,
    source: &str,
) -> Result<bool> {
    let norm = identifier_norm(kind, value)?;
    if norm.is_empty() {
        return Ok(false);
    }
    let shown = match kind {
        IdKind::Ci => ColourIndex::parse(value)
            .map(|ci| ci.to_string())
            .map_err(|e| Error::invalid(e.to_string()))?,
        _ => value.trim().to_string(),
    };
    let added = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO identifiers (substance_id, kind, value, norm, source)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![substance, kind.as_str(), shown, norm, source])?;
    Ok(added > 0)
}

/// The lookup key of an identifier (`identifiers.norm`): the canonical number, the five digits
/// of a Colour Index number, or the normalised name.
pub fn identifier_norm(kind: IdKind, value: &str) -> Result<String> {
    Ok(match kind {
        IdKind::Ci => ColourIndex::parse(value)
            .map(ci_norm)
            .map_err(|e| Error::invalid(e.to_string()))?,
        IdKind::Cas | IdKind::Ec => value.to_string(),
        _ => ident::normalize_name(value),
    })
}

/// A substance as `substance show` prints it.
#[derive(Debug, Serialize)]
pub struct SubstanceView {
    pub key: String,
    pub name: String,
    pub cas: Vec<String>,
    pub ec: Vec<String>,
    pub ci: Vec<String>,
    pub inci: Vec<String>,
    pub synonyms: Vec<String>,
    pub verified: bool,
    pub category: Option<String>,
    pub note: Option<String>,
    pub source: String,
    pub merged_into: Option<String>,
    pub groups: Vec<GroupRef>,
    pub restrictions: Vec<RestrictionView>,
}

#[derive(Debug, Serialize)]
pub struct GroupRef {
    pub key: String,
    pub name: String,
    pub relation: String,
    pub on_match: String,
}

#[derive(Debug, Serialize)]
pub struct RestrictionView {
    pub jurisdiction: String,
    pub rule: String,
    pub limit_mg_per_kg: Option<f64>,
    pub applies_from: Option<String>,
    pub label_statement: Option<String>,
    pub source: String,
}

/// The identifiers of one substance by kind, in the order they were added.
pub fn identifiers_of(conn: &Connection, id: SubstanceId, kind: IdKind) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT value FROM identifiers WHERE substance_id = ?1 AND kind = ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![id, kind.as_str()], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn view(conn: &Connection, id: SubstanceId) -> Result<SubstanceView> {
    let (key, name, verified, category, note, source, merged_into): (
        String,
        String,
        bool,
        Option<String>,
        Option<String>,
        String,
        Option<String>,
    ) = conn.query_row(
        "SELECT s.key, s.name, s.verified, s.category, s.note, s.source, m.key
         FROM substances s LEFT JOIN substances m ON m.id = s.merged_into WHERE s.id = ?1",
        [id],
        |r| r.try_into(),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT g.key, g.name, g.relation, g.on_match FROM group_members m
         JOIN groups g ON g.id = m.group_id WHERE m.substance_id = ?1 ORDER BY g.key",
    )?;
    let groups = stmt
        .query_map([id], |r| {
            Ok(GroupRef {
                key: r.get(0)?,
                name: r.get(1)?,
                relation: r.get(2)?,
                on_match: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT jurisdiction, rule, limit_mg_per_kg, applies_from, label_statement, source
         FROM restrictions WHERE substance_id = ?1 ORDER BY jurisdiction, rule",
    )?;
    let restrictions = stmt
        .query_map([id], |r| {
            Ok(RestrictionView {
                jurisdiction: r.get(0)?,
                rule: r.get(1)?,
                limit_mg_per_kg: r.get(2)?,
                applies_from: r.get(3)?,
                label_statement: r.get(4)?,
                source: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut synonyms = identifiers_of(conn, id, IdKind::Synonym)?;
    // Names taken over by `merge` and `alias` are synonyms too; the preferred name is not.
    for other in identifiers_of(conn, id, IdKind::Name)? {
        if ident::normalize_name(&other) != ident::normalize_name(&name) {
            synonyms.push(other);
        }
    }
    Ok(SubstanceView {
        cas: identifiers_of(conn, id, IdKind::Cas)?,
        ec: identifiers_of(conn, id, IdKind::Ec)?,
        ci: identifiers_of(conn, id, IdKind::Ci)?,
        inci: identifiers_of(conn, id, IdKind::Inci)?,
        synonyms,
        key,
        name,
        verified,
        category,
        note,
        source,
        merged_into,
        groups,
        restrictions,
    })
}

/// Finds the substances a user means by `text`: a key, a CAS, EC or Colour Index number, or any
/// name, INCI name or synonym. Merged substances lead to the substance they were merged into.
pub fn lookup(conn: &Connection, text: &str) -> Result<Vec<SubstanceId>> {
    let t = text.trim();
    let mut queries: Vec<(&str, String)> = Vec::new();
    if let Ok(cas) = Cas::parse(t) {
        queries.push(("cas", cas.as_str().to_string()));
    }
    if let Ok(ec) = Ec::parse(t) {
        queries.push(("ec", ec.as_str().to_string()));
    }
    if let Ok(ci) = ColourIndex::parse(t) {
        queries.push(("ci", ci_norm(ci)));
    }
    let mut ids: Vec<SubstanceId> = Vec::new();
    let mut by_key = conn.prepare_cached("SELECT id FROM substances WHERE key = ?1")?;
    if let Some(id) = by_key.query_row([t], |r| r.get(0)).optional()? {
        ids.push(id);
    }
    let mut by_kind = conn.prepare_cached(
        "SELECT DISTINCT substance_id FROM identifiers WHERE kind = ?1 AND norm = ?2",
    )?;
    for (kind, norm) in &queries {
        for id in by_kind.query_map(params![kind, norm], |r| r.get(0))? {
            ids.push(id?);
        }
    }
    if ids.is_empty() {
        let norm = ident::normalize_name(t);
        let mut by_name = conn.prepare_cached(
            "SELECT DISTINCT substance_id FROM identifiers
             WHERE kind IN ('name', 'inci', 'synonym') AND norm = ?1",
        )?;
        for id in by_name.query_map([norm], |r| r.get(0))? {
            ids.push(id?);
        }
    }
    let mut resolved = Vec::with_capacity(ids.len());
    for id in ids {
        let id = follow_merges(conn, id)?;
        if !resolved.contains(&id) {
            resolved.push(id);
        }
    }
    Ok(resolved)
}

/// The substance a merged one now lives in (itself when not merged).
pub fn follow_merges(conn: &Connection, mut id: SubstanceId) -> Result<SubstanceId> {
    let mut stmt = conn.prepare_cached("SELECT merged_into FROM substances WHERE id = ?1")?;
    for _ in 0..64 {
        match stmt.query_row([id], |r| r.get::<_, Option<SubstanceId>>(0))? {
            Some(next) => id = next,
            None => break,
        }
    }
    Ok(id)
}

/// Exactly one substance for `text`, or an error that lists the closest names or the candidates.
pub fn resolve_one(conn: &Connection, text: &str) -> Result<SubstanceId> {
    let ids = lookup(conn, text)?;
    match ids.as_slice() {
        [id] => Ok(*id),
        [] => Err(Error::NotFound {
            what: "substance",
            name: text.trim().to_string(),
            suggestions: suggest(conn, text, 5)?,
        }),
        many => Err(Error::Ambiguous {
            what: "substance",
            name: text.trim().to_string(),
            candidates: many
                .iter()
                .map(|id| label(conn, *id))
                .collect::<Result<_>>()?,
        }),
    }
}

/// `Nickel sulfate (nickel-sulfate)`: a substance as an error message names it.
pub fn label(conn: &Connection, id: SubstanceId) -> Result<String> {
    let (name, key): (String, String) = conn.query_row(
        "SELECT name, key FROM substances WHERE id = ?1",
        [id],
        |r| r.try_into(),
    )?;
    Ok(format!("{name} ({key})"))
}

/// Finds a group by key or name, or fails with suggestions.
pub fn resolve_group(conn: &Connection, text: &str) -> Result<GroupId> {
    let norm = ident::normalize_name(text);
    let mut stmt = conn.prepare_cached("SELECT id, key, name FROM groups ORDER BY key")?;
    let groups: Vec<(GroupId, String, String)> = stmt
        .query_map([], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    if let Some((id, ..)) = groups.iter().find(|(_, key, name)| {
        ident::normalize_name(key) == norm || ident::normalize_name(name) == norm
    }) {
        return Ok(*id);
    }
    let names: Vec<(String, String, String)> = groups
        .iter()
        .flat_map(|(_, key, name)| {
            [
                (key.clone(), ident::normalize_name(key), key.clone()),
                (name.clone(), ident::normalize_name(name), key.clone()),
            ]
        })
        .collect();
    let suggestions = closest(
        text,
        names
            .iter()
            .map(|(s, n, o)| (s.as_str(), n.as_str(), o.as_str())),
        5,
    );
    Err(Error::NotFound {
        what: "group",
        name: text.trim().to_string(),
        suggestions,
    })
}

#[cfg(test)]
#[path = "substances_tests.rs"]
mod tests;
