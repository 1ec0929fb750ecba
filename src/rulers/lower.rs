//! The rulers' settings checked, and the spec's rule groups checked against what the rulers
//! accept: a Mimir tenant's limits on groups and rules.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Diagnostic, Origin};
use crate::ir::Ir;
use crate::rulers::{area, codes, Limits, Mimir, ThanosRuler};
use crate::rules::ir::Group;
use crate::syntax::promql::is_label_name;

/// Checks `thanos` against the spec; returns it when it has no errors.
pub fn thanos(thanos: &ThanosRuler, ir: &Ir, out: &mut Vec<Diagnostic>) -> Option<ThanosRuler> {
    let before = errors(out);
    let origin = thanos.origin;
    if thanos.query.is_empty() {
        out.push(
            Diagnostic::error(codes::THANOS_TARGET, "Thanos Ruler has no Querier to query")
                .at(origin)
                .note("give the Queriers' `host:port` to `ThanosRuler::new`"),
        );
    }
    for target in thanos.query.iter().chain(&thanos.alertmanagers) {
        if !is_host_port(target) {
            out.push(
                Diagnostic::error(
                    codes::THANOS_TARGET,
                    format!("Thanos Ruler target {target:?} is not host:port"),
                )
                .at(origin)
                .snippet("target", target.as_str(), 0..target.len(), "not host:port")
                .note("write a target as `host:port`, without scheme or path"),
            );
        }
    }
    for (name, value) in &thanos.labels {
        if !is_label_name(name) || name.starts_with("__") || value.is_empty() {
            out.push(
                Diagnostic::error(
                    codes::THANOS_CONFIG,
                    format!("invalid Thanos Ruler label {name}={value:?}"),
                )
                .at(origin)
                .note("a label name matches [a-zA-Z_][a-zA-Z0-9_]* without a leading `__`, and its value is not empty"),
            );
        }
    }
    if thanos.evaluation_interval.is_zero() {
        out.push(
            Diagnostic::error(
                codes::THANOS_CONFIG,
                "Thanos Ruler's evaluation interval is zero",
            )
            .at(origin),
        );
    }
    let names: BTreeSet<&str> = ir.groups.iter().map(|g| g.name.as_str()).collect();
    for group in thanos.strategies.keys() {
        if !names.contains(group.as_str()) {
            out.push(unknown_group(
                codes::THANOS_CONFIG,
                "a partial response strategy",
                group,
                &names,
                origin,
            ));
        }
    }
    (errors(out) == before).then(|| thanos.clone())
}

/// Checks `mimir` and the spec's groups against its limits; returns it when it has no errors.
pub fn mimir(mimir: &Mimir, ir: &Ir, out: &mut Vec<Diagnostic>) -> Option<Mimir> {
    let before = errors(out);
    let origin = mimir.origin;
    if !is_tenant(&mimir.tenant) {
        out.push(tenant_error(&mimir.tenant, origin));
    }
    let names: BTreeSet<&str> = ir.groups.iter().map(|g| g.name.as_str()).collect();
    for (group, tenants) in &mimir.federated {
        if !names.contains(group.as_str()) {
            out.push(unknown_group(
                codes::MIMIR_CONFIG,
                "`source_tenants`",
                group,
                &names,
                origin,
            ));
        }
        if tenants.is_empty() {
            out.push(
                Diagnostic::error(
                    codes::MIMIR_CONFIG,
                    format!("federated group {group:?} has no source tenant"),
                )
                .at(origin)
                .note("list the tenants whose data the group reads"),
            );
        }
        for tenant in tenants {
            if !is_tenant(tenant) {
                out.push(tenant_error(tenant, origin));
            }
        }
    }
    let by_namespace = namespaces(mimir, &ir.groups);
    for namespace in by_namespace.keys() {
        if namespace.is_empty() || namespace.contains('/') || namespace.len() > 255 {
            out.push(
                Diagnostic::error(
                    codes::MIMIR_CONFIG,
                    format!("invalid Mimir namespace {namespace:?}"),
                )
                .at(origin)
                .note("a namespace is a path segment of the ruler's API: no `/`, at most 255 characters"),
            );
        }
    }
    limits(
        &mimir.limits,
        &mimir.tenant,
        &by_namespace,
        |g, d| d.at(g.place.origin().unwrap_or(origin)),
        out,
    );
    (errors(out) == before).then(|| mimir.clone())
}

/// The spec's groups by Mimir namespace, in order.
pub fn namespaces<'g>(mimir: &Mimir, groups: &'g [Group]) -> BTreeMap<String, Vec<&'g Group>> {
    let mut out: BTreeMap<String, Vec<&Group>> = BTreeMap::new();
    for group in groups {
        let file = group.place.file().to_string();
        out.entry(format!("{}{}", mimir.namespace_prefix, area(&file)))
            .or_default()
            .push(group);
    }
    out
}

/// The tenant limits checked on the groups of each namespace; `at` places each finding at its
/// group.
pub fn limits(
    limits: &Limits,
    tenant: &str,
    namespaces: &BTreeMap<String, Vec<&Group>>,
    at: impl Fn(&Group, Diagnostic) -> Diagnostic,
    out: &mut Vec<Diagnostic>,
) {
    let mut total = 0;
    for (namespace, groups) in namespaces {
        for (i, group) in groups.iter().enumerate() {
            total += 1;
            if group.rules.len() > limits.rules_per_rule_group as usize {
                out.push(
                    Diagnostic::error(
                        codes::MIMIR_RULES_PER_GROUP,
                        format!(
                            "rule group {:?} has {} rules, more than tenant {tenant:?} accepts in a group ({})",
                            group.name,
                            group.rules.len(),
                            limits.rules_per_rule_group
                        ),
                    )
                    .place_at(group, &at)
                    .note("the ruler rejects the whole group (per-user rules per rule group limit exceeded): split it, or raise `ruler_max_rules_per_rule_group` and declare it with `Mimir::limits`"),
                );
            }
            if let Some(max) = limits.rule_groups_per_namespace {
                if i == max as usize {
                    out.push(
                        Diagnostic::error(
                            codes::MIMIR_GROUPS,
                            format!(
                                "namespace {namespace:?} has {} rule groups, more than tenant {tenant:?} accepts in a namespace ({max})",
                                groups.len()
                            ),
                        )
                        .place_at(group, &at)
                        .note(format!("rule group {:?} and those after it would be rejected", group.name)),
                    );
                }
            }
            if total == limits.rule_groups_per_tenant as usize + 1 {
                let count: usize = namespaces.values().map(Vec::len).sum();
                out.push(
                    Diagnostic::error(
                        codes::MIMIR_GROUPS,
                        format!(
                            "tenant {tenant:?} would have {count} rule groups, more than it accepts ({})",
                            limits.rule_groups_per_tenant
                        ),
                    )
                    .place_at(group, &at)
                    .note(format!("rule group {:?} and those after it would be rejected: merge groups, or raise `ruler_max_rule_groups_per_tenant` and declare it with `Mimir::limits`", group.name)),
                );
            }
        }
    }
}

trait PlaceAt {
    fn place_at(self, group: &Group, at: &dyn Fn(&Group, Diagnostic) -> Diagnostic) -> Diagnostic;
}

impl PlaceAt for Diagnostic {
    fn place_at(self, group: &Group, at: &dyn Fn(&Group, Diagnostic) -> Diagnostic) -> Diagnostic {
        at(group, self)
    }
}

fn errors(out: &[Diagnostic]) -> usize {
    out.iter().filter(|d| d.is_error()).count()
}

fn unknown_group(
    code: &'static str,
    what: &str,
    group: &str,
    names: &BTreeSet<&str>,
    origin: Origin,
) -> Diagnostic {
    let mut d = Diagnostic::error(
        code,
        format!("{what} for rule group {group:?}, which the spec does not have"),
    )
    .at(origin);
    if let Some(close) =
        crate::diagnostics::suggest::closest(group, names.iter().map(|n| n.to_string()))
    {
        d = d.note(format!("did you mean {close:?}?"));
    }
    d
}

fn tenant_error(tenant: &str, origin: Origin) -> Diagnostic {
    Diagnostic::error(
        codes::MIMIR_CONFIG,
        format!("invalid Mimir tenant ID {tenant:?}"),
    )
    .at(origin)
    .note("a tenant ID is at most 150 letters, digits and `!-_.*'()`, and neither `.` nor `..`")
}

/// A Mimir tenant ID.
pub fn is_tenant(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 150
        && s != "."
        && s != ".."
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "!-_.*'()".contains(c))
}

fn is_host_port(target: &str) -> bool {
    target.rsplit_once(':').is_some_and(|(host, port)| {
        !host.is_empty()
            && host.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '[' | ']' | ':')
            })
            && port.parse::<u16>().is_ok_and(|p| p > 0)
    })
}
