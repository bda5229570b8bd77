//! A work folder with its own database, and a runner that shows the command, its stdout and
//! its stderr when an expectation fails.

use std::path::{Path, PathBuf};
use std::process::Command;

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
