//! Imports as reviewable, reversible batches (SPEC 3): `import history`, `import undo`,
//! per-supplier settings (`--save-map`) and the readable report (`--report`, `--quiet`,
//! the terminal summary, the column mapping of a dry run).

use crate::support::{fixture, Work};

/// A supplier's catalog with headers no dictionary knows (read with `MAPS`).
const BASE: &str = "\
Article,Designation,Hue,Stuff,Registry,Amount,Batchno,Until
RF-1,Reform Red,Red,Pigment Red 170,2786-76-7,20,R1-A,2027-05-31
RF-1,Reform Red,Red,Aqua,7732-18-5,ad 100,R1-A,2027-05-31
RF-2,Reform Blue,Blue,Copper Phthalocyanine,147-14-8,15,R2-A,2027-04-30
RF-2,Reform Blue,Blue,Aqua,7732-18-5,ad 100,R2-A,2027-04-30
";

/// Its update: RF-1 renamed with a new ingredient (a new formulation) and a new lot; RF-2 with
/// another shade and lot R2-A's expiry changed; a new product; and an invalid one (a bad CAS
/// check digit).
const UPDATE: &str = "\
Article,Designation,Hue,Stuff,Registry,Amount,Batchno,Until
RF-1,Reform Red Deluxe,Red,Pigment Red 170,2786-76-7,20,R1-B,2028-01-31
RF-1,Reform Red Deluxe,Red,Aqua,7732-18-5,ad 100,R1-B,2028-01-31
RF-1,Reform Red Deluxe,Red,Glycerin,56-81-5,10,R1-B,2028-01-31
RF-2,Reform Blue,Navy,Copper Phthalocyanine,147-14-8,15,R2-A,2027-06-30
RF-2,Reform Blue,Navy,Aqua,7732-18-5,ad 100,R2-A,2027-06-30
NEW-1,New Black,Black,Carbon Black,1333-86-4,25,NB-1,2028-02-29
NEW-1,New Black,Black,Aqua,7732-18-5,ad 100,NB-1,2028-02-29
BAD-1,Broken,Blue,Copper Phthalocyanine,147-14-9,10,BB-1,2028-03-31
";

const MAPS: [&str; 12] = [
    "--map",
    "shade=Hue",
    "--map",
    "ingredient=Stuff",
    "--map",
    "cas=Registry",
    "--map",
    "concentration=Amount",
    "--map",
    "lot=Batchno",
    "--map",
    "expiry=Until",
];

fn catalog_with_update() -> (Work, String, std::path::PathBuf) {
    let w = Work::new();
    let base = w.path("acme.csv");
    std::fs::write(&base, BASE).unwrap();
    w.import_path(&base, "Acme", &MAPS);
    w.import("label_bom.csv", "Rosa", &[]);
    let before = w.catalog();
    let file = w.path("acme-update.csv");
    std::fs::write(&file, UPDATE).unwrap();
    (w, before, file)
}

#[test]
fn undo_of_a_partial_mapped_import_restores_the_catalog_exactly() {
    let (w, before, file) = catalog_with_update();
    let mut args = vec!["--skip-invalid"];
    args.extend_from_slice(&MAPS);
    let r = w.import_path(&file, "Acme", &args);
    assert_eq!(r["products"]["new"], 1, "{r}");
    assert_eq!(r["products"]["changed"], 2, "{r}");
    assert_eq!(r["rejected"].as_array().unwrap().len(), 1, "{r}");
    let batch = r["batch"].as_i64().expect("a committed import has a batch");
    assert_ne!(w.catalog(), before, "the import changed the catalog");

    let undone = w
        .run(&["import", "undo", &batch.to_string(), "--format", "json"])
        .ok()
        .json();
    assert_eq!(undone["removed"]["products"], 1, "{undone}");
    assert_eq!(undone["removed"]["formulations"], 2, "{undone}");
    assert_eq!(undone["removed"]["lots"], 2, "{undone}");
    // RF-1's name, RF-2's shade and lot R2-A's expiry date.
    assert_eq!(undone["removed"]["restored"], 3, "{undone}");
    assert_eq!(
        w.catalog(),
        before,
        "undo restores the catalog byte for byte"
    );
    let log = w.run(&["audit", "log", "--format", "json"]).ok().json();
    assert!(
        log.as_array()
            .unwrap()
            .iter()
            .any(|e| e["command"] == "import undo"),
        "the undo is audited: {log}"
    );
    let history = w
        .run(&["import", "history", "--format", "json"])
        .ok()
        .json();
    let row = &history.as_array().unwrap()[batch as usize - 1];
    assert_eq!(row["undone_at"], "2026-11-23T10:00:00Z", "{history}");

    // The corrected file (the bad row's CAS fixed) then imports, whole.
    std::fs::write(&file, UPDATE.replace("147-14-9", "147-14-8")).unwrap();
    let r = w.import_path(&file, "Acme", &MAPS);
    assert_eq!(r["products"]["new"], 2, "{r}");
    assert_eq!(r["products"]["changed"], 2, "{r}");
    assert_eq!(r["rejected"].as_array().unwrap().len(), 0, "{r}");
    w.run(&["import", "undo", &batch.to_string()])
        .code(1)
        .stderr_has("already undone");
}

#[test]
fn undo_is_refused_naming_the_patch_test_that_uses_the_import() {
    let (w, _, file) = catalog_with_update();
    let r = w.import_path(&file, "Acme", &[&["--skip-invalid"][..], &MAPS].concat());
    let batch = r["batch"].as_i64().unwrap().to_string();
    w.run(&["client", "add", "C-0001", "--name", "Test Client"])
        .ok();
    w.run(&["patch-test", "apply", "C-0001", "--product", "NEW-1"])
        .ok();
    let catalog = w.catalog();
    let events = w.count("audit_events");
    w.run(&["import", "undo", &batch])
        .code(1)
        .stderr_has("cannot be undone")
        .stderr_has("patch test #1 item 1 uses product NEW-1");
    assert_eq!(w.catalog(), catalog, "a refused undo changes nothing");
    assert_eq!(w.count("audit_events"), events);
}

#[test]
fn undo_is_refused_while_a_later_import_changed_the_same_product() {
    let w = Work::new();
    let first = w.import("reformulation_v1.csv", "Acme", &[]);
    let second = w.import("reformulation_v2.csv", "Acme", &[]);
    let first = first["batch"].as_i64().unwrap().to_string();
    w.run(&["import", "undo", &first])
        .code(1)
        .stderr_has(&format!(
            "batch {} (imported later) changed product RF-1",
            second["batch"]
        ));
    w.run(&["import", "undo", &second["batch"].to_string()])
        .ok();
    w.run(&["import", "undo", &first]).ok();
    assert_eq!(w.count("products"), 0);
    w.run(&["import", "undo", "99"])
        .code(1)
        .stderr_has("no import batch 99")
        .stderr_has("import history");
}

#[test]
fn import_history_lists_file_hash_time_actor_and_counts() {
    let w = Work::new();
    w.import("reformulation_v1.csv", "Acme", &[]);
    let h = w
        .run(&["import", "history", "--format", "json"])
        .ok()
        .json();
    let b = &h[0];
    assert_eq!(b["id"], 1);
    assert_eq!(b["file"], "reformulation_v1.csv");
    assert_eq!(b["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(b["at"], "2026-11-23T10:00:00Z");
    assert_eq!(b["actor"], "test-technician");
    assert_eq!(b["counts"]["products"]["new"], 1);
    assert_eq!(b["counts"]["lots"], 1);
    w.run(&["import", "history"])
        .ok()
        .stdout_has("reformulation_v1.csv")
        .stdout_has("test-technician");
    let csv = w
        .run(&["import", "history", "--format", "csv"])
        .ok()
        .stdout
        .clone();
    assert!(csv.starts_with("batch,file,sha256,at,actor"), "{csv}");
    assert!(
        csv.contains(b["sha256"].as_str().unwrap()),
        "csv has the whole hash: {csv}"
    );
}

#[test]
fn saved_settings_are_used_by_the_suppliers_later_imports_and_said_so() {
    let (w, _, file) = catalog_with_update();
    let mut args = vec!["--skip-invalid", "--save-map", "--kind", "pigment"];
    args.extend_from_slice(&MAPS);
    let r = w.import_path(&file, "Acme", &args);
    assert_eq!(r["settings_saved"], true, "{r}");
    assert_eq!(r["saved_settings_used"].as_array().unwrap().len(), 0);
    // Without any --map the saved ones read the file again.
    let r = w.import_path(&file, "ACME", &["--skip-invalid"]);
    assert_eq!(r["products"]["unchanged"], 3, "{r}");
    let used: Vec<&str> = r["saved_settings_used"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(used.contains(&"--map ingredient=Stuff"), "{used:?}");
    assert!(used.contains(&"--kind pigment"), "{used:?}");
    assert_eq!(r["kind_assumed"], serde_json::Value::Null, "{r}");
    // A flag given again overrides its saved value.
    let r = w.import_path(&file, "Acme", &["--skip-invalid", "--map", "ingredient=4"]);
    let used = r["saved_settings_used"].to_string();
    assert!(!used.contains("ingredient=Stuff"), "{used}");
    // Another supplier has no saved settings.
    let file = file.to_str().unwrap();
    w.run(&["import", "catalog", file, "--supplier", "Other"])
        .code(1)
        .stderr_has("--map");
    // A dry run saves nothing.
    let r = w.import_path(
        &fixture("odd_headers.csv"),
        "Odd",
        &["--map", "ingredient=Stuff", "--save-map", "--dry-run"],
    );
    assert_eq!(r["settings_saved"], false);
    w.run(&[
        "import",
        "catalog",
        fixture("odd_headers.csv").to_str().unwrap(),
        "--supplier",
        "Odd",
    ])
    .code(1);
}

#[test]
fn report_file_has_every_detail_and_is_never_written_over_unasked() {
    let (w, _, file) = catalog_with_update();
    let report = w.path("report.csv");
    let file = file.to_str().unwrap();
    let mut args = vec!["import", "catalog", file, "--supplier", "Acme", "--dry-run"];
    args.extend_from_slice(&MAPS);
    let with_report = |extra: &[&'static str]| -> Vec<String> {
        args.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let report_arg: &'static str = Box::leak(report.to_str().unwrap().to_string().into_boxed_str());
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        w.run(&args)
    };
    run(with_report(&["--report", report_arg]))
        .code(1)
        .stdout_has(&format!("every detail: {}", report.display()));
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.starts_with("line,kind,value,suggestion\n"), "{text}");
    assert!(text.contains("9,invalid-row,"), "{text}");
    assert!(text.contains(",kind-assumed,"), "{text}");
    run(with_report(&["--report", report_arg]))
        .code(1)
        .stderr_has("the file exists")
        .stderr_has("--force");
    run(with_report(&["--report", report_arg, "--force"]))
        .code(1)
        .stderr_has("invalid row");
    let db = w.db();
    let size = std::fs::metadata(&db).unwrap().len();
    let db_arg: &'static str = Box::leak(db.to_str().unwrap().to_string().into_boxed_str());
    run(with_report(&["--report", db_arg, "--force"]))
        .code(1)
        .stderr_has("is a database");
    assert_eq!(std::fs::metadata(&db).unwrap().len(), size);
    let file_arg: &'static str = Box::leak(file.to_string().into_boxed_str());
    run(with_report(&["--report", file_arg, "--force"]))
        .code(1)
        .stderr_has("the file being imported");
}

#[test]
fn dry_run_shows_which_column_fed_which_field_and_quiet_only_counts() {
    let (w, _, file) = catalog_with_update();
    let file = file.to_str().unwrap();
    let mut args = vec![
        "import",
        "catalog",
        file,
        "--supplier",
        "Acme",
        "--dry-run",
        "--skip-invalid",
    ];
    args.extend_from_slice(&MAPS);
    w.run(&args)
        .ok()
        .stdout_has("columns:")
        .stdout_has("4 \"Stuff\" -> ingredient")
        .stdout_has("8 \"Until\" -> expiry")
        .stdout_has("warnings: ");
    let quiet = w
        .run(&[&args[..], &["--quiet"]].concat())
        .ok()
        .stdout
        .clone();
    assert!(
        quiet.contains("products: 1 new, 2 changed, 0 unchanged, 1 rejected"),
        "{quiet}"
    );
    assert!(!quiet.contains("columns:"), "{quiet}");
    assert!(!quiet.contains("line "), "quiet prints no details: {quiet}");
}
