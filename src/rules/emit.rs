//! Prometheus rule files: one file per rule group, `prometheus/rules/<group>.yml`, in the
//! format `promtool check rules` reads.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::output::Output;
use crate::rules::ir::{self, RuleKind};
use crate::syntax::duration::Duration;

#[derive(Serialize)]
struct File<'a> {
    groups: Vec<Group<'a>>,
}

/// A group as rule files write it; the ruler and Kubernetes emitters wrap it.
#[derive(Serialize)]
pub(crate) struct Group<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
pub(crate) struct Rule<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alert: Option<&'a str>,
    expr: String,
    #[serde(rename = "for", skip_serializing_if = "Duration::is_zero")]
    for_: Duration,
    #[serde(skip_serializing_if = "Duration::is_zero")]
    keep_firing_for: Duration,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: &'a BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a BTreeMap<String, String>,
}

/// The folder rule files are written to, relative to the output root, with its trailing `/`.
pub const DIR: &str = "prometheus/rules/";

pub fn emit(groups: &[ir::Group], out: &mut Output) {
    for group in groups {
        let file = File {
            groups: vec![serialized(group)],
        };
        let yaml = serde_yaml::to_string(&file).expect("rule files serialize");
        out.add(
            format!("{DIR}{}.yml", group.name),
            format!("{}{yaml}", crate::output::yaml_header(&source(group))),
        );
    }
}

/// A group in the form every rule file format shares.
pub(crate) fn serialized(group: &ir::Group) -> Group<'_> {
    Group {
        name: &group.name,
        interval: group.interval,
        limit: group.limit,
        rules: group.rules.iter().map(rule).collect(),
    }
}

/// The Rust file that declared `group`, for the generated-file header.
pub(crate) fn source(group: &ir::Group) -> String {
    match group.place.origin() {
        Some(origin) => origin.file.to_string(),
        None => "the spec".to_string(),
    }
}

fn rule(rule: &ir::Rule) -> Rule<'_> {
    let name = rule.name.as_str();
    // A trailing newline would make serde_yaml write `|` instead of `|-`; keep the text tidy.
    let expr = rule.expr.trim().to_string();
    Rule {
        record: (rule.kind == RuleKind::Record).then_some(name),
        alert: (rule.kind == RuleKind::Alert).then_some(name),
        expr,
        for_: rule.for_,
        keep_firing_for: rule.keep_firing_for,
        labels: &rule.labels,
        annotations: &rule.annotations,
    }
}
