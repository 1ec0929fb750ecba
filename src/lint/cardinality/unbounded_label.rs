use crate::ir::Ir;
use crate::lint::{lint, At, Context, Finding, Target};

lint! {
    /// Finds catalog labels whose name says they hold one value per user, request or address
    /// (`user_id`, `request_id`, `email`, `ip`, `path`, `trace_id`, ...).
    ///
    /// ## Why it matters
    /// Every distinct label value is a new series, kept in memory for hours and on disk for the
    /// retention. A label with one value per user or request grows without bound and takes
    /// Prometheus down (the seed: "keep label cardinality low"). Even when the catalog caps
    /// the domain, the name invites the wrong values.
    ///
    /// This lint reads the spec's catalog, so it runs with `lint` (the spec), not on rule files.
    /// It reads the metrics the service instruments: an external metric's labels (an
    /// exporter's, or one `sextant import` found in existing queries) are not the spec's to
    /// choose.
    ///
    /// ## Example
    /// ```text
    /// metric.labels(user_id=user_id, request_id=request_id).inc()
    /// ```
    ///
    /// ## Fix
    /// Record a bounded property instead (`user_type`, `api_version`, a status class), and put
    /// identifiers in logs and trace attributes, where they are searchable without the cost.
    pub static LINT = ("cardinality/unbounded-label", Error, crate::lint::Check::Spec(check));
}

fn check(cx: &Context, _: &Ir, out: &mut Vec<(Target, Finding)>) {
    for metric in cx.catalog.instrumented() {
        for label in metric.labels {
            if super::looks_unbounded(label.name) {
                out.push((
                    Target::Catalog,
                    Finding::new(
                        format!(
                            "label `{}` of `{}` looks unbounded",
                            label.name, metric.name
                        ),
                        At::Rule,
                        "",
                    )
                    .note(format!(
                        "`{}` allows {} values; record a bounded property (a type, a class) and keep identifiers in logs and traces",
                        label.name,
                        label.domain.max_values()
                    )),
                ));
            }
        }
    }
}
