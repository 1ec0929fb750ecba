//! `#[track_critic]` and `#[trace_decision]` on the global runtime: sync and async fns, methods,
//! `?` and early `return` in the body, and the span tree they make.
//!
//! The global runtime is installed once for this test binary, with an in-memory exporter; each
//! test uses critic names of its own, since they share it.

mod common;

use std::sync::OnceLock;
use std::time::Duration;

use common::{attribute, block_on, Collector, Spans, YieldThen};
use eje_runtime::{
    global, trace_decision, track_critic, BatchSettings, CriticOutput, FailureReason, Runtime,
    Verdict,
};
use opentelemetry::trace::SpanId;

fn collector() -> &'static Collector {
    static COLLECTOR: OnceLock<Collector> = OnceLock::new();
    COLLECTOR.get_or_init(|| {
        // Failure log lines are checked in spans.rs; here they would only be noise.
        eje_runtime::log::set_level(eje_runtime::log::Level::Off);
        let collector = Collector::default();
        let batch = BatchSettings {
            scheduled_delay: Duration::from_millis(20),
            ..BatchSettings::default()
        };
        Runtime::builder()
            .process_collector(false)
            .span_exporter(collector.clone(), batch)
            .build()
            .unwrap()
            .install()
            .expect("the first runtime installed in this binary");
        collector
    })
}

fn executions(critic: &str) -> u64 {
    let text = String::from_utf8(global().metrics().encode()).unwrap();
    let prefix = format!("eje_critic_executions_total{{critic=\"{critic}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.parse().unwrap())
        // A macro binds its critic at the first call: no series before it.
        .unwrap_or(0)
}

fn failures(critic: &str, reason: FailureReason) -> u64 {
    let text = String::from_utf8(global().metrics().encode()).unwrap();
    let prefix = format!("eje_critic_failures_total{{critic=\"{critic}\",reason=\"{reason}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.parse().unwrap())
        .unwrap_or_else(|| panic!("no failure series for {critic}"))
}

#[derive(Debug)]
struct Unavailable;

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unavailable")
    }
}

fn parse_score(text: &str) -> Result<f64, Unavailable> {
    text.parse().map_err(|_| Unavailable)
}

#[track_critic("macro_sync_critic")]
fn sync_critic(text: &str) -> Result<CriticOutput, Unavailable> {
    if text.is_empty() {
        return Ok(CriticOutput::new(Verdict::Escalate, 0.1));
    }
    let score = parse_score(text)?;
    Ok(CriticOutput::new(
        if score > 0.5 {
            Verdict::Reject
        } else {
            Verdict::Approve
        },
        score,
    ))
}

#[track_critic(critic_name = "macro_async_critic")]
async fn async_critic(polls: usize) -> Verdict {
    YieldThen {
        n: polls,
        value: Some(Verdict::Approve),
    }
    .await
}

struct Reviewer {
    strict: bool,
}

impl Reviewer {
    #[track_critic("macro_method_critic")]
    fn review(&self, text: &str) -> Option<Verdict> {
        if text.contains('!') {
            return None;
        }
        Some(if self.strict {
            Verdict::Reject
        } else {
            Verdict::Approve
        })
    }
}

#[track_critic("macro_panicking_critic")]
fn panicking_critic() -> Verdict {
    panic!("always")
}

// The decision test's own critics: tests run in parallel on one global runtime.

#[track_critic("decision_first_critic")]
fn first_critic(text: &str) -> Result<CriticOutput, Unavailable> {
    Ok(CriticOutput::new(Verdict::Approve, parse_score(text)?))
}

#[track_critic("decision_second_critic")]
fn second_critic(_text: &str) -> Verdict {
    Verdict::Approve
}

#[track_critic("decision_async_critic")]
async fn third_critic() -> Verdict {
    YieldThen {
        n: 1,
        value: Some(Verdict::Approve),
    }
    .await
}

#[trace_decision("macro_pipeline")]
fn decide(text: &str) -> Result<Verdict, Unavailable> {
    let a = first_critic(text)?;
    let b = second_critic(text);
    Ok(if a.verdict == Verdict::Approve {
        b
    } else {
        a.verdict
    })
}

#[trace_decision("macro_async_pipeline")]
async fn decide_async() -> Verdict {
    third_critic().await
}

#[test]
fn a_tracked_sync_fn_counts_its_calls_errors_and_early_returns() {
    collector();
    let before = executions("macro_sync_critic");
    assert_eq!(sync_critic("0.9").unwrap().verdict, Verdict::Reject);
    assert_eq!(sync_critic("").unwrap().verdict, Verdict::Escalate);
    assert!(sync_critic("not a number").is_err());
    assert_eq!(executions("macro_sync_critic"), before + 3);
    assert!(failures("macro_sync_critic", FailureReason::Error) >= 1);
}

#[test]
fn tracked_methods_async_fns_and_panics_are_recorded() {
    collector();
    assert_eq!(
        Reviewer { strict: true }.review("fine"),
        Some(Verdict::Reject)
    );
    assert_eq!(Reviewer { strict: true }.review("bad!"), None);
    assert_eq!(
        failures("macro_method_critic", FailureReason::InvalidOutput),
        1
    );
    assert_eq!(block_on(async_critic(3)), Verdict::Approve);
    assert_eq!(executions("macro_async_critic"), 1);
    assert!(std::panic::catch_unwind(panicking_critic).is_err());
    assert_eq!(failures("macro_panicking_critic", FailureReason::Panic), 1);
}

#[test]
fn a_traced_decision_is_the_parent_of_the_tracked_critics_it_calls() {
    let collector = collector();
    assert_eq!(decide("0.2").ok(), Some(Verdict::Approve));
    assert_eq!(block_on(decide_async()), Verdict::Approve);
    global().flush().unwrap();
    let spans = collector.spans();
    let find = |name: &str| {
        spans
            .iter()
            .rfind(|s| s.name == name)
            .unwrap_or_else(|| panic!("no span {name}"))
    };
    let decision = find("macro_pipeline");
    assert_eq!(decision.parent_span_id, SpanId::INVALID);
    assert_eq!(
        attribute(decision, "eje.verdict").as_deref(),
        Some("APPROVE")
    );
    let children: Vec<_> = spans
        .iter()
        .filter(|s| s.parent_span_id == decision.span_context.span_id())
        .map(|s| s.name.to_string())
        .collect();
    assert_eq!(
        children,
        ["decision_first_critic", "decision_second_critic"]
    );
    let async_decision = find("macro_async_pipeline");
    let async_critic = spans.iter().find(|s| {
        s.name == "decision_async_critic"
            && s.parent_span_id == async_decision.span_context.span_id()
    });
    assert!(async_critic.is_some(), "{spans:#?}");
}
