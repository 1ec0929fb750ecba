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
use super::layout::Expr;
use super::rust::{ident, string, unique};
use super::{Entry, Module};

/// Where an inline secret's file is expected: the folder EJE's and most deployments mount
/// AlertManager's secrets in.
pub const SECRETS_DIR: &str = "/etc/alertmanager/secrets";

/// A top-level route with more descendants than this gets a function of its own.
const ROUTE_FUNCTION_SIZE: usize = 1;

/// Imports one alertmanager.yml as the module `name`, without its template files: a
/// `templates:` glob is reported as matching nothing (see [`module_with_templates`]).
pub fn module(file: &SourceFile, name: String) -> (Option<Module>, Vec<Diagnostic>) {
    module_with_templates(file, name, &|_| Vec::new())
}

/// Imports one alertmanager.yml; `templates` returns the template files a glob of its
/// `templates:` matches (the CLI reads them), whose definitions become [`Template::define`]s.
///
/// [`Template::define`]: crate::alertmanager::Template::define
pub fn module_with_templates(
    file: &SourceFile,
    name: String,
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
    let withheld = withhold_secret_urls(&mut am);
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
    diagnostics.extend(unexpressed(file, &emitted, &withheld));
    let source = Printer::new(&file.path).module(&am);
    let module = Module {
        name,
        source_path: file.path.clone(),
        source,
        entry: Entry::AlertManager,
        series: BTreeMap::new(),
        render: None,
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
    if let Some((_, password)) = am
        .global
        .http_config
        .as_mut()
        .and_then(|h| h.basic_auth.as_mut())
    {
        assign(
            password,
            "http-basic-auth-password".into(),
            "the global HTTP basic-auth password (`http_config.basic_auth.password`)".into(),
        );
    }
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
            if let Some((_, password)) = integration.http_mut().and_then(|h| h.basic_auth.as_mut())
            {
                assign(
                    password,
                    format!("{slug}-basic-auth-password"),
                    format!("a basic-auth password of receiver {name:?}"),
                );
            }
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
                Integration::Webhook(hook) => {
                    if let Some(token) = &mut hook.bearer_token {
                        assign(
                            token,
                            format!("{slug}-webhook-token"),
                            format!("the webhook bearer token of receiver {name:?}"),
                        );
                    }
                    continue;
                }
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

/// Removes the webhooks whose URL holds a credential (a password in the URL, a query parameter
/// named like a token or key): the module would hold the secret. Returns each by receiver and
/// index among the receiver's webhooks.
fn withhold_secret_urls(am: &mut AlertManager) -> BTreeSet<(String, usize)> {
    let mut out = BTreeSet::new();
    for receiver in &mut am.receivers {
        let mut index = 0;
        let name = receiver.name.clone();
        receiver.integrations.retain(|integration| {
            let Integration::Webhook(hook) = integration else {
                return true;
            };
            let keep = !url_holds_secret(&hook.url);
            if !keep {
                out.insert((name.clone(), index));
            }
            index += 1;
            keep
        });
    }
    out
}

/// Whether a URL carries a credential: user information (`user:password@`) or a query
/// parameter whose name says token, key, secret, password or signature.
pub fn url_holds_secret(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return true;
    }
    let query = rest
        .split_once('?')
        .map_or("", |(_, q)| q.split('#').next().unwrap_or(""));
    query.split('&').any(|pair| {
        let name = pair.split('=').next().unwrap_or("").to_lowercase();
        [
            "token",
            "key",
            "secret",
            "password",
            "passwd",
            "sig",
            "auth",
            "credential",
        ]
        .iter()
        .any(|word| name.contains(word))
    })
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
fn unexpressed(
    file: &SourceFile,
    emitted: &str,
    withheld: &BTreeSet<(String, usize)>,
) -> Vec<Diagnostic> {
    let (text, map) = alertmanager::file::configuration_text(file);
    let (Ok(Some(original)), Ok(Some(emitted))) = (yaml::parse(&text), yaml::parse(emitted)) else {
        return Vec::new();
    };
    let mut lost = Vec::new();
    Compare {
        withheld,
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
                codes::UNSUPPORTED,
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
    /// The webhooks left out for the credential in their URL: receiver, index.
    withheld: &'a BTreeSet<(String, usize)>,
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
            if name == "http_config" {
                self.http_config("global", value, out.and_then(|o| get(o, "http_config")));
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
            let mut next = 0;
            for (i, config) in items(Some(value)).iter().enumerate() {
                let config_path = format!("{path}.{kind}[{i}]");
                if kind == "webhook_configs" && self.withheld.contains(&(name.to_string(), i)) {
                    self.lose(
                        config_path,
                        config,
                        "its URL holds a credential, AlertManager 0.25 has no `url_file`, and the import never writes a secret into a module: send it through a proxy that adds the credential, or authenticate with a bearer token file",
                    );
                    continue;
                }
                let found = emitted.get(next);
                next += 1;
                match found {
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
            let found = out.and_then(|o| get(o, name));
            let carried = match name {
                "bearer_token" | "bearer_token_file" | "authorization" => authorized,
                // prometheus/common's defaults, or as set.
                "follow_redirects" | "enable_http2" => {
                    as_bool(value.as_str().unwrap_or("")) == Some(true)
                        || found.is_some_and(|f| self.same(value, f))
                }
                "proxy_url" | "tls_config" => found.is_some_and(|f| self.same(value, f)),
                // The password moves to a file.
                "basic_auth" => found.is_some_and(|f| {
                    get(f, "password_file").is_some()
                        && entries(value).iter().all(|(k, v)| {
                            matches!(k.as_str(), Some("password" | "password_file"))
                                || is_null(v)
                                || get(f, k.as_str().unwrap_or("")).is_some_and(|w| self.same(v, w))
                        })
                }),
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

fn text(value: &str) -> Expr {
    Expr::atom(string(value))
}

fn texts(values: &[String]) -> Expr {
    let items: Vec<String> = values.iter().map(|v| string(v)).collect();
    if items.is_empty() {
        return Expr::atom("Vec::<&str>::new()");
    }
    Expr::atom(format!("[{}]", items.join(", ")))
}

fn duration(d: Duration) -> Expr {
    Expr::atom(super::rust::duration(d))
}

fn matcher(m: &Matcher) -> Expr {
    let (name, value) = (text(&m.name), text(&m.value));
    match m.op {
        MatchOp::Re if m.value == ".+" => Expr::call("Matcher::present", vec![name]),
        MatchOp::Eq => Expr::call("Matcher::eq", vec![name, value]),
        MatchOp::Ne => Expr::call("Matcher::ne", vec![name, value]),
        MatchOp::Re => Expr::call("Matcher::re", vec![name, value]),
        MatchOp::NotRe => Expr::call("Matcher::not_re", vec![name, value]),
    }
}

fn secret(file: &SecretFile) -> Expr {
    Expr::call("SecretFile::at", vec![text(&file.path)])
}

/// Adds `.name("text")` for each field set.
fn optional(mut chain: Expr, fields: &[(&str, &Option<String>)]) -> Expr {
    for (name, value) in fields {
        if let Some(value) = value {
            chain = chain.method(name, vec![text(value)]);
        }
    }
    chain
}

fn flag(chain: Expr, name: &str, value: Option<bool>) -> Expr {
    match value {
        Some(value) => chain.method(name, vec![Expr::atom(value.to_string())]),
        None => chain,
    }
}

fn pairs(mut chain: Expr, method: &str, pairs: &[(String, String)]) -> Expr {
    for (key, value) in pairs {
        chain = chain.method(method, vec![text(key), text(value)]);
    }
    chain
}

fn descendants(route: &Route) -> usize {
    route.routes.iter().map(|r| 1 + descendants(r)).sum()
}

/// Writes the DSL value as Rust.
struct Printer {
    source_path: String,
    /// Helper functions after `alertmanager()`: routes, then receivers.
    functions: Vec<String>,
    taken: BTreeSet<String>,
}

/// `fn name() -> Type { body }`, laid out as rustfmt does.
fn function(doc: Option<&str>, name: &str, ty: &str, body: &Expr) -> String {
    let doc = doc.map(|d| format!("/// {d}\n")).unwrap_or_default();
    format!(
        "{doc}fn {name}() -> {ty} {{\n    {}\n}}\n",
        body.render(4, 4, 0)
    )
}

impl Printer {
    fn new(source_path: &str) -> Printer {
        let taken = ["alertmanager", "route"].map(String::from).into();
        Printer {
            source_path: source_path.to_string(),
            functions: Vec::new(),
            taken,
        }
    }

    fn module(mut self, am: &AlertManager) -> String {
        let route = self.route_function(&am.route);
        let mut chain = Expr::call("AlertManager::new", vec![route]);
        let global = &am.global;
        if global.resolve_timeout.is_some() || global.smtp.is_some() || global.http_config.is_some()
        {
            let mut g = Expr::call("Global::new", Vec::new());
            if let Some(d) = global.resolve_timeout {
                g = g.method("resolve_timeout", vec![duration(d)]);
            }
            if let Some(smtp) = &global.smtp {
                let mut s = Expr::call("Smtp::new", vec![text(&smtp.smarthost), text(&smtp.from)]);
                if let Some((user, password)) = &smtp.auth {
                    s = s.method("auth", vec![text(user), secret(password)]);
                }
                s = flag(s, "require_tls", smtp.require_tls);
                s = optional(s, &[("hello", &smtp.hello)]);
                g = g.method("smtp", vec![s]);
            }
            if let Some(http) = &global.http_config {
                g = g.method("http_config", vec![http_config(http)]);
            }
            chain = chain.method("global", vec![g]);
        }
        for receiver in &am.receivers {
            let name = unique(ident(&receiver.name), &mut self.taken);
            self.functions
                .push(function(None, &name, "Receiver", &receiver_expr(receiver)));
            chain = chain.method("receiver", vec![Expr::call(name, Vec::new())]);
        }
        for rule in &am.inhibit_rules {
            let mut r = Expr::call("InhibitRule::new", Vec::new());
            for m in &rule.source {
                r = r.method("source", vec![matcher(m)]);
            }
            for m in &rule.target {
                r = r.method("target", vec![matcher(m)]);
            }
            if !rule.equal.is_empty() {
                r = r.method("equal", vec![texts(&rule.equal)]);
            }
            chain = chain.method("inhibit", vec![r]);
        }
        for interval in &am.time_intervals {
            chain = chain.method("time_interval", vec![time_interval(interval)]);
        }
        for template in &am.templates {
            chain = chain.method(
                "template",
                vec![Expr::call(
                    "Template::define",
                    vec![text(&template.name), text(&template.body)],
                )],
            );
        }
        let main = chain.render(4, 4, 0);
        let mut out = super::header(&self.source_path, Entry::AlertManager);
        out.push_str("use sextant::prelude::alerting::*;\n");
        // The prelude's duration constructors the module calls.
        let all = format!("{main}\n{}", self.functions.concat());
        let mut prelude: Vec<&str> = Vec::new();
        if all.contains("Duration::") {
            prelude.push("Duration");
        }
        for unit in ["days", "hours", "mins", "secs"] {
            let call = format!("{unit}(");
            let called = all.match_indices(&call).any(|(at, _)| {
                !all[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
            });
            if called {
                prelude.push(unit);
            }
        }
        match prelude.as_slice() {
            [] => {}
            [one] => out.push_str(&format!("use sextant::prelude::{one};\n")),
            _ => out.push_str(&format!(
                "use sextant::prelude::{{{}}};\n",
                prelude.join(", ")
            )),
        }
        out.push('\n');
        out.push_str(&format!(
            "pub fn alertmanager() -> AlertManager {{\n    {main}\n}}\n"
        ));
        for function in self.functions {
            out.push('\n');
            out.push_str(&function);
        }
        out
    }

    /// `fn route()` for the root: its call.
    fn route_function(&mut self, root: &Route) -> Expr {
        let body = self.route_expr(root, true);
        // The root's function comes first among the helpers.
        self.functions.insert(
            0,
            function(Some("The route tree."), "route", "Route", &body),
        );
        Expr::call("route", Vec::new())
    }

    fn route_expr(&mut self, route: &Route, top: bool) -> Expr {
        let mut chain = match &route.receiver {
            Some(receiver) => Expr::call("Route::to", vec![text(receiver)]),
            None => Expr::call("Route::inheriting", Vec::new()),
        };
        for m in &route.matchers {
            chain = chain.method("matcher", vec![matcher(m)]);
        }
        if let Some(group_by) = &route.group_by {
            chain = chain.method("group_by", vec![texts(group_by)]);
        }
        for (name, value) in [
            ("group_wait", route.group_wait),
            ("group_interval", route.group_interval),
            ("repeat_interval", route.repeat_interval),
        ] {
            if let Some(d) = value {
                chain = chain.method(name, vec![duration(d)]);
            }
        }
        if route.continue_ {
            chain = chain.method("continue_matching", Vec::new());
        }
        for name in &route.mute_time_intervals {
            chain = chain.method("mute_during", vec![text(name)]);
        }
        for name in &route.active_time_intervals {
            chain = chain.method("active_during", vec![text(name)]);
        }
        for child in &route.routes {
            let expr = if top && descendants(child) >= ROUTE_FUNCTION_SIZE {
                self.child_function(child)
            } else {
                self.route_expr(child, false)
            };
            chain = chain.method("route", vec![expr]);
        }
        chain
    }

    /// A top-level route with children of its own, in a function named after its receiver.
    fn child_function(&mut self, route: &Route) -> Expr {
        let base = route
            .receiver
            .as_deref()
            .map(|r| format!("routes_to_{}", ident(r).trim_start_matches("r#")))
            .or_else(|| {
                route
                    .matchers
                    .first()
                    .map(|m| format!("routes_for_{}", ident(&m.value).trim_start_matches("r#")))
            })
            .unwrap_or_else(|| "routes".into());
        let name = unique(base, &mut self.taken);
        let body = self.route_expr(route, false);
        self.functions.push(function(None, &name, "Route", &body));
        Expr::call(name, Vec::new())
    }
}

fn receiver_expr(receiver: &Receiver) -> Expr {
    let mut chain = Expr::call("Receiver::new", vec![text(&receiver.name)]);
    for integration in &receiver.integrations {
        let (method, value) = match integration {
            Integration::Email(email) => {
                let mut c = Expr::call("Email::to", vec![text(&email.to)]);
                c = flag(c, "send_resolved", email.send_resolved);
                c = optional(
                    c,
                    &[
                        ("html", &email.html),
                        ("text", &email.text),
                        ("subject", &email.subject),
                    ],
                );
                ("email", pairs(c, "header", &email.headers))
            }
            Integration::Slack(slack) => {
                let mut c = Expr::call(
                    "Slack::new",
                    vec![secret(&slack.api_url), text(&slack.channel)],
                );
                c = flag(c, "send_resolved", slack.send_resolved);
                c = optional(c, &slack.texts());
                c = flag(c, "link_names", slack.link_names);
                ("slack", flag(c, "short_fields", slack.short_fields))
            }
            Integration::PagerDuty(pd) => {
                let mut c = match &pd.key {
                    PagerDutyKey::RoutingKey(key) => {
                        Expr::call("PagerDuty::routing_key", vec![secret(key)])
                    }
                    PagerDutyKey::ServiceKey(key) => {
                        Expr::call("PagerDuty::service_key", vec![secret(key)])
                    }
                };
                c = flag(c, "send_resolved", pd.send_resolved);
                c = optional(
                    c,
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
                ("pagerduty", pairs(c, "detail", &pd.details))
            }
            Integration::Webhook(hook) => {
                let mut c = Expr::call("Webhook::new", vec![text(&hook.url)]);
                if let Some(token) = &hook.bearer_token {
                    c = c.method("bearer_token", vec![secret(token)]);
                }
                c = flag(c, "send_resolved", hook.send_resolved);
                if let Some(max) = hook.max_alerts {
                    c = c.method("max_alerts", vec![Expr::atom(max.to_string())]);
                }
                ("webhook", c)
            }
            Integration::OpsGenie(o) => ("opsgenie", opsgenie(o)),
            Integration::VictorOps(v) => {
                let mut c = Expr::call(
                    "VictorOps::new",
                    vec![secret(&v.api_key), text(&v.routing_key)],
                );
                c = optional(c, &[("api_url", &v.api_url)]);
                c = flag(c, "send_resolved", v.send_resolved);
                c = optional(
                    c,
                    &[
                        ("message_type", &v.message_type),
                        ("state_message", &v.state_message),
                        ("entity_display_name", &v.entity_display_name),
                        ("monitoring_tool", &v.monitoring_tool),
                    ],
                );
                ("victorops", pairs(c, "custom_field", &v.custom_fields))
            }
            Integration::Sns(sns) => {
                let mut c = match (&sns.topic_arn, &sns.target_arn, &sns.phone_number) {
                    (Some(arn), _, _) => Expr::call("Sns::topic_arn", vec![text(arn)]),
                    (None, Some(arn), _) => Expr::call("Sns::target_arn", vec![text(arn)]),
                    (None, None, number) => Expr::call(
                        "Sns::phone_number",
                        vec![text(number.as_deref().unwrap_or(""))],
                    ),
                };
                c = optional(
                    c,
                    &[
                        ("api_url", &sns.api_url),
                        ("region", &sns.region),
                        ("profile", &sns.profile),
                        ("role_arn", &sns.role_arn),
                    ],
                );
                c = flag(c, "send_resolved", sns.send_resolved);
                c = optional(c, &[("subject", &sns.subject), ("message", &sns.message)]);
                ("sns", pairs(c, "attribute", &sns.attributes))
            }
            Integration::Webex(w) => {
                let mut c = Expr::call("Webex::new", vec![text(&w.room_id), secret(&w.token)]);
                c = optional(c, &[("api_url", &w.api_url)]);
                c = flag(c, "send_resolved", w.send_resolved);
                ("webex", optional(c, &[("message", &w.message)]))
            }
        };
        let value = match integration.http() {
            Some(http) => value.method("http_config", vec![http_config(http)]),
            None => value,
        };
        chain = chain.method(method, vec![value]);
    }
    chain
}

fn opsgenie(o: &alertmanager::OpsGenie) -> Expr {
    let mut c = Expr::call("OpsGenie::new", vec![secret(&o.api_key)]);
    c = optional(c, &[("api_url", &o.api_url)]);
    c = flag(c, "send_resolved", o.send_resolved);
    c = optional(c, &o.texts());
    c = pairs(c, "detail", &o.details);
    for r in &o.responders {
        let responder = match (r.kind.as_str(), &r.id, &r.name, &r.username) {
            ("team", None, Some(name), None) => {
                Expr::call("OpsGenieResponder::team", vec![text(name)])
            }
            ("user", None, None, Some(username)) => {
                Expr::call("OpsGenieResponder::user", vec![text(username)])
            }
            _ => optional(
                Expr::call("OpsGenieResponder::new", vec![text(&r.kind)]),
                &[("id", &r.id), ("name", &r.name), ("username", &r.username)],
            ),
        };
        c = c.method("responder", vec![responder]);
    }
    flag(c, "update_alerts", o.update_alerts)
}

fn http_config(http: &alertmanager::HttpConfig) -> Expr {
    let mut c = Expr::call("HttpConfig::new", Vec::new());
    c = optional(c, &[("proxy_url", &http.proxy_url)]);
    if let Some((username, password)) = &http.basic_auth {
        c = c.method("basic_auth", vec![text(username), secret(password)]);
    }
    c = optional(
        c,
        &[
            ("ca_file", &http.ca_file),
            ("cert_file", &http.cert_file),
            ("key_file", &http.key_file),
            ("server_name", &http.server_name),
        ],
    );
    c = flag(c, "insecure_skip_verify", http.insecure_skip_verify);
    c = flag(c, "follow_redirects", http.follow_redirects);
    flag(c, "enable_http2", http.enable_http2)
}

fn time_interval(interval: &TimeInterval) -> Expr {
    let mut chain = Expr::call("TimeInterval::new", vec![text(&interval.name)]);
    for p in &interval.periods {
        chain = chain.method("period", vec![period(p)]);
    }
    chain
}

fn period(period: &Period) -> Expr {
    let mut chain = Expr::call("Period::new", Vec::new());
    let at = |t: &crate::alertmanager::TimeOfDay| {
        Expr::call(
            "at",
            vec![
                Expr::atom(t.hour.to_string()),
                Expr::atom(t.minute.to_string()),
            ],
        )
    };
    for (start, end) in &period.times {
        chain = chain.method("times", vec![at(start), at(end)]);
    }
    for (first, last) in &period.weekdays {
        chain = chain.method(
            "weekdays",
            vec![
                Expr::atom(format!("Weekday::{first:?}")),
                Expr::atom(format!("Weekday::{last:?}")),
            ],
        );
    }
    for (first, last) in &period.days_of_month {
        chain = chain.method(
            "days_of_month",
            vec![Expr::atom(first.to_string()), Expr::atom(last.to_string())],
        );
    }
    for (first, last) in &period.months {
        chain = chain.method(
            "months",
            vec![
                Expr::atom(format!("Month::{first:?}")),
                Expr::atom(format!("Month::{last:?}")),
            ],
        );
    }
    for (first, last) in &period.years {
        chain = chain.method(
            "years",
            vec![Expr::atom(first.to_string()), Expr::atom(last.to_string())],
        );
    }
    optional(chain, &[("location", &period.location)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_holding_secrets() {
        assert!(url_holds_secret("https://user:pass@hooks.example.com/x"));
        assert!(url_holds_secret("https://hooks.example.com/x?token=abc"));
        assert!(url_holds_secret("http://h/x?a=1&API_KEY=abc#f"));
        assert!(!url_holds_secret("http://eje-alert-log:5001/alertmanager"));
        assert!(!url_holds_secret("http://h/x?team=web"));
    }

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
}
