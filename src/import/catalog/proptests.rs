//! Property: the order of a file's rows does not matter. A product's rows may stand anywhere
//! (SPEC 3), so any interleaving of the products' rows imports to the very same catalog, and
//! any permutation at all to the same products, lots and ingredients (only the declared order
//! within a product follows the file).

use proptest::prelude::*;
use rusqlite::Connection;

use super::test_support::{import_text, succeeded};

const HEADER: &str = "code,name,shade,ingredient,cas,concentration,lot,expiry";
const ROWS: [&str; 9] = [
    "RF-1,Reform Red,Red,Pigment Red 170,2786-76-7,20,R1-A,2027-05-31",
    "RF-1,Reform Red,Red,Aqua,7732-18-5,ad 100,R1-A,2027-05-31",
    "RF-1,Reform Red,Red,Glycerin,56-81-5,10,R1-A,2027-05-31",
    "RF-2,Reform Black,Black,Carbon Black,1333-86-4,25,R2-A,2028-01-31",
    "RF-2,Reform Black,Black,Aqua,7732-18-5,ad 100,R2-A,2028-01-31",
    "RF-2,Reform Black,Black,Mysterium Extract,,<1,R2-A,2028-01-31",
    "RF-3,Reform White,White,Titanium Dioxide,13463-67-7,30,R3-A,",
    "RF-3,Reform White,White,Aqua,7732-18-5,ad 100,R3-B,2027-12-31",
    "RF-3,Reform White,White,Glycerin,56-81-5,5,R3-B,2027-12-31",
];

/// The catalog by natural keys, without row ids and times; `positions` keeps the declared
/// order of the ingredients (else they are compared as a set).
fn dump(conn: &Connection, positions: bool) -> Vec<String> {
    let mut out = Vec::new();
    let position = if positions { "i.position" } else { "0" };
    let queries = [
        "SELECT s.name || '|' || p.code || '|' || p.name || '|' || ifnull(p.shade, '') || '|' || p.kind
           FROM products p JOIN suppliers s ON s.id = p.supplier_id"
            .to_string(),
        format!(
            "SELECT p.code || '|' || f.version || '|' || {position} || '|' || i.name_as_declared || '|' ||
                    sub.key || '|' || ifnull(i.concentration_text, '') || '|' || ifnull(i.declared_cas, '')
               FROM ingredients i JOIN formulations f ON f.id = i.formulation_id
               JOIN products p ON p.id = f.product_id JOIN substances sub ON sub.id = i.substance_id"
        ),
        "SELECT p.code || '|' || l.lot || '|' || ifnull(l.expires, '') || '|' || f.version
           FROM lots l JOIN products p ON p.id = l.product_id JOIN formulations f ON f.id = l.formulation_id"
            .to_string(),
    ];
    for sql in queries {
        let mut stmt = conn.prepare(&sql).unwrap();
        let mut rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        rows.sort();
        out.extend(rows);
    }
    out
}

/// Imports the rows in this order into a new database; the catalog as `dump` gives it.
fn import(rows: &[&str], positions: bool) -> Vec<String> {
    let (imported, result) = import_text(&format!("{HEADER}\n{}\n", rows.join("\n")), false);
    let report = succeeded(result);
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    dump(&imported.db.conn, positions)
}

/// The shuffled rows' products as a pattern, filled with each product's rows in file order.
fn interleaving(shuffled: &[&'static str]) -> Vec<&'static str> {
    let code = |row: &str| row.split(',').next().unwrap_or_default().to_string();
    let mut next: std::collections::HashMap<String, std::vec::IntoIter<&str>> =
        std::collections::HashMap::new();
    for row in ROWS {
        let rows = ROWS.iter().copied().filter(|r| code(r) == code(row));
        next.entry(code(row))
            .or_insert_with(|| rows.collect::<Vec<_>>().into_iter());
    }
    shuffled
        .iter()
        .map(|r| next.get_mut(&code(r)).and_then(Iterator::next).unwrap())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn any_order_of_the_rows_imports_to_the_same_catalog(
        shuffled in Just(ROWS.to_vec()).prop_shuffle()
    ) {
        let in_order = import(&ROWS, true);
        prop_assert_eq!(&import(&interleaving(&shuffled), true), &in_order);
        prop_assert_eq!(import(&shuffled, false), import(&ROWS, false));
    }
}

/// The rows in key order go straight to the catalog; reversed, through the stage: the two
/// paths must agree on every id and on the report, word for word.
#[test]
fn a_file_in_key_order_and_a_staged_one_give_the_same_ids_and_report() {
    let run_rows = |rows: &[&str]| {
        let (imported, result) = import_text(&format!("{HEADER}\n{}\n", rows.join("\n")), false);
        let report = succeeded(result);
        let ids: Vec<String> = imported
            .db
            .conn
            .prepare(
                "SELECT p.id || p.code || f.id || i.id || i.substance_id FROM ingredients i
                   JOIN formulations f ON f.id = i.formulation_id JOIN products p ON p.id = f.product_id
                  ORDER BY i.id",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let mut report = serde_json::to_value(&report).unwrap();
        report["file"] = serde_json::Value::Null; // two temporary folders
        (ids, report)
    };
    // Products in key order, each product's rows in the same order either way.
    let by_product: Vec<&str> = ROWS.to_vec();
    let mut reversed: Vec<&str> = Vec::new();
    for code in ["RF-3", "RF-2", "RF-1"] {
        reversed.extend(ROWS.iter().filter(|r| r.starts_with(&format!("{code},"))));
    }
    assert_eq!(run_rows(&by_product), run_rows(&reversed));
}
