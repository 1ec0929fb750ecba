//! EJE's generated files: a snapshot of each (so a pull request shows what a change does to real
//! output), the spec compiling without a single diagnostic, and the real `promtool` accepting
//! every rule file.

mod common;

use common::{tool, TempDir};

use std::path::{Path, PathBuf};

use sextant::diagnostics as diag;
use sextant::prelude::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn compiled() -> Compiled {
    compile(&eje_spec::spec())
}

#[test]
fn the_spec_compiles_without_diagnostics() {
    let compiled = compiled();
    let root = root();
    let rendered = diag::render(&compiled.diagnostics, &|f| {
        std::fs::read_to_string(root.join(f)).ok()
    });
    assert_eq!(rendered, "", "the EJE spec must compile clean");
}

#[test]
fn output_is_deterministic() {
    assert_eq!(compiled().output, compiled().output);
}

#[test]
fn snapshots_of_every_generated_file() {
    for (path, contents) in compiled().output.files() {
        let name = path.replace(['/', '.'], "_");
        insta::assert_snapshot!(name, contents);
    }
}

#[test]
fn promtool_accepts_every_rule_file() {
    let dir = TempDir::new("promtool-rules");
    let mut files = Vec::new();
    for (path, contents) in compiled().output.files() {
        if path.starts_with("prometheus/rules/") {
            let target = dir.0.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(&target, contents).unwrap();
            files.push(target);
        }
    }
    assert!(
        files.len() >= 5,
        "expected the EJE rule files, got {files:?}"
    );
    let out = tool("promtool")
        .arg("check")
        .arg("rules")
        .args(&files)
        .output()
        .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "promtool rejected the rules:\n{report}"
    );
    assert_eq!(report.matches("SUCCESS").count(), files.len(), "{report}");
}

#[test]
fn the_seed_names_are_there() {
    let compiled = compiled();
    let all: String = compiled.output.files().values().cloned().collect();
    for needle in [
        "record: eje:decision_quality:ratio",
        "alert: EJECriticHighFailureRate",
        "alert: EJEDecisionSuccessRatioLow",
        "eje_critic_failures_total",
        "eje_decisions_total{status=\"success\"}",
    ] {
        assert!(all.contains(needle), "generated output lacks {needle:?}");
    }
}
