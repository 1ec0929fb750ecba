//! The validated form of an SLO, which every generation step reads: numbers computed once,
//! names and labels settled, the SLI reduced to events or a gauge.

use std::collections::BTreeMap;

use sextant_catalog::{Catalog, Domain, Label};

use super::dsl::{Events, Naming, TierKind, WINDOW_PLACEHOLDER};
use crate::diagnostics::Origin;
use crate::rules::{Selector, SeverityName};
use crate::syntax::duration::{days, hours, mins, Duration};
use crate::syntax::promql::{self, SelectorUse};

/// One window pair of the multi-window multi-burn-rate alerts: the alert holds when both the
/// long and the short window burn faster than the factor that would consume `budget_share` of
/// the SLO window's budget in the long window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BurnWindow {
    pub long: Duration,
    pub short: Duration,
    /// The share of the whole budget consumed in `long` at the alerting burn rate.
    pub budget_share: f64,
}

impl BurnWindow {
    /// The burn rate factor for an SLO over `slo_window`: `share * slo_window / long`, which
    /// gives the SRE Workbook's 14.4, 6, 3 and 1 for 30 days. Rounded to 4 decimals, which
    /// moves the budget share by less than a hundredth of a percent.
    pub fn factor(&self, slo_window: Duration) -> f64 {
        let factor = self.budget_share * slo_window.as_secs_f64() / self.long.as_secs_f64();
        (factor * 1e4).round() / 1e4
    }
}

/// The SRE Workbook's windows (chapter 5, "Alerting on SLOs", table 5-8): the page tier.
pub const PAGE_WINDOWS: [BurnWindow; 2] = [
    BurnWindow {
        long: hours(1),
        short: mins(5),
        budget_share: 0.02,
    },
    BurnWindow {
        long: hours(6),
        short: mins(30),
        budget_share: 0.05,
    },
];

/// The ticket tier.
pub const TICKET_WINDOWS: [BurnWindow; 2] = [
    BurnWindow {
        long: days(1),
        short: hours(2),
        budget_share: 0.10,
    },
    BurnWindow {
        long: days(3),
        short: hours(6),
        budget_share: 0.10,
    },
];

/// The window of the current burn rate and of the recorded event rates long windows are built
/// from.
pub const BASE_WINDOW: Duration = mins(5);

/// Windows up to this one are computed from the raw series; longer ones from the recorded
/// 5-minute event rates.
pub const RAW_LIMIT: Duration = hours(6);

/// The `le` label of a histogram's buckets.
pub static LE: Label = Label {
    name: "le",
    help: "the bucket's upper bound",
    domain: Domain::Closed(&[]),
};

/// Whether an event count is of the bad or of the good events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Polarity {
    Bad,
    Good,
}

/// The SLI, reduced.
#[derive(Clone, Debug)]
pub enum SliPlan {
    /// Events over total events; latency SLIs become `bucket{le=threshold}` over `_count`.
    Ratio {
        polarity: Polarity,
        events: Events,
        total: Events,
        /// The selectors of each expression at the base window, for the generated tests.
        events_selectors: Vec<SelectorUse>,
        total_selectors: Vec<SelectorUse>,
    },
    BooleanGauge {
        gauge: Selector,
    },
}

/// One alert, settled.
#[derive(Clone, Debug)]
pub struct AlertPlan {
    pub kind: TierKind,
    pub name: String,
    pub severity: SeverityName,
    pub for_: Duration,
    /// Every label but `severity` (set by the alert's constructor).
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// The window pairs and their factors (empty for the absent alert).
    pub windows: Vec<(BurnWindow, f64)>,
}

/// A validated SLO.
#[derive(Clone, Debug)]
pub struct Plan {
    pub name: String,
    pub service: String,
    pub description: String,
    /// The objective as a ratio: 0.999.
    pub objective: f64,
    /// `1 - objective`.
    pub budget: f64,
    pub window: Duration,
    pub sli: SliPlan,
    pub dimensions: Vec<&'static Label>,
    pub naming: Naming,
    /// Labels on every recorded series: `slo`, `service`, the SLO's labels, Sloth's.
    pub record_labels: BTreeMap<String, String>,
    /// The matchers selecting this SLO's recorded series: `{slo="x", service="y"}`.
    pub matchers: String,
    /// The labels those matchers read, for `on (..)`: `slo, service`.
    pub identity: Vec<String>,
    /// The page and ticket alerts that are on.
    pub burn_alerts: Vec<AlertPlan>,
    pub absent_alert: Option<AlertPlan>,
    /// The PromQL whose absence the absent alert reports.
    pub absent_expr: String,
    /// Windows up to this one are computed from the raw series: [`RAW_LIMIT`], or the longest
    /// alert window with [`crate::slo::Slo::raw_alert_windows`].
    pub raw_limit: Duration,
    /// The catalog the SLI was checked against.
    pub catalog: Catalog,
    /// Where the SLI was built.
    pub sli_origin: Origin,
    pub origin: Origin,
}

impl Plan {
    /// The rule group (and so the rule file) of this SLO.
    pub fn group_name(&self) -> String {
        group_name(&self.name)
    }

    /// Every window the SLI is recorded at: the base window, each alert window, the SLO window.
    pub fn sli_windows(&self) -> Vec<Duration> {
        let mut windows = vec![BASE_WINDOW, self.window];
        for alert in &self.burn_alerts {
            for (w, _) in &alert.windows {
                windows.extend([w.short, w.long]);
            }
        }
        windows.sort();
        windows.dedup();
        windows
    }

    /// Labels of a recorded SLI series at `window`: Sloth's mode adds `sloth_window`.
    pub fn sli_labels(&self, window: Duration) -> BTreeMap<String, String> {
        let mut labels = self.record_labels.clone();
        if self.naming == Naming::Sloth {
            labels.insert("sloth_window".into(), window.to_string());
        }
        labels
    }

    /// `name{slo="x", service="y"}`.
    pub fn series(&self, name: &str) -> String {
        format!("{name}{{{}}}", self.matchers)
    }

    /// ` by (critic) ` or nothing, to follow an aggregation operator.
    pub fn by_clause(&self) -> String {
        if self.dimensions.is_empty() {
            String::new()
        } else {
            let names: Vec<&str> = self.dimensions.iter().map(|l| l.name).collect();
            format!(" by ({}) ", names.join(", "))
        }
    }

    /// The events' rate per second over `window` as PromQL.
    pub fn render(&self, events: &Events, window: Duration) -> String {
        render(events, &self.by_clause(), window)
    }
}

pub fn group_name(slo: &str) -> String {
    format!("slo-{slo}")
}

/// `sum by (<dimensions>) (rate(<selector>[<window>]))`, the template with the window, or the
/// function's text.
pub fn render(events: &Events, by: &str, window: Duration) -> String {
    match events {
        Events::Selector(selector) => format!("sum{by}(rate({}))", selector.over(window)),
        Events::Template { text, .. } => text.replace(WINDOW_PLACEHOLDER, &window.to_string()),
        Events::Function { build, .. } => build(window),
    }
}

/// The selectors of a PromQL text that parses.
pub fn selectors(text: &str) -> Vec<SelectorUse> {
    match promql::parse(text) {
        Ok(expr) => promql::analyse(&expr, text).selectors,
        Err(_) => Vec::new(),
    }
}

/// A PromQL regex as Prometheus applies it: anchored at both ends.
pub fn full_match(regex: &str) -> Option<regex::Regex> {
    regex::Regex::new(&format!("^(?:{regex})$")).ok()
}

/// The range of a matcher in `text`, from its label name at `start` to the end of its quoted
/// value.
pub fn matcher_range(text: &str, start: usize) -> std::ops::Range<usize> {
    let rest = &text[start..];
    let Some(open) = rest.find(['"', '\'', '`']) else {
        return start..text.len();
    };
    let quote = rest[open..].chars().next().unwrap_or('"');
    let mut escaped = false;
    for (i, c) in rest[open + 1..].char_indices() {
        match c {
            '\\' if !escaped => escaped = true,
            c if c == quote && !escaped => return start..start + open + 1 + i + 1,
            _ => escaped = false,
        }
    }
    start..text.len()
}

/// Rounds away float noise (`0.1 * 3` is `0.30000000000000004`) to 12 decimals.
pub fn round(x: f64) -> f64 {
    (x * 1e12).round() / 1e12
}

/// A number as PromQL and YAML write it: `14.4`, `0.001`, `1`.
pub fn number(x: f64) -> String {
    let text = format!("{:.12}", round(x));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" {
        "0".into()
    } else {
        text.into()
    }
}

/// `decision-success` as `DecisionSuccess`.
pub fn camel(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            let first = chars.next().map(|c| c.to_ascii_uppercase());
            first.into_iter().chain(chars).collect::<String>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_keep_the_budget_share_for_any_window() {
        let factors = |window: Duration| -> Vec<String> {
            PAGE_WINDOWS
                .iter()
                .chain(&TICKET_WINDOWS)
                .map(|w| number(w.factor(window)))
                .collect()
        };
        assert_eq!(factors(days(30)), ["14.4", "6", "3", "1"]);
        assert_eq!(factors(days(28)), ["13.44", "5.6", "2.8", "0.9333"]);
        assert_eq!(factors(days(7)), ["3.36", "1.4", "0.7", "0.2333"]);
    }

    #[test]
    fn numbers_are_written_without_float_noise() {
        assert_eq!(number(1.0 - 0.999), "0.001");
        assert_eq!(number(99.9 / 100.0), "0.999");
        assert_eq!(number(30.0), "30");
        assert_eq!(number(0.0), "0");
        assert_eq!(camel("decision-success"), "DecisionSuccess");
    }
}
