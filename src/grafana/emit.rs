//! Grafana: one JSON file per dashboard, `grafana/dashboards/<uid>.json` (schemaVersion 42,
//! pretty-printed, keys sorted, trailing newline), one provisioning file per datasource,
//! `grafana/provisioning/datasources/<uid>.yml`, and the dashboard provider,
//! `grafana/provisioning/dashboards/sextant.yml`.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::grafana::ir::{self, DsUse};
use crate::grafana::{escape_provisioning, DatasourceKind, Panel, SCHEMA_VERSION};
use crate::output::Output;

/// The folders Grafana files are written to, relative to the output root, with their trailing `/`.
pub const DASHBOARDS_DIR: &str = "grafana/dashboards/";
pub const DATASOURCES_DIR: &str = "grafana/provisioning/datasources/";
pub const PROVIDERS_DIR: &str = "grafana/provisioning/dashboards/";

pub fn emit(grafana: &ir::Grafana, out: &mut Output) {
    for dashboard in &grafana.dashboards {
        let mut text =
            serde_json::to_string_pretty(&dashboard_json(dashboard)).expect("dashboards serialize");
        text.push('\n');
        out.add(format!("{DASHBOARDS_DIR}{}.json", dashboard.uid), text);
    }
    for datasource in &grafana.datasources {
        let file = DatasourceFile {
            api_version: 1,
            datasources: vec![datasource_yaml(datasource)],
        };
        let yaml = serde_yaml::to_string(&file).expect("datasources serialize");
        out.add(
            format!("{DATASOURCES_DIR}{}.yml", datasource.uid),
            format!(
                "{}{yaml}",
                crate::output::yaml_header(datasource.origin.file())
            ),
        );
    }
    if !grafana.dashboards.is_empty() {
        let mut sources: Vec<&str> = grafana.dashboards.iter().map(|d| d.source).collect();
        sources.sort();
        sources.dedup();
        let file = ProviderFile {
            api_version: 1,
            providers: vec![Provider {
                name: "sextant",
                org_id: 1,
                folder: escape_provisioning(&grafana.provider.folder),
                kind: "file",
                disable_deletion: true,
                allow_ui_updates: false,
                update_interval_seconds: 60,
                options: ProviderOptions {
                    path: escape_provisioning(&grafana.provider.path),
                    folders_from_files_structure: false,
                },
            }],
        };
        let yaml = serde_yaml::to_string(&file).expect("providers serialize");
        out.add(
            format!("{PROVIDERS_DIR}sextant.yml"),
            format!("{}{yaml}", crate::output::yaml_header(&sources.join(", "))),
        );
    }
}

fn ds_json(ds: &DsUse) -> Value {
    json!({"type": ds.kind.as_str(), "uid": ds.uid})
}

fn link_json(link: &ir::Link) -> Value {
    let mut v = json!({
        "asDropdown": link.kind == "dashboards",
        "icon": link.icon,
        "includeVars": link.include_vars,
        "keepTime": link.keep_time,
        "tags": link.tags,
        "targetBlank": link.new_tab,
        "title": link.title,
        "tooltip": link.tooltip,
        "type": link.kind,
    });
    if !link.url.is_empty() {
        v["url"] = json!(link.url);
    }
    v
}

fn dashboard_json(d: &ir::Dashboard) -> Value {
    let mut annotations = vec![json!({
        "builtIn": 1,
        "datasource": {"type": "grafana", "uid": "-- Grafana --"},
        "enable": true,
        "hide": true,
        "iconColor": "rgba(0, 211, 255, 1)",
        "name": "Annotations & Alerts",
        "type": "dashboard",
    })];
    for (a, ds) in &d.annotations {
        let mut v = json!({
            "datasource": ds_json(ds),
            "enable": true,
            "expr": a.expr.0.trim(),
            "hide": false,
            "iconColor": a.color.as_str(),
            "name": a.name,
            "useValueForTime": false,
        });
        if let Some(title) = &a.title {
            v["titleFormat"] = json!(title);
        }
        if let Some(text) = &a.text {
            v["textFormat"] = json!(text);
        }
        if !a.tag_keys.is_empty() {
            v["tagKeys"] = json!(a.tag_keys.join(","));
        }
        annotations.push(v);
    }
    let variables: Vec<Value> = d
        .variables
        .iter()
        .map(|(v, ds)| v.to_json(ds.as_ref().map(ds_json)))
        .collect();
    let mut v = json!({
        "annotations": {"list": annotations},
        "editable": false,
        "fiscalYearStartMonth": 0,
        "graphTooltip": if d.shared_crosshair { 1 } else { 0 },
        "links": d.links.iter().map(link_json).collect::<Vec<_>>(),
        "panels": d.panels.iter().map(panel_json).collect::<Vec<_>>(),
        "schemaVersion": SCHEMA_VERSION,
        "tags": d.tags,
        "templating": {"list": variables},
        "time": {"from": d.time_from, "to": "now"},
        "timepicker": {},
        "timezone": "browser",
        "title": d.title,
        "uid": d.uid,
        "version": 1,
    });
    if let Some(description) = &d.description {
        v["description"] = json!(description);
    }
    if let Some(refresh) = &d.refresh {
        v["refresh"] = json!(refresh);
    }
    v
}

fn panel_json(p: &ir::Panel) -> Value {
    let grid = json!({"h": p.grid.h, "w": p.grid.w, "x": p.grid.x, "y": p.grid.y});
    if let Panel::Row(row) = &p.kind {
        return json!({
            "collapsed": row.collapsed,
            "gridPos": grid,
            "id": p.id,
            "panels": p.children.iter().map(panel_json).collect::<Vec<_>>(),
            "title": row.title,
            "type": "row",
        });
    }
    let c = p.kind.common().expect("not a row");
    let mut defaults = match p.kind {
        Panel::Text(_) => Map::new(),
        _ => c.field_defaults(),
    };
    if let Some(custom) = p.kind.custom() {
        defaults.insert("custom".into(), custom);
    }
    let mut v = json!({
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "gridPos": grid,
        "id": p.id,
        "options": p.kind.options().expect("not a row"),
        "title": c.title,
        "type": p.kind.type_id(),
    });
    if let Some(description) = &c.description {
        v["description"] = json!(description);
    }
    if let Some(ds) = &p.datasource {
        if p.kind.reads_data() {
            v["datasource"] = ds_json(ds);
        }
    }
    if p.kind.reads_data() {
        v["targets"] = json!(p
            .targets
            .iter()
            .map(|t| target_json(t, p.kind.format()))
            .collect::<Vec<_>>());
    }
    if !p.links.is_empty() {
        v["links"] = json!(p.links.iter().map(link_json).collect::<Vec<_>>());
    }
    if let Panel::Table(table) = &p.kind {
        v["transformations"] = table.transformations();
    }
    v
}

fn target_json(t: &ir::Target, format: &str) -> Value {
    let mut v = json!({
        "datasource": ds_json(&t.datasource),
        "editorMode": "code",
        "exemplar": t.exemplar,
        "expr": t.expr,
        "format": format,
        "instant": t.instant,
        "legendFormat": t.legend.as_deref().unwrap_or("__auto"),
        "range": !t.instant,
        "refId": t.ref_id,
    });
    if let Some(interval) = &t.interval {
        v["interval"] = json!(interval);
    }
    if t.hidden {
        v["hide"] = json!(true);
    }
    v
}

#[derive(Serialize)]
struct DatasourceFile {
    #[serde(rename = "apiVersion")]
    api_version: u32,
    datasources: Vec<DatasourceYaml>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DatasourceYaml {
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    uid: String,
    access: &'static str,
    url: String,
    is_default: bool,
    editable: bool,
    json_data: JsonData,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonData {
    #[serde(skip_serializing_if = "Option::is_none")]
    http_method: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    exemplar_trace_id_destinations: Vec<ExemplarDestination>,
    #[serde(skip_serializing_if = "Option::is_none")]
    traces_to_metrics: Option<TracesToMetricsYaml>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node_graph: Option<NodeGraph>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExemplarDestination {
    name: String,
    datasource_uid: String,
    url_display_label: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TracesToMetricsYaml {
    datasource_uid: String,
    span_start_time_shift: String,
    span_end_time_shift: String,
    tags: Vec<Tag>,
    queries: Vec<T2mQuery>,
}

#[derive(Serialize)]
struct Tag {
    key: String,
    value: String,
}

#[derive(Serialize)]
struct T2mQuery {
    name: String,
    query: String,
}

#[derive(Serialize)]
struct NodeGraph {
    enabled: bool,
}

fn datasource_yaml(ds: &crate::grafana::Datasource) -> DatasourceYaml {
    let e = escape_provisioning;
    let prometheus = ds.kind == DatasourceKind::Prometheus;
    DatasourceYaml {
        name: e(&ds.name),
        kind: ds.kind.as_str(),
        uid: e(&ds.uid),
        access: "proxy",
        url: e(&ds.url),
        is_default: ds.is_default,
        editable: false,
        json_data: JsonData {
            http_method: prometheus.then_some("POST"),
            exemplar_trace_id_destinations: ds
                .exemplar_traces
                .iter()
                .map(|(label, uid)| ExemplarDestination {
                    name: e(label),
                    datasource_uid: e(uid),
                    url_display_label: "View trace",
                })
                .collect(),
            traces_to_metrics: ds.traces_to_metrics.as_ref().map(|t| TracesToMetricsYaml {
                datasource_uid: e(&t.datasource_uid),
                span_start_time_shift: format!("-{}", t.around),
                span_end_time_shift: t.around.to_string(),
                tags: t
                    .tags
                    .iter()
                    .map(|(key, value)| Tag {
                        key: e(key),
                        value: e(value),
                    })
                    .collect(),
                queries: t
                    .queries
                    .iter()
                    .map(|(name, query, _)| T2mQuery {
                        name: e(name),
                        query: e(query.0.trim()),
                    })
                    .collect(),
            }),
            node_graph: (ds.kind == DatasourceKind::Jaeger).then_some(NodeGraph { enabled: true }),
        },
    }
}

#[derive(Serialize)]
struct ProviderFile {
    #[serde(rename = "apiVersion")]
    api_version: u32,
    providers: Vec<Provider>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Provider {
    name: &'static str,
    org_id: u32,
    folder: String,
    #[serde(rename = "type")]
    kind: &'static str,
    disable_deletion: bool,
    allow_ui_updates: bool,
    update_interval_seconds: u32,
    options: ProviderOptions,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProviderOptions {
    path: String,
    folders_from_files_structure: bool,
}
