//! The runtime: the metrics, the tracer if tracing is on, and the decisions and critics bound to
//! them. One is installed process-wide for the macros ([`global`]); tests build their own.

use std::borrow::Cow;
use std::future::Future;
use std::net::ToSocketAddrs;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use opentelemetry::trace::{Status, TraceContextExt, Tracer};
use opentelemetry::{Context, ContextGuard, KeyValue};
use opentelemetry_sdk::trace::{SdkTracer, SpanExporter};
use sextant_catalog::eje::{DecisionStatus, FailureReason, Verdict};

use crate::critic::CriticHandle;
use crate::metrics::{InFlight, Metrics};
use crate::server::{Handler, MetricsServer};
use crate::trace::{attr, BatchSettings, SpanCounts, SpanGuard, TraceConfig, Tracing};
use crate::verdict::HasVerdict;
use crate::Error;

/// Metrics, tracing, and the handles bound to them.
pub struct Runtime {
    metrics: Metrics,
    tracing: Option<Tracing>,
}

impl std::fmt::Debug for Runtime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Runtime")
            .field("metrics", &self.metrics)
            .field("traced", &self.tracing.is_some())
            .finish()
    }
}

type ExporterSetup = Box<dyn FnOnce(&Metrics) -> Tracing + Send>;

/// Builds a [`Runtime`]: metrics always, tracing if asked.
#[derive(Default)]
pub struct RuntimeBuilder {
    process_collector: Option<bool>,
    otlp: Option<TraceConfig>,
    exporter: Option<ExporterSetup>,
}

impl RuntimeBuilder {
    /// Exports spans over OTLP/HTTP as `config` says.
    pub fn otlp(mut self, config: TraceConfig) -> Self {
        self.otlp = Some(config);
        self.exporter = None;
        self
    }

    /// Exports spans to `exporter` through the same gate and batch processor as OTLP (for tests,
    /// or another backend).
    pub fn span_exporter<E: SpanExporter + 'static>(
        mut self,
        exporter: E,
        batch: BatchSettings,
    ) -> Self {
        self.otlp = None;
        self.exporter = Some(Box::new(move |metrics: &Metrics| {
            Tracing::with_exporter(exporter, "eje", batch, 1.0, metrics)
        }));
        self
    }

    /// Whether `process_*` metrics are collected (default: yes).
    pub fn process_collector(mut self, on: bool) -> Self {
        self.process_collector = Some(on);
        self
    }

    pub fn build(self) -> Result<Runtime, Error> {
        let metrics = Metrics::with_process_collector(self.process_collector.unwrap_or(true));
        let tracing = match (self.otlp, self.exporter) {
            (Some(config), _) => Some(Tracing::otlp(&config, &metrics)?),
            (None, Some(setup)) => Some(setup(&metrics)),
            (None, None) => None,
        };
        Ok(Runtime { metrics, tracing })
    }
}

static GLOBAL: OnceLock<Runtime> = OnceLock::new();

/// The process-wide runtime the macros use: the one [`Runtime::install`]ed, or, if none was by
/// the first call, a metrics-only one.
pub fn global() -> &'static Runtime {
    GLOBAL.get_or_init(|| Runtime {
        metrics: Metrics::new(),
        tracing: None,
    })
}

impl Runtime {
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder::default()
    }

    /// Makes this the [`global`] runtime. Fails (giving it back) if one is already in place,
    /// including the default one a macro-tracked call made before.
    pub fn install(self) -> Result<&'static Runtime, Box<Runtime>> {
        let mut slot = Some(self);
        let installed = GLOBAL.get_or_init(|| slot.take().expect("taken once"));
        match slot {
            None => Ok(installed),
            Some(rejected) => Err(Box::new(rejected)),
        }
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    fn tracer(&self) -> Option<&SdkTracer> {
        self.tracing.as_ref().map(|t| &t.tracer)
    }

    pub fn is_traced(&self) -> bool {
        self.tracing.is_some()
    }

    /// Registers the critic `name` (or finds it) and binds a handle to its series. Bind once and
    /// keep the handle: registering takes a lock, calling through the handle does not.
    pub fn critic(&self, name: impl Into<Cow<'static, str>>) -> CriticHandle {
        let name = name.into();
        let series = self.metrics.critic_series(&name);
        CriticHandle::new(series, name, self.tracer().cloned())
    }

    /// Opens a span, current until the guard drops (a child of the current span).
    pub fn span(&self, name: impl Into<Cow<'static, str>>) -> SpanGuard {
        SpanGuard::start(self.tracer(), name)
    }

    /// Starts a decision of `pipeline`: its span is current and it counts in flight until the
    /// guard finishes or drops. A guard dropped unfinished counts as an `error` decision
    /// (escalated).
    pub fn decision(&self, pipeline: &'static str) -> DecisionGuard<'_> {
        let state = DecisionState::start(self, pipeline);
        let attached = state.cx.as_ref().map(|cx| cx.clone().attach());
        DecisionGuard {
            state: Some(state),
            attached,
        }
    }

    /// Runs `decide` as one decision of `pipeline`: the seed's `@trace_decision`. The critic
    /// calls inside are children of its span. A panic counts as an `error` decision, then resumes.
    pub fn decide<R: HasVerdict>(&self, pipeline: &'static str, decide: impl FnOnce() -> R) -> R {
        let state = DecisionState::start(self, pipeline);
        let attached = state.cx.as_ref().map(|cx| cx.clone().attach());
        let result = catch_unwind(AssertUnwindSafe(decide));
        match result {
            Ok(output) => {
                state.finish(outcome_of(&output), output.failure_message());
                drop(attached);
                output
            }
            Err(panic) => {
                state.finish(
                    (Verdict::Escalate, DecisionStatus::Error),
                    Some("the decision panicked".into()),
                );
                drop(attached);
                resume_unwind(panic)
            }
        }
    }

    /// The async form of [`Runtime::decide`]; a future dropped unfinished counts as a `timeout`.
    pub fn decide_future<F>(&self, pipeline: &'static str, future: F) -> DecisionFuture<'_, F>
    where
        F: Future,
        F::Output: HasVerdict,
    {
        DecisionFuture {
            inner: future,
            runtime: self,
            pipeline,
            state: None,
        }
    }

    /// Serves `/metrics` (and `extra`'s routes) on `addr` from threads of its own (see
    /// [`MetricsServer`]). Bind loopback (`127.0.0.1:8000`, [`crate::DEFAULT_METRICS_ADDR`]) unless
    /// the port must be reached from elsewhere.
    pub fn serve(
        &self,
        addr: impl ToSocketAddrs,
        extra: Option<Arc<dyn Handler>>,
    ) -> Result<MetricsServer, Error> {
        MetricsServer::start(addr, self.metrics.registry().clone(), extra)
    }

    /// Exports the spans ended so far, waiting for the export.
    pub fn flush(&self) -> Result<(), Error> {
        match &self.tracing {
            Some(tracing) => tracing
                .force_flush()
                .map_err(|e| Error::Trace(format!("flushing spans: {e}"))),
            None => Ok(()),
        }
    }

    /// Where the spans ended so far are: exported, dropped (by reason), or outstanding. After
    /// [`Runtime::shutdown`], `ended == exported + dropped_total()` exactly.
    pub fn span_counts(&self) -> SpanCounts {
        match &self.tracing {
            Some(tracing) => tracing.ledger.counts(),
            None => SpanCounts::default(),
        }
    }

    /// Flushes and stops the span export, returning within `timeout` whatever the collector
    /// does. Spans not exported by then, and spans ended later, are counted as dropped with
    /// reason `shutdown`.
    pub fn shutdown(&self, timeout: Duration) -> Result<(), Error> {
        match &self.tracing {
            Some(tracing) => tracing
                .shutdown(timeout)
                .map_err(|e| Error::Trace(format!("shutting the span export down: {e}"))),
            None => Ok(()),
        }
    }
}

/// A decision's verdict and status from its output: an output without a verdict is escalated.
fn outcome_of<R: HasVerdict + ?Sized>(output: &R) -> (Verdict, DecisionStatus) {
    match output.verdict() {
        Ok(verdict) => (verdict, DecisionStatus::Success),
        Err(FailureReason::Timeout) => (Verdict::Escalate, DecisionStatus::Timeout),
        Err(_) => (Verdict::Escalate, DecisionStatus::Error),
    }
}

/// What a decision in progress holds, whichever form it takes.
struct DecisionState<'a> {
    metrics: &'a Metrics,
    start: Instant,
    cx: Option<Context>,
    _in_flight: InFlight,
}

impl<'a> DecisionState<'a> {
    fn start(runtime: &'a Runtime, pipeline: &'static str) -> Self {
        let cx = runtime.tracer().map(|tracer| {
            let parent = Context::current();
            let span = tracer
                .span_builder(pipeline)
                .with_attributes([KeyValue::new(attr::DECISION, pipeline)])
                .start_with_context(tracer, &parent);
            parent.with_span(span)
        });
        DecisionState {
            metrics: &runtime.metrics,
            start: Instant::now(),
            cx,
            _in_flight: runtime.metrics.in_flight(),
        }
    }

    fn finish(self, (verdict, status): (Verdict, DecisionStatus), message: Option<String>) {
        self.metrics
            .record_decision(verdict, status, self.start.elapsed().as_secs_f64());
        if let Some(cx) = &self.cx {
            let span = cx.span();
            span.set_attribute(KeyValue::new(attr::VERDICT, verdict.as_str()));
            span.set_attribute(KeyValue::new(attr::STATUS, status.as_str()));
            if status != DecisionStatus::Success {
                span.set_status(Status::error(
                    message.unwrap_or_else(|| status.as_str().to_string()),
                ));
            }
            span.end();
        }
    }
}

/// A decision in progress, from [`Runtime::decision`].
#[must_use = "a decision dropped unfinished counts as an error"]
pub struct DecisionGuard<'a> {
    state: Option<DecisionState<'a>>,
    attached: Option<ContextGuard>,
}

impl DecisionGuard<'_> {
    /// Records the decision's verdict and status.
    pub fn finish(mut self, verdict: Verdict, status: DecisionStatus) {
        if let Some(state) = self.state.take() {
            state.finish((verdict, status), None);
        }
    }

    /// Records the decision from an output (see [`HasVerdict`]).
    pub fn finish_with<R: HasVerdict + ?Sized>(mut self, output: &R) {
        if let Some(state) = self.state.take() {
            state.finish(outcome_of(output), output.failure_message());
        }
    }

    /// Adds an attribute to the decision's span.
    pub fn set(&self, key: &'static str, value: impl Into<opentelemetry::Value>) {
        if let Some(cx) = self.state.as_ref().and_then(|s| s.cx.as_ref()) {
            cx.span().set_attribute(KeyValue::new(key, value));
        }
    }
}

impl Drop for DecisionGuard<'_> {
    fn drop(&mut self) {
        if let Some(state) = self.state.take() {
            state.finish(
                (Verdict::Escalate, DecisionStatus::Error),
                Some("the decision ended without a verdict".into()),
            );
        }
        self.attached.take();
    }
}

pin_project_lite::pin_project! {
    /// A decision as a future, from [`Runtime::decide_future`].
    #[must_use = "futures do nothing unless polled"]
    pub struct DecisionFuture<'a, F> {
        #[pin]
        inner: F,
        runtime: &'a Runtime,
        pipeline: &'static str,
        state: Option<DecisionState<'a>>,
    }

    impl<'a, F> PinnedDrop for DecisionFuture<'a, F> {
        fn drop(this: Pin<&mut Self>) {
            if let Some(state) = this.project().state.take() {
                let status = if std::thread::panicking() { DecisionStatus::Error } else { DecisionStatus::Timeout };
                state.finish((Verdict::Escalate, status), Some("the decision was dropped before its verdict".into()));
            }
        }
    }
}

impl<F> Future for DecisionFuture<'_, F>
where
    F: Future,
    F::Output: HasVerdict,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.project();
        let state = this
            .state
            .get_or_insert_with(|| DecisionState::start(this.runtime, this.pipeline));
        let _attached = state.cx.as_ref().map(|cx| cx.clone().attach());
        let inner = this.inner;
        match catch_unwind(AssertUnwindSafe(|| inner.poll(task))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => {
                if let Some(state) = this.state.take() {
                    state.finish(outcome_of(&output), output.failure_message());
                }
                Poll::Ready(output)
            }
            Err(panic) => {
                if let Some(state) = this.state.take() {
                    state.finish(
                        (Verdict::Escalate, DecisionStatus::Error),
                        Some("the decision panicked".into()),
                    );
                }
                resume_unwind(panic)
            }
        }
    }
}
