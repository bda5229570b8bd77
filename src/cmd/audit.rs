//! `audit log|verify`.

use crate::cli::AuditCommand;
use crate::db::{audit, clinical, Db};
use crate::error::{Error, Result};
use crate::output::{Output, Table};

use super::Exit;

pub fn run(db: &Db, out: &Output, command: AuditCommand) -> Result<Exit> {
    match command {
        AuditCommand::Log { client } => {
            let client = client
                .map(|c| clinical::resolve_client(&db.conn, &c))
                .transpose()?;
            let events = audit::events(&db.conn, client.as_ref().map(|c| c.code.as_str()))?;
            let mut table = Table::new(&["id", "at", "actor", "command", "client", "detail"]);
            for e in &events {
                table.row(vec![
                    e.id.to_string(),
                    out.time(&e.at, db.zone),
                    e.actor.clone(),
                    e.command.clone(),
                    e.client.clone().unwrap_or_default(),
                    e.detail.to_string(),
                ]);
            }
            out.records(&events, &table)?;
            Ok(0)
        }
        AuditCommand::Verify { expect } => {
            let expect = expect.as_deref().map(audit::Head::parse).transpose()?;
            let v = audit::verify_all(&db.conn, expect.as_ref())?;
            let mut text = String::new();
            if let Some(b) = &v.broken {
                text.push_str(&format!(
                    "audit chain BROKEN at event #{}: {}\n",
                    b.id, b.reason
                ));
            }
            for p in v.time_reversals.iter().chain(&v.records) {
                text.push_str(&format!("TAMPERED: {p}\n"));
            }
            if let Some(e) = &v.expect {
                text.push_str(&format!("TAMPERED: {e}\n"));
            }
            if v.intact {
                let kept = if expect.is_some() {
                    ", and it holds the head kept elsewhere"
                } else {
                    ""
                };
                text.push_str(&format!(
                    "audit chain intact: {} events, every record matches its event{kept}\n",
                    v.events
                ));
            }
            text.push_str(&format!(
                "head: {} (keep it elsewhere; check later with inkguard audit verify --expect {})",
                v.head, v.head
            ));
            out.document(&v, &text)?;
            if v.intact {
                return Ok(0);
            }
            let first = v
                .broken
                .as_ref()
                .map(|b| format!("the audit chain is broken at event #{}", b.id))
                .or_else(|| v.expect.clone())
                .or_else(|| v.records.first().cloned())
                .or_else(|| v.time_reversals.first().cloned())
                .unwrap_or_default();
            Err(Error::invalid_with_hint(
                format!("the record was changed outside inkguard: {first}"),
                "restore a backup and compare; keep the printed head elsewhere as evidence",
            ))
        }
    }
}
