//! Recalls: EU Safety Gate alerts imported through the binary, the lots they name flagged
//! (BLOCKED in `check --lot`), the clients to call listed, ambiguous lots held back until a
//! person confirms them, and bad input refused with nothing written.

use std::io::Write;
use std::process::Stdio;

use crate::support::{example, Run, Work};

/// The README's clinic: the two example catalogs, a client treated with `Taupe Brow` lot
/// `TB-2502`.
fn clinic() -> Work {
    let w = Work::new();
    w.import_path(
        &example("farbwerk_de_windows1252.csv"),
        "Farbwerk GmbH",
        &["--encoding", "windows-1252"],
    );
    w.import_path(&example("lumen_labels_bom.csv"), "Lumen Pigments", &[]);
    w.run(&[
        "client",
        "add",
        "C-0042",
        "--name",
        "Alex Example",
        "--phone",
        "+49 30 1234567",
    ])
    .ok();
    w.run(&[
        "treatment",
        "record",
        "C-0042",
        "--product",
        "Taupe Brow",
        "--lot",
        "TB-2502",
        "--area",
        "eyebrows",
        "--override",
        "patch test booked",
    ])
    .ok();
    w
}

fn write(w: &Work, name: &str, bytes: &[u8]) -> String {
    let path = w.path(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

fn alert_file() -> String {
    example("safety_gate_alert.txt")
        .to_str()
        .unwrap()
        .to_string()
}

#[test]
fn an_alert_flags_its_lot_which_check_then_blocks_and_lists_the_clients_to_call() {
    let w = clinic();
    w.run(&["check", "C-0042", "Taupe Brow", "--lot", "TB-2502"])
        .code(3);
    let report = w
        .run(&["recall", "import", &alert_file(), "--format", "json"])
        .ok()
        .json();
    let alert = &report["alerts"][0];
    assert_eq!(alert["alert"], "A12/01234/26");
    assert_eq!(alert["status"], "new");
    assert_eq!(alert["lots"], serde_json::json!(["TB 2502", "TB 2417"]));
    assert_eq!(alert["matched"][0]["lot"], "TB-2502");
    assert_eq!(alert["matched"][0]["alert_lot"], "TB 2502");
    assert_eq!(alert["unmatched"], serde_json::json!(["TB 2417"]));
    assert_eq!(report["clients"][0]["client"], "C-0042");
    assert_eq!(report["clients"][0]["phone"], "+49 30 1234567");
    assert_eq!(report["clients"][0]["area"], "eyebrows");
    w.run(&["check", "C-0042", "Taupe Brow", "--lot", "TB-2502"])
        .code(4)
        .stdout_has("EU Safety Gate alert A12/01234/26");
    // Other lots and products are left alone.
    w.run(&["lot", "list", "Rose Petal"]).ok();
    assert_eq!(w.count("lot_flags"), 1);
    // The clients to call, as CSV for calling.
    let csv = w.run(&["recall", "show", "a12 01234 26", "--format", "csv"]);
    csv.ok();
    assert!(csv
        .stdout
        .starts_with("client,name,phone,email,treated,area,product,lot,alert\n"));
    assert!(csv
        .stdout
        .contains("C-0042,Alex Example,+49 30 1234567,-,2026-11-23T10:00:00Z,eyebrows,Lumen Pigments/Taupe Brow,TB-2502,A12/01234/26"));
    w.run(&["recall", "list"]).ok().stdout_has("A12/01234/26");
    w.run(&["audit", "log"]).ok().stdout_has("recall import");
    w.run(&["audit", "verify"]).ok();
}

#[test]
fn importing_the_same_alert_twice_changes_nothing_and_says_so() {
    let w = clinic();
    w.run(&["recall", "import", &alert_file()]).ok();
    let counts =
        |w: &Work| ["recalls", "recall_lots", "recall_matches", "lot_flags"].map(|t| w.count(t));
    let before = counts(&w);
    let again = w.run(&["recall", "import", &alert_file()]);
    again
        .ok()
        .stdout_has("nothing changed")
        .stdout_has("(unchanged)");
    assert_eq!(counts(&w), before);
    let json = w
        .run(&["recall", "import", &alert_file(), "--format", "json"])
        .ok()
        .json();
    assert_eq!(json["changed"], false);
    assert_eq!(json["alerts"][0]["matched"][0]["new"], false);
    // The same alert from standard input is the same alert.
    let mut child = w
        .command(&["recall", "import", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(alert_file()).unwrap())
        .unwrap();
    let run = Run::of(
        &["recall", "import", "-"],
        child.wait_with_output().unwrap(),
    );
    run.ok().stdout_has("nothing changed");
    assert_eq!(counts(&w), before);
}

#[test]
fn a_lot_of_a_product_that_only_partly_fits_is_not_flagged_until_confirmed() {
    let w = clinic();
    let csv = example("safety_gate_alerts.csv");
    let report = w
        .run(&[
            "recall",
            "import",
            csv.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok()
        .json();
    // Brand `Lumen` is not the supplier `Lumen Pigments`: listed, not flagged.
    let rose = &report["alerts"][0];
    assert_eq!(rose["matched"], serde_json::json!([]));
    assert_eq!(rose["ambiguous"][0]["lot"], "RP-2501");
    assert_eq!(
        rose["ambiguous"][0]["confirm"],
        "inkguard recall confirm A12/01302/26 --product 'Lumen Pigments/Rose Petal' --lot RP-2501"
    );
    // Brand `Farbwerk` is `Farbwerk GmbH`: flagged.
    assert_eq!(report["alerts"][1]["matched"][0]["lot"], "FW25-001");
    w.run(&["lot", "list", "Rose Petal"])
        .ok()
        .stdout_has("RP-2501");
    assert_ne!(
        w.run(&["check", "C-0042", "Rose Petal", "--lot", "RP-2501"])
            .code,
        4
    );
    w.run(&[
        "recall",
        "confirm",
        "A12/01302/26",
        "--product",
        "Lumen Pigments/Rose Petal",
        "--lot",
        "rp 2501",
    ])
    .ok()
    .stdout_has("now BLOCKED for every client");
    w.run(&["check", "C-0042", "Rose Petal", "--lot", "RP-2501"])
        .code(4)
        .stdout_has("A12/01302/26");
    let flags = w.count("lot_flags");
    w.run(&[
        "recall",
        "confirm",
        "A12/01302/26",
        "--product",
        "Rose Petal",
        "--lot",
        "RP-2501",
    ])
    .ok()
    .stdout_has("nothing changed");
    assert_eq!(w.count("lot_flags"), flags);
    let shown = w
        .run(&["recall", "show", "A12/01302/26", "--format", "json"])
        .ok()
        .json();
    assert_eq!(shown["alert"]["matched"][0]["lot"], "RP-2501");
    assert_eq!(shown["alert"]["ambiguous"], serde_json::json!([]));
}

#[test]
fn an_alert_without_a_batch_text_is_refused_with_its_line_and_nothing_is_written() {
    let w = clinic();
    let file = write(
        &w,
        "alerts.csv",
        b"Alert number,Name,Brand,Batch number,Risk\nA12/1/26,Taupe Brow,Lumen Pigments,Lot TB-2502,nickel\nA12/2/26,Rose Petal,Lumen Pigments,,nickel\n",
    );
    w.run(&["recall", "import", &file])
        .code(1)
        .stderr_has("line 3: alert A12/2/26 has no batch text")
        .stderr_has("nothing was written");
    assert_eq!(w.count("recalls"), 0);
    assert_eq!(w.count("lot_flags"), 0);
    w.run(&["check", "C-0042", "Taupe Brow", "--lot", "TB-2502"])
        .code(3);
}

#[test]
fn a_file_in_another_encoding_is_an_error_naming_the_line_and_the_fix() {
    let w = clinic();
    let file = write(
        &w,
        "alert.txt",
        b"Alert number: A12/9/26\nName: Tiefschwarz\nBrand: Farbwerk M\xfcnchen\nBatch number: Charge FW25-001\n",
    );
    w.run(&["recall", "import", &file])
        .code(1)
        .stderr_has("line 3")
        .stderr_has("--encoding windows-1252");
    assert_eq!(w.count("recalls"), 0);
    w.run(&["recall", "import", &file, "--encoding", "windows-1252"])
        .ok()
        .stdout_has("Farbwerk München");
}

#[test]
fn a_batch_text_without_a_lot_is_a_warning_and_lists_the_lots_to_confirm() {
    let w = clinic();
    let file = write(
        &w,
        "alert.txt",
        b"Alert number: A12/7/26\nName: Taupe Brow\nBrand: Lumen Pigments\nBatch number / Barcode: unknown\n",
    );
    let run = w.run(&["recall", "import", &file]);
    run.ok()
        .stdout_has("alert.txt line 1: alert A12/7/26")
        .stdout_has("names no lot")
        .stdout_has(
            "inkguard recall confirm A12/7/26 --product 'Lumen Pigments/Taupe Brow' --lot TB-2502",
        );
    assert_eq!(w.count("lot_flags"), 0);
}

#[test]
fn lot_flag_lists_the_clients_treated_and_the_quoted_trace_command() {
    let w = clinic();
    w.run(&[
        "lot",
        "flag",
        "Taupe Brow",
        "--lot",
        "TB-2502",
        "--reason",
        "supplier recall",
    ])
    .ok()
    .stdout_has("C-0042")
    .stdout_has("Alex Example")
    .stdout_has("inkguard trace --product 'Lumen Pigments/Taupe Brow' --lot TB-2502");
    let json = w
        .run(&[
            "lot",
            "flag",
            "Taupe Brow",
            "--lot",
            "TB-2502",
            "--reason",
            "again",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(json["clients"][0]["client"], "C-0042");
}

#[test]
fn an_unknown_alert_is_not_found_with_the_closest_known() {
    let w = clinic();
    w.run(&["recall", "import", &alert_file()]).ok();
    w.run(&["recall", "show", "A12/01243/26"])
        .code(1)
        .stderr_has("no recall matches");
}
