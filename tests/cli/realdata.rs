//! Tests against real public files in `../shared/realdata/` (skipped when absent).

use crate::support::{realdata, Work};

#[test]
fn the_cosing_inventory_imports_and_then_finds_ci_77499_and_a_cosing_only_substance() {
    let Some(cosing) = realdata("cosing/COSING_Ingredients-Fragrance_Inventory_v2.csv") else {
        return;
    };
    let w = Work::new();
    let r = w
        .run(&[
            "import",
            "substances",
            cosing.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok()
        .json();
    let new = r["substances"]["new"].as_i64().unwrap();
    assert!(new > 29_000, "{}", r["substances"]);
    assert_eq!(r["rejected"].as_array().unwrap().len(), 0);
    // CosIng's known bad CAS numbers are left out with the digit that would be right.
    let warnings = r["warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w.as_str().unwrap().contains("\"136-17-7\"")
            && w.as_str().unwrap().contains("136-17-4")));

    let ci = w
        .run(&["substance", "show", "CI 77499", "--format", "json"])
        .ok()
        .json();
    assert_eq!(
        ci["key"], "iron-oxide-black",
        "CosIng's CI 77499 row updated the built-in substance"
    );
    assert!(
        ci["cas"].as_array().unwrap().len() > 1,
        "and brought CosIng's CAS numbers: {ci}"
    );
    let only_cosing = w
        .run(&[
            "substance",
            "show",
            "DISODIUM TETRAMETHYLHEXADECENYLCYSTEINE FORMYLPROLINATE",
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(only_cosing["verified"], true);
    assert!(only_cosing["cas"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "2040469-40-5"));
    // Importing it again changes nothing.
    let again = w
        .run(&[
            "import",
            "substances",
            cosing.to_str().unwrap(),
            "--format",
            "json",
        ])
        .ok()
        .json();
    assert_eq!(again["substances"]["new"], 0);
    assert_eq!(again["substances"]["updated"], 0);
}

/// Every case of the CAS check-digit vectors. Where the file records a library's stricter view
/// ("webchem strict", "leading zero") inkguard follows the SPEC and python-stdnum: surrounding
/// spaces, leading zeros and bare digits are accepted when the check digit holds.
#[test]
fn every_cas_test_vector_is_decided_as_documented() {
    let Some(path) = realdata("cas/cas_test_vectors.csv") else {
        return;
    };
    let mut reader = csv::Reader::from_path(path).unwrap();
    let mut checked = 0;
    for row in reader.records() {
        let row = row.unwrap();
        let (input, expected, normalized) = (&row[0], &row[1], &row[2]);
        let got = inkguard::ident::Cas::parse(input);
        let accepted_by_spec = expected.starts_with("invalid (webchem strict)")
            || expected == "invalid" && row[4].contains("leading zero");
        if expected.starts_with("valid")
            || expected.starts_with("as.cas ->") && !normalized.is_empty()
        {
            assert_eq!(
                got.as_ref().map(|c| c.as_str()),
                Ok(normalized),
                "{input:?} ({expected})"
            );
        } else if accepted_by_spec {
            let cas = got.unwrap_or_else(|e| panic!("{input:?} should be accepted: {e}"));
            assert!(inkguard::ident::Cas::parse(cas.as_str()).is_ok());
        } else {
            assert!(
                got.is_err(),
                "{input:?} should be refused ({expected}), got {got:?}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 54);
}
