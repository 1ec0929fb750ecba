//! End to end: the generated stack running for real on 127.0.0.1.
//!
//! `eje-demo` (instrumented by eje-runtime) is scraped by two Prometheus replicas running the
//! generated `prometheus-N.yml` and rules; their alerts go to a three-peer AlertManager cluster
//! running the generated `alertmanager.yml`, whose receivers are pointed at a local webhook sink
//! (one path per receiver, so the sink sees which receiver the routing tree chose). The demo's
//! traces go to a local OTLP receiver that decodes them.
//!
//! Time is compressed 60-fold with `compile_with(.., Options { time_scale: 60 })`, the same as
//! `cargo run -- build --time-scale 60 --out DIR`: every duration in the generated configs
//! (scrape and evaluation intervals, rate windows, `for`, group waits and intervals) is divided
//! by 60, so a 5-minute `for` holds for 5 seconds and the whole test takes about a minute.
//!
//! Every process is stopped when the test ends, passing or failing; on failure the servers' logs
//! are printed (they are kept in the temporary folder named in the output).

mod harness;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use harness::*;
use prost::Message;
use serde_json::Value;
use sextant::alertmanager::route;
use sextant::spec::{compile_with, lower, Options};

const SCALE: u64 = 60;
const FAILING_CRITIC: &str = "bias_critic";

/// Builds `eje-demo` (a no-op when `cargo test --workspace` already did) and returns its path.
fn demo_binary() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "eje-runtime", "--bin", "eje-demo"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap())
        .status()
        .expect("running cargo build for eje-demo");
    assert!(status.success(), "building eje-demo failed");
    // This test runs from <target>/<profile>/deps/e2e-<hash>.
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let demo = profile_dir.join("eje-demo");
    assert!(demo.is_file(), "eje-demo not found at {}", demo.display());
    demo
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An instant query's result vector, or `None` when Prometheus did not answer.
fn query(prometheus: &str, promql: &str) -> Option<Vec<Value>> {
    let response = get(
        prometheus,
        &format!("/api/v1/query?query={}", percent_encode(promql)),
    )?;
    let json: Value = serde_json::from_str(&response.body).ok()?;
    json["data"]["result"].as_array().cloned()
}

/// The alerts a Prometheus has, pending or firing.
fn alerts(prometheus: &str) -> Vec<Value> {
    get(prometheus, "/api/v1/alerts")
        .and_then(|r| serde_json::from_str::<Value>(&r.body).ok())
        .and_then(|j| j["data"]["alerts"].as_array().cloned())
        .unwrap_or_default()
}

fn label<'a>(alert: &'a Value, name: &str) -> &'a str {
    alert["labels"][name].as_str().unwrap_or("")
}

fn labels_of(alert: &Value) -> BTreeMap<String, String> {
    alert["labels"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// A notification the webhook sink received, decoded.
#[derive(Debug)]
struct Notification {
    path_receiver: String,
    body: Value,
    at: Instant,
}

fn notifications(sink: &Sink) -> Vec<Notification> {
    sink.requests()
        .into_iter()
        .filter_map(|r| {
            Some(Notification {
                path_receiver: r.path.trim_start_matches('/').to_string(),
                body: serde_json::from_slice(&r.body).ok()?,
                at: r.at,
            })
        })
        .collect()
}

fn has_alert(n: &Notification, status: &str, wanted: &[(&str, &str)]) -> bool {
    n.body["status"] == status
        && n.body["alerts"].as_array().is_some_and(|alerts| {
            alerts
                .iter()
                .any(|a| wanted.iter().all(|(k, v)| label(a, k) == *v))
        })
}

/// Starts the whole stack, drives it, and checks it. One test, so the servers start once.
#[test]
fn the_generated_stack_runs_for_real() {
    let prometheus_bin = ensure_installed("prometheus", "prometheus");
    let alertmanager_bin = ensure_installed("prometheus-alertmanager", "prometheus-alertmanager");
    let demo_bin = demo_binary();
    let webhook = Sink::start();
    let otlp = Sink::start();
    let mut stack = Stack::new("stack");

    // Addresses, then the spec compiled for them.
    let demo_addr = format!("127.0.0.1:{}", free_port());
    let prometheus: Vec<(String, String)> = (1..=2)
        .map(|i| {
            (
                format!("prometheus-{i}"),
                format!("127.0.0.1:{}", free_port()),
            )
        })
        .collect();
    let alertmanager_api: Vec<String> = (0..3)
        .map(|_| format!("127.0.0.1:{}", free_port()))
        .collect();
    let alertmanager_gossip: Vec<String> = (0..3)
        .map(|_| format!("127.0.0.1:{}", free_port()))
        .collect();
    let addresses = eje_spec::stack::Stack {
        eje: vec![demo_addr.clone()],
        prometheus: prometheus.clone(),
        alertmanagers: alertmanager_api.clone(),
        alert_log: format!("http://{}/alert-log", webhook.addr),
    };
    let sink = webhook.addr.clone();
    let spec = eje_spec::spec()
        .alertmanager(
            eje_spec::routing::alertmanager(&addresses)
                .redirect_to_webhooks(|receiver| format!("http://{sink}/{receiver}")),
        )
        .prometheus(eje_spec::prometheus::server(&addresses));
    let compiled = compile_with(&spec, &Options { time_scale: SCALE });
    assert!(
        !compiled.has_errors(),
        "the test stack's spec has errors: {:?}",
        compiled.diagnostics
    );
    let config_dir = stack.dir.path("config");
    for (path, contents) in compiled.output.files() {
        let target = config_dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, contents).unwrap();
    }
    let (ir, _) = lower(&spec);
    let routing = ir
        .alertmanager
        .clone()
        .expect("the spec declares AlertManager");
    let recorded: Vec<String> = ir.recorded().keys().map(|k| k.to_string()).collect();

    // AlertManager: three peers in one gossip cluster.
    let mut alertmanager_procs = Vec::new();
    for i in 0..3 {
        let mut args = vec![
            format!(
                "--config.file={}",
                config_dir.join("alertmanager/alertmanager.yml").display()
            ),
            format!(
                "--storage.path={}",
                stack.dir.path(&format!("am-{i}")).display()
            ),
            format!("--web.listen-address={}", alertmanager_api[i]),
            format!("--cluster.listen-address={}", alertmanager_gossip[i]),
            format!("--cluster.advertise-address={}", alertmanager_gossip[i]),
            "--cluster.peer-timeout=3s".into(),
            "--cluster.gossip-interval=100ms".into(),
            "--cluster.pushpull-interval=2s".into(),
            "--cluster.probe-interval=300ms".into(),
            "--cluster.probe-timeout=200ms".into(),
            "--log.level=debug".into(),
        ];
        for (j, peer) in alertmanager_gossip.iter().enumerate() {
            if j != i {
                args.push(format!("--cluster.peer={peer}"));
            }
        }
        alertmanager_procs.push(stack.spawn(
            &format!("alertmanager-{i}"),
            &alertmanager_bin,
            &args,
        ));
    }

    // The demo app, with traces to the local OTLP receiver.
    stack.spawn(
        "eje-demo",
        &demo_bin,
        &[
            "--metrics-addr".into(),
            demo_addr.clone(),
            "--otlp-endpoint".into(),
            format!("http://{}/v1/traces", otlp.addr),
            // The test injects faults over /faults, which only exists with this flag.
            "--enable-faults".into(),
            "--rate".into(),
            "100".into(),
            "--batch-delay-ms".into(),
            "200".into(),
        ],
    );

    // Prometheus: the HA pair, differing only in their replica label.
    for (i, (name, address)) in prometheus.iter().enumerate() {
        stack.spawn(
            name,
            &prometheus_bin,
            &[
                format!(
                    "--config.file={}",
                    config_dir.join(format!("prometheus/{name}.yml")).display()
                ),
                format!(
                    "--storage.tsdb.path={}",
                    stack.dir.path(&format!("prometheus-data-{i}")).display()
                ),
                format!("--web.listen-address={address}"),
                "--rules.alert.resend-delay=1s".into(),
            ],
        );
    }
    let prom = prometheus[0].1.clone();

    // 1. The cluster forms, and Prometheus scrapes the app.
    let cluster_ready = wait_until(Duration::from_secs(60), || {
        alertmanager_api.iter().all(|am| {
            get(am, "/api/v2/status")
                .and_then(|r| serde_json::from_str::<Value>(&r.body).ok())
                .is_some_and(|s| {
                    s["cluster"]["status"] == "ready"
                        && s["cluster"]["peers"].as_array().map_or(0, Vec::len) == 3
                })
        })
    });
    assert!(
        cluster_ready,
        "the AlertManager cluster did not form with 3 peers"
    );
    for (name, address) in &prometheus {
        let up = wait_until(Duration::from_secs(30), || {
            query(address, "up{job=\"eje\"} == 1").is_some_and(|r| r.len() == 1)
        });
        assert!(up, "{name} does not see the eje target up");
    }

    // 2. Every recording rule returns data.
    let mut missing: Vec<String> = recorded.clone();
    wait_until(Duration::from_secs(45), || {
        missing.retain(|name| query(&prom, name).is_none_or(|r| r.is_empty()));
        missing.is_empty()
    });
    assert!(
        missing.is_empty(),
        "recording rules with no data: {missing:?}"
    );

    // 3. Failures injected into one critic: the failure-rate alert goes pending, then firing.
    let injected = http(
        "POST",
        &demo_addr,
        &format!("/faults?critic={FAILING_CRITIC}&fail=0.9&latency_ms=0"),
        "",
    );
    assert_eq!(
        injected.map(|r| r.status),
        Some(200),
        "fault injection refused"
    );
    let mut states: Vec<String> = Vec::new();
    let critical_fired = wait_until(Duration::from_secs(60), || {
        let now = alerts(&prom);
        for alert in &now {
            if label(alert, "alertname") == "EJECriticHighFailureRate"
                && label(alert, "critic") == FAILING_CRITIC
            {
                let state = format!(
                    "{}:{}",
                    label(alert, "severity"),
                    alert["state"].as_str().unwrap_or("")
                );
                if states.last() != Some(&state) && !states.contains(&state) {
                    states.push(state);
                }
            }
        }
        states.iter().any(|s| s == "critical:firing")
            && states.iter().any(|s| s == "warning:firing")
    });
    assert!(
        critical_fired,
        "EJECriticHighFailureRate did not fire at both tiers; saw {states:?}"
    );
    for tier in ["warning", "critical"] {
        let pending = states.iter().position(|s| *s == format!("{tier}:pending"));
        let firing = states.iter().position(|s| *s == format!("{tier}:firing"));
        assert!(
            matches!((pending, firing), (Some(p), Some(f)) if p < f),
            "{tier}: expected pending before firing, saw {states:?}"
        );
    }

    // The SLO page alert for the failing critic fires too.
    let slo_paged = wait_until(Duration::from_secs(90), || {
        alerts(&prom).iter().any(|a| {
            label(a, "tier") == "page"
                && label(a, "critic") == FAILING_CRITIC
                && a["state"] == "firing"
        })
    });
    assert!(slo_paged, "no SLO page alert fired for {FAILING_CRITIC}");

    // 4. AlertManager delivers to the receivers the routing tree chose.
    let delivered = wait_until(Duration::from_secs(30), || {
        let got = notifications(&webhook);
        let critical = [
            ("alertname", "EJECriticHighFailureRate"),
            ("severity", "critical"),
        ];
        ["eje-pagerduty", "eje-slack-critical"]
            .iter()
            .all(|receiver| {
                got.iter()
                    .any(|n| n.path_receiver == *receiver && has_alert(n, "firing", &critical))
            })
            && got
                .iter()
                .any(|n| has_alert(n, "firing", &[("tier", "page")]))
    });
    assert!(
        delivered,
        "critical notifications did not reach PagerDuty and Slack: {:#?}",
        notifications(&webhook)
            .iter()
            .map(|n| (&n.path_receiver, &n.body["groupLabels"]))
            .collect::<Vec<_>>()
    );

    // A firing critical inhibits the matching warning: AlertManager marks it suppressed and
    // never sends it.
    let inhibited = wait_until(Duration::from_secs(10), || {
        get(
            &alertmanager_api[1],
            "/api/v2/alerts?filter=alertname%3D%22EJECriticHighFailureRate%22",
        )
        .and_then(|r| serde_json::from_str::<Value>(&r.body).ok())
        .and_then(|v| v.as_array().cloned())
        .is_some_and(|alerts| {
            alerts.iter().any(|a| {
                label(a, "severity") == "warning"
                    && label(a, "critic") == FAILING_CRITIC
                    && a["status"]["inhibitedBy"]
                        .as_array()
                        .is_some_and(|i| !i.is_empty())
            })
        })
    });
    assert!(
        inhibited,
        "the warning EJECriticHighFailureRate is not inhibited by the critical one"
    );

    // 5. HA: one AlertManager peer dies mid-test; delivery goes on. The survivors notice
    // (gossip failure detection) before the faults are removed, so the resolution is sent by
    // exactly one of them.
    stack.kill(alertmanager_procs[0]);
    let noticed = wait_until(Duration::from_secs(30), || {
        alertmanager_api[1..].iter().all(|am| {
            get(am, "/api/v2/status")
                .and_then(|r| serde_json::from_str::<Value>(&r.body).ok())
                .is_some_and(|s| s["cluster"]["peers"].as_array().map_or(0, Vec::len) == 2)
        })
    });
    assert!(
        noticed,
        "the surviving AlertManager peers did not notice the dead one"
    );

    // Removing the faults resolves both alerts.
    let cleared_at = Instant::now();
    let cleared = http("POST", &demo_addr, "/faults/clear", "");
    assert_eq!(cleared.map(|r| r.status), Some(200));
    let resolved = wait_until(Duration::from_secs(90), || {
        prometheus.iter().all(|(_, address)| {
            !alerts(address).iter().any(|a| {
                label(a, "critic") == FAILING_CRITIC
                    && (label(a, "alertname") == "EJECriticHighFailureRate"
                        || label(a, "tier") == "page")
            })
        })
    });
    assert!(
        resolved,
        "the alerts did not resolve after the faults were removed"
    );
    let resolved_delivered = wait_until(Duration::from_secs(30), || {
        notifications(&webhook).iter().any(|n| {
            n.path_receiver == "eje-pagerduty"
                && has_alert(n, "resolved", &[("alertname", "EJECriticHighFailureRate")])
        })
    });
    assert!(
        resolved_delivered,
        "the resolution was not delivered with a peer down"
    );

    // Every notification went where the routing tree says, grouped as configured, once.
    let got = notifications(&webhook);
    let start = got.first().map(|n| n.at).unwrap_or_else(Instant::now);
    let summary: Vec<String> = got
        .iter()
        .map(|n| {
            let alerts: Vec<String> = n.body["alerts"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| {
                    format!(
                        "{}/{}/{}@{}",
                        label(a, "alertname"),
                        label(a, "severity"),
                        a["status"],
                        a["startsAt"]
                    )
                })
                .collect();
            format!(
                "+{:.1}s {} {} {}",
                n.at.duration_since(start).as_secs_f64(),
                n.path_receiver,
                n.body["status"],
                alerts.join(" ")
            )
        })
        .collect();
    eprintln!("notifications:\n{}", summary.join("\n"));
    let mut last: BTreeMap<String, (String, Instant)> = BTreeMap::new();
    let critical_notified = got
        .iter()
        .filter(|n| {
            has_alert(
                n,
                "firing",
                &[
                    ("alertname", "EJECriticHighFailureRate"),
                    ("severity", "critical"),
                ],
            )
        })
        .map(|n| n.at)
        .min();
    for n in &got {
        assert_eq!(
            n.body["receiver"],
            n.path_receiver.as_str(),
            "receiver name and path disagree"
        );
        let group_labels: BTreeSet<&str> = n.body["groupLabels"]
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let expected_grouping: BTreeSet<&str> = match n.path_receiver.as_str() {
            "eje-email-tickets" => ["slo"].into(),
            _ => ["component", "severity"].into(),
        };
        assert_eq!(
            group_labels, expected_grouping,
            "grouping of {}",
            n.path_receiver
        );
        let mut fingerprints = Vec::new();
        for alert in n.body["alerts"].as_array().unwrap() {
            let labels = labels_of(alert);
            let chosen = route::receivers(&routing, &labels);
            assert!(
                chosen.contains(&n.path_receiver),
                "{labels:?} reached {} but the routing tree chooses {chosen:?}",
                n.path_receiver
            );
            for key in &expected_grouping {
                assert_eq!(
                    alert["labels"][*key], n.body["groupLabels"][*key],
                    "an alert outside its group"
                );
            }
            // The warning may be notified before its critical fires (it crosses its lower
            // threshold first) and after the critical resolves (the faults removed, the ratio
            // falls under 50% before it falls under 10%); in between it is inhibited.
            let inhibited_by_then = critical_notified
                .is_some_and(|at| n.at > at + Duration::from_secs(1) && n.at < cleared_at);
            assert!(
                !(inhibited_by_then
                    && label(alert, "severity") == "warning"
                    && label(alert, "alertname") == "EJECriticHighFailureRate"
                    && label(alert, "critic") == FAILING_CRITIC
                    && alert["status"] == "firing"),
                "the warning was delivered while its critical fired: {alert}"
            );
            fingerprints.push(format!("{}:{}", alert["fingerprint"], alert["status"]));
        }
        fingerprints.sort();
        // Two replicas and three peers see every alert: the same notification twice in a row
        // for a group (no change of state in between, within the compressed repeat interval)
        // is a duplicate the cluster should have suppressed. A group that resolves and fires
        // again (the replicas may briefly disagree at start-up) is notified again, rightly.
        let group = format!("{}|{}", n.path_receiver, n.body["groupKey"]);
        let state = format!("{}|{}", n.body["status"], fingerprints.join(","));
        if let Some((previous, at)) = last.insert(group.clone(), (state.clone(), n.at)) {
            assert!(
                previous != state || n.at.duration_since(at) > Duration::from_secs(50),
                "notification delivered twice: {group} {state}"
            );
        }
    }

    // 6. The app's traces reached the OTLP receiver: decision spans with critic children.
    let (decisions, critics_with_parent) = spans(&otlp);
    assert!(decisions > 0, "no decision spans reached the OTLP receiver");
    assert!(
        critics_with_parent > 0,
        "no critic span is the child of a decision span"
    );
    drop(stack);
}

/// Decodes every OTLP request and counts decision spans and critic spans whose parent is one.
fn spans(otlp: &Sink) -> (usize, usize) {
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    let mut decisions = BTreeMap::new();
    let mut critics = Vec::new();
    for request in otlp.requests() {
        assert_eq!(request.path, "/v1/traces");
        assert_eq!(
            request.headers.get("content-type").map(String::as_str),
            Some("application/x-protobuf"),
            "OTLP over HTTP sends protobuf"
        );
        let decoded = ExportTraceServiceRequest::decode(request.body.as_slice())
            .expect("an OTLP request that decodes as protobuf");
        for span in decoded
            .resource_spans
            .iter()
            .flat_map(|r| &r.scope_spans)
            .flat_map(|s| &s.spans)
        {
            if span.name == "main_pipeline" {
                decisions.insert((span.trace_id.clone(), span.span_id.clone()), ());
            } else if span.name.ends_with("_critic") {
                critics.push((span.trace_id.clone(), span.parent_span_id.clone()));
            }
        }
    }
    let linked = critics
        .iter()
        .filter(|key| decisions.contains_key(*key))
        .count();
    (decisions.len(), linked)
}
