//! The prometheus-operator resources, one per file under `kubernetes/`:
//!
//! - `prometheusrules/<group>.yaml`: a `PrometheusRule` per rule group (the rule file's
//!   `groups`, unchanged, under `spec`);
//! - `monitors/<job>.yaml`: a `ServiceMonitor` or `PodMonitor` per scrape job, keeping the job's
//!   interval, timeout, path and `job` label;
//! - `alertmanager/<secret>.yaml`: the AlertManager configuration and templates as a `Secret`
//!   (the keys prometheus-operator reads), its secret files read from the credentials Secret;
//! - `dashboards/<uid>.yaml`: a `ConfigMap` per dashboard, labelled for Grafana's sidecar;
//! - `README.md`: what is here and what a team must provide.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::ir::Ir;
use crate::kubernetes::lower::{emit_name_of_dashboard, secret_files_mut, secret_key};
use crate::kubernetes::{Kubernetes, Monitor, MonitorKind};
use crate::output::{yaml_header, Output};
use crate::syntax::duration::Duration;

/// The folder the resources go to.
pub const DIR: &str = "kubernetes";
/// The API group and version of prometheus-operator's resources.
pub const API_VERSION: &str = "monitoring.coreos.com/v1";
/// Where prometheus-operator mounts the configuration Secret in AlertManager's pod.
pub const AM_CONFIG_DIR: &str = "/etc/alertmanager/config";
/// Where prometheus-operator mounts each Secret of an `Alertmanager`'s `spec.secrets`.
pub const AM_SECRETS_DIR: &str = "/etc/alertmanager/secrets";
/// The key prometheus-operator reads the configuration from.
pub const AM_CONFIG_KEY: &str = "alertmanager.yaml";

#[derive(Serialize)]
struct Metadata<'a> {
    name: &'a str,
    namespace: &'a str,
    labels: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Resource<'a, S> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata<'a>,
    spec: S,
}

#[derive(Serialize)]
struct RuleSpec<'a> {
    groups: Vec<crate::rules::emit::Group<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MonitorSpec<'a> {
    selector: Selector<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace_selector: Option<NamespaceSelector<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoints: Option<Vec<Endpoint<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pod_metrics_endpoints: Option<Vec<Endpoint<'a>>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Selector<'a> {
    match_labels: &'a BTreeMap<String, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NamespaceSelector<'a> {
    match_names: Vec<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Endpoint<'a> {
    port: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scrape_timeout: Option<Duration>,
    relabelings: Vec<Relabeling<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relabeling<'a> {
    action: &'static str,
    target_label: &'static str,
    replacement: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Data<'a> {
    api_version: &'static str,
    kind: &'static str,
    metadata: Metadata<'a>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    type_: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    string_data: Option<BTreeMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<BTreeMap<String, String>>,
}

/// Writes the resources of `k8s`; `emitted` holds the files the other targets wrote (the
/// dashboards' JSON is taken from there, byte for byte).
pub fn emit(k8s: &Kubernetes, ir: &Ir, emitted: &Output, out: &mut Output) {
    let labels = labels(k8s);
    fn meta<'a>(
        name: &'a str,
        k8s: &'a Kubernetes,
        labels: &BTreeMap<&'a str, &'a str>,
    ) -> Metadata<'a> {
        Metadata {
            name,
            namespace: &k8s.namespace,
            labels: labels.clone(),
        }
    }
    let mut files = Vec::new();
    for group in &ir.groups {
        let resource = Resource {
            api_version: API_VERSION,
            kind: "PrometheusRule",
            metadata: meta(&group.name, k8s, &labels),
            spec: RuleSpec {
                groups: vec![crate::rules::emit::serialized(group)],
            },
        };
        let path = format!("{DIR}/prometheusrules/{}.yaml", group.name);
        add(out, &path, &crate::rules::emit::source(group), &resource);
        files.push(path);
    }
    let jobs: BTreeMap<&str, _> = ir
        .prometheus
        .iter()
        .flat_map(|p| p.jobs.iter().map(move |j| (j.name.as_str(), (p, j))))
        .collect();
    for monitor in &k8s.monitors {
        let Some((prometheus, job)) = jobs.get(monitor.job.as_str()) else {
            continue;
        };
        let endpoint = Endpoint {
            port: &monitor.port,
            path: job.metrics_path.as_deref(),
            interval: job.interval.or(prometheus.scrape_interval),
            scrape_timeout: job.timeout.or(prometheus.scrape_timeout),
            relabelings: vec![Relabeling {
                action: "replace",
                target_label: "job",
                replacement: &job.name,
            }],
        };
        let resource = Resource {
            api_version: API_VERSION,
            kind: kind(monitor),
            metadata: meta(&monitor.job, k8s, &labels),
            spec: monitor_spec(monitor, endpoint),
        };
        let path = format!("{DIR}/monitors/{}.yaml", monitor.job);
        add(out, &path, monitor.origin.file, &resource);
        files.push(path);
    }
    if let (Some(secret), Some(config)) = (&k8s.alertmanager, &ir.alertmanager) {
        let mut config = config.clone();
        for file in secret_files_mut(&mut config) {
            if let Some(key) = secret_key(&secret.secrets_dir, &file.path) {
                file.path = format!("{AM_SECRETS_DIR}/{}/{key}", secret.credentials);
            }
        }
        let mut data = BTreeMap::new();
        let source = config.origin.file();
        data.insert(
            AM_CONFIG_KEY.to_string(),
            format!(
                "{}{}",
                yaml_header(source),
                crate::alertmanager::emit::render(&config, &format!("{AM_CONFIG_DIR}/*.tmpl"))
            ),
        );
        if let Some(templates) = crate::alertmanager::emit::render_templates(&config) {
            let name = crate::alertmanager::emit::TEMPLATES
                .rsplit('/')
                .next()
                .expect("a file name");
            data.insert(name.to_string(), templates);
        }
        let resource = Data {
            api_version: "v1",
            kind: "Secret",
            metadata: meta(&secret.name, k8s, &labels),
            type_: Some("Opaque"),
            string_data: Some(data),
            data: None,
        };
        let path = format!("{DIR}/alertmanager/{}.yaml", secret.name);
        add(out, &path, secret.origin.file, &resource);
        files.push(path);
    }
    let dashboards_dir = crate::grafana::emit::DASHBOARDS_DIR;
    for dashboard in &ir.grafana.dashboards {
        let file = format!("{}.json", dashboard.uid);
        let Some(json) = emitted.get(&format!("{dashboards_dir}{file}")) else {
            continue;
        };
        let name = emit_name_of_dashboard(&dashboard.uid);
        let mut metadata = meta(&name, k8s, &labels);
        metadata
            .labels
            .insert(&k8s.dashboard_label.0, &k8s.dashboard_label.1);
        let resource = Data {
            api_version: "v1",
            kind: "ConfigMap",
            metadata,
            type_: None,
            string_data: None,
            data: Some(BTreeMap::from([(file, json.to_string())])),
        };
        let path = format!("{DIR}/dashboards/{}.yaml", dashboard.uid);
        add(out, &path, dashboard.source, &resource);
        files.push(path);
    }
    out.add(format!("{DIR}/README.md"), readme(k8s, &files));
}

fn labels(k8s: &Kubernetes) -> BTreeMap<&str, &str> {
    let mut labels: BTreeMap<&str, &str> = k8s
        .labels
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    labels.insert("app.kubernetes.io/managed-by", "sextant");
    labels
}

fn kind(monitor: &Monitor) -> &'static str {
    match monitor.kind {
        MonitorKind::Service => "ServiceMonitor",
        MonitorKind::Pod => "PodMonitor",
    }
}

fn monitor_spec<'a>(monitor: &'a Monitor, endpoint: Endpoint<'a>) -> MonitorSpec<'a> {
    let (endpoints, pod_metrics_endpoints) = match monitor.kind {
        MonitorKind::Service => (Some(vec![endpoint]), None),
        MonitorKind::Pod => (None, Some(vec![endpoint])),
    };
    MonitorSpec {
        selector: Selector {
            match_labels: &monitor.selector,
        },
        namespace_selector: monitor.namespace.as_deref().map(|ns| NamespaceSelector {
            match_names: vec![ns],
        }),
        endpoints,
        pod_metrics_endpoints,
    }
}

fn add(out: &mut Output, path: &str, source: &str, resource: &impl Serialize) {
    let yaml = serde_yaml::to_string(resource).expect("resources serialize");
    out.add(path, format!("{}{yaml}", yaml_header(source)));
}

fn readme(k8s: &Kubernetes, files: &[String]) -> String {
    let mut text = format!(
        "<!-- Code generated by Sextant from {}. DO NOT EDIT. -->\n# kubernetes/\n\n\
        prometheus-operator resources, all in namespace `{}`, all labelled:\n\n",
        k8s.origin.file, k8s.namespace
    );
    for (name, value) in labels(k8s) {
        text.push_str(&format!("- `{name}: {value:?}`\n"));
    }
    text.push_str(
        "\nApply them with `kubectl apply -R -f generated/kubernetes/` (this README is skipped).\n\n\
        | file | resource |\n| --- | --- |\n",
    );
    for file in files {
        let what = match file.split('/').nth(1) {
            Some("prometheusrules") => "`PrometheusRule`: one rule group, as its rule file has it",
            Some("monitors") => {
                "`ServiceMonitor`/`PodMonitor`: one scrape job; `job` keeps the job's name"
            }
            Some("alertmanager") => "`Secret`: `alertmanager.yaml` and the notification templates",
            Some("dashboards") => "`ConfigMap`: one dashboard for Grafana's sidecar",
            _ => "",
        };
        text.push_str(&format!("| `{}` | {what} |\n", &file[DIR.len() + 1..]));
    }
    text.push_str(
        "\n## What a team must provide\n\n\
        - prometheus-operator itself and its CRDs (`PrometheusRule`, `ServiceMonitor`, `PodMonitor`), \
        with the RBAC it needs to read these resources and the targets' Services, Endpoints and Pods.\n\
        - The namespace, and the namespaces of the monitored workloads, with a Role/RoleBinding letting \
        Prometheus's service account list and watch their Services, Endpoints and Pods.\n",
    );
    text.push_str(&format!(
        "- A `Prometheus` resource whose `ruleSelector`, `serviceMonitorSelector` and \
        `podMonitorSelector` match the labels above (and whose `ruleNamespaceSelector` and \
        `serviceMonitorNamespaceSelector` include `{}`); its `externalLabels` and \
        `replicaExternalLabelName` as the spec's Prometheus configuration sets them.\n",
        k8s.namespace
    ));
    if let Some(secret) = &k8s.alertmanager {
        text.push_str(&format!(
            "- An `Alertmanager` resource with `configSecret: {}` and `secrets: [{}]`, and the \
            Secret `{}` itself, one key per secret file (never committed here).\n",
            secret.name, secret.credentials, secret.credentials
        ));
    }
    text.push_str(&format!(
        "- Grafana with its dashboard sidecar watching ConfigMaps labelled `{}: {:?}` in `{}`.\n",
        k8s.dashboard_label.0, k8s.dashboard_label.1, k8s.namespace
    ));
    text
}
