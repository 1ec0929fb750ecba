use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::{Rule, RuleKind};

lint! {
    /// Finds recording rule names that do not follow `level:metric:operations` (style: info).
    ///
    /// ## Why it matters
    /// Prometheus's naming convention tells a reader, from the name alone, what a recorded
    /// series aggregates (the level: the labels kept), from which metric, and with what
    /// operations, and it keeps recorded series apart from raw ones (which have no colon).
    ///
    /// ## Example
    /// ```yaml
    /// record: critic_failure_ratio
    /// ```
    ///
    /// ## Fix
    /// Name it `critic:app_critic_failures:ratio_rate5m`: three parts joined by colons, each
    /// non-empty, the last naming the operations (`rate5m`, `ratio`, `p99`).
    pub static LINT = ("rules/record-name", Info, crate::lint::Check::Rule(check));
}

fn check(_: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    // An info series (`x_info`, value 1, labels the payload: Sloth's `sloth_slo_info`) follows
    // Prometheus's naming of info metrics instead.
    if rule.kind != RuleKind::Record || (rule.name.ends_with("_info") && !rule.name.contains(':')) {
        return;
    }
    let parts: Vec<&str> = rule.name.split(':').collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        out.push(
            Finding::new(
                format!(
                    "recording rule name `{}` is not `level:metric:operations`",
                    rule.name
                ),
                At::Rule,
                "",
            )
            .note("for example `job:http_requests:rate5m`"),
        );
    }
}
