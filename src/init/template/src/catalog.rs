//! The metrics @service@ exposes on `/metrics`: their names, kinds and labels, each label with
//! the values it can take. Rules, SLOs and dashboards name metrics through these statics, so a
//! renamed metric breaks the build of everything that reads it. Keep it in step with the
//! service's instrumentation (or share it: the catalog types have no dependencies).

use sextant::catalog::{Catalog, Domain, Kind, Label, Metric, Origin};

/// The HTTP status class of an answer.
pub static CODE: Label = Label {
    name: "code",
    help: "The HTTP status class of the answer.",
    domain: Domain::Closed(&["2xx", "3xx", "4xx", "5xx"]),
};

/// The HTTP method of a request.
pub static METHOD: Label = Label {
    name: "method",
    help: "The HTTP method of the request.",
    domain: Domain::Closed(&["GET", "POST", "PUT", "DELETE"]),
};

pub static REQUESTS_TOTAL: Metric = Metric {
    name: "@namespace@_http_requests_total",
    kind: Kind::Counter,
    help: "HTTP requests answered, by status class and method.",
    unit: "",
    labels: &[&CODE, &METHOD],
    buckets: &[],
    origin: Origin::Instrumented,
};

pub static REQUEST_DURATION_SECONDS: Metric = Metric {
    name: "@namespace@_http_request_duration_seconds",
    kind: Kind::Histogram,
    help: "How long answering an HTTP request took.",
    unit: "seconds",
    labels: &[&METHOD],
    buckets: &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
    origin: Origin::Instrumented,
};

pub static CATALOG: Catalog = Catalog {
    metrics: &[&REQUESTS_TOTAL, &REQUEST_DURATION_SECONDS],
};
