//! `policy show|set`.

use serde::Serialize;

use crate::cli::PolicyCommand;
use crate::db::clinical;
use crate::db::Db;
use crate::error::Result;
use crate::output::{Output, Table};
use crate::policy::PolicyKey;

use super::Exit;

#[derive(Serialize)]
struct Entry {
    key: String,
    value: String,
    default: String,
    is_default: bool,
}

pub fn run(db: &mut Db, out: &Output, command: PolicyCommand) -> Result<Exit> {
    match command {
        PolicyCommand::Show => {
            let entries: Vec<Entry> = clinical::policy_values(&db.conn)?
                .into_iter()
                .map(|(key, value, is_default)| Entry {
                    key: key.name().to_string(),
                    value,
                    default: key.default_value(),
                    is_default,
                })
                .collect();
            let mut table = Table::new(&["key", "value", "default"]);
            for e in &entries {
                table.row(vec![
                    e.key.clone(),
                    e.value.clone(),
                    if e.is_default {
                        "(default)".into()
                    } else {
                        e.default.clone()
                    },
                ]);
            }
            out.records(&entries, &table)?;
        }
        PolicyCommand::Set { key, value } => {
            let key = PolicyKey::parse(&key)?;
            let stored = key.check(&value)?;
            let before = clinical::policy_values(&db.conn)?
                .into_iter()
                .find(|(k, _, _)| *k == key)
                .map(|(_, v, _)| v)
                .unwrap_or_default();
            let tx = db.begin()?;
            clinical::set_policy(&tx, key.name(), &stored)?;
            let key = key.name();
            let detail = serde_json::json!({"key": key, "value": stored, "was": before});
            tx.commit("policy set", None, &detail)?;
            out.document(&detail, &format!("policy {key}: {before} -> {stored}"))?;
        }
    }
    Ok(0)
}
