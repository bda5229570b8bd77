//! Finding the header row of a catalog file, and the error (with a `--map` that names the
//! right field and only headers the file has) when none is found.

use super::super::headers::{self, ColumnMap, Field, Mapping};
use super::super::CsvSource;
use crate::error::{Error, Result};
use crate::ident;

/// The two layouts of SPEC 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    PerIngredient,
    Label,
}

impl Layout {
    pub fn describe(self) -> &'static str {
        match self {
            Layout::PerIngredient => "one row per ingredient",
            Layout::Label => "one row per product",
        }
    }
}

/// Finds the header row; rows before it (a title, a date, a title with trailing commas) are a
/// preamble. Returns the map, the layout and the header cells.
pub fn find(
    source: &mut CsvSource,
    record: &mut csv::StringRecord,
    maps: &[Mapping],
) -> Result<(ColumnMap, Layout, Vec<String>)> {
    let found = super::super::find_header(source, record, maps, |cells, map| {
        let product = map.has(Field::ProductCode) || map.has(Field::ProductName);
        let ingredient = map.has(Field::Ingredient) || map.has(Field::Cas) || map.has(Field::Ci);
        let cells: Vec<String> = cells.iter().map(|c| c.trim().to_string()).collect();
        if product && ingredient {
            Some((map, Layout::PerIngredient, cells))
        } else if product && map.has(Field::Declaration) {
            Some((map, Layout::Label, cells))
        } else {
            None
        }
    })?;
    match found {
        Ok(found) => Ok(found),
        Err(seen) => {
            let file = super::super::display_name(std::path::Path::new(&source.info.file));
            Err(no_header(&file, &seen, maps))
        }
    }
}

/// Whether a header names a whole ingredient list (`Label`, `INCI list`, `Zutaten`).
fn names_a_list(header: &str) -> bool {
    let h = ident::normalize_name(header);
    [
        "label",
        "list",
        "inci",
        "declaration",
        "composition",
        "zutaten",
        "full",
    ]
    .iter()
    .any(|w| h.contains(w))
}

fn no_header(file: &str, seen: &[String], maps: &[Mapping]) -> Error {
    let refs: Vec<&str> = seen.iter().map(String::as_str).collect();
    let map = headers::match_headers(&refs, maps).unwrap_or_default();
    // Headers no field claimed, the list-like ones kept for `ingredients`.
    let (mut lists, mut others): (Vec<&String>, Vec<&String>) =
        map.ignored.iter().partition(|h| names_a_list(h));
    lists.reverse();
    others.reverse();
    let mut example = Vec::new();
    if !(map.has(Field::ProductCode) || map.has(Field::ProductName)) {
        if let Some(h) = others.pop() {
            example.push(format!("--map name={h:?}"));
        }
    }
    if !(map.has(Field::Ingredient) || map.has(Field::Declaration)) {
        if let Some(h) = lists.pop() {
            example.push(format!("--map ingredients={h:?}"));
        } else if let Some(h) = others.pop() {
            example.push(format!("--map ingredient={h:?}"));
        }
    }
    if !map.has(Field::Cas) && !map.has(Field::Declaration) {
        if let Some(h) = others.pop() {
            example.push(format!("--map cas={h:?}"));
        }
    }
    let mut hints = vec![
        "a catalog needs a product code or name column, and either an ingredient (or CAS/CI) column or a whole ingredient list column".into(),
    ];
    if !example.is_empty() {
        hints.push(format!(
            "name the columns with --map, for example: {}",
            example.join(" ")
        ));
    }
    hints.push("fields for --map: code, name, shade, kind, ingredient (one per row), ingredients (a whole list in one cell), cas, ec, ci, concentration, function, may_contain, lot, expiry, supplier".into());
    Error::Invalid {
        message: format!(
            "{file}: cannot find the product and ingredient columns; the headers are: {}",
            if seen.is_empty() {
                "(none: the file is empty)".to_string()
            } else {
                headers::quoted(&refs)
            }
        ),
        hints,
    }
}
