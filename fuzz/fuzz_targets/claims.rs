//! Any bytes as a claims file: parsing must not panic, and an error must name a line inside
//! the file and say something, in plain words (no serde internals).
#![no_main]

use kanzei_report::claims;
use libfuzzer_sys::fuzz_target;

#[path = "check.rs"]
mod check;

fuzz_target!(|bytes: &[u8]| {
    if let Err(e) = claims::parse_bytes("fuzz.toml", bytes) {
        check::error_is_plain(bytes, e.line, &e.message, &e);
    }
});
