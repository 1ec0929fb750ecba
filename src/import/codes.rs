//! The codes of `sextant import`: what an imported file holds that the DSL cannot express, and
//! what is not imported at all. Each is reported at the file's place; nothing is dropped silently.

use crate::diagnostics::registry::codes;

codes! {
    /// Secrets an imported alertmanager.yml wrote inline, now read from files the deployment
    /// must provide.
    ///
    /// ## Why
    /// A spec can only name the file a secret is read from (`SecretFile::at`), so the secret
    /// never enters the repository. The import leaves the value where it was and names a file
    /// under `/etc/alertmanager/secrets/` for each; until those files exist, AlertManager
    /// refuses the emitted configuration.
    ///
    /// ## Example
    /// ```text
    /// global:
    ///   slack_api_url: https://hooks.slack.com/services/T000/B000/XXXX
    /// ```
    ///
    /// ## Fix
    /// Write each secret to the file the note names (a Kubernetes Secret mounted there, or a
    /// file only AlertManager can read), or change the path in the imported module.
    ALERTMANAGER_SECRET_FILES = ("import/alertmanager-secret-files", Warning);

    /// A field of an imported file that the DSL cannot express; the rest of the item is
    /// imported without it.
    ///
    /// ## Why
    /// An import is meant to give back the same configuration when built. A field the DSL has
    /// no place for (Thanos's `partial_response_strategy`, Mimir's `source_tenants`, a
    /// `PrometheusRule` group's `labels`, a Sloth SLI plugin; in an alertmanager.yml, an
    /// integration whose secret AlertManager 0.25 reads only inline, an `http_config`'s proxy
    /// or TLS settings, an email config's own `smarthost`) would be lost: it is reported so
    /// that someone decides what becomes of it. An alertmanager.yml is compared field by field
    /// with what its imported module emits, so none goes unreported.
    ///
    /// ## Example
    /// ```text
    /// groups:
    ///   - name: api
    ///     partial_response_strategy: warn
    /// ```
    ///
    /// ## Fix
    /// Set the equivalent in the spec by hand (here: `ThanosRuler`'s view of the group), or
    /// accept that it is gone.
    UNSUPPORTED = ("import/unsupported", Warning);

    /// A file of a kind `sextant import` does not read (yet): a Prometheus server
    /// configuration, another Kubernetes resource, or a kind not known at all.
    ///
    /// ## Why
    /// Nothing of the file is imported; saying so keeps the import honest about what it left.
    ///
    /// ## Example
    /// ```text
    /// sextant import prometheus.yml --into spec/src/imported
    /// ```
    ///
    /// ## Fix
    /// Write that part of the spec by hand, or leave the file out of the import.
    UNSUPPORTED_FILE = ("import/unsupported-file", Warning);

    /// A rule group, or an SLO, whose name another imported file already uses; the second is
    /// not imported.
    ///
    /// ## Why
    /// A spec writes each rule group to a file named after it (`prometheus/rules/<name>.yml`)
    /// and each SLO's series under its name: two of the same name cannot both be built. A spec
    /// also has one AlertManager configuration: a second alertmanager.yml is not imported.
    ///
    /// ## Example
    /// ```text
    /// a.yml:  groups: [{name: node, rules: [...]}]
    /// b.yml:  groups: [{name: node, rules: [...]}]
    /// ```
    ///
    /// ## Fix
    /// Rename one group in its file and import again, or import only one of them.
    DUPLICATE = ("import/duplicate", Warning);

    /// A file with errors (what `promtool check rules`, or Sloth, rejects) is not imported.
    ///
    /// ## Why
    /// The spec would not build from it: an imported file must build as it stands. The
    /// errors themselves are reported beside this diagnostic.
    ///
    /// ## Example
    /// ```text
    /// groups:
    ///   - name: api
    ///     rules:
    ///       - alert: Down
    ///         expr: up ==
    /// ```
    ///
    /// ## Fix
    /// Correct the file (the errors reported with it say where) and import it again.
    NOT_IMPORTED = ("import/not-imported", Error);

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
