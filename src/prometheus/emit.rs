//! The Prometheus server's configuration, in the format `promtool check config` reads: one file
//! per HA replica, `prometheus/<replica>.yml` (or `prometheus/prometheus.yml` without
//! replicas), beside the rule files, which it loads as `rules/*.yml`, relative to its folder.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::output::Output;
use crate::prometheus::PrometheusConfig;
use crate::syntax::duration::Duration;

#[derive(Serialize)]
struct File<'a> {
    global: Global,
    rule_files: Vec<String>,
    alerting: Alerting,
    scrape_configs: Vec<Scrape<'a>>,
}

#[derive(Serialize)]
struct Global {
    #[serde(skip_serializing_if = "Option::is_none")]
    scrape_interval: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scrape_timeout: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    evaluation_interval: Option<Duration>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    external_labels: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct Alerting {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    alert_relabel_configs: Vec<Relabel>,
    alertmanagers: Vec<AlertManagers>,
}

#[derive(Serialize)]
struct Relabel {
    action: &'static str,
    regex: String,
}

#[derive(Serialize)]
struct AlertManagers {
    static_configs: Vec<StaticConfig>,
}

#[derive(Serialize)]
struct StaticConfig {
    targets: Vec<String>,
}

#[derive(Serialize)]
struct Scrape<'a> {
    job_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    scrape_interval: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scrape_timeout: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    metrics_path: Option<&'a str>,
    static_configs: Vec<StaticConfig>,
}

/// The folder the files go to; the rule files are in its `rules/`.
pub const DIR: &str = "prometheus";

/// The file of each replica, by path relative to the output root.
pub fn paths(config: &PrometheusConfig) -> Vec<(Option<&str>, String)> {
    match &config.replicas {
        Some(replicas) => replicas
            .values
            .iter()
            .map(|value| (Some(value.as_str()), format!("{DIR}/{value}.yml")))
            .collect(),
        None => vec![(None, format!("{DIR}/prometheus.yml"))],
    }
}

pub fn emit(config: &PrometheusConfig, out: &mut Output) {
    for (replica, path) in paths(config) {
        let mut external_labels = config.external_labels.clone();
        let mut relabel = Vec::new();
        if let (Some(replicas), Some(value)) = (&config.replicas, replica) {
            external_labels.insert(replicas.label.clone(), value.to_string());
            // The replicas' alerts must be identical for AlertManager to deduplicate them.
            relabel.push(Relabel {
                action: "labeldrop",
                regex: replicas.label.clone(),
            });
        }
        let file = File {
            global: Global {
                scrape_interval: config.scrape_interval,
                scrape_timeout: config.scrape_timeout,
                evaluation_interval: config.evaluation_interval,
                external_labels,
            },
            rule_files: vec!["rules/*.yml".to_string()],
            alerting: Alerting {
                alert_relabel_configs: relabel,
                alertmanagers: vec![AlertManagers {
                    static_configs: vec![StaticConfig {
                        targets: config.alertmanagers.clone(),
                    }],
                }],
            },
            scrape_configs: config
                .jobs
                .iter()
                .map(|job| Scrape {
                    job_name: &job.name,
                    scrape_interval: job.interval,
                    scrape_timeout: job.timeout,
                    metrics_path: job.metrics_path.as_deref(),
                    static_configs: vec![StaticConfig {
                        targets: job.targets.clone(),
                    }],
                })
                .collect(),
        };
        let yaml = serde_yaml::to_string(&file).expect("the configuration serializes");
        out.add(
            path,
            format!("{}{yaml}", crate::output::yaml_header(config.origin.file)),
        );
    }
}
