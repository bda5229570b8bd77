//! `import substances`: reference substances from a file: the EU CosIng inventory as published
//! (preamble rows, multi-identifier cells) or a plain `name,cas,ec,ci,synonyms` CSV.
//!
//! A row is matched to a known substance by its name (preferred name, INCI name or synonym) and
//! adds the identifiers that substance lacks; an unverified substance so matched becomes
//! verified. Other rows become new substances. Reference lists carry errors (CosIng holds CAS
//! numbers that fail their check digit): such a number is left out with a warning that names the
//! line and the digit that would be right, and the rest of the row is kept.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::catalog::Rejected;
use super::headers::{self, ColumnMap, Field, Mapping};
use super::resolve::Index;
use super::{CsvSource, ReadOptions};
use crate::db::substances::{self, IdKind};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ident::{self, Cas, ColourIndex, Ec};

#[derive(Debug, Clone, Default)]
pub struct SubstanceImport {
    pub read: ReadOptions,
    pub dry_run: bool,
    pub skip_invalid: bool,
    pub maps: Vec<Mapping>,
}

#[derive(Debug, Default, Serialize)]
pub struct Counts {
    pub new: usize,
    pub updated: usize,
    pub unchanged: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct SubstanceReport {
    pub file: String,
    pub encoding: String,
    pub delimiter: String,
    pub dry_run: bool,
    /// Whether the import was committed.
    pub written: bool,
    pub rows: u64,
    pub substances: Counts,
    pub rejected: Vec<Rejected>,
    pub warnings: Vec<String>,
}

/// Header texts of columns that hold other names of the substance (CosIng's INN and Ph. Eur.
/// names, the annexes' glossary name), normalised.
const EXTRA_NAME_COLUMNS: &[&str] = &[
    "innname",
    "pheurname",
    "inn",
    "pheur",
    "nameofcommoningredientsglossary",
];

pub fn run(db: &mut Db, job: &SubstanceImport) -> Result<(SubstanceReport, Result<()>)> {
    let mut source = super::open(&job.read)?;
    let file_name = super::display_name(&job.read.file);
    let at = db.stamp();
    let actor = db.actor.clone();
    let tx = db.write()?;
    let mut report = SubstanceReport {
        file: source.info.file.clone(),
        encoding: source.info.encoding.clone(),
        delimiter: source.info.delimiter.clone(),
        dry_run: job.dry_run,
        ..SubstanceReport::default()
    };
    let read = read_all(&tx, &mut source, job, &file_name, &at, &mut report);
    source.progress.finish_and_clear();
    read?;
    let ending = super::Ending {
        command: "import substances",
        file: &file_name,
        actor: &actor,
        at: &at,
        rejected: report.rejected.len(),
        skip_invalid: job.skip_invalid,
        dry_run: job.dry_run,
        skip_hint: "or add --skip-invalid to import the valid rows",
    };
    let detail = serde_json::json!({"file": file_name, "substances": &report.substances});
    let (written, outcome) = super::conclude(tx, ending, detail)?;
    report.written = written;
    Ok((report, outcome))
}

struct Columns {
    map: ColumnMap,
    name: usize,
    extra_names: Vec<usize>,
}

fn find_header(
    source: &mut CsvSource,
    record: &mut csv::StringRecord,
    job: &SubstanceImport,
    file: &str,
) -> Result<Columns> {
    let found = super::find_header(source, record, &job.maps, |cells, map| {
        let name = map.get(Field::Ingredient).or(map.get(Field::ProductName))?;
        let numbers = map.has(Field::Cas) || map.has(Field::Ec) || map.has(Field::Ci);
        if !(numbers || map.has(Field::Synonyms)) {
            return None;
        }
        let extra_names = cells
            .iter()
            .enumerate()
            .filter(|(_, h)| EXTRA_NAME_COLUMNS.contains(&ident::normalize_name(h).as_str()))
            .map(|(i, _)| i)
            .collect();
        Some(Columns {
            map,
            name,
            extra_names,
        })
    })?;
    let seen = match found {
        Ok(columns) => return Ok(columns),
        Err(seen) => seen,
    };
    let refs: Vec<&str> = seen.iter().map(String::as_str).collect();
    Err(Error::Invalid {
        message: format!(
            "{file}: cannot find a name column beside CAS, EC, CI or synonym columns; the headers are: {}",
            if seen.is_empty() { "(none: the file is empty)".into() } else { headers::quoted(&refs) }
        ),
        hints: vec![
            "a substance file has the columns name,cas,ec,ci,synonyms (or CosIng's INCI name, CAS No, EC No)".into(),
            "name other columns with --map, e.g. --map name=\"Substance\" --map cas=\"Registry\"".into(),
        ],
    })
}

fn read_all(
    conn: &Connection,
    source: &mut CsvSource,
    job: &SubstanceImport,
    file: &str,
    at: &str,
    report: &mut SubstanceReport,
) -> Result<()> {
    let mut record = csv::StringRecord::new();
    let columns = find_header(source, &mut record, job, file)?;
    let mut index = Index::load(conn)?;
    let mut warnings: Vec<String> = Vec::new();
    let cell = |record: &csv::StringRecord, i: Option<usize>| -> String {
        i.and_then(|i| record.get(i))
            .unwrap_or("")
            .trim()
            .to_string()
    };
    while super::next_record(source, &mut record)? {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        report.rows += 1;
        let line = super::line_of(&record);
        let name = cell(&record, Some(columns.name));
        if ident::normalize_name(&name).is_empty() {
            report.rejected.push(Rejected {
                line,
                reason: "no name: every substance needs one".into(),
            });
            continue;
        }
        let mut ids: Vec<(IdKind, String)> = Vec::new();
        let mut bad = |e: String| warnings.push(format!("line {line}: {e}; left out"));
        for part in ident::split_identifiers(&cell(&record, columns.map.get(Field::Cas))) {
            match Cas::parse(part) {
                Ok(c) => ids.push((IdKind::Cas, c.to_string())),
                Err(e) => bad(e.to_string()),
            }
        }
        for part in ident::split_identifiers(&cell(&record, columns.map.get(Field::Ec))) {
            match Ec::parse(part) {
                Ok(c) => ids.push((IdKind::Ec, c.to_string())),
                Err(e) => bad(e.to_string()),
            }
        }
        for part in ident::split_identifiers(&cell(&record, columns.map.get(Field::Ci))) {
            match ColourIndex::parse(part) {
                Ok(c) => ids.push((IdKind::Ci, c.to_string())),
                Err(e) => bad(e.to_string()),
            }
        }
        for ci in ident::ci::find_in_text(&name) {
            ids.push((IdKind::Ci, ci.to_string()));
        }
        let synonyms = cell(&record, columns.map.get(Field::Synonyms));
        for s in synonyms
            .split([';', '|', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            ids.push((IdKind::Synonym, s.to_string()));
        }
        for i in &columns.extra_names {
            let other = cell(&record, Some(*i));
            if !ident::is_placeholder(&other) {
                ids.push((IdKind::Synonym, other));
            }
        }
        let category = cell(&record, columns.map.get(Field::Function));
        let source_text = format!("import substances {file} line {line}");
        let found: Vec<i64> = index.by_name(&name).to_vec();
        match found.as_slice() {
            [] => {
                let row = substances::NewRow {
                    name: &name,
                    verified: true,
                    category: Some(category.as_str()).filter(|c| !c.is_empty()),
                    note: None,
                    source: &source_text,
                };
                let id = substances::insert(conn, row, at)?;
                index.add_substance(id, &name, true);
                substances::add_identifier(conn, id, IdKind::Inci, &name, &source_text)?;
                add_all(conn, &mut index, id, &ids, &source_text)?;
                report.substances.new += 1;
            }
            [id] => {
                let mut changed = add_all(conn, &mut index, *id, &ids, &source_text)?;
                changed |=
                    substances::add_identifier(conn, *id, IdKind::Inci, &name, &source_text)?;
                if index.substances.get(id).is_some_and(|k| !k.verified) {
                    conn.prepare_cached("UPDATE substances SET verified = 1 WHERE id = ?1")?
                        .execute(params![id])?;
                    changed = true;
                }
                if changed {
                    report.substances.updated += 1;
                } else {
                    report.substances.unchanged += 1;
                }
            }
            many => {
                let names: Vec<&str> = many.iter().map(|id| index.name_of(*id)).collect();
                warnings.push(format!(
                    "line {line}: {name:?} names several known substances ({}); row left out: import it under a more specific name",
                    names.join(", ")
                ));
                report.substances.unchanged += 1;
            }
        }
    }
    report.warnings = warnings;
    Ok(())
}

fn add_all(
    conn: &Connection,
    index: &mut Index,
    id: i64,
    ids: &[(IdKind, String)],
    source: &str,
) -> Result<bool> {
    let mut changed = false;
    for (kind, value) in ids {
        if substances::add_identifier(conn, id, *kind, value, source)? {
            changed = true;
            index.add(id, *kind, substances::identifier_norm(*kind, value)?);
        }
    }
    Ok(changed)
}
