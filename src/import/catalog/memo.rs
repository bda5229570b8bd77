//! Work done once per distinct value, not once per row: a catalog repeats the same few
//! thousand ingredient names, numbers and concentrations across hundreds of thousands of rows.
//! Each table maps a cell's text to what parsing it gives (every function here is pure, so a
//! remembered answer is the answer). The tables are emptied when they reach `LIMIT` entries,
//! so that a file of distinct values keeps memory flat.

use std::collections::HashMap;

use super::super::concentration::{self, Concentration};
use super::checks::not_an_ingredient;
use crate::ident::{self, Cas, ColourIndex, Ec};

/// Entries a table holds at most before it starts again.
const LIMIT: usize = 50_000;

/// The numbers a cell of CAS, EC or CI numbers holds, in order, and what could not be read.
pub struct Numbers<T> {
    pub found: Vec<T>,
    pub problems: Vec<String>,
}

/// What an ingredient's name says on its own: why it is no ingredient (a sentence, a
/// spreadsheet error), and the Colour Index and CAS numbers written inside it.
pub struct Name {
    pub not_an_ingredient: Option<String>,
    pub ci: Vec<ColourIndex>,
    pub cas: Vec<Cas>,
    pub problems: Vec<String>,
}

#[derive(Default)]
pub struct Memo {
    cas: Table<Numbers<Cas>>,
    ec: Table<Numbers<Ec>>,
    ci: Table<Numbers<ColourIndex>>,
    names: Table<Name>,
    concentrations: Table<Result<Option<Concentration>, String>>,
}

/// A table of remembered values by text.
pub struct Table<V> {
    by_text: HashMap<String, usize>,
    values: Vec<V>,
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table {
            by_text: HashMap::new(),
            values: Vec::new(),
        }
    }
}

impl<V> Table<V> {
    /// The remembered value of `key`, made by `make` the first time.
    pub fn get(&mut self, key: &str, make: impl FnOnce(&str) -> V) -> &V {
        if let Some(&at) = self.by_text.get(key) {
            return &self.values[at];
        }
        if self.values.len() >= LIMIT {
            self.by_text.clear();
            self.values.clear();
        }
        self.by_text.insert(key.to_string(), self.values.len());
        self.values.push(make(key));
        &self.values[self.values.len() - 1]
    }
}

fn numbers<T, E: ToString>(cell: &str, parse: impl Fn(&str) -> Result<T, E>) -> Numbers<T> {
    let mut n = Numbers {
        found: Vec::new(),
        problems: Vec::new(),
    };
    for part in ident::split_identifiers(cell) {
        match parse(part) {
            Ok(v) => n.found.push(v),
            Err(e) => n.problems.push(e.to_string()),
        }
    }
    n
}

impl Memo {
    pub fn cas(&mut self, cell: &str) -> &Numbers<Cas> {
        self.cas.get(cell, |c| numbers(c, Cas::parse))
    }

    pub fn ec(&mut self, cell: &str) -> &Numbers<Ec> {
        self.ec.get(cell, |c| numbers(c, Ec::parse))
    }

    pub fn ci(&mut self, cell: &str) -> &Numbers<ColourIndex> {
        self.ci.get(cell, |c| numbers(c, ColourIndex::parse))
    }

    /// A concentration cell read (`Err` with the reason it is not understood).
    pub fn concentration(&mut self, cell: &str) -> &Result<Option<Concentration>, String> {
        self.concentrations
            .get(cell, |c| concentration::parse(c).map_err(|e| e.to_string()))
    }

    pub fn name(&mut self, name: &str) -> &Name {
        self.names.get(name, name_facts)
    }
}

/// Colour Index and CAS numbers written inside an ingredient's name count as declared.
fn name_facts(name: &str) -> Name {
    let mut facts = Name {
        not_an_ingredient: not_an_ingredient(name),
        ci: Vec::new(),
        cas: Vec::new(),
        problems: Vec::new(),
    };
    for ci in ident::ci::find_in_text(name) {
        if !facts.ci.contains(&ci) {
            facts.ci.push(ci);
        }
    }
    // A name that is a Colour Index number however written (`77499`, `CI-16255`) is one.
    if let Ok(ci) = ColourIndex::parse(name) {
        if !facts.ci.contains(&ci) {
            facts.ci.push(ci);
        }
    }
    for text in ident::cas::find_in_text(name) {
        match Cas::parse(text) {
            Ok(c) => {
                if !facts.cas.contains(&c) {
                    facts.cas.push(c);
                }
            }
            Err(e) => facts.problems.push(e.to_string()),
        }
    }
    facts
}
