//! The alerts a change touches, with both versions: what `backtest` replays by default.

use std::collections::BTreeMap;

use crate::rules::ir::{Rule, RuleKind};
use crate::syntax::duration::Duration;

use super::model::Side;
use super::rules::{fields, pairs, Entry};

/// One version of an alert: its rule as the file says it, its group, and the interval that
/// group is evaluated at (its own, or Prometheus's `evaluation_interval`).
#[derive(Clone, Debug)]
pub struct AlertVersion {
    pub group: String,
    pub rule: Rule,
    pub interval: Duration,
}

/// An alert that was added, removed or changed (any field, including its group's interval);
/// a renamed alert is one entry, named as it is after.
#[derive(Clone, Debug)]
pub struct ChangedAlert {
    pub name: String,
    pub before: Option<AlertVersion>,
    pub after: Option<AlertVersion>,
}

/// The alerts that differ between two builds' files (path → text), sorted by name.
pub fn changed_alerts(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) -> Vec<ChangedAlert> {
    changed_between(&Side::read(before), &Side::read(after))
}

pub(crate) fn changed_between(before: &Side, after: &Side) -> Vec<ChangedAlert> {
    let version = |e: &Entry| AlertVersion {
        group: e.group.to_string(),
        rule: e.rule.clone(),
        interval: e.interval,
    };
    let mut out: Vec<ChangedAlert> = pairs(before, after)
        .into_iter()
        .filter(|(b, a)| {
            let alert = |e: &Option<Entry>| e.is_some_and(|e| e.rule.kind == RuleKind::Alert);
            let unchanged = match (b, a) {
                (Some(b), Some(a)) => b.rule.name == a.rule.name && fields(b, a).is_empty(),
                _ => false,
            };
            (alert(b) || alert(a)) && !unchanged
        })
        .map(|(b, a)| ChangedAlert {
            name: a.or(b).expect("one side has it").rule.name.clone(),
            before: b.as_ref().map(version),
            after: a.as_ref().map(version),
        })
        .collect();
    out.sort_by(|x, y| {
        let group = |c: &ChangedAlert| {
            c.after
                .as_ref()
                .or(c.before.as_ref())
                .map(|v| v.group.clone())
        };
        (&x.name, group(x)).cmp(&(&y.name, group(y)))
    });
    out
}
