//! Lints on expressions, checked against the metric catalog.

pub mod by_missing_label;
pub mod counter_without_rate;
pub mod histogram_quantile;
pub mod label_value;
pub mod nan_division;
pub mod range_too_short;
pub mod rate_non_counter;
pub mod unknown_label;
pub mod unknown_metric;

use promql_parser::parser::Expr;
use sextant_catalog::{Catalog, SeriesRef};

/// Series Prometheus writes itself, which no catalog lists.
pub const BUILTIN_SERIES: &[&str] = &["ALERTS", "ALERTS_FOR_STATE"];

/// Labels Prometheus attaches to every scraped series.
pub const TARGET_LABELS: &[&str] = &["job", "instance"];

/// The catalog family a selector's name refers to.
pub fn lookup(catalog: &Catalog, name: &str) -> Option<SeriesRef> {
    catalog.lookup(name)
}

/// A node met by [`visit`], with its index among the calls
/// ([`crate::syntax::promql::Analysis::calls`]) or groupings (`groupings`) when it is one.
pub struct Visit<'e> {
    pub expr: &'e Expr,
    pub call: Option<usize>,
    pub grouping: Option<usize>,
}

/// Walks `expr` in the order the analysis numbered calls and groupings, so a node can be matched
/// with its span.
pub fn visit<'e>(expr: &'e Expr, f: &mut dyn FnMut(Visit<'e>)) {
    let mut calls = 0;
    let mut groupings = 0;
    walk(expr, f, &mut calls, &mut groupings);
}

fn walk<'e>(
    expr: &'e Expr,
    f: &mut dyn FnMut(Visit<'e>),
    calls: &mut usize,
    groupings: &mut usize,
) {
    let mut node = Visit {
        expr,
        call: None,
        grouping: None,
    };
    match expr {
        Expr::Aggregate(a) => {
            if a.modifier.is_some() {
                node.grouping = Some(*groupings);
                *groupings += 1;
            }
            f(node);
            if let Some(param) = &a.param {
                walk(param, f, calls, groupings);
            }
            walk(&a.expr, f, calls, groupings);
        }
        Expr::Call(call) => {
            node.call = Some(*calls);
            *calls += 1;
            f(node);
            for arg in &call.args.args {
                walk(arg, f, calls, groupings);
            }
        }
        Expr::Unary(u) => {
            f(node);
            walk(&u.expr, f, calls, groupings);
        }
        Expr::Binary(b) => {
            f(node);
            walk(&b.lhs, f, calls, groupings);
            walk(&b.rhs, f, calls, groupings);
        }
        Expr::Paren(p) => {
            f(node);
            walk(&p.expr, f, calls, groupings);
        }
        Expr::Subquery(s) => {
            f(node);
            walk(&s.expr, f, calls, groupings);
        }
        _ => f(node),
    }
}

/// `expr` without the parentheses around it.
pub fn unparen(mut expr: &Expr) -> &Expr {
    while let Expr::Paren(p) = expr {
        expr = &p.expr;
    }
    expr
}

/// The names of the series `expr` reads.
pub fn series_names(expr: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    visit(expr, &mut |node| {
        let vs = match node.expr {
            Expr::VectorSelector(vs) => vs,
            Expr::MatrixSelector(ms) => &ms.vs,
            _ => return,
        };
        if let Some(name) = &vs.name {
            out.push(name.clone());
        }
    });
    out
}
