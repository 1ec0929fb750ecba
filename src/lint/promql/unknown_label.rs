use crate::lint::labels::{Targets, OPEN_TARGETS};
use crate::lint::server::Knowledge;
use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;

lint! {
    /// Finds label matchers on labels the selected metric does not have.
    ///
    /// ## Why it matters
    /// A matcher `critic="bias_critic"` on a metric without a `critic` label matches nothing
    /// (or, with `!=`, everything): the query is silently wrong.
    ///
    /// ## Example
    /// ```promql
    /// app_decisions_total{critic="bias_critic"}
    /// ```
    ///
    /// ## Fix
    /// Match on a label the catalog declares for the metric, or select the metric that carries
    /// the label (`app_critic_verdicts_total`). `job` and `instance`, added at scrape time, and
    /// `le` on a histogram's `_bucket` series are always known.
    ///
    /// ## What it rests on
    /// The catalog lists a metric's own labels; the scrape targets may add more (service
    /// discovery, relabelling). When the spec declares its Prometheus configuration, the targets
    /// add `job` and `instance` only, and an unknown label is an error. In linted files, which
    /// run on a Prometheus we cannot see, it is a warning on the metrics the catalog owns (its
    /// instrumented metrics and namespace) and not checked on the others (`up`, `process_*`).
    pub static LINT = ("promql/unknown-label", Error, crate::lint::Check::Rule(check));
}

/// A matcher on a label no series of `name` carries at the Prometheus `lint --prometheus` asked:
/// it matches nothing (or, negated, everything).
fn from_server(
    server: &Knowledge,
    name: &str,
    selector: &crate::syntax::promql::SelectorUse,
    out: &mut Vec<Finding>,
) {
    let Some(facts) = server.series.get(name).filter(|f| f.series > 0) else {
        return;
    };
    for ((label, _, _), span) in selector.matchers.iter().zip(&selector.matcher_spans) {
        if facts.labels.contains(label) || label == "__name__" {
            continue;
        }
        let have: Vec<&str> = facts.labels.iter().map(String::as_str).collect();
        out.push(
            Finding::new(
                format!(
                    "no series of `{name}` at {} has a label `{label}`",
                    server.source
                ),
                At::Expr(span.clone()),
                "unknown label",
            )
            .note(format!(
                "its {} series have: {}",
                facts.series,
                have.join(", ")
            ))
            .rests_on(server.assumption()),
        );
    }
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let targets_known = cx.targets == Targets::Known;
    for selector in &rule.analysis.selectors {
        let Some(name) = &selector.name else { continue };
        let Some(found) = super::lookup(cx.catalog, name) else {
            if let Some(server) = cx.server {
                from_server(server, name, selector, out);
            }
            continue;
        };
        // Of a metric the catalog does not own (`up`, `process_*`: every target exports them),
        // the labels are the targets' own when the spec does not say what the targets add.
        let owned = cx.catalog.owns(name);
        if !owned && !targets_known {
            continue;
        }
        for ((label, _, _), span) in selector.matchers.iter().zip(&selector.matcher_spans) {
            let known = found.metric.label(label).is_some()
                || super::TARGET_LABELS.contains(&label.as_str())
                || (label == "le" && found.suffix == Some("_bucket"));
            if !known {
                let labels: Vec<&str> = found.metric.labels.iter().map(|l| l.name).collect();
                let finding = Finding::new(
                    format!("`{name}` has no label `{label}`"),
                    At::Expr(span.clone()),
                    "unknown label",
                )
                .note(if labels.is_empty() {
                    format!("`{}` has no labels of its own", found.metric.name)
                } else {
                    format!(
                        "`{}` has the labels: {}",
                        found.metric.name,
                        labels.join(", ")
                    )
                });
                out.push(if targets_known {
                    finding
                } else {
                    finding.rests_on(OPEN_TARGETS)
                });
            }
        }
    }
}
