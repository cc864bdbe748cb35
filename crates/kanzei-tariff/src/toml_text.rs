//! Turning a TOML parse error into a message a scenario or claims author can act on: the
//! line, the dotted key the error sits in (`measure[2].exporters`), and words instead of
//! serde's internals ("data did not match any variant of untagged enum RawExporters" becomes
//! "`5` is not valid here: expected \"all\", a list of ISO3 codes …"; rates are read by
//! `scenario` itself, which says what a rate may be). Also decodes file bytes,
//! so text that is not UTF-8 gets a line and a byte offset rather than "stream did not
//! contain valid UTF-8". Shared by scenario files (here) and claims files (`kanzei-report`).

/// Where an error sits and what it says, ready for a file's error type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// 1-based line.
    pub line: usize,
    /// Dotted key path (`measure[0].rate_pct`), or `""` when the error is outside any key.
    pub key: String,
    /// What is wrong and, where known, what would be valid. Never empty.
    pub message: String,
}

/// What each untagged enum of the file formats accepts, by the name serde reports.
const SHAPES: &[(&str, &str)] = &[
    ("RawExporters", "expected \"all\", a list of ISO3 codes or groups such as [\"JPN\", \"EU27\"], or { all_except = [\"CAN\", \"MEX\"] }"),
    ("RawProductItem", "expected an HS prefix such as \"8703\" or { list = \"s232-auto-parts\" }"),
    ("RawProducts", "expected \"all\", an HS prefix such as \"8703\", { list = \"…\" }, or a list of HS prefixes and lists"),
    ("RawExclusion", "expected an HS prefix such as \"8703\", { list = \"…\", from = \"YYYY-MM-DD\" } or { code = \"…\", from = \"YYYY-MM-DD\" }"),
];

/// Describes a TOML error at byte range `span` of `text` with toml's own `message`.
pub fn locate(text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> Located {
    let start = span.as_ref().map_or(0, |s| s.start.min(text.len()));
    let end = span.as_ref().map_or(start, |s| s.end.min(text.len()).max(start));
    let line = line_of(text, start);
    let key = key_at(text, start);
    let value = text.get(start..end).unwrap_or("").trim();
    Located { line, key, message: plain_message(message, value, text, start) }
}

/// Decodes file bytes as UTF-8; otherwise the line and byte offset of the first bad byte.
pub fn decode(bytes: &[u8]) -> Result<&str, Located> {
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or("");
        Located {
            line: line_of(valid, offset),
            key: key_at(valid, offset),
            message: format!(
                "byte {offset} (0x{:02X}) is not UTF-8; kanzei reads these files as UTF-8, so save the file as UTF-8",
                bytes[offset]
            ),
        }
    })
}

/// The 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

fn plain_message(message: &str, value: &str, text: &str, offset: usize) -> String {
    if let Some(&(_, valid)) = SHAPES.iter().find(|(name, _)| message.contains(&format!("untagged enum {name}"))) {
        return if value.is_empty() { format!("this value is not valid here: {valid}") } else { format!("`{value}` is not valid here: {valid}") };
    }
    if let Some(c) = control_character(text, offset) {
        return format!(
            "{} (the line holds the control character U+{:04X}, which TOML does not allow; delete it, or inside a string write \\u{:04X})",
            fallback(message),
            c as u32,
            c as u32
        );
    }
    fallback(message)
}

fn fallback(message: &str) -> String {
    let message = message.trim();
    if message.is_empty() { "not valid TOML".to_string() } else { message.to_string() }
}

/// A control character (other than tab) on the line holding `offset`.
fn control_character(text: &str, offset: usize) -> Option<char> {
    let line_start = text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
    text.get(line_start..line_end)?.chars().find(|c| c.is_control() && *c != '\t' && *c != '\r')
}

/// The dotted key path in force at `offset`: the last `[table]` or `[[array]]` header before
/// it (arrays indexed by how many headers of that name came before) and the `key =` whose
/// value spans `offset` (a value may continue over lines inside brackets or braces).
pub fn key_at(text: &str, offset: usize) -> String {
    let offset = floor_char_boundary(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let mut table = String::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut key = String::new();
    let mut depth = 0_i32;
    // Every line before the error's, then the error's line in full.
    for line in text[..line_start].lines().chain(std::iter::once(&text[line_start..line_end])) {
        let trimmed = line.trim();
        if depth <= 0 && trimmed.starts_with('[') {
            table = header(trimmed, &mut counts);
            key.clear();
            depth = 0;
        } else if let Some((k, value)) = trimmed.split_once('=').filter(|(k, _)| depth <= 0 && is_bare_key(k.trim())) {
            key = k.trim().trim_matches('"').to_string();
            depth = bracket_balance(value);
        } else if depth > 0 {
            depth += bracket_balance(trimmed);
        } else {
            key.clear();
        }
    }
    match (table.is_empty(), key.is_empty()) {
        (true, _) => key,
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}

/// `[name]` → `name`; `[[name]]` → `name[i]`, counting earlier headers of that name.
fn header(trimmed: &str, counts: &mut Vec<(String, usize)>) -> String {
    if let Some(name) = trimmed.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
        let name = name.trim().to_string();
        let idx = match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => {
                *count += 1;
                *count - 1
            }
            None => {
                counts.push((name.clone(), 1));
                0
            }
        };
        return format!("{name}[{idx}]");
    }
    trimmed.trim_start_matches('[').split(']').next().unwrap_or("").trim().to_string()
}

fn is_bare_key(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '"'))
}

/// Opening minus closing brackets and braces outside strings and comments.
fn bracket_balance(text: &str) -> i32 {
    let (mut balance, mut in_string, mut escaped) = (0, None::<char>, false);
    for c in text.chars() {
        match in_string {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    in_string = None;
                }
            }
            None => match c {
                '"' | '\'' => in_string = Some(c),
                '#' => break,
                '[' | '{' => balance += 1,
                ']' | '}' => balance -= 1,
                _ => {}
            },
        }
    }
    balance
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_tables_and_arrays_of_tables() {
        let text = "schema = 1\n[base]\nmfn = true\n[[measure]]\nid = \"a\"\n[[measure]]\nid = \"b\"\nrate_pct = \"25\"\n";
        assert_eq!(key_at(text, text.find("\"25\"").unwrap()), "measure[1].rate_pct");
        assert_eq!(key_at(text, text.find("mfn").unwrap() + 5), "base.mfn");
        assert_eq!(key_at(text, 3), "schema");
        let multi = "[[measure]]\nproducts = [\"8703\",\n  \"8704\", x]\nrate_pct = 1\n";
        assert_eq!(key_at(multi, multi.find('x').unwrap()), "measure[0].products");
        let after = "id = \"x\"\n\u{1}\n";
        assert_eq!(key_at(after, after.find('\u{1}').unwrap()), "");
    }

    #[test]
    fn untagged_enums_become_what_is_valid() {
        let text = "[[measure]]\nexporters = 5\n";
        let start = text.find('5').unwrap();
        let located = locate(text, Some(start..start + 1), "data did not match any variant of untagged enum RawExporters");
        assert_eq!(
            located,
            Located {
                line: 2,
                key: "measure[0].exporters".into(),
                message: "`5` is not valid here: expected \"all\", a list of ISO3 codes or groups such as [\"JPN\", \"EU27\"], or { all_except = [\"CAN\", \"MEX\"] }".into()
            }
        );
    }

    #[test]
    fn control_characters_and_bad_bytes_are_named() {
        let text = "schema = 1\nid = \"x\u{1}\"\n";
        let located = locate(text, Some(16..17), "invalid basic string");
        assert_eq!(located.line, 2);
        assert_eq!(located.key, "id");
        assert!(located.message.starts_with("invalid basic string (the line holds the control character U+0001"), "{}", located.message);
        let located = decode(b"schema = 1\nid = \"caf\xe9\"\n").unwrap_err();
        assert_eq!(
            located,
            Located { line: 2, key: "id".into(), message: "byte 20 (0xE9) is not UTF-8; kanzei reads these files as UTF-8, so save the file as UTF-8".into() }
        );
        assert_eq!(locate("", None, "").message, "not valid TOML");
    }
}
