//! A patch test as people and programs read it: each item with what it tests, its readings, its
//! outcome (photo-positive on an irradiated set), whether it is late and its relevance.

use std::fmt::Write as _;

use serde::Serialize;

use super::patch_series::series_label;
use crate::db::clinical::{self, ClientRef, ReadingRow};
use crate::db::series::RelevanceRow;
use crate::db::Db;
use crate::error::Result;
use crate::ids::{GroupId, PatchTestId, SubstanceId};
use crate::output::opt;
use crate::screening::{self, Grade, Outcome, Reading};

/// The readings in force as the engine reads them.
pub fn in_force(rows: &[ReadingRow]) -> Result<Vec<Reading>> {
    rows.iter()
        .filter(|r| !r.superseded)
        .map(|r| {
            Ok(Reading {
                at: clinical::parse_stamp(&r.at)?,
                hours: r.hours,
                grade: crate::db::stored::from_stored::<Grade>(&r.grade)?,
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
    pub substance_id: Option<SubstanceId>,
    #[serde(skip)]
    pub group_id: Option<GroupId>,
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
    pub id: PatchTestId,
    pub client: String,
    pub applied_at: String,
    pub site: Option<String>,
    /// The UVA irradiation of a photopatch set: when and the dose in J/cm².
    pub irradiated_at: Option<String>,
    pub dose_j_cm2: Option<f64>,
    pub items: Vec<ItemView>,
}

impl PatchTestView {
    /// The reading days of each item's readings in force, for the reading schedule.
    pub fn read_days(&self) -> Vec<Vec<i64>> {
        self.items
            .iter()
            .map(|i| {
                i.readings
                    .iter()
                    .filter(|r| !r.superseded)
                    .map(|r| r.day)
                    .collect()
            })
            .collect()
    }

    /// The date of the application in the clinic's zone: reading days count from it.
    pub fn applied_on(&self, zone: chrono_tz::Tz) -> Result<chrono::NaiveDate> {
        Ok(clinical::parse_stamp(&self.applied_at)?
            .with_timezone(&zone)
            .date_naive())
    }
}

pub fn view(db: &Db, test: PatchTestId) -> Result<PatchTestView> {
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
