//! `client add|list|show`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::cli::ClientCommand;
use crate::db::client_records;
use crate::db::clinical::{self, ClientRef};
use crate::db::{audit, Db};
use crate::error::{Error, Result};
use crate::ident;
use crate::output::{opt, Output, Table};

use super::patch_test::{self, PatchTestView};
use super::sensitivity::{self, SensitivityView};
use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: ClientCommand) -> Result<Exit> {
    match command {
        ClientCommand::Add {
            code,
            name,
            born,
            phone,
            email,
            note,
        } => add(db, out, &code, &name, born, phone, email, note),
        ClientCommand::List { search } => list(db, out, search.as_deref()),
        ClientCommand::Show { code } => show(db, out, &code),
        ClientCommand::Export { code } => export(db, out, &code),
        ClientCommand::Erase { code, confirm } => erase(db, out, &code, confirm),
    }
}

#[allow(clippy::too_many_arguments)]
fn add(
    db: &mut Db,
    out: &Output,
    code: &str,
    name: &str,
    born: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    note: Option<String>,
) -> Result<Exit> {
    let code = code.trim();
    if code.is_empty() || code.chars().any(char::is_control) {
        return Err(Error::invalid(
            "the client code is empty: give the clinic's code, like C-0042",
        ));
    }
    let key = crate::db::client_code_key(code);
    if key.is_empty() {
        return Err(Error::invalid_with_hint(
            format!("the client code {code:?} has no letter or digit"),
            "codes are compared without case, dashes and spaces: give one like C-0042",
        ));
    }
    if name.trim().is_empty() {
        return Err(Error::invalid("--name is empty"));
    }
    let born = born.as_deref().map(crate::time::parse_date).transpose()?;
    if let Some(b) = born {
        if b > db.now.with_timezone(&db.zone).date_naive() {
            return Err(Error::invalid(format!("--born {b} is in the future")));
        }
    }
    let (actor, at) = (db.actor.clone(), db.stamp());
    let tx = db.begin()?;
    // Checked inside the write transaction; a look-alike another terminal commits between this
    // check and the insert is still refused, by the unique index on `code_norm`.
    if let Some(existing) = clinical::look_alikes(&tx, code)?.into_iter().next() {
        return Err(look_alike_error(code, &existing.code));
    }
    let row = clinical::NewClient {
        code,
        name: name.trim(),
        born: born.map(|b| b.to_string()),
        phone: phone.as_deref(),
        email: email.as_deref(),
        note: note.as_deref(),
        at: &at,
        actor: &actor,
    };
    if let Some(existing) = clinical::insert_client(&tx, &row)? {
        return Err(look_alike_error(code, &existing));
    }
    // The audit event names the client by code only: no personal data.
    tx.commit("client add", Some(code), &serde_json::json!({}))?;
    out.document(
        &serde_json::json!({"code": code}),
        &format!("added client {code}"),
    )?;
    Ok(0)
}

/// A client add refused because the code is taken, however it is spelt.
fn look_alike_error(code: &str, existing: &str) -> Error {
    let message = if existing == code {
        format!("a client with the code {existing} exists already")
    } else {
        format!("a client with the code {existing} exists already, and {code} is the same code (codes are compared without case, dashes and spaces)")
    };
    Error::Invalid {
        message,
        hints: vec![
            format!(
                "see it with: inkguard client show {}",
                crate::error::shell_quote(existing)
            ),
            "a different client needs a code that differs in a letter or digit".into(),
        ],
    }
}

fn list(db: &Db, out: &Output, search: Option<&str>) -> Result<Exit> {
    let want = search.map(ident::normalize_name);
    let mut items = Vec::new();
    for c in client_records::list(&db.conn)? {
        if let Some(w) = &want {
            let text =
                ident::normalize_name(&format!("{} {}", c.code, c.name.as_deref().unwrap_or("")));
            if !text.contains(w.as_str()) {
                continue;
            }
        }
        items.push(c);
    }
    let mut table = Table::new(&["code", "name", "born", "sensitivities"]);
    for c in &items {
        table.row(vec![
            c.code.clone(),
            opt(c.name.as_ref()),
            opt(c.born.as_ref()),
            c.sensitivities.to_string(),
        ]);
    }
    out.records(&items, &table)?;
    Ok(0)
}

pub use crate::db::client_records::{ReactionSummary, TreatmentItem, TreatmentSummary};

#[derive(Serialize)]
struct ClientView {
    code: String,
    name: Option<String>,
    born: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    note: Option<String>,
    erased_at: Option<String>,
    sensitivities: Vec<SensitivityView>,
    patch_tests: Vec<PatchTestView>,
    treatments: Vec<TreatmentSummary>,
    reactions: Vec<ReactionSummary>,
}

pub fn treatments(db: &Db, client: &ClientRef) -> Result<Vec<TreatmentSummary>> {
    client_records::treatments(&db.conn, client.id)
}

pub fn reactions(db: &Db, client: &ClientRef) -> Result<Vec<ReactionSummary>> {
    client_records::reactions(&db.conn, client.id)
}

fn view(db: &Db, client: &ClientRef) -> Result<ClientView> {
    let client_records::Personal {
        name,
        born,
        phone,
        email,
        note,
        erased_at,
    } = client_records::personal(&db.conn, client.id)?;
    Ok(ClientView {
        code: client.code.clone(),
        name,
        born,
        phone,
        email,
        note,
        erased_at,
        sensitivities: sensitivity::views(db, client)?,
        patch_tests: patch_test::views_of_client(db, client)?,
        treatments: treatments(db, client)?,
        reactions: reactions(db, client)?,
    })
}

fn show(db: &Db, out: &Output, code: &str) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, code)?;
    let view = view(db, &client)?;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} {}",
        view.code,
        view.name.as_deref().unwrap_or("(personal data erased)")
    );
    for (label, value) in [
        ("born", &view.born),
        ("phone", &view.phone),
        ("email", &view.email),
        ("note", &view.note),
    ] {
        if let Some(v) = value {
            let _ = writeln!(t, "  {label:<6} {v}");
        }
    }
    let _ = writeln!(t, "\nsensitivities:");
    if view.sensitivities.is_empty() {
        let _ = writeln!(t, "  none known");
    }
    for s in &view.sensitivities {
        let _ = writeln!(t, "  {}", sensitivity::line(s));
    }
    let _ = writeln!(t, "\npatch tests:");
    if view.patch_tests.is_empty() {
        let _ = writeln!(t, "  none");
    }
    for p in &view.patch_tests {
        t.push_str(&patch_test::text(p, "  ", db.zone));
    }
    let _ = writeln!(t, "\ntreatments:");
    if view.treatments.is_empty() {
        let _ = writeln!(t, "  none");
    }
    for tr in &view.treatments {
        let items: Vec<String> = tr
            .items
            .iter()
            .map(|i| format!("{} lot {}", i.product, i.lot))
            .collect();
        let _ = writeln!(
            t,
            "  #{} {} {} {}",
            tr.id,
            crate::time::show_stamp(&tr.at, db.zone),
            opt(tr.area.as_ref()),
            items.join(", ")
        );
        if let Some(o) = &tr.override_reason {
            let _ = writeln!(t, "     override: {o}");
        }
    }
    let _ = writeln!(t, "\nreactions:");
    if view.reactions.is_empty() {
        let _ = writeln!(t, "  none");
    }
    for r in &view.reactions {
        let _ = writeln!(
            t,
            "  #{} after treatment #{}: {} ({}), onset {}",
            r.id,
            r.treatment,
            r.symptoms,
            r.severity,
            crate::time::show_stamp(&r.onset, db.zone)
        );
    }
    out.document(&view, &t)?;
    Ok(0)
}

/// Everything held about a client: the record, and the audit events that name the client.
fn export(db: &Db, out: &Output, code: &str) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, code)?;
    let view = view(db, &client)?;
    let events = audit::events(&db.conn, Some(&client.code))?;
    let doc = serde_json::json!({
        "exported_at": db.stamp(),
        "client": view,
        "audit_events": events,
    });
    // Always JSON: an export is a document to hand over, not a table.
    out.json(&doc)?;
    Ok(0)
}

/// Removes the personal data, then rewrites the file (VACUUM) and empties the write-ahead log,
/// so that the erased values are left neither in free pages nor in the WAL.
fn erase(db: &mut Db, out: &Output, code: &str, confirm: bool) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, code)?;
    if !confirm {
        return Err(Error::invalid_with_hint(
            format!("erasing {}'s personal data cannot be undone", client.code),
            format!(
                "to go ahead: inkguard client erase {} --confirm",
                client.code
            ),
        ));
    }
    let erased_before = client_records::erased_at(&db.conn, client.id)?;
    crate::db::maintenance::secure_delete(&db.conn)?;
    if erased_before.is_none() {
        let at = db.stamp();
        let tx = db.begin()?;
        client_records::erase(&tx, client.id, &at)?;
        tx.commit("client erase", Some(&client.code), &serde_json::json!({}))?;
    }
    // The erasure is committed from here on: a failure to wipe the file must not read as
    // "nothing was written".
    let emptied = crate::db::wipe(&db.conn).map_err(|e| {
        Error::invalid_with_hint(
            format!(
                "{}'s personal data is erased from the records (committed), but the database file could not be rewritten to wipe the old values: {}",
                client.code,
                Error::Database { path: db.path.clone(), source: e }.diagnosed()
            ),
            format!(
                "fix the cause (free disk space, let other users finish), then wipe again with: inkguard client erase {} --confirm",
                client.code
            ),
        )
    })?;
    if !emptied {
        return Err(Error::invalid_with_hint(
            format!(
                "{}'s personal data is erased from the records, but another inkguard is reading the database, so the write-ahead log could not be emptied yet",
                client.code
            ),
            format!("run again when the others are done: inkguard client erase {} --confirm", client.code),
        ));
    }
    out.document(
        &serde_json::json!({"code": client.code, "erased": true}),
        &format!(
            "erased {}'s name, birth date, contact data and note; the clinical record stays under the code {}",
            client.code, client.code
        ),
    )?;
    Ok(0)
}
