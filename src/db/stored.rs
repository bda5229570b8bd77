//! Stored enums, read with an error: a value this inkguard does not know (written by hand, or
//! by a newer version) stops the command with `UnknownStored`, naming the column and the value,
//! instead of reading as some default. A default could be milder than what was meant; a false
//! CLEAR is the one failure inkguard exists to prevent.
//!
//! Each enum has one column it is stored in (`Stored::COLUMN`): `FromSql` and `ToSql` read and
//! write it there, and `from_stored` reads a text already taken from it.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

use super::catalog::Kind;
use crate::screening::{Certainty, Grade, Level, Relation, Source};

/// A stored value this inkguard does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the database holds an unknown {what} {value:?} in {column}")]
pub struct UnknownStored {
    pub what: &'static str,
    pub column: &'static str,
    pub value: String,
}

/// An enum kept in one column as a word.
pub trait Stored: Sized {
    /// What a value is, for the error: `grade`.
    const WHAT: &'static str;
    /// Where it is stored: `readings.grade`.
    const COLUMN: &'static str;
    fn from_word(word: &str) -> Option<Self>;
    fn word(&self) -> &'static str;
}

/// Reads a stored word, failing on one this inkguard does not know.
pub fn from_stored<T: Stored>(word: &str) -> Result<T, UnknownStored> {
    T::from_word(word).ok_or_else(|| UnknownStored {
        what: T::WHAT,
        column: T::COLUMN,
        value: word.to_string(),
    })
}

fn column_result<T: Stored>(value: ValueRef<'_>) -> FromSqlResult<T> {
    let word = match value {
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Null => "NULL".to_string(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Blob(_) => "(a blob)".to_string(),
    };
    from_stored(&word).map_err(|e| FromSqlError::Other(Box::new(e)))
}

macro_rules! stored {
    ($ty:ty, $what:literal, $column:literal, $from:expr) => {
        impl Stored for $ty {
            const WHAT: &'static str = $what;
            const COLUMN: &'static str = $column;
            fn from_word(word: &str) -> Option<Self> {
                $from(word)
            }
            fn word(&self) -> &'static str {
                self.as_str()
            }
        }
        impl FromSql for $ty {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                column_result(value)
            }
        }
        impl ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.word()))
            }
        }
    };
}

stored!(Grade, "grade", "readings.grade", Grade::parse);
stored!(
    Source,
    "sensitivity source",
    "sensitivities.source",
    Source::parse
);
stored!(
    Certainty,
    "sensitivity certainty",
    "sensitivities.certainty",
    Certainty::parse
);
stored!(
    Relation,
    "group relation",
    "groups.relation",
    Relation::parse
);
stored!(Level, "group on_match", "groups.on_match", Level::parse);
stored!(Kind, "product kind", "products.kind", kind_from_word);

/// The four words the schema allows; a kind as suppliers write it is read as that kind.
fn kind_from_word(word: &str) -> Option<Kind> {
    match word {
        "pigment" => Some(Kind::Pigment),
        "anaesthetic" => Some(Kind::Anaesthetic),
        "aftercare" => Some(Kind::Aftercare),
        "other" => Some(Kind::Other),
        _ => Kind::parse(word),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn an_unknown_stored_word_is_an_error_naming_column_and_value() {
        let conn = Connection::open_in_memory().unwrap();
        let got: rusqlite::Result<Grade> = conn.query_row("SELECT 'x'", [], |r| r.get(0));
        let err = crate::error::Error::from(got.unwrap_err());
        assert_eq!(
            err.to_string(),
            "the database holds an unknown grade \"x\" in readings.grade"
        );
        assert!(err.hints()[0].contains("inkguard doctor"));
    }

    #[test]
    fn every_stored_word_reads_back_as_itself() {
        let conn = Connection::open_in_memory().unwrap();
        for level in [Level::Info, Level::Note, Level::Caution, Level::Block] {
            let back: Level = conn.query_row("SELECT ?1", [&level], |r| r.get(0)).unwrap();
            assert_eq!(back, level);
        }
        for kind in [
            Kind::Pigment,
            Kind::Anaesthetic,
            Kind::Aftercare,
            Kind::Other,
        ] {
            let back: Kind = conn.query_row("SELECT ?1", [&kind], |r| r.get(0)).unwrap();
            assert_eq!(back, kind);
        }
    }
}
