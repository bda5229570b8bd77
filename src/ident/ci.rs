//! Colour Index numbers: five digits, written `CI 77499`, `C.I. 77499`, `CI77499`, `77499`, or
//! inside a name (`Iron Oxides (CI 77491, CI 77499)`).

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColourIndex(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a Colour Index number: write five digits, like CI 77499 or 77499")]
pub struct CiError {
    pub input: String,
}

impl ColourIndex {
    /// Parses one Colour Index number written on its own.
    pub fn parse(input: &str) -> Result<ColourIndex, CiError> {
        let err = || CiError {
            input: input.trim().to_string(),
        };
        let rest = strip_ci_prefix(input.trim()).unwrap_or(input.trim());
        let digits = rest.trim();
        if digits.len() == 5 && digits.bytes().all(|b| b.is_ascii_digit()) {
            digits.parse().map(ColourIndex).map_err(|_| err())
        } else {
            Err(err())
        }
    }

    pub fn number(self) -> u32 {
        self.0
    }

    /// The canonical text, `CI 77499`.
    pub fn canonical(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ColourIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CI {:05}", self.0)
    }
}

/// Strips a leading `CI`, `C.I.`, `C I` or `Colour Index` (any case), returning the rest, or
/// `None` when the text does not start with one.
fn strip_ci_prefix(s: &str) -> Option<&str> {
    let lower = s.to_ascii_lowercase();
    for prefix in ["colour index", "color index", "c.i.", "c. i.", "c i ", "ci"] {
        if lower.starts_with(prefix) {
            return Some(s[prefix.len()..].trim_start_matches(['.', ' ', ':', '\u{a0}']));
        }
    }
    None
}

/// Finds every Colour Index number written with its prefix inside free text:
/// `Iron Oxides (CI 77491, CI 77499)` gives 77491 and 77499. A list after one prefix
/// (`CI 77491, 77499`) counts too. Bare five-digit numbers elsewhere are not taken.
pub fn find_in_text(text: &str) -> Vec<ColourIndex> {
    let mut found = Vec::new();
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let prefix_len = if !word_start {
            None
        } else if bytes[i..].starts_with(b"c.i.") {
            Some(4)
        } else if bytes[i..].starts_with(b"ci") {
            Some(2)
        } else {
            None
        };
        let Some(len) = prefix_len else {
            i += 1;
            continue;
        };
        let mut j = i + len;
        let mut took_one = false;
        loop {
            while j < bytes.len() && matches!(bytes[j], b' ' | b'.' | b':' | b'\t') {
                j += 1;
            }
            let start = j;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            let digits_end = j;
            if digits_end - start == 5
                && (digits_end == bytes.len() || !bytes[digits_end].is_ascii_alphanumeric())
            {
                if let Ok(n) = lower[start..digits_end].parse() {
                    found.push(ColourIndex(n));
                    took_one = true;
                }
            } else {
                break;
            }
            // A list continues after `, ` or `/ ` with a bare number or another prefix.
            let mut k = j;
            while k < bytes.len() && matches!(bytes[k], b',' | b'/' | b' ' | b';') {
                k += 1;
            }
            let next_is_number = k + 5 <= bytes.len()
                && bytes[k..k + 5].iter().all(u8::is_ascii_digit)
                && (k + 5 == bytes.len() || !bytes[k + 5].is_ascii_alphanumeric());
            if k > j && next_is_number {
                j = k;
            } else {
                break;
            }
        }
        i = if took_one { j } else { i + len };
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form_parses() {
        for form in [
            "CI 77499",
            "C.I. 77499",
            "CI77499",
            "77499",
            " ci 77499 ",
            "C.I.77499",
            "Colour Index 77499",
        ] {
            assert_eq!(ColourIndex::parse(form).unwrap().number(), 77499, "{form}");
        }
        assert_eq!(ColourIndex::parse("77499").unwrap().to_string(), "CI 77499");
    }

    #[test]
    fn non_five_digit_numbers_are_refused() {
        for bad in ["CI 7749", "774990", "Pigment Blue 15", "CI", ""] {
            assert!(ColourIndex::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn colour_index_numbers_are_found_inside_names() {
        let nums = |t| {
            find_in_text(t)
                .into_iter()
                .map(ColourIndex::number)
                .collect::<Vec<_>>()
        };
        assert_eq!(nums("Iron Oxides (CI 77491, CI 77499)"), vec![77491, 77499]);
        assert_eq!(
            nums("Iron Oxides (Ci 77492, Ci 77491, Ci 77499)"),
            vec![77492, 77491, 77499]
        );
        assert_eq!(nums("CI 77491, 77499"), vec![77491, 77499]);
        assert_eq!(nums("C.I. 77266 (Carbon Black)"), vec![77266]);
        assert_eq!(nums("Mica, Citric acid 12345"), Vec::<u32>::new());
        assert_eq!(nums("Pigment Blue 15:3"), Vec::<u32>::new());
    }
}
