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
    Doubtful,
    Irritant,
    Negative,
    Pending,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Positive => "positive",
            Outcome::Doubtful => "doubtful",
            Outcome::Irritant => "irritant",
            Outcome::Negative => "negative",
            Outcome::Pending => "pending",
        }
    }
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
