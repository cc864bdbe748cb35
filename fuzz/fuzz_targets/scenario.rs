//! Any bytes as a scenario file: parsing must not panic, and an error must name a line inside
//! the file and say something, in plain words (no serde internals).
#![no_main]

use std::sync::OnceLock;

use kanzei_core::AreaRegistry;
use kanzei_data::Store;
use kanzei_tariff::library::{vocabulary, Library};
use kanzei_tariff::scenario::Vocabulary;
use libfuzzer_sys::fuzz_target;

#[path = "check.rs"]
mod check;

fn vocab() -> &'static Vocabulary<'static> {
    static VOCAB: OnceLock<Vocabulary<'static>> = OnceLock::new();
    VOCAB.get_or_init(|| {
        let inputs = Store::embedded().tariff_inputs().expect("the embedded snapshot loads");
        vocabulary(AreaRegistry::builtin(), &inputs)
    })
}

fuzz_target!(|bytes: &[u8]| {
    if let Err(e) = Library::shipped().load_bytes("fuzz.toml", bytes, vocab()) {
        check::error_is_plain(bytes, e.line, &e.message, &e);
    }
});
