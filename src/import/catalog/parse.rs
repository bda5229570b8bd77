//! Rows into declarations, with no database: cells by field, numbers and concentrations
//! parsed, label cells split, lots and expiry dates read; spreadsheet errors and sentences are
//! refused. What comes out is staged as it is (see `super::stage`) and grouped by product later.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::super::concentration;
use super::super::headers::{ColumnMap, Field};
use super::super::label;
pub use super::checks::{is_sentence, not_an_ingredient, spreadsheet_error};
pub use super::dates::{parse_expiry, parse_flag, show_date};
use crate::db::catalog::Kind;
use crate::ident::{self, Cas, ColourIndex, Ec};

/// Items in one label cell at most: no label is longer, and a broken file must not make the
/// import hold millions of items for one row.
pub const MAX_LABEL_ITEMS: usize = 1_000;

/// One declared ingredient as read (numbers as canonical text, so that it can be staged).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemDecl {
    pub name: String,
    pub cas: Vec<String>,
    pub ec: Vec<String>,
    pub ci: Vec<String>,
    pub concentration: Option<String>,
    pub function: Option<String>,
    pub may_contain: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LotDecl {
    pub lot: String,
    #[serde(with = "date_text")]
    pub expires: Option<NaiveDate>,
    pub line: u64,
}

/// Dates staged as `YYYY-MM-DD`.
mod date_text {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&d.to_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        text.map(|t| t.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

/// One row of the file, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct RowDecl {
    pub line: u64,
    pub supplier: String,
    pub code: String,
    pub name: Option<String>,
    /// `Some(None)`: the file has a shade column and this row leaves it empty.
    pub shade: Option<Option<String>>,
    pub kind: Option<Kind>,
    pub lot: Option<LotDecl>,
    pub items: Vec<ItemDecl>,
    pub errors: Vec<String>,
    /// The label cell separated items with `;`.
    pub semicolons: bool,
}

/// A row with its column map.
pub struct Cells<'r> {
    pub cells: &'r [&'r str],
    pub map: &'r ColumnMap,
}

impl<'r> Cells<'r> {
    /// The trimmed cell of a field; `None` when the column is absent or the cell empty.
    pub fn get(&self, field: Field) -> Option<&'r str> {
        let i = self.map.get(field)?;
        let cell = self.cells.get(i)?.trim();
        (!cell.is_empty()).then_some(cell)
    }
}

/// Why a row has no product: `Err(reason)`; else its (supplier, code).
pub fn product_of(row: &Cells, default_supplier: Option<&str>) -> Result<(String, String), String> {
    let supplier = row.get(Field::Supplier).or(default_supplier);
    let code = row.get(Field::ProductCode).or(row.get(Field::ProductName));
    match (supplier, code) {
        (_, None) => Err("no product code or name: every row needs one".into()),
        (None, _) => Err("no supplier: give --supplier NAME (or a supplier column)".into()),
        (Some(s), Some(c)) => Ok((s.trim().to_string(), c.trim().to_string())),
    }
}

/// Parses one row of a product (`label`: the one-row-per-product layout).
pub fn row(cells: &Cells, line: u64, supplier: String, code: String, label: bool) -> RowDecl {
    let mut d = RowDecl {
        line,
        supplier,
        code,
        name: cells.get(Field::ProductName).map(str::to_string),
        shade: cells
            .map
            .has(Field::Shade)
            .then(|| cells.get(Field::Shade).map(str::to_string)),
        ..RowDecl::default()
    };
    let items = [
        cells.map.get(Field::Ingredient),
        cells.map.get(Field::Declaration),
    ];
    for (i, cell) in cells.cells.iter().enumerate() {
        if items.contains(&Some(i)) {
            continue; // checked as an ingredient, below
        }
        if let Some(e) = spreadsheet_error(cell) {
            d.errors.push(format!(
                "column {} holds the spreadsheet error {e}: fix the formula in the spreadsheet and export again",
                i + 1
            ));
        }
    }
    if let Some(kind) = cells.get(Field::Kind) {
        match Kind::parse(kind) {
            Some(k) => d.kind = Some(k),
            None => d.errors.push(format!(
                "kind {kind:?} is not one of pigment, anaesthetic, aftercare, other"
            )),
        }
    }
    if let Some(lot) = cells.get(Field::Lot) {
        let expires = match cells.get(Field::Expiry).map(parse_expiry).transpose() {
            Ok(e) => e,
            Err(e) => {
                d.errors.push(e);
                None
            }
        };
        d.lot = Some(LotDecl {
            lot: lot.to_string(),
            expires,
            line,
        });
    } else if cells.get(Field::Expiry).is_some() {
        d.errors
            .push("an expiry date without a lot number: add the lot".into());
    }
    if label {
        label_items(cells, &mut d);
    } else {
        let has_ingredient = [Field::Ingredient, Field::Cas, Field::Ec, Field::Ci]
            .iter()
            .any(|f| cells.get(*f).is_some());
        if has_ingredient {
            match ingredient_from_cells(cells) {
                Ok(item) => d.items.push(item),
                Err(e) => d.errors.push(e),
            }
        } else if d.lot.is_none() {
            d.errors
                .push("no ingredient: the row has no ingredient name, CAS, EC or CI number".into());
        }
    }
    d
}

fn label_items(cells: &Cells, d: &mut RowDecl) {
    let Some(declaration) = cells.get(Field::Declaration) else {
        d.errors.push("the ingredient list is empty".into());
        return;
    };
    // Count before splitting: a declaration of a million items is refused, not held.
    if declaration.matches([',', ';']).count() >= MAX_LABEL_ITEMS {
        d.errors.push(format!(
            "the ingredient list has more than {MAX_LABEL_ITEMS} items ({} MB): check the file",
            declaration.len() / (1024 * 1024)
        ));
        return;
    }
    let label = label::read(declaration);
    d.semicolons = label.semicolons;
    for part in &label.items {
        match ingredient_from_label(part) {
            Ok(item) => d.items.push(item),
            Err(e) => d.errors.push(e),
        }
    }
    if d.items.is_empty() && d.errors.is_empty() {
        d.errors.push("the ingredient list is empty".into());
    }
}

#[derive(Default)]
struct Numbers {
    cas: Vec<Cas>,
    ec: Vec<Ec>,
    ci: Vec<ColourIndex>,
}

impl Numbers {
    fn is_empty(&self) -> bool {
        self.cas.is_empty() && self.ec.is_empty() && self.ci.is_empty()
    }
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, value: T) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Colour Index and CAS numbers written inside an ingredient's name count as declared.
fn numbers_in_name(name: &str, n: &mut Numbers, problems: &mut Vec<String>) {
    for ci in ident::ci::find_in_text(name) {
        push_unique(&mut n.ci, ci);
    }
    // A name that is a Colour Index number however written (`77499`, `CI-16255`) is one.
    if let Ok(ci) = ColourIndex::parse(name) {
        push_unique(&mut n.ci, ci);
    }
    for text in ident::cas::find_in_text(name) {
        match Cas::parse(text) {
            Ok(c) => push_unique(&mut n.cas, c),
            Err(e) => problems.push(e.to_string()),
        }
    }
}

fn numbers_as_name(n: &Numbers) -> String {
    n.cas
        .iter()
        .map(|c| format!("CAS {c}"))
        .chain(n.ci.iter().map(ToString::to_string))
        .chain(n.ec.iter().map(|e| format!("EC {e}")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn item(name: String, n: Numbers, concentration: Option<String>) -> ItemDecl {
    ItemDecl {
        name,
        cas: n.cas.iter().map(ToString::to_string).collect(),
        ec: n.ec.iter().map(ToString::to_string).collect(),
        ci: n.ci.iter().map(ToString::to_string).collect(),
        concentration,
        function: None,
        may_contain: false,
    }
}

fn ingredient_from_cells(cells: &Cells) -> Result<ItemDecl, String> {
    let name = cells.get(Field::Ingredient).unwrap_or_default().to_string();
    let mut problems: Vec<String> = Vec::new();
    if let Some(why) = not_an_ingredient(&name) {
        problems.push(why);
    }
    let mut n = Numbers::default();
    for part in ident::split_identifiers(cells.get(Field::Cas).unwrap_or_default()) {
        match Cas::parse(part) {
            Ok(c) => push_unique(&mut n.cas, c),
            Err(e) => problems.push(e.to_string()),
        }
    }
    for part in ident::split_identifiers(cells.get(Field::Ec).unwrap_or_default()) {
        match Ec::parse(part) {
            Ok(c) => push_unique(&mut n.ec, c),
            Err(e) => problems.push(e.to_string()),
        }
    }
    for part in ident::split_identifiers(cells.get(Field::Ci).unwrap_or_default()) {
        match ColourIndex::parse(part) {
            Ok(c) => push_unique(&mut n.ci, c),
            Err(e) => problems.push(e.to_string()),
        }
    }
    numbers_in_name(&name, &mut n, &mut problems);
    let text = match concentration::parse(cells.get(Field::Concentration).unwrap_or_default()) {
        Ok(c) => c.map(|c| c.text),
        Err(e) => {
            problems.push(e.to_string());
            None
        }
    };
    let may_contain = match cells.get(Field::MayContain).map(parse_flag).transpose() {
        Ok(flag) => flag.unwrap_or(false),
        Err(e) => {
            problems.push(e);
            false
        }
    };
    if name.is_empty() && n.is_empty() && problems.is_empty() {
        problems.push("no ingredient name".into());
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    let name = if name.is_empty() {
        numbers_as_name(&n)
    } else {
        name
    };
    let mut it = item(name, n, text);
    it.function = cells.get(Field::Function).map(str::to_string);
    it.may_contain = may_contain;
    Ok(it)
}

fn ingredient_from_label(part: &label::LabelItem) -> Result<ItemDecl, String> {
    let text = part.text.as_str();
    let mut problems = Vec::new();
    if let Some(why) = not_an_ingredient(text) {
        problems.push(why);
    }
    let mut n = Numbers::default();
    numbers_in_name(text, &mut n, &mut problems);
    let conc = match part.concentration.as_deref().map(concentration::parse) {
        Some(Ok(c)) => c.map(|c| c.text),
        Some(Err(e)) => {
            problems.push(e.to_string());
            None
        }
        None => None,
    };
    if !problems.is_empty() {
        return Err(format!("{text:?}: {}", problems.join("; ")));
    }
    let mut it = item(text.to_string(), n, conc);
    it.function = part.impurity.then(|| "impurity".to_string());
    it.may_contain = part.may_contain;
    Ok(it)
}

#[cfg(test)]
mod tests {
    use super::super::super::headers::match_headers;
    use super::*;

    fn parse(headers: &[&str], cells: &[&str], label: bool) -> RowDecl {
        let map = match_headers(headers, &[]).unwrap();
        let c = Cells { cells, map: &map };
        let (s, code) = product_of(&c, Some("S")).unwrap();
        row(&c, 2, s, code, label)
    }

    #[test]
    fn spreadsheet_errors_are_invalid_rows_not_ingredients() {
        let d = parse(
            &["code", "name", "ingredient"],
            &["P", "N", "#NAME?"],
            false,
        );
        assert!(d.items.is_empty());
        assert!(d.errors.iter().any(|e| e.contains("#NAME?")), "{d:?}");
        let d = parse(
            &["code", "name", "ingredients"],
            &["P", "N", "Aqua, #REF!"],
            true,
        );
        assert!(d.errors.iter().any(|e| e.contains("#REF!")), "{d:?}");
    }

    #[test]
    fn sentences_are_invalid_rows_not_ingredients() {
        for s in [
            "This product is not tested on animals",
            "Please consult the packaging for the most up to date list",
            "See www.example.com for details",
        ] {
            assert!(is_sentence(s), "{s}");
        }
        for s in [
            "Prunus Amygdalus Dulcis (Sweet Almond) Seed Meal",
            "Helianthus Annuus (Sunflower) Seed Oil (and) Rosmarinus officinalis (Rosemary) Leaf Extract",
            "Titanium dioxide",
            "Iron Oxides (CI 77491, CI 77499)",
        ] {
            assert!(!is_sentence(s), "{s}");
        }
        let d = parse(
            &["code", "name", "ingredients"],
            &[
                "P",
                "N",
                "Aqua, Glycerin, This product is free of parabens and is vegan",
            ],
            true,
        );
        assert_eq!(d.items.len(), 2);
        assert!(d.errors[0].contains("sentence"), "{d:?}");
    }

    #[test]
    fn a_label_cell_is_split_with_impurity_notes_and_may_contain() {
        let d = parse(
            &["code", "name", "ingredients"],
            &[
                "P",
                "N",
                "Aqua; Nickel (impurity) < 2 mg/kg; May contain: CI 77491",
            ],
            true,
        );
        assert!(d.semicolons);
        assert_eq!(d.items.len(), 3, "{d:?}");
        assert_eq!(d.items[1].function.as_deref(), Some("impurity"));
        assert_eq!(d.items[1].concentration.as_deref(), Some("< 2 mg/kg"));
        assert!(d.items[2].may_contain);
        assert_eq!(d.items[2].ci, vec!["CI 77491".to_string()]);
    }

    #[test]
    fn a_lot_row_reads_its_expiry_and_an_expiry_needs_a_lot() {
        let h = ["code", "name", "ingredient", "lot", "expiry"];
        let d = parse(&h, &["P", "N", "", "L1", "31.03.2027"], false);
        assert_eq!(
            d.lot.as_ref().unwrap().expires.unwrap().to_string(),
            "2027-03-31"
        );
        assert!(d.errors.is_empty());
        let d = parse(&h, &["P", "N", "Aqua", "", "2027-03"], false);
        assert!(d.errors[0].contains("without a lot"));
    }
}
