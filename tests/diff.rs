//! `sextant diff` and `lint --changed`. First the library on in-memory builds: the repository's
//! own `generated/` as the base, and each kind of change applied to a copy (fast, no cargo);
//! then the command in a scratch git repository made by `sextant init`, whose base commit is
//! built by the command itself in a temporary worktree.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use sextant::cli::Project;
use sextant::diff::{self, render, Change, Diff};
use sextant::prelude::*;
use sextant_catalog::eje;

type Files = BTreeMap<String, String>;
/// A list before and after.
type Pair = (Vec<String>, Vec<String>);

fn read_tree(dir: &Path, prefix: &str, out: &mut Files) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if entry.file_type().unwrap().is_dir() {
            read_tree(&entry.path(), &format!("{name}/"), out);
        } else {
            out.insert(name, std::fs::read_to_string(entry.path()).unwrap());
        }
    }
}

/// The repository's committed build.
fn generated() -> Files {
    let mut files = Files::new();
    read_tree(&common::root().join("generated"), "", &mut files);
    files
}

/// `files` with the first `from` in `path` replaced by `to`.
#[track_caller]
fn edit(files: &Files, path: &str, from: &str, to: &str) -> Files {
    let mut files = files.clone();
    let text = files.get_mut(path).unwrap();
    assert!(text.contains(from), "{path} has no {from:?}");
    *text = text.replacen(from, to, 1);
    files
}

fn diff_of(after: &Files) -> Diff {
    diff::diff(&generated(), after, &eje::CATALOG)
}

#[test]
fn the_same_build_has_no_difference() {
    let found = diff_of(&generated());
    assert!(found.is_empty(), "{found:#?}");
    assert_eq!(render::human(&found), "no change in meaning\n");
    assert!(diff::changed_alerts(&generated(), &generated()).is_empty());
}

#[test]
fn a_threshold_change_is_named_as_one() {
    let after = edit(
        &generated(),
        "prometheus/rules/eje-alerts.yml",
        "job_critic:eje_critic_failures:ratio_rate5m > 0.10",
        "job_critic:eje_critic_failures:ratio_rate5m > 0.2",
    );
    let found = diff_of(&after);
    assert!(found.slos.is_empty() && found.routing.is_empty() && found.dashboards.is_empty());
    assert_eq!(found.rules.len(), 1, "{found:#?}");
    let change = &found.rules[0];
    assert_eq!(change.change, Change::Changed);
    assert_eq!(change.fields.len(), 1);
    assert_eq!(change.fields[0].field, "threshold");
    assert_eq!(change.fields[0].before.as_deref(), Some("> 0.10"));
    assert_eq!(change.fields[0].after.as_deref(), Some("> 0.2"));
    insta::assert_snapshot!("threshold_human", render::human(&found));
    let changed = diff::changed_alerts(&generated(), &after);
    assert_eq!(changed.len(), 1);
    let alert = &changed[0];
    assert_eq!(alert.name, change.name);
    let (before, after) = (
        alert.before.as_ref().unwrap(),
        alert.after.as_ref().unwrap(),
    );
    assert!(before.rule.expr.ends_with("> 0.10") && after.rule.expr.ends_with("> 0.2"));
    assert_eq!(before.interval, after.interval);
}

#[test]
fn a_rename_keeps_the_expression() {
    let files = generated();
    let text = &files["prometheus/rules/eje-alerts.yml"];
    let name = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("- alert: "))
        .unwrap()
        .to_string();
    let after = edit(
        &files,
        "prometheus/rules/eje-alerts.yml",
        &format!("- alert: {name}\n"),
        "- alert: RenamedAlert\n",
    );
    let found = diff_of(&after);
    let renamed: Vec<_> = found
        .rules
        .iter()
        .filter(|r| r.change == Change::Renamed)
        .collect();
    assert_eq!(renamed.len(), 1, "{found:#?}");
    assert_eq!(renamed[0].name, "RenamedAlert");
    assert_eq!(renamed[0].renamed_from.as_deref(), Some(name.as_str()));
    assert!(renamed[0].fields.is_empty());
    // The routing sees the new alertname: its label sets are new, not a change of routing.
    let changed = diff::changed_alerts(&files, &after);
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].before.as_ref().unwrap().rule.name, name);
}

#[test]
fn a_receiver_change_shows_which_alerts_now_go_elsewhere() {
    let after = edit(
        &generated(),
        "alertmanager/alertmanager.yml",
        "  - receiver: eje-slack-warnings\n",
        "  - receiver: eje-email-tickets\n",
    );
    let found = diff_of(&after);
    assert!(
        found.rules.is_empty() && !found.routing.is_empty(),
        "{found:#?}"
    );
    for change in &found.routing {
        assert_eq!(
            change.labels.get("severity").map(String::as_str),
            Some("warning")
        );
        let receivers = change.receivers.as_ref().unwrap();
        assert!(receivers.before.contains(&"eje-slack-warnings".to_string()));
        assert!(receivers.after.contains(&"eje-email-tickets".to_string()));
        assert!(change.grouping.is_none() && change.inhibited_by.is_none());
    }
    insta::assert_snapshot!("receiver_markdown", render::markdown(&found));
}

#[test]
fn removing_the_alertmanager_configuration_shows_every_alert_unrouted() {
    let mut after = generated();
    after.retain(|path, _| !path.starts_with("alertmanager/"));
    let found = diff_of(&after);
    assert!(!found.routing.is_empty(), "{found:#?}");
    for change in &found.routing {
        let receivers = change.receivers.as_ref().unwrap();
        assert!(!receivers.before.is_empty(), "{change:#?}");
        assert!(receivers.after.is_empty(), "{change:#?}");
    }
}

#[test]
fn an_inhibit_rule_change_shows_what_is_muted_now() {
    let after = edit(
        &generated(),
        "alertmanager/alertmanager.yml",
        "  target_matchers:\n  - severity=\"warning\"\n",
        "  target_matchers:\n  - severity=\"info\"\n",
    );
    let found = diff_of(&after);
    assert!(!found.routing.is_empty(), "{found:#?}");
    for change in &found.routing {
        let inhibited = change.inhibited_by.as_ref().unwrap();
        assert!(change.receivers.is_none());
        let severity = change.labels["severity"].as_str();
        match severity {
            "warning" => assert!(inhibited.after.len() < inhibited.before.len()),
            "info" => assert!(inhibited.after.len() > inhibited.before.len()),
            other => panic!("an alert of severity {other} changed: {change:?}"),
        }
    }
    insta::assert_snapshot!("inhibit_json", render::json(&found));
}

#[test]
fn an_objective_change_shows_the_error_budget() {
    let after = edit(
        &generated(),
        "prometheus/rules/slo-decision-success.yml",
        "  - record: slo:objective:ratio\n    expr: vector(0.999)\n",
        "  - record: slo:objective:ratio\n    expr: vector(0.995)\n",
    );
    let found = diff_of(&after);
    assert_eq!(found.slos.len(), 1, "{found:#?}");
    let slo = &found.slos[0];
    assert_eq!(
        (slo.slo.as_str(), slo.change),
        ("decision-success", Change::Changed)
    );
    let (before, after) = (slo.before.unwrap(), slo.after.unwrap());
    assert_eq!(
        (before.objective_percent, after.objective_percent),
        (99.9, 99.5)
    );
    assert_eq!(before.window_days, 30.0);
    assert_eq!(
        (before.error_budget_minutes, after.error_budget_minutes),
        (43.2, 216.0)
    );
    insta::assert_snapshot!("objective_human", render::human(&found));
}

#[test]
fn a_panel_moved_and_a_query_changed() {
    let files = generated();
    let path = "grafana/dashboards/eje-overview.json";
    let mut dashboard: serde_json::Value = serde_json::from_str(&files[path]).unwrap();
    let panels = dashboard["panels"].as_array_mut().unwrap();
    let moved = panels[2]["title"].as_str().unwrap().to_string();
    panels[2]["gridPos"]["x"] = serde_json::json!(6);
    let queried = panels[3]["title"].as_str().unwrap().to_string();
    let old_query = panels[3]["targets"][0]["expr"]
        .as_str()
        .unwrap()
        .to_string();
    panels[3]["targets"][0]["expr"] = serde_json::json!("sum(up)");
    let mut after = files.clone();
    after.insert(
        path.into(),
        serde_json::to_string_pretty(&dashboard).unwrap(),
    );
    let found = diff_of(&after);
    assert_eq!(found.dashboards.len(), 1, "{found:#?}");
    let changes = &found.dashboards[0].panels;
    let by_title = |t: &str| changes.iter().find(|p| p.title == t).unwrap();
    assert_eq!(changes.len(), 2);
    assert_eq!(by_title(&moved).change, Change::Moved);
    assert_eq!(by_title(&moved).fields[0].field, "gridPos");
    let query = by_title(&queried);
    assert_eq!(query.change, Change::Changed);
    assert_eq!(query.fields[0].before.as_deref(), Some(old_query.as_str()));
    assert_eq!(query.fields[0].after.as_deref(), Some("sum(up)"));
}

#[test]
fn a_dashboard_variable_and_link_change_is_named() {
    let files = generated();
    let path = "grafana/dashboards/eje-critics.json";
    let mut dashboard: serde_json::Value = serde_json::from_str(&files[path]).unwrap();
    let list = dashboard["templating"]["list"].as_array_mut().unwrap();
    let critic = list.iter_mut().find(|v| v["name"] == "critic").unwrap();
    critic["query"] =
        serde_json::json!("label_values(eje_critic_executions_total{job=\"eje\"}, critic)");
    dashboard["links"].as_array_mut().unwrap().pop();
    let mut after = files.clone();
    after.insert(
        path.into(),
        serde_json::to_string_pretty(&dashboard).unwrap(),
    );
    let found = diff_of(&after);
    assert_eq!(found.dashboards.len(), 1, "{found:#?}");
    let change = &found.dashboards[0];
    assert_eq!(change.change, Change::Changed);
    assert!(change.panels.is_empty(), "{change:#?}");
    let fields: Vec<&str> = change.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["variable critic", "links"]);
    assert_eq!(
        change.fields[0].before.as_deref(),
        Some("query: label_values(eje_critic_executions_total, critic)")
    );
    assert_eq!(
        change.fields[0].after.as_deref(),
        Some(r#"query: label_values(eje_critic_executions_total{job="eje"}, critic)"#)
    );
    insta::assert_snapshot!("dashboard_fields_human", render::human(&found));
}

#[test]
fn a_group_interval_change_changes_its_alerts() {
    let after = edit(
        &generated(),
        "prometheus/rules/eje-alerts.yml",
        "- name: eje-alerts\n",
        "- name: eje-alerts\n  interval: 1m\n",
    );
    let found = diff_of(&after);
    assert!(!found.rules.is_empty());
    for change in &found.rules {
        assert_eq!(change.group, "eje-alerts");
        assert_eq!(change.fields.len(), 1);
        assert_eq!(change.fields[0].field, "interval");
        assert_eq!(change.fields[0].before.as_deref(), Some("15s"));
        assert_eq!(change.fields[0].after.as_deref(), Some("1m"));
    }
    let changed = diff::changed_alerts(&generated(), &after);
    let alerts = found.rules.iter().filter(|r| r.kind == "alert").count();
    assert_eq!(changed.len(), alerts);
    for alert in &changed {
        let (b, a) = (
            alert.before.as_ref().unwrap(),
            alert.after.as_ref().unwrap(),
        );
        assert_eq!(
            (b.interval.to_string(), a.interval.to_string()),
            ("15s".into(), "1m".into())
        );
    }
}

#[test]
fn an_added_and_a_removed_alert() {
    let files = generated();
    let mut before = files.clone();
    before.remove("prometheus/rules/eje-alerts.yml");
    let found = diff::diff(&before, &files, &eje::CATALOG);
    assert!(!found.rules.is_empty());
    assert!(found
        .rules
        .iter()
        .all(|r| r.change == Change::Added && r.group == "eje-alerts"));
    let back = diff::diff(&files, &before, &eje::CATALOG);
    assert_eq!(back.rules.len(), found.rules.len());
    assert!(back.rules.iter().all(|r| r.change == Change::Removed));
    let added = diff::changed_alerts(&before, &files);
    assert!(
        !added.is_empty()
            && added
                .iter()
                .all(|a| a.before.is_none() && a.after.is_some())
    );
}

#[test]
fn panels_and_dashboards_added_and_removed() {
    let files = generated();
    let path = "grafana/dashboards/eje-overview.json";
    let mut dashboard: serde_json::Value = serde_json::from_str(&files[path]).unwrap();
    let removed = dashboard["panels"].as_array_mut().unwrap().remove(2);
    let mut after = files.clone();
    after.insert(
        path.into(),
        serde_json::to_string_pretty(&dashboard).unwrap(),
    );
    after.remove("grafana/dashboards/eje-resources.json");
    let found = diff_of(&after);
    type Panels = Vec<(String, Change)>;
    let summary: Vec<(String, Change, Panels)> = found
        .dashboards
        .iter()
        .map(|d| {
            let panels = d
                .panels
                .iter()
                .map(|p| (p.title.clone(), p.change))
                .collect();
            (d.uid.clone(), d.change, panels)
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "eje-overview".to_string(),
                Change::Changed,
                vec![(
                    removed["title"].as_str().unwrap().to_string(),
                    Change::Removed
                )]
            ),
            ("eje-resources".to_string(), Change::Removed, vec![]),
        ]
    );
    let back = diff::diff(&after, &files, &eje::CATALOG);
    assert_eq!(back.dashboards[0].panels[0].change, Change::Added);
    assert_eq!(back.dashboards[1].change, Change::Added);
}

// ---- The command, in a scratch repository ------------------------------------------------

fn unused_spec() -> Spec {
    Spec::new(eje::CATALOG)
}

#[track_caller]
fn sh(dir: &Path, command: &str) -> String {
    let output = Command::new("bash")
        .args(["-c", command])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", common::target_dir())
        .env("SEXTANT_DIFF_TARGET_DIR", common::target_dir())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "`{command}` failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[track_caller]
fn replace(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn diff_names_each_change_of_a_scratch_repository() {
    let temp = common::TempDir::new("diff-scratch");
    let dir = temp.0.join("checkout");
    common::new_service(&dir);
    // A finding the change does not touch: an alert whose `for` is too short.
    replace(
        &dir,
        "src/alerts.rs",
        "high-error-rate\"),\n    )]",
        "high-error-rate\"),\n    )
    .rule(
        Alert::warning(\"CheckoutErrorsVeryHigh\", \"job:checkout_http_errors:ratio_rate5m > 0.5\")
            .for_(secs(30))
            .label(\"component\", \"http\")
            .summary(\"Half of checkout's requests fail\")
            .description(\"{{ $value | humanizePercentage }} of the requests fail.\")
            .annotation(\"runbook_url\", \"https://runbooks.example.com/checkout/errors\"),
    )]",
    );
    sh(
        &dir,
        "git init -q -b main && git add -A && git -c user.name=t -c user.email=t@t commit -qm base",
    );
    // Nothing changed yet: nothing to say.
    let unchanged = sh(&dir, "cargo run --quiet -- diff --format json");
    let unchanged: Diff = serde_json::from_str(&unchanged).unwrap();
    assert!(unchanged.is_empty(), "{unchanged:#?}");
    // Five changes: a threshold, a route's receiver, an inhibit rule, an SLO objective, a panel.
    replace(
        &dir,
        "src/alerts.rs",
        "ratio_rate5m > 0.05",
        "ratio_rate5m > 0.1",
    );
    // And a finding the change brings, on the alert it changes.
    replace(&dir, "src/alerts.rs", ".for_(mins(10))", ".for_(secs(20))");
    replace(
        &dir,
        "src/routing.rs",
        ".route(Route::to(TEAM).matcher(Matcher::severity(AlertSeverity::Warning)))",
        ".route(Route::to(PAGER).matcher(Matcher::severity(AlertSeverity::Warning)))",
    );
    replace(
        &dir,
        "src/routing.rs",
        ".equal([\"alertname\"])",
        ".equal([\"component\"])",
    );
    replace(&dir, "src/slos.rs", ".objective(99.9)", ".objective(99.5)");
    replace(
        &dir,
        "src/dashboards.rs",
        "Query::new(\"job:",
        "Query::new(\"max by (job) (job:",
    );
    replace(
        &dir,
        "src/dashboards.rs",
        "ratio_rate5m\").legend",
        "ratio_rate5m)\").legend",
    );
    sh(
        &dir,
        "git -c user.name=t -c user.email=t@t commit -qam change",
    );
    let json = sh(&dir, "cargo run --quiet -- diff HEAD~1 --format json");
    let found: Diff = serde_json::from_str(&json).unwrap();
    insta::assert_snapshot!("scratch_json", json);
    insta::assert_snapshot!("scratch_markdown", render::markdown(&found));
    insta::assert_snapshot!("scratch_human", render::human(&found));
    assert!(
        found
            .rules
            .iter()
            .any(|r| r.fields.iter().any(|f| f.field == "threshold"
                && f.before.as_deref() == Some("> 0.05")
                && f.after.as_deref() == Some("> 0.1"))),
        "{found:#?}"
    );
    let slo = &found.slos[0];
    assert_eq!(
        (
            slo.before.unwrap().objective_percent,
            slo.after.unwrap().objective_percent
        ),
        (99.9, 99.5)
    );
    // Every warning now pages; the SLO's ticket-level alerts are now muted by its fast burn
    // (same `component`), no longer only by a critical alert of their own name.
    let routing: Vec<(&str, Option<Pair>, Option<Pair>)> = found
        .routing
        .iter()
        .map(|r| {
            assert!(r.grouping.is_none() && r.each_of.is_empty(), "{r:?}");
            (
                r.labels["alertname"].as_str(),
                r.receivers.clone().map(|c| (c.before, c.after)),
                r.inhibited_by.clone().map(|c| (c.before, c.after)),
            )
        })
        .collect();
    let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let paged = Some((strings(&["checkout-team"]), strings(&["checkout-pager"])));
    let muted = Some((vec![], strings(&["CheckoutAvailabilityFastBurn"])));
    assert_eq!(
        routing,
        [
            (
                "CheckoutAvailabilitySLIAbsent",
                paged.clone(),
                muted.clone()
            ),
            ("CheckoutAvailabilitySlowBurn", paged.clone(), muted),
            ("CheckoutErrorsVeryHigh", paged.clone(), None),
            ("CheckoutHighErrorRate", paged, None),
        ]
    );
    let panel = &found.dashboards[0].panels[0];
    assert_eq!(
        (panel.title.as_str(), panel.change),
        ("Error ratio", Change::Changed)
    );
    assert_eq!(panel.fields[0].field, "query A");

    // `lint --changed`: the finding on the changed alert, not the one on the unchanged alert.
    let all = sh(&dir, "cargo run --quiet -- lint --format github");
    assert!(all.contains("alert CheckoutErrorsVeryHigh"), "{all}");
    assert!(all.contains("alert CheckoutHighErrorRate"), "{all}");
    let changed = sh(
        &dir,
        "cargo run --quiet -- lint --changed HEAD~1 --format github",
    );
    assert!(!changed.contains("CheckoutErrorsVeryHigh"), "{changed}");
    insta::assert_snapshot!("scratch_lint_changed", changed);
}

/// The README's CI recipe is a workflow GitHub can read, and runs what it says it runs.
#[test]
fn the_readme_ci_recipe_is_a_workflow() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let section = readme
        .split("## Reviewing a change in CI")
        .nth(1)
        .expect("the README has a CI section");
    let yaml = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the CI section has a ```yaml block");
    let workflow: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
    let steps = workflow["jobs"]["review"]["steps"].as_sequence().unwrap();
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    let has = |needle: &str| runs.iter().any(|r| r.contains(needle));
    assert!(has("cargo run --quiet -- check"), "{runs:?}");
    assert!(has("cargo run --quiet -- lint --format github"), "{runs:?}");
    assert!(has("-- diff \"$base\" --format markdown"), "{runs:?}");
    assert!(has("gh pr comment"), "{runs:?}");
    assert_eq!(
        workflow["permissions"]["pull-requests"].as_str(),
        Some("write")
    );
}

// ---- lint --changed on a spec compiled in-process ------------------------------------------

/// A spec with two of everything `lint --changed` maps findings to, each with a finding: two
/// alerts with a short `for`, two routes matching a severity no alert carries, two panels
/// taking a rate over a fixed range. `changed` changes one of each.
fn two_of_each(changed: bool) -> Spec {
    use sextant::prelude::alerting::*;
    let threshold = if changed { "> 20" } else { "> 10" };
    let alert = |name: &str, expr: String| {
        Alert::warning(name, expr)
            .for_(secs(30))
            .label("component", "aggregator")
            .summary("Decisions are slow")
            .description("{{ $value }} decisions per second")
            .annotation("runbook_url", "https://runbooks.example.com/decisions")
    };
    let pager = if changed { "team" } else { "pager" };
    let query = if changed {
        "sum(rate(eje_decisions_total[10m]))"
    } else {
        "sum(rate(eje_decisions_total[5m]))"
    };
    Spec::new(eje::CATALOG)
        .rule_group(
            RuleGroup::new("decisions")
                .rule(alert(
                    "DecisionsTouched",
                    format!("sum(rate(eje_decisions_total[5m])) {threshold}"),
                ))
                .rule(alert(
                    "DecisionsUntouched",
                    "sum(rate(eje_decisions_total[5m])) > 1000".into(),
                )),
        )
        .alertmanager(
            AlertManager::new(
                Route::to("team")
                    .route(Route::to(pager).matcher(Matcher::eq("severity", "page")))
                    .route(Route::to("team").matcher(Matcher::eq("severity", "ticket")))
                    .route(Route::to("team").matcher(Matcher::severity(AlertSeverity::Warning))),
            )
            .receiver(Receiver::new("team").webhook(Webhook::new("http://alerts.example.com/team")))
            .receiver(
                Receiver::new("pager").webhook(Webhook::new("http://alerts.example.com/pager")),
            ),
        )
        .grafana(
            Grafana::new()
                .datasource(
                    Datasource::prometheus("prom", "Prometheus", "http://prometheus:9090")
                        .default(),
                )
                .dashboard(
                    Dashboard::new("decisions", "Decisions")
                        .datasource(DsRef::uid("prom"))
                        .panel(TimeSeries::new("Touched").query(query))
                        .panel(
                            TimeSeries::new("Untouched")
                                .query("sum(rate(eje_decisions_total[5m]))"),
                        ),
                ),
        )
}

#[test]
fn lint_changed_keeps_the_findings_on_what_changed() {
    let before = compile(&two_of_each(false));
    let after_spec = two_of_each(true);
    let after = compile(&after_spec);
    assert!(!before.has_errors() && !after.has_errors());
    let found = diff::diff(before.output.files(), after.output.files(), &eje::CATALOG);
    let old = diff::Side::read(before.output.files());
    let (ir, _) = sextant::spec::lower(&after_spec);
    let touched = diff::touched::touched(&found, old.alertmanager.as_ref(), &ir);
    let mut all = after.diagnostics.clone();
    sextant::diagnostics::sort(&mut all);
    // Each finding is there twice in the whole spec: on the touched item and on the other.
    for needle in [
        "DecisionsTouched",
        "DecisionsUntouched",
        "panel \"Touched\"",
        "panel \"Untouched\"",
        "severity=\"page\"",
        "severity=\"ticket\"",
    ] {
        assert!(
            all.iter().any(|d| d.message.contains(needle)),
            "no finding names {needle}: {all:#?}"
        );
    }
    let kept = touched.filter(all);
    let root = common::root();
    let rendered =
        sextant::diagnostics::render(&kept, &|file| std::fs::read_to_string(root.join(file)).ok());
    for d in &kept {
        assert!(
            !d.message.contains("Untouched") && !d.message.contains("severity=\"ticket\""),
            "{rendered}"
        );
    }
    // The findings without their positions: lines of this file move as tests are added.
    let shown: Vec<String> = kept
        .iter()
        .map(|d| format!("{}[{}]: {}", d.severity, d.code, d.message))
        .collect();
    insta::assert_snapshot!("lint_changed", shown.join("\n"));
}

#[test]
fn diff_says_when_the_base_names_no_commit() {
    let temp = common::TempDir::new("diff-no-git");
    std::fs::write(temp.0.join("README.md"), "not a repository").unwrap();
    let project = Project {
        root: temp.0.clone(),
        spec: unused_spec,
    };
    let (code, stdout, stderr) = common::run_cli(&project, &["diff", "no-such-revision"]);
    assert_eq!((code, stdout.as_str()), (2, ""), "{stderr}");
    assert!(
        stderr.contains("\"no-such-revision\" names no commit"),
        "{stderr}"
    );
    let (code, _, stderr) = common::run_cli(&project, &["lint", "--changed", "x", "some.yml"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--changed lints the spec's changes; it takes no PATH"),
        "{stderr}"
    );
}

#[test]
fn an_expression_change_beyond_its_thresholds_is_shown_whole() {
    let after = edit(
        &generated(),
        "prometheus/rules/eje-alerts.yml",
        "job_critic:eje_critic_failures:ratio_rate5m > 0.10",
        "max without (instance) (job_critic:eje_critic_failures:ratio_rate5m) > 0.2",
    );
    let found = diff_of(&after);
    assert_eq!(found.rules.len(), 1);
    let field = &found.rules[0].fields[0];
    assert_eq!(field.field, "expr");
    assert_eq!(
        field.after.as_deref(),
        Some("max without (instance) (job_critic:eje_critic_failures:ratio_rate5m) > 0.2")
    );
}

/// Files no one here wrote: every corpus rule file and `PrometheusRule` resource promtool
/// accepts, each as a build of its own. Unchanged, its diff is empty; with the number an alert
/// compares against changed (the first alert whose expression ends in `> N`, `< N`, `>= N` or
/// `<= N` and stands on one line of the file, plain or quoted), the diff names exactly that alert, with
/// one `threshold` field from N to N+1.
#[test]
fn corpus_files_diff_empty_unchanged_and_name_a_changed_threshold() {
    let root = common::root();
    let verdicts = std::fs::read_to_string(root.join("tests/corpus/verdicts.tsv")).unwrap();
    let ends_in_threshold = regex::Regex::new(r"^(.*(?:>|<|>=|<=) ?)(\d+(?:\.\d+)?)$").unwrap();
    let mut unchanged = 0;
    let mut changed = 0;
    for line in verdicts.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        if fields[1] != "promtool" || fields[2] != "ok" {
            continue;
        }
        let text = std::fs::read_to_string(root.join("tests/corpus").join(fields[0])).unwrap();
        let path = "prometheus/rules/corpus.yml".to_string();
        let before = Files::from([(path.clone(), text.clone())]);
        let same = diff::diff(&before, &before, &eje::CATALOG);
        assert!(same.is_empty(), "{}: {same:#?}", fields[0]);
        unchanged += 1;

        // The first alert whose one-line expression ends in a comparison with a number.
        let found = text.lines().find_map(|line| {
            let value = line.trim().strip_prefix("expr: ")?;
            // Plain, or quoted without escapes.
            let expr = ['\'', '"']
                .iter()
                .find_map(|q| value.strip_prefix(*q)?.strip_suffix(*q))
                .filter(|inner| !inner.contains('\\') && !inner.contains('\''))
                .unwrap_or(value);
            let caps = ends_in_threshold.captures(expr)?;
            (text.matches(line).count() == 1).then(|| {
                let n: f64 = caps[2].parse().unwrap();
                let new_expr = format!("{}{}", &caps[1], n + 1.0);
                (
                    line.to_string(),
                    line.replace(expr, &new_expr),
                    caps[2].to_string(),
                )
            })
        });
        let Some((old_line, new_line, number)) = found else {
            continue;
        };
        let after = Files::from([(path, text.replacen(&old_line, &new_line, 1))]);
        let found = diff::diff(&before, &after, &eje::CATALOG);
        assert!(
            found.slos.is_empty() && found.routing.is_empty() && found.dashboards.is_empty(),
            "{}: {found:#?}",
            fields[0]
        );
        assert_eq!(found.rules.len(), 1, "{}: {found:#?}", fields[0]);
        let rule = &found.rules[0];
        assert_eq!(rule.change, Change::Changed, "{}: {rule:#?}", fields[0]);
        assert_eq!(rule.fields.len(), 1, "{}: {rule:#?}", fields[0]);
        assert_eq!(
            rule.fields[0].field, "threshold",
            "{}: {rule:#?}",
            fields[0]
        );
        let before_text = rule.fields[0].before.clone().unwrap_or_default();
        assert!(
            before_text.ends_with(&number),
            "{}: {before_text} should end in {number}",
            fields[0]
        );
        changed += 1;
    }
    // Most of the corpus has such an alert: the count guards against a silent skip.
    assert!(
        unchanged >= 60 && changed >= 30,
        "{unchanged} files, {changed} thresholds"
    );
}

/// The corpus's dashboards (today's model): unchanged, an empty diff; with the first panel
/// that has a position moved, exactly that panel, `moved`.
#[test]
fn corpus_dashboards_diff_empty_unchanged_and_name_a_moved_panel() {
    let mut files = Vec::new();
    let mut pending = vec![common::root().join("tests/corpus/dashboards")];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut moved = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let path = "grafana/dashboards/corpus.json".to_string();
        let before = Files::from([(path.clone(), text.clone())]);
        let same = diff::diff(&before, &before, &eje::CATALOG);
        assert!(same.is_empty(), "{}: {same:#?}", file.display());
        let mut dashboard: serde_json::Value = serde_json::from_str(&text).unwrap();
        let Some(panel) = dashboard
            .get_mut("panels")
            .and_then(|p| p.as_array_mut())
            .and_then(|panels| panels.iter_mut().find(|p| p["gridPos"]["x"].is_i64()))
        else {
            continue;
        };
        let title = panel["title"].as_str().unwrap_or_default().to_string();
        let x = panel["gridPos"]["x"].as_i64().unwrap();
        panel["gridPos"]["x"] = serde_json::json!(x + 1);
        let after = Files::from([(path, serde_json::to_string_pretty(&dashboard).unwrap())]);
        let found = diff::diff(&before, &after, &eje::CATALOG);
        assert_eq!(found.dashboards.len(), 1, "{}: {found:#?}", file.display());
        let change = &found.dashboards[0];
        assert!(change.fields.is_empty(), "{}: {change:#?}", file.display());
        assert_eq!(change.panels.len(), 1, "{}: {change:#?}", file.display());
        assert_eq!(change.panels[0].title, title);
        assert_eq!(change.panels[0].change, Change::Moved);
        moved += 1;
    }
    assert!(moved >= 5, "{moved} of {} dashboards", files.len());
}
