//! The diagnostic codes of the ruler targets (Thanos Ruler, the Mimir / Cortex ruler), each with
//! its documentation, to be registered with every other code.

use crate::diagnostics::registry::codes;

codes! {
    /// Finds a Thanos Ruler address that is not `host:port`.
    ///
    /// ## Why
    /// The Queriers and AlertManagers are written into Thanos's `--query.config-file` and
    /// `--alertmanagers.config-file` as static targets; a scheme or a path there makes every query
    /// or notification fail at run time.
    ///
    /// ## Example
    /// ```text
    /// ThanosRuler::new(["http://thanos-query:10902"])
    /// ```
    ///
    /// ## Fix
    /// Write `host:port`, such as `thanos-query:10902`.
    THANOS_TARGET = ("thanos/target", Error);

    /// Finds an invalid Thanos Ruler label, or a strategy for a rule group the spec does not have.
    ///
    /// ## Why
    /// The ruler's `--label`s are external labels on every series and alert it produces: names must
    /// be label names and values non-empty. A strategy for a group that does not exist is a typo
    /// that leaves the real group on the default.
    ///
    /// ## Example
    /// ```text
    /// ThanosRuler::new(q).strategy("app-alert", PartialResponse::Warn)   // the group is app-alerts
    /// ```
    ///
    /// ## Fix
    /// Name an existing group; give labels valid names and values.
    THANOS_CONFIG = ("thanos/config", Error);

    /// Finds an invalid Mimir tenant or namespace, or a federated group the spec does not have or
    /// without source tenants.
    ///
    /// ## Why
    /// A tenant ID is at most 150 characters of letters, digits and `!-_.*'()` and neither `.` nor
    /// `..`; a namespace is a path segment of the ruler's config API. A federated group reads the
    /// tenants listed in its `source_tenants`; with none it reads nothing.
    ///
    /// ## Example
    /// ```text
    /// Mimir::new("app/prod")
    /// ```
    ///
    /// ## Fix
    /// Use a valid tenant ID and namespace prefix; list the source tenants of every federated group.
    MIMIR_CONFIG = ("mimir/config", Error);

    /// Finds a rule group with more rules than the tenant's `ruler_max_rules_per_rule_group`.
    ///
    /// ## Why
    /// The ruler's config API (and `mimirtool rules load`) rejects the whole group with `400 per-user
    /// rules per rule group limit exceeded`: none of its rules is evaluated.
    ///
    /// ## Example
    /// ```text
    /// A group of 25 rules, the tenant's limit 20.
    /// ```
    ///
    /// ## Fix
    /// Split the group, or raise the tenant's limit (a runtime override) and declare it with
    /// `Mimir::limits`.
    MIMIR_RULES_PER_GROUP = ("mimir/rules-per-group", Error);

    /// Finds a tenant with more rule groups than its `ruler_max_rule_groups_per_tenant`, or a
    /// namespace with more than `ruler_max_rule_groups_per_tenant_by_namespace`.
    ///
    /// ## Why
    /// The ruler rejects the group that goes past the limit, so which groups are evaluated depends
    /// on the order they were loaded.
    ///
    /// ## Example
    /// ```text
    /// 71 rule groups, the tenant's limit 70.
    /// ```
    ///
    /// ## Fix
    /// Merge small groups, or raise the limit and declare it with `Mimir::limits`.
    MIMIR_GROUPS = ("mimir/rule-groups", Error);

}
