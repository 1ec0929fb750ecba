//! The codes of the Grafana checks: datasources and dashboards lowered from the DSL
//! ([`super::lower`]) or read from dashboard JSON ([`super::file`]), and the schema check of what
//! the emitter writes ([`super::schema`]).

use crate::diagnostics::registry::codes;

codes! {
    /// A dashboard file that is not valid JSON.
    ///
    /// ## Why
    /// Grafana cannot load it, and nothing else in it can be checked.
    ///
    /// ## Example
    /// ```json
    /// {"title": "App", "panels": [}
    /// ```
    ///
    /// ## Fix
    /// Correct the JSON at the position shown.
    JSON = ("grafana/json", Error);

    /// A dashboard that does not match Sextant's dashboard schema (`schemas/dashboard.schema.json`):
    /// a panel without a valid `gridPos`, a missing or malformed `uid`, a wrong structure. On
    /// the spec's own output it is a bug in Sextant's emitter, and nothing is written.
    ///
    /// ## Why
    /// Grafana places panels by `gridPos` and addresses dashboards by `uid`: without them panels
    /// pile up at the top left and links and provisioning break.
    ///
    /// ## Example
    /// ```json
    /// {"uid": "app overview", "panels": [{"type": "stat", "title": "Traffic"}]}
    /// ```
    ///
    /// ## Fix
    /// Give every panel a `gridPos` (`x`, `y`, `w`, `h`) and the dashboard a `uid` of letters,
    /// digits, `-` and `_`.
    SCHEMA = ("grafana/schema", Error);

    /// A dashboard that does not match Grafana's official dashboard schema (checked when
    /// `shared/reference` sits beside the repository).
    ///
    /// ## Why
    /// Grafana migrates or ignores what its schema does not describe, so the dashboard may show
    /// differently from what the file says. This rests on the schema published by
    /// grafana-foundation-sdk matching the Grafana that loads it; a warning.
    ///
    /// ## Example
    /// ```json
    /// {"panels": [{"type": "timeseries", "fieldConfig": {"defaults": {"unit": 5}}}]}
    /// ```
    ///
    /// ## Fix
    /// Correct the value at the pointer shown, or export the dashboard again from Grafana.
    OFFICIAL_SCHEMA = ("grafana/official-schema", Warning);

    /// A dashboard `schemaVersion` older than 36 (Grafana 9).
    ///
    /// ## Why
    /// Grafana migrates such a dashboard every time it loads it: what is stored is not what is
    /// shown, and the migration can change with every Grafana release. A warning: it still loads.
    ///
    /// ## Example
    /// ```json
    /// {"schemaVersion": 27, "panels": []}
    /// ```
    ///
    /// ## Fix
    /// Open it in a current Grafana and save or export it, to store the migrated model.
    SCHEMA_VERSION = ("grafana/schema-version", Warning);

    /// An invalid dashboard or datasource uid.
    ///
    /// ## Why
    /// A uid is the dashboard's URL and file name and how panels and links refer to a
    /// datasource or dashboard: Grafana rejects one longer than 40 characters, and other
    /// characters break URLs and file names.
    ///
    /// ## Example
    /// ```text
    /// Dashboard::new("app overview", "App overview")
    /// ```
    ///
    /// ## Fix
    /// Use 1 to 40 letters, digits, `-` and `_`: `app-overview`.
    UID = ("grafana/uid", Error);

    /// Two dashboards, or two datasources, with the same uid.
    ///
    /// ## Why
    /// Grafana keeps one of them: the other is silently not provisioned, and links go to the
    /// wrong one.
    ///
    /// ## Example
    /// ```text
    /// Dashboard::new("app", "Overview") ... Dashboard::new("app", "Critics")
    /// ```
    ///
    /// ## Fix
    /// Give each its own uid.
    DUPLICATE_UID = ("grafana/duplicate-uid", Error);

    /// A dashboard with an empty title or an empty time range.
    ///
    /// ## Why
    /// Grafana's provisioning rejects a dashboard without a title, and an empty time range
    /// shows no data.
    ///
    /// ## Example
    /// ```text
    /// Dashboard::new("app-overview", "")
    /// ```
    ///
    /// ## Fix
    /// Give it a title, and a time range such as the default (the last 6 hours).
    DASHBOARD = ("grafana/dashboard", Error);

    /// Two dashboards with the same title.
    ///
    /// ## Why
    /// Grafana's provisioning rejects two dashboards with the same title in one folder: one of
    /// them is not loaded.
    ///
    /// ## Example
    /// ```text
    /// Dashboard::new("app-a", "App") ... Dashboard::new("app-b", "App")
    /// ```
    ///
    /// ## Fix
    /// Give each its own title.
    DUPLICATE_TITLE = ("grafana/duplicate-title", Error);

    /// A datasource setting that cannot work: two default datasources, a name used twice, a URL
    /// that is not `http(s)`, an exemplar or traces-to-metrics label that is not a label name.
    ///
    /// ## Why
    /// Grafana's provisioning rejects more than one default datasource and repeated names; a bad
    /// URL or label makes the datasource or its links fail.
    ///
    /// ## Example
    /// ```text
    /// Datasource::prometheus("prom", "prometheus:9090")
    /// ```
    ///
    /// ## Fix
    /// Write the URL with its scheme (`http://prometheus:9090`); keep one default.
    DATASOURCE = ("grafana/datasource", Error);

    /// A datasource used as a kind it is not: PromQL on a tracing datasource, exemplars linked
    /// to a datasource that is not a tracing one, a variable defaulting to another kind.
    ///
    /// ## Why
    /// Grafana sends the query to the datasource as it is: Jaeger does not speak PromQL, so the
    /// panel shows an error.
    ///
    /// ## Example
    /// ```text
    /// TimeSeries::new("Rate").datasource("jaeger").query(Query::new("rate(x[5m])"))
    /// ```
    ///
    /// ## Fix
    /// Point the panel or link at a datasource of the right kind.
    DATASOURCE_KIND = ("grafana/datasource-kind", Error);

    /// A panel, link or variable that refers to a datasource the spec does not provision, or a
    /// panel with no datasource at all.
    ///
    /// ## Why
    /// Grafana shows "datasource not found" on the panel: it shows no data.
    ///
    /// ## Example
    /// ```text
    /// TimeSeries::new("Rate").datasource("prom")   // provisioned uid is "prometheus"
    /// ```
    ///
    /// ## Fix
    /// Use the uid of a provisioned datasource, or set one for the whole dashboard with
    /// `Dashboard::datasource`.
    UNKNOWN_DATASOURCE = ("grafana/unknown-datasource", Error);

    /// A dashboard file that uses a datasource uid none of the spec's provisioned datasources
    /// has.
    ///
    /// ## Why
    /// When the dashboard is loaded into the spec's Grafana, the panel shows "datasource not
    /// found". This rests on the file being meant for the Grafana the spec provisions (it may
    /// come from another one); a warning.
    ///
    /// ## Example
    /// ```json
    /// {"datasource": {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}}
    /// ```
    ///
    /// ## Fix
    /// Use a provisioned uid, or a datasource variable (`${datasource}`).
    UNPROVISIONED_DATASOURCE = ("grafana/unprovisioned-datasource", Warning);

    /// An external series (`Grafana::external_series`) whose name is not a metric name.
    ///
    /// ## Why
    /// External series are the series panels may read that neither the catalog nor the rules
    /// provide; a name that is not a metric name can match nothing.
    ///
    /// ## Example
    /// ```text
    /// Grafana::new().external_series(["node-cpu-seconds"])
    /// ```
    ///
    /// ## Fix
    /// Write the metric's real name: `node_cpu_seconds_total`.
    EXTERNAL_SERIES = ("grafana/external-series", Error);

    /// An external series the spec itself provides (the catalog has it, or a rule records it).
    ///
    /// ## Why
    /// Declaring it external turns off the checks panels reading it get (labels, kinds), and the
    /// entry outlives the reason it was added. A warning: the dashboards still work.
    ///
    /// ## Example
    /// ```text
    /// Grafana::new().external_series(["app_decisions_total"])   // in the catalog
    /// ```
    ///
    /// ## Fix
    /// Remove it from `external_series`.
    PROVIDED_EXTERNAL = ("grafana/provided-external", Warning);

    /// An invalid variable name, a variable declared twice, or a variable with no values or an
    /// interval of zero.
    ///
    /// ## Why
    /// Grafana keeps one of two variables of the same name, and a variable without values leaves
    /// every query using it empty.
    ///
    /// ## Example
    /// ```text
    /// Variable::custom("critic name", ["bias"])
    /// ```
    ///
    /// ## Fix
    /// Use letters, digits and `_` for the name; give the variable values.
    VARIABLE = ("grafana/variable", Error);

    /// A query, datasource reference or repeat that uses a variable the dashboard does not
    /// define (or one of the wrong kind).
    ///
    /// ## Why
    /// Grafana leaves `$name` in the query as it is: the PromQL does not parse, or matches
    /// nothing, and the panel shows an error or no data.
    ///
    /// ## Example
    /// ```text
    /// Query::new("sum(rate(app_decisions_total{critic=\"$critic\"}[5m]))")   // no `critic` variable
    /// ```
    ///
    /// ## Fix
    /// Declare the variable on the dashboard (`Dashboard::variable`), or use a built-in one
    /// (`$__rate_interval`, `$__range`).
    UNDEFINED_VARIABLE = ("grafana/undefined-variable", Error);

    /// A panel query or variable that reads a metric neither the catalog, the spec's rules nor
    /// `external_series` provide.
    ///
    /// ## Why
    /// A selector of a series nothing exports or records matches nothing: the panel is empty.
    ///
    /// ## Example
    /// ```text
    /// Query::new("sum(rate(app_decision_total[5m]))")   // app_decisions_total
    /// ```
    ///
    /// ## What it rests on
    /// When the spec declares its Prometheus configuration, the spec knows every series its
    /// dashboards may read, and any unknown name is an error. Otherwise (a spec without one, a
    /// linted dashboard file) the catalog is the authority only on what it owns, its
    /// instrumented metrics and their namespaces (`app_`): an unknown name there is an error,
    /// since the service exposes exactly the catalog's metrics; any other name (another
    /// exporter's, such as `node_cpu_seconds_total`) is not checked. The rule is
    /// `promql/unknown-metric`'s.
    ///
    /// ## Fix
    /// Correct the name; declare a series another system provides with
    /// `Grafana::external_series`.
    UNKNOWN_METRIC = ("grafana/unknown-metric", Error);

    /// A panel query or variable that matches on, or lists the values of, a label the metric
    /// does not have.
    ///
    /// ## Why
    /// A matcher on a label the series lack matches nothing (or everything, with `=""`), and a
    /// `label_values` variable on it has no values.
    ///
    /// ## Example
    /// ```text
    /// Variable::label_values("critic", &app::DECISIONS, "critic_name")
    /// ```
    ///
    /// ## What it rests on
    /// The catalog lists a metric's own labels; the scrape targets may add more (service
    /// discovery, relabelling). When the spec declares its Prometheus configuration, the targets
    /// add `job` and `instance` only, and an unknown label is an error. Otherwise it is a
    /// warning on the metrics the catalog owns, whose note says what it rests on, and the labels
    /// of the metrics it does not own (`up`, `process_*`) are not checked. The rule is
    /// `promql/unknown-label`'s.
    ///
    /// ## Fix
    /// Use a label the catalog declares for the metric.
    UNKNOWN_LABEL = ("grafana/unknown-label", Error);

    /// A panel with an empty title, or with queries its kind never shows (a text panel).
    ///
    /// ## Why
    /// Panel keys (and so stable panel ids) come from titles, and a query a panel does not run is
    /// dead weight that looks like it matters.
    ///
    /// ## Example
    /// ```text
    /// Text::new("").query(Query::new("up"))
    /// ```
    ///
    /// ## Fix
    /// Title the panel; remove queries from panels that show none.
    PANEL = ("grafana/panel", Error);

    /// Two panels with the same key (row and title), or whose keys hash to the same panel id; in
    /// a file, two panels with the same `id`.
    ///
    /// ## Why
    /// Grafana addresses panels by id (links, `viewPanel`, library panels, alerts): with two of
    /// the same id, one of them cannot be reached.
    ///
    /// ## Example
    /// ```text
    /// Row::new("Traffic").panel(Stat::new("Rate")).panel(TimeSeries::new("Rate"))
    /// ```
    ///
    /// ## Fix
    /// Give the panels distinct titles (or keys, with `.key(..)`); in a file, distinct ids.
    DUPLICATE_PANEL = ("grafana/duplicate-panel", Error);

    /// A panel wider than the 24-column grid, of zero height, or ending past column 24.
    ///
    /// ## Why
    /// Grafana moves or squeezes such a panel: the dashboard does not look as declared.
    ///
    /// ## Example
    /// ```text
    /// Stat::new("Rate").width(30)
    /// ```
    ///
    /// ## Fix
    /// Keep `x + w` at most 24 and the height above zero.
    LAYOUT = ("grafana/layout", Error);

    /// Two panels that overlap on the grid.
    ///
    /// ## Why
    /// Grafana pushes one of them down: the layout is not the one declared, and panels land in
    /// the wrong row.
    ///
    /// ## Example
    /// ```json
    /// [{"gridPos": {"x": 0, "y": 0, "w": 12, "h": 8}}, {"gridPos": {"x": 6, "y": 4, "w": 12, "h": 8}}]
    /// ```
    ///
    /// In a linted dashboard file it is a warning: Grafana still loads the dashboard, moving
    /// panels; in a spec's, an error, as the emitted layout would not be the declared one.
    ///
    /// ## Fix
    /// Move one of them; in the DSL, let the layout place panels.
    OVERLAP = ("grafana/overlap", Error);

    /// A panel that shows data but has no query.
    ///
    /// ## Why
    /// The panel shows "No data" forever.
    ///
    /// ## Example
    /// ```text
    /// TimeSeries::new("Decision rate")
    /// ```
    ///
    /// ## Fix
    /// Add one with `.query(..)`.
    NO_QUERY = ("grafana/no-query", Error);

    /// A panel whose min is not below its max, or whose min or max is not a finite number.
    ///
    /// ## Why
    /// Grafana cannot draw an axis or gauge with such bounds: the panel is blank or wrong.
    ///
    /// ## Example
    /// ```text
    /// Gauge::new("Saturation").min(1.0).max(0.0)
    /// ```
    ///
    /// ## Fix
    /// Set min below max, or leave them unset to scale to the data.
    MIN_MAX = ("grafana/min-max", Error);

    /// Threshold steps that do not strictly ascend.
    ///
    /// ## Why
    /// Grafana colours by the last step below the value: steps out of order colour values
    /// wrongly (a red step before a green one hides the red).
    ///
    /// ## Example
    /// ```text
    /// Thresholds::new().step(0.9, Color::Red).step(0.5, Color::Orange)
    /// ```
    ///
    /// ## Fix
    /// List the steps from the lowest value up.
    THRESHOLDS = ("grafana/thresholds", Error);

    /// A dashboard link that goes nowhere: not an `http(s)` URL nor a Grafana path, to a
    /// dashboard the spec does not declare, or by tag with no tag.
    ///
    /// ## Why
    /// The link is broken: it opens a 404 or lists nothing.
    ///
    /// ## Example
    /// ```text
    /// Link::dashboard("Critics", "app-critic")   // the uid is "app-critics"
    /// ```
    ///
    /// ## Fix
    /// Link to a declared dashboard uid or a full URL; name the tags of a tag link.
    LINK = ("grafana/link", Error);

    /// A `rate` (or `increase`, `irate`) over a fixed range in a panel query.
    ///
    /// ## Why
    /// A fixed range is too short when the dashboard is zoomed out (the panel drops samples or
    /// shows nothing at a step larger than the range) and too long zoomed in. This rests on the
    /// panel being looked at over varying time ranges; a warning.
    ///
    /// ## Example
    /// ```text
    /// Query::new("sum(rate(app_decisions_total[5m]))")
    /// ```
    ///
    /// ## Fix
    /// Use `$__rate_interval`: `sum(rate(app_decisions_total[$__rate_interval]))`.
    RATE_INTERVAL = ("grafana/rate-interval", Warning);
}
