//! Checks of the AlertManager configuration against the alert rules it will receive, beyond
//! anything AlertManager can know: alerts whose labels reach only the root's default receiver,
//! and inhibit rules on labels no alert carries.
//!
//! An alert's labels are known only in part before it fires: its static labels (`severity`,
//! `component`, ...), `alertname`, and Prometheus's external labels are certain; labels from the
//! series (`job`, `critic`) are not. The checks route the certain part, and count a label as
//! possibly carried when any rule expression or the catalog names it, so they warn only about
//! what is wrong whatever the series are.

use std::collections::{BTreeMap, BTreeSet};

use sextant_catalog::Catalog;

use crate::alertmanager::codes;
use crate::diagnostics::Diagnostic;
use crate::ir;
use crate::rules::ir::RuleKind;

use super::ir::{Config, Matcher};
use super::route;

/// The labels an alert rule is certain to carry when it reaches AlertManager.
pub fn alert_labels(
    rule: &crate::rules::ir::Rule,
    external: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut labels = external.clone();
    labels.extend(
        rule.labels
            .iter()
            .filter(|(_, value)| !value.contains("{{"))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    labels.insert("alertname".into(), rule.name.clone());
    labels
}

/// Runs both checks. `external` are the external labels alerts carry (the Prometheus
/// configuration's, without the replica label Prometheus drops before sending).
pub fn run(
    config: &Config,
    ir: &ir::Ir,
    catalog: &Catalog,
    external: &BTreeMap<String, String>,
    out: &mut Vec<Diagnostic>,
) {
    let alerts: Vec<&crate::rules::ir::Rule> =
        ir.rules().filter(|r| r.kind == RuleKind::Alert).collect();
    unrouted(config, &alerts, external, out);
    inhibit_labels(config, ir, &alerts, catalog, external, out);
}

/// Routes and inhibit rules matching a `severity` no alert of the spec can carry.
pub fn severities(
    config: &Config,
    allowed: &[crate::rules::SeverityName],
    out: &mut Vec<Diagnostic>,
) {
    let names: Vec<&str> = allowed.iter().map(|s| s.as_str()).collect();
    let unknown = |m: &super::ir::Matcher| {
        m.name == "severity" && m.op == super::MatchOp::Eq && !names.contains(&m.value.as_str())
    };
    let mut report = |what: &str, m: &super::ir::Matcher, origin: &crate::diagnostics::Place| {
        out.push(
            Diagnostic::warning(
                codes::UNKNOWN_SEVERITY,
                format!(
                    "{what} matches `severity=\"{}\"`, which no alert of the spec carries",
                    m.value
                ),
            )
            .at(origin)
            .note(format!("the spec's severities: {}", names.join(", ")))
            .note("declare it with `Spec::severities([...])`, or match one of these"),
        );
    };
    for route in config.route.walk() {
        for m in route.matchers.iter().filter(|m| unknown(m)) {
            report(
                &format!("the route to {:?}", route.receiver),
                m,
                &route.origin,
            );
        }
    }
    for rule in &config.inhibit_rules {
        for m in rule
            .source
            .iter()
            .chain(&rule.target)
            .filter(|m| unknown(m))
        {
            report("an inhibit rule", m, &rule.origin);
        }
    }
}

fn unrouted(
    config: &Config,
    alerts: &[&crate::rules::ir::Rule],
    external: &BTreeMap<String, String>,
    out: &mut Vec<Diagnostic>,
) {
    if config.route.routes.is_empty() {
        return;
    }
    for alert in alerts {
        let labels = alert_labels(alert, external);
        let routes = route::matching(config, &labels);
        if routes.len() == 1 && std::ptr::eq(routes[0], &config.route) {
            let shown: Vec<String> = labels
                .iter()
                .filter(|(k, _)| !external.contains_key(*k))
                .map(|(k, v)| format!("{k}={v:?}"))
                .collect();
            let diagnostic = Diagnostic::warning(
                    codes::UNROUTED_ALERT,
                    format!(
                        "alert {} reaches only the default receiver {:?}: no route matches its labels",
                        alert.name, config.route.receiver
                    ),
                )
                .at(&alert.place)
                .note(format!("its labels: {}", shown.join(", ")))
                .note("add a route for it (even to the same receiver, to say so), or give it the labels an existing route matches");
            out.push(diagnostic);
        }
    }
}

fn inhibit_labels(
    config: &Config,
    ir: &ir::Ir,
    alerts: &[&crate::rules::ir::Rule],
    catalog: &Catalog,
    external: &BTreeMap<String, String>,
    out: &mut Vec<Diagnostic>,
) {
    if config.inhibit_rules.is_empty() {
        return;
    }
    let mut carried: BTreeSet<String> = external.keys().cloned().collect();
    carried.insert("alertname".into());
    for alert in alerts {
        carried.extend(alert.labels.keys().cloned());
    }
    // Labels the series may bring: any label an expression names, and the labels of the
    // catalog's metrics (recorded series keep a subset of those).
    for rule in ir.rules() {
        for selector in &rule.analysis.selectors {
            carried.extend(selector.matchers.iter().map(|(name, _, _)| name.clone()));
        }
        for grouping in &rule.analysis.groupings {
            carried.extend(grouping.labels.iter().cloned());
        }
    }
    for metric in catalog.metrics {
        carried.extend(metric.labels.iter().map(|l| l.name.to_string()));
    }
    // Prometheus adds these to every scraped series.
    carried.extend(["job", "instance"].map(String::from));
    for rule in &config.inhibit_rules {
        let matcher_labels = rule
            .source
            .iter()
            .chain(&rule.target)
            .filter(|m| !m.matches(""))
            .map(|m: &Matcher| (m.name.as_str(), "a matcher"));
        let equal = rule.equal.iter().map(|l| (l.as_str(), "`equal`"));
        let mut reported = BTreeSet::new();
        for (label, field) in matcher_labels.chain(equal) {
            if carried.contains(label) || !reported.insert(label) {
                continue;
            }
            let consequence = if field == "`equal`" {
                "a label missing on both alerts counts as equal, so this inhibits across everything it was meant to separate"
            } else {
                "the matcher can never match, so the rule never inhibits anything"
            };
            out.push(
                Diagnostic::warning(
                    codes::INHIBIT_LABEL,
                    format!(
                        "inhibit rule uses label `{label}` in {field}, but no alert carries it"
                    ),
                )
                .at(&rule.origin)
                .snippet(
                    "inhibit rule",
                    label,
                    0..label.len(),
                    "no alert has this label",
                )
                .note(consequence)
                .note("give the alerts the label, or inhibit on one they carry"),
            );
        }
    }
}
