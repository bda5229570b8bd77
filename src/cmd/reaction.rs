//! `reaction list CLIENT`: the adverse reactions of a client, each with the treatment it
//! followed and the products and lots used then (`reaction record` is in `treatment.rs`, beside
//! the treatment it follows).

use crate::db::Db;
use crate::db::{clinical, treatment_records};
use crate::error::Result;
use crate::output::{Output, Table};

use super::Exit;

pub fn list(db: &Db, out: &Output, client: &str) -> Result<Exit> {
    let client = clinical::resolve_client(&db.conn, client)?;
    let rows = treatment_records::reactions_of_client(&db.conn, client.id)?;
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
