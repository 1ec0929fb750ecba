//! The catalog's instrumented metrics, registered with `prometheus` and bound to typed handles.
//!
//! Every family comes from `sextant_catalog::eje::CATALOG` (name, help, kind, labels, buckets):
//! nothing is written twice. Label values are typed by the catalog's enums; the one open label,
//! `critic`, is capped ([`eje::CRITIC_CAP`]) and overflows to [`eje::CRITIC_OVERFLOW`], counted by
//! `eje_label_overflow_total{label="critic"}`.
//!
//! Architecture Invariant: every series of a closed domain exists (at zero) from construction,
//! and every series of a registered critic exists from its registration, so a ratio over two
//! series never divides by an absent one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use prometheus::core::Collector;
use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use sextant_catalog::eje::{
    self, ApiVersion, DecisionStatus, RequestStatus, SpanDropReason, UserType, Verdict,
};
use sextant_catalog::{Domain, Kind, Metric};

pub(crate) use crate::critic_series::CriticSeries;
use crate::critic_series::{CriticCollector, FAMILIES as CRITIC_FAMILIES};

/// One registered family of any kind.
#[derive(Clone)]
enum Family {
    Counter(IntCounterVec),
    Gauge(IntGaugeVec),
    Histogram(HistogramVec),
}

impl Family {
    fn build(metric: &'static Metric) -> Family {
        let labels: Vec<&str> = metric.labels.iter().map(|l| l.name).collect();
        let built = match metric.kind {
            Kind::Counter => IntCounterVec::new(Opts::new(metric.name, metric.help), &labels)
                .map(Family::Counter),
            Kind::Gauge => {
                IntGaugeVec::new(Opts::new(metric.name, metric.help), &labels).map(Family::Gauge)
            }
            Kind::Histogram => HistogramVec::new(
                HistogramOpts::new(metric.name, metric.help).buckets(metric.buckets.to_vec()),
                &labels,
            )
            .map(Family::Histogram),
        };
        built.unwrap_or_else(|e| {
            panic!(
                "catalog metric {} is not valid for prometheus: {e}",
                metric.name
            )
        })
    }

    fn collector(&self) -> Box<dyn Collector> {
        match self {
            Family::Counter(v) => Box::new(v.clone()),
            Family::Gauge(v) => Box::new(v.clone()),
            Family::Histogram(v) => Box::new(v.clone()),
        }
    }

    /// Creates the series for `values` (in the family's label order) if it does not exist.
    fn touch(&self, values: &[&str]) {
        match self {
            Family::Counter(v) => drop(v.with_label_values(values)),
            Family::Gauge(v) => drop(v.with_label_values(values)),
            Family::Histogram(v) => drop(v.with_label_values(values)),
        }
    }
}

struct CriticTable {
    by_name: HashMap<String, Arc<CriticSeries>>,
    overflow: Arc<CriticSeries>,
}

impl CriticTable {
    /// Every critic's series, the overflow's included.
    fn all(&self) -> Vec<Arc<CriticSeries>> {
        let mut all: Vec<Arc<CriticSeries>> = self.by_name.values().cloned().collect();
        all.push(self.overflow.clone());
        all
    }
}

/// The EJE metrics of one process (or one test): a `prometheus::Registry` holding every
/// instrumented catalog metric and the process collector, and typed handles into it.
///
/// Cloning is cheap and shares the series.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Registry,
    families: HashMap<&'static str, Family>,
    critics: Arc<Mutex<CriticTable>>,
    critic_cap: usize,
    label_overflow: IntCounter,
    decisions: Vec<IntCounter>,
    decision_duration: Histogram,
    in_flight: IntGauge,
    capacity: IntGauge,
    requests: Vec<IntCounter>,
    spans_dropped: [IntCounter; SpanDropReason::ALL.len()],
    spans_exported: IntCounter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("families", &self.inner.families.len())
            .finish_non_exhaustive()
    }
}

impl Metrics {
    /// Registers every `Origin::Instrumented` metric of the catalog in a new registry, with
    /// every closed-domain series at zero and the catalog's known critics registered.
    ///
    /// Panics only if the catalog itself is invalid for prometheus (a duplicate or malformed
    /// name), which the catalog's own tests rule out.
    pub fn new() -> Metrics {
        Self::with_process_collector(true)
    }

    /// As [`Metrics::new`], choosing whether the `process_*` collector is registered (a bench or
    /// a test that encodes many times may leave it out: it reads `/proc` on every scrape).
    pub fn with_process_collector(process: bool) -> Metrics {
        crate::clock::init();
        let registry = Registry::new();
        let mut families = HashMap::new();
        for metric in eje::CATALOG.instrumented() {
            if metric.label(eje::CRITIC.name).is_some() {
                // Written per thread and summed on scrape: see `critic_series`.
                assert!(
                    CRITIC_FAMILIES.iter().any(|m| m.name == metric.name),
                    "{} has a critic label but no place in critic_series::FAMILIES",
                    metric.name
                );
                continue;
            }
            let family = Family::build(metric);
            registry
                .register(family.collector())
                .unwrap_or_else(|e| panic!("registering {}: {e}", metric.name));
            for values in closed_combinations(metric) {
                family.touch(&values);
            }
            families.insert(metric.name, family);
        }
        if process {
            register_process_collector(&registry);
        }

        let counter = |metric: &'static Metric, labels: &[(&str, &str)]| -> IntCounter {
            match families.get(metric.name) {
                Some(Family::Counter(v)) => v.with_label_values(&ordered(metric, labels)),
                _ => panic!("{} is not a registered counter", metric.name),
            }
        };
        let gauge = |metric: &'static Metric| -> IntGauge {
            match families.get(metric.name) {
                Some(Family::Gauge(v)) => v.with_label_values(&[] as &[&str]),
                _ => panic!("{} is not a registered gauge", metric.name),
            }
        };

        let mut decisions = Vec::new();
        for verdict in Verdict::ALL {
            for status in DecisionStatus::ALL {
                decisions.push(counter(
                    &eje::DECISIONS_TOTAL,
                    &[
                        (eje::VERDICT.name, verdict.as_str()),
                        (eje::STATUS.name, status.as_str()),
                    ],
                ));
            }
        }
        let mut requests = Vec::new();
        for user in UserType::ALL {
            for api in ApiVersion::ALL {
                for status in RequestStatus::ALL {
                    requests.push(counter(
                        &eje::REQUESTS_TOTAL,
                        &[
                            (eje::USER_TYPE.name, user.as_str()),
                            (eje::API_VERSION.name, api.as_str()),
                            (eje::REQUEST_STATUS.name, status.as_str()),
                        ],
                    ));
                }
            }
        }
        let decision_duration = match families.get(eje::DECISION_DURATION_SECONDS.name) {
            Some(Family::Histogram(v)) => v.with_label_values(&[] as &[&str]),
            _ => panic!(
                "{} is not a registered histogram",
                eje::DECISION_DURATION_SECONDS.name
            ),
        };
        let label_overflow = counter(
            &eje::LABEL_OVERFLOW_TOTAL,
            &[(eje::OVERFLOW_LABEL.name, eje::CRITIC.name)],
        );
        let spans_dropped = std::array::from_fn(|i| {
            counter(
                &eje::SPANS_DROPPED_TOTAL,
                &[(eje::SPAN_DROP_REASON.name, SpanDropReason::ALL[i].as_str())],
            )
        });
        let spans_exported = counter(&eje::SPANS_EXPORTED_TOTAL, &[]);
        let in_flight = gauge(&eje::DECISIONS_IN_FLIGHT);
        let capacity = gauge(&eje::DECISION_CAPACITY);

        let (critic_cap, known, overflow_value) = match eje::CRITIC.domain {
            Domain::Registered {
                known,
                cap,
                overflow,
            } => (cap, known, overflow),
            Domain::Closed(_) | Domain::Open { .. } => {
                panic!("the critic label is expected to be a registered domain")
            }
        };
        let critics = Arc::new(Mutex::new(CriticTable {
            by_name: HashMap::new(),
            overflow: Arc::new(CriticSeries::new(overflow_value, critic_cap)),
        }));
        let table = critics.clone();
        registry
            .register(Box::new(CriticCollector::new(move || {
                table.lock().unwrap_or_else(|e| e.into_inner()).all()
            })))
            .unwrap_or_else(|e| panic!("registering the critics' collector: {e}"));
        let metrics = Metrics {
            inner: Arc::new(Inner {
                registry,
                families,
                critics,
                critic_cap,
                label_overflow,
                decisions,
                decision_duration,
                in_flight,
                capacity,
                requests,
                spans_dropped,
                spans_exported,
            }),
        };
        for name in known {
            metrics.critic_series(name);
        }
        metrics
    }

    /// The registry to gather from (for a custom exporter, or to add collectors).
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// The text exposition of every series, as served on `/metrics`.
    pub fn encode(&self) -> Vec<u8> {
        encode(&self.inner.registry)
    }

    /// The series of the critic `name`, registering it if new. Past the cap, the overflow
    /// series is returned and `eje_label_overflow_total{label="critic"}` counts the refusal.
    pub(crate) fn critic_series(&self, name: &str) -> Arc<CriticSeries> {
        let mut table = self.inner.critics.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(series) = table.by_name.get(name) {
            return series.clone();
        }
        if name == table.overflow.label {
            return table.overflow.clone();
        }
        if table.by_name.len() >= self.inner.critic_cap {
            self.inner.label_overflow.inc();
            return table.overflow.clone();
        }
        let series = Arc::new(CriticSeries::new(name, table.by_name.len()));
        table.by_name.insert(name.to_string(), series.clone());
        series
    }

    /// The critic names registered so far (the overflow value aside), sorted.
    pub fn registered_critics(&self) -> Vec<String> {
        let table = self.inner.critics.lock().unwrap_or_else(|e| e.into_inner());
        let mut names: Vec<String> = table.by_name.keys().cloned().collect();
        names.sort();
        names
    }

    /// `eje_decisions_total{verdict, status}`.
    pub fn decisions(&self, verdict: Verdict, status: DecisionStatus) -> &IntCounter {
        &self.inner.decisions[verdict.index() * DecisionStatus::ALL.len() + status.index()]
    }

    /// `eje_decision_duration_seconds`.
    pub fn decision_duration(&self) -> &Histogram {
        &self.inner.decision_duration
    }

    /// Counts one decision and observes its latency.
    pub fn record_decision(&self, verdict: Verdict, status: DecisionStatus, seconds: f64) {
        self.decisions(verdict, status).inc();
        self.inner.decision_duration.observe(seconds);
    }

    /// `eje_decisions_in_flight`; prefer [`Metrics::in_flight`], which cannot forget to decrement.
    pub fn in_flight_gauge(&self) -> &IntGauge {
        &self.inner.in_flight
    }

    /// Counts a decision in flight until the guard drops.
    pub fn in_flight(&self) -> InFlight {
        self.inner.in_flight.inc();
        InFlight {
            gauge: self.inner.in_flight.clone(),
        }
    }

    /// Sets `eje_decision_capacity`: the most decisions processed at once.
    pub fn set_capacity(&self, capacity: i64) {
        self.inner.capacity.set(capacity);
    }

    /// `eje_requests_total{user_type, api_version, status}`.
    pub fn requests(&self, user: UserType, api: ApiVersion, status: RequestStatus) -> &IntCounter {
        let index = (user.index() * ApiVersion::ALL.len() + api.index()) * RequestStatus::ALL.len()
            + status.index();
        &self.inner.requests[index]
    }

    /// Counts one request.
    pub fn record_request(&self, user: UserType, api: ApiVersion, status: RequestStatus) {
        self.requests(user, api, status).inc();
    }

    /// `eje_trace_spans_dropped_total{reason}`.
    pub fn spans_dropped(&self, reason: SpanDropReason) -> &IntCounter {
        &self.inner.spans_dropped[reason.index()]
    }

    /// `eje_trace_spans_dropped_total`, every reason.
    pub fn spans_dropped_total(&self) -> u64 {
        self.inner.spans_dropped.iter().map(IntCounter::get).sum()
    }

    /// `eje_trace_spans_exported_total`.
    pub fn spans_exported(&self) -> &IntCounter {
        &self.inner.spans_exported
    }

    /// `eje_label_overflow_total{label="critic"}`.
    pub fn critic_label_overflow(&self) -> &IntCounter {
        &self.inner.label_overflow
    }
}

/// Decrements `eje_decisions_in_flight` on drop.
#[derive(Debug)]
pub struct InFlight {
    gauge: IntGauge,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.gauge.dec();
    }
}

/// Encodes the registry in the Prometheus text format (version 0.0.4).
pub fn encode(registry: &Registry) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 * 1024);
    // Encoding into a Vec fails only on an invalid family, which registration has ruled out.
    if let Err(e) = TextEncoder::new().encode(&registry.gather(), &mut out) {
        out.extend_from_slice(format!("# encoding failed: {e}\n").as_bytes());
    }
    out
}

/// The content type of [`encode`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(target_os = "linux")]
fn register_process_collector(registry: &Registry) {
    let collector = prometheus::process_collector::ProcessCollector::for_self();
    // Fails only if registered twice in one registry, which `Metrics::new` never does.
    let _ = registry.register(Box::new(collector));
}

#[cfg(not(target_os = "linux"))]
fn register_process_collector(_registry: &Registry) {}

/// Label values in the metric's label order, from `(name, value)` pairs.
fn ordered<'a>(metric: &Metric, labels: &[(&str, &'a str)]) -> Vec<&'a str> {
    assert_eq!(
        metric.labels.len(),
        labels.len(),
        "{} takes labels {:?}",
        metric.name,
        metric.labels.iter().map(|l| l.name).collect::<Vec<_>>()
    );
    metric
        .labels
        .iter()
        .map(|label| {
            labels
                .iter()
                .find(|(name, _)| *name == label.name)
                .map(|(_, value)| *value)
                .unwrap_or_else(|| panic!("{} needs label {}", metric.name, label.name))
        })
        .collect()
}

/// Every combination of values of a metric whose labels are all closed (one empty combination
/// for a metric without labels); none if a label is registered (the critics' series are made by
/// `critic_series`).
pub(crate) fn closed_combinations(metric: &Metric) -> Vec<Vec<&'static str>> {
    let mut out: Vec<Vec<&'static str>> = vec![Vec::new()];
    for label in metric.labels {
        let values: Vec<&'static str> = match label.domain {
            Domain::Closed(values) => values.to_vec(),
            Domain::Registered { .. } => return Vec::new(),
            // No value is known before the application uses one: nothing to create up front.
            Domain::Open { .. } => return Vec::new(),
        };
        out = out
            .into_iter()
            .flat_map(|prefix| {
                values.iter().map(move |v| {
                    let mut next = prefix.clone();
                    next.push(*v);
                    next
                })
            })
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_combinations(metric: &Metric, expect: usize) {
        assert_eq!(closed_combinations(metric).len(), expect, "{}", metric.name);
    }

    #[test]
    fn combinations_multiply_closed_domains() {
        check_combinations(&eje::DECISIONS_TOTAL, 9);
        check_combinations(&eje::REQUESTS_TOTAL, 24);
        check_combinations(&eje::DECISIONS_IN_FLIGHT, 1);
        check_combinations(&eje::CRITIC_FAILURES_TOTAL, 0);
    }

    #[test]
    fn typed_handles_write_the_series_they_name() {
        let m = Metrics::with_process_collector(false);
        m.decisions(Verdict::Reject, DecisionStatus::Timeout).inc();
        m.record_request(
            UserType::Premium,
            ApiVersion::V2,
            RequestStatus::ClientError,
        );
        let text = String::from_utf8(m.encode()).unwrap();
        assert!(
            text.contains("eje_decisions_total{status=\"timeout\",verdict=\"REJECT\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "eje_requests_total{api_version=\"v2\",status=\"4xx\",user_type=\"premium\"} 1\n"
            ),
            "{text}"
        );
        assert!(text.contains("eje_decisions_total{status=\"success\",verdict=\"REJECT\"} 0\n"));
    }
}
