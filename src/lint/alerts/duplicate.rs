use std::collections::BTreeMap;

use crate::ir::Ir;
use crate::lint::{lint, At, Context, Finding, Target};
use crate::rules::ir::RuleKind;

lint! {
    /// Finds alerts declared twice with the same name and labels.
    ///
    /// ## Why it matters
    /// Two alerts with the same name and labels produce the same alert identity: AlertManager
    /// sees one alert flapping between two conditions, and silencing one silences both.
    /// Usually a copy-paste left behind (`promtool check rules` reports the same).
    ///
    /// ## Example
    /// ```yaml
    /// - alert: AppTargetDown
    ///   expr: up{job="app"} == 0
    /// - alert: AppTargetDown
    ///   expr: up{job="app"} < 1
    /// ```
    ///
    /// ## Fix
    /// Delete the copy, or tell them apart with a label (`severity: warning` for a lower
    /// threshold, `severity: critical` for a higher one).
    pub static LINT = ("alerts/duplicate", Warning, crate::lint::Check::Spec(check));
}

fn check(_: &Context, ir: &Ir, out: &mut Vec<(Target, Finding)>) {
    let mut seen: BTreeMap<(&str, &BTreeMap<String, String>), &str> = BTreeMap::new();
    for (g, group) in ir.groups.iter().enumerate() {
        for (r, rule) in group.rules.iter().enumerate() {
            if rule.kind != RuleKind::Alert {
                continue;
            }
            if let Some(first) = seen.insert((&rule.name, &rule.labels), &group.name) {
                out.push((
                    Target::Rule(g, r),
                    Finding::new(
                        format!("alert {} with the same labels is declared twice", rule.name),
                        At::Rule,
                        "",
                    )
                    .note(format!("the other is in group {first:?}")),
                ));
            }
        }
    }
}
