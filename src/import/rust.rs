//! Writing Rust source: literals and identifiers the importers share, so every generated module
//! spells a string, a name and a number the same way.

/// A Rust string literal for `text`: a raw string (`r#"..."#`) when `text` holds quotes or
/// backslashes (PromQL and templates read as written), an ordinary one otherwise.
pub fn string(text: &str) -> String {
    if !text.contains('"') && !text.contains('\\') {
        return format!("{text:?}");
    }
    // The fewest hashes that no `"#...` in the text closes early.
    let mut hashes = 1;
    while text.contains(&format!("\"{}", "#".repeat(hashes))) {
        hashes += 1;
    }
    let fence = "#".repeat(hashes);
    format!("r{fence}\"{text}\"{fence}")
}

/// A Rust identifier in snake case for `name` (a group, receiver or dashboard name): lower case,
/// runs of other characters as one `_`, never empty, never starting with a digit, keywords
/// escaped with `r#`.
pub fn ident(name: &str) -> String {
    let mut out = String::new();
    let mut last_underscore = true;
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && previous_lower && !last_underscore {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            last_underscore = false;
            previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else if !last_underscore {
            out.push('_');
            last_underscore = true;
            previous_lower = false;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    if out.is_empty() {
        out.push_str("unnamed");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.insert_str(0, "r#");
    }
    out
}

/// Makes `ident` unique among `taken` by a numeric suffix, and records it.
pub fn unique(ident: String, taken: &mut std::collections::BTreeSet<String>) -> String {
    let mut candidate = ident.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{ident}_{n}");
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// A Rust `f64` literal that reads back as exactly `value`.
pub fn float(value: f64) -> String {
    let text = format!("{value:?}");
    if text.contains('.') || text.contains('e') || text.contains("inf") || text.contains("NaN") {
        text
    } else {
        format!("{text}.0")
    }
}

/// A duration as the prelude's constructors write it: `mins(5)`, `secs(90)`.
pub fn duration(d: crate::syntax::duration::Duration) -> String {
    let ms = d.as_millis();
    for (unit, size) in [
        ("days", 86_400_000),
        ("hours", 3_600_000),
        ("mins", 60_000),
        ("secs", 1000),
    ] {
        if ms != 0 && ms % size == 0 {
            return format!("{unit}({})", ms / size);
        }
    }
    if ms == 0 {
        return "Duration::ZERO".into();
    }
    format!("Duration::millis({ms})")
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
    "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
    "typeof", "unsized", "virtual", "yield", "try", "gen",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_read_back() {
        assert_eq!(string("up"), "\"up\"");
        assert_eq!(string(r#"up{job="a"}"#), "r#\"up{job=\"a\"}\"#");
        assert_eq!(string(r##"a"#b"##), "r##\"a\"#b\"##");
        assert_eq!(string("a\nb"), "\"a\\nb\"");
    }

    #[test]
    fn identifiers() {
        assert_eq!(ident("node-exporter.rules"), "node_exporter_rules");
        assert_eq!(ident("KubeAPIErrorsHigh"), "kube_apierrors_high");
        assert_eq!(ident("99th"), "_99th");
        assert_eq!(ident("type"), "r#type");
        assert_eq!(ident("!!"), "unnamed");
        let mut taken = Default::default();
        assert_eq!(unique("a".into(), &mut taken), "a");
        assert_eq!(unique("a".into(), &mut taken), "a_2");
    }

    #[test]
    fn floats() {
        assert_eq!(float(1.0), "1.0");
        assert_eq!(float(0.999), "0.999");
        assert_eq!(float(1e-5), "1e-5");
    }
}
