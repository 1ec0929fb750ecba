//! The proof that SLO alerts fire as designed: promtool (Prometheus 2.42) runs the generated
//! unit tests, on EJE's committed `generated/` and on SLOs of every shape; and the tests are shown
//! to catch a wrong objective.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use sextant::catalog::eje::{self, DecisionStatus};
use sextant::prelude::*;

/// Runs `promtool test rules` on each file, all at once; returns each file's result.
fn promtool_test(files: &[PathBuf]) -> Vec<(PathBuf, Output)> {
    let children: Vec<_> = files
        .iter()
        .map(|file| {
            let child = Command::new("promtool")
                .args(["test", "rules"])
                .arg(file)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| {
                    panic!("promtool not found: run ci/test.sh, which installs it ({e})")
                });
            (file.clone(), child)
        })
        .collect();
    children
        .into_iter()
        .map(|(file, child)| (file, child.wait_with_output().expect("promtool runs")))
        .collect()
}

fn report(results: &[(PathBuf, Output)]) -> String {
    results
        .iter()
        .map(|(file, out)| {
            format!(
                "{}: {}\n{}{}",
                file.display(),
                out.status,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .collect()
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
}

/// A fresh scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sextant-slo-{}-{name}", std::process::id()));
    if dir.exists() {
        fs::remove_dir_all(&dir).expect("clearing the scratch directory");
    }
    fs::create_dir_all(&dir).expect("creating the scratch directory");
    dir
}

/// Writes the files of `output` whose path starts with `prefix` under `dir`.
fn write(dir: &Path, output: &sextant::output::Output, prefix: &str) {
    for (path, contents) in output.files() {
        if path.starts_with(prefix) {
            let target = dir.join(path);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::write(target, contents).unwrap();
        }
    }
}

fn compile_ok(slos: Vec<Slo>) -> sextant::output::Output {
    let spec = Spec::new(eje::CATALOG).slos(slos);
    let compiled = compile(&spec);
    assert!(
        !compiled.has_errors(),
        "the SLOs have errors:\n{}",
        common::diagnostics(&spec)
    );
    compiled.output
}

fn decision_success(objective: f64) -> Slo {
    Slo::new("decision-success", "eje")
        .objective(objective)
        .sli(Sli::success_ratio(
            select(&eje::DECISIONS_TOTAL).eq(&eje::STATUS, DecisionStatus::Success),
            select(&eje::DECISIONS_TOTAL),
        ))
        .runbook("https://runbooks.example.com/slo")
}

#[test]
fn generated_slo_tests_pass() {
    let files = yaml_files(&common::root().join("generated/prometheus/tests"));
    assert!(
        files.len() >= 3,
        "expected the EJE SLOs' promtool tests in generated/prometheus/tests, found {files:?}"
    );
    let started = Instant::now();
    let results = promtool_test(&files);
    eprintln!(
        "promtool test rules: {} files in {:.2?}",
        files.len(),
        started.elapsed()
    );
    assert!(
        results.iter().all(|(_, out)| out.status.success()),
        "promtool test rules failed:\n{}",
        report(&results)
    );
}

#[test]
fn slos_of_every_shape_pass_their_tests() {
    let output = compile_ok(vec![
        // A 28-day window scales the factors (13.44, 5.6, 2.8, 0.9333); Sloth's labels.
        Slo::new("decision-latency", "eje")
            .objective(99.0)
            .window(days(28))
            .sli(Sli::latency(select(&eje::DECISION_DURATION_SECONDS), 0.5))
            .naming(Naming::Sloth)
            .runbook("https://runbooks.example.com/slo"),
        // Per critic, from a template and a function; only the page tier, with its own `for`.
        Slo::new("critic-availability", "eje")
            .objective(99.5)
            .sli(Sli::error_ratio(
                Events::promql("sum by (critic) (rate(eje_critic_failures_total[{{window}}]))"),
                Events::with(|w| {
                    format!("sum by (critic) (rate(eje_critic_executions_total[{w}]))")
                }),
            ))
            .by(&eje::CRITIC)
            .page(Tier::on().for_(mins(10)))
            .ticket(Tier::off())
            .runbook("https://runbooks.example.com/slo"),
        // A boolean gauge over 7 days with `!=` and alternation matchers to satisfy.
        Slo::new("scrape-availability", "eje")
            .objective(99.5)
            .window(days(7))
            .sli(Sli::boolean_gauge(
                select(&eje::UP).re(&eje::JOB, "eje|prometheus"),
            ))
            .ticket(Tier::off())
            .runbook("https://runbooks.example.com/slo"),
        // Bad over total on one metric, told apart by a negative matcher.
        Slo::new("request-errors", "eje")
            .objective(99.95)
            .sli(Sli::error_ratio(
                select(&eje::REQUESTS_TOTAL).ne(&eje::REQUEST_STATUS, "2xx"),
                select(&eje::REQUESTS_TOTAL),
            ))
            .ticket(Tier::off())
            .runbook("https://runbooks.example.com/slo"),
    ]);
    let dir = scratch("shapes");
    write(&dir, &output, "prometheus/");
    let files = yaml_files(&dir.join("prometheus/tests"));
    assert_eq!(files.len(), 9, "{files:?}");
    let results = promtool_test(&files);
    assert!(
        results.iter().all(|(_, out)| out.status.success()),
        "promtool test rules failed:\n{}",
        report(&results)
    );
}

/// The tests of a 99.9% SLO, run against the rules of another objective, must fail: a larger
/// budget makes the alerts late (the firing checks fail), a smaller one early (the quiet ones).
#[test]
fn a_mutated_objective_fails_the_tests() {
    let tests = compile_ok(vec![decision_success(99.9).ticket(Tier::off())]);
    for (name, objective, expect) in [
        ("looser", 99.8, "got: nil"),
        ("stricter", 99.95, "exp: nil"),
    ] {
        let rules = compile_ok(vec![decision_success(objective).ticket(Tier::off())]);
        let dir = scratch(name);
        write(&dir, &tests, "prometheus/tests/");
        write(&dir, &rules, "prometheus/rules/");
        let page = dir.join("prometheus/tests/slo-decision-success-page.yml");
        let results = promtool_test(std::slice::from_ref(&page));
        let (_, out) = &results[0];
        let printed = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success() && printed.contains("FAILED") && printed.contains(expect),
            "the tests of a 99.9% objective should fail on the rules of {objective}% with `{expect}`:\n{}",
            report(&results)
        );
    }
}
