use promql_parser::parser::{Expr, Offset};

use crate::ir::Ir;
use crate::lint::{lint, At, Context, Finding, Target};
use crate::syntax::duration::Duration;

lint! {
    /// Finds range selectors a ruler cannot fill: shorter than its evaluation interval, or
    /// reaching data so old that only a downsampled copy is left, at a resolution the range
    /// cannot hold two samples of.
    ///
    /// ## Why it matters
    /// A Prometheus evaluates its rules every 15s on raw samples. A ruler evaluates every minute
    /// (Thanos's and Mimir's default): `rate(x[30s])` then ignores half of what happened between
    /// evaluations. Over long-term storage, data older than the raw retention exists only
    /// downsampled (Thanos: one sample per 5m, then per 1h): `rate(x[5m] offset 7d)` finds at most
    /// one sample in its window and returns nothing, so the alert never fires.
    ///
    /// The ruler's evaluation interval and what resolution is left from which age are the
    /// ruler's settings (`ThanosRuler::evaluation_interval`, `ThanosRuler::downsampling`).
    ///
    /// ## Example
    /// ```promql
    /// rate(app_decisions_total[5m] offset 7d)
    /// ```
    ///
    /// ## Fix
    /// Make the range at least the evaluation interval, and at least twice the resolution of the
    /// data it reaches: `rate(app_decisions_total[1h] offset 7d)` over 5m data.
    pub static LINT = ("global/downsampled-range", Warning, crate::lint::Check::Spec(check));
}

fn check(cx: &Context, ir: &Ir, out: &mut Vec<(Target, Finding)>) {
    for (target, rule, ruler, _) in super::evaluated(cx, ir) {
        let Target::Rule(g, _) = target else { continue };
        let interval = ir.groups[g].interval.unwrap_or(ruler.evaluation_interval);
        let mut reach = Vec::new();
        ages(&rule.parsed, 0, &mut reach);
        let ranged = rule
            .analysis
            .selectors
            .iter()
            .filter(|s| s.range_ms.is_some());
        for (selector, (range, age)) in ranged.zip(reach) {
            let at = At::Expr(selector.span.clone());
            if range < interval.as_millis() {
                out.push((
                    target,
                    Finding::new(
                        format!(
                            "range [{}] is shorter than {}'s evaluation interval ({interval})",
                            Duration::millis(range),
                            ruler.name
                        ),
                        at.clone(),
                        "misses what happens between evaluations",
                    )
                    .note(format!("use a range of at least {interval}")),
                ));
            }
            let resolution = ruler
                .downsampling
                .iter()
                .filter(|(from, _)| age > from.as_millis())
                .map(|(_, resolution)| *resolution)
                .max();
            if let Some(resolution) = resolution {
                if range < 2 * resolution.as_millis() {
                    out.push((
                        target,
                        Finding::new(
                            format!(
                                "range [{}] reaches data {} old, which {} only has at {resolution} resolution",
                                Duration::millis(range),
                                Duration::millis(age),
                                ruler.name
                            ),
                            at,
                            "holds fewer than two downsampled samples",
                        )
                        .note(format!(
                            "use a range of at least {} (two samples at {resolution})",
                            Duration::millis(2 * resolution.as_millis())
                        )),
                    ));
                }
            }
        }
    }
}

fn offset_ms(offset: &Option<Offset>) -> u64 {
    match offset {
        Some(Offset::Pos(d)) => d.as_millis() as u64,
        _ => 0,
    }
}

/// For each range selector, in the order the analysis lists selectors: its range and how far
/// back its window reaches (offsets and enclosing subqueries included).
fn ages(expr: &Expr, base: u64, out: &mut Vec<(u64, u64)>) {
    match expr {
        Expr::Aggregate(a) => {
            if let Some(param) = &a.param {
                ages(param, base, out);
            }
            ages(&a.expr, base, out);
        }
        Expr::Unary(u) => ages(&u.expr, base, out),
        Expr::Binary(b) => {
            ages(&b.lhs, base, out);
            ages(&b.rhs, base, out);
        }
        Expr::Paren(p) => ages(&p.expr, base, out),
        Expr::Subquery(s) => ages(
            &s.expr,
            base + offset_ms(&s.offset) + s.range.as_millis() as u64,
            out,
        ),
        Expr::MatrixSelector(ms) => {
            let range = ms.range.as_millis() as u64;
            out.push((range, base + offset_ms(&ms.vs.offset) + range));
        }
        Expr::Call(c) => c.args.args.iter().for_each(|a| ages(a, base, out)),
        _ => {}
    }
}
