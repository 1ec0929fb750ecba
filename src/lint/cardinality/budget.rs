use crate::ir::Ir;
use crate::lint::{lint, At, Context, Finding, Target};

lint! {
    /// Finds metrics whose estimated series count exceeds their budget, and a catalog whose
    /// total exceeds the total budget.
    ///
    /// ## Why it matters
    /// Prometheus's memory, disk and query time grow with the number of series. The catalog
    /// bounds every label, so the most series a metric can have is known before the first
    /// scrape: the product of its label domains, times the buckets for a histogram. A budget
    /// makes the cost a reviewed decision; adding a label or a bucket that breaks it fails CI.
    ///
    /// Budgets are per scrape target and set in the spec:
    /// `LintConfig::default().budget(&app::DECISIONS_TOTAL, 20).total_budget(2_000)`. The total
    /// counts every catalog metric and every recorded series.
    ///
    /// ## Example
    /// ```text
    /// budget(&app::CRITIC_DURATION_SECONDS, 100)   // 17 critics x 14 series = 238
    /// ```
    ///
    /// ## Fix
    /// Drop a label or a bucket, lower a registered domain's cap, or raise the budget knowingly.
    pub static LINT = ("cardinality/budget", Error, crate::lint::Check::Spec(check));
}

fn check(cx: &Context, ir: &Ir, out: &mut Vec<(Target, Finding)>) {
    let budgets = &cx.config.budgets;
    for (name, budget) in &budgets.per_metric {
        if cx.recorded.contains_key(name.as_str()) {
            continue; // recorded series: cardinality/recorded-series
        }
        let Some(metric) = cx.catalog.get(name) else {
            out.push((
                Target::Catalog,
                Finding::new(
                    format!("a budget is set for `{name}`, which is neither in the catalog nor recorded"),
                    At::Rule,
                    "",
                ),
            ));
            continue;
        };
        let estimate = metric.max_series();
        if estimate > *budget {
            let domains: Vec<String> = metric
                .labels
                .iter()
                .map(|l| format!("{} ({})", l.name, l.domain.max_values()))
                .collect();
            let mut finding = Finding::new(
                format!(
                    "`{name}` can have {estimate} series per target, over its budget of {budget}"
                ),
                At::Rule,
                "",
            );
            if !domains.is_empty() {
                finding = finding.note(format!("labels: {}", domains.join(" x ")));
            }
            if !metric.buckets.is_empty() {
                finding = finding.note(format!(
                    "times {} series per histogram: {} buckets, +Inf, _sum, _count",
                    metric.buckets.len() + 3,
                    metric.buckets.len()
                ));
            }
            out.push((Target::Catalog, finding));
        }
    }
    let Some(total_budget) = budgets.total else {
        return;
    };
    let mut parts: Vec<(u64, String)> = cx
        .catalog
        .metrics
        .iter()
        .map(|m| (m.max_series(), m.name.to_string()))
        .collect();
    for group in &ir.groups {
        for rule in &group.rules {
            if rule.kind == crate::rules::ir::RuleKind::Record {
                if let Some(n) = super::recorded_estimate(cx, rule) {
                    parts.push((n, rule.name.clone()));
                }
            }
        }
    }
    let total: u64 = parts.iter().map(|(n, _)| n).sum();
    if total > total_budget {
        parts.sort_by(|a, b| b.cmp(a));
        let top: Vec<String> = parts
            .iter()
            .take(5)
            .map(|(n, name)| format!("{name} ({n})"))
            .collect();
        out.push((
            Target::Catalog,
            Finding::new(
                format!("the catalog and recorded series can have {total} series per target, over the total budget of {total_budget}"),
                At::Rule,
                "",
            )
            .note(format!("the largest: {}", top.join(", "))),
        ));
    }
}
