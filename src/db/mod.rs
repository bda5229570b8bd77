//! The database: one `open()` with the connection settings, migrations over `PRAGMA
//! user_version`, and the queries, grouped by what they are about.

pub mod audit;
pub mod catalog;
pub mod client_records;
pub mod clinical;
pub mod complete;
mod door;
pub mod facts;
pub mod group_views;
pub mod groups;
pub mod import;
pub mod maintenance;
mod migrations;
pub mod patch_tests;
pub mod product_list;
pub mod recalls;
pub mod records;
pub mod reference;
pub mod references;
pub mod search;
pub mod sensitivities;
pub mod series;
pub mod stock;
pub mod stored;
pub mod substance_list;
pub mod substance_merge;
pub mod substances;
pub mod treatment_records;
pub mod users;
mod wipe;

pub use crate::ids::{
    ClientId, FormulationId, GroupId, LotId, PatchTestId, ProductId, SensitivityId, SubstanceId,
    TreatmentId,
};
pub use door::Write;
pub use migrations::client_code_key;
pub use wipe::wipe;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

/// The whole current schema: a new database is made from it in one step.
const SCHEMA: &str = include_str!("../../schema.sql");

/// One step from a schema version to the next, in Rust so that a step can compute values (a
/// normalised key) and report what it found.
type Step = fn(&Connection) -> Result<()>;

/// The steps from version 1 (the first released schema) on, in order; `STEPS[i]` takes a
/// database from version `i + 1` to `i + 2`. A later change appends a step here and makes the
/// same change in `schema.sql`; an earlier step is never edited. A test migrates the first
/// released schema and compares it with a new database.
const STEPS: &[Step] = &[
    migrations::v2,
    migrations::v3,
    migrations::verdict_indexes,
    migrations::recalls,
    migrations::serve_users,
    migrations::patch_test_series,
    migrations::import_batches,
    migrations::record_protection,
    migrations::raised_sensitivities,
    migrations::formulation_emptiness,
];

/// The current schema version.
pub const SCHEMA_VERSION: i64 = STEPS.len() as i64 + 1;

/// How long a writer waits for another writer before giving up, unless `INKGUARD_BUSY_TIMEOUT`
/// (seconds) says otherwise.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest `INKGUARD_BUSY_TIMEOUT`: an hour (SQLite counts it in milliseconds in an `int`).
const MAX_BUSY_TIMEOUT_SECS: f64 = 3600.0;

/// `INKGUARD_BUSY_TIMEOUT`, checked: a number of seconds from 0 to 3600, else an error naming
/// the value.
pub fn busy_timeout() -> Result<Duration> {
    let Some(raw) = std::env::var_os("INKGUARD_BUSY_TIMEOUT") else {
        return Ok(BUSY_TIMEOUT);
    };
    let text = raw.to_string_lossy();
    if text.trim().is_empty() {
        return Ok(BUSY_TIMEOUT);
    }
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| (0.0..=MAX_BUSY_TIMEOUT_SECS).contains(s))
        .map(Duration::from_secs_f64)
        .ok_or_else(|| {
            Error::invalid_with_hint(
                format!("INKGUARD_BUSY_TIMEOUT={text:?} is not a number of seconds from 0 to 3600"),
                "write it like INKGUARD_BUSY_TIMEOUT=30 (the default), or unset it",
            )
        })
}

/// The clinic's zone as stored in the database at `path`, or the machine's when there is no
/// such database (yet) or it does not say: for reading `INKGUARD_NOW` before the database is
/// opened for the command.
pub fn zone_of(path: &Path) -> Tz {
    let stored = || -> Option<Tz> {
        if !path.exists() {
            return None;
        }
        let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
        conn.busy_timeout(BUSY_TIMEOUT).ok()?;
        clinical::stored_zone(&conn)
    };
    stored().unwrap_or_else(crate::policy::machine_zone)
}

/// The session: the open database, who acts, and what time it is.
pub struct Db {
    pub conn: Connection,
    pub path: PathBuf,
    pub actor: String,
    pub now: DateTime<Utc>,
    /// The clinic's time zone (policy `timezone`): typed times without an offset are read in
    /// it, and times are shown in it.
    pub zone: Tz,
}

/// What `init` did.
#[derive(Debug, serde::Serialize)]
pub struct InitReport {
    pub path: String,
    pub created: bool,
    pub schema_version: i64,
    pub upgraded_from: Option<i64>,
    pub reference: reference::LoadReport,
}

impl Db {
    /// Opens an existing database. A missing file is an error with a hint to run `init`.
    pub fn open(path: &Path, actor: String, now: DateTime<Utc>) -> Result<Db> {
        if !path.exists() {
            return Err(Error::NoDatabase {
                path: path.to_path_buf(),
            });
        }
        let wal_left = wipe::wal_left(path);
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| db_error(path, source))?;
        let mut db = Db {
            conn,
            path: path.to_path_buf(),
            actor,
            now,
            zone: crate::policy::machine_zone(),
        };
        db.configure()?;
        // The first read: a file that is not SQLite fails here, with its name.
        let version = db.schema_version()?;
        if version == 0 && table_exists(&db.conn, "audit_events")? {
            return Err(version_reset(path));
        }
        if version == 0 {
            return Err(Error::Invalid {
                message: format!("{} is not an inkguard database (no schema)", path.display()),
                hints: vec![format!(
                    "create one with: inkguard --db {} init",
                    crate::error::shell_quote(&path.display().to_string())
                )],
            });
        }
        if version < SCHEMA_VERSION {
            return Err(Error::invalid_with_hint(
                format!(
                    "{} has schema version {version}, this inkguard needs {}",
                    path.display(),
                    SCHEMA_VERSION as usize
                ),
                "upgrade it with: inkguard init (it keeps all data)",
            ));
        }
        if version > SCHEMA_VERSION {
            return Err(Error::invalid_with_hint(
                format!(
                    "{} has schema version {version}, newer than this inkguard knows ({})",
                    path.display(),
                    SCHEMA_VERSION as usize
                ),
                "use the newer inkguard that wrote it",
            ));
        }
        if let Some(zone) = clinical::stored_zone(&db.conn) {
            db.zone = zone;
        }
        wipe::finish_unfinished(&db.conn, wal_left);
        Ok(db)
    }

    /// Creates the database (mode 0600, parent folders as needed) or upgrades it, and loads the
    /// built-in reference. Safe to run again: it never loses data.
    pub fn init(path: &Path, actor: String, now: DateTime<Utc>) -> Result<(Db, InitReport)> {
        let created = !path.exists();
        if created {
            create_private_file(path)?;
        } else {
            make_private(path)?;
        }
        let conn = Connection::open(path).map_err(|source| db_error(path, source))?;
        let mut db = Db {
            conn,
            path: path.to_path_buf(),
            actor,
            now,
            zone: crate::policy::machine_zone(),
        };
        db.configure()?;
        // WAL mode is a property of the file: set once here, kept by every later open.
        let mode: String = db
            .conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|source| db_error(path, source))?;
        if !mode.eq_ignore_ascii_case("wal") {
            eprintln!(
                "warning: {}: journal mode is {mode}, not WAL",
                path.display()
            );
        }
        let before = db.schema_version()?;
        if before == 0 && table_exists(&db.conn, "audit_events")? {
            return Err(version_reset(path));
        }
        if before == 0 && has_tables(&db.conn)? {
            return Err(Error::invalid_with_hint(
                format!(
                    "{} is a database of another program (it has tables but none of inkguard's)",
                    path.display()
                ),
                "point --db at a new file to create an inkguard database",
            ));
        }
        if before > SCHEMA_VERSION {
            return Err(Error::invalid(format!(
                "{} has schema version {before}, newer than this inkguard knows ({})",
                path.display(),
                SCHEMA_VERSION as usize
            )));
        }
        let tx = db
            .conn
            .transaction_with_behavior(TransactionBehavior::Exclusive)
            .map_err(|source| db_error(path, source))?;
        // Rows written before records were claimed (an upgrade across `record_protection`) are
        // claimed by this init's event; otherwise init claims none it did not write.
        let claiming = table_exists(&tx, "audit_rows")?;
        migrate(&tx)?;
        if claiming {
            records::mark_unclaimed(&tx)?;
        }
        let stamp = crate::time::stamp(now);
        let loaded = reference::load_builtin(&tx, &stamp)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        audit::append(
            &tx,
            &db.actor,
            &stamp,
            "init",
            None,
            &serde_json::json!({"schema_version": version, "reference": &loaded}),
        )?;
        tx.commit()?;
        if let Some(zone) = clinical::stored_zone(&db.conn) {
            db.zone = zone;
        }
        let report = InitReport {
            path: path.display().to_string(),
            created,
            schema_version: version,
            upgraded_from: (before != 0 && before != version).then_some(before),
            reference: loaded,
        };
        Ok((db, report))
    }

    fn configure(&self) -> Result<()> {
        let c = &self.conn;
        let path = &self.path;
        c.busy_timeout(busy_timeout()?)
            .map_err(|source| db_error(path, source))?;
        c.pragma_update(None, "foreign_keys", true)
            .map_err(|source| db_error(path, source))?;
        c.pragma_update(None, "synchronous", "NORMAL")
            .map_err(|source| db_error(path, source))?;
        // 32 MiB of page cache (the default is 2 MiB): an import touches the identifier and
        // product indexes all over; the memory target is 100 MiB whatever the file size.
        c.pragma_update(None, "cache_size", -32_768)
            .map_err(|source| db_error(path, source))?;
        // Reads through a memory map of the file: pages come straight from the operating
        // system's cache instead of being copied into SQLite's, which was most of the time a
        // short command (a check, a safe list) spent. Writes still go through the WAL.
        c.pragma_update(None, "mmap_size", 1_i64 << 30)
            .map_err(|source| db_error(path, source))?;
        // Temporary tables (the rows unclaimed when a write begins, an import's staging) live in
        // SQLite's temporary file, not in memory; set before any is made, as SQLite refuses to
        // change it inside a transaction once one exists.
        c.pragma_update(None, "temp_store", "FILE")
            .map_err(|source| db_error(path, source))?;
        // An import uses more distinct statements than rusqlite's default cache of 16 holds;
        // evicting them meant compiling them again for every product.
        c.set_prepared_statement_cache_capacity(64);
        // Stable query plans: without this, SQLite (built with STAT4) compiles a statement
        // again whenever a new value is bound to a parameter the plan could depend on, which
        // was every product lookup of an import.
        c.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
            true,
        )
        .map_err(|source| db_error(path, source))?;
        Ok(())
    }

    fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|source| db_error(&self.path, source))
    }

    /// The write door, the one way to write: a transaction that takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that concurrent writers queue on the busy timeout instead of
    /// failing half-way, and that commits only with its audit event, as this session's actor at
    /// this session's time (`Write::commit`).
    ///
    /// It notes the clinical rows no audit event has claimed yet: the event that ends this
    /// transaction claims only the rows written inside it, so that a row added by hand stays
    /// reported by `audit verify`.
    pub fn begin(&mut self) -> Result<Write<'_>> {
        let (actor, at) = (self.actor.clone(), self.stamp());
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|source| db_error(&path, source))?;
        records::mark_unclaimed(&tx)?;
        Ok(Write::new(tx, actor, at))
    }

    pub fn stamp(&self) -> String {
        crate::time::stamp(self.now)
    }
}

/// Brings the database to the current schema, in the caller's transaction: a new database
/// gets `schema.sql` whole, an older one the steps it has not seen yet.
pub fn migrate(conn: &Connection) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version == 0 {
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        return Ok(());
    }
    for (i, step) in STEPS.iter().enumerate().skip((version - 1).max(0) as usize) {
        step(conn)?;
        conn.pragma_update(None, "user_version", i as i64 + 2)?;
    }
    Ok(())
}

/// A database with inkguard's tables whose `user_version` was set to 0 by another program: one
/// line and its fix, never the schema.
fn version_reset(path: &Path) -> Error {
    Error::invalid_with_hint(
        format!(
            "{} holds inkguard's tables but no schema version (PRAGMA user_version is 0): it was reset outside inkguard",
            path.display()
        ),
        format!(
            "restore the latest backup; or, if you know its version N (this inkguard's is {SCHEMA_VERSION}), set it with: sqlite3 {} 'PRAGMA user_version = N' and run init again",
            crate::error::shell_quote(&path.display().to_string())
        ),
    )
}

fn has_tables(conn: &Connection) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table'",
        [],
        |r| r.get(0),
    )?)
}

/// Makes an existing database file (and its `-wal` and `-shm`) readable by its owner only.
fn make_private(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_os_string();
            name.push(suffix);
            let file = PathBuf::from(name);
            if suffix.is_empty() || file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).map_err(
                    |source| Error::Io {
                        path: file.clone(),
                        source,
                    },
                )?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn table_exists(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get(0),
    )?)
}

fn db_error(path: &Path, source: rusqlite::Error) -> Error {
    Error::Database {
        path: path.to_path_buf(),
        source,
    }
}

/// Creates an empty file readable by its owner only: a clinic's records are personal data.
pub fn create_private_file(path: &Path) -> Result<()> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| Error::Io {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map(drop).map_err(io)
}

/// The default database: `$XDG_DATA_HOME/inkguard/inkguard.db`, else
/// `~/.local/share/inkguard/inkguard.db`.
pub fn default_path() -> PathBuf {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("inkguard").join("inkguard.db")
}

#[cfg(test)]
mod tests;
