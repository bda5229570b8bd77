//! The concentration parser on any text: no panic; what it accepts is an ordered range in 0-100 %.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(Some(c)) = inkguard::import::concentration::parse(text) {
        if let (Some(lo), Some(hi)) = (c.min_percent, c.max_percent) {
            assert!(lo <= hi, "{c:?}");
        }
        for v in [c.min_percent, c.max_percent].into_iter().flatten() {
            assert!((0.0..=100.0).contains(&v), "{c:?}");
        }
    }
});
