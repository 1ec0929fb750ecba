//! Recording rules: what dashboards and alerts read, computed once per evaluation. Names follow
//! Prometheus's `level:metric:operations` convention.

use sextant::prelude::*;

use crate::catalog::{CODE, REQUESTS_TOTAL};

pub fn groups() -> Vec<RuleGroup> {
    vec![RuleGroup::new("@service@-traffic")
        .rule(Record::new(
            "job:@namespace@_http_requests:rate5m",
            format!("sum by (job) (rate({}[5m]))", select(&REQUESTS_TOTAL)),
        ))
        .rule(Record::new(
            "job:@namespace@_http_errors:ratio_rate5m",
            format!(
                "sum by (job) (rate({}[5m]))\n/\n(sum by (job) (rate({}[5m])) > 0)",
                select(&REQUESTS_TOTAL).eq(&CODE, "5xx"),
                select(&REQUESTS_TOTAL),
            ),
        ))]
}
