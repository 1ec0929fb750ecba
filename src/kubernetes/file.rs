//! Kubernetes manifests as `lint` input: each document checked as the API server checks it, a
//! custom resource against its CRD's schema when the caller has the CRD (`ServiceMonitor`,
//! `PodMonitor`, `AlertmanagerConfig`, ...), every object for its `apiVersion`, `kind` and
//! metadata, each violation at the line and column of the value at fault. `PrometheusRule`
//! resources are rule files (`crate::rules::file` reads their groups); this module checks their
//! envelope too.

use serde_json::{Map, Number, Value};

use crate::diagnostics::Diagnostic;
use crate::kubernetes::codes;
use crate::kubernetes::schema::{check_object, Crd};
use crate::rules::file::SourceFile;
use crate::syntax::yaml::{self, Node, Style};

/// Checks every document of a manifest; `crds` are the CustomResourceDefinitions the caller has.
pub fn lint(file: &SourceFile, crds: &[Crd]) -> Vec<Diagnostic> {
    let documents = match yaml::parse_all(&file.text) {
        Ok(documents) => documents,
        Err(e) => {
            let at = e.offset.min(file.text.len());
            return vec![Diagnostic::error(
                codes::SCHEMA,
                format!("not valid YAML: {}", e.message),
            )
            .with_file(&file.path, at..(at + 1).min(file.text.len()))];
        }
    };
    let mut out = Vec::new();
    for document in &documents {
        let resource = to_json(document);
        let kind = resource["kind"].as_str().unwrap_or_default();
        let violations = match crds.iter().find(|crd| crd.kind == kind) {
            Some(crd) => crd.check(&resource),
            None => check_object(&resource),
        };
        for violation in violations {
            let node = locate(document, &violation.at);
            let start = node.start();
            let end = match node {
                Node::Scalar { value, .. } => (start + value.len().max(1)).min(file.text.len()),
                _ => file.text[start..]
                    .find('\n')
                    .map_or(file.text.len(), |i| start + i),
            };
            out.push(
                Diagnostic::error(codes::SCHEMA, format!("{kind}: {}", violation.message))
                    .with_file(&file.path, start..end.max(start)),
            );
        }
    }
    out
}

/// A YAML node as the JSON the API server decodes it into: plain scalars typed by YAML's core
/// schema (null, booleans, numbers), every other scalar a string.
pub fn to_json(node: &Node) -> Value {
    match node {
        Node::Scalar {
            value,
            style: Style::Plain,
            ..
        } => match value.as_str() {
            "" | "~" | "null" | "Null" | "NULL" => Value::Null,
            "true" | "True" | "TRUE" => Value::Bool(true),
            "false" | "False" | "FALSE" => Value::Bool(false),
            text => text
                .parse::<i64>()
                .map(Value::from)
                .ok()
                .or_else(|| {
                    text.parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .and_then(Number::from_f64)
                        .map(Value::Number)
                })
                .unwrap_or_else(|| Value::String(text.to_string())),
        },
        Node::Scalar { value, .. } => Value::String(value.clone()),
        Node::Seq { items, .. } => Value::Array(items.iter().map(to_json).collect()),
        Node::Map { entries, .. } => Value::Object(
            entries
                .iter()
                .map(|(key, value)| (key.as_str().unwrap_or_default().to_string(), to_json(value)))
                .collect::<Map<String, Value>>(),
        ),
    }
}

/// The node a JSON pointer (`/spec/endpoints/0/port`) leads to, or the deepest one on its way.
fn locate<'n>(node: &'n Node, pointer: &str) -> &'n Node {
    let mut here = node;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let next = match here {
            Node::Map { entries, .. } => entries
                .iter()
                .find(|(key, _)| key.as_str() == Some(segment.as_str()))
                .map(|(_, value)| value),
            Node::Seq { items, .. } => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
            Node::Scalar { .. } => None,
        };
        match next {
            Some(next) => here = next,
            None => break,
        }
    }
    here
}
