//! Lints on the number of series: label domains, budgets, queries that touch every series.
//!
//! Estimates are per scrape target: a metric's is the product of its label domains (times the
//! buckets, `+Inf`, `_sum` and `_count` for a histogram, [`sextant_catalog::Metric::max_series`]);
//! a recorded series' is the product of the domains of the labels its rule keeps, `job` and
//! `instance` excepted.

pub mod budget;
pub mod live_series;
pub mod match_all;
pub mod recorded_series;
pub mod unbounded_grouping;
pub mod unbounded_label;

use crate::lint::Context;
use crate::rules::ir::Rule;

/// Label names that usually hold one value per user, request or address: unbounded.
const UNBOUNDED: &[&str] = &[
    "user_id",
    "userid",
    "user",
    "username",
    "customer_id",
    "account_id",
    "request_id",
    "session_id",
    "trace_id",
    "span_id",
    "correlation_id",
    "uuid",
    "id",
    "email",
    "ip",
    "ip_address",
    "client_ip",
    "remote_addr",
    "address",
    "path",
    "url",
    "uri",
    "query",
    "user_agent",
    "token",
    "timestamp",
    "message",
    "error_message",
];

/// Suffixes of the same kinds of names (`order_id`, `source_ip`, `page_url`).
const UNBOUNDED_SUFFIXES: &[&str] = &["_id", "_uuid", "_email", "_ip", "_url", "_uri", "_path"];

/// Whether a label's name says it holds an unbounded set of values.
pub fn looks_unbounded(label: &str) -> bool {
    let label = label.to_ascii_lowercase();
    UNBOUNDED.contains(&label.as_str()) || UNBOUNDED_SUFFIXES.iter().any(|s| label.ends_with(s))
}

/// The estimated number of series a recording rule produces per target: the product of the
/// domains of the labels it keeps, read from the metrics its expression selects. `None` when
/// a kept label's domain is not known.
pub fn recorded_estimate(cx: &Context, rule: &Rule) -> Option<u64> {
    let kept = cx.recorded_labels.get(rule.name.as_str())?.as_ref()?;
    let metrics: Vec<_> = rule
        .analysis
        .selectors
        .iter()
        .filter_map(|s| cx.catalog.lookup(s.name.as_deref()?))
        .collect();
    let mut product: u64 = 1;
    for label in &kept.names {
        if matches!(label.as_str(), "job" | "instance") || rule.labels.contains_key(label) {
            continue;
        }
        let size = metrics.iter().find_map(|found| {
            if label == "le" {
                return (!found.metric.buckets.is_empty())
                    .then_some(found.metric.buckets.len() as u64 + 1);
            }
            found
                .metric
                .label(label)
                .map(|l| l.domain.max_values() as u64)
        })?;
        product = product.saturating_mul(size);
    }
    Some(product)
}
