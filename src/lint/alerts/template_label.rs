use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::{Rule, RuleKind};
use crate::syntax::gotmpl;

lint! {
    /// Finds alert templates reading a label (`{{ $labels.critic }}`) the expression's result
    /// does not carry, often because an aggregation dropped it.
    ///
    /// ## Why it matters
    /// `$labels` holds the labels of the series the expression returns, and nothing else (not
    /// even the rule's own `labels`). After `sum by (job)`, `{{ $labels.critic }}` expands to
    /// an empty string: the notification says "Critic  fails 12% of its calls".
    ///
    /// The labels are inferred from the catalog and the recording rules; where they cannot be
    /// known the lint stays silent.
    ///
    /// ## Example
    /// ```text
    /// expr: sum by (job) (rate(app_critic_failures_total[5m])) > 1
    /// summary: Critic {{ $labels.critic }} is failing
    /// ```
    ///
    /// ## Fix
    /// Keep the label in the aggregation (`sum by (job, critic)`), or stop reading it.
    pub static LINT = ("alerts/template-label", Error, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    if rule.kind != RuleKind::Alert {
        return;
    }
    let Some(available) = cx.output_labels(&rule.parsed) else {
        return;
    };
    let fields = rule
        .annotations
        .iter()
        .map(|(k, v)| (false, k, v))
        .chain(rule.labels.iter().map(|(k, v)| (true, k, v)));
    for (is_label, key, value) in fields {
        let Ok(uses) = gotmpl::check(value) else {
            continue;
        };
        for (label, range) in uses.labels {
            if available.contains(&label) {
                continue;
            }
            let field = if is_label { "label" } else { "annotation" };
            let at = if is_label {
                At::Label(key.clone(), range)
            } else {
                At::Annotation(key.clone(), range)
            };
            let have: Vec<&str> = available.names.iter().map(String::as_str).collect();
            let mut finding = Finding::new(
                    format!(
                        "{field} `{key}` of alert {} reads `$labels.{label}`, which the expression does not return",
                        rule.name
                    ),
                    at,
                    "expands to an empty string",
                )
                .note(if have.is_empty() {
                    "the expression's result has no labels".to_string()
                } else {
                    format!("the expression's result has: {}", have.join(", "))
                });
            if available.open {
                finding = finding.rests_on(crate::lint::labels::OPEN_TARGETS);
            }
            out.push(finding);
        }
    }
}
