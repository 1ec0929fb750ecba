//! The validated intermediate form: what lowering produces and emitters and lints read.
//!
//! Architecture Invariant: every value here has been checked. A rule's expression parsed, its
//! names are valid, its templates parse; emitters never validate again.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostics::Origin;
use crate::syntax::duration::Duration;

/// Where an item came from: a Rust call site, or a place in a file being linted.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    Rust(Origin),
    File {
        path: String,
        /// The rule's (or item's) range in the file.
        range: Range<usize>,
        /// Where the expression's text starts in the file, when it stands there verbatim.
        expr_start: Option<usize>,
        /// Where each further line of the expression starts, for a literal block (`expr: |`)
        /// whose lines stand in the file verbatim after their indentation.
        expr_lines: Vec<usize>,
        /// Where other values stand (`alert`, `record`, `for`, `labels.<name>`,
        /// `annotations.<name>`), by key.
        values: BTreeMap<String, Range<usize>>,
        /// Lints turned off for this item by a `# sextant: disable=CODE` comment.
        disabled: Vec<String>,
    },
}

impl Place {
    pub fn origin(&self) -> Option<Origin> {
        match self {
            Place::Rust(origin) => Some(*origin),
            Place::File { .. } => None,
        }
    }

    /// Whether a `# sextant: disable=...` comment turned `code` off here.
    pub fn disables(&self, code: &str) -> bool {
        match self {
            Place::Rust(_) => false,
            Place::File { disabled, .. } => disabled.iter().any(|d| d == code || d == "all"),
        }
    }

    /// The file offset of byte `offset` of the expression, when the expression stands in the
    /// file verbatim (line by line for a literal block).
    pub fn expr_offset(&self, expr: &str, offset: usize) -> Option<usize> {
        let Place::File {
            expr_start: Some(start),
            expr_lines,
            ..
        } = self
        else {
            return None;
        };
        let offset = offset.min(expr.len());
        let line = expr[..offset].matches('\n').count();
        let line_start = expr[..offset].rfind('\n').map_or(0, |i| i + 1);
        let file_line = if line == 0 {
            *start
        } else {
            *expr_lines.get(line - 1)?
        };
        Some(file_line + offset - line_start)
    }
}

/// Everything a spec declares, validated.
#[derive(Clone, Debug, Default)]
pub struct Ir {
    pub groups: Vec<crate::rules::ir::Group>,
    /// The AlertManager configuration, when the spec declares one.
    pub alertmanager: Option<crate::alertmanager::Config>,
    /// The Prometheus server configuration, when the spec declares one.
    pub prometheus: Option<crate::prometheus::PrometheusConfig>,
    pub grafana: crate::grafana::ir::Grafana,
    /// promtool unit tests of the rules (generated for SLOs).
    pub rule_tests: Vec<crate::rules::ir::RuleTests>,
    /// The deploy targets the spec turns on, checked.
    pub kubernetes: Option<crate::kubernetes::Kubernetes>,
    pub thanos: Option<crate::rulers::ThanosRuler>,
    pub mimir: Option<crate::rulers::Mimir>,
}

impl Ir {
    pub fn rules(&self) -> impl Iterator<Item = &crate::rules::ir::Rule> {
        self.groups.iter().flat_map(|g| g.rules.iter())
    }

    /// The names of the series recording rules produce.
    pub fn recorded(&self) -> BTreeMap<&str, &crate::rules::ir::Rule> {
        self.rules()
            .filter(|r| r.kind == crate::rules::ir::RuleKind::Record)
            .map(|r| (r.name.as_str(), r))
            .collect()
    }
}

impl Ir {
    /// Compresses time by `factor` (60: a minute becomes a second) in every duration the IR
    /// holds: rules' `for`, `keep_firing_for`, group intervals and the ranges inside
    /// expressions; Prometheus's scrape and evaluation intervals; AlertManager's group waits and
    /// intervals. It builds a test stack in which a 5-minute alert fires in 5 seconds; never a
    /// production one. Calendar time intervals (business hours) are left as they are.
    pub fn scale_time(&mut self, factor: u64) {
        let scale = |d: Duration| {
            if d.is_zero() || factor <= 1 {
                d
            } else {
                Duration::millis((d.as_millis() / factor).max(1))
            }
        };
        let scale_opt = |d: &mut Option<Duration>| *d = d.map(scale);
        for group in &mut self.groups {
            scale_opt(&mut group.interval);
            for rule in &mut group.rules {
                rule.for_ = scale(rule.for_);
                rule.keep_firing_for = scale(rule.keep_firing_for);
                rule.expr = crate::syntax::promql::scale_durations(&rule.expr, factor);
                if let Ok(parsed) = crate::syntax::promql::parse(&rule.expr) {
                    rule.analysis = crate::syntax::promql::analyse(&parsed, &rule.expr);
                    rule.parsed = parsed;
                }
            }
        }
        if let Some(prometheus) = &mut self.prometheus {
            // Prometheus's own defaults (1m scrape and evaluation, 10s timeout) scale too.
            let defaults = [
                (&mut prometheus.scrape_interval, 60),
                (&mut prometheus.evaluation_interval, 60),
                (&mut prometheus.scrape_timeout, 10),
            ];
            for (value, default_secs) in defaults {
                *value = Some(scale(
                    value.unwrap_or(crate::syntax::duration::secs(default_secs)),
                ));
            }
            for job in &mut prometheus.jobs {
                scale_opt(&mut job.interval);
                scale_opt(&mut job.timeout);
            }
        }
        if let Some(alertmanager) = &mut self.alertmanager {
            fn walk(
                route: &mut crate::alertmanager::ir::Route,
                scale: &dyn Fn(Duration) -> Duration,
            ) {
                route.group_wait = route.group_wait.map(scale);
                route.group_interval = route.group_interval.map(scale);
                route.repeat_interval = route.repeat_interval.map(scale);
                for child in &mut route.routes {
                    walk(child, scale);
                }
            }
            walk(&mut alertmanager.route, &scale);
        }
    }
}
