//! Prometheus rule files as input: `lint PATH...` reads them into the same IR the spec lowers to,
//! with every item's place in its file (`Place::File`), so the lints run unchanged and
//! diagnostics show `file:line:column`.
//!
//! The YAML is read with positions ([`crate::syntax::yaml`]) and checked the way `promtool check rules`
//! does (unknown or repeated fields, `record` and `alert` both or neither, fields a recording
//! rule may not have, bad durations), then handed to [`crate::rules::lower`] as DSL values, so a file
//! gets exactly the checks a spec gets. Each value is built with its place in the file
//! ([`Place::File`], with where each of its values stands), so lowering reports at the file's
//! line and column directly.

use std::collections::BTreeMap;
use std::ops::Range;

use std::sync::Arc;

use crate::diagnostics::{Diagnostic, FileItem, TextMap};
use crate::ir::Ir;
use crate::rules::codes;
use crate::rules::lower;
use crate::rules::{self, PromQl};
use crate::syntax::duration::Duration;
use crate::syntax::yaml::{self, Node};

/// A file to lint: its path as shown in diagnostics, and its text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

/// The rule file formats `lint` reads: each is a Prometheus rule file's `groups`, placed and
/// extended differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `groups:`, as Prometheus and `promtool check rules` read it.
    Prometheus,
    /// Thanos Ruler's: a Prometheus rule file whose groups may set `partial_response_strategy`.
    Thanos,
    /// `mimirtool rules load`'s: `namespace:` and `groups:`, groups may set `source_tenants`.
    Mimir,
    /// A prometheus-operator `PrometheusRule` resource: the groups under `spec.groups`, one
    /// resource per YAML document.
    PrometheusRule,
}

impl Format {
    /// The format of a file's text, from its top-level keys.
    pub fn of(text: &str) -> Option<Format> {
        let top: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
            .collect();
        let has = |key: &str| top.contains(&key);
        let kind_of = |l: &str| {
            l.trim_start_matches([' ', '-'])
                .strip_prefix("kind:")
                .map(|k| k.trim().trim_matches(['"', '\'']).to_string())
        };
        let top_kind = |kind: &str| {
            text.lines()
                .any(|l| !l.starts_with([' ', '-']) && kind_of(l).as_deref() == Some(kind))
        };
        // A resource, or a `List` (`kubectl get -o yaml`) of them.
        let kind_is_rule = top_kind("PrometheusRule")
            || ((top_kind("List") || top_kind("PrometheusRuleList"))
                && text
                    .lines()
                    .any(|l| kind_of(l).as_deref() == Some("PrometheusRule")));
        if kind_is_rule {
            Some(Format::PrometheusRule)
        } else if has("groups") && has("namespace") {
            Some(Format::Mimir)
        } else if has("groups") && text.contains("partial_response_strategy:") {
            Some(Format::Thanos)
        } else if has("groups") {
            Some(Format::Prometheus)
        } else {
            None
        }
    }

    /// The fields a group may have in this format.
    fn group_fields(self) -> &'static [&'static str] {
        match self {
            Format::Prometheus => GROUP_FIELDS,
            Format::Thanos => &[
                "name",
                "interval",
                "limit",
                "rules",
                "partial_response_strategy",
            ],
            Format::Mimir => &[
                "name",
                "interval",
                "limit",
                "rules",
                "source_tenants",
                "evaluation_delay",
                "query_offset",
                "align_evaluation_time_on_interval",
            ],
            Format::PrometheusRule => &[
                "name",
                "interval",
                "limit",
                "rules",
                "labels",
                "partial_response_strategy",
                "query_offset",
            ],
        }
    }
}

/// Where a group read from a file came from, beside the IR (which knows no file formats).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupSource {
    pub group: String,
    pub path: String,
    pub format: Format,
    /// Mimir's namespace of the group.
    pub namespace: Option<String>,
    /// Mimir's `source_tenants` of the group (a federated group).
    pub source_tenants: Vec<String>,
}

/// Reads rule files into one IR, with every diagnostic a spec would get.
pub fn lower(files: &[SourceFile]) -> (Ir, Vec<Diagnostic>) {
    let (ir, diagnostics, _) = lower_with_sources(files);
    (ir, diagnostics)
}

/// [`lower`], with each group's file and format (in the order of the IR's groups).
pub fn lower_with_sources(files: &[SourceFile]) -> (Ir, Vec<Diagnostic>, Vec<GroupSource>) {
    let mut reader = Reader {
        path: Arc::from(""),
        groups: Vec::new(),
        diagnostics: Vec::new(),
        sources: Vec::new(),
        format: Format::Prometheus,
        namespace: None,
    };
    for file in files {
        reader.file(file);
    }
    let groups = lower::rule_groups(&reader.groups, &mut reader.diagnostics);
    let ir = Ir {
        groups,
        ..Ir::default()
    };
    lower::duplicate_records(&ir.groups, &mut reader.diagnostics);
    (ir, reader.diagnostics, reader.sources)
}

/// Reads rule files into DSL values, unlowered: each group with its source, and every
/// diagnostic of reading them (what `promtool check rules` rejects in the YAML's shape).
/// `sextant import` prints these values back as Rust.
pub fn read(files: &[SourceFile]) -> (Vec<rules::RuleGroup>, Vec<GroupSource>, Vec<Diagnostic>) {
    let mut reader = Reader {
        path: Arc::from(""),
        groups: Vec::new(),
        diagnostics: Vec::new(),
        sources: Vec::new(),
        format: Format::Prometheus,
        namespace: None,
    };
    for file in files {
        reader.file(file);
    }
    (reader.groups, reader.sources, reader.diagnostics)
}

/// The 1-based line and column (in characters) of byte `offset`, scanning the text: for a test
/// or a one-off; reports use the line index of [`crate::diagnostics::Sources`].
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

struct Reader {
    /// The path of the file being read, shared by its items.
    path: Arc<str>,
    groups: Vec<rules::RuleGroup>,
    diagnostics: Vec<Diagnostic>,
    sources: Vec<GroupSource>,
    /// The format of the file being read, and its Mimir namespace.
    format: Format,
    namespace: Option<String>,
}

/// The fields of a group and of a rule, as `promtool` knows them (Prometheus 2.42).
const GROUP_FIELDS: &[&str] = &["name", "interval", "limit", "rules"];
const RULE_FIELDS: &[&str] = &[
    "record",
    "alert",
    "expr",
    "for",
    "keep_firing_for",
    "labels",
    "annotations",
];

impl Reader {
    fn error(&mut self, file: &SourceFile, code: &'static str, at: Range<usize>, message: String) {
        self.diagnostics
            .push(Diagnostic::error(code, message).with_file(&file.path, at));
    }

    fn file(&mut self, file: &SourceFile) {
        self.path = Arc::from(file.path.as_str());
        let text = &file.text;
        self.format = Format::of(text).unwrap_or(Format::Prometheus);
        let roots = match self.format {
            Format::PrometheusRule => yaml::parse_all(text),
            _ => yaml::parse(text).map(|root| root.into_iter().collect()),
        };
        let roots = match roots {
            Ok(roots) => roots,
            Err(e) => {
                let end = (e.offset + 1).min(text.len());
                self.error(file, codes::YAML, e.offset..end, e.message);
                return;
            }
        };
        for root in &roots {
            self.namespace = None;
            match self.format {
                Format::PrometheusRule => self.resource(file, root),
                Format::Mimir => {
                    let Some(top) = self.map(file, root, "the file", &["namespace", "groups"])
                    else {
                        continue;
                    };
                    match top.get("namespace") {
                        Some((_, node)) => {
                            self.namespace = self.string(file, node, "`namespace`");
                        }
                        None => self.error(
                            file,
                            "rules/field",
                            root.start()..root.start() + 1,
                            "a Mimir rule file has no `namespace`".into(),
                        ),
                    }
                    if let Some((_, groups)) = top.get("groups") {
                        self.groups_node(file, groups);
                    }
                }
                _ => {
                    let Some(top) = self.map(file, root, "the file", &["groups"]) else {
                        continue;
                    };
                    if let Some((_, groups)) = top.get("groups") {
                        self.groups_node(file, groups);
                    }
                }
            }
        }
    }

    /// A `PrometheusRule` resource: its groups are `spec.groups`; the rest is Kubernetes'.
    fn resource(&mut self, file: &SourceFile, root: &Node) {
        let Some(top) = self.map(file, root, "the resource", &[]) else {
            return;
        };
        let kind = top.get("kind").and_then(|(_, n)| n.as_str());
        if matches!(kind, Some("List" | "PrometheusRuleList")) {
            if let Some((_, Node::Seq { items, .. })) = top.get("items") {
                for item in items {
                    self.resource(file, item);
                }
            }
            return;
        }
        if kind != Some("PrometheusRule") {
            // Another resource of a multi-document manifest: not ours to read.
            return;
        }
        let api = top.get("apiVersion").and_then(|(_, n)| n.as_str());
        if api != Some("monitoring.coreos.com/v1") {
            let at = top
                .get("apiVersion")
                .map_or(root.start()..root.start() + 1, |(k, _)| k.clone());
            self.error(
                file,
                "rules/field",
                at,
                format!(
                    "a PrometheusRule's apiVersion must be monitoring.coreos.com/v1, found {}",
                    api.map_or("none".to_string(), |a| format!("{a:?}"))
                ),
            );
        }
        let Some((_, spec)) = top.get("spec") else {
            self.error(
                file,
                "rules/field",
                root.start()..root.start() + 1,
                "a PrometheusRule has no `spec`".into(),
            );
            return;
        };
        let Some(fields) = self.map(file, spec, "a PrometheusRule's spec", &["groups"]) else {
            return;
        };
        if let Some((_, groups)) = fields.get("groups") {
            self.groups_node(file, groups);
        }
    }

    fn groups_node(&mut self, file: &SourceFile, groups: &Node) {
        let Node::Seq { items, .. } = groups else {
            let at = groups.start();
            self.error(
                file,
                codes::FIELD,
                at..at + 1,
                format!("`groups` must be a list, found {}", groups.kind()),
            );
            return;
        };
        for group in items {
            self.group(file, group);
        }
    }

    /// A mapping's entries by key, reporting non-mappings, unknown and repeated keys.
    fn map<'n>(
        &mut self,
        file: &SourceFile,
        node: &'n Node,
        what: &str,
        fields: &[&str],
    ) -> Option<BTreeMap<&'n str, (Range<usize>, &'n Node)>> {
        let Node::Map { entries, .. } = node else {
            let at = node.start();
            self.error(
                file,
                codes::FIELD,
                at..at + 1,
                format!("{what} must be a mapping, found {}", node.kind()),
            );
            return None;
        };
        let mut out = BTreeMap::new();
        for (key, value) in entries {
            let name = key.as_str().unwrap_or("");
            let at = key.start()..key.start() + name.len().max(1);
            if !fields.is_empty() && !fields.contains(&name) {
                self.diagnostics.push(
                    Diagnostic::error(codes::FIELD, format!("unknown field `{name}` in {what}"))
                        .with_file(&file.path, at)
                        .note(format!("the fields are: {}", fields.join(", "))),
                );
                continue;
            }
            if out.insert(name, (at.clone(), value)).is_some() {
                self.error(
                    file,
                    codes::FIELD,
                    at,
                    format!("field `{name}` is repeated in {what}"),
                );
            }
        }
        Some(out)
    }

    fn string(&mut self, file: &SourceFile, node: &Node, what: &str) -> Option<String> {
        match node {
            Node::Scalar { value, .. } => Some(value.clone()),
            _ => {
                let at = node.start();
                self.error(
                    file,
                    codes::FIELD,
                    at..at + 1,
                    format!("{what} must be a string, found {}", node.kind()),
                );
                None
            }
        }
    }

    fn duration(&mut self, file: &SourceFile, node: &Node, what: &str) -> Option<Duration> {
        let text = self.string(file, node, what)?;
        match Duration::parse(&text) {
            Ok(d) => Some(d),
            Err(e) => {
                let (range, _) = yaml::scalar_layout(&file.text, node);
                self.error(file, codes::FIELD, range, format!("{what}: {e}"));
                None
            }
        }
    }

    /// A mapping of strings (`labels`, `annotations`); each key and value is added to `item`
    /// (the values as `<prefix>.<key>`).
    fn strings(
        &mut self,
        file: &SourceFile,
        node: &Node,
        what: &str,
        item: &mut FileItem,
        prefix: &str,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(entries) = self.map(file, node, what, &[]) else {
            return out;
        };
        for (key, (at, value)) in entries {
            if let Some(text) = self.string(file, value, &format!("`{key}` in {what}")) {
                let key_at = if file.text.get(at.clone()) == Some(key) {
                    TextMap::Verbatim(at.start)
                } else {
                    TextMap::Whole(at)
                };
                item.values.push(crate::diagnostics::Value {
                    key: String::new(),
                    text: key.to_string(),
                    at: key_at,
                });
                item.values.push(crate::diagnostics::Value {
                    key: format!("{prefix}.{key}"),
                    text: text.clone(),
                    at: yaml::text_map(&file.text, value),
                });
                out.insert(key.to_string(), text);
            }
        }
        out
    }

    fn group(&mut self, file: &SourceFile, node: &Node) {
        let Some(fields) = self.map(file, node, "a rule group", self.format.group_fields()) else {
            return;
        };
        let start = node.start();
        let Some((_, name_node)) = fields.get("name") else {
            self.error(
                file,
                codes::FIELD,
                start..start + 1,
                "a rule group has no `name`".into(),
            );
            return;
        };
        let name = self
            .string(file, name_node, "a group's name")
            .unwrap_or_default();
        let (name_range, _) = yaml::scalar_layout(&file.text, name_node);
        let interval = fields
            .get("interval")
            .and_then(|(_, n)| self.duration(file, n, "the group's interval"));
        let limit = fields.get("limit").and_then(|(_, n)| {
            let text = self.string(file, n, "the group's limit")?;
            match text.parse::<u32>() {
                Ok(l) => Some(l),
                Err(_) => {
                    let (range, _) = yaml::scalar_layout(&file.text, n);
                    self.error(
                        file,
                        codes::FIELD,
                        range,
                        format!("the group's limit must be a whole number, found {text:?}"),
                    );
                    None
                }
            }
        });
        if let Some((_, n)) = fields.get("partial_response_strategy") {
            let value = self.string(file, n, "`partial_response_strategy`");
            let valid = value
                .as_deref()
                .is_some_and(|v| ["abort", "warn", ""].contains(&v.to_ascii_lowercase().as_str()));
            if value.is_some() && !valid {
                let (range, _) = yaml::scalar_layout(&file.text, n);
                self.error(
                    file,
                    "rules/field",
                    range,
                    format!(
                        "`partial_response_strategy` must be `abort` or `warn`, found {:?}",
                        value.unwrap_or_default()
                    ),
                );
            }
        }
        let mut source_tenants = Vec::new();
        if let Some((_, n)) = fields.get("source_tenants") {
            match n {
                Node::Seq { items, .. } => {
                    for item in items {
                        source_tenants.extend(self.string(file, item, "a source tenant"));
                    }
                }
                other => {
                    let at = other.start();
                    self.error(
                        file,
                        "rules/field",
                        at..at + 1,
                        format!("`source_tenants` must be a list, found {}", other.kind()),
                    );
                }
            }
        }
        self.sources.push(GroupSource {
            group: name.clone(),
            path: file.path.clone(),
            format: self.format,
            namespace: self.namespace.clone(),
            source_tenants,
        });
        let disabled = disabled_at(&file.text, start, false);
        let mut item = FileItem::new(self.path.clone(), name_range).value(
            "name",
            name.clone(),
            yaml::text_map(&file.text, name_node),
        );
        item.disabled = disabled.clone();
        let mut group = rules::RuleGroup {
            name,
            interval,
            limit,
            rules: Vec::new(),
            origin: item.place(),
            imported: false,
        };
        if let Some((_, list)) = fields.get("rules") {
            match list {
                Node::Seq { items, .. } => {
                    for rule in items {
                        if let Some(rule) = self.rule(file, rule, &disabled) {
                            group.rules.push(rule);
                        }
                    }
                }
                Node::Scalar { value, .. } if value.is_empty() => {}
                other => {
                    let at = other.start();
                    self.error(
                        file,
                        codes::FIELD,
                        at..at + 1,
                        format!("`rules` must be a list, found {}", other.kind()),
                    );
                }
            }
        }
        self.groups.push(group);
    }

    fn rule(
        &mut self,
        file: &SourceFile,
        node: &Node,
        group_disabled: &[String],
    ) -> Option<rules::Rule> {
        let fields = self.map(file, node, "a rule", RULE_FIELDS)?;
        let start = node.start();
        let (kind, name_node) = match (fields.get("record"), fields.get("alert")) {
            (Some(_), Some((key, _))) => {
                self.error(
                    file,
                    codes::FIELD,
                    key.clone(),
                    "a rule has both `record` and `alert`: set one".into(),
                );
                return None;
            }
            (Some((_, record)), None) => ("record", *record),
            (None, Some((_, alert))) => ("alert", *alert),
            (None, None) => {
                self.error(
                    file,
                    codes::FIELD,
                    start..start + 1,
                    "a rule has neither `record` nor `alert`: set one".into(),
                );
                return None;
            }
        };
        let name = self.string(file, name_node, &format!("`{kind}`"))?;
        let (name_range, _) = yaml::scalar_layout(&file.text, name_node);
        let mut item = FileItem::new(self.path.clone(), name_range.clone()).value(
            kind,
            name.clone(),
            yaml::text_map(&file.text, name_node),
        );
        let Some((_, expr_node)) = fields.get("expr") else {
            self.error(
                file,
                codes::FIELD,
                name_range,
                format!("{kind} {name} has no `expr`"),
            );
            return None;
        };
        let expr = self.string(file, expr_node, "`expr`")?;
        item = item.value("expr", expr.clone(), yaml::text_map(&file.text, expr_node));
        if kind == "record" {
            for field in ["for", "keep_firing_for", "annotations"] {
                if let Some((key, _)) = fields.get(field) {
                    self.error(
                        file,
                        codes::FIELD,
                        key.clone(),
                        format!("recording rule {name} has `{field}`, which only alerts may have"),
                    );
                }
            }
        }
        let for_ = fields
            .get("for")
            .and_then(|(_, n)| {
                let text = n.as_str().unwrap_or("").to_string();
                item.values.push(crate::diagnostics::Value {
                    key: "for".into(),
                    text,
                    at: yaml::text_map(&file.text, n),
                });
                self.duration(file, n, "`for`")
            })
            .unwrap_or(Duration::ZERO);
        let keep_firing_for = fields
            .get("keep_firing_for")
            .and_then(|(_, n)| self.duration(file, n, "`keep_firing_for`"))
            .unwrap_or(Duration::ZERO);
        let labels = fields
            .get("labels")
            .map(|(_, n)| self.strings(file, n, "`labels`", &mut item, "labels"))
            .unwrap_or_default();
        let annotations = fields
            .get("annotations")
            .map(|(_, n)| self.strings(file, n, "`annotations`", &mut item, "annotations"))
            .unwrap_or_default();
        let mut disabled = disabled_at(&file.text, start, true);
        disabled.extend(group_disabled.iter().cloned());
        item.disabled = disabled;
        let origin = item.place();
        if kind == "record" {
            return Some(rules::Rule::Record(rules::Record {
                name,
                expr: PromQl(expr),
                labels,
                origin,
            }));
        }
        // The severity is the `severity` label as written (lowering keeps a file's labels),
        // which alerts/severity checks.
        Some(rules::Rule::Alert(rules::Alert {
            name,
            expr: PromQl(expr),
            severity: None,
            for_,
            keep_firing_for,
            labels,
            annotations,
            origin,
        }))
    }
}

/// The lints turned off by `# sextant: disable=A,B` comments on the item's lines (all of them for
/// a rule, the first for a group) and on the comment lines just above it.
fn disabled_at(text: &str, start: usize, whole: bool) -> Vec<String> {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = start - line_start;
    let mut rest = text[line_start..].lines();
    let mut lines: Vec<&str> = rest.next().into_iter().collect();
    if whole {
        for line in rest {
            let indent = line.len() - line.trim_start().len();
            if !line.trim().is_empty() && indent < column {
                break;
            }
            lines.push(line);
        }
    }
    for line in text[..line_start].lines().rev() {
        if line.trim_start().starts_with('#') {
            lines.push(line);
        } else {
            break;
        }
    }
    let mut out = Vec::new();
    for line in lines {
        if let Some(at) = line.find("# sextant:") {
            let rest = line[at + "# sextant:".len()..].trim_start();
            if let Some(codes) = rest.strip_prefix("disable=") {
                let codes = codes.split_whitespace().next().unwrap_or("");
                out.extend(
                    codes
                        .split(',')
                        .filter(|c| !c.is_empty())
                        .map(str::to_string),
                );
            }
        }
    }
    out
}
