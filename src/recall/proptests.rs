//! Property tests of the lot normaliser, the extractor and the matcher: normalising is
//! idempotent and blind to case, spacing and dash variants; no batch text makes the extractor
//! panic; a lot of a product whose brand and name do not both fit is never matched.

use proptest::prelude::*;

use super::extract::{extract_lots, ExtractedLot};
use super::matching::{fit, match_lots, CatalogLot, CatalogProduct, Fit, Identity, Outcome};
use crate::ident::lot::LABELS;
use crate::ident::lot_key;
use crate::ids::{LotId, ProductId};

/// Dashes as word processors and authorities write them.
const DASHES: [&str; 9] = [
    "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2212}", "\u{FE63}",
    "\u{FF0D}",
];

/// A lot number: letters and digits.
fn lot_number() -> impl Strategy<Value = String> {
    "[A-Z0-9]{1,12}"
}

/// The lot written another way: each gap between characters gets nothing, spaces or a dash,
/// and each letter its case flipped or not.
fn respelt(lot: &str, gaps: &[(u8, bool)]) -> String {
    let mut out = String::new();
    for (i, c) in lot.chars().enumerate() {
        let (gap, lower) = gaps.get(i).copied().unwrap_or((0, false));
        if i > 0 {
            match gap % 4 {
                0 => {}
                1 => out.push(' '),
                2 => out.push_str("  "),
                _ => out.push_str(DASHES[usize::from(gap) % DASHES.len()]),
            }
        }
        out.extend(if lower {
            c.to_lowercase().collect::<Vec<_>>()
        } else {
            vec![c]
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn normalising_a_lot_is_idempotent(text in any::<String>()) {
        let once = lot_key(&text);
        prop_assert_eq!(lot_key(&once), once);
    }

    #[test]
    fn normalising_a_labelled_lot_is_idempotent(label in "(Lot|LOT-Nr\\.|Batch No|Charge|Ch\\.-B\\.|lot lot|Batch)?", sep in "[ :.#-]{0,2}", lot in "[A-Za-z0-9 -]{0,14}") {
        let once = lot_key(&format!("{label}{sep}{lot}"));
        prop_assert_eq!(lot_key(&once), once);
    }

    #[test]
    fn case_spacing_and_dashes_do_not_change_a_lot(lot in lot_number(), gaps in proptest::collection::vec((any::<u8>(), any::<bool>()), 12)) {
        // The one exception, by design: a label followed by a space is a label (`LOT US12` is
        // lot `US12`, `LOTUS12` is lot `LOTUS12`).
        let lower = lot.to_lowercase();
        prop_assume!(!LABELS.iter().any(|l| lower.starts_with(&l[..l.len().min(3)])));
        prop_assert_eq!(lot_key(&respelt(&lot, &gaps)), lot_key(&lot));
    }

    #[test]
    fn a_label_before_a_lot_does_not_change_it(lot in "[0-9][A-Z0-9]{0,10}", label in "(Lot|LOT-Nr\\.|Batch|Batch No|Charge|Ch\\.-B\\.|lot:)") {
        prop_assert_eq!(lot_key(&format!("{label} {lot}")), lot_key(&lot));
    }

    #[test]
    fn no_batch_text_makes_the_extractor_panic(text in any::<String>()) {
        let e = extract_lots(&text);
        for lot in e.lots {
            prop_assert!(lot.text.chars().any(char::is_numeric));
        }
    }

    #[test]
    fn an_extracted_lot_keeps_its_key(lot in "[0-9][A-Z0-9]{2,10}", label in "(Lot|LOT-Nr\\.|Batch No|Charge|Ch\\.-B\\.|BATCH:)") {
        let e = extract_lots(&format!("{label} {lot}, best before 31.12.2030"));
        prop_assert_eq!(e.lots.len(), 1);
        prop_assert_eq!(lot_key(&e.lots[0].text), lot_key(&lot));
    }

    #[test]
    fn a_lot_of_another_product_is_never_matched(
        brand in "(Farbwerk|Lumen|Inkworks|Farbwerk GmbH|)",
        name in "(Tiefschwarz|Rose Petal|Night Blue|Tiefschwarz Matt|)",
        products in proptest::collection::vec((
            "(Farbwerk GmbH|Lumen Pigments|Inkworks|Other Ltd)",
            "(Tiefschwarz|Rose Petal|Night Blue|Tiefschwarz Matt|Black)",
            proptest::collection::vec("(D 199|D-199|SS202|91024110|RX44Q12)", 0..3),
        ), 0..6),
        lots in proptest::collection::vec("(D 199|SS 202|91024110|RX44Q…|199 E06)", 1..4),
    ) {
        let catalog: Vec<CatalogProduct> = products
            .iter()
            .enumerate()
            .map(|(i, (supplier, pname, lots))| CatalogProduct {
                id: ProductId(i as i64),
                supplier: supplier.clone(),
                code: format!("P{i}"),
                name: pname.clone(),
                lots: lots
                    .iter()
                    .enumerate()
                    .map(|(j, l)| CatalogLot { id: LotId((i * 10 + j) as i64), lot: l.clone() })
                    .collect(),
            })
            .collect();
        let identity = Identity {
            brand: Some(brand).filter(|b| !b.is_empty()),
            names: vec![name].into_iter().filter(|n| !n.is_empty()).collect(),
        };
        let lots: Vec<ExtractedLot> = lots
            .iter()
            .map(|l| ExtractedLot { text: l.clone(), truncated: l.ends_with('…') })
            .collect();
        for (lot, outcome) in match_lots(&identity, &lots, &catalog) {
            if let Outcome::Matched(c) = outcome {
                let p = &catalog[c.product.get() as usize];
                prop_assert_eq!(fit(&identity, p), Some(Fit::Certain));
                let l = p.lots.iter().find(|l| l.id == c.lot).unwrap();
                prop_assert_eq!(lot_key(&l.lot), lot_key(&lot.text));
                prop_assert!(!lot.truncated);
            }
        }
    }
}
