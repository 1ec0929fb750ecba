//! The validated intermediate form: what lowering produces and emitters and lints read.
//!
//! Architecture Invariant: every value here has been checked. A rule's expression parsed, its
//! names are valid, its templates parse; emitters never validate again.

use crate::syntax::duration::Duration;
use std::collections::BTreeMap;

pub use crate::diagnostics::Place;

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
