//! The streamed path's two threads: whatever stops the reading or the writing part-way, after
//! the writer has applied products the reader read far ahead of, the import ends as if it had
//! run on one thread: nothing written, the reason named, no thread left waiting.

use super::test_support::import_text;

/// Products in key order (so that they stream), `n` of them, one ingredient each.
fn products(n: usize) -> String {
    let mut text = String::from("code,name,ingredient,cas\n");
    for i in 0..n {
        text.push_str(&format!("P{i:05},Product {i},Aqua,7732-18-5\n"));
    }
    text
}

/// Imports `text` into a new database: the result and how many products it then holds.
fn import(text: &str, skip_invalid: bool) -> (crate::error::Result<super::CatalogReport>, i64) {
    let (imported, result) = import_text(text, skip_invalid);
    let count = imported
        .db
        .conn
        .query_row("SELECT count(*) FROM products", [], |r| r.get(0))
        .unwrap();
    let result = result.and_then(|(report, outcome)| outcome.map(|()| report));
    (result, count)
}

#[test]
fn a_file_that_stops_reading_after_many_products_were_written_writes_nothing() {
    let mut text = products(2 * super::READ_AHEAD);
    text.push_str("P99999,Broken,\"Aqua,7732-18-5\n");
    let (result, count) = import(&text, false);
    let err = result.unwrap_err().to_string();
    assert!(err.contains("a quote opens here"), "{err}");
    assert_eq!(count, 0);
}

#[test]
fn a_rejected_product_late_in_the_file_stops_the_writer_and_writes_nothing() {
    let mut text = products(3 * super::READ_AHEAD);
    // Rejected (a spreadsheet error), then more products the reader may already hold.
    text = text.replacen("P00600,Product 600,Aqua", "P00600,Product 600,#NAME?", 1);
    let (result, count) = import(&text, false);
    assert!(result.is_err());
    assert_eq!(count, 0);
    // With --skip-invalid the others are written and the rejected one is named.
    let (result, count) = import(&text, true);
    let report = result.unwrap();
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].line, 602);
    assert_eq!(count, 3 * super::READ_AHEAD as i64 - 1);
}

#[test]
fn a_product_out_of_order_late_in_the_file_is_read_again_through_the_stage() {
    let mut text = products(2 * super::READ_AHEAD);
    text.push_str("P00001,Product 1,Glycerin,56-81-5\n");
    let (result, count) = import(&text, false);
    let report = result.unwrap();
    assert_eq!(report.products.new, 2 * super::READ_AHEAD);
    assert_eq!(count, 2 * super::READ_AHEAD as i64);
}

/// Regression: a label cell of 15,000 may-contain lists inside one another overflowed the
/// reading thread's stack and aborted the import without a word.
#[test]
fn a_label_nested_without_end_is_read_on_the_reading_thread() {
    let n = 15_000;
    let cell = format!("Aqua, {}CI 77491{}", "[+/- ".repeat(n), "]".repeat(n));
    let (result, count) = import(&format!("Product,Ingredients\nDeep,\"{cell}\"\n"), false);
    match result {
        Ok(report) => assert_eq!(report.products.new, 1),
        Err(e) => assert_eq!(count, 0, "{e}"),
    }
}
