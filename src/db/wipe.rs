//! Wiping erased personal data out of the database files (SPEC 8, `client erase`): the
//! committed erasure checkpointed into the main file, the file rewritten, the write-ahead log
//! emptied; and the check that finds an erasure whose wipe did not finish.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

/// Whether the write-ahead log beside `path` holds frames before the database is opened: its
/// last writer may have been killed (a clean close empties or removes it).
pub(super) fn wal_left(path: &Path) -> bool {
    let mut name = path.as_os_str().to_os_string();
    name.push("-wal");
    std::fs::metadata(PathBuf::from(name)).is_ok_and(|m| m.len() > 0)
}

/// When the log was left with frames and the newest event is a `client erase`, an erasure was
/// committed and its wipe did not finish (killed, or others were reading): finishes it now, so
/// that the name does not wait in the file for a later checkpoint. Best effort: when it cannot
/// be done now, the next command tries again.
///
/// The file is rewritten only while it has free pages: the erasure ran with `secure_delete`,
/// so what it overwrote or freed is zeros, and once the file was rewritten (a `VACUUM` leaves
/// no free page) what is left is moving the log into the file and emptying it. Rewriting it
/// again at every command while another program kept reading made the log grow by the whole
/// database each time.
pub(super) fn finish_unfinished(conn: &Connection, wal_left: bool) {
    if !wal_left {
        return;
    }
    let newest: Option<String> = conn
        .query_row(
            "SELECT command FROM audit_events ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .ok();
    if newest.as_deref() != Some("client erase") {
        return;
    }
    // Without waiting: a command must not stand for the busy timeout behind another
    // program's reading for work that the next command can do as well.
    let _ = conn.busy_timeout(std::time::Duration::ZERO);
    let free: i64 = conn
        .query_row("PRAGMA freelist_count", [], |r| r.get(0))
        .unwrap_or(1);
    if free > 0 {
        let _ = wipe(conn);
    } else {
        let _ = empty_log(conn);
    }
    if let Ok(wait) = super::busy_timeout() {
        let _ = conn.busy_timeout(wait);
    }
}

/// Moves the log into the file and empties it; says whether it could (not while another
/// connection reads).
fn empty_log(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        r.get::<_, i64>(0)
    })
    .map(|busy| busy == 0)
}

/// Wipes erased values out of the database files: first the committed pages into the main file
/// (so that the erased row's old page there is overwritten at once), then the whole file
/// rewritten (`VACUUM`, no erased value left in a free page) and the write-ahead log emptied.
/// Returns whether the log could be emptied (not while another connection reads).
pub fn wipe(conn: &Connection) -> rusqlite::Result<bool> {
    conn.pragma_update(None, "secure_delete", true)?;
    empty_log(conn)?;
    conn.execute_batch("VACUUM")?;
    empty_log(conn)
}
