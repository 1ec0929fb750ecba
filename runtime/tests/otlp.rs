//! The OTLP/HTTP export on the wire, and every span accounted for whatever the collector does:
//! healthy, slow, failing, closing connections, or absent. After shutdown, the spans ended are
//! exactly the spans exported plus the spans dropped (by reason), and shutdown keeps its bound.
//!
//! The receiver is a `TcpListener` on 127.0.0.1 that decodes each request body as an
//! `ExportTraceServiceRequest` (protobuf, `opentelemetry-proto`).

mod common;

use std::time::{Duration, Instant};

use common::{closed_port, scrape, Behaviour, Exposition, Receiver};
use eje_runtime::demo::{
    handle_request, Faults, Pipeline, Rng, SyntheticRequest, CRITICS, PIPELINE,
};
use eje_runtime::{BatchSettings, Runtime, SpanCounts, SpanDropReason, TraceConfig};

fn config(endpoint: String, batch: BatchSettings) -> TraceConfig {
    TraceConfig {
        endpoint,
        service_name: "eje-wire-test".into(),
        batch,
        export_timeout: Duration::from_secs(2),
        max_retries: 1,
        sample_ratio: 1.0,
    }
}

fn attr(span: &opentelemetry_proto::tonic::trace::v1::Span, key: &str) -> Option<String> {
    use opentelemetry_proto::tonic::common::v1::any_value::Value;
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            Value::StringValue(s) => Some(s.clone()),
            other => Some(format!("{other:?}")),
        })
}

#[test]
fn decisions_and_critics_reach_the_collector_with_their_parent_ids() {
    let receiver = Receiver::start();
    let batch = BatchSettings {
        scheduled_delay: Duration::from_millis(100),
        ..BatchSettings::default()
    };
    let runtime = Runtime::builder()
        .process_collector(false)
        .otlp(config(receiver.endpoint(), batch))
        .build()
        .unwrap();
    let pipeline = Pipeline::new(&runtime, Faults::new(), 3);
    let mut rng = Rng::new(3);
    let decisions = 5;
    for id in 0..decisions {
        let mut request = SyntheticRequest::generate(&mut rng, id);
        request.valid = true;
        handle_request(&runtime, &pipeline, &request);
    }
    runtime.flush().unwrap();
    let expected = decisions as usize * (1 + CRITICS.len() + 1);
    assert!(
        receiver.wait_for(Duration::from_secs(5), |spans| spans.len() >= expected),
        "received {} of {expected} spans",
        receiver.spans().len()
    );
    let spans = receiver.spans();
    assert_eq!(spans.len(), expected);
    assert!(
        spans
            .iter()
            .all(|(service, _)| service.contains("eje-wire-test")),
        "{:?}",
        spans[0].0
    );
    let roots: Vec<_> = spans
        .iter()
        .map(|(_, s)| s)
        .filter(|s| s.name == PIPELINE)
        .collect();
    assert_eq!(roots.len(), decisions as usize);
    for root in roots {
        assert!(root.parent_span_id.is_empty(), "a decision is a root span");
        assert_eq!(attr(root, "eje.decision").as_deref(), Some(PIPELINE));
        assert!(attr(root, "eje.verdict").is_some());
        let children: Vec<_> = spans
            .iter()
            .map(|(_, s)| s)
            .filter(|s| s.parent_span_id == root.span_id)
            .collect();
        let mut names: Vec<&str> = children.iter().map(|s| s.name.as_str()).collect();
        names.sort();
        let mut expect: Vec<&str> = CRITICS.iter().copied().chain(["aggregate"]).collect();
        expect.sort();
        assert_eq!(names, expect);
        for child in children {
            assert_eq!(child.trace_id, root.trace_id);
            if child.name != "aggregate" {
                assert_eq!(
                    attr(child, "eje.critic").as_deref(),
                    Some(child.name.as_str())
                );
                assert!(attr(child, "eje.verdict").is_some(), "{}", child.name);
            }
        }
    }
    runtime.shutdown(Duration::from_secs(2)).unwrap();
    let counts = runtime.span_counts();
    assert_eq!(
        (counts.ended, counts.exported, counts.dropped_total()),
        (expected as u64, expected as u64, 0),
        "{counts:?}"
    );
}

/// Spans per decision: the decision, its four critics, the aggregation.
const SPANS_PER_DECISION: u64 = 1 + CRITICS.len() as u64 + 1;

/// What a run against one collector gave.
struct Run {
    counts: SpanCounts,
    exposition: Exposition,
    decisions_took: Duration,
}

/// The export queue of [`run_against`]: small, so a collector that lags fills it.
const QUEUE: usize = 64;

/// Runs `decisions` decisions exporting to `endpoint` through a small queue, shuts the export
/// down with `shutdown`, and checks the accounts: ended = exported + dropped, on the handle and
/// on `/metrics`, and shutdown within its timeout (plus a second for a loaded machine).
#[track_caller]
fn run_against(
    endpoint: String,
    export_timeout: Duration,
    decisions: u64,
    shutdown: Duration,
) -> Run {
    let batch = BatchSettings {
        max_queue_size: QUEUE,
        max_export_batch_size: 16,
        scheduled_delay: Duration::from_millis(20),
    };
    let mut trace = config(endpoint, batch);
    trace.export_timeout = export_timeout;
    let runtime = Runtime::builder()
        .process_collector(false)
        .otlp(trace)
        .build()
        .unwrap();
    let server = runtime.serve("127.0.0.1:0", None).unwrap();
    let pipeline = Pipeline::new(&runtime, Faults::new(), 5);
    let mut rng = Rng::new(5);
    let started = Instant::now();
    for id in 0..decisions {
        let mut request = SyntheticRequest::generate(&mut rng, id);
        request.valid = true;
        handle_request(&runtime, &pipeline, &request);
        if id % 10 == 0 {
            // Give the export thread a chance, as real traffic would.
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let decisions_took = started.elapsed();

    let shutdown_started = Instant::now();
    let _ = runtime.shutdown(shutdown);
    let shutdown_took = shutdown_started.elapsed();
    assert!(
        shutdown_took < shutdown + Duration::from_secs(1),
        "shutdown took {shutdown_took:?} for a timeout of {shutdown:?}"
    );

    let counts = runtime.span_counts();
    assert_eq!(counts.ended, decisions * SPANS_PER_DECISION, "{counts:?}");
    assert_eq!(
        counts.ended,
        counts.exported + counts.dropped_total(),
        "every span is exported or dropped: {counts:?}"
    );
    let exposition = scrape(server.local_addr());
    assert_eq!(
        exposition.get("eje_trace_spans_exported_total", &[]),
        counts.exported as f64
    );
    for reason in SpanDropReason::ALL {
        assert_eq!(
            exposition.get(
                "eje_trace_spans_dropped_total",
                &[("reason", reason.as_str())]
            ),
            counts.dropped(*reason) as f64,
            "{reason}"
        );
    }
    // After shutdown the tracer records nothing more, and the accounts stay closed.
    drop(runtime.span("late"));
    assert_eq!(runtime.span_counts(), counts);
    server.shutdown();
    Run {
        counts,
        exposition,
        decisions_took,
    }
}

#[test]
fn a_healthy_collector_gets_every_span() {
    let receiver = Receiver::start();
    // Fewer spans than the queue holds: nothing is dropped on the way.
    let decisions = QUEUE as u64 / SPANS_PER_DECISION;
    let run = run_against(
        receiver.endpoint(),
        Duration::from_secs(2),
        decisions,
        Duration::from_secs(5),
    );
    assert_eq!(run.counts.exported, run.counts.ended, "{:?}", run.counts);
    assert_eq!(receiver.spans().len() as u64, run.counts.exported);
}

#[test]
fn an_absent_collector_costs_the_app_nothing_and_every_span_is_counted_dropped() {
    let run = run_against(
        format!("http://{}/v1/traces", closed_port()),
        Duration::from_secs(1),
        200,
        Duration::from_secs(2),
    );
    // 1200 spans into a 64-span queue in front of a refusing collector: the decisions never wait.
    assert!(
        run.decisions_took < Duration::from_secs(10),
        "{:?}",
        run.decisions_took
    );
    assert_eq!(run.counts.exported, 0);
    assert!(
        run.counts.dropped(SpanDropReason::ExportFailed) > 0,
        "{:?}",
        run.counts
    );
    assert!(
        run.counts.dropped(SpanDropReason::QueueFull) > 0,
        "{:?}",
        run.counts
    );
    let total: f64 = run
        .exposition
        .family("eje_decisions_total")
        .samples
        .iter()
        .map(|(_, _, v)| v)
        .sum();
    assert_eq!(total, 200.0);
}

#[test]
fn a_failing_collector_gets_its_batches_counted_as_failed() {
    let receiver = Receiver::start_with(Behaviour::Fail(503));
    let run = run_against(
        receiver.endpoint(),
        Duration::from_millis(500),
        30,
        Duration::from_secs(2),
    );
    assert_eq!(run.counts.exported, 0);
    assert!(
        run.counts.dropped(SpanDropReason::ExportFailed) > 0,
        "{:?}",
        run.counts
    );
    assert!(receiver.spans().is_empty());
}

#[test]
fn a_collector_closing_connections_gets_its_batches_counted_as_failed() {
    let receiver = Receiver::start_with(Behaviour::Close);
    let run = run_against(
        receiver.endpoint(),
        Duration::from_millis(500),
        30,
        Duration::from_secs(2),
    );
    assert_eq!(run.counts.exported, 0);
    assert!(
        run.counts.dropped(SpanDropReason::ExportFailed) > 0,
        "{:?}",
        run.counts
    );
}

#[test]
fn a_slow_collector_delays_nothing_and_what_shutdown_cuts_off_is_counted() {
    // Each export takes 400 ms; shutdown allows 600 ms, far less than the queue needs.
    let receiver = Receiver::start_with(Behaviour::Slow(Duration::from_millis(400)));
    let run = run_against(
        receiver.endpoint(),
        Duration::from_secs(5),
        100,
        Duration::from_millis(600),
    );
    assert!(
        run.decisions_took < Duration::from_secs(10),
        "{:?}",
        run.decisions_took
    );
    assert!(
        run.counts.dropped(SpanDropReason::Shutdown) > 0,
        "{:?}",
        run.counts
    );
    assert!(
        run.counts.dropped(SpanDropReason::QueueFull) > 0,
        "{:?}",
        run.counts
    );
    // What was counted exported did arrive (a batch cut off may arrive too, counted dropped).
    assert!(receiver.spans().len() as u64 >= run.counts.exported);
}
