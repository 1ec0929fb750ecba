//! The linter: advice on validated rules, checked against the metric catalog.
//!
//! Each lint is one file with its docs (what it finds, why it matters, an example, the fix) as
//! its doc comment, declared with [`lint!`]; a line in [`REGISTRY`] turns it on. A spec can turn a
//! lint off or change its severity ([`LintConfig`]). `explain CODE` prints the doc comment.

use std::collections::BTreeMap;
use std::ops::Range;

use sextant_catalog::Catalog;

use crate::diag::{Diagnostic, Severity};
use crate::duration::{secs, Duration};
use crate::ir::{self, Ir, Place};

pub mod alerts;
pub mod promql;
pub mod rules;

/// Declares a lint: its doc comment becomes both rustdoc and the text `explain` prints.
macro_rules! lint {
    ($(#[doc = $doc:literal])* $vis:vis static $name:ident = ($code:literal, $severity:ident, $check:expr);) => {
        $(#[doc = $doc])*
        $vis static $name: $crate::lint::Lint = $crate::lint::Lint {
            code: $code,
            default: $crate::diag::Severity::$severity,
            docs: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}
pub(crate) use lint;

/// One lint rule.
pub struct Lint {
    /// `group/name`.
    pub code: &'static str,
    pub default: Severity,
    /// The doc comment, in Markdown.
    pub docs: &'static str,
    pub check: Check,
}

impl Lint {
    /// The first line of the docs.
    pub fn summary(&self) -> &'static str {
        self.docs
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
    }

    /// The docs without rustdoc's leading space.
    pub fn explain(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// What a lint looks at.
pub enum Check {
    /// Each rule, alerting or recording.
    Rule(fn(&Context, &ir::Rule, &mut Vec<Finding>)),
    /// Each group as a whole.
    Group(fn(&Context, &ir::Group, &mut Vec<Finding>)),
}

/// Every lint, in the order `explain --list` and the docs show them.
pub static REGISTRY: &[&Lint] = &[
    &promql::unknown_metric::LINT,
    &promql::unknown_label::LINT,
    &promql::label_value::LINT,
    &promql::rate_non_counter::LINT,
    &rules::record_name::LINT,
    &alerts::annotations::LINT,
];

pub fn find(code: &str) -> Option<&'static Lint> {
    REGISTRY.iter().copied().find(|l| l.code == code)
}

/// What the checks know besides the rule: the catalog, the recorded series, the scrape interval.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub recorded: BTreeMap<&'a str, &'a ir::Rule>,
    pub scrape_interval: Duration,
}

/// Where in a rule a finding is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum At {
    /// The rule as a whole.
    Rule,
    /// A byte range of the expression.
    Expr(Range<usize>),
    /// A byte range of an annotation's value.
    Annotation(String, Range<usize>),
}

/// A lint's finding, before the configured severity and the place are attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub message: String,
    pub at: At,
    pub label: String,
    pub notes: Vec<String>,
}

impl Finding {
    pub fn new(message: impl Into<String>, at: At, label: impl Into<String>) -> Finding {
        Finding {
            message: message.into(),
            at,
            label: label.into(),
            notes: Vec::new(),
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Finding {
        self.notes.push(note.into());
        self
    }
}

/// Per-lint settings a spec makes: off (`None`) or another severity.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LintConfig {
    pub overrides: BTreeMap<String, Option<Severity>>,
    /// The scrape interval rules' ranges are checked against.
    pub scrape_interval: Option<Duration>,
}

impl LintConfig {
    pub fn severity(&self, lint: &Lint) -> Option<Severity> {
        match self.overrides.get(lint.code) {
            Some(setting) => *setting,
            None => Some(lint.default),
        }
    }

    /// Turns a lint off.
    pub fn allow(mut self, code: &str) -> LintConfig {
        self.overrides.insert(code.to_string(), None);
        self
    }

    /// Reports a lint at another severity.
    pub fn set(mut self, code: &str, severity: Severity) -> LintConfig {
        self.overrides.insert(code.to_string(), Some(severity));
        self
    }
}

/// Runs every enabled lint over the IR.
pub fn run(ir: &Ir, catalog: &Catalog, config: &LintConfig) -> Vec<Diagnostic> {
    let cx = Context {
        catalog,
        recorded: ir.recorded(),
        scrape_interval: config.scrape_interval.unwrap_or(secs(15)),
    };
    let mut diagnostics = Vec::new();
    for lint in REGISTRY {
        let Some(severity) = config.severity(lint) else {
            continue;
        };
        for group in &ir.groups {
            let mut findings = Vec::new();
            match lint.check {
                Check::Group(check) => {
                    check(&cx, group, &mut findings);
                    diagnostics.extend(
                        findings
                            .into_iter()
                            .map(|f| to_diagnostic(lint, severity, f, &group.place, None)),
                    );
                }
                Check::Rule(check) => {
                    for rule in &group.rules {
                        check(&cx, rule, &mut findings);
                        diagnostics.extend(
                            findings
                                .drain(..)
                                .map(|f| to_diagnostic(lint, severity, f, &rule.place, Some(rule))),
                        );
                    }
                }
            }
        }
    }
    diagnostics
}

fn to_diagnostic(
    lint: &Lint,
    severity: Severity,
    finding: Finding,
    place: &Place,
    rule: Option<&ir::Rule>,
) -> Diagnostic {
    let mut d = Diagnostic::new(severity, lint.code, finding.message);
    d.notes = finding.notes;
    let what = rule.map(|r| r.describe()).unwrap_or_default();
    let (text, range, name) = match (&finding.at, rule) {
        (At::Expr(range), Some(rule)) => {
            (rule.expr.as_str(), range.clone(), format!("{what}: expr"))
        }
        (At::Annotation(key, range), Some(rule)) => (
            rule.annotations.get(key).map(String::as_str).unwrap_or(""),
            range.clone(),
            format!("{what}: annotation {key}"),
        ),
        _ => ("", 0..0, String::new()),
    };
    match place {
        Place::Rust(origin) => {
            d = d.at(*origin);
            if !name.is_empty() {
                d = d.snippet(name, text, range, finding.label);
            }
        }
        Place::File {
            path,
            range: rule_range,
            expr_start,
        } => {
            let file_range = match (&finding.at, expr_start) {
                (At::Expr(r), Some(start)) => start + r.start..start + r.end,
                _ => rule_range.clone(),
            };
            d.file = Some((path.clone(), file_range));
            d.snippet = Some(crate::diag::Snippet {
                name,
                text: text.to_string(),
                range,
                label: finding.label,
            });
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_grouped_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for lint in REGISTRY {
            assert!(seen.insert(lint.code), "{} registered twice", lint.code);
            let (group, name) = lint.code.split_once('/').expect("code is group/name");
            assert!(
                ["promql", "rules", "alerts", "cardinality"].contains(&group),
                "{}",
                lint.code
            );
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                lint.code
            );
            for section in ["## Why", "## Example", "## Fix"] {
                assert!(
                    lint.docs.contains(section),
                    "{} docs lack {section}",
                    lint.code
                );
            }
        }
    }
}
