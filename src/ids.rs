//! Newtype ids, one per table that others point at, as cargo's `util/sqlite.rs` keeps them: a
//! client's id cannot be passed where a lot's is meant. Each is an `i64` in SQLite
//! (`ToSql`/`FromSql`) and in JSON (`#[serde(transparent)]`), so the output does not change.
//! They live at the crate root, not in `db`, so that the pure engine (`screening`) speaks of the
//! same ids as the queries that load its facts without depending on the database module.

use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::Serialize;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl $name {
            /// The bare row id, where a plain integer is stored or shown (an audit detail).
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                i64::column_result(value).map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

ids!(
    /// `clients.id`
    ClientId,
    /// `products.id`
    ProductId,
    /// `formulations.id`
    FormulationId,
    /// `lots.id`
    LotId,
    /// `substances.id`
    SubstanceId,
    /// `treatments.id`
    TreatmentId,
    /// `patch_tests.id`
    PatchTestId,
    /// `sensitivities.id`
    SensitivityId,
    /// `groups.id`
    GroupId,
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_an_integer_in_sqlite_and_in_json() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let back: ClientId = conn
            .query_row("SELECT ?1", [ClientId(42)], |r| r.get(0))
            .unwrap();
        assert_eq!(back, ClientId(42));
        let kind: String = conn
            .query_row("SELECT typeof(?1)", [LotId(7)], |r| r.get(0))
            .unwrap();
        assert_eq!(kind, "integer");
        assert_eq!(serde_json::to_string(&ProductId(3)).unwrap(), "3");
        assert_eq!("12".parse::<SubstanceId>(), Ok(SubstanceId(12)));
        assert!("x".parse::<SubstanceId>().is_err());
    }
}
