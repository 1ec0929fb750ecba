use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;
use crate::syntax::duration::Duration;

lint! {
    /// Finds range selectors shorter than twice the scrape interval.
    ///
    /// ## Why it matters
    /// `rate`, `increase` and the `_over_time` functions need at least two samples in the
    /// range. With a 15s scrape interval, `[15s]` holds one sample most of the time, so the
    /// result is empty or jumps; a missed scrape empties even `[30s]`. Prometheus's own advice
    /// is a range of at least four scrape intervals.
    ///
    /// The scrape interval is the spec's `LintConfig::scrape_interval` (15s by default).
    ///
    /// ## Example
    /// ```promql
    /// rate(app_decisions_total[20s])
    /// ```
    ///
    /// ## Fix
    /// Use a range of at least four scrape intervals: `rate(app_decisions_total[1m])` at 15s.
    pub static LINT = ("promql/range-too-short", Warning, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let least = cx.scrape_interval.as_millis() * 2;
    for selector in &rule.analysis.selectors {
        let Some(range) = selector.range_ms else {
            continue;
        };
        if range < least {
            out.push(
                Finding::new(
                    format!(
                        "range [{}] is shorter than twice the scrape interval ({})",
                        Duration::millis(range),
                        cx.scrape_interval
                    ),
                    At::Expr(selector.span.clone()),
                    "too few samples in this range",
                )
                .note(format!(
                    "use at least {} (four scrape intervals)",
                    Duration::millis(cx.scrape_interval.as_millis() * 4)
                )),
            );
        }
    }
}
