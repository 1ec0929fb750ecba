use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;

lint! {
    /// Finds selectors of metrics in the catalog's namespace that are neither in the catalog nor
    /// recorded by a rule.
    ///
    /// ## Why it matters
    /// A selector of a metric nobody exports returns nothing, forever: the alert never fires and
    /// the panel stays empty, silently. Usually it is a typo or a metric renamed in the code.
    ///
    /// ## Example
    /// ```promql
    /// rate(app_critic_failure_total[5m])
    /// ```
    ///
    /// ## Scope
    /// The catalog owns the namespaces of its instrumented metrics (`app_` for `app_decisions_total`):
    /// the service registers exactly the catalog's metrics, so an unknown name there cannot exist.
    /// Names outside them (another exporter's, such as `node_cpu_seconds_total`) are checked
    /// only against a running Prometheus (`lint --prometheus URL`): one with no series of the
    /// name in the look-back window gives a warning, since the series may still appear.
    ///
    /// ## Fix
    /// Use the catalog's name (`app_critic_failures_total`), better through the catalog's
    /// `static` with `select(&app::CRITIC_FAILURES_TOTAL)`, or add the metric to the catalog.
    pub static LINT = ("promql/unknown-metric", Error, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    if let Some(server) = cx.server {
        for selector in &rule.analysis.selectors {
            let Some(name) = &selector.name else { continue };
            let known = super::lookup(cx.catalog, name).is_some()
                || cx.recorded.contains_key(name.as_str())
                || super::BUILTIN_SERIES.contains(&name.as_str());
            if !known && !cx.catalog.owns(name) && !server.has(name) {
                out.push(
                    Finding::new(
                        format!("no series of `{name}` at {}", server.source),
                        At::Expr(selector.span.clone()),
                        "nothing to select",
                    )
                    .rests_on(server.assumption()),
                );
            }
        }
    }
    for selector in &rule.analysis.selectors {
        let Some(name) = &selector.name else { continue };
        let known = super::lookup(cx.catalog, name).is_some()
            || cx.recorded.contains_key(name.as_str())
            || super::BUILTIN_SERIES.contains(&name.as_str());
        // Of a name outside the catalog's namespaces nothing is known: another exporter may
        // well expose it.
        if !known && cx.catalog.owns(name) {
            let namespace = cx
                .catalog
                .namespaces()
                .find(|ns| name.starts_with(ns))
                .unwrap_or_default();
            let mut finding = Finding::new(
                format!("unknown metric `{name}`"),
                At::Expr(selector.span.clone()),
                "not in the catalog nor recorded by any rule",
            )
            .note(format!(
                "the catalog owns the namespace `{namespace}`: the service exposes exactly the catalog's metrics"
            ));
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
