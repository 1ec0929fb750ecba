//! SLOs: the objective and the window each build's metadata rules record
//! (`slo:objective:ratio`, `slo:time_period:days`, labelled with the SLO's name), and the error
//! budget they leave, in minutes per window.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::model::Side;
use super::Change;

/// What an SLO promises.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    /// The objective, in percent (99.9).
    pub objective_percent: f64,
    pub window_days: f64,
    /// The minutes of total failure the window allows: (1 - objective) × window.
    pub error_budget_minutes: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SloChange {
    pub slo: String,
    pub change: Change,
    pub before: Option<Objective>,
    pub after: Option<Objective>,
}

/// The SLOs of a side, by name.
pub fn objectives(side: &Side) -> BTreeMap<String, Objective> {
    let mut ratio: BTreeMap<String, f64> = BTreeMap::new();
    let mut days: BTreeMap<String, f64> = BTreeMap::new();
    for (_, rule) in side.rules() {
        let Some(name) = rule
            .labels
            .get("slo")
            .or_else(|| rule.labels.get("sloth_slo"))
        else {
            continue;
        };
        let target = match rule.name.as_str() {
            "slo:objective:ratio" => &mut ratio,
            "slo:time_period:days" => &mut days,
            _ => continue,
        };
        if let Some(value) = constant(&rule.expr) {
            target.insert(name.clone(), value);
        }
    }
    ratio
        .into_iter()
        .map(|(name, ratio)| {
            let window_days = days.get(&name).copied().unwrap_or(30.0);
            let objective = Objective {
                objective_percent: round(ratio * 100.0),
                window_days,
                error_budget_minutes: round((1.0 - ratio) * window_days * 24.0 * 60.0),
            };
            (name, objective)
        })
        .collect()
}

/// Six decimals: enough for a budget in minutes, and free of float noise in the output.
fn round(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// The number of `vector(N)` or `N`.
fn constant(expr: &str) -> Option<f64> {
    let expr = expr.trim();
    let inner = expr
        .strip_prefix("vector(")
        .and_then(|e| e.strip_suffix(')'))
        .unwrap_or(expr);
    inner.trim().parse().ok()
}

pub fn diff(before: &Side, after: &Side) -> Vec<SloChange> {
    let old = objectives(before);
    let new = objectives(after);
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let (b, a) = (old.get(name).copied(), new.get(name).copied());
            let change = match (b, a) {
                (None, Some(_)) => Change::Added,
                (Some(_), None) => Change::Removed,
                (Some(b), Some(a)) if b != a => Change::Changed,
                _ => return None,
            };
            Some(SloChange {
                slo: name.clone(),
                change,
                before: b,
                after: a,
            })
        })
        .collect()
}
