//! Reads the facts a verdict is made of (`screening::facts`) from the database, each kind in a
//! fixed number of queries whatever the number of tests, items, readings or ingredients, and
//! returned as self-contained values. Only the verdict service (`crate::verdict`) calls these.
//!
//! Merged substances: `substance merge` moves ingredients, test items and group members to the
//! target and only sensitivities keep the old id, read here through `merged_into`. Only an
//! unverified substance can be merged, into a known one, which is never merged itself: one step
//! reaches the target.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection};
use serde::Serialize;

mod clients;

pub use clients::load_clients;

use super::catalog::{self as cat, Kind, ProductRow};
use super::clinical;
use crate::error::{Error, Result};
use crate::ids::ProductId;
use crate::screening::{
    self, FormulationId, Group, GroupId, Ingredient, LotFacts, LotFlag, ProductFacts, Relation,
    Restriction, SubstanceId, World,
};

/// Everything that holds for every client and product: four queries.
pub fn load_world(conn: &Connection, now: DateTime<Utc>) -> Result<World> {
    let policy = clinical::load_policy(conn)?;
    let mut groups: Vec<Group> = Vec::new();
    let mut stmt =
        conn.prepare_cached("SELECT id, key, name, relation, on_match FROM groups ORDER BY key")?;
    let rows = stmt.query_map([], |r| {
        <(GroupId, String, String, Relation, screening::Level)>::try_from(r)
    })?;
    for row in rows {
        let (id, key, name, relation, on_match) = row?;
        groups.push(Group {
            id,
            key,
            name,
            // An unknown value (from a newer version, or by hand) stops the command:
            // `db::stored`.
            relation,
            on_match,
            members: Vec::new(),
            inferred: Vec::new(),
        });
    }
    let index: HashMap<GroupId, usize> =
        groups.iter().enumerate().map(|(i, g)| (g.id, i)).collect();
    let mut stmt =
        conn.prepare_cached("SELECT group_id, substance_id, inferred FROM group_members")?;
    let members = stmt.query_map([], |r| <(GroupId, SubstanceId, bool)>::try_from(r))?;
    for m in members {
        let (g, s, inferred) = m?;
        if let Some(group) = index.get(&g).map(|i| &mut groups[*i]) {
            group.members.push(s);
            if inferred {
                group.inferred.push(s);
            }
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

/// A JSON array of ids, for `json_each`: one statement whatever the number of ids.
pub(super) fn id_list<T: Serialize>(ids: impl IntoIterator<Item = T>) -> String {
    let ids: Vec<T> = ids.into_iter().collect();
    serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())
}

/// The preferred name of each substance and whether it is identified.
pub(super) fn names(
    conn: &Connection,
    ids: &BTreeSet<SubstanceId>,
) -> Result<HashMap<SubstanceId, (String, bool)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, verified FROM substances WHERE id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = stmt.query_map([id_list(ids)], |r| {
        <(SubstanceId, String, bool)>::try_from(r)
    })?;
    let mut out = HashMap::new();
    for row in rows {
        let (id, name, verified) = row?;
        out.insert(id, (name, verified));
    }
    Ok(out)
}

/// The formulation a product is judged by: the lot's when a lot is named, else the current one.
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
    let unverified = unverified_substances(conn)?;
    let mut ingredients = ingredients(conn, &BTreeSet::from([formulation]), None, &unverified)?;
    Ok(ProductFacts {
        supplier: product.supplier.clone(),
        code: product.code.clone(),
        name: product.name.clone(),
        formulation_id: formulation,
        version,
        kind_is_tattoo_ink: product.kind == Kind::Pigment,
        lot: lot_facts,
        ingredients: ingredients.remove(&formulation).unwrap_or_default(),
    })
}

/// The ingredients of formulations as the engine reads them, with their substances' names and
/// CAS and Colour Index numbers: three queries for any number of formulations. `detail_of`
/// limits the names and numbers to the substances a reason can name (`screening::Relevance`;
/// the others carry the name as declared): the safe list judges hundreds of formulations and
/// names few of their ingredients. Whether each is identified comes from `unverified`
/// ([`unverified_substances`], which the caller reads once).
pub fn ingredients(
    conn: &Connection,
    formulations: &BTreeSet<FormulationId>,
    detail_of: Option<&BTreeSet<SubstanceId>>,
    unverified: &BTreeSet<SubstanceId>,
) -> Result<BTreeMap<FormulationId, Vec<Ingredient>>> {
    let mut out: BTreeMap<FormulationId, Vec<Ingredient>> = BTreeMap::new();
    if formulations.is_empty() {
        return Ok(out);
    }
    // Each substance's name and numbers are read once (`about`), not once per ingredient row.
    let mut stmt = conn.prepare_cached(
        "SELECT formulation_id, substance_id, name_as_declared, may_contain, max_percent, doubt
         FROM ingredients WHERE formulation_id IN (SELECT value FROM json_each(?1))
         ORDER BY formulation_id, position, id",
    )?;
    type Row = (
        FormulationId,
        SubstanceId,
        String,
        bool,
        Option<f64>,
        Option<String>,
    );
    let mut substances: BTreeSet<SubstanceId> = BTreeSet::new();
    for row in stmt.query_map([id_list(formulations)], |r| Row::try_from(r))? {
        let (f, id, declared, may_contain, max_percent, doubt) = row?;
        substances.insert(id);
        out.entry(f).or_default().push(Ingredient {
            substance: id,
            substance_name: declared.clone(),
            declared_as: declared,
            cas: Vec::new(),
            ci: Vec::new(),
            verified: true,
            may_contain,
            max_percent,
            doubt,
        });
    }
    let wanted: BTreeSet<SubstanceId> = match detail_of {
        Some(d) => substances.intersection(d).copied().collect(),
        None => substances,
    };
    let about = about(conn, &wanted)?;
    for i in out.values_mut().flatten() {
        i.verified = !unverified.contains(&i.substance);
        if let Some(a) = about.get(&i.substance) {
            i.substance_name.clone_from(&a.name);
            i.cas.clone_from(&a.cas);
            i.ci.clone_from(&a.ci);
        }
    }
    Ok(out)
}

/// What a reason shows of a substance.
#[derive(Default)]
struct About {
    name: String,
    cas: Vec<String>,
    ci: Vec<String>,
}

/// The name and the CAS and Colour Index numbers of substances: two queries for any number.
fn about(conn: &Connection, ids: &BTreeSet<SubstanceId>) -> Result<HashMap<SubstanceId, About>> {
    let mut out: HashMap<SubstanceId, About> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let list = id_list(ids);
    for (id, (name, _)) in names(conn, ids)? {
        out.insert(
            id,
            About {
                name,
                ..About::default()
            },
        );
    }
    let mut stmt = conn.prepare_cached(
        "SELECT substance_id, kind, value FROM identifiers
         WHERE substance_id IN (SELECT value FROM json_each(?1)) AND kind IN ('cas', 'ci')
         ORDER BY id",
    )?;
    for row in stmt.query_map([list], |r| <(SubstanceId, String, String)>::try_from(r))? {
        let (id, kind, value) = row?;
        let entry = out.entry(id).or_default();
        if kind == "cas" {
            entry.cas.push(value);
        } else {
            entry.ci.push(value);
        }
    }
    Ok(out)
}

/// A product of the catalog by its current formulation, without its ingredients.
#[derive(Debug, Clone)]
pub struct CatalogEntry {
    pub product_id: ProductId,
    pub supplier: String,
    pub code: String,
    pub name: String,
    pub shade: Option<String>,
    pub kind: Kind,
    pub formulation_id: FormulationId,
    pub version: i64,
    /// The formulation declares no ingredient (`no-ingredients`).
    pub empty: bool,
}

impl CatalogEntry {
    /// The entry judged with these ingredients.
    pub fn facts(&self, ingredients: Vec<Ingredient>) -> ProductFacts {
        ProductFacts {
            supplier: self.supplier.clone(),
            code: self.code.clone(),
            name: self.name.clone(),
            formulation_id: self.formulation_id,
            version: self.version,
            kind_is_tattoo_ink: self.kind == Kind::Pigment,
            lot: None,
            ingredients,
        }
    }
}

/// The current formulation of every product (optionally of one supplier or kind), in one query,
/// by supplier and code.
pub fn current_formulations(
    conn: &Connection,
    supplier: Option<i64>,
    kind: Option<Kind>,
) -> Result<Vec<CatalogEntry>> {
    // The current formulation is the one with the highest version (`cat::current_formulation`),
    // found per product by the (product, version) key; whether it declares nothing is stored
    // (`formulations.empty`). Sorted here rather than by SQLite: its sort of 20,000 rows cost
    // twice the query.
    let mut stmt = conn.prepare_cached(
        "SELECT s.name, p.code, p.name, p.shade, p.kind, f.id, f.version, f.empty, p.id
         FROM products p JOIN suppliers s ON s.id = p.supplier_id
         JOIN formulations f ON f.id = (SELECT id FROM formulations
                                        WHERE product_id = p.id ORDER BY version DESC LIMIT 1)
         WHERE (?1 IS NULL OR p.supplier_id = ?1) AND (?2 IS NULL OR p.kind = ?2)",
    )?;
    let rows = stmt.query_map(params![supplier, kind.map(Kind::as_str)], |r| {
        Ok(CatalogEntry {
            supplier: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            shade: r.get(3)?,
            kind: r.get(4)?,
            formulation_id: r.get(5)?,
            version: r.get(6)?,
            empty: r.get(7)?,
            product_id: r.get(8)?,
        })
    })?;
    let mut entries: Vec<CatalogEntry> = rows.collect::<rusqlite::Result<_>>()?;
    entries.sort_unstable_by(|a, b| (&a.supplier, &a.code).cmp(&(&b.supplier, &b.code)));
    Ok(entries)
}

/// The formulations that hold any substance of `set`: a look-up per substance in the
/// (substance, formulation) index.
pub fn formulations_holding(
    conn: &Connection,
    set: &BTreeSet<SubstanceId>,
) -> Result<HashSet<FormulationId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT formulation_id FROM ingredients INDEXED BY ingredients_by_substance
         WHERE substance_id IN (SELECT value FROM json_each(?1))",
    )?;
    let rows = stmt.query_map([id_list(set)], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The substances that are not identified.
pub fn unverified_substances(conn: &Connection) -> Result<BTreeSet<SubstanceId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM substances INDEXED BY substances_unverified WHERE verified = 0",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
