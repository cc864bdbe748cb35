//! Any bytes as a scenario file: parsing must not panic, and an error must name a line inside
//! the file and say something, in plain words (no serde internals).
#![no_main]

use std::sync::OnceLock;

use kanzei_core::AreaRegistry;
use kanzei_data::Store;
use kanzei_tariff::library::{vocabulary, Library};
use kanzei_tariff::scenario::Vocabulary;
use libfuzzer_sys::fuzz_target;

fn vocab() -> &'static Vocabulary<'static> {
    static VOCAB: OnceLock<Vocabulary<'static>> = OnceLock::new();
    VOCAB.get_or_init(|| {
        let inputs = Store::embedded().tariff_inputs().expect("the embedded snapshot loads");
        vocabulary(AreaRegistry::builtin(), &inputs)
    })
}

fuzz_target!(|bytes: &[u8]| {
    if let Err(e) = Library::shipped().load_bytes("fuzz.toml", bytes, vocab()) {
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
        assert!((1..=lines).contains(&e.line), "line {} of a {lines}-line file: {e}", e.line);
        assert!(!e.message.trim().is_empty(), "empty message");
        // serde's wording, unless the input itself holds it (messages quote the user's keys).
        let internals = ["untagged enum", "did not match any variant"];
        let quoted = |w: &str| bytes.windows(w.len()).any(|x| x == w.as_bytes());
        assert!(!internals.iter().any(|w| e.message.contains(w) && !quoted(w)), "serde internals: {}", e.message);
    }
});
