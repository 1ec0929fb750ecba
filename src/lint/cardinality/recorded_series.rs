use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::{Rule, RuleKind};

lint! {
    /// Finds recording rules whose output can exceed the budget set for it.
    ///
    /// ## Why it matters
    /// A recording rule writes a new series for every combination of the labels it keeps. One
    /// that keeps a large label (or forgets to aggregate) doubles the cost of the metric it
    /// reads instead of shrinking it. The estimate is the product of the domains of the kept
    /// labels (`job` and `instance` aside), read from the catalog.
    ///
    /// Budgets for recorded series are set with `LintConfig::record_budget(name, series)`.
    ///
    /// ## Example
    /// ```text
    /// record_budget("job_critic:app_critic_duration_seconds:p99_rate5m", 10)  // keeps 17 critics
    /// ```
    ///
    /// ## Fix
    /// Aggregate more (`sum by (job)`), or raise the budget knowingly.
    pub static LINT = ("cardinality/recorded-series", Error, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    if rule.kind != RuleKind::Record {
        return;
    }
    let Some(budget) = cx.config.budgets.per_metric.get(&rule.name) else {
        return;
    };
    let Some(estimate) = super::recorded_estimate(cx, rule) else {
        return;
    };
    if estimate > *budget {
        let kept = cx
            .recorded_labels
            .get(rule.name.as_str())
            .cloned()
            .flatten()
            .unwrap_or_default();
        out.push(
            Finding::new(
                format!(
                    "recording rule {} can produce {estimate} series per target, over its budget of {budget}",
                    rule.name
                ),
                At::Rule,
                "",
            )
            .note(format!(
                "it keeps the labels: {}",
                kept.names.into_iter().collect::<Vec<_>>().join(", ")
            )),
        );
    }
}
