//! Tests of `parse`: rows into declarations.

use super::super::super::headers::match_headers;
use super::*;

fn parse(headers: &[&str], cells: &[&str], label: bool) -> RowDecl {
    let map = match_headers(headers, &[]).unwrap();
    let c = Cells { cells, map: &map };
    let (s, code) = product_of(&c, Some("S")).unwrap();
    row(&c, 2, (s, code), label, &mut Memo::default())
}

#[test]
fn spreadsheet_errors_are_invalid_rows_not_ingredients() {
    let d = parse(
        &["code", "name", "ingredient"],
        &["P", "N", "#NAME?"],
        false,
    );
    assert!(d.items.is_empty());
    assert!(d.errors.iter().any(|e| e.contains("#NAME?")), "{d:?}");
    let d = parse(
        &["code", "name", "ingredients"],
        &["P", "N", "Aqua, #REF!"],
        true,
    );
    assert!(d.errors.iter().any(|e| e.contains("#REF!")), "{d:?}");
}

#[test]
fn sentences_are_invalid_rows_not_ingredients() {
    for s in [
        "This product is not tested on animals",
        "Please consult the packaging for the most up to date list",
        "See www.example.com for details",
    ] {
        assert!(is_sentence(s), "{s}");
    }
    for s in [
        "Prunus Amygdalus Dulcis (Sweet Almond) Seed Meal",
        "Helianthus Annuus (Sunflower) Seed Oil (and) Rosmarinus officinalis (Rosemary) Leaf Extract",
        "Titanium dioxide",
        "Iron Oxides (CI 77491, CI 77499)",
    ] {
        assert!(!is_sentence(s), "{s}");
    }
    let d = parse(
        &["code", "name", "ingredients"],
        &[
            "P",
            "N",
            "Aqua, Glycerin, This product is free of parabens and is vegan",
        ],
        true,
    );
    assert_eq!(d.items.len(), 2);
    assert!(d.errors[0].contains("sentence"), "{d:?}");
}

#[test]
fn a_label_cell_is_split_with_impurity_notes_and_may_contain() {
    let d = parse(
        &["code", "name", "ingredients"],
        &[
            "P",
            "N",
            "Aqua; Nickel (impurity) < 2 mg/kg; May contain: CI 77491",
        ],
        true,
    );
    assert!(d.semicolons);
    assert_eq!(d.items.len(), 3, "{d:?}");
    assert_eq!(d.items[1].function.as_deref(), Some("impurity"));
    assert_eq!(d.items[1].concentration.as_deref(), Some("< 2 mg/kg"));
    assert!(d.items[2].may_contain);
    assert_eq!(d.items[2].ci, vec!["CI 77491".to_string()]);
}

#[test]
fn a_lot_row_reads_its_expiry_and_an_expiry_needs_a_lot() {
    let h = ["code", "name", "ingredient", "lot", "expiry"];
    let d = parse(&h, &["P", "N", "", "L1", "31.03.2027"], false);
    assert_eq!(
        d.lot.as_ref().unwrap().expires.unwrap().to_string(),
        "2027-03-31"
    );
    assert!(d.errors.is_empty());
    let d = parse(&h, &["P", "N", "Aqua", "", "2027-03"], false);
    assert!(d.errors[0].contains("without a lot"));
}
