//! No false CLEAR from messy identity data, as properties over generated catalogs and clients
//! (SPEC 2, 4 and 5), through the real binary:
//!
//! - whatever a supplier row says (name and numbers agreeing, disagreeing, or one of them
//!   unknown), no product is CLEAR for a client when a substance the row names, by name or by
//!   number, is the substance of one of the client's sensitivities, a member of the group it
//!   names, or shares a same-hapten group with it; and a sensitivity to an unidentified
//!   substance leaves no product CLEAR;
//! - importing more reference data never makes a verdict milder.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use crate::support::Work;

/// A substance of the built-in reference, as the generator needs it.
#[derive(Debug, Clone)]
struct Known {
    id: i64,
    name: String,
    cas: Vec<String>,
    ci: Vec<String>,
}

/// The built-in reference, read from a new database.
struct Reference {
    substances: Vec<Known>,
}

fn reference(w: &Work) -> Reference {
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    let mut substances: Vec<Known> = conn
        .prepare("SELECT id, name FROM substances WHERE verified = 1 AND merged_into IS NULL ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok(Known {
                id: r.get(0)?,
                name: r.get(1)?,
                cas: vec![],
                ci: vec![],
            })
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for s in &mut substances {
        let of = |kind: &str| -> Vec<String> {
            conn.prepare("SELECT value FROM identifiers WHERE substance_id = ?1 AND kind = ?2")
                .unwrap()
                .query_map(rusqlite::params![s.id, kind], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        s.cas = of("cas");
        s.ci = of("ci");
    }
    Reference { substances }
}

/// group id -> (same-hapten, members listed or inferred).
fn groups(conn: &rusqlite::Connection) -> BTreeMap<i64, (bool, BTreeSet<i64>)> {
    let mut groups: BTreeMap<i64, (bool, BTreeSet<i64>)> = BTreeMap::new();
    let rows: Vec<(i64, String, i64)> = conn
        .prepare("SELECT g.id, g.relation, m.substance_id FROM groups g JOIN group_members m ON m.group_id = g.id")
        .unwrap()
        .query_map([], |r| r.try_into())
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for (g, relation, s) in rows {
        let entry = groups.entry(g).or_default();
        entry.0 = relation == "same-hapten";
        entry.1.insert(s);
    }
    groups
}

/// How one supplier row declares its ingredient.
#[derive(Debug, Clone, Copy)]
enum RowKind {
    /// The name and the CAS of one substance.
    Agreeing,
    /// The name of one substance, the CAS of another that the first does not hold.
    Disagreeing,
    /// A known name beside a valid CAS nobody knows.
    UnknownNumber,
    /// A name nobody knows beside a known CAS.
    UnknownName,
    /// The name alone.
    NameOnly,
    /// The Colour Index number written as the name.
    ColourIndexAsName,
}

#[derive(Debug, Clone)]
struct GenRow {
    kind: RowKind,
    a: usize,
    b: usize,
}

/// A valid CAS number that no reference substance holds: `9<n>-00-<check digit>`.
fn fresh_cas(n: usize) -> String {
    let body = format!("9{n:05}00");
    let digits: Vec<u32> = body.chars().rev().filter_map(|c| c.to_digit(10)).collect();
    let check: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| (i as u32 + 1) * d)
        .sum::<u32>()
        % 10;
    format!("9{n:05}-00-{check}")
}

/// The CSV cells (name, cas) of a row, and the reference substances it names by name or by
/// number: what the catalog must declare, at least.
fn cells(r: &Reference, row: &GenRow, n: usize) -> Option<((String, String), Vec<i64>)> {
    let a = &r.substances[row.a % r.substances.len()];
    let b = &r.substances[row.b % r.substances.len()];
    Some(match row.kind {
        RowKind::Agreeing => (
            (a.name.clone(), a.cas.first().cloned().unwrap_or_default()),
            vec![a.id],
        ),
        RowKind::Disagreeing => {
            let cas = b.cas.iter().find(|c| !a.cas.contains(c))?;
            if a.id == b.id {
                return None;
            }
            ((a.name.clone(), cas.clone()), vec![a.id, b.id])
        }
        RowKind::UnknownNumber => ((a.name.clone(), fresh_cas(n)), vec![a.id]),
        RowKind::UnknownName => (
            (format!("Zz extract {n}"), b.cas.first()?.clone()),
            vec![b.id],
        ),
        RowKind::NameOnly => ((a.name.clone(), String::new()), vec![a.id]),
        RowKind::ColourIndexAsName => ((a.ci.first()?.clone(), String::new()), vec![a.id]),
    })
}

#[derive(Debug, Clone)]
enum GenTarget {
    /// A substance one of the rows names, by name or by number.
    Declared(usize),
    Substance(usize),
    Group(usize),
    Unidentified,
}

#[derive(Debug, Clone)]
struct Case {
    products: Vec<Vec<GenRow>>,
    target: GenTarget,
    source: &'static str,
    certainty: &'static str,
}

fn any_case() -> impl Strategy<Value = Case> {
    let kind = proptest::sample::select(vec![
        RowKind::Agreeing,
        RowKind::Disagreeing,
        RowKind::UnknownNumber,
        RowKind::UnknownName,
        RowKind::NameOnly,
        RowKind::ColourIndexAsName,
    ]);
    let row = (kind, 0usize..10_000, 0usize..10_000).prop_map(|(kind, a, b)| GenRow { kind, a, b });
    let target = prop_oneof![
        6 => (0usize..10_000).prop_map(GenTarget::Declared),
        2 => (0usize..10_000).prop_map(GenTarget::Substance),
        2 => (0usize..10_000).prop_map(GenTarget::Group),
        1 => Just(GenTarget::Unidentified),
    ];
    (
        proptest::collection::vec(proptest::collection::vec(row, 1..4), 1..6),
        target,
        proptest::sample::select(vec!["declared", "physician", "patch-test", "reaction"]),
        proptest::sample::select(vec!["confirmed", "suspected"]),
    )
        .prop_map(|(products, target, source, certainty)| Case {
            products,
            target,
            source,
            certainty,
        })
}

/// Each product's verdict from the safe list (absent: BLOCKED), by code.
fn verdicts(w: &Work) -> BTreeMap<String, String> {
    let list = w
        .run(&["safe-list", "C", "--include-caution", "--format", "json"])
        .ok()
        .json();
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["code"].as_str().unwrap().to_string(),
                i["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn severity(verdict: Option<&String>) -> u8 {
    match verdict.map(String::as_str) {
        Some("clear") => 0,
        Some("caution") => 1,
        _ => 2,
    }
}

/// Writes the case's catalog and client; returns what each product must not be CLEAR for
/// (`Some(true)`) or may be (`Some(false)`), by code; `None` when the case cannot be built.
fn build(w: &Work, r: &Reference, case: &Case) -> Option<BTreeMap<String, bool>> {
    let mut csv = String::from("code,name,ingredient,cas\n");
    let mut declared: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    let mut n = 0;
    for (p, rows) in case.products.iter().enumerate() {
        let code = format!("P{p}");
        for row in rows {
            n += 1;
            let Some(((name, cas), ids)) = cells(r, row, n) else {
                continue;
            };
            csv.push_str(&format!("{code},Product {p},\"{name}\",{cas}\n"));
            declared.entry(code.clone()).or_default().extend(ids);
        }
    }
    if declared.is_empty() {
        return None;
    }
    let file = w.path("catalog.csv");
    std::fs::write(&file, &csv).unwrap();
    w.import_path(&file, "S", &[]);
    w.run(&["client", "add", "C", "--name", "Case"]).ok();
    let conn = rusqlite::Connection::open(w.db()).unwrap();
    // Groups as they stand after the import (inferred members included).
    let groups = groups(&conn);
    let named: Vec<i64> = declared.values().flatten().copied().collect();
    let (substance, group) = match &case.target {
        GenTarget::Declared(i) => (Some(named[i % named.len()]), None),
        GenTarget::Substance(i) => (Some(r.substances[i % r.substances.len()].id), None),
        GenTarget::Group(i) => {
            let keys: Vec<i64> = groups.keys().copied().collect();
            (None, Some(keys[i % keys.len()]))
        }
        GenTarget::Unidentified => {
            conn.execute(
                "INSERT INTO substances (key, name, verified, source, created_at)
                 VALUES ('unknown-allergen', 'Unknown allergen', 0, 'test', '2026-11-23T10:00:00Z')",
                [],
            )
            .unwrap();
            (Some(conn.last_insert_rowid()), None)
        }
    };
    conn.execute(
        "INSERT INTO sensitivities (client_id, substance_id, group_id, source, certainty, recorded_at, actor)
         SELECT id, ?1, ?2, ?3, ?4, '2026-11-23T10:00:00Z', 'test' FROM clients WHERE code = 'C'",
        rusqlite::params![substance, group, case.source, case.certainty],
    )
    .unwrap();
    // What the sensitivity reaches at least: the substance and its same-hapten groups, or the
    // group's members.
    let mut reached: BTreeSet<i64> = BTreeSet::new();
    match (substance, group) {
        (Some(s), _) => {
            reached.insert(s);
            for (same_hapten, members) in groups.values() {
                if *same_hapten && members.contains(&s) {
                    reached.extend(members);
                }
            }
        }
        (None, Some(g)) => reached.extend(&groups[&g].1),
        (None, None) => {}
    }
    let everything = matches!(case.target, GenTarget::Unidentified);
    Some(
        declared
            .into_iter()
            .map(|(code, ids)| {
                let must = everything || ids.iter().any(|s| reached.contains(s));
                (code, must)
            })
            .collect(),
    )
}

#[test]
fn no_product_is_clear_when_a_row_names_an_allergen_of_the_client_by_name_or_by_number() {
    let template = Work::new();
    let r = reference(&template);
    let mut runner = TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&any_case(), |case| {
            let w = Work::new();
            let Some(expected) = build(&w, &r, &case) else {
                return Ok(());
            };
            let got = verdicts(&w);
            for (code, must) in &expected {
                if *must {
                    prop_assert!(
                        severity(got.get(code)) > 0,
                        "{code} is CLEAR for a client whose allergen it declares: {case:?}\n{}",
                        std::fs::read_to_string(w.path("catalog.csv")).unwrap()
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn importing_more_reference_data_never_makes_a_verdict_milder() {
    let template = Work::new();
    let r = reference(&template);
    let mut runner = TestRunner::new(Config {
        cases: 12,
        failure_persistence: None,
        ..Config::default()
    });
    let extra = (
        proptest::collection::vec((0usize..10_000, 0usize..10_000), 1..6),
        proptest::collection::vec(
            proptest::sample::select(vec!["Nickel", "Cobalt", "Chromium", "Formaldehyde"]),
            0..3,
        ),
    );
    runner
        .run(&(any_case(), extra), |(case, (enrich, salts))| {
            let w = Work::new();
            if build(&w, &r, &case).is_none() {
                return Ok(());
            }
            let before = verdicts(&w);
            // More reference data: known substances get new synonyms and the CAS numbers the
            // catalog declared unknown; new salts of metals arrive.
            let mut csv = String::from("name,cas,synonyms\n");
            for (i, (s, n)) in enrich.iter().enumerate() {
                let k = &r.substances[s % r.substances.len()];
                let cas = k.cas.first().cloned().unwrap_or_default();
                csv.push_str(&format!("\"{}\",{cas},\"Synonym {i}\"\n", k.name));
                let _ = n;
            }
            for (n, k) in (1..).zip(&r.substances) {
                if n > 8 {
                    break;
                }
                csv.push_str(&format!("\"{}\",{},\n", k.name, fresh_cas(n)));
            }
            for (i, parent) in salts.iter().enumerate() {
                csv.push_str(&format!(
                    "\"{parent} test salt {i}\",{},\n",
                    fresh_cas(900 + i)
                ));
            }
            let file = w.path("more.csv");
            std::fs::write(&file, csv).unwrap();
            w.run(&[
                "import",
                "substances",
                file.to_str().unwrap(),
                "--skip-invalid",
            ]);
            let after = verdicts(&w);
            for code in before.keys().chain(after.keys()) {
                prop_assert!(
                    severity(after.get(code)) >= severity(before.get(code)),
                    "{code}: {:?} before, {:?} after more reference data: {case:?}",
                    before.get(code),
                    after.get(code)
                );
            }
            Ok(())
        })
        .unwrap();
}
