//! The Prometheus server's configuration: global intervals, external labels, the HA replicas,
//! scrape jobs and the AlertManagers alerts go to. [`lower`] validates it as Prometheus 2.42
//! does (`promtool check config`); [`crate::prometheus::emit`] writes one file per
//! replica.
//!
//! HA: replicas of an HA pair scrape and evaluate the same things and differ only in their
//! `replica` external label (the seed: "same external labels (except `replica`)"), which keeps
//! their series apart in long-term storage. Alerts must not differ, or AlertManager could not
//! deduplicate the pair's notifications: the replica label is dropped from alerts
//! (`alert_relabel_configs`), and every replica sends to every AlertManager peer.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Diagnostic, Origin};
use crate::prometheus::codes;
use crate::syntax::duration::{secs, Duration};
use crate::syntax::promql::is_label_name;

/// A scrape job: `job_name` and its static targets (`host:port`).
#[derive(Clone, Debug, PartialEq)]
pub struct ScrapeJob {
    pub name: String,
    pub targets: Vec<String>,
    pub interval: Option<Duration>,
    pub timeout: Option<Duration>,
    pub metrics_path: Option<String>,
    pub origin: Origin,
}

impl ScrapeJob {
    #[track_caller]
    pub fn new(name: impl Into<String>) -> ScrapeJob {
        ScrapeJob {
            name: name.into(),
            targets: Vec::new(),
            interval: None,
            timeout: None,
            metrics_path: None,
            origin: Origin::caller(),
        }
    }

    pub fn targets<S: Into<String>>(mut self, targets: impl IntoIterator<Item = S>) -> ScrapeJob {
        self.targets.extend(targets.into_iter().map(Into::into));
        self
    }

    pub fn interval(mut self, interval: Duration) -> ScrapeJob {
        self.interval = Some(interval);
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> ScrapeJob {
        self.timeout = Some(timeout);
        self
    }

    pub fn metrics_path(mut self, path: impl Into<String>) -> ScrapeJob {
        self.metrics_path = Some(path.into());
        self
    }
}

/// The HA replicas: the external label that tells them apart and each replica's value.
#[derive(Clone, Debug, PartialEq)]
pub struct Replicas {
    pub label: String,
    pub values: Vec<String>,
}

/// A Prometheus server's configuration (the same for every replica but the replica label).
#[derive(Clone, Debug, PartialEq)]
pub struct PrometheusConfig {
    pub scrape_interval: Option<Duration>,
    pub scrape_timeout: Option<Duration>,
    pub evaluation_interval: Option<Duration>,
    pub external_labels: BTreeMap<String, String>,
    pub replicas: Option<Replicas>,
    pub jobs: Vec<ScrapeJob>,
    pub alertmanagers: Vec<String>,
    pub origin: Origin,
}

impl PrometheusConfig {
    // No `Default`: the value records the line that declared it.
    #[allow(clippy::new_without_default)]
    #[track_caller]
    pub fn new() -> PrometheusConfig {
        PrometheusConfig {
            scrape_interval: None,
            scrape_timeout: None,
            evaluation_interval: None,
            external_labels: BTreeMap::new(),
            replicas: None,
            jobs: Vec::new(),
            alertmanagers: Vec::new(),
            origin: Origin::caller(),
        }
    }

    pub fn scrape_interval(mut self, interval: Duration) -> PrometheusConfig {
        self.scrape_interval = Some(interval);
        self
    }

    pub fn scrape_timeout(mut self, timeout: Duration) -> PrometheusConfig {
        self.scrape_timeout = Some(timeout);
        self
    }

    pub fn evaluation_interval(mut self, interval: Duration) -> PrometheusConfig {
        self.evaluation_interval = Some(interval);
        self
    }

    pub fn external_label(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> PrometheusConfig {
        self.external_labels.insert(name.into(), value.into());
        self
    }

    /// An HA set: one configuration file per value, each with `label: <value>` among its
    /// external labels.
    pub fn replicas<S: Into<String>>(
        mut self,
        label: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) -> PrometheusConfig {
        self.replicas = Some(Replicas {
            label: label.into(),
            values: values.into_iter().map(Into::into).collect(),
        });
        self
    }

    pub fn job(mut self, job: ScrapeJob) -> PrometheusConfig {
        self.jobs.push(job);
        self
    }

    /// The AlertManager peers (`host:port` of their API), all of which receive every alert.
    pub fn alertmanagers<S: Into<String>>(
        mut self,
        targets: impl IntoIterator<Item = S>,
    ) -> PrometheusConfig {
        self.alertmanagers
            .extend(targets.into_iter().map(Into::into));
        self
    }

    /// The external labels alerts carry when they reach AlertManager: all but the replica
    /// label, which is dropped so the replicas' alerts are identical.
    pub fn alert_labels(&self) -> BTreeMap<String, String> {
        self.external_labels.clone()
    }
}

/// Prometheus's default scrape timeout.
const DEFAULT_TIMEOUT: Duration = secs(10);
/// Prometheus's default scrape interval.
const DEFAULT_INTERVAL: Duration = secs(60);

/// Validates `config` as Prometheus does; returns it when it has no errors.
pub fn lower(config: &PrometheusConfig, out: &mut Vec<Diagnostic>) -> Option<PrometheusConfig> {
    let before = out.iter().filter(|d| d.is_error()).count();
    let origin = config.origin;
    for (name, value) in [
        ("scrape_interval", config.scrape_interval),
        ("scrape_timeout", config.scrape_timeout),
        ("evaluation_interval", config.evaluation_interval),
    ] {
        if value.is_some_and(|d| d.is_zero()) {
            out.push(
                Diagnostic::error(codes::INTERVAL, format!("global {name} is zero"))
                    .at(origin)
                    .note(format!("leave {name} unset for Prometheus's default")),
            );
        }
    }
    let interval = config.scrape_interval.unwrap_or(DEFAULT_INTERVAL);
    let timeout = config
        .scrape_timeout
        .unwrap_or(DEFAULT_TIMEOUT.min(interval));
    if timeout > interval {
        out.push(
            Diagnostic::error(
                codes::INTERVAL,
                format!("global scrape timeout {timeout} greater than scrape interval {interval}"),
            )
            .at(origin),
        );
    }
    for (name, value) in &config.external_labels {
        label(name, "external label", origin, out);
        if value.is_empty() {
            out.push(
                Diagnostic::error(
                    codes::EXTERNAL_LABEL,
                    format!("external label {name:?} has an empty value"),
                )
                .at(origin)
                .note("Prometheus drops a label with an empty value: remove it or give it a value"),
            );
        }
    }
    if let Some(replicas) = &config.replicas {
        label(&replicas.label, "replica label", origin, out);
        if config.external_labels.contains_key(&replicas.label) {
            out.push(
                Diagnostic::error(
                    codes::REPLICA,
                    format!(
                        "the replica label {:?} is also a fixed external label",
                        replicas.label
                    ),
                )
                .at(origin)
                .note("each replica sets it to its own value: remove the fixed one"),
            );
        }
        if replicas.values.is_empty() {
            out.push(
                Diagnostic::error(codes::REPLICA, "replicas declared without any value").at(origin),
            );
        }
        let mut seen = BTreeSet::new();
        for value in &replicas.values {
            let file_safe = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                && !value.starts_with('.');
            if !file_safe {
                out.push(
                    Diagnostic::error(
                        codes::REPLICA,
                        format!("invalid replica name {value:?}"),
                    )
                    .at(origin)
                    .snippet("replica", value.as_str(), 0..value.len(), "not a valid replica name")
                    .note("a replica's name is also its file name: use letters, digits, `-`, `_` and `.`"),
                );
            } else if !seen.insert(value) {
                out.push(
                    Diagnostic::error(
                        codes::REPLICA,
                        format!("replica {value:?} is declared twice"),
                    )
                    .at(origin)
                    .note("the replicas' alerts and series would be indistinguishable"),
                );
            }
        }
    }
    let mut jobs: BTreeMap<&str, Origin> = BTreeMap::new();
    for job in &config.jobs {
        let at = job.origin;
        if job.name.is_empty() {
            out.push(Diagnostic::error(codes::JOB, "scrape job with an empty name").at(at));
        } else if let Some(first) = jobs.insert(&job.name, at) {
            out.push(
                Diagnostic::error(
                    codes::JOB,
                    format!("found multiple scrape configs with job name {:?}", job.name),
                )
                .at(at)
                .related(first, "first declared here"),
            );
        }
        let job_interval = job.interval.unwrap_or(interval);
        if job.interval.is_some_and(|d| d.is_zero()) {
            out.push(
                Diagnostic::error(
                    codes::INTERVAL,
                    format!("scrape job {:?} has a scrape interval of zero", job.name),
                )
                .at(at),
            );
        }
        let job_timeout = job.timeout.unwrap_or(timeout.min(job_interval));
        if job_timeout > job_interval || job.timeout.is_some_and(|d| d.is_zero()) {
            out.push(
                Diagnostic::error(
                    codes::INTERVAL,
                    format!(
                        "scrape timeout {job_timeout} greater than scrape interval {job_interval} for scrape config with job name {:?}",
                        job.name
                    ),
                )
                .at(at)
                .note("a scrape must end before the next starts: lower the timeout"),
            );
        }
        if job
            .metrics_path
            .as_ref()
            .is_some_and(|p| !p.starts_with('/'))
        {
            out.push(
                Diagnostic::error(
                    codes::JOB,
                    format!(
                        "metrics path of scrape job {:?} does not start with `/`",
                        job.name
                    ),
                )
                .at(at),
            );
        }
        for target in &job.targets {
            host_port(target, &format!("scrape job {:?}", job.name), at, out);
        }
    }
    for target in &config.alertmanagers {
        host_port(target, "the AlertManagers", origin, out);
    }
    let errors = out.iter().filter(|d| d.is_error()).count();
    (errors == before).then(|| config.clone())
}

fn label(name: &str, what: &str, origin: Origin, out: &mut Vec<Diagnostic>) {
    if !is_label_name(name) || name.starts_with("__") {
        out.push(
            Diagnostic::error(codes::LABEL_NAME, format!("invalid {what} name {name:?}"))
                .at(origin)
                .snippet(what, name, 0..name.len(), "not a label name")
                .note("a label name must match [a-zA-Z_][a-zA-Z0-9_]* and not start with `__`"),
        );
    }
}

fn host_port(target: &str, what: &str, origin: Origin, out: &mut Vec<Diagnostic>) {
    let valid = target.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty()
            && host.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '[' | ']' | ':')
            })
            && port.parse::<u16>().is_ok_and(|p| p > 0)
    });
    if !valid {
        out.push(
            Diagnostic::error(
                codes::TARGET,
                format!("target {target:?} of {what} is not host:port"),
            )
            .at(origin)
            .snippet("target", target, 0..target.len(), "not host:port")
            .note("write a target as `host:port`, without scheme or path, such as `app:8000`"),
        );
    }
}
