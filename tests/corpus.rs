//! The public corpus (`tests/corpus/`, see its README and SOURCES.md): rule files, PrometheusRule
//! resources, AlertManager configurations and Grafana dashboards no one here wrote, linted as
//! `lint PATH` lints them, with no catalog (a team that has not written one). The snapshot holds,
//! per file, our verdict beside the real tool's (`verdicts.tsv`, computed by `verdicts.sh` with
//! promtool 2.42 and amtool 0.25) and what we found by code and severity; then the totals.
//!
//! The severity contract is asserted: on a rule file (plain or in a PrometheusRule) promtool
//! accepts, an error is only one of the findings that certainly misbehave at run time
//! ([`CERTAIN`]), never one that rests on an assumption; on every AlertManager file, our verdict
//! is amtool's. The snapshot records every verdict and finding, so a change in any of them is a
//! snapshot change to review.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use sextant::catalog::Catalog;
use sextant::diagnostics::{Diagnostic, Severity};
use sextant::lint::files::{lint_files, Environment};
use sextant::prelude::*;
use sextant::rules::file::SourceFile;

const CORPUS: &str = "tests/corpus";

/// Every file of the corpus below `folder`, sorted, with its path relative to the corpus.
fn files(folder: &str) -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let root = common::root().join(CORPUS);
    let mut paths = Vec::new();
    walk(&root.join(folder), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yml" || e == "yaml" || e == "json")
        })
        .map(|p| {
            let relative = p.strip_prefix(&root).unwrap().display().to_string();
            (relative, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// `verdicts.tsv`: by path, whether the real tool accepts the file. Dashboards' `schema`
/// verdicts are left out: that check is Grafana's schema, not Grafana, which loads far more.
fn verdicts() -> BTreeMap<String, bool> {
    let text = std::fs::read_to_string(common::root().join(CORPUS).join("verdicts.tsv")).unwrap();
    text.lines()
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let path = fields.next()?;
            let tool = fields.next()?;
            let verdict = fields.next()?;
            if tool == "schema" {
                return None;
            }
            Some((path.to_string(), verdict == "ok"))
        })
        .collect()
}

static NO_CATALOG: Catalog = Catalog { metrics: &[] };

/// Lints whose errors are certain whatever the deployment: a rule file promtool accepts may
/// have these, and no other error.
const CERTAIN: &[&str] = &[
    "alerts/template-label",
    "promql/by-missing-label",
    "promql/histogram-quantile",
];

fn summary(found: &[Diagnostic]) -> String {
    let mut by_code: BTreeMap<(Severity, &str), usize> = BTreeMap::new();
    for d in found {
        *by_code.entry((d.severity, d.code)).or_default() += 1;
    }
    by_code
        .iter()
        .rev()
        .map(|((severity, code), n)| format!("{severity}[{code}]x{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn corpus_findings_and_verdicts() {
    let spec = Spec::new(NO_CATALOG);
    let verdicts = verdicts();
    let mut shown = String::new();
    let mut totals: BTreeMap<(Severity, &'static str), usize> = BTreeMap::new();
    let mut agree = BTreeMap::<&str, (usize, usize)>::new();
    for folder in ["rules", "prometheusrule", "alertmanager", "dashboards"] {
        for (path, text) in files(folder) {
            let file = SourceFile {
                path: format!("{CORPUS}/{path}"),
                text,
            };
            let line = match lint_files(&[file], &spec, &Environment::none()) {
                Ok(found) => {
                    for d in &found {
                        *totals.entry((d.severity, d.code)).or_default() += 1;
                    }
                    let ours = !found.iter().any(Diagnostic::is_error);
                    if folder == "alertmanager" {
                        if let Some(&tool) = verdicts.get(&path) {
                            assert_eq!(
                                ours,
                                tool,
                                "{path}: amtool check-config says {}, we say {}",
                                if tool { "valid" } else { "invalid" },
                                if ours { "valid" } else { "invalid" }
                            );
                        }
                    }
                    if matches!(folder, "rules" | "prometheusrule")
                        && verdicts.get(&path) == Some(&true)
                    {
                        for d in found.iter().filter(|d| d.is_error()) {
                            assert!(
                                CERTAIN.contains(&d.code),
                                "{path}: promtool accepts it, yet {} is an error: {}",
                                d.code,
                                d.message
                            );
                            assert!(
                                !d.notes.iter().any(|n| n.contains("rests on an assumption")),
                                "{path}: an error that rests on an assumption: {}",
                                d.message
                            );
                        }
                    }
                    // Every dashboard here is published for Grafana to load, and it does (it
                    // migrates what today's schema lacks): no finding on one may be an error.
                    if folder == "dashboards" {
                        if let Some(d) = found.iter().find(|d| d.is_error()) {
                            panic!(
                                "{path}: a dashboard Grafana loads, yet {} is an error: {}",
                                d.code, d.message
                            );
                        }
                    }
                    let verdict = match verdicts.get(&path) {
                        Some(&tool) => {
                            let entry = agree.entry(folder).or_default();
                            if tool == ours {
                                entry.0 += 1;
                                "agrees"
                            } else {
                                entry.1 += 1;
                                if tool {
                                    "DISAGREES (tool accepts)"
                                } else {
                                    "DISAGREES (tool rejects)"
                                }
                            }
                        }
                        None => "no tool to compare with",
                    };
                    format!("{path}: {verdict}; {}", summary(&found))
                }
                Err(e) => format!(
                    "{path}: not read: {}",
                    e.to_string().replace(&format!("{CORPUS}/{path}: "), "")
                ),
            };
            shown.push_str(line.trim_end_matches("; "));
            shown.push('\n');
        }
    }
    shown.push_str("\n== verdicts (agree, disagree)\n");
    for (folder, (yes, no)) in &agree {
        shown.push_str(&format!("{folder}: {yes}, {no}\n"));
    }
    shown.push_str("\n== findings by severity and code\n");
    for ((severity, code), n) in totals.iter().rev() {
        shown.push_str(&format!("{severity}[{code}]: {n}\n"));
    }
    insta::assert_snapshot!("corpus", shown);
}
