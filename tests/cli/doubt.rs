//! Regression tests of the issue "No false CLEAR from messy identity data", on the verdict side
//! (SPEC 4 and 5), each named after its rule, through the real binary.

use crate::support::Work;

fn clinic(catalog: &str) -> Work {
    let w = Work::new();
    let file = w.path("catalog.csv");
    std::fs::write(&file, catalog).unwrap();
    w.import_path(&file, "Acme", &[]);
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w.run(&["client", "add", "C-1", "--name", "Alex"]).ok();
    w
}

fn codes(w: &Work, product: &str) -> (i32, Vec<String>) {
    let run = w.run(&["check", "C-1", product, "--format", "json"]);
    (run.code, crate::support::reason_codes(&run.json()))
}

/// A ++ to a red whose only pigment is Pigment Red 170 makes it a suspect; a negative test of a
/// product that only *may contain* it does not clear it (the tested lot may have held none).
#[test]
fn may_contain_ingredients_of_a_negative_tested_product_stay_suspects() {
    let w = clinic(
        "code,name,ingredients\nR1,Red One,\"Aqua, Glycerin, CI 12475\"\nR2,Red Two,\"Aqua, Glycerin, May contain: CI 12475\"\nR3,Red Three,\"Aqua, CI 12475\"\n",
    );
    w.run(&[
        "patch-test",
        "apply",
        "C-1",
        "--product",
        "R1",
        "--product",
        "R2",
        "--at",
        "2026-11-16T10:00",
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
        "2026-11-19T10:00",
    ])
    .ok();
    w.run(&[
        "patch-test",
        "read",
        "1",
        "--item",
        "2",
        "--grade=-",
        "--at",
        "2026-11-19T10:00",
    ])
    .ok();
    let (code, reasons) = codes(&w, "R3");
    assert_eq!(code, 3, "{reasons:?}");
    assert_eq!(reasons, vec!["sensitivity"]);
    let list = w.run(&["safe-list", "C-1", "--format", "json"]).ok().json();
    assert!(
        list.as_array().unwrap().iter().all(|p| p["code"] != "R3"),
        "the safe list agrees: {list}"
    );
}

/// An allergy recorded against an unidentified substance (`Eisenoxid rot`, which a supplier file
/// brought in without numbers) cannot be compared with a product that declares iron oxide red by
/// its numbers: never CLEAR, and the reason says why.
#[test]
fn a_sensitivity_to_an_unverified_substance_is_never_clear() {
    let w = clinic(
        "code,name,ingredient,cas,ci\nO1,Oxide Red,Iron oxide red,1309-37-1,CI 77491\nE1,Erde,Eisenoxid rot,,\n",
    );
    w.add_sensitivity("C-1", "Eisenoxid rot", "physician");
    let (code, reasons) = codes(&w, "O1");
    assert_eq!(code, 3, "{reasons:?}");
    assert!(
        reasons.contains(&"sensitivity-unmatched".to_string()),
        "{reasons:?}"
    );
    let out = w.run(&["check", "C-1", "O1"]);
    out.stdout_has("cannot be compared");
}

/// A formulation that declares nothing (an old database: imports now refuse such a product)
/// is a caution, in `check` and in the safe list.
#[test]
fn a_formulation_without_ingredients_is_a_caution_not_clear() {
    let w = clinic("code,name,ingredient,cas\nP1,Plain,Aqua,7732-18-5\n");
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute("DELETE FROM ingredients", []).unwrap();
    let (code, reasons) = codes(&w, "P1");
    assert_eq!((code, reasons), (3, vec!["no-ingredients".to_string()]));
    let list = w.run(&["safe-list", "C-1", "--format", "json"]).ok().json();
    assert_eq!(list.as_array().unwrap().len(), 0, "{list}");
}

/// The safe list reads whether a formulation may declare nothing from `formulations.empty`: a
/// formulation written without the flag (by hand, or by a future path that forgets it) is
/// judged by its rows, as `check` judges it, and `doctor` names every formulation whose flag
/// disagrees with its rows.
#[test]
fn a_formulation_written_without_its_emptiness_flag_is_judged_by_its_rows_and_doctor_names_it() {
    let w = clinic("code,name,ingredient,cas\nP1,Plain,Aqua,7732-18-5\n");
    w.run(&["doctor"]).ok();
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute_batch(
        "INSERT INTO formulations (product_id, version, fingerprint, imported_at, source)
             SELECT product_id, version + 1, 'by hand', imported_at, 'by hand' FROM formulations;
         INSERT INTO ingredients (formulation_id, position, name_as_declared, substance_id)
             SELECT (SELECT max(id) FROM formulations), position, name_as_declared, substance_id
             FROM ingredients;",
    )
    .unwrap();
    w.run(&["check", "C-1", "P1"]).code(0);
    let list = w
        .run(&["safe-list", "C-1", "--include-caution", "--format", "json"])
        .ok()
        .json();
    assert_eq!(list[0]["verdict"], "clear", "{list}");
    w.run(&["doctor"])
        .code(1)
        .stdout_has("is marked as declaring nothing but has ingredient rows");
}

/// With the trigger that keeps the flag dropped, ingredient rows deleted by hand leave a
/// formulation marked as declaring ingredients: `doctor` names it.
#[test]
fn doctor_names_a_formulation_whose_rows_were_deleted_behind_its_flag() {
    let w = clinic("code,name,ingredient,cas\nP1,Plain,Aqua,7732-18-5\n");
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute_batch("DROP TRIGGER ingredients_keep_emptiness; DELETE FROM ingredients;")
        .unwrap();
    w.run(&["doctor"])
        .code(1)
        .stdout_has("is marked as declaring ingredients but has none");
}
