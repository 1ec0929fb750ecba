//! Step 2: the SLI's recording rules. `slo:sli_error:ratio_rate<window>` at the base window
//! (5m), at every window an alert reads and at the SLO window.
//!
//! Windows up to 6h are computed from the raw series. Longer ones (1d, 3d, the SLO window)
//! would read days of raw samples at every evaluation; they are built instead from two recorded
//! 5-minute rates, `slo:sli_error_events:rate5m` and `slo:sli_total_events:rate5m`:
//! `sum_over_time(errors[30d]) / sum_over_time(total[30d])`. Summing the rates before dividing
//! weights each 5 minutes by its traffic, so the result is the true share of bad events
//! (Sloth averages the 5-minute ratios instead, which weighs a quiet night's 5 minutes as much
//! as a busy afternoon's). What is traded: the recorded rates only exist since the rules were
//! deployed (the long windows are short until then) and a gap in rule evaluation is a gap in
//! the window. A boolean gauge has no events: its long windows average the 5-minute ratio,
//! which for a gauge is exactly the share of time it was 0.

use super::plan::{Plan, Polarity, SliPlan, BASE_WINDOW};
use super::SloOutput;
use crate::syntax::duration::Duration;

/// `slo:sli_error:ratio_rate<window>`.
pub fn sli_name(window: Duration) -> String {
    format!("slo:sli_error:ratio_rate{window}")
}

pub const ERROR_EVENTS: &str = "slo:sli_error_events:rate5m";
pub const TOTAL_EVENTS: &str = "slo:sli_total_events:rate5m";

pub fn step(plan: &Plan, out: &mut SloOutput) {
    match &plan.sli {
        SliPlan::Ratio {
            polarity,
            events,
            total,
            ..
        } => {
            let errors = |window: Duration| {
                let total = operand(plan, total, window);
                let events = operand(plan, events, window);
                // `or ... * 0`: a counter that was never incremented has no series yet; count it
                // as zero events instead of losing the whole SLI.
                match polarity {
                    Polarity::Bad => format!("({events} or {total} * 0)"),
                    Polarity::Good => format!("({total} - ({events} or {total} * 0))"),
                }
            };
            out.record(
                ERROR_EVENTS,
                errors(BASE_WINDOW),
                plan.record_labels.clone(),
            );
            out.record(
                TOTAL_EVENTS,
                operand(plan, total, BASE_WINDOW),
                plan.record_labels.clone(),
            );
            for window in plan.sli_windows() {
                // Each denominator is guarded with `> 0`: with no traffic the ratio is absent,
                // not NaN, and no burn-rate comparison sees it.
                let expr = if window == BASE_WINDOW {
                    format!(
                        "{}\n/\n({} > 0)",
                        plan.series(ERROR_EVENTS),
                        plan.series(TOTAL_EVENTS)
                    )
                } else if window <= plan.raw_limit {
                    format!(
                        "{}\n/\n({} > 0)",
                        errors(window),
                        operand(plan, total, window)
                    )
                } else {
                    format!(
                        "sum_over_time({}[{window}])\n/\n(sum_over_time({}[{window}]) > 0)",
                        plan.series(ERROR_EVENTS),
                        plan.series(TOTAL_EVENTS)
                    )
                };
                out.record(&sli_name(window), expr, plan.sli_labels(window));
            }
        }
        SliPlan::BooleanGauge { gauge } => {
            for window in plan.sli_windows() {
                let expr = if window <= plan.raw_limit {
                    format!(
                        "1 - avg{}(avg_over_time({}))",
                        plan.by_clause(),
                        gauge.over(window)
                    )
                } else {
                    format!(
                        "avg_over_time({}[{window}])",
                        plan.series(&sli_name(BASE_WINDOW))
                    )
                };
                out.record(&sli_name(window), expr, plan.sli_labels(window));
            }
        }
    }
}

/// The events at `window`, parenthesised unless they are one aggregation, so they can be
/// operands.
fn operand(plan: &Plan, events: &super::dsl::Events, window: Duration) -> String {
    let text = plan.render(events, window);
    match events {
        super::dsl::Events::Selector(_) => text,
        _ => format!("({})", text.trim()),
    }
}
