//! AlertManager's configuration, `alertmanager/alertmanager.yml`, in the format AlertManager
//! 0.25 loads (`amtool check-config`), and its notification templates,
//! `alertmanager/templates/notifications.tmpl`, which the configuration loads by a path
//! relative to its own folder.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::alertmanager::ir::{self, Config};
use crate::alertmanager::{Integration, PagerDutyKey, Period};
use crate::output::Output;
use crate::syntax::duration::Duration;

/// The configuration file, relative to the output root.
pub const PATH: &str = "alertmanager/alertmanager.yml";
/// The notification templates, relative to the output root.
pub const TEMPLATES: &str = "alertmanager/templates/notifications.tmpl";

#[derive(Serialize)]
struct File {
    global: Global,
    route: Route,
    receivers: Vec<Receiver>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inhibit_rules: Vec<Inhibit>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    time_intervals: Vec<TimeInterval>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    templates: Vec<String>,
}

#[derive(Serialize)]
struct Global {
    #[serde(skip_serializing_if = "Option::is_none")]
    resolve_timeout: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_smarthost: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_auth_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_auth_password_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_require_tls: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smtp_hello: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_config: Option<HttpConfig>,
}

#[derive(Serialize)]
struct Route {
    #[serde(skip_serializing_if = "Option::is_none")]
    receiver: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matchers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_by: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_wait: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_interval: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat_interval: Option<Duration>,
    #[serde(rename = "continue", skip_serializing_if = "is_false")]
    continue_: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mute_time_intervals: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    active_time_intervals: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<Route>,
}

fn is_false(value: &bool) -> bool {
    !value
}

#[derive(Serialize)]
struct Receiver {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    email_configs: Vec<Email>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    slack_configs: Vec<Slack>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pagerduty_configs: Vec<PagerDuty>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    webhook_configs: Vec<Webhook>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    opsgenie_configs: Vec<OpsGenie>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    victorops_configs: Vec<VictorOps>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sns_configs: Vec<Sns>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    webex_configs: Vec<Webex>,
}

#[derive(Serialize)]
struct OpsGenie {
    api_key_file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_resolved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    details: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entity: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    responders: Vec<Responder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    actions: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    priority: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    update_alerts: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_config: Option<HttpConfig>,
}

#[derive(Serialize)]
struct Responder {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Serialize)]
struct VictorOps {
    api_key_file: String,
    routing_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_resolved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    state_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entity_display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    monitoring_tool: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    custom_fields: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_config: Option<HttpConfig>,
}

#[derive(Serialize)]
struct Sns {
    #[serde(skip_serializing_if = "Option::is_none")]
    topic_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sigv4: Option<SigV4>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_resolved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    attributes: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_config: Option<HttpConfig>,
}

#[derive(Serialize)]
struct SigV4 {
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    role_arn: Option<String>,
}

#[derive(Serialize)]
struct Webex {
    room_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    api_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_resolved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    http_config: HttpConfig,
}

#[derive(Serialize)]
struct Email {
    to: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_resolved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    html: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    headers: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Slack {
    api_url_file: String,
    channel: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_resolved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon_emoji: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_link: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pretext: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    footer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fallback: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thumb_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link_names: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_fields: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_config: Option<HttpConfig>,
}

#[derive(Serialize)]
struct PagerDuty {
    #[serde(skip_serializing_if = "Option::is_none")]
    routing_key_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_key_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_resolved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    component: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    details: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_config: Option<HttpConfig>,
}

#[derive(Serialize)]
struct Webhook {
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_resolved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_alerts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_config: Option<HttpConfig>,
}

#[derive(Serialize, Default)]
struct HttpConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    authorization: Option<Authorization>,
    #[serde(skip_serializing_if = "Option::is_none")]
    basic_auth: Option<BasicAuth>,
    #[serde(skip_serializing_if = "Option::is_none")]
    proxy_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_config: Option<Tls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    follow_redirects: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    enable_http2: Option<bool>,
}

#[derive(Serialize)]
struct BasicAuth {
    username: String,
    password_file: String,
}

#[derive(Serialize)]
struct Tls {
    #[serde(skip_serializing_if = "Option::is_none")]
    ca_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    server_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    insecure_skip_verify: Option<bool>,
}

/// An `http_config`: the settings, and a bearer token read from a file.
fn http_config(
    settings: Option<&crate::alertmanager::HttpConfig>,
    token: Option<&crate::alertmanager::SecretFile>,
) -> Option<HttpConfig> {
    let mut out = HttpConfig {
        authorization: token.map(|token| Authorization {
            kind: "Bearer",
            credentials_file: token.path.clone(),
        }),
        ..HttpConfig::default()
    };
    if let Some(h) = settings {
        out.basic_auth = h.basic_auth.as_ref().map(|(username, password)| BasicAuth {
            username: username.clone(),
            password_file: password.path.clone(),
        });
        out.proxy_url = h.proxy_url.clone();
        let tls = Tls {
            ca_file: h.ca_file.clone(),
            cert_file: h.cert_file.clone(),
            key_file: h.key_file.clone(),
            server_name: h.server_name.clone(),
            insecure_skip_verify: h.insecure_skip_verify,
        };
        let has_tls = tls.ca_file.is_some()
            || tls.cert_file.is_some()
            || tls.key_file.is_some()
            || tls.server_name.is_some()
            || tls.insecure_skip_verify.is_some();
        out.tls_config = has_tls.then_some(tls);
        out.follow_redirects = h.follow_redirects;
        out.enable_http2 = h.enable_http2;
    }
    let empty = out.authorization.is_none()
        && out.basic_auth.is_none()
        && out.proxy_url.is_none()
        && out.tls_config.is_none()
        && out.follow_redirects.is_none()
        && out.enable_http2.is_none();
    (!empty).then_some(out)
}

#[derive(Serialize)]
struct Authorization {
    #[serde(rename = "type")]
    kind: &'static str,
    credentials_file: String,
}

#[derive(Serialize)]
struct Inhibit {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    source_matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    target_matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    equal: Vec<String>,
}

#[derive(Serialize)]
struct TimeInterval {
    name: String,
    time_intervals: Vec<Interval>,
}

#[derive(Serialize)]
struct Interval {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    times: Vec<Times>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    weekdays: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    days_of_month: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    months: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    years: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<String>,
}

#[derive(Serialize)]
struct Times {
    start_time: String,
    end_time: String,
}

pub fn emit(config: &Config, out: &mut Output) {
    let source = config.origin.file();
    out.add(
        PATH,
        format!(
            "{}{}",
            crate::output::yaml_header(source),
            render(config, "templates/*.tmpl")
        ),
    );
    if let Some(text) = render_templates(config) {
        out.add(TEMPLATES, text);
    }
}

/// The configuration's YAML, loading its templates from `templates_glob` (AlertManager reads a
/// relative glob from the configuration's folder).
pub fn render(config: &Config, templates_glob: &str) -> String {
    let smtp = config.global.smtp.as_ref();
    let file = File {
        global: Global {
            resolve_timeout: config.global.resolve_timeout,
            smtp_smarthost: smtp.map(|s| s.smarthost.clone()),
            smtp_from: smtp.map(|s| s.from.clone()),
            smtp_auth_username: smtp.and_then(|s| s.auth.as_ref().map(|(user, _)| user.clone())),
            smtp_auth_password_file: smtp
                .and_then(|s| s.auth.as_ref().map(|(_, file)| file.path.clone())),
            smtp_require_tls: smtp.and_then(|s| s.require_tls),
            smtp_hello: smtp.and_then(|s| s.hello.clone()),
            http_config: http_config(config.global.http_config.as_ref(), None),
        },
        route: route(&config.route),
        receivers: config.receivers.iter().map(receiver).collect(),
        inhibit_rules: config.inhibit_rules.iter().map(inhibit).collect(),
        time_intervals: config
            .time_intervals
            .iter()
            .map(|t| TimeInterval {
                name: t.name.clone(),
                time_intervals: t.periods.iter().map(period).collect(),
            })
            .collect(),
        templates: if config.templates.is_empty() {
            Vec::new()
        } else {
            vec![templates_glob.to_string()]
        },
    };
    serde_yaml::to_string(&file).expect("the configuration serializes")
}

/// The notification templates file, when the configuration defines templates.
pub fn render_templates(config: &Config) -> Option<String> {
    if config.templates.is_empty() {
        return None;
    }
    let source = config.origin.file();
    let mut text = format!("{{{{/* Code generated by Sextant from {source}. DO NOT EDIT. */}}}}\n");
    for template in &config.templates {
        text.push_str(&format!(
            "\n{{{{ define \"{}\" }}}}{}{{{{ end }}}}\n",
            template.name, template.body
        ));
    }
    Some(text)
}

fn matchers(matchers: &[ir::Matcher]) -> Vec<String> {
    matchers.iter().map(ir::Matcher::text).collect()
}

fn route(route: &ir::Route) -> Route {
    Route {
        receiver: route.own_receiver.then(|| route.receiver.clone()),
        matchers: matchers(&route.matchers),
        group_by: route.group_by.clone(),
        group_wait: route.group_wait,
        group_interval: route.group_interval,
        repeat_interval: route.repeat_interval,
        continue_: route.continue_,
        mute_time_intervals: route.mute_time_intervals.clone(),
        active_time_intervals: route.active_time_intervals.clone(),
        routes: route.routes.iter().map(self::route).collect(),
    }
}

fn receiver(receiver: &crate::alertmanager::Receiver) -> Receiver {
    let mut out = Receiver {
        name: receiver.name.clone(),
        email_configs: Vec::new(),
        slack_configs: Vec::new(),
        pagerduty_configs: Vec::new(),
        webhook_configs: Vec::new(),
        opsgenie_configs: Vec::new(),
        victorops_configs: Vec::new(),
        sns_configs: Vec::new(),
        webex_configs: Vec::new(),
    };
    for integration in &receiver.integrations {
        match integration {
            Integration::Email(email) => out.email_configs.push(Email {
                to: email.to.clone(),
                send_resolved: email.send_resolved,
                html: email.html.clone(),
                text: email.text.clone(),
                headers: email
                    .subject
                    .iter()
                    .map(|s| ("Subject".to_string(), s.clone()))
                    .chain(email.headers.iter().cloned())
                    .collect(),
            }),
            Integration::Slack(slack) => out.slack_configs.push(Slack {
                api_url_file: slack.api_url.path.clone(),
                http_config: http_config(slack.http_config.as_ref(), None),
                channel: slack.channel.clone(),
                send_resolved: slack.send_resolved,
                title: slack.title.clone(),
                text: slack.text.clone(),
                username: slack.username.clone(),
                color: slack.color.clone(),
                icon_emoji: slack.icon_emoji.clone(),
                icon_url: slack.icon_url.clone(),
                title_link: slack.title_link.clone(),
                pretext: slack.pretext.clone(),
                footer: slack.footer.clone(),
                fallback: slack.fallback.clone(),
                callback_id: slack.callback_id.clone(),
                image_url: slack.image_url.clone(),
                thumb_url: slack.thumb_url.clone(),
                link_names: slack.link_names,
                short_fields: slack.short_fields,
            }),
            Integration::PagerDuty(pd) => {
                let (routing, service) = match &pd.key {
                    PagerDutyKey::RoutingKey(key) => (Some(key.path.clone()), None),
                    PagerDutyKey::ServiceKey(key) => (None, Some(key.path.clone())),
                };
                out.pagerduty_configs.push(PagerDuty {
                    routing_key_file: routing,
                    http_config: http_config(pd.http_config.as_ref(), None),
                    service_key_file: service,
                    send_resolved: pd.send_resolved,
                    description: pd.description.clone(),
                    url: pd.url.clone(),
                    client: pd.client.clone(),
                    client_url: pd.client_url.clone(),
                    source: pd.source.clone(),
                    severity: pd.severity.clone(),
                    class: pd.class.clone(),
                    component: pd.component.clone(),
                    group: pd.group.clone(),
                    details: pd.details.iter().cloned().collect(),
                });
            }
            Integration::Webhook(hook) => out.webhook_configs.push(Webhook {
                url: hook.url.clone(),
                send_resolved: hook.send_resolved,
                max_alerts: hook.max_alerts,
                http_config: http_config(hook.http_config.as_ref(), hook.bearer_token.as_ref()),
            }),
            Integration::OpsGenie(o) => out.opsgenie_configs.push(OpsGenie {
                api_key_file: o.api_key.path.clone(),
                http_config: http_config(o.http_config.as_ref(), None),
                api_url: o.api_url.clone(),
                send_resolved: o.send_resolved,
                message: o.message.clone(),
                description: o.description.clone(),
                source: o.source.clone(),
                details: o.details.iter().cloned().collect(),
                entity: o.entity.clone(),
                responders: o
                    .responders
                    .iter()
                    .map(|r| Responder {
                        id: r.id.clone(),
                        name: r.name.clone(),
                        username: r.username.clone(),
                        kind: r.kind.clone(),
                    })
                    .collect(),
                actions: o.actions.clone(),
                tags: o.tags.clone(),
                note: o.note.clone(),
                priority: o.priority.clone(),
                update_alerts: o.update_alerts,
            }),
            Integration::VictorOps(v) => out.victorops_configs.push(VictorOps {
                api_key_file: v.api_key.path.clone(),
                http_config: http_config(v.http_config.as_ref(), None),
                routing_key: v.routing_key.clone(),
                api_url: v.api_url.clone(),
                send_resolved: v.send_resolved,
                message_type: v.message_type.clone(),
                state_message: v.state_message.clone(),
                entity_display_name: v.entity_display_name.clone(),
                monitoring_tool: v.monitoring_tool.clone(),
                custom_fields: v.custom_fields.iter().cloned().collect(),
            }),
            Integration::Sns(sns) => out.sns_configs.push(Sns {
                topic_arn: sns.topic_arn.clone(),
                http_config: http_config(sns.http_config.as_ref(), None),
                target_arn: sns.target_arn.clone(),
                phone_number: sns.phone_number.clone(),
                api_url: sns.api_url.clone(),
                sigv4: (sns.region.is_some() || sns.profile.is_some() || sns.role_arn.is_some())
                    .then(|| SigV4 {
                        region: sns.region.clone(),
                        profile: sns.profile.clone(),
                        role_arn: sns.role_arn.clone(),
                    }),
                send_resolved: sns.send_resolved,
                subject: sns.subject.clone(),
                message: sns.message.clone(),
                attributes: sns.attributes.iter().cloned().collect(),
            }),
            Integration::Webex(w) => out.webex_configs.push(Webex {
                room_id: w.room_id.clone(),
                api_url: w.api_url.clone(),
                send_resolved: w.send_resolved,
                message: w.message.clone(),
                http_config: http_config(w.http_config.as_ref(), Some(&w.token))
                    .expect("a Webex config has a token"),
            }),
        }
    }
    out
}

fn inhibit(rule: &ir::Inhibit) -> Inhibit {
    Inhibit {
        source_matchers: matchers(&rule.source),
        target_matchers: matchers(&rule.target),
        equal: rule.equal.clone(),
    }
}

fn range<T: PartialEq>(ranges: &[(T, T)], show: impl Fn(&T) -> String) -> Vec<String> {
    ranges
        .iter()
        .map(|(first, last)| {
            if first == last {
                show(first)
            } else {
                format!("{}:{}", show(first), show(last))
            }
        })
        .collect()
}

fn period(period: &Period) -> Interval {
    Interval {
        times: period
            .times
            .iter()
            .map(|(start, end)| Times {
                start_time: start.to_string(),
                end_time: end.to_string(),
            })
            .collect(),
        weekdays: range(&period.weekdays, |d| d.as_str().to_string()),
        days_of_month: range(&period.days_of_month, u8::to_string),
        months: range(&period.months, |m| m.as_str().to_string()),
        years: range(&period.years, u32::to_string),
        location: period.location.clone(),
    }
}
