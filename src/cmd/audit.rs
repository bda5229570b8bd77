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
        AuditCommand::Verify => {
            let (count, broken) = audit::verify(&db.conn)?;
            match broken {
                None => {
                    out.document(
                        &serde_json::json!({"events": count, "intact": true, "broken": null}),
                        &format!("audit chain intact: {count} events"),
                    )?;
                    Ok(0)
                }
                Some(b) => {
                    out.document(
                        &serde_json::json!({"events": count, "intact": false, "broken": &b}),
                        &format!("audit chain BROKEN at event #{}: {}", b.id, b.reason),
                    )?;
                    Err(Error::invalid_with_hint(
                        format!("the audit chain is broken at event #{}", b.id),
                        "the record was changed outside inkguard: restore a backup and compare",
                    ))
                }
            }
        }
    }
}
