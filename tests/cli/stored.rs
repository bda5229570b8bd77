//! Stored enums decode with an error (issue #13): a value this inkguard does not know, put in
//! by hand or by a newer version, stops the command with exit 1 and names its column and value.
//! It never reads as a default, which could be a milder verdict than what was meant.

use crate::support::Work;

fn clinic() -> Work {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w.run(&["client", "add", "C-1", "--name", "Alex Example"])
        .ok();
    w
}

/// Writes past the schema's CHECK constraints and append-only triggers, as someone with the
/// file and the sqlite3 tool can.
fn tamper(w: &Work, sql: &str) {
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute_batch(&format!("PRAGMA ignore_check_constraints = 1; {sql}"))
        .unwrap();
}

#[test]
fn an_unknown_group_on_match_stops_a_check_instead_of_giving_a_verdict() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "physician");
    tamper(
        &w,
        "UPDATE groups SET on_match = 'lenient' WHERE key = 'nickel-compounds'",
    );
    let run = w.run(&["check", "C-1", "NI-1"]);
    run.code(1)
        .stderr_has(
            "error: the database holds an unknown group on_match \"lenient\" in groups.on_match",
        )
        .stderr_has("inkguard doctor");
    assert!(!run.stdout.contains("CLEAR"), "{}", run.stdout);
}

#[test]
fn an_unknown_reading_grade_stops_a_check_instead_of_reading_as_not_tested() {
    let w = clinic();
    w.run(&[
        "patch-test",
        "apply",
        "C-1",
        "--product",
        "NI-1",
        "--at",
        "2026-11-20T10:00",
    ])
    .ok();
    w.run(&[
        "patch-test",
        "read",
        "1",
        "--item",
        "1",
        "--grade",
        "++",
        "--at",
        "2026-11-23T10:00",
    ])
    .ok();
    tamper(
        &w,
        "DROP TRIGGER readings_no_update; UPDATE readings SET grade = 'x'",
    );
    let run = w.run(&["check", "C-1", "NI-1"]);
    run.code(1)
        .stderr_has("error: the database holds an unknown grade \"x\" in readings.grade");
    assert!(!run.stdout.contains("CLEAR"), "{}", run.stdout);
    w.run(&["patch-test", "show", "1"])
        .code(1)
        .stderr_has("unknown grade \"x\"");
}

#[test]
fn an_unknown_product_kind_is_an_error_not_other() {
    let w = clinic();
    tamper(
        &w,
        "UPDATE products SET kind = 'plasma' WHERE code = 'NI-1'",
    );
    w.run(&["product", "list"]).code(1).stderr_has(
        "error: the database holds an unknown product kind \"plasma\" in products.kind",
    );
    w.run(&["check", "C-1", "NI-1"])
        .code(1)
        .stderr_has("unknown product kind \"plasma\"");
}

#[test]
fn an_unknown_sensitivity_certainty_stops_a_check() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "physician");
    tamper(
        &w,
        "DROP TRIGGER sensitivities_no_update; UPDATE sensitivities SET certainty = 'maybe'",
    );
    w.run(&["check", "C-1", "NI-1"])
        .code(1)
        .stderr_has("unknown sensitivity certainty \"maybe\" in sensitivities.certainty");
}
