//! Tracking critic calls: the Rust form of the seed's `@track_critic_execution(critic_name=...)`.
//!
//! A [`CriticHandle`] is bound once per critic (by `Runtime::critic` or by the
//! `#[track_critic]` macro, in a `static`) and holds the resolved series, so a call hashes no
//! label and writes its calling thread's own cells with no locked instruction (`critic_series`).
//! Each call records `eje_critic_executions_total`, `eje_critic_duration_seconds`, then either
//! `eje_critic_verdicts_total{verdict}` or `eje_critic_failures_total{reason}`; with tracing on,
//! a child span of the current span.
//!
//! Failure reasons: an `Err` is `error` (or the reason a `CriticError` names), `None` is
//! `invalid_output`, a panic is `panic` (recorded, then resumed), and a call abandoned before it
//! answered (a dropped future, a guard dropped unfinished) is `timeout`.

use std::borrow::Cow;
use std::future::Future;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use opentelemetry::trace::{Status, TraceContextExt, Tracer};
use opentelemetry::{Context, ContextGuard, KeyValue};
use opentelemetry_sdk::trace::SdkTracer;
use sextant_catalog::eje::{FailureReason, Verdict};

use crate::clock;
use crate::log::{self, Level};
use crate::metrics::CriticSeries;
use crate::trace::attr;
use crate::verdict::HasVerdict;

/// A registered critic: its series, its name and the tracer of its spans (if tracing is on).
#[derive(Clone)]
pub struct CriticHandle {
    series: Arc<CriticSeries>,
    name: Cow<'static, str>,
    tracer: Option<SdkTracer>,
}

impl std::fmt::Debug for CriticHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CriticHandle")
            .field("name", &self.name)
            .field("label", &self.series.label)
            .field("traced", &self.tracer.is_some())
            .finish()
    }
}

impl CriticHandle {
    pub(crate) fn new(
        series: Arc<CriticSeries>,
        name: Cow<'static, str>,
        tracer: Option<SdkTracer>,
    ) -> Self {
        CriticHandle {
            series,
            name,
            tracer,
        }
    }

    /// The critic's name, as given (and as put on its spans).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The `critic` label value its series carry: the name, or the overflow value past the cap.
    pub fn label(&self) -> &str {
        &self.series.label
    }

    /// Whether calls open a span.
    pub fn is_traced(&self) -> bool {
        self.tracer.is_some()
    }

    /// Runs one call of the critic and records it. A panic is recorded as a failure with reason
    /// `panic`, then resumed.
    #[inline]
    pub fn track<R: HasVerdict>(&self, call: impl FnOnce() -> R) -> R {
        if let Some(tracer) = &self.tracer {
            return self.track_traced(tracer, call);
        }
        let start = clock::now();
        match catch_unwind(AssertUnwindSafe(call)) {
            Ok(output) => {
                self.record(
                    start,
                    output.verdict(),
                    None,
                    || output.failure_message(),
                    || output.confidence(),
                );
                output
            }
            Err(panic) => {
                self.record_panic(start, &*panic, None);
                resume_unwind(panic)
            }
        }
    }

    #[inline(never)]
    fn track_traced<R: HasVerdict>(&self, tracer: &SdkTracer, call: impl FnOnce() -> R) -> R {
        let cx = self.start_span(tracer);
        let _attached = cx.clone().attach();
        let start = clock::now();
        match catch_unwind(AssertUnwindSafe(call)) {
            Ok(output) => {
                self.record(
                    start,
                    output.verdict(),
                    Some(&cx),
                    || output.failure_message(),
                    || output.confidence(),
                );
                output
            }
            Err(panic) => {
                self.record_panic(start, &*panic, Some(&cx));
                resume_unwind(panic)
            }
        }
    }

    /// Wraps a future: the call is timed from its first poll to its output; a panic while
    /// polling is recorded and resumed; dropping it unfinished records a `timeout`. Needs no
    /// runtime: it only wraps `poll`.
    pub fn track_future<F>(&self, future: F) -> TrackedFuture<'_, F>
    where
        F: Future,
        F::Output: HasVerdict,
    {
        TrackedFuture {
            inner: future,
            handle: self,
            start: None,
            cx: None,
            done: false,
        }
    }

    /// Starts a call to finish by hand, for code that cannot be put in a closure. The guard
    /// makes the call's span current; drop it unfinished and the call counts as a `timeout`
    /// failure (a `panic` one if the thread is panicking).
    pub fn start(&self) -> CriticCall<'_> {
        let cx = self.tracer.as_ref().map(|tracer| self.start_span(tracer));
        let attached = cx.as_ref().map(|cx| cx.clone().attach());
        CriticCall {
            handle: self,
            start: clock::now(),
            cx,
            attached,
            done: false,
        }
    }

    fn start_span(&self, tracer: &SdkTracer) -> Context {
        let parent = Context::current();
        let span = tracer
            .span_builder(self.name.clone())
            .with_attributes([KeyValue::new(attr::CRITIC, self.name.clone())])
            .start_with_context(tracer, &parent);
        parent.with_span(span)
    }

    #[inline]
    fn record(
        &self,
        start: u64,
        outcome: Result<Verdict, FailureReason>,
        cx: Option<&Context>,
        message: impl FnOnce() -> Option<String>,
        confidence: impl FnOnce() -> Option<f64>,
    ) {
        self.series.record(clock::seconds_since(start), outcome);
        match outcome {
            Ok(verdict) => {
                if let Some(cx) = cx {
                    let span = cx.span();
                    span.set_attribute(KeyValue::new(attr::VERDICT, verdict.as_str()));
                    if let Some(confidence) = confidence() {
                        span.set_attribute(KeyValue::new(attr::CONFIDENCE, confidence));
                    }
                    span.end();
                }
            }
            Err(reason) => self.report_failure(reason, message(), cx),
        }
    }

    /// Logs a failure (already counted) and ends the call's span with it.
    #[cold]
    fn report_failure(&self, reason: FailureReason, message: Option<String>, cx: Option<&Context>) {
        let message = message.unwrap_or_else(|| reason.as_str().to_string());
        log::emit(
            Level::Warn,
            "critic call failed",
            &[
                ("critic", self.name.as_ref().into()),
                ("reason", reason.as_str().into()),
                ("error", message.as_str().into()),
            ],
        );
        if let Some(cx) = cx {
            let span = cx.span();
            span.set_attribute(KeyValue::new(attr::FAILURE_REASON, reason.as_str()));
            span.set_status(Status::error(message));
            span.end();
        }
    }

    #[cold]
    fn record_panic(&self, start: u64, panic: &(dyn std::any::Any + Send), cx: Option<&Context>) {
        let reason = FailureReason::Panic;
        self.series.record(clock::seconds_since(start), Err(reason));
        let text = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string());
        self.report_failure(reason, Some(format!("panicked: {text}")), cx);
    }

    #[cold]
    fn record_abandoned(&self, start: u64, cx: Option<&Context>) {
        let reason = if std::thread::panicking() {
            FailureReason::Panic
        } else {
            FailureReason::Timeout
        };
        self.series.record(clock::seconds_since(start), Err(reason));
        self.report_failure(
            reason,
            Some("the call ended before the critic answered".into()),
            cx,
        );
    }
}

/// A critic call in progress, from [`CriticHandle::start`].
#[must_use = "a call dropped unfinished counts as a timeout"]
pub struct CriticCall<'a> {
    handle: &'a CriticHandle,
    start: u64,
    cx: Option<Context>,
    attached: Option<ContextGuard>,
    done: bool,
}

impl CriticCall<'_> {
    /// Records the call's output.
    pub fn finish<R: HasVerdict + ?Sized>(mut self, output: &R) {
        self.done = true;
        self.handle.record(
            self.start,
            output.verdict(),
            self.cx.as_ref(),
            || output.failure_message(),
            || output.confidence(),
        );
    }

    /// Records the call as failed for `reason`.
    pub fn fail(mut self, reason: FailureReason, message: impl Into<String>) {
        self.done = true;
        self.handle
            .series
            .record(clock::seconds_since(self.start), Err(reason));
        self.handle
            .report_failure(reason, Some(message.into()), self.cx.as_ref());
    }
}

impl Drop for CriticCall<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.handle.record_abandoned(self.start, self.cx.as_ref());
        }
        // The span ended above; leave its context only now, so the failure log carried its ids.
        self.attached.take();
    }
}

pin_project_lite::pin_project! {
    /// A critic call as a future, from [`CriticHandle::track_future`].
    #[must_use = "futures do nothing unless polled"]
    pub struct TrackedFuture<'a, F> {
        #[pin]
        inner: F,
        handle: &'a CriticHandle,
        start: Option<u64>,
        cx: Option<Context>,
        done: bool,
    }

    impl<'a, F> PinnedDrop for TrackedFuture<'a, F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let (Some(start), false) = (*this.start, *this.done) {
                let _attached = this.cx.as_ref().map(|cx| cx.clone().attach());
                this.handle.record_abandoned(start, this.cx.as_ref());
            }
        }
    }
}

impl<F> Future for TrackedFuture<'_, F>
where
    F: Future,
    F::Output: HasVerdict,
{
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, task: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.project();
        if this.done.to_owned() {
            panic!("TrackedFuture polled after completion");
        }
        let start = *this.start.get_or_insert_with(clock::now);
        if this.cx.is_none() {
            if let Some(tracer) = &this.handle.tracer {
                *this.cx = Some(this.handle.start_span(tracer));
            }
        }
        let _attached = this.cx.as_ref().map(|cx| cx.clone().attach());
        let inner = this.inner;
        match catch_unwind(AssertUnwindSafe(|| inner.poll(task))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => {
                *this.done = true;
                this.handle.record(
                    start,
                    output.verdict(),
                    this.cx.as_ref(),
                    || output.failure_message(),
                    || output.confidence(),
                );
                Poll::Ready(output)
            }
            Err(panic) => {
                *this.done = true;
                this.handle.record_panic(start, &*panic, this.cx.as_ref());
                resume_unwind(panic)
            }
        }
    }
}
