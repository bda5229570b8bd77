//! The errors a user can act on. Each carries the message and the hints that tell the fix;
//! `main` prints them as `error: ...` and `hint: ...` lines and maps them to exit codes.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database file does not exist yet.
    #[error("no database at {}", path.display())]
    NoDatabase { path: PathBuf },

    /// A name on the command line matched nothing.
    #[error("no {what} matches {name:?}")]
    NotFound {
        what: &'static str,
        name: String,
        suggestions: Vec<String>,
    },

    /// A name on the command line matched several things.
    #[error("{name:?} matches several {what}s: {}", candidates.join(", "))]
    Ambiguous {
        what: &'static str,
        name: String,
        candidates: Vec<String>,
    },

    /// Input that is wrong, with the hints that fix it.
    #[error("{message}")]
    Invalid { message: String, hints: Vec<String> },

    /// An import that found bad rows: nothing was written.
    #[error("{file}: {count} invalid row{s}, nothing was written", s = if *count == 1 { "" } else { "s" })]
    ImportRejected {
        file: String,
        count: usize,
        hints: Vec<String>,
    },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}", database_message(path, source))]
    Database {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    #[error("database: {0}")]
    Sql(rusqlite::Error),

    /// A stored value this inkguard does not know: the command stops rather than read it as
    /// some default, which could be milder than what was meant.
    #[error("{0}")]
    Stored(#[from] crate::db::stored::UnknownStored),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Error {
        if let rusqlite::Error::FromSqlConversionFailure(_, _, inner) = &e {
            if let Some(unknown) = inner.downcast_ref::<crate::db::stored::UnknownStored>() {
                return Error::Stored(unknown.clone());
            }
        }
        Error::Sql(e)
    }
}

impl Error {
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid {
            message: message.into(),
            hints: Vec::new(),
        }
    }

    pub fn invalid_with_hint(message: impl Into<String>, hint: impl Into<String>) -> Error {
        Error::Invalid {
            message: message.into(),
            hints: vec![hint.into()],
        }
    }

    /// The error as the user should read it: a database's "disk I/O error" on a disk that has
    /// no space left is a full disk (SQLite reports a failed write to its `-shm` or WAL as an
    /// I/O error, not as `SQLITE_FULL`), so that the message names the fix.
    pub fn diagnosed(self) -> Error {
        match self {
            Error::Database {
                path,
                source: rusqlite::Error::SqliteFailure(e, message),
            } if e.code == rusqlite::ErrorCode::SystemIoFailure && no_space_beside(&path) => {
                Error::Database {
                    path,
                    source: rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                        message.or(Some(format!("disk I/O error {}", e.extended_code))),
                    ),
                }
            }
            other => other,
        }
    }

    /// The `hint:` lines printed under the error.
    pub fn hints(&self) -> Vec<String> {
        match self {
            Error::NoDatabase { path } => vec![format!(
                "create it with: inkguard --db {} init",
                shell_quote(&path.display().to_string())
            )],
            Error::NotFound {
                suggestions, what, ..
            } => {
                if suggestions.is_empty() {
                    vec![format!("list what is known with: inkguard {what} list")]
                } else {
                    vec![format!("did you mean: {}?", suggestions.join(", "))]
                }
            }
            Error::Ambiguous { what, .. } => vec![format!("name the {what} exactly, as listed")],
            Error::Invalid { hints, .. } | Error::ImportRejected { hints, .. } => hints.clone(),
            Error::Stored(_) => vec![
                "it was written by hand or by a newer inkguard, and nothing is judged from a value not understood: run inkguard doctor, then use that newer inkguard or restore a backup".into(),
            ],
            Error::Sql(rusqlite::Error::SqliteFailure(e, _))
            | Error::Database {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } if e.code == rusqlite::ErrorCode::DatabaseBusy
                || e.code == rusqlite::ErrorCode::DatabaseLocked =>
            {
                vec!["another program is writing to this database and held it longer than inkguard waits (INKGUARD_BUSY_TIMEOUT, 30 s); nothing was written: try again when it is done".into()]
            }
            Error::Sql(rusqlite::Error::SqliteFailure(e, _))
            | Error::Database {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } if e.code == rusqlite::ErrorCode::DiskFull => {
                vec!["the disk is full: nothing was written; free some space and run the command again".into()]
            }
            Error::Sql(rusqlite::Error::SqliteFailure(e, _))
            | Error::Database {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } if e.code == rusqlite::ErrorCode::ReadOnly => {
                vec!["the database file, its -wal or -shm file beside it, or its folder is read-only for you: check their permissions (and that no other user owns the -shm file), or use a copy made with inkguard backup".into()]
            }
            Error::Database {
                source: rusqlite::Error::SqliteFailure(e, _),
                ..
            } if e.code == rusqlite::ErrorCode::NotADatabase => {
                vec!["this file is not an inkguard database: check --db or INKGUARD_DB".into()]
            }
            _ => Vec::new(),
        }
    }
}

/// A database error, naming the file at fault: the disk that is full, or the `-wal`/`-shm`
/// file beside the database that cannot be written.
fn database_message(path: &std::path::Path, source: &rusqlite::Error) -> String {
    let code = match source {
        rusqlite::Error::SqliteFailure(e, _) => Some(e.code),
        _ => None,
    };
    match code {
        Some(rusqlite::ErrorCode::DiskFull) => {
            format!("the disk holding {} is full ({source})", path.display())
        }
        Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen) => {
            match unwritable_companion(path) {
                Some(file) => format!(
                    "{} cannot be written, so the database {} cannot be used ({source})",
                    file.display(),
                    path.display()
                ),
                None => format!("database {}: {source}", path.display()),
            }
        }
        _ => format!("database {}: {source}", path.display()),
    }
}

/// The `-shm` or `-wal` file beside a database that exists and cannot be opened for writing.
fn unwritable_companion(path: &std::path::Path) -> Option<PathBuf> {
    ["-shm", "-wal"].iter().find_map(|suffix| {
        let mut name = path.as_os_str().to_os_string();
        name.push(suffix);
        let file = PathBuf::from(name);
        let unwritable = file.exists()
            && std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&file)
                .is_err();
        unwritable.then_some(file)
    })
}

/// Whether the disk holding `path` has no room for a small file: a probe written beside it
/// (and removed), asked only after an I/O error.
fn no_space_beside(path: &std::path::Path) -> bool {
    use std::io::Write;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let probe = dir.join(format!(".inkguard-space-probe-{}", std::process::id()));
    let full = |e: &std::io::Error| e.kind() == std::io::ErrorKind::StorageFull;
    let result = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .and_then(|mut f| {
            f.write_all(&[0u8; 64 * 1024])?;
            f.sync_all()
        });
    let _ = std::fs::remove_file(&probe);
    result.as_ref().is_err_and(full)
}

/// Quotes a path for a hint that the user may paste into a shell.
pub fn shell_quote(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(code: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn a_full_disk_is_named_with_the_file() {
        let e = Error::Database {
            path: PathBuf::from("/srv/clinic.db"),
            source: failure(rusqlite::ffi::SQLITE_FULL),
        };
        assert!(e
            .to_string()
            .starts_with("the disk holding /srv/clinic.db is full"));
        assert!(e.hints()[0].contains("disk is full"));
    }
}
