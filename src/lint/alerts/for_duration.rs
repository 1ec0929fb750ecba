use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::{Rule, RuleKind};
use crate::syntax::duration::{mins, Duration};

lint! {
    /// Finds alerts with no `for`, or a `for` shorter than the minimum (1m by default).
    ///
    /// ## Why it matters
    /// Without `for`, one evaluation over the threshold notifies: a scrape blip, a deploy, a
    /// single slow request pages someone, and the alert resolves a minute later. A `for` of a
    /// few evaluation intervals lets a condition prove it lasts (the seed: "set appropriate
    /// `for` durations").
    ///
    /// The minimum is the spec's `LintConfig::min_for` (1m by default).
    ///
    /// ## Example
    /// ```yaml
    /// - alert: AppCriticHighFailureRate
    ///   expr: job_critic:app_critic_failures:ratio_rate5m > 0.10
    /// ```
    ///
    /// ## Fix
    /// Add a `for` (`for: 5m`), longer for warnings than for pages; `keep_firing_for` damps
    /// flapping on the way out.
    pub static LINT = ("alerts/for", Warning, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    if rule.kind != RuleKind::Alert {
        return;
    }
    let least: Duration = cx.config.min_for.unwrap_or(mins(1));
    if rule.for_.is_zero() {
        out.push(
            Finding::new(
                format!(
                    "alert {} has no `for`: one evaluation over the threshold notifies",
                    rule.name
                ),
                At::Rule,
                "",
            )
            .note(format!("add a `for` of at least {least}")),
        );
    } else if rule.for_ < least {
        out.push(
            Finding::new(
                format!(
                    "alert {} has `for: {}`, shorter than {least}",
                    rule.name, rule.for_
                ),
                At::Rule,
                "",
            )
            .note("a condition this short-lived is noise: lengthen `for`"),
        );
    }
}
