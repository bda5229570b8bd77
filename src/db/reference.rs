//! The built-in reference (substances, groups, EU restrictions), compiled in from
//! `data/reference/` and loaded by `init`. Loading is additive: rows already present, and any
//! change a clinic made to them (`group set`), are left alone.

use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::groups;
use super::substances::{self, IdKind};
use crate::error::{Error, Result};
use crate::ident::{Cas, ColourIndex, Ec};
use crate::ids::{GroupId, SubstanceId};

const SUBSTANCES: &str = include_str!("../../data/reference/substances.csv");
const GROUPS: &str = include_str!("../../data/reference/groups.csv");
const RESTRICTIONS: &str = include_str!("../../data/reference/restrictions.csv");

pub const SOURCE: &str = "built-in reference";

/// What a load added (zero everywhere on a second `init`).
#[derive(Debug, Default, Serialize)]
pub struct LoadReport {
    pub substances: usize,
    pub identifiers: usize,
    pub groups: usize,
    pub group_members: usize,
    /// Groups of an older database that were given their parent moieties.
    pub group_parents: usize,
    /// Inferred memberships added or removed (names holding a group's parent).
    pub inferred_members: usize,
    pub restrictions: usize,
}

#[derive(Deserialize)]
struct SubstanceRow {
    key: String,
    name: String,
    inci: String,
    cas: String,
    ec: String,
    ci: String,
    aliases: String,
    category: String,
    note: String,
    source: String,
}

#[derive(Deserialize)]
struct GroupRow {
    key: String,
    name: String,
    relation: String,
    on_match: String,
    members: String,
    note: String,
    source: String,
    /// Same-hapten groups: the parent moieties, `;`-separated (inferred members).
    #[serde(default)]
    parents: String,
}

#[derive(Deserialize)]
struct RestrictionRow {
    substance: String,
    jurisdiction: String,
    rule: String,
    limit_mg_per_kg: Option<f64>,
    applies_from: String,
    label_statement: String,
    source: String,
}

fn rows<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<Vec<T>> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .enumerate()
        .map(|(i, row)| {
            row.map_err(|e| {
                Error::invalid(format!("built-in reference {file}, record {}: {e}", i + 1))
            })
        })
        .collect()
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

fn list(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|s| !s.is_empty())
}

/// Loads the built-in reference in the caller's transaction.
pub fn load_builtin(conn: &Connection, at: &str) -> Result<LoadReport> {
    let mut report = LoadReport::default();
    let bad = |file: &str, key: &str, e: String| {
        Error::invalid(format!("built-in reference {file}, {key}: {e}"))
    };
    for row in rows::<SubstanceRow>("substances.csv", SUBSTANCES)? {
        let source = format!("{SOURCE}: {}", row.source);
        let id = match substance_id(conn, &row.key)? {
            Some(id) => id,
            None => {
                report.substances += 1;
                conn.prepare_cached(
                    "INSERT INTO substances (key, name, verified, category, note, source, created_at)
                     VALUES (?1, ?2, 1, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    row.key,
                    row.name,
                    non_empty(&row.category),
                    non_empty(&row.note),
                    source,
                    at
                ])?;
                SubstanceId(conn.last_insert_rowid())
            }
        };
        let mut ids: Vec<(IdKind, String)> = vec![(IdKind::Name, row.name.clone())];
        ids.extend(non_empty(&row.inci).map(|i| (IdKind::Inci, i.to_string())));
        for cas in list(&row.cas) {
            let cas =
                Cas::parse(cas).map_err(|e| bad("substances.csv", &row.key, e.to_string()))?;
            ids.push((IdKind::Cas, cas.to_string()));
        }
        for ec in list(&row.ec) {
            let ec = Ec::parse(ec).map_err(|e| bad("substances.csv", &row.key, e.to_string()))?;
            ids.push((IdKind::Ec, ec.to_string()));
        }
        for ci in list(&row.ci) {
            let ci = ColourIndex::parse(ci)
                .map_err(|e| bad("substances.csv", &row.key, e.to_string()))?;
            ids.push((IdKind::Ci, ci.to_string()));
        }
        ids.extend(list(&row.aliases).map(|a| (IdKind::Synonym, a.to_string())));
        for (kind, value) in ids {
            if substances::add_identifier(conn, id, kind, &value, SOURCE)? {
                report.identifiers += 1;
            }
        }
    }
    for row in rows::<GroupRow>("groups.csv", GROUPS)? {
        let source = format!("{SOURCE}: {}", row.source);
        let added = groups::insert(
            conn,
            &groups::NewGroup {
                key: &row.key,
                name: &row.name,
                relation: &row.relation,
                on_match: &row.on_match,
                note: non_empty(&row.note),
                source: &source,
                parents: non_empty(&row.parents),
            },
        )?;
        report.groups += usize::from(added);
        // A database made before groups had parents gets them; parents set since are kept.
        if !added && groups::set_parents_if_unset(conn, &row.key, &row.parents)? {
            report.group_parents += 1;
        }
        let group: GroupId =
            conn.query_row("SELECT id FROM groups WHERE key = ?1", [&row.key], |r| {
                r.get(0)
            })?;
        for member in list(&row.members) {
            let sid = substance_id(conn, member)?.ok_or_else(|| {
                bad(
                    "groups.csv",
                    &row.key,
                    format!("no substance with key {member:?}"),
                )
            })?;
            report.group_members += conn
                .prepare_cached(
                    "INSERT INTO group_members (group_id, substance_id, inferred) VALUES (?1, ?2, 0)
                     ON CONFLICT (group_id, substance_id) DO UPDATE SET inferred = 0 WHERE inferred = 1",
                )?
                .execute(params![group, sid])?;
        }
    }
    for row in rows::<RestrictionRow>("restrictions.csv", RESTRICTIONS)? {
        let sid = substance_id(conn, &row.substance)?.ok_or_else(|| {
            bad(
                "restrictions.csv",
                &row.substance,
                "no substance with that key".into(),
            )
        })?;
        report.restrictions += conn
            .prepare_cached(
                "INSERT OR IGNORE INTO restrictions
                 (substance_id, jurisdiction, rule, limit_mg_per_kg, applies_from, label_statement, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                sid,
                row.jurisdiction,
                row.rule,
                row.limit_mg_per_kg,
                non_empty(&row.applies_from),
                non_empty(&row.label_statement),
                format!("{SOURCE}: {}", row.source)
            ])?;
    }
    report.inferred_members = groups::refresh_all_inferred(conn)?;
    Ok(report)
}

fn substance_id(conn: &Connection, key: &str) -> Result<Option<SubstanceId>> {
    Ok(conn
        .prepare_cached("SELECT id FROM substances WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_reference_loads_and_every_number_is_valid() {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::migrate(&conn).unwrap();
        let first = load_builtin(&conn, "2026-01-01T00:00:00Z").unwrap();
        assert!(first.substances >= 70, "{first:?}");
        assert!(first.groups >= 12);
        assert!(first.restrictions >= 15);
        let again = load_builtin(&conn, "2026-01-01T00:00:00Z").unwrap();
        assert_eq!(
            again.substances
                + again.identifiers
                + again.groups
                + again.group_members
                + again.group_parents
                + again.inferred_members
                + again.restrictions,
            0,
            "{again:?}"
        );
    }
}
