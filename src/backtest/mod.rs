//! `sextant backtest`: replays alerts over the history of a running Prometheus and reports how
//! often, and how long, each would have fired, before and after a change.
//!
//! - [`query`]: range queries at the group's evaluation interval, chunked under Prometheus's
//!   11,000-points limit.
//! - [`state`]: the rule manager's `for` / `keep_firing_for` state machine, a pure function over
//!   the evaluation times at which a label set was returned.
//! - [`report`]: the outcome, rendered as text, Markdown (a pull-request comment) or JSON.
//!
//! Evaluation times. Prometheus evaluates a group at `k * interval + offset`, the offset a hash
//! of the group's name and of its rule file's path on the server, in `[0, interval)`. The file's
//! path on the server is not in the spec, so the backtest evaluates at `k * interval` (offset
//! zero, the range query's start aligned to the interval). Every evaluation therefore sees the
//! data the server's evaluation at most one interval later saw: firing times can differ from the
//! server's by less than one interval, counts only when a condition lasts within one interval
//! of `for`. Against data whose samples are not on the grid's lookback boundaries (as in the
//! tests) the result is exactly what the rule manager computes at these times.
//!
//! What the replay cannot know: state at the window's start (every alert starts inactive, as
//! after a restart without restored state); recorded series the alert reads hold what the
//! server's recording rules computed, not what a changed recording rule would; label
//! templates are not expanded (label sets are the expression's, `__name__` dropped).

pub mod query;
pub mod report;
pub mod state;

use crate::ir::Ir;
use crate::rules::ir::{Group, Rule, RuleKind};
use crate::syntax::duration::Duration;

pub use query::{Labels, Server, Source, MAX_POINTS};
pub use report::{AlertReport, Outcome, Report, SeriesFirings};
pub use state::{Firing, Grid};

/// Prometheus's default `evaluation_interval`, for a group without an interval in a spec
/// without a Prometheus configuration that sets one.
pub const DEFAULT_INTERVAL: Duration = Duration::millis(60_000);

/// An alerting rule as the backtest needs it: what it evaluates, how often, and its `for` and
/// `keep_firing_for`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertRule {
    pub name: String,
    pub group: String,
    pub expr: String,
    pub for_: Duration,
    pub keep_firing_for: Duration,
    /// The group's evaluation interval (the server's default when the group sets none).
    pub interval: Duration,
}

impl AlertRule {
    /// An alert of `group`, evaluated every `group.interval` or else `default_interval`.
    pub fn of(group: &Group, rule: &Rule, default_interval: Duration) -> AlertRule {
        AlertRule {
            name: rule.name.clone(),
            group: group.name.clone(),
            expr: rule.expr.clone(),
            for_: rule.for_,
            keep_firing_for: rule.keep_firing_for,
            interval: group.interval.unwrap_or(default_interval),
        }
    }
}

/// Every alert of a lowered spec, with its group's interval (or the Prometheus configuration's
/// `evaluation_interval`, or Prometheus's default).
pub fn alerts(ir: &Ir) -> Vec<AlertRule> {
    let default_interval = ir
        .prometheus
        .as_ref()
        .and_then(|p| p.evaluation_interval)
        .unwrap_or(DEFAULT_INTERVAL);
    ir.groups
        .iter()
        .flat_map(|g| {
            g.rules
                .iter()
                .filter(|r| r.kind == RuleKind::Alert)
                .map(move |r| AlertRule::of(g, r, default_interval))
        })
        .collect()
}

/// One alert to replay: its rule before the change and after (`None`: absent on that side).
/// `sextant diff` gives these for the changed alerts; `--alert NAME` gives `(None, Some)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub name: String,
    pub before: Option<AlertRule>,
    pub after: Option<AlertRule>,
}

/// The alerts of `ir` named `names`, as changes with nothing before; an unknown name is an
/// error that lists the alerts there are. Several alerts may share a name (in different
/// groups): each is replayed.
pub fn named(ir: &Ir, names: &[String]) -> Result<Vec<Change>, String> {
    let all = alerts(ir);
    let mut out = Vec::new();
    for name in names {
        let found: Vec<&AlertRule> = all.iter().filter(|a| &a.name == name).collect();
        if found.is_empty() {
            let mut known: Vec<&str> = all.iter().map(|a| a.name.as_str()).collect();
            known.sort_unstable();
            known.dedup();
            let hint =
                crate::diagnostics::suggest::closest(name, known.iter().map(|k| k.to_string()))
                    .map(|s| format!("; did you mean {s:?}?"))
                    .unwrap_or_default();
            return Err(format!("the spec has no alert named {name:?}{hint}"));
        }
        out.extend(found.into_iter().map(|a| Change {
            name: a.name.clone(),
            before: None,
            after: Some(a.clone()),
        }));
    }
    Ok(out)
}

/// The changed alerts `sextant diff` finds, as changes to replay.
pub fn changes(changed: &[crate::diff::ChangedAlert]) -> Vec<Change> {
    let rule = |v: &crate::diff::AlertVersion| AlertRule {
        name: v.rule.name.clone(),
        group: v.group.clone(),
        expr: v.rule.expr.clone(),
        for_: v.rule.for_,
        keep_firing_for: v.rule.keep_firing_for,
        interval: v.interval,
    };
    changed
        .iter()
        .map(|c| Change {
            name: c.name.clone(),
            before: c.before.as_ref().map(rule),
            after: c.after.as_ref().map(rule),
        })
        .collect()
}

/// The changes to the alerts named `names` (all of them when `names` is empty); a name no
/// change has is an error: that alert did not change (or does not exist).
pub fn only(changes: Vec<Change>, names: &[String]) -> Result<Vec<Change>, String> {
    if names.is_empty() {
        return Ok(changes);
    }
    if let Some(missing) = names
        .iter()
        .find(|n| !changes.iter().any(|c| &c.name == *n))
    {
        return Err(format!(
            "alert {missing:?} did not change (or does not exist) since the base; without --base, --alert replays an alert as it is"
        ));
    }
    Ok(changes
        .into_iter()
        .filter(|c| names.contains(&c.name))
        .collect())
}

/// The window replayed: from `now - since` to `now` (ms since the Unix epoch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub now: i64,
    pub since: Duration,
}

impl Window {
    pub fn start(&self) -> i64 {
        self.now - self.since.as_millis() as i64
    }
}

/// Replays every change's rules over `window` on `source`, in range queries of at most
/// `max_points` evaluations ([`MAX_POINTS`] for a real server). `compared`: the changes come
/// from a comparison with a base (before and after are both reported, absent or not), rather
/// than from alerts named on their own (only `after`, the current rule, is).
pub fn run(
    source: &dyn Source,
    changes: &[Change],
    window: Window,
    max_points: usize,
    compared: bool,
) -> Result<Report, String> {
    let mut alerts = Vec::new();
    for change in changes {
        let replay = |rule: &Option<AlertRule>| -> Result<Option<Outcome>, String> {
            rule.as_ref()
                .map(|rule| {
                    replay(source, rule, window, max_points)
                        .map_err(|e| format!("alert {} (group {}): {e}", rule.name, rule.group))
                })
                .transpose()
        };
        alerts.push(AlertReport {
            name: change.name.clone(),
            before: replay(&change.before)?,
            after: replay(&change.after)?,
        });
    }
    Ok(Report {
        start: window.start(),
        end: window.now,
        since: window.since,
        compared,
        alerts,
    })
}

/// One rule over the window.
pub fn replay(
    source: &dyn Source,
    rule: &AlertRule,
    window: Window,
    max_points: usize,
) -> Result<Outcome, String> {
    let step = rule.interval.as_millis() as i64;
    if step == 0 {
        return Err("an evaluation interval of zero".into());
    }
    let grid = Grid::aligned(window.start(), window.now, step);
    let presence = query::presence(source, &rule.expr, grid, max_points)?;
    let series = presence
        .into_iter()
        .filter_map(|(labels, times)| {
            let firings = state::firings(
                grid,
                &times,
                rule.for_.as_millis() as i64,
                rule.keep_firing_for.as_millis() as i64,
            );
            (!firings.is_empty()).then_some(SeriesFirings { labels, firings })
        })
        .collect();
    Ok(Outcome {
        rule: rule.clone(),
        evaluations: grid.count,
        last_evaluation: grid.last(),
        series,
    })
}
