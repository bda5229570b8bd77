//! Declared names read as text: the doubt stored when a name and its numbers disagree, a name
//! that is really a number, and a name without its bracketed parts.

use crate::db::substances::IdKind;
use crate::ident::{self, Cas, ColourIndex, Ec};

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
