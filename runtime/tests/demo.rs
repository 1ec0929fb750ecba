//! `eje-demo` as a process: it serves `/metrics`, exports traces to a local receiver, takes fault
//! injection at run time on `/faults` (only with `--enable-faults`), and stops cleanly on
//! SIGTERM within its documented bound, whatever faults are set.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver as Lines};
use std::time::{Duration, Instant};

use common::{http, scrape, Receiver};

struct Demo {
    child: Child,
    lines: Lines<String>,
}

impl Demo {
    fn start(args: &[&str]) -> (Demo, SocketAddr) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_eje-demo"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start eje-demo");
        let stderr = child.stderr.take().unwrap();
        let (sender, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    return;
                }
            }
        });
        let mut demo = Demo { child, lines };
        let started = demo.wait_line("eje-demo started", Duration::from_secs(10));
        let addr = started["metrics_addr"]
            .as_str()
            .expect("metrics_addr")
            .parse()
            .unwrap();
        (demo, addr)
    }

    fn wait_line(&mut self, message: &str, limit: Duration) -> serde_json::Value {
        let deadline = Instant::now() + limit;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = self.lines.recv_timeout(left) else {
                break;
            };
            if let Ok(value) = serde_json::from_str::<serde_json::Value>(&line) {
                if value["msg"] == message {
                    return value;
                }
            }
        }
        let _ = self.child.kill();
        panic!("eje-demo did not log {message:?} within {limit:?}");
    }

    /// SIGTERM, then waits (bounded) for a clean exit.
    fn stop(self) -> serde_json::Value {
        self.stop_within(Duration::from_secs(15)).0
    }

    /// SIGTERM, then waits at most `limit` for a clean exit; the "stopped" line and the time
    /// from the signal to the exit.
    fn stop_within(mut self, limit: Duration) -> (serde_json::Value, Duration) {
        let signalled = Instant::now();
        // SAFETY: signalling our own child process.
        unsafe { libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM) };
        let stopped = self.wait_line("eje-demo stopped", limit);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                return (stopped, signalled.elapsed());
            }
            assert!(
                signalled.elapsed() < limit,
                "eje-demo did not exit within {limit:?} of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn failures(addr: SocketAddr, critic: &str) -> f64 {
    scrape(addr).get(
        "eje_critic_failures_total",
        &[("critic", critic), ("reason", "error")],
    )
}

fn executions(addr: SocketAddr, critic: &str) -> f64 {
    scrape(addr).get("eje_critic_executions_total", &[("critic", critic)])
}

/// Waits until `critic` has run `n` more times.
fn wait_calls(addr: SocketAddr, critic: &str, n: f64) {
    let start = executions(addr, critic);
    let deadline = Instant::now() + Duration::from_secs(10);
    while executions(addr, critic) < start + n {
        assert!(Instant::now() < deadline, "{critic} did not run {n} times");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn faults_injected_at_run_time_show_on_metrics_and_clear() {
    let receiver = Receiver::start();
    let endpoint = receiver.endpoint();
    let (demo, addr) = Demo::start(&[
        "--metrics-addr",
        "127.0.0.1:0",
        "--otlp-endpoint",
        &endpoint,
        "--enable-faults",
        "--rate",
        "200",
        "--batch-delay-ms",
        "100",
        "--log-level",
        "info",
    ]);
    let exposition = scrape(addr);
    assert_eq!(exposition.get("eje_decision_capacity", &[]), 8.0);

    let (status, body) = http(
        addr,
        "POST",
        "/faults?critic=bias_critic&fail=0.9&latency_ms=0",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"bias_critic\":{\"fail\":0.9"), "{body}");
    let (bias_before, safety_before) = (
        failures(addr, "bias_critic"),
        failures(addr, "safety_critic"),
    );
    wait_calls(addr, "bias_critic", 100.0);
    let bias_failed = failures(addr, "bias_critic") - bias_before;
    assert!(
        bias_failed >= 60.0,
        "bias_critic failed {bias_failed} of ~100 calls at 0.9"
    );
    assert_eq!(failures(addr, "safety_critic"), safety_before);

    let (status, body) = http(addr, "POST", "/faults/clear");
    assert_eq!((status, body.trim()), (200, "{}"));
    // Calls in flight when the fault was cleared may still fail; later ones do not.
    wait_calls(addr, "bias_critic", 20.0);
    let settled = failures(addr, "bias_critic");
    wait_calls(addr, "bias_critic", 100.0);
    assert_eq!(failures(addr, "bias_critic"), settled);

    let (status, _) = http(addr, "POST", "/faults?critic=ghost_critic&fail=1");
    assert_eq!(status, 400);

    assert!(
        receiver.wait_for(Duration::from_secs(5), |spans| spans
            .iter()
            .any(|(_, s)| s.name == "bias_critic"
                && s.status.as_ref().is_some_and(|st| st.code == 2))),
        "a failed bias_critic span reaches the collector"
    );
    let stopped = demo.stop();
    assert!(stopped["decisions"].as_u64().unwrap() > 200, "{stopped}");
    assert_eq!(stopped["spans_dropped"], 0, "{stopped}");
    assert_eq!(
        stopped["spans_ended"], stopped["spans_exported"],
        "{stopped}"
    );
}

#[test]
fn faults_from_flags_and_no_traces() {
    let (demo, addr) = Demo::start(&[
        "--metrics-addr=127.0.0.1:0",
        "--no-traces",
        "--enable-faults",
        "--rate",
        "200",
        "--fail",
        "legal_critic=1",
        "--latency",
        "legal_critic=2",
    ]);
    wait_calls(addr, "legal_critic", 20.0);
    let e = scrape(addr);
    let calls = e.get("eje_critic_executions_total", &[("critic", "legal_critic")]);
    assert_eq!(
        e.get(
            "eje_critic_failures_total",
            &[("critic", "legal_critic"), ("reason", "error")]
        ),
        calls
    );
    let sum = e.get(
        "eje_critic_duration_seconds_sum",
        &[("critic", "legal_critic")],
    );
    assert!(sum >= calls * 0.002, "latency {sum} s over {calls} calls");
    let (_, faults) = http(addr, "GET", "/faults");
    assert_eq!(
        faults.trim(),
        r#"{"legal_critic":{"fail":1.0,"latency_ms":2}}"#
    );
    demo.stop();
}

#[test]
fn without_enable_faults_there_is_no_fault_route_and_the_default_bind_is_loopback() {
    let (demo, addr) = Demo::start(&["--metrics-addr=127.0.0.1:0", "--no-traces"]);
    for (method, target) in [
        ("GET", "/faults"),
        ("POST", "/faults?critic=bias_critic&fail=1"),
        ("POST", "/faults/clear"),
    ] {
        assert_eq!(http(addr, method, target).0, 404, "{method} {target}");
    }
    demo.stop();
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_eje-demo"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("[default: 127.0.0.1:8000]"), "{help}");
}

#[test]
fn sigterm_with_a_ten_minute_latency_fault_exits_within_the_bound_and_accounts_for_every_span() {
    // A collector slower than the shutdown budget, so the flush is cut off too.
    let receiver = Receiver::start_with(common::Behaviour::Slow(Duration::from_secs(3)));
    let endpoint = receiver.endpoint();
    let shutdown_ms = 2000u64;
    let (demo, addr) = Demo::start(&[
        "--metrics-addr",
        "127.0.0.1:0",
        "--otlp-endpoint",
        &endpoint,
        "--enable-faults",
        "--rate",
        "100",
        "--batch-delay-ms",
        "50",
        "--shutdown-timeout-ms",
        &shutdown_ms.to_string(),
    ]);
    let (status, body) = http(
        addr,
        "POST",
        "/faults?critic=legal_critic&latency_ms=600000",
    );
    assert_eq!(status, 200, "{body}");
    // Every worker is asleep in legal_critic once the in-flight gauge reaches the capacity.
    let deadline = Instant::now() + Duration::from_secs(10);
    while scrape(addr).get("eje_decisions_in_flight", &[]) < 8.0 {
        assert!(Instant::now() < deadline, "the workers never all blocked");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The documented bound: --shutdown-timeout-ms plus half a second; a second more for a
    // loaded machine and the process's own exit.
    let bound = Duration::from_millis(shutdown_ms + 500) + Duration::from_secs(1);
    let (stopped, took) = demo.stop_within(bound);
    eprintln!("SIGTERM to exit: {took:?} (bound {bound:?}); {stopped}");
    assert!(took < bound, "{took:?}");
    let ended = stopped["spans_ended"].as_u64().unwrap();
    let exported = stopped["spans_exported"].as_u64().unwrap();
    let dropped = stopped["spans_dropped"].as_u64().unwrap();
    assert!(ended > 0, "{stopped}");
    assert_eq!(ended, exported + dropped, "{stopped}");
    assert!(stopped["decisions_drained"].as_bool().unwrap(), "{stopped}");
}
