//! The SLO DSL: the raw values a spec writes. Nothing here validates; [`super::validate`] checks
//! everything once and reports each fault at the Rust line that declared it (every constructor
//! and every builder that sets a checked value records its caller).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use sextant_catalog::Label;

use crate::diagnostics::Origin;
use crate::rules::{AlertSeverity, Selector};
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
    /// window goes: `sum by (critic) (rate(eje_critic_failures_total[{{window}}]))`.
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
    pub(crate) severity: Option<AlertSeverity>,
    pub(crate) for_: Option<Duration>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) annotations: BTreeMap<String, String>,
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
    /// or `<prefix>SLIAbsent`.
    pub fn name(mut self, name: impl Into<String>) -> Tier {
        self.name = Some(name.into());
        self
    }

    pub fn severity(mut self, severity: AlertSeverity) -> Tier {
        self.severity = Some(severity);
        self
    }

    /// How long the condition must hold before the alert fires.
    pub fn for_(mut self, duration: Duration) -> Tier {
        self.for_ = Some(duration);
        self
    }

    pub fn label(mut self, name: impl Into<String>, value: impl Into<String>) -> Tier {
        self.labels.insert(name.into(), value.into());
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
    pub(crate) alert_annotations: BTreeMap<String, String>,
    pub(crate) page: Tier,
    pub(crate) ticket: Tier,
    pub(crate) absent: Tier,
    pub(crate) naming: Naming,
    pub(crate) origin: Origin,
}

impl Slo {
    /// An SLO named `name` (used in file names, labels and alert names) of `service`, over 30
    /// days by default.
    #[track_caller]
    pub fn new(name: impl Into<String>, service: impl Into<String>) -> Slo {
        let origin = Origin::caller();
        Slo {
            name: name.into(),
            service: service.into(),
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
    pub fn by(mut self, label: &'static Label) -> Slo {
        self.dimensions.push(label);
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

    /// An annotation on every alert of this SLO.
    pub fn alert_annotation(mut self, name: impl Into<String>, value: impl Into<String>) -> Slo {
        self.alert_annotations.insert(name.into(), value.into());
        self
    }

    /// The `runbook_url` of every alert of this SLO.
    pub fn runbook(self, url: impl Into<String>) -> Slo {
        self.alert_annotation("runbook_url", url)
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
