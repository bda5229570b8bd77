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

use rusqlite::Connection;

use crate::db::substance_list;
use crate::db::substances::IdKind;
use crate::error::Result;
use crate::ident::{self, Cas, ColourIndex, Ec};

/// What the index knows about a substance.
#[derive(Debug, Clone)]
pub struct Known {
    pub name: String,
    pub verified: bool,
}

#[derive(Default)]
pub struct Index {
    cas: HashMap<String, Vec<i64>>,
    ec: HashMap<String, Vec<i64>>,
    ci: HashMap<u32, Vec<i64>>,
    names: HashMap<String, Vec<i64>>,
    /// Every normalised name of each substance, for the name-mismatch warning.
    names_of_substance: HashMap<i64, Vec<String>>,
    pub substances: HashMap<i64, Known>,
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
    pub join: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// Known substances the ingredient declares (sorted, distinct).
    pub substances: Vec<i64>,
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
    candidates: BTreeSet<i64>,
}

enum Id {
    Cas(Cas),
    Ec(Ec),
    Ci(ColourIndex),
}

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
    pub fn add(&mut self, id: i64, kind: IdKind, norm: String) {
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

    pub fn add_substance(&mut self, id: i64, name: &str, verified: bool) {
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
    pub fn unverified_holder(&self, new: &NewSubstance) -> Option<i64> {
        let unverified = |ids: Option<&Vec<i64>>| {
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

    pub fn name_of(&self, id: i64) -> &str {
        self.substances.get(&id).map_or("?", |k| k.name.as_str())
    }

    pub fn by_name(&self, name: &str) -> &[i64] {
        self.names
            .get(&ident::normalize_name(name))
            .map_or(&[], Vec::as_slice)
    }

    /// All (shown, normalised, owner) names of verified substances, for suggestions.
    pub fn verified_names(&self) -> impl Iterator<Item = (&str, i64)> {
        self.names.iter().flat_map(move |(norm, ids)| {
            ids.iter()
                .filter(|id| self.substances.get(id).is_some_and(|k| k.verified))
                .map(move |id| (norm.as_str(), *id))
        })
    }

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
        let mut union_by_kind: HashMap<IdKind, BTreeSet<i64>> = HashMap::new();
        for n in &numbers {
            for id in n.candidates.iter().filter(|id| self.is_verified(**id)) {
                union_by_kind.entry(n.kind).or_default().insert(*id);
            }
        }
        let mut resolution = Resolution::default();
        let mut from_numbers: BTreeSet<i64> = BTreeSet::new();
        for n in numbers.iter().filter(|n| !n.candidates.is_empty()) {
            let (mut kept, unverified): (BTreeSet<i64>, BTreeSet<i64>) =
                n.candidates.iter().partition(|id| self.is_verified(**id));
            if !kept.is_empty() {
                for (kind, union) in &union_by_kind {
                    if *kind == n.kind {
                        continue;
                    }
                    let narrowed: BTreeSet<i64> = kept.intersection(union).copied().collect();
                    if narrowed.is_empty() {
                        return Err(self.contradiction(n, *kind, &numbers));
                    }
                    kept = narrowed;
                }
            }
            kept.extend(unverified);
            if kept.len() > 1 {
                // A generic number beside a name of one of its substances means that one.
                let by_name: BTreeSet<i64> = kept.intersection(&named).copied().collect();
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
            let named_verified: BTreeSet<i64> = named
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
                let first = self.name_of(*named_verified.iter().next().unwrap_or(&0));
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

    fn is_verified(&self, id: i64) -> bool {
        self.substances.get(&id).is_some_and(|k| k.verified)
    }

    /// Every number of the row with the substances it names.
    fn numbers_of(&self, d: &Declared) -> Vec<Number> {
        let found = |v: Option<&Vec<i64>>| -> BTreeSet<i64> {
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

    /// The substances the row's name names (without its bracketed parts when the whole names
    /// none); none when the name is itself a number (`CI 16255`).
    pub fn named_by(&self, name: &str) -> BTreeSet<i64> {
        if name_is_number(name) {
            return BTreeSet::new();
        }
        let mut found: BTreeSet<i64> = self.by_name(name).iter().copied().collect();
        if found.is_empty() {
            let core = without_brackets(name);
            if core != name.trim() && !core.is_empty() {
                found.extend(self.by_name(&core).iter().copied());
            }
        }
        found
    }

    /// A contradiction between verified substances: the error naming both sides.
    fn contradiction(&self, n: &Number, other: IdKind, numbers: &[Number]) -> String {
        let verified = |ids: &BTreeSet<i64>| -> BTreeSet<i64> {
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

    fn names_of(&self, ids: &BTreeSet<i64>) -> String {
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
    fn name_mismatch(&self, name: &str, resolved: &BTreeSet<i64>) -> Option<String> {
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

/// The doubt of a declaration whose name and numbers name different substances, as stored in
/// `ingredients.doubt` and quoted by reasons: `declared as "Benzocaine" with the CAS of
/// Lidocaine` (the name as declared; the kinds of the numbers; the substances they name).
pub fn doubt_text(name: &str, kinds: &[IdKind], substances: &[&str]) -> String {
    let mut shown: Vec<&str> = Vec::new();
    for (kind, text) in [(IdKind::Cas, "CAS"), (IdKind::Ec, "EC"), (IdKind::Ci, "CI")] {
        if kinds.contains(&kind) {
            shown.push(text);
        }
    }
    format!(
        "declared as {:?} with the {} of {}",
        name.trim(),
        shown.join(" and "),
        substances.join(", ")
    )
}

/// Whether a declared name is a number rather than a name (`CI 16255`, `77499`, `50-00-0`):
/// such a name names nothing of its own.
pub fn name_is_number(name: &str) -> bool {
    let core = without_brackets(name);
    core.is_empty()
        || ident::normalize_name(&core).is_empty()
        || ColourIndex::parse(&core).is_ok()
        || Cas::parse(&core).is_ok()
        || Ec::parse(&core).is_ok()
        || ColourIndex::parse(name).is_ok()
}

/// The text with bracketed parts removed: `Iron Oxides (CI 77491)` -> `Iron Oxides`.
pub fn without_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// red (1), black (2), titanium (3), carbon (4); CAS 1309-37-1 shared by red and black.
    fn index() -> Index {
        let mut i = Index::default();
        for (id, name) in [
            (1, "Iron oxide red"),
            (2, "Iron oxide black"),
            (3, "Titanium dioxide"),
            (4, "Carbon black"),
        ] {
            i.add_substance(id, name, true);
        }
        i.add(1, IdKind::Cas, "1309-37-1".into());
        i.add(2, IdKind::Cas, "1309-37-1".into());
        i.add(2, IdKind::Cas, "1317-61-9".into());
        i.add(1, IdKind::Ci, "77491".into());
        i.add(2, IdKind::Ci, "77499".into());
        i.add(3, IdKind::Cas, "13463-67-7".into());
        i.add(3, IdKind::Ci, "77891".into());
        i.add(4, IdKind::Ci, "77266".into());
        i.add(1, IdKind::Name, "ironoxides".into());
        i.add(2, IdKind::Name, "ironoxides".into());
        i
    }

    fn declared(name: &str, cas: &[&str], ci: &[u32]) -> Declared {
        Declared {
            name: name.into(),
            cas: cas.iter().map(|c| Cas::parse(c).unwrap()).collect(),
            ec: vec![],
            ci: ci
                .iter()
                .map(|c| ColourIndex::parse(&c.to_string()).unwrap())
                .collect(),
        }
    }

    #[test]
    fn a_shared_cas_beside_a_ci_means_the_pigment_the_ci_names() {
        let r = index()
            .resolve(&declared("Iron oxide red", &["1309-37-1"], &[77491]))
            .unwrap();
        assert_eq!(r.substances, vec![1]);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn an_ambiguous_cas_alone_declares_every_substance_with_a_warning() {
        let r = index()
            .resolve(&declared("Red pigment", &["1309-37-1"], &[]))
            .unwrap();
        assert_eq!(r.substances, vec![1, 2]);
        assert!(r.warnings[0].contains("declared as all of them"));
    }

    #[test]
    fn numbers_in_one_cell_add_up() {
        let r = index()
            .resolve(&declared(
                "Iron Oxides",
                &["1309-37-1", "1317-61-9"],
                &[77491, 77499],
            ))
            .unwrap();
        assert_eq!(r.substances, vec![1, 2]);
    }

    #[test]
    fn contradicting_cells_are_an_error_naming_both() {
        let err = index()
            .resolve(&declared("Titanium dioxide", &["13463-67-7"], &[77266]))
            .unwrap_err();
        assert!(err.contains("CAS 13463-67-7 (Titanium dioxide)"), "{err}");
        assert!(err.contains("CI 77266 (Carbon black)"), "{err}");
    }

    #[test]
    fn the_name_alone_declares_what_it_names() {
        let r = index().resolve(&declared("Iron oxides", &[], &[])).unwrap();
        assert_eq!(r.substances, vec![1, 2]);
        assert!(r.warnings[0].contains("names several substances"));
    }

    #[test]
    fn name_and_numbers_disagree_declares_both_with_a_doubt() {
        let r = index()
            .resolve(&declared("Titanium dioxide", &[], &[77491]))
            .unwrap();
        assert_eq!(r.substances, vec![1, 3]);
        assert_eq!(
            r.doubt.as_deref(),
            Some(r#"declared as "Titanium dioxide" with the CI of Iron oxide red"#)
        );
        assert!(
            r.warnings[0].contains("Titanium dioxide") && r.warnings[0].contains("Iron oxide red"),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn the_doubt_text_names_the_name_the_kinds_and_the_substances() {
        assert_eq!(
            doubt_text(" Benzocaine ", &[IdKind::Cas], &["Lidocaine"]),
            r#"declared as "Benzocaine" with the CAS of Lidocaine"#
        );
        assert_eq!(
            doubt_text("X", &[IdKind::Ci, IdKind::Cas], &["A", "B"]),
            r#"declared as "X" with the CAS and CI of A, B"#
        );
    }

    #[test]
    fn a_name_that_agrees_or_translates_changes_nothing() {
        let r = index()
            .resolve(&declared("Titanium dioxide", &["13463-67-7"], &[]))
            .unwrap();
        assert_eq!((r.substances, r.doubt), (vec![3], None));
        let r = index()
            .resolve(&declared("Titandioxid", &["13463-67-7"], &[]))
            .unwrap();
        assert_eq!((r.substances, r.doubt), (vec![3], None));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn a_generic_cas_is_narrowed_by_the_name() {
        let mut i = index();
        i.add_substance(5, "Poloxamer 407", true);
        i.add_substance(6, "Poloxamer 188", true);
        i.add(5, IdKind::Cas, "9003-11-6".into());
        i.add(6, IdKind::Cas, "9003-11-6".into());
        let r = i
            .resolve(&declared("Poloxamer 407", &["9003-11-6"], &[]))
            .unwrap();
        assert_eq!((r.substances, r.doubt), (vec![5], None));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        // A name that names none of them and nothing else: all of them, with the warning.
        let r = i
            .resolve(&declared("Pluronic", &["9003-11-6"], &[]))
            .unwrap();
        assert_eq!(r.substances, vec![5, 6]);
        assert!(r.warnings[0].contains("declared as all of them"));
        // `Iron Oxides` with black's CAS: the number narrows the name; no doubt.
        let r = index()
            .resolve(&declared("Iron Oxides", &["1317-61-9"], &[]))
            .unwrap();
        assert_eq!((r.substances, r.doubt), (vec![2], None));
    }

    #[test]
    fn a_known_name_beside_an_unknown_number_declares_the_known_substance() {
        let r = index()
            .resolve(&declared("Carbon black", &["50-00-0"], &[]))
            .unwrap();
        assert_eq!(r.substances, vec![4]);
        assert!(r.new.is_none(), "no second Carbon black: {:?}", r.new);
        assert!(
            r.warnings[0].contains(r#"substance alias "Carbon black" "CAS 50-00-0""#),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn unverified_substances_never_contradict_themselves() {
        let mut i = index();
        i.add_substance(7, "ACID RED 18", false);
        i.add(7, IdKind::Cas, "2611-82-7".into());
        // An unknown number beside a number of an unverified substance joins it.
        let r = i
            .resolve(&declared("CI 16255", &["2611-82-7"], &[16255]))
            .unwrap();
        assert_eq!(r.substances, vec![7]);
        let new = r.new.unwrap();
        assert_eq!((new.join, new.ci.len()), (Some(7), 1));
        i.add(7, IdKind::Ci, "16255".into());
        let r = i
            .resolve(&declared("CI 16255", &["2611-82-7"], &[16255]))
            .unwrap();
        assert_eq!((r.substances, r.new), (vec![7], None));
        // Beside a verified substance's number it is no contradiction: both are declared.
        let r = i
            .resolve(&declared("Mix", &["2611-82-7"], &[77266]))
            .unwrap();
        assert_eq!(r.substances, vec![4, 7]);
        // Found again by its name, and unknown numbers beside the name join it.
        let r = i
            .resolve(&declared("Acid Red 18", &["50-00-0"], &[]))
            .unwrap();
        assert_eq!((r.substances, r.new.unwrap().join), (vec![7], Some(7)));
    }

    #[test]
    fn a_ci_number_written_as_the_name_is_a_ci_number() {
        for name in ["CI 16255", "C.I. 16255", "16255", "CI 77266 (CI 77266)"] {
            assert!(name_is_number(name), "{name}");
        }
        assert!(!name_is_number("Iron Oxides (CI 77491)"));
        let r = index()
            .resolve(&declared("CI 77266", &[], &[77266]))
            .unwrap();
        assert_eq!(r.substances, vec![4]);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let r = index()
            .resolve(&declared("CI 16255", &["13463-67-7"], &[16255]))
            .unwrap();
        assert_eq!(r.new.unwrap().name, "CI 16255");
    }

    #[test]
    fn unknown_ingredients_become_new_unverified_substances() {
        let r = index()
            .resolve(&declared("Mystery extract", &[], &[]))
            .unwrap();
        assert!(r.substances.is_empty());
        assert_eq!(r.new.unwrap().name, "Mystery extract");
        let r = index()
            .resolve(&declared("Blend", &["50-00-0"], &[77491]))
            .unwrap();
        assert_eq!(r.substances, vec![1]);
        assert_eq!(r.new.unwrap().cas[0].as_str(), "50-00-0");
    }
}
