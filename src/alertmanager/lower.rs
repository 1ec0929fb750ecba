//! Lowering an [`AlertManager`] into a validated [`Config`], collecting every diagnostic.
//!
//! The errors are what AlertManager 0.25 rejects when it loads the file (`amtool check-config`),
//! with its wording where it has one: a receiver that is undefined or declared twice, a root
//! route without a default receiver or with matchers, `continue` or time intervals, a label
//! repeated in `group_by`, a zero `group_interval` or `repeat_interval`, an undefined or repeated
//! time interval, invalid label names and regexes, an email receiver without an SMTP server.
//! A few are stricter than AlertManager where it would fail later, at notification time (an
//! email address without `@`, a call of a template that is not defined).
//!
//! The warnings go beyond it, on the route tree alone: routes that can never match and
//! receivers or time intervals nothing uses. Checks against the alert rules are in
//! [`super::checks`].

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;

use crate::alertmanager::codes;
use crate::diagnostics::{Diagnostic, Place};
use crate::syntax::gotmpl;
use crate::syntax::promql::is_label_name;

use super::ir::{self, Config};
use super::{AlertManager, Integration, MatchOp, Matcher, PagerDutyKey, Period, Route, SecretFile};

/// Lowers `am`; `None` when it has errors (the diagnostics say which).
pub fn lower(am: &AlertManager, diagnostics: &mut Vec<Diagnostic>) -> Option<Config> {
    let before = errors(diagnostics);
    let receivers = receivers(am, diagnostics);
    let intervals = time_intervals(am, diagnostics);
    let templates = templates(am, diagnostics);
    global(am, diagnostics);
    receiver_fields(am, &templates, diagnostics);
    root(&am.route, diagnostics);
    let parent = Inherited {
        receiver: am.route.receiver.clone().unwrap_or_default(),
    };
    let route = route(&am.route, &parent, &receivers, &intervals, diagnostics);
    let inhibit_rules = am
        .inhibit_rules
        .iter()
        .map(|rule| ir::Inhibit {
            source: matchers(
                &rule.source,
                "inhibit rule source",
                &rule.origin,
                diagnostics,
            ),
            target: matchers(
                &rule.target,
                "inhibit rule target",
                &rule.origin,
                diagnostics,
            ),
            equal: {
                label_names(
                    &rule.equal,
                    "equal",
                    "inhibit rule",
                    &rule.origin,
                    diagnostics,
                );
                rule.equal.clone()
            },
            origin: rule.origin.clone(),
        })
        .collect();
    if errors(diagnostics) > before {
        return None;
    }
    let config = Config {
        global: am.global.clone(),
        route,
        receivers: am.receivers.clone(),
        inhibit_rules,
        time_intervals: am.time_intervals.clone(),
        templates: am.templates.clone(),
        origin: am.origin.clone(),
    };
    unreachable_routes(&config.route, diagnostics);
    unused(&config, diagnostics);
    Some(config)
}

fn errors(diagnostics: &[Diagnostic]) -> usize {
    diagnostics.iter().filter(|d| d.is_error()).count()
}

fn receivers<'a>(am: &'a AlertManager, out: &mut Vec<Diagnostic>) -> BTreeSet<&'a str> {
    let mut seen: BTreeMap<&str, &Place> = BTreeMap::new();
    for receiver in &am.receivers {
        if receiver.name.is_empty() {
            out.push(
                Diagnostic::error(codes::RECEIVER, "missing name in receiver").at(&receiver.origin),
            );
            continue;
        }
        if let Some(first) = seen.insert(&receiver.name, &receiver.origin) {
            out.push(
                Diagnostic::error(
                    codes::DUPLICATE_RECEIVER,
                    format!("notification config name {:?} is not unique", receiver.name),
                )
                .at(&receiver.origin)
                .snippet(
                    "receiver",
                    receiver.name.as_str(),
                    0..receiver.name.len(),
                    "declared again here",
                )
                .related(first, "first declared here")
                .note("give each receiver its own name, or merge their integrations into one"),
            );
        }
    }
    seen.into_keys().collect()
}

fn time_intervals<'a>(am: &'a AlertManager, out: &mut Vec<Diagnostic>) -> BTreeSet<&'a str> {
    let mut seen: BTreeMap<&str, &Place> = BTreeMap::new();
    for interval in &am.time_intervals {
        let origin = &interval.origin;
        let what = format!("time interval {:?}", interval.name);
        if interval.name.is_empty() {
            out.push(
                Diagnostic::error(codes::TIME_INTERVAL, "missing name in time interval").at(origin),
            );
        } else if let Some(first) = seen.insert(&interval.name, origin) {
            out.push(
                Diagnostic::error(
                    codes::DUPLICATE_TIME_INTERVAL,
                    format!("time interval {:?} is not unique", interval.name),
                )
                .at(origin)
                .related(first, "first declared here"),
            );
        }
        for period in &interval.periods {
            period_faults(period, &what, origin, out);
        }
    }
    seen.into_keys().collect()
}

fn period_faults(period: &Period, what: &str, origin: &Place, out: &mut Vec<Diagnostic>) {
    let mut fault = |message: String, note: &str| {
        out.push(
            Diagnostic::error(codes::TIME_INTERVAL, format!("{what}: {message}"))
                .at(origin)
                .note(note.to_string()),
        );
    };
    for (start, end) in &period.times {
        for t in [start, end] {
            if t.minute > 59 || t.hour > 24 || (t.hour == 24 && t.minute > 0) {
                fault(
                    format!("time {t} is out of range"),
                    "a time of day runs from 00:00 to 24:00",
                );
            }
        }
        if start >= end {
            fault(
                format!("start time {start} cannot be equal or greater than end time {end}"),
                "a time range cannot wrap midnight: split it into two, up to 24:00 and from 00:00",
            );
        }
    }
    for (first, last) in &period.weekdays {
        if first > last {
            fault(
                format!(
                    "start day {} cannot be after end day {}",
                    first.as_str(),
                    last.as_str()
                ),
                "weeks run from sunday to saturday: split a range over the weekend in two",
            );
        }
    }
    for (first, last) in &period.days_of_month {
        if !(1..=31).contains(first) || !(1..=31).contains(last) || first > last {
            fault(
                format!("invalid days of month {first}:{last}"),
                "days of month run from 1 to 31, the first not after the last",
            );
        }
    }
    for (first, last) in &period.months {
        if first > last {
            fault(
                format!(
                    "start month {} cannot be after end month {}",
                    first.as_str(),
                    last.as_str()
                ),
                "split a range over the new year in two",
            );
        }
    }
}

fn templates(am: &AlertManager, out: &mut Vec<Diagnostic>) -> BTreeSet<String> {
    let mut seen: BTreeMap<&str, &Place> = BTreeMap::new();
    for template in &am.templates {
        let what = format!("template {:?}", template.name);
        if template.name.is_empty() || template.name.contains(['"', '\\', '\n']) {
            out.push(
                Diagnostic::error(
                    codes::TEMPLATE,
                    format!("invalid template name {:?}", template.name),
                )
                .at(&template.origin)
                .note("name templates with letters, digits, `.`, `_` and `-`"),
            );
        } else if let Some(first) = seen.insert(&template.name, &template.origin) {
            out.push(
                Diagnostic::error(codes::TEMPLATE, format!("{what} is defined twice"))
                    .at(&template.origin)
                    .related(first, "first defined here")
                    .note("the later definition would silently replace the first"),
            );
        }
        template_text(&what, "body", &template.body, &template.origin, out);
    }
    seen.into_keys().map(str::to_string).collect()
}

/// Checks a notification template's syntax; returns the templates it calls.
fn template_text(
    what: &str,
    field: &str,
    text: &str,
    origin: &Place,
    out: &mut Vec<Diagnostic>,
) -> Vec<(String, std::ops::Range<usize>)> {
    if let Err(e) = gotmpl::check_as(text, gotmpl::Dialect::AlertManager) {
        out.push(
            Diagnostic::error(
                codes::TEMPLATE,
                format!("{field} of {what} is not a valid template: {}", e.message),
            )
            .at(origin)
            .snippet(format!("{what}: {field}"), text, e.range, "here"),
        );
        return Vec::new();
    }
    let mut calls = Vec::new();
    let mut rest = 0;
    while let Some(found) = text[rest..].find("template \"") {
        let start = rest + found + "template \"".len();
        let Some(len) = text[start..].find('"') else {
            break;
        };
        calls.push((text[start..start + len].to_string(), start..start + len));
        rest = start + len;
    }
    calls
}

fn global(am: &AlertManager, out: &mut Vec<Diagnostic>) {
    let has_email = am
        .receivers
        .iter()
        .flat_map(|r| &r.integrations)
        .any(|i| matches!(i, Integration::Email(_)));
    match &am.global.smtp {
        None if has_email => {
            let receiver = am
                .receivers
                .iter()
                .find(|r| {
                    r.integrations
                        .iter()
                        .any(|i| matches!(i, Integration::Email(_)))
                })
                .expect("an email receiver exists");
            out.push(
                Diagnostic::error(codes::SMTP, "no global SMTP smarthost set")
                    .at(&receiver.origin)
                    .snippet(
                        "receiver",
                        receiver.name.as_str(),
                        0..receiver.name.len(),
                        "sends email",
                    )
                    .note(advice(
                        &receiver.origin,
                        "set the SMTP server with Global::new().smtp(Smtp::new(\"host:587\", \"from@example.com\"))",
                        "set `smtp_smarthost` and `smtp_from` under `global`, or `smarthost` and `from` in each email config",
                    )),
            );
        }
        Some(smtp) => {
            if !is_host_port(&smtp.smarthost) {
                out.push(
                    Diagnostic::error(
                        codes::SMTP,
                        format!("SMTP smarthost {:?} is not host:port", smtp.smarthost),
                    )
                    .at(&smtp.origin)
                    .snippet(
                        "smarthost",
                        smtp.smarthost.as_str(),
                        0..smtp.smarthost.len(),
                        "missing port in address",
                    )
                    .note("AlertManager needs the port too, such as `smtp.example.com:587`"),
                );
            }
            if !is_email(&smtp.from) {
                out.push(
                    Diagnostic::error(
                        codes::SMTP,
                        format!("SMTP from address {:?} is not an email address", smtp.from),
                    )
                    .at(&smtp.origin)
                    .snippet(
                        "from",
                        smtp.from.as_str(),
                        0..smtp.from.len(),
                        "no `@`",
                    ),
                );
            }
            if let Some((user, password)) = &smtp.auth {
                if user.is_empty() {
                    out.push(
                        Diagnostic::error(codes::SMTP, "empty SMTP auth username").at(&smtp.origin),
                    );
                }
                secret_file(password, "the SMTP password", out);
            }
        }
        None => {}
    }
}

fn receiver_fields(am: &AlertManager, templates: &BTreeSet<String>, out: &mut Vec<Diagnostic>) {
    for receiver in &am.receivers {
        let what = format!("receiver {:?}", receiver.name);
        let origin = &receiver.origin;
        let mut texts: Vec<(&str, &str)> = Vec::new();
        for integration in &receiver.integrations {
            match integration {
                Integration::Email(email) => {
                    if !is_email(&email.to) {
                        out.push(
                            Diagnostic::error(
                                codes::EMAIL,
                                format!("{what} sends email to {:?}, not an address", email.to),
                            )
                            .at(origin)
                            .snippet(
                                "to",
                                email.to.as_str(),
                                0..email.to.len(),
                                "no `@`",
                            ),
                        );
                    }
                    texts.extend(email.html.as_deref().map(|t| ("html", t)));
                    texts.extend(email.text.as_deref().map(|t| ("text", t)));
                    texts.extend(email.subject.as_deref().map(|t| ("subject", t)));
                    texts.extend(email.headers.iter().map(|(_, t)| ("headers", t.as_str())));
                }
                Integration::Slack(slack) => {
                    secret_file(&slack.api_url, "the Slack webhook URL", out);
                    for (field, text) in slack.texts() {
                        texts.extend(text.as_deref().map(|t| (field, t)));
                    }
                }
                Integration::PagerDuty(pd) => {
                    let key = match &pd.key {
                        PagerDutyKey::RoutingKey(key) | PagerDutyKey::ServiceKey(key) => key,
                    };
                    secret_file(key, "the PagerDuty key", out);
                    texts.extend(pd.description.as_deref().map(|t| ("description", t)));
                    for (field, text) in [
                        ("client", &pd.client),
                        ("client_url", &pd.client_url),
                        ("source", &pd.source),
                        ("severity", &pd.severity),
                        ("class", &pd.class),
                        ("component", &pd.component),
                        ("group", &pd.group),
                    ] {
                        texts.extend(text.as_deref().map(|t| (field, t)));
                    }
                    texts.extend(pd.details.iter().map(|(_, t)| ("details", t.as_str())));
                }
                Integration::Webhook(hook) => {
                    if !is_http_url(&hook.url) {
                        out.push(
                            Diagnostic::error(
                                codes::WEBHOOK,
                                format!("{what} has an invalid webhook URL {:?}", hook.url),
                            )
                            .at(origin)
                            .snippet(
                                "url",
                                hook.url.as_str(),
                                0..hook.url.len(),
                                "not an http(s) URL",
                            )
                            .note("a webhook URL is `http://host[:port]/path` or `https://...`"),
                        );
                    }
                    if let Some(token) = &hook.bearer_token {
                        secret_file(token, "the webhook bearer token", out);
                    }
                }
                Integration::OpsGenie(o) => {
                    secret_file(&o.api_key, "the OpsGenie API key", out);
                    for r in &o.responders {
                        let kinds = ["team", "teams", "user", "escalation", "schedule"];
                        if !r.kind.contains("{{")
                            && !kinds.contains(&r.kind.to_lowercase().as_str())
                        {
                            out.push(
                                Diagnostic::error(
                                    codes::INTEGRATION,
                                    format!("{what} has an OpsGenie responder of type {:?}, which does not match valid options ^(team|teams|user|escalation|schedule)$", r.kind),
                                )
                                .at(origin),
                            );
                        }
                        if r.id.is_none() && r.name.is_none() && r.username.is_none() {
                            out.push(
                                Diagnostic::error(
                                    codes::INTEGRATION,
                                    format!("{what} has an OpsGenie responder without id, username or name"),
                                )
                                .at(origin)
                                .note("identify it with OpsGenieResponder::id, ::name or ::username"),
                            );
                        }
                    }
                    for (field, text) in o.texts() {
                        texts.extend(text.as_deref().map(|t| (field, t)));
                    }
                    texts.extend(o.details.iter().map(|(_, t)| ("details", t.as_str())));
                    for r in &o.responders {
                        for text in [&r.id, &r.name, &r.username] {
                            texts.extend(text.as_deref().map(|t| ("responders", t)));
                        }
                    }
                }
                Integration::VictorOps(v) => {
                    secret_file(&v.api_key, "the VictorOps API key", out);
                    const FIXED: &[&str] = &[
                        "routing_key",
                        "message_type",
                        "state_message",
                        "entity_display_name",
                        "monitoring_tool",
                        "entity_id",
                        "entity_state",
                    ];
                    for (name, _) in &v.custom_fields {
                        if FIXED.contains(&name.as_str()) {
                            out.push(
                                Diagnostic::error(
                                    codes::INTEGRATION,
                                    format!("{what} has VictorOps custom field {name}, which conflicts with the fixed field of that name"),
                                )
                                .at(origin)
                                .note("set the fixed field with its own VictorOps method, or rename the custom field"),
                            );
                        }
                    }
                    if v.routing_key.is_empty() {
                        out.push(
                            Diagnostic::error(
                                codes::INTEGRATION,
                                format!("{what} has an empty VictorOps routing key"),
                            )
                            .at(origin),
                        );
                    }
                    texts.push(("routing_key", v.routing_key.as_str()));
                    for (field, text) in [
                        ("message_type", &v.message_type),
                        ("state_message", &v.state_message),
                        ("entity_display_name", &v.entity_display_name),
                        ("monitoring_tool", &v.monitoring_tool),
                    ] {
                        texts.extend(text.as_deref().map(|t| (field, t)));
                    }
                    texts.extend(
                        v.custom_fields
                            .iter()
                            .map(|(_, t)| ("custom_fields", t.as_str())),
                    );
                }
                Integration::Sns(sns) => {
                    for (field, text) in [
                        ("topic_arn", &sns.topic_arn),
                        ("target_arn", &sns.target_arn),
                        ("phone_number", &sns.phone_number),
                        ("subject", &sns.subject),
                        ("message", &sns.message),
                    ] {
                        texts.extend(text.as_deref().map(|t| (field, t)));
                    }
                    texts.extend(
                        sns.attributes
                            .iter()
                            .map(|(_, t)| ("attributes", t.as_str())),
                    );
                }
                Integration::Webex(w) => {
                    secret_file(&w.token, "the Webex token", out);
                    if w.room_id.is_empty() {
                        out.push(
                            Diagnostic::error(
                                codes::INTEGRATION,
                                format!("{what} has a Webex config without room_id"),
                            )
                            .at(origin),
                        );
                    }
                    texts.push(("room_id", w.room_id.as_str()));
                    texts.extend(w.message.as_deref().map(|t| ("message", t)));
                }
            }
        }
        for integration in &receiver.integrations {
            if let Some((_, password)) = integration.http().and_then(|h| h.basic_auth.as_ref()) {
                secret_file(password, "a basic-auth password", out);
            }
        }
        for (field, text) in texts {
            for (called, range) in template_text(&what, field, text, origin, out) {
                if !templates.contains(&called) {
                    out.push(
                        Diagnostic::error(
                            codes::TEMPLATE,
                            format!("{field} of {what} calls template {called:?}, which is not defined"),
                        )
                        .at(origin)
                        .snippet(format!("{what}: {field}"), text, range, "not defined")
                        .note(advice(
                            origin,
                            "define it with AlertManager::template(Template::define(..)), and call it with Template::call",
                            "define it with `{{ define \"name\" }}` in a file the `templates` globs match",
                        )),
                    );
                }
            }
        }
    }
}

fn secret_file(file: &SecretFile, what: &str, out: &mut Vec<Diagnostic>) {
    if file.path.trim().is_empty() {
        out.push(
            Diagnostic::error(codes::SECRET_FILE, format!("empty file path for {what}"))
                .at(&file.origin)
                .note("give the path of the file AlertManager reads the secret from"),
        );
    }
}

fn root(route: &Route, out: &mut Vec<Diagnostic>) {
    let origin = &route.origin;
    if let Some(first) = route.matchers.first() {
        out.push(
            Diagnostic::error(codes::ROOT_ROUTE, "root route must not have any matchers")
                .at(origin)
                .snippet(
                    "route",
                    first.name.as_str(),
                    0..first.name.len(),
                    "a matcher",
                )
                .note("the root receives every alert: move the matchers to a child route"),
        );
    }
    let mut fault = |message: &str, note: &str| {
        out.push(
            Diagnostic::error(codes::ROOT_ROUTE, message.to_string())
                .at(origin)
                .note(note.to_string()),
        );
    };
    if route.receiver.is_none() {
        fault(
            "root route must specify a default receiver",
            advice(
                origin,
                "build the root with Route::to(\"<receiver>\"): alerts no child route matches go there",
                "set `receiver` on the root route: alerts no child route matches go there",
            ),
        );
    }
    if route.continue_ {
        fault(
            "cannot have continue in root route",
            "the root has no siblings to continue to",
        );
    }
    if !route.mute_time_intervals.is_empty() {
        fault(
            "root route must not have any mute time intervals",
            "mute a child route instead",
        );
    }
    if !route.active_time_intervals.is_empty() {
        fault(
            "root route must not have any active time intervals",
            "make a child route active instead",
        );
    }
}

struct Inherited {
    receiver: String,
}

fn route(
    route: &Route,
    parent: &Inherited,
    receivers: &BTreeSet<&str>,
    intervals: &BTreeSet<&str>,
    out: &mut Vec<Diagnostic>,
) -> ir::Route {
    let origin = &route.origin;
    if let Some(receiver) = &route.receiver {
        if !receiver.is_empty() && !receivers.contains(receiver.as_str()) {
            out.push(
                Diagnostic::error(
                    codes::UNDEFINED_RECEIVER,
                    format!("undefined receiver {receiver:?} used in route"),
                )
                .at(origin)
                .snippet(
                    "route",
                    receiver.as_str(),
                    0..receiver.len(),
                    "not declared",
                )
                .note(format!(
                    "declared receivers: {}",
                    receivers.iter().copied().collect::<Vec<_>>().join(", ")
                )),
            );
        }
    }
    if let Some(group_by) = &route.group_by {
        let all = group_by.iter().any(|l| l == "...");
        if all && group_by.len() > 1 {
            out.push(
                Diagnostic::error(
                    codes::GROUP_BY,
                    "cannot have wildcard group_by (`...`) and other labels at the same time",
                )
                .at(origin)
                .note("`...` already groups by every label"),
            );
        }
        let named: Vec<String> = group_by.iter().filter(|l| *l != "...").cloned().collect();
        label_names(&named, "group_by", "route", origin, out);
    }
    for (name, value) in [
        ("group_interval", route.group_interval),
        ("repeat_interval", route.repeat_interval),
    ] {
        if value.is_some_and(|d| d.is_zero()) {
            out.push(
                Diagnostic::error(codes::INTERVAL, format!("{name} cannot be zero"))
                    .at(origin)
                    .note(format!("leave {name} unset to inherit the parent's")),
            );
        }
    }
    if let (Some(group), Some(repeat)) = (route.group_interval, route.repeat_interval) {
        if !repeat.is_zero() && repeat < group {
            out.push(
                Diagnostic::warning(
                    codes::REPEAT_INTERVAL,
                    format!("repeat_interval {repeat} is shorter than group_interval {group}"),
                )
                .at(origin)
                .note("AlertManager repeats only at group_interval ticks, so the repeat comes at the next one"),
            );
        }
    }
    for name in route
        .mute_time_intervals
        .iter()
        .chain(&route.active_time_intervals)
    {
        if !intervals.contains(name.as_str()) {
            out.push(
                Diagnostic::error(
                    codes::UNDEFINED_TIME_INTERVAL,
                    format!("undefined time interval {name:?} used in route"),
                )
                .at(origin)
                .snippet("route", name.as_str(), 0..name.len(), "not declared")
                .note(advice(
                    origin,
                    "declare it with AlertManager::time_interval(TimeInterval::new(..))",
                    "declare it under the top-level `time_intervals`",
                )),
            );
        }
    }
    let matchers = matchers(&route.matchers, "route", origin, out);
    let receiver = route
        .receiver
        .clone()
        .unwrap_or_else(|| parent.receiver.clone());
    let inherited = Inherited {
        receiver: receiver.clone(),
    };
    ir::Route {
        own_receiver: route.receiver.is_some(),
        receiver,
        matchers,
        group_by: route.group_by.clone(),
        group_wait: route.group_wait,
        group_interval: route.group_interval,
        repeat_interval: route.repeat_interval,
        continue_: route.continue_,
        mute_time_intervals: route.mute_time_intervals.clone(),
        active_time_intervals: route.active_time_intervals.clone(),
        routes: route
            .routes
            .iter()
            .map(|child| self::route(child, &inherited, receivers, intervals, out))
            .collect(),
        origin: origin.clone(),
    }
}

fn label_names(
    labels: &[String],
    field: &str,
    what: &str,
    origin: &Place,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen = BTreeSet::new();
    for label in labels {
        if !is_label_name(label) {
            out.push(
                Diagnostic::error(
                    codes::LABEL_NAME,
                    format!("invalid label name {label:?} in {field} of {what}"),
                )
                .at(origin)
                .snippet(what, label.as_str(), 0..label.len(), "not a label name")
                .note("a label name must match [a-zA-Z_][a-zA-Z0-9_]*"),
            );
        } else if !seen.insert(label) {
            out.push(
                Diagnostic::error(
                    codes::GROUP_BY,
                    format!("duplicated label {label:?} in {field} of {what}"),
                )
                .at(origin)
                .snippet(what, label.as_str(), 0..label.len(), "listed twice")
                .note("list each label once"),
            );
        }
    }
}

fn matchers(
    matchers: &[Matcher],
    what: &str,
    origin: &Place,
    out: &mut Vec<Diagnostic>,
) -> Vec<ir::Matcher> {
    let mut lowered = Vec::new();
    for m in matchers {
        if !is_label_name(&m.name) {
            out.push(
                Diagnostic::error(
                    codes::LABEL_NAME,
                    format!("invalid label name {:?} in a matcher of {what}", m.name),
                )
                .at(origin)
                .snippet(what, m.name.as_str(), 0..m.name.len(), "not a label name")
                .note("a label name must match [a-zA-Z_][a-zA-Z0-9_]*"),
            );
        }
        let regex = if m.op.is_regex() {
            match Regex::new(&format!("^(?:{})$", m.value)) {
                Ok(regex) => Some(regex),
                Err(e) => {
                    let reason = e.to_string();
                    let reason = reason.lines().last().unwrap_or("").trim();
                    let reason = reason.strip_prefix("error: ").unwrap_or(reason);
                    out.push(
                        Diagnostic::error(
                            codes::MATCHER,
                            format!("invalid regex {:?} in matcher of {what}: {reason}", m.value),
                        )
                        .at(origin)
                        .snippet(
                            what,
                            m.value.as_str(),
                            0..m.value.len(),
                            "does not compile",
                        ),
                    );
                    None
                }
            }
        } else {
            None
        };
        lowered.push(ir::Matcher {
            name: m.name.clone(),
            op: m.op,
            value: m.value.clone(),
            regex,
        });
    }
    // AlertManager sorts a route's matchers: by name, then value, equality before regex.
    lowered.sort_by(|a, b| {
        (&a.name, &a.value, a.op.is_regex()).cmp(&(&b.name, &b.value, b.op.is_regex()))
    });
    lowered
}

fn is_host_port(text: &str) -> bool {
    let Some((host, port)) = text.rsplit_once(':') else {
        return false;
    };
    !host.is_empty() && !host.contains(['/', ' ']) && port.parse::<u16>().is_ok_and(|p| p > 0)
}

fn is_email(text: &str) -> bool {
    text.split_once('@')
        .is_some_and(|(user, domain)| !user.is_empty() && !domain.is_empty() && !text.contains(' '))
}

fn is_http_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("http://")
        .or_else(|| text.strip_prefix("https://"));
    rest.is_some_and(|rest| {
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        !host.is_empty() && !host.contains(' ')
    })
}

/// Whether every alert `narrow` matches is also matched by `wide`: each of `wide`'s matchers
/// is implied by one of `narrow`'s. Sound, not complete: `false` may still be a subset.
pub(crate) fn implies(narrow: &[ir::Matcher], wide: &[ir::Matcher]) -> bool {
    wide.iter().all(|w| {
        narrow.iter().any(|n| {
            n.name == w.name
                && ((n.op == w.op && n.value == w.value)
                    || (n.op == MatchOp::Eq && w.matches(&n.value)))
        })
    })
}

/// Whether no label set can satisfy both: one requires `name=v`, the other excludes `v`.
fn contradicts(a: &[ir::Matcher], b: &[ir::Matcher]) -> Option<(String, String)> {
    for x in a.iter().filter(|m| m.op == MatchOp::Eq) {
        for y in b.iter().filter(|m| m.name == x.name) {
            if !y.matches(&x.value) {
                return Some((x.text(), y.text()));
            }
        }
    }
    for y in b.iter().filter(|m| m.op == MatchOp::Eq) {
        for x in a.iter().filter(|m| m.name == y.name) {
            if !x.matches(&y.value) {
                return Some((x.text(), y.text()));
            }
        }
    }
    None
}

/// Warns about routes no alert can reach: shadowed by an earlier sibling that matches all they
/// match and does not continue, or requiring a label value an ancestor excludes.
fn unreachable_routes(root: &ir::Route, out: &mut Vec<Diagnostic>) {
    fn visit(route: &ir::Route, ancestors: &mut Vec<Vec<ir::Matcher>>, out: &mut Vec<Diagnostic>) {
        for (index, child) in route.routes.iter().enumerate() {
            let shadow = route.routes[..index]
                .iter()
                .find(|earlier| !earlier.continue_ && implies(&child.matchers, &earlier.matchers));
            if let Some(earlier) = shadow {
                let shown = if earlier.matchers.is_empty() {
                    "no matchers".to_string()
                } else {
                    earlier
                        .matchers
                        .iter()
                        .map(ir::Matcher::text)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                out.push(
                    Diagnostic::warning(
                        codes::UNREACHABLE_ROUTE,
                        format!(
                            "route to {:?} can never match: an earlier sibling route ({shown}) matches every alert it matches and does not continue",
                            child.receiver
                        ),
                    )
                    .at(&child.origin)
                    .related(&earlier.origin, "the earlier route that matches first")
                    .note(advice(
                        &child.origin,
                        "move this route before it, or make the earlier one .continue_matching()",
                        "move this route before it, or set `continue: true` on the earlier one",
                    )),
                );
                continue;
            }
            let conflict = ancestors
                .iter()
                .chain(std::iter::once(&route.matchers))
                .find_map(|above| contradicts(&child.matchers, above));
            if let Some((own, above)) = conflict {
                out.push(
                    Diagnostic::warning(
                        codes::UNREACHABLE_ROUTE,
                        format!(
                            "route to {:?} can never match: its matcher {own} contradicts {above} of an enclosing route",
                            child.receiver
                        ),
                    )
                    .at(&child.origin)
                    .note("only alerts the enclosing routes match reach a child route: move it under a route that admits it"),
                );
                continue;
            }
            ancestors.push(route.matchers.clone());
            visit(child, ancestors, out);
            ancestors.pop();
        }
    }
    visit(root, &mut Vec::new(), out);
}

/// Warns about receivers no route sends to and time intervals no route uses.
fn unused(config: &Config, out: &mut Vec<Diagnostic>) {
    let routes = config.route.walk();
    let used: BTreeSet<&str> = routes.iter().map(|r| r.receiver.as_str()).collect();
    for receiver in &config.receivers {
        if !used.contains(receiver.name.as_str()) {
            out.push(
                Diagnostic::warning(
                    codes::UNUSED_RECEIVER,
                    format!("no route sends to receiver {:?}", receiver.name),
                )
                .at(&receiver.origin)
                .snippet(
                    "receiver",
                    receiver.name.as_str(),
                    0..receiver.name.len(),
                    "never used",
                )
                .note(advice(
                    &receiver.origin,
                    "route alerts to it with Route::to, or remove it",
                    "route alerts to it with a route's `receiver`, or remove it",
                )),
            );
        }
    }
    let intervals: BTreeSet<&str> = routes
        .iter()
        .flat_map(|r| r.mute_time_intervals.iter().chain(&r.active_time_intervals))
        .map(String::as_str)
        .collect();
    for interval in &config.time_intervals {
        if !intervals.contains(interval.name.as_str()) {
            out.push(
                Diagnostic::warning(
                    codes::UNUSED_TIME_INTERVAL,
                    format!("no route uses time interval {:?}", interval.name),
                )
                .at(&interval.origin)
                .note("mute or activate a route with it, or remove it"),
            );
        }
    }
}

/// Advice in the words of where the item was declared: the DSL's for a spec, AlertManager's
/// YAML for a linted file.
fn advice(place: &Place, spec: &'static str, file: &'static str) -> &'static str {
    if place.is_file() {
        file
    } else {
        spec
    }
}
