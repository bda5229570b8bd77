//! Tests of `import::resolve`.

use super::*;

fn s(n: i64) -> SubstanceId {
    SubstanceId(n)
}

fn ids(ns: &[i64]) -> Vec<SubstanceId> {
    ns.iter().copied().map(SubstanceId).collect()
}

/// red (1), black (2), titanium (3), carbon (4); CAS 1309-37-1 shared by red and black.
fn index() -> Index {
    let mut i = Index::default();
    for (id, name) in [
        (1, "Iron oxide red"),
        (2, "Iron oxide black"),
        (3, "Titanium dioxide"),
        (4, "Carbon black"),
    ] {
        i.add_substance(s(id), name, true);
    }
    i.add(s(1), IdKind::Cas, "1309-37-1".into());
    i.add(s(2), IdKind::Cas, "1309-37-1".into());
    i.add(s(2), IdKind::Cas, "1317-61-9".into());
    i.add(s(1), IdKind::Ci, "77491".into());
    i.add(s(2), IdKind::Ci, "77499".into());
    i.add(s(3), IdKind::Cas, "13463-67-7".into());
    i.add(s(3), IdKind::Ci, "77891".into());
    i.add(s(4), IdKind::Ci, "77266".into());
    i.add(s(1), IdKind::Name, "ironoxides".into());
    i.add(s(2), IdKind::Name, "ironoxides".into());
    i
}

fn declared(name: &str, cas: &[&str], ci: &[u32]) -> Declared {
    Declared {
        name: name.into(),
        cas: cas.iter().map(|c| Cas::parse(c).unwrap()).collect(),
        ec: vec![],
        ci: ci
            .iter()
            .map(|c| ColourIndex::parse(&c.to_string()).unwrap())
            .collect(),
    }
}

#[test]
fn a_shared_cas_beside_a_ci_means_the_pigment_the_ci_names() {
    let r = index()
        .resolve(&declared("Iron oxide red", &["1309-37-1"], &[77491]))
        .unwrap();
    assert_eq!(r.substances, ids(&[1]));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn an_ambiguous_cas_alone_declares_every_substance_with_a_warning() {
    let r = index()
        .resolve(&declared("Red pigment", &["1309-37-1"], &[]))
        .unwrap();
    assert_eq!(r.substances, ids(&[1, 2]));
    assert!(r.warnings[0].contains("declared as all of them"));
}

#[test]
fn numbers_in_one_cell_add_up() {
    let r = index()
        .resolve(&declared(
            "Iron Oxides",
            &["1309-37-1", "1317-61-9"],
            &[77491, 77499],
        ))
        .unwrap();
    assert_eq!(r.substances, ids(&[1, 2]));
}

#[test]
fn contradicting_cells_are_an_error_naming_both() {
    let err = index()
        .resolve(&declared("Titanium dioxide", &["13463-67-7"], &[77266]))
        .unwrap_err();
    assert!(err.contains("CAS 13463-67-7 (Titanium dioxide)"), "{err}");
    assert!(err.contains("CI 77266 (Carbon black)"), "{err}");
}

#[test]
fn the_name_alone_declares_what_it_names() {
    let r = index().resolve(&declared("Iron oxides", &[], &[])).unwrap();
    assert_eq!(r.substances, ids(&[1, 2]));
    assert!(r.warnings[0].contains("names several substances"));
}

#[test]
fn name_and_numbers_disagree_declares_both_with_a_doubt() {
    let r = index()
        .resolve(&declared("Titanium dioxide", &[], &[77491]))
        .unwrap();
    assert_eq!(r.substances, ids(&[1, 3]));
    assert_eq!(
        r.doubt.as_deref(),
        Some(r#"declared as "Titanium dioxide" with the CI of Iron oxide red"#)
    );
    assert!(
        r.warnings[0].contains("Titanium dioxide") && r.warnings[0].contains("Iron oxide red"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn the_doubt_text_names_the_name_the_kinds_and_the_substances() {
    assert_eq!(
        doubt_text(" Benzocaine ", &[IdKind::Cas], &["Lidocaine"]),
        r#"declared as "Benzocaine" with the CAS of Lidocaine"#
    );
    assert_eq!(
        doubt_text("X", &[IdKind::Ci, IdKind::Cas], &["A", "B"]),
        r#"declared as "X" with the CAS and CI of A, B"#
    );
}

#[test]
fn a_name_that_agrees_or_translates_changes_nothing() {
    let r = index()
        .resolve(&declared("Titanium dioxide", &["13463-67-7"], &[]))
        .unwrap();
    assert_eq!((r.substances, r.doubt), (ids(&[3]), None));
    let r = index()
        .resolve(&declared("Titandioxid", &["13463-67-7"], &[]))
        .unwrap();
    assert_eq!((r.substances, r.doubt), (ids(&[3]), None));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn a_generic_cas_is_narrowed_by_the_name() {
    let mut i = index();
    i.add_substance(s(5), "Poloxamer 407", true);
    i.add_substance(s(6), "Poloxamer 188", true);
    i.add(s(5), IdKind::Cas, "9003-11-6".into());
    i.add(s(6), IdKind::Cas, "9003-11-6".into());
    let r = i
        .resolve(&declared("Poloxamer 407", &["9003-11-6"], &[]))
        .unwrap();
    assert_eq!((r.substances, r.doubt), (ids(&[5]), None));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    // A name that names none of them and nothing else: all of them, with the warning.
    let r = i
        .resolve(&declared("Pluronic", &["9003-11-6"], &[]))
        .unwrap();
    assert_eq!(r.substances, ids(&[5, 6]));
    assert!(r.warnings[0].contains("declared as all of them"));
    // `Iron Oxides` with black's CAS: the number narrows the name; no doubt.
    let r = index()
        .resolve(&declared("Iron Oxides", &["1317-61-9"], &[]))
        .unwrap();
    assert_eq!((r.substances, r.doubt), (ids(&[2]), None));
}

#[test]
fn a_known_name_beside_an_unknown_number_declares_the_known_substance() {
    let r = index()
        .resolve(&declared("Carbon black", &["50-00-0"], &[]))
        .unwrap();
    assert_eq!(r.substances, ids(&[4]));
    assert!(r.new.is_none(), "no second Carbon black: {:?}", r.new);
    assert!(
        r.warnings[0].contains(r#"substance alias "Carbon black" "CAS 50-00-0""#),
        "{:?}",
        r.warnings
    );
}

#[test]
fn unverified_substances_never_contradict_themselves() {
    let mut i = index();
    i.add_substance(s(7), "ACID RED 18", false);
    i.add(s(7), IdKind::Cas, "2611-82-7".into());
    // An unknown number beside a number of an unverified substance joins it.
    let r = i
        .resolve(&declared("CI 16255", &["2611-82-7"], &[16255]))
        .unwrap();
    assert_eq!(r.substances, ids(&[7]));
    let new = r.new.unwrap();
    assert_eq!((new.join, new.ci.len()), (Some(s(7)), 1));
    i.add(s(7), IdKind::Ci, "16255".into());
    let r = i
        .resolve(&declared("CI 16255", &["2611-82-7"], &[16255]))
        .unwrap();
    assert_eq!((r.substances, r.new), (ids(&[7]), None));
    // Beside a verified substance's number it is no contradiction: both are declared.
    let r = i
        .resolve(&declared("Mix", &["2611-82-7"], &[77266]))
        .unwrap();
    assert_eq!(r.substances, ids(&[4, 7]));
    // Found again by its name, and unknown numbers beside the name join it.
    let r = i
        .resolve(&declared("Acid Red 18", &["50-00-0"], &[]))
        .unwrap();
    assert_eq!((r.substances, r.new.unwrap().join), (ids(&[7]), Some(s(7))));
}

#[test]
fn a_ci_number_written_as_the_name_is_a_ci_number() {
    for name in ["CI 16255", "C.I. 16255", "16255", "CI 77266 (CI 77266)"] {
        assert!(name_is_number(name), "{name}");
    }
    assert!(!name_is_number("Iron Oxides (CI 77491)"));
    let r = index()
        .resolve(&declared("CI 77266", &[], &[77266]))
        .unwrap();
    assert_eq!(r.substances, ids(&[4]));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let r = index()
        .resolve(&declared("CI 16255", &["13463-67-7"], &[16255]))
        .unwrap();
    assert_eq!(r.new.unwrap().name, "CI 16255");
}

#[test]
fn unknown_ingredients_become_new_unverified_substances() {
    let r = index()
        .resolve(&declared("Mystery extract", &[], &[]))
        .unwrap();
    assert!(r.substances.is_empty());
    assert_eq!(r.new.unwrap().name, "Mystery extract");
    let r = index()
        .resolve(&declared("Blend", &["50-00-0"], &[77491]))
        .unwrap();
    assert_eq!(r.substances, ids(&[1]));
    assert_eq!(r.new.unwrap().cas[0].as_str(), "50-00-0");
}
