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
    /// A rule file: Prometheus's (`groups:`), Thanos Ruler's, Mimir's (`namespace:`), or
    /// `PrometheusRule` resources.
    Rules,
    /// Another Kubernetes resource (`apiVersion:` and `kind:`).
    Kubernetes,
    /// An AlertManager configuration (`route:`, `receivers:`).
    AlertManager,
    /// A Prometheus server configuration (`scrape_configs:`).
    Prometheus,
    /// A Grafana dashboard (JSON), or a ConfigMap holding dashboards (`*.json` in `data:`).
    Dashboard,
    /// A Sloth SLO spec (`version: prometheus/v1`) or `PrometheusServiceLevel` resource
    /// (`sloth.slok.dev/v1`): `sextant import` reads it, `lint` does not.
    Sloth,
    Unknown,
}

impl FileKind {
    pub fn of(path: &str, text: &str) -> FileKind {
        if path.ends_with(".json") {
            return FileKind::Dashboard;
        }
        if crate::import::sloth::is_sloth(text) {
            return FileKind::Sloth;
        }
        if rulefile::Format::of(text).is_some() {
            return FileKind::Rules;
        }
        let top: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with(|c: char| c.is_ascii_alphabetic()))
            .filter_map(|l| l.split_once(':').map(|(k, _)| k.trim()))
            .collect();
        let has = |key: &str| top.contains(&key);
        // A ConfigMap holding dashboards (`data: {"x.json": ..}`), as Grafana's sidecar and the
        // kube-prometheus mixins provision them.
        let config_map = text
            .lines()
            .any(|l| l.starts_with("kind:") && l["kind:".len()..].trim() == "ConfigMap");
        let holds_json = text.lines().any(|l| {
            l.starts_with(' ')
                && l.trim_start().split_once(':').is_some_and(|(k, _)| {
                    k.trim_matches(|c| c == '"' || c == '\'').ends_with(".json")
                })
        });
        if config_map && has("data") && holds_json {
            return FileKind::Dashboard;
        }
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
        } else if has("apiVersion") && has("kind") {
            FileKind::Kubernetes
        } else {
            FileKind::Unknown
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            FileKind::Rules => "a rule file",
            FileKind::Kubernetes => "a Kubernetes resource other than a PrometheusRule",
            FileKind::AlertManager => "an AlertManager configuration",
            FileKind::Prometheus => "a Prometheus configuration",
            FileKind::Dashboard => "a Grafana dashboard",
            FileKind::Sloth => "a Sloth SLO spec",
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
    /// A running Prometheus to ask which series, labels and types exist (`lint --prometheus`),
    /// and how far back to look.
    pub prometheus: Option<(&'a str, std::time::Duration)>,
    /// The CustomResourceDefinitions Kubernetes manifests are checked against (prometheus-
    /// operator's); without them only each object's envelope is checked.
    pub crds: &'a [crate::kubernetes::schema::Crd],
}

impl Environment<'_> {
    /// No template files and no Grafana schema.
    pub fn none() -> Environment<'static> {
        Environment {
            templates: &|_, _| Vec::new(),
            grafana_schema: None,
            prometheus: None,
            crds: &[],
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
    /// The Prometheus given with `--prometheus` did not answer.
    Prometheus(String),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::NotLinted { path, kind } => write!(
                f,
                "{path}: {} is not linted yet; `lint` reads rule files (Prometheus, Thanos Ruler, Mimir, PrometheusRule resources), AlertManager configurations, Grafana dashboards and Kubernetes manifests",
                kind.describe()
            ),
            InputError::Unknown { path } => write!(
                f,
                "{path}: not a rule file (`groups:`), an AlertManager configuration (`route:`) or a dashboard (`.json`)"
            ),
            InputError::Prometheus(e) => write!(f, "--prometheus: {e}"),
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
    let mut manifests = Vec::new();
    for file in files {
        match FileKind::of(&file.path, &file.text) {
            FileKind::Rules => rules.push(file.clone()),
            FileKind::Dashboard => dashboards.push(file.clone()),
            FileKind::AlertManager => alertmanagers.push(file),
            FileKind::Kubernetes => manifests.push(file),
            kind @ (FileKind::Prometheus | FileKind::Sloth) => {
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
    let (ir, mut diagnostics, sources) = rulefile::lower_with_sources(&rules);
    for file in manifests {
        diagnostics.extend(crate::kubernetes::file::lint(file, env.crds));
    }
    let mut config = spec.lints.clone();
    config
        .rulers
        .extend(ruler_views(&ir, &sources, spec, &mut diagnostics));
    let server = match env.prometheus {
        Some((url, window)) => {
            let names = ir
                .rules()
                .flat_map(|r| r.analysis.selectors.iter())
                .filter_map(|s| s.name.as_deref());
            Some(lint::server::learn(url, names, window).map_err(InputError::Prometheus)?)
        }
        None => None,
    };
    diagnostics.extend(lint::run_files_with(
        &ir,
        &spec.catalog,
        &config,
        server.as_ref(),
    ));
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

/// What the rulers of the linted Thanos and Mimir files evaluate and see (the spec's settings
/// for them when it has some, the engines' defaults otherwise); Mimir files are also checked
/// against the tenant's limits.
fn ruler_views(
    ir: &crate::ir::Ir,
    sources: &[rulefile::GroupSource],
    spec: &Spec,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<lint::RulerView> {
    use std::collections::BTreeMap;

    use crate::rulers::{Mimir, ThanosRuler, View};
    use rulefile::Format;

    let thanos = spec
        .thanos
        .clone()
        .unwrap_or_else(|| ThanosRuler::new(Vec::<String>::new()));
    let mimir = spec
        .mimir
        .clone()
        .unwrap_or_else(|| Mimir::new("anonymous"));
    let of = |format: Format| sources.iter().filter(move |s| s.format == format);
    let mut views = Vec::new();
    let prometheus = spec.prometheus.as_ref();
    let template = crate::rulers::lint_views(
        Some(&thanos),
        Some(&mimir),
        prometheus,
        &crate::ir::Ir::default(),
    );
    if of(Format::Thanos).next().is_some() {
        let mut view = template[0].clone();
        view.groups = of(Format::Thanos)
            .map(|s| (s.group.clone(), thanos.view == View::Global))
            .collect();
        views.push(view);
    }
    if of(Format::Mimir).next().is_some() {
        let mut view = template[1].clone();
        view.groups = of(Format::Mimir)
            .map(|s| {
                let global = mimir.view == View::Global || !s.source_tenants.is_empty();
                (s.group.clone(), global)
            })
            .collect();
        views.push(view);
        let mut namespaces: BTreeMap<String, Vec<&crate::rules::ir::Group>> = BTreeMap::new();
        for source in of(Format::Mimir) {
            if let Some(group) = ir.groups.iter().find(|g| g.name == source.group) {
                namespaces
                    .entry(source.namespace.clone().unwrap_or_default())
                    .or_default()
                    .push(group);
            }
        }
        crate::rulers::lower::limits(
            &mimir.limits,
            &mimir.tenant,
            &namespaces,
            |group, d| {
                if group.place.is_file() {
                    d.at(&group.place)
                } else {
                    d
                }
            },
            diagnostics,
        );
    }
    views
}
