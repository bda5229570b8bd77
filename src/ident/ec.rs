//! EC numbers (EINECS, ELINCS, NLP and ECHA list numbers): `NNN-NNN-N`, the last digit a check
//! digit: the first six digits weighted 1 to 6, summed, modulo 11.
//!
//! Two real-world exceptions: a remainder of 10 was meant to be skipped, but 181 ELINCS numbers
//! were issued with check digit 1 instead, so 1 is accepted there; and ECHA's "list numbers"
//! (first digit 6 to 9) share the format without being EC numbers, so only their shape is
//! checked.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ec(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EcError {
    #[error("EC number {input:?} has check digit {found} but its digits give {expected}: is it {corrected}?")]
    CheckDigit {
        input: String,
        found: u32,
        expected: u32,
        corrected: String,
    },
    #[error("{input:?} is not an EC number: write it as NNN-NNN-N, like 231-111-4")]
    Format { input: String },
}

impl Ec {
    pub fn parse(input: &str) -> Result<Ec, EcError> {
        let plain = super::plain_digits_and_hyphens(input);
        let digits: String = plain.chars().filter(|c| *c != '-').collect();
        let lengths: Vec<usize> = plain.split('-').map(str::len).collect();
        let shaped = matches!(lengths.as_slice(), [3, 3, 1] | [7]);
        if !shaped || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(EcError::Format {
                input: input.trim().to_string(),
            });
        }
        let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
        let remainder = (0..6).map(|i| (i as u32 + 1) * d[i]).sum::<u32>() % 11;
        let expected = if remainder == 10 { 1 } else { remainder };
        let canonical = format!("{}-{}-{}", &digits[..3], &digits[3..6], &digits[6..]);
        let list_number = d[0] >= 6;
        if expected != d[6] && !list_number {
            return Err(EcError::CheckDigit {
                input: input.trim().to_string(),
                found: d[6],
                expected,
                corrected: format!("{}-{}-{}", &digits[..3], &digits[3..6], expected),
            });
        }
        Ok(Ec(canonical))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_ec_numbers_parse() {
        for ok in [
            "231-111-4",
            "200-001-8",
            "215-168-2",
            "231\u{2013}111\u{2013}4",
            "2311114",
        ] {
            assert!(Ec::parse(ok).is_ok(), "{ok}");
        }
        assert_eq!(Ec::parse("2311114").unwrap().as_str(), "231-111-4");
    }

    #[test]
    fn ec_check_digit_is_checked() {
        let err = Ec::parse("231-111-5").unwrap_err();
        assert!(err.to_string().contains("231-111-4"), "{err}");
    }

    #[test]
    fn elincs_numbers_with_remainder_ten_carry_check_digit_one() {
        assert!(Ec::parse("431-770-1").is_ok());
        assert!(Ec::parse("431-770-0").is_err());
    }

    #[test]
    fn echa_list_numbers_are_checked_for_shape_only() {
        assert!(Ec::parse("607-285-6").is_ok());
        assert!(Ec::parse("931-328-0").is_ok());
    }

    #[test]
    fn malformed_ec_numbers_are_refused() {
        for bad in ["7440-02-0", "231-11-4", "abc-def-g", ""] {
            assert!(
                matches!(Ec::parse(bad), Err(EcError::Format { .. })),
                "{bad}"
            );
        }
    }
}
