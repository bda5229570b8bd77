//! Column headers by meaning, in English, German, French, Spanish and Italian: `CAS`, `CAS No.`,
//! `CAS-Nr.`, `N° CAS`; `Charge`, `Lot`, `Batch`; `INCI`, `Bestandteil`, ... and `--map` for
//! anything else.

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::ident::normalize_name;

/// What a column means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Supplier,
    ProductCode,
    ProductName,
    Shade,
    Kind,
    Ingredient,
    Declaration,
    Cas,
    Ec,
    Ci,
    Concentration,
    Function,
    MayContain,
    Lot,
    Expiry,
    Synonyms,
}

impl Field {
    /// The name used with `--map FIELD=COLUMN` and in messages.
    pub fn key(self) -> &'static str {
        match self {
            Field::Supplier => "supplier",
            Field::ProductCode => "code",
            Field::ProductName => "name",
            Field::Shade => "shade",
            Field::Kind => "kind",
            Field::Ingredient => "ingredient",
            Field::Declaration => "ingredients",
            Field::Cas => "cas",
            Field::Ec => "ec",
            Field::Ci => "ci",
            Field::Concentration => "concentration",
            Field::Function => "function",
            Field::MayContain => "may_contain",
            Field::Lot => "lot",
            Field::Expiry => "expiry",
            Field::Synonyms => "synonyms",
        }
    }

    pub const ALL: [Field; 16] = [
        Field::Supplier,
        Field::ProductCode,
        Field::ProductName,
        Field::Shade,
        Field::Kind,
        Field::Ingredient,
        Field::Declaration,
        Field::Cas,
        Field::Ec,
        Field::Ci,
        Field::Concentration,
        Field::Function,
        Field::MayContain,
        Field::Lot,
        Field::Expiry,
        Field::Synonyms,
    ];

    pub fn from_key(key: &str) -> Option<Field> {
        let k = key.trim().to_ascii_lowercase().replace('-', "_");
        Field::ALL.into_iter().find(|f| f.key() == k)
    }

    /// The header texts that mean this field, before normalisation.
    fn headers(self) -> &'static [&'static str] {
        super::header_words::of(self)
    }
}

/// Which column (0-based) holds each field.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap {
    pub columns: HashMap<Field, usize>,
    /// Header texts no field claimed.
    pub ignored: Vec<String>,
}

impl ColumnMap {
    pub fn get(&self, field: Field) -> Option<usize> {
        self.columns.get(&field).copied()
    }

    pub fn has(&self, field: Field) -> bool {
        self.columns.contains_key(&field)
    }
}

/// A `--map FIELD=COLUMN` given by the user: COLUMN is a header text or a 1-based number.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub field: Field,
    pub column: String,
}

impl Mapping {
    pub fn parse(text: &str) -> Result<Mapping> {
        let fields = || {
            Field::ALL
                .iter()
                .map(|f| f.key())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (field, column) = text.split_once('=').ok_or_else(|| {
            Error::invalid_with_hint(
                format!("--map {text:?} is not FIELD=COLUMN"),
                "for example: --map cas=\"CAS-Nummer\" or --map ingredient=3",
            )
        })?;
        let field = Field::from_key(field).ok_or_else(|| {
            Error::invalid_with_hint(
                format!("--map: {field:?} is not a field"),
                format!("fields: {}", fields()),
            )
        })?;
        Ok(Mapping {
            field,
            column: column.trim().to_string(),
        })
    }
}

/// Strips what headers carry besides their meaning: case, accents, punctuation, units in
/// brackets (`Konzentration (%)` stays `konzentration`), so that `CAS-Nr.` is `casnr`.
pub fn header_key(h: &str) -> String {
    let h = h.trim().trim_start_matches('\u{feff}');
    if h.trim() == "%" {
        return "%".into();
    }
    let without_brackets = match h.find(['(', '[']) {
        Some(0) | None => h,
        Some(at) => &h[..at],
    };
    normalize_name(without_brackets)
}

/// Reads a header row: each column is matched against every field's header texts.
/// `--map` entries win. Returns `None` when the row names no known field.
pub fn match_headers(headers: &[&str], maps: &[Mapping]) -> Result<ColumnMap> {
    let mut lookup: HashMap<String, Field> = HashMap::new();
    for field in Field::ALL {
        for h in field.headers() {
            lookup.entry(header_key(h)).or_insert(field);
        }
    }
    let mut map = ColumnMap::default();
    for mapping in maps {
        let index = match mapping.column.parse::<usize>() {
            Ok(n) if n >= 1 && n <= headers.len() => Some(n - 1),
            Ok(n) => {
                return Err(Error::invalid(format!(
                    "--map {}={n}: the file has {} columns",
                    mapping.field.key(),
                    headers.len()
                )))
            }
            Err(_) => {
                let want = normalize_name(&mapping.column);
                headers.iter().position(|h| normalize_name(h) == want)
            }
        };
        let index = index.ok_or_else(|| {
            Error::invalid_with_hint(
                format!(
                    "--map {}={:?}: no column has that header",
                    mapping.field.key(),
                    mapping.column
                ),
                format!("the headers are: {}", quoted(headers)),
            )
        })?;
        map.columns.insert(mapping.field, index);
    }
    for (i, h) in headers.iter().enumerate() {
        if map.columns.values().any(|c| *c == i) {
            continue;
        }
        match lookup.get(&header_key(h)) {
            Some(field) if !map.columns.contains_key(field) => {
                map.columns.insert(*field, i);
            }
            _ if !h.trim().is_empty() => map.ignored.push(h.trim().to_string()),
            _ => {}
        }
    }
    Ok(map)
}

pub fn quoted(headers: &[&str]) -> String {
    headers
        .iter()
        .map(|h| format!("{:?}", h.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[path = "headers_tests.rs"]
mod tests;
