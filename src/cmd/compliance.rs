//! `compliance [PRODUCT]`: EU REACH Annex XVII entry 75 for tattoo and PMU inks, per pigment.

use std::fmt::Write as _;

use serde::Serialize;

use crate::db::catalog::{self as cat, Kind};
use crate::db::{facts, Db};
use crate::error::Result;
use crate::output::Output;
use crate::screening::{Restriction, World};

use super::Exit;

#[derive(Serialize)]
struct Finding {
    substance: String,
    declared_as: String,
    rule: String,
    limit_mg_per_kg: Option<f64>,
    declared_max_mg_per_kg: Option<f64>,
    concentration_text: Option<String>,
    /// `banned`, `above-limit`, `not-declared` or `within-limit`.
    status: &'static str,
    label_statement: Option<String>,
    source: String,
}

#[derive(Serialize)]
struct ProductCompliance {
    supplier: String,
    code: String,
    name: String,
    formulation: i64,
    restricted: Vec<Finding>,
    label_statements: Vec<String>,
    lots: usize,
    missing_batch_numbers: bool,
    compliant: bool,
}

fn status(r: &Restriction, max_percent: Option<f64>, world: &World) -> &'static str {
    match (
        r.breach(max_percent, world.today()),
        r.rule.as_str(),
        max_percent,
    ) {
        (None, _, _) => "within-limit",
        (Some(_), "banned-in-tattoo-pmu", _) => "banned",
        (Some(_), _, None) => "not-declared",
        (Some(_), _, Some(_)) => "above-limit",
    }
}

pub fn run(db: &Db, out: &Output, product: Option<&str>) -> Result<Exit> {
    let world = facts::load_world(&db.conn, db.now)?;
    if world.policy.jurisdiction.is_none() {
        out.document(
            &serde_json::json!([]),
            "policy jurisdiction is none: no restrictions apply",
        )?;
        return Ok(0);
    }
    let products = match product {
        Some(p) => vec![cat::resolve_product(&db.conn, p)?],
        None => cat::all_products(&db.conn)?
            .into_iter()
            .filter(|p| p.kind == Kind::Pigment)
            .collect(),
    };
    let mut report = Vec::new();
    for p in &products {
        let Some((formulation, version, _)) = cat::current_formulation(&db.conn, p.id)? else {
            continue;
        };
        let mut restricted = Vec::new();
        let ingredients = cat::ingredients(&db.conn, formulation)?;
        let label_statements = world.label_statements(ingredients.iter().map(|i| i.substance_id));
        for i in ingredients {
            for r in world.restrictions_in_force(i.substance_id) {
                restricted.push(Finding {
                    substance: i.substance.clone(),
                    declared_as: i.name_as_declared.clone(),
                    rule: r.rule.clone(),
                    limit_mg_per_kg: r.limit_mg_per_kg,
                    declared_max_mg_per_kg: i.max_percent.map(|m| m * 10_000.0),
                    concentration_text: i.concentration_text.clone(),
                    status: status(r, i.max_percent, &world),
                    label_statement: r.label_statement.clone(),
                    source: r.source.clone(),
                });
            }
        }
        let lots = cat::lots(&db.conn, p.id)?.len();
        let applies = p.kind == Kind::Pigment;
        let compliant =
            !applies || restricted.iter().all(|f| f.status == "within-limit") && lots > 0;
        report.push(ProductCompliance {
            supplier: p.supplier.clone(),
            code: p.code.clone(),
            name: p.name.clone(),
            formulation: version,
            restricted,
            label_statements,
            lots,
            missing_batch_numbers: lots == 0,
            compliant,
        });
    }
    let mut t = String::new();
    let problems = report.iter().filter(|p| !p.compliant).count();
    let _ = writeln!(
        t,
        "{} pigment(s) checked against EU REACH Annex XVII entry 75; {problems} with findings",
        report.len()
    );
    for p in &report {
        let _ = writeln!(
            t,
            "\n{}/{} {} (formulation {}): {}",
            p.supplier,
            p.code,
            p.name,
            p.formulation,
            if p.compliant {
                "no findings"
            } else {
                "FINDINGS"
            }
        );
        for f in &p.restricted {
            let amount = match (&f.concentration_text, f.limit_mg_per_kg) {
                (Some(c), Some(l)) => format!("declared {c}, limit {l} mg/kg"),
                (None, Some(l)) => format!("no concentration declared, limit {l} mg/kg"),
                (_, None) => "banned".to_string(),
            };
            let _ = writeln!(
                t,
                "  {:<13} {} (declared as {:?}): {amount}",
                f.status, f.substance, f.declared_as
            );
        }
        for s in &p.label_statements {
            let _ = writeln!(t, "  label must say: {s}");
        }
        if p.missing_batch_numbers {
            let _ = writeln!(
                t,
                "  no batch number recorded: add one with inkguard lot add {} LOT",
                p.code
            );
        }
    }
    out.document(&report, &t)?;
    Ok(0)
}
