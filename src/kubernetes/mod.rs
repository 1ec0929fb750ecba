//! Kubernetes with prometheus-operator: the rule groups as `PrometheusRule` resources, the scrape
//! jobs as `ServiceMonitor`/`PodMonitor`, the AlertManager configuration as a `Secret` and the
//! dashboards as `ConfigMap`s for Grafana's sidecar. [`dsl`] is what a spec writes, [`lower`]
//! checks it against the rest of the spec, [`emit`] writes `kubernetes/`, [`schema`] checks a
//! resource as the API server would (a CRD's OpenAPI schema, or a plain object's metadata), and
//! [`codes`] documents every diagnostic code.

pub mod codes;
pub mod dsl;
pub mod emit;
pub mod file;
pub mod lower;
pub mod schema;

pub use dsl::*;
