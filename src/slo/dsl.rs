//! The SLO DSL: the raw values a spec writes. Nothing here validates; [`super::validate`] checks
//! everything once and reports each fault at the Rust line that declared it (every constructor
//! and every builder that sets a checked value records its caller).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use sextant_catalog::Label;

use crate::diagnostics::Origin;
use crate::rules::{AlertSeverity, Selector, SeverityName};
use crate::syntax::duration::{days, Duration};

/// The text that stands for the window in a PromQL template: `rate(x[{{window}}])`.
pub const WINDOW_PLACEHOLDER: &str = "{{window}}";

/// A count of events over a window, as PromQL: a catalog selector (summed as
/// `sum by (<dimensions>) (rate(<selector>[<window>]))`), a template with a `{{window}}`
/// placeholder, or a function of the window.
#[derive(Clone)]
pub enum Events {
    Selector(Selector),
    Template {
        text: String,
        origin: Origin,
    },
    Function {
        build: Arc<dyn Fn(Duration) -> String + Send + Sync>,
        origin: Origin,
    },
}

impl Events {
    /// A PromQL template of the events' rate per second, with [`WINDOW_PLACEHOLDER`] where the
    /// window goes: `sum by (critic) (rate(app_critic_failures_total[{{window}}]))`.
    #[track_caller]
    pub fn promql(text: impl Into<String>) -> Events {
        Events::Template {
            text: text.into(),
            origin: Origin::caller(),
        }
    }

    /// The events' rate per second over a window, built by a function of the window.
    #[track_caller]
    pub fn with(build: impl Fn(Duration) -> String + Send + Sync + 'static) -> Events {
        Events::Function {
            build: Arc::new(build),
            origin: Origin::caller(),
        }
    }
}

impl From<Selector> for Events {
    fn from(selector: Selector) -> Events {
        Events::Selector(selector)
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Events::Selector(s) => write!(f, "Events::Selector({s})"),
            Events::Template { text, .. } => write!(f, "Events::Template({text:?})"),
            Events::Function { origin, .. } => write!(f, "Events::Function(at {origin})"),
        }
    }
}

/// What the SLI measures.
#[derive(Clone, Debug)]
pub enum SliKind {
    /// Bad events over all events.
    ErrorRatio { bad: Events, total: Events },
    /// Good events over all events.
    SuccessRatio { good: Events, total: Events },
    /// The share of a catalog histogram's observations at or under `threshold`, which must be
    /// one of its buckets.
    Latency { histogram: Selector, threshold: f64 },
    /// A gauge that is 1 when things are good and 0 when they are not (`up`, a probe result):
    /// the SLI is the share of time it was 1.
    BooleanGauge { gauge: Selector },
}

/// A service level indicator: what share of events (or of time) was bad.
#[derive(Clone, Debug)]
pub struct Sli {
    pub(crate) kind: SliKind,
    pub(crate) origin: Origin,
}

impl Sli {
    /// `bad / total`: `Sli::error_ratio(select(&FAILURES), select(&CALLS))`.
    #[track_caller]
    pub fn error_ratio(bad: impl Into<Events>, total: impl Into<Events>) -> Sli {
        Sli {
            kind: SliKind::ErrorRatio {
                bad: bad.into(),
                total: total.into(),
            },
            origin: Origin::caller(),
        }
    }

    /// `good / total`: the SLI counts `total - good` as bad.
    #[track_caller]
    pub fn success_ratio(good: impl Into<Events>, total: impl Into<Events>) -> Sli {
        Sli {
            kind: SliKind::SuccessRatio {
                good: good.into(),
                total: total.into(),
            },
            origin: Origin::caller(),
        }
    }

    /// Observations of a catalog histogram under `threshold` (in the histogram's unit) are good,
    /// the rest bad. The threshold must be one of the histogram's buckets: any other value would
    /// be interpolated, and an SLO on an interpolated number is not an SLO.
    #[track_caller]
    pub fn latency(histogram: Selector, threshold: f64) -> Sli {
        Sli {
            kind: SliKind::Latency {
                histogram,
                threshold,
            },
            origin: Origin::caller(),
        }
    }

    /// A catalog gauge that is 1 when good and 0 when bad.
    #[track_caller]
    pub fn boolean_gauge(gauge: Selector) -> Sli {
        Sli {
            kind: SliKind::BooleanGauge { gauge },
            origin: Origin::caller(),
        }
    }
}

/// The two alerting tiers of the SRE Workbook's multi-window multi-burn-rate alerts, plus the
/// alert on missing SLI series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TierKind {
    /// Fast burn: wakes someone up (14.4x over 1h and 5m, 6x over 6h and 30m for a 30d SLO).
    Page,
    /// Slow burn: a ticket (3x over 1d and 2h, 1x over 3d and 6h for a 30d SLO).
    Ticket,
    /// The SLI's series are missing: the SLO is blind.
    Absent,
}

impl TierKind {
    /// The `tier` label's value. The absent alert is a ticket: nobody is harmed yet.
    pub fn label(self) -> &'static str {
        match self {
            TierKind::Page => "page",
            TierKind::Ticket | TierKind::Absent => "ticket",
        }
    }

    pub(crate) fn default_severity(self) -> AlertSeverity {
        match self {
            TierKind::Page => AlertSeverity::Critical,
            TierKind::Ticket | TierKind::Absent => AlertSeverity::Warning,
        }
    }

    pub(crate) fn default_for(self) -> Duration {
        match self {
            TierKind::Page => Duration::millis(2 * 60 * 1000),
            TierKind::Ticket => Duration::millis(15 * 60 * 1000),
            TierKind::Absent => Duration::millis(10 * 60 * 1000),
        }
    }

    /// What the tier is called in messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            TierKind::Page => "page tier",
            TierKind::Ticket => "ticket tier",
            TierKind::Absent => "absent alert",
        }
    }

    /// The end of the tier's promtool test file name: `slo-<name>-page.yml`.
    pub(crate) fn file_suffix(self) -> &'static str {
        match self {
            TierKind::Page => "page",
            TierKind::Ticket => "ticket",
            TierKind::Absent => "absent",
        }
    }

    /// The end of the default alert name: `<prefix>FastBurn`.
    pub(crate) fn name_suffix(self) -> &'static str {
        match self {
            TierKind::Page => "FastBurn",
            TierKind::Ticket => "SlowBurn",
            TierKind::Absent => "SLIAbsent",
        }
    }
}

/// How one tier alerts: on or off, its name, severity, `for`, labels and annotations. Unset
/// values keep the defaults (page: critical, `for` 2m; ticket: warning, `for` 15m; absent:
/// warning, `for` 10m).
#[derive(Clone, Debug, PartialEq)]
pub struct Tier {
    pub(crate) enabled: bool,
    pub(crate) name: Option<String>,
    pub(crate) severity: Option<Set<SeverityName>>,
    pub(crate) for_: Option<Duration>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) annotations: BTreeMap<String, String>,
    /// Where the name and each label were set.
    pub(crate) origins: BTreeMap<String, Origin>,
    pub(crate) origin: Origin,
}

impl Tier {
    /// The tier with its defaults; change what you need with the builders.
    #[track_caller]
    pub fn on() -> Tier {
        Tier {
            enabled: true,
            name: None,
            severity: None,
            for_: None,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
            origins: BTreeMap::new(),
            origin: Origin::caller(),
        }
    }

    /// No alert for this tier (its recording rules are not generated either).
    #[track_caller]
    pub fn off() -> Tier {
        Tier {
            enabled: false,
            origin: Origin::caller(),
            ..Tier::on()
        }
    }

    /// The alert's full name instead of `<prefix>FastBurn` (page), `<prefix>SlowBurn` (ticket)
    /// or `<prefix>SLIAbsent`. Both burn tiers may share a name, as Sloth's `alerting.name`
    /// does: they stay apart by their `tier` (or `sloth_severity`) and `severity` labels.
    #[track_caller]
    pub fn name(mut self, name: impl Into<String>) -> Tier {
        self.origins.insert("alertname".into(), Origin::caller());
        self.name = Some(name.into());
        self
    }

    /// The alert's `severity` label: [`AlertSeverity`] or one of the spec's own severities
    /// ([`crate::spec::Spec::severities`]), such as `"pageteam"`.
    #[track_caller]
    pub fn severity(mut self, severity: impl Into<SeverityName>) -> Tier {
        self.severity = Some(Set {
            value: severity.into(),
            origin: Origin::caller(),
        });
        self
    }

    /// How long the condition must hold before the alert fires.
    pub fn for_(mut self, duration: Duration) -> Tier {
        self.for_ = Some(duration);
        self
    }

    #[track_caller]
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Tier {
        let name = name.into();
        self.origins.insert(name.clone(), Origin::caller());
        self.labels.insert(name, value.into());
        self
    }

    pub fn annotation(mut self, name: impl Into<String>, value: impl Into<String>) -> Tier {
        self.annotations.insert(name.into(), value.into());
        self
    }

    pub fn runbook(self, url: impl Into<String>) -> Tier {
        self.annotation("runbook_url", url)
    }
}

/// How recorded series and alerts are labelled.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Naming {
    /// `slo` and `service` labels on every recorded series and alert.
    #[default]
    Sextant,
    /// As Sextant, plus Sloth's labels (`sloth_id`, `sloth_service`, `sloth_slo`, and
    /// `sloth_window` on SLI series, `sloth_severity` on alerts), so dashboards made for Sloth
    /// keep working. The series names are Sloth's in both modes.
    Sloth,
}

/// The labels Sextant writes on an SLO's series and alerts, under which names; `None` writes
/// none. By default `slo` and `service` on every series and alert, `tier` (`page` or `ticket`)
/// and `component="slo"` on alerts: the labels the default routing matches on. Only the names
/// written here are reserved; a spec whose own labels use them (Sloth's `tier: "2"`) renames or
/// drops Sextant's.
///
/// The series of an SLO are told apart by its `slo` and `service` labels; without an `slo`
/// label, [`Naming::Sloth`]'s `sloth_id`, `sloth_service` and `sloth_slo` do it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SloLabels {
    pub(crate) slo: Option<String>,
    pub(crate) service: Option<String>,
    pub(crate) tier: Option<String>,
    pub(crate) component: Option<(String, String)>,
}

impl Default for SloLabels {
    fn default() -> SloLabels {
        SloLabels {
            slo: Some("slo".into()),
            service: Some("service".into()),
            tier: Some("tier".into()),
            component: Some(("component".into(), "slo".into())),
        }
    }
}

impl SloLabels {
    /// No label of Sextant's: with [`Naming::Sloth`], exactly Sloth's labels.
    pub fn none() -> SloLabels {
        SloLabels {
            slo: None,
            service: None,
            tier: None,
            component: None,
        }
    }

    /// The label naming the SLO (`slo`), or none.
    pub fn slo(mut self, name: Option<&str>) -> SloLabels {
        self.slo = name.map(str::to_string);
        self
    }

    /// The label naming the service (`service`), or none.
    pub fn service(mut self, name: Option<&str>) -> SloLabels {
        self.service = name.map(str::to_string);
        self
    }

    /// The alerts' label saying `page` or `ticket` (`tier`), or none.
    pub fn tier(mut self, name: Option<&str>) -> SloLabels {
        self.tier = name.map(str::to_string);
        self
    }

    /// The alerts' `component="slo"` label, under another name and value, or none.
    pub fn component(mut self, label: Option<(&str, &str)>) -> SloLabels {
        self.component = label.map(|(n, v)| (n.to_string(), v.to_string()));
        self
    }

    /// The names Sextant writes, for the check of the SLO's own labels.
    pub(crate) fn names(&self) -> Vec<&str> {
        [&self.slo, &self.service, &self.tier]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .chain(self.component.as_ref().map(|(n, _)| n.as_str()))
            .collect()
    }
}

/// A service: its name and the labels every SLO of it carries (Sloth's top-level `labels`).
/// `Slo::new("requests-availability", &service)`; a plain name works too.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub(crate) name: String,
    pub(crate) labels: BTreeMap<String, Set<String>>,
}

impl Service {
    pub fn new(name: impl Into<String>) -> Service {
        Service {
            name: name.into(),
            labels: BTreeMap::new(),
        }
    }

    /// A label on every recorded series and alert of every SLO of the service.
    #[track_caller]
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Service {
        self.labels.insert(
            name.into(),
            Set {
                value: value.into(),
                origin: Origin::caller(),
            },
        );
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

impl From<&str> for Service {
    fn from(name: &str) -> Service {
        Service::new(name)
    }
}

impl From<String> for Service {
    fn from(name: String) -> Service {
        Service::new(name)
    }
}

impl From<&Service> for Service {
    fn from(service: &Service) -> Service {
        service.clone()
    }
}

/// A value with the line that set it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Set<T> {
    pub value: T,
    pub origin: Origin,
}

/// A service level objective: a target share of good events (or time) over a rolling window.
#[derive(Clone, Debug)]
pub struct Slo {
    pub(crate) name: String,
    pub(crate) service: String,
    pub(crate) description: String,
    pub(crate) objective: Option<Set<f64>>,
    pub(crate) window: Set<Duration>,
    pub(crate) sli: Option<Sli>,
    pub(crate) dimensions: Vec<&'static Label>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) alert_prefix: Option<Set<String>>,
    pub(crate) alert_labels: BTreeMap<String, String>,
    /// Where each label (of series or of alerts) was set.
    pub(crate) label_origins: BTreeMap<String, Origin>,
    /// Annotations of the burn-rate alerts (not of the absent alert, whose summary would lie).
    pub(crate) alert_annotations: BTreeMap<String, String>,
    /// The `runbook_url` of every alert, the absent alert's too.
    pub(crate) runbook: Option<String>,
    pub(crate) service_labels: BTreeMap<String, Set<String>>,
    pub(crate) sextant_labels: SloLabels,
    /// Where `.by` was called, for each dimension.
    pub(crate) dimension_origins: Vec<Origin>,
    pub(crate) page: Tier,
    pub(crate) ticket: Tier,
    pub(crate) absent: Tier,
    pub(crate) naming: Naming,
    /// Every alert window from the raw series, as Sloth computes them.
    pub(crate) raw_alert_windows: bool,
    pub(crate) origin: Origin,
}

impl Slo {
    /// An SLO named `name` (used in file names, labels and alert names) of `service`, over 30
    /// days by default.
    #[track_caller]
    pub fn new(name: impl Into<String>, service: impl Into<Service>) -> Slo {
        let origin = Origin::caller();
        let service = service.into();
        Slo {
            name: name.into(),
            service: service.name,
            service_labels: service.labels,
            sextant_labels: SloLabels::default(),
            dimension_origins: Vec::new(),
            runbook: None,
            description: String::new(),
            objective: None,
            window: Set {
                value: days(30),
                origin,
            },
            sli: None,
            dimensions: Vec::new(),
            labels: BTreeMap::new(),
            alert_prefix: None,
            label_origins: BTreeMap::new(),
            alert_labels: BTreeMap::new(),
            alert_annotations: BTreeMap::new(),
            page: Tier {
                origin,
                ..Tier::on()
            },
            ticket: Tier {
                origin,
                ..Tier::on()
            },
            absent: Tier {
                origin,
                ..Tier::on()
            },
            naming: Naming::default(),
            raw_alert_windows: false,
            origin,
        }
    }

    /// The objective in percent, such as `99.9`: strictly between 0 and 100.
    #[track_caller]
    pub fn objective(mut self, percent: f64) -> Slo {
        self.objective = Some(Set {
            value: percent,
            origin: Origin::caller(),
        });
        self
    }

    /// The rolling window the objective holds over (30 days unless set): `days(28)`, `days(7)`.
    #[track_caller]
    pub fn window(mut self, window: Duration) -> Slo {
        self.window = Set {
            value: window,
            origin: Origin::caller(),
        };
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Slo {
        self.description = text.into();
        self
    }

    pub fn sli(mut self, sli: Sli) -> Slo {
        self.sli = Some(sli);
        self
    }

    /// Keeps `label` in the SLI, so each of its values has its own SLI, budget and alerts
    /// (an SLO per critic, say). Selectors are summed `by` it; a template must keep it itself.
    #[track_caller]
    pub fn by(mut self, label: &'static Label) -> Slo {
        self.dimensions.push(label);
        self.dimension_origins.push(Origin::caller());
        self
    }

    /// A label on every recorded series and alert of this SLO.
    #[track_caller]
    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Slo {
        let name = name.into();
        self.label_origins.insert(name.clone(), Origin::caller());
        self.labels.insert(name, value.into());
        self
    }

    /// The start of the alert names: `<prefix>FastBurn`, `<prefix>SlowBurn`, `<prefix>SLIAbsent`.
    /// By default the service's and the SLO's names in CamelCase.
    #[track_caller]
    pub fn alert_prefix(mut self, prefix: impl Into<String>) -> Slo {
        self.alert_prefix = Some(Set {
            value: prefix.into(),
            origin: Origin::caller(),
        });
        self
    }

    /// A label on every alert of this SLO (not on recorded series).
    #[track_caller]
    pub fn alert_label(mut self, name: impl Into<String>, value: impl Into<String>) -> Slo {
        let name = name.into();
        self.label_origins.insert(name.clone(), Origin::caller());
        self.alert_labels.insert(name, value.into());
        self
    }

    /// An annotation on the burn-rate alerts of this SLO (Sloth's `alerting.annotations`). The
    /// absent alert has its own: `.absent_alert(Tier::on().annotation(..))`.
    pub fn alert_annotation(mut self, name: impl Into<String>, value: impl Into<String>) -> Slo {
        self.alert_annotations.insert(name.into(), value.into());
        self
    }

    /// The `runbook_url` of every alert of this SLO, the absent alert's too.
    pub fn runbook(mut self, url: impl Into<String>) -> Slo {
        self.runbook = Some(url.into());
        self
    }

    /// Which labels Sextant writes, under which names: [`SloLabels`].
    pub fn sextant_labels(mut self, labels: SloLabels) -> Slo {
        self.sextant_labels = labels;
        self
    }

    /// How the fast-burn (page) tier alerts; `Tier::off()` drops it.
    pub fn page(mut self, tier: Tier) -> Slo {
        self.page = tier;
        self
    }

    /// How the slow-burn (ticket) tier alerts; `Tier::off()` drops it.
    pub fn ticket(mut self, tier: Tier) -> Slo {
        self.ticket = tier;
        self
    }

    /// How the alert on missing SLI series alerts; `Tier::off()` drops it.
    pub fn absent_alert(mut self, tier: Tier) -> Slo {
        self.absent = tier;
        self
    }

    /// Computes every alert window (up to the slow tier's 3 days) from the raw series, as Sloth
    /// does, instead of building the windows over 6 hours from recorded 5-minute rates.
    ///
    /// Each evaluation then reads up to 3 days of raw samples, and a window covers the whole
    /// history from the start, not only what was recorded since the rules were deployed. An SLO
    /// imported from Sloth uses it, so its alerts fire exactly when Sloth's own rules do.
    pub fn raw_alert_windows(mut self) -> Slo {
        self.raw_alert_windows = true;
        self
    }

    pub fn naming(mut self, naming: Naming) -> Slo {
        self.naming = naming;
        self
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the SLO promises, as [`Slo::description`] set it.
    pub fn about(&self) -> &str {
        &self.description
    }

    /// The SLO's own window (its period).
    pub fn period(&self) -> Duration {
        self.window.value
    }
}
