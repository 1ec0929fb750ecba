//! AlertManager configuration files as input: `lint PATH...` reads an existing alertmanager.yml
//! into the AlertManager DSL values a spec builds, so it gets exactly the checks a spec gets, with
//! each diagnostic at the file's line and column, and a team can lint before it migrates.
//!
//! The YAML is read with positions ([`crate::syntax::yaml`]) and checked the way AlertManager
//! 0.25 loads it (`amtool check-config`). Every mapping is read against its type in
//! [`crate::alertmanager::schema`] (one declaration per AlertManager type): unknown or repeated
//! fields (its loader is strict) and values of the wrong kind (strings, booleans, whole numbers,
//! durations, URLs, nested types) are all reported, each at its place. The code here checks what
//! depends on more than one value: required fields and their global defaults, a secret given
//! both inline and as a file, matchers and time intervals, each integration's own rules. The
//! values are then lowered by [`crate::alertmanager::lower`] (undefined or duplicate receivers,
//! the root route, `group_by`, intervals, label names, regexes, webhook URLs, unreachable
//! routes, unused receivers) and, when rule files are linted in the same call, checked against
//! their alerts ([`crate::alertmanager::checks`]). A Kubernetes Secret holding the configuration
//! (`stringData."alertmanager.yaml"`, or base64 `data`) is read the same way, each position
//! mapped back into the resource.
//!
//! What AlertManager accepts but the spec DSL cannot express is warned about: a secret written
//! inline (the DSL only names secret files) and the deprecated `match`, `match_re`,
//! `source_match*`, `target_match*` and top-level `mute_time_intervals`. Every integration is
//! checked as AlertManager 0.25 checks it; those the DSL has no type for (Pushover, WeChat,
//! Telegram, Discord, whose secrets 0.25 reads only inline) are otherwise left out of lowering.
//! [`read`] gives the DSL value itself, which `sextant import` prints as Rust
//! ([`crate::import::alertmanager`]).
//!
//! As in [`crate::rules::file`], each value lowered carries its place in the file
//! ([`Place::File`], with the scalars written in it), so lowering reports at the file's line and
//! column directly, with advice in the words of AlertManager's YAML.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use sextant_catalog::Catalog;

use crate::alertmanager::codes;
use crate::alertmanager::schema::{self, Kind, Type};
use crate::alertmanager::{
    self, AlertManager, Email, Global, HttpConfig, InhibitRule, Integration, MatchOp, Matcher,
    Month, PagerDuty, PagerDutyKey, Period, Receiver, Route, SecretFile, Slack, Smtp, Template,
    TimeInterval, TimeOfDay, Webhook, Weekday,
};
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, FileItem, Place, TextMap};
use crate::ir::Ir;
use crate::rules::file::SourceFile;
use crate::syntax::duration::Duration;
use crate::syntax::gotmpl;
use crate::syntax::yaml::{self, Node, Style};

/// The keys of a Kubernetes Secret's data that hold an AlertManager configuration (the
/// Prometheus operator's, and the other spelling).
const SECRET_KEYS: &[&str] = &["alertmanager.yaml", "alertmanager.yml"];

/// The string at `key` of a mapping node, when set.
fn get_str(node: &Node, key: &str) -> Option<String> {
    match node {
        Node::Map { entries, .. } => entries
            .iter()
            .find(|(k, v)| k.as_str() == Some(key) && !is_null(v))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string),
        _ => None,
    }
}

/// Whether `text` is a Kubernetes Secret holding an AlertManager configuration.
pub fn is_secret(text: &str) -> bool {
    secret_config(text).is_some()
}

/// The AlertManager configuration inside a Kubernetes Secret (`stringData`, or base64 `data`),
/// with where its text stands in the resource: line by line for a block scalar, the whole
/// value for base64 (its decoded bytes have no place of their own).
fn secret_config(text: &str) -> Option<(String, TextMap)> {
    let Ok(Some(Node::Map { entries, .. })) = yaml::parse(text) else {
        return None;
    };
    let get = |name: &str| {
        entries
            .iter()
            .find(|(key, _)| key.as_str() == Some(name))
            .map(|(_, value)| value)
    };
    if get("kind")?.as_str()? != "Secret" {
        return None;
    }
    let value = |section: &str| match get(section)? {
        Node::Map { entries, .. } => entries
            .iter()
            .find(|(key, _)| key.as_str().is_some_and(|k| SECRET_KEYS.contains(&k)))
            .map(|(_, value)| value),
        _ => None,
    };
    if let Some(node) = value("stringData") {
        return Some((node.as_str()?.to_string(), yaml::text_map(text, node)));
    }
    let node = value("data")?;
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(node.as_str()?.split_whitespace().collect::<String>())
        .ok()?;
    let (range, _) = yaml::scalar_layout(text, node);
    Some((String::from_utf8(decoded).ok()?, TextMap::Whole(range)))
}

/// The keys of a configuration Secret's `stringData` (besides the configuration) whose name the
/// file-name part of `glob` matches, as template files named `<secret path>:<key>`.
fn secret_templates(file: &SourceFile, glob: &str) -> Vec<SourceFile> {
    let Some(matcher) = glob.rsplit('/').next().and_then(template_glob) else {
        return Vec::new();
    };
    let Ok(Some(Node::Map { entries, .. })) = yaml::parse(&file.text) else {
        return Vec::new();
    };
    let Some((_, Node::Map { entries: data, .. })) = entries
        .iter()
        .find(|(key, _)| key.as_str() == Some("stringData"))
    else {
        return Vec::new();
    };
    data.iter()
        .filter_map(|(key, value)| {
            let key = key.as_str()?;
            let text = value.as_str()?;
            (!SECRET_KEYS.contains(&key) && matcher.is_match(key)).then(|| SourceFile {
                path: format!("{}:{key}", file.path),
                text: text.to_string(),
            })
        })
        .collect()
}

/// The template globs an alertmanager.yml lists (`templates:`), as written; the CLI resolves
/// them against the file's folder. Empty when the file does not parse.
pub fn template_globs(text: &str) -> Vec<String> {
    let Ok(Some(Node::Map { entries, .. })) = yaml::parse(text) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|(key, _)| key.as_str() == Some("templates"))
        .flat_map(|(_, value)| match value {
            Node::Seq { items, .. } => items.iter().filter_map(Node::as_str).collect(),
            _ => Vec::new(),
        })
        .map(str::to_string)
        .collect()
}

/// The matcher of a `templates:` glob's last component (`*`, `?` and `[...]`, as Go's
/// `filepath.Match`: `*` never crosses a `/`), or `None` when the glob is malformed.
pub fn template_glob(pattern: &str) -> Option<globset::GlobMatcher> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .ok()
        .map(|glob| glob.compile_matcher())
}

/// The alerts an AlertManager configuration will receive, for the checks against them.
pub struct Alerts<'a> {
    /// The rule files linted in the same call.
    pub rules: &'a Ir,
    pub catalog: &'a Catalog,
    /// Prometheus's external labels, which every alert carries; `None` when unknown.
    pub external: Option<BTreeMap<String, String>>,
}

/// Lints one alertmanager.yml. `templates` returns the template files a glob of its `templates:`
/// matches (the CLI reads them); `alerts`, what the checks against alerts need (skipped when
/// `None`: no rule files were given).
pub fn lint(
    file: &SourceFile,
    templates: &dyn Fn(&str) -> Vec<SourceFile>,
    alerts: Option<&Alerts>,
) -> Vec<Diagnostic> {
    let (am, mut diagnostics) = read(file, templates);
    let Some(am) = am else {
        return diagnostics;
    };
    let mut lowered = Vec::new();
    if let Some(config) = alertmanager::lower::lower(&am, &mut lowered) {
        if let Some(alerts) = alerts {
            let external = alerts.external.clone().unwrap_or_default();
            let mut checked = Vec::new();
            alertmanager::checks::run(
                &config,
                alerts.rules,
                alerts.catalog,
                &external,
                &mut checked,
            );
            for d in &mut checked {
                if alerts.external.is_none() && d.code == codes::INHIBIT_LABEL {
                    d.notes.push("Prometheus's external labels are unknown here (the spec declares no Prometheus configuration): a label they add is carried by every alert".into());
                }
            }
            lowered.extend(checked);
        }
    }
    diagnostics.extend(lowered);
    diagnostics
}

/// The configuration's own text: the file's, or the one a Kubernetes Secret holds with where
/// it stands in the file.
pub fn configuration_text(file: &SourceFile) -> (String, Option<TextMap>) {
    match secret_config(&file.text) {
        Some((text, map)) => (text, Some(map)),
        None => (file.text.clone(), None),
    }
}

/// Reads one alertmanager.yml (or a Kubernetes Secret holding one) into the DSL value a spec
/// would build, with what reading found (not lowered: [`alertmanager::lower`] checks the rest).
/// `None` when the file is not a configuration at all (it does not parse, has no route, is not
/// a mapping). A secret written inline reads as a [`SecretFile`] whose path is
/// [`SecretFile::INLINE`], never the secret itself.
pub fn read(
    file: &SourceFile,
    templates: &dyn Fn(&str) -> Vec<SourceFile>,
) -> (Option<AlertManager>, Vec<Diagnostic>) {
    // A Kubernetes Secret wrapping the configuration: read the configuration inside, each
    // position mapped back to the resource.
    let embedded = secret_config(&file.text);
    let (text, map) = match &embedded {
        Some((text, map)) => (text.as_str(), Some(map.clone())),
        None => (file.text.as_str(), None),
    };
    let mut reader = Reader {
        file,
        text,
        map,
        path: Arc::from(file.path.as_str()),
        diagnostics: Vec::new(),
        receiver_values: Vec::new(),
    };
    // prometheus-operator mounts every key of the configuration's Secret in the configuration's
    // folder: a template glob there matches the Secret's other keys.
    let in_secret = |glob: &str| -> Vec<SourceFile> {
        let found = secret_templates(file, glob);
        if found.is_empty() {
            templates(glob)
        } else {
            found
        }
    };
    let templates: &dyn Fn(&str) -> Vec<SourceFile> = if embedded.is_some() {
        &in_secret
    } else {
        templates
    };
    let am = reader.config(templates);
    (am, reader.diagnostics)
}

/// Reads one alertmanager.yml (or a Secret holding one) into the validated configuration, as
/// the routing engine takes it; `None` when the file has an error. For `diff`, which compares
/// the routing of two builds' files.
pub fn read_config(
    file: &SourceFile,
    templates: &dyn Fn(&str) -> Vec<SourceFile>,
) -> Option<alertmanager::Config> {
    let (am, diagnostics) = read(file, templates);
    if diagnostics.iter().any(Diagnostic::is_error) {
        return None;
    }
    alertmanager::lower::lower(&am?, &mut Vec::new())
}

/// A mapping's fields by name: the key's range and the value.
type Fields<'n> = BTreeMap<&'n str, (Range<usize>, &'n Node)>;

struct Reader<'f> {
    file: &'f SourceFile,
    /// The configuration's text: the file's, or the one inside a Kubernetes Secret.
    text: &'f str,
    /// Where the configuration's text stands in the file, when it is inside a Secret.
    map: Option<TextMap>,
    /// The file's path, shared by its items.
    path: Arc<str>,
    diagnostics: Vec<Diagnostic>,
    /// The scalars of the receiver being read (its name, its integrations' template fields),
    /// which a fault in one of them points into.
    receiver_values: Vec<Range<usize>>,
}

impl<'f> Reader<'f> {
    fn text(&self) -> &'f str {
        self.text
    }

    /// The file range of `range` of the configuration's text.
    fn in_file(&self, range: Range<usize>) -> Range<usize> {
        match &self.map {
            Some(map) => map.map(self.text, range),
            None => range,
        }
    }

    fn push(&mut self, d: Diagnostic, at: Range<usize>) {
        let at = self.in_file(at);
        self.diagnostics.push(d.with_file(&self.file.path, at));
    }

    fn error(&mut self, code: &'static str, at: Range<usize>, message: String) {
        self.push(Diagnostic::error(code, message), at);
    }

    /// The place of an item at `range` whose scalars stand at `values`, for lowering to report
    /// at: a fault in one of the scalars points into it.
    fn item(&self, range: Range<usize>, values: Vec<Range<usize>>) -> Place {
        let text = self.text();
        let mut item = FileItem::new(self.path.clone(), self.in_file(range));
        for at in values {
            let written = text.get(at.clone()).unwrap_or("").to_string();
            let map = match &self.map {
                Some(TextMap::Whole(whole)) => TextMap::Whole(whole.clone()),
                _ => TextMap::Verbatim(self.in_file(at.start..at.start).start),
            };
            item = item.value("", written, map);
        }
        item.place()
    }

    // ---- YAML shapes --------------------------------------------------------------------

    /// The range of a key or scalar as written (its first line for a multi-line one).
    fn range(&self, node: &Node) -> Range<usize> {
        match node {
            Node::Scalar { .. } => {
                let (range, _) = yaml::scalar_layout(self.text(), node);
                if range.is_empty() {
                    range.start..range.start + 1
                } else {
                    range
                }
            }
            _ => node.start()..node.start() + 1,
        }
    }

    /// The first key of a mapping (where an item starts), or the node's first character.
    fn head(&self, node: &Node) -> Range<usize> {
        match node {
            Node::Map { entries, .. } if !entries.is_empty() => self.range(&entries[0].0),
            _ => self.range(node),
        }
    }

    fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        let found = match node {
            Node::Scalar { value, .. } => format!("{value:?}"),
            other => other.kind().to_string(),
        };
        let at = self.range(node);
        self.error(
            codes::FIELD,
            at,
            format!("{what} must be {expected}, found {found}"),
        );
    }

    /// A mapping's fields as AlertManager's type `ty` reads it: every unknown or repeated key
    /// and every value of the wrong kind is reported, and only the values that passed are
    /// returned (the fields [`Kind::Read`] leaves to the caller, unchecked). A null value is an
    /// empty mapping.
    fn fields<'n>(&mut self, node: &'n Node, what: &str, ty: &Type) -> Option<Fields<'n>> {
        let mut out = self.mapping(node, what, Some(ty))?;
        out.retain(|name, (_, value)| match ty.kind(name) {
            Some(kind) => self.check(
                value,
                kind,
                &format!("`{name}`"),
                &format!("`{name}` of {what}"),
            ),
            None => false,
        });
        Some(out)
    }

    /// Whether `node` is of `kind`, reporting each value that is not; `what` names a scalar,
    /// `nested` a mapping or list.
    fn check(&mut self, node: &Node, kind: &Kind, what: &str, nested: &str) -> bool {
        if is_null(node) {
            // Go leaves the zero value.
            return true;
        }
        match kind {
            Kind::Read(_) => true,
            Kind::Str => self.string(node, what).is_some(),
            Kind::Bool => self.bool(node, what).is_some(),
            Kind::Duration => self.duration(node, what).is_some(),
            // Kept when invalid, so that what depends on it being set (a `_file` form given
            // too, a required URL) is not reported as well.
            Kind::Url => {
                self.url(node, what);
                true
            }
            Kind::Int | Kind::Uint => {
                let whole = match node {
                    Node::Scalar {
                        value,
                        style: Style::Plain,
                        ..
                    } => match kind {
                        Kind::Int => value.parse::<i64>().is_ok(),
                        _ => value.parse::<u64>().is_ok(),
                    },
                    _ => false,
                };
                if !whole {
                    self.wrong_type(node, what, "a whole number");
                }
                whole
            }
            Kind::GoDuration => {
                let Some(text) = self.string(node, what) else {
                    return false;
                };
                let valid = is_go_duration(&text);
                if !valid {
                    let at = self.range(node);
                    self.error(
                        codes::FIELD,
                        at,
                        format!("{what}: time: invalid duration {text:?}"),
                    );
                }
                valid
            }
            Kind::List(item) => {
                let mut valid = matches!(node, Node::Seq { .. });
                for value in self.list(node, what) {
                    valid &= self.check(value, item, &format!("an item of {what}"), nested);
                }
                valid
            }
            Kind::Map(value_kind) => {
                let Some(entries) = self.mapping(node, nested, None) else {
                    return false;
                };
                let mut valid = true;
                for (key, (_, value)) in entries {
                    valid &= self.check(value, value_kind, &format!("`{key}` in {what}"), nested);
                }
                valid
            }
            Kind::Type(ty) => self.fields(node, nested, ty).is_some(),
        }
    }

    /// A mapping's keys and values, reporting non-mappings, repeated keys and, given the type,
    /// unknown keys.
    fn mapping<'n>(&mut self, node: &'n Node, what: &str, ty: Option<&Type>) -> Option<Fields<'n>> {
        if is_null(node) {
            return Some(BTreeMap::new());
        }
        let Node::Map { entries, .. } = node else {
            self.wrong_type(node, what, "a mapping");
            return None;
        };
        let mut out = BTreeMap::new();
        for (key, value) in entries {
            let name = key.as_str().unwrap_or("");
            let at = self.range(key);
            if let Some(ty) = ty.filter(|ty| ty.kind(name).is_none()) {
                let known: Vec<&str> = ty.names().collect();
                let d =
                    Diagnostic::error(codes::FIELD, format!("field {name} not found in {what}"))
                        .note(format!("the fields of {what} are: {}", known.join(", ")));
                self.push(d, at);
                continue;
            }
            if out.insert(name, (at.clone(), value)).is_some() {
                self.error(
                    codes::FIELD,
                    at,
                    format!("field {name} already set in {what}"),
                );
            }
        }
        Some(out)
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match node {
            _ if is_null(node) => None,
            Node::Scalar { value, .. } => Some(value.clone()),
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        if is_null(node) {
            return None;
        }
        // YAML 1.1, as AlertManager's parser reads it: `yes`, `on`, ... are booleans too.
        let value = match node {
            Node::Scalar {
                value,
                style: Style::Plain,
                ..
            } => match value.as_str() {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On"
                | "ON" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off"
                | "OFF" => Some(false),
                _ => None,
            },
            _ => None,
        };
        if value.is_none() {
            self.wrong_type(node, what, "true or false");
        }
        value
    }

    fn duration(&mut self, node: &Node, what: &str) -> Option<Duration> {
        let text = self.string(node, what)?;
        match Duration::parse(&text) {
            Ok(d) => Some(d),
            Err(e) => {
                let at = self.range(node);
                self.error(codes::FIELD, at, format!("{what}: {e}"));
                None
            }
        }
    }

    fn list<'n>(&mut self, node: &'n Node, what: &str) -> &'n [Node] {
        match node {
            Node::Seq { items, .. } => items,
            _ if is_null(node) => &[],
            _ => {
                self.wrong_type(node, what, "a list");
                &[]
            }
        }
    }

    /// A list of strings, with their ranges.
    fn strings(&mut self, node: &Node, what: &str) -> Vec<(String, Range<usize>)> {
        let mut out = Vec::new();
        for item in self.list(node, what) {
            if let Some(value) = self.string(item, &format!("an item of {what}")) {
                out.push((value, self.range(item)));
            }
        }
        out
    }

    /// A mapping of strings to strings, with the ranges of keys and values.
    fn string_map(
        &mut self,
        node: &Node,
        what: &str,
    ) -> Vec<(String, Range<usize>, String, Range<usize>)> {
        let mut out = Vec::new();
        let Some(fields) = self.mapping(node, what, None) else {
            return out;
        };
        for (key, (key_range, value)) in fields {
            let value_text = self
                .string(value, &format!("`{key}` in {what}"))
                .unwrap_or_default();
            out.push((key.to_string(), key_range, value_text, self.range(value)));
        }
        out
    }

    /// An `http` or `https` URL with a host, as AlertManager checks it.
    fn url(&mut self, node: &Node, what: &str) -> Option<String> {
        let text = self.string(node, what)?;
        let fault = match text.split_once("://") {
            Some((scheme, _)) if scheme != "http" && scheme != "https" => {
                Some(format!("unsupported scheme {scheme:?} for URL"))
            }
            None => Some("unsupported scheme \"\" for URL".to_string()),
            Some((_, rest)) if rest.split(['/', '?', '#']).next().unwrap_or("").is_empty() => {
                Some("missing host for URL".to_string())
            }
            Some(_) => None,
        };
        if let Some(message) = fault {
            let at = self.range(node);
            self.error(codes::URL, at, format!("{what}: {message}"));
            return None;
        }
        Some(text)
    }

    /// A secret given inline in `key` or as a file in `file_key` (when AlertManager has one):
    /// both is an error, inline a warning; either way a [`SecretFile`] for lowering.
    fn secret(
        &mut self,
        fields: &Fields,
        key: &str,
        file_key: Option<&str>,
        what: &str,
    ) -> Option<SecretFile> {
        let inline = fields.get(key).filter(|(_, n)| !is_null(n));
        let file = file_key.and_then(|f| fields.get(f).map(|entry| (f, entry)));
        if let (Some((key_range, _)), Some((file_key, _))) = (inline, file) {
            self.error(
                codes::SECRET_FILE,
                key_range.clone(),
                format!("at most one of {key} & {file_key} must be configured"),
            );
        }
        if let Some((file_key, (_, node))) = file {
            let path = self
                .string(node, &format!("`{file_key}` of {what}"))
                .unwrap_or_default();
            let range = self.range(node);
            let origin = self.item(range.clone(), vec![range]);
            return Some(SecretFile { path, origin });
        }
        let (_, node) = inline?;
        self.string(node, &format!("`{key}` of {what}"))?;
        let at = self.range(node);
        let note = match file_key {
            Some(file_key) => format!(
                "write it to a file only AlertManager can read and set `{file_key}` to its path: a spec can only name secret files, so the secret stays out of the repository"
            ),
            None => "AlertManager 0.25 has no file form for it, so the spec cannot express this integration: keep the secret out of the repository".to_string(),
        };
        let d = Diagnostic::warning(
            codes::INLINE_SECRET,
            format!("`{key}` of {what} holds the secret itself"),
        )
        .note(note);
        self.push(d, at.clone());
        let origin = self.item(at.clone(), vec![at]);
        Some(SecretFile::written_inline(origin))
    }

    fn deprecated(&mut self, at: Range<usize>, key: &str, instead: String) {
        let d =
            Diagnostic::warning(codes::DEPRECATED, format!("`{key}` is deprecated")).note(instead);
        self.push(d, at);
    }

    // ---- The configuration ----------------------------------------------------------------

    fn config(&mut self, templates: &dyn Fn(&str) -> Vec<SourceFile>) -> Option<AlertManager> {
        let root = match yaml::parse(self.text()) {
            Ok(Some(root)) => root,
            Ok(None) => {
                self.error(codes::FIELD, 0..0, "no route provided in config".into());
                return None;
            }
            Err(e) => {
                let end = (e.offset + 1).min(self.text().len());
                self.error(codes::YAML, e.offset..end, e.message);
                return None;
            }
        };
        let top = self.fields(&root, "the configuration", &schema::CONFIG)?;
        let global = top
            .get("global")
            .map(|(_, n)| self.global(n))
            .unwrap_or_default();
        let mut receivers = Vec::new();
        let mut emails = Vec::new();
        if let Some((_, list)) = top.get("receivers") {
            for node in self.list(list, "`receivers`") {
                if let Some(receiver) = self.receiver(node, &global, &mut emails) {
                    receivers.push(receiver);
                }
            }
        }
        let mut time_intervals = Vec::new();
        if let Some((key, list)) = top.get("mute_time_intervals") {
            self.deprecated(
                key.clone(),
                "mute_time_intervals",
                "rename the top-level `mute_time_intervals` to `time_intervals`".into(),
            );
            for node in self.list(list, "`mute_time_intervals`") {
                time_intervals.extend(self.time_interval(node));
            }
        }
        if let Some((_, list)) = top.get("time_intervals") {
            for node in self.list(list, "`time_intervals`") {
                time_intervals.extend(self.time_interval(node));
            }
        }
        let mut inhibit_rules = Vec::new();
        if let Some((_, list)) = top.get("inhibit_rules") {
            for node in self.list(list, "`inhibit_rules`") {
                inhibit_rules.extend(self.inhibit_rule(node));
            }
        }
        let template_list = match top.get("templates") {
            Some((_, list)) => self.templates(list, templates),
            None => Vec::new(),
        };
        let Some((route_key, route_node)) = top.get("route") else {
            let at = self.head(&root);
            self.error(codes::FIELD, at, "no route provided in config".into());
            return None;
        };
        let route = if is_null(route_node) {
            let origin = self.item(route_key.clone(), Vec::new());
            Route {
                origin,
                ..Route::inheriting()
            }
        } else {
            self.route(route_node)?
        };
        let smtp = self.smtp(&global, &emails);
        let origin = self.item(0..0, Vec::new());
        Some(AlertManager {
            global: Global {
                resolve_timeout: global.resolve_timeout,
                smtp,
                http_config: global.http.clone(),
            },
            route,
            receivers,
            inhibit_rules,
            time_intervals,
            templates: template_list,
            origin,
        })
    }

    fn global(&mut self, node: &Node) -> GlobalFile {
        let mut out = GlobalFile::default();
        let Some(fields) = self.fields(node, "`global`", &schema::GLOBAL) else {
            return out;
        };
        out.resolve_timeout = fields
            .get("resolve_timeout")
            .and_then(|(_, n)| self.duration(n, "`resolve_timeout`"));
        if let Some((_, n)) = fields.get("smtp_smarthost") {
            if let Some(text) = self.host_port(n, "`smtp_smarthost`") {
                let range = self.range(n);
                out.smarthost = Some((text, range));
            }
        }
        if let Some((_, n)) = fields.get("smtp_from") {
            if let Some(text) = self.string(n, "`smtp_from`") {
                out.from = Some((text, self.range(n)));
            }
        }
        if let Some((_, n)) = fields.get("smtp_auth_username") {
            out.username = self.string(n, "`smtp_auth_username`");
        }
        out.password = self.secret(
            &fields,
            "smtp_auth_password",
            Some("smtp_auth_password_file"),
            "`global`",
        );
        self.secret(&fields, "smtp_auth_secret", None, "`global`");
        if let Some((_, n)) = fields.get("smtp_hello") {
            out.hello = self.string(n, "`smtp_hello`").filter(|h| !h.is_empty());
        }
        if let Some((_, n)) = fields.get("smtp_require_tls") {
            out.require_tls = self.bool(n, "`smtp_require_tls`");
        }
        out.slack = self.secret(
            &fields,
            "slack_api_url",
            Some("slack_api_url_file"),
            "`global`",
        );
        out.opsgenie_key = self.secret(
            &fields,
            "opsgenie_api_key",
            Some("opsgenie_api_key_file"),
            "`global`",
        );
        out.victorops_key = self.secret(
            &fields,
            "victorops_api_key",
            Some("victorops_api_key_file"),
            "`global`",
        );
        out.wechat_secret = self
            .secret(&fields, "wechat_api_secret", None, "`global`")
            .is_some();
        out.wechat_corp_id = text(&fields, "wechat_api_corp_id").is_some();
        for key in [
            "opsgenie_api_url",
            "victorops_api_url",
            "wechat_api_url",
            "webex_api_url",
        ] {
            if fields.get(key).is_some_and(|(_, n)| is_null(n)) {
                out.null_urls.insert(key);
            } else if let Some(url) = text(&fields, key) {
                out.urls.insert(key, url);
            }
        }
        if let Some((_, n)) = fields.get("http_config") {
            self.http_config(n, "`global`");
            out.http = self.http_settings(n);
        }
        out
    }

    /// `host:port`, as AlertManager's `HostPort` reads it.
    fn host_port(&mut self, node: &Node, what: &str) -> Option<String> {
        let text = self.string(node, what)?;
        if text.is_empty() {
            return None;
        }
        let fault = match text.rsplit_once(':') {
            None => Some(format!("address {text}: missing port in address")),
            Some((_, "")) => Some(format!("address {text:?}: port cannot be empty")),
            Some(_) => None,
        };
        if let Some(message) = fault {
            let at = self.range(node);
            self.error(codes::SMTP, at, format!("{what}: {message}"));
            return None;
        }
        Some(text)
    }

    /// The SMTP server lowering checks: the global one, or, when every email config names its
    /// own, the first of those.
    fn smtp(&mut self, global: &GlobalFile, emails: &[EmailFile]) -> Option<Smtp> {
        let (smarthost, at) = global
            .smarthost
            .clone()
            .or_else(|| emails.iter().find_map(|e| e.smarthost.clone()))?;
        for email in emails {
            if email.smarthost.is_none() && global.smarthost.is_none() {
                self.error(
                    codes::SMTP,
                    email.at.clone(),
                    "no global SMTP smarthost set".into(),
                );
            }
            if email.from.is_none() && global.from.is_none() {
                self.error(
                    codes::SMTP,
                    email.at.clone(),
                    "no global SMTP from set".into(),
                );
            }
        }
        let from = global
            .from
            .clone()
            .or_else(|| emails.iter().find_map(|e| e.from.clone()));
        let mut values = vec![at.clone()];
        values.extend(from.as_ref().map(|(_, r)| r.clone()));
        let origin = self.item(at, values);
        Some(Smtp {
            smarthost,
            // With no sender anywhere, "no global SMTP from set" is reported above; a stand-in
            // keeps lowering from reporting it again as an invalid address.
            from: from.map_or_else(|| "unset@unset".to_string(), |(f, _)| f),
            auth: global
                .password
                .clone()
                .map(|p| (global.username.clone().unwrap_or_default(), p)),
            require_tls: global.require_tls,
            hello: global.hello.clone(),
            origin,
        })
    }

    fn http_config(&mut self, node: &Node, what: &str) -> Option<SecretFile> {
        let what = format!("`http_config` of {what}");
        let fields = self.fields(node, &what, &schema::HTTP_CONFIG)?;
        for key in ["enable_http2", "follow_redirects"] {
            if let Some((_, n)) = fields.get(key) {
                self.bool(n, &format!("`{key}`"));
            }
        }
        if let Some((_, n)) = fields.get("proxy_url") {
            self.string(n, "`proxy_url`");
        }
        if let Some((_, n)) = fields.get("basic_auth") {
            if let Some(auth) =
                self.fields(n, &format!("`basic_auth` of {what}"), &schema::BASIC_AUTH)
            {
                self.secret(&auth, "password", Some("password_file"), "`basic_auth`");
            }
        }
        if let Some((_, n)) = fields.get("oauth2") {
            if let Some(oauth) = self.fields(n, &format!("`oauth2` of {what}"), &schema::OAUTH2) {
                self.secret(
                    &oauth,
                    "client_secret",
                    Some("client_secret_file"),
                    "`oauth2`",
                );
            }
        }
        let mut token = self.secret(&fields, "bearer_token", Some("bearer_token_file"), &what);
        if let Some((key, n)) = fields.get("authorization") {
            let auth_what = format!("`authorization` of {what}");
            if let Some(auth) = self.fields(n, &auth_what, &schema::AUTHORIZATION) {
                if let Some((_, t)) = auth.get("type") {
                    if self
                        .string(t, "`type`")
                        .is_some_and(|t| t.eq_ignore_ascii_case("basic"))
                    {
                        let at = self.range(t);
                        self.error(
                            codes::FIELD,
                            at,
                            "authorization type cannot be set to \"basic\", use \"basic_auth\" instead"
                                .into(),
                        );
                    }
                }
                if token.is_some() {
                    self.error(
                        codes::FIELD,
                        key.clone(),
                        "at most one of bearer_token, bearer_token_file & authorization must be configured".into(),
                    );
                }
                token = self
                    .secret(&auth, "credentials", Some("credentials_file"), &auth_what)
                    .or(token);
            }
        }
        token
    }

    fn receiver(
        &mut self,
        node: &Node,
        global: &GlobalFile,
        emails: &mut Vec<EmailFile>,
    ) -> Option<Receiver> {
        let fields = self.fields(node, "a receiver", &schema::RECEIVER)?;
        let (name, name_range) = match fields.get("name") {
            Some((_, n)) => (
                self.string(n, "a receiver's `name`").unwrap_or_default(),
                self.range(n),
            ),
            None => (String::new(), self.head(node)),
        };
        self.receiver_values = vec![name_range.clone()];
        let what = format!("receiver {name:?}");
        // Replaced by the receiver's file place once its values (template fields) are read.
        let origin = Place::caller();
        let mut receiver = Receiver {
            name,
            integrations: Vec::new(),
            origin,
        };
        if let Some((_, list)) = fields.get("email_configs") {
            for config in self.list(list, "`email_configs`") {
                if let Some((email, file)) = self.email(config, &what) {
                    receiver = receiver.email(email);
                    emails.push(file);
                }
            }
        }
        if let Some((_, list)) = fields.get("slack_configs") {
            for config in self.list(list, "`slack_configs`") {
                if let Some(slack) = self.slack(config, &what, global) {
                    receiver = receiver.slack(slack);
                }
            }
        }
        if let Some((_, list)) = fields.get("pagerduty_configs") {
            for config in self.list(list, "`pagerduty_configs`") {
                if let Some(pd) = self.pagerduty(config, &what) {
                    receiver = receiver.pagerduty(pd);
                }
            }
        }
        if let Some((_, list)) = fields.get("webhook_configs") {
            for config in self.list(list, "`webhook_configs`") {
                if let Some(hook) = self.webhook(config, &what) {
                    receiver = receiver.webhook(hook);
                }
            }
        }
        for (key, ty, noun) in schema::INTEGRATIONS.iter().skip(4) {
            let Some((_, list)) = fields.get(key) else {
                continue;
            };
            for config in self.list(list, &format!("`{key}`")) {
                let config_what = format!("{noun} of {what}");
                let Some(config_fields) = self.fields(config, &config_what, ty) else {
                    continue;
                };
                let at = self.head(config);
                if let Some((_, n)) = config_fields.get("http_config") {
                    self.http_config(n, &config_what);
                }
                if let Some(integration) =
                    self.integration(key, &config_fields, &config_what, at, global)
                {
                    receiver.integrations.push(integration);
                }
            }
        }
        let values = std::mem::take(&mut self.receiver_values);
        receiver.origin = self.item(name_range, values);
        Some(receiver)
    }

    /// The checks of the integrations the spec DSL has no type for, as AlertManager 0.25 makes
    /// them when it loads the configuration: required fields, their global defaults, values
    /// from a fixed set.
    fn integration(
        &mut self,
        key: &str,
        fields: &Fields,
        what: &str,
        at: Range<usize>,
        global: &GlobalFile,
    ) -> Option<Integration> {
        let mut faults: Vec<(Range<usize>, String)> = Vec::new();
        // The secret read by the checks, for the DSL value.
        let mut secret: Option<SecretFile> = None;
        let missing =
            |faults: &mut Vec<_>, message: &str| faults.push((at.clone(), message.to_string()));
        // A global URL written as null replaces AlertManager's default with nothing.
        let url_unset = |global_key: &str| {
            !fields.contains_key("api_url") && global.null_urls.contains(global_key)
        };
        match key {
            "opsgenie_configs" => {
                let key = self.secret(fields, "api_key", Some("api_key_file"), what);
                secret = key.clone().or_else(|| global.opsgenie_key.clone());
                if key.is_none() && global.opsgenie_key.is_none() {
                    missing(
                        &mut faults,
                        "no global OpsGenie API Key set either inline or in a file",
                    );
                }
                if url_unset("opsgenie_api_url") {
                    missing(&mut faults, "no global OpsGenie URL set");
                }
                if let Some((_, list)) = fields.get("responders") {
                    for node in self.list(list, "`responders`") {
                        let responder_what = format!("a responder of {what}");
                        let Some(r) =
                            self.fields(node, &responder_what, &schema::OPSGENIE_RESPONDER)
                        else {
                            continue;
                        };
                        let here = self.head(node);
                        if ["id", "name", "username"]
                            .iter()
                            .all(|k| text(&r, k).is_none())
                        {
                            faults.push((here.clone(), "an OpsGenie responder has to have at least one of id, username or name specified".into()));
                        }
                        let kind = text(&r, "type").unwrap_or_default();
                        let valid = ["team", "teams", "user", "escalation", "schedule"];
                        if !kind.contains("{{") && !valid.contains(&kind.to_lowercase().as_str()) {
                            faults.push((here, format!("OpsGenie responder type {kind:?} does not match valid options ^(team|teams|user|escalation|schedule)$")));
                        }
                    }
                }
            }
            "victorops_configs" => {
                let key = self.secret(fields, "api_key", Some("api_key_file"), what);
                secret = key.clone().or_else(|| global.victorops_key.clone());
                if text(fields, "routing_key").is_none() {
                    missing(&mut faults, "missing Routing key in VictorOps config");
                }
                if key.is_none() && global.victorops_key.is_none() {
                    missing(&mut faults, "no global VictorOps API Key set");
                }
                if url_unset("victorops_api_url") {
                    missing(&mut faults, "no global VictorOps URL set");
                }
                if let Some((_, n)) = fields.get("custom_fields") {
                    const FIXED: &[&str] = &[
                        "routing_key",
                        "message_type",
                        "state_message",
                        "entity_display_name",
                        "monitoring_tool",
                        "entity_id",
                        "entity_state",
                    ];
                    for (name, name_at, _, _) in self.string_map(n, "`custom_fields`") {
                        if FIXED.contains(&name.as_str()) {
                            faults.push((name_at, format!("victorOps config contains custom field {name} which cannot be used as it conflicts with the fixed/static fields")));
                        }
                    }
                }
            }
            "pushover_configs" => {
                if self.secret(fields, "user_key", None, what).is_none() {
                    missing(&mut faults, "missing user key in Pushover config");
                }
                if self.secret(fields, "token", None, what).is_none() {
                    missing(&mut faults, "missing token in Pushover config");
                }
            }
            "wechat_configs" => {
                if self.secret(fields, "api_secret", None, what).is_none() && !global.wechat_secret
                {
                    missing(&mut faults, "no global Wechat ApiSecret set");
                }
                if text(fields, "corp_id").is_none() && !global.wechat_corp_id {
                    missing(&mut faults, "no global Wechat CorpID set");
                }
                if url_unset("wechat_api_url") {
                    missing(&mut faults, "no global Wechat URL set");
                }
                if let Some(kind) = text(fields, "message_type") {
                    if kind != "text" && kind != "markdown" {
                        let at = fields
                            .get("message_type")
                            .map(|(_, n)| self.range(n))
                            .unwrap_or(at.clone());
                        faults.push((at, format!("weChat message type {kind:?} does not match valid options ^(text|markdown)$")));
                    }
                }
            }
            "sns_configs" => {
                // AlertManager 0.25 tests `(target == "") != (topic == "") != (phone == "")`:
                // exactly one of them, or all three.
                let [target, topic, phone] =
                    ["target_arn", "topic_arn", "phone_number"].map(|k| text(fields, k).is_none());
                if (target != topic) != phone {
                    missing(&mut faults, "must provide either a Target ARN, Topic ARN, or Phone Number for SNS config");
                }
                if let Some((_, n)) = fields.get("sigv4") {
                    if let Some(sigv4) =
                        self.fields(n, &format!("`sigv4` of {what}"), &schema::SIGV4)
                    {
                        if text(&sigv4, "access_key").is_some()
                            != text(&sigv4, "secret_key").is_some()
                        {
                            let here = self.head(n);
                            faults.push((here, "must provide a AWS SigV4 Access key and Secret Key if credentials are specified in the SigV4 config".into()));
                        }
                        self.secret(&sigv4, "secret_key", None, &format!("`sigv4` of {what}"));
                    }
                }
            }
            "telegram_configs" => {
                if self.secret(fields, "bot_token", None, what).is_none() {
                    missing(&mut faults, "missing bot_token on telegram_config");
                }
                if text(fields, "chat_id").is_none_or(|id| id.parse::<i64>() == Ok(0)) {
                    missing(&mut faults, "missing chat_id on telegram_config");
                }
                if let Some(mode) = text(fields, "parse_mode") {
                    if !["Markdown", "MarkdownV2", "HTML"].contains(&mode.as_str()) {
                        let at = fields
                            .get("parse_mode")
                            .map(|(_, n)| self.range(n))
                            .unwrap_or(at.clone());
                        faults.push((at, "unknown parse_mode on telegram_config, must be Markdown, MarkdownV2, HTML or empty string".into()));
                    }
                }
            }
            "webex_configs" => {
                if text(fields, "room_id").is_none() {
                    missing(&mut faults, "missing room_id on webex_config");
                }
                // prometheus/common turns a bearer token into an authorization.
                let authorized = fields.get("http_config").is_some_and(|(_, n)| match n {
                    Node::Map { entries, .. } => entries.iter().any(|(k, v)| {
                        !is_null(v)
                            && matches!(
                                k.as_str(),
                                Some("authorization" | "bearer_token" | "bearer_token_file")
                            )
                    }),
                    _ => false,
                });
                if !authorized {
                    missing(
                        &mut faults,
                        "missing webex_configs.http_config.authorization",
                    );
                }
                if url_unset("webex_api_url") {
                    missing(&mut faults, "no global Webex URL set");
                }
            }
            "discord_configs" => {
                let url = self.secret(fields, "webhook_url", None, what);
                if url.is_none() {
                    missing(&mut faults, "no discord webhook URL provided");
                }
            }
            _ => {}
        }
        let faulty = !faults.is_empty();
        for (at, message) in faults {
            self.error(codes::INTEGRATION, at, message);
        }
        if faulty {
            return None;
        }
        self.integration_value(key, fields, global, secret)
    }

    /// The DSL value of an integration the checks passed (`None` for those the DSL has no type
    /// for): its fields as written, its key from the global default when it has none.
    fn integration_value(
        &mut self,
        key: &str,
        fields: &Fields,
        global: &GlobalFile,
        secret: Option<SecretFile>,
    ) -> Option<Integration> {
        let webex_token = match (key, fields.get("http_config")) {
            ("webex_configs", Some((_, n))) => self.http_config_token(n),
            _ => None,
        };
        let http = fields
            .get("http_config")
            .and_then(|(_, n)| self.http_settings(n));
        let mut values = Vec::new();
        let mut get = |name: &str| -> Option<String> {
            let (_, node) = fields.get(name)?;
            let text = node.as_str().filter(|_| !is_null(node))?.to_string();
            values.push(self.range(node));
            Some(text)
        };
        let send_resolved = fields
            .get("send_resolved")
            .and_then(|(_, n)| n.as_str())
            .and_then(|t| match t {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On"
                | "ON" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off"
                | "OFF" => Some(false),
                _ => None,
            });
        let url = |global_key: &str| global.urls.get(global_key).cloned();
        let pairs = |name: &str| -> Vec<(String, String)> {
            match fields.get(name) {
                Some((_, Node::Map { entries, .. })) => entries
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                    .collect(),
                _ => Vec::new(),
            }
        };
        let integration = match key {
            "opsgenie_configs" => {
                let mut o = alertmanager::OpsGenie::new(secret?);
                o.api_url = get("api_url").or_else(|| url("opsgenie_api_url"));
                o.send_resolved = send_resolved;
                o.message = get("message");
                o.description = get("description");
                o.source = get("source");
                o.details = pairs("details");
                o.entity = get("entity");
                o.actions = get("actions");
                o.tags = get("tags");
                o.note = get("note");
                o.priority = get("priority");
                o.update_alerts = text(fields, "update_alerts").and_then(|t| t.parse().ok());
                if let Some((_, Node::Seq { items, .. })) = fields.get("responders") {
                    for item in items {
                        let field = |k: &str| get_str(item, k);
                        o.responders.push(alertmanager::OpsGenieResponder {
                            kind: field("type").unwrap_or_default(),
                            id: field("id"),
                            name: field("name"),
                            username: field("username"),
                        });
                    }
                }
                o.http_config = http;
                Integration::OpsGenie(o)
            }
            "victorops_configs" => {
                let mut v = alertmanager::VictorOps::new(secret?, get("routing_key")?);
                v.api_url = get("api_url").or_else(|| url("victorops_api_url"));
                v.send_resolved = send_resolved;
                v.message_type = get("message_type");
                v.state_message = get("state_message");
                v.entity_display_name = get("entity_display_name");
                v.monitoring_tool = get("monitoring_tool");
                v.custom_fields = pairs("custom_fields");
                v.http_config = http;
                Integration::VictorOps(v)
            }
            "sns_configs" => {
                let sigv4 = fields.get("sigv4").map(|(_, n)| *n);
                let sig = |k: &str| sigv4.and_then(|n| get_str(n, k));
                let mut sns = alertmanager::Sns {
                    http_config: None,
                    topic_arn: get("topic_arn"),
                    target_arn: get("target_arn"),
                    phone_number: get("phone_number"),
                    api_url: get("api_url"),
                    region: sig("region"),
                    profile: sig("profile"),
                    role_arn: sig("role_arn"),
                    send_resolved,
                    subject: get("subject"),
                    message: get("message"),
                    attributes: Vec::new(),
                };
                sns.attributes = pairs("attributes");
                sns.http_config = http;
                Integration::Sns(sns)
            }
            "webex_configs" => {
                let mut w = alertmanager::Webex::new(get("room_id")?, webex_token?);
                w.api_url = get("api_url").or_else(|| url("webex_api_url"));
                w.send_resolved = send_resolved;
                w.message = get("message");
                w.http_config = http;
                Integration::Webex(w)
            }
            _ => return None,
        };
        self.extend_last_receiver(values);
        Some(integration)
    }

    /// The settings of an `http_config` already checked (by [`Self::http_config`]) that the DSL
    /// has (the bearer token aside): `None` when it sets none of them. An inline basic-auth
    /// password reads as [`SecretFile::written_inline`].
    fn http_settings(&mut self, node: &Node) -> Option<HttpConfig> {
        let mut http = HttpConfig {
            proxy_url: get_str(node, "proxy_url").filter(|u| !u.is_empty()),
            ..HttpConfig::default()
        };
        let flag = |n: &Node, key: &str| {
            get_str(n, key).and_then(|t| match t.as_str() {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On"
                | "ON" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off"
                | "OFF" => Some(false),
                _ => None,
            })
        };
        http.follow_redirects = flag(node, "follow_redirects");
        http.enable_http2 = flag(node, "enable_http2");
        let field = |n: &Node, key: &str| -> Option<Node> {
            match n {
                Node::Map { entries, .. } => entries
                    .iter()
                    .find(|(k, v)| k.as_str() == Some(key) && !is_null(v))
                    .map(|(_, v)| v.clone()),
                _ => None,
            }
        };
        if let Some(tls) = field(node, "tls_config") {
            http.ca_file = get_str(&tls, "ca_file");
            http.cert_file = get_str(&tls, "cert_file");
            http.key_file = get_str(&tls, "key_file");
            http.server_name = get_str(&tls, "server_name");
            http.insecure_skip_verify = flag(&tls, "insecure_skip_verify");
        }
        if let Some(auth) = field(node, "basic_auth") {
            let username = get_str(&auth, "username").unwrap_or_default();
            let password = match (field(&auth, "password_file"), field(&auth, "password")) {
                (Some(file), _) => {
                    let range = self.range(&file);
                    Some(SecretFile {
                        path: file.as_str().unwrap_or("").to_string(),
                        origin: self.item(range.clone(), vec![range]),
                    })
                }
                (None, Some(inline)) => {
                    let range = self.range(&inline);
                    Some(SecretFile::written_inline(
                        self.item(range.clone(), vec![range]),
                    ))
                }
                (None, None) => None,
            };
            // Basic authentication without a password has no DSL form: the import's
            // comparison reports it.
            if let Some(password) = password {
                http.basic_auth = Some((username, password));
            }
        }
        (!http.is_empty()).then_some(http)
    }

    /// The bearer token of an `http_config` already checked (by [`Self::http_config`]), quietly.
    fn http_config_token(&mut self, node: &Node) -> Option<SecretFile> {
        let diagnostics = self.diagnostics.len();
        let token = self.http_config(node, "");
        self.diagnostics.truncate(diagnostics);
        token
    }

    /// Reads a notification template field: its text, and its range as a value of `values`.
    fn template_field(
        &mut self,
        fields: &Fields,
        key: &str,
        values: &mut Vec<Range<usize>>,
    ) -> Option<String> {
        let (_, node) = fields.get(key)?;
        let text = self.string(node, &format!("`{key}`"))?;
        values.push(self.range(node));
        Some(text)
    }

    fn send_resolved(&mut self, fields: &Fields) -> Option<bool> {
        let (_, n) = fields.get("send_resolved")?;
        self.bool(n, "`send_resolved`")
    }

    fn email(&mut self, node: &Node, receiver: &str) -> Option<(Email, EmailFile)> {
        let what = format!("an email config of {receiver}");
        let fields = self.fields(node, &what, &schema::EMAIL)?;
        let at = self.head(node);
        let Some(to) = fields
            .get("to")
            .and_then(|(_, n)| self.string(n, "`to`"))
            .filter(|to| !to.is_empty())
        else {
            self.error(
                codes::EMAIL,
                at,
                "missing to address in email config".into(),
            );
            return None;
        };
        let mut file = EmailFile {
            at,
            smarthost: None,
            from: None,
        };
        if let Some((_, n)) = fields.get("smarthost") {
            let range = self.range(n);
            file.smarthost = self.host_port(n, "`smarthost`").map(|s| (s, range));
        }
        if let Some((_, n)) = fields.get("from") {
            let range = self.range(n);
            file.from = self.string(n, "`from`").map(|s| (s, range));
        }
        for key in ["hello", "auth_username", "auth_identity"] {
            if let Some((_, n)) = fields.get(key) {
                self.string(n, &format!("`{key}`"));
            }
        }
        if let Some((_, n)) = fields.get("require_tls") {
            self.bool(n, "`require_tls`");
        }
        self.secret(&fields, "auth_password", Some("auth_password_file"), &what);
        self.secret(&fields, "auth_secret", None, &what);
        let mut email = Email::to(to);
        if let Some(send) = self.send_resolved(&fields) {
            email = email.send_resolved(send);
        }
        let mut values = Vec::new();
        if let Some(html) = self.template_field(&fields, "html", &mut values) {
            email = email.html(html);
        }
        if let Some(text) = self.template_field(&fields, "text", &mut values) {
            email = email.text(text);
        }
        if let Some((_, n)) = fields.get("headers") {
            let mut seen = BTreeSet::new();
            for (key, key_range, value, value_range) in self.string_map(n, "`headers`") {
                // AlertManager reads header names case-insensitively.
                let canonical = canonical_header(&key);
                if !seen.insert(canonical.clone()) {
                    self.error(
                        codes::EMAIL,
                        key_range,
                        format!("duplicate header {canonical:?} in email config"),
                    );
                }
                values.push(value_range);
                email = if canonical == "Subject" {
                    email.subject(value)
                } else {
                    email.header(key, value)
                };
            }
        }
        self.extend_last_receiver(values);
        Some((email, file))
    }

    /// Adds the ranges of template texts to the receiver being read (the last item of kind
    /// receiver), so a template fault points into them.
    fn extend_last_receiver(&mut self, values: Vec<Range<usize>>) {
        self.receiver_values.extend(values);
    }

    fn slack(&mut self, node: &Node, receiver: &str, global: &GlobalFile) -> Option<Slack> {
        let what = format!("a slack config of {receiver}");
        let fields = self.fields(node, &what, &schema::SLACK)?;
        let api_url = self
            .secret(&fields, "api_url", Some("api_url_file"), &what)
            .or_else(|| global.slack.clone());
        let Some(api_url) = api_url else {
            let at = self.head(node);
            self.error(
                codes::SLACK,
                at,
                "no global Slack API URL set either inline or in a file".into(),
            );
            return None;
        };
        let mut values = Vec::new();
        let mut texts = BTreeMap::new();
        for key in [
            "username",
            "color",
            "icon_emoji",
            "icon_url",
            "title_link",
            "pretext",
            "footer",
            "fallback",
            "callback_id",
            "image_url",
            "thumb_url",
        ] {
            if let Some(text) = self.template_field(&fields, key, &mut values) {
                texts.insert(key, text);
            }
        }
        let mut flags = BTreeMap::new();
        for key in ["short_fields", "link_names"] {
            if let Some((_, n)) = fields.get(key) {
                if let Some(flag) = self.bool(n, &format!("`{key}`")) {
                    flags.insert(key, flag);
                }
            }
        }
        let mut http = None;
        if let Some((_, n)) = fields.get("http_config") {
            self.http_config(n, &what);
            http = self.http_settings(n);
        }
        self.slack_attachments(&fields, &what);
        let channel = fields
            .get("channel")
            .and_then(|(_, n)| self.string(n, "`channel`"))
            .unwrap_or_default();
        let mut slack = Slack::new(api_url, channel);
        slack.http_config = http;
        if let Some(send) = self.send_resolved(&fields) {
            slack = slack.send_resolved(send);
        }
        let mut take = |key: &str| texts.remove(key);
        slack.username = take("username");
        slack.color = take("color");
        slack.icon_emoji = take("icon_emoji");
        slack.icon_url = take("icon_url");
        slack.title_link = take("title_link");
        slack.pretext = take("pretext");
        slack.footer = take("footer");
        slack.fallback = take("fallback");
        slack.callback_id = take("callback_id");
        slack.image_url = take("image_url");
        slack.thumb_url = take("thumb_url");
        slack.short_fields = flags.get("short_fields").copied();
        slack.link_names = flags.get("link_names").copied();
        if let Some(title) = self.template_field(&fields, "title", &mut values) {
            slack = slack.title(title);
        }
        if let Some(text) = self.template_field(&fields, "text", &mut values) {
            slack = slack.text(text);
        }
        self.extend_last_receiver(values);
        Some(slack)
    }

    /// A Slack config's `fields` and `actions`, with what AlertManager requires of each.
    fn slack_attachments(&mut self, fields: &Fields, what: &str) {
        let mut faults = Vec::new();
        if let Some((_, list)) = fields.get("fields") {
            for node in self.list(list, "`fields`") {
                let Some(field) =
                    self.fields(node, &format!("a field of {what}"), &schema::SLACK_FIELD)
                else {
                    continue;
                };
                for key in ["title", "value"] {
                    if text(&field, key).is_none() {
                        faults.push((
                            self.head(node),
                            format!("missing {key} in Slack field configuration"),
                        ));
                    }
                }
            }
        }
        if let Some((_, list)) = fields.get("actions") {
            for node in self.list(list, "`actions`") {
                let Some(action) =
                    self.fields(node, &format!("an action of {what}"), &schema::SLACK_ACTION)
                else {
                    continue;
                };
                let at = self.head(node);
                for key in ["type", "text"] {
                    if text(&action, key).is_none() {
                        faults.push((
                            at.clone(),
                            format!("missing {key} in Slack action configuration"),
                        ));
                    }
                }
                if text(&action, "url").is_none() && text(&action, "name").is_none() {
                    faults.push((
                        at,
                        "missing name or url in Slack action configuration".into(),
                    ));
                }
                if let Some((_, n)) = action.get("confirm") {
                    let Some(confirm) = self.fields(
                        n,
                        &format!("the confirmation of an action of {what}"),
                        &schema::SLACK_CONFIRM,
                    ) else {
                        continue;
                    };
                    if text(&confirm, "text").is_none() {
                        faults.push((
                            self.head(n),
                            "missing text in Slack confirmation configuration".into(),
                        ));
                    }
                }
            }
        }
        for (at, message) in faults {
            self.error(codes::SLACK, at, message);
        }
    }

    fn pagerduty(&mut self, node: &Node, receiver: &str) -> Option<PagerDuty> {
        let what = format!("a pagerduty config of {receiver}");
        let fields = self.fields(node, &what, &schema::PAGERDUTY)?;
        let routing = self.secret(&fields, "routing_key", Some("routing_key_file"), &what);
        let service = self.secret(&fields, "service_key", Some("service_key_file"), &what);
        let key = match (routing, service) {
            (Some(key), _) => PagerDutyKey::RoutingKey(key),
            (None, Some(key)) => PagerDutyKey::ServiceKey(key),
            (None, None) => {
                let at = self.head(node);
                self.error(
                    codes::PAGERDUTY,
                    at,
                    "missing service or routing key in PagerDuty config".into(),
                );
                return None;
            }
        };
        let mut http = None;
        if let Some((_, n)) = fields.get("http_config") {
            self.http_config(n, &what);
            http = self.http_settings(n);
        }
        let mut pd = PagerDuty::with_key(key);
        pd.http_config = http;
        let mut values = Vec::new();
        for (key, field) in [
            ("client", &mut pd.client),
            ("client_url", &mut pd.client_url),
            ("source", &mut pd.source),
            ("severity", &mut pd.severity),
            ("class", &mut pd.class),
            ("component", &mut pd.component),
            ("group", &mut pd.group),
        ] {
            *field = self.template_field(&fields, key, &mut values);
        }
        if let Some((_, n)) = fields.get("url") {
            pd.url = self.string(n, "`url`");
        }
        if let Some((_, n)) = fields.get("details") {
            for (key, _, value, range) in self.string_map(n, "`details`") {
                values.push(range);
                pd.details.push((key, value));
            }
        }
        if let Some(send) = self.send_resolved(&fields) {
            pd = pd.send_resolved(send);
        }
        if let Some(description) = self.template_field(&fields, "description", &mut values) {
            pd = pd.description(description);
        }
        self.extend_last_receiver(values);
        Some(pd)
    }

    fn webhook(&mut self, node: &Node, receiver: &str) -> Option<Webhook> {
        let what = format!("a webhook config of {receiver}");
        let fields = self.fields(node, &what, &schema::WEBHOOK)?;
        let Some((url, url_range)) = fields
            .get("url")
            .and_then(|(_, n)| Some((self.string(n, "`url`")?, self.range(n))))
        else {
            let at = self.head(node);
            self.error(codes::WEBHOOK, at, "missing URL in webhook config".into());
            return None;
        };
        self.extend_last_receiver(vec![url_range]);
        let mut hook = Webhook::new(url);
        if let Some(send) = self.send_resolved(&fields) {
            hook = hook.send_resolved(send);
        }
        if let Some((_, n)) = fields.get("max_alerts") {
            let text = self.string(n, "`max_alerts`").unwrap_or_default();
            match text.parse::<u32>() {
                Ok(max) => hook = hook.max_alerts(max),
                Err(_) => self.wrong_type(n, "`max_alerts`", "a whole number"),
            }
        }
        if let Some((_, n)) = fields.get("http_config") {
            if let Some(token) = self.http_config(n, &what) {
                hook = hook.bearer_token(token);
            }
            hook.http_config = self.http_settings(n);
        }
        Some(hook)
    }

    fn route(&mut self, node: &Node) -> Option<Route> {
        let fields = self.fields(node, "a route", &schema::ROUTE)?;
        let mut values = Vec::new();
        let mut route = Route::inheriting();
        let mut at = self.head(node);
        if let Some((_, n)) = fields.get("receiver") {
            if let Some(receiver) = self.string(n, "`receiver`").filter(|r| !r.is_empty()) {
                at = self.range(n);
                values.push(at.clone());
                route.receiver = Some(receiver);
            }
        }
        if let Some((_, n)) = fields.get("matchers") {
            for (text, range) in self.strings(n, "`matchers`") {
                values.push(range.clone());
                route.matchers.extend(self.matchers(&text, range));
            }
        }
        if let Some((key, n)) = fields.get("match") {
            let matchers = self.match_map(n, "`match`", MatchOp::Eq, &mut values);
            self.deprecated_match(key.clone(), "match", "matchers", &matchers);
            route.matchers.extend(matchers);
        }
        if let Some((key, n)) = fields.get("match_re") {
            let matchers = self.match_map(n, "`match_re`", MatchOp::Re, &mut values);
            self.deprecated_match(key.clone(), "match_re", "matchers", &matchers);
            route.matchers.extend(matchers);
        }
        if let Some((_, n)) = fields.get("group_by") {
            let labels = self.strings(n, "`group_by`");
            values.extend(labels.iter().map(|(_, r)| r.clone()));
            route.group_by = Some(labels.into_iter().map(|(l, _)| l).collect());
        }
        route.group_wait = fields
            .get("group_wait")
            .and_then(|(_, n)| self.duration(n, "`group_wait`"));
        route.group_interval = fields
            .get("group_interval")
            .and_then(|(_, n)| self.duration(n, "`group_interval`"));
        route.repeat_interval = fields
            .get("repeat_interval")
            .and_then(|(_, n)| self.duration(n, "`repeat_interval`"));
        route.continue_ = fields
            .get("continue")
            .and_then(|(_, n)| self.bool(n, "`continue`"))
            .unwrap_or(false);
        for (key, list) in [
            ("mute_time_intervals", &mut route.mute_time_intervals),
            ("active_time_intervals", &mut route.active_time_intervals),
        ] {
            if let Some((_, n)) = fields.get(key) {
                for (name, range) in self.strings(n, &format!("`{key}`")) {
                    values.push(range);
                    list.push(name);
                }
            }
        }
        route.origin = self.item(at, values);
        if let Some((_, n)) = fields.get("routes") {
            for child in self.list(n, "`routes`") {
                route.routes.extend(self.route(child));
            }
        }
        Some(route)
    }

    /// A `match` or `match_re` map (and the inhibit rules' `*_match*`) as matchers.
    fn match_map(
        &mut self,
        node: &Node,
        what: &str,
        op: MatchOp,
        values: &mut Vec<Range<usize>>,
    ) -> Vec<Matcher> {
        let mut out = Vec::new();
        if op == MatchOp::Re {
            // AlertManager reads a null regex as no regex at all, and rejects it.
            if let Node::Map { entries, .. } = node {
                for (key, value) in entries {
                    if is_null(value) {
                        let at = self.range(key);
                        let name = key.as_str().unwrap_or("");
                        self.error(
                            codes::MATCHER,
                            at,
                            format!("invalid regexp value for {name:?}"),
                        );
                    }
                }
            }
        }
        for (name, key_range, value, value_range) in self.string_map(node, what) {
            values.push(key_range);
            values.push(value_range);
            out.push(Matcher::new(name, op, value));
        }
        out
    }

    fn deprecated_match(&mut self, at: Range<usize>, key: &str, instead: &str, m: &[Matcher]) {
        let shown: Vec<String> = m.iter().map(|m| format!("'{m}'")).collect();
        self.deprecated(
            at,
            key,
            format!("write `{instead}: [{}]` instead", shown.join(", ")),
        );
    }

    /// One entry of `matchers`: one or more comma-separated matchers, as AlertManager 0.25's
    /// `ParseMatchers` reads them (`{` `}` optional, values quoted or not).
    fn matchers(&mut self, text: &str, at: Range<usize>) -> Vec<Matcher> {
        let verbatim = self.text().get(at.clone()) == Some(text);
        let mut out = Vec::new();
        for (token, offset) in split_matchers(text) {
            match parse_matcher(token) {
                Ok(m) => out.push(m),
                Err(message) => {
                    let range = if verbatim {
                        at.start + offset..at.start + offset + token.len()
                    } else {
                        at.clone()
                    };
                    self.error(codes::MATCHER, range, message);
                }
            }
        }
        out
    }

    fn inhibit_rule(&mut self, node: &Node) -> Option<InhibitRule> {
        let fields = self.fields(node, "an inhibit rule", &schema::INHIBIT_RULE)?;
        let mut values = Vec::new();
        let mut sides = [Vec::new(), Vec::new()];
        for (side, prefix) in sides.iter_mut().zip(["source", "target"]) {
            if let Some((_, n)) = fields.get(format!("{prefix}_matchers").as_str()) {
                for (text, range) in self.strings(n, &format!("`{prefix}_matchers`")) {
                    values.push(range.clone());
                    side.extend(self.matchers(&text, range));
                }
            }
            for (suffix, op) in [("match", MatchOp::Eq), ("match_re", MatchOp::Re)] {
                let key = format!("{prefix}_{suffix}");
                if let Some((key_range, n)) = fields.get(key.as_str()) {
                    let matchers = self.match_map(n, &format!("`{key}`"), op, &mut values);
                    self.deprecated_match(
                        key_range.clone(),
                        &key,
                        &format!("{prefix}_matchers"),
                        &matchers,
                    );
                    side.extend(matchers);
                }
            }
        }
        let mut equal = Vec::new();
        if let Some((_, n)) = fields.get("equal") {
            for (label, range) in self.strings(n, "`equal`") {
                values.push(range);
                equal.push(label);
            }
        }
        let at = self.head(node);
        let origin = self.item(at, values);
        let [source, target] = sides;
        Some(InhibitRule {
            source,
            target,
            equal,
            origin,
        })
    }

    fn time_interval(&mut self, node: &Node) -> Option<TimeInterval> {
        let fields = self.fields(node, "a time interval", &schema::TIME_INTERVAL)?;
        let (name, at) = match fields.get("name") {
            Some((_, n)) => (self.string(n, "`name`").unwrap_or_default(), self.range(n)),
            None => (String::new(), self.head(node)),
        };
        if name.is_empty() {
            self.error(
                codes::TIME_INTERVAL,
                at,
                "missing name in time interval".into(),
            );
            return None;
        }
        let mut periods = Vec::new();
        if let Some((_, n)) = fields.get("time_intervals") {
            for period in self.list(n, "`time_intervals` of a time interval") {
                periods.extend(self.period(period));
            }
        }
        let origin = self.item(at.clone(), vec![at]);
        Some(TimeInterval {
            name,
            periods,
            origin,
        })
    }

    fn period(&mut self, node: &Node) -> Option<Period> {
        let fields = self.fields(node, "a time interval's period", &schema::PERIOD)?;
        let mut period = Period::new();
        if let Some((_, n)) = fields.get("times") {
            for range in self.list(n, "`times`") {
                let Some(times) = self.fields(range, "a time range", &schema::TIME_RANGE) else {
                    continue;
                };
                let mut ends = [None, None];
                let mut parsed = true;
                for (end, key) in ends.iter_mut().zip(["start_time", "end_time"]) {
                    if let Some((_, t)) = times.get(key) {
                        let text = self.string(t, &format!("`{key}`")).unwrap_or_default();
                        *end = parse_time(&text);
                        if end.is_none() {
                            let at = self.range(t);
                            self.error(
                                codes::TIME_INTERVAL,
                                at,
                                format!("couldn't parse timestamp {text}, invalid format"),
                            );
                            parsed = false;
                        }
                    }
                }
                match ends {
                    [Some(start), Some(end)] => period = period.times(start, end),
                    _ if !parsed => {}
                    _ => {
                        let at = self.head(range);
                        self.error(
                            codes::TIME_INTERVAL,
                            at,
                            "both start and end times must be provided".into(),
                        );
                    }
                }
            }
        }
        if let Some((_, n)) = fields.get("weekdays") {
            for (text, at) in self.strings(n, "`weekdays`") {
                match inclusive(&text, parse_weekday) {
                    Some((first, last)) => period = period.weekdays(first, last),
                    None => self.error(
                        codes::TIME_INTERVAL,
                        at,
                        format!("{text} is not a valid weekday"),
                    ),
                }
            }
        }
        if let Some((_, n)) = fields.get("days_of_month") {
            for (text, at) in self.strings(n, "`days_of_month`") {
                let day = |t: &str| t.trim().parse::<i32>().ok();
                match inclusive(&text, day) {
                    Some((first, last)) if first > 0 && last > 0 && last <= 31 => {
                        // Lowering checks the range's bounds and order.
                        period = period.days_of_month(first.min(255) as u8, last as u8)
                    }
                    Some((first, last))
                        if (-31..=31).contains(&first)
                            && (-31..=31).contains(&last)
                            && first != 0
                            && last != 0 =>
                    {
                        // Days counted from the month's end: AlertManager has them, the spec
                        // DSL does not; only their order is checked here.
                        if first > 0 && last < 0 || first < 0 && last < 0 && first > last {
                            self.error(
                                codes::TIME_INTERVAL,
                                at,
                                format!("invalid days of month {text}: start day cannot be after end day"),
                            );
                        }
                    }
                    Some((first, last)) => {
                        let bad = if (-31..=31).contains(&first) && first != 0 {
                            last
                        } else {
                            first
                        };
                        self.error(
                            codes::TIME_INTERVAL,
                            at,
                            format!("{bad} is not a valid day of the month: out of range"),
                        );
                    }
                    None => self.error(
                        codes::TIME_INTERVAL,
                        at,
                        format!("{text} is not a valid day of the month"),
                    ),
                }
            }
        }
        if let Some((_, n)) = fields.get("months") {
            for (text, at) in self.strings(n, "`months`") {
                match inclusive(&text, parse_month) {
                    Some((first, last)) => period = period.months(first, last),
                    None => self.error(
                        codes::TIME_INTERVAL,
                        at,
                        format!("{text} is not a valid month"),
                    ),
                }
            }
        }
        if let Some((_, n)) = fields.get("years") {
            for (text, at) in self.strings(n, "`years`") {
                match inclusive(&text, |t| t.trim().parse::<u32>().ok()) {
                    Some((first, last)) if first <= last => period = period.years(first, last),
                    Some(_) => self.error(
                        codes::TIME_INTERVAL,
                        at,
                        "end year cannot be before start year".into(),
                    ),
                    None => self.error(
                        codes::TIME_INTERVAL,
                        at,
                        format!("{text} is not a valid year"),
                    ),
                }
            }
        }
        if let Some((_, n)) = fields.get("location") {
            period.location = self.string(n, "`location`").filter(|l| !l.is_empty());
        }
        Some(period)
    }

    /// The `templates` globs: each file they match is checked as AlertManager parses it, and
    /// the templates it defines become known to the receivers' fields.
    fn templates(
        &mut self,
        node: &Node,
        resolve: &dyn Fn(&str) -> Vec<SourceFile>,
    ) -> Vec<Template> {
        let mut out: Vec<Template> = Vec::new();
        let mut defined = BTreeSet::new();
        for (glob, at) in self.strings(node, "`templates`") {
            let files = resolve(&glob);
            if files.is_empty() {
                let d = Diagnostic::warning(
                    codes::TEMPLATE_GLOB,
                    format!("templates glob {glob:?} matches no file"),
                )
                .note("AlertManager resolves it against the configuration's folder and loads nothing: a receiver field that calls one of its templates fails at notification time");
                self.push(d, at.clone());
                continue;
            }
            for file in files {
                if let Err(e) = gotmpl::check_as(&file.text, gotmpl::Dialect::AlertManager) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            codes::TEMPLATE,
                            format!("template file {} does not parse: {}", file.path, e.message),
                        )
                        .with_file(&file.path, e.range.clone())
                        .snippet(
                            file.path.clone(),
                            file.text.clone(),
                            e.range,
                            "here",
                        ),
                    );
                    continue;
                }
                for (name, range) in defines(&file.text) {
                    // Go's templates let a later definition replace an earlier one.
                    if !defined.insert(name.clone()) {
                        continue;
                    }
                    let origin = FileItem::new(Arc::from(file.path.as_str()), range).place();
                    out.push(Template {
                        name,
                        body: String::new(),
                        origin,
                    });
                }
            }
        }
        out
    }
}

/// What `global` sets that other sections fall back on.
#[derive(Default)]
struct GlobalFile {
    resolve_timeout: Option<Duration>,
    smarthost: Option<(String, Range<usize>)>,
    from: Option<(String, Range<usize>)>,
    username: Option<String>,
    password: Option<SecretFile>,
    require_tls: Option<bool>,
    hello: Option<String>,
    http: Option<HttpConfig>,
    slack: Option<SecretFile>,
    /// The integrations' keys' global defaults.
    opsgenie_key: Option<SecretFile>,
    victorops_key: Option<SecretFile>,
    /// The integrations' API URLs' global defaults.
    urls: BTreeMap<&'static str, String>,
    wechat_secret: bool,
    wechat_corp_id: bool,
    /// The global URLs written as null, which leaves AlertManager without its default.
    null_urls: BTreeSet<&'static str>,
}

/// An email config's own SMTP settings.
struct EmailFile {
    at: Range<usize>,
    smarthost: Option<(String, Range<usize>)>,
    from: Option<(String, Range<usize>)>,
}

/// A field's text when it is set and not empty (AlertManager's `== ""` test).
fn text(fields: &Fields, key: &str) -> Option<String> {
    match fields.get(key) {
        Some((_, Node::Scalar { value, .. })) if !value.is_empty() && !is_null(fields[key].1) => {
            Some(value.clone())
        }
        _ => None,
    }
}

/// A Go `time.Duration` (`300ms`, `1.5h`, `2h45m`), as `time.ParseDuration` reads it.
fn is_go_duration(text: &str) -> bool {
    let rest = text.strip_prefix(['+', '-']).unwrap_or(text);
    if rest == "0" {
        return true;
    }
    let mut rest = rest;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let number = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number == 0 || rest[..number] == *"." {
            return false;
        }
        rest = &rest[number..];
        let Some(unit) = ["ns", "us", "µs", "μs", "ms", "s", "m", "h"]
            .into_iter()
            .filter(|u| rest.starts_with(u))
            .max_by_key(|u| u.len())
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

fn is_null(node: &Node) -> bool {
    matches!(node, Node::Scalar { value, style: Style::Plain, .. }
        if value.is_empty() || value == "~" || value == "null" || value == "Null" || value == "NULL")
}

/// `subject` as AlertManager keys it: `Subject`.
fn canonical_header(key: &str) -> String {
    key.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// `first` or `first:last`, each parsed by `parse`.
fn inclusive<T: Copy>(text: &str, parse: impl Fn(&str) -> Option<T>) -> Option<(T, T)> {
    match text.split_once(':') {
        Some((first, last)) => Some((parse(first)?, parse(last)?)),
        None => parse(text).map(|v| (v, v)),
    }
}

/// `HH:MM`, two-digit hours, up to 24:00, as AlertManager reads a time of day.
fn parse_time(text: &str) -> Option<TimeOfDay> {
    let (hour, minute) = text.split_once(':')?;
    if hour.len() != 2 || minute.len() != 2 {
        return None;
    }
    let hour: u8 = hour.parse().ok()?;
    let minute: u8 = minute.parse().ok()?;
    let valid = (hour < 24 && minute < 60) || (hour == 24 && minute == 0);
    valid.then_some(TimeOfDay { hour, minute })
}

fn parse_weekday(text: &str) -> Option<Weekday> {
    Some(match text.trim().to_ascii_lowercase().as_str() {
        "sunday" => Weekday::Sunday,
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        _ => return None,
    })
}

fn parse_month(text: &str) -> Option<Month> {
    const MONTHS: [Month; 12] = [
        Month::January,
        Month::February,
        Month::March,
        Month::April,
        Month::May,
        Month::June,
        Month::July,
        Month::August,
        Month::September,
        Month::October,
        Month::November,
        Month::December,
    ];
    let text = text.trim().to_ascii_lowercase();
    if let Ok(number) = text.parse::<usize>() {
        return (1..=12).contains(&number).then(|| MONTHS[number - 1]);
    }
    MONTHS.into_iter().find(|m| m.as_str() == text)
}

/// Splits one `matchers` entry at the commas outside quotes; each token with its offset.
fn split_matchers(text: &str) -> Vec<(&str, usize)> {
    let mut start = usize::from(text.starts_with('{'));
    let end = if text.len() > start && text.ends_with('}') {
        text.len() - 1
    } else {
        text.len()
    };
    let body = &text[..end];
    let mut out = Vec::new();
    let (mut quoted, mut escaped) = (false, false);
    let first = start;
    for (i, c) in body.char_indices().skip_while(|(i, _)| *i < first) {
        match c {
            ',' if !quoted => {
                out.push((&body[start..i], start));
                start = i + 1;
                continue;
            }
            '"' if !escaped => quoted = !quoted,
            '\\' => {
                escaped = !escaped;
                continue;
            }
            _ => {}
        }
        escaped = false;
    }
    if !body[start..].trim().is_empty() {
        out.push((&body[start..], start));
    }
    // Keep each token's offset at its first non-blank character.
    out.into_iter()
        .map(|(token, offset)| {
            let trimmed = token.trim_start();
            (trimmed.trim_end(), offset + token.len() - trimmed.len())
        })
        .collect()
}

/// One matcher, `name op value`, the value quoted or not, as AlertManager 0.25 parses it.
fn parse_matcher(text: &str) -> Result<Matcher, String> {
    let bad = || format!("bad matcher format: {text}");
    let name_len = text
        .char_indices()
        .find(|(i, c)| {
            !(c.is_ascii_alphabetic() || *c == '_' || *c == ':' || (*i > 0 && c.is_ascii_digit()))
        })
        .map_or(text.len(), |(i, _)| i);
    if name_len == 0 {
        return Err(bad());
    }
    let name = &text[..name_len];
    let rest = text[name_len..].trim_start();
    let (op, raw) = [
        ("=~", MatchOp::Re),
        ("!~", MatchOp::NotRe),
        ("!=", MatchOp::Ne),
        ("=", MatchOp::Eq),
    ]
    .into_iter()
    .find_map(|(sym, op)| rest.strip_prefix(sym).map(|raw| (op, raw)))
    .ok_or_else(bad)?;
    let raw = raw.trim();
    let (raw, mut expect_quote) = match raw.strip_prefix('"') {
        Some(inner) => (inner, true),
        None => (raw, false),
    };
    let mut value = String::new();
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if i + 1 < raw.len() => match chars.next() {
                Some((_, 'n')) => value.push('\n'),
                Some((_, c @ ('"' | '\\'))) => value.push(c),
                Some((_, c)) => {
                    value.push('\\');
                    value.push(c);
                }
                None => value.push('\\'),
            },
            '"' if expect_quote && i + 1 == raw.len() => expect_quote = false,
            '"' => {
                return Err(format!(
                    "matcher value contains unescaped double quote: {}",
                    text[name_len..].trim_start()[op.as_str().len()..].trim()
                ))
            }
            c => value.push(c),
        }
    }
    if expect_quote {
        return Err(format!(
            "matcher value contains unescaped double quote: {}",
            text[name_len..].trim_start()[op.as_str().len()..].trim()
        ));
    }
    Ok(Matcher::new(name, op, value))
}

/// The names a template file defines (`{{ define "name" }}`), with their ranges.
fn defines(text: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("{{") {
        let inner = rest + found + 2;
        let Some(close) = text[inner..].find("}}") else {
            break;
        };
        let action =
            text[inner..inner + close].trim_matches(|c: char| c == '-' || c.is_whitespace());
        if let Some(quoted) = action.strip_prefix("define") {
            let quoted = quoted.trim();
            if let Some(name) = quoted
                .strip_prefix('"')
                .and_then(|q| q.split_once('"'))
                .map(|(name, _)| name)
            {
                let at = text[inner..].find(name).map_or(inner, |i| inner + i);
                out.push((name.to_string(), at..at + name.len()));
            }
        }
        rest = inner + close + 2;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_as_alertmanager_parses_them() {
        let shown = |text: &str| match parse_matcher(text) {
            Ok(m) => m.to_string(),
            Err(e) => format!("error: {e}"),
        };
        assert_eq!(shown("severity=\"critical\""), "severity=\"critical\"");
        assert_eq!(shown("severity = critical"), "severity=\"critical\"");
        assert_eq!(shown("a=~\"x|y\""), "a=~\"x|y\"");
        assert_eq!(shown("a!=b"), "a!=\"b\"");
        assert_eq!(shown("a=\"b\\\"c\""), "a=\"b\\\"c\"");
        assert_eq!(shown("a b"), "error: bad matcher format: a b");
        assert_eq!(
            shown("a=\"b"),
            "error: matcher value contains unescaped double quote: \"b"
        );
        let tokens: Vec<_> = split_matchers("{a=\"x,y\", b=c}").into_iter().collect();
        assert_eq!(tokens, [("a=\"x,y\"", 1), ("b=c", 10)]);
    }

    #[test]
    fn globs_match_as_go_does() {
        let matches = |glob: &str, name: &str| template_glob(glob).unwrap().is_match(name);
        assert!(matches("*.tmpl", "notifications.tmpl"));
        assert!(!matches("*.tmpl", "notifications.tmpl.bak"));
        assert!(matches("n?[a-z]*", "notes"));
        assert!(!matches("[^n]*", "notes"));
        assert!(matches("[^n]*", "alerts"));
        assert!(!matches("*.tmpl", "dir/x.tmpl"));
    }

    #[test]
    fn times_of_day() {
        assert_eq!(parse_time("08:00"), Some(TimeOfDay { hour: 8, minute: 0 }));
        assert_eq!(
            parse_time("24:00"),
            Some(TimeOfDay {
                hour: 24,
                minute: 0
            })
        );
        assert_eq!(parse_time("8:00"), None);
        assert_eq!(parse_time("24:01"), None);
    }
}
