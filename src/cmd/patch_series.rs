//! The series side of `patch-test apply` (SPEC 4 "Patch-test series"): `--series NAME`,
//! `--only 1,4,7` and `--photo`, and how a series allergen reads.

use super::patch_test::ResolvedItem;
use crate::db::Db;
use crate::error::{Error, Result};

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
pub(super) fn series_items(db: &Db, name: &str, only: Option<&str>) -> Result<Vec<ResolvedItem>> {
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
