//! Sloth's getting-started example (`slok/sloth`, `examples/getting-started.yml`) declared in
//! Sextant, and the rules compared with Sloth's own output for it
//! (`examples/_gen/getting-started.yml`, kept in `tests/fixtures/sloth/`): the same record and
//! alert names, the same labels, the same expressions where Sextant's only differ in whitespace;
//! where they differ in substance the test says so, and why. promtool accepts the rules and the
//! generated tests pass, the regex matcher `code=~"(5..|429)"` expanded against `code`'s domain.
//!
//! What differs, and why:
//! - Groups: Sloth writes three groups (`sloth-slo-sli-recordings-..`, `..-meta-recordings-..`,
//!   `..-alerts-..`); Sextant one, `slo-requests-availability`.
//! - Two more records: `slo:sli_error_events:rate5m` and `slo:sli_total_events:rate5m`, the
//!   5-minute event rates the long windows are built from.
//! - SLI expressions: Sextant guards the denominator (`> 0`: no traffic is no ratio, not NaN),
//!   counts a never-incremented error counter as zero (`or total * 0`), computes 5m from the
//!   recorded rates, and 1d, 3d, 30d as traffic-weighted ratios of summed 5-minute rates; Sloth
//!   computes every window up to 3d from the raw series and 30d as the average of the 5-minute
//!   ratios (a quiet night's 5 minutes weigh as much as a busy afternoon's). Sloth's 30d record
//!   carries only `sloth_window` (its other labels come from the series); Sextant writes all.
//! - Objective and budget: `vector(0.999)` and `vector(0.001)` where Sloth writes the float noise
//!   `vector(0.9990000000000001)` and `vector(1-0.9990000000000001)`: the same numbers.
//! - Alerts: Sextant's condition divides each window's ratio by the budget and drops
//!   `sloth_window` with `max without (sloth_window)`; Sloth multiplies the factor by the budget
//!   and matches with `and ignoring (sloth_window)`. Sextant adds a `for` (the spec's 5m and
//!   10m: Sloth's `alert_for` plugin, not applied in this output) and a default `description`.
//! - `sloth_slo_info`: `sloth_mode` and `sloth_version` say `sextant`, not `cli-gen-prom`/`dev`.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::process::Command;

use serde_yaml::Value;
use sextant::catalog::{Catalog, Domain, Kind, Label, Metric, Origin};
use sextant::prelude::*;

static CODE: Label = Label {
    name: "code",
    help: "The HTTP status code of the response.",
    domain: Domain::Closed(&[
        "200", "201", "204", "301", "304", "400", "401", "403", "404", "429", "500", "502", "503",
        "504",
    ]),
};
static JOB: Label = Label {
    name: "job",
    help: "The scrape job.",
    domain: Domain::Open { expected: 20 },
};
static REQUEST_DURATION: Metric = Metric {
    name: "http_request_duration_seconds",
    kind: Kind::Histogram,
    help: "HTTP request latency, by status code.",
    unit: "seconds",
    labels: &[&JOB, &CODE],
    buckets: &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5],
    origin: Origin::External,
};
static CATALOG: Catalog = Catalog {
    metrics: &[&REQUEST_DURATION],
};

const RULES: &str = "prometheus/rules/slo-requests-availability.yml";
const ALERT: &str = "MyServiceAvailabilitySLO";

/// `examples/getting-started.yml`, as Sextant says it.
fn getting_started() -> Spec {
    let service = Service::new("myservice")
        .label("owner", "myteam")
        .label("repo", "myorg/myservice")
        .label("tier", "2");
    let slo = Slo::new("requests-availability", &service)
        .objective(99.9)
        .description("Common SLO based on availability for HTTP request responses.")
        .sli(Sli::error_ratio(
            Events::promql(r#"sum(rate(http_request_duration_seconds_count{job="myservice",code=~"(5..|429)"}[{{window}}]))"#),
            Events::promql(r#"sum(rate(http_request_duration_seconds_count{job="myservice"}[{{window}}]))"#),
        ))
        .alert_label("category", "availability")
        .alert_annotation("summary", "High error rate on 'myservice' requests responses")
        .page(
            Tier::on()
                .name(ALERT)
                .for_(mins(5))
                .severity("pageteam")
                .label("routing_key", "myteam")
                .annotation("title", "(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast."),
        )
        .ticket(
            Tier::on()
                .name(ALERT)
                .for_(mins(10))
                .severity("slack")
                .label("slack_channel", "#alerts-myteam")
                .annotation("title", "(ticket) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast."),
        )
        .absent_alert(Tier::off())
        .sextant_labels(SloLabels::none())
        .naming(Naming::Sloth);
    Spec::new(CATALOG)
        .severities(["pageteam", "slack"])
        // Sloth's example has no runbook.
        .lints(LintConfig::default().allow("alerts/annotations"))
        .slo(slo)
}

#[derive(Debug)]
struct Rule {
    kind: &'static str,
    name: String,
    expr: String,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

fn rules(text: &str) -> Vec<Rule> {
    let doc: Value = serde_yaml::from_str(text).expect("a rule file");
    let map = |v: Option<&Value>| -> BTreeMap<String, String> {
        v.and_then(Value::as_mapping)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.as_str().unwrap().into(), v.as_str().unwrap().into()))
                    .collect()
            })
            .unwrap_or_default()
    };
    doc["groups"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_sequence().unwrap().iter())
        .map(|r| {
            let (kind, name) = match (r.get("record"), r.get("alert")) {
                (Some(n), _) => ("record", n),
                (_, Some(n)) => ("alert", n),
                _ => panic!("a rule without a name: {r:?}"),
            };
            Rule {
                kind,
                name: name.as_str().unwrap().into(),
                expr: r["expr"].as_str().unwrap().into(),
                labels: map(r.get("labels")),
                annotations: map(r.get("annotations")),
            }
        })
        .collect()
}

fn squeeze(expr: &str) -> String {
    expr.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The rule of `sextant` that stands for Sloth's `rule`: same kind, name and window or tier.
fn counterpart<'a>(sextant: &'a [Rule], rule: &Rule) -> &'a Rule {
    let key = |r: &Rule| {
        (
            r.kind,
            r.name.clone(),
            r.labels.get("sloth_window").cloned(),
            r.labels.get("sloth_severity").cloned(),
        )
    };
    sextant
        .iter()
        .find(|r| key(r) == key(rule))
        .unwrap_or_else(|| panic!("Sextant has no {} {}", rule.kind, rule.name))
}

fn compiled() -> sextant::spec::Compiled {
    let spec = getting_started();
    let compiled = compile(&spec);
    assert!(
        compiled.diagnostics.is_empty(),
        "{}",
        common::diagnostics(&spec)
    );
    compiled
}

#[test]
fn getting_started_matches_sloths_output() {
    let compiled = compiled();
    let ours = rules(compiled.output.get(RULES).expect("the SLO's rule file"));
    let sloth_text =
        fs::read_to_string(common::root().join("tests/fixtures/sloth/getting-started.yml"))
            .unwrap();
    let sloth = rules(&sloth_text);

    // Names: every record and alert of Sloth's, and only two more records.
    let names = |rules: &[Rule], kind: &str| -> Vec<String> {
        let mut names: Vec<String> = rules
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| r.name.clone())
            .collect();
        names.sort();
        names.dedup();
        names
    };
    let extra: Vec<String> = names(&ours, "record")
        .into_iter()
        .filter(|n| !names(&sloth, "record").contains(n))
        .collect();
    assert_eq!(
        extra,
        ["slo:sli_error_events:rate5m", "slo:sli_total_events:rate5m"]
    );
    let count = |rules: &[Rule], kind: &str| rules.iter().filter(|r| r.kind == kind).count();
    assert_eq!(count(&ours, "record"), count(&sloth, "record") + 2);
    assert_eq!(count(&ours, "alert"), 2);
    assert!(ours
        .iter()
        .filter(|r| r.kind == "alert")
        .all(|r| r.name == ALERT));

    for rule in &sloth {
        let mine = counterpart(&ours, rule);
        // Labels: the same, but where the notes above say why not.
        match rule.name.as_str() {
            "slo:sli_error:ratio_rate30d" => {
                assert!(
                    rule.labels
                        .iter()
                        .all(|(k, v)| mine.labels.get(k) == Some(v)),
                    "{}: {:?} vs {:?}",
                    rule.name,
                    mine.labels,
                    rule.labels
                );
                assert_eq!(mine.labels.len(), 7, "{:?}", mine.labels);
            }
            "sloth_slo_info" => {
                let mut theirs = rule.labels.clone();
                theirs.insert("sloth_mode".into(), "sextant".into());
                theirs.insert("sloth_version".into(), "sextant".into());
                assert_eq!(mine.labels, theirs);
            }
            _ => assert_eq!(
                mine.labels, rule.labels,
                "labels of {} {}",
                rule.kind, rule.name
            ),
        }
        // Expressions: the same modulo whitespace, but where the notes above say why not.
        let (a, b) = (squeeze(&mine.expr), squeeze(&rule.expr));
        match rule.name.as_str() {
            "slo:objective:ratio" => assert_eq!(a, "vector(0.999)"),
            "slo:error_budget:ratio" => assert_eq!(a, "vector(0.001)"),
            name if name.starts_with("slo:sli_error:ratio_rate") || rule.kind == "alert" => {
                assert_ne!(a, b, "{name} now matches Sloth's: update the notes")
            }
            _ => assert_eq!(a, b, "expression of {}", rule.name),
        }
        // Annotations: Sloth's, plus Sextant's default `description` on the alerts.
        for (k, v) in &rule.annotations {
            assert_eq!(mine.annotations.get(k), Some(v), "{k} of {}", rule.name);
        }
    }
    assert!(ours.iter().any(|r| r.name == "sloth_slo_info"));
    // Every alert, and its `for`: the spec's.
    let tiers: Vec<(String, String)> = ours
        .iter()
        .filter(|r| r.kind == "alert")
        .map(|r| {
            (
                r.labels["severity"].clone(),
                r.labels["sloth_severity"].clone(),
            )
        })
        .collect();
    assert_eq!(
        tiers,
        [
            ("pageteam".to_string(), "page".to_string()),
            ("slack".to_string(), "ticket".to_string())
        ]
    );
    let text = compiled.output.get(RULES).unwrap();
    assert!(
        text.contains("tier: '2'") || text.contains("tier: \"2\""),
        "{text}"
    );
}

#[test]
fn promtool_accepts_the_rules_and_the_generated_tests_pass() {
    let compiled = compiled();
    let tests: Vec<&str> = compiled
        .output
        .files()
        .keys()
        .map(String::as_str)
        .filter(|p| p.starts_with("prometheus/tests/"))
        .collect();
    assert_eq!(
        tests,
        [
            "prometheus/tests/slo-requests-availability-page.yml",
            "prometheus/tests/slo-requests-availability-ticket.yml"
        ],
        "the regex matcher expanded against `code`'s domain: the tests still generate"
    );
    let dir = std::env::temp_dir().join(format!("sextant-sloth-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    for (path, contents) in compiled.output.files() {
        if path.starts_with("prometheus/") {
            let target = dir.join(path);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, contents).unwrap();
        }
    }
    let run = |args: &[&str], file: &str| {
        let out = Command::new("promtool")
            .args(args)
            .arg(dir.join(file))
            .output()
            .expect("promtool runs: ci/test.sh installs it");
        assert!(
            out.status.success(),
            "promtool {args:?} {file}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["check", "rules"], RULES);
    for test in tests {
        run(&["test", "rules"], test);
    }
    fs::remove_dir_all(&dir).unwrap();
}
