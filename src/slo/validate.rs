//! Step 1: validate an SLO and settle it into a [`Plan`]. Every fault is reported, each at the
//! Rust line that declared it; an SLO with any fault generates nothing.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use sextant_catalog::{Catalog, Kind, Label, Metric};

use super::dsl::{
    Events, Naming, Set, Sli, SliKind, Slo, SloLabels, Tier, TierKind, WINDOW_PLACEHOLDER,
};
use super::plan::{
    self, camel, number, AlertPlan, BurnWindow, Plan, Polarity, SliPlan, BASE_WINDOW, LE,
    PAGE_WINDOWS, TICKET_WINDOWS,
};
use crate::diagnostics::{Diagnostic, Origin};
use crate::rules::SeverityName;
use crate::slo::codes;
use crate::syntax::duration::hours;
use crate::syntax::promql::{self, is_label_name};

/// Labels Sextant always owns on SLO alerts and series, whatever [`super::SloLabels`] says:
/// the severity (set per tier), the alert's name, a histogram's bucket bound.
const RESERVED_LABELS: &[&str] = &["severity", "alertname", "le"];

/// Labels Prometheus attaches to every scraped series; always available as a dimension.
const TARGET_LABELS: &[&str] = &["job", "instance"];

/// Text of the same length as [`WINDOW_PLACEHOLDER`] that parses as a duration, so the ranges of
/// faults in a template map onto the template as written.
const PLACEHOLDER_STAND_IN: &str = "999999999s";

pub fn run(
    slo: &Slo,
    catalog: &Catalog,
    severities: &[SeverityName],
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Plan> {
    let before = diagnostics.len();
    let what = format!("SLO {}", slo.name);
    if !is_slo_name(&slo.name) {
        diagnostics.push(
            Diagnostic::error(codes::NAME, format!("invalid SLO name {:?}", slo.name))
                .at(slo.origin)
                .snippet(&what, slo.name.as_str(), 0..slo.name.len(), "not a valid SLO name")
                .note("the name is a label value and part of file names: use lowercase letters, digits and `-`, starting with a letter, such as `decision-success`"),
        );
    }
    if slo.service.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error(codes::SERVICE, format!("{what} has an empty service name"))
                .at(slo.origin)
                .note("the service becomes the `service` label of every series and alert: name the service the SLO is about"),
        );
    }
    let objective = objective(slo, &what, diagnostics);
    let budget = objective.map(|o| plan::round(1.0 - o));
    let sli = match &slo.sli {
        Some(sli) => lower_sli(sli, &slo.dimensions, &what, catalog, diagnostics),
        None => {
            diagnostics.push(
                Diagnostic::error(codes::SLI, format!("{what} has no SLI"))
                    .at(slo.origin)
                    .note("add one with `.sli(Sli::error_ratio(bad, total))`, `Sli::success_ratio`, `Sli::latency` or `Sli::boolean_gauge`"),
            );
            None
        }
    };
    let service_labels: BTreeMap<String, String> = slo
        .service_labels
        .iter()
        .map(|(k, v)| (k.clone(), v.value.clone()))
        .collect();
    check_labels(
        &service_labels,
        slo,
        &what,
        |name| slo.service_labels[name].origin,
        diagnostics,
    );
    for labels in [&slo.labels, &slo.alert_labels] {
        check_labels(
            labels,
            slo,
            &what,
            |name| slo.label_origins.get(name).copied().unwrap_or(slo.origin),
            diagnostics,
        );
    }
    let names = &slo.sextant_labels;
    let mut identity = BTreeMap::new();
    if let Some(label) = &names.slo {
        identity.insert(label.clone(), slo.name.clone());
    }
    if let Some(label) = &names.service {
        identity.insert(label.clone(), slo.service.clone());
    }
    let mut record_labels = identity.clone();
    record_labels.extend(service_labels);
    record_labels.extend(slo.labels.clone());
    if slo.naming == Naming::Sloth {
        record_labels.insert("sloth_id".into(), format!("{}-{}", slo.service, slo.name));
        record_labels.insert("sloth_service".into(), slo.service.clone());
        record_labels.insert("sloth_slo".into(), slo.name.clone());
    }
    // The labels that tell this SLO's series from another's, in the order selectors list them.
    let identity_names: Vec<String> = match (&names.slo, slo.naming) {
        (Some(slo_label), _) => [Some(slo_label.clone()), names.service.clone()]
            .into_iter()
            .flatten()
            .collect(),
        (None, Naming::Sloth) => vec![
            "sloth_id".into(),
            "sloth_service".into(),
            "sloth_slo".into(),
        ],
        (None, Naming::Sextant) => {
            diagnostics.push(
                Diagnostic::error(
                    codes::LABEL,
                    format!("the series of {what} carry no label naming the SLO"),
                )
                .at(slo.origin)
                .note("the SLO's recording rules read back its own series by a label that names the SLO: keep Sextant's `slo` label (`SloLabels::default()`), name it (`SloLabels::none().slo(Some(\"slo_name\"))`), or use `Naming::Sloth`, whose `sloth_id` does it"),
            );
            Vec::new()
        }
    };
    let prefix = match &slo.alert_prefix {
        Some(Set { value, origin }) => {
            if value.is_empty() {
                diagnostics.push(
                    Diagnostic::error(
                        codes::ALERT_NAME,
                        format!("empty alert name prefix for {what}"),
                    )
                    .at(*origin)
                    .note("the prefix starts the name of each of the SLO's alerts, such as `CheckoutAvailability`"),
                );
            }
            value.clone()
        }
        None => format!("{}{}", camel(&slo.service), camel(&slo.name)),
    };
    let mut burn_alerts = Vec::new();
    for (kind, tier, windows) in [
        (TierKind::Page, &slo.page, &PAGE_WINDOWS),
        (TierKind::Ticket, &slo.ticket, &TICKET_WINDOWS),
    ] {
        if !tier.enabled {
            continue;
        }
        let windows: Vec<(BurnWindow, f64)> = windows
            .iter()
            .map(|w| (*w, w.factor(slo.window.value)))
            .collect();
        if let (Some(budget), Some(objective_set)) = (budget, slo.objective) {
            for (w, factor) in &windows {
                if factor * budget >= 1.0 {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::UNREACHABLE,
                            format!(
                                "the {} tier of {what} can never fire: it needs an error ratio over {}% over {}",
                                kind.label(),
                                number(factor * budget * 100.0),
                                w.long
                            ),
                        )
                        .at(objective_set.origin)
                        .note(format!(
                            "a burn rate of {}x on an error budget of {}% is more errors than there are events",
                            number(*factor),
                            number(budget * 100.0)
                        ))
                        .note(format!(
                            "raise the objective, or turn the tier off with `.{}(Tier::off())`",
                            kind.label()
                        )),
                    );
                }
            }
        }
        let alert = alert_plan(
            slo,
            kind,
            tier,
            &prefix,
            windows,
            (&record_labels, &identity),
            (&what, severities),
            diagnostics,
        );
        burn_alerts.push(alert);
    }
    check_window(slo, &what, &burn_alerts, diagnostics);
    let absent_alert = slo.absent.enabled.then(|| {
        alert_plan(
            slo,
            TierKind::Absent,
            &slo.absent,
            &prefix,
            Vec::new(),
            (&record_labels, &identity),
            (&what, severities),
            diagnostics,
        )
    });
    if diagnostics.len() > before {
        return None;
    }
    let (objective, budget, sli) = (objective?, budget?, sli?);
    let matchers = identity_names
        .iter()
        .map(|name| format!("{name}={}", promql::quote(&record_labels[name])))
        .collect::<Vec<_>>()
        .join(", ");
    let identity = if slo.naming == Naming::Sloth && names.slo.is_none() {
        // Sloth's own order: `on(sloth_id, sloth_slo, sloth_service)`.
        vec![
            "sloth_id".into(),
            "sloth_slo".into(),
            "sloth_service".into(),
        ]
    } else {
        identity_names
    };
    let absent_expr = match &sli {
        SliPlan::Ratio { total, .. } => match total {
            Events::Selector(selector) => selector.to_string(),
            other => plan::render(other, "", BASE_WINDOW),
        },
        SliPlan::BooleanGauge { gauge } => gauge.to_string(),
    };
    // With raw alert windows, every window an alert reads is computed from the raw series.
    let longest_alert_window = burn_alerts
        .iter()
        .flat_map(|alert| alert.windows.iter().map(|(w, _)| w.long))
        .max();
    let raw_limit = match longest_alert_window {
        Some(longest) if slo.raw_alert_windows => longest.max(plan::RAW_LIMIT),
        _ => plan::RAW_LIMIT,
    };
    let mut plan = Plan {
        name: slo.name.clone(),
        service: slo.service.clone(),
        description: slo.description.clone(),
        objective,
        budget,
        window: slo.window.value,
        sli,
        dimensions: slo.dimensions.clone(),
        naming: slo.naming,
        record_labels,
        matchers,
        identity,
        burn_alerts,
        absent_alert,
        absent_expr,
        raw_limit,
        catalog: *catalog,
        sli_origin: slo.sli.as_ref().map_or(slo.origin, |sli| sli.origin),
        origin: slo.origin,
    };
    super::alerts::describe(&mut plan);
    Some(plan)
}

fn is_slo_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
}

fn objective(slo: &Slo, what: &str, diagnostics: &mut Vec<Diagnostic>) -> Option<f64> {
    let Some(Set { value, origin }) = slo.objective else {
        diagnostics.push(
            Diagnostic::error(codes::OBJECTIVE, format!("{what} has no objective"))
                .at(slo.origin)
                .note("set one in percent with `.objective(99.9)`"),
        );
        return None;
    };
    if value.is_nan() || value <= 0.0 || value >= 100.0 {
        let written = format!("{value}");
        let why = if value >= 100.0 {
            "an objective of 100% or more leaves no error budget: every error breaks it and no burn rate can be computed"
        } else {
            "an objective of 0% or less is met by a service that never works"
        };
        diagnostics.push(
            Diagnostic::error(
                codes::OBJECTIVE,
                format!("the objective of {what} is {written}%, outside (0, 100)"),
            )
            .at(origin)
            .snippet(
                format!("{what}: objective"),
                written.as_str(),
                0..written.len(),
                "not strictly between 0 and 100",
            )
            .note(why)
            .note("the objective is in percent: 99.9 means 99.9% of events are good"),
        );
        return None;
    }
    Some(plan::round(value / 100.0))
}

fn check_window(
    slo: &Slo,
    what: &str,
    burn_alerts: &[AlertPlan],
    diagnostics: &mut Vec<Diagnostic>,
) {
    let window = slo.window;
    let longest = burn_alerts
        .iter()
        .flat_map(|a| a.windows.iter().map(move |(w, _)| (w.long, a.kind)))
        .max();
    if window.value < hours(1) {
        diagnostics.push(
            Diagnostic::error(
                codes::WINDOW,
                format!(
                    "the window of {what} is {}, shorter than an hour",
                    window.value
                ),
            )
            .at(window.origin)
            .note("an SLO window is days or weeks long: 30d (the default), 28d, 7d"),
        );
    } else if let Some((longest, tier)) = longest.filter(|(l, _)| window.value < *l) {
        diagnostics.push(
            Diagnostic::error(
                codes::WINDOW,
                format!(
                    "the window of {what} is {}, shorter than the {longest} window of its {} alerts",
                    window.value,
                    tier.label()
                ),
            )
            .at(window.origin)
            .note(format!(
                "an alert cannot look further back than the SLO: use a window of at least {longest}, or turn the {} tier off with `.{}(Tier::off())`",
                tier.label(),
                tier.label()
            )),
        );
    }
}

/// Reduces the SLI to events or a gauge, checking its metrics against the catalog.
fn lower_sli(
    sli: &Sli,
    dimensions: &[&'static Label],
    what: &str,
    catalog: &Catalog,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<SliPlan> {
    let before = diagnostics.len();
    let cx = Cx {
        what,
        origin: sli.origin,
        dimensions,
        catalog,
        checked: RefCell::default(),
    };
    let plan = match &sli.kind {
        SliKind::ErrorRatio { bad, total } | SliKind::SuccessRatio { good: bad, total } => {
            let polarity = match sli.kind {
                SliKind::ErrorRatio { .. } => Polarity::Bad,
                _ => Polarity::Good,
            };
            let role = match polarity {
                Polarity::Bad => "bad events",
                Polarity::Good => "good events",
            };
            cx.events(role, bad, diagnostics);
            cx.events("total events", total, diagnostics);
            SliPlan::Ratio {
                polarity,
                events: bad.clone(),
                total: total.clone(),
                events_selectors: plan::selectors(&plan::render(bad, "", BASE_WINDOW)),
                total_selectors: plan::selectors(&plan::render(total, "", BASE_WINDOW)),
            }
        }
        SliKind::Latency {
            histogram,
            threshold,
        } => {
            let metric = histogram.metric();
            if cx.known(metric, diagnostics) {
                if metric.kind != Kind::Histogram {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::SLI_KIND,
                            format!(
                                "the latency SLI of {what} reads `{}`, a {}",
                                metric.name,
                                metric.kind.as_str()
                            ),
                        )
                        .at(sli.origin)
                        .note("a latency SLI counts observations under a threshold: it needs a histogram's buckets"),
                    );
                } else if !metric.buckets.contains(threshold) {
                    let written = format!("{threshold}");
                    let buckets: Vec<String> =
                        metric.buckets.iter().map(|b| format!("{b}")).collect();
                    diagnostics.push(
                        Diagnostic::error(
                            codes::LATENCY_BUCKET,
                            format!(
                                "the latency threshold {written} of {what} is not a bucket of `{}`",
                                metric.name
                            ),
                        )
                        .at(sli.origin)
                        .snippet(
                            format!("{what}: latency threshold"),
                            written.as_str(),
                            0..written.len(),
                            "not a bucket bound",
                        )
                        .note(format!(
                            "`{}` has buckets at {} {}",
                            metric.name,
                            buckets.join(", "),
                            metric.unit
                        ))
                        .note("a threshold between buckets would be interpolated, not counted: pick a bucket bound, or add this one to the catalog's buckets"),
                    );
                }
                cx.dimensions_of(metric, diagnostics);
            }
            let le = format!("{threshold}");
            let good = Events::Selector(histogram.clone().bucket().eq(&LE, le));
            let total = Events::Selector(histogram.clone().count());
            SliPlan::Ratio {
                polarity: Polarity::Good,
                events_selectors: plan::selectors(&plan::render(&good, "", BASE_WINDOW)),
                total_selectors: plan::selectors(&plan::render(&total, "", BASE_WINDOW)),
                events: good,
                total,
            }
        }
        SliKind::BooleanGauge { gauge } => {
            let metric = gauge.metric();
            if cx.known(metric, diagnostics) {
                if metric.kind != Kind::Gauge {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::SLI_KIND,
                            format!(
                                "the boolean gauge SLI of {what} reads `{}`, a {}",
                                metric.name,
                                metric.kind.as_str()
                            ),
                        )
                        .at(sli.origin)
                        .note("a boolean gauge SLI averages a gauge that is 1 when good and 0 when bad; for counted events use `Sli::error_ratio`"),
                    );
                }
                cx.dimensions_of(metric, diagnostics);
            }
            SliPlan::BooleanGauge {
                gauge: gauge.clone(),
            }
        }
    };
    (diagnostics.len() == before).then_some(plan)
}

/// What checking an SLI's parts needs.
struct Cx<'a> {
    what: &'a str,
    origin: Origin,
    dimensions: &'a [&'static Label],
    catalog: &'a Catalog,
    /// Metrics whose labels were checked already (good and total events often share one).
    checked: RefCell<BTreeSet<&'static str>>,
}

impl Cx<'_> {
    /// Whether `metric` is in the spec's catalog; reports it when not.
    fn known(&self, metric: &'static Metric, diagnostics: &mut Vec<Diagnostic>) -> bool {
        if self.catalog.get(metric.name).is_some() {
            return true;
        }
        diagnostics.push(
            Diagnostic::error(
                codes::UNKNOWN_METRIC,
                format!(
                    "the SLI of {} reads `{}`, which is not in the spec's catalog",
                    self.what, metric.name
                ),
            )
            .at(self.origin)
            .note("an SLI can only be checked against metrics the catalog declares: add the metric to the catalog"),
        );
        false
    }

    fn dimensions_of(&self, metric: &'static Metric, diagnostics: &mut Vec<Diagnostic>) {
        if !self.checked.borrow_mut().insert(metric.name) {
            return;
        }
        for dimension in self.dimensions {
            if metric.label(dimension.name).is_none() && !TARGET_LABELS.contains(&dimension.name) {
                let labels: Vec<&str> = metric.labels.iter().map(|l| l.name).collect();
                diagnostics.push(
                    Diagnostic::error(
                        codes::DIMENSION,
                        format!(
                            "{} is kept by `{}`, which `{}` does not have",
                            self.what, dimension.name, metric.name
                        ),
                    )
                    .at(self.origin)
                    .note(if labels.is_empty() {
                        format!("`{}` has no labels of its own", metric.name)
                    } else {
                        format!("`{}` has the labels: {}", metric.name, labels.join(", "))
                    })
                    .note("every metric of the SLI must carry each label the SLO is kept `by`"),
                );
            }
        }
    }

    fn events(&self, role: &str, events: &Events, diagnostics: &mut Vec<Diagnostic>) {
        match events {
            Events::Selector(selector) => {
                let metric = selector.metric();
                if !self.known(metric, diagnostics) {
                    return;
                }
                let text = selector.to_string();
                let series = text.split('{').next().unwrap_or_default();
                let counter = match self.catalog.lookup(series) {
                    Some(found) => found.metric.kind == Kind::Counter || found.suffix.is_some(),
                    None => false,
                };
                if !counter {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::SLI_KIND,
                            format!(
                                "the {role} of {} count `{series}`, a {}",
                                self.what,
                                metric.kind.as_str()
                            ),
                        )
                        .at(self.origin)
                        .note("events are counted with `rate`, which needs a counter (or a histogram's `_count` or `_bucket`); for a gauge that is 1 when good use `Sli::boolean_gauge`"),
                    );
                }
                self.dimensions_of(metric, diagnostics);
                let text = selector.to_string();
                let uses = plan::selectors(&text);
                self.regexes(role, &text, &uses, self.origin, diagnostics);
            }
            Events::Template { text, origin } => {
                if !text.contains(WINDOW_PLACEHOLDER) {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::TEMPLATE,
                            format!("the {role} template of {} has no `{WINDOW_PLACEHOLDER}`", self.what),
                        )
                        .at(*origin)
                        .snippet(format!("{}: {role}", self.what), text.as_str(), 0..text.len(), "the same at every window")
                        .note(format!("write the range as `{WINDOW_PLACEHOLDER}`, such as `sum(rate(http_requests_total[{WINDOW_PLACEHOLDER}]))`, so each window gets its own rule")),
                    );
                    return;
                }
                let parsed = text.replace(WINDOW_PLACEHOLDER, PLACEHOLDER_STAND_IN);
                self.promql(role, text, &parsed, *origin, diagnostics);
            }
            Events::Function { build, origin } => {
                let text = build(BASE_WINDOW);
                if text == build(hours(1)) {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::TEMPLATE,
                            format!("the {role} function of {} ignores the window", self.what),
                        )
                        .at(*origin)
                        .snippet(format!("{}: {role}", self.what), text.as_str(), 0..text.len(), "the same at every window")
                        .note("use the function's argument as the range: `|w| format!(\"sum(rate(http_requests_total[{w}]))\")`"),
                    );
                    return;
                }
                self.promql(role, &text, &text, *origin, diagnostics);
            }
        }
    }

    /// Checks each regex matcher on a label with a closed domain against the domain: one that
    /// matches no value selects nothing.
    fn regexes(
        &self,
        role: &str,
        shown: &str,
        selectors: &[promql::SelectorUse],
        origin: Origin,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        for selector in selectors {
            let Some(found) = selector
                .name
                .as_deref()
                .and_then(|n| self.catalog.lookup(n))
            else {
                continue;
            };
            for (i, (label, op, value)) in selector.matchers.iter().enumerate() {
                if *op != "=~" {
                    continue;
                }
                let Some(def) = found.metric.label(label) else {
                    continue;
                };
                let sextant_catalog::Domain::Closed(values) = def.domain else {
                    continue;
                };
                let Some(regex) = plan::full_match(value) else {
                    continue;
                };
                if values.iter().any(|v| regex.is_match(v)) {
                    continue;
                }
                let range = selector
                    .matcher_spans
                    .get(i)
                    .map(|r| plan::matcher_range(shown, r.start))
                    .unwrap_or(selector.span.clone());
                diagnostics.push(
                    Diagnostic::error(
                        codes::REGEX,
                        format!(
                            "`{label}=~{}` in the {role} of {} matches no value of `{label}`",
                            promql::quote(value),
                            self.what
                        ),
                    )
                    .at(origin)
                    .snippet(format!("{}: {role}", self.what), shown, range, "matches nothing")
                    .note(format!(
                        "`{label}` of `{}` takes the values: {}",
                        found.metric.name,
                        values.join(", ")
                    ))
                    .note("the selector selects no series: match the domain's values, or add the values to the catalog"),
                );
            }
        }
    }

    /// Checks a PromQL text (`parsed`, shown as `shown`: the same length) of events.
    fn promql(
        &self,
        role: &str,
        shown: &str,
        parsed: &str,
        origin: Origin,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        let name = format!("{}: {role}", self.what);
        let expr = match promql::parse(parsed) {
            Ok(expr) => expr,
            Err(e) => {
                diagnostics.push(
                    Diagnostic::error(codes::TEMPLATE, e.message)
                        .at(origin)
                        .snippet(name, shown, e.range, e.label),
                );
                return;
            }
        };
        let analysis = promql::analyse(&expr, parsed);
        self.regexes(role, shown, &analysis.selectors, origin, diagnostics);
        for selector in &analysis.selectors {
            let Some(series) = &selector.name else {
                continue;
            };
            let Some(found) = self.catalog.lookup(series) else {
                diagnostics.push(
                    Diagnostic::error(
                        codes::UNKNOWN_METRIC,
                        format!("unknown metric `{series}` in the {role} of {}", self.what),
                    )
                    .at(origin)
                    .snippet(
                        name.as_str(),
                        shown,
                        selector.span.clone(),
                        "not in the catalog",
                    )
                    .note("SLI templates read catalog metrics: fix the name or add the metric to the catalog"),
                );
                continue;
            };
            let counter = found.metric.kind == Kind::Counter || found.suffix.is_some();
            if matches!(selector.function, Some("rate" | "increase" | "irate")) && !counter {
                diagnostics.push(
                    Diagnostic::error(
                        codes::SLI_KIND,
                        format!(
                            "`{}` of `{series}`, a {}, in the {role} of {}",
                            selector.function.unwrap_or_default(),
                            found.metric.kind.as_str(),
                            self.what
                        ),
                    )
                    .at(origin)
                    .snippet(name.as_str(), shown, selector.span.clone(), "not a counter")
                    .note("events are counted with `rate` of a counter"),
                );
            }
        }
        for dimension in self.dimensions {
            let kept = analysis
                .groupings
                .iter()
                .any(|g| g.by && g.labels.iter().any(|l| l == dimension.name));
            if !kept {
                diagnostics.push(
                    Diagnostic::error(
                        codes::DIMENSION,
                        format!(
                            "the {role} of {} do not keep `{}`, which the SLO is kept by",
                            self.what, dimension.name
                        ),
                    )
                    .at(origin)
                    .snippet(name.as_str(), shown, 0..shown.len(), "no `by` keeps it")
                    .note(format!(
                        "aggregate with `sum by ({}) (...)` so each value has its own SLI",
                        dimension.name
                    )),
                );
            }
        }
    }
}

/// Reports label names an SLO may not set, or that are not label names.
fn check_labels(
    labels: &BTreeMap<String, String>,
    slo: &Slo,
    what: &str,
    origin: impl Fn(&str) -> Origin,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let sextant = slo.sextant_labels.names();
    for name in labels.keys() {
        let fault = if !is_label_name(name) || name.starts_with("__") {
            vec![
                "a label name must match [a-zA-Z_][a-zA-Z0-9_]* and not start with `__`"
                    .to_string(),
            ]
        } else if name == "severity" {
            vec![
                "the severity is set per tier: `.page(Tier::on().severity(\"pageteam\"))`, `.ticket(Tier::on().severity(AlertSeverity::Warning))`".to_string(),
                "a severity other than critical, warning and info is declared once for the spec: `Spec::new(CATALOG).severities([\"pageteam\", \"slack\"])`".to_string(),
            ]
        } else if RESERVED_LABELS.contains(&name.as_str()) {
            vec![format!(
                "Prometheus or Sextant sets `{name}` on every alert: choose another name"
            )]
        } else if sextant.contains(&name.as_str()) {
            let mut notes = vec![format!(
                "Sextant writes `{name}` on this SLO's series or alerts: rename or drop Sextant's with `.sextant_labels(SloLabels::default().{}(..))`, or choose another name",
                sextant_builder(&slo.sextant_labels, name)
            )];
            if slo.sextant_labels.tier.as_deref() == Some(name.as_str()) {
                notes.push("Sextant's `tier` says `page` or `ticket`; a tier's severity is set on the tier: `.page(Tier::on().severity(\"pageteam\"))`".to_string());
            }
            notes
        } else if slo.naming == Naming::Sloth && name.starts_with("sloth_") {
            vec![format!("with `Naming::Sloth`, Sextant writes Sloth's `sloth_*` labels: choose another name")]
        } else if slo.dimensions.iter().any(|d| d.name == name) {
            vec![format!(
                "the SLO is kept by `{name}`: each series already carries its own value"
            )]
        } else {
            Vec::new()
        };
        if !fault.is_empty() {
            let mut diagnostic = Diagnostic::error(
                codes::LABEL,
                format!("{what} cannot set the label `{name}`"),
            )
            .at(origin(name))
            .snippet(what, name.as_str(), 0..name.len(), "this label");
            for note in fault {
                diagnostic = diagnostic.note(note);
            }
            diagnostics.push(diagnostic);
        }
    }
}

/// The [`SloLabels`] builder that names `label`.
fn sextant_builder(labels: &SloLabels, label: &str) -> &'static str {
    if labels.slo.as_deref() == Some(label) {
        "slo"
    } else if labels.service.as_deref() == Some(label) {
        "service"
    } else if labels.tier.as_deref() == Some(label) {
        "tier"
    } else {
        "component"
    }
}

#[allow(clippy::too_many_arguments)]
fn alert_plan(
    slo: &Slo,
    kind: TierKind,
    tier: &Tier,
    prefix: &str,
    windows: Vec<(BurnWindow, f64)>,
    (record_labels, identity): (&BTreeMap<String, String>, &BTreeMap<String, String>),
    (what, severities): (&str, &[SeverityName]),
    diagnostics: &mut Vec<Diagnostic>,
) -> AlertPlan {
    let name = tier
        .name
        .clone()
        .unwrap_or_else(|| format!("{prefix}{}", kind.name_suffix()));
    // A bad prefix is reported once, where it is set.
    let named_here = tier.name.is_some() || slo.alert_prefix.is_none();
    if named_here && !is_label_name(&name) {
        let at = tier
            .origins
            .get("alertname")
            .copied()
            .unwrap_or(tier.origin);
        diagnostics.push(
            Diagnostic::error(
                codes::ALERT_NAME,
                format!("invalid alert name {name:?} for the {} of {what}", kind.describe()),
            )
            .at(at)
            .snippet(what, name.as_str(), 0..name.len(), "not a valid alert name")
            .note("an alert name becomes the `alertname` label: use letters, digits and `_`; set it with `.alert_prefix(..)` or the tier's `.name(..)`"),
        );
    }
    check_labels(
        &tier.labels,
        slo,
        what,
        |name| tier.origins.get(name).copied().unwrap_or(tier.origin),
        diagnostics,
    );
    let severity = match &tier.severity {
        Some(Set { value, origin }) => {
            if !severities.contains(value) {
                let known: Vec<&str> = severities.iter().map(|s| s.as_str()).collect();
                diagnostics.push(
                    Diagnostic::error(
                        codes::SEVERITY,
                        format!(
                            "the {} of {what} has severity {:?}, not one of the spec's",
                            kind.describe(),
                            value.as_str()
                        ),
                    )
                    .at(*origin)
                    .snippet(what, value.as_str(), 0..value.as_str().len(), "not a severity of the spec")
                    .note(format!("the spec's severities: {}", known.join(", ")))
                    .note(format!(
                        "routes match on severity: declare it with `Spec::new(CATALOG).severities([{}])`",
                        known
                            .iter()
                            .map(|k| format!("{k:?}"))
                            .chain([format!("{:?}", value.as_str())])
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                );
            }
            value.clone()
        }
        None => kind.default_severity().into(),
    };
    // Sextant's naming writes every series label on the alert too; Sloth's writes only the
    // alerting labels, as Sloth does (the series' labels reach the alert through its expression).
    let mut labels = match slo.naming {
        Naming::Sextant => record_labels.clone(),
        Naming::Sloth => identity.clone(),
    };
    labels.extend(slo.alert_labels.clone());
    labels.extend(tier.labels.clone());
    if let Some(tier_label) = &slo.sextant_labels.tier {
        labels.insert(tier_label.clone(), kind.label().into());
    }
    if let Some((component, value)) = &slo.sextant_labels.component {
        labels.insert(component.clone(), value.clone());
    }
    if slo.naming == Naming::Sloth {
        labels.insert("sloth_severity".into(), kind.label().into());
    }
    let mut annotations = BTreeMap::new();
    if let Some(url) = &slo.runbook {
        annotations.insert("runbook_url".to_string(), url.clone());
    }
    if kind != TierKind::Absent {
        annotations.extend(slo.alert_annotations.clone());
    }
    annotations.extend(tier.annotations.clone());
    AlertPlan {
        kind,
        name,
        severity,
        for_: tier.for_.unwrap_or(kind.default_for()),
        labels,
        annotations,
        windows,
    }
}
