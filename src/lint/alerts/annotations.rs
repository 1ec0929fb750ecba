use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::{Rule, RuleKind};

lint! {
    /// Finds alerts without a `summary`, a `description` or a `runbook_url` annotation.
    ///
    /// ## Why it matters
    /// The person paged at night reads the notification, not the rule. A summary says what is
    /// wrong, the description how bad and where, the runbook what to do (the seed: "include
    /// runbook links").
    ///
    /// ## Example
    /// ```text
    /// Alert::warning("AppCriticHighFailureRate", expr).for_(mins(5))
    /// ```
    ///
    /// ## Fix
    /// ```text
    /// Alert::warning("AppCriticHighFailureRate", expr)
    ///     .summary("Critic {{ $labels.critic }} fails {{ $value | humanizePercentage }} of calls")
    ///     .description("...")
    ///     .runbook("https://runbooks.example.com/app/critic-failures")
    /// ```
    pub static LINT = ("alerts/annotations", Warning, crate::lint::Check::Rule(check));
}

fn check(_: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    if rule.kind != RuleKind::Alert {
        return;
    }
    let missing: Vec<&str> = ["summary", "description", "runbook_url"]
        .into_iter()
        .filter(|key| {
            rule.annotations
                .get(*key)
                .is_none_or(|v| v.trim().is_empty())
        })
        .collect();
    if !missing.is_empty() {
        out.push(Finding::new(
            format!("alert {} has no {}", rule.name, missing.join(", ")),
            At::Rule,
            "",
        ));
    }
}
