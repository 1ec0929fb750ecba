//! The span tree, read from the SDK's in-memory exporter behind the runtime's own batch processor: a
//! decision span is the parent of one span per critic; attributes name the critic, the verdict
//! and the failure; a log line written inside a critic carries that critic span's ids.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{attribute, block_on, Collector, Spans, YieldThen};
use eje_runtime::demo::{Faults, Pipeline, SyntheticRequest, CRITICS, PIPELINE};
use eje_runtime::log::{self, Level};
use eje_runtime::{BatchSettings, CriticOutput, FailureReason, Runtime, Verdict};
use opentelemetry::trace::{SpanId, Status};
use opentelemetry_sdk::trace::SpanData;

fn traced_runtime() -> (Runtime, Collector) {
    let collector = Collector::default();
    let batch = BatchSettings {
        scheduled_delay: Duration::from_millis(50),
        ..BatchSettings::default()
    };
    let runtime = Runtime::builder()
        .process_collector(false)
        .span_exporter(collector.clone(), batch)
        .build()
        .unwrap();
    (runtime, collector)
}

fn named<'a>(spans: &'a [SpanData], name: &str) -> Vec<&'a SpanData> {
    spans.iter().filter(|s| s.name == name).collect()
}

#[test]
fn a_decision_span_is_the_parent_of_one_span_per_critic() {
    let (runtime, collector) = traced_runtime();
    let faults = Faults::new();
    faults
        .set(
            "privacy_critic",
            eje_runtime::demo::Fault {
                fail_ratio: 1.0,
                latency: Duration::ZERO,
            },
        )
        .unwrap();
    let pipeline = Pipeline::new(&runtime, faults, 7);
    let request = SyntheticRequest {
        id: 1,
        user_type: eje_runtime::UserType::Standard,
        api_version: eje_runtime::ApiVersion::V1,
        risk: 0.1,
        valid: true,
    };
    let decided = pipeline.decide(&runtime, &request).unwrap();
    runtime.flush().unwrap();
    let spans = collector.spans();

    let decisions = named(&spans, PIPELINE);
    assert_eq!(decisions.len(), 1, "{spans:#?}");
    let decision = decisions[0];
    assert_eq!(
        decision.parent_span_id,
        SpanId::INVALID,
        "the decision is a root"
    );
    assert_eq!(
        attribute(decision, "eje.decision").as_deref(),
        Some(PIPELINE)
    );
    assert_eq!(
        attribute(decision, "eje.verdict").as_deref(),
        Some(decided.verdict.as_str())
    );
    assert_eq!(
        attribute(decision, "eje.status").as_deref(),
        Some("success")
    );

    for critic in CRITICS {
        let found = named(&spans, critic);
        assert_eq!(found.len(), 1, "{critic}");
        let span = found[0];
        assert_eq!(
            span.parent_span_id,
            decision.span_context.span_id(),
            "{critic}"
        );
        assert_eq!(
            span.span_context.trace_id(),
            decision.span_context.trace_id(),
            "{critic}"
        );
        assert_eq!(attribute(span, "eje.critic").as_deref(), Some(critic));
        if critic == "privacy_critic" {
            assert_eq!(
                attribute(span, "eje.failure_reason").as_deref(),
                Some("error")
            );
            assert_eq!(attribute(span, "eje.verdict"), None);
            assert!(
                matches!(&span.status, Status::Error { description } if description.contains("injected")),
                "{:?}",
                span.status
            );
        } else {
            assert!(attribute(span, "eje.verdict").is_some(), "{critic}");
            assert!(attribute(span, "eje.confidence").is_some(), "{critic}");
            assert_eq!(span.status, Status::Unset);
        }
    }
    let aggregate = named(&spans, "aggregate");
    assert_eq!(aggregate.len(), 1);
    assert_eq!(aggregate[0].parent_span_id, decision.span_context.span_id());
    assert_eq!(attribute(aggregate[0], "eje.critics").as_deref(), Some("4"));
    // A failed critic escalates the decision.
    assert_eq!(decided.verdict, Verdict::Escalate);
    runtime.shutdown(Duration::from_secs(2)).unwrap();
}

#[test]
fn async_critics_are_children_of_an_async_decision_and_span_guards_nest() {
    let (runtime, collector) = traced_runtime();
    let bias = runtime.critic("bias_critic");
    let verdict = block_on(runtime.decide_future("async_pipeline", async {
        let first = bias
            .track_future(YieldThen {
                n: 1,
                value: Some(CriticOutput::new(Verdict::Approve, 0.8)),
            })
            .await;
        YieldThen {
            n: 1,
            value: Some(()),
        }
        .await;
        // A guard makes its span current on this thread: keep it within one poll.
        let _lookup = runtime
            .span("database_lookup")
            .with("query_type", "precedent");
        first.verdict
    }));
    assert_eq!(verdict, Verdict::Approve);
    runtime.flush().unwrap();
    let spans = collector.spans();
    let decision = named(&spans, "async_pipeline")[0];
    let critic = named(&spans, "bias_critic")[0];
    let lookup = named(&spans, "database_lookup")[0];
    assert_eq!(critic.parent_span_id, decision.span_context.span_id());
    assert_eq!(lookup.parent_span_id, decision.span_context.span_id());
    assert_eq!(
        attribute(lookup, "query_type").as_deref(),
        Some("precedent")
    );
    assert_eq!(attribute(critic, "eje.verdict").as_deref(), Some("APPROVE"));
    assert_eq!(attribute(critic, "eje.confidence").as_deref(), Some("0.8"));
    runtime.shutdown(Duration::from_secs(2)).unwrap();
}

#[test]
fn a_failed_decision_is_escalated_with_an_error_status() {
    let (runtime, collector) = traced_runtime();
    let out: Result<Verdict, String> =
        runtime.decide("failing_pipeline", || Err("store down".into()));
    assert!(out.is_err());
    drop(runtime.decision("abandoned_pipeline"));
    runtime.flush().unwrap();
    let spans = collector.spans();
    for name in ["failing_pipeline", "abandoned_pipeline"] {
        let span = named(&spans, name)[0];
        assert_eq!(
            attribute(span, "eje.verdict").as_deref(),
            Some("ESCALATE"),
            "{name}"
        );
        assert_eq!(
            attribute(span, "eje.status").as_deref(),
            Some("error"),
            "{name}"
        );
        assert!(matches!(span.status, Status::Error { .. }), "{name}");
    }
    let metrics = runtime.metrics();
    assert_eq!(
        metrics
            .decisions(Verdict::Escalate, eje_runtime::DecisionStatus::Error)
            .get(),
        2
    );
    assert_eq!(metrics.decision_duration().get_sample_count(), 2);
    assert_eq!(metrics.in_flight_gauge().get(), 0);
    runtime.shutdown(Duration::from_secs(2)).unwrap();
}

/// A `Write` into a shared buffer.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_log_line_leads_to_its_span() {
    let buffer = Buffer::default();
    log::set_writer(Box::new(buffer.clone()));
    log::set_level(Level::Info);
    let (runtime, collector) = traced_runtime();
    let critic = runtime.critic("log_test_critic");
    let _ = runtime.decide("log_pipeline", || {
        critic.track(|| {
            eje_runtime::log!(Level::Info, "looking up precedents", request = 17);
            Err::<Verdict, _>(eje_runtime::CriticError::new(
                FailureReason::Timeout,
                "no answer",
            ))
        })
    });
    runtime.flush().unwrap();
    let spans = collector.spans();
    let span = named(&spans, "log_test_critic")[0];
    let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .filter(|v: &serde_json::Value| v["request"] == 17 || v["critic"] == "log_test_critic")
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    for line in &lines {
        assert_eq!(
            line["trace_id"],
            span.span_context.trace_id().to_string(),
            "{line}"
        );
        assert_eq!(
            line["span_id"],
            span.span_context.span_id().to_string(),
            "{line}"
        );
    }
    assert_eq!(lines[1]["level"], "warn");
    assert_eq!(lines[1]["reason"], "timeout");
    assert_eq!(lines[1]["error"], "timeout: no answer");
    runtime.shutdown(Duration::from_secs(2)).unwrap();
}
