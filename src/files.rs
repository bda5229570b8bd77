//! Files that commands read (a path, or `-` for standard input) and files that commands write (`backup FILE`, `export ... -o FILE`): never over an existing file
//! without `--force`, never over a database (the live one or any other), and never half-written
//! at FILE: the content goes to a temporary file beside it, renamed into place when complete.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{shell_quote, Error, Result};

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Whether the file at `path` starts as an SQLite database does.
pub fn is_sqlite(path: &Path) -> bool {
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == SQLITE_MAGIC)
}

/// Checks that `target` may be written: refused when it is the live database (or its `-wal` or
/// `-shm`), any SQLite database, or an existing file without `force`.
pub fn check_target(target: &Path, force: bool, live: &Path) -> Result<()> {
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let live_files = [
        live.to_path_buf(),
        with_suffix(live, "-wal"),
        with_suffix(live, "-shm"),
        with_suffix(live, "-journal"),
    ];
    if live_files.iter().any(|l| same(target, l)) {
        return Err(Error::invalid_with_hint(
            format!(
                "{} is the live database (or one of its files): it is never written over",
                target.display()
            ),
            "name a new file, e.g. one dated today",
        ));
    }
    if is_sqlite(target) {
        return Err(Error::invalid_with_hint(
            format!(
                "{} is an SQLite database: inkguard never writes over a database, even with --force",
                target.display()
            ),
            "name a new file, or move that database away yourself if it is really not needed",
        ));
    }
    if target.is_dir() {
        return Err(Error::invalid_with_hint(
            format!("{} is a folder", target.display()),
            "name a file inside it",
        ));
    }
    if target.exists() && !force {
        return Err(Error::invalid_with_hint(
            format!("{} exists already", target.display()),
            format!(
                "name a new file, or add --force to replace it: {}",
                shell_quote(&target.display().to_string())
            ),
        ));
    }
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// A temporary file beside a target, named so that nobody takes it for the target
/// (`.FILE.inkguard-partial-PID`), removed when dropped unless it was renamed into place.
pub struct Partial {
    pub path: PathBuf,
    target: PathBuf,
    done: bool,
}

impl Partial {
    /// Reserves the temporary path beside `target` (the file itself is not created).
    pub fn beside(target: &Path) -> Partial {
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "inkguard".into());
        let dir = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let prefix = format!(".{name}.inkguard-partial-");
        let path = dir.join(format!("{prefix}{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        sweep_abandoned(dir, &prefix);
        Partial {
            path,
            target: target.to_path_buf(),
            done: false,
        }
    }

    /// Renames the finished file to the target; `force` was checked by `check_target`.
    pub fn finish(mut self) -> Result<()> {
        // Checked again just before the rename: a database put there meanwhile stays.
        if is_sqlite(&self.target) {
            return Err(Error::invalid(format!(
                "{} became an SQLite database while writing: not replaced",
                self.target.display()
            )));
        }
        std::fs::rename(&self.path, &self.target).map_err(|source| Error::Io {
            path: self.target.clone(),
            source,
        })?;
        self.done = true;
        Ok(())
    }
}

/// Removes the partial files an earlier, killed run left beside the target (a copy of the
/// clinic's records, personal data among them): those whose process is gone. Where processes
/// cannot be looked up (no `/proc`), nothing is removed.
fn sweep_abandoned(dir: &Path, prefix: &str) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(prefix))
            // `PID`, or `PID-journal` (SQLite's journal of the copy being written).
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !proc.join(pid.to_string()).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether a FILE argument means standard input (`-`).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// A file a command reads, as named on its command line: the path itself, or for `-` standard
/// input copied into a private temporary file named `standard input` (an import reads its file
/// twice: once for its hash, then for its rows; and reports name it by its file name).
pub struct Input {
    path: PathBuf,
    _spool: Option<tempfile::TempDir>,
}

impl Input {
    pub fn open(path: &Path) -> Result<Input> {
        if !is_stdin(path) {
            return Ok(Input {
                path: path.to_path_buf(),
                _spool: None,
            });
        }
        let io = |source| Error::Io {
            path: PathBuf::from("standard input"),
            source,
        };
        let dir = tempfile::Builder::new()
            .prefix("inkguard-stdin-")
            .tempdir()
            .map_err(io)?;
        let spooled = dir.path().join("standard input");
        let mut file = std::fs::File::create(&spooled).map_err(io)?;
        std::io::copy(&mut std::io::stdin().lock(), &mut file).map_err(io)?;
        Ok(Input {
            path: spooled,
            _spool: Some(dir),
        })
    }

    /// The path to read: the file named, or the copy of standard input.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
