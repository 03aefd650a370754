//! How the flow language compares texts: whitespace-normalised, case-insensitive; and when two
//! names denote the same person (`same_person`).

/// `s` with runs of whitespace (incl. non-breaking spaces) collapsed to one space, trimmed.
pub fn normalize_ws(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of `s`, lowercased, punctuation dropped.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `equals`: equal after whitespace normalisation (case-sensitive, like the guide's names).
pub fn equals(a: &str, b: &str) -> bool {
    normalize_ws(a) == normalize_ws(b)
}

/// `same_person`: every word of the shorter name appears in the longer, ignoring case and
/// punctuation ("GATUser, PostNL" ~ "GATUser, PostNL (PostNL)"). Empty names never match.
pub fn same_person(a: &str, b: &str) -> bool {
    let (wa, wb) = (words(a), words(b));
    let (short, long) = if wa.len() <= wb.len() { (wa, wb) } else { (wb, wa) };
    !short.is_empty() && short.iter().all(|w| long.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons() {
        assert_eq!(
            normalize_ws("  GATUser,\n PostNL\u{a0}(PostNL) "),
            "GATUser, PostNL (PostNL)"
        );
        assert!(same_person("GATUser, PostNL", "GATUser, PostNL (PostNL)"));
        assert!(same_person("gatuser postnl (postnl)", "GATUser, PostNL"));
        assert!(!same_person("Jansen, Piet", "GATUser, PostNL (PostNL)"));
        assert!(!same_person("", "x"));
        assert!(equals("a  b", " a b"));
        assert!(!equals("a", "A"));
    }
}
