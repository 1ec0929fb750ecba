//! Diagnostics for machines: JSON, GitHub Actions workflow commands, and SARIF 2.1.0 (for code
//! scanning). Plain data in, text out; the CLI chooses and prints.

use serde_json::{json, Value};

use crate::diagnostics::registry;
use crate::diagnostics::{Diagnostic, Severity, Sources};

/// Where a diagnostic points, 1-based, columns in characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// The location of `d`, as the human rendering shows it.
pub fn locate(d: &Diagnostic, sources: &mut Sources) -> Option<Location> {
    sources.location(d.span.as_ref()?)
}

/// The related places of `d` that can be located, with their messages.
fn related(d: &Diagnostic, sources: &mut Sources) -> Vec<(Location, String)> {
    d.labels
        .iter()
        .filter_map(|l| Some((sources.location(&l.span)?, l.message.clone())))
        .collect()
}

/// A JSON array, one object per diagnostic.
pub fn json(diagnostics: &[Diagnostic], load: &dyn Fn(&str) -> Option<String>) -> String {
    let mut sources = Sources::new(load);
    let items: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let at = locate(d, &mut sources);
            let mut item = json!({
                "code": d.code,
                "severity": d.severity.as_str(),
                "message": d.message,
                "file": at.as_ref().map(|l| l.file.clone()),
                "line": at.as_ref().map(|l| l.line),
                "column": at.as_ref().map(|l| l.column),
                "end_line": at.as_ref().map(|l| l.end_line),
                "end_column": at.as_ref().map(|l| l.end_column),
                "notes": d.notes,
            });
            let related = related(d, &mut sources);
            if !related.is_empty() {
                item["related"] = related
                    .into_iter()
                    .map(|(at, message)| {
                        json!({
                            "file": at.file,
                            "line": at.line,
                            "column": at.column,
                            "end_line": at.end_line,
                            "end_column": at.end_column,
                            "message": message,
                        })
                    })
                    .collect();
            }
            item
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&items).expect("JSON values serialize");
    out.push('\n');
    out
}

/// GitHub Actions workflow commands: `::error file=..,line=..,col=..,title=..::message`.
pub fn github(diagnostics: &[Diagnostic], load: &dyn Fn(&str) -> Option<String>) -> String {
    let mut sources = Sources::new(load);
    let mut out = String::new();
    for d in diagnostics {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut properties = Vec::new();
        if let Some(at) = locate(d, &mut sources) {
            properties.push(format!("file={}", escape_property(&at.file)));
            properties.push(format!("line={}", at.line));
            properties.push(format!("col={}", at.column));
            properties.push(format!("endLine={}", at.end_line));
            properties.push(format!("endColumn={}", at.end_column));
        }
        properties.push(format!("title={}", escape_property(d.code)));
        let mut message = d.message.clone();
        for note in &d.notes {
            message.push('\n');
            message.push_str(note);
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            escape_data(&message)
        ));
    }
    out
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A SARIF 2.1.0 log with one run; every registered code the results use is a rule of the
/// tool, with its docs.
pub fn sarif(diagnostics: &[Diagnostic], load: &dyn Fn(&str) -> Option<String>) -> String {
    let level = |s: Severity| match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let used: Vec<&'static str> = registry::all()
        .iter()
        .map(|c| c.code)
        .filter(|code| diagnostics.iter().any(|d| d.code == *code))
        .collect();
    let rules: Vec<Value> = used
        .iter()
        .filter_map(|code| registry::find(code))
        .map(|code| {
            json!({
                "id": code.code,
                "name": code.code,
                "shortDescription": { "text": code.summary() },
                "fullDescription": { "text": code.explain() },
                "help": { "text": code.explain(), "markdown": code.explain() },
                "defaultConfiguration": { "level": level(code.default) },
            })
        })
        .collect();
    let mut sources = Sources::new(load);
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            for note in &d.notes {
                text.push('\n');
                text.push_str(note);
            }
            let mut result = json!({
                "ruleId": d.code,
                "level": level(d.severity),
                "message": { "text": text },
            });
            if let Some(index) = used.iter().position(|code| *code == d.code) {
                result["ruleIndex"] = json!(index);
            }
            if let Some(at) = locate(d, &mut sources) {
                result["locations"] = json!([{ "physicalLocation": physical_location(&at) }]);
            }
            let related: Vec<Value> = related(d, &mut sources)
                .into_iter()
                .enumerate()
                .map(|(id, (at, message))| {
                    json!({
                        "id": id,
                        "message": { "text": message },
                        "physicalLocation": physical_location(&at),
                    })
                })
                .collect();
            if !related.is_empty() {
                result["relatedLocations"] = json!(related);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "sextant",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }]
    });
    let mut out = serde_json::to_string_pretty(&log).expect("JSON values serialize");
    out.push('\n');
    out
}

/// A SARIF `physicalLocation`.
fn physical_location(at: &Location) -> Value {
    json!({
        "artifactLocation": { "uri": at.file },
        "region": {
            "startLine": at.line,
            "startColumn": at.column,
            "endLine": at.end_line,
            "endColumn": at.end_column,
        }
    })
}
