//! The codes of the Prometheus server configuration checks ([`super::lower`]): what
//! `promtool check config` rejects, and what the HA pair cannot work with.

use crate::diagnostics::registry::codes;

codes! {
    /// A scrape or evaluation interval of zero, or a scrape timeout longer than its interval.
    ///
    /// ## Why
    /// Prometheus rejects a configuration whose scrape timeout exceeds the scrape interval (a
    /// scrape must end before the next starts), and a zero interval is never what is meant.
    ///
    /// ## Example
    /// ```text
    /// PrometheusConfig::new().scrape_interval(secs(10)).scrape_timeout(secs(15))
    /// ```
    ///
    /// ## Fix
    /// Lower the timeout below the interval, or leave either unset for Prometheus's default.
    INTERVAL = ("prometheus/interval", Error);

    /// An external label with an empty value.
    ///
    /// ## Why
    /// Prometheus drops a label whose value is empty: the label the spec declares is never on the
    /// alerts and series that leave this server.
    ///
    /// ## Example
    /// ```text
    /// PrometheusConfig::new().external_label("cluster", "")
    /// ```
    ///
    /// ## Fix
    /// Give it a value, or remove it.
    EXTERNAL_LABEL = ("prometheus/external-label", Error);

    /// An HA replica setting that cannot work: no replica, a replica name that is not a file
    /// name, a replica declared twice, or a replica label also set as a fixed external label.
    ///
    /// ## Why
    /// Each replica gets its own configuration file, named after it, that differs only in the
    /// replica label; two replicas with the same value would send indistinguishable alerts and
    /// series, and AlertManager could not deduplicate them.
    ///
    /// ## Example
    /// ```text
    /// PrometheusConfig::new().replicas("replica", ["prometheus-1", "prometheus-1"])
    /// ```
    ///
    /// ## Fix
    /// Give each replica its own name, of letters, digits, `-`, `_` and `.`.
    REPLICA = ("prometheus/replica", Error);

    /// A scrape job with an empty or repeated name, or a metrics path that does not start with
    /// `/`.
    ///
    /// ## Why
    /// Prometheus rejects a configuration with two scrape configs of the same job name, and the
    /// job name is the `job` label every rule selects on.
    ///
    /// ## Example
    /// ```text
    /// ScrapeJob::new("app").targets(["app:8000"]) ... ScrapeJob::new("app")
    /// ```
    ///
    /// ## Fix
    /// Give each job its own name; write the metrics path from the root (`/metrics`).
    JOB = ("prometheus/job", Error);

    /// An external or replica label name that is not a label name.
    ///
    /// ## Why
    /// Prometheus rejects a label name that does not match `[a-zA-Z_][a-zA-Z0-9_]*`, and names
    /// starting with `__` are reserved for its own use.
    ///
    /// ## Example
    /// ```text
    /// PrometheusConfig::new().external_label("app-cluster", "prod")
    /// ```
    ///
    /// ## Fix
    /// Use `_` instead of `-`: `app_cluster`.
    LABEL_NAME = ("prometheus/label-name", Error);

    /// A scrape or AlertManager target that is not `host:port`.
    ///
    /// ## Why
    /// Prometheus takes targets as `host:port`, with the scheme and path set elsewhere; a URL or
    /// a missing port makes the configuration invalid or the target unreachable.
    ///
    /// ## Example
    /// ```text
    /// ScrapeJob::new("app").targets(["http://app:8000/metrics"])
    /// ```
    ///
    /// ## Fix
    /// Write the target as `host:port` (`app:8000`) and set `metrics_path` for the path.
    TARGET = ("prometheus/target", Error);
}
