//! `series import|list|show`: patch-test series as a dermatologist applies them.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::cli::SeriesCommand;
use crate::db::series::{self, Resolved};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::import::{self, series::SeriesRow, ReadOptions};
use crate::output::{opt, Output, Table};

use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: SeriesCommand) -> Result<Exit> {
    match command {
        SeriesCommand::Import { file, name } => import_series(db, out, &file, &name),
        SeriesCommand::List => list(db, out),
        SeriesCommand::Show { name } => show(db, out, &name),
    }
}

/// An allergen that matched no known substance, with the closest known names.
#[derive(Debug, Serialize)]
struct Unverified {
    position: i64,
    name: String,
    suggestions: Vec<String>,
}

#[derive(Debug, Serialize)]
struct ImportReport {
    id: i64,
    name: String,
    file: String,
    allergens: usize,
    substances: usize,
    mixes: usize,
    controls: usize,
    unverified: Vec<Unverified>,
}

fn read_rows(file: &Path) -> Result<Vec<SeriesRow>> {
    let mut source = import::open(&ReadOptions {
        file: file.to_path_buf(),
        ..ReadOptions::default()
    })?;
    let mut records = Vec::new();
    let mut record = csv::StringRecord::new();
    while import::next_record(&mut source, &mut record)? {
        let fields = record.iter().map(str::to_string).collect();
        records.push((import::line_of(&record), fields));
    }
    let shown = import::display_name(file);
    import::series::parse(&records).map_err(|rejected| Error::ImportRejected {
        file: shown,
        count: rejected.len(),
        hints: rejected
            .iter()
            .map(|r| format!("line {}: {}", r.line, r.reason))
            .collect(),
    })
}

fn import_series(db: &mut Db, out: &Output, file: &Path, name: &str) -> Result<Exit> {
    if name.trim().is_empty() {
        return Err(Error::invalid("--name needs a name for the series"));
    }
    if let Ok(existing) = series::find(&db.conn, name) {
        if crate::ident::normalize_name(&existing.name) == crate::ident::normalize_name(name) {
            return Err(Error::invalid_with_hint(
                format!(
                    "a series named {:?} exists (imported {} from {})",
                    existing.name, existing.imported_at, existing.source
                ),
                "series are kept as imported (patch tests point at them): import it under another name",
            ));
        }
    }
    let rows = read_rows(file)?;
    let shown = import::display_name(file);
    let (actor, stamp) = (db.actor.clone(), db.stamp());
    let tx = db.begin()?;
    let mut resolved = Vec::with_capacity(rows.len());
    for row in rows {
        let r = series::resolve(&tx, &row)?;
        resolved.push((row, r));
    }
    let id = series::insert(&tx, name, &shown, &resolved, &stamp, &actor)?;
    let count = |f: fn(&Resolved) -> bool| resolved.iter().filter(|(_, r)| f(r)).count();
    let mut unverified = Vec::new();
    for (row, r) in &resolved {
        match r {
            Resolved::Unresolved { suggestions } => unverified.push(Unverified {
                position: row.position,
                name: row.name.clone(),
                suggestions: suggestions.clone(),
            }),
            Resolved::Substance {
                id,
                verified: false,
            } => unverified.push(Unverified {
                position: row.position,
                name: row.name.clone(),
                suggestions: crate::db::substances::suggest_for(&tx, *id, 5)?,
            }),
            _ => {}
        }
    }
    let report = ImportReport {
        id,
        name: name.trim().to_string(),
        file: shown,
        allergens: resolved.len(),
        substances: count(|r| {
            matches!(r, Resolved::Substance { .. } | Resolved::Unresolved { .. })
        }),
        mixes: count(|r| matches!(r, Resolved::Group(_))),
        controls: count(|r| matches!(r, Resolved::Control)),
        unverified,
    };
    tx.commit(
        "series import",
        None,
        &serde_json::json!({"series": id, "name": report.name, "file": report.file,
            "allergens": report.allergens, "unverified": report.unverified.len()}),
    )?;
    let mut text = format!(
        "series {:?} imported from {}: {} allergens ({} substances, {} mixes, {} controls)\n",
        report.name,
        report.file,
        report.allergens,
        report.substances,
        report.mixes,
        report.controls
    );
    if !report.unverified.is_empty() {
        let _ = writeln!(
            text,
            "{} matched no known substance and are kept as unverified substances (a positive to one makes every check CAUTION at least):",
            report.unverified.len()
        );
        for u in &report.unverified {
            let did_you_mean = if u.suggestions.is_empty() {
                String::new()
            } else {
                format!(" (did you mean: {}?)", u.suggestions.join(", "))
            };
            let _ = writeln!(text, "  {}. {}{did_you_mean}", u.position, u.name);
        }
        let _ = writeln!(
            text,
            "identify one with: inkguard substance merge 'NAME' 'KNOWN SUBSTANCE'"
        );
    }
    let _ = writeln!(
        text,
        "apply it with: inkguard patch-test apply CLIENT --series {}",
        crate::error::shell_quote(&report.name)
    );
    out.document(&report, &text)?;
    Ok(0)
}

fn list(db: &Db, out: &Output) -> Result<Exit> {
    let all = series::list(&db.conn)?;
    let mut t = Table::new(&["name", "allergens", "imported", "source"]);
    for s in &all {
        t.row(vec![
            s.name.clone(),
            s.allergens.to_string(),
            out.time(&s.imported_at, db.zone),
            s.source.clone(),
        ]);
    }
    if all.is_empty() && !out.is_json() {
        super::note("no series yet: inkguard series import FILE --name NAME");
    }
    out.records(&all, &t)?;
    Ok(0)
}

/// What an allergen tests, for people: `Nickel sulfate`, `group Thiuram mix`, `control`,
/// `Neomycin sulfate (unverified)`.
pub fn tests_what(a: &series::AllergenRow) -> String {
    match (&a.substance, &a.group, a.control) {
        (_, _, true) => "control".into(),
        (_, Some(g), _) => format!("group {g}"),
        (Some(s), _, _) if a.verified == Some(false) => format!("{s} (unverified)"),
        (Some(s), _, _) => s.clone(),
        _ => "?".into(),
    }
}

fn show(db: &Db, out: &Output, name: &str) -> Result<Exit> {
    let s = series::find(&db.conn, name)?;
    let allergens = series::allergens(&db.conn, s.id)?;
    let mut t = Table::new(&[
        "position",
        "allergen",
        "cas",
        "concentration",
        "vehicle",
        "tests",
    ]);
    for a in &allergens {
        t.row(vec![
            a.label
                .as_ref()
                .map_or(a.position.to_string(), |l| format!("{} ({l})", a.position)),
            a.name.clone(),
            opt(a.cas.as_ref()),
            opt(a.concentration.as_ref()),
            opt(a.vehicle.as_ref()),
            tests_what(a),
        ]);
    }
    if !out.is_json() && !matches!(out.format, crate::cli::Format::Csv) {
        out.text(&format!(
            "{} ({} allergens, imported {} from {})",
            s.name,
            allergens.len(),
            out.time(&s.imported_at, db.zone),
            s.source
        ))?;
    }
    let doc = serde_json::json!({"name": s.name, "source": s.source, "imported_at": s.imported_at,
        "allergens": allergens});
    out.records(&doc, &t)?;
    Ok(0)
}
