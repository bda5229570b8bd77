//! `patch-test apply|read|list|show` (series, photopatch and schedules in `patch_schedule`, the
//! report in `patch_report`).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use crate::cli::{ItemArg, PatchTestCommand};
use crate::db::catalog as cat;
use crate::db::{clinical, patch_tests};
use crate::db::{substances, Db};
use crate::error::{Error, Result};
use crate::ids::{PatchTestId, SensitivityId};
use crate::output::Output;
use crate::screening::{self, reading_day, Grade, Outcome};

use super::patch_series::{series_items, series_label, ApplyPlan};
pub use super::patch_view::{in_force, text, view, views_of_client, ItemView, PatchTestView};
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
            late,
        } => read(
            db,
            out,
            test,
            item,
            &grade,
            at.as_deref(),
            note,
            correct,
            late,
        ),
        PatchTestCommand::List { client } => list(db, out, &client),
        PatchTestCommand::Show { test } => show(db, out, test),
    }
}

/// A time given with `--at`, or now.
fn at_or_now(db: &Db, at: Option<&str>) -> Result<DateTime<Utc>> {
    at.map(|t| crate::time::parse_time(t, db.zone))
        .transpose()
        .map(|t| t.unwrap_or(db.now))
}

/// An item resolved from the command line, as the database takes it.
pub(super) type ResolvedItem = patch_tests::NewItem;

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
                let label = crate::db::substance_list::name(&db.conn, s)?;
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
    let actor = db.actor.clone();
    let applied = crate::time::stamp(applied_at);
    let tx = db.begin()?;
    let test =
        patch_tests::insert_test(&tx, client.id, &applied, site.as_deref(), &actor, &resolved)?;
    let items_json: Vec<serde_json::Value> = resolved.into_iter().map(|r| r.label).collect();
    let doc = serde_json::json!({"id": test, "client": client.code, "applied_at": applied, "site": site, "items": items_json});
    tx.commit("patch-test apply", Some(&client.code), &doc)?;
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

/// A reading later than this after the application needs `--late REASON` (SPEC 4).
const LATE_AFTER_DAYS: i64 = 14;

#[allow(clippy::too_many_arguments)]
fn read(
    db: &mut Db,
    out: &Output,
    test: PatchTestId,
    item: Option<i64>,
    grade: &str,
    at: Option<&str>,
    note: Option<String>,
    correct: Option<String>,
    late: Option<String>,
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
    let late = late.map(|l| l.trim().to_string());
    if read_at - applied_at > chrono::Duration::days(LATE_AFTER_DAYS) {
        match &late {
            None => {
                return Err(Error::invalid_with_hint(
                    format!(
                        "a reading at {} is {} days after the test was applied ({}): a typo in a date must not become a valid reading",
                        crate::time::stamp(read_at),
                        (read_at - applied_at).num_days(),
                        t.applied_at
                    ),
                    format!(
                        "check --at; if it really was read then, add --late REASON (readings later than {LATE_AFTER_DAYS} days need one)"
                    ),
                ))
            }
            Some(l) if l.is_empty() => return Err(Error::invalid("--late needs a reason")),
            Some(_) => {}
        }
    }
    let note = match (&late, note) {
        (Some(l), Some(n)) if read_at - applied_at > chrono::Duration::days(LATE_AFTER_DAYS) => {
            Some(format!("late: {l}; {n}"))
        }
        (Some(l), None) if read_at - applied_at > chrono::Duration::days(LATE_AFTER_DAYS) => {
            Some(format!("late: {l}"))
        }
        (_, n) => n,
    };
    let day = reading_day(hours);
    let (actor, now, stamp) = (db.actor.clone(), db.now, db.stamp());
    // Read inside the write transaction: of two readings of one day at the same moment, the
    // second sees the first and is refused as it would be a minute later.
    let tx = db.begin()?;
    let earlier = clinical::readings(&tx, target.id)?;
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
    let read_stamp = crate::time::stamp(read_at);
    let reading_id = patch_tests::insert_reading(
        &tx,
        &patch_tests::NewReading {
            item: target.id,
            read_at: &read_stamp,
            hours,
            grade: grade.as_str(),
            note: note.as_deref(),
            supersedes,
            correction_reason: correct.as_deref().map(str::trim),
            actor: &actor,
        },
    )?;
    // A reading that makes an item positive records what it raises (SPEC 4), with ids.
    let raised: Vec<SensitivityId> =
        crate::verdict::record_raised(&tx, now, Some(t.client_id), &stamp, &actor)?
            .into_iter()
            .map(|(_, id)| id)
            .collect();
    let detail = serde_json::json!({
        "test": test, "item": target.item, "reading": reading_id, "grade": grade.as_str(), "day": day,
        "hours": hours, "supersedes": supersedes, "correction": correct, "late": late,
        "sensitivities": raised
    });
    tx.commit("patch-test read", Some(&t.client), &detail)?;
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
    if !raised.is_empty() {
        let ids: Vec<String> = raised.iter().map(|id| format!("#{id}")).collect();
        text.push_str(&format!(
            "\nrecorded the sensitivities it raises ({}); see them with: inkguard sensitivity list {}",
            ids.join(", "),
            crate::error::shell_quote(&t.client)
        ));
    }
    let mut doc = detail;
    doc["outcome"] = serde_json::json!(outcome.as_str());
    out.document(&doc, &text)?;
    Ok(0)
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

fn show(db: &Db, out: &Output, test: PatchTestId) -> Result<Exit> {
    let v = view(db, test)?;
    out.document(&v, &text(&v, "", db.zone))?;
    Ok(0)
}
