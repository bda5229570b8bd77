//! Suspects that can be resolved (SPEC 4 and 7, issue #15 "a reaction poisons the record"): the
//! sensitivities a reaction or a positive product test raises have ids, a later negative test
//! of a suspect resolves it, a retraction with a reason takes one out of the verdicts, a
//! corrected reading takes back what it raised, and an upgraded database gets the rows its
//! records imply.

use crate::support::{Run, Work};

/// Water (Aqua), Pigment Red 170 and isopropyl alcohol are in PL-2; CO-1 is titanium dioxide,
/// cobalt and Aqua. No patch test is required, so that a product with nothing against
/// it is CLEAR.
fn clinic() -> Work {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["client", "add", "C-1", "--name", "Anna Berg"]).ok();
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w
}

/// Runs at another time than the work folder's fixed clock.
fn at(w: &Work, now: &str, args: &[&str]) -> Run {
    w.run_env(args, &[("INKGUARD_NOW", now)])
}

/// A treatment with PL-2 and a reaction to it, on 2026-11-23.
fn reaction(w: &Work) {
    let id = w.record_id(&[
        "treatment",
        "record",
        "C-1",
        "--product",
        "PL-2",
        "--lot",
        "PL2-L1",
    ]);
    w.run(&[
        "reaction",
        "record",
        "C-1",
        "--treatment",
        &id,
        "--onset",
        "2026-11-23",
        "--symptoms",
        "redness",
        "--severity",
        "moderate",
    ])
    .ok()
    .stdout_has("recorded as sensitivities #");
}

fn sensitivities(w: &Work, now: &str) -> Vec<serde_json::Value> {
    at(w, now, &["sensitivity", "list", "C-1", "--format", "json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .clone()
}

fn water(list: &[serde_json::Value]) -> serde_json::Value {
    list.iter()
        .find(|s| s["target"] == "Water")
        .cloned()
        .unwrap_or_else(|| panic!("water is listed: {list:?}"))
}

const NOW: &str = "2026-11-23T10:00:00Z";

#[test]
fn a_reaction_makes_suspects_with_ids_and_the_reaction_as_evidence() {
    let w = clinic();
    reaction(&w);
    let list = sensitivities(&w, NOW);
    assert_eq!(list.len(), 3, "{list:?}");
    for s in &list {
        assert!(s["id"].is_i64(), "{s}");
        assert_eq!(s["source"], "reaction");
        assert_eq!(s["certainty"], "suspected");
        assert_eq!(s["retracted"], false);
        assert_eq!(s["standing"], "in force");
        assert_eq!(s["evidence"], "reaction 1");
    }
    // Water is a suspect: CO-1 (with Aqua) is CAUTION, and the next step says how to clear it.
    let id = water(&list)["id"].as_i64().unwrap();
    w.run(&["check", "C-1", "CO-1"])
        .code(3)
        .stdout_has("patch-test it")
        .stdout_has("inkguard patch-test apply C-1 --substance Water")
        .stdout_has(&format!("inkguard sensitivity retract {id} --reason"));
    w.run(&["audit", "verify"]).ok();
}

#[test]
fn a_later_negative_patch_test_of_a_suspect_resolves_it_and_the_safe_list_is_not_empty() {
    let w = clinic();
    reaction(&w);
    let before = w.run(&["safe-list", "C-1", "--format", "json"]).ok().json();
    assert!(
        before
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["code"] != "CO-1"),
        "{before}"
    );
    let applied = "2026-11-24T10:00:00Z";
    at(
        &w,
        applied,
        &["patch-test", "apply", "C-1", "--substance", "Water"],
    )
    .ok();
    let read = "2026-11-27T10:00:00Z";
    at(&w, read, &["patch-test", "read", "1", "--grade=-"]).ok();
    let list = sensitivities(&w, read);
    let water = water(&list);
    assert_eq!(water["standing"], "resolved", "{water}");
    assert_eq!(water["resolved_by"], "patch test 1, item 1");
    assert_eq!(water["retracted"], false);
    at(&w, read, &["sensitivity", "list", "C-1"])
        .ok()
        .stdout_has("resolved by patch test 1, item 1");
    // No longer in the verdicts: CO-1 is CLEAR and back on the safe list.
    at(&w, read, &["check", "C-1", "CO-1"]).code(0);
    let after = at(&w, read, &["safe-list", "C-1", "--format", "json"])
        .ok()
        .json();
    assert!(
        after
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["code"] == "CO-1"),
        "{after}"
    );
    // The other suspects stand.
    at(&w, read, &["check", "C-1", "PL-2"]).code(3);
    at(&w, read, &["audit", "verify"]).ok();
}

#[test]
fn a_negative_test_applied_before_the_reaction_does_not_resolve_its_suspect() {
    let w = clinic();
    w.run(&[
        "patch-test",
        "apply",
        "C-1",
        "--substance",
        "Water",
        "--at",
        "2026-11-10T10:00",
    ])
    .ok();
    w.run(&[
        "patch-test",
        "read",
        "1",
        "--grade=-",
        "--at",
        "2026-11-13T10:00",
    ])
    .ok();
    reaction(&w);
    // A reaction in the skin outweighs the earlier negative test.
    assert_eq!(water(&sensitivities(&w, NOW))["standing"], "in force");
    w.run(&["check", "C-1", "CO-1"]).code(3);
}

#[test]
fn a_retracted_suspect_no_longer_counts_and_stays_listed_as_retracted() {
    let w = clinic();
    reaction(&w);
    let id = water(&sensitivities(&w, NOW))["id"]
        .as_i64()
        .unwrap()
        .to_string();
    w.run(&[
        "sensitivity",
        "retract",
        &id,
        "--reason",
        "water is not an allergen",
    ])
    .ok()
    .stdout_has("retracted sensitivity");
    let water = water(&sensitivities(&w, NOW));
    assert_eq!(water["retracted"], true);
    assert_eq!(water["standing"], "retracted");
    assert_eq!(water["retraction"]["reason"], "water is not an allergen");
    w.run(&["check", "C-1", "CO-1"]).code(0);
    let doc = w
        .run(&["check", "C-1", "PL-2", "--format", "json"])
        .code(3)
        .json();
    assert!(
        doc["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["because"]["target"] != "Water"),
        "{doc}"
    );
    w.run(&["sensitivity", "retract", &id, "--reason", "again"])
        .code(1)
        .stderr_has("retracted already");
    w.run(&["audit", "verify"]).ok();
}

#[test]
fn a_corrected_positive_reading_takes_back_the_suspects_it_raised() {
    let w = clinic();
    w.run(&[
        "patch-test",
        "apply",
        "C-1",
        "--product",
        "PL-1",
        "--at",
        "2026-11-20T10:00",
    ])
    .ok();
    w.run(&["patch-test", "read", "1", "--grade", "+"])
        .ok()
        .stdout_has("recorded the sensitivities it raises");
    let list = sensitivities(&w, NOW);
    let mut suspects: Vec<&str> = list
        .iter()
        .filter(|s| s["standing"] == "in force")
        .map(|s| s["target"].as_str().unwrap())
        .collect();
    suspects.sort();
    assert_eq!(suspects, vec!["Carbon black", "Glycerin", "Water"]);
    assert!(list.iter().all(|s| s["evidence"] == "patch test 1, item 1"));
    // Glycerin is suspected: the witch-hazel gloss is CAUTION.
    w.run(&["check", "C-1", "WH-1"]).code(3);
    w.run(&[
        "patch-test",
        "read",
        "1",
        "--grade=-",
        "--correct",
        "read the wrong site",
    ])
    .ok();
    let list = sensitivities(&w, NOW);
    assert_eq!(list.len(), 3, "kept on record: {list:?}");
    assert!(list.iter().all(|s| s["standing"] == "lapsed"), "{list:?}");
    w.run(&["check", "C-1", "WH-1"]).code(0);
    w.run(&["sensitivity", "list", "C-1"])
        .ok()
        .stdout_has("lapsed");
    // A later positive reading brings them back, without new rows.
    at(
        &w,
        "2026-11-24T10:00:00Z",
        &["patch-test", "read", "1", "--grade", "++"],
    )
    .ok();
    let list = sensitivities(&w, "2026-11-24T10:00:00Z");
    assert_eq!(list.len(), 3, "{list:?}");
    assert!(list.iter().all(|s| s["standing"] == "in force"), "{list:?}");
    at(&w, "2026-11-24T10:00:00Z", &["audit", "verify"]).ok();
}

#[test]
fn an_upgraded_database_gets_ids_for_the_suspects_its_reactions_imply_and_verifies() {
    let w = Work::empty();
    {
        let conn = rusqlite::Connection::open(w.db()).unwrap();
        conn.execute_batch(include_str!("../fixtures/schema-v1.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO suppliers (id, name, norm) VALUES (1, 'Old Inks', 'old inks');
             INSERT INTO substances (id, key, name, verified, source, created_at) VALUES
               (1, 'old-test-base', 'Old Base', 1, 'test', '2025-01-01T00:00:00Z'),
               (2, 'old-test-red', 'Old Red Pigment', 1, 'test', '2025-01-01T00:00:00Z');
             INSERT INTO products (id, supplier_id, code, code_norm, name, kind, created_at)
               VALUES (1, 1, 'R-1', 'r1', 'Old Red', 'pigment', '2025-01-01T00:00:00Z');
             INSERT INTO formulations (id, product_id, version, fingerprint, imported_at, source)
               VALUES (1, 1, 1, 'f1', '2025-01-01T00:00:00Z', 'test');
             INSERT INTO ingredients (formulation_id, position, name_as_declared, substance_id, may_contain)
               VALUES (1, 1, 'Base', 1, 0), (1, 2, 'Red', 2, 0);
             INSERT INTO lots (id, product_id, formulation_id, lot, created_at)
               VALUES (1, 1, 1, 'L1', '2025-01-01T00:00:00Z');
             INSERT INTO clients (id, code, name, created_at, actor)
               VALUES (1, 'C-1', 'Anna Berg', '2025-01-01T00:00:00Z', 'old');
             INSERT INTO treatments (id, client_id, at, actor) VALUES (1, 1, '2025-06-01T10:00:00Z', 'old');
             INSERT INTO treatment_items (treatment_id, lot_id) VALUES (1, 1);
             INSERT INTO reactions (id, client_id, treatment_id, onset, symptoms, severity, recorded_at, actor)
               VALUES (1, 1, 1, '2025-06-02T00:00:00Z', 'redness', 'mild', '2025-06-02T10:00:00Z', 'old');",
        )
        .unwrap();
    }
    w.run(&["init"]).ok();
    let list = sensitivities(&w, NOW);
    let mut targets: Vec<&str> = list.iter().map(|s| s["target"].as_str().unwrap()).collect();
    targets.sort();
    assert_eq!(targets, vec!["Old Base", "Old Red Pigment"], "{list:?}");
    for s in &list {
        assert!(s["id"].is_i64(), "{s}");
        assert_eq!(s["source"], "reaction");
        assert_eq!(s["evidence"], "reaction 1");
        assert_eq!(s["standing"], "in force");
    }
    let log = w.run(&["audit", "log", "--format", "json"]).ok().json();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["command"] == "upgrade" && e["detail"]["step"] == "raised_sensitivities"),
        "{log}"
    );
    w.run(&["audit", "verify"]).ok();
    // Init again writes nothing more.
    w.run(&["init"]).ok();
    assert_eq!(sensitivities(&w, NOW).len(), 2);
    let id = list[0]["id"].as_i64().unwrap().to_string();
    w.run(&[
        "sensitivity",
        "retract",
        &id,
        "--reason",
        "tested elsewhere",
    ])
    .ok();
    w.run(&["audit", "verify"]).ok();
}
