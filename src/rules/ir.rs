//! The validated rule groups: what [`super::lower`] and [`super::file`] produce and the
//! emitters and lints read.
//!
//! Architecture Invariant: every value here has been checked. A rule's expression parsed, its
//! names are valid, its templates parse; emitters never validate again.

use std::collections::BTreeMap;

use crate::ir::Place;
use crate::syntax::duration::Duration;
use crate::syntax::promql::{Analysis, Expr};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    Record,
    Alert,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub kind: RuleKind,
    /// The recorded series' name, or the alert's name.
    pub name: String,
    pub expr: String,
    pub parsed: Expr,
    pub analysis: Analysis,
    pub for_: Duration,
    pub keep_firing_for: Duration,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub place: Place,
    /// Imported as it was from a file promtool accepts ([`crate::rules::RuleGroup::imported`]):
    /// a lint's error on it is reported as a warning.
    pub imported: bool,
}

impl Rule {
    pub fn describe(&self) -> String {
        match self.kind {
            RuleKind::Record => format!("recording rule {}", self.name),
            RuleKind::Alert => format!("alert {}", self.name),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub interval: Option<Duration>,
    pub limit: Option<u32>,
    pub rules: Vec<Rule>,
    pub place: Place,
}

/// A promtool unit test file, `prometheus/tests/<name>.yml`: tests of the rule groups `groups`
/// on synthetic series.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTests {
    pub name: String,
    /// The rule groups (so the rule files) the tests load.
    pub groups: Vec<String>,
    pub evaluation_interval: Duration,
    pub tests: Vec<RuleTest>,
    pub place: Place,
}

/// One test: series, then expressions checked at given times.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleTest {
    pub name: String,
    /// The interval between the input series' samples.
    pub interval: Duration,
    pub input_series: Vec<InputSeries>,
    pub checks: Vec<ExprCheck>,
}

/// A series in promtool's notation: `name{label="value"}` and values like `0+60x1000`.
#[derive(Clone, Debug, PartialEq)]
pub struct InputSeries {
    pub series: String,
    pub values: String,
}

/// An expression and the samples it must return at `eval_time` (none: it must return nothing).
#[derive(Clone, Debug, PartialEq)]
pub struct ExprCheck {
    pub expr: String,
    pub eval_time: Duration,
    /// Each sample's series, `name{label="value"}`, and value.
    pub samples: Vec<(String, f64)>,
}
