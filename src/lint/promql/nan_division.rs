use promql_parser::parser::Expr;
use sextant_catalog::Kind;

use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;
use crate::syntax::promql::{tokens, TokenKind};

lint! {
    /// Finds divisions whose denominator can be zero, with no guard.
    ///
    /// ## Why it matters
    /// A ratio of rates is `NaN` (0/0) or `+Inf` whenever the denominator's traffic stops: at
    /// night, after a deploy, on a new instance. `NaN` compares false and `+Inf` compares
    /// true, so alerts on the ratio stay silent or fire for nothing, and recorded series and
    /// panels show gaps and spikes.
    ///
    /// The heuristic: a denominator can be zero when it reads a rate-like function (`rate`,
    /// `irate`, `increase`, `delta`, `idelta`, `deriv`, `changes`, `resets`), a gauge, a raw
    /// counter, or a recorded series whose expression does, through sums, averages, minimums,
    /// maximums and arithmetic. It is guarded by a filter `> c` (c >= 0), `>= c` or `!= 0`
    /// (c > 0), by `clamp_min(x, c)` or `clamp(x, c, _)` with c > 0, or when it is a non-zero
    /// number, `count`, `group`, `vector(c)` or `time()`.
    ///
    /// ## Example
    /// ```promql
    /// sum by (job) (rate(app_decisions_total{status!="success"}[5m]))
    /// /
    /// sum by (job) (rate(app_decisions_total[5m]))
    /// ```
    ///
    /// ## Fix
    /// Filter out the zero: `... / (sum by (job) (rate(app_decisions_total[5m])) > 0)` gives no
    /// ratio when there is no traffic, instead of a `NaN`.
    pub static LINT = ("promql/nan-division", Warning, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    let slashes: Vec<_> = tokens(&rule.expr)
        .into_iter()
        .filter(|t| t.kind == TokenKind::Operator && &rule.expr[t.range.clone()] == "/")
        .map(|t| t.range)
        .collect();
    let mut index = 0;
    in_order(&rule.parsed, &mut |b| {
        let span = slashes.get(index).cloned().unwrap_or(0..rule.expr.len());
        index += 1;
        if can_be_zero(cx, &b.rhs, 0) {
            out.push(
                Finding::new(
                    "division by a denominator that can be zero",
                    At::Expr(span),
                    "NaN or +Inf when the denominator is 0",
                )
                .note("guard the denominator: `/ (x > 0)` drops the ratio when there is nothing to divide by"),
            );
        }
    });
}

/// Calls `f` for each division, in the order their `/` stands in the text.
fn in_order(expr: &Expr, f: &mut dyn FnMut(&promql_parser::parser::BinaryExpr)) {
    match expr {
        Expr::Binary(b) => {
            in_order(&b.lhs, f);
            if b.op.to_string() == "/" {
                f(b);
            }
            in_order(&b.rhs, f);
        }
        Expr::Aggregate(a) => {
            if let Some(p) = &a.param {
                in_order(p, f);
            }
            in_order(&a.expr, f);
        }
        Expr::Call(c) => c.args.args.iter().for_each(|a| in_order(a, f)),
        Expr::Paren(p) => in_order(&p.expr, f),
        Expr::Unary(u) => in_order(&u.expr, f),
        Expr::Subquery(s) => in_order(&s.expr, f),
        _ => {}
    }
}

fn number(expr: &Expr) -> Option<f64> {
    match super::unparen(expr) {
        Expr::NumberLiteral(n) => Some(n.val),
        Expr::Unary(u) => number(&u.expr).map(|v| -v),
        _ => None,
    }
}

const RATE_LIKE: &[&str] = &[
    "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets",
];

/// Whether `expr` can evaluate to zero, by the heuristic in the docs.
fn can_be_zero(cx: &Context, expr: &Expr, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    let recurse = |e: &Expr| can_be_zero(cx, e, depth + 1);
    match expr {
        Expr::NumberLiteral(n) => n.val == 0.0,
        Expr::Paren(p) => recurse(&p.expr),
        Expr::Unary(u) => recurse(&u.expr),
        Expr::StringLiteral(_) | Expr::Extension(_) => false,
        Expr::Subquery(s) => recurse(&s.expr),
        Expr::Binary(b) => {
            let op = b.op.to_string().to_ascii_lowercase();
            let threshold = number(&b.rhs);
            if b.op.is_comparison_operator() && !b.return_bool() {
                let guarded = match (op.as_str(), threshold) {
                    (">", Some(c)) => c >= 0.0,
                    (">=", Some(c)) => c > 0.0,
                    ("!=", Some(c)) => c == 0.0,
                    _ => false,
                };
                return !guarded && recurse(&b.lhs);
            }
            match op.as_str() {
                "and" | "unless" => recurse(&b.lhs),
                "or" => recurse(&b.lhs) || recurse(&b.rhs),
                "+" if number(&b.rhs).is_some_and(|c| c > 0.0)
                    || number(&b.lhs).is_some_and(|c| c > 0.0) =>
                {
                    false
                }
                _ => recurse(&b.lhs) || recurse(&b.rhs),
            }
        }
        Expr::Aggregate(a) => {
            let op = a.op.to_string().to_ascii_lowercase();
            !matches!(op.as_str(), "count" | "group" | "count_values") && recurse(&a.expr)
        }
        Expr::Call(call) => {
            let name = call.func.name;
            let arg = |i: usize| call.args.args.get(i).map(|a| a.as_ref());
            match name {
                "clamp_min" | "clamp" => {
                    !arg(1).and_then(number).is_some_and(|c| c > 0.0) && arg(0).is_some_and(recurse)
                }
                "vector" => arg(0).and_then(number).is_some_and(|c| c == 0.0),
                "time" | "pi" => false,
                _ if RATE_LIKE.contains(&name) => true,
                _ if name.ends_with("_over_time") && name != "count_over_time" => {
                    arg(0).is_some_and(recurse)
                }
                _ => call.args.args.iter().any(|a| recurse(a)),
            }
        }
        Expr::VectorSelector(vs) => selector_can_be_zero(cx, vs.name.as_deref(), depth),
        Expr::MatrixSelector(ms) => selector_can_be_zero(cx, ms.vs.name.as_deref(), depth),
    }
}

fn selector_can_be_zero(cx: &Context, name: Option<&str>, depth: usize) -> bool {
    let Some(name) = name else { return false };
    if let Some(found) = super::lookup(cx.catalog, name) {
        return found.metric.kind == Kind::Gauge
            || found.metric.kind == Kind::Counter
            || found.suffix.is_some();
    }
    match cx.recorded.get(name) {
        Some(rule) => can_be_zero(cx, &rule.parsed, depth + 1),
        None => false,
    }
}
