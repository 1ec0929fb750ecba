//! Alerting rules. Symptoms first (the seed: "alert on symptoms, not causes"), each with a
//! summary, a description and a runbook, and a `for` long enough to ride out a scrape blip.

use sextant::prelude::*;
use sextant_catalog::eje;

use crate::runbook;

pub fn groups() -> Vec<RuleGroup> {
    vec![RuleGroup::new("eje-alerts").rules([
        critic_failure_rate(),
        critic_failing(),
        decision_success_ratio(),
        critic_latency(),
        saturation(),
        target_down(),
        metrics_absent(),
        label_overflow(),
        spans_dropped(),
    ])]
}

/// The seed's rate-based alert: a critic failing more than 10% of its calls for 5 minutes.
fn critic_failure_rate() -> Alert {
    Alert::warning(
        "EJECriticHighFailureRate",
        "job_critic:eje_critic_failures:ratio_rate5m > 0.10",
    )
    .for_(mins(5))
    .label("component", "critic")
    .summary("Critic {{ $labels.critic }} fails {{ $value | humanizePercentage }} of its calls")
    .description(
        "Over the last 5 minutes more than 10% of calls to critic {{ $labels.critic }} \
         (job {{ $labels.job }}) failed. Its verdicts are missing from decisions, which the \
         aggregator then makes on fewer opinions.",
    )
    .runbook(runbook("EJECriticHighFailureRate"))
}

/// The critical tier of the same alert: a critic failing half its calls pages, after a shorter
/// `for` than the warning so that, with the inhibit rule, a sudden outage pages once instead of
/// warning first.
fn critic_failing() -> Alert {
    Alert::critical(
        "EJECriticHighFailureRate",
        "job_critic:eje_critic_failures:ratio_rate5m > 0.50",
    )
    .for_(mins(1))
    .label("component", "critic")
    .summary("Critic {{ $labels.critic }} fails {{ $value | humanizePercentage }} of its calls")
    .description(
        "For at least a minute more than half of the calls to critic {{ $labels.critic }} \
         (job {{ $labels.job }}) failed: decisions are being made without it.",
    )
    .runbook(runbook("EJECriticHighFailureRate"))
}

/// The seed's success-ratio alert: decisions succeeding less than 99.9% of the time. The SLO
/// burn-rate alerts page; this one opens a ticket on a sustained dip.
fn decision_success_ratio() -> Alert {
    let all = select(&eje::DECISIONS_TOTAL);
    let succeeded = select(&eje::DECISIONS_TOTAL).eq(&eje::STATUS, eje::DecisionStatus::Success);
    Alert::warning(
        "EJEDecisionSuccessRatioLow",
        format!(
            "(\n  sum by (job) (rate({succeeded}[1h]))\n  /\n  (sum by (job) (rate({all}[1h])) > 0)\n) < 0.999"
        ),
    )
    .for_(mins(15))
    .label("component", "aggregator")
    .summary("Only {{ $value | humanizePercentage }} of decisions succeed")
    .description(
        "Over the last hour fewer than 99.9% of decisions of job {{ $labels.job }} ended with \
         status success. The 30-day objective is 99.9%.",
    )
    .runbook(runbook("EJEDecisionSuccessRatioLow"))
}

fn critic_latency() -> Alert {
    Alert::warning(
        "EJECriticLatencyHigh",
        "job_critic:eje_critic_duration_seconds:p99_rate5m > 1",
    )
    .for_(mins(10))
    .label("component", "critic")
    .summary("Critic {{ $labels.critic }} answers in {{ $value | humanizeDuration }} at p99")
    .description(
        "The 99th percentile latency of critic {{ $labels.critic }} (job {{ $labels.job }}) has \
         been over 1 s for 10 minutes; decisions wait for the slowest critic.",
    )
    .runbook(runbook("EJECriticLatencyHigh"))
}

fn saturation() -> Alert {
    Alert::warning(
        "EJEDecisionPipelineSaturated",
        "job:eje_decision_utilisation:ratio > 0.9",
    )
    .for_(mins(10))
    .label("component", "aggregator")
    .summary("The decision pipeline is {{ $value | humanizePercentage }} full")
    .description(
        "Job {{ $labels.job }} has had more than 90% of its decision slots busy for 10 minutes; \
         new requests queue and latency follows.",
    )
    .runbook(runbook("EJEDecisionPipelineSaturated"))
}

fn target_down() -> Alert {
    Alert::critical(
        "EJETargetDown",
        format!("{} == 0", select(&eje::UP).eq(&eje::JOB, "eje")),
    )
    .for_(mins(2))
    .label("component", "api")
    .summary("EJE instance {{ $labels.instance }} cannot be scraped")
    .description(
        "Prometheus has failed to scrape {{ $labels.instance }} for 2 minutes: the instance is \
             down or its /metrics endpoint is not answering.",
    )
    .runbook(runbook("EJETargetDown"))
}

fn metrics_absent() -> Alert {
    Alert::critical(
        "EJEMetricsAbsent",
        format!("absent({})", select(&eje::UP).eq(&eje::JOB, "eje")),
    )
    .for_(mins(5))
    .label("component", "api")
    .summary("No EJE target is known to Prometheus")
    .description(
        "There has been no `up` series for job eje for 5 minutes: service discovery lost every \
         EJE instance, so every other EJE alert is blind.",
    )
    .runbook(runbook("EJEMetricsAbsent"))
}

fn label_overflow() -> Alert {
    Alert::warning(
        "EJELabelCapReached",
        format!("increase({}[1h]) > 0", select(&eje::LABEL_OVERFLOW_TOTAL)),
    )
    .for_(mins(5))
    .label("component", "critic")
    .summary("More {{ $labels.label }} values than the cap allows were registered")
    .description(
        "Job {{ $labels.job }} registered more distinct values of label {{ $labels.label }} than \
         its cap; the rest are recorded as the overflow value, so per-value panels under-count.",
    )
    .runbook(runbook("EJELabelCapReached"))
}

fn spans_dropped() -> Alert {
    Alert::info(
        "EJETraceSpansDropped",
        format!("rate({}[5m]) > 0", select(&eje::SPANS_DROPPED_TOTAL)),
    )
    .for_(mins(15))
    .label("component", "tracing")
    .summary("EJE drops {{ $value | humanize }} spans per second")
    .description(
        "Job {{ $labels.job }} has been dropping trace spans for 15 minutes: the export queue is \
         full or the collector is unreachable. Metrics are unaffected.",
    )
    .runbook(runbook("EJETraceSpansDropped"))
}
