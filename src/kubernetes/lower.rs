//! The checks the API server and prometheus-operator would make, made on the spec: resource
//! names, namespaces, labels, Secret keys; and the checks across targets: every monitor names a
//! scrape job of the Prometheus configuration, every scrape job has a monitor, every secret file
//! of the AlertManager configuration maps to a key of the credentials Secret.

use std::collections::BTreeMap;

use crate::alertmanager::{Config, SecretFile};
use crate::diagnostics::{Diagnostic, Origin};
use crate::ir::Ir;
use crate::kubernetes::codes;
use crate::kubernetes::Kubernetes;

/// Checks `k8s` against the lowered spec; returns it when it has no errors.
pub fn lower(k8s: &Kubernetes, ir: &Ir, out: &mut Vec<Diagnostic>) -> Option<Kubernetes> {
    let before = out.iter().filter(|d| d.is_error()).count();
    let origin = k8s.origin;
    if !is_dns_label(&k8s.namespace) {
        out.push(name_error("namespace", &k8s.namespace, origin, 63));
    }
    for (name, value) in &k8s.labels {
        label(name, value, origin, out);
    }
    let (dash_name, dash_value) = &k8s.dashboard_label;
    label(dash_name, dash_value, origin, out);
    for group in &ir.groups {
        if !is_dns_subdomain(&group.name) {
            let mut d = name_error("PrometheusRule", &group.name, origin, 253).note(format!(
                "the resource is named after rule group {:?}",
                group.name
            ));
            if group.place.origin().is_some() {
                d = d.at(&group.place);
            }
            out.push(d);
        }
    }
    for dashboard in &ir.grafana.dashboards {
        let name = emit_name_of_dashboard(&dashboard.uid);
        if !is_dns_subdomain(&name) {
            out.push(name_error("ConfigMap", &name, origin, 253).note(format!(
                "the ConfigMap is named after dashboard {:?}",
                dashboard.uid
            )));
        }
    }
    monitors(k8s, ir, out);
    if let Some(secret) = &k8s.alertmanager {
        for (what, name) in [
            ("Secret", &secret.name),
            ("credentials Secret", &secret.credentials),
        ] {
            if !is_dns_subdomain(name) {
                out.push(name_error(what, name, secret.origin, 253));
            }
        }
        match &ir.alertmanager {
            None => out.push(
                Diagnostic::error(
                    codes::ALERTMANAGER,
                    "an AlertManager Secret is declared but the spec has no AlertManager configuration",
                )
                .at(secret.origin)
                .note("declare the configuration with `Spec::alertmanager`, or remove the Secret"),
            ),
            Some(config) => {
                for file in secret_files(config) {
                    if secret_key(&secret.secrets_dir, &file.path).is_none() {
                        out.push(
                            Diagnostic::error(
                                codes::SECRET_KEY,
                                format!(
                                    "secret file {:?} is not a file directly in {:?}, so it is no key of Secret {:?}",
                                    file.path, secret.secrets_dir, secret.credentials
                                ),
                            )
                            .at(&file.origin)
                            .note(format!(
                                "put the secret at `{}/<key>`, the key made of letters, digits, `-`, `_` and `.`",
                                secret.secrets_dir.trim_end_matches('/')
                            )),
                        );
                    }
                }
            }
        }
    }
    let errors = out.iter().filter(|d| d.is_error()).count();
    (errors == before).then(|| k8s.clone())
}

fn monitors(k8s: &Kubernetes, ir: &Ir, out: &mut Vec<Diagnostic>) {
    let jobs: BTreeMap<&str, Origin> = ir
        .prometheus
        .iter()
        .flat_map(|p| &p.jobs)
        .map(|j| (j.name.as_str(), j.origin))
        .collect();
    let mut seen: BTreeMap<&str, Origin> = BTreeMap::new();
    for monitor in &k8s.monitors {
        let at = monitor.origin;
        if !jobs.contains_key(monitor.job.as_str()) {
            let known: Vec<&str> = jobs.keys().copied().collect();
            out.push(
                Diagnostic::error(
                    codes::MONITOR,
                    format!(
                        "monitor for scrape job {:?}, which the Prometheus configuration does not declare",
                        monitor.job
                    ),
                )
                .at(at)
                .note(if known.is_empty() {
                    "the spec declares no scrape job: add `Spec::prometheus` with its jobs".to_string()
                } else {
                    format!("the scrape jobs are: {}", known.join(", "))
                }),
            );
        }
        if let Some(first) = seen.insert(&monitor.job, at) {
            out.push(
                Diagnostic::error(
                    codes::MONITOR,
                    format!("scrape job {:?} has two monitors", monitor.job),
                )
                .at(at)
                .note(format!("first declared at {first}")),
            );
        }
        if !is_dns_subdomain(&monitor.job) {
            out.push(name_error("monitor", &monitor.job, at, 253));
        }
        if let Some(ns) = &monitor.namespace {
            if !is_dns_label(ns) {
                out.push(name_error("namespace", ns, at, 63));
            }
        }
        if monitor.selector.is_empty() {
            out.push(
                Diagnostic::error(
                    codes::MONITOR,
                    format!("monitor for scrape job {:?} selects nothing", monitor.job),
                )
                .at(at)
                .note("an empty selector would scrape every Service (or Pod) of the namespace: add `.select(label, value)`"),
            );
        }
        for (name, value) in &monitor.selector {
            label(name, value, at, out);
        }
        if !is_port_name(&monitor.port) {
            out.push(
                Diagnostic::error(
                    codes::MONITOR,
                    format!("invalid port name {:?}", monitor.port),
                )
                .at(at)
                .note("a port name has at most 15 lowercase letters, digits and `-`, at least one letter, and no `-` at either end or twice in a row"),
            );
        }
    }
    for (job, origin) in &jobs {
        if !seen.contains_key(job) {
            out.push(
                Diagnostic::warning(
                    codes::UNMONITORED_JOB,
                    format!("scrape job {job:?} has no ServiceMonitor or PodMonitor"),
                )
                .at(*origin)
                .note("on Kubernetes nothing would scrape it: add `Monitor::service` or `Monitor::pod` for it to the Kubernetes target"),
            );
        }
    }
}

/// Every secret file of an AlertManager configuration.
pub fn secret_files(config: &Config) -> Vec<&SecretFile> {
    let mut files = Vec::new();
    if let Some((_, file)) = config.global.smtp.as_ref().and_then(|s| s.auth.as_ref()) {
        files.push(file);
    }
    if let Some((_, file)) = config
        .global
        .http_config
        .as_ref()
        .and_then(|h| h.basic_auth.as_ref())
    {
        files.push(file);
    }
    for receiver in &config.receivers {
        for integration in &receiver.integrations {
            files.extend(integration.secret_files());
        }
    }
    files
}

/// Every secret file of an AlertManager configuration, to rewrite.
pub(crate) fn secret_files_mut(config: &mut Config) -> Vec<&mut SecretFile> {
    let mut files = Vec::new();
    if let Some((_, file)) = config.global.smtp.as_mut().and_then(|s| s.auth.as_mut()) {
        files.push(file);
    }
    if let Some((_, file)) = config
        .global
        .http_config
        .as_mut()
        .and_then(|h| h.basic_auth.as_mut())
    {
        files.push(file);
    }
    for receiver in &mut config.receivers {
        for integration in &mut receiver.integrations {
            files.extend(integration.secret_files_mut());
        }
    }
    files
}

/// The key of the credentials Secret a secret file at `path` becomes: its name, when it lies
/// directly in `dir`.
pub fn secret_key<'p>(dir: &str, path: &'p str) -> Option<&'p str> {
    let key = path
        .strip_prefix(dir.trim_end_matches('/'))?
        .strip_prefix('/')?;
    let valid = !key.is_empty()
        && key.len() <= 253
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    valid.then_some(key)
}

/// The ConfigMap a dashboard is written to.
pub fn emit_name_of_dashboard(uid: &str) -> String {
    format!("grafana-dashboard-{uid}")
}

fn name_error(what: &str, name: &str, origin: Origin, max: usize) -> Diagnostic {
    let rule = if max == 63 {
        "a DNS label: at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit"
    } else {
        "a DNS subdomain: at most 253 lowercase letters, digits, `-` and `.`, each part starting and ending with a letter or digit"
    };
    Diagnostic::error(codes::NAME, format!("invalid {what} name {name:?}"))
        .at(origin)
        .snippet(what, name, 0..name.len(), "not a valid Kubernetes name")
        .note(format!("a {what} name must be {rule}"))
}

fn label(name: &str, value: &str, origin: Origin, out: &mut Vec<Diagnostic>) {
    if !is_label_key(name) {
        out.push(
            Diagnostic::error(codes::LABEL, format!("invalid label name {name:?}"))
                .at(origin)
                .note("a label name is an optional DNS subdomain prefix and `/`, then at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"),
        );
    }
    if !is_label_value(value) {
        out.push(
            Diagnostic::error(
                codes::LABEL,
                format!("invalid value {value:?} of label {name:?}"),
            )
            .at(origin)
            .note("a label value is empty or at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"),
        );
    }
}

/// RFC 1123 label: a namespace, a part of a name.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// RFC 1123 subdomain: most resources' names.
pub fn is_dns_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// A label name: `[prefix/]name`.
pub fn is_label_key(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, s),
    };
    prefix.is_none_or(is_dns_subdomain) && !name.is_empty() && is_label_value(name)
}

/// A label value: empty, or up to 63 characters of `[A-Za-z0-9_.-]`, alphanumeric at both ends.
pub fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// An IANA service name, which a named port must be.
pub fn is_port_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 15
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_dns_label("monitoring"));
        assert!(!is_dns_label("Monitoring"));
        assert!(!is_dns_label("-a"));
        assert!(is_dns_subdomain("slo-decision-latency"));
        assert!(!is_dns_subdomain("eje_alerts"));
        assert!(is_label_key("app.kubernetes.io/name"));
        assert!(!is_label_key("app.kubernetes.io/"));
        assert!(is_label_value(""));
        assert!(!is_label_value("-x"));
        assert!(is_port_name("http-metrics"));
        assert!(!is_port_name("8080"));
        assert_eq!(
            secret_key(
                "/etc/alertmanager/secrets",
                "/etc/alertmanager/secrets/smtp-password"
            ),
            Some("smtp-password")
        );
        assert_eq!(secret_key("/etc/alertmanager/secrets/", "/etc/a/b"), None);
        assert_eq!(
            secret_key("/etc/alertmanager/secrets", "/etc/alertmanager/secrets/a/b"),
            None
        );
    }
}
