//! `lint PATH...` on Grafana dashboard JSON: the generated dashboards lint clean when linted with
//! the generated rule files (as `cargo run -- lint generated/grafana/dashboards
//! generated/prometheus/rules` does), a snapshot of the diagnostics on each fixture of
//! `tests/fixtures/lint/dashboards/`, the structural checks without Grafana's schema, the JSON
//! format's lines and columns, and the exit codes.

mod common;

use sextant::diagnostics::{self as diag, Diagnostic};
use sextant::grafana::file::{self as dashfile, Context, GrafanaSchema};
use sextant::prelude::*;
use sextant::rules::file::{self as rulefile, SourceFile};
use sextant_catalog::eje;

const FIXTURES: &str = "tests/fixtures/lint/dashboards";

fn read(path: &str) -> SourceFile {
    let text = std::fs::read_to_string(common::root().join(path)).expect("the file exists");
    SourceFile {
        path: path.to_string(),
        text,
    }
}

/// The files of a folder of the repository, by extension, sorted.
fn read_dir(dir: &str, ext: &str) -> Vec<SourceFile> {
    let mut paths: Vec<String> = std::fs::read_dir(common::root().join(dir))
        .expect("generated/ exists: run `cargo run -- build`")
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|name| name.ends_with(ext))
        .map(|name| format!("{dir}/{name}"))
        .collect();
    paths.sort();
    paths.iter().map(|p| read(p)).collect()
}

/// EJE's catalog, the series the generated rule files record, and the datasources Grafana is
/// provisioned with (read from the generated provisioning files).
fn context(with_rules: bool) -> Context {
    let mut context = Context::new(eje::CATALOG);
    if with_rules {
        let (ir, diagnostics) = rulefile::lower(&read_dir("generated/prometheus/rules", ".yml"));
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        context = context.recorded_by(&ir);
    }
    for file in read_dir("generated/grafana/provisioning/datasources", ".yml") {
        let doc: serde_yaml::Value = serde_yaml::from_str(&file.text).unwrap();
        for d in doc["datasources"].as_sequence().unwrap() {
            let field = |key: &str| d[key].as_str().unwrap().to_string();
            context = context.datasource(&field("uid"), &field("name"), &field("type"));
        }
    }
    context
}

/// Grafana's official dashboard schema, from `shared/reference` beside the repository.
fn grafana_schema() -> GrafanaSchema {
    let path = common::shared_dir().join("reference/grafana-jsonschema/dashboard.jsonschema.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    GrafanaSchema::new(&text).expect("Grafana's schema compiles")
}

fn lint(
    files: &[SourceFile],
    context: &Context,
    schema: Option<&GrafanaSchema>,
) -> Vec<Diagnostic> {
    let mut diagnostics = dashfile::lint(files, context, schema);
    diag::sort(&mut diagnostics);
    diagnostics
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let root = common::root();
    diag::render(diagnostics, &|file| {
        std::fs::read_to_string(root.join(file)).ok()
    })
}

/// Lints one fixture as `lint` does; snapshots what it finds, which must include `code`.
#[track_caller]
fn check(fixture: &str, code: &str) {
    let file = read(&format!("{FIXTURES}/{fixture}"));
    let diagnostics = lint(&[file], &context(true), Some(&grafana_schema()));
    assert!(
        diagnostics.iter().any(|d| d.code == code),
        "{fixture} has no {code}:\n{}",
        render(&diagnostics)
    );
    insta::assert_snapshot!(fixture.trim_end_matches(".json"), render(&diagnostics));
}

#[test]
fn broken_promql_is_placed_inside_the_string_past_its_escapes() {
    check("broken-promql.json", "promql/syntax");
}

#[test]
fn unknown_metrics_and_labels() {
    check("unknown-metric.json", "grafana/unknown-metric");
}

#[test]
fn undefined_variables() {
    check("undefined-variable.json", "grafana/undefined-variable");
}

#[test]
fn overlapping_panels_and_the_grid_edge() {
    check("overlap.json", "grafana/overlap");
}

#[test]
fn duplicate_panel_ids() {
    check("duplicate-id.json", "grafana/duplicate-panel");
}

#[test]
fn schema_violations() {
    check("schema.json", "grafana/schema");
}

#[test]
fn warnings_fixed_ranges_unknown_datasources_old_schema() {
    check("warnings.json", "grafana/schema-version");
}

/// A ConfigMap holding a dashboard (as Grafana's sidecar provisions them): the JSON is read
/// where it stands in the YAML block, so a fault inside an escaped string is at its column in
/// the file; one finding per fault (a duplicate id, an overlap, an unknown metric of the
/// catalog's namespace, an unknown label of a metric it owns; none for `up`'s labels).
#[test]
fn a_config_map_holding_a_dashboard() {
    check("configmap.yaml", "grafana/unknown-metric");
}

/// `lint` tells a ConfigMap of dashboards from the other YAML files it reads.
#[test]
fn a_config_map_of_dashboards_is_linted_as_dashboards() {
    use sextant::lint::files::FileKind;
    let file = read(&format!("{FIXTURES}/configmap.yaml"));
    assert_eq!(FileKind::of(&file.path, &file.text), FileKind::Dashboard);
    let other = "apiVersion: v1\nkind: ConfigMap\ndata:\n  app.conf: |\n    x\n";
    // Another ConfigMap is a Kubernetes manifest, checked as the API server checks it.
    assert_eq!(FileKind::of("cm.yaml", other), FileKind::Kubernetes);
    let (code, out, err) = cli(&["lint", &format!("{FIXTURES}/configmap.yaml")]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("configmap.yaml:23:142"), "{out}");
}

#[test]
fn not_json() {
    check("not-json.json", "grafana/json");
}

#[test]
fn without_grafana_schema_the_structure_is_still_checked() {
    let file = read(&format!("{FIXTURES}/schema.json"));
    let diagnostics = lint(&[file], &context(true), None);
    let found: Vec<String> = diagnostics.iter().map(Diagnostic::short).collect();
    insta::assert_snapshot!("schema_without_grafana_schema", found.join("\n"));
}

#[test]
fn generated_dashboards_lint_clean() {
    let dashboards = read_dir("generated/grafana/dashboards", ".json");
    assert!(dashboards.len() >= 6, "{} dashboards", dashboards.len());
    let diagnostics = lint(&dashboards, &context(true), Some(&grafana_schema()));
    assert_eq!(render(&diagnostics), "");
}

/// Without the rule files, the series the generated rules record are not reported: their names
/// (`job:eje_decisions:rate5m`, `slo:sli_error:ratio_rate5m`) are outside the catalog's
/// namespace, and a linted file cannot know that no other rule records them (issue 12). With
/// them, the dashboards lint clean too ([`generated_dashboards_lint_clean`]); a series of the
/// catalog's namespace that nothing records is an error either way.
#[test]
fn series_recorded_by_rule_files_linted_alongside_are_known() {
    let dashboards = read_dir("generated/grafana/dashboards", ".json");
    let diagnostics = lint(&dashboards, &context(false), None);
    assert_eq!(render(&diagnostics), "");
    let recorded = context(true).recorded;
    assert!(recorded.contains("job:eje_decisions:rate5m"));
    let overview = dashboards
        .iter()
        .find(|d| d.text.contains("job:eje_decisions:rate5m"))
        .expect("a dashboard reads job:eje_decisions:rate5m");
    let misspelt = SourceFile {
        path: "misspelt.json".to_string(),
        text: overview
            .text
            .replace("job:eje_decisions:rate5m", "eje_decisions:rate5m"),
    };
    for context in [context(false), context(true)] {
        let found = lint(std::slice::from_ref(&misspelt), &context, None);
        assert!(!found.is_empty());
        assert!(
            found
                .iter()
                .all(|d| d.code == "grafana/unknown-metric" && d.is_error()),
            "{}",
            render(&found)
        );
    }
}

fn project() -> sextant::cli::Project {
    sextant::cli::Project {
        root: common::root(),
        spec: || Spec::new(eje::CATALOG),
    }
}

/// Runs the CLI; returns the exit code, stdout and stderr.
fn cli(args: &[&str]) -> (u8, String, String) {
    common::run_cli(&project(), args)
}

#[test]
fn json_format_has_lines_and_columns() {
    let (code, out, err) = cli(&[
        "lint",
        "--format",
        "json",
        &format!("{FIXTURES}/broken-promql.json"),
        &format!("{FIXTURES}/overlap.json"),
    ]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("format_json", out);
}

#[test]
fn exit_codes() {
    let fixture = |name: &str| format!("{FIXTURES}/{name}");
    // A folder of dashboards with the rule files that record what they read.
    let (code, _, err) = cli(&[
        "lint",
        "generated/grafana/dashboards",
        "generated/prometheus/rules",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.ends_with("0 errors, 0 warnings, 0 infos\n"), "{err}");
    assert_eq!(cli(&["lint", &fixture("broken-promql.json")]).0, 1);
    assert_eq!(cli(&["lint", &fixture("not-json.json")]).0, 1);
    // Warnings fail the run only at `--fail-on warning` or below.
    assert_eq!(cli(&["lint", &fixture("warnings.json")]).0, 0);
    assert_eq!(
        cli(&["lint", &fixture("warnings.json"), "--fail-on", "warning"]).0,
        1
    );
}

/// A dashboard as Grafana's HTTP API returns it, `{"dashboard": .., "meta": ..}`, gets the same
/// findings as the dashboard alone.
#[test]
fn the_http_api_form_is_read_from_its_dashboard() {
    let plain = read(&format!("{FIXTURES}/duplicate-id.json"));
    let wrapped = SourceFile {
        path: "api.json".to_string(),
        text: format!(
            "{{\"meta\": {{\"slug\": \"x\"}}, \"dashboard\": {}}}",
            plain.text
        ),
    };
    let context = context(true);
    let schema = grafana_schema();
    let findings = |file: SourceFile| -> Vec<(String, String)> {
        lint(&[file], &context, Some(&schema))
            .iter()
            .map(|d| (d.code.to_string(), d.message.clone()))
            .collect()
    };
    let expected = findings(plain);
    assert!(!expected.is_empty());
    assert_eq!(findings(wrapped), expected);
}
