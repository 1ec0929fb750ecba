//! `lint PATH...` on Prometheus rule files: a snapshot of each lint's diagnostics on
//! `tests/fixtures/lint/dirty.yml`, nothing on `clean.yml`, what promtool rejects in
//! `invalid.yml`, the catalog lints on a spec, the output formats, the exit codes, and
//! `--live` against a local server.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::process::Command;

use sextant::catalog::{Catalog, Domain, Kind, Label, Metric, Origin};
use sextant::diagnostics::{self as diag, Diagnostic};
use sextant::lint::{self, Check, LintConfig};
use sextant::prelude::*;
use sextant::rules::file::SourceFile;
use sextant_catalog::eje;

const FIXTURES: &str = "tests/fixtures/lint";

fn read(name: &str) -> SourceFile {
    let path = format!("{FIXTURES}/{name}");
    let text = std::fs::read_to_string(common::root().join(&path)).expect("fixture exists");
    SourceFile { path, text }
}

/// Lints files as `lint PATH...` does, against EJE's catalog and `config`.
fn lint_files(files: &[SourceFile], config: &LintConfig) -> Vec<Diagnostic> {
    let spec = Spec::new(eje::CATALOG).lints(config.clone());
    lint::files::lint_files(files, &spec, &lint::files::Environment::none())
        .expect("the fixtures are rule files")
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let root = common::root();
    diag::render(diagnostics, &|file| {
        std::fs::read_to_string(root.join(file)).ok()
    })
}

/// The lints that read the spec (the catalog, budgets) or a running system, not rule files.
const NOT_ON_FILES: &[&str] = &[
    "cardinality/unbounded-label",
    "cardinality/budget",
    "cardinality/live-series",
];

#[test]
fn dirty_fixture_trips_every_rule_lint() {
    let config =
        LintConfig::default().record_budget("job_critic_reason:eje_critic_failures:rate5m", 10);
    let diagnostics = lint_files(&[read("dirty.yml")], &config);
    for lint in lint::REGISTRY {
        if NOT_ON_FILES.contains(&lint.code) || lint.code.starts_with("global/") {
            continue;
        }
        let mine: Vec<Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.code == lint.code)
            .cloned()
            .collect();
        assert!(!mine.is_empty(), "dirty.yml has no case for {}", lint.code);
        insta::assert_snapshot!(
            format!("dirty__{}", lint.code.replace('/', "__")),
            render(&mine)
        );
    }
    let unexpected: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| lint::find(d.code).is_none())
        .collect();
    assert!(unexpected.is_empty(), "dirty.yml is valid: {unexpected:?}");
}

#[test]
fn clean_fixture_has_no_diagnostics() {
    let diagnostics = lint_files(&[read("clean.yml")], &LintConfig::default());
    assert_eq!(render(&diagnostics), "");
}

#[test]
fn a_comment_marker_turns_a_lint_off_for_one_rule() {
    let mut clean = read("clean.yml");
    let marker = "      # sextant: disable=promql/range-too-short\n";
    assert!(clean.text.contains(marker));
    clean.text = clean.text.replace(marker, "");
    let diagnostics = lint_files(&[clean], &LintConfig::default());
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["promql/range-too-short"]);
}

#[test]
fn invalid_fixture_reports_everything_promtool_rejects() {
    let diagnostics = lint_files(&[read("invalid.yml")], &LintConfig::default());
    insta::assert_snapshot!("invalid", render(&diagnostics));
}

#[track_caller]
fn promtool_exit(name: &str) -> i32 {
    let output = Command::new("promtool")
        .args(["check", "rules", &format!("{FIXTURES}/{name}")])
        .current_dir(common::root())
        .output()
        .unwrap_or_else(|_| panic!("promtool not found: run ci/test.sh, which installs it"));
    output.status.code().unwrap_or(-1)
}

#[test]
fn promtool_agrees_on_what_is_valid() {
    assert_eq!(promtool_exit("clean.yml"), 0);
    assert_eq!(promtool_exit("dirty.yml"), 0);
    assert_eq!(promtool_exit("invalid.yml"), 1);
}

static USER_ID: Label = Label {
    name: "user_id",
    help: "the caller",
    domain: Domain::Registered {
        known: &[],
        cap: 10_000,
        overflow: "other",
    },
};

static REQUESTS_BY_USER: Metric = Metric {
    name: "eje_requests_by_user_total",
    kind: Kind::Counter,
    help: "Requests, by user (what not to do).",
    unit: "",
    labels: &[&USER_ID],
    buckets: &[],
    origin: Origin::Instrumented,
};

static BAD_CATALOG: Catalog = Catalog {
    metrics: &[&REQUESTS_BY_USER, &eje::CRITIC_DURATION_SECONDS],
};

#[test]
fn catalog_lints_on_a_spec() {
    let spec = Spec::new(BAD_CATALOG)
        .rule_group(RuleGroup::new("test").rule(Record::new(
            "job_critic:eje_critic_duration_seconds:p99_rate5m",
            "histogram_quantile(0.99, sum by (job, critic, le) (rate(eje_critic_duration_seconds_bucket[5m])))",
        )))
        .lints(
            LintConfig::default()
                .budget(&REQUESTS_BY_USER, 1_000)
                .budget(&eje::CRITIC_DURATION_SECONDS, 100)
                .record_budget("job_critic:eje_critic_duration_seconds:p99_rate5m", 10)
                .record_budget("no:such:series", 1)
                .total_budget(5_000),
        );
    insta::assert_snapshot!("catalog", common::diagnostics(&spec));
}

/// A project around the EJE catalog for the CLI tests.
fn project() -> sextant::cli::Project {
    sextant::cli::Project {
        root: common::root(),
        spec: || {
            Spec::new(eje::CATALOG).lints(LintConfig::default().budget(&eje::DECISIONS_TOTAL, 4))
        },
    }
}

/// Runs the CLI; returns the exit code, stdout and stderr.
fn cli(args: &[&str]) -> (u8, String, String) {
    common::run_cli(&project(), args)
}

#[test]
fn formats() {
    let path = format!("{FIXTURES}/formats.yml");
    for format in ["human", "json", "github", "sarif"] {
        let (code, out, _) = cli(&["lint", &path, "--format", format]);
        assert_eq!(code, 1, "{format}: an unknown metric is an error");
        insta::assert_snapshot!(format!("format_{format}"), out);
    }
    let (_, sarif, _) = cli(&["lint", &path, "--format", "sarif"]);
    let log: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    // One rule per code the results use, each result pointing at its own.
    let results = log["runs"][0]["results"].as_array().unwrap();
    let mut codes: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    codes.sort();
    codes.dedup();
    assert_eq!(rules.len(), codes.len());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(rules[index]["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("## Fix"));
    }
}

#[test]
fn exit_codes() {
    let file = |name: &str| format!("{FIXTURES}/{name}");
    assert_eq!(cli(&["lint", &file("clean.yml")]).0, 0);
    assert_eq!(cli(&["lint", &file("clean.yml"), "--fail-on", "info"]).0, 0);
    assert_eq!(cli(&["lint", &file("dirty.yml")]).0, 1);
    // A warning fails the run only at `--fail-on warning` or below.
    assert_eq!(cli(&["lint", &file("warning.yml")]).0, 0);
    assert_eq!(
        cli(&["lint", &file("warning.yml"), "--fail-on", "warning"]).0,
        1
    );
    assert_eq!(cli(&["lint", &file("alertmanager.yml")]).0, 0);
    // Dashboards are linted (tests/lint_dashboards.rs): this one lacks only what Grafana's
    // schema requires, which is a warning.
    assert_eq!(cli(&["lint", &file("dashboard.json")]).0, 0);
    assert_eq!(
        cli(&["lint", &file("dashboard.json"), "--fail-on", "warning"]).0,
        1
    );
    let (code, _, err) = cli(&["lint", "Cargo.toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("not a rule file"), "{err}");
    assert_eq!(cli(&["lint", "--fail-on", "fatal"]).0, 2);
    assert_eq!(cli(&["lint", &file("no-such.yml")]).0, 2);
}

/// Serves `bodies` in turn, one connection each, on a local port; returns the base URL.
fn serve(bodies: Vec<(&'static str, String)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for (content_type, body) in bodies {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn live_budgets_against_metrics_and_tsdb() {
    // 6 series of eje_decisions_total where the budget allows 4; 2 of eje_requests_total, under
    // its estimate of 24.
    let mut metrics = String::from("# TYPE eje_decisions_total counter\n");
    for verdict in ["APPROVE", "REJECT", "ESCALATE"] {
        for status in ["success", "error"] {
            metrics.push_str(&format!(
                "eje_decisions_total{{verdict=\"{verdict}\",status=\"{status}\"}} 1\n"
            ));
        }
    }
    metrics.push_str("eje_requests_total{user_type=\"standard\",api_version=\"v1\",status=\"2xx\"} 3\neje_requests_total{user_type=\"premium\",api_version=\"v1\",status=\"2xx\"} 3\n");
    let tsdb = r#"{"status":"success","data":{"seriesCountByMetricName":[{"name":"eje_decisions_total","value":9},{"name":"eje_critic_duration_seconds_bucket","value":500},{"name":"eje_critic_duration_seconds_count","value":30}]}}"#;
    let url = serve(vec![
        ("text/plain; version=0.0.4", metrics),
        ("application/json", tsdb.to_string()),
    ]);
    let (code, out, _) = cli(&["lint", "fixtures-none", "--live", &format!("{url}/metrics")]);
    assert_eq!(code, 2, "a missing file stops before --live: {out}");
    let metrics_url = format!("{url}/metrics");
    let (code, out, _) = cli(&["lint", "--live", &metrics_url]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("live_metrics", out.replace(&url, "http://SERVER"));
    let tsdb_url = format!("{url}/api/v1/status/tsdb");
    let (code, out, _) = cli(&["lint", "--live", &tsdb_url, "--targets", "2"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("live_tsdb", out.replace(&url, "http://SERVER"));
}

#[test]
fn live_reports_an_unreachable_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/metrics", listener.local_addr().unwrap());
    drop(listener);
    let (code, _, err) = cli(&["lint", "--live", &url]);
    assert_eq!(code, 2);
    assert!(err.contains("--live"), "{err}");
}

#[test]
fn every_check_kind_is_used() {
    let kinds = |pred: fn(&Check) -> bool| lint::REGISTRY.iter().filter(|l| pred(&l.check)).count();
    assert!(kinds(|c| matches!(c, Check::Rule(_))) > 0);
    assert!(kinds(|c| matches!(c, Check::Group(_))) > 0);
    assert!(kinds(|c| matches!(c, Check::Spec(_))) > 0);
    assert!(kinds(|c| matches!(c, Check::Live)) > 0);
}

/// A spec whose Prometheus pair carries `cluster` and is told apart by `replica`, as the
/// global/ lints need to know.
fn pair() -> Spec {
    use sextant::prelude::alerting::PrometheusConfig;
    Spec::new(eje::CATALOG).prometheus(
        PrometheusConfig::new()
            .external_label("cluster", "eu-1")
            .replicas("replica", ["a", "b"]),
    )
}

/// The global/ lints look at what a ruler evaluates, so a plain rule file (dirty.yml) trips none:
/// here they are tripped on a Thanos Ruler rule file (Thanos's defaults: a global view, 1m
/// evaluation, 5m resolution after 40h): each tripped, and nothing else.
#[test]
fn global_fixture_trips_every_global_lint() {
    let diagnostics = lint::files::lint_files(
        &[read("global/thanos.yml")],
        &pair(),
        &lint::files::Environment::none(),
    )
    .expect("a Thanos rule file is read");
    for lint in lint::REGISTRY
        .iter()
        .filter(|l| l.code.starts_with("global/"))
    {
        let mine: Vec<Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.code == lint.code)
            .cloned()
            .collect();
        assert!(
            !mine.is_empty(),
            "global/thanos.yml has no case for {}",
            lint.code
        );
        insta::assert_snapshot!(
            format!("global__{}", lint.code.replace('/', "__")),
            render(&mine)
        );
    }
    let others: Vec<&str> = diagnostics
        .iter()
        .map(|d| d.code)
        .filter(|c| !c.starts_with("global/"))
        .collect();
    assert!(others.is_empty(), "{others:?}");
    // The same rules in a plain rule file are for one Prometheus: nothing to say.
    let mut plain = read("global/thanos.yml");
    plain.text = plain
        .text
        .replace("    partial_response_strategy: abort\n", "");
    plain.text = plain
        .text
        .replace("    partial_response_strategy: warn\n", "");
    let diagnostics =
        lint::files::lint_files(&[plain], &pair(), &lint::files::Environment::none()).unwrap();
    assert_eq!(render(&diagnostics), "");
}

/// On Mimir, only a federated group (`source_tenants`) sees more than one tenant's series.
#[test]
fn global_lints_on_a_mimir_file_look_at_federated_groups() {
    let diagnostics = lint::files::lint_files(
        &[read("global/mimir.yml")],
        &pair(),
        &lint::files::Environment::none(),
    )
    .expect("a Mimir rule file is read");
    insta::assert_snapshot!("global_mimir", render(&diagnostics));
}
