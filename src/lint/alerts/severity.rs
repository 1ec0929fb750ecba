use crate::lint::{lint, At, Context, Finding};
use crate::rules::ir::{Rule, RuleKind};
use crate::rules::AlertSeverity;

lint! {
    /// Finds alerts without a `severity` label, or with one outside `critical`, `warning`, `info`.
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
    /// Use one of `critical`, `warning`, `info`.
    pub static LINT = ("alerts/severity", Warning, crate::lint::Check::Rule(check));
}

fn check(_: &Context, rule: &Rule, out: &mut Vec<Finding>) {
    if rule.kind != RuleKind::Alert {
        return;
    }
    let allowed: Vec<&str> = AlertSeverity::ALL.iter().map(|s| s.as_str()).collect();
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
