//! `sextant import` of Grafana dashboards, round trip: every dashboard of the public corpus
//! (`tests/corpus/dashboards`) and EJE's own (`generated/grafana/dashboards`) is imported by the
//! CLI of a new service (`sextant init`), twice (nothing changes), its modules are checked with
//! `rustfmt --check`, its `build` writes the dashboards, and each is compared with its input: the same panels (type, title, gridPos),
//! queries (expr modulo whitespace, legendFormat, refId, datasource, hidden), variables, links and
//! annotations, for everything the import did not report as unsupported. A dashboard in the
//! legacy `rows` model has no positions to compare: its panels are placed as Grafana's migration
//! places them (unit-tested in `src/import/grafana.rs`). The fixtures under
//! `tests/fixtures/import/grafana/` join the corpus. The counts of what was imported and
//! reported are a snapshot.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sextant::diagnostics::{Diagnostic, Span};
use sextant::import::{self, codes, grafana, Module};
use sextant::rules::file::SourceFile;
use sextant::syntax::json;

use common::{root, TempDir};

/// The dashboards to import: the corpus's, EJE's generated ones and the fixtures; paths
/// relative to the root.
fn inputs() -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let root = root();
    let mut paths = Vec::new();
    walk(&root.join("tests/corpus/dashboards"), &mut paths);
    walk(&root.join("generated/grafana/dashboards"), &mut paths);
    walk(&root.join("tests/fixtures/import/grafana"), &mut paths);
    let mut paths: Vec<String> = paths
        .iter()
        .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 14,
        "the corpus, EJE's dashboards, the fixtures: {paths:?}"
    );
    paths
}

fn source(path: &str) -> SourceFile {
    SourceFile {
        path: path.to_string(),
        text: std::fs::read_to_string(root().join(path)).unwrap(),
    }
}

/// The byte range a diagnostic points at.
fn range(d: &Diagnostic) -> Option<std::ops::Range<usize>> {
    match &d.span {
        Some(Span::File { range, .. }) => Some(range.clone()),
        _ => None,
    }
}

/// Whether a diagnostic of `code` points inside `node`.
fn reported(diagnostics: &[Diagnostic], code: &str, node: &json::Node) -> bool {
    diagnostics.iter().any(|d| {
        d.code == code
            && range(d).is_some_and(|r| node.range.start <= r.start && r.end <= node.range.end)
    })
}

fn text<'a>(node: &'a json::Node, key: &str) -> &'a str {
    node.get(key).and_then(|n| n.as_str()).unwrap_or("")
}

/// A datasource reference as a comparable name: `$var` for a variable, the uid otherwise, and
/// the imported default for none.
fn ds_name(value: Option<&Value>) -> String {
    let raw = match value {
        None | Some(Value::Null) => return grafana::DEFAULT_DATASOURCE.to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => match v.get("uid").and_then(Value::as_str) {
            Some(uid) => uid.to_string(),
            None => return grafana::DEFAULT_DATASOURCE.to_string(),
        },
    };
    match raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
        Some(name) => format!("${name}"),
        None => raw,
    }
}

fn squash(expr: &str) -> String {
    expr.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn legend(format: Option<&Value>) -> String {
    match format.and_then(Value::as_str) {
        None | Some("") => "__auto".into(),
        Some(s) => s.into(),
    }
}

/// What the round trip compares of a dashboard, one line per item.
#[derive(Debug, Default, PartialEq)]
struct Facts {
    panels: Vec<String>,
    queries: Vec<String>,
    variables: Vec<String>,
    links: Vec<String>,
    annotations: Vec<String>,
}

/// The facts of an input dashboard, leaving out what the import reported as unsupported.
fn input_facts(node: &json::Node, diagnostics: &[Diagnostic]) -> Facts {
    let mut facts = Facts::default();
    let legacy = node.get("rows").is_some();
    let mut panels: Vec<&json::Node> = Vec::new();
    for p in node
        .get("panels")
        .and_then(|p| p.as_array())
        .unwrap_or_default()
    {
        panels.push(p);
        if text(p, "type") == "row" {
            panels.extend(
                p.get("panels")
                    .and_then(|c| c.as_array())
                    .unwrap_or_default(),
            );
        }
    }
    for row in node
        .get("rows")
        .and_then(|r| r.as_array())
        .unwrap_or_default()
    {
        panels.extend(
            row.get("panels")
                .and_then(|c| c.as_array())
                .unwrap_or_default(),
        );
    }
    for p in panels {
        // A row is never left out; its panels may be (and are inside its range).
        if text(p, "type") != "row" && reported(diagnostics, codes::GRAFANA_PANEL, p) {
            continue;
        }
        let serde = p.to_serde();
        let kind = match text(p, "type") {
            "graph" => "timeseries",
            "singlestat" => "stat",
            other => other,
        };
        let grid = if legacy {
            "legacy".to_string()
        } else {
            serde["gridPos"].to_string()
        };
        facts
            .panels
            .push(format!("{kind} {:?} {grid}", text(p, "title")));
        let panel_ds = ds_name(serde.get("datasource"));
        let targets = p
            .get("targets")
            .and_then(|t| t.as_array())
            .unwrap_or_default();
        let first_target_ds = serde["targets"]
            .as_array()
            .and_then(|t| t.iter().find(|t| !t["datasource"].is_null()))
            .map(|t| ds_name(t.get("datasource")));
        let panel_ds = match (serde.get("datasource"), first_target_ds) {
            (None | Some(Value::Null), Some(first)) => first,
            _ => panel_ds,
        };
        if kind == "text" || kind == "row" {
            continue;
        }
        for (i, t) in targets.iter().enumerate() {
            if reported(diagnostics, codes::GRAFANA_FIELD, t) && text(t, "expr").trim().is_empty() {
                continue;
            }
            let t = t.to_serde();
            let query_ds = match t.get("datasource") {
                None | Some(Value::Null) => panel_ds.clone(),
                own => ds_name(own),
            };
            let ref_id = t["refId"]
                .as_str()
                .filter(|r| !r.is_empty() && r.chars().all(|c| c.is_ascii_uppercase()))
                .map_or_else(|| ((b'A' + i as u8) as char).to_string(), str::to_string);
            facts.queries.push(format!(
                "{:?} {ref_id} {query_ds} {:?} {:?} hidden={}",
                text(p, "title"),
                common::promql_unspaced(t["expr"].as_str().unwrap_or("")),
                legend(t.get("legendFormat")),
                t["hide"] == true,
            ));
        }
    }
    for v in node
        .get("templating")
        .and_then(|t| t.get("list"))
        .and_then(|l| l.as_array())
        .unwrap_or_default()
    {
        if reported(diagnostics, codes::GRAFANA_VARIABLE, v) {
            continue;
        }
        let s = v.to_serde();
        let query = match &s["query"] {
            Value::Object(q) => q.get("query").cloned().unwrap_or(Value::Null),
            q => q.clone(),
        };
        let mut query = query.as_str().unwrap_or("").replace(", ", ",");
        // A query partly kept (an interval Grafana computes) is reported inside it.
        if let Some(q) = v.get("query") {
            if diagnostics
                .iter()
                .any(|d| range(d).is_some_and(|r| q.range.start <= r.start && r.end <= q.range.end))
            {
                query = "(partly kept)".into();
            }
        }
        let kind = match s["type"].as_str() {
            Some("constant" | "textbox") => Value::from("custom"),
            _ => s["type"].clone(),
        };
        facts
            .variables
            .push(format!("{} {kind} {query:?}", s["name"]));
    }
    for l in node
        .get("links")
        .and_then(|l| l.as_array())
        .unwrap_or_default()
    {
        if reported(diagnostics, codes::GRAFANA_ANNOTATION, l) {
            continue;
        }
        let s = l.to_serde();
        facts.links.push(format!(
            "{} {} {} {}",
            s["title"],
            s["type"],
            s.get("url")
                .filter(|_| s["type"] == "link")
                .unwrap_or(&Value::Null),
            s.get("tags")
                .filter(|_| s["type"] == "dashboards")
                .unwrap_or(&Value::Null),
        ));
    }
    for a in node
        .get("annotations")
        .and_then(|a| a.get("list"))
        .and_then(|l| l.as_array())
        .unwrap_or_default()
    {
        if a.get("builtIn").and_then(|b| b.as_i64()) == Some(1)
            || reported(diagnostics, codes::GRAFANA_ANNOTATION, a)
        {
            continue;
        }
        let s = a.to_serde();
        facts.annotations.push(format!(
            "{} {:?} {}",
            s["name"],
            squash(s["expr"].as_str().unwrap_or("")),
            ds_name(s.get("datasource"))
        ));
    }
    facts
}

/// The facts of an emitted dashboard; `legacy` leaves gridPos out, as for its input.
fn output_facts(d: &Value, legacy: bool) -> Facts {
    let mut facts = Facts::default();
    let mut panels: Vec<&Value> = Vec::new();
    for p in d["panels"].as_array().unwrap() {
        panels.push(p);
        if p["type"] == "row" {
            panels.extend(p["panels"].as_array().unwrap());
        }
    }
    for p in panels {
        if legacy && p["type"] == "row" {
            continue;
        }
        let grid = if legacy {
            "legacy".to_string()
        } else {
            p["gridPos"].to_string()
        };
        facts.panels.push(format!(
            "{} {:?} {grid}",
            p["type"].as_str().unwrap(),
            p["title"].as_str().unwrap()
        ));
        for t in p["targets"].as_array().into_iter().flatten() {
            facts.queries.push(format!(
                "{:?} {} {} {:?} {:?} hidden={}",
                p["title"].as_str().unwrap(),
                t["refId"].as_str().unwrap(),
                ds_name(t.get("datasource")),
                common::promql_unspaced(t["expr"].as_str().unwrap()),
                legend(t.get("legendFormat")),
                t["hide"] == true,
            ));
        }
    }
    for v in d["templating"]["list"].as_array().unwrap() {
        let query = v["query"].as_str().unwrap_or("").replace(", ", ",");
        facts
            .variables
            .push(format!("{} {} {query:?}", v["name"], v["type"]));
    }
    for l in d["links"].as_array().unwrap() {
        facts.links.push(format!(
            "{} {} {} {}",
            l["title"],
            l["type"],
            l.get("url")
                .filter(|_| l["type"] == "link")
                .unwrap_or(&Value::Null),
            l.get("tags")
                .filter(|_| l["type"] == "dashboards")
                .unwrap_or(&Value::Null),
        ));
    }
    for a in d["annotations"]["list"].as_array().unwrap() {
        if a["builtIn"] == 1 {
            continue;
        }
        facts.annotations.push(format!(
            "{} {:?} {}",
            a["name"],
            squash(a["expr"].as_str().unwrap_or("")),
            ds_name(a.get("datasource"))
        ));
    }
    facts
}

/// Legacy rows: their row panels are compared neither way (Grafana adds some on migration).
fn without_legacy_rows(mut facts: Facts, legacy: bool) -> Facts {
    if legacy {
        facts.panels.retain(|p| !p.starts_with("row "));
    }
    facts
}

/// The files of a folder, by name.
fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                text,
            )
        })
        .collect()
}

/// Counts of what was imported and reported, for the snapshot.
fn counts(
    modules: usize,
    dashboards: usize,
    panels: usize,
    diagnostics: &BTreeMap<String, Vec<Diagnostic>>,
) -> String {
    let mut by_code: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_field: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for d in diagnostics.values().flatten() {
        *by_code.entry(d.code).or_default() += 1;
        if d.code == codes::GRAFANA_FIELD {
            // The field: the first `...` of the message, cut after four levels, so the
            // counts say which settings are missing.
            let field = d.message.split('`').nth(1).unwrap_or("?");
            let field: Vec<&str> = field.split('.').take(4).collect();
            *by_field.entry(field.join(".")).or_default() += 1;
        }
        if d.code == codes::GRAFANA_PANEL {
            let why = if d.message.contains("has no ") {
                d.message.rsplit("has no ").next().unwrap().to_string()
            } else {
                d.message.rsplit(": ").next().unwrap().to_string()
            };
            *by_kind.entry(why).or_default() += 1;
        }
    }
    let mut out = format!(
        "files imported: {modules}\ndashboards: {dashboards}\npanels imported (rows included): {panels}\n\nreported, by code:\n"
    );
    for (code, n) in by_code {
        out.push_str(&format!("  {code}: {n}\n"));
    }
    out.push_str("\npanels not imported, by reason:\n");
    for (why, n) in by_kind {
        out.push_str(&format!("  {why}: {n}\n"));
    }
    out.push_str("\nfields not kept (import/grafana-field), by field:\n");
    for (field, n) in by_field {
        out.push_str(&format!("  {field}: {n}\n"));
    }
    out
}

#[test]
fn dashboards_round_trip() {
    let mut modules = Vec::new();
    let mut reports: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
    for path in inputs() {
        let (module, diagnostics) = grafana::module(&source(&path));
        assert!(
            diagnostics.iter().all(|d| !d.is_error()),
            "{path}: {diagnostics:#?}"
        );
        modules.push(module.unwrap_or_else(|| panic!("{path}: no dashboard imported")));
        reports.insert(path, diagnostics);
    }
    // A new service (`sextant init`), the dashboards imported into it by its own CLI, twice,
    // then built.
    let temp = TempDir::new("import-grafana");
    let dir = temp.0.join("service");
    common::new_service(&dir);
    let absolute: Vec<String> = reports
        .keys()
        .map(|p| root().join(p).display().to_string())
        .collect();
    let mut args = vec!["run", "--offline", "-q", "--", "import"];
    args.extend(absolute.iter().map(String::as_str));
    args.extend(["--into", "src/imported"]);
    let (ok, out) = common::cargo(&dir, &args);
    assert!(ok, "import failed:\n{out}");
    let first = read_dir(&dir.join("src/imported"));
    let (ok, out) = common::cargo(&dir, &args);
    assert!(ok, "import again failed:\n{out}");
    assert_eq!(
        read_dir(&dir.join("src/imported")),
        first,
        "importing again changes nothing"
    );
    // Written as rustfmt writes it (`import::layout`): `rustfmt --check` changes nothing.
    let fmt = Command::new("rustfmt")
        .args(["--edition", "2021", "--check"])
        .args(first.keys().map(|name| dir.join("src/imported").join(name)))
        .output()
        .expect("rustfmt runs (rustup component add rustfmt)");
    assert!(
        fmt.status.success(),
        "rustfmt would change the imported modules:\n{}{}",
        String::from_utf8_lossy(&fmt.stdout),
        String::from_utf8_lossy(&fmt.stderr)
    );
    let (ok, out) = common::cargo(&dir, &["run", "--offline", "-q", "--", "build"]);
    assert!(ok, "build after import failed:\n{out}");
    assert!(out.contains("0 errors"), "{out}");
    // The service's own dashboards are not compared.
    let mut emitted: BTreeMap<String, Value> = BTreeMap::new();
    let mut texts = Vec::new();
    for (name, text) in read_dir(&dir.join("generated/grafana/dashboards")) {
        let value: Value = serde_json::from_str(&text).unwrap();
        emitted.insert(value["title"].as_str().unwrap().to_string(), value);
        texts.push((name, text));
    }
    let mut dashboards = 0;
    let mut panels = 0;
    for (path, diagnostics) in &reports {
        let node = json::parse(&source(path).text).unwrap();
        let node = match node.get("dashboard") {
            Some(inner) if node.get("panels").is_none() => inner.clone(),
            _ => node,
        };
        let title = text(&node, "title");
        let out = emitted
            .get(title)
            .unwrap_or_else(|| panic!("{path}: no dashboard {title:?} was emitted"));
        let legacy = node.get("rows").is_some();
        let expected = without_legacy_rows(input_facts(&node, diagnostics), legacy);
        let found = output_facts(out, legacy);
        assert_eq!(found.panels, expected.panels, "{path}: panels");
        assert_eq!(found.queries, expected.queries, "{path}: queries");
        let mut variables = found.variables.clone();
        for (f, e) in variables.iter_mut().zip(&expected.variables) {
            if e.ends_with("\"(partly kept)\"") {
                if let Some(cut) = f.rfind(" \"") {
                    f.truncate(cut);
                    f.push_str(" \"(partly kept)\"");
                }
            }
        }
        assert_eq!(variables, expected.variables, "{path}: variables");
        assert_eq!(found.links, expected.links, "{path}: links");
        assert_eq!(
            found.annotations, expected.annotations,
            "{path}: annotations"
        );
        dashboards += 1;
        panels += found.panels.len();
    }
    let titles: BTreeSet<String> = reports
        .keys()
        .map(|path| {
            let node = json::parse(&source(path).text).unwrap();
            let node = node.get("dashboard").cloned().unwrap_or(node);
            text(&node, "title").to_string()
        })
        .collect();
    assert_eq!(dashboards, titles.len(), "one emitted dashboard per input");
    texts.retain(|(_, text)| {
        let value: Value = serde_json::from_str(text).unwrap();
        titles.contains(value["title"].as_str().unwrap())
    });
    assert_eq!(texts.len(), titles.len());
    common::grafana_schema_check(&texts);
    insta::assert_snapshot!(
        "counts",
        counts(modules.len(), dashboards, panels, &reports)
    );
}

/// A module and its diagnostics as the CLI prints them, for a snapshot.
fn imported(path: &str) -> String {
    let (module, diagnostics) = grafana::module(&source(path));
    let mut module = module.unwrap();
    // The second pass of an import: the queries' selectors of the catalog module's metrics
    // (here, every metric the dashboard reads) written with the DSL.
    let statics = import::catalog::statics(
        std::slice::from_ref(&module),
        &Default::default(),
        &sextant::catalog::Catalog { metrics: &[] },
    );
    module.source = module.render.as_ref().unwrap().source(&statics);
    let rendered = sextant::diagnostics::render(&diagnostics, &|file| {
        std::fs::read_to_string(root().join(file)).ok()
    });
    let series: Vec<String> = module
        .series
        .iter()
        .map(|(name, s)| {
            format!(
                "// {name}: labels {:?}, counter {}, histogram {}",
                s.labels, s.as_counter, s.as_histogram
            )
        })
        .collect();
    format!(
        "// module {}, from {}\n{}\n// series read:\n{}\n\n{rendered}",
        module.name,
        module.source_path,
        module.source,
        series.join("\n")
    )
}

/// The Rust an import writes, for a reader to judge: the alertmanager mixin's overview.
#[test]
fn imported_module_reads_like_a_spec() {
    insta::assert_snapshot!(
        "alertmanager_overview",
        imported("tests/corpus/dashboards/monitoring-mixins__website/assets/alertmanager/dashboards/alertmanager-overview.json")
    );
}

/// What the DSL cannot express, each reported where it stands: a panel of another kind, one on
/// Loki, a legacy graph, options and overrides, a hidden query, variables, an annotation on
/// Loki, a link that is not http(s), a datasource named by uid.
#[test]
fn unsupported_fields_are_reported() {
    insta::assert_snapshot!(
        "unsupported",
        imported("tests/fixtures/import/grafana/unsupported.json")
    );
}

/// A ConfigMap holding a dashboard (as Grafana's sidecar provisions them) imports as the
/// dashboard's own file does, each diagnostic at its place in the YAML.
#[test]
fn config_map_dashboards_import_like_their_json() {
    let path = "tests/corpus/dashboards/monitoring-mixins__website/assets/node-exporter/dashboards/node-rsrc-use.json";
    let json_file = source(path);
    let mut yaml = String::from(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dashboards\ndata:\n  node-rsrc-use.json: |\n",
    );
    for line in json_file.text.lines() {
        yaml.push_str("    ");
        yaml.push_str(line);
        yaml.push('\n');
    }
    let (from_json, json_diagnostics) = grafana::module(&json_file);
    let (from_yaml, yaml_diagnostics) = grafana::module(&SourceFile {
        path: "dashboards.yaml".into(),
        text: yaml.clone(),
    });
    let body = |m: Option<Module>| {
        let source = m.unwrap().source;
        source[source.find('\n').unwrap()..].to_string()
    };
    assert_eq!(body(from_yaml), body(from_json));
    assert_eq!(yaml_diagnostics.len(), json_diagnostics.len());
    for (y, j) in yaml_diagnostics.iter().zip(&json_diagnostics) {
        assert_eq!(y.message, j.message);
        if let (Some(yr), Some(jr)) = (range(y), range(j)) {
            let lines = |t: &str| t.lines().map(str::trim).collect::<Vec<_>>().join("\n");
            assert_eq!(
                lines(&yaml[yr]),
                lines(&json_file.text[jr]),
                "{}",
                y.message
            );
        }
    }
}

/// A dashboard saved from Grafana's HTTP API (`{"dashboard": .., "meta": ..}`) imports as the
/// dashboard itself.
#[test]
fn http_api_form_imports_like_the_dashboard() {
    let path = "tests/fixtures/import/grafana/unsupported.json";
    let file = source(path);
    let wrapped = format!(
        "{{\"meta\": {{\"slug\": \"shop-api\"}}, \"dashboard\": {}}}",
        file.text
    );
    let (plain, plain_diagnostics) = grafana::module(&file);
    let (api, api_diagnostics) = grafana::module(&SourceFile {
        path: path.into(),
        text: wrapped,
    });
    assert_eq!(api.unwrap().source, plain.unwrap().source);
    let messages = |d: &[Diagnostic]| d.iter().map(|d| d.message.clone()).collect::<Vec<_>>();
    assert_eq!(messages(&api_diagnostics), messages(&plain_diagnostics));
}

/// A file that is not a dashboard is an error, not a module.
#[test]
fn broken_json_is_an_error() {
    let (module, diagnostics) = grafana::module(&SourceFile {
        path: "broken.json".into(),
        text: "{\"title\": \"x\", \"panels\": [}".into(),
    });
    assert!(module.is_none());
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0].code, "grafana/json");
}
