//! SLOs: one snapshot of the rendered diagnostics for each class of bad SLO, and snapshots of
//! the rule (and test) files good SLOs generate. Snapshots live in `tests/snapshots/`.

mod common;

use sextant::catalog::eje::{self, DecisionStatus};
use sextant::prelude::*;
use sextant::rules::AlertSeverity;

/// Compiles `slos` and snapshots the diagnostics the CLI would print.
#[track_caller]
fn check(name: &str, slos: Vec<Slo>) {
    let spec = Spec::new(eje::CATALOG).slos(slos);
    let rendered = common::diagnostics(&spec);
    assert!(
        !rendered.is_empty(),
        "{name}: expected diagnostics, got none"
    );
    insta::assert_snapshot!(name, rendered);
}

/// Compiles one SLO, which must have no diagnostics, and snapshots its rule file.
#[track_caller]
fn check_rules(name: &str, slo: Slo) {
    let file = format!("prometheus/rules/slo-{}.yml", slo.name());
    let spec = Spec::new(eje::CATALOG).slo(slo);
    let compiled = compile(&spec);
    assert!(
        compiled.diagnostics.is_empty(),
        "{name}: {}",
        common::diagnostics(&spec)
    );
    let rules = compiled.output.get(&file).expect("the SLO's rule file");
    insta::assert_snapshot!(name, rules);
}

fn success() -> Sli {
    Sli::success_ratio(
        select(&eje::DECISIONS_TOTAL).eq(&eje::STATUS, DecisionStatus::Success),
        select(&eje::DECISIONS_TOTAL),
    )
}

fn decisions() -> Slo {
    Slo::new("decision-success", "eje")
        .objective(99.9)
        .sli(success())
        .runbook("https://runbooks.example.com/slo")
}

// Diagnostics.

#[test]
fn objective_of_100_percent() {
    check(
        "objective_of_100_percent",
        vec![decisions().objective(100.0)],
    );
}

#[test]
fn objective_of_zero() {
    check("objective_of_zero", vec![decisions().objective(0.0)]);
}

#[test]
fn missing_objective_and_sli() {
    check("missing_objective_and_sli", vec![Slo::new("bare", "eje")]);
}

#[test]
fn latency_threshold_not_a_bucket() {
    check(
        "latency_threshold_not_a_bucket",
        vec![decisions().sli(Sli::latency(select(&eje::DECISION_DURATION_SECONDS), 0.3))],
    );
}

#[test]
fn latency_of_a_counter() {
    check(
        "latency_of_a_counter",
        vec![decisions().sli(Sli::latency(select(&eje::DECISIONS_TOTAL), 0.5))],
    );
}

#[test]
fn unknown_metric_in_template() {
    check(
        "unknown_metric_in_template",
        vec![decisions().sli(Sli::error_ratio(
            Events::promql(r#"sum(rate(eje_decision_total{status="error"}[{{window}}]))"#),
            select(&eje::DECISIONS_TOTAL),
        ))],
    );
}

#[test]
fn template_without_window() {
    check(
        "template_without_window",
        vec![decisions().sli(Sli::error_ratio(
            Events::promql(r#"sum(rate(eje_decisions_total{status="error"}[5m]))"#),
            select(&eje::DECISIONS_TOTAL),
        ))],
    );
}

#[test]
fn template_that_does_not_parse() {
    check(
        "template_that_does_not_parse",
        vec![decisions().sli(Sli::error_ratio(
            Events::promql(r#"sum(rate(eje_decisions_total{status="error"}[{{window}}])"#),
            select(&eje::DECISIONS_TOTAL),
        ))],
    );
}

#[test]
fn function_ignoring_the_window() {
    check(
        "function_ignoring_the_window",
        vec![decisions().sli(Sli::error_ratio(
            Events::with(|_| r#"sum(rate(eje_decisions_total{status="error"}[5m]))"#.into()),
            select(&eje::DECISIONS_TOTAL),
        ))],
    );
}

#[test]
fn window_shorter_than_the_ticket_windows() {
    check(
        "window_shorter_than_the_ticket_windows",
        vec![decisions().window(days(2))],
    );
}

#[test]
fn window_shorter_than_the_page_windows() {
    check(
        "window_shorter_than_the_page_windows",
        vec![decisions().window(hours(4)).ticket(Tier::off())],
    );
}

#[test]
fn dimension_the_metric_lacks() {
    check(
        "dimension_the_metric_lacks",
        vec![decisions().by(&eje::CRITIC)],
    );
}

#[test]
fn events_of_a_gauge() {
    check(
        "events_of_a_gauge",
        vec![decisions().sli(Sli::error_ratio(
            select(&eje::DECISIONS_IN_FLIGHT),
            select(&eje::DECISIONS_TOTAL),
        ))],
    );
}

#[test]
fn boolean_gauge_of_a_counter() {
    check(
        "boolean_gauge_of_a_counter",
        vec![decisions().sli(Sli::boolean_gauge(select(&eje::DECISIONS_TOTAL)))],
    );
}

#[test]
fn reserved_labels() {
    check(
        "reserved_labels",
        vec![decisions()
            .label("tier", "gold")
            .page(Tier::on().label("severity", "page"))],
    );
}

#[test]
fn unreachable_page_tier() {
    check("unreachable_page_tier", vec![decisions().objective(90.0)]);
}

#[test]
fn invalid_names() {
    check(
        "invalid_names",
        vec![Slo::new("Decision Success", "eje")
            .objective(99.9)
            .sli(success())
            .alert_prefix("EJE-Decision")],
    );
}

#[test]
fn duplicate_slo() {
    check("duplicate_slo", vec![decisions(), decisions()]);
}

#[test]
fn untestable_template_is_a_warning() {
    check(
        "untestable_template_is_a_warning",
        vec![decisions().sli(Sli::error_ratio(
            Events::promql(
                r#"sum(rate(eje_decisions_total{status="error"}[{{window}}])) + sum(rate(eje_decisions_total{status="timeout"}[{{window}}]))"#,
            ),
            select(&eje::DECISIONS_TOTAL),
        ))],
    );
}

#[test]
fn every_fault_is_reported() {
    check(
        "every_fault_is_reported",
        vec![Slo::new("many-faults", "eje")
            .objective(100.0)
            .window(days(1))
            .sli(Sli::latency(select(&eje::DECISION_DURATION_SECONDS), 0.3))
            .by(&eje::CRITIC)
            .label("slo", "other")],
    );
}

// Generated rules.

#[test]
fn rules_ratio_30d() {
    check_rules("rules_ratio_30d", decisions());
}

#[test]
fn rules_latency_28d_sloth_naming() {
    check_rules(
        "rules_latency_28d_sloth_naming",
        Slo::new("decision-latency", "eje")
            .objective(99.0)
            .window(days(28))
            .sli(Sli::latency(select(&eje::DECISION_DURATION_SECONDS), 0.5))
            .naming(Naming::Sloth)
            .runbook("https://runbooks.example.com/slo"),
    );
}

#[test]
fn rules_per_critic_from_templates() {
    check_rules(
        "rules_per_critic_from_templates",
        Slo::new("critic-availability", "eje")
            .objective(99.5)
            .sli(Sli::error_ratio(
                Events::promql("sum by (critic) (rate(eje_critic_failures_total[{{window}}]))"),
                Events::with(|w| {
                    format!("sum by (critic) (rate(eje_critic_executions_total[{w}]))")
                }),
            ))
            .by(&eje::CRITIC)
            .runbook("https://runbooks.example.com/slo"),
    );
}

#[test]
fn rules_gauge_7d_page_only_custom_tier() {
    check_rules(
        "rules_gauge_7d_page_only_custom_tier",
        Slo::new("scrape-availability", "eje")
            .objective(99.5)
            .window(days(7))
            .sli(Sli::boolean_gauge(select(&eje::UP).eq(&eje::JOB, "eje")))
            .label("team", "platform")
            .alert_prefix("EJEScrape")
            .page(
                Tier::on()
                    .severity(AlertSeverity::Warning)
                    .for_(mins(5))
                    .label("channel", "eje-oncall")
                    .runbook("https://runbooks.example.com/scrape"),
            )
            .ticket(Tier::off())
            .absent_alert(Tier::off())
            .runbook("https://runbooks.example.com/slo"),
    );
}

#[test]
fn promtool_tests_of_a_page_tier() {
    let slo = Slo::new("scrape-availability", "eje")
        .objective(99.5)
        .window(days(7))
        .sli(Sli::boolean_gauge(select(&eje::UP).eq(&eje::JOB, "eje")))
        .ticket(Tier::off())
        .runbook("https://runbooks.example.com/slo");
    let compiled = compile(&Spec::new(eje::CATALOG).slo(slo));
    assert!(
        compiled.diagnostics.is_empty(),
        "{:#?}",
        compiled.diagnostics
    );
    let files: Vec<&String> = compiled
        .output
        .files()
        .keys()
        .filter(|p| p.starts_with("prometheus/tests/"))
        .collect();
    assert_eq!(
        files,
        [
            "prometheus/tests/slo-scrape-availability-absent.yml",
            "prometheus/tests/slo-scrape-availability-page.yml"
        ]
    );
    insta::assert_snapshot!(
        "promtool_tests_of_a_page_tier",
        compiled
            .output
            .get("prometheus/tests/slo-scrape-availability-page.yml")
            .unwrap()
    );
}

#[test]
fn empty_service() {
    check(
        "empty_service",
        vec![Slo::new("decision-success", "")
            .objective(99.9)
            .sli(success())],
    );
}

#[test]
fn empty_alert_prefix() {
    check("empty_alert_prefix", vec![decisions().alert_prefix("")]);
}

#[test]
fn severity_outside_the_specs_set() {
    // The spec declares no severities of its own: critical, warning and info.
    check(
        "severity_outside_the_specs_set",
        vec![decisions().page(Tier::on().severity("pageteam"))],
    );
}

#[test]
fn regex_matching_no_value_of_a_closed_domain() {
    check(
        "regex_matching_no_value_of_a_closed_domain",
        vec![decisions().sli(Sli::error_ratio(
            Events::promql(r#"sum(rate(eje_decisions_total{status=~"fail.*"}[{{window}}]))"#),
            select(&eje::DECISIONS_TOTAL),
        ))],
    );
}

#[test]
fn regex_on_an_open_domain_leaves_the_slo_untested_at_the_matcher() {
    check(
        "regex_on_an_open_domain_leaves_the_slo_untested_at_the_matcher",
        vec![decisions().sli(Sli::error_ratio(
            Events::promql(r#"sum(rate(eje_critic_failures_total{critic=~"ext.*"}[{{window}}]))"#),
            Events::promql(
                r#"sum(rate(eje_critic_executions_total{critic=~"ext.*"}[{{window}}]))"#,
            ),
        ))],
    );
}
