//! A work folder with its own database, and a runner that shows the command, its stdout and
//! its stderr when an expectation fails.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Work {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The result of a finished command.
    pub fn of(args: &[&str], out: std::process::Output) -> Run {
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn context(&self) -> String {
        format!(
            "\n$ inkguard {}\n--- exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    /// Expects this exit code and returns self for more checks.
    #[track_caller]
    pub fn code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "unexpected exit code{}", self.context());
        self
    }

    #[track_caller]
    pub fn ok(&self) -> &Run {
        self.code(0)
    }

    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Run {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}{}",
            self.context()
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Run {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}{}",
            self.context()
        );
        self
    }

    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON: {e}{}", self.context()))
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A file of the repository's `examples/` (the README's supplier files, series and alerts).
pub fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// The reason codes of a verdict's JSON (`check --format json`), in order.
pub fn reason_codes(doc: &serde_json::Value) -> Vec<String> {
    doc["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap().to_string())
        .collect()
}

/// A file of `../shared/realdata/`, or `None` (with a message) when that folder is absent.
pub fn realdata(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/realdata")
        .join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

impl Work {
    /// A new folder with no database yet.
    pub fn empty() -> Work {
        Work {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    /// A new folder with an initialised database.
    pub fn new() -> Work {
        let w = Work::empty();
        w.run(&["init"]).ok();
        w
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("clinic.db")
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs inkguard with the work folder's database, a fixed clock and a fixed user.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Records a sensitivity of `client` to `target` (a substance or a group), from `source`.
    pub fn add_sensitivity(&self, client: &str, target: &str, source: &str) {
        self.run(&["sensitivity", "add", client, target, "--source", source])
            .ok();
    }

    /// Runs a command that records something (a treatment, a patch test, a sensitivity),
    /// expects it to succeed, and gives the new record's id, read from its JSON.
    pub fn record_id(&self, args: &[&str]) -> String {
        let args = [args, &["--format", "json"]].concat();
        self.run(&args).ok().json()["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no id from {args:?}"))
            .to_string()
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::of(args, cmd.output().expect("inkguard runs"))
    }

    /// The command `run` runs, to be started by the caller (for tests of concurrency).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_inkguard"));
        cmd.args(args)
            .env("INKGUARD_DB", self.db())
            .env("INKGUARD_NOW", "2026-11-23T10:00:00Z")
            .env("INKGUARD_USER", "test-technician")
            .env("NO_COLOR", "1")
            // The clinic's zone defaults to the machine's: fixed, so that results do not depend on it.
            .env("TZ", "UTC")
            .env_remove("RUST_BACKTRACE")
            .current_dir(self.dir.path());
        cmd
    }

    /// Imports a fixture as a supplier's catalog and expects success.
    pub fn import(&self, fixture_name: &str, supplier: &str, extra: &[&str]) -> serde_json::Value {
        self.import_path(&fixture(fixture_name), supplier, extra)
    }

    /// Imports a file as a supplier's catalog and expects success.
    pub fn import_path(&self, file: &Path, supplier: &str, extra: &[&str]) -> serde_json::Value {
        let mut args = vec![
            "import",
            "catalog",
            file.to_str().unwrap(),
            "--supplier",
            supplier,
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        self.run(&args).ok().json()
    }

    /// The whole catalog as `export catalog` writes it: a fingerprint of the database's content.
    pub fn catalog(&self) -> String {
        self.run(&["export", "catalog"]).ok().stdout.clone()
    }

    /// Counts rows with SQL, for checks that nothing changed.
    pub fn count(&self, table: &str) -> i64 {
        let conn = rusqlite::Connection::open(self.db()).unwrap();
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }
}

/// Writes a generated one-row-per-ingredient catalog of `products` products (about 8.5 rows
/// each) and returns its path.
pub fn generated_catalog(dir: &Path, name: &str, products: usize) -> PathBuf {
    const SUBSTANCES: [(&str, &str); 11] = [
        ("Carbon Black", "1333-86-4"),
        ("Aqua", "7732-18-5"),
        ("Glycerin", "56-81-5"),
        ("Isopropyl Alcohol", "67-63-0"),
        ("Titanium Dioxide", "13463-67-7"),
        ("Witch Hazel", "84696-19-5"),
        ("Propylene Glycol", "57-55-6"),
        ("Shellac", "9000-59-3"),
        ("Silica", "7631-86-9"),
        ("Sorbitol", "50-70-4"),
        ("Phenoxyethanol", "122-99-6"),
    ];
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "code,name,ingredient,cas,concentration,lot").unwrap();
    for p in 0..products {
        let k = 6 + p % 6;
        for (i, (n, cas)) in SUBSTANCES.iter().cycle().skip(p % 11).take(k).enumerate() {
            writeln!(
                f,
                "G-{p:06},Generated {p},{n},{cas},{}.{},L{p}",
                1 + i,
                p % 10
            )
            .unwrap();
        }
    }
    f.flush().unwrap();
    path
}

/// A small tmpfs, mounted for the test and unmounted after it.
pub struct SmallDisk(pub PathBuf);

impl SmallDisk {
    pub fn mount(at: PathBuf, size: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(&at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(SmallDisk(at))
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A small seeded generator (xorshift), so that a test's "random" points are the same on every
/// run with the same seed: `INKGUARD_TEST_SEED` chooses it, and the test prints it.
pub struct Rng(u64);

impl Rng {
    /// Seeded from `INKGUARD_TEST_SEED` when set, else from `default`; prints the seed.
    pub fn seeded(test: &str, default: u64) -> Rng {
        let seed = std::env::var("INKGUARD_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default);
        eprintln!("{test}: seed {seed} (rerun with INKGUARD_TEST_SEED={seed})");
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `low..high`.
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low).max(1)
    }
}

/// How a command that was to be killed ended.
pub enum Killed {
    /// It finished before the kill: its result.
    Finished(Run),
    /// It was killed (SIGKILL) while running.
    Killed,
}

impl Work {
    /// Runs a command and kills it without warning (SIGKILL) `after` it started, unless it
    /// finished first.
    pub fn run_killed_after(&self, args: &[&str], after: Duration) -> Killed {
        let mut child = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("inkguard starts");
        let started = Instant::now();
        while started.elapsed() < after {
            if child.try_wait().unwrap().is_some() {
                return Killed::Finished(Run::of(args, child.wait_with_output().unwrap()));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if child.try_wait().unwrap().is_some() {
            return Killed::Finished(Run::of(args, child.wait_with_output().unwrap()));
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        Killed::Killed
    }

    /// `doctor` and `audit verify` both pass: what every fault must leave behind.
    #[track_caller]
    pub fn assert_healthy(&self) {
        self.run(&["doctor"])
            .ok()
            .stdout_has("integrity check: ok")
            .stdout_has("audit chain: intact");
        self.run(&["audit", "verify"]).ok();
    }

    /// Whether the database file, its `-wal` or its `-shm` holds `needle` anywhere in its bytes.
    pub fn files_contain(&self, needle: &str) -> Vec<PathBuf> {
        ["", "-wal", "-shm"]
            .iter()
            .map(|suffix| self.path(&format!("clinic.db{suffix}")))
            .filter(|p| {
                std::fs::read(p)
                    .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
            })
            .collect()
    }

    /// Adds `megabytes` of random bulk in a table of its own, so that a copy or a rewrite of the
    /// file takes a moment.
    pub fn bulk(&self, megabytes: usize) {
        rusqlite::Connection::open(self.db())
            .unwrap()
            .execute_batch(&format!(
                "CREATE TABLE IF NOT EXISTS bulk (b BLOB);
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {})
                 INSERT INTO bulk SELECT randomblob(65536) FROM n;",
                megabytes * 16
            ))
            .unwrap();
    }
}
