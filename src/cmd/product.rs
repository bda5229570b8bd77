//! `product list|show`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::cli::ProductCommand;
use crate::db::catalog::{self as cat, IngredientRow, Kind, LotView};
use crate::db::product_list::{self, Restriction};
use crate::db::substances::{self, IdKind};
use crate::db::Db;
use crate::error::{Error, Result};
use crate::ident;
use crate::output::{opt, Output, Table};

use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: ProductCommand) -> Result<Exit> {
    match command {
        ProductCommand::List {
            supplier,
            kind,
            search,
        } => list(
            db,
            out,
            supplier.as_deref(),
            kind.as_deref(),
            search.as_deref(),
        ),
        ProductCommand::Show { product } => show(db, out, &product),
    }
}

#[derive(Serialize)]
struct ListItem {
    supplier: String,
    code: String,
    name: String,
    shade: Option<String>,
    kind: Kind,
    formulation: Option<i64>,
}

/// Parses `--kind` on the command line.
pub fn parse_kind(text: &str) -> Result<Kind> {
    Kind::parse(text).ok_or_else(|| {
        Error::invalid_with_hint(
            format!("{text:?} is not a kind of product"),
            "use pigment, anaesthetic, aftercare or other",
        )
    })
}

/// Finds a supplier by name, or fails with the known ones.
pub fn resolve_supplier(db: &Db, name: &str) -> Result<i64> {
    if let Some(id) = cat::supplier_id(&db.conn, name)? {
        return Ok(id);
    }
    let names = product_list::supplier_names(&db.conn)?;
    let norms: Vec<String> = names.iter().map(|n| ident::normalize_name(n)).collect();
    let mut suggestions = substances::closest(
        name,
        names
            .iter()
            .zip(&norms)
            .map(|(n, m)| (n.as_str(), m.as_str(), n.as_str())),
        5,
    );
    // A clinic has few suppliers: when none is close, name them all.
    if suggestions.is_empty() && names.len() <= 10 {
        suggestions = names;
    }
    Err(Error::NotFound {
        what: "supplier",
        name: name.to_string(),
        suggestions,
    })
}

fn list(
    db: &Db,
    out: &Output,
    supplier: Option<&str>,
    kind: Option<&str>,
    search: Option<&str>,
) -> Result<Exit> {
    let supplier = supplier.map(|s| resolve_supplier(db, s)).transpose()?;
    let kind = kind.map(parse_kind).transpose()?;
    let search = search.map(ident::normalize_name);
    let mut items = Vec::new();
    for row in product_list::products(&db.conn)? {
        let sid = row.supplier_id;
        let item = ListItem {
            supplier: row.supplier,
            code: row.code,
            name: row.name,
            shade: row.shade,
            kind: row.kind,
            formulation: row.formulation,
        };
        if supplier.is_some_and(|s| s != sid) || kind.is_some_and(|k| k != item.kind) {
            continue;
        }
        if let Some(want) = &search {
            let text = ident::normalize_name(&format!(
                "{} {} {}",
                item.code,
                item.name,
                item.shade.as_deref().unwrap_or("")
            ));
            if !text.contains(want.as_str()) {
                continue;
            }
        }
        items.push(item);
    }
    let mut table = Table::new(&["supplier", "code", "name", "shade", "kind", "formulation"]);
    for i in &items {
        table.row(vec![
            i.supplier.clone(),
            i.code.clone(),
            i.name.clone(),
            opt(i.shade.as_ref()),
            i.kind.as_str().into(),
            opt(i.formulation),
        ]);
    }
    out.records(&items, &table)?;
    Ok(0)
}

#[derive(Serialize)]
struct Ingredient {
    position: i64,
    substance: String,
    substance_key: String,
    name_as_declared: String,
    cas: Vec<String>,
    ci: Vec<String>,
    ec: Vec<String>,
    min_percent: Option<f64>,
    max_percent: Option<f64>,
    concentration_text: Option<String>,
    function: Option<String>,
    may_contain: bool,
    verified: bool,
    doubt: Option<String>,
}

#[derive(Serialize)]
struct Formulation {
    version: i64,
    imported_at: String,
    ingredients: Vec<Ingredient>,
}

#[derive(Serialize)]
struct FormulationRef {
    version: i64,
    imported_at: String,
}

#[derive(Serialize)]
struct ProductView {
    supplier: String,
    code: String,
    name: String,
    shade: Option<String>,
    kind: Kind,
    formulation: Option<Formulation>,
    formulations: Vec<FormulationRef>,
    lots: Vec<LotView>,
    restrictions: Vec<Restriction>,
}

fn ingredient(db: &Db, row: IngredientRow) -> Result<Ingredient> {
    let ids = |kind| substances::identifiers_of(&db.conn, row.substance_id, kind);
    Ok(Ingredient {
        cas: ids(IdKind::Cas)?,
        ci: ids(IdKind::Ci)?,
        ec: ids(IdKind::Ec)?,
        position: row.position,
        substance: row.substance,
        substance_key: row.substance_key,
        name_as_declared: row.name_as_declared,
        min_percent: row.min_percent,
        max_percent: row.max_percent,
        concentration_text: row.concentration_text,
        function: row.function,
        may_contain: row.may_contain,
        verified: row.verified,
        doubt: row.doubt,
    })
}

fn show(db: &Db, out: &Output, name: &str) -> Result<Exit> {
    let p = cat::resolve_product(&db.conn, name)?;
    let all = cat::formulations(&db.conn, p.id)?;
    let formulation = match all.last() {
        Some((fid, version, imported_at)) => Some(Formulation {
            version: *version,
            imported_at: imported_at.clone(),
            ingredients: cat::ingredients(&db.conn, *fid)?
                .into_iter()
                .map(|row| ingredient(db, row))
                .collect::<Result<_>>()?,
        }),
        None => None,
    };
    let mut restrictions = Vec::new();
    if let Some(f) = &formulation {
        let mut seen = Vec::new();
        for i in &f.ingredients {
            if seen.contains(&i.substance_key) {
                continue;
            }
            seen.push(i.substance_key.clone());
            restrictions.extend(product_list::restrictions(
                &db.conn,
                &i.substance_key,
                &i.substance,
            )?);
        }
    }
    let view = ProductView {
        supplier: p.supplier.clone(),
        code: p.code.clone(),
        name: p.name.clone(),
        shade: p.shade.clone(),
        kind: p.kind,
        formulation,
        formulations: all
            .iter()
            .map(|(_, v, at)| FormulationRef {
                version: *v,
                imported_at: at.clone(),
            })
            .collect(),
        lots: cat::lots(&db.conn, p.id)?,
        restrictions,
    };
    out.document(&view, &human(&view))?;
    Ok(0)
}

fn human(v: &ProductView) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} {} ({}), {}",
        v.supplier,
        v.code,
        v.name,
        v.kind.as_str()
    );
    if let Some(shade) = &v.shade {
        let _ = writeln!(t, "shade: {shade}");
    }
    match &v.formulation {
        None => {
            let _ = writeln!(t, "no formulation recorded");
        }
        Some(f) => {
            let _ = writeln!(t, "formulation {} (imported {}):", f.version, f.imported_at);
            let mut table = Table::new(&[
                "#",
                "declared",
                "substance",
                "CAS",
                "CI",
                "concentration",
                "",
            ]);
            for i in &f.ingredients {
                let mut flags = Vec::new();
                if i.may_contain {
                    flags.push("may contain");
                }
                if !i.verified {
                    flags.push("UNVERIFIED");
                }
                if i.doubt.is_some() {
                    flags.push("IN DOUBT");
                }
                table.row(vec![
                    i.position.to_string(),
                    i.name_as_declared.clone(),
                    i.substance.clone(),
                    i.cas.join(", "),
                    i.ci.join(", "),
                    opt(i.concentration_text.as_ref()),
                    flags.join(", "),
                ]);
            }
            t.push_str(&crate::output::render_table(&table));
            t.push('\n');
            let mut doubts: Vec<(i64, &str)> = Vec::new();
            for i in &f.ingredients {
                if let Some(d) = &i.doubt {
                    if !doubts.contains(&(i.position, d.as_str())) {
                        doubts.push((i.position, d.as_str()));
                    }
                }
            }
            for (position, doubt) in doubts {
                let _ = writeln!(t, "in doubt: #{position} {doubt}");
            }
        }
    }
    if v.formulations.len() > 1 {
        let earlier: Vec<String> = v.formulations[..v.formulations.len() - 1]
            .iter()
            .map(|f| format!("{} ({})", f.version, f.imported_at))
            .collect();
        let _ = writeln!(t, "earlier formulations: {}", earlier.join(", "));
    }
    if v.lots.is_empty() {
        let _ = writeln!(t, "lots: none recorded");
    } else {
        let _ = writeln!(t, "lots:");
        for l in &v.lots {
            let _ = writeln!(
                t,
                "  {} (formulation {}, expires {}){}",
                l.lot,
                l.formulation,
                opt(l.expires.as_ref()),
                l.flag_reason
                    .as_ref()
                    .map_or(String::new(), |r| format!(" FLAGGED: {r}"))
            );
        }
    }
    for r in &v.restrictions {
        let rule = match r.limit_mg_per_kg {
            Some(limit) => format!("at most {limit} mg/kg"),
            None => format!("banned from {}", opt(r.applies_from.as_ref())),
        };
        let _ = writeln!(
            t,
            "restricted ({}): {}: {rule}",
            r.jurisdiction, r.substance
        );
    }
    t
}
