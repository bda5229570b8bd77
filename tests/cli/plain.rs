//! The verdict for people (SPEC 5 "For people"): one line per allergen, plain words, the chain
//! only under `--details`, and a next step whose commands can be pasted. One snapshot per kind of
//! reason, at 72 columns (`COLUMNS`) so that wrapping shows.

use crate::support::{Run, Work};

const APPLIED: &str = "2026-11-20T10:00:00Z";
const D2: &str = "2026-11-22T10:00:00Z";
const D3: &str = "2026-11-23T10:00:00Z";

fn clinic(patch_test_rule: bool) -> Work {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.import("numbing_cream_tab.tsv", "Numb", &[]);
    w.run(&["client", "add", "C-1", "--name", "Alex Example"])
        .ok();
    if !patch_test_rule {
        w.run(&["policy", "set", "require-patch-test", "false"])
            .ok();
    }
    w
}

fn sensitive(w: &Work, target: &str, source: &str) -> Run {
    w.run(&["sensitivity", "add", "C-1", target, "--source", source])
}

/// The human text of `check C-1 PRODUCT ...`, wrapped at 72 columns, without colour.
fn text(w: &Work, product: &str, extra: &[&str]) -> String {
    let mut args = vec!["check", "C-1", product];
    args.extend_from_slice(extra);
    let run = w.run_env(&args, &[("COLUMNS", "72"), ("NO_COLOR", "1")]);
    assert!(!run.stdout.contains('\x1b'), "no colour off a terminal");
    run.stdout.clone()
}

fn apply(w: &Work, product: &str) -> String {
    w.record_id(&[
        "patch-test",
        "apply",
        "C-1",
        "--product",
        product,
        "--at",
        APPLIED,
    ])
}

fn read(w: &Work, test: &str, grade: &str, at: &str) {
    let grade = format!("--grade={grade}");
    w.run(&[
        "patch-test",
        "read",
        test,
        "--item",
        "1",
        &grade,
        "--at",
        at,
    ])
    .ok();
}

#[test]
fn plain_sensitivity_blocked_with_an_alternative_and_no_patch_test_line() {
    let w = clinic(true);
    sensitive(&w, "nickel", "patch-test").ok();
    let out = text(&w, "NI-1", &[]);
    assert!(!out.contains("no-patch-test") && !out.contains("not patch-tested"));
    insta::assert_snapshot!("plain-sensitivity", out);
}

#[test]
fn plain_same_hapten_in_words_and_the_chain_only_under_details() {
    let w = clinic(false);
    sensitive(&w, "nickel sulphate", "patch-test").ok();
    let out = text(&w, "NI-1", &[]);
    assert!(
        !out.contains("same-hapten") && !out.contains("on match"),
        "{out}"
    );
    insta::assert_snapshot!("plain-same-hapten", out);
    let details = text(&w, "NI-1", &["--details"]);
    assert!(details.contains("same-hapten"), "{details}");
    insta::assert_snapshot!("plain-same-hapten-details", details);
}

#[test]
fn plain_cross_reactive() {
    let w = clinic(false);
    sensitive(&w, "PPD", "declared").ok();
    insta::assert_snapshot!("plain-cross-reactive", text(&w, "NC-5", &[]));
}

#[test]
fn plain_co_sensitisation_note() {
    let w = clinic(false);
    sensitive(&w, "nickel", "declared").ok();
    insta::assert_snapshot!("plain-co-sensitisation", text(&w, "CO-1", &[]));
}

#[test]
fn plain_tests_positive_doubtful_irritant_pending_negative() {
    let cases: [(&str, &[(&str, &str)]); 5] = [
        ("positive", &[("++", D3)]),
        ("doubtful", &[("?+", D2), ("-", D3)]),
        ("irritant", &[("IR", D3)]),
        ("pending", &[]),
        ("negative", &[("-", D3)]),
    ];
    for (name, readings) in cases {
        let w = clinic(true);
        let t = apply(&w, "PL-1");
        for (grade, at) in readings {
            read(&w, &t, grade, at);
        }
        insta::assert_snapshot!(format!("plain-test-{name}"), text(&w, "PL-1", &[]));
    }
}

#[test]
fn plain_no_patch_test_alone_says_patch_test_it_first() {
    let w = clinic(true);
    let out = text(&w, "Inkworks/PL-1", &[]);
    assert!(
        out.contains("inkguard patch-test apply C-1 --product Inkworks/PL-1"),
        "{out}"
    );
    insta::assert_snapshot!("plain-no-patch-test", out);
}

#[test]
fn plain_unverified_ingredients() {
    let w = clinic(false);
    sensitive(&w, "lanolin", "declared").ok();
    insta::assert_snapshot!("plain-unverified-ingredients", text(&w, "UV-1", &[]));
}

#[test]
fn plain_lot_flagged_and_expired_say_use_another_lot() {
    let w = clinic(false);
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
    insta::assert_snapshot!("plain-lot-flagged", text(&w, "PL-1", &["--lot", "PL1-L1"]));
    insta::assert_snapshot!("plain-lot-expired", text(&w, "NI-1", &["--lot", "NI-OLD"]));
}

#[test]
fn plain_restricted() {
    let w = clinic(false);
    insta::assert_snapshot!("plain-restricted", text(&w, "PB-1", &[]));
}

#[test]
fn plain_clear_says_no_known_match() {
    let w = clinic(false);
    insta::assert_snapshot!("plain-clear", text(&w, "PL-2", &[]));
}

#[test]
fn a_suggested_command_is_shell_quoted_so_it_can_be_pasted() {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Ink Works", &[]);
    w.run(&["client", "add", "C 7", "--name", "Sam"]).ok();
    let run = w.run_env(&["check", "C 7", "PL-1"], &[("COLUMNS", "200")]);
    run.code(3)
        .stdout_has("inkguard patch-test apply 'C 7' --product 'Ink Works/PL-1'");
}

#[test]
fn the_level_word_is_coloured_on_every_line_only_when_asked_for_a_terminal() {
    // Off a terminal: never colour, even without NO_COLOR.
    let w = clinic(true);
    sensitive(&w, "nickel", "patch-test").ok();
    let run = w.run(&["check", "C-1", "NI-1"]);
    assert!(!run.stdout.contains('\x1b'), "{}", run.stdout);
}

#[test]
fn screen_says_each_clients_reasons_in_the_words_check_uses() {
    let w = clinic(false);
    sensitive(&w, "nickel sulphate", "patch-test").ok();
    let check = text(&w, "NI-1", &[]);
    let run = w.run_env(&["screen", "NI-1"], &[("COLUMNS", "72"), ("NO_COLOR", "1")]);
    let screen = run.ok().stdout.clone();
    // Every reason line of check (between the headline and the next step) is in screen's text.
    let lines: Vec<&str> = check
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("Next step"))
        .collect();
    assert!(!lines.is_empty(), "{check}");
    for l in &lines {
        assert!(screen.contains(l.trim()), "{l:?} not in:\n{screen}");
    }
    assert!(
        !screen.contains("same-hapten") && !screen.contains("on match"),
        "{screen}"
    );
    let details = w
        .run_env(
            &["screen", "NI-1", "--details"],
            &[("COLUMNS", "72"), ("NO_COLOR", "1")],
        )
        .ok()
        .stdout
        .clone();
    assert!(details.contains("same-hapten"), "{details}");
}

/// A refused treatment says why in the same plain lines as `check` (one per allergen, no
/// codes, no formulation number), and no patch-test line under BLOCKED.
#[test]
fn a_refused_treatment_says_why_in_checks_words() {
    let w = clinic(true);
    sensitive(&w, "nickel", "patch-test").ok();
    let run = w.run_env(
        &[
            "treatment",
            "record",
            "C-1",
            "--product",
            "NI-1",
            "--lot",
            "NI-L1",
        ],
        &[("COLUMNS", "72"), ("NO_COLOR", "1")],
    );
    run.code(4);
    let check = text(&w, "NI-1", &[]);
    let because = check.lines().nth(1).unwrap().trim();
    assert!(run.stdout.contains(because), "{}\n---\n{check}", run.stdout);
    for jargon in ["same-hapten", "no-patch-test", "formulation", "on match"] {
        assert!(!run.stdout.contains(jargon), "{jargon}: {}", run.stdout);
    }
}
