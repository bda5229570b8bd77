//! `patch-test irradiate|due|relevance`: what a dermatologist records around the readings of a
//! series (SPEC 4 "Patch-test series").

use std::fmt::Write as _;

use chrono::{Duration, NaiveDate};
use serde::Serialize;

use super::patch_test::view;
use super::Exit;
use crate::db::{clinical, series, Db};
use crate::error::{Error, Result};
use crate::ids::PatchTestId;
use crate::output::Output;
use crate::screening::outcome::{reading_due, unread_on};

/// The largest UVA dose accepted: photopatch testing uses 5 J/cm² (some centres 10); a larger
/// number is a typo.
const MAX_DOSE_J_CM2: f64 = 50.0;

/// `--dose 5`: a positive number of J/cm² (`5 J/cm2` accepted).
pub fn parse_dose(text: &str) -> Result<f64> {
    let t = text.trim();
    let lower = t.to_lowercase();
    let number = ["j/cm²", "j/cm2"]
        .iter()
        .find_map(|u| lower.strip_suffix(u))
        .unwrap_or(&lower)
        .trim();
    match number.replace(',', ".").parse::<f64>() {
        Ok(d) if d.is_finite() && d > 0.0 && d <= MAX_DOSE_J_CM2 => Ok(d),
        _ => Err(Error::invalid_with_hint(
            format!("--dose {t:?} is not a positive number of J/cm²"),
            format!("give the UVA dose in J/cm², above 0 and at most {MAX_DOSE_J_CM2}: --dose 5"),
        )),
    }
}

pub fn irradiate(
    db: &mut Db,
    out: &Output,
    test: PatchTestId,
    dose: &str,
    at: Option<&str>,
) -> Result<Exit> {
    let dose = parse_dose(dose)?;
    let t = clinical::test_row(&db.conn, test)?;
    let v = view(db, test)?;
    if !v.items.iter().any(|i| i.photo_of.is_some()) {
        return Err(Error::invalid_with_hint(
            format!("patch test {test} has no set to irradiate"),
            "a photopatch test is applied with --photo: inkguard patch-test apply CLIENT --series NAME --photo",
        ));
    }
    if let Some(done) = &v.irradiated_at {
        return Err(Error::invalid(format!(
            "patch test {test} was already irradiated at {}",
            crate::time::show_stamp(done, db.zone)
        )));
    }
    let when = match at {
        Some(text) => crate::time::parse_time(text, db.zone)?,
        None => db.now,
    };
    let applied = clinical::parse_stamp(&t.applied_at)?;
    if when < applied {
        return Err(Error::invalid(format!(
            "an irradiation at {} is before the test was applied ({})",
            crate::time::stamp(when),
            t.applied_at
        )));
    }
    if when > db.now {
        return Err(Error::invalid(format!(
            "--at {} is in the future",
            crate::time::stamp(when)
        )));
    }
    let (actor, stamp) = (db.actor.clone(), db.stamp());
    let at = crate::time::stamp(when);
    let tx = db.begin()?;
    let id = series::insert_irradiation(&tx, test, &at, dose, &stamp, &actor)?;
    let doc = serde_json::json!({"id": id, "test": test, "at": at, "dose_j_cm2": dose});
    tx.commit("patch-test irradiate", Some(&t.client), &doc)?;
    let text = format!(
        "recorded the UVA irradiation of patch test {test} ({dose} J/cm² at {}); a reaction only on the irradiated set will read photo-positive\n",
        crate::time::show_stamp(&at, db.zone)
    );
    out.document(&doc, &text)?;
    Ok(0)
}

/// A test due for a reading.
#[derive(Debug, Serialize)]
struct Due {
    client: String,
    test: PatchTestId,
    applied_at: String,
    day: i64,
    date: String,
    /// The items not yet read that day or later.
    items: Vec<i64>,
}

pub fn due(db: &Db, out: &Output, on: Option<&str>) -> Result<Exit> {
    let today = db.now.with_timezone(&db.zone).date_naive();
    let on = match on {
        None => today,
        Some(text) => NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            Error::invalid_with_hint(
                format!("--on {text:?} is not a date"),
                "write it as YYYY-MM-DD: --on 2026-11-27",
            )
        })?,
    };
    let policy = clinical::load_policy(&db.conn)?;
    let last = policy.reading_days.last().copied().unwrap_or(7);
    // Only tests applied within the schedule of `on` can be due on it.
    let since = on - Duration::days(last + 1);
    let mut due = Vec::new();
    for (test, client) in series::tests_applied_since(&db.conn, &since.to_string())? {
        let v = view(db, test)?;
        let applied = v.applied_on(db.zone)?;
        let days = v.read_days();
        let day = (on - applied).num_days();
        if !reading_due(&policy.reading_days, &days, day) {
            continue;
        }
        let items = v
            .items
            .iter()
            .zip(&days)
            .filter(|(_, d)| unread_on(d, day))
            .map(|(i, _)| i.item)
            .collect();
        due.push(Due {
            client,
            test,
            applied_at: v.applied_at,
            day,
            date: on.to_string(),
            items,
        });
    }
    due.sort_by(|a, b| a.client.cmp(&b.client).then(a.test.cmp(&b.test)));
    let mut text = String::new();
    if due.is_empty() {
        let _ = writeln!(text, "no patch-test readings due on {on}");
    } else {
        let _ = writeln!(text, "patch-test readings due on {on}:");
    }
    let mut last_client = "";
    for d in &due {
        if d.client != last_client {
            let _ = writeln!(text, "{}", d.client);
            last_client = &d.client;
        }
        let _ = writeln!(
            text,
            "  patch test {} (applied {}): D{} reading, {} item{} to read",
            d.test,
            crate::time::show_stamp(&d.applied_at, db.zone),
            d.day,
            d.items.len(),
            if d.items.len() == 1 { "" } else { "s" }
        );
    }
    out.document(&due, &text)?;
    Ok(0)
}

pub fn relevance(
    db: &mut Db,
    out: &Output,
    test: PatchTestId,
    item: i64,
    relevance: &str,
    certainty: Option<&str>,
    occupational: bool,
) -> Result<Exit> {
    let v = view(db, test)?;
    let Some(target) = v.items.iter().find(|i| i.item == item) else {
        return Err(Error::invalid_with_hint(
            format!("patch test {test} has no item {item}"),
            format!("its items are 1 to {}", v.items.len()),
        ));
    };
    if !target.outcome.is_positive() {
        return Err(Error::invalid_with_hint(
            format!(
                "item {item} of patch test {test} is {}, not positive: relevance is recorded for positive items",
                target.outcome.as_str()
            ),
            format!("see its readings with: inkguard patch-test show {test}"),
        ));
    }
    let supersedes = target.relevance_history.last().map(|r| r.id);
    let (actor, stamp) = (db.actor.clone(), db.stamp());
    let tx = db.begin()?;
    let id = series::insert_relevance(
        &tx,
        target.id,
        relevance,
        certainty,
        occupational,
        &stamp,
        &actor,
    )?;
    let doc = serde_json::json!({"id": id, "test": test, "item": item, "relevance": relevance,
        "certainty": certainty, "occupational": occupational, "supersedes": supersedes});
    tx.commit("patch-test relevance", Some(&v.client), &doc)?;
    let row = series::RelevanceRow {
        id,
        relevance: relevance.into(),
        certainty: certainty.map(str::to_string),
        occupational,
        recorded_at: stamp,
        actor,
        superseded: false,
    };
    let mut text = format!(
        "recorded the relevance of item {item} of patch test {test} ({}): {}",
        target.what(),
        row.text()
    );
    if let Some(s) = supersedes {
        text.push_str(&format!(" (supersedes #{s}, kept on record)"));
    }
    text.push('\n');
    out.document(&doc, &text)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dose_is_a_positive_number_of_joules_per_square_centimetre() {
        assert_eq!(parse_dose("5").unwrap(), 5.0);
        assert_eq!(parse_dose(" 2,5 ").unwrap(), 2.5);
        assert_eq!(parse_dose("5 J/cm2").unwrap(), 5.0);
        assert_eq!(parse_dose("5 J/cm²").unwrap(), 5.0);
        for bad in ["0", "-5", "abc", "", "NaN", "inf", "500"] {
            assert!(parse_dose(bad).is_err(), "{bad}");
        }
    }
}
