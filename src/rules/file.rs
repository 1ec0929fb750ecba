//! Prometheus rule files as input: `lint PATH...` reads them into the same IR the spec lowers to,
//! with every item's place in its file (`Place::File`), so the lints run unchanged and
//! diagnostics show `file:line:column`.
//!
//! The YAML is read with positions ([`crate::syntax::yaml`]) and checked the way `promtool check rules`
//! does (unknown or repeated fields, `record` and `alert` both or neither, fields a recording
//! rule may not have, bad durations), then handed to [`crate::rules::lower`] as DSL values, so a file
//! gets exactly the checks a spec gets. Lowering reports at a Rust [`Origin`]; here each item's
//! origin is a key into a table of file places ([`FILE_ORIGIN`] and the item's number as the
//! line), mapped back to the file when lowering is done.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostics::{Diagnostic, Origin, Snippet};
use crate::ir::{Ir, Place};
use crate::rules::lower;
use crate::rules::{self, AlertSeverity, PromQl};
use crate::syntax::duration::Duration;
use crate::syntax::yaml::{self, Node};

/// The `file` of the origins given to lowered file items; see the module docs.
pub const FILE_ORIGIN: &str = "<rule file>";

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
        let kind_is_rule = text.lines().any(|l| {
            l.strip_prefix("kind:")
                .is_some_and(|k| k.trim().trim_matches(['"', '\'']) == "PrometheusRule")
        });
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

/// One group or rule read from a file.
struct Item {
    place: Place,
    /// The `labels` as written, for alerts (lowering adds its own `severity`).
    labels: Option<BTreeMap<String, String>>,
}

/// Reads rule files into one IR, with every diagnostic a spec would get.
pub fn lower(files: &[SourceFile]) -> (Ir, Vec<Diagnostic>) {
    let (ir, diagnostics, _) = lower_with_sources(files);
    (ir, diagnostics)
}

/// [`lower`], with each group's file and format (in the order of the IR's groups).
pub fn lower_with_sources(files: &[SourceFile]) -> (Ir, Vec<Diagnostic>, Vec<GroupSource>) {
    let mut reader = Reader {
        items: Vec::new(),
        groups: Vec::new(),
        diagnostics: Vec::new(),
        sources: Vec::new(),
        format: Format::Prometheus,
        namespace: None,
    };
    for file in files {
        reader.file(file);
    }
    let mut lowered = Vec::new();
    let groups = lower::rule_groups(&reader.groups, &mut lowered);
    let mut ir = Ir {
        groups,
        ..Ir::default()
    };
    lower::duplicate_records(&ir.groups, &mut lowered);
    let items = &reader.items;
    let item_of = |origin: Option<Origin>| -> Option<&Item> {
        let origin = origin.filter(|o| o.file == FILE_ORIGIN)?;
        items.get(origin.line as usize)
    };
    for group in &mut ir.groups {
        if let Some(item) = item_of(group.place.origin()) {
            group.place = item.place.clone();
        }
        for rule in &mut group.rules {
            if let Some(item) = item_of(rule.place.origin()) {
                if let Some(labels) = &item.labels {
                    rule.labels = labels.clone();
                }
                rule.place = item.place.clone();
            }
        }
    }
    for mut d in lowered {
        if let Some(item) = item_of(d.origin) {
            d.origin = None;
            if let Place::File { path, range, .. } = &item.place {
                let at = d
                    .snippet
                    .as_ref()
                    .and_then(|s| locate(files, &item.place, s))
                    .unwrap_or_else(|| range.clone());
                d.file = Some((path.clone(), at));
            }
            for note in &mut d.notes {
                *note = rewrite_origins(note, items, files);
            }
        }
        reader.diagnostics.push(d);
    }
    (ir, reader.diagnostics, reader.sources)
}

/// Where a lowering diagnostic's snippet stands in the item's file: in the expression (through
/// its layout), or found verbatim from the item's line on.
fn locate(files: &[SourceFile], place: &Place, snippet: &Snippet) -> Option<Range<usize>> {
    let Place::File {
        path, range: item, ..
    } = place
    else {
        return None;
    };
    let range = snippet.range.clone();
    if snippet.name.ends_with(": expr") {
        let start = place.expr_offset(&snippet.text, range.start)?;
        let end = place.expr_offset(&snippet.text, range.end)?;
        return Some(start..end);
    }
    let text = &files.iter().find(|f| &f.path == path)?.text;
    if snippet.text.is_empty() || snippet.text.contains('\n') {
        return None;
    }
    let from = text[..item.start].rfind('\n').map_or(0, |i| i + 1);
    let found = text[from..].find(snippet.text.as_str())? + from;
    Some(found + range.start..found + range.end)
}

/// Replaces `<rule file>:N:0` in a note with the file and line of item N.
fn rewrite_origins(note: &str, items: &[Item], files: &[SourceFile]) -> String {
    let Some(at) = note.find(FILE_ORIGIN) else {
        return note.to_string();
    };
    let rest = &note[at + FILE_ORIGIN.len()..];
    let digits: String = rest
        .trim_start_matches(':')
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let Some(Item {
        place: Place::File { path, range, .. },
        ..
    }) = digits.parse::<usize>().ok().and_then(|n| items.get(n))
    else {
        return note.to_string();
    };
    let text = files
        .iter()
        .find(|f| &f.path == path)
        .map_or("", |f| f.text.as_str());
    let (line, column) = line_column(text, range.start);
    let tail = rest
        .trim_start_matches(':')
        .trim_start_matches(|c: char| c.is_ascii_digit())
        .trim_start_matches(':')
        .trim_start_matches(|c: char| c.is_ascii_digit());
    format!("{}{path}:{line}:{column}{tail}", &note[..at])
}

/// The 1-based line and column (in characters) of byte `offset`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..offset].chars().count() + 1)
}

struct Reader {
    items: Vec<Item>,
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
                self.error(file, "rules/yaml", e.offset..end, e.message);
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
                "rules/field",
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
                "rules/field",
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
                    Diagnostic::error("rules/field", format!("unknown field `{name}` in {what}"))
                        .with_file(&file.path, at)
                        .note(format!("the fields are: {}", fields.join(", "))),
                );
                continue;
            }
            if out.insert(name, (at.clone(), value)).is_some() {
                self.error(
                    file,
                    "rules/field",
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
                    "rules/field",
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
                self.error(file, "rules/field", range, format!("{what}: {e}"));
                None
            }
        }
    }

    fn strings(
        &mut self,
        file: &SourceFile,
        node: &Node,
        what: &str,
        values: &mut BTreeMap<String, Range<usize>>,
        prefix: &str,
    ) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        let Some(entries) = self.map(file, node, what, &[]) else {
            return out;
        };
        for (key, (_, value)) in entries {
            if let Some(text) = self.string(file, value, &format!("`{key}` in {what}")) {
                values.insert(
                    format!("{prefix}.{key}"),
                    yaml::scalar_layout(&file.text, value).0,
                );
                out.insert(key.to_string(), text);
            }
        }
        out
    }

    fn place(
        &self,
        file: &SourceFile,
        range: Range<usize>,
        values: BTreeMap<String, Range<usize>>,
        expr: Option<&Node>,
        disabled: Vec<String>,
    ) -> Place {
        let (expr_start, expr_lines) = match expr.map(|e| yaml::scalar_layout(&file.text, e)) {
            Some((_, Some(lines))) => (lines.first().copied(), lines[1..].to_vec()),
            _ => (None, Vec::new()),
        };
        Place::File {
            path: file.path.clone(),
            range,
            expr_start,
            expr_lines,
            values,
            disabled,
        }
    }

    /// The origin lowering will report item `index` at.
    fn origin(index: usize) -> Origin {
        Origin {
            file: FILE_ORIGIN,
            line: index as u32,
            column: 0,
        }
    }

    fn group(&mut self, file: &SourceFile, node: &Node) {
        let Some(fields) = self.map(file, node, "a rule group", self.format.group_fields()) else {
            return;
        };
        let start = node.start();
        let Some((_, name_node)) = fields.get("name") else {
            self.error(
                file,
                "rules/field",
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
                        "rules/field",
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
        let index = self.items.len();
        let place = self.place(file, name_range, BTreeMap::new(), None, disabled.clone());
        self.items.push(Item {
            place,
            labels: None,
        });
        let mut group = rules::RuleGroup {
            name,
            interval,
            limit,
            rules: Vec::new(),
            origin: Reader::origin(index),
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
                        "rules/field",
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
        let mut values = BTreeMap::new();
        let (kind, name_node) = match (fields.get("record"), fields.get("alert")) {
            (Some(_), Some((key, _))) => {
                self.error(
                    file,
                    "rules/field",
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
                    "rules/field",
                    start..start + 1,
                    "a rule has neither `record` nor `alert`: set one".into(),
                );
                return None;
            }
        };
        let name = self.string(file, name_node, &format!("`{kind}`"))?;
        let (name_range, _) = yaml::scalar_layout(&file.text, name_node);
        values.insert(kind.to_string(), name_range.clone());
        let Some((_, expr_node)) = fields.get("expr") else {
            self.error(
                file,
                "rules/field",
                name_range,
                format!("{kind} {name} has no `expr`"),
            );
            return None;
        };
        let expr = self.string(file, expr_node, "`expr`")?;
        values.insert("expr".into(), yaml::scalar_layout(&file.text, expr_node).0);
        if kind == "record" {
            for field in ["for", "keep_firing_for", "annotations"] {
                if let Some((key, _)) = fields.get(field) {
                    self.error(
                        file,
                        "rules/field",
                        key.clone(),
                        format!("recording rule {name} has `{field}`, which only alerts may have"),
                    );
                }
            }
        }
        let for_ = fields
            .get("for")
            .and_then(|(_, n)| {
                values.insert("for".into(), yaml::scalar_layout(&file.text, n).0);
                self.duration(file, n, "`for`")
            })
            .unwrap_or(Duration::ZERO);
        let keep_firing_for = fields
            .get("keep_firing_for")
            .and_then(|(_, n)| self.duration(file, n, "`keep_firing_for`"))
            .unwrap_or(Duration::ZERO);
        let labels = fields
            .get("labels")
            .map(|(_, n)| self.strings(file, n, "`labels`", &mut values, "labels"))
            .unwrap_or_default();
        let annotations = fields
            .get("annotations")
            .map(|(_, n)| self.strings(file, n, "`annotations`", &mut values, "annotations"))
            .unwrap_or_default();
        let mut disabled = disabled_at(&file.text, start, true);
        disabled.extend(group_disabled.iter().cloned());
        let index = self.items.len();
        let place = self.place(file, name_range, values, Some(expr_node), disabled);
        let origin = Reader::origin(index);
        if kind == "record" {
            self.items.push(Item {
                place,
                labels: None,
            });
            return Some(rules::Rule::Record(rules::Record {
                name,
                expr: PromQl(expr),
                labels,
                origin,
            }));
        }
        // Lowering adds `severity` from the constructor and rejects one set by hand; a file
        // sets it as a label, which alerts/severity checks. The file's labels are put back.
        let mut lowered_labels = labels.clone();
        lowered_labels.remove("severity");
        self.items.push(Item {
            place,
            labels: Some(labels),
        });
        Some(rules::Rule::Alert(rules::Alert {
            name,
            expr: PromQl(expr),
            severity: AlertSeverity::Info,
            for_,
            keep_firing_for,
            labels: lowered_labels,
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
