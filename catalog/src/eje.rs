//! EJE's metrics: critics whose verdicts a decision aggregator combines.
//!
//! Names follow the EJE Monitoring Architecture Guide (`eje_decisions_total`,
//! `eje_critic_failures_total`, `eje_requests_total`, ...). Every label is bounded: closed sets
//! are Rust enums; critic names are registered at start-up under a cap.

use crate::{label_enum, Catalog, Domain, Kind, Label, Metric, Origin};

label_enum! {
    /// What a decision (or one critic) concluded.
    pub enum Verdict {
        Approve => "APPROVE",
        Reject => "REJECT",
        Escalate => "ESCALATE",
    }
}

label_enum! {
    /// How a decision ended.
    pub enum DecisionStatus {
        Success => "success",
        Error => "error",
        Timeout => "timeout",
    }
}

label_enum! {
    /// Why a critic call failed. Bounded on purpose: the error text goes to logs and traces.
    pub enum FailureReason {
        /// The critic returned an error.
        Error => "error",
        /// The critic panicked.
        Panic => "panic",
        /// The critic did not answer in time.
        Timeout => "timeout",
        /// The critic answered with something that is not a verdict.
        InvalidOutput => "invalid_output",
    }
}

label_enum! {
    /// Why spans never reached the trace collector.
    pub enum SpanDropReason {
        /// The export queue was full when the span ended.
        QueueFull => "queue_full",
        /// The export of the span's batch failed (after its retries).
        ExportFailed => "export_failed",
        /// Shutdown came before the span was exported (or the span ended after it).
        Shutdown => "shutdown",
    }
}

label_enum! {
    /// The kind of caller, the seed's bounded replacement for `user_id`.
    pub enum UserType {
        Anonymous => "anonymous",
        Standard => "standard",
        Premium => "premium",
        Internal => "internal",
    }
}

label_enum! {
    /// The API version a request came in on.
    pub enum ApiVersion {
        V1 => "v1",
        V2 => "v2",
    }
}

label_enum! {
    /// How an HTTP request to the EJE API ended, by status class.
    pub enum RequestStatus {
        Success => "2xx",
        ClientError => "4xx",
        ServerError => "5xx",
    }
}

/// The critics this deployment runs. Others may be registered at start-up, up to the cap.
pub const KNOWN_CRITICS: &[&str] = &[
    "bias_critic",
    "safety_critic",
    "privacy_critic",
    "legal_critic",
];

/// The most distinct critic names the runtime accepts; the rest are recorded as `other`.
pub const CRITIC_CAP: usize = 16;

/// The value recorded for a critic name past [`CRITIC_CAP`].
pub const CRITIC_OVERFLOW: &str = "other";

pub static VERDICT: Label = Label {
    name: "verdict",
    help: "the verdict reached",
    domain: Domain::Closed(Verdict::NAMES),
};

pub static STATUS: Label = Label {
    name: "status",
    help: "how the decision ended",
    domain: Domain::Closed(DecisionStatus::NAMES),
};

pub static CRITIC: Label = Label {
    name: "critic",
    help: "the critic's registered name",
    domain: Domain::Registered {
        known: KNOWN_CRITICS,
        cap: CRITIC_CAP,
        overflow: CRITIC_OVERFLOW,
    },
};

pub static REASON: Label = Label {
    name: "reason",
    help: "why the critic call failed",
    domain: Domain::Closed(FailureReason::NAMES),
};

pub static USER_TYPE: Label = Label {
    name: "user_type",
    help: "the kind of caller",
    domain: Domain::Closed(UserType::NAMES),
};

pub static API_VERSION: Label = Label {
    name: "api_version",
    help: "the API version of the request",
    domain: Domain::Closed(ApiVersion::NAMES),
};

pub static REQUEST_STATUS: Label = Label {
    name: "status",
    help: "the response status class",
    domain: Domain::Closed(RequestStatus::NAMES),
};

/// Latency buckets for whole decisions, in seconds: 5 ms to 10 s.
pub const DECISION_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Latency buckets for one critic call, in seconds: 1 ms to 5 s.
pub const CRITIC_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

pub static DECISIONS_TOTAL: Metric = Metric {
    name: "eje_decisions_total",
    kind: Kind::Counter,
    help: "Decisions made by the aggregator, by verdict and status.",
    unit: "",
    labels: &[&VERDICT, &STATUS],
    buckets: &[],
    origin: Origin::Instrumented,
};

pub static DECISION_DURATION_SECONDS: Metric = Metric {
    name: "eje_decision_duration_seconds",
    kind: Kind::Histogram,
    help: "Time from a request entering the decision pipeline to its verdict.",
    unit: "seconds",
    labels: &[],
    buckets: DECISION_BUCKETS,
    origin: Origin::Instrumented,
};

pub static DECISIONS_IN_FLIGHT: Metric = Metric {
    name: "eje_decisions_in_flight",
    kind: Kind::Gauge,
    help: "Decisions being processed right now (saturation).",
    unit: "",
    labels: &[],
    buckets: &[],
    origin: Origin::Instrumented,
};

pub static DECISION_CAPACITY: Metric = Metric {
    name: "eje_decision_capacity",
    kind: Kind::Gauge,
    help: "The most decisions the pipeline processes at once; in-flight over this is utilisation.",
    unit: "",
    labels: &[],
    buckets: &[],
    origin: Origin::Instrumented,
};

pub static CRITIC_EXECUTIONS_TOTAL: Metric = Metric {
    name: "eje_critic_executions_total",
    kind: Kind::Counter,
    help: "Critic calls, successful or not.",
    unit: "",
    labels: &[&CRITIC],
    buckets: &[],
    origin: Origin::Instrumented,
};

pub static CRITIC_DURATION_SECONDS: Metric = Metric {
    name: "eje_critic_duration_seconds",
    kind: Kind::Histogram,
    help: "Time one critic call took, successful or not.",
    unit: "seconds",
    labels: &[&CRITIC],
    buckets: CRITIC_BUCKETS,
    origin: Origin::Instrumented,
};

pub static CRITIC_FAILURES_TOTAL: Metric = Metric {
    name: "eje_critic_failures_total",
    kind: Kind::Counter,
    help: "Critic calls that failed, by bounded reason.",
    unit: "",
    labels: &[&CRITIC, &REASON],
    buckets: &[],
    origin: Origin::Instrumented,
};

pub static CRITIC_VERDICTS_TOTAL: Metric = Metric {
    name: "eje_critic_verdicts_total",
    kind: Kind::Counter,
    help: "Verdicts returned by critic calls that succeeded.",
    unit: "",
    labels: &[&CRITIC, &VERDICT],
    buckets: &[],
    origin: Origin::Instrumented,
};

pub static REQUESTS_TOTAL: Metric = Metric {
    name: "eje_requests_total",
    kind: Kind::Counter,
    help: "Requests to the EJE API, by caller kind, API version and status class.",
    unit: "",
    labels: &[&USER_TYPE, &API_VERSION, &REQUEST_STATUS],
    buckets: &[],
    origin: Origin::Instrumented,
};

pub static LABEL_OVERFLOW_TOTAL: Metric = Metric {
    name: "eje_label_overflow_total",
    kind: Kind::Counter,
    help: "Label values refused because their label's cap was reached, recorded as the overflow value.",
    unit: "",
    labels: &[&OVERFLOW_LABEL],
    buckets: &[],
    origin: Origin::Instrumented,
};

pub static OVERFLOW_LABEL: Label = Label {
    name: "label",
    help: "the capped label that overflowed",
    domain: Domain::Closed(&["critic"]),
};

pub static SPAN_DROP_REASON: Label = Label {
    name: "reason",
    help: "why the spans were lost",
    domain: Domain::Closed(SpanDropReason::NAMES),
};

pub static SPANS_DROPPED_TOTAL: Metric = Metric {
    name: "eje_trace_spans_dropped_total",
    kind: Kind::Counter,
    help: "Spans lost before the collector accepted them: the export queue was full, the export failed, or shutdown came first.",
    unit: "",
    labels: &[&SPAN_DROP_REASON],
    buckets: &[],
    origin: Origin::Instrumented,
};

pub static SPANS_EXPORTED_TOTAL: Metric = Metric {
    name: "eje_trace_spans_exported_total",
    kind: Kind::Counter,
    help: "Spans the collector accepted. Spans ended = exported + dropped + those still queued.",
    unit: "",
    labels: &[],
    buckets: &[],
    origin: Origin::Instrumented,
};

// The stack's own series, known to the linter so rules on them can be checked.

pub static JOB: Label = Label {
    name: "job",
    help: "the scrape job",
    domain: Domain::Closed(&["eje", "prometheus", "alertmanager"]),
};

pub static INSTANCE: Label = Label {
    name: "instance",
    help: "the scraped target's address",
    domain: Domain::Registered {
        known: &[],
        cap: 16,
        overflow: "",
    },
};

pub static UP: Metric = Metric {
    name: "up",
    kind: Kind::Gauge,
    help: "1 when the last scrape of the target succeeded, 0 otherwise (written by Prometheus).",
    unit: "",
    labels: &[],
    buckets: &[],
    origin: Origin::External,
};

pub static PROCESS_CPU_SECONDS_TOTAL: Metric = Metric {
    name: "process_cpu_seconds_total",
    kind: Kind::Counter,
    help: "Total user and system CPU time spent in seconds.",
    unit: "seconds",
    labels: &[],
    buckets: &[],
    origin: Origin::External,
};

pub static PROCESS_RESIDENT_MEMORY_BYTES: Metric = Metric {
    name: "process_resident_memory_bytes",
    kind: Kind::Gauge,
    help: "Resident memory size in bytes.",
    unit: "bytes",
    labels: &[],
    buckets: &[],
    origin: Origin::External,
};

pub static PROCESS_OPEN_FDS: Metric = Metric {
    name: "process_open_fds",
    kind: Kind::Gauge,
    help: "Number of open file descriptors.",
    unit: "",
    labels: &[],
    buckets: &[],
    origin: Origin::External,
};

pub static PROCESS_MAX_FDS: Metric = Metric {
    name: "process_max_fds",
    kind: Kind::Gauge,
    help: "Maximum number of open file descriptors.",
    unit: "",
    labels: &[],
    buckets: &[],
    origin: Origin::External,
};

/// Labels every scraped series carries, added by Prometheus at scrape time.
pub static TARGET_LABELS: &[&Label] = &[&JOB, &INSTANCE];

/// Everything EJE and its stack expose.
pub static CATALOG: Catalog = Catalog {
    metrics: &[
        &DECISIONS_TOTAL,
        &DECISION_DURATION_SECONDS,
        &DECISIONS_IN_FLIGHT,
        &DECISION_CAPACITY,
        &CRITIC_EXECUTIONS_TOTAL,
        &CRITIC_DURATION_SECONDS,
        &CRITIC_FAILURES_TOTAL,
        &CRITIC_VERDICTS_TOTAL,
        &REQUESTS_TOTAL,
        &LABEL_OVERFLOW_TOTAL,
        &SPANS_DROPPED_TOTAL,
        &SPANS_EXPORTED_TOTAL,
        &UP,
        &PROCESS_CPU_SECONDS_TOTAL,
        &PROCESS_RESIDENT_MEMORY_BYTES,
        &PROCESS_OPEN_FDS,
        &PROCESS_MAX_FDS,
    ],
};
