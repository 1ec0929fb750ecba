//! One snapshot of the rendered diagnostics for each class of bad AlertManager and Prometheus
//! server configuration: what AlertManager and Prometheus reject, and the warnings beyond them.
//! Snapshots live in `tests/snapshots/`; review changes with `cargo insta review`.

mod common;

use sextant::prelude::alerting::*;
use sextant::prelude::*;
use sextant_catalog::eje;

/// Compiles a spec with `am` (and no rules) and snapshots what the CLI would print.
#[track_caller]
fn check(name: &str, am: AlertManager) {
    check_spec(name, Spec::new(eje::CATALOG).alertmanager(am));
}

#[track_caller]
fn check_spec(name: &str, spec: Spec) {
    let rendered = common::diagnostics(&spec);
    assert!(
        !rendered.is_empty(),
        "{name}: expected diagnostics, got none"
    );
    insta::assert_snapshot!(name, rendered);
}

/// A receiver posting to a webhook, declared at the caller's line.
#[track_caller]
fn hook(name: &str) -> Receiver {
    Receiver::new(name).webhook(Webhook::new("http://alert-log:5001/"))
}

#[test]
fn undefined_receiver() {
    check(
        "undefined_receiver",
        AlertManager::new(
            Route::to("default")
                .route(Route::to("pagre").matcher(Matcher::severity(AlertSeverity::Critical))),
        )
        .receiver(hook("default"))
        .receiver(hook("pager")),
    );
}

#[test]
fn duplicate_receiver() {
    check(
        "duplicate_receiver",
        AlertManager::new(Route::to("default"))
            .receiver(Receiver::new("default").webhook(Webhook::new("http://alert-log:5001/")))
            .receiver(
                Receiver::new("default")
                    .slack(Slack::new(SecretFile::at("/etc/am/slack-url"), "#eje")),
            ),
    );
}

#[test]
fn root_route_faults() {
    check(
        "root_route_faults",
        AlertManager::new(
            Route::inheriting()
                .matcher(Matcher::eq("team", "eje"))
                .continue_matching()
                .mute_during("nights"),
        )
        .receiver(hook("default"))
        .time_interval(TimeInterval::new("nights").period(Period::new().times(at(0, 0), at(6, 0)))),
    );
}

#[test]
fn group_by_faults() {
    check(
        "group_by_faults",
        AlertManager::new(
            Route::to("default")
                .group_by(["severity", "component", "severity"])
                .route(Route::inheriting().group_by(["...", "alertname"]))
                .route(Route::inheriting().group_by(["alert-name"])),
        )
        .receiver(hook("default")),
    );
}

#[test]
fn zero_intervals() {
    check(
        "zero_intervals",
        AlertManager::new(
            Route::to("default")
                .group_interval(Duration::ZERO)
                .route(Route::inheriting().repeat_interval(Duration::ZERO)),
        )
        .receiver(hook("default")),
    );
}

#[test]
fn repeat_shorter_than_group_interval() {
    check(
        "repeat_shorter_than_group_interval",
        AlertManager::new(
            Route::to("default")
                .group_interval(mins(10))
                .repeat_interval(mins(5)),
        )
        .receiver(hook("default")),
    );
}

#[test]
fn undefined_time_interval() {
    check(
        "undefined_time_interval",
        AlertManager::new(
            Route::to("default").route(
                Route::inheriting()
                    .matcher(Matcher::severity(AlertSeverity::Warning))
                    .mute_during("weekend")
                    .active_during("busines-hours"),
            ),
        )
        .receiver(hook("default"))
        .time_interval(
            TimeInterval::new("weekend")
                .period(Period::new().weekdays(Weekday::Saturday, Weekday::Saturday))
                .period(Period::new().weekdays(Weekday::Sunday, Weekday::Sunday)),
        ),
    );
}

#[test]
fn invalid_time_intervals() {
    check(
        "invalid_time_intervals",
        AlertManager::new(Route::to("default"))
            .receiver(hook("default"))
            .time_interval(
                TimeInterval::new("overnight")
                    .period(Period::new().times(at(22, 0), at(6, 0)))
                    .period(Period::new().times(at(9, 0), at(24, 30))),
            )
            .time_interval(
                TimeInterval::new("overnight")
                    .period(Period::new().days_of_month(0, 40))
                    .period(Period::new().months(Month::December, Month::February)),
            ),
    );
}

#[test]
fn invalid_matchers() {
    check(
        "invalid_matchers",
        AlertManager::new(
            Route::to("default")
                .route(Route::inheriting().matcher(Matcher::eq("service-name", "eje")))
                .route(Route::inheriting().matcher(Matcher::re("component", "critic(")))
                .route(Route::inheriting().matcher(Matcher::not_re("tier", "page|*"))),
        )
        .receiver(hook("default")),
    );
}

#[test]
fn inhibit_rule_faults() {
    check(
        "inhibit_rule_faults",
        AlertManager::new(Route::to("default"))
            .receiver(hook("default"))
            .inhibit(
                InhibitRule::new()
                    .source(Matcher::severity(AlertSeverity::Critical))
                    .target(Matcher::re("severity", "warning|info)"))
                    .equal(["cluster", "compo-nent"]),
            ),
    );
}

#[test]
fn receiver_integration_faults() {
    check(
        "receiver_integration_faults",
        AlertManager::new(Route::to("mail"))
            .receiver(
                Receiver::new("mail")
                    .email(Email::to("eje-team.example.com"))
                    .slack(Slack::new(SecretFile::at(""), "#eje")),
            )
            .receiver(Receiver::new("hook").webhook(Webhook::new("alert-log:5001/alertmanager"))),
    );
}

#[test]
fn bad_smtp() {
    check(
        "bad_smtp",
        AlertManager::new(Route::to("mail"))
            .global(Global::new().smtp(Smtp::new("smtp.example.com", "alertmanager")))
            .receiver(Receiver::new("mail").email(Email::to("eje@example.com"))),
    );
}

#[test]
fn template_faults() {
    let title = Template::define("eje.title", "{{ .CommonLabels.severity }");
    check(
        "template_faults",
        AlertManager::new(Route::to("slack"))
            .receiver(
                Receiver::new("slack").slack(
                    Slack::new(SecretFile::at("/etc/am/slack-url"), "#eje")
                        .title(title.call())
                        .text("{{ template \"eje.txt\" . }}"),
                ),
            )
            .template(title)
            .template(Template::define("eje.title", "again")),
    );
}

#[test]
fn shadowed_route() {
    check(
        "shadowed_route",
        AlertManager::new(
            Route::to("default")
                .route(Route::to("slack").matcher(Matcher::severity(AlertSeverity::Critical)))
                .route(Route::to("pager").matchers([
                    Matcher::severity(AlertSeverity::Critical),
                    Matcher::eq("component", "api"),
                ]))
                .route(Route::to("slack").matcher(Matcher::re("severity", "warning|info")))
                .route(Route::to("pager").matcher(Matcher::severity(AlertSeverity::Info))),
        )
        .receiver(hook("default"))
        .receiver(hook("slack"))
        .receiver(hook("pager")),
    );
}

#[test]
fn route_contradicts_parent() {
    check(
        "route_contradicts_parent",
        AlertManager::new(
            Route::to("default").route(
                Route::to("pager")
                    .matcher(Matcher::severity(AlertSeverity::Critical))
                    .route(Route::to("slack").matcher(Matcher::severity(AlertSeverity::Warning))),
            ),
        )
        .receiver(hook("default"))
        .receiver(hook("slack"))
        .receiver(hook("pager")),
    );
}

#[test]
fn unused_receiver_and_interval() {
    check(
        "unused_receiver_and_interval",
        AlertManager::new(Route::to("default"))
            .receiver(hook("default"))
            .receiver(hook("pager"))
            .time_interval(
                TimeInterval::new("weekend")
                    .period(Period::new().weekdays(Weekday::Saturday, Weekday::Saturday))
                    .period(Period::new().weekdays(Weekday::Sunday, Weekday::Sunday)),
            ),
    );
}

#[test]
fn alert_reaches_only_the_catch_all() {
    check_spec(
        "alert_reaches_only_the_catch_all",
        Spec::new(eje::CATALOG)
            .rule_group(
                RuleGroup::new("test").rule(
                    Alert::warning(
                        "EJECriticFailing",
                        "rate(eje_critic_failures_total[5m]) > 1",
                    )
                    .label("component", "critic")
                    .summary("s")
                    .description("d")
                    .runbook("r"),
                ),
            )
            .alertmanager(
                AlertManager::new(
                    Route::to("default").route(
                        Route::to("pager").matcher(Matcher::severity(AlertSeverity::Critical)),
                    ),
                )
                .receiver(hook("default"))
                .receiver(hook("pager")),
            ),
    );
}

#[test]
fn inhibit_on_labels_no_alert_carries() {
    check_spec(
        "inhibit_on_labels_no_alert_carries",
        Spec::new(eje::CATALOG)
            .rule_group(
                RuleGroup::new("test").rule(
                    Alert::critical("EJEDown", "up == 0")
                        .label("component", "api")
                        .summary("s")
                        .description("d")
                        .runbook("r"),
                ),
            )
            .alertmanager(
                AlertManager::new(Route::to("default"))
                    .receiver(hook("default"))
                    .inhibit(
                        InhibitRule::new()
                            .source(Matcher::eq("priority", "P1"))
                            .target(Matcher::severity(AlertSeverity::Warning))
                            .equal(["cluster", "service"]),
                    ),
            ),
    );
}

#[test]
fn prometheus_config_faults() {
    check_spec(
        "prometheus_config_faults",
        Spec::new(eje::CATALOG).prometheus(
            PrometheusConfig::new()
                .scrape_interval(secs(15))
                .scrape_timeout(secs(20))
                .external_label("replica", "a")
                .external_label("team-name", "eje")
                .replicas("replica", ["prom 1", "prom-2", "prom-2"])
                .job(ScrapeJob::new("eje").targets(["http://eje:8000/metrics"]))
                .job(
                    ScrapeJob::new("eje")
                        .targets(["eje:8000"])
                        .interval(secs(5))
                        .timeout(secs(10)),
                )
                .alertmanagers(["am-1"]),
        ),
    );
}

#[test]
fn every_error_is_reported() {
    // Faults in several parts at once: each is reported, none hides another.
    check(
        "every_alertmanager_error_is_reported",
        AlertManager::new(
            Route::inheriting()
                .group_by(["a", "a"])
                .route(Route::to("nobody").mute_during("never")),
        )
        .receiver(hook(""))
        .receiver(Receiver::new("mail").email(Email::to("x@example.com"))),
    );
}

#[test]
fn external_label_without_value() {
    check_spec(
        "external_label_without_value",
        Spec::new(eje::CATALOG).prometheus(PrometheusConfig::new().external_label("env", "")),
    );
}

#[test]
fn routes_on_a_severity_no_alert_carries() {
    // `critcal` is a typo; `pageteam` is the spec's own severity, so its route is fine.
    check_spec(
        "unknown_severity",
        Spec::new(eje::CATALOG)
            .severities(["critical", "warning", "info", "pageteam"])
            .alertmanager(
                AlertManager::new(
                    Route::to("log")
                        .route(Route::to("pager").matcher(Matcher::eq("severity", "critcal")))
                        .route(Route::to("team").matcher(Matcher::eq("severity", "pageteam"))),
                )
                .receiver(hook("log"))
                .receiver(hook("pager"))
                .receiver(hook("team"))
                .inhibit(
                    InhibitRule::new()
                        .source(Matcher::eq("severity", "page"))
                        .target(Matcher::severity(AlertSeverity::Warning))
                        .equal(["alertname"]),
                ),
            ),
    );
}

#[test]
fn integrations_without_file_faults() {
    check(
        "integrations_without_file_faults",
        AlertManager::new(Route::to("on-call")).receiver(
            Receiver::new("on-call")
                .opsgenie(
                    OpsGenie::new(SecretFile::at("/run/secrets/opsgenie"))
                        .responder(OpsGenieResponder::new("squad").name("db"))
                        .responder(OpsGenieResponder::new("team")),
                )
                .victorops(
                    VictorOps::new(SecretFile::at("/run/secrets/victorops"), "")
                        .custom_field("entity_state", "x"),
                )
                .webex(Webex::new("", SecretFile::at("")))
                .sns(
                    Sns::topic_arn("arn:aws:sns:us-east-1:1:t").message(r#"{{ template "x" . }}"#),
                ),
        ),
    );
}
