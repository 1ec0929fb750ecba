//! EJE's monitoring, as code: the rules, alerts (and, as they land, SLOs, routing and
//! dashboards) Sextant compiles into `generated/`.
//!
//! Metrics come from the shared catalog, [`sextant_catalog::eje`], the same one the EJE runtime
//! crate registers: renaming a metric there breaks the build here.

use sextant::prelude::*;
use sextant_catalog::eje;

pub mod alerts;
pub mod budgets;
pub mod dashboards;
pub mod deploy;
pub mod prometheus;
pub mod recording;
pub mod routing;
pub mod slos;
pub mod stack;

/// Where runbooks live: every alert links to `RUNBOOKS/<alert name>`.
pub const RUNBOOKS: &str = "https://runbooks.eje.example.com/alerts";

/// The runbook link of an alert.
pub fn runbook(alert: &str) -> String {
    format!("{RUNBOOKS}/{alert}")
}

/// Everything EJE declares.
pub fn spec() -> Spec {
    Spec::new(eje::CATALOG)
        .rule_groups(recording::groups())
        .rule_groups(alerts::groups())
        .alertmanager(routing::alertmanager(&stack::Stack::production()))
        .prometheus(prometheus::server(&stack::Stack::production()))
        .grafana(dashboards::grafana())
        .slos(slos::slos())
        .lints(budgets::lints())
        .kubernetes(deploy::kubernetes())
        .thanos(deploy::thanos(&stack::Stack::production()))
        .mimir(deploy::mimir())
}
