//! The alertmanager DSL: the raw values a spec writes (see the module docs of [`crate::alertmanager`]).

use std::fmt;

use crate::diagnostics::Place;
use crate::rules::SeverityName;
use crate::syntax::duration::Duration;

/// Setters of optional text fields (notification templates unless said otherwise).
macro_rules! text_setters {
    ($ty:ident { $($(#[doc = $doc:literal])* $name:ident),* $(,)? }) => {
        impl $ty {
            $(
                $(#[doc = $doc])*
                pub fn $name(mut self, text: impl Into<String>) -> $ty {
                    self.$name = Some(text.into());
                    self
                }
            )*
        }
    };
}

/// `http_config`, on integrations with HTTP client settings of their own.
macro_rules! http_setter {
    ($($ty:ident),*) => {
        $(
            impl $ty {
                /// Its own HTTP client settings (a proxy, TLS, basic authentication), instead
                /// of the global ones.
                pub fn http_config(mut self, http: HttpConfig) -> $ty {
                    self.http_config = Some(http);
                    self
                }
            }
        )*
    };
}

/// A path to a file holding a secret, read by AlertManager (`*_file` fields). The only way a
/// secret enters the configuration: there is deliberately no way to give the secret itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretFile {
    pub(crate) path: String,
    pub(crate) origin: Place,
}

impl SecretFile {
    /// The file at `path` (absolute, or relative to alertmanager.yml's folder) holds the secret.
    #[track_caller]
    pub fn at(path: impl Into<String>) -> SecretFile {
        SecretFile {
            path: path.into(),
            origin: Place::caller(),
        }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path of a secret read from a file that writes it inline (see [`Self::written_inline`]).
    pub const INLINE: &'static str = "<secret written inline>";

    /// Stands for a secret a linted alertmanager.yml writes inline (which `lint` warns about),
    /// so the file lowers as a spec would. Crate-private: a spec cannot hold a secret's value.
    pub(crate) fn written_inline(origin: Place) -> SecretFile {
        SecretFile {
            path: SecretFile::INLINE.into(),
            origin,
        }
    }
}

/// How a matcher compares a label's value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchOp {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `=~`, a regular expression matched against the whole value.
    Re,
    /// `!~`
    NotRe,
}

impl MatchOp {
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Eq => "=",
            MatchOp::Ne => "!=",
            MatchOp::Re => "=~",
            MatchOp::NotRe => "!~",
        }
    }

    pub fn is_regex(self) -> bool {
        matches!(self, MatchOp::Re | MatchOp::NotRe)
    }
}

/// A label matcher, as in a route's or an inhibit rule's `matchers`. A missing label matches
/// as the empty string, as in AlertManager.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matcher {
    pub(crate) name: String,
    pub(crate) op: MatchOp,
    pub(crate) value: String,
}

impl Matcher {
    pub fn new(name: impl Into<String>, op: MatchOp, value: impl Into<String>) -> Matcher {
        Matcher {
            name: name.into(),
            op,
            value: value.into(),
        }
    }

    /// `name="value"`
    pub fn eq(name: impl Into<String>, value: impl Into<String>) -> Matcher {
        Matcher::new(name, MatchOp::Eq, value)
    }

    /// `name!="value"`
    pub fn ne(name: impl Into<String>, value: impl Into<String>) -> Matcher {
        Matcher::new(name, MatchOp::Ne, value)
    }

    /// `name=~"regex"`: the regex must match the whole value.
    pub fn re(name: impl Into<String>, regex: impl Into<String>) -> Matcher {
        Matcher::new(name, MatchOp::Re, regex)
    }

    /// `name!~"regex"`
    pub fn not_re(name: impl Into<String>, regex: impl Into<String>) -> Matcher {
        Matcher::new(name, MatchOp::NotRe, regex)
    }

    /// `severity="<severity>"`: one of the spec's severities (critical, warning, info unless the
    /// spec declares its own), which the `alerts/severity` lint holds alert rules to.
    pub fn severity(severity: impl Into<SeverityName>) -> Matcher {
        Matcher::eq("severity", severity.into().as_str())
    }

    /// `name=~".+"`: the label is present and not empty.
    pub fn present(name: impl Into<String>) -> Matcher {
        Matcher::re(name, ".+")
    }
}

impl fmt::Display for Matcher {
    /// AlertManager's own form: `name="value"`, the value quoted with `\\`, `\"` and `\n` escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}\"", self.name, self.op.as_str())?;
        for c in self.value.chars() {
            match c {
                '\\' => f.write_str("\\\\")?,
                '"' => f.write_str("\\\"")?,
                '\n' => f.write_str("\\n")?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("\"")
    }
}

/// A node of the route tree. The root is built with [`Route::to`] (it must name the default
/// receiver and have no matchers); a child without a receiver of its own inherits its parent's,
/// as do `group_by` and the three intervals.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    pub(crate) receiver: Option<String>,
    pub(crate) matchers: Vec<Matcher>,
    pub(crate) group_by: Option<Vec<String>>,
    pub(crate) group_wait: Option<Duration>,
    pub(crate) group_interval: Option<Duration>,
    pub(crate) repeat_interval: Option<Duration>,
    pub(crate) continue_: bool,
    pub(crate) mute_time_intervals: Vec<String>,
    pub(crate) active_time_intervals: Vec<String>,
    pub(crate) routes: Vec<Route>,
    pub(crate) origin: Place,
}

impl Route {
    /// A route that sends what it matches to `receiver`.
    #[track_caller]
    pub fn to(receiver: impl Into<String>) -> Route {
        let mut route = Route::inheriting();
        route.receiver = Some(receiver.into());
        route.origin = Place::caller();
        route
    }

    /// A route that sends to its parent's receiver (useful to change grouping or timing).
    #[track_caller]
    pub fn inheriting() -> Route {
        Route {
            receiver: None,
            matchers: Vec::new(),
            group_by: None,
            group_wait: None,
            group_interval: None,
            repeat_interval: None,
            continue_: false,
            mute_time_intervals: Vec::new(),
            active_time_intervals: Vec::new(),
            routes: Vec::new(),
            origin: Place::caller(),
        }
    }

    pub fn matcher(mut self, matcher: Matcher) -> Route {
        self.matchers.push(matcher);
        self
    }

    pub fn matchers(mut self, matchers: impl IntoIterator<Item = Matcher>) -> Route {
        self.matchers.extend(matchers);
        self
    }

    /// The labels alerts are grouped by into one notification. `...` groups by every label.
    pub fn group_by<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> Route {
        self.group_by = Some(labels.into_iter().map(Into::into).collect());
        self
    }

    /// How long to wait for more alerts of a new group before the first notification.
    pub fn group_wait(mut self, duration: Duration) -> Route {
        self.group_wait = Some(duration);
        self
    }

    /// How long to wait before notifying about alerts added to a group already notified.
    pub fn group_interval(mut self, duration: Duration) -> Route {
        self.group_interval = Some(duration);
        self
    }

    /// How long to wait before notifying again about a group that has not changed.
    pub fn repeat_interval(mut self, duration: Duration) -> Route {
        self.repeat_interval = Some(duration);
        self
    }

    /// Keep matching the following siblings after this route matched.
    pub fn continue_matching(mut self) -> Route {
        self.continue_ = true;
        self
    }

    /// Send nothing while the named time interval is on.
    pub fn mute_during(mut self, time_interval: impl Into<String>) -> Route {
        self.mute_time_intervals.push(time_interval.into());
        self
    }

    /// Send only while one of the named time intervals is on.
    pub fn active_during(mut self, time_interval: impl Into<String>) -> Route {
        self.active_time_intervals.push(time_interval.into());
        self
    }

    pub fn route(mut self, child: Route) -> Route {
        self.routes.push(child);
        self
    }

    pub fn routes(mut self, children: impl IntoIterator<Item = Route>) -> Route {
        self.routes.extend(children);
        self
    }
}

/// An email notification. The SMTP server comes from [`Global::smtp`].
#[derive(Clone, Debug, PartialEq)]
pub struct Email {
    pub(crate) to: String,
    pub(crate) send_resolved: Option<bool>,
    pub(crate) html: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) subject: Option<String>,
    /// Headers besides `Subject`, each a template.
    pub(crate) headers: Vec<(String, String)>,
}

impl Email {
    pub fn to(address: impl Into<String>) -> Email {
        Email {
            to: address.into(),
            send_resolved: None,
            html: None,
            text: None,
            subject: None,
            headers: Vec::new(),
        }
    }

    /// The plain-text body, a notification template.
    pub fn text(mut self, template: impl Into<String>) -> Email {
        self.text = Some(template.into());
        self
    }

    /// A header besides `Subject` (see [`Email::subject`]), its value a template.
    pub fn header(mut self, name: impl Into<String>, template: impl Into<String>) -> Email {
        self.headers.push((name.into(), template.into()));
        self
    }

    pub fn send_resolved(mut self, send: bool) -> Email {
        self.send_resolved = Some(send);
        self
    }

    /// The HTML body, a notification template.
    pub fn html(mut self, template: impl Into<String>) -> Email {
        self.html = Some(template.into());
        self
    }

    /// The `Subject` header, a notification template.
    pub fn subject(mut self, template: impl Into<String>) -> Email {
        self.subject = Some(template.into());
        self
    }
}

/// A Slack notification through an incoming webhook, whose URL (a secret) is read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Slack {
    pub(crate) api_url: SecretFile,
    pub(crate) channel: String,
    pub(crate) http_config: Option<HttpConfig>,
    pub(crate) send_resolved: Option<bool>,
    pub(crate) title: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) username: Option<String>,
    pub(crate) color: Option<String>,
    pub(crate) icon_emoji: Option<String>,
    pub(crate) icon_url: Option<String>,
    pub(crate) title_link: Option<String>,
    pub(crate) pretext: Option<String>,
    pub(crate) footer: Option<String>,
    pub(crate) fallback: Option<String>,
    pub(crate) callback_id: Option<String>,
    pub(crate) image_url: Option<String>,
    pub(crate) thumb_url: Option<String>,
    pub(crate) link_names: Option<bool>,
    pub(crate) short_fields: Option<bool>,
}

impl Slack {
    /// The message's template fields that are set, by their name in AlertManager's YAML, in the
    /// order AlertManager declares them: what lowering checks as templates and what an import
    /// writes back.
    pub(crate) fn texts(&self) -> [(&'static str, &Option<String>); 13] {
        [
            ("title", &self.title),
            ("text", &self.text),
            ("username", &self.username),
            ("color", &self.color),
            ("icon_emoji", &self.icon_emoji),
            ("icon_url", &self.icon_url),
            ("title_link", &self.title_link),
            ("pretext", &self.pretext),
            ("footer", &self.footer),
            ("fallback", &self.fallback),
            ("callback_id", &self.callback_id),
            ("image_url", &self.image_url),
            ("thumb_url", &self.thumb_url),
        ]
    }
}

text_setters!(Slack {
    /// The name the message is posted as.
    username,
    /// The attachment's color: `good`, `warning`, `danger` or `#RRGGBB`.
    color,
    icon_emoji,
    icon_url,
    title_link,
    pretext,
    footer,
    fallback,
    callback_id,
    image_url,
    thumb_url,
});

impl Slack {
    /// Whether `@names` and `#channels` in the text become links.
    pub fn link_names(mut self, link: bool) -> Slack {
        self.link_names = Some(link);
        self
    }

    /// Whether the attachment's fields stand side by side.
    pub fn short_fields(mut self, short: bool) -> Slack {
        self.short_fields = Some(short);
        self
    }

    pub fn new(api_url: SecretFile, channel: impl Into<String>) -> Slack {
        Slack {
            api_url,
            channel: channel.into(),
            http_config: None,
            send_resolved: None,
            username: None,
            color: None,
            icon_emoji: None,
            icon_url: None,
            title_link: None,
            pretext: None,
            footer: None,
            fallback: None,
            callback_id: None,
            image_url: None,
            thumb_url: None,
            link_names: None,
            short_fields: None,
            title: None,
            text: None,
        }
    }

    pub fn send_resolved(mut self, send: bool) -> Slack {
        self.send_resolved = Some(send);
        self
    }

    pub fn title(mut self, template: impl Into<String>) -> Slack {
        self.title = Some(template.into());
        self
    }

    pub fn text(mut self, template: impl Into<String>) -> Slack {
        self.text = Some(template.into());
        self
    }
}

/// Which PagerDuty API a key belongs to.
#[derive(Clone, Debug, PartialEq)]
pub enum PagerDutyKey {
    /// Events API v2: an integration's routing key (`routing_key_file`).
    RoutingKey(SecretFile),
    /// Events API v1: a service's integration key (`service_key_file`).
    ServiceKey(SecretFile),
}

/// A PagerDuty incident.
#[derive(Clone, Debug, PartialEq)]
pub struct PagerDuty {
    pub(crate) key: PagerDutyKey,
    pub(crate) http_config: Option<HttpConfig>,
    pub(crate) send_resolved: Option<bool>,
    pub(crate) description: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) client: Option<String>,
    pub(crate) client_url: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) severity: Option<String>,
    pub(crate) class: Option<String>,
    pub(crate) component: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) details: Vec<(String, String)>,
}

text_setters!(PagerDuty {
    /// The Events API's URL (not a template).
    url,
    client,
    client_url,
    source,
    /// `critical`, `error`, `warning` or `info` (Events API v2).
    severity,
    class,
    component,
    group,
});

impl PagerDuty {
    /// Through the Events API v2, with the integration's routing key read from a file.
    pub fn routing_key(key: SecretFile) -> PagerDuty {
        PagerDuty::with_key(PagerDutyKey::RoutingKey(key))
    }

    /// Through the Events API v1, with the service's integration key read from a file.
    pub fn service_key(key: SecretFile) -> PagerDuty {
        PagerDuty::with_key(PagerDutyKey::ServiceKey(key))
    }

    pub(crate) fn with_key(key: PagerDutyKey) -> PagerDuty {
        PagerDuty {
            key,
            http_config: None,
            send_resolved: None,
            description: None,
            url: None,
            client: None,
            client_url: None,
            source: None,
            severity: None,
            class: None,
            component: None,
            group: None,
            details: Vec::new(),
        }
    }

    /// A detail of the incident (a key and a template). Setting any replaces AlertManager's
    /// default details (firing, resolved, num_firing, num_resolved).
    pub fn detail(mut self, key: impl Into<String>, template: impl Into<String>) -> PagerDuty {
        self.details.push((key.into(), template.into()));
        self
    }

    pub fn send_resolved(mut self, send: bool) -> PagerDuty {
        self.send_resolved = Some(send);
        self
    }

    pub fn description(mut self, template: impl Into<String>) -> PagerDuty {
        self.description = Some(template.into());
        self
    }
}

/// A POST of the notification's JSON to a URL.
///
/// AlertManager 0.25 has no `url_file` (it came in 0.26), so the URL is written into the
/// configuration and must not be a secret: authenticate with [`Webhook::bearer_token`], which
/// is read from a file (`http_config.authorization.credentials_file`).
#[derive(Clone, Debug, PartialEq)]
pub struct Webhook {
    pub(crate) url: String,
    pub(crate) bearer_token: Option<SecretFile>,
    pub(crate) send_resolved: Option<bool>,
    pub(crate) max_alerts: Option<u32>,
    pub(crate) http_config: Option<HttpConfig>,
}

impl Webhook {
    pub fn new(url: impl Into<String>) -> Webhook {
        Webhook {
            url: url.into(),
            bearer_token: None,
            send_resolved: None,
            max_alerts: None,
            http_config: None,
        }
    }

    /// Sends `Authorization: Bearer <token>`, the token read from a file.
    pub fn bearer_token(mut self, token: SecretFile) -> Webhook {
        self.bearer_token = Some(token);
        self
    }

    pub fn send_resolved(mut self, send: bool) -> Webhook {
        self.send_resolved = Some(send);
        self
    }

    /// The webhook's own HTTP client settings (a proxy, TLS, basic authentication), instead
    /// of the global ones.
    pub fn http_config(mut self, http: HttpConfig) -> Webhook {
        self.http_config = Some(http);
        self
    }

    /// The most alerts one notification carries (0: all).
    pub fn max_alerts(mut self, max: u32) -> Webhook {
        self.max_alerts = Some(max);
        self
    }
}

/// An OpsGenie alert, through OpsGenie's Alert API with an API key read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct OpsGenie {
    pub(crate) api_key: SecretFile,
    pub(crate) api_url: Option<String>,
    pub(crate) http_config: Option<HttpConfig>,
    pub(crate) send_resolved: Option<bool>,
    pub(crate) message: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) source: Option<String>,
    pub(crate) details: Vec<(String, String)>,
    pub(crate) entity: Option<String>,
    pub(crate) responders: Vec<OpsGenieResponder>,
    pub(crate) actions: Option<String>,
    pub(crate) tags: Option<String>,
    pub(crate) note: Option<String>,
    pub(crate) priority: Option<String>,
    pub(crate) update_alerts: Option<bool>,
}

/// Who an OpsGenie alert is routed to: a team, user, escalation or schedule, by id, name or
/// (for a user) username. The fields are notification templates.
#[derive(Clone, Debug, PartialEq)]
pub struct OpsGenieResponder {
    pub(crate) kind: String,
    pub(crate) id: Option<String>,
    pub(crate) name: Option<String>,
    pub(crate) username: Option<String>,
}

impl OpsGenieResponder {
    /// A responder of `kind` (`team`, `teams`, `user`, `escalation` or `schedule`, or a
    /// template), identified by at least one of [`Self::id`], [`Self::name`],
    /// [`Self::username`].
    pub fn new(kind: impl Into<String>) -> OpsGenieResponder {
        OpsGenieResponder {
            kind: kind.into(),
            id: None,
            name: None,
            username: None,
        }
    }

    /// A team, by name.
    pub fn team(name: impl Into<String>) -> OpsGenieResponder {
        OpsGenieResponder::new("team").name(name)
    }

    /// A user, by username.
    pub fn user(username: impl Into<String>) -> OpsGenieResponder {
        OpsGenieResponder::new("user").username(username)
    }

    pub fn id(mut self, id: impl Into<String>) -> OpsGenieResponder {
        self.id = Some(id.into());
        self
    }

    pub fn name(mut self, name: impl Into<String>) -> OpsGenieResponder {
        self.name = Some(name.into());
        self
    }

    pub fn username(mut self, username: impl Into<String>) -> OpsGenieResponder {
        self.username = Some(username.into());
        self
    }
}

impl OpsGenie {
    /// An alert created with the API key read from a file (`api_key_file`).
    pub fn new(api_key: SecretFile) -> OpsGenie {
        OpsGenie {
            api_key,
            http_config: None,
            api_url: None,
            send_resolved: None,
            message: None,
            description: None,
            source: None,
            details: Vec::new(),
            entity: None,
            responders: Vec::new(),
            actions: None,
            tags: None,
            note: None,
            priority: None,
            update_alerts: None,
        }
    }

    pub fn send_resolved(mut self, send: bool) -> OpsGenie {
        self.send_resolved = Some(send);
        self
    }

    /// A detail (a key and a template) of the alert.
    pub fn detail(mut self, key: impl Into<String>, template: impl Into<String>) -> OpsGenie {
        self.details.push((key.into(), template.into()));
        self
    }

    pub fn responder(mut self, responder: OpsGenieResponder) -> OpsGenie {
        self.responders.push(responder);
        self
    }

    /// Updates the message and description of an alert OpsGenie already has.
    pub fn update_alerts(mut self, update: bool) -> OpsGenie {
        self.update_alerts = Some(update);
        self
    }
}

impl OpsGenie {
    /// The alert's template fields that are set, by their name in AlertManager's YAML: what
    /// lowering checks as templates and what an import writes back.
    pub(crate) fn texts(&self) -> [(&'static str, &Option<String>); 8] {
        [
            ("message", &self.message),
            ("description", &self.description),
            ("source", &self.source),
            ("entity", &self.entity),
            ("actions", &self.actions),
            ("tags", &self.tags),
            ("note", &self.note),
            ("priority", &self.priority),
        ]
    }
}

text_setters!(OpsGenie {
    /// The API's URL (not a template), for another region or a proxy.
    api_url,
    /// The alert's text, at most 130 characters.
    message,
    description,
    source,
    entity,
    /// Comma-separated actions.
    actions,
    /// Comma-separated tags.
    tags,
    note,
    /// `P1` to `P5`.
    priority,
});

/// A VictorOps (Splunk On-Call) incident, with the API key read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct VictorOps {
    pub(crate) api_key: SecretFile,
    pub(crate) routing_key: String,
    pub(crate) http_config: Option<HttpConfig>,
    pub(crate) api_url: Option<String>,
    pub(crate) send_resolved: Option<bool>,
    pub(crate) message_type: Option<String>,
    pub(crate) state_message: Option<String>,
    pub(crate) entity_display_name: Option<String>,
    pub(crate) monitoring_tool: Option<String>,
    pub(crate) custom_fields: Vec<(String, String)>,
}

impl VictorOps {
    /// An incident routed by `routing_key` (a template), the API key read from a file
    /// (`api_key_file`).
    pub fn new(api_key: SecretFile, routing_key: impl Into<String>) -> VictorOps {
        VictorOps {
            api_key,
            http_config: None,
            routing_key: routing_key.into(),
            api_url: None,
            send_resolved: None,
            message_type: None,
            state_message: None,
            entity_display_name: None,
            monitoring_tool: None,
            custom_fields: Vec::new(),
        }
    }

    pub fn send_resolved(mut self, send: bool) -> VictorOps {
        self.send_resolved = Some(send);
        self
    }

    /// A field of the incident besides VictorOps's own (a name and a template).
    pub fn custom_field(
        mut self,
        name: impl Into<String>,
        template: impl Into<String>,
    ) -> VictorOps {
        self.custom_fields.push((name.into(), template.into()));
        self
    }
}

text_setters!(VictorOps {
    /// The API's URL (not a template).
    api_url,
    /// `CRITICAL`, `WARNING` or `INFO` (a template).
    message_type,
    state_message,
    entity_display_name,
    monitoring_tool,
});

/// An AWS SNS message to a topic, a target or a phone number. Credentials come from the
/// environment, a profile or a role: AlertManager 0.25 has no file for a SigV4 secret key.
#[derive(Clone, Debug, PartialEq)]
pub struct Sns {
    pub(crate) topic_arn: Option<String>,
    pub(crate) http_config: Option<HttpConfig>,
    pub(crate) target_arn: Option<String>,
    pub(crate) phone_number: Option<String>,
    pub(crate) api_url: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) profile: Option<String>,
    pub(crate) role_arn: Option<String>,
    pub(crate) send_resolved: Option<bool>,
    pub(crate) subject: Option<String>,
    pub(crate) message: Option<String>,
    pub(crate) attributes: Vec<(String, String)>,
}

impl Sns {
    fn empty() -> Sns {
        Sns {
            topic_arn: None,
            http_config: None,
            target_arn: None,
            phone_number: None,
            api_url: None,
            region: None,
            profile: None,
            role_arn: None,
            send_resolved: None,
            subject: None,
            message: None,
            attributes: Vec::new(),
        }
    }

    /// Publishes to a topic (a template).
    pub fn topic_arn(arn: impl Into<String>) -> Sns {
        Sns {
            topic_arn: Some(arn.into()),
            ..Sns::empty()
        }
    }

    /// Publishes to a mobile endpoint (a template).
    pub fn target_arn(arn: impl Into<String>) -> Sns {
        Sns {
            target_arn: Some(arn.into()),
            ..Sns::empty()
        }
    }

    /// Sends an SMS (a template, E.164).
    pub fn phone_number(number: impl Into<String>) -> Sns {
        Sns {
            phone_number: Some(number.into()),
            ..Sns::empty()
        }
    }

    pub fn send_resolved(mut self, send: bool) -> Sns {
        self.send_resolved = Some(send);
        self
    }

    /// A message attribute (a name and a template).
    pub fn attribute(mut self, name: impl Into<String>, template: impl Into<String>) -> Sns {
        self.attributes.push((name.into(), template.into()));
        self
    }
}

text_setters!(Sns {
    /// The SNS API's URL (not a template).
    api_url,
    /// The SigV4 region (not a template).
    region,
    /// The AWS profile the credentials come from (not a template).
    profile,
    /// The role to assume (not a template).
    role_arn,
    subject,
    message,
});

/// A Webex message to a room, the bot's access token read from a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Webex {
    pub(crate) room_id: String,
    pub(crate) http_config: Option<HttpConfig>,
    pub(crate) token: SecretFile,
    pub(crate) api_url: Option<String>,
    pub(crate) send_resolved: Option<bool>,
    pub(crate) message: Option<String>,
}

impl Webex {
    /// A message to `room_id` (a template), authenticated with the token read from a file
    /// (`http_config.authorization.credentials_file`).
    pub fn new(room_id: impl Into<String>, token: SecretFile) -> Webex {
        Webex {
            room_id: room_id.into(),
            http_config: None,
            token,
            api_url: None,
            send_resolved: None,
            message: None,
        }
    }

    pub fn send_resolved(mut self, send: bool) -> Webex {
        self.send_resolved = Some(send);
        self
    }
}

text_setters!(Webex {
    /// The API's URL (not a template).
    api_url,
    message,
});

/// HTTP client settings: a proxy, TLS, basic authentication with the password read from a
/// file. For every integration through [`Global::http_config`], or for one webhook through
/// [`Webhook::http_config`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HttpConfig {
    pub(crate) proxy_url: Option<String>,
    pub(crate) basic_auth: Option<(String, SecretFile)>,
    pub(crate) ca_file: Option<String>,
    pub(crate) cert_file: Option<String>,
    pub(crate) key_file: Option<String>,
    pub(crate) server_name: Option<String>,
    pub(crate) insecure_skip_verify: Option<bool>,
    pub(crate) follow_redirects: Option<bool>,
    pub(crate) enable_http2: Option<bool>,
}

text_setters!(HttpConfig {
    /// The proxy requests go through, `http://host:port`.
    proxy_url,
    /// The CA certificate file the server's certificate is checked against.
    ca_file,
    /// The client certificate file, for mutual TLS.
    cert_file,
    /// The client key file, for mutual TLS.
    key_file,
    /// The name the server's certificate must carry.
    server_name,
});

impl HttpConfig {
    pub fn new() -> HttpConfig {
        HttpConfig::default()
    }

    /// Basic authentication as `username`, the password read from a file.
    pub fn basic_auth(mut self, username: impl Into<String>, password: SecretFile) -> HttpConfig {
        self.basic_auth = Some((username.into(), password));
        self
    }

    /// Accepts any server certificate: for tests only.
    pub fn insecure_skip_verify(mut self, skip: bool) -> HttpConfig {
        self.insecure_skip_verify = Some(skip);
        self
    }

    pub fn follow_redirects(mut self, follow: bool) -> HttpConfig {
        self.follow_redirects = Some(follow);
        self
    }

    pub fn enable_http2(mut self, enable: bool) -> HttpConfig {
        self.enable_http2 = Some(enable);
        self
    }

    pub(crate) fn is_empty(&self) -> bool {
        *self == HttpConfig::default()
    }
}

/// One notification channel of a receiver.
///
/// Pushover, WeChat, Telegram and Discord have no type: AlertManager 0.25 reads their secrets
/// (`token`, `api_secret`, `bot_token`, `webhook_url`) only inline, and a spec only names secret
/// files (their `_file` forms came in AlertManager 0.26).
#[derive(Clone, Debug, PartialEq)]
pub enum Integration {
    Email(Email),
    Slack(Slack),
    PagerDuty(PagerDuty),
    Webhook(Webhook),
    OpsGenie(OpsGenie),
    VictorOps(VictorOps),
    Sns(Sns),
    Webex(Webex),
}

http_setter!(Slack, PagerDuty, OpsGenie, VictorOps, Sns, Webex);

impl Integration {
    /// Its own HTTP client settings.
    pub fn http(&self) -> Option<&HttpConfig> {
        match self {
            Integration::Email(_) => None,
            Integration::Slack(x) => x.http_config.as_ref(),
            Integration::PagerDuty(x) => x.http_config.as_ref(),
            Integration::Webhook(x) => x.http_config.as_ref(),
            Integration::OpsGenie(x) => x.http_config.as_ref(),
            Integration::VictorOps(x) => x.http_config.as_ref(),
            Integration::Sns(x) => x.http_config.as_ref(),
            Integration::Webex(x) => x.http_config.as_ref(),
        }
    }

    pub(crate) fn http_mut(&mut self) -> Option<&mut HttpConfig> {
        match self {
            Integration::Email(_) => None,
            Integration::Slack(x) => x.http_config.as_mut(),
            Integration::PagerDuty(x) => x.http_config.as_mut(),
            Integration::Webhook(x) => x.http_config.as_mut(),
            Integration::OpsGenie(x) => x.http_config.as_mut(),
            Integration::VictorOps(x) => x.http_config.as_mut(),
            Integration::Sns(x) => x.http_config.as_mut(),
            Integration::Webex(x) => x.http_config.as_mut(),
        }
    }

    /// The secret files it reads, its basic-auth password's included.
    pub fn secret_files(&self) -> Vec<&SecretFile> {
        let mut files = self.own_secret_files();
        files.extend(
            self.http()
                .and_then(|h| h.basic_auth.as_ref())
                .map(|(_, p)| p),
        );
        files
    }

    /// The secret files it reads, to rewrite.
    pub(crate) fn secret_files_mut(&mut self) -> Vec<&mut SecretFile> {
        // Each arm borrows the value's secret fields apart from its HTTP settings.
        let (mut files, http): (Vec<&mut SecretFile>, Option<&mut HttpConfig>) = match self {
            Integration::Email(_) => (Vec::new(), None),
            Integration::Slack(x) => (vec![&mut x.api_url], x.http_config.as_mut()),
            Integration::PagerDuty(x) => match &mut x.key {
                PagerDutyKey::RoutingKey(file) | PagerDutyKey::ServiceKey(file) => {
                    (vec![file], x.http_config.as_mut())
                }
            },
            Integration::Webhook(x) => {
                (x.bearer_token.iter_mut().collect(), x.http_config.as_mut())
            }
            Integration::OpsGenie(x) => (vec![&mut x.api_key], x.http_config.as_mut()),
            Integration::VictorOps(x) => (vec![&mut x.api_key], x.http_config.as_mut()),
            Integration::Sns(x) => (Vec::new(), x.http_config.as_mut()),
            Integration::Webex(x) => (vec![&mut x.token], x.http_config.as_mut()),
        };
        files.extend(http.and_then(|h| h.basic_auth.as_mut()).map(|(_, p)| p));
        files
    }

    fn own_secret_files(&self) -> Vec<&SecretFile> {
        match self {
            Integration::Email(_) | Integration::Sns(_) => Vec::new(),
            Integration::Slack(slack) => vec![&slack.api_url],
            Integration::PagerDuty(pd) => match &pd.key {
                PagerDutyKey::RoutingKey(file) | PagerDutyKey::ServiceKey(file) => vec![file],
            },
            Integration::Webhook(hook) => hook.bearer_token.iter().collect(),
            Integration::OpsGenie(o) => vec![&o.api_key],
            Integration::VictorOps(v) => vec![&v.api_key],
            Integration::Webex(w) => vec![&w.token],
        }
    }
}

/// A named set of notification channels routes send to.
#[derive(Clone, Debug, PartialEq)]
pub struct Receiver {
    pub(crate) name: String,
    pub(crate) integrations: Vec<Integration>,
    pub(crate) origin: Place,
}

impl Receiver {
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Receiver {
        Receiver {
            name: name.into(),
            integrations: Vec::new(),
            origin: Place::caller(),
        }
    }

    pub fn email(mut self, email: Email) -> Receiver {
        self.integrations.push(Integration::Email(email));
        self
    }

    pub fn slack(mut self, slack: Slack) -> Receiver {
        self.integrations.push(Integration::Slack(slack));
        self
    }

    pub fn pagerduty(mut self, pagerduty: PagerDuty) -> Receiver {
        self.integrations.push(Integration::PagerDuty(pagerduty));
        self
    }

    pub fn webhook(mut self, webhook: Webhook) -> Receiver {
        self.integrations.push(Integration::Webhook(webhook));
        self
    }

    pub fn opsgenie(mut self, opsgenie: OpsGenie) -> Receiver {
        self.integrations.push(Integration::OpsGenie(opsgenie));
        self
    }

    pub fn victorops(mut self, victorops: VictorOps) -> Receiver {
        self.integrations.push(Integration::VictorOps(victorops));
        self
    }

    pub fn sns(mut self, sns: Sns) -> Receiver {
        self.integrations.push(Integration::Sns(sns));
        self
    }

    pub fn webex(mut self, webex: Webex) -> Receiver {
        self.integrations.push(Integration::Webex(webex));
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// Mutes alerts matching `target` while an alert matching `source` fires with the same values
/// of the `equal` labels (a label missing on both counts as equal).
#[derive(Clone, Debug, PartialEq)]
pub struct InhibitRule {
    pub(crate) source: Vec<Matcher>,
    pub(crate) target: Vec<Matcher>,
    pub(crate) equal: Vec<String>,
    pub(crate) origin: Place,
}

impl InhibitRule {
    // No `Default`: the value records the line that declared it.
    #[allow(clippy::new_without_default)]
    #[track_caller]
    pub fn new() -> InhibitRule {
        InhibitRule {
            source: Vec::new(),
            target: Vec::new(),
            equal: Vec::new(),
            origin: Place::caller(),
        }
    }

    pub fn source(mut self, matcher: Matcher) -> InhibitRule {
        self.source.push(matcher);
        self
    }

    pub fn target(mut self, matcher: Matcher) -> InhibitRule {
        self.target.push(matcher);
        self
    }

    pub fn equal<S: Into<String>>(mut self, labels: impl IntoIterator<Item = S>) -> InhibitRule {
        self.equal.extend(labels.into_iter().map(Into::into));
        self
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Sunday,
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
}

impl Weekday {
    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Sunday => "sunday",
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Month {
    January,
    February,
    March,
    April,
    May,
    June,
    July,
    August,
    September,
    October,
    November,
    December,
}

impl Month {
    pub fn as_str(self) -> &'static str {
        match self {
            Month::January => "january",
            Month::February => "february",
            Month::March => "march",
            Month::April => "april",
            Month::May => "may",
            Month::June => "june",
            Month::July => "july",
            Month::August => "august",
            Month::September => "september",
            Month::October => "october",
            Month::November => "november",
            Month::December => "december",
        }
    }
}

/// A time of day, `HH:MM`, from 00:00 to 24:00, in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay {
    pub hour: u8,
    pub minute: u8,
}

/// `hour:minute`.
pub const fn at(hour: u8, minute: u8) -> TimeOfDay {
    TimeOfDay { hour, minute }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// One period of a time interval: it is on when every field set matches (an unset field
/// matches always). Times are UTC unless [`Period::location`] says otherwise.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Period {
    pub(crate) times: Vec<(TimeOfDay, TimeOfDay)>,
    pub(crate) weekdays: Vec<(Weekday, Weekday)>,
    pub(crate) days_of_month: Vec<(u8, u8)>,
    pub(crate) months: Vec<(Month, Month)>,
    pub(crate) years: Vec<(u32, u32)>,
    pub(crate) location: Option<String>,
}

impl Period {
    /// From year `first` to year `last`, both included.
    pub fn years(mut self, first: u32, last: u32) -> Period {
        self.years.push((first, last));
        self
    }

    /// The time zone the times, days and months are in, an IANA name (`Europe/Paris`); UTC
    /// when unset.
    pub fn location(mut self, location: impl Into<String>) -> Period {
        self.location = Some(location.into());
        self
    }

    pub fn new() -> Period {
        Period::default()
    }

    /// From `start` (included) to `end` (excluded).
    pub fn times(mut self, start: TimeOfDay, end: TimeOfDay) -> Period {
        self.times.push((start, end));
        self
    }

    /// From `first` to `last`, both included.
    pub fn weekdays(mut self, first: Weekday, last: Weekday) -> Period {
        self.weekdays.push((first, last));
        self
    }

    /// From day `first` to day `last` of the month (1 to 31), both included.
    pub fn days_of_month(mut self, first: u8, last: u8) -> Period {
        self.days_of_month.push((first, last));
        self
    }

    pub fn months(mut self, first: Month, last: Month) -> Period {
        self.months.push((first, last));
        self
    }
}

/// A named set of periods routes can be muted or made active in.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeInterval {
    pub(crate) name: String,
    pub(crate) periods: Vec<Period>,
    pub(crate) origin: Place,
}

impl TimeInterval {
    #[track_caller]
    pub fn new(name: impl Into<String>) -> TimeInterval {
        TimeInterval {
            name: name.into(),
            periods: Vec::new(),
            origin: Place::caller(),
        }
    }

    pub fn period(mut self, period: Period) -> TimeInterval {
        self.periods.push(period);
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A named notification template, `{{ define "name" }}body{{ end }}`, written to
/// `alertmanager/templates/notifications.tmpl`. Receivers call it with [`Template::call`].
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub(crate) name: String,
    pub(crate) body: String,
    pub(crate) origin: Place,
}

impl Template {
    #[track_caller]
    pub fn define(name: impl Into<String>, body: impl Into<String>) -> Template {
        Template {
            name: name.into(),
            body: body.into(),
            origin: Place::caller(),
        }
    }

    /// `{{ template "name" . }}`: the text a receiver field uses to render this template.
    pub fn call(&self) -> String {
        format!("{{{{ template \"{}\" . }}}}", self.name)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// The SMTP server email receivers send through.
#[derive(Clone, Debug, PartialEq)]
pub struct Smtp {
    pub(crate) smarthost: String,
    pub(crate) from: String,
    pub(crate) auth: Option<(String, SecretFile)>,
    pub(crate) require_tls: Option<bool>,
    pub(crate) hello: Option<String>,
    pub(crate) origin: Place,
}

impl Smtp {
    /// The host name sent in `HELO`/`EHLO` (AlertManager's default: `localhost`).
    pub fn hello(mut self, host: impl Into<String>) -> Smtp {
        self.hello = Some(host.into());
        self
    }

    /// `smarthost` is `host:port`; `from` the sender address.
    #[track_caller]
    pub fn new(smarthost: impl Into<String>, from: impl Into<String>) -> Smtp {
        Smtp {
            smarthost: smarthost.into(),
            from: from.into(),
            auth: None,
            require_tls: None,
            hello: None,
            origin: Place::caller(),
        }
    }

    /// Authenticates as `username`, the password read from a file (`smtp_auth_password_file`).
    pub fn auth(mut self, username: impl Into<String>, password: SecretFile) -> Smtp {
        self.auth = Some((username.into(), password));
        self
    }

    pub fn require_tls(mut self, require: bool) -> Smtp {
        self.require_tls = Some(require);
        self
    }
}

/// The `global` section.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Global {
    pub(crate) resolve_timeout: Option<Duration>,
    pub(crate) smtp: Option<Smtp>,
    pub(crate) http_config: Option<HttpConfig>,
}

impl Global {
    pub fn new() -> Global {
        Global::default()
    }

    /// How long an alert that stopped being sent is kept firing before it is resolved.
    pub fn resolve_timeout(mut self, duration: Duration) -> Global {
        self.resolve_timeout = Some(duration);
        self
    }

    pub fn smtp(mut self, smtp: Smtp) -> Global {
        self.smtp = Some(smtp);
        self
    }

    /// The HTTP client settings of every integration (a webhook may have its own).
    pub fn http_config(mut self, http: HttpConfig) -> Global {
        self.http_config = Some(http);
        self
    }
}

/// A whole AlertManager configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertManager {
    pub(crate) global: Global,
    pub(crate) route: Route,
    pub(crate) receivers: Vec<Receiver>,
    pub(crate) inhibit_rules: Vec<InhibitRule>,
    pub(crate) time_intervals: Vec<TimeInterval>,
    pub(crate) templates: Vec<Template>,
    pub(crate) origin: Place,
}

impl AlertManager {
    /// A configuration whose route tree starts at `route`, the root.
    #[track_caller]
    pub fn new(route: Route) -> AlertManager {
        AlertManager {
            global: Global::default(),
            route,
            receivers: Vec::new(),
            inhibit_rules: Vec::new(),
            time_intervals: Vec::new(),
            templates: Vec::new(),
            origin: Place::caller(),
        }
    }

    pub fn global(mut self, global: Global) -> AlertManager {
        self.global = global;
        self
    }

    /// Replaces every receiver's channels with one webhook to `url(receiver name)`, keeping the
    /// route tree, grouping and inhibition as they are: how a test stack sees, at a local sink,
    /// which receiver the routing tree chose. Never for production.
    pub fn redirect_to_webhooks(mut self, url: impl Fn(&str) -> String) -> AlertManager {
        for receiver in &mut self.receivers {
            receiver.integrations = vec![Integration::Webhook(
                Webhook::new(url(&receiver.name)).send_resolved(true),
            )];
        }
        self
    }

    pub fn receiver(mut self, receiver: Receiver) -> AlertManager {
        self.receivers.push(receiver);
        self
    }

    pub fn receivers(mut self, receivers: impl IntoIterator<Item = Receiver>) -> AlertManager {
        self.receivers.extend(receivers);
        self
    }

    pub fn inhibit(mut self, rule: InhibitRule) -> AlertManager {
        self.inhibit_rules.push(rule);
        self
    }

    pub fn time_interval(mut self, interval: TimeInterval) -> AlertManager {
        self.time_intervals.push(interval);
        self
    }

    pub fn template(mut self, template: Template) -> AlertManager {
        self.templates.push(template);
        self
    }
}
