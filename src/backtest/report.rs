//! What a backtest found, and its renderings: human text, Markdown for a pull-request
//! comment, and JSON. Times are UTC; durations are Prometheus durations (`1h5m`).

use std::fmt::Write;

use serde_json::{json, Value};

use super::query::Labels;
use super::state::Firing;
use super::AlertRule;
use crate::syntax::duration::Duration;

/// The replay of every alert asked about, over one window.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The window (ms since the Unix epoch).
    pub start: i64,
    pub end: i64,
    pub since: Duration,
    /// Whether the alerts are compared with a base (a change's before and after), or only the
    /// current rules are replayed (`--alert NAME`): the renderings say "now" then.
    pub compared: bool,
    pub alerts: Vec<AlertReport>,
}

/// One alert: its rule's replay before the change and after (`None`: no such rule on that side).
#[derive(Clone, Debug, PartialEq)]
pub struct AlertReport {
    pub name: String,
    pub before: Option<Outcome>,
    pub after: Option<Outcome>,
}

/// One rule's replay.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub rule: AlertRule,
    /// How many evaluations the window held.
    pub evaluations: usize,
    /// The last evaluation's time: a firing still on then is counted up to it.
    pub last_evaluation: i64,
    /// The label sets that fired, sorted by labels, with their firing intervals in time order.
    pub series: Vec<SeriesFirings>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SeriesFirings {
    pub labels: Labels,
    pub firings: Vec<Firing>,
}

impl Outcome {
    /// How many times the alert fired, all label sets together.
    pub fn count(&self) -> usize {
        self.series.iter().map(|s| s.firings.len()).sum()
    }

    /// How long it fired, all label sets together.
    pub fn total(&self) -> Duration {
        Duration::millis(
            self.series
                .iter()
                .flat_map(|s| &s.firings)
                .map(|f| self.length(f))
                .sum(),
        )
    }

    /// How long one firing lasted (up to the last evaluation when still firing).
    pub fn length(&self, firing: &Firing) -> u64 {
        (firing.end.unwrap_or(self.last_evaluation) - firing.start).max(0) as u64
    }
}

impl Report {
    /// Plain text for a terminal.
    pub fn human(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "backtest over {} .. {} ({})",
            time(self.start),
            time(self.end),
            self.since
        );
        for alert in &self.alerts {
            let _ = writeln!(out, "\nalert {}", alert.name);
            for (side, outcome) in sides(self.compared, alert) {
                let Some(outcome) = outcome else {
                    let _ = writeln!(out, "  {side}: absent");
                    continue;
                };
                let _ = writeln!(
                    out,
                    "  {side}: {} (group {}, every {}, for {}, keep_firing_for {}, {} evaluations)",
                    outcome.rule.expr,
                    outcome.rule.group,
                    outcome.rule.interval,
                    outcome.rule.for_,
                    outcome.rule.keep_firing_for,
                    outcome.evaluations
                );
                let _ = writeln!(out, "    {}", summary(outcome));
                for series in &outcome.series {
                    for firing in &series.firings {
                        let _ = writeln!(
                            out,
                            "    {} {}",
                            labels(&series.labels),
                            interval(outcome, firing)
                        );
                    }
                }
            }
            if let Some(change) = change(alert) {
                let _ = writeln!(out, "  change: {change}");
            }
        }
        out
    }

    /// Markdown for a pull-request comment: one table row per alert and side, the intervals
    /// in a collapsed list.
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "### Backtest: {} .. {} ({})\n",
            time(self.start),
            time(self.end),
            self.since
        );
        let _ = writeln!(
            out,
            "| Alert | | Expression | for | keep_firing_for | Every | Fired | Firing for |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---:|---:|");
        for alert in &self.alerts {
            for (side, outcome) in sides(self.compared, alert) {
                match outcome {
                    None => {
                        let _ = writeln!(out, "| `{}` | {side} | absent | | | | | |", alert.name);
                    }
                    Some(o) => {
                        let _ = writeln!(
                            out,
                            "| `{}` | {side} | `{}` | {} | {} | {} | {} | {} |",
                            alert.name,
                            o.rule.expr.replace('|', "\\|"),
                            o.rule.for_,
                            o.rule.keep_firing_for,
                            o.rule.interval,
                            o.count(),
                            o.total()
                        );
                    }
                }
            }
        }
        for alert in &self.alerts {
            for (side, outcome) in sides(self.compared, alert) {
                let Some(outcome) = outcome.filter(|o| o.count() > 0) else {
                    continue;
                };
                let _ = writeln!(
                    out,
                    "\n<details><summary><code>{}</code> {side}: {}</summary>\n",
                    alert.name,
                    summary(outcome)
                );
                for series in &outcome.series {
                    for firing in &series.firings {
                        let _ = writeln!(
                            out,
                            "- `{}` {}",
                            labels(&series.labels),
                            interval(outcome, firing)
                        );
                    }
                }
                let _ = writeln!(out, "\n</details>");
            }
        }
        out
    }

    /// JSON: times in RFC 3339 and in milliseconds, durations in seconds and in Prometheus's
    /// notation; keys sorted.
    pub fn json(&self) -> String {
        let outcome = |o: &Outcome| {
            json!({
                "group": o.rule.group,
                "expr": o.rule.expr,
                "for": o.rule.for_.to_string(),
                "keep_firing_for": o.rule.keep_firing_for.to_string(),
                "interval": o.rule.interval.to_string(),
                "evaluations": o.evaluations,
                "fired": o.count(),
                "firing_seconds": o.total().as_secs_f64(),
                "series": o.series.iter().map(|s| json!({
                    "labels": s.labels,
                    "firings": s.firings.iter().map(|f| json!({
                        "start": time(f.start),
                        "start_ms": f.start,
                        "end": f.end.map(time),
                        "end_ms": f.end,
                        "seconds": o.length(f) as f64 / 1000.0,
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        };
        let value = json!({
            "start": time(self.start),
            "end": time(self.end),
            "since": self.since.to_string(),
            "compared": self.compared,
            "alerts": self.alerts.iter().map(|a| json!({
                "name": a.name,
                "before": a.before.as_ref().map(outcome),
                "after": a.after.as_ref().map(outcome),
            })).collect::<Vec<Value>>(),
        });
        let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
        text.push('\n');
        text
    }
}

fn sides(compared: bool, alert: &AlertReport) -> Vec<(&'static str, Option<&Outcome>)> {
    if compared {
        vec![
            ("before", alert.before.as_ref()),
            ("after", alert.after.as_ref()),
        ]
    } else {
        vec![("now", alert.after.as_ref())]
    }
}

fn summary(outcome: &Outcome) -> String {
    let count = outcome.count();
    let label_sets = outcome.series.len();
    match count {
        0 => "never fired".to_string(),
        _ => format!(
            "fired {count} time{} on {label_sets} label set{}, {} in all",
            if count == 1 { "" } else { "s" },
            if label_sets == 1 { "" } else { "s" },
            outcome.total()
        ),
    }
}

/// The difference after minus before, when there are both.
fn change(alert: &AlertReport) -> Option<String> {
    let (before, after) = (alert.before.as_ref()?, alert.after.as_ref()?);
    let (b, a) = (before.total().as_millis(), after.total().as_millis());
    let sign = if a >= b { "+" } else { "-" };
    Some(format!(
        "{:+} firings, {sign}{} firing",
        after.count() as i64 - before.count() as i64,
        Duration::millis(a.abs_diff(b))
    ))
}

fn interval(outcome: &Outcome, firing: &Firing) -> String {
    let length = Duration::millis(outcome.length(firing));
    match firing.end {
        Some(end) => format!("{} .. {} ({length})", time(firing.start), time(end)),
        None => format!("{} .. still firing ({length} so far)", time(firing.start)),
    }
}

/// `{name="value", ...}`, as PromQL writes a label set.
pub fn labels(labels: &Labels) -> String {
    let pairs: Vec<String> = labels
        .iter()
        .map(|(name, value)| format!("{name}={value:?}"))
        .collect();
    format!("{{{}}}", pairs.join(", "))
}

/// Milliseconds since the Unix epoch as RFC 3339 UTC, seconds precision (milliseconds when
/// there are any). Times before the epoch are not Prometheus's and show as the epoch.
pub fn time(ms: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    if ms.rem_euclid(1000) == 0 {
        humantime::format_rfc3339_seconds(at).to_string()
    } else {
        humantime::format_rfc3339_millis(at).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(time(0), "1970-01-01T00:00:00Z");
        assert_eq!(time(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(time(1_700_000_000_500), "2023-11-14T22:13:20.500Z");
        assert_eq!(time(4_102_444_799_000), "2099-12-31T23:59:59Z");
    }
}
