//! EJE's Prometheus server configuration: `promtool check config` (Prometheus 2.42) accepts the
//! file of each HA replica, rule files included, and the replicas differ only in `replica`.

use std::process::Command;

use sextant::prometheus::emit::paths;

#[test]
fn promtool_accepts_every_replica_with_its_rule_files() {
    let compiled = sextant::spec::compile(&eje_spec::spec());
    assert!(!compiled.has_errors(), "EJE's spec has errors");
    let dir = std::env::temp_dir().join(format!("eje-promtool-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, contents) in compiled.output.files() {
        let file = dir.join(path);
        std::fs::create_dir_all(file.parent().expect("files are in folders")).unwrap();
        std::fs::write(file, contents).unwrap();
    }
    let spec = eje_spec::spec();
    let config = spec.prometheus.as_ref().expect("EJE declares Prometheus");
    let files = paths(config);
    assert_eq!(files.len(), 2, "the seed's HA pair");
    for (_, path) in &files {
        let output = Command::new("promtool")
            .args(["check", "config"])
            .arg(dir.join(path))
            .output()
            .unwrap_or_else(|e| {
                panic!("promtool not found ({e}): run ci/test.sh, which installs it")
            });
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "promtool check config {path}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("rule files found"), "{stdout}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replicas_differ_only_in_their_replica_label() {
    let compiled = sextant::spec::compile(&eje_spec::spec());
    let first = compiled
        .output
        .get("prometheus/prometheus-1.yml")
        .expect("replica 1");
    let second = compiled
        .output
        .get("prometheus/prometheus-2.yml")
        .expect("replica 2");
    let differing: Vec<(&str, &str)> = first
        .lines()
        .zip(second.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(
        differing,
        [("    replica: prometheus-1", "    replica: prometheus-2")]
    );
    // The replica label is dropped from alerts, so the AlertManager cluster deduplicates them.
    assert!(
        first.contains("action: labeldrop\n    regex: replica\n"),
        "{first}"
    );
}
