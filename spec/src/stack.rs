//! Where EJE's monitoring stack runs: the addresses the Prometheus and AlertManager
//! configurations name. [`Stack::production`] is the seed's deployment (host names resolved by
//! the cluster's DNS); a test that starts the real servers on 127.0.0.1 builds its own `Stack`
//! and compiles `spec()` with `routing::alertmanager(&stack)` and `prometheus::server(&stack)`.

/// The addresses of everything the configurations point at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stack {
    /// EJE's `/metrics` endpoints, `host:port`.
    pub eje: Vec<String>,
    /// The Prometheus HA pair: each replica's name (its `replica` label and file name) and
    /// `host:port`.
    pub prometheus: Vec<(String, String)>,
    /// The AlertManager cluster's peers: the API address (`host:9093`) Prometheus sends to.
    /// Their gossip address (`host:9094`) is set on AlertManager's command line, see
    /// docs/alertmanager-ha.md.
    pub alertmanagers: Vec<String>,
    /// The alert log the catch-all webhook posts to.
    pub alert_log: String,
}

impl Stack {
    /// The seed's deployment: EJE on `eje:8000`, two Prometheus replicas, three AlertManagers.
    pub fn production() -> Stack {
        Stack {
            eje: vec!["eje:8000".into()],
            prometheus: (1..=2)
                .map(|i| (format!("prometheus-{i}"), format!("prometheus-{i}:9090")))
                .collect(),
            alertmanagers: (1..=3).map(|i| format!("am-{i}:9093")).collect(),
            alert_log: "http://eje-alert-log:5001/alertmanager".into(),
        }
    }
}
