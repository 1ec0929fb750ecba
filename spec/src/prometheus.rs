//! The Prometheus server: EJE scraped every 15 s (the seed), rules evaluated as often, the stack
//! scraping itself, and alerts sent to every AlertManager peer. Two replicas (the seed's HA
//! pair) differ only in their `replica` label, which is dropped from their alerts so the
//! AlertManager cluster deduplicates the pair's notifications.

use sextant::prelude::alerting::*;
use sextant::prelude::*;

use crate::stack::Stack;

/// The external label every series and alert carries: which EJE deployment it is about.
pub const CLUSTER: &str = "eje";

pub fn server(stack: &Stack) -> PrometheusConfig {
    let address = |pairs: &[(String, String)]| -> Vec<String> {
        pairs.iter().map(|(_, address)| address.clone()).collect()
    };
    PrometheusConfig::new()
        .scrape_interval(secs(15))
        .evaluation_interval(secs(15))
        .external_label("cluster", CLUSTER)
        .replicas(
            "replica",
            stack.prometheus.iter().map(|(name, _)| name.clone()),
        )
        .job(
            ScrapeJob::new("eje")
                .targets(stack.eje.clone())
                .interval(secs(15)),
        )
        .job(ScrapeJob::new("prometheus").targets(address(&stack.prometheus)))
        .job(ScrapeJob::new("alertmanager").targets(stack.alertmanagers.clone()))
        .alertmanagers(stack.alertmanagers.clone())
}
