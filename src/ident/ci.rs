//! Colour Index numbers: five digits, written `CI 77499`, `C.I. 77499`, `CI77499`, `77499`, or
//! inside a name (`Iron Oxides (CI 77491, CI 77499)`), with an optional sub-number after a colon
//! (`CI 42765:1`, Pigment Blue 61). A sub-number names a different substance (a lake or salt of
//! the parent dye): `CI 42765:1` and `CI 42765` are never equal.

use std::fmt;

/// A Colour Index number. The value is its lookup key (see [`ColourIndex::number`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ColourIndex(u32);

/// Sub-numbers run from 1 to this (the Colour Index uses small ones: `:1` to `:4`).
const MAX_SUB: u32 = 99;
/// The key of a sub-numbered CI is `base + sub * SUB_STEP`; every plain key is below it.
const SUB_STEP: u32 = 100_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a Colour Index number: write five digits, like CI 77499 or 77499, with a sub-number after a colon where it has one (CI 42765:1)")]
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
        let (digits, sub) = match rest.trim().split_once(':') {
            Some((digits, sub)) => (digits.trim_end(), Some(sub.trim_start())),
            None => (rest.trim(), None),
        };
        if digits.len() != 5 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        let base: u32 = digits.parse().map_err(|_| err())?;
        match sub {
            None => Ok(ColourIndex(base)),
            Some(sub) => parse_sub(sub)
                .and_then(|sub| ColourIndex::with_sub(base, sub))
                .ok_or_else(err),
        }
    }

    /// `CI base:sub`, or `None` when `base` is not five digits or `sub` is not 1 to 99.
    pub fn with_sub(base: u32, sub: u32) -> Option<ColourIndex> {
        (base < SUB_STEP && (1..=MAX_SUB).contains(&sub))
            .then(|| ColourIndex(base + sub * SUB_STEP))
    }

    /// The lookup key: the five digits for a plain number (`77499`), and a number above 99999
    /// for a sub-numbered one (`CI 42765:1` gives 142765), so that every Colour Index number
    /// has its own key and a lake never meets its parent dye. `identifiers.norm` stores this key
    /// (five digits zero-padded). For the printed parts use [`base`](Self::base) and
    /// [`sub`](Self::sub).
    pub fn number(self) -> u32 {
        self.0
    }

    /// The number from its key ([`number`](Self::number)), or `None` for a key no CI has.
    pub fn from_number(key: u32) -> Option<ColourIndex> {
        match (key % SUB_STEP, key / SUB_STEP) {
            (base, 0) => Some(ColourIndex(base)),
            (base, sub) => ColourIndex::with_sub(base, sub),
        }
    }

    /// The five-digit constitution number (`42765` for `CI 42765:1`).
    pub fn base(self) -> u32 {
        self.0 % SUB_STEP
    }

    /// The sub-number (`Some(1)` for `CI 42765:1`), `None` for a plain number.
    pub fn sub(self) -> Option<u32> {
        Some(self.0 / SUB_STEP).filter(|s| *s > 0)
    }

    /// The canonical text, `CI 77499` or `CI 42765:1`.
    pub fn canonical(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for ColourIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CI {:05}", self.base())?;
        match self.sub() {
            Some(sub) => write!(f, ":{sub}"),
            None => Ok(()),
        }
    }
}

/// A sub-number: one or two digits, no leading zero.
fn parse_sub(text: &str) -> Option<u32> {
    let ok = (1..=2).contains(&text.len())
        && text.bytes().all(|b| b.is_ascii_digit())
        && !text.starts_with('0');
    ok.then(|| text.parse().ok()).flatten()
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

/// A sub-number written right after five digits (`:1` in `42765:1`): its value and where the
/// text after it starts, or `None` and `at` when there is none.
fn sub_number_at(bytes: &[u8], at: usize) -> (Option<u32>, usize) {
    if bytes.get(at) != Some(&b':') {
        return (None, at);
    }
    let start = at + 1;
    let mut end = start;
    while end < bytes.len() && bytes[end].is_ascii_digit() {
        end += 1;
    }
    let followed_by_word = end < bytes.len() && bytes[end].is_ascii_alphanumeric();
    match std::str::from_utf8(&bytes[start..end])
        .ok()
        .and_then(parse_sub)
    {
        Some(sub) if !followed_by_word => (Some(sub), end),
        _ => (None, at),
    }
}

/// Finds every Colour Index number written with its prefix inside free text:
/// `Iron Oxides (CI 77491, CI 77499)` gives 77491 and 77499. A list after one prefix
/// (`CI 77491, 77499`) counts too, and so does a sub-number (`CI 42765:1`). Bare five-digit
/// numbers elsewhere are not taken.
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
                let (sub, end) = sub_number_at(bytes, digits_end);
                let number = lower[start..digits_end]
                    .parse()
                    .ok()
                    .and_then(|base| match sub {
                        Some(sub) => ColourIndex::with_sub(base, sub),
                        None => Some(ColourIndex(base)),
                    });
                if let Some(ci) = number {
                    found.push(ci);
                    took_one = true;
                }
                j = end;
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
    fn a_sub_number_is_a_different_colour_index_number() {
        let lake = ColourIndex::parse("CI 42765:1").unwrap();
        let dye = ColourIndex::parse("CI 42765").unwrap();
        assert_ne!(lake, dye);
        assert_ne!(lake.number(), dye.number());
        assert_eq!((lake.base(), lake.sub()), (42765, Some(1)));
        assert_eq!((dye.base(), dye.sub()), (42765, None));
        assert_eq!(lake.to_string(), "CI 42765:1");
        for form in ["C.I. 42765:1", "42765:1", "CI42765:1", " ci 42765 : 1 "] {
            assert_eq!(ColourIndex::parse(form), Ok(lake), "{form}");
        }
        assert_eq!(ColourIndex::from_number(lake.number()), Some(lake));
        assert_eq!(ColourIndex::from_number(dye.number()), Some(dye));
        assert_eq!(ColourIndex::with_sub(42765, 1), Some(lake));
    }

    #[test]
    fn malformed_sub_numbers_are_refused() {
        for bad in [
            "CI 42765:",
            "CI 42765:0",
            "CI 42765:01",
            "CI 42765:100",
            "CI 42765:a",
            "CI 4276:1",
            "42765:1:2",
        ] {
            assert!(ColourIndex::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(ColourIndex::with_sub(42765, 0), None);
        assert_eq!(ColourIndex::with_sub(427650, 1), None);
    }

    #[test]
    fn sub_numbers_are_found_inside_names_and_never_cut_off() {
        let found = |t| {
            find_in_text(t)
                .into_iter()
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(found("Pigment Blue 61 (CI 42765:1)"), vec!["CI 42765:1"]);
        assert_eq!(
            found("CI 15850:1, 15850:2"),
            vec!["CI 15850:1", "CI 15850:2"]
        );
        assert_eq!(
            found("CI 42765:1, CI 77499"),
            vec!["CI 42765:1", "CI 77499"]
        );
        // A colon that starts a remark is not a sub-number.
        assert_eq!(found("CI 77499: black"), vec!["CI 77499"]);
        assert_eq!(found("CI 77499:3a"), vec!["CI 77499"]);
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

    proptest::proptest! {
        #[test]
        fn every_colour_index_number_round_trips(base in 0u32..100_000, sub in proptest::option::of(1u32..=99)) {
            let ci = match sub {
                Some(sub) => ColourIndex::with_sub(base, sub).unwrap(),
                None => ColourIndex::parse(&format!("{base:05}")).unwrap(),
            };
            proptest::prop_assert_eq!((ci.base(), ci.sub()), (base, sub));
            proptest::prop_assert_eq!(ColourIndex::parse(&ci.to_string()), Ok(ci));
            proptest::prop_assert_eq!(ColourIndex::from_number(ci.number()), Some(ci));
            proptest::prop_assert_eq!(find_in_text(&format!("Pigment ({ci})")), vec![ci]);
        }

        #[test]
        fn a_lake_and_its_parent_dye_never_share_a_key(base in 0u32..100_000, sub in 1u32..=99) {
            let lake = ColourIndex::with_sub(base, sub).unwrap();
            let dye = ColourIndex::parse(&format!("{base:05}")).unwrap();
            proptest::prop_assert_ne!(lake.number(), dye.number());
            proptest::prop_assert_ne!(lake, dye);
        }
    }
}
