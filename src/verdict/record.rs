//! The sensitivities that patch tests and reactions raise, written as rows of the record, and
//! where each of a client's sensitivities stands: both judged by the engine
//! (`screening::raised`, `screening::standing`), so that `sensitivity list`, `client show` and
//! every verdict agree on what is in force.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::db::clinical::{self, ClientRef, TargetRef};
use crate::db::{facts, sensitivities, ClientId};
use crate::error::Result;
use crate::ids::SensitivityId;
use crate::screening::{self, ActiveSensitivity, Raiser, Standing, Target, World};

/// Writes, in the caller's write transaction, the sensitivities that the positive items and the
/// reactions of one client (or of every client) raise and that have no row yet. Returns the
/// new rows: (client code, sensitivity id). Call it after writing a reading or a reaction.
pub fn record_raised(
    conn: &Connection,
    now: DateTime<Utc>,
    client: Option<ClientId>,
    at: &str,
    actor: &str,
) -> Result<Vec<(String, SensitivityId)>> {
    let world = World::new(now, clinical::load_policy(conn)?, Vec::new(), Vec::new());
    let mut written = Vec::new();
    for (client_id, facts) in facts::load_clients(conn, client)? {
        let outcomes = screening::outcomes(&facts, &world);
        for r in screening::unrecorded(&facts, &outcomes) {
            let target = match r.target {
                Target::Substance(id) => TargetRef::Substance(id),
                Target::Group(id) => TargetRef::Group(id),
            };
            let id = sensitivities::insert(
                conn,
                &sensitivities::NewSensitivity {
                    client: client_id,
                    target,
                    source: r.source,
                    certainty: r.certainty,
                    note: None,
                    raised_by: Some(r.raiser),
                },
                at,
                actor,
            )?;
            written.push((facts.code.clone(), id));
        }
    }
    Ok(written)
}

/// Where a client's sensitivities stand.
#[derive(Debug, Clone, Default)]
pub struct Standings {
    /// Each recorded sensitivity by id: its standing, and what raised it (if anything).
    pub recorded: BTreeMap<SensitivityId, (Standing, Option<Raiser>)>,
    /// What positive items and reactions without rows raise, in force, without ids.
    pub unrecorded: Vec<(ActiveSensitivity, Raiser)>,
}

impl Standings {
    /// Whether the recorded sensitivity `id` is in force (an unknown id is: never dropped on
    /// doubt).
    pub fn in_force(&self, id: SensitivityId) -> bool {
        self.recorded.get(&id).is_none_or(|(s, _)| s.in_force())
    }
}

/// Where each of a client's sensitivities stands now.
pub fn standings(conn: &Connection, now: DateTime<Utc>, client: &ClientRef) -> Result<Standings> {
    let world = World::new(now, clinical::load_policy(conn)?, Vec::new(), Vec::new());
    let facts = facts::load_clients(conn, Some(client.id))?
        .remove(&client.id)
        .unwrap_or_default();
    let outcomes = screening::outcomes(&facts, &world);
    let mut out = Standings::default();
    for s in &facts.sensitivities {
        let standing = screening::standing(
            &facts,
            &outcomes,
            s.raised_by,
            s.target,
            s.certainty,
            s.retracted,
        );
        out.recorded.insert(s.id, (standing, s.raised_by));
    }
    for r in screening::unrecorded(&facts, &outcomes) {
        if !screening::standing(
            &facts,
            &outcomes,
            Some(r.raiser),
            r.target,
            r.certainty,
            false,
        )
        .in_force()
        {
            continue;
        }
        let evidence = screening::raised_evidence(&facts, &outcomes, r.raiser);
        out.unrecorded.push((
            ActiveSensitivity {
                id: None,
                target: r.target,
                target_name: r.target_name,
                source: r.source,
                certainty: r.certainty,
                evidence,
                unverified: r.unverified,
            },
            r.raiser,
        ));
    }
    Ok(out)
}
