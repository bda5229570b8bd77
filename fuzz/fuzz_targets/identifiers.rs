//! CAS, EC and Colour Index parsing on any text: no panic; what parses is canonical and parses
//! again to itself.
#![no_main]

use inkguard::ident::{self, cas, ci, Cas, ColourIndex, Ec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(c) = Cas::parse(text) {
        assert_eq!(Cas::parse(c.as_str()).as_ref(), Ok(&c));
    }
    if let Ok(e) = Ec::parse(text) {
        assert_eq!(Ec::parse(e.as_str()).as_ref(), Ok(&e));
    }
    if let Ok(n) = ColourIndex::parse(text) {
        assert_eq!(ColourIndex::parse(&n.to_string()), Ok(n));
    }
    let _ = ci::find_in_text(text);
    let _ = cas::find_in_text(text);
    let _ = ident::split_identifiers(text);
    let once = ident::normalize_name(text);
    assert_eq!(ident::normalize_name(&once), once);
});
