//! Tests of `db::substances`.

use super::*;

fn names(list: &[(&'static str, &'static str)]) -> Vec<(&'static str, String, &'static str)> {
    list.iter()
        .map(|(shown, owner)| (*shown, ident::normalize_name(shown), *owner))
        .collect()
}

fn suggest_from(text: &str, list: &[(&'static str, &'static str)]) -> Vec<String> {
    let names = names(list);
    closest(text, names.iter().map(|(s, n, o)| (*s, n.as_str(), *o)), 5)
}

const KNOWN: &[(&str, &str)] = &[
    ("Carmine", "Carmine"),
    ("Carminic acid lake", "Carmine"),
    ("Cochineal", "Carmine"),
    ("Formaldehyde", "Formaldehyde"),
    ("Methanal", "Formaldehyde"),
    ("Formalin", "Formaldehyde"),
    ("Aqua (Water)", "Aqua (Water)"),
    ("Nickel sulfate", "Nickel sulfate"),
    ("Iron oxide black", "Iron oxide black"),
    ("Citric acid", "Citric acid"),
];

#[test]
fn a_weak_spelling_match_is_not_shown() {
    let known: Vec<_> = KNOWN
        .iter()
        .filter(|(_, o)| *o != "Citric acid")
        .copied()
        .collect();
    assert_eq!(suggest_from("Citric Acid", &known), Vec::<String>::new());
    assert_eq!(suggest_from("Methylparaben", &known), Vec::<String>::new());
}

#[test]
fn an_inci_synonym_comes_before_a_spelling() {
    assert_eq!(suggest_from("Water", KNOWN), vec!["Aqua (Water)"]);
    assert_eq!(suggest_from("Aqua", KNOWN), vec!["Aqua (Water)"]);
    let with_typo = [("Wafer", "Wafer"), ("Aqua (Water)", "Aqua (Water)")];
    assert_eq!(
        suggest_from("Water", &with_typo),
        vec!["Aqua (Water)", "Wafer"]
    );
}

#[test]
fn close_spellings_and_whole_words_are_suggested() {
    assert_eq!(
        suggest_from("Nickle sulfate", KNOWN),
        vec!["Nickel sulfate"]
    );
    assert_eq!(suggest_from("Iron oxide", KNOWN), vec!["Iron oxide black"]);
    assert_eq!(suggest_from("Citric acid.", KNOWN), vec!["Citric acid"]);
    let glycerin = [
        ("Glycerin", "Glycerin"),
        ("Glyceryl stearate", "Glyceryl stearate"),
    ];
    assert_eq!(
        suggest_from("Glycerine Vegetal", &glycerin),
        vec!["Glycerin"]
    );
    assert_eq!(suggest_from("PL-3", &[("PL-1", "PL-1")]), vec!["PL-1"]);
    assert_eq!(
        suggest_from("PEG-8", &[("PEG-9", "PEG-9")]),
        Vec::<String>::new()
    );
}

#[test]
fn shared_numbers_come_first() {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::migrate(&conn).unwrap();
    crate::db::reference::load_builtin(&conn, "2026-01-01T00:00:00Z").unwrap();
    let row = NewRow {
        name: "Nickle sulphate",
        verified: false,
        category: None,
        note: None,
        source: "test",
    };
    let id = insert(&conn, row, "2026-01-01T00:00:00Z").unwrap();
    add_identifier(&conn, id, IdKind::Cas, "13463-67-7", "test").unwrap();
    let got = suggest_for(&conn, id, 3).unwrap();
    assert_eq!(got[0], "Titanium dioxide", "{got:?}");
    assert!(got.iter().any(|s| s.contains("Nickel")), "{got:?}");
}
