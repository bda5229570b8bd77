//! Identifiers of substances: CAS registry numbers, EC numbers, Colour Index numbers and names.
//!
//! Pure functions only: text in, canonical identifier (or a reason it is not one) out.

pub mod cas;
pub mod ci;
pub mod ec;
pub mod lot;
pub mod moiety;
pub mod name;

pub use cas::Cas;
pub use ci::ColourIndex;
pub use ec::Ec;
pub use lot::lot_key;
pub use name::normalize_name;

/// Splits a cell that may hold several identifiers (`1309-37-1 / 1317-61-9`, `a; b`, one per line)
/// on `/ ; , |` and line breaks. Parenthesised remarks such as `(generic)` are dropped, and so are
/// empty parts and the placeholders suppliers use for "none" (`-`, `---`, `n/a`).
pub fn split_identifiers(cell: &str) -> Vec<&str> {
    if is_placeholder(cell) {
        return Vec::new();
    }
    cell.split(['/', ';', ',', '|', '\n', '\r'])
        .map(strip_remark)
        .map(str::trim)
        .filter(|part| !is_placeholder(part))
        .collect()
}

/// `50-70-4 (generic)` -> `50-70-4`; text before a `(` is kept.
fn strip_remark(part: &str) -> &str {
    match part.find(['(', '[']) {
        Some(at) => &part[..at],
        None => part,
    }
}

/// The ways a supplier writes "no value": an empty cell, dashes, `n/a`, `none`.
pub fn is_placeholder(part: &str) -> bool {
    let t = part.trim();
    t.is_empty()
        || t.chars()
            .all(|c| matches!(c, '-' | '\u{2013}' | '\u{2014}' | '.' | '_'))
        || matches!(
            t.to_ascii_lowercase().as_str(),
            "n/a" | "na" | "none" | "nil" | "null" | "k.a." | "keine" | "aucun" | "not available"
        )
}

/// Replaces the dashes that word processors put into numbers (en dash, em dash, minus sign,
/// non-breaking hyphen, ...) with an ASCII hyphen and removes all white space.
pub(crate) fn plain_digits_and_hyphens(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => '-',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_identifiers_splits_on_every_separator_and_drops_remarks() {
        assert_eq!(
            split_identifiers(" 50-70-4/ 1259528-21-6 (generic)"),
            vec!["50-70-4", "1259528-21-6"]
        );
        assert_eq!(
            split_identifiers("2634-33-5; 55965-84-9|1\n2"),
            vec!["2634-33-5", "55965-84-9", "1", "2"]
        );
        assert!(split_identifiers(" - ").is_empty());
        assert!(split_identifiers("---").is_empty());
        assert!(split_identifiers("n/a").is_empty());
    }
}
