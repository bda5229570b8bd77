//! Property tests of the parsers: no input makes them panic, normalising is idempotent, and
//! what they accept round-trips. (The cargo-fuzz targets cover the same functions without a
//! time limit.)

use proptest::prelude::*;

use crate::ident::{self, cas, ci, Cas, ColourIndex, Ec};
use crate::import::{concentration, label};

/// Text that looks like what suppliers write: digits, dashes, separators, letters, accents.
fn supplierish() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[0-9A-Za-z \\-–—/;,|()\\[\\]%<>≤.:+*éüßÇ\\n]{0,60}").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn identifier_parsers_never_panic(text in any::<String>()) {
        let _ = Cas::parse(&text);
        let _ = Ec::parse(&text);
        let _ = ColourIndex::parse(&text);
        let _ = ci::find_in_text(&text);
        let _ = cas::find_in_text(&text);
        let _ = ident::split_identifiers(&text);
    }

    #[test]
    fn supplier_text_never_panics_the_parsers(text in supplierish()) {
        let _ = Cas::parse(&text);
        let _ = ci::find_in_text(&text);
        let _ = cas::find_in_text(&text);
        let _ = concentration::parse(&text);
        let _ = label::split(&text);
    }

    #[test]
    fn concentration_and_label_parsers_never_panic(text in any::<String>()) {
        let _ = concentration::parse(&text);
        let _ = label::split(&text);
    }

    #[test]
    fn normalising_a_name_twice_equals_once(text in any::<String>()) {
        let once = ident::normalize_name(&text);
        prop_assert_eq!(ident::normalize_name(&once), once);
    }

    #[test]
    fn a_valid_cas_always_round_trips(first in 10u64..=9_999_999, middle in 0u32..100) {
        let (a, b) = (first.to_string(), format!("{middle:02}"));
        let check = cas::check_digit(&a, &b);
        let text = format!("{a}-{b}-{check}");
        let parsed = Cas::parse(&text).unwrap();
        prop_assert_eq!(parsed.as_str(), text.as_str());
        // Written with en dashes, padded, spaced: the same number.
        let messy = format!(" 00{a}\u{2013}{b}\u{2014}{check} ");
        prop_assert_eq!(Cas::parse(&messy).unwrap(), parsed.clone());
        prop_assert_eq!(Cas::parse(parsed.as_str()).unwrap(), parsed);
    }

    #[test]
    fn a_cas_that_passes_normalisation_passes_its_check_digit(text in "[0-9]{2,7}-[0-9]{2}-[0-9]") {
        if let Ok(c) = Cas::parse(&text) {
            let parts: Vec<&str> = c.as_str().split('-').collect();
            prop_assert_eq!(cas::check_digit(parts[0], parts[1]).to_string(), parts[2]);
        }
    }

    #[test]
    fn a_parsed_concentration_is_an_ordered_range_within_100_percent(text in supplierish()) {
        if let Ok(Some(c)) = concentration::parse(&text) {
            if let (Some(lo), Some(hi)) = (c.min_percent, c.max_percent) {
                prop_assert!(lo <= hi, "{:?}", c);
            }
            for v in [c.min_percent, c.max_percent].into_iter().flatten() {
                prop_assert!((0.0..=100.0).contains(&v), "{:?}", c);
            }
        }
    }

    #[test]
    fn label_items_are_never_empty(text in supplierish()) {
        for item in label::split(&text) {
            prop_assert!(!item.text.trim().is_empty());
        }
    }
}

mod import_path {
    use super::*;
    use crate::db::Db;
    use crate::import::catalog::{self, CatalogImport};
    use crate::import::ReadOptions;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Bytes in: an import report or a clear error, never a panic; and a failed import
        /// writes nothing.
        #[test]
        fn any_bytes_import_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400),
                                          header in prop_oneof![Just(&b"code,name,ingredient,cas,ci,concentration,lot,expiry\n"[..]),
                                                                Just(&b"Produkt;Inhaltsstoffe;Charge\n"[..]),
                                                                Just(&b""[..])]) {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("in.csv");
            let mut content = header.to_vec();
            content.extend(&bytes);
            std::fs::write(&file, &content).unwrap();
            let now = chrono::Utc::now();
            let (mut db, _) = Db::init(&dir.path().join("t.db"), "prop".into(), now).unwrap();
            let job = CatalogImport {
                read: ReadOptions { file, ..ReadOptions::default() },
                supplier: Some("S".into()),
                ..CatalogImport::default()
            };
            match catalog::run(&mut db, &job) {
                Ok((report, Ok(()))) => prop_assert!(report.rejected.is_empty()),
                Ok((_, Err(_))) | Err(_) => {
                    let products: i64 = db.conn.query_row("SELECT count(*) FROM products", [], |r| r.get(0)).unwrap();
                    prop_assert_eq!(products, 0);
                }
            }
        }
    }
}
