//! "Did you mean": what the page offers, ranked by how much it resembles the text a locator
//! wanted. A text containing the wanted one (or contained in it) ranks highest, then by the mean
//! of Jaro-Winkler and normalised Levenshtein similarity; all case- and whitespace-insensitive.

/// Below this score a text is not offered as a near miss.
pub const MIN_SCORE: f64 = 0.6;

/// How much `candidate` resembles `wanted`, from 0 (nothing alike) to 1 (the same text).
pub fn score(wanted: &str, candidate: &str) -> f64 {
    let (w, c) = (normalise(wanted), normalise(candidate));
    if w.is_empty() || c.is_empty() {
        return 0.0;
    }
    if w == c {
        return 1.0;
    }
    let (short, long) = if w.len() <= c.len() { (&w, &c) } else { (&c, &w) };
    if long.contains(short.as_str()) {
        return 0.8 + 0.2 * short.chars().count() as f64 / long.chars().count() as f64;
    }
    (strsim::jaro_winkler(&w, &c) + strsim::normalized_levenshtein(&w, &c)) / 2.0
}

/// The candidates that resemble `wanted` (score at least [`MIN_SCORE`], never the wanted text
/// itself), best first; ties keep the page's order. Duplicates are dropped.
pub fn rank(wanted: &str, candidates: &[String]) -> Vec<(String, f64)> {
    let target = normalise(wanted);
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<(String, f64)> = candidates
        .iter()
        .filter(|c| normalise(c) != target && seen.insert(normalise(c)))
        .map(|c| (c.clone(), score(wanted, c)))
        .filter(|(_, s)| *s >= MIN_SCORE)
        .collect();
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

/// The text between the first pair of double quotes of an offered entry (`label "Facturen"` →
/// `Facturen`), or the entry itself.
pub fn quoted(entry: &str) -> &str {
    let Some(a) = entry.find('"') else { return entry };
    match entry[a + 1..].rfind('"') {
        Some(b) => &entry[a + 1..a + 1 + b],
        None => entry,
    }
}

fn normalise(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_renamed_label_ranks_first() {
        let offered = strings(&["Facturen", "E-commerce Insights", "Orderbevestigingen", "Notificaties"]);
        let r = rank("E-commerce inzichten", &offered);
        assert_eq!(r[0].0, "E-commerce Insights");
        assert_eq!(r.len(), 1, "{r:?}");
    }

    #[test]
    fn a_longer_label_containing_the_old_one_ranks_first() {
        let offered = strings(&["Facturen", "E-commerce Insights", "E-commerce inzichten (rapportage)"]);
        let r = rank("E-commerce inzichten", &offered);
        assert_eq!(r[0].0, "E-commerce inzichten (rapportage)");
        assert_eq!(r[1].0, "E-commerce Insights");
    }

    #[test]
    fn the_wanted_text_itself_and_strangers_are_not_offered() {
        let offered = strings(&["opslaan", "Uitloggen", "Opslaan"]);
        assert!(rank("Opslaan", &offered).is_empty());
        assert!(score("Opslaan", "Bewaren") < MIN_SCORE);
    }

    #[test]
    fn quoted_takes_the_text_of_an_offered_entry() {
        assert_eq!(quoted("label \"E-commerce Insights\""), "E-commerce Insights");
        assert_eq!(quoted("role button \"Opslaan\""), "Opslaan");
        assert_eq!(quoted("Opslaan"), "Opslaan");
    }
}
