//! `import substances`: reference substances from a file: the EU CosIng inventory as published
//! (preamble rows, multi-identifier cells) or a plain `name,cas,ec,ci,synonyms` CSV.
//!
//! A row is matched to a known substance by its name (preferred name, INCI name or synonym) and
//! adds the identifiers that substance lacks; an unverified substance so matched becomes
//! verified. Other rows become new substances. Reference lists carry errors (CosIng holds CAS
//! numbers that fail their check digit): such a number is left out with a warning that names the
//! line and the digit that would be right, and the rest of the row is kept.

use std::collections::{BTreeSet, HashSet};

use rusqlite::Connection;
use serde::Serialize;

use super::catalog::Rejected;
use super::headers::{self, ColumnMap, Field, Mapping};
use super::resolve::Index;
use super::{CsvSource, ReadOptions};
use crate::db::groups;
use crate::db::substances::{self, IdKind};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ident::{self, Cas, ColourIndex, Ec};
use crate::ids::SubstanceId;

mod choice;

use choice::{choose, shown, Choice, Conflict, Numbers};

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
    super::keep_memory_flat(&job.read.file);
    let mut source = super::open(&job.read)?;
    let file_name = super::display_name(&job.read.file);
    let at = db.stamp();
    let tx = db.begin()?;
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
        // A list of names only (the T.R.U.E. panel) is taken when --map names its column.
        let name_mapped = job
            .maps
            .iter()
            .any(|m| matches!(m.field, Field::Ingredient | Field::ProductName));
        if !(numbers || map.has(Field::Synonyms) || name_mapped) {
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
            "a list of names only is imported when --map names its column: --map name=\"allergen\"".into(),
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
    let mut numbers = Numbers::load(conn)?;
    let mut touched: Vec<SubstanceId> = Vec::new();
    let mut created_here: HashSet<SubstanceId> = HashSet::new();
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
        let known: Vec<(String, BTreeSet<SubstanceId>)> = ids
            .iter()
            .filter(|(kind, _)| !kind.is_name())
            .map(|(kind, value)| {
                let mut found = numbers.get(*kind, value);
                // Rows of one list are its author's distinct entries: a number shared by two of
                // them (PEG-8 and PEG-10 share a generic CAS) does not merge them.
                found.retain(|id| !created_here.contains(id));
                (shown(*kind, value), found)
            })
            .collect();
        let choice = choose(index.by_name(&name), &known, &ids);
        let target = match choice {
            Choice::New => {
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
                add_all(conn, &mut index, &mut numbers, id, &ids, &source_text)?;
                report.substances.new += 1;
                touched.push(id);
                created_here.insert(id);
                continue;
            }
            Choice::Enrich(id) => id,
            Choice::Conflict(conflict) => {
                let describe = |set: &BTreeSet<SubstanceId>| {
                    set.iter()
                        .map(|id| index.name_of(*id).to_string())
                        .collect::<Vec<_>>()
                        .join(" and ")
                };
                let detail = match conflict {
                    Conflict::Names(names) => format!(
                        "the name names several known substances ({}) and no number tells them apart",
                        describe(&names)
                    ),
                    Conflict::Numbers => known
                        .iter()
                        .filter(|(_, found)| !found.is_empty())
                        .map(|(shown, found)| format!("{shown} is {}", describe(found)))
                        .collect::<Vec<_>>()
                        .join("; "),
                    Conflict::NameVsNumbers { name: by_name, numbers: by_number } => format!(
                        "the name is {} but its numbers are {}",
                        describe(&by_name),
                        describe(&by_number)
                    ),
                };
                warnings.push(format!(
                    "line {line}: {name:?}: {detail}; row left out, nothing merged: if they are one substance, add the missing names or numbers with `inkguard substance alias`"
                ));
                report.substances.unchanged += 1;
                continue;
            }
        };
        let mut changed = add_all(conn, &mut index, &mut numbers, target, &ids, &source_text)?;
        changed |= substances::add_identifier(conn, target, IdKind::Inci, &name, &source_text)?;
        if changed {
            index.add(target, IdKind::Inci, ident::normalize_name(&name));
        }
        if index.substances.get(&target).is_some_and(|k| !k.verified) {
            crate::db::substance_list::mark_verified(conn, target)?;
            if let Some(k) = index.substances.get_mut(&target) {
                k.verified = true;
            }
            changed = true;
        }
        if changed {
            report.substances.updated += 1;
            touched.push(target);
        } else {
            report.substances.unchanged += 1;
        }
    }
    // New names may hold a group's parent (`Nickel gluconate`): inferred members.
    groups::refresh_inferred(conn, &touched)?;
    report.warnings = warnings;
    Ok(())
}

fn add_all(
    conn: &Connection,
    index: &mut Index,
    numbers: &mut Numbers,
    id: SubstanceId,
    ids: &[(IdKind, String)],
    source: &str,
) -> Result<bool> {
    let mut changed = false;
    for (kind, value) in ids {
        if substances::add_identifier(conn, id, *kind, value, source)? {
            changed = true;
            let norm = substances::identifier_norm(*kind, value)?;
            if !kind.is_name() {
                numbers.add(*kind, norm.clone(), id);
            }
            index.add(id, *kind, norm);
        }
    }
    Ok(changed)
}
