use crate::lint::{labels, lint, At, Context, Finding};
use crate::rules::ir::Rule;

lint! {
    /// Finds aggregations `by` a label the aggregated series do not carry.
    ///
    /// ## Why it matters
    /// `sum by (critic) (rate(app_decisions_total[5m]))` groups by a label the metric does not
    /// have: every series falls into one group with an empty `critic`, and the result looks
    /// like a breakdown that is not there. Alerts and panels built on it mislead.
    ///
    /// The labels are the catalog's, plus `job` and `instance` added at scrape time, and for a
    /// recorded series those its rule's expression keeps (the outer `by` list, say). Where they
    /// cannot be known the lint stays silent.
    ///
    /// ## Example
    /// ```promql
    /// sum by (critic) (rate(app_decisions_total[5m]))
    /// ```
    ///
    /// ## Fix
    /// Group by a label the series carry, or read the metric that has it
    /// (`app_critic_verdicts_total` has `critic`).
    pub static LINT = ("promql/by-missing-label", Error, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let groupings = &rule.analysis.groupings;
    labels::output(
        cx.catalog,
        &cx.recorded_labels,
        &cx.targets,
        &rule.parsed,
        &mut |index, inner| {
            let (Some(grouping), Some(inner)) = (groupings.get(index), inner) else {
                return;
            };
            if !grouping.by {
                return;
            }
            for label in &grouping.labels {
                if !inner.contains(label) {
                    let have: Vec<&str> = inner.names.iter().map(String::as_str).collect();
                    let finding = Finding::new(
                        format!(
                            "`{} by` a label the aggregated series lack: `{label}`",
                            grouping.op
                        ),
                        At::Expr(grouping.span.clone()),
                        format!("no `{label}` here"),
                    )
                    .note(if have.is_empty() {
                        "the aggregated series carry no labels".to_string()
                    } else {
                        format!("the aggregated series carry: {}", have.join(", "))
                    });
                    out.push(if inner.open {
                        finding.rests_on(labels::OPEN_TARGETS)
                    } else {
                        finding
                    });
                }
            }
        },
    );
}
