//! "Did you mean": the known name nearest to a misspelt one.

/// The candidate nearest to `name` by edit distance, when it is near enough (3 edits) to be a
/// typo; ties go to the alphabetically first.
pub fn closest(name: &str, candidates: impl IntoIterator<Item = String>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, &c), c))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance, in characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_names_are_suggested() {
        let known = || ["eje_decisions_total", "eje_requests_total"].map(String::from);
        assert_eq!(
            closest("eje_decision_total", known()).as_deref(),
            Some("eje_decisions_total")
        );
        assert_eq!(closest("completely_else", known()), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
