//! CAS registry numbers: `NNNNNNN-NN-N`, the last digit a check digit.
//!
//! Accepted on input: surrounding white space, en/em dashes instead of hyphens, leading zeros in
//! the first group (`0050-00-0`), and the bare digits (`64175`) when the check digit holds. Where
//! the public libraries disagree (python-stdnum accepts bare digits and strips spaces; R webchem
//! rejects both), inkguard follows python-stdnum: the check digit still guards every number, and
//! suppliers do write CAS numbers that way. The canonical form has no leading zeros.

use std::fmt;

/// A CAS number whose check digit holds, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cas(String);

/// Why a text is not a CAS number. Each variant says what a user can change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CasError {
    #[error("CAS number {input:?} has check digit {found} but its digits give {expected}: is it {corrected}?")]
    CheckDigit {
        input: String,
        found: u32,
        expected: u32,
        corrected: String,
    },
    #[error("{input:?} looks like an EC number (NNN-NNN-N), not a CAS number")]
    LooksLikeEc { input: String },
    #[error("{input:?} is not a CAS number: write it as 2 to 7 digits, 2 digits and 1 check digit, like 7440-02-0")]
    Format { input: String },
}

impl Cas {
    /// Parses and validates one CAS number.
    pub fn parse(input: &str) -> Result<Cas, CasError> {
        let plain = super::plain_digits_and_hyphens(input);
        let format_error = || CasError::Format {
            input: input.trim().to_string(),
        };
        let (first, middle, check) = if plain.contains('-') {
            let mut parts = plain.split('-');
            let (Some(a), Some(b), Some(c), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(format_error());
            };
            if [a, b, c].iter().any(|p| !is_digits(p)) {
                return Err(format_error());
            }
            if a.len() == 3 && b.len() == 3 && c.len() == 1 {
                return Err(CasError::LooksLikeEc {
                    input: input.trim().to_string(),
                });
            }
            // Leading zeros are padding (`0050-00-0`, `67663-01-08` in IFRA lists): the groups
            // keep their meaning once they are stripped.
            let a = a.trim_start_matches('0');
            let c = strip_leading_zeros_keep_one(c);
            if b.len() != 2 || c.len() != 1 || a.len() < 2 || a.len() > 7 {
                return Err(format_error());
            }
            (a.to_string(), b.to_string(), c.to_string())
        } else {
            if !is_digits(&plain) {
                return Err(format_error());
            }
            let digits = plain.trim_start_matches('0');
            if digits.len() < 5 || digits.len() > 10 {
                return Err(format_error());
            }
            let n = digits.len();
            (
                digits[..n - 3].to_string(),
                digits[n - 3..n - 1].to_string(),
                digits[n - 1..].to_string(),
            )
        };
        let found = check.parse::<u32>().map_err(|_| format_error())?;
        let expected = check_digit(&first, &middle);
        if found != expected {
            return Err(CasError::CheckDigit {
                input: input.trim().to_string(),
                found,
                expected,
                corrected: format!("{first}-{middle}-{expected}"),
            });
        }
        Ok(Cas(format!("{first}-{middle}-{check}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Cas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The check digit: the digits before it, read from the right, weighted 1, 2, 3, ..., summed,
/// modulo 10.
pub fn check_digit(first: &str, middle: &str) -> u32 {
    first
        .bytes()
        .chain(middle.bytes())
        .rev()
        .enumerate()
        .map(|(i, b)| (i as u32 + 1) * u32::from(b - b'0'))
        .sum::<u32>()
        % 10
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn strip_leading_zeros_keep_one(s: &str) -> &str {
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        &s[s.len() - 1..]
    } else {
        t
    }
}

/// Finds CAS-shaped numbers (`d{2,7}-dd-d`, any dash) inside free text such as a label item.
/// Only the hyphenated shape is searched: bare digits in prose are too often something else.
pub fn find_in_text(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && bytes[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        if let Some(end) = match_cas_shape(text, i) {
            found.push(&text[i..end]);
            i = end;
        } else {
            i += 1;
        }
    }
    found
}

/// Matches `d{2,7} DASH dd DASH d` at byte `start`, returning the end offset.
fn match_cas_shape(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start..];
    let mut chars = rest.char_indices().peekable();
    let mut groups = [0usize; 3];
    let mut group = 0;
    let mut end = 0;
    while let Some(&(at, c)) = chars.peek() {
        if c.is_ascii_digit() {
            groups[group] += 1;
            end = at + 1;
            chars.next();
        } else if is_dash(c) && group < 2 && groups[group] > 0 {
            group += 1;
            chars.next();
        } else {
            break;
        }
    }
    let ok = group == 2 && (2..=7).contains(&groups[0]) && groups[1] == 2 && groups[2] == 1;
    ok.then_some(start + end)
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_cas_numbers_are_canonical() {
        assert_eq!(Cas::parse("50-00-0").unwrap().as_str(), "50-00-0");
        assert_eq!(Cas::parse(" 50-00-0 ").unwrap().as_str(), "50-00-0");
        assert_eq!(
            Cas::parse("50\u{2013}00\u{2013}0").unwrap().as_str(),
            "50-00-0"
        );
        assert_eq!(
            Cas::parse("50\u{2014}00\u{2014}0").unwrap().as_str(),
            "50-00-0"
        );
        assert_eq!(Cas::parse("0050-00-0").unwrap().as_str(), "50-00-0");
        assert_eq!(Cas::parse("64175").unwrap().as_str(), "64-17-5");
        assert_eq!(Cas::parse("67663-01-08").unwrap().as_str(), "67663-01-8");
    }

    #[test]
    fn wrong_check_digit_names_the_right_one() {
        let err = Cas::parse("64-17-6").unwrap_err();
        assert_eq!(
            err,
            CasError::CheckDigit {
                input: "64-17-6".into(),
                found: 6,
                expected: 5,
                corrected: "64-17-5".into()
            }
        );
        assert!(err.to_string().contains("64-17-5"));
    }

    #[test]
    fn malformed_cas_numbers_are_refused() {
        for bad in [
            "64-177-6",
            "4-17-5",
            "64-17-55",
            "32965-7",
            "12040295-03-0",
            "abc",
            "",
        ] {
            assert!(
                matches!(Cas::parse(bad), Err(CasError::Format { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            Cas::parse("607-285-6"),
            Err(CasError::LooksLikeEc { .. })
        ));
    }

    #[test]
    fn cas_numbers_are_found_inside_text() {
        assert_eq!(
            find_in_text("Nickel (7440-02-0) and 1309\u{2013}37\u{2013}1, not 2020/2081"),
            vec!["7440-02-0", "1309\u{2013}37\u{2013}1"]
        );
    }
}
