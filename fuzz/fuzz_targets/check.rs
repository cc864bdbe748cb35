//! The assertions both targets make on a parse error, as the mutation test in
//! `crates/kanzei-report/tests/fuzz.rs` does.

/// A parse error of `bytes` must name a line inside the file, say something, and not in
/// serde's wording (unless the input itself holds it: messages quote the user's keys).
pub fn error_is_plain(bytes: &[u8], line: usize, message: &str, shown: &dyn std::fmt::Display) {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    assert!((1..=lines).contains(&line), "line {line} of a {lines}-line file: {shown}");
    assert!(!message.trim().is_empty(), "empty message");
    let internals = ["untagged enum", "did not match any variant"];
    let quoted = |w: &str| bytes.windows(w.len()).any(|x| x == w.as_bytes());
    assert!(!internals.iter().any(|w| message.contains(w) && !quoted(w)), "serde internals: {message}");
}
