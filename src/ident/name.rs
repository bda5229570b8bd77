//! Name normalisation: two names are the same name when they are equal after Unicode NFKC,
//! case folding, removal of accents, and removal of punctuation and white space.
//! `"iron oxides"`, `IRON OXIDES`, `Iron-Oxides` and `Iron  oxides.` all become `ironoxides`.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The comparison key of a name.
pub fn normalize_name(name: &str) -> String {
    // Most names are plain ASCII, where decomposition changes nothing: the fast path gives the
    // same key (a property test checks it against the full path).
    if name.is_ascii() {
        return name
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| char::from(b.to_ascii_lowercase()))
            .collect();
    }
    normalize_unicode(name)
}

/// The full path: NFKD, combining marks dropped, lower case, letters and digits kept.
fn normalize_unicode(name: &str) -> String {
    // NFKD splits accents from their letters (and applies the compatibility mappings of NFKC),
    // so that dropping combining marks removes the accents.
    let mut out = String::with_capacity(name.len());
    for c in name
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
    {
        // Full case folding turns ß into ss; `to_lowercase` leaves it alone.
        if c == 'ß' {
            out.push_str("ss");
        } else {
            out.push(c);
        }
    }
    out
}

/// Makes a stable key (`iron-oxide-black`) from a name.
pub fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
    {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("substance");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_accents_punctuation_or_spaces() {
        let key = normalize_name("iron oxides");
        for same in [
            "IRON OXIDES",
            "Iron-Oxides",
            "  Iron  oxides. ",
            "Ｉｒｏｎ Ｏｘｉｄｅｓ",
        ] {
            assert_eq!(normalize_name(same), key, "{same}");
        }
        assert_eq!(
            normalize_name("Crème de la Mer"),
            normalize_name("creme de la mer")
        );
        assert_eq!(normalize_name("Farbstoff Weiß"), "farbstoffweiss");
    }

    proptest::proptest! {
        #[test]
        fn the_ascii_fast_path_gives_the_same_key(text in "[ -~]{0,40}") {
            proptest::prop_assert_eq!(normalize_name(&text), normalize_unicode(&text));
        }
    }

    #[test]
    fn slugs_are_ascii_and_hyphenated() {
        assert_eq!(slug("Iron oxide (black)"), "iron-oxide-black");
        assert_eq!(slug("Toluene-2,5-diamine"), "toluene-2-5-diamine");
        assert_eq!(slug("???"), "substance");
    }
}
