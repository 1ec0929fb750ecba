//! Traces: OTLP over HTTP/protobuf through a batch span processor, and the span guards the rest
//! of the crate opens (decision, critic, [`SpanGuard`]).
//!
//! The pipeline is `GateProcessor -> BatchSpanProcessor -> CountingExporter -> OTLP exporter ->
//! BlockingHttpClient`. The batch processor exports from its own thread, so no async runtime is
//! needed. The gate counts the spans between it and the exporter and drops a span (counting it in
//! `eje_trace_spans_dropped_total`) when the queue would overflow, so the batch processor never
//! drops one silently; the counting exporter adds the spans of a batch whose export failed.
//!
//! Architecture Invariant: a collector that is down or slow never blocks or crashes the
//! application: ending a span is a `try_send`, exports run on the processor's thread under
//! `export_timeout`, and shutdown is bounded by its timeout.

use std::borrow::Cow;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::{TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry::{Context, ContextGuard, Key, KeyValue, Value};
use opentelemetry_otlp::{Protocol, RetryPolicy, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::resource::Resource;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracer, SdkTracerProvider, Span, SpanData,
    SpanExporter, SpanProcessor,
};
use prometheus::IntCounter;

use crate::http_client::BlockingHttpClient;

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
    /// Bounds one export, retries included.
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

/// The tracer provider and the tracer the runtime's spans come from.
pub(crate) struct Tracing {
    provider: SdkTracerProvider,
    pub(crate) tracer: SdkTracer,
}

impl Tracing {
    pub(crate) fn otlp(config: &TraceConfig, dropped: IntCounter) -> Result<Tracing, crate::Error> {
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
            dropped,
        ))
    }

    pub(crate) fn with_exporter<E: SpanExporter + 'static>(
        exporter: E,
        service_name: &str,
        batch: BatchSettings,
        sample_ratio: f64,
        dropped: IntCounter,
    ) -> Tracing {
        let pending = Arc::new(AtomicUsize::new(0));
        let exporter = CountingExporter {
            inner: exporter,
            pending: pending.clone(),
            dropped: dropped.clone(),
        };
        let config = BatchConfigBuilder::default()
            .with_max_queue_size(batch.max_queue_size)
            .with_max_export_batch_size(batch.max_export_batch_size.min(batch.max_queue_size))
            .with_scheduled_delay(batch.scheduled_delay)
            .build();
        let processor = GateProcessor {
            inner: BatchSpanProcessor::new(exporter, config),
            pending,
            max_queue_size: batch.max_queue_size,
            dropped,
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
        Tracing { provider, tracer }
    }

    pub(crate) fn force_flush(&self) -> OTelSdkResult {
        self.provider.force_flush()
    }

    pub(crate) fn shutdown(&self, timeout: Duration) -> OTelSdkResult {
        self.provider.shutdown_with_timeout(timeout)
    }
}

/// Lets a span through to the batch processor only while the queue has room; counts the rest.
#[derive(Debug)]
struct GateProcessor {
    inner: BatchSpanProcessor,
    /// Spans handed to `inner` and not yet taken by an export.
    pending: Arc<AtomicUsize>,
    max_queue_size: usize,
    dropped: IntCounter,
}

impl SpanProcessor for GateProcessor {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        if self.pending.fetch_add(1, Ordering::AcqRel) >= self.max_queue_size {
            self.pending.fetch_sub(1, Ordering::AcqRel);
            self.dropped.inc();
            return;
        }
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Releases the gate's count when a batch leaves, and counts the spans of a failed export.
#[derive(Debug)]
struct CountingExporter<E> {
    inner: E,
    pending: Arc<AtomicUsize>,
    dropped: IntCounter,
}

impl<E: SpanExporter> SpanExporter for CountingExporter<E> {
    fn export(&self, batch: Vec<SpanData>) -> impl Future<Output = OTelSdkResult> + Send {
        let count = batch.len();
        let _ = self
            .pending
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |p| {
                Some(p.saturating_sub(count))
            });
        let export = self.inner.export(batch);
        let dropped = self.dropped.clone();
        async move {
            let result = export.await;
            if result.is_err() {
                dropped.inc_by(count as u64);
            }
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
