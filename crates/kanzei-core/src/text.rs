//! Small text helpers shared by the registries: normalisation for lookups and an edit
//! distance for "did you mean" suggestions.

/// Lower-cases, folds `&` to `and`, and keeps only ASCII letters and digits, so that
/// "Korea, South", "korea south" and "KOREA SOUTH" compare equal.
pub fn normalize_key(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for ch in input.replace('&', " and ").chars() {
        let ch = fold_accent(ch);
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        }
    }
    out
}

/// Folds the Latin accented letters publishers use in country names ("Curaçao",
/// "Côte d'Ivoire", "São Tomé") to their base letter.
fn fold_accent(ch: char) -> char {
    match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => 'a',
        'ç' | 'Ç' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        other => other,
    }
}

/// The option nearest to `input` (case-insensitive edit distance), if near enough to be a
/// typo: at most 2 edits, or a quarter of the option's length for long names.
///
/// `closest("census.deficitt", ["census.deficit", "census.exports"])` is `census.deficit`.
pub fn closest<'s>(input: &str, options: impl Iterator<Item = &'s str>) -> Option<&'s str> {
    let lower = input.to_ascii_lowercase();
    options
        .map(|o| (edit_distance(&lower, &o.to_ascii_lowercase()), o))
        .filter(|(d, o)| *d <= 2.max(o.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), on chars.
///
/// "Japn" → "Japan" is 1, "JNP" → "JPN" is 1.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    if n == 0 {
        return m;
    }
    if m == 0 {
        return n;
    }
    // Three rolling rows: two back (for transpositions), previous, current.
    let mut two_back = vec![0usize; m + 1];
    let mut prev: Vec<usize> = (0..=m).collect();
    let mut cur = vec![0usize; m + 1];
    for i in 1..=n {
        cur[0] = i;
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(two_back[j - 2] + 1);
            }
            cur[j] = best;
        }
        std::mem::swap(&mut two_back, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[m]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("japn", "japan"), 1);
        assert_eq!(edit_distance("jnp", "jpn"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn keys() {
        assert_eq!(normalize_key("Korea, South"), "koreasouth");
        assert_eq!(normalize_key("Trinidad & Tobago"), "trinidadandtobago");
        assert_eq!(normalize_key("Curaçao"), "curacao");
        assert_eq!(normalize_key("São Tomé and Príncipe"), "saotomeandprincipe");
    }
}
