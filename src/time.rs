//! The clock and the date formats of the command line.
//!
//! `INKGUARD_NOW` (RFC 3339) fixes "now" for scripts and tests. Times are stored in UTC as
//! `YYYY-MM-DDTHH:MM:SSZ`, so that text order is time order in SQL.

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::error::{Error, Result};

/// Reads `INKGUARD_NOW`, or the system clock.
pub fn now_from_env() -> Result<DateTime<Utc>> {
    match std::env::var("INKGUARD_NOW") {
        Ok(text) if !text.trim().is_empty() => DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                Error::invalid_with_hint(
                    format!("INKGUARD_NOW={text:?} is not an RFC 3339 time: {e}"),
                    "write it like 2026-11-23T10:00:00Z, or unset it",
                )
            }),
        _ => Ok(Utc::now()),
    }
}

/// Parses a time as written on the command line: `YYYY-MM-DD` (midnight, local time),
/// `YYYY-MM-DDTHH:MM[:SS]` (local time) or either with an offset or `Z`.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    let trimmed = text.trim();
    // `Z` is the offset +00:00 in every form below.
    let zulu = trimmed
        .strip_suffix(['Z', 'z'])
        .map(|s| format!("{s}+00:00"));
    let t = zulu.as_deref().unwrap_or(trimmed);
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Ok(dt.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%d %H:%M%:z",
        "%Y-%m-%d %H:%M:%S%:z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(t, format) {
            return Ok(dt.with_timezone(&Utc));
        }
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    });
    match naive.map(|n| Local.from_local_datetime(&n).earliest()) {
        Some(Some(local)) => Ok(local.with_timezone(&Utc)),
        _ => Err(Error::invalid_with_hint(
            format!("{t:?} is not a date or time"),
            "write YYYY-MM-DD or YYYY-MM-DDTHH:MM, optionally with an offset like +01:00 or Z",
        )),
    }
}

/// Parses a calendar date (`YYYY-MM-DD`), as used for expiry dates.
pub fn parse_date(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Error::invalid_with_hint(
            format!("{:?} is not a date", text.trim()),
            "write dates as YYYY-MM-DD, like 2027-03-31",
        )
    })
}

/// The stored form of a time.
pub fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_offsets_are_converted_to_utc() {
        assert_eq!(
            stamp(parse_time("2026-11-23T10:00:00+01:00").unwrap()),
            "2026-11-23T09:00:00Z"
        );
        assert_eq!(
            stamp(parse_time("2026-11-23T10:00Z").unwrap()),
            "2026-11-23T10:00:00Z"
        );
        assert_eq!(
            stamp(parse_time("2026-11-23T10:00+02:00").unwrap()),
            "2026-11-23T08:00:00Z"
        );
    }

    #[test]
    fn bad_times_are_refused_with_the_format() {
        let err = parse_time("23.11.2026").unwrap_err();
        assert!(err.hints()[0].contains("YYYY-MM-DD"));
        assert!(parse_date("2026-02-30").is_err());
    }
}
