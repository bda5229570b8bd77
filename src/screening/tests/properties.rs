//! Properties over random facts: more data never makes a verdict milder, and the verdict is
//! the most severe reason.

use proptest::prelude::*;

use super::*;

const SUBSTANCES: [SubstanceId; 11] = [
    NICKEL,
    NICKEL_SULFATE,
    COBALT,
    PPD,
    BENZOCAINE,
    WATER,
    GLYCERIN,
    FORMALDEHYDE,
    QUATERNIUM_15,
    MYSTERY,
    CARBON,
];

fn any_target() -> impl Strategy<Value = Target> {
    prop_oneof![
        proptest::sample::select(SUBSTANCES.to_vec()).prop_map(Target::Substance),
        proptest::sample::select(vec![NICKEL_GROUP, METALS, PARA, RELEASERS])
            .prop_map(Target::Group),
    ]
}

fn any_sensitivity() -> impl Strategy<Value = Sensitivity> {
    (
        1i64..1000,
        any_target(),
        proptest::sample::select(vec![
            Source::Declared,
            Source::Physician,
            Source::PatchTest,
            Source::Reaction,
        ]),
        proptest::sample::select(vec![Certainty::Confirmed, Certainty::Suspected]),
    )
        .prop_map(|(id, t, s, c)| sensitivity(id, t, s, c))
}

fn any_grade() -> impl Strategy<Value = Grade> {
    proptest::sample::select(vec![
        Grade::Negative,
        Grade::Doubtful,
        Grade::Weak,
        Grade::Strong,
        Grade::Extreme,
        Grade::Irritant,
        Grade::NotTested,
    ])
}

fn any_reading() -> impl Strategy<Value = Reading> {
    (1i64..8, any_grade()).prop_map(|(d, g)| reading(d, g))
}

fn any_item() -> impl Strategy<Value = (ItemTarget, Vec<Reading>)> {
    (
        prop_oneof![
            proptest::sample::select(vec![1i64, 2]).prop_map(on_formulation),
            proptest::sample::select(SUBSTANCES.to_vec()).prop_map(on_substance),
        ],
        proptest::collection::vec(any_reading(), 0..3),
    )
}

fn any_client() -> impl Strategy<Value = ClientFacts> {
    (
        proptest::collection::vec(any_sensitivity(), 0..4),
        proptest::collection::vec(any_item(), 0..3),
    )
        .prop_map(|(s, items)| {
            client(
                s,
                if items.is_empty() {
                    vec![]
                } else {
                    vec![test_of(1, items)]
                },
            )
        })
}

fn any_ingredients() -> impl Strategy<Value = Vec<SubstanceId>> {
    proptest::collection::vec(proptest::sample::select(SUBSTANCES.to_vec()), 0..5)
}

fn options() -> impl Strategy<Value = Options> {
    any::<bool>().prop_map(|b| Options {
        ignore_missing_patch_test: b,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_sensitivity_never_makes_a_verdict_milder(c in any_client(), s in any_sensitivity(), ids in any_ingredients(), f in 1i64..3, o in options()) {
        let w = world();
        let p = product(f, &ids);
        let before = assess(&c, &p, &w, o).verdict;
        let mut more = c.clone();
        more.sensitivities.push(s);
        prop_assert!(assess(&more, &p, &w, o).verdict >= before);
    }

    #[test]
    fn adding_a_positive_reading_never_makes_a_verdict_milder(c in any_client(), item in any_item(), d in 1i64..8, g in proptest::sample::select(vec![Grade::Weak, Grade::Strong, Grade::Extreme]), ids in any_ingredients(), f in 1i64..3, o in options()) {
        let w = world();
        let p = product(f, &ids);
        let before = assess(&c, &p, &w, o).verdict;
        let mut more = c.clone();
        let (target, mut readings) = item;
        readings.push(reading(d, g));
        more.tests.push(test_of(2, vec![(target, readings)]));
        prop_assert!(assess(&more, &p, &w, o).verdict >= before);
    }

    #[test]
    fn adding_an_ingredient_never_makes_a_verdict_milder(c in any_client(), ids in any_ingredients(), extra in proptest::sample::select(SUBSTANCES.to_vec()), f in 1i64..3, o in options()) {
        // An empty declaration is a doubt of its own (`no-ingredients`): the first ingredient
        // replaces it; from then on more is never milder.
        prop_assume!(!ids.is_empty());
        let w = world();
        let before = assess(&c, &product(f, &ids), &w, o).verdict;
        let mut more = ids.clone();
        more.push(extra);
        prop_assert!(assess(&c, &product(f, &more), &w, o).verdict >= before);
    }

    #[test]
    fn retracting_the_only_sensitivity_never_makes_a_verdict_more_severe(s in any_sensitivity(), ids in any_ingredients(), f in 1i64..3, o in options()) {
        let w = world();
        let p = product(f, &ids);
        let with = assess(&client(vec![s.clone()], vec![]), &p, &w, o).verdict;
        let mut retracted = s;
        retracted.retracted = true;
        prop_assert!(assess(&client(vec![retracted], vec![]), &p, &w, o).verdict <= with);
    }

    /// The safe list judges only the products `relevance` says may get a reason: any product
    /// with a reason (patch tests aside, as in the safe list) must be one of them.
    #[test]
    fn a_product_with_any_reason_is_relevant(c in any_client(), ids in any_ingredients(), f in 1i64..3, restricted in any::<bool>()) {
        let mut w = world();
        if !restricted {
            w.policy.jurisdiction = None;
        }
        let outcomes = outcomes(&c, &w);
        let relevant = relevance(&c, &w, &outcomes);
        let p = product(f, &ids);
        let a = assess(&c, &p, &w, Options { ignore_missing_patch_test: true });
        if !a.reasons.is_empty() {
            prop_assert!(relevant.touches(&p), "reasons {:?} but not relevant", a.reasons.iter().map(|r| r.code).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_verdict_is_the_most_severe_reason(c in any_client(), ids in any_ingredients(), f in 1i64..3, o in options()) {
        let a = assess(&c, &product(f, &ids), &world(), o);
        let most = a.reasons.iter().map(|r| r.level).max();
        let expected = match most {
            Some(Level::Block) => Verdict::Blocked,
            Some(Level::Caution) => Verdict::Caution,
            _ => Verdict::Clear,
        };
        prop_assert_eq!(a.verdict, expected);
        prop_assert!(a.reasons.windows(2).all(|w| w[0].level >= w[1].level), "reasons most severe first");
    }
}
