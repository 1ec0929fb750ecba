//! One side of a diff: a build's files read back into what they mean, with the targets' own
//! readers (rule files into the rule IR, alertmanager.yml into the routing engine's
//! configuration) and the dashboards' JSON as emitted.

use std::collections::BTreeMap;

use crate::alertmanager;
use crate::rules::file::SourceFile;
use crate::rules::ir::{Group, Rule};
use crate::syntax::duration::Duration;

/// Prometheus's default `evaluation_interval`, when no server configuration says otherwise.
const DEFAULT_EVALUATION_INTERVAL: Duration = Duration::millis(60_000);

/// What a build's files mean.
#[derive(Clone, Debug)]
pub struct Side {
    /// The rule groups of `prometheus/rules/`.
    pub groups: Vec<Group>,
    /// The global `evaluation_interval` of the Prometheus configuration (a group without an
    /// interval of its own is evaluated at it).
    pub evaluation_interval: Duration,
    /// The external labels every alert carries: those of the Prometheus configurations, without
    /// the ones whose value differs between replicas (the replica label, dropped before alerts
    /// are sent).
    pub external: BTreeMap<String, String>,
    pub alertmanager: Option<alertmanager::Config>,
    /// The dashboards of `grafana/dashboards/`, by uid.
    pub dashboards: BTreeMap<String, serde_json::Value>,
}

impl Side {
    pub fn read(files: &BTreeMap<String, String>) -> Side {
        let rule_files: Vec<SourceFile> = files
            .iter()
            .filter(|(path, _)| path.starts_with("prometheus/rules/") && is_yaml(path))
            .map(|(path, text)| SourceFile {
                path: path.clone(),
                text: text.clone(),
            })
            .collect();
        let (ir, _) = crate::rules::file::lower(&rule_files);
        let (evaluation_interval, external) = prometheus_globals(files);
        let templates = |glob: &str| -> Vec<SourceFile> {
            let Some(matcher) = alertmanager::file::template_glob(glob) else {
                return Vec::new();
            };
            files
                .iter()
                .filter(|(path, _)| path.starts_with("alertmanager/"))
                .filter(|(path, _)| {
                    let relative = path.trim_start_matches("alertmanager/");
                    matcher.is_match(relative) || matcher.is_match(path.as_str())
                })
                .map(|(path, text)| SourceFile {
                    path: path.clone(),
                    text: text.clone(),
                })
                .collect()
        };
        let alertmanager = files.get("alertmanager/alertmanager.yml").and_then(|text| {
            alertmanager::file::read_config(
                &SourceFile {
                    path: "alertmanager/alertmanager.yml".into(),
                    text: text.clone(),
                },
                &templates,
            )
        });
        let dashboards = files
            .iter()
            .filter(|(path, _)| path.starts_with("grafana/dashboards/") && path.ends_with(".json"))
            .filter_map(|(path, text)| {
                let value: serde_json::Value = serde_json::from_str(text).ok()?;
                let uid = value
                    .get("uid")
                    .and_then(|u| u.as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| path.clone());
                Some((uid, value))
            })
            .collect();
        Side {
            groups: ir.groups,
            evaluation_interval,
            external,
            alertmanager,
            dashboards,
        }
    }

    /// Every rule with its group.
    pub fn rules(&self) -> impl Iterator<Item = (&Group, &Rule)> {
        self.groups
            .iter()
            .flat_map(|g| g.rules.iter().map(move |r| (g, r)))
    }

    /// The interval a group is evaluated at.
    pub fn interval(&self, group: &Group) -> Duration {
        group.interval.unwrap_or(self.evaluation_interval)
    }
}

fn is_yaml(path: &str) -> bool {
    path.ends_with(".yml") || path.ends_with(".yaml")
}

/// The `evaluation_interval` and the external labels common to every `prometheus/*.yml`.
fn prometheus_globals(files: &BTreeMap<String, String>) -> (Duration, BTreeMap<String, String>) {
    #[derive(serde::Deserialize, Default)]
    struct Config {
        #[serde(default)]
        global: Global,
    }
    #[derive(serde::Deserialize, Default)]
    struct Global {
        evaluation_interval: Option<String>,
        #[serde(default)]
        external_labels: BTreeMap<String, String>,
    }
    let configs: Vec<Global> = files
        .iter()
        .filter(|(path, _)| {
            path.starts_with("prometheus/") && !path[11..].contains('/') && is_yaml(path)
        })
        .filter_map(|(_, text)| serde_yaml::from_str::<Config>(text).ok())
        .map(|c| c.global)
        .collect();
    let interval = configs
        .first()
        .and_then(|g| g.evaluation_interval.as_deref())
        .and_then(|text| Duration::parse(text).ok())
        .unwrap_or(DEFAULT_EVALUATION_INTERVAL);
    let mut external = configs
        .first()
        .map(|g| g.external_labels.clone())
        .unwrap_or_default();
    external.retain(|name, value| {
        configs
            .iter()
            .all(|g| g.external_labels.get(name) == Some(value))
    });
    (interval, external)
}
