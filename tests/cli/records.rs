//! Treatments, reactions, tracing, compliance, the audit trail, privacy and operations
//! (SPEC 6, 7 and 8), through the real binary.

use crate::support::Work;

/// A clinic with the verdict catalog, products that need no patch test, and two clients.
fn clinic() -> Work {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w.run(&[
        "client",
        "add",
        "C-1",
        "--name",
        "Zelda Quillfeather",
        "--phone",
        "+49 555 0101",
        "--email",
        "zq@example.org",
    ])
    .ok();
    w.run(&[
        "client",
        "add",
        "C-2",
        "--name",
        "Bo Example",
        "--phone",
        "+49 555 0202",
    ])
    .ok();
    w
}

fn sql(w: &Work, statement: &str) -> rusqlite::Result<usize> {
    rusqlite::Connection::open(w.db())
        .unwrap()
        .execute(statement, [])
}

#[test]
fn a_blocked_treatment_is_refused_and_writes_nothing() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "physician");
    let events = w.count("audit_events");
    let run = w.run(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "NI-1",
        "--lot",
        "NI-L1",
        "--override",
        "client insists",
    ]);
    run.code(4)
        .stderr_has("refused, nothing was written")
        .stderr_has("cannot be overridden")
        .stdout_has("BLOCKED");
    assert_eq!(w.count("treatments"), 0);
    assert_eq!(w.count("treatment_items"), 0);
    assert_eq!(w.count("audit_events"), events);
}

#[test]
fn a_caution_treatment_needs_an_override_which_is_stored() {
    let w = clinic();
    w.run(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "PB-1",
        "--lot",
        "PB-L1",
    ])
    .code(3)
    .stderr_has("--override REASON");
    assert_eq!(w.count("treatments"), 0);
    let doc = w
        .run(&[
            "treatment",
            "record",
            "C-1",
            "--product",
            "PB-1",
            "--lot",
            "PB-L1",
            "--override",
            "certificate shows PB15:1",
            "--format",
            "json",
        ])
        .ok()
        .json();
    for field in ["id", "client", "at", "items", "override"] {
        assert!(doc.get(field).is_some(), "treatment record lacks {field}");
    }
    assert_eq!(doc["override"], "certificate shows PB15:1");
    let list = w
        .run(&["treatment", "list", "C-1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(list[0]["override_reason"], "certificate shows PB15:1");
    assert_eq!(list[0]["items"][0]["lot"], "PB-L1");
}

#[test]
fn every_treatment_item_needs_its_lot() {
    let w = clinic();
    w.run(&["treatment", "record", "C-1", "--product", "PL-1"])
        .code(1)
        .stderr_has("has no --lot");
    w.run(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "PL-1",
        "--lot",
        "NOPE",
    ])
    .code(1)
    .stderr_has("PL1-L1");
    assert_eq!(w.count("treatments"), 0);
}

#[test]
fn a_reaction_makes_suspected_sensitivities_that_change_the_next_verdict() {
    let w = clinic();
    let id = w.record_id(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "PL-1",
        "--lot",
        "PL1-L1",
    ]);
    w.run(&["check", "C-1", "WH-1"]).code(0);
    let r = w
        .run(&[
            "reaction",
            "record",
            "C-1",
            "--treatment",
            &id,
            "--onset",
            "2026-11-23",
            "--symptoms",
            "itching, raised red lines",
            "--severity",
            "moderate",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(r["lots"][0]["lot"], "PL1-L1");
    let list = w
        .run(&["sensitivity", "list", "C-1", "--format", "json"])
        .ok()
        .json();
    let mut suspects: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["source"] == "reaction")
        .map(|s| s["target"].as_str().unwrap())
        .collect();
    suspects.sort();
    assert_eq!(suspects, vec!["Carbon black", "Glycerin", "Water"]);
    // Witch Hazel Gloss holds glycerin: now CAUTION.
    let doc = w
        .run(&["check", "C-1", "WH-1", "--format", "json"])
        .code(3)
        .json();
    assert_eq!(doc["reasons"][0]["because"]["source"], "reaction");
    w.run(&[
        "reaction",
        "record",
        "C-2",
        "--treatment",
        &id,
        "--onset",
        "2026-11-23",
        "--symptoms",
        "x",
        "--severity",
        "mild",
    ])
    .code(1)
    .stderr_has("not one of C-2's");
}

#[test]
fn trace_finds_every_client_treated_with_a_lot() {
    let w = clinic();
    w.run(&["client", "add", "C-3", "--name", "Cy"]).ok();
    w.run(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "PL-1",
        "--lot",
        "PL1-L1",
        "--at",
        "2026-11-01T09:00Z",
    ])
    .ok();
    w.run(&[
        "treatment",
        "record",
        "C-2",
        "--product",
        "PL-1",
        "--lot",
        "PL1-L1",
        "--product",
        "PL-2",
        "--lot",
        "PL2-L1",
    ])
    .ok();
    w.run(&[
        "treatment",
        "record",
        "C-3",
        "--product",
        "PL-2",
        "--lot",
        "PL2-L1",
    ])
    .ok();
    let traced = w
        .run(&[
            "trace",
            "--product",
            "PL-1",
            "--lot",
            "PL1-L1",
            "--format",
            "json",
        ])
        .ok()
        .json();
    let found: Vec<(&str, &str)> = traced
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["client"].as_str().unwrap(), t["phone"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        vec![("C-1", "+49 555 0101"), ("C-2", "+49 555 0202")]
    );
    assert_eq!(traced[0]["at"], "2026-11-01T09:00:00Z");
    w.run(&["trace", "--product", "PL-1", "--lot", "PL1-L1"])
        .ok()
        .stdout_has("Zelda Quillfeather");
}

#[test]
fn the_treatment_sheet_lists_ingredients_in_declared_order_and_label_statements() {
    let w = clinic();
    let id = w.record_id(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "NI-1",
        "--lot",
        "NI-L1",
        "--area",
        "left forearm",
    ]);
    let sheet = w
        .run(&["treatment", "sheet", &id, "--format", "json"])
        .ok()
        .json();
    let p = &sheet["products"][0];
    assert_eq!(p["supplier"], "Inkworks");
    assert_eq!(p["lot"], "NI-L1");
    assert_eq!(p["ingredients"][0], "Carbon Black (20)");
    assert_eq!(p["ingredients"][1], "Nickel (< 2 mg/kg)");
    assert_eq!(
        p["label_statements"][0],
        "Contains nickel. Can cause allergic reactions."
    );
    w.run(&["treatment", "sheet", &id])
        .ok()
        .stdout_has("CLIENT INFORMATION SHEET")
        .stdout_has("Contains nickel. Can cause allergic reactions.");
}

#[test]
fn compliance_reports_restricted_ingredients_limits_and_missing_batch_numbers() {
    let w = clinic();
    w.import("nickel_without_concentration.csv", "Bare", &[]);
    let report = w.run(&["compliance", "--format", "json"]).ok().json();
    let find = |code: &str| {
        report
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["code"] == code)
            .unwrap()
            .clone()
    };
    let pb = find("PB-1");
    assert_eq!(pb["restricted"][0]["status"], "banned");
    assert_eq!(pb["compliant"], false);
    let ni = find("NI-1");
    assert_eq!(ni["restricted"][0]["status"], "within-limit");
    assert_eq!(
        ni["label_statements"][0],
        "Contains nickel. Can cause allergic reactions."
    );
    assert_eq!(ni["compliant"], true);
    let bare = find("NX-1");
    assert_eq!(bare["restricted"][0]["status"], "not-declared");
    assert_eq!(bare["missing_batch_numbers"], true);
    let one = w
        .run(&["compliance", "PB-1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(one.as_array().unwrap().len(), 1);
}

#[test]
fn clinical_records_cannot_be_updated_or_deleted_by_sql() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "physician");
    w.run(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "PL-2",
        "--lot",
        "PL2-L1",
    ])
    .ok();
    let test = w.record_id(&[
        "patch-test",
        "apply",
        "C-1",
        "--product",
        "PL-1",
        "--at",
        "2026-11-20T10:00",
    ]);
    w.run(&[
        "patch-test",
        "read",
        &test,
        "--grade",
        "+",
        "--at",
        "2026-11-23T10:00",
    ])
    .ok();
    for statement in [
        "DELETE FROM readings",
        "UPDATE readings SET grade = '-'",
        "DELETE FROM sensitivities",
        "UPDATE sensitivities SET certainty = 'suspected'",
        "DELETE FROM treatments",
        "UPDATE treatment_items SET lot_id = 1",
        "DELETE FROM audit_events",
        "UPDATE audit_events SET actor = 'someone else'",
    ] {
        let err = sql(&w, statement).expect_err(statement);
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
}

#[test]
fn tampering_with_the_audit_trail_is_refused_or_found_by_verify() {
    let w = clinic();
    w.run(&["audit", "verify"]).ok().stdout_has("intact");
    assert!(sql(&w, "UPDATE audit_events SET actor = 'mallory' WHERE id = 3").is_err());
    // Past the trigger, verify names the event.
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET detail = '{}' WHERE id = 2;",
    )
    .unwrap();
    drop(conn);
    let run = w.run(&["audit", "verify", "--format", "json"]);
    run.code(1).stderr_has("broken at event #2");
    assert_eq!(run.json()["broken"]["id"], 2);
    w.run(&["doctor"]).code(1).stdout_has("BROKEN at event #2");
}

#[test]
fn every_writing_command_appends_an_audit_event_without_personal_data() {
    let w = clinic();
    let before = w.count("audit_events");
    w.add_sensitivity("C-1", "nickel", "physician");
    w.run(&["lot", "add", "PL-1", "PL1-L2"]).ok();
    w.run(&["policy", "set", "suspected", "block"]).ok();
    w.run(&[
        "treatment",
        "record",
        "C-2",
        "--product",
        "PL-2",
        "--lot",
        "PL2-L1",
    ])
    .ok();
    assert_eq!(w.count("audit_events"), before + 4);
    let log = w.run(&["audit", "log", "--format", "json"]);
    log.ok();
    assert!(
        !log.stdout.contains("Zelda") && !log.stdout.contains("555 0101"),
        "no names or contacts in the audit log"
    );
    let mine = w
        .run(&["audit", "log", "--client", "C-1", "--format", "json"])
        .ok()
        .json();
    let commands: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, vec!["client add", "sensitivity add"]);
    assert_eq!(mine[0]["actor"], "test-technician");
    let other = w.run_env(
        &[
            "--as", "dr-who", "lot", "add", "PL-2", "PL2-L9", "--format", "json",
        ],
        &[],
    );
    other.ok();
    let last = w.run(&["audit", "log", "--format", "json"]).ok().json();
    assert_eq!(last.as_array().unwrap().last().unwrap()["actor"], "dr-who");
}

#[test]
fn backup_copies_the_live_database_and_checks_the_copy() {
    let w = clinic();
    w.run(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "PL-1",
        "--lot",
        "PL1-L1",
    ])
    .ok();
    let copy = w.path("copy.db");
    let copy_arg = copy.to_str().unwrap();
    w.run(&["backup", copy_arg])
        .ok()
        .stdout_has("integrity check of the copy: ok");
    // Never over a database, not even with --force.
    w.run(&["backup", copy_arg, "--force"])
        .code(1)
        .stderr_has("is an SQLite database");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&copy).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // The copy is a whole inkguard database: same catalog, same record, intact audit chain.
    let original = w.catalog();
    let from_copy = w
        .run(&["--db", copy_arg, "export", "catalog"])
        .ok()
        .stdout
        .clone();
    assert_eq!(from_copy, original);
    w.run(&["--db", copy_arg, "audit", "verify"]).ok();
    let t = w
        .run(&[
            "--db",
            copy_arg,
            "treatment",
            "list",
            "C-1",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(t[0]["items"][0]["lot"], "PL1-L1");
}

/// Whether a file's bytes contain `needle` (a missing file contains nothing).
fn file_contains(path: &std::path::Path, needle: &str) -> bool {
    std::fs::read(path)
        .map(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .unwrap_or(false)
}

#[test]
fn erase_leaves_no_trace_of_the_name_in_the_database_file_or_its_wal() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "physician");
    w.run(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "PL-1",
        "--lot",
        "PL1-L1",
    ])
    .ok();
    let db = w.db();
    let wal = w.path("clinic.db-wal");
    // Hold a connection open so that the WAL is not folded back on close: the name is there.
    let keep = rusqlite::Connection::open(&db).unwrap();
    keep.query_row("SELECT count(*) FROM clients", [], |r| r.get::<_, i64>(0))
        .unwrap();
    assert!(
        file_contains(&db, "Quillfeather") || file_contains(&wal, "Quillfeather"),
        "the name is stored before"
    );
    drop(keep);
    w.run(&["client", "erase", "C-1"])
        .code(1)
        .stderr_has("--confirm");
    w.run(&["client", "erase", "C-1", "--confirm"]).ok();
    for name in ["Quillfeather", "Zelda", "zq@example.org", "555 0101"] {
        assert!(
            !file_contains(&db, name),
            "{name} is still in the database file"
        );
        assert!(!file_contains(&wal, name), "{name} is still in the WAL");
    }
    // The pseudonymous clinical record and the audit trail stay.
    let show = w
        .run(&["client", "show", "C-1", "--format", "json"])
        .ok()
        .json();
    assert!(show["name"].is_null());
    assert_eq!(show["sensitivities"][0]["target"], "Nickel");
    assert_eq!(show["treatments"].as_array().unwrap().len(), 1);
    w.run(&["audit", "verify"]).ok();
    w.run(&["check", "C-1", "NI-1"]).code(4);
    w.run(&["trace", "--product", "PL-1", "--lot", "PL1-L1"])
        .ok()
        .stdout_has("(erased)");
}

#[test]
fn client_export_holds_everything_about_the_client() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "physician");
    w.run(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "PL-1",
        "--lot",
        "PL1-L1",
    ])
    .ok();
    let doc = w.run(&["client", "export", "C-1"]).ok().json();
    assert_eq!(doc["client"]["name"], "Zelda Quillfeather");
    assert_eq!(doc["client"]["phone"], "+49 555 0101");
    assert_eq!(doc["client"]["sensitivities"][0]["target"], "Nickel");
    assert_eq!(doc["client"]["treatments"][0]["items"][0]["lot"], "PL1-L1");
    let commands: Vec<&str> = doc["audit_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        vec!["client add", "sensitivity add", "treatment record"]
    );
}

#[test]
fn doctor_is_clean_on_a_healthy_database_and_warns_of_unverified_substances() {
    let w = clinic();
    let doc = w.run(&["doctor", "--format", "json"]).ok().json();
    assert_eq!(doc["healthy"], true);
    assert_eq!(doc["unverified_substances"][0], "Herbal Secret Blend");
    w.run(&["doctor"])
        .ok()
        .stdout_has("integrity check: ok")
        .stdout_has("audit chain: intact");
}

#[test]
fn four_processes_adding_25_clients_each_at_once_all_succeed() {
    let w = Work::new();
    let db = w.db();
    let workers: Vec<_> = (0..4)
        .map(|p| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut failures = Vec::new();
                for i in 0..25 {
                    let code = format!("P{p}-{i:02}");
                    let out = std::process::Command::new(env!("CARGO_BIN_EXE_inkguard"))
                        .args(["client", "add", &code, "--name", "Concurrent Client"])
                        .env("INKGUARD_DB", &db)
                        .env("INKGUARD_USER", format!("worker-{p}"))
                        .output()
                        .unwrap();
                    if !out.status.success() {
                        failures.push(format!("{code}: {}", String::from_utf8_lossy(&out.stderr)));
                    }
                }
                failures
            })
        })
        .collect();
    let failures: Vec<String> = workers
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
    assert_eq!(w.count("clients"), 100);
    w.run(&["audit", "verify"]).ok().stdout_has("intact");
    assert_eq!(w.count("audit_events WHERE command = 'client add'"), 100);
}

/// SPEC 7: the check runs inside the write transaction. Another terminal holds the write lock,
/// flags the lot (a recall) and commits while the treatment waits: the treatment must see the
/// recall, be refused (exit 4) and write nothing.
#[test]
fn a_treatment_is_judged_inside_its_write_so_a_recall_committed_while_it_waits_is_seen() {
    let w = clinic();
    let holder = rusqlite::Connection::open(w.db()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let child = w
        .command(&[
            "treatment",
            "record",
            "C-1",
            "--product",
            "PL-1",
            "--lot",
            "PL1-L1",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Let the treatment reach the lock and wait on it.
    std::thread::sleep(std::time::Duration::from_millis(700));
    holder
        .execute(
            "INSERT INTO lot_flags (lot_id, reason, flagged_at, actor)
             SELECT id, 'recall: nickel above limit', '2026-11-23T09:59:00Z', 'other-terminal'
             FROM lots WHERE lot = 'PL1-L1'",
            [],
        )
        .unwrap();
    holder.execute_batch("COMMIT").unwrap();
    let run = crate::support::Run::of(&["treatment", "record"], child.wait_with_output().unwrap());
    run.code(4).stdout_has("is flagged");
    assert_eq!(w.count("treatments"), 0);
}
