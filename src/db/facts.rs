//! Reads the facts a verdict is made of (`screening::facts`) from the database.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;

use super::catalog::{self as cat, Kind, ProductRow};
use super::clinical::{self, ClientRef};
use super::substances::{self, IdKind};
use crate::error::{Error, Result};
use crate::screening::{
    self, Certainty, ClientFacts, Grade, Group, Ingredient, ItemTarget, LotFacts, LotFlag,
    PatchTest, ProductFacts, Reaction, Reading, Reason, Relation, Restriction, Sensitivity, Source,
    Target, TestItem, World,
};

/// Everything that holds for every client and product.
pub fn load_world(conn: &Connection, now: DateTime<Utc>) -> Result<World> {
    let policy = clinical::load_policy(conn)?;
    let mut groups: Vec<Group> = Vec::new();
    let mut stmt =
        conn.prepare_cached("SELECT id, key, name, relation, on_match FROM groups ORDER BY key")?;
    let rows = stmt.query_map([], |r| <(i64, String, String, String, String)>::try_from(r))?;
    for row in rows {
        let (id, key, name, relation, on_match) = row?;
        groups.push(Group {
            id,
            key,
            name,
            relation: Relation::parse(&relation).unwrap_or(Relation::SameHapten),
            on_match: screening::Level::parse(&on_match).unwrap_or(screening::Level::Block),
            members: Vec::new(),
        });
    }
    let mut stmt = conn.prepare_cached("SELECT group_id, substance_id FROM group_members")?;
    let members = stmt.query_map([], |r| <(i64, i64)>::try_from(r))?;
    for m in members {
        let (g, s) = m?;
        let s = substances::follow_merges(conn, s)?;
        if let Some(group) = groups.iter_mut().find(|x| x.id == g) {
            group.members.push(s);
        }
    }
    let mut restrictions = Vec::new();
    let mut stmt = conn.prepare_cached(
        "SELECT substance_id, jurisdiction, rule, limit_mg_per_kg, applies_from, label_statement, source FROM restrictions",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Restriction {
            substance: r.get(0)?,
            jurisdiction: r.get(1)?,
            rule: r.get(2)?,
            limit_mg_per_kg: r.get(3)?,
            applies_from: r
                .get::<_, Option<String>>(4)?
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
            label_statement: r.get(5)?,
            source: r.get(6)?,
        })
    })?;
    for r in rows {
        restrictions.push(r?);
    }
    Ok(World::new(now, policy, groups, restrictions))
}

/// Adds the substances of a formulation (and their names) to the world, once.
fn add_formulation(conn: &Connection, world: &mut World, formulation: i64) -> Result<()> {
    if world.has_formulation(formulation) {
        return Ok(());
    }
    let mut ids = Vec::new();
    for i in cat::ingredients(conn, formulation)? {
        world.add_substance_name(i.substance_id, i.substance);
        if !ids.contains(&i.substance_id) {
            ids.push(i.substance_id);
        }
    }
    world.add_formulation(formulation, ids);
    Ok(())
}

/// The client's sensitivities, patch tests and reactions. The formulations they name are added
/// to the world, so that the engine can work out suspects.
pub fn load_client(
    conn: &Connection,
    client: &ClientRef,
    world: &mut World,
) -> Result<ClientFacts> {
    let mut facts = ClientFacts {
        code: client.code.clone(),
        ..ClientFacts::default()
    };
    let mut stmt = conn.prepare_cached(
        "SELECT s.id, s.substance_id, s.group_id, s.source, s.certainty, s.note,
                EXISTS (SELECT 1 FROM sensitivity_retractions r WHERE r.sensitivity_id = s.id)
         FROM sensitivities s WHERE s.client_id = ?1 ORDER BY s.id",
    )?;
    let rows = stmt.query_map([client.id], |r| {
        <(
            i64,
            Option<i64>,
            Option<i64>,
            String,
            String,
            Option<String>,
            bool,
        )>::try_from(r)
    })?;
    for row in rows {
        let (id, substance, group, source, certainty, note, retracted) = row?;
        let (target, name) = match (substance, group) {
            (Some(s), _) => {
                let s = substances::follow_merges(conn, s)?;
                let name = clinical::target_name(conn, clinical::TargetRef::Substance(s))?;
                world.add_substance_name(s, name.clone());
                (Target::Substance(s), name)
            }
            (None, Some(g)) => (
                Target::Group(g),
                clinical::target_name(conn, clinical::TargetRef::Group(g))?,
            ),
            (None, None) => continue,
        };
        facts.sensitivities.push(Sensitivity {
            id,
            target,
            target_name: name,
            source: Source::parse(&source).unwrap_or(Source::Declared),
            certainty: Certainty::parse(&certainty).unwrap_or(Certainty::Confirmed),
            retracted,
            evidence: note,
        });
    }
    for test_id in clinical::tests_of_client(conn, client.id)? {
        let test = clinical::test_row(conn, test_id)?;
        let applied_at = clinical::parse_stamp(&test.applied_at)?;
        let mut items = Vec::new();
        for item in clinical::items(conn, test_id)? {
            let target = match (item.formulation_id, item.substance_id) {
                (Some(f), _) => {
                    add_formulation(conn, world, f)?;
                    ItemTarget::Formulation {
                        id: f,
                        label: format!(
                            "{} formulation {}",
                            item.product.clone().unwrap_or_default(),
                            item.formulation_version.unwrap_or(0)
                        ),
                    }
                }
                (None, Some(s)) => {
                    let s = substances::follow_merges(conn, s)?;
                    let name = clinical::target_name(conn, clinical::TargetRef::Substance(s))?;
                    world.add_substance_name(s, name.clone());
                    ItemTarget::Substance { id: s, name }
                }
                (None, None) => continue,
            };
            let mut readings = Vec::new();
            for r in clinical::readings(conn, item.id)? {
                if r.superseded {
                    continue;
                }
                readings.push(Reading {
                    at: clinical::parse_stamp(&r.at)?,
                    hours: r.hours,
                    grade: Grade::parse(&r.grade).unwrap_or(Grade::NotTested),
                });
            }
            items.push(TestItem {
                item: item.item,
                target,
                readings,
            });
        }
        facts.tests.push(PatchTest {
            id: test_id,
            applied_at,
            items,
        });
    }
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.onset, r.severity, group_concat(DISTINCT l.formulation_id)
         FROM reactions r JOIN treatment_items ti ON ti.treatment_id = r.treatment_id
         JOIN lots l ON l.id = ti.lot_id WHERE r.client_id = ?1 GROUP BY r.id ORDER BY r.id",
    )?;
    let rows = stmt.query_map([client.id], |r| {
        <(i64, String, String, String)>::try_from(r)
    })?;
    for row in rows {
        let (id, onset, severity, formulations) = row?;
        let formulations: Vec<i64> = formulations
            .split(',')
            .filter_map(|f| f.parse().ok())
            .collect();
        for f in &formulations {
            add_formulation(conn, world, *f)?;
        }
        facts.reactions.push(Reaction {
            id,
            onset: clinical::parse_stamp(&onset)?,
            severity,
            formulations,
        });
    }
    Ok(facts)
}

/// A product's formulation as judged: the lot's formulation when a lot is named, else the
/// current one.
pub fn load_product(
    conn: &Connection,
    product: &ProductRow,
    lot: Option<&str>,
) -> Result<ProductFacts> {
    let (formulation, lot_facts) = match lot {
        Some(lot) => {
            let Some((lot_id, formulation, expires)) = cat::find_lot(conn, product.id, lot)? else {
                let known: Vec<String> = cat::lots(conn, product.id)?
                    .into_iter()
                    .map(|l| l.lot)
                    .collect();
                return Err(Error::NotFound {
                    what: "lot",
                    name: format!("{} of {}", lot.trim(), cat::product_label(product)),
                    suggestions: known,
                });
            };
            let mut flags = Vec::new();
            let mut stmt = conn.prepare_cached(
                "SELECT reason, flagged_at FROM lot_flags WHERE lot_id = ?1 ORDER BY id",
            )?;
            for row in stmt.query_map([lot_id], |r| <(String, String)>::try_from(r))? {
                let (reason, at) = row?;
                flags.push(LotFlag {
                    reason,
                    at: clinical::parse_stamp(&at)?,
                });
            }
            let facts = LotFacts {
                lot: lot.trim().to_string(),
                expires: expires.and_then(|e| NaiveDate::parse_from_str(&e, "%Y-%m-%d").ok()),
                flags,
            };
            (formulation, Some(facts))
        }
        None => {
            match cat::current_formulation(conn, product.id)? {
                Some((id, ..)) => (id, None),
                None => return Err(Error::invalid_with_hint(
                    format!(
                        "{} has no formulation: nothing is known about its ingredients",
                        cat::product_label(product)
                    ),
                    "import its ingredient list with: inkguard import catalog FILE --supplier NAME",
                )),
            }
        }
    };
    let version = cat::formulation_version(conn, formulation)?;
    Ok(ProductFacts {
        supplier: product.supplier.clone(),
        code: product.code.clone(),
        name: product.name.clone(),
        formulation_id: formulation,
        version,
        kind_is_tattoo_ink: product.kind == Kind::Pigment,
        lot: lot_facts,
        ingredients: ingredients(conn, formulation)?,
    })
}

/// A formulation's ingredients as the engine reads them.
fn ingredients(conn: &Connection, formulation: i64) -> Result<Vec<Ingredient>> {
    cat::ingredients(conn, formulation)?
        .into_iter()
        .map(|i| {
            Ok(Ingredient {
                cas: Vec::new(),
                ci: Vec::new(),
                substance: i.substance_id,
                substance_name: i.substance,
                declared_as: i.name_as_declared,
                verified: i.verified,
                may_contain: i.may_contain,
                max_percent: i.max_percent,
            })
        })
        .collect()
}

/// A product of the catalog by its current formulation, without its ingredients.
#[derive(Debug, Clone)]
pub struct CatalogEntry {
    pub supplier: String,
    pub code: String,
    pub name: String,
    pub kind: Kind,
    pub formulation_id: i64,
    pub version: i64,
}

impl CatalogEntry {
    /// The entry with its ingredients, ready to be judged.
    pub fn facts(&self, conn: &Connection) -> Result<ProductFacts> {
        Ok(ProductFacts {
            supplier: self.supplier.clone(),
            code: self.code.clone(),
            name: self.name.clone(),
            formulation_id: self.formulation_id,
            version: self.version,
            kind_is_tattoo_ink: self.kind == Kind::Pigment,
            lot: None,
            ingredients: ingredients(conn, self.formulation_id)?,
        })
    }
}

/// The current formulation of every product (optionally of one supplier or kind), in one query.
pub fn current_formulations(
    conn: &Connection,
    supplier: Option<i64>,
    kind: Option<Kind>,
) -> Result<Vec<CatalogEntry>> {
    let mut stmt = conn.prepare(
        "SELECT s.name, p.code, p.name, p.kind, f.id, f.version, p.supplier_id
         FROM products p JOIN suppliers s ON s.id = p.supplier_id
         JOIN formulations f ON f.product_id = p.id
         WHERE f.version = (SELECT max(version) FROM formulations WHERE product_id = p.id)
         ORDER BY s.name, p.code",
    )?;
    let rows = stmt.query_map([], |r| {
        <(String, String, String, String, i64, i64, i64)>::try_from(r)
    })?;
    let mut entries = Vec::new();
    for row in rows {
        let (supplier_name, code, name, stored_kind, formulation_id, version, supplier_id) = row?;
        let kind_of = Kind::from_stored(&stored_kind);
        if supplier.is_some_and(|s| s != supplier_id) || kind.is_some_and(|k| k != kind_of) {
            continue;
        }
        entries.push(CatalogEntry {
            supplier: supplier_name,
            code,
            name,
            kind: kind_of,
            formulation_id,
            version,
        });
    }
    Ok(entries)
}

/// The formulations that hold any substance of `set`: one pass over the (formulation,
/// substance) index, no ingredient rows read.
pub fn formulations_holding(conn: &Connection, set: &HashSet<i64>) -> Result<HashSet<i64>> {
    if set.is_empty() {
        return Ok(HashSet::new());
    }
    // The filter runs inside SQLite: only the matching formulations come back.
    let ids =
        serde_json::to_string(&set.iter().collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into());
    let mut stmt = conn.prepare(
        "SELECT DISTINCT formulation_id FROM ingredients INDEXED BY ingredients_by_formulation
         WHERE substance_id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = stmt.query_map([ids], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The substances that are not identified.
pub fn unverified_substances(conn: &Connection) -> Result<HashSet<i64>> {
    let mut stmt = conn.prepare("SELECT id FROM substances WHERE verified = 0")?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Fills in the CAS and Colour Index numbers of the ingredients the reasons name: looked up for
/// these few rather than for every ingredient judged.
pub fn fill_numbers(conn: &Connection, reasons: &mut [Reason]) -> Result<()> {
    for r in reasons {
        if let Some(i) = r.ingredient.as_mut() {
            i.cas = substances::identifiers_of(conn, i.substance_id, IdKind::Cas)?;
            i.ci = substances::identifiers_of(conn, i.substance_id, IdKind::Ci)?;
        }
    }
    Ok(())
}
