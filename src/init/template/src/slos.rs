//! Service level objectives: each becomes a rule group (SLI and burn-rate alerts at page and
//! ticket level) and promtool tests proving the alerts fire at their designed burn rates.

use sextant::prelude::*;

use crate::catalog::{CODE, REQUESTS_TOTAL};

pub fn slos() -> Vec<Slo> {
    vec![Slo::new("availability", "@service@")
        .description("Requests are answered without a server error.")
        .objective(99.9)
        .window(days(30))
        .sli(Sli::error_ratio(
            select(&REQUESTS_TOTAL).eq(&CODE, "5xx"),
            select(&REQUESTS_TOTAL),
        ))
        .alert_prefix("@alert_prefix@Availability")
        .runbook("https://runbooks.example.com/@service@/availability")]
}
