use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::{Rule, RuleKind};

lint! {
    /// Finds alerts without a `severity` label, or with one outside the spec's severities
    /// (`critical`, `warning`, `info` unless the spec declares its own with `Spec::severities`).
    ///
    /// ## Why it matters
    /// AlertManager routes on `severity`: critical pages, warning opens a ticket, info goes to a
    /// channel. A missing or misspelt value (`Critical`, `page`) falls through to the default
    /// route, so a page may reach nobody. The spec's DSL makes this impossible (the severity is
    /// the constructor); rule files written by hand are checked here.
    ///
    /// ## Example
    /// ```yaml
    /// labels:
    ///   severity: page
    /// ```
    ///
    /// ## Fix
    /// Use one of `critical`, `warning`, `info`, or declare the severities you route on:
    /// `Spec::new(CATALOG).severities(["pageteam", "slack"])`.
    pub static LINT = ("alerts/severity", Warning, crate::lint::Check::Rule(check));
}

fn check(cx: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    if rule.kind != RuleKind::Alert {
        return;
    }
    let severities = cx.config.allowed_severities();
    let allowed: Vec<&str> = severities.iter().map(|s| s.as_str()).collect();
    match rule.labels.get("severity") {
        None => out.push(
            Finding::new(format!("alert {} has no `severity` label", rule.name), At::Rule, "")
                .note(format!("set `severity` to one of: {}", allowed.join(", "))),
        ),
        Some(value) if !allowed.contains(&value.as_str()) => out.push(
            Finding::new(
                format!("alert {} has severity {value:?}, not one of {}", rule.name, allowed.join(", ")),
                At::Label("severity".into(), 0..value.len()),
                "unknown severity",
            )
            .note("AlertManager routes on `severity`: an unknown value falls through to the default route"),
        ),
        Some(_) => {}
    }
}
