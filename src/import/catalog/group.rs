//! A product's staged rows into one declaration, with no database: its ingredients in file
//! order (the rows may stand anywhere in the file), its lots, the first name, shade and kind,
//! and what contradicts itself. The fingerprint of an ingredient list is made here too.

use sha2::{Digest, Sha256};

use super::parse::{show_date, ItemDecl, LotDecl, RowDecl};
use super::report::Rejected;
use crate::db::catalog::Kind;
use crate::ident;

/// A product as the file declares it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProductDecl {
    pub supplier: String,
    pub code: String,
    pub name: Option<String>,
    pub shade: Option<Option<String>>,
    pub kind: Option<Kind>,
    pub first_line: u64,
    pub last_line: u64,
    /// Each ingredient with the line that declared it.
    pub items: Vec<(u64, ItemDecl)>,
    pub lots: Vec<LotDecl>,
    /// The fingerprint of `items` (see `fingerprint`): made where the product is assembled,
    /// which for a file read as it comes is the reading thread, beside the writer.
    pub fingerprint: String,
    pub errors: Vec<Rejected>,
    /// Warnings: (line, kind, message).
    pub notes: Vec<(u64, &'static str, String)>,
}

impl ProductDecl {
    pub fn lines(&self) -> String {
        if self.first_line == self.last_line {
            format!("line {}", self.first_line)
        } else {
            format!("lines {}-{}", self.first_line, self.last_line)
        }
    }
}

/// Assembles a product from its rows (in file order). `label`: one row per product, where a
/// second row of the same product must repeat the same ingredients (it may add a lot).
pub fn assemble(rows: Vec<RowDecl>, label: bool) -> ProductDecl {
    let mut p = ProductDecl::default();
    let mut first_items: Option<(u64, Vec<ItemDecl>)> = None;
    for row in rows {
        if p.first_line == 0 {
            p.supplier.clone_from(&row.supplier);
            p.code.clone_from(&row.code);
            p.first_line = row.line;
        }
        p.last_line = p.last_line.max(row.line);
        let line = row.line;
        if p.name.is_none() {
            p.name = row.name;
        }
        if p.shade.is_none() {
            p.shade = row.shade;
        }
        if p.kind.is_none() {
            p.kind = row.kind;
        }
        p.errors.extend(
            row.errors
                .into_iter()
                .map(|reason| Rejected { line, reason }),
        );
        if row.semicolons {
            p.notes.push((
                line,
                "label-semicolons",
                "the ingredient list separates items with ';': split on them; check that each item is one ingredient".into(),
            ));
        }
        if let Some(lot) = row.lot {
            add_lot(&mut p, lot);
        }
        if label {
            match &first_items {
                None => {
                    p.items.extend(row.items.iter().map(|i| (line, i.clone())));
                    first_items = Some((line, row.items));
                }
                Some((first, items)) if *items == row.items => p.notes.push((
                    line,
                    "repeat",
                    format!(
                        "product {:?} is declared again with the same ingredients as on line {first}; the repeat is ignored",
                        p.code
                    ),
                )),
                Some((first, _)) => p.errors.push(Rejected {
                    line,
                    reason: format!(
                        "product {:?} is declared on line {first} with other ingredients: a product is declared once",
                        p.code
                    ),
                }),
            }
        } else {
            p.items.extend(row.items.into_iter().map(|i| (line, i)));
        }
    }
    p.fingerprint = fingerprint(p.items.iter().map(|(_, i)| i));
    if p.items.is_empty() && p.errors.is_empty() {
        p.errors.push(Rejected {
            line: p.first_line,
            reason: format!(
                "product {:?} ({}) has no ingredient: add its ingredient rows (a product is imported with its whole ingredient list), or add lots with inkguard lot add",
                p.code,
                p.lines()
            ),
        });
    }
    p
}

fn add_lot(p: &mut ProductDecl, lot: LotDecl) {
    match p.lots.iter().find(|l| l.lot == lot.lot) {
        Some(l) if l.expires != lot.expires => p.errors.push(Rejected {
            line: lot.line,
            reason: format!(
                "lot {:?} has expiry {} here but {} on line {}",
                lot.lot,
                show_date(lot.expires),
                show_date(l.expires),
                l.line
            ),
        }),
        Some(_) => {}
        None => p.lots.push(lot),
    }
}

/// The identity of a declared ingredient list: what the supplier declared, in order.
pub fn fingerprint<'a>(items: impl IntoIterator<Item = &'a ItemDecl>) -> String {
    let mut h = Sha256::new();
    for item in items {
        let parts = [
            ident::normalize_name(&item.name),
            item.cas.join(","),
            item.ec.join(","),
            item.ci.join(","),
            item.concentration.clone().unwrap_or_default(),
            item.function.clone().unwrap_or_default(),
            item.may_contain.to_string(),
        ];
        for p in parts {
            h.update((p.len() as u64).to_le_bytes());
            h.update(p.as_bytes());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str) -> ItemDecl {
        ItemDecl {
            name: name.into(),
            cas: vec![],
            ec: vec![],
            ci: vec![],
            concentration: None,
            function: None,
            may_contain: false,
        }
    }

    fn row(line: u64, items: &[&str], lot: Option<(&str, &str)>) -> RowDecl {
        RowDecl {
            line,
            supplier: "S".into(),
            code: "P".into(),
            name: Some("Name".into()),
            items: items.iter().map(|n| item(n)).collect(),
            lot: lot.map(|(l, e)| LotDecl {
                lot: l.into(),
                expires: e.parse().ok(),
                line,
            }),
            ..RowDecl::default()
        }
    }

    #[test]
    fn rows_anywhere_in_the_file_make_one_product_in_file_order() {
        let p = assemble(
            vec![row(2, &["Aqua"], None), row(9, &["Glycerin"], None)],
            false,
        );
        assert!(p.errors.is_empty());
        let names: Vec<&str> = p.items.iter().map(|(_, i)| i.name.as_str()).collect();
        assert_eq!(names, ["Aqua", "Glycerin"]);
        assert_eq!(p.lines(), "lines 2-9");
    }

    #[test]
    fn a_lot_with_two_expiry_dates_is_an_invalid_row() {
        let p = assemble(
            vec![
                row(2, &["Aqua"], Some(("L1", "2027-01-31"))),
                row(3, &[], Some(("L1", "2028-01-31"))),
            ],
            false,
        );
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].line, 3);
    }

    #[test]
    fn a_label_product_declared_twice_must_repeat_its_ingredients() {
        let same = assemble(vec![row(2, &["Aqua"], None), row(5, &["Aqua"], None)], true);
        assert!(same.errors.is_empty());
        assert_eq!(same.items.len(), 1);
        assert_eq!(same.notes[0].1, "repeat");
        let other = assemble(
            vec![row(2, &["Aqua"], None), row(5, &["Glycerin"], None)],
            true,
        );
        assert_eq!(other.errors[0].line, 5);
    }

    #[test]
    fn a_product_without_ingredients_is_an_invalid_row() {
        let p = assemble(vec![row(4, &[], Some(("L", "")))], false);
        assert!(p.errors[0].reason.contains("has no ingredient"));
    }

    #[test]
    fn the_fingerprint_follows_the_declared_order() {
        let (a, b) = (item("Aqua"), item("Glycerin"));
        assert_ne!(fingerprint([&a, &b]), fingerprint([&b, &a]));
        assert_eq!(fingerprint([&a, &b]), fingerprint([&a.clone(), &b.clone()]));
    }
}
