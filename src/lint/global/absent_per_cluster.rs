use crate::ir::Ir;
use crate::lint::{lint, At, Context, Finding, Target};

lint! {
    /// Finds `absent()` and `absent_over_time()` on a ruler that sees every cluster's series,
    /// when the selector does not pin each external label.
    ///
    /// ## Why it matters
    /// On one Prometheus, `absent(up{job="app"})` fires when that cluster stops reporting. On a
    /// global view the selector matches every cluster's series, so it fires only when all of them
    /// are gone: one cluster going silent is never seen, which is the case the alert exists for.
    ///
    /// ## Example
    /// ```promql
    /// absent(app_decisions_total{job="app"})
    /// ```
    ///
    /// ## Fix
    /// Compare each cluster with itself in the past:
    /// `group by (cluster) (app_decisions_total offset 1h) unless group by (cluster) (app_decisions_total)`,
    /// or pin the cluster (`{cluster="eu-1"}`), one alert per cluster.
    pub static LINT = ("global/absent-per-cluster", Warning, crate::lint::Check::Spec(check));
}

fn check(cx: &Context, ir: &Ir, out: &mut Vec<(Target, Finding)>) {
    for (target, rule, ruler, global) in super::evaluated(cx, ir) {
        if !global || ruler.external_labels.is_empty() {
            continue;
        }
        for selector in &rule.analysis.selectors {
            let Some(function) = selector
                .function
                .filter(|f| matches!(*f, "absent" | "absent_over_time"))
            else {
                continue;
            };
            let unpinned: Vec<String> = ruler
                .external_labels
                .iter()
                .filter(|l| {
                    !selector
                        .matchers
                        .iter()
                        .any(|(name, op, _)| name == *l && *op == "=")
                })
                .map(|l| format!("`{l}`"))
                .collect();
            if unpinned.is_empty() {
                continue;
            }
            let names = unpinned.join(", ");
            out.push((
                target,
                Finding::new(
                    format!(
                        "`{function}()` on {} sees every cluster's series: it fires only when all clusters lost them",
                        ruler.name
                    ),
                    At::Expr(selector.span.clone()),
                    format!("matches series of every {names}"),
                )
                .note("compare each cluster with its own past: `group by (cluster) (x offset 1h) unless group by (cluster) (x)`, or pin the cluster in the selector"),
            ));
        }
    }
}
