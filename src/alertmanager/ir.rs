//! The validated AlertManager configuration: what [`super::lower`] produces and the emitter and
//! the routing engine read.
//!
//! Architecture Invariant: a [`Config`] is only built by lowering, so every receiver a route
//! names exists, every regex compiles, every interval is positive; children have their
//! inherited settings resolved.

use regex::Regex;

use crate::diagnostics::Place;
use crate::syntax::duration::Duration;

use super::{Global, MatchOp, Receiver, Template, TimeInterval};

/// A matcher whose regex (for `=~` and `!~`) is compiled, anchored as AlertManager anchors it.
#[derive(Clone, Debug)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
    pub(crate) regex: Option<Regex>,
}

impl Matcher {
    /// Whether a label with `value` (the empty string when missing) matches.
    pub fn matches(&self, value: &str) -> bool {
        match self.op {
            MatchOp::Eq => value == self.value,
            MatchOp::Ne => value != self.value,
            MatchOp::Re => self.regex.as_ref().is_some_and(|r| r.is_match(value)),
            MatchOp::NotRe => !self.regex.as_ref().is_some_and(|r| r.is_match(value)),
        }
    }

    /// As AlertManager prints it: `name="value"`.
    pub fn text(&self) -> String {
        super::Matcher::new(self.name.clone(), self.op, self.value.clone()).to_string()
    }
}

/// A route with everything a child inherits resolved.
#[derive(Clone, Debug)]
pub struct Route {
    /// The receiver, its own or inherited.
    pub receiver: String,
    /// Whether the receiver was set on this route (and is written to the file).
    pub own_receiver: bool,
    pub matchers: Vec<Matcher>,
    /// `group_by` as declared on this route, when it was.
    pub group_by: Option<Vec<String>>,
    pub group_wait: Option<Duration>,
    pub group_interval: Option<Duration>,
    pub repeat_interval: Option<Duration>,
    pub continue_: bool,
    pub mute_time_intervals: Vec<String>,
    pub active_time_intervals: Vec<String>,
    pub routes: Vec<Route>,
    pub origin: Place,
}

impl Route {
    /// This route and all below it, depth first, in declaration order.
    pub fn walk(&self) -> Vec<&Route> {
        let mut out = vec![self];
        for child in &self.routes {
            out.extend(child.walk());
        }
        out
    }
}

/// An inhibit rule with compiled matchers.
#[derive(Clone, Debug)]
pub struct Inhibit {
    pub source: Vec<Matcher>,
    pub target: Vec<Matcher>,
    pub equal: Vec<String>,
    pub origin: Place,
}

/// A valid AlertManager configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub global: Global,
    pub route: Route,
    pub receivers: Vec<Receiver>,
    pub inhibit_rules: Vec<Inhibit>,
    pub time_intervals: Vec<TimeInterval>,
    pub templates: Vec<Template>,
    pub origin: Place,
}
