use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;

lint! {
    /// Finds selectors of metrics that are neither in the catalog nor recorded by a rule.
    ///
    /// ## Why it matters
    /// A selector of a metric nobody exports returns nothing, forever: the alert never fires and
    /// the panel stays empty, silently. Usually it is a typo or a metric renamed in the code.
    ///
    /// ## Example
    /// ```promql
    /// rate(eje_critic_failure_total[5m])
    /// ```
    ///
    /// ## Fix
    /// Use the catalog's name (`eje_critic_failures_total`), better through the catalog's
    /// `static` with `select(&eje::CRITIC_FAILURES_TOTAL)`, or add the metric to the catalog.
    pub static LINT = ("promql/unknown-metric", Error, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for selector in &rule.analysis.selectors {
        let Some(name) = &selector.name else { continue };
        let known = super::lookup(cx.catalog, name).is_some()
            || cx.recorded.contains_key(name.as_str())
            || super::BUILTIN_SERIES.contains(&name.as_str());
        if !known {
            let mut finding = Finding::new(
                format!("unknown metric `{name}`"),
                At::Expr(selector.span.clone()),
                "not in the catalog nor recorded by any rule",
            );
            if let Some(close) = closest(cx, name) {
                finding = finding.note(format!("did you mean `{close}`?"));
            }
            out.push(finding);
        }
    }
}

/// The known series nearest to `name`, when it is near enough to be a typo.
fn closest(cx: &Context, name: &str) -> Option<String> {
    let candidates = cx
        .catalog
        .metrics
        .iter()
        .flat_map(|m| m.series_names())
        .chain(cx.recorded.keys().map(|k| k.to_string()));
    crate::diagnostics::suggest::closest(name, candidates)
}
