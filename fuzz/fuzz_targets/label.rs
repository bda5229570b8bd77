//! The label-list splitter on any text: no panic, no empty item.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for item in inkguard::import::label::split(text) {
        assert!(!item.text.trim().is_empty());
    }
});
