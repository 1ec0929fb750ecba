//! `sextant init` in an empty folder, then the two commands of the README it writes, with no
//! edit: `cargo run -- build` and `bash ci/test.sh` (which runs promtool and amtool on the new
//! service's generated stack). The new crate builds in this workspace's target folder with this
//! workspace's Cargo.lock, so the dependencies compiled for the workspace are reused.

mod common;

use std::path::Path;
use std::process::Command;

use sextant::cli::Project;
use sextant::prelude::*;
use sextant_catalog::eje;

fn unused_spec() -> Spec {
    Spec::new(eje::CATALOG)
}

fn init(args: &[&str]) -> (u8, String, String) {
    let project = Project {
        root: common::root(),
        spec: unused_spec,
    };
    let mut argv = vec!["init"];
    argv.extend(args);
    common::run_cli(&project, &argv)
}

/// The commands of the first `sh` block of a README, comments dropped.
fn readme_commands(readme: &str) -> Vec<String> {
    let block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the README has a ```sh block");
    block
        .lines()
        .map(|line| line.split('#').next().unwrap().trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn init_then_the_readme_commands_build_and_test_a_new_service() {
    let temp = common::TempDir::new("init-service");
    let dir = temp.0.join("checkout");
    let (code, stdout, stderr) = init(&[dir.to_str().unwrap()]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(
        stdout.starts_with("created checkout's monitoring spec in"),
        "{stdout}"
    );
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let commands = readme_commands(&readme);
    assert_eq!(commands, ["cargo run -- build", "bash ci/test.sh"]);
    std::fs::copy(common::root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    for command in &commands {
        let output = Command::new("bash")
            .args(["-c", command])
            .current_dir(&dir)
            .env("CARGO_TARGET_DIR", common::target_dir())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "`{command}` failed in the new service's folder:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let rules = dir.join("generated/prometheus/rules");
    let mut names: Vec<String> = std::fs::read_dir(&rules)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "checkout-alerts.yml",
            "checkout-traffic.yml",
            "slo-availability.yml"
        ]
    );
    assert!(Path::new(&dir.join("generated/alertmanager/alertmanager.yml")).is_file());
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let temp = common::TempDir::new("init-full");
    std::fs::write(temp.0.join("keep.txt"), "mine").unwrap();
    let (code, _, stderr) = init(&[temp.0.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is not empty"), "{stderr}");
    assert_eq!(std::fs::read_dir(&temp.0).unwrap().count(), 1);
}

#[test]
fn init_refuses_a_name_that_cannot_name_a_service() {
    let temp = common::TempDir::new("init-name");
    let dir = temp.0.join("Bad_Name");
    let (code, _, stderr) = init(&[dir.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot name a service"), "{stderr}");
    assert!(!dir.exists());
    let (code, _, stderr) = init(&[dir.to_str().unwrap(), "--name", "payments"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(std::fs::read_to_string(dir.join("src/catalog.rs"))
        .unwrap()
        .contains("payments_http_requests_total"));
}
