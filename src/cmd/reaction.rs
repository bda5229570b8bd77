//! `reaction list CLIENT`: the adverse reactions of a client, each with the treatment it
//! followed and the products and lots used then (`reaction record` is in `treatment.rs`, beside
//! the treatment it follows).

use serde::Serialize;

use crate::db::clinical;
use crate::db::Db;
use crate::error::Result;
use crate::output::{Output, Table};

use super::Exit;

#[derive(Debug, Serialize)]
struct ReactionRow {
    id: i64,
    treatment: i64,
    treated_at: String,
    onset: String,
    severity: String,
    symptoms: String,
    /// `SUPPLIER/CODE lot LOT`, one per lot used.
    lots: Vec<String>,
}

pub fn list(db: &Db, out: &Output, client: &str) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, client)?;
    let mut stmt = db.conn.prepare_cached(
        "SELECT r.id, r.treatment_id, t.at, r.onset, r.severity, r.symptoms,
                (SELECT group_concat(s.name || '/' || p.code || ' lot ' || l.lot, char(10))
                 FROM treatment_items ti JOIN lots l ON l.id = ti.lot_id
                 JOIN products p ON p.id = l.product_id JOIN suppliers s ON s.id = p.supplier_id
                 WHERE ti.treatment_id = r.treatment_id)
         FROM reactions r JOIN treatments t ON t.id = r.treatment_id
         WHERE r.client_id = ?1 ORDER BY r.onset, r.id",
    )?;
    let rows: Vec<ReactionRow> = stmt
        .query_map([client.id], |r| {
            let lots: Option<String> = r.get(6)?;
            Ok(ReactionRow {
                id: r.get(0)?,
                treatment: r.get(1)?,
                treated_at: r.get(2)?,
                onset: r.get(3)?,
                severity: r.get(4)?,
                symptoms: r.get(5)?,
                lots: lots
                    .map(|l| l.lines().map(str::to_string).collect())
                    .unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    if rows.is_empty() && out.format == crate::cli::Format::Table {
        out.text(&format!("no reaction recorded for {}", client.code))?;
        return Ok(0);
    }
    let mut table = Table::new(&[
        "id",
        "onset",
        "severity",
        "symptoms",
        "treatment",
        "lots used",
    ]);
    for r in &rows {
        table.row(vec![
            r.id.to_string(),
            crate::time::show_stamp(&r.onset, db.zone),
            r.severity.clone(),
            r.symptoms.clone(),
            format!(
                "#{} ({})",
                r.treatment,
                crate::time::show_stamp(&r.treated_at, db.zone)
            ),
            r.lots.join(", "),
        ]);
    }
    out.records(&rows, &table)?;
    Ok(0)
}
