//! Recalls from EU Safety Gate alerts: from an alert's batch text to the lots it means and the
//! clients to call.
//!
//! Stages, as the catalog import has them: bytes -> text (`read::decode_text`) -> alerts
//! (`read::read_alerts`) -> lots (`extract::extract_lots`, pure) -> matches against the catalog
//! (`matching`, pure) -> flags and records (`import`, through `db::recalls` and
//! `db::catalog::flag_lot`, the door `lot flag` uses too) -> a report (`describe`).

pub mod extract;
pub mod fields;
pub mod import;
pub mod matching;
pub mod read;

#[cfg(test)]
mod proptests;

use rusqlite::Connection;
use serde::Serialize;

use crate::db::recalls::{self as store, Status, StoredAlert, Treated};
use crate::error::{shell_quote, Result};
use crate::ids::{LotId, TreatmentId};

/// A lot of the catalog an alert means or may mean.
#[derive(Debug, Clone, Serialize)]
pub struct LotRef {
    pub supplier: String,
    pub code: String,
    pub product: String,
    pub lot: String,
    /// The lot as the alert wrote it (`null` for a lot a person confirmed).
    pub alert_lot: Option<String>,
    /// Why a person has to confirm it (ambiguous lots only).
    pub reason: Option<String>,
    /// The command that confirms it (ambiguous lots only).
    pub confirm: Option<String>,
    /// Recorded by this command (not by an earlier import).
    pub new: bool,
    #[serde(skip)]
    pub lot_id: LotId,
}

/// An alert and what it meant for the catalog.
#[derive(Debug, Clone, Serialize)]
pub struct AlertReport {
    pub alert: String,
    pub version: i64,
    /// `new`, `updated` or `unchanged` for an import; `stored` for `recall show`.
    pub status: &'static str,
    pub product: Option<String>,
    pub name: Option<String>,
    pub brand: Option<String>,
    pub batch_text: String,
    pub hazard: Option<String>,
    pub measure: Option<String>,
    pub source: String,
    pub imported_at: String,
    /// The lots read from the batch text, as written there.
    pub lots: Vec<String>,
    /// Lots flagged for this alert (BLOCKED for every client).
    pub matched: Vec<LotRef>,
    /// Lots it may mean, for a person to confirm; not flagged.
    pub ambiguous: Vec<LotRef>,
    /// The alert's lots that matched no lot of a fitting product.
    pub unmatched: Vec<String>,
}

/// A client treated with a flagged lot: whom to call.
#[derive(Debug, Clone, Serialize)]
pub struct ClientToCall {
    pub alert: String,
    pub supplier: String,
    pub code: String,
    pub product: String,
    pub lot: String,
    pub client: String,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub erased: bool,
    pub treatment: TreatmentId,
    pub at: String,
    pub area: Option<String>,
}

/// The reason a lot flagged for an alert carries: the alert and, shortened, its hazard.
pub fn flag_reason(alert: &str, hazard: Option<&str>) -> String {
    let mut reason = format!("recall: EU Safety Gate alert {alert}");
    if let Some(h) = hazard.map(str::trim).filter(|h| !h.is_empty()) {
        let short: String = h.chars().take(100).collect();
        reason.push_str(": ");
        reason.push_str(&short);
        if short.len() < h.len() {
            reason.push('…');
        }
    }
    reason
}

/// `inkguard recall confirm ALERT --product SUPPLIER/CODE --lot LOT`, quoted for a shell.
pub fn confirm_command(alert: &str, supplier: &str, code: &str, lot: &str) -> String {
    format!(
        "inkguard recall confirm {} --product {} --lot {}",
        shell_quote(alert),
        shell_quote(&format!("{supplier}/{code}")),
        shell_quote(lot)
    )
}

/// `inkguard trace --product SUPPLIER/CODE --lot LOT`, quoted for a shell.
pub fn trace_command(supplier: &str, code: &str, lot: &str) -> String {
    format!(
        "inkguard trace --product {} --lot {}",
        shell_quote(&format!("{supplier}/{code}")),
        shell_quote(lot)
    )
}

/// An alert as stored, with every match recorded for it; `new` names the match lots this
/// command recorded.
pub fn describe(
    conn: &Connection,
    stored: &StoredAlert,
    status: &'static str,
    new: &[LotId],
) -> Result<AlertReport> {
    let alert_norm = crate::ident::normalize_name(&stored.alert);
    let rows = store::matches(conn, &alert_norm)?;
    let flagged: Vec<LotId> = rows
        .iter()
        .filter(|m| m.status != Status::Ambiguous)
        .map(|m| m.lot_id)
        .collect();
    let mut matched: Vec<LotRef> = Vec::new();
    let mut ambiguous: Vec<LotRef> = Vec::new();
    for m in &rows {
        let is_flag = m.status != Status::Ambiguous;
        // A lot listed as ambiguous and confirmed since is shown once, as flagged.
        if !is_flag && flagged.contains(&m.lot_id) {
            continue;
        }
        let list = if is_flag {
            &mut matched
        } else {
            &mut ambiguous
        };
        if list.iter().any(|l| l.lot_id == m.lot_id) {
            continue;
        }
        list.push(LotRef {
            supplier: m.supplier.clone(),
            code: m.code.clone(),
            product: m.product.clone(),
            lot: m.lot.clone(),
            alert_lot: m.alert_lot.clone(),
            reason: m.reason.clone(),
            confirm: (!is_flag)
                .then(|| confirm_command(&stored.alert, &m.supplier, &m.code, &m.lot)),
            new: new.contains(&m.lot_id),
            lot_id: m.lot_id,
        });
    }
    let lots: Vec<String> = store::lots(conn, stored.id)?
        .into_iter()
        .map(|(_, text, _)| text)
        .collect();
    let unmatched = lots
        .iter()
        .filter(|l| !rows.iter().any(|m| m.alert_lot.as_ref() == Some(*l)))
        .cloned()
        .collect();
    Ok(AlertReport {
        alert: stored.alert.clone(),
        version: stored.version,
        status,
        product: stored.product.clone(),
        name: stored.name.clone(),
        brand: stored.brand.clone(),
        batch_text: stored.batch_text.clone(),
        hazard: stored.hazard.clone(),
        measure: stored.measure.clone(),
        source: stored.source.clone(),
        imported_at: stored.imported_at.clone(),
        lots,
        matched,
        ambiguous,
        unmatched,
    })
}

/// Every client treated with a lot flagged for these alerts, in order of alert and time.
pub fn clients_to_call(conn: &Connection, alerts: &[AlertReport]) -> Result<Vec<ClientToCall>> {
    let mut out = Vec::new();
    for a in alerts {
        for l in &a.matched {
            for t in store::treated_with_lot(conn, l.lot_id)? {
                out.push(to_call(&a.alert, l, t));
            }
        }
    }
    Ok(out)
}

fn to_call(alert: &str, l: &LotRef, t: Treated) -> ClientToCall {
    ClientToCall {
        alert: alert.to_string(),
        supplier: l.supplier.clone(),
        code: l.code.clone(),
        product: l.product.clone(),
        lot: l.lot.clone(),
        client: t.client,
        name: if t.erased { None } else { t.name },
        phone: t.phone,
        email: t.email,
        erased: t.erased,
        treatment: t.treatment,
        at: t.at,
        area: t.area,
    }
}
