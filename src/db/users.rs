//! The people who may sign in to the chair-side page: a name and an argon2 password hash
//! (`crate::serve::auth` makes and checks the hashes; no password is ever stored).

use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;

use crate::error::Result;

/// A user, without the hash.
#[derive(Debug, Clone, Serialize)]
pub struct User {
    pub name: String,
    pub created_at: String,
    pub created_by: String,
}

/// How many users there are: the page asks for a sign-in when there is at least one.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?)
}

pub fn list(conn: &Connection) -> Result<Vec<User>> {
    let mut stmt = conn.prepare("SELECT name, created_at, actor FROM users ORDER BY name")?;
    let users = stmt
        .query_map([], |r| {
            Ok(User {
                name: r.get(0)?,
                created_at: r.get(1)?,
                created_by: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(users)
}

/// Whether a user of this name exists.
pub fn exists(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM users WHERE name = ?1", [name], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The stored password hash of a user, if there is such a user.
pub fn password_hash(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT password_hash FROM users WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?)
}

/// Adds a user; the caller checked that the name is free, in the same transaction.
pub fn insert(conn: &Connection, name: &str, hash: &str, at: &str, actor: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO users (name, password_hash, created_at, actor) VALUES (?1, ?2, ?3, ?4)",
        params![name, hash, at, actor],
    )?;
    Ok(())
}

/// Replaces a user's password hash.
pub fn set_password(conn: &Connection, name: &str, hash: &str) -> Result<()> {
    conn.execute(
        "UPDATE users SET password_hash = ?2 WHERE name = ?1",
        params![name, hash],
    )?;
    Ok(())
}
