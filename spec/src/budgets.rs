//! Series budgets, per scrape target (cardinality/budget, cardinality/recorded-series): each
//! metric's estimate from its label domains stays under its budget, so adding a label value, a
//! bucket or a critic past these numbers fails CI and is a reviewed decision. `lint --live`
//! compares the same budgets with a running Prometheus or a /metrics page.

use sextant::prelude::*;
use sextant_catalog::eje;

pub fn lints() -> LintConfig {
    LintConfig::default()
        .scrape_interval(secs(15))
        // 3 verdicts x 3 statuses.
        .budget(&eje::DECISIONS_TOTAL, 10)
        // 11 buckets + +Inf + _sum + _count.
        .budget(&eje::DECISION_DURATION_SECONDS, 15)
        // Up to 16 critics + `other`.
        .budget(&eje::CRITIC_EXECUTIONS_TOTAL, 20)
        .budget(&eje::CRITIC_DURATION_SECONDS, 250)
        .budget(&eje::CRITIC_FAILURES_TOTAL, 80)
        .budget(&eje::CRITIC_VERDICTS_TOTAL, 60)
        // 4 user types x 2 API versions x 3 status classes.
        .budget(&eje::REQUESTS_TOTAL, 30)
        .record_budget("job_critic:eje_critic_duration_seconds:p99_rate5m", 20)
        .record_budget("job_critic_reason:eje_critic_failures:rate5m", 80)
        .total_budget(1_000)
}
