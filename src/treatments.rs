//! The one write path of a treatment (SPEC 7), shared by `treatment record` and the chair-side
//! page: take the write lock, judge the products and lots inside the transaction with the
//! verdict service, let the gate decide, then write the treatment and its audit event together.

use chrono::{DateTime, Utc};

use crate::db::{clinical, Db};
use crate::error::{Error, Result};
use crate::ids::TreatmentId;
use crate::verdict::{self, Gate, TreatmentJudgement, Used};

/// A treatment to record.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub client: &'a str,
    pub used: Vec<Used<'a>>,
    pub area: Option<String>,
    /// When it was done; `None` is now.
    pub at: Option<DateTime<Utc>>,
    pub override_reason: Option<String>,
}

/// A treatment written.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub id: TreatmentId,
    /// The stored time stamp.
    pub at: String,
    pub judged: TreatmentJudgement,
    /// The override kept (only where the gate needed one: a CAUTION).
    pub override_reason: Option<String>,
    /// What the audit event holds, and `--format json` prints.
    pub doc: serde_json::Value,
}

/// What became of a request.
#[derive(Debug, Clone)]
pub enum Outcome {
    Recorded(Recorded),
    /// The gate refused it; nothing was written.
    Refused {
        judged: TreatmentJudgement,
        why: &'static str,
    },
}

/// Records a treatment through the gate, as `db.actor`. The write transaction starts first and
/// the judgement runs inside it: a recall or a sensitivity that another writer commits while
/// this one waits for the lock is seen, and what is written is what was judged.
pub fn record(db: &mut Db, request: &Request) -> Result<Outcome> {
    let when = request.at.unwrap_or(db.now);
    if when > db.now {
        return Err(Error::invalid(format!(
            "the time {} is in the future",
            crate::time::stamp(when)
        )));
    }
    let (actor, now) = (db.actor.clone(), db.now);
    let tx = db.begin()?;
    let judged = verdict::judge_treatment(&tx, now, request.client, &request.used)?;
    let override_reason = match verdict::gate(judged.verdict, request.override_reason.as_deref()) {
        Gate::Go { override_reason } => override_reason,
        Gate::Refused { why } => return Ok(Outcome::Refused { judged, why }),
    };
    let at = crate::time::stamp(when);
    let lots: Vec<crate::db::LotId> = judged.items.iter().map(|i| i.lot_id).collect();
    let id = clinical::insert_treatment(
        &tx,
        judged.client.id,
        &at,
        request.area.as_deref(),
        override_reason.as_deref(),
        &lots,
        &actor,
    )?;
    let items: Vec<serde_json::Value> = judged
        .items
        .iter()
        .map(|v| serde_json::json!({"product": v.product, "lot": v.lot, "verdict": v.verdict}))
        .collect();
    let code = judged.client.code.clone();
    let doc = serde_json::json!({
        "id": id, "client": code, "at": at, "area": request.area, "items": items,
        "override": override_reason
    });
    tx.commit("treatment record", Some(&code), &doc)?;
    Ok(Outcome::Recorded(Recorded {
        id,
        at,
        judged,
        override_reason,
        doc,
    }))
}
