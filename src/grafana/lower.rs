//! Lowering the Grafana DSL into [`ir`](crate::grafana::ir), collecting every diagnostic.
//!
//! Checked here, each at the Rust line that declared the item:
//! - uids, titles and names: valid and unique (`grafana/uid`, `grafana/duplicate-uid`,
//!   `grafana/duplicate-title`, `grafana/variable`, `grafana/datasource`);
//! - every query parses as PromQL once Grafana's variables are substituted (`promql/syntax`),
//!   uses only defined variables (`grafana/undefined-variable`), reads only series the catalog
//!   lists, a rule records or the spec declares external (`grafana/unknown-metric`), with the
//!   labels the catalog gives them (`grafana/unknown-label`), and takes rates over
//!   `$__rate_interval` or a variable rather than a fixed range (`grafana/rate-interval`); how
//!   certain the series and label checks are depends on whether the spec declares its scrape
//!   configuration ([`Known`]). `check_query` and `unknown_label` are also the file reader's;
//!   the panel and variable checks both share are in [`crate::grafana::checks`];
//! - datasources referred to exist, with the right plugin (`grafana/unknown-datasource`,
//!   `grafana/datasource-kind`);
//! - panels fit the grid and do not overlap (`grafana/layout`, `grafana/overlap`), have unique
//!   keys and ids (`grafana/duplicate-panel`), queries when they show data (`grafana/no-query`),
//!   ascending thresholds (`grafana/thresholds`) and min below max (`grafana/min-max`);
//! - links go to dashboards of the spec and tracing datasources that exist (`grafana/link`).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde_json::json;
use sextant_catalog::Catalog;

use crate::diagnostics::{Diagnostic, Place, Severity};
use crate::grafana::checks::{self, PanelFacts, PanelId};
use crate::grafana::codes;
use crate::grafana::ir::{self, DsUse, Target};
use crate::grafana::layout::{self, Item, COLUMNS};
use crate::grafana::variables::{VariableKind, VariableQuery};
use crate::grafana::{
    panel_id, url_encode, Dashboard, Datasource, DatasourceKind, DsRef, Grafana, Link, LinkTarget,
    Panel, Placement, Variable,
};
use crate::lint::labels::{Targets, OPEN_TARGETS};
use crate::lint::promql::BUILTIN_SERIES;
use crate::syntax::promql::{self, TokenKind};

/// Where Grafana reads provisioned dashboards when the spec does not say.
pub const DEFAULT_DASHBOARDS_PATH: &str = "/var/lib/grafana/dashboards";

/// What queries may read besides the catalog: recorded series and declared external ones; and
/// whether the world is closed.
///
/// With [`Targets::Known`] (a spec that declares its Prometheus scrape configuration) every
/// series a query may read is known: an unknown metric or label is certainly absent, an error.
/// With [`Targets::Open`] (a linted file, or a spec without a scrape configuration) the catalog
/// is the authority only on what it owns (`Catalog::owns`: its instrumented metrics and their
/// namespaces, `app_`): an unknown name there is an error, any other name is not checked; the
/// labels of an owned metric are an open set (an unknown one is a warning that says what it
/// rests on, [`OPEN_TARGETS`]) and those of a metric it does not own (`up`, `process_*`) are
/// not checked. The rule is the lints' (`promql/unknown-metric`, `promql/unknown-label`).
pub(crate) struct Known<'a> {
    pub(crate) catalog: &'a Catalog,
    pub(crate) recorded: &'a BTreeSet<String>,
    pub(crate) external: BTreeSet<&'a str>,
    pub(crate) targets: Targets,
}

impl Known<'_> {
    fn knows(&self, name: &str) -> bool {
        self.catalog.lookup(name).is_some()
            || self.recorded.contains(name)
            || self.external.contains(name)
            || BUILTIN_SERIES.contains(&name)
    }

    /// Whether a query reading `name`, which it does not know, certainly reads nothing.
    fn certainly_absent(&self, name: &str) -> bool {
        self.targets == Targets::Known || self.catalog.owns(name)
    }

    fn candidates(&self) -> impl Iterator<Item = String> + '_ {
        self.catalog
            .metrics
            .iter()
            .flat_map(|m| m.series_names())
            .chain(self.recorded.iter().cloned())
            .chain(self.external.iter().map(|s| s.to_string()))
    }
}

/// Lowers the Grafana part of a spec; `recorded` are the series the spec's rules record,
/// `targets` whether the spec declares its scrape configuration (see [`Known`]).
pub fn lower(
    grafana: &Grafana,
    catalog: &Catalog,
    recorded: &BTreeSet<String>,
    targets: Targets,
    diagnostics: &mut Vec<Diagnostic>,
) -> ir::Grafana {
    let known = Known {
        catalog,
        recorded,
        external: grafana
            .external_series
            .iter()
            .map(|(n, _)| n.as_str())
            .collect(),
        targets,
    };
    for (name, origin) in &grafana.external_series {
        if !promql::is_metric_name(name) {
            diagnostics.push(
                Diagnostic::error(
                    codes::EXTERNAL_SERIES,
                    format!("invalid external series name {name:?}"),
                )
                .at(origin)
                .snippet(
                    "external series",
                    name.as_str(),
                    0..name.len(),
                    "not a metric name",
                ),
            );
        } else if catalog.lookup(name).is_some() || recorded.contains(name) {
            diagnostics.push(
                Diagnostic::warning(
                    codes::PROVIDED_EXTERNAL,
                    format!("`{name}` is declared external but the spec itself provides it"),
                )
                .at(origin)
                .snippet(
                    "external series",
                    name.as_str(),
                    0..name.len(),
                    "provided by the catalog or a rule of the spec",
                )
                .note("remove it from `external_series`: it is checked like any other series now"),
            );
        }
    }
    datasources(&grafana.datasources, &known, diagnostics);
    let uids: BTreeSet<&str> = grafana.dashboards.iter().map(|d| d.uid.as_str()).collect();
    let mut seen_uids: BTreeMap<&str, &Place> = BTreeMap::new();
    let mut seen_titles: BTreeMap<&str, &Place> = BTreeMap::new();
    let mut dashboards = Vec::new();
    for dashboard in &grafana.dashboards {
        let origin = &dashboard.origin;
        if !is_uid(&dashboard.uid) {
            diagnostics.push(
                Diagnostic::error(codes::UID, format!("invalid dashboard uid {:?}", dashboard.uid))
                    .at(origin)
                    .snippet("dashboard", dashboard.uid.as_str(), 0..dashboard.uid.len(), "not a valid uid")
                    .note("a uid is 1 to 40 letters, digits, `-` and `_`; it is the dashboard's URL and file name"),
            );
        }
        if let Some(first) = seen_uids.insert(&dashboard.uid, origin) {
            diagnostics.push(
                Diagnostic::error(
                    codes::DUPLICATE_UID,
                    format!("dashboard uid {:?} is declared twice", dashboard.uid),
                )
                .at(origin)
                .related(first, "first declared here"),
            );
        }
        if dashboard.title.trim().is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    codes::DASHBOARD,
                    format!("dashboard {:?} has an empty title", dashboard.uid),
                )
                .at(origin),
            );
        } else if let Some(first) = seen_titles.insert(&dashboard.title, origin) {
            diagnostics.push(
                Diagnostic::error(
                    codes::DUPLICATE_TITLE,
                    format!("dashboard title {:?} is used twice", dashboard.title),
                )
                .at(origin)
                .related(first, "first used here")
                .note("Grafana refuses two provisioned dashboards with one title in one folder"),
            );
        }
        if dashboard.time_from.is_zero() {
            diagnostics.push(
                Diagnostic::error(
                    codes::DASHBOARD,
                    format!("dashboard {:?} has an empty time range", dashboard.uid),
                )
                .at(origin),
            );
        }
        dashboards.push(lower_dashboard(
            dashboard,
            &grafana.datasources,
            &uids,
            &known,
            diagnostics,
        ));
    }
    ir::Grafana {
        datasources: grafana.datasources.clone(),
        dashboards,
        provider: ir::Provider {
            folder: grafana.folder.clone().unwrap_or_default(),
            path: grafana
                .dashboards_path
                .clone()
                .unwrap_or_else(|| DEFAULT_DASHBOARDS_PATH.to_string()),
        },
    }
}

/// A dashboard or datasource uid: 1 to 40 of `[A-Za-z0-9_-]`.
pub fn is_uid(uid: &str) -> bool {
    (1..=40).contains(&uid.len())
        && uid
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn datasources(datasources: &[Datasource], known: &Known, diagnostics: &mut Vec<Diagnostic>) {
    let mut uids: BTreeMap<&str, &Place> = BTreeMap::new();
    let mut names: BTreeMap<&str, &Place> = BTreeMap::new();
    let kind_of = |uid: &str| datasources.iter().find(|d| d.uid == uid).map(|d| d.kind);
    if datasources.iter().filter(|d| d.is_default).count() > 1 {
        let second = datasources
            .iter()
            .filter(|d| d.is_default)
            .nth(1)
            .expect("two defaults");
        diagnostics.push(
            Diagnostic::error(codes::DATASOURCE, "more than one datasource is the default")
                .at(&second.origin)
                .note("Grafana accepts one default datasource per organisation"),
        );
    }
    for ds in datasources {
        let what = format!("datasource {}", ds.uid);
        if !is_uid(&ds.uid) {
            diagnostics.push(
                Diagnostic::error(codes::UID, format!("invalid datasource uid {:?}", ds.uid))
                    .at(&ds.origin)
                    .snippet(&what, ds.uid.as_str(), 0..ds.uid.len(), "not a valid uid")
                    .note("a uid is 1 to 40 letters, digits, `-` and `_`"),
            );
        }
        if let Some(first) = uids.insert(&ds.uid, &ds.origin) {
            diagnostics.push(
                Diagnostic::error(
                    codes::DUPLICATE_UID,
                    format!("datasource uid {:?} is declared twice", ds.uid),
                )
                .at(&ds.origin)
                .related(first, "first declared here"),
            );
        }
        if let Some(first) = names.insert(&ds.name, &ds.origin) {
            diagnostics.push(
                Diagnostic::error(
                    codes::DATASOURCE,
                    format!("datasource name {:?} is used twice", ds.name),
                )
                .at(&ds.origin)
                .related(first, "first used here"),
            );
        }
        if !(ds.url.starts_with("http://") || ds.url.starts_with("https://")) {
            diagnostics.push(
                Diagnostic::error(
                    codes::DATASOURCE,
                    format!("{what} has the URL {:?}, not an http(s) URL", ds.url),
                )
                .at(&ds.origin)
                .snippet(
                    &what,
                    ds.url.as_str(),
                    0..ds.url.len(),
                    "not http:// or https://",
                ),
            );
        }
        if let Some((label, target)) = &ds.exemplar_traces {
            if ds.kind != DatasourceKind::Prometheus {
                diagnostics.push(
                    Diagnostic::error(
                        codes::DATASOURCE_KIND,
                        format!(
                            "{what} links exemplars to traces but is not a Prometheus datasource"
                        ),
                    )
                    .at(&ds.origin),
                );
            }
            if !promql::is_label_name(label) {
                diagnostics.push(
                    Diagnostic::error(
                        codes::DATASOURCE,
                        format!("{what}: exemplar label {label:?} is not a label name"),
                    )
                    .at(&ds.origin)
                    .snippet(
                        &what,
                        label.as_str(),
                        0..label.len(),
                        "not a label name",
                    ),
                );
            }
            check_tracing_target(&what, target, kind_of(target), &ds.origin, diagnostics);
        }
        if let Some(t2m) = &ds.traces_to_metrics {
            if ds.kind != DatasourceKind::Jaeger {
                diagnostics.push(
                    Diagnostic::error(
                        codes::DATASOURCE_KIND,
                        format!("{what} links traces to metrics but is not a tracing datasource"),
                    )
                    .at(&ds.origin),
                );
            }
            match kind_of(&t2m.datasource_uid) {
                None => {
                    diagnostics.push(unknown_datasource(&what, &t2m.datasource_uid, &ds.origin))
                }
                Some(DatasourceKind::Prometheus) => {}
                Some(other) => diagnostics.push(
                    Diagnostic::error(
                        codes::DATASOURCE_KIND,
                        format!(
                            "{what} sends traces-to-metrics queries to {:?}, a {} datasource",
                            t2m.datasource_uid,
                            other.as_str()
                        ),
                    )
                    .at(&ds.origin)
                    .note("the queries are PromQL: point them at a Prometheus datasource"),
                ),
            }
            for (_, label) in &t2m.tags {
                if !promql::is_label_name(label) {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::DATASOURCE,
                            format!(
                                "{what}: traces-to-metrics tag maps to {label:?}, not a label name"
                            ),
                        )
                        .at(&ds.origin)
                        .snippet(
                            &what,
                            label.as_str(),
                            0..label.len(),
                            "not a label name",
                        ),
                    );
                }
            }
            let scope = Scope {
                variables: BTreeMap::new(),
                tags: true,
                rate_interval: false,
            };
            for (name, expr, origin) in &t2m.queries {
                let what = format!("{what}: traces-to-metrics query {name:?}");
                check_query(&what, &expr.0, origin, &scope, known, diagnostics);
            }
        }
    }
}

fn check_tracing_target(
    what: &str,
    uid: &str,
    kind: Option<DatasourceKind>,
    origin: &Place,
    diagnostics: &mut Vec<Diagnostic>,
) {
    match kind {
        None => diagnostics.push(unknown_datasource(what, uid, origin)),
        Some(DatasourceKind::Jaeger) => {}
        Some(other) => diagnostics.push(
            Diagnostic::error(
                codes::DATASOURCE_KIND,
                format!(
                    "{what} opens traces in {uid:?}, a {} datasource",
                    other.as_str()
                ),
            )
            .at(origin)
            .note("traces open in a tracing datasource such as Jaeger"),
        ),
    }
}

fn unknown_datasource(what: &str, uid: &str, origin: &Place) -> Diagnostic {
    Diagnostic::error(
        codes::UNKNOWN_DATASOURCE,
        format!("{what} refers to the datasource {uid:?}, which is not provisioned"),
    )
    .at(origin)
    .snippet(what, uid, 0..uid.len(), "no datasource has this uid")
    .note("declare it with `Grafana::datasource`, or use the uid of one that is")
}

/// The variables a query may use.
pub(crate) struct Scope<'a> {
    pub(crate) variables: BTreeMap<&'a str, &'a Variable>,
    /// `$__tags` (traces-to-metrics queries only).
    pub(crate) tags: bool,
    /// Whether rates must range over a variable (in panels and annotations, not in
    /// traces-to-metrics queries, where Grafana's interval variables do not exist).
    pub(crate) rate_interval: bool,
}

fn lower_dashboard(
    dashboard: &Dashboard,
    datasources: &[Datasource],
    uids: &BTreeSet<&str>,
    known: &Known,
    diagnostics: &mut Vec<Diagnostic>,
) -> ir::Dashboard {
    let name = format!("dashboard {}", dashboard.uid);
    let scope = checks::variables(Some(&name), &dashboard.variables, diagnostics);
    let resolve = |what: &str,
                   ds: &DsRef,
                   origin: &Place,
                   diagnostics: &mut Vec<Diagnostic>|
     -> Option<DsUse> {
        match ds {
            DsRef::Uid(uid) => match datasources.iter().find(|d| &d.uid == uid) {
                Some(d) => Some(DsUse {
                    kind: d.kind,
                    uid: uid.clone(),
                }),
                None => {
                    diagnostics.push(unknown_datasource(what, uid, origin));
                    None
                }
            },
            DsRef::Variable(var) => match scope.variables.get(var.as_str()).map(|v| &v.kind) {
                Some(VariableKind::Datasource { kind, .. }) => Some(DsUse {
                    kind: *kind,
                    uid: format!("${{{var}}}"),
                }),
                Some(_) => {
                    diagnostics.push(
                        Diagnostic::error(codes::UNDEFINED_VARIABLE, format!("{what} uses `{var}` as a datasource, but it is not a datasource variable"))
                            .at(origin),
                    );
                    None
                }
                None => {
                    diagnostics.push(
                        Diagnostic::error(codes::UNDEFINED_VARIABLE, format!("{what} uses the datasource variable `{var}`, which {name} does not define"))
                            .at(origin)
                            .snippet(what, var.as_str(), 0..var.len(), "not defined")
                            .note("declare it with `Variable::datasource`"),
                    );
                    None
                }
            },
        }
    };
    let prometheus = |what: &str,
                      ds: Option<DsUse>,
                      origin: &Place,
                      diagnostics: &mut Vec<Diagnostic>|
     -> Option<DsUse> {
        let ds = ds?;
        if ds.kind != DatasourceKind::Prometheus {
            diagnostics.push(
                Diagnostic::error(
                    codes::DATASOURCE_KIND,
                    format!(
                        "{what} runs PromQL on {:?}, a {} datasource",
                        ds.uid,
                        ds.kind.as_str()
                    ),
                )
                .at(origin),
            );
            return None;
        }
        Some(ds)
    };
    let mut variables = Vec::new();
    for variable in &dashboard.variables {
        let what = format!("{name}: variable {}", variable.name);
        let ds = match &variable.kind {
            VariableKind::Datasource { kind, default_uid } => {
                if let Some(uid) = default_uid {
                    match datasources.iter().find(|d| &d.uid == uid) {
                        None => diagnostics.push(unknown_datasource(&what, uid, &variable.origin)),
                        Some(d) if d.kind != *kind => diagnostics.push(
                            Diagnostic::error(
                                codes::DATASOURCE_KIND,
                                format!(
                                    "{what} picks {} datasources but defaults to {uid:?}, a {} one",
                                    kind.as_str(),
                                    d.kind.as_str()
                                ),
                            )
                            .at(&variable.origin),
                        ),
                        Some(_) => {}
                    }
                }
                None
            }
            VariableKind::Query { datasource, query } => {
                if let VariableQuery::LabelValues { metric, label } = query {
                    if known.catalog.get(metric.name).is_none() {
                        diagnostics.push(
                            Diagnostic::error(
                                codes::UNKNOWN_METRIC,
                                format!(
                                    "{what} reads `{}`, which is not in the spec's catalog",
                                    metric.name
                                ),
                            )
                            .at(&variable.origin),
                        );
                    } else if let Some(d) = unknown_label(known, metric.name, label.name, || {
                        format!(
                            "{what} asks for the values of `{}`, which `{}` does not have",
                            label.name, metric.name
                        )
                    }) {
                        diagnostics.push(d.at(&variable.origin));
                    }
                }
                let ds = resolve(&what, datasource, &variable.origin, diagnostics);
                prometheus(&what, ds, &variable.origin, diagnostics)
            }
            VariableKind::Custom { values } => {
                if values.is_empty() {
                    diagnostics.push(
                        Diagnostic::error(codes::VARIABLE, format!("{what} has no values"))
                            .at(&variable.origin),
                    );
                }
                None
            }
            VariableKind::Interval { values } => {
                if values.is_empty() {
                    diagnostics.push(
                        Diagnostic::error(codes::VARIABLE, format!("{what} has no values"))
                            .at(&variable.origin),
                    );
                }
                if values.iter().any(|v| v.is_zero()) {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::VARIABLE,
                            format!("{what} has an interval of zero"),
                        )
                        .at(&variable.origin),
                    );
                }
                None
            }
        };
        variables.push((variable.clone(), ds));
    }
    let default_ds = dashboard.datasource.as_ref().and_then(|ds| {
        let ds = resolve(&name, ds, &dashboard.origin, diagnostics);
        prometheus(&name, ds, &dashboard.origin, diagnostics)
    });
    let links = dashboard
        .links
        .iter()
        .filter_map(|l| lower_link(&name, l, datasources, uids, diagnostics))
        .collect();
    let mut annotations = Vec::new();
    for annotation in &dashboard.annotations {
        let what = format!("{name}: annotation {:?}", annotation.name);
        check_query(
            &what,
            &annotation.expr.0,
            &annotation.origin,
            &scope,
            known,
            diagnostics,
        );
        let ds = resolve(
            &what,
            &annotation.datasource,
            &annotation.origin,
            diagnostics,
        );
        if let Some(ds) = prometheus(&what, ds, &annotation.origin, diagnostics) {
            annotations.push((annotation.clone(), ds));
        }
    }
    let panels = lower_panels(
        &name,
        dashboard,
        default_ds.as_ref(),
        &scope,
        known,
        datasources,
        uids,
        &resolve,
        &prometheus,
        diagnostics,
    );
    ir::Dashboard {
        uid: dashboard.uid.clone(),
        title: dashboard.title.clone(),
        description: dashboard.description.clone(),
        tags: dashboard.tags.clone(),
        time_from: format!("now-{}", dashboard.time_from),
        refresh: dashboard.refresh.map(|r| r.to_string()),
        shared_crosshair: dashboard.shared_crosshair,
        variables,
        links,
        annotations,
        panels,
        source: dashboard.origin.origin().map_or("", |o| o.file),
    }
}

/// A label a query or a variable uses on the series `name` that the catalog does not give it,
/// as a diagnostic with `message` (see [`Known`] for what it rests on); `None` when the label
/// is known or the series' labels are not checked.
pub(crate) fn unknown_label(
    known: &Known,
    name: &str,
    label: &str,
    message: impl FnOnce() -> String,
) -> Option<Diagnostic> {
    let found = known.catalog.lookup(name)?;
    let open = known.targets == Targets::Open;
    if open && !known.catalog.owns(name) {
        return None;
    }
    let ok = found.metric.label(label).is_some()
        || promql_target_label(label)
        || label == "__name__"
        || (label == "le" && found.suffix == Some("_bucket"))
        || label.starts_with('$');
    if ok {
        return None;
    }
    let d = Diagnostic::new(
        if open {
            Severity::Warning
        } else {
            Severity::Error
        },
        codes::UNKNOWN_LABEL,
        message(),
    )
    .note(format!(
        "`{}` has the labels: {}",
        found.metric.name,
        label_list(found.metric)
    ));
    Some(if open {
        d.note(format!("this rests on an assumption: {OPEN_TARGETS}"))
    } else {
        d
    })
}

fn promql_target_label(label: &str) -> bool {
    crate::lint::promql::TARGET_LABELS.contains(&label)
}

fn label_list(metric: &sextant_catalog::Metric) -> String {
    let mut labels: Vec<&str> = metric.labels.iter().map(|l| l.name).collect();
    labels.extend(crate::lint::promql::TARGET_LABELS);
    labels
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

type Resolve<'a> = dyn Fn(&str, &DsRef, &Place, &mut Vec<Diagnostic>) -> Option<DsUse> + 'a;
type Prometheus<'a> =
    dyn Fn(&str, Option<DsUse>, &Place, &mut Vec<Diagnostic>) -> Option<DsUse> + 'a;

#[allow(clippy::too_many_arguments)]
fn lower_panels(
    name: &str,
    dashboard: &Dashboard,
    default_ds: Option<&DsUse>,
    scope: &Scope,
    known: &Known,
    datasources: &[Datasource],
    uids: &BTreeSet<&str>,
    resolve: &Resolve,
    prometheus: &Prometheus,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<ir::Panel> {
    // Layout first, over every panel as if every row were open.
    let items: Vec<Item> = dashboard
        .panels
        .iter()
        .map(|panel| match panel {
            Panel::Row(row) => Item {
                placement: row
                    .line
                    .map_or(Placement::Auto, |y| Placement::At { x: 0, y }),
                w: COLUMNS,
                h: 1,
                row: true,
            },
            panel => {
                let c = panel.common().expect("not a row");
                Item {
                    placement: c.placement,
                    w: c.width,
                    h: c.height,
                    row: false,
                }
            }
        })
        .collect();
    let grid = layout::place(&items);
    let mut keys: BTreeMap<String, &Place> = BTreeMap::new();
    let mut facts: Vec<PanelFacts> = Vec::new();
    let mut row_title = String::new();
    let mut out: Vec<ir::Panel> = Vec::new();
    let mut in_collapsed_row = false;
    for (index, panel) in dashboard.panels.iter().enumerate() {
        let pos = grid[index];
        let title = panel.title();
        let what = format!("{name}: {} panel {title:?}", panel.type_id());
        let origin = panel.origin();
        let keyed = panel.common().is_some_and(|c| c.key.is_some());
        if title.trim().is_empty() && !keyed {
            diagnostics.push(
                Diagnostic::error(
                    codes::PANEL,
                    format!("a {} panel of {name} has an empty title", panel.type_id()),
                )
                .at(origin),
            );
        }
        let key = match panel {
            Panel::Row(row) => {
                row_title = row.title.clone();
                format!("row/{}", row.title)
            }
            panel => panel
                .common()
                .and_then(|c| c.key.clone())
                .unwrap_or_else(|| format!("{row_title}/{title}")),
        };
        let id = panel_id(&key);
        let duplicate_key = keys.insert(key.clone(), origin);
        if let Some(first) = duplicate_key {
            diagnostics.push(
                Diagnostic::error(codes::DUPLICATE_PANEL, format!("{what} has the same key as another panel: {key:?}"))
                    .at(origin)
                    .snippet(&what, title, 0..title.len(), "same row and title as another panel")
                    .related(first, "first declared here")
                    .note("a panel's id derives from its row's title and its own: retitle one, or give it a distinct `.key(..)`"),
            );
        }
        if let Some(c) = panel.common() {
            if c.width == 0 || c.width > COLUMNS {
                diagnostics.push(
                    Diagnostic::error(
                        codes::LAYOUT,
                        format!("{what} is {} columns wide; the grid has 24", c.width),
                    )
                    .at(origin)
                    .note("a width is 1 to 24 columns"),
                );
            }
            if c.height == 0 {
                diagnostics.push(
                    Diagnostic::error(codes::LAYOUT, format!("{what} has a height of zero"))
                        .at(origin),
                );
            }
        }
        facts.push(PanelFacts {
            what: what.clone(),
            name: format!("{} panel {title:?}", panel.type_id()),
            place: origin.clone(),
            grid: Some(pos),
            group: 0,
            // A duplicate key is reported as such, not again as the id it derives.
            id: duplicate_key.is_none().then(|| PanelId {
                value: i64::from(id),
                place: origin.clone(),
                key: Some(key.clone()),
            }),
        });
        let lowered = match panel {
            Panel::Row(row) => {
                in_collapsed_row = row.collapsed;
                ir::Panel {
                    id,
                    grid: pos,
                    kind: panel.clone(),
                    datasource: None,
                    targets: Vec::new(),
                    links: Vec::new(),
                    children: Vec::new(),
                }
            }
            panel => {
                let c = panel.common().expect("not a row");
                check_fields(&what, panel, diagnostics);
                let ds = match &c.datasource {
                    Some(ds) => prometheus(
                        &what,
                        resolve(&what, ds, origin, diagnostics),
                        origin,
                        diagnostics,
                    ),
                    None => default_ds.cloned(),
                };
                if panel.reads_data() && c.queries.is_empty() {
                    diagnostics.push(
                        Diagnostic::error(codes::NO_QUERY, format!("{what} has no query"))
                            .at(origin)
                            .note("add one with `.query(..)`"),
                    );
                }
                if !panel.reads_data() && !c.queries.is_empty() {
                    diagnostics.push(
                        Diagnostic::error(
                            codes::PANEL,
                            format!(
                                "{what} has queries, but a {} panel shows none",
                                panel.type_id()
                            ),
                        )
                        .at(&c.queries[0].origin),
                    );
                }
                if panel.reads_data()
                    && ds.is_none()
                    && c.datasource.is_none()
                    && dashboard.datasource.is_none()
                {
                    diagnostics.push(
                        Diagnostic::error(codes::UNKNOWN_DATASOURCE, format!("{what} has no datasource"))
                            .at(origin)
                            .note("set one for the whole dashboard with `Dashboard::datasource`, or on the panel"),
                    );
                }
                let mut targets = Vec::new();
                for (i, query) in c.queries.iter().enumerate() {
                    let ref_id = query.ref_id.clone().unwrap_or_else(|| ref_id(i));
                    let what = format!("{what}: query {ref_id}");
                    let ok = check_query(
                        &what,
                        &query.expr.0,
                        &query.origin,
                        scope,
                        known,
                        diagnostics,
                    );
                    if let (true, Some(ds)) = (ok, &ds) {
                        targets.push(Target {
                            ref_id,
                            interval: query.interval.clone(),
                            hidden: query.hidden,
                            expr: query.expr.0.trim().to_string(),
                            legend: query.legend.clone(),
                            instant: query.instant || matches!(panel, Panel::Table(_)),
                            exemplar: query.exemplar,
                            datasource: ds.clone(),
                        });
                    }
                }
                let links = c
                    .links
                    .iter()
                    .filter_map(|l| lower_link(&what, l, datasources, uids, diagnostics))
                    .collect();
                ir::Panel {
                    id,
                    grid: pos,
                    kind: panel.clone(),
                    datasource: ds,
                    targets,
                    links,
                    children: Vec::new(),
                }
            }
        };
        match out.last_mut() {
            Some(row) if in_collapsed_row && !matches!(panel, Panel::Row(_)) => {
                row.children.push(lowered)
            }
            _ => out.push(lowered),
        }
    }
    checks::panels(&facts, diagnostics);
    out
}

/// `A`, `B`, ..., `Z`, `AA`, ...
fn ref_id(index: usize) -> String {
    let letter = (b'A' + (index % 26) as u8) as char;
    if index < 26 {
        letter.to_string()
    } else {
        format!("{}{letter}", ref_id(index / 26 - 1))
    }
}

fn check_fields(what: &str, panel: &Panel, diagnostics: &mut Vec<Diagnostic>) {
    let c = panel.common().expect("not a row");
    if let (Some(min), Some(max)) = (c.min, c.max) {
        if min.partial_cmp(&max) != Some(std::cmp::Ordering::Less) {
            diagnostics.push(
                Diagnostic::error(
                    codes::MIN_MAX,
                    format!("{what} has min {min} and max {max}: min must be below max"),
                )
                .at(&c.origin),
            );
        }
    }
    for value in [c.min, c.max].into_iter().flatten() {
        if !value.is_finite() {
            diagnostics.push(
                Diagnostic::error(
                    codes::MIN_MAX,
                    format!("{what} has a min or max of {value}"),
                )
                .at(&c.origin),
            );
        }
    }
    if let Some(thresholds) = &c.thresholds {
        let values: Vec<f64> = thresholds.steps.iter().map(|(v, _)| *v).collect();
        if values.iter().any(|v| !v.is_finite()) || values.windows(2).any(|w| w[0] >= w[1]) {
            let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
            diagnostics.push(
                Diagnostic::error(
                    codes::THRESHOLDS,
                    format!(
                        "{what} has threshold steps {} that do not strictly ascend",
                        shown.join(", ")
                    ),
                )
                .at(&c.origin)
                .note("each step's value must be finite and above the previous one"),
            );
        }
    }
}

fn lower_link(
    what: &str,
    link: &Link,
    datasources: &[Datasource],
    uids: &BTreeSet<&str>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ir::Link> {
    let what = format!("{what}: link {:?}", link.title);
    let (kind, url, tags, icon) = match &link.target {
        LinkTarget::Url { url, icon } => {
            if !(url.starts_with("https://") || url.starts_with("http://") || url.starts_with('/'))
            {
                diagnostics.push(
                    Diagnostic::error(
                        codes::LINK,
                        format!(
                            "{what} goes to {url:?}, neither an http(s) URL nor a Grafana path"
                        ),
                    )
                    .at(&link.origin)
                    .snippet(
                        &what,
                        url.as_str(),
                        0..url.len(),
                        "not http://, https:// or /",
                    ),
                );
                return None;
            }
            if !Link::ICONS.contains(icon) {
                diagnostics.push(
                    Diagnostic::error(
                        codes::LINK,
                        format!("{what} has the icon {icon:?}, which Grafana does not have"),
                    )
                    .at(&link.origin)
                    .note(format!("an icon is one of: {}", Link::ICONS.join(", "))),
                );
                return None;
            }
            ("link", url.clone(), Vec::new(), *icon)
        }
        LinkTarget::Dashboard(uid) => {
            if !uids.contains(uid.as_str()) {
                diagnostics.push(
                    Diagnostic::error(
                        codes::LINK,
                        format!(
                            "{what} goes to the dashboard {uid:?}, which the spec does not declare"
                        ),
                    )
                    .at(&link.origin)
                    .snippet(
                        &what,
                        uid.as_str(),
                        0..uid.len(),
                        "no dashboard has this uid",
                    ),
                );
                return None;
            }
            ("link", format!("/d/{uid}"), Vec::new(), "dashboard")
        }
        LinkTarget::Tagged(tags) => {
            if tags.is_empty() {
                diagnostics.push(
                    Diagnostic::error(
                        codes::LINK,
                        format!("{what} lists dashboards by tag but names no tag"),
                    )
                    .at(&link.origin),
                );
                return None;
            }
            ("dashboards", String::new(), tags.clone(), "external link")
        }
        LinkTarget::Traces {
            datasource_uid,
            service,
        } => {
            let kind = datasources
                .iter()
                .find(|d| &d.uid == datasource_uid)
                .map(|d| d.kind);
            let before = diagnostics.len();
            check_tracing_target(&what, datasource_uid, kind, &link.origin, diagnostics);
            if diagnostics.len() > before {
                return None;
            }
            let panes = json!({
                "traces": {
                    "datasource": datasource_uid,
                    "queries": [{
                        "datasource": {"type": DatasourceKind::Jaeger.as_str(), "uid": datasource_uid},
                        "queryType": "search",
                        "refId": "A",
                        "service": service,
                    }],
                    "range": {"from": "now-1h", "to": "now"},
                }
            });
            let url = format!(
                "/explore?schemaVersion=1&panes={}",
                url_encode(&panes.to_string())
            );
            ("link", url, Vec::new(), "info")
        }
    };
    Some(ir::Link {
        title: link.title.clone(),
        kind,
        url,
        tags,
        icon,
        tooltip: link.tooltip.clone(),
        keep_time: link.keep_time,
        include_vars: link.include_vars,
        new_tab: link.new_tab,
    })
}

/// A query with Grafana's variables replaced by text that parses in their place, and the way
/// back from a byte of the result to a byte of the query as written.
#[derive(Debug, PartialEq)]
struct Substituted {
    text: String,
    /// For each byte of `text` (and its end): where it starts, and ends, in the original.
    starts: Vec<usize>,
    ends: Vec<usize>,
}

impl Substituted {
    fn original(&self, range: Range<usize>) -> Range<usize> {
        let start = self.starts[range.start.min(self.text.len())];
        let end = if range.end > range.start {
            self.ends[range.end.min(self.text.len())]
        } else {
            start
        };
        start..end.max(start)
    }
}

/// A variable reference in a query: its range and name.
struct VarRef {
    range: Range<usize>,
    name: String,
}

/// Finds `$name`, `${name}`, `${name:format}` and `[[name]]` (and `[[name:format]]`).
fn variable_refs(text: &str) -> Vec<VarRef> {
    let bytes = text.as_bytes();
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut refs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        if bytes[i] == b'$' && i + 1 < bytes.len() && bytes[i + 1] == b'{' {
            if let Some(close) = text[i..].find('}') {
                let inner = &text[i + 2..i + close];
                let name = inner.split(':').next().unwrap_or("").to_string();
                i += close + 1;
                refs.push(VarRef {
                    range: start..i,
                    name,
                });
                continue;
            }
        } else if bytes[i] == b'$' && i + 1 < bytes.len() && is_name(bytes[i + 1]) {
            i += 1;
            while i < bytes.len() && is_name(bytes[i]) {
                i += 1;
            }
            refs.push(VarRef {
                range: start..i,
                name: text[start + 1..i].to_string(),
            });
            continue;
        } else if text[i..].starts_with("[[") {
            if let Some(close) = text[i..].find("]]") {
                let inner = &text[i + 2..i + close];
                let name = inner.split(':').next().unwrap_or("").to_string();
                if !name.is_empty() && name.bytes().all(is_name) {
                    i += close + 2;
                    refs.push(VarRef {
                        range: start..i,
                        name,
                    });
                    continue;
                }
            }
        }
        i += 1;
    }
    refs
}

/// What a variable stands for while parsing: a duration in a range (`[...]`), a number for
/// Grafana's numeric variables, a label matcher for `$__tags`, a custom variable's first value
/// when it is a plain word or number (`histogram_quantile($q, ...)` needs a number), and a plain
/// word elsewhere (label values, inside strings, label names).
fn stand_in(name: &str, in_range: bool, scope: &Scope) -> Option<String> {
    let builtin = match name {
        "__rate_interval" | "__interval" | "__range" | "__auto" => Some("5m"),
        "__rate_interval_ms" | "__interval_ms" | "__range_ms" | "__range_s" | "__from" | "__to" => {
            Some("300")
        }
        "__tags" if scope.tags => Some("job=\"x\""),
        _ => None,
    };
    if let Some(text) = builtin {
        return Some(text.to_string());
    }
    let variable = scope.variables.get(name)?;
    let plain = |v: &str| {
        !v.is_empty()
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.'))
    };
    Some(match (&variable.kind, in_range) {
        (_, true) | (VariableKind::Interval { .. }, false) => "5m".to_string(),
        (VariableKind::Custom { values }, false) if values.first().is_some_and(|v| plain(v)) => {
            values[0].clone()
        }
        _ => "x".to_string(),
    })
}

/// Whether the text before `at` ends inside a range or subquery bracket, just after `[`, `:`.
fn in_range_context(text: &str, at: usize) -> bool {
    matches!(text[..at].trim_end().chars().last(), Some('[') | Some(':'))
}

/// `text` with every variable replaced by text that parses in its place (the importer reads
/// the series of a query this way).
pub(crate) fn stand_in_variables(text: &str) -> String {
    let scope = Scope {
        variables: BTreeMap::new(),
        tags: false,
        rate_interval: true,
    };
    substitute(text, &scope).0.text
}

/// Substitutes every variable; returns the result and the references it did not know.
fn substitute(text: &str, scope: &Scope) -> (Substituted, Vec<VarRef>) {
    let mut out = Substituted {
        text: String::new(),
        starts: Vec::new(),
        ends: vec![0],
    };
    let mut unknown = Vec::new();
    let mut at = 0;
    for var in variable_refs(text) {
        out.text.push_str(&text[at..var.range.start]);
        for i in at..var.range.start {
            out.starts.push(i);
            out.ends.push(i + 1);
        }
        let in_range = in_range_context(&out.text, out.text.len());
        let replacement = match stand_in(&var.name, in_range, scope) {
            Some(r) => r,
            None => {
                unknown.push(VarRef {
                    range: var.range.clone(),
                    name: var.name.clone(),
                });
                (if in_range { "5m" } else { "x" }).to_string()
            }
        };
        for _ in replacement.bytes() {
            out.starts.push(var.range.start);
            out.ends.push(var.range.end);
        }
        out.text.push_str(&replacement);
        at = var.range.end;
    }
    out.text.push_str(&text[at..]);
    for i in at..text.len() {
        out.starts.push(i);
        out.ends.push(i + 1);
    }
    out.starts.push(text.len());
    (out, unknown)
}

/// Checks one query; returns whether it is valid (warnings aside). Every diagnostic is at
/// `origin`, with `expr` as its snippet when it is about a part of it.
pub(crate) fn check_query(
    what: &str,
    expr: &str,
    origin: &Place,
    scope: &Scope,
    known: &Known,
    diagnostics: &mut Vec<Diagnostic>,
) -> bool {
    let before = diagnostics.iter().filter(|d| d.is_error()).count();
    if expr.trim().is_empty() {
        diagnostics.push(
            Diagnostic::error(
                crate::rules::codes::PROMQL_SYNTAX,
                format!("{what} is empty"),
            )
            .at(origin),
        );
        return false;
    }
    let (sub, unknown) = substitute(expr, scope);
    for var in &unknown {
        diagnostics.push(
            Diagnostic::error(codes::UNDEFINED_VARIABLE, format!("{what} uses `${}`, which is not defined", var.name))
                .at(origin)
                .snippet(what, expr, var.range.clone(), "no such variable")
                .note(if origin.is_file() {
                    "define it in the dashboard's `templating.list`, or use one of Grafana's: $__rate_interval, $__interval, $__range"
                } else {
                    "declare it on the dashboard (`Dashboard::variable`), or use one of Grafana's: $__rate_interval, $__interval, $__range"
                }),
        );
    }
    let parsed = match promql::parse(&sub.text) {
        Ok(parsed) => parsed,
        Err(e) => {
            // A dashboard file's message names the query; a spec's points at it in the source.
            let message = if origin.is_file() {
                format!("{what}: {}", e.message)
            } else {
                e.message
            };
            diagnostics.push(
                Diagnostic::error(crate::rules::codes::PROMQL_SYNTAX, message)
                    .at(origin)
                    .snippet(what, expr, sub.original(e.range), e.label)
                    .note("Grafana's variables were replaced by sample values before parsing"),
            );
            return false;
        }
    };
    let analysis = promql::analyse(&parsed, &sub.text);
    let tokens = promql::tokens(&sub.text);
    for selector in &analysis.selectors {
        let Some(name) = &selector.name else { continue };
        let span = sub.original(selector.span.clone());
        // In a dashboard file, a series' name may be a variable: its stand-in is not a real name.
        let stand_in = origin.is_file()
            && (expr[span.clone()].starts_with('$') || expr[span.clone()].starts_with("[["));
        if !known.knows(name) && !stand_in {
            if known.certainly_absent(name) {
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_METRIC,
                    format!("{what} reads `{name}`, an unknown metric"),
                )
                .at(origin)
                .snippet(
                    what,
                    expr,
                    span.clone(),
                    "not in the catalog nor recorded by any rule",
                );
                if let Some(close) = closest(known, name) {
                    d = d.note(format!("did you mean `{close}`?"));
                }
                if known.targets == Targets::Open {
                    let namespace = known
                        .catalog
                        .namespaces()
                        .find(|ns| name.starts_with(ns))
                        .unwrap_or_default();
                    d = d.note(format!(
                        "the catalog owns the namespace `{namespace}`: the service exposes exactly the catalog's metrics"
                    ));
                }
                diagnostics.push(d.note(if origin.is_file() {
                    "dashboards read the catalog's metrics, the series recorded by the spec's rules and by the rule files linted with them, and the spec's external series"
                } else {
                    "dashboards read the catalog's metrics, the series the spec's rules record, and the spec's external series"
                }));
            }
        } else {
            for ((label, _, _), label_span) in selector.matchers.iter().zip(&selector.matcher_spans)
            {
                let fault = unknown_label(known, name, label, || {
                    format!("{what} matches `{label}` on `{name}`, which has no such label")
                });
                if let Some(d) = fault {
                    diagnostics.push(d.at(origin).snippet(
                        what,
                        expr,
                        sub.original(label_span.clone()),
                        "not a label of this metric",
                    ));
                }
            }
        }
        if scope.rate_interval
            && selector.range_ms.is_some()
            && matches!(selector.function, Some("rate" | "irate" | "increase"))
        {
            let open = tokens
                .iter()
                .position(|t| t.range.start >= selector.span.end && t.kind == TokenKind::Open('['));
            if let Some(open) = open {
                let close = tokens[open..]
                    .iter()
                    .find(|t| t.kind == TokenKind::Close(']'));
                if let Some(close) = close {
                    let inner = sub.original(tokens[open].range.end..close.range.start);
                    if !expr[inner.clone()].contains('$') && !expr[inner.clone()].contains("[[") {
                        diagnostics.push(
                            Diagnostic::warning(
                                codes::RATE_INTERVAL,
                                format!("{what} takes a {} over a fixed range `{}`", selector.function.unwrap_or("rate"), &expr[inner.clone()]),
                            )
                            .at(origin)
                            .snippet(what, expr, inner, "fixed range")
                            .note("use `$__rate_interval`: at least four scrapes at every zoom level, and no gaps when zoomed out"),
                        );
                    }
                }
            }
        }
    }
    diagnostics.iter().filter(|d| d.is_error()).count() == before
}

/// The known name nearest to `name`, when near enough to be a typo.
fn closest(known: &Known, name: &str) -> Option<String> {
    crate::diagnostics::suggest::closest(name, known.candidates())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::duration::mins;

    #[track_caller]
    fn check(text: &str, expect: &str) {
        let interval = Variable::interval("window", [mins(5)]);
        let custom = Variable::custom("critic", ["a"]);
        let quantile = Variable::custom("q", ["0.99", "0.5"]);
        let scope = Scope {
            variables: [("window", &interval), ("critic", &custom), ("q", &quantile)]
                .into_iter()
                .collect(),
            tags: false,
            rate_interval: true,
        };
        let (sub, unknown) = substitute(text, &scope);
        let unknown: Vec<String> = unknown
            .iter()
            .map(|v| format!("{}@{:?}", v.name, v.range))
            .collect();
        let got = format!("{} unknown=[{}]", sub.text, unknown.join(","));
        assert_eq!(got, expect, "{text}");
        assert_eq!(sub.starts.len(), sub.text.len() + 1);
        assert_eq!(sub.ends.len(), sub.text.len() + 1);
    }

    #[test]
    fn variables_are_substituted_by_context() {
        check("rate(x[$__rate_interval])", "rate(x[5m]) unknown=[]");
        check(
            "rate(x{critic=~\"$critic\"}[$window])",
            "rate(x{critic=~\"a\"}[5m]) unknown=[]",
        );
        check(
            "histogram_quantile($q, x)",
            "histogram_quantile(0.99, x) unknown=[]",
        );
        check("sum by (${critic:raw}) (x)", "sum by (a) (x) unknown=[]");
        check("x[[critic]] + y[ [[window]] ]", "xa + y[ 5m ] unknown=[]");
        check(
            "x{a=\"$nope\"}[$gone]",
            "x{a=\"x\"}[5m] unknown=[nope@5..10,gone@13..18]",
        );
        check("x / $__range_s", "x / 300 unknown=[]");
    }

    #[test]
    fn substituted_ranges_map_back_to_the_original() {
        let scope = Scope {
            variables: BTreeMap::new(),
            tags: false,
            rate_interval: true,
        };
        let text = "rate(eje_x[$__rate_interval]) + y";
        let (sub, _) = substitute(text, &scope);
        let y = sub.text.find('y').unwrap();
        assert_eq!(&text[sub.original(y..y + 1)], "y");
        let five = sub.text.find("5m").unwrap();
        assert_eq!(&text[sub.original(five..five + 2)], "$__rate_interval");
        assert_eq!(&text[sub.original(five + 1..five + 2)], "$__rate_interval");
    }

    #[test]
    fn ref_ids_count_like_spreadsheet_columns() {
        assert_eq!(ref_id(0), "A");
        assert_eq!(ref_id(25), "Z");
        assert_eq!(ref_id(26), "AA");
    }

    #[test]
    fn uids() {
        assert!(is_uid("eje-overview"));
        assert!(!is_uid(""));
        assert!(!is_uid("a b"));
        assert!(!is_uid(&"x".repeat(41)));
    }
}
