//! Clients, sensitivities, patch tests and the policy: the clinical record.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::db::substances;
use crate::error::{Error, Result};
use crate::ident;
use crate::ids::{
    ClientId, FormulationId, GroupId, LotId, PatchTestId, ProductId, SubstanceId, TreatmentId,
};
use crate::policy::PolicyKey;
use crate::screening::{Grade, Policy};

/// A client row: (id, code).
#[derive(Debug, Clone)]
pub struct ClientRef {
    pub id: ClientId,
    pub code: String,
}

/// Finds a client by code: the exact code first, then the normalised code (SPEC 4: `C-1`,
/// `c-1` and `C‐1` are one code). Where look-alike codes from before normalisation both match,
/// the error lists them, since a check of the wrong client is worse than none. A code that
/// matches nothing fails with the closest codes.
pub fn resolve_client(conn: &Connection, code: &str) -> Result<ClientRef> {
    let client = |r: &rusqlite::Row| {
        Ok(ClientRef {
            id: r.get(0)?,
            code: r.get(1)?,
        })
    };
    let exact = conn
        .prepare_cached("SELECT id, code FROM clients WHERE code = ?1")?
        .query_row([code.trim()], client)
        .optional()?;
    if let Some(c) = exact {
        return Ok(c);
    }
    let mut alike = look_alikes(conn, code)?;
    match alike.len() {
        0 => {}
        1 => return Ok(alike.remove(0)),
        _ => {
            return Err(Error::Ambiguous {
                what: "client",
                name: code.trim().to_string(),
                candidates: alike.into_iter().map(|c| c.code).collect(),
            })
        }
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

/// A client by code or, when no code matches, by name (`check "Anna Berg" PRODUCT`): names are
/// compared normalised like codes (case, Unicode forms, dashes and spaces). A code always wins
/// over a name; a name several clients bear is an error listing their codes, never a pick.
pub fn resolve_client_or_name(conn: &Connection, text: &str) -> Result<ClientRef> {
    let by_code = match resolve_client(conn, text) {
        Err(e @ Error::NotFound { .. }) => e,
        found => return found,
    };
    let want = ident::normalize_name(text);
    if want.is_empty() {
        return Err(by_code);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, code, name FROM clients WHERE name IS NOT NULL ORDER BY code",
    )?;
    let named: Vec<ClientRef> = stmt
        .query_map([], |r| <(ClientId, String, String)>::try_from(r))?
        .filter(|row| {
            row.as_ref()
                .map_or(true, |(_, _, name)| ident::normalize_name(name) == want)
        })
        .map(|row| row.map(|(id, code, _)| ClientRef { id, code }))
        .collect::<rusqlite::Result<_>>()?;
    match named.len() {
        0 => Err(by_code),
        1 => Ok(named.into_iter().next().expect("one client")),
        _ => Err(Error::Ambiguous {
            what: "client",
            name: text.trim().to_string(),
            candidates: named.into_iter().map(|c| c.code).collect(),
        }),
    }
}

/// The clients whose codes look like `code` once normalised (several only where look-alikes were
/// kept apart by the upgrade to schema version 2, with keys `norm#id`). None for a code with
/// no letter or digit.
pub fn look_alikes(conn: &Connection, code: &str) -> Result<Vec<ClientRef>> {
    let key = crate::db::client_code_key(code);
    if key.is_empty() {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, code FROM clients
         WHERE code_norm = ?1 OR substr(code_norm, 1, length(?1) + 1) = ?1 || '#'
         ORDER BY id",
    )?;
    let rows = stmt.query_map([key], |r| {
        Ok(ClientRef {
            id: r.get(0)?,
            code: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Pairs of clients whose codes look alike (kept apart by the upgrade to version 2), for
/// `doctor`: (first code, later code).
pub fn look_alike_pairs(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a.code, b.code FROM clients b
         JOIN clients a ON a.code_norm = substr(b.code_norm, 1, instr(b.code_norm, '#') - 1)
         WHERE instr(b.code_norm, '#') > 0
         ORDER BY a.code, b.code",
    )?;
    let rows = stmt.query_map([], |r| r.try_into())?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
    Substance(SubstanceId),
    Group(GroupId),
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

/// Whether a substance is identified (verified), merges followed: a sensitivity to one that is
/// not cannot be compared with any product (`sensitivity-unmatched`).
pub fn substance_verified(conn: &Connection, id: SubstanceId) -> Result<bool> {
    let id = substances::follow_merges(conn, id)?;
    Ok(
        conn.query_row("SELECT verified FROM substances WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
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
    pub product_id: Option<ProductId>,
    pub formulation_id: Option<FormulationId>,
    pub formulation_version: Option<i64>,
    pub lot: Option<String>,
    pub substance_id: Option<SubstanceId>,
    pub substance: Option<String>,
    /// A mix: the group of its components.
    pub group: Option<String>,
    pub group_id: Option<GroupId>,
    /// A series allergen: its position, name as written, concentration and vehicle.
    pub position: Option<i64>,
    pub allergen: Option<String>,
    pub concentration: Option<String>,
    pub vehicle: Option<String>,
    pub control: bool,
    /// On a photopatch test's irradiated set: its twin's item number.
    pub photo_of: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct TestRow {
    pub id: PatchTestId,
    pub client_id: ClientId,
    pub client: String,
    pub applied_at: String,
    pub site: Option<String>,
}

pub fn test_row(conn: &Connection, id: PatchTestId) -> Result<TestRow> {
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

pub fn tests_of_client(conn: &Connection, client: ClientId) -> Result<Vec<PatchTestId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM patch_tests WHERE client_id = ?1 ORDER BY applied_at, id",
    )?;
    let rows = stmt.query_map([client], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn items(conn: &Connection, test: PatchTestId) -> Result<Vec<ItemRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.id, i.item, sp.name || '/' || p.code, i.product_id, i.formulation_id, f.version, l.lot,
                i.substance_id, s.name, g.name, a.position, a.name_as_written, i.concentration,
                i.vehicle, COALESCE(a.control, 0), i.photo_of, i.group_id
         FROM patch_test_items i
         LEFT JOIN groups g ON g.id = i.group_id
         LEFT JOIN series_allergens a ON a.id = i.series_allergen_id
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
            group: r.get(9)?,
            position: r.get(10)?,
            allergen: r.get(11)?,
            concentration: r.get(12)?,
            vehicle: r.get(13)?,
            control: r.get(14)?,
            photo_of: r.get(15)?,
            group_id: r.get(16)?,
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

/// The policy in force, key by key: the stored value (or the default) and whether it is the
/// default. The keys, defaults and validators are `crate::policy::PolicyKey`.
pub fn policy_values(conn: &Connection) -> Result<Vec<(PolicyKey, String, bool)>> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare_cached("SELECT value FROM policy WHERE key = ?1")?;
    for key in PolicyKey::ALL {
        let stored: Option<String> = stmt.query_row([key.name()], |r| r.get(0)).optional()?;
        let is_default = stored.is_none();
        out.push((
            key,
            stored.unwrap_or_else(|| key.default_value()),
            is_default,
        ));
    }
    Ok(out)
}

/// The clinic's zone when the database holds a valid one (no warning here: `load_policy` gives
/// it).
pub fn stored_zone(conn: &Connection) -> Option<Tz> {
    let stored: String = conn
        .query_row(
            "SELECT value FROM policy WHERE key = ?1",
            [PolicyKey::Timezone.name()],
            |r| r.get(0),
        )
        .ok()?;
    crate::policy::parse_zone(&stored)
}

/// The policy in force. A stored value its key cannot read (written by an older inkguard, or
/// by hand) is never used as it stands: a warning names it, and the key falls back to its
/// default (to `block` for a level).
pub fn load_policy(conn: &Connection) -> Result<Policy> {
    let mut p = Policy::default();
    for (key, value, is_default) in policy_values(conn)? {
        if is_default {
            continue;
        }
        if let Err(e) = key.set(&mut p, &value) {
            key.fall_back(&mut p);
            crate::output::eprint_safe(&format!(
                "warning: stored policy {} is not valid ({e}); using {} until it is set again: {}",
                key.name(),
                key.get(&p),
                e.hints().join("; ")
            ));
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
    client: ClientId,
    at: &str,
    area: Option<&str>,
    override_reason: Option<&str>,
    lots: &[LotId],
    actor: &str,
) -> Result<TreatmentId> {
    conn.execute(
        "INSERT INTO treatments (client_id, at, area, override, actor) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![client, at, area, override_reason, actor],
    )?;
    let id = TreatmentId(conn.last_insert_rowid());
    let mut stmt =
        conn.prepare_cached("INSERT INTO treatment_items (treatment_id, lot_id) VALUES (?1, ?2)")?;
    for lot in lots {
        stmt.execute(params![id, lot])?;
    }
    Ok(id)
}

/// A client to add (`client add`).
pub struct NewClient<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub born: Option<String>,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub note: Option<&'a str>,
    pub at: &'a str,
    pub actor: &'a str,
}

/// Adds a client under its normalised key. `Some(code)` names the look-alike that holds the key
/// already (another terminal may have added it since the caller looked): nothing was added.
pub fn insert_client(conn: &Connection, c: &NewClient) -> Result<Option<String>> {
    let inserted = conn.execute(
        "INSERT INTO clients (code, code_norm, name, born, phone, email, note, created_at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![c.code, crate::db::client_code_key(c.code), c.name, c.born, c.phone, c.email, c.note, c.at, c.actor],
    );
    if let Err(rusqlite::Error::SqliteFailure(e, _)) = &inserted {
        if e.code == rusqlite::ErrorCode::ConstraintViolation {
            let existing = look_alikes(conn, c.code)?
                .into_iter()
                .next()
                .map_or_else(|| c.code.to_string(), |l| l.code);
            return Ok(Some(existing));
        }
    }
    inserted?;
    Ok(None)
}
