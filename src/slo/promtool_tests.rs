//! Step 5: promtool unit tests that prove the alerts fire as designed.
//!
//! For each window pair of each burn tier, a test feeds synthetic series: clean traffic for as
//! long as the tier's longest window, then errors at a burn rate 5% over the pair's factor.
//! After the step the long window's error ratio grows linearly, so the tier must fire
//! `long x factor / burn` after the step (plus its `for`): the test checks that `ALERTS` shows it
//! firing then, and not yet at 95% of that time. Another test burns 5% under the tier's lowest
//! factor and checks the tier stays quiet once every window is full of errors. A last test feeds
//! nothing and checks the absent alert fires after its `for`. With a dimension (an SLO per
//! critic), a second value stays healthy in every test and must never alert.
//!
//! Alerts are checked through the `ALERTS` series (`promql_expr_test`) rather than
//! `alert_rule_test`, which compares annotations after template expansion: `{{ $value }}` would
//! tie the test to float noise. The labels, the routing contract, are compared exactly.
//!
//! Samples are 5 minutes apart. promtool's cost is per rule evaluation, so each tier has its own
//! file, `slo-<name>-<tier>.yml`, evaluated every quarter of the tier's shortest window: every
//! 5 minutes for the page tier, every 30 for the ticket tier, whose tests span days.

use std::collections::BTreeMap;

use sextant_catalog::{Catalog, Domain};

use super::dsl::{Events, TierKind, WINDOW_PLACEHOLDER};
use super::plan::{
    full_match, matcher_range, number, selectors as selectors_of, AlertPlan, Plan, Polarity,
    SliPlan,
};
use super::SloOutput;
use crate::diagnostics::Diagnostic;
use crate::ir::Place;
use crate::rules::ir::{self, ExprCheck, InputSeries, RuleTest};
use crate::slo::codes;
use crate::syntax::duration::{mins, Duration};
use crate::syntax::promql::{self, Expr, SelectorUse};

pub const INPUT_INTERVAL: Duration = mins(5);

/// How far over its factor a burn is shown firing, and under it shown quiet.
const MARGIN: f64 = 0.05;

/// Slack on the expected firing time for the windows' edges (rate extrapolation, the base
/// window's 5 minutes at the start of a long window).
const LATE: f64 = 0.03;

pub fn step(plan: &Plan, out: &mut SloOutput) {
    let synth = match Synth::new(plan) {
        Ok(synth) => synth,
        Err(why) => {
            let mut warning = Diagnostic::warning(
                codes::UNTESTED,
                format!("no promtool test is generated for SLO {}: {why}", plan.name),
            );
            match untested_at(plan) {
                Some((origin, Some((text, range, label)))) => {
                    warning = warning
                        .at(origin)
                        .snippet(format!("SLO {}: SLI", plan.name), text, range, "no values known to match")
                        .note(format!("`{label}` has no closed domain and the regex is not a plain alternation (`500|503`): no label values are known to match it; give `{label}` a `Domain::Closed` in the catalog, or write the regex as an alternation"));
                }
                Some((origin, None)) => warning = warning.at(origin),
                None => warning = warning.at(plan.origin),
            }
            out.diagnostics.push(warning.note("the generated tests need each event count to be one selector whose matchers are `=`, `!=`, alternations of plain values, or regexes on labels with a closed domain"));
            return;
        }
    };
    let file =
        |kind: TierKind, evaluation_interval: Duration, tests: Vec<RuleTest>| ir::RuleTests {
            name: format!("{}-{}", plan.group_name(), kind.file_suffix()),
            groups: vec![plan.group_name()],
            evaluation_interval,
            tests,
            place: Place::Rust(plan.origin),
        };
    for alert in &plan.burn_alerts {
        let eval = evaluation_interval(alert);
        let mut tests: Vec<RuleTest> = (0..alert.windows.len())
            .map(|pair| fires(plan, &synth, alert, pair, eval))
            .collect();
        tests.push(quiet_below(plan, &synth, alert, eval));
        out.tests.push(file(alert.kind, eval, tests));
    }
    if let Some(alert) = &plan.absent_alert {
        let eval = mins(5);
        let tests = vec![absent(plan, &synth, alert, eval)];
        out.tests.push(file(alert.kind, eval, tests));
    }
}

/// Where the SLI's untestable part was written: the first regex matcher no known value satisfies
/// (its events' line, the text and the matcher's range, the label), else the SLI's line.
#[allow(clippy::type_complexity)]
fn untested_at(
    plan: &Plan,
) -> Option<(
    crate::diagnostics::Origin,
    Option<(String, std::ops::Range<usize>, String)>,
)> {
    let SliPlan::Ratio { events, total, .. } = &plan.sli else {
        return Some((plan.sli_origin, None));
    };
    for events in [events, total] {
        let (origin, text) = match events {
            Events::Template { text, origin } => (*origin, text.clone()),
            Events::Function { build, origin } => (*origin, build(mins(5))),
            Events::Selector(selector) => (plan.sli_origin, selector.to_string()),
        };
        let parsed = text.replace(WINDOW_PLACEHOLDER, "999999999s");
        let selectors = selectors_of(&parsed);
        if selectors.len() > 1 {
            return Some((origin, None));
        }
        for selector in selectors {
            for (i, (label, op, value)) in selector.matchers.iter().enumerate() {
                if !matches!(*op, "=~" | "!~") || alternatives(value).is_some() {
                    continue;
                }
                let closed = selector
                    .name
                    .as_deref()
                    .and_then(|n| plan.catalog.lookup(n))
                    .and_then(|f| f.metric.label(label))
                    .is_some_and(|l| l.domain.is_closed());
                if closed {
                    continue;
                }
                let range = selector
                    .matcher_spans
                    .get(i)
                    .map(|r| matcher_range(&text, r.start))
                    .unwrap_or(selector.span.clone());
                return Some((origin, Some((text, range, label.clone()))));
            }
        }
    }
    Some((plan.sli_origin, None))
}

/// Rules are evaluated every quarter of the tier's shortest window (every 5 minutes for the
/// page tier, 30 for the ticket tier): promtool's cost is per evaluation, and a ticket test
/// spans days.
fn evaluation_interval(alert: &AlertPlan) -> Duration {
    let shortest = alert
        .windows
        .iter()
        .map(|(w, _)| w.short)
        .min()
        .unwrap_or(mins(5));
    let quarter = shortest.as_millis() / 4;
    let grid = INPUT_INTERVAL.as_millis();
    Duration::millis((quarter / grid * grid).max(grid))
}

/// A burn 5% over the factor of the pair `pair` fires in the designed time, not before.
fn fires(plan: &Plan, synth: &Synth, alert: &AlertPlan, pair: usize, eval: Duration) -> RuleTest {
    let (window, factor) = alert.windows[pair];
    let warmup = longest(alert);
    let mut burn = factor * (1.0 + MARGIN);
    if burn * plan.budget >= 1.0 {
        burn = (factor + 1.0 / plan.budget) / 2.0;
    }
    let ratio = synth.quantize(burn * plan.budget, Round::Up);
    let burn = ratio / plan.budget;
    // The long window's ratio is `burn x elapsed / long` until it is full: each pair holds once
    // `elapsed > long x factor / burn`; the tier fires on the first.
    let detect = alert
        .windows
        .iter()
        .filter(|(_, f)| burn > *f)
        .map(|(w, f)| minutes(w.long) * f / burn)
        .fold(f64::INFINITY, f64::min);
    let grid = Grid(minutes(eval));
    let quiet_at = grid.floor(minutes(warmup) + (1.0 - MARGIN) * detect);
    let fire_at = grid.ceil(minutes(warmup) + (1.0 + LATE) * detect)
        + grid.ceil(minutes(alert.for_))
        + grid.0;
    let end = fire_at + grid.0;
    RuleTest {
        name: format!(
            "{} tier, {} over {} and {}: errors at {}x the budget ({}% over {}x) from {} on fire {} later (+ for {}), not {} later",
            alert.kind.label(),
            alert.name,
            window.long,
            window.short,
            number(round3(burn)),
            number(MARGIN * 100.0),
            number(factor),
            warmup,
            show_minutes(detect),
            alert.for_,
            show_minutes((1.0 - MARGIN) * detect),
        ),
        interval: INPUT_INTERVAL,
        input_series: synth.series(minutes(warmup) as u64, end as u64, ratio),
        checks: vec![
            synth.alerts(alert, quiet_at, false),
            synth.alerts(alert, fire_at, true),
        ],
    }
}

/// A burn 5% under the tier's lowest factor from the start never fires it, even once every
/// window is full.
fn quiet_below(plan: &Plan, synth: &Synth, alert: &AlertPlan, eval: Duration) -> RuleTest {
    let lowest = alert
        .windows
        .iter()
        .map(|(_, f)| *f)
        .fold(f64::INFINITY, f64::min);
    let ratio = synth.quantize(lowest * (1.0 - MARGIN) * plan.budget, Round::Down);
    let grid = Grid(minutes(eval));
    let full = grid.ceil(minutes(longest(alert)));
    let at = full + grid.ceil(minutes(alert.for_)) + grid.0;
    RuleTest {
        name: format!(
            "{} tier, {}: errors at {}x the budget ({}% under its lowest factor, {}x) stay quiet with every window full",
            alert.kind.label(),
            alert.name,
            number(round3(ratio / plan.budget)),
            number(MARGIN * 100.0),
            number(lowest),
        ),
        interval: INPUT_INTERVAL,
        input_series: synth.series(0, (at + grid.0) as u64, ratio),
        checks: vec![synth.alerts(alert, at, false)],
    }
}

/// Without series the absent alert fires after its `for`, and no burn alert does; with them
/// it stays quiet.
fn absent(plan: &Plan, synth: &Synth, alert: &AlertPlan, eval: Duration) -> RuleTest {
    let grid = Grid(minutes(eval));
    let for_ = minutes(alert.for_);
    let at = grid.ceil(for_) + grid.0;
    let mut checks = Vec::new();
    if for_ >= grid.0 {
        checks.push(synth.alerts(alert, grid.floor(for_) - grid.0, false));
    }
    checks.push(synth.alerts(alert, at, true));
    for burn in &plan.burn_alerts {
        checks.push(synth.alerts(burn, at, false));
    }
    RuleTest {
        name: format!(
            "absent alert {}: without series it fires after {}, and no burn alert fires",
            alert.name, alert.for_
        ),
        interval: INPUT_INTERVAL,
        input_series: Vec::new(),
        checks,
    }
}

/// Evaluation times: multiples of the evaluation interval, in minutes.
struct Grid(f64);

impl Grid {
    fn floor(&self, m: f64) -> f64 {
        (m / self.0).floor() * self.0
    }

    fn ceil(&self, m: f64) -> f64 {
        (m / self.0).ceil() * self.0
    }
}

fn longest(alert: &AlertPlan) -> Duration {
    alert
        .windows
        .iter()
        .map(|(w, _)| w.long)
        .max()
        .unwrap_or_default()
}

fn minutes(d: Duration) -> f64 {
    d.as_millis() as f64 / 60_000.0
}

fn show_minutes(m: f64) -> Duration {
    mins(m.round() as u64)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[derive(Clone, Copy)]
enum Round {
    Up,
    Down,
}

/// What each synthetic series counts.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    Errors,
    Successes,
    Total,
}

/// The series a test feeds, before their values.
struct Synth {
    /// For counted events: each series and what it counts. For a gauge: the one series.
    series: Vec<(String, BTreeMap<String, String>, Role)>,
    gauge: bool,
    /// The dimension labels of the series that burns and, when there are dimensions, of one
    /// that stays healthy.
    burning: BTreeMap<String, String>,
    healthy: Option<BTreeMap<String, String>>,
    /// Labels the absent alert's expression gives it.
    absent_labels: BTreeMap<String, String>,
    /// Labels of an alert's result besides its own: the SLI series' labels.
    base_labels: BTreeMap<String, String>,
    /// Alert names more than one of the SLO's alerts carry.
    shared_names: std::collections::BTreeSet<String>,
}

impl Synth {
    fn new(plan: &Plan) -> Result<Synth, String> {
        let catalog = &plan.catalog;
        let (series, gauge) = match &plan.sli {
            SliPlan::Ratio {
                polarity,
                events_selectors,
                total_selectors,
                ..
            } => {
                let ([events], [total]) = (events_selectors.as_slice(), total_selectors.as_slice())
                else {
                    return Err("an event count reads more than one selector".into());
                };
                let (Some(events_name), Some(total_name)) = (&events.name, &total.name) else {
                    return Err("a selector has no metric name".into());
                };
                let counted = match polarity {
                    Polarity::Bad => Role::Errors,
                    Polarity::Good => Role::Successes,
                };
                let series = if events_name == total_name {
                    let both: Vec<_> = events
                        .matchers
                        .iter()
                        .chain(&total.matchers)
                        .cloned()
                        .collect();
                    let a = satisfy(catalog, events_name, &both)
                        .ok_or("no label values satisfy both selectors")?;
                    let b = events
                        .matchers
                        .iter()
                        .find_map(|m| {
                            let mut matchers = total.matchers.clone();
                            matchers.push(negate(m));
                            satisfy(catalog, total_name, &matchers)
                        })
                        .ok_or("no label values select the total without the events")?;
                    let other = match counted {
                        Role::Errors => Role::Successes,
                        _ => Role::Errors,
                    };
                    vec![
                        (events_name.clone(), a, counted),
                        (total_name.clone(), b, other),
                    ]
                } else {
                    vec![
                        (
                            events_name.clone(),
                            satisfy(catalog, events_name, &events.matchers)
                                .ok_or("no label values satisfy the events' selector")?,
                            counted,
                        ),
                        (
                            total_name.clone(),
                            satisfy(catalog, total_name, &total.matchers)
                                .ok_or("no label values satisfy the total's selector")?,
                            Role::Total,
                        ),
                    ]
                };
                // The series must give back the intended ratio through the SLI's own selectors.
                let share = |selector: &SelectorUse, errors: f64| -> f64 {
                    series
                        .iter()
                        .filter(|(name, labels, _)| {
                            Some(name) == selector.name.as_ref()
                                && selector.matchers.iter().all(|m| matches(labels, m))
                        })
                        .map(|(_, _, role)| role.per_total(errors))
                        .sum()
                };
                let expect = match polarity {
                    Polarity::Bad => 0.25,
                    Polarity::Good => 0.75,
                };
                if (share(events, 0.25) - expect).abs() > 1e-9
                    || (share(total, 0.25) - 1.0).abs() > 1e-9
                {
                    return Err("the synthetic series do not give back the intended ratio".into());
                }
                (series, false)
            }
            SliPlan::BooleanGauge { gauge } => {
                let text = gauge.to_string();
                let selectors = selectors_of(&text);
                let [selector] = selectors.as_slice() else {
                    return Err("the gauge is not one selector".into());
                };
                let name = selector
                    .name
                    .clone()
                    .ok_or("the gauge has no metric name")?;
                let labels = satisfy(catalog, &name, &selector.matchers)
                    .ok_or("no label values satisfy the gauge's selector")?;
                (vec![(name, labels, Role::Successes)], true)
            }
        };
        let mut burning = BTreeMap::new();
        let mut healthy = BTreeMap::new();
        for dimension in &plan.dimensions {
            let mut values = dimension
                .domain
                .known_values()
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .chain(["synthetic-a".to_string(), "synthetic-b".to_string()]);
            let first = values.next().unwrap_or_default();
            let second = values.find(|v| *v != first).unwrap_or_default();
            burning.insert(dimension.name.to_string(), first);
            healthy.insert(dimension.name.to_string(), second);
        }
        let absent_labels = match promql::parse(&plan.absent_expr) {
            Ok(Expr::VectorSelector(_)) => selectors_of(&plan.absent_expr)
                .first()
                .map(|s| {
                    s.matchers
                        .iter()
                        .filter(|(_, op, _)| *op == "=")
                        .map(|(l, _, v)| (l.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
            _ => BTreeMap::new(),
        };
        Ok(Synth {
            series,
            gauge,
            healthy: (!plan.dimensions.is_empty()).then_some(healthy),
            burning,
            absent_labels,
            base_labels: plan.record_labels.clone(),
            shared_names: {
                let mut seen = std::collections::BTreeSet::new();
                plan.burn_alerts
                    .iter()
                    .chain(&plan.absent_alert)
                    .filter(|a| !seen.insert(a.name.clone()))
                    .map(|a| a.name.clone())
                    .collect()
            },
        })
    }

    /// Events per minute in all for an error ratio, and the ratio rounded to whole events
    /// (`Up` or `Down`, so it stays on its side of a threshold).
    fn quantize(&self, ratio: f64, round: Round) -> f64 {
        let total = self.total_per_minute(ratio);
        let errors = match round {
            Round::Up => (ratio * total).ceil(),
            Round::Down => (ratio * total).floor(),
        };
        errors / total
    }

    /// A power of ten large enough that the errors are at least a thousand a minute.
    fn total_per_minute(&self, ratio: f64) -> f64 {
        if self.gauge {
            return 1e9;
        }
        let exponent = (1000.0 / ratio).log10().ceil().max(3.0);
        10f64.powi(exponent as i32)
    }

    /// The input series: clean for `clean` minutes, then errors at `ratio` until `end` (both
    /// multiples of the input interval).
    fn series(&self, clean: u64, end: u64, ratio: f64) -> Vec<InputSeries> {
        let total = self.total_per_minute(ratio);
        let step = minutes(INPUT_INTERVAL) as u64;
        let (clean, end) = (clean / step, end / step);
        let mut out = Vec::new();
        let copies = [(&self.burning, ratio)]
            .into_iter()
            .chain(self.healthy.as_ref().map(|h| (h, 0.0)));
        for (dimensions, ratio) in copies {
            for (name, labels, role) in &self.series {
                let mut labels = labels.clone();
                labels.extend(dimensions.clone());
                let values = if self.gauge {
                    gauge(clean, 1.0, end - clean, 1.0 - ratio)
                } else {
                    let per_sample =
                        |ratio: f64| (role.per_total(ratio) * total).round() * step as f64;
                    counter(clean, per_sample(0.0), end - clean, per_sample(ratio))
                };
                out.push(InputSeries {
                    series: show_series(name, &labels),
                    values,
                });
            }
        }
        out
    }

    /// `ALERTS` of `alert`, firing at `at` minutes or not.
    fn alerts(&self, alert: &AlertPlan, at: f64, firing: bool) -> ExprCheck {
        let mut expr = format!(
            "ALERTS{{alertname={}, alertstate=\"firing\"",
            promql::quote(&alert.name)
        );
        if self.shared_names.contains(&alert.name) {
            // Both tiers share the name (Sloth's `alerting.name`): tell them apart by the labels
            // that say the tier.
            for (label, value) in &alert.labels {
                if value == alert.kind.label() {
                    expr.push_str(&format!(", {label}={}", promql::quote(value)));
                }
            }
        }
        expr.push('}');
        let samples = if firing {
            let mut labels = if alert.kind == TierKind::Absent {
                self.absent_labels.clone()
            } else {
                let mut labels = self.base_labels.clone();
                labels.extend(self.burning.clone());
                labels
            };
            labels.extend(alert.labels.clone());
            labels.insert("alertname".into(), alert.name.clone());
            labels.insert("alertstate".into(), "firing".into());
            labels.insert("severity".into(), alert.severity.as_str().into());
            vec![(show_series("ALERTS", &labels), 1.0)]
        } else {
            Vec::new()
        };
        ExprCheck {
            expr,
            eval_time: mins(at as u64),
            samples,
        }
    }
}

impl Role {
    /// This series' events per event in all, at an error ratio.
    fn per_total(self, errors: f64) -> f64 {
        match self {
            Role::Errors => errors,
            Role::Successes => 1.0 - errors,
            Role::Total => 1.0,
        }
    }
}

/// A counter's values: `n1` minutes adding `inc1` a minute, then `n2` adding `inc2`.
fn counter(n1: u64, inc1: f64, n2: u64, inc2: f64) -> String {
    if inc1 == inc2 || n2 == 0 {
        return format!("0+{}x{}", number(inc1), n1 + n2);
    }
    if n1 == 0 {
        return format!("0+{}x{n2}", number(inc2));
    }
    let resumed = inc1 * n1 as f64 + inc2;
    format!(
        "0+{}x{n1} {}+{}x{}",
        number(inc1),
        number(resumed),
        number(inc2),
        n2 - 1
    )
}

/// A gauge's values: `level1` for `n1` minutes, then `level2` for `n2`.
fn gauge(n1: u64, level1: f64, n2: u64, level2: f64) -> String {
    if n2 == 0 {
        return format!("{}+0x{n1}", number(level1));
    }
    if n1 == 0 {
        return format!("{}+0x{n2}", number(level2));
    }
    format!("{}+0x{n1} {}+0x{}", number(level1), number(level2), n2 - 1)
}

fn show_series(name: &str, labels: &BTreeMap<String, String>) -> String {
    let matchers: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", promql::quote(v)))
        .collect();
    format!("{name}{{{}}}", matchers.join(", "))
}

/// Values of `label` worth trying: the catalog's, then made-up ones.
fn candidates(catalog: &Catalog, series: &str, label: &str) -> Vec<String> {
    let known: Vec<String> = catalog
        .lookup(series)
        .and_then(|found| found.metric.label(label))
        .map(|l| match l.domain {
            Domain::Closed(_) | Domain::Registered { .. } | Domain::Open { .. } => l
                .domain
                .known_values()
                .filter(|v| !v.is_empty())
                .map(str::to_string)
                .collect(),
        })
        .unwrap_or_default();
    known
        .into_iter()
        .chain(["synthetic-a".to_string(), "synthetic-b".to_string()])
        .collect()
}

/// Label values that satisfy every matcher, when simple ones do.
fn satisfy(
    catalog: &Catalog,
    series: &str,
    matchers: &[(String, &'static str, String)],
) -> Option<BTreeMap<String, String>> {
    let mut labels = BTreeMap::new();
    for (label, _, _) in matchers {
        if labels.contains_key(label) {
            continue;
        }
        let on_label: Vec<_> = matchers.iter().filter(|(l, _, _)| l == label).collect();
        let mut options: Vec<String> = on_label
            .iter()
            .filter(|(_, op, _)| matches!(*op, "=" | "=~"))
            .flat_map(|(_, op, value)| match *op {
                "=" => vec![value.clone()],
                _ => alternatives(value).unwrap_or_default(),
            })
            .collect();
        options.extend(candidates(catalog, series, label));
        let value = options.into_iter().find(|value| {
            let mut trial = BTreeMap::new();
            trial.insert(label.clone(), value.clone());
            on_label.iter().all(|m| matches(&trial, m))
        })?;
        labels.insert(label.clone(), value);
    }
    matchers
        .iter()
        .all(|m| matches(&labels, m))
        .then_some(labels)
}

fn negate((label, op, value): &(String, &'static str, String)) -> (String, &'static str, String) {
    let op = match *op {
        "=" => "!=",
        "!=" => "=",
        "=~" => "!~",
        _ => "=~",
    };
    (label.clone(), op, value.clone())
}

/// Whether `labels` satisfy a matcher; an unset label is the empty string, as in Prometheus.
/// Regular expressions are applied as Prometheus does, anchored.
fn matches(
    labels: &BTreeMap<String, String>,
    (label, op, value): &(String, &'static str, String),
) -> bool {
    let actual = labels.get(label).map(String::as_str).unwrap_or("");
    match *op {
        "=" => actual == value,
        "!=" => actual != value,
        "=~" => full_match(value).is_some_and(|r| r.is_match(actual)),
        "!~" => full_match(value).is_some_and(|r| !r.is_match(actual)),
        _ => false,
    }
}

/// `a|b|c` as its values, when it is that simple.
fn alternatives(regex: &str) -> Option<Vec<String>> {
    regex
        .split('|')
        .map(|part| {
            part.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '/' | ' '))
                .then(|| part.to_string())
        })
        .collect()
}
