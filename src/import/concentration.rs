//! Declared concentrations: `5`, `5%`, `0,5`, `<1`, `≤ 1 %`, `1-5`, `1–5 %`, `max. 2`, `traces`,
//! `5 ppm`, `5 mg/kg`, stored as a minimum and maximum in percent with the text as written.
//! An unknown maximum (`traces`, `>5`) stays unknown: the regulatory check then treats the
//! substance as possibly above its limit.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Concentration {
    pub min_percent: Option<f64>,
    pub max_percent: Option<f64>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConcentrationError {
    #[error("concentration {0:?} is not understood: write it like 5, 0,5 %, <1, 1-5 %, 5 ppm, 5 mg/kg or traces")]
    Unreadable(String),
    #[error("concentration {0:?} is ambiguous: is the comma a decimal comma or a thousands separator? write 1000 or 1.0")]
    AmbiguousComma(String),
    #[error("concentration {0:?} is above 100 %")]
    AboveHundred(String),
    #[error("concentration {0:?} has its minimum above its maximum")]
    Inverted(String),
}

/// Parses a concentration cell. An empty cell is `Ok(None)`: nothing declared.
pub fn parse(text: &str) -> Result<Option<Concentration>, ConcentrationError> {
    let written = text.trim();
    if written.is_empty() || crate::ident::is_placeholder(written) {
        return Ok(None);
    }
    let unreadable = || ConcentrationError::Unreadable(written.to_string());
    let lower = written.to_lowercase().replace('\u{a0}', " ");
    let s = lower.trim();

    let traces = [
        "traces", "trace", "tr", "spuren", "spur", "traccia", "tracce", "trazas", "traza",
    ];
    if traces.contains(&s.trim_end_matches('.')) {
        return Ok(Some(Concentration {
            min_percent: Some(0.0),
            max_percent: None,
            text: written.to_string(),
        }));
    }

    // The balance of the mixture (`ad 100`, `q.s.`): declared, but not as an amount.
    let balance = [
        "ad 100", "ad 100 %", "ad100", "q.s.", "qs", "q.s", "qsp", "q.s.p.", "qsp 100", "rest",
        "balance", "to 100", "bal.", "ad", "resto", "reste",
    ];
    if balance.contains(&s) {
        return Ok(Some(Concentration {
            min_percent: None,
            max_percent: None,
            text: written.to_string(),
        }));
    }
    let (number_part, factor) = split_unit(s);
    let body = number_part.trim();
    if body.is_empty() {
        return Err(unreadable());
    }

    // Bounds: `<`, `≤`, `<=`, `max`, `max.`, `bis`, `up to`, `jusqu'à`, `hasta`, `fino a` give
    // an upper bound; `>`, `≥`, `>=`, `min.` a lower bound.
    let upper_prefixes = [
        "<=", "≤", "<", "max.", "max", "bis", "up to", "jusqu'à", "jusqu'a", "hasta", "fino a",
        "até",
    ];
    let lower_prefixes = [
        ">=", "≥", ">", "min.", "min", "mind.", "au moins", "al menos", "almeno",
    ];
    let (min, max) = if let Some(rest) = strip_any(body, &upper_prefixes) {
        let v = number(rest, written)?;
        (0.0, Some(v))
    } else if let Some(rest) = strip_any(body, &lower_prefixes) {
        let v = number(rest, written)?;
        (v, None)
    } else if let Some((a, b)) = split_range(body) {
        let (a, b) = (number(a, written)?, number(b, written)?);
        if a > b {
            return Err(ConcentrationError::Inverted(written.to_string()));
        }
        (a, Some(b))
    } else {
        let v = number(body, written)?;
        (v, Some(v))
    };
    let min = min * factor;
    let max = max.map(|m| m * factor);
    if min > 100.0 || max.is_some_and(|m| m > 100.0) {
        return Err(ConcentrationError::AboveHundred(written.to_string()));
    }
    Ok(Some(Concentration {
        min_percent: Some(min),
        max_percent: max,
        text: written.to_string(),
    }))
}

/// Takes the unit off, returning the number part and the factor to percent. A unit may stand
/// after each end of a range (`1 % - 5 %`, `1 ppm - 5 ppm`).
fn split_unit(s: &str) -> (String, f64) {
    let s = s.replace("(w/w)", "").replace("w/w", "");
    if s.contains('%') {
        return (s.replace('%', " "), 1.0);
    }
    // Longer units first: `mg/kg` and `µg/kg` end like `g/kg`.
    let units: [(&str, f64); 7] = [
        ("ppm", 1e-4),
        ("ppb", 1e-7),
        ("mg/kg", 1e-4),
        ("µg/kg", 1e-7),
        ("μg/kg", 1e-7),
        ("ug/kg", 1e-7),
        ("g/kg", 0.1),
    ];
    for (unit, factor) in units {
        if s.trim_end().ends_with(unit) {
            return (s.replace(unit, " "), factor);
        }
    }
    (s, 1.0)
}

fn strip_any<'a>(s: &'a str, prefixes: &[&str]) -> Option<&'a str> {
    prefixes
        .iter()
        .find_map(|p| s.strip_prefix(p))
        .map(str::trim)
}

/// `1-5`, `1–5`, `1 - 5`, `1 to 5`, `1 bis 5`, `1 à 5`: a range. A leading minus is not.
fn split_range(s: &str) -> Option<(&str, &str)> {
    // The search starts after the first character, so that a leading sign is not a separator.
    let skip = s.chars().next().map_or(0, char::len_utf8);
    for sep in [
        " to ", " bis ", " à ", " a ", " - ", " – ", "–", "—", "-", "…", "...",
    ] {
        if let Some(i) = s[skip..].find(sep).map(|i| i + skip) {
            let (a, b) = (&s[..i], &s[i + sep.len()..]);
            if !a.trim().is_empty() && !b.trim().is_empty() {
                return Some((a.trim(), b.trim().trim_end_matches('%').trim()));
            }
        }
    }
    None
}

/// A decimal number with `.` or `,` as decimal mark.
fn number(s: &str, written: &str) -> Result<f64, ConcentrationError> {
    let t = s.trim().trim_end_matches('%').trim();
    if let Some((int, frac)) = t.split_once(',') {
        // `1,000` could be one thousand or one; `0,125` cannot be a thousands separator.
        if frac.len() == 3 && !int.is_empty() && int != "0" && !int.contains('.') {
            return Err(ConcentrationError::AmbiguousComma(written.to_string()));
        }
    }
    let t = t.replace(',', ".");
    let ok = !t.is_empty()
        && t.chars().all(|c| c.is_ascii_digit() || c == '.')
        && t.chars().filter(|c| *c == '.').count() <= 1
        && t.chars().any(|c| c.is_ascii_digit());
    if !ok {
        return Err(ConcentrationError::Unreadable(written.to_string()));
    }
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| ConcentrationError::Unreadable(written.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str) -> (Option<f64>, Option<f64>) {
        let c = parse(text).unwrap().unwrap();
        assert_eq!(c.text, text.trim());
        (c.min_percent, c.max_percent)
    }

    fn close(a: Option<f64>, b: f64) -> bool {
        a.is_some_and(|a| (a - b).abs() < 1e-12)
    }

    #[test]
    fn every_written_form_of_the_spec_parses() {
        assert_eq!(range("5"), (Some(5.0), Some(5.0)));
        assert_eq!(range("5%"), (Some(5.0), Some(5.0)));
        assert_eq!(range("5 %"), (Some(5.0), Some(5.0)));
        assert_eq!(range("0,5"), (Some(0.5), Some(0.5)));
        assert_eq!(range("<1"), (Some(0.0), Some(1.0)));
        assert_eq!(range("≤ 1 %"), (Some(0.0), Some(1.0)));
        assert_eq!(range("1-5"), (Some(1.0), Some(5.0)));
        assert_eq!(range("1–5 %"), (Some(1.0), Some(5.0)));
        assert_eq!(range("max. 2"), (Some(0.0), Some(2.0)));
        assert_eq!(range("traces"), (Some(0.0), None));
        let (lo, hi) = range("5 ppm");
        assert!(close(lo, 0.0005) && close(hi, 0.0005));
        let (lo, hi) = range("5 mg/kg");
        assert!(close(lo, 0.0005) && close(hi, 0.0005));
        assert_eq!(range(">5"), (Some(5.0), None));
        assert_eq!(range("0,5-1,5 %"), (Some(0.5), Some(1.5)));
        assert_eq!(range("1 % - 5 %"), (Some(1.0), Some(5.0)));
        assert_eq!(range("ad 100"), (None, None));
        assert_eq!(range("q.s."), (None, None));
    }

    /// Regression: a cell starting with a multi-byte character panicked in the range split.
    #[test]
    fn a_cell_starting_with_a_multibyte_character_is_refused_not_a_panic() {
        assert!(parse("Ç").is_err());
        assert!(parse("é-5").is_err());
    }

    #[test]
    fn empty_cells_declare_nothing() {
        assert_eq!(parse("").unwrap(), None);
        assert_eq!(parse(" - ").unwrap(), None);
    }

    #[test]
    fn unreadable_concentrations_are_refused_with_examples() {
        for bad in ["abc", "5 bananas", "1-", "1.2.3", "5 % 6"] {
            let err = parse(bad).unwrap_err();
            assert!(err.to_string().contains("write it like"), "{bad}: {err}");
        }
        assert!(matches!(
            parse("150 %"),
            Err(ConcentrationError::AboveHundred(_))
        ));
        assert!(matches!(parse("5-1"), Err(ConcentrationError::Inverted(_))));
        assert!(matches!(
            parse("1,000 ppm"),
            Err(ConcentrationError::AmbiguousComma(_))
        ));
        assert_eq!(range("0,125"), (Some(0.125), Some(0.125)));
    }
}
