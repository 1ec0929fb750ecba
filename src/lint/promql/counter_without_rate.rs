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

/// What a finding on a metric the catalog does not know rests on.
const NAMING: &str = "the exporter follows Prometheus's naming convention, in which a name ending in `_total` is a counter";

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
        // The catalog's kind, else the naming convention (`_total` names a counter), which
        // rests on the exporter following it; a series recorded by a rule is neither.
        let (counter, assumption) = match super::lookup(cx.catalog, name) {
            Some(found) => (
                found.metric.kind == Kind::Counter || found.suffix.is_some(),
                None,
            ),
            None if name.ends_with("_total")
                && !name.contains(':')
                && !cx.recorded.contains_key(name.as_str()) =>
            {
                (true, Some(NAMING))
            }
            None => continue,
        };
        if counter
            && !selector
                .enclosing
                .iter()
                .any(|f| SAFE.contains(&f.as_str()))
        {
            let finding = Finding::new(
                format!("counter `{name}` is read without `rate` or `increase`"),
                At::Expr(selector.span.clone()),
                "raw counter value",
            )
            .note("a counter's value counts since the process started; compare `rate(x[5m])` or `increase(x[1h])`");
            out.push(match assumption {
                Some(assumption) => finding.rests_on(assumption),
                None => finding,
            });
        }
    }
}
