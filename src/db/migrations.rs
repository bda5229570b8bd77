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

/// The safe list finds the formulations that hold a client's allergens by substance (without
/// this index it read every ingredient row of the catalog), and the unidentified substances
/// without reading every substance.
pub fn verdict_indexes(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE INDEX ingredients_by_substance ON ingredients (substance_id, formulation_id);
         CREATE INDEX substances_unverified ON substances (id) WHERE verified = 0;",
    )?;
    Ok(())
}

/// Recalls: EU Safety Gate alerts as imported (`recalls`), the lots read from their batch
/// texts (`recall_lots`) and what they meant for the catalog (`recall_matches`), append-only.
pub fn recalls(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE recalls (
            id          INTEGER PRIMARY KEY,
            alert       TEXT NOT NULL,
            alert_norm  TEXT NOT NULL,
            version     INTEGER NOT NULL,
            product     TEXT,
            name        TEXT,
            brand       TEXT,
            batch_text  TEXT NOT NULL,
            hazard      TEXT,
            measure     TEXT,
            fingerprint TEXT NOT NULL,
            source      TEXT NOT NULL,
            imported_at TEXT NOT NULL,
            actor       TEXT NOT NULL,
            UNIQUE (alert_norm, version)
        );
        CREATE TABLE recall_lots (
            id        INTEGER PRIMARY KEY,
            recall_id INTEGER NOT NULL REFERENCES recalls(id),
            lot_text  TEXT NOT NULL,
            lot_key   TEXT NOT NULL,
            truncated INTEGER NOT NULL CHECK (truncated IN (0, 1))
        );
        CREATE INDEX recall_lots_by_recall ON recall_lots (recall_id);
        CREATE TABLE recall_matches (
            id          INTEGER PRIMARY KEY,
            recall_id   INTEGER NOT NULL REFERENCES recalls(id),
            recall_lot_id INTEGER REFERENCES recall_lots(id),
            lot_id      INTEGER NOT NULL REFERENCES lots(id),
            status      TEXT NOT NULL CHECK (status IN ('matched', 'ambiguous', 'confirmed')),
            reason      TEXT,
            lot_flag_id INTEGER REFERENCES lot_flags(id),
            at          TEXT NOT NULL,
            actor       TEXT NOT NULL
        );
        CREATE INDEX recall_matches_by_recall ON recall_matches (recall_id);
        CREATE INDEX recall_matches_by_lot ON recall_matches (lot_id);
        CREATE TRIGGER recalls_no_update BEFORE UPDATE ON recalls
        BEGIN SELECT RAISE(ABORT, 'recalls are append-only'); END;
        CREATE TRIGGER recalls_no_delete BEFORE DELETE ON recalls
        BEGIN SELECT RAISE(ABORT, 'recalls are append-only'); END;
        CREATE TRIGGER recall_lots_no_update BEFORE UPDATE ON recall_lots
        BEGIN SELECT RAISE(ABORT, 'recalls are append-only'); END;
        CREATE TRIGGER recall_lots_no_delete BEFORE DELETE ON recall_lots
        BEGIN SELECT RAISE(ABORT, 'recalls are append-only'); END;
        CREATE TRIGGER recall_matches_no_update BEFORE UPDATE ON recall_matches
        BEGIN SELECT RAISE(ABORT, 'recalls are append-only'); END;
        CREATE TRIGGER recall_matches_no_delete BEFORE DELETE ON recall_matches
        BEGIN SELECT RAISE(ABORT, 'recalls are append-only'); END;",
    )?;
    Ok(())
}

/// Patch-test series, photopatch tests and relevance (SPEC 4 "Patch-test series"): the series
/// and their allergens, what a series item tests (a mix, its concentration and vehicle, its
/// twin under cover), the UVA irradiation of a photopatch set and the relevance of positives.
pub fn patch_test_series(conn: &Connection) -> Result<()> {
    conn.execute_batch(concat!(
        "ALTER TABLE patch_test_items ADD COLUMN group_id INTEGER REFERENCES groups(id);
         ALTER TABLE patch_test_items ADD COLUMN series_allergen_id INTEGER REFERENCES series_allergens(id);
         ALTER TABLE patch_test_items ADD COLUMN concentration TEXT;
         ALTER TABLE patch_test_items ADD COLUMN vehicle TEXT;
         ALTER TABLE patch_test_items ADD COLUMN photo_of INTEGER;
",
        r#"-- Patch-test series (SPEC 4), as a dermatologist applies them: a named list of allergens, each
-- at a position with its concentration and vehicle. A row tests a substance, a mix (a group of
-- its components) or nothing (a control). Series are kept as imported: patch tests point at them.
CREATE TABLE series (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    name_norm   TEXT NOT NULL UNIQUE,
    source      TEXT NOT NULL,                 -- the file it was imported from
    imported_at TEXT NOT NULL,
    actor       TEXT NOT NULL
);

CREATE TABLE series_allergens (
    id              INTEGER PRIMARY KEY,
    series_id       INTEGER NOT NULL REFERENCES series(id),
    position        INTEGER NOT NULL,          -- 1, 2, ... as applied
    label           TEXT,                      -- the position as written, when it differs ('panel 1.3 no. 5')
    name_as_written TEXT NOT NULL,
    cas             TEXT,                      -- canonical, as written in the file
    concentration   TEXT,                      -- as written: '0.5 %'
    vehicle         TEXT,                      -- 'pet.', 'aq.', 'alc.', ...
    substance_id    INTEGER REFERENCES substances(id),
    group_id        INTEGER REFERENCES groups(id),
    control         INTEGER NOT NULL DEFAULT 0 CHECK (control IN (0, 1)),
    source          TEXT,                      -- the row's citation
    UNIQUE (series_id, position),
    CHECK ((substance_id IS NOT NULL) + (group_id IS NOT NULL) + control = 1)
);

-- The UVA irradiation of the duplicate set of a photopatch test.
CREATE TABLE irradiations (
    id          INTEGER PRIMARY KEY,
    test_id     INTEGER NOT NULL UNIQUE REFERENCES patch_tests(id),
    at          TEXT NOT NULL,
    dose_j_cm2  REAL NOT NULL CHECK (dose_j_cm2 > 0),
    recorded_at TEXT NOT NULL,
    actor       TEXT NOT NULL
);

-- The clinical relevance of a positive item: the latest row is in force, earlier ones stay.
CREATE TABLE item_relevance (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES patch_test_items(id),
    relevance    TEXT NOT NULL CHECK (relevance IN ('current', 'past', 'unknown', 'cross-reaction', 'active-sensitisation')),
    certainty    TEXT CHECK (certainty IN ('certain', 'probable', 'possible', 'unlikely')),
    occupational INTEGER NOT NULL DEFAULT 0 CHECK (occupational IN (0, 1)),
    recorded_at  TEXT NOT NULL,
    actor        TEXT NOT NULL
);
CREATE INDEX item_relevance_by_item ON item_relevance (item_id);
CREATE TRIGGER series_no_update BEFORE UPDATE ON series
BEGIN SELECT RAISE(ABORT, 'series are kept as imported: import a new one under another name'); END;
CREATE TRIGGER series_no_delete BEFORE DELETE ON series
BEGIN SELECT RAISE(ABORT, 'series are kept as imported: import a new one under another name'); END;
CREATE TRIGGER series_allergens_no_update BEFORE UPDATE ON series_allergens
BEGIN SELECT RAISE(ABORT, 'series are kept as imported: import a new one under another name'); END;
CREATE TRIGGER series_allergens_no_delete BEFORE DELETE ON series_allergens
BEGIN SELECT RAISE(ABORT, 'series are kept as imported: import a new one under another name'); END;
CREATE TRIGGER irradiations_no_update BEFORE UPDATE ON irradiations
BEGIN SELECT RAISE(ABORT, 'irradiations are append-only'); END;
CREATE TRIGGER irradiations_no_delete BEFORE DELETE ON irradiations
BEGIN SELECT RAISE(ABORT, 'irradiations are append-only'); END;
CREATE TRIGGER item_relevance_no_update BEFORE UPDATE ON item_relevance
BEGIN SELECT RAISE(ABORT, 'relevance is append-only: record a new one, which supersedes it'); END;
CREATE TRIGGER item_relevance_no_delete BEFORE DELETE ON item_relevance
BEGIN SELECT RAISE(ABORT, 'relevance is append-only: record a new one, which supersedes it'); END;
"#
    ))?;
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

/// The users who may sign in to the chair-side page (`inkguard serve`, SPEC 10).
pub fn serve_users(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "CREATE TABLE users (
            id            INTEGER PRIMARY KEY,
            name          TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            created_at    TEXT NOT NULL,
            actor         TEXT NOT NULL
        );",
    )?;
    Ok(())
}

/// Record protection (SPEC 8): each audit event claims the clinical rows it wrote
/// (`audit_rows`, a digest in `audit_events.rows`), and patch tests and their items become
/// append-only like the other clinical tables. Rows written before this step are claimed by the
/// next event (`init` after the upgrade).
pub fn record_protection(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "ALTER TABLE audit_events ADD COLUMN rows TEXT;
         CREATE TABLE audit_rows (
             event_id INTEGER NOT NULL REFERENCES audit_events(id),
             tbl      TEXT NOT NULL,
             row_id   INTEGER NOT NULL,
             hash     TEXT NOT NULL,
             PRIMARY KEY (tbl, row_id, event_id)
         ) WITHOUT ROWID;
         CREATE INDEX audit_rows_by_event ON audit_rows (event_id);
         CREATE TRIGGER audit_rows_no_update BEFORE UPDATE ON audit_rows
         BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
         CREATE TRIGGER audit_rows_no_delete BEFORE DELETE ON audit_rows
         BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
         CREATE TRIGGER patch_tests_no_update BEFORE UPDATE ON patch_tests
         BEGIN SELECT RAISE(ABORT, 'patch tests are append-only: record a new test instead'); END;
         CREATE TRIGGER patch_tests_no_delete BEFORE DELETE ON patch_tests
         BEGIN SELECT RAISE(ABORT, 'patch tests are append-only: record a new test instead'); END;
         -- One update only: `substance merge` moves the items of an unverified substance to the known
         -- one it is merged into, every other column unchanged.
         CREATE TRIGGER patch_test_items_no_update BEFORE UPDATE ON patch_test_items
         WHEN NOT (NEW.id IS OLD.id AND NEW.test_id IS OLD.test_id AND NEW.item IS OLD.item
             AND NEW.product_id IS OLD.product_id AND NEW.formulation_id IS OLD.formulation_id
             AND NEW.lot_id IS OLD.lot_id AND NEW.group_id IS OLD.group_id
             AND NEW.series_allergen_id IS OLD.series_allergen_id AND NEW.concentration IS OLD.concentration
             AND NEW.vehicle IS OLD.vehicle AND NEW.photo_of IS OLD.photo_of
             AND coalesce((SELECT verified FROM substances WHERE id = OLD.substance_id), 1) = 0)
         BEGIN SELECT RAISE(ABORT, 'patch test items are append-only: record a new test instead'); END;
         CREATE TRIGGER patch_test_items_no_delete BEFORE DELETE ON patch_test_items
         BEGIN SELECT RAISE(ABORT, 'patch test items are append-only: record a new test instead'); END;",
    )?;
    Ok(())
}

/// Suspects with ids (SPEC 4): the sensitivities that the positive patch-test items and the
/// reactions already on record raise, which earlier versions worked out at every verdict
/// without writing them, become rows (with the item or the reaction as evidence), so that each
/// has an id and can be retracted, and nothing a clinic relied on changes on upgrade. No
/// change to the shape of the schema.
///
/// The rows are claimed by an audit event of their own (`upgrade`), so that `audit verify`
/// still passes: rows no event had claimed before this step (slipped in by hand) stay
/// unclaimed, as every write transaction leaves them (`records::mark_unclaimed`).
pub fn raised_sensitivities(conn: &Connection) -> Result<()> {
    let now = crate::time::now_from_env()?;
    let at = crate::time::stamp(now);
    super::records::mark_unclaimed(conn)?;
    let written = crate::verdict::record_raised(conn, now, None, &at, "upgrade")?;
    if !written.is_empty() {
        let clients: std::collections::BTreeSet<&str> =
            written.iter().map(|(code, _)| code.as_str()).collect();
        let ids: Vec<i64> = written.iter().map(|(_, id)| id.get()).collect();
        super::audit::append(
            conn,
            "upgrade",
            &at,
            "upgrade",
            None,
            &serde_json::json!({
                "step": "raised_sensitivities",
                "sensitivities": ids,
                "clients": clients,
            }),
        )?;
    }
    // The next event (the upgrade's `init`) decides for itself what it claims.
    conn.execute_batch(
        "DROP TABLE IF EXISTS temp.audit_unclaimed; DROP TABLE IF EXISTS temp.audit_reclaim;",
    )?;
    Ok(())
}

/// Whether each formulation declares nothing, stored (`formulations.empty`): the safe list
/// must know it of every product, and probing the ingredients of 20,000 formulations for it
/// was a tenth of its time. An import sets it when it writes the formulation (it knows the
/// rows it is about to write); a new column defaults to "empty", so a formulation written
/// without it is judged by its rows, never skipped as clean; a trigger sets it again whenever an
/// ingredient row is deleted; `doctor` compares it with the rows.
pub fn formulation_emptiness(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "ALTER TABLE formulations ADD COLUMN empty INTEGER NOT NULL DEFAULT 1 CHECK (empty IN (0, 1));
         UPDATE formulations SET empty = NOT EXISTS
             (SELECT 1 FROM ingredients i WHERE i.formulation_id = formulations.id);
         CREATE TRIGGER ingredients_keep_emptiness AFTER DELETE ON ingredients BEGIN
             UPDATE formulations SET empty = NOT EXISTS
                 (SELECT 1 FROM ingredients i WHERE i.formulation_id = OLD.formulation_id)
             WHERE id = OLD.formulation_id;
         END;",
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::{audit, records};

    fn event(conn: &Connection) {
        audit::append(
            conn,
            "old",
            "2026-01-05T00:00:00Z",
            "patch-test read",
            Some("C-1"),
            &serde_json::json!({}),
        )
        .unwrap();
    }

    /// A database of a version that claimed rows but did not write raised sensitivities: a
    /// positive substance item, written and claimed by an event; and a patch test slipped in by
    /// hand, claimed by none.
    fn old_database() -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::migrate(&conn).unwrap();
        conn.execute_batch(
            "INSERT INTO substances (id, key, name, verified, source, created_at)
               VALUES (901, 'test-nickel', 'Test nickel', 1, 'test', 't');
             INSERT INTO clients (id, code, created_at, actor, code_norm) VALUES (1, 'C-1', 't', 'old', 'c1');
             INSERT INTO patch_tests (id, client_id, applied_at, actor) VALUES (1, 1, '2026-01-01T10:00:00Z', 'old');
             INSERT INTO patch_test_items (id, test_id, item, substance_id) VALUES (1, 1, 1, 901);
             INSERT INTO readings (item_id, read_at, hours, grade, actor) VALUES (1, '2026-01-04T10:00:00Z', 72, '++', 'old');",
        )
        .unwrap();
        event(&conn);
        conn.execute(
            "INSERT INTO patch_tests (id, client_id, applied_at, actor) VALUES (2, 1, '2026-01-02T10:00:00Z', 'hand')",
            [],
        )
        .unwrap();
        conn
    }

    #[test]
    fn raised_sensitivities_writes_the_rows_the_record_implies_under_an_event_of_their_own() {
        let conn = old_database();
        let hand = vec!["patch test #2 was added without its event (no audit event wrote it)"];
        assert_eq!(records::check(&conn).unwrap(), hand);
        raised_sensitivities(&conn).unwrap();
        let (count, item, certainty): (i64, Option<i64>, String) = conn
            .query_row(
                "SELECT count(*), max(evidence_test_item_id), max(certainty) FROM sensitivities",
                [],
                |r| r.try_into(),
            )
            .unwrap();
        assert_eq!((count, item, certainty.as_str()), (1, Some(1), "confirmed"));
        let command: String = conn
            .query_row(
                "SELECT command FROM audit_events ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(command, "upgrade");
        // The new row is claimed; the hand-made one is still reported, also after `init`'s
        // event, which marks what is unclaimed before it.
        assert_eq!(records::check(&conn).unwrap(), hand);
        records::mark_unclaimed(&conn).unwrap();
        event(&conn);
        assert_eq!(records::check(&conn).unwrap(), hand);
        // Run again, it writes nothing.
        raised_sensitivities(&conn).unwrap();
        let count: i64 = conn
            .query_row("SELECT count(*) FROM sensitivities", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 1);
    }
}
