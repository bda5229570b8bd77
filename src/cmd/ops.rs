//! `backup` and `doctor`.

use std::fmt::Write as _;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::db::{audit, maintenance, Db};
use crate::error::{Error, Result};
use crate::output::Output;

use super::Exit;

pub fn backup(db: &Db, out: &Output, file: &Path, force: bool) -> Result<Exit> {
    crate::files::check_target(file, force, &db.path)?;
    // The copy is written beside FILE under a name nobody takes for a backup, and renamed to
    // FILE only once checked: an interrupted backup leaves no partial file at FILE.
    let partial = crate::files::Partial::beside(file);
    crate::db::create_private_file(&partial.path)?;
    let (pages, head) = copy_and_check(db, &partial.path)?;
    partial.finish()?;
    let doc = serde_json::json!({
        "file": file.display().to_string(),
        "pages": pages,
        "integrity": "ok",
        "audit_head": head.to_string(),
    });
    out.document(
        &doc,
        &format!(
            "backed up {} to {} ({pages} pages); integrity check of the copy: ok\n\
             audit head: {head} (keep it elsewhere; check later with inkguard audit verify --expect {head})",
            db.path.display(),
            file.display()
        ),
    )?;
    Ok(0)
}

/// Copies the live database into the empty file `file` in one step (`VACUUM INTO` reads one
/// consistent snapshot; in WAL mode writers go on meanwhile), and checks the copy. Returns its
/// page count and the audit head it holds.
fn copy_and_check(db: &Db, file: &Path) -> Result<(i64, audit::Head)> {
    let db_error = |source| Error::Database {
        path: file.to_path_buf(),
        source,
    };
    let target = file.to_str().ok_or_else(|| {
        Error::invalid(format!(
            "{} is not a path SQLite can take (not UTF-8)",
            file.display()
        ))
    })?;
    // A failure to write (a full disk, an unwritable folder) is the copy's; any other, the
    // live database's.
    maintenance::copy_into(&db.conn, target).map_err(|source| {
        let at_copy = matches!(
            source.sqlite_error_code(),
            Some(
                rusqlite::ErrorCode::DiskFull
                    | rusqlite::ErrorCode::SystemIoFailure
                    | rusqlite::ErrorCode::CannotOpen
                    | rusqlite::ErrorCode::ReadOnly
            )
        );
        let path = if at_copy { file } else { &db.path };
        Error::Database {
            path: path.to_path_buf(),
            source,
        }
        .diagnosed()
    })?;
    let copy = Connection::open(file).map_err(db_error)?;
    maintenance::make_standalone(&copy).map_err(db_error)?;
    drop(copy);
    let copy =
        Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(db_error)?;
    let problems = maintenance::integrity(&copy).map_err(db_error)?;
    if !problems.is_empty() {
        return Err(Error::invalid(format!(
            "the copy {} fails its integrity check: {}",
            file.display(),
            problems.join("; ")
        )));
    }
    let pages = maintenance::page_count(&copy).map_err(db_error)?;
    let head = audit::head(&copy)?;
    Ok((pages, head))
}

#[derive(Serialize)]
struct Doctor {
    integrity: Vec<String>,
    foreign_keys: Vec<String>,
    audit_events: usize,
    audit_broken: Option<audit::Broken>,
    /// Records changed, deleted or added without their event; event times running backwards.
    audit_problems: Vec<String>,
    unverified_substances: Vec<String>,
    /// Clients whose codes look alike (kept apart when the database was upgraded).
    look_alike_clients: Vec<[String; 2]>,
    /// Stored policy values that are not valid (set by an older inkguard or by hand).
    invalid_policy: Vec<String>,
    healthy: bool,
}

pub fn doctor(db: &Db, out: &Output) -> Result<Exit> {
    let mut integrity = maintenance::integrity(&db.conn)?;
    integrity.extend(maintenance::emptiness_problems(&db.conn)?);
    let foreign_keys = maintenance::foreign_key_problems(&db.conn)?;
    let audit::Verification {
        events: audit_events,
        broken: audit_broken,
        time_reversals,
        records,
        ..
    } = audit::verify_all(&db.conn, None)?;
    let audit_problems: Vec<String> = records.into_iter().chain(time_reversals).collect();
    let unverified_substances = crate::db::substance_list::unverified_names(&db.conn)?;
    let look_alike_clients: Vec<[String; 2]> = crate::db::clinical::look_alike_pairs(&db.conn)?
        .into_iter()
        .map(|(a, b)| [a, b])
        .collect();
    let invalid_policy: Vec<String> = crate::db::clinical::policy_values(&db.conn)?
        .into_iter()
        .filter(|(key, value, is_default)| !is_default && key.check(value).is_err())
        .map(|(key, value, _)| format!("{} = {value:?}", key.name()))
        .collect();
    let healthy = integrity.is_empty()
        && foreign_keys.is_empty()
        && audit_broken.is_none()
        && audit_problems.is_empty();
    let report = Doctor {
        integrity,
        foreign_keys,
        audit_events,
        audit_broken,
        audit_problems,
        unverified_substances,
        look_alike_clients,
        invalid_policy,
        healthy,
    };
    let mut t = String::new();
    let _ = writeln!(
        t,
        "integrity check: {}",
        if report.integrity.is_empty() {
            "ok".to_string()
        } else {
            report.integrity.join("; ")
        }
    );
    let _ = writeln!(
        t,
        "foreign keys: {}",
        if report.foreign_keys.is_empty() {
            "ok".to_string()
        } else {
            report.foreign_keys.join("; ")
        }
    );
    match &report.audit_broken {
        None => {
            let _ = writeln!(t, "audit chain: intact ({} events)", report.audit_events);
        }
        Some(b) => {
            let _ = writeln!(t, "audit chain: BROKEN at event #{}: {}", b.id, b.reason);
        }
    }
    for p in &report.audit_problems {
        let _ = writeln!(t, "audit records: {p}");
    }
    if report.unverified_substances.is_empty() {
        let _ = writeln!(t, "unverified substances: none");
    } else {
        let _ = writeln!(
            t,
            "warning: {} unverified substance(s), which verdicts cannot compare: {}\n  merge each into a known substance with: inkguard substance merge FROM INTO",
            report.unverified_substances.len(),
            report.unverified_substances.join(", ")
        );
    }
    if report.look_alike_clients.is_empty() {
        let _ = writeln!(t, "look-alike client codes: none");
    }
    for [a, b] in &report.look_alike_clients {
        let _ = writeln!(
            t,
            "warning: clients {a} and {b} have look-alike codes (one code once case, dashes and spaces are ignored); each is found by its exact code: check with inkguard client show {} and inkguard client show {}",
            crate::error::shell_quote(a),
            crate::error::shell_quote(b)
        );
    }
    for p in &report.invalid_policy {
        let _ = writeln!(
            t,
            "warning: stored policy {p} is not valid and is not used: set it again with inkguard policy set"
        );
    }
    out.document(&report, &t)?;
    if report.healthy {
        Ok(0)
    } else {
        Err(Error::invalid_with_hint(
            format!("{} is damaged", db.path.display()),
            "restore the latest backup (inkguard backup makes one) and compare",
        ))
    }
}
