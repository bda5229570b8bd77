//! Crashes, hostile files and environment faults: nothing is lost and nothing panics.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{generated_catalog, realdata, SmallDisk, Work};

/// Peak memory of a finished child in KiB, measured by GNU time; `None` where it is missing.
fn peak_kib(w: &Work, args: &[&str]) -> Option<(i32, u64)> {
    if !Path::new("/usr/bin/time").exists() {
        eprintln!("skipped: /usr/bin/time is not installed");
        return None;
    }
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("PEAK %M")
        .arg(env!("CARGO_BIN_EXE_inkguard"))
        .args(args)
        .env("INKGUARD_DB", w.db())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let peak = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("PEAK "))
        .next_back()?
        .trim()
        .parse()
        .ok()?;
    Some((out.status.code().unwrap_or(-1), peak))
}

#[test]
fn an_import_killed_in_the_middle_leaves_a_clean_database_and_runs_again() {
    let w = Work::new();
    let file = generated_catalog(w.dir.path(), "big.csv", 6_000);
    let mut child = Command::new(env!("CARGO_BIN_EXE_inkguard"))
        .args([
            "import",
            "catalog",
            file.to_str().unwrap(),
            "--supplier",
            "Gen",
        ])
        .env("INKGUARD_DB", w.db())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import is writing (its WAL grows), then kill it without warning.
    let wal = w.path("clinic.db-wal");
    let start = Instant::now();
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < 512 * 1024
        && start.elapsed() < Duration::from_secs(60)
    {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed: make the file larger"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the import finished before it could be killed"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    w.run(&["doctor"])
        .ok()
        .stdout_has("integrity check: ok")
        .stdout_has("audit chain: intact");
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    drop(conn);
    for table in [
        "products",
        "formulations",
        "ingredients",
        "lots",
        "suppliers",
    ] {
        assert_eq!(
            w.count(table),
            0,
            "nothing of the killed import is in {table}"
        );
    }
    let r = w.import_path(&file, "Gen", &[]);
    assert_eq!(r["products"]["new"], 6_000);
}

/// Every CSV under `../shared/realdata/` through both imports, as a dry run, with and without
/// `--encoding windows-1252`: exit 0 or 1, never a panic, and a clear `error:` line on 1.
#[test]
fn every_real_file_imports_or_fails_with_a_clear_message() {
    let Some(root) = realdata("") else {
        return;
    };
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "csv") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 17, "{files:?}");
    let w = Work::new();
    for file in &files {
        let f = file.to_str().unwrap();
        for encoding in [None, Some("windows-1252")] {
            for mut args in [
                vec!["import", "catalog", f, "--supplier", "Real"],
                vec!["import", "substances", f],
            ] {
                args.push("--dry-run");
                if let Some(e) = encoding {
                    args.extend(["--encoding", e]);
                }
                let run = w.run(&args);
                assert!(
                    run.code == 0 || run.code == 1,
                    "{args:?} exit {}:\n{}",
                    run.code,
                    run.stderr
                );
                assert!(
                    !run.stderr.contains("panicked"),
                    "{args:?}:\n{}",
                    run.stderr
                );
                if run.code == 1 {
                    assert!(
                        run.stderr.starts_with("error: "),
                        "{args:?}:\n{}",
                        run.stderr
                    );
                }
            }
        }
    }
    assert_eq!(
        w.count("products") + w.count("substances WHERE source LIKE 'import%'"),
        0,
        "dry runs write nothing"
    );
}

#[test]
fn the_cosing_annexes_import_as_substances() {
    let w = Work::new();
    // Rows whose CAS, EC or CI number the built-in reference holds enrich that substance
    // instead of making a new one (SPEC 2), hence fewer new ones than rows with new names.
    // (The patch-test mixes' components in the reference, fragrances and parabens among them,
    // are such rows.)
    for (annex, rows, new) in [
        ("II", 1744, 1699),
        ("III", 373, 349),
        ("IV", 154, 135),
        ("V", 57, 43),
        ("VI", 34, 31),
    ] {
        let Some(file) = realdata(&format!("cosing/COSING_Annex_{annex}_v2.csv")) else {
            return;
        };
        let r = w
            .run(&[
                "import",
                "substances",
                file.to_str().unwrap(),
                "--dry-run",
                "--format",
                "json",
            ])
            .ok()
            .json();
        assert_eq!(r["rows"], rows, "annex {annex}");
        assert_eq!(
            r["substances"]["new"], new,
            "annex {annex}: {}",
            r["substances"]
        );
        assert_eq!(r["rejected"].as_array().unwrap().len(), 0);
    }
    // Annex IV is the colourants: after it, a CI number it lists is known.
    let file = realdata("cosing/COSING_Annex_IV_v2.csv").unwrap();
    w.run(&["import", "substances", file.to_str().unwrap()])
        .ok();
    let s = w
        .run(&["substance", "show", "CI 10006", "--format", "json"])
        .ok()
        .json();
    assert_eq!(s["cas"][0], "16143-80-9");
}

#[test]
fn the_sephora_product_list_imports_as_a_label_catalog_in_windows_1252() {
    let Some(file) = realdata("products/sephora_cosmetics.csv") else {
        return;
    };
    let w = Work::new();
    let f = file.to_str().unwrap();
    w.run(&["import", "catalog", f, "--supplier", "Sephora"])
        .code(1)
        .stderr_has("--encoding windows-1252");
    let r = w
        .run(&[
            "import",
            "catalog",
            f,
            "--supplier",
            "Sephora",
            "--encoding",
            "windows-1252",
            "--skip-invalid",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(r["layout"], "one row per product");
    assert_eq!(r["rows"], 1472);
    assert_eq!(r["lines"], 1473);
    assert_eq!(r["kind_assumed"], "pigment", "says which kind it assumed");
    // `#NAME?` cells and marketing sentences are invalid rows, not ingredients.
    let rejected = r["products"]["rejected"].as_i64().unwrap();
    assert!((50..200).contains(&rejected), "{}", r["products"]);
    assert_eq!(r["products"]["new"].as_i64().unwrap() + rejected, 1472);
    let reasons = r["rejected"].to_string();
    assert!(reasons.contains("#NAME?") && reasons.contains("sentence"));
    let p = w
        .run(&["product", "show", "Crème de la Mer", "--format", "json"])
        .ok()
        .json();
    assert_eq!(
        p["formulation"]["ingredients"][0]["name_as_declared"],
        "Algae (Seaweed) Extract"
    );
}

#[test]
fn a_locked_database_gives_a_clear_error_naming_the_file_and_changes_nothing() {
    let w = Work::new();
    let holder = rusqlite::Connection::open(w.db()).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let run = w.run_env(
        &["client", "add", "C-1", "--name", "A"],
        &[("INKGUARD_BUSY_TIMEOUT", "0.3")],
    );
    run.code(1)
        .stderr_has("clinic.db")
        .stderr_has("locked")
        .stderr_has("try again");
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    assert_eq!(w.count("clients"), 0);
    w.run(&["client", "add", "C-1", "--name", "A"]).ok();
}

#[test]
fn a_database_in_a_missing_folder_or_under_a_file_is_a_clear_error() {
    let w = Work::empty();
    let missing = w.path("no/such/folder/clinic.db");
    w.run(&["--db", missing.to_str().unwrap(), "product", "list"])
        .code(1)
        .stderr_has("no database at")
        .stderr_has("init");
    std::fs::write(w.path("plain-file"), "x").unwrap();
    let under_file = w.path("plain-file/clinic.db");
    w.run(&["--db", under_file.to_str().unwrap(), "init"])
        .code(1)
        .stderr_has("plain-file");
}

#[test]
fn a_read_only_database_is_refused_with_its_name_and_changes_nothing() {
    use std::os::unix::fs::PermissionsExt;
    let w = Work::new();
    w.run(&["client", "add", "C-1", "--name", "A"]).ok();
    // Close the WAL so that the file alone holds the database, then make folder and file read-only.
    rusqlite::Connection::open(w.db())
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    std::fs::set_permissions(w.db(), std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(w.dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let run = w.run(&["client", "add", "C-2", "--name", "B"]);
    std::fs::set_permissions(w.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(w.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
    if run.code == 0 {
        // root ignores file permissions.
        eprintln!("skipped: running as root, permissions do not make the file read-only");
        return;
    }
    run.code(1).stderr_has("clinic.db").stderr_has("read");
    assert_eq!(w.count("clients"), 1);
}

#[test]
fn a_disk_that_fills_during_an_import_gives_a_clear_error_and_changes_nothing() {
    let w = Work::empty();
    let Some(disk) = SmallDisk::mount(w.path("small"), "1m") else {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    };
    let db = disk.0.join("clinic.db");
    let db_arg = db.to_str().unwrap().to_string();
    w.run(&["--db", &db_arg, "init"]).ok();
    let file = generated_catalog(w.dir.path(), "big.csv", 3_000);
    let run = w.run(&[
        "--db",
        &db_arg,
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "Gen",
    ]);
    run.code(1)
        .stderr_has("clinic.db")
        .stderr_has("full")
        .stderr_has("nothing was written");
    w.run(&["--db", &db_arg, "doctor"]).ok();
    w.run(&["--db", &db_arg, "product", "list", "--format", "json"])
        .ok()
        .stdout_has("[]");
}

#[test]
fn nul_bytes_are_refused_with_their_line() {
    let w = Work::new();
    let file = w.path("nul.csv");
    std::fs::write(
        &file,
        b"code,name,ingredient\nA,Alpha,Aqua\nB,Beta,Gly\0cerin\n",
    )
    .unwrap();
    w.run(&[
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "S",
    ])
    .code(1)
    .stderr_has("line 3")
    .stderr_has("NUL");
    assert_eq!(w.count("products"), 0);
}

#[test]
fn memory_stays_flat_as_the_file_grows() {
    let w = Work::new();
    let small = generated_catalog(w.dir.path(), "small.csv", 1_000);
    let large = generated_catalog(w.dir.path(), "large.csv", 10_000);
    let Some((code, small_peak)) = peak_kib(
        &w,
        &[
            "import",
            "catalog",
            small.to_str().unwrap(),
            "--supplier",
            "A",
            "--dry-run",
        ],
    ) else {
        return;
    };
    assert_eq!(code, 0);
    let (code, large_peak) = peak_kib(
        &w,
        &[
            "import",
            "catalog",
            large.to_str().unwrap(),
            "--supplier",
            "A",
            "--dry-run",
        ],
    )
    .unwrap();
    assert_eq!(code, 0);
    // Ten times the rows; the peak may move by a few MiB (SQLite's cache fills), not tenfold.
    assert!(
        large_peak < small_peak + 16 * 1024,
        "peak {small_peak} KiB for 1,000 products, {large_peak} KiB for 10,000"
    );
}

#[test]
fn a_ten_megabyte_cell_and_a_line_of_100000_fields_are_handled_within_bounded_memory() {
    let w = Work::new();
    // A label declaration of 10 MB: one product with a very long ingredient list.
    let cell = w.path("cell.csv");
    let mut text = String::from("Product,Ingredients\nHuge,\"");
    while text.len() < 10 * 1024 * 1024 {
        text.push_str("Aqua, Glycerin, ");
    }
    text.push_str("Silica\"\n");
    std::fs::write(&cell, &text).unwrap();
    let Some((code, peak)) = peak_kib(
        &w,
        &[
            "import",
            "catalog",
            cell.to_str().unwrap(),
            "--supplier",
            "S",
            "--dry-run",
        ],
    ) else {
        return;
    };
    assert_eq!(code, 1, "a list of 1.3 million items is refused");
    assert!(peak < 128 * 1024, "peak {peak} KiB for a 10 MB cell");
    w.run(&[
        "import",
        "catalog",
        cell.to_str().unwrap(),
        "--supplier",
        "S",
    ])
    .code(1)
    .stdout_has("more than 1000 items");
    // A header and a row of 100,000 fields.
    let wide = w.path("wide.csv");
    let mut text = String::from("code,name,ingredient");
    for i in 0..100_000 {
        text.push_str(&format!(",extra{i}"));
    }
    text.push_str("\nW-1,Wide,Aqua");
    text.push_str(&",x".repeat(100_000));
    text.push('\n');
    std::fs::write(&wide, &text).unwrap();
    let (code, peak) = peak_kib(
        &w,
        &[
            "import",
            "catalog",
            wide.to_str().unwrap(),
            "--supplier",
            "S",
            "--dry-run",
        ],
    )
    .unwrap();
    assert_eq!(code, 0);
    assert!(peak < 256 * 1024, "peak {peak} KiB for 100,000 fields");
    let r = w
        .run(&[
            "import",
            "catalog",
            wide.to_str().unwrap(),
            "--supplier",
            "S",
            "--dry-run",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert!(
        r["warnings"][0]
            .as_str()
            .unwrap()
            .contains("and 99990 more"),
        "{}",
        r["warnings"][0]
    );
}

#[test]
fn a_record_larger_than_the_limit_is_refused_with_its_line() {
    let w = Work::new();
    let file = w.path("unclosed.csv");
    let mut text = String::from("code,name,ingredient\nA,Alpha,Aqua\nB,\"Beta");
    text.push_str(&"x".repeat(17 * 1024 * 1024));
    std::fs::write(&file, text).unwrap();
    w.run(&[
        "import",
        "catalog",
        file.to_str().unwrap(),
        "--supplier",
        "S",
    ])
    .code(1)
    .stderr_has("line 3")
    .stderr_has("unclosed quote");
}
