//! Clients, sensitivities, patch tests and the policy: the clinical record.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::db::substances;
use crate::error::{Error, Result};
use crate::ident;
use crate::screening::{Grade, Level, Policy};

/// A client row: (id, code).
#[derive(Debug, Clone)]
pub struct ClientRef {
    pub id: i64,
    pub code: String,
}

/// Finds a client by code (case and surrounding spaces do not matter), or fails with the
/// closest codes.
pub fn resolve_client(conn: &Connection, code: &str) -> Result<ClientRef> {
    let found = conn
        .prepare_cached("SELECT id, code FROM clients WHERE code = ?1 COLLATE NOCASE")?
        .query_row([code.trim()], |r| {
            Ok(ClientRef {
                id: r.get(0)?,
                code: r.get(1)?,
            })
        })
        .optional()?;
    if let Some(c) = found {
        return Ok(c);
    }
    let codes: Vec<String> = conn
        .prepare_cached("SELECT code FROM clients ORDER BY code")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let norms: Vec<String> = codes.iter().map(|c| ident::normalize_name(c)).collect();
    let mut suggestions = substances::closest(
        code,
        codes
            .iter()
            .zip(&norms)
            .map(|(c, n)| (c.as_str(), n.as_str(), c.as_str())),
        5,
    );
    // Codes are short: `C-2` and `C-1`, or `C-42` and `C-0042`, are close to a person but not
    // to Jaro-Winkler; a small edit distance or a shared ending finds them.
    let want = ident::normalize_name(code);
    for (c, n) in codes.iter().zip(&norms) {
        let near = strsim::levenshtein(n, &want) <= (want.len() / 3).max(1)
            || n.ends_with(&want)
            || want.ends_with(n.as_str())
            || without_padding(n) == without_padding(&want);
        if suggestions.len() < 5 && !suggestions.contains(c) && near {
            suggestions.push(c.clone());
        }
    }
    Err(Error::NotFound {
        what: "client",
        name: code.trim().to_string(),
        suggestions,
    })
}

/// `c0042` -> `c42`: leading zeros of each run of digits dropped, for comparing codes.
fn without_padding(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut in_number = false;
    for c in code.chars() {
        if c == '0' && !in_number {
            continue;
        }
        in_number = c.is_ascii_digit();
        out.push(c);
    }
    out
}

/// What a sensitivity is to, as the user named it.
#[derive(Debug, Clone, Copy)]
pub enum TargetRef {
    Substance(i64),
    Group(i64),
}

/// Resolves a sensitivity's target: a group (by key or name) or a substance (by any name or
/// number). A target that matches nothing fails with suggestions from both.
pub fn resolve_target(conn: &Connection, text: &str) -> Result<TargetRef> {
    if let Ok(g) = substances::resolve_group(conn, text) {
        return Ok(TargetRef::Group(g));
    }
    match substances::resolve_one(conn, text) {
        Ok(s) => Ok(TargetRef::Substance(s)),
        Err(Error::NotFound {
            name,
            mut suggestions,
            ..
        }) => {
            if let Err(Error::NotFound {
                suggestions: groups,
                ..
            }) = substances::resolve_group(conn, text)
            {
                suggestions.extend(groups.into_iter().map(|g| format!("{g} (group)")));
            }
            Err(Error::NotFound {
                what: "substance or group",
                name,
                suggestions,
            })
        }
        Err(e) => Err(e),
    }
}

/// The display name of a sensitivity's target.
pub fn target_name(conn: &Connection, target: TargetRef) -> Result<String> {
    Ok(match target {
        TargetRef::Substance(id) => {
            conn.query_row("SELECT name FROM substances WHERE id = ?1", [id], |r| {
                r.get(0)
            })?
        }
        TargetRef::Group(id) => {
            conn.query_row("SELECT name FROM groups WHERE id = ?1", [id], |r| r.get(0))?
        }
    })
}

/// A reading as stored.
#[derive(Debug, Clone, Serialize)]
pub struct ReadingRow {
    pub id: i64,
    pub at: String,
    pub hours: f64,
    pub day: i64,
    pub grade: String,
    pub note: Option<String>,
    pub superseded: bool,
    pub supersedes: Option<i64>,
    pub correction_reason: Option<String>,
}

/// A patch-test item as stored, with what it tests.
#[derive(Debug, Clone)]
pub struct ItemRow {
    pub id: i64,
    pub item: i64,
    pub product: Option<String>,
    pub product_id: Option<i64>,
    pub formulation_id: Option<i64>,
    pub formulation_version: Option<i64>,
    pub lot: Option<String>,
    pub substance_id: Option<i64>,
    pub substance: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TestRow {
    pub id: i64,
    pub client_id: i64,
    pub client: String,
    pub applied_at: String,
    pub site: Option<String>,
}

pub fn test_row(conn: &Connection, id: i64) -> Result<TestRow> {
    conn.prepare_cached(
        "SELECT t.id, t.client_id, c.code, t.applied_at, t.site FROM patch_tests t
         JOIN clients c ON c.id = t.client_id WHERE t.id = ?1",
    )?
    .query_row([id], |r| {
        Ok(TestRow {
            id: r.get(0)?,
            client_id: r.get(1)?,
            client: r.get(2)?,
            applied_at: r.get(3)?,
            site: r.get(4)?,
        })
    })
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: "patch test",
        name: id.to_string(),
        suggestions: Vec::new(),
    })
}

pub fn tests_of_client(conn: &Connection, client: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM patch_tests WHERE client_id = ?1 ORDER BY applied_at, id",
    )?;
    let rows = stmt.query_map([client], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn items(conn: &Connection, test: i64) -> Result<Vec<ItemRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.item, sp.name || '/' || p.code, i.product_id, i.formulation_id, f.version, l.lot,
                i.substance_id, s.name
         FROM patch_test_items i
         LEFT JOIN products p ON p.id = i.product_id
         LEFT JOIN suppliers sp ON sp.id = p.supplier_id
         LEFT JOIN formulations f ON f.id = i.formulation_id
         LEFT JOIN lots l ON l.id = i.lot_id
         LEFT JOIN substances s ON s.id = i.substance_id
         WHERE i.test_id = ?1 ORDER BY i.item",
    )?;
    let rows = stmt.query_map([test], |r| {
        Ok(ItemRow {
            id: r.get(0)?,
            item: r.get(1)?,
            product: r.get(2)?,
            product_id: r.get(3)?,
            formulation_id: r.get(4)?,
            formulation_version: r.get(5)?,
            lot: r.get(6)?,
            substance_id: r.get(7)?,
            substance: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Every reading of an item, oldest first, each marked superseded or not.
pub fn readings(conn: &Connection, item: i64) -> Result<Vec<ReadingRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.read_at, r.hours, r.grade, r.note, r.supersedes, r.correction_reason,
                EXISTS (SELECT 1 FROM readings n WHERE n.supersedes = r.id)
         FROM readings r WHERE r.item_id = ?1 ORDER BY r.read_at, r.id",
    )?;
    let rows = stmt.query_map([item], |r| {
        let hours: f64 = r.get(2)?;
        Ok(ReadingRow {
            id: r.get(0)?,
            at: r.get(1)?,
            hours,
            day: crate::screening::reading_day(hours),
            grade: r.get(3)?,
            note: r.get(4)?,
            supersedes: r.get(5)?,
            correction_reason: r.get(6)?,
            superseded: r.get(7)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Parses a grade as written on the command line.
pub fn parse_grade(text: &str) -> Result<Grade> {
    Grade::parse(text).ok_or_else(|| {
        Error::invalid_with_hint(
            format!("{text:?} is not an ICDRG grade"),
            "use - (negative), ?+ (doubtful), + (weak), ++ (strong), +++ (extreme), IR (irritant) or NT (not tested)",
        )
    })
}

pub fn parse_stamp(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::invalid(format!("stored time {text:?} is not RFC 3339: {e}")))
}

// --- Policy -------------------------------------------------------------------------------------

/// The policy keys with their defaults and what they accept (SPEC 4).
pub const POLICY_KEYS: [(&str, &str, &str); 8] = [
    ("require-patch-test", "true", "true or false"),
    (
        "patch-test-valid-days",
        "180",
        "a whole number of days, 1 or more",
    ),
    (
        "min-negative-reading-hours",
        "72",
        "a number of hours, 0 or more",
    ),
    ("suspected", "caution", "caution or block"),
    ("declared", "block", "caution or block"),
    (
        "unverified-ingredients",
        "caution",
        "note, caution or block",
    ),
    ("regulatory", "caution", "note, caution or block"),
    ("jurisdiction", "EU", "EU or none"),
];

/// Checks a value for a key and returns it in its stored form.
pub fn check_policy_value(key: &str, value: &str) -> Result<String> {
    let Some((_, _, accepts)) = POLICY_KEYS.iter().find(|(k, _, _)| *k == key) else {
        return Err(Error::invalid_with_hint(
            format!("{key:?} is not a policy key"),
            format!(
                "keys: {}",
                POLICY_KEYS
                    .iter()
                    .map(|(k, _, _)| *k)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    let v = value.trim();
    let stored = match key {
        "require-patch-test" => match v.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Some("true".to_string()),
            "false" | "no" | "off" | "0" => Some("false".to_string()),
            _ => None,
        },
        "patch-test-valid-days" => v
            .parse::<i64>()
            .ok()
            .filter(|d| *d >= 1)
            .map(|d| d.to_string()),
        "min-negative-reading-hours" => v
            .parse::<f64>()
            .ok()
            .filter(|h| h.is_finite() && *h >= 0.0)
            .map(|h| h.to_string()),
        "suspected" | "declared" => Level::parse(v)
            .filter(|l| matches!(l, Level::Caution | Level::Block))
            .map(|l| l.as_str().to_string()),
        "unverified-ingredients" | "regulatory" => Level::parse(v)
            .filter(|l| *l != Level::Info)
            .map(|l| l.as_str().to_string()),
        "jurisdiction" => match v.to_ascii_uppercase().as_str() {
            "EU" => Some("EU".to_string()),
            "NONE" => Some("none".to_string()),
            _ => None,
        },
        _ => None,
    };
    stored.ok_or_else(|| {
        Error::invalid_with_hint(
            format!("{value:?} is not a value for {key}"),
            format!("{key} takes {accepts}"),
        )
    })
}

/// The policy in force: stored values over defaults.
pub fn policy_values(conn: &Connection) -> Result<Vec<(String, String, bool)>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT value FROM policy WHERE key = ?1")?;
    for (key, default, _) in POLICY_KEYS {
        let stored: Option<String> = stmt.query_row([key], |r| r.get(0)).optional()?;
        let is_default = stored.is_none();
        out.push((
            key.to_string(),
            stored.unwrap_or_else(|| default.to_string()),
            is_default,
        ));
    }
    Ok(out)
}

pub fn load_policy(conn: &Connection) -> Result<Policy> {
    let mut p = Policy::default();
    for (key, value, _) in policy_values(conn)? {
        let level = || Level::parse(&value).unwrap_or(Level::Block);
        match key.as_str() {
            "require-patch-test" => p.require_patch_test = value != "false",
            "patch-test-valid-days" => {
                p.patch_test_valid_days = value.parse().unwrap_or(p.patch_test_valid_days)
            }
            "min-negative-reading-hours" => {
                p.min_negative_reading_hours = value.parse().unwrap_or(p.min_negative_reading_hours)
            }
            "suspected" => p.suspected = level(),
            "declared" => p.declared = level(),
            "unverified-ingredients" => p.unverified_ingredients = level(),
            "regulatory" => p.regulatory = level(),
            "jurisdiction" => p.jurisdiction = (value != "none").then_some(value),
            _ => {}
        }
    }
    Ok(p)
}

pub fn set_policy(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO policy (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Writes a treatment and the lots it used; the caller judged it in the same transaction.
pub fn insert_treatment(
    conn: &Connection,
    client: i64,
    at: &str,
    area: Option<&str>,
    override_reason: Option<&str>,
    lots: &[i64],
    actor: &str,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO treatments (client_id, at, area, override, actor) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![client, at, area, override_reason, actor],
    )?;
    let id = conn.last_insert_rowid();
    let mut stmt =
        conn.prepare_cached("INSERT INTO treatment_items (treatment_id, lot_id) VALUES (?1, ?2)")?;
    for lot in lots {
        stmt.execute(params![id, lot])?;
    }
    Ok(id)
}
