//! The Grafana DSL: one snapshot of the rendered diagnostics for each class of bad dashboard,
//! datasource or link, and snapshots of the JSON and provisioning emitted for a dashboard that
//! uses every panel kind, variable kind, link kind and an annotation (also checked against
//! Grafana's official schemas). Snapshots live in `tests/snapshots/`.

mod common;

use sextant::prelude::*;
use sextant_catalog::eje;

/// Two datasources, Prometheus (`prom`) and Jaeger (`jaeger`), linked both ways.
fn grafana() -> Grafana {
    Grafana::new()
        .datasource(
            Datasource::prometheus("prom", "Prometheus", "http://prometheus:9090")
                .default()
                .exemplar_traces("trace_id", "jaeger"),
        )
        .datasource(
            Datasource::jaeger("jaeger", "Jaeger", "http://jaeger:16686").traces_to_metrics(
                TracesToMetrics::new("prom")
                    .tag("eje.critic", "critic")
                    .query(
                        "Calls",
                        "sum(rate(eje_critic_executions_total{$__tags}[5m]))",
                    ),
            ),
        )
}

/// A spec with one recording rule (`job:eje_decisions:rate5m`) and `grafana`, with a
/// Prometheus configuration: the spec says what is scraped (its own targets, which add `job` and
/// `instance`), so a dashboard's unknown series or label is certainly absent and an error. (See
/// `without_a_scrape_configuration_only_what_the_catalog_owns_is_certain` for a spec without
/// one, where only what the catalog owns is certain, as in linted files and the lints' own
/// rule.)
fn spec(grafana: Grafana) -> Spec {
    open_spec(grafana).prometheus(sextant::prelude::alerting::PrometheusConfig::new())
}

/// An empty dashboard on the Prometheus datasource.
#[track_caller]
fn dashboard() -> Dashboard {
    Dashboard::new("test", "Test").datasource(DsRef::uid("prom"))
}

/// Compiles `dashboard` with the two datasources and snapshots what the CLI would print.
#[track_caller]
fn check(name: &str, dashboard: Dashboard) {
    check_grafana(name, grafana().dashboard(dashboard));
}

#[track_caller]
fn check_grafana(name: &str, grafana: Grafana) {
    let rendered = common::diagnostics(&spec(grafana));
    assert!(
        !rendered.is_empty(),
        "{name}: expected diagnostics, got none"
    );
    insta::assert_snapshot!(name, rendered);
}

#[test]
fn unknown_metric() {
    check(
        "grafana_unknown_metric",
        dashboard().panel(
            TimeSeries::new("Failures")
                .query("sum(rate(eje_critic_failure_total[$__rate_interval]))"),
        ),
    );
}

#[test]
fn promql_syntax_after_substitution() {
    check(
        "grafana_promql_syntax",
        dashboard().panel(
            TimeSeries::new("Decisions")
                .query(r#"sum(rate(eje_decisions_total{job=~"$__all"}[$__rate_interval])"#),
        ),
    );
}

#[test]
fn undefined_variable() {
    check(
        "grafana_undefined_variable",
        dashboard()
            .variable(Variable::custom("job", ["eje"]))
            .panel(Stat::new("In flight").query(r#"sum(eje_decisions_in_flight{job=~"$jobs"})"#)),
    );
}

#[test]
fn unknown_label() {
    check(
        "grafana_unknown_label",
        dashboard()
            .panel(TimeSeries::new("Decisions").query(
                r#"sum(rate(eje_decisions_total{critic="bias_critic"}[$__rate_interval]))"#,
            )),
    );
}

#[test]
fn rate_over_fixed_range() {
    check(
        "grafana_rate_interval",
        dashboard().panel(TimeSeries::new("Decisions").query("sum(rate(eje_decisions_total[5m]))")),
    );
}

#[test]
fn overlapping_panels() {
    check(
        "grafana_overlap",
        dashboard()
            .panel(TimeSeries::new("Auto").query("sum(job:eje_decisions:rate5m)"))
            .panel(
                Stat::new("By hand")
                    .at(6, 4)
                    .query("sum(job:eje_decisions:rate5m)"),
            ),
    );
}

#[test]
fn panels_off_the_grid() {
    check(
        "grafana_layout",
        dashboard()
            .panel(
                TimeSeries::new("Too wide")
                    .width(30)
                    .query("sum(job:eje_decisions:rate5m)"),
            )
            .panel(
                Stat::new("Past the edge")
                    .at(20, 30)
                    .width(6)
                    .query("sum(job:eje_decisions:rate5m)"),
            )
            .panel(
                Stat::new("Flat")
                    .height(0)
                    .query("sum(job:eje_decisions:rate5m)"),
            ),
    );
}

#[test]
fn duplicate_panels() {
    check(
        "grafana_duplicate_panel",
        dashboard()
            .panel(Row::new("Traffic"))
            .panel(Stat::new("Decisions").query("sum(job:eje_decisions:rate5m)"))
            .panel(TimeSeries::new("Decisions").query("sum(job:eje_decisions:rate5m)")),
    );
}

#[test]
fn thresholds_and_bounds() {
    check(
        "grafana_thresholds_min_max",
        dashboard()
            .panel(
                Gauge::new("Utilisation")
                    .min(1.0)
                    .max(0.0)
                    .query("sum(job:eje_decisions:rate5m)"),
            )
            .panel(
                Stat::new("Errors")
                    .thresholds(
                        Thresholds::new(Color::Green)
                            .step(0.05, Color::Red)
                            .step(0.01, Color::Orange),
                    )
                    .query("sum(job:eje_decisions:rate5m)"),
            ),
    );
}

#[test]
fn datasources_that_do_not_exist_or_do_not_fit() {
    check(
        "grafana_datasources",
        Dashboard::new("test", "Test")
            .datasource(DsRef::variable("ds"))
            .panel(
                Stat::new("Unknown uid")
                    .datasource(DsRef::uid("thanos"))
                    .query("sum(job:eje_decisions:rate5m)"),
            )
            .panel(
                Stat::new("Tracing datasource")
                    .datasource(DsRef::uid("jaeger"))
                    .query("sum(job:eje_decisions:rate5m)"),
            ),
    );
}

#[test]
fn panels_without_datasource() {
    check(
        "grafana_no_datasource",
        Dashboard::new("test", "Test")
            .panel(Stat::new("Nowhere").query("sum(job:eje_decisions:rate5m)")),
    );
}

#[test]
fn bad_links() {
    check(
        "grafana_links",
        dashboard()
            .link(Link::dashboard("Critics", "eje-critcs"))
            .link(Link::url("Wiki", "wiki.example.com/eje"))
            .link(Link::url("Odd", "https://example.com").icon("rocket"))
            .link(Link::traces("Traces", "prom", "eje"))
            .panel(
                Stat::new("Decisions")
                    .query("sum(job:eje_decisions:rate5m)")
                    .link(Link::tagged("Nothing", Vec::<String>::new())),
            ),
    );
}

#[test]
fn bad_variables() {
    check(
        "grafana_variables",
        dashboard()
            .variable(Variable::label_values(
                "critic",
                DsRef::uid("prom"),
                &eje::DECISIONS_TOTAL,
                &eje::CRITIC,
            ))
            .variable(Variable::custom("__mine", ["a"]))
            .variable(Variable::custom("empty", Vec::<String>::new()))
            .variable(Variable::interval("empty", [mins(5)])),
    );
}

#[test]
fn bad_dashboards() {
    check_grafana(
        "grafana_dashboards",
        grafana()
            .dashboard(Dashboard::new("eje overview", "Overview"))
            .dashboard(Dashboard::new("critics", "Critics"))
            .dashboard(Dashboard::new("critics", "Critics")),
    );
}

#[test]
fn panels_without_queries_and_text_with_one() {
    check(
        "grafana_queries",
        dashboard()
            .panel(TimeSeries::new("Empty"))
            .panel(Text::new("About", "# EJE").query("sum(job:eje_decisions:rate5m)")),
    );
}

#[test]
fn bad_provisioning() {
    check_grafana(
        "grafana_provisioning",
        Grafana::new()
            .datasource(
                Datasource::prometheus("prom", "Prometheus", "prometheus:9090")
                    .default()
                    .exemplar_traces("trace-id", "tempo")
                    .traces_to_metrics(TracesToMetrics::new("prom")),
            )
            .datasource(
                Datasource::jaeger("jaeger", "Jaeger", "http://jaeger:16686")
                    .default()
                    .traces_to_metrics(
                        TracesToMetrics::new("jaeger")
                            .query("Calls", "sum(rate(eje_critic_call_total{$__tags}[5m]))"),
                    ),
            ),
    );
}

#[test]
fn external_series_the_spec_provides() {
    check_grafana(
        "grafana_external_series",
        grafana()
            .external_series(["job:eje_decisions:rate5m", "slo:objective:ratio"])
            .dashboard(dashboard().panel(Stat::new("Objective").query("max(slo:objective:ratio)"))),
    );
}

/// A dashboard with every panel kind, every variable kind, every link kind and an annotation.
fn showcase() -> Dashboard {
    let ds = DsRef::variable("ds");
    Dashboard::new("showcase", "Showcase")
        .description("Every panel kind")
        .tag("test")
        .time(hours(3))
        .refresh(secs(30))
        .datasource(ds.clone())
        .variable(Variable::datasource("ds", DatasourceKind::Prometheus, "prom"))
        .variable(Variable::label_values(
            "critic",
            ds.clone(),
            &eje::CRITIC_EXECUTIONS_TOTAL,
            &eje::CRITIC,
        ))
        .variable(Variable::custom("quantile", ["0.99", "0.5"]))
        .variable(Variable::interval("window", [hours(1), days(1)]))
        .variable(Variable::datasource_any("any", DatasourceKind::Prometheus))
        .variable(
            Variable::query("job", ds.clone(), r#"label_values(up{job=~".+"}, job)"#)
                .multi()
                .include_all(false),
        )
        .link(Link::dashboard("Self", "showcase"))
        .link(
            Link::url("Docs", "https://docs.example.com")
                .icon("doc")
                .keep_time(true)
                .include_vars(true)
                .new_tab(true),
        )
        .link(Link::tagged("Tests", ["test"]))
        .link(Link::traces("Traces", "jaeger", "eje"))
        .annotation(
            Annotation::prometheus(
                "Alerts",
                ds,
                r#"ALERTS{alertstate="firing"}"#,
            )
            .title("{{alertname}}")
            .text("{{severity}}")
            .tag_keys(["severity"]),
        )
        .panel(Text::new("About", "# Showcase"))
        .panel(Row::new("Open"))
        .panel(
            TimeSeries::new("Calls")
                .unit(Unit::OpsPerSecond)
                .legend(Legend::table([Calc::Mean]).right())
                .thresholds(Thresholds::new(Color::Green).step(10.0, Color::Red))
                .thresholds_style(timeseries::ThresholdsStyle::Line)
                .query(
                    Query::new(
                        r#"sum by (critic) (rate(eje_critic_executions_total{critic=~"$critic"}[$__rate_interval]))"#,
                    )
                    .legend("{{critic}}"),
                )
                .link(Link::runbook("Runbook", "https://runbooks.example.com/x")),
        )
        .panel(
            Heatmap::new("Latency")
                .unit(Unit::Seconds)
                .query(
                    Query::new(
                        "sum by (le) (rate(eje_critic_duration_seconds_bucket[$__rate_interval]))",
                    )
                    .legend("{{le}}")
                    .exemplars(),
                ),
        )
        .panel(
            Stat::new("Decisions")
                .unit(Unit::RequestsPerSecond)
                .decimals(1)
                .query(
                    Query::new("sum(job:eje_decisions:rate5m)")
                        .ref_id("D")
                        .interval("1m"),
                )
                .query(Query::new("sum(eje_decisions_in_flight)").hidden()),
        )
        .panel(
            Gauge::new("Utilisation")
                .unit(Unit::PercentUnit)
                .min(0.0)
                .max(1.0)
                .query("max(eje_decisions_in_flight / eje_decision_capacity)"),
        )
        .panel(
            BarGauge::new("p-quantile")
                .unit(Unit::Seconds)
                .query(
                    "histogram_quantile($quantile, sum by (critic, le) (rate(eje_critic_duration_seconds_bucket[$__rate_interval])))",
                ),
        )
        .panel(Row::new("Closed").collapsed())
        .panel(
            Table::new("Totals")
                .sort_by("Value", true)
                .query("sum by (critic) (increase(eje_critic_executions_total[$window]))"),
        )
        // As imported dashboards place them: by hand, a text without a title keyed.
        .panel(Row::new("Placed by hand").at(40))
        .panel(
            Text::new("", "Untitled")
                .key("note")
                .width(24)
                .height(2)
                .at(0, 41),
        )
}

/// What imported modules add (`Spec::dashboards`, `Spec::datasources`) is kept by a later
/// `Spec::grafana`, and a datasource whose uid the spec declares is not declared twice.
#[test]
fn imported_dashboards_and_datasources_join_the_spec() {
    let spec = Spec::new(eje::CATALOG)
        .datasources([Datasource::prometheus(
            "imported",
            "imported",
            "http://a:9090",
        )])
        .dashboards([Dashboard::new("imported", "Imported").datasource(DsRef::uid("imported"))])
        .grafana(grafana())
        .datasources([
            Datasource::prometheus("prom", "prom", "http://b:9090"),
            Datasource::prometheus("imported", "imported", "http://c:9090"),
        ])
        .dashboards([dashboard()]);
    let compiled = compile(&spec);
    assert!(
        compiled.diagnostics.is_empty(),
        "{}",
        common::diagnostics(&spec)
    );
    let files = compiled.output.files();
    assert!(files.contains_key("grafana/dashboards/imported.json"));
    assert!(files.contains_key("grafana/dashboards/test.json"));
    let prom = &files["grafana/provisioning/datasources/prom.yml"];
    assert!(prom.contains("http://prometheus:9090"), "{prom}");
    let imported = &files["grafana/provisioning/datasources/imported.yml"];
    assert!(imported.contains("http://a:9090"), "{imported}");
}

#[test]
fn every_kind_is_emitted_as_grafana_reads_it() {
    let compiled = compile(&spec(grafana().dashboard(showcase())));
    assert!(
        compiled.diagnostics.is_empty(),
        "{}",
        common::diagnostics(&spec(grafana().dashboard(showcase())))
    );
    let files = compiled.output.files();
    let dashboard = &files["grafana/dashboards/showcase.json"];
    assert!(dashboard.ends_with("}\n"));
    insta::assert_snapshot!("grafana_showcase_json", dashboard);
    insta::assert_snapshot!(
        "grafana_showcase_datasources",
        format!(
            "{}{}{}",
            files["grafana/provisioning/datasources/prom.yml"],
            files["grafana/provisioning/datasources/jaeger.yml"],
            files["grafana/provisioning/dashboards/sextant.yml"]
        )
    );
    common::grafana_schema_check(&[("showcase.json".to_string(), dashboard.clone())]);
}

#[test]
fn adding_a_panel_keeps_the_other_ids() {
    let ids = |dashboard: Dashboard| -> Vec<(String, u64)> {
        let output = compile(&spec(grafana().dashboard(dashboard))).output;
        let json: serde_json::Value =
            serde_json::from_str(output.get("grafana/dashboards/showcase.json").unwrap()).unwrap();
        let mut found = Vec::new();
        let mut stack: Vec<&serde_json::Value> =
            json["panels"].as_array().unwrap().iter().collect();
        while let Some(panel) = stack.pop() {
            found.push((
                panel["title"].as_str().unwrap().to_string(),
                panel["id"].as_u64().unwrap(),
            ));
            stack.extend(panel["panels"].as_array().into_iter().flatten());
        }
        found.sort();
        found
    };
    let before = ids(showcase());
    let after = ids(showcase().panel(Stat::new("New").query("sum(job:eje_decisions:rate5m)")));
    assert_eq!(after.len(), before.len() + 1);
    for panel in &before {
        assert!(after.contains(panel), "{panel:?} changed id");
    }
}

#[test]
fn dashboard_without_title_or_time_range() {
    check(
        "grafana_dashboard",
        Dashboard::new("test", "").time(secs(0)),
    );
}

#[test]
fn external_series_that_is_not_a_metric_name() {
    check_grafana(
        "grafana_invalid_external_series",
        grafana().external_series(["node-cpu-seconds"]),
    );
}

/// [`spec`] without a Prometheus configuration: what the targets add is not known.
fn open_spec(grafana: Grafana) -> Spec {
    Spec::new(eje::CATALOG)
        .rule_group(RuleGroup::new("traffic").rule(Record::new(
            "job:eje_decisions:rate5m",
            "sum by (job) (rate(eje_decisions_total[5m]))",
        )))
        .grafana(grafana)
}

/// Without a scrape configuration, a spec's dashboards are checked as linted files are (the
/// lints' rule): an unknown name in the catalog's namespace is an error, another name is not
/// checked, and an unknown label of a metric the catalog owns is a warning that says what it
/// rests on; the labels of a metric it does not own (`process_*`) are not checked.
#[test]
fn without_a_scrape_configuration_only_what_the_catalog_owns_is_certain() {
    let dashboard = dashboard()
        .panel(TimeSeries::new("Failures").query(
            "sum(rate(eje_critic_failure_total[$__rate_interval])) + sum(rate(node_cpu_seconds_total[$__rate_interval]))",
        ))
        .panel(TimeSeries::new("Decisions").query(
            r#"sum(rate(eje_decisions_total{critic="bias_critic"}[$__rate_interval]))"#,
        ))
        .panel(TimeSeries::new("Memory").query(r#"sum(process_resident_memory_bytes{pod="x"})"#));
    let rendered = common::diagnostics(&open_spec(grafana().dashboard(dashboard)));
    insta::assert_snapshot!("grafana_open_world", rendered);
}
