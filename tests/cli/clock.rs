//! Policy values, environment inputs and the clinic's time zone (SPEC 1 and 4 Policy): every
//! value is checked when set or read, none can make a later command fail, and dates are the
//! clinic's.

use serde_json::Value;

use crate::support::{reason_codes as codes, Run, Work};

/// A clinic with the verdict catalog, client C-1, and no patch-test rule, so that a lot's
/// expiry stands alone.
fn clinic() -> Work {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["client", "add", "C-1", "--name", "Alex"]).ok();
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w
}

fn policy(w: &Work) -> Value {
    w.run(&["policy", "show", "--format", "json"]).ok().json()
}

/// A check at a given clock, in JSON.
fn check_at(w: &Work, now: &str, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["check", "C-1", "CO-1", "--format", "json"];
    args.extend_from_slice(extra);
    let run = w.run_env(&args, &[("INKGUARD_NOW", now)]);
    let doc = run.json();
    (run, doc)
}

#[test]
fn policy_values_are_checked_when_set() {
    let w = clinic();
    let before = policy(&w);
    for (key, value, range) in [
        ("patch-test-valid-days", "100000000000", "from 1 to 3650"),
        ("patch-test-valid-days", "0", "from 1 to 3650"),
        ("min-negative-reading-hours", "1e12", "from 0 to 720"),
        ("min-negative-reading-hours", "NaN", "from 0 to 720"),
        ("suspected", "note", "caution or block"),
        ("regulatory", "info", "note, caution or block"),
        ("require-patch-test", "perhaps", "true or false"),
        ("jurisdiction", "US", "EU or none"),
        ("timezone", "Mars/Olympus", "an IANA time zone name"),
    ] {
        w.run(&["policy", "set", key, value])
            .code(1)
            .stderr_has(&format!("error: \"{value}\" is not a value for {key}"))
            .stderr_has(range)
            .stderr_has(&format!("for example: inkguard policy set {key} "));
    }
    assert_eq!(policy(&w), before, "a refused value changes nothing");
    // And every check still runs.
    w.run(&["check", "C-1", "CO-1"]).ok();
}

#[test]
fn a_stored_policy_value_out_of_range_cannot_panic_a_check() {
    let w = clinic();
    {
        // As an older inkguard, which accepted it, left it.
        let conn = rusqlite::Connection::open(w.db()).unwrap();
        conn.execute_batch(
            "INSERT INTO policy (key, value) VALUES ('patch-test-valid-days', '100000000000'),
                                                   ('suspected', 'whatever'),
                                                   ('timezone', 'Nowhere/Land')",
        )
        .unwrap();
    }
    let (run, _) = check_at(&w, "2026-11-23T10:00:00Z", &[]);
    run.ok()
        .stderr_has("warning: stored policy patch-test-valid-days is not valid")
        .stderr_has("using 180");
    w.run(&["doctor"])
        .ok()
        .stdout_has("patch-test-valid-days = \"100000000000\"");
}

#[test]
fn a_bad_busy_timeout_is_an_error_not_a_panic() {
    let w = clinic();
    for value in ["2147484", "-1", "NaN", "soon", "1e300"] {
        w.run_env(&["client", "list"], &[("INKGUARD_BUSY_TIMEOUT", value)])
            .code(1)
            .stderr_has(&format!("error: INKGUARD_BUSY_TIMEOUT=\"{value}\""))
            .stderr_has("from 0 to 3600")
            .stderr_has("hint:");
    }
    w.run_env(&["client", "list"], &[("INKGUARD_BUSY_TIMEOUT", "3600")])
        .ok();
}

#[test]
fn a_bad_inkguard_now_is_an_error_not_a_panic() {
    let w = clinic();
    for value in [
        "+262143-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59-23:59",
        "23.11.2026",
        "2026-02-30",
    ] {
        w.run_env(&["check", "C-1", "CO-1"], &[("INKGUARD_NOW", value)])
            .code(1)
            .stderr_has("error: INKGUARD_NOW=")
            .stderr_has("hint:");
    }
}

#[test]
fn a_lot_is_usable_through_its_expiry_date_in_the_clinics_zone() {
    let w = clinic();
    w.run(&["lot", "add", "CO-1", "CO-25", "--expires", "2026-11-25"])
        .ok();
    w.run(&["policy", "set", "timezone", "Europe/Berlin"]).ok();
    let lot = ["--lot", "CO-25"];
    // 23:30 on 25 November in Berlin: still usable.
    let (run, doc) = check_at(&w, "2026-11-25T22:30:00Z", &lot);
    run.ok();
    assert!(codes(&doc).is_empty(), "{doc}");
    // 00:30 on 26 November in Berlin (still the 25th in UTC): expired.
    let (run, doc) = check_at(&w, "2026-11-25T23:30:00Z", &lot);
    run.code(4);
    assert_eq!(codes(&doc), ["lot-expired"]);
    // A time without offset is Berlin's.
    check_at(&w, "2026-11-26T00:30", &lot).0.code(4);
    check_at(&w, "2026-11-25T23:59", &lot).0.ok();
}

#[test]
fn in_tokyo_a_lot_expires_when_the_date_ends_in_tokyo() {
    let w = clinic();
    w.run(&["lot", "add", "CO-1", "CO-25", "--expires", "2026-11-25"])
        .ok();
    w.run(&["policy", "set", "timezone", "asia/tokyo"])
        .ok()
        .stdout_has("Asia/Tokyo");
    let lot = ["--lot", "CO-25"];
    // 08:00 on 26 November in Tokyo, 23:00 on the 25th in UTC: expired.
    check_at(&w, "2026-11-25T23:00:00Z", &lot).0.code(4);
    // 01:00 on 26 November in Tokyo: expired too, though UTC is at 16:00 on the 25th.
    check_at(&w, "2026-11-25T16:00:00Z", &lot).0.code(4);
    // 23:30 on the 25th in Tokyo: usable.
    check_at(&w, "2026-11-25T14:30:00Z", &lot).0.ok();
    // West of UTC the UTC date runs ahead: 22:00 on the 25th in New York is still usable.
    w.run(&["policy", "set", "timezone", "America/New_York"])
        .ok();
    check_at(&w, "2026-11-26T03:00:00Z", &lot).0.ok();
}

#[test]
fn times_typed_without_offset_are_read_and_shown_in_the_clinics_zone() {
    let w = clinic();
    w.run(&["policy", "set", "timezone", "Europe/Berlin"]).ok();
    let doc = w
        .run(&[
            "patch-test",
            "apply",
            "C-1",
            "--product",
            "CO-1",
            "--at",
            "2026-11-20T10:00",
            "--format",
            "json",
        ])
        .ok()
        .json();
    // Stored and printed for programs in UTC ...
    assert_eq!(doc["applied_at"], "2026-11-20T09:00:00Z");
    // ... shown to people in the clinic's zone.
    w.run(&["patch-test", "show", "1"])
        .ok()
        .stdout_has("applied 2026-11-20 10:00 CET");
    // `INKGUARD_NOW` without an offset is the clinic's time too.
    w.run_env(
        &["client", "add", "C-2", "--name", "Sam"],
        &[("INKGUARD_NOW", "2026-11-23T10:00")],
    )
    .ok();
    let log = w
        .run(&["audit", "log", "--client", "C-2", "--format", "json"])
        .ok()
        .json();
    assert_eq!(log[0]["at"], "2026-11-23T09:00:00Z");
}

#[test]
fn an_invalid_time_zone_is_refused_with_the_closest_name() {
    let w = clinic();
    w.run(&["policy", "set", "timezone", "Europe/Berln"])
        .code(1)
        .stderr_has("error: \"Europe/Berln\" is not a value for timezone")
        .stderr_has("did you mean Europe/Berlin?");
    let p = policy(&w);
    let tz = p
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["key"] == "timezone")
        .unwrap();
    // The machine's zone (the tests set TZ=UTC), as the default.
    assert_eq!(tz["value"], "UTC");
    assert_eq!(tz["is_default"], true);
}
