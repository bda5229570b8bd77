//! Fault injection (issue #13): `kill -9` at seeded random points of an import, a treatment, a
//! backup and an erase (some with another writer at work), a full disk, writers racing each
//! other, a backup under continuous writes, and garbage in every `INKGUARD_*` variable. After
//! each fault `doctor` and `audit verify` pass and every record is either whole or absent.
//!
//! The random points come from a printed seed: rerun a failure with `INKGUARD_TEST_SEED=N`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::support::{generated_catalog, Killed, Rng, Run, SmallDisk, Work};

/// The verdict catalog, no patch test needed, and client C-1 with a name to look for in files.
fn clinic() -> Work {
    let w = Work::new();
    w.import("verdict_catalog.csv", "Inkworks", &[]);
    w.run(&["policy", "set", "require-patch-test", "false"])
        .ok();
    w.run(&["client", "add", "C-1", "--name", "Zelda Quillfeather"])
        .ok();
    w
}

/// A thread that adds a client every `pause` until stopped; returns how many landed, and
/// fails on a "database is locked".
struct Writer {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<usize>,
}

impl Writer {
    fn start(w: &Work, prefix: &str, pause: Duration) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let commands: Vec<_> = (0..2000)
            .map(|i| {
                let code = format!("{prefix}-{i:04}");
                let mut c = w.command(&["client", "add", &code, "--name", "Writer Example"]);
                c.stdout(Stdio::null()).stderr(Stdio::piped());
                c
            })
            .collect();
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut landed = 0;
            for mut c in commands {
                if flag.load(Ordering::Relaxed) {
                    break;
                }
                let out = c.output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(
                    !stderr.contains("locked"),
                    "the writer was locked out: {stderr}"
                );
                assert!(out.status.success(), "the writer failed: {stderr}");
                landed += 1;
                std::thread::sleep(pause);
            }
            landed
        });
        Writer { stop, thread }
    }

    fn finish(self) -> usize {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("the writer thread")
    }
}

fn count(w: &Work, sql: &str) -> i64 {
    rusqlite::Connection::open(w.db())
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn an_import_killed_at_random_points_lands_whole_or_not_at_all() {
    let mut rng = Rng::seeded("import", 0x1f2e_3d4c);
    let w = Work::new();
    let file = generated_catalog(w.dir.path(), "gen.csv", 1_500);
    let f = file.to_str().unwrap();
    for i in 0..4 {
        let supplier = format!("Gen{i}");
        let after = Duration::from_millis(rng.range(20, 2_500));
        let args = ["import", "catalog", f, "--supplier", &supplier];
        let outcome = w.run_killed_after(&args, after);
        if let Killed::Finished(run) = &outcome {
            run.ok();
        }
        w.assert_healthy();
        let products = count(
            &w,
            &format!(
                "SELECT count(*) FROM products p JOIN suppliers s ON s.id = p.supplier_id WHERE s.name = '{supplier}'"
            ),
        );
        let how = match outcome {
            Killed::Killed => "killed",
            Killed::Finished(_) => "finished",
        };
        eprintln!("import {i}: {how} at {after:?}: {products} products");
        assert!(
            products == 0 || products == 1_500,
            "a killed import left {products} of 1500 products"
        );
        assert!(how == "killed" || products == 1_500);
    }
    w.import_path(&file, "Gen-again", &[]);
    w.assert_healthy();
}

#[test]
fn a_treatment_killed_at_random_points_has_all_its_lots_or_none() {
    let mut rng = Rng::seeded("treatment", 0x5eed_0001);
    let w = clinic();
    let args = [
        "treatment",
        "record",
        "C-1",
        "--product",
        "PL-1",
        "--lot",
        "PL1-L1",
        "--product",
        "PB-1",
        "--lot",
        "PB-L1",
        "--product",
        "WH-1",
        "--lot",
        "WH-L1",
        "--override",
        "restricted pigment discussed with the client",
    ];
    w.run(&args).ok();
    let writer = Writer::start(&w, "W", Duration::from_millis(20));
    // A treatment takes some tens of milliseconds here: most kills land before or inside it.
    for i in 0..8 {
        let after = Duration::from_millis(rng.range(5, 70));
        match w.run_killed_after(&args, after) {
            Killed::Finished(run) => {
                run.ok();
                eprintln!("treatment {i}: finished before {after:?}");
            }
            Killed::Killed => eprintln!("treatment {i}: killed after {after:?}"),
        }
    }
    let landed = writer.finish();
    eprintln!("the writer added {landed} clients meanwhile");
    w.assert_healthy();
    let partial = count(
        &w,
        "SELECT count(*) FROM treatments t
         WHERE (SELECT count(*) FROM treatment_items i WHERE i.treatment_id = t.id) <> 3",
    );
    assert_eq!(partial, 0, "a treatment without all its lots");
    w.run(&args).ok();
}

#[test]
fn an_erase_killed_at_random_points_is_complete_or_not_started() {
    let mut rng = Rng::seeded("erase", 0xe7a5e);
    let w = clinic();
    // Bulk, so that rewriting the file takes a moment to be killed in.
    w.bulk(12);
    for i in 0..5 {
        let code = format!("E-{i}");
        let surname = format!("Quillfeather{i}x");
        w.run(&["client", "add", &code, "--name", &format!("Ann {surname}")])
            .ok();
        let after = Duration::from_millis(rng.range(5, 400));
        let outcome = w.run_killed_after(&["client", "erase", &code, "--confirm"], after);
        if let Killed::Finished(run) = &outcome {
            // Once the command says so, the name is in none of the files.
            run.ok();
            assert!(
                w.files_contain(&surname).is_empty(),
                "erase said done, the name is in {:?}",
                w.files_contain(&surname)
            );
        }
        // The next command, whatever it is, finds the database whole.
        w.assert_healthy();
        let name: Option<String> = rusqlite::Connection::open(w.db())
            .unwrap()
            .query_row("SELECT name FROM clients WHERE code = ?1", [&code], |r| {
                r.get(0)
            })
            .unwrap();
        eprintln!(
            "erase {i}: killed after {after:?}: {}",
            if name.is_some() {
                "not started"
            } else {
                "erased"
            }
        );
        if name.is_none() {
            assert!(
                w.files_contain(&surname).is_empty(),
                "an erasure interrupted after its commit left the name in {:?}",
                w.files_contain(&surname)
            );
        }
    }
}

/// Files beside `target` that a backup left on its way.
fn partials(target: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains("inkguard-partial"))
        .collect()
}

#[test]
fn a_backup_killed_at_random_points_leaves_nothing_or_a_valid_copy() {
    let mut rng = Rng::seeded("backup", 0xbac0);
    let w = clinic();
    w.bulk(40);
    let writer = Writer::start(&w, "B", Duration::from_millis(50));
    for i in 0..4 {
        let target = w.path(&format!("copy-{i}.db"));
        let t = target.to_str().unwrap();
        let after = Duration::from_millis(rng.range(5, 250));
        let outcome = w.run_killed_after(&["backup", t], after);
        eprintln!(
            "backup {i}: after {after:?}: {}",
            if matches!(outcome, Killed::Killed) {
                "killed"
            } else {
                "finished"
            }
        );
        if let Killed::Finished(run) = &outcome {
            run.ok();
        }
        if target.exists() {
            // Never a partial file: a complete database that verifies on its own.
            w.run(&["--db", t, "audit", "verify"]).ok();
            w.run(&["--db", t, "doctor"]).ok();
        } else {
            // The next backup to that name goes through, and sweeps what the killed one left
            // beside it (a copy of the clinic's personal data).
            w.run(&["backup", t]).ok();
            w.run(&["--db", t, "audit", "verify"]).ok();
        }
        assert!(
            partials(&target).is_empty(),
            "left beside the target: {:?}",
            partials(&target)
        );
    }
    writer.finish();
    w.assert_healthy();
}

/// The database on a small tmpfs, filled up by a filler file: `None` (with a message) where no
/// tmpfs can be mounted (not root).
struct FullDisk {
    disk: SmallDisk,
    filler: PathBuf,
}

impl FullDisk {
    fn mount(w: &Work, size: &str) -> Option<FullDisk> {
        let Some(disk) = SmallDisk::mount(w.path("small"), size) else {
            eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
            return None;
        };
        let filler = disk.0.join("filler");
        Some(FullDisk { disk, filler })
    }

    fn db(&self) -> String {
        self.disk.0.join("clinic.db").display().to_string()
    }

    /// Fills the disk, then frees `leave` bytes.
    fn fill(&self, leave: u64) {
        use std::io::Write;
        let mut f = std::fs::File::create(&self.filler).unwrap();
        let chunk = vec![0u8; 64 * 1024];
        while f.write_all(&chunk).is_ok() {}
        let _ = f.flush();
        let len = std::fs::metadata(&self.filler).unwrap().len();
        f.set_len(len.saturating_sub(leave)).unwrap();
    }

    fn free(&self) {
        let _ = std::fs::remove_file(&self.filler);
    }
}

/// Runs a command against the database on the disk.
fn on(w: &Work, disk: &FullDisk, args: &[&str]) -> Run {
    let db = disk.db();
    let mut all = vec!["--db", db.as_str()];
    all.extend_from_slice(args);
    w.run(&all)
}

#[track_caller]
fn says_the_disk_is_full(run: &Run, file: &str) {
    run.code(1)
        .stderr_has("full")
        .stderr_has(file)
        .stderr_has("free");
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
}

#[test]
fn a_full_disk_is_named_with_its_file_and_fix_and_nothing_is_half_written() {
    let w = Work::empty();
    let Some(disk) = FullDisk::mount(&w, "48m") else {
        return;
    };
    on(&w, &disk, &["init"]).ok();
    let fixture = crate::support::fixture("verdict_catalog.csv");
    let fixture = fixture.to_str().unwrap();
    on(
        &w,
        &disk,
        &["import", "catalog", fixture, "--supplier", "Inkworks"],
    )
    .ok();
    on(&w, &disk, &["policy", "set", "require-patch-test", "false"]).ok();
    on(
        &w,
        &disk,
        &["client", "add", "C-1", "--name", "Zelda Quillfeather"],
    )
    .ok();
    rusqlite::Connection::open(disk.db())
        .unwrap()
        .execute_batch(
            "CREATE TABLE bulk (b BLOB);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 64)
             INSERT INTO bulk SELECT randomblob(65536) FROM n;",
        )
        .unwrap();

    disk.fill(0);
    let treatment = [
        "treatment",
        "record",
        "C-1",
        "--product",
        "PL-1",
        "--lot",
        "PL1-L1",
    ];
    let run = on(&w, &disk, &treatment);
    says_the_disk_is_full(&run, "clinic.db");
    run.stderr_has("nothing was written");
    // A command that only reads works or names the full disk too.
    let run = on(&w, &disk, &["client", "list"]);
    if run.code != 0 {
        says_the_disk_is_full(&run, "clinic.db");
    }
    let other = crate::support::fixture("split_product.csv");
    let run = on(
        &w,
        &disk,
        &[
            "import",
            "catalog",
            other.to_str().unwrap(),
            "--supplier",
            "Other",
        ],
    );
    says_the_disk_is_full(&run, "clinic.db");
    run.stderr_has("nothing was written");

    // Room for the erasure's commit, not for rewriting the file: the erasure stands, and the
    // message says so.
    disk.free();
    disk.fill(256 * 1024);
    let run = on(&w, &disk, &["client", "erase", "C-1", "--confirm"]);
    says_the_disk_is_full(&run, "clinic.db");
    run.stderr_has("erased from the records (committed)")
        .stderr_has("inkguard client erase C-1 --confirm");
    assert!(
        !run.stderr.contains("nothing was written"),
        "{}",
        run.stderr
    );

    disk.free();
    w.run(&["--db", &disk.db(), "doctor"]).ok();
    w.run(&["--db", &disk.db(), "audit", "verify"]).ok();
    let db = PathBuf::from(disk.db());
    let conn = rusqlite::Connection::open(&db).unwrap();
    let treatments: i64 = conn
        .query_row("SELECT count(*) FROM treatments", [], |r| r.get(0))
        .unwrap();
    let other_products: i64 = conn
        .query_row(
            "SELECT count(*) FROM products p JOIN suppliers s ON s.id = p.supplier_id WHERE s.name = 'Other'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    assert_eq!((treatments, other_products), (0, 0), "nothing half-written");
    on(&w, &disk, &["client", "erase", "C-1", "--confirm"]).ok();
    on(&w, &disk, &treatment).ok();

    // A backup onto the full disk names the copy's file, and leaves nothing there.
    let live = clinic();
    disk.fill(0);
    let target = disk.disk.0.join("copy.db");
    let t = target.to_str().unwrap();
    let run = live.run(&["backup", t]);
    says_the_disk_is_full(&run, "copy.db");
    assert!(
        !target.exists(),
        "a failed backup left a file at its target"
    );
    assert!(partials(&target).is_empty(), "{:?}", partials(&target));
    disk.free();
    live.run(&["backup", t]).ok();
}

#[test]
fn writers_at_once_all_land_without_database_is_locked() {
    let w = clinic();
    const WRITERS: usize = 4;
    for p in 0..WRITERS {
        let code = format!("P-{p}");
        w.run(&["client", "add", &code, "--name", "Parallel Example"])
            .ok();
        w.run(&[
            "patch-test",
            "apply",
            &code,
            "--substance",
            "nickel",
            "--substance",
            "cobalt",
            "--substance",
            "glycerin",
            "--at",
            "2026-11-19T09:00",
        ])
        .ok();
    }
    let targets = ["nickel", "cobalt", "quaternium-15", "titanium dioxide"];
    let threads: Vec<_> = (0..WRITERS)
        .map(|p| {
            let code = format!("P-{p}");
            let test = (p + 1).to_string();
            let treatment = [
                "treatment",
                "record",
                &code,
                "--product",
                "PL-1",
                "--lot",
                "PL1-L1",
            ];
            let sensitivity = [
                "sensitivity",
                "add",
                &code,
                targets[p],
                "--source",
                "physician",
            ];
            let mut commands: Vec<Vec<&str>> = vec![treatment.to_vec(), sensitivity.to_vec()];
            let items = ["1", "2", "3"];
            for item in &items {
                commands.push(vec![
                    "patch-test",
                    "read",
                    &test,
                    "--item",
                    item,
                    "--grade",
                    "-",
                    "--at",
                    "2026-11-21T09:00",
                ]);
            }
            commands.push(treatment.to_vec());
            let commands: Vec<_> = commands
                .iter()
                .map(|args| {
                    let owned: Vec<String> = args.iter().map(|s| s.to_string()).collect();
                    (owned, w.command(args))
                })
                .collect();
            std::thread::spawn(move || {
                commands
                    .into_iter()
                    .map(|(args, mut c)| {
                        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
                        Run::of(&refs, c.output().unwrap())
                    })
                    .collect::<Vec<Run>>()
            })
        })
        .collect();
    let runs: Vec<Run> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    for run in &runs {
        run.ok();
    }
    w.assert_healthy();
    assert_eq!(
        count(&w, "SELECT count(*) FROM treatments"),
        WRITERS as i64 * 2
    );
    assert_eq!(
        count(
            &w,
            "SELECT count(*) FROM sensitivities WHERE source = 'physician'"
        ),
        WRITERS as i64
    );
    assert_eq!(
        count(&w, "SELECT count(*) FROM readings"),
        WRITERS as i64 * 3
    );
}

/// Starts the same command twice at once and returns both results.
fn race(w: &Work, args: &[&str]) -> (Run, Run) {
    let spawn = || {
        w.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    (
        Run::of(args, a.wait_with_output().unwrap()),
        Run::of(args, b.wait_with_output().unwrap()),
    )
}

/// Of two racing runs, exactly one succeeded; the other failed with the message the same
/// command gets when run again afterwards (as without a race).
#[track_caller]
fn one_lands_and_the_other_is_refused_as_without_a_race(
    w: &Work,
    args: &[&str],
    (a, b): (Run, Run),
) {
    let (won, lost) = if a.code == 0 { (a, b) } else { (b, a) };
    won.ok();
    let again = w.run(args);
    again.code(1);
    lost.code(1);
    assert_eq!(lost.stderr, again.stderr, "the race gives another message");
}

#[test]
fn two_same_day_readings_at_the_same_moment_land_once() {
    let w = clinic();
    for round in 1..=4 {
        w.run(&[
            "patch-test",
            "apply",
            "C-1",
            "--substance",
            "nickel",
            "--at",
            "2026-11-19T09:00",
        ])
        .ok();
        let test = round.to_string();
        let args = [
            "patch-test",
            "read",
            &test,
            "--grade",
            "-",
            "--at",
            "2026-11-22T09:00",
        ];
        one_lands_and_the_other_is_refused_as_without_a_race(&w, &args, race(&w, &args));
        assert_eq!(
            count(&w, &format!(
                "SELECT count(*) FROM readings r JOIN patch_test_items i ON i.id = r.item_id WHERE i.test_id = {test}"
            )),
            1
        );
    }
    w.assert_healthy();
}

#[test]
fn a_duplicate_client_added_at_the_same_moment_gets_the_message_of_a_duplicate() {
    let w = Work::new();
    for round in 0..4 {
        let code = format!("D-{round}");
        let args = ["client", "add", &code, "--name", "Race Example"];
        let runs = race(&w, &args);
        assert!(!runs.0.stderr.contains("UNIQUE") && !runs.1.stderr.contains("UNIQUE"));
        one_lands_and_the_other_is_refused_as_without_a_race(&w, &args, runs);
    }
    w.assert_healthy();
}

#[test]
fn a_backup_under_continuous_writes_finishes_and_verifies() {
    let w = clinic();
    w.bulk(30);
    let writer = Writer::start(&w, "CW", Duration::from_millis(100));
    std::thread::sleep(Duration::from_millis(300));
    let copy = w.path("copy.db");
    let mut child = w
        .command(&["backup", copy.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A hang guard, not a timing target.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(300) {
            child.kill().unwrap();
            panic!("the backup did not finish in 300 s under a writer");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let run = Run::of(&["backup"], child.wait_with_output().unwrap());
    let landed = writer.finish();
    run.ok().stdout_has("integrity check of the copy: ok");
    assert!(landed > 0, "the writer wrote nothing meanwhile");
    w.run(&["--db", copy.to_str().unwrap(), "audit", "verify"])
        .ok();
    w.assert_healthy();
}

#[test]
fn a_schema_version_reset_outside_inkguard_is_one_line_for_every_command() {
    let w = clinic();
    rusqlite::Connection::open(w.db())
        .unwrap()
        .pragma_update(None, "user_version", 0)
        .unwrap();
    for args in [
        &["init"][..],
        &["client", "list"],
        &["client", "add", "C-2", "--name", "B"],
        &["check", "C-1", "PL-1"],
        &["doctor"],
    ] {
        let run = w.run(args);
        run.code(1)
            .stderr_has("no schema version")
            .stderr_has("hint:");
        assert!(
            !run.stderr.contains("CREATE") && run.stderr.lines().count() <= 3,
            "{}",
            run.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn every_inkguard_variable_with_garbage_is_an_error_or_ignored_never_a_panic() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    let w = clinic();
    let huge = "9".repeat(400);
    let long = "x".repeat(100_000);
    let values: Vec<OsString> = vec![
        "".into(),
        " ".into(),
        huge.as_str().into(),
        format!("-{huge}").into(),
        "1e309".into(),
        "NaN".into(),
        "inf".into(),
        "-1".into(),
        "0".into(),
        "18446744073709551616".into(),
        "9999-99-99T99:99:99Z".into(),
        "+275760-09-13T00:00:00Z".into(),
        "\n\t\u{1b}[2J".into(),
        long.as_str().into(),
        OsString::from_vec(vec![0xff, 0xfe, b'a', 0x80]),
    ];
    let variables = [
        "INKGUARD_DB",
        "INKGUARD_USER",
        "INKGUARD_NOW",
        "INKGUARD_BUSY_TIMEOUT",
    ];
    for var in variables {
        for value in &values {
            for args in [
                &["client", "list"][..],
                &["client", "add", "G-1", "--name", "Garbage Example"],
                &["check", "C-1", "PL-1"],
            ] {
                let out = w.command(args).env(var, value).output().unwrap();
                let run = Run::of(args, out);
                assert!(
                    run.code != 101 && !run.stderr.contains("panicked"),
                    "{var}={value:?} {args:?}: exit {}\n{}",
                    run.code,
                    run.stderr
                );
                if run.code == 1 {
                    assert!(
                        run.stderr.starts_with("error: "),
                        "{var}={value:?}: {}",
                        run.stderr
                    );
                }
            }
        }
    }
}

#[test]
fn an_erasure_whose_wipe_did_not_finish_is_wiped_by_the_next_command() {
    let w = clinic();
    // Another terminal reads while the erase runs, and stays connected after.
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
    .stderr_has("erased from the records");
    reader.execute_batch("COMMIT").unwrap();
    // Any next command finishes the wipe, even one that only reads.
    w.run(&["client", "list"]).ok();
    assert!(
        w.files_contain("Quillfeather").is_empty(),
        "the erased name is still in {:?}",
        w.files_contain("Quillfeather")
    );
    drop(reader);
    w.assert_healthy();
}

#[cfg(unix)]
#[test]
fn an_unwritable_shm_is_named_by_every_command_it_stops() {
    use std::os::unix::fs::PermissionsExt;
    let w = clinic();
    let shm = w.path("clinic.db-shm");
    std::fs::write(&shm, []).unwrap();
    std::fs::set_permissions(&shm, std::fs::Permissions::from_mode(0o400)).unwrap();
    let immutable = std::fs::OpenOptions::new().write(true).open(&shm).is_ok();
    if immutable {
        // Permissions do not bind this user (root): make the file immutable instead.
        let done = std::process::Command::new("chattr")
            .arg("+i")
            .arg(&shm)
            .status()
            .is_ok_and(|s| s.success());
        if !done {
            eprintln!("skipped: cannot make {} unwritable here", shm.display());
            return;
        }
    }
    let runs: Vec<Run> = [
        &["client", "list"][..],
        &["check", "C-1", "PL-1"],
        &["doctor"],
        &["client", "add", "C-2", "--name", "Bo"],
    ]
    .iter()
    .map(|args| w.run(args))
    .collect();
    if immutable {
        let _ = std::process::Command::new("chattr")
            .arg("-i")
            .arg(&shm)
            .status();
    }
    // SQLite reads through a read-only -shm where it can: a reading command may work; one that
    // fails, and every write, names the file.
    let (writes, reads) = runs.split_last().unwrap();
    writes.code(1).stderr_has("clinic.db-shm cannot be written");
    for run in reads.iter().filter(|r| r.code != 0) {
        run.code(1).stderr_has("clinic.db-shm cannot be written");
    }
}
