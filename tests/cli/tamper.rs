//! A record nobody can rewrite quietly (SPEC 8): the triggers refuse edits of every clinical
//! table, and past them (plain SQL, triggers dropped) `audit verify` names every record changed,
//! deleted or added without its event, a rewritten chain, removed newest events and event times
//! that run backwards.

use std::path::Path;

use rusqlite::Connection;

use crate::support::{Run, Work};

/// Every clinical table holds a row: a series, a photopatch test (items, irradiation, reading,
/// relevance), a sensitivity and its retraction, a treatment with its reaction, and a recall
/// that flags a lot.
fn clinic() -> Work {
    let w = Work::new();
    let example = |name: &str| crate::support::example(name).display().to_string();
    w.run(&[
        "series",
        "import",
        &example("european-baseline-series.csv"),
        "--name",
        "European baseline",
    ])
    .ok();
    w.import_path(
        Path::new(&example("farbwerk_de_windows1252.csv")),
        "Farbwerk GmbH",
        &["--encoding", "windows-1252"],
    );
    w.import_path(
        Path::new(&example("lumen_labels_bom.csv")),
        "Lumen Pigments",
        &[],
    );
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w.run(&["client", "add", "C-1", "--name", "Ann Example"])
        .ok();
    w.run(&[
        "patch-test",
        "apply",
        "C-1",
        "--series",
        "European baseline",
        "--only",
        "7",
        "--photo",
        "--at",
        "2026-11-19T09:00",
    ])
    .ok();
    w.run(&[
        "patch-test",
        "irradiate",
        "1",
        "--dose",
        "5",
        "--at",
        "2026-11-20T09:00",
    ])
    .ok();
    w.run(&[
        "patch-test",
        "read",
        "1",
        "--item",
        "1",
        "--grade",
        "+",
        "--at",
        "2026-11-21T09:00",
    ])
    .ok();
    w.run(&["patch-test", "relevance", "1", "--item", "1", "past"])
        .ok();
    let id = w.record_id(&[
        "sensitivity",
        "add",
        "C-1",
        "glycerin",
        "--source",
        "declared",
    ]);
    w.run(&["sensitivity", "retract", &id, "--reason", "excluded"])
        .ok();
    let treatment = w.record_id(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "Taupe Brow",
        "--lot",
        "TB-2502",
        "--override",
        "patch test booked",
    ]);
    w.run(&[
        "reaction",
        "record",
        "C-1",
        "--treatment",
        &treatment,
        "--onset",
        "2026-11-23",
        "--symptoms",
        "itching",
        "--severity",
        "mild",
    ])
    .ok();
    w.run(&["recall", "import", &example("safety_gate_alert.txt")])
        .ok();
    w
}

fn open(w: &Work) -> Connection {
    Connection::open(w.db()).unwrap()
}

fn verify(w: &Work, extra: &[&str]) -> Run {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    w.run(&args)
}

/// The head `audit verify` prints, as `COUNT:HASH`.
fn head(w: &Work) -> String {
    let doc = verify(w, &["--format", "json"]).ok().json();
    doc["head"].as_str().unwrap().to_string()
}

/// Drops every append-only trigger, as someone with the file and the sqlite3 tool can.
fn drop_triggers(conn: &Connection) {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for name in names {
        conn.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
}

/// Recomputes every event's claims digest and hash, as a forger who knows the algorithm can.
fn rechain(conn: &Connection) {
    use inkguard::db::{audit, records};
    let events: Vec<(i64, String, String, String, Option<String>, String)> = conn
        .prepare("SELECT id, at, actor, command, client, detail FROM audit_events ORDER BY id")
        .unwrap()
        .query_map([], |r| r.try_into())
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut prev = "0".repeat(64);
    for (id, at, actor, command, client, detail) in events {
        let claims = records::claims_of(conn, id).unwrap();
        let rows = records::digest(&claims);
        let hash = audit::event_hash(
            &prev,
            &at,
            &actor,
            &command,
            client.as_deref(),
            &detail,
            rows.as_deref(),
        );
        conn.execute(
            "UPDATE audit_events SET prev_hash = ?2, hash = ?3, rows = ?4 WHERE id = ?1",
            rusqlite::params![id, prev, hash, rows],
        )
        .unwrap();
        prev = hash;
    }
}

#[test]
fn every_clinical_table_refuses_sql_updates_and_deletes() {
    let w = clinic();
    let conn = open(&w);
    for (table, _) in inkguard::db::records::CLINICAL {
        let rows: i64 = conn
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap();
        assert!(rows > 0, "the clinic has no row in {table} to test");
        for statement in [
            format!("UPDATE {table} SET rowid = rowid"),
            format!("DELETE FROM {table}"),
        ] {
            let err = conn.execute(&statement, []).expect_err(&statement);
            assert!(
                err.to_string().contains("append-only") || err.to_string().contains("as imported"),
                "{statement}: {err}"
            );
        }
    }
    for statement in [
        "UPDATE treatment_items SET lot_id = lot_id",
        "DELETE FROM treatment_items",
        "UPDATE audit_rows SET hash = 'x'",
        "DELETE FROM audit_rows",
        "UPDATE patch_test_items SET concentration = '50 %'",
        "UPDATE patch_test_items SET substance_id = 1",
    ] {
        conn.execute(statement, []).expect_err(statement);
    }
    drop(conn);
    // Personal data outside the clinical record stays erasable.
    w.run(&["client", "erase", "C-1", "--confirm"]).ok();
    verify(&w, &[]).ok().stdout_has("audit chain intact");
}

#[test]
fn an_untouched_record_verifies_and_its_head_is_printed_and_checked() {
    let w = clinic();
    let run = verify(&w, &[]);
    run.ok()
        .stdout_has("every record matches its event")
        .stdout_has("head: ");
    let head = head(&w);
    let (count, hash) = head.split_once(':').unwrap();
    assert_eq!(count.parse::<i64>().unwrap(), w.count("audit_events"));
    assert_eq!(hash.len(), 64);
    verify(&w, &["--expect", &head]).ok();
    // A shortened hash, as copied from paper.
    verify(&w, &["--expect", &format!("{count}:{}", &hash[..16])]).ok();
    verify(&w, &["--expect", "12:xyz"])
        .code(1)
        .stderr_has("is not an audit head");
    // Every row of every clinical table is claimed by an event.
    let conn = open(&w);
    let unclaimed: i64 = inkguard::db::records::CLINICAL
        .iter()
        .map(|(t, _)| {
            conn.query_row(
                &format!(
                    "SELECT count(*) FROM {t} WHERE rowid NOT IN (SELECT row_id FROM audit_rows WHERE tbl = '{t}')"
                ),
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap()
        })
        .sum();
    assert_eq!(unclaimed, 0);
}

#[test]
fn an_edited_reading_is_named() {
    let w = clinic();
    let conn = open(&w);
    drop_triggers(&conn);
    conn.execute("UPDATE readings SET grade = '-' WHERE id = 1", [])
        .unwrap();
    drop(conn);
    verify(&w, &[])
        .code(1)
        .stdout_has("TAMPERED: reading #1 was changed after event #");
    w.run(&["doctor"])
        .code(1)
        .stdout_has("reading #1 was changed");
}

#[test]
fn a_deleted_treatment_with_its_reaction_is_named() {
    let w = clinic();
    let conn = open(&w);
    drop_triggers(&conn);
    conn.execute_batch(
        "DELETE FROM reactions WHERE id = 1; DELETE FROM treatment_items WHERE treatment_id = 1;
         DELETE FROM treatments WHERE id = 1;",
    )
    .unwrap();
    drop(conn);
    verify(&w, &[])
        .code(1)
        .stdout_has("treatment #1 was deleted")
        .stdout_has("reaction #1 was deleted");
}

#[test]
fn a_treatment_lot_swapped_by_sql_is_named() {
    let w = clinic();
    let conn = open(&w);
    drop_triggers(&conn);
    let swapped = conn
        .execute(
            "UPDATE treatment_items SET lot_id = (SELECT min(id) FROM lots WHERE id <> lot_id)
             WHERE treatment_id = 1",
            [],
        )
        .unwrap();
    assert_eq!(swapped, 1);
    drop(conn);
    verify(&w, &[])
        .code(1)
        .stdout_has("treatment #1 was changed");
}

#[test]
fn a_sensitivity_added_without_its_event_is_named_even_after_later_writes() {
    let w = clinic();
    let conn = open(&w);
    conn.execute(
        "INSERT INTO sensitivities (client_id, substance_id, source, certainty, recorded_at, actor)
         VALUES (1, 1, 'declared', 'confirmed', '2026-11-23T10:00:00Z', 'mallory')",
        [],
    )
    .unwrap();
    let id = conn.last_insert_rowid();
    drop(conn);
    let named = format!("sensitivity #{id} was added without its event");
    verify(&w, &[]).code(1).stdout_has(&named);
    // The next command's event does not claim it.
    w.run(&["client", "add", "C-2", "--name", "Bo"]).ok();
    w.add_sensitivity("C-2", "nickel", "declared");
    verify(&w, &[]).code(1).stdout_has(&named);
}

#[test]
fn a_recomputed_or_forged_chain_is_found_with_the_head_kept_elsewhere() {
    let w = clinic();
    let kept = head(&w);
    let conn = open(&w);
    drop_triggers(&conn);
    // Edit a reading, forge its claim and the event that wrote it, and recompute the chain.
    conn.execute("UPDATE readings SET grade = '-' WHERE id = 1", [])
        .unwrap();
    let hash = inkguard::db::records::row_hash(&conn, "readings", 1)
        .unwrap()
        .unwrap();
    conn.execute(
        "UPDATE audit_rows SET hash = ?1 WHERE tbl = 'readings' AND row_id = 1",
        [hash],
    )
    .unwrap();
    conn.execute(
        "UPDATE audit_events SET detail = '{\"forged\":true}' WHERE id = 3",
        [],
    )
    .unwrap();
    rechain(&conn);
    drop(conn);
    // The chain alone holds together; the head kept elsewhere does not.
    verify(&w, &[]).ok();
    verify(&w, &["--expect", &kept])
        .code(1)
        .stdout_has("no longer has the hash kept elsewhere")
        .stderr_has("rewritten");
    // A forged list of claims without the rechain is named by its event.
    let conn = open(&w);
    conn.execute(
        "INSERT INTO audit_rows (event_id, tbl, row_id, hash) VALUES (2, 'readings', 999, 'x')",
        [],
    )
    .unwrap();
    drop(conn);
    verify(&w, &[])
        .code(1)
        .stdout_has("the list of rows event #2 wrote was changed")
        .stdout_has("reading #999 was deleted");
}

#[test]
fn removed_newest_events_are_found_with_the_head_kept_elsewhere() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "declared");
    let kept = head(&w);
    let conn = open(&w);
    drop_triggers(&conn);
    // The newest event and everything it wrote, gone without a trace in the chain.
    conn.execute_batch(
        "DELETE FROM sensitivities WHERE id = (SELECT max(id) FROM sensitivities);
         DELETE FROM audit_rows WHERE event_id = (SELECT max(id) FROM audit_events);
         DELETE FROM audit_events WHERE id = (SELECT max(id) FROM audit_events);",
    )
    .unwrap();
    drop(conn);
    verify(&w, &[]).ok();
    verify(&w, &["--expect", &kept])
        .code(1)
        .stdout_has("the newest 1 event(s) were removed");
}

#[test]
fn event_times_that_run_backwards_are_named() {
    let w = clinic();
    // A command that read its clock before waiting for another's write lock (seconds behind)
    // is dated when that one was: times do not run back.
    w.run_env(
        &["client", "add", "C-3", "--name", "Cy"],
        &[("INKGUARD_NOW", "2026-11-23T09:59:50Z")],
    )
    .ok();
    verify(&w, &[]).ok();
    // A clock set back a day is kept as it is, and named.
    w.run_env(
        &["client", "add", "C-4", "--name", "Di"],
        &[("INKGUARD_NOW", "2026-11-22T10:00:00Z")],
    )
    .ok();
    let last = w.count("audit_events");
    verify(&w, &[]).code(1).stdout_has(&format!(
        "event #{last} (2026-11-22T10:00:00Z) is dated before event #"
    ));
    // Dated back by hand, the chain recomputed: verify names the event.
    let w = clinic();
    let conn = open(&w);
    drop_triggers(&conn);
    conn.execute(
        "UPDATE audit_events SET at = '2026-11-01T10:00:00Z' WHERE id = 5",
        [],
    )
    .unwrap();
    rechain(&conn);
    drop(conn);
    verify(&w, &[])
        .code(1)
        .stdout_has("event #5 (2026-11-01T10:00:00Z) is dated before event #4")
        .stdout_has("event times ran backwards");
}

#[test]
fn a_rewritten_patch_test_is_named() {
    let w = clinic();
    let conn = open(&w);
    drop_triggers(&conn);
    conn.execute_batch(
        "UPDATE patch_tests SET applied_at = '2026-10-01T09:00:00Z' WHERE id = 1;
         UPDATE patch_test_items SET concentration = '99 %' WHERE test_id = 1;",
    )
    .unwrap();
    drop(conn);
    verify(&w, &[])
        .code(1)
        .stdout_has("patch test #1 was changed")
        .stdout_has("patch test item #");
}

#[test]
fn a_forged_event_with_a_valid_hash_is_found_with_the_head_kept_elsewhere() {
    let w = clinic();
    let kept = head(&w);
    let conn = open(&w);
    drop_triggers(&conn);
    // Make room for event #5, forge a sensitivity and the event that "wrote" it, with its
    // claim's hash, and recompute the chain: every hash in the file is valid.
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         UPDATE audit_events SET id = id + 1000 WHERE id >= 5;
         UPDATE audit_events SET id = id - 999 WHERE id >= 1005;
         UPDATE audit_rows SET event_id = event_id + 1000 WHERE event_id >= 5;
         UPDATE audit_rows SET event_id = event_id - 999 WHERE event_id >= 1005;
         INSERT INTO sensitivities (client_id, substance_id, source, certainty, recorded_at, actor)
         VALUES (1, 1, 'declared', 'confirmed', '2026-11-23T10:00:00Z', 'mallory');
         INSERT INTO audit_events (id, at, actor, command, client, detail, prev_hash, hash)
         VALUES (5, (SELECT at FROM audit_events WHERE id = 4), 'mallory', 'sensitivity add',
                 'C-1', '{}', '', '');",
    )
    .unwrap();
    let forged = conn.last_insert_rowid();
    assert_eq!(forged, 5);
    let sensitivity: i64 = conn
        .query_row("SELECT max(id) FROM sensitivities", [], |r| r.get(0))
        .unwrap();
    let hash = inkguard::db::records::row_hash(&conn, "sensitivities", sensitivity)
        .unwrap()
        .unwrap();
    conn.execute(
        "INSERT INTO audit_rows (event_id, tbl, row_id, hash) VALUES (5, 'sensitivities', ?1, ?2)",
        rusqlite::params![sensitivity, hash],
    )
    .unwrap();
    rechain(&conn);
    drop(conn);
    // The chain alone holds together; the head kept elsewhere does not.
    verify(&w, &[]).ok();
    verify(&w, &["--expect", &kept])
        .code(1)
        .stdout_has("kept elsewhere");
}
