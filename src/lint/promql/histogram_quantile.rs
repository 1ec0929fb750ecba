use promql_parser::parser::{Expr, LabelModifier};
use sextant_catalog::Kind;

use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;

lint! {
    /// Finds `histogram_quantile` whose inner aggregation drops `le`, or over series that are not
    /// a histogram's `_bucket` series.
    ///
    /// ## Why it matters
    /// `histogram_quantile` interpolates between the cumulative buckets named by `le`. Summing
    /// them away (`sum(rate(x_bucket[5m]))`, or `by (job)` without `le`) leaves nothing to
    /// interpolate: the result is empty. Over a series without buckets (a gauge, a counter,
    /// a recorded series without `le`) it is empty too.
    ///
    /// ## Example
    /// ```promql
    /// histogram_quantile(0.99, sum by (job) (rate(app_decision_duration_seconds_bucket[5m])))
    /// ```
    ///
    /// ## Fix
    /// Keep `le` in the aggregation and read the `_bucket` series:
    /// `histogram_quantile(0.99, sum by (job, le) (rate(app_decision_duration_seconds_bucket[5m])))`.
    pub static LINT = ("promql/histogram-quantile", Error, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let analysis = &rule.analysis;
    super::visit(&rule.parsed, &mut |node| {
        let (Expr::Call(call), Some(index)) = (node.expr, node.call) else {
            return;
        };
        if call.func.name != "histogram_quantile" {
            return;
        }
        let call_span = analysis.calls[index].1.clone();
        let Some(inner) = call.args.args.get(1) else {
            return;
        };
        if let Expr::Aggregate(a) = super::unparen(inner) {
            let keeps_le = match &a.modifier {
                Some(LabelModifier::Include(by)) => by.labels.iter().any(|l| l == "le"),
                Some(LabelModifier::Exclude(without)) => !without.labels.iter().any(|l| l == "le"),
                None => false,
            };
            if !keeps_le {
                // Count the groupings before this one to find its span.
                let offset = groupings_before(&rule.parsed, inner);
                let span = match (&a.modifier, offset) {
                    (Some(_), Some(g)) => analysis
                        .groupings
                        .get(g)
                        .map_or(call_span.clone(), |g| g.span.clone()),
                    _ => call_span.clone(),
                };
                out.push(
                    Finding::new(
                        "`histogram_quantile` over an aggregation that drops `le`",
                        At::Expr(span),
                        "`le` is aggregated away",
                    )
                    .note("keep the bucket boundary: `sum by (job, le) (rate(x_bucket[5m]))`"),
                );
            }
        }
        for selector in super::series_names(inner) {
            let bad = match super::lookup(cx.catalog, &selector) {
                Some(found) => {
                    found.metric.kind != Kind::Histogram || found.suffix != Some("_bucket")
                }
                None => matches!(
                    cx.recorded_labels.get(selector.as_str()),
                    Some(Some(labels)) if !labels.contains("le")
                ),
            };
            if bad {
                out.push(
                    Finding::new(
                        format!("`histogram_quantile` over `{selector}`, which has no `le` buckets"),
                        At::Expr(call_span.clone()),
                        "not a histogram's buckets",
                    )
                    .note("read a histogram's `_bucket` series, such as `rate(http_request_duration_seconds_bucket[5m])`"),
                );
            }
        }
    });
}

/// The grouping index of `target` (an aggregation inside `root`), by walking in analysis order.
fn groupings_before(root: &Expr, target: &Expr) -> Option<usize> {
    let target = super::unparen(target) as *const Expr;
    let mut found = None;
    super::visit(root, &mut |n| {
        if std::ptr::eq(n.expr, target) {
            found = n.grouping;
        }
    });
    found
}
