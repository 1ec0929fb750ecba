use promql_parser::parser::Expr;

use crate::ir::Ir;
use crate::lint::{lint, At, Context, Finding, Target};
use crate::rules::ir::RuleKind;
use crate::syntax::promql::{tokens, TokenKind};

lint! {
    /// Finds alerts whose aggregations drop the external labels (or group by the replica label)
    /// on a ruler that sees every cluster's series.
    ///
    /// ## Why it matters
    /// On one Prometheus, no series carries the external labels (`cluster`): they are added when
    /// series leave it, so `sum by (job) (...)` is one cluster's sum. A ruler with a global view
    /// (Thanos Ruler through a Querier, a federated Mimir group) sees every cluster's series with
    /// their external labels: the same `sum by (job)` adds up every cluster, its threshold means
    /// something else with each cluster added, and the alert loses the `cluster` label AlertManager
    /// routes and groups on. The replica label is the opposite case: the global view deduplicates
    /// HA replicas and drops it, so grouping by it finds nothing to group.
    ///
    /// ## Example
    /// ```promql
    /// sum by (job) (rate(app_decisions_total{status="error"}[5m])) > 1
    /// ```
    ///
    /// ## Fix
    /// Keep the external labels in every aggregation an alert makes: `sum by (cluster, job)`, or
    /// `without (...)` clauses that do not name them; never group by the replica label.
    pub static LINT = ("global/aggregation-drops-label", Warning, crate::lint::Check::Spec(check));
}

fn check(cx: &Context, ir: &Ir, out: &mut Vec<(Target, Finding)>) {
    for (target, rule, ruler, global) in super::evaluated(cx, ir) {
        if !global || rule.kind != RuleKind::Alert {
            continue;
        }
        let external = &ruler.external_labels;
        for grouping in &rule.analysis.groupings {
            let dropped: Vec<&String> = if grouping.by {
                external
                    .iter()
                    .filter(|l| !grouping.labels.contains(l))
                    .collect()
            } else {
                external
                    .iter()
                    .filter(|l| grouping.labels.contains(l))
                    .collect()
            };
            let clause = if grouping.by { "by" } else { "without" };
            if !dropped.is_empty() {
                out.push((
                    target,
                    merged(
                        &ruler.name,
                        &grouping.op,
                        clause,
                        &dropped,
                        At::Expr(grouping.span.clone()),
                    ),
                ));
            }
            if let Some(replica) = &ruler.replica_label {
                if grouping.labels.contains(replica) && grouping.by {
                    out.push((
                        target,
                        Finding::new(
                            format!(
                                "`{} by` groups by the replica label `{replica}`, which {} deduplicates away",
                                grouping.op, ruler.name
                            ),
                            At::Expr(grouping.span.clone()),
                            "no series carries it on the global view",
                        )
                        .note(format!("drop `{replica}` from the grouping")),
                    ));
                }
            }
        }
        if external.is_empty() {
            continue;
        }
        // Aggregations without a clause keep no label at all.
        let mut bare = Vec::new();
        bare_aggregations(&rule.parsed, &mut bare);
        for op in bare {
            let at = op_span(&rule.expr, &op).map_or(At::Rule, At::Expr);
            let dropped: Vec<&String> = external.iter().collect();
            out.push((target, merged(&ruler.name, &op, "", &dropped, at)));
        }
    }
}

fn merged(ruler: &str, op: &str, clause: &str, dropped: &[&String], at: At) -> Finding {
    let names: Vec<String> = dropped.iter().map(|l| format!("`{l}`")).collect();
    let names = names.join(", ");
    let what = if clause.is_empty() {
        format!("`{op}` without a grouping")
    } else {
        format!("`{op} {clause}`")
    };
    Finding::new(
        format!("{what} drops {names}: one cluster's result on Prometheus, every cluster's together on {ruler}"),
        at,
        format!("aggregates {names} away"),
    )
    .note(format!(
        "keep {names} in the aggregation (`{op} by ({}, ...)`) so the alert stays per cluster",
        dropped.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
    ))
}

/// The operators of aggregations without `by` or `without`, in order.
fn bare_aggregations(expr: &Expr, out: &mut Vec<String>) {
    match expr {
        Expr::Aggregate(a) => {
            if a.modifier.is_none() {
                out.push(a.op.to_string());
            }
            if let Some(param) = &a.param {
                bare_aggregations(param, out);
            }
            bare_aggregations(&a.expr, out);
        }
        Expr::Unary(u) => bare_aggregations(&u.expr, out),
        Expr::Binary(b) => {
            bare_aggregations(&b.lhs, out);
            bare_aggregations(&b.rhs, out);
        }
        Expr::Paren(p) => bare_aggregations(&p.expr, out),
        Expr::Subquery(s) => bare_aggregations(&s.expr, out),
        Expr::Call(c) => c.args.args.iter().for_each(|a| bare_aggregations(a, out)),
        _ => {}
    }
}

/// The span of the first `op(` not followed by a grouping clause.
fn op_span(text: &str, op: &str) -> Option<std::ops::Range<usize>> {
    let toks = tokens(text);
    toks.iter().enumerate().find_map(|(i, t)| {
        let is_op = t.kind == TokenKind::Ident && text[t.range.clone()].eq_ignore_ascii_case(op);
        let opens = toks.get(i + 1).map(|n| n.kind) == Some(TokenKind::Open('('));
        (is_op && opens).then(|| t.range.clone())
    })
}
