//! Imported PromQL written with the catalog's selectors where they fit: a vector selector of a
//! metric of the catalog module becomes `select(&imported_catalog::UP).eq(..)`, so renaming the
//! metric in the catalog breaks the build of every imported rule reading it, as it does for rules
//! written by hand.
//!
//! A selector is written with the DSL only when what [`Selector`](crate::rules::Selector)
//! displays equals the text it replaces, token for token (white space aside): a matcher in single
//! quotes or backquotes, a `__name__` matcher, a label the metric lacks (`le`), a trailing comma
//! or empty braces keep the selector as written. The rest of the expression stays as written, so
//! the expression the spec emits is the imported one, modulo white space.

use std::ops::Range;

use super::catalog::Statics;
use super::catalog::CATALOG_MODULE;
use super::layout::Expr;
use super::rust::{ident, string};
use crate::rules::dsl::render_selector;
use crate::syntax::promql::{self, Token, TokenKind};

/// A selector of an expression the DSL writes: where it stands in the text, the Rust expression
/// building it, and the metric it selects (for a name to bind it to).
#[derive(Clone, Debug)]
pub struct Typed {
    /// The byte range of the selector (name and braces; a range, `offset` and `@` are outside).
    pub span: Range<usize>,
    pub rust: Expr,
    /// `rust` on one line: the same text is the same selector.
    pub flat: String,
    /// The series name as written (`up`, `http_request_duration_seconds_bucket`).
    pub series: String,
}

/// The selectors of `expr` the catalog module's `statics` can write, in the order of the text.
pub fn typed(expr: &str, statics: &Statics) -> Vec<Typed> {
    if statics.metrics.is_empty() {
        return Vec::new();
    }
    let Ok(parsed) = promql::parse(expr) else {
        return Vec::new();
    };
    let analysis = promql::analyse(&parsed, expr);
    let toks = promql::tokens(expr);
    // Whether each token is inside the braces of a selector.
    let mut depth = 0;
    let braced: Vec<bool> = toks
        .iter()
        .map(|t| {
            match t.kind {
                TokenKind::Open('{') => depth += 1,
                TokenKind::Close('}') => depth -= 1,
                _ => {}
            }
            depth > 0
        })
        .collect();
    // The analysis places a selector at the first identifier of its name not placed yet; a
    // label of a `by (..)` list named like the metric is not one, so its name tokens are
    // claimed again here, in the same order.
    let mut claimed = vec![false; toks.len()];
    let mut out: Vec<Typed> = analysis
        .selectors
        .iter()
        .filter_map(|selector| {
            let name = selector.name.as_deref()?;
            // The name as written: not a `{__name__="x"}` selector.
            if expr.get(selector.span.clone()) != Some(name) {
                return None;
            }
            let at = (0..toks.len()).find(|&i| {
                !claimed[i]
                    && toks[i].kind == TokenKind::Ident
                    && &expr[toks[i].range.clone()] == name
                    && toks.get(i + 1).map(|t| t.kind) != Some(TokenKind::Open('('))
                    && !braced[i]
                    && !in_label_list(&toks, i, expr)
            })?;
            claimed[at] = true;
            let selector_span = toks[at].range.clone();
            let end = match toks.get(at + 1) {
                Some(t) if t.kind == TokenKind::Open('{') => {
                    toks[at + 1..]
                        .iter()
                        .find(|t| t.kind == TokenKind::Close('}'))?
                        .range
                        .end
                }
                _ => selector_span.end,
            };
            let span = selector_span.start..end;
            let (metric, method) = statics.series(name)?;
            let mut matchers = Vec::new();
            let mut rust = Expr::call(
                "select",
                vec![Expr::atom(format!("&{CATALOG_MODULE}::{}", metric.ident))],
            );
            if let Some(method) = method {
                rust = rust.method(method, Vec::new());
            }
            for (label, op, value) in &selector.matchers {
                if !metric.labels.contains(label) {
                    return None;
                }
                let label_static = statics.labels.get(label)?;
                let method = match *op {
                    "=" => "eq",
                    "!=" => "ne",
                    "=~" => "re",
                    _ => "not_re",
                };
                rust = rust.method(
                    method,
                    vec![
                        Expr::atom(format!("&{CATALOG_MODULE}::{label_static}")),
                        Expr::atom(string(value)),
                    ],
                );
                matchers.push((label.as_str(), *op, value.as_str()));
            }
            let suffix = &name[name.len() - suffix_len(method)..];
            let base = &name[..name.len() - suffix.len()];
            let rendered = render_selector(base, suffix, &matchers);
            if !same_tokens(&expr[span.clone()], &rendered) {
                return None;
            }
            let flat = rust.render(0, 0, 0);
            Some(Typed {
                span,
                rust,
                flat,
                series: name.to_string(),
            })
        })
        .collect();
    out.sort_by_key(|t| t.span.start);
    out
}

fn suffix_len(method: Option<&str>) -> usize {
    match method {
        Some("bucket") => "_bucket".len(),
        Some("count") => "_count".len(),
        Some("sum") => "_sum".len(),
        _ => 0,
    }
}

/// Whether the identifier token `at` is a label of a `by`, `without`, `on`, `ignoring`,
/// `group_left` or `group_right` list rather than a selector.
fn in_label_list(toks: &[Token], at: usize, text: &str) -> bool {
    let mut i = at;
    while i > 0 {
        i -= 1;
        match toks[i].kind {
            TokenKind::Ident | TokenKind::Comma => continue,
            TokenKind::Open('(') => {
                return i > 0
                    && [
                        "by",
                        "without",
                        "on",
                        "ignoring",
                        "group_left",
                        "group_right",
                    ]
                    .contains(
                        &text[toks[i - 1].range.clone()]
                            .to_ascii_lowercase()
                            .as_str(),
                    );
            }
            _ => return false,
        }
    }
    false
}

/// Whether two PromQL texts are the same tokens (white space between them aside).
fn same_tokens(a: &str, b: &str) -> bool {
    let (ta, tb) = (promql::tokens(a), promql::tokens(b));
    ta.len() == tb.len()
        && ta
            .iter()
            .zip(&tb)
            .all(|(x, y)| a[x.range.clone()] == b[y.range.clone()])
}

/// `expr` as a `format!` string with `{name}` for each typed selector (`names` in the order of
/// `typed`), the braces of the rest doubled.
pub fn format_string(expr: &str, typed: &[Typed], names: &[String]) -> String {
    let mut out = String::with_capacity(expr.len() + 16);
    let mut last = 0;
    for (selector, name) in typed.iter().zip(names) {
        out.push_str(&escape(&expr[last..selector.span.start]));
        out.push_str(&format!("{{{name}}}"));
        last = selector.span.end;
    }
    out.push_str(&escape(&expr[last..]));
    out
}

fn escape(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}

/// Whether `typed` is the whole of `expr` (white space aside): the expression is the selector.
pub fn is_whole(expr: &str, typed: &[Typed]) -> bool {
    match typed {
        [only] => {
            expr[..only.span.start].trim().is_empty() && expr[only.span.end..].trim().is_empty()
        }
        _ => false,
    }
}

/// Names of `let` bindings, unique in one function: the series name in snake case, never a
/// keyword nor a function of the prelude it would shadow.
#[derive(Debug, Default)]
pub struct Bindings {
    /// Selector (as `flat`) to name, in order of first use.
    pub lets: Vec<(String, String, Expr)>,
    taken: std::collections::BTreeSet<String>,
}

const PRELUDE_FUNCTIONS: &[&str] = &[
    "select",
    "stat",
    "timeseries",
    "bargauge",
    "days",
    "hours",
    "mins",
    "secs",
    "compile",
    "at",
];

impl Bindings {
    /// The name bound to `typed`, binding it on first use.
    pub fn name(&mut self, typed: &Typed) -> String {
        if let Some((_, name, _)) = self.lets.iter().find(|(flat, _, _)| *flat == typed.flat) {
            return name.clone();
        }
        let mut base = ident(&typed.series);
        if let Some(raw) = base.strip_prefix("r#") {
            base = format!("{raw}_");
        }
        if PRELUDE_FUNCTIONS.contains(&base.as_str()) {
            base.push('_');
        }
        let name = super::rust::unique(base, &mut self.taken);
        self.lets
            .push((typed.flat.clone(), name.clone(), typed.rust.clone()));
        name
    }

    /// The `let` statements, at indentation 4, as rustfmt writes them.
    pub fn statements(&self) -> String {
        let mut out = String::new();
        for (_, name, rust) in &self.lets {
            let head = format!("    let {name} =");
            // rustfmt moves the value to the next line when that takes fewer lines or keeps
            // its first line from ending in `(`.
            let same = rust.render(4, head.len() + 1, 1);
            let next = rust.render(8, 8, 1);
            let newlines = |text: &str| text.matches('\n').count();
            let ends_open = |text: &str| text.lines().next().unwrap_or("").ends_with('(');
            let next_line = same.contains('\n')
                && (!next.contains('\n')
                    || newlines(&same) > newlines(&next) + 1
                    || (ends_open(&same) && !ends_open(&next)));
            if next_line {
                out.push_str(&format!("{head}\n        {next};\n"));
            } else {
                out.push_str(&format!("{head} {same};\n"));
            }
        }
        out
    }
}

/// `expr` as a Rust expression: the selector itself when the expression is one, a `format!` of
/// the bound selectors when it reads some, else the string as written.
pub fn expression(expr: &str, statics: &Statics, bindings: &mut Bindings) -> Expr {
    let typed = typed(expr, statics);
    if typed.is_empty() {
        return Expr::atom(string(expr));
    }
    if is_whole(expr, &typed) {
        return typed[0].rust.clone();
    }
    let names: Vec<String> = typed.iter().map(|t| bindings.name(t)).collect();
    Expr::call(
        "format!",
        vec![Expr::atom(string(&format_string(expr, &typed, &names)))],
    )
}

#[cfg(test)]
mod tests {
    use super::super::catalog::MetricStatic;
    use super::*;
    use sextant_catalog::Kind;

    fn statics() -> Statics {
        let metric = |ident: &str, kind, labels: &[&str]| MetricStatic {
            ident: ident.into(),
            kind,
            labels: labels.iter().map(|l| l.to_string()).collect(),
        };
        Statics {
            metrics: [
                ("up".into(), metric("UP", Kind::Gauge, &["job", "instance"])),
                (
                    "http_request_duration_seconds".into(),
                    metric("HTTP_REQUEST_DURATION_SECONDS", Kind::Histogram, &["job"]),
                ),
            ]
            .into(),
            labels: [
                ("job".into(), "LABEL_JOB".into()),
                ("instance".into(), "LABEL_INSTANCE".into()),
            ]
            .into(),
        }
    }

    /// The Rust `expr` imports as (lets first), and checks its PromQL is the input's.
    #[track_caller]
    fn check(expr: &str, expect: &str) {
        let mut bindings = Bindings::default();
        let rust = expression(expr, &statics(), &mut bindings).render(0, 0, 0);
        let got = format!("{}{rust}", bindings.statements());
        assert_eq!(got, expect);
    }

    #[test]
    fn a_selector_alone_is_the_dsls() {
        check("up", "select(&imported_catalog::UP)");
        check(
            r#"up{job="api", instance!~"a.*"}"#,
            r#"select(&imported_catalog::UP)
    .eq(&imported_catalog::LABEL_JOB, "api")
    .not_re(&imported_catalog::LABEL_INSTANCE, "a.*")"#,
        );
        // White space inside the braces is not kept.
        check(
            "up{ job = \"api\" }",
            r#"select(&imported_catalog::UP).eq(&imported_catalog::LABEL_JOB, "api")"#,
        );
    }

    #[test]
    fn selectors_in_an_expression_are_bound_and_formatted() {
        check(
            r#"sum by (job) (rate(http_request_duration_seconds_count{job="api"}[5m])) / sum(up)"#,
            r#"    let http_request_duration_seconds_count =
        select(&imported_catalog::HTTP_REQUEST_DURATION_SECONDS)
            .count()
            .eq(&imported_catalog::LABEL_JOB, "api");
    let up = select(&imported_catalog::UP);
format!("sum by (job) (rate({http_request_duration_seconds_count}[5m])) / sum({up})")"#,
        );
        // The same selector twice is one binding; braces of the rest are doubled.
        check(
            r#"up offset 5m + on (job) up @ 100 + label_replace(vector(1), "a", "{b}", "", "")"#,
            r###"    let up = select(&imported_catalog::UP);
format!(r#"{up} offset 5m + on (job) {up} @ 100 + label_replace(vector(1), "a", "{{b}}", "", "")"#)"###,
        );
    }

    #[test]
    fn selectors_the_dsl_would_write_otherwise_are_kept() {
        for expr in [
            // Single quotes, a trailing comma, empty braces.
            "up{job='api'}",
            r#"up{job="api",}"#,
            "up{}",
            // A `__name__` matcher, a label the metric lacks, a series of no imported metric.
            r#"{__name__="up"}"#,
            r#"up{__name__="up"}"#,
            r#"http_request_duration_seconds_bucket{le="0.5"}"#,
            r#"node_load1{job="api"}"#,
            // A histogram's own name is a metric, a gauge's `_count` is not one of its series.
            r#"up_count"#,
        ] {
            let mut bindings = Bindings::default();
            let rust = expression(expr, &statics(), &mut bindings).render(0, 0, 0);
            assert_eq!(rust, string(expr), "{expr}");
            assert!(bindings.lets.is_empty(), "{expr}");
        }
    }

    #[test]
    fn a_grouping_label_named_like_a_metric_is_not_a_selector() {
        check(
            "sum by (up) (up)",
            "    let up = select(&imported_catalog::UP);\nformat!(\"sum by (up) ({up})\")",
        );
    }
}
