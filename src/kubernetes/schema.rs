//! A resource checked as the Kubernetes API server checks it: a custom resource against its
//! CRD's OpenAPI v3 structural schema (with strict field validation, as `kubectl apply` asks by
//! default, so an unknown field is an error), and every object's `apiVersion`, `kind` and
//! metadata (names, namespace, labels) and, for Secrets and ConfigMaps, their keys and size.
//!
//! Architecture Invariant: no I/O here; the caller passes the CRD's text (the tests read the
//! CRDs prometheus-operator ships from `../shared/reference/`, never copied into the repository).

use std::fmt;

use jsonschema::Validator;
use serde_json::{Map, Value};

use crate::kubernetes::lower::{is_dns_label, is_dns_subdomain, is_label_key, is_label_value};

/// A reason the API server would reject a resource, and where: a JSON pointer into it (`""` for
/// the resource as a whole).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub at: String,
    pub message: String,
}

impl Violation {
    fn new(at: &str, message: impl Into<String>) -> Violation {
        Violation {
            at: at.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A CustomResourceDefinition's schemas, one per served version.
pub struct Crd {
    pub group: String,
    pub kind: String,
    versions: Vec<(String, Validator)>,
}

impl Crd {
    /// Reads a CRD (YAML) and compiles the schema of each version.
    pub fn parse(text: &str) -> Result<Crd, String> {
        let crd: Value = serde_yaml::from_str(text).map_err(|e| format!("not YAML: {e}"))?;
        let text_at = |pointer: &str| -> Result<String, String> {
            crd.pointer(pointer)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| format!("the CRD has no {pointer}"))
        };
        let group = text_at("/spec/group")?;
        let kind = text_at("/spec/names/kind")?;
        let mut versions = Vec::new();
        for version in crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .ok_or("the CRD has no versions")?
        {
            let name = version["name"].as_str().unwrap_or_default().to_string();
            let mut schema = version
                .pointer("/schema/openAPIV3Schema")
                .cloned()
                .ok_or_else(|| format!("version {name} has no openAPIV3Schema"))?;
            structural(&mut schema);
            let validator = jsonschema::draft4::new(&schema)
                .map_err(|e| format!("the schema of {kind} {name} does not compile: {e}"))?;
            versions.push((name, validator));
        }
        Ok(Crd {
            group,
            kind,
            versions,
        })
    }

    /// Every reason the API server would reject `resource` as this kind: its version, its fields
    /// against the schema, its metadata.
    pub fn check(&self, resource: &Value) -> Vec<Violation> {
        let mut errors = check_object(resource);
        if resource["kind"] != self.kind.as_str() {
            errors.push(Violation::new(
                "/kind",
                format!("kind is {}, not {}", resource["kind"], self.kind),
            ));
            return errors;
        }
        let api_version = resource["apiVersion"].as_str().unwrap_or_default();
        let Some((_, validator)) = self
            .versions
            .iter()
            .find(|(name, _)| api_version == format!("{}/{name}", self.group))
        else {
            errors.push(Violation::new(
                "/apiVersion",
                format!(
                    "apiVersion {api_version:?} is not a version of {}",
                    self.kind
                ),
            ));
            return errors;
        };
        errors.extend(validator.iter_errors(resource).map(|e| {
            let at = e.instance_path().to_string();
            let message = format!("{}: {e}", if at.is_empty() { "/" } else { &at });
            Violation { at, message }
        }));
        errors
    }
}

/// The OpenAPI v3 structural schema as JSON Schema: `x-kubernetes-*` extensions resolved
/// (`int-or-string` as either type; `preserve-unknown-fields` keeping unknown fields), `nullable`
/// as a null type, and every other object closed to unknown fields (strict field validation).
fn structural(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    let flag = |map: &mut Map<String, Value>, key: &str| map.remove(key) == Some(Value::Bool(true));
    let preserve = flag(map, "x-kubernetes-preserve-unknown-fields");
    let int_or_string = flag(map, "x-kubernetes-int-or-string");
    let embedded = flag(map, "x-kubernetes-embedded-resource");
    map.retain(|key, _| !key.starts_with("x-kubernetes-"));
    if flag(map, "nullable") {
        if let Some(t) = map.get("type").cloned() {
            map.insert("type".into(), Value::Array(vec![t, "null".into()]));
        }
    }
    if int_or_string && !map.contains_key("anyOf") {
        map.remove("type");
        map.insert(
            "anyOf".into(),
            serde_json::json!([{"type": "integer"}, {"type": "string"}]),
        );
    }
    if let Some(Value::String(pattern)) = map.get_mut("pattern") {
        *pattern = ecma_pattern(pattern);
    }
    let is_object = map.get("type").is_some_and(|t| t == "object");
    if is_object
        && map.contains_key("properties")
        && !map.contains_key("additionalProperties")
        && !preserve
        && !embedded
    {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    if let Some(Value::Object(properties)) = map.get_mut("properties") {
        properties.values_mut().for_each(structural);
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(child) = map.get_mut(key) {
            structural(child);
        }
    }
    for key in ["anyOf", "allOf", "oneOf"] {
        if let Some(Value::Array(children)) = map.get_mut(key) {
            children.iter_mut().for_each(structural);
        }
    }
}

/// A Go (RE2) pattern as an ECMA-262 one, which JSON Schema uses: RE2's inline `(?i)` flag,
/// which ECMA lacks, becomes a case-insensitive class for each letter outside a class (over the
/// whole pattern, which accepts a little more than a flag scoped to a group would).
fn ecma_pattern(pattern: &str) -> String {
    if !pattern.contains("(?i)") {
        return pattern.to_string();
    }
    let mut out = String::new();
    let mut chars = pattern
        .replace("(?i)", "")
        .chars()
        .collect::<Vec<_>>()
        .into_iter();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                out.extend(chars.next());
            }
            '[' => {
                in_class = true;
                out.push(c);
            }
            ']' => {
                in_class = false;
                out.push(c);
            }
            c if c.is_ascii_alphabetic() && !in_class => {
                out.push('[');
                out.push(c.to_ascii_lowercase());
                out.push(c.to_ascii_uppercase());
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

/// The most a ConfigMap's or Secret's data may hold.
pub const MAX_DATA_BYTES: usize = 1024 * 1024;

/// Every reason the API server would reject `resource` as a plain namespaced object: `apiVersion`
/// and `kind`, `metadata.name` a DNS subdomain, `metadata.namespace` a DNS label, valid labels;
/// for a ConfigMap or Secret, valid keys and at most 1 MiB of data.
pub fn check_object(resource: &Value) -> Vec<Violation> {
    let mut errors = Vec::new();
    for key in ["apiVersion", "kind"] {
        if resource[key].as_str().is_none_or(str::is_empty) {
            errors.push(Violation::new(
                &format!("/{key}"),
                format!("{key} is missing"),
            ));
        }
    }
    let metadata = &resource["metadata"];
    match metadata["name"].as_str() {
        Some(name) if is_dns_subdomain(name) => {}
        Some(name) => errors.push(Violation::new(
            "/metadata/name",
            format!("metadata.name {name:?} is not a DNS subdomain"),
        )),
        None => errors.push(Violation::new("/metadata", "metadata.name is missing")),
    }
    match metadata["namespace"].as_str() {
        Some(ns) if is_dns_label(ns) => {}
        Some(ns) => errors.push(Violation::new(
            "/metadata/namespace",
            format!("metadata.namespace {ns:?} is not a DNS label"),
        )),
        None => errors.push(Violation::new("/metadata", "metadata.namespace is missing")),
    }
    if let Some(labels) = metadata.get("labels") {
        match labels.as_object() {
            None => errors.push(Violation::new(
                "/metadata/labels",
                "metadata.labels is not a mapping",
            )),
            Some(labels) => {
                for (key, value) in labels {
                    if !is_label_key(key) {
                        errors.push(Violation::new(
                            &format!("/metadata/labels/{key}"),
                            format!("label name {key:?} is invalid"),
                        ));
                    }
                    match value.as_str() {
                        Some(v) if is_label_value(v) => {}
                        _ => errors.push(Violation::new(
                            &format!("/metadata/labels/{key}"),
                            format!("label {key:?} has an invalid value {value}"),
                        )),
                    }
                }
            }
        }
    }
    let kind = resource["kind"].as_str().unwrap_or_default();
    if matches!(kind, "ConfigMap" | "Secret") {
        let mut size = 0;
        for field in ["data", "stringData", "binaryData"] {
            let Some(data) = resource.get(field) else {
                continue;
            };
            let Some(data) = data.as_object() else {
                errors.push(Violation::new(
                    &format!("/{field}"),
                    format!("{field} is not a mapping"),
                ));
                continue;
            };
            for (key, value) in data {
                let valid = !key.is_empty()
                    && key.len() <= 253
                    && key
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
                if !valid {
                    errors.push(Violation::new(
                        &format!("/{field}/{key}"),
                        format!("{field} key {key:?} is invalid"),
                    ));
                }
                match value.as_str() {
                    Some(text) => size += text.len(),
                    None => errors.push(Violation::new(
                        &format!("/{field}/{key}"),
                        format!("{field}.{key} is not a string"),
                    )),
                }
            }
        }
        if size > MAX_DATA_BYTES {
            errors.push(Violation::new(
                "",
                format!("{kind} holds {size} bytes of data, more than the {MAX_DATA_BYTES} the API server accepts"),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn re2_case_flag() {
        assert_eq!(
            ecma_pattern("^(?i)(abort|warn)?$"),
            "^([aA][bB][oO][rR][tT]|[wW][aA][rR][nN])?$"
        );
        assert_eq!(ecma_pattern("^[a-z]\\d$"), "^[a-z]\\d$");
    }
}
