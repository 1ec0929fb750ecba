use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;

lint! {
    /// Finds matchers that match every value of a label, such as `user_id=~".+"`.
    ///
    /// ## Why it matters
    /// `=~".+"` selects every series that has the label, and `=~".*"` every series at all:
    /// the query loads all of them, which on a large label is the most expensive query there
    /// is (the seed's "Bad: High cardinality" example). `{__name__=~".+"}` loads the whole
    /// database.
    ///
    /// ## Example
    /// ```promql
    /// sum(rate(app_requests_total{user_id=~".+"}[5m])) by (user_id)
    /// ```
    ///
    /// ## Fix
    /// Match the values you need, or drop the matcher and aggregate early:
    /// `sum(rate(app_requests_total[5m]))`.
    pub static LINT = ("cardinality/match-all", Warning, crate::lint::Check::Rule(check));
}

const ALL: &[&str] = &[".+", ".*", "(.+)", "(.*)", ".+?", ".*?"];

fn check(_: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for selector in &rule.analysis.selectors {
        for ((label, op, value), span) in selector.matchers.iter().zip(&selector.matcher_spans) {
            if *op == "=~" && ALL.contains(&value.as_str()) {
                out.push(
                    Finding::new(
                        format!("matcher `{label}=~\"{value}\"` selects every value of `{label}`"),
                        At::Expr(span.clone()),
                        "matches everything",
                    )
                    .note("match the values you need, or drop the matcher and aggregate early"),
                );
            }
        }
    }
}
