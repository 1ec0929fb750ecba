//! The schema of AlertManager 0.25's configuration file: one declaration per type of its
//! `config` package (`Config`, `GlobalConfig`, `Route`, `Receiver`, each notifier's config and
//! the types inside them, and `prometheus/common`'s HTTP client types), each field with its kind.
//!
//! One declaration drives both the known-fields check (AlertManager's loader is strict: any
//! other key is "field X not found") and the type of every value: [`super::file`]'s reader walks
//! a YAML node against its [`Type`], reports every unknown or repeated key and every value of the
//! wrong kind at its own line and column (all of them, not the first), and hands on only the
//! values that passed. What depends on more than one value (required fields and their global
//! defaults, `_file` fields exclusive with the inline form, matchers, time intervals) is checked
//! in code, on those values.
//!
//! A field of kind [`Kind::Read`] holds a type the reader reads itself with that declaration
//! (routes, receivers, integrations, matchers), because it needs the context around it (the
//! receiver's name in messages, globals); the walker leaves it to that code.

/// An AlertManager configuration type: its fields in AlertManager's order.
pub struct Type {
    pub fields: &'static [(&'static str, Kind)],
}

impl Type {
    pub fn kind(&self, name: &str) -> Option<&'static Kind> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, k)| k)
    }

    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|(n, _)| *n)
    }
}

/// What a field holds, as AlertManager's Go type reads it.
pub enum Kind {
    /// `string` (and `Secret`, `HostPort`, `Regexp`: checked by the code that reads them).
    Str,
    /// `bool`, YAML 1.1 (`yes`, `on`, ...).
    Bool,
    /// `int64`.
    Int,
    /// `uint64`.
    Uint,
    /// `model.Duration`, Prometheus's syntax (`1d`, `5m`).
    Duration,
    /// `time.Duration` as Go parses it (`1m30s`, `1.5h`).
    GoDuration,
    /// `*URL` and `*SecretURL`: an absolute `http(s)` URL with a host.
    Url,
    List(&'static Kind),
    /// `map[string]...`.
    Map(&'static Kind),
    /// A nested type the walker checks.
    Type(&'static Type),
    /// A nested value the reader's code reads (see the module's docs), of this kind.
    Read(&'static Kind),
}

use Kind::*;

const STRINGS: Kind = List(&Str);
const STRING_MAP: Kind = Map(&Str);

pub static CONFIG: Type = Type {
    fields: &[
        ("global", Read(&Type(&GLOBAL))),
        ("route", Read(&Type(&ROUTE))),
        ("inhibit_rules", Read(&List(&Type(&INHIBIT_RULE)))),
        ("receivers", Read(&List(&Type(&RECEIVER)))),
        ("templates", Read(&STRINGS)),
        ("mute_time_intervals", Read(&List(&Type(&TIME_INTERVAL)))),
        ("time_intervals", Read(&List(&Type(&TIME_INTERVAL)))),
    ],
};

pub static GLOBAL: Type = Type {
    fields: &[
        ("resolve_timeout", Duration),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        ("smtp_from", Str),
        ("smtp_hello", Str),
        ("smtp_smarthost", Str),
        ("smtp_auth_username", Str),
        ("smtp_auth_password", Str),
        ("smtp_auth_password_file", Str),
        ("smtp_auth_secret", Str),
        ("smtp_auth_identity", Str),
        ("smtp_require_tls", Bool),
        ("slack_api_url", Url),
        ("slack_api_url_file", Str),
        ("pagerduty_url", Url),
        ("opsgenie_api_url", Url),
        ("opsgenie_api_key", Str),
        ("opsgenie_api_key_file", Str),
        ("wechat_api_url", Url),
        ("wechat_api_secret", Str),
        ("wechat_api_corp_id", Str),
        ("victorops_api_url", Url),
        ("victorops_api_key", Str),
        ("victorops_api_key_file", Str),
        ("telegram_api_url", Url),
        ("webex_api_url", Url),
    ],
};

pub static ROUTE: Type = Type {
    fields: &[
        ("receiver", Str),
        ("group_by", Read(&STRINGS)),
        ("match", Read(&STRING_MAP)),
        ("match_re", Read(&STRING_MAP)),
        ("matchers", Read(&STRINGS)),
        ("mute_time_intervals", Read(&STRINGS)),
        ("active_time_intervals", Read(&STRINGS)),
        ("continue", Bool),
        ("routes", Read(&List(&Type(&ROUTE)))),
        ("group_wait", Duration),
        ("group_interval", Duration),
        ("repeat_interval", Duration),
    ],
};

pub static INHIBIT_RULE: Type = Type {
    fields: &[
        ("source_match", Read(&STRING_MAP)),
        ("source_match_re", Read(&STRING_MAP)),
        ("source_matchers", Read(&STRINGS)),
        ("target_match", Read(&STRING_MAP)),
        ("target_match_re", Read(&STRING_MAP)),
        ("target_matchers", Read(&STRINGS)),
        ("equal", Read(&STRINGS)),
    ],
};

pub static TIME_INTERVAL: Type = Type {
    fields: &[
        ("name", Str),
        ("time_intervals", Read(&List(&Type(&PERIOD)))),
    ],
};

pub static PERIOD: Type = Type {
    fields: &[
        ("times", Read(&List(&Type(&TIME_RANGE)))),
        ("weekdays", Read(&STRINGS)),
        ("days_of_month", Read(&STRINGS)),
        ("months", Read(&STRINGS)),
        ("years", Read(&STRINGS)),
        ("location", Str),
    ],
};

pub static TIME_RANGE: Type = Type {
    fields: &[("start_time", Str), ("end_time", Str)],
};

/// The integrations of a receiver: the key of their list, their type, and how a message
/// names one.
pub static INTEGRATIONS: &[(&str, &Type, &str)] = &[
    ("email_configs", &EMAIL, "an email config"),
    ("slack_configs", &SLACK, "a slack config"),
    ("pagerduty_configs", &PAGERDUTY, "a pagerduty config"),
    ("webhook_configs", &WEBHOOK, "a webhook config"),
    ("opsgenie_configs", &OPSGENIE, "an opsgenie config"),
    ("victorops_configs", &VICTOROPS, "a victorops config"),
    ("pushover_configs", &PUSHOVER, "a pushover config"),
    ("wechat_configs", &WECHAT, "a wechat config"),
    ("sns_configs", &SNS, "an sns config"),
    ("telegram_configs", &TELEGRAM, "a telegram config"),
    ("webex_configs", &WEBEX, "a webex config"),
    ("discord_configs", &DISCORD, "a discord config"),
];

pub static RECEIVER: Type = Type {
    fields: &[
        ("name", Str),
        ("email_configs", Read(&List(&Type(&EMAIL)))),
        ("slack_configs", Read(&List(&Type(&SLACK)))),
        ("pagerduty_configs", Read(&List(&Type(&PAGERDUTY)))),
        ("webhook_configs", Read(&List(&Type(&WEBHOOK)))),
        ("opsgenie_configs", Read(&List(&Type(&OPSGENIE)))),
        ("victorops_configs", Read(&List(&Type(&VICTOROPS)))),
        ("pushover_configs", Read(&List(&Type(&PUSHOVER)))),
        ("wechat_configs", Read(&List(&Type(&WECHAT)))),
        ("sns_configs", Read(&List(&Type(&SNS)))),
        ("telegram_configs", Read(&List(&Type(&TELEGRAM)))),
        ("webex_configs", Read(&List(&Type(&WEBEX)))),
        ("discord_configs", Read(&List(&Type(&DISCORD)))),
    ],
};

/// `commoncfg.HTTPClientConfig`.
pub static HTTP_CONFIG: Type = Type {
    fields: &[
        ("authorization", Read(&Type(&AUTHORIZATION))),
        ("basic_auth", Read(&Type(&BASIC_AUTH))),
        ("bearer_token", Str),
        ("bearer_token_file", Str),
        ("enable_http2", Bool),
        ("follow_redirects", Bool),
        ("oauth2", Read(&Type(&OAUTH2))),
        ("proxy_connect_header", Map(&STRINGS)),
        ("proxy_url", Str),
        ("tls_config", Type(&TLS_CONFIG)),
    ],
};

pub static AUTHORIZATION: Type = Type {
    fields: &[
        ("type", Str),
        ("credentials", Str),
        ("credentials_file", Str),
    ],
};

pub static BASIC_AUTH: Type = Type {
    fields: &[("username", Str), ("password", Str), ("password_file", Str)],
};

pub static TLS_CONFIG: Type = Type {
    fields: &[
        ("ca_file", Str),
        ("cert_file", Str),
        ("key_file", Str),
        ("server_name", Str),
        ("insecure_skip_verify", Bool),
        ("min_version", Str),
        ("max_version", Str),
    ],
};

pub static OAUTH2: Type = Type {
    fields: &[
        ("client_id", Str),
        ("client_secret", Str),
        ("client_secret_file", Str),
        ("scopes", STRINGS),
        ("token_url", Str),
        ("endpoint_params", STRING_MAP),
        ("tls_config", Type(&TLS_CONFIG)),
        ("proxy_url", Str),
    ],
};

pub static EMAIL: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("to", Str),
        ("from", Str),
        ("hello", Str),
        ("smarthost", Str),
        ("auth_username", Str),
        ("auth_password", Str),
        ("auth_password_file", Str),
        ("auth_secret", Str),
        ("auth_identity", Str),
        ("headers", Read(&STRING_MAP)),
        ("html", Str),
        ("text", Str),
        ("require_tls", Bool),
        ("tls_config", Type(&TLS_CONFIG)),
    ],
};

pub static SLACK: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        ("api_url", Url),
        ("api_url_file", Str),
        ("channel", Str),
        ("username", Str),
        ("color", Str),
        ("title", Str),
        ("title_link", Str),
        ("pretext", Str),
        ("text", Str),
        ("fields", Read(&List(&Type(&SLACK_FIELD)))),
        ("short_fields", Bool),
        ("footer", Str),
        ("fallback", Str),
        ("callback_id", Str),
        ("icon_emoji", Str),
        ("icon_url", Str),
        ("image_url", Str),
        ("thumb_url", Str),
        ("link_names", Bool),
        ("mrkdwn_in", STRINGS),
        ("actions", Read(&List(&Type(&SLACK_ACTION)))),
    ],
};

pub static SLACK_FIELD: Type = Type {
    fields: &[("title", Str), ("value", Str), ("short", Bool)],
};

pub static SLACK_ACTION: Type = Type {
    fields: &[
        ("type", Str),
        ("text", Str),
        ("url", Str),
        ("style", Str),
        ("name", Str),
        ("value", Str),
        ("confirm", Read(&Type(&SLACK_CONFIRM))),
    ],
};

pub static SLACK_CONFIRM: Type = Type {
    fields: &[
        ("text", Str),
        ("title", Str),
        ("ok_text", Str),
        ("dismiss_text", Str),
    ],
};

pub static PAGERDUTY: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        ("service_key", Str),
        ("service_key_file", Str),
        ("routing_key", Str),
        ("routing_key_file", Str),
        ("url", Url),
        ("client", Str),
        ("client_url", Str),
        ("description", Str),
        ("details", STRING_MAP),
        ("images", List(&Type(&PAGERDUTY_IMAGE))),
        ("links", List(&Type(&PAGERDUTY_LINK))),
        ("source", Str),
        ("severity", Str),
        ("class", Str),
        ("component", Str),
        ("group", Str),
    ],
};

pub static PAGERDUTY_IMAGE: Type = Type {
    fields: &[("src", Str), ("alt", Str), ("href", Str)],
};

pub static PAGERDUTY_LINK: Type = Type {
    fields: &[("href", Str), ("text", Str)],
};

pub static WEBHOOK: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        // Checked by lowering, as the spec's webhook URL is.
        ("url", Read(&Url)),
        ("max_alerts", Uint),
    ],
};

pub static OPSGENIE: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        ("api_key", Str),
        ("api_key_file", Str),
        ("api_url", Url),
        ("message", Str),
        ("description", Str),
        ("source", Str),
        ("details", STRING_MAP),
        ("entity", Str),
        ("responders", Read(&List(&Type(&OPSGENIE_RESPONDER)))),
        ("actions", Str),
        ("tags", Str),
        ("note", Str),
        ("priority", Str),
        ("update_alerts", Bool),
    ],
};

pub static OPSGENIE_RESPONDER: Type = Type {
    fields: &[("id", Str), ("name", Str), ("username", Str), ("type", Str)],
};

pub static VICTOROPS: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        ("api_key", Str),
        ("api_key_file", Str),
        ("api_url", Url),
        ("routing_key", Str),
        ("message_type", Str),
        ("state_message", Str),
        ("entity_display_name", Str),
        ("monitoring_tool", Str),
        ("custom_fields", Read(&STRING_MAP)),
    ],
};

pub static PUSHOVER: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        ("user_key", Str),
        ("token", Str),
        ("title", Str),
        ("message", Str),
        ("url", Str),
        ("url_title", Str),
        ("sound", Str),
        ("priority", Str),
        ("retry", GoDuration),
        ("expire", GoDuration),
        ("html", Bool),
    ],
};

pub static WECHAT: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        ("api_secret", Str),
        ("corp_id", Str),
        ("message", Str),
        ("api_url", Url),
        ("to_user", Str),
        ("to_party", Str),
        ("to_tag", Str),
        ("agent_id", Str),
        ("message_type", Str),
    ],
};

pub static SNS: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        // A plain string in AlertManager 0.25, not a URL.
        ("api_url", Str),
        ("sigv4", Read(&Type(&SIGV4))),
        ("topic_arn", Str),
        ("phone_number", Str),
        ("target_arn", Str),
        ("subject", Str),
        ("message", Str),
        ("attributes", STRING_MAP),
    ],
};

pub static SIGV4: Type = Type {
    fields: &[
        ("region", Str),
        ("access_key", Str),
        ("secret_key", Str),
        ("profile", Str),
        ("role_arn", Str),
    ],
};

pub static TELEGRAM: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        ("api_url", Url),
        ("bot_token", Str),
        ("chat_id", Int),
        ("message", Str),
        ("disable_notifications", Bool),
        ("parse_mode", Str),
    ],
};

pub static WEBEX: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        ("api_url", Url),
        ("room_id", Str),
        ("message", Str),
    ],
};

pub static DISCORD: Type = Type {
    fields: &[
        ("send_resolved", Bool),
        ("http_config", Read(&Type(&HTTP_CONFIG))),
        ("webhook_url", Url),
        ("title", Str),
        ("message", Str),
    ],
};
