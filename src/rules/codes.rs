//! The codes of the rule checks: what `promtool check rules` (Prometheus 2.42) rejects in a rule
//! group, found while lowering the DSL ([`super::lower`]) or reading a rule file
//! ([`super::file`]); PromQL faults are reported here for every target that holds PromQL.

use crate::diagnostics::registry::codes;

codes! {
    /// An expression that does not parse as PromQL, or is empty.
    ///
    /// ## Why
    /// Prometheus refuses to load a rule file (or a dashboard panel shows an error) when an
    /// expression does not parse: every rule of the file stops being evaluated.
    ///
    /// ## Example
    /// ```text
    /// Record::new("job:app_decisions:rate5m", "sum(rate(app_decisions_total[5m])")
    /// ```
    ///
    /// ## Fix
    /// Correct the expression at the column shown (here, close the parenthesis).
    PROMQL_SYNTAX = ("promql/syntax", Error);

    /// A function the stack's Prometheus (2.42) does not have.
    ///
    /// ## Why
    /// Functions newer than the running Prometheus, or experimental ones behind a feature flag,
    /// make `promtool check rules` and Prometheus reject the whole rule file.
    ///
    /// ## Example
    /// ```text
    /// Record::new("job:x:ratio", "sort_by_label(x, \"job\")")
    /// ```
    ///
    /// ## Fix
    /// Write the expression with functions Prometheus 2.42 has, or upgrade the stack first.
    UNSUPPORTED_FUNCTION = ("promql/unsupported-function", Error);

    /// A rule group name that is not a valid file name.
    ///
    /// ## Why
    /// A group's name is also the name of the rule file it is written to: an empty name, a `/`
    /// or a leading `.` would write the file elsewhere, or hide it.
    ///
    /// ## Example
    /// ```text
    /// RuleGroup::new("app/rules")
    /// ```
    ///
    /// ## Fix
    /// Use letters, digits, `_`, `.` and `-`, starting with a letter or digit: `app-rules`.
    GROUP_NAME = ("rules/group-name", Error);

    /// Two rule groups with the same name.
    ///
    /// ## Why
    /// Prometheus rejects a rule file that repeats a group name, and the second group would
    /// overwrite the first one's file.
    ///
    /// ## Example
    /// ```text
    /// RuleGroup::new("app-alerts") ... RuleGroup::new("app-alerts")
    /// ```
    ///
    /// ## Fix
    /// Rename one of them, or merge their rules into one group.
    DUPLICATE_GROUP = ("rules/duplicate-group", Error);

    /// A rule group whose evaluation interval is zero.
    ///
    /// ## Why
    /// Prometheus reads an interval of zero as "unset" and evaluates the group at the global
    /// evaluation interval: the spec says something it does not mean. This rests on the group
    /// being meant to run at the global interval; it is a warning.
    ///
    /// ## Example
    /// ```text
    /// RuleGroup::new("app-rules").interval(secs(0))
    /// ```
    ///
    /// ## Fix
    /// Leave the interval unset to use the global evaluation interval, or give the one you mean.
    ZERO_INTERVAL = ("rules/zero-interval", Warning);

    /// A recording rule name that is not a metric name, or an alert name that is not a label
    /// value Prometheus accepts as `alertname`.
    ///
    /// ## Why
    /// Prometheus rejects the rule file: a recorded series must be a valid metric name
    /// (`[a-zA-Z_:][a-zA-Z0-9_:]*`) and an alert's name must be a valid label name.
    ///
    /// ## Example
    /// ```text
    /// Record::new("job-decisions-rate", "...")
    /// ```
    ///
    /// ## Fix
    /// Use `level:metric:operations` for recorded series (`job:app_decisions:rate5m`) and
    /// CamelCase for alerts (`AppCriticHighFailureRate`).
    NAME = ("rules/name", Error);

    /// An invalid label name on a rule, or a label Sextant sets itself (`severity`, `alertname`)
    /// set by hand.
    ///
    /// ## Why
    /// Prometheus rejects a label name that does not match `[a-zA-Z_][a-zA-Z0-9_]*` or starts
    /// with `__`; a hand-written `severity` would contradict the one the alert's constructor sets.
    ///
    /// ## Example
    /// ```text
    /// Alert::warning("AppSlow", "...").label("team-name", "app")
    /// ```
    ///
    /// ## Fix
    /// Rename the label (`team_name`); choose the severity with `Alert::critical`,
    /// `Alert::warning` or `Alert::info`.
    LABEL_NAME = ("rules/label-name", Error);

    /// An annotation name that is not a valid label name.
    ///
    /// ## Why
    /// Prometheus rejects a rule whose annotation names do not match `[a-zA-Z_][a-zA-Z0-9_]*`.
    ///
    /// ## Example
    /// ```text
    /// .annotation("runbook-url", "https://...")
    /// ```
    ///
    /// ## Fix
    /// Use `_` instead of `-`: `runbook_url`.
    ANNOTATION_NAME = ("rules/annotation-name", Error);

    /// A label or annotation value that is not a valid Go template.
    ///
    /// ## Why
    /// Prometheus expands labels and annotations as Go templates: one that does not parse, or
    /// calls a function Prometheus does not define, makes the rule file fail to load.
    ///
    /// ## Example
    /// ```text
    /// .annotation("summary", "{{ $labels.critic }")
    /// ```
    ///
    /// ## Fix
    /// Close the action (`{{ $labels.critic }}`) and use only Prometheus's template functions.
    TEMPLATE = ("rules/template", Error);

    /// Two recording rules in a group that record the same series with the same labels.
    ///
    /// ## Why
    /// Both rules write the same series at every evaluation: Prometheus rejects the second
    /// sample as a duplicate, and which value wins is undefined.
    ///
    /// ## Example
    /// ```text
    /// Record::new("job:x:rate5m", "sum by (job) (rate(x[5m]))") twice in one group
    /// ```
    ///
    /// ## Fix
    /// Remove one, or tell them apart with a label (`.label("window", "5m")`).
    DUPLICATE = ("rules/duplicate", Error);

    /// A rule file field that `promtool check rules` rejects: unknown or repeated, of the wrong
    /// type, missing (`name`, `expr`), `record` and `alert` both or neither, alert-only fields on
    /// a recording rule, or a malformed duration.
    ///
    /// ## Why
    /// Prometheus refuses to load the whole file: none of its rules are evaluated.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: app
    ///     rules:
    ///       - record: job:x:rate5m
    ///         expr: sum(rate(x[5m]))
    ///         for: 5m
    /// ```
    ///
    /// ## Fix
    /// Do what the message says: here, drop `for`, which only alerts have.
    FIELD = ("rules/field", Error);

    /// A rule file that is not valid YAML.
    ///
    /// ## Why
    /// Prometheus refuses to load it, and nothing else in it can be checked.
    ///
    /// ## Example
    /// ```yaml
    /// groups:
    ///   - name: app
    ///     rules: [
    /// ```
    ///
    /// ## Fix
    /// Correct the YAML at the position shown.
    YAML = ("rules/yaml", Error);
}
