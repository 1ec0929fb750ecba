//! A checker for the Go templates Prometheus expands in alert labels and annotations.
//!
//! Prometheus parses every label value and annotation of an alert rule as a Go `text/template`
//! with its own functions and the variables `$labels`, `$value`, `$externalLabels` and
//! `$externalURL`; `promtool check rules` rejects one that does not parse. This is the same
//! check: balanced actions, known functions and variables, `if`/`range`/`with` closed by `end`.

use std::ops::Range;

/// Go's `text/template` built-ins, known to every dialect.
const GO_BUILTINS: &[&str] = &[
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
];

/// Prometheus's own functions for alert templates.
const PROMETHEUS_FUNCTIONS: &[&str] = &[
    "humanize",
    "humanize1024",
    "humanizeDuration",
    "humanizePercentage",
    "humanizeTimestamp",
    "query",
    "first",
    "label",
    "value",
    "sortByLabel",
    "strvalue",
    "args",
    "tmpl",
    "safeHtml",
    "match",
    "reReplaceAll",
    "title",
    "toUpper",
    "toLower",
    "stripPort",
    "stripDomain",
    "graphLink",
    "tableLink",
    "pathPrefix",
    "externalURL",
    "parseDuration",
    "toTime",
    "toDuration",
    "now",
    "urlQueryEscape",
];

const VARIABLES: &[&str] = &["$", "$labels", "$value", "$externalLabels", "$externalURL"];

/// AlertManager 0.25's own functions for notification templates (`amtool check-config` rejects
/// any other, `humanize` included).
const ALERTMANAGER_FUNCTIONS: &[&str] = &[
    "toUpper",
    "toLower",
    "title",
    "join",
    "match",
    "safeHtml",
    "reReplaceAll",
    "stringSlice",
];

/// Which program expands a template, and so which functions and variables it knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// An alert rule's label or annotation, expanded by Prometheus.
    Prometheus,
    /// A notification template, expanded by AlertManager: no `$labels`, its own functions.
    AlertManager,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateError {
    pub message: String,
    pub range: Range<usize>,
}

/// What a template reads, for checks across rule and template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateUses {
    /// Labels read through `$labels.name` or `.Labels.name`, with their ranges.
    pub labels: Vec<(String, Range<usize>)>,
}

/// Checks `text` as a Prometheus alert template.
pub fn check(text: &str) -> Result<TemplateUses, TemplateError> {
    check_as(text, Dialect::Prometheus)
}

/// Checks `text` as a template of `dialect`.
pub fn check_as(text: &str, dialect: Dialect) -> Result<TemplateUses, TemplateError> {
    let (functions, variables) = match dialect {
        Dialect::Prometheus => (PROMETHEUS_FUNCTIONS, VARIABLES),
        Dialect::AlertManager => (ALERTMANAGER_FUNCTIONS, &["$"][..]),
    };
    let mut uses = TemplateUses::default();
    let mut blocks: Vec<(&str, Range<usize>)> = Vec::new();
    let mut declared: Vec<String> = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("{{") {
        let open = rest + found;
        let inner_start = open + 2;
        let Some(close_rel) = text[inner_start..].find("}}") else {
            return Err(TemplateError {
                message: "unclosed action".into(),
                range: open..open + 2,
            });
        };
        let close = inner_start + close_rel;
        rest = close + 2;
        let mut inner = &text[inner_start..close];
        let mut inner_offset = inner_start;
        if let Some(stripped) = inner.strip_prefix('-') {
            inner = stripped;
            inner_offset += 1;
        }
        let inner = inner.strip_suffix('-').unwrap_or(inner);
        let action = open..close + 2;
        let trimmed = inner.trim();
        if trimmed.is_empty() {
            return Err(TemplateError {
                message: "missing value for command".into(),
                range: action,
            });
        }
        if trimmed.starts_with("/*") {
            if !trimmed.ends_with("*/") {
                return Err(TemplateError {
                    message: "unclosed comment".into(),
                    range: action,
                });
            }
            continue;
        }
        let words = words(inner, inner_offset)?;
        let keyword = words.first().map(|(w, _)| w.as_str()).unwrap_or("");
        match keyword {
            "if" | "range" | "with" | "define" | "block" => {
                blocks.push((static_keyword(keyword), action.clone()))
            }
            "end" if blocks.pop().is_none() => {
                return Err(TemplateError {
                    message: "unexpected {{end}}".into(),
                    range: action,
                });
            }
            "else" if blocks.is_empty() => {
                return Err(TemplateError {
                    message: "unexpected {{else}}".into(),
                    range: action,
                });
            }
            _ => {}
        }
        for (index, (word, range)) in words.iter().enumerate() {
            if let Some(var) = word.strip_prefix('$') {
                let (head, field) = match var.split_once('.') {
                    Some((h, f)) => (format!("${h}"), Some(f)),
                    None => (format!("${var}"), None),
                };
                let assigns = words
                    .get(index + 1)
                    .is_some_and(|(w, _)| w == ":=" || w == "=");
                if assigns {
                    declared.push(head.clone());
                } else if !variables.contains(&head.as_str()) && !declared.contains(&head) {
                    return Err(TemplateError {
                        message: format!("undefined variable \"{head}\""),
                        range: range.clone(),
                    });
                }
                if head == "$labels" {
                    if let Some(label) = field {
                        uses.labels.push((label.to_string(), range.clone()));
                    }
                }
            } else if let Some(label) = word.strip_prefix(".Labels.") {
                uses.labels.push((label.to_string(), range.clone()));
            } else if is_identifier(word)
                && ![
                    "if", "range", "with", "define", "block", "end", "else", "template", "nil",
                    "true", "false",
                ]
                .contains(&word.as_str())
                && !GO_BUILTINS.contains(&word.as_str())
                && !functions.contains(&word.as_str())
            {
                return Err(TemplateError {
                    message: format!("function \"{word}\" not defined"),
                    range: range.clone(),
                });
            }
        }
    }
    if let Some(close) = text[rest..].find("}}") {
        let at = rest + close;
        return Err(TemplateError {
            message: "unexpected \"}}\" outside an action".into(),
            range: at..at + 2,
        });
    }
    if let Some((keyword, range)) = blocks.pop() {
        return Err(TemplateError {
            message: format!("unexpected EOF: {{{{{keyword}}}}} has no {{{{end}}}}"),
            range,
        });
    }
    Ok(uses)
}

fn static_keyword(word: &str) -> &'static str {
    match word {
        "if" => "if",
        "range" => "range",
        "with" => "with",
        "define" => "define",
        _ => "block",
    }
}

fn is_identifier(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Splits an action into words (strings kept whole), with their ranges in the template.
fn words(inner: &str, offset: usize) -> Result<Vec<(String, Range<usize>)>, TemplateError> {
    let bytes = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_whitespace() || c == b'(' || c == b')' || c == b'|' {
            i += 1;
            continue;
        }
        let start = i;
        if c == b'"' || c == b'`' {
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                if bytes[i] == b'\\' && c == b'"' {
                    i += 1;
                }
                i += 1;
            }
            if i >= bytes.len() {
                return Err(TemplateError {
                    message: "unterminated quoted string".into(),
                    range: offset + start..offset + inner.len(),
                });
            }
            i += 1;
            out.push((inner[start..i].to_string(), offset + start..offset + i));
            continue;
        }
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'(' | b')' | b'|')
        {
            i += 1;
        }
        out.push((inner[start..i].to_string(), offset + start..offset + i));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_template(text: &str, expect: &str) {
        let got = match check(text) {
            Ok(uses) => format!(
                "ok {:?}",
                uses.labels
                    .iter()
                    .map(|(l, _)| l.as_str())
                    .collect::<Vec<_>>()
            ),
            Err(e) => format!("{} at {:?}", e.message, &text[e.range]),
        };
        assert_eq!(got, expect, "{text}");
    }

    #[test]
    fn templates() {
        check_template("plain text", "ok []");
        check_template(
            "{{ $labels.critic }} fails {{ $value | humanizePercentage }}",
            "ok [\"critic\"]",
        );
        check_template("{{ if gt $value 0.5 }}high{{ else }}low{{ end }}", "ok []");
        check_template("{{ $labels.critic ", "unclosed action at \"{{\"");
        check_template(
            "{{ humanise $value }}",
            "function \"humanise\" not defined at \"humanise\"",
        );
        check_template(
            "{{ $lables.critic }}",
            "undefined variable \"$lables\" at \"$lables.critic\"",
        );
        check_template(
            "{{ if $value }}x",
            "unexpected EOF: {{if}} has no {{end}} at \"{{ if $value }}\"",
        );
        check_template("x {{ end }}", "unexpected {{end}} at \"{{ end }}\"");
        check_template("{{ $x := 1 }}{{ $x }}", "ok []");
        check_template("{{ printf \"%.2f\" $value }}", "ok []");
    }

    #[test]
    fn alertmanager_templates_have_their_own_functions() {
        let check = |text: &str| check_as(text, Dialect::AlertManager).map_err(|e| e.message);
        assert_eq!(
            check("{{ .CommonLabels.Names | join \", \" | toUpper }}").map(|_| ()),
            Ok(())
        );
        assert_eq!(
            check("{{ .Value | humanize }}").map(|_| ()),
            Err("function \"humanize\" not defined".to_string())
        );
        assert_eq!(
            check("{{ $labels.job }}").map(|_| ()),
            Err("undefined variable \"$labels\"".to_string())
        );
    }
}
