//! The clock and the date formats of the command line.
//!
//! `INKGUARD_NOW` fixes "now" for scripts and tests. Times are stored in UTC as
//! `YYYY-MM-DDTHH:MM:SSZ`, so that text order is time order in SQL; a time typed without an
//! offset is read in the clinic's zone (policy `timezone`), and times shown to people are shown
//! in it.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};

/// The years a typed or stored time may fall in: four digits, so that text order stays time
/// order, and far from the ends of the date types, so that no arithmetic on them overflows.
const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// Where "now" comes from: `INKGUARD_NOW` (checked as soon as it is read), or the system clock.
#[derive(Debug, Clone)]
pub struct Clock {
    fixed: Option<String>,
}

impl Clock {
    /// Reads `INKGUARD_NOW`; a value that is not a time is an error naming it.
    pub fn from_env() -> Result<Clock> {
        let fixed = std::env::var("INKGUARD_NOW")
            .ok()
            .filter(|t| !t.trim().is_empty());
        let clock = Clock { fixed };
        // Checked now, before any database is opened (the zone does not change whether it
        // parses).
        clock.now_in(Tz::UTC)?;
        Ok(clock)
    }

    /// The current time; a fixed time without an offset is read in `zone`.
    pub fn now_in(&self, zone: Tz) -> Result<DateTime<Utc>> {
        self.now_with(|| zone)
    }

    /// The time, asking for the clinic's zone only when it is needed: `INKGUARD_NOW` written
    /// without an offset (finding the zone opens the database once more).
    pub fn now_with(&self, zone: impl FnOnce() -> Tz) -> Result<DateTime<Utc>> {
        // With an offset the zone changes nothing, and it is not looked up.
        let has_offset = self
            .fixed
            .as_deref()
            .is_some_and(|t| DateTime::parse_from_rfc3339(t.trim()).is_ok());
        let zone = if self.fixed.is_some() && !has_offset {
            zone()
        } else {
            Tz::UTC
        };
        match &self.fixed {
            None => Ok(Utc::now()),
            Some(text) => parse_time(text, zone).map_err(|_| {
                Error::invalid_with_hint(
                    format!("INKGUARD_NOW={text:?} is not a time"),
                    "write it like 2026-11-23T10:00:00Z (or without the offset, in the clinic's time zone), or unset it",
                )
            }),
        }
    }
}

/// Reads `INKGUARD_NOW` (a time without an offset in the machine's zone), or the system clock.
pub fn now_from_env() -> Result<DateTime<Utc>> {
    Clock::from_env()?.now_in(crate::policy::machine_zone())
}

/// Parses a time as written on the command line: `YYYY-MM-DD` (midnight),
/// `YYYY-MM-DDTHH:MM[:SS]`, read in the clinic's `zone`, or either with an offset or `Z`.
pub fn parse_time(text: &str, zone: Tz) -> Result<DateTime<Utc>> {
    let t = parse_any_time(text, zone)?;
    if YEARS.contains(&t.year()) {
        Ok(t)
    } else {
        Err(Error::invalid_with_hint(
            format!(
                "{:?} is out of range: the year must be between 1000 and 9999",
                text.trim()
            ),
            "write YYYY-MM-DD or YYYY-MM-DDTHH:MM, like 2026-11-23T10:00",
        ))
    }
}

fn parse_any_time(text: &str, zone: Tz) -> Result<DateTime<Utc>> {
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
    match naive.map(|n| (n, zone.from_local_datetime(&n).earliest())) {
        Some((_, Some(local))) => Ok(local.with_timezone(&Utc)),
        Some((n, None)) => Err(Error::invalid_with_hint(
            format!("{n} does not exist in {zone}: the clocks skip it"),
            "give the time with its offset, like 2026-03-29T03:30+02:00",
        )),
        None => Err(Error::invalid_with_hint(
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

/// A time as shown to people: in the clinic's zone, `2026-11-25 23:30 CET`.
pub fn show(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// A stored stamp as shown to people; text that is not a stamp is shown as it is.
pub fn show_stamp(stamp: &str, zone: Tz) -> String {
    DateTime::parse_from_rfc3339(stamp)
        .map(|t| show(t.with_timezone(&Utc), zone))
        .unwrap_or_else(|_| stamp.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_offsets_are_converted_to_utc() {
        assert_eq!(
            stamp(parse_time("2026-11-23T10:00:00+01:00", Tz::UTC).unwrap()),
            "2026-11-23T09:00:00Z"
        );
        assert_eq!(
            stamp(parse_time("2026-11-23T10:00Z", Tz::UTC).unwrap()),
            "2026-11-23T10:00:00Z"
        );
        assert_eq!(
            stamp(parse_time("2026-11-23T10:00+02:00", Tz::Asia__Tokyo).unwrap()),
            "2026-11-23T08:00:00Z"
        );
    }

    #[test]
    fn bad_times_are_refused_with_the_format() {
        let err = parse_time("23.11.2026", Tz::UTC).unwrap_err();
        assert!(err.hints()[0].contains("YYYY-MM-DD"));
        assert!(parse_date("2026-02-30").is_err());
    }

    #[test]
    fn times_without_an_offset_are_read_in_the_clinics_zone() {
        assert_eq!(
            stamp(parse_time("2026-11-25T10:00", Tz::Europe__Berlin).unwrap()),
            "2026-11-25T09:00:00Z"
        );
        assert_eq!(
            stamp(parse_time("2026-11-26", Tz::Asia__Tokyo).unwrap()),
            "2026-11-25T15:00:00Z"
        );
    }

    #[test]
    fn a_time_the_clocks_skip_is_refused_with_the_offset_form() {
        let err = parse_time("2026-03-29T02:30", Tz::Europe__Berlin).unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
    }

    #[test]
    fn years_out_of_range_are_refused_not_overflowed() {
        for text in [
            "0000-01-01",
            "+262143-12-31T23:59:59Z",
            "10000-01-01T00:00Z",
        ] {
            assert!(parse_time(text, Tz::UTC).is_err(), "{text}");
        }
    }

    #[test]
    fn times_are_shown_in_the_clinics_zone() {
        let t = parse_time("2026-11-25T23:30Z", Tz::UTC).unwrap();
        assert_eq!(show(t, Tz::Europe__Berlin), "2026-11-26 00:30 CET");
        assert_eq!(
            show_stamp("2026-11-25T23:30:00Z", Tz::Asia__Tokyo),
            "2026-11-26 08:30 JST"
        );
    }
}
