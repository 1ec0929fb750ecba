//! The codes of the AlertManager checks: what `amtool check-config` (AlertManager 0.25) rejects,
//! found while lowering the DSL ([`super::lower`]) or reading an `alertmanager.yml`
//! ([`super::file`]), and the checks beyond it ([`super::lower`]'s routing checks,
//! [`super::checks`]).

use crate::diagnostics::registry::codes;

codes! {
    /// Finds a route or inhibit rule matching `severity="X"` where X is none of the severities
    /// the spec's alerts can carry (the default critical, warning, info, or the spec's own set).
    ///
    /// ## Why
    /// Alerts get their `severity` from the spec's constructors, so a route on another value
    /// never matches one of them: its receiver stays silent (a typo such as `critcal`), or an
    /// inhibit rule never mutes what it was written to mute. It rests on the spec's alerts being
    /// the ones this AlertManager receives, hence a warning.
    ///
    /// ## Example
    /// ```text
    /// Route::to("pager").matcher(Matcher::eq("severity", "critcal"))
    /// ```
    ///
    /// ## Fix
    /// Use `Matcher::severity(..)` with one of the spec's severities, or declare the severity
    /// with `Spec::severities([...])`.
    UNKNOWN_SEVERITY = ("alertmanager/unknown-severity", Warning);

    /// An AlertManager configuration that is not valid YAML.
    ///
    /// ## Why
    /// AlertManager refuses to load it (and keeps running the previous configuration, or does
    /// not start), and nothing else in it can be checked.
    ///
    /// ## Example
    /// ```yaml
    /// route: {receiver: team
    /// ```
    ///
    /// ## Fix
    /// Correct the YAML at the position shown.
    YAML = ("alertmanager/yaml", Error);

    /// A field AlertManager rejects: unknown or repeated, of the wrong type, a missing `route`,
    /// or a malformed value (a duration, a conflicting authorization).
    ///
    /// ## Why
    /// AlertManager refuses to load the whole configuration.
    ///
    /// ## Example
    /// ```yaml
    /// route:
    ///   receiver: team
    ///   group_wiat: 30s
    /// ```
    ///
    /// ## Fix
    /// Do what the message says: here, spell `group_wait`.
    FIELD = ("alertmanager/field", Error);

    /// A URL field that is not an absolute `http(s)` URL.
    ///
    /// ## Why
    /// AlertManager rejects a configuration whose URLs do not parse, or lack a scheme or host.
    ///
    /// ## Example
    /// ```yaml
    /// webhook_configs:
    ///   - url: hooks.example.com/alerts
    /// ```
    ///
    /// ## Fix
    /// Write the whole URL: `https://hooks.example.com/alerts`.
    URL = ("alertmanager/url", Error);

    /// A receiver without a name.
    ///
    /// ## Why
    /// AlertManager rejects it: routes refer to receivers by name.
    ///
    /// ## Example
    /// ```text
    /// Receiver::new("")
    /// ```
    ///
    /// ## Fix
    /// Name the receiver after who it notifies: `Receiver::new("app-oncall")`.
    RECEIVER = ("alertmanager/receiver", Error);

    /// Two receivers with the same name.
    ///
    /// ## Why
    /// AlertManager rejects the configuration: a route's receiver must name exactly one.
    ///
    /// ## Example
    /// ```text
    /// .receiver(Receiver::new("team")).receiver(Receiver::new("team"))
    /// ```
    ///
    /// ## Fix
    /// Rename one, or merge their integrations into one receiver.
    DUPLICATE_RECEIVER = ("alertmanager/duplicate-receiver", Error);

    /// A route whose receiver is not defined.
    ///
    /// ## Why
    /// AlertManager rejects the configuration: alerts reaching that route would have nowhere to
    /// go.
    ///
    /// ## Example
    /// ```text
    /// Route::to("app-pager")   // no Receiver::new("app-pager")
    /// ```
    ///
    /// ## Fix
    /// Define the receiver, or correct the name.
    UNDEFINED_RECEIVER = ("alertmanager/undefined-receiver", Error);

    /// A receiver no route sends to.
    ///
    /// ## Why
    /// AlertManager accepts it, but it never notifies: usually a route was renamed or removed
    /// and the receiver left behind. This rests on the receiver being meant for use; a warning.
    ///
    /// ## Example
    /// ```text
    /// .receiver(Receiver::new("old-team"))   // no route names "old-team"
    /// ```
    ///
    /// ## Fix
    /// Route to it, or remove it.
    UNUSED_RECEIVER = ("alertmanager/unused-receiver", Warning);

    /// A time interval without a name, or with a period AlertManager rejects (a bad time,
    /// weekday, day of month, month or year, or a range that ends before it starts).
    ///
    /// ## Why
    /// AlertManager refuses to load the configuration.
    ///
    /// ## Example
    /// ```yaml
    /// time_intervals:
    ///   - name: office-hours
    ///     time_intervals:
    ///       - weekdays: ['monday:fryday']
    /// ```
    ///
    /// ## Fix
    /// Correct the period as the message says (`monday:friday`).
    TIME_INTERVAL = ("alertmanager/time-interval", Error);

    /// Two time intervals with the same name.
    ///
    /// ## Why
    /// AlertManager rejects the configuration: routes refer to time intervals by name.
    ///
    /// ## Example
    /// ```text
    /// .time_interval(TimeInterval::new("nights")) twice
    /// ```
    ///
    /// ## Fix
    /// Rename one, or merge their periods.
    DUPLICATE_TIME_INTERVAL = ("alertmanager/duplicate-time-interval", Error);

    /// A route that mutes or activates on a time interval that is not defined.
    ///
    /// ## Why
    /// AlertManager rejects the configuration.
    ///
    /// ## Example
    /// ```text
    /// Route::to("team").mute_during("weekends")   // no TimeInterval "weekends"
    /// ```
    ///
    /// ## Fix
    /// Define the time interval, or correct the name.
    UNDEFINED_TIME_INTERVAL = ("alertmanager/undefined-time-interval", Error);

    /// A time interval no route uses.
    ///
    /// ## Why
    /// AlertManager accepts it, but it mutes nothing: usually the route that used it was
    /// changed. This rests on the interval being meant for use; a warning.
    ///
    /// ## Example
    /// ```text
    /// .time_interval(TimeInterval::new("holidays"))   // no route mutes during it
    /// ```
    ///
    /// ## Fix
    /// Use it on a route (`mute_during`, `active_during`), or remove it.
    UNUSED_TIME_INTERVAL = ("alertmanager/unused-time-interval", Warning);

    /// A notification template that does not parse, is defined twice, has an invalid name, or
    /// calls a template that is not defined; or a template file that does not parse.
    ///
    /// ## Why
    /// AlertManager rejects a template file that does not parse; a field that calls an undefined
    /// template fails at notification time, so the notification is never sent.
    ///
    /// ## Example
    /// ```text
    /// Slack::new("#app").text("{{ template \"app.slack.txt\" . }}")   // never defined
    /// ```
    ///
    /// ## Fix
    /// Define the template (`Template::new("app.slack.txt", ...)`), or correct its name.
    TEMPLATE = ("alertmanager/template", Error);

    /// A `templates:` glob that matches no file.
    ///
    /// ## Why
    /// AlertManager resolves the glob against the configuration's folder and silently loads
    /// nothing: a receiver field calling one of the templates fails when it notifies. This rests
    /// on the glob being read from the folder `lint` sees; a warning.
    ///
    /// ## Example
    /// ```yaml
    /// templates:
    ///   - templates/*.tmpl   # the folder is `template/`
    /// ```
    ///
    /// ## Fix
    /// Correct the glob, or add the template files beside the configuration.
    TEMPLATE_GLOB = ("alertmanager/template-glob", Warning);

    /// An email integration without the SMTP settings it needs: no smarthost or from address
    /// (neither global nor its own), a smarthost that is not `host:port`, a from address that is
    /// not an address, or an empty auth username.
    ///
    /// ## Why
    /// AlertManager rejects the configuration, or cannot send any email.
    ///
    /// ## Example
    /// ```yaml
    /// global:
    ///   smtp_smarthost: smtp.example.com
    /// ```
    ///
    /// ## Fix
    /// Give the port (`smtp.example.com:587`) and a from address.
    SMTP = ("alertmanager/smtp", Error);

    /// An email integration without a `to` address, with a `to` that is not an address, or with
    /// a header set twice.
    ///
    /// ## Why
    /// AlertManager rejects the configuration, or fails on every notification.
    ///
    /// ## Example
    /// ```text
    /// Email::to("app-team")
    /// ```
    ///
    /// ## Fix
    /// Send to an address: `Email::to("app-team@example.com")`.
    EMAIL = ("alertmanager/email", Error);

    /// A webhook integration without a URL, or with one that is not an `http(s)` URL.
    ///
    /// ## Why
    /// AlertManager rejects the configuration.
    ///
    /// ## Example
    /// ```yaml
    /// webhook_configs:
    ///   - send_resolved: true
    /// ```
    ///
    /// ## Fix
    /// Set `url` (or `url_file`).
    WEBHOOK = ("alertmanager/webhook", Error);

    /// A Slack integration with no API URL, neither its own nor a global one.
    ///
    /// ## Why
    /// AlertManager rejects the configuration: it would not know where to post.
    ///
    /// ## Example
    /// ```yaml
    /// receivers:
    ///   - name: team
    ///     slack_configs:
    ///       - channel: '#app'
    /// ```
    ///
    /// ## Fix
    /// Set `api_url_file` on the integration, or `slack_api_url_file` in `global`.
    SLACK = ("alertmanager/slack", Error);

    /// A PagerDuty integration with neither a service key nor a routing key.
    ///
    /// ## Why
    /// AlertManager rejects the configuration.
    ///
    /// ## Example
    /// ```yaml
    /// pagerduty_configs:
    ///   - send_resolved: true
    /// ```
    ///
    /// ## Fix
    /// Set `routing_key_file` (Events API v2) or `service_key_file`.
    PAGERDUTY = ("alertmanager/pagerduty", Error);

    /// An OpsGenie, VictorOps, Pushover, WeChat, SNS, Telegram, Webex or Discord integration
    /// without a field it needs (its own or a global default), or with a value outside the
    /// set AlertManager allows (an OpsGenie responder's type, a WeChat message type, a
    /// Telegram parse mode, a VictorOps custom field that overrides a fixed one).
    ///
    /// ## Why
    /// AlertManager rejects the configuration.
    ///
    /// ## Example
    /// ```yaml
    /// receivers:
    ///   - name: team
    ///     opsgenie_configs:
    ///       - responders: [{name: team-x, type: team}]   # no api_key, no global one
    /// ```
    ///
    /// ## Fix
    /// Set what the message names: here `api_key_file` on the integration, or
    /// `opsgenie_api_key_file` in `global`.
    INTEGRATION = ("alertmanager/integration", Error);

    /// A secret set both inline and by file, or a secret file with an empty path.
    ///
    /// ## Why
    /// AlertManager rejects a secret given both ways, and cannot read a file without a path.
    ///
    /// ## Example
    /// ```yaml
    /// global:
    ///   slack_api_url: https://hooks.slack.com/...
    ///   slack_api_url_file: /etc/alertmanager/slack
    /// ```
    ///
    /// ## Fix
    /// Keep the `_file` form only.
    SECRET_FILE = ("alertmanager/secret-file", Error);

    /// A secret written inline in the configuration.
    ///
    /// ## Why
    /// AlertManager accepts it, but the secret then sits in the repository and in every copy of
    /// the configuration; a spec can only name secret files. A warning: the file works.
    ///
    /// ## Example
    /// ```yaml
    /// global:
    ///   smtp_auth_password: hunter2
    /// ```
    ///
    /// ## Fix
    /// Write the secret to a file only AlertManager can read and set the `_file` form
    /// (`smtp_auth_password_file`) to its path.
    INLINE_SECRET = ("alertmanager/inline-secret", Warning);

    /// A deprecated field: `match`, `match_re`, `source_match*`, `target_match*`, or the
    /// top-level `mute_time_intervals`.
    ///
    /// ## Why
    /// AlertManager 0.25 still accepts them, but they are deprecated and a spec cannot write
    /// them; migrating keeps the configuration loadable by later versions. A warning.
    ///
    /// ## Example
    /// ```yaml
    /// routes:
    ///   - receiver: pager
    ///     match: {severity: critical}
    /// ```
    ///
    /// ## Fix
    /// Use `matchers: ['severity="critical"']` (and `source_matchers`, `target_matchers`,
    /// `time_intervals`).
    DEPRECATED = ("alertmanager/deprecated", Warning);

    /// A root route with matchers, without a default receiver, or with `continue` or mute or
    /// active time intervals, which only child routes may have.
    ///
    /// ## Why
    /// AlertManager rejects it: the root route receives every alert, so it must have a receiver
    /// and no matchers.
    ///
    /// ## Example
    /// ```text
    /// Route::to("team").matcher(Matcher::eq("severity", "critical"))   // as the root
    /// ```
    ///
    /// ## Fix
    /// Move the matchers to a child route; give the root a catch-all receiver.
    ROOT_ROUTE = ("alertmanager/root-route", Error);

    /// A `group_by` that mixes `...` with labels, or repeats a label.
    ///
    /// ## Why
    /// AlertManager rejects the configuration.
    ///
    /// ## Example
    /// ```text
    /// Route::to("team").group_by(["...", "alertname"])
    /// ```
    ///
    /// ## Fix
    /// Group by `...` alone (every label) or by a list of distinct labels.
    GROUP_BY = ("alertmanager/group-by", Error);

    /// A `group_interval` or `repeat_interval` of zero.
    ///
    /// ## Why
    /// AlertManager rejects the configuration: it would notify in a busy loop.
    ///
    /// ## Example
    /// ```text
    /// Route::to("team").group_interval(secs(0))
    /// ```
    ///
    /// ## Fix
    /// Leave it unset to inherit the parent route's value.
    INTERVAL = ("alertmanager/interval", Error);

    /// A `repeat_interval` shorter than the `group_interval`.
    ///
    /// ## Why
    /// AlertManager only sends at group intervals, so a notification repeats at the next group
    /// interval after `repeat_interval`: the repeat interval set is not the one you get. A
    /// warning: it works, just not as written.
    ///
    /// ## Example
    /// ```text
    /// Route::to("team").group_interval(mins(10)).repeat_interval(mins(5))
    /// ```
    ///
    /// ## Fix
    /// Make `repeat_interval` a multiple of `group_interval` (hours, for most teams).
    REPEAT_INTERVAL = ("alertmanager/repeat-interval", Warning);

    /// An invalid label name in `group_by`, an inhibit rule's `equal`, or a matcher.
    ///
    /// ## Why
    /// AlertManager rejects the configuration.
    ///
    /// ## Example
    /// ```text
    /// Route::to("team").group_by(["alert-name"])
    /// ```
    ///
    /// ## Fix
    /// Use the label's real name (`alertname`); a label name matches `[a-zA-Z_][a-zA-Z0-9_]*`.
    LABEL_NAME = ("alertmanager/label-name", Error);

    /// A matcher that does not parse, or whose regular expression is invalid.
    ///
    /// ## Why
    /// AlertManager rejects the configuration.
    ///
    /// ## Example
    /// ```yaml
    /// matchers: ['severity=~"(critical"']
    /// ```
    ///
    /// ## Fix
    /// Correct the matcher (`severity=~"critical|warning"`).
    MATCHER = ("alertmanager/matcher", Error);

    /// A route that can never match: an earlier sibling without `continue` matches every alert
    /// it matches, or its matchers contradict an enclosing route's.
    ///
    /// ## Why
    /// AlertManager accepts it, but the route never receives an alert: its receiver is never
    /// notified through it. A warning, since the spec may keep it on purpose for later.
    ///
    /// ## Example
    /// ```text
    /// Route::to("all").routes([Route::to("pager").matcher(Matcher::eq("severity", "critical"))])
    ///     // under a route matching severity="warning"
    /// ```
    ///
    /// ## Fix
    /// Reorder the siblings (most specific first), add `continue`, or remove the route.
    UNREACHABLE_ROUTE = ("alertmanager/unreachable-route", Warning);

    /// An alert no route matches, so it reaches only the root's default receiver.
    ///
    /// ## Why
    /// The catch-all is usually a low-priority channel: an alert that reaches only it is likely
    /// missing a label the routes match on (`severity`, `component`). This rests on the alerts'
    /// labels as the rules and Prometheus's external labels give them; a warning.
    ///
    /// ## Example
    /// ```text
    /// Alert::critical("AppDown", "up == 0")   // routes match component=~"critic|pipeline"
    /// ```
    ///
    /// ## Fix
    /// Add the label the routes expect, or a route for the alert.
    UNROUTED_ALERT = ("alertmanager/unrouted-alert", Warning);

    /// An inhibit rule that matches on, or requires `equal`, a label no alert carries.
    ///
    /// ## Why
    /// The rule never inhibits anything: its source or target matcher never matches, or `equal`
    /// compares a label both sides lack. This rests on the alerts the rules define and
    /// Prometheus's external labels; a warning.
    ///
    /// ## Example
    /// ```text
    /// InhibitRule::new().equal(["critic_name"])   // alerts carry `critic`
    /// ```
    ///
    /// ## Fix
    /// Use a label the alerts carry, or add it to the alerts.
    INHIBIT_LABEL = ("alertmanager/inhibit-label", Warning);
}
