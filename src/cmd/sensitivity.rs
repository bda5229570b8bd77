//! `sensitivity add|list|retract`.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::cli::SensitivityCommand;
use crate::db::clinical::{self, ClientRef, TargetRef};
use crate::db::{audit, Db};
use crate::error::{Error, Result};
use crate::output::{opt, Output, Table};
use crate::screening::{Certainty, Source};

use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: SensitivityCommand) -> Result<Exit> {
    match command {
        SensitivityCommand::Add {
            client,
            target,
            source,
            certainty,
            note,
        } => add(db, out, &client, &target, source, certainty, note),
        SensitivityCommand::List { client } => list(db, out, &client),
        SensitivityCommand::Retract { id, reason } => retract(db, out, id, &reason),
    }
}

fn add(
    db: &mut Db,
    out: &Output,
    client: &str,
    target: &str,
    source: Source,
    certainty: Option<Certainty>,
    note: Option<String>,
) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, client)?;
    let target = clinical::resolve_target(&db.conn, target)?;
    let certainty = match certainty {
        Some(certainty) => certainty,
        None if source == Source::Reaction => Certainty::Suspected,
        None => Certainty::Confirmed,
    };
    let name = clinical::target_name(&db.conn, target)?;
    let (substance, group, kind) = match target {
        TargetRef::Substance(s) => (Some(s), None, "substance"),
        TargetRef::Group(g) => (None, Some(g), "group"),
    };
    let how = crate::screening::evidence_words(certainty, source);
    if let Some((existing, held_how)) = already_held(db, &client, target, source, certainty)? {
        let detail = serde_json::json!({
            "id": existing, "target": name, "target_kind": kind, "source": source.as_str(),
            "certainty": certainty.as_str(), "added": false
        });
        out.document(
            &detail,
            &format!(
                "{} already has this sensitivity: #{existing} to {name} ({kind}), {held_how}; nothing was added",
                client.code
            ),
        )?;
        return Ok(0);
    }
    let unverified = match target {
        TargetRef::Substance(s) => !clinical::substance_verified(&db.conn, s)?,
        TargetRef::Group(_) => false,
    };
    let (actor, at) = (db.actor.clone(), db.stamp());
    let tx = db.write()?;
    tx.execute(
        "INSERT INTO sensitivities (client_id, substance_id, group_id, source, certainty, note, recorded_at, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![client.id, substance, group, source.as_str(), certainty.as_str(), note, at, actor],
    )?;
    let id = tx.last_insert_rowid();
    let detail = serde_json::json!({
        "id": id, "target": name, "target_kind": kind, "source": source.as_str(), "certainty": certainty.as_str()
    });
    audit::append(
        &tx,
        &actor,
        &at,
        "sensitivity add",
        Some(&client.code),
        &detail,
    )?;
    tx.commit()?;
    if unverified {
        eprintln!(
            "warning: {name} is not identified (no CAS or Colour Index number is known for it), so it cannot be compared with any product: every check of {} is CAUTION (sensitivity-unmatched) while this sensitivity stands\nhint: when you know what it is, merge it into a known substance: inkguard substance merge {} NAME",
            client.code,
            crate::error::shell_quote(&name)
        );
    }
    let mut detail = detail;
    detail["added"] = serde_json::Value::Bool(true);
    detail["unmatched"] = serde_json::Value::Bool(unverified);
    out.document(
        &detail,
        &format!(
            "recorded sensitivity #{id} of {} to {name} ({kind}): {how}",
            client.code
        ),
    )?;
    Ok(0)
}

/// How strong the evidence of a sensitivity is: confirmed by a physician, a patch test or a
/// reaction, then declared by the client, then suspected.
fn strength(source: Source, certainty: Certainty) -> u8 {
    match (certainty, source) {
        (Certainty::Suspected, _) => 1,
        (Certainty::Confirmed, Source::Declared) => 2,
        (Certainty::Confirmed, _) => 3,
    }
}

/// The client's sensitivity in force (not retracted) to the same target once resolved (names,
/// numbers and merges followed) with evidence at least as strong: adding it again adds
/// nothing. One with stronger evidence (a physician confirming a declared allergy) is recorded:
/// it can only make the verdicts stricter.
fn already_held(
    db: &Db,
    client: &ClientRef,
    target: TargetRef,
    source: Source,
    certainty: Certainty,
) -> Result<Option<(i64, String)>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT s.id, s.substance_id, s.group_id, s.source, s.certainty FROM sensitivities s
         WHERE s.client_id = ?1
           AND NOT EXISTS (SELECT 1 FROM sensitivity_retractions r WHERE r.sensitivity_id = s.id)
         ORDER BY s.id",
    )?;
    type Row = (i64, Option<i64>, Option<i64>, String, String);
    let rows: Vec<Row> = stmt
        .query_map([client.id], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    let wanted = strength(source, certainty);
    for (id, substance, group, held_source, held_certainty) in rows {
        let (held_source, held_certainty) = (
            Source::parse(&held_source).unwrap_or(Source::Declared),
            Certainty::parse(&held_certainty).unwrap_or(Certainty::Suspected),
        );
        let held = strength(held_source, held_certainty);
        if held < wanted {
            continue;
        }
        let same = match (target, substance, group) {
            (TargetRef::Substance(t), Some(s), _) => {
                crate::db::substances::follow_merges(&db.conn, s)?
                    == crate::db::substances::follow_merges(&db.conn, t)?
            }
            (TargetRef::Group(t), None, Some(g)) => t == g,
            _ => false,
        };
        if same {
            let how = crate::screening::evidence_words(held_certainty, held_source);
            return Ok(Some((id, how)));
        }
    }
    Ok(None)
}

#[derive(Debug, Serialize)]
pub struct Retraction {
    pub reason: String,
    pub at: String,
    pub by: String,
}

/// A sensitivity as listed: recorded ones have an id; those implied by a positive patch test or
/// a reaction have none (correct the reading to change them).
#[derive(Debug, Serialize)]
pub struct SensitivityView {
    pub id: Option<i64>,
    pub target: String,
    pub target_kind: &'static str,
    pub source: &'static str,
    pub certainty: &'static str,
    pub retracted: bool,
    pub evidence: Option<String>,
    pub recorded_at: Option<String>,
    pub retraction: Option<Retraction>,
}

pub fn views(db: &Db, client: &ClientRef) -> Result<Vec<SensitivityView>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT s.id, s.substance_id, s.group_id, s.source, s.certainty, s.note, s.recorded_at,
                r.reason, r.retracted_at, r.actor
         FROM sensitivities s LEFT JOIN sensitivity_retractions r ON r.sensitivity_id = s.id
         WHERE s.client_id = ?1 ORDER BY s.id",
    )?;
    type Row = (
        i64,
        Option<i64>,
        Option<i64>,
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let rows: Vec<Row> = stmt
        .query_map([client.id], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    let mut views = Vec::new();
    for (id, substance, group, source, certainty, note, recorded_at, reason, retracted_at, by) in
        rows
    {
        let (target, kind) = match (substance, group) {
            (Some(s), _) => (
                TargetRef::Substance(crate::db::substances::follow_merges(&db.conn, s)?),
                "substance",
            ),
            (None, Some(g)) => (TargetRef::Group(g), "group"),
            (None, None) => continue,
        };
        views.push(SensitivityView {
            id: Some(id),
            target: clinical::target_name(&db.conn, target)?,
            target_kind: kind,
            source: Source::parse(&source).map_or("declared", Source::as_str),
            certainty: Certainty::parse(&certainty).map_or("confirmed", Certainty::as_str),
            retracted: reason.is_some(),
            evidence: note,
            recorded_at: Some(recorded_at),
            retraction: reason.map(|reason| Retraction {
                reason,
                at: retracted_at.unwrap_or_default(),
                by: by.unwrap_or_default(),
            }),
        });
    }
    // What the patch tests and reactions imply, as the verdicts see it.
    for s in crate::verdict::implied_sensitivities(&db.conn, db.now, client)? {
        views.push(SensitivityView {
            id: None,
            target: s.target_name.clone(),
            target_kind: s.target.kind().as_str(),
            source: s.source.as_str(),
            certainty: s.certainty.as_str(),
            retracted: false,
            evidence: s.evidence.clone(),
            recorded_at: None,
            retraction: None,
        });
    }
    Ok(views)
}

/// One line of a sensitivity for people.
pub fn line(s: &SensitivityView) -> String {
    let id =
        s.id.map_or_else(|| "  -".to_string(), |i| format!("#{i:<3}"));
    let mut text = format!(
        "{id} {} ({}): {}, {}",
        s.target, s.target_kind, s.source, s.certainty
    );
    if let Some(e) = &s.evidence {
        text.push_str(&format!(" [{e}]"));
    }
    if let Some(r) = &s.retraction {
        text.push_str(&format!(" RETRACTED {} by {}: {}", r.at, r.by, r.reason));
    }
    text
}

fn list(db: &Db, out: &Output, client: &str) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, client)?;
    let views = views(db, &client)?;
    let mut table = Table::new(&[
        "id",
        "target",
        "kind",
        "source",
        "certainty",
        "retracted",
        "evidence",
    ]);
    for s in &views {
        table.row(vec![
            opt(s.id),
            s.target.clone(),
            s.target_kind.into(),
            s.source.into(),
            s.certainty.into(),
            if s.retracted {
                "yes".into()
            } else {
                String::new()
            },
            opt(s.evidence.as_ref()),
        ]);
    }
    out.records(&views, &table)?;
    Ok(0)
}

fn retract(db: &mut Db, out: &Output, id: i64, reason: &str) -> Result<Exit> {
    if reason.trim().is_empty() {
        return Err(Error::invalid(
            "--reason is empty: say why the sensitivity is retracted",
        ));
    }
    let row: Option<(String, bool)> = db
        .conn
        .query_row(
            "SELECT c.code, EXISTS (SELECT 1 FROM sensitivity_retractions r WHERE r.sensitivity_id = s.id)
             FROM sensitivities s JOIN clients c ON c.id = s.client_id WHERE s.id = ?1",
            [id],
            |r| r.try_into(),
        )
        .optional()?;
    let Some((code, already)) = row else {
        return Err(Error::NotFound {
            what: "sensitivity",
            name: format!("#{id}"),
            suggestions: vec!["see the ids with: inkguard sensitivity list CLIENT".into()],
        });
    };
    if already {
        return Err(Error::invalid(format!(
            "sensitivity #{id} is retracted already"
        )));
    }
    let (actor, at) = (db.actor.clone(), db.stamp());
    let tx = db.write()?;
    tx.execute(
        "INSERT INTO sensitivity_retractions (sensitivity_id, reason, retracted_at, actor) VALUES (?1, ?2, ?3, ?4)",
        params![id, reason.trim(), at, actor],
    )?;
    let detail = serde_json::json!({"id": id, "reason": reason.trim()});
    audit::append(
        &tx,
        &actor,
        &at,
        "sensitivity retract",
        Some(&code),
        &detail,
    )?;
    tx.commit()?;
    out.document(
        &detail,
        &format!("retracted sensitivity #{id} of {code}; it stays on record and no longer counts"),
    )?;
    Ok(0)
}
