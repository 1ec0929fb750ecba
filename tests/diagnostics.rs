//! One snapshot of the rendered diagnostics for each class of bad input to the rule DSL.
//! Snapshots live in `tests/snapshots/`; review changes with `cargo insta review`.

mod common;

use sextant::prelude::*;
use sextant_catalog::eje;

/// Compiles one group of `rules` and snapshots what the CLI would print.
#[track_caller]
fn check(name: &str, rules: Vec<Rule>) {
    let spec = Spec::new(eje::CATALOG).rule_group(RuleGroup::new("test").rules(rules));
    let rendered = common::diagnostics(&spec);
    assert!(
        !rendered.is_empty(),
        "{name}: expected diagnostics, got none"
    );
    insta::assert_snapshot!(name, rendered);
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

#[test]
fn promql_unclosed_parenthesis() {
    check(
        "promql_unclosed_parenthesis",
        vec![Record::new(
            "job:eje_decisions:rate5m",
            "sum by (job) (rate(eje_decisions_total[5m])",
        )
        .into()],
    );
}

#[test]
fn promql_trailing_operator() {
    check(
        "promql_trailing_operator",
        vec![Alert::warning("Broken", r#"rate(eje_critic_failures_total[5m]) >"#).into()],
    );
}

#[test]
fn promql_unknown_function() {
    check(
        "promql_unknown_function",
        vec![Record::new(
            "job:eje_decisions:rate5m",
            "sum by (job) (rates(eje_decisions_total[5m]))",
        )
        .into()],
    );
}

#[test]
fn promql_wrong_argument_type() {
    check(
        "promql_wrong_argument_type",
        vec![Record::new(
            "job:eje_decisions:rate5m",
            "sum by (job) (rate(eje_decisions_total))",
        )
        .into()],
    );
}

#[test]
fn promql_bad_duration() {
    check(
        "promql_bad_duration",
        vec![Record::new(
            "job:eje_decisions:rate5m",
            "sum by (job) (rate(eje_decisions_total[5x]))",
        )
        .into()],
    );
}

#[test]
fn promql_expression_built_with_format_is_shown_on_its_own() {
    let selector = select(&eje::DECISIONS_TOTAL);
    check(
        "promql_built_expression",
        vec![Record::new(
            "job:eje_decisions:rate5m",
            format!("sum(rate({selector}[5m])) by"),
        )
        .into()],
    );
}

#[test]
fn promql_empty_expression() {
    check(
        "promql_empty_expression",
        vec![Record::new("job:eje_decisions:rate5m", "  ").into()],
    );
}

#[test]
fn every_error_of_a_build_is_reported() {
    check(
        "every_error_is_reported",
        vec![
            Record::new(
                "job:eje_decisions:rate5m",
                "sum(rate(eje_decisions_total[5m])",
            )
            .into(),
            Record::new(
                "job:eje_requests:rate5m",
                "sum(rate(eje_requests_total[5m]))) ",
            )
            .into(),
            Alert::critical("EJEDown", "up{job=\"eje\"} == ").into(),
        ],
    );
}

#[test]
fn invalid_recording_rule_name() {
    check(
        "invalid_record_name",
        vec![Record::new(
            "job-eje:decisions:rate5m",
            "sum(rate(eje_decisions_total[5m]))",
        )
        .into()],
    );
}

#[test]
fn recording_rule_name_not_level_metric_operations() {
    check(
        "record_name_convention",
        vec![Record::new("eje_decisions_rate", "sum(rate(eje_decisions_total[5m]))").into()],
    );
}

#[test]
fn invalid_alert_name() {
    check(
        "invalid_alert_name",
        vec![Alert::warning("", "up == 0")
            .summary("s")
            .description("d")
            .runbook("r")
            .into()],
    );
}

#[test]
fn invalid_label_and_annotation_names() {
    check(
        "invalid_label_names",
        vec![Alert::warning("EJEDown", "up == 0")
            .label("team-name", "sre")
            .label("__reserved", "x")
            .annotation("runbook-url", "https://example.com")
            .summary("s")
            .description("d")
            .runbook("r")
            .into()],
    );
}

#[test]
fn severity_set_by_hand() {
    check(
        "severity_label_by_hand",
        vec![Alert::warning("EJEDown", "up == 0")
            .label("severity", "page")
            .summary("s")
            .description("d")
            .runbook("r")
            .into()],
    );
}

#[test]
fn malformed_template() {
    check(
        "malformed_template",
        vec![Alert::warning("EJEDown", "up == 0")
            .summary("{{ $labels.instance is down")
            .description("{{ humanise $value }}")
            .runbook("r")
            .into()],
    );
}

#[test]
fn unknown_metric_with_suggestion() {
    check(
        "unknown_metric",
        vec![Record::new(
            "job:eje_critic_failures:rate5m",
            "sum by (job) (rate(eje_critic_failure_total[5m]))",
        )
        .into()],
    );
}

#[test]
fn unknown_label() {
    check(
        "unknown_label",
        vec![Record::new(
            "job:eje_decisions:rate5m",
            r#"sum by (job) (rate(eje_decisions_total{critic="bias_critic"}[5m]))"#,
        )
        .into()],
    );
}

#[test]
fn label_value_outside_domain() {
    check(
        "label_value_outside_domain",
        vec![Record::new(
            "job:eje_decisions:rate5m",
            r#"sum by (job) (rate(eje_decisions_total{verdict="approve"}[5m]))"#,
        )
        .into()],
    );
}

#[test]
fn rate_of_a_gauge() {
    check(
        "rate_of_gauge",
        vec![Record::new(
            "job:eje_decisions_in_flight:rate5m",
            "sum by (job) (rate(eje_decisions_in_flight[5m]))",
        )
        .into()],
    );
}

#[test]
fn missing_annotations_warn() {
    check(
        "missing_annotations",
        vec![Alert::critical("EJEDown", "up == 0").for_(mins(5)).into()],
    );
}

#[test]
fn group_problems() {
    check_spec(
        "group_problems",
        Spec::new(eje::CATALOG)
            .rule_group(RuleGroup::new("eje/rules").interval(secs(0)))
            .rule_group(RuleGroup::new("dup"))
            .rule_group(RuleGroup::new("dup")),
    );
}

#[test]
fn duplicate_recording_rules() {
    check(
        "duplicate_records",
        vec![
            Record::new(
                "job:eje_decisions:rate5m",
                "sum by (job) (rate(eje_decisions_total[5m]))",
            )
            .into(),
            Record::new(
                "job:eje_decisions:rate5m",
                "sum by (job) (rate(eje_decisions_total[10m]))",
            )
            .into(),
        ],
    );
}

#[test]
fn a_lint_can_be_turned_off_or_raised() {
    let rules = || RuleGroup::new("test").rule(Alert::critical("EJEDown", "up == 0").for_(mins(5)));
    let off = Spec::new(eje::CATALOG)
        .rule_group(rules())
        .lints(LintConfig::default().allow("alerts/annotations"));
    assert_eq!(common::diagnostics(&off), "");
    let raised = Spec::new(eje::CATALOG)
        .rule_group(rules())
        .lints(LintConfig::default().set("alerts/annotations", Severity::Error));
    let compiled = compile(&raised);
    assert!(compiled.has_errors());
    assert!(
        compiled.output.is_empty(),
        "nothing is emitted when there are errors"
    );
}

#[test]
fn function_newer_than_the_stacks_prometheus() {
    check(
        "unsupported_function",
        vec![Record::new(
            "job:eje_decisions:sorted",
            r#"sort_by_label(sum by (job) (rate(eje_decisions_total[5m])), "job")"#,
        )
        .into()],
    );
}

#[test]
fn severity_settings_apply_to_every_code_but_a_checks_errors() {
    // The zero interval (a check's warning) is turned off; the syntax error (a check's error)
    // stays, and the setting that tries to turn it off is reported; so is a misspelt code.
    check_spec(
        "severity_settings",
        Spec::new(eje::CATALOG)
            .rule_group(
                RuleGroup::new("eje-rules")
                    .interval(secs(0))
                    .rule(Record::new(
                        "job:eje_decisions:rate5m",
                        "sum(rate(eje_decisions_total[5m])",
                    )),
            )
            .lints(
                LintConfig::default()
                    .allow("rules/zero-interval")
                    .allow("promql/syntax")
                    .set("alerts/for_duration", Severity::Error),
            ),
    );
}

/// Prometheus and AlertManager take any non-empty alert name (it is a label value).
#[test]
fn alert_names_with_spaces_and_parentheses_are_valid() {
    for name in ["EJE critic failing", "Foo(bar)", "Cert manager absent"] {
        let spec = Spec::new(eje::CATALOG).rule_group(
            RuleGroup::new("test").rule(
                Alert::warning(name, "up == 0")
                    .for_(mins(5))
                    .summary("s")
                    .description("d")
                    .runbook("r"),
            ),
        );
        assert_eq!(common::diagnostics(&spec), "", "{name}");
    }
}
