//! What a spec declares to deploy on Kubernetes with prometheus-operator: the namespace and
//! labels every resource carries (so a `Prometheus`'s `ruleSelector` and
//! `serviceMonitorSelector` pick them up), a monitor per scrape job, where AlertManager's
//! secrets come from, and the label Grafana's dashboard sidecar watches.

use std::collections::BTreeMap;

use crate::diagnostics::Origin;

/// The prometheus-operator target.
#[derive(Clone, Debug, PartialEq)]
pub struct Kubernetes {
    /// The namespace every resource is created in.
    pub namespace: String,
    /// Labels on every resource: what the `Prometheus` resource's selectors match.
    pub labels: BTreeMap<String, String>,
    pub monitors: Vec<Monitor>,
    pub alertmanager: Option<AlertManagerSecret>,
    /// The label Grafana's sidecar finds dashboard ConfigMaps by.
    pub dashboard_label: (String, String),
    pub origin: Origin,
}

impl Kubernetes {
    /// Resources in `namespace`; dashboards labelled `grafana_dashboard: "1"` (the sidecar's
    /// default).
    #[track_caller]
    pub fn new(namespace: impl Into<String>) -> Kubernetes {
        Kubernetes {
            namespace: namespace.into(),
            labels: BTreeMap::new(),
            monitors: Vec::new(),
            alertmanager: None,
            dashboard_label: ("grafana_dashboard".into(), "1".into()),
            origin: Origin::caller(),
        }
    }

    /// A label every resource carries.
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Kubernetes {
        self.labels.insert(name.into(), value.into());
        self
    }

    pub fn monitor(mut self, monitor: Monitor) -> Kubernetes {
        self.monitors.push(monitor);
        self
    }

    /// The AlertManager configuration as a Secret; see [`AlertManagerSecret`].
    pub fn alertmanager(mut self, secret: AlertManagerSecret) -> Kubernetes {
        self.alertmanager = Some(secret);
        self
    }

    /// The label Grafana's dashboard sidecar watches (its `label` and `labelValue`).
    pub fn dashboard_label(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Kubernetes {
        self.dashboard_label = (name.into(), value.into());
        self
    }
}

/// How prometheus-operator finds a scrape job's targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MonitorKind {
    /// A `ServiceMonitor`: the endpoints of the Services the selector matches.
    Service,
    /// A `PodMonitor`: the Pods the selector matches.
    Pod,
}

/// The Kubernetes form of one of the spec's scrape jobs (by job name): its interval, timeout and
/// path come from the job; the `job` label keeps the job's name, so the rules still match.
#[derive(Clone, Debug, PartialEq)]
pub struct Monitor {
    pub kind: MonitorKind,
    pub job: String,
    /// Where the targets run, when not in the monitor's own namespace.
    pub namespace: Option<String>,
    pub selector: BTreeMap<String, String>,
    /// The name of the Service's (or container's) port.
    pub port: String,
    pub origin: Origin,
}

impl Monitor {
    /// A `ServiceMonitor` for scrape job `job`.
    #[track_caller]
    pub fn service(job: impl Into<String>) -> Monitor {
        Monitor::new(MonitorKind::Service, job.into(), Origin::caller())
    }

    /// A `PodMonitor` for scrape job `job`.
    #[track_caller]
    pub fn pod(job: impl Into<String>) -> Monitor {
        Monitor::new(MonitorKind::Pod, job.into(), Origin::caller())
    }

    fn new(kind: MonitorKind, job: String, origin: Origin) -> Monitor {
        Monitor {
            kind,
            job,
            namespace: None,
            selector: BTreeMap::new(),
            port: "metrics".into(),
            origin,
        }
    }

    /// The targets' namespace.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Monitor {
        self.namespace = Some(namespace.into());
        self
    }

    /// A label the Services (or Pods) must carry.
    pub fn select(mut self, name: impl Into<String>, value: impl Into<String>) -> Monitor {
        self.selector.insert(name.into(), value.into());
        self
    }

    /// The port's name [default: `metrics`].
    pub fn port(mut self, port: impl Into<String>) -> Monitor {
        self.port = port.into();
        self
    }
}

/// The AlertManager configuration as the Secret prometheus-operator reads (`alertmanager.yaml`
/// and the templates, each a key). The secrets it references stay files: every `SecretFile` of
/// the configuration must lie directly in `secrets_dir`, and its file name becomes a key of the
/// `credentials` Secret, which the `Alertmanager` resource mounts (`spec.secrets`) at
/// `/etc/alertmanager/secrets/<credentials>/`. The Secret's values are never in the spec.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertManagerSecret {
    /// The configuration Secret's name (the `Alertmanager` resource's `configSecret`).
    pub name: String,
    /// The Secret the team provides, holding one key per secret file.
    pub credentials: String,
    /// Where the spec's `SecretFile`s lie.
    pub secrets_dir: String,
    pub origin: Origin,
}

impl AlertManagerSecret {
    #[track_caller]
    pub fn new(
        name: impl Into<String>,
        credentials: impl Into<String>,
        secrets_dir: impl Into<String>,
    ) -> AlertManagerSecret {
        AlertManagerSecret {
            name: name.into(),
            credentials: credentials.into(),
            secrets_dir: secrets_dir.into(),
            origin: Origin::caller(),
        }
    }
}
