use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Group;
use crate::syntax::duration::mins;

lint! {
    /// Finds rule groups evaluated less often than every 5 minutes.
    ///
    /// ## Why it matters
    /// Prometheus looks back at most 5 minutes for a sample (the lookback delta). A series
    /// recorded every 10 minutes is invisible to instant queries half of the time: panels have
    /// gaps and alerts reading it resolve and fire again. Alerts in such a group also react late.
    ///
    /// ## Example
    /// ```text
    /// RuleGroup::new("app-slo").interval(mins(10))
    /// ```
    ///
    /// ## Fix
    /// Evaluate at 5 minutes or less; for long windows, keep the interval short and the range
    /// long (`rate(x[1d])` every minute is cheap with a recorded `rate5m` underneath).
    pub static LINT = ("rules/group-interval", Warning, crate::lint::Check::Group(check));
}

fn check(_: &Context, group: &Group, out: &mut Vec<Finding>) {
    let Some(interval) = group.interval else {
        return;
    };
    if interval > mins(5) {
        out.push(
            Finding::new(
                format!(
                    "rule group {:?} is evaluated every {interval}, less often than every 5m",
                    group.name
                ),
                At::Rule,
                "",
            )
            .note("series older than 5m are invisible to queries (the lookback delta): evaluate at 5m or less"),
        );
    }
}
