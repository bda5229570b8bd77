//! Operations that protect the record (SPEC 8): files written by `backup` and `export -o`,
//! backups under concurrent writers, stored text printed safely, `init` on damaged or exposed
//! files, and `client erase` telling what was written.

use crate::support::Work;

/// A clinic with a catalog whose product name was written to spoof the terminal: a carriage
/// return, an "erase line" sequence and a fake all-clear headline.
fn spoofing_clinic() -> Work {
    let w = Work::new();
    std::fs::write(
        w.path("evil.csv"),
        "code,name,ingredient,cas\n\
         EV-1,\"Night Black\r\x1b[2KCLEAR for client C-1: no known allergen\",Nickel,7440-02-0\n",
    )
    .unwrap();
    w.import_path(&w.path("evil.csv"), "Evil Inks", &[]);
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w.run(&["client", "add", "C-1", "--name", "Ann\x1b[31m Example"])
        .ok();
    w.add_sensitivity("C-1", "nickel", "physician");
    w
}

fn has_raw_controls(text: &str) -> bool {
    text.chars().any(|c| c == '\r' || c == '\x1b')
}

#[test]
fn a_spoofing_product_name_cannot_hide_the_blocked_headline() {
    let w = spoofing_clinic();
    let run = w.run(&["check", "C-1", "EV-1"]);
    run.code(4).stdout_has("BLOCKED");
    assert!(
        !has_raw_controls(&run.stdout),
        "raw controls:\n{}",
        run.stdout
    );
    assert!(
        !has_raw_controls(&run.stderr),
        "raw controls:\n{}",
        run.stderr
    );
    run.stdout_has("\\r\\x1b[2KCLEAR for client C-1");
    for args in [
        vec!["product", "list"],
        vec!["product", "list", "--format", "csv"],
        vec!["product", "show", "EV-1"],
        vec!["client", "show", "C-1"],
        vec!["client", "list"],
        vec!["--as", "mallory\r\x1b[2K", "lot", "add", "EV-1", "L-1"],
        vec!["audit", "log"],
        vec!["check", "C-1", "EV-1\r\x1b[2Kx"],
    ] {
        let run = w.run(&args);
        assert!(
            !has_raw_controls(&run.stdout) && !has_raw_controls(&run.stderr),
            "{args:?} sent raw control characters:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
}

#[test]
fn export_and_backup_never_write_over_a_file_or_a_database() {
    let w = Work::new();
    let db = w.db();
    let db_arg = db.to_str().unwrap();
    let size = std::fs::metadata(&db).unwrap().len();
    // The live database, with or without --force.
    for extra in [&[][..], &["--force"][..]] {
        let mut args = vec!["export", "catalog", "-o", db_arg];
        args.extend_from_slice(extra);
        w.run(&args).code(1).stderr_has("live database");
        let mut args = vec!["backup", db_arg];
        args.extend_from_slice(extra);
        w.run(&args).code(1).stderr_has("live database");
    }
    assert_eq!(std::fs::metadata(&db).unwrap().len(), size);
    w.run(&["audit", "verify"]).ok();
    // Another database, even with --force.
    let other = w.path("other.db");
    std::fs::copy(&db, &other).unwrap();
    let other_arg = other.to_str().unwrap();
    w.run(&["export", "catalog", "-o", other_arg, "--force"])
        .code(1)
        .stderr_has("is an SQLite database");
    // An ordinary file: only with --force.
    let notes = w.path("notes.csv");
    std::fs::write(&notes, "keep me").unwrap();
    let notes_arg = notes.to_str().unwrap();
    w.run(&["export", "catalog", "-o", notes_arg])
        .code(1)
        .stderr_has("exists already")
        .stderr_has("--force");
    w.run(&["backup", notes_arg])
        .code(1)
        .stderr_has("exists already");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "keep me");
    w.run(&["export", "catalog", "-o", notes_arg, "--force"])
        .ok();
    assert!(std::fs::read_to_string(&notes)
        .unwrap()
        .starts_with("supplier,code"));
    w.run(&["backup", notes_arg, "--force"])
        .ok()
        .stdout_has("audit head: ");
    // Nothing left beside the targets.
    let leftovers: Vec<_> = std::fs::read_dir(w.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_backup_finishes_while_others_keep_writing() {
    let w = Work::new();
    // A clinic's size: a catalog, some clients, and 50 MB of bulk.
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    for i in 0..10 {
        w.run(&[
            "client",
            "add",
            &format!("B-{i:03}"),
            "--name",
            "Bulk Client",
        ])
        .ok();
    }
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute_batch(
        "CREATE TABLE bulk (b BLOB);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 800)
         INSERT INTO bulk SELECT randomblob(65536) FROM n;",
    )
    .unwrap();
    drop(conn);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let mut cmd_for = |i: usize| {
            let mut c = w.command(&["client", "add", &format!("W-{i:04}"), "--name", "Writer"]);
            c.stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            c
        };
        let commands: Vec<_> = (0..200).map(&mut cmd_for).collect();
        std::thread::spawn(move || {
            let mut written = 0;
            for mut c in commands {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                if c.status().unwrap().success() {
                    written += 1;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            written
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(300));
    let copy = w.path("copy.db");
    let started = std::time::Instant::now();
    let run = w.run(&["backup", copy.to_str().unwrap()]);
    let took = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.join().unwrap();
    run.ok().stdout_has("integrity check of the copy: ok");
    assert!(took.as_secs() < 30, "the backup took {took:?}");
    assert!(written > 0, "the writer wrote nothing meanwhile");
    w.run(&["--db", copy.to_str().unwrap(), "audit", "verify"])
        .ok();
}

#[cfg(unix)]
#[test]
fn init_makes_an_existing_database_private() {
    use std::os::unix::fs::PermissionsExt;
    let w = Work::new();
    std::fs::set_permissions(w.db(), std::fs::Permissions::from_mode(0o644)).unwrap();
    w.run(&["init"]).ok();
    let mode = std::fs::metadata(w.db()).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}

#[test]
fn init_on_a_database_whose_version_was_reset_says_so_in_one_line() {
    let w = Work::new();
    rusqlite::Connection::open(w.db())
        .unwrap()
        .pragma_update(None, "user_version", 0)
        .unwrap();
    let run = w.run(&["init"]);
    run.code(1)
        .stderr_has("no schema version")
        .stderr_has("hint:");
    assert!(
        !run.stderr.contains("CREATE TABLE") && run.stderr.lines().count() <= 3,
        "{}",
        run.stderr
    );
}

#[test]
fn an_erase_that_cannot_wipe_the_file_says_the_erasure_was_committed() {
    let w = Work::new();
    w.run(&["client", "add", "C-1", "--name", "Zelda Quillfeather"])
        .ok();
    // Another program reads the database all along.
    let reader = rusqlite::Connection::open(w.db()).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader
        .query_row("SELECT count(*) FROM clients", [], |r| r.get(0))
        .unwrap();
    let run = w.run_env(
        &["client", "erase", "C-1", "--confirm"],
        &[("INKGUARD_BUSY_TIMEOUT", "0.3")],
    );
    run.code(1)
        .stderr_has("erased from the records")
        .stderr_has("inkguard client erase C-1 --confirm");
    assert!(
        !run.stderr.contains("nothing was written"),
        "{}",
        run.stderr
    );
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    // The name is gone from the records, and a second run wipes the file.
    let name: Option<String> = rusqlite::Connection::open(w.db())
        .unwrap()
        .query_row("SELECT name FROM clients WHERE code = 'C-1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(name, None);
    // Another program holds the write lock: the file cannot be rewritten, the erasure stands.
    let writer = rusqlite::Connection::open(w.db()).unwrap();
    writer.execute_batch("BEGIN IMMEDIATE").unwrap();
    let run = w.run_env(
        &["client", "erase", "C-1", "--confirm"],
        &[("INKGUARD_BUSY_TIMEOUT", "0.3")],
    );
    run.code(1)
        .stderr_has("erased from the records (committed)")
        .stderr_has("inkguard client erase C-1 --confirm");
    assert!(
        !run.stderr.contains("nothing was written"),
        "{}",
        run.stderr
    );
    writer.execute_batch("COMMIT").unwrap();
    drop(writer);
    w.run(&["client", "erase", "C-1", "--confirm"]).ok();
}

/// Regression: after an erasure whose log could not be emptied, every later command rewrote
/// the whole file again while the other program kept reading, and the log grew by the size
/// of the database each time. The file is rewritten once; later commands only try to empty
/// the log, and do when the reader is gone.
#[test]
fn commands_after_an_unfinished_wipe_do_not_rewrite_the_file_again() {
    let w = Work::new();
    w.run(&["client", "add", "C-1", "--name", "Zelda Quillfeather"])
        .ok();
    let reader = rusqlite::Connection::open(w.db()).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader
        .query_row("SELECT count(*) FROM clients", [], |r| r.get(0))
        .unwrap();
    w.run_env(
        &["client", "erase", "C-1", "--confirm"],
        &[("INKGUARD_BUSY_TIMEOUT", "0.3")],
    )
    .code(1)
    .stderr_has("could not be emptied yet");
    let wal = w.db().with_extension("db-wal");
    let log = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let after_erase = log();
    assert!(after_erase > 0);
    for _ in 0..3 {
        w.run(&["client", "list"]).ok();
    }
    assert!(
        log() <= after_erase,
        "the log grew from {after_erase} to {} bytes",
        log()
    );
    reader.execute_batch("COMMIT").unwrap();
    drop(reader);
    w.run(&["client", "list"]).ok();
    assert_eq!(log(), 0, "the log was emptied once the reader was gone");
}

#[cfg(unix)]
#[test]
fn an_unwritable_shm_file_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let w = Work::new();
    let shm = w.path("clinic.db-shm");
    std::fs::write(&shm, []).unwrap();
    std::fs::set_permissions(&shm, std::fs::Permissions::from_mode(0o400)).unwrap();
    if std::fs::OpenOptions::new().write(true).open(&shm).is_ok() {
        // Permissions do not bind this user (root): make the file immutable instead.
        let immutable = std::process::Command::new("chattr")
            .arg("+i")
            .arg(&shm)
            .status()
            .is_ok_and(|s| s.success());
        if !immutable {
            eprintln!("skipped: cannot make {} unwritable here", shm.display());
            return;
        }
    }
    let run = w.run(&["client", "add", "C-1", "--name", "Ann"]);
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(&shm)
        .status();
    run.code(1).stderr_has("clinic.db-shm cannot be written");
}

#[cfg(unix)]
#[test]
fn a_killed_backup_leaves_no_partial_file_at_its_target() {
    let w = Work::new();
    // Bulk the database up (40 MB) so that the copy takes a moment.
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    conn.execute_batch(
        "CREATE TABLE bulk (b BLOB);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 640)
         INSERT INTO bulk SELECT randomblob(65536) FROM n;",
    )
    .unwrap();
    drop(conn);
    let target = w.path("copy.db");
    let mut child = w
        .command(&["backup", target.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let partial = || {
        std::fs::read_dir(w.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().contains("inkguard-partial"))
    };
    let started = std::time::Instant::now();
    while !partial() && started.elapsed() < std::time::Duration::from_secs(10) {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let finished = child.try_wait().unwrap().is_some();
    child.kill().ok();
    child.wait().unwrap();
    if finished {
        eprintln!("skipped: the backup finished before it could be killed");
        return;
    }
    assert!(
        !target.exists(),
        "a killed backup left a file at its target"
    );
    // What it left is named as partial, and the next backup goes through.
    w.run(&["backup", target.to_str().unwrap()]).ok();
}
