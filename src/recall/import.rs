//! `recall import` and `recall confirm`: alerts read, checked, matched and recorded in one
//! transaction with its audit event; lots flagged through `db::catalog::flag_lot`, the door
//! `lot flag` uses.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

use encoding_rs::Encoding;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::extract::{extract_lots, ExtractedLot};
use super::matching::{self, Candidate, CatalogProduct, Identity, Outcome};
use super::read::{self, AlertRecord, Layout};
use super::{clients_to_call, describe, flag_reason, AlertReport, ClientToCall};
use crate::db::recalls::{self as store, NewAlert, NewMatch, Status};
use crate::db::{catalog as cat, Db};
use crate::error::{Error, Result};
use crate::ident::{lot_key, normalize_name};
use crate::ids::LotId;

/// Where the alerts come from.
#[derive(Debug, Clone)]
pub enum Input {
    File(PathBuf),
    /// `-`: standard input.
    Stdin,
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::File(path) => crate::import::display_name(path),
            Input::Stdin => "standard input".into(),
        }
    }

    fn bytes(&self) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        let limit = read::MAX_BYTES as u64 + 1;
        let result = match self {
            Input::File(path) => std::fs::File::open(path)
                .and_then(|f| f.take(limit).read_to_end(&mut bytes))
                .map_err(|source| Error::Io {
                    path: path.clone(),
                    source,
                }),
            Input::Stdin => std::io::stdin()
                .take(limit)
                .read_to_end(&mut bytes)
                .map_err(|source| Error::Io {
                    path: PathBuf::from("standard input"),
                    source,
                }),
        };
        result?;
        if bytes.len() > read::MAX_BYTES {
            return Err(Error::invalid(format!(
                "{} is larger than {} MB: that is no file of alerts",
                self.name(),
                read::MAX_BYTES / (1024 * 1024)
            )));
        }
        Ok(bytes)
    }
}

/// A row that cannot be imported: nothing is written.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    pub line: u64,
    pub alert: Option<String>,
    pub reason: String,
}

/// What `recall import` did.
#[derive(Debug, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub layout: Option<Layout>,
    /// Something was recorded (a new or changed alert, a new flag or listing).
    pub changed: bool,
    pub alerts: Vec<AlertReport>,
    pub clients: Vec<ClientToCall>,
    pub warnings: Vec<String>,
    pub rejected: Vec<Rejected>,
}

/// An alert that passed the checks, with its line.
struct Valid<'a> {
    record: &'a AlertRecord,
    alert: String,
    batch: String,
}

/// Checks the records: an alert number and a batch text each, one content per alert number.
fn check(records: &[AlertRecord]) -> (Vec<Valid<'_>>, Vec<Rejected>) {
    let (mut valid, mut rejected) = (Vec::new(), Vec::new());
    let mut first: HashMap<String, &AlertRecord> = HashMap::new();
    for r in records {
        let alert = r.alert.clone().filter(|a| !normalize_name(a).is_empty());
        let Some(alert) = alert else {
            rejected.push(Rejected {
                line: r.line,
                alert: None,
                reason: "the alert has no alert number (e.g. A12/0097/17)".into(),
            });
            continue;
        };
        let Some(batch) = r.batch.clone().filter(|b| !b.trim().is_empty()) else {
            rejected.push(Rejected {
                line: r.line,
                alert: Some(alert.clone()),
                reason: format!("alert {alert} has no batch text: without it no lot can be found (write `unknown` when the alert names none)"),
            });
            continue;
        };
        match first.get(&normalize_name(&alert)) {
            Some(earlier) if fingerprint(earlier) != fingerprint(r) => {
                rejected.push(Rejected {
                    line: r.line,
                    alert: Some(alert.clone()),
                    reason: format!(
                        "alert {alert} is in the file twice with different contents (lines {} and {})",
                        earlier.line, r.line
                    ),
                });
                continue;
            }
            Some(_) => continue,
            None => {
                first.insert(normalize_name(&alert), r);
            }
        }
        valid.push(Valid {
            record: r,
            alert,
            batch,
        });
    }
    (valid, rejected)
}

/// The hash of an alert's fields, each prefixed by its length.
fn fingerprint(r: &AlertRecord) -> String {
    let mut h = Sha256::new();
    for field in [
        &r.alert, &r.product, &r.name, &r.brand, &r.batch, &r.hazard, &r.measure,
    ] {
        let text = field.as_deref().map(str::trim).unwrap_or("\u{0}");
        h.update((text.len() as u64).to_le_bytes());
        h.update(text.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Imports alerts. Returns the report and the outcome (an error when rows were rejected:
/// then nothing was written).
pub fn run(
    db: &mut Db,
    input: &Input,
    encoding: Option<&'static Encoding>,
) -> Result<(ImportReport, Result<()>)> {
    let file = input.name();
    let text = read::decode_text(&input.bytes()?, encoding, &file)?;
    let (layout, records) = read::read_alerts(&text, &file)?;
    let (valid, rejected) = check(&records);
    let mut report = ImportReport {
        file: file.clone(),
        layout: Some(layout),
        changed: false,
        alerts: Vec::new(),
        clients: Vec::new(),
        warnings: Vec::new(),
        rejected,
    };
    if records.is_empty() {
        return Err(Error::invalid_with_hint(
            format!("{file} holds no alert"),
            "an alert as published has one field a line: Alert number: ..., Brand: ..., Batch number: ...",
        ));
    }
    if !report.rejected.is_empty() {
        let count = report.rejected.len();
        return Ok((
            report,
            Err(Error::ImportRejected {
                file,
                count,
                hints: vec!["fix the alerts listed above and import again".into()],
            }),
        ));
    }
    let (actor, at) = (db.actor.clone(), db.stamp());
    let tx = db.begin()?;
    let catalog = store::catalog(&tx)?;
    let mut audit_alerts = Vec::new();
    for v in &valid {
        let (alert_report, changed, warnings) = import_one(&tx, v, &file, &catalog, &actor, &at)?;
        report.changed |= changed;
        report.warnings.extend(warnings);
        audit_alerts.push(serde_json::json!({
            "alert": alert_report.alert,
            "version": alert_report.version,
            "status": alert_report.status,
            "flagged": alert_report.matched.iter().filter(|l| l.new)
                .map(|l| format!("{}/{} lot {}", l.supplier, l.code, l.lot)).collect::<Vec<_>>(),
            "to_confirm": alert_report.ambiguous.iter().filter(|l| l.new).count(),
            "unmatched": alert_report.unmatched.len(),
        }));
        report.alerts.push(alert_report);
    }
    report.clients = clients_to_call(&tx, &report.alerts)?;
    let detail = serde_json::json!({
        "file": file, "changed": report.changed, "alerts": audit_alerts,
        "clients_to_call": report.clients.len(),
    });
    tx.commit("recall import", None, &detail)?;
    Ok((report, Ok(())))
}

/// Records one alert (a new version when it is new or changed) and what it means; returns its
/// report, whether anything was recorded, and warnings.
fn import_one(
    conn: &rusqlite::Connection,
    v: &Valid,
    file: &str,
    catalog: &[CatalogProduct],
    actor: &str,
    at: &str,
) -> Result<(AlertReport, bool, Vec<String>)> {
    let r = v.record;
    let alert_norm = normalize_name(&v.alert);
    let print = fingerprint(r);
    let existing = store::latest(conn, &alert_norm)?;
    let mut warnings = Vec::new();
    let extraction = extract_lots(&v.batch);
    let where_ = format!("{file} line {}: alert {}", r.line, v.alert);
    if extraction.lots.is_empty() {
        warnings.push(format!(
            "{where_}: the batch text {:?} names no lot this tool can read: every lot of a product that fits is listed to confirm",
            v.batch
        ));
    } else if !extraction.ignored.is_empty() {
        warnings.push(format!(
            "{where_}: left out of the batch text: {}",
            extraction.ignored.join(", ")
        ));
    }
    let (stored, status) = match existing {
        Some(e) if e.fingerprint == print => (e, "unchanged"),
        previous => {
            let version = previous.as_ref().map_or(1, |p| p.version + 1);
            let source = format!("{file} line {}", r.line);
            let id = store::insert_alert(
                conn,
                &NewAlert {
                    alert: v.alert.trim(),
                    alert_norm: &alert_norm,
                    version,
                    product: r.product.as_deref(),
                    name: r.name.as_deref(),
                    brand: r.brand.as_deref(),
                    batch_text: v.batch.trim(),
                    hazard: r.hazard.as_deref(),
                    measure: r.measure.as_deref(),
                    fingerprint: &print,
                    source: &source,
                    at,
                    actor,
                },
            )?;
            for lot in &extraction.lots {
                store::insert_lot(conn, id, &lot.text, lot.truncated)?;
            }
            let stored = store::latest(conn, &alert_norm)?
                .ok_or_else(|| Error::invalid("the alert just stored cannot be read back"))?;
            (stored, if previous.is_some() { "updated" } else { "new" })
        }
    };
    let recall_lots = store::lots(conn, stored.id)?;
    let lots: Vec<ExtractedLot> = recall_lots
        .iter()
        .map(|(_, text, truncated)| ExtractedLot {
            text: text.clone(),
            truncated: *truncated,
        })
        .collect();
    let identity = Identity {
        brand: r.brand.clone(),
        names: [&r.name, &r.product]
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
    };
    let before = store::matches(conn, &alert_norm)?;
    let recorded = |lot: LotId, flag: bool| {
        before
            .iter()
            .any(|m| m.lot_id == lot && (m.status != Status::Ambiguous || !flag))
    };
    let reason = flag_reason(&stored.alert, stored.hazard.as_deref());
    let mut new = Vec::new();
    let mut record = |c: &Candidate, recall_lot: Option<i64>, flag: bool| -> Result<()> {
        if recorded(c.lot, flag) || new.contains(&c.lot) {
            return Ok(());
        }
        let flag_id = if flag {
            Some(cat::flag_lot(conn, c.lot, &reason, at, actor)?)
        } else {
            None
        };
        store::insert_match(
            conn,
            &NewMatch {
                recall: stored.id,
                recall_lot,
                lot: c.lot,
                status: if flag {
                    Status::Matched
                } else {
                    Status::Ambiguous
                },
                reason: c.reason.as_deref(),
                flag: flag_id,
                at,
                actor,
            },
        )?;
        new.push(c.lot);
        Ok(())
    };
    if lots.is_empty() {
        for c in matching::without_lots(&identity, catalog) {
            record(&c, None, false)?;
        }
    }
    for ((_, outcome), (recall_lot, ..)) in matching::match_lots(&identity, &lots, catalog)
        .iter()
        .zip(&recall_lots)
    {
        match outcome {
            Outcome::Matched(c) => record(c, Some(*recall_lot), true)?,
            Outcome::Ambiguous(cs) => {
                for c in cs {
                    record(c, Some(*recall_lot), false)?;
                }
            }
            Outcome::Unmatched => {}
        }
    }
    let changed = status != "unchanged" || !new.is_empty();
    let report = describe(conn, &stored, status, &new)?;
    Ok((report, changed, warnings))
}

/// What `recall confirm` did.
#[derive(Debug, Serialize)]
pub struct Confirmed {
    pub alert: String,
    pub supplier: String,
    pub code: String,
    pub product: String,
    pub lot: String,
    /// `false` when the lot was already flagged for this alert: nothing changed.
    pub flagged: bool,
    pub clients: Vec<ClientToCall>,
}

/// Flags a lot for an alert after a person has looked: `recall confirm ALERT --product P --lot L`.
pub fn confirm(db: &mut Db, alert: &str, product: &str, lot: &str) -> Result<Confirmed> {
    let stored = find_alert(&db.conn, alert)?;
    let p = cat::resolve_product(&db.conn, product)?;
    let lots = store::catalog(&db.conn)?
        .into_iter()
        .find(|c| c.id == p.id)
        .map(|c| c.lots)
        .unwrap_or_default();
    // The lot as written, else the one lot of the same key (`D 199` for `D-199`).
    let exact = lots.iter().find(|l| l.lot == lot.trim());
    let by_key: Vec<_> = lots
        .iter()
        .filter(|l| lot_key(&l.lot) == lot_key(lot))
        .collect();
    let target = match (exact, by_key.as_slice()) {
        (Some(l), _) | (None, &[l]) => l.clone(),
        _ => {
            return Err(Error::NotFound {
                what: "lot",
                name: format!("{} of {}", lot.trim(), cat::product_label(&p)),
                suggestions: lots.into_iter().map(|l| l.lot).collect(),
            })
        }
    };
    let alert_norm = normalize_name(&stored.alert);
    let (actor, at) = (db.actor.clone(), db.stamp());
    let tx = db.begin()?;
    let already = store::matches(&tx, &alert_norm)?
        .iter()
        .any(|m| m.lot_id == target.id && m.status != Status::Ambiguous);
    if !already {
        let reason = flag_reason(&stored.alert, stored.hazard.as_deref());
        let flag = cat::flag_lot(&tx, target.id, &reason, &at, &actor)?;
        store::insert_match(
            &tx,
            &NewMatch {
                recall: stored.id,
                recall_lot: None,
                lot: target.id,
                status: Status::Confirmed,
                reason: None,
                flag: Some(flag),
                at: &at,
                actor: &actor,
            },
        )?;
    }
    let report = describe(&tx, &stored, "stored", &[])?;
    let mut clients = clients_to_call(&tx, std::slice::from_ref(&report))?;
    clients.retain(|c| c.lot == target.lot && c.code == p.code && c.supplier == p.supplier);
    let detail = serde_json::json!({
        "alert": stored.alert, "supplier": p.supplier, "product": p.code, "lot": target.lot,
        "flagged": !already, "clients_to_call": clients.len(),
    });
    tx.commit("recall confirm", None, &detail)?;
    Ok(Confirmed {
        alert: stored.alert,
        supplier: p.supplier,
        code: p.code,
        product: p.name,
        lot: target.lot,
        flagged: !already,
        clients,
    })
}

/// An imported alert by its number (forgiving spelling), or an error naming the known ones.
pub fn find_alert(conn: &rusqlite::Connection, alert: &str) -> Result<store::StoredAlert> {
    if let Some(a) = store::latest(conn, &normalize_name(alert))? {
        return Ok(a);
    }
    let known: Vec<(String, String)> = store::list(conn)?
        .into_iter()
        .map(|a| {
            let norm = normalize_name(&a.alert);
            (a.alert, norm)
        })
        .collect();
    Err(Error::NotFound {
        what: "recall",
        name: alert.trim().to_string(),
        suggestions: crate::db::substances::closest(
            alert,
            known
                .iter()
                .map(|(a, n)| (a.as_str(), n.as_str(), a.as_str())),
            5,
        ),
    })
}
