//! EJE's Grafana: the Prometheus and Jaeger datasources, and the dashboards derived from the
//! catalog and the recording rules: an overview on the golden signals, RED per critic, USE of
//! the resources, and one dashboard per SLO.
//!
//! Panels read the recorded series of [`crate::recording`] where one exists (cheap, and the same
//! numbers the alerts see), and the catalog's metrics with `$__rate_interval` otherwise. One
//! metric per panel, except where a panel compares a value with its limit.

use sextant::prelude::*;
use sextant_catalog::eje;

use crate::runbook;

/// The provisioned Prometheus datasource's uid.
pub const PROMETHEUS: &str = "prometheus";
/// The provisioned Jaeger datasource's uid.
pub const JAEGER: &str = "jaeger";
/// The service name EJE's traces carry (`service.name`).
pub const SERVICE: &str = "eje";

/// The dashboards' uids.
pub const OVERVIEW: &str = "eje-overview";
pub const CRITICS: &str = "eje-critics";
pub const RESOURCES: &str = "eje-resources";

/// The datasource variable every dashboard's panels go through.
const DS: &str = "datasource";

/// An SLO's dashboard: its name (the `slo` label of its recorded series), what it promises, and
/// the windows its SLI is recorded over, the SLO's own period last.
#[derive(Clone, Debug)]
pub struct SloView {
    pub name: String,
    pub description: String,
    pub windows: Vec<Duration>,
}

/// The windows the multi-window alerts record the SLI over (every EJE SLO keeps both tiers).
pub const ALERT_WINDOWS: &[Duration] = &[
    mins(5),
    mins(30),
    hours(1),
    hours(2),
    hours(6),
    days(1),
    days(3),
];

/// One view per SLO of the spec, so a new SLO gets its dashboard.
pub fn slo_views() -> Vec<SloView> {
    crate::slos::slos()
        .iter()
        .map(|slo| SloView {
            name: slo.name().to_string(),
            description: slo.about().trim_end_matches('.').to_string(),
            windows: ALERT_WINDOWS
                .iter()
                .copied()
                .chain([slo.period()])
                .collect(),
        })
        .collect()
}

pub fn grafana() -> Grafana {
    Grafana::new()
        .folder("EJE")
        .datasource(
            Datasource::prometheus(PROMETHEUS, "Prometheus", "http://prometheus:9090")
                .default()
                .exemplar_traces("trace_id", JAEGER),
        )
        .datasource(
            Datasource::jaeger(JAEGER, "Jaeger", "http://jaeger-query:16686").traces_to_metrics(
                TracesToMetrics::new(PROMETHEUS)
                    .tag("eje.critic", "critic")
                    .query(
                        "Critic calls per second",
                        "sum by (critic) (rate(eje_critic_executions_total{$__tags}[5m]))",
                    )
                    .query(
                        "Critic failure ratio",
                        "sum by (critic) (rate(eje_critic_failures_total{$__tags}[5m]))\n/\nsum by (critic) (rate(eje_critic_executions_total{$__tags}[5m]))",
                    )
                    .query(
                        "Critic p99 latency",
                        "histogram_quantile(0.99, sum by (le) (rate(eje_critic_duration_seconds_bucket{$__tags}[5m])))",
                    ),
            ),
        )
        .dashboards([overview(), critics(), resources()])
        .dashboards(slo_views().iter().map(slo))
}

fn datasource_variable() -> Variable {
    Variable::datasource(DS, DatasourceKind::Prometheus, PROMETHEUS).label("Prometheus")
}

fn job_variable() -> Variable {
    Variable::label_values("job", DsRef::variable(DS), &eje::DECISIONS_TOTAL, &eje::JOB)
        .label("Job")
}

/// A dashboard of EJE's, with the datasource and job variables and the links every one has.
fn eje_dashboard(uid: &str, title: &str) -> Dashboard {
    Dashboard::new(uid, title)
        .tag("eje")
        .refresh(mins(1))
        .datasource(DsRef::variable(DS))
        .variable(datasource_variable())
        .variable(job_variable())
        .link(Link::tagged("EJE dashboards", ["eje"]))
        .link(Link::traces("EJE traces", JAEGER, SERVICE))
        .annotation(
            Annotation::prometheus(
                "Critical alerts",
                DsRef::variable(DS),
                r#"ALERTS{alertstate="firing", severity="critical"}"#,
            )
            .title("{{alertname}}")
            .tag_keys(["alertname", "severity"]),
        )
}

fn error_ratio_thresholds() -> Thresholds {
    Thresholds::new(Color::Green)
        .step(0.01, Color::Orange)
        .step(0.05, Color::Red)
}

fn utilisation_thresholds() -> Thresholds {
    Thresholds::new(Color::Green)
        .step(0.7, Color::Orange)
        .step(0.9, Color::Red)
}

/// The golden signals of the whole service: traffic, errors, latency, saturation.
fn overview() -> Dashboard {
    eje_dashboard(OVERVIEW, "EJE overview")
        .description("EJE's golden signals: traffic, errors, latency and saturation of the decision pipeline")
        .link(Link::dashboard("Critics (RED)", CRITICS))
        .link(Link::dashboard("Resources (USE)", RESOURCES))
        .link(Link::tagged("SLOs", ["slo"]))
        .panel(Text::new(
            "About",
            "EJE's decision pipeline at a glance. Each row is one golden signal; the numbers come from the \
             recording rules the alerts use. Follow the links above for each critic (RED), the resources (USE) \
             and the SLOs; click an exemplar on a latency panel to open its trace.",
        ))
        .panel(Row::new("Traffic"))
        .panel(
            Stat::new("Decisions per second")
                .description("Decisions made by the aggregator, all verdicts and statuses")
                .unit(Unit::RequestsPerSecond)
                .query(r#"sum(job:eje_decisions:rate5m{job=~"$job"})"#),
        )
        .panel(
            TimeSeries::new("Decisions per second by verdict")
                .width(9)
                .unit(Unit::RequestsPerSecond)
                .stacked()
                .query(Query::new(r#"sum by (verdict) (job_verdict:eje_decisions:rate5m{job=~"$job"})"#).legend("{{verdict}}")),
        )
        .panel(
            TimeSeries::new("API requests per second by caller kind")
                .width(9)
                .unit(Unit::RequestsPerSecond)
                .query(Query::new(r#"sum by (user_type) (job_user_type:eje_requests:rate5m{job=~"$job"})"#).legend("{{user_type}}")),
        )
        .panel(Row::new("Errors"))
        .panel(
            Stat::new("Decision error ratio")
                .description("Decisions that ended in an error or a timeout, over 5 minutes")
                .unit(Unit::PercentUnit)
                .thresholds(error_ratio_thresholds())
                .query(r#"max(job:eje_decisions_errors:ratio_rate5m{job=~"$job"})"#)
                .link(Link::runbook("Runbook: decision success ratio low", runbook("EJEDecisionSuccessRatioLow"))),
        )
        .panel(
            TimeSeries::new("Failed decisions per second by status")
                .width(9)
                .unit(Unit::OpsPerSecond)
                .query(
                    Query::new(r#"sum by (status) (rate(eje_decisions_total{job=~"$job", status!="success"}[$__rate_interval]))"#)
                        .legend("{{status}}"),
                ),
        )
        .panel(
            TimeSeries::new("API server error ratio")
                .width(9)
                .unit(Unit::PercentUnit)
                .min(0.0)
                .thresholds(error_ratio_thresholds())
                .thresholds_style(timeseries::ThresholdsStyle::Dashed)
                .query(Query::new(r#"job:eje_requests_errors:ratio_rate5m{job=~"$job"}"#).legend("{{job}}")),
        )
        .panel(Row::new("Latency"))
        .panel(
            TimeSeries::new("Decision latency quantiles")
                .description("p50, p90 and p99 of the time from request to verdict, over 5 minutes")
                .unit(Unit::Seconds)
                .legend(Legend::table([Calc::Mean, Calc::Max]))
                .query(Query::new(r#"max(job:eje_decision_duration_seconds:p50_rate5m{job=~"$job"})"#).legend("p50"))
                .query(Query::new(r#"max(job:eje_decision_duration_seconds:p90_rate5m{job=~"$job"})"#).legend("p90"))
                .query(Query::new(r#"max(job:eje_decision_duration_seconds:p99_rate5m{job=~"$job"})"#).legend("p99")),
        )
        .panel(
            Heatmap::new("Decision latency distribution")
                .description("Every bucket of the decision latency histogram; exemplars link to traces")
                .unit(Unit::Seconds)
                .query(
                    Query::new(r#"sum by (le) (rate(eje_decision_duration_seconds_bucket{job=~"$job"}[$__rate_interval]))"#)
                        .legend("{{le}}")
                        .exemplars(),
                ),
        )
        .panel(Row::new("Saturation"))
        .panel(
            Gauge::new("Decision pipeline utilisation")
                .description("Decisions in flight over the pipeline's capacity")
                .unit(Unit::PercentUnit)
                .min(0.0)
                .max(1.0)
                .thresholds(utilisation_thresholds())
                .query(r#"max(job:eje_decision_utilisation:ratio{job=~"$job"})"#)
                .link(Link::runbook("Runbook: pipeline saturated", runbook("EJEDecisionPipelineSaturated"))),
        )
        .panel(
            TimeSeries::new("Decisions in flight and capacity")
                .width(18)
                .height(6)
                .unit(Unit::Short)
                .min(0.0)
                .query(Query::new(r#"sum(eje_decisions_in_flight{job=~"$job"})"#).legend("in flight"))
                .query(Query::new(r#"sum(eje_decision_capacity{job=~"$job"})"#).legend("capacity")),
        )
}

/// RED per critic: rate, errors, duration, for the critics picked in `$critic`.
fn critics() -> Dashboard {
    let sel = r#"job=~"$job", critic=~"$critic""#;
    eje_dashboard(CRITICS, "EJE critics (RED)")
        .description("Rate, errors and duration of each critic's calls")
        .variable(
            Variable::label_values("critic", DsRef::variable(DS), &eje::CRITIC_EXECUTIONS_TOTAL, &eje::CRITIC)
                .label("Critic"),
        )
        .variable(Variable::custom("quantile", ["0.99", "0.9", "0.5"]).label("Quantile"))
        .variable(Variable::interval("window", [hours(1), hours(6), days(1)]).label("Window"))
        .link(Link::dashboard("Overview", OVERVIEW))
        .panel(Row::new("Rate"))
        .panel(
            TimeSeries::new("Critic calls per second")
                .unit(Unit::OpsPerSecond)
                .query(
                    Query::new(format!("sum by (critic) (rate(eje_critic_executions_total{{{sel}}}[$__rate_interval]))"))
                        .legend("{{critic}}"),
                ),
        )
        .panel(
            TimeSeries::new("Verdicts per second")
                .unit(Unit::OpsPerSecond)
                .stacked()
                .query(
                    Query::new(format!("sum by (critic, verdict) (rate(eje_critic_verdicts_total{{{sel}}}[$__rate_interval]))"))
                        .legend("{{critic}} {{verdict}}"),
                ),
        )
        .panel(Row::new("Errors"))
        .panel(
            TimeSeries::new("Critic failure ratio")
                .unit(Unit::PercentUnit)
                .min(0.0)
                .thresholds(Thresholds::new(Color::Green).step(0.05, Color::Red))
                .thresholds_style(timeseries::ThresholdsStyle::Dashed)
                .query(
                    Query::new(format!(
                        "sum by (critic) (rate(eje_critic_failures_total{{{sel}}}[$__rate_interval]))\n/\nsum by (critic) (rate(eje_critic_executions_total{{{sel}}}[$__rate_interval]))"
                    ))
                    .legend("{{critic}}"),
                )
                .link(Link::runbook("Runbook: critic failure rate high", runbook("EJECriticHighFailureRate"))),
        )
        .panel(
            BarGauge::new("Failure ratio by critic, last 5 minutes")
                .unit(Unit::PercentUnit)
                .min(0.0)
                .max(1.0)
                .thresholds(Thresholds::new(Color::Green).step(0.05, Color::Red))
                .query(
                    Query::new(format!("max by (critic) (job_critic:eje_critic_failures:ratio_rate5m{{{sel}}})"))
                        .legend("{{critic}}")
                        .instant(),
                ),
        )
        .panel(
            TimeSeries::new("Failures per second by reason")
                .width(24)
                .unit(Unit::OpsPerSecond)
                .bars()
                .stacked()
                .query(
                    Query::new(format!("sum by (critic, reason) (rate(eje_critic_failures_total{{{sel}}}[$__rate_interval]))"))
                        .legend("{{critic}} {{reason}}"),
                ),
        )
        .panel(Row::new("Duration"))
        .panel(
            TimeSeries::new("Critic latency at the chosen quantile")
                .description("The $quantile quantile of each critic's call duration; exemplars link to traces")
                .unit(Unit::Seconds)
                .query(
                    Query::new(format!(
                        "histogram_quantile($quantile, sum by (critic, le) (rate(eje_critic_duration_seconds_bucket{{{sel}}}[$__rate_interval])))"
                    ))
                    .legend("{{critic}}")
                    .exemplars(),
                )
                .link(Link::runbook("Runbook: critic latency high", runbook("EJECriticLatencyHigh"))),
        )
        .panel(
            Heatmap::new("Critic latency distribution")
                .unit(Unit::Seconds)
                .query(
                    Query::new(format!("sum by (le) (rate(eje_critic_duration_seconds_bucket{{{sel}}}[$__rate_interval]))"))
                        .legend("{{le}}")
                        .exemplars(),
                ),
        )
        .panel(Row::new("Totals").collapsed())
        .panel(
            Table::new("Calls per critic over the window")
                .sort_by("Value", true)
                .unit(Unit::Short)
                .query(Query::new(format!("sum by (critic) (increase(eje_critic_executions_total{{{sel}}}[$window]))"))),
        )
}

/// USE of the resources: utilisation, saturation and errors of the process and the pipeline.
fn resources() -> Dashboard {
    eje_dashboard(RESOURCES, "EJE resources (USE)")
        .description("Utilisation, saturation and errors of EJE's processes and decision pipeline")
        .link(Link::dashboard("Overview", OVERVIEW))
        .panel(Row::new("Utilisation"))
        .panel(
            Stat::new("Targets up")
                .description("Scrape targets of the job that answered the last scrape")
                .unit(Unit::Short)
                .thresholds(Thresholds::new(Color::Red).step(1.0, Color::Green))
                .query(r#"sum(up{job=~"$job"})"#)
                .link(Link::runbook("Runbook: target down", runbook("EJETargetDown"))),
        )
        .panel(
            TimeSeries::new("CPU")
                .description("CPU seconds used per second, by instance (1 = one core)")
                .width(9)
                .unit(Unit::Short)
                .min(0.0)
                .query(
                    Query::new(r#"sum by (instance) (rate(process_cpu_seconds_total{job=~"$job"}[$__rate_interval]))"#)
                        .legend("{{instance}}"),
                ),
        )
        .panel(
            TimeSeries::new("Resident memory")
                .width(9)
                .unit(Unit::Bytes)
                .min(0.0)
                .query(Query::new(r#"sum by (instance) (process_resident_memory_bytes{job=~"$job"})"#).legend("{{instance}}")),
        )
        .panel(Row::new("Saturation"))
        .panel(
            Gauge::new("File descriptors in use")
                .unit(Unit::PercentUnit)
                .min(0.0)
                .max(1.0)
                .thresholds(utilisation_thresholds())
                .query(r#"max(job:process_open_fds:ratio{job=~"$job"})"#),
        )
        .panel(
            Gauge::new("Decision pipeline utilisation")
                .unit(Unit::PercentUnit)
                .min(0.0)
                .max(1.0)
                .thresholds(utilisation_thresholds())
                .query(r#"max(job:eje_decision_utilisation:ratio{job=~"$job"})"#),
        )
        .panel(
            TimeSeries::new("Open file descriptors")
                .unit(Unit::Short)
                .min(0.0)
                .query(Query::new(r#"sum by (instance) (process_open_fds{job=~"$job"})"#).legend("{{instance}} open"))
                .query(Query::new(r#"sum by (instance) (process_max_fds{job=~"$job"})"#).legend("{{instance}} max")),
        )
        .panel(Row::new("Errors"))
        .panel(
            TimeSeries::new("Label values refused (cap reached)")
                .unit(Unit::OpsPerSecond)
                .query(
                    Query::new(r#"sum by (label) (rate(eje_label_overflow_total{job=~"$job"}[$__rate_interval]))"#)
                        .legend("{{label}}"),
                )
                .link(Link::runbook("Runbook: label cap reached", runbook("EJELabelCapReached"))),
        )
        .panel(
            TimeSeries::new("Trace spans dropped")
                .unit(Unit::OpsPerSecond)
                .query(Query::new(r#"sum(rate(eje_trace_spans_dropped_total{job=~"$job"}[$__rate_interval]))"#).legend("dropped"))
                .link(Link::runbook("Runbook: trace spans dropped", runbook("EJETraceSpansDropped"))),
        )
}

/// One SLO's dashboard: objective, budget left, burn rate now and per window, the SLI over
/// time. Reads only the SLO rules' recorded series, selected by `slo` and `service`.
pub fn slo(view: &SloView) -> Dashboard {
    let sel = format!(r#"slo="{}", service="{SERVICE}""#, view.name);
    let period = view.windows.last().copied().unwrap_or(days(30));
    let mut burn = TimeSeries::new("Burn rate per window")
        .description("How fast each window spends the error budget: 1 spends exactly the budget over the period")
        .width(16)
        .unit(Unit::Short)
        .min(0.0)
        .legend(Legend::table([Calc::Last, Calc::Max]).right())
        .thresholds(
            Thresholds::new(Color::Green)
                .step(1.0, Color::Orange)
                .step(14.4, Color::Red),
        )
        .thresholds_style(timeseries::ThresholdsStyle::Dashed);
    let mut burn_now = BarGauge::new("Burn rate now")
        .width(8)
        .unit(Unit::Short)
        .min(0.0)
        .thresholds(
            Thresholds::new(Color::Green)
                .step(1.0, Color::Orange)
                .step(14.4, Color::Red),
        );
    for window in &view.windows {
        let expr = format!(
            "sum(slo:sli_error:ratio_rate{window}{{{sel}}})\n/\nsum(slo:error_budget:ratio{{{sel}}})"
        );
        burn = burn.query(Query::new(expr.clone()).legend(window.to_string()));
        burn_now = burn_now.query(Query::new(expr).legend(window.to_string()).instant());
    }
    Dashboard::new(format!("eje-slo-{}", view.name), format!("EJE SLO {}", view.name))
        .description(view.description.clone())
        .tag("eje")
        .tag("slo")
        .time(days(7))
        .refresh(mins(5))
        .datasource(DsRef::variable(DS))
        .variable(datasource_variable())
        .link(Link::tagged("SLOs", ["slo"]))
        .link(Link::dashboard("Overview", OVERVIEW))
        .panel(Text::new(
            "About",
            format!(
                "**{}**: {}.\n\nThe error budget is what the objective leaves over {period}. A burn rate of 1 spends it \
                 exactly over the period; the fast-burn page fires at 14.4 over 1h and 5m.",
                view.name, view.description
            ),
        ))
        .panel(Row::new("Objective and budget"))
        .panel(
            Stat::new("Objective")
                .unit(Unit::PercentUnit)
                .decimals(2)
                .graph(stat::GraphMode::None)
                .query(format!("max(slo:objective:ratio{{{sel}}})")),
        )
        .panel(
            Stat::new(format!("Error budget remaining ({period})"))
                .unit(Unit::PercentUnit)
                .thresholds(
                    Thresholds::new(Color::Red)
                        .step(0.0, Color::Orange)
                        .step(0.25, Color::Green),
                )
                .query(format!("max(slo:period_error_budget_remaining:ratio{{{sel}}})")),
        )
        .panel(
            Stat::new("Current burn rate")
                .unit(Unit::Short)
                .thresholds(
                    Thresholds::new(Color::Green)
                        .step(1.0, Color::Orange)
                        .step(14.4, Color::Red),
                )
                .query(format!("max(slo:current_burn_rate:ratio{{{sel}}})")),
        )
        .panel(
            Stat::new(format!("Burn rate over {period}"))
                .unit(Unit::Short)
                .thresholds(Thresholds::new(Color::Green).step(1.0, Color::Red))
                .query(format!("max(slo:period_burn_rate:ratio{{{sel}}})")),
        )
        .panel(Row::new("Burn rate"))
        .panel(burn)
        .panel(burn_now)
        .panel(Row::new("SLI"))
        .panel(
            TimeSeries::new("Error ratio and budget")
                .description("The SLI's error ratio over 5 minutes against the ratio the objective allows")
                .unit(Unit::PercentUnit)
                .min(0.0)
                .query(Query::new(format!("max(slo:sli_error:ratio_rate5m{{{sel}}})")).legend("error ratio (5m)"))
                .query(Query::new(format!("max(slo:error_budget:ratio{{{sel}}})")).legend("allowed")),
        )
        .panel(
            TimeSeries::new(format!("Error budget remaining ({period})"))
                .unit(Unit::PercentUnit)
                .thresholds(
                    Thresholds::new(Color::Red)
                        .step(0.0, Color::Orange)
                        .step(0.25, Color::Green),
                )
                .thresholds_style(timeseries::ThresholdsStyle::Area)
                .query(Query::new(format!("max(slo:period_error_budget_remaining:ratio{{{sel}}})")).legend("remaining")),
        )
}
