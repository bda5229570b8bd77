//! ICDRG grades and the outcome of a patch-test item (SPEC 4).

use serde::Serialize;

use super::Reading;

/// A reading on the ICDRG scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Grade {
    NotTested,
    Negative,
    Irritant,
    Doubtful,
    Weak,
    Strong,
    Extreme,
}

impl Grade {
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Negative => "-",
            Grade::Doubtful => "?+",
            Grade::Weak => "+",
            Grade::Strong => "++",
            Grade::Extreme => "+++",
            Grade::Irritant => "IR",
            Grade::NotTested => "NT",
        }
    }

    pub fn parse(text: &str) -> Option<Grade> {
        Some(match text.trim().to_ascii_uppercase().as_str() {
            "-" | "NEG" | "NEGATIVE" => Grade::Negative,
            "?+" | "?" | "DOUBTFUL" => Grade::Doubtful,
            "+" => Grade::Weak,
            "++" => Grade::Strong,
            "+++" => Grade::Extreme,
            "IR" | "IRRITANT" => Grade::Irritant,
            "NT" => Grade::NotTested,
            _ => return None,
        })
    }

    pub fn is_positive(self) -> bool {
        matches!(self, Grade::Weak | Grade::Strong | Grade::Extreme)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Positive,
    /// Positive only on the irradiated set of a photopatch test (its twin under cover is not):
    /// a photoallergy. It counts as a positive in every verdict (a tattoo lives in the sun).
    #[serde(rename = "photo-positive")]
    PhotoPositive,
    Doubtful,
    Irritant,
    Negative,
    Pending,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Positive => "positive",
            Outcome::PhotoPositive => "photo-positive",
            Outcome::Doubtful => "doubtful",
            Outcome::Irritant => "irritant",
            Outcome::Negative => "negative",
            Outcome::Pending => "pending",
        }
    }

    /// A positive, in the dark or only under UVA: either makes a confirmed sensitivity.
    pub fn is_positive(self) -> bool {
        matches!(self, Outcome::Positive | Outcome::PhotoPositive)
    }
}

/// The outcome of an item of a photopatch test's irradiated set: a positive whose twin under
/// cover is not positive, once the set was irradiated, is photo-positive.
pub fn photo_outcome(outcome: Outcome, twin: Outcome, irradiated: bool) -> Outcome {
    if irradiated && outcome == Outcome::Positive && !twin.is_positive() {
        Outcome::PhotoPositive
    } else {
        outcome
    }
}

/// The day a positive was first read, when the item ever read positive.
pub fn first_positive_day(readings: &[Reading]) -> Option<i64> {
    readings
        .iter()
        .filter(|r| r.grade.is_positive())
        .min_by_key(|r| r.at)
        .map(Reading::day)
}

/// The last reading day at which a positive is expected: one first seen after it is **late**
/// (SPEC 4 "a positive first seen after D4").
pub const LATE_AFTER_DAY: i64 = 4;

/// Whether a positive was first seen after D4 (a late reaction: corticosteroids, some metals,
/// or an active sensitisation by the test itself).
pub fn is_late(readings: &[Reading]) -> bool {
    first_positive_day(readings).is_some_and(|d| d > LATE_AFTER_DAY)
}

/// The outcome of an item from its readings in force, and the reading that decides it:
/// - positive: any `+`, `++` or `+++` (the strongest is kept);
/// - doubtful: a `?+` and no positive;
/// - irritant: `IR` and nothing stronger than negatives;
/// - negative: only `-` (and `NT`), with a reading at `min_negative_hours` or later (the latest);
/// - pending: anything else (no reading, only `NT`, only early negatives).
pub fn item_outcome(readings: &[Reading], min_negative_hours: f64) -> (Outcome, Option<&Reading>) {
    let strongest = readings
        .iter()
        .filter(|r| r.grade != Grade::NotTested)
        .max_by(|a, b| a.grade.cmp(&b.grade).then(a.at.cmp(&b.at)));
    match strongest.map(|r| r.grade) {
        Some(g) if g.is_positive() => (Outcome::Positive, strongest),
        Some(Grade::Doubtful) => (Outcome::Doubtful, strongest),
        Some(Grade::Irritant) => (Outcome::Irritant, strongest),
        Some(Grade::Negative) => {
            let late = readings
                .iter()
                .filter(|r| r.grade == Grade::Negative && r.hours >= min_negative_hours)
                .max_by_key(|r| r.at);
            match late {
                Some(r) => (Outcome::Negative, Some(r)),
                None => (Outcome::Pending, strongest),
            }
        }
        _ => (Outcome::Pending, None),
    }
}

/// Whether a test is due for a reading `day` days after its application: `day` is a scheduled
/// reading day and some item has no reading that day or later (`item_days`: the days of each
/// item's readings in force). A reading missed on D2 does not hide the test on D4.
pub fn reading_due(schedule: &[i64], item_days: &[Vec<i64>], day: i64) -> bool {
    schedule.contains(&day) && item_days.iter().any(|days| unread_on(days, day))
}

/// Whether an item whose readings in force fell on `days` still wants a reading on `day`: none
/// of them was that day or later.
pub fn unread_on(days: &[i64], day: i64) -> bool {
    !days.iter().any(|read| *read >= day)
}

/// The next scheduled reading day from `today` on (`today` itself included) on which a reading
/// is due by [`reading_due`], if any is left in the schedule: what `patch-test due` and the
/// chair-side page both show.
pub fn next_reading(schedule: &[i64], item_days: &[Vec<i64>], today: i64) -> Option<i64> {
    schedule
        .iter()
        .copied()
        .filter(|d| *d >= today)
        .find(|d| reading_due(schedule, item_days, *d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_reading_is_the_first_scheduled_day_still_due_from_today_on() {
        let schedule = [2, 4, 7];
        assert_eq!(next_reading(&schedule, &[vec![], vec![]], 0), Some(2));
        assert_eq!(
            next_reading(&schedule, &[vec![], vec![]], 3),
            Some(4),
            "a missed D2 leaves D4"
        );
        assert_eq!(next_reading(&schedule, &[vec![2, 4], vec![4]], 3), Some(7));
        assert_eq!(next_reading(&schedule, &[vec![7], vec![7]], 5), None);
        assert_eq!(next_reading(&schedule, &[vec![2]], 8), None);
    }

    #[test]
    fn a_reading_is_due_on_a_scheduled_day_until_every_item_is_read_then_or_later() {
        let schedule = [2, 4, 7];
        assert!(reading_due(&schedule, &[vec![], vec![]], 2));
        assert!(!reading_due(&schedule, &[vec![], vec![]], 3));
        assert!(reading_due(&schedule, &[vec![2], vec![]], 2));
        assert!(!reading_due(&schedule, &[vec![2], vec![3]], 2));
        assert!(reading_due(&schedule, &[vec![2], vec![3]], 4));
        assert!(
            reading_due(&schedule, &[vec![], vec![]], 4),
            "a missed D2 does not hide D4"
        );
        assert!(!reading_due(&schedule, &[vec![2, 4, 7], vec![7]], 7));
    }

    #[test]
    fn a_reaction_only_under_uva_is_photo_positive_once_irradiated() {
        use Outcome::*;
        assert_eq!(photo_outcome(Positive, Negative, true), PhotoPositive);
        assert_eq!(photo_outcome(Positive, Pending, true), PhotoPositive);
        assert_eq!(photo_outcome(Positive, Positive, true), Positive);
        assert_eq!(photo_outcome(Positive, Negative, false), Positive);
        assert_eq!(photo_outcome(Negative, Negative, true), Negative);
    }

    #[test]
    fn a_positive_first_seen_after_d4_is_late() {
        use chrono::{TimeZone, Utc};
        let at = |h: i64| Reading {
            at: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(h),
            hours: h as f64,
            grade: Grade::Negative,
        };
        let pos = |h: i64| Reading {
            grade: Grade::Weak,
            ..at(h)
        };
        assert!(!is_late(&[at(48), pos(96)]));
        assert!(is_late(&[at(48), at(96), pos(168)]));
        assert!(!is_late(&[pos(48), pos(168)]));
        assert!(!is_late(&[at(168)]));
    }
}
