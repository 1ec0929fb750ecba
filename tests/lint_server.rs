//! What `lint --prometheus URL` learns from a running Prometheus: a real `prometheus` (Debian's
//! package; `ci/test.sh` installs it) on 127.0.0.1 scrapes a loopback target with known series,
//! and `lint::server::learn` must read back exactly those names, label names and types. Every
//! process and thread is stopped at the end; waits are bounded.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sextant::lint::server::learn;
use sextant::prelude::*;

mod common;
use common::Prometheus;

const EXPOSITION: &str = "\
# HELP shop_orders_total Orders taken.
# TYPE shop_orders_total counter
shop_orders_total{status=\"ok\",region=\"eu\"} 5
shop_orders_total{status=\"failed\",region=\"us\"} 1
# HELP shop_queue_depth Orders waiting.
# TYPE shop_queue_depth gauge
shop_queue_depth{queue=\"main\"} 3
# HELP shop_latency_seconds Time to take an order.
# TYPE shop_latency_seconds histogram
shop_latency_seconds_bucket{le=\"0.1\"} 1
shop_latency_seconds_bucket{le=\"+Inf\"} 2
shop_latency_seconds_sum 0.3
shop_latency_seconds_count 2
";

/// A loopback target serving [`EXPOSITION`] until dropped.
struct Target {
    port: u16,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Target {
    fn start() -> Target {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(2)))
                    .unwrap();
                let mut reader = BufReader::new(&stream);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let _ = write!(
                    &stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{EXPOSITION}",
                    EXPOSITION.len()
                );
            }
        });
        Target {
            port,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A Prometheus (stopped when dropped) scraping the target on `target` every second, in a folder of its own (the tests
/// of this file run in parallel in one process).
fn scraping(target: u16) -> (common::TempDir, Prometheus) {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = common::TempDir::new(&format!(
        "lint-server-{}",
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let config = format!(
        "global: {{scrape_interval: 1s}}\nscrape_configs:\n  - job_name: shop\n    static_configs: [{{targets: ['127.0.0.1:{target}']}}]\n"
    );
    let prometheus = Prometheus::start(&dir.0, &config, &[]);
    (dir, prometheus)
}

#[test]
fn learns_series_labels_and_types_from_a_running_prometheus() {
    let target = Target::start();
    // The folder outlives the server: locals drop in reverse order.
    let (_dir, prometheus) = scraping(target.port);
    let names = [
        "shop_orders_total",
        "shop_latency_seconds_bucket",
        "shop_missing_total",
    ];
    let window = Duration::from_secs(3600);
    let deadline = Instant::now() + Duration::from_secs(60);
    let knowledge = loop {
        match learn(&prometheus.url(), names, window) {
            Ok(k) if k.has("shop_orders_total") && k.type_of("shop_orders_total").is_some() => {
                break k
            }
            _ if Instant::now() > deadline => panic!(
                "Prometheus had no series of the target after 60 s; its log:\n{}",
                prometheus.log()
            ),
            _ => std::thread::sleep(Duration::from_millis(250)),
        }
    };
    let orders = &knowledge.series["shop_orders_total"];
    assert_eq!(orders.series, 2);
    assert_eq!(
        orders.labels.iter().map(String::as_str).collect::<Vec<_>>(),
        ["instance", "job", "region", "status"]
    );
    assert!(knowledge.has("shop_latency_seconds_bucket"));
    assert_eq!(knowledge.series["shop_latency_seconds_bucket"].series, 2);
    assert!(!knowledge.has("shop_missing_total"));
    assert_eq!(knowledge.type_of("shop_orders_total"), Some("counter"));
    assert_eq!(
        knowledge.type_of("shop_latency_seconds_bucket"),
        Some("histogram")
    );
    assert_eq!(knowledge.type_of("shop_queue_depth"), Some("gauge"));
    assert_eq!(knowledge.source, prometheus.url());
    let refused = learn("http://127.0.0.1:1", names, window).unwrap_err();
    assert!(
        refused.starts_with("http://127.0.0.1:1/api/v1/metadata: "),
        "{refused}"
    );
}

fn unused_spec() -> Spec {
    Spec::new(sextant::catalog::eje::CATALOG)
}

/// `lint --prometheus URL`: names the server has no series of, labels none of its series carry
/// and `rate` of a gauge are reported, each as a warning that says what it rests on; what the
/// server has passes. Without `--prometheus` the same file is clean: of names outside the
/// catalog's namespace nothing is known.
#[test]
fn lint_with_prometheus_reports_what_the_server_lacks() {
    let target = Target::start();
    // The folder outlives the server: locals drop in reverse order.
    let (_dir, prometheus) = scraping(target.port);
    let deadline = Instant::now() + Duration::from_secs(60);
    let names = ["shop_orders_total", "shop_queue_depth"];
    loop {
        match learn(&prometheus.url(), names, Duration::from_secs(3600)) {
            Ok(k) if names.iter().all(|n| k.has(n)) && k.type_of("shop_queue_depth").is_some() => {
                break
            }
            _ if Instant::now() > deadline => panic!(
                "Prometheus had no series of the target after 60 s; its log:\n{}",
                prometheus.log()
            ),
            _ => std::thread::sleep(Duration::from_millis(250)),
        }
    }
    let project = sextant::cli::Project {
        root: common::root(),
        spec: unused_spec,
    };
    let file = "tests/fixtures/server/shop.yml";
    let (code, stdout, stderr) = common::run_cli(&project, &["lint", file]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
    let url = prometheus.url();
    let (code, stdout, stderr) = common::run_cli(&project, &["lint", file, "--prometheus", &url]);
    assert_eq!(code, 0, "warnings alone do not fail: {stderr}");
    assert_eq!(stderr, "0 errors, 3 warnings, 0 infos\n");
    insta::assert_snapshot!(
        "lint_with_prometheus",
        stdout.replace(&url, "http://127.0.0.1:<port>")
    );
    let (code, _, stderr) = common::run_cli(
        &project,
        &["lint", file, "--prometheus", "http://127.0.0.1:1"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: --prometheus: http://127.0.0.1:1/api/v1/metadata: "),
        "{stderr}"
    );
}
