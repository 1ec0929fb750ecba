//! AlertManager: for every label set the alerts can carry, which receivers it reaches, how it
//! is grouped, and which other alerts inhibit it, before and after; the label sets whose answer
//! changed.
//!
//! An alert's label sets are its certain labels (Prometheus's external labels, its own static
//! labels, `alertname`) times the values of the labels its expression returns that the catalog
//! bounds (a closed domain's values; a registered domain's known values and its overflow
//! value). Labels with open domains are left out, as the routing checks leave them out: their
//! values are unknown. An alert whose bounded labels would give more than
//! [`MAX_SETS_PER_ALERT`] sets is routed with its certain labels only.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sextant_catalog::{Catalog, Domain};

use crate::alertmanager::ir::{Config, Route};
use crate::alertmanager::route;
use crate::lint::labels::{self, Targets};
use crate::rules::ir::RuleKind;

use super::model::Side;

/// The most label sets one alert expands to.
pub const MAX_SETS_PER_ALERT: usize = 64;

type Labels = BTreeMap<String, String>;

/// A value before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BeforeAfter<T> {
    pub before: T,
    pub after: T,
}

/// A label set whose routing changed; each field is present when it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingChange {
    pub labels: Labels,
    /// Labels for which the change holds at each of several values: one entry stands for the
    /// label sets `labels` plus each value (a catalog-bounded label the alert carries).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub each_of: BTreeMap<String, Vec<String>>,
    /// The receivers it reaches, in tree order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receivers: Option<BeforeAfter<Vec<String>>>,
    /// How each matching route groups it: `by [labels], wait, interval, repeat`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grouping: Option<BeforeAfter<Vec<String>>>,
    /// The alerts (among all label sets) whose firing mutes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inhibited_by: Option<BeforeAfter<Vec<String>>>,
}

/// The values the catalog allows for each label it bounds.
fn bounded(catalog: &Catalog) -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let mut out: BTreeMap<&'static str, BTreeSet<&'static str>> = BTreeMap::new();
    for metric in catalog.metrics {
        for label in metric.labels {
            let values: Vec<&'static str> = match label.domain {
                Domain::Closed(values) => values.to_vec(),
                Domain::Registered {
                    known, overflow, ..
                } => known.iter().copied().chain([overflow]).collect(),
                _ => continue,
            };
            out.entry(label.name).or_default().extend(values);
        }
    }
    out
}

/// The label sets a side's alerts can carry.
pub fn label_sets(side: &Side, catalog: &Catalog) -> BTreeSet<Labels> {
    let bounded = bounded(catalog);
    let rules: Vec<&crate::rules::ir::Rule> = side.rules().map(|(_, r)| r).collect();
    let recorded = labels::recorded(catalog, &Targets::Known, &rules);
    let mut out = BTreeSet::new();
    for rule in rules.iter().filter(|r| r.kind == RuleKind::Alert) {
        let base = crate::alertmanager::checks::alert_labels(rule, &side.external);
        let returned = labels::output(
            catalog,
            &recorded,
            &Targets::Known,
            &rule.parsed,
            &mut |_, _| {},
        )
        .map(|l| l.names)
        .unwrap_or_default();
        let expanded: Vec<(&str, &BTreeSet<&str>)> = returned
            .iter()
            .filter(|name| !base.contains_key(*name))
            .filter_map(|name| bounded.get_key_value(name.as_str()).map(|(k, v)| (*k, v)))
            .collect();
        let count = expanded
            .iter()
            .try_fold(1usize, |n, (_, values)| n.checked_mul(values.len()));
        let mut sets = vec![base];
        if count.is_some_and(|n| n <= MAX_SETS_PER_ALERT) {
            for (name, values) in expanded {
                sets = sets
                    .into_iter()
                    .flat_map(|set| {
                        values.iter().map(move |value| {
                            let mut set = set.clone();
                            set.insert(name.to_string(), value.to_string());
                            set
                        })
                    })
                    .collect();
            }
        }
        out.extend(sets);
    }
    out
}

/// How each route an alert with `labels` ends at groups it, with `group_by` inherited.
pub fn grouping(config: &Config, labels: &Labels) -> Vec<String> {
    fn visit(
        route: &Route,
        inherited: &Option<Vec<String>>,
        labels: &Labels,
        out: &mut Vec<String>,
    ) -> bool {
        let matches = route
            .matchers
            .iter()
            .all(|m| m.matches(labels.get(&m.name).map(String::as_str).unwrap_or("")));
        if !matches {
            return false;
        }
        let group_by = route.group_by.clone().or_else(|| inherited.clone());
        let before = out.len();
        for child in &route.routes {
            if visit(child, &group_by, labels, out) && !child.continue_ {
                break;
            }
        }
        if out.len() == before {
            let by = match &group_by {
                Some(by) if by.iter().any(|l| l == "...") => "all labels".to_string(),
                Some(by) => format!("[{}]", by.join(", ")),
                None => "[]".to_string(),
            };
            let time = |d: Option<crate::syntax::duration::Duration>, default: &str| {
                d.map_or(default.to_string(), |d| d.to_string())
            };
            out.push(format!(
                "by {by}, wait {}, interval {}, repeat {}",
                time(route.group_wait, "30s"),
                time(route.group_interval, "5m"),
                time(route.repeat_interval, "4h"),
            ));
        }
        true
    }
    let mut out = Vec::new();
    visit(&config.route, &config.route.group_by, labels, &mut out);
    out
}

/// A label set as a short name: its `alertname`, with the labels that tell it apart from the
/// other sets of the same alert.
fn describe(set: &Labels, all: &BTreeSet<Labels>) -> String {
    let name = set.get("alertname").cloned().unwrap_or_default();
    let siblings: Vec<&Labels> = all
        .iter()
        .filter(|s| s.get("alertname") == Some(&name))
        .collect();
    let distinct: Vec<String> = set
        .iter()
        .filter(|(k, v)| siblings.iter().any(|s| s.get(*k) != Some(*v)))
        .map(|(k, v)| format!("{k}={v:?}"))
        .collect();
    if distinct.is_empty() {
        name
    } else {
        format!("{name}{{{}}}", distinct.join(", "))
    }
}

fn inhibitors(config: &Config, target: &Labels, all: &BTreeSet<Labels>) -> Vec<String> {
    let found: BTreeSet<String> = all
        .iter()
        .filter(|source| *source != target && route::inhibits(config, source, target))
        .map(|source| describe(source, all))
        .collect();
    found.into_iter().collect()
}

pub fn diff(before: &Side, after: &Side, catalog: &Catalog) -> Vec<RoutingChange> {
    // A side without an AlertManager configuration routes nothing: every label set of the other
    // side reaches no receiver there, so adding or removing the configuration is reported too.
    let (old, new) = (before.alertmanager.as_ref(), after.alertmanager.as_ref());
    if old.is_none() && new.is_none() {
        return Vec::new();
    }
    let mut all = label_sets(before, catalog);
    all.extend(label_sets(after, catalog));
    let changed = |b: Vec<String>, a: Vec<String>| {
        (b != a).then_some(BeforeAfter {
            before: b,
            after: a,
        })
    };
    let changes = all
        .iter()
        .filter_map(|labels| {
            let change = RoutingChange {
                labels: labels.clone(),
                each_of: BTreeMap::new(),
                receivers: changed(receivers(old, labels), receivers(new, labels)),
                grouping: changed(
                    old.map(|c| grouping(c, labels)).unwrap_or_default(),
                    new.map(|c| grouping(c, labels)).unwrap_or_default(),
                ),
                inhibited_by: changed(
                    old.map(|c| inhibitors(c, labels, &all)).unwrap_or_default(),
                    new.map(|c| inhibitors(c, labels, &all)).unwrap_or_default(),
                ),
            };
            (change.receivers.is_some()
                || change.grouping.is_some()
                || change.inhibited_by.is_some())
            .then_some(change)
        })
        .collect();
    collapse(changes)
}

/// The receivers `labels` reach; none without a configuration.
fn receivers(config: Option<&Config>, labels: &Labels) -> Vec<String> {
    config
        .map(|c| route::receivers(c, labels))
        .unwrap_or_default()
}

/// Merges the changes that differ only in the value of one label into one, with that label's
/// values under `each_of`: the alerts of one rule, over the values the catalog allows.
fn collapse(mut changes: Vec<RoutingChange>) -> Vec<RoutingChange> {
    let names: BTreeSet<String> = changes
        .iter()
        .flat_map(|c| c.labels.keys().cloned())
        .filter(|name| name != "alertname")
        .collect();
    for name in names {
        // Everything but `name`'s value: what two merged changes share.
        let rest = |c: &RoutingChange| {
            let mut labels = c.labels.clone();
            labels.remove(&name);
            let mut each_of = c.each_of.clone();
            each_of.remove(&name);
            (
                labels,
                each_of,
                c.receivers.clone(),
                c.grouping.clone(),
                c.inhibited_by.clone(),
            )
        };
        let mut merged: Vec<RoutingChange> = Vec::new();
        for change in changes {
            let Some(value) = change.labels.get(&name).cloned() else {
                merged.push(change);
                continue;
            };
            let key = rest(&change);
            let into = merged.iter_mut().find(|m| {
                (m.labels.contains_key(&name) || m.each_of.contains_key(&name)) && rest(m) == key
            });
            match into {
                Some(m) => {
                    let first = m.labels.remove(&name);
                    let values = m.each_of.entry(name.clone()).or_default();
                    values.extend(first);
                    values.push(value);
                }
                None => merged.push(change),
            }
        }
        changes = merged;
    }
    for change in &mut changes {
        for values in change.each_of.values_mut() {
            values.sort();
            values.dedup();
        }
    }
    changes
}
