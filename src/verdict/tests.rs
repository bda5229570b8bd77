//! The refusal rule, and agreement by construction: check, the safe list, screen and the
//! treatment gate give one verdict for every client and product of generated clinics.

use super::*;

#[test]
fn a_blocked_product_is_refused_even_with_an_override() {
    assert!(matches!(
        gate(Verdict::Blocked, Some("client insists")),
        Gate::Refused { .. }
    ));
    assert!(matches!(gate(Verdict::Blocked, None), Gate::Refused { .. }));
}

#[test]
fn a_caution_needs_a_reason_that_is_not_blank() {
    assert!(matches!(gate(Verdict::Caution, None), Gate::Refused { .. }));
    assert!(matches!(
        gate(Verdict::Caution, Some("   ")),
        Gate::Refused { .. }
    ));
    assert_eq!(
        gate(Verdict::Caution, Some(" tested last week ")),
        Gate::Go {
            override_reason: Some("tested last week".into())
        }
    );
}

#[test]
fn a_clear_product_goes_ahead_and_keeps_no_override() {
    assert_eq!(
        gate(Verdict::Clear, Some("not needed")),
        Gate::Go {
            override_reason: None
        }
    );
}

// --- Agreement over generated clinics ---------------------------------------------------------

use chrono::TimeZone;
use proptest::prelude::*;
use rusqlite::params;

use crate::screening::Level;

const SUBSTANCES: i64 = 8;

/// A product: kind is pigment, its ingredients (substance, may contain), its lots (expired,
/// flagged).
#[derive(Debug, Clone)]
struct GenProduct {
    pigment: bool,
    ingredients: Vec<(i64, bool)>,
    lots: Vec<(bool, bool)>,
}

#[derive(Debug, Clone)]
enum GenTarget {
    Substance(i64),
    Group(i64),
}

#[derive(Debug, Clone)]
struct GenClient {
    /// (target, source, certainty, retracted)
    sensitivities: Vec<(GenTarget, &'static str, &'static str, bool)>,
    /// (product index or substance, grade, hours)
    items: Vec<(Result<usize, i64>, &'static str, f64)>,
}

#[derive(Debug, Clone)]
struct Clinic {
    unverified: Vec<bool>,
    on_match: [&'static str; 3],
    products: Vec<GenProduct>,
    clients: Vec<GenClient>,
    policy: Vec<(&'static str, &'static str)>,
}

fn any_product() -> impl Strategy<Value = GenProduct> {
    (
        any::<bool>(),
        proptest::collection::vec((1..=SUBSTANCES, any::<bool>()), 0..5),
        proptest::collection::vec((any::<bool>(), any::<bool>()), 1..3),
    )
        .prop_map(|(pigment, ingredients, lots)| GenProduct {
            pigment,
            ingredients,
            lots,
        })
}

fn any_client(products: usize) -> impl Strategy<Value = GenClient> {
    let target = prop_oneof![
        (1..=SUBSTANCES).prop_map(GenTarget::Substance),
        (0i64..3).prop_map(GenTarget::Group),
    ];
    let sensitivity = (
        target,
        proptest::sample::select(vec!["declared", "physician", "patch-test", "reaction"]),
        proptest::sample::select(vec!["confirmed", "suspected"]),
        proptest::bool::weighted(0.2),
    );
    let item = (
        prop_oneof![(0..products).prop_map(Ok), (1..=SUBSTANCES).prop_map(Err)],
        proptest::sample::select(vec!["-", "?+", "+", "++", "IR"]),
        proptest::sample::select(vec![48.0, 96.0]),
    );
    (
        proptest::collection::vec(sensitivity, 0..3),
        proptest::collection::vec(item, 0..3),
    )
        .prop_map(|(sensitivities, items)| GenClient {
            sensitivities,
            items,
        })
}

fn any_clinic() -> impl Strategy<Value = Clinic> {
    let level = || proptest::sample::select(vec!["block", "caution", "note"]);
    let policy = (
        proptest::sample::select(vec!["true", "false"]),
        proptest::sample::select(vec!["caution", "block"]),
        proptest::sample::select(vec!["caution", "block"]),
        proptest::sample::select(vec!["note", "caution", "block"]),
        proptest::sample::select(vec!["EU", "none"]),
    )
        .prop_map(|(require, suspected, declared, regulatory, jurisdiction)| {
            vec![
                ("require-patch-test", require),
                ("suspected", suspected),
                ("declared", declared),
                ("regulatory", regulatory),
                ("jurisdiction", jurisdiction),
                ("timezone", "UTC"),
            ]
        });
    (
        proptest::collection::vec(proptest::bool::weighted(0.2), SUBSTANCES as usize),
        [level(), level(), level()],
        proptest::collection::vec(any_product(), 1..5),
        policy,
    )
        .prop_flat_map(|(unverified, on_match, products, policy)| {
            let n = products.len();
            (
                Just(unverified),
                Just(on_match),
                Just(products),
                proptest::collection::vec(any_client(n), 1..4),
                Just(policy),
            )
        })
        .prop_map(|(unverified, on_match, products, clients, policy)| Clinic {
            unverified,
            on_match,
            products,
            clients,
            policy,
        })
}

const NOW: &str = "2026-11-23T10:00:00Z";

/// Writes a generated clinic into a new in-memory database, with plain SQL: the property is
/// about the verdict service, whatever wrote the rows.
fn build(clinic: &Clinic) -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    crate::db::migrate(&conn).unwrap();
    for s in 1..=SUBSTANCES {
        conn.execute(
            "INSERT INTO substances (id, key, name, verified, source, created_at) VALUES (?1, ?2, ?3, ?4, 'test', ?5)",
            params![s, format!("s{s}"), format!("Substance {s}"), !clinic.unverified[s as usize - 1], NOW],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO identifiers (substance_id, kind, value, norm, source) VALUES (?1, 'name', ?2, ?3, 'test')",
            params![s, format!("Substance {s}"), format!("substance{s}")],
        )
        .unwrap();
    }
    // Nickel-like (1, 2), para-like (3, 4), co-sensitisation (1, 5); substance 6 is banned.
    for (g, (relation, members)) in [
        ("same-hapten", [1, 2]),
        ("cross-reactive", [3, 4]),
        ("co-sensitisation", [1, 5]),
    ]
    .iter()
    .enumerate()
    {
        conn.execute(
            "INSERT INTO groups (id, key, name, relation, on_match, source) VALUES (?1, ?2, ?2, ?3, ?4, 'test')",
            params![g as i64, format!("g{g}"), relation, clinic.on_match[g]],
        )
        .unwrap();
        for m in members {
            conn.execute(
                "INSERT INTO group_members (group_id, substance_id, inferred) VALUES (?1, ?2, ?3)",
                params![g as i64, m, *m == 2],
            )
            .unwrap();
        }
    }
    conn.execute(
        "INSERT INTO restrictions (substance_id, jurisdiction, rule, source) VALUES (6, 'EU', 'banned-in-tattoo-pmu', 'test')",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO suppliers (id, name, norm) VALUES (1, 'S', 's')",
        [],
    )
    .unwrap();
    for (p, product) in clinic.products.iter().enumerate() {
        let p = p as i64 + 1;
        conn.execute(
            "INSERT INTO products (id, supplier_id, code, code_norm, name, name_norm, kind, created_at) VALUES (?1, 1, ?2, ?3, ?4, lower(replace(?4, ' ', '')), ?5, ?6)",
            params![p, format!("P{p}"), format!("p{p}"), format!("Product {p}"), if product.pigment { "pigment" } else { "aftercare" }, NOW],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO formulations (id, product_id, version, fingerprint, imported_at, source) VALUES (?1, ?1, 1, '', ?2, 'test')",
            params![p, NOW],
        )
        .unwrap();
        for (n, (s, may)) in product.ingredients.iter().enumerate() {
            conn.execute(
                "INSERT INTO ingredients (formulation_id, position, name_as_declared, substance_id, may_contain) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![p, n as i64 + 1, format!("Substance {s}"), s, may],
            )
            .unwrap();
        }
        for (l, (expired, flagged)) in product.lots.iter().enumerate() {
            conn.execute(
                "INSERT INTO lots (product_id, formulation_id, lot, expires, created_at) VALUES (?1, ?1, ?2, ?3, ?4)",
                params![p, format!("L{l}"), if *expired { "2026-01-01" } else { "2030-01-01" }, NOW],
            )
            .unwrap();
            if *flagged {
                conn.execute(
                    "INSERT INTO lot_flags (lot_id, reason, flagged_at, actor) VALUES (last_insert_rowid(), 'recall', ?1, 'test')",
                    [NOW],
                )
                .unwrap();
            }
        }
    }
    for (c, client) in clinic.clients.iter().enumerate() {
        let code = format!("C-{c}");
        conn.execute(
            "INSERT INTO clients (id, code, code_norm, created_at, actor) VALUES (?1, ?2, ?3, ?4, 'test')",
            params![c as i64, code, crate::db::client_code_key(&code), NOW],
        )
        .unwrap();
        for (target, source, certainty, retracted) in &client.sensitivities {
            let (substance, group) = match target {
                GenTarget::Substance(s) => (Some(*s), None),
                GenTarget::Group(g) => (None, Some(*g)),
            };
            conn.execute(
                "INSERT INTO sensitivities (client_id, substance_id, group_id, source, certainty, recorded_at, actor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'test')",
                params![c as i64, substance, group, source, certainty, NOW],
            )
            .unwrap();
            if *retracted {
                conn.execute(
                    "INSERT INTO sensitivity_retractions (sensitivity_id, reason, retracted_at, actor) VALUES (last_insert_rowid(), 'test', ?1, 'test')",
                    [NOW],
                )
                .unwrap();
            }
        }
        if client.items.is_empty() {
            continue;
        }
        conn.execute(
            "INSERT INTO patch_tests (client_id, applied_at, actor) VALUES (?1, '2026-11-10T10:00:00Z', 'test')",
            [c as i64],
        )
        .unwrap();
        let test = conn.last_insert_rowid();
        for (n, (target, grade, hours)) in client.items.iter().enumerate() {
            let (product, substance) = match target {
                Ok(p) => (Some(*p as i64 + 1), None),
                Err(s) => (None, Some(*s)),
            };
            conn.execute(
                "INSERT INTO patch_test_items (test_id, item, product_id, formulation_id, substance_id) VALUES (?1, ?2, ?3, ?3, ?4)",
                params![test, n as i64 + 1, product, substance],
            )
            .unwrap();
            let at = chrono::Utc
                .with_ymd_and_hms(2026, 11, 10, 10, 0, 0)
                .unwrap()
                + chrono::Duration::hours(*hours as i64);
            conn.execute(
                "INSERT INTO readings (item_id, read_at, hours, grade, actor) VALUES (last_insert_rowid(), ?1, ?2, ?3, 'test')",
                params![crate::time::stamp(at), hours, grade],
            )
            .unwrap();
        }
    }
    for (key, value) in &clinic.policy {
        conn.execute(
            "INSERT INTO policy (key, value) VALUES (?1, ?2)",
            params![key, value],
        )
        .unwrap();
    }
    conn
}

/// The verdict of a judgement once `no-patch-test` is left out.
fn once_tested(a: &Assessment) -> Verdict {
    match a
        .reasons
        .iter()
        .filter(|r| r.code != "no-patch-test")
        .map(|r| r.level)
        .max()
    {
        Some(Level::Block) => Verdict::Blocked,
        Some(Level::Caution) => Verdict::Caution,
        _ => Verdict::Clear,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Check (without `no-patch-test`), the safe list and screen give each client and product
    /// one verdict; check with a lot and the treatment gate give each lot one verdict, and the
    /// gate refuses exactly what is not CLEAR without an override.
    #[test]
    fn check_safe_list_screen_and_the_treatment_gate_agree(clinic in any_clinic()) {
        let conn = build(&clinic);
        let now = crate::time::parse_time(NOW, chrono_tz::Tz::UTC).unwrap();
        for (c, _) in clinic.clients.iter().enumerate() {
            let code = format!("C-{c}");
            let list = safe_list(&conn, now, &code, SafeListFilter { include_caution: true, ..SafeListFilter::default() }).unwrap();
            for (p, product) in clinic.products.iter().enumerate() {
                let name = format!("P{}", p + 1);
                let checked = check(&conn, now, &code, &name, None).unwrap();
                let verdict = once_tested(&checked.assessment);
                let reasons: Vec<&Reason> = checked.assessment.reasons.iter().filter(|r| r.code != "no-patch-test").collect();
                let listed = list.items.iter().find(|i| i.code == name);
                // The stock rule: a product whose every lot is expired or flagged is left out
                // of the safe list even when its formulation is CLEAR.
                let unusable = !product.lots.is_empty() && product.lots.iter().all(|(expired, flagged)| *expired || *flagged);
                prop_assert_eq!(listed.map(|i| i.verdict), (verdict != Verdict::Blocked && !unusable).then_some(verdict), "safe list, {} {}", code, name);
                if unusable && verdict != Verdict::Blocked {
                    let left = list.left.iter().find(|l| l.code == name);
                    prop_assert!(left.is_some_and(|l| l.why.starts_with("every lot")), "left out for its stock, {} {}", code, name);
                }
                if let Some(item) = listed {
                    // The same reasons, word for word, ingredients' names and numbers included.
                    prop_assert_eq!(item.reasons.iter().collect::<Vec<_>>(), reasons.clone(), "safe list reasons, {} {}", code, name);
                }
                let screened = screen(&conn, now, &name).unwrap();
                let found = screened.items.iter().find(|i| i.client == code);
                prop_assert_eq!(found.map(|i| i.verdict), (verdict != Verdict::Clear).then_some(verdict), "screen, {} {}", code, name);
                if let Some(item) = found {
                    prop_assert_eq!(item.reasons.iter().collect::<Vec<_>>(), reasons, "screen reasons, {} {}", code, name);
                }
                for l in 0..product.lots.len() {
                    let lot = format!("L{l}");
                    let by_check = check(&conn, now, &code, &name, Some(&lot)).unwrap().assessment.verdict;
                    prop_assert!(by_check >= checked.assessment.verdict, "a lot adds to the formulation's verdict");
                    let gated = judge_treatment(&conn, now, &code, &[Used { product: &name, lot: Some(&lot) }]).unwrap();
                    prop_assert_eq!(gated.verdict, by_check, "treatment gate, {} {} {}", code, name, lot);
                    let go = matches!(gate(gated.verdict, None), Gate::Go { .. });
                    prop_assert_eq!(go, by_check == Verdict::Clear);
                }
            }
        }
    }
}
