//! `sextant import`: rule files and `PrometheusRule` resources into Rust modules of a spec crate.
//!
//! - The modules of a few fixtures, snapshotted for reading (and `rustfmt --check` clean), with
//!   the diagnostics of what is not imported: a Thanos field, a group name already taken, a file
//!   promtool rejects, a Prometheus configuration.
//! - The round trip: `sextant init` a scratch service, import every rule file and
//!   `PrometheusRule` resource of `tests/corpus` that promtool accepts plus EJE's own
//!   `generated/prometheus/rules`, `cargo run -- build` there, and compare the emitted groups with
//!   the inputs (names, interval, limit, rules, expressions modulo whitespace, `for`,
//!   `keep_firing_for`, labels, annotations). What is not imported is counted per reason.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_yaml::Value;
use sextant::catalog::Catalog;
use sextant::diagnostics::Diagnostic;
use sextant::import::{self, Imported};
use sextant::rules::file::SourceFile;
use sextant::syntax::duration::Duration;

const EMPTY: Catalog = Catalog { metrics: &[] };

fn read(path: &str) -> SourceFile {
    SourceFile {
        path: path.to_string(),
        text: std::fs::read_to_string(common::root().join(path)).unwrap(),
    }
}

fn render(diagnostics: &[Diagnostic]) -> String {
    let load = |file: &str| std::fs::read_to_string(common::root().join(file)).ok();
    sextant::diagnostics::render(diagnostics, &load)
}

#[test]
fn fixtures_import_as_readable_modules_and_say_what_is_left() {
    let files: Vec<SourceFile> = [
        "tests/fixtures/import/thanos.yml",
        "tests/fixtures/import/duplicate.yml",
        "tests/fixtures/import/rejected.yml",
        "tests/fixtures/import/prometheus.yml",
        "tests/fixtures/sloth/getting-started.sloth.yml",
    ]
    .into_iter()
    .map(read)
    .collect();
    let imported = import::import(&files, &EMPTY);
    let names: Vec<&str> = imported.modules.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "thanos",
            "duplicate",
            "getting_started_sloth",
            "imported_catalog"
        ]
    );
    for module in &imported.modules {
        if let Err(diff) = common::rustfmt_check(&module.source) {
            panic!("module {} is not rustfmt-clean:\n{diff}", module.name);
        }
        insta::assert_snapshot!(format!("module_{}", module.name), module.source);
    }
    insta::assert_snapshot!("diagnostics", render(&imported.diagnostics));
    // The same inputs give the same modules, byte for byte.
    let again = import::import(&files, &EMPTY);
    let sources =
        |i: &Imported| -> Vec<String> { i.modules.iter().map(|m| m.source.clone()).collect() };
    assert_eq!(sources(&again), sources(&imported));
}

/// The files of the corpus promtool accepts (rule files and PrometheusRule resources), and EJE's
/// generated rule files, by path relative to the repository.
fn inputs() -> Vec<String> {
    let root = common::root();
    let verdicts = std::fs::read_to_string(root.join("tests/corpus/verdicts.tsv")).unwrap();
    let mut paths: Vec<String> = verdicts
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields[1] == "promtool" && fields[2] == "ok")
                .then(|| format!("tests/corpus/{}", fields[0]))
        })
        .collect();
    let mut generated: Vec<String> = std::fs::read_dir(root.join("generated/prometheus/rules"))
        .unwrap()
        .map(|e| {
            format!(
                "generated/prometheus/rules/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    generated.sort();
    paths.extend(generated);
    // Sloth's getting-started spec (the one whose output is tests/fixtures/sloth/getting-started.yml),
    // and the same SLO as a PrometheusServiceLevel: imported once, then reported as a duplicate.
    paths.push("tests/fixtures/sloth/getting-started.sloth.yml".into());
    paths.push("tests/fixtures/sloth/k8s-getting-started.sloth.yml".into());
    paths
}

/// The alerts firing at minute `t`, as the probe `count by (alertname, sloth_severity, severity)
/// (ALERTS{alertstate="firing"})` returns them.
fn firing(tiers: &[&str]) -> String {
    if tiers.is_empty() {
        return "[]".into();
    }
    let samples: Vec<String> = tiers
        .iter()
        .map(|tier| {
            let severity = if *tier == "page" { "pageteam" } else { "slack" };
            format!(
                "\n          - labels: '{{alertname=\"MyServiceAvailabilitySLO\", severity=\"{severity}\", sloth_severity=\"{tier}\"}}'\n            value: 1"
            )
        })
        .collect();
    samples.concat()
}

/// A promtool test of `rules`: 10 requests a second; from minute 60 to 180 one in eleven fails
/// (9%, 90 times the budget of 99.9%), then none; at each minute of `expected`, which tiers fire.
fn sloth_test(rules: &Path, expected: &[(u32, &[&str])]) -> String {
    let mut out = format!(
        "rule_files: [{}]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'http_request_duration_seconds_count{{job=\"myservice\",code=\"200\"}}'\n        values: '0+600x400'\n      - series: 'http_request_duration_seconds_count{{job=\"myservice\",code=\"500\"}}'\n        values: '0x60 60+60x119 7200x220'\n    promql_expr_test:\n",
        rules.display()
    );
    for (minute, tiers) in expected {
        out.push_str(&format!(
            "      - expr: count by (alertname, sloth_severity, severity) (ALERTS{{alertstate=\"firing\"}})\n        eval_time: {minute}m\n        exp_samples: {}\n",
            firing(tiers)
        ));
    }
    out
}

fn promtool_test(dir: &Path, name: &str, text: &str) -> Result<(), String> {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let out = Command::new("promtool")
        .args(["test", "rules"])
        .arg(&path)
        .output()
        .expect("promtool runs: ci/test.sh installs it");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The imported Sloth SLO's alerts fire at the same minutes as Sloth's own rules for the same
/// series: one promtool test, minute by minute over 400 minutes, run against both rule files:
/// the page fires from minute 64 to 208 in both, the ticket from minute 61 to the end in both.
/// The import computes every alert window from the raw series as Sloth does
/// (`Slo::raw_alert_windows`); with the 1-day and 3-day windows built from recorded 5-minute
/// rates instead, the ticket would start two minutes later, at 63.
///
/// Sloth writes three groups (SLI records, metadata, alerts), which promtool evaluates in no
/// fixed order: when the alerts go first they read the previous minute's ratios and fire a
/// minute late. Its rules are tested as one group in the order written, as Sextant's are.
fn sloth_alerts_fire_as_sloths_own(generated: &Path, scratch: &Path) {
    let ours = generated.join("prometheus/rules/slo-requests-availability.yml");
    let text =
        std::fs::read_to_string(common::root().join("tests/fixtures/sloth/getting-started.yml"))
            .unwrap();
    let doc: Value = serde_yaml::from_str(&text).unwrap();
    let rules: Vec<Value> = doc["groups"]
        .as_sequence()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_sequence().unwrap().clone())
        .collect();
    let mut group = serde_yaml::Mapping::new();
    group.insert("name".into(), "sloth".into());
    group.insert("rules".into(), Value::Sequence(rules));
    let mut file = serde_yaml::Mapping::new();
    file.insert(
        "groups".into(),
        Value::Sequence(vec![Value::Mapping(group)]),
    );
    let sloths = scratch.join("sloth-one-group.yml");
    std::fs::write(&sloths, serde_yaml::to_string(&file).unwrap()).unwrap();
    let mut expected: Vec<(u32, &[&str])> = Vec::new();
    for minute in 0..=400 {
        let tiers: &[&str] = match minute {
            0..=60 => &[],
            61..=63 => &["ticket"],
            64..=208 => &["page", "ticket"],
            _ => &["ticket"],
        };
        expected.push((minute, tiers));
    }
    for (name, rules) in [("sextant", &ours), ("sloth", &sloths)] {
        promtool_test(
            scratch,
            &format!("{name}-same.yml"),
            &sloth_test(rules, &expected),
        )
        .unwrap_or_else(|e| panic!("{name}'s rules, the minutes both agree on:\n{e}"));
    }
}

/// A rule group as compared: what the DSL round-trips.
#[derive(Debug, PartialEq)]
struct Group {
    name: String,
    interval: Option<Duration>,
    limit: Option<u64>,
    rules: Vec<Rule>,
}

#[derive(Debug, PartialEq)]
struct Rule {
    kind: &'static str,
    name: String,
    expr: String,
    for_: Duration,
    keep_firing_for: Duration,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

fn duration(value: Option<&Value>) -> Option<Duration> {
    value.map(|v| Duration::parse(v.as_str().unwrap()).unwrap())
}

fn strings(value: Option<&Value>) -> BTreeMap<String, String> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => panic!("not a string: {other:?}"),
    };
    value
        .and_then(Value::as_mapping)
        .map(|m| m.iter().map(|(k, v)| (text(k), text(v))).collect())
        .unwrap_or_default()
}

fn group(value: &Value) -> Group {
    let rules = value
        .get("rules")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .map(|r| {
            let (kind, name) = match (r.get("record"), r.get("alert")) {
                (Some(n), _) => ("record", n),
                (_, Some(n)) => ("alert", n),
                _ => panic!("a rule without a name: {r:?}"),
            };
            Rule {
                kind,
                name: name.as_str().unwrap().to_string(),
                // Modulo white space: the selectors of catalog metrics are the DSL's.
                expr: common::promql_unspaced(
                    &r["expr"]
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| serde_yaml::to_string(&r["expr"]).unwrap()),
                ),
                for_: duration(r.get("for")).unwrap_or(Duration::ZERO),
                keep_firing_for: duration(r.get("keep_firing_for")).unwrap_or(Duration::ZERO),
                labels: strings(r.get("labels")),
                annotations: strings(r.get("annotations")),
            }
        })
        .collect();
    Group {
        name: value["name"].as_str().unwrap().to_string(),
        interval: duration(value.get("interval")).filter(|d| !d.is_zero()),
        limit: value
            .get("limit")
            .and_then(Value::as_u64)
            .filter(|l| *l != 0),
        rules,
    }
}

/// The groups of a rule file or of PrometheusRule resources (multi-document, `List`).
fn groups(text: &str) -> Vec<Group> {
    fn collect(doc: &Value, out: &mut Vec<Group>) {
        match doc.get("kind").and_then(Value::as_str) {
            Some("List" | "PrometheusRuleList") => {
                for item in doc["items"].as_sequence().into_iter().flatten() {
                    collect(item, out);
                }
            }
            Some("PrometheusRule") => out.extend(
                doc["spec"]["groups"]
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .map(group),
            ),
            Some(_) => {}
            None => out.extend(doc["groups"].as_sequence().into_iter().flatten().map(group)),
        }
    }
    let documents: Vec<Value> = serde_yaml::Deserializer::from_str(text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap())
        .collect();
    // A rule file is one document (promtool reads the first); resources may be many.
    let resources = documents.iter().any(|d| d.get("kind").is_some());
    let mut out = Vec::new();
    for doc in documents
        .iter()
        .take(if resources { usize::MAX } else { 1 })
    {
        collect(doc, &mut out);
    }
    out
}

#[test]
fn the_corpus_and_ejes_rules_round_trip_through_import_and_build() {
    let root = common::root();
    let paths = inputs();
    let files: Vec<SourceFile> = paths.iter().map(|p| read(p)).collect();

    // What is not imported, per reason (the scratch catalog does not change these).
    let imported = import::import(&files, &EMPTY);
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &imported.diagnostics {
        if d.code.starts_with("import/") {
            *reasons.entry(d.code).or_default() += 1;
        }
    }
    let rejected: BTreeSet<&str> = imported
        .diagnostics
        .iter()
        .filter(|d| d.code == "import/not-imported")
        .filter_map(|d| d.message.split(" is not imported").next())
        .collect();
    for module in &imported.modules {
        if let Err(diff) = common::rustfmt_check(&module.source) {
            panic!("module {} is not rustfmt-clean:\n{diff}", module.name);
        }
    }
    let shown: String = reasons
        .iter()
        .map(|(code, n)| format!("{code}: {n}\n"))
        .collect();
    insta::assert_snapshot!(
        "corpus_not_imported",
        format!("{} files\n{shown}", files.len())
    );

    // Import into a new service, then build it.
    let temp = common::TempDir::new("import-round-trip");
    let dir = temp.0.join("checkout");
    common::new_service(&dir);
    let absolute: Vec<String> = paths
        .iter()
        .map(|p| root.join(p).display().to_string())
        .collect();
    let mut args = vec!["run", "-q", "--", "import"];
    args.extend(absolute.iter().map(String::as_str));
    args.extend(["--into", "src/imported"]);
    let (ok, out) = common::cargo(&dir, &args);
    assert!(ok, "import failed:\n{out}");
    let first: BTreeMap<PathBuf, String> = read_tree(&dir.join("src"));
    let (ok, out) = common::cargo(&dir, &args);
    assert!(ok, "import again failed:\n{out}");
    assert_eq!(
        read_tree(&dir.join("src")),
        first,
        "importing again changes nothing"
    );
    let (ok, out) = common::cargo(&dir, &["run", "-q", "--", "build"]);
    assert!(ok, "build after import failed:\n{out}");

    // Every group imported is emitted as it was read.
    let mut taken = BTreeSet::new();
    let mut compared = 0;
    for file in &files {
        if rejected.contains(file.path.as_str()) {
            continue;
        }
        for expected in groups(&file.text) {
            if !taken.insert(expected.name.clone()) {
                continue;
            }
            let emitted = dir.join(format!("generated/prometheus/rules/{}.yml", expected.name));
            let text = std::fs::read_to_string(&emitted).unwrap_or_else(|e| {
                panic!("{}: group {} not emitted: {e}", file.path, expected.name)
            });
            let mut found = groups(&text);
            assert_eq!(found.len(), 1, "{}", emitted.display());
            assert_eq!(
                found.remove(0),
                expected,
                "group {} of {}",
                expected.name,
                file.path
            );
            compared += 1;
        }
    }
    assert_eq!(compared, taken.len());
    sloth_alerts_fire_as_sloths_own(&dir.join("generated"), &temp.0);
    assert!(compared >= 79, "only {compared} groups compared");
}

fn read_tree(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(read_tree(&path));
        } else {
            out.insert(path.clone(), std::fs::read_to_string(&path).unwrap());
        }
    }
    out
}

fn import_cli(args: &[&str]) -> (u8, String, String) {
    let project = sextant::cli::Project {
        root: common::root(),
        spec: || sextant::spec::Spec::new(EMPTY),
    };
    let mut argv = vec!["import"];
    argv.extend(args);
    common::run_cli(&project, &argv)
}

/// A scratch `src/` with a `lib.rs`, for the CLI's checks (no crate is built).
fn scratch_src(tag: &str) -> common::TempDir {
    let temp = common::TempDir::new(tag);
    std::fs::write(
        temp.0.join("lib.rs"),
        "pub fn spec() -> Spec {\n    Spec::new(CATALOG)\n}\n",
    )
    .unwrap();
    temp
}

#[test]
fn the_cli_writes_nothing_on_errors_and_refuses_what_it_does_not_own() {
    let rules = common::root().join("tests/fixtures/import/thanos.yml");
    let rejected = common::root().join("tests/fixtures/import/rejected.yml");
    let (rules, rejected) = (rules.to_str().unwrap(), rejected.to_str().unwrap());

    // Errors: exit 1, nothing written.
    let temp = scratch_src("import-cli-errors");
    let into = temp.0.join("imported");
    let (code, stdout, stderr) = import_cli(&[rules, rejected, "--into", into.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("import/not-imported"), "{stdout}");
    assert!(stderr.contains("nothing written"), "{stderr}");
    assert!(!into.exists());

    // No lib.rs beside the folder: a usage error.
    let (code, _, stderr) =
        import_cli(&[rules, "--into", temp.0.join("a/imported").to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no lib.rs beside it"), "{stderr}");

    // A file the import did not write: refused, left as it was.
    std::fs::create_dir_all(&into).unwrap();
    std::fs::write(into.join("mine.rs"), "// mine\n").unwrap();
    let (code, _, stderr) = import_cli(&[rules, "--into", into.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("mine.rs was not written by `sextant import`"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(into.join("mine.rs")).unwrap(),
        "// mine\n"
    );
    std::fs::remove_file(into.join("mine.rs")).unwrap();

    // Written, wired once; the same import again changes nothing.
    let (code, stdout, stderr) = import_cli(&[rules, "--into", into.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let lib = std::fs::read_to_string(temp.0.join("lib.rs")).unwrap();
    assert_eq!(lib.matches("mod imported;").count(), 1, "{lib}");
    assert_eq!(lib.matches(".with(imported::apply)").count(), 1, "{lib}");
    let files = read_tree(&temp.0);
    let (code, stdout, _) = import_cli(&[rules, "--into", into.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(stdout.contains("0 added, 0 changed, 0 removed"), "{stdout}");
    assert_eq!(read_tree(&temp.0), files);
}
