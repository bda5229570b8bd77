-- inkguard schema: the whole current schema (version 8) and the one source of truth.
-- A new database is made from it (src/db/mod.rs); an older one is brought here by the steps in
-- src/db/migrations.rs, and a test checks that both end the same.
-- Connection settings (foreign_keys, journal_mode, busy_timeout) live in open(), never here.

-- Substances and what identifies them -------------------------------------------------------

CREATE TABLE substances (
    id          INTEGER PRIMARY KEY,
    key         TEXT NOT NULL UNIQUE,          -- stable slug: 'nickel-sulfate'
    name        TEXT NOT NULL,                 -- preferred name
    verified    INTEGER NOT NULL DEFAULT 1 CHECK (verified IN (0, 1)),
    category    TEXT,
    note        TEXT,
    source      TEXT NOT NULL,                 -- 'built-in reference', 'import FILE', 'catalog import FILE line N'
    merged_into INTEGER REFERENCES substances(id),
    created_at  TEXT NOT NULL
);
-- The few unidentified substances, for the safe list.
CREATE INDEX substances_unverified ON substances (id) WHERE verified = 0;

-- Identifiers are many-to-many in the real world: one CAS for several pigments, several CAS for
-- one substance. So an identifier row names one substance, and the same value may stand in
-- several rows.
CREATE TABLE identifiers (
    id           INTEGER PRIMARY KEY,
    substance_id INTEGER NOT NULL REFERENCES substances(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('name', 'inci', 'synonym', 'cas', 'ec', 'ci')),
    value        TEXT NOT NULL,                -- as shown: canonical for numbers, as written for names
    norm         TEXT NOT NULL,                -- lookup key: canonical number or normalised name
    source       TEXT NOT NULL,
    UNIQUE (substance_id, kind, norm)
);
CREATE INDEX identifiers_lookup ON identifiers (kind, norm);
CREATE INDEX identifiers_by_norm ON identifiers (norm);

CREATE TABLE groups (
    id       INTEGER PRIMARY KEY,
    key      TEXT NOT NULL UNIQUE,
    name     TEXT NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('same-hapten', 'cross-reactive', 'chemical-family', 'co-sensitisation')),
    on_match TEXT NOT NULL CHECK (on_match IN ('block', 'caution', 'note')),
    note     TEXT,
    source   TEXT NOT NULL,
    parents  TEXT                              -- same-hapten: parent moieties, ';'-separated ('nickel')
);

-- A member is listed (curated, or added by hand) or inferred: its name holds one of the group's
-- parent moieties as a word (`Nickel gluconate`). Inferred rows are kept up to date by the code
-- that adds substances and names.
CREATE TABLE group_members (
    group_id     INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
    substance_id INTEGER NOT NULL REFERENCES substances(id),
    inferred     INTEGER NOT NULL DEFAULT 0 CHECK (inferred IN (0, 1)),
    PRIMARY KEY (group_id, substance_id)
) WITHOUT ROWID;
CREATE INDEX group_members_by_substance ON group_members (substance_id);

CREATE TABLE restrictions (
    id              INTEGER PRIMARY KEY,
    substance_id    INTEGER NOT NULL REFERENCES substances(id),
    jurisdiction    TEXT NOT NULL,
    rule            TEXT NOT NULL CHECK (rule IN ('banned-in-tattoo-pmu', 'max-concentration')),
    limit_mg_per_kg REAL,
    applies_from    TEXT,
    label_statement TEXT,
    source          TEXT NOT NULL,
    UNIQUE (substance_id, jurisdiction, rule)
);

-- Catalog ------------------------------------------------------------------------------------

CREATE TABLE suppliers (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    norm TEXT NOT NULL UNIQUE
);

CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    supplier_id INTEGER NOT NULL REFERENCES suppliers(id),
    code        TEXT NOT NULL,
    code_norm   TEXT NOT NULL,
    name        TEXT NOT NULL,
    shade       TEXT,
    kind        TEXT NOT NULL CHECK (kind IN ('pigment', 'anaesthetic', 'aftercare', 'other')),
    created_at  TEXT NOT NULL,
    name_norm   TEXT NOT NULL DEFAULT '',      -- the name normalised (ident::normalize_name), for finding a product by name
    UNIQUE (supplier_id, code_norm)
);
CREATE INDEX products_by_code ON products (code_norm);
CREATE INDEX products_by_name ON products (name_norm);

-- Each changed ingredient list is a new version; old versions stay, lots and treatments point at them.
CREATE TABLE formulations (
    id          INTEGER PRIMARY KEY,
    product_id  INTEGER NOT NULL REFERENCES products(id),
    version     INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,                 -- hash of the declared ingredient list
    imported_at TEXT NOT NULL,
    source      TEXT NOT NULL,
    -- 1 when the formulation declares no ingredient (`no-ingredients`): set by the import that
    -- writes it, kept by the trigger below when rows are deleted, checked by `doctor`.
    empty       INTEGER NOT NULL DEFAULT 1 CHECK (empty IN (0, 1)),
    UNIQUE (product_id, version)
);

-- One row per (declared ingredient, substance): a declaration that names several substances
-- (`Iron Oxides (CI 77491, CI 77499)`) declares each of them, at the same position.
CREATE TABLE ingredients (
    id               INTEGER PRIMARY KEY,
    formulation_id   INTEGER NOT NULL REFERENCES formulations(id),
    position         INTEGER NOT NULL,         -- declared order, from 1
    name_as_declared TEXT NOT NULL,
    declared_cas     TEXT,                     -- the numbers as declared, canonical, ', '-joined
    declared_ec      TEXT,
    declared_ci      TEXT,
    substance_id     INTEGER NOT NULL REFERENCES substances(id),
    concentration_text TEXT,
    min_percent      REAL,
    max_percent      REAL,
    function         TEXT,
    may_contain      INTEGER NOT NULL DEFAULT 0 CHECK (may_contain IN (0, 1)),
    doubt            TEXT                      -- why this declaration is in doubt: 'declared as "Benzocaine" with the CAS of Lidocaine'
);
-- By formulation: appended in order during an import; a formulation's ingredients.
CREATE INDEX ingredients_by_formulation ON ingredients (formulation_id, substance_id);
-- By substance: the safe list looks up the formulations that hold a client's allergens here
-- instead of reading every ingredient row of the catalog.
CREATE INDEX ingredients_by_substance ON ingredients (substance_id, formulation_id);

CREATE TRIGGER ingredients_keep_emptiness AFTER DELETE ON ingredients BEGIN
    UPDATE formulations SET empty = NOT EXISTS
        (SELECT 1 FROM ingredients i WHERE i.formulation_id = OLD.formulation_id)
    WHERE id = OLD.formulation_id;
END;

CREATE TABLE lots (
    id             INTEGER PRIMARY KEY,
    product_id     INTEGER NOT NULL REFERENCES products(id),
    formulation_id INTEGER NOT NULL REFERENCES formulations(id),
    lot            TEXT NOT NULL,
    expires        TEXT,                       -- YYYY-MM-DD
    created_at     TEXT NOT NULL,
    UNIQUE (product_id, lot)
);

-- A flag is a record of its own (who, when, why), never an edit of the lot.
CREATE TABLE lot_flags (
    id         INTEGER PRIMARY KEY,
    lot_id     INTEGER NOT NULL REFERENCES lots(id),
    reason     TEXT NOT NULL,
    flagged_at TEXT NOT NULL,
    actor      TEXT NOT NULL
);
CREATE INDEX lot_flags_by_lot ON lot_flags (lot_id);

-- Recalls (EU Safety Gate alerts) ----------------------------------------------------------

-- One row per import of an alert that was new or had changed (a later version of the same
-- alert number is a new row); never edited.
CREATE TABLE recalls (
    id          INTEGER PRIMARY KEY,
    alert       TEXT NOT NULL,                 -- as written: 'A12/0097/17'
    alert_norm  TEXT NOT NULL,                 -- normalised (ident::normalize_name)
    version     INTEGER NOT NULL,
    product     TEXT,
    name        TEXT,
    brand       TEXT,
    batch_text  TEXT NOT NULL,
    hazard      TEXT,
    measure     TEXT,
    fingerprint TEXT NOT NULL,                 -- hash of the alert's fields
    source      TEXT NOT NULL,                 -- 'alerts.csv line 4'
    imported_at TEXT NOT NULL,
    actor       TEXT NOT NULL,
    UNIQUE (alert_norm, version)
);

-- The lots read from an alert's batch text.
CREATE TABLE recall_lots (
    id        INTEGER PRIMARY KEY,
    recall_id INTEGER NOT NULL REFERENCES recalls(id),
    lot_text  TEXT NOT NULL,                   -- as written in the alert: 'D 199', 'RX44Q…'
    lot_key   TEXT NOT NULL,                   -- ident::lot_key
    truncated INTEGER NOT NULL CHECK (truncated IN (0, 1))
);
CREATE INDEX recall_lots_by_recall ON recall_lots (recall_id);

-- What an alert meant for the catalog: a lot flagged (matched, or confirmed by a person), or a
-- lot a person has to look at (ambiguous, with the reason).
CREATE TABLE recall_matches (
    id          INTEGER PRIMARY KEY,
    recall_id   INTEGER NOT NULL REFERENCES recalls(id),
    recall_lot_id INTEGER REFERENCES recall_lots(id),
    lot_id      INTEGER NOT NULL REFERENCES lots(id),
    status      TEXT NOT NULL CHECK (status IN ('matched', 'ambiguous', 'confirmed')),
    reason      TEXT,                          -- why ambiguous
    lot_flag_id INTEGER REFERENCES lot_flags(id),
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL
);
CREATE INDEX recall_matches_by_recall ON recall_matches (recall_id);
CREATE INDEX recall_matches_by_lot ON recall_matches (lot_id);

-- Clients and their clinical record (commands come in later versions) ------------------------

CREATE TABLE clients (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT,                           -- personal data: NULL after `client erase`
    born       TEXT,
    phone      TEXT,
    email      TEXT,
    note       TEXT,
    erased_at  TEXT,
    created_at TEXT NOT NULL,
    actor      TEXT NOT NULL,
    code_norm  TEXT NOT NULL DEFAULT ''        -- the code normalised (SPEC 4): one client per code however spelt
);
CREATE UNIQUE INDEX clients_by_code_norm ON clients (code_norm);

CREATE TABLE sensitivities (
    id            INTEGER PRIMARY KEY,
    client_id     INTEGER NOT NULL REFERENCES clients(id),
    substance_id  INTEGER REFERENCES substances(id),
    group_id      INTEGER REFERENCES groups(id),
    formulation_id INTEGER REFERENCES formulations(id),
    source        TEXT NOT NULL CHECK (source IN ('declared', 'physician', 'patch-test', 'reaction')),
    certainty     TEXT NOT NULL CHECK (certainty IN ('confirmed', 'suspected')),
    note          TEXT,
    evidence_test_item_id INTEGER,
    evidence_reaction_id  INTEGER,
    recorded_at   TEXT NOT NULL,
    actor         TEXT NOT NULL,
    CHECK ((substance_id IS NOT NULL) + (group_id IS NOT NULL) + (formulation_id IS NOT NULL) = 1)
);
CREATE INDEX sensitivities_by_client ON sensitivities (client_id);

CREATE TABLE sensitivity_retractions (
    sensitivity_id INTEGER PRIMARY KEY REFERENCES sensitivities(id),
    reason         TEXT NOT NULL,
    retracted_at   TEXT NOT NULL,
    actor          TEXT NOT NULL
);

CREATE TABLE patch_tests (
    id         INTEGER PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES clients(id),
    applied_at TEXT NOT NULL,
    site       TEXT,
    actor      TEXT NOT NULL
);

CREATE TABLE patch_test_items (
    id             INTEGER PRIMARY KEY,
    test_id        INTEGER NOT NULL REFERENCES patch_tests(id),
    item           INTEGER NOT NULL,           -- 1, 2, ... within the test
    product_id     INTEGER REFERENCES products(id),
    formulation_id INTEGER REFERENCES formulations(id),
    lot_id         INTEGER REFERENCES lots(id),
    substance_id   INTEGER REFERENCES substances(id),
    group_id       INTEGER REFERENCES groups(id),     -- a mix of a series
    series_allergen_id INTEGER REFERENCES series_allergens(id),
    concentration  TEXT,                       -- of a series allergen, as written
    vehicle        TEXT,
    photo_of       INTEGER,                    -- the irradiated set of a photopatch test: its twin's item number
    UNIQUE (test_id, item)
);

-- Patch-test series (SPEC 4), as a dermatologist applies them: a named list of allergens, each
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

CREATE TABLE readings (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES patch_test_items(id),
    read_at     TEXT NOT NULL,
    hours       REAL NOT NULL,
    grade       TEXT NOT NULL CHECK (grade IN ('-', '?+', '+', '++', '+++', 'IR', 'NT')),
    note        TEXT,
    supersedes  INTEGER REFERENCES readings(id),
    correction_reason TEXT,
    actor       TEXT NOT NULL
);

CREATE TABLE treatments (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients(id),
    at          TEXT NOT NULL,
    area        TEXT,
    override    TEXT,
    actor       TEXT NOT NULL
);

CREATE TABLE treatment_items (
    treatment_id INTEGER NOT NULL REFERENCES treatments(id),
    lot_id       INTEGER NOT NULL REFERENCES lots(id),
    PRIMARY KEY (treatment_id, lot_id)
) WITHOUT ROWID;

CREATE TABLE reactions (
    id           INTEGER PRIMARY KEY,
    client_id    INTEGER NOT NULL REFERENCES clients(id),
    treatment_id INTEGER NOT NULL REFERENCES treatments(id),
    onset        TEXT NOT NULL,
    symptoms     TEXT NOT NULL,
    severity     TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe')),
    recorded_at  TEXT NOT NULL,
    actor        TEXT NOT NULL
);

CREATE TABLE policy (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Audit: an append-only, hash-chained log. Events name clients by code only.
CREATE TABLE audit_events (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    command   TEXT NOT NULL,
    client    TEXT,
    detail    TEXT NOT NULL,                   -- JSON
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    rows      TEXT                             -- digest of the rows it wrote (audit_rows)
);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- Import batches (`import history`, `import undo`) and per-supplier import settings (`--save-map`).
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

-- Clinical records are never updated in place nor deleted: corrections are new rows that point
-- at what they supersede, and retractions are rows of their own.
CREATE TRIGGER readings_no_update BEFORE UPDATE ON readings
BEGIN SELECT RAISE(ABORT, 'readings are append-only: record a correction instead'); END;
CREATE TRIGGER readings_no_delete BEFORE DELETE ON readings
BEGIN SELECT RAISE(ABORT, 'readings are append-only: record a correction instead'); END;
CREATE TRIGGER sensitivities_no_update BEFORE UPDATE ON sensitivities
BEGIN SELECT RAISE(ABORT, 'sensitivities are append-only: retract instead'); END;
CREATE TRIGGER sensitivities_no_delete BEFORE DELETE ON sensitivities
BEGIN SELECT RAISE(ABORT, 'sensitivities are append-only: retract instead'); END;
CREATE TRIGGER sensitivity_retractions_no_update BEFORE UPDATE ON sensitivity_retractions
BEGIN SELECT RAISE(ABORT, 'retractions are append-only'); END;
CREATE TRIGGER sensitivity_retractions_no_delete BEFORE DELETE ON sensitivity_retractions
BEGIN SELECT RAISE(ABORT, 'retractions are append-only'); END;
CREATE TRIGGER treatments_no_update BEFORE UPDATE ON treatments
BEGIN SELECT RAISE(ABORT, 'treatments are append-only'); END;
CREATE TRIGGER treatments_no_delete BEFORE DELETE ON treatments
BEGIN SELECT RAISE(ABORT, 'treatments are append-only'); END;
CREATE TRIGGER treatment_items_no_update BEFORE UPDATE ON treatment_items
BEGIN SELECT RAISE(ABORT, 'treatments are append-only'); END;
CREATE TRIGGER treatment_items_no_delete BEFORE DELETE ON treatment_items
BEGIN SELECT RAISE(ABORT, 'treatments are append-only'); END;
CREATE TRIGGER reactions_no_update BEFORE UPDATE ON reactions
BEGIN SELECT RAISE(ABORT, 'reactions are append-only'); END;
CREATE TRIGGER reactions_no_delete BEFORE DELETE ON reactions
BEGIN SELECT RAISE(ABORT, 'reactions are append-only'); END;
CREATE TRIGGER lot_flags_no_update BEFORE UPDATE ON lot_flags
BEGIN SELECT RAISE(ABORT, 'lot flags are append-only'); END;
CREATE TRIGGER lot_flags_no_delete BEFORE DELETE ON lot_flags
BEGIN SELECT RAISE(ABORT, 'lot flags are append-only'); END;
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
BEGIN SELECT RAISE(ABORT, 'recalls are append-only'); END;

-- The people who may sign in to `inkguard serve` (SPEC 10); passwords as argon2 PHC strings.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    actor         TEXT NOT NULL
);
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

-- Tamper evidence for the records (SPEC 8): the clinical rows each audit event wrote, each with
-- the hash of its canonical text (`db::records`); the event's hash covers their digest (`rows`).
-- A row claimed again (a patch-test item moved by `substance merge`) is checked by its latest claim.
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
BEGIN SELECT RAISE(ABORT, 'patch test items are append-only: record a new test instead'); END;
