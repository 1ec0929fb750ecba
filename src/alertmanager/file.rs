//! AlertManager configuration files as input: `lint PATH...` reads an existing alertmanager.yml
//! into the AlertManager DSL values a spec builds, so it gets exactly the checks a spec gets, with
//! each diagnostic at the file's line and column, and a team can lint before it migrates.
//!
//! The YAML is read with positions ([`crate::syntax::yaml`]) and checked the way AlertManager 0.25 loads
//! it (`amtool check-config`): unknown or repeated fields (its loader is strict), wrong types, bad
//! durations, URLs, matchers and time intervals, required fields, a secret given both inline and
//! as a file. The values are then lowered by [`crate::alertmanager::lower`] (undefined or
//! duplicate receivers, the root route, `group_by`, intervals, label names, regexes, unreachable
//! routes, unused receivers) and, when rule files are linted in the same call, checked against
//! their alerts ([`crate::alertmanager::checks`]).
//!
//! What AlertManager accepts but the spec DSL cannot express is warned about: a secret written
//! inline (the DSL only names secret files) and the deprecated `match`, `match_re`,
//! `source_match*`, `target_match*` and top-level `mute_time_intervals`. Integrations the DSL has
//! no type for (OpsGenie, VictorOps, Pushover, WeChat, SNS, Telegram, Webex, Discord) get their
//! fields and inline secrets checked, and are otherwise left out of lowering.
//!
//! As in [`crate::rules::file`], each value lowered carries its place in the file
//! ([`Place::File`], with the scalars written in it), so lowering reports at the file's line and
//! column directly, with advice in the words of AlertManager's YAML.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use sextant_catalog::Catalog;

use crate::alertmanager::codes;
use crate::alertmanager::{
    self, AlertManager, Email, Global, InhibitRule, MatchOp, Matcher, Month, PagerDuty,
    PagerDutyKey, Period, Receiver, Route, SecretFile, Slack, Smtp, Template, TimeInterval,
    TimeOfDay, Webhook, Weekday,
};
use std::sync::Arc;

use crate::diagnostics::{Diagnostic, FileItem, Place, TextMap};
use crate::ir::Ir;
use crate::rules::file::SourceFile;
use crate::syntax::duration::Duration;
use crate::syntax::gotmpl;
use crate::syntax::yaml::{self, Node, Style};

/// The fields AlertManager 0.25 knows, by section (read from `amtool check-config` itself: any
/// other is "field X not found").
const TOP_FIELDS: &[&str] = &[
    "global",
    "route",
    "inhibit_rules",
    "receivers",
    "templates",
    "mute_time_intervals",
    "time_intervals",
];
const GLOBAL_FIELDS: &[&str] = &[
    "resolve_timeout",
    "http_config",
    "smtp_from",
    "smtp_hello",
    "smtp_smarthost",
    "smtp_auth_username",
    "smtp_auth_password",
    "smtp_auth_password_file",
    "smtp_auth_secret",
    "smtp_auth_identity",
    "smtp_require_tls",
    "slack_api_url",
    "slack_api_url_file",
    "pagerduty_url",
    "opsgenie_api_url",
    "opsgenie_api_key",
    "opsgenie_api_key_file",
    "wechat_api_url",
    "wechat_api_secret",
    "wechat_api_corp_id",
    "victorops_api_url",
    "victorops_api_key",
    "victorops_api_key_file",
    "telegram_api_url",
    "webex_api_url",
];
const ROUTE_FIELDS: &[&str] = &[
    "receiver",
    "group_by",
    "match",
    "match_re",
    "matchers",
    "mute_time_intervals",
    "active_time_intervals",
    "continue",
    "routes",
    "group_wait",
    "group_interval",
    "repeat_interval",
];
const RECEIVER_FIELDS: &[&str] = &[
    "name",
    "email_configs",
    "slack_configs",
    "pagerduty_configs",
    "webhook_configs",
    "opsgenie_configs",
    "victorops_configs",
    "pushover_configs",
    "wechat_configs",
    "sns_configs",
    "telegram_configs",
    "webex_configs",
    "discord_configs",
];
const EMAIL_FIELDS: &[&str] = &[
    "send_resolved",
    "to",
    "from",
    "hello",
    "smarthost",
    "auth_username",
    "auth_password",
    "auth_password_file",
    "auth_secret",
    "auth_identity",
    "headers",
    "html",
    "text",
    "require_tls",
    "tls_config",
];
const SLACK_FIELDS: &[&str] = &[
    "send_resolved",
    "http_config",
    "api_url",
    "api_url_file",
    "channel",
    "username",
    "color",
    "title",
    "title_link",
    "pretext",
    "text",
    "fields",
    "short_fields",
    "footer",
    "fallback",
    "callback_id",
    "icon_emoji",
    "icon_url",
    "image_url",
    "thumb_url",
    "link_names",
    "mrkdwn_in",
    "actions",
];
const PAGERDUTY_FIELDS: &[&str] = &[
    "send_resolved",
    "http_config",
    "service_key",
    "service_key_file",
    "routing_key",
    "routing_key_file",
    "url",
    "client",
    "client_url",
    "description",
    "details",
    "images",
    "links",
    "source",
    "severity",
    "class",
    "component",
    "group",
];
const WEBHOOK_FIELDS: &[&str] = &["send_resolved", "http_config", "url", "max_alerts"];
const HTTP_FIELDS: &[&str] = &[
    "authorization",
    "basic_auth",
    "bearer_token",
    "bearer_token_file",
    "enable_http2",
    "follow_redirects",
    "oauth2",
    "proxy_connect_header",
    "proxy_url",
    "tls_config",
];
const AUTHORIZATION_FIELDS: &[&str] = &["type", "credentials", "credentials_file"];
const BASIC_AUTH_FIELDS: &[&str] = &["username", "password", "password_file"];
const TLS_FIELDS: &[&str] = &[
    "ca_file",
    "cert_file",
    "key_file",
    "server_name",
    "insecure_skip_verify",
    "min_version",
    "max_version",
];
const OAUTH2_FIELDS: &[&str] = &[
    "client_id",
    "client_secret",
    "client_secret_file",
    "scopes",
    "token_url",
    "endpoint_params",
    "tls_config",
    "proxy_url",
];
const INHIBIT_FIELDS: &[&str] = &[
    "source_match",
    "source_match_re",
    "source_matchers",
    "target_match",
    "target_match_re",
    "target_matchers",
    "equal",
];
const INTERVAL_FIELDS: &[&str] = &["name", "time_intervals"];
const PERIOD_FIELDS: &[&str] = &[
    "times",
    "weekdays",
    "days_of_month",
    "months",
    "years",
    "location",
];
const TIME_RANGE_FIELDS: &[&str] = &["start_time", "end_time"];

/// A secret field, and the field that reads it from a file when AlertManager 0.25 has one.
type Secret = (&'static str, Option<&'static str>);

/// The integrations the DSL has no type for: their fields, and their secrets as (field, the
/// field that reads it from a file, when AlertManager 0.25 has one).
const OTHER_INTEGRATIONS: &[(&str, &[&str], &[Secret])] = &[
    (
        "opsgenie_configs",
        &[
            "send_resolved",
            "http_config",
            "api_key",
            "api_key_file",
            "api_url",
            "message",
            "description",
            "source",
            "details",
            "entity",
            "responders",
            "actions",
            "tags",
            "note",
            "priority",
            "update_alerts",
        ],
        &[("api_key", Some("api_key_file"))],
    ),
    (
        "victorops_configs",
        &[
            "send_resolved",
            "http_config",
            "api_key",
            "api_key_file",
            "api_url",
            "routing_key",
            "message_type",
            "state_message",
            "entity_display_name",
            "monitoring_tool",
            "custom_fields",
        ],
        &[("api_key", Some("api_key_file"))],
    ),
    (
        "pushover_configs",
        &[
            "send_resolved",
            "http_config",
            "user_key",
            "token",
            "title",
            "message",
            "url",
            "url_title",
            "sound",
            "priority",
            "retry",
            "expire",
            "html",
        ],
        &[("user_key", None), ("token", None)],
    ),
    (
        "wechat_configs",
        &[
            "send_resolved",
            "http_config",
            "api_secret",
            "corp_id",
            "message",
            "api_url",
            "to_user",
            "to_party",
            "to_tag",
            "agent_id",
            "message_type",
        ],
        &[("api_secret", None)],
    ),
    (
        "sns_configs",
        &[
            "send_resolved",
            "http_config",
            "api_url",
            "sigv4",
            "topic_arn",
            "phone_number",
            "target_arn",
            "subject",
            "message",
            "attributes",
        ],
        &[],
    ),
    (
        "telegram_configs",
        &[
            "send_resolved",
            "http_config",
            "api_url",
            "bot_token",
            "chat_id",
            "message",
            "disable_notifications",
            "parse_mode",
        ],
        &[("bot_token", None)],
    ),
    (
        "webex_configs",
        &[
            "send_resolved",
            "http_config",
            "api_url",
            "room_id",
            "message",
        ],
        &[],
    ),
    (
        "discord_configs",
        &[
            "send_resolved",
            "http_config",
            "webhook_url",
            "title",
            "message",
        ],
        &[("webhook_url", None)],
    ),
];

/// The keys of a Kubernetes Secret's data that hold an AlertManager configuration (the
/// Prometheus operator's, and the other spelling).
const SECRET_KEYS: &[&str] = &["alertmanager.yaml", "alertmanager.yml"];

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
    let Some(am) = reader.config(templates) else {
        return reader.diagnostics;
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
    reader.diagnostics.extend(lowered);
    reader.diagnostics
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

    /// A mapping's fields, reporting non-mappings, unknown and repeated keys. A null value is
    /// an empty mapping.
    fn fields<'n>(&mut self, node: &'n Node, what: &str, known: &[&str]) -> Option<Fields<'n>> {
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
            if !known.is_empty() && !known.contains(&name) {
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
        let Some(fields) = self.fields(node, what, &[]) else {
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
        let top = self.fields(&root, "the configuration", TOP_FIELDS)?;
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
        let Some(fields) = self.fields(node, "`global`", GLOBAL_FIELDS) else {
            return out;
        };
        out.resolve_timeout = fields
            .get("resolve_timeout")
            .and_then(|(_, n)| self.duration(n, "`resolve_timeout`"));
        for key in [
            "smtp_from",
            "smtp_hello",
            "smtp_auth_username",
            "smtp_auth_identity",
            "wechat_api_corp_id",
        ] {
            if let Some((_, n)) = fields.get(key) {
                self.string(n, &format!("`{key}`"));
            }
        }
        for key in [
            "pagerduty_url",
            "opsgenie_api_url",
            "wechat_api_url",
            "victorops_api_url",
            "telegram_api_url",
            "webex_api_url",
        ] {
            if let Some((_, n)) = fields.get(key) {
                self.url(n, &format!("`{key}`"));
            }
        }
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
        if let Some((_, n)) = fields.get("smtp_require_tls") {
            out.require_tls = self.bool(n, "`smtp_require_tls`");
        }
        if let Some((_, n)) = fields.get("slack_api_url") {
            self.url(n, "`slack_api_url`");
        }
        out.slack = self.secret(
            &fields,
            "slack_api_url",
            Some("slack_api_url_file"),
            "`global`",
        );
        self.secret(
            &fields,
            "opsgenie_api_key",
            Some("opsgenie_api_key_file"),
            "`global`",
        );
        self.secret(
            &fields,
            "victorops_api_key",
            Some("victorops_api_key_file"),
            "`global`",
        );
        self.secret(&fields, "wechat_api_secret", None, "`global`");
        if let Some((_, n)) = fields.get("http_config") {
            self.http_config(n, "`global`");
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
            origin,
        })
    }

    fn http_config(&mut self, node: &Node, what: &str) -> Option<SecretFile> {
        let what = format!("`http_config` of {what}");
        let fields = self.fields(node, &what, HTTP_FIELDS)?;
        for key in ["enable_http2", "follow_redirects"] {
            if let Some((_, n)) = fields.get(key) {
                self.bool(n, &format!("`{key}`"));
            }
        }
        if let Some((_, n)) = fields.get("proxy_url") {
            self.string(n, "`proxy_url`");
        }
        if let Some((_, n)) = fields.get("tls_config") {
            self.fields(n, &format!("`tls_config` of {what}"), TLS_FIELDS);
        }
        if let Some((_, n)) = fields.get("basic_auth") {
            if let Some(auth) =
                self.fields(n, &format!("`basic_auth` of {what}"), BASIC_AUTH_FIELDS)
            {
                self.secret(&auth, "password", Some("password_file"), "`basic_auth`");
            }
        }
        if let Some((_, n)) = fields.get("oauth2") {
            if let Some(oauth) = self.fields(n, &format!("`oauth2` of {what}"), OAUTH2_FIELDS) {
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
            if let Some(auth) = self.fields(n, &auth_what, AUTHORIZATION_FIELDS) {
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
        let fields = self.fields(node, "a receiver", RECEIVER_FIELDS)?;
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
        for (key, known, secrets) in OTHER_INTEGRATIONS {
            let Some((_, list)) = fields.get(key) else {
                continue;
            };
            for config in self.list(list, &format!("`{key}`")) {
                let config_what = format!("an entry of `{key}` in {what}");
                let Some(config_fields) = self.fields(config, &config_what, known) else {
                    continue;
                };
                for (secret, file) in *secrets {
                    self.secret(&config_fields, secret, *file, &config_what);
                }
                if let Some((_, n)) = config_fields.get("send_resolved") {
                    self.bool(n, "`send_resolved`");
                }
                if let Some((_, n)) = config_fields.get("http_config") {
                    self.http_config(n, &config_what);
                }
            }
        }
        let values = std::mem::take(&mut self.receiver_values);
        receiver.origin = self.item(name_range, values);
        Some(receiver)
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
        let fields = self.fields(node, &what, EMAIL_FIELDS)?;
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
        for key in ["hello", "auth_username", "auth_identity", "text"] {
            if let Some((_, n)) = fields.get(key) {
                self.string(n, &format!("`{key}`"));
            }
        }
        if let Some((_, n)) = fields.get("require_tls") {
            self.bool(n, "`require_tls`");
        }
        if let Some((_, n)) = fields.get("tls_config") {
            self.fields(n, &format!("`tls_config` of {what}"), TLS_FIELDS);
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
                if canonical == "Subject" {
                    values.push(value_range);
                    email = email.subject(value);
                }
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
        let fields = self.fields(node, &what, SLACK_FIELDS)?;
        if let Some((_, n)) = fields.get("api_url") {
            self.url(n, "`api_url`");
        }
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
        for key in [
            "username",
            "color",
            "title_link",
            "pretext",
            "footer",
            "fallback",
        ] {
            if let Some((_, n)) = fields.get(key) {
                self.string(n, &format!("`{key}`"));
            }
        }
        for key in ["short_fields", "link_names"] {
            if let Some((_, n)) = fields.get(key) {
                self.bool(n, &format!("`{key}`"));
            }
        }
        if let Some((_, n)) = fields.get("http_config") {
            self.http_config(n, &what);
        }
        let channel = fields
            .get("channel")
            .and_then(|(_, n)| self.string(n, "`channel`"))
            .unwrap_or_default();
        let mut slack = Slack::new(api_url, channel);
        if let Some(send) = self.send_resolved(&fields) {
            slack = slack.send_resolved(send);
        }
        let mut values = Vec::new();
        if let Some(title) = self.template_field(&fields, "title", &mut values) {
            slack = slack.title(title);
        }
        if let Some(text) = self.template_field(&fields, "text", &mut values) {
            slack = slack.text(text);
        }
        self.extend_last_receiver(values);
        Some(slack)
    }

    fn pagerduty(&mut self, node: &Node, receiver: &str) -> Option<PagerDuty> {
        let what = format!("a pagerduty config of {receiver}");
        let fields = self.fields(node, &what, PAGERDUTY_FIELDS)?;
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
        if let Some((_, n)) = fields.get("url") {
            self.url(n, "`url`");
        }
        if let Some((_, n)) = fields.get("http_config") {
            self.http_config(n, &what);
        }
        for key in [
            "client",
            "client_url",
            "source",
            "severity",
            "class",
            "component",
            "group",
        ] {
            if let Some((_, n)) = fields.get(key) {
                self.string(n, &format!("`{key}`"));
            }
        }
        if let Some((_, n)) = fields.get("details") {
            self.string_map(n, "`details`");
        }
        let mut pd = PagerDuty {
            key,
            send_resolved: None,
            description: None,
        };
        if let Some(send) = self.send_resolved(&fields) {
            pd = pd.send_resolved(send);
        }
        let mut values = Vec::new();
        if let Some(description) = self.template_field(&fields, "description", &mut values) {
            pd = pd.description(description);
        }
        self.extend_last_receiver(values);
        Some(pd)
    }

    fn webhook(&mut self, node: &Node, receiver: &str) -> Option<Webhook> {
        let what = format!("a webhook config of {receiver}");
        let fields = self.fields(node, &what, WEBHOOK_FIELDS)?;
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
        }
        Some(hook)
    }

    fn route(&mut self, node: &Node) -> Option<Route> {
        let fields = self.fields(node, "a route", ROUTE_FIELDS)?;
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
        let fields = self.fields(node, "an inhibit rule", INHIBIT_FIELDS)?;
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
        let fields = self.fields(node, "a time interval", INTERVAL_FIELDS)?;
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
        let fields = self.fields(node, "a time interval's period", PERIOD_FIELDS)?;
        let mut period = Period::new();
        if let Some((_, n)) = fields.get("times") {
            for range in self.list(n, "`times`") {
                let Some(times) = self.fields(range, "a time range", TIME_RANGE_FIELDS) else {
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
                    Some((first, last)) if first <= last => {}
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
            self.string(n, "`location`");
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
    slack: Option<SecretFile>,
}

/// An email config's own SMTP settings.
struct EmailFile {
    at: Range<usize>,
    smarthost: Option<(String, Range<usize>)>,
    from: Option<(String, Range<usize>)>,
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
