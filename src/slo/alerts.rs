//! Step 4: the alerts. Each burn tier (page, ticket) is one alert whose condition is the SRE
//! Workbook's multi-window multi-burn-rate test: for either of its window pairs, the error ratio
//! over the long window AND over the short window exceed `factor x budget`. The long window
//! makes the alert significant (a share of the budget really is gone); the short one makes it
//! stop soon after the burn stops. The alert's value is the long window's burn rate.
//!
//! A third alert fires when the SLI's series are absent: without them every other alert of
//! the SLO is silently blind.

use std::collections::BTreeMap;

use super::dsl::Naming;
use super::plan::{number, Plan};
use super::sli::sli_name;
use super::SloOutput;
use crate::rules::Alert;
use crate::syntax::duration::Duration;

pub fn step(plan: &Plan, out: &mut SloOutput) {
    for alert in &plan.burn_alerts {
        let budget = number(plan.budget);
        let over = |window: Duration, factor: f64| {
            let test = format!(
                "{} / {budget} > {}",
                plan.series(&sli_name(window)),
                number(factor)
            );
            match plan.naming {
                // Sloth's SLI series carry `sloth_window`: drop it so both windows match and the
                // alert's labels do not change with the window pair that fired.
                Naming::Sloth => format!("max without (sloth_window) ({test})"),
                Naming::Sextant => test,
            }
        };
        let pairs: Vec<String> = alert
            .windows
            .iter()
            .map(|(w, factor)| {
                format!(
                    "(\n  {}\n  and\n  {}\n)",
                    over(w.long, *factor),
                    over(w.short, *factor)
                )
            })
            .collect();
        out.alert(alert, pairs.join("\nor\n"));
    }
    if let Some(alert) = &plan.absent_alert {
        out.alert(alert, format!("absent({})", plan.absent_expr));
    }
}

/// Sets the default summary and description of each alert, unless the spec set its own.
pub fn describe(plan: &mut Plan) {
    let objective = format!("{}% over {}", number(plan.objective * 100.0), plan.window);
    let scope = if plan.dimensions.is_empty() {
        String::new()
    } else {
        let values: Vec<String> = plan
            .dimensions
            .iter()
            .map(|d| format!("{} {{{{ $labels.{} }}}}", d.name, d.name))
            .collect();
        format!(" ({})", values.join(", "))
    };
    let lead = if plan.description.is_empty() {
        String::new()
    } else {
        format!("{}. ", plan.description.trim_end_matches('.'))
    };
    for alert in &mut plan.burn_alerts {
        let pairs: Vec<String> = alert
            .windows
            .iter()
            .map(|(w, factor)| {
                let lasts = Duration::millis((plan.window.as_millis() as f64 / factor) as u64);
                format!(
                    "over {}x the budget over {} and {} ({}% of the budget in {}; at that rate all of it lasts {})",
                    number(*factor),
                    w.long,
                    w.short,
                    number(w.budget_share * 100.0),
                    w.long,
                    round_to_minutes(lasts)
                )
            })
            .collect();
        defaults(
            &mut alert.annotations,
            format!(
                "SLO {{{{ $labels.slo }}}} of {{{{ $labels.service }}}}{scope} burns its error budget {{{{ $value | humanize }}}}x too fast"
            ),
            format!(
                "{lead}The SLO is {objective}. The error ratio is {}.",
                pairs.join(", or ")
            ),
        );
    }
    if let Some(alert) = &mut plan.absent_alert {
        defaults(
            &mut alert.annotations,
            // `absent()` of a bare metric returns no labels: name the SLO in the text itself.
            format!("SLO {} of {} has no SLI series", plan.name, plan.service),
            format!(
                "`{}` has returned nothing for {}: the SLO's recording rules and burn-rate alerts see no traffic and cannot fire. The service is down, not scraped, or its metrics were renamed.",
                plan.absent_expr, alert.for_
            ),
        );
    }
}

fn defaults(annotations: &mut BTreeMap<String, String>, summary: String, description: String) {
    annotations.entry("summary".into()).or_insert(summary);
    annotations
        .entry("description".into())
        .or_insert(description);
}

fn round_to_minutes(d: Duration) -> Duration {
    Duration::millis(d.as_millis() / 60_000 * 60_000)
}

/// The alert, as a rule of the SLO's group.
pub(super) fn rule(alert: &super::plan::AlertPlan, expr: String) -> Alert {
    Alert {
        name: alert.name.clone(),
        expr: expr.into(),
        severity: Some(alert.severity.clone()),
        for_: alert.for_,
        keep_firing_for: Duration::ZERO,
        labels: alert.labels.clone(),
        annotations: alert.annotations.clone(),
        origin: crate::diagnostics::Place::caller(),
    }
}
