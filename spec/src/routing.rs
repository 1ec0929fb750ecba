//! Where EJE's alerts go (the seed's AlertManager flow: group by severity and component,
//! inhibit, route to email, Slack, PagerDuty and a webhook).
//!
//! The label contract alert rules follow (checked at build time: an alert whose labels reach
//! only the catch-all is a warning):
//! - `severity`: `critical` pages (PagerDuty, and Slack `#eje-critical`), `warning` goes to Slack
//!   `#eje-alerts`, `info` only to the alert log. Set by `Alert::critical/warning/info`.
//! - `component`: the part of EJE at fault (`api`, `aggregator`, `critic`, `tracing`, ...);
//!   notifications are grouped by severity and component, and a critical silences the warnings
//!   of its component.
//! - SLO alerts carry `slo="<name>"` and `tier="page"` (severity critical) or `tier="ticket"`
//!   (severity warning). Pages go the critical way; tickets are emailed during business hours,
//!   one thread per SLO. They carry `component` too, like every alert.
//! - `cluster`: added by Prometheus (external label), the same for the whole deployment.

use sextant::prelude::alerting::*;
use sextant::prelude::*;

use crate::stack::Stack;

pub const PAGERDUTY: &str = "eje-pagerduty";
pub const SLACK_CRITICAL: &str = "eje-slack-critical";
pub const SLACK_WARNINGS: &str = "eje-slack-warnings";
pub const EMAIL_TICKETS: &str = "eje-email-tickets";
/// The catch-all: the alert log, which receives whatever no other route takes.
pub const WEBHOOK: &str = "eje-webhook";

pub const BUSINESS_HOURS: &str = "business-hours";
pub const MAINTENANCE: &str = "weekly-maintenance";

/// Where AlertManager reads its secrets from (mounted from the secret store, never in git).
pub const SECRETS: &str = "/etc/alertmanager/secrets";

fn secret(name: &str) -> String {
    format!("{SECRETS}/{name}")
}

pub fn alertmanager(stack: &Stack) -> AlertManager {
    let title = Template::define(
        "eje.title",
        "[{{ .Status | toUpper }}{{ if eq .Status \"firing\" }}:{{ .Alerts.Firing | len }}{{ end }}] \
         {{ .CommonLabels.severity }} {{ .CommonLabels.component }}\
         {{ if .CommonLabels.alertname }}: {{ .CommonLabels.alertname }}{{ end }}",
    );
    let text = Template::define(
        "eje.text",
        "{{ range .Alerts }}*{{ .Labels.alertname }}* {{ .Annotations.summary }}\n\
         {{ .Annotations.description }}\n\
         Runbook: {{ .Annotations.runbook_url }}\n\
         {{ end }}",
    );
    AlertManager::new(
        Route::to(WEBHOOK)
            .group_by(["severity", "component"])
            .group_wait(secs(30))
            .group_interval(mins(5))
            .repeat_interval(hours(4))
            .route(
                Route::to(PAGERDUTY)
                    .matcher(Matcher::severity(AlertSeverity::Critical))
                    .group_wait(secs(10))
                    .repeat_interval(hours(1))
                    .continue_matching(),
            )
            .route(
                Route::to(SLACK_CRITICAL)
                    .matcher(Matcher::severity(AlertSeverity::Critical))
                    .group_wait(secs(10))
                    .repeat_interval(hours(1)),
            )
            .route(
                Route::to(EMAIL_TICKETS)
                    .matchers([Matcher::present("slo"), Matcher::eq("tier", "ticket")])
                    .group_by(["slo"])
                    .repeat_interval(hours(24))
                    .active_during(BUSINESS_HOURS),
            )
            .route(
                Route::to(SLACK_WARNINGS)
                    .matcher(Matcher::severity(AlertSeverity::Warning))
                    .mute_during(MAINTENANCE),
            )
            .route(Route::to(WEBHOOK).matcher(Matcher::severity(AlertSeverity::Info))),
    )
    .global(
        Global::new().resolve_timeout(mins(5)).smtp(
            Smtp::new("smtp.eje.example.com:587", "alertmanager@eje.example.com")
                .auth("alertmanager", SecretFile::at(secret("smtp-password")))
                .require_tls(true),
        ),
    )
    .receiver(
        Receiver::new(PAGERDUTY).pagerduty(
            PagerDuty::routing_key(SecretFile::at(secret("pagerduty-routing-key")))
                .description(title.call()),
        ),
    )
    .receiver(
        Receiver::new(SLACK_CRITICAL).slack(
            Slack::new(SecretFile::at(secret("slack-webhook-url")), "#eje-critical")
                .send_resolved(true)
                .title(title.call())
                .text(text.call()),
        ),
    )
    .receiver(
        Receiver::new(SLACK_WARNINGS).slack(
            Slack::new(SecretFile::at(secret("slack-webhook-url")), "#eje-alerts")
                .send_resolved(true)
                .title(title.call())
                .text(text.call()),
        ),
    )
    .receiver(
        Receiver::new(EMAIL_TICKETS)
            .email(Email::to("eje-team@eje.example.com").subject(title.call())),
    )
    .receiver(
        Receiver::new(WEBHOOK).webhook(
            Webhook::new(stack.alert_log.clone())
                .bearer_token(SecretFile::at(secret("alert-log-token")))
                .send_resolved(true),
        ),
    )
    // The seed: a critical silences the warning of the same alert about the same thing.
    // EJE declares an alert's tiers under one name (EJECriticHighFailureRate warns at 10% and
    // pages at 50%), so "the same" is the alert name, component and deployment (cluster), and
    // the critic it is about: a critical for one critic does not hide a warning for another (a
    // label missing on both alerts counts as equal).
    .inhibit(
        InhibitRule::new()
            .source(Matcher::severity(AlertSeverity::Critical))
            .target(Matcher::severity(AlertSeverity::Warning))
            .equal(["alertname", "cluster", "component", "critic"]),
    )
    // An SLO's fast burn (the page) makes its slow-burn ticket noise: same SLO, same critic.
    .inhibit(
        InhibitRule::new()
            .source(Matcher::eq("tier", "page"))
            .target(Matcher::eq("tier", "ticket"))
            .equal(["cluster", "slo", "critic"]),
    )
    .time_interval(
        TimeInterval::new(BUSINESS_HOURS).period(
            Period::new()
                .weekdays(Weekday::Monday, Weekday::Friday)
                .times(at(8, 0), at(18, 0)),
        ),
    )
    .time_interval(
        TimeInterval::new(MAINTENANCE).period(
            Period::new()
                .weekdays(Weekday::Sunday, Weekday::Sunday)
                .times(at(2, 0), at(4, 0)),
        ),
    )
    .template(title)
    .template(text)
}
