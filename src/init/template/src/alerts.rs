//! Alerts on symptoms users feel. Each has a `for`, a summary, a description and a runbook.

use sextant::prelude::*;

pub fn groups() -> Vec<RuleGroup> {
    vec![RuleGroup::new("@service@-alerts").rule(
        Alert::warning(
            "@alert_prefix@HighErrorRate",
            "job:@namespace@_http_errors:ratio_rate5m > 0.05",
        )
        .for_(mins(10))
        .label("component", "http")
        .summary("More than 5% of @service@'s requests fail")
        .description("{{ $value | humanizePercentage }} of the requests of {{ $labels.job }} answered 5xx over the last 5 minutes.")
        .annotation("runbook_url", "https://runbooks.example.com/@service@/high-error-rate"),
    )]
}
