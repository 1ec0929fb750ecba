//! The rulers of distributed engines, which evaluate the rule groups over many Prometheus
//! servers' data: Thanos Ruler ([`ThanosRuler`]: rule files with each group's
//! `partial_response_strategy`, and the files that wire it to the Queriers and AlertManagers) and
//! the Grafana Mimir / Cortex ruler ([`Mimir`]: one namespace per spec area, in the format
//! `mimirtool rules load` reads, `source_tenants` on federated groups, the tenant's limits
//! checked). [`dsl`] is what a spec writes, [`lower`] checks it, [`emit`] writes `thanos/` and
//! `mimir/`, [`codes`] documents the diagnostics; [`lint_views`] tells the `global/` lints what
//! each ruler sees.

pub mod codes;
pub mod dsl;
pub mod emit;
pub mod lower;

pub use dsl::*;

use std::collections::BTreeMap;

use crate::ir::Ir;
use crate::lint::RulerView;

/// What each ruler of the spec evaluates and sees, for the `global/` lints.
pub fn lint_views(
    thanos: Option<&ThanosRuler>,
    mimir: Option<&Mimir>,
    prometheus: Option<&crate::prometheus::PrometheusConfig>,
    ir: &Ir,
) -> Vec<RulerView> {
    let external: Vec<String> = prometheus
        .map(|p| p.external_labels.keys().cloned().collect())
        .unwrap_or_default();
    let replica = prometheus.and_then(|p| p.replicas.as_ref().map(|r| r.label.clone()));
    let mut views = Vec::new();
    if let Some(thanos) = thanos {
        views.push(RulerView {
            name: "Thanos Ruler".into(),
            groups: ir
                .groups
                .iter()
                .map(|g| (g.name.clone(), thanos.view == View::Global))
                .collect(),
            evaluation_interval: thanos.evaluation_interval,
            downsampling: thanos.downsampling.clone(),
            external_labels: external.clone(),
            replica_label: replica.clone(),
        });
    }
    if let Some(mimir) = mimir {
        views.push(RulerView {
            name: "the Mimir ruler".into(),
            groups: ir
                .groups
                .iter()
                .map(|g| {
                    let global =
                        mimir.view == View::Global || mimir.federated.contains_key(&g.name);
                    (g.name.clone(), global)
                })
                .collect::<BTreeMap<_, _>>(),
            evaluation_interval: mimir.evaluation_interval,
            downsampling: Vec::new(),
            external_labels: external,
            replica_label: replica,
        });
    }
    views
}
