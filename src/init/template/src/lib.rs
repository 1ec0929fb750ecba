//! @service@'s monitoring, as code: the metric catalog the service exposes, recording rules,
//! alerts, an SLO, where alerts go, the Prometheus server that scrapes the service, and a
//! dashboard. `cargo run -- build` compiles it into `generated/`.

use sextant::prelude::*;

pub mod alerts;
pub mod catalog;
pub mod dashboards;
pub mod prometheus;
pub mod recording;
pub mod routing;
pub mod slos;

/// Everything @service@ declares.
pub fn spec() -> Spec {
    Spec::new(catalog::CATALOG)
        .rule_groups(recording::groups())
        .rule_groups(alerts::groups())
        .slos(slos::slos())
        .alertmanager(routing::alertmanager())
        .prometheus(prometheus::server())
        .grafana(dashboards::grafana())
}
