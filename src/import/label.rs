//! Label declarations: `Aqua, Glycerin, CI 77266 (Carbon Black), Iron Oxides (CI 77499),
//! May contain: CI 77491`. Split on commas outside brackets; `May contain` and `+/-` (in any of
//! the catalog languages, bare or in brackets) start the may-contain part. A list whose items
//! are separated by `;` is split on them too (and the caller warns). An item with a concentration
//! or an impurity note (`Nickel (impurity) < 2 mg/kg`, `traces of nickel`, `Nickel 0.0001%`)
//! declares the substance with that concentration.

/// One declared ingredient of a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelItem {
    /// The ingredient as declared, without its concentration or impurity note.
    pub text: String,
    pub may_contain: bool,
    /// The concentration as written on the label (`< 2 mg/kg`, `traces`, `0.0001%`).
    pub concentration: Option<String>,
    /// Declared as an impurity (`(impurity)`, `traces of`).
    pub impurity: bool,
}

/// A label declaration split into items.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Label {
    pub items: Vec<LabelItem>,
    /// Some items were separated by `;` rather than `,`.
    pub semicolons: bool,
}

/// The words that open a may-contain part, lower case.
const MAY_CONTAIN: &[&str] = &[
    "may contain",
    "+/-",
    "+ / -",
    "±",
    "peut contenir",
    "kann enthalten",
    "enthält möglicherweise",
    "puede contener",
    "può contenere",
    "puo contenere",
    "pode conter",
];

/// Words that may stand before the list itself.
const LIST_PREFIXES: &[&str] = &[
    "ingredients:",
    "ingredient:",
    "inci:",
    "inhaltsstoffe:",
    "ingrédients:",
    "ingredientes:",
    "ingredienti:",
    "composition:",
];

/// The items of a declaration (see `read`).
pub fn split(declaration: &str) -> Vec<LabelItem> {
    read(declaration).items
}

/// Splits a declaration into items, and says whether `;` separated some of them.
pub fn read(declaration: &str) -> Label {
    let mut text = declaration.trim();
    let lower = text.to_lowercase();
    for p in LIST_PREFIXES {
        if lower.starts_with(p) && text.is_char_boundary(p.len()) {
            text = text[p.len()..].trim_start();
            break;
        }
    }
    let mut items = Vec::new();
    let mut splitter = Splitter {
        items: &mut items,
        current: String::new(),
        semicolons: false,
    };
    let may_contain = splitter.run(text, false, 0);
    splitter.flush(may_contain);
    let semicolons = splitter.semicolons;
    Label { items, semicolons }
}

/// Bracketed may-contain lists read inside one another at most (`[+/- CI 77491, [+/- ...]]`).
const MAX_NESTED: usize = 8;

struct Splitter<'a> {
    items: &'a mut Vec<LabelItem>,
    current: String,
    semicolons: bool,
}

impl Splitter<'_> {
    /// Splits `text` into items; `may_contain` is the mode it starts in, `nested` how many
    /// bracketed may-contain lists it stands in. Returns the mode at the end.
    fn run(&mut self, text: &str, mut may_contain: bool, nested: usize) -> bool {
        let mut depth = 0usize;
        let mut i = 0;
        while i < text.len() {
            let rest = &text[i..];
            let c = rest.chars().next().unwrap_or(' ');
            if depth == 0 {
                let item_start = self.current.trim().is_empty();
                let candidate = item_start || c == '.';
                if let Some(len) = candidate.then(|| marker_at(rest, item_start)).flatten() {
                    self.flush(may_contain);
                    may_contain = true;
                    i += len;
                    continue;
                }
                // Deeper than `MAX_NESTED`, a bracket is text of the item it stands in: no
                // label nests may-contain lists, and a hostile cell must not exhaust the stack.
                if matches!(c, '(' | '[' | '{') && nested < MAX_NESTED {
                    let close = closing(text, i);
                    let inner = &text[i + 1..close.unwrap_or(text.len())];
                    if marker_at(inner.trim_start(), true).is_some() {
                        // `[+/- CI 77491, CI 77499]`: a may-contain list of its own.
                        self.flush(may_contain);
                        self.run(inner, true, nested + 1);
                        self.flush(true);
                        i = close.map_or(text.len(), |c| c + 1);
                        continue;
                    }
                }
                // A comma between digits is a decimal comma or part of a chemical name
                // (`Nickel 0,0001%`, `1,2-Hexanediol`), not a separator.
                let between_digits = c == ','
                    && self.current.ends_with(|p: char| p.is_ascii_digit())
                    && rest[1..].starts_with(|n: char| n.is_ascii_digit());
                if (c == ',' && !between_digits) || c == ';' {
                    if c == ';' && !self.current.trim().is_empty() {
                        self.semicolons = true;
                    }
                    self.flush(may_contain);
                    i += 1;
                    continue;
                }
            }
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            self.current.push(c);
            i += c.len_utf8();
        }
        may_contain
    }

    fn flush(&mut self, may_contain: bool) {
        let raw = std::mem::take(&mut self.current);
        let mut t = raw.trim();
        // A footnote after the last item: `Glycerin*. *Organic`.
        if let Some(at) = t.find(". *") {
            t = &t[..at];
        }
        let t = t
            .trim_matches(|c: char| c == '*' || c == '.' || c == ':' || c.is_whitespace())
            .trim_end_matches(['*', '†', '‡'])
            .trim();
        if !t.is_empty() {
            let (text, concentration, impurity) = note(t);
            self.items.push(LabelItem {
                text,
                may_contain,
                concentration,
                impurity,
            });
        }
    }
}

/// `traces of nickel` and its translations: the word that is the concentration, then the joint.
const TRACES_OF: &[(&str, &str)] = &[
    ("traces", "of"),
    ("trace", "of"),
    ("traces", "de"),
    ("trace", "de"),
    ("spuren", "von"),
    ("spur", "von"),
    ("tracce", "di"),
    ("traccia", "di"),
    ("trazas", "de"),
    ("traza", "de"),
];

/// The bracketed notes that mark an impurity: `Nickel (impurity)`.
const IMPURITY: &[&str] = &[
    "impurity",
    "impurities",
    "impureté",
    "impuretés",
    "impurete",
    "impuretes",
    "verunreinigung",
    "verunreinigungen",
    "impureza",
    "impurezas",
    "impurezza",
    "impurezze",
    "trace",
    "traces",
    "spuren",
];

/// Items longer than this are taken as they are by `note`.
const NOTE_MAX_BYTES: usize = 1_000;

/// Reads an item's concentration or impurity note: (the ingredient, the concentration as
/// written, whether it is an impurity). `Nickel (impurity) < 2 mg/kg` -> (`Nickel`,
/// `< 2 mg/kg`, true); `traces of nickel` -> (`nickel`, `traces`, true); `Nickel 0.0001%` ->
/// (`Nickel`, `0.0001%`, false). Anything else is the item itself, and so is an item longer
/// than `NOTE_MAX_BYTES` (no ingredient's name is; a hostile cell of one item with thousands
/// of brackets or spaces must not take each of them as a place to look from).
pub fn note(item: &str) -> (String, Option<String>, bool) {
    let item = item.trim();
    if item.len() > NOTE_MAX_BYTES {
        return (item.to_string(), None, false);
    }
    let mut words = item.splitn(3, char::is_whitespace);
    if let (Some(first), Some(joint), Some(rest)) = (words.next(), words.next(), words.next()) {
        let (f, j) = (first.to_lowercase(), joint.to_lowercase());
        if TRACES_OF.iter().any(|(a, b)| *a == f && *b == j) && !rest.trim().is_empty() {
            return (rest.trim().to_string(), Some(first.to_string()), true);
        }
    }
    // `Nickel (impurity) < 2 mg/kg`
    for (open, _) in item.match_indices(['(', '[']) {
        let Some(close) = closing(item, open) else {
            continue;
        };
        let inner = item[open + 1..close].trim().to_lowercase();
        if IMPURITY.contains(&inner.as_str()) {
            let name = item[..open].trim();
            let rest = item[close + 1..].trim();
            if name.is_empty() {
                break;
            }
            let concentration = (!rest.is_empty()).then(|| rest.to_string());
            return (name.to_string(), concentration, true);
        }
    }
    // `Nickel 0.0001%`: a concentration after the name, written with a unit or a bound.
    for (at, _) in item.match_indices(char::is_whitespace) {
        let (head, tail) = (item[..at].trim(), item[at..].trim());
        let starts = tail.starts_with(|c: char| c.is_ascii_digit() || "<>≤≥".contains(c));
        let lower = tail.to_lowercase();
        let marked = tail.starts_with(|c: char| "<>≤≥".contains(c))
            || ["%", "ppm", "ppb", "mg/kg"]
                .iter()
                .any(|u| lower.contains(u));
        if starts
            && marked
            && head.chars().any(char::is_alphabetic)
            && matches!(super::concentration::parse(tail), Ok(Some(_)))
        {
            return (head.to_string(), Some(tail.to_string()), false);
        }
    }
    (item.to_string(), None, false)
}

/// The length of a may-contain marker (with what follows it: `:`, `(+/-)`, spaces) at the start
/// of `s`, if one stands there. A marker in the middle of an item (`Fragrance. May contain: Mica`)
/// counts only after a sentence end.
fn marker_at(s: &str, item_start: bool) -> Option<usize> {
    let (lead, body) = if item_start {
        (0, s)
    } else {
        let trimmed = s.strip_prefix('.')?;
        let body = trimmed.trim_start();
        (s.len() - body.len(), body)
    };
    // Markers are short: lower-case only the head (case mapping keeps these markers' lengths).
    let head: String = body.chars().take(24).collect::<String>().to_lowercase();
    for m in MAY_CONTAIN {
        let lower = &head;
        if lower.starts_with(m) && body.is_char_boundary(m.len()) {
            let after = &body[m.len()..];
            // A marker word must end there: `+/-` may be followed by anything, words by a non-letter.
            if m.chars().next().is_some_and(char::is_alphabetic)
                && after.chars().next().is_some_and(char::is_alphabetic)
            {
                continue;
            }
            let skipped = after.len()
                - after
                    .trim_start_matches(|c: char| {
                        c.is_whitespace() || matches!(c, ':' | '(' | ')' | '+' | '/' | '-' | '±')
                    })
                    .len();
            return Some(lead + m.len() + skipped);
        }
    }
    None
}

/// The index of the bracket that closes the one at `open`.
fn closing(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0;
    for (i, c) in text[open..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
#[path = "label_tests.rs"]
mod tests;
