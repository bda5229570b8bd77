//! `sensitivity add|list|retract`.

use serde::Serialize;

use crate::cli::SensitivityCommand;
use crate::db::clinical::{self, ClientRef, TargetRef};
use crate::db::sensitivities::{self as rows, NewSensitivity, Retraction};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ids::SensitivityId;
use crate::output::{opt, Output, Table};
use crate::screening::{Certainty, Source, Standing};

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
    let kind = match target {
        TargetRef::Substance(_) => "substance",
        TargetRef::Group(_) => "group",
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
    let tx = db.begin()?;
    let id = rows::insert(
        &tx,
        &NewSensitivity {
            client: client.id,
            target,
            source,
            certainty,
            note: note.as_deref(),
            raised_by: None,
        },
        &at,
        &actor,
    )?;
    let detail = serde_json::json!({
        "id": id, "target": name, "target_kind": kind, "source": source.as_str(), "certainty": certainty.as_str()
    });
    tx.commit("sensitivity add", Some(&client.code), &detail)?;
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

/// The client's sensitivity in force (`verdict::standings`: not retracted, not lapsed, not
/// resolved) to the same target once resolved (names, numbers and merges followed) with
/// evidence at least as strong: adding it again adds nothing. One with stronger evidence (a
/// physician confirming a declared allergy) is recorded: it can only make the verdicts
/// stricter.
fn already_held(
    db: &Db,
    client: &ClientRef,
    target: TargetRef,
    source: Source,
    certainty: Certainty,
) -> Result<Option<(SensitivityId, String)>> {
    let standings = crate::verdict::standings(&db.conn, db.now, client)?;
    let wanted = strength(source, certainty);
    for row in rows::of_client(&db.conn, client.id)? {
        if row.retraction.is_some() || !standings.in_force(row.id) {
            continue;
        }
        if strength(row.source, row.certainty) < wanted {
            continue;
        }
        let same = match (target, row.target) {
            (TargetRef::Substance(t), TargetRef::Substance(s)) => {
                crate::db::substances::follow_merges(&db.conn, s)?
                    == crate::db::substances::follow_merges(&db.conn, t)?
            }
            (TargetRef::Group(t), TargetRef::Group(g)) => t == g,
            _ => false,
        };
        if same {
            let how = crate::screening::evidence_words(row.certainty, row.source);
            return Ok(Some((row.id, how)));
        }
    }
    Ok(None)
}

/// A sensitivity as listed: every row of the record has an id, those raised by a positive
/// patch-test item or a reaction included; where it stands (`in force`, `retracted`, `lapsed`
/// when the reading that raised it was corrected, `resolved` by a later negative test) is the
/// engine's judgement. A positive item or a reaction with no row yet (a database upgraded
/// without its rows) is listed without an id, so that nothing that counts is hidden.
#[derive(Debug, Serialize)]
pub struct SensitivityView {
    pub id: Option<SensitivityId>,
    pub target: String,
    pub target_kind: &'static str,
    pub source: &'static str,
    pub certainty: &'static str,
    pub retracted: bool,
    /// `patch test 3, item 2`, `reaction 5`, or the note of one added by hand.
    pub evidence: Option<String>,
    /// `in force`, `retracted`, `lapsed` or `resolved`.
    pub standing: &'static str,
    /// The test that resolved a suspect (`patch test 7, item 1`).
    pub resolved_by: Option<String>,
    pub recorded_at: Option<String>,
    pub retraction: Option<Retraction>,
}

pub fn views(db: &Db, client: &ClientRef) -> Result<Vec<SensitivityView>> {
    let standings = crate::verdict::standings(&db.conn, db.now, client)?;
    let mut views = Vec::new();
    for row in rows::of_client(&db.conn, client.id)? {
        let (standing, raiser) = standings
            .recorded
            .get(&row.id)
            .cloned()
            .unwrap_or((Standing::InForce, None));
        let target = match row.target {
            TargetRef::Substance(s) => {
                TargetRef::Substance(crate::db::substances::follow_merges(&db.conn, s)?)
            }
            group => group,
        };
        let evidence = match (raiser, &row.note) {
            (Some(r), Some(note)) => Some(format!("{}; {note}", r.label())),
            (Some(r), None) => Some(r.label()),
            (None, note) => note.clone(),
        };
        views.push(SensitivityView {
            id: Some(row.id),
            target: clinical::target_name(&db.conn, target)?,
            target_kind: row.target().kind().as_str(),
            source: row.source.as_str(),
            certainty: row.certainty.as_str(),
            retracted: row.retraction.is_some(),
            evidence,
            standing: standing.as_str(),
            resolved_by: match &standing {
                Standing::Resolved { by } => Some(by.clone()),
                _ => None,
            },
            recorded_at: Some(row.recorded_at),
            retraction: row.retraction,
        });
    }
    for (s, raiser) in standings.unrecorded {
        views.push(SensitivityView {
            id: None,
            target: s.target_name.clone(),
            target_kind: s.target.kind().as_str(),
            source: s.source.as_str(),
            certainty: s.certainty.as_str(),
            retracted: false,
            evidence: Some(raiser.label()),
            standing: Standing::InForce.as_str(),
            resolved_by: None,
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
    if let Some(by) = &s.resolved_by {
        text.push_str(&format!(" RESOLVED by a later negative test ({by})"));
    }
    if s.standing == "lapsed" {
        text.push_str(" LAPSED: the reading that raised it was corrected");
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
        "standing",
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
            {
                let mut e = s.evidence.clone().unwrap_or_default();
                if let Some(by) = &s.resolved_by {
                    e.push_str(&format!(" (resolved by {by})"));
                }
                e
            },
            s.standing.to_string(),
        ]);
    }
    out.records(&views, &table)?;
    Ok(0)
}

fn retract(db: &mut Db, out: &Output, id: SensitivityId, reason: &str) -> Result<Exit> {
    if reason.trim().is_empty() {
        return Err(Error::invalid(
            "--reason is empty: say why the sensitivity is retracted",
        ));
    }
    let row = rows::owner(&db.conn, id)?;
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
    let tx = db.begin()?;
    rows::retract(&tx, id, reason.trim(), &at, &actor)?;
    let detail = serde_json::json!({"id": id, "reason": reason.trim()});
    tx.commit("sensitivity retract", Some(&code), &detail)?;
    out.document(
        &detail,
        &format!("retracted sensitivity #{id} of {code}; it stays on record and no longer counts"),
    )?;
    Ok(0)
}
