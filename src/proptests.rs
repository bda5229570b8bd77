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

mod policy_values {
    use chrono::{TimeZone, Utc};
    use rusqlite::Connection;

    use super::*;
    use crate::db::{self, clinical};
    use crate::policy::PolicyKey;
    use crate::screening::{
        self, ClientFacts, Grade, ItemTarget, LotFacts, Options, PatchTest, ProductFacts, Reading,
        TestItem, World,
    };

    /// Values near and far from every key's range, words of every key, and anything at all.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            proptest::sample::select(vec![
                "0",
                "1",
                "180",
                "3650",
                "3651",
                "-5",
                "100000000000",
                "9223372036854775807",
                "72.5",
                "720",
                "721",
                "1e12",
                "NaN",
                "inf",
                "-0",
                "true",
                "no",
                "maybe",
                "caution",
                "block",
                "note",
                "info",
                "EU",
                "none",
                "US",
                "Europe/Berlin",
                "asia/tokyo",
                "Mars/Olympus",
                "",
                " ",
            ])
            .prop_map(String::from),
            (-10_000i64..10_000).prop_map(|n| n.to_string()),
            any::<String>(),
        ]
    }

    /// One client with an old negative patch test of formulation 1, and a lot of it expiring.
    fn judge(conn: &Connection) {
        let policy = clinical::load_policy(conn).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let world = World::new(now, policy, vec![], vec![]);
        let client = ClientFacts {
            code: "C-1".into(),
            tests: vec![PatchTest {
                id: crate::ids::PatchTestId(1),
                applied_at: Utc.with_ymd_and_hms(2020, 1, 1, 10, 0, 0).unwrap(),
                items: vec![TestItem {
                    item: 1,
                    target: ItemTarget::Formulation {
                        id: crate::ids::FormulationId(1),
                        label: "S/P".into(),
                    },
                    readings: vec![Reading {
                        at: Utc.with_ymd_and_hms(2020, 1, 4, 10, 0, 0).unwrap(),
                        hours: 72.0,
                        grade: Grade::Negative,
                    }],
                    photo_of: None,
                    relevance: None,
                }],
                irradiated_at: None,
            }],
            ..ClientFacts::default()
        };
        let product = ProductFacts {
            supplier: "S".into(),
            code: "P".into(),
            name: "P".into(),
            formulation_id: crate::ids::FormulationId(1),
            version: 1,
            kind_is_tattoo_ink: true,
            lot: Some(LotFacts {
                lot: "L".into(),
                expires: chrono::NaiveDate::from_ymd_opt(2026, 11, 23),
                flags: vec![],
            }),
            ingredients: vec![],
        };
        let _ = screening::assess(&client, &product, &world, Options::default());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Every key, any value: a valid one is stored in its checked form; an invalid one is
        /// refused and changes nothing; and whatever is stored, even written by hand, a check
        /// runs without a panic.
        #[test]
        fn policy_values_are_checked_when_set_and_none_can_panic_a_check(
            key in proptest::sample::select(PolicyKey::ALL.to_vec()),
            value in value(),
        ) {
            let conn = Connection::open_in_memory().unwrap();
            db::migrate(&conn).unwrap();
            let before = clinical::policy_values(&conn).unwrap();
            match key.check(&value) {
                Ok(stored) => {
                    clinical::set_policy(&conn, key.name(), &stored).unwrap();
                    let policy = clinical::load_policy(&conn).unwrap();
                    prop_assert_eq!(key.get(&policy), stored);
                }
                Err(e) => {
                    prop_assert!(e.to_string().contains(key.name()), "{}", e);
                    prop_assert!(e.hints()[0].contains("for example"), "{:?}", e.hints());
                    prop_assert_eq!(clinical::policy_values(&conn).unwrap(), before);
                }
            }
            judge(&conn);
            // As if an older inkguard (or a hand) had stored it unchecked.
            clinical::set_policy(&conn, key.name(), &value).unwrap();
            judge(&conn);
        }
    }
}
