//! What is in stock (SPEC 5, the safe list): the lots of every product, counted as usable
//! (not expired, not flagged), expired or flagged, in one query over all lots.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::Connection;

use crate::error::Result;
use crate::ids::{LotId, ProductId};

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
/// Two plain scans, counted here: SQLite's grouping walked the lots by product index and looked
/// each one up (three times the time of reading them in order).
pub fn by_product(conn: &Connection, today: NaiveDate) -> Result<HashMap<ProductId, Stock>> {
    let flagged: HashSet<LotId> = conn
        .prepare_cached("SELECT DISTINCT lot_id FROM lot_flags")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt =
        conn.prepare_cached("SELECT id, product_id, coalesce(expires < ?1, 0) FROM lots")?;
    let rows = stmt.query_map([today.format("%Y-%m-%d").to_string()], |r| {
        <(LotId, ProductId, bool)>::try_from(r)
    })?;
    let mut stock: HashMap<ProductId, Stock> = HashMap::new();
    for row in rows {
        let (lot, product, expired) = row?;
        let flagged = flagged.contains(&lot);
        let s = stock.entry(product).or_default();
        s.lots += 1;
        s.expired += usize::from(expired);
        s.flagged += usize::from(flagged);
        s.usable += usize::from(!expired && !flagged);
    }
    Ok(stock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_product_without_a_usable_lot_says_why_and_one_without_lots_is_no_lot_recorded() {
        let stock = |lots, usable, expired, flagged| Stock {
            lots,
            usable,
            expired,
            flagged,
        };
        assert!(!stock(0, 0, 0, 0).none_usable());
        assert_eq!(stock(0, 0, 0, 0).describe(), "no lot recorded");
        assert_eq!(stock(2, 0, 0, 2).describe(), "every lot recalled");
        assert_eq!(stock(2, 0, 2, 0).describe(), "every lot expired");
        assert_eq!(
            stock(2, 0, 1, 1).describe(),
            "every lot expired or recalled"
        );
        assert!(stock(2, 0, 1, 1).none_usable());
        assert_eq!(stock(3, 2, 1, 0).describe(), "2 lots in stock");
        assert_eq!(stock(1, 1, 0, 0).describe(), "1 lot in stock");
    }

    #[test]
    fn a_lot_is_usable_through_its_expiry_date_and_never_once_flagged() {
        let conn = Connection::open_in_memory().unwrap();
        crate::db::migrate(&conn).unwrap();
        conn.execute_batch(
            "INSERT INTO suppliers (id, name, norm) VALUES (1, 'S', 's');
             INSERT INTO products (id, supplier_id, code, code_norm, name, name_norm, kind, created_at)
               VALUES (1, 1, 'P', 'p', 'P', 'p', 'pigment', 'x');
             INSERT INTO formulations (id, product_id, version, fingerprint, imported_at, source)
               VALUES (1, 1, 1, '', 'x', 'test');
             INSERT INTO lots (id, product_id, formulation_id, lot, expires, created_at) VALUES
               (1, 1, 1, 'today', '2026-11-23', 'x'), (2, 1, 1, 'gone', '2026-11-22', 'x'),
               (3, 1, 1, 'open', NULL, 'x'), (4, 1, 1, 'recalled', '2030-01-01', 'x');
             INSERT INTO lot_flags (lot_id, reason, flagged_at, actor) VALUES (4, 'r', 'x', 't'), (4, 'again', 'x', 't');",
        )
        .unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let s = by_product(&conn, today).unwrap()[&ProductId(1)];
        assert_eq!(
            s,
            Stock {
                lots: 4,
                usable: 2,
                expired: 1,
                flagged: 1
            }
        );
    }
}
