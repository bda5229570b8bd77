//! The facts of clients: sensitivities, patch tests with their readings, reactions, and what
//! the formulations they name hold, in six queries for one client or for all.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rusqlite::Connection;

use super::{id_list, names};
use crate::db::clinical;
use crate::error::Result;
use crate::ids::ClientId;
use crate::screening::{
    Certainty, ClientFacts, Content, FormulationId, Grade, GroupId, ItemTarget, PatchTest,
    PatchTestId, Raiser, Reaction, Reading, Sensitivity, SensitivityId, Source, SubstanceId,
    Target, TestItem,
};

/// The facts of one client (`Some(id)`) or of every client (`None`, for `screen`), by client
/// id: six queries either way.
pub fn load_clients(
    conn: &Connection,
    client: Option<ClientId>,
) -> Result<BTreeMap<ClientId, ClientFacts>> {
    let filter = |column: &str| client_filter(client, column);
    let mut all: BTreeMap<ClientId, ClientFacts> = BTreeMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id, code FROM clients WHERE {} ORDER BY code",
        filter("id")
    ))?;
    for row in stmt.query_map([client], |r| <(ClientId, String)>::try_from(r))? {
        let (id, code) = row?;
        all.insert(
            id,
            ClientFacts {
                code,
                ..ClientFacts::default()
            },
        );
    }
    let mut substances: BTreeSet<SubstanceId> = BTreeSet::new();

    // Sensitivities, with the name of what they are to (a merged substance read as its target).
    let pending_sensitivities = sensitivities(conn, client)?;
    substances.extend(
        pending_sensitivities
            .iter()
            .filter_map(|(_, s)| match s.target {
                Target::Substance(id) => Some(id),
                Target::Group(_) => None,
            }),
    );

    // Patch tests with their items.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT t.client_id, t.id, t.applied_at, i.id, i.item, i.formulation_id, i.substance_id,
                sp.name || '/' || p.code, f.version, i.group_id, g.name, i.photo_of,
                (SELECT x.at FROM irradiations x WHERE x.test_id = t.id),
                (SELECT v.relevance || COALESCE(', ' || v.certainty, '')
                        || CASE v.occupational WHEN 1 THEN ', occupational' ELSE '' END
                 FROM item_relevance v WHERE v.item_id = i.id ORDER BY v.id DESC LIMIT 1)
         FROM patch_tests t JOIN patch_test_items i ON i.test_id = t.id
         LEFT JOIN products p ON p.id = i.product_id
         LEFT JOIN suppliers sp ON sp.id = p.supplier_id
         LEFT JOIN formulations f ON f.id = i.formulation_id
         LEFT JOIN groups g ON g.id = i.group_id
         WHERE {} ORDER BY t.client_id, t.applied_at, t.id, i.item",
        filter("t.client_id")
    ))?;
    type ItemRow = (
        ClientId,
        PatchTestId,
        String,
        i64,
        i64,
        Option<FormulationId>,
        Option<SubstanceId>,
        Option<String>,
        Option<i64>,
        Option<GroupId>,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<String>,
    );
    // (client, test, applied_at) and the items, with the item row's id for the readings.
    let mut tests: Vec<(ClientId, PatchTest)> = Vec::new();
    let mut item_at: HashMap<i64, (usize, usize)> = HashMap::new();
    let mut formulations: BTreeSet<FormulationId> = BTreeSet::new();
    for row in stmt.query_map([client], |r| ItemRow::try_from(r))? {
        let (
            client_id,
            test_id,
            applied_at,
            item_id,
            item,
            formulation,
            substance,
            product,
            version,
            group,
            group_name,
            photo_of,
            irradiated_at,
            relevance,
        ) = row?;
        let target = match (formulation, substance, group) {
            (Some(f), ..) => {
                formulations.insert(f);
                ItemTarget::Formulation {
                    id: f,
                    label: format!(
                        "{} formulation {}",
                        product.unwrap_or_default(),
                        version.unwrap_or(0)
                    ),
                }
            }
            (None, Some(s), _) => {
                substances.insert(s);
                ItemTarget::Substance {
                    id: s,
                    name: String::new(),
                    verified: true,
                }
            }
            (None, None, Some(g)) => ItemTarget::Group {
                id: g,
                name: group_name.unwrap_or_default(),
            },
            // A control of a series tests nothing.
            (None, None, None) => continue,
        };
        if tests.last().is_none_or(|(_, t)| t.id != test_id) {
            tests.push((
                client_id,
                PatchTest {
                    id: test_id,
                    applied_at: clinical::parse_stamp(&applied_at)?,
                    items: Vec::new(),
                    irradiated_at: irradiated_at
                        .as_deref()
                        .map(clinical::parse_stamp)
                        .transpose()?,
                },
            ));
        }
        let t = tests.len() - 1;
        item_at.insert(item_id, (t, tests[t].1.items.len()));
        tests[t].1.items.push(TestItem {
            item,
            target,
            readings: Vec::new(),
            photo_of,
            relevance,
        });
    }

    // Readings in force (not superseded by a correction), oldest first.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.item_id, r.read_at, r.hours, r.grade
         FROM readings r JOIN patch_test_items i ON i.id = r.item_id
         JOIN patch_tests t ON t.id = i.test_id
         WHERE {} AND NOT EXISTS (SELECT 1 FROM readings n WHERE n.supersedes = r.id)
         ORDER BY r.read_at, r.id",
        filter("t.client_id")
    ))?;
    for row in stmt.query_map([client], |r| <(i64, String, f64, Grade)>::try_from(r))? {
        let (item_id, at, hours, grade) = row?;
        let Some((t, i)) = item_at.get(&item_id) else {
            continue;
        };
        tests[*t].1.items[*i].readings.push(Reading {
            at: clinical::parse_stamp(&at)?,
            hours,
            grade,
        });
    }

    // Reactions, with the formulations of the lots used.
    let reactions = reactions(conn, client)?;
    formulations.extend(
        reactions
            .iter()
            .flat_map(|(_, r)| r.formulations.iter().copied()),
    );

    // What the tested and reacted-to formulations hold, and every name the facts need.
    let contents = contents(conn, &formulations)?;
    substances.extend(contents.values().flatten().map(|c| c.0));
    let names = names(conn, &substances)?;
    let known = |id: SubstanceId| names.get(&id).cloned().unwrap_or(("?".into(), false));

    for (client_id, mut s) in pending_sensitivities {
        if let Target::Substance(id) = s.target {
            let (name, verified) = known(id);
            s.target_name = name;
            s.unverified = !verified;
        }
        if let Some(c) = all.get_mut(&client_id) {
            c.sensitivities.push(s);
        }
    }
    for (client_id, mut test) in tests {
        for item in &mut test.items {
            if let ItemTarget::Substance { id, name, verified } = &mut item.target {
                (*name, *verified) = known(*id);
            }
        }
        if let Some(c) = all.get_mut(&client_id) {
            c.tests.push(test);
        }
    }
    for (client_id, reaction) in reactions {
        if let Some(c) = all.get_mut(&client_id) {
            c.reactions.push(reaction);
        }
    }
    for c in all.values_mut() {
        let mut used: BTreeSet<FormulationId> = BTreeSet::new();
        for t in &c.tests {
            for i in &t.items {
                if let ItemTarget::Formulation { id, .. } = i.target {
                    used.insert(id);
                }
            }
        }
        for r in &c.reactions {
            used.extend(r.formulations.iter().copied());
        }
        for f in used {
            let held: Vec<Content> = contents
                .get(&f)
                .into_iter()
                .flatten()
                .map(|(substance, may_contain)| Content {
                    substance: *substance,
                    may_contain: *may_contain,
                    verified: known(*substance).1,
                })
                .collect();
            for h in &held {
                c.names.insert(h.substance, known(h.substance).0);
            }
            c.formulations.insert(f, held);
        }
        for s in &c.sensitivities {
            if let Target::Substance(id) = s.target {
                c.names.insert(id, s.target_name.clone());
            }
        }
    }
    Ok(all)
}

/// The condition that keeps one client's rows (`?1` bound to the id), or every client's.
fn client_filter(client: Option<ClientId>, column: &str) -> String {
    match client {
        Some(_) => format!("{column} = ?1"),
        None => "?1 IS NULL".to_string(),
    }
}

/// The recorded sensitivities, by client id, with what raised them.
fn sensitivities(
    conn: &Connection,
    client: Option<ClientId>,
) -> Result<Vec<(ClientId, Sensitivity)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT x.client_id, x.id, COALESCE(s0.merged_into, s0.id), x.group_id, g.name,
                x.source, x.certainty, x.note,
                EXISTS (SELECT 1 FROM sensitivity_retractions r WHERE r.sensitivity_id = x.id),
                e.test_id, e.item, x.evidence_test_item_id, x.evidence_reaction_id
         FROM sensitivities x
         LEFT JOIN substances s0 ON s0.id = x.substance_id
         LEFT JOIN groups g ON g.id = x.group_id
         LEFT JOIN patch_test_items e ON e.id = x.evidence_test_item_id
         WHERE {} ORDER BY x.id",
        client_filter(client, "x.client_id")
    ))?;
    type SensitivityRow = (
        ClientId,
        SensitivityId,
        Option<SubstanceId>,
        Option<GroupId>,
        Option<String>,
        Source,
        Certainty,
        Option<String>,
        bool,
        Option<PatchTestId>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
    );
    let mut pending_sensitivities: Vec<(ClientId, Sensitivity)> = Vec::new();
    for row in stmt.query_map([client], |r| SensitivityRow::try_from(r))? {
        let (
            client_id,
            id,
            substance,
            group,
            group_name,
            source,
            certainty,
            note,
            retracted,
            test,
            item,
            item_row,
            reaction,
        ) = row?;
        let target = match (substance, group) {
            (Some(s), _) => Target::Substance(s),
            (None, Some(g)) => Target::Group(g),
            // A sensitivity to a formulation is not made any more (a positive test implies it).
            (None, None) => continue,
        };
        let raised_by = match (test, item, item_row, reaction) {
            (Some(test), Some(item), _, _) => Some(Raiser::Item { test, item }),
            (_, _, Some(row), _) => {
                return Err(stored_sensitivity(
                    "evidence_test_item_id",
                    &row.to_string(),
                ))
            }
            (_, _, None, Some(r)) => Some(Raiser::Reaction(r)),
            (_, _, None, None) => None,
        };
        pending_sensitivities.push((
            client_id,
            Sensitivity {
                id,
                target,
                target_name: group_name.unwrap_or_default(),
                source,
                certainty,
                retracted,
                evidence: note,
                raised_by,
                unverified: false,
            },
        ));
    }

    Ok(pending_sensitivities)
}

/// A stored value of a sensitivity that this inkguard cannot read: an error, never a guess.
fn stored_sensitivity(column: &str, value: &str) -> crate::error::Error {
    crate::error::Error::invalid_with_hint(
        format!("a sensitivity holds {value:?} in {column}, which this inkguard cannot read"),
        "the database was changed outside inkguard or by a newer version: run inkguard doctor, and restore the latest backup if it reports problems",
    )
}

/// The reactions, by client id, with the formulations of the lots used.
fn reactions(conn: &Connection, client: Option<ClientId>) -> Result<Vec<(ClientId, Reaction)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT r.client_id, r.id, r.onset, r.severity, group_concat(DISTINCT l.formulation_id)
         FROM reactions r JOIN treatment_items ti ON ti.treatment_id = r.treatment_id
         JOIN lots l ON l.id = ti.lot_id WHERE {} GROUP BY r.id ORDER BY r.id",
        client_filter(client, "r.client_id")
    ))?;
    let mut reactions: Vec<(ClientId, Reaction)> = Vec::new();
    for row in stmt.query_map([client], |r| {
        <(ClientId, i64, String, String, String)>::try_from(r)
    })? {
        let (client_id, id, onset, severity, used) = row?;
        let used: Vec<FormulationId> = used.split(',').filter_map(|f| f.parse().ok()).collect();
        reactions.push((
            client_id,
            Reaction {
                id,
                onset: clinical::parse_stamp(&onset)?,
                severity,
                formulations: used,
            },
        ));
    }

    Ok(reactions)
}

/// (substance, may contain) of each formulation, in declared order.
fn contents(
    conn: &Connection,
    formulations: &BTreeSet<FormulationId>,
) -> Result<BTreeMap<FormulationId, Vec<(SubstanceId, bool)>>> {
    let mut out: BTreeMap<FormulationId, Vec<(SubstanceId, bool)>> = BTreeMap::new();
    if formulations.is_empty() {
        return Ok(out);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT formulation_id, substance_id, may_contain FROM ingredients
         WHERE formulation_id IN (SELECT value FROM json_each(?1)) ORDER BY formulation_id, position, id",
    )?;
    for row in stmt.query_map([id_list(formulations)], |r| {
        <(FormulationId, SubstanceId, bool)>::try_from(r)
    })? {
        let (f, s, may) = row?;
        out.entry(f).or_default().push((s, may));
    }
    Ok(out)
}
