//! Where EJE's stack goes when it grows past one Prometheus pair (docs/scaling.md): the same
//! rules, monitors, routing and dashboards as Kubernetes resources for prometheus-operator, and
//! the rule groups for the ruler of a distributed engine, Thanos Ruler or Mimir. The spec turns
//! every target on, so `generated/` shows each of them.

use sextant::prelude::deploy::*;
use sextant::prelude::*;

use crate::prometheus::CLUSTER;
use crate::routing::SECRETS;
use crate::stack::Stack;

/// The namespace of the monitoring stack on Kubernetes.
pub const NAMESPACE: &str = "monitoring";

/// The Thanos Queriers Thanos Ruler evaluates through.
pub const THANOS_QUERY: &str = "thanos-query:10902";

/// prometheus-operator's resources. The `release` label is what kube-prometheus-stack's
/// `Prometheus` selects rules and monitors by; each monitor keeps its scrape job's name as
/// `job`, which the rules select on.
pub fn kubernetes() -> Kubernetes {
    Kubernetes::new(NAMESPACE)
        .label("release", "kube-prometheus-stack")
        .monitor(
            Monitor::service("eje")
                .namespace("eje")
                .select("app.kubernetes.io/name", "eje")
                .port("metrics"),
        )
        .monitor(
            Monitor::service("prometheus")
                .select("app.kubernetes.io/name", "prometheus")
                .port("web"),
        )
        .monitor(
            Monitor::service("alertmanager")
                .select("app.kubernetes.io/name", "alertmanager")
                .port("web"),
        )
        // The secret files stay files: each becomes a key of the credentials Secret, which the
        // `Alertmanager` resource mounts.
        .alertmanager(AlertManagerSecret::new(
            "alertmanager-eje",
            "eje-alertmanager-credentials",
            SECRETS,
        ))
}

/// Thanos Ruler over EJE's long-term storage: it evaluates the SLO windows (up to 30 days)
/// that outlive a Prometheus's retention. EJE's rules are written per cluster (`sum by (job)`),
/// so the ruler reads one cluster's data: its Querier's stores select `cluster="eje"`. Raw
/// samples are kept 30 days, 5-minute ones 180 days, hourly ones after.
pub fn thanos(stack: &Stack) -> ThanosRuler {
    ThanosRuler::new([THANOS_QUERY])
        .alertmanagers(stack.alertmanagers.clone())
        .label("ruler_cluster", CLUSTER)
        // As often as the Prometheus pair, so ranges and `for` mean the same on both.
        .evaluation_interval(secs(15))
        .view(View::Cluster)
        .downsampling([(days(30), mins(5)), (days(180), hours(1))])
        // A maximum over the stores that answered still shows saturation; every other group
        // records nothing rather than a partial sum.
        .strategy("eje-saturation", PartialResponse::Warn)
}

/// The Mimir ruler: tenant `eje` holds one EJE cluster's series (its Prometheus pair
/// remote-writes there, deduplicated by Mimir's HA tracker); a namespace per spec area, checked
/// against Mimir's default limits (70 groups, 20 rules a group).
pub fn mimir() -> Mimir {
    Mimir::new("eje")
        .namespace_prefix("eje-")
        .evaluation_interval(secs(15))
        .limits(Limits::default())
}
