//! Recording rules: the golden signals (traffic, errors, latency, saturation) per job and per
//! critic, precomputed for dashboards and alerts, named `level:metric:operations`.

use sextant::prelude::*;
use sextant_catalog::eje::{self, DecisionStatus, RequestStatus, Verdict};

const WINDOW: Duration = mins(5);

pub fn groups() -> Vec<RuleGroup> {
    vec![traffic(), errors(), latency(), saturation()]
}

/// `sum by (<by>) (rate(<selector>[5m]))`.
fn sum_rate(by: &str, selector: impl std::fmt::Display) -> String {
    format!("sum by ({by}) (rate({selector}[{WINDOW}]))")
}

/// `numerator / (denominator > 0)`: with no traffic the ratio is absent rather than `NaN`
/// (0/0), which would make alerts on it silent and panels jump (promql/nan-division).
fn ratio(numerator: impl std::fmt::Display, denominator: impl std::fmt::Display) -> String {
    format!("{numerator}\n/\n({denominator} > 0)")
}

fn traffic() -> RuleGroup {
    RuleGroup::new("eje-traffic")
        .rule(Record::new(
            "job:eje_decisions:rate5m",
            sum_rate("job", select(&eje::DECISIONS_TOTAL)),
        ))
        .rule(Record::new(
            "job_verdict:eje_decisions:rate5m",
            sum_rate("job, verdict", select(&eje::DECISIONS_TOTAL)),
        ))
        .rule(Record::new(
            "job:eje_requests:rate5m",
            sum_rate("job", select(&eje::REQUESTS_TOTAL)),
        ))
        .rule(Record::new(
            "job_user_type:eje_requests:rate5m",
            sum_rate("job, user_type", select(&eje::REQUESTS_TOTAL)),
        ))
        .rule(Record::new(
            "job_critic:eje_critic_executions:rate5m",
            sum_rate("job, critic", select(&eje::CRITIC_EXECUTIONS_TOTAL)),
        ))
        .rule(Record::new(
            "job_critic_verdict:eje_critic_verdicts:rate5m",
            sum_rate("job, critic, verdict", select(&eje::CRITIC_VERDICTS_TOTAL)),
        ))
}

fn errors() -> RuleGroup {
    let decisions = select(&eje::DECISIONS_TOTAL);
    let approved = select(&eje::DECISIONS_TOTAL).eq(&eje::VERDICT, Verdict::Approve);
    let failed = select(&eje::DECISIONS_TOTAL).ne(&eje::STATUS, DecisionStatus::Success);
    let server_errors =
        select(&eje::REQUESTS_TOTAL).eq(&eje::REQUEST_STATUS, RequestStatus::ServerError);
    RuleGroup::new("eje-errors")
        // The seed's decision quality: the share of decisions approved. The seed divides the
        // two rates series by series, which matches each series with itself and always gives 1;
        // summing both sides over the verdict and status labels gives the intended ratio.
        .rule(Record::new(
            "eje:decision_quality:ratio",
            ratio(sum_rate("job", &approved), sum_rate("job", &decisions)),
        ))
        .rule(Record::new(
            "job:eje_decisions_errors:ratio_rate5m",
            ratio(sum_rate("job", &failed), sum_rate("job", &decisions)),
        ))
        .rule(Record::new(
            "job_critic:eje_critic_failures:ratio_rate5m",
            ratio(
                sum_rate("job, critic", select(&eje::CRITIC_FAILURES_TOTAL)),
                sum_rate("job, critic", select(&eje::CRITIC_EXECUTIONS_TOTAL)),
            ),
        ))
        .rule(Record::new(
            "job_critic_reason:eje_critic_failures:rate5m",
            sum_rate("job, critic, reason", select(&eje::CRITIC_FAILURES_TOTAL)),
        ))
        .rule(Record::new(
            "job:eje_requests_errors:ratio_rate5m",
            ratio(
                sum_rate("job", &server_errors),
                sum_rate("job", select(&eje::REQUESTS_TOTAL)),
            ),
        ))
}

fn latency() -> RuleGroup {
    let mut group = RuleGroup::new("eje-latency");
    for (quantile, name) in [(0.5, "p50"), (0.9, "p90"), (0.99, "p99")] {
        group = group
            .rule(Record::new(
                format!("job:eje_decision_duration_seconds:{name}_rate5m"),
                format!(
                    "histogram_quantile({quantile}, {})",
                    sum_rate("job, le", select(&eje::DECISION_DURATION_SECONDS).bucket())
                ),
            ))
            .rule(Record::new(
                format!("job_critic:eje_critic_duration_seconds:{name}_rate5m"),
                format!(
                    "histogram_quantile({quantile}, {})",
                    sum_rate(
                        "job, critic, le",
                        select(&eje::CRITIC_DURATION_SECONDS).bucket()
                    )
                ),
            ));
    }
    group.rule(Record::new(
        "job:eje_decision_duration_seconds:mean_rate5m",
        ratio(
            sum_rate("job", select(&eje::DECISION_DURATION_SECONDS).sum()),
            sum_rate("job", select(&eje::DECISION_DURATION_SECONDS).count()),
        ),
    ))
}

fn saturation() -> RuleGroup {
    RuleGroup::new("eje-saturation")
        .rule(Record::new(
            "job:eje_decisions_in_flight:max",
            format!("max by (job) ({})", select(&eje::DECISIONS_IN_FLIGHT)),
        ))
        .rule(Record::new(
            "job:eje_decision_utilisation:ratio",
            ratio(
                format!("sum by (job) ({})", select(&eje::DECISIONS_IN_FLIGHT)),
                format!("sum by (job) ({})", select(&eje::DECISION_CAPACITY)),
            ),
        ))
        .rule(Record::new(
            "job:process_cpu_seconds:rate5m",
            sum_rate("job", select(&eje::PROCESS_CPU_SECONDS_TOTAL)),
        ))
        .rule(Record::new(
            "job:process_open_fds:ratio",
            ratio(
                format!("sum by (job) ({})", select(&eje::PROCESS_OPEN_FDS)),
                format!("sum by (job) ({})", select(&eje::PROCESS_MAX_FDS)),
            ),
        ))
}
