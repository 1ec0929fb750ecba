//! alertmanager.yml (or a Kubernetes Secret holding one) into a Rust module built with the
//! AlertManager DSL: `pub fn alertmanager() -> AlertManager`, the route tree in `fn route()`
//! (a top-level route with children of its own in a function of its own), one function per
//! receiver, inhibit rules, time intervals and templates.
//!
//! The file is read by the linter's reader ([`crate::alertmanager::file::read`]), so it is
//! checked exactly as `lint` checks it, into the DSL value a spec would build; that value is then
//! printed as builder calls. The deprecated `match`, `match_re`, `source_match*` and
//! `target_match*` become matchers. A secret written inline becomes a [`SecretFile`] under
//! [`SECRETS_DIR`]: the secret itself is never read into the module, and one diagnostic lists
//! the files to provide.
//!
//! What the DSL cannot express is found by comparing the file with what the imported value
//! emits, field by field: every field of the file the emitted configuration does not carry
//! (an integration the DSL has no type for, a Slack `color`, a time interval's `location`...)
//! is a warning at the field, never dropped silently.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;

use crate::alertmanager::codes as am_codes;
use crate::alertmanager::{
    self, AlertManager, Integration, MatchOp, Matcher, PagerDutyKey, Period, Receiver, Route,
    SecretFile, TimeInterval,
};
use crate::diagnostics::{Diagnostic, Place};
use crate::rules::file::SourceFile;
use crate::syntax::duration::Duration;
use crate::syntax::yaml::{self, Node};

use super::codes;
use super::rust::{ident, string, unique};
use super::{Entry, Module};

/// Where an inline secret's file is expected: the folder EJE's and most deployments mount
/// AlertManager's secrets in.
pub const SECRETS_DIR: &str = "/etc/alertmanager/secrets";

/// A top-level route with more descendants than this gets a function of its own.
const ROUTE_FUNCTION_SIZE: usize = 1;

/// Imports one alertmanager.yml without its template files: a `templates:` glob is reported as
/// matching nothing (see [`module_with_templates`]).
pub fn module(file: &SourceFile) -> (Option<Module>, Vec<Diagnostic>) {
    module_with_templates(file, &|_| Vec::new())
}

/// Imports one alertmanager.yml; `templates` returns the template files a glob of its
/// `templates:` matches (the CLI reads them), whose definitions become [`Template::define`]s.
///
/// [`Template::define`]: crate::alertmanager::Template::define
pub fn module_with_templates(
    file: &SourceFile,
    templates: &dyn Fn(&str) -> Vec<SourceFile>,
) -> (Option<Module>, Vec<Diagnostic>) {
    // The template files, read once: their bodies are imported, not only their names.
    let mut template_files: Vec<SourceFile> = Vec::new();
    let (am, read) = alertmanager::file::read(file, templates);
    for glob in alertmanager::file::template_globs(&alertmanager::file::configuration_text(file).0)
    {
        template_files.extend(templates(&glob));
    }
    let mut diagnostics: Vec<Diagnostic> = read
        .into_iter()
        // Resolved by the import: matchers replace `match*`, files replace inline secrets.
        .filter(|d| d.code != am_codes::DEPRECATED && d.code != am_codes::INLINE_SECRET)
        .collect();
    let Some(mut am) = am else {
        return (None, diagnostics);
    };
    if diagnostics.iter().any(Diagnostic::is_error) {
        return (None, diagnostics);
    }
    let secrets = move_inline_secrets(&mut am);
    fill_template_bodies(&mut am, &template_files);
    let mut lowered = Vec::new();
    let Some(config) = alertmanager::lower::lower(&am, &mut lowered) else {
        diagnostics.extend(lowered.into_iter().filter(Diagnostic::is_error));
        return (None, diagnostics);
    };
    if !secrets.is_empty() {
        let first = &secrets[0].1;
        let mut d = Diagnostic::warning(
            codes::ALERTMANAGER_SECRET_FILES,
            format!(
                "{} secret{} written inline in {} now read from files: provide them before deploying",
                secrets.len(),
                if secrets.len() == 1 { " is" } else { "s are" },
                file.path
            ),
        )
        .at(first);
        for (path, _, what) in &secrets {
            d = d.note(format!("write {what} to {path}"));
        }
        diagnostics.push(d.note("the secrets themselves were not imported: the spec only names the files AlertManager reads them from"));
    }
    let emitted = alertmanager::emit::render(&config, "templates/*.tmpl");
    diagnostics.extend(unexpressed(file, &emitted));
    let name = ident(
        std::path::Path::new(&file.path)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("alertmanager"),
    );
    let source = Printer::new(&file.path).module(&am);
    let module = Module {
        name,
        source_path: file.path.clone(),
        source,
        entry: Entry::AlertManager,
        series: BTreeMap::new(),
    };
    (Some(module), diagnostics)
}

// ---- Secrets --------------------------------------------------------------------------------

/// Gives every inline secret a file under [`SECRETS_DIR`], one per place in the file (the global
/// Slack URL every Slack config falls back on is one file). Returns the files with the place of
/// the secret and what it is.
fn move_inline_secrets(am: &mut AlertManager) -> Vec<(String, Place, String)> {
    let mut by_place: BTreeMap<String, String> = BTreeMap::new();
    let mut taken = BTreeSet::new();
    let mut out = Vec::new();
    let mut assign = |secret: &mut SecretFile, slug: String, what: String| {
        if secret.path != SecretFile::INLINE {
            return;
        }
        let key = format!("{:?}", secret.origin);
        let path = by_place.entry(key).or_insert_with(|| {
            let slug = unique(slug.replace('_', "-"), &mut taken);
            let path = format!("{SECRETS_DIR}/{slug}");
            out.push((path.clone(), secret.origin.clone(), what));
            path
        });
        secret.path = path.clone();
    };
    if let Some(smtp) = &mut am.global.smtp {
        if let Some((_, password)) = &mut smtp.auth {
            assign(
                password,
                "smtp-auth-password".into(),
                "the SMTP password (`smtp_auth_password`)".into(),
            );
        }
    }
    for receiver in &mut am.receivers {
        let slug = ident(&receiver.name).trim_start_matches("r#").to_string();
        let name = receiver.name.clone();
        for integration in &mut receiver.integrations {
            let (kind, field, noun) = match integration {
                Integration::Slack(_) => ("slack", "api-url", "the Slack webhook URL (`api_url`)"),
                Integration::PagerDuty(pd) => match pd.key {
                    PagerDutyKey::RoutingKey(_) => (
                        "pagerduty",
                        "routing-key",
                        "the PagerDuty routing key (`routing_key`)",
                    ),
                    PagerDutyKey::ServiceKey(_) => (
                        "pagerduty",
                        "service-key",
                        "the PagerDuty service key (`service_key`)",
                    ),
                },
                Integration::Webhook(_) => ("webhook", "token", "the webhook bearer token"),
                Integration::OpsGenie(_) => {
                    ("opsgenie", "api-key", "the OpsGenie API key (`api_key`)")
                }
                Integration::VictorOps(_) => {
                    ("victorops", "api-key", "the VictorOps API key (`api_key`)")
                }
                Integration::Webex(_) => ("webex", "token", "the Webex bearer token"),
                Integration::Email(_) | Integration::Sns(_) => continue,
            };
            for file in integration.secret_files_mut() {
                assign(
                    file,
                    format!("{slug}-{kind}-{field}"),
                    format!("{noun} of receiver {name:?}"),
                );
            }
        }
    }
    out
}

// ---- Templates ------------------------------------------------------------------------------

/// The reader knows the templates' names; their bodies come from the template files.
fn fill_template_bodies(am: &mut AlertManager, files: &[SourceFile]) {
    let mut bodies: BTreeMap<String, String> = BTreeMap::new();
    for file in files {
        for (name, body) in template_bodies(&file.text) {
            bodies.entry(name).or_insert(body);
        }
    }
    for template in &mut am.templates {
        if let Some(body) = bodies.get(&template.name) {
            template.body = body.clone();
        }
    }
}

/// Each `{{ define "name" }}body{{ end }}` of a template file, the body as Go's templates read
/// it (a `-` trim marker at the body's edges trims it here).
pub fn template_bodies(text: &str) -> Vec<(String, String)> {
    let mut actions = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("{{") {
        let open = rest + found;
        let Some(close) = text[open + 2..].find("}}") else {
            break;
        };
        let end = open + 2 + close + 2;
        actions.push(open..end);
        rest = end;
    }
    let word = |range: &Range<usize>| {
        let inner = text[range.start + 2..range.end - 2]
            .trim_matches(|c: char| c == '-' || c.is_whitespace())
            .to_string();
        inner
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < actions.len() {
        let action = word(&actions[i]);
        let Some(name) = action
            .strip_prefix("define")
            .map(str::trim)
            .and_then(|q| q.strip_prefix('"'))
            .and_then(|q| q.split_once('"'))
            .map(|(name, _)| name.to_string())
        else {
            i += 1;
            continue;
        };
        let start = actions[i].end;
        let trim_start = text[..start].ends_with("-}}");
        let mut depth = 1;
        let mut j = i + 1;
        while j < actions.len() {
            let inner = word(&actions[j]);
            let head = inner.split_whitespace().next().unwrap_or("");
            if matches!(head, "if" | "range" | "with" | "define" | "block") {
                depth += 1;
            } else if head == "end" {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            j += 1;
        }
        let Some(end_action) = actions.get(j) else {
            break;
        };
        let mut body = &text[start..end_action.start];
        if trim_start {
            body = body.trim_start();
        }
        if text[end_action.start..].starts_with("{{-") {
            body = body.trim_end();
        }
        out.push((name, body.to_string()));
        i = j + 1;
    }
    out
}

// ---- What the DSL cannot express ------------------------------------------------------------

/// A warning for each field of the file that the emitted configuration does not carry.
fn unexpressed(file: &SourceFile, emitted: &str) -> Vec<Diagnostic> {
    let (text, map) = alertmanager::file::configuration_text(file);
    let (Ok(Some(original)), Ok(Some(emitted))) = (yaml::parse(&text), yaml::parse(emitted)) else {
        return Vec::new();
    };
    let mut lost = Vec::new();
    Compare {
        original: &original,
        emitted_global: get(&emitted, "global"),
        lost: &mut lost,
    }
    .top(&original, &emitted);
    lost.into_iter()
        .map(|(path, node, reason)| {
            let at = node.start()..node.start() + 1;
            let at = match &map {
                Some(map) => map.map(&text, at),
                None => at,
            };
            Diagnostic::warning(
                codes::ALERTMANAGER_NOT_EXPRESSIBLE,
                format!("`{path}` is not imported: {reason}"),
            )
            .with_file(&file.path, at)
            .note("the imported module leaves it out: add it to the spec by hand once the DSL has it, or keep it where this configuration is deployed")
        })
        .collect()
}

fn get<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match node {
        Node::Map { entries, .. } => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v),
        _ => None,
    }
}

fn entries(node: &Node) -> &[(Node, Node)] {
    match node {
        Node::Map { entries, .. } => entries,
        _ => &[],
    }
}

fn items(node: Option<&Node>) -> &[Node] {
    match node {
        Some(Node::Seq { items, .. }) => items,
        _ => &[],
    }
}

fn is_null(node: &Node) -> bool {
    matches!(node, Node::Scalar { value, style: yaml::Style::Plain, .. } if value.is_empty() || value == "null" || value == "~")
}

/// A value Go reads as the zero value: null, false, 0, an empty string, list or mapping.
fn is_zero(node: &Node) -> bool {
    match node {
        Node::Scalar { value, .. } => {
            is_null(node) || value.is_empty() || value == "0" || as_bool(value) == Some(false)
        }
        Node::Seq { items, .. } => items.is_empty(),
        Node::Map { entries, .. } => entries.is_empty(),
    }
}

fn as_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "y" | "Y" | "on" | "On" | "ON" => {
            Some(true)
        }
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "n" | "N" | "off" | "Off" | "OFF" => {
            Some(false)
        }
        _ => None,
    }
}

/// Whether two scalars mean the same: equal text, or the same boolean, duration or time.
fn same_scalar(a: &str, b: &str) -> bool {
    a == b
        || as_bool(a).is_some() && as_bool(a) == as_bool(b)
        || Duration::parse(a).is_ok() && Duration::parse(a) == Duration::parse(b)
}

/// A time interval's range item (`Monday:Friday`, `1`, `09:00`) in one spelling.
fn range_item(text: &str) -> String {
    let text = text.trim().to_lowercase();
    match text.split_once(':') {
        Some((a, b)) => format!("{}:{}", a.trim(), b.trim()),
        None => format!("{text}:{text}"),
    }
}

fn time_item(text: &str) -> Option<(u32, u32)> {
    let (h, m) = text.trim().split_once(':')?;
    Some((h.parse().ok()?, m.parse().ok()?))
}

struct Compare<'a, 'n> {
    /// The file's configuration, whole.
    original: &'n Node,
    emitted_global: Option<&'n Node>,
    lost: &'a mut Vec<(String, &'n Node, String)>,
}

const NO_FIELD: &str = "the DSL has no field for it";

impl<'a, 'n> Compare<'a, 'n> {
    fn lose(&mut self, path: String, node: &'n Node, reason: impl Into<String>) {
        self.lost.push((path, node, reason.into()));
    }

    fn top(&mut self, original: &'n Node, emitted: &'n Node) {
        for (key, value) in entries(original) {
            let section = key.as_str().unwrap_or("");
            if is_null(value) {
                continue;
            }
            match section {
                "global" => self.global(value, emitted),
                "route" => self.route("route", value, get(emitted, "route")),
                "receivers" => {
                    let out = items(get(emitted, "receivers"));
                    for (i, receiver) in items(Some(value)).iter().enumerate() {
                        self.receiver(receiver, out.get(i));
                    }
                }
                "inhibit_rules" => {
                    let out = items(get(emitted, "inhibit_rules"));
                    for (i, rule) in items(Some(value)).iter().enumerate() {
                        let path = format!("inhibit_rules[{i}]");
                        self.map(&path, rule, out.get(i), &|key| {
                            key.starts_with("source_") || key.starts_with("target_")
                        });
                    }
                }
                "time_intervals" | "mute_time_intervals" => {
                    let out = items(get(emitted, "time_intervals"));
                    for interval in items(Some(value)) {
                        let name = get(interval, "name").and_then(Node::as_str);
                        let found = out
                            .iter()
                            .find(|o| get(o, "name").and_then(Node::as_str) == name);
                        let path = format!("{section}[{:?}]", name.unwrap_or(""));
                        self.time_interval(&path, interval, found);
                    }
                }
                // Imported as the templates they define (when the files were given).
                "templates" => {}
                _ => self.lose(section.to_string(), key, NO_FIELD),
            }
        }
    }

    fn global(&mut self, global: &'n Node, emitted: &'n Node) {
        let out = get(emitted, "global");
        let configs = |node: &'n Node, kind: &str| -> Vec<&'n Node> {
            items(get(node, "receivers"))
                .iter()
                .flat_map(|r| items(get(r, kind)))
                .collect()
        };
        for (key, value) in entries(global) {
            let name = key.as_str().unwrap_or("");
            if is_null(value) {
                continue;
            }
            let path = format!("global.{name}");
            // A default of an integration's field: carried when every emitted config of the
            // integration has the field (the import gives each the value), and harmless when
            // the file has no config of that integration.
            let default = match name {
                "slack_api_url" | "slack_api_url_file" => Some(("slack_configs", "api_url_file")),
                "opsgenie_api_key" | "opsgenie_api_key_file" => {
                    Some(("opsgenie_configs", "api_key_file"))
                }
                "victorops_api_key" | "victorops_api_key_file" => {
                    Some(("victorops_configs", "api_key_file"))
                }
                "opsgenie_api_url" => Some(("opsgenie_configs", "api_url")),
                "victorops_api_url" => Some(("victorops_configs", "api_url")),
                "webex_api_url" => Some(("webex_configs", "api_url")),
                "pagerduty_url" => Some(("pagerduty_configs", "")),
                "telegram_api_url" => Some(("telegram_configs", "")),
                "wechat_api_url" | "wechat_api_secret" | "wechat_api_corp_id" => {
                    Some(("wechat_configs", ""))
                }
                _ => None,
            };
            let carried = match default {
                Some((kind, field)) => {
                    let original = configs(self.original, kind);
                    original.is_empty()
                        || !field.is_empty()
                            && configs(emitted, kind).len() == original.len()
                            && configs(emitted, kind)
                                .iter()
                                .all(|c| get(c, field).is_some())
                }
                None if name == "smtp_auth_password" => out
                    .and_then(|o| get(o, "smtp_auth_password_file"))
                    .is_some(),
                None => out
                    .and_then(|o| get(o, name))
                    .is_some_and(|o| self.same(value, o)),
            };
            if !carried && !is_zero(value) {
                let found = out.and_then(|o| get(o, name)).is_some();
                let reason = if found {
                    "the value differs from the imported one".to_string()
                } else if name == "smtp_auth_username" {
                    "the DSL sets the SMTP username only with a password file".to_string()
                } else {
                    NO_FIELD.to_string()
                };
                self.lose(path, key, reason);
            }
        }
    }

    fn route(&mut self, path: &str, route: &'n Node, out: Option<&'n Node>) {
        let children = items(out.and_then(|o| get(o, "routes")));
        for (key, value) in entries(route) {
            let name = key.as_str().unwrap_or("");
            match name {
                // Compared by routing: the reader turns every form into matchers.
                "matchers" | "match" | "match_re" => {}
                "routes" => {
                    for (i, child) in items(Some(value)).iter().enumerate() {
                        self.route(&format!("{path}.routes[{i}]"), child, children.get(i));
                    }
                }
                _ => self.field(path, key, value, out),
            }
        }
    }

    fn receiver(&mut self, receiver: &'n Node, out: Option<&'n Node>) {
        let name = get(receiver, "name").and_then(Node::as_str).unwrap_or("");
        let path = format!("receivers[{name:?}]");
        for (key, value) in entries(receiver) {
            let kind = key.as_str().unwrap_or("");
            if kind == "name" || is_null(value) {
                continue;
            }
            let emitted = items(out.and_then(|o| get(o, kind)));
            for (i, config) in items(Some(value)).iter().enumerate() {
                let config_path = format!("{path}.{kind}[{i}]");
                match emitted.get(i) {
                    Some(found) => self.integration(&config_path, config, found),
                    None => {
                        let reason = match kind {
                            "pushover_configs" | "wechat_configs" | "telegram_configs"
                            | "discord_configs" => format!(
                                "AlertManager 0.25 reads the secret of a {} config only inline, and a spec only names secret files (the `_file` forms came in 0.26)",
                                kind.trim_end_matches("_configs")
                            ),
                            _ => format!(
                                "the DSL has no type for {}",
                                kind.trim_end_matches("_configs")
                            ),
                        };
                        self.lose(config_path, config, reason)
                    }
                }
            }
            if !matches!(value, Node::Seq { .. }) {
                self.lose(format!("{path}.{kind}"), key, NO_FIELD);
            }
        }
    }

    fn integration(&mut self, path: &str, config: &'n Node, out: &'n Node) {
        for (key, value) in entries(config) {
            let name = key.as_str().unwrap_or("");
            if is_null(value) {
                continue;
            }
            match name {
                "http_config" => self.http_config(path, value, get(out, "http_config")),
                "sigv4" => {
                    let emitted = get(out, "sigv4");
                    for (field, setting) in entries(value) {
                        if field.as_str() == Some("secret_key") && !is_zero(setting) {
                            self.lose(
                                format!("{path}.sigv4.secret_key"),
                                field,
                                "AlertManager 0.25 has no file form for a SigV4 secret key, and a spec only names secret files: give SNS its credentials from the environment, a profile or a role",
                            );
                        } else if field.as_str() != Some("secret_key") {
                            self.field(&format!("{path}.sigv4"), field, setting, emitted);
                        }
                    }
                }
                "headers" => {
                    let emitted = get(out, "headers");
                    for (header, text) in entries(value) {
                        let header_name = header.as_str().unwrap_or("");
                        let found = emitted.map(entries).unwrap_or(&[]).iter().find(|(k, _)| {
                            k.as_str()
                                .is_some_and(|k| k.eq_ignore_ascii_case(header_name))
                        });
                        if !found.is_some_and(|(_, v)| self.same(text, v)) {
                            self.lose(format!("{path}.headers.{header_name}"), header, NO_FIELD);
                        }
                    }
                }
                // An email config's own SMTP settings: carried when they are the global ones.
                "smarthost" | "from" | "auth_username" | "require_tls" | "hello" => {
                    let global = self
                        .emitted_global
                        .and_then(|g| get(g, &format!("smtp_{name}")));
                    if !global.is_some_and(|g| self.same(value, g)) {
                        self.lose(
                            format!("{path}.{name}"),
                            key,
                            "the DSL sends every email through the global SMTP settings",
                        );
                    }
                }
                _ => self.field(path, key, value, Some(out)),
            }
        }
    }

    fn http_config(&mut self, path: &str, config: &'n Node, out: Option<&'n Node>) {
        let authorized = out.and_then(|o| get(o, "authorization")).is_some();
        for (key, value) in entries(config) {
            let name = key.as_str().unwrap_or("");
            if is_null(value) || is_zero(value) && name != "follow_redirects" {
                continue;
            }
            let carried = match name {
                "bearer_token" | "bearer_token_file" | "authorization" => authorized,
                // prometheus/common's defaults.
                "follow_redirects" | "enable_http2" => {
                    as_bool(value.as_str().unwrap_or("")) == Some(true)
                }
                _ => false,
            };
            if !carried {
                self.lose(format!("{path}.http_config.{name}"), key, NO_FIELD);
            }
        }
    }

    fn time_interval(&mut self, path: &str, interval: &'n Node, out: Option<&'n Node>) {
        let periods = items(out.and_then(|o| get(o, "time_intervals")));
        for (i, period) in items(get(interval, "time_intervals")).iter().enumerate() {
            let emitted = periods.get(i);
            for (key, value) in entries(period) {
                let name = key.as_str().unwrap_or("");
                if is_zero(value) {
                    continue;
                }
                let found = emitted.and_then(|e| get(e, name));
                let carried = match name {
                    "times" => {
                        let read = |n: &Node| {
                            items(Some(n))
                                .iter()
                                .map(|t| {
                                    (
                                        get(t, "start_time")
                                            .and_then(Node::as_str)
                                            .and_then(time_item),
                                        get(t, "end_time")
                                            .and_then(Node::as_str)
                                            .and_then(time_item),
                                    )
                                })
                                .collect::<Vec<_>>()
                        };
                        found.is_some_and(|f| read(value) == read(f))
                    }
                    "location" => found.is_some_and(|f| self.same(value, f)),
                    "weekdays" | "days_of_month" | "months" | "years" => {
                        let read = |n: &Node| {
                            items(Some(n))
                                .iter()
                                .filter_map(Node::as_str)
                                .map(range_item)
                                .collect::<Vec<_>>()
                        };
                        found.is_some_and(|f| read(value) == read(f))
                    }
                    _ => false,
                };
                if !carried {
                    self.lose(format!("{path}.time_intervals[{i}].{name}"), key, NO_FIELD);
                }
            }
        }
    }

    /// A mapping whose fields must all be carried, but those `skip` names.
    fn map(
        &mut self,
        path: &str,
        node: &'n Node,
        out: Option<&'n Node>,
        skip: &dyn Fn(&str) -> bool,
    ) {
        for (key, value) in entries(node) {
            let name = key.as_str().unwrap_or("");
            if !skip(name) {
                self.field(path, key, value, out);
            }
        }
    }

    /// One field: carried when the emitted mapping has it with the same value, or its `_file`
    /// form (a secret moved to a file), or when it is Go's zero value.
    fn field(&mut self, path: &str, key: &'n Node, value: &'n Node, out: Option<&'n Node>) {
        let name = key.as_str().unwrap_or("");
        if is_null(value) {
            return;
        }
        let found = out.and_then(|o| get(o, name));
        let carried = match found {
            Some(found) => self.same(value, found),
            None => is_zero(value) || out.and_then(|o| get(o, &format!("{name}_file"))).is_some(),
        };
        if !carried {
            self.lose(format!("{path}.{name}"), key, NO_FIELD);
        }
    }

    fn same(&self, a: &Node, b: &Node) -> bool {
        match (a, b) {
            (Node::Scalar { value: a, .. }, Node::Scalar { value: b, .. }) => same_scalar(a, b),
            (Node::Seq { items: a, .. }, Node::Seq { items: b, .. }) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| self.same(a, b))
            }
            (Node::Map { entries: a, .. }, Node::Map { .. }) => a.iter().all(|(k, v)| {
                is_null(v) || get(b, k.as_str().unwrap_or("")).is_some_and(|w| self.same(v, w))
            }),
            _ => false,
        }
    }
}

// ---- Rust -----------------------------------------------------------------------------------

/// Writes the DSL value as Rust.
struct Printer {
    source_path: String,
    /// Helper functions after `alertmanager()`: routes, then receivers.
    functions: Vec<String>,
    taken: BTreeSet<String>,
}

/// A builder chain: `head` then `.call(...)`s, on one line when short.
fn chain(head: String, calls: Vec<String>) -> String {
    let one_line = format!("{head}{}", calls.concat());
    if one_line.len() <= 80 && !one_line.contains('\n') {
        return one_line;
    }
    let mut out = head;
    for call in calls {
        out.push_str("\n    ");
        out.push_str(&indent(&call));
    }
    out
}

/// Indents every line but the first by four spaces.
fn indent(text: &str) -> String {
    text.replace('\n', "\n    ")
}

/// `.name(args)`; an argument of several lines stands on lines of its own.
fn call(name: &str, args: &str) -> String {
    if args.contains('\n') && !args.starts_with('[') {
        format!(".{name}(\n    {}\n)", indent(args))
    } else {
        format!(".{name}({args})")
    }
}

fn strings(values: &[String]) -> String {
    if values.is_empty() {
        return "Vec::<&str>::new()".into();
    }
    let items: Vec<String> = values.iter().map(|v| string(v)).collect();
    format!("[{}]", items.join(", "))
}

fn duration(d: Duration) -> String {
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
        return "secs(0)".into();
    }
    format!("Duration::millis({ms})")
}

fn matcher(m: &Matcher) -> String {
    let (name, value) = (string(&m.name), string(&m.value));
    match m.op {
        MatchOp::Re if m.value == ".+" => format!("Matcher::present({name})"),
        MatchOp::Eq => format!("Matcher::eq({name}, {value})"),
        MatchOp::Ne => format!("Matcher::ne({name}, {value})"),
        MatchOp::Re => format!("Matcher::re({name}, {value})"),
        MatchOp::NotRe => format!("Matcher::not_re({name}, {value})"),
    }
}

fn secret(file: &SecretFile) -> String {
    format!("SecretFile::at({})", string(&file.path))
}

fn descendants(route: &Route) -> usize {
    route.routes.iter().map(|r| 1 + descendants(r)).sum()
}

impl Printer {
    fn new(source_path: &str) -> Printer {
        let mut taken = BTreeSet::new();
        for reserved in ["alertmanager", "route"] {
            taken.insert(reserved.to_string());
        }
        Printer {
            source_path: source_path.to_string(),
            functions: Vec::new(),
            taken,
        }
    }

    fn module(mut self, am: &AlertManager) -> String {
        let mut calls = Vec::new();
        let global = &am.global;
        if global.resolve_timeout.is_some() || global.smtp.is_some() {
            let mut g = Vec::new();
            if let Some(d) = global.resolve_timeout {
                g.push(call("resolve_timeout", &duration(d)));
            }
            if let Some(smtp) = &global.smtp {
                let mut s = Vec::new();
                if let Some((user, password)) = &smtp.auth {
                    s.push(call(
                        "auth",
                        &format!("{}, {}", string(user), secret(password)),
                    ));
                }
                if let Some(tls) = smtp.require_tls {
                    s.push(call("require_tls", &tls.to_string()));
                }
                texts(&mut s, &[("hello", &smtp.hello)]);
                let head = format!(
                    "Smtp::new({}, {})",
                    string(&smtp.smarthost),
                    string(&smtp.from)
                );
                g.push(call("smtp", &chain(head, s)));
            }
            calls.push(call("global", &chain("Global::new()".into(), g)));
        }
        let route = self.route_function(&am.route);
        let mut receivers = Vec::new();
        for receiver in &am.receivers {
            let name = unique(ident(&receiver.name), &mut self.taken);
            receivers.push(format!("{name}()"));
            let body = receiver_chain(receiver);
            self.functions.push(format!(
                "fn {name}() -> Receiver {{\n    {}\n}}\n",
                indent(&body)
            ));
        }
        if !receivers.is_empty() {
            let list = if receivers.len() <= 3 {
                format!("[{}]", receivers.join(", "))
            } else {
                format!("[\n    {},\n]", receivers.join(",\n    "))
            };
            calls.push(call("receivers", &list));
        }
        for rule in &am.inhibit_rules {
            let mut r = Vec::new();
            for m in &rule.source {
                r.push(call("source", &matcher(m)));
            }
            for m in &rule.target {
                r.push(call("target", &matcher(m)));
            }
            if !rule.equal.is_empty() {
                r.push(call("equal", &strings(&rule.equal)));
            }
            calls.push(call("inhibit", &chain("InhibitRule::new()".into(), r)));
        }
        for interval in &am.time_intervals {
            calls.push(call("time_interval", &time_interval(interval)));
        }
        for template in &am.templates {
            calls.push(call(
                "template",
                &format!(
                    "Template::define({}, {})",
                    string(&template.name),
                    string(&template.body)
                ),
            ));
        }
        let body = chain(format!("AlertManager::new({route})"), calls);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "//! Imported from {} by `sextant import`.\n",
            self.source_path
        );
        out.push_str("use sextant::prelude::alerting::*;\n");
        out.push_str("#[allow(unused_imports)]\nuse sextant::prelude::{days, hours, mins, secs, Duration};\n\n");
        let _ = writeln!(
            out,
            "pub fn alertmanager() -> AlertManager {{\n    {}\n}}",
            indent(&body)
        );
        for function in self.functions {
            out.push('\n');
            out.push_str(&function);
        }
        out
    }

    /// `fn route()` for the root: its call.
    fn route_function(&mut self, root: &Route) -> String {
        let body = self.route_chain(root, true);
        // The root's function comes first among the helpers.
        self.functions.insert(
            0,
            format!(
                "/// The route tree.\nfn route() -> Route {{\n    {}\n}}\n",
                indent(&body)
            ),
        );
        "route()".into()
    }

    fn route_chain(&mut self, route: &Route, top: bool) -> String {
        let head = match &route.receiver {
            Some(receiver) => format!("Route::to({})", string(receiver)),
            None => "Route::inheriting()".into(),
        };
        let mut calls = Vec::new();
        for m in &route.matchers {
            calls.push(call("matcher", &matcher(m)));
        }
        if let Some(group_by) = &route.group_by {
            calls.push(call("group_by", &strings(group_by)));
        }
        for (name, value) in [
            ("group_wait", route.group_wait),
            ("group_interval", route.group_interval),
            ("repeat_interval", route.repeat_interval),
        ] {
            if let Some(d) = value {
                calls.push(call(name, &duration(d)));
            }
        }
        if route.continue_ {
            calls.push(".continue_matching()".into());
        }
        for name in &route.mute_time_intervals {
            calls.push(call("mute_during", &string(name)));
        }
        for name in &route.active_time_intervals {
            calls.push(call("active_during", &string(name)));
        }
        for child in &route.routes {
            let text = if top && descendants(child) >= ROUTE_FUNCTION_SIZE {
                self.child_function(child)
            } else {
                self.route_chain(child, false)
            };
            calls.push(call("route", &text));
        }
        chain(head, calls)
    }

    /// A top-level route with children of its own, in a function named after its receiver.
    fn child_function(&mut self, route: &Route) -> String {
        let base = route
            .receiver
            .as_deref()
            .map(|r| format!("routes_to_{}", ident(r).trim_start_matches("r#")))
            .or_else(|| {
                route
                    .matchers
                    .first()
                    .map(|m| format!("routes_for_{}", ident(&m.value)))
            })
            .unwrap_or_else(|| "routes".into());
        let name = unique(base, &mut self.taken);
        let body = self.route_chain(route, false);
        self.functions.push(format!(
            "fn {name}() -> Route {{\n    {}\n}}\n",
            indent(&body)
        ));
        format!("{name}()")
    }
}

fn receiver_chain(receiver: &Receiver) -> String {
    let mut calls = Vec::new();
    for integration in &receiver.integrations {
        match integration {
            Integration::Email(email) => {
                let mut c = Vec::new();
                send_resolved(&mut c, email.send_resolved);
                texts(
                    &mut c,
                    &[
                        ("html", &email.html),
                        ("text", &email.text),
                        ("subject", &email.subject),
                    ],
                );
                pairs(&mut c, "header", &email.headers);
                calls.push(call(
                    "email",
                    &chain(format!("Email::to({})", string(&email.to)), c),
                ));
            }
            Integration::Slack(slack) => {
                let mut c = Vec::new();
                send_resolved(&mut c, slack.send_resolved);
                texts(
                    &mut c,
                    &[
                        ("title", &slack.title),
                        ("text", &slack.text),
                        ("username", &slack.username),
                        ("color", &slack.color),
                        ("icon_emoji", &slack.icon_emoji),
                        ("icon_url", &slack.icon_url),
                        ("title_link", &slack.title_link),
                        ("pretext", &slack.pretext),
                        ("footer", &slack.footer),
                        ("fallback", &slack.fallback),
                        ("callback_id", &slack.callback_id),
                        ("image_url", &slack.image_url),
                        ("thumb_url", &slack.thumb_url),
                    ],
                );
                for (name, flag) in [
                    ("link_names", slack.link_names),
                    ("short_fields", slack.short_fields),
                ] {
                    if let Some(flag) = flag {
                        c.push(call(name, &flag.to_string()));
                    }
                }
                let head = format!(
                    "Slack::new({}, {})",
                    secret(&slack.api_url),
                    string(&slack.channel)
                );
                calls.push(call("slack", &chain(head, c)));
            }
            Integration::PagerDuty(pd) => {
                let head = match &pd.key {
                    PagerDutyKey::RoutingKey(key) => {
                        format!("PagerDuty::routing_key({})", secret(key))
                    }
                    PagerDutyKey::ServiceKey(key) => {
                        format!("PagerDuty::service_key({})", secret(key))
                    }
                };
                let mut c = Vec::new();
                send_resolved(&mut c, pd.send_resolved);
                texts(
                    &mut c,
                    &[
                        ("description", &pd.description),
                        ("url", &pd.url),
                        ("client", &pd.client),
                        ("client_url", &pd.client_url),
                        ("source", &pd.source),
                        ("severity", &pd.severity),
                        ("class", &pd.class),
                        ("component", &pd.component),
                        ("group", &pd.group),
                    ],
                );
                pairs(&mut c, "detail", &pd.details);
                calls.push(call("pagerduty", &chain(head, c)));
            }
            Integration::Webhook(hook) => {
                let mut c = Vec::new();
                if let Some(token) = &hook.bearer_token {
                    c.push(call("bearer_token", &secret(token)));
                }
                if let Some(send) = hook.send_resolved {
                    c.push(call("send_resolved", &send.to_string()));
                }
                if let Some(max) = hook.max_alerts {
                    c.push(call("max_alerts", &max.to_string()));
                }
                calls.push(call(
                    "webhook",
                    &chain(format!("Webhook::new({})", string(&hook.url)), c),
                ));
            }
            Integration::OpsGenie(o) => calls.push(call("opsgenie", &opsgenie(o))),
            Integration::VictorOps(v) => {
                let mut c = Vec::new();
                texts(&mut c, &[("api_url", &v.api_url)]);
                send_resolved(&mut c, v.send_resolved);
                texts(
                    &mut c,
                    &[
                        ("message_type", &v.message_type),
                        ("state_message", &v.state_message),
                        ("entity_display_name", &v.entity_display_name),
                        ("monitoring_tool", &v.monitoring_tool),
                    ],
                );
                pairs(&mut c, "custom_field", &v.custom_fields);
                let head = format!(
                    "VictorOps::new({}, {})",
                    secret(&v.api_key),
                    string(&v.routing_key)
                );
                calls.push(call("victorops", &chain(head, c)));
            }
            Integration::Sns(sns) => {
                let head = match (&sns.topic_arn, &sns.target_arn, &sns.phone_number) {
                    (Some(arn), _, _) => format!("Sns::topic_arn({})", string(arn)),
                    (None, Some(arn), _) => format!("Sns::target_arn({})", string(arn)),
                    (None, None, number) => format!(
                        "Sns::phone_number({})",
                        string(number.as_deref().unwrap_or(""))
                    ),
                };
                let mut c = Vec::new();
                texts(
                    &mut c,
                    &[
                        ("api_url", &sns.api_url),
                        ("region", &sns.region),
                        ("profile", &sns.profile),
                        ("role_arn", &sns.role_arn),
                    ],
                );
                send_resolved(&mut c, sns.send_resolved);
                texts(
                    &mut c,
                    &[("subject", &sns.subject), ("message", &sns.message)],
                );
                pairs(&mut c, "attribute", &sns.attributes);
                calls.push(call("sns", &chain(head, c)));
            }
            Integration::Webex(w) => {
                let mut c = Vec::new();
                texts(&mut c, &[("api_url", &w.api_url)]);
                send_resolved(&mut c, w.send_resolved);
                texts(&mut c, &[("message", &w.message)]);
                let head = format!("Webex::new({}, {})", string(&w.room_id), secret(&w.token));
                calls.push(call("webex", &chain(head, c)));
            }
        }
    }
    chain(format!("Receiver::new({})", string(&receiver.name)), calls)
}

fn opsgenie(o: &alertmanager::OpsGenie) -> String {
    let mut c = Vec::new();
    texts(&mut c, &[("api_url", &o.api_url)]);
    send_resolved(&mut c, o.send_resolved);
    texts(
        &mut c,
        &[
            ("message", &o.message),
            ("description", &o.description),
            ("source", &o.source),
            ("entity", &o.entity),
            ("actions", &o.actions),
            ("tags", &o.tags),
            ("note", &o.note),
            ("priority", &o.priority),
        ],
    );
    pairs(&mut c, "detail", &o.details);
    for r in &o.responders {
        let responder = match (r.kind.as_str(), &r.id, &r.name, &r.username) {
            ("team", None, Some(name), None) => {
                format!("OpsGenieResponder::team({})", string(name))
            }
            ("user", None, None, Some(username)) => {
                format!("OpsGenieResponder::user({})", string(username))
            }
            _ => {
                let mut rest = Vec::new();
                texts(
                    &mut rest,
                    &[("id", &r.id), ("name", &r.name), ("username", &r.username)],
                );
                chain(format!("OpsGenieResponder::new({})", string(&r.kind)), rest)
            }
        };
        c.push(call("responder", &responder));
    }
    if let Some(update) = o.update_alerts {
        c.push(call("update_alerts", &update.to_string()));
    }
    chain(format!("OpsGenie::new({})", secret(&o.api_key)), c)
}

fn texts(calls: &mut Vec<String>, fields: &[(&str, &Option<String>)]) {
    for (name, value) in fields {
        if let Some(value) = value {
            calls.push(call(name, &string(value)));
        }
    }
}

fn send_resolved(calls: &mut Vec<String>, send: Option<bool>) {
    if let Some(send) = send {
        calls.push(call("send_resolved", &send.to_string()));
    }
}

fn pairs(calls: &mut Vec<String>, method: &str, pairs: &[(String, String)]) {
    for (key, value) in pairs {
        calls.push(call(method, &format!("{}, {}", string(key), string(value))));
    }
}

fn time_interval(interval: &TimeInterval) -> String {
    let periods = interval
        .periods
        .iter()
        .map(|p| call("period", &period(p)))
        .collect();
    chain(
        format!("TimeInterval::new({})", string(&interval.name)),
        periods,
    )
}

fn period(period: &Period) -> String {
    let mut calls = Vec::new();
    for (start, end) in &period.times {
        calls.push(call(
            "times",
            &format!(
                "at({}, {}), at({}, {})",
                start.hour, start.minute, end.hour, end.minute
            ),
        ));
    }
    for (first, last) in &period.weekdays {
        calls.push(call(
            "weekdays",
            &format!("Weekday::{first:?}, Weekday::{last:?}"),
        ));
    }
    for (first, last) in &period.days_of_month {
        calls.push(call("days_of_month", &format!("{first}, {last}")));
    }
    for (first, last) in &period.months {
        calls.push(call(
            "months",
            &format!("Month::{first:?}, Month::{last:?}"),
        ));
    }
    for (first, last) in &period.years {
        calls.push(call("years", &format!("{first}, {last}")));
    }
    if let Some(location) = &period.location {
        calls.push(call("location", &string(location)));
    }
    chain("Period::new()".into(), calls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_bodies_as_go_reads_them() {
        let text = r#"{{/* a comment */}}
{{ define "a" }}x{{ if .Y }}y{{ else }}z{{ end }}{{ range .Alerts }}.{{ end }}{{ end }}
{{- define "b" -}}
  trimmed
{{- end }}
{{ define "c" }}{{ template "a" . }}{{ end }}"#;
        assert_eq!(
            template_bodies(text),
            [
                (
                    "a".to_string(),
                    "x{{ if .Y }}y{{ else }}z{{ end }}{{ range .Alerts }}.{{ end }}".to_string()
                ),
                ("b".to_string(), "trimmed".to_string()),
                ("c".to_string(), r#"{{ template "a" . }}"#.to_string()),
            ]
        );
    }

    #[test]
    fn durations_in_the_largest_whole_unit() {
        assert_eq!(duration(Duration::millis(90_000)), "secs(90)");
        assert_eq!(duration(Duration::millis(3_600_000)), "hours(1)");
        assert_eq!(duration(Duration::millis(86_400_000 * 7)), "days(7)");
        assert_eq!(duration(Duration::millis(1500)), "Duration::millis(1500)");
        assert_eq!(duration(Duration::ZERO), "secs(0)");
    }

    #[test]
    fn chains_break_when_long() {
        assert_eq!(
            chain("A::new()".into(), vec![".b(1)".into()]),
            "A::new().b(1)"
        );
        let long = chain(
            "Route::to(\"team\")".into(),
            vec![
                call("matcher", "Matcher::eq(\"severity\", \"critical\")"),
                call("group_by", "[\"alertname\", \"cluster\"]"),
            ],
        );
        assert_eq!(
            long,
            "Route::to(\"team\")\n    .matcher(Matcher::eq(\"severity\", \"critical\"))\n    .group_by([\"alertname\", \"cluster\"])"
        );
    }
}
