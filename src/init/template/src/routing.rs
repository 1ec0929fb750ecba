//! Where alerts go. Critical alerts page; warnings go to the team's webhook, as does whatever no
//! route matches. Secrets
//! are files AlertManager reads at start-up, never values in the spec.

use sextant::prelude::alerting::*;
use sextant::prelude::*;

pub const TEAM: &str = "@service@-team";
pub const PAGER: &str = "@service@-pager";

pub fn alertmanager() -> AlertManager {
    AlertManager::new(
        Route::to(TEAM)
            .group_by(["alertname", "severity"])
            .group_wait(secs(30))
            .group_interval(mins(5))
            .repeat_interval(hours(4))
            .route(Route::to(PAGER).matcher(Matcher::severity(AlertSeverity::Critical)))
            .route(Route::to(TEAM).matcher(Matcher::severity(AlertSeverity::Warning))),
    )
    .receiver(Receiver::new(TEAM).webhook(Webhook::new("http://alert-log.example.com/@service@")))
    .receiver(Receiver::new(PAGER).pagerduty(PagerDuty::routing_key(SecretFile::at(
        "/etc/alertmanager/secrets/pagerduty-routing-key",
    ))))
    .inhibit(
        InhibitRule::new()
            .source(Matcher::severity(AlertSeverity::Critical))
            .target(Matcher::severity(AlertSeverity::Warning))
            .equal(["alertname"]),
    )
}
