//! The ruler targets a spec turns on: [`ThanosRuler`] and [`Mimir`] (also Cortex's ruler, which
//! reads the same format).

use std::collections::BTreeMap;

use crate::diagnostics::Origin;
use crate::syntax::duration::{hours, mins, Duration};

/// What data a ruler's queries see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// One cluster's series (a Mimir tenant per cluster, a Querier whose stores select one
    /// cluster): rules mean what they mean on that cluster's Prometheus.
    Cluster,
    /// Every cluster's series at once, told apart by their external labels: the `global/` lints
    /// check what changes meaning there.
    Global,
}

/// What Thanos Ruler does with a query some of whose stores failed to answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartialResponse {
    /// Fail the evaluation (Thanos's default): no recorded sample, no alert change.
    Abort,
    /// Evaluate on what answered: a record or alert from part of the data.
    Warn,
}

impl PartialResponse {
    pub fn as_str(self) -> &'static str {
        match self {
            PartialResponse::Abort => "abort",
            PartialResponse::Warn => "warn",
        }
    }
}

/// Thanos Ruler: evaluates every rule group through Thanos Queriers, sends alerts to the
/// AlertManagers.
#[derive(Clone, Debug, PartialEq)]
pub struct ThanosRuler {
    /// The Queriers' HTTP API, `host:port`.
    pub query: Vec<String>,
    /// The AlertManagers' API, `host:port`.
    pub alertmanagers: Vec<String>,
    /// The ruler's own external labels (`--label`), on every recorded series and alert.
    pub labels: BTreeMap<String, String>,
    /// `--eval-interval`, for groups without their own [default: 1m].
    pub evaluation_interval: Duration,
    pub default_strategy: PartialResponse,
    /// Each group's `partial_response_strategy`, by group name, when not the default.
    pub strategies: BTreeMap<String, PartialResponse>,
    pub view: View,
    /// The compactor's downsampling: from what age (of the data) what resolution is left
    /// [default: Thanos's, 5m after 40h and 1h after 10d].
    pub downsampling: Vec<(Duration, Duration)>,
    pub origin: Origin,
}

impl ThanosRuler {
    #[track_caller]
    pub fn new<S: Into<String>>(query: impl IntoIterator<Item = S>) -> ThanosRuler {
        ThanosRuler {
            query: query.into_iter().map(Into::into).collect(),
            alertmanagers: Vec::new(),
            labels: BTreeMap::new(),
            evaluation_interval: mins(1),
            default_strategy: PartialResponse::Abort,
            strategies: BTreeMap::new(),
            view: View::Global,
            downsampling: vec![(hours(40), mins(5)), (hours(240), hours(1))],
            origin: Origin::caller(),
        }
    }

    pub fn alertmanagers<S: Into<String>>(
        mut self,
        targets: impl IntoIterator<Item = S>,
    ) -> ThanosRuler {
        self.alertmanagers
            .extend(targets.into_iter().map(Into::into));
        self
    }

    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> ThanosRuler {
        self.labels.insert(name.into(), value.into());
        self
    }

    pub fn evaluation_interval(mut self, interval: Duration) -> ThanosRuler {
        self.evaluation_interval = interval;
        self
    }

    /// The strategy of groups without their own.
    pub fn default_strategy(mut self, strategy: PartialResponse) -> ThanosRuler {
        self.default_strategy = strategy;
        self
    }

    /// Group `group`'s strategy.
    pub fn strategy(mut self, group: impl Into<String>, strategy: PartialResponse) -> ThanosRuler {
        self.strategies.insert(group.into(), strategy);
        self
    }

    pub fn view(mut self, view: View) -> ThanosRuler {
        self.view = view;
        self
    }

    /// The compactor's downsampling, as (age, resolution) pairs; none for raw data only.
    pub fn downsampling(
        mut self,
        steps: impl IntoIterator<Item = (Duration, Duration)>,
    ) -> ThanosRuler {
        self.downsampling = steps.into_iter().collect();
        self
    }
}

/// A Mimir (or Cortex) tenant's limits on rules: what the ruler's config API rejects beyond.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// `ruler_max_rule_groups_per_tenant` [default: 70].
    pub rule_groups_per_tenant: u32,
    /// `ruler_max_rules_per_rule_group` [default: 20].
    pub rules_per_rule_group: u32,
    /// `ruler_max_rule_groups_per_tenant_by_namespace`, the same for every namespace, when set.
    pub rule_groups_per_namespace: Option<u32>,
}

impl Default for Limits {
    /// Mimir's defaults.
    fn default() -> Limits {
        Limits {
            rule_groups_per_tenant: 70,
            rules_per_rule_group: 20,
            rule_groups_per_namespace: None,
        }
    }
}

/// The Mimir ruler: the rule groups of one tenant, one namespace per spec area (the Rust file
/// that declared the group: `recording`, `alerts`, `slos`), prefixed.
#[derive(Clone, Debug, PartialEq)]
pub struct Mimir {
    pub tenant: String,
    pub namespace_prefix: String,
    /// Federated groups: their `source_tenants`, by group name.
    pub federated: BTreeMap<String, Vec<String>>,
    pub limits: Limits,
    /// `-ruler.evaluation-interval`, for groups without their own [default: 1m].
    pub evaluation_interval: Duration,
    pub view: View,
    pub origin: Origin,
}

impl Mimir {
    /// The rules of `tenant`, whose data is one cluster's (federated groups see more).
    #[track_caller]
    pub fn new(tenant: impl Into<String>) -> Mimir {
        Mimir {
            tenant: tenant.into(),
            namespace_prefix: String::new(),
            federated: BTreeMap::new(),
            limits: Limits::default(),
            evaluation_interval: mins(1),
            view: View::Cluster,
            origin: Origin::caller(),
        }
    }

    /// Namespaces are named `<prefix><area>`.
    pub fn namespace_prefix(mut self, prefix: impl Into<String>) -> Mimir {
        self.namespace_prefix = prefix.into();
        self
    }

    /// Group `group` is evaluated over the data of `tenants` (a federated rule group).
    pub fn federate<S: Into<String>>(
        mut self,
        group: impl Into<String>,
        tenants: impl IntoIterator<Item = S>,
    ) -> Mimir {
        self.federated
            .insert(group.into(), tenants.into_iter().map(Into::into).collect());
        self
    }

    pub fn limits(mut self, limits: Limits) -> Mimir {
        self.limits = limits;
        self
    }

    pub fn evaluation_interval(mut self, interval: Duration) -> Mimir {
        self.evaluation_interval = interval;
        self
    }

    /// What the tenant's data is: one cluster's (the default) or every cluster's.
    pub fn view(mut self, view: View) -> Mimir {
        self.view = view;
        self
    }
}

/// The area of a group declared in `file`: the file's stem (`spec/src/slos.rs` is `slos`).
pub fn area(file: &str) -> String {
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let stem = name.split('.').next().unwrap_or(name);
    if stem.is_empty() {
        "rules".into()
    } else {
        stem.to_string()
    }
}
