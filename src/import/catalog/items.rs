//! An ingredient's identity resolved once per distinct declaration: a catalog declares the
//! same few thousand (name, CAS, EC, CI) combinations over and over, and resolving one against
//! the index of 130,000 identifiers is the costliest step of a row. A remembered resolution
//! holds while the index is unchanged (`Index::generation`: an unverified substance made by
//! the import starts a new generation).

use std::collections::HashMap;
use std::rc::Rc;

use super::super::concentration::Concentration;
use super::super::resolve::{Declared, Index, Resolution};
use super::apply::Applier;
use super::parse::ItemDecl;
use super::report::Rejected;
use crate::ident::{Cas, ColourIndex, Ec};

/// Declarations remembered at most before the table starts again (memory stays flat).
const LIMIT: usize = 50_000;

/// What a declaration resolves to, with its numbers as the catalog stores them.
pub struct Resolved {
    /// The declared numbers, `, `-joined (`None` when there are none).
    pub cas: Option<String>,
    pub ec: Option<String>,
    pub ci: Option<String>,
    pub resolution: Resolution,
    /// Why the declaration contradicts itself (the row is invalid): then `resolution` is empty.
    pub contradiction: Option<String>,
    /// Whether its substances were counted for the report (once per declaration, not per row).
    pub counted: std::cell::Cell<bool>,
}

/// One ingredient, resolved.
pub struct Item {
    pub line: u64,
    pub decl: ItemDecl,
    pub concentration: Option<Concentration>,
    pub resolved: Rc<Resolved>,
}

impl Item {
    pub fn resolution(&self) -> &Resolution {
        &self.resolved.resolution
    }
}

/// Resolutions by declaration, for one generation of the index.
#[derive(Default)]
pub struct Resolutions {
    generation: u64,
    by_declaration: HashMap<String, Rc<Resolved>>,
}

impl Resolutions {
    fn get(&mut self, index: &Index, decl: &ItemDecl) -> Rc<Resolved> {
        if self.generation != index.generation || self.by_declaration.len() >= LIMIT {
            self.by_declaration.clear();
            self.generation = index.generation;
        }
        let key = key_of(decl);
        if let Some(found) = self.by_declaration.get(&key) {
            return Rc::clone(found);
        }
        let resolved = Rc::new(resolve(index, decl));
        self.by_declaration.insert(key, Rc::clone(&resolved));
        resolved
    }
}

/// The parts of a declaration its resolution depends on: name and numbers.
fn key_of(decl: &ItemDecl) -> String {
    let mut key = String::with_capacity(decl.name.len() + 32);
    key.push_str(&decl.name);
    for list in [&decl.cas, &decl.ec, &decl.ci] {
        key.push('\u{1f}');
        for n in list {
            key.push_str(n);
            key.push('\u{1e}');
        }
    }
    key
}

fn resolve(index: &Index, decl: &ItemDecl) -> Resolved {
    let declared = Declared {
        name: decl.name.clone(),
        cas: decl.cas.iter().filter_map(|c| Cas::parse(c).ok()).collect(),
        ec: decl.ec.iter().filter_map(|c| Ec::parse(c).ok()).collect(),
        ci: decl
            .ci
            .iter()
            .filter_map(|c| ColourIndex::parse(c).ok())
            .collect(),
    };
    let (resolution, contradiction) = match index.resolve(&declared) {
        Ok(r) => (r, None),
        Err(e) => (Resolution::default(), Some(e)),
    };
    Resolved {
        cas: joined(&declared.cas),
        ec: joined(&declared.ec),
        ci: joined(&declared.ci),
        resolution,
        contradiction,
        counted: std::cell::Cell::new(false),
    }
}

impl Applier<'_> {
    pub(super) fn resolve(&mut self, line: u64, decl: ItemDecl) -> Result<Item, Rejected> {
        let resolved = self.resolutions.get(&self.index, &decl);
        if let Some(e) = &resolved.contradiction {
            return Err(Rejected {
                line,
                reason: if self.label {
                    format!("{:?}: {e}", decl.name)
                } else {
                    e.clone()
                },
            });
        }
        let concentration = match decl.concentration.as_deref() {
            Some(text) => self.memo.concentration(text).clone().ok().flatten(),
            None => None,
        };
        Ok(Item {
            line,
            decl,
            concentration,
            resolved,
        })
    }
}

/// `a, b` for the declared numbers; `None` when there are none.
fn joined<T: ToString>(list: &[T]) -> Option<String> {
    (!list.is_empty()).then(|| {
        list.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    })
}
