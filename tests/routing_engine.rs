//! The routing engine against AlertManager's own (`amtool config routes test`, 0.25) on a route
//! tree built to exercise every rule of matching: `!=` and `!~` on missing labels, anchored
//! regexes, `continue` at several depths, inherited receivers, a child that matches nothing.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use sextant::alertmanager::route;
use sextant::prelude::alerting::*;
use sextant::prelude::*;
use sextant_catalog::eje;

fn tree() -> AlertManager {
    let hook = |name: &str| Receiver::new(name).webhook(Webhook::new("http://log:5001/"));
    AlertManager::new(
        Route::to("root")
            .route(
                Route::to("a")
                    .matcher(Matcher::ne("team", "db"))
                    .continue_matching()
                    .route(Route::inheriting().matcher(Matcher::re("env", "prod|staging")))
                    .route(Route::to("b").matcher(Matcher::not_re("env", "dev.*"))),
            )
            .route(
                Route::to("c")
                    .matcher(Matcher::re("service", "api"))
                    .route(
                        Route::to("d")
                            .matcher(Matcher::eq("env", "prod"))
                            .continue_matching(),
                    )
                    .route(Route::to("e").matcher(Matcher::eq("env", ""))),
            )
            .route(
                Route::to("f")
                    .matcher(Matcher::re("service", ".*"))
                    .continue_matching(),
            )
            .route(Route::to("a").matcher(Matcher::eq("team", "db"))),
    )
    .receivers(["root", "a", "b", "c", "d", "e", "f"].map(hook))
}

#[test]
fn matches_as_amtool_does() {
    let compiled = compile(&Spec::new(eje::CATALOG).alertmanager(tree()));
    assert!(
        !compiled.has_errors(),
        "{}",
        common::diagnostics(&Spec::new(eje::CATALOG).alertmanager(tree()))
    );
    let (ir, _) = sextant::spec::lower(&Spec::new(eje::CATALOG).alertmanager(tree()));
    let config = ir.alertmanager.expect("valid");
    let dir = std::env::temp_dir().join(format!("sextant-routing-engine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("alertmanager.yml");
    std::fs::write(
        &file,
        compiled
            .output
            .get("alertmanager/alertmanager.yml")
            .unwrap(),
    )
    .unwrap();
    let values = |name: &str| -> Vec<Option<&str>> {
        match name {
            "team" => vec![None, Some("db"), Some("web")],
            "env" => vec![
                None,
                Some("prod"),
                Some("staging"),
                Some("dev1"),
                Some("production"),
            ],
            _ => vec![None, Some("api"), Some("api2")],
        }
    };
    let mut disagreements = Vec::new();
    let mut cases = 0;
    for team in values("team") {
        for env in values("env") {
            for service in values("service") {
                let labels: BTreeMap<String, String> =
                    [("team", team), ("env", env), ("service", service)]
                        .into_iter()
                        .filter_map(|(k, v)| v.map(|v| (k.to_string(), v.to_string())))
                        .collect();
                let output = Command::new("amtool")
                    .args(["config", "routes", "test"])
                    .arg(format!("--config.file={}", file.display()))
                    .args(labels.iter().map(|(k, v)| format!("{k}={v}")))
                    .output()
                    .unwrap_or_else(|e| {
                        panic!("amtool not found ({e}): run ci/test.sh, which installs it")
                    });
                let theirs = String::from_utf8_lossy(&output.stdout)
                    .trim_end()
                    .to_string();
                let ours = route::receivers(&config, &labels).join(",");
                cases += 1;
                if theirs != ours {
                    disagreements.push(format!("{labels:?}: amtool {theirs:?}, ours {ours:?}"));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        disagreements.is_empty(),
        "{} of {cases} differ:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
