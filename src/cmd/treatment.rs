//! `treatment record|list|sheet`, `reaction record` and `trace`: what went into whom.

use std::fmt::Write as _;

use serde::Serialize;

use crate::cli::{ItemArg, ReactionCommand, Severity, TreatmentCommand};
use crate::db::catalog::{self as cat, IngredientRow};
use crate::db::clinical;
use crate::db::{facts, treatment_records, Db};
use crate::error::{Error, Result};
use crate::ids::{SensitivityId, TreatmentId};
use crate::output::{opt, Output, Table};
use crate::screening::Verdict;
use crate::treatments;
use crate::verdict::{Used, UsedVerdict};

use super::{verdict_text, Exit};

pub fn run(db: &mut Db, out: &Output, command: TreatmentCommand) -> Result<Exit> {
    match command {
        TreatmentCommand::Record {
            client,
            area,
            at,
            override_reason,
            items,
            ..
        } => record(
            db,
            out,
            &client,
            &items,
            area,
            at.as_deref(),
            override_reason,
        ),
        TreatmentCommand::List { client } => list(db, out, &client),
        TreatmentCommand::Sheet { id } => sheet(db, out, id),
    }
}

#[derive(Serialize)]
struct Refusal<'a> {
    recorded: bool,
    client: &'a str,
    verdict: Verdict,
    items: &'a [UsedVerdict],
}

/// Records a treatment through the gate (`crate::treatments::record`, the page's path too) and
/// prints what was written or why nothing was.
fn record(
    db: &mut Db,
    out: &Output,
    client: &str,
    items: &[ItemArg],
    area: Option<String>,
    at: Option<&str>,
    override_reason: Option<String>,
) -> Result<Exit> {
    let at = at
        .map(|t| crate::time::parse_time(t, db.zone))
        .transpose()?;
    if let Some(when) = at.filter(|w| *w > db.now) {
        return Err(Error::invalid(format!(
            "--at {} is in the future",
            crate::time::stamp(when)
        )));
    }
    if override_reason
        .as_deref()
        .is_some_and(|r| r.trim().is_empty())
    {
        return Err(Error::invalid("--override needs a reason"));
    }
    let used: Vec<Used> = items
        .iter()
        .filter_map(|i| match i {
            ItemArg::Product { product, lot } => Some(Used {
                product,
                lot: lot.as_deref(),
            }),
            _ => None,
        })
        .collect();
    let request = treatments::Request {
        client,
        used,
        area,
        at,
        override_reason,
    };
    let recorded = match treatments::record(db, &request)? {
        treatments::Outcome::Recorded(r) => r,
        treatments::Outcome::Refused { judged, why } => {
            // The same plain lines as `check` (one per allergen; no patch-test line under a
            // BLOCKED verdict); the chain and the codes stay in --format json.
            let style = verdict_text::Style::detect(false);
            let mut t = String::new();
            for v in &judged.items {
                let _ = writeln!(
                    t,
                    "{} {} {} lot {}",
                    v.verdict.as_str().to_uppercase(),
                    v.product,
                    v.name,
                    v.lot
                );
                verdict_text::reason_lines(&mut t, &v.reasons, v.verdict, &style, 2);
            }
            out.document(
                &Refusal {
                    recorded: false,
                    client: &judged.client.code,
                    verdict: judged.verdict,
                    items: &judged.items,
                },
                &t,
            )?;
            crate::output::eprint_safe(&format!(
                "error: treatment of {} refused, nothing was written: {why}",
                judged.client.code
            ));
            return Ok(judged.verdict.exit_code());
        }
    };
    let (id, code) = (recorded.id, &recorded.judged.client.code);
    let mut t = format!(
        "recorded treatment #{id} of {code} at {}\n",
        crate::time::show_stamp(&recorded.at, db.zone)
    );
    for v in &recorded.judged.items {
        let _ = writeln!(
            t,
            "  {} {} lot {} ({})",
            v.product,
            v.name,
            v.lot,
            v.verdict.as_str().to_uppercase()
        );
    }
    if let Some(o) = &recorded.override_reason {
        let _ = writeln!(t, "  override: {o}");
    }
    let _ = writeln!(t, "client information sheet: inkguard treatment sheet {id}");
    out.document(&recorded.doc, &t)?;
    Ok(0)
}

fn list(db: &Db, out: &Output, client: &str) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, client)?;
    let treatments = super::client::treatments(db, &client)?;
    let mut table = Table::new(&["id", "at", "area", "products", "override"]);
    for t in &treatments {
        let items: Vec<String> = t
            .items
            .iter()
            .map(|i| format!("{} lot {}", i.product, i.lot))
            .collect();
        table.row(vec![
            t.id.to_string(),
            out.time(&t.at, db.zone),
            opt(t.area.as_ref()),
            items.join(", "),
            opt(t.override_reason.as_ref()),
        ]);
    }
    out.records(&treatments, &table)?;
    Ok(0)
}

#[derive(Serialize)]
struct SheetProduct {
    supplier: String,
    code: String,
    name: String,
    shade: Option<String>,
    lot: String,
    expires: Option<String>,
    formulation: i64,
    ingredients: Vec<String>,
    may_contain: Vec<String>,
    label_statements: Vec<String>,
}

#[derive(Serialize)]
struct Sheet {
    treatment: TreatmentId,
    client: String,
    at: String,
    area: Option<String>,
    products: Vec<SheetProduct>,
}

/// The declared ingredient list of a formulation in declared order, one entry per declaration.
fn declared_list(rows: &[IngredientRow]) -> (Vec<String>, Vec<String>) {
    let (mut main, mut may) = (Vec::new(), Vec::new());
    let mut last = None;
    for r in rows {
        if last == Some(r.position) {
            continue;
        }
        last = Some(r.position);
        let entry = match &r.concentration_text {
            Some(c) => format!("{} ({c})", r.name_as_declared),
            None => r.name_as_declared.clone(),
        };
        if r.may_contain {
            may.push(entry);
        } else {
            main.push(entry);
        }
    }
    (main, may)
}

fn sheet(db: &Db, out: &Output, id: TreatmentId) -> Result<Exit> {
    let row = treatment_records::header(&db.conn, id)?;
    let Some((client, at, area)) = row else {
        return Err(Error::NotFound {
            what: "treatment",
            name: format!("#{id}"),
            suggestions: vec!["see the ids with: inkguard treatment list CLIENT".into()],
        });
    };
    let items = treatment_records::sheet_items(&db.conn, id)?;
    // The same rule as `compliance`: the statements of the restrictions in force.
    let world = facts::load_world(&db.conn, db.now)?;
    let mut products = Vec::new();
    for (product, lot, expires, formulation) in items {
        let p = cat::product_by_id(&db.conn, product)?;
        let rows = cat::ingredients(&db.conn, formulation)?;
        let (ingredients, may_contain) = declared_list(&rows);
        let label_statements = world.label_statements(rows.iter().map(|r| r.substance_id));
        products.push(SheetProduct {
            supplier: p.supplier,
            code: p.code,
            name: p.name,
            shade: p.shade,
            lot,
            expires,
            formulation: cat::formulation_version(&db.conn, formulation)?,
            ingredients,
            may_contain,
            label_statements,
        });
    }
    let s = Sheet {
        treatment: id,
        client,
        at,
        area,
        products,
    };
    let mut t = format!(
        "CLIENT INFORMATION SHEET\ntreatment #{} for client {} on {}",
        s.treatment,
        s.client,
        crate::time::show_stamp(&s.at, db.zone)
    );
    if let Some(a) = &s.area {
        let _ = write!(t, ", {a}");
    }
    t.push('\n');
    for p in &s.products {
        let _ = writeln!(t, "\n{} ({}), supplier {}", p.name, p.code, p.supplier);
        if let Some(shade) = &p.shade {
            let _ = writeln!(t, "  shade: {shade}");
        }
        let _ = writeln!(
            t,
            "  batch number: {} (expires {})",
            p.lot,
            opt(p.expires.as_ref())
        );
        let _ = writeln!(t, "  ingredients: {}", p.ingredients.join(", "));
        if !p.may_contain.is_empty() {
            let _ = writeln!(t, "  may contain: {}", p.may_contain.join(", "));
        }
        for statement in &p.label_statements {
            let _ = writeln!(t, "  {statement}");
        }
    }
    out.document(&s, &t)?;
    Ok(0)
}

pub fn reaction(db: &mut Db, out: &Output, command: ReactionCommand) -> Result<Exit> {
    let ReactionCommand::Record {
        client,
        treatment,
        onset,
        symptoms,
        severity,
    } = command
    else {
        return Err(crate::error::Error::invalid(
            "reaction list is not a recording command",
        ));
    };
    let client = clinical::resolve_client(&db.conn, &client)?;
    let owner = treatment_records::owner(&db.conn, treatment)?;
    let treated_at = match owner {
        Some((c, at)) if c == client.id => clinical::parse_stamp(&at)?,
        Some(_) => {
            return Err(Error::invalid(format!(
                "treatment #{treatment} is not one of {}'s",
                client.code
            )))
        }
        None => {
            return Err(Error::NotFound {
                what: "treatment",
                name: format!("#{treatment}"),
                suggestions: super::client::treatments(db, &client)?
                    .iter()
                    .map(|t| format!("#{}", t.id))
                    .collect(),
            })
        }
    };
    let onset = crate::time::parse_time(&onset, db.zone)?;
    if onset < treated_at - chrono::Duration::days(1) {
        return Err(Error::invalid(format!(
            "the onset {} is before the treatment ({})",
            crate::time::stamp(onset),
            crate::time::stamp(treated_at)
        )));
    }
    if symptoms.trim().is_empty() {
        return Err(Error::invalid(
            "--symptoms is empty: describe what was seen",
        ));
    }
    let severity = match severity {
        Severity::Mild => "mild",
        Severity::Moderate => "moderate",
        Severity::Severe => "severe",
    };
    let lots = treatment_records::lots_used(&db.conn, treatment)?;
    let mut suspects: Vec<String> = Vec::new();
    for (_, _, formulation) in &lots {
        for i in cat::ingredients(&db.conn, *formulation)? {
            if !suspects.contains(&i.substance) {
                suspects.push(i.substance);
            }
        }
    }
    let (actor, stamp, db_now) = (db.actor.clone(), db.stamp(), db.now);
    let tx = db.begin()?;
    let id = treatment_records::insert_reaction(
        &tx,
        &treatment_records::NewReaction {
            client: client.id,
            treatment,
            onset: &crate::time::stamp(onset),
            symptoms: symptoms.trim(),
            severity,
            recorded_at: &stamp,
            actor: &actor,
        },
    )?;
    // Every ingredient used becomes a suspected sensitivity with an id (SPEC 7).
    let raised: Vec<SensitivityId> =
        crate::verdict::record_raised(&tx, db_now, Some(client.id), &stamp, &actor)?
            .into_iter()
            .map(|(_, id)| id)
            .collect();
    let lots_json: Vec<serde_json::Value> = lots
        .iter()
        .map(|(p, l, _)| serde_json::json!({"product": p, "lot": l}))
        .collect();
    let doc = serde_json::json!({
        "id": id, "client": client.code, "treatment": treatment, "onset": crate::time::stamp(onset),
        "severity": severity, "suspects": suspects, "sensitivities": raised, "lots": lots_json
    });
    // The symptoms are clinical, not identifying; the event still names the client by code only.
    tx.commit("reaction record", Some(&client.code), &doc)?;
    let mut t = format!(
        "recorded reaction #{id} of {} ({severity}) after treatment #{treatment}\nnow suspected sensitivities of {}: {}\n",
        client.code,
        client.code,
        suspects.join(", ")
    );
    if !raised.is_empty() {
        let ids: Vec<String> = raised.iter().map(|id| format!("#{id}")).collect();
        let _ = writeln!(
            t,
            "recorded as sensitivities {}: see them with: inkguard sensitivity list {}\nto clear an unlikely suspect, patch-test it (a negative test applied after this reaction resolves it), or: inkguard sensitivity retract ID --reason TEXT",
            ids.join(", "),
            crate::error::shell_quote(&client.code)
        );
    }
    for (p, l, _) in &lots {
        let _ = writeln!(
            t,
            "lot used: {p} lot {l}; other clients of it: inkguard trace --product {p} --lot {l}"
        );
    }
    out.document(&doc, &t)?;
    Ok(0)
}

pub fn trace(db: &Db, out: &Output, product: &str, lot: &str) -> Result<Exit> {
    let p = cat::resolve_product(&db.conn, product)?;
    let Some((lot_id, ..)) = cat::find_lot(&db.conn, p.id, lot)? else {
        return Err(Error::NotFound {
            what: "lot",
            name: format!("{lot} of {}", cat::product_label(&p)),
            suggestions: cat::lots(&db.conn, p.id)?
                .into_iter()
                .map(|l| l.lot)
                .collect(),
        });
    };
    let traced = crate::db::recalls::treated_with_lot(&db.conn, lot_id)?;
    let mut table = Table::new(&["client", "treatment", "at", "name", "phone", "email"]);
    for t in &traced {
        let name = if t.erased {
            "(erased)".to_string()
        } else {
            opt(t.name.as_ref())
        };
        table.row(vec![
            t.client.clone(),
            t.treatment.to_string(),
            out.time(&t.at, db.zone),
            name,
            opt(t.phone.as_ref()),
            opt(t.email.as_ref()),
        ]);
    }
    if out.is_json() {
        out.json(&traced)?;
    } else {
        super::note(format!(
            "{} treatment(s) with {} lot {}",
            traced.len(),
            cat::product_label(&p),
            lot.trim()
        ));
        out.records(&traced, &table)?;
    }
    Ok(0)
}
