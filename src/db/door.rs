//! The write door: a write transaction that can only be committed together with its audit
//! event. `Db::begin` takes the write lock (`BEGIN IMMEDIATE`) and notes the clinical rows no
//! event has claimed yet; `Write::commit(command, client, detail)` appends the event (which
//! claims, with their hashes, the clinical rows this transaction wrote) and commits, in one
//! step, so that no write lands without its event. Dropped without `commit`, it rolls back.

use std::ops::{Deref, DerefMut};

use rusqlite::Transaction;

use super::audit;
use crate::error::Result;

pub struct Write<'a> {
    tx: Transaction<'a>,
    actor: String,
    at: String,
}

impl<'a> Write<'a> {
    pub(super) fn new(tx: Transaction<'a>, actor: String, at: String) -> Write<'a> {
        Write { tx, actor, at }
    }

    /// Appends the event (as the session's actor, at the session's time) and commits. Returns
    /// the event's id.
    pub fn commit(
        self,
        command: &str,
        client: Option<&str>,
        detail: &serde_json::Value,
    ) -> Result<i64> {
        let id = audit::append(&self.tx, &self.actor, &self.at, command, client, detail)?;
        self.tx.commit()?;
        Ok(id)
    }

    /// Ends without writing anything (a dry run).
    pub fn rollback(self) -> Result<()> {
        Ok(self.tx.rollback()?)
    }
}

impl<'a> Deref for Write<'a> {
    type Target = Transaction<'a>;
    fn deref(&self) -> &Transaction<'a> {
        &self.tx
    }
}

impl DerefMut for Write<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}
