//! Dashboards: added and removed, and within one (by uid) its panels (by id, which the emitter
//! derives from the title) added, removed, moved (`gridPos`), and changed (title, type,
//! queries by `refId`). A collapsed row's panels count as the dashboard's. The dashboard's own
//! fields too: its title, its variables (by name: kind and query) and its links.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::Side;
use super::{Change, FieldChange};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardChange {
    pub uid: String,
    pub title: String,
    pub change: Change,
    /// The dashboard's own fields that changed: `title`, `variable NAME`, `links`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub panels: Vec<PanelChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanelChange {
    pub title: String,
    pub change: Change,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Every panel of a dashboard, rows' children included, by id (or by title when it has none).
fn panels(dashboard: &Value) -> BTreeMap<String, &Value> {
    fn walk<'v>(list: Option<&'v Value>, out: &mut BTreeMap<String, &'v Value>) {
        for panel in list.and_then(Value::as_array).into_iter().flatten() {
            let key = match panel.get("id") {
                Some(id) if !id.is_null() => id.to_string(),
                _ => text(panel, "title"),
            };
            out.insert(key, panel);
            walk(panel.get("panels"), out);
        }
    }
    let mut out = BTreeMap::new();
    walk(dashboard.get("panels"), &mut out);
    out
}

fn grid(panel: &Value) -> Option<String> {
    let g = panel.get("gridPos")?;
    let n = |k: &str| g.get(k).and_then(Value::as_i64).unwrap_or(0);
    Some(format!(
        "x={} y={} w={} h={}",
        n("x"),
        n("y"),
        n("w"),
        n("h")
    ))
}

/// The queries of a panel by `refId`: a PromQL `expr`, or the target as JSON.
fn queries(panel: &Value) -> BTreeMap<String, String> {
    panel
        .get("targets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(index, target)| {
            let id = target
                .get("refId")
                .and_then(Value::as_str)
                .map_or_else(|| index.to_string(), str::to_string);
            let query = target
                .get("expr")
                .and_then(Value::as_str)
                .map_or_else(|| target.to_string(), str::to_string);
            (id, query)
        })
        .collect()
}

/// A dashboard's variables by name: `type: query` (the query text, or the definition as JSON).
fn variables(dashboard: &Value) -> BTreeMap<String, String> {
    dashboard
        .pointer("/templating/list")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|v| {
            let query = match v.get("query") {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Object(o)) => o
                    .get("query")
                    .and_then(Value::as_str)
                    .map_or_else(|| Value::Object(o.clone()).to_string(), str::to_string),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            (text(v, "name"), format!("{}: {query}", text(v, "type")))
        })
        .collect()
}

/// A dashboard's links, one per line: `title url`, or `title (dashboards tagged a, b)`.
fn links(dashboard: &Value) -> Option<String> {
    let list = dashboard.get("links").and_then(Value::as_array)?;
    let lines: Vec<String> = list
        .iter()
        .map(|l| match l.get("url").and_then(Value::as_str) {
            Some(url) => format!("{} {url}", text(l, "title")),
            None => {
                let tags: Vec<&str> = l
                    .get("tags")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                format!(
                    "{} (dashboards tagged {})",
                    text(l, "title"),
                    tags.join(", ")
                )
            }
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// The dashboard's own fields that differ.
fn dashboard_fields(before: &Value, after: &Value) -> Vec<FieldChange> {
    let mut fields = Vec::new();
    let (tb, ta) = (text(before, "title"), text(after, "title"));
    if tb != ta {
        fields.push(FieldChange::new("title", Some(tb), Some(ta)));
    }
    let (vb, va) = (variables(before), variables(after));
    let names: BTreeSet<&String> = vb.keys().chain(va.keys()).collect();
    for name in names {
        if vb.get(name) != va.get(name) {
            fields.push(FieldChange::new(
                format!("variable {name}"),
                vb.get(name).cloned(),
                va.get(name).cloned(),
            ));
        }
    }
    let (lb, la) = (links(before), links(after));
    if lb != la {
        fields.push(FieldChange::new("links", lb, la));
    }
    fields
}

fn panel_change(before: &Value, after: &Value) -> Option<PanelChange> {
    let mut fields = Vec::new();
    for key in ["title", "type"] {
        let (b, a) = (text(before, key), text(after, key));
        if b != a {
            fields.push(FieldChange::new(key, Some(b), Some(a)));
        }
    }
    let (qb, qa) = (queries(before), queries(after));
    let ids: BTreeSet<&String> = qb.keys().chain(qa.keys()).collect();
    for id in ids {
        if qb.get(id) != qa.get(id) {
            fields.push(FieldChange::new(
                format!("query {id}"),
                qb.get(id).cloned(),
                qa.get(id).cloned(),
            ));
        }
    }
    let moved = grid(before) != grid(after);
    let change = if fields.is_empty() && moved {
        Change::Moved
    } else {
        Change::Changed
    };
    if moved {
        fields.push(FieldChange::new("gridPos", grid(before), grid(after)));
    }
    (!fields.is_empty()).then(|| PanelChange {
        title: text(after, "title"),
        change,
        fields,
    })
}

pub fn diff(before: &Side, after: &Side) -> Vec<DashboardChange> {
    let uids: BTreeSet<&String> = before
        .dashboards
        .keys()
        .chain(after.dashboards.keys())
        .collect();
    let mut out = Vec::new();
    for uid in uids {
        let (b, a) = (before.dashboards.get(uid), after.dashboards.get(uid));
        let (change, fields, panels) = match (b, a) {
            (None, Some(_)) => (Change::Added, Vec::new(), Vec::new()),
            (Some(_), None) => (Change::Removed, Vec::new(), Vec::new()),
            (Some(b), Some(a)) => {
                let (pb, pa) = (panels(b), panels(a));
                let ids: BTreeSet<&String> = pb.keys().chain(pa.keys()).collect();
                let mut found: Vec<PanelChange> = ids
                    .into_iter()
                    .filter_map(|id| match (pb.get(id), pa.get(id)) {
                        (None, Some(p)) => Some(PanelChange {
                            title: text(p, "title"),
                            change: Change::Added,
                            fields: Vec::new(),
                        }),
                        (Some(p), None) => Some(PanelChange {
                            title: text(p, "title"),
                            change: Change::Removed,
                            fields: Vec::new(),
                        }),
                        (Some(b), Some(a)) => panel_change(b, a),
                        (None, None) => None,
                    })
                    .collect();
                found.sort_by(|x, y| (&x.title, x.change).cmp(&(&y.title, y.change)));
                let fields = dashboard_fields(b, a);
                if found.is_empty() && fields.is_empty() {
                    continue;
                }
                (Change::Changed, fields, found)
            }
            (None, None) => continue,
        };
        let title = text(a.or(b).expect("one side has it"), "title");
        out.push(DashboardChange {
            uid: uid.clone(),
            title,
            change,
            fields,
            panels,
        });
    }
    out
}
