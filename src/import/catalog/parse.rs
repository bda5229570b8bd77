//! Rows into declarations, with no database: cells by field, numbers and concentrations
//! parsed, label cells split, lots and expiry dates read; spreadsheet errors and sentences are
//! refused. What comes out is staged as it is (see `super::stage`) and grouped by product later.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::super::headers::{ColumnMap, Field};
use super::super::label;
pub use super::checks::{is_sentence, not_an_ingredient, spreadsheet_error};
pub use super::dates::{parse_expiry, parse_flag, show_date};
use super::memo::{self, Memo};
use crate::db::catalog::Kind;
use crate::ident::{Cas, ColourIndex, Ec};

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
pub fn row(
    cells: &Cells,
    line: u64,
    (supplier, code): (String, String),
    label: bool,
    memo: &mut Memo,
) -> RowDecl {
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
        label_items(cells, &mut d, memo);
    } else {
        let has_ingredient = [Field::Ingredient, Field::Cas, Field::Ec, Field::Ci]
            .iter()
            .any(|f| cells.get(*f).is_some());
        if has_ingredient {
            match ingredient_from_cells(cells, memo) {
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

fn label_items(cells: &Cells, d: &mut RowDecl, memo: &mut Memo) {
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
        match ingredient_from_label(part, memo) {
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

fn push_unique<T: PartialEq + Clone>(list: &mut Vec<T>, values: &[T]) {
    for value in values {
        if !list.contains(value) {
            list.push(value.clone());
        }
    }
}

/// Colour Index and CAS numbers written inside an ingredient's name count as declared.
fn numbers_in_name(name: &memo::Name, n: &mut Numbers, problems: &mut Vec<String>) {
    push_unique(&mut n.ci, &name.ci);
    push_unique(&mut n.cas, &name.cas);
    problems.extend(name.problems.iter().cloned());
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

/// The text of a concentration as declared, when it is understood.
fn concentration_text(memo: &mut Memo, cell: &str, problems: &mut Vec<String>) -> Option<String> {
    match memo.concentration(cell) {
        Ok(c) => c.as_ref().map(|c| c.text.clone()),
        Err(e) => {
            problems.push(e.clone());
            None
        }
    }
}

fn ingredient_from_cells(cells: &Cells, memo: &mut Memo) -> Result<ItemDecl, String> {
    let name = cells.get(Field::Ingredient).unwrap_or_default().to_string();
    let mut problems: Vec<String> = Vec::new();
    let facts = memo.name(&name);
    if let Some(why) = &facts.not_an_ingredient {
        problems.push(why.clone());
    }
    let mut n = Numbers::default();
    if let Some(cell) = cells.get(Field::Cas) {
        let cas = memo.cas(cell);
        push_unique(&mut n.cas, &cas.found);
        problems.extend(cas.problems.iter().cloned());
    }
    if let Some(cell) = cells.get(Field::Ec) {
        let ec = memo.ec(cell);
        push_unique(&mut n.ec, &ec.found);
        problems.extend(ec.problems.iter().cloned());
    }
    if let Some(cell) = cells.get(Field::Ci) {
        let ci = memo.ci(cell);
        push_unique(&mut n.ci, &ci.found);
        problems.extend(ci.problems.iter().cloned());
    }
    numbers_in_name(memo.name(&name), &mut n, &mut problems);
    let text = match cells.get(Field::Concentration) {
        Some(cell) => concentration_text(memo, cell, &mut problems),
        None => None,
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

fn ingredient_from_label(part: &label::LabelItem, memo: &mut Memo) -> Result<ItemDecl, String> {
    let text = part.text.as_str();
    let mut problems = Vec::new();
    let facts = memo.name(text);
    if let Some(why) = &facts.not_an_ingredient {
        problems.push(why.clone());
    }
    let mut n = Numbers::default();
    numbers_in_name(facts, &mut n, &mut problems);
    let conc = match part.concentration.as_deref() {
        Some(cell) => concentration_text(memo, cell, &mut problems),
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
#[path = "parse_tests.rs"]
mod tests;
