use sextant_catalog::Kind;

use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;

lint! {
    /// Finds `rate`, `irate` and `increase` over a series that is not a counter.
    ///
    /// ## Why it matters
    /// These functions treat every decrease as a counter reset. On a gauge, each drop becomes
    /// a huge false increase, so the result is nonsense that looks plausible.
    ///
    /// ## Example
    /// ```promql
    /// rate(app_decisions_in_flight[5m])
    /// ```
    ///
    /// ## Fix
    /// Use `deriv` or `delta` for a gauge's change, `avg_over_time` for its level. A histogram's
    /// `_bucket`, `_count` and `_sum` series are counters and may be rated. Outside the catalog,
    /// `lint --prometheus URL` reads the types the scrape targets declare (a warning: it rests
    /// on that server).
    pub static LINT = ("promql/rate-non-counter", Error, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for selector in &rule.analysis.selectors {
        let Some(function) = selector.function else {
            continue;
        };
        if !matches!(function, "rate" | "irate" | "increase") {
            continue;
        }
        let Some(name) = &selector.name else { continue };
        let Some(found) = super::lookup(cx.catalog, name) else {
            let Some(server) = cx.server else { continue };
            if let Some(kind @ ("gauge" | "info" | "stateset")) = server.type_of(name) {
                out.push(
                    Finding::new(
                        format!("`{function}` of `{name}`, a {kind} at {}", server.source),
                        At::Expr(selector.span.clone()),
                        "not a counter",
                    )
                    .note("use `deriv` or `delta` for a gauge's change, `avg_over_time` for its level")
                    .rests_on(server.assumption()),
                );
            }
            continue;
        };
        let counter = found.metric.kind == Kind::Counter || found.suffix.is_some();
        if !counter {
            out.push(
                Finding::new(
                    format!("`{function}` of `{name}`, a {}", found.metric.kind.as_str()),
                    At::Expr(selector.span.clone()),
                    "not a counter",
                )
                .note("use `deriv` or `delta` for a gauge's change, `avg_over_time` for its level"),
            );
        }
    }
}
