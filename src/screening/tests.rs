//! The engine on hand-built facts: one test per rule (the doubt rules in `tests/doubt.rs`), and
//! properties over random facts (`tests/properties.rs`).

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;

mod doubt;
mod properties;

// Substances of the test world.
const NICKEL: SubstanceId = SubstanceId(1);
const NICKEL_SULFATE: SubstanceId = SubstanceId(2);
const COBALT: SubstanceId = SubstanceId(3);
const PPD: SubstanceId = SubstanceId(4);
const BENZOCAINE: SubstanceId = SubstanceId(5);
const WATER: SubstanceId = SubstanceId(6);
const GLYCERIN: SubstanceId = SubstanceId(7);
const FORMALDEHYDE: SubstanceId = SubstanceId(8);
const QUATERNIUM_15: SubstanceId = SubstanceId(9);
const MYSTERY: SubstanceId = SubstanceId(10);
const CARBON: SubstanceId = SubstanceId(11);

const NICKEL_GROUP: GroupId = GroupId(100);
const METALS: GroupId = GroupId(101);
const PARA: GroupId = GroupId(102);
const RELEASERS: GroupId = GroupId(103);

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn group(
    id: GroupId,
    key: &str,
    relation: Relation,
    on_match: Level,
    members: &[SubstanceId],
) -> Group {
    Group {
        id,
        key: key.into(),
        name: key.into(),
        relation,
        on_match,
        members: members.to_vec(),
        inferred: vec![],
    }
}

fn world() -> World {
    let groups = vec![
        group(
            NICKEL_GROUP,
            "nickel-compounds",
            Relation::SameHapten,
            Level::Block,
            &[NICKEL, NICKEL_SULFATE],
        ),
        group(
            METALS,
            "metal-co-sensitisation",
            Relation::CoSensitisation,
            Level::Note,
            &[NICKEL, NICKEL_SULFATE, COBALT],
        ),
        group(
            PARA,
            "para-amino",
            Relation::CrossReactive,
            Level::Caution,
            &[PPD, BENZOCAINE],
        ),
        group(
            RELEASERS,
            "formaldehyde-releasers",
            Relation::SameHapten,
            Level::Block,
            &[FORMALDEHYDE, QUATERNIUM_15],
        ),
    ];
    let restrictions = vec![Restriction {
        substance: NICKEL,
        jurisdiction: "EU".into(),
        rule: "max-concentration".into(),
        limit_mg_per_kg: Some(5.0),
        applies_from: None,
        label_statement: Some("Contains nickel. Can cause allergic reactions.".into()),
        source: "REACH".into(),
    }];
    // The clinic's zone is the machine's by default: the tests fix it.
    let policy = Policy {
        timezone: chrono_tz::Tz::UTC,
        ..Policy::default()
    };
    World::new(now(), policy, groups, restrictions)
}

fn names() -> BTreeMap<SubstanceId, String> {
    [
        (NICKEL, "Nickel"),
        (NICKEL_SULFATE, "Nickel sulfate"),
        (COBALT, "Cobalt"),
        (PPD, "PPD"),
        (BENZOCAINE, "Benzocaine"),
        (WATER, "Water"),
        (GLYCERIN, "Glycerin"),
        (FORMALDEHYDE, "Formaldehyde"),
        (QUATERNIUM_15, "Quaternium-15"),
        (MYSTERY, "Mystery"),
        (CARBON, "Carbon black"),
    ]
    .into_iter()
    .map(|(id, name)| (id, name.to_string()))
    .collect()
}

/// The client's facts say what formulation `id` holds (declared, not may-contain).
fn holding(mut c: ClientFacts, id: i64, ids: &[SubstanceId]) -> ClientFacts {
    c.formulations.insert(
        FormulationId(id),
        ids.iter()
            .map(|s| Content {
                substance: *s,
                may_contain: false,
                verified: *s != MYSTERY,
            })
            .collect(),
    );
    c
}

fn ingredient(id: SubstanceId, max_percent: Option<f64>) -> Ingredient {
    Ingredient {
        substance: id,
        substance_name: format!("substance {id}"),
        declared_as: format!("substance {id}"),
        cas: vec![],
        ci: vec![],
        verified: id != MYSTERY,
        may_contain: false,
        max_percent,
        doubt: None,
    }
}

fn product(formulation: i64, ids: &[SubstanceId]) -> ProductFacts {
    ProductFacts {
        supplier: "S".into(),
        code: "P".into(),
        name: "P".into(),
        formulation_id: FormulationId(formulation),
        version: 1,
        kind_is_tattoo_ink: true,
        lot: None,
        ingredients: ids.iter().map(|i| ingredient(*i, Some(0.0001))).collect(),
    }
}

fn sensitivity(id: i64, target: Target, source: Source, certainty: Certainty) -> Sensitivity {
    Sensitivity {
        id: SensitivityId(id),
        target,
        target_name: format!("{target:?}"),
        source,
        certainty,
        retracted: false,
        evidence: None,
        raised_by: None,
        unverified: target == Target::Substance(MYSTERY),
    }
}

fn reading(days: i64, grade: Grade) -> Reading {
    Reading {
        at: applied() + Duration::days(days),
        hours: days as f64 * 24.0,
        grade,
    }
}

fn applied() -> DateTime<Utc> {
    now() - Duration::days(10)
}

fn test_of(id: i64, items: Vec<(ItemTarget, Vec<Reading>)>) -> PatchTest {
    PatchTest {
        id: PatchTestId(id),
        applied_at: applied(),
        items: items
            .into_iter()
            .enumerate()
            .map(|(n, (target, readings))| TestItem {
                item: n as i64 + 1,
                target,
                readings,
                photo_of: None,
                relevance: None,
            })
            .collect(),
        irradiated_at: None,
    }
}

fn on_formulation(id: i64) -> ItemTarget {
    ItemTarget::Formulation {
        id: FormulationId(id),
        label: format!("formulation {id}"),
    }
}

fn on_substance(id: SubstanceId) -> ItemTarget {
    ItemTarget::Substance {
        id,
        name: format!("substance {id}"),
        verified: id != MYSTERY,
    }
}

fn no_tests_needed() -> Options {
    Options {
        ignore_missing_patch_test: true,
    }
}

fn codes(a: &Assessment) -> Vec<&'static str> {
    a.reasons.iter().map(|r| r.code).collect()
}

/// A client whose tests may name formulation 1 (water, carbon black, nickel) and 2 (glycerin,
/// benzocaine).
fn client(sensitivities: Vec<Sensitivity>, tests: Vec<PatchTest>) -> ClientFacts {
    let c = ClientFacts {
        code: "C-1".into(),
        sensitivities,
        tests,
        reactions: vec![],
        formulations: BTreeMap::new(),
        names: names(),
    };
    let c = holding(c, 1, &[WATER, CARBON, NICKEL]);
    holding(c, 2, &[GLYCERIN, BENZOCAINE])
}

#[test]
fn a_confirmed_sensitivity_to_an_ingredient_blocks() {
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(NICKEL),
            Source::Physician,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let a = assess(
        &c,
        &product(1, &[NICKEL, WATER]),
        &world(),
        no_tests_needed(),
    );
    assert_eq!(a.verdict, Verdict::Blocked);
    assert_eq!(a.reasons[0].code, "sensitivity");
}

#[test]
fn same_hapten_takes_the_groups_on_match_and_co_sensitisation_only_notes() {
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(NICKEL_SULFATE),
            Source::PatchTest,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let a = assess(&c, &product(1, &[NICKEL]), &world(), no_tests_needed());
    assert_eq!(a.verdict, Verdict::Blocked);
    assert!(codes(&a).contains(&"same-hapten"));
    let a = assess(&c, &product(1, &[COBALT]), &world(), no_tests_needed());
    assert_eq!(a.verdict, Verdict::Clear);
    assert_eq!(codes(&a), vec!["co-sensitisation"]);
    assert_eq!(a.reasons[0].level, Level::Note);
}

#[test]
fn the_level_is_the_milder_of_link_and_evidence() {
    // Declared nickel allergy with cobalt: note (co-sensitisation is milder than block).
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(NICKEL),
            Source::Declared,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let a = assess(&c, &product(1, &[COBALT]), &world(), no_tests_needed());
    assert_eq!(a.reasons[0].level, Level::Note);
    // A suspected sensitivity to the very substance: caution under the default policy.
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(GLYCERIN),
            Source::Reaction,
            Certainty::Suspected,
        )],
        vec![],
    );
    let a = assess(&c, &product(1, &[GLYCERIN]), &world(), no_tests_needed());
    assert_eq!(
        (a.verdict, a.reasons[0].level),
        (Verdict::Caution, Level::Caution)
    );
    // Policy suspected=block makes it block.
    let mut w = world();
    w.policy.suspected = Level::Block;
    assert_eq!(
        assess(&c, &product(1, &[GLYCERIN]), &w, no_tests_needed()).verdict,
        Verdict::Blocked
    );
}

#[test]
fn a_declared_ppd_allergy_cautions_for_benzocaine() {
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(PPD),
            Source::Declared,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let a = assess(
        &c,
        &product(1, &[BENZOCAINE, WATER]),
        &world(),
        no_tests_needed(),
    );
    assert_eq!(a.verdict, Verdict::Caution);
    assert_eq!(codes(&a), vec!["cross-reactive"]);
    assert_eq!(a.reasons[0].via.as_ref().unwrap().group, "para-amino");
}

#[test]
fn a_sensitivity_to_a_group_blocks_its_members() {
    let c = client(
        vec![sensitivity(
            1,
            Target::Group(RELEASERS),
            Source::Physician,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let a = assess(
        &c,
        &product(1, &[QUATERNIUM_15]),
        &world(),
        no_tests_needed(),
    );
    assert_eq!(a.verdict, Verdict::Blocked);
    assert_eq!(a.reasons[0].code, "sensitivity");
    assert_eq!(
        a.reasons[0].via.as_ref().unwrap().group,
        "formaldehyde-releasers"
    );
}

#[test]
fn formaldehyde_blocks_its_releasers() {
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(FORMALDEHYDE),
            Source::PatchTest,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let a = assess(
        &c,
        &product(1, &[QUATERNIUM_15]),
        &world(),
        no_tests_needed(),
    );
    assert_eq!(
        (a.verdict, a.reasons[0].code),
        (Verdict::Blocked, "same-hapten")
    );
}

#[test]
fn retracted_sensitivities_do_not_count() {
    let mut s = sensitivity(
        1,
        Target::Substance(NICKEL),
        Source::Physician,
        Certainty::Confirmed,
    );
    s.retracted = true;
    let a = assess(
        &client(vec![s], vec![]),
        &product(1, &[NICKEL]),
        &world(),
        no_tests_needed(),
    );
    assert_eq!(a.verdict, Verdict::Clear);
}

#[test]
fn may_contain_ingredients_count() {
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(NICKEL),
            Source::Physician,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let mut p = product(1, &[WATER, NICKEL]);
    p.ingredients[1].may_contain = true;
    let a = assess(&c, &p, &world(), no_tests_needed());
    assert_eq!(a.verdict, Verdict::Blocked);
    assert!(a.reasons[0].message.contains("may contain"));
}

#[test]
fn patch_test_outcomes_give_their_reasons() {
    let w = world();
    let p = product(7, &[WATER]);
    let cases = [
        (
            vec![reading(2, Grade::Strong)],
            "positive-test",
            Verdict::Blocked,
        ),
        (
            vec![reading(2, Grade::Doubtful), reading(3, Grade::Negative)],
            "doubtful-test",
            Verdict::Caution,
        ),
        (
            vec![reading(3, Grade::Irritant)],
            "irritant-test",
            Verdict::Caution,
        ),
        (
            vec![reading(2, Grade::Negative)],
            "test-pending",
            Verdict::Caution,
        ),
        (vec![], "test-pending", Verdict::Caution),
        (
            vec![reading(2, Grade::Negative), reading(3, Grade::Negative)],
            "negative-test",
            Verdict::Clear,
        ),
    ];
    for (readings, code, verdict) in cases {
        let c = client(
            vec![],
            vec![test_of(1, vec![(on_formulation(7), readings.clone())])],
        );
        let a = assess(&c, &p, &w, Options::default());
        assert!(codes(&a).contains(&code), "{readings:?}: {:?}", codes(&a));
        assert_eq!(a.verdict, verdict, "{readings:?}");
    }
}

#[test]
fn a_negative_read_only_at_48_hours_is_pending() {
    let c = client(
        vec![],
        vec![test_of(
            1,
            vec![(on_formulation(7), vec![reading(2, Grade::Negative)])],
        )],
    );
    let a = assess(&c, &product(7, &[WATER]), &world(), Options::default());
    assert_eq!(codes(&a), vec!["test-pending", "no-patch-test"]);
}

#[test]
fn a_negative_older_than_the_valid_days_no_longer_counts() {
    let mut w = world();
    w.policy.patch_test_valid_days = 5;
    let c = client(
        vec![],
        vec![test_of(
            1,
            vec![(on_formulation(7), vec![reading(3, Grade::Negative)])],
        )],
    );
    let a = assess(&c, &product(7, &[WATER]), &w, Options::default());
    assert_eq!(codes(&a), vec!["no-patch-test"]);
}

#[test]
fn a_test_of_another_formulation_does_not_count_for_this_one() {
    let c = client(
        vec![],
        vec![test_of(
            1,
            vec![(on_formulation(6), vec![reading(3, Grade::Negative)])],
        )],
    );
    let a = assess(&c, &product(7, &[WATER]), &world(), Options::default());
    assert_eq!(codes(&a), vec!["no-patch-test"]);
}

#[test]
fn a_positive_product_test_and_a_negative_one_leave_exactly_the_right_suspects() {
    let w = world();
    let c = client(
        vec![],
        vec![test_of(
            1,
            vec![
                (on_formulation(1), vec![reading(3, Grade::Weak)]),
                (on_formulation(2), vec![reading(3, Grade::Negative)]),
            ],
        )],
    );
    let c = holding(c, 1, &[WATER, GLYCERIN, CARBON]);
    let c = holding(c, 2, &[WATER, GLYCERIN]);
    let outcomes = outcomes(&c, &w);
    let suspects: Vec<String> = active_sensitivities(&c, &outcomes)
        .iter()
        .map(|s| s.target_name.clone())
        .collect();
    assert_eq!(suspects, vec!["Carbon black"]);
    let a = assess(&c, &product(9, &[CARBON]), &w, no_tests_needed());
    assert_eq!(
        (a.verdict, a.reasons[0].code),
        (Verdict::Caution, "sensitivity")
    );
    let a = assess(&c, &product(9, &[GLYCERIN, WATER]), &w, no_tests_needed());
    assert_eq!(a.verdict, Verdict::Clear);
}

#[test]
fn a_positive_substance_test_is_a_confirmed_sensitivity() {
    let c = client(
        vec![],
        vec![test_of(
            1,
            vec![(
                on_substance(NICKEL_SULFATE),
                vec![reading(3, Grade::Strong)],
            )],
        )],
    );
    let a = assess(
        &c,
        &product(1, &[NICKEL, COBALT]),
        &world(),
        no_tests_needed(),
    );
    assert_eq!(a.verdict, Verdict::Blocked);
    assert_eq!(codes(&a), vec!["same-hapten", "co-sensitisation"]);
    assert!(
        a.reasons[0].message.contains("++ read at D3"),
        "{}",
        a.reasons[0].message
    );
}

#[test]
fn a_doubtful_reading_to_an_ingredient_cautions() {
    let c = client(
        vec![],
        vec![test_of(
            1,
            vec![(on_substance(GLYCERIN), vec![reading(3, Grade::Doubtful)])],
        )],
    );
    let a = assess(&c, &product(1, &[GLYCERIN]), &world(), no_tests_needed());
    assert_eq!(
        (a.verdict, codes(&a)),
        (Verdict::Caution, vec!["doubtful-test"])
    );
}

/// Regression: a doubtful reading of a substance item cautions for products holding that
/// substance, but makes no sensitivity; the safe list left such products out of the ones it
/// judges and called them CLEAR.
#[test]
fn a_doubtful_substance_test_makes_the_products_holding_it_relevant() {
    let mut w = world();
    w.policy.jurisdiction = None;
    let c = client(
        vec![],
        vec![test_of(
            1,
            vec![(on_substance(GLYCERIN), vec![reading(3, Grade::Doubtful)])],
        )],
    );
    let p = product(1, &[WATER, GLYCERIN]);
    assert_eq!(
        assess(&c, &p, &w, no_tests_needed()).verdict,
        Verdict::Caution
    );
    let outcomes = outcomes(&c, &w);
    assert!(relevance(&c, &w, &outcomes).touches(&p));
    assert!(!relevance(&c, &w, &outcomes).touches(&product(2, &[WATER])));
}

#[test]
fn unverified_ingredients_caution_only_when_the_client_has_a_sensitivity() {
    let p = product(1, &[WATER, MYSTERY]);
    let a = assess(&client(vec![], vec![]), &p, &world(), no_tests_needed());
    assert_eq!(a.verdict, Verdict::Clear);
    assert!(a.not_checked[0].contains("not identified"));
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(PPD),
            Source::Declared,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let a = assess(&c, &p, &world(), no_tests_needed());
    assert_eq!(
        (a.verdict, codes(&a)),
        (Verdict::Caution, vec!["unverified-ingredients"])
    );
}

#[test]
fn flagged_and_expired_lots_block() {
    let mut p = product(1, &[WATER]);
    p.lot = Some(LotFacts {
        lot: "L1".into(),
        expires: Some(now().date_naive() - Duration::days(1)),
        flags: vec![LotFlag {
            reason: "recall".into(),
            at: now(),
        }],
    });
    let a = assess(&client(vec![], vec![]), &p, &world(), no_tests_needed());
    assert_eq!(a.verdict, Verdict::Blocked);
    assert_eq!(codes(&a), vec!["lot-flagged", "lot-expired"]);
    p.lot = Some(LotFacts {
        lot: "L1".into(),
        expires: Some(now().date_naive()),
        flags: vec![],
    });
    assert_eq!(
        assess(&client(vec![], vec![]), &p, &world(), no_tests_needed()).verdict,
        Verdict::Clear,
        "valid through its expiry day"
    );
}

#[test]
fn restricted_fires_above_the_limit_or_without_a_concentration_only() {
    let w = world();
    let c = client(vec![], vec![]);
    let mut p = product(1, &[NICKEL]);
    p.ingredients[0].max_percent = Some(0.0002); // 2 mg/kg
    assert_eq!(
        assess(&c, &p, &w, no_tests_needed()).verdict,
        Verdict::Clear
    );
    p.ingredients[0].max_percent = Some(0.001); // 10 mg/kg
    let a = assess(&c, &p, &w, no_tests_needed());
    assert_eq!(
        (a.verdict, codes(&a)),
        (Verdict::Caution, vec!["restricted"])
    );
    p.ingredients[0].max_percent = None;
    assert_eq!(
        codes(&assess(&c, &p, &w, no_tests_needed())),
        vec!["restricted"]
    );
    p.kind_is_tattoo_ink = false;
    assert!(
        codes(&assess(&c, &p, &w, no_tests_needed())).is_empty(),
        "entry 75 is about tattoo inks"
    );
}

#[test]
fn reactions_make_every_ingredient_of_the_formulations_used_a_suspect() {
    let w = world();
    let mut c = holding(
        client(
            vec![],
            vec![test_of(
                1,
                vec![(on_formulation(4), vec![reading(3, Grade::Negative)])],
            )],
        ),
        4,
        &[GLYCERIN, CARBON],
    );
    c.reactions.push(Reaction {
        id: 1,
        onset: now(),
        severity: "moderate".into(),
        formulations: vec![FormulationId(4)],
    });
    let a = assess(&c, &product(4, &[GLYCERIN, CARBON]), &w, no_tests_needed());
    assert_eq!(
        a.verdict,
        Verdict::Caution,
        "a reaction outweighs a negative patch test: {:?}",
        codes(&a)
    );
    assert!(codes(&a)
        .iter()
        .all(|c| *c == "sensitivity" || *c == "negative-test"));
}

#[test]
fn a_positive_mix_is_a_confirmed_sensitivity_to_its_group_and_a_negative_mix_clears_nothing() {
    let mix = ItemTarget::Group {
        id: RELEASERS,
        name: "formaldehyde-releasers".into(),
    };
    let positive = client(
        vec![],
        vec![test_of(
            1,
            vec![(mix.clone(), vec![reading(2, Grade::Weak)])],
        )],
    );
    let a = assess(
        &positive,
        &product(3, &[QUATERNIUM_15]),
        &world(),
        no_tests_needed(),
    );
    assert_eq!(a.verdict, Verdict::Blocked);
    assert_eq!(a.reasons[0].code, "sensitivity");
    assert!(matches!(
        &a.reasons[0].because,
        Some(Because::Sensitivity {
            target_kind: TargetKind::Group,
            ..
        })
    ));
    let negative = client(
        vec![],
        vec![test_of(1, vec![(mix, vec![reading(3, Grade::Negative)])])],
    );
    let outcomes = outcomes(&negative, &world());
    assert!(active_sensitivities(&negative, &outcomes).is_empty());
}

#[test]
fn a_reaction_only_on_the_irradiated_twin_is_photo_positive_and_blocks_with_its_relevance() {
    let mut test = test_of(
        1,
        vec![
            (
                on_substance(NICKEL_SULFATE),
                vec![reading(2, Grade::Negative)],
            ),
            (
                on_substance(NICKEL_SULFATE),
                vec![reading(2, Grade::Strong)],
            ),
        ],
    );
    test.items[1].photo_of = Some(1);
    test.items[1].relevance = Some("current, probable".into());
    let not_irradiated = client(vec![], vec![test.clone()]);
    assert_eq!(
        outcomes(&not_irradiated, &world())[1].outcome,
        Outcome::Positive
    );
    test.irradiated_at = Some(applied() + Duration::days(1));
    let c = client(vec![], vec![test]);
    assert_eq!(outcomes(&c, &world())[1].outcome, Outcome::PhotoPositive);
    let a = assess(
        &c,
        &product(3, &[NICKEL_SULFATE]),
        &world(),
        no_tests_needed(),
    );
    assert_eq!(a.verdict, Verdict::Blocked);
    assert!(
        a.reasons[0].message.contains("photo-positive")
            && a.reasons[0]
                .message
                .contains("relevance: current, probable"),
        "{}",
        a.reasons[0].message
    );
}
