//! What the instrumentation costs, side by side in one run:
//! - `critic_call/*`: a trivial critic bare, tracked without tracing, tracked with a sampled span,
//!   and the same function under `#[autometrics]` (prometheus 0.14 exporter); and the critic
//!   between two reads of the runtime's clock (`quanta`, raw), the floor of a tracked call;
//! - `counter/*`: a bare `prometheus` counter increment, for scale;
//! - `encode/*`: the `/metrics` text of 10k series, and of the runtime's own registry.
//!
//! Run: `cargo bench -p eje-runtime` (each measurement lasts 2 s).

use std::future::Future;
use std::hint::black_box;
use std::time::Duration;

use autometrics::autometrics;
use criterion::{criterion_group, criterion_main, Criterion};
use eje_runtime::{BatchSettings, CriticOutput, Runtime, Verdict};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use prometheus::{IntCounter, IntCounterVec, Opts, Registry};

/// The critic measured: cheap, so the instrumentation is what shows.
#[inline(never)]
fn critic(score: u64) -> Result<CriticOutput, String> {
    let verdict = if score % 7 == 0 {
        Verdict::Escalate
    } else {
        Verdict::Approve
    };
    Ok(CriticOutput::new(verdict, 0.9))
}

#[autometrics]
#[inline(never)]
fn autometrics_critic(score: u64) -> Result<CriticOutput, String> {
    critic(score)
}

/// Accepts every batch and keeps nothing.
#[derive(Debug)]
struct Discard;

impl SpanExporter for Discard {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        drop(batch);
        std::future::ready(Ok(()))
    }
}

fn critic_call(c: &mut Criterion) {
    let mut group = c.benchmark_group("critic_call");
    group.bench_function("bare", |b| b.iter(|| critic(black_box(1))));

    // What a tracked call cannot do without: a latency is two clock reads.
    let clock = quanta::Clock::new();
    group.bench_function("two_clock_reads", |b| {
        b.iter(|| {
            let start = clock.raw();
            let output = critic(black_box(1));
            black_box(clock.delta_as_nanos(start, clock.raw()));
            output
        })
    });

    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    let handle = runtime.critic("bias_critic");
    group.bench_function("tracked_no_tracing", |b| {
        b.iter(|| handle.track(|| critic(black_box(1))))
    });

    let traced = Runtime::builder()
        .process_collector(false)
        .span_exporter(Discard, BatchSettings::default())
        .build()
        .unwrap();
    let traced_handle = traced.critic("bias_critic");
    group.bench_function("tracked_sampled_span", |b| {
        b.iter(|| traced_handle.track(|| critic(black_box(1))))
    });

    group.bench_function("autometrics", |b| {
        b.iter(|| autometrics_critic(black_box(1)))
    });
    group.finish();
    let _ = traced.shutdown(Duration::from_secs(5));
    let spans = traced.span_counts();
    println!(
        "(sampled-span run: {} spans ended, {} exported, {} dropped at the full queue, {} at shutdown)",
        spans.ended,
        spans.exported,
        spans.dropped(eje_runtime::SpanDropReason::QueueFull),
        spans.dropped(eje_runtime::SpanDropReason::Shutdown),
    );
}

fn counter(c: &mut Criterion) {
    let mut group = c.benchmark_group("counter");
    let counter = IntCounter::new("bench_total", "A bare counter.").unwrap();
    group.bench_function("prometheus_int_counter_inc", |b| {
        b.iter(|| black_box(&counter).inc())
    });
    let vec = IntCounterVec::new(
        Opts::new("bench_vec_total", "A labelled counter."),
        &["critic"],
    )
    .unwrap();
    group.bench_function("prometheus_with_label_values_inc", |b| {
        b.iter(|| vec.with_label_values(&[black_box("bias_critic")]).inc())
    });
    group.finish();
}

fn encode(c: &mut Criterion) {
    let mut group = c.benchmark_group("encode");
    let registry = Registry::new();
    let family = IntCounterVec::new(
        Opts::new("bench_series_total", "Ten thousand series."),
        &["critic", "reason"],
    )
    .unwrap();
    registry.register(Box::new(family.clone())).unwrap();
    for i in 0..10_000u64 {
        family
            .with_label_values(&[
                &format!("critic_{}", i / 100),
                &format!("reason_{}", i % 100),
            ])
            .inc_by(i);
    }
    let size = eje_runtime::metrics::encode(&registry).len();
    println!("(10k series encode to {size} bytes)");
    group.bench_function("10k_series", |b| {
        b.iter(|| eje_runtime::metrics::encode(&registry))
    });

    let runtime = Runtime::builder().process_collector(false).build().unwrap();
    group.bench_function("runtime_registry", |b| {
        b.iter(|| runtime.metrics().encode())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500))
        .sample_size(50);
    targets = critic_call, counter, encode
}
criterion_main!(benches);
