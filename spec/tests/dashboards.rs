//! EJE's Grafana output: a snapshot of every dashboard and provisioning file, so a pull request
//! shows what a change does to them, and every dashboard checked against Grafana's official
//! schemas with `shared/tools/grafana-schema-check`.

#[path = "../../tests/common.rs"]
mod common;

use sextant::prelude::*;

fn grafana_files() -> Vec<(String, String)> {
    let compiled = compile(&eje_spec::spec());
    assert!(
        !compiled.has_errors(),
        "EJE's spec has errors: {:?}",
        compiled.diagnostics
    );
    compiled
        .output
        .files()
        .iter()
        .filter(|(path, _)| path.starts_with("grafana/"))
        .map(|(path, text)| (path.clone(), text.clone()))
        .collect()
}

#[test]
fn every_grafana_file_is_snapshotted() {
    let files = grafana_files();
    assert!(
        files.len() >= 9,
        "expected 6 dashboards and 3 provisioning files"
    );
    for (path, text) in &files {
        let name = path.trim_start_matches("grafana/").replace('/', "__");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn dashboards_pass_grafana_official_schemas() {
    let dashboards: Vec<(String, String)> = grafana_files()
        .into_iter()
        .filter(|(path, _)| path.ends_with(".json"))
        .map(|(path, text)| (path.rsplit('/').next().unwrap().to_string(), text))
        .collect();
    assert_eq!(dashboards.len(), 6);
    common::grafana_schema_check(&dashboards);
}

#[test]
fn one_slo_dashboard_per_slo() {
    let files = grafana_files();
    for slo in eje_spec::dashboards::slo_views() {
        let path = format!("grafana/dashboards/eje-slo-{}.json", slo.name);
        let (_, text) = files
            .iter()
            .find(|(p, _)| *p == path)
            .unwrap_or_else(|| panic!("{path} missing"));
        assert!(text.contains(&format!(r#"slo=\"{}\""#, slo.name)));
    }
}
