//! What is in stock (SPEC 5, the safe list): the lots of every product, counted as usable
//! (not expired, not flagged), expired or flagged, in one query over all lots.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::error::Result;

/// The lots of one product, by state. A lot both expired and flagged counts in both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stock {
    pub lots: usize,
    /// Not expired (usable through its expiry date) and never flagged.
    pub usable: usize,
    pub expired: usize,
    pub flagged: usize,
}

impl Stock {
    /// A product with lots of which none can be used.
    pub fn none_usable(&self) -> bool {
        self.lots > 0 && self.usable == 0
    }

    /// Why none of the lots can be used, in a technician's words.
    pub fn why_unusable(&self) -> &'static str {
        if self.flagged == self.lots {
            "every lot recalled"
        } else if self.expired == self.lots {
            "every lot expired"
        } else {
            "every lot expired or recalled"
        }
    }

    /// How the stock reads in a list: `2 lots in stock`, `no lot recorded`.
    pub fn describe(&self) -> String {
        match (self.lots, self.usable) {
            (0, _) => "no lot recorded".into(),
            (_, 0) => self.why_unusable().into(),
            (_, 1) => "1 lot in stock".into(),
            (_, n) => format!("{n} lots in stock"),
        }
    }
}

/// The stock of every product that has a lot, by product id. `today` is the clinic's date: a
/// lot expiring on a date is usable through the end of that date (as `check --lot` judges it).
pub fn by_product(conn: &Connection, today: NaiveDate) -> Result<HashMap<i64, Stock>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.product_id, count(*),
                sum(l.expires IS NOT NULL AND l.expires < ?1),
                sum(EXISTS (SELECT 1 FROM lot_flags f WHERE f.lot_id = l.id)),
                sum(NOT (l.expires IS NOT NULL AND l.expires < ?1)
                    AND NOT EXISTS (SELECT 1 FROM lot_flags f WHERE f.lot_id = l.id))
         FROM lots l GROUP BY l.product_id",
    )?;
    let rows = stmt.query_map([today.format("%Y-%m-%d").to_string()], |r| {
        let count = |i: usize| -> rusqlite::Result<usize> {
            Ok(usize::try_from(r.get::<_, i64>(i)?).unwrap_or(0))
        };
        Ok((
            r.get::<_, i64>(0)?,
            Stock {
                lots: count(1)?,
                expired: count(2)?,
                flagged: count(3)?,
                usable: count(4)?,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
