//! EJE's deploy targets, checked as their APIs would check them: every Kubernetes resource
//! against its CRD's OpenAPI schema (prometheus-operator 0.93's, read from `../shared/reference/`)
//! or as a plain object, and a tampered copy of each kind rejected (so the check can fail);
//! `promtool check rules` on every rule group inside a PrometheusRule, a Thanos rule file and a
//! Mimir namespace file; `amtool check-config` on the configuration inside the Secret; and `lint`
//! reading back every rule format it writes.

mod common;

use common::{tool, TempDir};

use std::path::{Path, PathBuf};

use serde_json::Value;
use sextant::kubernetes::schema::{check_object, Crd};
use sextant::prelude::*;
use sextant::rules::file::SourceFile;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn output() -> sextant::output::Output {
    let compiled = compile(&eje_spec::spec());
    assert!(!compiled.has_errors());
    compiled.output
}

/// The CRDs prometheus-operator ships, by kind.
fn crds() -> Vec<Crd> {
    let dir = root().join("../shared/reference/prometheus-operator-crds");
    let mut crds: Vec<Crd> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e}: shared/ must sit beside the repository",
                dir.display()
            )
        })
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .map(|text| Crd::parse(&text).expect("the CRD compiles"))
        .collect();
    crds.sort_by(|a, b| a.kind.cmp(&b.kind));
    assert_eq!(crds.len(), 4);
    crds
}

/// Every reason the API server would reject `resource`.
fn check(crds: &[Crd], resource: &Value) -> Vec<String> {
    match crds.iter().find(|c| resource["kind"] == c.kind.as_str()) {
        Some(crd) => crd
            .check(resource)
            .iter()
            .map(ToString::to_string)
            .collect(),
        None => {
            let mut errors: Vec<String> = check_object(resource)
                .iter()
                .map(ToString::to_string)
                .collect();
            if !matches!(resource["apiVersion"].as_str(), Some("v1")) {
                errors.push("a plain object here is a v1 Secret or ConfigMap".into());
            }
            errors
        }
    }
}

fn resources(output: &sextant::output::Output) -> Vec<(String, Value)> {
    output
        .files()
        .iter()
        .filter(|(path, _)| path.starts_with("kubernetes/") && path.ends_with(".yaml"))
        .map(|(path, text)| {
            let value: Value = serde_yaml::from_str(text).expect("a resource is YAML");
            (path.clone(), value)
        })
        .collect()
}

#[test]
fn every_kubernetes_resource_is_valid() {
    let crds = crds();
    let resources = resources(&output());
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for (path, resource) in &resources {
        let errors = check(&crds, resource);
        assert!(
            errors.is_empty(),
            "{path} would be rejected:\n{}",
            errors.join("\n")
        );
        *kinds
            .entry(resource["kind"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{k}: {n}")).collect();
    insta::assert_snapshot!(kinds.join("\n"), @r"
    ConfigMap: 6
    PrometheusRule: 8
    Secret: 1
    ServiceMonitor: 3
    ");
}

/// A change made to a valid resource.
type Tamper = fn(&mut Value);

/// A resource of each kind, changed the way a hand edit could break it, is rejected: the check
/// is not vacuous.
#[test]
fn a_tampered_resource_is_rejected() {
    let crds = crds();
    let resources = resources(&output());
    let of = |file: &str| -> Value {
        resources
            .iter()
            .find(|(path, _)| path.ends_with(file))
            .unwrap_or_else(|| panic!("no {file}"))
            .1
            .clone()
    };
    let cases: Vec<(&str, Value, Tamper)> = vec![
        (
            "a duration PromQL cannot read",
            of("prometheusrules/eje-alerts.yaml"),
            |r| r["spec"]["groups"][0]["rules"][0]["for"] = "5 minutes".into(),
        ),
        (
            "a field rules do not have",
            of("prometheusrules/eje-alerts.yaml"),
            |r| r["spec"]["groups"][0]["rules"][0]["severity"] = "critical".into(),
        ),
        (
            "a group without a name",
            of("prometheusrules/eje-errors.yaml"),
            |r| {
                r["spec"]["groups"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("name");
            },
        ),
        (
            "an invalid strategy",
            of("prometheusrules/eje-errors.yaml"),
            |r| r["spec"]["groups"][0]["partial_response_strategy"] = "ignore".into(),
        ),
        (
            "a name with upper case",
            of("prometheusrules/eje-errors.yaml"),
            |r| r["metadata"]["name"] = "EJE-errors".into(),
        ),
        (
            "another API version",
            of("prometheusrules/eje-errors.yaml"),
            |r| r["apiVersion"] = "monitoring.coreos.com/v1alpha1".into(),
        ),
        ("an interval with a space", of("monitors/eje.yaml"), |r| {
            r["spec"]["endpoints"][0]["interval"] = "15 s".into()
        }),
        (
            "an unknown relabeling action",
            of("monitors/eje.yaml"),
            |r| r["spec"]["endpoints"][0]["relabelings"][0]["action"] = "rename".into(),
        ),
        ("no selector", of("monitors/eje.yaml"), |r| {
            r["spec"].as_object_mut().unwrap().remove("selector");
        }),
        (
            "a label value with a space",
            of("dashboards/eje-overview.yaml"),
            |r| r["metadata"]["labels"]["grafana_dashboard"] = "yes please".into(),
        ),
        (
            "an invalid data key",
            of("alertmanager/alertmanager-eje.yaml"),
            |r| r["stringData"]["alertmanager config"] = "x".into(),
        ),
        (
            "no namespace",
            of("alertmanager/alertmanager-eje.yaml"),
            |r| {
                r["metadata"].as_object_mut().unwrap().remove("namespace");
            },
        ),
    ];
    for (what, mut resource, tamper) in cases {
        assert!(check(&crds, &resource).is_empty(), "{what}: valid before");
        tamper(&mut resource);
        assert!(
            !check(&crds, &resource).is_empty(),
            "{what}: the check accepted {resource}"
        );
    }
}

/// The rule groups inside every rule format written: PrometheusRule's `spec.groups`, a Thanos
/// file's groups without `partial_response_strategy`, a Mimir file's without `namespace` and
/// `source_tenants` (the fields Prometheus does not know), each as a plain rule file.
fn extracted_rule_files(output: &sextant::output::Output) -> Vec<(String, String)> {
    let mut files = Vec::new();
    for (path, text) in output.files() {
        let value: serde_yaml::Value = match path.as_str() {
            p if p.starts_with("kubernetes/prometheusrules/") => {
                serde_yaml::from_str::<serde_yaml::Value>(text).unwrap()["spec"].clone()
            }
            p if p.starts_with("thanos/rules/")
                || p.starts_with("mimir/") && p.ends_with(".yml") =>
            {
                serde_yaml::from_str(text).unwrap()
            }
            _ => continue,
        };
        let mut groups = value["groups"].as_sequence().expect("groups").clone();
        for group in &mut groups {
            let group = group.as_mapping_mut().unwrap();
            group.remove("partial_response_strategy");
            group.remove("source_tenants");
        }
        let file = serde_yaml::to_string(&serde_yaml::Mapping::from_iter([(
            "groups".into(),
            serde_yaml::Value::Sequence(groups),
        )]))
        .unwrap();
        files.push((path.clone(), file));
    }
    files
}

#[test]
fn promtool_accepts_every_rule_group_of_every_format() {
    let output = output();
    let dir = TempDir::new("deploy-promtool");
    let mut paths = Vec::new();
    for (path, text) in extracted_rule_files(&output) {
        let target = dir.0.join(path.replace('/', "__"));
        std::fs::write(&target, text).unwrap();
        paths.push(target);
    }
    // 8 groups as PrometheusRules, 8 Thanos rule files, 3 Mimir namespaces.
    assert_eq!(paths.len(), 8 + 8 + 3, "{paths:?}");
    let out = tool("promtool")
        .args(["check", "rules"])
        .args(&paths)
        .output()
        .expect("promtool runs: run ci/test.sh, which installs it");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool rejected:\n{report}");
    assert_eq!(report.matches("SUCCESS").count(), paths.len(), "{report}");
    // Every format holds every rule of the plain rule files.
    let count = |prefix: &str| -> usize {
        output
            .files()
            .iter()
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(_, t)| {
                t.matches("\n  - record: ").count()
                    + t.matches("\n  - alert: ").count()
                    + t.matches("\n    - record: ").count()
                    + t.matches("\n    - alert: ").count()
            })
            .sum()
    };
    let plain = count("prometheus/rules/");
    assert!(plain > 50);
    for prefix in ["kubernetes/prometheusrules/", "thanos/rules/", "mimir/"] {
        assert_eq!(count(prefix), plain, "{prefix}");
    }
}

#[test]
fn amtool_accepts_the_configuration_inside_the_secret() {
    let output = output();
    let text = output
        .get("kubernetes/alertmanager/alertmanager-eje.yaml")
        .unwrap();
    let secret: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
    let config = secret["stringData"]["alertmanager.yaml"].as_str().unwrap();
    assert!(!config.contains(": /etc/alertmanager/secrets/smtp-password"));
    assert!(config.contains("/etc/alertmanager/secrets/eje-alertmanager-credentials/smtp-password"));
    assert!(config.contains("- /etc/alertmanager/config/*.tmpl"));
    assert!(secret["stringData"]["notifications.tmpl"].is_string());
    let dir = TempDir::new("deploy-amtool");
    let path = dir.0.join("alertmanager.yaml");
    std::fs::write(&path, config).unwrap();
    let out = tool("amtool")
        .arg("check-config")
        .arg(&path)
        .output()
        .expect("amtool runs: run ci/test.sh, which installs it");
    assert!(
        out.status.success(),
        "amtool rejected the Secret's configuration:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `lint generated/kubernetes/prometheusrules generated/thanos/rules generated/mimir/eje`: each
/// rule format read back, clean, with every rule of the spec.
#[test]
fn lint_reads_back_every_rule_format() {
    let spec = eje_spec::spec();
    let (spec_ir, _) = sextant::spec::lower(&spec);
    for prefix in ["kubernetes/prometheusrules/", "thanos/rules/", "mimir/eje/"] {
        let files: Vec<SourceFile> = output()
            .files()
            .iter()
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(p, t)| SourceFile {
                path: format!("generated/{p}"),
                text: t.clone(),
            })
            .collect();
        let diagnostics = sextant::lint::files::lint_files(
            &files,
            &spec,
            &sextant::lint::files::Environment::none(),
        )
        .unwrap_or_else(|e| panic!("{prefix}: {e}"));
        let rendered = sextant::diagnostics::render(&diagnostics, &|f| {
            std::fs::read_to_string(root().join(f)).ok()
        });
        assert_eq!(rendered, "", "{prefix}");
        let (ir, _) = sextant::rules::file::lower(&files);
        assert_eq!(ir.rules().count(), spec_ir.rules().count(), "{prefix}");
    }
}

/// The other Kubernetes resources `build` writes (monitors, the AlertManager Secret, the
/// dashboards' ConfigMaps) are read back by `lint` and pass prometheus-operator's CRDs and the
/// API server's object checks; a tampered monitor does not.
#[test]
fn lint_reads_back_every_kubernetes_resource() {
    let spec = eje_spec::spec();
    let crds = crds();
    let env = sextant::lint::files::Environment {
        crds: &crds,
        ..sextant::lint::files::Environment::none()
    };
    let files: Vec<SourceFile> = output()
        .files()
        .iter()
        .filter(|(p, _)| p.starts_with("kubernetes/") && p.ends_with(".yaml"))
        .filter(|(p, _)| !p.starts_with("kubernetes/prometheusrules/"))
        .map(|(p, t)| SourceFile {
            path: format!("generated/{p}"),
            text: t.clone(),
        })
        .collect();
    assert!(files.len() >= 10, "{}", files.len());
    let diagnostics = sextant::lint::files::lint_files(&files, &spec, &env).unwrap();
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, Vec::<&str>::new());
    let monitor = files
        .iter()
        .find(|f| f.path.contains("/monitors/"))
        .expect("a monitor");
    let tampered = SourceFile {
        path: monitor.path.clone(),
        text: monitor.text.replacen("  endpoints:", "  endpoint:", 1),
    };
    let diagnostics = sextant::lint::files::lint_files(&[tampered], &spec, &env).unwrap();
    assert!(
        diagnostics.iter().any(|d| d.code == "kubernetes/schema"),
        "{diagnostics:?}"
    );
}
