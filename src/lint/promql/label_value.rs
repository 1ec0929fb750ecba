use sextant_catalog::Domain;

use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::Rule;

lint! {
    /// Finds equality matchers whose value is outside the label's closed domain.
    ///
    /// ## Why it matters
    /// The catalog lists every value a closed label takes (the names of a Rust enum). A matcher
    /// on another value, often a case slip such as `verdict="approve"`, selects nothing.
    ///
    /// ## Example
    /// ```promql
    /// app_decisions_total{verdict="approve"}
    /// ```
    ///
    /// ## Fix
    /// Use one of the domain's values (`verdict="APPROVE"`), or add the value to the enum.
    pub static LINT = ("promql/label-value", Error, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    for selector in &rule.analysis.selectors {
        let Some(name) = &selector.name else { continue };
        let Some(found) = super::lookup(cx.catalog, name) else {
            continue;
        };
        for ((label, op, value), span) in selector.matchers.iter().zip(&selector.matcher_spans) {
            if !matches!(*op, "=" | "!=") || value.is_empty() {
                continue;
            }
            let Some(def) = found.metric.label(label) else {
                continue;
            };
            if let Domain::Closed(values) = def.domain {
                if !values.contains(&value.as_str()) {
                    out.push(
                        Finding::new(
                            format!("`{label}` of `{name}` never has the value {value:?}"),
                            At::Expr(span.clone()),
                            "value outside the label's domain",
                        )
                        .note(format!("`{label}` takes: {}", values.join(", "))),
                    );
                }
            }
        }
    }
}
