//! `lot add|list|flag`.

use crate::cli::LotCommand;
use crate::db::catalog as cat;
use crate::db::{recalls, Db};
use crate::error::{Error, Result};
use crate::output::{opt, Output, Table};

use super::Exit;

pub fn run(db: &mut Db, out: &Output, command: LotCommand) -> Result<Exit> {
    match command {
        LotCommand::Add {
            product,
            lot,
            expires,
        } => add(db, out, &product, &lot, expires.as_deref()),
        LotCommand::List { product } => list(db, out, &product),
        LotCommand::Flag {
            product,
            lot,
            reason,
        } => flag(db, out, &product, &lot, &reason),
    }
}

fn add(db: &mut Db, out: &Output, product: &str, lot: &str, expires: Option<&str>) -> Result<Exit> {
    let p = cat::resolve_product(&db.conn, product)?;
    let lot = lot.trim();
    if lot.is_empty() {
        return Err(Error::invalid("the lot number is empty"));
    }
    let expires = expires
        .map(crate::time::parse_date)
        .transpose()?
        .map(|d| d.to_string());
    let Some((formulation, version, _)) = cat::current_formulation(&db.conn, p.id)? else {
        return Err(Error::invalid_with_hint(
            format!("{} has no formulation yet", cat::product_label(&p)),
            "import its ingredient list first with: inkguard import catalog FILE --supplier NAME",
        ));
    };
    if let Some((_, f, _)) = cat::find_lot(&db.conn, p.id, lot)? {
        let v = cat::formulation_version(&db.conn, f)?;
        return Err(Error::invalid_with_hint(
            format!(
                "lot {lot:?} of {} is already recorded (formulation {v})",
                cat::product_label(&p)
            ),
            format!("see it with: inkguard lot list {}", p.code),
        ));
    }
    let at = db.stamp();
    let tx = db.begin()?;
    cat::insert_lot(&tx, p.id, formulation, lot, expires.as_deref(), &at)?;
    let detail = serde_json::json!({
        "supplier": p.supplier, "product": p.code, "lot": lot, "expires": expires, "formulation": version
    });
    tx.commit("lot add", None, &detail)?;
    out.document(
        &detail,
        &format!(
            "recorded lot {lot} of {} (formulation {version}, expires {})",
            cat::product_label(&p),
            opt(expires)
        ),
    )?;
    Ok(0)
}

fn list(db: &Db, out: &Output, product: &str) -> Result<Exit> {
    let p = cat::resolve_product(&db.conn, product)?;
    let lots = cat::lots(&db.conn, p.id)?;
    let mut table = Table::new(&["lot", "expires", "formulation", "flagged"]);
    for l in &lots {
        table.row(vec![
            l.lot.clone(),
            opt(l.expires.as_ref()),
            l.formulation.to_string(),
            opt(l.flag_reason.as_ref()),
        ]);
    }
    out.records(&lots, &table)?;
    Ok(0)
}

fn flag(db: &mut Db, out: &Output, product: &str, lot: &str, reason: &str) -> Result<Exit> {
    let p = cat::resolve_product(&db.conn, product)?;
    if reason.trim().is_empty() {
        return Err(Error::invalid(
            "--reason is empty: say why the lot is flagged",
        ));
    }
    let Some((lot_id, _, _)) = cat::find_lot(&db.conn, p.id, lot)? else {
        let known: Vec<String> = cat::lots(&db.conn, p.id)?
            .into_iter()
            .map(|l| l.lot)
            .collect();
        return Err(Error::NotFound {
            what: "lot",
            name: format!("{lot} of {}", cat::product_label(&p)),
            suggestions: known,
        });
    };
    let (actor, at) = (db.actor.clone(), db.stamp());
    let tx = db.begin()?;
    cat::flag_lot(&tx, lot_id, reason, &at, &actor)?;
    let detail = serde_json::json!({"supplier": p.supplier, "product": p.code, "lot": lot.trim(), "reason": reason.trim()});
    tx.commit("lot flag", None, &detail)?;
    // Whom to call: the clients treated with the lot.
    let treated = recalls::treated_with_lot(&db.conn, lot_id)?;
    let trace = crate::recall::trace_command(&p.supplier, &p.code, lot.trim());
    let mut text = format!(
        "flagged lot {} of {}: it is now BLOCKED for every client\n",
        lot.trim(),
        cat::product_label(&p)
    );
    text.push_str(&format!(
        "clients treated with it: {}{}\n",
        treated.len(),
        if treated.is_empty() {
            ""
        } else {
            " (call them)"
        }
    ));
    for t in &treated {
        text.push_str(&format!(
            "  {}  {}  {}  {}  {}\n",
            t.client,
            if t.erased {
                "(erased)".to_string()
            } else {
                opt(t.name.as_ref())
            },
            opt(t.phone.as_ref()),
            opt(t.email.as_ref()),
            out.time(&t.at, db.zone)
        ));
    }
    text.push_str(&format!("see them any time with: {trace}\n"));
    let mut document = detail;
    document["clients"] =
        serde_json::to_value(&treated).map_err(|e| Error::invalid(e.to_string()))?;
    document["trace"] = serde_json::Value::String(trace);
    out.document(&document, &text)?;
    Ok(0)
}
