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
    typed_through(expr, expr, &|r| r, statics)
}

/// [`typed`] for an expression that parses only through a stand-in text (Grafana's variables
/// replaced): `to_expr` maps a range of `stand_in` back to `expr`. Selectors are read from
/// `expr` itself, so a matcher value holding a variable (`job=~"$job"`) is kept.
pub fn typed_through(
    expr: &str,
    stand_in: &str,
    to_expr: &dyn Fn(Range<usize>) -> Range<usize>,
    statics: &Statics,
) -> Vec<Typed> {
    if statics.metrics.is_empty() {
        return Vec::new();
    }
    let Ok(parsed) = promql::parse(stand_in) else {
        return Vec::new();
    };
    let analysis = promql::analyse(&parsed, stand_in);
    let toks = promql::tokens(stand_in);
    let original = promql::tokens(expr);
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
            if stand_in.get(selector.span.clone()) != Some(name) {
                return None;
            }
            let at = (0..toks.len()).find(|&i| {
                !claimed[i]
                    && toks[i].kind == TokenKind::Ident
                    && &stand_in[toks[i].range.clone()] == name
                    && toks.get(i + 1).map(|t| t.kind) != Some(TokenKind::Open('('))
                    && !braced[i]
                    && !in_label_list(&toks, i, stand_in)
            })?;
            claimed[at] = true;
            // The same selector in `expr`, its matchers read from there.
            let start = to_expr(toks[at].range.clone());
            let at = original.iter().position(|t| t.range == start)?;
            if expr[start.clone()] != *name {
                return None;
            }
            let (matchers, end) = match original.get(at + 1) {
                Some(t) if t.kind == TokenKind::Open('{') => {
                    read_matchers(expr, &original[at + 2..])?
                }
                _ => (Vec::new(), start.end),
            };
            let span = start.start..end;
            let (metric, method) = statics.series(name)?;
            let mut rust = Expr::call(
                "select",
                vec![Expr::atom(format!("&{CATALOG_MODULE}::{}", metric.ident))],
            );
            if let Some(method) = method {
                rust = rust.method(method, Vec::new());
            }
            for (label, op, value) in &matchers {
                if !metric.labels.contains(label) {
                    return None;
                }
                let label_static = statics.labels.get(label)?;
                let method = match op.as_str() {
                    "=" => "eq",
                    "!=" => "ne",
                    "=~" => "re",
                    "!~" => "not_re",
                    _ => return None,
                };
                rust = rust.method(
                    method,
                    vec![
                        Expr::atom(format!("&{CATALOG_MODULE}::{label_static}")),
                        Expr::atom(string(value)),
                    ],
                );
            }
            let suffix = &name[name.len() - suffix_len(method)..];
            let base = &name[..name.len() - suffix.len()];
            let matchers: Vec<(&str, &str, &str)> = matchers
                .iter()
                .map(|(l, o, v)| (l.as_str(), o.as_str(), v.as_str()))
                .collect();
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

/// The matchers of a selector from the tokens after its `{` (label, operator, unquoted value),
/// with the end of its `}`; `None` unless each value is a double-quoted string this reads back.
#[allow(clippy::type_complexity)]
fn read_matchers(text: &str, toks: &[Token]) -> Option<(Vec<(String, String, String)>, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let t = toks.get(i)?;
        if t.kind == TokenKind::Close('}') {
            return Some((out, t.range.end));
        }
        let (label, op, value) = (t, toks.get(i + 1)?, toks.get(i + 2)?);
        if label.kind != TokenKind::Ident || op.kind != TokenKind::Operator {
            return None;
        }
        out.push((
            text[label.range.clone()].to_string(),
            text[op.range.clone()].to_string(),
            unquote(&text[value.range.clone()])?,
        ));
        i += 3;
        if toks.get(i).map(|t| t.kind) == Some(TokenKind::Comma) {
            i += 1;
        }
    }
}

/// A double-quoted PromQL string's value, for the escapes [`promql::quote`] writes.
fn unquote(text: &str) -> Option<String> {
    let body = text.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '"' => out.push('"'),
            '\\' => out.push('\\'),
            'n' => out.push('\n'),
            't' => out.push('\t'),
            _ => return None,
        }
    }
    Some(out)
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

/// `expr` (a Grafana query, read through `stand_in` as [`typed_through`] does) as a Rust
/// expression on one line when it reads typed selectors: the selector itself, or a `format!` of
/// them in place. `None`: the string as written.
pub fn inline(
    expr: &str,
    stand_in: &str,
    to_expr: &dyn Fn(Range<usize>) -> Range<usize>,
    statics: &Statics,
) -> Option<String> {
    let typed = typed_through(expr, stand_in, to_expr, statics);
    if typed.is_empty() {
        return None;
    }
    if is_whole(expr, &typed) {
        return Some(typed[0].flat.clone());
    }
    let names = vec![String::new(); typed.len()];
    let mut args = vec![string(&format_string(expr, &typed, &names))];
    args.extend(typed.iter().map(|t| t.flat.clone()));
    Some(format!("format!({})", args.join(", ")))
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
    fn a_long_selector_is_laid_out_as_rustfmt_does() {
        let mut statics = statics();
        statics.metrics.insert(
            "openldap_monitor_counter_object".into(),
            MetricStatic {
                ident: "OPENLDAP_MONITOR_COUNTER_OBJECT".into(),
                kind: Kind::Gauge,
                labels: ["dn".to_string()].into(),
            },
        );
        statics.labels.insert("dn".into(), "LABEL_DN".into());
        let mut bindings = Bindings::default();
        let expr =
            r#"openldap_monitor_counter_object{dn="cn=Current,cn=Connections,cn=Monitor"} > 100"#;
        let rust = expression(expr, &statics, &mut bindings).render(4, 4, 0);
        assert_eq!(
            format!("{}    {rust}", bindings.statements()),
            r#"    let openldap_monitor_counter_object =
        select(&imported_catalog::OPENLDAP_MONITOR_COUNTER_OBJECT).eq(
            &imported_catalog::LABEL_DN,
            "cn=Current,cn=Connections,cn=Monitor",
        );
    format!("{openldap_monitor_counter_object} > 100")"#
        );
    }

    /// A Grafana query: its variables stand in for values while parsing, and stay as written.
    #[track_caller]
    fn check_grafana(expr: &str, expect: Option<&str>) {
        let (stand_in, to_expr) = crate::grafana::lower::stand_in_variables_mapped(expr);
        assert_eq!(
            inline(expr, &stand_in, &to_expr, &statics()).as_deref(),
            expect
        );
    }

    #[test]
    fn grafana_queries_keep_their_variables() {
        check_grafana(
            r#"sum(rate(up{job=~"$job"}[$__rate_interval])) > ${threshold}"#,
            Some(
                r#"format!("sum(rate({}[$__rate_interval])) > ${{threshold}}", select(&imported_catalog::UP).re(&imported_catalog::LABEL_JOB, "$job"))"#,
            ),
        );
        check_grafana(
            r#"up{instance="$node:9100"}"#,
            Some(
                r#"select(&imported_catalog::UP).eq(&imported_catalog::LABEL_INSTANCE, "$node:9100")"#,
            ),
        );
        // A variable in the name, in a label name: as written.
        check_grafana(r#"${metric}{job="a"}"#, None);
        check_grafana(r#"up{$label="a"}"#, None);
    }

    #[test]
    fn a_grouping_label_named_like_a_metric_is_not_a_selector() {
        check(
            "sum by (up) (up)",
            "    let up = select(&imported_catalog::UP);\nformat!(\"sum by (up) ({up})\")",
        );
    }
}
