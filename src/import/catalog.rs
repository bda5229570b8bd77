//! `import catalog`: supplier ingredient files into products, formulations and lots (SPEC 3).
//!
//! The file streams through once. Rows are grouped into products as they come (a product's
//! rows stand together); each finished product is checked and written in the one transaction of
//! the import. An invalid row fails the whole import (nothing written) unless `--skip-invalid`,
//! which leaves out exactly the products that have an invalid row. `--dry-run` does everything
//! and rolls back.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::concentration::{self, Concentration};
use super::headers::{self, ColumnMap, Field, Mapping};
use super::resolve::{Declared, Index, NewSubstance, Resolution};
use super::{label, CsvSource, ReadOptions};
use crate::db::catalog::{self as cat, Kind};
use crate::db::substances::{self, IdKind};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ident::{self, Cas, ColourIndex, Ec};
use crate::screening::World;

/// A checked `import catalog` command.
#[derive(Debug, Clone, Default)]
pub struct CatalogImport {
    pub read: ReadOptions,
    pub supplier: Option<String>,
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub maps: Vec<Mapping>,
    pub kind: Option<Kind>,
}

#[derive(Debug, Default, Serialize)]
pub struct ProductCounts {
    pub new: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

#[derive(Debug, Serialize)]
pub struct Unverified {
    pub name: String,
    pub key: String,
    pub suggestions: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct SubstanceCounts {
    pub matched: usize,
    pub unverified: Vec<Unverified>,
}

#[derive(Debug, Serialize, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rejected {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Default, Serialize)]
pub struct CatalogReport {
    pub file: String,
    pub layout: &'static str,
    pub encoding: String,
    pub delimiter: String,
    pub dry_run: bool,
    /// Whether the import was committed.
    pub written: bool,
    pub rows: u64,
    pub products: ProductCounts,
    pub formulations: usize,
    pub lots: usize,
    pub substances: SubstanceCounts,
    pub rejected: Vec<Rejected>,
    pub warnings: Vec<String>,
}

/// Values per ingredient row, and rows per INSERT statement.
const COLUMNS: usize = 13;
const ROWS: usize = 16;

/// `INSERT INTO ingredients ... VALUES (...), (...)` for 1 to `ROWS` rows.
fn ingredient_inserts() -> Vec<String> {
    let one = format!("({})", ["?"; COLUMNS].join(", "));
    (1..=ROWS)
        .map(|n| {
            format!(
                "INSERT INTO ingredients (formulation_id, position, name_as_declared, substance_id,
                   concentration_text, min_percent, max_percent, function, may_contain,
                   declared_cas, declared_ec, declared_ci, doubt) VALUES {}",
                vec![one.as_str(); n].join(", ")
            )
        })
        .collect()
}

/// No product declares more ingredients than this; a file that says otherwise is broken (or
/// hostile), and holding its items would take memory without bound.
pub const MAX_INGREDIENTS: usize = 1_000;

/// The two layouts of SPEC 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    PerIngredient,
    Label,
}

/// One declared ingredient of a product, as read and resolved.
#[derive(Debug, Clone)]
struct Item {
    line: u64,
    name: String,
    declared: Declared,
    concentration: Option<Concentration>,
    function: Option<String>,
    may_contain: bool,
    resolution: Resolution,
}

#[derive(Debug, Clone)]
struct LotDecl {
    lot: String,
    expires: Option<NaiveDate>,
    line: u64,
}

/// A product being read.
#[derive(Debug, Default)]
struct Draft {
    supplier: String,
    code: String,
    name: Option<String>,
    shade: Option<Option<String>>,
    kind: Option<Kind>,
    first_line: u64,
    last_line: u64,
    items: Vec<Item>,
    lots: Vec<LotDecl>,
    errors: Vec<Rejected>,
}

impl Draft {
    fn key(&self) -> (String, String) {
        (
            ident::normalize_name(&self.supplier),
            cat::code_norm(&self.code),
        )
    }

    fn lines(&self) -> String {
        if self.first_line == self.last_line {
            format!("line {}", self.first_line)
        } else {
            format!("lines {}-{}", self.first_line, self.last_line)
        }
    }
}

/// A product as the database holds it before the import: its row and current formulation
/// (id, version, fingerprint).
struct Existing {
    product: Option<cat::ProductRow>,
    current: Option<(i64, i64, String)>,
}

/// What writing a product did, so that it can be undone when the product turns out invalid
/// later in the file (its code shows up again).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Written {
    outcome: Outcome,
    product: i64,
    created_product: bool,
    previous: Option<(String, Option<String>, Kind)>,
    formulation: Option<i64>,
    lots: Vec<i64>,
    expiry_changes: Vec<(i64, Option<String>)>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Outcome {
    #[default]
    Unchanged,
    New,
    Changed,
}

/// A product this import has finished.
struct Finished {
    lines: String,
    fingerprint: String,
    /// Every row valid (so far).
    valid: bool,
    written: Option<Written>,
}

/// The products this import has finished, in a TEMP table rather than in memory, so that memory
/// stays flat however many products a file holds. (Needed to notice a product code that comes
/// back later in the file.)
struct Seen<'a> {
    conn: &'a Connection,
}

impl<'a> Seen<'a> {
    fn new(conn: &'a Connection) -> Result<Self> {
        conn.execute_batch(
            "CREATE TEMP TABLE IF NOT EXISTS import_seen (
                 key TEXT PRIMARY KEY, lines TEXT NOT NULL, fingerprint TEXT NOT NULL,
                 valid INTEGER NOT NULL, written TEXT);
             DELETE FROM temp.import_seen;",
        )?;
        Ok(Seen { conn })
    }

    fn get(&self, key: &str) -> Result<Option<Finished>> {
        let row: Option<(String, String, bool, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT lines, fingerprint, valid, written FROM temp.import_seen WHERE key = ?1",
            )?
            .query_row([key], |r| r.try_into())
            .optional()?;
        Ok(row.map(|(lines, fingerprint, valid, written)| Finished {
            lines,
            fingerprint,
            valid,
            written: written.and_then(|w| serde_json::from_str::<Written>(&w).ok()),
        }))
    }

    fn put(&self, key: &str, f: &Finished) -> Result<()> {
        let written = f
            .written
            .as_ref()
            .map(|w| serde_json::to_string(w).unwrap_or_default());
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO temp.import_seen (key, lines, fingerprint, valid, written)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![key, f.lines, f.fingerprint, f.valid, written])?;
        Ok(())
    }
}

/// Runs the import. `Err(ImportRejected)` (with the report filled in) when rows were invalid
/// and nothing was written.
pub fn run(db: &mut Db, job: &CatalogImport) -> Result<(CatalogReport, Result<()>)> {
    let mut source = super::open(&job.read)?;
    let file_name = super::display_name(&job.read.file);
    let at = db.stamp();
    let actor = db.actor.clone();
    let now = db.now;
    let tx = db.write()?;
    let mut importer = Importer::new(&tx, job, &file_name, &at, now)?;
    importer.report.encoding = source.info.encoding.clone();
    importer.report.delimiter = source.info.delimiter.clone();
    importer.report.file = source.info.file.clone();
    let read = importer.read_all(&mut source);
    source.progress.finish_and_clear();
    read?;
    let mut report = importer.finish()?;
    let detail = serde_json::json!({
        "file": file_name,
        "products": &report.products,
        "formulations": report.formulations,
        "lots": report.lots,
        "rejected": report.rejected.len(),
    });
    let ending = super::Ending {
        command: "import catalog",
        file: &file_name,
        actor: &actor,
        at: &at,
        rejected: report.rejected.len(),
        skip_invalid: job.skip_invalid,
        dry_run: job.dry_run,
        skip_hint: "or add --skip-invalid to import the products whose rows are all valid",
    };
    let (written, outcome) = super::conclude(tx, ending, detail)?;
    report.dry_run = job.dry_run;
    report.written = written;
    Ok((report, outcome))
}

struct Importer<'a> {
    conn: &'a Connection,
    job: &'a CatalogImport,
    file_name: &'a str,
    at: &'a str,
    index: Index,
    /// The restrictions and the policy's jurisdiction, for the report's warnings.
    world: World,
    report: CatalogReport,
    /// The multi-row ingredient INSERTs, made once.
    insert_sql: Vec<String>,
    /// Each distinct warning with its first line and how often it came.
    warnings: BTreeMap<String, (u64, usize)>,
    finished: Seen<'a>,
    matched: BTreeSet<i64>,
    unverified: BTreeSet<i64>,
    supplier_ids: HashMap<String, i64>,
}

impl<'a> Importer<'a> {
    fn new(
        conn: &'a Connection,
        job: &'a CatalogImport,
        file_name: &'a str,
        at: &'a str,
        now: DateTime<Utc>,
    ) -> Result<Self> {
        Ok(Importer {
            conn,
            job,
            file_name,
            at,
            index: Index::load(conn)?,
            world: crate::db::facts::load_world(conn, now)?,
            report: CatalogReport::default(),
            warnings: BTreeMap::new(),
            finished: Seen::new(conn)?,
            insert_sql: ingredient_inserts(),
            matched: BTreeSet::new(),
            unverified: BTreeSet::new(),
            supplier_ids: HashMap::new(),
        })
    }

    fn warn(&mut self, line: u64, message: String) {
        let entry = self.warnings.entry(message).or_insert((line, 0));
        entry.1 += 1;
    }

    fn read_all(&mut self, source: &mut CsvSource) -> Result<()> {
        let mut record = csv::StringRecord::new();
        let (map, layout) = self.find_header(source, &mut record)?;
        self.report.layout = match layout {
            Layout::PerIngredient => "one row per ingredient",
            Layout::Label => "one row per product",
        };
        if !map.ignored.is_empty() {
            self.warn(
                super::line_of(&record),
                format!("columns not used: {}", few(&map.ignored)),
            );
        }
        let mut draft: Option<Draft> = None;
        while super::next_record(source, &mut record)? {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            self.report.rows += 1;
            let line = super::line_of(&record);
            let row = Row {
                record: &record,
                map: &map,
            };
            let supplier = row
                .get(Field::Supplier)
                .map(str::to_string)
                .or_else(|| self.job.supplier.clone());
            let code = row.get(Field::ProductCode).or(row.get(Field::ProductName));
            let (Some(supplier), Some(code)) = (supplier, code) else {
                let reason = if code.is_none() {
                    "no product code or name: every row needs one".to_string()
                } else {
                    "no supplier: give --supplier NAME (or a supplier column)".to_string()
                };
                // A row without a product belongs to no product: it fails on its own.
                self.report.rejected.push(Rejected { line, reason });
                continue;
            };
            let key = (ident::normalize_name(&supplier), cat::code_norm(code));
            let same = draft.as_ref().is_some_and(|d| d.key() == key);
            if !same || layout == Layout::Label {
                if let Some(done) = draft.take() {
                    self.finish_product(done)?;
                }
                draft = Some(Draft {
                    supplier: supplier.trim().to_string(),
                    code: code.trim().to_string(),
                    first_line: line,
                    ..Draft::default()
                });
            }
            let d = draft.as_mut().expect("a draft was just made");
            d.last_line = line;
            self.read_row(d, &row, line, layout);
        }
        if let Some(done) = draft.take() {
            self.finish_product(done)?;
        }
        Ok(())
    }

    /// Finds the header row: the first of the first records that names the columns a layout
    /// needs. Rows before it (a title, a date) are a preamble and skipped.
    fn find_header(
        &mut self,
        source: &mut CsvSource,
        record: &mut csv::StringRecord,
    ) -> Result<(ColumnMap, Layout)> {
        let found = super::find_header(source, record, &self.job.maps, |_, map| {
            let product = map.has(Field::ProductCode) || map.has(Field::ProductName);
            let ingredient =
                map.has(Field::Ingredient) || map.has(Field::Cas) || map.has(Field::Ci);
            if product && ingredient {
                Some((map, Layout::PerIngredient))
            } else if product && map.has(Field::Declaration) {
                Some((map, Layout::Label))
            } else {
                None
            }
        })?;
        let seen = match found {
            Ok(found) => return Ok(found),
            Err(seen) => seen,
        };
        let seen_refs: Vec<&str> = seen.iter().map(String::as_str).collect();
        // The example names the fields the headers lack, with headers no field claimed.
        let map = headers::match_headers(&seen_refs, &self.job.maps).unwrap_or_default();
        let mut unclaimed = map.ignored.iter();
        let mut example = Vec::new();
        if !(map.has(Field::ProductCode) || map.has(Field::ProductName)) {
            example.push(format!(
                "--map name={:?}",
                unclaimed.next().map_or("Product", |s| s.as_str())
            ));
        }
        if !(map.has(Field::Ingredient) || map.has(Field::Declaration)) {
            example.push(format!(
                "--map ingredient={:?}",
                unclaimed.next().map_or("Ingredient", |s| s.as_str())
            ));
        }
        if !map.has(Field::Cas) {
            if let Some(h) = unclaimed.next() {
                example.push(format!("--map cas={h:?}"));
            }
        }
        Err(Error::Invalid {
            message: format!(
                "{}: cannot find the product and ingredient columns; the headers are: {}",
                self.file_name,
                if seen.is_empty() { "(none: the file is empty)".to_string() } else { headers::quoted(&seen_refs) }
            ),
            hints: vec![
                "a catalog needs a product code or name column, and either an ingredient (or CAS/CI) column or a whole ingredient list column".into(),
                format!("name the columns with --map, for example: {}", example.join(" ")),
                "fields for --map: code, name, shade, kind, ingredient, ingredients, cas, ec, ci, concentration, function, may_contain, lot, expiry, supplier".into(),
            ],
        })
    }

    /// Reads one row into the product being read.
    fn read_row(&mut self, d: &mut Draft, row: &Row, line: u64, layout: Layout) {
        let mut errors: Vec<String> = Vec::new();
        if d.name.is_none() {
            d.name = row.get(Field::ProductName).map(str::to_string);
        }
        if row.map.has(Field::Shade) && d.shade.is_none() {
            d.shade = Some(row.get(Field::Shade).map(str::to_string));
        }
        if let Some(kind) = row.get(Field::Kind) {
            match Kind::parse(kind) {
                Some(k) => d.kind = d.kind.or(Some(k)),
                None => errors.push(format!(
                    "kind {kind:?} is not one of pigment, anaesthetic, aftercare, other"
                )),
            }
        }
        if let Some(lot) = row.get(Field::Lot) {
            let expires = match row.get(Field::Expiry).map(parse_expiry).transpose() {
                Ok(e) => e,
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
            match d.lots.iter().find(|l| l.lot == lot) {
                Some(l) if l.expires != expires => errors.push(format!(
                    "lot {lot:?} has expiry {} here but {} on line {}",
                    show_date(expires),
                    show_date(l.expires),
                    l.line
                )),
                Some(_) => {}
                None => d.lots.push(LotDecl {
                    lot: lot.to_string(),
                    expires,
                    line,
                }),
            }
        } else if row.get(Field::Expiry).is_some() {
            errors.push("an expiry date without a lot number: add the lot".into());
        }
        match layout {
            Layout::PerIngredient => {
                let has_ingredient = [Field::Ingredient, Field::Cas, Field::Ec, Field::Ci]
                    .iter()
                    .any(|f| row.get(*f).is_some());
                if has_ingredient && d.items.len() >= MAX_INGREDIENTS {
                    if d.items.len() == MAX_INGREDIENTS {
                        errors.push(format!("product {:?} declares more than {MAX_INGREDIENTS} ingredients: check the file", d.code));
                        d.items.push(placeholder_item(line));
                    }
                } else if has_ingredient {
                    match self.ingredient_from_row(row, line) {
                        Ok(item) => d.items.push(item),
                        Err(e) => errors.push(e),
                    }
                } else if row.get(Field::Lot).is_none() {
                    errors.push(
                        "no ingredient: the row has no ingredient name, CAS, EC or CI number"
                            .into(),
                    );
                }
            }
            Layout::Label => match row.get(Field::Declaration) {
                // Count before splitting: a declaration of a million items is refused, not held.
                Some(declaration) if declaration.matches([',', ';']).count() >= MAX_INGREDIENTS => {
                    errors.push(format!(
                        "the ingredient list has more than {MAX_INGREDIENTS} items ({} MB): check the file",
                        declaration.len() / (1024 * 1024)
                    ));
                }
                Some(declaration) => {
                    let label = label::read(declaration);
                    if label.semicolons {
                        self.warn(
                            line,
                            "the ingredient list separates items with ';': split on them; check that each item is one ingredient".into(),
                        );
                    }
                    for part in &label.items {
                        match self.ingredient_from_label(part, line) {
                            Ok(item) => d.items.push(item),
                            Err(e) => errors.push(e),
                        }
                    }
                    if d.items.is_empty() && errors.is_empty() {
                        errors.push("the ingredient list is empty".into());
                    }
                }
                None => errors.push("the ingredient list is empty".into()),
            },
        }
        d.errors
            .extend(errors.into_iter().map(|reason| Rejected { line, reason }));
    }

    fn ingredient_from_row(&self, row: &Row, line: u64) -> Result<Item, String> {
        let name = row.get(Field::Ingredient).unwrap_or_default().to_string();
        let mut problems: Vec<String> = Vec::new();
        let mut declared = Declared {
            name: name.clone(),
            ..Declared::default()
        };
        for part in ident::split_identifiers(row.get(Field::Cas).unwrap_or_default()) {
            match Cas::parse(part) {
                Ok(c) => push_unique(&mut declared.cas, c),
                Err(e) => problems.push(e.to_string()),
            }
        }
        for part in ident::split_identifiers(row.get(Field::Ec).unwrap_or_default()) {
            match Ec::parse(part) {
                Ok(c) => push_unique(&mut declared.ec, c),
                Err(e) => problems.push(e.to_string()),
            }
        }
        for part in ident::split_identifiers(row.get(Field::Ci).unwrap_or_default()) {
            match ColourIndex::parse(part) {
                Ok(c) => push_unique(&mut declared.ci, c),
                Err(e) => problems.push(e.to_string()),
            }
        }
        numbers_in_name(&name, &mut declared, &mut problems);
        let concentration =
            match concentration::parse(row.get(Field::Concentration).unwrap_or_default()) {
                Ok(c) => c,
                Err(e) => {
                    problems.push(e.to_string());
                    None
                }
            };
        let may_contain = match row.get(Field::MayContain).map(parse_flag).transpose() {
            Ok(flag) => flag.unwrap_or(false),
            Err(e) => {
                problems.push(e);
                false
            }
        };
        if name.is_empty() && !declared.has_numbers() && problems.is_empty() {
            problems.push("no ingredient name".into());
        }
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        let resolution = self.index.resolve(&declared)?;
        Ok(Item {
            line,
            name: if name.is_empty() {
                numbers_as_name(&declared)
            } else {
                name
            },
            declared,
            concentration,
            function: row.get(Field::Function).map(str::to_string),
            may_contain,
            resolution,
        })
    }

    fn ingredient_from_label(&self, part: &label::LabelItem, line: u64) -> Result<Item, String> {
        let text = part.text.as_str();
        let mut declared = Declared {
            name: text.to_string(),
            ..Declared::default()
        };
        let mut problems = Vec::new();
        numbers_in_name(text, &mut declared, &mut problems);
        let concentration = match part.concentration.as_deref().map(concentration::parse) {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                problems.push(e.to_string());
                None
            }
            None => None,
        };
        if !problems.is_empty() {
            return Err(format!("{text:?}: {}", problems.join("; ")));
        }
        let resolution = self
            .index
            .resolve(&declared)
            .map_err(|e| format!("{text:?}: {e}"))?;
        Ok(Item {
            line,
            name: text.to_string(),
            declared,
            concentration,
            function: part.impurity.then(|| "impurity".to_string()),
            may_contain: part.may_contain,
            resolution,
        })
    }

    /// A product's rows are all read: check it against the database and write it.
    fn finish_product(&mut self, mut d: Draft) -> Result<()> {
        if d.items.is_empty() && d.errors.is_empty() {
            d.errors.push(Rejected {
                line: d.first_line,
                reason: format!(
                    "product {:?} ({}) has no ingredient: add its ingredient rows (a product is imported with its whole ingredient list), or add lots with inkguard lot add",
                    d.code,
                    d.lines()
                ),
            });
        }
        let (supplier_key, code_key) = d.key();
        let key = format!("{supplier_key}\u{1f}{code_key}");
        let fingerprint = fingerprint(&d.items);
        let earlier = self.finished.get(&key)?;
        let seen_before = earlier.is_some();
        if let Some(mut earlier) = earlier {
            if earlier.valid && earlier.fingerprint == fingerprint && d.errors.is_empty() {
                let message = format!(
                    "product {:?} is declared again with the same ingredients as on {}; the repeat is ignored",
                    d.code, earlier.lines
                );
                self.warn(d.first_line, message);
                return Ok(());
            }
            let message = format!(
                "product {:?} already appeared on {}: a product's rows must stand together and declare it once",
                d.code, earlier.lines
            );
            d.errors.push(Rejected {
                line: d.first_line,
                reason: message,
            });
            if earlier.valid {
                // The earlier part was not the whole product after all: take it back.
                earlier.valid = false;
                self.report.products.rejected += 1;
                if let Some(written) = earlier.written.take() {
                    undo(self.conn, &written)?;
                    let counts = &mut self.report.products;
                    match written.outcome {
                        Outcome::New => counts.new -= 1,
                        Outcome::Changed => counts.changed -= 1,
                        Outcome::Unchanged => counts.unchanged -= 1,
                    }
                    self.report.formulations -= usize::from(written.formulation.is_some());
                    self.report.lots -= written.lots.len();
                }
                self.finished.put(&key, &earlier)?;
            }
        }
        let existing = self.existing(&d)?;
        if d.errors.is_empty() {
            if let Err(lot_errors) = self.check_lots(&d, &existing, &fingerprint)? {
                d.errors.extend(lot_errors);
            }
        }
        let lines = d.lines();
        if !d.errors.is_empty() {
            if !seen_before {
                self.report.products.rejected += 1;
            }
            if self.job.skip_invalid {
                self.warn(
                    d.first_line,
                    format!(
                        "product {:?} ({lines}) not imported: it has invalid rows",
                        d.code
                    ),
                );
            }
            self.report.rejected.append(&mut d.errors);
            if !seen_before {
                let finished = Finished {
                    lines,
                    fingerprint,
                    valid: false,
                    written: None,
                };
                self.finished.put(&key, &finished)?;
            }
            return Ok(());
        }
        for item in &d.items {
            for w in &item.resolution.warnings {
                self.warn(item.line, w.clone());
            }
        }
        self.warn_restricted(&d);
        // With invalid rows and no --skip-invalid nothing will be written: only validate.
        let written = if self.report.rejected.is_empty() || self.job.skip_invalid {
            Some(self.write(&d, existing, &fingerprint)?)
        } else {
            None
        };
        let finished = Finished {
            lines,
            fingerprint,
            valid: true,
            written,
        };
        self.finished.put(&key, &finished)
    }

    /// Warns of the restricted substances a pigment declares (SPEC 3 and 6): banned ones, and
    /// limited ones declared above their limit or without a concentration.
    fn warn_restricted(&mut self, d: &Draft) {
        let Some(jurisdiction) = self.world.policy.jurisdiction.clone() else {
            return;
        };
        if d.kind.or(self.job.kind).unwrap_or(Kind::Pigment) != Kind::Pigment {
            return;
        }
        let today = self.world.today();
        let mut found = Vec::new();
        for item in &d.items {
            let max = item.concentration.as_ref().and_then(|c| c.max_percent);
            for id in &item.resolution.substances {
                for r in self.world.restrictions_of(*id) {
                    if r.jurisdiction == jurisdiction {
                        if let Some(what) = r.breach(max, today) {
                            let name = self.index.name_of(*id);
                            found.push((
                                item.line,
                                format!(
                                    "product {:?}: {name} (declared as {:?}) {what}",
                                    d.code, item.name
                                ),
                            ));
                        }
                    }
                }
            }
        }
        for (line, message) in found {
            self.warn(line, message);
        }
    }

    /// A lot named in the file that already belongs to another formulation than the one the
    /// file declares is a contradiction: a lot is made from one formulation.
    fn check_lots(
        &self,
        d: &Draft,
        existing: &Existing,
        fingerprint: &str,
    ) -> Result<Result<(), Vec<Rejected>>> {
        let Some(product) = &existing.product else {
            return Ok(Ok(()));
        };
        let target = existing
            .current
            .as_ref()
            .filter(|(_, _, fp)| fp == fingerprint)
            .map(|(id, ..)| *id);
        let mut errors = Vec::new();
        for l in &d.lots {
            if let Some((_, formulation, _)) = cat::find_lot(self.conn, product.id, &l.lot)? {
                if Some(formulation) != target {
                    let version = cat::formulation_version(self.conn, formulation)?;
                    errors.push(Rejected {
                        line: l.line,
                        reason: format!(
                            "lot {:?} of {:?} is already recorded with formulation {version}, whose ingredients differ from this file's",
                            l.lot, d.code
                        ),
                    });
                }
            }
        }
        Ok(if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        })
    }

    fn supplier(&mut self, name: &str) -> Result<i64> {
        let norm = ident::normalize_name(name);
        if let Some(id) = self.supplier_ids.get(&norm) {
            return Ok(*id);
        }
        let id = cat::supplier_id_or_create(self.conn, name)?;
        self.supplier_ids.insert(norm, id);
        Ok(id)
    }

    /// The product as the database holds it before this import touches it.
    fn existing(&mut self, d: &Draft) -> Result<Existing> {
        let supplier = match self.supplier_ids.get(&ident::normalize_name(&d.supplier)) {
            Some(id) => Some(*id),
            None => cat::supplier_id(self.conn, &d.supplier)?,
        };
        let product = match supplier {
            Some(s) => cat::find_product(self.conn, s, &d.code)?,
            None => None,
        };
        let current = match &product {
            Some(p) => cat::current_formulation(self.conn, p.id)?,
            None => None,
        };
        Ok(Existing { product, current })
    }

    fn write(&mut self, d: &Draft, existing: Existing, fingerprint: &str) -> Result<Written> {
        let supplier = self.supplier(&d.supplier)?;
        let mut w = Written::default();
        let name = d.name.clone().unwrap_or_else(|| d.code.clone());
        let product = match &existing.product {
            None => {
                let kind = d.kind.or(self.job.kind).unwrap_or(Kind::Pigment);
                self.conn
                    .prepare_cached(
                        "INSERT INTO products (supplier_id, code, code_norm, name, name_norm, shade, kind, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    )?
                    .execute(params![
                        supplier,
                        d.code,
                        cat::code_norm(&d.code),
                        name,
                        ident::normalize_name(&name),
                        d.shade.clone().flatten(),
                        kind.as_str(),
                        self.at
                    ])?;
                w.created_product = true;
                w.outcome = Outcome::New;
                self.conn.last_insert_rowid()
            }
            Some(p) => {
                let kind = d.kind.or(self.job.kind).unwrap_or(p.kind);
                let shade = d.shade.clone().unwrap_or_else(|| p.shade.clone());
                let name = d.name.clone().unwrap_or_else(|| p.name.clone());
                if (name.as_str(), shade.as_deref(), kind)
                    != (p.name.as_str(), p.shade.as_deref(), p.kind)
                {
                    self.conn
                        .prepare_cached(
                            "UPDATE products SET name = ?2, name_norm = ?5, shade = ?3, kind = ?4 WHERE id = ?1",
                        )?
                        .execute(params![p.id, name, shade, kind.as_str(), ident::normalize_name(&name)])?;
                    w.previous = Some((p.name.clone(), p.shade.clone(), p.kind));
                    w.outcome = Outcome::Changed;
                }
                p.id
            }
        };
        w.product = product;
        let formulation = match existing.current {
            Some((id, _, fp)) if fp == fingerprint => id,
            other => {
                let version = other.map_or(1, |(_, v, _)| v + 1);
                self.conn
                    .prepare_cached(
                        "INSERT INTO formulations (product_id, version, fingerprint, imported_at, source)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![product, version, fingerprint, self.at, format!("import catalog {}", self.file_name)])?;
                let id = self.conn.last_insert_rowid();
                self.write_ingredients(id, d)?;
                w.formulation = Some(id);
                self.report.formulations += 1;
                if w.outcome == Outcome::Unchanged {
                    w.outcome = Outcome::Changed;
                }
                id
            }
        };
        if w.formulation.is_none() {
            // Unchanged ingredients: count what they resolve to all the same.
            for item in &d.items {
                self.count_substances(&item.resolution.substances);
            }
        }
        for l in &d.lots {
            let expires = l.expires.map(|e| e.to_string());
            match cat::find_lot(self.conn, product, &l.lot)? {
                None => {
                    w.lots.push(cat::insert_lot(
                        self.conn,
                        product,
                        formulation,
                        &l.lot,
                        expires.as_deref(),
                        self.at,
                    )?);
                    self.report.lots += 1;
                }
                Some((id, _, old)) if old != expires => {
                    self.conn
                        .prepare_cached("UPDATE lots SET expires = ?2 WHERE id = ?1")?
                        .execute(params![id, expires])?;
                    self.warn(
                        l.line,
                        format!(
                            "lot {:?} of {:?}: expiry changed from {} to {}",
                            l.lot,
                            d.code,
                            old.as_deref().unwrap_or("none"),
                            expires.as_deref().unwrap_or("none")
                        ),
                    );
                    w.expiry_changes.push((id, old));
                    if w.outcome == Outcome::Unchanged {
                        w.outcome = Outcome::Changed;
                    }
                }
                Some(_) => {}
            }
        }
        match w.outcome {
            Outcome::New => self.report.products.new += 1,
            Outcome::Changed => self.report.products.changed += 1,
            Outcome::Unchanged => self.report.products.unchanged += 1,
        }
        Ok(w)
    }

    fn write_ingredients(&mut self, formulation: i64, d: &Draft) -> Result<()> {
        let mut rows: Vec<(usize, &Item, i64)> = Vec::new();
        for (i, item) in d.items.iter().enumerate() {
            let mut ids = item.resolution.substances.clone();
            if let Some(new) = &item.resolution.new {
                ids.push(self.unverified_substance(new, item.line)?);
            }
            self.count_substances(&ids);
            rows.extend(ids.into_iter().map(|sid| (i + 1, item, sid)));
        }
        // One statement for up to 16 rows: one round through SQLite instead of sixteen, with
        // the values bound in place (no per-value allocation).
        for chunk in rows.chunks(ROWS) {
            let sql = &self.insert_sql[chunk.len() - 1];
            let mut stmt = self.conn.prepare_cached(sql)?;
            for (k, (position, item, sid)) in chunk.iter().enumerate() {
                let c = item.concentration.as_ref();
                let at = k * COLUMNS;
                stmt.raw_bind_parameter(at + 1, formulation)?;
                stmt.raw_bind_parameter(at + 2, *position as i64)?;
                stmt.raw_bind_parameter(at + 3, item.name.as_str())?;
                stmt.raw_bind_parameter(at + 4, *sid)?;
                stmt.raw_bind_parameter(at + 5, c.map(|c| c.text.as_str()))?;
                stmt.raw_bind_parameter(at + 6, c.and_then(|c| c.min_percent))?;
                stmt.raw_bind_parameter(at + 7, c.and_then(|c| c.max_percent))?;
                stmt.raw_bind_parameter(at + 8, item.function.as_deref())?;
                stmt.raw_bind_parameter(at + 9, item.may_contain)?;
                stmt.raw_bind_parameter(at + 10, joined(&item.declared.cas))?;
                stmt.raw_bind_parameter(at + 11, joined(&item.declared.ec))?;
                stmt.raw_bind_parameter(at + 12, joined(&item.declared.ci))?;
                stmt.raw_bind_parameter(at + 13, item.resolution.doubt.as_deref())?;
            }
            stmt.raw_execute()?;
        }
        Ok(())
    }

    fn count_substances(&mut self, ids: &[i64]) {
        for id in ids {
            if self.index.substances.get(id).is_some_and(|k| k.verified) {
                self.matched.insert(*id);
            } else {
                self.unverified.insert(*id);
            }
        }
    }

    /// The unverified substance for what nothing known matched: the unverified substance the
    /// row names (`join`), else the one an earlier row of this import (or an earlier import)
    /// made for the same numbers or name, else a new one. Its numbers are added to it.
    fn unverified_substance(&mut self, new: &NewSubstance, line: u64) -> Result<i64> {
        let source = format!("import catalog {} line {line}", self.file_name);
        let id = match new.join.or_else(|| self.index.unverified_holder(new)) {
            Some(id) => id,
            None => self.insert_unverified(&new.name, &source)?,
        };
        let numbers = new
            .cas
            .iter()
            .map(|c| (IdKind::Cas, c.to_string(), c.to_string()))
            .chain(
                new.ec
                    .iter()
                    .map(|e| (IdKind::Ec, e.to_string(), e.to_string())),
            )
            .chain(
                new.ci
                    .iter()
                    .map(|c| (IdKind::Ci, c.to_string(), substances::ci_norm(*c))),
            );
        for (kind, value, norm) in numbers {
            if substances::add_identifier(self.conn, id, kind, &value, &source)? {
                self.index.add(id, kind, norm);
            }
        }
        Ok(id)
    }

    /// The one place where a catalog import creates a substance: unverified, named as the
    /// supplier declared it. Group inference runs for them all when the import finishes.
    fn insert_unverified(&mut self, name: &str, source: &str) -> Result<i64> {
        let row = substances::NewRow {
            name,
            verified: false,
            category: None,
            note: None,
            source,
        };
        let id = substances::insert(self.conn, row, self.at)?;
        self.index.add_substance(id, name, false);
        Ok(id)
    }

    fn finish(mut self) -> Result<CatalogReport> {
        // A new unverified substance whose name holds a group's parent moiety (`Nickel
        // gluconate`) is an inferred member of that group from this import on (SPEC 2).
        let unverified: Vec<i64> = self.unverified.iter().copied().collect();
        crate::db::groups::refresh_inferred(self.conn, &unverified)?;
        self.report.rejected.sort();
        self.report.substances.matched = self.matched.len();
        let mut by_first: HashMap<char, Vec<(String, String)>> = HashMap::new();
        for (norm, id) in self.index.verified_names() {
            if let Some(first) = norm.chars().next() {
                by_first
                    .entry(first)
                    .or_default()
                    .push((norm.to_string(), self.index.name_of(id).to_string()));
            }
        }
        for id in &self.unverified {
            let name = self.index.name_of(*id).to_string();
            let key: String = self
                .conn
                .query_row("SELECT key FROM substances WHERE id = ?1", [id], |r| {
                    r.get(0)
                })
                .unwrap_or_default();
            let first = ident::normalize_name(&name).chars().next();
            let candidates = first
                .and_then(|f| by_first.get(&f))
                .map_or(&[][..], Vec::as_slice);
            let suggestions = substances::closest(
                &name,
                candidates
                    .iter()
                    .map(|(n, owner)| (owner.as_str(), n.as_str(), owner.as_str())),
                3,
            );
            self.report.substances.unverified.push(Unverified {
                name,
                key,
                suggestions,
            });
        }
        let mut warnings: Vec<(String, (u64, usize))> = self.warnings.into_iter().collect();
        warnings.sort_by_key(|(_, (first, _))| *first);
        self.report.warnings = warnings
            .into_iter()
            .map(|(message, (first, count))| match count {
                1 => format!("line {first}: {message}"),
                _ => format!("line {first} (and {} more): {message}", count - 1),
            })
            .collect();
        Ok(self.report)
    }
}

/// Takes back what `write` did for a product.
fn undo(conn: &Connection, w: &Written) -> Result<()> {
    for lot in &w.lots {
        conn.execute("DELETE FROM lots WHERE id = ?1", [lot])?;
    }
    for (lot, old) in &w.expiry_changes {
        conn.execute(
            "UPDATE lots SET expires = ?2 WHERE id = ?1",
            params![lot, old],
        )?;
    }
    if let Some(f) = w.formulation {
        conn.execute("DELETE FROM ingredients WHERE formulation_id = ?1", [f])?;
        conn.execute("DELETE FROM formulations WHERE id = ?1", [f])?;
    }
    if w.created_product {
        conn.execute("DELETE FROM products WHERE id = ?1", [w.product])?;
    } else if let Some((name, shade, kind)) = &w.previous {
        conn.execute(
            "UPDATE products SET name = ?2, name_norm = ?5, shade = ?3, kind = ?4 WHERE id = ?1",
            params![
                w.product,
                name,
                shade,
                kind.as_str(),
                ident::normalize_name(name)
            ],
        )?;
    }
    Ok(())
}

/// A record with its column map.
struct Row<'r> {
    record: &'r csv::StringRecord,
    map: &'r ColumnMap,
}

impl<'r> Row<'r> {
    /// The trimmed cell of a field; `None` when the column is absent or the cell empty.
    fn get(&self, field: Field) -> Option<&'r str> {
        let i = self.map.get(field)?;
        let cell = self.record.get(i)?.trim();
        (!cell.is_empty()).then_some(cell)
    }
}

/// Up to ten names, then how many more: a header row can have thousands of columns.
fn few(names: &[String]) -> String {
    match names.len() {
        0..=10 => names.join(", "),
        n => format!("{} and {} more", names[..10].join(", "), n - 10),
    }
}

/// `a, b` for the declared numbers; `None` when there are none.
fn joined<T: ToString>(list: &[T]) -> Option<String> {
    (!list.is_empty()).then(|| {
        list.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// Stands in for the ingredients past `MAX_INGREDIENTS`, so that the error is reported once.
fn placeholder_item(line: u64) -> Item {
    Item {
        line,
        name: String::new(),
        declared: Declared::default(),
        concentration: None,
        function: None,
        may_contain: false,
        resolution: Resolution::default(),
    }
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Colour Index and CAS numbers written inside an ingredient's name count as declared.
fn numbers_in_name(name: &str, declared: &mut Declared, problems: &mut Vec<String>) {
    for ci in crate::ident::ci::find_in_text(name) {
        push_unique(&mut declared.ci, ci);
    }
    // A name that is a Colour Index number however written (`77499`, `CI-16255`) is one.
    if let Ok(ci) = ColourIndex::parse(name) {
        push_unique(&mut declared.ci, ci);
    }
    for text in crate::ident::cas::find_in_text(name) {
        match Cas::parse(text) {
            Ok(c) => push_unique(&mut declared.cas, c),
            Err(e) => problems.push(e.to_string()),
        }
    }
}

fn numbers_as_name(d: &Declared) -> String {
    d.cas
        .iter()
        .map(|c| format!("CAS {c}"))
        .chain(d.ci.iter().map(ToString::to_string))
        .chain(d.ec.iter().map(|e| format!("EC {e}")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The identity of a declared ingredient list: what the supplier declared, in order.
fn fingerprint(items: &[Item]) -> String {
    let mut h = Sha256::new();
    for item in items {
        let d = &item.declared;
        let parts = [
            ident::normalize_name(&item.name),
            d.cas
                .iter()
                .map(Cas::to_string)
                .collect::<Vec<_>>()
                .join(","),
            d.ec.iter().map(Ec::to_string).collect::<Vec<_>>().join(","),
            d.ci.iter()
                .map(ColourIndex::to_string)
                .collect::<Vec<_>>()
                .join(","),
            item.concentration
                .as_ref()
                .map_or(String::new(), |c| c.text.clone()),
            item.function.clone().unwrap_or_default(),
            item.may_contain.to_string(),
        ];
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p.as_bytes());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn parse_flag(text: &str) -> Result<bool, String> {
    match ident::normalize_name(text).as_str() {
        "yes" | "y" | "true" | "1" | "x" | "ja" | "j" | "oui" | "si" | "sì" | "mc" => Ok(true),
        "no" | "n" | "false" | "0" | "nein" | "non" => Ok(false),
        _ if text.trim() == "+/-" || text.trim() == "±" => Ok(true),
        _ => Err(format!("may-contain {text:?} is not yes or no")),
    }
}

/// Expiry dates as suppliers write them: `2027-03-31`, `31.03.2027`, `31/03/2027` (day first
/// when unambiguous), `2027-03` or `03/2027` (the end of that month).
fn parse_expiry(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let bad = || format!("expiry {t:?} is not a date: write YYYY-MM-DD, like 2027-03-31");
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%d.%m.%Y") {
        return Ok(d);
    }
    if let Some((a, b, y)) = split3(t, '/') {
        let (a, b): (u32, u32) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
        let y: i32 = y.parse().map_err(|_| bad())?;
        if a <= 12 && b <= 12 && a != b {
            return Err(format!(
                "expiry {t:?} is ambiguous (day/month or month/day?): write YYYY-MM-DD"
            ));
        }
        let (day, month) = if a > 12 { (a, b) } else { (b, a) };
        return NaiveDate::from_ymd_opt(y, month, day).ok_or_else(bad);
    }
    let month_end = |y: i32, m: u32| {
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
            .and_then(|d| d.pred_opt())
    };
    for sep in ['-', '/', '.'] {
        if let Some((a, b)) = t.split_once(sep) {
            let (a, b) = (a.trim(), b.trim());
            let parsed = if a.len() == 4 {
                a.parse().ok().zip(b.parse().ok())
            } else if b.len() == 4 {
                b.parse().ok().zip(a.parse().ok())
            } else {
                None
            };
            if let Some((y, m)) = parsed {
                return month_end(y, m).ok_or_else(bad);
            }
        }
    }
    Err(bad())
}

fn split3(t: &str, sep: char) -> Option<(&str, &str, &str)> {
    let mut parts = t.split(sep);
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(c), None) => Some((a.trim(), b.trim(), c.trim())),
        _ => None,
    }
}

fn show_date(d: Option<NaiveDate>) -> String {
    d.map_or_else(|| "none".to_string(), |d| d.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_dates_in_supplier_formats() {
        let d = |s| parse_expiry(s).map(|d| d.to_string());
        assert_eq!(d("2027-03-31").unwrap(), "2027-03-31");
        assert_eq!(d("31.03.2027").unwrap(), "2027-03-31");
        assert_eq!(d("31/03/2027").unwrap(), "2027-03-31");
        assert_eq!(d("03/31/2027").unwrap(), "2027-03-31");
        assert_eq!(d("2027-02").unwrap(), "2027-02-28");
        assert_eq!(d("03/2027").unwrap(), "2027-03-31");
        assert!(d("04/05/2027").unwrap_err().contains("ambiguous"));
        assert!(d("soon").is_err());
    }
}
