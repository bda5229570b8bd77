//! The fields of an alert and the headers (or `Key:` labels) that mean them, in English,
//! German, French, Spanish and Italian, compared as the catalog import compares its headers
//! (`import::headers::header_key`).

use crate::import::headers::header_key;

/// What a field of an alert means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertField {
    Alert,
    Product,
    Name,
    Brand,
    Batch,
    Hazard,
    Measure,
    /// A field known to be something else (category, barcode, country): left alone.
    Other,
}

impl AlertField {
    const ALL: [AlertField; 8] = [
        AlertField::Alert,
        AlertField::Product,
        AlertField::Name,
        AlertField::Brand,
        AlertField::Batch,
        AlertField::Hazard,
        AlertField::Measure,
        AlertField::Other,
    ];

    /// The header texts that mean this field, before `header_key`.
    fn headers(self) -> &'static [&'static str] {
        match self {
            AlertField::Alert => &[
                "alert",
                "alert number",
                "alert no",
                "alert nr",
                "alert id",
                "alert reference",
                "reference",
                "rapex reference",
                "rapex number",
                "safety gate reference",
                "notification number",
                "case number",
                "meldung",
                "meldungsnummer",
                "warnmeldung",
                "numéro d'alerte",
                "numéro de l'alerte",
                "référence de l'alerte",
                "número de alerta",
                "numero di allerta",
                "numero dell'allerta",
            ],
            AlertField::Product => &[
                "product",
                "product type",
                "type of product",
                "produkt",
                "produktart",
                "produit",
                "producto",
                "prodotto",
            ],
            AlertField::Name => &[
                "name",
                "product name",
                "name of the product",
                "produktname",
                "bezeichnung",
                "nom",
                "nom du produit",
                "nombre",
                "nombre del producto",
                "nome",
                "nome del prodotto",
                "designation",
                "désignation",
            ],
            AlertField::Brand => &[
                "brand",
                "brand name",
                "brands",
                "trademark",
                "trade mark",
                "marke",
                "markenname",
                "marque",
                "marca",
                "manufacturer",
                "hersteller",
                "supplier",
                "lieferant",
                "fabricant",
                "fabricante",
                "produttore",
            ],
            AlertField::Batch => &[
                "batch",
                "batches",
                "batch text",
                "batch number",
                "batch numbers",
                "batch no",
                "batch number / barcode",
                "batch number/barcode",
                "batch number, barcode",
                "batch number and barcode",
                "lot",
                "lots",
                "lot number",
                "lot numbers",
                "lot no",
                "charge",
                "chargen",
                "chargennummer",
                "chargennummer / barcode",
                "charge / barcode",
                "numéro de lot",
                "numéros de lot",
                "lot / code-barres",
                "lote",
                "número de lote",
                "lotto",
                "numero di lotto",
                "partita",
            ],
            AlertField::Hazard => &[
                "hazard",
                "hazards",
                "risk",
                "risk type",
                "type of risk",
                "risks",
                "description of risk",
                "risk description",
                "danger",
                "gefahr",
                "risiko",
                "risikoart",
                "risikobeschreibung",
                "risque",
                "type de risque",
                "riesgo",
                "tipo de riesgo",
                "rischio",
                "tipo di rischio",
            ],
            AlertField::Measure => &[
                "measure",
                "measures",
                "measures taken",
                "measures adopted",
                "measures adopted by notifying country",
                "measures taken by economic operators",
                "measures ordered by public authorities",
                "maßnahmen",
                "massnahmen",
                "ergriffene maßnahmen",
                "mesures",
                "mesures prises",
                "medidas",
                "medidas adoptadas",
                "misure",
                "misure adottate",
            ],
            AlertField::Other => &[
                "category",
                "product category",
                "type of alert",
                "alert type",
                "alert submitted by",
                "notifying country",
                "country of origin",
                "counterfeit",
                "barcode",
                "ean",
                "type / number of model",
                "type/number of model",
                "model",
                "description",
                "packaging description",
                "oecd portal category",
                "products were found and measures were taken also in",
                "company recall page",
                "url of case",
                "kategorie",
                "herkunftsland",
                "catégorie",
                "categoría",
                "categoria",
                "date",
                "published",
                "publication date",
                "week",
                "source",
            ],
        }
    }
}

/// The field a header means: its `header_key` among the known texts, else a word it holds
/// (`Batch number (if known)`, `Measures adopted by the economic operator`).
pub fn field_of(header: &str) -> Option<AlertField> {
    exact_field(header).or_else(|| loose_field(header))
}

/// The field whose header texts hold this one exactly (after `header_key`).
pub(super) fn exact_field(header: &str) -> Option<AlertField> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    AlertField::ALL
        .into_iter()
        .find(|field| field.headers().iter().any(|h| header_key(h) == key))
}

/// The field of a word the header holds.
fn loose_field(header: &str) -> Option<AlertField> {
    let key = header_key(header);
    let fallbacks: [(&str, AlertField); 8] = [
        ("batch", AlertField::Batch),
        ("charge", AlertField::Batch),
        ("alert", AlertField::Alert),
        ("brand", AlertField::Brand),
        ("hazard", AlertField::Hazard),
        ("risk", AlertField::Hazard),
        ("measure", AlertField::Measure),
        ("massnahme", AlertField::Measure),
    ];
    fallbacks
        .iter()
        .find(|(word, _)| key.contains(word))
        .map(|(_, field)| *field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_matched_loosely() {
        assert_eq!(field_of("Alert number"), Some(AlertField::Alert));
        assert_eq!(field_of("RAPEX-Reference"), Some(AlertField::Alert));
        assert_eq!(field_of("Batch number / Barcode"), Some(AlertField::Batch));
        assert_eq!(field_of("Chargennummer"), Some(AlertField::Batch));
        assert_eq!(field_of("Batch number (if known)"), Some(AlertField::Batch));
        assert_eq!(field_of("Marke"), Some(AlertField::Brand));
        assert_eq!(field_of("Description of risk"), Some(AlertField::Hazard));
        assert_eq!(
            field_of("Measures adopted by notifying country"),
            Some(AlertField::Measure)
        );
        assert_eq!(field_of("Product category"), Some(AlertField::Other));
        assert_eq!(field_of("Price"), None);
    }
}
