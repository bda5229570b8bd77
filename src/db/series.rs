//! Patch-test series and what a dermatologist records beside the readings: the allergens of a
//! series and how they resolved, the UVA irradiation of a photopatch set, and the relevance of
//! a positive item (SPEC 4 "Patch-test series").

use rusqlite::{params, Connection, OptionalExtension, ToSql};
use serde::Serialize;

use super::{groups, substances};
use crate::error::{Error, Result};
use crate::ident;
use crate::ids::{GroupId, PatchTestId, SubstanceId};
use crate::import::series::SeriesRow;

/// What a series row tests once resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    Substance {
        id: SubstanceId,
        verified: bool,
    },
    /// A mix: the group of its components.
    Group(GroupId),
    Control,
    /// Nothing known matched: kept as a new unverified substance, listed with suggestions.
    Unresolved {
        suggestions: Vec<String>,
    },
}

/// Resolves a row like an ingredient: a control; a mix by its group's name; else a substance by
/// CAS and name, which must agree. Several candidates, or a CAS and a name naming different
/// substances, are errors: never a silent pick.
pub fn resolve(conn: &Connection, row: &SeriesRow) -> Result<Resolved> {
    if row.control {
        return Ok(Resolved::Control);
    }
    if let Ok(g) = substances::resolve_group(conn, &row.name) {
        return Ok(Resolved::Group(g));
    }
    let by_name = substances::lookup(conn, &row.name)?;
    let by_cas = match &row.cas {
        Some(cas) => substances::lookup(conn, cas)?,
        None => Vec::new(),
    };
    let ids: Vec<SubstanceId> = match (by_cas.as_slice(), by_name.as_slice()) {
        ([], names) => names.to_vec(),
        (cas, []) => cas.to_vec(),
        (cas, names) => {
            let both: Vec<SubstanceId> =
                cas.iter().filter(|c| names.contains(c)).copied().collect();
            if both.is_empty() {
                return Err(Error::invalid_with_hint(
                    format!(
                        "line {}: {:?} names {} but CAS {} is {}",
                        row.line,
                        row.name,
                        labels(conn, names)?.join(", "),
                        row.cas.as_deref().unwrap_or(""),
                        labels(conn, cas)?.join(", ")
                    ),
                    "correct the name or the CAS number in the file",
                ));
            }
            both
        }
    };
    match ids.as_slice() {
        [id] => {
            let verified: bool =
                conn.query_row("SELECT verified FROM substances WHERE id = ?1", [id], |r| {
                    r.get(0)
                })?;
            Ok(Resolved::Substance { id: *id, verified })
        }
        [] => Ok(Resolved::Unresolved {
            suggestions: substances::suggest(conn, &row.name, 5)?,
        }),
        many => Err(Error::Invalid {
            message: format!(
                "line {}: {:?} could be any of {}",
                row.line,
                row.name,
                labels(conn, many)?.join(", ")
            ),
            hints: vec!["add the allergen's CAS number to that row".into()],
        }),
    }
}

fn labels(conn: &Connection, ids: &[SubstanceId]) -> Result<Vec<String>> {
    ids.iter().map(|id| substances::label(conn, *id)).collect()
}

/// Writes a series and its allergens; an unresolved allergen becomes an unverified substance
/// (its CAS kept), so that a positive to it can never pass unseen (`sensitivity-unmatched`).
/// Returns the series id and the rows as resolved (unverified ones with their new ids).
pub fn insert(
    conn: &Connection,
    name: &str,
    file: &str,
    rows: &[(SeriesRow, Resolved)],
    at: &str,
    actor: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO series (name, name_norm, source, imported_at, actor) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![name.trim(), ident::normalize_name(name), file, at, actor],
    )?;
    let series = conn.last_insert_rowid();
    let mut stmt = conn.prepare_cached(
        "INSERT INTO series_allergens (series_id, position, label, name_as_written, cas, concentration,
                                       vehicle, substance_id, group_id, control, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    let mut created = Vec::new();
    for (row, resolved) in rows {
        let (substance, group, control) = match resolved {
            Resolved::Substance { id, .. } => (Some(*id), None, false),
            Resolved::Group(g) => (None, Some(*g), false),
            Resolved::Control => (None, None, true),
            Resolved::Unresolved { .. } => {
                let source = format!("series {} ({file} line {})", name.trim(), row.line);
                let id = substances::insert(
                    conn,
                    substances::NewRow {
                        name: &row.name,
                        verified: false,
                        category: None,
                        note: Some(
                            "an allergen of a patch-test series that matched no known substance",
                        ),
                        source: &source,
                    },
                    at,
                )?;
                if let Some(cas) = &row.cas {
                    substances::add_identifier(conn, id, substances::IdKind::Cas, cas, &source)?;
                }
                created.push(id);
                (Some(id), None, false)
            }
        };
        stmt.execute(params![
            series,
            row.position,
            row.label,
            row.name,
            row.cas,
            row.concentration,
            row.vehicle,
            substance,
            group,
            control,
            row.source
        ])?;
    }
    groups::refresh_inferred(conn, &created)?;
    Ok(series)
}

#[derive(Debug, Clone, Serialize)]
pub struct SeriesRef {
    pub id: i64,
    pub name: String,
    pub source: String,
    pub imported_at: String,
    pub allergens: i64,
}

fn series_rows(conn: &Connection, filter: &str, arg: Option<&str>) -> Result<Vec<SeriesRef>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.id, s.name, s.source, s.imported_at,
                (SELECT count(*) FROM series_allergens a WHERE a.series_id = s.id)
         FROM series s WHERE {filter} ORDER BY s.name_norm"
    ))?;
    let rows = stmt.query_map([arg], |r| {
        Ok(SeriesRef {
            id: r.get(0)?,
            name: r.get(1)?,
            source: r.get(2)?,
            imported_at: r.get(3)?,
            allergens: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn list(conn: &Connection) -> Result<Vec<SeriesRef>> {
    series_rows(conn, "?1 IS NULL", None)
}

/// A series by its name (case, dashes and spaces aside), or an error naming the closest.
pub fn find(conn: &Connection, name: &str) -> Result<SeriesRef> {
    let norm = ident::normalize_name(name);
    if let Some(s) = series_rows(conn, "s.name_norm = ?1", Some(&norm))?.pop() {
        return Ok(s);
    }
    let all = list(conn)?;
    let norms: Vec<String> = all.iter().map(|s| ident::normalize_name(&s.name)).collect();
    let mut suggestions = substances::closest(
        name,
        all.iter()
            .zip(&norms)
            .map(|(s, n)| (s.name.as_str(), n.as_str(), s.name.as_str())),
        5,
    );
    if suggestions.is_empty() {
        suggestions = all.iter().map(|s| s.name.clone()).take(5).collect();
    }
    Err(Error::NotFound {
        what: "series",
        name: name.trim().to_string(),
        suggestions,
    })
}

/// An allergen of a series as stored, with what it tests.
#[derive(Debug, Clone, Serialize)]
pub struct AllergenRow {
    #[serde(skip)]
    pub id: i64,
    pub position: i64,
    pub label: Option<String>,
    pub name: String,
    pub cas: Option<String>,
    pub concentration: Option<String>,
    pub vehicle: Option<String>,
    /// The substance it resolved to (a merged one read as its target).
    pub substance: Option<String>,
    #[serde(skip)]
    pub substance_id: Option<SubstanceId>,
    pub verified: Option<bool>,
    /// The group of a mix.
    pub group: Option<String>,
    #[serde(skip)]
    pub group_id: Option<GroupId>,
    pub control: bool,
    pub source: Option<String>,
}

pub fn allergens(conn: &Connection, series: i64) -> Result<Vec<AllergenRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.position, a.label, a.name_as_written, a.cas, a.concentration, a.vehicle,
                s.name, s.id, s.verified, g.name, a.group_id, a.control, a.source
         FROM series_allergens a
         LEFT JOIN substances s0 ON s0.id = a.substance_id
         LEFT JOIN substances s ON s.id = COALESCE(s0.merged_into, s0.id)
         LEFT JOIN groups g ON g.id = a.group_id
         WHERE a.series_id = ?1 ORDER BY a.position",
    )?;
    let rows = stmt.query_map([series], |r| {
        Ok(AllergenRow {
            id: r.get(0)?,
            position: r.get(1)?,
            label: r.get(2)?,
            name: r.get(3)?,
            cas: r.get(4)?,
            concentration: r.get(5)?,
            vehicle: r.get(6)?,
            substance: r.get(7)?,
            substance_id: r.get(8)?,
            verified: r.get(9)?,
            group: r.get(10)?,
            group_id: r.get(11)?,
            control: r.get(12)?,
            source: r.get(13)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The tests applied on or after `since` (a date or a stamp), with their client's code.
pub fn tests_applied_since(conn: &Connection, since: &str) -> Result<Vec<(PatchTestId, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.id, c.code FROM patch_tests t JOIN clients c ON c.id = t.client_id
         WHERE t.applied_at >= ?1 ORDER BY t.applied_at, t.id",
    )?;
    let rows = stmt.query_map([since], |r| r.try_into())?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A group as the report names it: name, relation and its members' names.
#[derive(Debug, Clone, Serialize)]
pub struct GroupNote {
    pub key: String,
    pub name: String,
    pub relation: String,
    pub members: Vec<String>,
}

fn group_notes(conn: &Connection, filter: &str, id: impl ToSql) -> Result<Vec<GroupNote>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT g.key, g.name, g.relation,
                (SELECT group_concat(s.name, char(31)) FROM
                    (SELECT s.name FROM group_members m JOIN substances s ON s.id = m.substance_id
                     WHERE m.group_id = g.id ORDER BY s.name) s)
         FROM groups g WHERE {filter} ORDER BY g.relation = 'co-sensitisation', g.name"
    ))?;
    let rows = stmt.query_map([id], |r| {
        let members: Option<String> = r.get(3)?;
        Ok(GroupNote {
            key: r.get(0)?,
            name: r.get(1)?,
            relation: r.get(2)?,
            members: members
                .map(|m| m.split('\u{1f}').map(str::to_string).collect())
                .unwrap_or_default(),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The groups a substance belongs to, with their members (the report's "what to avoid").
pub fn groups_of_substance(conn: &Connection, substance: SubstanceId) -> Result<Vec<GroupNote>> {
    group_notes(
        conn,
        "g.id IN (SELECT group_id FROM group_members WHERE substance_id = ?1)",
        substance,
    )
}

/// One group with its members.
pub fn group_note(conn: &Connection, group: GroupId) -> Result<Option<GroupNote>> {
    Ok(group_notes(conn, "g.id = ?1", group)?.pop())
}

// --- Photopatch ---------------------------------------------------------------------------------

/// The irradiation of a test's photopatch set: (at, dose in J/cm²).
pub fn irradiation(conn: &Connection, test: PatchTestId) -> Result<Option<(String, f64)>> {
    Ok(conn
        .prepare_cached("SELECT at, dose_j_cm2 FROM irradiations WHERE test_id = ?1")?
        .query_row([test], |r| r.try_into())
        .optional()?)
}

pub fn insert_irradiation(
    conn: &Connection,
    test: PatchTestId,
    at: &str,
    dose: f64,
    recorded_at: &str,
    actor: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO irradiations (test_id, at, dose_j_cm2, recorded_at, actor) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![test, at, dose, recorded_at, actor],
    )?;
    Ok(conn.last_insert_rowid())
}

// --- Relevance ----------------------------------------------------------------------------------

/// A relevance as recorded; the latest of an item is in force.
#[derive(Debug, Clone, Serialize)]
pub struct RelevanceRow {
    pub id: i64,
    pub relevance: String,
    pub certainty: Option<String>,
    pub occupational: bool,
    pub recorded_at: String,
    pub actor: String,
    pub superseded: bool,
}

impl RelevanceRow {
    /// `current, probable, occupational`.
    pub fn text(&self) -> String {
        let mut t = self.relevance.clone();
        if let Some(c) = &self.certainty {
            t.push_str(", ");
            t.push_str(c);
        }
        if self.occupational {
            t.push_str(", occupational");
        }
        t
    }
}

/// Every relevance of an item, oldest first, each but the latest superseded.
pub fn relevance_of(conn: &Connection, item: i64) -> Result<Vec<RelevanceRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, relevance, certainty, occupational, recorded_at, actor,
                EXISTS (SELECT 1 FROM item_relevance n WHERE n.item_id = v.item_id AND n.id > v.id)
         FROM item_relevance v WHERE item_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([item], |r| {
        Ok(RelevanceRow {
            id: r.get(0)?,
            relevance: r.get(1)?,
            certainty: r.get(2)?,
            occupational: r.get(3)?,
            recorded_at: r.get(4)?,
            actor: r.get(5)?,
            superseded: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert_relevance(
    conn: &Connection,
    item: i64,
    relevance: &str,
    certainty: Option<&str>,
    occupational: bool,
    at: &str,
    actor: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO item_relevance (item_id, relevance, certainty, occupational, recorded_at, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![item, relevance, certainty, occupational, at, actor],
    )?;
    Ok(conn.last_insert_rowid())
}
