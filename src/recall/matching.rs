//! Which catalog lots an alert means: the alert's brand against the product's supplier (and
//! name), the alert's name against the product's name or code (names compared like ingredient
//! names), and its lots against the product's lots by `lot_key`. Only a certain product (brand
//! and name both equal) with exactly one lot of that key is a match; everything else that
//! could be meant is ambiguous, for a person to confirm. Pure: no database.

use serde::Serialize;

use super::extract::ExtractedLot;
use crate::ident::{lot_key, normalize_name};
use crate::ids::{LotId, ProductId};

/// A product of the catalog with its lots, as the matcher sees it.
#[derive(Debug, Clone)]
pub struct CatalogProduct {
    pub id: ProductId,
    pub supplier: String,
    pub code: String,
    pub name: String,
    pub lots: Vec<CatalogLot>,
}

#[derive(Debug, Clone)]
pub struct CatalogLot {
    pub id: LotId,
    pub lot: String,
}

/// What the alert says the product is.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub brand: Option<String>,
    /// The alert's name and product fields (Safety Gate has both: `Tattoo ink`, `Tiefschwarz`).
    pub names: Vec<String>,
}

/// How well a product fits the alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fit {
    /// Brand equals the supplier and a name equals the product's name or code.
    Certain,
    /// Something fits, not everything: why it is not certain.
    Uncertain(String),
}

/// Words that say what a product is, not which one: left out when names are compared by words.
const GENERIC: [&str; 14] = [
    "tattoo",
    "ink",
    "inks",
    "tattooink",
    "colour",
    "color",
    "farbe",
    "tattoofarbe",
    "pigment",
    "pmu",
    "encre",
    "tinta",
    "inchiostro",
    "tätowierfarbe",
];

/// Legal forms left out when a brand is compared with a supplier.
const LEGAL_FORMS: [&str; 24] = [
    "gmbh", "ltd", "limited", "inc", "llc", "co", "kg", "ag", "sa", "sl", "srl", "sas", "sarl",
    "bv", "nv", "oy", "ab", "spa", "plc", "corp", "company", "ug", "ohg", "ek",
];

/// The words of a name, each in key form, without the generic and legal ones.
fn words(text: &str, drop: &[&str]) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .map(normalize_name)
        .filter(|w| !w.is_empty() && !drop.contains(&w.as_str()))
        .collect()
}

/// All of `small` among `big`, and `small` not empty.
fn within(small: &[String], big: &[String]) -> bool {
    !small.is_empty() && small.iter().all(|w| big.contains(w))
}

/// How the alert's brand fits a product: `Some(true)` equal to the supplier, `Some(false)`
/// word for word inside the supplier or the product name (or the other way), `None` not at all.
fn brand_fit(brand: &str, p: &CatalogProduct) -> Option<bool> {
    let b = words(brand, &LEGAL_FORMS);
    let s = words(&p.supplier, &LEGAL_FORMS);
    if !b.is_empty() && b.concat() == s.concat() {
        return Some(true);
    }
    let n = words(&p.name, &[]);
    (within(&b, &s) || within(&s, &b) || within(&b, &n)).then_some(false)
}

/// How one of the alert's names fits a product: `Some(true)` equal to its name or code,
/// `Some(false)` word for word inside it (or the other way), `None` not at all.
fn name_fit(name: &str, p: &CatalogProduct) -> Option<bool> {
    let key = normalize_name(name);
    if !key.is_empty() && (key == normalize_name(&p.name) || key == normalize_name(&p.code)) {
        return Some(true);
    }
    let a = words(name, &GENERIC);
    let n = words(&p.name, &GENERIC);
    (within(&a, &n) || within(&n, &a)).then_some(false)
}

/// How a product fits the alert, or `None` when neither its brand nor a name does.
pub fn fit(identity: &Identity, p: &CatalogProduct) -> Option<Fit> {
    let brand = identity.brand.as_deref().and_then(|b| brand_fit(b, p));
    let name = identity.names.iter().filter_map(|n| name_fit(n, p)).max();
    match (brand, name) {
        (None, None) => None,
        (Some(true), Some(true)) => Some(Fit::Certain),
        (brand, name) => {
            let why = match (brand, name) {
                (None, _) if identity.brand.is_none() => "the alert names no brand".to_string(),
                (None, _) => format!(
                    "the brand {:?} is not the supplier {:?}",
                    identity.brand.as_deref().unwrap_or_default(),
                    p.supplier
                ),
                (_, None) if identity.names.is_empty() => "the alert names no product".to_string(),
                (_, None) => format!(
                    "the product {:?} is not named {:?}",
                    p.name,
                    identity.names.join(" / ")
                ),
                (Some(false), _) => format!(
                    "the brand {:?} only partly matches the supplier {:?}",
                    identity.brand.as_deref().unwrap_or_default(),
                    p.supplier
                ),
                _ => format!(
                    "the name {:?} only partly matches {:?}",
                    identity.names.join(" / "),
                    p.name
                ),
            };
            Some(Fit::Uncertain(why))
        }
    }
}

/// A catalog lot an alert lot could mean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub product: ProductId,
    pub lot: LotId,
    /// Why a person has to confirm it (`None` for a match).
    pub reason: Option<String>,
}

/// What became of one lot of the alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// One certain lot: flag it.
    Matched(Candidate),
    /// Lots it could mean, none certain: list them for a person.
    Ambiguous(Vec<Candidate>),
    /// No lot of a fitting product.
    Unmatched,
}

/// Matches each lot of an alert against the catalog.
pub fn match_lots(
    identity: &Identity,
    lots: &[ExtractedLot],
    catalog: &[CatalogProduct],
) -> Vec<(ExtractedLot, Outcome)> {
    let fits: Vec<(&CatalogProduct, Fit)> = catalog
        .iter()
        .filter_map(|p| fit(identity, p).map(|f| (p, f)))
        .collect();
    lots.iter()
        .map(|lot| (lot.clone(), match_one(lot, &fits)))
        .collect()
}

fn match_one(lot: &ExtractedLot, fits: &[(&CatalogProduct, Fit)]) -> Outcome {
    let key = lot_key(lot.text.trim_end_matches(['…', '.']));
    if key.is_empty() {
        return Outcome::Unmatched;
    }
    let mut hits: Vec<(Candidate, bool)> = Vec::new();
    for (p, fit) in fits {
        for l in &p.lots {
            let other = lot_key(&l.lot);
            let same = if lot.truncated {
                other.starts_with(&key)
            } else {
                other == key
            };
            if same {
                let reason = match fit {
                    Fit::Certain => None,
                    Fit::Uncertain(why) => Some(why.clone()),
                };
                hits.push((
                    Candidate {
                        product: p.id,
                        lot: l.id,
                        reason,
                    },
                    *fit == Fit::Certain,
                ));
            }
        }
    }
    let certain = hits.iter().filter(|(_, c)| *c).count();
    match hits.len() {
        0 => Outcome::Unmatched,
        1 if certain == 1 && !lot.truncated => Outcome::Matched(hits.remove(0).0),
        _ => Outcome::Ambiguous(
            hits.into_iter()
                .map(|(mut c, _)| {
                    c.reason = Some(match c.reason {
                        _ if lot.truncated => format!(
                            "the alert's batch {:?} is cut off: it could be this lot",
                            lot.text
                        ),
                        Some(why) => why,
                        None => format!("the batch {:?} could be several lots", lot.text),
                    });
                    c
                })
                .collect(),
        ),
    }
}

/// The lots of fitting products an alert without a recognisable lot could mean: every lot of a
/// product whose brand and name both fit, for a person to confirm.
pub fn without_lots(identity: &Identity, catalog: &[CatalogProduct]) -> Vec<Candidate> {
    catalog
        .iter()
        .filter(|p| {
            identity
                .brand
                .as_deref()
                .and_then(|b| brand_fit(b, p))
                .is_some()
                && identity.names.iter().any(|n| name_fit(n, p).is_some())
        })
        .flat_map(|p| {
            p.lots.iter().map(|l| Candidate {
                product: p.id,
                lot: l.id,
                reason: Some("the alert names no batch this tool can read".into()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: i64, supplier: &str, code: &str, name: &str, lots: &[&str]) -> CatalogProduct {
        CatalogProduct {
            id: ProductId(id),
            supplier: supplier.into(),
            code: code.into(),
            name: name.into(),
            lots: lots
                .iter()
                .enumerate()
                .map(|(i, l)| CatalogLot {
                    id: LotId(id * 100 + i as i64),
                    lot: l.to_string(),
                })
                .collect(),
        }
    }

    fn lot(text: &str) -> ExtractedLot {
        ExtractedLot {
            text: text.into(),
            truncated: text.ends_with('…'),
        }
    }

    fn identity(brand: &str, name: &str) -> Identity {
        Identity {
            brand: Some(brand.into()),
            names: vec!["Tattoo ink".into(), name.into()],
        }
    }

    fn catalog() -> Vec<CatalogProduct> {
        vec![
            product(
                1,
                "Farbwerk GmbH",
                "FW-101",
                "Tiefschwarz",
                &["FW25-001", "D-199"],
            ),
            product(2, "Farbwerk GmbH", "FW-102", "Tiefschwarz Matt", &["D 199"]),
            product(3, "Lumen Pigments", "RP", "Rose Petal", &["D199", "SS-202"]),
        ]
    }

    #[test]
    fn a_certain_product_with_one_lot_of_the_key_is_a_match() {
        let out = match_lots(
            &identity("Farbwerk", "Tiefschwarz"),
            &[lot("Lot FW25 001"), lot("FW99-9")],
            &catalog(),
        );
        assert_eq!(
            out[0].1,
            Outcome::Matched(Candidate {
                product: ProductId(1),
                lot: LotId(100),
                reason: None
            })
        );
        assert_eq!(out[1].1, Outcome::Unmatched);
    }

    #[test]
    fn a_lot_of_a_product_that_only_partly_fits_is_ambiguous_not_matched() {
        // `D 199` is a lot of FW-101 (certain) and of FW-102 (the name only partly fits).
        let out = match_lots(
            &identity("Farbwerk", "Tiefschwarz"),
            &[lot("D 199")],
            &catalog(),
        );
        let Outcome::Ambiguous(c) = &out[0].1 else {
            panic!("{out:?}")
        };
        assert_eq!(c.len(), 2);
        assert!(c.iter().all(|c| c.reason.is_some()));
    }

    #[test]
    fn a_lot_of_another_brand_and_name_is_never_matched() {
        let out = match_lots(
            &identity("Farbwerk", "Tiefschwarz"),
            &[lot("SS 202")],
            &catalog(),
        );
        assert_eq!(out[0].1, Outcome::Unmatched);
    }

    #[test]
    fn a_cut_off_batch_is_ambiguous_even_for_a_certain_product() {
        let out = match_lots(
            &identity("Farbwerk", "Tiefschwarz"),
            &[lot("FW25…")],
            &catalog(),
        );
        assert!(
            matches!(&out[0].1, Outcome::Ambiguous(c) if c.len() == 1),
            "{out:?}"
        );
    }

    #[test]
    fn without_a_brand_nothing_is_certain() {
        let id = Identity {
            brand: None,
            names: vec!["Rose Petal".into()],
        };
        let out = match_lots(&id, &[lot("SS202")], &catalog());
        assert!(
            matches!(&out[0].1, Outcome::Ambiguous(c) if c[0].reason.as_deref() == Some("the alert names no brand")),
            "{out:?}"
        );
    }

    #[test]
    fn an_alert_without_lots_lists_every_lot_of_the_fitting_products() {
        let listed = without_lots(&identity("Lumen", "Rose Petal"), &catalog());
        assert_eq!(listed.len(), 2);
        assert!(listed.iter().all(|c| c.product == ProductId(3)));
    }
}
