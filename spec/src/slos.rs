//! EJE's service level objectives. Each becomes `generated/prometheus/rules/slo-<name>.yml`
//! (SLI and metadata recording rules, burn-rate alerts) and
//! `generated/prometheus/tests/slo-<name>.yml` (promtool tests proving the alerts fire).

use sextant::prelude::*;
use sextant_catalog::eje::{self, DecisionStatus};

use crate::runbook;

const SERVICE: &str = "eje";

pub fn slos() -> Vec<Slo> {
    vec![
        decision_success(),
        decision_latency(),
        critic_availability(),
    ]
}

/// The seed's SLO: 99.9% of decisions end with status success, over 30 days.
fn decision_success() -> Slo {
    Slo::new("decision-success", SERVICE)
        .description("Decisions end with status success.")
        .objective(99.9)
        .window(days(30))
        .sli(Sli::success_ratio(
            select(&eje::DECISIONS_TOTAL).eq(&eje::STATUS, DecisionStatus::Success),
            select(&eje::DECISIONS_TOTAL),
        ))
        .alert_prefix("EJEDecisionSuccess")
        .runbook(runbook("slo-decision-success"))
}

/// 99% of decisions reach a verdict within 0.5 s (a bucket of the decision histogram), over 28
/// days: four whole weeks, so weekly traffic patterns weigh the same in every window.
fn decision_latency() -> Slo {
    Slo::new("decision-latency", SERVICE)
        .description("Decisions reach a verdict within 0.5 s.")
        .objective(99.0)
        .window(days(28))
        .sli(Sli::latency(select(&eje::DECISION_DURATION_SECONDS), 0.5))
        .alert_prefix("EJEDecisionLatency")
        .runbook(runbook("slo-decision-latency"))
}

/// Each critic answers 99.5% of its calls without failing, over 30 days. Kept by `critic`, so
/// every critic has its own SLI, budget and alerts: one failing critic pages about itself.
fn critic_availability() -> Slo {
    Slo::new("critic-availability", SERVICE)
        .description("Critic calls succeed.")
        .objective(99.5)
        .sli(Sli::error_ratio(
            select(&eje::CRITIC_FAILURES_TOTAL),
            select(&eje::CRITIC_EXECUTIONS_TOTAL),
        ))
        .by(&eje::CRITIC)
        .alert_prefix("EJECriticAvailability")
        .runbook(runbook("slo-critic-availability"))
}
