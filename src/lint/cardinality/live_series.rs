use crate::lint::lint;

lint! {
    /// Finds metrics whose series count in a running system exceeds their budget (or, without
    /// one, the catalog's estimate). Run by `lint --live URL` only.
    ///
    /// ## Why it matters
    /// The catalog's estimate holds only if the code uses the declared label values. A label fed
    /// with raw input, a registered domain's cap raised in code, or a library adding labels
    /// shows up as more series than budgeted: the live check compares what the budget promises
    /// with what is there.
    ///
    /// `URL` is a Prometheus server (series per metric from `/api/v1/status/tsdb`, which lists
    /// the ten largest metrics in Prometheus 2.42; budgets are multiplied by `--targets N`,
    /// 1 by default) or a `/metrics` endpoint (the text exposition; series counted per family).
    ///
    /// ## Example
    /// ```text
    /// cargo run -- lint --live http://localhost:9090
    /// cargo run -- lint --live http://app:8000/metrics
    /// ```
    ///
    /// ## Fix
    /// Find the label that grew (`count by (label) (metric)`), bound it in the code, or update
    /// the catalog and its budget.
    pub static LINT = ("cardinality/live-series", Error, crate::lint::Check::Live);
}
