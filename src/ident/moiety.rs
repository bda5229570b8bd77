//! Whether a substance's name holds a group's parent moiety as a word (SPEC 2, inferred group
//! members): `Nickel gluconate` holds `nickel`, `p-Phenylenediamine sulfate` holds
//! `p-phenylenediamine`, `Nickelate` and `m-Phenylenediamine` do not.
//!
//! Both texts are normalised as names are (NFKD, accents dropped, lower case, `ß` -> `ss`) and cut
//! into words at anything that is not a letter or digit, and where letters meet digits
//! (`Cobalt2+` is `cobalt 2`). The parent matches where its letters and digits, separators
//! ignored, run from the start of a word of the name to the end of a word. So the separators
//! inside a parent do not matter (`p-phenylenediamine` is found in `P PHENYLENEDIAMINE`,
//! `p‐Phenylene‐diamine` and `Pphenylenediamine`), but its ends must be word ends: the `p` keeps
//! `m-phenylenediamine` out, and `nickel` is not found in `nickelate`.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// A text cut into words: the letters and digits, and where each word starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    /// The letters and digits, lower case, without accents or separators.
    text: String,
    /// Byte offsets in `text` where a word starts or ends (sorted, with 0 and `text.len()`).
    bounds: Vec<usize>,
}

impl Words {
    pub fn new(text: &str) -> Words {
        let mut words = Words {
            text: String::with_capacity(text.len()),
            bounds: vec![0],
        };
        // `None`: after a separator; `Some(true)`: after a digit; `Some(false)`: after a letter.
        let mut last: Option<bool> = None;
        for c in text
            .nfkd()
            .filter(|c| !is_combining_mark(*c))
            .flat_map(char::to_lowercase)
            .filter(|c| !is_combining_mark(*c))
        {
            if !c.is_alphanumeric() {
                last = None;
                continue;
            }
            let digit = c.is_numeric();
            if last.is_some_and(|was_digit| was_digit != digit) || last.is_none() {
                words.mark();
            }
            last = Some(digit);
            if c == 'ß' {
                words.text.push_str("ss");
            } else {
                words.text.push(c);
            }
        }
        words.mark();
        words
    }

    fn mark(&mut self) {
        if self.bounds.last() != Some(&self.text.len()) {
            self.bounds.push(self.text.len());
        }
    }

    /// Whether there are no letters or digits at all.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Whether `part` runs here from the start of a word to the end of a word.
    pub fn holds(&self, part: &Words) -> bool {
        if part.is_empty() {
            return false;
        }
        let len = part.text.len();
        self.bounds.iter().any(|&start| {
            self.text[start..].starts_with(&part.text)
                && self.bounds.binary_search(&(start + len)).is_ok()
        })
    }
}

/// Whether `name` holds `parent` as a word (see the module comment).
pub fn holds_parent(name: &str, parent: &str) -> bool {
    Words::new(name).holds(&Words::new(parent))
}

/// Splits a `parents` cell (`chromium;chromate;dichromate`) into its parents.
pub fn split_parents(cell: &str) -> Vec<String> {
    cell.split([';', '|', '\n'])
        .map(str::trim)
        .filter(|p| !Words::new(p).is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn salts_and_compounds_hold_their_parent() {
        for (name, parent) in [
            ("Nickel gluconate", "nickel"),
            ("NICKEL SULFATE HEXAHYDRATE", "nickel"),
            ("Nickel(II) chloride", "nickel"),
            ("p-Phenylenediamine sulfate", "p-phenylenediamine"),
            ("P-PHENYLENEDIAMINE SULFATE", "p-phenylenediamine"),
            ("N-Phenyl-p-phenylenediamine", "p-phenylenediamine"),
            ("2-Chloro-1,4-phenylenediamine", "1,4-phenylenediamine"),
            ("Paraphenylenediamine", "para-phenylenediamine"),
            ("p‐Phenylene‐diamine HCl", "p-phenylenediamine"),
            ("Cobalt titanium oxide", "cobalt"),
            ("Cobalt2+ ion", "cobalt"),
            ("Potassium dichromate", "dichromate"),
            ("Chromium(III) oxide", "chromium"),
            ("Mercuric chloride", "mercuric"),
            ("Formaldehyde solution", "formaldehyde"),
            ("Tosylamide/Formaldehyde Resin", "formaldehyde"),
            ("Sulfate de nickel", "Nickel"),
            ("Níquel", "níquel"),
            ("Nickel", "nickel"),
        ] {
            assert!(
                holds_parent(name, parent),
                "{name:?} should hold {parent:?}"
            );
        }
    }

    #[test]
    fn a_parent_inside_a_longer_word_or_another_isomer_is_not_held() {
        for (name, parent) in [
            ("m-Phenylenediamine sulfate", "p-phenylenediamine"),
            ("o-Phenylenediamine", "p-phenylenediamine"),
            ("4-Nitro-m-phenylenediamine", "p-phenylenediamine"),
            ("Phenylenediamine", "p-phenylenediamine"),
            ("Nickelate", "nickel"),
            ("Paraformaldehyde", "formaldehyde"),
            ("Cobaltous chloride", "cobalt"),
            ("Chromate-free primer", "dichromate"),
            ("Titanium dioxide", "nickel"),
            ("1,3-phenylenediamine", "1,4-phenylenediamine"),
            ("11,4-phenylenediamine", "1,4-phenylenediamine"),
            ("anything", ""),
            ("anything", " - "),
        ] {
            assert!(
                !holds_parent(name, parent),
                "{name:?} should not hold {parent:?}"
            );
        }
    }

    #[test]
    fn a_parents_cell_splits_on_semicolons() {
        assert_eq!(
            split_parents("chromium; chromate;;dichromate ; -"),
            vec!["chromium", "chromate", "dichromate"]
        );
        assert_eq!(
            split_parents("p-phenylenediamine;1,4-benzenediamine"),
            vec!["p-phenylenediamine", "1,4-benzenediamine"]
        );
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9]{1,8}"
    }

    fn separator() -> impl Strategy<Value = &'static str> {
        prop_oneof![
            Just(" "),
            Just("-"),
            Just(", "),
            Just("/"),
            Just(" ("),
            Just(") "),
            Just("\u{2010}")
        ]
    }

    proptest! {
        #[test]
        fn a_parent_between_other_words_is_held(before in proptest::collection::vec(word(), 0..3),
                                                 after in proptest::collection::vec(word(), 0..3),
                                                 parent in proptest::collection::vec(word(), 1..3),
                                                 sep in separator()) {
            let parent = parent.join("-");
            let mut parts = before.clone();
            parts.push(parent.clone());
            parts.extend(after);
            let name = parts.join(sep);
            prop_assert!(holds_parent(&name, &parent), "{name:?} / {parent:?}");
            prop_assert!(holds_parent(&name.to_uppercase(), &parent));
        }

        #[test]
        fn what_is_held_is_in_the_normalised_name(name in any::<String>(), parent in "[a-zA-Z0-9 ,\\-]{0,12}") {
            if holds_parent(&name, &parent) {
                let (n, p) = (crate::ident::normalize_name(&name), crate::ident::normalize_name(&parent));
                prop_assert!(!p.is_empty() && n.contains(&p), "{name:?} / {parent:?}");
            }
        }

        #[test]
        fn letters_glued_to_a_parent_keep_it_out(glue in "[a-z]{1,4}", parent in "[a-z]{3,8}") {
            // `parent` followed by letters is one longer word, unless the whole text happens to
            // repeat the parent at a later word start (impossible: there is only one word).
            let name = format!("{parent}{glue}");
            prop_assert!(!holds_parent(&name, &parent));
        }

        #[test]
        fn matching_never_panics(name in any::<String>(), parent in any::<String>()) {
            let _ = holds_parent(&name, &parent);
        }
    }
}
