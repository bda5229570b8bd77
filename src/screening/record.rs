//! The sensitivities that patch tests and reactions raise, as rows of the record (SPEC 4 and 7),
//! and which of the client's sensitivities are in force.
//!
//! **At write time** (`patch-test read` that makes an item positive, `reaction record`, and the
//! upgrade step `raised_sensitivities`), `raised` works out what the item or reaction raises, and
//! the verdict service writes each as a `sensitivities` row with the item or the reaction as its
//! evidence, so that it has an id and can be retracted with a reason:
//! - a positive substance (or mix) item: a confirmed sensitivity to that substance (or group);
//! - a positive product item: a suspected sensitivity to every ingredient of the formulation
//!   (may-contain ones included), minus the substances the client had tested negative to by
//!   then (`negatives`: directly, or declared, not may-contain, in a negative-tested
//!   formulation, while the negative still counts); the confirmed sensitivity to the formulation
//!   itself is the `positive-test` reason of that formulation, judged from the item, not a row;
//! - a reaction: a suspected sensitivity to every ingredient of the formulations used, whatever
//!   earlier tests said (a reaction in the skin outweighs a negative patch test).
//!
//! **At verdict time** (`standing`), a row is judged against the record as it is then:
//! - retracted: not in force (kept, listed as retracted);
//! - raised by an item that is no longer positive (its reading was corrected): not in force,
//!   and in force again if a later reading makes the item positive again;
//! - a suspect whose substance the client tested negative to in a test applied *after* the
//!   reaction that raised it, or in the same session as or after the test that raised it (a
//!   negative item read after the positive one of the same test clears as it would have had it
//!   been read first), with a negative that still counts: resolved, not in force, listed
//!   with the test that resolved it; back in force when that negative no longer counts.
//!
//! A positive item or a reaction that has no row at all (a database written by a version that
//! did not make them) still counts: `unrecorded` gives what it raises, without ids, judged the
//! same way. So a suspect never silently disappears: it is in force, retracted by someone with a
//! reason, lapsed with its reading, or resolved by a named test.

use std::collections::BTreeSet;

use super::*;

/// What raised a sensitivity: a patch-test item (test id, item number) or a reaction (its id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Raiser {
    Item { test: PatchTestId, item: i64 },
    Reaction(i64),
}

impl Raiser {
    /// `patch test 3, item 2` or `reaction 5`.
    pub fn label(self) -> String {
        match self {
            Raiser::Item { test, item } => format!("patch test {test}, item {item}"),
            Raiser::Reaction(id) => format!("reaction {id}"),
        }
    }
}

/// A sensitivity a positive item or a reaction raises.
#[derive(Debug, Clone, PartialEq)]
pub struct Raised {
    pub raiser: Raiser,
    pub target: Target,
    pub target_name: String,
    pub source: Source,
    pub certainty: Certainty,
    pub unverified: bool,
}

/// Where a sensitivity stands at verdict time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    InForce,
    Retracted,
    /// Raised by an item whose outcome is no longer positive (a corrected reading).
    Lapsed {
        item: String,
    },
    /// A suspect cleared by a later negative test (`patch test 7, item 1`).
    Resolved {
        by: String,
    },
}

impl Standing {
    pub fn in_force(&self) -> bool {
        matches!(self, Standing::InForce)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Standing::InForce => "in force",
            Standing::Retracted => "retracted",
            Standing::Lapsed { .. } => "lapsed",
            Standing::Resolved { .. } => "resolved",
        }
    }
}

/// The substances the client tested negative to (a negative that still counts), in tests
/// applied after `after` (at that time too when it says so; every test when `None`): directly, or declared, not may-contain, in a
/// negative-tested formulation (a may-contain ingredient may have been absent from the tested
/// lot). A negative mix clears none of its components: each was tested at a fraction of its
/// own concentration. With the item that tested each, the first met.
pub fn negatives<'a>(
    client: &ClientFacts,
    outcomes: &'a [ItemOutcome<'a>],
    after: Option<(DateTime<Utc>, bool)>,
) -> BTreeMap<SubstanceId, &'a ItemOutcome<'a>> {
    let mut negative = BTreeMap::new();
    let later = |at: DateTime<Utc>| match after {
        None => true,
        Some((since, inclusive)) => at > since || inclusive && at == since,
    };
    for o in outcomes
        .iter()
        .filter(|o| o.outcome == Outcome::Negative && o.current && later(o.test.applied_at))
    {
        let tested: Vec<SubstanceId> = match &o.item.target {
            ItemTarget::Substance { id, .. } => vec![*id],
            ItemTarget::Formulation { id, .. } => client
                .contents(*id)
                .iter()
                .filter(|c| !c.may_contain)
                .map(|c| c.substance)
                .collect(),
            ItemTarget::Group { .. } => Vec::new(),
        };
        for s in tested {
            negative.entry(s).or_insert(o);
        }
    }
    negative
}

/// Everything the positive items and the reactions of the client raise (see the module docs).
pub fn raised(client: &ClientFacts, outcomes: &[ItemOutcome]) -> Vec<Raised> {
    let negative = negatives(client, outcomes, None);
    let mut all = Vec::new();
    for o in outcomes.iter().filter(|o| o.outcome.is_positive()) {
        let raiser = Raiser::Item {
            test: o.test.id,
            item: o.item.item,
        };
        let confirmed = |target, target_name: &str, unverified| Raised {
            raiser,
            target,
            target_name: target_name.to_string(),
            source: Source::PatchTest,
            certainty: Certainty::Confirmed,
            unverified,
        };
        match &o.item.target {
            ItemTarget::Substance { id, name, verified } => {
                all.push(confirmed(Target::Substance(*id), name, !verified))
            }
            ItemTarget::Group { id, name } => all.push(confirmed(Target::Group(*id), name, false)),
            ItemTarget::Formulation { id, .. } => {
                for c in distinct(client.contents(*id)) {
                    if !negative.contains_key(&c.substance) {
                        all.push(suspect(client, raiser, Source::PatchTest, c));
                    }
                }
            }
        }
    }
    for r in &client.reactions {
        let contents: Vec<Content> = r
            .formulations
            .iter()
            .flat_map(|f| client.contents(*f).iter().copied())
            .collect();
        for c in distinct(&contents) {
            all.push(suspect(client, Raiser::Reaction(r.id), Source::Reaction, c));
        }
    }
    all
}

fn suspect(client: &ClientFacts, raiser: Raiser, source: Source, c: Content) -> Raised {
    Raised {
        raiser,
        target: Target::Substance(c.substance),
        target_name: client.substance_name(c.substance).to_string(),
        source,
        certainty: Certainty::Suspected,
        unverified: !c.verified,
    }
}

/// What the items and reactions that have no row in the record raise (none of the sensitivities
/// of the client, retracted or not, names them as evidence): what the write path must record,
/// and what the verdicts count without an id until it is.
pub fn unrecorded(client: &ClientFacts, outcomes: &[ItemOutcome]) -> Vec<Raised> {
    let recorded: BTreeSet<Raiser> = client
        .sensitivities
        .iter()
        .filter_map(|s| s.raised_by)
        .collect();
    raised(client, outcomes)
        .into_iter()
        .filter(|r| !recorded.contains(&r.raiser))
        .collect()
}

/// Where a sensitivity raised by `raiser` (or none: added by hand) stands (see the module docs).
pub fn standing(
    client: &ClientFacts,
    outcomes: &[ItemOutcome],
    raiser: Option<Raiser>,
    target: Target,
    certainty: Certainty,
    retracted: bool,
) -> Standing {
    if retracted {
        return Standing::Retracted;
    }
    let Some(raiser) = raiser else {
        return Standing::InForce;
    };
    // A negative of the same session counts against the suspects of a test (SPEC 4: "minus
    // every substance the client has tested negative to", read before or after the positive),
    // but a reaction outweighs every test applied before it.
    let (since, same_session) = match raiser {
        Raiser::Item { test, item } => {
            let Some(o) = raising_item(outcomes, test, item) else {
                // The item is not in the facts: counted, never dropped on doubt.
                return Standing::InForce;
            };
            if !o.outcome.is_positive() {
                return Standing::Lapsed {
                    item: raiser.label(),
                };
            }
            (o.test.applied_at, true)
        }
        Raiser::Reaction(id) => match client.reactions.iter().find(|r| r.id == id) {
            Some(r) => (r.onset, false),
            None => return Standing::InForce,
        },
    };
    if let (Certainty::Suspected, Target::Substance(s)) = (certainty, target) {
        if let Some(o) = negatives(client, outcomes, Some((since, same_session))).get(&s) {
            return Standing::Resolved {
                by: Raiser::Item {
                    test: o.test.id,
                    item: o.item.item,
                }
                .label(),
            };
        }
    }
    Standing::InForce
}

pub(super) fn raising_item<'a>(
    outcomes: &'a [ItemOutcome<'a>],
    test: PatchTestId,
    item: i64,
) -> Option<&'a ItemOutcome<'a>> {
    outcomes
        .iter()
        .find(|o| o.test.id == test && o.item.item == item)
}

/// What a raised sensitivity rests on, as the verdicts say it: the item with its reading
/// (`patch test 3 item 2 applied ...`) or the reaction (`reaction 5 on ... (moderate)`).
pub fn raised_evidence(
    client: &ClientFacts,
    outcomes: &[ItemOutcome],
    raiser: Raiser,
) -> Option<String> {
    match raiser {
        Raiser::Item { test, item } => raising_item(outcomes, test, item).map(test_evidence),
        Raiser::Reaction(id) => client.reactions.iter().find(|r| r.id == id).map(|r| {
            format!(
                "reaction {} on {} ({})",
                r.id,
                date_of(&r.onset),
                r.severity
            )
        }),
    }
}

/// Each substance once, in the order first met.
fn distinct(contents: &[Content]) -> Vec<Content> {
    let mut seen = BTreeSet::new();
    contents
        .iter()
        .filter(|c| seen.insert(c.substance))
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};

    use super::*;

    const WATER: SubstanceId = SubstanceId(1);
    const CARBON: SubstanceId = SubstanceId(2);

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
    }

    fn world() -> World {
        World::new(now(), Policy::default(), Vec::new(), Vec::new())
    }

    /// A test applied `days_ago`, one item read at D3.
    fn test(id: i64, days_ago: i64, target: ItemTarget, grade: Grade) -> PatchTest {
        let applied_at = now() - Duration::days(days_ago);
        PatchTest {
            id: PatchTestId(id),
            applied_at,
            items: vec![TestItem {
                item: 1,
                target,
                readings: vec![Reading {
                    at: applied_at + Duration::days(3),
                    hours: 72.0,
                    grade,
                }],
                photo_of: None,
                relevance: None,
            }],
            irradiated_at: None,
        }
    }

    fn water_item() -> ItemTarget {
        ItemTarget::Substance {
            id: WATER,
            name: "Water".into(),
            verified: true,
        }
    }

    fn product_item() -> ItemTarget {
        ItemTarget::Formulation {
            id: FormulationId(10),
            label: "S/P formulation 1".into(),
        }
    }

    /// Formulation 10 holds water and carbon black; a reaction 5 days ago to it.
    fn client(tests: Vec<PatchTest>, reacted: bool) -> ClientFacts {
        let mut c = ClientFacts {
            code: "C-1".into(),
            tests,
            ..ClientFacts::default()
        };
        c.formulations.insert(
            FormulationId(10),
            [WATER, CARBON]
                .into_iter()
                .map(|substance| Content {
                    substance,
                    may_contain: false,
                    verified: true,
                })
                .collect(),
        );
        c.names.insert(WATER, "Water".into());
        c.names.insert(CARBON, "Carbon black".into());
        if reacted {
            c.reactions.push(Reaction {
                id: 7,
                onset: now() - Duration::days(5),
                severity: "moderate".into(),
                formulations: vec![FormulationId(10)],
            });
        }
        c
    }

    fn standing_of(c: &ClientFacts, raiser: Raiser, retracted: bool) -> Standing {
        let outcomes = outcomes(c, &world());
        standing(
            c,
            &outcomes,
            Some(raiser),
            Target::Substance(WATER),
            Certainty::Suspected,
            retracted,
        )
    }

    #[test]
    fn a_positive_product_test_raises_its_ingredients_minus_what_tested_negative() {
        let c = client(
            vec![
                test(1, 30, water_item(), Grade::Negative),
                test(2, 10, product_item(), Grade::Strong),
            ],
            false,
        );
        let outcomes = outcomes(&c, &world());
        let raised = raised(&c, &outcomes);
        assert_eq!(raised.len(), 1, "{raised:?}");
        assert_eq!(raised[0].target, Target::Substance(CARBON));
        assert_eq!(
            raised[0].raiser,
            Raiser::Item {
                test: PatchTestId(2),
                item: 1
            }
        );
        assert_eq!(raised[0].certainty, Certainty::Suspected);
    }

    #[test]
    fn a_reaction_raises_every_ingredient_whatever_earlier_tests_said() {
        let c = client(vec![test(1, 30, water_item(), Grade::Negative)], true);
        let outcomes = outcomes(&c, &world());
        let targets: Vec<Target> = raised(&c, &outcomes).iter().map(|r| r.target).collect();
        assert_eq!(
            targets,
            vec![Target::Substance(WATER), Target::Substance(CARBON)]
        );
        // And the earlier negative does not resolve it.
        assert_eq!(
            standing_of(&c, Raiser::Reaction(7), false),
            Standing::InForce
        );
    }

    #[test]
    fn a_negative_test_applied_after_the_reaction_resolves_its_suspect() {
        let c = client(vec![test(1, 4, water_item(), Grade::Negative)], true);
        assert_eq!(
            standing_of(&c, Raiser::Reaction(7), false),
            Standing::Resolved {
                by: "patch test 1, item 1".into()
            }
        );
    }

    #[test]
    fn a_negative_that_no_longer_counts_resolves_nothing() {
        let mut c = client(vec![test(1, 4, water_item(), Grade::Negative)], true);
        c.reactions[0].onset = now() - Duration::days(400);
        c.tests[0].applied_at = now() - Duration::days(300);
        c.tests[0].items[0].readings[0].at = now() - Duration::days(297);
        assert_eq!(
            standing_of(&c, Raiser::Reaction(7), false),
            Standing::InForce
        );
    }

    #[test]
    fn a_suspect_lapses_when_the_item_that_raised_it_is_no_longer_positive() {
        let raiser = Raiser::Item {
            test: PatchTestId(2),
            item: 1,
        };
        let positive = client(vec![test(2, 10, product_item(), Grade::Weak)], false);
        assert_eq!(standing_of(&positive, raiser, false), Standing::InForce);
        let corrected = client(vec![test(2, 10, product_item(), Grade::Negative)], false);
        assert_eq!(
            standing_of(&corrected, raiser, false),
            Standing::Lapsed {
                item: "patch test 2, item 1".into()
            }
        );
    }

    #[test]
    fn a_retracted_suspect_stands_retracted_whatever_the_tests_say() {
        let c = client(vec![test(2, 10, product_item(), Grade::Weak)], false);
        let raiser = Raiser::Item {
            test: PatchTestId(2),
            item: 1,
        };
        assert_eq!(standing_of(&c, raiser, true), Standing::Retracted);
    }

    #[test]
    fn a_raiser_with_rows_raises_nothing_unrecorded() {
        let mut c = client(vec![], true);
        let outcomes_before = outcomes(&c, &world());
        assert_eq!(unrecorded(&c, &outcomes_before).len(), 2);
        c.sensitivities.push(Sensitivity {
            id: SensitivityId(1),
            target: Target::Substance(WATER),
            target_name: "Water".into(),
            source: Source::Reaction,
            certainty: Certainty::Suspected,
            retracted: true,
            evidence: None,
            raised_by: Some(Raiser::Reaction(7)),
            unverified: false,
        });
        let outcomes = outcomes(&c, &world());
        assert!(unrecorded(&c, &outcomes).is_empty());
        // Retracted, it is not in force, and nothing takes its place.
        assert!(active_sensitivities(&c, &outcomes).is_empty());
    }
}
