//! The Prometheus server: scrapes @service@ every 15 s, evaluates the rules as often, and sends
//! alerts to AlertManager.

use sextant::prelude::alerting::*;
use sextant::prelude::*;

pub fn server() -> PrometheusConfig {
    PrometheusConfig::new()
        .scrape_interval(secs(15))
        .evaluation_interval(secs(15))
        .external_label("cluster", "production")
        .job(ScrapeJob::new("@service@").targets(["@service@:8080"]))
        .alertmanagers(["alertmanager:9093"])
}
