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
        match self {
            Field::Supplier => &[
                "supplier",
                "lieferant",
                "hersteller",
                "fournisseur",
                "proveedor",
                "fornitore",
                "manufacturer",
            ],
            Field::ProductCode => &[
                "code",
                "product code",
                "sku",
                "article",
                "article no",
                "article number",
                "item",
                "item no",
                "item number",
                "ref",
                "reference",
                "product id",
                "artikelnummer",
                "artikel nr",
                "art nr",
                "artikel",
                "produktcode",
                "produktnummer",
                "code produit",
                "référence",
                "référence produit",
                "codigo",
                "código",
                "código de producto",
                "referencia",
                "codice",
                "codice articolo",
                "codice prodotto",
                "articolo",
            ],
            Field::ProductName => &[
                "product",
                "product name",
                "name",
                "productname",
                "produkt",
                "produktname",
                "bezeichnung",
                "produktbezeichnung",
                "artikelbezeichnung",
                "nom",
                "nom du produit",
                "produit",
                "désignation",
                "producto",
                "nombre",
                "nombre del producto",
                "prodotto",
                "nome",
                "nome prodotto",
                "denominazione",
            ],
            Field::Shade => &[
                "shade",
                "colour",
                "color",
                "colour name",
                "farbe",
                "farbton",
                "teinte",
                "couleur",
                "nuance",
                "tono",
                "colore",
                "tonalità",
                "sfumatura",
            ],
            Field::Kind => &[
                "kind",
                "type",
                "product type",
                "category",
                "typ",
                "produktart",
                "produkttyp",
                "art",
                "kategorie",
                "catégorie",
                "type de produit",
                "tipo",
                "tipo de producto",
                "categoría",
                "categoria",
                "tipo di prodotto",
            ],
            Field::Ingredient => &[
                "ingredient",
                "ingredient name",
                "inci",
                "inci name",
                "substance",
                "substance name",
                "component",
                "chemical name",
                "bestandteil",
                "inhaltsstoff",
                "stoff",
                "stoffname",
                "inci bezeichnung",
                "ingrédient",
                "composant",
                "nom inci",
                "substance chimique",
                "ingrediente",
                "componente",
                "sustancia",
                "nombre inci",
                "sostanza",
                "nome inci",
                // Reference lists: CosIng annexes, CLP Annex VI, IFRA, the Dutch tattoo decree.
                "chemical name / inn",
                "chemical name",
                "international chemical identification",
                "principal name",
                "stoffen",
                "stof",
                "mogelijke ci naam",
            ],
            Field::Declaration => &[
                "ingredients",
                "ingredient list",
                "ingredients list",
                "inci list",
                "declaration",
                "label declaration",
                "composition",
                "full ingredients",
                "inhaltsstoffe",
                "zusammensetzung",
                "inci liste",
                "deklaration",
                "ingrédients",
                "liste des ingrédients",
                "liste inci",
                "ingredientes",
                "composición",
                "lista de ingredientes",
                "ingredienti",
                "composizione",
                "lista ingredienti",
            ],
            Field::Cas => &[
                "cas",
                "cas no",
                "cas number",
                "cas nr",
                "cas nummer",
                "cas-nr",
                "cas rn",
                "cas registry number",
                "n cas",
                "n° cas",
                "nº cas",
                "no cas",
                "numéro cas",
                "numero cas",
                "número cas",
                "cas n",
                "cas numero",
                "cas-nummer",
                "cas no.",
            ],
            Field::Ec => &[
                "ec",
                "ec no",
                "ec number",
                "einecs",
                "einecs no",
                "einecs elincs",
                "eg",
                "eg nr",
                "eg nummer",
                "ce",
                "n ce",
                "n° ce",
                "numéro ce",
                "no ce",
                "numero ce",
                "número ce",
                "einecs nr",
            ],
            Field::Ci => &[
                "ci",
                "c i",
                "ci no",
                "ci number",
                "colour index",
                "color index",
                "colour index number",
                "color index number",
                "ci nr",
                "ci nummer",
                "n ci",
                "n° ci",
                "numéro ci",
                "numero ci",
                "número ci",
                "indice de couleur",
                "indice colore",
                "farbindex",
                "colour index number / name of common ingredients glossary",
            ],
            Field::Concentration => &[
                "concentration",
                "conc",
                "%",
                "percent",
                "percentage",
                "amount",
                "w w",
                "content",
                "concentration %",
                "konzentration",
                "anteil",
                "gehalt",
                "menge",
                "teneur",
                "concentración",
                "porcentaje",
                "concentrazione",
                "percentuale",
            ],
            Field::Function => &[
                "function", "role", "purpose", "funktion", "zweck", "fonction", "rôle", "función",
                "funcion", "funzione",
            ],
            Field::MayContain => &[
                "may contain",
                "may_contain",
                "+/-",
                "kann enthalten",
                "peut contenir",
                "puede contener",
                "può contenere",
            ],
            Field::Lot => &[
                "lot",
                "batch",
                "lot no",
                "lot number",
                "batch no",
                "batch number",
                "charge",
                "chargennummer",
                "charge nr",
                "chargen nr",
                "ch b",
                "numéro de lot",
                "n de lot",
                "lote",
                "número de lote",
                "lotto",
                "numero di lotto",
                "partita",
            ],
            Field::Expiry => &[
                "expiry",
                "expires",
                "expiry date",
                "expiration",
                "expiration date",
                "best before",
                "exp",
                "use by",
                "mhd",
                "haltbarkeit",
                "haltbar bis",
                "verfallsdatum",
                "ablaufdatum",
                "verwendbar bis",
                "péremption",
                "date de péremption",
                "date d'expiration",
                "caducidad",
                "fecha de caducidad",
                "vencimiento",
                "scadenza",
                "data di scadenza",
            ],
            Field::Synonyms => &[
                "synonyms",
                "synonym",
                "aliases",
                "alias",
                "synonyme",
                "sinónimos",
                "sinonimi",
            ],
        }
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
mod tests {
    use super::*;

    fn fields(headers: &[&str]) -> Vec<Option<Field>> {
        let map = match_headers(headers, &[]).unwrap();
        (0..headers.len())
            .map(|i| map.columns.iter().find(|(_, c)| **c == i).map(|(f, _)| *f))
            .collect()
    }

    #[test]
    fn headers_are_matched_in_five_languages() {
        assert_eq!(
            fields(&[
                "Artikelnummer",
                "Produktname",
                "Farbton",
                "Bestandteil",
                "CAS-Nr.",
                "EG-Nr.",
                "Konzentration (%)",
                "Charge"
            ]),
            vec![
                Some(Field::ProductCode),
                Some(Field::ProductName),
                Some(Field::Shade),
                Some(Field::Ingredient),
                Some(Field::Cas),
                Some(Field::Ec),
                Some(Field::Concentration),
                Some(Field::Lot)
            ]
        );
        assert_eq!(
            fields(&["Référence", "Nom du produit", "Ingrédient", "N° CAS", "Lot"]),
            vec![
                Some(Field::ProductCode),
                Some(Field::ProductName),
                Some(Field::Ingredient),
                Some(Field::Cas),
                Some(Field::Lot)
            ]
        );
        assert_eq!(
            fields(&[
                "Código",
                "Producto",
                "Ingrediente",
                "Número CAS",
                "Lote",
                "Fecha de caducidad"
            ]),
            vec![
                Some(Field::ProductCode),
                Some(Field::ProductName),
                Some(Field::Ingredient),
                Some(Field::Cas),
                Some(Field::Lot),
                Some(Field::Expiry)
            ]
        );
        assert_eq!(
            fields(&["Codice", "Prodotto", "Ingredienti", "Lotto", "Scadenza"]),
            vec![
                Some(Field::ProductCode),
                Some(Field::ProductName),
                Some(Field::Declaration),
                Some(Field::Lot),
                Some(Field::Expiry)
            ]
        );
        assert_eq!(
            fields(&["Product", "INCI", "CAS No.", "Batch", "Price"]),
            vec![
                Some(Field::ProductName),
                Some(Field::Ingredient),
                Some(Field::Cas),
                Some(Field::Lot),
                None
            ]
        );
    }

    #[test]
    fn map_wins_over_header_meaning() {
        let maps = [
            Mapping::parse("ingredient=Stuff").unwrap(),
            Mapping::parse("cas=3").unwrap(),
        ];
        let map = match_headers(&["Product", "Stuff", "Registry"], &maps).unwrap();
        assert_eq!(map.get(Field::Ingredient), Some(1));
        assert_eq!(map.get(Field::Cas), Some(2));
        assert!(Mapping::parse("nonsense=3").is_err());
        assert!(match_headers(&["a"], &[Mapping::parse("cas=Missing").unwrap()]).is_err());
    }
}
