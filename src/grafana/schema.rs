//! Our own JSON Schema of the dashboards Sextant emits, `schemas/dashboard.schema.json`, checked
//! on every compile: the emitter's output must match it, or the build reports a bug in Sextant
//! (`grafana/schema`) and writes nothing.
//!
//! The schema is stricter than Grafana's (required fields, closed sets of units, panel types,
//! datasource plugins), so a change to the emitter that drifts from what we mean to write is
//! caught here, while Grafana's official schemas (checked by `tests/grafana.rs` with
//! `shared/tools/grafana-schema-check`) catch drift from what Grafana accepts.

use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value;

use crate::diagnostics::Diagnostic;
use crate::grafana::codes;
use crate::grafana::emit::DASHBOARDS_DIR;
use crate::output::Output;

/// The schema's text, compiled into the binary.
pub const SCHEMA: &str = include_str!("../../schemas/dashboard.schema.json");

/// Where the schema lives in the repository, for messages.
pub const SCHEMA_PATH: &str = "schemas/dashboard.schema.json";

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA).expect("the dashboard schema is JSON");
        jsonschema::draft7::new(&schema).expect("the dashboard schema is a valid draft-07 schema")
    })
}

/// Checks every dashboard in `output` against the schema.
pub fn check(output: &Output) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (path, text) in output.files() {
        if path.starts_with(DASHBOARDS_DIR) && path.ends_with(".json") {
            match serde_json::from_str::<Value>(text) {
                Ok(dashboard) => diagnostics.extend(check_dashboard(path, &dashboard)),
                Err(e) => diagnostics.push(bug(format!("generated {path} is not JSON: {e}"))),
            }
        }
    }
    diagnostics
}

/// Checks one dashboard, named `path` in messages.
pub fn check_dashboard(path: &str, dashboard: &Value) -> Vec<Diagnostic> {
    validator()
        .iter_errors(dashboard)
        .map(|error| {
            let at = error.instance_path().to_string();
            let at = if at.is_empty() { "/".to_string() } else { at };
            bug(format!(
                "generated {path} does not match {SCHEMA_PATH} at {at}: {error}"
            ))
        })
        .collect()
}

fn bug(message: String) -> Diagnostic {
    Diagnostic::error(codes::SCHEMA, message)
        .note("this is a bug in Sextant's Grafana emitter, not in the spec: nothing was written")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_schema_compiles() {
        let _ = validator();
    }

    #[test]
    fn invalid_dashboards_are_reported_with_their_place() {
        let dashboard = json!({
            "annotations": {"list": []},
            "editable": false,
            "fiscalYearStartMonth": 0,
            "graphTooltip": 1,
            "links": [],
            "panels": [],
            "schemaVersion": 41,
            "tags": [],
            "templating": {"list": []},
            "time": {"from": "now-6h", "to": "now"},
            "timepicker": {},
            "timezone": "browser",
            "title": "T",
            "uid": "t",
            "version": 1,
        });
        let found: Vec<String> = check_dashboard("grafana/dashboards/t.json", &dashboard)
            .iter()
            .map(|d| d.message.clone())
            .collect();
        assert_eq!(
            found,
            ["generated grafana/dashboards/t.json does not match schemas/dashboard.schema.json at /schemaVersion: 42 was expected"]
        );
    }
}
