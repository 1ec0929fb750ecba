//! The OTLP/HTTP export on the wire, and the application when the collector is down.
//!
//! The receiver is a `TcpListener` on 127.0.0.1 that decodes each request body as an
//! `ExportTraceServiceRequest` (protobuf, `opentelemetry-proto`).

mod common;

use std::time::{Duration, Instant};

use common::{closed_port, scrape, Receiver};
use eje_runtime::demo::{
    handle_request, Faults, Pipeline, Rng, SyntheticRequest, CRITICS, PIPELINE,
};
use eje_runtime::{BatchSettings, Runtime, TraceConfig};

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
    assert_eq!(runtime.metrics().spans_dropped().get(), 0);
    runtime.shutdown(Duration::from_secs(2)).unwrap();
}

#[test]
fn the_app_keeps_serving_while_the_collector_is_down_and_counts_what_it_drops() {
    let batch = BatchSettings {
        max_queue_size: 32,
        max_export_batch_size: 8,
        scheduled_delay: Duration::from_millis(20),
    };
    let runtime = Runtime::builder()
        .process_collector(false)
        .otlp(config(format!("http://{}/v1/traces", closed_port()), batch))
        .build()
        .unwrap();
    let server = runtime.serve("127.0.0.1:0", None).unwrap();
    let pipeline = Pipeline::new(&runtime, Faults::new(), 5);
    let mut rng = Rng::new(5);
    let decisions = 200;
    let started = Instant::now();
    for id in 0..decisions {
        let mut request = SyntheticRequest::generate(&mut rng, id);
        request.valid = true;
        handle_request(&runtime, &pipeline, &request);
    }
    // 1200 spans into a 32-span queue in front of a refusing collector: the decisions never wait.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );

    let scrape_started = Instant::now();
    let exposition = scrape(server.local_addr());
    assert!(
        scrape_started.elapsed() < Duration::from_secs(1),
        "{:?}",
        scrape_started.elapsed()
    );
    let total: f64 = exposition
        .family("eje_decisions_total")
        .samples
        .iter()
        .map(|(_, _, v)| v)
        .sum();
    assert_eq!(total, decisions as f64);

    let shutdown_started = Instant::now();
    let _ = runtime.shutdown(Duration::from_secs(3));
    assert!(
        shutdown_started.elapsed() < Duration::from_secs(4),
        "{:?}",
        shutdown_started.elapsed()
    );
    // Every span was dropped: at the gate (queue full) or with its failed batch.
    let spans = decisions * (1 + CRITICS.len() as u64 + 1);
    let dropped = runtime.metrics().spans_dropped().get();
    assert!(dropped > spans / 2, "dropped {dropped} of {spans}");
    assert!(dropped <= spans, "dropped {dropped} of {spans}");
    let exposition = scrape(server.local_addr());
    assert_eq!(
        exposition.get("eje_trace_spans_dropped_total", &[]),
        dropped as f64
    );
    server.shutdown();
}

#[test]
fn a_silent_collector_costs_the_app_nothing_and_shutdown_stays_bounded() {
    // Accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let batch = BatchSettings {
        max_queue_size: 64,
        max_export_batch_size: 16,
        scheduled_delay: Duration::from_millis(10),
    };
    let mut trace = config(
        format!("http://{}/v1/traces", silent.local_addr().unwrap()),
        batch,
    );
    trace.export_timeout = Duration::from_millis(500);
    let runtime = Runtime::builder()
        .process_collector(false)
        .otlp(trace)
        .build()
        .unwrap();
    let pipeline = Pipeline::new(&runtime, Faults::new(), 9);
    let mut rng = Rng::new(9);
    let started = Instant::now();
    for id in 0..100 {
        let mut request = SyntheticRequest::generate(&mut rng, id);
        request.valid = true;
        handle_request(&runtime, &pipeline, &request);
    }
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let shutdown_started = Instant::now();
    let _ = runtime.shutdown(Duration::from_secs(2));
    assert!(
        shutdown_started.elapsed() < Duration::from_secs(3),
        "{:?}",
        shutdown_started.elapsed()
    );
    assert!(runtime.metrics().spans_dropped().get() > 0);
    drop(silent);
}
