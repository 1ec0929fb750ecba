//! A spec: everything a project declares, and [`compile`], the whole pipeline from DSL values to
//! files: lower into IR (collecting every diagnostic), lint, then, only when nothing is an error,
//! run each emitter.

use sextant_catalog::Catalog;

use crate::alertmanager::{self, AlertManager};
use crate::diagnostics::{self, configure, Diagnostic};
use crate::ir::Ir;
use crate::kubernetes::Kubernetes;
use crate::lint::{self, LintConfig};
use crate::output::Output;
use crate::prometheus::{self, PrometheusConfig};
use crate::rulers::{Mimir, ThanosRuler};
use crate::rules::lower;
use crate::rules::RuleGroup;
use crate::slo::{self, Slo};

/// What a project declares.
#[derive(Clone, Debug)]
pub struct Spec {
    pub catalog: Catalog,
    /// The catalog as the spec declared it, before [`Spec::metrics`] added others: what
    /// `sextant import` checks imported series against, so importing again finds the same
    /// metrics missing.
    pub own_catalog: Catalog,
    pub rule_groups: Vec<RuleGroup>,
    pub lints: LintConfig,
    pub alertmanager: Option<AlertManager>,
    pub prometheus: Option<PrometheusConfig>,
    pub grafana: crate::grafana::Grafana,
    pub slos: Vec<Slo>,
    /// Deploy targets beyond the files of one Prometheus pair.
    pub kubernetes: Option<Kubernetes>,
    pub thanos: Option<ThanosRuler>,
    pub mimir: Option<Mimir>,
}

impl Spec {
    pub fn new(catalog: Catalog) -> Spec {
        Spec {
            catalog,
            own_catalog: catalog,
            rule_groups: Vec::new(),
            lints: LintConfig::default(),
            alertmanager: None,
            prometheus: None,
            grafana: crate::grafana::Grafana::default(),
            slos: Vec::new(),
            kubernetes: None,
            thanos: None,
            mimir: None,
        }
    }

    /// Adds the metrics of `catalog` to the spec's catalog: series the spec reads that another
    /// catalog describes (`sextant import` writes the metrics of imported queries the spec's
    /// catalog lacks as a catalog of their own). A metric the catalog already has is not added
    /// twice.
    pub fn metrics(mut self, catalog: Catalog) -> Spec {
        let mut metrics: Vec<&'static sextant_catalog::Metric> = self.catalog.metrics.to_vec();
        for metric in catalog.metrics {
            if !metrics.iter().any(|m| m.name == metric.name) {
                metrics.push(metric);
            }
        }
        // A catalog is `static` data; a spec is built once per run, so the combined list lives
        // as long as the program.
        self.catalog = Catalog {
            metrics: Box::leak(metrics.into_boxed_slice()),
        };
        self
    }

    /// `f(self)`: a module's additions in the middle of a builder chain,
    /// `.with(imported::apply)`.
    pub fn with(self, f: impl FnOnce(Spec) -> Spec) -> Spec {
        f(self)
    }

    pub fn rule_group(mut self, group: RuleGroup) -> Spec {
        self.rule_groups.push(group);
        self
    }

    pub fn rule_groups(mut self, groups: impl IntoIterator<Item = RuleGroup>) -> Spec {
        self.rule_groups.extend(groups);
        self
    }

    pub fn slo(mut self, slo: Slo) -> Spec {
        self.slos.push(slo);
        self
    }

    /// The values of `severity` the spec's alerts and routes use, instead of critical, warning
    /// and info: `.severities(["pageteam", "slack"])`. SLO tiers must use one of them, and the
    /// `alerts/severity` lint holds every alert rule to them.
    pub fn severities<S: Into<crate::rules::SeverityName>>(
        mut self,
        severities: impl IntoIterator<Item = S>,
    ) -> Spec {
        self.lints = self.lints.severities(severities);
        self
    }

    /// Adds severities to the spec's set (critical, warning and info when it declares none), as
    /// imported SLOs routing on Sloth's `pageteam` need: `.more_severities(["pageteam"])`.
    pub fn more_severities<S: Into<crate::rules::SeverityName>>(
        mut self,
        severities: impl IntoIterator<Item = S>,
    ) -> Spec {
        let mut all = self.lints.allowed_severities();
        for severity in severities {
            let severity = severity.into();
            if !all.contains(&severity) {
                all.push(severity);
            }
        }
        self.lints = self.lints.severities(all);
        self
    }

    pub fn slos(mut self, slos: impl IntoIterator<Item = Slo>) -> Spec {
        self.slos.extend(slos);
        self
    }

    pub fn lints(mut self, lints: LintConfig) -> Spec {
        // Severities set with `Spec::severities` survive a later `.lints(..)`.
        let severities = self.lints.severities.take();
        self.lints = lints;
        if self.lints.severities.is_none() {
            self.lints.severities = severities;
        }
        self
    }

    pub fn alertmanager(mut self, alertmanager: AlertManager) -> Spec {
        self.alertmanager = Some(alertmanager);
        self
    }

    pub fn prometheus(mut self, prometheus: PrometheusConfig) -> Spec {
        self.prometheus = Some(prometheus);
        self
    }

    /// Grafana's datasources and dashboards. Those added before by [`Spec::dashboards`] and
    /// [`Spec::datasources`] are kept, after the ones `grafana` declares.
    pub fn grafana(mut self, grafana: crate::grafana::Grafana) -> Spec {
        let before = std::mem::replace(&mut self.grafana, grafana);
        self.grafana.dashboards.extend(before.dashboards);
        for datasource in before.datasources {
            self.grafana = self.grafana.datasource_once(datasource);
        }
        self
    }

    /// Adds dashboards to the spec's Grafana (an imported module's `dashboards()`).
    pub fn dashboards(
        mut self,
        dashboards: impl IntoIterator<Item = crate::grafana::Dashboard>,
    ) -> Spec {
        self.grafana.dashboards.extend(dashboards);
        self
    }

    /// Adds datasources to the spec's Grafana, but none whose uid it already has: imported
    /// modules each declare the datasources their dashboards use (`datasources()`), and two
    /// modules often use the same one.
    pub fn datasources(
        mut self,
        datasources: impl IntoIterator<Item = crate::grafana::Datasource>,
    ) -> Spec {
        for datasource in datasources {
            self.grafana = self.grafana.datasource_once(datasource);
        }
        self
    }

    /// prometheus-operator resources in `kubernetes/`.
    pub fn kubernetes(mut self, kubernetes: Kubernetes) -> Spec {
        self.kubernetes = Some(kubernetes);
        self
    }

    /// Thanos Ruler's files in `thanos/`.
    pub fn thanos(mut self, thanos: ThanosRuler) -> Spec {
        self.thanos = Some(thanos);
        self
    }

    /// The Mimir (or Cortex) ruler's namespaces in `mimir/`.
    pub fn mimir(mut self, mimir: Mimir) -> Spec {
        self.mimir = Some(mimir);
        self
    }

    /// The spec's lint settings, with what its rulers evaluate and see (for the `global/`
    /// lints) added to those it declares.
    pub fn lint_config(&self, ir: &Ir) -> LintConfig {
        let mut config = self.lints.clone();
        config.rulers.extend(crate::rulers::lint_views(
            self.thanos.as_ref(),
            self.mimir.as_ref(),
            self.prometheus.as_ref(),
            ir,
        ));
        config
    }
}

/// The result of compiling a spec: the files (empty when any diagnostic is an error) and every
/// diagnostic, sorted by place.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub output: Output,
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// How to compile, besides the spec itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Divide every duration by this (see [`Ir::scale_time`]): 1 for production output.
    pub time_scale: u64,
}

impl Default for Options {
    fn default() -> Options {
        Options { time_scale: 1 }
    }
}

/// Lowers, validates and lints `spec`, and emits its files when it has no errors.
pub fn compile(spec: &Spec) -> Compiled {
    compile_with(spec, &Options::default())
}

/// [`compile`] with options: a time-compressed test stack, say.
pub fn compile_with(spec: &Spec, options: &Options) -> Compiled {
    let (mut ir, mut diagnostics) = lower(spec);
    if options.time_scale > 1 {
        ir.scale_time(options.time_scale);
    }
    let lints = spec.lint_config(&ir);
    diagnostics.extend(lint::run(&ir, &spec.catalog, &lints));
    diagnostics.extend(configure::check(&spec.lints));
    configure::apply(&spec.lints, &mut diagnostics, &|_| None);
    diagnostics::sort(&mut diagnostics);
    let mut output = Output::default();
    if !diagnostics.iter().any(Diagnostic::is_error) {
        crate::rules::emit::emit(&ir.groups, &mut output);
        if let Some(config) = &ir.alertmanager {
            crate::alertmanager::emit::emit(config, &mut output);
        }
        if let Some(config) = &ir.prometheus {
            crate::prometheus::emit::emit(config, &mut output);
        }
        crate::grafana::emit::emit(&ir.grafana, &mut output);
        crate::rules::promtool_tests::emit(&ir.rule_tests, &mut output);
        if let Some(k8s) = &ir.kubernetes {
            let emitted = output.clone();
            crate::kubernetes::emit::emit(k8s, &ir, &emitted, &mut output);
        }
        if let Some(thanos) = &ir.thanos {
            crate::rulers::emit::thanos(thanos, &ir, &mut output);
        }
        if let Some(mimir) = &ir.mimir {
            crate::rulers::emit::mimir(mimir, &ir, &mut output);
        }
        output.add("README.md", GENERATED_README);
        // The emitters' output checked against our own schemas: a failure is a bug in Sextant.
        let bugs = crate::grafana::schema::check(&output);
        if !bugs.is_empty() {
            diagnostics.extend(bugs);
            output = Output::default();
        }
    }
    Compiled {
        output,
        diagnostics,
    }
}

/// Lowers `spec` into IR without linting or emitting; the spec's severity settings apply to the
/// diagnostics.
pub fn lower(spec: &Spec) -> (Ir, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let severities = spec.lints.allowed_severities();
    let slos = slo::lower(&spec.slos, &spec.catalog, &severities, &mut diagnostics);
    let all_groups = [spec.rule_groups.as_slice(), &slos.groups].concat();
    let groups = lower::rule_groups(&all_groups, &mut diagnostics);
    lower::duplicate_records(&groups, &mut diagnostics);
    let recorded = groups
        .iter()
        .flat_map(|g| &g.rules)
        .filter(|r| r.kind == crate::rules::ir::RuleKind::Record)
        .map(|r| r.name.clone())
        .collect();
    // The spec's dashboards are certain of their series when the spec says what Prometheus
    // scrapes, as its rules are (`lint::run`).
    let targets = if spec.prometheus.is_some() {
        crate::lint::labels::Targets::Known
    } else {
        crate::lint::labels::Targets::Open
    };
    let grafana = crate::grafana::lower::lower(
        &spec.grafana,
        &spec.catalog,
        &recorded,
        targets,
        &mut diagnostics,
    );
    let mut ir = Ir {
        groups,
        grafana,
        ..Ir::default()
    };
    ir.prometheus = spec
        .prometheus
        .as_ref()
        .and_then(|p| prometheus::lower(p, &mut diagnostics));
    ir.alertmanager = spec
        .alertmanager
        .as_ref()
        .and_then(|am| alertmanager::lower::lower(am, &mut diagnostics));
    if let Some(config) = &ir.alertmanager {
        let external = spec
            .prometheus
            .as_ref()
            .map(PrometheusConfig::alert_labels)
            .unwrap_or_default();
        alertmanager::checks::run(config, &ir, &spec.catalog, &external, &mut diagnostics);
        alertmanager::checks::severities(
            config,
            &spec.lints.allowed_severities(),
            &mut diagnostics,
        );
    }
    ir.rule_tests = slos.tests;
    ir.kubernetes = spec
        .kubernetes
        .as_ref()
        .and_then(|k| crate::kubernetes::lower::lower(k, &ir, &mut diagnostics));
    ir.thanos = spec
        .thanos
        .as_ref()
        .and_then(|t| crate::rulers::lower::thanos(t, &ir, &mut diagnostics));
    ir.mimir = spec
        .mimir
        .as_ref()
        .and_then(|m| crate::rulers::lower::mimir(m, &ir, &mut diagnostics));
    configure::apply(&spec.lints, &mut diagnostics, &|_| None);
    (ir, diagnostics)
}

const GENERATED_README: &str = "\
# generated/

Everything here is generated by Sextant from the spec in `spec/`. Do not edit it: change the spec
and run `cargo run -- build`. CI runs `cargo run -- check`, which fails when this folder is not
exactly what the spec produces.

- `prometheus/<replica>.yml`: the Prometheus server configuration of each HA replica (they differ
  only in the `replica` external label); `promtool check config` accepts each.
- `alertmanager/alertmanager.yml`: the AlertManager configuration, shared by every peer of the
  cluster; `amtool check-config` accepts it.
- `alertmanager/templates/notifications.tmpl`: the notification templates it loads.
- `grafana/dashboards/<uid>.json`: one Grafana dashboard per file (schemaVersion 42), checked
  against `schemas/dashboard.schema.json` and Grafana's official schemas.
- `grafana/provisioning/datasources/<uid>.yml`: one provisioned datasource per file.
- `grafana/provisioning/dashboards/sextant.yml`: the provider that loads the dashboards.
- `prometheus/rules/<group>.yml`: one Prometheus rule file per rule group; `slo-<name>.yml` holds
  an SLO's SLI and metadata recording rules and its burn-rate alerts.
- `prometheus/tests/slo-<name>-<tier>.yml`: promtool unit tests proving each SLO alert tier (page,
  ticket, absent) fires at its designed burn rate in the designed time and stays quiet just below
  it. Run them with `promtool test rules generated/prometheus/tests/*.yml`.

SLO windows longer than 6h (1d, 3d, the SLO window) are computed from recorded 5-minute event
rates (`sum_over_time` of errors over `sum_over_time` of all events), which weights every period
by its traffic; they only cover the time since the rules were deployed.
";
