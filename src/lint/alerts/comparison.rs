use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::{Rule, RuleKind};

lint! {
    /// Finds alerts whose expression has no comparison, so they fire whenever the series exists.
    ///
    /// ## Why it matters
    /// An alert fires for every series its expression returns. Without a filter such as `> 0.1`
    /// (or `absent(...)`, which returns a series only when something is missing) it returns a
    /// series as long as the metric exists: the alert fires all the time.
    ///
    /// ## Example
    /// ```promql
    /// rate(app_critic_failures_total[5m])
    /// ```
    ///
    /// ## Fix
    /// State the condition: `rate(app_critic_failures_total[5m]) > 0.1`, or better a ratio of
    /// failures to calls compared with a threshold.
    pub static LINT = ("alerts/comparison", Warning, crate::lint::Check::Rule(check));
}

fn check(_: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    if rule.kind != RuleKind::Alert || rule.analysis.has_comparison {
        return;
    }
    let absent = rule
        .analysis
        .calls
        .iter()
        .any(|(name, _)| matches!(*name, "absent" | "absent_over_time"));
    if absent {
        return;
    }
    let start = rule.expr.len() - rule.expr.trim_start().len();
    out.push(
        Finding::new(
            format!(
                "alert {} has no comparison: it fires whenever the series exist",
                rule.name
            ),
            At::Expr(start..rule.expr.trim_end().len()),
            "no condition",
        )
        .note("compare with a threshold, such as `> 0.1`"),
    );
}
