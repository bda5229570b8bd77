//! The steps that bring an older database to the current schema (`super::STEPS`). Each does
//! exactly what the same change did to `schema.sql`; a test compares the two.

use rusqlite::{params, Connection};

use crate::error::Result;
use crate::ident;

/// Version 2: normalised client codes (one client per code, however it is spelt), the doubt an
/// ingredient was declared with, the parent moieties of a group and its inferred members.
///
/// Clients whose codes already look alike are not merged: the first keeps the plain key, every
/// later one a key of its own (`c777#12`, which no typed code can normalise to) and a warning.
pub fn v2(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "ALTER TABLE clients ADD COLUMN code_norm TEXT NOT NULL DEFAULT '';
         ALTER TABLE ingredients ADD COLUMN doubt TEXT;
         ALTER TABLE groups ADD COLUMN parents TEXT;
         ALTER TABLE group_members ADD COLUMN inferred INTEGER NOT NULL DEFAULT 0 CHECK (inferred IN (0, 1));",
    )?;
    let clients: Vec<(i64, String)> = conn
        .prepare("SELECT id, code FROM clients ORDER BY id")?
        .query_map([], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    let mut first_of: std::collections::HashMap<String, String> = Default::default();
    for (id, code) in clients {
        let norm = client_code_key(&code);
        let key = match first_of.get(&norm) {
            None => {
                first_of.insert(norm.clone(), code.clone());
                norm
            }
            Some(existing) => {
                eprintln!(
                    "warning: clients {existing:?} and {code:?} look alike (one code once case, dashes and spaces are ignored); both are kept, nothing was merged: check with `inkguard client show` and tell them apart"
                );
                format!("{norm}#{id}")
            }
        };
        conn.execute(
            "UPDATE clients SET code_norm = ?1 WHERE id = ?2",
            params![key, id],
        )?;
    }
    conn.execute_batch("CREATE UNIQUE INDEX clients_by_code_norm ON clients (code_norm);")?;
    Ok(())
}

/// Version 3: products found by their normalised name through an index, not by reading every
/// product (`check CLIENT "Rose"` on a 20,000-product catalog).
pub fn v3(conn: &Connection) -> Result<()> {
    conn.execute_batch("ALTER TABLE products ADD COLUMN name_norm TEXT NOT NULL DEFAULT '';")?;
    let products: Vec<(i64, String)> = conn
        .prepare("SELECT id, name FROM products")?
        .query_map([], |r| r.try_into())?
        .collect::<rusqlite::Result<_>>()?;
    let mut update = conn.prepare("UPDATE products SET name_norm = ?1 WHERE id = ?2")?;
    for (id, name) in products {
        update.execute(params![ident::normalize_name(&name), id])?;
    }
    conn.execute_batch("CREATE INDEX products_by_name ON products (name_norm);")?;
    Ok(())
}

/// Import batches (`import history`, `import undo`): every catalog import records what it added
/// and changed; and the per-supplier settings `--save-map` keeps.
pub fn import_batches(conn: &Connection) -> Result<()> {
    conn.execute_batch(IMPORT_BATCHES)?;
    Ok(())
}

/// The same text is in `schema.sql`.
const IMPORT_BATCHES: &str = "
CREATE TABLE import_batches (
    id        INTEGER PRIMARY KEY,
    supplier  TEXT,
    file      TEXT NOT NULL,
    sha256    TEXT NOT NULL,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    counts    TEXT NOT NULL,
    undone_at TEXT,
    undone_by TEXT
);
CREATE TABLE import_batch_changes (
    batch_id INTEGER NOT NULL REFERENCES import_batches(id),
    change   TEXT NOT NULL CHECK (change IN ('product', 'formulation', 'lot', 'product-update', 'lot-expiry')),
    row_id   INTEGER NOT NULL,
    before   TEXT
);
CREATE INDEX import_batch_changes_by_batch ON import_batch_changes (batch_id);
CREATE TABLE supplier_settings (
    supplier_norm TEXT PRIMARY KEY,
    supplier      TEXT NOT NULL,
    settings      TEXT NOT NULL,
    saved_at      TEXT NOT NULL
);
";

/// The comparison key of a client code (SPEC 4): `C-1`, `c-1` and `C‐1` are one code.
pub fn client_code_key(code: &str) -> String {
    ident::normalize_name(code)
}
