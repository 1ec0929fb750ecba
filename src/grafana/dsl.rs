//! The grafana DSL: the raw values a spec writes (see the module docs of [`crate::grafana`]).

use serde_json::{json, Value};

use super::{BarGauge, Datasource, Gauge, Heatmap, Row, Stat, Table, Text, TimeSeries, Variable};
use crate::diagnostics::Place;
use crate::rules::PromQl;
use crate::syntax::duration::Duration;

/// The `schemaVersion` of every dashboard emitted: Grafana's last v1 dashboard schema.
pub const SCHEMA_VERSION: u32 = 42;

/// Everything a spec declares for Grafana.
#[derive(Clone, Debug, Default)]
pub struct Grafana {
    pub(crate) datasources: Vec<Datasource>,
    pub(crate) dashboards: Vec<Dashboard>,
    pub(crate) folder: Option<String>,
    pub(crate) dashboards_path: Option<String>,
    pub(crate) external_series: Vec<(String, Place)>,
}

impl Grafana {
    pub fn new() -> Grafana {
        Grafana::default()
    }

    pub fn datasource(mut self, datasource: Datasource) -> Grafana {
        self.datasources.push(datasource);
        self
    }

    /// Adds `datasource` unless one with its uid is declared already.
    pub(crate) fn datasource_once(mut self, datasource: Datasource) -> Grafana {
        if !self.datasources.iter().any(|d| d.uid == datasource.uid) {
            self.datasources.push(datasource);
        }
        self
    }

    pub fn dashboard(mut self, dashboard: Dashboard) -> Grafana {
        self.dashboards.push(dashboard);
        self
    }

    pub fn dashboards(mut self, dashboards: impl IntoIterator<Item = Dashboard>) -> Grafana {
        self.dashboards.extend(dashboards);
        self
    }

    /// The Grafana folder the provisioned dashboards go in [default: the General folder].
    pub fn folder(mut self, folder: impl Into<String>) -> Grafana {
        self.folder = Some(folder.into());
        self
    }

    /// Where Grafana finds the dashboards' JSON files [default: `/var/lib/grafana/dashboards`].
    pub fn dashboards_path(mut self, path: impl Into<String>) -> Grafana {
        self.dashboards_path = Some(path.into());
        self
    }

    /// Series that dashboards may read though neither the catalog lists them nor a rule of this
    /// spec records them: recorded by rules compiled elsewhere. Each is reported as a warning
    /// once the catalog or a rule of the spec provides it, so the list shrinks to nothing.
    #[track_caller]
    pub fn external_series<S: Into<String>>(
        mut self,
        names: impl IntoIterator<Item = S>,
    ) -> Grafana {
        let origin = Place::caller();
        self.external_series
            .extend(names.into_iter().map(|n| (n.into(), origin.clone())));
        self
    }
}

/// A dashboard.
#[derive(Clone, Debug)]
pub struct Dashboard {
    pub(crate) uid: String,
    pub(crate) title: String,
    pub(crate) description: Option<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) time_from: Duration,
    pub(crate) refresh: Option<Duration>,
    pub(crate) shared_crosshair: bool,
    pub(crate) datasource: Option<DsRef>,
    pub(crate) variables: Vec<Variable>,
    pub(crate) links: Vec<Link>,
    pub(crate) annotations: Vec<Annotation>,
    pub(crate) panels: Vec<Panel>,
    pub(crate) origin: Place,
}

impl Dashboard {
    /// A dashboard with a stable `uid` (at most 40 letters, digits, `-` and `_`; it is also its
    /// file name and its URL, `/d/<uid>`) and a title.
    #[track_caller]
    pub fn new(uid: impl Into<String>, title: impl Into<String>) -> Dashboard {
        Dashboard {
            uid: uid.into(),
            title: title.into(),
            description: None,
            tags: Vec::new(),
            time_from: crate::syntax::duration::hours(6),
            refresh: None,
            shared_crosshair: true,
            datasource: None,
            variables: Vec::new(),
            links: Vec::new(),
            annotations: Vec::new(),
            panels: Vec::new(),
            origin: Place::caller(),
        }
    }

    pub fn description(mut self, text: impl Into<String>) -> Dashboard {
        self.description = Some(text.into());
        self
    }

    pub fn tag(mut self, tag: impl Into<String>) -> Dashboard {
        self.tags.push(tag.into());
        self
    }

    /// The default time range: the last `range` [default: 6h].
    pub fn time(mut self, range: Duration) -> Dashboard {
        self.time_from = range;
        self
    }

    /// How often the dashboard refreshes [default: never].
    pub fn refresh(mut self, every: Duration) -> Dashboard {
        self.refresh = Some(every);
        self
    }

    /// Turns off the crosshair shared between panels (on by default).
    pub fn no_shared_crosshair(mut self) -> Dashboard {
        self.shared_crosshair = false;
        self
    }

    /// The datasource of every panel that does not name its own.
    pub fn datasource(mut self, datasource: DsRef) -> Dashboard {
        self.datasource = Some(datasource);
        self
    }

    pub fn variable(mut self, variable: Variable) -> Dashboard {
        self.variables.push(variable);
        self
    }

    pub fn link(mut self, link: Link) -> Dashboard {
        self.links.push(link);
        self
    }

    pub fn annotation(mut self, annotation: Annotation) -> Dashboard {
        self.annotations.push(annotation);
        self
    }

    pub fn panel(mut self, panel: impl Into<Panel>) -> Dashboard {
        self.panels.push(panel.into());
        self
    }

    pub fn panels<P: Into<Panel>>(mut self, panels: impl IntoIterator<Item = P>) -> Dashboard {
        self.panels.extend(panels.into_iter().map(Into::into));
        self
    }

    pub fn uid(&self) -> &str {
        &self.uid
    }
}

/// How a panel, variable or annotation names its datasource: by the uid of a provisioned
/// datasource, or through a datasource variable of the dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DsRef {
    Uid(String),
    Variable(String),
}

impl DsRef {
    pub fn uid(uid: impl Into<String>) -> DsRef {
        DsRef::Uid(uid.into())
    }

    /// `${name}`: the datasource variable `name`.
    pub fn variable(name: impl Into<String>) -> DsRef {
        DsRef::Variable(name.into())
    }
}

/// A PromQL query of a panel (a Grafana "target").
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub(crate) expr: PromQl,
    pub(crate) legend: Option<String>,
    pub(crate) instant: bool,
    pub(crate) exemplar: bool,
    pub(crate) ref_id: Option<String>,
    pub(crate) interval: Option<String>,
    pub(crate) hidden: bool,
    pub(crate) origin: Place,
}

impl Query {
    #[track_caller]
    pub fn new(expr: impl Into<PromQl>) -> Query {
        Query {
            expr: expr.into(),
            legend: None,
            instant: false,
            exemplar: false,
            ref_id: None,
            interval: None,
            hidden: false,
            origin: Place::caller(),
        }
    }

    /// The query's id in its panel (`A`, `B`, ...) [default: its position's letter]. Set by
    /// imported dashboards, whose transformations and links may name the ids they had.
    pub fn ref_id(mut self, id: impl Into<String>) -> Query {
        self.ref_id = Some(id.into());
        self
    }

    /// Runs the query without showing its result (other queries or transformations may use
    /// it); it is still checked.
    pub fn hidden(mut self) -> Query {
        self.hidden = true;
        self
    }

    /// The smallest step between points, such as `1m` or `$interval` [default: Grafana's].
    pub fn interval(mut self, interval: impl Into<String>) -> Query {
        self.interval = Some(interval.into());
        self
    }

    /// The series' name in the legend, such as `{{critic}}`.
    pub fn legend(mut self, format: impl Into<String>) -> Query {
        self.legend = Some(format.into());
        self
    }

    /// Evaluates at the end of the range only (tables, stats).
    pub fn instant(mut self) -> Query {
        self.instant = true;
        self
    }

    /// Also fetches exemplars: points that link to the trace they were recorded in.
    pub fn exemplars(mut self) -> Query {
        self.exemplar = true;
        self
    }
}

impl From<&str> for Query {
    #[track_caller]
    fn from(expr: &str) -> Query {
        Query::new(expr)
    }
}

impl From<String> for Query {
    #[track_caller]
    fn from(expr: String) -> Query {
        Query::new(expr)
    }
}

/// A value's unit: the closed set of Grafana unit ids the spec uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unit {
    Seconds,
    Milliseconds,
    Bytes,
    /// A ratio in 0..1, shown as a percentage.
    PercentUnit,
    /// A percentage in 0..100.
    Percent,
    RequestsPerSecond,
    OpsPerSecond,
    BytesPerSecond,
    BitsPerSecond,
    PacketsPerSecond,
    WritesPerSecond,
    IoPerSecond,
    Short,
    None,
}

impl Unit {
    pub const ALL: [Unit; 14] = [
        Unit::Seconds,
        Unit::Milliseconds,
        Unit::Bytes,
        Unit::PercentUnit,
        Unit::Percent,
        Unit::RequestsPerSecond,
        Unit::OpsPerSecond,
        Unit::BytesPerSecond,
        Unit::BitsPerSecond,
        Unit::PacketsPerSecond,
        Unit::WritesPerSecond,
        Unit::IoPerSecond,
        Unit::Short,
        Unit::None,
    ];

    /// Grafana's unit id.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Seconds => "s",
            Unit::Milliseconds => "ms",
            Unit::Bytes => "bytes",
            Unit::PercentUnit => "percentunit",
            Unit::Percent => "percent",
            Unit::RequestsPerSecond => "reqps",
            Unit::OpsPerSecond => "ops",
            Unit::BytesPerSecond => "Bps",
            Unit::BitsPerSecond => "bps",
            Unit::PacketsPerSecond => "pps",
            Unit::WritesPerSecond => "wps",
            Unit::IoPerSecond => "iops",
            Unit::Short => "short",
            Unit::None => "none",
        }
    }

    /// The unit of a catalog metric's values, from its `unit` field.
    pub fn of_metric(metric: &sextant_catalog::Metric) -> Unit {
        match metric.unit {
            "seconds" => Unit::Seconds,
            "bytes" => Unit::Bytes,
            _ => Unit::Short,
        }
    }
}

/// A colour of Grafana's palette.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Color {
    Green,
    Yellow,
    Orange,
    Red,
    Blue,
    Purple,
    /// The theme's text colour.
    Text,
}

impl Color {
    pub fn as_str(self) -> &'static str {
        match self {
            Color::Green => "green",
            Color::Yellow => "yellow",
            Color::Orange => "orange",
            Color::Red => "red",
            Color::Blue => "blue",
            Color::Purple => "purple",
            Color::Text => "text",
        }
    }
}

/// Whether threshold values are absolute or percentages of the min..max range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdMode {
    Absolute,
    Percentage,
}

/// Colours by value: `base` below the first step, then each step's colour from its value up.
#[derive(Clone, Debug, PartialEq)]
pub struct Thresholds {
    pub(crate) mode: ThresholdMode,
    pub(crate) base: Color,
    pub(crate) steps: Vec<(f64, Color)>,
}

impl Thresholds {
    pub fn new(base: Color) -> Thresholds {
        Thresholds {
            mode: ThresholdMode::Absolute,
            base,
            steps: Vec::new(),
        }
    }

    /// From `value` up, `color`. Steps must ascend.
    pub fn step(mut self, value: f64, color: Color) -> Thresholds {
        self.steps.push((value, color));
        self
    }

    pub fn percentage(mut self) -> Thresholds {
        self.mode = ThresholdMode::Percentage;
        self
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut steps = vec![json!({"color": self.base.as_str(), "value": null})];
        steps.extend(
            self.steps
                .iter()
                .map(|(value, color)| json!({"color": color.as_str(), "value": value})),
        );
        let mode = match self.mode {
            ThresholdMode::Absolute => "absolute",
            ThresholdMode::Percentage => "percentage",
        };
        json!({"mode": mode, "steps": steps})
    }
}

/// How a legend is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendMode {
    List,
    Table,
    Hidden,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LegendPlacement {
    Bottom,
    Right,
}

/// A reduction of a series to one value, for legends and single-value panels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Calc {
    Last,
    Mean,
    Max,
    Min,
    Sum,
}

impl Calc {
    pub fn as_str(self) -> &'static str {
        match self {
            Calc::Last => "lastNotNull",
            Calc::Mean => "mean",
            Calc::Max => "max",
            Calc::Min => "min",
            Calc::Sum => "sum",
        }
    }
}

/// A legend: its mode, placement and the values shown beside each series.
#[derive(Clone, Debug, PartialEq)]
pub struct Legend {
    pub(crate) mode: LegendMode,
    pub(crate) placement: LegendPlacement,
    pub(crate) calcs: Vec<Calc>,
}

impl Default for Legend {
    fn default() -> Legend {
        Legend {
            mode: LegendMode::List,
            placement: LegendPlacement::Bottom,
            calcs: Vec::new(),
        }
    }
}

impl Legend {
    pub fn list() -> Legend {
        Legend::default()
    }

    /// A table with the given values per series (`mean`, `max`, ...).
    pub fn table(calcs: impl IntoIterator<Item = Calc>) -> Legend {
        Legend {
            mode: LegendMode::Table,
            placement: LegendPlacement::Bottom,
            calcs: calcs.into_iter().collect(),
        }
    }

    pub fn hidden() -> Legend {
        Legend {
            mode: LegendMode::Hidden,
            ..Legend::default()
        }
    }

    pub fn right(mut self) -> Legend {
        self.placement = LegendPlacement::Right;
        self
    }

    pub(crate) fn to_json(&self) -> Value {
        let mode = match self.mode {
            LegendMode::List => "list",
            LegendMode::Table => "table",
            LegendMode::Hidden => "hidden",
        };
        let placement = match self.placement {
            LegendPlacement::Bottom => "bottom",
            LegendPlacement::Right => "right",
        };
        let calcs: Vec<&str> = self.calcs.iter().map(|c| c.as_str()).collect();
        json!({
            "calcs": calcs,
            "displayMode": mode,
            "placement": placement,
            "showLegend": self.mode != LegendMode::Hidden,
        })
    }
}

/// A link shown on a dashboard or a panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub(crate) title: String,
    pub(crate) target: LinkTarget,
    pub(crate) tooltip: String,
    pub(crate) keep_time: bool,
    pub(crate) include_vars: bool,
    pub(crate) new_tab: bool,
    pub(crate) origin: Place,
}

/// Where a link goes.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkTarget {
    /// Any URL, absolute (`https://...`) or inside Grafana (`/...`).
    Url { url: String, icon: &'static str },
    /// Another dashboard of the spec, by uid (checked).
    Dashboard(String),
    /// Every dashboard with all these tags, as a dropdown.
    Tagged(Vec<String>),
    /// Grafana's Explore on a tracing datasource, searching a service's traces.
    Traces {
        datasource_uid: String,
        service: String,
    },
}

impl Link {
    #[track_caller]
    fn new(title: impl Into<String>, target: LinkTarget) -> Link {
        Link {
            title: title.into(),
            target,
            tooltip: String::new(),
            keep_time: false,
            include_vars: false,
            new_tab: false,
            origin: Place::caller(),
        }
    }

    #[track_caller]
    pub fn url(title: impl Into<String>, url: impl Into<String>) -> Link {
        Link::new(
            title,
            LinkTarget::Url {
                url: url.into(),
                icon: "external link",
            },
        )
    }

    /// A runbook: opens in a new tab.
    #[track_caller]
    pub fn runbook(title: impl Into<String>, url: impl Into<String>) -> Link {
        let mut link = Link::new(
            title,
            LinkTarget::Url {
                url: url.into(),
                icon: "doc",
            },
        );
        link.new_tab = true;
        link
    }

    /// Another dashboard of the spec, keeping the time range and variables.
    #[track_caller]
    pub fn dashboard(title: impl Into<String>, uid: impl Into<String>) -> Link {
        let mut link = Link::new(title, LinkTarget::Dashboard(uid.into()));
        link.keep_time = true;
        link.include_vars = true;
        link
    }

    /// Every dashboard tagged with all of `tags`.
    #[track_caller]
    pub fn tagged<S: Into<String>>(
        title: impl Into<String>,
        tags: impl IntoIterator<Item = S>,
    ) -> Link {
        let mut link = Link::new(
            title,
            LinkTarget::Tagged(tags.into_iter().map(Into::into).collect()),
        );
        link.keep_time = true;
        link
    }

    /// The traces of `service` in Explore, on the tracing datasource `datasource_uid`.
    #[track_caller]
    pub fn traces(
        title: impl Into<String>,
        datasource_uid: impl Into<String>,
        service: impl Into<String>,
    ) -> Link {
        let mut link = Link::new(
            title,
            LinkTarget::Traces {
                datasource_uid: datasource_uid.into(),
                service: service.into(),
            },
        );
        link.keep_time = true;
        link
    }

    pub fn tooltip(mut self, text: impl Into<String>) -> Link {
        self.tooltip = text.into();
        self
    }

    /// Whether the link carries the dashboard's time range.
    pub fn keep_time(mut self, keep: bool) -> Link {
        self.keep_time = keep;
        self
    }

    /// Whether the link carries the dashboard's variables.
    pub fn include_vars(mut self, include: bool) -> Link {
        self.include_vars = include;
        self
    }

    /// Whether the link opens in a new tab.
    pub fn new_tab(mut self, new_tab: bool) -> Link {
        self.new_tab = new_tab;
        self
    }

    /// The icon of a URL link: one of [`Link::ICONS`] (another value is reported when the
    /// dashboard is lowered); other targets keep their own.
    pub fn icon(mut self, icon: &'static str) -> Link {
        if let LinkTarget::Url { icon: own, .. } = &mut self.target {
            *own = icon;
        }
        self
    }

    /// The icons a link may show.
    pub const ICONS: [&'static str; 4] = ["external link", "doc", "dashboard", "info"];
}

/// Events drawn over time series: Grafana's own annotations, or a PromQL query's series.
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    pub(crate) name: String,
    pub(crate) datasource: DsRef,
    pub(crate) expr: PromQl,
    pub(crate) color: Color,
    pub(crate) title: Option<String>,
    pub(crate) text: Option<String>,
    pub(crate) tag_keys: Vec<String>,
    pub(crate) origin: Place,
}

impl Annotation {
    /// Marks the times the series of `expr` (on a Prometheus datasource) have a value.
    #[track_caller]
    pub fn prometheus(
        name: impl Into<String>,
        datasource: DsRef,
        expr: impl Into<PromQl>,
    ) -> Annotation {
        Annotation {
            name: name.into(),
            datasource,
            expr: expr.into(),
            color: Color::Red,
            title: None,
            text: None,
            tag_keys: Vec::new(),
            origin: Place::caller(),
        }
    }

    pub fn color(mut self, color: Color) -> Annotation {
        self.color = color;
        self
    }

    /// The event's title, with `{{label}}` templates.
    pub fn title(mut self, format: impl Into<String>) -> Annotation {
        self.title = Some(format.into());
        self
    }

    /// The event's text, with `{{label}}` templates.
    pub fn text(mut self, format: impl Into<String>) -> Annotation {
        self.text = Some(format.into());
        self
    }

    /// Labels whose values become the event's tags.
    pub fn tag_keys<S: Into<String>>(mut self, keys: impl IntoIterator<Item = S>) -> Annotation {
        self.tag_keys.extend(keys.into_iter().map(Into::into));
        self
    }
}

/// Where a panel goes on the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// After the previous panel (see the module docs).
    Auto,
    /// At column `x` (0..24), grid line `y`.
    At { x: u32, y: u32 },
}

/// What every panel kind has: title, description, size and place, datasource, queries, links,
/// and the standard field options (unit, min, max, decimals, thresholds).
#[derive(Clone, Debug, PartialEq)]
pub struct PanelCommon {
    pub(crate) title: String,
    pub(crate) key: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) placement: Placement,
    pub(crate) datasource: Option<DsRef>,
    pub(crate) queries: Vec<Query>,
    pub(crate) links: Vec<Link>,
    pub(crate) unit: Option<Unit>,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    pub(crate) decimals: Option<u32>,
    pub(crate) thresholds: Option<Thresholds>,
    pub(crate) origin: Place,
}

impl PanelCommon {
    pub(crate) fn new(title: String, width: u32, height: u32, origin: Place) -> PanelCommon {
        PanelCommon {
            title,
            key: None,
            description: None,
            width,
            height,
            placement: Placement::Auto,
            datasource: None,
            queries: Vec::new(),
            links: Vec::new(),
            unit: None,
            min: None,
            max: None,
            decimals: None,
            thresholds: None,
            origin,
        }
    }

    /// The standard field options as Grafana's `fieldConfig.defaults` (without `custom`).
    pub(crate) fn field_defaults(&self) -> serde_json::Map<String, Value> {
        let mut defaults = serde_json::Map::new();
        if let Some(unit) = self.unit {
            defaults.insert("unit".into(), json!(unit.as_str()));
        }
        if let Some(min) = self.min {
            defaults.insert("min".into(), json!(min));
        }
        if let Some(max) = self.max {
            defaults.insert("max".into(), json!(max));
        }
        if let Some(decimals) = self.decimals {
            defaults.insert("decimals".into(), json!(decimals));
        }
        if let Some(thresholds) = &self.thresholds {
            defaults.insert("thresholds".into(), thresholds.to_json());
            defaults.insert("color".into(), json!({"mode": "thresholds"}));
        } else {
            defaults.insert("color".into(), json!({"mode": "palette-classic"}));
        }
        defaults
    }
}

/// The builder methods every panel kind shares, implemented on each kind's struct (which has a
/// `common: PanelCommon` field).
macro_rules! panel_common {
    ($kind:ident) => {
        impl $kind {
            pub fn description(mut self, text: impl Into<String>) -> $kind {
                self.common.description = Some(text.into());
                self
            }

            /// The key the panel's id is derived from, instead of its row's and its own title.
            pub fn key(mut self, key: impl Into<String>) -> $kind {
                self.common.key = Some(key.into());
                self
            }

            /// The width in grid columns (1..=24).
            pub fn width(mut self, width: u32) -> $kind {
                self.common.width = width;
                self
            }

            /// The height in grid lines (at least 1).
            pub fn height(mut self, height: u32) -> $kind {
                self.common.height = height;
                self
            }

            /// Places the panel by hand at column `x` and grid line `y`.
            pub fn at(mut self, x: u32, y: u32) -> $kind {
                self.common.placement = $crate::grafana::Placement::At { x, y };
                self
            }

            /// The panel's datasource, instead of the dashboard's.
            pub fn datasource(mut self, datasource: $crate::grafana::DsRef) -> $kind {
                self.common.datasource = Some(datasource);
                self
            }

            /// Adds a query; a string becomes a [`Query`]($crate::grafana::Query) declared here.
            #[track_caller]
            pub fn query(mut self, query: impl Into<$crate::grafana::Query>) -> $kind {
                let mut query = query.into();
                query.origin = $crate::diagnostics::Place::caller();
                self.common.queries.push(query);
                self
            }

            pub fn link(mut self, link: $crate::grafana::Link) -> $kind {
                self.common.links.push(link);
                self
            }

            pub fn unit(mut self, unit: $crate::grafana::Unit) -> $kind {
                self.common.unit = Some(unit);
                self
            }

            pub fn min(mut self, min: f64) -> $kind {
                self.common.min = Some(min);
                self
            }

            pub fn max(mut self, max: f64) -> $kind {
                self.common.max = Some(max);
                self
            }

            pub fn decimals(mut self, decimals: u32) -> $kind {
                self.common.decimals = Some(decimals);
                self
            }

            pub fn thresholds(mut self, thresholds: $crate::grafana::Thresholds) -> $kind {
                self.common.thresholds = Some(thresholds);
                self
            }
        }

        impl From<$kind> for $crate::grafana::Panel {
            fn from(panel: $kind) -> $crate::grafana::Panel {
                $crate::grafana::Panel::$kind(panel)
            }
        }
    };
}
pub(crate) use panel_common;

/// A panel of any kind, or a row.
#[derive(Clone, Debug, PartialEq)]
pub enum Panel {
    TimeSeries(TimeSeries),
    Stat(Stat),
    Gauge(Gauge),
    BarGauge(BarGauge),
    Table(Table),
    Heatmap(Heatmap),
    Text(Text),
    Row(Row),
}

impl Panel {
    /// The common part; `None` for a row.
    pub fn common(&self) -> Option<&PanelCommon> {
        match self {
            Panel::TimeSeries(p) => Some(&p.common),
            Panel::Stat(p) => Some(&p.common),
            Panel::Gauge(p) => Some(&p.common),
            Panel::BarGauge(p) => Some(&p.common),
            Panel::Table(p) => Some(&p.common),
            Panel::Heatmap(p) => Some(&p.common),
            Panel::Text(p) => Some(&p.common),
            Panel::Row(_) => None,
        }
    }

    /// Grafana's panel plugin id.
    pub fn type_id(&self) -> &'static str {
        match self {
            Panel::TimeSeries(_) => "timeseries",
            Panel::Stat(_) => "stat",
            Panel::Gauge(_) => "gauge",
            Panel::BarGauge(_) => "bargauge",
            Panel::Table(_) => "table",
            Panel::Heatmap(_) => "heatmap",
            Panel::Text(_) => "text",
            Panel::Row(_) => "row",
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Panel::Row(row) => &row.title,
            panel => &panel.common().expect("not a row").title,
        }
    }

    pub fn origin(&self) -> &Place {
        match self {
            Panel::Row(row) => &row.origin,
            panel => &panel.common().expect("not a row").origin,
        }
    }

    /// Whether the panel shows query results (every kind but text and row).
    pub fn reads_data(&self) -> bool {
        !matches!(self, Panel::Text(_) | Panel::Row(_))
    }

    /// The panel kind's `options`.
    pub(crate) fn options(&self) -> Option<Value> {
        match self {
            Panel::TimeSeries(p) => Some(p.options()),
            Panel::Stat(p) => Some(p.options()),
            Panel::Gauge(p) => Some(p.options()),
            Panel::BarGauge(p) => Some(p.options()),
            Panel::Table(p) => Some(p.options()),
            Panel::Heatmap(p) => Some(p.options()),
            Panel::Text(p) => Some(p.options()),
            Panel::Row(_) => None,
        }
    }

    /// The panel kind's `fieldConfig.defaults.custom`, for the kinds that have one.
    pub(crate) fn custom(&self) -> Option<Value> {
        match self {
            Panel::TimeSeries(p) => Some(p.custom()),
            Panel::Table(p) => Some(p.custom()),
            Panel::Heatmap(p) => Some(p.custom()),
            _ => None,
        }
    }

    /// The response format the kind wants from Prometheus.
    pub(crate) fn format(&self) -> &'static str {
        match self {
            Panel::Table(_) => "table",
            Panel::Heatmap(_) => "heatmap",
            _ => "time_series",
        }
    }
}

/// 32-bit FNV-1a of `key`, folded into `1..2^31`: a panel's stable id.
pub fn panel_id(key: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    (hash & 0x7fff_ffff).max(1)
}

/// The text with Grafana's provisioning escape: `$` is written `$$`, since Grafana expands
/// `$VAR` and `${VAR}` from the environment in provisioning files.
pub fn escape_provisioning(text: &str) -> String {
    text.replace('$', "$$")
}

/// Percent-encodes `text` for a URL's query string.
pub(crate) fn url_encode(text: &str) -> String {
    // RFC 3986's unreserved characters stay; everything else is escaped.
    const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(text, ESCAPED).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panel_ids_are_stable_and_positive() {
        // Pinned: changing the hash renumbers every panel of every dashboard.
        assert_eq!(
            panel_id("Traffic/Decisions per second"),
            panel_id("Traffic/Decisions per second")
        );
        assert_ne!(panel_id("a"), panel_id("b"));
        assert_eq!(panel_id(""), 0x811c_9dc5 & 0x7fff_ffff);
        assert!((1..1 << 31).contains(&panel_id("x")));
    }

    #[test]
    fn units_are_grafana_unit_ids() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/reference/grafana-jsonschema/units.jsonschema.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (the shared/ folder must sit beside the repository)",
                path.display()
            )
        });
        let schema: Value = serde_json::from_str(&text).unwrap();
        let known: Vec<&str> = schema["definitions"]
            .as_object()
            .unwrap()
            .values()
            .filter_map(|d| d["const"].as_str())
            .collect();
        for unit in Unit::ALL {
            assert!(
                known.contains(&unit.as_str()),
                "{unit:?} is {:?}, not a Grafana unit",
                unit.as_str()
            );
        }
    }

    #[test]
    fn provisioning_escapes_dollars_and_urls_encode() {
        assert_eq!(escape_provisioning("{$__tags}"), "{$$__tags}");
        assert_eq!(url_encode("a b/{\"c\"}"), "a%20b%2F%7B%22c%22%7D");
    }
}

/// Helpers for the panel kinds' tests: Grafana's official schemas, read from `shared/` beside
/// the repository.
#[cfg(test)]
pub(crate) mod test_support {
    use serde_json::{json, Value};

    /// The official schema folder: `<repo>/../shared/reference/grafana-jsonschema`.
    pub fn official_dir() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/reference/grafana-jsonschema")
    }

    /// The errors of `value` against `#/definitions/<definition>` of `<kind>.jsonschema.json`.
    pub fn official_errors(kind: &str, definition: &str, value: &Value) -> Vec<String> {
        let path = official_dir().join(format!("{kind}.jsonschema.json"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (the shared/ folder must sit beside the repository)",
                path.display()
            )
        });
        let doc: Value = serde_json::from_str(&text).expect("official schemas are JSON");
        let schema = json!({
            "$schema": "http://json-schema.org/draft-07/schema#",
            "definitions": doc["definitions"],
            "$ref": format!("#/definitions/{definition}"),
        });
        let validator = jsonschema::validator_for(&schema).expect("official schemas compile");
        validator
            .iter_errors(value)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect()
    }
}
