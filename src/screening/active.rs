//! What the client reacts to: the outcome of every patch-test item, the sensitivities in force
//! (recorded, and those tests and reactions imply), and what can give a product any reason at
//! all (`Relevance`, which lets the safe list judge only the products that touch it).

use std::collections::BTreeSet;

use chrono::Duration;

use super::*;

/// A sensitivity in force, recorded or implied by a test.
#[derive(Debug, Clone)]
pub struct ActiveSensitivity {
    pub id: Option<SensitivityId>,
    pub target: Target,
    pub target_name: String,
    pub source: Source,
    pub certainty: Certainty,
    pub evidence: Option<String>,
    /// The target is an unidentified substance (`sensitivity-unmatched`).
    pub unverified: bool,
}

impl ActiveSensitivity {
    /// How sure the sensitivity is, as a level (SPEC 5 "evidence").
    pub fn evidence_level(&self, policy: &Policy) -> Level {
        match (self.certainty, self.source) {
            (Certainty::Suspected, _) => policy.suspected,
            (Certainty::Confirmed, Source::Declared) => policy.declared,
            (Certainty::Confirmed, _) => Level::Block,
        }
    }

    pub(super) fn because(&self) -> Because {
        Because::Sensitivity {
            id: self.id,
            target: self.target_name.clone(),
            target_kind: self.target.kind(),
            source: self.source,
            certainty: self.certainty,
            evidence: self.evidence.clone(),
        }
    }

    /// `the client's sensitivity to nickel sulfate is confirmed by patch test (...)`.
    pub(super) fn describe(&self) -> String {
        let how = evidence_words(self.certainty, self.source);
        let id = self.id.map_or(String::new(), |id| format!(" #{id}"));
        match &self.evidence {
            Some(e) => format!(
                "the client's sensitivity{id} to {} is {how} ({e})",
                self.target_name
            ),
            None => format!(
                "the client's sensitivity{id} to {} is {how}",
                self.target_name
            ),
        }
    }
}

/// How sure a sensitivity is, in the words `check` and `sensitivity add` both use:
/// `declared by the client (not tested)`, `confirmed by patch test`, ...
pub fn evidence_words(certainty: Certainty, source: Source) -> String {
    match (certainty, source) {
        (Certainty::Confirmed, Source::Declared) => "declared by the client (not tested)".into(),
        (Certainty::Confirmed, Source::Physician) => "confirmed by a physician".into(),
        (Certainty::Confirmed, Source::PatchTest) => "confirmed by patch test".into(),
        (Certainty::Confirmed, Source::Reaction) => "confirmed after a reaction".into(),
        (Certainty::Suspected, Source::PatchTest) => {
            "suspected: an ingredient of a product the client tested positive to".into()
        }
        (Certainty::Suspected, Source::Reaction) => {
            "suspected: an ingredient of a product the client reacted to".into()
        }
        (Certainty::Suspected, source) => format!("suspected ({})", source.as_str()),
    }
}

/// The outcome of every item of every patch test of the client.
pub struct ItemOutcome<'a> {
    pub test: &'a PatchTest,
    pub item: &'a TestItem,
    pub outcome: Outcome,
    /// The reading that decided the outcome (the strongest, or the latest negative).
    pub deciding: Option<&'a Reading>,
    /// Whether a negative outcome still counts (`patch-test-valid-days`).
    pub current: bool,
}

pub fn outcomes<'a>(client: &'a ClientFacts, world: &World) -> Vec<ItemOutcome<'a>> {
    let policy = &world.policy;
    // Saturating: no policy value, however large, can overflow the date arithmetic.
    let valid_from = Duration::try_days(policy.patch_test_valid_days)
        .and_then(|d| world.now.checked_sub_signed(d))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let mut all = Vec::new();
    for test in &client.tests {
        for item in &test.items {
            let (mut outcome, deciding) =
                item_outcome(&item.readings, policy.min_negative_reading_hours);
            // A reaction on the irradiated set only, once irradiated, is photo-positive.
            if let Some(twin) = item.photo_of {
                let twin = test
                    .items
                    .iter()
                    .find(|t| t.item == twin)
                    .map_or(Outcome::Pending, |t| {
                        item_outcome(&t.readings, policy.min_negative_reading_hours).0
                    });
                outcome = outcome::photo_outcome(outcome, twin, test.irradiated_at.is_some());
            }
            let current = match deciding {
                Some(r) if outcome == Outcome::Negative => valid_from <= r.at,
                _ => true,
            };
            all.push(ItemOutcome {
                test,
                item,
                outcome,
                deciding,
                current,
            });
        }
    }
    all
}

pub(super) fn test_evidence(o: &ItemOutcome) -> String {
    let grade = o
        .deciding
        .map(|r| {
            format!(
                ", {} read at D{} ({})",
                r.grade.as_str(),
                r.day(),
                date_of(&r.at)
            )
        })
        .unwrap_or_default();
    let photo = if o.outcome == Outcome::PhotoPositive {
        ", photo-positive (irradiated set only)"
    } else {
        ""
    };
    let relevance = o
        .item
        .relevance
        .as_ref()
        .map_or(String::new(), |r| format!(", relevance: {r}"));
    format!(
        "patch test {} item {} applied {}{grade}{photo}{relevance}",
        o.test.id,
        o.item.item,
        date_of(&o.test.applied_at)
    )
}

/// The sensitivities in force (`record::standing`): the recorded ones, and what the positive
/// items and reactions that have no row yet raise (`record::unrecorded`, without ids).
pub fn active_sensitivities(
    client: &ClientFacts,
    outcomes: &[ItemOutcome],
) -> Vec<ActiveSensitivity> {
    let mut active: Vec<ActiveSensitivity> = client
        .sensitivities
        .iter()
        .filter(|s| {
            standing(
                client,
                outcomes,
                s.raised_by,
                s.target,
                s.certainty,
                s.retracted,
            )
            .in_force()
        })
        .map(|s| ActiveSensitivity {
            id: Some(s.id),
            target: s.target,
            target_name: s.target_name.clone(),
            source: s.source,
            certainty: s.certainty,
            evidence: match s.raised_by {
                Some(r) => raised_evidence(client, outcomes, r).or_else(|| s.evidence.clone()),
                None => s.evidence.clone(),
            },
            unverified: s.unverified,
        })
        .collect();
    for r in unrecorded(client, outcomes) {
        if !standing(
            client,
            outcomes,
            Some(r.raiser),
            r.target,
            r.certainty,
            false,
        )
        .in_force()
        {
            continue;
        }
        active.push(ActiveSensitivity {
            id: None,
            evidence: raised_evidence(client, outcomes, r.raiser),
            target: r.target,
            target_name: r.target_name,
            source: r.source,
            certainty: r.certainty,
            unverified: r.unverified,
        });
    }
    active
}

/// Every substance an ingredient could be and still link to one of `sensitivities` (at any
/// level): the sensitive substances (or the members of a group sensitivity), and every member of
/// every group that holds one of them. An ingredient outside this set gets no sensitivity
/// reason, which lets the safe list judge only the products that hold one.
pub fn linked_substances(
    sensitivities: &[ActiveSensitivity],
    world: &World,
) -> BTreeSet<SubstanceId> {
    let mut linked = BTreeSet::new();
    for s in sensitivities {
        let sensitive: Vec<SubstanceId> = match s.target {
            Target::Substance(id) => vec![id],
            Target::Group(g) => world
                .group(g)
                .map(|g| g.members.clone())
                .unwrap_or_default(),
        };
        for x in sensitive {
            linked.insert(x);
            for group in world.groups_of(x) {
                linked.extend(group.members.iter().copied());
            }
        }
    }
    linked
}

/// What can give a product any reason for a client, `no-patch-test` and lots aside: the linked
/// substances, the substances the client was patch-tested to (a doubtful reading cautions), the
/// restricted substances, the formulations the client was patch-tested to, unidentified
/// ingredients when the client has a sensitivity, a formulation that declares nothing, and every
/// product when a sensitivity names an unidentified substance. A product that touches none of
/// these is CLEAR without reasons: the safe list judges only the others.
#[derive(Debug, Clone, Default)]
pub struct Relevance {
    pub substances: BTreeSet<SubstanceId>,
    pub formulations: BTreeSet<FormulationId>,
    pub unverified_matter: bool,
    /// A sensitivity could not be compared: every product gets `sensitivity-unmatched`.
    pub every_product: bool,
}

impl Relevance {
    /// Whether a product (by its ingredients) may get a reason.
    pub fn touches(&self, product: &ProductFacts) -> bool {
        self.every_product
            || product.ingredients.is_empty()
            || self.formulations.contains(&product.formulation_id)
            || product.ingredients.iter().any(|i| {
                self.substances.contains(&i.substance) || self.unverified_matter && !i.verified
            })
    }
}

pub fn relevance(client: &ClientFacts, world: &World, outcomes: &[ItemOutcome]) -> Relevance {
    let active = active_sensitivities(client, outcomes);
    let mut r = Relevance {
        substances: linked_substances(&active, world),
        formulations: BTreeSet::new(),
        unverified_matter: !active.is_empty(),
        every_product: active.iter().any(|s| s.unverified),
    };
    for o in outcomes {
        match &o.item.target {
            ItemTarget::Substance { id, .. } => {
                r.substances.insert(*id);
            }
            ItemTarget::Formulation { id, .. } => {
                r.formulations.insert(*id);
            }
            ItemTarget::Group { id, .. } => {
                r.substances
                    .extend(world.group(*id).into_iter().flat_map(|g| &g.members));
            }
        }
    }
    if world.policy.jurisdiction.is_some() {
        r.substances.extend(world.restricted_substances());
    }
    r
}
