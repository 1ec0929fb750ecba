//! The deploy targets beyond one Prometheus pair: what their lowering rejects (Kubernetes names,
//! labels, monitors, secret keys; Thanos Ruler's targets and strategies; a Mimir tenant's
//! limits), what the Mimir ruler's files hold for federated groups, and `lint` reading rules
//! inside PrometheusRule resources exactly as it reads a plain rule file.

mod common;

use sextant::diagnostics::Diagnostic;
use sextant::lint;
use sextant::prelude::alerting::*;
use sextant::prelude::deploy::*;
use sextant::prelude::*;
use sextant::rules::file::SourceFile;
use sextant_catalog::eje;

fn record(n: usize) -> Rule {
    Record::new(
        format!("job:eje_decisions_{n}:rate5m"),
        "sum by (job) (rate(eje_decisions_total[5m]))",
    )
    .into()
}

fn prometheus() -> PrometheusConfig {
    PrometheusConfig::new()
        .external_label("cluster", "eu-1")
        .job(ScrapeJob::new("eje").targets(["eje:8000"]))
        .job(ScrapeJob::new("node").targets(["node:9100"]))
}

#[test]
fn kubernetes_faults() {
    let alertmanager =
        AlertManager::new(Route::to("pager")).receiver(Receiver::new("pager").pagerduty(
            PagerDuty::routing_key(SecretFile::at("/run/keys/pagerduty")),
        ));
    let spec = Spec::new(eje::CATALOG)
        .rule_group(RuleGroup::new("eje_alerts").rule(record(1)))
        .prometheus(prometheus())
        .alertmanager(alertmanager)
        .kubernetes(
            Kubernetes::new("Monitoring")
                .label("release", "kube prometheus")
                .monitor(Monitor::service("eje").port("http_metrics"))
                .monitor(Monitor::pod("ejee").select("app", "eje"))
                .alertmanager(AlertManagerSecret::new(
                    "alertmanager-eje",
                    "eje-credentials",
                    "/etc/alertmanager/secrets",
                )),
        );
    insta::assert_snapshot!("kubernetes_faults", common::diagnostics(&spec));
}

#[test]
fn thanos_faults() {
    let spec = Spec::new(eje::CATALOG)
        .rule_group(RuleGroup::new("eje-alerts").rule(record(1)))
        .thanos(
            ThanosRuler::new(["http://thanos-query:10902"])
                .label("__ruler", "a")
                .strategy("eje-alert", PartialResponse::Warn),
        );
    insta::assert_snapshot!("thanos_faults", common::diagnostics(&spec));
}

#[test]
fn mimir_limits_are_checked() {
    let big = RuleGroup::new("big").rules((0..21).map(record));
    let spec = Spec::new(eje::CATALOG)
        .rule_group(big)
        .rule_group(RuleGroup::new("small-a").rule(record(100)))
        .rule_group(RuleGroup::new("small-b").rule(record(101)))
        .mimir(Mimir::new("eje").federate("smal-a", ["eu"]).limits(Limits {
            rule_groups_per_tenant: 2,
            rules_per_rule_group: 20,
            rule_groups_per_namespace: Some(1),
        }));
    let compiled = compile(&spec);
    let codes: Vec<&str> = compiled.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            "mimir/rules-per-group",
            "mimir/rule-groups",
            "mimir/rule-groups",
            "mimir/config"
        ]
    );
    assert!(compiled.output.is_empty(), "nothing is written");
    insta::assert_snapshot!("mimir_limits", common::diagnostics(&spec));
    // Within the limits, the same spec builds.
    let fits = Spec::new(eje::CATALOG)
        .rule_group(RuleGroup::new("big").rules((0..20).map(record)))
        .mimir(Mimir::new("eje"));
    assert!(!compile(&fits).has_errors());
}

#[test]
fn mimir_namespaces_and_federated_groups() {
    let spec = Spec::new(eje::CATALOG)
        .rule_group(RuleGroup::new("local").rule(record(1)))
        .rule_group(RuleGroup::new("global").rule(record(2)))
        .mimir(
            Mimir::new("eje")
                .namespace_prefix("eje-")
                .federate("global", ["eje-eu", "eje-us"]),
        );
    let compiled = compile(&spec);
    assert_eq!(common::diagnostics(&spec), "");
    // Both groups were declared in this file: one namespace, named after it.
    let file = compiled.output.get("mimir/eje/eje-deploy.yml").unwrap();
    insta::assert_snapshot!("mimir_federated", file);
}

/// Lints `files` as `lint PATH...` does, against EJE's catalog.
fn lint_files(files: &[SourceFile]) -> Vec<Diagnostic> {
    let spec = Spec::new(eje::CATALOG).lints(
        LintConfig::default().record_budget("job_critic_reason:eje_critic_failures:rate5m", 10),
    );
    lint::files::lint_files(files, &spec, &lint::files::Environment::none())
        .expect("the files are rule files")
}

/// `text`'s groups as a PrometheusRule resource's `spec.groups`, after another resource in the
/// same manifest.
fn as_prometheus_rule(text: &str) -> String {
    let groups = indented_groups(text, "  ");
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n  namespace: monitoring\ndata: {{}}\n---\n\
        apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: dirty\n  namespace: monitoring\nspec:\n{groups}\n"
    )
}

/// A rule file's `groups:` and what follows, each line indented by `indent`.
fn indented_groups(text: &str, indent: &str) -> String {
    text.lines()
        .skip_while(|l| !l.starts_with("groups:"))
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The file and byte range a diagnostic points at.
fn file_range(d: &Diagnostic) -> (String, std::ops::Range<usize>) {
    match &d.span {
        Some(sextant::diagnostics::Span::File { path, range }) => (path.to_string(), range.clone()),
        _ => (String::new(), 0..0),
    }
}

#[test]
fn a_prometheus_rule_is_linted_as_its_rule_file() {
    let path = "tests/fixtures/lint/dirty.yml";
    let text = std::fs::read_to_string(common::root().join(path)).unwrap();
    let plain = lint_files(&[SourceFile {
        path: path.into(),
        text: text.clone(),
    }]);
    let resource = lint_files(&[SourceFile {
        path: "dirty-prometheusrule.yaml".into(),
        text: as_prometheus_rule(&text),
    }]);
    assert!(plain.len() > 20);
    let findings = |ds: &[Diagnostic]| -> Vec<(String, String, String)> {
        ds.iter()
            .map(|d| {
                let (file, at) = file_range(d);
                let text_at = |t: &str| t.get(at.clone()).unwrap_or_default().to_string();
                let source = if file == path {
                    text_at(&text)
                } else {
                    text_at(&as_prometheus_rule(&text))
                };
                (d.code.to_string(), d.message.clone(), source)
            })
            .collect()
    };
    // The same findings, each at the same text (the place in the file differs).
    assert_eq!(findings(&plain), findings(&resource));
    let moved = plain
        .iter()
        .zip(&resource)
        .filter(|(a, b)| file_range(a).1 != file_range(b).1)
        .count();
    assert_eq!(moved, plain.len());
}

#[test]
fn a_mimir_file_over_its_tenants_limits() {
    let mut text = String::from("namespace: eje\ngroups:\n  - name: big\n    rules:\n");
    for n in 0..21 {
        text.push_str(&format!(
            "      - record: job:eje_decisions_{n}:rate5m\n        expr: sum by (job) (rate(eje_decisions_total[5m]))\n"
        ));
    }
    let diagnostics = lint_files(&[SourceFile {
        path: "big.yml".into(),
        text,
    }]);
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, ["mimir/rules-per-group"]);
    assert!(
        diagnostics[0].message.contains("has 21 rules"),
        "{diagnostics:?}"
    );
}

#[test]
fn an_alertmanager_secret_without_a_configuration() {
    let spec = Spec::new(eje::CATALOG)
        .rule_group(RuleGroup::new("eje-alerts").rule(record(1)))
        .prometheus(prometheus())
        .kubernetes(
            Kubernetes::new("monitoring")
                .monitor(Monitor::service("eje").select("app", "eje"))
                .monitor(Monitor::service("node").select("app", "node"))
                .alertmanager(AlertManagerSecret::new(
                    "alertmanager-eje",
                    "eje-credentials",
                    "/etc/alertmanager/secrets",
                )),
        );
    insta::assert_snapshot!(
        "kubernetes_secret_without_alertmanager",
        common::diagnostics(&spec)
    );
}

/// A `List` of PrometheusRules (`kubectl get prometheusrules -o yaml`) is read like its rules as
/// a plain file: the same findings, in the same order.
#[test]
fn a_list_of_prometheus_rules_is_linted_as_its_rule_file() {
    let path = "tests/fixtures/lint/dirty.yml";
    let text = std::fs::read_to_string(common::root().join(path)).unwrap();
    let groups = indented_groups(&text, "        ");
    let list = format!(
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: monitoring.coreos.com/v1\n    kind: PrometheusRule\n    metadata:\n      name: dirty\n      namespace: monitoring\n    spec:\n{groups}\n"
    );
    let codes = |ds: Vec<Diagnostic>| -> Vec<(&'static str, String)> {
        ds.into_iter().map(|d| (d.code, d.message)).collect()
    };
    let plain = codes(lint_files(&[SourceFile {
        path: path.into(),
        text: text.clone(),
    }]));
    let listed = codes(lint_files(&[SourceFile {
        path: "dirty-list.yaml".into(),
        text: list,
    }]));
    assert!(plain.len() > 20);
    assert_eq!(plain, listed);
}
