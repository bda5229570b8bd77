//! The verdict engine (SPEC 5): facts in, verdict out. No SQL, no I/O, no parsing of command
//! lines: the value enums derive `clap::ValueEnum` only so the command line offers exactly these
//! values, written once.
//!
//! A verdict is the most severe of its reasons. A reason that comes from a sensitivity has a
//! *link* (how the ingredient relates to the sensitive substance: the same, or through a group)
//! and an *evidence* level (how sure the sensitivity is); its level is the milder of the two.
//! Patch tests are read here too: their outcomes, the sensitivities a positive reading makes,
//! and the suspects of a positive product test.

mod active;
pub mod facts;
pub mod outcome;
mod reason;
mod record;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

pub use active::*;
pub use facts::*;
pub use outcome::{item_outcome, Grade, Outcome};
pub use reason::*;
pub use record::*;

/// The answer to "may I use this product on this client?".
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub verdict: Verdict,
    /// Most severe first.
    pub reasons: Vec<Reason>,
    /// What could not be checked: "no known match" is not "no match".
    pub not_checked: Vec<String>,
}

/// Options of an assessment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Leave out `no-patch-test` (the safe list asks "CLEAR if it had been patch-tested?",
    /// and a screen of a new product asks about allergies, not about tests not yet done).
    pub ignore_missing_patch_test: bool,
}

/// Judges one formulation (and lot) for one client.
pub fn assess(
    client: &ClientFacts,
    product: &ProductFacts,
    world: &World,
    options: Options,
) -> Assessment {
    let mut reasons: Vec<Reason> = Vec::new();
    let mut not_checked: Vec<String> = Vec::new();
    let policy = &world.policy;
    let outcomes = outcomes(client, world);
    let sensitivities = active_sensitivities(client, &outcomes);

    sensitivity_reasons(product, world, &sensitivities, &mut reasons);
    test_reasons(client, product, world, &outcomes, options, &mut reasons);

    let unverified: Vec<&Ingredient> = product.ingredients.iter().filter(|i| !i.verified).collect();
    if !unverified.is_empty() {
        let names = unique(unverified.iter().map(|i| i.declared_as.clone()));
        if sensitivities.is_empty() {
            not_checked.push(format!(
                "{} not identified ({}): no known sensitivity to compare them with",
                plural(names.len(), "ingredient"),
                names.join(", ")
            ));
        } else {
            reasons.push(Reason {
                level: policy.unverified_ingredients,
                code: "unverified-ingredients",
                message: format!(
                    "{} not identified ({}), so they cannot be compared with the client's sensitivities",
                    plural(names.len(), "ingredient"),
                    names.join(", ")
                ),
                ingredient: None,
                because: Some(Because::Policy {
                    key: "unverified-ingredients".into(),
                    value: policy.unverified_ingredients.as_str().into(),
                }),
                via: None,
            });
        }
    }
    if product.ingredients.is_empty() {
        reasons.push(Reason {
            level: Level::Caution,
            code: "no-ingredients",
            message: "the formulation declares no ingredient: nothing could be compared with the client's sensitivities".into(),
            ingredient: None,
            because: None,
            via: None,
        });
    }
    unmatched_reasons(&sensitivities, &mut reasons);

    if let Some(lot) = &product.lot {
        for flag in &lot.flags {
            reasons.push(Reason {
                level: Level::Block,
                code: "lot-flagged",
                message: format!(
                    "lot {} is flagged since {}: {}",
                    lot.lot,
                    date_of(&flag.at),
                    flag.reason
                ),
                ingredient: None,
                because: Some(Because::Lot {
                    lot: lot.lot.clone(),
                    detail: flag.reason.clone(),
                }),
                via: None,
            });
        }
        if let Some(expires) = lot.expires {
            if expires < world.today() {
                reasons.push(Reason {
                    level: Level::Block,
                    code: "lot-expired",
                    message: format!("lot {} expired on {expires}", lot.lot),
                    ingredient: None,
                    because: Some(Because::Lot {
                        lot: lot.lot.clone(),
                        detail: format!("expired {expires}"),
                    }),
                    via: None,
                });
            }
        }
    }

    restriction_reasons(product, world, &mut reasons);

    reasons.sort_by_key(|r| std::cmp::Reverse(r.level));
    let verdict = Verdict::of(reasons.iter().map(|r| r.level).max());
    Assessment {
        verdict,
        reasons,
        not_checked,
    }
}

/// `sensitivity-unmatched`: a sensitivity to a substance nobody has identified cannot be
/// compared with any product, so no product is CLEAR while it stands (one reason per target).
fn unmatched_reasons(sensitivities: &[ActiveSensitivity], reasons: &mut Vec<Reason>) {
    let mut seen: BTreeSet<Target> = BTreeSet::new();
    for s in sensitivities.iter().filter(|s| s.unverified) {
        if !seen.insert(s.target) {
            continue;
        }
        reasons.push(Reason {
            level: Level::Caution,
            code: "sensitivity-unmatched",
            message: format!(
                "{}, a substance that is not identified (no CAS or Colour Index number is known for it), so it could not be compared with this product's ingredients",
                s.describe()
            ),
            ingredient: None,
            because: Some(s.because()),
            via: None,
        });
    }
}

/// How an ingredient relates to a sensitive substance.
struct Link<'a> {
    code: &'static str,
    level: Level,
    via: Option<&'a Group>,
}

/// Every link between ingredient substance `ingredient` and sensitivity `s`.
fn links<'a>(ingredient: SubstanceId, s: &ActiveSensitivity, world: &'a World) -> Vec<Link<'a>> {
    let mut found = Vec::new();
    let sensitive: Vec<SubstanceId> = match s.target {
        Target::Substance(id) => vec![id],
        Target::Group(g) => {
            let group = world.group(g);
            if group.is_some_and(|g| g.members.contains(&ingredient)) {
                found.push(Link {
                    code: "sensitivity",
                    level: Level::Block,
                    via: group,
                });
            }
            group.map(|g| g.members.clone()).unwrap_or_default()
        }
    };
    if sensitive.contains(&ingredient) && matches!(s.target, Target::Substance(_)) {
        found.push(Link {
            code: "sensitivity",
            level: Level::Block,
            via: None,
        });
    }
    for group in world.groups_of(ingredient) {
        if matches!(s.target, Target::Group(g) if g == group.id) {
            continue;
        }
        if sensitive
            .iter()
            .any(|x| *x != ingredient && group.members.contains(x))
        {
            found.push(Link {
                code: group.relation.reason_code(),
                level: group.on_match,
                via: Some(group),
            });
        }
    }
    found
}

fn sensitivity_reasons(
    product: &ProductFacts,
    world: &World,
    sensitivities: &[ActiveSensitivity],
    reasons: &mut Vec<Reason>,
) {
    // One reason per (ingredient, sensitivity): the most severe link, and among equals the most
    // direct one (the substance itself, then same-hapten, cross-reactive, co-sensitisation).
    // Nickel and nickel sulfate share two groups; the technician needs the one that matters.
    let mut best: BTreeMap<(usize, usize), (u8, Reason)> = BTreeMap::new();
    for (n, ingredient) in product.ingredients.iter().enumerate() {
        for (k, s) in sensitivities.iter().enumerate() {
            for link in links(ingredient.substance, s, world) {
                let evidence = s.evidence_level(&world.policy);
                let level = link.level.min(evidence);
                let via = link.via.map(|g| Via {
                    group: g.key.clone(),
                    name: g.name.clone(),
                    relation: g.relation,
                });
                let may = if ingredient.may_contain {
                    " (may contain)"
                } else {
                    ""
                };
                let inferred = link
                    .via
                    .map_or("", |g| g.membership_note(ingredient.substance));
                let message = match &via {
                    None => format!("{}{may}: {}", ingredient.label(), s.describe()),
                    Some(v) if link.code == "sensitivity" => format!(
                        "{}{may} belongs to the group {}{inferred}: {}",
                        ingredient.label(),
                        v.name,
                        s.describe()
                    ),
                    Some(v) => format!(
                        "{}{may} {} {} (group {}, {}, on match {}){inferred}: {}",
                        ingredient.label(),
                        v.relation.phrase(),
                        s.target_name,
                        v.name,
                        v.relation.as_str(),
                        link.level.as_str(),
                        s.describe()
                    ),
                };
                let reason = Reason {
                    level,
                    code: link.code,
                    message,
                    ingredient: Some(ingredient.reference()),
                    because: Some(s.because()),
                    via,
                };
                let directness = match link.code {
                    "sensitivity" => 3,
                    "same-hapten" => 2,
                    "cross-reactive" => 1,
                    _ => 0,
                };
                let better = match best.get(&(n, k)) {
                    Some((d, existing)) => (level, directness) > (existing.level, *d),
                    None => true,
                };
                if better {
                    best.insert((n, k), (directness, reason));
                }
            }
        }
    }
    reasons.extend(best.into_values().map(|(_, r)| r));
}

fn test_reasons(
    client: &ClientFacts,
    product: &ProductFacts,
    world: &World,
    outcomes: &[ItemOutcome],
    options: Options,
    reasons: &mut Vec<Reason>,
) {
    let _ = client;
    let mut has_current_negative = false;
    let ingredient_ids: BTreeSet<SubstanceId> =
        product.ingredients.iter().map(|i| i.substance).collect();
    for o in outcomes {
        let because = Because::PatchTest {
            id: o.test.id,
            item: o.item.item,
            applied_at: o.test.applied_at.to_rfc3339(),
            outcome: o.outcome,
            grade: o.deciding.map(|r| r.grade.as_str().to_string()),
            read_at: o.deciding.map(|r| r.at.to_rfc3339()),
            day: o.deciding.map(Reading::day),
        };
        let evidence = test_evidence(o);
        match &o.item.target {
            ItemTarget::Formulation { id, .. } if *id == product.formulation_id => {
                let (level, code, what) = match o.outcome {
                    Outcome::PhotoPositive => (
                        Level::Block,
                        "positive-test",
                        "the client tested photo-positive to this formulation (a reaction under UVA)",
                    ),
                    Outcome::Positive => (
                        Level::Block,
                        "positive-test",
                        "the client tested positive to this formulation",
                    ),
                    Outcome::Doubtful => (
                        Level::Caution,
                        "doubtful-test",
                        "the client's strongest reading to this formulation is doubtful (?+)",
                    ),
                    Outcome::Irritant => (
                        Level::Caution,
                        "irritant-test",
                        "the client's patch test of this formulation was irritant (IR)",
                    ),
                    Outcome::Pending => (
                        Level::Caution,
                        "test-pending",
                        "a patch test of this formulation has no outcome yet",
                    ),
                    Outcome::Negative if o.current => {
                        has_current_negative = true;
                        (
                            Level::Info,
                            "negative-test",
                            "the client tested negative to this formulation",
                        )
                    }
                    Outcome::Negative => continue,
                };
                reasons.push(Reason {
                    level,
                    code,
                    message: format!("{what}: {evidence}"),
                    ingredient: None,
                    because: Some(because),
                    via: None,
                });
            }
            ItemTarget::Substance { id, name, .. }
                if o.outcome == Outcome::Doubtful && ingredient_ids.contains(id) =>
            {
                let ingredient = product.ingredients.iter().find(|i| i.substance == *id);
                reasons.push(Reason {
                    level: Level::Caution,
                    code: "doubtful-test",
                    message: format!("the client's strongest reading to the ingredient {name} is doubtful (?+): {evidence}"),
                    ingredient: ingredient.map(Ingredient::reference),
                    because: Some(because),
                    via: None,
                });
            }
            ItemTarget::Group { id, name } if o.outcome == Outcome::Doubtful => {
                let members = world.group(*id).map_or(&[][..], |g| g.members.as_slice());
                let ingredient = product
                    .ingredients
                    .iter()
                    .find(|i| members.contains(&i.substance));
                if let Some(ingredient) = ingredient {
                    reasons.push(Reason {
                        level: Level::Caution,
                        code: "doubtful-test",
                        message: format!(
                            "the client's strongest reading to {name}, which holds the ingredient {}, is doubtful (?+): {evidence}",
                            ingredient.substance_name
                        ),
                        ingredient: Some(ingredient.reference()),
                        because: Some(because),
                        via: None,
                    });
                }
            }
            _ => {}
        }
    }
    if world.policy.require_patch_test
        && !has_current_negative
        && !options.ignore_missing_patch_test
    {
        reasons.push(Reason {
            level: Level::Caution,
            code: "no-patch-test",
            message: format!(
                "no negative patch test of this formulation within the last {} days (policy require-patch-test)",
                world.policy.patch_test_valid_days
            ),
            ingredient: None,
            because: Some(Because::Policy {
                key: "require-patch-test".into(),
                value: "true".into(),
            }),
            via: None,
        });
    }
}

fn restriction_reasons(product: &ProductFacts, world: &World, reasons: &mut Vec<Reason>) {
    if !product.kind_is_tattoo_ink {
        return;
    }
    let mut seen: BTreeSet<(SubstanceId, String)> = BTreeSet::new();
    for ingredient in &product.ingredients {
        for r in world.restrictions_in_force(ingredient.substance) {
            if !seen.insert((ingredient.substance, r.rule.clone())) {
                continue;
            }
            let Some(what) = r.breach(ingredient.max_percent, world.today()) else {
                continue;
            };
            let declared_max = ingredient.max_percent.map(|p| p * 10_000.0);
            reasons.push(Reason {
                level: world.policy.regulatory,
                code: "restricted",
                message: format!("{} {what}; source: {}", ingredient.label(), r.source),
                ingredient: Some(ingredient.reference()),
                because: Some(Because::Restriction {
                    jurisdiction: r.jurisdiction.clone(),
                    rule: r.rule.clone(),
                    limit_mg_per_kg: r.limit_mg_per_kg,
                    declared_max_mg_per_kg: declared_max,
                    source: r.source.clone(),
                }),
                via: None,
            });
        }
    }
}

pub(crate) fn trim_number(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn unique(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub fn date_of(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%d").to_string()
}

/// Groups by substance, built once per `World`.
pub(crate) fn index_groups(groups: &[Group]) -> HashMap<SubstanceId, Vec<usize>> {
    let mut by_substance: HashMap<SubstanceId, Vec<usize>> = HashMap::new();
    for (i, g) in groups.iter().enumerate() {
        for m in &g.members {
            by_substance.entry(*m).or_default().push(i);
        }
    }
    by_substance
}

#[cfg(test)]
mod tests;
