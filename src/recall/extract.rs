//! Lot numbers out of an alert's batch text, as authorities write it: `Lot-Nr. D 199 batch No
//! 199 E06`, `Lot SS 202 ex. 02/29/2020 and lot SS 200`, `1.) Lot 91024110, 2.) Lot 91022050`,
//! `011-1D20211121, Mindestens haltbar bis: 21.11.2021`, `BATCH: RX44Q…; LOT: SS199`.
//!
//! The text is cut into clauses (`,` `;` line breaks, `and`/`und`/`et`/`&`); inside a clause a
//! label (`Lot`, `Batch No`, `Charge`, ...) starts a new lot, and a date label (`ex.`, `best
//! before`, `Mindestens haltbar bis`, `EAN`, ...) or a bare date ends it and is left out. What
//! is left with at least one digit is a lot; what is left without one is reported as ignored.

use serde::Serialize;

use crate::ident::lot::is_label_key;
use crate::ident::normalize_name;

/// A lot number read from a batch text, as written there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExtractedLot {
    pub text: String,
    /// The text ends in `…` or `...`: the authority cut the number off, so it could be any lot
    /// that starts so.
    pub truncated: bool,
}

/// What a batch text holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extraction {
    pub lots: Vec<ExtractedLot>,
    /// Parts that are neither a lot, a label nor a date (`unknown`, `all`).
    pub ignored: Vec<String>,
}

/// Words (in key form) that join two lots in a clause.
const CONJUNCTIONS: [&str; 7] = ["and", "und", "et", "or", "oder", "ou", "sowie"];

/// Words (in key form) after which a date, a barcode or a note follows, up to the next lot label.
const SKIP_LABELS: [&str; 43] = [
    "ex",
    "exp",
    "expiry",
    "expires",
    "expiration",
    "expirationdate",
    "expirydate",
    "expiring",
    "best",
    "bestbefore",
    "bbe",
    "mhd",
    "mindestens",
    "mindesthaltbar",
    "mindesthaltbarkeitsdatum",
    "haltbar",
    "verfallsdatum",
    "verfall",
    "verwendbar",
    "ablaufdatum",
    "use",
    "useby",
    "caducidad",
    "caduca",
    "scadenza",
    "peremption",
    "dlu",
    "ddm",
    "date",
    "datum",
    "fecha",
    "manufactured",
    "manufacturing",
    "production",
    "produced",
    "mfg",
    "mfd",
    "herstellungsdatum",
    "barcode",
    "ean",
    "gtin",
    "upc",
    "strichcode",
];

/// Words that may follow a label: `Batch No`, `Lot number`, `Charge Nr.`, `Lot #`.
const NUMBER_WORDS: [&str; 9] = [
    "no", "nos", "nr", "number", "numbers", "nummer", "numero", "n", "",
];

/// Reads the lots of a batch text. Pure; never panics.
pub fn extract_lots(text: &str) -> Extraction {
    let mut out = Extraction::default();
    for clause in clauses(text) {
        read_clause(&clause, &mut out);
    }
    let mut seen = std::collections::HashSet::new();
    out.lots.retain(|l| seen.insert(l.text.clone()));
    out
}

/// Cuts the text at `,` `;` `|` and line breaks (a comma between digits stays: `0,5`).
fn clauses(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut parts = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if matches!(c, ';' | '|' | '\n' | '\r') || (c == ',' && !between_digits) {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
}

/// The words of a clause: white space, and `:` except between digits (`LOT:SS199`, `10:30`).
fn words(clause: &str) -> Vec<String> {
    let chars: Vec<char> = clause.chars().collect();
    let mut spaced = String::with_capacity(clause.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_digits = i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(char::is_ascii_digit);
        if c == ':' && !between_digits {
            spaced.push(' ');
        } else {
            spaced.push(c);
        }
    }
    spaced.split_whitespace().map(str::to_string).collect()
}

/// How many words from `at` form a lot label (`Lot`, `Lot-Nr.`, `batch No`, `N° de lot`), or 0.
fn label_len(words: &[String], at: usize) -> usize {
    let key = |i: usize| words.get(i).map(|w| normalize_name(w));
    let Some(first) = key(at) else { return 0 };
    let mut len = if is_label_key(&first) {
        1
    } else if matches!(first.as_str(), "n" | "no" | "nr" | "numero" | "number") {
        // `N° de lot`, `numéro de lot`, `número de lote`, `numero di lotto`
        match (key(at + 1).as_deref(), key(at + 2)) {
            (Some("de" | "di" | "du"), Some(l)) if is_label_key(&l) => 3,
            (Some(l), _) if is_label_key(l) => 2,
            _ => return 0,
        }
    } else {
        return 0;
    };
    // `Batch No`, `Lot number`, `Charge Nr.`, `Lot #`, `Lot no.:`: as many as follow.
    while let Some(k) = key(at + len) {
        if NUMBER_WORDS.contains(&k.as_str()) && words[at + len].chars().count() <= 7 {
            len += 1;
        } else {
            break;
        }
    }
    len
}

/// `1.)`, `2)`, `(3)`, `a)`: a list marker before a lot.
fn is_list_marker(word: &str) -> bool {
    let inner = word.trim_start_matches('(');
    let Some(body) = inner.strip_suffix(')') else {
        return false;
    };
    let body = body.trim_end_matches('.');
    !body.is_empty() && body.chars().count() <= 2 && body.chars().all(|c| c.is_ascii_alphanumeric())
}

/// A date as written in batch texts: `21.11.2021`, `02/29/2020`, `2021-11-21`, `11/2021`,
/// `11.2021`, with brackets or a trailing dot around it.
pub fn is_date(word: &str) -> bool {
    let w = word.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']' | '.' | ','));
    let parts: Vec<&str> = w.split(['.', '/', '-']).collect();
    if parts.len() < 2 || parts.len() > 3 {
        return false;
    }
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    let n: Vec<u32> = parts.iter().filter_map(|p| p.parse().ok()).collect();
    let year = |y: u32, len: usize| (len == 4 && (1990..=2099).contains(&y)) || len == 2;
    match (parts.as_slice(), n.as_slice()) {
        // day.month.year or month/day/year
        ([a, b, c], [x, y, z]) if a.len() <= 2 && b.len() <= 2 => {
            (1..=31).contains(x) && (1..=31).contains(y) && year(*z, c.len())
        }
        // year-month-day
        ([a, b, c], [x, y, z]) if a.len() == 4 && b.len() <= 2 && c.len() <= 2 => {
            year(*x, 4) && (1..=12).contains(y) && (1..=31).contains(z)
        }
        // month/year
        ([a, b], [x, y]) if a.len() <= 2 && b.len() == 4 => (1..=12).contains(x) && year(*y, 4),
        _ => false,
    }
}

/// The lots of one clause, into `out`.
fn read_clause(clause: &str, out: &mut Extraction) {
    let words = words(clause);
    let mut current: Vec<&str> = Vec::new();
    let mut skipping = false;
    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        let key = normalize_name(word);
        let label = label_len(&words, i);
        if label > 0 {
            finish(&mut current, out);
            skipping = false;
            i += label;
            continue;
        }
        if skipping {
            i += 1;
            continue;
        }
        if current.is_empty() && is_list_marker(word) {
            i += 1;
            continue;
        }
        if SKIP_LABELS.contains(&key.as_str()) && !key.is_empty() {
            finish(&mut current, out);
            skipping = true;
        } else if is_date(word)
            || CONJUNCTIONS.contains(&key.as_str())
            || matches!(word, "/" | "&" | "+")
        {
            // A date is left out; a conjunction joins two lots.
            finish(&mut current, out);
        } else {
            current.push(word);
        }
        i += 1;
    }
    finish(&mut current, out);
}

/// Ends the lot being read: trimmed of the punctuation around it; a lot has a digit.
fn finish(current: &mut Vec<&str>, out: &mut Extraction) {
    if current.is_empty() {
        return;
    }
    let joined = current.join(" ");
    current.clear();
    let trimmed = joined
        .trim_start_matches(['(', '[', '#', '-', '.', '"', '\'', '='])
        .trim_end_matches([')', ']', '"', '\'', '-', '=']);
    let truncated = trimmed.ends_with('…') || trimmed.ends_with("...");
    let text = if truncated {
        trimmed
    } else {
        trimmed.trim_end_matches('.')
    };
    if text.chars().any(|c| c.is_numeric()) {
        out.lots.push(ExtractedLot {
            text: text.to_string(),
            truncated,
        });
    } else if !text.is_empty() {
        out.ignored.push(text.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(batch: &str) -> Vec<String> {
        extract_lots(batch)
            .lots
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn labels_start_lots_and_dates_are_left_out() {
        assert_eq!(
            texts("Lot-Nr. D 199 batch No 199 E06"),
            ["D 199", "199 E06"]
        );
        assert_eq!(
            texts("Lot SS 202 ex. 02/29/2020 and lot SS 200"),
            ["SS 202", "SS 200"]
        );
        assert_eq!(
            texts("011-1D20211121, Mindestens haltbar bis: 21.11.2021"),
            ["011-1D20211121"]
        );
        assert_eq!(
            texts("1.) Lot 91024110, 2.) Lot 91022050"),
            ["91024110", "91022050"]
        );
        assert_eq!(texts("Charge: 12345 (exp. 11/2027)"), ["12345"]);
        assert_eq!(
            texts("Batch number: L2301 / L2302, best before 2027-03-31"),
            ["L2301", "L2302"]
        );
        assert_eq!(texts("N° de lot : 2301A"), ["2301A"]);
        assert_eq!(texts("Lot #4711; EAN 4006381333931"), ["4711"]);
    }

    #[test]
    fn a_cut_off_batch_is_marked_truncated() {
        let e = extract_lots("BATCH: RX44Q…; LOT: SS199");
        assert_eq!(
            e.lots,
            vec![
                ExtractedLot {
                    text: "RX44Q…".into(),
                    truncated: true
                },
                ExtractedLot {
                    text: "SS199".into(),
                    truncated: false
                }
            ]
        );
        assert!(extract_lots("Lot 4711...").lots[0].truncated);
    }

    #[test]
    fn text_without_a_digit_is_no_lot() {
        let e = extract_lots("unknown");
        assert!(e.lots.is_empty());
        assert_eq!(e.ignored, ["unknown"]);
        assert!(extract_lots("All batches").lots.is_empty());
        assert!(extract_lots("").lots.is_empty());
        assert!(extract_lots("best before 12/2027").lots.is_empty());
    }

    #[test]
    fn dates_are_recognised() {
        for d in [
            "21.11.2021",
            "02/29/2020",
            "2021-11-21",
            "11/2027",
            "(31.12.2030)",
        ] {
            assert!(is_date(d), "{d}");
        }
        for not in ["91024110", "011-1D20211121", "FW25-001", "12/13", "1.5"] {
            assert!(!is_date(not), "{not}");
        }
    }

    /// The five real batch texts of `../shared/realdata/safety-gate/batch_texts.csv`, each with
    /// the lots it means: every one comes out exactly.
    #[test]
    fn the_real_safety_gate_batch_texts_give_the_lots_they_mean() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/realdata/safety-gate/batch_texts.csv");
        let Ok(file) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: {} is absent", path.display());
            return;
        };
        let mut reader = csv::Reader::from_reader(file.as_bytes());
        let mut count = 0;
        for row in reader.records() {
            let row = row.unwrap();
            let (alert, batch, meant) = (&row[0], &row[1], &row[2]);
            let want: Vec<&str> = meant.split(';').collect();
            assert_eq!(texts(batch), want, "alert {alert}: {batch:?}");
            count += 1;
        }
        assert_eq!(count, 5);
    }
}
