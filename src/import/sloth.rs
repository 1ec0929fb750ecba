//! Sloth SLO specs as a Rust module: `pub fn slos()`, one function per SLO, written with the SLO
//! DSL in Sloth's naming (`Naming::Sloth`, no Sextant labels), so the recorded series and alerts
//! are Sloth's: the same names, labels and annotations (Sloth's default `title` and `summary`
//! included), no `for` (Sloth's output has none), no absent-SLI alert.
//!
//! Reads `version: prometheus/v1` specs and Kubernetes `PrometheusServiceLevel` resources
//! (`sloth.slok.dev/v1`, camelCase fields). Event SLIs (`error_query`/`total_query`) map to
//! `Sli::error_ratio(Events::promql(..), ..)` with Sloth's `{{.window}}` as `{{window}}`; raw and
//! plugin SLIs have no DSL form and are reported.

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml::Value;

use super::layout::{vec_body, Expr};
use super::rust::{float, ident, string, unique};
use super::{codes, Entry, Module};
use crate::diagnostics::Diagnostic;
use crate::rules::file::SourceFile;

/// Sloth's spec version, spelled in two pieces so it does not read as a diagnostic code.
const PROMETHEUS_V1: &str = concat!("prometheus/", "v1");

/// Whether `text` is a Sloth spec: `version: prometheus/v1`, or `apiVersion: sloth.slok.dev/v1`.
pub fn is_sloth(text: &str) -> bool {
    text.lines().any(|line| {
        let Some((key, value)) = line.split_once(':') else {
            return false;
        };
        let value = value.trim().trim_matches(['"', '\'']);
        (key == "version" && value == PROMETHEUS_V1)
            || (key == "apiVersion" && value == "sloth.slok.dev/v1")
    })
}

/// A Sloth spec as a module of SLOs. `names` holds the SLO ids (`<service>-<slo>`) imported so
/// far.
pub fn module(
    file: &SourceFile,
    name: String,
    names: &mut BTreeSet<String>,
) -> (Option<Module>, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let unsupported = |what: String, note: &str| {
        Diagnostic::warning(codes::UNSUPPORTED, what)
            .with_file(&file.path, 0..0)
            .note(note.to_string())
    };
    let documents: Vec<Value> = match serde_yaml::Deserializer::from_str(&file.text)
        .map(serde::Deserialize::deserialize)
        .collect::<Result<Vec<Value>, _>>()
    {
        Ok(documents) => documents,
        Err(e) => {
            diagnostics.push(
                Diagnostic::error(
                    codes::NOT_IMPORTED,
                    format!("{} is not imported: not YAML: {e}", file.path),
                )
                .with_file(&file.path, 0..0),
            );
            return (None, diagnostics);
        }
    };
    let mut services = Vec::new();
    let mut functions = Vec::new();
    let mut taken: BTreeSet<String> = ["slos".to_string()].into();
    let mut severities = BTreeSet::new();
    let mut series = BTreeMap::new();
    let mut bodies = Vec::new();
    for doc in &documents {
        let spec = if doc.get("apiVersion").and_then(Value::as_str) == Some("sloth.slok.dev/v1") {
            match doc.get("spec") {
                Some(spec) => spec,
                None => continue,
            }
        } else if doc.get("version").and_then(Value::as_str) == Some(PROMETHEUS_V1) {
            doc
        } else {
            continue;
        };
        let service = text(spec.get("service"));
        let service_var = unique(
            format!("{}_service", ident(&service))
                .trim_start_matches("r#")
                .to_string(),
            &mut taken,
        );
        let mut service_expr = Expr::call("Service::new", vec![Expr::atom(string(&service))]);
        for (k, v) in strings(spec.get("labels")) {
            service_expr = service_expr.method(
                "label",
                vec![Expr::atom(string(&k)), Expr::atom(string(&v))],
            );
        }
        let mut calls = Vec::new();
        for slo in spec
            .get("slos")
            .and_then(Value::as_sequence)
            .into_iter()
            .flatten()
        {
            let slo_name = text(slo.get("name"));
            if !names.insert(format!("{service}-{slo_name}")) {
                diagnostics.push(
                    Diagnostic::warning(
                        codes::DUPLICATE,
                        format!("SLO {slo_name:?} of service {service:?} is already imported from another file"),
                    )
                    .with_file(&file.path, 0..0)
                    .note("this SLO is not imported: its series would be recorded twice"),
                );
                continue;
            }
            let sli = slo.get("sli");
            let events = sli.and_then(|s| s.get("events"));
            let query = |snake: &str, camel: &str| {
                events
                    .and_then(|e| e.get(snake).or_else(|| e.get(camel)))
                    .and_then(Value::as_str)
                    .map(|q| {
                        q.replace("{{.window}}", "{{window}}")
                            .replace("{{ .window }}", "{{window}}")
                    })
            };
            let (Some(error), Some(total)) = (
                query("error_query", "errorQuery"),
                query("total_query", "totalQuery"),
            ) else {
                let kind = if sli.and_then(|s| s.get("plugin")).is_some() {
                    "a plugin SLI"
                } else if sli.and_then(|s| s.get("raw")).is_some() {
                    "a raw SLI (`error_ratio_query`)"
                } else {
                    "an SLI without events"
                };
                diagnostics.push(unsupported(
                    format!("SLO {slo_name:?} of service {service:?} has {kind}, which the SLO DSL cannot express; it is not imported"),
                    "the DSL's SLIs are event ratios (error_query/total_query), latency and boolean gauges; write this SLO by hand",
                ));
                continue;
            };
            for q in [&error, &total] {
                let q = q.replace("{{window}}", "5m");
                super::rules::seen(&q, &BTreeSet::new(), &mut series);
            }
            let function = unique(ident(&slo_name), &mut taken);
            let mut chain = Expr::call(
                "Slo::new",
                vec![Expr::atom(string(&slo_name)), Expr::atom("service")],
            );
            if let Some(objective) = slo.get("objective").and_then(Value::as_f64) {
                chain = chain.method("objective", vec![Expr::atom(float(objective))]);
            }
            if let Some(description) = slo.get("description").and_then(Value::as_str) {
                chain = chain.method("description", vec![Expr::atom(string(description))]);
            }
            chain = chain.method(
                "sli",
                vec![Expr::call(
                    "Sli::error_ratio",
                    vec![
                        Expr::call("Events::promql", vec![Expr::atom(string(&error))]),
                        Expr::call("Events::promql", vec![Expr::atom(string(&total))]),
                    ],
                )],
            );
            for (k, v) in strings(slo.get("labels")) {
                chain = chain.method(
                    "label",
                    vec![Expr::atom(string(&k)), Expr::atom(string(&v))],
                );
            }
            let alerting = slo.get("alerting");
            let alert_name = text(alerting.and_then(|a| a.get("name")));
            let common = strings(alerting.and_then(|a| a.get("annotations")));
            for (k, v) in strings(alerting.and_then(|a| a.get("labels"))) {
                chain = chain.method(
                    "alert_label",
                    vec![Expr::atom(string(&k)), Expr::atom(string(&v))],
                );
            }
            for (k, v) in &common {
                chain = chain.method(
                    "alert_annotation",
                    vec![Expr::atom(string(k)), Expr::atom(string(v))],
                );
            }
            for (tier, snake, camel, title) in [
                ("page", "page_alert", "pageAlert", "(page) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast."),
                ("ticket", "ticket_alert", "ticketAlert", "(ticket) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast."),
            ] {
                let spec = alerting.and_then(|a| a.get(snake).or_else(|| a.get(camel)));
                let disabled = alerting.is_none()
                    || spec.and_then(|s| s.get("disable")).and_then(Value::as_bool) == Some(true);
                let expr = if disabled {
                    Expr::call("Tier::off", vec![])
                } else {
                    let mut labels = strings(spec.and_then(|s| s.get("labels")));
                    let mut t = Expr::call("Tier::on", vec![]);
                    if !alert_name.is_empty() {
                        t = t.method("name", vec![Expr::atom(string(&alert_name))]);
                    }
                    t = t.method("for_", vec![Expr::atom("Duration::ZERO")]);
                    match labels.remove("severity") {
                        Some(severity) => {
                            if !["critical", "warning", "info"].contains(&severity.as_str()) {
                                severities.insert(severity.clone());
                            }
                            t = t.method("severity", vec![Expr::atom(string(&severity))]);
                        }
                        None => diagnostics.push(
                            Diagnostic::warning(
                                codes::UNSUPPORTED,
                                format!("the {tier} alert of SLO {slo_name:?} has no `severity` label; Sextant's tier gives it one (critical for page, warning for ticket)"),
                            )
                            .with_file(&file.path, 0..0)
                            .note("a tier's alert always has a severity: routes match on it; set one in the Sloth spec to choose it"),
                        ),
                    }
                    for (k, v) in labels {
                        t = t.method("label", vec![Expr::atom(string(&k)), Expr::atom(string(&v))]);
                    }
                    // Sloth's defaults, unless the spec sets its own.
                    let mut annotations = BTreeMap::from([("title".to_string(), title.to_string())]);
                    if !common.contains_key("summary") {
                        annotations.insert(
                            "summary".into(),
                            "{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.".into(),
                        );
                    }
                    annotations.extend(strings(spec.and_then(|s| s.get("annotations"))));
                    for (k, v) in annotations {
                        t = t.method("annotation", vec![Expr::atom(string(&k)), Expr::atom(string(&v))]);
                    }
                    t
                };
                chain = chain.method(tier, vec![expr]);
            }
            chain = chain
                .method("absent_alert", vec![Expr::call("Tier::off", vec![])])
                .method(
                    "sextant_labels",
                    vec![Expr::call("SloLabels::none", vec![])],
                )
                .method("naming", vec![Expr::atom("Naming::Sloth")])
                .method("raw_alert_windows", vec![]);
            bodies.push(format!(
                "\nfn {function}(service: &Service) -> Slo {{\n    {}\n}}\n",
                chain.render(4, 4, 0)
            ));
            calls.push(format!("{function}(&{service_var})"));
        }
        if !calls.is_empty() {
            services.push((service_var, service_expr));
            functions.extend(calls);
        }
    }
    if functions.is_empty() {
        if diagnostics.is_empty() {
            diagnostics.push(
                Diagnostic::warning(
                    codes::UNSUPPORTED_FILE,
                    format!("{}: no SLO found", file.path),
                )
                .with_file(&file.path, 0..0),
            );
        }
        return (None, diagnostics);
    }
    let mut out = super::header(&file.path, Entry::Slos);
    out.push_str("use sextant::prelude::*;\n\n");
    let listed: Vec<String> = severities.iter().map(|s| string(s)).collect();
    out.push_str("/// The alert severities the SLOs route on beyond critical, warning and info.\n");
    out.push_str(&format!(
        "pub const SEVERITIES: &[&str] = &[{}];\n\n",
        listed.join(", ")
    ));
    out.push_str(&format!(
        "/// The SLOs of `{}`, as Sloth names their series and alerts.\n",
        file.path
    ));
    out.push_str("pub fn slos() -> Vec<Slo> {\n");
    for (var, expr) in &services {
        let prefix = format!("    let {var} = ");
        out.push_str(&prefix);
        out.push_str(&expr.render(4, prefix.len(), 1));
        out.push_str(";\n");
    }
    out.push_str(&vec_body(functions));
    out.push_str("}\n");
    for body in bodies {
        out.push_str(&body);
    }
    (
        Some(Module {
            name,
            source_path: file.path.clone(),
            source: out,
            entry: Entry::Slos,
            series,
            render: None,
        }),
        diagnostics,
    )
}

fn text(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

fn strings(value: Option<&Value>) -> BTreeMap<String, String> {
    value
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (text(Some(k)), text(Some(v))))
                .collect()
        })
        .unwrap_or_default()
}
