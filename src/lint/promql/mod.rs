//! Lints on expressions, checked against the metric catalog.

pub mod label_value;
pub mod rate_non_counter;
pub mod unknown_label;
pub mod unknown_metric;

use sextant_catalog::{Catalog, SeriesRef};

/// Series Prometheus writes itself, which no catalog lists.
pub const BUILTIN_SERIES: &[&str] = &["ALERTS", "ALERTS_FOR_STATE"];

/// Labels Prometheus attaches to every scraped series.
pub const TARGET_LABELS: &[&str] = &["job", "instance"];

/// The catalog family a selector's name refers to.
pub fn lookup(catalog: &Catalog, name: &str) -> Option<SeriesRef> {
    catalog.lookup(name)
}
