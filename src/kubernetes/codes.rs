//! The diagnostic codes of the Kubernetes target, each with its documentation, to be registered
//! with every other code.

use crate::diagnostics::registry::codes;

codes! {
    /// Finds what the Kubernetes API server would reject in a manifest given to `lint`: a custom
    /// resource that does not match its CRD's schema (strict fields, as `kubectl apply` asks), or
    /// an object whose `apiVersion`, `kind`, name, namespace or labels are invalid.
    ///
    /// ## Why
    /// `kubectl apply` refuses the resource: the monitor, rule or configuration it carries never
    /// reaches the cluster, and nothing else tells until someone looks.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ServiceMonitor
    /// spec:
    ///   endpoints:
    ///     - port: http
    ///       intervall: 30s
    /// ```
    ///
    /// ## Fix
    /// Correct the field at the place shown (here, `interval`). The CRDs are read from
    /// `shared/reference/prometheus-operator-crds` beside the repository; without them only the
    /// object's envelope is checked.
    SCHEMA = ("kubernetes/schema", Error);

    /// Finds a Kubernetes resource name (or namespace) the API server would reject.
    ///
    /// ## Why
    /// Resource names are DNS subdomains (lowercase letters, digits, `-` and `.`), namespaces DNS
    /// labels; a PrometheusRule is named after its rule group and a dashboard's ConfigMap after its
    /// uid, so a group named `app_alerts` cannot be applied.
    ///
    /// ## Example
    /// ```text
    /// RuleGroup::new("app_alerts")   // PrometheusRule "app_alerts": `_` is not allowed
    /// ```
    ///
    /// ## Fix
    /// Rename the item with lowercase letters, digits and `-`.
    NAME = ("kubernetes/name", Error);

    /// Finds a label name or value Kubernetes rejects.
    ///
    /// ## Why
    /// Labels on resources, monitor selectors and the dashboard sidecar's label follow Kubernetes'
    /// syntax (at most 63 characters of `[A-Za-z0-9_.-]`, an optional DNS prefix); the API server
    /// rejects anything else.
    ///
    /// ## Example
    /// ```text
    /// Kubernetes::new("monitoring").label("release", "kube prometheus")
    /// ```
    ///
    /// ## Fix
    /// Use letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
    LABEL = ("kubernetes/label", Error);

    /// Finds a ServiceMonitor or PodMonitor that cannot stand for a scrape job: it names no job of the
    /// Prometheus configuration, a job twice, selects nothing, or names an invalid port.
    ///
    /// ## Why
    /// A monitor is the Kubernetes form of a scrape job: its interval, timeout, path and `job` label
    /// come from the job, so the rules that select `job="..."` keep matching. A monitor without its
    /// job has none of these; an empty selector scrapes every Service of the namespace.
    ///
    /// ## Example
    /// ```text
    /// Monitor::service("ejee").select("app", "app")   // no scrape job "ejee"
    /// ```
    ///
    /// ## Fix
    /// Name a job the Prometheus configuration declares, once, with a selector and a named port.
    MONITOR = ("kubernetes/monitor", Error);

    /// Finds a scrape job of the Prometheus configuration with no ServiceMonitor or PodMonitor
    /// (a warning).
    ///
    /// ## Why
    /// On Kubernetes, prometheus-operator writes the scrape configuration from monitors only: a job
    /// without one is not scraped, and every rule and dashboard on its series goes quiet.
    ///
    /// ## Example
    /// ```text
    /// ScrapeJob::new("app")   // and no Monitor::service("app")
    /// ```
    ///
    /// ## Fix
    /// Add `Monitor::service(job)` or `Monitor::pod(job)` to the Kubernetes target.
    UNMONITORED_JOB = ("kubernetes/unmonitored-job", Warning);

    /// Finds a secret file of the AlertManager configuration that maps to no key of the credentials
    /// Secret.
    ///
    /// ## Why
    /// The operator mounts the credentials Secret at `/etc/alertmanager/secrets/<secret>/`, one file
    /// per key; the configuration is rewritten to read each secret there. A file outside the declared
    /// secrets folder, or in a subfolder of it, has no key to come from.
    ///
    /// ## Example
    /// ```text
    /// SecretFile::at("/run/keys/pagerduty")   // secrets_dir is /etc/alertmanager/secrets
    /// ```
    ///
    /// ## Fix
    /// Keep every secret file directly in the secrets folder, named as the Secret's key.
    SECRET_KEY = ("kubernetes/secret-key", Error);

    /// Finds an AlertManager Secret declared without an AlertManager configuration.
    ///
    /// ## Why
    /// The Secret holds the configuration; without one there is nothing to write.
    ///
    /// ## Example
    /// ```text
    /// Kubernetes::new("monitoring").alertmanager(AlertManagerSecret::new(...))   // no Spec::alertmanager
    /// ```
    ///
    /// ## Fix
    /// Declare the configuration with `Spec::alertmanager`, or drop the Secret.
    ALERTMANAGER = ("kubernetes/alertmanager", Error);

}
