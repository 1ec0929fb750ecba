//! Grafana dashboards into the Grafana DSL: one Rust function per dashboard (and one per row
//! when the dashboard is large), written with the builders a person would use.
//!
//! The file is read as `lint` reads it ([`crate::grafana::file::read`]): a dashboard's JSON as
//! exported, saved from the HTTP API or provisioned, in today's `panels` model or the legacy
//! `rows` one, or a ConfigMap holding dashboards. What is imported:
//!
//! - panels of the DSL's kinds (`timeseries`, `stat`, `gauge`, `bargauge`, `table`, `heatmap`,
//!   `text`, `row`) at their exact `gridPos`; `graph` and `singlestat` as `timeseries` and `stat`,
//!   as Grafana migrates them (`import/grafana-migrated`);
//! - queries: `expr`, `legendFormat`, `refId`, `interval`, instant, exemplars; the datasource of
//!   the panel (the dashboard's when most panels share it);
//! - the standard field options (unit, min, max, decimals, thresholds) and each kind's options
//!   the DSL has (legend, stacking, bars, reduction, graph and colour mode, ...);
//! - variables (datasource, query, custom, interval), links, PromQL annotations;
//! - the datasources used, in the module's `datasources()`, with a placeholder URL
//!   (`import/grafana-datasource`).
//!
//! Everything else is reported, never dropped silently: the panel's options are compared with
//! what the DSL writes for the imported panel ([`Panel::options`], [`Panel::custom`],
//! [`PanelCommon::field_defaults`]), and every field that differs is an `import/grafana-field`
//! warning at its place in the file. Grafana's bookkeeping (ids, `pluginVersion`, `version`,
//! the variables' current selection) is not reported.
//!
//! The module's `dashboards()` goes into the spec with `Spec::dashboards`, its `datasources()`
//! with `Spec::datasources` (which skips a uid the spec already declares).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use serde_json::{json, Value as Json};

use super::catalog::{Statics, CATALOG_MODULE};
use super::codes;
use super::layout::{self, Expr};
use super::rust::{float, ident, unique};
use super::selectors;
use super::{Entry, Module, Render, SeenSeries};
use crate::diagnostics::Diagnostic;
use crate::grafana::bargauge::{BarStyle, Orientation};
use crate::grafana::file::{self, Embedding};
use crate::grafana::stat::{ColorMode, GraphMode};
use crate::grafana::timeseries::{ThresholdsStyle, TooltipMode};
use crate::grafana::{
    BarGauge, Calc, Color, Gauge, Heatmap, Legend, Panel, PanelCommon, Stat, Table, Text,
    Thresholds, TimeSeries, Unit,
};
use crate::rules::file::SourceFile;
use crate::syntax::duration::Duration;
use crate::syntax::json::{Node, Value};

/// The datasource a panel with none uses: Grafana's default one, declared under this uid.
pub const DEFAULT_DATASOURCE: &str = "prometheus";

/// The URL imported datasources are declared with, to be replaced.
pub const PLACEHOLDER_URL: &str = "http://prometheus:9090";

/// Dashboards with more panels than this get a function per row.
const ROW_FUNCTIONS_FROM: usize = 12;

/// Top-level panel fields that are Grafana's bookkeeping, not what the panel shows.
const PANEL_BOOKKEEPING: &[&str] = &["id", "pluginVersion", "isNew", "editable", "error", "span"];

/// Dashboard fields that are Grafana's bookkeeping or handled elsewhere.
const DASHBOARD_FIELDS: &[&str] = &[
    "id",
    "uid",
    "title",
    "description",
    "tags",
    "time",
    "refresh",
    "graphTooltip",
    "sharedCrosshair",
    "templating",
    "annotations",
    "links",
    "panels",
    "rows",
    "schemaVersion",
    "version",
    "iteration",
    "gnetId",
    "editable",
    "style",
    "hideControls",
    "__inputs",
    "__requires",
    "__elements",
    "fiscalYearStartMonth",
    "timepicker",
    "liveNow",
    "weekStart",
    "timezone",
];

/// Imports one file of dashboards.
pub fn module(file: &SourceFile) -> (Option<Module>, Vec<Diagnostic>) {
    let (module, diagnostics) = import_with(file, &Statics::default());
    let file = file.clone();
    let module = module.map(|mut m| {
        m.render = Some(Render::new(move |statics| {
            import_with(&file, statics)
                .0
                .map(|m| m.source)
                .unwrap_or_default()
        }));
        m
    });
    (module, diagnostics)
}

/// The module, its queries' selectors of the catalog module's metrics (`statics`) written with
/// the DSL.
fn import_with(file: &SourceFile, statics: &Statics) -> (Option<Module>, Vec<Diagnostic>) {
    let (read, mut diagnostics) = file::read(file);
    let mut importer = Importer {
        statics,
        path: file.path.clone(),
        embedding: &Embedding::Whole,
        diagnostics: Vec::new(),
        datasources: BTreeMap::new(),
        series: BTreeMap::new(),
        functions: BTreeSet::new(),
    };
    let mut dashboards = Vec::new();
    for found in &read {
        importer.embedding = &found.embedding;
        if let Some(d) = importer.dashboard(found.dashboard()) {
            dashboards.push(d);
        }
    }
    diagnostics.append(&mut importer.diagnostics);
    if dashboards.is_empty() {
        return (None, diagnostics);
    }
    let stem = std::path::Path::new(&file.path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("dashboards");
    let mut source = super::header(&file.path, Entry::Dashboards);
    let uses_panel = dashboards.iter().any(|d| d.contains("-> Vec<Panel>"));
    if uses_panel {
        source.push_str("use sextant::grafana::Panel;\n");
    }
    source.push_str("use sextant::prelude::*;\n");
    if dashboards
        .iter()
        .any(|d| d.contains(&format!("&{CATALOG_MODULE}::")))
    {
        source.push_str(&format!("\nuse super::{CATALOG_MODULE};\n"));
    }
    source.push_str(&format!(
        "\n/// Where the datasources are: a placeholder, to set.\nconst URL: &str = {};\n\n\
         /// The datasources the dashboards use.\npub fn datasources() -> Vec<Datasource> {{\n",
        lit(PLACEHOLDER_URL)
    ));
    let datasources: Vec<String> = importer
        .datasources
        .iter()
        .map(|(uid, kind)| {
            let constructor = if kind == "jaeger" {
                "jaeger"
            } else {
                "prometheus"
            };
            format!("Datasource::{constructor}({}, {}, URL)", lit(uid), lit(uid))
        })
        .collect();
    source.push_str(&format!("{}}}\n", vec_lines(datasources)));
    let names: Vec<String> = dashboards
        .iter()
        .map(|d| {
            let start = d.find("\nfn ").map_or(0, |i| i + 4);
            let end = d[start..].find('(').map_or(start, |e| start + e);
            format!("{}()", &d[start..end])
        })
        .collect();
    source.push_str(&format!(
        "\npub fn dashboards() -> Vec<Dashboard> {{\n{}}}\n",
        vec_lines(names)
    ));
    for d in &dashboards {
        source.push('\n');
        source.push_str(d);
    }
    let module = Module {
        name: ident(stem),
        source_path: file.path.clone(),
        source,
        entry: Entry::Dashboards,
        series: importer.series,
        render: None,
    };
    (Some(module), diagnostics)
}

struct Importer<'a> {
    statics: &'a Statics,
    path: String,
    embedding: &'a Embedding,
    diagnostics: Vec<Diagnostic>,
    /// Datasources used, by uid, with their plugin type.
    datasources: BTreeMap<String, String>,
    series: BTreeMap<String, SeenSeries>,
    /// Function names taken in the module.
    functions: BTreeSet<String>,
}

/// How a dashboard item names its datasource.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ds {
    /// None: Grafana's default.
    Default,
    /// `$name` or `${name}`.
    Variable(String),
    /// A uid (or, in old dashboards, a name) with the plugin type when given.
    Uid(String, Option<String>),
}

impl Ds {
    fn read(node: Option<&Node>) -> Result<Ds, String> {
        let Some(node) = node else {
            return Ok(Ds::Default);
        };
        let (uid, kind) = match &node.value {
            Value::Null => return Ok(Ds::Default),
            Value::String(s) => (s.clone(), None),
            Value::Object(_) => {
                let kind = node.get("type").and_then(Node::as_str).map(str::to_string);
                match node.get("uid").and_then(Node::as_str) {
                    Some(uid) => (uid.to_string(), kind),
                    None => return Ok(Ds::Default),
                }
            }
            _ => return Err(format!("a datasource that is {}", node.kind())),
        };
        if let Some(name) = variable_name(&uid) {
            return Ok(Ds::Variable(name));
        }
        if uid.starts_with("-- ") || uid == "grafana" {
            return Err(format!("Grafana's own datasource {uid:?}"));
        }
        Ok(Ds::Uid(uid, kind))
    }
}

/// Whether a datasource reference is Grafana's mixed one (each query names its own).
fn is_mixed(node: Option<&Node>) -> bool {
    let Some(node) = node else { return false };
    node.as_str()
        .or_else(|| node.get("uid").and_then(Node::as_str))
        == Some("-- Mixed --")
}

/// `x` of `$x`, `${x}` or `[[x]]`.
fn variable_name(text: &str) -> Option<String> {
    let name = text
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| text.strip_prefix('$'))
        .or_else(|| text.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")))?;
    let name = name.split(':').next().unwrap_or(name);
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| name.to_string())
}

/// What the dashboard being imported knows of its variables.
struct Scope {
    /// Datasource variables and their plugin type.
    datasource_variables: BTreeMap<String, String>,
}

/// A dashboard as it is being imported.
struct DashboardIn<'n> {
    title: String,
    node: &'n Node,
    scope: Scope,
}

/// A query of a panel, as the DSL writes it.
#[derive(Clone, Debug, Default)]
struct QueryOut {
    expr: String,
    /// `expr` written with the catalog's selectors, when it reads some.
    rust: Option<String>,
    legend: Option<String>,
    ref_id: Option<String>,
    interval: Option<String>,
    instant: bool,
    exemplar: bool,
    hidden: bool,
}

impl QueryOut {
    fn source(&self) -> String {
        let mut calls = Vec::new();
        if let Some(legend) = &self.legend {
            calls.push(format!("legend({})", lit(legend)));
        }
        if let Some(id) = &self.ref_id {
            calls.push(format!("ref_id({})", lit(id)));
        }
        if let Some(interval) = &self.interval {
            calls.push(format!("interval({})", lit(interval)));
        }
        if self.instant {
            calls.push("instant()".into());
        }
        if self.exemplar {
            calls.push("exemplars()".into());
        }
        if self.hidden {
            calls.push("hidden()".into());
        }
        let expr = self.rust.clone().unwrap_or_else(|| lit(&self.expr));
        if calls.is_empty() {
            return expr;
        }
        single_line(&format!("Query::new({expr})"), &calls)
    }
}

/// The DSL's panel kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    TimeSeries,
    Stat,
    Gauge,
    BarGauge,
    Table,
    Heatmap,
    Text,
}

/// A panel as the DSL writes it: both its Rust source and its DSL value come from here, so
/// what is compared with the input is what the source builds.
#[derive(Clone, Debug)]
struct PanelOut {
    kind: Kind,
    title: String,
    key: Option<String>,
    description: Option<String>,
    grid: (u32, u32, u32, u32),
    datasource: Option<Ds>,
    queries: Vec<QueryOut>,
    links: Vec<(String, String, bool)>,
    unit: Option<Unit>,
    min: Option<f64>,
    max: Option<f64>,
    decimals: Option<u32>,
    thresholds: Option<Thresholds>,
    legend: Option<Legend>,
    bars: bool,
    stacked: bool,
    fill_opacity: Option<u32>,
    tooltip: Option<TooltipMode>,
    thresholds_style: Option<ThresholdsStyle>,
    calc: Option<Calc>,
    graph: Option<GraphMode>,
    color_mode: Option<ColorMode>,
    no_threshold_markers: bool,
    bar_style: Option<BarStyle>,
    orientation: Option<Orientation>,
    sort_by: Option<(String, bool)>,
    content: String,
}

impl PanelOut {
    fn new(kind: Kind, title: String, grid: (u32, u32, u32, u32)) -> PanelOut {
        PanelOut {
            kind,
            title,
            key: None,
            description: None,
            grid,
            datasource: None,
            queries: Vec::new(),
            links: Vec::new(),
            unit: None,
            min: None,
            max: None,
            decimals: None,
            thresholds: None,
            legend: None,
            bars: false,
            stacked: false,
            fill_opacity: None,
            tooltip: None,
            thresholds_style: None,
            calc: None,
            graph: None,
            color_mode: None,
            no_threshold_markers: false,
            bar_style: None,
            orientation: None,
            sort_by: None,
            content: String::new(),
        }
    }

    /// The DSL value the source builds (without queries and links: only its options and field
    /// defaults are read).
    fn value(&self) -> Panel {
        macro_rules! common {
            ($p:expr) => {{
                let mut p = $p;
                if let Some(unit) = self.unit {
                    p = p.unit(unit);
                }
                if let Some(min) = self.min {
                    p = p.min(min);
                }
                if let Some(max) = self.max {
                    p = p.max(max);
                }
                if let Some(decimals) = self.decimals {
                    p = p.decimals(decimals);
                }
                if let Some(t) = &self.thresholds {
                    p = p.thresholds(t.clone());
                }
                p
            }};
        }
        match self.kind {
            Kind::TimeSeries => {
                let mut p = common!(TimeSeries::new(&self.title));
                if let Some(legend) = &self.legend {
                    p = p.legend(legend.clone());
                }
                if self.bars {
                    p = p.bars();
                }
                if self.stacked {
                    p = p.stacked();
                }
                if let Some(fill) = self.fill_opacity {
                    p = p.fill_opacity(fill);
                }
                if let Some(mode) = self.tooltip {
                    p = p.tooltip(mode);
                }
                if let Some(style) = self.thresholds_style {
                    p = p.thresholds_style(style);
                }
                Panel::TimeSeries(p)
            }
            Kind::Stat => {
                let mut p = common!(Stat::new(&self.title));
                if let Some(calc) = self.calc {
                    p = p.calc(calc);
                }
                if let Some(graph) = self.graph {
                    p = p.graph(graph);
                }
                if let Some(color) = self.color_mode {
                    p = p.color_mode(color);
                }
                Panel::Stat(p)
            }
            Kind::Gauge => {
                let mut p = common!(Gauge::new(&self.title));
                if let Some(calc) = self.calc {
                    p = p.calc(calc);
                }
                if self.no_threshold_markers {
                    p = p.no_threshold_markers();
                }
                Panel::Gauge(p)
            }
            Kind::BarGauge => {
                let mut p = common!(BarGauge::new(&self.title));
                if let Some(calc) = self.calc {
                    p = p.calc(calc);
                }
                if let Some(style) = self.bar_style {
                    p = p.style(style);
                }
                if let Some(o) = self.orientation {
                    p = p.orientation(o);
                }
                Panel::BarGauge(p)
            }
            Kind::Table => {
                let mut p = common!(Table::new(&self.title));
                if let Some((column, desc)) = &self.sort_by {
                    p = p.sort_by(column, *desc);
                }
                Panel::Table(p)
            }
            Kind::Heatmap => Panel::Heatmap(common!(Heatmap::new(&self.title))),
            Kind::Text => Panel::Text(Text::new(&self.title, &self.content)),
        }
    }

    fn source(&self, dashboard_ds: Option<&Ds>) -> String {
        let head = match self.kind {
            Kind::TimeSeries => format!("TimeSeries::new({})", lit(&self.title)),
            Kind::Stat => format!("Stat::new({})", lit(&self.title)),
            Kind::Gauge => format!("Gauge::new({})", lit(&self.title)),
            Kind::BarGauge => format!("BarGauge::new({})", lit(&self.title)),
            Kind::Table => format!("Table::new({})", lit(&self.title)),
            Kind::Heatmap => format!("Heatmap::new({})", lit(&self.title)),
            Kind::Text => format!(
                "Text::new(\n    {},\n    {},\n)",
                lit(&self.title),
                lit(&self.content)
            ),
        };
        let mut calls = Vec::new();
        if let Some(key) = &self.key {
            calls.push(format!("key({})", lit(key)));
        }
        if let Some(d) = &self.description {
            calls.push(format!("description({})", lit(d)));
        }
        let (x, y, w, h) = self.grid;
        calls.push(format!("width({w})"));
        calls.push(format!("height({h})"));
        calls.push(format!("at({x}, {y})"));
        if let Some(ds) = &self.datasource {
            if Some(ds) != dashboard_ds {
                calls.push(format!("datasource({})", ds_source(ds)));
            }
        }
        if let Some(unit) = self.unit {
            calls.push(format!("unit(Unit::{unit:?})"));
        }
        if let Some(min) = self.min {
            calls.push(format!("min({})", float(min)));
        }
        if let Some(max) = self.max {
            calls.push(format!("max({})", float(max)));
        }
        if let Some(decimals) = self.decimals {
            calls.push(format!("decimals({decimals})"));
        }
        if let Some(t) = &self.thresholds {
            calls.push(format!("thresholds({})", thresholds_source(t)));
        }
        if let Some(legend) = &self.legend {
            calls.push(format!("legend({})", legend_source(legend)));
        }
        if self.bars {
            calls.push("bars()".into());
        }
        if self.stacked {
            calls.push("stacked()".into());
        }
        if let Some(fill) = self.fill_opacity {
            calls.push(format!("fill_opacity({fill})"));
        }
        if let Some(mode) = self.tooltip {
            calls.push(format!("tooltip(timeseries::TooltipMode::{mode:?})"));
        }
        if let Some(style) = self.thresholds_style {
            calls.push(format!(
                "thresholds_style(timeseries::ThresholdsStyle::{style:?})"
            ));
        }
        if let Some(calc) = self.calc {
            calls.push(format!("calc(Calc::{calc:?})"));
        }
        if let Some(graph) = self.graph {
            calls.push(format!("graph(stat::GraphMode::{graph:?})"));
        }
        if let Some(color) = self.color_mode {
            calls.push(format!("color_mode(stat::ColorMode::{color:?})"));
        }
        if self.no_threshold_markers {
            calls.push("no_threshold_markers()".into());
        }
        if let Some(style) = self.bar_style {
            calls.push(format!("style(bargauge::BarStyle::{style:?})"));
        }
        if let Some(o) = self.orientation {
            calls.push(format!("orientation(bargauge::Orientation::{o:?})"));
        }
        if let Some((column, desc)) = &self.sort_by {
            calls.push(format!("sort_by({}, {desc})", lit(column)));
        }
        for q in &self.queries {
            calls.push(call("query", &q.source()));
        }
        for (title, url, new_tab) in &self.links {
            let mut link = format!("Link::url({}, {})", lit(title), lit(url));
            if *new_tab {
                link.push_str(".new_tab(true)");
            }
            calls.push(call("link", &link));
        }
        chain(&head, &calls)
    }
}

/// A Rust string literal for `text`.
fn lit(text: &str) -> String {
    super::rust::string(text)
}

/// Reads back an expression this module wrote (string literals, numbers, paths, arrays, calls
/// and method chains, with any whitespace between them) as a [`layout::Expr`], which lays it
/// out as rustfmt does. Arrays stay as written: the module writes only short ones.
fn parse_expr(text: &str) -> Expr {
    let mut reader = ExprReader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let expr = reader.expr();
    reader.space();
    assert_eq!(
        reader.at,
        text.len(),
        "the importer wrote a whole expression: {text}"
    );
    expr
}

struct ExprReader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl ExprReader<'_> {
    fn space(&mut self) {
        while self
            .bytes
            .get(self.at)
            .is_some_and(|b| b.is_ascii_whitespace())
        {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.space();
        self.bytes.get(self.at).copied()
    }

    fn expr(&mut self) -> Expr {
        let mut expr = self.primary();
        while self.peek() == Some(b'.') {
            self.at += 1;
            let name = self.word();
            let args = self.args();
            expr = expr.method(&name, args);
        }
        expr
    }

    fn primary(&mut self) -> Expr {
        let start = self.at;
        match self.peek() {
            Some(b'"') => {
                let start = self.at;
                self.at += 1;
                while self.bytes[self.at] != b'"' {
                    self.at += if self.bytes[self.at] == b'\\' { 2 } else { 1 };
                }
                self.at += 1;
                Expr::atom(&self.text[start..self.at])
            }
            Some(b'r') if matches!(self.bytes.get(self.at + 1), Some(b'#' | b'"')) => {
                let start = self.at;
                let hashes = self.bytes[self.at + 1..]
                    .iter()
                    .take_while(|b| **b == b'#')
                    .count();
                let close = format!("\"{}", "#".repeat(hashes));
                let body = self.at + 2 + hashes;
                let end = body + self.text[body..].find(&close).expect("a closed raw string");
                self.at = end + close.len();
                Expr::atom(&self.text[start..self.at])
            }
            Some(b'[') => {
                let start = self.at;
                let mut depth = 0;
                loop {
                    match self.bytes[self.at] {
                        b'[' => depth += 1,
                        b']' => depth -= 1,
                        b'"' => {
                            self.primary();
                            continue;
                        }
                        b'r' if matches!(self.bytes.get(self.at + 1), Some(b'#' | b'"'))
                            && !self.bytes[self.at - 1].is_ascii_alphanumeric() =>
                        {
                            self.primary();
                            continue;
                        }
                        _ => {}
                    }
                    self.at += 1;
                    if depth == 0 {
                        break;
                    }
                }
                Expr::atom(&self.text[start..self.at])
            }
            _ => {
                let name = self.word();
                assert!(
                    !name.is_empty(),
                    "an expression at {start} of {}",
                    self.text
                );
                if self.bytes.get(self.at) == Some(&b'(') {
                    let args = self.args();
                    Expr::call(name, args)
                } else {
                    Expr::atom(name)
                }
            }
        }
    }

    /// A path, identifier or number: `Unit::Bytes`, `true`, `0.01`, `-1.5`, `1e-5`.
    fn word(&mut self) -> String {
        self.space();
        let start = self.at;
        let numeric = self
            .bytes
            .get(self.at)
            .is_some_and(|b| b.is_ascii_digit() || *b == b'-');
        while let Some(&b) = self.bytes.get(self.at) {
            // `&path`, `macro!(..)`.
            let more = b.is_ascii_alphanumeric()
                || b == b'_'
                || (b == b'&' && self.at == start)
                || (b == b'!' && self.at > start && self.bytes.get(self.at + 1) == Some(&b'('))
                || (b == b':' && self.bytes.get(self.at + 1) == Some(&b':'))
                || (b == b':' && self.at > start && self.bytes[self.at - 1] == b':')
                || (numeric && (b == b'.' || b == b'-' || b == b'+'));
            if !more {
                break;
            }
            self.at += 1;
        }
        self.text[start..self.at].to_string()
    }

    fn args(&mut self) -> Vec<Expr> {
        assert_eq!(self.peek(), Some(b'('), "a call in {}", self.text);
        self.at += 1;
        let mut args = Vec::new();
        while self.peek() != Some(b')') {
            args.push(self.expr());
            if self.peek() == Some(b',') {
                self.at += 1;
            }
        }
        self.at += 1;
        args
    }
}

/// `.method(arg)`, with a long or multi-line argument on lines of its own, as rustfmt lays
/// it out.
fn call(method: &str, arg: &str) -> String {
    if !arg.contains('\n') && method.len() + arg.len() <= 80 {
        format!("{method}({arg})")
    } else {
        format!("{method}(\n{},\n)", indent(arg, 4))
    }
}

/// The body of a function returning `items` (laid out at indentation 8), as rustfmt writes it.
fn vec_lines(items: Vec<String>) -> String {
    if items.is_empty() {
        return "    Vec::new()\n".into();
    }
    if items.iter().any(|i| i.contains('\n')) {
        let mut out = String::from("    vec![\n");
        for item in items {
            out.push_str(&format!("        {item},\n"));
        }
        out.push_str("    ]\n");
        return out;
    }
    layout::vec_body(items)
}

/// `head` followed by `.call` lines, indented by four spaces.
fn chain(head: &str, calls: &[String]) -> String {
    let mut out = head.to_string();
    for call in calls {
        out.push_str("\n    .");
        out.push_str(&call.replace('\n', "\n    "));
    }
    out
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ds_source(ds: &Ds) -> String {
    match ds {
        Ds::Default => format!("DsRef::uid({})", lit(DEFAULT_DATASOURCE)),
        Ds::Variable(name) => format!("DsRef::variable({})", lit(name)),
        Ds::Uid(uid, _) => format!("DsRef::uid({})", lit(uid)),
    }
}

fn thresholds_source(t: &Thresholds) -> String {
    let mut out = format!("Thresholds::new(Color::{:?})", t.base);
    for (value, color) in &t.steps {
        out.push_str(&format!(".step({}, Color::{color:?})", float(*value)));
    }
    if t.mode == crate::grafana::ThresholdMode::Percentage {
        out.push_str(".percentage()");
    }
    out
}

fn legend_source(legend: &Legend) -> String {
    use crate::grafana::{LegendMode, LegendPlacement};
    let mut out = match legend.mode {
        LegendMode::List => "Legend::list()".to_string(),
        LegendMode::Hidden => "Legend::hidden()".to_string(),
        LegendMode::Table => format!(
            "Legend::table([{}])",
            legend
                .calcs
                .iter()
                .map(|c| format!("Calc::{c:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    if legend.placement == LegendPlacement::Right {
        out.push_str(".right()");
    }
    out
}

/// A Grafana relative time (`now-6h`) as a duration.
fn relative_time(text: &str) -> Option<Duration> {
    let rest = text.strip_prefix("now-")?;
    Duration::parse(rest).ok().filter(|d| !d.is_zero())
}

fn unit(text: &str) -> Option<Unit> {
    Unit::ALL.into_iter().find(|u| u.as_str() == text)
}

fn color(text: &str) -> Option<Color> {
    [
        Color::Green,
        Color::Yellow,
        Color::Orange,
        Color::Red,
        Color::Blue,
        Color::Purple,
        Color::Text,
    ]
    .into_iter()
    .find(|c| c.as_str() == text)
}

fn calc(text: &str) -> Option<Calc> {
    [Calc::Last, Calc::Mean, Calc::Max, Calc::Min, Calc::Sum]
        .into_iter()
        .find(|c| c.as_str() == text)
}

/// Whether a JSON value says nothing: null, false, empty.
fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(members) => members.is_empty(),
        Value::Number(_) => false,
    }
}

fn number(node: Option<&Node>) -> Option<f64> {
    match &node?.value {
        Value::Number(n) => n.parse().ok(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The leaves of `input` that differ from `expected`, as (path, node).
fn differences<'n>(
    prefix: &str,
    input: &'n Node,
    expected: &Json,
    out: &mut Vec<(String, &'n Node)>,
) {
    match (&input.value, expected) {
        (Value::Object(members), Json::Object(map)) => {
            for m in members {
                let path = format!("{prefix}.{}", m.key);
                match map.get(&m.key) {
                    Some(e) => differences(&path, &m.value, e, out),
                    None if is_empty(&m.value) => {}
                    None => out.push((path, &m.value)),
                }
            }
        }
        _ => {
            if !same(&input.to_serde(), expected) {
                out.push((prefix.to_string(), input));
            }
        }
    }
}

/// JSON equality with numbers compared as numbers.
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn short(node: &Node) -> String {
    let text = node.to_serde().to_string();
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text
    }
}

impl Importer<'_> {
    fn range(&self, node: &Node) -> Range<usize> {
        self.embedding.range(node.range.clone())
    }

    fn warn(&mut self, code: &'static str, message: String, node: &Node) {
        let range = self.range(node);
        self.diagnostics
            .push(Diagnostic::warning(code, message).with_file(&self.path, range));
    }

    fn dashboard(&mut self, node: &Node) -> Option<String> {
        let title = node
            .get("title")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        if !matches!(node.value, Value::Object(_)) {
            self.warn(
                codes::GRAFANA_FIELD,
                "not a dashboard: the JSON is not an object".into(),
                node,
            );
            return None;
        }
        let what = format!("dashboard {title:?}");
        let uid = match node.get("uid").and_then(Node::as_str) {
            Some(uid) if crate::grafana::lower::is_uid(uid) => uid.to_string(),
            other => {
                let made = ident(&title).replace('_', "-");
                let made: String = made.chars().take(40).collect();
                self.warn(
                    codes::GRAFANA_FIELD,
                    format!(
                        "{what}: `uid` {:?} is not a valid uid; imported as {made:?}",
                        other.unwrap_or("")
                    ),
                    node.get("uid").unwrap_or(node),
                );
                made
            }
        };
        let mut dashboard = DashboardIn {
            title: title.clone(),
            node,
            scope: Scope {
                datasource_variables: BTreeMap::new(),
            },
        };
        if let Some(templating) = node.get("templating") {
            for v in templating
                .get("list")
                .and_then(Node::as_array)
                .unwrap_or_default()
            {
                if v.get("type").and_then(Node::as_str) == Some("datasource") {
                    if let (Some(name), Some(kind)) = (
                        v.get("name").and_then(Node::as_str),
                        v.get("query").and_then(Node::as_str),
                    ) {
                        dashboard
                            .scope
                            .datasource_variables
                            .insert(name.to_string(), kind.to_string());
                    }
                }
            }
        }
        for m in match &node.value {
            Value::Object(members) => members.as_slice(),
            _ => &[],
        } {
            if !DASHBOARD_FIELDS.contains(&m.key.as_str()) && !is_empty(&m.value) {
                self.warn(
                    codes::GRAFANA_FIELD,
                    format!("{what}: `{}` is not kept ({})", m.key, short(&m.value)),
                    &m.value,
                );
            }
        }
        let mut calls: Vec<String> = Vec::new();
        if let Some(d) = node.get("description").and_then(Node::as_str) {
            if !d.is_empty() {
                calls.push(format!("description({})", lit(d)));
            }
        }
        for tag in node
            .get("tags")
            .and_then(Node::as_array)
            .unwrap_or_default()
        {
            if let Some(tag) = tag.as_str() {
                calls.push(format!("tag({})", lit(tag)));
            }
        }
        if let Some(time) = node.get("time") {
            let from = time.get("from").and_then(Node::as_str).unwrap_or("now-6h");
            let to = time.get("to").and_then(Node::as_str).unwrap_or("now");
            match relative_time(from) {
                Some(d) if to == "now" => {
                    if d != crate::syntax::duration::hours(6) {
                        calls.push(format!("time({})", super::rust::duration(d)));
                    }
                }
                _ => self.warn(
                    codes::GRAFANA_FIELD,
                    format!(
                        "{what}: the time range {from:?} to {to:?} is not kept: the DSL writes \
                         `now-<duration>` to `now`"
                    ),
                    time,
                ),
            }
        }
        if let Some(refresh) = node.get("refresh") {
            match &refresh.value {
                Value::String(s) if !s.is_empty() => match Duration::parse(s) {
                    Ok(d) if !d.is_zero() => {
                        calls.push(format!("refresh({})", super::rust::duration(d)))
                    }
                    _ => self.warn(
                        codes::GRAFANA_FIELD,
                        format!("{what}: `refresh` {s:?} is not kept"),
                        refresh,
                    ),
                },
                _ => {}
            }
        }
        let shared = match node.get("graphTooltip").and_then(Node::as_i64) {
            Some(0) => false,
            Some(1) => true,
            Some(n) => {
                self.warn(
                    codes::GRAFANA_FIELD,
                    format!("{what}: `graphTooltip` {n} (shared tooltip) is imported as a shared crosshair"),
                    node.get("graphTooltip").expect("read above"),
                );
                true
            }
            None => node
                .get("sharedCrosshair")
                .and_then(Node::as_bool)
                .unwrap_or(false),
        };
        if !shared {
            calls.push("no_shared_crosshair()".into());
        }
        // Panels first: the dashboard's datasource is the one most of them use.
        let panels = self.panels(&dashboard);
        let mut counts: BTreeMap<&Ds, usize> = BTreeMap::new();
        for p in &panels {
            if let PanelItem::Panel(p) = p {
                if let Some(ds) = &p.datasource {
                    *counts.entry(ds).or_default() += 1;
                }
            }
        }
        let dashboard_ds = counts
            .iter()
            .max_by_key(|(ds, n)| (**n, std::cmp::Reverse(*ds)))
            .map(|(ds, _)| (*ds).clone());
        if let Some(ds) = &dashboard_ds {
            calls.push(format!("datasource({})", ds_source(ds)));
        }
        for v in self.variables(&dashboard) {
            calls.push(call("variable", &v));
        }
        for l in self.links(&dashboard) {
            calls.push(call("link", &l));
        }
        for a in self.annotations(&dashboard) {
            calls.push(call("annotation", &a));
        }
        let function = unique(ident(&title), &mut self.functions);
        let mut helpers = String::new();
        let by_row = panels.len() > ROW_FUNCTIONS_FROM
            && panels.iter().any(|p| matches!(p, PanelItem::Row { .. }));
        if by_row {
            // A function per row: the panels before the first row, then each row's.
            let mut groups: Vec<(Option<String>, Vec<&PanelItem>)> = Vec::new();
            for p in &panels {
                match p {
                    PanelItem::Row { title, .. } => groups.push((Some(title.clone()), vec![p])),
                    _ => match groups.last_mut() {
                        Some(group) => group.1.push(p),
                        None => groups.push((None, vec![p])),
                    },
                }
            }
            for (row, items) in groups {
                let name = unique(
                    format!("{function}_{}", ident(row.as_deref().unwrap_or("top"))),
                    &mut self.functions,
                );
                let body: Vec<String> = items
                    .iter()
                    .map(|p| {
                        parse_expr(&p.source(dashboard_ds.as_ref()))
                            .method("into", Vec::new())
                            .render(8, 8, 1)
                    })
                    .collect();
                helpers.push_str(&format!(
                    "\n/// The row {:?} of {title:?}.\nfn {name}() -> Vec<Panel> {{\n{}}}\n",
                    row.unwrap_or_default(),
                    vec_lines(body),
                ));
                calls.push(format!("panels({name}())"));
            }
        } else {
            for p in &panels {
                calls.push(call("panel", &p.source(dashboard_ds.as_ref())));
            }
        }
        let body = chain(
            &format!("Dashboard::new({}, {})", lit(&uid), lit(&title)),
            &calls,
        );
        Some(format!(
            "/// {} (`{uid}`).\nfn {function}() -> Dashboard {{\n    {}\n}}\n{helpers}",
            title.replace('\n', " "),
            parse_expr(&body).render(4, 4, 0)
        ))
    }

    /// The dashboard's panels in order, rows included (a collapsed row's panels after it), in
    /// today's model or the legacy `rows` one.
    fn panels(&mut self, d: &DashboardIn) -> Vec<PanelItem> {
        let mut out = Vec::new();
        let mut keys = BTreeSet::new();
        if let Some(rows) = d.node.get("rows").and_then(Node::as_array) {
            self.warn(
                codes::GRAFANA_MIGRATED,
                format!(
                    "dashboard {:?} is in the legacy `rows` model: its panels are placed on \
                     today's grid as Grafana's own migration places them (rows shown as row \
                     panels when one has a title shown, is collapsed or repeats)",
                    d.title
                ),
                d.node.member("rows").map_or(d.node, |m| &m.value),
            );
            let layout = legacy_layout(rows);
            for (row, (row_place, places)) in rows.iter().zip(layout) {
                let title = row.get("title").and_then(Node::as_str).unwrap_or("");
                if let Some((y, collapsed)) = row_place {
                    out.push(PanelItem::Row {
                        title: title.to_string(),
                        collapsed,
                        y,
                    });
                    keys.insert(format!("row/{title}"));
                }
                let panels = row
                    .get("panels")
                    .and_then(Node::as_array)
                    .unwrap_or_default();
                for (p, grid) in panels.iter().zip(places) {
                    if let Some(item) = self.panel(d, p, Some(grid), title, &mut keys) {
                        out.push(item);
                    }
                }
            }
            return out;
        }
        let mut row_title = String::new();
        for p in d
            .node
            .get("panels")
            .and_then(Node::as_array)
            .unwrap_or_default()
        {
            if p.get("type").and_then(Node::as_str) == Some("row") {
                let title = p
                    .get("title")
                    .and_then(Node::as_str)
                    .unwrap_or("")
                    .to_string();
                let collapsed = p.get("collapsed").and_then(Node::as_bool).unwrap_or(false);
                let y = p
                    .get("gridPos")
                    .and_then(|g| g.get("y"))
                    .and_then(Node::as_i64)
                    .unwrap_or(0) as u32;
                row_title = title.clone();
                keys.insert(format!("row/{title}"));
                for m in match &p.value {
                    Value::Object(members) => members.as_slice(),
                    _ => &[],
                } {
                    let handled = [
                        "type",
                        "title",
                        "collapsed",
                        "gridPos",
                        "panels",
                        "id",
                        "datasource",
                        "targets",
                    ];
                    if !handled.contains(&m.key.as_str()) && !is_empty(&m.value) {
                        self.warn(
                            codes::GRAFANA_FIELD,
                            format!(
                                "dashboard {:?}: row {title:?}: `{}` is not kept ({})",
                                d.title,
                                m.key,
                                short(&m.value)
                            ),
                            &m.value,
                        );
                    }
                }
                out.push(PanelItem::Row {
                    title,
                    collapsed,
                    y,
                });
                for child in p.get("panels").and_then(Node::as_array).unwrap_or_default() {
                    if let Some(item) = self.panel(d, child, None, &row_title, &mut keys) {
                        out.push(item);
                    }
                }
            } else if let Some(item) = self.panel(d, p, None, &row_title, &mut keys) {
                out.push(item);
            }
        }
        out
    }

    /// One panel; `grid` is its place when the legacy layout computed it.
    fn panel(
        &mut self,
        d: &DashboardIn,
        p: &Node,
        grid: Option<(u32, u32, u32, u32)>,
        row_title: &str,
        keys: &mut BTreeSet<String>,
    ) -> Option<PanelItem> {
        let kind_text = p.get("type").and_then(Node::as_str).unwrap_or("");
        let title = p
            .get("title")
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_string();
        let what = format!("dashboard {:?}: {kind_text} panel {title:?}", d.title);
        let (kind, migrated) = match kind_text {
            "timeseries" => (Kind::TimeSeries, false),
            "graph" => (Kind::TimeSeries, true),
            "stat" => (Kind::Stat, false),
            "singlestat" => (Kind::Stat, true),
            "gauge" => (Kind::Gauge, false),
            "bargauge" => (Kind::BarGauge, false),
            "table" => (Kind::Table, false),
            "heatmap" => (Kind::Heatmap, false),
            "text" => (Kind::Text, false),
            _ => {
                self.warn(
                    codes::GRAFANA_PANEL,
                    format!("{what} is not imported: the DSL has no {kind_text:?} panel"),
                    p,
                );
                return None;
            }
        };
        let grid = match grid {
            Some(grid) => grid,
            None => {
                let g = p.get("gridPos");
                let n = |k: &str| g.and_then(|g| g.get(k)).and_then(Node::as_i64);
                match (n("x"), n("y"), n("w"), n("h")) {
                    (Some(x), Some(y), Some(w), Some(h)) if x >= 0 && y >= 0 && w > 0 && h > 0 => {
                        (x as u32, y as u32, w as u32, h as u32)
                    }
                    _ => {
                        self.warn(
                            codes::GRAFANA_PANEL,
                            format!("{what} is not imported: it has no valid `gridPos`"),
                            p,
                        );
                        return None;
                    }
                }
            }
        };
        let mut out = PanelOut::new(kind, title.clone(), grid);
        let key = format!("{row_title}/{title}");
        if title.trim().is_empty() || keys.contains(&key) {
            let mut n = 2;
            let mut candidate = format!("{key}#{n}");
            while keys.contains(&candidate) {
                n += 1;
                candidate = format!("{key}#{n}");
            }
            keys.insert(candidate.clone());
            out.key = Some(candidate);
        } else {
            keys.insert(key);
        }
        if let Some(description) = p.get("description").and_then(Node::as_str) {
            if !description.is_empty() {
                out.description = Some(description.to_string());
            }
        }
        let reads_data = kind != Kind::Text;
        // The datasource: the panel's, else its first query's.
        let targets = p
            .get("targets")
            .and_then(Node::as_array)
            .unwrap_or_default();
        if reads_data {
            let own = p.get("datasource");
            let target_ds: BTreeSet<Ds> = targets
                .iter()
                .filter_map(|t| Ds::read(t.get("datasource")).ok())
                .filter(|ds| *ds != Ds::Default)
                .collect();
            let read = if is_mixed(own) {
                // A mixed panel whose queries all run on one datasource is that datasource's.
                match target_ds.iter().collect::<Vec<_>>().as_slice() {
                    [one] => {
                        self.warn(
                            codes::GRAFANA_FIELD,
                            format!(
                                "{what}: `datasource` \"-- Mixed --\" is not kept: every query runs on {}, the panel's datasource now",
                                ds_source(one)
                            ),
                            own.expect("mixed"),
                        );
                        Ok((*one).clone())
                    }
                    _ => Err("several datasources (a mixed panel)".to_string()),
                }
            } else {
                Ds::read(own)
            };
            let mut ds = match read {
                Ok(ds) => ds,
                Err(why) => {
                    self.warn(
                        codes::GRAFANA_PANEL,
                        format!("{what} is not imported: it queries {why}"),
                        p.get("datasource").unwrap_or(p),
                    );
                    return None;
                }
            };
            if ds == Ds::Default {
                if let Some(first) = target_ds.iter().next() {
                    ds = first.clone();
                }
            }
            if let Some(kind) = self.plugin(d, &ds) {
                if kind != "prometheus" {
                    self.warn(
                        codes::GRAFANA_PANEL,
                        format!("{what} is not imported: it queries a {kind} datasource; the DSL's panels run PromQL"),
                        p.get("datasource").unwrap_or(p),
                    );
                    return None;
                }
            }
            for t in targets {
                if let Ok(own) = Ds::read(t.get("datasource")) {
                    if own != Ds::Default && own != ds {
                        self.warn(
                            codes::GRAFANA_FIELD,
                            format!("{what}: a query's own datasource is not kept: it runs on the panel's"),
                            t.get("datasource").unwrap_or(t),
                        );
                    }
                }
            }
            self.use_datasource(&ds, p.get("datasource").unwrap_or(p));
            out.datasource = Some(ds);
            for (i, t) in targets.iter().enumerate() {
                if let Some(q) = self.query(&what, &out, i, t) {
                    out.queries.push(q);
                }
            }
        } else if let Some(t) = targets.first() {
            self.warn(
                codes::GRAFANA_FIELD,
                format!("{what}: `targets` is not kept: a text panel shows none"),
                t,
            );
        }
        for link in p.get("links").and_then(Node::as_array).unwrap_or_default() {
            let title = link.get("title").and_then(Node::as_str).unwrap_or("");
            let url = link.get("url").and_then(Node::as_str).unwrap_or("");
            if url.starts_with("http://") || url.starts_with("https://") || url.starts_with('/') {
                let new_tab = link
                    .get("targetBlank")
                    .and_then(Node::as_bool)
                    .unwrap_or(false);
                out.links
                    .push((title.to_string(), url.to_string(), new_tab));
            } else {
                self.warn(
                    codes::GRAFANA_ANNOTATION,
                    format!("{what}: the link {title:?} to {url:?} is not kept: neither an http(s) URL nor a Grafana path"),
                    link,
                );
            }
        }
        if migrated {
            self.migrated(&what, kind, p, &mut out);
        } else {
            self.fields(&what, p, &mut out);
        }
        Some(PanelItem::Panel(Box::new(out)))
    }

    /// The plugin type of a datasource, when it can be told.
    fn plugin(&self, d: &DashboardIn, ds: &Ds) -> Option<String> {
        match ds {
            Ds::Default => None,
            Ds::Variable(name) => d.scope.datasource_variables.get(name).cloned(),
            Ds::Uid(_, kind) => kind.clone(),
        }
    }

    fn use_datasource(&mut self, ds: &Ds, at: &Node) {
        let (uid, kind) = match ds {
            Ds::Variable(_) => return,
            Ds::Default => (DEFAULT_DATASOURCE.to_string(), "prometheus".to_string()),
            Ds::Uid(uid, kind) => (
                uid.clone(),
                kind.clone().unwrap_or_else(|| "prometheus".into()),
            ),
        };
        if !self.datasources.contains_key(&uid) {
            self.diagnostics.push(
                Diagnostic::warning(
                    codes::GRAFANA_DATASOURCE,
                    format!(
                        "the {kind} datasource {uid:?} is declared in `datasources()` with the placeholder URL {PLACEHOLDER_URL}"
                    ),
                )
                .with_file(&self.path, self.range(at))
                .note("set its URL, or drop it when the spec already provisions this uid"),
            );
            self.datasources.insert(uid, kind);
        }
    }

    fn query(&mut self, what: &str, panel: &PanelOut, index: usize, t: &Node) -> Option<QueryOut> {
        let ref_id = t.get("refId").and_then(Node::as_str).unwrap_or("");
        let input_letter = letter(index);
        let what = format!(
            "{what}: query {}",
            if ref_id.is_empty() {
                &input_letter
            } else {
                ref_id
            }
        );
        let Some(expr) = t
            .get("expr")
            .and_then(Node::as_str)
            .filter(|e| !e.trim().is_empty())
        else {
            self.warn(
                codes::GRAFANA_FIELD,
                format!("{what} is not kept: it has no PromQL `expr`"),
                t,
            );
            return None;
        };
        let (stand_in, to_expr) = crate::grafana::lower::stand_in_variables_mapped(expr);
        let mut q = QueryOut {
            expr: expr.to_string(),
            rust: selectors::inline(expr, &stand_in, &to_expr, self.statics),
            ..QueryOut::default()
        };
        self.seen(expr);
        if let Some(legend) = t.get("legendFormat").and_then(Node::as_str) {
            if !legend.is_empty() && legend != "__auto" {
                q.legend = Some(legend.to_string());
            }
        }
        // Lowering numbers the queries it keeps; the id wanted is the input's, or the letter of
        // the query's place in the input.
        let kept_letter = letter(panel.queries.len());
        let wanted = if ref_id.is_empty() {
            input_letter.clone()
        } else if ref_id.chars().all(|c| c.is_ascii_uppercase()) {
            ref_id.to_string()
        } else {
            self.warn(
                codes::GRAFANA_FIELD,
                format!("{what}: `refId` {ref_id:?} is not kept (the DSL's ids are capital letters): it becomes {kept_letter:?}"),
                t.get("refId").expect("read above"),
            );
            kept_letter.clone()
        };
        if wanted != kept_letter {
            q.ref_id = Some(wanted);
        }
        if let Some(interval) = t.get("interval").and_then(Node::as_str) {
            if !interval.is_empty() {
                q.interval = Some(interval.to_string());
            }
        }
        q.instant = t.get("instant").and_then(Node::as_bool).unwrap_or(false)
            && !t.get("range").and_then(Node::as_bool).unwrap_or(false)
            && panel.kind != Kind::Table;
        q.exemplar = t.get("exemplar").and_then(Node::as_bool).unwrap_or(false);
        q.hidden = t.get("hide").and_then(Node::as_bool).unwrap_or(false);
        let format = match panel.kind {
            Kind::Table => "table",
            Kind::Heatmap => "heatmap",
            _ => "time_series",
        };
        let handled = [
            "expr",
            "legendFormat",
            "refId",
            "interval",
            "instant",
            "range",
            "exemplar",
            "datasource",
            "hide",
            "editorMode",
            "format",
            "key",
            "queryType",
        ];
        for m in match &t.value {
            Value::Object(members) => members.as_slice(),
            _ => &[],
        } {
            let lost = match m.key.as_str() {
                "format" => m.value.as_str().is_some_and(|f| f != format),
                "intervalFactor" => m.value.as_i64() != Some(1),
                "instant" => {
                    m.value.as_bool() == Some(true)
                        && !q.instant
                        && panel.kind != Kind::Table
                        && t.get("range").and_then(Node::as_bool) == Some(true)
                }
                "range" => {
                    m.value.as_bool() == Some(false) && !q.instant && panel.kind != Kind::Table
                }
                key if handled.contains(&key) => false,
                _ => !is_empty(&m.value),
            };
            if lost {
                self.warn(
                    codes::GRAFANA_FIELD,
                    format!("{what}: `{}` is not kept ({})", m.key, short(&m.value)),
                    &m.value,
                );
            }
        }
        Some(q)
    }

    /// Records the series a query reads.
    fn seen(&mut self, expr: &str) {
        let text = crate::grafana::lower::stand_in_variables(expr);
        let Ok(parsed) = crate::syntax::promql::parse(&text) else {
            return;
        };
        let analysis = crate::syntax::promql::analyse(&parsed, &text);
        let grouped: Vec<&String> = analysis.groupings.iter().flat_map(|g| &g.labels).collect();
        for s in &analysis.selectors {
            let Some(name) = &s.name else { continue };
            let histogram =
                name.ends_with("_bucket") && s.enclosing.iter().any(|e| e == "histogram_quantile");
            let key = if histogram {
                name.trim_end_matches("_bucket").to_string()
            } else {
                name.clone()
            };
            let entry = self.series.entry(key).or_default();
            entry.as_histogram |= histogram;
            entry.as_counter |= !histogram
                && s.function
                    .is_some_and(|f| ["rate", "irate", "increase", "resets"].contains(&f));
            for (label, _, _) in &s.matchers {
                if label != "__name__" {
                    entry.labels.insert(label.clone());
                }
            }
            for label in &grouped {
                if histogram && label.as_str() == "le" {
                    continue;
                }
                entry.labels.insert((*label).clone());
            }
        }
    }

    /// Records the series a query variable reads: `label_values(selector, label)` (the label
    /// is one the series has), `query_result(expr)`.
    fn seen_in_variable(&mut self, query: &str) {
        let query = query.trim();
        if let Some(inner) = query
            .strip_prefix("label_values(")
            .and_then(|r| r.strip_suffix(')'))
        {
            let Some((selector, label)) = inner.rsplit_once(',') else {
                return;
            };
            self.seen(selector);
            let text = crate::grafana::lower::stand_in_variables(selector);
            let Ok(parsed) = crate::syntax::promql::parse(&text) else {
                return;
            };
            let analysis = crate::syntax::promql::analyse(&parsed, &text);
            let label = label.trim();
            if crate::syntax::promql::is_label_name(label) {
                for name in analysis.selectors.iter().filter_map(|s| s.name.as_ref()) {
                    if let Some(entry) = self.series.get_mut(name) {
                        entry.labels.insert(label.to_string());
                    }
                }
            }
        } else if let Some(expr) = query
            .strip_prefix("query_result(")
            .and_then(|r| r.strip_suffix(')'))
        {
            self.seen(expr);
        }
    }

    /// A legacy panel: what maps onto its successor is taken, the rest listed once.
    fn migrated(&mut self, what: &str, kind: Kind, p: &Node, out: &mut PanelOut) {
        let mut used: BTreeSet<&str> = [
            "type",
            "title",
            "description",
            "gridPos",
            "datasource",
            "targets",
            "links",
        ]
        .into_iter()
        .chain(PANEL_BOOKKEEPING.iter().copied())
        .collect();
        if kind == Kind::TimeSeries {
            if let Some(axis) = p
                .get("yaxes")
                .and_then(Node::as_array)
                .and_then(|a| a.first())
            {
                if let Some(u) = axis.get("format").and_then(Node::as_str).and_then(unit) {
                    out.unit = Some(u);
                    used.insert("yaxes");
                }
            }
            if p.get("stack").and_then(Node::as_bool) == Some(true) {
                out.stacked = true;
                used.insert("stack");
            }
            if p.get("bars").and_then(Node::as_bool) == Some(true)
                && p.get("lines").and_then(Node::as_bool) == Some(false)
            {
                out.bars = true;
                used.insert("bars");
                used.insert("lines");
            }
            // A shared tooltip shows every series; the DSL sorts them highest first, so the
            // tooltip is kept only when it did too.
            if let Some(tooltip) = p.get("tooltip") {
                if tooltip.get("shared").and_then(Node::as_bool) == Some(false) {
                    out.tooltip = Some(TooltipMode::Single);
                }
                if tooltip.get("sort").and_then(Node::as_i64) == Some(2) {
                    used.insert("tooltip");
                }
            }
            // Grafana's migration: an area fill of 0 to 10 becomes an opacity of 0 to 100.
            if let Some(fill) = p.get("fill").and_then(Node::as_i64) {
                let opacity = (fill.clamp(0, 10) * 10) as u32;
                if opacity != if out.stacked { 60 } else { 10 } {
                    out.fill_opacity = Some(opacity);
                }
                used.insert("fill");
            }
            if let Some(legend) = p.get("legend") {
                let shown = legend.get("show").and_then(Node::as_bool).unwrap_or(true);
                let table = legend
                    .get("alignAsTable")
                    .and_then(Node::as_bool)
                    .unwrap_or(false);
                let right = legend
                    .get("rightSide")
                    .and_then(Node::as_bool)
                    .unwrap_or(false);
                let mut l = if !shown {
                    Legend::hidden()
                } else if table {
                    let calcs: Vec<Calc> = [
                        ("current", Calc::Last),
                        ("avg", Calc::Mean),
                        ("max", Calc::Max),
                        ("min", Calc::Min),
                        ("total", Calc::Sum),
                    ]
                    .into_iter()
                    .filter(|(k, _)| legend.get(k).and_then(Node::as_bool) == Some(true))
                    .map(|(_, c)| c)
                    .collect();
                    Legend::table(calcs)
                } else {
                    Legend::list()
                };
                if right && shown {
                    l = l.right();
                }
                if l != Legend::default() {
                    out.legend = Some(l);
                }
            }
        } else if let Some(u) = p.get("format").and_then(Node::as_str).and_then(unit) {
            out.unit = Some(u);
            used.insert("format");
        }
        if kind == Kind::Stat {
            let c = match p.get("valueName").and_then(Node::as_str) {
                Some("current") => Some(Calc::Last),
                Some("avg") => Some(Calc::Mean),
                Some("max") => Some(Calc::Max),
                Some("min") => Some(Calc::Min),
                Some("total") => Some(Calc::Sum),
                _ => None,
            };
            if let Some(c) = c {
                used.insert("valueName");
                if c != Calc::Last {
                    out.calc = Some(c);
                }
            }
            if p.get("sparkline")
                .and_then(|s| s.get("show"))
                .and_then(Node::as_bool)
                != Some(true)
            {
                out.graph = Some(GraphMode::None);
            }
        }
        let dropped: Vec<String> = match &p.value {
            Value::Object(members) => members
                .iter()
                .filter(|m| !used.contains(m.key.as_str()) && !is_empty(&m.value))
                .map(|m| format!("`{}`", m.key))
                .collect(),
            _ => Vec::new(),
        };
        let successor = if kind == Kind::TimeSeries {
            "timeseries"
        } else {
            "stat"
        };
        let mut message =
            format!("{what} is imported as a {successor} panel, as Grafana migrates it");
        if !dropped.is_empty() {
            message.push_str(&format!("; not kept: {}", dropped.join(", ")));
        }
        self.warn(codes::GRAFANA_MIGRATED, message, p);
    }

    /// Today's panel: the DSL's options are read, then every field the DSL writes otherwise
    /// is reported.
    fn fields(&mut self, what: &str, p: &Node, out: &mut PanelOut) {
        let defaults = p.get("fieldConfig").and_then(|f| f.get("defaults"));
        let options = p.get("options");
        if let Some(defaults) = defaults {
            if let Some(u) = defaults.get("unit").and_then(Node::as_str) {
                out.unit = unit(u);
            }
            out.min = number(defaults.get("min"));
            out.max = number(defaults.get("max"));
            out.decimals = defaults
                .get("decimals")
                .and_then(Node::as_i64)
                .and_then(|d| u32::try_from(d).ok());
            if let Some(t) = defaults.get("thresholds") {
                out.thresholds = thresholds(t);
            }
            if out.kind == Kind::TimeSeries {
                if let Some(custom) = defaults.get("custom") {
                    let text = |k: &str| custom.get(k).and_then(Node::as_str);
                    out.bars = text("drawStyle") == Some("bars");
                    out.stacked = custom
                        .get("stacking")
                        .and_then(|s| s.get("mode"))
                        .and_then(Node::as_str)
                        == Some("normal");
                    let default_fill = if out.stacked { 60 } else { 10 };
                    out.fill_opacity = custom
                        .get("fillOpacity")
                        .and_then(Node::as_i64)
                        .and_then(|f| u32::try_from(f).ok())
                        .filter(|f| *f != default_fill && *f <= 100);
                    out.thresholds_style = match custom
                        .get("thresholdsStyle")
                        .and_then(|s| s.get("mode"))
                        .and_then(Node::as_str)
                    {
                        Some("line") => Some(ThresholdsStyle::Line),
                        Some("dashed") => Some(ThresholdsStyle::Dashed),
                        Some("area") => Some(ThresholdsStyle::Area),
                        _ => None,
                    };
                }
            }
        }
        if let Some(options) = options {
            let reduce = options
                .get("reduceOptions")
                .and_then(|r| r.get("calcs"))
                .and_then(Node::as_array)
                .and_then(|c| c.first())
                .and_then(Node::as_str)
                .and_then(calc)
                .filter(|c| *c != Calc::Last);
            match out.kind {
                Kind::TimeSeries => {
                    if let Some(legend) = options.get("legend") {
                        out.legend = legend_of(legend).filter(|l| *l != Legend::default());
                    }
                    out.tooltip = match options
                        .get("tooltip")
                        .and_then(|t| t.get("mode"))
                        .and_then(Node::as_str)
                    {
                        Some("single") => Some(TooltipMode::Single),
                        Some("none") => Some(TooltipMode::Hidden),
                        _ => None,
                    };
                }
                Kind::Stat => {
                    out.calc = reduce;
                    if options.get("graphMode").and_then(Node::as_str) == Some("none") {
                        out.graph = Some(GraphMode::None);
                    }
                    if options.get("colorMode").and_then(Node::as_str) == Some("background") {
                        out.color_mode = Some(ColorMode::Background);
                    }
                }
                Kind::Gauge => {
                    out.calc = reduce;
                    out.no_threshold_markers =
                        options.get("showThresholdMarkers").and_then(Node::as_bool) == Some(false);
                }
                Kind::BarGauge => {
                    out.calc = reduce;
                    out.bar_style = match options.get("displayMode").and_then(Node::as_str) {
                        Some("basic") => Some(BarStyle::Basic),
                        Some("lcd") => Some(BarStyle::Lcd),
                        _ => None,
                    };
                    if options.get("orientation").and_then(Node::as_str) == Some("vertical") {
                        out.orientation = Some(Orientation::Vertical);
                    }
                }
                Kind::Text => {
                    out.content = options
                        .get("content")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_string();
                }
                Kind::Table => {
                    let first = options
                        .get("sortBy")
                        .and_then(Node::as_array)
                        .and_then(|s| s.first());
                    if let Some(first) = first {
                        if let Some(column) = first.get("displayName").and_then(Node::as_str) {
                            let desc = first.get("desc").and_then(Node::as_bool).unwrap_or(false);
                            out.sort_by = Some((column.to_string(), desc));
                        }
                    }
                }
                Kind::Heatmap => {}
            }
        }
        if out.kind == Kind::Text && out.content.is_empty() {
            if let Some(content) = p.get("content").and_then(Node::as_str) {
                out.content = content.to_string();
            }
        }
        // Now compare what was read with what the DSL writes for it.
        let value = out.value();
        let mut lost: Vec<(String, &Node)> = Vec::new();
        if let Some(options) = options {
            differences(
                "options",
                options,
                &value.options().unwrap_or(json!({})),
                &mut lost,
            );
        }
        if let Some(defaults) = defaults {
            let mut expected = match &value {
                Panel::Text(_) => serde_json::Map::new(),
                v => v
                    .common()
                    .map(PanelCommon::field_defaults)
                    .unwrap_or_default(),
            };
            if let Some(custom) = value.custom() {
                expected.insert("custom".into(), custom);
            }
            differences(
                "fieldConfig.defaults",
                defaults,
                &Json::Object(expected),
                &mut lost,
            );
        }
        // Thresholds read in full differ at most in the base step's value, which Grafana
        // ignores (the base colour holds from minus infinity).
        if out.thresholds.is_some() {
            lost.retain(|(path, _)| !path.starts_with("fieldConfig.defaults.thresholds.steps"));
        }
        if let Some(overrides) = p.get("fieldConfig").and_then(|f| f.get("overrides")) {
            if !is_empty(overrides) {
                lost.push(("fieldConfig.overrides".into(), overrides));
            }
        }
        if let Some(transformations) = p.get("transformations") {
            let expected = match &value {
                Panel::Table(t) => t.transformations(),
                _ => json!([]),
            };
            if !is_empty(transformations) && !same(&transformations.to_serde(), &expected) {
                lost.push(("transformations".into(), transformations));
            }
        }
        let handled = [
            "type",
            "title",
            "description",
            "gridPos",
            "datasource",
            "targets",
            "links",
            "fieldConfig",
            "options",
            "transformations",
        ];
        if let Value::Object(members) = &p.value {
            for m in members {
                let key = m.key.as_str();
                // A legacy text panel keeps its content and mode beside the options.
                let text_kept = out.kind == Kind::Text
                    && (key == "content"
                        || (key == "mode" && m.value.as_str() == Some("markdown")));
                let kept = handled.contains(&key)
                    || PANEL_BOOKKEEPING.contains(&key)
                    || text_kept
                    || is_empty(&m.value);
                if !kept {
                    lost.push((m.key.clone(), &m.value));
                }
            }
        }
        for (path, node) in lost {
            self.warn(
                codes::GRAFANA_FIELD,
                format!("{what}: `{path}` is not kept ({})", short(node)),
                node,
            );
        }
    }

    fn variables(&mut self, d: &DashboardIn) -> Vec<String> {
        let mut out = Vec::new();
        let list = d
            .node
            .get("templating")
            .and_then(|t| t.get("list"))
            .and_then(Node::as_array)
            .unwrap_or_default();
        for v in list {
            let name = v.get("name").and_then(Node::as_str).unwrap_or("");
            let kind = v.get("type").and_then(Node::as_str).unwrap_or("");
            let what = format!("dashboard {:?}: variable {name:?}", d.title);
            let query_text = crate::grafana::file::variable_query(v);
            let multi = v.get("multi").and_then(Node::as_bool).unwrap_or(false);
            let all = v.get("includeAll").and_then(Node::as_bool).unwrap_or(false);
            let mut handled: Vec<&str> = vec![
                "name",
                "type",
                "query",
                "label",
                "description",
                "current",
                "options",
                "hide",
                "skipUrlSync",
                "datasource",
                "definition",
                "multi",
                "includeAll",
                "refresh",
                "sort",
                "regex",
                "error",
                "index",
                "tagValuesQuery",
                "tags",
                "tagsQuery",
                "useTags",
                "auto",
                "auto_count",
                "auto_min",
                "id",
                "rootStateKey",
                "global",
                "state",
            ];
            let head = match kind {
                "datasource" => match query_text.as_str() {
                    "prometheus" | "jaeger" => {
                        let k = if query_text == "jaeger" {
                            "Jaeger"
                        } else {
                            "Prometheus"
                        };
                        format!(
                            "Variable::datasource_any({}, DatasourceKind::{k})",
                            lit(name)
                        )
                    }
                    other => {
                        self.warn(
                            codes::GRAFANA_VARIABLE,
                            format!("{what} is not imported: the DSL has no datasource variable of {other:?} datasources"),
                            v,
                        );
                        continue;
                    }
                },
                "query" => {
                    let ds = match Ds::read(v.get("datasource")) {
                        Ok(ds) => ds,
                        Err(why) => {
                            self.warn(
                                codes::GRAFANA_VARIABLE,
                                format!("{what} is not imported: it queries {why}"),
                                v,
                            );
                            continue;
                        }
                    };
                    if let Some(kind) = self.plugin(d, &ds) {
                        if kind != "prometheus" {
                            self.warn(
                                codes::GRAFANA_VARIABLE,
                                format!("{what} is not imported: it queries a {kind} datasource"),
                                v,
                            );
                            continue;
                        }
                    }
                    self.use_datasource(&ds, v);
                    self.seen_in_variable(&query_text);
                    format!(
                        "Variable::query({}, {}, {})",
                        lit(name),
                        ds_source(&ds),
                        lit(&query_text)
                    )
                }
                "custom" | "constant" | "textbox" => {
                    if kind != "custom" {
                        self.warn(
                            codes::GRAFANA_VARIABLE,
                            format!("{what}: the DSL has no {kind} variable; imported as a custom variable with the value {query_text:?}"),
                            v,
                        );
                    }
                    let values: Vec<String> = if kind == "custom" {
                        query_text.split(',').map(|s| lit(s.trim())).collect()
                    } else {
                        vec![lit(&query_text)]
                    };
                    format!("Variable::custom({}, [{}])", lit(name), values.join(", "))
                }
                "interval" => {
                    let mut values = Vec::new();
                    for part in query_text.split(',').map(str::trim) {
                        match Duration::parse(part) {
                            Ok(d) if !d.is_zero() => values.push(super::rust::duration(d)),
                            _ => self.warn(
                                codes::GRAFANA_FIELD,
                                format!("{what}: `query`: the interval {part:?} is not kept"),
                                v.get("query").unwrap_or(v),
                            ),
                        }
                    }
                    if values.is_empty() {
                        self.warn(
                            codes::GRAFANA_VARIABLE,
                            format!("{what} is not imported: it has no interval the DSL writes"),
                            v,
                        );
                        continue;
                    }
                    format!("Variable::interval({}, [{}])", lit(name), values.join(", "))
                }
                other => {
                    self.warn(
                        codes::GRAFANA_VARIABLE,
                        format!("{what} is not imported: the DSL has no {other:?} variable"),
                        v,
                    );
                    continue;
                }
            };
            let mut calls = Vec::new();
            if let Some(label) = v
                .get("label")
                .and_then(Node::as_str)
                .filter(|l| !l.is_empty())
            {
                calls.push(format!("label({})", lit(label)));
            }
            if let Some(text) = v
                .get("description")
                .and_then(Node::as_str)
                .filter(|l| !l.is_empty())
            {
                calls.push(format!("description({})", lit(text)));
            }
            if ["query", "custom"].contains(&kind) {
                match (multi, all) {
                    (false, false) => {}
                    (true, true) => calls.push("multi()".into()),
                    (true, false) => calls.push("multi().include_all(false)".into()),
                    (false, true) => calls.push("include_all(true)".into()),
                }
            }
            // What the DSL writes otherwise.
            let mut lost: Vec<(&str, &Node)> = Vec::new();
            let text = |k: &str| v.get(k).and_then(Node::as_str).unwrap_or("");
            if v.get("hide").and_then(Node::as_i64).unwrap_or(0) != 0 {
                lost.push(("hide", v.get("hide").expect("read above")));
            }
            if !text("regex").is_empty() {
                lost.push(("regex", v.get("regex").expect("read above")));
            }
            if kind == "query" {
                if let Some(sort) = v
                    .get("sort")
                    .filter(|s| s.as_i64().unwrap_or(0) != 1 && s.as_i64().unwrap_or(0) != 0)
                {
                    lost.push(("sort", sort));
                }
                if let Some(all_value) = v.get("allValue").filter(|a| !is_empty(a)) {
                    lost.push(("allValue", all_value));
                }
            }
            if kind == "interval" && v.get("auto").and_then(Node::as_bool) == Some(true) {
                lost.push(("auto", v.get("auto").expect("read above")));
            }
            handled.push("allValue");
            if let Value::Object(members) = &v.value {
                for m in members {
                    if !handled.contains(&m.key.as_str()) && !is_empty(&m.value) {
                        lost.push((m.key.as_str(), &m.value));
                    }
                }
            }
            for (field, node) in lost {
                self.warn(
                    codes::GRAFANA_FIELD,
                    format!("{what}: `{field}` is not kept ({})", short(node)),
                    node,
                );
            }
            out.push(single_line(&head, &calls));
        }
        out
    }

    fn links(&mut self, d: &DashboardIn) -> Vec<String> {
        let mut out = Vec::new();
        for link in d
            .node
            .get("links")
            .and_then(Node::as_array)
            .unwrap_or_default()
        {
            let title = link.get("title").and_then(Node::as_str).unwrap_or("");
            let what = format!("dashboard {:?}: link {title:?}", d.title);
            let flag = |k: &str| link.get(k).and_then(Node::as_bool).unwrap_or(false);
            let kind = link.get("type").and_then(Node::as_str).unwrap_or("link");
            let (head, defaults) = match kind {
                "link" => {
                    let url = link.get("url").and_then(Node::as_str).unwrap_or("");
                    if !(url.starts_with("http://")
                        || url.starts_with("https://")
                        || url.starts_with('/'))
                    {
                        self.warn(
                            codes::GRAFANA_ANNOTATION,
                            format!("{what} to {url:?} is not imported: neither an http(s) URL nor a Grafana path"),
                            link,
                        );
                        continue;
                    }
                    (format!("Link::url({}, {})", lit(title), lit(url)), false)
                }
                "dashboards" => {
                    let tags: Vec<String> = link
                        .get("tags")
                        .and_then(Node::as_array)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(Node::as_str)
                        .map(lit)
                        .collect();
                    if tags.is_empty() {
                        self.warn(
                            codes::GRAFANA_ANNOTATION,
                            format!("{what} is not imported: a list of dashboards without tags"),
                            link,
                        );
                        continue;
                    }
                    if !flag("asDropdown") {
                        self.warn(
                            codes::GRAFANA_FIELD,
                            format!("{what}: `asDropdown` false is not kept: the DSL lists tagged dashboards as a dropdown"),
                            link,
                        );
                    }
                    (
                        format!("Link::tagged({}, [{}])", lit(title), tags.join(", ")),
                        true,
                    )
                }
                other => {
                    self.warn(
                        codes::GRAFANA_ANNOTATION,
                        format!("{what} is not imported: the DSL has no {other:?} link"),
                        link,
                    );
                    continue;
                }
            };
            let mut calls = Vec::new();
            if kind == "link" {
                let icon = link
                    .get("icon")
                    .and_then(Node::as_str)
                    .unwrap_or("external link");
                match crate::grafana::Link::ICONS.iter().find(|i| **i == icon) {
                    Some(_) if icon == "external link" => {}
                    Some(_) => calls.push(format!("icon({})", lit(icon))),
                    None => self.warn(
                        codes::GRAFANA_FIELD,
                        format!("{what}: the icon {icon:?} is not kept"),
                        link.get("icon").unwrap_or(link),
                    ),
                }
            }
            if let Some(tooltip) = link
                .get("tooltip")
                .and_then(Node::as_str)
                .filter(|t| !t.is_empty())
            {
                calls.push(format!("tooltip({})", lit(tooltip)));
            }
            if flag("keepTime") != defaults {
                calls.push(format!("keep_time({})", flag("keepTime")));
            }
            if flag("includeVars") {
                calls.push("include_vars(true)".into());
            }
            if flag("targetBlank") {
                calls.push("new_tab(true)".into());
            }
            out.push(single_line(&head, &calls));
        }
        out
    }

    fn annotations(&mut self, d: &DashboardIn) -> Vec<String> {
        let mut out = Vec::new();
        let list = d
            .node
            .get("annotations")
            .and_then(|a| a.get("list"))
            .and_then(Node::as_array)
            .unwrap_or_default();
        for a in list {
            let name = a.get("name").and_then(Node::as_str).unwrap_or("");
            let what = format!("dashboard {:?}: annotation {name:?}", d.title);
            if a.get("builtIn").and_then(Node::as_i64) == Some(1) {
                // Grafana's own, which every emitted dashboard has.
                continue;
            }
            let ds = Ds::read(a.get("datasource")).ok();
            let plugin = ds.as_ref().and_then(|ds| self.plugin(d, ds));
            let expr = a
                .get("expr")
                .and_then(Node::as_str)
                .filter(|e| !e.trim().is_empty());
            let (Some(ds), Some(expr)) = (ds, expr) else {
                self.warn(
                    codes::GRAFANA_ANNOTATION,
                    format!("{what} is not imported: the DSL's annotations are PromQL queries"),
                    a,
                );
                continue;
            };
            if plugin.as_deref().is_some_and(|p| p != "prometheus") {
                self.warn(
                    codes::GRAFANA_ANNOTATION,
                    format!(
                        "{what} is not imported: it queries a {} datasource",
                        plugin.unwrap_or_default()
                    ),
                    a,
                );
                continue;
            }
            self.use_datasource(&ds, a);
            self.seen(expr);
            let mut calls = Vec::new();
            let icon = a.get("iconColor").and_then(Node::as_str).unwrap_or("red");
            match color(icon) {
                Some(Color::Red) => {}
                Some(c) => calls.push(format!("color(Color::{c:?})")),
                None => self.warn(
                    codes::GRAFANA_FIELD,
                    format!(
                        "{what}: `iconColor` {icon:?} is not kept (the DSL's colours are named)"
                    ),
                    a.get("iconColor").unwrap_or(a),
                ),
            }
            for (key, method) in [("titleFormat", "title"), ("textFormat", "text")] {
                if let Some(t) = a.get(key).and_then(Node::as_str).filter(|t| !t.is_empty()) {
                    calls.push(format!("{method}({})", lit(t)));
                }
            }
            if let Some(keys) = a
                .get("tagKeys")
                .and_then(Node::as_str)
                .filter(|t| !t.is_empty())
            {
                let keys: Vec<String> = keys.split(',').map(|k| lit(k.trim())).collect();
                calls.push(format!("tag_keys([{}])", keys.join(", ")));
            }
            for (key, kept) in [
                ("enable", true),
                ("hide", false),
                ("useValueForTime", false),
            ] {
                if let Some(v) = a.get(key).and_then(Node::as_bool).filter(|v| *v != kept) {
                    self.warn(
                        codes::GRAFANA_FIELD,
                        format!("{what}: `{key}` {v} is not kept"),
                        a.get(key).expect("read above"),
                    );
                }
            }
            out.push(single_line(
                &format!(
                    "Annotation::prometheus({}, {}, {})",
                    lit(name),
                    ds_source(&ds),
                    lit(expr)
                ),
                &calls,
            ));
        }
        out
    }
}

/// `A`, `B`, ..., `Z`, `AA`, ...: the query id of place `index`.
fn letter(index: usize) -> String {
    let letter = (b'A' + (index % 26) as u8) as char;
    if index < 26 {
        letter.to_string()
    } else {
        format!("{}{letter}", self::letter(index / 26 - 1))
    }
}

/// A builder call with its method calls on one line, or one per line when long.
fn single_line(head: &str, calls: &[String]) -> String {
    let line: String = std::iter::once(head.to_string())
        .chain(calls.iter().map(|c| format!(".{c}")))
        .collect();
    if line.len() <= 80 && !line.contains('\n') {
        line
    } else {
        chain(head, calls)
    }
}

fn thresholds(node: &Node) -> Option<Thresholds> {
    let steps = node.get("steps").and_then(Node::as_array)?;
    let (first, rest) = steps.split_first()?;
    let base = color(first.get("color").and_then(Node::as_str)?)?;
    let mut t = Thresholds::new(base);
    for step in rest {
        let value = number(step.get("value"))?;
        let c = color(step.get("color").and_then(Node::as_str)?)?;
        t = t.step(value, c);
    }
    if node.get("mode").and_then(Node::as_str) == Some("percentage") {
        t = t.percentage();
    }
    Some(t)
}

fn legend_of(node: &Node) -> Option<Legend> {
    let mode = node
        .get("displayMode")
        .and_then(Node::as_str)
        .unwrap_or("list");
    let shown = node
        .get("showLegend")
        .and_then(Node::as_bool)
        .unwrap_or(true);
    let calcs: Vec<Calc> = node
        .get("calcs")
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(|c| c.as_str().and_then(calc))
        .collect();
    let mut legend = match (shown, mode) {
        (false, _) | (_, "hidden") => Legend::hidden(),
        (true, "table") => Legend::table(calcs.clone()),
        _ => Legend::list(),
    };
    if node.get("placement").and_then(Node::as_str) == Some("right") {
        legend = legend.right();
    }
    Some(legend)
}

/// Where Grafana's migration of the legacy `rows` model (schemaVersion < 16) puts each row
/// (its grid line and whether it is collapsed, when rows are shown at all) and each of its
/// panels as (x, y, w, h): a row's height in pixels becomes grid lines of 38 pixels (90 at
/// least, 250 by default), a panel's `span` of 12 becomes its width of 24 (4 by default), and
/// panels fill the row's area left to right, wrapping below it when a panel does not fit.
#[allow(clippy::type_complexity)]
fn legacy_layout(rows: &[Node]) -> Vec<(Option<(u32, bool)>, Vec<(u32, u32, u32, u32)>)> {
    const COLUMNS: usize = 24;
    let grid_height = |node: Option<&Node>| -> Option<u32> {
        let pixels = match &node?.value {
            Value::String(s) => s.trim_end_matches("px").trim().parse::<f64>().ok()?,
            Value::Number(n) => n.parse::<f64>().ok()?,
            _ => return None,
        };
        Some((pixels.max(90.0) / 38.0).ceil() as u32)
    };
    let flag = |row: &Node, key: &str| row.get(key).is_some_and(|v| !is_empty(v));
    let show_rows = rows
        .iter()
        .any(|r| flag(r, "collapse") || flag(r, "showTitle") || flag(r, "repeat"));
    let mut y = 0;
    let mut out = Vec::new();
    for row in rows {
        if flag(row, "repeatIteration") {
            out.push((None, Vec::new()));
            continue;
        }
        let row_height = grid_height(row.get("height")).unwrap_or(7);
        let collapsed = flag(row, "collapse");
        let row_place = show_rows.then(|| {
            let place = (y, collapsed);
            y += 1;
            place
        });
        // How far down each column is filled, from the top of the current area.
        let mut area = [0u32; COLUMNS];
        let mut area_y = y;
        let mut places = Vec::new();
        for p in row
            .get("panels")
            .and_then(Node::as_array)
            .unwrap_or_default()
        {
            let span = number(p.get("span")).unwrap_or(4.0);
            let w = ((span.floor() as u32) * 2).clamp(1, COLUMNS as u32);
            let h = grid_height(p.get("height")).unwrap_or(row_height);
            let mut x_y = free_place(&area, row_height, w);
            if x_y.is_none() {
                area_y += row_height;
                area = [0; COLUMNS];
                x_y = free_place(&area, row_height, w);
            }
            let (x, dy) = x_y.unwrap_or((0, 0));
            let place = (x, area_y + dy, w, h);
            for column in area.iter_mut().skip(x as usize).take(w as usize) {
                *column = (*column).max(place.1 + h - area_y);
            }
            y = area_y;
            places.push(place);
        }
        if !(show_rows && collapsed) {
            y += row_height;
        }
        out.push((row_place, places));
    }
    out
}

/// Where a panel `width` wide fits in a row area `height` high whose columns are filled to
/// `area`: the run of free columns at the right end whose fill does not rise to the right,
/// from its leftmost column, below the fullest of them (Grafana's rule, quirks included).
fn free_place(area: &[u32], height: u32, width: u32) -> Option<(u32, u32)> {
    let mut end = None;
    let mut start = None;
    for i in (0..area.len()).rev() {
        if area[i] >= height {
            break;
        }
        if end.is_none() {
            end = Some(i);
        } else if i + 1 < area.len() && area[i] <= area[i + 1] {
            start = Some(i);
        } else {
            break;
        }
    }
    let (start, end) = (start?, end?);
    (end - start + 1 >= width as usize).then(|| {
        let y = area[start..].iter().copied().max().unwrap_or(0);
        (start as u32, y)
    })
}

/// A panel or a row, in the dashboard's order.
enum PanelItem {
    Row {
        title: String,
        collapsed: bool,
        y: u32,
    },
    Panel(Box<PanelOut>),
}

impl PanelItem {
    fn source(&self, dashboard_ds: Option<&Ds>) -> String {
        match self {
            PanelItem::Row {
                title,
                collapsed,
                y,
            } => {
                let mut out = format!("Row::new({})", lit(title));
                if *collapsed {
                    out.push_str(".collapsed()");
                }
                out.push_str(&format!(".at({y})"));
                out
            }
            PanelItem::Panel(p) => p.source(dashboard_ds),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_rows_are_placed_as_grafana_migrates_them() {
        let rows = crate::syntax::json::parse(
            r#"[
                {"height": "250px", "panels": [{"span": 6}, {"span": 6}, {"span": 4}]},
                {"title": "B", "showTitle": true, "height": 100, "panels": [{"span": 12}]},
                {"collapse": true, "panels": [{}, {"span": 4, "height": "400px"}]},
                {"panels": [{"span": 2}]}
            ]"#,
        )
        .unwrap();
        let layout = legacy_layout(rows.as_array().unwrap());
        assert_eq!(
            layout,
            vec![
                // 250px: 7 lines; the third panel does not fit beside the first two.
                (
                    Some((0, false)),
                    vec![(0, 1, 12, 7), (12, 1, 12, 7), (0, 8, 8, 7)]
                ),
                // 100px: 3 lines.
                (Some((15, false)), vec![(0, 16, 24, 3)]),
                // Collapsed: its panels are placed, the next row does not move down.
                (Some((19, true)), vec![(0, 20, 8, 7), (8, 20, 8, 11)]),
                (Some((20, false)), vec![(0, 21, 4, 7)]),
            ]
        );
        assert_eq!(free_place(&[0; 24], 7, 25), None);
    }
}
