//! EJE's instrumentation, the Rust form of the seed's monitoring patterns:
//!
//! - **Metrics** ([`Metrics`]): every `Instrumented` metric of the shared catalog registered with
//!   `prometheus`, help and buckets from the catalog, label values typed by its enums, the
//!   `critic` label capped, every closed-domain series at zero from the start; served on
//!   `/metrics` by [`MetricsServer`] (hyper, on a tokio runtime of its own), or by the
//!   application's own server through [`handlers`].
//! - **Critics** ([`CriticHandle`], `#[track_critic("bias_critic")]`): count, latency, failure
//!   by bounded reason (an `Err` or a panic), verdict; sync and async.
//! - **Traces** ([`TraceConfig`], `#[trace_decision("main_pipeline")]`, [`span!`]): a decision
//!   span with a child span per critic, exported over OTLP/HTTP by a batch processor on its own
//!   thread (no async runtime), every span accounted for: exported or dropped with a reason.
//! - **Logs** ([`log`]): JSON lines with the current `trace_id` and `span_id`.
//!
//! ```no_run
//! use eje_runtime::{track_critic, CriticOutput, Runtime, TraceConfig, Verdict};
//!
//! #[track_critic("bias_critic")]
//! fn evaluate_bias(text: &str) -> CriticOutput {
//!     CriticOutput { verdict: Verdict::Approve, confidence: 0.9 }
//! }
//!
//! let runtime = Runtime::builder().otlp(TraceConfig::default()).build().unwrap();
//! let runtime = runtime.install().unwrap();
//! let server = runtime.serve(eje_runtime::DEFAULT_METRICS_ADDR, None).unwrap();
//! runtime.decide("main_pipeline", || evaluate_bias("some text"));
//! runtime.shutdown(std::time::Duration::from_secs(5)).unwrap();
//! server.shutdown();
//! ```
//!
//! Architecture Invariant: the application needs no async runtime (the metrics server brings its
//! own, on its own threads; the span export is a blocking client on the exporter's thread), and
//! no caller can grow the number of series: every label is a catalog enum or the capped critic
//! name.

mod clock;
pub mod critic;
mod critic_series;
pub mod demo;
pub mod handlers;
pub mod http_client;
pub mod log;
pub mod metrics;
mod runtime;
pub mod server;
pub mod trace;
pub mod verdict;

pub use critic::{CriticCall, CriticHandle, TrackedFuture};
pub use eje_runtime_macros::{trace_decision, track_critic};
pub use metrics::{InFlight, Metrics};
pub use runtime::{global, DecisionFuture, DecisionGuard, Runtime, RuntimeBuilder};
pub use server::MetricsServer;
pub use sextant_catalog::eje::{
    ApiVersion, DecisionStatus, FailureReason, RequestStatus, SpanDropReason, UserType, Verdict,
};
pub use trace::{BatchSettings, SpanCounts, SpanGuard, TraceConfig, DEFAULT_OTLP_ENDPOINT};
pub use verdict::{CriticError, CriticOutput, HasVerdict};

/// The seed's metrics port, on loopback: serving every interface (`0.0.0.0:8000`, as in a
/// container) is a choice to make explicitly.
pub const DEFAULT_METRICS_ADDR: &str = "127.0.0.1:8000";

/// What can go wrong setting the runtime up.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The metrics server could not listen.
    Bind(String),
    /// The span export could not be set up, flushed or shut down.
    Trace(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Bind(message) => write!(f, "serving metrics: {message}"),
            Error::Trace(message) => write!(f, "tracing: {message}"),
        }
    }
}

impl std::error::Error for Error {}
