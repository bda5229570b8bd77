//! Label declarations: `Aqua, Glycerin, CI 77266 (Carbon Black), Iron Oxides (CI 77499),
//! May contain: CI 77491`. Split on commas outside brackets; `May contain` and `+/-` (in any of
//! the catalog languages, bare or in brackets) start the may-contain part.

/// One declared ingredient of a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelItem {
    pub text: String,
    pub may_contain: bool,
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

pub fn split(declaration: &str) -> Vec<LabelItem> {
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
    };
    let may_contain = splitter.run(text, false);
    splitter.flush(may_contain);
    items
}

struct Splitter<'a> {
    items: &'a mut Vec<LabelItem>,
    current: String,
}

impl Splitter<'_> {
    /// Splits `text` into items; `may_contain` is the mode it starts in. Returns the mode at the end.
    fn run(&mut self, text: &str, mut may_contain: bool) -> bool {
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
                if matches!(c, '(' | '[' | '{') {
                    let close = closing(text, i);
                    let inner = &text[i + 1..close.unwrap_or(text.len())];
                    if marker_at(inner.trim_start(), true).is_some() {
                        // `[+/- CI 77491, CI 77499]`: a may-contain list of its own.
                        self.flush(may_contain);
                        self.run(inner, true);
                        self.flush(true);
                        i = close.map_or(text.len(), |c| c + 1);
                        continue;
                    }
                }
                if c == ',' {
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
            self.items.push(LabelItem {
                text: t.to_string(),
                may_contain,
            });
        }
    }
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
mod tests {
    use super::*;

    fn texts(items: &[LabelItem]) -> Vec<(&str, bool)> {
        items
            .iter()
            .map(|i| (i.text.as_str(), i.may_contain))
            .collect()
    }

    #[test]
    fn commas_inside_brackets_do_not_split() {
        let items =
            split("Aqua, Glycerin, CI 77266 (Carbon Black), Iron Oxides (CI 77491, CI 77499).");
        assert_eq!(
            texts(&items),
            vec![
                ("Aqua", false),
                ("Glycerin", false),
                ("CI 77266 (Carbon Black)", false),
                ("Iron Oxides (CI 77491, CI 77499)", false)
            ]
        );
    }

    #[test]
    fn may_contain_parts_are_marked() {
        let items =
            split("Talc, Mica. May Contain: Titanium Dioxide (Ci 77891), Iron Oxides (Ci 77491)");
        assert_eq!(
            texts(&items),
            vec![
                ("Talc", false),
                ("Mica", false),
                ("Titanium Dioxide (Ci 77891)", true),
                ("Iron Oxides (Ci 77491)", true)
            ]
        );
        let items = split("Talc, Mica [+/- CI 77491, CI 77499]");
        assert_eq!(
            texts(&items),
            vec![
                ("Talc", false),
                ("Mica", false),
                ("CI 77491", true),
                ("CI 77499", true)
            ]
        );
        let items = split("Aqua, +/- CI 77891, CI 77499");
        assert_eq!(
            texts(&items),
            vec![("Aqua", false), ("CI 77891", true), ("CI 77499", true)]
        );
        let items = split("Aqua, Kann enthalten (+/-): CI 77491");
        assert_eq!(texts(&items), vec![("Aqua", false), ("CI 77491", true)]);
    }

    #[test]
    fn footnote_stars_and_prefixes_are_dropped() {
        let items = split("Ingredients: Water, Glycerin*, Aloe Vera**. *Organic");
        assert_eq!(
            texts(&items),
            vec![("Water", false), ("Glycerin", false), ("Aloe Vera", false)]
        );
    }

    #[test]
    fn words_that_merely_start_like_a_marker_are_ingredients() {
        let items = split("Mayonnaise Extract, Aqua");
        assert_eq!(
            texts(&items),
            vec![("Mayonnaise Extract", false), ("Aqua", false)]
        );
    }
}
