//! `patch-test apply|read|list|show` (series, photopatch and schedules in `patch_schedule`, the
//! report in `patch_report`).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use crate::cli::{ItemArg, PatchTestCommand};
use crate::db::catalog as cat;
use crate::db::clinical::{self, ClientRef, ReadingRow};
use crate::db::series::RelevanceRow;
use crate::db::{audit, substances, Db};
use crate::error::{Error, Result};
use crate::output::{opt, Output};
use crate::screening::{self, reading_day, Grade, Outcome, Reading};

use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: PatchTestCommand) -> Result<Exit> {
    match command {
        PatchTestCommand::Apply {
            client,
            site,
            at,
            items,
            series,
            only,
            photo,
            ..
        } => {
            let plan = ApplyPlan {
                series: series.as_deref(),
                only: only.as_deref(),
                photo,
            };
            apply(db, out, &client, &items, plan, site, at.as_deref())
        }
        PatchTestCommand::Irradiate { test, dose, at } => {
            super::patch_schedule::irradiate(db, out, test, &dose, at.as_deref())
        }
        PatchTestCommand::Due { on } => super::patch_schedule::due(db, out, on.as_deref()),
        PatchTestCommand::Relevance {
            test,
            item,
            relevance,
            certainty,
            occupational,
        } => super::patch_schedule::relevance(
            db,
            out,
            test,
            item,
            relevance.as_str(),
            certainty.map(|c| c.as_str()),
            occupational,
        ),
        PatchTestCommand::Report { test } => super::patch_report::run(db, out, test),
        PatchTestCommand::Read {
            test,
            item,
            grade,
            at,
            note,
            correct,
        } => read(db, out, test, item, &grade, at.as_deref(), note, correct),
        PatchTestCommand::List { client } => list(db, out, &client),
        PatchTestCommand::Show { test } => show(db, out, test),
    }
}

/// What `--series`, `--only` and `--photo` ask of `patch-test apply`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyPlan<'a> {
    pub series: Option<&'a str>,
    pub only: Option<&'a str>,
    pub photo: bool,
}

/// `--only 1,4,7`: positions of the series, each once.
pub fn parse_only(text: &str) -> Result<Vec<i64>> {
    let mut positions: Vec<i64> = Vec::new();
    for part in text.split(',') {
        let p = part.trim();
        let n: i64 = p.parse().ok().filter(|n| *n >= 1).ok_or_else(|| {
            Error::invalid_with_hint(
                format!("--only {text:?}: {p:?} is not a position"),
                "give the series' positions, comma-separated: --only 1,4,7",
            )
        })?;
        if positions.contains(&n) {
            return Err(Error::invalid(format!(
                "--only {text:?}: position {n} is given twice"
            )));
        }
        positions.push(n);
    }
    Ok(positions)
}

/// The items of a series to apply, in position order (only `only` when given).
fn series_items(db: &Db, name: &str, only: Option<&str>) -> Result<Vec<ResolvedItem>> {
    let s = crate::db::series::find(&db.conn, name)?;
    let allergens = crate::db::series::allergens(&db.conn, s.id)?;
    let chosen: Vec<&crate::db::series::AllergenRow> = match only {
        None => allergens.iter().collect(),
        Some(text) => {
            let mut chosen = Vec::new();
            for p in parse_only(text)? {
                let a = allergens.iter().find(|a| a.position == p).ok_or_else(|| {
                    Error::invalid_with_hint(
                        format!("series {:?} has no position {p}", s.name),
                        format!(
                            "its positions are {}: see inkguard series show {}",
                            position_ranges(allergens.iter().map(|a| a.position)),
                            crate::error::shell_quote(&s.name)
                        ),
                    )
                })?;
                chosen.push(a);
            }
            chosen.sort_by_key(|a| a.position);
            chosen
        }
    };
    Ok(chosen
        .into_iter()
        .map(|a| ResolvedItem {
            product: None,
            formulation: None,
            lot: None,
            substance: a.substance_id,
            group: a.group_id,
            series_allergen: Some(a.id),
            concentration: a.concentration.clone(),
            vehicle: a.vehicle.clone(),
            photo_of: None,
            label: serde_json::json!({
                "product": null, "formulation": null, "lot": null,
                "substance": a.substance.as_ref().filter(|_| a.group.is_none()),
                "group": a.group, "series": s.name, "position": a.position,
                "allergen": a.name, "concentration": a.concentration, "vehicle": a.vehicle,
                "control": a.control,
            }),
        })
        .collect())
}

/// `1-12, 14`: positions for a hint.
fn position_ranges(positions: impl Iterator<Item = i64>) -> String {
    let mut ranges: Vec<(i64, i64)> = Vec::new();
    for p in positions {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == p => *end = p,
            _ => ranges.push((p, p)),
        }
    }
    ranges
        .iter()
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `3. Thiuram mix 1 % pet. (group Thiuram mix)`: a series allergen for people.
pub fn series_label(
    position: Option<i64>,
    allergen: &str,
    concentration: Option<&str>,
    vehicle: Option<&str>,
    group: Option<&str>,
    control: bool,
) -> String {
    let mut t = match position {
        Some(p) => format!("{p}. {allergen}"),
        None => allergen.to_string(),
    };
    for part in [concentration, vehicle].into_iter().flatten() {
        t.push(' ');
        t.push_str(part);
    }
    if control {
        t.push_str(" (control)");
    } else if let Some(g) = group {
        if crate::ident::normalize_name(g) != crate::ident::normalize_name(allergen) {
            t.push_str(&format!(" (group {g})"));
        } else {
            t.push_str(" (a mix)");
        }
    }
    t
}

/// A time given with `--at`, or now.
fn at_or_now(db: &Db, at: Option<&str>) -> Result<DateTime<Utc>> {
    at.map(|t| crate::time::parse_time(t, db.zone))
        .transpose()
        .map(|t| t.unwrap_or(db.now))
}

#[derive(Clone)]
struct ResolvedItem {
    product: Option<i64>,
    formulation: Option<i64>,
    lot: Option<i64>,
    substance: Option<i64>,
    group: Option<i64>,
    series_allergen: Option<i64>,
    concentration: Option<String>,
    vehicle: Option<String>,
    photo_of: Option<i64>,
    label: serde_json::Value,
}

fn apply(
    db: &mut Db,
    out: &Output,
    client: &str,
    items: &[ItemArg],
    plan: ApplyPlan,
    site: Option<String>,
    at: Option<&str>,
) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, client)?;
    if items.is_empty() && plan.series.is_none() {
        return Err(Error::invalid_with_hint(
            "a patch test needs at least one item",
            "add --product PRODUCT [--lot LOT], --substance NAME (repeatable) or --series NAME",
        ));
    }
    let applied_at = at_or_now(db, at)?;
    if applied_at > db.now {
        return Err(Error::invalid(format!(
            "--at {} is in the future",
            crate::time::stamp(applied_at)
        )));
    }
    let mut resolved = Vec::new();
    for item in items {
        resolved.push(match item {
            ItemArg::Product { product, lot } => {
                let p = cat::resolve_product(&db.conn, product)?;
                let (formulation, lot_id) = match lot {
                    Some(lot) => match cat::find_lot(&db.conn, p.id, lot)? {
                        Some((lot_id, f, _)) => (f, Some(lot_id)),
                        None => {
                            return Err(Error::NotFound {
                                what: "lot",
                                name: format!("{lot} of {}", cat::product_label(&p)),
                                suggestions: cat::lots(&db.conn, p.id)?.into_iter().map(|l| l.lot).collect(),
                            })
                        }
                    },
                    None => match cat::current_formulation(&db.conn, p.id)? {
                        Some((f, ..)) => (f, None),
                        None => return Err(Error::invalid(format!("{} has no formulation to test", cat::product_label(&p)))),
                    },
                };
                let version = cat::formulation_version(&db.conn, formulation)?;
                ResolvedItem {
                    product: Some(p.id),
                    formulation: Some(formulation),
                    lot: lot_id,
                    substance: None,
                    group: None,
                    series_allergen: None,
                    concentration: None,
                    vehicle: None,
                    photo_of: None,
                    label: serde_json::json!({
                        "product": format!("{}/{}", p.supplier, p.code), "formulation": version,
                        "lot": lot, "substance": null
                    }),
                }
            }
            ItemArg::Substance(name) => {
                let s = substances::resolve_one(&db.conn, name)?;
                let label: String = db.conn.query_row("SELECT name FROM substances WHERE id = ?1", [s], |r| r.get(0))?;
                ResolvedItem {
                    product: None,
                    formulation: None,
                    lot: None,
                    substance: Some(s),
                    group: None,
                    series_allergen: None,
                    concentration: None,
                    vehicle: None,
                    photo_of: None,
                    label: serde_json::json!({"product": null, "formulation": null, "lot": null, "substance": label}),
                }
            }
        });
    }
    if let Some(name) = plan.series {
        resolved.extend(series_items(db, name, plan.only)?);
    }
    if plan.photo {
        // The duplicate set, to be irradiated: item k + n is the twin of item n.
        let twins: Vec<ResolvedItem> = resolved
            .iter()
            .enumerate()
            .map(|(n, r)| {
                let mut twin = r.clone();
                twin.photo_of = Some(n as i64 + 1);
                twin.label["photo_of"] = serde_json::json!(n as i64 + 1);
                twin
            })
            .collect();
        resolved.extend(twins);
    }
    for (n, r) in resolved.iter_mut().enumerate() {
        r.label["item"] = serde_json::json!(n as i64 + 1);
        if r.label.get("photo_of").is_none() {
            r.label["photo_of"] = serde_json::Value::Null;
        }
    }
    let (actor, stamp) = (db.actor.clone(), db.stamp());
    let applied = crate::time::stamp(applied_at);
    let tx = db.write()?;
    tx.execute(
        "INSERT INTO patch_tests (client_id, applied_at, site, actor) VALUES (?1, ?2, ?3, ?4)",
        params![client.id, applied, site, actor],
    )?;
    let test = tx.last_insert_rowid();
    for (n, r) in resolved.iter().enumerate() {
        tx.execute(
            "INSERT INTO patch_test_items (test_id, item, product_id, formulation_id, lot_id, substance_id,
                                           group_id, series_allergen_id, concentration, vehicle, photo_of)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![test, n as i64 + 1, r.product, r.formulation, r.lot, r.substance,
                     r.group, r.series_allergen, r.concentration, r.vehicle, r.photo_of],
        )?;
    }
    let items_json: Vec<serde_json::Value> = resolved.into_iter().map(|r| r.label).collect();
    let doc = serde_json::json!({"id": test, "client": client.code, "applied_at": applied, "site": site, "items": items_json});
    audit::append(
        &tx,
        &actor,
        &stamp,
        "patch-test apply",
        Some(&client.code),
        &doc,
    )?;
    tx.commit()?;
    let mut text = format!(
        "patch test {test} applied to {} at {applied}\n",
        client.code
    );
    for i in &items_json {
        let what = i["product"].as_str().map_or_else(
            || match i["allergen"].as_str() {
                Some(a) => series_label(
                    i["position"].as_i64(),
                    a,
                    i["concentration"].as_str(),
                    i["vehicle"].as_str(),
                    i["group"].as_str(),
                    i["control"].as_bool().unwrap_or(false),
                ),
                None => i["substance"].as_str().unwrap_or("").to_string(),
            },
            |p| {
                format!(
                    "{p} formulation {}{}",
                    i["formulation"],
                    i["lot"]
                        .as_str()
                        .map_or(String::new(), |l| format!(" lot {l}"))
                )
            },
        );
        let photo = i["photo_of"].as_i64().map_or(String::new(), |t| {
            format!(" [irradiated set, twin of item {t}]")
        });
        let _ = writeln!(text, "  item {}: {what}{photo}", i["item"]);
    }
    if plan.photo {
        let _ = writeln!(
            text,
            "irradiate the duplicate set with: inkguard patch-test irradiate {test} --dose 5"
        );
    }
    let _ = writeln!(
        text,
        "read it with: inkguard patch-test read {test} --item N --grade GRADE"
    );
    out.document(&doc, &text)?;
    Ok(0)
}

#[allow(clippy::too_many_arguments)]
fn read(
    db: &mut Db,
    out: &Output,
    test: i64,
    item: Option<i64>,
    grade: &str,
    at: Option<&str>,
    note: Option<String>,
    correct: Option<String>,
) -> Result<Exit> {
    let grade = clinical::parse_grade(grade)?;
    let t = clinical::test_row(&db.conn, test)?;
    let items = clinical::items(&db.conn, test)?;
    let target = match (item, items.as_slice()) {
        (None, [only]) => only.clone(),
        (None, _) => {
            return Err(Error::invalid_with_hint(
                format!("patch test {test} has {} items: say which", items.len()),
                format!("add --item N (1 to {})", items.len()),
            ))
        }
        (Some(n), _) => items.iter().find(|i| i.item == n).cloned().ok_or_else(|| {
            Error::invalid_with_hint(
                format!("patch test {test} has no item {n}"),
                format!("its items are 1 to {}", items.len()),
            )
        })?,
    };
    let read_at = at_or_now(db, at)?;
    let applied_at = clinical::parse_stamp(&t.applied_at)?;
    if read_at < applied_at {
        return Err(Error::invalid(format!(
            "a reading at {} is before the test was applied ({})",
            crate::time::stamp(read_at),
            t.applied_at
        )));
    }
    if read_at > db.now {
        return Err(Error::invalid(format!(
            "--at {} is in the future",
            crate::time::stamp(read_at)
        )));
    }
    let hours = (read_at - applied_at).num_seconds() as f64 / 3600.0;
    let day = reading_day(hours);
    let earlier = clinical::readings(&db.conn, target.id)?;
    let same_day = earlier.iter().find(|r| !r.superseded && r.day == day);
    let supersedes = match (same_day, &correct) {
        (Some(r), None) => {
            return Err(Error::invalid_with_hint(
                format!(
                    "item {} of patch test {test} already has a D{day} reading ({} at {})",
                    target.item, r.grade, r.at
                ),
                "readings are never overwritten: to correct it, add --correct REASON",
            ))
        }
        (Some(r), Some(reason)) if reason.trim().is_empty() => {
            let _ = r;
            return Err(Error::invalid("--correct needs a reason"));
        }
        (Some(r), Some(_)) => Some(r.id),
        (None, Some(_)) => {
            return Err(Error::invalid(format!(
                "item {} of patch test {test} has no D{day} reading to correct",
                target.item
            )))
        }
        (None, None) => None,
    };
    let (actor, stamp) = (db.actor.clone(), db.stamp());
    let read_stamp = crate::time::stamp(read_at);
    let tx = db.write()?;
    tx.execute(
        "INSERT INTO readings (item_id, read_at, hours, grade, note, supersedes, correction_reason, actor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![target.id, read_stamp, hours, grade.as_str(), note, supersedes, correct.as_deref().map(str::trim), actor],
    )?;
    let reading_id = tx.last_insert_rowid();
    let detail = serde_json::json!({
        "test": test, "item": target.item, "reading": reading_id, "grade": grade.as_str(), "day": day,
        "hours": hours, "supersedes": supersedes, "correction": correct
    });
    audit::append(
        &tx,
        &actor,
        &stamp,
        "patch-test read",
        Some(&t.client),
        &detail,
    )?;
    tx.commit()?;
    // The item's outcome now, for the technician.
    let policy = clinical::load_policy(&db.conn)?;
    let in_force = in_force(&clinical::readings(&db.conn, target.id)?)?;
    let (outcome, _) = screening::item_outcome(&in_force, policy.min_negative_reading_hours);
    let mut text = format!(
        "recorded {} at D{day} ({:.0} h) for item {} of patch test {test}; the item is now {}",
        grade.as_str(),
        hours,
        target.item,
        outcome.as_str()
    );
    if let Some(s) = supersedes {
        text.push_str(&format!(" (supersedes reading #{s}, kept on record)"));
    }
    if outcome == Outcome::Pending && grade == Grade::Negative {
        text.push_str(&format!(
            "\na negative counts once read at {} h or later (policy min-negative-reading-hours)",
            policy.min_negative_reading_hours
        ));
    }
    let mut doc = detail;
    doc["outcome"] = serde_json::json!(outcome.as_str());
    out.document(&doc, &text)?;
    Ok(0)
}

/// The readings in force as the engine reads them.
fn in_force(rows: &[ReadingRow]) -> Result<Vec<Reading>> {
    rows.iter()
        .filter(|r| !r.superseded)
        .map(|r| {
            Ok(Reading {
                at: clinical::parse_stamp(&r.at)?,
                hours: r.hours,
                grade: Grade::parse(&r.grade).unwrap_or(Grade::NotTested),
            })
        })
        .collect()
}

#[derive(Debug, Serialize)]
pub struct ItemView {
    pub item: i64,
    pub product: Option<String>,
    pub formulation: Option<i64>,
    pub lot: Option<String>,
    pub substance: Option<String>,
    /// A mix of a series: the group of its components.
    pub group: Option<String>,
    /// A series allergen: its position and name as written.
    pub position: Option<i64>,
    pub allergen: Option<String>,
    pub concentration: Option<String>,
    pub vehicle: Option<String>,
    pub control: bool,
    /// On the irradiated set of a photopatch test: its twin's item number.
    pub photo_of: Option<i64>,
    pub outcome: Outcome,
    /// A positive first seen after D4.
    pub late: bool,
    /// The relevance in force (`current, probable, occupational`).
    pub relevance: Option<String>,
    /// Every relevance recorded, the superseded ones too.
    pub relevance_history: Vec<RelevanceRow>,
    pub readings: Vec<ReadingRow>,
    #[serde(skip)]
    pub id: i64,
    #[serde(skip)]
    pub substance_id: Option<i64>,
    #[serde(skip)]
    pub group_id: Option<i64>,
}

impl ItemView {
    /// What the item tests, for people.
    pub fn what(&self) -> String {
        match (&self.product, &self.allergen, &self.substance) {
            (Some(p), ..) => format!(
                "{p} formulation {}{}",
                opt(self.formulation),
                self.lot
                    .as_ref()
                    .map_or(String::new(), |l| format!(" lot {l}"))
            ),
            (None, Some(a), _) => series_label(
                self.position,
                a,
                self.concentration.as_deref(),
                self.vehicle.as_deref(),
                self.group.as_deref(),
                self.control,
            ),
            (None, None, Some(s)) => s.clone(),
            (None, None, None) => "?".into(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct PatchTestView {
    pub id: i64,
    pub client: String,
    pub applied_at: String,
    pub site: Option<String>,
    /// The UVA irradiation of a photopatch set: when and the dose in J/cm².
    pub irradiated_at: Option<String>,
    pub dose_j_cm2: Option<f64>,
    pub items: Vec<ItemView>,
}

pub fn view(db: &Db, test: i64) -> Result<PatchTestView> {
    let t = clinical::test_row(&db.conn, test)?;
    let policy = clinical::load_policy(&db.conn)?;
    let irradiation = crate::db::series::irradiation(&db.conn, test)?;
    let mut items = Vec::new();
    for i in clinical::items(&db.conn, test)? {
        let readings = clinical::readings(&db.conn, i.id)?;
        let force = in_force(&readings)?;
        let (outcome, _) = screening::item_outcome(&force, policy.min_negative_reading_hours);
        let relevance_history = crate::db::series::relevance_of(&db.conn, i.id)?;
        items.push(ItemView {
            id: i.id,
            substance_id: i.substance_id,
            group_id: i.group_id,
            item: i.item,
            product: i.product,
            formulation: i.formulation_version,
            lot: i.lot,
            substance: i.substance,
            group: i.group,
            position: i.position,
            allergen: i.allergen,
            concentration: i.concentration,
            vehicle: i.vehicle,
            control: i.control,
            photo_of: i.photo_of,
            outcome,
            late: outcome.is_positive() && screening::outcome::is_late(&force),
            relevance: relevance_history
                .iter()
                .rfind(|r| !r.superseded)
                .map(RelevanceRow::text),
            relevance_history,
            readings,
        });
    }
    // The irradiated set: photo-positive where the twin under cover is not positive.
    let outcomes: Vec<(i64, Outcome)> = items.iter().map(|i| (i.item, i.outcome)).collect();
    for i in &mut items {
        if let Some(twin) = i.photo_of {
            let twin = outcomes
                .iter()
                .find(|(n, _)| *n == twin)
                .map_or(Outcome::Pending, |(_, o)| *o);
            i.outcome = screening::outcome::photo_outcome(i.outcome, twin, irradiation.is_some());
        }
    }
    Ok(PatchTestView {
        id: t.id,
        client: t.client,
        applied_at: t.applied_at,
        site: t.site,
        irradiated_at: irradiation.as_ref().map(|(at, _)| at.clone()),
        dose_j_cm2: irradiation.map(|(_, d)| d),
        items,
    })
}

pub fn views_of_client(db: &Db, client: &ClientRef) -> Result<Vec<PatchTestView>> {
    clinical::tests_of_client(&db.conn, client.id)?
        .into_iter()
        .map(|id| view(db, id))
        .collect()
}

/// A patch test for people, each line indented by `indent`.
pub fn text(v: &PatchTestView, indent: &str, zone: chrono_tz::Tz) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{indent}patch test {} applied {}{}",
        v.id,
        crate::time::show_stamp(&v.applied_at, zone),
        v.site.as_ref().map_or(String::new(), |s| format!(" ({s})"))
    );
    if let (Some(at), Some(dose)) = (&v.irradiated_at, v.dose_j_cm2) {
        let _ = writeln!(
            t,
            "{indent}  photopatch set irradiated {} with {dose} J/cm² UVA",
            crate::time::show_stamp(at, zone)
        );
    }
    for i in &v.items {
        let photo = i.photo_of.map_or(String::new(), |n| {
            format!(" [irradiated, twin of item {n}]")
        });
        let late = if i.late {
            " (late: first seen after D4)"
        } else {
            ""
        };
        let relevance = i
            .relevance
            .as_ref()
            .map_or(String::new(), |r| format!("; relevance: {r}"));
        let _ = writeln!(
            t,
            "{indent}  item {}: {}{photo}: {}{late}{relevance}",
            i.item,
            i.what(),
            i.outcome.as_str().to_uppercase()
        );
        for r in &i.readings {
            let mut line = format!(
                "{indent}    D{} ({:.0} h, {}): {}",
                r.day,
                r.hours,
                crate::time::show_stamp(&r.at, zone),
                r.grade
            );
            if let Some(n) = &r.note {
                line.push_str(&format!(" ({n})"));
            }
            if r.superseded {
                line.push_str(" [superseded]");
            }
            if let Some(c) = &r.correction_reason {
                line.push_str(&format!(" [correction: {c}]"));
            }
            let _ = writeln!(t, "{line}");
        }
    }
    t
}

fn list(db: &Db, out: &Output, client: &str) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, client)?;
    let views = views_of_client(db, &client)?;
    let mut text = String::new();
    if views.is_empty() {
        text.push_str(&format!("no patch tests for {}\n", client.code));
    }
    for v in &views {
        text.push_str(&self::text(v, "", db.zone));
    }
    out.document(&views, &text)?;
    Ok(0)
}

fn show(db: &Db, out: &Output, test: i64) -> Result<Exit> {
    let v = view(db, test)?;
    out.document(&v, &text(&v, "", db.zone))?;
    Ok(0)
}
