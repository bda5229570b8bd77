//! Read-only queries for shell completion: client codes, products and lots that start with what
//! has been typed. Completion runs on every Tab, so it opens the database read-only, runs no
//! migration or check, never creates a file, and treats any failure as "nothing to offer".

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OpenFlags};

use crate::error::Result;

/// At most this many candidates of one kind: a shell lists them all, and a clinic with
/// thousands of clients would otherwise fill the terminal on one Tab.
pub const LIMIT: usize = 200;

/// How long a Tab waits for a writer to finish before completing nothing.
const BUSY: Duration = Duration::from_millis(250);

/// One candidate: the value to put on the command line, and a short description (never
/// personal data: client names are not shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub value: String,
    pub help: Option<String>,
}

/// Opens the database at `path` read-only, or `None` when there is none or it cannot be opened.
/// No migration, no audit check, and no file is ever made: a read-only connection to a
/// database in WAL mode would create its `-wal` and `-shm` files when they are absent (nobody
/// has it open), so then it is opened as immutable, which makes none.
pub fn open(path: &Path) -> Option<Connection> {
    if !path.is_file() {
        return None;
    }
    let beside = |suffix: &str| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        Path::new(&name).exists()
    };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = match (beside("-wal"), beside("-shm")) {
        (true, true) => Connection::open_with_flags(path, flags).ok()?,
        (false, false) => {
            Connection::open_with_flags(immutable_uri(path)?, flags | OpenFlags::SQLITE_OPEN_URI)
                .ok()?
        }
        // One without the other: opening would make the missing one.
        _ => return None,
    };
    conn.busy_timeout(BUSY).ok()?;
    conn.pragma_update(None, "query_only", true).ok()?;
    Some(conn)
}

/// `file:PATH?immutable=1`, the path percent-encoded where a URI needs it; `None` for a path
/// that is not UTF-8.
fn immutable_uri(path: &Path) -> Option<String> {
    let mut uri = String::from("file:");
    for c in path.to_str()?.chars() {
        match c {
            '%' | '?' | '#' => uri.push_str(&format!("%{:02X}", c as u32)),
            c => uri.push(c),
        }
    }
    uri.push_str("?immutable=1");
    Some(uri)
}

/// `text` as a LIKE prefix pattern: `%` and `_` typed by the user match themselves.
fn prefix_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// Client codes starting with `prefix` (case-insensitive), in order.
pub fn clients(conn: &Connection, prefix: &str) -> Result<Vec<Candidate>> {
    let mut stmt = conn.prepare(
        "SELECT code FROM clients WHERE code LIKE ?1 ESCAPE '\\' ORDER BY code LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![prefix_pattern(prefix), LIMIT as i64], |r| {
        Ok(Candidate {
            value: r.get(0)?,
            help: None,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Products as the command line names them: the code where it is unique across suppliers,
/// `SUPPLIER/CODE` where it is not, or where the typed text is (the start of) a supplier's
/// name. Case-insensitive; each with the product's name as description.
pub fn products(conn: &Connection, prefix: &str) -> Result<Vec<Candidate>> {
    let pattern = prefix_pattern(prefix);
    let mut stmt = conn.prepare(
        "SELECT s.name, p.code, p.name,
                (SELECT count(*) FROM products q WHERE q.code_norm = p.code_norm) AS same_code,
                p.code LIKE ?1 ESCAPE '\\' AS by_code
         FROM products p JOIN suppliers s ON s.id = p.supplier_id
         WHERE p.code LIKE ?1 ESCAPE '\\'
            OR (?2 <> '' AND s.name || '/' || p.code LIKE ?1 ESCAPE '\\')
         ORDER BY p.code, s.name
         LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![pattern, prefix, LIMIT as i64], |r| {
        let supplier: String = r.get(0)?;
        let code: String = r.get(1)?;
        let name: String = r.get(2)?;
        let same_code: i64 = r.get(3)?;
        let by_code: bool = r.get(4)?;
        let value = if by_code && same_code == 1 {
            code
        } else {
            format!("{supplier}/{code}")
        };
        Ok(Candidate {
            value,
            help: Some(name),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Lots starting with `prefix` (case-insensitive): the product's when `product` names one,
/// else every product's, with the expiry (and the product, when not given) as description.
pub fn lots(conn: &Connection, product: Option<&str>, prefix: &str) -> Result<Vec<Candidate>> {
    let product = product
        .filter(|p| !p.trim().is_empty())
        .and_then(|p| super::catalog::resolve_product(conn, p).ok());
    let pattern = prefix_pattern(prefix);
    let mut stmt = conn.prepare(
        "SELECT l.lot, l.expires, s.name || '/' || p.code
         FROM lots l JOIN products p ON p.id = l.product_id
         JOIN suppliers s ON s.id = p.supplier_id
         WHERE l.lot LIKE ?1 ESCAPE '\\' AND (?2 IS NULL OR l.product_id = ?2)
         ORDER BY l.lot, s.name, p.code
         LIMIT ?3",
    )?;
    let scoped = product.is_some();
    let rows = stmt.query_map(params![pattern, product.map(|p| p.id), LIMIT as i64], |r| {
        let lot: String = r.get(0)?;
        let expires: Option<String> = r.get(1)?;
        let of: String = r.get(2)?;
        let mut help: Vec<String> = Vec::new();
        if !scoped {
            help.push(of);
        }
        if let Some(e) = expires {
            help.push(format!("expires {e}"));
        }
        Ok(Candidate {
            value: lot,
            help: (!help.is_empty()).then(|| help.join(", ")),
        })
    })?;
    let mut found: Vec<Candidate> = rows.collect::<rusqlite::Result<_>>()?;
    // The same batch number under two products is one value to type.
    found.dedup_by(|a, b| a.value == b.value);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_typed_by_the_user_match_themselves() {
        assert_eq!(prefix_pattern("C_1%"), "C\\_1\\%%");
        assert_eq!(prefix_pattern(""), "%");
    }

    #[test]
    fn a_missing_database_is_not_opened_nor_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.db");
        assert!(open(&path).is_none());
        assert!(!path.exists());
    }

    #[test]
    fn uri_characters_in_a_path_are_escaped() {
        assert_eq!(
            immutable_uri(Path::new("/a b/50%?#.db")).as_deref(),
            Some("file:/a b/50%25%3F%23.db?immutable=1")
        );
    }
}
