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

/// A substance to create, unverified, because nothing known matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubstance {
    pub name: String,
    pub cas: Vec<Cas>,
    pub ec: Vec<Ec>,
    pub ci: Vec<ColourIndex>,
}

#[derive(Debug, Clone, Default)]
pub struct Resolution {
    /// Known substances the ingredient declares (sorted, distinct).
    pub substances: Vec<i64>,
    /// A substance to create for what nothing matched.
    pub new: Option<NewSubstance>,
    pub warnings: Vec<String>,
}

/// One number of a row with what it names.
struct Number {
    kind: IdKind,
    shown: String,
    candidates: BTreeSet<i64>,
}

impl Index {
    /// Reads every identifier of every substance not merged into another.
    pub fn load(conn: &Connection) -> Result<Index> {
        let mut index = Index::default();
        let mut stmt =
            conn.prepare("SELECT id, name, verified FROM substances WHERE merged_into IS NULL")?;
        let rows = stmt.query_map([], |r| r.try_into())?;
        for row in rows {
            let (id, name, verified): (i64, String, bool) = row?;
            index.substances.insert(id, Known { name, verified });
        }
        let mut stmt = conn.prepare(
            "SELECT i.substance_id, i.kind, i.norm FROM identifiers i
             JOIN substances s ON s.id = i.substance_id WHERE s.merged_into IS NULL",
        )?;
        let rows = stmt.query_map([], |r| <(i64, String, String)>::try_from(r))?;
        for row in rows {
            let (id, kind, norm) = row?;
            if let Some(kind) = IdKind::parse(&kind) {
                index.add(id, kind, norm);
            }
        }
        Ok(index)
    }

    /// Records an identifier (`norm` as stored in `identifiers.norm`).
    pub fn add(&mut self, id: i64, kind: IdKind, norm: String) {
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
        let mut numbers: Vec<Number> = Vec::new();
        for cas in &d.cas {
            numbers.push(self.number(
                IdKind::Cas,
                format!("CAS {cas}"),
                self.cas.get(cas.as_str()),
            ));
        }
        for ec in &d.ec {
            numbers.push(self.number(IdKind::Ec, format!("EC {ec}"), self.ec.get(ec.as_str())));
        }
        for ci in &d.ci {
            numbers.push(self.number(IdKind::Ci, ci.to_string(), self.ci.get(&ci.number())));
        }
        let mut union_by_kind: HashMap<IdKind, BTreeSet<i64>> = HashMap::new();
        for n in numbers.iter().filter(|n| !n.candidates.is_empty()) {
            union_by_kind
                .entry(n.kind)
                .or_default()
                .extend(n.candidates.iter().copied());
        }
        let mut resolution = Resolution::default();
        let mut result: BTreeSet<i64> = BTreeSet::new();
        for n in numbers.iter().filter(|n| !n.candidates.is_empty()) {
            let mut kept = n.candidates.clone();
            for (kind, union) in &union_by_kind {
                if *kind == n.kind {
                    continue;
                }
                let narrowed: BTreeSet<i64> = kept.intersection(union).copied().collect();
                if narrowed.is_empty() {
                    let others: Vec<&Number> = numbers
                        .iter()
                        .filter(|o| o.kind == *kind && !o.candidates.is_empty())
                        .collect();
                    return Err(format!(
                        "{} ({}) contradicts {}: correct the row so that its numbers name the same substance",
                        n.shown,
                        self.names_of(&n.candidates),
                        others
                            .iter()
                            .map(|o| format!("{} ({})", o.shown, self.names_of(&o.candidates)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                kept = narrowed;
            }
            if kept.len() > 1 {
                resolution.warnings.push(format!(
                    "{} names several substances ({}): declared as all of them",
                    n.shown,
                    self.names_of(&kept)
                ));
            }
            result.extend(kept);
        }
        let unknown: Vec<&Number> = numbers.iter().filter(|n| n.candidates.is_empty()).collect();
        if !unknown.is_empty() {
            let mut new = NewSubstance {
                name: d.name.trim().to_string(),
                cas: Vec::new(),
                ec: Vec::new(),
                ci: Vec::new(),
            };
            for n in &unknown {
                match n.kind {
                    IdKind::Cas => new.cas.extend(
                        d.cas
                            .iter()
                            .filter(|c| format!("CAS {c}") == n.shown)
                            .cloned(),
                    ),
                    IdKind::Ec => new.ec.extend(
                        d.ec.iter()
                            .filter(|c| format!("EC {c}") == n.shown)
                            .cloned(),
                    ),
                    _ => new
                        .ci
                        .extend(d.ci.iter().filter(|c| c.to_string() == n.shown).copied()),
                }
            }
            if !result.is_empty() {
                // Known numbers beside unknown ones: the unknown ones get a substance of their own.
                let shown: Vec<&str> = unknown.iter().map(|n| n.shown.as_str()).collect();
                new.name = format!("{} ({})", new.name, shown.join(", "))
                    .trim()
                    .to_string();
            }
            if new.name.is_empty() {
                new.name = unknown
                    .iter()
                    .map(|n| n.shown.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
            }
            resolution.new = Some(new);
        }
        if !result.is_empty() {
            if let Some(w) = self.name_mismatch(&d.name, &result) {
                resolution.warnings.push(w);
            }
        }
        resolution.substances = result.into_iter().collect();
        Ok(resolution)
    }

    fn number(&self, kind: IdKind, shown: String, found: Option<&Vec<i64>>) -> Number {
        Number {
            kind,
            shown,
            candidates: found
                .map(|v| v.iter().copied().collect())
                .unwrap_or_default(),
        }
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
                cas: Vec::new(),
                ec: Vec::new(),
                ci: Vec::new(),
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
            .resolve(&declared("Iron oxide red", &["1309-37-1"], &[]))
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
    fn the_name_counts_only_without_numbers() {
        let r = index().resolve(&declared("Iron oxides", &[], &[])).unwrap();
        assert_eq!(r.substances, vec![1, 2]);
        let r = index()
            .resolve(&declared("Titanium dioxide", &[], &[77491]))
            .unwrap();
        assert_eq!(r.substances, vec![1]);
        assert!(r.warnings[0].contains("names differ"));
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
