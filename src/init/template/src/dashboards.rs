//! Grafana: the Prometheus datasource and one dashboard of the service's golden signals.

use sextant::prelude::*;

const PROMETHEUS: &str = "prometheus";

pub fn grafana() -> Grafana {
    Grafana::new()
        .datasource(Datasource::prometheus(PROMETHEUS, "Prometheus", "http://prometheus:9090").default())
        .dashboard(overview())
}

fn overview() -> Dashboard {
    Dashboard::new("@service@-overview", "@service@: overview")
        .datasource(DsRef::uid(PROMETHEUS))
        .panel(
            TimeSeries::new("Requests per second")
                .query(Query::new("sum(job:@namespace@_http_requests:rate5m)").legend("requests")),
        )
        .panel(
            TimeSeries::new("Error ratio")
                .unit(Unit::PercentUnit)
                .query(Query::new("job:@namespace@_http_errors:ratio_rate5m").legend("{{job}}")),
        )
}
