//! `lint PATH...` as a library function: what kind each file is, and the reader and checks of
//! each kind, run together so that checks across kinds (an AlertManager route against the alerts
//! of the rule files, a dashboard query against their recorded series) see each other.
//!
//! Architecture Invariant: this module reads no file. The caller (the CLI, a test) reads the
//! files named on the command line and passes their text, with an [`Environment`] that reads
//! what the files themselves point at (AlertManager's template globs) and Grafana's schema.

use std::fmt;

use crate::alertmanager::file::{self as amfile, Alerts};
use crate::diagnostics::{self, Diagnostic};
use crate::grafana::file::{self as dashfile, GrafanaSchema};
use crate::lint;
use crate::rules::file::{self as rulefile, SourceFile};
use crate::spec::Spec;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]

pub enum FileKind {
    /// A Prometheus rule file: YAML with `groups:`.
    Rules,
    /// An AlertManager configuration (`route:`, `receivers:`).
    AlertManager,
    /// A Prometheus server configuration (`scrape_configs:`).
    Prometheus,
    /// A Grafana dashboard (JSON).
    Dashboard,
    Unknown,
}

impl FileKind {
    pub fn of(path: &str, text: &str) -> FileKind {
        if path.ends_with(".json") {
            return FileKind::Dashboard;
        }
        let top: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
            .collect();
        let has = |key: &str| top.contains(&key);
        if has("groups") {
            FileKind::Rules
        } else if has("route")
            || has("receivers")
            || has("inhibit_rules")
            || amfile::is_secret(text)
        {
            FileKind::AlertManager
        } else if has("scrape_configs") || has("rule_files") {
            FileKind::Prometheus
        } else {
            FileKind::Unknown
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Rules => "a Prometheus rule file",
            FileKind::AlertManager => "an AlertManager configuration",
            FileKind::Prometheus => "a Prometheus configuration",
            FileKind::Dashboard => "a Grafana dashboard",
            FileKind::Unknown => "not a file sextant lints",
        }
    }
}

/// What the files being linted point at, read by the caller.
pub struct Environment<'a> {
    /// The template files a glob of an AlertManager configuration's `templates:` matches,
    /// relative to that configuration's folder (AlertManager's own rule), sorted by path.
    pub templates: &'a dyn Fn(&SourceFile, &str) -> Vec<SourceFile>,
    /// Grafana's official dashboard schema, when the caller has it; dashboards are otherwise
    /// checked against Sextant's own schema only.
    pub grafana_schema: Option<&'a GrafanaSchema>,
}

impl Environment<'_> {
    /// No template files and no Grafana schema.
    pub fn none() -> Environment<'static> {
        Environment {
            templates: &|_, _| Vec::new(),
            grafana_schema: None,
        }
    }
}

/// A file `lint` cannot read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputError {
    /// A kind of file `lint` recognises but does not lint yet.
    NotLinted { path: String, kind: FileKind },
    /// Not a kind of file `lint` knows.
    Unknown { path: String },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::NotLinted { path, kind } => write!(
                f,
                "{path}: {} is not linted yet; `lint` reads Prometheus rule files, AlertManager configurations and Grafana dashboards",
                kind.describe()
            ),
            InputError::Unknown { path } => write!(
                f,
                "{path}: not a rule file (`groups:`), an AlertManager configuration (`route:`) or a dashboard (`.json`)"
            ),
        }
    }
}

impl std::error::Error for InputError {}

/// Lints the spec itself: every diagnostic its compilation reports, sorted.
pub fn lint_spec(spec: &Spec) -> Vec<Diagnostic> {
    let mut diagnostics = crate::spec::compile(spec).diagnostics;
    diagnostics::sort(&mut diagnostics);
    diagnostics
}

/// Lints files against the spec's catalog and lint settings: rule files (read and checked as
/// `promtool check rules` does, then linted), AlertManager configurations (as `amtool
/// check-config` does, then against the alerts of the rule files given with them) and Grafana
/// dashboards (against the rule files' recorded series). Diagnostics are sorted by place. A file
/// of a kind `lint` does not read is an error before anything is linted.
pub fn lint_files(
    files: &[SourceFile],
    spec: &Spec,
    env: &Environment,
) -> Result<Vec<Diagnostic>, InputError> {
    let mut rules = Vec::new();
    let mut dashboards = Vec::new();
    let mut alertmanagers = Vec::new();
    for file in files {
        match FileKind::of(&file.path, &file.text) {
            FileKind::Rules => rules.push(file.clone()),
            FileKind::Dashboard => dashboards.push(file.clone()),
            FileKind::AlertManager => alertmanagers.push(file),
            kind @ FileKind::Prometheus => {
                return Err(InputError::NotLinted {
                    path: file.path.clone(),
                    kind,
                })
            }
            FileKind::Unknown => {
                return Err(InputError::Unknown {
                    path: file.path.clone(),
                })
            }
        }
    }
    let (ir, mut diagnostics) = rulefile::lower(&rules);
    diagnostics.extend(lint::run_files(&ir, &spec.catalog, &spec.lints));
    let alerts = Alerts {
        rules: &ir,
        catalog: &spec.catalog,
        external: spec.prometheus.as_ref().map(|p| p.alert_labels()),
    };
    let alerts = (!rules.is_empty()).then_some(&alerts);
    for file in alertmanagers {
        let templates = |glob: &str| (env.templates)(file, glob);
        diagnostics.extend(amfile::lint(file, &templates, alerts));
    }
    if !dashboards.is_empty() {
        let context = dashfile::Context::of_spec(spec).recorded_by(&ir);
        diagnostics.extend(dashfile::lint(&dashboards, &context, env.grafana_schema));
    }
    // The spec's settings and the files' `# sextant: disable=` comments, for every code.
    diagnostics.extend(diagnostics::configure::check(&spec.lints));
    diagnostics::configure::apply(&spec.lints, &mut diagnostics, &|path| {
        files
            .iter()
            .find(|f| f.path == path)
            .map(|f| f.text.clone())
    });
    diagnostics::sort(&mut diagnostics);
    Ok(diagnostics)
}
