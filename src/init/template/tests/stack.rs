//! The committed `generated/` is what the spec produces, the spec compiles without a finding,
//! and the real tools accept what it produces: `promtool check rules`, `promtool test rules`
//! (the SLO alerts fire at their designed burn rates), `promtool check config` and
//! `amtool check-config`. `bash ci/test.sh` installs the tools when they are missing.

use std::path::{Path, PathBuf};
use std::process::Command;

use sextant::prelude::*;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The files of a folder (`generated/...`) with the given ending, sorted.
fn generated(folder: &str, ending: &str) -> Vec<PathBuf> {
    let dir = root().join(folder);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}; run `cargo run -- build`", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(ending))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no {ending} file in {}", dir.display());
    files
}

/// Runs a tool; panics with what it printed when it fails.
fn run(program: &str, args: &[&str], files: &[PathBuf], dir: &Path) {
    let output = Command::new(program)
        .args(args)
        .args(files)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}; run `bash ci/test.sh`, which installs it"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn generated_is_what_the_spec_produces() {
    let project = sextant::cli::Project {
        root: root().to_path_buf(),
        spec: @crate_ident@::spec,
    };
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = sextant::cli::run(&project, ["sextant", "check"].map(Into::into), &mut stdout, &mut stderr);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
}

#[test]
fn the_spec_compiles_without_findings() {
    let compiled = compile(&@crate_ident@::spec());
    let found: Vec<String> = compiled.diagnostics.iter().map(|d| d.short()).collect();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn promtool_accepts_the_rules_and_their_tests_pass() {
    let rules = generated("generated/prometheus/rules", ".yml");
    run("promtool", &["check", "rules"], &rules, root());
    let tests_dir = root().join("generated/prometheus/tests");
    let tests = generated("generated/prometheus/tests", ".yml");
    run("promtool", &["test", "rules"], &tests, &tests_dir);
}

#[test]
fn promtool_accepts_the_server_configuration() {
    let configs: Vec<PathBuf> = generated("generated/prometheus", ".yml");
    run("promtool", &["check", "config"], &configs, &root().join("generated/prometheus"));
}

#[test]
fn amtool_accepts_the_alertmanager_configuration() {
    let dir = root().join("generated/alertmanager");
    run("amtool", &["check-config"], &[dir.join("alertmanager.yml")], &dir);
}
