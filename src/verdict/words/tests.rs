//! The folding rules of the plain verdict, on reasons made by hand.

use super::*;
use crate::ids::{SensitivityId, SubstanceId};
use crate::screening::{IngredientRef, Relation, Via};

fn ingredient(id: i64, name: &str) -> IngredientRef {
    IngredientRef {
        substance_id: SubstanceId(id),
        name: name.into(),
        declared_as: name.into(),
        substance: name.into(),
        cas: vec![],
        ci: vec![],
        may_contain: false,
        doubt: None,
    }
}

fn sensitivity(id: i64, target: &str, source: Source, certainty: Certainty) -> Because {
    Because::Sensitivity {
        id: Some(SensitivityId(id)),
        target: target.into(),
        target_kind: TargetKind::Substance,
        source,
        certainty,
        evidence: None,
    }
}

fn reason(
    level: Level,
    code: &'static str,
    i: Option<IngredientRef>,
    b: Option<Because>,
) -> Reason {
    Reason {
        level,
        code,
        message: format!("{code} message"),
        ingredient: i,
        because: b,
        via: None,
    }
}

fn no_patch_test() -> Reason {
    Reason {
        message: "no negative patch test of this formulation within the last 180 days (policy require-patch-test)".into(),
        ..reason(Level::Caution, "no-patch-test", None, None)
    }
}

#[test]
fn three_sensitivities_to_one_ingredient_read_as_one_line_and_the_most_severe_wins() {
    let mit = ingredient(7, "Methylisothiazolinone");
    let reasons = vec![
        reason(
            Level::Block,
            "sensitivity",
            Some(mit.clone()),
            Some(sensitivity(
                1,
                "Methylisothiazolinone",
                Source::Physician,
                Certainty::Confirmed,
            )),
        ),
        reason(
            Level::Caution,
            "sensitivity",
            Some(mit.clone()),
            Some(sensitivity(
                2,
                "Methylisothiazolinone",
                Source::Reaction,
                Certainty::Suspected,
            )),
        ),
        reason(
            Level::Block,
            "sensitivity",
            Some(mit),
            Some(sensitivity(
                3,
                "Methylisothiazolinone",
                Source::Declared,
                Certainty::Confirmed,
            )),
        ),
        no_patch_test(),
    ];
    let lines = lines(&reasons, Verdict::Blocked);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert_eq!(lines[0].level, Level::Block);
    assert_eq!(
        lines[0].text,
        "Methylisothiazolinone: the client is allergic to it, confirmed by a physician"
    );
    assert_eq!(
        lines[0].details.len(),
        3,
        "every reason stays for --details"
    );
}

#[test]
fn no_patch_test_never_stands_under_a_blocked_verdict_but_does_under_a_caution() {
    let blocked = lines(
        &[
            reason(Level::Block, "lot-flagged", None, None),
            no_patch_test(),
        ],
        Verdict::Blocked,
    );
    assert!(blocked.iter().all(|l| !l.codes.contains(&"no-patch-test")));
    let caution = lines(&[no_patch_test()], Verdict::Caution);
    assert_eq!(
        caution[0].text,
        "not patch-tested: no negative patch test of this product within the last 180 days"
    );
    assert_eq!(next(&caution, Verdict::Caution), Next::PatchTestFirst);
}

#[test]
fn the_next_step_is_another_lot_when_only_the_lot_stands_else_an_alternative() {
    let lot = lines(
        &[
            Reason {
                because: Some(Because::Lot {
                    lot: "L1".into(),
                    detail: "recall".into(),
                }),
                ..reason(Level::Block, "lot-flagged", None, None)
            },
            no_patch_test(),
        ],
        Verdict::Blocked,
    );
    assert_eq!(next(&lot, Verdict::Blocked), Next::AnotherLot);
    let allergen = lines(
        &[reason(
            Level::Caution,
            "sensitivity",
            Some(ingredient(1, "Nickel")),
            Some(sensitivity(
                1,
                "Nickel",
                Source::Declared,
                Certainty::Confirmed,
            )),
        )],
        Verdict::Caution,
    );
    assert_eq!(next(&allergen, Verdict::Caution), Next::Alternative);
    assert_eq!(next(&[], Verdict::Clear), Next::Nothing);
}

#[test]
fn a_related_substance_is_named_in_plain_words_without_the_group_jargon() {
    let r = Reason {
        via: Some(Via {
            group: "nickel-compounds".into(),
            name: "Nickel compounds".into(),
            relation: Relation::SameHapten,
        }),
        ..reason(
            Level::Block,
            "same-hapten",
            Some(ingredient(2, "Nickel")),
            Some(sensitivity(
                4,
                "Nickel sulfate",
                Source::PatchTest,
                Certainty::Confirmed,
            )),
        )
    };
    let l = lines(&[r], Verdict::Blocked);
    assert_eq!(
        l[0].text,
        "Nickel carries the same allergen as Nickel sulfate (Nickel compounds): the client is allergic to Nickel sulfate, confirmed by patch test"
    );
    assert!(!l[0].text.contains("same-hapten") && !l[0].text.contains("on match"));
}

#[test]
fn the_safe_list_says_why_in_a_word_the_allergen_first() {
    let r = reason(
        Level::Block,
        "sensitivity",
        Some(ingredient(1, "Nickel")),
        Some(sensitivity(
            1,
            "Nickel",
            Source::Declared,
            Certainty::Confirmed,
        )),
    );
    assert_eq!(short_why(&[no_patch_test(), r]), "Nickel");
    assert_eq!(
        short_why(&[reason(Level::Block, "positive-test", None, None)]),
        "tested positive"
    );
}

#[test]
fn the_evidence_keeps_dates_and_grades_and_drops_record_numbers() {
    assert_eq!(
        plain_evidence("patch test 3 item 2 applied 2026-11-20, ++ read at D3 (2026-11-23)"),
        "patch test applied 2026-11-20, ++ read at D3 (2026-11-23)"
    );
    assert_eq!(
        plain_evidence("reaction 4 on 2026-11-02 (moderate)"),
        "reaction on 2026-11-02 (moderate)"
    );
    assert_eq!(
        plain_evidence("from the GP's letter"),
        "from the GP's letter"
    );
}
