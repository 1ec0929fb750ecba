//! Rule files and `PrometheusRule` resources as a Rust module: `pub fn groups()`, one function
//! per group, each rule a builder chain with its PromQL kept exactly as written.
//!
//! The file is read by the `lint` reader ([`crate::rules::file::read`]) into DSL values, checked
//! as lowering checks a spec (what promtool rejects is not imported), then printed back as Rust.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml::Value;

use super::catalog::{Statics, CATALOG_MODULE};
use super::layout::Expr;
use super::rust::{duration, ident, string, unique};
use super::selectors::{self, Bindings};
use super::{codes, Entry, Module, Render, SeenSeries};
use crate::diagnostics::Diagnostic;
use crate::rules::file::{self as rulefile, Format, SourceFile};
use crate::rules::{lower, Alert, Record, Rule, RuleGroup};
use crate::syntax::promql;

/// The group fields the DSL holds; any other is reported.
const GROUP_FIELDS: &[&str] = &["name", "interval", "limit", "rules"];

/// A rule file as a module of rule groups. `groups` holds the group names imported so far (a
/// spec holds one group per name); `recorded` gets the series this file's recording rules write.
pub fn module(
    file: &SourceFile,
    name: String,
    groups: &mut BTreeSet<String>,
    recorded: &mut BTreeSet<String>,
) -> (Option<Module>, Vec<Diagnostic>) {
    let (read, sources, mut diagnostics) = rulefile::read(std::slice::from_ref(file));
    let mut checks = Vec::new();
    let lowered = lower::rule_groups(&read, &mut checks);
    lower::duplicate_records(&lowered, &mut checks);
    diagnostics.extend(checks);
    if diagnostics.iter().any(Diagnostic::is_error) {
        diagnostics.push(
            Diagnostic::error(
                codes::NOT_IMPORTED,
                format!("{} is not imported: it has errors", file.path),
            )
            .with_file(&file.path, 0..0)
            .note(
                "promtool check rules rejects it too; correct the errors reported with it and import it again",
            ),
        );
        return (None, diagnostics);
    }
    let extra = extra_fields(&file.text, Format::of(&file.text));
    let mut kept = Vec::new();
    for (index, group) in read.into_iter().enumerate() {
        if !groups.insert(group.name.clone()) {
            diagnostics.push(
                Diagnostic::warning(
                    codes::DUPLICATE,
                    format!(
                        "rule group {:?} is already imported from another file",
                        group.name
                    ),
                )
                .at(group.origin.clone())
                .note("this group is not imported: a spec writes one file per group name"),
            );
            continue;
        }
        let source = sources.get(index);
        let mut dropped: Vec<String> = extra.get(index).cloned().unwrap_or_default();
        if let Some(source) = source {
            if source.namespace.is_some() {
                dropped.push("namespace".into());
            }
        }
        for field in dropped {
            diagnostics.push(
                Diagnostic::warning(
                    codes::UNSUPPORTED,
                    format!("`{field}` of rule group {:?} is not imported", group.name),
                )
                .at(group.origin.clone())
                .note("the DSL's rule groups have a name, an interval, a limit and rules; set this in the spec by hand (a ruler's view, a deploy target)"),
            );
        }
        for rule in &group.rules {
            if let Rule::Record(record) = rule {
                recorded.insert(record.name.clone());
            }
        }
        kept.push(group);
    }
    if kept.is_empty() {
        return (None, diagnostics);
    }
    let mut series = BTreeMap::new();
    for group in &kept {
        for rule in &group.rules {
            let (expr, read) = match rule {
                Rule::Record(r) => (&r.expr.0, BTreeSet::new()),
                Rule::Alert(a) => (
                    &a.expr.0,
                    a.annotations
                        .values()
                        .chain(a.labels.values())
                        .flat_map(|t| template_labels(t))
                        .collect(),
                ),
            };
            seen(expr, &read, &mut series);
        }
    }
    let source = source(&file.path, &kept, &Statics::default());
    let path = file.path.clone();
    let render = Render::new(move |statics| self::source(&path, &kept, statics));
    (
        Some(Module {
            name,
            source_path: file.path.clone(),
            source,
            entry: Entry::RuleGroups,
            series,
            render: Some(render),
        }),
        diagnostics,
    )
}

/// Adds the series an expression selects, with the labels it matches and groups by, and
/// whether it is read as a counter or a histogram.
/// `read` are labels the rule's templates read (`$labels.x`): the expression's series have them.
pub fn seen(expr: &str, read: &BTreeSet<String>, series: &mut BTreeMap<String, SeenSeries>) {
    let Ok(parsed) = promql::parse(expr) else {
        return;
    };
    let analysis = promql::analyse(&parsed, expr);
    let grouped: BTreeSet<String> = analysis
        .groupings
        .iter()
        .flat_map(|g| g.labels.iter().cloned())
        .collect();
    for selector in &analysis.selectors {
        let Some(name) = &selector.name else { continue };
        let quantile = selector.enclosing.iter().any(|f| f == "histogram_quantile");
        let (name, histogram) = match name.strip_suffix("_bucket") {
            Some(base) if quantile => (base.to_string(), true),
            _ => (name.clone(), false),
        };
        let entry = series.entry(name).or_default();
        entry.as_histogram |= histogram;
        entry.as_counter |= matches!(
            selector.function,
            Some("rate" | "increase" | "irate" | "resets")
        );
        entry
            .labels
            .extend(selector.matchers.iter().map(|(l, _, _)| l.clone()));
        entry.labels.extend(grouped.iter().cloned());
        entry.labels.extend(read.iter().cloned());
    }
}

/// The label names a template reads as `$labels.name`.
fn template_labels(text: &str) -> Vec<String> {
    text.match_indices("$labels.")
        .map(|(at, m)| {
            text[at + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// For each group of the file, in the reader's order, the fields the DSL does not hold.
fn extra_fields(text: &str, format: Option<Format>) -> Vec<Vec<String>> {
    fn collect(doc: &Value, out: &mut Vec<Vec<String>>) {
        let groups = match doc.get("kind").and_then(Value::as_str) {
            Some("List" | "PrometheusRuleList") => {
                for item in doc
                    .get("items")
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten()
                {
                    collect(item, out);
                }
                return;
            }
            Some("PrometheusRule") => doc.get("spec").and_then(|s| s.get("groups")),
            Some(_) => return,
            None => doc.get("groups"),
        };
        for group in groups.and_then(Value::as_sequence).into_iter().flatten() {
            let fields = group
                .as_mapping()
                .into_iter()
                .flat_map(|m| m.keys())
                .filter_map(Value::as_str)
                .filter(|k| !GROUP_FIELDS.contains(k))
                .map(str::to_string)
                .collect();
            out.push(fields);
        }
    }
    let mut out = Vec::new();
    let documents: Vec<Value> = match format {
        Some(Format::PrometheusRule) => serde_yaml::Deserializer::from_str(text)
            .filter_map(|d| serde::Deserialize::deserialize(d).ok())
            .collect(),
        _ => serde_yaml::from_str(text).into_iter().collect(),
    };
    for doc in &documents {
        collect(doc, &mut out);
    }
    out
}

/// The module's Rust source, its selectors of the catalog module's metrics (`statics`) written
/// with the DSL.
fn source(path: &str, groups: &[RuleGroup], statics: &Statics) -> String {
    let mut taken: BTreeSet<String> = ["groups".to_string()].into();
    let functions: Vec<String> = groups
        .iter()
        .map(|g| unique(ident(&g.name), &mut taken))
        .collect();
    let mut out = super::header(path, Entry::RuleGroups);
    let mut body = String::new();
    let mut typed = false;
    body.push_str(&format!("/// The rule groups of `{path}`.\n"));
    body.push_str("pub fn groups() -> Vec<RuleGroup> {\n");
    body.push_str(&super::layout::vec_body(
        functions.iter().map(|f| format!("{f}()")).collect(),
    ));
    body.push_str("}\n");
    for (group, function) in groups.iter().zip(&functions) {
        body.push('\n');
        body.push_str(&format!("fn {function}() -> RuleGroup {{\n"));
        let mut chain = Expr::call("RuleGroup::new", vec![Expr::atom(string(&group.name))])
            .method("imported", vec![]);
        if let Some(interval) = group.interval {
            chain = chain.method("interval", vec![Expr::atom(duration(interval))]);
        }
        if let Some(limit) = group.limit {
            chain = chain.method("limit", vec![Expr::atom(limit.to_string())]);
        }
        let mut bindings = Bindings::default();
        for rule in &group.rules {
            chain = chain.method("rule", vec![rule_expr(rule, statics, &mut bindings)]);
        }
        let rendered = chain.render(4, 4, 0);
        typed |= rendered.contains(CATALOG_MODULE) || !bindings.lets.is_empty();
        body.push_str(&bindings.statements());
        body.push_str("    ");
        body.push_str(&rendered);
        body.push_str("\n}\n");
    }
    out.push_str("use sextant::prelude::*;\n");
    if typed {
        out.push_str(&format!("\nuse super::{CATALOG_MODULE};\n"));
    }
    out.push('\n');
    out.push_str(&body);
    out
}

fn strings(items: &[&str]) -> Vec<Expr> {
    items.iter().map(|s| Expr::atom(string(s))).collect()
}

fn rule_expr(rule: &Rule, statics: &Statics, bindings: &mut Bindings) -> Expr {
    match rule {
        Rule::Record(Record {
            name, expr, labels, ..
        }) => {
            let expr = selectors::expression(&expr.0, statics, bindings);
            let mut chain = Expr::call("Record::new", vec![Expr::atom(string(name)), expr]);
            for (k, v) in labels {
                chain = chain.method("label", strings(&[k, v]));
            }
            chain
        }
        Rule::Alert(alert) => alert_expr(alert, statics, bindings),
    }
}

fn alert_expr(alert: &Alert, statics: &Statics, bindings: &mut Bindings) -> Expr {
    let name = Expr::atom(string(&alert.name));
    let expr = selectors::expression(&alert.expr.0, statics, bindings);
    let mut labels = alert.labels.clone();
    let mut chain = match labels.remove("severity").as_deref() {
        Some(s @ ("critical" | "warning" | "info")) => {
            Expr::call(format!("Alert::{s}"), vec![name, expr])
        }
        Some(other) => Expr::call("Alert::new", vec![name, Expr::atom(string(other)), expr]),
        None => Expr::call("Alert::unrouted", vec![name, expr]),
    };
    if !alert.for_.is_zero() {
        chain = chain.method("for_", vec![Expr::atom(duration(alert.for_))]);
    }
    if !alert.keep_firing_for.is_zero() {
        chain = chain.method(
            "keep_firing_for",
            vec![Expr::atom(duration(alert.keep_firing_for))],
        );
    }
    for (k, v) in &labels {
        chain = chain.method("label", strings(&[k, v]));
    }
    for (k, v) in &alert.annotations {
        chain = match k.as_str() {
            "summary" => chain.method("summary", strings(&[v])),
            "description" => chain.method("description", strings(&[v])),
            "runbook_url" => chain.method("runbook", strings(&[v])),
            _ => chain.method("annotation", strings(&[k, v])),
        };
    }
    chain
}
