//! What is not an ingredient although it stands in an ingredient cell: spreadsheet errors
//! (`#NAME?`, `#REF!`) and sentences (disclaimers, marketing). Both make the row invalid.

/// `#NAME?`, `#REF!` and the other errors a spreadsheet writes into a cell instead of a value.
pub fn spreadsheet_error(cell: &str) -> Option<&str> {
    let t = cell.trim();
    const ERRORS: &[&str] = &[
        "#NAME?",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#N/A",
        "#NULL!",
        "#NUM!",
        "#ERROR!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#GETTING_DATA",
        "#BLOCKED!",
        "#UNKNOWN!",
        "#CONNECT!",
    ];
    ERRORS
        .iter()
        .any(|e| t.eq_ignore_ascii_case(e))
        .then_some(t)
}

/// Words of prose that no ingredient name holds outside brackets.
const PROSE: &[&str] = &[
    "is",
    "are",
    "the",
    "this",
    "that",
    "our",
    "we",
    "you",
    "your",
    "be",
    "will",
    "can",
    "not",
    "please",
    "for",
    "it",
    "its",
    "been",
    "has",
    "have",
    "was",
    "were",
    "which",
    "without",
    "formulated",
    "contains",
    "free",
    "use",
    "only",
    "all",
    "products",
    "product",
    "skin",
    "ist",
    "und",
    "nicht",
    "est",
    "pour",
    "les",
    "sans",
];

/// Why a declared ingredient is not one: a spreadsheet error, or a sentence (a disclaimer,
/// marketing) rather than a name.
pub fn not_an_ingredient(text: &str) -> Option<String> {
    if let Some(e) = spreadsheet_error(text) {
        return Some(format!(
            "{e} is a spreadsheet error, not an ingredient: fix the formula in the spreadsheet and export again"
        ));
    }
    if is_sentence(text) {
        return Some(format!(
            "{:?} is a sentence, not an ingredient name: remove it from the ingredient list",
            short(text)
        ));
    }
    None
}

/// A sentence: prose words outside brackets (two different ones in four words or more), or
/// a URL.
pub fn is_sentence(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.contains("http://") || lower.contains("https://") || lower.contains("www.") {
        return true;
    }
    let outside = super::super::resolve::without_brackets(&lower);
    let words: Vec<&str> = outside
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() < 4 {
        return false;
    }
    let mut prose: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| PROSE.contains(w))
        .collect();
    prose.sort_unstable();
    prose.dedup();
    prose.len() >= 2
}

fn short(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_string(),
    }
}
