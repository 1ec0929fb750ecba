use sextant_catalog::Kind;

use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;

lint! {
    /// Finds counters read as they are, without `rate`, `irate` or `increase`.
    ///
    /// ## Why it matters
    /// A counter only grows, and starts again from zero when the process restarts. Its raw value
    /// says how much happened since some restart, not what is happening now: the seed's
    /// `app_critic_failures_total > 100` fires forever once a long-running process has failed 101
    /// times in a week, and stops when it restarts.
    ///
    /// Counters may be read raw under `absent`, `changes`, `resets`, `timestamp`, `count`,
    /// `count_over_time`, `present_over_time` and `group`, which do not use the value.
    ///
    /// ## Example
    /// ```promql
    /// app_critic_failures_total > 100
    /// ```
    ///
    /// ## Fix
    /// Compare a rate or an increase over a window: `rate(app_critic_failures_total[5m]) > 0.1`,
    /// or better a ratio of failures to calls.
    pub static LINT = ("promql/counter-without-rate", Error, crate::lint::Check::Rule(check));
}

/// Functions and aggregations that read a counter correctly or ignore its value.
const SAFE: &[&str] = &[
    "rate",
    "irate",
    "increase",
    "resets",
    "changes",
    "absent",
    "absent_over_time",
    "present_over_time",
    "count_over_time",
    "timestamp",
    "count",
    "count_values",
    "group",
];

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for selector in &rule.analysis.selectors {
        let Some(name) = &selector.name else { continue };
        let Some(found) = super::lookup(cx.catalog, name) else {
            continue;
        };
        let counter = found.metric.kind == Kind::Counter || found.suffix.is_some();
        if counter
            && !selector
                .enclosing
                .iter()
                .any(|f| SAFE.contains(&f.as_str()))
        {
            out.push(
                Finding::new(
                    format!("counter `{name}` is read without `rate` or `increase`"),
                    At::Expr(selector.span.clone()),
                    "raw counter value",
                )
                .note("a counter's value counts since the process started; compare `rate(x[5m])` or `increase(x[1h])`"),
            );
        }
    }
}
