//! `/metrics` as Prometheus scrapes it: every instrumented catalog metric with its help, type and
//! buckets; every closed-domain and registered-critic series at zero from the start; the critic
//! label capped under a flood of names.

mod common;

use std::time::{Duration, Instant};

use common::{http, scrape, Exposition};
use eje_runtime::{MetricsServer, Runtime};
use sextant_catalog::eje::{self, CRITIC_CAP, CRITIC_OVERFLOW, KNOWN_CRITICS};
use sextant_catalog::{Domain, Kind, Metric, Origin};

fn serve(runtime: &Runtime) -> MetricsServer {
    runtime
        .serve("127.0.0.1:0", None)
        .expect("bind 127.0.0.1:0")
}

/// Every label combination the metric has at start: closed values, and for the `critic` label
/// the catalog's known critics and the overflow value.
fn expected_combinations(metric: &Metric) -> Vec<Vec<(&'static str, &'static str)>> {
    let mut out = vec![Vec::new()];
    for label in metric.labels {
        let values: Vec<&'static str> = match label.domain {
            Domain::Closed(values) => values.to_vec(),
            Domain::Registered {
                known, overflow, ..
            } => known.iter().copied().chain([overflow]).collect(),
            Domain::Open { .. } => Vec::new(),
        };
        out = out
            .into_iter()
            .flat_map(|prefix: Vec<(&str, &str)>| {
                values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push((label.name, *v));
                    next
                })
            })
            .collect();
    }
    out
}

#[test]
fn every_instrumented_metric_is_served_with_catalog_help_type_and_buckets() {
    let runtime = Runtime::builder().build().unwrap();
    let server = serve(&runtime);
    let exposition = scrape(server.local_addr());
    let mut checked = 0;
    for metric in eje::CATALOG.instrumented() {
        let family = exposition.family(metric.name);
        assert_eq!(family.help.as_deref(), Some(metric.help), "{}", metric.name);
        assert_eq!(
            family.kind.as_deref(),
            Some(metric.kind.as_str()),
            "{}",
            metric.name
        );
        if metric.kind == Kind::Histogram {
            let mut bounds: Vec<f64> = family
                .samples
                .iter()
                .filter(|(name, _, _)| name.ends_with("_bucket"))
                .map(|(_, labels, _)| labels["le"].parse::<f64>().unwrap())
                .collect();
            bounds.sort_by(f64::total_cmp);
            bounds.dedup();
            let mut expect = metric.buckets.to_vec();
            expect.push(f64::INFINITY);
            assert_eq!(bounds, expect, "{}", metric.name);
        }
        checked += 1;
    }
    assert_eq!(
        checked,
        eje::CATALOG
            .metrics
            .iter()
            .filter(|m| m.origin == Origin::Instrumented)
            .count()
    );
    // Nothing served under the eje_ prefix that the catalog does not describe.
    for name in exposition.families.keys().filter(|n| n.starts_with("eje_")) {
        assert!(
            eje::CATALOG.get(name).is_some(),
            "{name} is served but not in the catalog"
        );
    }
    // The process collector's families, which the catalog lists as external.
    for metric in eje::CATALOG
        .metrics
        .iter()
        .filter(|m| m.origin == Origin::External && m.name.starts_with("process_"))
    {
        let family = exposition.family(metric.name);
        assert_eq!(
            family.kind.as_deref(),
            Some(metric.kind.as_str()),
            "{}",
            metric.name
        );
    }
    server.shutdown();
}

#[test]
fn every_closed_domain_and_known_critic_series_is_zero_from_the_start() {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let server = serve(&runtime);
    let exposition = scrape(server.local_addr());
    for metric in eje::CATALOG.instrumented() {
        let combinations = expected_combinations(metric);
        for labels in &combinations {
            match metric.kind {
                Kind::Histogram => {
                    let count = format!("{}_count", metric.name);
                    assert_eq!(exposition.get(&count, labels), 0.0, "{count}{labels:?}");
                    let sum = format!("{}_sum", metric.name);
                    assert_eq!(exposition.get(&sum, labels), 0.0, "{sum}{labels:?}");
                }
                _ => assert_eq!(
                    exposition.get(metric.name, labels),
                    0.0,
                    "{}{labels:?}",
                    metric.name
                ),
            }
        }
        // No series beyond those: the number of samples is exactly the catalog's count.
        let per_combination = match metric.kind {
            Kind::Histogram => metric.buckets.len() + 3,
            _ => 1,
        };
        assert_eq!(
            exposition.family(metric.name).samples.len(),
            combinations.len() * per_combination,
            "{}",
            metric.name
        );
        assert!(
            combinations.len() as u64 * per_combination as u64 <= metric.max_series(),
            "{}",
            metric.name
        );
    }
    server.shutdown();
}

#[test]
fn the_critic_label_holds_its_cap_under_a_flood_of_names() {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let flood = 10_000;
    for i in 0..flood {
        let handle = runtime.critic(format!("critic_{i}"));
        handle.track(|| eje_runtime::Verdict::Approve);
    }
    let server = serve(&runtime);
    let exposition = scrape(server.local_addr());
    let critics: std::collections::BTreeSet<&str> = exposition
        .family(eje::CRITIC_EXECUTIONS_TOTAL.name)
        .samples
        .iter()
        .map(|(_, labels, _)| labels["critic"].as_str())
        .collect();
    assert_eq!(critics.len(), CRITIC_CAP + 1, "{critics:?}");
    assert!(critics.contains(CRITIC_OVERFLOW));
    for known in KNOWN_CRITICS {
        assert!(critics.contains(known), "{known}");
    }
    let admitted = CRITIC_CAP - KNOWN_CRITICS.len();
    let refused = (flood - admitted) as f64;
    assert_eq!(
        exposition.get(eje::LABEL_OVERFLOW_TOTAL.name, &[("label", "critic")]),
        refused
    );
    assert_eq!(
        exposition.get(
            eje::CRITIC_EXECUTIONS_TOTAL.name,
            &[("critic", CRITIC_OVERFLOW)]
        ),
        refused
    );
    assert_eq!(
        exposition.get(eje::CRITIC_EXECUTIONS_TOTAL.name, &[("critic", "critic_0")]),
        1.0
    );
    // Every family with a critic label stays within the cap.
    for metric in eje::CATALOG
        .instrumented()
        .filter(|m| m.label("critic").is_some())
    {
        let samples = exposition.family(metric.name).samples.len() as u64;
        assert!(
            samples <= metric.max_series(),
            "{}: {samples} > {}",
            metric.name,
            metric.max_series()
        );
    }
    // Registering a known name again takes no new slot and counts no overflow.
    runtime.critic("bias_critic");
    assert_eq!(
        runtime.metrics().critic_label_overflow().get() as f64,
        refused
    );
    assert_eq!(runtime.metrics().registered_critics().len(), CRITIC_CAP);
    server.shutdown();
}

#[track_caller]
fn check_route(server: &MetricsServer, method: &str, target: &str, status: u16) {
    let (got, body) = http(server.local_addr(), method, target);
    assert_eq!(got, status, "{method} {target}: {body}");
}

#[test]
fn the_server_answers_its_routes_and_stops_promptly() {
    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let server = serve(&runtime);
    check_route(&server, "GET", "/metrics", 200);
    check_route(&server, "GET", "/healthz", 200);
    check_route(&server, "POST", "/metrics", 405);
    check_route(&server, "GET", "/nope", 404);
    check_route(&server, "POST", "/faults?critic=bias_critic&fail=1", 404);
    let addr = server.local_addr();
    let started = Instant::now();
    server.shutdown();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_err());
}

#[test]
fn the_exposition_parser_reads_what_it_should() {
    let e = Exposition::parse(
        "# HELP x_total A \\\\ help.\n# TYPE x_total counter\nx_total{a=\"q\\\"\",b=\"2\"} 3\n# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\n",
    );
    assert_eq!(e.family("x_total").help.as_deref(), Some("A \\ help."));
    assert_eq!(e.get("x_total", &[("a", "q\""), ("b", "2")]), 3.0);
    assert_eq!(e.get("h_bucket", &[("le", "+Inf")]), 1.0);
    assert_eq!(e.value("x_total", &[("a", "q")]), None);
}
