//! Service level objectives: error budgets and multi-window multi-burn-rate alerts.
//!
//! An [`Slo`] names a service, an objective (99.9%), a rolling window of its own (30 days by
//! default) and an [`Sli`]: bad (or good) events over all events, from catalog selectors or
//! PromQL templated by window; the share of a catalog histogram's observations under a bucket
//! bound; or a boolean gauge. Each SLO becomes one rule group, `slo-<name>`, and a promtool test
//! file per alert tier, `slo-<name>-<tier>`. The rule group joins the spec's other groups, so SLO rules are lowered, checked
//! and linted like any other.
//!
//! Generation is an ordered pipeline, as in Sloth: [`validate`] settles the SLO into a
//! [`plan::Plan`] (or reports every fault at the line that declared it), then each of [`STEPS`]
//! adds its part. A new output is one more step, not an edit of the others.
//!
//! Series (Sloth's names, so Sloth's dashboards work): `slo:sli_error:ratio_rate<window>` at 5m,
//! every alert window and the SLO window; `slo:sli_error_events:rate5m` and
//! `slo:sli_total_events:rate5m`; `slo:objective:ratio`, `slo:error_budget:ratio`,
//! `slo:time_period:days`, `slo:current_burn_rate:ratio`, `slo:period_burn_rate:ratio`,
//! `slo:period_error_budget_remaining:ratio`. Each carries `slo` and `service` labels (and
//! Sloth's `sloth_*` with [`Naming::Sloth`]).
//!
//! Alerts: `<prefix>FastBurn` (tier `page`, severity critical: 2% of the budget in 1h or 5% in
//! 6h), `<prefix>SlowBurn` (tier `ticket`, warning: 10% in 1d or in 3d) and `<prefix>SLIAbsent`
//! (tier `ticket`, warning). Every alert carries `slo`, `service`, `tier`, `component="slo"` and
//! `severity`: the labels AlertManager routes on. Factors scale with the SLO window so the share
//! of the budget an alert stands for stays the same: `factor = share x slo_window / long_window`
//! (14.4 for 1h of a 30d SLO, 13.44 for 28d, 3.36 for 7d).
//!
//! Long windows are computed from recorded 5-minute rates; see [`sli`] for what that trades.

mod alerts;
pub mod codes;
mod dsl;
mod metadata;
pub mod plan;
mod promtool_tests;
mod sli;
mod validate;

use std::collections::BTreeMap;

use sextant_catalog::Catalog;

pub use dsl::{
    Events, Naming, Service, Sli, SliKind, Slo, SloLabels, Tier, TierKind, WINDOW_PLACEHOLDER,
};
pub use promtool_tests::INPUT_INTERVAL;

use crate::diagnostics::{Diagnostic, Origin, Place};
use crate::rules::ir;
use crate::rules::{Record, Rule, RuleGroup, SeverityName};
use plan::{AlertPlan, Plan};

/// A generation step: reads the plan, adds to the SLO's output.
pub type Step = fn(&Plan, &mut SloOutput);

/// The steps after validation, in order: SLI recording rules (which the others read), metadata
/// rules, alerts, promtool tests.
pub const STEPS: &[(&str, Step)] = &[
    ("sli", sli::step),
    ("metadata", metadata::step),
    ("alerts", alerts::step),
    ("promtool-tests", promtool_tests::step),
];

/// What the steps produce for one SLO.
pub struct SloOutput {
    pub group: RuleGroup,
    pub tests: Vec<ir::RuleTests>,
    /// Warnings (a fault stops the SLO at validation).
    pub diagnostics: Vec<Diagnostic>,
    origin: Place,
}

impl SloOutput {
    fn new(plan: &Plan) -> SloOutput {
        let mut group = RuleGroup::new(plan.group_name());
        group.origin = Place::Rust(plan.origin);
        SloOutput {
            group,
            tests: Vec::new(),
            diagnostics: Vec::new(),
            origin: Place::Rust(plan.origin),
        }
    }

    fn record(&mut self, name: &str, expr: String, labels: BTreeMap<String, String>) {
        self.group.rules.push(Rule::Record(Record {
            name: name.to_string(),
            expr: expr.into(),
            labels,
            origin: self.origin.clone(),
        }));
    }

    fn alert(&mut self, plan_alert: &AlertPlan, expr: String) {
        let mut alert = alerts::rule(plan_alert, expr);
        alert.origin = self.origin.clone();
        self.group.rules.push(Rule::Alert(alert));
    }
}

/// The SLOs' rule groups and test files.
#[derive(Clone, Debug, Default)]
pub struct Lowered {
    pub groups: Vec<RuleGroup>,
    pub tests: Vec<ir::RuleTests>,
}

/// Validates each SLO and runs the steps on those without faults.
pub fn lower(
    slos: &[Slo],
    catalog: &Catalog,
    severities: &[SeverityName],
    diagnostics: &mut Vec<Diagnostic>,
) -> Lowered {
    let mut seen: BTreeMap<&str, Origin> = BTreeMap::new();
    let mut lowered = Lowered::default();
    for slo in slos {
        if let Some(first) = seen.insert(&slo.name, slo.origin) {
            diagnostics.push(
                Diagnostic::error(
                    codes::DUPLICATE,
                    format!("SLO {:?} is declared twice", slo.name),
                )
                .at(slo.origin)
                .related(first, "first declared here"),
            );
            continue;
        }
        let Some(plan) = validate::run(slo, catalog, severities, diagnostics) else {
            continue;
        };
        let mut out = SloOutput::new(&plan);
        for (_, step) in STEPS {
            step(&plan, &mut out);
        }
        diagnostics.extend(out.diagnostics);
        lowered.groups.push(out.group);
        lowered.tests.extend(out.tests);
    }
    lowered
}
