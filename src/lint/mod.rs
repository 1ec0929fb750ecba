//! The linter: advice on validated rules, checked against the metric catalog.
//!
//! Each lint is one file with its docs (what it finds, why it matters, an example, the fix) as
//! its doc comment, declared with [`lint!`]; a line in [`REGISTRY`] turns it on, and the
//! diagnostic registry ([`crate::diagnostics::registry`]) lists it with every other code. A spec
//! can turn a lint off or change its severity ([`LintConfig`]), and a linted YAML file can turn
//! one off for a rule or group with a `# sextant: disable=CODE` comment on or above it.
//! `explain CODE` prints the doc comment; `docs/diagnostics.md` is generated from the registry.

use std::collections::BTreeMap;
use std::ops::Range;

use sextant_catalog::{Catalog, Metric};

use crate::diagnostics::registry::{Code, Kind};
use crate::diagnostics::{Diagnostic, Origin, Severity};
use crate::ir::{Ir, Place};
use crate::rules::ir;
use crate::syntax::duration::{secs, Duration};

pub mod alerts;
pub mod cardinality;
pub mod files;
pub mod global;
pub mod labels;
pub mod live;
pub mod promql;
pub mod rules;
pub mod server;

/// Declares a lint: its doc comment becomes both rustdoc and the text `explain` prints.
macro_rules! lint {
    ($(#[doc = $doc:literal])* $vis:vis static $name:ident = ($code:literal, $severity:ident, $check:expr);) => {
        $(#[doc = $doc])*
        $vis static $name: $crate::lint::Lint = $crate::lint::Lint {
            code: $code,
            default: $crate::diagnostics::Severity::$severity,
            docs: concat!($($doc, "\n"),*),
            check: $check,
        };
    };
}
pub(crate) use lint;

/// One lint rule.
pub struct Lint {
    /// `group/name`.
    pub code: &'static str,
    pub default: Severity,
    /// The doc comment, in Markdown.
    pub docs: &'static str,
    pub check: Check,
}

impl Lint {
    /// The lint as a registered code ([`crate::diagnostics::registry`]).
    pub fn as_code(&self) -> Code {
        Code {
            code: self.code,
            default: self.default,
            docs: self.docs,
            kind: Kind::Lint,
        }
    }

    /// The first paragraph of the docs, on one line.
    pub fn summary(&self) -> String {
        self.as_code().summary()
    }

    /// The docs without rustdoc's leading space.
    pub fn explain(&self) -> String {
        self.as_code().explain()
    }
}

/// What a lint looks at.
pub enum Check {
    /// Each rule, alerting or recording.
    Rule(fn(&Context, &ir::Rule, &mut Vec<Finding>)),
    /// Each group as a whole.
    Group(fn(&Context, &ir::Group, &mut Vec<Finding>)),
    /// The whole spec at once: the catalog, budgets, rules across groups.
    Spec(fn(&Context, &Ir, &mut Vec<(Target, Finding)>)),
    /// A running system, read by `lint --live` (see [`live`]); never run offline.
    Live,
}

/// What a [`Check::Spec`] finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The catalog or the spec's settings: there is no rule to point at.
    Catalog,
    /// A group, by index in [`Ir::groups`].
    Group(usize),
    /// A rule, by group and rule index.
    Rule(usize, usize),
}

/// Every lint, in the order `explain --list` and the docs show them.
pub static REGISTRY: &[&Lint] = &[
    &promql::unknown_metric::LINT,
    &promql::unknown_label::LINT,
    &promql::label_value::LINT,
    &promql::rate_non_counter::LINT,
    &promql::counter_without_rate::LINT,
    &promql::histogram_quantile::LINT,
    &promql::range_too_short::LINT,
    &promql::by_missing_label::LINT,
    &promql::nan_division::LINT,
    &cardinality::unbounded_label::LINT,
    &cardinality::budget::LINT,
    &cardinality::recorded_series::LINT,
    &cardinality::match_all::LINT,
    &cardinality::unbounded_grouping::LINT,
    &cardinality::live_series::LINT,
    &rules::record_name::LINT,
    &rules::group_interval::LINT,
    &alerts::annotations::LINT,
    &alerts::comparison::LINT,
    &alerts::for_duration::LINT,
    &alerts::severity::LINT,
    &alerts::template_label::LINT,
    &alerts::duplicate::LINT,
    &global::aggregation_drops_label::LINT,
    &global::downsampled_range::LINT,
    &global::absent_per_cluster::LINT,
];

pub fn find(code: &str) -> Option<&'static Lint> {
    REGISTRY.iter().copied().find(|l| l.code == code)
}

/// What the checks know besides the rule: the catalog, the recorded series and the labels
/// they carry, the settings.
pub struct Context<'a> {
    pub catalog: &'a Catalog,
    pub recorded: BTreeMap<&'a str, &'a ir::Rule>,
    /// The labels each recorded series carries, where the expression tells
    /// ([`labels::output`]); `None` when it cannot be known.
    pub recorded_labels: BTreeMap<&'a str, Option<labels::Labels>>,
    /// What the scrape targets add to every series: known when the spec declares the scrape
    /// configuration the rules run under, open for linted files.
    pub targets: labels::Targets,
    /// What a running Prometheus knows of the series the rules read (`lint --prometheus`).
    pub server: Option<&'a server::Knowledge>,
    pub config: &'a LintConfig,
    pub scrape_interval: Duration,
}

impl<'a> Context<'a> {
    pub fn new(
        ir: &'a Ir,
        catalog: &'a Catalog,
        config: &'a LintConfig,
        targets: labels::Targets,
    ) -> Context<'a> {
        let recorded = ir.recorded();
        let recording_rules: Vec<&ir::Rule> = ir
            .rules()
            .filter(|r| r.kind == ir::RuleKind::Record)
            .collect();
        let recorded_labels = labels::recorded(catalog, &targets, &recording_rules);
        Context {
            catalog,
            recorded,
            recorded_labels,
            targets,
            server: None,
            config,
            scrape_interval: config.scrape_interval.unwrap_or(secs(15)),
        }
    }

    /// The labels `expr` yields, where they can be known.
    pub fn output_labels(&self, expr: &crate::syntax::promql::Expr) -> Option<labels::Labels> {
        labels::output(
            self.catalog,
            &self.recorded_labels,
            &self.targets,
            expr,
            &mut |_, _| {},
        )
    }
}

/// Where in a rule a finding is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum At {
    /// The rule (or group) as a whole.
    Rule,
    /// A byte range of the expression.
    Expr(Range<usize>),
    /// A byte range of an annotation's value.
    Annotation(String, Range<usize>),
    /// A byte range of a label's value.
    Label(String, Range<usize>),
}

/// A lint's finding, before the configured severity and the place are attached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub message: String,
    pub at: At,
    pub label: String,
    pub notes: Vec<String>,
    /// What the finding rests on, when that is an assumption rather than a fact: such a
    /// finding is reported as a warning at most, with a note that says so (the severity
    /// contract: an error is what the engine rejects or what certainly misbehaves).
    pub rests_on: Option<String>,
}

impl Finding {
    pub fn new(message: impl Into<String>, at: At, label: impl Into<String>) -> Finding {
        Finding {
            message: message.into(),
            at,
            label: label.into(),
            notes: Vec::new(),
            rests_on: None,
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Finding {
        self.notes.push(note.into());
        self
    }

    /// Marks the finding as resting on `assumption` (see [`Finding::rests_on`]).
    pub fn rests_on(mut self, assumption: impl Into<String>) -> Finding {
        self.rests_on = Some(assumption.into());
        self
    }
}

/// Series budgets: the most series a metric (or a recorded series) may have per scrape target,
/// and the most all of them may have together.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Budgets {
    /// By metric family or recorded series name.
    pub per_metric: BTreeMap<String, u64>,
    /// For every catalog metric and recorded series together.
    pub total: Option<u64>,
}

/// The settings a spec makes: any diagnostic code off (`None`) or at another severity (applied
/// to every diagnostic by [`crate::diagnostics::configure`], a check's errors excepted), and what
/// some lints measure against.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LintConfig {
    pub overrides: BTreeMap<String, Option<Severity>>,
    /// Where each override was made, for the diagnostics about the settings themselves.
    pub origins: BTreeMap<String, Origin>,
    /// The scrape interval rules' ranges are checked against [default: 15s].
    pub scrape_interval: Option<Duration>,
    /// The shortest `for` an alert may have [default: 1m].
    pub min_for: Option<Duration>,
    pub budgets: Budgets,
    /// The rulers of distributed engines that evaluate the rules, for the `global/` lints;
    /// [`crate::spec::Spec::lint_config`] adds the spec's own.
    pub rulers: Vec<RulerView>,
    /// The `severity` values alerts may carry [default: critical, warning, info].
    pub severities: Option<Vec<crate::rules::SeverityName>>,
}

/// What a ruler of a distributed engine (Thanos Ruler, the Mimir ruler) evaluates and sees.
#[derive(Clone, Debug, PartialEq)]
pub struct RulerView {
    /// The ruler, for messages: `Thanos Ruler`.
    pub name: String,
    /// The groups it evaluates, by name, each with whether it sees every cluster's series at
    /// once (a global view) rather than one cluster's.
    pub groups: BTreeMap<String, bool>,
    /// Its evaluation interval, for groups without their own.
    pub evaluation_interval: Duration,
    /// From what age of the data only what resolution is left: (age, resolution), by age.
    pub downsampling: Vec<(Duration, Duration)>,
    /// The external labels that tell the clusters' series apart (`cluster`).
    pub external_labels: Vec<String>,
    /// The label telling HA replicas apart, which a global view deduplicates away.
    pub replica_label: Option<String>,
}

impl RulerView {
    /// Whether it evaluates `group`, and on a global view.
    pub fn evaluates(&self, group: &str) -> Option<bool> {
        self.groups.get(group).copied()
    }
}

impl LintConfig {
    pub fn severity(&self, lint: &Lint) -> Option<Severity> {
        match self.overrides.get(lint.code) {
            Some(setting) => *setting,
            None => Some(lint.default),
        }
    }

    /// Turns a code off: a lint, or a check's warning or info.
    #[track_caller]
    pub fn allow(mut self, code: &str) -> LintConfig {
        self.overrides.insert(code.to_string(), None);
        self.origins.insert(code.to_string(), Origin::caller());
        self
    }

    /// Reports a code at another severity: a lint, or a check's warning or info.
    #[track_caller]
    pub fn set(mut self, code: &str, severity: Severity) -> LintConfig {
        self.overrides.insert(code.to_string(), Some(severity));
        self.origins.insert(code.to_string(), Origin::caller());
        self
    }

    /// The severities alerts and routes may use, instead of critical, warning and info.
    pub fn severities<S: Into<crate::rules::SeverityName>>(
        mut self,
        severities: impl IntoIterator<Item = S>,
    ) -> LintConfig {
        self.severities = Some(severities.into_iter().map(Into::into).collect());
        self
    }

    /// The spec's severities: its own, or critical, warning and info.
    pub fn allowed_severities(&self) -> Vec<crate::rules::SeverityName> {
        self.severities
            .clone()
            .unwrap_or_else(crate::rules::SeverityName::defaults)
    }

    pub fn scrape_interval(mut self, interval: Duration) -> LintConfig {
        self.scrape_interval = Some(interval);
        self
    }

    pub fn min_for(mut self, duration: Duration) -> LintConfig {
        self.min_for = Some(duration);
        self
    }

    /// The most series `metric` may have per scrape target.
    pub fn budget(mut self, metric: &Metric, series: u64) -> LintConfig {
        self.budgets
            .per_metric
            .insert(metric.name.to_string(), series);
        self
    }

    /// The most series a recording rule's output `name` may have.
    pub fn record_budget(mut self, name: &str, series: u64) -> LintConfig {
        self.budgets.per_metric.insert(name.to_string(), series);
        self
    }

    /// A ruler that evaluates the rules (see [`RulerView`]).
    pub fn ruler(mut self, view: RulerView) -> LintConfig {
        self.rulers.push(view);
        self
    }

    /// The most series all catalog metrics and recorded series may have together, per target.
    pub fn total_budget(mut self, series: u64) -> LintConfig {
        self.budgets.total = Some(series);
        self
    }
}

/// Runs every enabled lint over the IR of a spec, the catalog and budgets included.
pub fn run(ir: &Ir, catalog: &Catalog, config: &LintConfig) -> Vec<Diagnostic> {
    run_scoped(ir, catalog, config, true, None)
}

/// Runs every enabled lint over the IR of linted files: the rules only, since the catalog and
/// its budgets are the spec's business (`lint` without paths reports on them).
pub fn run_files(ir: &Ir, catalog: &Catalog, config: &LintConfig) -> Vec<Diagnostic> {
    run_scoped(ir, catalog, config, false, None)
}

/// [`run_files`], knowing also what a running Prometheus knows of the series the rules read.
pub fn run_files_with(
    ir: &Ir,
    catalog: &Catalog,
    config: &LintConfig,
    server: Option<&server::Knowledge>,
) -> Vec<Diagnostic> {
    run_scoped(ir, catalog, config, false, server)
}

fn run_scoped(
    ir: &Ir,
    catalog: &Catalog,
    config: &LintConfig,
    spec: bool,
    server: Option<&server::Knowledge>,
) -> Vec<Diagnostic> {
    // A spec that declares its Prometheus configuration says what the targets add; files run
    // on a Prometheus we cannot see.
    let targets = if spec && ir.prometheus.is_some() {
        labels::Targets::Known
    } else {
        labels::Targets::Open
    };
    let mut cx = Context::new(ir, catalog, config, targets);
    cx.server = server;
    let mut diagnostics = Vec::new();
    for lint in REGISTRY {
        let Some(severity) = config.severity(lint) else {
            continue;
        };
        let mut emit = |finding: Finding, place: Option<&Place>, rule: Option<&ir::Rule>| {
            if place.is_some_and(|p| p.disables(lint.code)) {
                return;
            }
            diagnostics.push(to_diagnostic(lint, severity, finding, place, rule));
        };
        match lint.check {
            Check::Live => {}
            Check::Spec(check) => {
                let mut findings = Vec::new();
                check(&cx, ir, &mut findings);
                for (target, finding) in findings {
                    match target {
                        Target::Catalog if spec => emit(finding, None, None),
                        Target::Catalog => {}
                        Target::Group(g) => emit(finding, Some(&ir.groups[g].place), None),
                        Target::Rule(g, r) => {
                            let rule = &ir.groups[g].rules[r];
                            emit(finding, Some(&rule.place), Some(rule))
                        }
                    }
                }
            }
            Check::Group(check) => {
                for group in &ir.groups {
                    let mut findings = Vec::new();
                    check(&cx, group, &mut findings);
                    for finding in findings {
                        emit(finding, Some(&group.place), None);
                    }
                }
            }
            Check::Rule(check) => {
                let mut findings = Vec::new();
                for rule in ir.rules() {
                    check(&cx, rule, &mut findings);
                    for finding in findings.drain(..) {
                        emit(finding, Some(&rule.place), Some(rule));
                    }
                }
            }
        }
    }
    diagnostics
}

/// A finding of `lint` made outside [`run`] (by `lint --live`), as a diagnostic, or `None` when
/// the configuration turns the lint off.
pub fn diagnostic(lint: &Lint, config: &LintConfig, finding: Finding) -> Option<Diagnostic> {
    let severity = config.severity(lint)?;
    Some(to_diagnostic(lint, severity, finding, None, None))
}

fn to_diagnostic(
    lint: &Lint,
    severity: Severity,
    finding: Finding,
    place: Option<&Place>,
    rule: Option<&ir::Rule>,
) -> Diagnostic {
    let mut d = Diagnostic::new(severity, lint.code, finding.message);
    d.notes = finding.notes;
    if rule.is_some_and(|r| r.imported) && d.severity == Severity::Error {
        d.severity = Severity::Warning;
        d.notes.push(
            "a warning, not an error: the rule was imported as it was from a file promtool accepts; review it, then drop `.imported()` from its group".into(),
        );
    }
    if let Some(assumption) = finding.rests_on {
        d.severity = d.severity.min(Severity::Warning);
        d.notes
            .push(format!("this rests on an assumption: {assumption}"));
    }
    let what = rule.map(|r| r.describe()).unwrap_or_default();
    let (text, range, name, key) = match (&finding.at, rule) {
        (At::Expr(range), Some(rule)) => (
            rule.expr.as_str(),
            range.clone(),
            format!("{what}: expr"),
            None,
        ),
        (At::Annotation(key, range), Some(rule)) => (
            rule.annotations.get(key).map(String::as_str).unwrap_or(""),
            range.clone(),
            format!("{what}: annotation {key}"),
            Some(format!("annotations.{key}")),
        ),
        (At::Label(key, range), Some(rule)) => (
            rule.labels.get(key).map(String::as_str).unwrap_or(""),
            range.clone(),
            format!("{what}: label {key}"),
            Some(format!("labels.{key}")),
        ),
        _ => ("", 0..0, String::new(), None),
    };
    match place {
        None => {}
        Some(Place::Rust(origin)) => {
            d = d.at(*origin);
            if !name.is_empty() {
                d = d.snippet(name, text, range, finding.label);
            }
        }
        Some(place @ Place::File(item)) => {
            // The fault's bytes in the value they are about, where the value stands verbatim;
            // else the value as written, else the item.
            let file_range = match (&finding.at, key) {
                (At::Expr(r), _) => place.value_range("expr", r.clone()),
                (_, Some(key)) => place.value_range(&key, range),
                _ => None,
            }
            .unwrap_or_else(|| item.range.clone());
            d = d.with_file(&item.path, file_range);
            d.label = finding.label;
        }
    }
    d
}
