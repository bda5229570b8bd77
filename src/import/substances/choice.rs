//! Which known substance a reference row enriches: by its numbers, narrowed by its names, or a
//! conflict to report (numbers of different substances, names of different substances).

use std::collections::{BTreeSet, HashMap};

use rusqlite::Connection;

use crate::db::substances::{self, IdKind};
use crate::error::Result;
use crate::ids::SubstanceId;

/// The substances that hold each CAS, EC and Colour Index number (by `identifiers.norm`).
#[derive(Default)]
pub(super) struct Numbers(HashMap<(&'static str, String), BTreeSet<SubstanceId>>);

impl Numbers {
    pub(super) fn load(conn: &Connection) -> Result<Numbers> {
        let mut numbers = Numbers::default();
        for (id, kind, norm) in crate::db::substance_list::unmerged_identifiers(conn, true)? {
            if let Some(kind) = IdKind::parse(&kind) {
                numbers.add(kind, norm, id);
            }
        }
        Ok(numbers)
    }

    pub(super) fn add(&mut self, kind: IdKind, norm: String, id: SubstanceId) {
        self.0.entry((kind.as_str(), norm)).or_default().insert(id);
    }

    /// The substances holding this number (`value` valid for its kind).
    pub(super) fn get(&self, kind: IdKind, value: &str) -> BTreeSet<SubstanceId> {
        substances::identifier_norm(kind, value)
            .ok()
            .and_then(|norm| self.0.get(&(kind.as_str(), norm)))
            .cloned()
            .unwrap_or_default()
    }
}

/// `CAS 50-00-0`: a number as a warning names it.
pub(super) fn shown(kind: IdKind, value: &str) -> String {
    match kind {
        IdKind::Ci => value.to_string(),
        IdKind::Cas => format!("CAS {value}"),
        IdKind::Ec => format!("EC {value}"),
        _ => format!("{value:?}"),
    }
}

/// What a reference row does (SPEC 2, "reference imports enrich, they do not duplicate").
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Choice {
    /// Nothing known has its name or numbers: a new substance.
    New,
    /// Add the row's names and numbers to this substance.
    Enrich(SubstanceId),
    /// Report the row; change nothing.
    Conflict(Conflict),
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Conflict {
    /// The name names several substances and no known number narrows them.
    Names(BTreeSet<SubstanceId>),
    /// The numbers name different substances, and the name does not pick one of them.
    Numbers,
    /// The name names one substance, the numbers another.
    NameVsNumbers {
        name: BTreeSet<SubstanceId>,
        numbers: BTreeSet<SubstanceId>,
    },
}

/// Picks the substance a reference row describes. The numbers decide first: the substances that
/// hold a known number of every kind the row has (CAS, EC, CI narrow each other down); the name
/// picks among them, or alone when no number is known. Never a guess: numbers that name two
/// different substances, or a name that names another one, are a conflict to report.
pub(super) fn choose(
    by_name: &[SubstanceId],
    numbers: &[(String, BTreeSet<SubstanceId>)],
    ids: &[(IdKind, String)],
) -> Choice {
    let named: BTreeSet<SubstanceId> = by_name.iter().copied().collect();
    // Per kind, every substance a number of that kind names.
    let mut per_kind: Vec<(IdKind, BTreeSet<SubstanceId>)> = Vec::new();
    for ((kind, _), (_, found)) in ids.iter().filter(|(k, _)| !k.is_name()).zip(numbers) {
        if found.is_empty() {
            continue;
        }
        match per_kind.iter_mut().find(|(k, _)| k == kind) {
            Some((_, set)) => set.extend(found),
            None => per_kind.push((*kind, found.clone())),
        }
    }
    let Some(((_, first), rest)) = per_kind.split_first() else {
        return match named.len() {
            0 => Choice::New,
            1 => Choice::Enrich(by_name[0]),
            _ => Choice::Conflict(Conflict::Names(named)),
        };
    };
    let both: BTreeSet<SubstanceId> = first
        .iter()
        .filter(|id| rest.iter().all(|(_, set)| set.contains(id)))
        .copied()
        .collect();
    let narrowed: Vec<SubstanceId> = both.intersection(&named).copied().collect();
    if let [id] = narrowed.as_slice() {
        return Choice::Enrich(*id);
    }
    match both.iter().next() {
        Some(id) if both.len() == 1 && named.is_empty() => Choice::Enrich(*id),
        Some(_) if both.len() == 1 => Choice::Conflict(Conflict::NameVsNumbers {
            name: named,
            numbers: both,
        }),
        _ => Choice::Conflict(Conflict::Numbers),
    }
}
