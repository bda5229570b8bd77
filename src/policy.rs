//! The clinic's policy keys (SPEC 4 Policy): one table of keys, defaults and what each accepts.
//! Every value is checked when it is set and again when it is read, so that no stored value can
//! make a later command fail.

use std::sync::OnceLock;

use chrono_tz::Tz;

use crate::error::{Error, Result};
use crate::screening::{Level, Policy};

/// The longest `patch-test-valid-days` (ten years).
pub const MAX_VALID_DAYS: i64 = 3650;
/// The latest `min-negative-reading-hours` (30 days).
pub const MAX_READING_HOURS: f64 = 720.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyKey {
    RequirePatchTest,
    PatchTestValidDays,
    MinNegativeReadingHours,
    ReadingDays,
    Suspected,
    Declared,
    UnverifiedIngredients,
    Regulatory,
    Jurisdiction,
    Timezone,
}

use PolicyKey::*;

impl PolicyKey {
    /// Every key, in the order `policy show` lists them.
    pub const ALL: [PolicyKey; 10] = [
        RequirePatchTest,
        PatchTestValidDays,
        MinNegativeReadingHours,
        ReadingDays,
        Suspected,
        Declared,
        UnverifiedIngredients,
        Regulatory,
        Jurisdiction,
        Timezone,
    ];

    /// The key as typed and stored, with its default, what it accepts and an example value.
    fn row(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            RequirePatchTest => ("require-patch-test", "true", "true or false", "true"),
            PatchTestValidDays => (
                "patch-test-valid-days",
                "180",
                "a whole number of days from 1 to 3650",
                "365",
            ),
            MinNegativeReadingHours => (
                "min-negative-reading-hours",
                "72",
                "a number of hours from 0 to 720",
                "96",
            ),
            ReadingDays => (
                "reading-days",
                "2,4,7",
                "reading days after application, increasing, comma-separated, each from 1 to 14",
                "2,3,7",
            ),
            Suspected => ("suspected", "caution", "caution or block", "block"),
            Declared => ("declared", "block", "caution or block", "block"),
            UnverifiedIngredients => (
                "unverified-ingredients",
                "caution",
                "note, caution or block",
                "block",
            ),
            Regulatory => ("regulatory", "caution", "note, caution or block", "block"),
            Jurisdiction => ("jurisdiction", "EU", "EU or none", "EU"),
            // The default is the machine's zone: see `default_value`.
            Timezone => ("timezone", "", "an IANA time zone name", "Europe/Berlin"),
        }
    }

    pub fn name(self) -> &'static str {
        self.row().0
    }

    /// What the key accepts, as a phrase: "a whole number of days from 1 to 3650".
    pub fn accepts(self) -> &'static str {
        self.row().2
    }

    /// The default in its stored form; the time zone's is the machine's.
    pub fn default_value(self) -> String {
        match self {
            Timezone => machine_zone().name().to_string(),
            _ => self.row().1.to_string(),
        }
    }

    /// Finds a key by name (case and surrounding spaces do not matter).
    pub fn parse(text: &str) -> Result<PolicyKey> {
        let want = text.trim().to_ascii_lowercase();
        PolicyKey::ALL
            .into_iter()
            .find(|k| k.name() == want)
            .ok_or_else(|| {
                Error::invalid_with_hint(
                    format!("{:?} is not a policy key", text.trim()),
                    format!("keys: {}", PolicyKey::ALL.map(PolicyKey::name).join(", ")),
                )
            })
    }

    /// Reads a value into the policy. A value the key does not accept is an error naming the
    /// value, what the key accepts and an example, and leaves the policy as it was.
    pub fn set(self, policy: &mut Policy, text: &str) -> Result<()> {
        let v = text.trim();
        let level = |allowed: &[Level]| Level::parse(v).filter(|l| allowed.contains(l));
        use Level::{Block, Caution, Note};
        let ok = match self {
            RequirePatchTest => match v.to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => Some(true),
                "false" | "no" | "off" | "0" => Some(false),
                _ => None,
            }
            .map(|b| policy.require_patch_test = b),
            PatchTestValidDays => v
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=MAX_VALID_DAYS).contains(d))
                .map(|d| policy.patch_test_valid_days = d),
            MinNegativeReadingHours => v
                .parse::<f64>()
                .ok()
                .filter(|h| (0.0..=MAX_READING_HOURS).contains(h))
                .map(|h| policy.min_negative_reading_hours = h),
            ReadingDays => parse_reading_days(v).map(|d| policy.reading_days = d),
            Suspected => level(&[Caution, Block]).map(|l| policy.suspected = l),
            Declared => level(&[Caution, Block]).map(|l| policy.declared = l),
            UnverifiedIngredients => {
                level(&[Note, Caution, Block]).map(|l| policy.unverified_ingredients = l)
            }
            Regulatory => level(&[Note, Caution, Block]).map(|l| policy.regulatory = l),
            Jurisdiction => match v.to_ascii_uppercase().as_str() {
                "EU" => Some(Some("EU".to_string())),
                "NONE" => Some(None),
                _ => None,
            }
            .map(|j| policy.jurisdiction = j),
            Timezone => parse_zone(v).map(|z| policy.timezone = z),
        };
        ok.ok_or_else(|| self.refusal(text))
    }

    /// The value in force, in its stored form.
    pub fn get(self, policy: &Policy) -> String {
        match self {
            RequirePatchTest => policy.require_patch_test.to_string(),
            PatchTestValidDays => policy.patch_test_valid_days.to_string(),
            MinNegativeReadingHours => policy.min_negative_reading_hours.to_string(),
            ReadingDays => policy
                .reading_days
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(","),
            Suspected => policy.suspected.as_str().into(),
            Declared => policy.declared.as_str().into(),
            UnverifiedIngredients => policy.unverified_ingredients.as_str().into(),
            Regulatory => policy.regulatory.as_str().into(),
            Jurisdiction => policy.jurisdiction.clone().unwrap_or_else(|| "none".into()),
            Timezone => policy.timezone.name().into(),
        }
    }

    /// Checks a value and returns it in its stored form (`YES` -> `true`, `europe/berlin` ->
    /// `Europe/Berlin`).
    pub fn check(self, text: &str) -> Result<String> {
        let mut p = Policy::default();
        self.set(&mut p, text)?;
        Ok(self.get(&p))
    }

    /// What a stored value the key cannot read gives instead: the strictest level for a level,
    /// the default for anything else (stricter than most mistakes: 180 days, 72 hours, EU).
    pub fn fall_back(self, policy: &mut Policy) {
        match self {
            Suspected => policy.suspected = Level::Block,
            Declared => policy.declared = Level::Block,
            UnverifiedIngredients => policy.unverified_ingredients = Level::Block,
            Regulatory => policy.regulatory = Level::Block,
            _ => {
                let _ = self.set(policy, &self.default_value());
            }
        }
    }

    fn refusal(self, text: &str) -> Error {
        let mut hints = vec![format!(
            "{} takes {}, for example: inkguard policy set {} {}",
            self.name(),
            self.accepts(),
            self.name(),
            self.row().3
        )];
        if self == Timezone {
            if let Some(near) = nearest_zone(text) {
                hints.push(format!("did you mean {near}?"));
            }
        }
        Error::Invalid {
            message: format!("{:?} is not a value for {}", text.trim(), self.name()),
            hints,
        }
    }
}

/// The built-in defaults: the one statement of them is `PolicyKey::row` (and the machine's
/// zone).
pub fn defaults() -> Policy {
    // Placeholders, each overwritten by its key's default just below.
    let mut p = Policy {
        require_patch_test: true,
        patch_test_valid_days: 0,
        min_negative_reading_hours: 0.0,
        reading_days: vec![2, 4, 7],
        suspected: Level::Block,
        declared: Level::Block,
        unverified_ingredients: Level::Block,
        regulatory: Level::Block,
        jurisdiction: None,
        timezone: Tz::UTC,
    };
    for key in PolicyKey::ALL {
        // A unit test shows every default is accepted; should one not be, the placeholder
        // (the stricter value) stays.
        let _ = key.set(&mut p, &key.default_value());
    }
    p
}

/// The latest reading day a schedule may name: readings are refused after 14 days (SPEC 4).
pub const MAX_READING_DAY: i64 = 14;

/// `2,4,7` (spaces and a `D` before a day allowed: `D2, D4, D7`): at least one day, each from 1
/// to 14, strictly increasing.
pub fn parse_reading_days(text: &str) -> Option<Vec<i64>> {
    let days: Vec<i64> = text
        .split(',')
        .map(|d| {
            let d = d.trim();
            let d = d
                .strip_prefix('D')
                .or_else(|| d.strip_prefix('d'))
                .unwrap_or(d);
            d.parse::<i64>().ok()
        })
        .collect::<Option<_>>()?;
    let in_range = days.iter().all(|d| (1..=MAX_READING_DAY).contains(d));
    let increasing = days.windows(2).all(|w| w[0] < w[1]);
    (!days.is_empty() && in_range && increasing).then_some(days)
}

/// A zone by its IANA name, in any case (`europe/berlin` is `Europe/Berlin`).
pub fn parse_zone(text: &str) -> Option<Tz> {
    let t = text.trim();
    t.parse::<Tz>().ok().or_else(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|z| z.name().eq_ignore_ascii_case(t))
            .copied()
    })
}

/// The zone name closest to a mistyped one (`Europe/Berln`, `Berlin`).
fn nearest_zone(text: &str) -> Option<&'static str> {
    let t = text.trim().to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|z| z.name())
        .map(|name| {
            let lower = name.to_ascii_lowercase();
            let city = lower.rsplit('/').next().unwrap_or(&lower).to_string();
            let score = strsim::jaro_winkler(&t, &lower).max(strsim::jaro_winkler(&t, &city));
            (score, name)
        })
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

/// The machine's zone: `$TZ` when it names an IANA zone, else `/etc/localtime` (through
/// `iana-time-zone`), else UTC.
pub fn machine_zone() -> Tz {
    static ZONE: OnceLock<Tz> = OnceLock::new();
    *ZONE.get_or_init(|| {
        std::env::var("TZ")
            .ok()
            .and_then(|tz| parse_zone(tz.trim_start_matches(':')))
            .or_else(|| {
                iana_time_zone::get_timezone()
                    .ok()
                    .and_then(|z| parse_zone(&z))
            })
            .unwrap_or(Tz::UTC)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_default_is_a_value_its_key_accepts() {
        for key in PolicyKey::ALL {
            assert_eq!(
                key.check(&key.default_value()).unwrap(),
                key.default_value()
            );
        }
        let p = defaults();
        assert_eq!(p.patch_test_valid_days, 180);
        assert_eq!(p.min_negative_reading_hours, 72.0);
        assert_eq!(p.suspected, Level::Caution);
        assert_eq!(p.declared, Level::Block);
        assert_eq!(p.jurisdiction.as_deref(), Some("EU"));
        assert!(p.require_patch_test);
    }

    #[test]
    fn patch_test_valid_days_is_checked_when_set() {
        let err = PatchTestValidDays.check("100000000000").unwrap_err();
        assert!(err.to_string().contains("100000000000"), "{err}");
        assert!(err.hints()[0].contains("1 to 3650"), "{:?}", err.hints());
        assert!(err.hints()[0].contains("policy set patch-test-valid-days 365"));
        for bad in ["0", "-1", "3651", "1.5", "", "many"] {
            assert!(PatchTestValidDays.check(bad).is_err(), "{bad}");
        }
        assert_eq!(PatchTestValidDays.check(" 3650 ").unwrap(), "3650");
    }

    #[test]
    fn reading_hours_are_a_sensible_range() {
        for bad in ["-1", "721", "NaN", "inf", "1e9"] {
            assert!(MinNegativeReadingHours.check(bad).is_err(), "{bad}");
        }
        assert_eq!(MinNegativeReadingHours.check("96").unwrap(), "96");
        assert_eq!(MinNegativeReadingHours.check("0").unwrap(), "0");
    }

    #[test]
    fn reading_days_are_increasing_days_within_two_weeks() {
        assert_eq!(defaults().reading_days, vec![2, 4, 7]);
        assert_eq!(ReadingDays.check(" D2, d3 ,7").unwrap(), "2,3,7");
        assert_eq!(ReadingDays.check("3").unwrap(), "3");
        for bad in ["", "0,2", "2,2", "4,2", "2,15", "2,x", "2,,4", "-1", "2.5"] {
            assert!(ReadingDays.check(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn levels_booleans_and_jurisdiction_take_their_words() {
        assert_eq!(Suspected.check("BLOCK").unwrap(), "block");
        assert!(Suspected.check("note").is_err());
        assert!(Declared.check("info").is_err());
        assert_eq!(Regulatory.check("note").unwrap(), "note");
        assert_eq!(RequirePatchTest.check("no").unwrap(), "false");
        assert!(RequirePatchTest.check("maybe").is_err());
        assert_eq!(Jurisdiction.check("eu").unwrap(), "EU");
        assert_eq!(Jurisdiction.check("None").unwrap(), "none");
        assert!(Jurisdiction.check("US").is_err());
    }

    #[test]
    fn timezone_is_an_iana_name() {
        assert_eq!(Timezone.check("Europe/Berlin").unwrap(), "Europe/Berlin");
        assert_eq!(Timezone.check("asia/tokyo").unwrap(), "Asia/Tokyo");
        let err = Timezone.check("Europe/Berln").unwrap_err();
        assert!(err.to_string().contains("Europe/Berln"));
        assert!(
            err.hints().iter().any(|h| h.contains("Europe/Berlin")),
            "{:?}",
            err.hints()
        );
        assert!(Timezone.check("Mars/Olympus").is_err());
        assert!(Timezone.check("").is_err());
    }

    #[test]
    fn a_refused_value_leaves_the_policy_as_it_was() {
        let mut p = defaults();
        let before = p.clone();
        for key in PolicyKey::ALL {
            assert!(key.set(&mut p, "not a value").is_err());
        }
        assert_eq!(p, before);
    }

    #[test]
    fn an_unreadable_stored_level_falls_back_to_block() {
        let mut p = defaults();
        Suspected.fall_back(&mut p);
        assert_eq!(p.suspected, Level::Block);
        p.patch_test_valid_days = 7;
        PatchTestValidDays.fall_back(&mut p);
        assert_eq!(p.patch_test_valid_days, 180);
    }
}
