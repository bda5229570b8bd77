//! Tests of `import::headers`.

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
