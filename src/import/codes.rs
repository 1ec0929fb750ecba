//! The codes of `sextant import`: what an importer read but cannot write with the DSL yet. Each
//! is a warning naming the file, the item (dashboard, panel, variable...) and the field: the
//! imported module compiles and builds without it, and nothing is dropped without being said.

use crate::diagnostics::registry::codes;

codes! {
    /// A dashboard panel of a kind the Grafana DSL does not have (`logs`, `barchart`,
    /// `piechart`, a plugin), or one that queries a datasource other than Prometheus (Loki,
    /// Elasticsearch, a mixed panel): it is not imported.
    ///
    /// ## Why
    /// The DSL writes the panel kinds Sextant can check (PromQL queries against the catalog);
    /// the imported dashboard lacks this panel until the DSL has its kind.
    ///
    /// ## Example
    /// ```json
    /// {"type": "logs", "title": "Errors", "datasource": {"type": "loki", "uid": "logs"}}
    /// ```
    ///
    /// ## Fix
    /// Keep the dashboard in Grafana while it needs the panel, or replace the panel with one of
    /// the DSL's kinds in the imported module.
    GRAFANA_PANEL = ("import/grafana-panel", Warning);

    /// A legacy panel (`graph`, `singlestat`) imported as the kind Grafana itself migrates it to
    /// (`timeseries`, `stat`), or a dashboard in the legacy `rows` model laid out on today's
    /// grid: the legacy display settings listed are not kept.
    ///
    /// ## Why
    /// Grafana converts these panels when it loads them; the DSL writes only today's kinds,
    /// with their own defaults for the settings the legacy ones had (fill, line width, axes).
    ///
    /// ## Example
    /// ```json
    /// {"type": "graph", "title": "Requests", "fill": 1, "linewidth": 2, "yaxes": [..]}
    /// ```
    ///
    /// ## Fix
    /// Check the imported panel in Grafana and set what matters with the DSL's options.
    GRAFANA_MIGRATED = ("import/grafana-migrated", Warning);

    /// A dashboard, panel or query field the DSL cannot express yet (an option with another
    /// value than the DSL writes, field overrides, transformations, a unit or colour outside the
    /// DSL's sets, a hidden query...): the imported item is written without it.
    ///
    /// ## Why
    /// The DSL keeps a closed set of settings so that every dashboard is checked and consistent;
    /// the imported panel shows differently from the original in this field.
    ///
    /// ## Example
    /// ```json
    /// {"type": "timeseries", "options": {"tooltip": {"mode": "single"}}}
    /// ```
    ///
    /// ## Fix
    /// Accept the DSL's value, or extend the DSL with the setting and import again.
    GRAFANA_FIELD = ("import/grafana-field", Warning);

    /// A template variable of a kind the DSL does not have (`adhoc`, `textbox`, `constant`, a
    /// datasource variable of another plugin than Prometheus or Jaeger): it is left out, or
    /// imported as the closest kind the message names.
    ///
    /// ## Why
    /// Queries that use a variable the dashboard does not define do not build; the DSL writes
    /// datasource, query, custom and interval variables.
    ///
    /// ## Example
    /// ```json
    /// {"type": "constant", "name": "cluster", "query": "prod"}
    /// ```
    ///
    /// ## Fix
    /// Check the imported variable; replace a constant by its value in the queries.
    GRAFANA_VARIABLE = ("import/grafana-variable", Warning);

    /// An annotation or a link the DSL cannot express (an annotation on another datasource than
    /// Prometheus, a link to a URL that is neither http(s) nor a Grafana path, a dashboard list
    /// without tags): it is not imported.
    ///
    /// ## Why
    /// The DSL writes PromQL annotations and links it can check.
    ///
    /// ## Example
    /// ```json
    /// {"name": "Deploys", "datasource": {"type": "loki", "uid": "logs"}, "expr": "{app=\"x\"}"}
    /// ```
    ///
    /// ## Fix
    /// Add the annotation or link by hand once the DSL has its kind.
    GRAFANA_ANNOTATION = ("import/grafana-annotation", Warning);

    /// A datasource the imported dashboards use, declared in the module's `datasources()` with
    /// a placeholder URL (`http://prometheus:9090`): the dashboards named it by uid or name, and
    /// provisioning it needs its address.
    ///
    /// ## Why
    /// A dashboard of the spec may only use datasources the spec provisions; the file does not
    /// say where the datasource is.
    ///
    /// ## Example
    /// ```json
    /// {"datasource": {"type": "prometheus", "uid": "prom-eu"}}
    /// ```
    ///
    /// ## Fix
    /// Set the datasource's URL in `datasources()`, or replace it with the spec's own
    /// datasource when it already provisions one with this uid (then this one is skipped).
    GRAFANA_DATASOURCE = ("import/grafana-datasource", Warning);
}
