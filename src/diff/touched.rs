//! `lint --changed`: the findings on what a change touches.
//!
//! A diagnostic belongs to a touched item when:
//! - its primary span is the Rust call site (`Place`) of a touched rule, route or inhibit rule of
//!   the working tree's IR, and its message names no untouched rule (one helper may declare
//!   several rules at one call site: the message tells them apart), or a text named after a
//!   touched rule (`alert X: expr`, the literal name lowering gives a rule's expression);
//! - its message or its span's literal names a touched panel as lowering names panels
//!   (`<type> panel "<title>"`).
//!
//! Touched are: the rules the diff lists as added, renamed or changed (after the change); the
//! routes of the new configuration with no identical route (matchers, receiver, `continue`,
//! grouping and timing, time intervals) in the old one, and likewise the inhibit rules; the
//! panels the diff lists as added, moved or changed. A finding with no span (about the catalog,
//! say) or on anything else is left out.

use std::collections::BTreeSet;

use crate::alertmanager::ir::{Config, Inhibit, Route};
use crate::diagnostics::{Diagnostic, Place, Span};
use crate::ir::Ir;

use super::{Change, Diff};

/// What a change touches, in the working tree's IR.
#[derive(Clone, Debug, Default)]
pub struct Touched {
    /// `alert X` / `recording rule X`, as [`crate::rules::ir::Rule::describe`] names them.
    pub rules: BTreeSet<String>,
    /// The other rules, so named: a finding at a touched rule's call site that names one of
    /// these is about a rule declared by the same helper, not about the touched one.
    pub untouched_rules: BTreeSet<String>,
    pub places: Vec<Place>,
    pub panels: BTreeSet<String>,
}

fn route_key(route: &Route) -> String {
    let matchers: Vec<String> = route.matchers.iter().map(|m| m.text()).collect();
    format!(
        "{matchers:?} {} {} {:?} {:?} {:?} {:?} {:?} {:?}",
        route.receiver,
        route.continue_,
        route.group_by,
        route.group_wait,
        route.group_interval,
        route.repeat_interval,
        route.mute_time_intervals,
        route.active_time_intervals
    )
}

fn inhibit_key(rule: &Inhibit) -> String {
    let text = |ms: &[crate::alertmanager::ir::Matcher]| -> Vec<String> {
        ms.iter().map(|m| m.text()).collect()
    };
    format!(
        "{:?} {:?} {:?}",
        text(&rule.source),
        text(&rule.target),
        rule.equal
    )
}

/// The items of `after` (the working tree's IR) that `diff` and the base's AlertManager
/// configuration say changed.
pub fn touched(diff: &Diff, before: Option<&Config>, after: &Ir) -> Touched {
    let mut out = Touched::default();
    for change in diff.rules.iter().filter(|c| c.change != Change::Removed) {
        let describe = if change.kind == "alert" {
            format!("alert {}", change.name)
        } else {
            format!("recording rule {}", change.name)
        };
        for group in after.groups.iter().filter(|g| g.name == change.group) {
            for rule in &group.rules {
                if rule.describe() == describe {
                    out.places.push(rule.place.clone());
                }
            }
        }
        out.rules.insert(describe);
    }
    out.untouched_rules = after
        .rules()
        .map(|r| r.describe())
        .filter(|d| !out.rules.contains(d))
        .collect();
    if let Some(config) = &after.alertmanager {
        let old_routes: BTreeSet<String> = before
            .map(|c| c.route.walk().into_iter().map(route_key).collect())
            .unwrap_or_default();
        let old_inhibits: BTreeSet<String> = before
            .map(|c| c.inhibit_rules.iter().map(inhibit_key).collect())
            .unwrap_or_default();
        for route in config.route.walk() {
            if !old_routes.contains(&route_key(route)) {
                out.places.push(route.origin.clone());
            }
        }
        for rule in &config.inhibit_rules {
            if !old_inhibits.contains(&inhibit_key(rule)) {
                out.places.push(rule.origin.clone());
            }
        }
    }
    for dashboard in &diff.dashboards {
        for panel in dashboard
            .panels
            .iter()
            .filter(|p| p.change != Change::Removed)
        {
            out.panels.insert(panel.title.clone());
        }
    }
    out
}

impl Touched {
    /// Whether a diagnostic is about a touched item.
    pub fn covers(&self, d: &Diagnostic) -> bool {
        let literal_name = match &d.span {
            Some(Span::Rust {
                literal: Some(l), ..
            })
            | Some(Span::Text(l)) => Some(l.name.as_str()),
            _ => None,
        };
        if let Some(Span::Rust { origin, .. }) = &d.span {
            let names_other = self.untouched_rules.iter().any(|r| names(&d.message, r));
            if !names_other && self.places.iter().any(|p| p.origin() == Some(*origin)) {
                return true;
            }
        }
        if let Some(name) = literal_name {
            let about_rule = self.rules.iter().any(|r| {
                name == r
                    || name
                        .strip_prefix(r.as_str())
                        .is_some_and(|rest| rest.starts_with(':'))
            });
            if about_rule {
                return true;
            }
        }
        self.panels.iter().any(|title| {
            let named = format!("panel {title:?}");
            d.message.contains(&named) || literal_name.is_some_and(|n| n.contains(&named))
        })
    }

    /// The diagnostics about touched items, in their order.
    pub fn filter(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics.into_iter().filter(|d| self.covers(d)).collect()
    }
}

/// Whether `text` names `item` (`alert X`), not a longer name that starts the same.
fn names(text: &str, item: &str) -> bool {
    text.match_indices(item).any(|(at, _)| {
        !text[at + item.len()..]
            .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    })
}
