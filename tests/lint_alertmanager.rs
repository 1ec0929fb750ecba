//! `lint PATH...` on AlertManager configurations (alertmanager.yml): the generated one lints
//! clean; each dirty fixture in `tests/fixtures/lint/alertmanager/` has a snapshot of its
//! diagnostics and is run through the real `amtool check-config` (AlertManager 0.25), which must
//! reject it when we report an error and accept it when we only warn; a table of one-fault cases
//! checks the same agreement fault by fault; the machine formats carry the file's line and column.

mod common;

use std::path::Path;
use std::process::Command;

use sextant::alertmanager::file as amfile;
use sextant::diagnostics::{self as diag, Diagnostic};
use sextant::prelude::alerting::PrometheusConfig;
use sextant::prelude::*;
use sextant::rules::file::{self as rulefile, SourceFile};
use sextant_catalog::eje;

const FIXTURES: &str = "tests/fixtures/lint/alertmanager";

/// What `amtool check-config` says of a file, as the test expects it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Amtool {
    /// amtool rejects it; we report at least one error.
    Rejects,
    /// amtool accepts it; we report warnings at most.
    Accepts,
    /// amtool accepts it, we report an error: something AlertManager only finds when it sends
    /// (the reason says what).
    Stricter(&'static str),
}

/// A project around the EJE catalog whose Prometheus adds the `cluster` external label.
fn project() -> sextant::cli::Project {
    sextant::cli::Project {
        root: common::root(),
        spec: || {
            Spec::new(eje::CATALOG)
                .prometheus(PrometheusConfig::new().external_label("cluster", "eje"))
        },
    }
}

/// Runs the CLI from the repository root; returns the exit code, stdout and stderr.
fn cli(args: &[&str]) -> (u8, String, String) {
    common::run_cli(&project(), args)
}

/// Whether `amtool check-config` accepts the file at `path` (relative to the repository root).
#[track_caller]
fn amtool_accepts(path: &Path) -> bool {
    let output = Command::new("amtool")
        .arg("check-config")
        .arg(path)
        .current_dir(common::root())
        .output()
        .unwrap_or_else(|_| panic!("amtool not found: run ci/test.sh, which installs it"));
    output.status.success()
}

#[track_caller]
fn assert_agrees(name: &str, ours_has_errors: bool, amtool_accepts: bool, expected: Amtool) {
    let actual = match (ours_has_errors, amtool_accepts) {
        (true, false) => Amtool::Rejects,
        (false, true) => Amtool::Accepts,
        (true, true) => match expected {
            Amtool::Stricter(_) => expected,
            _ => Amtool::Stricter("?"),
        },
        (false, false) => panic!("{name}: amtool rejects what we accept"),
    };
    assert_eq!(actual, expected, "{name}: our verdict against amtool's");
}

/// Lints `files` (in the fixtures folder) with the CLI, snapshots the human rendering as
/// `name`, and checks amtool's verdict on the first (the AlertManager configuration).
#[track_caller]
fn check(name: &str, files: &[&str], expected: Amtool) {
    let paths: Vec<String> = files.iter().map(|f| format!("{FIXTURES}/{f}")).collect();
    let mut args = vec!["lint"];
    args.extend(paths.iter().map(String::as_str));
    let (code, out, _) = cli(&args);
    insta::assert_snapshot!(name, out);
    let ours_has_errors = code == 1;
    assert_agrees(
        name,
        ours_has_errors,
        amtool_accepts(Path::new(&paths[0])),
        expected,
    );
}

#[test]
fn the_generated_configuration_lints_clean() {
    let config = "generated/alertmanager/alertmanager.yml";
    assert_eq!(
        cli(&["lint", config]),
        (0, String::new(), "0 errors, 0 warnings, 0 infos\n".into())
    );
    // With EJE's rule files, against their alerts (`cluster` is the external label).
    let (code, out, _) = cli(&["lint", "generated/prometheus/rules", config]);
    assert_eq!((code, out.as_str()), (0, ""));
    assert!(amtool_accepts(Path::new(config)));
}

#[test]
fn unknown_repeated_and_mistyped_fields() {
    check("fields", &["fields.yml"], Amtool::Rejects);
}

#[test]
fn route_tree_faults() {
    check("routing", &["routing.yml"], Amtool::Rejects);
}

#[test]
fn matcher_syntaxes() {
    check("matchers", &["matchers.yml"], Amtool::Rejects);
}

#[test]
fn time_interval_faults() {
    check("time_intervals", &["time-intervals.yml"], Amtool::Rejects);
}

#[test]
fn integrations_missing_what_they_need() {
    check("receivers", &["receivers.yml"], Amtool::Rejects);
}

#[test]
fn inline_secrets_deprecations_and_dead_routes_are_warnings() {
    check("warnings", &["warnings.yml"], Amtool::Accepts);
}

#[test]
fn template_files_are_parsed_and_their_names_known() {
    check("templates", &["templates.yml"], Amtool::Rejects);
}

#[test]
fn yaml_syntax() {
    check("syntax", &["syntax.yml"], Amtool::Rejects);
}

#[test]
fn checked_against_the_alerts_of_rule_files_in_the_same_call() {
    check(
        "with_rules",
        &["with-rules.yml", "rules.yml"],
        Amtool::Accepts,
    );
    // Without rule files, nothing is known of the alerts and those checks do not run.
    let (code, out, _) = cli(&["lint", &format!("{FIXTURES}/with-rules.yml")]);
    assert_eq!((code, out.as_str()), (0, ""));
}

/// A Kubernetes Secret wrapping an alertmanager.yml (`stringData`, or base64 `data`): the
/// configuration inside is read, its faults shown at their place in the resource (the whole
/// value for base64), and amtool's verdict is taken on the configuration taken out of it.
#[test]
fn configuration_inside_a_kubernetes_secret() {
    for (name, fixture) in [
        ("secret", "secret.yml"),
        ("secret_base64", "secret-base64.yml"),
    ] {
        let path = format!("{FIXTURES}/{fixture}");
        let (code, out, _) = cli(&["lint", &path]);
        insta::assert_snapshot!(name, out);
        let text = std::fs::read_to_string(common::root().join(&path)).unwrap();
        let secret: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let config = match secret["stringData"]["alertmanager.yaml"].as_str() {
            Some(config) => config.to_string(),
            None => {
                let encoded = secret["data"]["alertmanager.yaml"].as_str().unwrap();
                let output = Command::new("base64")
                    .arg("-d")
                    .stdin(std::process::Stdio::piped())
                    .stdout(std::process::Stdio::piped())
                    .spawn()
                    .and_then(|mut child| {
                        use std::io::Write as _;
                        child.stdin.take().unwrap().write_all(encoded.as_bytes())?;
                        child.wait_with_output()
                    })
                    .unwrap();
                String::from_utf8(output.stdout).unwrap()
            }
        };
        let extracted = std::env::temp_dir().join(format!(
            "sextant-am-secret-{}-{name}.yml",
            std::process::id()
        ));
        std::fs::write(&extracted, config).unwrap();
        let accepts = amtool_accepts(&extracted);
        std::fs::remove_file(&extracted).ok();
        assert_agrees(name, code == 1, accepts, Amtool::Rejects);
    }
}

/// One fault per case: amtool's verdict and ours must agree on each, not only per file.
const CASES: &[(&str, &str, Amtool)] = &[
    ("unknown top-level field", "route: {receiver: a}\nreceivers: [{name: a}]\nsilences: []\n", Amtool::Rejects),
    ("unknown route field", "route: {receiver: a, recevier: b}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("repeated field", "route:\n  receiver: a\n  receiver: a\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("continue not a bool", "route: {receiver: a, routes: [{continue: maybe}]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("continue yes (YAML 1.1)", "route: {receiver: a, routes: [{matchers: ['x=y'], continue: yes}, {matchers: ['x=z']}]}\nreceivers: [{name: a}]\n", Amtool::Accepts),
    ("bad duration", "route: {receiver: a, group_wait: 5 minutes}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("routes a mapping", "route: {receiver: a, routes: {}}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("no route", "receivers: [{name: a}]\n", Amtool::Rejects),
    ("root without receiver", "route: {group_wait: 1m}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("root with matchers", "route: {receiver: a, matchers: ['x=y']}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("root with match", "route: {receiver: a, match: {x: y}}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("root continue", "route: {receiver: a, continue: true}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("root muted", "route: {receiver: a, mute_time_intervals: [t]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t}]\n", Amtool::Rejects),
    ("undefined receiver", "route: {receiver: a, routes: [{receiver: b}]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("duplicate receiver", "route: {receiver: a}\nreceivers: [{name: a}, {name: a}]\n", Amtool::Rejects),
    ("receiver without name", "route: {receiver: a}\nreceivers: [{name: a}, {}]\n", Amtool::Rejects),
    ("duplicate group_by label", "route: {receiver: a, group_by: [x, x]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("wildcard group_by and a label", "route: {receiver: a, group_by: ['...', x]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("invalid group_by label", "route: {receiver: a, group_by: [x-y]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("zero group_interval", "route: {receiver: a, group_interval: 0s}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("zero repeat_interval", "route: {receiver: a, repeat_interval: 0}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("undefined time interval", "route: {receiver: a, routes: [{active_time_intervals: [t]}]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("duplicate time interval", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t}, {name: t}]\n", Amtool::Rejects),
    ("time interval without name", "route: {receiver: a}\nreceivers: [{name: a}]\ntime_intervals: [{time_intervals: []}]\n", Amtool::Rejects),
    ("one-digit hour", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t, time_intervals: [{times: [{start_time: '8:00', end_time: '09:00'}]}]}]\n", Amtool::Rejects),
    ("end before start", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t, time_intervals: [{times: [{start_time: '22:00', end_time: '06:00'}]}]}]\n", Amtool::Rejects),
    ("unknown weekday", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t, time_intervals: [{weekdays: [caturday]}]}]\n", Amtool::Rejects),
    ("weekdays reversed", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t, time_intervals: [{weekdays: ['friday:monday']}]}]\n", Amtool::Rejects),
    ("weekdays capitalised", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t, time_intervals: [{weekdays: ['Monday:Friday']}]}]\n", Amtool::Accepts),
    ("day of month out of range", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t, time_intervals: [{days_of_month: ['1:40']}]}]\n", Amtool::Rejects),
    ("days from the month's end", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t, time_intervals: [{days_of_month: ['-3:-1']}]}]\n", Amtool::Accepts),
    ("unknown month", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t, time_intervals: [{months: [smarch]}]}]\n", Amtool::Rejects),
    ("years reversed", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\ntime_intervals: [{name: t, time_intervals: [{years: ['2025:2024']}]}]\n", Amtool::Rejects),
    ("bad matcher format", "route: {receiver: a, routes: [{matchers: ['x y']}]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("unescaped quote", "route: {receiver: a, routes: [{matchers: ['x=\"y']}]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("bad regex in matchers", "route: {receiver: a, routes: [{matchers: ['x=~(y']}]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("bad regex in match_re", "route: {receiver: a, routes: [{match_re: {x: '(y'}}]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("invalid label in match", "route: {receiver: a, routes: [{match: {'x y': z}}]}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("several matchers in braces", "route: {receiver: a, routes: [{matchers: ['{x=\"a,b\", y=~c}']}]}\nreceivers: [{name: a}]\n", Amtool::Accepts),
    ("unquoted matcher values", "route: {receiver: a, routes: [{matchers: [severity=critical]}]}\nreceivers: [{name: a}]\n", Amtool::Accepts),
    ("label name with a colon", "route: {receiver: a, routes: [{matchers: ['x:y=z']}]}\nreceivers: [{name: a}]\n", Amtool::Stricter("Prometheus label names cannot hold `:`, so no alert carries the label")),
    ("deprecated match", "route: {receiver: a, routes: [{match: {x: y}}]}\nreceivers: [{name: a}]\n", Amtool::Accepts),
    ("deprecated inhibit source_match", "route: {receiver: a}\nreceivers: [{name: a}]\ninhibit_rules: [{source_match: {alertname: x}, target_match_re: {alertname: y|z}}]\n", Amtool::Accepts),
    ("deprecated top-level mute_time_intervals", "route: {receiver: a, routes: [{mute_time_intervals: [t]}]}\nreceivers: [{name: a}]\nmute_time_intervals: [{name: t}]\n", Amtool::Accepts),
    ("invalid label in equal", "route: {receiver: a}\nreceivers: [{name: a}]\ninhibit_rules: [{equal: [x-y]}]\n", Amtool::Rejects),
    ("email without to", "global: {smtp_smarthost: 'a:25', smtp_from: a@b}\nroute: {receiver: a}\nreceivers: [{name: a, email_configs: [{send_resolved: true}]}]\n", Amtool::Rejects),
    ("email without smarthost", "route: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: a@b}]}]\n", Amtool::Rejects),
    ("email without from", "global: {smtp_smarthost: 'a:25'}\nroute: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: a@b}]}]\n", Amtool::Rejects),
    ("email with its own smarthost", "route: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: a@b, from: c@d, smarthost: 'e:25'}]}]\n", Amtool::Accepts),
    ("smarthost without port", "global: {smtp_smarthost: a}\nroute: {receiver: a}\nreceivers: [{name: a}]\n", Amtool::Rejects),
    ("email to not an address", "global: {smtp_smarthost: 'a:25', smtp_from: a@b}\nroute: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: team}]}]\n", Amtool::Stricter("AlertManager fails when it sends to an address without `@`")),
    ("slack without URL", "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{channel: x}]}]\n", Amtool::Rejects),
    ("slack URL and URL file", "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url: 'http://x', api_url_file: /f}]}]\n", Amtool::Rejects),
    ("slack ftp URL", "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url: 'ftp://x'}]}]\n", Amtool::Rejects),
    ("slack inline URL", "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url: 'https://hooks.example.com/T0'}]}]\n", Amtool::Accepts),
    ("slack global URL file", "global: {slack_api_url_file: /f}\nroute: {receiver: a}\nreceivers: [{name: a, slack_configs: [{channel: x}]}]\n", Amtool::Accepts),
    ("pagerduty without key", "route: {receiver: a}\nreceivers: [{name: a, pagerduty_configs: [{severity: x}]}]\n", Amtool::Rejects),
    ("pagerduty key and key file", "route: {receiver: a}\nreceivers: [{name: a, pagerduty_configs: [{routing_key: k, routing_key_file: /f}]}]\n", Amtool::Rejects),
    ("pagerduty inline key", "route: {receiver: a}\nreceivers: [{name: a, pagerduty_configs: [{service_key: k}]}]\n", Amtool::Accepts),
    ("webhook without URL", "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{send_resolved: true}]}]\n", Amtool::Rejects),
    ("webhook ftp URL", "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'ftp://x'}]}]\n", Amtool::Rejects),
    ("webhook max_alerts not a number", "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http://x', max_alerts: many}]}]\n", Amtool::Rejects),
    ("authorization type basic", "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http://x', http_config: {authorization: {type: basic, credentials_file: /f}}}]}]\n", Amtool::Rejects),
    ("credentials and credentials file", "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http://x', http_config: {authorization: {credentials: c, credentials_file: /f}}}]}]\n", Amtool::Rejects),
    ("unknown http_config field", "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http://x', http_config: {bearer: x}}]}]\n", Amtool::Rejects),
    ("inline basic_auth password", "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http://x', http_config: {basic_auth: {username: u, password: p}}}]}]\n", Amtool::Accepts),
    ("opsgenie unknown field", "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key: k, team: x}]}]\n", Amtool::Rejects),
    ("opsgenie inline key", "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key: k}]}]\n", Amtool::Accepts),
    ("opsgenie without key", "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{message: m}]}]\n", Amtool::Rejects),
    ("opsgenie global key file", "global: {opsgenie_api_key_file: /f}\nroute: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{message: m}]}]\n", Amtool::Accepts),
    ("opsgenie key and key file", "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key: k, api_key_file: /f}]}]\n", Amtool::Rejects),
    ("opsgenie global URL null", "global: {opsgenie_api_url: null}\nroute: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key_file: /f}]}]\n", Amtool::Rejects),
    ("opsgenie ftp URL", "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key_file: /f, api_url: 'ftp://x'}]}]\n", Amtool::Rejects),
    ("opsgenie responder without name", "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key_file: /f, responders: [{type: team}]}]}]\n", Amtool::Rejects),
    ("opsgenie responder unknown type", "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key_file: /f, responders: [{name: x, type: squad}]}]}]\n", Amtool::Rejects),
    ("opsgenie responder unknown field", "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key_file: /f, responders: [{name: x, type: team, team: y}]}]}]\n", Amtool::Rejects),
    ("opsgenie update_alerts not a bool", "route: {receiver: a}\nreceivers: [{name: a, opsgenie_configs: [{api_key_file: /f, update_alerts: sometimes}]}]\n", Amtool::Rejects),
    ("victorops without routing key", "route: {receiver: a}\nreceivers: [{name: a, victorops_configs: [{api_key_file: /f}]}]\n", Amtool::Rejects),
    ("victorops without key", "route: {receiver: a}\nreceivers: [{name: a, victorops_configs: [{routing_key: r}]}]\n", Amtool::Rejects),
    ("victorops global key file", "global: {victorops_api_key_file: /f}\nroute: {receiver: a}\nreceivers: [{name: a, victorops_configs: [{routing_key: r}]}]\n", Amtool::Accepts),
    ("victorops fixed custom field", "route: {receiver: a}\nreceivers: [{name: a, victorops_configs: [{api_key_file: /f, routing_key: r, custom_fields: {entity_id: x}}]}]\n", Amtool::Rejects),
    ("victorops global URL null", "global: {victorops_api_url: null, victorops_api_key_file: /f}\nroute: {receiver: a}\nreceivers: [{name: a, victorops_configs: [{routing_key: r}]}]\n", Amtool::Rejects),
    ("pushover without user key", "route: {receiver: a}\nreceivers: [{name: a, pushover_configs: [{token: t}]}]\n", Amtool::Rejects),
    ("pushover without token", "route: {receiver: a}\nreceivers: [{name: a, pushover_configs: [{user_key: u}]}]\n", Amtool::Rejects),
    ("pushover inline keys", "route: {receiver: a}\nreceivers: [{name: a, pushover_configs: [{user_key: u, token: t, retry: 1m30s, expire: 1.5h}]}]\n", Amtool::Accepts),
    ("pushover retry not a Go duration", "route: {receiver: a}\nreceivers: [{name: a, pushover_configs: [{user_key: u, token: t, retry: 5 minutes}]}]\n", Amtool::Rejects),
    ("pushover token file (not in 0.25)", "route: {receiver: a}\nreceivers: [{name: a, pushover_configs: [{user_key: u, token_file: /f}]}]\n", Amtool::Rejects),
    ("wechat without secret", "route: {receiver: a}\nreceivers: [{name: a, wechat_configs: [{corp_id: c}]}]\n", Amtool::Rejects),
    ("wechat without corp id", "route: {receiver: a}\nreceivers: [{name: a, wechat_configs: [{api_secret: s}]}]\n", Amtool::Rejects),
    ("wechat global secret and corp id", "global: {wechat_api_secret: s, wechat_api_corp_id: c}\nroute: {receiver: a}\nreceivers: [{name: a, wechat_configs: [{}]}]\n", Amtool::Accepts),
    ("wechat unknown message type", "route: {receiver: a}\nreceivers: [{name: a, wechat_configs: [{api_secret: s, corp_id: c, message_type: html}]}]\n", Amtool::Rejects),
    ("wechat global URL null", "global: {wechat_api_url: null}\nroute: {receiver: a}\nreceivers: [{name: a, wechat_configs: [{api_secret: s, corp_id: c}]}]\n", Amtool::Rejects),
    ("sns without target", "route: {receiver: a}\nreceivers: [{name: a, sns_configs: [{subject: s}]}]\n", Amtool::Rejects),
    ("sns topic", "route: {receiver: a}\nreceivers: [{name: a, sns_configs: [{topic_arn: t}]}]\n", Amtool::Accepts),
    ("sns topic and phone", "route: {receiver: a}\nreceivers: [{name: a, sns_configs: [{topic_arn: t, phone_number: p}]}]\n", Amtool::Rejects),
    ("sns all three targets", "route: {receiver: a}\nreceivers: [{name: a, sns_configs: [{topic_arn: t, phone_number: p, target_arn: a}]}]\n", Amtool::Accepts),
    ("sns sigv4 access key alone", "route: {receiver: a}\nreceivers: [{name: a, sns_configs: [{topic_arn: t, sigv4: {region: r, access_key: a}}]}]\n", Amtool::Rejects),
    ("sns sigv4 unknown field", "route: {receiver: a}\nreceivers: [{name: a, sns_configs: [{topic_arn: t, sigv4: {region: r, zone: z}}]}]\n", Amtool::Rejects),
    ("telegram without bot token", "route: {receiver: a}\nreceivers: [{name: a, telegram_configs: [{chat_id: 5}]}]\n", Amtool::Rejects),
    ("telegram without chat id", "route: {receiver: a}\nreceivers: [{name: a, telegram_configs: [{bot_token: t}]}]\n", Amtool::Rejects),
    ("telegram chat id not a number", "route: {receiver: a}\nreceivers: [{name: a, telegram_configs: [{bot_token: t, chat_id: x}]}]\n", Amtool::Rejects),
    ("telegram unknown parse mode", "route: {receiver: a}\nreceivers: [{name: a, telegram_configs: [{bot_token: t, chat_id: 5, parse_mode: md}]}]\n", Amtool::Rejects),
    ("telegram inline bot token", "route: {receiver: a}\nreceivers: [{name: a, telegram_configs: [{bot_token: t, chat_id: -100, parse_mode: MarkdownV2}]}]\n", Amtool::Accepts),
    ("webex without room", "route: {receiver: a}\nreceivers: [{name: a, webex_configs: [{http_config: {authorization: {credentials_file: /f}}}]}]\n", Amtool::Rejects),
    ("webex without authorization", "route: {receiver: a}\nreceivers: [{name: a, webex_configs: [{room_id: r}]}]\n", Amtool::Rejects),
    ("webex bearer token file", "route: {receiver: a}\nreceivers: [{name: a, webex_configs: [{room_id: r, http_config: {bearer_token_file: /f}}]}]\n", Amtool::Accepts),
    ("webex global URL null", "global: {webex_api_url: null}\nroute: {receiver: a}\nreceivers: [{name: a, webex_configs: [{room_id: r, http_config: {bearer_token_file: /f}}]}]\n", Amtool::Rejects),
    ("discord without webhook URL", "route: {receiver: a}\nreceivers: [{name: a, discord_configs: [{title: t}]}]\n", Amtool::Rejects),
    ("discord URL without scheme", "route: {receiver: a}\nreceivers: [{name: a, discord_configs: [{webhook_url: x}]}]\n", Amtool::Rejects),
    ("discord inline webhook URL", "route: {receiver: a}\nreceivers: [{name: a, discord_configs: [{webhook_url: 'https://discord.example.com/api/webhooks/1'}]}]\n", Amtool::Accepts),
    ("slack field without value", "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url_file: /f, fields: [{title: t}]}]}]\n", Amtool::Rejects),
    ("slack action without name or url", "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url_file: /f, actions: [{type: button, text: t}]}]}]\n", Amtool::Rejects),
    ("slack confirmation without text", "route: {receiver: a}\nreceivers: [{name: a, slack_configs: [{api_url_file: /f, actions: [{type: button, text: t, url: u, confirm: {title: x}}]}]}]\n", Amtool::Rejects),
    ("pagerduty image unknown field", "route: {receiver: a}\nreceivers: [{name: a, pagerduty_configs: [{routing_key_file: /f, images: [{source: s}]}]}]\n", Amtool::Rejects),
    ("email tls_config unknown field", "global: {smtp_smarthost: 'a:25', smtp_from: a@b}\nroute: {receiver: a}\nreceivers: [{name: a, email_configs: [{to: a@b, tls_config: {verify: true}}]}]\n", Amtool::Rejects),
    ("webhook max_alerts negative", "route: {receiver: a}\nreceivers: [{name: a, webhook_configs: [{url: 'http://x', max_alerts: -1}]}]\n", Amtool::Rejects),
    ("inline SMTP password", "global: {smtp_smarthost: 'a:25', smtp_from: a@b, smtp_auth_username: u, smtp_auth_password: p}\nroute: {receiver: a}\nreceivers: [{name: a}]\n", Amtool::Accepts),
    ("shadowed route", "route: {receiver: a, routes: [{matchers: ['x=y']}, {matchers: ['x=y', 'z=w']}]}\nreceivers: [{name: a}]\n", Amtool::Accepts),
    ("unused receiver", "route: {receiver: a}\nreceivers: [{name: a}, {name: b}]\n", Amtool::Accepts),
];

#[test]
fn amtool_and_we_agree_fault_by_fault() {
    let dir = std::env::temp_dir().join(format!("sextant-lint-am-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut shown = String::new();
    for (index, (name, yaml, expected)) in CASES.iter().enumerate() {
        let path = dir.join(format!("case-{index}.yml"));
        std::fs::write(&path, yaml).unwrap();
        let file = SourceFile {
            path: "alertmanager.yml".into(),
            text: yaml.to_string(),
        };
        let mut diagnostics = amfile::lint(&file, &|_| Vec::new(), None);
        diag::sort(&mut diagnostics);
        let ours_has_errors = diagnostics.iter().any(Diagnostic::is_error);
        assert_agrees(name, ours_has_errors, amtool_accepts(&path), *expected);
        let verdict = match expected {
            Amtool::Rejects => "amtool rejects".to_string(),
            Amtool::Accepts => "amtool accepts".to_string(),
            Amtool::Stricter(why) => format!("amtool accepts, we reject: {why}"),
        };
        shown.push_str(&format!("== {name} ({verdict})\n"));
        for d in &diagnostics {
            let Some(diag::Span::File { range, .. }) = &d.span else {
                panic!("every diagnostic has a file place: {d:?}");
            };
            let (line, column) = rulefile::line_column(yaml, range.start);
            shown.push_str(&format!(
                "{line}:{column} {}[{}]: {}\n",
                d.severity, d.code, d.message
            ));
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    insta::assert_snapshot!("cases", shown);
}

#[test]
fn machine_formats_carry_the_file_line_and_column() {
    let path = format!("{FIXTURES}/receivers.yml");
    let (_, json, _) = cli(&["lint", &path, "--format", "json"]);
    let (_, github, _) = cli(&["lint", &path, "--format", "github"]);
    insta::assert_snapshot!("formats", format!("{json}\n{github}"));
    let (_, sarif, _) = cli(&["lint", &path, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let items = json.as_array().unwrap();
    assert_eq!(results.len(), items.len());
    for (result, item) in results.iter().zip(items) {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], item["file"]);
        assert_eq!(location["region"]["startLine"], item["line"]);
        assert_eq!(location["region"]["startColumn"], item["column"]);
    }
}

#[test]
fn template_globs_and_their_files() {
    let text =
        std::fs::read_to_string(common::root().join(FIXTURES).join("templates.yml")).unwrap();
    assert_eq!(
        amfile::template_globs(&text),
        ["templates/*.tmpl", "missing/*.tmpl"]
    );
}
