//! Naming clients and products (SPEC 4): look-alike client codes are one code, `check` and
//! `safe-list` take a client name borne by one client, and a product
//! argument that names several products is an error listing them.

use crate::support::{Run, Work};

/// U+2010 HYPHEN, which looks like `-`.
const HYPHEN: &str = "\u{2010}";

fn clients(w: &Work) -> Vec<String> {
    w.run(&["client", "list", "--format", "json"])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn client_codes_that_look_alike_are_one_code() {
    let w = Work::new();
    w.run(&["client", "add", "C-1", "--name", "Alex"]).ok();
    for look_alike in ["c-1", &format!("C{HYPHEN}1"), " C 1 ", "C-1"] {
        w.run(&["client", "add", look_alike, "--name", "Sam"])
            .code(1)
            .stderr_has("a client with the code C-1 exists already")
            .stderr_has("hint: see it with: inkguard client show C-1");
    }
    assert_eq!(clients(&w), ["C-1"]);
    // Each spelling finds the one client.
    for spelling in ["c-1", &format!("c{HYPHEN}1"), "C1"] {
        w.run(&["client", "show", spelling, "--format", "json"])
            .ok()
            .stdout_has("\"code\": \"C-1\"");
    }
}

#[test]
fn a_client_code_without_letter_or_digit_is_refused() {
    let w = Work::new();
    w.run(&["client", "add", "--name", "Nobody", "--", "---"])
        .code(1)
        .stderr_has("\"---\" has no letter or digit")
        .stderr_has("hint:");
    assert!(clients(&w).is_empty());
}

#[test]
fn look_alike_codes_added_at_the_same_moment_make_one_client() {
    let spellings = |n: usize| {
        [
            format!("C-{n}"),
            format!("c-{n}"),
            format!("C{HYPHEN}{n}"),
            format!("c {n}"),
            format!("C{n}"),
            format!("c-{n} "),
        ]
    };
    let w = Work::new();
    // A bounded number of rounds, each a race of six terminals.
    for round in 777..780 {
        let runs: Vec<Run> = std::thread::scope(|s| {
            let handles: Vec<_> = spellings(round)
                .into_iter()
                .map(|code| {
                    let w = &w;
                    s.spawn(move || w.run(&["client", "add", &code, "--name", "Racer"]))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let added: Vec<&Run> = runs.iter().filter(|r| r.code == 0).collect();
        assert_eq!(added.len(), 1, "round {round}: {} added", added.len());
        for r in runs.iter().filter(|r| r.code != 0) {
            r.code(1).stderr_has("exists already");
        }
    }
    assert_eq!(clients(&w).len(), 3);
}

#[test]
fn an_upgraded_database_keeps_look_alike_clients_apart() {
    let w = Work::empty();
    {
        let conn = rusqlite::Connection::open(w.db()).unwrap();
        conn.execute_batch(include_str!("../fixtures/schema-v1.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute_batch(
            "INSERT INTO clients (code, name, created_at, actor) VALUES
                 ('C-5', 'First Five', '2025-01-01T10:00:00Z', 'old'),
                 ('c-5', 'Second Five', '2025-02-01T10:00:00Z', 'old');",
        )
        .unwrap();
    }
    w.run(&["init"])
        .ok()
        .stderr_has("clients \"C-5\" and \"c-5\" look alike")
        .stderr_has("nothing was merged");
    // Nothing merged: each is reached by its exact code.
    assert_eq!(w.count("clients"), 2);
    for (code, name) in [("C-5", "First Five"), ("c-5", "Second Five")] {
        let doc = w
            .run(&["client", "show", code, "--format", "json"])
            .ok()
            .json();
        assert_eq!(doc["code"], code);
        assert_eq!(doc["name"], name);
    }
    // Another spelling names both: an error listing them, never a pick.
    w.run(&["client", "show", &format!("C{HYPHEN}5")])
        .code(1)
        .stderr_has("C-5")
        .stderr_has("c-5");
    // And a new look-alike is refused.
    w.run(&["client", "add", "C 5", "--name", "Third"])
        .code(1)
        .stderr_has("exists already");
    w.run(&["doctor"])
        .ok()
        .stdout_has("clients C-5 and c-5 have look-alike codes");
    let doctor = w.run(&["doctor", "--format", "json"]).ok().json();
    assert_eq!(doctor["look_alike_clients"][0][0], "C-5");
    assert_eq!(doctor["look_alike_clients"][0][1], "c-5");
}

/// Supplier Alpha sells a product whose code is `Rose`; supplier Beta one named `Rose`.
fn rose_clinic() -> Work {
    let w = Work::new();
    let alpha = w.path("alpha.csv");
    std::fs::write(
        &alpha,
        "code,name,ingredient,cas\nRose,Deep Red,Aqua,7732-18-5\n",
    )
    .unwrap();
    let beta = w.path("beta.csv");
    std::fs::write(&beta, "code,name,ingredient,cas\nB-7,Rose,Aqua,7732-18-5\n").unwrap();
    w.import_path(&alpha, "Alpha", &[]);
    w.import_path(&beta, "Beta", &[]);
    w.run(&["client", "add", "C1", "--name", "Alex"]).ok();
    w
}

#[test]
fn a_product_named_by_one_code_and_another_name_is_ambiguous() {
    let w = rose_clinic();
    for args in [
        &["check", "C1", "Rose"][..],
        &["product", "show", "rose"],
        &["lot", "add", "Rose", "L1"],
        &["patch-test", "apply", "C1", "--product", "Rose"],
    ] {
        w.run(args)
            .code(1)
            .stderr_has("matches several products")
            .stderr_has("Alpha/Rose")
            .stderr_has("Beta/B-7");
    }
    assert_eq!(w.count("lots"), 0);
    assert_eq!(w.count("patch_tests"), 0);
    // SUPPLIER/CODE, or the other product's own code, names one.
    for (arg, code) in [("Alpha/Rose", "Rose"), ("Beta/B-7", "B-7"), ("B-7", "B-7")] {
        let doc = w
            .run(&["product", "show", arg, "--format", "json"])
            .ok()
            .json();
        assert_eq!(doc["code"], code);
    }
}

/// Anna Berg (C-1), two clients named Sam Lee (C-2, C-3), and a client whose code is another
/// client's name.
fn named_clinic() -> Work {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    for (code, name) in [
        ("C-1", "Anna Berg"),
        ("C-2", "Sam Lee"),
        ("C-3", "Sam  LEE"),
        ("Ola", "Someone Else"),
        ("C-4", "Ola"),
    ] {
        w.run(&["client", "add", code, "--name", name]).ok();
    }
    w
}

#[test]
fn check_and_safe_list_take_a_client_name_borne_by_one_client() {
    let w = named_clinic();
    for name in ["Anna Berg", "anna berg", "ANNA\u{00A0}BERG", "Anna-Berg"] {
        let doc = w.run(&["check", name, "PL-1", "--format", "json"]).json();
        assert_eq!(doc["client"], "C-1", "{name}: {doc}");
        w.run(&["safe-list", name]).ok();
    }
    w.run(&["check", "Anna Berg", "PL-1"])
        .stdout_has("for client C-1");
}

#[test]
fn a_client_name_several_clients_bear_is_an_error_listing_their_codes() {
    let w = named_clinic();
    for args in [&["check", "Sam Lee", "PL-1"][..], &["safe-list", "sam lee"]] {
        w.run(args)
            .code(1)
            .stderr_has("matches several clients")
            .stderr_has("C-2")
            .stderr_has("C-3");
    }
}

#[test]
fn a_client_code_wins_over_another_clients_name() {
    let w = named_clinic();
    let doc = w.run(&["check", "Ola", "PL-1", "--format", "json"]).json();
    assert_eq!(doc["client"], "Ola");
    // A name matching nobody is the code error, with suggestions.
    w.run(&["check", "Nobody Here", "PL-1"])
        .code(1)
        .stderr_has("client");
}
