//! Lot (batch) numbers compared as recalls and suppliers write them: `LOT-Nr. D 199`, `d199`,
//! `Charge D‐199` and `D–199` are one lot.
//!
//! The key is the name key (`normalize_name`: NFKC, case, accents, spaces, dashes and every
//! other punctuation dropped) with the labels a lot is written with (`Lot`, `LOT-Nr.`, `Batch`,
//! `Batch No`, `Charge`, `Ch.-B.`, ...) taken off the front when a digit follows them. A label
//! followed by a letter stays (`LOTUS 12` is not lot `US 12`); the recall extractor, which sees
//! the spaces, takes labels off before that (`Lot SS 202` is `SS 202`).

use super::normalize_name;

/// Labels in key form (lower case, letters only), longest first so that `lotnr` is tried before
/// `lot`.
pub(crate) const LABELS: [&str; 22] = [
    "chargennummer",
    "numerodelote",
    "numerodelotto",
    "numerodelot",
    "batchnumber",
    "lotnumber",
    "lotnummer",
    "chargennr",
    "chargeno",
    "batchno",
    "batchnr",
    "charge",
    "partita",
    "batch",
    "lotnr",
    "lotno",
    "lotto",
    "ndelot",
    "lote",
    "chnr",
    "chb",
    "lot",
];

/// The comparison key of a lot number. Idempotent: `lot_key(&lot_key(x)) == lot_key(x)`.
pub fn lot_key(text: &str) -> String {
    let mut rest = text;
    while let Some(after) = written_label(rest) {
        rest = after;
    }
    let key = normalize_name(rest);
    match strip_labels(&key) {
        Some(rest) => rest.to_string(),
        None => key,
    }
}

/// The text after a leading label written as a word of its own (`LOT-Nr. D 199`, `Batch No
/// SS 202`, `Ch.-B.: X1`): the label's letters, then a character that is neither a letter nor a
/// digit. `None` when the text does not start so.
fn written_label(text: &str) -> Option<&str> {
    let text = text.trim_start();
    for label in LABELS {
        let mut want = label.chars().peekable();
        for (at, c) in text.char_indices() {
            if want.peek().is_none() {
                // The whole label has been read: a separator must follow it.
                return (!c.is_alphanumeric()).then(|| &text[at..]);
            }
            if c.is_alphanumeric() {
                let lower: String = c.to_lowercase().collect();
                if lower.chars().all(|l| want.next() == Some(l)) {
                    continue;
                }
                break;
            }
        }
    }
    None
}

/// The key without its leading labels, when labels lead to a digit (`lotnr199` -> `199`,
/// `lotbatch5` -> `5`); `None` when no chain of labels does.
fn strip_labels(key: &str) -> Option<&str> {
    for label in LABELS {
        if let Some(rest) = key.strip_prefix(label) {
            if rest.starts_with(|c: char| c.is_numeric()) {
                return Some(rest);
            }
            if let Some(deeper) = strip_labels(rest) {
                return Some(deeper);
            }
        }
    }
    None
}

/// Whether a word (as written) is one of the labels a lot number is written after, in key form
/// (`Lot-Nr.`, `BATCH:`, `Ch.-B.`, `Charge`).
pub fn is_label_key(key: &str) -> bool {
    LABELS.contains(&key) || matches!(key, "lots" | "batches" | "chargen" | "lotes" | "lotti")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_spaces_dashes_and_labels_do_not_matter() {
        let key = lot_key("D 199");
        assert_eq!(key, "d199");
        for same in [
            "d199",
            "D-199",
            "D\u{2010}199",
            "D\u{2013}199",
            "LOT-Nr. D 199",
            "Lot D199",
            "Charge D-199",
            "Ch.-B. D 199",
            "Batch No D199",
            "  d   199 ",
        ] {
            assert_eq!(lot_key(same), key, "{same}");
        }
    }

    #[test]
    fn a_label_is_taken_off_only_before_a_digit() {
        assert_eq!(lot_key("Lot 91024110"), "91024110");
        assert_eq!(lot_key("LOT91024110"), "91024110");
        assert_eq!(lot_key("LOTUS 12"), "lotus12");
        assert_eq!(lot_key("Batch Lot 5"), "5");
        assert_eq!(lot_key("SS 202"), "ss202");
        assert_eq!(lot_key("Charge"), "charge");
    }

    #[test]
    fn different_lots_keep_different_keys() {
        assert_ne!(lot_key("SS 202"), lot_key("SS 200"));
        assert_ne!(lot_key("91024110"), lot_key("91022050"));
        assert_ne!(lot_key("D 199"), lot_key("199 E06"));
    }
}
