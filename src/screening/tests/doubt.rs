//! Doubt: no CLEAR where the data could not be compared (SPEC 5).

use super::*;

#[test]
fn a_formulation_that_declares_no_ingredient_is_a_caution() {
    let a = assess(
        &client(vec![], vec![]),
        &product(1, &[]),
        &world(),
        no_tests_needed(),
    );
    assert_eq!(
        (a.verdict, codes(&a)),
        (Verdict::Caution, vec!["no-ingredients"])
    );
}

#[test]
fn a_sensitivity_to_an_unverified_substance_makes_every_check_a_caution() {
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(MYSTERY),
            Source::Physician,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let a = assess(
        &c,
        &product(1, &[WATER, GLYCERIN]),
        &world(),
        no_tests_needed(),
    );
    assert_eq!(
        (a.verdict, codes(&a)),
        (Verdict::Caution, vec!["sensitivity-unmatched"])
    );
    assert!(a.reasons[0].message.contains("could not be compared"));
}

#[test]
fn may_contain_ingredients_of_a_negative_tested_product_stay_suspects() {
    // A ++ to formulation 1 (carbon black its only pigment); formulation 2 only *may contain*
    // carbon black and tested negative: the tested lot may have held none.
    let mut c = client(
        vec![],
        vec![test_of(
            1,
            vec![
                (on_formulation(1), vec![reading(3, Grade::Strong)]),
                (on_formulation(2), vec![reading(3, Grade::Negative)]),
            ],
        )],
    );
    c = holding(c, 1, &[WATER, CARBON]);
    c.formulations.insert(
        FormulationId(2),
        vec![
            Content {
                substance: WATER,
                may_contain: false,
                verified: true,
            },
            Content {
                substance: CARBON,
                may_contain: true,
                verified: true,
            },
        ],
    );
    let a = assess(&c, &product(9, &[CARBON]), &world(), no_tests_needed());
    assert_eq!(a.verdict, Verdict::Caution, "{:?}", codes(&a));
    assert_eq!(a.reasons[0].code, "sensitivity");
}

#[test]
fn every_reason_about_a_doubtful_declaration_names_the_doubt() {
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(BENZOCAINE),
            Source::Physician,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let mut p = product(1, &[BENZOCAINE]);
    p.ingredients[0].doubt = Some("declared as \"Benzocaine\" with the CAS of Lidocaine".into());
    let a = assess(&c, &p, &world(), no_tests_needed());
    assert_eq!(a.verdict, Verdict::Blocked);
    assert!(
        a.reasons[0].message.contains("with the CAS of Lidocaine"),
        "{}",
        a.reasons[0].message
    );
    assert!(a.reasons[0].ingredient.as_ref().unwrap().doubt.is_some());
}

#[test]
fn a_reason_through_an_inferred_member_says_it_was_inferred_from_the_name() {
    let mut groups = vec![group(
        NICKEL_GROUP,
        "nickel-compounds",
        Relation::SameHapten,
        Level::Block,
        &[NICKEL, NICKEL_SULFATE, MYSTERY],
    )];
    groups[0].inferred = vec![MYSTERY];
    let w = World::new(now(), Policy::default(), groups, vec![]);
    let c = client(
        vec![sensitivity(
            1,
            Target::Substance(NICKEL),
            Source::Physician,
            Certainty::Confirmed,
        )],
        vec![],
    );
    let a = assess(&c, &product(1, &[MYSTERY]), &w, no_tests_needed());
    assert_eq!(a.verdict, Verdict::Blocked);
    let reason = a.reasons.iter().find(|r| r.code == "same-hapten").unwrap();
    assert!(
        reason.message.contains("inferred from its name"),
        "{}",
        reason.message
    );
}
