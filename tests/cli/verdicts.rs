//! Clients, sensitivities, patch tests and verdicts (SPEC 4 and 5), through the real binary with
//! the database built by commands. One test per reason code, then the scenarios.

use serde_json::Value;

use crate::support::{reason_codes as codes, Run, Work};

/// The test clock is 2026-11-23T10:00Z; tests are applied three days before and read at D2/D3.
const APPLIED: &str = "2026-11-20T10:00:00Z";
const D2: &str = "2026-11-22T10:00:00Z";
const D3: &str = "2026-11-23T10:00:00Z";

/// A clinic with the verdict catalog, a numbing cream, and client C-1.
fn clinic() -> Work {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.import("numbing_cream_tab.tsv", "Numb", &[]);
    w.run(&["client", "add", "C-1", "--name", "Alex Example"])
        .ok();
    w
}

/// The same clinic where products need no patch test, so that one reason stands alone.
fn clinic_without_patch_test_rule() -> Work {
    let w = clinic();
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w
}

fn check(w: &Work, product: &str, extra: &[&str]) -> (Run, Value) {
    let mut args = vec!["check", "C-1", product, "--format", "json"];
    args.extend_from_slice(extra);
    let run = w.run(&args);
    let json = run.json();
    (run, json)
}

fn reason<'a>(doc: &'a Value, code: &str) -> &'a Value {
    doc["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no {code} reason in {doc}"))
}

/// Applies a patch test and returns its id.
fn apply(w: &Work, items: &[&str]) -> i64 {
    let mut args = vec![
        "patch-test",
        "apply",
        "C-1",
        "--at",
        APPLIED,
        "--format",
        "json",
    ];
    args.extend_from_slice(items);
    w.run(&args).ok().json()["id"].as_i64().unwrap()
}

fn read(w: &Work, test: i64, item: i64, grade: &str, at: &str) -> Run {
    let (test, item) = (test.to_string(), item.to_string());
    let grade = format!("--grade={grade}");
    w.run(&[
        "patch-test",
        "read",
        &test,
        "--item",
        &item,
        &grade,
        "--at",
        at,
    ])
}

// --- One test per reason code -----------------------------------------------------------------

#[test]
fn reason_sensitivity() {
    let w = clinic_without_patch_test_rule();
    w.add_sensitivity("C-1", "carbon black", "physician");
    let (run, doc) = check(&w, "PL-1", &[]);
    run.code(4);
    assert_eq!(doc["verdict"], "blocked");
    let r = reason(&doc, "sensitivity");
    assert_eq!(r["level"], "block");
    assert_eq!(r["ingredient"]["name"], "Carbon black");
    assert_eq!(r["because"]["kind"], "sensitivity");
    assert_eq!(r["because"]["source"], "physician");
}

#[test]
fn reason_same_hapten() {
    let w = clinic_without_patch_test_rule();
    w.add_sensitivity("C-1", "nickel sulphate", "patch-test");
    let (run, doc) = check(&w, "NI-1", &[]);
    run.code(4);
    let r = reason(&doc, "same-hapten");
    assert_eq!(r["level"], "block");
    assert_eq!(r["via"]["group"], "nickel-compounds");
    assert_eq!(r["via"]["relation"], "same-hapten");
    assert_eq!(r["ingredient"]["cas"][0], "7440-02-0");
}

#[test]
fn reason_cross_reactive() {
    let w = clinic_without_patch_test_rule();
    w.run(&["sensitivity", "add", "C-1", "PPD", "--source", "declared"])
        .ok();
    let (run, doc) = check(&w, "NC-5", &[]);
    run.code(3);
    let r = reason(&doc, "cross-reactive");
    assert_eq!(r["level"], "caution");
    assert_eq!(r["ingredient"]["name"], "Benzocaine");
    assert_eq!(r["via"]["group"], "para-amino");
}

#[test]
fn reason_co_sensitisation() {
    let w = clinic_without_patch_test_rule();
    w.add_sensitivity("C-1", "nickel", "declared");
    let (run, doc) = check(&w, "CO-1", &[]);
    run.code(0);
    assert_eq!(codes(&doc), vec!["co-sensitisation"]);
    assert_eq!(reason(&doc, "co-sensitisation")["level"], "note");
}

#[test]
fn reason_positive_test() {
    let w = clinic();
    let t = apply(&w, &["--product", "PL-1"]);
    read(&w, t, 1, "++", D3).ok().stdout_has("positive");
    let (run, doc) = check(&w, "PL-1", &[]);
    run.code(4);
    let r = reason(&doc, "positive-test");
    assert_eq!(r["because"]["kind"], "patch-test");
    assert_eq!(r["because"]["grade"], "++");
    assert_eq!(r["because"]["day"], 3);
}

#[test]
fn reason_doubtful_test() {
    let w = clinic();
    let t = apply(&w, &["--product", "PL-1"]);
    read(&w, t, 1, "?+", D2).ok();
    read(&w, t, 1, "-", D3).ok();
    let (run, doc) = check(&w, "PL-1", &[]);
    run.code(3);
    assert!(codes(&doc).contains(&"doubtful-test".to_string()), "{doc}");
}

#[test]
fn reason_irritant_test() {
    let w = clinic();
    let t = apply(&w, &["--product", "PL-1"]);
    read(&w, t, 1, "IR", D3).ok();
    let (run, doc) = check(&w, "PL-1", &[]);
    run.code(3);
    assert!(codes(&doc).contains(&"irritant-test".to_string()));
}

#[test]
fn reason_test_pending() {
    let w = clinic();
    apply(&w, &["--product", "PL-1"]);
    let (run, doc) = check(&w, "PL-1", &[]);
    run.code(3);
    assert!(codes(&doc).contains(&"test-pending".to_string()));
}

#[test]
fn reason_no_patch_test() {
    let w = clinic();
    let (run, doc) = check(&w, "PL-1", &[]);
    run.code(3);
    assert_eq!(codes(&doc), vec!["no-patch-test"]);
}

#[test]
fn reason_unverified_ingredients() {
    let w = clinic_without_patch_test_rule();
    let (run, doc) = check(&w, "UV-1", &[]);
    run.code(0);
    assert!(
        doc["not_checked"][0]
            .as_str()
            .unwrap()
            .contains("Herbal Secret Blend"),
        "says what it could not check"
    );
    w.add_sensitivity("C-1", "lanolin", "declared");
    let (run, doc) = check(&w, "UV-1", &[]);
    run.code(3);
    assert_eq!(codes(&doc), vec!["unverified-ingredients"]);
    assert!(reason(&doc, "unverified-ingredients")["message"]
        .as_str()
        .unwrap()
        .contains("Herbal Secret Blend"));
}

#[test]
fn reason_lot_flagged() {
    let w = clinic_without_patch_test_rule();
    w.run(&[
        "lot",
        "flag",
        "PL-1",
        "--lot",
        "PL1-L1",
        "--reason",
        "supplier recall",
    ])
    .ok();
    let (run, doc) = check(&w, "PL-1", &["--lot", "PL1-L1"]);
    run.code(4);
    assert!(reason(&doc, "lot-flagged")["message"]
        .as_str()
        .unwrap()
        .contains("supplier recall"));
    assert_eq!(doc["product"]["lot"], "PL1-L1");
}

#[test]
fn reason_lot_expired() {
    let w = clinic_without_patch_test_rule();
    let (run, doc) = check(&w, "NI-1", &["--lot", "NI-OLD"]);
    run.code(4);
    assert_eq!(codes(&doc), vec!["lot-expired"]);
    check(&w, "NI-1", &["--lot", "NI-L1"]).0.code(0);
}

#[test]
fn reason_restricted() {
    let w = clinic_without_patch_test_rule();
    let (run, doc) = check(&w, "PB-1", &[]);
    run.code(3);
    let r = reason(&doc, "restricted");
    assert_eq!(r["because"]["rule"], "banned-in-tattoo-pmu");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("check which crystal form"),
        "{}",
        r["message"]
    );
    w.run(&["policy", "set", "regulatory", "block"]).ok();
    check(&w, "PB-1", &[]).0.code(4);
    w.run(&["policy", "set", "jurisdiction", "none"]).ok();
    check(&w, "PB-1", &[]).0.code(0);
}

#[test]
fn reason_negative_test() {
    let w = clinic();
    let t = apply(&w, &["--product", "PL-1"]);
    read(&w, t, 1, "-", D3).ok();
    let (run, doc) = check(&w, "PL-1", &[]);
    run.code(0);
    assert_eq!(codes(&doc), vec!["negative-test"]);
    assert_eq!(reason(&doc, "negative-test")["level"], "info");
}

// --- Scenarios ------------------------------------------------------------------------------------

#[test]
fn a_positive_nickel_sulfate_test_blocks_a_nickel_impurity_and_only_notes_cobalt() {
    let w = clinic_without_patch_test_rule();
    let t = apply(&w, &["--substance", "nickel sulfate"]);
    read(&w, t, 1, "++", D3).ok();
    let (run, doc) = check(&w, "NI-1", &[]);
    run.code(4);
    let r = reason(&doc, "same-hapten");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("confirmed by patch test"),
        "{}",
        r["message"]
    );
    let (run, doc) = check(&w, "CO-1", &[]);
    run.code(0);
    assert_eq!(codes(&doc), vec!["co-sensitisation"]);
}

#[test]
fn a_declared_ppd_allergy_cautions_for_a_numbing_cream_with_benzocaine() {
    let w = clinic();
    w.add_sensitivity("C-1", "p-phenylenediamine", "declared");
    let run = w.run(&["check", "C-1", "Numb Pro 5"]);
    run.code(3)
        .stdout_has("CAUTION")
        .stdout_has("Benzocaine often cross-reacts with p-Phenylenediamine")
        .stdout_has("declared by the client");
}

#[test]
fn a_positive_and_a_negative_product_test_in_one_session_leave_exactly_the_right_suspects() {
    let w = clinic_without_patch_test_rule();
    let t = apply(&w, &["--product", "PL-1", "--product", "PL-2"]);
    read(&w, t, 1, "+", D3).ok();
    read(&w, t, 2, "-", D3).ok();
    let list = w
        .run(&["sensitivity", "list", "C-1", "--format", "json"])
        .ok()
        .json();
    let mut suspects: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["certainty"] == "suspected" && s["standing"] == "in force")
        .map(|s| s["target"].as_str().unwrap())
        .collect();
    suspects.sort();
    // PL-1 is carbon black, water, glycerin; PL-2 (negative, read after PL-1) holds water: the
    // water suspect is resolved by it, and listed so.
    assert_eq!(suspects, vec!["Carbon black", "Glycerin"]);
    let water = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["target"] == "Water")
        .expect("the water suspect stays on record");
    assert_eq!(water["standing"], "resolved");
    assert_eq!(water["resolved_by"], "patch test 1, item 2");
    assert!(list[0]["id"].is_i64(), "suspects have ids: {list}");
    assert_eq!(list[0]["evidence"], "patch test 1, item 1");
    // Glycerin is a suspect: the witch-hazel gloss with glycerin is CAUTION.
    let (run, doc) = check(&w, "WH-1", &[]);
    run.code(3);
    assert_eq!(
        reason(&doc, "sensitivity")["because"]["certainty"],
        "suspected"
    );
    // PL-2 itself was negative: CLEAR.
    check(&w, "PL-2", &[]).0.code(0);
}

#[test]
fn a_doubtful_reading_gives_doubtful_test() {
    let w = clinic_without_patch_test_rule();
    let t = apply(&w, &["--product", "PL-1"]);
    read(&w, t, 1, "?+", D3).ok().stdout_has("doubtful");
    let (run, doc) = check(&w, "PL-1", &[]);
    run.code(3);
    assert_eq!(codes(&doc), vec!["doubtful-test"]);
}

#[test]
fn a_negative_read_only_at_48_hours_is_pending() {
    let w = clinic();
    let t = apply(&w, &["--product", "PL-1"]);
    read(&w, t, 1, "-", D2)
        .ok()
        .stdout_has("pending")
        .stdout_has("72 h");
    let (run, doc) = check(&w, "PL-1", &[]);
    run.code(3);
    assert_eq!(codes(&doc), vec!["test-pending", "no-patch-test"]);
    let show = w
        .run(&["patch-test", "show", &t.to_string(), "--format", "json"])
        .ok()
        .json();
    assert_eq!(show["items"][0]["outcome"], "pending");
}

#[test]
fn a_negative_older_than_the_valid_days_no_longer_counts() {
    let w = clinic();
    let t = w
        .run(&[
            "patch-test",
            "apply",
            "C-1",
            "--product",
            "PL-1",
            "--at",
            "2026-03-01T10:00",
            "--format",
            "json",
        ])
        .ok()
        .json()["id"]
        .as_i64()
        .unwrap();
    read(&w, t, 1, "-", "2026-03-04T10:00").ok();
    let (run, doc) = check(&w, "PL-1", &[]);
    run.code(3);
    assert_eq!(codes(&doc), vec!["no-patch-test"], "266 days > 180");
    w.run(&["policy", "set", "patch-test-valid-days", "365"])
        .ok();
    check(&w, "PL-1", &[]).0.code(0);
}

#[test]
fn formaldehyde_blocks_its_releasers() {
    let w = clinic_without_patch_test_rule();
    w.add_sensitivity("C-1", "formaldehyde", "physician");
    let (run, doc) = check(&w, "FR-1", &[]);
    run.code(4);
    let r = reason(&doc, "same-hapten");
    assert_eq!(r["ingredient"]["name"], "Quaternium-15");
    assert_eq!(r["via"]["group"], "formaldehyde-releasers");
}

#[test]
fn a_sensitivity_to_a_group_blocks_its_members() {
    let w = clinic_without_patch_test_rule();
    w.add_sensitivity("C-1", "Formaldehyde releasers", "physician");
    let (run, doc) = check(&w, "FR-1", &[]);
    run.code(4);
    let r = reason(&doc, "sensitivity");
    assert_eq!(r["because"]["target_kind"], "group");
    assert_eq!(r["via"]["group"], "formaldehyde-releasers");
}

#[test]
fn a_lot_of_an_older_formulation_is_judged_by_that_formulation() {
    let w = Work::new();
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w.import("reformulation_v1.csv", "Acme", &[]);
    w.import("reformulation_v2.csv", "Acme", &[]);
    w.run(&["client", "add", "C-1", "--name", "Alex"]).ok();
    w.run(&["sensitivity", "add", "C-1", "BIT", "--source", "physician"])
        .ok();
    let (run, doc) = check(&w, "RF-1", &[]);
    run.code(4);
    assert_eq!(doc["product"]["formulation"], 2);
    let (run, doc) = check(&w, "RF-1", &["--lot", "R1-A"]);
    run.code(0);
    assert_eq!(
        doc["product"]["formulation"], 1,
        "the lot's own formulation, without BIT"
    );
}

#[test]
fn retracted_sensitivities_stay_on_record_and_stop_counting() {
    let w = clinic_without_patch_test_rule();
    let id = w.record_id(&[
        "sensitivity",
        "add",
        "C-1",
        "glycerin",
        "--source",
        "declared",
    ]);
    check(&w, "PL-1", &[]).0.code(4);
    w.run(&[
        "sensitivity",
        "retract",
        &id,
        "--reason",
        "physician excluded it",
    ])
    .ok();
    check(&w, "PL-1", &[]).0.code(0);
    let list = w
        .run(&["sensitivity", "list", "C-1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(list[0]["retracted"], true);
    assert_eq!(list[0]["target"], "Glycerin");
    w.run(&["sensitivity", "retract", &id, "--reason", "again"])
        .code(1)
        .stderr_has("retracted already");
}

#[test]
fn the_suspected_and_declared_policies_set_the_evidence_level() {
    let w = clinic_without_patch_test_rule();
    w.add_sensitivity("C-1", "witch hazel", "reaction");
    check(&w, "WH-1", &[]).0.code(3);
    w.run(&["policy", "set", "suspected", "block"]).ok();
    check(&w, "WH-1", &[]).0.code(4);
    w.add_sensitivity("C-1", "carbon black", "declared");
    check(&w, "PL-1", &[]).0.code(4);
    w.run(&["policy", "set", "declared", "caution"]).ok();
    check(&w, "PL-1", &[]).0.code(3);
    w.run(&["policy", "set", "declared", "note"])
        .code(1)
        .stderr_has("caution or block");
}

#[test]
fn the_check_document_has_the_fields_of_the_spec() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel sulfate", "patch-test");
    let (_, doc) = check(&w, "NI-1", &["--lot", "NI-L1"]);
    assert_eq!(doc["client"], "C-1");
    for field in ["supplier", "code", "name", "formulation", "lot"] {
        assert!(doc["product"].get(field).is_some(), "product lacks {field}");
    }
    assert_eq!(doc["product"]["formulation"], 1);
    let r = reason(&doc, "same-hapten");
    for field in ["level", "code", "message", "ingredient", "because", "via"] {
        assert!(r.get(field).is_some(), "reason lacks {field}");
    }
    for field in ["name", "cas", "ci"] {
        assert!(
            r["ingredient"].get(field).is_some(),
            "ingredient lacks {field}"
        );
    }
    for field in ["kind", "id", "target", "source", "certainty"] {
        assert!(r["because"].get(field).is_some(), "because lacks {field}");
    }
    let no_test = reason(&doc, "no-patch-test");
    assert!(
        no_test["ingredient"].is_null() && no_test["via"].is_null(),
        "absent values are null"
    );
}

#[test]
fn the_human_verdict_reads_aloud_with_ingredient_sensitivity_date_grade_and_group() {
    let w = clinic_without_patch_test_rule();
    let t = apply(&w, &["--substance", "nickel sulphate"]);
    read(&w, t, 1, "++", D3).ok();
    let run = w.run(&["check", "C-1", "NI-1"]);
    run.code(4)
        .stdout_has("BLOCKED for client C-1")
        .stdout_has("Nickel")
        .stdout_has("Nickel and nickel compounds")
        .stdout_has("++ read at D3 (2026-11-23)")
        .stdout_has("applied 2026-11-20");
}

#[test]
fn readings_are_never_overwritten_and_corrections_keep_the_old_one() {
    let w = clinic();
    let t = apply(&w, &["--product", "PL-1", "--substance", "glycerin"]);
    let test = t.to_string();
    read(&w, t, 1, "+", D3).ok();
    read(&w, t, 1, "-", D3)
        .code(1)
        .stderr_has("already has a D3 reading")
        .stderr_has("--correct");
    w.run(&[
        "patch-test",
        "read",
        &test,
        "--item",
        "1",
        "--grade=-",
        "--at",
        D3,
        "--correct",
        "misread: was the control",
    ])
    .ok();
    let show = w
        .run(&["patch-test", "show", &test, "--format", "json"])
        .ok()
        .json();
    let readings = show["items"][0]["readings"].as_array().unwrap();
    assert_eq!(readings.len(), 2);
    assert_eq!(readings[0]["superseded"], true);
    assert_eq!(readings[0]["grade"], "+");
    assert_eq!(readings[1]["grade"], "-");
    assert_eq!(readings[1]["day"], 3);
    assert_eq!(readings[1]["hours"], 72.0);
    assert_eq!(show["items"][0]["outcome"], "negative");
    w.run(&["patch-test", "read", &test, "--grade", "+"])
        .code(1)
        .stderr_has("--item");
    w.run(&[
        "patch-test",
        "read",
        &test,
        "--item",
        "2",
        "--grade",
        "+",
        "--at",
        "2026-11-19T10:00",
    ])
    .code(1)
    .stderr_has("before the test was applied");
    w.run(&["patch-test", "read", &test, "--item", "2", "--grade", "5"])
        .code(1)
        .stderr_has("ICDRG");
    w.run(&[
        "patch-test",
        "read",
        &test,
        "--item",
        "2",
        "--grade",
        "+",
        "--at",
        D2,
        "--correct",
        "x",
    ])
    .code(1)
    .stderr_has("no D2 reading");
}

#[test]
fn patch_test_apply_pairs_each_lot_with_its_product() {
    let w = clinic();
    let doc = w
        .run(&[
            "patch-test",
            "apply",
            "C-1",
            "--product",
            "PL-1",
            "--lot",
            "PL1-L1",
            "--substance",
            "glycerin",
            "--product",
            "PL-2",
            "--format",
            "json",
        ])
        .ok()
        .json();
    for field in ["id", "client", "applied_at", "items"] {
        assert!(doc.get(field).is_some(), "apply lacks {field}");
    }
    assert_eq!(doc["items"][0]["lot"], "PL1-L1");
    assert_eq!(doc["items"][1]["substance"], "Glycerin");
    assert!(doc["items"][2]["lot"].is_null());
    w.run(&[
        "patch-test",
        "apply",
        "C-1",
        "--lot",
        "PL1-L1",
        "--product",
        "PL-1",
    ])
    .code(2)
    .stderr_has("must follow");
    w.run(&["patch-test", "apply", "C-1"])
        .code(1)
        .stderr_has("at least one item");
    w.run(&[
        "patch-test",
        "apply",
        "C-1",
        "--product",
        "PL-1",
        "--lot",
        "NOPE",
    ])
    .code(1)
    .stderr_has("PL1-L1");
}

#[test]
fn sensitivities_resolve_every_identifier_and_refuse_unknown_targets() {
    let w = clinic();
    for target in [
        "PPD",
        "nickel sulphate",
        "CI 77499",
        "formaldehyde releasers",
        "7440-02-0",
    ] {
        w.run(&["sensitivity", "add", "C-1", target, "--source", "declared"])
            .ok();
    }
    let list = w
        .run(&["sensitivity", "list", "C-1", "--format", "json"])
        .ok()
        .json();
    let targets: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["target"].as_str().unwrap())
        .collect();
    assert_eq!(
        targets,
        vec![
            "p-Phenylenediamine",
            "Nickel sulfate",
            "Iron oxide black",
            "Formaldehyde and formaldehyde releasers",
            "Nickel"
        ]
    );
    assert_eq!(list[3]["target_kind"], "group");
    for field in [
        "id",
        "target",
        "target_kind",
        "source",
        "certainty",
        "retracted",
        "evidence",
    ] {
        assert!(
            list[0].get(field).is_some(),
            "sensitivity list lacks {field}"
        );
    }
    w.run(&[
        "sensitivity",
        "add",
        "C-1",
        "nikel sulfate",
        "--source",
        "declared",
    ])
    .code(1)
    .stderr_has("did you mean")
    .stderr_has("Nickel sulfate");
    let r = w.run(&[
        "sensitivity",
        "add",
        "C-1",
        "reaction-only",
        "--source",
        "reaction",
        "--format",
        "json",
    ]);
    r.code(1);
    let s = w
        .run(&[
            "sensitivity",
            "add",
            "C-1",
            "lanolin",
            "--source",
            "reaction",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(
        s["certainty"], "suspected",
        "reaction defaults to suspected"
    );
}

#[test]
fn unknown_clients_products_and_lots_name_the_closest_matches() {
    let w = clinic();
    w.run(&["check", "C-2", "PL-1"])
        .code(1)
        .stderr_has("no client matches")
        .stderr_has("C-1");
    w.run(&["check", "C-1", "PL-3"])
        .code(1)
        .stderr_has("no product matches")
        .stderr_has("did you mean");
    w.run(&["check", "C-1", "Plain Blak"])
        .code(1)
        .stderr_has("Plain Black");
    w.run(&["check", "C-1", "PL-1", "--lot", "PL1-L2"])
        .code(1)
        .stderr_has("PL1-L1");
    w.run(&["client", "add", "c-1", "--name", "Dup"])
        .code(1)
        .stderr_has("exists already");
}

#[test]
fn safe_list_shows_what_would_be_clear_once_patch_tested() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel sulfate", "physician");
    w.run(&["sensitivity", "add", "C-1", "PPD", "--source", "declared"])
        .ok();
    let t = apply(&w, &["--product", "PL-1"]);
    read(&w, t, 1, "-", D3).ok();
    let list = w.run(&["safe-list", "C-1", "--format", "json"]).ok().json();
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"NI-1"), "nickel is blocked: {codes:?}");
    assert!(!codes.contains(&"NC-5"), "benzocaine is caution: {codes:?}");
    assert!(
        !codes.contains(&"UV-1"),
        "unverified ingredients with sensitivities: {codes:?}"
    );
    assert!(
        codes.contains(&"PL-2") && codes.contains(&"PL-1"),
        "{codes:?}"
    );
    let pl1 = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "PL-1")
        .unwrap();
    assert_eq!(pl1["patch_test"], "negative (2026-11-23)");
    for field in [
        "supplier",
        "code",
        "name",
        "verdict",
        "patch_test",
        "reasons",
    ] {
        assert!(pl1.get(field).is_some(), "safe-list lacks {field}");
    }
    let with = w
        .run(&["safe-list", "C-1", "--include-caution", "--format", "json"])
        .ok()
        .json();
    let nc5 = with
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "NC-5")
        .unwrap();
    assert_eq!(nc5["verdict"], "caution");
    assert_eq!(nc5["reasons"][0]["code"], "cross-reactive");
    let pigments = w
        .run(&[
            "safe-list",
            "C-1",
            "--kind",
            "anaesthetic",
            "--include-caution",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(pigments.as_array().unwrap().len(), 1);
}

/// Regression: the set-based safe list listed as CLEAR a product whose ingredient the client
/// read doubtful (?+) to, which `check` gives CAUTION.
#[test]
fn safe_list_agrees_with_check_after_a_doubtful_substance_test() {
    let w = clinic();
    let t = apply(&w, &["--substance", "glycerin"]);
    read(&w, t, 1, "?+", D3).ok();
    w.run(&["check", "C-1", "WH-1"]).code(3);
    let list = w.run(&["safe-list", "C-1", "--format", "json"]).ok().json();
    assert!(
        !list.as_array().unwrap().iter().any(|p| p["code"] == "WH-1"),
        "WH-1 holds glycerin: {list}"
    );
    let with = w
        .run(&["safe-list", "C-1", "--include-caution", "--format", "json"])
        .ok()
        .json();
    let wh = with
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "WH-1")
        .unwrap()
        .clone();
    assert_eq!(wh["reasons"][0]["code"], "doubtful-test");
}

/// The safe list and `check` agree on every product of the catalog (patch tests aside).
#[test]
fn safe_list_agrees_with_check_on_every_product() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "physician");
    w.run(&["sensitivity", "add", "C-1", "PPD", "--source", "declared"])
        .ok();
    let t = apply(&w, &["--product", "PL-1", "--substance", "glycerin"]);
    read(&w, t, 1, "+", D3).ok();
    read(&w, t, 2, "?+", D3).ok();
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    let listed = w
        .run(&["safe-list", "C-1", "--include-caution", "--format", "json"])
        .ok()
        .json();
    let products = w.run(&["product", "list", "--format", "json"]).ok().json();
    for p in products.as_array().unwrap() {
        let code = p["code"].as_str().unwrap();
        let verdict = w.run(&["check", "C-1", code, "--format", "json"]).json()["verdict"]
            .as_str()
            .unwrap()
            .to_string();
        let in_list = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["code"] == code)
            .map(|x| x["verdict"].as_str().unwrap().to_string());
        match verdict.as_str() {
            "blocked" => assert_eq!(in_list, None, "{code} is blocked"),
            v => assert_eq!(in_list.as_deref(), Some(v), "{code}"),
        }
    }
}

#[test]
fn screen_lists_the_clients_a_product_is_blocked_or_caution_for() {
    let w = clinic();
    w.run(&["client", "add", "C-2", "--name", "Bo"]).ok();
    w.run(&["client", "add", "C-3", "--name", "Cy"]).ok();
    w.add_sensitivity("C-1", "nickel", "physician");
    w.add_sensitivity("C-3", "nickel", "reaction");
    let doc = w.run(&["screen", "NI-1", "--format", "json"]).ok().json();
    let found: Vec<(&str, &str)> = doc
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["client"].as_str().unwrap(),
                c["verdict"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(found, vec![("C-1", "blocked"), ("C-3", "caution")]);
    w.run(&["screen", "NI-1"]).ok().stdout_has("2 of 3 clients");
}

#[test]
fn policy_show_and_set_validate_keys_and_values() {
    let w = Work::new();
    let p = w.run(&["policy", "show", "--format", "json"]).ok().json();
    let keys: Vec<&str> = p
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        vec![
            "require-patch-test",
            "patch-test-valid-days",
            "min-negative-reading-hours",
            "reading-days",
            "suspected",
            "declared",
            "unverified-ingredients",
            "regulatory",
            "jurisdiction",
            "timezone"
        ]
    );
    w.run(&["policy", "set", "min-negative-reading-hours", "96"])
        .ok();
    w.run(&["policy", "set", "nonsense", "1"])
        .code(1)
        .stderr_has("keys:");
    w.run(&["policy", "set", "patch-test-valid-days", "-3"])
        .code(1);
    let p = w.run(&["policy", "show", "--format", "json"]).ok().json();
    assert_eq!(p[2]["value"], "96");
    assert_eq!(p[2]["is_default"], false);
}

#[test]
fn client_show_has_the_clinical_record() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "physician");
    let t = apply(&w, &["--product", "PL-1"]);
    read(&w, t, 1, "-", D3).ok();
    let doc = w
        .run(&["client", "show", "c-1", "--format", "json"])
        .ok()
        .json();
    for field in [
        "code",
        "name",
        "sensitivities",
        "patch_tests",
        "treatments",
        "reactions",
    ] {
        assert!(doc.get(field).is_some(), "client show lacks {field}");
    }
    assert_eq!(doc["patch_tests"][0]["items"][0]["outcome"], "negative");
    let list = w
        .run(&["client", "list", "--search", "alex", "--format", "json"])
        .ok()
        .json();
    assert_eq!(list[0]["code"], "C-1");
}
