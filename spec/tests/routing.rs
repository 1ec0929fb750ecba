//! Where EJE's alerts go: the seed's routing asserted label set by label set, and our routing
//! engine checked against AlertManager's own (`amtool config routes test` and `routes show`,
//! AlertManager 0.25) on every combination of the label values the routes and rules use.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use eje_spec::routing::{EMAIL_TICKETS, PAGERDUTY, SLACK_CRITICAL, SLACK_WARNINGS, WEBHOOK};
use sextant::alertmanager::{route, Config, MatchOp};
use sextant::ir::Ir;
use sextant::rules::ir::RuleKind;

fn lowered() -> (Ir, Config) {
    let (ir, diagnostics) = sextant::spec::lower(&eje_spec::spec());
    assert!(
        diagnostics.iter().all(|d| !d.is_error()),
        "EJE's spec has errors: {diagnostics:#?}"
    );
    let config = ir.alertmanager.clone().expect("EJE declares AlertManager");
    (ir, config)
}

fn labels(text: &str) -> BTreeMap<String, String> {
    let args: Vec<&str> = text.split_whitespace().collect();
    route::parse_labels(&args).expect("test labels parse")
}

/// Asserts that an alert with `alert` labels (`name=value ...`) goes to `expect`.
#[track_caller]
fn check(alert: &str, expect: &[&str]) {
    let (_, config) = lowered();
    assert_eq!(
        route::receivers(&config, &labels(alert)),
        expect,
        "labels {alert}"
    );
}

#[test]
fn critical_pages_and_posts_to_slack() {
    check(
        "severity=critical component=critic",
        &[PAGERDUTY, SLACK_CRITICAL],
    );
    check(
        "alertname=EJETargetDown severity=critical component=api",
        &[PAGERDUTY, SLACK_CRITICAL],
    );
}

#[test]
fn warnings_go_to_slack() {
    check("severity=warning component=aggregator", &[SLACK_WARNINGS]);
}

#[test]
fn slo_tickets_are_emailed_and_pages_page() {
    check(
        "slo=decision-availability tier=ticket severity=warning component=aggregator",
        &[EMAIL_TICKETS],
    );
    check(
        "slo=decision-availability tier=page severity=critical component=aggregator",
        &[PAGERDUTY, SLACK_CRITICAL],
    );
}

#[test]
fn the_rest_goes_to_the_alert_log() {
    check("severity=info component=tracing", &[WEBHOOK]);
    check("", &[WEBHOOK]);
    check("severity=page", &[WEBHOOK]);
    // A ticket tier without an SLO name is not an SLO ticket.
    check("tier=ticket severity=warning", &[SLACK_WARNINGS]);
}

#[test]
fn every_eje_alert_reaches_a_human_or_the_log_by_its_severity() {
    let (ir, config) = lowered();
    let mut seen = Vec::new();
    for rule in ir.rules().filter(|r| r.kind == RuleKind::Alert) {
        let labels = sextant::alertmanager::checks::alert_labels(rule, &BTreeMap::new());
        let ticket = rule.labels.get("tier").map(String::as_str) == Some("ticket");
        let expect: &[&str] = match rule.labels["severity"].as_str() {
            "warning" if ticket => &[EMAIL_TICKETS],
            "critical" => &[PAGERDUTY, SLACK_CRITICAL],
            "warning" => &[SLACK_WARNINGS],
            _ => &[WEBHOOK],
        };
        assert_eq!(route::receivers(&config, &labels), expect, "{}", rule.name);
        seen.push(rule.name.clone());
    }
    assert!(seen.len() >= 8, "EJE's alerts: {seen:?}");
}

#[test]
fn a_critical_silences_the_warning_of_the_same_alert() {
    let (_, config) = lowered();
    let critical = labels(
        "alertname=EJECriticHighFailureRate severity=critical component=critic critic=bias_critic cluster=eje",
    );
    let warning = labels(
        "alertname=EJECriticHighFailureRate severity=warning component=critic critic=bias_critic cluster=eje",
    );
    let other_critic = labels(
        "alertname=EJECriticHighFailureRate severity=warning component=critic critic=safety_critic cluster=eje",
    );
    let other_alert =
        labels("alertname=EJECriticLatencyHigh severity=warning component=critic critic=bias_critic cluster=eje");
    let other_cluster = labels(
        "alertname=EJECriticHighFailureRate severity=warning component=critic critic=bias_critic cluster=staging",
    );
    assert!(route::inhibits(&config, &critical, &warning));
    assert!(!route::inhibits(&config, &critical, &other_critic));
    assert!(!route::inhibits(&config, &critical, &other_alert));
    assert!(!route::inhibits(&config, &critical, &other_cluster));
    assert!(!route::inhibits(&config, &warning, &critical));
}

#[test]
fn an_slo_page_silences_its_ticket() {
    let (_, config) = lowered();
    let page = labels(
        "alertname=EJEDecisionSuccessFastBurn severity=critical component=slo slo=decision-success tier=page cluster=eje",
    );
    let ticket = labels(
        "alertname=EJEDecisionSuccessSlowBurn severity=warning component=slo slo=decision-success tier=ticket cluster=eje",
    );
    let other_slo = labels(
        "alertname=EJEDecisionLatencySlowBurn severity=warning component=slo slo=decision-latency tier=ticket cluster=eje",
    );
    assert!(route::inhibits(&config, &page, &ticket));
    assert!(!route::inhibits(&config, &page, &other_slo));
    assert!(!route::inhibits(&config, &ticket, &page));
}

/// A temporary folder with the compiled `generated/` tree, removed on drop.
struct Generated(PathBuf);

impl Generated {
    fn new(name: &str) -> Generated {
        let compiled = sextant::spec::compile(&eje_spec::spec());
        assert!(!compiled.has_errors(), "EJE's spec has errors");
        let dir = std::env::temp_dir().join(format!("eje-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, contents) in compiled.output.files() {
            let file = dir.join(path);
            std::fs::create_dir_all(file.parent().expect("files are in folders")).unwrap();
            std::fs::write(file, contents).unwrap();
        }
        Generated(dir)
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.0.join(relative)
    }
}

impl Drop for Generated {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn amtool(args: &[&str], config: &Path) -> String {
    let output = Command::new("amtool")
        .args(args)
        .arg(format!("--config.file={}", config.display()))
        .output()
        .unwrap_or_else(|e| panic!("amtool not found ({e}): run ci/test.sh, which installs it"));
    assert!(
        output.status.success(),
        "amtool {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("amtool prints UTF-8")
}

#[test]
fn amtool_accepts_the_configuration() {
    let generated = Generated::new("check-config");
    let output = Command::new("amtool")
        .arg("check-config")
        .arg(generated.path("alertmanager/alertmanager.yml"))
        .output()
        .unwrap_or_else(|e| panic!("amtool not found ({e}): run ci/test.sh, which installs it"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "amtool check-config: {stdout}");
    assert!(stdout.contains("1 templates"), "{stdout}");
}

#[test]
fn routes_show_draws_the_tree_as_amtool_does() {
    let (_, config) = lowered();
    let generated = Generated::new("routes-show");
    let theirs = amtool(
        &["config", "routes", "show"],
        &generated.path("alertmanager/alertmanager.yml"),
    );
    assert_eq!(route::show(&config), theirs);
}

/// The values worth trying for each label: per label the routes match on or the rules set,
/// every value a matcher or rule names, a value that matches each regex, a value no matcher
/// names, and the label missing (`None`). Labels neither routes nor rules name cannot change
/// the result, so they are left out; `alertname` only takes the rules' values, through the
/// rules' own label sets below, since no route matches on it.
fn label_values(ir: &Ir, config: &Config) -> BTreeMap<String, BTreeSet<Option<String>>> {
    let mut values: BTreeMap<String, BTreeSet<Option<String>>> = BTreeMap::new();
    let mut add = |name: &str, value: Option<&str>| {
        values
            .entry(name.to_string())
            .or_default()
            .insert(value.map(str::to_string));
    };
    for route in config.route.walk() {
        for m in &route.matchers {
            add(&m.name, None);
            add(&m.name, Some("unmatched-value"));
            match m.op {
                MatchOp::Eq | MatchOp::Ne => add(&m.name, Some(&m.value)),
                MatchOp::Re | MatchOp::NotRe => add(&m.name, Some("some-value")),
            }
        }
    }
    for rule in ir.rules().filter(|r| r.kind == RuleKind::Alert) {
        for (name, value) in &rule.labels {
            add(name, None);
            add(name, Some(value));
        }
    }
    // The SLO contract's values (the SLO alerts come from another part of the spec).
    for (name, value) in [
        ("tier", "page"),
        ("tier", "ticket"),
        ("slo", "availability"),
    ] {
        add(name, Some(value));
    }
    values
}

fn combinations(
    values: &BTreeMap<String, BTreeSet<Option<String>>>,
) -> Vec<BTreeMap<String, String>> {
    let mut out = vec![BTreeMap::new()];
    for (name, options) in values {
        out = out
            .into_iter()
            .flat_map(|partial| {
                options.iter().map(move |value| {
                    let mut labels = partial.clone();
                    if let Some(value) = value {
                        labels.insert(name.clone(), value.clone());
                    }
                    labels
                })
            })
            .collect();
    }
    out
}

#[test]
fn routing_agrees_with_amtool_on_every_combination() {
    let (ir, config) = lowered();
    let generated = Generated::new("routes-test");
    let file = generated.path("alertmanager/alertmanager.yml");
    let mut cases = combinations(&label_values(&ir, &config));
    for rule in ir.rules().filter(|r| r.kind == RuleKind::Alert) {
        cases.push(sextant::alertmanager::checks::alert_labels(
            rule,
            &BTreeMap::new(),
        ));
    }
    assert!(cases.len() > 100, "only {} combinations", cases.len());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunk = cases.len().div_ceil(workers);
    let disagreements: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = cases
            .chunks(chunk)
            .map(|cases| {
                let (file, config) = (&file, &config);
                scope.spawn(move || {
                    let mut wrong = Vec::new();
                    for labels in cases {
                        let args: Vec<String> = ["config", "routes", "test"]
                            .iter()
                            .map(|s| s.to_string())
                            .chain(labels.iter().map(|(k, v)| format!("{k}={v}")))
                            .collect();
                        let args: Vec<&str> = args.iter().map(String::as_str).collect();
                        let theirs = amtool(&args, file);
                        let ours = route::receivers(config, labels).join(",");
                        if theirs.trim_end() != ours {
                            wrong.push(format!("{labels:?}: amtool {theirs:?}, ours {ours:?}"));
                        }
                    }
                    wrong
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    });
    assert!(
        disagreements.is_empty(),
        "{} of {} label sets route differently:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n")
    );
}

fn cli(args: &[&str]) -> (u8, String, String) {
    let project = sextant::cli::Project {
        root: Path::new(env!("CARGO_MANIFEST_DIR")).join(".."),
        spec: eje_spec::spec,
    };
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let args = std::iter::once("sextant")
        .chain(args.iter().copied())
        .map(Into::into);
    let code = sextant::cli::run(&project, args, &mut stdout, &mut stderr);
    let text = |bytes| String::from_utf8(bytes).expect("UTF-8");
    (code, text(stdout), text(stderr))
}

#[test]
fn cli_routes_test_prints_what_amtool_prints() {
    let generated = Generated::new("cli-routes-test");
    let file = generated.path("alertmanager/alertmanager.yml");
    for labels in [
        vec!["severity=critical", "component=critic"],
        vec!["severity=warning"],
        vec!["slo=availability", "tier=ticket", "severity=warning"],
        vec![],
    ] {
        let mut args = vec!["routes", "test"];
        args.extend(&labels);
        let (code, ours, _) = cli(&args);
        assert_eq!(code, 0, "{labels:?}");
        let mut amtool_args = vec!["config", "routes", "test"];
        amtool_args.extend(&labels);
        assert_eq!(ours, amtool(&amtool_args, &file), "{labels:?}");
    }
    let (code, show, _) = cli(&["routes", "show"]);
    assert_eq!(
        (code, show),
        (0, amtool(&["config", "routes", "show"], &file))
    );
}

#[test]
fn cli_routes_test_rejects_what_is_not_a_label() {
    let (code, _, stderr) = cli(&["routes", "test", "severity"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("name=value"), "{stderr}");
}

#[test]
fn no_secret_is_written_into_the_configuration() {
    let compiled = sextant::spec::compile(&eje_spec::spec());
    let yaml = compiled
        .output
        .get("alertmanager/alertmanager.yml")
        .expect("the configuration");
    for key in [
        "api_url:",
        "slack_api_url:",
        "routing_key:",
        "service_key:",
        "smtp_auth_password:",
        "auth_password:",
        "credentials:",
        "password:",
    ] {
        assert!(!yaml.contains(key), "alertmanager.yml has `{key}`");
    }
    for key in [
        "api_url_file:",
        "routing_key_file:",
        "smtp_auth_password_file:",
        "credentials_file:",
    ] {
        assert!(yaml.contains(key), "alertmanager.yml lacks `{key}`");
    }
}
