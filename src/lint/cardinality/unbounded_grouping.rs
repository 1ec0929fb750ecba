use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;

lint! {
    /// Finds aggregations `by` a label that looks unbounded (`user_id`, `request_id`, `path`, ...).
    ///
    /// ## Why it matters
    /// The result has one series per value of the label: a recording rule writes them all,
    /// an alert fires once per user, a panel draws thousands of lines. It is the query-side
    /// twin of an unbounded label in the instrumentation.
    ///
    /// ## Example
    /// ```promql
    /// sum by (user_id) (rate(app_requests_total[5m]))
    /// ```
    ///
    /// ## Fix
    /// Group by a bounded label (`user_type`), or find the top few with
    /// `topk(10, sum by (user_id) (...))` in an ad-hoc query, not in a rule.
    pub static LINT = ("cardinality/unbounded-grouping", Warning, crate::lint::Check::Rule(check));
}

fn check(_: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for grouping in &rule.analysis.groupings {
        if !grouping.by {
            continue;
        }
        for label in &grouping.labels {
            if super::looks_unbounded(label) {
                out.push(
                    Finding::new(
                        format!("`{} by ({label})`: `{label}` looks unbounded", grouping.op),
                        At::Expr(grouping.span.clone()),
                        "one series per value",
                    )
                    .note("group by a bounded label, such as a type or a class"),
                );
            }
        }
    }
}
