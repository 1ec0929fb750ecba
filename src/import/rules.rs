//! Rule files and `PrometheusRule` resources as a Rust module: `pub fn groups()`, one function
//! per group, each rule a builder chain with its PromQL kept exactly as written.
//!
//! The file is read by the `lint` reader ([`crate::rules::file::read`]) into DSL values, checked
//! as lowering checks a spec (what promtool rejects is not imported), then printed back as Rust.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml::Value;

use super::rust::{float, ident, string, unique};
use super::{codes, Entry, Module, SeenSeries};
use crate::diagnostics::Diagnostic;
use crate::rules::file::{self as rulefile, Format, SourceFile};
use crate::rules::{lower, Alert, Record, Rule, RuleGroup};
use crate::syntax::duration::Duration;
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
                "promtool check rules rejects it too; correct the errors above and import it again",
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
    let source = source(&file.path, &kept);
    (
        Some(Module {
            name,
            source_path: file.path.clone(),
            source,
            entry: Entry::RuleGroups,
            series,
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

/// The module's Rust source.
fn source(path: &str, groups: &[RuleGroup]) -> String {
    let mut taken: BTreeSet<String> = ["groups".to_string()].into();
    let functions: Vec<String> = groups
        .iter()
        .map(|g| unique(ident(&g.name), &mut taken))
        .collect();
    let mut out = super::header(path, Entry::RuleGroups);
    out.push_str("use sextant::prelude::*;\n\n");
    out.push_str(&format!("/// The rule groups of `{path}`.\n"));
    out.push_str("pub fn groups() -> Vec<RuleGroup> {\n");
    let calls: Vec<String> = functions.iter().map(|f| format!("{f}()")).collect();
    let one_line = format!("    vec![{}]", calls.join(", "));
    if one_line.len() <= 100 && calls.len() <= 4 {
        out.push_str(&one_line);
        out.push('\n');
    } else {
        out.push_str("    vec![\n");
        for call in &calls {
            out.push_str(&format!("        {call},\n"));
        }
        out.push_str("    ]\n");
    }
    out.push_str("}\n");
    for (group, function) in groups.iter().zip(&functions) {
        out.push('\n');
        out.push_str(&format!("fn {function}() -> RuleGroup {{\n"));
        let mut chain = Chain::new(format!("RuleGroup::new({})", string(&group.name)));
        chain.call(".imported()".into());
        if let Some(interval) = group.interval {
            chain.call(format!(".interval({})", duration(interval)));
        }
        if let Some(limit) = group.limit {
            chain.call(format!(".limit({limit})"));
        }
        for rule in &group.rules {
            chain.nested(".rule", rule_chain(rule));
        }
        out.push_str(&chain.render(1));
        out.push_str("}\n");
    }
    out
}

fn rule_chain(rule: &Rule) -> Chain {
    match rule {
        Rule::Record(Record {
            name, expr, labels, ..
        }) => {
            let mut chain = Chain::call_with("Record::new", &[string(name), string(&expr.0)]);
            for (k, v) in labels {
                chain.call(format!(".label({}, {})", string(k), string(v)));
            }
            chain
        }
        Rule::Alert(alert) => alert_chain(alert),
    }
}

fn alert_chain(alert: &Alert) -> Chain {
    let name = string(&alert.name);
    let expr = string(&alert.expr.0);
    let mut labels = alert.labels.clone();
    let mut chain = match labels.remove("severity").as_deref() {
        Some(s @ ("critical" | "warning" | "info")) => {
            Chain::call_with(&format!("Alert::{s}"), &[name, expr])
        }
        Some(other) => Chain::call_with("Alert::new", &[name, string(other), expr]),
        None => Chain::call_with("Alert::unrouted", &[name, expr]),
    };
    if !alert.for_.is_zero() {
        chain.call(format!(".for_({})", duration(alert.for_)));
    }
    if !alert.keep_firing_for.is_zero() {
        chain.call(format!(
            ".keep_firing_for({})",
            duration(alert.keep_firing_for)
        ));
    }
    for (k, v) in &labels {
        chain.call(format!(".label({}, {})", string(k), string(v)));
    }
    for (k, v) in &alert.annotations {
        let call = match k.as_str() {
            "summary" => format!(".summary({})", string(v)),
            "description" => format!(".description({})", string(v)),
            "runbook_url" => format!(".runbook({})", string(v)),
            _ => format!(".annotation({}, {})", string(k), string(v)),
        };
        chain.call(call);
    }
    chain
}

/// A duration as the prelude's constructors write it: `mins(5)`, `secs(90)`.
pub fn duration(d: Duration) -> String {
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

/// `float` is re-exported for the importers that write numbers.
pub fn number(value: f64) -> String {
    float(value)
}

/// A builder chain as rustfmt lays it out: the head, then one call per line when it does not
/// fit on one.
pub struct Chain {
    head: Vec<String>,
    calls: Vec<Call>,
}

enum Call {
    Plain(String),
    Nested(String, Chain),
}

impl Chain {
    pub fn new(head: String) -> Chain {
        Chain {
            head: vec![head],
            calls: Vec::new(),
        }
    }

    /// `function(args..)`, laid out one argument per line when the call is too long.
    pub fn call_with(function: &str, args: &[String]) -> Chain {
        let one = format!("{function}({})", args.join(", "));
        if !one.contains('\n') {
            return Chain::new(one);
        }
        let mut head = vec![format!("{function}(")];
        for arg in args {
            head.push(format!("    {arg},"));
        }
        head.push(")".into());
        Chain {
            head,
            calls: Vec::new(),
        }
    }

    pub fn call(&mut self, call: String) {
        self.calls.push(Call::Plain(call));
    }

    pub fn nested(&mut self, method: &str, chain: Chain) {
        self.calls.push(Call::Nested(method.to_string(), chain));
    }

    /// The chain at `level` indentation (4 spaces each), as the body's tail expression.
    pub fn render(&self, level: usize) -> String {
        let pad = "    ".repeat(level);
        let mut out = String::new();
        for line in &self.head {
            out.push_str(&pad);
            out.push_str(line);
            out.push('\n');
        }
        for call in &self.calls {
            match call {
                Call::Plain(text) => {
                    out.push_str(&format!("{pad}    {text}\n"));
                }
                Call::Nested(method, chain) => {
                    let inner = chain.render(level + 2);
                    let single = inner.trim();
                    let line = format!("{pad}    {method}({single})");
                    if !single.contains('\n') && line.len() <= 100 {
                        out.push_str(&line);
                        out.push('\n');
                    } else {
                        out.push_str(&format!("{pad}    {method}(\n"));
                        out.push_str(inner.trim_end_matches('\n'));
                        out.push_str(",\n");
                        out.push_str(&format!("{pad}    )\n"));
                    }
                }
            }
        }
        out
    }
}
