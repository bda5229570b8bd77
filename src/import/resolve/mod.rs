//! Resolving a declared ingredient to substances (SPEC 2), over an in-memory index of every
//! identifier, built once per import.
//!
//! - Every CAS, EC and Colour Index number of the row is resolved; the name only when the row
//!   has no number.
//! - Numbers in one cell add up; numbers of different kinds narrow each other down: a number's
//!   candidates are kept only where the other kinds' numbers name them too.
//! - A number that stays ambiguous declares every substance it names, with a warning:
//!   over-declaring is safe, under-declaring is not.
//! - A number whose candidates the other kinds rule out entirely is a contradiction: an error
//!   naming both, never a silent pick.
//! - Numbers nobody knows, or a name nobody knows, make a new unverified substance.

use std::collections::{BTreeSet, HashMap};

mod index;
mod names;

pub use names::{doubt_text, name_is_number, without_brackets};

use crate::db::substances::IdKind;
use crate::error::Result;
use crate::ident::{self, Cas, ColourIndex, Ec};
use crate::ids::SubstanceId;

/// What the index knows about a substance.
#[derive(Debug, Clone)]
pub struct Known {
    pub name: String,
    pub verified: bool,
}

#[derive(Default)]
pub struct Index {
    cas: HashMap<String, Vec<SubstanceId>>,
    ec: HashMap<String, Vec<SubstanceId>>,
    ci: HashMap<u32, Vec<SubstanceId>>,
    names: HashMap<String, Vec<SubstanceId>>,
    /// Every normalised name of each substance, for the name-mismatch warning.
    names_of_substance: HashMap<SubstanceId, Vec<String>>,
    pub substances: HashMap<SubstanceId, Known>,
    /// Counts the changes since loading: a resolution remembered at one generation holds
    /// until the next.
    pub generation: u64,
}

/// The identifiers a row (or label item) declares for one ingredient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Declared {
    pub name: String,
    pub cas: Vec<Cas>,
    pub ec: Vec<Ec>,
    pub ci: Vec<ColourIndex>,
}

impl Declared {
    pub fn has_numbers(&self) -> bool {
        !(self.cas.is_empty() && self.ec.is_empty() && self.ci.is_empty())
    }
}

/// A substance to create, unverified, because nothing known matched; or, with `join`, numbers
/// nobody knows to add to the unverified substance the row also names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewSubstance {
    pub name: String,
    pub cas: Vec<Cas>,
    pub ec: Vec<Ec>,
    pub ci: Vec<ColourIndex>,
    pub join: Option<SubstanceId>,
}

#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// Known substances the ingredient declares (sorted, distinct).
    pub substances: Vec<SubstanceId>,
    /// A substance to create for what nothing matched.
    pub new: Option<NewSubstance>,
    pub warnings: Vec<String>,
    /// Why the declaration is in doubt, for `ingredients.doubt`: its name and its numbers name
    /// different substances (see `doubt_text`).
    pub doubt: Option<String>,
}

/// One number of a row with what it names.
struct Number {
    kind: IdKind,
    shown: String,
    id: Id,
    candidates: BTreeSet<SubstanceId>,
}

enum Id {
    Cas(Cas),
    Ec(Ec),
    Ci(ColourIndex),
}

impl Index {
    /// Resolves one declared ingredient. An `Err` is a contradiction: the row is invalid.
    pub fn resolve(&self, d: &Declared) -> Result<Resolution, String> {
        if !d.has_numbers() {
            return Ok(self.resolve_name(&d.name));
        }
        let numbers = self.numbers_of(d);
        let named = self.named_by(&d.name);
        // The verified substances each kind's numbers name, to narrow the other kinds with.
        // Unverified substances narrow nothing and contradict nothing: an import made them from
        // what a supplier wrote, and a supplier's mistake must not make a later import fail.
        let mut union_by_kind: HashMap<IdKind, BTreeSet<SubstanceId>> = HashMap::new();
        for n in &numbers {
            for id in n.candidates.iter().filter(|id| self.is_verified(**id)) {
                union_by_kind.entry(n.kind).or_default().insert(*id);
            }
        }
        let mut resolution = Resolution::default();
        let mut from_numbers: BTreeSet<SubstanceId> = BTreeSet::new();
        for n in numbers.iter().filter(|n| !n.candidates.is_empty()) {
            let (mut kept, unverified): (BTreeSet<SubstanceId>, BTreeSet<SubstanceId>) =
                n.candidates.iter().partition(|id| self.is_verified(**id));
            if !kept.is_empty() {
                for (kind, union) in &union_by_kind {
                    if *kind == n.kind {
                        continue;
                    }
                    let narrowed: BTreeSet<SubstanceId> =
                        kept.intersection(union).copied().collect();
                    if narrowed.is_empty() {
                        return Err(self.contradiction(n, *kind, &numbers));
                    }
                    kept = narrowed;
                }
            }
            kept.extend(unverified);
            if kept.len() > 1 {
                // A generic number beside a name of one of its substances means that one.
                let by_name: BTreeSet<SubstanceId> = kept.intersection(&named).copied().collect();
                if !by_name.is_empty() {
                    kept = by_name;
                }
            }
            if kept.len() > 1 {
                resolution.warnings.push(format!(
                    "{} names several substances ({}): declared as all of them",
                    n.shown,
                    self.names_of(&kept)
                ));
            }
            from_numbers.extend(kept);
        }
        let mut result = from_numbers.clone();
        if !named.is_empty() && !from_numbers.is_empty() && named.is_disjoint(&from_numbers) {
            // The name and the numbers name different substances: both, never a silent pick.
            let known: Vec<&Number> = numbers
                .iter()
                .filter(|n| !n.candidates.is_empty())
                .collect();
            resolution.doubt = Some(doubt_text(
                &d.name,
                &known.iter().map(|n| n.kind).collect::<Vec<_>>(),
                &from_numbers
                    .iter()
                    .map(|id| self.name_of(*id))
                    .collect::<Vec<_>>(),
            ));
            resolution.warnings.push(format!(
                "the name {:?} names {}, but {} {} {}: declared as both; ask the supplier which is right",
                d.name.trim(),
                self.names_of(&named),
                known.iter().map(|n| n.shown.as_str()).collect::<Vec<_>>().join(", "),
                if known.len() == 1 { "names" } else { "name" },
                self.names_of(&from_numbers)
            ));
            result.extend(named.iter().copied());
        }
        let unknown: Vec<&Number> = numbers.iter().filter(|n| n.candidates.is_empty()).collect();
        if !unknown.is_empty() {
            let mut new = NewSubstance {
                name: if name_is_number(&d.name) {
                    String::new()
                } else {
                    d.name.trim().to_string()
                },
                ..NewSubstance::default()
            };
            for n in &unknown {
                match &n.id {
                    Id::Cas(c) => new.cas.push(c.clone()),
                    Id::Ec(e) => new.ec.push(e.clone()),
                    Id::Ci(c) => new.ci.push(*c),
                }
            }
            let shown: Vec<&str> = unknown.iter().map(|n| n.shown.as_str()).collect();
            // An unverified substance the row names takes the unknown numbers: it is found by
            // them next time, instead of a second substance that would contradict it.
            let join = from_numbers
                .iter()
                .chain(named.iter())
                .find(|id| !self.is_verified(**id))
                .copied();
            let named_verified: BTreeSet<SubstanceId> = named
                .iter()
                .copied()
                .filter(|id| self.is_verified(*id))
                .collect();
            if let Some(target) = join {
                new.join = Some(target);
                result.insert(target);
                resolution.new = Some(new);
            } else if !named_verified.is_empty() {
                // A known name beside a number nobody knows: the known substance, and the
                // number offered as a possible new identifier of it.
                result.extend(named_verified.iter().copied());
                let first = named_verified
                    .iter()
                    .next()
                    .map_or("?", |id| self.name_of(*id));
                for s in &shown {
                    resolution.warnings.push(format!(
                        "{s} is not a known number; the name {:?} names {}, which is declared; if the number is {}, add it: inkguard substance alias {first:?} {s:?}",
                        d.name.trim(),
                        self.names_of(&named_verified),
                        if named_verified.len() == 1 { format!("{first}'s") } else { "one of theirs".to_string() },
                    ));
                }
            } else {
                if !from_numbers.is_empty() && !new.name.is_empty() {
                    // Known numbers beside unknown ones: the unknown ones get a substance of their own.
                    new.name = format!("{} ({})", new.name, shown.join(", "));
                }
                if new.name.is_empty() {
                    new.name = shown.join(", ");
                }
                resolution.new = Some(new);
            }
        }
        if !from_numbers.is_empty() && named.is_empty() {
            if let Some(w) = self.name_mismatch(&d.name, &from_numbers) {
                resolution.warnings.push(w);
            }
        }
        resolution.substances = result.into_iter().collect();
        Ok(resolution)
    }

    /// Every number of the row with the substances it names.
    fn numbers_of(&self, d: &Declared) -> Vec<Number> {
        let found = |v: Option<&Vec<SubstanceId>>| -> BTreeSet<SubstanceId> {
            v.map(|v| v.iter().copied().collect()).unwrap_or_default()
        };
        let mut numbers = Vec::new();
        for cas in &d.cas {
            numbers.push(Number {
                kind: IdKind::Cas,
                shown: format!("CAS {cas}"),
                id: Id::Cas(cas.clone()),
                candidates: found(self.cas.get(cas.as_str())),
            });
        }
        for ec in &d.ec {
            numbers.push(Number {
                kind: IdKind::Ec,
                shown: format!("EC {ec}"),
                id: Id::Ec(ec.clone()),
                candidates: found(self.ec.get(ec.as_str())),
            });
        }
        for ci in &d.ci {
            numbers.push(Number {
                kind: IdKind::Ci,
                shown: ci.to_string(),
                id: Id::Ci(*ci),
                candidates: found(self.ci.get(&ci.number())),
            });
        }
        numbers
    }

    /// A contradiction between verified substances: the error naming both sides.
    fn contradiction(&self, n: &Number, other: IdKind, numbers: &[Number]) -> String {
        let verified = |ids: &BTreeSet<SubstanceId>| -> BTreeSet<SubstanceId> {
            ids.iter()
                .copied()
                .filter(|id| self.is_verified(*id))
                .collect()
        };
        let others: Vec<String> = numbers
            .iter()
            .filter(|o| o.kind == other && !verified(&o.candidates).is_empty())
            .map(|o| format!("{} ({})", o.shown, self.names_of(&verified(&o.candidates))))
            .collect();
        format!(
            "{} ({}) contradicts {}: correct the row so that its numbers name the same substance",
            n.shown,
            self.names_of(&verified(&n.candidates)),
            others.join(", ")
        )
    }

    fn names_of(&self, ids: &BTreeSet<SubstanceId>) -> String {
        ids.iter()
            .map(|id| self.name_of(*id))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn resolve_name(&self, name: &str) -> Resolution {
        let mut resolution = Resolution::default();
        let mut found = self.by_name(name).to_vec();
        if found.is_empty() {
            // `Algae (Seaweed) Extract`, `Glycerin (vegetable)`: try without the brackets.
            let core = without_brackets(name);
            if core != name.trim() && !core.is_empty() {
                found = self.by_name(&core).to_vec();
            }
        }
        found.sort_unstable();
        found.dedup();
        if found.len() > 1 {
            resolution.warnings.push(format!(
                "the name {:?} names several substances ({}): declared as all of them",
                name.trim(),
                self.names_of(&found.iter().copied().collect())
            ));
        }
        if found.is_empty() {
            resolution.new = Some(NewSubstance {
                name: name.trim().to_string(),
                ..NewSubstance::default()
            });
        }
        resolution.substances = found;
        resolution
    }

    /// A warning when the row's name is not like any name of what its numbers resolved to.
    /// "Like" is fuzzy, so that translations and spellings (`Titandioxid`, `Wasser`) pass and a
    /// name of something else (`Titanium dioxide` beside carbon black's CAS) does not.
    fn name_mismatch(&self, name: &str, resolved: &BTreeSet<SubstanceId>) -> Option<String> {
        let named = |norm: &str| {
            self.names
                .get(norm)
                .is_some_and(|ids| ids.iter().any(|id| resolved.contains(id)))
        };
        let full = ident::normalize_name(name);
        if named(&full) {
            return None;
        }
        let core = without_brackets(name);
        let want = ident::normalize_name(&core);
        if want.is_empty() || named(&want) {
            return None;
        }
        let alike = resolved
            .iter()
            .filter_map(|id| self.names_of_substance.get(id))
            .flatten()
            .any(|known| strsim::jaro_winkler(&want, known) >= NAME_LIKENESS);
        if alike {
            return None;
        }
        // A name that is itself a number (`CI 77491`) is no contradiction.
        if ColourIndex::parse(&core).is_ok() || Cas::parse(&core).is_ok() {
            return None;
        }
        Some(format!(
            "{:?} is declared with numbers of {}, whose names differ",
            name.trim(),
            self.names_of(resolved)
        ))
    }
}

/// How alike (Jaro-Winkler) a declared name must be to a known name of the substance its numbers
/// name, for no warning. 0.8 lets `Wasser`/`Water` and `Titandioxid`/`Titanium dioxide` pass.
const NAME_LIKENESS: f64 = 0.8;

#[cfg(test)]
mod tests;
