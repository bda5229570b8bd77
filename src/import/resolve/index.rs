//! The index itself: every identifier and name of every substance, loaded once per import
//! and kept up to date as the import adds substances; look-ups by number and by name.

use std::collections::BTreeSet;

use rusqlite::Connection;

use super::{name_is_number, without_brackets, Index, Known, NewSubstance};
use crate::db::substance_list;
use crate::db::substances::IdKind;
use crate::error::Result;
use crate::ident;
use crate::ids::SubstanceId;

impl Index {
    /// Reads every identifier of every substance not merged into another.
    pub fn load(conn: &Connection) -> Result<Index> {
        let mut index = Index::default();
        for (id, name, verified) in substance_list::unmerged(conn)? {
            index.substances.insert(id, Known { name, verified });
        }
        for (id, kind, norm) in substance_list::unmerged_identifiers(conn, false)? {
            if let Some(kind) = IdKind::parse(&kind) {
                index.add(id, kind, norm);
            }
        }
        Ok(index)
    }

    /// Records an identifier (`norm` as stored in `identifiers.norm`).
    pub fn add(&mut self, id: SubstanceId, kind: IdKind, norm: String) {
        self.generation += 1;
        let list = match kind {
            IdKind::Cas => self.cas.entry(norm).or_default(),
            IdKind::Ec => self.ec.entry(norm).or_default(),
            IdKind::Ci => match norm.parse() {
                Ok(n) => self.ci.entry(n).or_default(),
                Err(_) => return,
            },
            _ => {
                let own = self.names_of_substance.entry(id).or_default();
                if !own.contains(&norm) {
                    own.push(norm.clone());
                }
                self.names.entry(norm).or_default()
            }
        };
        if !list.contains(&id) {
            list.push(id);
        }
    }

    pub fn add_substance(&mut self, id: SubstanceId, name: &str, verified: bool) {
        self.substances.insert(
            id,
            Known {
                name: name.to_string(),
                verified,
            },
        );
        self.add(id, IdKind::Name, ident::normalize_name(name));
    }

    /// The unverified substance that already holds one of these numbers, else the one of this
    /// name (when the name is a name): what an earlier row or import made for the same thing.
    pub fn unverified_holder(&self, new: &NewSubstance) -> Option<SubstanceId> {
        let unverified = |ids: Option<&Vec<SubstanceId>>| {
            ids.into_iter()
                .flatten()
                .copied()
                .filter(|id| self.substances.get(id).is_some_and(|k| !k.verified))
                .min()
        };
        new.cas
            .iter()
            .find_map(|c| unverified(self.cas.get(c.as_str())))
            .or_else(|| {
                new.ec
                    .iter()
                    .find_map(|e| unverified(self.ec.get(e.as_str())))
            })
            .or_else(|| {
                new.ci
                    .iter()
                    .find_map(|c| unverified(self.ci.get(&c.number())))
            })
            .or_else(|| {
                (!name_is_number(&new.name))
                    .then(|| unverified(self.names.get(&ident::normalize_name(&new.name))))
                    .flatten()
            })
    }

    pub fn name_of(&self, id: SubstanceId) -> &str {
        self.substances.get(&id).map_or("?", |k| k.name.as_str())
    }

    pub fn by_name(&self, name: &str) -> &[SubstanceId] {
        self.names
            .get(&ident::normalize_name(name))
            .map_or(&[], Vec::as_slice)
    }

    /// All (shown, normalised, owner) names of verified substances, for suggestions.
    pub fn verified_names(&self) -> impl Iterator<Item = (&str, SubstanceId)> {
        self.names.iter().flat_map(move |(norm, ids)| {
            ids.iter()
                .filter(|id| self.substances.get(id).is_some_and(|k| k.verified))
                .map(move |id| (norm.as_str(), *id))
        })
    }

    /// The substances the row's name names (without its bracketed parts when the whole names
    /// none); none when the name is itself a number (`CI 16255`).
    pub fn named_by(&self, name: &str) -> BTreeSet<SubstanceId> {
        if name_is_number(name) {
            return BTreeSet::new();
        }
        let mut found: BTreeSet<SubstanceId> = self.by_name(name).iter().copied().collect();
        if found.is_empty() {
            let core = without_brackets(name);
            if core != name.trim() && !core.is_empty() {
                found.extend(self.by_name(&core).iter().copied());
            }
        }
        found
    }

    pub(super) fn is_verified(&self, id: SubstanceId) -> bool {
        self.substances.get(&id).is_some_and(|k| k.verified)
    }
}
