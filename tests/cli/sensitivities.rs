//! A record that can be resolved (SPEC 4): a sensitivity the client already has is not added
//! twice, one to an unidentified substance is accepted with a warning, `sensitivity add`
//! speaks `check`'s words, and `reaction list` shows what a client reacted to.

use crate::support::Work;

fn clinic() -> Work {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["client", "add", "C-1", "--name", "Alex Example"])
        .ok();
    w
}

#[test]
fn adding_a_sensitivity_the_client_already_has_names_it_and_adds_nothing() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "declared");
    // The same substance by another of its names, and by its CAS number.
    for name in ["Nickel", "7440-02-0"] {
        let run = w.run(&["sensitivity", "add", "C-1", name, "--source", "declared"]);
        run.ok()
            .stdout_has("C-1 already has this sensitivity: #1 to Nickel")
            .stdout_has("nothing was added");
    }
    let doc = w
        .run(&[
            "sensitivity",
            "add",
            "C-1",
            "nickel",
            "--source",
            "declared",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(doc["added"], false);
    assert_eq!(doc["id"], 1);
    assert_eq!(w.count("sensitivities"), 1);
    // Stronger evidence for the same target is new information: it is recorded.
    w.run(&[
        "sensitivity",
        "add",
        "C-1",
        "nickel",
        "--source",
        "physician",
    ])
    .ok()
    .stdout_has("#2");
    assert_eq!(w.count("sensitivities"), 2);
    // Now a declared one, or one from a reaction, adds nothing: what is held is as strong.
    for source in ["declared", "reaction"] {
        w.run(&["sensitivity", "add", "C-1", "NICKEL", "--source", source])
            .ok()
            .stdout_has("already has this sensitivity: #")
            .stdout_has("nothing was added");
    }
    assert_eq!(w.count("sensitivities"), 2);
}

#[test]
fn a_retracted_sensitivity_does_not_count_as_already_held() {
    let w = clinic();
    w.add_sensitivity("C-1", "glycerin", "declared");
    w.run(&["sensitivity", "retract", "1", "--reason", "mistaken"])
        .ok();
    w.run(&[
        "sensitivity",
        "add",
        "C-1",
        "glycerin",
        "--source",
        "declared",
    ])
    .ok()
    .stdout_has("recorded sensitivity #2");
}

#[test]
fn sensitivity_add_says_the_evidence_in_the_words_check_uses() {
    let w = clinic();
    w.run(&[
        "sensitivity",
        "add",
        "C-1",
        "nickel",
        "--source",
        "declared",
    ])
    .ok()
    .stdout_has("declared by the client (not tested)");
    w.run(&["check", "C-1", "NI-1"])
        .code(4)
        .stdout_has("declared by the client (not tested)");
}

#[test]
fn a_sensitivity_to_an_unidentified_substance_is_accepted_with_a_warning_and_no_check_is_clear() {
    let w = clinic();
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w.run(&["check", "C-1", "PL-2"]).code(0);
    let run = w.run(&[
        "sensitivity",
        "add",
        "C-1",
        "Herbal Secret Blend",
        "--source",
        "declared",
    ]);
    run.ok()
        .stderr_has("warning: Herbal Secret Blend is not identified")
        .stderr_has("sensitivity-unmatched")
        .stderr_has("inkguard substance merge 'Herbal Secret Blend' NAME");
    let doc = w
        .run(&["check", "C-1", "PL-2", "--format", "json"])
        .code(3)
        .json();
    assert_eq!(doc["reasons"][0]["code"], "sensitivity-unmatched");
    w.run(&["check", "C-1", "PL-2"])
        .code(3)
        .stdout_has("cannot be compared")
        .stdout_has("inkguard substance merge 'Herbal Secret Blend' NAME");
}

#[test]
fn reaction_list_shows_each_reaction_with_its_treatment_and_lots() {
    let w = clinic();
    w.run(&["reaction", "list", "C-1"])
        .ok()
        .stdout_has("no reaction recorded for C-1");
    w.add_sensitivity("C-1", "glycerin", "declared");
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
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
        "itching",
        "--severity",
        "mild",
    ])
    .ok();
    w.run(&["reaction", "list", "C-1"])
        .ok()
        .stdout_has("itching")
        .stdout_has("Inkworks/PL-2 lot PL2-L1");
    let doc = w
        .run(&["reaction", "list", "C-1", "--format", "json"])
        .ok()
        .json();
    assert_eq!(doc[0]["severity"], "mild");
    assert_eq!(doc[0]["lots"][0], "Inkworks/PL-2 lot PL2-L1");
    w.run(&["reaction", "list", "C-9"]).code(1);
}

#[test]
fn the_safe_list_leaves_out_a_product_whose_every_lot_is_flagged_and_says_why() {
    let w = clinic();
    w.add_sensitivity("C-1", "nickel", "physician");
    w.run(&[
        "lot", "flag", "PL-1", "--lot", "PL1-L1", "--reason", "recall",
    ])
    .ok();
    let run = w.run(&["safe-list", "C-1"]);
    run.ok()
        .stdout_has("NI-1 (Nickel)")
        .stdout_has("PL-1 (every lot recalled)");
    assert!(!run.stdout.contains("Plain Black"), "{}", run.stdout);
    // A product with no lot at all stays, and says so.
    w.import("numbing_cream_tab.tsv", "Numb", &[]);
    w.run(&["safe-list", "C-1", "--kind", "anaesthetic"])
        .ok()
        .stdout_has("no lot recorded");
}

#[test]
fn a_reading_more_than_14_days_after_the_application_needs_late_and_a_reason() {
    let w = clinic();
    // Applied 2026-10-01; the clock is 2026-11-23: a typo'd reading date lands 53 days on.
    let t = w
        .run(&[
            "patch-test",
            "apply",
            "C-1",
            "--product",
            "PL-1",
            "--at",
            "2026-10-01T10:00:00Z",
            "--format",
            "json",
        ])
        .ok()
        .json()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    w.run(&[
        "patch-test",
        "read",
        &t,
        "--grade=-",
        "--at",
        "2026-11-23T10:00:00Z",
    ])
    .code(1)
    .stderr_has("53 days after the test was applied")
    .stderr_has("--late REASON");
    assert_eq!(w.count("readings"), 0, "a refused reading writes nothing");
    w.run(&[
        "patch-test",
        "read",
        &t,
        "--grade=-",
        "--at",
        "2026-11-23T10:00:00Z",
        "--late",
        " ",
    ])
    .code(1)
    .stderr_has("--late needs a reason");
    w.run(&[
        "patch-test",
        "read",
        &t,
        "--grade=-",
        "--at",
        "2026-11-23T10:00:00Z",
        "--late",
        "client came back from abroad",
    ])
    .ok();
    let show = w
        .run(&["patch-test", "show", &t, "--format", "json"])
        .ok()
        .json();
    assert!(
        show.to_string()
            .contains("late: client came back from abroad"),
        "{show}"
    );
    // Within 14 days nothing is asked.
    let t2 = w
        .run(&[
            "patch-test",
            "apply",
            "C-1",
            "--product",
            "PL-2",
            "--at",
            "2026-11-20T10:00:00Z",
            "--format",
            "json",
        ])
        .ok()
        .json()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    w.run(&[
        "patch-test",
        "read",
        &t2,
        "--grade=-",
        "--at",
        "2026-11-23T10:00:00Z",
    ])
    .ok();
}
