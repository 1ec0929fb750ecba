//! Step 3: the SLO's metadata as recorded series, for dashboards and for humans reading alerts:
//! the objective, the error budget, the window in days, the current burn rate (over the base
//! window), the burn rate over the whole SLO window, and the share of the budget left.

use super::dsl::Naming;
use super::plan::{number, Plan, BASE_WINDOW};
use super::sli::sli_name;
use super::SloOutput;

pub fn step(plan: &Plan, out: &mut SloOutput) {
    let labels = || plan.record_labels.clone();
    out.record(
        "slo:objective:ratio",
        format!("vector({})", number(plan.objective)),
        labels(),
    );
    out.record(
        "slo:error_budget:ratio",
        format!("vector({})", number(plan.budget)),
        labels(),
    );
    out.record(
        "slo:time_period:days",
        format!("vector({})", number(plan.window.as_secs_f64() / 86400.0)),
        labels(),
    );
    let burn_rate = |sli: String| {
        format!(
            "{}\n/ on ({}) group_left\n{}",
            plan.series(&sli),
            plan.identity.join(", "),
            plan.series("slo:error_budget:ratio")
        )
    };
    out.record(
        "slo:current_burn_rate:ratio",
        burn_rate(sli_name(BASE_WINDOW)),
        labels(),
    );
    out.record(
        "slo:period_burn_rate:ratio",
        burn_rate(sli_name(plan.window)),
        labels(),
    );
    out.record(
        "slo:period_error_budget_remaining:ratio",
        format!("1 - {}", plan.series("slo:period_burn_rate:ratio")),
        labels(),
    );
    if plan.naming == Naming::Sloth {
        // Sloth's info series, which its dashboards list SLOs from. `sloth_mode` and
        // `sloth_version` say who generated the rules: Sextant, not a Sloth release.
        let mut info = labels();
        info.insert("sloth_mode".into(), "sextant".into());
        // Sloth's spec version, `prometheus` `/v1` (joined: the literal reads like a code).
        info.insert("sloth_spec".into(), ["prometheus", "v1"].join("/"));
        info.insert("sloth_version".into(), "sextant".into());
        out.record("sloth_slo_info", "vector(1)".into(), info);
    }
}
