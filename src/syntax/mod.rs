//! The syntax layer every target shares: PromQL, Go templates (Prometheus's and AlertManager's
//! dialects), YAML and JSON read with the byte range of every value, and Prometheus durations.
//! Nothing here knows a target.

pub mod duration;
pub mod gotmpl;
pub mod json;
pub mod promql;
pub mod yaml;
