//! `sextant backtest` against a real Prometheus: known series are written as OpenMetrics, turned
//! into TSDB blocks with `promtool tsdb create-blocks-from openmetrics`, and served by a
//! `prometheus` on 127.0.0.1 with no scrape targets. An alert is replayed before and after a
//! threshold change; the firing intervals must equal the ones this file computes on its own,
//! from the samples it wrote (a direct simulation of lookback, threshold, `for` and
//! `keep_firing_for`, not the library's state machine). The server is stopped at the end, on
//! failure too; every wait is bounded.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration as StdDuration, Instant, SystemTime, UNIX_EPOCH};

use sextant::backtest::{self, Change, Grid, Server, Window, MAX_POINTS};
use sextant::prelude::*;

mod common;
use common::{run_cli, Prometheus, TempDir};

const MINUTE: i64 = 60_000;
/// Samples are written every minute, 7 s past the minute: never on a 15 s evaluation time nor on
/// the edge of an evaluation's 5-minute lookback, where Prometheus versions differ (closed or
/// open on the left).
const SAMPLE_OFFSET: i64 = 7_000;
/// Prometheus's lookback delta: an instant query sees the latest sample of the last 5 minutes.
const LOOKBACK: i64 = 5 * MINUTE;
/// The data covers 12 hours, in minutes from its start.
const MINUTES: i64 = 720;

/// From minute, to minute (excluded), value (`None`: no sample, a gap in the data).
type Period = (i64, i64, Option<f64>);

/// Each service's story: the first period that holds a minute gives its value; the last, the
/// whole data, the base.
const STORIES: [(&str, &[Period]); 2] = [
    (
        "a",
        &[
            (400, 430, None),       // a scrape gap in the middle of an incident
            (60, 63, Some(0.08)),   // too short for `for: 5m`
            (120, 180, Some(0.08)), // above 5 %, below 10 %
            (240, 300, Some(0.2)),  // then a 3-minute dip, that keep_firing_for bridges
            (303, 330, Some(0.2)),
            (380, 460, Some(0.2)),      // around the gap
            (600, MINUTES, Some(0.12)), // until the data ends
            (0, MINUTES, Some(0.01)),
        ],
    ),
    (
        "b",
        &[
            (500, 700, None), // a long gap
            (100, 110, Some(0.3)),
            (450, 500, Some(0.07)), // up to the gap
            (0, MINUTES, Some(0.02)),
        ],
    ),
];

/// The error ratio of one service at minute `m` of the data (`None`: no sample, a gap).
fn ratio(service: &str, m: i64) -> Option<f64> {
    let (_, story) = STORIES.iter().find(|(s, _)| *s == service).unwrap();
    story
        .iter()
        .find(|(from, to, _)| (*from..*to).contains(&m))
        .and_then(|(_, _, value)| *value)
}

/// Every sample: (service, time in ms, value), sorted by service then time.
fn samples(origin: i64) -> Vec<(&'static str, i64, f64)> {
    ["a", "b"]
        .into_iter()
        .flat_map(|service| {
            (0..MINUTES).filter_map(move |m| {
                ratio(service, m).map(|v| (service, origin + m * MINUTE + SAMPLE_OFFSET, v))
            })
        })
        .collect()
}

fn openmetrics(samples: &[(&str, i64, f64)]) -> String {
    let mut text = String::from(
        "# HELP app_error_ratio Errors over requests.\n# TYPE app_error_ratio gauge\n",
    );
    for (service, t, v) in samples {
        text.push_str(&format!(
            "app_error_ratio{{service=\"{service}\"}} {v} {}.{:03}\n",
            t / 1000,
            t % 1000
        ));
    }
    text.push_str("# EOF\n");
    text
}

/// The firing intervals (start, end or None) per service, simulated directly: at each
/// evaluation the latest sample of the last 5 minutes is compared with `threshold`; an alert
/// fires once present for `for_` since it became active, keeps firing `keep` after the first
/// evaluation it is absent, and a pending alert is lost at its first absence.
fn simulate(
    samples: &[(&str, i64, f64)],
    grid: Grid,
    threshold: f64,
    for_: i64,
    keep: i64,
) -> BTreeMap<String, Vec<(i64, Option<i64>)>> {
    let mut out = BTreeMap::new();
    for service in ["a", "b"] {
        let series: Vec<(i64, f64)> = samples
            .iter()
            .filter(|s| s.0 == service)
            .map(|s| (s.1, s.2))
            .collect();
        let above = |t: i64| {
            series
                .iter()
                .rev()
                .find(|(ts, _)| *ts <= t)
                .is_some_and(|(ts, v)| *ts > t - LOOKBACK && *v > threshold)
        };
        let mut intervals = Vec::new();
        let mut pending_since: Option<i64> = None;
        let mut fired_at: Option<i64> = None;
        let mut absent_since: Option<i64> = None;
        for k in 0..grid.count {
            let t = grid.start + k as i64 * grid.step;
            if above(t) {
                absent_since = None;
                if fired_at.is_none() {
                    let since = *pending_since.get_or_insert(t);
                    if t - since >= for_ {
                        fired_at = Some(t);
                    }
                }
            } else {
                pending_since = None;
                if let Some(fired) = fired_at {
                    let since = *absent_since.get_or_insert(t);
                    if t - since >= keep {
                        intervals.push((fired, Some(t)));
                        fired_at = None;
                        absent_since = None;
                    }
                }
            }
        }
        if let Some(fired) = fired_at {
            intervals.push((fired, None));
        }
        if !intervals.is_empty() {
            out.insert(service.to_string(), intervals);
        }
    }
    out
}

/// A Prometheus serving the blocks in `dir/data`, stopped when dropped.
fn serve_blocks(dir: &Path) -> Prometheus {
    Prometheus::start(
        dir,
        "global: {evaluation_interval: 15s}\n",
        &["--storage.tsdb.retention.time=100y"],
    )
}

/// Waits (60 s at most) until `prometheus` answers a query with the backfilled series.
fn wait_for_data(prometheus: &mut Prometheus) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(StdDuration::from_secs(2)))
        .build()
        .into();
    let deadline = Instant::now() + StdDuration::from_secs(60);
    loop {
        let answer = agent
            .get(format!("{}/api/v1/series", prometheus.url()))
            .query("match[]", "app_error_ratio")
            .query("start", "0")
            .call()
            .ok()
            .and_then(|mut a| a.body_mut().read_to_string().ok());
        if answer.is_some_and(|body| body.contains("\"service\":\"b\"")) {
            return;
        }
        prometheus.assert_running();
        assert!(
            Instant::now() < deadline,
            "Prometheus did not serve the backfilled series within 60 s; its log:\n{}",
            prometheus.log()
        );
        std::thread::sleep(StdDuration::from_millis(200));
    }
}

fn spec(threshold: &str) -> Spec {
    Spec::new(sextant::catalog::eje::CATALOG).rule_group(
        RuleGroup::new("errors").interval(secs(15)).rule(
            Alert::warning("HighErrorRatio", format!("app_error_ratio > {threshold}"))
                .for_(mins(5))
                .keep_firing_for(mins(10)),
        ),
    )
}

fn spec_after() -> Spec {
    spec("0.1")
}

fn alert(spec: &Spec) -> backtest::AlertRule {
    let (ir, diagnostics) = sextant::spec::lower(spec);
    assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    let alerts = backtest::alerts(&ir);
    assert_eq!(alerts.len(), 1);
    alerts[0].clone()
}

/// The report's intervals, per `service` label.
fn intervals(outcome: &backtest::Outcome) -> BTreeMap<String, Vec<(i64, Option<i64>)>> {
    outcome
        .series
        .iter()
        .map(|s| {
            (
                s.labels["service"].clone(),
                s.firings.iter().map(|f| (f.start, f.end)).collect(),
            )
        })
        .collect()
}

#[test]
fn backtest_matches_the_firing_intervals_of_the_backfilled_series() {
    let dir = TempDir::new("backtest");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    // Two-hour aligned, as the backfilling docs ask, and well before the head block's range.
    let block = 2 * 60 * MINUTE;
    let origin = (now - 30 * 60 * MINUTE).div_euclid(block) * block;
    let samples = samples(origin);
    let input = dir.0.join("data.om");
    std::fs::write(&input, openmetrics(&samples)).unwrap();
    let promtool = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(dir.0.join("data"))
        .output()
        .expect("promtool not found: run ci/test.sh, which installs it");
    assert!(
        promtool.status.success(),
        "promtool could not backfill: {}{}",
        String::from_utf8_lossy(&promtool.stdout),
        String::from_utf8_lossy(&promtool.stderr)
    );
    let mut prometheus = serve_blocks(&dir.0);
    wait_for_data(&mut prometheus);

    let before = alert(&spec("0.05"));
    let after = alert(&spec_after());
    assert_eq!(
        (before.interval, before.for_, before.keep_firing_for),
        (secs(15), mins(5), mins(10))
    );
    // Two days at 15 s are 11,521 evaluations: more than one range query may return.
    let window = Window {
        now,
        since: days(2),
    };
    let grid = Grid::aligned(window.start(), now, 15_000);
    assert!(grid.count > MAX_POINTS);
    // The changed alerts as `sextant diff` finds them between the two builds' files.
    let build = |spec: &Spec| {
        let compiled = compile(spec);
        assert!(!compiled.has_errors());
        compiled.output.files().clone()
    };
    let changed = sextant::diff::changed_alerts(&build(&spec("0.05")), &build(&spec_after()));
    let changes = backtest::changes(&changed);
    assert_eq!(
        changes,
        [Change {
            name: "HighErrorRatio".into(),
            before: Some(before.clone()),
            after: Some(after.clone()),
        }]
    );
    assert_eq!(
        backtest::only(changes.clone(), &["Other".into()]).unwrap_err(),
        "alert \"Other\" did not change (or does not exist) since the base; without --base, --alert replays an alert as it is"
    );
    let server = Server::new(&prometheus.url());
    let report = backtest::run(&server, &changes, window, MAX_POINTS, true)
        .unwrap_or_else(|e| panic!("{e}; Prometheus's log:\n{}", prometheus.log()));
    // Small chunks give the same answer.
    let chunked = backtest::run(&server, &changes, window, 997, true).unwrap();
    assert_eq!(chunked, report);

    let alert = &report.alerts[0];
    let (got_before, got_after) = (
        alert.before.as_ref().unwrap(),
        alert.after.as_ref().unwrap(),
    );
    let expect_before = simulate(&samples, grid, 0.05, 5 * MINUTE, 10 * MINUTE);
    let expect_after = simulate(&samples, grid, 0.1, 5 * MINUTE, 10 * MINUTE);
    assert_eq!(intervals(got_before), expect_before);
    assert_eq!(intervals(got_after), expect_after);

    // The simulation itself, against the story the series tell: service a fires on the 8 %
    // hour, the bridged dip, either side of the gap and at the end; b on its 10-minute spike
    // and on the 7 % hour; at 10 % the 8 % and 7 % periods are gone.
    let counts = |m: &BTreeMap<String, Vec<(i64, Option<i64>)>>| {
        m.iter()
            .map(|(s, v)| (s.clone(), v.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(counts(&expect_before), [("a".into(), 5), ("b".into(), 2)]);
    assert_eq!(counts(&expect_after), [("a".into(), 4), ("b".into(), 1)]);
    // The 8 % hour: present from the first evaluation after 120m07s (120m15s), firing 5 minutes
    // later; absent from 180m15s, resolved 10 minutes after that.
    let at = |m: i64, s: i64| origin + m * MINUTE + s * 1000;
    assert_eq!(expect_before["a"][0], (at(125, 15), Some(at(190, 15))));
    assert_eq!((got_before.count(), got_after.count()), (7, 5));
    assert_eq!(
        got_before.total(),
        Duration::millis(
            got_before
                .series
                .iter()
                .flat_map(|s| &s.firings)
                .map(|f| (f.end.unwrap() - f.start) as u64)
                .sum()
        )
    );
    assert!(got_before.total() > got_after.total());

    // The CLI, on the current spec's alert.
    let project = sextant::cli::Project {
        root: common::root(),
        spec: spec_after,
    };
    let (code, out, err) = run_cli(
        &project,
        &[
            "backtest",
            "--prometheus",
            &prometheus.url(),
            "--since",
            "2d",
            "--alert",
            "HighErrorRatio",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let now_side = &json["alerts"][0]["after"];
    assert_eq!(now_side["fired"], 5, "{out}");
    assert_eq!(now_side["expr"], "app_error_ratio > 0.1");
    assert_eq!(json["alerts"][0]["before"], serde_json::Value::Null);
}

/// The renderings of a fixed report: a threshold change that removes one firing and shortens
/// another, a label set still firing at the end, and an alert the change adds.
#[test]
fn reports_render_as_text_markdown_and_json() {
    use backtest::{AlertReport, AlertRule, Firing, Outcome, Report, SeriesFirings};
    let hour = 60 * MINUTE;
    let start = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    let rule = |expr: &str| AlertRule {
        name: "HighErrorRatio".into(),
        group: "errors".into(),
        expr: expr.into(),
        for_: mins(5),
        keep_firing_for: mins(10),
        interval: secs(15),
    };
    let labels = |service: &str| [("service".to_string(), service.to_string())].into();
    let outcome = |expr: &str, series: Vec<SeriesFirings>| Outcome {
        rule: rule(expr),
        evaluations: 11_521,
        last_evaluation: start + 48 * hour,
        series,
    };
    let report = Report {
        start,
        end: start + 48 * hour,
        since: days(2),
        compared: true,
        alerts: vec![
            AlertReport {
                name: "HighErrorRatio".into(),
                before: Some(outcome(
                    "app_error_ratio > 0.05",
                    vec![
                        SeriesFirings {
                            labels: labels("a"),
                            firings: vec![
                                Firing {
                                    start: start + hour,
                                    end: Some(start + 2 * hour),
                                },
                                Firing {
                                    start: start + 47 * hour,
                                    end: None,
                                },
                            ],
                        },
                        SeriesFirings {
                            labels: labels("b"),
                            firings: vec![Firing {
                                start: start + 5 * hour,
                                end: Some(start + 5 * hour + 20 * MINUTE),
                            }],
                        },
                    ],
                )),
                after: Some(outcome(
                    "app_error_ratio > 0.1",
                    vec![SeriesFirings {
                        labels: labels("a"),
                        firings: vec![Firing {
                            start: start + 47 * hour,
                            end: None,
                        }],
                    }],
                )),
            },
            AlertReport {
                name: "ErrorRatioPage".into(),
                before: None,
                after: Some(outcome("app_error_ratio > 0.5", vec![])),
            },
        ],
    };
    insta::assert_snapshot!("human", report.human());
    insta::assert_snapshot!("markdown", report.markdown());
    insta::assert_snapshot!("json", report.json());
    let named = Report {
        compared: false,
        alerts: report.alerts[1..].to_vec(),
        ..report.clone()
    };
    insta::assert_snapshot!("human_named", named.human());
}

/// What the command refuses before it asks any server, and a server that does not answer.
#[test]
fn backtest_arguments_are_checked_first() {
    let project = sextant::cli::Project {
        root: common::root(),
        spec: spec_after,
    };
    let (code, _, err) = run_cli(
        &project,
        &[
            "backtest",
            "--prometheus",
            "http://127.0.0.1:1",
            "--alert",
            "HighErorRatio",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: the spec has no alert named \"HighErorRatio\"; did you mean \"HighErrorRatio\"?\n"
    );
    let (code, _, err) = run_cli(
        &project,
        &[
            "backtest",
            "--prometheus",
            "http://127.0.0.1:1",
            "--alert",
            "HighErrorRatio",
            "--since",
            "7x",
        ],
    );
    assert_eq!(
        (code, err.starts_with("error: --since 7x: ")),
        (2, true),
        "{err}"
    );
    let (code, _, err) = run_cli(
        &project,
        &[
            "backtest",
            "--prometheus",
            "http://127.0.0.1:1",
            "--base",
            "no-such-revision",
        ],
    );
    assert_eq!(code, 2, "{err}");
    let expect = format!(
        "error: \"no-such-revision\" names no commit of the repository at {}\n",
        common::root().display()
    );
    assert!(err.ends_with(&expect), "{err}");
    // Named alone, an alert is replayed as it is: the refused connection is the server's fault.
    let (code, _, err) = run_cli(
        &project,
        &[
            "backtest",
            "--prometheus",
            "http://127.0.0.1:1",
            "--alert",
            "HighErrorRatio",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: backtest on http://127.0.0.1:1: alert HighErrorRatio (group errors): http://127.0.0.1:1/api/v1/query_range: "),
        "{err}"
    );
}
