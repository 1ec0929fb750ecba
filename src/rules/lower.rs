//! Lowering: the DSL's raw values into the validated [`ir`](crate::ir), collecting every
//! diagnostic on the way (it never stops at the first).
//!
//! What is checked here is what Prometheus itself rejects (`promtool check rules`): PromQL that
//! does not parse, invalid rule, label and annotation names, templates that do not parse, empty
//! or repeated group names. Advice (naming conventions, catalog checks, hygiene) is the lints'.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Diagnostic, Place};
use crate::rules::codes;
use crate::rules::ir;
use crate::rules::{Rule, RuleGroup};
use crate::syntax::gotmpl;
use crate::syntax::promql::{self, is_label_name, is_metric_name};

/// Lowers rule groups; the returned IR holds only the rules that passed.
pub fn rule_groups(groups: &[RuleGroup], diagnostics: &mut Vec<Diagnostic>) -> Vec<ir::Group> {
    let mut seen: BTreeMap<&str, &Place> = BTreeMap::new();
    let mut out = Vec::new();
    for group in groups {
        let origin = &group.origin;
        if !is_group_name(&group.name) {
            diagnostics.push(
                Diagnostic::error(
                    codes::GROUP_NAME,
                    format!("invalid rule group name {:?}", group.name),
                )
                .at(origin)
                .snippet("rule group", group.name.as_str(), 0..group.name.len(), "not a valid group name")
                .note("a group name is also its file name: use letters, digits, `_`, `.` and `-`, starting with a letter or digit"),
            );
        }
        if let Some(first) = seen.insert(&group.name, origin) {
            diagnostics.push(
                Diagnostic::error(
                    codes::DUPLICATE_GROUP,
                    format!("rule group {:?} is declared twice", group.name),
                )
                .at(origin)
                .related(first, "first declared here"),
            );
        }
        if group.interval.is_some_and(|i| i.is_zero()) {
            diagnostics.push(
                Diagnostic::warning(
                    codes::ZERO_INTERVAL,
                    format!("rule group {:?} has an interval of zero", group.name),
                )
                .at(origin)
                .note("Prometheus evaluates it at the global evaluation interval, as if unset: leave the interval unset"),
            );
        }
        let rules = group
            .rules
            .iter()
            .filter_map(|rule| lower_rule(rule, diagnostics))
            .map(|mut rule: ir::Rule| {
                rule.imported = group.imported;
                rule
            })
            .collect();
        out.push(ir::Group {
            name: group.name.clone(),
            // Prometheus reads zero as unset: so does the IR.
            interval: group.interval.filter(|i| !i.is_zero()),
            limit: group.limit,
            rules,
            place: origin.clone(),
        });
    }
    out
}

fn is_group_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

fn lower_rule(rule: &Rule, diagnostics: &mut Vec<Diagnostic>) -> Option<ir::Rule> {
    let before = diagnostics.len();
    let (kind, name, expr, labels, origin) = match rule {
        Rule::Record(r) => (
            ir::RuleKind::Record,
            &r.name,
            &r.expr.0,
            &r.labels,
            &r.origin,
        ),
        Rule::Alert(a) => (
            ir::RuleKind::Alert,
            &a.name,
            &a.expr.0,
            &a.labels,
            &a.origin,
        ),
    };
    let what = match kind {
        ir::RuleKind::Record => format!("recording rule {name}"),
        ir::RuleKind::Alert => format!("alert {name}"),
    };
    match kind {
        ir::RuleKind::Record if !is_metric_name(name) => diagnostics.push(
            Diagnostic::error(codes::NAME, format!("invalid recording rule name {name:?}"))
                .at(origin)
                .snippet(&what, name.as_str(), 0..name.len(), "not a metric name")
                .note("a recorded series name must match [a-zA-Z_:][a-zA-Z0-9_:]*"),
        ),
        // Prometheus takes any alert name but an empty one (it becomes the `alertname` label's
        // value, which may hold anything): `Foo(bar)` and names with spaces are valid.
        ir::RuleKind::Alert if name.is_empty() => diagnostics.push(
            Diagnostic::error(codes::NAME, "an alert needs a name")
                .at(origin)
                .note("the name becomes the `alertname` label, such as `HighErrorRate`"),
        ),
        _ => {}
    }
    let mut labels = labels.clone();
    if let Rule::Alert(alert) = rule {
        // A spec's severity comes from the constructor; a rule file's is a label as written,
        // which alerts/severity checks.
        let from_constructor = !origin.is_file();
        for reserved in ["severity", "alertname"] {
            if labels.contains_key(reserved) && (from_constructor || reserved != "severity") {
                diagnostics.push(
                    Diagnostic::error(
                        codes::LABEL_NAME,
                        format!("{what} sets the label `{reserved}` by hand"),
                    )
                    .at(origin)
                    .note(match reserved {
                        "severity" => "the severity comes from the constructor: Alert::critical, Alert::warning or Alert::info",
                        _ => "Prometheus sets `alertname` to the alert's name",
                    }),
                );
            }
        }
        if let (true, Some(severity)) = (from_constructor, &alert.severity) {
            labels.insert("severity".into(), severity.as_str().into());
        }
    }
    for (label, value) in &labels {
        if !is_label_name(label) || label.starts_with("__") {
            diagnostics.push(
                Diagnostic::error(
                    codes::LABEL_NAME,
                    format!("invalid label name {label:?} in {what}"),
                )
                .at(origin)
                .snippet(&what, label.as_str(), 0..label.len(), "not a label name")
                .note("a label name must match [a-zA-Z_][a-zA-Z0-9_]* and not start with `__`"),
            );
        }
        check_template(&what, "label", label, value, origin, diagnostics);
    }
    let mut annotations = BTreeMap::new();
    if let Rule::Alert(alert) = rule {
        for (key, value) in &alert.annotations {
            if !is_label_name(key) {
                diagnostics.push(
                    Diagnostic::error(
                        codes::ANNOTATION_NAME,
                        format!("invalid annotation name {key:?} in {what}"),
                    )
                    .at(origin)
                    .snippet(
                        &what,
                        key.as_str(),
                        0..key.len(),
                        "not a valid annotation name",
                    )
                    .note("an annotation name must match [a-zA-Z_][a-zA-Z0-9_]*"),
                );
            }
            check_template(&what, "annotation", key, value, origin, diagnostics);
        }
        annotations = alert.annotations.clone();
    }
    let parsed = if expr.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error(
                codes::PROMQL_SYNTAX,
                format!("{what} has an empty expression"),
            )
            .at(origin),
        );
        None
    } else {
        match promql::parse(expr) {
            Ok(parsed) => Some(parsed),
            Err(e) => {
                diagnostics.push(
                    Diagnostic::error(codes::PROMQL_SYNTAX, e.message)
                        .at(origin)
                        .snippet(format!("{what}: expr"), expr.clone(), e.range, e.label),
                );
                None
            }
        }
    };
    let parsed = parsed?;
    let analysis = promql::analyse(&parsed, expr);
    for (function, span) in &analysis.calls {
        if !PROMETHEUS_FUNCTIONS.contains(function) {
            diagnostics.push(
                Diagnostic::error(
                    codes::UNSUPPORTED_FUNCTION,
                    format!("`{function}` is not a function of the Prometheus this stack runs (2.42)"),
                )
                .at(origin)
                .snippet(format!("{what}: expr"), expr.clone(), span.clone(), "unknown to Prometheus 2.42")
                .note("it is newer or experimental (behind a feature flag); `promtool check rules` rejects it"),
            );
        }
    }
    if diagnostics.len() > before {
        return None;
    }
    let (for_, keep_firing_for) = match rule {
        Rule::Alert(a) => (a.for_, a.keep_firing_for),
        Rule::Record(_) => Default::default(),
    };
    Some(ir::Rule {
        kind,
        name: name.clone(),
        analysis,
        expr: expr.clone(),
        parsed,
        for_,
        keep_firing_for,
        labels,
        annotations,
        place: origin.clone(),
        imported: false,
    })
}

/// The functions of Prometheus 2.42, the version Debian ships and the stack runs: promql-parser
/// knows newer and experimental ones that this Prometheus rejects.
const PROMETHEUS_FUNCTIONS: &[&str] = &[
    "abs",
    "absent",
    "absent_over_time",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "avg_over_time",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "cos",
    "cosh",
    "count_over_time",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "deg",
    "delta",
    "deriv",
    "exp",
    "floor",
    "histogram_count",
    "histogram_fraction",
    "histogram_quantile",
    "histogram_sum",
    "holt_winters",
    "hour",
    "idelta",
    "increase",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "max_over_time",
    "min_over_time",
    "minute",
    "month",
    "pi",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rad",
    "rate",
    "resets",
    "round",
    "scalar",
    "sgn",
    "sin",
    "sinh",
    "sort",
    "sort_desc",
    "sqrt",
    "stddev_over_time",
    "stdvar_over_time",
    "sum_over_time",
    "tan",
    "tanh",
    "time",
    "timestamp",
    "vector",
    "year",
];

fn check_template(
    what: &str,
    field: &str,
    key: &str,
    value: &str,
    origin: &Place,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if let Err(e) = gotmpl::check(value) {
        diagnostics.push(
            Diagnostic::error(
                codes::TEMPLATE,
                format!(
                    "{field} `{key}` of {what} is not a valid template: {}",
                    e.message
                ),
            )
            .at(origin)
            .snippet(format!("{what}: {field} {key}"), value, e.range, "here"),
        );
    }
}

/// Reports rules repeated in one group: the same record name and labels twice.
pub fn duplicate_records(groups: &[ir::Group], diagnostics: &mut Vec<Diagnostic>) {
    for group in groups {
        let mut seen = BTreeSet::new();
        for rule in group
            .rules
            .iter()
            .filter(|r| r.kind == ir::RuleKind::Record)
        {
            if !seen.insert((&rule.name, &rule.labels)) {
                diagnostics.push(
                    Diagnostic::error(
                        codes::DUPLICATE,
                        format!(
                            "recording rule {} with the same labels is declared twice in group {:?}",
                            rule.name, group.name
                        ),
                    )
                    .at(&rule.place),
                );
            }
        }
    }
}
