//! EJE's spec lints clean, warnings included, and so do the rule files and dashboards it generates
//! when they are linted as files (`cargo run -- lint generated/prometheus/rules
//! generated/alertmanager generated/grafana/dashboards`).

use std::path::Path;

use sextant::diagnostics as diag;
use sextant::rules::file::{self as rulefile, SourceFile};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn render(diagnostics: &[diag::Diagnostic]) -> String {
    diag::render(diagnostics, &|file| {
        std::fs::read_to_string(root().join(file)).ok()
    })
}

/// The files of a generated folder, sorted, with paths relative to the repository.
fn generated_files(folder: &str) -> Vec<SourceFile> {
    let mut files: Vec<SourceFile> = std::fs::read_dir(root().join(folder))
        .expect("generated/ exists: run `cargo run -- build`")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| SourceFile {
            path: path.strip_prefix(root()).unwrap().display().to_string(),
            text: std::fs::read_to_string(&path).unwrap(),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    assert!(!files.is_empty(), "{folder} is empty");
    files
}

#[test]
fn the_eje_spec_lints_clean() {
    let compiled = sextant::spec::compile(&eje_spec::spec());
    assert_eq!(render(&compiled.diagnostics), "");
}

/// `lint generated/prometheus/rules generated/alertmanager generated/grafana/dashboards`: every
/// generated file read back and linted together, as a team linting our output would.
#[test]
fn generated_files_lint_clean_together() {
    let spec = eje_spec::spec();
    let mut files = generated_files("generated/prometheus/rules");
    let rule_files = files.len();
    files.extend(generated_files("generated/alertmanager"));
    files.extend(generated_files("generated/grafana/dashboards"));
    let schema = root().join("../shared/reference/grafana-jsonschema/dashboard.jsonschema.json");
    let schema = std::fs::read_to_string(&schema)
        .map(|text| {
            sextant::grafana::file::GrafanaSchema::new(&text).expect("Grafana's schema compiles")
        })
        .expect("shared/reference sits beside the repository");
    let templates = |config: &SourceFile, glob: &str| -> Vec<SourceFile> {
        let pattern = Path::new(&config.path).parent().unwrap().join(glob);
        let matcher = sextant::alertmanager::file::template_glob(
            &pattern.file_name().unwrap().to_string_lossy(),
        )
        .expect("the generated glob is valid");
        let folder = pattern.parent().unwrap().display().to_string();
        generated_files(&folder)
            .into_iter()
            .filter(|f| matcher.is_match(Path::new(&f.path).file_name().unwrap()))
            .collect()
    };
    let env = sextant::lint::files::Environment {
        templates: &templates,
        prometheus: None,
        crds: &[],
        grafana_schema: Some(&schema),
    };
    let diagnostics = sextant::lint::files::lint_files(&files, &spec, &env)
        .expect("generated/ holds only files lint reads");
    assert_eq!(render(&diagnostics), "");
    let (file_ir, _) = rulefile::lower(&files[..rule_files]);
    let (spec_ir, _) = sextant::spec::lower(&spec);
    assert_eq!(file_ir.rules().count(), spec_ir.rules().count());
}

#[test]
fn generated_dashboards_lint_clean_against_the_spec() {
    let spec = eje_spec::spec();
    let files = generated_files("generated/grafana/dashboards");
    let schema = root().join("../shared/reference/grafana-jsonschema/dashboard.jsonschema.json");
    let schema = std::fs::read_to_string(&schema)
        .map(|text| {
            sextant::grafana::file::GrafanaSchema::new(&text).expect("Grafana's schema compiles")
        })
        .expect("shared/reference sits beside the repository");
    let context = sextant::grafana::file::Context::of_spec(&spec);
    let diagnostics = sextant::grafana::file::lint(&files, &context, Some(&schema));
    assert_eq!(render(&diagnostics), "");
}
