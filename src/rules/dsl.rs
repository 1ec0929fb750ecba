//! The rule DSL: typed rule groups, recording rules and alert rules.
//!
//! These are the raw values a spec writes. Nothing here validates: lowering
//! ([`crate::rules::lower`]) checks everything at once and reports every fault at the Rust line that
//! declared it, which each constructor records with `#[track_caller]`.

use std::collections::BTreeMap;
use std::fmt;

use sextant_catalog::{Label, Metric};

use crate::diagnostics::Place;
use crate::syntax::duration::Duration;

/// An alert's `severity` label: a closed set, so a typo cannot route an alert nowhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertSeverity {
    /// Wakes someone up: user-visible harm now or very soon.
    Critical,
    /// Needs a look within working hours.
    Warning,
    /// Worth knowing; no action expected.
    Info,
}

impl AlertSeverity {
    pub const ALL: [AlertSeverity; 3] = [
        AlertSeverity::Critical,
        AlertSeverity::Warning,
        AlertSeverity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Critical => "critical",
            AlertSeverity::Warning => "warning",
            AlertSeverity::Info => "info",
        }
    }
}

/// The value of an alert's `severity` label. The three of [`AlertSeverity`] are the default set;
/// a spec that routes on others declares them with [`crate::spec::Spec::severities`]
/// (`pageteam`, `slack`), and an alert or route with a severity outside the spec's set is an
/// error, so a typo still cannot route an alert nowhere.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SeverityName(std::borrow::Cow<'static, str>);

impl SeverityName {
    /// A severity of the spec's own: `const PAGETEAM: SeverityName = SeverityName::new("pageteam");`.
    pub const fn new(name: &'static str) -> SeverityName {
        SeverityName(std::borrow::Cow::Borrowed(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The default set: critical, warning, info.
    pub fn defaults() -> Vec<SeverityName> {
        AlertSeverity::ALL.iter().map(|s| (*s).into()).collect()
    }
}

impl From<AlertSeverity> for SeverityName {
    fn from(severity: AlertSeverity) -> SeverityName {
        SeverityName::new(severity.as_str())
    }
}

impl From<&'static str> for SeverityName {
    fn from(name: &'static str) -> SeverityName {
        SeverityName::new(name)
    }
}

impl From<String> for SeverityName {
    fn from(name: String) -> SeverityName {
        SeverityName(std::borrow::Cow::Owned(name))
    }
}

impl From<&SeverityName> for SeverityName {
    fn from(name: &SeverityName) -> SeverityName {
        name.clone()
    }
}

impl fmt::Display for SeverityName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A PromQL expression as text: written by hand, built with [`Selector`], or both through
/// `format!`. It is parsed and checked against the catalog when the spec is lowered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PromQl(pub String);

impl From<&str> for PromQl {
    fn from(text: &str) -> PromQl {
        PromQl(text.to_string())
    }
}

impl From<String> for PromQl {
    fn from(text: String) -> PromQl {
        PromQl(text)
    }
}

impl From<Selector> for PromQl {
    fn from(selector: Selector) -> PromQl {
        PromQl(selector.to_string())
    }
}

impl fmt::Display for PromQl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A selector of a catalog metric: the name comes from the catalog's `static`, so renaming the
/// metric breaks the build here, and its labels are catalog labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    metric: &'static Metric,
    suffix: &'static str,
    matchers: Vec<(&'static str, &'static str, String)>,
}

/// Selects the series of `metric`.
pub fn select(metric: &'static Metric) -> Selector {
    Selector {
        metric,
        suffix: "",
        matchers: Vec::new(),
    }
}

impl Selector {
    pub fn eq(self, label: &'static Label, value: impl fmt::Display) -> Selector {
        self.matcher(label, "=", value)
    }

    pub fn ne(self, label: &'static Label, value: impl fmt::Display) -> Selector {
        self.matcher(label, "!=", value)
    }

    pub fn re(self, label: &'static Label, value: impl fmt::Display) -> Selector {
        self.matcher(label, "=~", value)
    }

    pub fn not_re(self, label: &'static Label, value: impl fmt::Display) -> Selector {
        self.matcher(label, "!~", value)
    }

    fn matcher(
        mut self,
        label: &'static Label,
        op: &'static str,
        value: impl fmt::Display,
    ) -> Selector {
        self.matchers.push((label.name, op, value.to_string()));
        self
    }

    /// A histogram's `_bucket` series.
    pub fn bucket(mut self) -> Selector {
        self.suffix = "_bucket";
        self
    }

    /// A histogram's `_count` series.
    pub fn count(mut self) -> Selector {
        self.suffix = "_count";
        self
    }

    /// A histogram's `_sum` series.
    pub fn sum(mut self) -> Selector {
        self.suffix = "_sum";
        self
    }

    /// The range selector `selector[range]`.
    pub fn over(&self, range: Duration) -> String {
        format!("{self}[{range}]")
    }

    pub fn metric(&self) -> &'static Metric {
        self.metric
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.metric.name, self.suffix)?;
        if !self.matchers.is_empty() {
            f.write_str("{")?;
            for (i, (label, op, value)) in self.matchers.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{label}{op}{}", crate::syntax::promql::quote(value))?;
            }
            f.write_str("}")?;
        }
        Ok(())
    }
}

/// A recording rule: `record: level:metric:operations`.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub(crate) name: String,
    pub(crate) expr: PromQl,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) origin: Place,
}

impl Record {
    #[track_caller]
    pub fn new(name: impl Into<String>, expr: impl Into<PromQl>) -> Record {
        Record {
            name: name.into(),
            expr: expr.into(),
            labels: BTreeMap::new(),
            origin: Place::caller(),
        }
    }

    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Record {
        self.labels.insert(name.into(), value.into());
        self
    }
}

/// An alerting rule. Built with the constructor of its severity: [`Alert::critical`],
/// [`Alert::warning`] or [`Alert::info`].
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub(crate) name: String,
    pub(crate) expr: PromQl,
    /// `None`: no `severity` label (an imported alert that had none; see [`Alert::unrouted`]).
    pub(crate) severity: Option<SeverityName>,
    pub(crate) for_: Duration,
    pub(crate) keep_firing_for: Duration,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) annotations: BTreeMap<String, String>,
    pub(crate) origin: Place,
}

impl Alert {
    #[track_caller]
    pub fn new(
        name: impl Into<String>,
        severity: impl Into<SeverityName>,
        expr: impl Into<PromQl>,
    ) -> Alert {
        Alert {
            name: name.into(),
            expr: expr.into(),
            severity: Some(severity.into()),
            for_: Duration::ZERO,
            keep_firing_for: Duration::ZERO,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            origin: Place::caller(),
        }
    }

    /// An alert with no `severity` label, as some existing rule files have (`sextant import`
    /// keeps them as they are). AlertManager cannot route it on severity, which the
    /// `alerts/severity` lint says.
    #[track_caller]
    pub fn unrouted(name: impl Into<String>, expr: impl Into<PromQl>) -> Alert {
        let mut alert = Alert::new(name, AlertSeverity::Info, expr);
        alert.severity = None;
        alert.origin = Place::caller();
        alert
    }

    #[track_caller]
    pub fn critical(name: impl Into<String>, expr: impl Into<PromQl>) -> Alert {
        let mut alert = Alert::new(name, AlertSeverity::Critical, expr);
        alert.origin = Place::caller();
        alert
    }

    #[track_caller]
    pub fn warning(name: impl Into<String>, expr: impl Into<PromQl>) -> Alert {
        let mut alert = Alert::new(name, AlertSeverity::Warning, expr);
        alert.origin = Place::caller();
        alert
    }

    #[track_caller]
    pub fn info(name: impl Into<String>, expr: impl Into<PromQl>) -> Alert {
        let mut alert = Alert::new(name, AlertSeverity::Info, expr);
        alert.origin = Place::caller();
        alert
    }

    /// How long the condition must hold before the alert fires.
    pub fn for_(mut self, duration: Duration) -> Alert {
        self.for_ = duration;
        self
    }

    /// How long the alert keeps firing after the condition clears (damps flapping).
    pub fn keep_firing_for(mut self, duration: Duration) -> Alert {
        self.keep_firing_for = duration;
        self
    }

    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Alert {
        self.labels.insert(name.into(), value.into());
        self
    }

    pub fn annotation(mut self, name: impl Into<String>, value: impl Into<String>) -> Alert {
        self.annotations.insert(name.into(), value.into());
        self
    }

    pub fn summary(self, text: impl Into<String>) -> Alert {
        self.annotation("summary", text)
    }

    pub fn description(self, text: impl Into<String>) -> Alert {
        self.annotation("description", text)
    }

    pub fn runbook(self, url: impl Into<String>) -> Alert {
        self.annotation("runbook_url", url)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A recording or alerting rule.
#[derive(Clone, Debug, PartialEq)]
pub enum Rule {
    Record(Record),
    Alert(Alert),
}

impl From<Record> for Rule {
    fn from(rule: Record) -> Rule {
        Rule::Record(rule)
    }
}

impl From<Alert> for Rule {
    fn from(rule: Alert) -> Rule {
        Rule::Alert(rule)
    }
}

/// A rule group: rules evaluated together, in order, at one interval. Each group is emitted to
/// its own file, `prometheus/rules/<name>.yml`.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleGroup {
    pub(crate) name: String,
    pub(crate) interval: Option<Duration>,
    pub(crate) limit: Option<u32>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) origin: Place,
    pub(crate) imported: bool,
}

impl RuleGroup {
    #[track_caller]
    pub fn new(name: impl Into<String>) -> RuleGroup {
        RuleGroup {
            name: name.into(),
            interval: None,
            limit: None,
            rules: Vec::new(),
            origin: Place::caller(),
            imported: false,
        }
    }

    /// Marks the group as imported as it was from a rule file that promtool accepts
    /// (`sextant import` writes this): what the lints find in its rules is reported as
    /// warnings, not errors, so the spec builds the configuration it replaces. Remove the call
    /// once the group has been reviewed, to hold it to the lints like any other.
    pub fn imported(mut self) -> RuleGroup {
        self.imported = true;
        self
    }

    /// The evaluation interval; Prometheus's global one when not set.
    pub fn interval(mut self, interval: Duration) -> RuleGroup {
        self.interval = Some(interval);
        self
    }

    /// The most series or alerts one evaluation may produce before the group fails.
    pub fn limit(mut self, limit: u32) -> RuleGroup {
        self.limit = Some(limit);
        self
    }

    pub fn rule(mut self, rule: impl Into<Rule>) -> RuleGroup {
        self.rules.push(rule.into());
        self
    }

    pub fn rules<R: Into<Rule>>(mut self, rules: impl IntoIterator<Item = R>) -> RuleGroup {
        self.rules.extend(rules.into_iter().map(Into::into));
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}
