//! Micro-benchmarks of the hot pure functions: `cargo bench --bench micro`.
//! (Whole commands are measured by bench/run.py.)

use chrono::{TimeZone, Utc};
use divan::black_box;
use inkguard::ident::{normalize_name, Cas};
use inkguard::ids::{FormulationId, GroupId, SensitivityId, SubstanceId};
use inkguard::import::{concentration, label};
use inkguard::screening::{
    assess, Certainty, ClientFacts, Group, Ingredient, Level, Options, Policy, ProductFacts,
    Relation, Sensitivity, Source, Target, World,
};

fn main() {
    divan::main();
}

#[divan::bench(args = ["7440-02-0", " 0050\u{2013}00\u{2013}0 ", "1309-37-1", "64-17-6"])]
fn cas_normalisation(text: &str) -> bool {
    Cas::parse(black_box(text)).is_ok()
}

#[divan::bench(args = ["5", "0,5", "1–5 %", "< 2 mg/kg", "max. 2", "traces"])]
fn concentration_parsing(text: &str) -> bool {
    concentration::parse(black_box(text)).is_ok()
}

const LABEL: &str = "Aqua, Glycerin, Isopropyl Alcohol, Hamamelis Virginiana (Witch Hazel) Water, \
    Iron Oxides (CI 77491, CI 77499), Titanium Dioxide (CI 77891), CI 77266 (Carbon Black), \
    Phenoxyethanol, Ethylhexylglycerin, Silica, Sorbitol, Hydrogenated Castor Oil, Tocopherol, \
    Sodium Benzoate, Citric Acid, Shellac, PVP, Alcohol Denat. May contain: CI 77492, CI 77007, \
    Mica, Tin Oxide [+/- CI 77163]";

#[divan::bench]
fn label_splitting() -> usize {
    label::split(black_box(LABEL)).len()
}

#[divan::bench(args = ["Iron Oxides", "Hamamelis Virginiana (Witch Hazel) Water", "Crème de la Mer Teinté"])]
fn name_normalisation(text: &str) -> String {
    normalize_name(black_box(text))
}

/// A world of `products` products with 12 ingredients each, drawn from 60 substances, five of
/// them in groups; a client with three sensitivities.
fn fixture(products: usize) -> (World, ClientFacts, Vec<ProductFacts>) {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
    let groups = vec![
        Group {
            id: GroupId(1),
            key: "nickel".into(),
            name: "Nickel".into(),
            relation: Relation::SameHapten,
            on_match: Level::Block,
            members: vec![SubstanceId(1), SubstanceId(2)],
            inferred: vec![],
        },
        Group {
            id: GroupId(2),
            key: "metals".into(),
            name: "Metals".into(),
            relation: Relation::CoSensitisation,
            on_match: Level::Note,
            members: vec![SubstanceId(1), SubstanceId(2), SubstanceId(3)],
            inferred: vec![],
        },
        Group {
            id: GroupId(3),
            key: "para".into(),
            name: "Para".into(),
            relation: Relation::CrossReactive,
            on_match: Level::Caution,
            members: vec![SubstanceId(4), SubstanceId(5)],
            inferred: vec![],
        },
    ];
    let world = World::new(now, Policy::default(), groups, vec![]);
    let client = ClientFacts {
        code: "C-1".into(),
        sensitivities: [(1, 2), (2, 4), (3, 40)]
            .into_iter()
            .map(|(id, s)| Sensitivity {
                id: SensitivityId(id),
                target: Target::Substance(SubstanceId(s)),
                target_name: format!("substance {s}"),
                source: Source::Physician,
                certainty: Certainty::Confirmed,
                retracted: false,
                evidence: None,
                raised_by: None,
                unverified: false,
            })
            .collect(),
        ..ClientFacts::default()
    };
    let catalog = (0..products)
        .map(|p| ProductFacts {
            supplier: "S".into(),
            code: format!("P{p}"),
            name: format!("Product {p}"),
            formulation_id: FormulationId(p as i64),
            version: 1,
            kind_is_tattoo_ink: true,
            lot: None,
            ingredients: (0..12)
                .map(|i| {
                    let s = SubstanceId(((p * 7 + i * 13) % 60) as i64 + 1);
                    Ingredient {
                        substance: s,
                        substance_name: format!("substance {s}"),
                        declared_as: format!("substance {s}"),
                        cas: vec![],
                        ci: vec![],
                        verified: true,
                        may_contain: false,
                        max_percent: Some(1.0),
                        doubt: None,
                    }
                })
                .collect(),
        })
        .collect();
    (world, client, catalog)
}

#[divan::bench]
fn verdict_one_product(bencher: divan::Bencher) {
    let (world, client, catalog) = fixture(1);
    bencher.bench_local(|| {
        assess(
            black_box(&client),
            black_box(&catalog[0]),
            &world,
            Options::default(),
        )
        .verdict
    });
}

#[divan::bench(sample_count = 20)]
fn verdict_whole_catalog_20000(bencher: divan::Bencher) {
    let (world, client, catalog) = fixture(20_000);
    let options = Options {
        ignore_missing_patch_test: true,
    };
    bencher.bench_local(|| {
        catalog
            .iter()
            .filter(|p| {
                assess(&client, p, &world, options).verdict == inkguard::screening::Verdict::Clear
            })
            .count()
    });
}
