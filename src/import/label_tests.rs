//! Tests of `import::label`.

use super::*;

fn texts(items: &[LabelItem]) -> Vec<(&str, bool)> {
    items
        .iter()
        .map(|i| (i.text.as_str(), i.may_contain))
        .collect()
}

#[test]
fn commas_inside_brackets_do_not_split() {
    let items = split("Aqua, Glycerin, CI 77266 (Carbon Black), Iron Oxides (CI 77491, CI 77499).");
    assert_eq!(
        texts(&items),
        vec![
            ("Aqua", false),
            ("Glycerin", false),
            ("CI 77266 (Carbon Black)", false),
            ("Iron Oxides (CI 77491, CI 77499)", false)
        ]
    );
}

#[test]
fn may_contain_parts_are_marked() {
    let items =
        split("Talc, Mica. May Contain: Titanium Dioxide (Ci 77891), Iron Oxides (Ci 77491)");
    assert_eq!(
        texts(&items),
        vec![
            ("Talc", false),
            ("Mica", false),
            ("Titanium Dioxide (Ci 77891)", true),
            ("Iron Oxides (Ci 77491)", true)
        ]
    );
    let items = split("Talc, Mica [+/- CI 77491, CI 77499]");
    assert_eq!(
        texts(&items),
        vec![
            ("Talc", false),
            ("Mica", false),
            ("CI 77491", true),
            ("CI 77499", true)
        ]
    );
    let items = split("Aqua, +/- CI 77891, CI 77499");
    assert_eq!(
        texts(&items),
        vec![("Aqua", false), ("CI 77891", true), ("CI 77499", true)]
    );
    let items = split("Aqua, Kann enthalten (+/-): CI 77491");
    assert_eq!(texts(&items), vec![("Aqua", false), ("CI 77491", true)]);
}

#[test]
fn footnote_stars_and_prefixes_are_dropped() {
    let items = split("Ingredients: Water, Glycerin*, Aloe Vera**. *Organic");
    assert_eq!(
        texts(&items),
        vec![("Water", false), ("Glycerin", false), ("Aloe Vera", false)]
    );
}

#[test]
fn words_that_merely_start_like_a_marker_are_ingredients() {
    let items = split("Mayonnaise Extract, Aqua");
    assert_eq!(
        texts(&items),
        vec![("Mayonnaise Extract", false), ("Aqua", false)]
    );
}

#[test]
fn impurity_notes_declare_the_substance_with_its_concentration() {
    let items = split(
        "Aqua, Nickel (impurity) < 2 mg/kg, traces of nickel, Nickel 0.0001%, Spuren von Chrom",
    );
    let got: Vec<(&str, Option<&str>, bool)> = items
        .iter()
        .map(|i| (i.text.as_str(), i.concentration.as_deref(), i.impurity))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Aqua", None, false),
            ("Nickel", Some("< 2 mg/kg"), true),
            ("nickel", Some("traces"), true),
            ("Nickel", Some("0.0001%"), false),
            ("Chrom", Some("Spuren"), true),
        ]
    );
    // Numbers that belong to a name are not concentrations.
    for name in [
        "Polysorbate 20",
        "Pigment Red 101",
        "CI 77491",
        "PEG-40 Hydrogenated Castor Oil",
    ] {
        assert_eq!(note(name), (name.to_string(), None, false), "{name}");
    }
    // A decimal comma does not split the item.
    assert_eq!(
        texts(&split("Aqua, Nickel 0,0001%, 1,2-Hexanediol")),
        vec![
            ("Aqua", false),
            ("Nickel", false),
            ("1,2-Hexanediol", false)
        ]
    );
}

#[test]
fn semicolon_separated_items_are_split_and_flagged() {
    let label = read("Aqua; Glycerin; Iron Oxides (CI 77491; CI 77499)");
    assert!(label.semicolons);
    assert_eq!(
        texts(&label.items),
        vec![
            ("Aqua", false),
            ("Glycerin", false),
            ("Iron Oxides (CI 77491; CI 77499)", false)
        ]
    );
    assert!(!read("Aqua, Glycerin").semicolons);
}

/// Regression: a cell of 15,000 may-contain lists inside one another overflowed the stack
/// (each level was a call). Deeper than `MAX_NESTED` a bracket is text of its item: still
/// declared, never dropped.
#[test]
fn may_contain_lists_nested_without_end_are_read_without_exhausting_the_stack() {
    let n = 15_000;
    let cell = format!("Aqua, {}CI 77491{}", "[+/- ".repeat(n), "]".repeat(n));
    let items = split(&cell);
    assert_eq!(items[0].text, "Aqua");
    assert!(items.iter().skip(1).all(|i| i.may_contain));
    assert!(
        items.iter().any(|i| i.text.contains("CI 77491")),
        "{:?}",
        items.last()
    );
}
