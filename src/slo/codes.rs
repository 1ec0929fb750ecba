//! The codes of the SLO checks ([`super::validate`] and the pipeline's steps): an SLO that cannot
//! be turned into rules, alerts and tests that work.

use crate::diagnostics::registry::codes;

codes! {
    /// An SLO name that is not lowercase letters, digits and `-`.
    ///
    /// ## Why
    /// The name is the value of the `slo` label and part of the rule file's and the tests' file
    /// names: anything else breaks a file name or a selector.
    ///
    /// ## Example
    /// ```text
    /// Slo::new("Decision Success", "app")
    /// ```
    ///
    /// ## Fix
    /// Write it in kebab case: `decision-success`.
    NAME = ("slo/name", Error);

    /// An SLO with an empty service name.
    ///
    /// ## Why
    /// The service becomes the `service` label of every series and alert the SLO generates, and
    /// part of its alerts' names: empty, they cannot be routed or told apart.
    ///
    /// ## Example
    /// ```text
    /// Slo::new("decision-success", "")
    /// ```
    ///
    /// ## Fix
    /// Name the service the SLO is about: `Slo::new("decision-success", "app")`.
    SERVICE = ("slo/service", Error);

    /// An SLO without an SLI.
    ///
    /// ## Why
    /// Without an indicator there is nothing to record, alert on or test.
    ///
    /// ## Example
    /// ```text
    /// Slo::new("decision-success", "app").objective(99.9)
    /// ```
    ///
    /// ## Fix
    /// Add one: `.sli(Sli::error_ratio(bad, total))`, `Sli::success_ratio`, `Sli::latency` or
    /// `Sli::boolean_gauge`.
    SLI = ("slo/sli", Error);

    /// An SLO alert name, or alert name prefix, that is not a valid alert name.
    ///
    /// ## Why
    /// The name becomes the `alertname` label: Prometheus rejects a rule whose name is not a
    /// valid label name.
    ///
    /// ## Example
    /// ```text
    /// .alert_prefix("App-Decision")
    /// ```
    ///
    /// ## Fix
    /// Use letters, digits and `_`: `AppDecisionSuccess`.
    ALERT_NAME = ("slo/alert-name", Error);

    /// A burn-rate tier that can never fire: the error ratio it waits for is over 100%.
    ///
    /// ## Why
    /// A tier fires when the error ratio exceeds its burn factor times the error budget; with a
    /// loose objective (say 90%) a fast burn of 14.4 needs more than 100% errors, so the page
    /// never comes.
    ///
    /// ## Example
    /// ```text
    /// Slo::new("decision-success", "app").objective(90.0)   // page tier: 14.4 x 10% > 100%
    /// ```
    ///
    /// ## Fix
    /// Tighten the objective, or turn the tier off (`.page(Tier::off())`).
    UNREACHABLE = ("slo/unreachable", Error);

    /// An SLO without an objective, or with one outside (0, 100) percent.
    ///
    /// ## Why
    /// The error budget is 100% minus the objective: at 100% or more there is no budget to burn,
    /// at 0% or less every alert fires at once.
    ///
    /// ## Example
    /// ```text
    /// Slo::new("decision-success", "app").objective(100.0)
    /// ```
    ///
    /// ## Fix
    /// Set the objective in percent, strictly between 0 and 100: `.objective(99.9)`.
    OBJECTIVE = ("slo/objective", Error);

    /// An SLO window shorter than an hour, or shorter than the longest window its alerts read.
    ///
    /// ## Why
    /// Burn-rate alerts compare windows of up to days with the SLO window; a shorter SLO window
    /// makes the burn factors meaningless and the budget arithmetic wrong.
    ///
    /// ## Example
    /// ```text
    /// Slo::new("decision-success", "app").window(hours(2))
    /// ```
    ///
    /// ## Fix
    /// Use a window of days (`days(28)` or `days(30)` are usual).
    WINDOW = ("slo/window", Error);

    /// An SLI that reads a metric of the wrong kind: a latency SLI on something other than a
    /// histogram, a boolean gauge SLI on a non-gauge, events counted on a gauge.
    ///
    /// ## Why
    /// Events are counted with `rate`, which is only meaningful on counters; a latency SLI needs
    /// histogram buckets. The generated rules would compute nonsense.
    ///
    /// ## Example
    /// ```text
    /// Sli::latency(&app::CRITIC_INFLIGHT, 0.5)   // a gauge
    /// ```
    ///
    /// ## Fix
    /// Count events on a counter (or a histogram's `_count` or `_bucket`); for a gauge that is 1
    /// when good, use `Sli::boolean_gauge`.
    SLI_KIND = ("slo/sli-kind", Error);

    /// A latency threshold that is not one of the histogram's bucket bounds.
    ///
    /// ## Why
    /// The good events are the `_bucket` series with `le` equal to the threshold: with no such
    /// bucket the rule selects nothing and the SLO reads as 100% bad (or absent).
    ///
    /// ## Example
    /// ```text
    /// Sli::latency(&app::DECISION_SECONDS, 0.3)   // buckets 0.1, 0.25, 0.5, ...
    /// ```
    ///
    /// ## Fix
    /// Use a bucket bound as the threshold, or add the bucket to the metric in the catalog.
    LATENCY_BUCKET = ("slo/latency-bucket", Error);

    /// An SLI that reads a metric the catalog does not have.
    ///
    /// ## Why
    /// A selector of a series nothing exports matches nothing: the SLO's rules record nothing and
    /// its alerts never fire.
    ///
    /// ## Example
    /// ```text
    /// Events::promql("sum(rate(app_decision_total[{{window}}]))")   // app_decisions_total
    /// ```
    ///
    /// ## Fix
    /// Correct the name, or add the metric to the catalog.
    UNKNOWN_METRIC = ("slo/unknown-metric", Error);

    /// An SLO kept by (grouped by) a label its events do not keep.
    ///
    /// ## Why
    /// The SLO is computed per value of each dimension; when the events' metric lacks the label,
    /// or the events' expression aggregates it away, every series falls into one empty value.
    ///
    /// ## Example
    /// ```text
    /// Slo::new("critic-availability", "app").by(&app::CRITIC)   // on a metric without `critic`
    /// ```
    ///
    /// ## Fix
    /// Keep the label in the events (`sum by (critic) (...)`), or drop the dimension.
    DIMENSION = ("slo/dimension", Error);

    /// Events written as PromQL that do not parse, have no `{{window}}`, or (built by a
    /// function) ignore the window.
    ///
    /// ## Why
    /// Each alert window gets its own rule, with the range replaced by the window: without the
    /// placeholder every window would read the same range.
    ///
    /// ## Example
    /// ```text
    /// Events::promql("sum(rate(app_requests_total[5m]))")
    /// ```
    ///
    /// ## Fix
    /// Write the range as `{{window}}`: `sum(rate(app_requests_total[{{window}}]))`.
    TEMPLATE = ("slo/template", Error);

    /// An SLO label that is not a label name, or that Sextant sets itself.
    ///
    /// ## Why
    /// Sextant sets `slo`, `service`, `tier`, `component`, `severity` and the dimensions on SLO
    /// series and alerts, and routing relies on them: a label of the same name would overwrite
    /// one of them.
    ///
    /// ## Example
    /// ```text
    /// Slo::new("decision-success", "app").label("severity", "page")
    /// ```
    ///
    /// ## Fix
    /// Choose another name (`team`), or set the tier's severity through the DSL.
    LABEL = ("slo/label", Error);

    /// Two SLOs with the same name.
    ///
    /// ## Why
    /// Their rule files, recorded series and alerts would have the same names: one overwrites
    /// the other.
    ///
    /// ## Example
    /// ```text
    /// Slo::new("decision-success", "app") ... Slo::new("decision-success", "app")
    /// ```
    ///
    /// ## Fix
    /// Rename one.
    DUPLICATE = ("slo/duplicate", Error);

    /// An SLO for which no promtool test can be generated.
    ///
    /// ## Why
    /// The generated tests feed synthetic series into the events' selectors, which needs each
    /// event count to be one selector with `=`, `!=` or plain alternations. The SLO's rules are
    /// still generated; only the proof that its alerts fire at the designed burn rates is
    /// missing, so this is a warning.
    ///
    /// ## Example
    /// ```text
    /// Events::promql("sum(rate(a[{{window}}])) + sum(rate(b[{{window}}]))")
    /// ```
    ///
    /// ## Fix
    /// Record the combined count first and count events on the recorded series, or accept the
    /// SLO untested (`LintConfig::allow("slo/untested")`).
    UNTESTED = ("slo/untested", Warning);

    /// An SLO tier whose severity is not one of the spec's severities.
    ///
    /// ## Why
    /// AlertManager routes on `severity`: a value no route expects (a typo, a severity another
    /// team uses) falls through to the default route, so a page may reach nobody. The spec's set
    /// is critical, warning and info unless it declares its own.
    ///
    /// ## Example
    /// ```text
    /// .page(Tier::on().severity("pagetaem"))
    /// ```
    ///
    /// ## Fix
    /// Use one of the spec's severities, or declare the one you route on:
    /// `Spec::new(CATALOG).severities(["pageteam", "slack"])`.
    SEVERITY = ("slo/severity", Error);

    /// A regex matcher of an SLI that no value of the label's closed domain matches.
    ///
    /// ## Why
    /// The label can only take the catalog's values: a regex that matches none of them selects
    /// nothing, so the SLI counts no events (no errors: the SLO is always met; no total: it
    /// never has data).
    ///
    /// ## Example
    /// ```text
    /// Events::promql(r#"sum(rate(http_requests_total{code=~"5.."}[{{window}}]))"#) // code is 2xx..5xx
    /// ```
    ///
    /// ## Fix
    /// Match the domain's values (`code=~"5xx"`), or add the values to the label's domain.
    REGEX = ("slo/regex", Error);
}
