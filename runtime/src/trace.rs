//! Traces: OTLP over HTTP/protobuf through a batch span processor, and the span guards the rest
//! of the crate opens (decision, critic, [`SpanGuard`]).
//!
//! The pipeline is `GateProcessor -> BatchSpanProcessor -> CountingExporter -> OTLP exporter ->
//! BlockingHttpClient` (ureq). The batch processor exports from its own thread, so no async
//! runtime is needed.
//!
//! Every span that ends is accounted for in a [`Ledger`]: it is exported
//! (`eje_trace_spans_exported_total`), dropped with a reason (`eje_trace_spans_dropped_total`:
//! `queue_full` at the gate, `export_failed` with its batch, `shutdown` if still queued or in
//! flight when shutdown ends, or ended after it), or still queued. After shutdown,
//! ended = exported + dropped, exactly: a late answer of the collector changes nothing.
//!
//! Architecture Invariant: a collector that is down or slow never blocks or crashes the
//! application: ending a span is a `try_send`, exports run on the processor's thread under
//! `export_timeout`, and shutdown returns within its timeout.

use std::borrow::Cow;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use opentelemetry::trace::{TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry::{Context, ContextGuard, Key, KeyValue, Value};
use opentelemetry_otlp::{Protocol, RetryPolicy, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::resource::Resource;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracer, SdkTracerProvider, Span, SpanData,
    SpanExporter, SpanProcessor,
};
use prometheus::IntCounter;
use sextant_catalog::eje::SpanDropReason;

use crate::http_client::BlockingHttpClient;
use crate::log::{self, Level};
use crate::metrics::Metrics;

/// Span attribute keys.
pub mod attr {
    /// The critic's name, on a critic span.
    pub const CRITIC: &str = "eje.critic";
    /// The pipeline's name, on a decision span.
    pub const DECISION: &str = "eje.decision";
    /// The verdict a critic or decision reached.
    pub const VERDICT: &str = "eje.verdict";
    /// How a decision ended (`DecisionStatus`).
    pub const STATUS: &str = "eje.status";
    /// The confidence a critic gave its verdict.
    pub const CONFIDENCE: &str = "eje.confidence";
    /// Why a critic call failed (`FailureReason`).
    pub const FAILURE_REASON: &str = "eje.failure_reason";
}

/// Where the seed's collector listens for OTLP over HTTP.
pub const DEFAULT_OTLP_ENDPOINT: &str = "http://localhost:4318/v1/traces";

/// At most one "span export failed" log line per this period (the others are counted in it).
pub const EXPORT_FAILURE_LOG_PERIOD: Duration = Duration::from_secs(10);

/// The batch span processor's sizes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchSettings {
    /// Spans waiting for export at most; past it new spans are dropped (and counted).
    pub max_queue_size: usize,
    /// Spans per export at most.
    pub max_export_batch_size: usize,
    /// The longest a span waits before its batch is exported.
    pub scheduled_delay: Duration,
}

impl Default for BatchSettings {
    fn default() -> Self {
        BatchSettings {
            max_queue_size: 2048,
            max_export_batch_size: 512,
            scheduled_delay: Duration::from_secs(5),
        }
    }
}

/// How spans are exported over OTLP.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceConfig {
    /// The full URL spans are posted to, path included (`http://host:4318/v1/traces`).
    pub endpoint: String,
    pub service_name: String,
    pub batch: BatchSettings,
    /// Bounds one exchange with the collector; retries stop once this much time has passed.
    pub export_timeout: Duration,
    /// Retries of a failed export (with backoff, within `export_timeout`).
    pub max_retries: usize,
    /// The share of new traces sampled, in `[0, 1]`; a child follows its parent.
    pub sample_ratio: f64,
}

impl Default for TraceConfig {
    fn default() -> Self {
        TraceConfig {
            endpoint: DEFAULT_OTLP_ENDPOINT.to_string(),
            service_name: "eje".to_string(),
            batch: BatchSettings::default(),
            export_timeout: Duration::from_secs(10),
            max_retries: 2,
            sample_ratio: 1.0,
        }
    }
}

/// Where the spans ended so far are (see [`crate::Runtime::span_counts`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SpanCounts {
    /// Spans ended (sampled spans only: an unsampled span is never recorded).
    pub ended: u64,
    /// Spans the collector accepted.
    pub exported: u64,
    /// Spans dropped, by [`SpanDropReason`] (indexed by `SpanDropReason::index`).
    pub dropped: [u64; SpanDropReason::ALL.len()],
}

impl SpanCounts {
    /// Spans dropped for any reason.
    pub fn dropped_total(&self) -> u64 {
        self.dropped.iter().sum()
    }

    pub fn dropped(&self, reason: SpanDropReason) -> u64 {
        self.dropped[reason.index()]
    }

    /// Spans neither exported nor dropped yet: queued or in an export. 0 after shutdown.
    pub fn outstanding(&self) -> i64 {
        self.ended as i64 - self.exported as i64 - self.dropped_total() as i64
    }
}

/// Set in [`Ledger::pending`] once shutdown has settled the accounts.
const CLOSED: usize = 1 << (usize::BITS - 1);

/// The accounts of every span ended: exported, dropped by reason, or outstanding.
pub(crate) struct Ledger {
    ended: AtomicU64,
    /// Spans let through to the batch processor and not yet taken by an export (low bits), and
    /// [`CLOSED`] once settled: one atomic, so a span is either counted here or refused.
    pending: AtomicUsize,
    in_flight: Mutex<InFlightExports>,
    max_queue_size: usize,
    exported: IntCounter,
    dropped: [IntCounter; SpanDropReason::ALL.len()],
    failures: Mutex<FailureLog>,
}

#[derive(Default)]
struct InFlightExports {
    spans: usize,
    settled: bool,
}

#[derive(Default)]
struct FailureLog {
    last: Option<Instant>,
    batches: u64,
    spans: u64,
}

impl FailureLog {
    /// Notes a failed batch of `spans`; the batches and spans a line should report now, if one
    /// is due (the first failure, then one per period, covering the failures since the last).
    fn note(&mut self, spans: usize, now: Instant) -> Option<(u64, u64)> {
        self.batches += 1;
        self.spans += spans as u64;
        if self
            .last
            .is_some_and(|last| now.duration_since(last) < EXPORT_FAILURE_LOG_PERIOD)
        {
            return None;
        }
        let due = (self.batches, self.spans);
        *self = FailureLog {
            last: Some(now),
            ..FailureLog::default()
        };
        Some(due)
    }
}

impl Ledger {
    pub(crate) fn new(metrics: &Metrics, max_queue_size: usize) -> Ledger {
        Ledger {
            ended: AtomicU64::new(0),
            pending: AtomicUsize::new(0),
            in_flight: Mutex::new(InFlightExports::default()),
            max_queue_size,
            exported: metrics.spans_exported().clone(),
            dropped: std::array::from_fn(|i| metrics.spans_dropped(SpanDropReason::ALL[i]).clone()),
            failures: Mutex::new(FailureLog::default()),
        }
    }

    fn drop_spans(&self, reason: SpanDropReason, count: usize) {
        self.dropped[reason.index()].inc_by(count as u64);
    }

    /// Counts a span that ended; whether the gate lets it through to the batch processor.
    fn admit(&self) -> bool {
        self.ended.fetch_add(1, Ordering::Relaxed);
        let before = self.pending.fetch_add(1, Ordering::AcqRel);
        if before & CLOSED != 0 {
            self.drop_spans(SpanDropReason::Shutdown, 1);
            return false;
        }
        if before >= self.max_queue_size {
            let now = self.pending.fetch_sub(1, Ordering::AcqRel);
            // If shutdown settled in between, it counted this span already.
            if now & CLOSED == 0 {
                self.drop_spans(SpanDropReason::QueueFull, 1);
            }
            return false;
        }
        true
    }

    /// Moves a batch from pending to in flight; `false` once settled (the batch was counted).
    fn start_export(&self, count: usize) -> bool {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        if in_flight.settled {
            return false;
        }
        self.pending.fetch_sub(count, Ordering::AcqRel);
        in_flight.spans += count;
        true
    }

    fn finish_export(&self, count: usize, result: &OTelSdkResult) {
        {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            if in_flight.settled {
                return;
            }
            in_flight.spans -= count;
            match result {
                Ok(()) => self.exported.inc_by(count as u64),
                Err(_) => self.drop_spans(SpanDropReason::ExportFailed, count),
            }
        }
        if let Err(error) = result {
            self.log_failure(count, error);
        }
    }

    /// One line per [`EXPORT_FAILURE_LOG_PERIOD`] at most, with what it stands for.
    fn log_failure(&self, count: usize, error: &OTelSdkError) {
        let due = self
            .failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .note(count, Instant::now());
        if let Some((batches, spans)) = due {
            crate::log!(
                Level::Warn,
                "span export failed",
                error = error.to_string(),
                batches = batches,
                spans_dropped = spans,
                period_s = EXPORT_FAILURE_LOG_PERIOD.as_secs(),
            );
        }
    }

    /// Closes the accounts: whatever is still pending or in flight is dropped for `shutdown`,
    /// as is any span that ends later. Idempotent.
    fn settle(&self) {
        let left = {
            let mut in_flight = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            if in_flight.settled {
                return;
            }
            in_flight.settled = true;
            let pending = self.pending.fetch_or(CLOSED, Ordering::AcqRel) & !CLOSED;
            let left = pending + std::mem::take(&mut in_flight.spans);
            self.drop_spans(SpanDropReason::Shutdown, left);
            left
        };
        if left > 0 && log::enabled(Level::Warn) {
            crate::log!(
                Level::Warn,
                "spans dropped at shutdown",
                spans_dropped = left as u64,
                reason = "still queued or in an export when the shutdown timeout ended",
            );
        }
    }

    pub(crate) fn counts(&self) -> SpanCounts {
        SpanCounts {
            ended: self.ended.load(Ordering::Acquire),
            exported: self.exported.get(),
            dropped: std::array::from_fn(|i| self.dropped[i].get()),
        }
    }
}

/// The tracer provider and the tracer the runtime's spans come from.
pub(crate) struct Tracing {
    provider: SdkTracerProvider,
    pub(crate) tracer: SdkTracer,
    pub(crate) ledger: Arc<Ledger>,
}

impl Tracing {
    pub(crate) fn otlp(config: &TraceConfig, metrics: &Metrics) -> Result<Tracing, crate::Error> {
        if !config.endpoint.starts_with("http://") {
            return Err(crate::Error::Trace(format!(
                "unsupported endpoint {}: only http:// is supported, put a local collector in front of a TLS one",
                config.endpoint
            )));
        }
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_http_client(BlockingHttpClient::new(config.export_timeout))
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(config.endpoint.clone())
            .with_timeout(config.export_timeout)
            .with_retry_policy(RetryPolicy::recommended().with_max_retries(config.max_retries))
            .build()
            .map_err(|e| {
                crate::Error::Trace(format!(
                    "building the OTLP exporter for {}: {e}",
                    config.endpoint
                ))
            })?;
        Ok(Self::with_exporter(
            exporter,
            &config.service_name,
            config.batch,
            config.sample_ratio,
            metrics,
        ))
    }

    pub(crate) fn with_exporter<E: SpanExporter + 'static>(
        exporter: E,
        service_name: &str,
        batch: BatchSettings,
        sample_ratio: f64,
        metrics: &Metrics,
    ) -> Tracing {
        let ledger = Arc::new(Ledger::new(metrics, batch.max_queue_size));
        let exporter = CountingExporter {
            inner: exporter,
            ledger: ledger.clone(),
        };
        let config = BatchConfigBuilder::default()
            .with_max_queue_size(batch.max_queue_size)
            .with_max_export_batch_size(batch.max_export_batch_size.min(batch.max_queue_size))
            .with_scheduled_delay(batch.scheduled_delay)
            .build();
        let processor = GateProcessor {
            inner: BatchSpanProcessor::new(exporter, config),
            ledger: ledger.clone(),
        };
        let sampler = if sample_ratio >= 1.0 {
            Sampler::ParentBased(Box::new(Sampler::AlwaysOn))
        } else {
            Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(sample_ratio.max(0.0))))
        };
        let provider = SdkTracerProvider::builder()
            .with_span_processor(processor)
            .with_sampler(sampler)
            .with_resource(
                Resource::builder()
                    .with_service_name(service_name.to_string())
                    .build(),
            )
            .build();
        let tracer = provider.tracer("eje-runtime");
        Tracing {
            provider,
            tracer,
            ledger,
        }
    }

    pub(crate) fn force_flush(&self) -> OTelSdkResult {
        self.provider.force_flush()
    }

    /// Flushes within `timeout`, then settles the accounts (see [`Ledger::settle`]).
    pub(crate) fn shutdown(&self, timeout: Duration) -> OTelSdkResult {
        let result = self.provider.shutdown_with_timeout(timeout);
        // The processor settles on its shutdown; this covers a provider already shut down.
        self.ledger.settle();
        result
    }
}

/// Lets a span through to the batch processor only while the queue has room and shutdown has
/// not settled; the ledger counts the rest.
struct GateProcessor {
    inner: BatchSpanProcessor,
    ledger: Arc<Ledger>,
}

impl std::fmt::Debug for GateProcessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GateProcessor").finish_non_exhaustive()
    }
}

impl SpanProcessor for GateProcessor {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        if self.ledger.admit() {
            self.inner.on_end(span);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        let result = self.inner.shutdown_with_timeout(timeout);
        self.ledger.settle();
        result
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Moves each batch through the ledger: in flight, then exported or failed.
struct CountingExporter<E> {
    inner: E,
    ledger: Arc<Ledger>,
}

impl<E> std::fmt::Debug for CountingExporter<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountingExporter").finish_non_exhaustive()
    }
}

impl<E: SpanExporter> SpanExporter for CountingExporter<E> {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        let count = batch.len();
        let started = self.ledger.start_export(count);
        // After settling, the batch was counted as dropped: do not spend time sending it.
        let export = started.then(|| self.inner.export(batch));
        let ledger = self.ledger.clone();
        async move {
            let Some(export) = export else {
                return Err(OTelSdkError::AlreadyShutdown);
            };
            let result = export.await;
            ledger.finish_export(count, &result);
            result
        }
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// A span that is current until dropped, when it ends: the seed's
/// `with trace_span("database_lookup", query_type="precedent"):`. Without tracing it is inert.
#[must_use = "the span ends when the guard drops"]
pub struct SpanGuard {
    cx: Option<Context>,
    _attached: Option<ContextGuard>,
}

impl SpanGuard {
    pub(crate) fn start(
        tracer: Option<&SdkTracer>,
        name: impl Into<Cow<'static, str>>,
    ) -> SpanGuard {
        let Some(tracer) = tracer else {
            return SpanGuard::inert();
        };
        let parent = Context::current();
        let span = tracer
            .span_builder(name)
            .start_with_context(tracer, &parent);
        let cx = parent.with_span(span);
        let attached = cx.clone().attach();
        SpanGuard {
            cx: Some(cx),
            _attached: Some(attached),
        }
    }

    /// A guard that records nothing.
    pub fn inert() -> SpanGuard {
        SpanGuard {
            cx: None,
            _attached: None,
        }
    }

    /// Adds an attribute, builder style.
    pub fn with(self, key: impl Into<Key>, value: impl Into<Value>) -> Self {
        self.set(key, value);
        self
    }

    /// Adds an attribute.
    pub fn set(&self, key: impl Into<Key>, value: impl Into<Value>) {
        if let Some(cx) = &self.cx {
            cx.span().set_attribute(KeyValue::new(key, value));
        }
    }

    /// The span's context (with the span), if tracing is on.
    pub fn context(&self) -> Option<&Context> {
        self.cx.as_ref()
    }
}

impl Drop for SpanGuard {
    fn drop(&mut self) {
        if let Some(cx) = &self.cx {
            cx.span().end();
        }
    }
}

/// Opens a span on the global runtime, current until the guard drops:
/// `let _s = eje_runtime::span!("database_lookup", query_type = "precedent");`
#[macro_export]
macro_rules! span {
    ($name:expr $(, $key:ident = $value:expr)* $(,)?) => {
        $crate::global().span($name)$(.with(stringify!($key), $value))*
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_failures_log_once_per_period_with_what_the_line_stands_for() {
        let mut log = FailureLog::default();
        let t0 = Instant::now();
        let second = Duration::from_secs(1);
        assert_eq!(
            log.note(16, t0),
            Some((1, 16)),
            "the first failure is logged"
        );
        assert_eq!(log.note(16, t0 + second), None);
        assert_eq!(log.note(8, t0 + 2 * second), None);
        assert_eq!(
            log.note(4, t0 + EXPORT_FAILURE_LOG_PERIOD),
            Some((3, 28)),
            "one line for the three failures since the last"
        );
        assert_eq!(log.note(1, t0 + EXPORT_FAILURE_LOG_PERIOD + second), None);
    }

    #[test]
    fn the_ledger_counts_each_span_once_whatever_the_order() {
        let metrics = Metrics::with_process_collector(false);
        let ledger = Ledger::new(&metrics, 4);
        let admitted = (0..6).filter(|_| ledger.admit()).count();
        assert_eq!(admitted, 4, "two past the queue");
        assert!(ledger.start_export(2));
        ledger.finish_export(2, &Ok(()));
        assert!(ledger.start_export(1));
        ledger.finish_export(1, &Err(OTelSdkError::InternalFailure("refused".into())));
        // One span still queued, one batch in flight when shutdown settles.
        assert!(ledger.admit());
        assert!(ledger.start_export(1));
        ledger.settle();
        // The late answer, a batch after settling, a span ended after: counted once each.
        ledger.finish_export(1, &Ok(()));
        assert!(!ledger.start_export(1));
        assert!(!ledger.admit());
        ledger.settle();
        let counts = ledger.counts();
        assert_eq!(counts.ended, 8);
        assert_eq!(counts.exported, 2);
        assert_eq!(counts.dropped(SpanDropReason::QueueFull), 2);
        assert_eq!(counts.dropped(SpanDropReason::ExportFailed), 1);
        // The queued one, the one in flight, the one ended after settling.
        assert_eq!(counts.dropped(SpanDropReason::Shutdown), 3);
        assert_eq!(counts.outstanding(), 0);
    }
}
